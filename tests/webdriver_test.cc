// Drives headless Chromium (tests/webdriver.h) against a loopback httplib::Server: a page with a
// heading, an HTML-escaped <script> and a POST form that sets a cookie and redirects (303).
#include "tests/webdriver.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>

#include "core/text_util.h"

namespace okrbot::testing {
namespace {

constexpr const char* kFormPage = R"(<!doctype html>
<html><head><meta charset="utf-8"><title>Check-in</title></head>
<body>
<h1 id="heading">Weekly OKR check-in</h1>
<p id="escaped">&lt;script&gt;window.injected = 1&lt;/script&gt;</p>
<form method="POST" action="/submit">
  <label>Progress <input type="text" id="progress" name="progress" value="draft"></label>
  <button type="submit" id="send">Send</button>
</form>
<ul><li>one</li><li>two</li><li>three</li></ul>
</body></html>
)";

class WebDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Get("/", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(kFormPage, "text/html; charset=utf-8");
    });
    server_.Post("/submit", [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        posted_ = req.get_param_value("progress");
      }
      res.set_header("Set-Cookie", "checked_in=yes; Path=/; HttpOnly; SameSite=Lax");
      res.set_redirect("/done", 303);
    });
    server_.Get("/done", [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      res.set_content(
          "<!doctype html><html><head><meta charset=\"utf-8\"><title>Done</title>"
          "</head><body><p id=\"posted\">" +
              EscapeMarkup(posted_) + "</p></body></html>",
          "text/html; charset=utf-8");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 200 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_TRUE(server_.is_running());
  }

  void TearDown() override {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::string posted_;
};

TEST_F(WebDriverTest, FillsAndSubmitsAFormInHeadlessChromium) {
  std::string error;
  std::unique_ptr<WebDriver> wd = WebDriver::Start(&error);
  ASSERT_NE(wd, nullptr) << error;

  ASSERT_TRUE(wd->Navigate(Url("/"))) << wd->last_error();
  EXPECT_EQ(wd->Title(), "Check-in");
  EXPECT_EQ(wd->CurrentUrl(), Url("/"));
  EXPECT_NE(wd->PageSource().find("Weekly OKR check-in"), std::string::npos);

  std::vector<std::string> headings = wd->FindAll("h1#heading");
  ASSERT_EQ(headings.size(), 1u) << wd->last_error();
  EXPECT_EQ(wd->Text(headings[0]), "Weekly OKR check-in");
  EXPECT_TRUE(wd->FindAll(".no-such-class").empty());
  EXPECT_EQ(wd->last_error(), "");

  // The escaped <script> is text, not code.
  std::vector<std::string> escaped = wd->FindAll("#escaped");
  ASSERT_EQ(escaped.size(), 1u);
  EXPECT_EQ(wd->Text(escaped[0]), "<script>window.injected = 1</script>");
  EXPECT_EQ(wd->Execute("return typeof window.injected;"), "undefined");
  EXPECT_EQ(wd->Execute("return document.querySelectorAll('script').length;"), 0);

  nlohmann::json result =
      wd->Execute("return [document.querySelectorAll('li').length, arguments[0] + arguments[1]];",
                  nlohmann::json::array({40, 2}));
  EXPECT_EQ(result, nlohmann::json::array({3, 42})) << wd->last_error();

  std::vector<std::string> inputs = wd->FindAll("#progress");
  ASSERT_EQ(inputs.size(), 1u);
  EXPECT_EQ(wd->Attribute(inputs[0], "value"), "draft");
  EXPECT_EQ(wd->Attribute(inputs[0], "name"), "progress");
  ASSERT_TRUE(wd->Clear(inputs[0])) << wd->last_error();
  ASSERT_TRUE(wd->SendKeys(inputs[0], "70% <done> & counting")) << wd->last_error();
  EXPECT_EQ(wd->Attribute(inputs[0], "value"), "70% <done> & counting");

  std::vector<std::string> buttons = wd->FindAll("button#send");
  ASSERT_EQ(buttons.size(), 1u);
  ASSERT_TRUE(wd->Click(buttons[0])) << wd->last_error();

  // chromedriver waits for the navigation a click starts; poll briefly in case it did not.
  std::vector<std::string> posted;
  for (int i = 0; i < 100 && posted.empty(); ++i) {
    posted = wd->FindAll("#posted");
    if (posted.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(posted.size(), 1u) << wd->CurrentUrl();
  EXPECT_EQ(wd->CurrentUrl(), Url("/done"));
  EXPECT_EQ(wd->Title(), "Done");
  EXPECT_EQ(wd->Text(posted[0]), "70% <done> & counting");

  std::vector<nlohmann::json> cookies = wd->Cookies();
  ASSERT_EQ(cookies.size(), 1u) << wd->last_error();
  EXPECT_EQ(cookies[0].value("name", ""), "checked_in");
  EXPECT_EQ(cookies[0].value("value", ""), "yes");
  EXPECT_EQ(cookies[0].value("httpOnly", false), true);
  EXPECT_EQ(cookies[0].value("sameSite", ""), "Lax");
  EXPECT_EQ(cookies[0].value("path", ""), "/");
  // HttpOnly: invisible to scripts.
  EXPECT_EQ(wd->Execute("return document.cookie;"), "");

  // A bad element id or script reports an error and leaves last_error() set.
  EXPECT_EQ(wd->Text("no-such-element"), "");
  EXPECT_NE(wd->last_error(), "");
  EXPECT_TRUE(wd->Execute("throw new Error('boom');").is_null());
  EXPECT_NE(wd->last_error().find("boom"), std::string::npos) << wd->last_error();

  ASSERT_TRUE(wd->Navigate(Url("/"))) << wd->last_error();
  std::string png = ::testing::TempDir() + "webdriver_test_" + std::to_string(getpid()) + ".png";
  ASSERT_TRUE(wd->SaveScreenshot(png)) << wd->last_error();
  std::ifstream in(png, std::ios::binary);
  std::string head(8, '\0');
  in.read(head.data(), 8);
  EXPECT_EQ(head, std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_GT(std::filesystem::file_size(png), 1000u);
  if (std::getenv("OKRBOT_KEEP_SCREENSHOT") == nullptr) {
    std::filesystem::remove(png);
  } else {
    std::cout << "screenshot: " << png << "\n";
  }
}

TEST_F(WebDriverTest, TwoBrowsersAreIndependent) {
  std::string error;
  std::unique_ptr<WebDriver> a = WebDriver::Start(&error);
  ASSERT_NE(a, nullptr) << error;
  std::unique_ptr<WebDriver> b = WebDriver::Start(&error);
  ASSERT_NE(b, nullptr) << error;
  ASSERT_TRUE(a->Navigate(Url("/")));
  ASSERT_TRUE(b->Navigate(Url("/done")));
  EXPECT_EQ(a->Title(), "Check-in");
  EXPECT_EQ(b->Title(), "Done");
}

}  // namespace
}  // namespace okrbot::testing
