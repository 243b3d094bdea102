#include "adapters/common/guarded_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <optional>
#include <string>

#include "adapters/common/chunked_validator.h"
#include "adapters/common/request_gatherer.h"
#include "core/text_util.h"

namespace okrbot {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Set by the framing check when it refuses a request, read by the connection loop on the same
// thread: the unread body must never be taken for the next request.
thread_local bool t_close_after_answer = false;

// Why the request's body framing is ambiguous, or "" when it is not (RFC 9112 §6.3: a
// request with both is a smuggling attempt or a broken proxy; either way it cannot be trusted).
std::string AmbiguousFraming(const httplib::Request& request) {
  const size_t lengths = request.get_header_value_count("Content-Length");
  const size_t encodings = request.get_header_value_count("Transfer-Encoding");
  if (lengths > 0 && encodings > 0) return "both Content-Length and Transfer-Encoding";
  if (lengths > 1) return "more than one Content-Length";
  uint64_t declared = 0;
  if (lengths == 1 && !ParsePlainDecimal(request.get_header_value("Content-Length"), &declared)) {
    return "a Content-Length that is not a decimal number";
  }
  if (encodings > 1) return "more than one Transfer-Encoding";
  if (encodings == 1 &&
      !EqualsIgnoringAsciiCase(request.get_header_value("Transfer-Encoding"), "chunked")) {
    return "a Transfer-Encoding other than chunked";
  }
  return "";
}

// Why cpp-httplib would read this request's body differently from how it is framed, or "" when
// it would not. cpp-httplib reads a body only for POST, PUT, PATCH, DELETE and PRI: a body on
// any other method would be served as the next request (smuggling past a proxy that saw one
// request). A body-carrying method with neither header is read until the client closes, which
// would hold a worker until the deadline (`*status` 411 then).
std::string UnreadableBody(const httplib::Request& request, int* status) {
  const std::string& method = request.method;
  const bool reads_body = method == "POST" || method == "PUT" || method == "PATCH" ||
                          method == "DELETE" || method == "PRI";
  const bool has_length = request.has_header("Content-Length");
  const bool chunked = request.has_header("Transfer-Encoding");
  if (!reads_body) {
    uint64_t declared = 0;
    if (chunked ||
        (has_length && ParsePlainDecimal(request.get_header_value("Content-Length"), &declared) &&
         declared > 0)) {
      *status = 400;
      return "a body on a " + method + " request";
    }
    return "";
  }
  if (!has_length && !chunked) {
    *status = 411;
    return "a " + method + " request needs a Content-Length";
  }
  return "";
}

}  // namespace

// A socket stream whose reads all end at one deadline (the current request's), buffered so
// that cpp-httplib's byte-at-a-time header reading costs no system call per byte.
class DeadlineStream final : public httplib::Stream {
 public:
  // `received`: bytes already read from the socket (by the RequestGatherer), read first.
  DeadlineStream(int fd, std::chrono::milliseconds write_timeout, std::string received)
      : fd_(fd), write_timeout_(write_timeout), buffer_(std::move(received)) {}

  void set_deadline(SteadyClock::time_point deadline) {
    deadline_ = deadline;
    chunked_.reset();
  }
  // The rest of this request's body is chunked: check its framing as it is read.
  void ValidateChunkedBody() { chunked_.emplace(); }
  bool framing_broken() const { return framing_broken_; }
  bool has_buffered() const { return offset_ < buffer_.size(); }
  // The bytes read from the socket and not consumed yet (the start of a pipelined request).
  std::string TakeBuffered() {
    std::string rest = buffer_.substr(offset_);
    buffer_.clear();
    offset_ = 0;
    return rest;
  }
  void Preload(std::string received) {
    buffer_ = std::move(received);
    offset_ = 0;
  }

  // True when data is buffered or arrives within `timeout`.
  bool WaitReadable(std::chrono::milliseconds timeout) const {
    return has_buffered() || Poll(POLLIN, timeout);
  }

  bool is_readable() const override { return WaitReadable(Remaining()); }
  bool is_writable() const override { return Poll(POLLOUT, write_timeout_); }

  ssize_t read(char* ptr, size_t size) override {
    if (!has_buffered()) {
      if (!Fill()) return -1;
    }
    size_t n = std::min(size, buffer_.size() - offset_);
    std::copy_n(buffer_.data() + offset_, n, ptr);
    offset_ += n;
    if (chunked_ && !chunked_->done() && !chunked_->Feed(ptr, n)) {
      framing_broken_ = true;
      return -1;
    }
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    // Try first and wait only when the socket buffer is full: one system call per write.
    size_t sent = 0;
    while (sent < size) {
      ssize_t n = ::send(fd_, ptr + sent, size - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n >= 0) {
        sent += static_cast<size_t>(n);
      } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (!Poll(POLLOUT, write_timeout_)) break;
      } else if (errno != EINTR) {
        break;
      }
    }
    return sent > 0 ? static_cast<ssize_t>(sent) : -1;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    Address(/*peer=*/true, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    Address(/*peer=*/false, ip, port);
  }
  socket_t socket() const override { return fd_; }

