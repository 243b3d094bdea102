#include "cli/commands.h"

#include <unistd.h>

#include <charconv>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/console/console_adapter.h"
#include "adapters/mattermost/mattermost_directory.h"
#include "adapters/slack/slack_client.h"
#include "adapters/slack/slack_directory.h"
#include "adapters/slack/slack_tokens.h"
#include "bot/bot.h"
#include "bot/plan_import.h"
#include "bot/portable.h"
#include "bot/secret_box.h"
#include "bot/version.h"
#include "cli/config.h"
#include "cli/file_clock.h"
#include "cli/serve.h"
#include "cli/server.h"
#include "storage/open_store.h"

namespace okrbot {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

const char kUsage[] =
    "okrbot — OKR accountability bot for Slack, Microsoft Teams and Mattermost\n"
    "\n"
    "Usage: okrbot [--config FILE] [--db URL] <command> [options]\n"
    "\n"
    "Commands:\n"
    "  serve [--listen HOST:PORT]   run the webhook server (migrates the database first)\n"
    "  console [--user NAME] [--workspace ID] [--admin] [--tz ZONE]\n"
    "                               the bot on stdin/stdout: each line is a /okr command\n"
    "  import FILE                  load OKRs from an okrbot JSON export\n"
    "  import plan.csv --workspace ID [--map COLUMN=FIELD]... [--dry-run]\n"
    "                               load a plan from a spreadsheet (one row per key result)\n"
    "  export [--format json|csv] [--workspace ID]\n"
    "                               write OKRs to stdout\n"
    "  run-due [--now ISO-8601]     one scheduler pass: plan what is due, send the outbox\n"
    "  jobs [--state pending|sent|dead] [--workspace ID]\n"
    "                               list scheduled posts (the outbox)\n"
    "  jobs retry ID|KEY            send a dead (or pending) post again now, with a fresh life\n"
    "  stats                        rows per table and the database's size\n"
    "  sessions [--workspace ID]    signed-in dashboard browsers\n"
    "  sessions revoke ID           sign one out now\n"
    "  migrate                      bring the database schema up to date\n"
    "  check-config                 validate the configuration and exit\n"
    "  rotate-key --new-key-file FILE\n"
    "                               re-encrypt stored bot tokens under a new OKRBOT_SECRET_KEY\n"
    "\n"
    "Options: --help, --version. Configuration comes from environment variables (see the\n"
    "README): OKRBOT_DB (default sqlite://./okrbot.db), OKRBOT_LISTEN (default 0.0.0.0:3000), ...\n"
    "Exit codes: 0 success, 2 usage or configuration error, 1 anything else.\n";

struct Args {
  std::string command;
  std::map<std::string, std::string> options;  // --key value (or "" for flags)
  std::vector<std::string> positional;
  std::vector<std::string> maps;  // every --map COLUMN=FIELD, in order
};

bool TakesValue(const std::string& flag) {
  return flag == "--config" || flag == "--db" || flag == "--listen" || flag == "--user" ||
         flag == "--workspace" || flag == "--format" || flag == "--tz" || flag == "--now" ||
         flag == "--state" || flag == "--new-key-file" || flag == "--map";
}

bool ParseArgs(int argc, char** argv, Args* args, std::string* error) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) == 0) {
      std::string value;
      size_t eq = a.find('=');
      if (eq != std::string::npos) {
        value = a.substr(eq + 1);
        a = a.substr(0, eq);
      } else if (TakesValue(a)) {
        if (i + 1 >= argc) {
          *error = a + " needs a value";
          return false;
        }
        value = argv[++i];
      }
      if (a == "--map") args->maps.push_back(value);
      args->options[a] = value;
    } else if (args->command.empty()) {
      args->command = a;
    } else {
      args->positional.push_back(a);
    }
  }
  return true;
}

Status CheckOptions(const Args& args, const std::vector<const char*>& allowed) {
  for (const auto& [key, value] : args.options) {
    bool ok = key == "--config" || key == "--db";
    for (const char* a : allowed) ok = ok || key == a;
    if (!ok)
      return Status::InvalidArgument("unknown option " + key + " for `" + args.command + "`");
  }
  return Status::Ok();
}

