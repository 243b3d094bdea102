#include "cli/config.h"

#include <nlohmann/json.hpp>

#include "adapters/common/address_rule.h"
#include "adapters/common/url.h"
#include "bot/secret_box.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace okrbot {

std::string Config::TeamsTokenUrl() const {
  if (!teams_token_url.empty()) return teams_token_url;
  return "https://login.microsoftonline.com/" +
         (teams_tenant_id.empty() ? std::string("botframework.com") : teams_tenant_id) +
         "/oauth2/v2.0/token";
}

std::vector<std::string> Config::PlatformLines() const {
  std::vector<std::string> lines;
  if (slack_configured()) {
    std::string mode = !slack_bot_token.empty()   ? "single workspace (SLACK_BOT_TOKEN)"
                       : !slack_client_id.empty() ? "multi-workspace OAuth"
                                                  : "signing secret only";
    if (slack_socket_mode()) {
      mode += ", Socket Mode (" + std::to_string(slack_sockets) + " connections, no public URL)";
    }
    lines.push_back("slack: configured, " + mode);
  } else {
    lines.push_back("slack: not configured (set SLACK_SIGNING_SECRET, or SLACK_APP_TOKEN)");
  }
  if (!teams_auth) {
    lines.push_back("teams: configured with TEAMS_AUTH=off (local development only!)");
  } else if (teams_configured()) {
    lines.push_back("teams: configured");
  } else {
    lines.push_back("teams: not configured (set TEAMS_APP_ID)");
  }
  if (!mattermost_configured()) {
    lines.push_back("mattermost: not configured (set MATTERMOST_COMMAND_TOKEN)");
  } else if (mattermost_url.empty() || mattermost_bot_token.empty()) {
    lines.push_back(
        "mattermost: configured (commands only; set MATTERMOST_URL and "
        "MATTERMOST_BOT_TOKEN for scheduled posts)");
  } else {
    lines.push_back("mattermost: configured");
  }
  return lines;
}

const std::vector<std::string>& KnownConfigVariables() {
  static const std::vector<std::string> kNames = {
      "OKRBOT_DB",
      "OKRBOT_LISTEN",
      "OKRBOT_PUBLIC_URL",
      "OKRBOT_SOURCES_ALLOW",
      "OKRBOT_SECRET_KEY",
      "OKRBOT_ENV",
      "OKRBOT_SCHEDULER",
      "OKRBOT_SCHEDULER_INTERVAL",
      "OKRBOT_JOB_LEASE",
      "OKRBOT_POSTS_PER_SECOND",
      "OKRBOT_POSTS_BURST",
      "OKRBOT_USER_COMMANDS_PER_MINUTE",
      "OKRBOT_WORKSPACE_COMMANDS_PER_MINUTE",
      "OKRBOT_MAX_ATTEMPTS",
      "OKRBOT_SLACK_POSTS_PER_MINUTE",
      "OKRBOT_TEAMS_POSTS_PER_MINUTE",
      "OKRBOT_MATTERMOST_POSTS_PER_MINUTE",
      "OKRBOT_CHANNEL_POSTS_PER_SECOND",
      "OKRBOT_CHANNEL_POSTS_BURST",
      "OKRBOT_PROMPT_LIFE_HOURS",
      "OKRBOT_DIGEST_LIFE_HOURS",
      "OKRBOT_SUMMARY_LIFE_HOURS",
      "OKRBOT_QUIET_GAP_HOURS",
      "OKRBOT_SEEN_EVENTS_RETENTION_DAYS",
      "OKRBOT_JOBS_RETENTION_DAYS",
      "OKRBOT_HTTP_THREADS",
      "OKRBOT_DB_POOL",
      "OKRBOT_LOG_LEVEL",
      "OKRBOT_CONFIG",
      "OKRBOT_FAKE_CLOCK_FILE",
      "OKRBOT_REVIEW_VOCABULARY",  // read by bot/vocabulary.cc from the environment
      "SLACK_SIGNING_SECRET",
      "SLACK_BOT_TOKEN",
      "SLACK_CLIENT_ID",
      "SLACK_CLIENT_SECRET",
      "SLACK_API_BASE",
      "SLACK_AUTHORIZE_URL",
      "SLACK_COMMAND_BUDGET_MS",
      "SLACK_APP_TOKEN",
      "OKRBOT_SLACK_SOCKETS",
      "OKRBOT_SLACK_CA_FILE",
      "TEAMS_APP_ID",
      "TEAMS_APP_PASSWORD",
      "TEAMS_TENANT_ID",
      "TEAMS_OPENID_URL",
      "TEAMS_AUTH",
      "TEAMS_TOKEN_URL",
      "TEAMS_TOKEN_SCOPE",
      "MATTERMOST_COMMAND_TOKEN",
      "MATTERMOST_URL",
      "MATTERMOST_BOT_TOKEN",
  };
  return kNames;
}

