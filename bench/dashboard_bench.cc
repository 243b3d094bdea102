// Dashboard benchmark: the cycle overview of a workspace with 50 objectives and 200 key results
// (10 check-ins each), served by the real DashboardApp over loopback HTTP from a SQLite file,
// signed in with a session. Prints p50 / p99 / max of the whole GET /app/ and of rendering
// alone (loading + HTML, no socket), and the page's size. Targets (issue 20): p99 <= 20 ms,
// <= 150 KB. Run with `bench/run dashboard [--requests N]`.
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "adapters/web/dashboard_app.h"
#include "adapters/web/dashboard_data.h"
#include "bot/web_tokens.h"
#include "storage/open_store.h"

namespace okrbot {
namespace {

using Clock = std::chrono::steady_clock;

double Millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

void Report(const char* what, std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    return ms[std::min(ms.size() - 1, static_cast<size_t>(q * ms.size()))];
  };
  std::printf("%-28s n=%zu  p50 %.2f ms  p99 %.2f ms  max %.2f ms\n", what, ms.size(), at(0.5),
              at(0.99), ms.back());
}

int Run(int requests) {
  std::string path = "/tmp/okrbot-dashboard-bench.db";
  std::remove(path.c_str());
  std::remove((path + "-wal").c_str());
  std::remove((path + "-shm").c_str());
  auto opened = OpenStore("sqlite://" + path);
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", opened.status().ToString().c_str());
    return 1;
  }
  std::unique_ptr<Store> store = std::move(*opened);
  if (!store->Migrate().ok()) return 1;
  FakeClock clock(Seconds(std::chrono::seconds(1793610000)));  // 2026-11-02
  const std::string ws = "slack:TBENCH";
  Workspace workspace;
  workspace.id = ws;
  workspace.platform = "slack";
  workspace.name = "Bench";
  if (!store->UpsertWorkspace(workspace).ok()) return 1;
  for (int u = 0; u < 40; ++u) {
    User user{ws, "U" + std::to_string(u), "Person " + std::to_string(u), "Europe/Berlin", "", {}};
    (void)store->UpsertUser(user);
  }
  for (int o = 1; o <= 50; ++o) {
    Objective objective;
    objective.workspace_id = ws;
    objective.title = "Objective number " + std::to_string(o) + ": delight our customers";
    objective.owner = "U" + std::to_string(o % 40);
    objective.team = "team" + std::to_string(o % 5);
    objective.cycle = "2026-Q4";
    objective.parent = o > 10 ? (o % 10) + 1 : 0;
    objective.created_at = clock.Now();
    auto created = store->CreateObjective(objective);
    if (!created.ok()) return 1;
    for (int k = 0; k < 4; ++k) {
      KeyResult kr;
      kr.workspace_id = ws;
      kr.objective = created->number;
      kr.text = "Increase our NPS from 30 to 50 in segment " + std::to_string(k);
      kr.owner = "U" + std::to_string((o + k) % 40);
      kr.baseline = 30;
      kr.target = 50;
      kr.created_at = clock.Now() - std::chrono::hours(24 * 30);
      auto made = store->CreateKeyResult(kr);
      if (!made.ok()) return 1;
      for (int c = 0; c < 10; ++c) {
        CheckIn checkin;
        checkin.workspace_id = ws;
        checkin.kr = made->number;
        checkin.value = 30 + c * 1.5;
        checkin.confidence = 40 + c * 5;
        checkin.author = kr.owner;
        checkin.at = clock.Now() - std::chrono::hours(24 * (30 - 3 * c));
        (void)store->RecordCheckIn(checkin);
      }
    }
  }
  std::string secret = NewSecret();
  WebSession session;
  session.token_hash = Sha256Hex(secret);
  session.workspace_id = ws;
  session.user_id = "U1";
  session.csrf_token = NewSecret();
  session.created_at = clock.Now();
  session.expires_at = clock.Now() + std::chrono::hours(12);
  if (!store->CreateWebSession(session).ok()) return 1;

  Metrics metrics;
  HttpServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.threads = 4;
  HttpServer http(options, &metrics);
  Bot bot(store.get(), &clock);
  ChartImages charts(store.get(), &clock, "http://127.0.0.1");
  web::DashboardApp app(web::DashboardOptions{"http://127.0.0.1"}, store.get(), &bot, &charts,
                        &clock);
  app.Register(&http);
  if (!http.Bind()) return 1;
  std::thread serving([&] { http.Run(); });
  while (!http.IsRunning()) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  httplib::Client client("127.0.0.1", http.port());
  client.set_tcp_nodelay(true);
  client.set_keep_alive(true);
  httplib::Headers cookie{{"Cookie", std::string(web::kSessionCookie) + "=" + secret}};
  std::vector<double> whole;
  size_t bytes = 0;
  for (int i = 0; i < requests + 20; ++i) {
    auto start = Clock::now();
    auto res = client.Get("/app/", cookie);
    auto took = Clock::now() - start;
    if (!res || res->status != 200) {
      std::fprintf(stderr, "GET /app/ failed: %d\n", res ? res->status : -1);
      return 1;
    }
    bytes = res->body.size();
    if (i >= 20) whole.push_back(Millis(took));  // the first requests warm the caches
  }
  std::vector<double> render;
  for (int i = 0; i < requests; ++i) {
    auto start = Clock::now();
    web::DashboardData data(store.get(), workspace, clock.Now());
    auto objectives = data.Objectives("2026-Q4", "", "");
    web::OverviewPage page;
    page.cycle = "2026-Q4";
    page.objectives = std::move(objectives).value();
    std::string html =
        web::RenderOverview(web::PageFrame{"Overview", "Bench", "U1", "x", ""}, page);
    render.push_back(Millis(Clock::now() - start));
    if (html.empty()) return 1;
  }
  std::printf("cycle overview: 50 objectives, 200 key results, 2,000 check-ins (SQLite file)\n");
  Report("GET /app/ over HTTP", whole);
  Report("load + render, no socket", render);
  std::printf("page size: %.1f KB (target <= 150 KB)\n", bytes / 1024.0);
  http.Stop();
  serving.join();
  return 0;
}

}  // namespace
}  // namespace okrbot

int main(int argc, char** argv) {
  int requests = 500;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--requests") requests = std::max(1, std::atoi(argv[i + 1]));
  }
  return okrbot::Run(requests);
}
