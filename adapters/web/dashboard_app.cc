#include "adapters/web/dashboard_app.h"

#include <spdlog/spdlog.h>

#include <charconv>

#include "adapters/common/form.h"
#include "adapters/web/dashboard_data.h"
#include "adapters/web/dashboard_pages.h"
#include "bot/chart.h"
#include "bot/checkin_form.h"
#include "bot/review.h"
#include "bot/text_render.h"
#include "bot/web_tokens.h"
#include "core/cycle.h"
#include "core/text_util.h"

namespace okrbot::web {

struct DashboardApp::Viewer {
  WebSession session;
  Workspace workspace;
};

namespace {

constexpr char kSignInHint[] =
    "Type /okr dashboard in chat with okrbot to get a sign-in link (it is valid for 10 minutes "
    "and works once).";

void SecurityHeaders(httplib::Response& response) {
  response.set_header("Content-Security-Policy",
                      "default-src 'self'; frame-ancestors 'none'; form-action 'self'");
  response.set_header("X-Frame-Options", "DENY");
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_header("Referrer-Policy", "no-referrer");
}

void SendHtml(httplib::Response& response, int status, const std::string& html) {
  SecurityHeaders(response);
  response.set_header("Cache-Control", "no-store");
  response.status = status;
  response.set_content(html, "text/html; charset=utf-8");
}

void SendMessage(httplib::Response& response, int status, const std::string& title,
                 const std::string& message, const std::string& csrf = "") {
  PageFrame frame;
  frame.title = title;
  frame.csrf = csrf;
  SendHtml(response, status, RenderMessage(frame, message));
}

// The database failed: the person can only wait (the operator sees why in the logs).
void Unavailable(const std::string& csrf, httplib::Response& response) {
  SendMessage(response, 503, "Not available", kDatabaseUnavailable, csrf);
}

void Redirect(httplib::Response& response, const std::string& to) {
  SecurityHeaders(response);
  response.set_header("Cache-Control", "no-store");
  response.status = 303;
  response.set_header("Location", to);
}

std::string CookieValue(const httplib::Request& request, const std::string& name) {
  std::string header = request.get_header_value("Cookie");
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    std::string part = Trim(header.substr(pos, end - pos));
    size_t eq = part.find('=');
    if (eq != std::string::npos && part.substr(0, eq) == name) return part.substr(eq + 1);
    pos = end + 1;
  }
  return "";
}

bool ParseNumber(const std::string& text, int64_t* out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size() && *out > 0;
}

PageFrame FrameFor(DashboardData& data, const WebSession& session, std::string title,
                   std::string nav) {
  PageFrame frame;
  frame.title = std::move(title);
  frame.workspace_name = data.workspace().name;
  frame.user_label = data.Label(session.user_id);
  frame.csrf = session.csrf_token;
  frame.nav = std::move(nav);
  return frame;
}

std::string ParamOr(const httplib::Request& request, const char* name, std::string fallback) {
  if (!request.has_param(name)) return fallback;
  std::string value = request.get_param_value(name);
  return IsValidUtf8(value) && value.size() <= 200 ? value : fallback;
}

std::vector<ProgressRow> KrRows(const ObjectiveView& view) {
  std::vector<ProgressRow> rows;
  for (const KrView& k : view.krs) {
    rows.push_back({KeyResultRef(k.kr.number) + " " + k.kr.text, k.progress, k.pace});
  }
  return rows;
}

std::vector<ProgressRow> ObjectiveRows(const std::vector<ObjectiveView>& objectives) {
  std::vector<ProgressRow> rows;
  for (const ObjectiveView& o : objectives) {
    rows.push_back({ObjectiveRef(o.objective.number) + " " + o.objective.title, o.score, o.pace});
  }
  return rows;
}

}  // namespace

DashboardApp::DashboardApp(DashboardOptions options, Store* store, Bot* bot, ChartImages* charts,
                           const Clock* clock)
    : options_(std::move(options)), store_(store), bot_(bot), charts_(charts), clock_(clock) {}