EnvLookup ProcessEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

namespace {

Status ParseSwitch(const std::string& name, const std::string& value, bool* out) {
  std::string v;
  for (unsigned char c : value) v.push_back(static_cast<char>(std::tolower(c)));
  if (v == "on" || v == "true" || v == "1" || v == "yes") {
    *out = true;
  } else if (v == "off" || v == "false" || v == "0" || v == "no") {
    *out = false;
  } else {
    return Status::InvalidArgument(name + " must be on or off, not \"" + value + "\".");
  }
  return Status::Ok();
}

}  // namespace

Result<Config> LoadConfig(const EnvLookup& env, const std::string& config_file) {
  std::string file = config_file;
  if (file.empty()) file = env("OKRBOT_CONFIG").value_or("");
  nlohmann::json from_file = nlohmann::json::object();
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) return Status::InvalidArgument("Cannot read the config file " + file + ".");
    std::stringstream buffer;
    buffer << in.rdbuf();
    from_file = nlohmann::json::parse(buffer.str(), nullptr, false);
    if (from_file.is_discarded() || !from_file.is_object()) {
      return Status::InvalidArgument("The config file " + file +
                                     " is not a JSON object of VARIABLE: value pairs.");
    }
    for (const auto& [key, value] : from_file.items()) {
      if (!value.is_string() && !value.is_number() && !value.is_boolean()) {
        return Status::InvalidArgument("In " + file + ", " + key +
                                       " must be a string, number or boolean.");
      }
    }
  }
  auto get = [&](const std::string& name) -> std::optional<std::string> {
    if (auto v = env(name)) return v;
    if (from_file.contains(name)) {
      const auto& v = from_file.at(name);
      if (v.is_string()) return v.get<std::string>();
      if (v.is_boolean()) return std::string(v.get<bool>() ? "on" : "off");
      return v.dump();
    }
    return std::nullopt;
  };
  Config c;
  auto set = [&](const char* name, std::string* field) {
    if (auto v = get(name)) *field = *v;
  };
  set("OKRBOT_DB", &c.db_url);
  set("OKRBOT_LISTEN", &c.listen);
  set("OKRBOT_PUBLIC_URL", &c.public_url);
  set("OKRBOT_SOURCES_ALLOW", &c.sources_allow);
  while (!c.public_url.empty() && c.public_url.back() == '/') c.public_url.pop_back();
  set("OKRBOT_SECRET_KEY", &c.secret_key);
  set("OKRBOT_LOG_LEVEL", &c.log_level);
  set("SLACK_SIGNING_SECRET", &c.slack_signing_secret);
  set("SLACK_BOT_TOKEN", &c.slack_bot_token);
  set("SLACK_CLIENT_ID", &c.slack_client_id);
  set("SLACK_CLIENT_SECRET", &c.slack_client_secret);
  set("SLACK_API_BASE", &c.slack_api_base);
  set("SLACK_AUTHORIZE_URL", &c.slack_authorize_url);
  set("SLACK_APP_TOKEN", &c.slack_app_token);
  set("OKRBOT_SLACK_CA_FILE", &c.slack_ca_file);
  set("TEAMS_APP_ID", &c.teams_app_id);
  set("TEAMS_APP_PASSWORD", &c.teams_app_password);
  set("TEAMS_TENANT_ID", &c.teams_tenant_id);
  set("TEAMS_OPENID_URL", &c.teams_openid_url);
  set("TEAMS_TOKEN_URL", &c.teams_token_url);
  set("TEAMS_TOKEN_SCOPE", &c.teams_token_scope);
  set("MATTERMOST_COMMAND_TOKEN", &c.mattermost_command_token);
  set("MATTERMOST_URL", &c.mattermost_url);
  set("MATTERMOST_BOT_TOKEN", &c.mattermost_bot_token);
  set("OKRBOT_FAKE_CLOCK_FILE", &c.fake_clock_file);
  if (auto v = get("OKRBOT_SCHEDULER"))
    OKRBOT_RETURN_IF_ERROR(ParseSwitch("OKRBOT_SCHEDULER", *v, &c.scheduler));
  if (auto v = get("TEAMS_AUTH"))
    OKRBOT_RETURN_IF_ERROR(ParseSwitch("TEAMS_AUTH", *v, &c.teams_auth));
  if (auto v = get("SLACK_COMMAND_BUDGET_MS")) {
    char* end = nullptr;
    long n = std::strtol(v->c_str(), &end, 10);
    if (v->empty() || *end != '\0' || n < 10 || n > 2900) {
      return Status::InvalidArgument(
          "SLACK_COMMAND_BUDGET_MS must be 10 to 2900 (Slack waits 3 s).");
    }
    c.slack_command_budget_ms = static_cast<int>(n);
  }
  auto whole_number = [&](const char* name, int lo, int hi, int* field) -> Status {
    auto v = get(name);
    if (!v) return Status::Ok();
    char* end = nullptr;
    long n = std::strtol(v->c_str(), &end, 10);
    if (v->empty() || *end != '\0' || n < lo || n > hi) {
      return Status::InvalidArgument(std::string(name) + " must be a whole number from " +
                                     std::to_string(lo) + " to " + std::to_string(hi) + ".");
    }
    *field = static_cast<int>(n);
    return Status::Ok();
  };
  OKRBOT_RETURN_IF_ERROR(whole_number("OKRBOT_POSTS_BURST", 1, 1000, &c.posts_burst));
  OKRBOT_RETURN_IF_ERROR(whole_number("OKRBOT_SLACK_SOCKETS", 1, 10, &c.slack_sockets));
  OKRBOT_RETURN_IF_ERROR(whole_number("OKRBOT_MAX_ATTEMPTS", 0, 1000, &c.max_attempts));
  OKRBOT_RETURN_IF_ERROR(
      whole_number("OKRBOT_SLACK_POSTS_PER_MINUTE", 1, 100000, &c.slack_posts_per_minute));
  OKRBOT_RETURN_IF_ERROR(
      whole_number("OKRBOT_TEAMS_POSTS_PER_MINUTE", 1, 100000, &c.teams_posts_per_minute));
  OKRBOT_RETURN_IF_ERROR(whole_number("OKRBOT_MATTERMOST_POSTS_PER_MINUTE", 1, 100000,
                                      &c.mattermost_posts_per_minute));
  OKRBOT_RETURN_IF_ERROR(
      whole_number("OKRBOT_CHANNEL_POSTS_BURST", 1, 1000, &c.channel_posts_burst));
  OKRBOT_RETURN_IF_ERROR(
      whole_number("OKRBOT_PROMPT_LIFE_HOURS", 1, 24 * 30, &c.prompt_life_hours));
  OKRBOT_RETURN_IF_ERROR(
      whole_number("OKRBOT_DIGEST_LIFE_HOURS", 1, 24 * 30, &c.digest_life_hours));
  OKRBOT_RETURN_IF_ERROR(
      whole_number("OKRBOT_SUMMARY_LIFE_HOURS", 1, 24 * 60, &c.summary_life_hours));
  OKRBOT_RETURN_IF_ERROR(whole_number("OKRBOT_QUIET_GAP_HOURS", 0, 24 * 7, &c.quiet_gap_hours));
  // Seen events guard against replays: keep them well past every platform's replay window
  // (Slack's 5 minutes, Teams' token lifetime of about an hour).
  OKRBOT_RETURN_IF_ERROR(
      whole_number("OKRBOT_SEEN_EVENTS_RETENTION_DAYS", 1, 3650, &c.seen_events_retention_days));
  // Job keys stop a post from being planned twice; a quarter's posts (up to 92 days) must outlive
  // the cycle that can plan them again.
  OKRBOT_RETURN_IF_ERROR(
      whole_number("OKRBOT_JOBS_RETENTION_DAYS", 90, 3650, &c.jobs_retention_days));
  OKRBOT_RETURN_IF_ERROR(
      whole_number("OKRBOT_USER_COMMANDS_PER_MINUTE", 0, 100000, &c.user_commands_per_minute));
  OKRBOT_RETURN_IF_ERROR(whole_number("OKRBOT_WORKSPACE_COMMANDS_PER_MINUTE", 0, 10000000,
                                      &c.workspace_commands_per_minute));
  OKRBOT_RETURN_IF_ERROR(whole_number("OKRBOT_DB_POOL", 1, 64, &c.db_pool));
  OKRBOT_RETURN_IF_ERROR(
      whole_number("OKRBOT_SCHEDULER_INTERVAL", 1, 3600, &c.scheduler_interval_seconds));
  OKRBOT_RETURN_IF_ERROR(whole_number("OKRBOT_JOB_LEASE", 5, 86400, &c.job_lease_seconds));
  auto rate = [&](const char* name, double* field) -> Status {
    auto v = get(name);
    if (!v) return Status::Ok();
    char* end = nullptr;
    double n = std::strtod(v->c_str(), &end);
    if (v->empty() || *end != '\0' || !(n > 0) || n > 1000) {
      return Status::InvalidArgument(std::string(name) +
                                     " must be a number above 0 (at most 1000).");
    }
    *field = n;
    return Status::Ok();
  };
  OKRBOT_RETURN_IF_ERROR(rate("OKRBOT_POSTS_PER_SECOND", &c.posts_per_second));
  OKRBOT_RETURN_IF_ERROR(rate("OKRBOT_CHANNEL_POSTS_PER_SECOND", &c.channel_posts_per_second));
  if (auto v = get("OKRBOT_ENV")) c.production = *v == "production";
  if (auto v = get("OKRBOT_HTTP_THREADS")) {
    char* end = nullptr;
    long n = std::strtol(v->c_str(), &end, 10);
    if (v->empty() || *end != '\0' || n < 2 || n > 1024) {
      return Status::InvalidArgument("OKRBOT_HTTP_THREADS must be a whole number from 2 to 1024.");
    }
    c.http_threads = static_cast<int>(n);
  }
  return c;
}