 private:
  std::chrono::milliseconds Remaining() const {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - SteadyClock::now());
    return std::max(left, std::chrono::milliseconds(0));
  }

  bool Poll(short events, std::chrono::milliseconds timeout) const {
    pollfd p{fd_, events, 0};
    while (true) {
      int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
      if (n < 0 && errno == EINTR) continue;
      return n > 0;
    }
  }

  // Reads what has arrived (at least one byte) before the deadline; false on timeout, EOF or
  // error.
  bool Fill() {
    char chunk[16384];
    while (true) {
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, MSG_DONTWAIT);  // wait only if nothing yet
      if (n > 0) {
        buffer_.assign(chunk, static_cast<size_t>(n));
        offset_ = 0;
        return true;
      }
      if (n == 0) return false;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (!Poll(POLLIN, Remaining())) return false;
      } else if (errno != EINTR) {
        return false;
      }
    }
  }

  void Address(bool peer, std::string& ip, int& port) const {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    int rc = peer ? ::getpeername(fd_, reinterpret_cast<sockaddr*>(&address), &length)
                  : ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    ip.clear();
    port = 0;
    if (rc != 0) return;
    char text[INET6_ADDRSTRLEN] = {};
    if (address.ss_family == AF_INET) {
      auto* in = reinterpret_cast<sockaddr_in*>(&address);
      ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
      port = ntohs(in->sin_port);
    } else if (address.ss_family == AF_INET6) {
      auto* in6 = reinterpret_cast<sockaddr_in6*>(&address);
      ::inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
      port = ntohs(in6->sin6_port);
    }
    ip = text;
  }

  int fd_;
  std::chrono::milliseconds write_timeout_;
  SteadyClock::time_point deadline_ = SteadyClock::now();
  std::string buffer_;
  size_t offset_ = 0;
  std::optional<ChunkedValidator> chunked_;
  bool framing_broken_ = false;
};

namespace {

// The stream of the request this thread is serving (for the framing check, which runs inside
// cpp-httplib after the headers are read and before the body is).
thread_local DeadlineStream* t_stream = nullptr;

}  // namespace

void CloseConnectionAfterThisAnswer() { t_close_after_answer = true; }

GuardedServer::GuardedServer(ConnectionLimits limits) : limits_(limits) {
  new_task_queue = [this] { return StartServing(); };
  set_pre_routing_handler([](const httplib::Request& request, httplib::Response& response) {
    int status = 400;
    std::string why = AmbiguousFraming(request);
    if (why.empty()) why = UnreadableBody(request, &status);
    if (why.empty()) {
      if (t_stream != nullptr && request.has_header("Transfer-Encoding")) {
        t_stream->ValidateChunkedBody();
      }
      return HandlerResponse::Unhandled;
    }
    response.status = status;
    response.set_header("Connection", "close");
    response.set_content(
        std::string(status == 411 ? "length required: " : "bad request: ") + why + "\n",
        "text/plain");
    t_close_after_answer = true;
    return HandlerResponse::Handled;
  });
}

// Out of line: RequestGatherer is incomplete in the header.
GuardedServer::~GuardedServer() = default;

namespace {

// cpp-httplib's accept loop hands each new socket to a TaskQueue; this one runs the hand-off
// at once on the accept thread (it only gives the socket to the gatherer) and tears the
// gatherer and the workers down when the server stops.
class InlineTaskQueue : public httplib::TaskQueue {
 public:
  explicit InlineTaskQueue(std::function<void()> on_shutdown)
      : on_shutdown_(std::move(on_shutdown)) {}
  void enqueue(std::function<void()> fn) override { fn(); }
  void shutdown() override { on_shutdown_(); }

 private:
  std::function<void()> on_shutdown_;
};

}  // namespace

httplib::TaskQueue* GuardedServer::StartServing() {
  // Workers first: the gatherer hands requests to them as soon as it runs.
  workers_ = std::make_unique<httplib::ThreadPool>(limits_.worker_threads);
  GatherLimits gather;
  gather.request_deadline = limits_.request_deadline;
  gather.keep_alive_idle = limits_.keep_alive_idle;
  gather.body_limit = limits_.body_limit;
  gatherer_ = std::make_unique<RequestGatherer>(
      gather, [this](std::unique_ptr<GatheredConnection> connection) {
        // std::function must be copyable, so the connection travels as a raw pointer.
        GatheredConnection* raw = connection.release();
        workers_->enqueue(
            [this, raw] { ServeConnection(std::unique_ptr<GatheredConnection>(raw)); });
      });
  return new InlineTaskQueue([this] {
    gatherer_->Stop();     // closes waiting connections; later returns are closed
    workers_->shutdown();  // lets the requests in flight finish
    gatherer_.reset();
    workers_.reset();
  });
}

bool GuardedServer::process_and_close_socket(socket_t sock) {
  gatherer_->Adopt(sock);
  return true;
}

void GuardedServer::ServeConnection(std::unique_ptr<GatheredConnection> connection) {
  DeadlineStream stream(connection->fd, limits_.write_timeout, std::move(connection->received));
  connection->received.clear();
  t_stream = &stream;
  bool keep_open = false;
  while (true) {
    stream.set_deadline(connection->deadline);
    const bool last = ++connection->served >= limits_.keep_alive_max_requests;
    bool connection_closed = false;
    t_close_after_answer = false;
    if (!process_request(stream, last, connection_closed, nullptr) || connection_closed ||
        t_close_after_answer || stream.framing_broken() || last) {
      break;
    }
    keep_open = true;
    connection->received = stream.TakeBuffered();
    if (connection->received.empty()) break;
    // Pipelined: serve the next request here if it is already whole, else wait in the gatherer.
    connection->assembly.Reset();
    if (connection->assembly.Update(connection->received) != RequestAssembly::Verdict::kReady) {
      break;
    }
    keep_open = false;
    connection->deadline = SteadyClock::now() + limits_.request_deadline;
    stream.Preload(std::move(connection->received));
    connection->received.clear();
  }
  t_stream = nullptr;
  if (!keep_open) {
    ::shutdown(connection->fd, SHUT_RDWR);
    ::close(connection->fd);
    return;
  }
  gatherer_->Return(std::move(connection));
}

}  // namespace okrbot
