#include "adapters/common/request_gatherer.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "core/text_util.h"

namespace okrbot {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kSweepInterval(100);

// Answers a request refused for its size (431 or 413); the caller closes the connection. Best
// effort: the answer is small, and a client that does not read it loses nothing else.
void RefuseTooLarge(int fd, RequestAssembly::Verdict verdict) {
  static constexpr std::string_view kHead =
      "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain\r\n"
      "Content-Length: 27\r\nConnection: close\r\n\r\nrequest head is too large.\n";
  static constexpr std::string_view kBody =
      "HTTP/1.1 413 Payload Too Large\r\nContent-Type: text/plain\r\n"
      "Content-Length: 23\r\nConnection: close\r\n\r\nrequest body too large\n";
  std::string_view answer = verdict == RequestAssembly::Verdict::kHeadTooLarge ? kHead : kBody;
  (void)::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

}  // namespace

RequestAssembly::Verdict RequestAssembly::Update(const std::string& received) {
  if (!head_end_) {
    Verdict verdict = ReadHead(received);
    if (verdict != Verdict::kNeedMore || !head_end_) return verdict;
  }
  const size_t body_received = received.size() - *head_end_;
  if (chunked_) {
    chunked_->Feed(received.data() + *head_end_ + chunked_fed_, body_received - chunked_fed_);
    chunked_fed_ = body_received;
    // Broken: the worker reads as far as it can and answers 400.
    if (chunked_->done() || chunked_->broken()) return Verdict::kReady;
    // The chunk framing around `body_limit` bytes of data is far smaller than kMaxHead.
    if (chunked_fed_ > body_limit_ + kMaxHead) return Verdict::kBodyTooLarge;
    return Verdict::kNeedMore;
  }
  return body_received >= content_length_ ? Verdict::kReady : Verdict::kNeedMore;
}

RequestAssembly::Verdict RequestAssembly::ReadHead(const std::string& received) {
  const size_t from = scanned_ >= 3 ? scanned_ - 3 : 0;
  const size_t end = received.find("\r\n\r\n", from);
  if (end == std::string::npos) {
    scanned_ = received.size();
    return received.size() > kMaxHead ? Verdict::kHeadTooLarge : Verdict::kNeedMore;
  }
  if (end + 4 > kMaxHead) return Verdict::kHeadTooLarge;
  head_end_ = end + 4;

  // Only what decides where the request ends; cpp-httplib parses the head again for real.
  int lengths = 0;
  int encodings = 0;
  std::string length_value;
  std::string encoding_value;
  std::string_view head(received.data(), end);
  size_t line_start = head.find("\r\n");  // skip the request line
  while (line_start != std::string_view::npos) {
    line_start += 2;
    size_t line_end = head.find("\r\n", line_start);
    std::string_view line =
        head.substr(line_start, line_end == std::string_view::npos ? std::string_view::npos
                                                                   : line_end - line_start);
    line_start = line_end;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = line.substr(0, colon);
    if (EqualsIgnoringAsciiCase(name, "content-length")) {
      ++lengths;
      length_value = Trim(line.substr(colon + 1));
    } else if (EqualsIgnoringAsciiCase(name, "transfer-encoding")) {
      ++encodings;
      encoding_value = Trim(line.substr(colon + 1));
    }
  }
  // Whatever the worker answers without reading a body goes to it now.
  // ("Expect: 100-continue" needs nothing special: the body is gathered like any other, and the
  // client sends it after a short wait even without the interim answer.)
  if (lengths > 1 || encodings > 1 || (lengths > 0 && encodings > 0)) {
    return Verdict::kReady;
  }
  if (encodings == 1) {
    if (!EqualsIgnoringAsciiCase(encoding_value, "chunked")) return Verdict::kReady;
    chunked_.emplace();
    return Verdict::kNeedMore;
  }
  if (lengths == 1) {
    if (!ParsePlainDecimal(length_value, &content_length_)) return Verdict::kReady;
    if (content_length_ > body_limit_) return Verdict::kBodyTooLarge;
  }
  return Verdict::kNeedMore;  // Update() checks the body
}

void RequestAssembly::Reset() {
  scanned_ = 0;
  head_end_.reset();
  content_length_ = 0;
  chunked_.reset();
  chunked_fed_ = 0;
}

RequestGatherer::RequestGatherer(GatherLimits limits, Serve serve)
    : limits_(limits), serve_(std::move(serve)) {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (epoll_fd_ < 0 || wake_fd_ < 0) std::abort();
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = wake_fd_;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &event) != 0) std::abort();
  next_sweep_ = SteadyClock::now() + kSweepInterval;
  thread_ = std::thread([this] { Run(); });
}

RequestGatherer::~RequestGatherer() {
  Stop();
  ::close(wake_fd_);
  ::close(epoll_fd_);
}

void RequestGatherer::Adopt(int fd) {
  auto connection = std::make_unique<GatheredConnection>(fd, limits_.body_limit);
  connection->deadline = SteadyClock::now() + limits_.keep_alive_idle;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopped_) {
      incoming_.emplace_back(std::move(connection), true);
      connection = nullptr;
    }
  }
  if (connection != nullptr) {
    ::close(fd);
    return;
  }
  uint64_t one = 1;
  (void)::write(wake_fd_, &one, sizeof one);
}

void RequestGatherer::Return(std::unique_ptr<GatheredConnection> connection) {
  connection->assembly.Reset();
  connection->request_started = !connection->received.empty();
  connection->deadline =
      SteadyClock::now() +
      (connection->request_started ? limits_.request_deadline : limits_.keep_alive_idle);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopped_) {
      incoming_.emplace_back(std::move(connection), false);
    }
  }
  if (connection != nullptr) {
    ::close(connection->fd);
    return;
  }
  uint64_t one = 1;
  (void)::write(wake_fd_, &one, sizeof one);
}

