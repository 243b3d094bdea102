// `okrbot run-due --now ...` as cron runs it: the real binary on a seeded database, posting to a
// local Slack Web API stand-in.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include "core/cycle.h"
#include "tests/silent_listener.h"
#include "tests/slack_standin.h"
#include "tests/test_util.h"

namespace okrbot::testing {
namespace {

std::optional<Cycle> CycleNamed(const std::string& text) {
  Cycle cycle;
  if (!ParseCycle(text, &cycle)) return std::nullopt;
  return cycle;
}

using nlohmann::json;

// One objective, KRs owned by people in New York and Kiritimati, a Friday digest; by default
// created on 2026-10-01 in cycle 2026-Q4.
json SeedDocument(const std::string& cycle = "2026-Q4", long long oct1 = 1790812800) {
  json ws = {{"id", "slack:T1"},
             {"platform", "slack"},
             {"name", "Acme"},
             {"created_at", oct1},
             {"users",
              {{{"id", "UNYC"}, {"display_name", "nyc"}, {"tz", "America/New_York"}},
               {{"id", "UKIR"}, {"display_name", "kir"}, {"tz", "Pacific/Kiritimati"}}}},
             {"objectives",
              {{{"number", 1},
                {"title", "Delight our customers"},
                {"owner", "UNYC"},
                {"cycle", cycle},
                {"created_at", oct1}}}},
             {"key_results",
              {{{"number", 1},
                {"objective", 1},
                {"text", "Increase NPS from 55 to 70"},
                {"owner", "UNYC"},
                {"baseline", 55},
                {"target", 70},
                {"created_at", oct1}},
               {{"number", 2},
                {"objective", 1},
                {"text", "Increase CSAT from 82% to 90%"},
                {"owner", "UKIR"},
                {"baseline", 82},
                {"target", 90},
                {"unit", "%"},
                {"created_at", oct1}}}},
             {"reminders",
              {{{"kind", "digest"},
                {"channel", "okrs"},
                {"weekday", 5},
                {"minute_of_day", 960},
                {"tz", "Europe/Berlin"}}}}};
  return {{"format", "okrbot-export"}, {"version", 1}, {"workspaces", {ws}}};
}

class RunDueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_.File("seed.json"), SeedDocument().dump());
    auto imported = Okrbot({"import", dir_.File("seed.json")});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
  }

  // `api_base` "" is the stand-in.
  ProcessResult Okrbot(std::vector<std::string> args, const std::string& api_base = "",
                       std::vector<std::string> env = {}) {
    args.insert(args.begin(), OkrbotBinary());
    env.insert(env.end(), {"OKRBOT_DB=sqlite://" + dir_.File("okrbot.db"),
                           "SLACK_SIGNING_SECRET=test-secret", "SLACK_BOT_TOKEN=xoxb-test",
                           "SLACK_API_BASE=" + (api_base.empty() ? slack_.ApiBase() : api_base),
                           "OKRBOT_LOG_LEVEL=error"});
    return RunProcess(args, "", env);
  }

  ProcessResult RunDue(const std::string& now, const std::string& api_base = "",
                       std::vector<std::string> env = {}) {
    return Okrbot({"run-due", "--now", now}, api_base, std::move(env));
  }

  std::vector<RecordedCall> Posts() { return slack_.Calls("chat.postMessage"); }
  // Posts (attempts included) to one channel: a user id ("UKIR") is the direct message to them.
  std::vector<RecordedCall> PostsTo(const std::string& channel) {
    std::vector<RecordedCall> out;
    for (const auto& post : Posts()) {
      if (post.args["channel"] == channel) out.push_back(post);
    }
    return out;
  }

  TempDir dir_;
  SlackStandIn slack_;
};

