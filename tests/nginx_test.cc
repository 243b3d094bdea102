// deploy/nginx.conf in front of `okrbot serve`, both real, on loopback: Debian's nginx with a
// throwaway certificate terminates TLS and passes signed Slack requests through unchanged, and
// refuses what must not reach okrbot (oversized bodies, operator endpoints, plain HTTP).
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "adapters/slack/slack_signature.h"
#include "core/clock.h"
#include "tests/slack_standin.h"
#include "tests/test_util.h"

#ifndef OKRBOT_SOURCE_DIR
#error "OKRBOT_SOURCE_DIR must name the source tree (set by CMake)"
#endif

namespace okrbot::testing {
namespace {

constexpr char kSigningSecret[] = "nginx-test-signing-secret";

void ReplaceAll(std::string* text, const std::string& from, const std::string& to) {
  for (size_t at = text->find(from); at != std::string::npos;
       at = text->find(from, at + to.size())) {
    text->replace(at, from.size(), to);
  }
}

bool WaitForPort(int port, std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    httplib::Client probe("127.0.0.1", port);
    probe.set_connection_timeout(0, 200000);
    if (probe.Get("/")) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

class NginxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    okrbot_port_ = FreeLoopbackPort();
    https_port_ = FreeLoopbackPort();
    http_port_ = FreeLoopbackPort();
    auto cert = RunProcess({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                            "-subj", "/CN=okrbot.test", "-days", "1", "-keyout",
                            dir_.File("key.pem"), "-out", dir_.File("cert.pem")},
                           "");
    ASSERT_EQ(cert.exit_code, 0) << cert.err;

    // The shipped file, with this test's ports, addresses and certificate.
    std::string site = ReadFile(std::string(OKRBOT_SOURCE_DIR) + "/deploy/nginx.conf");
    ReplaceAll(&site, "server 127.0.0.1:3000;",
               "server 127.0.0.1:" + std::to_string(okrbot_port_) + ";");
    ReplaceAll(&site, "    listen [::]:443 ssl http2;\n", "");
    ReplaceAll(&site, "    listen [::]:80;\n", "");
    ReplaceAll(&site, "listen 443 ssl http2;",
               "listen 127.0.0.1:" + std::to_string(https_port_) + " ssl http2;");
    ReplaceAll(&site, "listen 80;", "listen 127.0.0.1:" + std::to_string(http_port_) + ";");
    ReplaceAll(&site, "/etc/letsencrypt/live/okrbot.example.com/fullchain.pem",
               dir_.File("cert.pem"));
    ReplaceAll(&site, "/etc/letsencrypt/live/okrbot.example.com/privkey.pem", dir_.File("key.pem"));
    ASSERT_EQ(site.find("server 127.0.0.1:3000"), std::string::npos)
        << "the upstream was not replaced";
    WriteFile(dir_.File("okrbot.conf"), site);
    // A minimal main configuration around it, everything inside the temporary directory.
    std::string main_conf = std::string(geteuid() == 0 ? "user root;\n" : "") +
                            "worker_processes 1;\ndaemon off;\npid " + dir_.File("nginx.pid") +
                            ";\nerror_log " + dir_.File("error.log") +
                            " warn;\nevents {}\nhttp {\n  access_log " + dir_.File("access.log") +
                            ";\n";
    for (const char* temp : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
      main_conf +=
          std::string("  ") + temp + "_temp_path " + dir_.File(std::string(temp) + "_temp") + ";\n";
    }
    main_conf += "  include " + dir_.File("okrbot.conf") + ";\n}\n";
    WriteFile(dir_.File("nginx.conf"), main_conf);

    okrbot_ = std::make_unique<ChildGuard>(StartProcess(
        {OkrbotBinary(), "serve", "--listen", "127.0.0.1:" + std::to_string(okrbot_port_)},
        {"OKRBOT_DB=sqlite://" + dir_.File("okrbot.db"),
         std::string("SLACK_SIGNING_SECRET=") + kSigningSecret, "SLACK_BOT_TOKEN=xoxb-nginx-test",
         "SLACK_API_BASE=" + slack_.ApiBase(), "OKRBOT_SCHEDULER=off"}));
    nginx_ = std::make_unique<ChildGuard>(
        StartProcess({"/usr/sbin/nginx", "-p", dir_.path(), "-c", dir_.File("nginx.conf")}));
    ASSERT_TRUE(WaitForPort(okrbot_port_, std::chrono::seconds(10))) << "okrbot did not start";
    ASSERT_TRUE(WaitForPort(http_port_, std::chrono::seconds(10)))
        << "nginx did not start: " << ReadFile(dir_.File("error.log"));
    client_ = std::make_unique<httplib::SSLClient>("127.0.0.1", https_port_);
    client_->enable_server_certificate_verification(false);  // the throwaway certificate
    client_->set_read_timeout(10, 0);
  }

