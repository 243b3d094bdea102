// The web dashboard end to end over HTTP: the real server on loopback (OkrbotServer, as
// `okrbot serve` runs it) with OKRBOT_PUBLIC_URL set, seeded and signed in through Mattermost
// slash commands (`/okr dashboard` answers with the one-time link). The browser test
// (tests/dashboard_browser_test.cc) drives the same pages in Chromium.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "adapters/common/form.h"
#include "cli/server.h"
#include "storage/open_store.h"
#include "tests/dashboard_seed.h"
#include "tests/test_util.h"

namespace okrbot::testing {
namespace {

class DashboardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = OpenStore("sqlite://" + dir_.File("okrbot.db"));
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    ASSERT_TRUE(store_->Migrate().ok());
    int port = FreeLoopbackPort();
    Config config;
    config.listen = "127.0.0.1:" + std::to_string(port);
    config.public_url = "http://127.0.0.1:" + std::to_string(port);
    config.scheduler = false;
    config.http_threads = 8;
    config.mattermost_command_token = kSeedCommandToken;
    server_ = std::make_unique<OkrbotServer>(config, store_.get(), &clock_);
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(10, 0);
    seed_ = std::make_unique<DashboardSeed>(client_.get());
    ASSERT_TRUE(seed_->Seed()) << seed_->last_error();
  }

  void TearDown() override {
    client_.reset();
    if (server_) server_->Stop();
  }

  // Opens `link` as a browser does (GET shows a Continue button, POST signs in); returns the
  // session cookie ("" when refused) and the final status in `*status`.
  std::string SignIn(const std::string& link, int* status = nullptr) {
    std::string path = link.substr(link.find("/app/"));
    auto shown = client_->Get(path.c_str());
    EXPECT_TRUE(shown);
    if (!shown) return "";
    std::string secret = path.substr(path.find("t=") + 2);
    auto posted = client_->Post("/app/login", FormEncode({{"t", secret}}),
                                "application/x-www-form-urlencoded");
    EXPECT_TRUE(posted);
    if (!posted) return "";
    if (status != nullptr) *status = posted->status;
    std::string set_cookie = posted->get_header_value("Set-Cookie");
    last_set_cookie_ = set_cookie;
    std::smatch m;
    if (!std::regex_search(set_cookie, m, std::regex("okrbot_session=([0-9a-f]{64})"))) return "";
    return m[1];
  }

  httplib::Result Get(const std::string& path, const std::string& cookie) {
    httplib::Headers headers;
    if (!cookie.empty()) headers.emplace("Cookie", "okrbot_session=" + cookie);
    return client_->Get(path.c_str(), headers);
  }

  httplib::Result PostForm(const std::string& path, const std::string& cookie,
                           const std::vector<std::pair<std::string, std::string>>& fields) {
    httplib::Headers headers{{"Cookie", "okrbot_session=" + cookie}};
    return client_->Post(path.c_str(), headers, FormEncode(fields),
                         "application/x-www-form-urlencoded");
  }

  static std::string HiddenField(const std::string& html, const std::string& name) {
    std::smatch m;
    std::regex field("name=\"" + name + "\" value=\"([^\"]*)\"");
    return std::regex_search(html, m, field) ? std::string(m[1]) : "";
  }

  size_t CheckIns(int64_t kr) {
    auto list = store_->ListCheckIns(seed_->acme(), kr, 0);
    return list.ok() ? list->size() : 0;
  }

  TempDir dir_;
  FakeClock clock_{Seconds(std::chrono::seconds(1793610000))};  // 2026-11-02 09:00 UTC
  std::unique_ptr<Store> store_;
  std::unique_ptr<OkrbotServer> server_;
  std::unique_ptr<httplib::Client> client_;
  std::unique_ptr<DashboardSeed> seed_;
  std::string last_set_cookie_;
};