void RequestGatherer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  uint64_t one = 1;
  (void)::write(wake_fd_, &one, sizeof one);
  if (thread_.joinable()) thread_.join();
}

size_t RequestGatherer::WaitingForTesting() { return waiting_count_.load(); }

void RequestGatherer::Run() {
  epoll_event events[64];
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopped_) break;
    }
    int count = ::epoll_wait(epoll_fd_, events, 64, static_cast<int>(kSweepInterval.count()));
    for (int i = 0; i < count; ++i) {
      if (events[i].data.fd == wake_fd_) {
        uint64_t ignored;
        (void)::read(wake_fd_, &ignored, sizeof ignored);
        TakeIncoming();
      } else {
        OnReadable(events[i].data.fd);
      }
    }
    if (SteadyClock::now() >= next_sweep_) CloseExpired();
  }
  // Stopping: nothing waiting here will be served.
  std::vector<std::pair<std::unique_ptr<GatheredConnection>, bool>> incoming;
  {
    std::lock_guard<std::mutex> lock(mu_);
    incoming.swap(incoming_);
  }
  for (auto& entry : incoming) ::close(entry.first->fd);
  for (auto& entry : waiting_) ::close(entry.first);
  waiting_.clear();
  buffered_bytes_ = 0;
  waiting_count_ = 0;
}

void RequestGatherer::TakeIncoming() {
  std::vector<std::pair<std::unique_ptr<GatheredConnection>, bool>> incoming;
  {
    std::lock_guard<std::mutex> lock(mu_);
    incoming.swap(incoming_);
  }
  for (auto& [connection, is_new] : incoming) Watch(std::move(connection), is_new);
}

void RequestGatherer::Watch(std::unique_ptr<GatheredConnection> connection, bool is_new) {
  const int fd = connection->fd;
  if (is_new && waiting_.size() >= limits_.max_connections) {
    ::close(fd);  // past the cap: the client sees the connection closed and may retry
    return;
  }
  if (!connection->received.empty()) {  // a pipelined request, perhaps already whole
    const RequestAssembly::Verdict verdict = connection->assembly.Update(connection->received);
    switch (verdict) {
      case RequestAssembly::Verdict::kReady:
        serve_(std::move(connection));
        return;
      case RequestAssembly::Verdict::kHeadTooLarge:
      case RequestAssembly::Verdict::kBodyTooLarge:
        RefuseTooLarge(fd, verdict);
        ::close(fd);
        return;
      case RequestAssembly::Verdict::kNeedMore:
        break;
    }
  }
  epoll_event event{};
  event.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
  event.data.fd = fd;
  // A returned connection is still registered (one-shot, disarmed): re-arm it.
  int rc = ::epoll_ctl(epoll_fd_, is_new ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &event);
  if (rc != 0 && !is_new && errno == ENOENT) rc = ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event);
  if (rc != 0) {
    ::close(fd);
    return;
  }
  buffered_bytes_ += connection->received.size();
  waiting_[fd] = std::move(connection);
  waiting_count_ = waiting_.size();
}

void RequestGatherer::OnReadable(int fd) {
  auto found = waiting_.find(fd);
  if (found == waiting_.end()) return;
  GatheredConnection& connection = *found->second;
  RequestAssembly::Verdict verdict = RequestAssembly::Verdict::kNeedMore;
  while (verdict == RequestAssembly::Verdict::kNeedMore) {
    char chunk[16384];
    ssize_t n = ::recv(fd, chunk, sizeof chunk, MSG_DONTWAIT);
    if (n > 0) {
      if (!connection.request_started) {
        connection.request_started = true;
        connection.deadline = SteadyClock::now() + limits_.request_deadline;
      }
      if (buffered_bytes_ + static_cast<size_t>(n) > limits_.buffer_budget) {
        Close(fd);  // too much is arriving at once; this connection yields
        return;
      }
      buffered_bytes_ += static_cast<size_t>(n);
      connection.received.append(chunk, static_cast<size_t>(n));
      verdict = connection.assembly.Update(connection.received);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      epoll_event event{};
      event.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
      event.data.fd = fd;
      if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &event) != 0) Close(fd);
      return;
    }
    Close(fd);  // the peer left, or the socket failed
    return;
  }
  if (verdict == RequestAssembly::Verdict::kHeadTooLarge ||
      verdict == RequestAssembly::Verdict::kBodyTooLarge) {
    RefuseTooLarge(fd, verdict);
    Close(fd);
    return;
  }
  std::unique_ptr<GatheredConnection> ready = std::move(found->second);
  buffered_bytes_ -= ready->received.size();
  waiting_.erase(found);
  waiting_count_ = waiting_.size();
  serve_(std::move(ready));
}

void RequestGatherer::CloseExpired() {
  const auto now = SteadyClock::now();
  next_sweep_ = now + kSweepInterval;
  std::vector<int> expired;
  for (const auto& [fd, connection] : waiting_) {
    if (connection->deadline <= now) expired.push_back(fd);
  }
  for (int fd : expired) Close(fd);
}

void RequestGatherer::Close(int fd) {
  auto found = waiting_.find(fd);
  if (found != waiting_.end()) {
    buffered_bytes_ -= found->second->received.size();
    waiting_.erase(found);
  }
  waiting_count_ = waiting_.size();
  ::shutdown(fd, SHUT_RDWR);
  ::close(fd);
}

}  // namespace okrbot
