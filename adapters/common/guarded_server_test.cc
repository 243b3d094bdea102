#include "adapters/common/guarded_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "adapters/common/http_server.h"
#include "core/metrics.h"

namespace okrbot {
namespace {

using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

// A raw TCP client, so tests can send exactly the bytes an attacker would.
class RawClient {
 public:
  explicit RawClient(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~RawClient() { ::close(fd_); }
  bool connected() const { return connected_; }
  bool Send(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  // Everything received until the server closes the connection or `timeout` passes.
  std::string ReadUntilClosed(milliseconds timeout, bool* closed = nullptr) {
    std::string all;
    auto deadline = SteadyClock::now() + timeout;
    while (true) {
      auto left = std::chrono::duration_cast<milliseconds>(deadline - SteadyClock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buffer[4096];
      ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) {
        if (closed != nullptr) *closed = true;
        return all;
      }
      all.append(buffer, static_cast<size_t>(n));
    }
    if (closed != nullptr) *closed = false;
    return all;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

int CountAnswers(const std::string& text) {
  int count = 0;
  for (size_t at = text.find("HTTP/1.1 "); at != std::string::npos;
       at = text.find("HTTP/1.1 ", at + 1)) {
    ++count;
  }
  return count;
}

class GuardedServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.threads = 8;
    options.read_timeout_seconds = 1;
    options.keep_alive_timeout_seconds = 1;
    server_ = std::make_unique<HttpServer>(options, &metrics_);
    server_->Post("/echo", [this](const httplib::Request&, const std::string& body,
                                  httplib::Response& response) {
      handled_ += 1;
      response.set_content("got:" + body, "text/plain");
    });
    server_->Get("/secret", [this](const httplib::Request&, httplib::Response& response) {
      handled_ += 1;
      response.set_content("secret", "text/plain");
    });
    ASSERT_TRUE(server_->Bind());
    thread_ = std::thread([this] { server_->Run(); });
    while (!server_->IsRunning()) std::this_thread::sleep_for(milliseconds(1));
  }
  void TearDown() override {
    server_->Stop();
    thread_.join();
  }
  int port() const { return server_->port(); }

  Metrics metrics_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  std::atomic<int> handled_{0};
};

TEST_F(GuardedServerTest, AnOrdinaryRequestAndAChunkedOneAreServedOnOneConnection) {
  RawClient client(port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(
      client.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                  "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
                  "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n"
                  "A;note=\"x\"\r\n0123456789\r\n0\r\n\r\n"));
  std::string answers = client.ReadUntilClosed(milliseconds(500));
  EXPECT_EQ(CountAnswers(answers), 3) << answers;
  EXPECT_NE(answers.find("got:hello"), std::string::npos) << answers;
  EXPECT_NE(answers.find("got:abcde"), std::string::npos) << answers;
  EXPECT_NE(answers.find("got:0123456789"), std::string::npos) << answers;
}

TEST_F(GuardedServerTest, AmbiguousFramingIsRefusedAndTheConnectionClosed) {
  const char* smuggled_tail = "GET /secret HTTP/1.1\r\nHost: x\r\n\r\n";
  for (std::string framing :
       {std::string("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"),
        std::string("Transfer-Encoding: chunked\r\nContent-Length: 40\r\n"),
        std::string("Content-Length: 5\r\nContent-Length: 6\r\n"),
        std::string("Content-Length: 5\r\nContent-Length: 5\r\n"),
        std::string("Content-Length: +5\r\n"), std::string("Content-Length: 0x5\r\n"),
        std::string("Transfer-Encoding: gzip, chunked\r\n"),
        std::string("Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n"),
        std::string("Transfer-Encoding: xchunked\r\n")}) {
    RawClient client(port());
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(client.Send("POST /echo HTTP/1.1\r\nHost: x\r\n" + framing + "\r\n0\r\n\r\n" +
                            smuggled_tail));
    bool closed = false;
    std::string answers = client.ReadUntilClosed(milliseconds(2000), &closed);
    EXPECT_EQ(answers.rfind("HTTP/1.1 400", 0), 0u) << framing << answers;
    EXPECT_EQ(CountAnswers(answers), 1) << framing << answers;  // the tail was not served
    EXPECT_TRUE(closed) << framing;
  }
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(GuardedServerTest, ATooLargeBodyIsRefusedAndWhatFollowsIsNotServed) {
  RawClient client(port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(
      client.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n"
                  "GET /secret HTTP/1.1\r\nHost: x\r\n\r\n"));
  bool closed = false;
  std::string answers = client.ReadUntilClosed(milliseconds(3000), &closed);
  EXPECT_EQ(answers.rfind("HTTP/1.1 413", 0), 0u) << answers;
  EXPECT_EQ(CountAnswers(answers), 1) << answers;
  EXPECT_TRUE(closed);
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(GuardedServerTest, InvalidChunkingIsRefused) {
  // The last case is a smuggling attempt: a proxy that reads "3\r\nabc" and then sees the
  // GET as a second request must not find okrbot answering it.
  for (std::string body :
       {std::string("zz\r\nabc\r\n0\r\n\r\n"), std::string("3\r\nabcdef\r\n0\r\n\r\n"),
        std::string("-1\r\nabc\r\n0\r\n\r\n"), std::string("3\r\nabc\n0\r\n\r\n"),
        std::string("3\nabc\r\n0\r\n\r\n"), std::string("1000000000000000\r\nabc\r\n"),
        std::string("3\r\nabc\r\n0\r\n\n"), std::string("\r\n3\r\nabc\r\n0\r\n\r\n"),
        std::string("3\r\nabcXGET /secret HTTP/1.1\r\nHost: x\r\n\r\n"),
        // Trailer fields are well-formed but cpp-httplib 0.11.4 does not read them: refused.
        std::string("3\r\nabc\r\n0\r\nX-Checksum: 1\r\n\r\n")}) {
    RawClient client(port());
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(
        client.Send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + body));
    bool closed = false;
    std::string answers = client.ReadUntilClosed(milliseconds(3000), &closed);
    EXPECT_EQ(answers.rfind("HTTP/1.1 400", 0), 0u) << body << answers;
    EXPECT_TRUE(closed);
  }
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(GuardedServerTest, APostWithoutALengthIsAnswered411AtOnceAndClosed) {
  RawClient client(port());
  ASSERT_TRUE(client.connected());
  // cpp-httplib alone would read this body until the client closes: a worker held for 5 s.
  ASSERT_TRUE(client.Send("POST /echo HTTP/1.1\r\nHost: x\r\n\r\nhello"));
  bool closed = false;
  auto start = SteadyClock::now();
  std::string answers = client.ReadUntilClosed(milliseconds(3000), &closed);
  EXPECT_EQ(answers.rfind("HTTP/1.1 411", 0), 0u) << answers;
  EXPECT_TRUE(closed);
  EXPECT_LT(SteadyClock::now() - start, milliseconds(500));
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(GuardedServerTest, ABodyOnAGetIsRefusedSoItIsNeverServedAsASecondRequest) {
  // A proxy reads one GET with a 33-byte body; cpp-httplib would read two GETs.
  const std::string hidden = "GET /secret HTTP/1.1\r\nHost: x\r\n\r\n";
  for (std::string framing : {"Content-Length: " + std::to_string(hidden.size()) + "\r\n",
                              std::string("Transfer-Encoding: chunked\r\n")}) {
    std::string body =
        framing.rfind("Content", 0) == 0 ? hidden : "21\r\n" + hidden + "\r\n0\r\n\r\n";
    RawClient client(port());
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(client.Send("GET /secret HTTP/1.1\r\nHost: x\r\n" + framing + "\r\n" + body));
    bool closed = false;
    std::string answers = client.ReadUntilClosed(milliseconds(2000), &closed);
    EXPECT_EQ(answers.rfind("HTTP/1.1 400", 0), 0u) << framing << answers;
    EXPECT_EQ(CountAnswers(answers), 1) << answers;
    EXPECT_TRUE(closed);
  }
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(GuardedServerTest, AnOversizedBodyIsRefusedOnEveryPathBeforeItIsRead) {
  for (const char* path : {"/echo", "/no-such-route"}) {
    RawClient client(port());
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(client.Send(std::string("POST ") + path +
                            " HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\nabc"));
    bool closed = false;
    auto start = SteadyClock::now();
    std::string answers = client.ReadUntilClosed(milliseconds(3000), &closed);
    EXPECT_EQ(answers.rfind("HTTP/1.1 413", 0), 0u) << path << answers;
    EXPECT_TRUE(closed) << path;
    EXPECT_LT(SteadyClock::now() - start, milliseconds(500)) << path;
  }
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(GuardedServerTest, ARequestWithExpectContinueIsServed) {
  RawClient client(port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"
      "hello"));
  std::string answers = client.ReadUntilClosed(milliseconds(500));
  EXPECT_NE(answers.find("got:hello"), std::string::npos) << answers;
}

TEST_F(GuardedServerTest, AClientSendingAByteAtATimeIsCutOffAtTheRequestDeadline) {
  RawClient client(port());
  ASSERT_TRUE(client.connected());
  const std::string request = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";
  auto start = SteadyClock::now();
  bool cut_off = false;
  for (char c : request) {
    if (!client.Send(std::string(1, c))) {
      cut_off = true;
      break;
    }
    bool closed = false;
    client.ReadUntilClosed(milliseconds(150), &closed);  // a byte every 150 ms
    if (closed) {
      cut_off = true;
      break;
    }
  }
  auto elapsed = SteadyClock::now() - start;
  EXPECT_TRUE(cut_off);
  EXPECT_LT(elapsed, std::chrono::milliseconds(2500));  // deadline 1 s, plus slack
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(GuardedServerTest, AnIdleKeepAliveConnectionIsClosed) {
  RawClient client(port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\na"));
  bool closed = false;
  std::string answers = client.ReadUntilClosed(milliseconds(3000), &closed);
  EXPECT_EQ(CountAnswers(answers), 1);
  EXPECT_TRUE(closed);  // after the 1 s keep-alive idle time
}

TEST_F(GuardedServerTest, AConnectionThatNeverSendsIsClosed) {
  RawClient client(port());
  ASSERT_TRUE(client.connected());
  bool closed = false;
  std::string answers = client.ReadUntilClosed(milliseconds(3000), &closed);
  EXPECT_TRUE(answers.empty());
  EXPECT_TRUE(closed);
}

}  // namespace
}  // namespace okrbot

namespace okrbot {
namespace {

TEST(GuardedServerStopTest, StopDoesNotWaitOutIdleKeepAliveConnections) {
  Metrics metrics;
  HttpServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.threads = 4;
  options.keep_alive_timeout_seconds = 30;
  HttpServer server(options, &metrics);
  server.Post("/echo",
              [](const httplib::Request&, const std::string& body, httplib::Response& response) {
                response.set_content(body, "text/plain");
              });
  ASSERT_TRUE(server.Bind());
  std::thread thread([&] { server.Run(); });
  while (!server.IsRunning()) std::this_thread::sleep_for(milliseconds(1));
  RawClient client(server.port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"));
  ASSERT_EQ(CountAnswers(client.ReadUntilClosed(milliseconds(300))), 1);  // now idle, kept alive
  auto start = SteadyClock::now();
  server.Stop();
  thread.join();
  EXPECT_LT(SteadyClock::now() - start, std::chrono::seconds(2));
}

}  // namespace
}  // namespace okrbot
