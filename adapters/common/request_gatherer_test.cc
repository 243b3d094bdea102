#include "adapters/common/request_gatherer.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace okrbot {
namespace {

using Verdict = RequestAssembly::Verdict;
using std::chrono::milliseconds;

// Feeds `bytes` one at a time and returns the verdict after each.
std::vector<Verdict> FeedByteByByte(const std::string& bytes, size_t body_limit = 1000) {
  RequestAssembly assembly(body_limit);
  std::string received;
  std::vector<Verdict> verdicts;
  for (char c : bytes) {
    received.push_back(c);
    verdicts.push_back(assembly.Update(received));
  }
  return verdicts;
}

// The index of the first verdict that is not kNeedMore, or -1.
int FirstDecision(const std::vector<Verdict>& verdicts) {
  for (size_t i = 0; i < verdicts.size(); ++i) {
    if (verdicts[i] != Verdict::kNeedMore) return static_cast<int>(i);
  }
  return -1;
}

TEST(RequestAssemblyTest, ARequestIsReadyExactlyWhenItsLastByteArrives) {
  for (std::string request :
       {std::string("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"),
        std::string("POST /e HTTP/1.1\r\nHost: x\r\ncontent-LENGTH:  5 \r\n\r\nhello"),
        std::string("POST /e HTTP/1.1\r\nContent-Length: 0\r\n\r\n"),
        std::string(
            "POST /e HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")}) {
    auto verdicts = FeedByteByByte(request);
    EXPECT_EQ(FirstDecision(verdicts), static_cast<int>(request.size()) - 1) << request;
    EXPECT_EQ(verdicts.back(), Verdict::kReady) << request;
  }
}

TEST(RequestAssemblyTest, WhatTheWorkerRefusesWithoutABodyIsHandedOverWithTheHead) {
  const std::string body = "0\r\n\r\nGET /secret HTTP/1.1\r\n\r\n";
  for (std::string framing :
       {std::string("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"),
        std::string("Content-Length: 5\r\nContent-Length: 5\r\n"),
        std::string("Content-Length: +5\r\n"), std::string("Transfer-Encoding: gzip\r\n"),
        std::string("")}) {  // a POST without a length: 411
    std::string head = "POST /e HTTP/1.1\r\nHost: x\r\n" + framing + "\r\n";
    auto verdicts = FeedByteByByte(head + body);
    EXPECT_EQ(FirstDecision(verdicts), static_cast<int>(head.size()) - 1) << framing;
    EXPECT_EQ(verdicts[head.size() - 1], Verdict::kReady) << framing;
  }
}

TEST(RequestAssemblyTest, ABodyOverTheLimitIsRefusedHereWhetherDeclaredOrChunked) {
  const std::string declared = "POST /e HTTP/1.1\r\nContent-Length: 1001\r\n\r\n";
  auto verdicts = FeedByteByByte(declared + "x");
  EXPECT_EQ(FirstDecision(verdicts), static_cast<int>(declared.size()) - 1);
  EXPECT_EQ(verdicts[declared.size() - 1], Verdict::kBodyTooLarge);

  RequestAssembly assembly(1000);
  std::string chunked = "POST /e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  Verdict verdict = Verdict::kNeedMore;
  while (verdict == Verdict::kNeedMore && chunked.size() < 200000) {
    chunked += "3e8\r\n" + std::string(1000, 'c') + "\r\n";
    verdict = assembly.Update(chunked);
  }
  EXPECT_EQ(verdict, Verdict::kBodyTooLarge);
}

TEST(RequestAssemblyTest, AnExpectHeaderChangesNothing) {
  const std::string request =
      "POST /e HTTP/1.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello";
  auto verdicts = FeedByteByByte(request);
  EXPECT_EQ(FirstDecision(verdicts), static_cast<int>(request.size()) - 1)
      << "the body is gathered, so a client holding it back holds no worker";
}

TEST(RequestAssemblyTest, AMalformedChunkedBodyIsHandedOverWhereItBreaks) {
  const std::string head = "POST /e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  auto verdicts = FeedByteByByte(head + "3\r\nabcdef\r\n0\r\n\r\n");
  EXPECT_EQ(FirstDecision(verdicts), static_cast<int>(head.size() + 5 + 1));  // at the 'd'
  EXPECT_EQ(verdicts.back(), Verdict::kReady);
}

TEST(RequestAssemblyTest, AHeadThatNeverEndsIsTooLarge) {
  RequestAssembly assembly(1000);
  std::string received = "GET / HTTP/1.1\r\n";
  while (received.size() <= RequestAssembly::kMaxHead) {
    received += "X-Padding: " + std::string(100, 'p') + "\r\n";
    if (received.size() <= RequestAssembly::kMaxHead) {
      ASSERT_EQ(assembly.Update(received), Verdict::kNeedMore);
    }
  }
  EXPECT_EQ(assembly.Update(received), Verdict::kHeadTooLarge);
}

TEST(RequestAssemblyTest, ResetStartsOverForThePipelinedNextRequest) {
  RequestAssembly assembly(1000);
  EXPECT_EQ(assembly.Update("POST /e HTTP/1.1\r\nContent-Length: 100\r\n\r\n"), Verdict::kNeedMore);
  assembly.Reset();
  EXPECT_EQ(assembly.Update("GET / HTTP/1.1\r\n\r\n"), Verdict::kReady);
}

// A gatherer whose "workers" just record what was handed over.
class RequestGathererTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GatherLimits limits;
    limits.request_deadline = milliseconds(600);
    limits.keep_alive_idle = milliseconds(400);
    limits.body_limit = 1000;
    gatherer_ = std::make_unique<RequestGatherer>(
        limits, [this](std::unique_ptr<GatheredConnection> connection) {
          std::lock_guard<std::mutex> lock(mu_);
          served_.push_back(std::move(connection));
          cv_.notify_all();
        });
  }
  void TearDown() override {
    gatherer_->Stop();
    for (auto& connection : served_) ::close(connection->fd);
  }

  // Returns the client end; the server end is adopted by the gatherer.
  int Connect() {
    int ends[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, ends), 0);
    gatherer_->Adopt(ends[1]);
    return ends[0];
  }
  std::unique_ptr<GatheredConnection> WaitServed(milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, timeout, [this] { return !served_.empty(); })) return nullptr;
    auto connection = std::move(served_.front());
    served_.erase(served_.begin());
    return connection;
  }
  // True when the peer closed `fd` within `timeout`.
  static bool ClosedWithin(int fd, milliseconds timeout) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
    char byte;
    return ::recv(fd, &byte, 1, MSG_DONTWAIT) == 0;
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<GatheredConnection>> served_;
  std::unique_ptr<RequestGatherer> gatherer_;
};

