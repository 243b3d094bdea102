// OkrbotServer: everything `okrbot serve` runs, wired from a Config: the HTTP server with
// /healthz, /readyz and /metrics, and the routes of each configured platform.
//
// Contract: Start() binds (port 0 picks a free port, see port()) and serves on a background
// thread; Stop() stops accepting, finishes in-flight requests and joins. A platform that is not
// configured registers no routes, so its paths answer 404. Used by `okrbot serve` and, with an
// injected Clock and stand-in API URLs, by the integration tests. Start/Stop from one thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "adapters/common/chart_images.h"
#include "adapters/common/http_server.h"
#include "adapters/mattermost/mattermost_app.h"
#include "adapters/mattermost/mattermost_client.h"
#include "adapters/mattermost/mattermost_deliverer.h"
#include "adapters/slack/slack_app.h"
#include "adapters/slack/slack_client.h"
#include "adapters/slack/slack_deliverer.h"
#include "adapters/slack/slack_tokens.h"
#include "adapters/slack/socket_mode.h"
#include "adapters/teams/teams_app.h"
#include "adapters/teams/teams_auth.h"
#include "adapters/teams/teams_client.h"
#include "adapters/teams/teams_deliverer.h"
#include "adapters/web/dashboard_app.h"
#include "bot/bot.h"
#include "bot/secret_box.h"
#include "cli/config.h"
#include "core/metrics.h"
#include "scheduler/dispatcher.h"
#include "scheduler/planner.h"
#include "scheduler/runner.h"
#include "storage/store.h"

namespace okrbot {

class OkrbotServer {
 public:
  OkrbotServer(const Config& config, Store* store, const Clock* clock);
  ~OkrbotServer();

  // Serves HTTP and, when config.scheduler is on, runs the scheduler loop.
  Status Start();
  // One scheduler pass now (as `okrbot run-due` does), without serving.
  Result<PassStats> RunSchedulerPass() { return runner_.RunPass(); }
  int port() const { return http_.port(); }
  void Stop();
  Metrics& metrics() { return metrics_; }
  // Null unless Socket Mode is on.
  slack::SocketModeClient* slack_socket() { return slack_socket_.get(); }

 private:
  Config config_;
  Store* store_;
  const Clock* clock_;
  Metrics metrics_;
  Bot bot_;
  std::optional<SecretBox> secret_box_;
  HttpServer http_;
  // Charts in chat posts and the web dashboard: only with OKRBOT_PUBLIC_URL.
  ChartImages charts_;
  std::unique_ptr<web::DashboardApp> dashboard_;
  std::unique_ptr<SlackClient> slack_client_;
  std::unique_ptr<slack::SlackApp> slack_app_;
  // Socket Mode (SLACK_APP_TOKEN): apps.connections.open through a client that does not retry
  // by itself (the socket client backs off) and gives up quickly (shutdown within 1 s).
  std::unique_ptr<SlackClient> slack_socket_api_;
  std::unique_ptr<slack::SocketModeClient> slack_socket_;
  // Scheduled delivery uses its own client that never waits on 429 (the dispatcher reschedules).
  std::unique_ptr<SlackClient> slack_delivery_client_;
  std::unique_ptr<slack::SlackTokens> slack_tokens_;
  std::unique_ptr<slack::SlackDeliverer> slack_deliverer_;
  std::unique_ptr<mattermost::MattermostApp> mattermost_app_;
  std::unique_ptr<mattermost::MattermostClient> mattermost_client_;
  std::unique_ptr<mattermost::MattermostDeliverer> mattermost_deliverer_;
  std::unique_ptr<teams::TeamsClient> teams_client_;
  std::unique_ptr<teams::TeamsAuthenticator> teams_auth_;
  std::unique_ptr<teams::TeamsApp> teams_app_;
  std::unique_ptr<teams::TeamsDeliverer> teams_deliverer_;
  Planner planner_;
  Dispatcher dispatcher_;
  SchedulerRunner runner_;
  std::thread serving_;
  bool started_ = false;
};

}  // namespace okrbot