bool ParseListen(const std::string& text, std::string* host, int* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= text.size()) return false;
  std::string h = text.substr(0, colon);
  if (h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  std::string p = text.substr(colon + 1);
  if (h.empty() || p.size() > 5) return false;
  for (unsigned char c : p) {
    if (!std::isdigit(c)) return false;
  }
  int n = std::stoi(p);
  if (n > 65535) return false;
  *host = h;
  *port = n;
  return true;
}

// What kind of Slack token a value looks like, for messages about a token in the wrong place.
static std::string SlackTokenKind(const std::string& token) {
  if (token.rfind("xoxb-", 0) == 0) return "a bot token (xoxb-)";
  if (token.rfind("xapp-", 0) == 0) return "an app-level token (xapp-)";
  if (token.rfind("xoxp-", 0) == 0) return "a user token (xoxp-)";
  if (token.rfind("xoxe", 0) == 0) return "a rotating/refresh token (xoxe)";
  return "";
}

static Status ValidateSlackTokens(const Config& c) {
  auto starts = [](const std::string& token, const char* prefix) {
    return token.rfind(prefix, 0) == 0;
  };
  if (!c.slack_app_token.empty() && !starts(c.slack_app_token, "xapp-")) {
    std::string kind = SlackTokenKind(c.slack_app_token);
    return Status::InvalidArgument(
        "SLACK_APP_TOKEN must be the app-level token (starts with xapp-; Slack app settings -> "
        "Basic Information -> App-Level Tokens, scope connections:write), but it holds " +
        (kind.empty() ? std::string("something else") : kind) +
        (starts(c.slack_app_token, "xoxb-") ? "; the bot token goes in SLACK_BOT_TOKEN." : "."));
  }
  // A token of another known kind in SLACK_BOT_TOKEN (an unknown shape is left to Slack).
  std::string bot_kind = SlackTokenKind(c.slack_bot_token);
  if (!bot_kind.empty() && !starts(c.slack_bot_token, "xoxb-")) {
    return Status::InvalidArgument("SLACK_BOT_TOKEN holds " + bot_kind +
                                   (starts(c.slack_bot_token, "xapp-")
                                        ? ": put it in SLACK_APP_TOKEN (Socket Mode) and set"
                                          " SLACK_BOT_TOKEN to"
                                        : ": use") +
                                   " the Bot User OAuth Token (xoxb-, OAuth & Permissions).");
  }
  if (c.slack_socket_mode() && c.slack_bot_token.empty() && c.slack_client_id.empty()) {
    return Status::InvalidArgument(
        "SLACK_APP_TOKEN (Socket Mode) also needs SLACK_BOT_TOKEN (xoxb-, OAuth & Permissions) "
        "to answer in Slack.");
  }
  if (c.slack_socket_mode() && !c.slack_ca_file.empty() && !std::ifstream(c.slack_ca_file)) {
    return Status::InvalidArgument("OKRBOT_SLACK_CA_FILE " + c.slack_ca_file + " cannot be read.");
  }
  return Status::Ok();
}