OpenStoreOptions StoreOptionsFrom(const Config& config) {
  OpenStoreOptions options;
  options.postgres_pool_size = config.db_pool;
  return options;
}

Result<std::unique_ptr<Store>> OpenMigratedStore(const Config& config) {
  auto store = OpenStore(config.db_url, StoreOptionsFrom(config));
  if (!store.ok()) return store.status();
  OKRBOT_RETURN_IF_ERROR((*store)->Migrate());
  return std::move(*store);
}

// Re-seals every stored bot token under the key in --new-key-file. Safe to run again after an
// interruption: tokens the new key already opens are left alone. Keys and tokens are never
// printed.
int RotateKey(const Config& config, Store* store, Args& args, std::ostream& out,
              std::ostream& err) {
  if (config.secret_key.empty()) {
    err << "okrbot: rotate-key needs the current key in OKRBOT_SECRET_KEY\n";
    return kExitUsage;
  }
  if (!args.options.count("--new-key-file") || args.options["--new-key-file"].empty()) {
    err << "okrbot: rotate-key needs --new-key-file FILE (the new key, 64 hex characters; a "
           "file keeps it out of the process list)\n";
    return kExitUsage;
  }
  std::ifstream file(args.options["--new-key-file"]);
  std::string new_hex;
  if (!file || !(file >> new_hex)) {
    err << "okrbot: cannot read the new key from " << args.options["--new-key-file"] << "\n";
    return kExitUsage;
  }
  auto current = SecretBox::FromHexKey(config.secret_key);
  auto next = SecretBox::FromHexKey(new_hex);
  if (!current.ok() || !next.ok()) {
    err << "okrbot: " << (current.ok() ? next : current).status().message() << "\n";
    return kExitUsage;
  }
  if (std::string weak = SecretBox::WeakKeyReason(new_hex); !weak.empty()) {
    err << "okrbot: the new key is too predictable (" << weak
        << "): generate one with `openssl rand -hex 32`\n";
    return kExitUsage;
  }
  if (new_hex == config.secret_key) {
    err << "okrbot: the new key is the current key\n";
    return kExitUsage;
  }
  auto workspaces = store->ListWorkspaces();
  if (!workspaces.ok()) {
    err << "okrbot: " << workspaces.status().message() << "\n";
    return kExitFailure;
  }
  int rotated = 0, already = 0, failed = 0;
  for (const Workspace& workspace : *workspaces) {
    auto installation = store->GetInstallation(workspace.id);
    if (!installation.ok() || installation->bot_token_sealed.empty()) continue;
    if (next->Open(installation->bot_token_sealed).ok()) {
      ++already;
      continue;
    }
    auto token = current->Open(installation->bot_token_sealed);
    if (!token.ok()) {
      err << "okrbot: the token of " << workspace.id << " opens with neither key; left as it is\n";
      ++failed;
      continue;
    }
    Installation updated = *installation;
    updated.bot_token_sealed = next->Seal(*token);
    if (Status saved = store->UpsertInstallation(updated); !saved.ok()) {
      err << "okrbot: cannot save the token of " << workspace.id << ": " << saved.message() << "\n";
      ++failed;
      continue;
    }
    ++rotated;
  }
  out << "rotated " << rotated << " token(s); " << already << " already under the new key; "
      << failed << " failed\n";
  if (failed > 0) return kExitFailure;
  out << "now set OKRBOT_SECRET_KEY to the new key on every replica and restart them\n";
  return kExitOk;
}

// A spreadsheet rather than an okrbot JSON export: named .csv, or given a workspace.
bool IsSpreadsheetImport(const Args& args) {
  const std::string& path = args.positional[0];
  std::string lower = path;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return args.options.count("--workspace") ||
         (lower.size() > 4 && lower.compare(lower.size() - 4, 4, ".csv") == 0);
}

// Owners given by email are looked up on the workspace's platform. Only Slack has a directory
// the CLI can reach on its own (the bot token is in the store); elsewhere an email is a row error
// that says so.
class UnavailableDirectory : public UserDirectory {
 public:
  explicit UnavailableDirectory(Status why) : why_(std::move(why)) {}
  Result<DirectoryUser> FindByEmail(const std::string&) override { return why_; }

 private:
  Status why_;
};

