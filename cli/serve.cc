#include "cli/serve.h"

#include <malloc.h>
#include <pthread.h>
#include <signal.h>

#include <ostream>

#include "bot/version.h"
#include "cli/file_clock.h"
#include "cli/server.h"

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
  // Signals are taken by sigwait on this thread, so no handler runs inside server code; block
  // them before any thread starts so every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // A file-size limit (RLIMIT_FSIZE, a quota) must fail the write that hits it, which the
  // store reports (and /readyz shows), not kill the server.
  signal(SIGXFSZ, SIG_IGN);
  // With dozens of request threads, glibc hands freed memory back to the kernel after nearly
  // every request (madvise, then page faults to get it again): about 15 % of the server's CPU
  // in `bench/run http`. Keeping up to 8 MB per arena costs a few MB of RSS at peak.
  mallopt(M_TRIM_THRESHOLD, 8 << 20);

  ClockChoice choice(config.fake_clock_file);
  const Clock* clock = choice.clock;
  if (!config.fake_clock_file.empty()) {
    err << "okrbot: warning: OKRBOT_FAKE_CLOCK_FILE is set - time is read from "
        << config.fake_clock_file << " (tests only)\n";
  }
  OkrbotServer server(config, store, clock);
  if (Status started = server.Start(); !started.ok()) {
    err << "okrbot: " << started.message() << "; set OKRBOT_LISTEN or --listen\n";
    return 2;
  }
  out << "okrbot " << OKRBOT_VERSION << " listening on " << config.listen << "\n";
  out << "database: " << RedactUrl(config.db_url) << "\n";
  for (const auto& line : config.PlatformLines()) out << line << "\n";
  out << std::flush;

  int received = 0;
  sigwait(&stop_signals, &received);
  out << "okrbot stopping (" << (received == SIGINT ? "SIGINT" : "SIGTERM") << ")\n" << std::flush;
  server.Stop();
  out << "okrbot stopped\n" << std::flush;
  return 0;
}

}  // namespace okrbot
