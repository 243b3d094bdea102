#include "adapters/common/guarded_server.h"
#include "bot/text_util.h"

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

namespace okrbot {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Set by the framing check when it refuses a request, read by the connection loop on the same
// thread: the unread body must never be taken for the next request.
thread_local bool t_close_after_answer = false;

bool IsPlainDecimal(const std::string& text) {
  return !text.empty() && text.size() <= 18 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Why the request's body framing is ambiguous, or "" when it is not (RFC 9112 §6.3: a
// request with both is a smuggling attempt or a broken proxy; either way it cannot be trusted).
std::string AmbiguousFraming(const httplib::Request& request) {
  const size_t lengths = request.get_header_value_count("Content-Length");
  const size_t encodings = request.get_header_value_count("Transfer-Encoding");
  if (lengths > 0 && encodings > 0) return "both Content-Length and Transfer-Encoding";
  if (lengths > 1) return "more than one Content-Length";
  if (lengths == 1 && !IsPlainDecimal(request.get_header_value("Content-Length"))) {
    return "a Content-Length that is not a decimal number";
  }
  if (encodings > 1) return "more than one Transfer-Encoding";
  if (encodings == 1 && AsciiLower(request.get_header_value("Transfer-Encoding")) != "chunked") {
    return "a Transfer-Encoding other than chunked";
  }
  return "";
}

// Checks a chunked body byte by byte against RFC 9112 §7.1, because cpp-httplib 0.11.4 takes
// any line after a chunk's data for its CRLF ("3\r\nabcdef\r\n" reads as "abc"), so the same
// bytes could frame differently here and in a proxy.
class ChunkedValidator {
 public:
  // False once the bytes cannot be a chunked body.
  bool Feed(const char* data, size_t size) {
    for (size_t i = 0; i < size && state_ != State::kDone; ++i) {
      if (state_ == State::kData) {
        size_t take = std::min<uint64_t>(remaining_, size - i);
        remaining_ -= take;
        i += take - 1;
        if (remaining_ == 0) state_ = State::kDataCr;
        continue;
      }
      if (!Step(data[i])) {
        state_ = State::kBroken;
        return false;
      }
    }
    return state_ != State::kBroken;
  }
  bool done() const { return state_ == State::kDone; }

 private:
  enum class State {
    kSize,
    kExtension,
    kSizeLf,
    kData,
    kDataCr,
    kDataLf,
    kTrailerStart,
    kTrailer,
    kTrailerLf,
    kFinalLf,
    kDone,
    kBroken
  };

  bool Step(char c) {
    switch (state_) {
      case State::kSize: {
        int digit =
            std::isxdigit(static_cast<unsigned char>(c))
                ? (std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                                                               : (std::tolower(c) - 'a' + 10))
                : -1;
        if (digit >= 0) {
          if (++digits_ > 15) return false;  // no body here is anywhere near 2^60 bytes
          size_ = size_ * 16 + static_cast<uint64_t>(digit);
          return true;
        }
        if (digits_ == 0) return false;
        if (c == ';' || c == ' ' || c == '\t') {
          state_ = State::kExtension;
          return true;
        }
        if (c != '\r') return false;
        state_ = State::kSizeLf;
        return true;
      }
      case State::kExtension:
        if (c == '\n') return false;
        if (c == '\r') state_ = State::kSizeLf;
        return true;
      case State::kSizeLf:
        if (c != '\n') return false;
        if (size_ == 0) {
          state_ = State::kTrailerStart;
        } else {
          remaining_ = size_;
          state_ = State::kData;
        }
        size_ = 0;
        digits_ = 0;
        return true;
      case State::kDataCr:
        if (c != '\r') return false;
        state_ = State::kDataLf;
        return true;
      case State::kDataLf:
        if (c != '\n') return false;
        state_ = State::kSize;
        return true;
      case State::kTrailerStart:
        state_ = c == '\r' ? State::kFinalLf : State::kTrailer;
        return c != '\n';
      case State::kTrailer:
        if (c == '\n') return false;
        if (c == '\r') state_ = State::kTrailerLf;
        return true;
      case State::kTrailerLf:
        if (c != '\n') return false;
        state_ = State::kTrailerStart;
        return true;
      case State::kFinalLf:
        if (c != '\n') return false;
        state_ = State::kDone;
        return true;
      default:
        return false;
    }
  }

  State state_ = State::kSize;
  uint64_t size_ = 0;
  int digits_ = 0;
  uint64_t remaining_ = 0;
};

}  // namespace

// A socket stream whose reads all end at one deadline (the current request's), buffered so
// that cpp-httplib's byte-at-a-time header reading costs no system call per byte.
class DeadlineStream final : public httplib::Stream {
 public:
  DeadlineStream(int fd, std::chrono::milliseconds write_timeout)
      : fd_(fd), write_timeout_(write_timeout) {}

  void set_deadline(SteadyClock::time_point deadline) {
    deadline_ = deadline;
    chunked_.reset();
  }
  // The rest of this request's body is chunked: check its framing as it is read.
  void ValidateChunkedBody() { chunked_.emplace(); }
  bool framing_broken() const { return framing_broken_; }
  bool has_buffered() const { return offset_ < buffer_.size(); }

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

bool GuardedServer::WaitForRequest(const DeadlineStream& stream) const {
  // In slices, so that Stop() need not wait out an idle keep-alive connection.
  constexpr std::chrono::milliseconds kSlice(100);
  const auto deadline = SteadyClock::now() + limits_.keep_alive_idle;
  // cpp-httplib's stop() invalidates the listening socket at once; is_running() only turns
  // false after every connection has ended.
  while (svr_sock_ != INVALID_SOCKET) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
    if (left.count() <= 0) return false;
    if (stream.WaitReadable(std::min(left, kSlice))) return true;
  }
  return false;
}

GuardedServer::GuardedServer(ConnectionLimits limits) : limits_(limits) {
  set_pre_routing_handler([](const httplib::Request& request, httplib::Response& response) {
    std::string why = AmbiguousFraming(request);
    if (why.empty()) {
      if (t_stream != nullptr && request.has_header("Transfer-Encoding")) {
        t_stream->ValidateChunkedBody();
      }
      return HandlerResponse::Unhandled;
    }
    response.status = 400;
    response.set_header("Connection", "close");
    response.set_content("bad request: " + why + "\n", "text/plain");
    t_close_after_answer = true;
    return HandlerResponse::Handled;
  });
}

bool GuardedServer::process_and_close_socket(socket_t sock) {
  DeadlineStream stream(sock, limits_.write_timeout);
  t_stream = &stream;
  for (size_t served = 0; served < limits_.keep_alive_max_requests; ++served) {
    if (!WaitForRequest(stream)) break;  // idle too long, the peer left, or stopping
    stream.set_deadline(SteadyClock::now() + limits_.request_deadline);
    bool connection_closed = false;
    const bool last = served + 1 == limits_.keep_alive_max_requests;
    t_close_after_answer = false;
    if (!process_request(stream, last, connection_closed, nullptr) || connection_closed ||
        t_close_after_answer || stream.framing_broken()) {
      break;
    }
  }
  t_stream = nullptr;
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return true;
}

}  // namespace okrbot
