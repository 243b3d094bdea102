#include "cli/serve.h"

#include <httplib.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <ostream>
#include <thread>

#include "bot/version.h"

namespace okrbot {

std::string RedactUrl(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  size_t at = url.find('@', scheme + 3);
  if (at == std::string::npos) return url;
  size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

int RunServe(const Config& config, Store* store, std::ostream& out, std::ostream& err) {
  std::string host;
  int port = 0;
  if (!ParseListen(config.listen, &host, &port)) {
    err << "okrbot: OKRBOT_LISTEN must be HOST:PORT, not \"" << config.listen << "\"\n";
    return 2;
  }
  // Signals are taken by one thread with sigwait, so no handler runs inside server code.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::atomic<long long> requests{0};
  httplib::Server server;
  server.set_tcp_nodelay(true);
  const int threads = config.http_threads;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // Idle or slow clients must not hold a pool thread for long.
  server.set_keep_alive_timeout(5);
  server.set_keep_alive_max_count(1000);
  server.set_read_timeout(5, 0);
  server.set_write_timeout(5, 0);
  server.set_payload_max_length(1 << 20);

  server.Get("/healthz", [&](const httplib::Request&, httplib::Response& res) {
    ++requests;
    res.set_content("ok\n", "text/plain");
  });
  server.Get("/readyz", [&](const httplib::Request&, httplib::Response& res) {
    ++requests;
    Status ping = store->Ping();
    if (ping.ok()) {
      res.set_content("ready\n", "text/plain");
    } else {
      res.status = 503;
      res.set_content("database unavailable\n", "text/plain");
    }
  });
  server.Get("/metrics", [&](const httplib::Request&, httplib::Response& res) {
    ++requests;
    std::string body;
    body += "# HELP okrbot_build_info Build information.\n# TYPE okrbot_build_info gauge\n";
    body += std::string("okrbot_build_info{version=\"") + OKRBOT_VERSION + "\"} 1\n";
    body += "# HELP okrbot_http_requests_total HTTP requests answered.\n";
    body += "# TYPE okrbot_http_requests_total counter\n";
    body += "okrbot_http_requests_total " + std::to_string(requests.load()) + "\n";
    res.set_content(body, "text/plain; version=0.0.4");
  });

  if (!server.bind_to_port(host, port)) {
    err << "okrbot: cannot listen on " << config.listen
        << " (address in use or not permitted); set OKRBOT_LISTEN or --listen\n";
    return 2;
  }
  out << "okrbot " << OKRBOT_VERSION << " listening on " << config.listen << "\n";
  out << "database: " << RedactUrl(config.db_url) << "\n";
  for (const auto& line : config.PlatformLines()) out << line << "\n";
  out << std::flush;

  std::atomic<bool> signalled{false};
  std::thread signal_waiter([&server, &signalled, stop_signals] {
    int received = 0;
    sigwait(&stop_signals, &received);
    signalled = true;
    server.stop();
  });
  bool listened = server.listen_after_bind();
  // Wake the signal thread if the server ended by itself.
  if (!signalled) pthread_kill(signal_waiter.native_handle(), SIGTERM);
  signal_waiter.join();
  out << "okrbot stopped\n" << std::flush;
  return listened ? 0 : 1;
}

}  // namespace okrbot