  void TearDown() override {
    // Workers outlive a SIGKILLed master; TERM makes nginx stop them (ChildGuard would KILL).
    if (nginx_) {
      kill(nginx_->child().pid, SIGTERM);
      nginx_->Wait();
    }
  }

  httplib::Result SlackCommand(const std::string& text, bool forge = false) {
    SystemClock clock;
    SlackSignatureVerifier signer(kSigningSecret, &clock);
    std::string body = "team_id=TNGINX&user_id=UALICE&user_name=alice&command=%2Fokr&text=" + text +
                       "&response_url=http%3A%2F%2F127.0.0.1%3A1%2Fr&channel_id=C1";
    std::string timestamp = std::to_string(std::time(nullptr));
    std::string signature = signer.Sign(timestamp, body);
    if (forge) signature[5] = signature[5] == '0' ? '1' : '0';
    return client_->Post(
        "/slack/commands",
        {{"X-Slack-Request-Timestamp", timestamp}, {"X-Slack-Signature", signature}}, body,
        "application/x-www-form-urlencoded");
  }

  TempDir dir_;
  SlackStandIn slack_;  // users.info for the profile lookup
  int okrbot_port_ = 0, https_port_ = 0, http_port_ = 0;
  std::unique_ptr<ChildGuard> okrbot_;
  std::unique_ptr<ChildGuard> nginx_;
  std::unique_ptr<httplib::SSLClient> client_;
};

TEST_F(NginxTest, SignedCommandsPassThroughTlsUnchanged) {
  auto answer = SlackCommand("help");
  ASSERT_TRUE(answer) << httplib::to_string(answer.error());
  EXPECT_EQ(answer->status, 200) << answer->body;
  EXPECT_NE(answer->body.find("blocks"), std::string::npos) << answer->body;
  EXPECT_EQ(answer->get_header_value("Strict-Transport-Security"), "max-age=63072000");
  auto forged = SlackCommand("help", /*forge=*/true);
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 401);
}

TEST_F(NginxTest, RefusesWhatMustNotReachOkrbot) {
  auto huge = client_->Post("/slack/commands", std::string(2 << 20, 'a'),
                            "application/x-www-form-urlencoded");
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->status, 413);
  for (const char* operator_only : {"/metrics", "/healthz", "/readyz"}) {
    auto answer = client_->Get(operator_only);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 404) << operator_only;
  }
  httplib::Client plain("127.0.0.1", http_port_);
  auto redirect = plain.Get("/slack/commands");
  ASSERT_TRUE(redirect);
  EXPECT_EQ(redirect->status, 301);
  EXPECT_EQ(redirect->get_header_value("Location").rfind("https://", 0), 0u);
  // None of them was answered by okrbot (its /metrics and /healthz would have said 200).
  EXPECT_EQ(ReadFile(dir_.File("access.log")).find("\" 200 "), std::string::npos);
}

}  // namespace
}  // namespace okrbot::testing
