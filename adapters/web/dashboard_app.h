// DashboardApp: the web dashboard under /app/ and the chart images under /charts/, served by
// `okrbot serve` (an adapter like Slack's: it verifies who is asking, then reads the Store and
// answers with HTML from adapters/web/dashboard_pages.h).
//
// Contract:
// - Sign-in: GET /app/login?t=<secret> consumes the one-time link made by `/okr dashboard`
//   (Store::ConsumeWebLink) and starts a server-side session: a cookie `okrbot_session`
//   (HttpOnly, SameSite=Lax, Path=/, Secure when the public URL is https, Max-Age 12 h) whose
//   SHA-256 is stored, then 303 to /app/. A used, expired or unknown link gets 403 and a page
//   saying how to get a new one; nothing else changes.
// - Every other /app/ page needs a live session (else 401 and the sign-in hint). A session sees
//   only its own workspace: every id in a URL is looked up in that workspace, so another
//   workspace's (or an unknown) objective or key result is 404 — the same answer, so ids
//   reveal nothing.
// - Writes (check-in, sign-out) are POST forms with the session's CSRF token; a missing or wrong
//   token is 403 and changes nothing. A check-in runs Bot::SubmitCheckIn: the same permissions,
//   validation, rate limits and once-per-request rule as `/okr update`.
// - Every answer carries Content-Security-Policy: default-src 'self', X-Frame-Options: DENY,
//   X-Content-Type-Options: nosniff, Referrer-Policy: no-referrer and Cache-Control: no-store
//   (charts: cacheable, since their URL names their content).
// Thread-safe after Register(); the Store, Bot, Clock and ChartImages are shared.
#pragma once

#include <chrono>
#include <string>

#include "adapters/common/chart_images.h"
#include "adapters/common/http_server.h"
#include "bot/bot.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "storage/store.h"

namespace okrbot::web {

inline constexpr char kSessionCookie[] = "okrbot_session";

struct DashboardOptions {
  std::string public_url;  // OKRBOT_PUBLIC_URL; https makes the cookie Secure
  std::chrono::seconds session_life{12 * 3600};
};

class DashboardApp {
 public:
  DashboardApp(DashboardOptions options, Store* store, Bot* bot, ChartImages* charts,
               const Clock* clock);

  void Register(HttpServer* http);

 private:
  struct Viewer;  // the signed-in person of a request (dashboard_app.cc)

  // GET shows the Continue button for `secret`; POST (`consume`) uses the link up.
  void Login(const std::string& secret, bool consume, httplib::Response& response);
  void Logout(const httplib::Request& request, const std::string& body,
              httplib::Response& response);
  void Overview(const Viewer& viewer, const httplib::Request& request, httplib::Response& response);
  void ObjectivePage(const Viewer& viewer, int64_t number, httplib::Response& response);
  // `saved`: the page follows a recorded check-in (?saved=1) and says so.
  void KeyResultPage(const Viewer& viewer, int64_t number, bool saved, httplib::Response& response);
  void CheckIn(const Viewer& viewer, int64_t number, const std::string& body,
               httplib::Response& response);
  void People(const Viewer& viewer, httplib::Response& response);
  void Summary(const Viewer& viewer, const httplib::Request& request, httplib::Response& response);
  void Chart(const httplib::Request& request, httplib::Response& response);

  // The session of `request`, or false after answering 401 (or 503 when the store failed).
  bool Authenticate(const httplib::Request& request, httplib::Response& response, Viewer* out);
  void ShowKeyResult(const Viewer& viewer, const KeyResult& kr, const Objective& objective,
                     int status, const std::string& error, bool saved, httplib::Response& response);

  DashboardOptions options_;
  Store* store_;
  Bot* bot_;
  ChartImages* charts_;
  const Clock* clock_;
};

}  // namespace okrbot::web
