#include "adapters/common/http_server.h"

#include <spdlog/spdlog.h>

#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>

namespace okrbot {
namespace {

// Measures one request and logs/counts it when the handler is done.
class RequestScope {
 public:
  RequestScope(Metrics* metrics, std::string route, const httplib::Request& request,
               const httplib::Response& response)
      : metrics_(metrics),
        route_(std::move(route)),
        request_(request),
        response_(response),
        start_(std::chrono::steady_clock::now()) {}
  ~RequestScope() {
    auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - start_);
    int status = response_.status <= 0 ? 200 : response_.status;
    metrics_->ObserveRequest(route_, status, elapsed);
    spdlog::info("http {} {} {} {}us from {}", request_.method, route_, status, elapsed.count(),
                 request_.remote_addr);
  }

 private:
  Metrics* metrics_;
  std::string route_;
  const httplib::Request& request_;
  const httplib::Response& response_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

namespace {

ConnectionLimits LimitsOf(const HttpServerOptions& options) {
  ConnectionLimits limits;
  limits.request_deadline = std::chrono::seconds(options.read_timeout_seconds);
  limits.keep_alive_idle = std::chrono::seconds(options.keep_alive_timeout_seconds);
  limits.write_timeout = std::chrono::seconds(options.write_timeout_seconds);
  limits.worker_threads = static_cast<size_t>(std::max(1, options.threads));
  limits.body_limit = options.body_limit;
  return limits;
}

}  // namespace

HttpServer::HttpServer(HttpServerOptions options, Metrics* metrics)
    : options_(std::move(options)), metrics_(metrics), server_(LimitsOf(options_)) {
  server_.set_tcp_nodelay(true);
  server_.set_read_timeout(options_.read_timeout_seconds, 0);
  server_.set_write_timeout(options_.write_timeout_seconds, 0);
  server_.set_keep_alive_timeout(options_.keep_alive_timeout_seconds);
  server_.set_keep_alive_max_count(10000);
  server_.set_payload_max_length(options_.body_limit);
}

void HttpServer::Post(const std::string& path, PostHandler handler) {
  post_handlers_[path] = handler;
  const size_t limit = options_.body_limit;
  server_.Post(path, [this, path, limit, handler](const httplib::Request& request,
                                                  httplib::Response& response,
                                                  const httplib::ContentReader& reader) {
    RequestScope scope(metrics_, path, request, response);
    if (request.has_header("Content-Length")) {
      unsigned long long declared =
          std::strtoull(request.get_header_value("Content-Length").c_str(), nullptr, 10);
      if (declared > limit) {
        response.status = 413;
        response.set_content("request body too large\n", "text/plain");
        CloseConnectionAfterThisAnswer();  // the body was not read
        return;
      }
    }
    std::string body;
    bool too_large = false;
    const bool complete = reader([&](const char* data, size_t length) {
      if (body.size() + length > limit) {
        too_large = true;
        return false;
      }
      body.append(data, length);
      return true;
    });
    if (too_large) {
      response.status = 413;
      response.set_content("request body too large\n", "text/plain");
      CloseConnectionAfterThisAnswer();
      return;
    }
    if (!complete) {  // cut short, timed out or badly chunked: never run a handler on a part
      response.status = 400;
      response.set_content("bad request: incomplete or malformed body\n", "text/plain");
      CloseConnectionAfterThisAnswer();
      return;
    }
    handler(request, body, response);
  });
}

void HttpServer::Get(const std::string& path, GetHandler handler) {
  server_.Get(path,
              [this, path, handler](const httplib::Request& request, httplib::Response& response) {
                RequestScope scope(metrics_, path, request, response);
                handler(request, response);
              });
}

int BindWithFullBacklog(httplib::Server& server, const std::string& host, int port) {
  int listen_fd = -1;
  server.set_socket_options([&listen_fd](socket_t sock) {
    httplib::default_socket_options(sock);
    listen_fd = sock;
  });
  int bound = -1;
  if (port == 0) {
    int any = server.bind_to_any_port(host);
    if (any > 0) bound = any;
  } else if (server.bind_to_port(host, port)) {
    bound = port;
  }
  server.set_socket_options(httplib::default_socket_options);  // drop the capture
  if (bound > 0 && listen_fd >= 0) ::listen(listen_fd, SOMAXCONN);
  return bound;
}

bool HttpServer::Bind() {
  port_ = BindWithFullBacklog(server_, options_.host, options_.port);
  return port_ > 0;
}

bool HttpServer::Run() { return server_.listen_after_bind(); }

void HttpServer::Stop() { server_.stop(); }

bool HttpServer::CallPostHandler(const std::string& path, const httplib::Request& request,
                                 const std::string& body, httplib::Response& response) const {
  auto handler = post_handlers_.find(path);
  if (handler == post_handlers_.end()) return false;
  handler->second(request, body, response);
  return true;
}

}  // namespace okrbot