Status ValidateConfig(const Config& c) {
  std::string host;
  int port = 0;
  if (!ParseListen(c.listen, &host, &port)) {
    return Status::InvalidArgument("OKRBOT_LISTEN must be HOST:PORT (e.g. 0.0.0.0:3000), not \"" +
                                   c.listen + "\".");
  }
  if (!c.public_url.empty()) {
    HttpUrl url;
    if (!ParseHttpUrl(c.public_url, &url) || !url.path.empty()) {
      return Status::InvalidArgument(
          "OKRBOT_PUBLIC_URL must be the http(s) address people open okrbot at, without a path, "
          "e.g. https://okr.example.com, not \"" +
          c.public_url + "\".");
    }
  }
  if (auto allow = SourceAllowList::Parse(c.sources_allow); !allow.ok()) return allow.status();
  bool sqlite = c.db_url.rfind("sqlite://", 0) == 0;
  bool postgres = c.db_url.rfind("postgresql://", 0) == 0 || c.db_url.rfind("postgres://", 0) == 0;
  if (!sqlite && !postgres) {
    return Status::InvalidArgument(
        "OKRBOT_DB must be sqlite:///path/to/file.db or postgresql://user@host/db.");
  }
  if (!c.secret_key.empty()) {
    bool hex = c.secret_key.size() == 64;
    for (unsigned char ch : c.secret_key) hex = hex && std::isxdigit(ch);
    if (!hex) {
      return Status::InvalidArgument(
          "OKRBOT_SECRET_KEY must be 64 hex characters (32 random bytes): "
          "generate one with `openssl rand -hex 32`.");
    }
    if (std::string weak = SecretBox::WeakKeyReason(c.secret_key); c.production && !weak.empty()) {
      return Status::InvalidArgument("OKRBOT_SECRET_KEY is too predictable for production (" +
                                     weak + "): generate one with `openssl rand -hex 32`.");
    }
  } else if (c.production) {
    return Status::InvalidArgument(
        "OKRBOT_SECRET_KEY is required in production (OKRBOT_ENV=production): "
        "generate one with `openssl rand -hex 32`.");
  }
  if (c.production && !c.fake_clock_file.empty()) {
    return Status::InvalidArgument(
        "OKRBOT_FAKE_CLOCK_FILE is for tests only (it replaces the system clock), not "
        "production.");
  }
  if (c.production && !c.teams_auth) {
    return Status::InvalidArgument("TEAMS_AUTH=off is for local development only, not production.");
  }
  for (const auto& [name, url] :
       {std::pair<std::string, std::string>{"SLACK_API_BASE", c.slack_api_base},
        {"TEAMS_OPENID_URL", c.teams_openid_url},
        {"TEAMS_TOKEN_URL", c.TeamsTokenUrl()}}) {
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
      return Status::InvalidArgument(name + " must be an http(s) URL.");
    }
  }
  if (c.log_level != "trace" && c.log_level != "debug" && c.log_level != "info" &&
      c.log_level != "warn" && c.log_level != "error" && c.log_level != "off") {
    return Status::InvalidArgument(
        "OKRBOT_LOG_LEVEL must be trace, debug, info, warn, error or off.");
  }
  if (c.mattermost_configured() && c.mattermost_url.empty() != c.mattermost_bot_token.empty()) {
    return Status::InvalidArgument(
        "MATTERMOST_URL and MATTERMOST_BOT_TOKEN go together (both are needed for scheduled "
        "posts).");
  }
  if (!c.mattermost_url.empty() && c.mattermost_url.rfind("http://", 0) != 0 &&
      c.mattermost_url.rfind("https://", 0) != 0) {
    return Status::InvalidArgument("MATTERMOST_URL must be an http(s) URL.");
  }
  if (!c.teams_app_id.empty() && c.teams_app_password.empty()) {
    return Status::InvalidArgument(
        "TEAMS_APP_ID is set but TEAMS_APP_PASSWORD is not (the bot's client secret, needed to "
        "answer in Teams).");
  }
  if (c.teams_auth && c.teams_app_id.empty() && !c.teams_app_password.empty()) {
    return Status::InvalidArgument("TEAMS_APP_PASSWORD is set but TEAMS_APP_ID is not.");
  }
  if (Status tokens = ValidateSlackTokens(c); !tokens.ok()) return tokens;
  if (!c.slack_client_id.empty() && c.slack_client_secret.empty()) {
    return Status::InvalidArgument("SLACK_CLIENT_ID is set but SLACK_CLIENT_SECRET is not.");
  }
  return Status::Ok();
}

}  // namespace okrbot