TEST_F(RunDueTest, PostsExactlyWhatIsDueAndNothingTwice) {
  // Sunday 20:00Z is Monday 10:00 in Kiritimati (UTC+14): that owner's prompt is due, and so
  // is Friday's digest (Oct 2, 16:00 Berlin). New York's Monday has not come yet.
  auto first = RunDue("2026-10-04T20:00:00Z");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("planned 2 new post(s) in 1 workspace(s); sent 2,"), std::string::npos)
      << first.out;
  ASSERT_EQ(PostsTo("UKIR").size(), 1u);
  EXPECT_NE(PostsTo("UKIR")[0].args["text"].get<std::string>().find("Increase CSAT"),
            std::string::npos);
  EXPECT_EQ(PostsTo("UNYC").size(), 0u);
  ASSERT_EQ(PostsTo("okrs").size(), 1u);
  EXPECT_EQ(Posts().size(), 2u);

  auto again = RunDue("2026-10-04T20:00:00Z");
  ASSERT_EQ(again.exit_code, 0);
  EXPECT_NE(again.out.find("planned 0 new"), std::string::npos) << again.out;
  EXPECT_EQ(Posts().size(), 2u) << "a second run at the same time posts nothing";

  // Monday 14:00Z is 10:00 in New York: its prompt, and nothing else new.
  auto nyc = RunDue("2026-10-05T14:00:00Z");
  EXPECT_NE(nyc.out.find("planned 1 new post(s) in 1 workspace(s); sent 1,"), std::string::npos)
      << nyc.out;
  ASSERT_EQ(PostsTo("UNYC").size(), 1u);
  EXPECT_NE(PostsTo("UNYC")[0].args["text"].get<std::string>().find("Increase NPS"),
            std::string::npos);
  EXPECT_EQ(Posts().size(), 3u);
}