// The file's bytes, or nothing after telling the operator it cannot be read.
std::optional<std::string> ReadWholeFile(const std::string& path, std::ostream& err) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    err << "okrbot: cannot read " << path << "\n";
    return std::nullopt;
  }
  std::stringstream buffer;
  buffer << file.rdbuf();
  return buffer.str();
}

int ImportSpreadsheet(const Config& config, Store* store, Args& args, std::ostream& out,
                      std::ostream& err) {
  PlanImportOptions options;
  options.workspace_id = args.options.count("--workspace") ? args.options["--workspace"] : "";
  if (options.workspace_id.empty()) {
    err << "okrbot: importing a spreadsheet needs --workspace ID (see `okrbot export` for ids)\n";
    return kExitUsage;
  }
  options.dry_run = args.options.count("--dry-run") != 0;
  for (const std::string& map : args.maps) {
    size_t eq = map.rfind('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == map.size()) {
      err << "okrbot: --map takes COLUMN=FIELD, e.g. --map \"Objective Name=objective\"\n";
      return kExitUsage;
    }
    options.map[map.substr(0, eq)] = map.substr(eq + 1);
  }
  std::optional<std::string> text = ReadWholeFile(args.positional[0], err);
  if (!text) return kExitUsage;

  std::unique_ptr<UserDirectory> directory;
  std::optional<SecretBox> box;
  SlackClientOptions slack_options;
  slack_options.api_base = config.slack_api_base;
  SlackClient slack_client(slack_options);
  auto workspace = store->GetWorkspace(options.workspace_id);
  if (workspace.ok() && workspace->platform == "slack") {
    if (!config.secret_key.empty()) {
      if (auto opened = SecretBox::FromHexKey(config.secret_key); opened.ok()) box = *opened;
    }
    slack::SlackTokens tokens(store, box ? &*box : nullptr, config.slack_bot_token);
    auto token = tokens.TokenFor(options.workspace_id);
    if (token.ok()) {
      directory = std::make_unique<slack::SlackUserDirectory>(&slack_client, *token);
    } else {
      directory = std::make_unique<UnavailableDirectory>(Status::FailedPrecondition(
          "emails cannot be matched without the workspace's Slack bot token (" +
          token.status().message() + ")"));
    }
  }
  mattermost::MattermostClientOptions mattermost_options;
  mattermost_options.url = config.mattermost_url;
  mattermost_options.bot_token = config.mattermost_bot_token;
  mattermost::MattermostClient mattermost_client(mattermost_options);
  if (workspace.ok() && workspace->platform == "mattermost" && !config.mattermost_url.empty()) {
    directory = std::make_unique<mattermost::MattermostUserDirectory>(&mattermost_client);
  }
  ClockChoice clock(config.fake_clock_file);
  auto report = ImportPlan(store, clock.clock, directory.get(), *text, options);
  if (!report.ok()) {
    err << "okrbot: import failed, nothing was imported: " << report.status().message() << "\n";
    return report.status().code() == StatusCode::kInvalidArgument ||
                   report.status().code() == StatusCode::kNotFound
               ? kExitUsage
               : kExitFailure;
  }
  if (!report->errors.empty()) {
    err << report->Text();
    return kExitFailure;
  }
  out << report->Text();
  return report->ok() ? kExitOk : kExitFailure;
}

}  // namespace