void DashboardApp::Register(HttpServer* http) {
  http->Get("/app/style.css", [](const httplib::Request&, httplib::Response& response) {
    SecurityHeaders(response);
    response.set_header("Cache-Control", "public, max-age=3600");
    response.set_content(kStylesheet, "text/css; charset=utf-8");
  });
  http->Get("/app/login", [this](const httplib::Request& request, httplib::Response& response) {
    Login(request.has_param("t") ? request.get_param_value("t") : "", /*consume=*/false, response);
  });
  http->Post("/app/login",
             [this](const httplib::Request&, const std::string& body, httplib::Response& response) {
               auto form = ParseForm(body);
               Login(form.ok() ? (*form)["t"] : "", /*consume=*/true, response);
             });
  http->Post("/app/logout",
             [this](const httplib::Request& request, const std::string& body,
                    httplib::Response& response) { Logout(request, body, response); });
  auto page = [this](auto handler) {
    return [this, handler](const httplib::Request& request, httplib::Response& response) {
      Viewer viewer;
      if (!Authenticate(request, response, &viewer)) return;
      handler(viewer, request, response);
    };
  };
  http->Get("/app/", page([this](const Viewer& v, const httplib::Request& request,
                                 httplib::Response& response) { Overview(v, request, response); }));
  http->Get("/app", [](const httplib::Request&, httplib::Response& response) {
    Redirect(response, "/app/");
  });
  http->Get("/app/people", page([this](const Viewer& v, const httplib::Request&,
                                       httplib::Response& response) { People(v, response); }));
  http->Get("/app/summary",
            page([this](const Viewer& v, const httplib::Request& request,
                        httplib::Response& response) { Summary(v, request, response); }));
  http->Get(R"(/app/o/([0-9]{1,18}))", page([this](const Viewer& v, const httplib::Request& request,
                                                   httplib::Response& response) {
              int64_t number = 0;
              if (!ParseNumber(request.matches[1], &number)) number = 0;
              ObjectivePage(v, number, response);
            }));
  http->Get(
      R"(/app/kr/([0-9]{1,18}))",
      page([this](const Viewer& v, const httplib::Request& request, httplib::Response& response) {
        int64_t number = 0;
        if (!ParseNumber(request.matches[1], &number)) number = 0;
        KeyResultPage(v, number, ParamOr(request, "saved", "") == "1", response);
      }));
  http->Post(R"(/app/kr/([0-9]{1,18})/checkin)",
             [this](const httplib::Request& request, const std::string& body,
                    httplib::Response& response) {
               Viewer viewer;
               if (!Authenticate(request, response, &viewer)) return;
               int64_t number = 0;
               if (!ParseNumber(request.matches[1], &number)) number = 0;
               CheckIn(viewer, number, body, response);
             });
  http->Get(R"(/charts/([0-9a-f]{64})\.png)",
            [this](const httplib::Request& request, httplib::Response& response) {
              Chart(request, response);
            });
}

bool DashboardApp::Authenticate(const httplib::Request& request, httplib::Response& response,
                                Viewer* out) {
  std::string secret = CookieValue(request, kSessionCookie);
  if (secret.empty() || secret.size() > 100) {
    SendMessage(response, 401, "Please sign in", kSignInHint);
    return false;
  }
  Result<WebSession> session = store_->GetWebSession(Sha256Hex(secret), clock_->Now());
  if (!session.ok()) {
    if (session.status().code() == StatusCode::kNotFound) {
      SendMessage(response, 401, "Please sign in",
                  std::string("Your session has ended. ") + kSignInHint);
    } else {
      Unavailable("", response);
    }
    return false;
  }
  Result<Workspace> workspace = store_->GetWorkspace(session->workspace_id);
  if (!workspace.ok() || !workspace->installed) {
    SendMessage(response, workspace.ok() ? 403 : 503, "Not available",
                workspace.ok() ? "okrbot was removed from this workspace." : kDatabaseUnavailable);
    return false;
  }
  out->session = std::move(session).value();
  out->workspace = std::move(workspace).value();
  return true;
}