TEST_F(DashboardTest, AOneTimeLinkSignsInOnceAndTheOverviewShowsTheWorkspacesOkrs) {
  std::string link = seed_->DashboardLink(kSeedAlice);
  ASSERT_FALSE(link.empty()) << seed_->last_error();
  auto preview = client_->Get(link.substr(link.find("/app/")).c_str());
  ASSERT_TRUE(preview);
  EXPECT_EQ(preview->status, 200);
  EXPECT_NE(preview->body.find("Continue"), std::string::npos)
      << "a GET (a link preview) only shows a button and uses nothing up";

  int status = 0;
  std::string cookie = SignIn(link, &status);
  ASSERT_FALSE(cookie.empty()) << status;
  EXPECT_EQ(status, 303);
  EXPECT_NE(last_set_cookie_.find("HttpOnly"), std::string::npos);
  EXPECT_NE(last_set_cookie_.find("SameSite=Lax"), std::string::npos);
  EXPECT_NE(last_set_cookie_.find("Max-Age=43200"), std::string::npos);
  EXPECT_EQ(last_set_cookie_.find("Secure"), std::string::npos) << "the public URL is http";

  auto overview = Get("/app/", cookie);
  ASSERT_TRUE(overview);
  ASSERT_EQ(overview->status, 200) << overview->body;
  const std::string& html = overview->body;
  EXPECT_NE(html.find("Delight our customers"), std::string::npos);
  EXPECT_NE(html.find("Increase our NPS from 55 to 70"), std::string::npos);
  EXPECT_NE(html.find("33%"), std::string::npos) << "60 of 55→70 is a third of the way";
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos) << "user text never becomes markup";
  EXPECT_EQ(html.find("Globex"), std::string::npos) << "another workspace shows nothing";
  EXPECT_EQ(overview->get_header_value("Content-Security-Policy").rfind("default-src 'self'", 0),
            0u);
  EXPECT_EQ(overview->get_header_value("X-Frame-Options"), "DENY");
  EXPECT_EQ(overview->get_header_value("Cache-Control"), "no-store");

  int again = 0;
  EXPECT_TRUE(SignIn(link, &again).empty()) << "a link works once";
  EXPECT_EQ(again, 403);
  auto anonymous = Get("/app/", "");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_NE(anonymous->body.find("/okr dashboard"), std::string::npos);
  auto forged = Get("/app/", std::string(64, 'a'));
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 401);
}

TEST_F(DashboardTest, AnExpiredLinkIsRefusedAndSessionsEndAfter12Hours) {
  std::string stale = seed_->DashboardLink(kSeedAlice);
  clock_.Advance(std::chrono::minutes(11));
  int status = 0;
  EXPECT_TRUE(SignIn(stale, &status).empty());
  EXPECT_EQ(status, 403);

  std::string cookie = SignIn(seed_->DashboardLink(kSeedAlice));
  ASSERT_FALSE(cookie.empty());
  clock_.Advance(std::chrono::hours(11));
  EXPECT_EQ(Get("/app/people", cookie)->status, 200);
  clock_.Advance(std::chrono::hours(1));
  EXPECT_EQ(Get("/app/people", cookie)->status, 401) << "sessions last 12 hours";
}

TEST_F(DashboardTest, EveryPageAnswersAndAnotherWorkspacesIdsAreNotFound) {
  std::string cookie = SignIn(seed_->DashboardLink(kSeedAlice));
  ASSERT_FALSE(cookie.empty());
  for (const char* path :
       {"/app/", "/app/?cycle=2026-Q4&team=support", "/app/people", "/app/summary",
        "/app/summary?cycle=2026-Q3", "/app/o/1", "/app/kr/1", "/app/style.css"}) {
    auto page = Get(path, cookie);
    ASSERT_TRUE(page) << path;
    EXPECT_EQ(page->status, 200) << path << "\n" << page->body.substr(0, 500);
  }
  auto kr = Get("/app/kr/1", cookie);
  EXPECT_NE(kr->body.find("<svg"), std::string::npos) << "the KR chart is inline SVG";
  EXPECT_NE(kr->body.find("okr-pace"), std::string::npos);
  EXPECT_NE(kr->body.find("first survey back"), std::string::npos) << "check-in notes";
  auto summary = Get("/app/summary", cookie);
  EXPECT_NE(summary->body.find("0.7"), std::string::npos);

  // Globex has O1–O3 and KR1–KR3; Acme has O1–O2 and KR1–KR2.
  for (const char* path : {"/app/o/3", "/app/kr/3", "/app/o/999999999999", "/app/kr/0"}) {
    auto page = Get(path, cookie);
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 404) << path;
    EXPECT_EQ(page->body.find("Globex"), std::string::npos) << path;
  }
  EXPECT_EQ(Get("/app/o/abc", cookie)->status, 404);
}

