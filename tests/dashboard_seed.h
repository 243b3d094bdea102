// DashboardSeed: fills a running okrbot with two Mattermost workspaces of OKRs through its own
// slash-command endpoint, and asks it for `/okr dashboard` links — as people would. Used by the
// dashboard tests over HTTP and in Chromium.
//
// Acme (team "acme-team"): alice owns O1 "Delight our customers" (team support) with KR1
// "Increase our NPS from 55 to 70", checked in at 60 (confidence high, note "first survey
// back"); bob owns O2 titled "<script>alert(1)</script>" with KR2 "Reduce churn from 5% to 3%".
// Globex (team "globex-team"): O1–O3 with KR1–KR3, all titled "Globex …".
// Not thread-safe.
#pragma once

#include <httplib.h>

#include <string>

namespace okrbot::testing {

inline constexpr char kSeedCommandToken[] = "dashboard-command-token-0123456789";
inline constexpr char kSeedAlice[] = "alice-id";
inline constexpr char kSeedBob[] = "bob-id";

class DashboardSeed {
 public:
  explicit DashboardSeed(httplib::Client* client) : client_(client) {}

  bool Seed();
  // The answer text of `/okr <text>` from `user` in `team`; "" after an error (last_error()).
  std::string Command(const std::string& text, const std::string& user,
                      const std::string& team = "acme-team");
  // The one-time link `/okr dashboard` gave `user` in Acme, or "".
  std::string DashboardLink(const std::string& user);
  std::string acme() const { return "mattermost:acme-team"; }
  const std::string& last_error() const { return last_error_; }

 private:
  httplib::Client* client_;
  int triggers_ = 0;
  std::string last_error_;
};

}  // namespace okrbot::testing