int RunCli(int argc, char** argv, std::istream& in, std::ostream& out, std::ostream& err) {
  Args args;
  std::string error;
  if (!ParseArgs(argc, argv, &args, &error)) {
    err << "okrbot: " << error << "\n" << kUsage;
    return kExitUsage;
  }
  if (args.options.count("--version") || args.command == "version") {
    out << "okrbot " << OKRBOT_VERSION << "\n";
    return kExitOk;
  }
  if (args.options.count("--help") || args.command == "help" || args.command.empty()) {
    (args.command.empty() && !args.options.count("--help") ? err : out) << kUsage;
    return args.command.empty() && !args.options.count("--help") ? kExitUsage : kExitOk;
  }
  std::string config_file = args.options.count("--config") ? args.options["--config"] : "";
  auto config_or = LoadConfig(ProcessEnvironment(), config_file);
  if (!config_or.ok()) {
    err << "okrbot: " << config_or.status().message() << "\n";
    return kExitUsage;
  }
  Config config = *config_or;
  if (args.options.count("--db")) config.db_url = args.options["--db"];
  if (args.options.count("--listen")) config.listen = args.options["--listen"];
  if (Status s = ValidateConfig(config); !s.ok()) {
    err << "okrbot: configuration error: " << s.message() << "\n";
    return kExitUsage;
  }

  const std::string& cmd = args.command;
  // The options each command takes (besides the global --config and --db).
  static const std::map<std::string, std::vector<const char*>> kCommandOptions = {
      {"serve", {"--listen"}},
      {"console", {"--user", "--workspace", "--admin", "--tz"}},
      {"import", {"--workspace", "--map", "--dry-run"}},
      {"migrate", {}},
      {"check-config", {}},
      {"export", {"--format", "--workspace"}},
      {"run-due", {"--now"}},
      {"jobs", {"--state", "--workspace"}},
      {"stats", {}},
      {"rotate-key", {"--new-key-file"}},
      {"sessions", {"--workspace"}},
  };
  auto command_options = kCommandOptions.find(cmd);
  if (command_options == kCommandOptions.end()) {
    err << "okrbot: unknown command `" << cmd << "`\n" << kUsage;
    return kExitUsage;
  }
  Status options_ok = CheckOptions(args, command_options->second);
  if (!options_ok.ok()) {
    err << "okrbot: " << options_ok.message() << "\n";
    return kExitUsage;
  }
  bool wants_positional = cmd == "import";
  bool jobs_retry = cmd == "jobs" && args.positional.size() == 2 && args.positional[0] == "retry";
  bool sessions_revoke =
      cmd == "sessions" && args.positional.size() == 2 && args.positional[0] == "revoke";
  if (jobs_retry || sessions_revoke ||
      (cmd == "jobs" && args.positional.size() == 1 && args.positional[0] == "list")) {
    // `jobs list` and `jobs retry ID` take their own words.
  } else if ((wants_positional && args.positional.size() != 1) ||
             (!wants_positional && !args.positional.empty())) {
    err << "okrbot: "
        << (wants_positional ? "import takes exactly one FILE"
                             : "unexpected argument " + args.positional[0])
        << "\n";
    return kExitUsage;
  }

  if (cmd == "check-config") {
    auto store = OpenStore(config.db_url, StoreOptionsFrom(config));
    if (!store.ok()) {
      err << "okrbot: configuration error: " << store.status().message() << "\n";
      return kExitUsage;
    }
    out << "configuration ok\n";
    out << "database: " << RedactUrl(config.db_url) << "\n";
    if (Status ping = (*store)->Ping(); !ping.ok()) {
      out << "warning: the database does not answer: " << ping.message() << "\n";
    }
    for (const auto& line : config.PlatformLines()) out << line << "\n";
    if (config.secret_key.empty()) {
      out << "warning: OKRBOT_SECRET_KEY is not set; tokens cannot be stored encrypted\n";
    }
    return kExitOk;
  }

  auto store = OpenMigratedStore(config);
  if (!store.ok()) {
    err << "okrbot: cannot open the database " << RedactUrl(config.db_url) << ": "
        << store.status().message() << "\n";
    return store.status().code() == StatusCode::kInvalidArgument ||
                   store.status().code() == StatusCode::kFailedPrecondition
               ? kExitUsage
               : kExitFailure;
  }

  if (cmd == "migrate") {
    auto version = (*store)->SchemaVersion();
    if (!version.ok()) {
      err << "okrbot: " << version.status().message() << "\n";
      return kExitFailure;
    }
    out << "database schema at version " << *version << "\n";
    return kExitOk;
  }
  if (cmd == "serve") return RunServe(config, store->get(), out, err);
  if (cmd == "rotate-key") return RotateKey(config, store->get(), args, out, err);
  if (cmd == "jobs") {
    if (jobs_retry) {
      const std::string& wanted = args.positional[1];
      JobFilter all;
      all.limit = 1000000;
      auto jobs = (*store)->ListJobs(all);
      if (!jobs.ok()) {
        err << "okrbot: " << jobs.status().message() << "\n";
        return kExitFailure;
      }
      for (const Job& job : *jobs) {
        if (std::to_string(job.id) != wanted && job.key != wanted) continue;
        if (job.state == JobState::kSent) {
          err << "okrbot: job " << job.key << " was already sent\n";
          return kExitUsage;
        }
        // Pending now, with a fresh life: a post that died of old age would otherwise die again.
        Status retried =
            (*store)->RequeueJob(job.id, ClockChoice(config.fake_clock_file).clock->Now());
        if (!retried.ok()) {
          err << "okrbot: " << retried.message() << "\n";
          return kExitFailure;
        }
        out << "job " << job.key << " will be sent at the next scheduler pass\n";
        return kExitOk;
      }
      err << "okrbot: no job " << wanted << " (see `okrbot jobs`)\n";
      return kExitUsage;
    }
    JobFilter filter;
    filter.limit = 1000;
    if (args.options.count("--workspace")) filter.workspace_id = args.options["--workspace"];
    if (args.options.count("--state")) {
      const std::string& state = args.options["--state"];
      if (state == "pending")
        filter.state = JobState::kPending;
      else if (state == "sent")
        filter.state = JobState::kSent;
      else if (state == "dead")
        filter.state = JobState::kDead;
      else {
        err << "okrbot: --state is pending, sent or dead\n";
        return kExitUsage;
      }
    }
    auto jobs = (*store)->ListJobs(filter);
    if (!jobs.ok()) {
      err << "okrbot: " << jobs.status().message() << "\n";
      return kExitFailure;
    }
    for (const Job& job : *jobs) {
      const char* state = job.state == JobState::kSent   ? "sent"
                          : job.state == JobState::kDead ? "dead"
                                                         : "pending";
      out << job.id << "  " << job.key << "  " << state << "  attempts " << job.attempts
          << "  next " << FormatIsoInstant(job.next_attempt_at);
      if (!job.last_error.empty()) out << "  last error: " << job.last_error;
      out << "\n";
    }
    if (jobs->empty()) out << "no jobs\n";
    return kExitOk;
  }
  if (cmd == "sessions") {
    Seconds now = ClockChoice(config.fake_clock_file).clock->Now();
    if (sessions_revoke) {
      int64_t id = 0;
      const std::string& wanted = args.positional[1];
      auto [ptr, ec] = std::from_chars(wanted.data(), wanted.data() + wanted.size(), id);
      Status revoked = ec == std::errc() && ptr == wanted.data() + wanted.size()
                           ? (*store)->RevokeWebSession(id)
                           : Status::NotFound("no session " + wanted);
      if (!revoked.ok()) {
        err << "okrbot: " << revoked.message() << " (see `okrbot sessions`)\n";
        return revoked.code() == StatusCode::kNotFound ? kExitUsage : kExitFailure;
      }
      out << "session " << id << " revoked: that browser is signed out\n";
      return kExitOk;
    }
    std::string workspace = args.options.count("--workspace") ? args.options["--workspace"] : "";
    auto sessions = (*store)->ListWebSessions(workspace, now);
    if (!sessions.ok()) {
      err << "okrbot: " << sessions.status().message() << "\n";
      return kExitFailure;
    }
    for (const WebSession& s : *sessions) {
      out << s.id << "  " << s.workspace_id << "  " << s.user_id << "  since "
          << FormatIsoInstant(s.created_at) << "  until " << FormatIsoInstant(s.expires_at) << "\n";
    }
    if (sessions->empty()) out << "no signed-in dashboard sessions\n";
    return kExitOk;
  }
  if (cmd == "stats") {
    auto stats = (*store)->Stats();
    if (!stats.ok()) {
      err << "okrbot: " << stats.status().message() << "\n";
      return kExitFailure;
    }
    for (const auto& [table, rows] : stats->rows) out << table << ": " << rows << " row(s)\n";
    out << "database size: " << stats->bytes << " bytes";
    if (stats->free_bytes > 0) out << " (" << stats->free_bytes << " free, reused by new rows)";
    out << "\n";
    return kExitOk;
  }
  if (cmd == "run-due") {
    ClockChoice choice(config.fake_clock_file);
    FakeClock fixed_clock(choice.system.Now());
    const Clock* clock = choice.clock;
    if (args.options.count("--now")) {
      Seconds now;
      if (!ParseIsoInstant(args.options["--now"], &now)) {
        err << "okrbot: --now takes an ISO-8601 instant like 2026-12-07T09:00:00Z\n";
        return kExitUsage;
      }
      fixed_clock.Set(now);
      clock = &fixed_clock;
    }
    OkrbotServer server(config, store->get(), clock);
    auto pass = server.RunSchedulerPass();
    if (!pass.ok()) {
      err << "okrbot: scheduler pass failed: " << pass.status().message() << "\n";
      return kExitFailure;
    }
    out << "planned " << pass->planned.created << " new post(s) in " << pass->planned.workspaces
        << " workspace(s); sent " << pass->dispatched.sent << ", retried "
        << pass->dispatched.retried << ", dead " << pass->dispatched.dead << ", deferred "
        << pass->dispatched.deferred << "\n";
    if (pass->pruned) {
      out << "retention: pruned " << pass->pruned->seen_events << " seen event(s) and "
          << pass->pruned->jobs << " finished job(s)\n";
    }
    return kExitOk;
  }
  if (cmd == "console") {
    SystemClock clock;
    // The console is the operator at a terminal (or a script piped in), not the internet.
    BotLimits limits;
    limits.user_commands_per_minute = 0;
    limits.workspace_commands_per_minute = 0;
    limits.public_url = config.public_url;  // `/okr dashboard` from the console too
    Bot bot(store->get(), &clock, limits);
    ConsoleOptions options;
    if (args.options.count("--workspace")) options.workspace_id = args.options["--workspace"];
    if (args.options.count("--user")) {
      options.user = args.options["--user"];
    } else if (const char* user = std::getenv("USER"); user != nullptr && *user != '\0') {
      options.user = user;
    }
    if (args.options.count("--tz")) options.tz = args.options["--tz"];
    options.admin = args.options.count("--admin") != 0;
    options.interactive = &in == &std::cin && isatty(STDIN_FILENO);
    if (options.workspace_id.empty() || options.user.empty()) {
      err << "okrbot: --workspace and --user must not be empty\n";
      return kExitUsage;
    }
    if (Status s = bot.EnsureWorkspace(options.workspace_id, "console", "Console").status();
        !s.ok()) {
      err << "okrbot: " << s.message() << "\n";
      return kExitFailure;
    }
    if (options.interactive) {
      out << "okrbot console — workspace " << options.workspace_id << ", acting as " << options.user
          << ". Type `help`; Ctrl-D to leave.\n";
    }
    RunConsole(&bot, options, in, out);
    return kExitOk;
  }
  if (cmd == "import" && IsSpreadsheetImport(args)) {
    return ImportSpreadsheet(config, store->get(), args, out, err);
  }
  if (cmd == "import") {
    if (args.options.count("--map") || args.options.count("--dry-run")) {
      err << "okrbot: --map and --dry-run are for spreadsheets: okrbot import plan.csv "
             "--workspace ID\n";
      return kExitUsage;
    }
    std::optional<std::string> text = ReadWholeFile(args.positional[0], err);
    if (!text) return kExitUsage;
    auto stats = ImportJson(store->get(), *text);
    if (!stats.ok()) {
      err << "okrbot: import failed, nothing was imported: " << stats.status().message() << "\n";
      return stats.status().code() == StatusCode::kInvalidArgument ||
                     stats.status().code() == StatusCode::kAlreadyExists
                 ? kExitUsage
                 : kExitFailure;
    }
    out << "imported " << stats->workspaces << " workspace(s), " << stats->objectives
        << " objective(s), " << stats->key_results << " key result(s), " << stats->checkins
        << " check-in(s)\n";
    return kExitOk;
  }
  // export
  std::string format = args.options.count("--format") ? args.options["--format"] : "json";
  std::string workspace = args.options.count("--workspace") ? args.options["--workspace"] : "";
  if (format != "json" && format != "csv") {
    err << "okrbot: --format is json or csv\n";
    return kExitUsage;
  }
  auto text =
      format == "json" ? ExportJson(store->get(), workspace) : ExportCsv(store->get(), workspace);
  if (!text.ok()) {
    err << "okrbot: export failed: " << text.status().message() << "\n";
    return kExitFailure;
  }
  out << *text;
  return kExitOk;
}

}  // namespace okrbot