TEST_F(RequestGathererTest, AWorkerSeesTheConnectionOnlyOnceTheRequestIsWhole) {
  int client = Connect();
  const std::string request = "POST /e HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello";
  ASSERT_EQ(::write(client, request.data(), request.size() - 2), request.size() - 2);
  EXPECT_EQ(WaitServed(milliseconds(200)), nullptr);
  ASSERT_EQ(::write(client, "lo", 2), 2);
  auto served = WaitServed(milliseconds(2000));
  ASSERT_NE(served, nullptr);
  EXPECT_EQ(served->received, request);
  EXPECT_EQ(gatherer_->WaitingForTesting(), 0u);
  ::close(client);
}

TEST_F(RequestGathererTest, AReturnedConnectionWaitsForItsNextRequest) {
  int client = Connect();
  ASSERT_EQ(::write(client, "GET / HTTP/1.1\r\n\r\nGET /b HT", 27), 27);
  auto served = WaitServed(milliseconds(2000));
  ASSERT_NE(served, nullptr);
  served->received = "GET /b HT";  // what the worker read past its request
  gatherer_->Return(std::move(served));
  EXPECT_EQ(WaitServed(milliseconds(200)), nullptr);
  ASSERT_EQ(::write(client, "TP/1.1\r\n\r\n", 10), 10);
  served = WaitServed(milliseconds(2000));
  ASSERT_NE(served, nullptr);
  EXPECT_EQ(served->received, "GET /b HTTP/1.1\r\n\r\n");
  ::close(client);
}

TEST_F(RequestGathererTest, IdleAndTricklingConnectionsAreClosedAtTheirDeadlines) {
  int idle = Connect();
  int trickling = Connect();
  const std::string request = "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n";
  auto start = std::chrono::steady_clock::now();
  bool trickling_closed = false;
  for (char c : request) {
    if (::send(trickling, &c, 1, MSG_NOSIGNAL) != 1 || ClosedWithin(trickling, milliseconds(100))) {
      trickling_closed = true;
      break;
    }
  }
  EXPECT_TRUE(trickling_closed);
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1500));
  EXPECT_TRUE(ClosedWithin(idle, milliseconds(1000)));
  EXPECT_EQ(WaitServed(milliseconds(50)), nullptr);
  ::close(idle);
  ::close(trickling);
}

TEST_F(RequestGathererTest, AnOversizedHeadIsAnswered431) {
  int client = Connect();
  std::string head = "GET / HTTP/1.1\r\nX-Big: " + std::string(70 * 1024, 'b');
  std::thread writer([&] { (void)::send(client, head.data(), head.size(), MSG_NOSIGNAL); });
  std::string answer;
  char buffer[512];
  pollfd p{client, POLLIN, 0};
  while (::poll(&p, 1, 2000) > 0) {
    ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    answer.append(buffer, static_cast<size_t>(n));
  }
  writer.join();
  EXPECT_EQ(answer.rfind("HTTP/1.1 431", 0), 0u) << answer;
  EXPECT_EQ(WaitServed(milliseconds(50)), nullptr);
  ::close(client);
}

TEST_F(RequestGathererTest, StopClosesWaitingConnectionsAndLaterReturns) {
  int waiting = Connect();
  int busy = Connect();
  ASSERT_EQ(::write(busy, "GET / HTTP/1.1\r\n\r\n", 18), 18);
  auto served = WaitServed(milliseconds(2000));
  ASSERT_NE(served, nullptr);
  gatherer_->Stop();
  EXPECT_TRUE(ClosedWithin(waiting, milliseconds(500)));
  served->received.clear();
  gatherer_->Return(std::move(served));
  EXPECT_TRUE(ClosedWithin(busy, milliseconds(500)));
  ::close(waiting);
  ::close(busy);
}

}  // namespace
}  // namespace okrbot
