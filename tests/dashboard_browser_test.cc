// The web dashboard in a real browser: Debian's headless Chromium (tests/webdriver.h) against
// the `okrbot serve` binary on loopback, seeded through its Mattermost endpoint. Opens the
// one-time link, follows the session to every page, checks the rendered DOM, checks in through
// the form, and saves a screenshot of each page to $OKRBOT_SCREENSHOT_DIR (default:
// dashboard-screenshots/ in the working directory, i.e. the build directory under CTest).
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "bot/web_tokens.h"
#include "storage/open_store.h"
#include "tests/dashboard_seed.h"
#include "tests/test_util.h"
#include "tests/webdriver.h"

namespace okrbot::testing {
namespace {

std::string ScreenshotDir() {
  const char* dir = std::getenv("OKRBOT_SCREENSHOT_DIR");
  std::string path = dir != nullptr && *dir != '\0' ? dir : "dashboard-screenshots";
  ::mkdir(path.c_str(), 0755);
  return path;
}

class DashboardBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = FreeLoopbackPort();
    base_ = "http://127.0.0.1:" + std::to_string(port_);
    db_ = "sqlite://" + dir_.File("okrbot.db");
    server_ = std::make_unique<ChildGuard>(StartProcess(
        {OkrbotBinary(), "serve"},
        {"OKRBOT_DB=" + db_, "OKRBOT_LISTEN=127.0.0.1:" + std::to_string(port_),
         "OKRBOT_PUBLIC_URL=" + base_, "OKRBOT_SCHEDULER=off",
         std::string("MATTERMOST_COMMAND_TOKEN=") + kSeedCommandToken, "OKRBOT_LOG_LEVEL=warn"}));
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_read_timeout(10, 0);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      auto health = client_->Get("/healthz");
      if (health && health->status == 200) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    seed_ = std::make_unique<DashboardSeed>(client_.get());
    ASSERT_TRUE(seed_->Seed()) << seed_->last_error();
    std::string error;
    browser_ = WebDriver::Start(&error);
    ASSERT_NE(browser_, nullptr) << error;
  }

  void Shot(const std::string& name) {
    std::string path = ScreenshotDir() + "/" + name + ".png";
    EXPECT_TRUE(browser_->SaveScreenshot(path)) << browser_->last_error();
    std::printf("screenshot: %s\n", path.c_str());
  }

  std::string TextOf(const std::string& css) {
    auto found = browser_->FindAll(css);
    return found.empty() ? "" : browser_->Text(found.front());
  }

  size_t Count(const std::string& css) { return browser_->FindAll(css).size(); }

