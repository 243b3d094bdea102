#include "cli/server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>

#include "bot/version.h"

namespace okrbot {
namespace {

HttpServerOptions ServerOptions(const Config& config) {
  HttpServerOptions options;
  std::string host;
  int port = 0;
  if (ParseListen(config.listen, &host, &port)) {
    options.host = host;
    options.port = port;
  }
  options.threads = config.http_threads;
  return options;
}

DispatcherOptions DispatcherOptionsFrom(const Config& config) {
  DispatcherOptions options;
  options.max_attempts = config.max_attempts;
  options.lease = std::chrono::seconds(config.job_lease_seconds);
  options.lives.prompt = std::chrono::hours(config.prompt_life_hours);
  options.lives.digest = std::chrono::hours(config.digest_life_hours);
  options.lives.summary = std::chrono::hours(config.summary_life_hours);
  options.quiet_gap = std::chrono::hours(config.quiet_gap_hours);
  for (const auto& [platform, per_minute] :
       {std::pair<std::string, int>{"slack", config.slack_posts_per_minute},
        {"teams", config.teams_posts_per_minute},
        {"mattermost", config.mattermost_posts_per_minute}}) {
    PaceLimits limits = DefaultPaceLimits(platform);
    limits.workspace_per_minute = per_minute;
    if (config.posts_per_second > 0) {
      limits.workspace_per_minute = static_cast<int>(std::lround(config.posts_per_second * 60));
    }
    if (config.posts_burst > 0) limits.workspace_burst = config.posts_burst;
    limits.channel_per_second = config.channel_posts_per_second;
    limits.channel_burst = config.channel_posts_burst;
    options.pace[platform] = limits;
  }
  return options;
}

// Retry jitter; randomness is injected into the Dispatcher so tests can fix it.
BotLimits LimitsOf(const Config& config) {
  BotLimits limits;
  limits.user_commands_per_minute = config.user_commands_per_minute;
  limits.workspace_commands_per_minute = config.workspace_commands_per_minute;
  limits.public_url = config.public_url;
  return limits;
}

double RandomUnit() {
  thread_local std::mt19937 generator(std::random_device{}());
  return std::uniform_real_distribution<double>(0.0, 1.0)(generator);
}

}  // namespace

OkrbotServer::OkrbotServer(const Config& config, Store* store, const Clock* clock)
    : config_(config),
      store_(store),
      clock_(clock),
      bot_(store, clock, LimitsOf(config)),
      http_(ServerOptions(config), &metrics_),
      charts_(store, clock, config.public_url),
      planner_(store),
      dispatcher_(store, clock, DispatcherOptionsFrom(config), RandomUnit, &metrics_),
      runner_(&planner_, &dispatcher_, clock,
              std::chrono::seconds(config.scheduler_interval_seconds)) {
  spdlog::set_level(spdlog::level::from_str(config_.log_level));
  RetentionOptions retention;
  retention.seen_events = std::chrono::hours(24 * config_.seen_events_retention_days);
  retention.jobs = std::chrono::hours(24 * config_.jobs_retention_days);
  runner_.EnableRetention(store_, retention);
  bot_.SetCheckInObserver([this] { metrics_.CountCheckIn(); });
  if (!config_.secret_key.empty()) {
    auto box = SecretBox::FromHexKey(config_.secret_key);
    if (box.ok()) secret_box_.emplace(std::move(*box));
  }
  http_.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  http_.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    Status ping = store_->Ping();
    if (ping.ok()) {
      res.set_content("ready\n", "text/plain");
    } else {
      res.status = 503;
      // Operator-only (deploy/nginx.conf hides it): the reason helps, and holds no secret.
      res.set_content("database unavailable: " + ping.message() + "\n", "text/plain");
    }
  });
  http_.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    std::string body =
        "# HELP okrbot_build_info Build information.\n"
        "# TYPE okrbot_build_info gauge\n"
        "okrbot_build_info{version=\"" OKRBOT_VERSION "\"} 1\n";
    res.set_content(body + metrics_.Render(), "text/plain; version=0.0.4");
  });
  if (charts_.enabled()) {
    auto attach = [this](const std::string& workspace_id, Reply* reply) {
      charts_.Attach(workspace_id, reply);
    };
    bot_.SetReplyHook(attach);
    dispatcher_.SetReplyHook(attach);
    web::DashboardOptions dashboard_options;
    dashboard_options.public_url = config_.public_url;
    dashboard_ =
        std::make_unique<web::DashboardApp>(dashboard_options, store_, &bot_, &charts_, clock_);
    dashboard_->Register(&http_);
  }
  if (config_.slack_configured()) {
    SlackClientOptions client_options;
    client_options.api_base = config_.slack_api_base;
    slack_client_ = std::make_unique<SlackClient>(client_options);
    slack::SlackAppOptions app_options;
    app_options.signing_secret = config_.slack_signing_secret;
    app_options.bot_token = config_.slack_bot_token;
    app_options.client_id = config_.slack_client_id;
    app_options.client_secret = config_.slack_client_secret;
    app_options.command_budget = std::chrono::milliseconds(config_.slack_command_budget_ms);
    app_options.background_threads = config_.http_threads;
    if (!config_.slack_authorize_url.empty())
      app_options.authorize_url = config_.slack_authorize_url;
    slack_app_ =
        std::make_unique<slack::SlackApp>(app_options, store_, &bot_, slack_client_.get(),
                                          secret_box_ ? &*secret_box_ : nullptr, clock_, &metrics_);
    slack_app_->Register(&http_);
    if (config_.slack_socket_mode()) {
      SlackClientOptions socket_api_options = client_options;
      socket_api_options.max_attempts = 1;
      socket_api_options.connect_timeout = std::chrono::milliseconds(1000);
      socket_api_options.read_timeout = std::chrono::milliseconds(1000);
      slack_socket_api_ = std::make_unique<SlackClient>(socket_api_options);
      slack::SocketModeOptions socket_options;
      socket_options.app_token = config_.slack_app_token;
      socket_options.sockets = config_.slack_sockets;
      socket_options.ca_file = config_.slack_ca_file;
      socket_options.handler_threads = std::max(4, config_.http_threads / 2);
      socket_options.jitter = RandomUnit;
      slack_socket_ = std::make_unique<slack::SocketModeClient>(
          socket_options, slack_socket_api_.get(), store_, clock_,
          [app = slack_app_.get()](const std::string& type, const nlohmann::json& payload) {
            return app->AnswerEnvelope(type, payload);
          });
    }

    SlackClientOptions delivery_options = client_options;
    delivery_options.max_attempts = 1;
    delivery_options.max_retry_after = std::chrono::seconds(0);
    slack_delivery_client_ = std::make_unique<SlackClient>(delivery_options);
    slack_tokens_ = std::make_unique<slack::SlackTokens>(
        store_, secret_box_ ? &*secret_box_ : nullptr, config_.slack_bot_token);
    slack_deliverer_ =
        std::make_unique<slack::SlackDeliverer>(slack_delivery_client_.get(), slack_tokens_.get());
    dispatcher_.RegisterPlatform("slack", slack_deliverer_.get());
  }
  if (config_.teams_configured()) {
    teams::TeamsClientOptions client_options;
    client_options.app_id = config_.teams_app_id;
    client_options.app_password = config_.teams_app_password;
    client_options.token_url = config_.TeamsTokenUrl();
    client_options.scope = config_.teams_token_scope;
    teams_client_ = std::make_unique<teams::TeamsClient>(client_options, clock_);
    if (config_.teams_auth) {
      teams::TeamsAuthOptions auth_options;
      auth_options.app_id = config_.teams_app_id;
      auth_options.openid_url = config_.teams_openid_url;
      teams_auth_ = std::make_unique<teams::TeamsAuthenticator>(auth_options, clock_);
    } else {
      spdlog::warn(
          "teams: TEAMS_AUTH=off - /teams/messages accepts activities WITHOUT checking who sent "
          "them. Use this only for local development (Agents Playground), never on a network.");
    }
    teams_app_ = std::make_unique<teams::TeamsApp>(teams::TeamsAppOptions{}, store_, &bot_,
                                                   teams_client_.get(), teams_auth_.get(), clock_,
                                                   &metrics_);
    teams_app_->Register(&http_);
    teams_deliverer_ = std::make_unique<teams::TeamsDeliverer>(teams_client_.get(), store_, clock_);
    dispatcher_.RegisterPlatform("teams", teams_deliverer_.get());
  }
  if (config_.mattermost_configured()) {
    mattermost_app_ = std::make_unique<mattermost::MattermostApp>(
        mattermost::MattermostAppOptions{config_.mattermost_command_token}, store_, &bot_, clock_,
        &metrics_);
    mattermost_app_->Register(&http_);
    if (!config_.mattermost_url.empty() && !config_.mattermost_bot_token.empty()) {
      mattermost::MattermostClientOptions client_options;
      client_options.url = config_.mattermost_url;
      client_options.bot_token = config_.mattermost_bot_token;
      mattermost_client_ = std::make_unique<mattermost::MattermostClient>(client_options);
      mattermost_deliverer_ =
          std::make_unique<mattermost::MattermostDeliverer>(mattermost_client_.get());
      dispatcher_.RegisterPlatform("mattermost", mattermost_deliverer_.get());
    }
  }
}

OkrbotServer::~OkrbotServer() { Stop(); }

Status OkrbotServer::Start() {
  if (!http_.Bind()) {
    return Status::InvalidArgument("cannot listen on " + config_.listen +
                                   " (address in use or not permitted)");
  }
  serving_ = std::thread([this] { http_.Run(); });
  started_ = true;
  if (config_.scheduler) runner_.Start();
  if (slack_socket_) slack_socket_->Start();
  // stop() is ignored until the server runs, so Stop() right after Start() must wait for it.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!http_.IsRunning() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return Status::Ok();
}

void OkrbotServer::Stop() {
  if (!started_) return;
  started_ = false;
  runner_.Stop();
  if (slack_socket_) slack_socket_->Stop();  // before the app it hands envelopes to
  http_.Stop();
  if (serving_.joinable()) serving_.join();
  slack_app_.reset();  // drains its background work while the store is still there
  if (teams_app_) teams_app_->Drain();
}

}  // namespace okrbot
