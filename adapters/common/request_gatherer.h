// RequestGatherer: waits, on one epoll thread, until a connection's next HTTP request has
// arrived whole (head and body), and only then hands the connection to a worker. Slow, idle
// or trickling clients (slow-loris) therefore hold a file descriptor and a few bytes each,
// never a worker thread, so they cannot delay anyone else's request.
//
// Contract:
// - Adopt(fd) takes ownership of a new connection's socket. Until its first request byte
//   arrives the connection may stay idle for `keep_alive_idle`; once one has, the whole
//   request must arrive within `request_deadline`. Past either, the socket is closed without
//   an answer (checked every 100 ms).
// - A request is whole when its head (up to the blank line) and its body (Content-Length
//   bytes, or a chunked body up to its last CRLF) have arrived. Requests the worker refuses
//   without reading a body are handed over as soon as the head is in (framing that could be
//   read two ways, a body-carrying method with neither header: GuardedServer answers 400 or
//   411), and a chunked body as soon as it is malformed. Here, and then closed: a head over
//   64 KiB gets 431; a body over `body_limit` (declared, or chunked past it) gets 413.
// - At most `max_connections` wait here, holding at most `buffer_budget` bytes in all; a
//   connection that would go past either is closed.
// - `serve` runs on the gatherer thread with the connection (socket, the bytes received so far,
//   and the request's deadline); it must not block: it hands the connection to a worker.
// - After answering, a worker gives a keep-alive connection back with Return(), with any bytes
//   it received past its request (pipelining).
// - Stop() closes every connection waiting here and makes Return() close instead; it does not
//   wait for connections that workers hold. Stop() is idempotent and also run on destruction.
// Thread-safety: Adopt, Return and Stop may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "adapters/common/chunked_validator.h"

namespace okrbot {

struct GatherLimits {
  std::chrono::milliseconds request_deadline{10000};
  std::chrono::milliseconds keep_alive_idle{5000};
  size_t body_limit = 1 << 20;
  size_t max_connections = 10000;
  size_t buffer_budget = 64 << 20;
};

// How far the bytes received on a connection are from one whole request. Looks only at the
// bytes added since the last call, so a request trickling in costs linear time.
class RequestAssembly {
 public:
  enum class Verdict {
    kNeedMore,      // wait for more bytes
    kReady,         // hand the connection to a worker
    kHeadTooLarge,  // answer 431 and close
    kBodyTooLarge,  // answer 413 and close
  };
  static constexpr size_t kMaxHead = 64 * 1024;

  explicit RequestAssembly(size_t body_limit) : body_limit_(body_limit) {}

  // `received` must extend what was passed before (since the last Reset()).
  Verdict Update(const std::string& received);
  // Starts over, for the next request on the connection.
  void Reset();

 private:
  Verdict ReadHead(const std::string& received);

  size_t body_limit_;
  size_t scanned_ = 0;  // bytes of the head searched for its end
  std::optional<size_t> head_end_;
  uint64_t content_length_ = 0;
  std::optional<ChunkedValidator> chunked_;
  size_t chunked_fed_ = 0;  // bytes after the head fed to chunked_
};

struct GatheredConnection {
  GatheredConnection(int socket, size_t body_limit) : fd(socket), assembly(body_limit) {}
  int fd;
  std::string received;  // bytes received and not yet served
  RequestAssembly assembly;
  bool request_started = false;
  std::chrono::steady_clock::time_point deadline;  // see the contract
  size_t served = 0;                               // requests answered on this connection
};

class RequestGatherer {
 public:
  using Serve = std::function<void(std::unique_ptr<GatheredConnection>)>;

  // Starts the gatherer thread. Aborts the process if epoll cannot be set up (out of fds at
  // start is a deployment error, not a request error).
  RequestGatherer(GatherLimits limits, Serve serve);
  ~RequestGatherer();
  RequestGatherer(const RequestGatherer&) = delete;
  RequestGatherer& operator=(const RequestGatherer&) = delete;

  void Adopt(int fd);
  // `connection->received` holds what the worker read past its request; the deadline is set
  // here.
  void Return(std::unique_ptr<GatheredConnection> connection);
  void Stop();

  // How many connections wait here now (for tests and metrics).
  size_t WaitingForTesting();

 private:
  void Run();
  void TakeIncoming();
  void Watch(std::unique_ptr<GatheredConnection> connection, bool is_new);
  void OnReadable(int fd);
  void CloseExpired();
  void Close(int fd);

  const GatherLimits limits_;
  const Serve serve_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;

  std::mutex mu_;  // guards incoming_, stopped_
  std::vector<std::pair<std::unique_ptr<GatheredConnection>, bool>> incoming_;  // (c, is new)
  bool stopped_ = false;

  // Owned by the gatherer thread.
  std::unordered_map<int, std::unique_ptr<GatheredConnection>> waiting_;
  std::chrono::steady_clock::time_point next_sweep_;
  std::atomic<size_t> waiting_count_{0};
  size_t buffered_bytes_ = 0;  // received bytes of the connections in waiting_

  std::thread thread_;
};

}  // namespace okrbot
