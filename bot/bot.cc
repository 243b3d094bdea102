#include "bot/bot.h"

#include <functional>

#include "bot/checkin_form.h"
#include "bot/command.h"
#include "bot/session.h"
#include "core/ids.h"
#include "core/text_util.h"

namespace okrbot {

using bot_internal::IsValidZone;
using bot_internal::kAlreadyReceived;
using bot_internal::Session;

Bot::Bot(Store* store, const Clock* clock, BotLimits limits)
    : store_(store),
      clock_(clock),
      limits_(limits),
      user_rate_(clock, limits.user_commands_per_minute),
      workspace_rate_(clock, limits.workspace_commands_per_minute) {}

Result<Workspace> Bot::EnsureWorkspace(const std::string& workspace_id, const std::string& platform,
                                       const std::string& name) {
  auto existing = store_->GetWorkspace(workspace_id);
  if (existing.ok() || existing.status().code() != StatusCode::kNotFound) return existing;
  Workspace ws;
  ws.id = workspace_id;
  ws.platform = platform;
  ws.name = name;
  ws.created_at = clock_->Now();
  OKRBOT_RETURN_IF_ERROR(store_->UpsertWorkspace(ws));
  return store_->GetWorkspace(workspace_id);  // as stored, with the store's defaults
}

namespace {

Reply Refusal(const std::string& message, const CommandSpec* spec) {
  Reply r;
  r.is_error = true;
  r.Text(message);
  if (spec != nullptr) {
    r.Context("Usage: " + spec->usage);
  } else {
    r.Context("Try /okr help for the list of commands.");
  }
  return r;
}

}  // namespace

Result<Workspace> Bot::PrepareActor(const Actor& actor, Reply* refusal) {
  auto workspace = store_->GetWorkspace(actor.workspace_id);
  if (!workspace.ok()) {
    *refusal =
        workspace.status().code() == StatusCode::kNotFound
            ? Refusal("This workspace is not set up for okrbot (install the app first).", nullptr)
            : Refusal(kDatabaseUnavailable, nullptr);
    return workspace.status();
  }
  if (!workspace->installed) {
    *refusal =
        Refusal("okrbot was removed from this workspace; reinstall it to continue.", nullptr);
    return Status::FailedPrecondition("workspace uninstalled");
  }
  // Keep the person's platform details fresh, writing only when something changed. A zone the
  // platform sent that this machine's tz database does not know is ignored (the person can still
  // set one with `/okr tz`).
  const bool platform_tz = !actor.tz.empty() && IsValidZone(actor.tz);
  auto user = store_->GetUser(actor.workspace_id, actor.user_id);
  if (!user.ok() || (!actor.display_name.empty() && user->display_name != actor.display_name) ||
      (platform_tz && user->tz != actor.tz)) {
    User updated = user.ok() ? *user : User{};
    updated.workspace_id = actor.workspace_id;
    updated.id = actor.user_id;
    if (!actor.display_name.empty()) updated.display_name = actor.display_name;
    if (platform_tz) updated.tz = actor.tz;
    // Best effort: a database that refuses writes (disk full, read-only) must not stop
    // commands that only read; a command that writes fails on its own write, clearly.
    Status refreshed = store_->UpsertUser(updated);
    (void)refreshed;
  }
  return workspace;
}

std::optional<Reply> Bot::SlowDown(const Actor& actor) {
  if (auto wait = workspace_rate_.Take(actor.workspace_id)) {
    return Refusal("Slow down: this workspace is sending okrbot more than " +
                       std::to_string(workspace_rate_.per_minute()) +
                       " commands a minute. Try again in " + std::to_string(wait->count()) +
                       " s; nothing was changed.",
                   nullptr);
  }
  if (auto wait = user_rate_.Take(actor.workspace_id + '\n' + actor.user_id)) {
    return Refusal("Slow down: you have sent more than " + std::to_string(user_rate_.per_minute()) +
                       " commands in a minute. Try again in " + std::to_string(wait->count()) +
                       " s; nothing was changed.",
                   nullptr);
  }
  return std::nullopt;
}

Reply Bot::Handle(const Actor& actor, const std::string& text) {
  if (auto refusal = SlowDown(actor)) return *refusal;
  ParseOutcome parsed;
  if (auto refusal = Parse(text, &parsed)) return *refusal;
  // Reading twice does no harm, so only commands that may change something are recorded.
  // `update` needs no record of its own: the check-in row carries the request id, so the
  // de-duplication costs no extra write on the busiest command.
  if (!IsReadOnly(parsed.command) && parsed.command.spec->name != "update") {
    if (auto repeat = RefuseRepeat(actor)) return *repeat;
  }
  Reply reply = RunParsed(actor, parsed.command);
  if (reply_hook_) {
    for (const Block& block : reply.blocks) {
      if (block.kind == BlockKind::kImage) {
        reply_hook_(actor.workspace_id, &reply);
        break;
      }
    }
  }
  return reply;
}

std::optional<Reply> Bot::RefuseRepeat(const Actor& actor) {
  if (actor.request_id.empty()) return std::nullopt;
  auto first =
      store_->MarkEventSeen(actor.workspace_id, "request:" + actor.request_id, clock_->Now());
  if (!first.ok()) {
    return first.status().code() == StatusCode::kInvalidArgument
               ? std::nullopt  // an id the store cannot hold: nothing to compare with
               : std::optional<Reply>(Refusal(kDatabaseUnavailable, nullptr));
  }
  if (*first) return std::nullopt;
  Reply repeat = Refusal(kAlreadyReceived, nullptr);
  repeat.repeated = true;
  return repeat;
}

std::optional<Reply> Bot::Parse(const std::string& text, ParseOutcome* parsed) const {
  if (text.size() > 8192) return Refusal("That command is too long (over 8 KB).", nullptr);
  if (!IsValidUtf8(text)) return Refusal("That command is not valid UTF-8 text.", nullptr);
  *parsed = ParseCommand(text);
  if (!parsed->ok) return Refusal(parsed->error, parsed->spec);
  return std::nullopt;
}

Reply Bot::RunCommand(const Actor& actor, const std::string& text) {
  ParseOutcome parsed;
  if (auto refusal = Parse(text, &parsed)) return *refusal;
  return RunParsed(actor, parsed.command);
}

Reply Bot::RunParsed(const Actor& actor, const ParsedCommand& command) {
  Reply refusal;
  auto workspace = PrepareActor(actor, &refusal);
  if (!workspace.ok()) return refusal;
  Session session(store_, clock_, limits_, on_checkin_, actor, std::move(*workspace), command);
  return session.Run();
}

Reply Bot::PressCheckInButton(const Actor& actor, const std::string& action,
                              const std::string& kr_text) {
  if (auto refusal = SlowDown(actor)) return *refusal;
  Ref ref;
  if (!ParseRef(kr_text, &ref) || ref.kind != RefKind::kKeyResult) {
    return Refusal("That button names no key result.", nullptr);
  }
  const std::string kr_ref = KeyResultRef(ref.number);
  if (action == kActionCheckInSnooze) {  // "no change" records a check-in with the id
    if (auto repeat = RefuseRepeat(actor)) return *repeat;
  }
  if (action == kActionCheckInSnooze) return RunCommand(actor, "snooze " + kr_ref + " 1w");
  if (action != kActionCheckInUpdate && action != kActionCheckInNoChange) {
    return Refusal("That button is not one I know; the message may be from an older okrbot.",
                   nullptr);
  }
  Reply refusal;
  auto workspace = PrepareActor(actor, &refusal);
  if (!workspace.ok()) return refusal;
  auto kr = store_->GetKeyResult(actor.workspace_id, ref.number);
  if (!kr.ok()) {
    return Refusal(kr.status().code() == StatusCode::kNotFound
                       ? "There is no key result " + kr_ref + " in this workspace."
                       : kDatabaseUnavailable,
                   nullptr);
  }
  if (action == kActionCheckInUpdate) return CheckInForm(*kr);
  if (!kr->current) {
    return Refusal(kr_ref + " has no value yet: press Update to record the first one.", nullptr);
  }
  CheckInInput same{kr_ref, "", "", "no change", *kr->current};
  return RecordFormCheckIn(actor, same);
}

Reply Bot::Welcome() {
  Reply reply;
  reply.Header("Hi, I'm okrbot");
  reply.Text(
      "I keep your team's OKRs alive: weekly check-ins with each KR owner, nudges on stale or "
      "vague key results, channel digests and an end-of-quarter summary.");
  reply.List({"objective add \"Delight new customers\" - set an objective",
              "kr add O1 \"Raise NPS from 30 to 45\" - add a measurable key result",
              "update KR1 38 - check in", "list - see everything", "help - all commands"});
  return reply;
}

Reply Bot::SubmitCheckIn(const Actor& actor, const CheckInInput& input) {
  if (auto refusal = SlowDown(actor)) return *refusal;
  return RecordFormCheckIn(actor, input);  // the check-in carries the request id
}

Reply Bot::RecordFormCheckIn(const Actor& actor, const CheckInInput& input) {
  Reply refusal;
  auto workspace = PrepareActor(actor, &refusal);
  if (!workspace.ok()) return refusal;
  ParsedCommand command;
  command.spec = FindCommand("update");
  Session session(store_, clock_, limits_, on_checkin_, actor, std::move(*workspace), command);
  return session.RecordCheckIn(input);
}

}  // namespace okrbot