TEST_F(RunDueTest, TheDigestCarriesItsChartAsAnImageFromThePublicUrl) {
  auto first = RunDue("2026-10-04T20:00:00Z", "", {"OKRBOT_PUBLIC_URL=https://okr.example.com"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(PostsTo("okrs").size(), 1u);
  json blocks = PostsTo("okrs")[0].args["blocks"];
  const json* image = nullptr;
  for (const json& block : blocks) {
    if (block["type"] == "image") image = &block;
  }
  ASSERT_NE(image, nullptr) << blocks.dump();
  std::string url = (*image)["image_url"];
  EXPECT_EQ(url.rfind("https://okr.example.com/charts/", 0), 0u) << url;
  EXPECT_EQ(url.size(), std::string("https://okr.example.com/charts/").size() + 64 + 4);
  EXPECT_NE((*image)["alt_text"].get<std::string>().find("Objectives"), std::string::npos);
  // The direct prompt has no chart: only digests, summaries and `show` carry one.
  EXPECT_EQ(PostsTo("UKIR")[0].args["blocks"].dump().find("\"image\""), std::string::npos);
}

TEST_F(RunDueTest, WithoutAPublicUrlOrWhenSlackCannotFetchItTheDigestGoesOutAsText) {
  auto first = RunDue("2026-10-04T20:00:00Z");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(PostsTo("okrs").size(), 1u);
  std::string blocks = PostsTo("okrs")[0].args["blocks"].dump();
  EXPECT_EQ(blocks.find("\"image\""), std::string::npos);
  EXPECT_NE(blocks.find("Objectives"), std::string::npos) << "the chart's text stands in";
  EXPECT_EQ(blocks.find("error"), std::string::npos) << "and says nothing about a picture";

  // Next Friday Slack cannot download the image: the post is sent again without it, at once.
  // (The week's other posts go out first, so the digest is the only post of that pass.)
  ASSERT_EQ(RunDue("2026-10-09T13:59:00Z").exit_code, 0);
  slack_.FailNext("chat.postMessage", 200, 1, std::nullopt, R"({"ok":false,"error":"invalid_blocks"})");
  auto second = RunDue("2026-10-09T14:30:00Z", "", {"OKRBOT_PUBLIC_URL=https://okr.example.com"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  auto digests = PostsTo("okrs");
  ASSERT_EQ(digests.size(), 3u) << "the refused attempt and its text-only repeat";
  EXPECT_NE(digests[1].args["blocks"].dump().find("\"image\""), std::string::npos);
  EXPECT_EQ(digests[2].args["blocks"].dump().find("\"image\""), std::string::npos);
}

TEST_F(RunDueTest, RateLimitsAndServerErrorsDelayButNeverLoseAPost) {
  slack_.FailNext("chat.postMessage", 429, 1, 120);
  auto limited = RunDue("2026-10-04T20:00:00Z");
  EXPECT_NE(limited.out.find("sent 0, retried 1, dead 0, deferred 1"), std::string::npos)
      << "a 429 pauses the workspace's posting, the other post waits untried: " << limited.out;
  EXPECT_EQ(Posts().size(), 1u) << "the refused attempt";

  auto too_early = RunDue("2026-10-04T20:01:00Z");
  EXPECT_NE(too_early.out.find("sent 0,"), std::string::npos)
      << "Retry-After (120 s) is honoured by the next process too: " << too_early.out;

  slack_.FailNext("chat.postMessage", 500, 1);
  auto server_error = RunDue("2026-10-04T20:02:30Z");
  EXPECT_NE(server_error.out.find("sent 1, retried 1"), std::string::npos) << server_error.out;

  auto later = RunDue("2026-10-04T21:00:00Z");
  EXPECT_NE(later.out.find("sent 1,"), std::string::npos) << later.out;
  auto final_run = RunDue("2026-10-04T22:00:00Z");
  EXPECT_NE(final_run.out.find("sent 0,"), std::string::npos);
  EXPECT_EQ(Posts().size(), 4u) << "a 429, a 500, then exactly one delivery of each post";
  auto jobs = Okrbot({"jobs", "--state", "sent"});
  EXPECT_NE(jobs.out.find("slack:T1|checkin|UKIR|2026-W41  sent"), std::string::npos) << jobs.out;
  EXPECT_NE(jobs.out.find("slack:T1|digest|okrs"), std::string::npos) << jobs.out;
}

// Slack is down for 15 minutes while two posts are due, in each way a platform can be down:
// hung (connections taken, no answer: timeouts), refusing connections, 500, 429 with
// Retry-After, 503. Each post waits, then goes out exactly once when Slack is back; none is
// dead-lettered. The scheduler runs every minute, on a fake clock (run-due --now).
TEST_F(RunDueTest, AFifteenMinuteSlackOutageDelaysPostsWithoutLosingOrRepeatingThem) {
  SilentListener hung;
  RefusingPort refusing;
  const std::string hung_base = "http://127.0.0.1:" + std::to_string(hung.port()) + "/api";
  const std::string refused_base = "http://127.0.0.1:" + std::to_string(refusing.port()) + "/api";
  auto at = [](int minutes_after_eight_pm) {
    char text[32];
    std::snprintf(text, sizeof text, "2026-10-04T%02d:%02d:00Z", 20 + minutes_after_eight_pm / 60,
                  minutes_after_eight_pm % 60);
    return std::string(text);
  };
  for (int minute = 0; minute < 15; ++minute) {
    slack_.ClearFailures();
    std::string api_base;
    switch (minute % 4) {
      case 0:  // hung only once: each attempt waits out the 5 s read timeout
        api_base = minute == 0 ? hung_base : refused_base;
        break;
      case 1:
        slack_.FailNext("*", 500, 1000);
        break;
      case 2:
        slack_.FailNext("*", 429, 1000, 90);
        break;
      default:
        slack_.FailNext("*", 503, 1000);
        break;
    }
    auto run = RunDue(at(minute), api_base);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_NE(run.out.find("sent 0,"), std::string::npos) << at(minute) << ": " << run.out;
    EXPECT_NE(run.out.find("dead 0,"), std::string::npos) << at(minute) << ": " << run.out;
  }
  EXPECT_GE(Posts().size() + slack_.CallCount("conversations.open"), 4u)
      << "attempts reached the stand-in during the outage";

  slack_.ClearFailures();  // Slack is back at 20:15
  slack_.ClearCalls();
  for (int minute = 15; minute <= 120; minute += 5) {
    auto run = RunDue(at(minute));
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_NE(run.out.find("dead 0,"), std::string::npos) << at(minute) << ": " << run.out;
  }
  EXPECT_EQ(PostsTo("UKIR").size(), 1u) << "the prompt went out once";
  EXPECT_EQ(PostsTo("okrs").size(), 1u) << "the digest went out once";
  auto sent = Okrbot({"jobs", "--state", "sent"});
  EXPECT_NE(sent.out.find("slack:T1|checkin|UKIR|2026-W41  sent"), std::string::npos) << sent.out;
  auto dead = Okrbot({"jobs", "--state", "dead"});
  EXPECT_EQ(dead.out.find("dead"), std::string::npos) << dead.out;
}

TEST_F(RunDueTest, DeadLettersAreListedAndCanBeRetried) {
  slack_.SetValidTokens({"xoxb-someone-else"});  // Slack answers invalid_auth: permanent
  auto refused = RunDue("2026-10-04T20:00:00Z");
  EXPECT_NE(refused.out.find("dead 2"), std::string::npos) << refused.out;
  auto dead = Okrbot({"jobs", "--state", "dead"});
  EXPECT_NE(dead.out.find("slack:T1|checkin|UKIR|2026-W41  dead"), std::string::npos) << dead.out;
  EXPECT_NE(dead.out.find("last error: invalid_auth"), std::string::npos);
  slack_.SetValidTokens({});
  auto retry = Okrbot({"jobs", "retry", "slack:T1|checkin|UKIR|2026-W41"});
  EXPECT_EQ(retry.exit_code, 0) << retry.err;
  auto resent = RunDue("2026-10-04T20:05:00Z");
  EXPECT_NE(resent.out.find("sent 1,"), std::string::npos) << resent.out;
  EXPECT_EQ(Okrbot({"jobs", "retry", "no-such-job"}).exit_code, 2);
  EXPECT_EQ(Okrbot({"jobs", "retry", "slack:T1|checkin|UKIR|2026-W41"}).exit_code, 2)
      << "a sent job is not sent again";
}

TEST_F(RunDueTest, ServeRunsTheSchedulerLoop) {
  // `serve` runs on the real clock: seed a workspace whose OKRs are 8 days old in the current
  // quarter, so a weekly prompt is due whatever today's date is.
  TempDir live;
  long long now = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  Days today = date::floor<date::days>(Seconds(std::chrono::seconds(now)));
  std::string cycle = FormatCycle(CycleContaining(today, 1));
  long long created = std::max<long long>(
      now - 8 * 86400, Seconds(CycleFirstDay(*CycleNamed(cycle), 1)).time_since_epoch().count());
  json seed = SeedDocument(cycle, created);
  // Created 8 days ago, a Monday slot has passed (a prompt is due); created on the quarter's
  // first day less than 7 days ago, the binary KR's quality nudge is due. One of the two always.
  seed["workspaces"][0]["key_results"].push_back({{"number", 3},
                                                  {"objective", 1},
                                                  {"text", "Launch the new help center"},
                                                  {"owner", "UNYC"},
                                                  {"direction", "binary"},
                                                  {"created_at", created}});
  WriteFile(live.File("seed.json"), seed.dump());
  std::vector<std::string> env = {"OKRBOT_DB=sqlite://" + live.File("okrbot.db")};
  ASSERT_EQ(RunProcess({OkrbotBinary(), "import", live.File("seed.json")}, "", env).exit_code, 0);
  int port = FreeLoopbackPort();
  ChildGuard server(
      StartProcess({OkrbotBinary(), "serve", "--listen", "127.0.0.1:" + std::to_string(port)},
                   {"OKRBOT_DB=sqlite://" + live.File("okrbot.db"),
                    "SLACK_SIGNING_SECRET=test-secret", "SLACK_BOT_TOKEN=xoxb-test",
                    "SLACK_API_BASE=" + slack_.ApiBase(), "OKRBOT_LOG_LEVEL=error"}));
  EXPECT_TRUE(slack_.WaitForCalls("chat.postMessage", 1, std::chrono::seconds(20)))
      << "okrbot serve posts due prompts without cron";
  kill(server.child().pid, SIGTERM);
  int status = server.Wait();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  auto off =
      RunProcess({OkrbotBinary(), "check-config"}, "",
                 {"OKRBOT_DB=sqlite://" + dir_.File("okrbot.db"), "OKRBOT_POSTS_PER_SECOND=fast"});
  EXPECT_EQ(off.exit_code, 2);
  EXPECT_NE(off.err.find("OKRBOT_POSTS_PER_SECOND"), std::string::npos);
}

TEST_F(RunDueTest, BadNowIsAUsageError) {
  auto bad = RunDue("next tuesday");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("ISO-8601"), std::string::npos);
}

}  // namespace
}  // namespace okrbot::testing
