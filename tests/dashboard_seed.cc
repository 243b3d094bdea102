#include "tests/dashboard_seed.h"

#include <nlohmann/json.hpp>
#include <regex>

#include "adapters/common/form.h"

namespace okrbot::testing {

std::string DashboardSeed::Command(const std::string& text, const std::string& user,
                                   const std::string& team) {
  std::string body = FormEncode({{"token", kSeedCommandToken},
                                 {"team_id", team},
                                 {"team_domain", team == "acme-team" ? "Acme" : "Globex"},
                                 {"channel_id", "channel-1"},
                                 {"user_id", user},
                                 {"user_name", user == kSeedAlice ? "alice" : "bob"},
                                 {"command", "/okr"},
                                 {"text", text},
                                 {"trigger_id", "seed-" + std::to_string(++triggers_)}});
  auto res = client_->Post("/mattermost/commands", body, "application/x-www-form-urlencoded");
  if (!res || res->status != 200) {
    last_error_ =
        "/okr " + text + ": " +
        (res ? std::to_string(res->status) + " " + res->body : httplib::to_string(res.error()));
    return "";
  }
  auto answer = nlohmann::json::parse(res->body, nullptr, false);
  return answer.is_object() ? answer.value("text", "") : "";
}

bool DashboardSeed::Seed() {
  const char* acme[][2] = {
      {kSeedAlice, "objective add \"Delight our customers\" team:support"},
      {kSeedAlice, "kr add O1 \"Increase our NPS from 55 to 70\""},
      {kSeedAlice, "update KR1 60 confidence:high first survey back"},
      {kSeedBob, "objective add \"<script>alert(1)</script>\""},
      {kSeedBob, "kr add O2 \"Reduce churn from 5% to 3%\""},
  };
  for (const auto& [user, text] : acme) {
    if (Command(text, user).empty()) return false;
  }
  for (int i = 1; i <= 3; ++i) {
    std::string n = std::to_string(i);
    if (Command("objective add \"Globex secret plan " + n + "\"", kSeedBob, "globex-team")
            .empty() ||
        Command("kr add O" + n + " \"Globex revenue from 1 to " + n + "0\"", kSeedBob,
                "globex-team")
            .empty()) {
      return false;
    }
  }
  return true;
}

std::string DashboardSeed::DashboardLink(const std::string& user) {
  std::string answer = Command("dashboard", user);
  std::smatch m;
  if (!std::regex_search(answer, m, std::regex("https?://[^ \\n)]+/app/login\\?t=[0-9a-f]{64}"))) {
    last_error_ = "no link in: " + answer;
    return "";
  }
  return m[0];
}

}  // namespace okrbot::testing
