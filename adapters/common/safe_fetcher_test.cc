// SafeFetcher against loopback stand-ins only: refused addresses are refused before any
// connection (10.0.0.1 and [::1] are never dialled).
#include "adapters/common/safe_fetcher.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include "tests/silent_listener.h"

namespace okrbot {
namespace {

class SafeFetcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Get("/value.json", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(R"({"value": 42, "auth": ")" + req.get_header_value("Authorization") + "\"}",
                      "application/json");
    });
    server_.Get("/to-ipv6-loopback", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("http://[::1]/value.json");
    });
    server_.Get("/to-private", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("https://10.0.0.1/value.json");
    });
    server_.Get("/to-metadata", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("http://169.254.169.254/latest/meta-data/");
    });
    server_.Get("/relative", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("/value.json");
    });
    server_.Get("/loop",
                [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/loop"); });
    server_.Get("/missing",
                [](const httplib::Request&, httplib::Response& res) { res.status = 404; });
    server_.Get("/huge", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string((1 << 20) + 10, 'x'), "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
  }
  std::string Url(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  SafeFetcher Allowing(const std::string& allow) {
    SafeFetcherOptions options;
    options.allow = *SourceAllowList::Parse(allow);
    return SafeFetcher(options);
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

TEST_F(SafeFetcherTest, RefusesLoopbackUntilTheAllowListNamesIt) {
  auto refused = Allowing("").Fetch(Url("/value.json"), "");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  auto https = Allowing("").Fetch("https://127.0.0.1:" + std::to_string(port_) + "/x", "");
  ASSERT_FALSE(https.ok());
  EXPECT_NE(https.status().message().find("loopback"), std::string::npos)
      << https.status().message();
  EXPECT_NE(https.status().message().find("OKRBOT_SOURCES_ALLOW"), std::string::npos);

  auto fetched = Allowing("127.0.0.1").Fetch(Url("/value.json"), "Authorization: Bearer s3cret");
  ASSERT_TRUE(fetched.ok()) << fetched.status().message();
  EXPECT_NE(fetched->find("\"value\": 42"), std::string::npos);
  EXPECT_NE(fetched->find("Bearer s3cret"), std::string::npos) << "the header was sent";
  EXPECT_TRUE(Allowing("127.0.0.0/8").Fetch(Url("/value.json"), "").ok());
}

TEST_F(SafeFetcherTest, RefusesARedirectFromAnAllowedHostToARefusedAddress) {
  SafeFetcher fetcher = Allowing("127.0.0.1");
  for (const char* path : {"/to-ipv6-loopback", "/to-private", "/to-metadata"}) {
    auto fetched = fetcher.Fetch(Url(path), "Authorization: Bearer s3cret");
    ASSERT_FALSE(fetched.ok()) << path;
    EXPECT_EQ(fetched.status().code(), StatusCode::kPermissionDenied) << path;
    EXPECT_EQ(fetched.status().message().find("s3cret"), std::string::npos);
  }
  auto relative = fetcher.Fetch(Url("/relative"), "");
  ASSERT_TRUE(relative.ok()) << relative.status().message();
  auto loop = fetcher.Fetch(Url("/loop"), "");
  ASSERT_FALSE(loop.ok());
  EXPECT_NE(loop.status().message().find("more than 3"), std::string::npos);
}

TEST_F(SafeFetcherTest, ReportsHttpErrorsAndCapsTheBody) {
  SafeFetcher fetcher = Allowing("127.0.0.1");
  auto missing = fetcher.Fetch(Url("/missing"), "");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("HTTP 404"), std::string::npos);
  auto huge = fetcher.Fetch(Url("/huge"), "");
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.status().message().find("larger than 1024 KiB"), std::string::npos);
  EXPECT_FALSE(fetcher.Fetch("ftp://127.0.0.1/x", "").ok());
  EXPECT_FALSE(fetcher.Fetch("https://user:pw@example.com/x", "").ok());
  EXPECT_FALSE(fetcher.Fetch(Url("/value.json"), "no colon").ok());
}

TEST(SafeFetcherTimeoutTest, GivesUpOnASilentServerWithinTheTotalTimeout) {
  testing::SilentListener silent;
  SafeFetcherOptions options;
  options.allow = *SourceAllowList::Parse("127.0.0.1");
  options.timeout = std::chrono::milliseconds(400);
  SafeFetcher fetcher(options);
  auto started = std::chrono::steady_clock::now();
  auto fetched = fetcher.Fetch("http://127.0.0.1:" + std::to_string(silent.port()) + "/", "");
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(fetched.ok());
  EXPECT_EQ(fetched.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(fetched.status().message().find("took longer"), std::string::npos)
      << fetched.status().message();
  EXPECT_LT(took, std::chrono::seconds(3));
}

}  // namespace
}  // namespace okrbot