void DashboardApp::Login(const std::string& secret, bool consume, httplib::Response& response) {
  if (secret.empty() || secret.size() > 100) {
    SendMessage(response, 403, "Sign-in link not valid",
                std::string("This sign-in link is not complete. ") + kSignInHint);
    return;
  }
  if (!consume) {
    // Opening the link only shows a button: link previews and mail scanners fetch URLs with GET,
    // and must not use up a one-time link before its owner clicks it.
    PageFrame frame;
    frame.title = "Sign in to okrbot";
    std::string html = RenderMessage(frame, "Continue to open your OKR dashboard.");
    std::string form =
        "<form method=\"post\" action=\"/app/login\"><input type=\"hidden\" name=\"t\" value=\"" +
        EscapeMarkup(secret) +
        "\"><button type=\"submit\" id=\"continue\">Continue</button></form>";
    html.insert(html.rfind("</main>"), form);
    SendHtml(response, 200, html);
    return;
  }
  Seconds now = clock_->Now();
  Result<WebLink> link = store_->ConsumeWebLink(Sha256Hex(secret), now);
  if (!link.ok()) {
    if (link.status().code() == StatusCode::kNotFound) {
      SendMessage(response, 403, "Sign-in link not valid",
                  std::string("This sign-in link has expired or was used already. ") + kSignInHint);
    } else {
      Unavailable("", response);
    }
    return;
  }
  std::string session_secret = NewSecret();
  WebSession session;
  session.token_hash = Sha256Hex(session_secret);
  session.workspace_id = link->workspace_id;
  session.user_id = link->user_id;
  session.csrf_token = NewSecret();
  session.created_at = now;
  session.expires_at = now + options_.session_life;
  Result<WebSession> created = store_->CreateWebSession(session);
  if (!created.ok()) {
    Unavailable("", response);
    return;
  }
  spdlog::info("web: session {} started for {} in {}", created->id, link->user_id,
               link->workspace_id);
  bool secure = options_.public_url.rfind("https://", 0) == 0;
  response.set_header("Set-Cookie",
                      std::string(kSessionCookie) + "=" + session_secret +
                          "; Path=/; Max-Age=" + std::to_string(options_.session_life.count()) +
                          "; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : ""));
  Redirect(response, "/app/");
}

void DashboardApp::Logout(const httplib::Request& request, const std::string& body,
                          httplib::Response& response) {
  Viewer viewer;
  if (!Authenticate(request, response, &viewer)) return;
  auto form = ParseForm(body);
  if (!form.ok() || !SecretsEqual((*form)["csrf"], viewer.session.csrf_token)) {
    SendMessage(response, 403, "Not signed out", "That form has expired; reload the page.");
    return;
  }
  Status revoked = store_->RevokeWebSession(viewer.session.id);
  if (!revoked.ok()) {
    Unavailable("", response);
    return;
  }
  response.set_header("Set-Cookie",
                      std::string(kSessionCookie) + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
  SendMessage(response, 200, "Signed out", "You are signed out of the okrbot dashboard.");
}

void DashboardApp::Overview(const Viewer& viewer, const httplib::Request& request,
                            httplib::Response& response) {
  DashboardData data(store_, viewer.workspace, clock_->Now());
  OverviewPage page;
  page.cycle = ParamOr(request, "cycle", data.CurrentCycle());
  Cycle parsed;
  if (ParseCycle(page.cycle, &parsed)) page.cycle = FormatCycle(parsed);
  page.team = ParamOr(request, "team", "");
  page.owner = ParamOr(request, "owner", "");
  Result<std::vector<std::string>> cycles = data.Cycles();
  Result<std::vector<ObjectiveView>> objectives =
      data.Objectives(page.cycle, page.team, page.owner);
  ObjectiveFilter all_of_cycle;
  all_of_cycle.cycle = page.cycle;
  Result<std::vector<Objective>> unfiltered =
      store_->ListObjectives(viewer.workspace.id, all_of_cycle);
  if (!cycles.ok() || !objectives.ok() || !unfiltered.ok()) {
    return Unavailable(viewer.session.csrf_token, response);
  }
  page.cycles = std::move(cycles).value();
  page.objectives = std::move(objectives).value();
  page.elapsed = data.Elapsed(page.cycle);
  std::set<std::string> teams;
  std::set<std::string> owners;
  for (const Objective& o : *unfiltered) {
    if (!o.team.empty()) teams.insert(o.team);
    if (!o.owner.empty()) owners.insert(o.owner);
  }
  for (const ObjectiveView& o : page.objectives) {
    for (const KrView& k : o.krs) {
      if (!k.kr.owner.empty()) owners.insert(k.kr.owner);
    }
  }
  page.teams.assign(teams.begin(), teams.end());
  for (const std::string& id : owners) page.owners.push_back({id, data.Label(id)});
  SendHtml(
      response, 200,
      RenderOverview(FrameFor(data, viewer.session, "Overview " + page.cycle, "overview"), page));
}

void DashboardApp::ObjectivePage(const Viewer& viewer, int64_t number,
                                 httplib::Response& response) {
  DashboardData data(store_, viewer.workspace, clock_->Now());
  Result<Objective> objective = store_->GetObjective(viewer.workspace.id, number);
  if (!objective.ok() || objective->archived) {
    bool missing = !objective.ok() && objective.status().code() != StatusCode::kNotFound;
    SendMessage(response, missing ? 503 : 404, missing ? "Not available" : "Not found",
                missing ? kDatabaseUnavailable : "There is no such objective in this workspace.",
                viewer.session.csrf_token);
    return;
  }
  Result<ObjectiveView> view = data.ViewOf(*objective);
  if (!view.ok()) {
    return Unavailable(viewer.session.csrf_token, response);
  }
  web::ObjectivePage page;
  page.view = std::move(view).value();
  if (objective->parent > 0) {
    Result<Objective> parent = store_->GetObjective(viewer.workspace.id, objective->parent);
    if (parent.ok() && !parent->archived) page.parent_title = parent->title;
  }
  std::vector<KeyResult> krs;
  for (const KrView& k : page.view.krs) krs.push_back(k.kr);
  page.findings = ReviewObjective(*objective, krs);
  page.chart = ProgressChart(ObjectiveRef(number) + " key results", KrRows(page.view));
  SendHtml(
      response, 200,
      RenderObjective(
          FrameFor(data, viewer.session, ObjectiveRef(number) + " " + objective->title, ""), page));
}

void DashboardApp::KeyResultPage(const Viewer& viewer, int64_t number, bool saved,
                                 httplib::Response& response) {
  Result<KeyResult> kr = store_->GetKeyResult(viewer.workspace.id, number);
  Result<Objective> objective =
      kr.ok() ? store_->GetObjective(viewer.workspace.id, kr->objective) : kr.status();
  if (!kr.ok() || !objective.ok() || kr->archived) {
    bool failed = !objective.ok() && objective.status().code() != StatusCode::kNotFound;
    SendMessage(response, failed ? 503 : 404, failed ? "Not available" : "Not found",
                failed ? kDatabaseUnavailable : "There is no such key result in this workspace.",
                viewer.session.csrf_token);
    return;
  }
  ShowKeyResult(viewer, *kr, *objective, 200, "", saved, response);
}

void DashboardApp::ShowKeyResult(const Viewer& viewer, const KeyResult& kr,
                                 const Objective& objective, int status, const std::string& error,
                                 bool saved, httplib::Response& response) {
  DashboardData data(store_, viewer.workspace, clock_->Now());
  Result<const std::vector<okrbot::CheckIn>*> checkins = data.CheckInsOf(kr.number);
  Result<std::vector<Initiative>> initiatives =
      store_->ListInitiatives(viewer.workspace.id, kr.number);
  if (!checkins.ok() || !initiatives.ok()) {
    return Unavailable(viewer.session.csrf_token, response);
  }
  web::KeyResultPage page;
  page.view = data.ViewOfKr(kr, objective);
  page.objective = objective;
  std::vector<ChartPoint> points;
  for (const okrbot::CheckIn& c : **checkins) {
    points.push_back(ChartPointOf(c));
    page.checkins.push_back({c, data.Label(c.author)});
  }
  auto [first, last] = data.CycleDays(objective.cycle);
  page.chart = KeyResultChart(kr, points, first, last, data.now());
  page.initiatives = std::move(initiatives).value();
  page.findings = ReviewKeyResult(kr);
  page.form.allowed = data.MayCheckIn(viewer.session.user_id, kr, objective);
  page.form.request = NewSecret();
  page.form.error = error;
  page.form.saved = saved;
  SendHtml(response, status,
           RenderKeyResult(
               FrameFor(data, viewer.session, KeyResultRef(kr.number) + " " + kr.text, ""), page));
}

void DashboardApp::CheckIn(const Viewer& viewer, int64_t number, const std::string& body,
                           httplib::Response& response) {
  auto form = ParseForm(body);
  if (!form.ok() || !SecretsEqual((*form)["csrf"], viewer.session.csrf_token)) {
    SendMessage(response, 403, "Not recorded",
                "That form has expired or did not come from this dashboard; nothing was recorded. "
                "Reload the page and try again.",
                viewer.session.csrf_token);
    return;
  }
  Result<KeyResult> kr = store_->GetKeyResult(viewer.workspace.id, number);
  Result<Objective> objective =
      kr.ok() ? store_->GetObjective(viewer.workspace.id, kr->objective) : kr.status();
  if (!kr.ok() || !objective.ok() || kr->archived) {
    SendMessage(response, 404, "Not found", "There is no such key result in this workspace.",
                viewer.session.csrf_token);
    return;
  }
  CheckInInput input;
  input.kr = KeyResultRef(number);
  input.value = (*form)["value"];
  input.confidence = (*form)["confidence"];
  input.note = (*form)["note"];
  std::string nonce = (*form)["request"];
  Actor actor;
  actor.workspace_id = viewer.workspace.id;
  actor.user_id = viewer.session.user_id;
  // One id per rendered form: a double click or a resubmitted POST records once.
  if (!nonce.empty() && nonce.size() <= 64) actor.request_id = "web:" + nonce;
  Reply reply = bot_->SubmitCheckIn(actor, input);
  if (reply.is_error && !reply.repeated) {
    std::string message = Trim(RenderPlainText(reply));
    ShowKeyResult(viewer, *kr, *objective, 422, message, false, response);
    return;
  }
  Redirect(response, "/app/kr/" + std::to_string(number) + "?saved=1");
}

void DashboardApp::People(const Viewer& viewer, httplib::Response& response) {
  DashboardData data(store_, viewer.workspace, clock_->Now());
  PeoplePage page;
  page.cycle = data.CurrentCycle();
  Days today = date::floor<date::days>(data.now());
  Days monday = today - (date::weekday(today) - date::Monday);
  page.week_start = FormatDate(monday);
  Result<std::vector<ObjectiveView>> objectives = data.Objectives(page.cycle, "", "");
  if (!objectives.ok()) {
    return Unavailable(viewer.session.csrf_token, response);
  }
  Result<std::map<std::string, int>> this_week = data.CheckInsSince(*objectives, monday);
  Result<std::vector<WeekActivity>> weeks = data.Activity(page.cycle, *objectives);
  if (!this_week.ok() || !weeks.ok()) {
    return Unavailable(viewer.session.csrf_token, response);
  }
  std::map<std::string, PersonRow> people;
  for (const ObjectiveView& o : *objectives) {
    for (const KrView& k : o.krs) {
      if (k.kr.owner.empty()) continue;
      PersonRow& row = people[k.kr.owner];
      row.label = k.owner_label;
      ++row.krs;
      if (k.stale) ++row.stale_krs;
      row.checked_in_this_week = this_week->count(k.kr.owner) > 0;
      const User* user = data.FindUser(k.kr.owner);
      if (user != nullptr && data.Away(k.kr.owner)) row.away_until = user->away_until;
    }
  }
  for (auto& [id, row] : people) page.people.push_back(row);
  std::sort(page.people.begin(), page.people.end(),
            [](const PersonRow& a, const PersonRow& b) { return a.label < b.label; });
  page.activity = CheckInActivityChart("Check-ins per week, " + page.cycle, *weeks);
  SendHtml(response, 200, RenderPeople(FrameFor(data, viewer.session, "People", "people"), page));
}

void DashboardApp::Summary(const Viewer& viewer, const httplib::Request& request,
                           httplib::Response& response) {
  DashboardData data(store_, viewer.workspace, clock_->Now());
  SummaryPage page;
  page.cycle = ParamOr(request, "cycle", data.CurrentCycle());
  Cycle parsed;
  if (ParseCycle(page.cycle, &parsed)) page.cycle = FormatCycle(parsed);
  Result<std::vector<std::string>> cycles = data.Cycles();
  Result<std::vector<ObjectiveView>> objectives = data.Objectives(page.cycle, "", "");
  if (!cycles.ok() || !objectives.ok()) {
    return Unavailable(viewer.session.csrf_token, response);
  }
  Result<std::vector<WeekActivity>> weeks = data.Activity(page.cycle, *objectives);
  if (!weeks.ok()) {
    return Unavailable(viewer.session.csrf_token, response);
  }
  page.cycles = std::move(cycles).value();
  page.objectives = std::move(objectives).value();
  page.ended = data.Elapsed(page.cycle) >= 1.0;
  std::vector<double> scores;
  for (const ObjectiveView& o : page.objectives) {
    if (IsSuccess(o.score, o.objective.type)) ++page.objectives_met;
    for (const KrView& k : o.krs) {
      scores.push_back(k.progress);
      if (k.progress >= 0.7 - 1e-9) ++page.krs_at_07;
    }
  }
  page.krs_total = static_cast<int>(scores.size());
  page.distribution = ScoreDistributionChart(page.cycle, scores);
  page.progress = ProgressChart("Objectives, " + page.cycle, ObjectiveRows(page.objectives));
  page.activity = CheckInActivityChart("Check-ins per week, " + page.cycle, *weeks);
  SendHtml(response, 200,
           RenderSummary(FrameFor(data, viewer.session, "Summary " + page.cycle, "summary"), page));
}

void DashboardApp::Chart(const httplib::Request& request, httplib::Response& response) {
  Result<std::shared_ptr<const std::string>> png = charts_->Png(request.matches[1]);
  SecurityHeaders(response);
  if (!png.ok()) {
    response.status = png.status().code() == StatusCode::kNotFound ? 404 : 503;
    response.set_content("no such chart\n", "text/plain");
    return;
  }
  response.set_header("Cache-Control", "public, max-age=31536000, immutable");
  response.set_content(**png, "image/png");
}

}  // namespace okrbot::web
