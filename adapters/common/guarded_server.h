// GuardedServer: cpp-httplib's Server with connection handling okrbot controls, so that slow or
// malicious clients cannot hold a worker for long or smuggle requests past the routing.
//
// Contract:
// - Connections wait in a RequestGatherer (one epoll thread) until their next request has
//   arrived whole; only then does one of `worker_threads` workers parse and answer it. Idle,
//   slow or trickling clients (slow-loris) hold no worker, so they cannot delay others.
// - Between requests a keep-alive connection may stay idle for `keep_alive_idle`; then it is
//   closed. Stop() closes idle connections at once and lets requests in flight finish.
// - Once the first byte of a request has arrived, the whole request (line, headers and body)
//   must arrive within `request_deadline`; a client that trickles bytes (one a second,
//   slow-loris) is cut off then and gets no answer. A request head over 64 KiB gets 431.
// - Writing an answer may take `write_timeout` per write.
// - Framing that could be read two ways is refused with 400 before any handler runs: both
//   Content-Length and Transfer-Encoding, several Content-Length values, a Content-Length that
//   is not a plain decimal number, or a Transfer-Encoding other than "chunked". The connection
//   is closed after such an answer. A chunked body is checked byte by byte as it is read
//   (cpp-httplib alone accepts some malformed ones); a malformed one fails the read, and the
//   handler layer answers 400 and closes the connection (CloseConnectionAfterThisAnswer).
//   Chunked bodies with trailer fields are refused too (cpp-httplib 0.11.4 cannot read them).
// Thread-safety: as httplib::Server; the settings are fixed at construction.
#pragma once

#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <memory>

namespace okrbot {

class DeadlineStream;
class RequestGatherer;
struct GatheredConnection;

struct ConnectionLimits {
  std::chrono::milliseconds request_deadline{10000};
  std::chrono::milliseconds keep_alive_idle{5000};
  std::chrono::milliseconds write_timeout{5000};
  size_t keep_alive_max_requests = 10000;
  size_t worker_threads = 32;
  size_t body_limit = 1 << 20;  // bodies up to this are gathered before a worker is involved
};

// Called by a handler on a GuardedServer worker thread: close the connection once this answer
// is written (e.g. when the body was not read to its end, so what follows cannot be trusted to
// be the next request). cpp-httplib would otherwise keep the connection alive.
void CloseConnectionAfterThisAnswer();

class GuardedServer : public httplib::Server {
 public:
  explicit GuardedServer(ConnectionLimits limits);
  ~GuardedServer() override;

 private:
  // Called by cpp-httplib on the accept thread when listening starts.
  httplib::TaskQueue* StartServing();
  // On the accept thread: hands the new socket to the gatherer.
  bool process_and_close_socket(socket_t sock) override;
  // On a worker: answers the gathered request (and any whole pipelined ones after it).
  void ServeConnection(std::unique_ptr<GatheredConnection> connection);

  const ConnectionLimits limits_;
  std::unique_ptr<httplib::ThreadPool> workers_;
  std::unique_ptr<RequestGatherer> gatherer_;
};

}  // namespace okrbot