TEST_F(DashboardTest, AnOwnerChecksInThroughTheFormWithTheSameRulesAsChat) {
  std::string cookie = SignIn(seed_->DashboardLink(kSeedAlice));
  auto page = Get("/app/kr/1", cookie);
  ASSERT_EQ(page->status, 200);
  std::string csrf = HiddenField(page->body, "csrf");
  std::string request = HiddenField(page->body, "request");
  ASSERT_FALSE(csrf.empty());
  ASSERT_FALSE(request.empty());
  size_t before = CheckIns(1);

  auto forged = PostForm("/app/kr/1/checkin", cookie, {{"value", "99"}, {"request", request}});
  EXPECT_EQ(forged->status, 403) << "no CSRF token";
  auto wrong = PostForm("/app/kr/1/checkin", cookie,
                        {{"csrf", std::string(64, '0')}, {"value", "99"}, {"request", request}});
  EXPECT_EQ(wrong->status, 403);
  EXPECT_EQ(CheckIns(1), before);

  auto bad = PostForm("/app/kr/1/checkin", cookie,
                      {{"csrf", csrf}, {"value", "lots"}, {"request", request}});
  EXPECT_EQ(bad->status, 422);
  EXPECT_NE(bad->body.find("role=\"alert\""), std::string::npos) << bad->body.substr(0, 300);
  EXPECT_EQ(CheckIns(1), before);

  auto ok = PostForm("/app/kr/1/checkin", cookie,
                     {{"csrf", csrf},
                      {"value", "64"},
                      {"confidence", "medium"},
                      {"note", "<b>bold</b> move"},
                      {"request", request}});
  ASSERT_EQ(ok->status, 303) << ok->body.substr(0, 500);
  EXPECT_EQ(ok->get_header_value("Location"), "/app/kr/1?saved=1");
  ASSERT_EQ(CheckIns(1), before + 1);
  auto latest = store_->ListCheckIns(seed_->acme(), 1, 1).value().front();
  EXPECT_EQ(latest.value, 64);
  EXPECT_EQ(latest.confidence, 50);
  EXPECT_EQ(latest.author, kSeedAlice);
  auto twice = PostForm("/app/kr/1/checkin", cookie,
                        {{"csrf", csrf}, {"value", "64"}, {"request", request}});
  EXPECT_EQ(twice->status, 303);
  EXPECT_EQ(CheckIns(1), before + 1) << "the same form submitted twice records once";
  auto shown = Get("/app/kr/1", cookie);
  EXPECT_NE(shown->body.find("&lt;b&gt;bold&lt;/b&gt; move"), std::string::npos);

  // Bob owns nothing here: no form, and a hand-made POST is refused like `/okr update`.
  std::string bob = SignIn(seed_->DashboardLink(kSeedBob));
  auto bobs_page = Get("/app/kr/1", bob);
  EXPECT_EQ(bobs_page->body.find("/app/kr/1/checkin"), std::string::npos);
  auto bobs_try = PostForm("/app/kr/1/checkin", bob,
                           {{"csrf", HiddenField(bobs_page->body, "csrf")}, {"value", "70"}});
  EXPECT_EQ(bobs_try->status, 422);
  EXPECT_EQ(CheckIns(1), before + 1);
}

TEST_F(DashboardTest, SignOutAndRevokedSessionsEnd) {
  std::string cookie = SignIn(seed_->DashboardLink(kSeedAlice));
  auto page = Get("/app/", cookie);
  std::string csrf = HiddenField(page->body, "csrf");
  EXPECT_EQ(PostForm("/app/logout", cookie, {})->status, 403) << "sign-out needs the token";
  auto out = PostForm("/app/logout", cookie, {{"csrf", csrf}});
  EXPECT_EQ(out->status, 200);
  EXPECT_EQ(Get("/app/", cookie)->status, 401);

  std::string other = SignIn(seed_->DashboardLink(kSeedAlice));
  auto sessions = store_->ListWebSessions(seed_->acme(), clock_.Now());
  ASSERT_TRUE(sessions.ok());
  ASSERT_EQ(sessions->size(), 1u);
  ASSERT_TRUE(store_->RevokeWebSession(sessions->front().id).ok());
  EXPECT_EQ(Get("/app/", other)->status, 401);
}

TEST_F(DashboardTest, ChatAnswersLinkAPngChartRenderedOncePerContent) {
  std::string answer = seed_->Command("show KR1", kSeedAlice);
  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(answer, m, std::regex("\\]\\((http://[^)]+/charts/[0-9a-f]{64}\\.png)\\)")))
      << answer;
  std::string url = m[1];
  std::string path = url.substr(url.find("/charts/"));
  auto png = client_->Get(path.c_str());
  ASSERT_TRUE(png);
  ASSERT_EQ(png->status, 200);
  EXPECT_EQ(png->get_header_value("Content-Type"), "image/png");
  EXPECT_EQ(png->body.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_NE(png->get_header_value("Cache-Control").find("immutable"), std::string::npos);
  auto again = client_->Get(path.c_str());
  EXPECT_EQ(again->body, png->body);
  EXPECT_EQ(client_->Get(("/charts/" + std::string(64, 'f') + ".png").c_str())->status, 404);
  std::string same = seed_->Command("show KR1", kSeedAlice);
  EXPECT_NE(same.find(path), std::string::npos) << "unchanged data: the same image URL";
}

}  // namespace
}  // namespace okrbot::testing
