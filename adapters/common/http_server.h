// The HTTP server every adapter registers its routes on (cpp-httplib underneath).
//
// Contract:
// - TCP_NODELAY on; a fixed worker pool (`threads`) that only sees requests once they have
//   arrived whole, so idle or slow clients hold no worker; a deadline for each whole request,
//   and write and keep-alive timeouts; framing that could be read two ways is refused with 400
//   (GuardedServer).
// - POST routes get the raw body, read through a ContentReader (Debian's cpp-httplib refuses
//   form bodies over 8 KiB otherwise) and capped at `body_limit`: a larger body is answered 413
//   before the handler runs; a body that is cut short, arrives too slowly or is badly chunked
//   is answered 400 and the handler does not run.
// - Every answer is counted in Metrics (route, status, latency) and access-logged without
//   bodies or secrets.
// - Stop() stops accepting, lets in-flight requests finish, and makes Run() return.
// Register routes before Run(); Stop() may be called from any thread.
#pragma once

#include <httplib.h>

#include <functional>
#include <map>
#include <string>

#include "adapters/common/guarded_server.h"
#include "core/metrics.h"

namespace okrbot {

struct HttpServerOptions {
  std::string host = "0.0.0.0";
  int port = 3000;  // 0 = any free port (see port())
  int threads = 32;
  size_t body_limit = 1 << 20;
  int read_timeout_seconds = 5;  // a whole request must arrive within this (GuardedServer)
  int write_timeout_seconds = 5;
  int keep_alive_timeout_seconds = 5;
};

// Binds `server` to host:port (port 0: any free port) and listens with the system's maximum
// backlog: cpp-httplib 0.11.4 listens with a backlog of 5, which drops connections (a 1 s SYN
// retransmit each) when many clients connect at once. Returns the bound port, or -1.
int BindWithFullBacklog(httplib::Server& server, const std::string& host, int port);

class HttpServer {
 public:
  // (request, raw body, response)
  using PostHandler =
      std::function<void(const httplib::Request&, const std::string&, httplib::Response&)>;
  using GetHandler = std::function<void(const httplib::Request&, httplib::Response&)>;

  HttpServer(HttpServerOptions options, Metrics* metrics);

  void Post(const std::string& path, PostHandler handler);
  void Get(const std::string& path, GetHandler handler);

  // Binds the listening socket; false when the address cannot be used.
  bool Bind();
  int port() const { return port_; }
  // Serves until Stop(); returns false if serving failed.
  bool Run();
  bool IsRunning() const { return server_.is_running(); }
  void Stop();

  // Runs the POST handler registered for exactly `path` on `request` and `body`, without a
  // socket (for fuzzing the adapters in-process). False when no handler has that path.
  bool CallPostHandler(const std::string& path, const httplib::Request& request,
                       const std::string& body, httplib::Response& response) const;

 private:
  HttpServerOptions options_;
  Metrics* metrics_;
  GuardedServer server_;
  std::map<std::string, PostHandler> post_handlers_;
  int port_ = 0;
};

}  // namespace okrbot
