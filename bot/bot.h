// Bot: executes one chat command for one person and answers with a neutral Reply.
//
// Contract:
// - Handle() never throws for bad input and never fails silently: a mistake is answered with
//   what is wrong plus the usage line of that subcommand (is_error set, private).
// - Nothing partial is stored: a command either makes all its changes or none.
// - Every read and write is scoped to actor.workspace_id; IDs of another workspace are simply
//   "not found" here.
// - Permissions (SPEC §2): anyone in the workspace reads; a KR is updated by its owner, its
//   objective's owner or a workspace admin (platform admin or the workspace's admin list).
// - Rate limits: each person may send `user_commands_per_minute` commands, button presses and
//   form check-ins a minute, and each workspace `workspace_commands_per_minute`, with a
//   minute's worth at once (RateLimiter, per process). Past that, the answer is a private
//   "Slow down ... try again in N s" and nothing is read or changed.
// Thread-safe when the Store and Clock are (the only mutable state is the rate limiters').
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "bot/checkin_form.h"
#include "bot/command.h"
#include "bot/rate_limiter.h"
#include "bot/reply.h"
#include "core/clock.h"
#include "core/status.h"
#include "storage/store.h"

namespace okrbot {

// What a person is told when the database failed (unreachable, disk full, read-only): they can
// only wait; the operator sees the reason in the logs and on /readyz. Adapters answering before
// the Bot runs say the same.
inline constexpr char kDatabaseUnavailable[] =
    "Sorry, my database is not available just now, so nothing was changed. "
    "Please try again in a few minutes.";

// Who typed the command, as the adapter verified it.
struct Actor {
  std::string workspace_id;
  std::string user_id;
  std::string display_name;     // from the platform; may be empty
  std::string tz;               // IANA zone from the platform; may be empty
  bool platform_admin = false;  // e.g. a Slack workspace admin
  // The platform's id of this request (Slack trigger_id, Teams conversation/activity id);
  // empty when it has none. A request that changes something runs at most once per id, so a
  // replayed or re-delivered one changes nothing.
  std::string request_id = {};
  // The platform cannot answer this person privately here (a Teams channel): answers that
  // must stay private, such as a dashboard sign-in link, are refused with where to ask instead.
  bool shared_answer = false;
};

// Limits on what people type (bad input gets a clear answer, never a truncated row).
struct BotLimits {
  size_t max_title_bytes = 300;
  size_t max_note_bytes = 1000;
  size_t max_name_bytes = 80;
  int max_krs_per_objective = 25;
  int max_objectives_per_cycle = 500;
  int user_commands_per_minute = 30;         // 0 = unlimited
  int workspace_commands_per_minute = 3000;  // 0 = unlimited
  // Not a limit, but set with them: OKRBOT_PUBLIC_URL, the base of dashboard links ("" = the
  // dashboard is off and `/okr dashboard` says so), and how long a sign-in link stays valid.
  std::string public_url;
  std::chrono::seconds dashboard_link_life{600};
};

class Bot {
 public:
  Bot(Store* store, const Clock* clock, BotLimits limits = {});

  // Creates the workspace on first use (console, tests, Slack install); leaves it as it is
  // when it exists. Returns the workspace as stored.
  Result<Workspace> EnsureWorkspace(const std::string& workspace_id, const std::string& platform,
                                    const std::string& name);

  // Runs `text` ("/okr update KR1 62", "update KR1 62", ...) for `actor`.
  Reply Handle(const Actor& actor, const std::string& text);

  // Records a check-in from a form or button, with the same checks and answer as `update`.
  Reply SubmitCheckIn(const Actor& actor, const CheckInInput& input);

  // A check-in button (kActionCheckIn*, value "KR3") was pressed: "Update" answers with the
  // check-in form (CheckInForm), "No change" records the current value again, "Snooze" snoozes
  // the KR for a week. Errors (unknown KR or action, no permission) are is_error replies.
  Reply PressCheckInButton(const Actor& actor, const std::string& action,
                           const std::string& kr_text);

  // The short greeting a platform shows when okrbot is added to a chat.
  static Reply Welcome();

  const BotLimits& limits() const { return limits_; }

  // Runs on every reply of Handle() (serve gives chart images their public URL here,
  // adapters/common/chart_images.h). Set before serving.
  void SetReplyHook(std::function<void(const std::string& workspace_id, Reply*)> hook) {
    reply_hook_ = std::move(hook);
  }

  // Called after every check-in is durably recorded (for metrics). Set before serving.
  void SetCheckInObserver(std::function<void()> observer) { on_checkin_ = std::move(observer); }

 private:
  // Looks up the actor's workspace (refusing unknown or uninstalled ones) and refreshes the
  // person's platform details; on failure fills `refusal` with the answer to give.
  Result<Workspace> PrepareActor(const Actor& actor, Reply* refusal);
  // The "slow down" answer when the actor or their workspace is over its rate; else nullopt
  // (and one action is counted).
  std::optional<Reply> SlowDown(const Actor& actor);
  // A refusal when this request (actor.request_id) was received before; records it otherwise.
  std::optional<Reply> RefuseRepeat(const Actor& actor);
  // The refusal of a command text that is too long, not UTF-8 or does not parse; else nullopt
  // with `*parsed` filled in.
  std::optional<Reply> Parse(const std::string& text, ParseOutcome* parsed) const;
  // Handle() and SubmitCheckIn() without the rate check (for presses that lead to them).
  Reply RunCommand(const Actor& actor, const std::string& text);
  Reply RunParsed(const Actor& actor, const ParsedCommand& command);
  Reply RecordFormCheckIn(const Actor& actor, const CheckInInput& input);

  Store* store_;
  const Clock* clock_;
  BotLimits limits_;
  RateLimiter user_rate_;
  RateLimiter workspace_rate_;
  std::function<void()> on_checkin_;
  std::function<void(const std::string&, Reply*)> reply_hook_;
};

}  // namespace okrbot
