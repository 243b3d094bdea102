// Slow-loris: 100 connections that trickle a request head or a body, or say nothing, hold no
// worker, so a normal client's signed commands are still answered within 1 s (issue 8).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include "adapters/slack/slack_signature.h"
#include "core/clock.h"
#include "tests/slack_standin.h"
#include "tests/test_util.h"

namespace okrbot::testing {
namespace {

using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

constexpr char kSigningSecret[] = "overload-test-signing-secret";

int ConnectNonBlocking(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  ::fcntl(fd, F_SETFL, O_NONBLOCK);
  return fd;
}

// True when the server has closed `fd` (EOF or reset).
bool ClosedByServer(int fd) {
  char byte;
  ssize_t n = ::recv(fd, &byte, 1, MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

// One slow client: the bytes it means to send, one every tick, never all of them.
struct SlowClient {
  int fd = -1;
  std::string bytes;
  size_t sent = 0;
};

TEST(OverloadTest, HundredSlowLorisConnectionsDoNotDelayASignedCommandBeyondOneSecond) {
  TempDir dir;
  SlackStandIn slack;
  const int port = FreeLoopbackPort();
  ChildGuard server(StartProcess(
      {OkrbotBinary(), "serve", "--listen", "127.0.0.1:" + std::to_string(port)},
      {"OKRBOT_DB=sqlite://" + dir.File("okrbot.db"),
       std::string("SLACK_SIGNING_SECRET=") + kSigningSecret, "SLACK_BOT_TOKEN=xoxb-overload",
       "SLACK_API_BASE=" + slack.ApiBase(), "OKRBOT_SCHEDULER=off", "OKRBOT_HTTP_THREADS=8"}));
  httplib::Client probe("127.0.0.1", port);
  auto ready_by = SteadyClock::now() + std::chrono::seconds(20);
  while (!probe.Get("/healthz")) {
    ASSERT_LT(SteadyClock::now(), ready_by) << "okrbot serve did not start";
    std::this_thread::sleep_for(milliseconds(20));
  }

  // 30 trickle a request head, 30 send a head and trickle a 2,000-byte body, 20 send a head
  // with "Expect: 100-continue" and hold the body back, 20 say nothing: with 8 workers, each
  // kind alone would have blocked every worker of a thread-per-connection server until the 5 s
  // request deadline.
  std::vector<SlowClient> slow;
  for (int i = 0; i < 100; ++i) {
    SlowClient client;
    client.fd = ConnectNonBlocking(port);
    ASSERT_GE(client.fd, 0) << "connection " << i;
    if (i < 30) {
      client.bytes =
          "POST /slack/commands HTTP/1.1\r\nHost: okrbot\r\nX-Slow: " + std::string(1000, 's') +
          "\r\n\r\n";
    } else if (i < 60) {
      client.bytes =
          "POST /slack/commands HTTP/1.1\r\nHost: okrbot\r\nContent-Length: 2000\r\n"
          "Content-Type: application/x-www-form-urlencoded\r\n\r\n" +
          std::string(2000, 'b');
    } else if (i < 80) {
      const std::string head =
          "POST /slack/commands HTTP/1.1\r\nHost: okrbot\r\nExpect: 100-continue\r\n"
          "Content-Length: 500\r\n\r\n";
      EXPECT_EQ(::send(client.fd, head.data(), head.size(), MSG_NOSIGNAL),
                static_cast<ssize_t>(head.size()));
    }
    slow.push_back(client);
  }
  // Stops and joins the trickler however the test ends (a failed ASSERT returns early).
  struct Trickler {
    std::atomic<bool> stop{false};
    std::thread thread;
    ~Trickler() {
      stop = true;
      if (thread.joinable()) thread.join();
    }
  } trickler;
  std::atomic<bool>& stop = trickler.stop;
  trickler.thread = std::thread([&] {
    while (!stop.load()) {
      for (SlowClient& client : slow) {
        if (client.bytes.empty()) continue;
        // The body senders send their head at once, then a byte a tick.
        size_t burst = client.sent == 0 && client.bytes.find("Content-Length") != std::string::npos
                           ? client.bytes.find("\r\n\r\n") + 4
                           : 1;
        if (::send(client.fd, client.bytes.data() + client.sent, burst, MSG_NOSIGNAL) > 0) {
          client.sent += burst;
        }
      }
      std::this_thread::sleep_for(milliseconds(100));
    }
  });
  std::this_thread::sleep_for(milliseconds(300));  // every slow client has started

  SystemClock clock;
  SlackSignatureVerifier signer(kSigningSecret, &clock);
  const auto measuring_started = SteadyClock::now();
  // The first command also creates the workspace and the person (fsynced writes, slow under
  // sanitizers on a busy machine): it must be answered, but is not timed.
  for (int i = -1; i < 10; ++i) {
    httplib::Client client("127.0.0.1", port);
    client.set_read_timeout(5, 0);
    std::string body =
        "team_id=TLORIS&team_domain=loris&user_id=UNORMAL&user_name=normal&command=%2Fokr"
        "&text=help&response_url=http%3A%2F%2F127.0.0.1%3A1%2Fr&trigger_id=t" +
        std::to_string(i + 1);
    std::string timestamp = std::to_string(std::time(nullptr));
    auto start = SteadyClock::now();
    auto answer = client.Post("/slack/commands",
                              {{"X-Slack-Request-Timestamp", timestamp},
                               {"X-Slack-Signature", signer.Sign(timestamp, body)}},
                              body, "application/x-www-form-urlencoded");
    auto elapsed = std::chrono::duration_cast<milliseconds>(SteadyClock::now() - start);
    ASSERT_TRUE(answer) << "command " << i << " got no answer";
    EXPECT_EQ(answer->status, 200) << answer->body;
    EXPECT_NE(answer->body.find("/okr"), std::string::npos) << answer->body;
    if (i >= 0) {
      EXPECT_LT(elapsed, milliseconds(1000)) << "command " << i;
    }
  }
  const auto measured_for = SteadyClock::now() - measuring_started;
  stop = true;
  trickler.thread.join();

  // The slow clients were still connected throughout, not cut off to make room (their 5 s
  // request deadline had not passed).
  ASSERT_LT(measured_for, std::chrono::seconds(4));
  int still_open = 0;
  for (SlowClient& client : slow) {
    if (!ClosedByServer(client.fd)) ++still_open;
    ::close(client.fd);
  }
  EXPECT_EQ(still_open, 100);
}

}  // namespace
}  // namespace okrbot::testing
