#include "tests/silent_listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

namespace okrbot::testing {

namespace {

// A socket bound to a free loopback port; listening when `listen` is true.
int BindLoopback(bool listen, int* port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      (listen && ::listen(fd, 128) != 0) ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    std::abort();
  }
  *port = ntohs(address.sin_port);
  return fd;
}

}  // namespace

SilentListener::SilentListener() { fd_ = BindLoopback(/*listen=*/true, &port_); }

SilentListener::~SilentListener() { ::close(fd_); }

RefusingPort::RefusingPort() { fd_ = BindLoopback(/*listen=*/false, &port_); }

RefusingPort::~RefusingPort() { ::close(fd_); }

}  // namespace okrbot::testing