  // Opens a sign-in link and presses Continue.
  void OpenLink(const std::string& link) {
    ASSERT_TRUE(browser_->Navigate(link)) << browser_->last_error();
    auto button = browser_->FindAll("#continue");
    ASSERT_EQ(button.size(), 1u) << browser_->PageSource().substr(0, 500);
    ASSERT_TRUE(browser_->Click(button.front())) << browser_->last_error();
    // A click that submits a form may return before the next page has loaded.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!browser_->FindAll("#continue").empty() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  TempDir dir_;
  int port_ = 0;
  std::string base_;
  std::string db_;
  std::unique_ptr<ChildGuard> server_;
  std::unique_ptr<httplib::Client> client_;
  std::unique_ptr<DashboardSeed> seed_;
  std::unique_ptr<WebDriver> browser_;
};

TEST_F(DashboardBrowserTest, SignInVisitEveryPageAndCheckInThroughTheForm) {
  std::string link = seed_->DashboardLink(kSeedAlice);
  ASSERT_FALSE(link.empty()) << seed_->last_error();
  ASSERT_TRUE(browser_->Navigate(link));
  Shot("00-sign-in");
  OpenLink(link);

  // Overview: both objectives with their figures; the hostile title is text, not a script.
  EXPECT_EQ(browser_->CurrentUrl(), base_ + "/app/");
  EXPECT_EQ(Count("section.objective"), 2u);
  EXPECT_NE(TextOf("section[data-objective='1'] h2").find("Delight our customers"),
            std::string::npos);
  EXPECT_NE(TextOf("section[data-objective='1'] li.kr").find("33%"), std::string::npos);
  EXPECT_NE(TextOf("section[data-objective='2'] h2").find("<script>alert(1)</script>"),
            std::string::npos);
  EXPECT_EQ(browser_->Execute("return document.scripts.length;"), 0);
  EXPECT_GE(Count("svg.okr-minibar"), 2u);
  Shot("01-overview");

  ASSERT_TRUE(browser_->Navigate(base_ + "/app/o/1"));
  EXPECT_GE(Count("figure.chart svg .okr-bar:not(.okr-legend)"), 1u);
  EXPECT_NE(TextOf("h1").find("Delight our customers"), std::string::npos);
  Shot("02-objective");

  ASSERT_TRUE(browser_->Navigate(base_ + "/app/kr/1"));
  EXPECT_EQ(Count("figure.chart svg .okr-pace:not(.okr-legend)"), 1u);
  EXPECT_EQ(Count("figure.chart svg .okr-point:not(.okr-legend)"), 1u);
  EXPECT_NE(TextOf("table.history").find("first survey back"), std::string::npos);
  Shot("03-key-result");

  auto value = browser_->FindAll("form.checkin input[name='value']");
  ASSERT_EQ(value.size(), 1u);
  browser_->Clear(value.front());
  browser_->SendKeys(value.front(), "66");
  auto note = browser_->FindAll("form.checkin textarea[name='note']");
  ASSERT_EQ(note.size(), 1u);
  browser_->SendKeys(note.front(), "from the browser");
  auto submit = browser_->FindAll("form.checkin button[type='submit']");
  ASSERT_EQ(submit.size(), 1u);
  ASSERT_TRUE(browser_->Click(submit.front()));
  auto loaded = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (browser_->CurrentUrl().find("saved=1") == std::string::npos &&
         std::chrono::steady_clock::now() < loaded) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(browser_->CurrentUrl(), base_ + "/app/kr/1?saved=1");
  EXPECT_NE(TextOf("p.notice.ok").find("Check-in recorded"), std::string::npos);
  EXPECT_NE(TextOf("table.history").find("from the browser"), std::string::npos);
  EXPECT_EQ(Count("figure.chart svg .okr-point:not(.okr-legend)"), 2u)
      << "the new check-in is on the chart";
  Shot("04-key-result-after-check-in");
  {
    auto store = OpenStore(db_);
    ASSERT_TRUE(store.ok());
    auto checkins = (*store)->ListCheckIns(seed_->acme(), 1, 1);
    ASSERT_TRUE(checkins.ok());
    ASSERT_EQ(checkins->size(), 1u);
    EXPECT_EQ(checkins->front().value, 66);
    EXPECT_EQ(checkins->front().note, "from the browser");
  }

  ASSERT_TRUE(browser_->Navigate(base_ + "/app/people"));
  EXPECT_EQ(Count("table.people tbody tr"), 2u);
  EXPECT_GE(Count("figure.chart svg"), 1u);
  Shot("05-people");
  ASSERT_TRUE(browser_->Navigate(base_ + "/app/summary"));
  EXPECT_GE(Count("figure.chart svg"), 3u);
  EXPECT_NE(TextOf("p.lead").find("of 2 key results"), std::string::npos);
  Shot("06-summary");

  // Globex's O3 from Acme's session: the same "not found" as an id that never existed.
  ASSERT_TRUE(browser_->Navigate(base_ + "/app/o/3"));
  EXPECT_NE(TextOf("main").find("no such objective"), std::string::npos);
  EXPECT_EQ(TextOf("main").find("Globex"), std::string::npos);
  auto status = client_->Get("/app/o/3", {{"Cookie", "okrbot_session=x"}});
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, 401);
}

TEST_F(DashboardBrowserTest, AReusedOrExpiredLinkIsRefused) {
  std::string link = seed_->DashboardLink(kSeedAlice);
  OpenLink(link);
  EXPECT_EQ(browser_->CurrentUrl(), base_ + "/app/");
  OpenLink(link);
  EXPECT_NE(TextOf("main").find("expired or was used already"), std::string::npos);
  Shot("07-link-refused");

  std::string secret = NewSecret();
  {
    auto store = OpenStore(db_);
    ASSERT_TRUE(store.ok());
    auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    WebLink expired{Sha256Hex(secret),
                    seed_->acme(),
                    kSeedAlice,
                    now - std::chrono::minutes(20),
                    now - std::chrono::minutes(10),
                    std::nullopt};
    ASSERT_TRUE((*store)->CreateWebLink(expired).ok());
  }
  OpenLink(base_ + "/app/login?t=" + secret);
  EXPECT_NE(TextOf("main").find("expired or was used already"), std::string::npos);
  ASSERT_TRUE(browser_->Navigate(base_ + "/app/"));
  EXPECT_EQ(Count("section.objective"), 2u) << "refused links leave the first session alone";
}

}  // namespace
}  // namespace okrbot::testing
