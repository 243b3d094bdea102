// Session: one command run for one person in one workspace (internal to bot/; Bot in bot/bot.h
// is the entry point). Each command family's methods live in its own file:
//   objective_commands.cc   objective add, edit, archive
//   key_result_commands.cc  kr add, editing a KR, initiatives
//   checkin_commands.cc     update, form and button check-ins
//   list_commands.cc        list, show, tree, stale, todo
//   review_commands.cc      review, keep, summary
//   reminder_commands.cc    remind, snooze, away, tz
//   admin_commands.cc       admin
//   session.cc              what they share: loading, permissions, errors, dispatch, help
// A new command gets a CommandSpec (bot/command.cc), a method here, a line in Session::Run and
// its body in the file of its family.
//
// Thread-compatible: a Session lives for one command on one thread; the Store and Clock it
// uses are shared and thread-safe.
#pragma once

#include <algorithm>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bot/bot.h"
#include "bot/command.h"
#include "bot/reply.h"
#include "bot/review.h"
#include "core/cycle.h"
#include "core/ids.h"
#include "core/model.h"
#include "core/status.h"
#include "storage/store.h"

namespace okrbot::bot_internal {

inline constexpr size_t kMaxChannelBytes = 200;
inline constexpr size_t kMaxUnitBytes = 16;  // a key result's unit: "%", "$", "tickets"

// The answer to a request that was already run once (its platform request id was seen).
inline constexpr char kAlreadyReceived[] =
    "I already received this exact request and ran it once; a repeat of it changes nothing.";

std::string Join(const std::vector<Token>& tokens);
bool ParseWeekday(const std::string& text, int* out);
const char* WeekdayName(int day);
bool ParseClockTime(const std::string& text, int* minute_of_day);
std::string FormatClockTime(int minute_of_day);
bool IsValidZone(const std::string& zone);
std::string Ago(Seconds now, Seconds then);
std::string Percent(double x);
std::string ScoreText(double x);
std::string MetricText(const KeyResult& kr);
std::string CurrentText(const KeyResult& kr);
std::string ConfidenceText(std::optional<int> confidence);
bool IsYes(const std::string& text);

// Rules shared by chat commands and the spreadsheet import (bot/plan_import.h), written once.
// Text a person typed for a title, team or unit: UTF-8, no control characters, not empty unless
// `allow_empty`, at most `max_bytes`. kInvalidArgument naming `label` otherwise.
Status CheckUserText(const std::string& label, const std::string& text, size_t max_bytes,
                     bool allow_empty = false);
// The user of `users` whose id or display name is `name` (case-insensitive), or null.
const User* FindUserByName(const std::vector<User>& users, const std::string& name);
// A new key result's numbers: the metric its words carry, then explicit `from` / `to` win; the
// direction follows baseline and target unless `direction_given`.
void SetNewKrMetric(KeyResult* kr, std::optional<double> from, std::optional<double> to,
                    bool direction_given);

class Session {
 public:
  Session(Store* store, const Clock* clock, const BotLimits& limits,
          const std::function<void()>& on_checkin, const Actor& actor, Workspace workspace,
          const ParsedCommand& cmd)
      : store_(store),
        limits_(limits),
        on_checkin_(on_checkin),
        actor_(actor),
        ws_(std::move(workspace)),
        cmd_(cmd),
        now_(clock->Now()) {}

  Reply Run();
  // A check-in from a form or button (no command text to parse).
  Reply RecordCheckIn(const CheckInInput& input);

 private:
  Reply Help();
  Reply ObjectiveAdd();
  Reply KrAdd();
  Reply Update();
  Reply List();
  Reply Show();
  Reply ShowObjective(const Objective& objective);
  Reply ShowKeyResult(const KeyResult& kr);
  Reply Tree();
  Reply InitiativeAdd();
  Reply InitiativeDone();
  Reply Edit();
  Reply EditObjective(Objective objective);
  Reply EditKeyResult(KeyResult kr);
  Reply Archive();
  Reply Review();
  Reply Keep();
  Reply Stale();
  Reply Summary();
  Reply RemindCheckin();
  Reply RemindDigest();
  Reply RemindOff();
  Reply RemindShow();
  Reply Snooze();
  Reply Away();
  Reply Todo();
  Reply Tz();
  Reply Admin();
  Reply Dashboard();

  Reply Error(const std::string& message) const;
  Reply Failure(const Status& status) const;  // a Store error, phrased for a person
  Reply Ok() const {
    Reply r;
    if (IsYes(cmd_.get("public"))) r.visibility = Visibility::kChannel;
    return r;
  }

  std::string Subject() const { return actor_.user_id; }
  bool IsAdmin() const {
    return actor_.platform_admin ||
           std::find(ws_.admins.begin(), ws_.admins.end(), actor_.user_id) != ws_.admins.end();
  }
  // Small teams have no admin list: then reminders are anyone's to set.
  bool MayManageWorkspace() const { return IsAdmin() || ws_.admins.empty(); }
  bool MayChangeKr(const KeyResult& kr, const Objective& objective) const {
    return kr.owner == actor_.user_id || objective.owner == actor_.user_id || IsAdmin();
  }
  bool MayChangeObjective(const Objective& objective) const {
    return objective.owner == actor_.user_id || objective.created_by == actor_.user_id || IsAdmin();
  }

  std::string CurrentCycle() const {
    return FormatCycle(CycleContaining(date::floor<date::days>(now_), ws_.fiscal_year_start_month));
  }
  Result<std::string> CycleOption() const;
  // `create` false: a read command; an unknown name is an error, nothing is stored.
  Result<std::string> ResolveUser(const std::string& text, bool create = true);
  std::string UserLabel(const std::string& user_id);
  // The user as stored when this command first needed it (a fallback with only the id when
  // unknown); commands that change users do not read them back through here.
  const User& CachedUser(const std::string& user_id);
  // Loads the users a reply is about to name in one query instead of one query per name.
  void PreloadUsers(std::vector<std::string> user_ids);
  Result<Ref> RefArg(size_t index, std::initializer_list<RefKind> kinds) const;
  Result<Objective> LoadObjective(int64_t number);
  // Loads the KR named by argument `index` and its objective for a change; on an unknown id or
  // a person who may not change it, fills `refusal` (`doing` ends "... can <doing> it").
  bool LoadKrToChange(size_t index, const std::string& doing, KeyResult* kr, Objective* objective,
                      Reply* refusal);
  Result<KeyResult> LoadKeyResult(int64_t number);
  Status CheckText(const std::string& label, const std::string& text, size_t max_bytes,
                   bool allow_empty = false) const;
  double Elapsed(const Objective& objective) const;
  std::vector<KeyResult> KeyResultsOf(int64_t objective);
  bool OwnerAway(const std::string& user_id);
  std::string KrLine(const KeyResult& kr, const Objective& objective);
  void AddFindings(Reply* reply, const std::vector<Finding>& findings);
  Reply NotFound(const Ref& ref) const;

  Store* store_;
  const BotLimits& limits_;
  const std::function<void()>& on_checkin_;
  const Actor& actor_;
  Workspace ws_;
  const ParsedCommand& cmd_;
  Seconds now_;
  std::map<std::string, User> user_cache_;
};

}  // namespace okrbot::bot_internal
