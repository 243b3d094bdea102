// Operator configuration: environment variables (secrets) and an optional JSON file.
//
// Contract: LoadConfig reads every documented variable (README "Configuration"); the JSON file
// (`--config FILE` or OKRBOT_CONFIG) is an object whose keys are the same variable names, and
// the environment wins over the file. ValidateConfig names the first problem it finds in words
// an operator can act on. Values; thread-compatible.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace okrbot {

struct Config {
  std::string db_url = "sqlite://./okrbot.db";  // OKRBOT_DB
  std::string listen = "0.0.0.0:3000";          // OKRBOT_LISTEN
  // OKRBOT_PUBLIC_URL: where people and chat platforms reach this okrbot
  // ("https://okr.example.com", no trailing slash). The base of dashboard links and chart images;
  // "" = neither.
  std::string public_url;
  // OKRBOT_SOURCES_ALLOW: hosts and CIDR ranges data sources may fetch although they are
  // loopback, private or link-local, and over plain http (adapters/common/address_rule.h).
  std::string sources_allow;
  std::string secret_key;  // OKRBOT_SECRET_KEY (64 hex chars)
  bool scheduler = true;   // OKRBOT_SCHEDULER on|off
  // Pacing of scheduled posts (scheduler/delivery_policy.h). 0 = the platform's figure.
  double posts_per_second = 0;            // OKRBOT_POSTS_PER_SECOND: per workspace, all platforms
  int posts_burst = 0;                    // OKRBOT_POSTS_BURST: per workspace, all platforms
  int slack_posts_per_minute = 300;       // OKRBOT_SLACK_POSTS_PER_MINUTE
  int teams_posts_per_minute = 3000;      // OKRBOT_TEAMS_POSTS_PER_MINUTE
  int mattermost_posts_per_minute = 600;  // OKRBOT_MATTERMOST_POSTS_PER_MINUTE
  double channel_posts_per_second = 1.0;  // OKRBOT_CHANNEL_POSTS_PER_SECOND
  int channel_posts_burst = 3;            // OKRBOT_CHANNEL_POSTS_BURST
  // Useful life of a post, then dead (hours); the quiet gap between two prompts to one person.
  int prompt_life_hours = 24;    // OKRBOT_PROMPT_LIFE_HOURS
  int digest_life_hours = 72;    // OKRBOT_DIGEST_LIFE_HOURS
  int summary_life_hours = 168;  // OKRBOT_SUMMARY_LIFE_HOURS
  int quiet_gap_hours = 24;      // OKRBOT_QUIET_GAP_HOURS
  // Retention (the daily pass): seen platform events and finished (sent, dead) jobs.
  int seen_events_retention_days = 7;        // OKRBOT_SEEN_EVENTS_RETENTION_DAYS
  int jobs_retention_days = 90;              // OKRBOT_JOBS_RETENTION_DAYS
  int user_commands_per_minute = 30;         // OKRBOT_USER_COMMANDS_PER_MINUTE (0 = off)
  int workspace_commands_per_minute = 3000;  // OKRBOT_WORKSPACE_COMMANDS_PER_MINUTE
  int max_attempts = 0;   // OKRBOT_MAX_ATTEMPTS: a cap on attempts (0 = none, the life decides)
  int http_threads = 32;  // OKRBOT_HTTP_THREADS
  int db_pool = 8;        // OKRBOT_DB_POOL (PostgreSQL connections)
  int scheduler_interval_seconds = 30;  // OKRBOT_SCHEDULER_INTERVAL
  int job_lease_seconds = 120;          // OKRBOT_JOB_LEASE
  // OKRBOT_FAKE_CLOCK_FILE: testing only (refused in production). When set, the process reads
  // "now" from this file (an ISO-8601 instant) instead of the system clock, so several
  // replicas can be driven through a simulated quarter together.
  std::string fake_clock_file;
  std::string log_level = "info";  // OKRBOT_LOG_LEVEL
  bool production = false;         // OKRBOT_ENV=production

  std::string slack_signing_secret;                      // SLACK_SIGNING_SECRET
  std::string slack_bot_token;                           // SLACK_BOT_TOKEN
  std::string slack_client_id;                           // SLACK_CLIENT_ID
  std::string slack_client_secret;                       // SLACK_CLIENT_SECRET
  std::string slack_api_base = "https://slack.com/api";  // SLACK_API_BASE
  int slack_command_budget_ms = 2500;  // SLACK_COMMAND_BUDGET_MS: then answer via response_url
  std::string slack_authorize_url = "https://slack.com/oauth/v2/authorize";  // SLACK_AUTHORIZE_URL
  // Socket Mode (no public URL): the app-level token turns it on.
  std::string slack_app_token;  // SLACK_APP_TOKEN (xapp-...)
  int slack_sockets = 2;        // OKRBOT_SLACK_SOCKETS: connections at once
  std::string slack_ca_file;    // OKRBOT_SLACK_CA_FILE: CA bundle for wss:// (default: system)

  std::string teams_app_id;        // TEAMS_APP_ID
  std::string teams_app_password;  // TEAMS_APP_PASSWORD
  std::string teams_tenant_id;     // TEAMS_TENANT_ID
  std::string teams_openid_url =
      "https://login.botframework.com/v1/.well-known/openidconfiguration";  // TEAMS_OPENID_URL
  bool teams_auth = true;                                                   // TEAMS_AUTH on|off
  // TEAMS_TOKEN_URL; empty = the Microsoft identity platform for TEAMS_TENANT_ID (single-tenant
  // bots) or for botframework.com (multi-tenant bots). See TeamsTokenUrl().
  std::string teams_token_url;
  std::string teams_token_scope = "https://api.botframework.com/.default";  // TEAMS_TOKEN_SCOPE

  std::string mattermost_command_token;  // MATTERMOST_COMMAND_TOKEN
  std::string mattermost_url;            // MATTERMOST_URL
  std::string mattermost_bot_token;      // MATTERMOST_BOT_TOKEN

  bool slack_configured() const { return !slack_signing_secret.empty() || slack_socket_mode(); }
  bool slack_socket_mode() const { return !slack_app_token.empty(); }
  bool teams_configured() const { return !teams_app_id.empty() || !teams_auth; }
  std::string TeamsTokenUrl() const;
  bool mattermost_configured() const { return !mattermost_command_token.empty(); }
  // "slack: configured (single workspace)", "teams: not configured", ...
  std::vector<std::string> PlatformLines() const;
};

// Every variable LoadConfig reads, for `okrbot check-config` and the deploy files' tests.
const std::vector<std::string>& KnownConfigVariables();

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup ProcessEnvironment();

// `config_file` may be empty (then OKRBOT_CONFIG, if set, names the file).
Result<Config> LoadConfig(const EnvLookup& env, const std::string& config_file);
Status ValidateConfig(const Config& config);

// "0.0.0.0:3000", "127.0.0.1:0", "[::1]:8080" -> host and port.
bool ParseListen(const std::string& text, std::string* host, int* port);

}  // namespace okrbot
