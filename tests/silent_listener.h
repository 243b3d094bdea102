// SilentListener: a TCP port on 127.0.0.1 that takes connections (into the kernel's backlog)
// and never answers, which is what a hung platform looks like to a client: connecting works,
// then the read times out. RefusingPort holds a port bound but not listening, so connecting
// is refused for as long as it lives (and no other test can take the port meanwhile). For
// outage tests.
//
// Thread-safety: port() may be read from any thread.
#pragma once

namespace okrbot::testing {

class SilentListener {
 public:
  // Aborts the test process when no port can be bound.
  SilentListener();
  ~SilentListener();
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;

  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

class RefusingPort {
 public:
  // Aborts the test process when no port can be bound.
  RefusingPort();
  ~RefusingPort();
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;

  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace okrbot::testing
