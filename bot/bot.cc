#include "bot/bot.h"

#include <date/tz.h>

#include <algorithm>
#include <cassert>
#include <cctype>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "bot/checkin_form.h"
#include "bot/command.h"
#include "bot/posts.h"
#include "bot/review.h"
#include "core/cycle.h"
#include "core/ids.h"
#include "core/metric.h"
#include "core/scoring.h"
#include "core/text_util.h"

namespace okrbot {
namespace {

constexpr size_t kMaxChannelBytes = 200;

constexpr char kAlreadyReceived[] =
    "I already received this exact request and ran it once; a repeat of it changes nothing.";

std::string Join(const std::vector<Token>& tokens) {
  std::string out;
  for (const auto& t : tokens) {
    if (!out.empty()) out += ' ';
    out += t.Original();
  }
  return out;
}

bool ParseWeekday(const std::string& text, int* out) {
  static const char* const kDays[] = {"sunday",   "monday", "tuesday", "wednesday",
                                      "thursday", "friday", "saturday"};
  std::string t = AsciiLower(text);
  for (int i = 0; i < 7; ++i) {
    std::string day = kDays[i];
    if (t == day || (t.size() >= 3 && day.rfind(t, 0) == 0)) {
      *out = i;
      return true;
    }
  }
  return false;
}

const char* WeekdayName(int day) {
  static const char* const kDays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                      "Thursday", "Friday", "Saturday"};
  return kDays[std::clamp(day, 0, 6)];
}

bool ParseClockTime(const std::string& text, int* minute_of_day) {
  size_t colon = text.find(':');
  if (colon == std::string::npos || colon == 0 || colon > 2 || text.size() - colon != 3) {
    return false;
  }
  for (size_t i = 0; i < text.size(); ++i) {
    if (i != colon && !std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  int hours = std::stoi(text.substr(0, colon));
  int minutes = std::stoi(text.substr(colon + 1));
  if (hours > 23 || minutes > 59) return false;
  *minute_of_day = hours * 60 + minutes;
  return true;
}

std::string FormatClockTime(int minute_of_day) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minute_of_day / 60, minute_of_day % 60);
  return buf;
}

bool IsValidZone(const std::string& zone) {
  if (zone.empty() || zone.size() > 64) return false;
  try {
    return date::locate_zone(zone) != nullptr;
  } catch (const std::exception&) {  // date/tz throws for unknown zones
    return false;
  }
}

std::string Ago(Seconds now, Seconds then) {
  auto secs = (now - then).count();
  if (secs < 0) secs = 0;
  if (secs < 3600) return "just now";
  if (secs < 86400) return std::to_string(secs / 3600) + " h ago";
  long long days = secs / 86400;
  return days == 1 ? "1 day ago" : std::to_string(days) + " days ago";
}

std::string Percent(double x) {
  return std::to_string(static_cast<int>(std::lround(x * 100))) + "%";
}

std::string ScoreText(double x) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", x);
  return buf;
}

// "55 → 70 (increase)", "done / not done", "≥ 4.5/5".
std::string MetricText(const KeyResult& kr) {
  if (kr.direction == Direction::kBinary) return "done / not done (binary)";
  std::string target = kr.target ? FormatValue(*kr.target, kr.unit) : "?";
  switch (kr.direction) {
    case Direction::kMaintainAtLeast:
      return "keep at least " + target;
    case Direction::kMaintainAtMost:
      return "keep at most " + target;
    default:
      break;
  }
  std::string from = kr.baseline ? FormatValue(*kr.baseline, kr.unit) : "?";
  return from + " → " + target + " (" + DirectionName(kr.direction) + ")";
}

std::string CurrentText(const KeyResult& kr) {
  if (!kr.current) return "no check-in yet";
  if (kr.direction == Direction::kBinary) return *kr.current >= 1 ? "done" : "not done";
  return FormatValue(*kr.current, kr.unit);
}

std::string ConfidenceText(std::optional<int> confidence) {
  if (!confidence) return "not given";
  const char* word = *confidence >= 70 ? "high" : (*confidence >= 40 ? "medium" : "low");
  return std::to_string(*confidence) + "% (" + word + ")";
}

bool IsYes(const std::string& text) {
  std::string t = AsciiLower(text);
  return t == "yes" || t == "true" || t == "1" || t == "y" || t == "on";
}

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

Reply Session::Error(const std::string& message) const {
  Reply r;
  r.is_error = true;
  r.Text(message);
  if (cmd_.spec != nullptr) r.Context("Usage: " + cmd_.spec->usage);
  return r;
}

Reply Session::Failure(const Status& status) const {
  if (status.code() == StatusCode::kUnavailable || status.code() == StatusCode::kInternal) {
    return Error(kDatabaseUnavailable);
  }
  return Error(status.message());
}

Reply Session::NotFound(const Ref& ref) const {
  const char* what = ref.kind == RefKind::kObjective   ? "objective"
                     : ref.kind == RefKind::kKeyResult ? "key result"
                                                       : "initiative";
  return Error(std::string("There is no ") + what + " " + FormatRef(ref) +
               " in this workspace. `/okr list` shows what there is.");
}

Status Session::CheckText(const std::string& label, const std::string& text, size_t max_bytes,
                          bool allow_empty) const {
  if (!IsValidUtf8(text)) return Status::InvalidArgument(label + " is not valid UTF-8 text.");
  if (HasControlCharacters(text)) {
    return Status::InvalidArgument(label + " contains control characters; please retype it.");
  }
  if (!allow_empty && Trim(text).empty()) return Status::InvalidArgument(label + " is empty.");
  if (text.size() > max_bytes) {
    return Status::InvalidArgument(label + " is too long (" + std::to_string(text.size()) +
                                   " bytes; at most " + std::to_string(max_bytes) + ").");
  }
  return Status::Ok();
}

Result<std::string> Session::CycleOption() const {
  if (!cmd_.has("cycle")) return CurrentCycle();
  Cycle cycle;
  if (!ParseCycle(cmd_.get("cycle"), &cycle)) {
    return Status::InvalidArgument("`" + cmd_.get("cycle") +
                                   "` is not a cycle: write it like 2026-Q4.");
  }
  return FormatCycle(cycle);
}

// "@bob", "<@U123>", "<@U123|bob>", "bob" -> a user id of this workspace.
Result<std::string> Session::ResolveUser(const std::string& text, bool create) {
  std::string t = Trim(text);
  std::string id;
  std::string name;
  if (t.size() > 3 && t.rfind("<@", 0) == 0 && t.back() == '>') {
    std::string inner = t.substr(2, t.size() - 3);
    size_t bar = inner.find('|');
    id = inner.substr(0, bar);
    if (bar != std::string::npos) name = inner.substr(bar + 1);
  } else {
    if (!t.empty() && t[0] == '@') t = t.substr(1);
    name = t;
  }
  std::string probe = id.empty() ? name : id;
  if (probe.empty() || probe.size() > limits_.max_name_bytes || !IsValidUtf8(probe) ||
      HasControlCharacters(probe) || probe.find_first_of(" <>|@") != std::string::npos) {
    return Status::InvalidArgument("`" + text + "` is not a person: write @name.");
  }
  if (id.empty()) {
    // A plain @name: an existing user by id or display name, else a new user with that id.
    auto users = store_->ListUsers(ws_.id);
    if (!users.ok()) return users.status();
    for (const auto& u : *users) {
      if (AsciiLower(u.id) == AsciiLower(name) ||
          (!u.display_name.empty() && AsciiLower(u.display_name) == AsciiLower(name))) {
        return u.id;
      }
    }
    id = name;
  }
  auto existing = store_->GetUser(ws_.id, id);
  if (!existing.ok()) {
    if (existing.status().code() != StatusCode::kNotFound) return existing.status();
    if (!create) return Status::NotFound("I don't know " + text + " in this workspace yet.");
    User user;
    user.workspace_id = ws_.id;
    user.id = id;
    user.display_name = name;
    OKRBOT_RETURN_IF_ERROR(store_->UpsertUser(user));
  }
  return id;
}

const User& Session::CachedUser(const std::string& user_id) {
  auto it = user_cache_.find(user_id);
  if (it == user_cache_.end()) {
    auto user = store_->GetUser(ws_.id, user_id);
    User fallback;
    fallback.workspace_id = ws_.id;
    fallback.id = user_id;
    it = user_cache_.emplace(user_id, user.ok() ? *user : fallback).first;
  }
  return it->second;
}

std::string Session::UserLabel(const std::string& user_id) {
  if (user_id.empty()) return "no owner";
  const User& u = CachedUser(user_id);
  return "@" + (u.display_name.empty() ? u.id : u.display_name);
}

void Session::PreloadUsers(std::vector<std::string> user_ids) {
  std::sort(user_ids.begin(), user_ids.end());
  user_ids.erase(std::unique(user_ids.begin(), user_ids.end()), user_ids.end());
  std::erase_if(user_ids,
                [&](const std::string& id) { return id.empty() || user_cache_.count(id) != 0; });
  if (user_ids.empty()) return;
  auto users = store_->GetUsers(ws_.id, user_ids);
  if (!users.ok()) return;  // UserLabel falls back to one query per name
  for (User& user : *users) {
    std::string id = user.id;
    user_cache_.emplace(std::move(id), std::move(user));
  }
  for (const std::string& id : user_ids) {
    if (user_cache_.count(id) != 0) continue;
    User unknown;
    unknown.workspace_id = ws_.id;
    unknown.id = id;
    user_cache_.emplace(id, std::move(unknown));
  }
}

bool Session::OwnerAway(const std::string& user_id) {
  if (user_id.empty()) return false;
  const User& user = CachedUser(user_id);
  return user.away_until && date::floor<date::days>(now_) <= *user.away_until;
}

Result<Ref> Session::RefArg(size_t index, std::initializer_list<RefKind> kinds) const {
  if (index >= cmd_.args.size()) return Status::InvalidArgument("An id is missing.");
  const std::string& text = cmd_.args[index].text;
  Ref ref;
  bool kind_ok =
      ParseRef(text, &ref) && std::find(kinds.begin(), kinds.end(), ref.kind) != kinds.end();
  if (!kind_ok) {
    std::string wanted;
    for (RefKind k : kinds) {
      if (!wanted.empty()) wanted += " or ";
      wanted += k == RefKind::kObjective   ? "an objective id like O1"
                : k == RefKind::kKeyResult ? "a key result id like KR1"
                                           : "an initiative id like I1";
    }
    return Status::InvalidArgument("`" + text + "` is not " + wanted + ".");
  }
  return ref;
}

Result<Objective> Session::LoadObjective(int64_t number) {
  return store_->GetObjective(ws_.id, number);
}

bool Session::LoadKrToChange(size_t index, const std::string& doing, KeyResult* kr,
                             Objective* objective, Reply* refusal) {
  auto ref = RefArg(index, {RefKind::kKeyResult});
  if (!ref.ok()) {
    *refusal = Error(ref.status().message());
    return false;
  }
  auto loaded = LoadKeyResult(ref->number);
  if (!loaded.ok()) {
    *refusal = NotFound(*ref);
    return false;
  }
  auto parent = LoadObjective(loaded->objective);
  if (!parent.ok()) {
    *refusal = Failure(parent.status());
    return false;
  }
  if (!MayChangeKr(*loaded, *parent)) {
    *refusal = Error("Only the owner of " + KeyResultRef(loaded->number) +
                     ", the objective's owner or an admin can " + doing + " it.");
    return false;
  }
  *kr = std::move(*loaded);
  *objective = std::move(*parent);
  return true;
}

Result<KeyResult> Session::LoadKeyResult(int64_t number) {
  return store_->GetKeyResult(ws_.id, number);
}

double Session::Elapsed(const Objective& objective) const {
  Cycle cycle;
  if (!ParseCycle(objective.cycle, &cycle)) return 0;
  return CycleElapsedFraction(cycle, ws_.fiscal_year_start_month, now_);
}

std::vector<KeyResult> Session::KeyResultsOf(int64_t objective) {
  KeyResultFilter filter;
  filter.objective = objective;
  auto krs = store_->ListKeyResults(ws_.id, filter);
  return krs.ok() ? *krs : std::vector<KeyResult>{};
}

std::string Session::KrLine(const KeyResult& kr, const Objective& objective) {
  double progress = KeyResultProgress(kr);
  std::string line = KeyResultRef(kr.number) + " " + kr.text + " — " + CurrentText(kr);
  if (kr.direction != Direction::kBinary && kr.target) {
    line += " / " + FormatValue(*kr.target, kr.unit);
  }
  line += "  " + ProgressBar(progress) + " · " +
          PaceStatusName(ComputePace(progress, Elapsed(objective), objective.type)) + " · " +
          UserLabel(kr.owner);
  if (kr.last_checkin_at) line += " · updated " + Ago(now_, *kr.last_checkin_at);
  if (OwnerAway(kr.owner)) {
    line += " · away";
  } else if (IsStale(kr, now_)) {
    line += " · STALE";
  }
  if (kr.snoozed_until && date::floor<date::days>(now_) <= *kr.snoozed_until) {
    line += " · snoozed until " + FormatDate(*kr.snoozed_until);
  }
  return line;
}

void Session::AddFindings(Reply* reply, const std::vector<Finding>& findings) {
  if (findings.empty()) return;
  std::vector<std::string> items;
  for (const auto& f : findings) {
    std::string item = f.subject + " · " + f.rule + ": " + f.message;
    if (!f.suggestion.empty()) item += " Suggestion: " + f.suggestion;
    items.push_back(std::move(item));
  }
  reply->Text("Review (it explains, it never blocks):");
  reply->List(std::move(items));
}

Reply Session::Run() {
  const std::string& name = cmd_.spec->name;
  if (name == "help") return Help();
  if (name == "objective add") return ObjectiveAdd();
  if (name == "kr add") return KrAdd();
  if (name == "update") return Update();
  if (name == "list") return List();
  if (name == "show") return Show();
  if (name == "tree") return Tree();
  if (name == "initiative add") return InitiativeAdd();
  if (name == "initiative done") return InitiativeDone();
  if (name == "edit") return Edit();
  if (name == "archive") return Archive();
  if (name == "review") return Review();
  if (name == "keep") return Keep();
  if (name == "stale") return Stale();
  if (name == "summary") return Summary();
  if (name == "remind checkin") return RemindCheckin();
  if (name == "remind digest") return RemindDigest();
  if (name == "remind off") return RemindOff();
  if (name == "remind show") return RemindShow();
  if (name == "snooze") return Snooze();
  if (name == "away") return Away();
  if (name == "todo") return Todo();
  if (name == "tz") return Tz();
  if (name == "admin") return Admin();
  // Every entry of the command table is dispatched above; reaching here is a programming error.
  assert(false && "command table entry without a handler");
  return Error("Sorry, something went wrong inside okrbot with `" + name + "`.");
}

Reply Session::Help() {
  Reply r;
  if (!cmd_.args.empty()) {
    std::string wanted = AsciiLower(cmd_.args[0].text);
    if (cmd_.args.size() > 1) wanted += " " + AsciiLower(cmd_.args[1].text);
    const CommandSpec* spec = FindCommand(wanted);
    if (spec == nullptr) {
      for (const auto& s : CommandTable()) {
        if (s.name.rfind(wanted + " ", 0) == 0) {
          spec = &s;
          break;
        }
      }
    }
    if (spec != nullptr) {
      r.Header("/okr " + spec->name);
      r.Text(spec->summary);
      r.Context("Usage: " + spec->usage);
      r.Text("Examples:");
      r.List(spec->examples);
      return r;
    }
    r.Text("I don't know `" + cmd_.args[0].text + "`. These are the commands:");
  } else {
    r.Header("okrbot: your OKRs, where your team talks");
  }
  std::vector<std::string> lines;
  for (const auto& spec : CommandTable()) lines.push_back(spec.usage + " — " + spec.summary);
  r.List(std::move(lines));
  r.Context("`/okr help <command>` shows examples, e.g. `/okr help update`.");
  return r;
}

Reply Session::ObjectiveAdd() {
  const std::string& title = cmd_.args[0].text;
  if (Status s = CheckText("The title", title, limits_.max_title_bytes); !s.ok()) {
    return Error(s.message());
  }
  Objective o;
  o.workspace_id = ws_.id;
  o.title = Trim(title);
  o.created_by = actor_.user_id;
  o.created_at = now_;
  o.owner = actor_.user_id;
  if (cmd_.has("owner")) {
    auto owner = ResolveUser(cmd_.get("owner"));
    if (!owner.ok()) return Error(owner.status().message());
    o.owner = *owner;
  }
  if (cmd_.has("team")) {
    if (Status s = CheckText("The team", cmd_.get("team"), limits_.max_name_bytes); !s.ok()) {
      return Error(s.message());
    }
    o.team = AsciiLower(cmd_.get("team"));
  }
  auto cycle = CycleOption();
  if (!cycle.ok()) return Error(cycle.status().message());
  o.cycle = *cycle;
  if (cmd_.has("type") && !ParseGoalType(AsciiLower(cmd_.get("type")), &o.type)) {
    return Error("`type:` is either stretch or committed.");
  }
  if (cmd_.has("parent")) {
    Ref ref;
    if (!ParseRef(cmd_.get("parent"), &ref) || ref.kind != RefKind::kObjective) {
      return Error("`parent:` takes an objective id like O1.");
    }
    auto parent = LoadObjective(ref.number);
    if (!parent.ok()) return NotFound(ref);
    o.parent = ref.number;
  }
  ObjectiveFilter same_cycle;
  same_cycle.cycle = o.cycle;
  auto existing = store_->ListObjectives(ws_.id, same_cycle);
  if (!existing.ok()) return Failure(existing.status());
  if (static_cast<int>(existing->size()) >= limits_.max_objectives_per_cycle) {
    return Error("This workspace already has " + std::to_string(existing->size()) +
                 " objectives in " + o.cycle + ", the most I keep per cycle. Archive some first.");
  }
  auto created = store_->CreateObjective(o);
  if (!created.ok()) return Failure(created.status());
  Reply r = Ok();
  r.Header("Created " + ObjectiveRef(created->number) + ": " + created->title);
  std::vector<std::pair<std::string, std::string>> fields = {{"Owner", UserLabel(created->owner)},
                                                             {"Cycle", created->cycle},
                                                             {"Type", GoalTypeName(created->type)}};
  if (!created->team.empty()) fields.emplace_back("Team", created->team);
  if (created->parent != 0) fields.emplace_back("Aligned under", ObjectiveRef(created->parent));
  r.Fields(std::move(fields));
  r.Context("Next: add 1–5 measurable key results, e.g. /okr kr add " +
            ObjectiveRef(created->number) + " \"Increase NPS from 55 to 70\"");
  return r;
}

Reply Session::KrAdd() {
  auto ref = RefArg(0, {RefKind::kObjective});
  if (!ref.ok()) return Error(ref.status().message());
  auto objective = LoadObjective(ref->number);
  if (!objective.ok()) return NotFound(*ref);
  if (objective->archived) return Error(ObjectiveRef(ref->number) + " is archived.");
  const std::string& text = cmd_.args[1].text;
  if (Status s = CheckText("The key result", text, limits_.max_title_bytes); !s.ok()) {
    return Error(s.message());
  }
  auto siblings = KeyResultsOf(objective->number);
  if (static_cast<int>(siblings.size()) >= limits_.max_krs_per_objective) {
    return Error(ObjectiveRef(objective->number) + " already has " +
                 std::to_string(siblings.size()) + " key results, the most I keep. 1–5 is " +
                 "the practice; consider splitting the objective.");
  }
  KeyResult kr;
  kr.workspace_id = ws_.id;
  kr.objective = objective->number;
  kr.text = Trim(text);
  kr.owner = actor_.user_id;
  kr.created_by = actor_.user_id;
  kr.created_at = now_;
  if (!(objective->owner.empty() || MayChangeObjective(*objective))) {
    return Error("Only the owner of " + ObjectiveRef(objective->number) + " (" +
                 UserLabel(objective->owner) + ") or an admin can add key results to it.");
  }
  if (cmd_.has("owner")) {
    auto owner = ResolveUser(cmd_.get("owner"));
    if (!owner.ok()) return Error(owner.status().message());
    kr.owner = *owner;
  }
  ParsedMetric metric = ParseMetric(kr.text);
  kr.baseline = metric.baseline;
  kr.target = metric.target;
  kr.unit = metric.unit;
  kr.direction = metric.direction;
  for (const char* key : {"from", "to"}) {
    if (!cmd_.has(key)) continue;
    double value;
    if (!ParseNumber(cmd_.get(key), &value)) {
      return Error("`" + std::string(key) + ":" + cmd_.get(key) + "` is not a number.");
    }
    (std::string(key) == "from" ? kr.baseline : kr.target) = value;
    if (kr.direction == Direction::kBinary) kr.direction = Direction::kIncrease;
  }
  if (kr.baseline && kr.target && !cmd_.has("direction") &&
      (kr.direction == Direction::kIncrease || kr.direction == Direction::kDecrease)) {
    kr.direction = *kr.target < *kr.baseline ? Direction::kDecrease : Direction::kIncrease;
  }
  if (cmd_.has("unit")) {
    if (Status s = CheckText("The unit", cmd_.get("unit"), 16); !s.ok()) return Error(s.message());
    kr.unit = cmd_.get("unit");
  }
  if (cmd_.has("direction") && !ParseDirection(AsciiLower(cmd_.get("direction")), &kr.direction)) {
    return Error(
        "`direction:` is one of increase, decrease, maintain-at-least, "
        "maintain-at-most, binary.");
  }
  if (cmd_.has("cadence") && !ParseCadence(AsciiLower(cmd_.get("cadence")), &kr.cadence)) {
    return Error("`cadence:` is weekly, biweekly or monthly.");
  }
  if (cmd_.has("weight") && (!ParseNumber(cmd_.get("weight"), &kr.weight) || kr.weight <= 0)) {
    return Error("`weight:` is a positive number.");
  }
  auto created = store_->CreateKeyResult(kr);
  if (!created.ok()) return Failure(created.status());
  siblings.push_back(*created);
  Reply r = Ok();
  r.Header("Added " + KeyResultRef(created->number) + " to " + ObjectiveRef(objective->number));
  r.Text(created->text);
  r.Fields({{"Owner", UserLabel(created->owner)},
            {"Metric", MetricText(*created)},
            {"Cadence", CadenceName(created->cadence)}});
  std::vector<Finding> findings = ReviewKeyResult(*created);
  if (static_cast<int>(siblings.size()) > ReviewRules::Default().max_krs_per_objective) {
    for (const auto& f : ReviewObjective(*objective, siblings)) {
      if (f.rule == "too-many-krs") findings.push_back(f);
    }
  }
  AddFindings(&r, findings);
  if (!findings.empty()) {
    r.Context("Edit it with /okr edit " + KeyResultRef(created->number) +
              " title:\"...\", or keep it as written with /okr keep " +
              KeyResultRef(created->number) + ".");
  }
  return r;
}

Reply Session::Update() {
  CheckInInput input;
  input.kr = cmd_.args[0].text;
  input.value = cmd_.args[1].text;
  std::vector<Token> tail = cmd_.tail;
  if (AsciiLower(input.value) == "not" && !tail.empty() &&
      AsciiLower(tail.front().text) == "done") {
    tail.erase(tail.begin());
    input.value = "not done";
  }
  input.confidence = cmd_.get("confidence");
  if (cmd_.has("confidence") && input.confidence.empty()) input.confidence = " ";
  input.note = Join(tail);
  return RecordCheckIn(input);
}

Reply Session::RecordCheckIn(const CheckInInput& input) {
  Ref ref;
  if (!ParseRef(input.kr, &ref) || ref.kind != RefKind::kKeyResult) {
    return Error("`" + input.kr + "` is not a key result id like KR1.");
  }
  auto kr = LoadKeyResult(ref.number);
  if (!kr.ok()) return NotFound(ref);
  if (kr->archived) return Error(KeyResultRef(kr->number) + " is archived; it takes no check-ins.");
  auto objective = LoadObjective(kr->objective);
  if (!objective.ok()) return Failure(objective.status());
  if (!MayChangeKr(*kr, *objective)) {
    return Error("Only " + UserLabel(kr->owner) +
                 " (the owner), the objective's owner or an "
                 "admin can update " +
                 KeyResultRef(kr->number) + ".");
  }
  std::string typed = Trim(input.value);
  std::string raw = AsciiLower(typed);
  double value = 0;
  if (input.exact_value) {
    value = *input.exact_value;
  } else if (raw == "done" || raw == "not done" || raw == "yes" || raw == "no") {
    if (kr->direction != Direction::kBinary) {
      return Error(KeyResultRef(kr->number) + " is measured by a number (" + MetricText(*kr) +
                   "): give a value like 62 or +5.");
    }
    value = (raw == "done" || raw == "yes") ? 1 : 0;
  } else {
    if (!ParseNumber(typed, &value)) {
      return Error("`" + typed +
                   "` is not a value: give a number like 62, a change "
                   "like +5 or -2, or done / not done for a yes/no key result.");
    }
    bool relative = typed[0] == '+' || typed[0] == '-';
    if (relative) {
      // "-2" means "two less" only as a change; an absolute negative value is rare in OKRs.
      double sign = typed[0] == '-' ? -1 : 1;
      value = kr->current.value_or(kr->baseline.value_or(0)) + sign * std::fabs(value);
    }
    if (kr->direction == Direction::kBinary && value != 0 && value != 1) {
      return Error(KeyResultRef(kr->number) + " is a yes/no key result: answer done or not done.");
    }
  }
  CheckIn c;
  c.workspace_id = ws_.id;
  c.kr = kr->number;
  c.value = value;
  c.author = actor_.user_id;
  c.at = now_;
  if (!input.confidence.empty()) {
    int confidence;
    if (!ParseConfidence(input.confidence, &confidence)) {
      return Error("`confidence:` is 0–100, or high, medium or low.");
    }
    c.confidence = confidence;
  }
  // Forms allow line breaks; a check-in note is one line.
  c.note = input.note;
  for (char& ch : c.note) {
    if (ch == '\n' || ch == '\r') ch = ' ';
  }
  c.note = Trim(c.note);
  if (Status s = CheckText("The note", c.note, limits_.max_note_bytes, true); !s.ok()) {
    return Error(s.message());
  }
  std::optional<double> previous = kr->current;
  c.request_id = actor_.request_id;
  auto recorded = store_->RecordCheckIn(c);
  if (!recorded.ok() && recorded.status().code() == StatusCode::kAlreadyExists &&
      !c.request_id.empty()) {
    Reply repeat = Error(kAlreadyReceived);
    repeat.repeated = true;
    return repeat;
  }
  if (!recorded.ok()) return Failure(recorded.status());
  if (on_checkin_) on_checkin_();
  KeyResult after = *kr;
  after.current = value;
  double progress = KeyResultProgress(after);
  Reply r = Ok();
  r.Header(KeyResultRef(kr->number) + " updated: " + CurrentText(after));
  r.Text(kr->text);
  r.Progress("Progress", progress);
  std::string delta = "first check-in";
  if (previous) {
    double d = value - *previous;
    delta = (d >= 0 ? "+" : "−") + FormatValue(std::fabs(d), kr->unit) + " since last check-in";
  }
  r.Fields({{"Score", ScoreText(progress)},
            {"Change", delta},
            {"Status", PaceStatusName(ComputePace(progress, Elapsed(*objective), objective->type))},
            {"Confidence", ConfidenceText(c.confidence)}});
  if (!c.note.empty()) r.Context("Note: " + c.note);
  return r;
}

Reply Session::List() {
  auto cycle = CycleOption();
  if (!cycle.ok()) return Error(cycle.status().message());
  ObjectiveFilter filter;
  filter.cycle = *cycle;
  filter.include_archived = IsYes(cmd_.get("archived"));
  std::string person;  // show objectives this person owns or has a KR in
  int64_t only_objective = 0;
  if (cmd_.has("team")) filter.team = AsciiLower(cmd_.get("team"));
  if (!cmd_.args.empty()) {
    std::string arg = cmd_.args[0].text;
    Ref ref;
    if (AsciiLower(arg) == "mine") {
      person = actor_.user_id;
    } else if (ParseRef(arg, &ref) && ref.kind == RefKind::kObjective) {
      only_objective = ref.number;
      filter.cycle.clear();
    } else if (arg.rfind("@", 0) == 0 || arg.rfind("<@", 0) == 0) {
      auto user = ResolveUser(arg, /*create=*/false);
      if (!user.ok()) return Error(user.status().message());
      person = *user;
    } else {
      return Error("`" + arg +
                   "` is not something I can list by: use mine, @name, team:<name> "
                   "or an objective id like O1.");
    }
  }
  filter.involving = person;
  auto objectives = store_->ListObjectives(ws_.id, filter);
  if (!objectives.ok()) return Failure(objectives.status());
  // All key results of the listed objectives in one query, not one query per objective.
  KeyResultFilter kr_filter;
  kr_filter.objective = only_objective;
  kr_filter.cycle = filter.cycle;
  kr_filter.involving = person;
  kr_filter.include_archived = filter.include_archived;
  auto all_krs = store_->ListKeyResults(ws_.id, kr_filter);
  if (!all_krs.ok()) return Failure(all_krs.status());
  std::map<int64_t, std::vector<KeyResult>> krs_of;
  std::vector<std::string> named;
  for (auto& kr : *all_krs) {
    named.push_back(kr.owner);
    krs_of[kr.objective].push_back(std::move(kr));
  }
  for (const auto& o : *objectives) {
    if (only_objective == 0 || o.number == only_objective) named.push_back(o.owner);
  }
  PreloadUsers(std::move(named));
  Reply r = Ok();
  int shown = 0;
  for (const auto& o : *objectives) {
    if (only_objective != 0 && o.number != only_objective) continue;
    // The store already kept only the objectives `person` owns or has a key result in.
    const std::vector<KeyResult>& krs = krs_of[o.number];
    double score = ObjectiveScore(krs);
    std::string title = ObjectiveRef(o.number) + " " + o.title + " — " + Percent(score) + " · " +
                        UserLabel(o.owner);
    if (!o.team.empty()) title += " · team " + o.team;
    if (o.archived) title += " · archived";
    r.Header(title);
    std::vector<std::string> lines;
    for (const auto& kr : krs) lines.push_back(KrLine(kr, o));
    if (lines.empty())
      lines.push_back("no key results yet: /okr kr add " + ObjectiveRef(o.number) + " \"...\"");
    r.List(std::move(lines));
    ++shown;
  }
  if (shown == 0) {
    if (only_objective != 0) return NotFound(Ref{RefKind::kObjective, only_objective});
    r.Text("No objectives" + std::string(person.empty() ? "" : " for " + UserLabel(person)) +
           " in " + filter.cycle + " yet. Create one: /okr objective add \"<title>\"");
  } else {
    r.Context("Cycle " + (filter.cycle.empty() ? std::string("any") : filter.cycle) + " · " +
              std::to_string(shown) + (shown == 1 ? " objective" : " objectives"));
  }
  return r;
}

Reply Session::Show() {
  auto ref = RefArg(0, {RefKind::kObjective, RefKind::kKeyResult});
  if (!ref.ok()) return Error(ref.status().message());
  if (ref->kind == RefKind::kObjective) {
    auto o = LoadObjective(ref->number);
    if (!o.ok()) return NotFound(*ref);
    return ShowObjective(*o);
  }
  auto kr = LoadKeyResult(ref->number);
  if (!kr.ok()) return NotFound(*ref);
  return ShowKeyResult(*kr);
}

Reply Session::ShowObjective(const Objective& o) {
  auto krs = KeyResultsOf(o.number);
  double score = ObjectiveScore(krs);
  Reply r = Ok();
  r.Header(ObjectiveRef(o.number) + ": " + o.title);
  std::vector<std::pair<std::string, std::string>> fields = {
      {"Owner", UserLabel(o.owner)},
      {"Cycle", o.cycle},
      {"Type", GoalTypeName(o.type)},
      {"Score", ScoreText(score)},
      {"Status", PaceStatusName(ComputePace(score, Elapsed(o), o.type))}};
  if (!o.team.empty()) fields.emplace_back("Team", o.team);
  if (o.parent != 0) fields.emplace_back("Aligned under", ObjectiveRef(o.parent));
  if (o.archived) fields.emplace_back("Archived", "yes");
  r.Fields(std::move(fields));
  r.Progress("Progress", score);
  std::vector<std::string> lines;
  for (const auto& kr : krs) lines.push_back(KrLine(kr, o));
  if (lines.empty()) lines.push_back("no key results yet");
  r.List(std::move(lines));
  return r;
}

Reply Session::ShowKeyResult(const KeyResult& kr) {
  auto objective = LoadObjective(kr.objective);
  if (!objective.ok()) return Failure(objective.status());
  auto history = store_->ListCheckIns(ws_.id, kr.number, 0);
  if (!history.ok()) return Failure(history.status());
  double progress = KeyResultProgress(kr);
  Reply r = Ok();
  r.Header(KeyResultRef(kr.number) + ": " + kr.text);
  std::optional<int> confidence;
  if (!history->empty()) confidence = history->front().confidence;
  std::vector<std::pair<std::string, std::string>> fields = {
      {"Objective", ObjectiveRef(objective->number) + " " + objective->title},
      {"Owner", UserLabel(kr.owner)},
      {"Metric", MetricText(kr)},
      {"Current", CurrentText(kr)},
      {"Score", ScoreText(progress)},
      {"Status", PaceStatusName(ComputePace(progress, Elapsed(*objective), objective->type))},
      {"Confidence", ConfidenceText(confidence)},
      {"Cadence", CadenceName(kr.cadence)}};
  if (kr.archived) fields.emplace_back("Archived", "yes");
  if (kr.snoozed_until) fields.emplace_back("Snoozed until", FormatDate(*kr.snoozed_until));
  r.Fields(std::move(fields));
  r.Progress("Progress", progress);
  if (history->empty()) {
    r.Text("No check-ins yet: /okr update " + KeyResultRef(kr.number) + " <value>");
  } else {
    std::vector<double> series;
    for (auto it = history->rbegin(); it != history->rend(); ++it) series.push_back(it->value);
    r.Text("History " + Sparkline(series));
    std::vector<std::string> lines;
    for (size_t i = 0; i < history->size() && i < 10; ++i) {
      const CheckIn& c = (*history)[i];
      KeyResult at = kr;
      at.current = c.value;
      std::string line = FormatDate(date::floor<date::days>(c.at)) + "  " + CurrentText(at) +
                         "  by " + UserLabel(c.author);
      if (c.confidence) line += "  confidence " + std::to_string(*c.confidence) + "%";
      if (!c.note.empty()) line += "  — " + c.note;
      lines.push_back(std::move(line));
    }
    r.List(std::move(lines));
  }
  if (!kr.archived && MayChangeKr(kr, *objective)) AppendCheckInButtons(&r, kr);
  auto initiatives = store_->ListInitiatives(ws_.id, kr.number);
  if (initiatives.ok() && !initiatives->empty()) {
    std::vector<std::string> lines;
    for (const auto& i : *initiatives) {
      lines.push_back(std::string(i.done ? "☑ " : "☐ ") + InitiativeRef(i.number) + " " + i.text);
    }
    r.Text("Initiatives:");
    r.List(std::move(lines));
  }
  return r;
}

Reply Session::Tree() {
  auto cycle = CycleOption();
  if (!cycle.ok()) return Error(cycle.status().message());
  ObjectiveFilter filter;
  filter.cycle = *cycle;
  auto objectives = store_->ListObjectives(ws_.id, filter);
  if (!objectives.ok()) return Failure(objectives.status());
  std::map<int64_t, const Objective*> by_number;
  std::map<int64_t, std::vector<const Objective*>> children;
  for (const auto& o : *objectives) by_number[o.number] = &o;
  std::vector<const Objective*> roots;
  for (const auto& o : *objectives) {
    if (o.parent != 0 && by_number.count(o.parent) != 0) {
      children[o.parent].push_back(&o);
    } else {
      roots.push_back(&o);
    }
  }
  // A parent's score rolls up its own KRs and each aligned child objective as one item each.
  std::map<int64_t, double> memo;
  std::function<double(const Objective*, int)> rolled = [&](const Objective* o, int depth) {
    if (auto it = memo.find(o->number); it != memo.end()) return it->second;
    double sum = 0;
    int count = 0;
    for (const auto& kr : KeyResultsOf(o->number)) {
      sum += KeyResultProgress(kr);
      ++count;
    }
    if (depth < 32) {
      for (const Objective* child : children[o->number]) {
        sum += rolled(child, depth + 1);
        ++count;
      }
    }
    double score = count > 0 ? sum / count : 0;
    memo[o->number] = score;
    return score;
  };
  std::vector<std::string> lines;
  std::function<void(const Objective*, int)> walk = [&](const Objective* o, int depth) {
    std::string indent;
    for (int i = 0; i < depth; ++i) indent += "    ";
    lines.push_back(indent + (depth > 0 ? "└ " : "") + ObjectiveRef(o->number) + " " + o->title +
                    "  " + ProgressBar(rolled(o, 0)) +
                    (o->team.empty() ? "" : "  team " + o->team));
    if (depth < 32) {
      for (const Objective* child : children[o->number]) walk(child, depth + 1);
    }
  };
  for (const Objective* root : roots) walk(root, 0);
  Reply r = Ok();
  r.Header("Alignment tree · " + filter.cycle);
  if (lines.empty()) {
    r.Text("No objectives in " + filter.cycle + " yet.");
  } else {
    r.List(std::move(lines));
  }
  return r;
}

Reply Session::InitiativeAdd() {
  KeyResult kr;
  Objective objective;
  Reply refusal;
  if (!LoadKrToChange(0, "plan initiatives for", &kr, &objective, &refusal)) return refusal;
  const std::string& text = cmd_.args[1].text;
  if (Status s = CheckText("The initiative", text, limits_.max_title_bytes); !s.ok()) {
    return Error(s.message());
  }
  Initiative i;
  i.workspace_id = ws_.id;
  i.kr = kr.number;
  i.text = Trim(text);
  i.created_by = actor_.user_id;
  i.created_at = now_;
  auto created = store_->CreateInitiative(i);
  if (!created.ok()) return Failure(created.status());
  Reply r = Ok();
  r.Header("Added " + InitiativeRef(created->number) + " to " + KeyResultRef(kr.number));
  r.Text(created->text);
  r.Context("Mark it done with /okr initiative done " + InitiativeRef(created->number));
  return r;
}

Reply Session::InitiativeDone() {
  auto ref = RefArg(0, {RefKind::kInitiative});
  if (!ref.ok()) return Error(ref.status().message());
  auto initiative = store_->GetInitiative(ws_.id, ref->number);
  if (!initiative.ok()) return NotFound(*ref);
  auto kr = LoadKeyResult(initiative->kr);
  if (!kr.ok()) return Failure(kr.status());
  auto objective = LoadObjective(kr->objective);
  if (!objective.ok()) return Failure(objective.status());
  if (!MayChangeKr(*kr, *objective) && initiative->created_by != actor_.user_id) {
    return Error("Only the owner of " + KeyResultRef(kr->number) +
                 ", the objective's owner or an admin can close this initiative.");
  }
  if (initiative->done) {
    Reply r = Ok();
    r.Text(InitiativeRef(initiative->number) + " was already done.");
    return r;
  }
  Initiative updated = *initiative;
  updated.done = true;
  EditRecord edit{ws_.id, InitiativeRef(updated.number), "done", "no", "yes", actor_.user_id, now_};
  if (Status s = store_->UpdateInitiative(updated, {edit}); !s.ok()) return Failure(s);
  Reply r = Ok();
  r.Text("☑ " + InitiativeRef(updated.number) + " done: " + updated.text);
  return r;
}

Reply Session::Edit() {
  auto ref = RefArg(0, {RefKind::kObjective, RefKind::kKeyResult});
  if (!ref.ok()) return Error(ref.status().message());
  if (cmd_.options.empty()) return Error("Say what to change, e.g. to:75 or owner:@carol.");
  if (ref->kind == RefKind::kObjective) {
    auto o = LoadObjective(ref->number);
    if (!o.ok()) return NotFound(*ref);
    return EditObjective(*o);
  }
  auto kr = LoadKeyResult(ref->number);
  if (!kr.ok()) return NotFound(*ref);
  return EditKeyResult(*kr);
}

Reply Session::EditObjective(Objective o) {
  if (!MayChangeObjective(o)) {
    return Error("Only the owner of " + ObjectiveRef(o.number) + " (" + UserLabel(o.owner) +
                 ") or an admin can edit it.");
  }
  for (const char* key : {"from", "to", "unit", "cadence", "weight", "direction"}) {
    if (cmd_.has(key)) {
      return Error("`" + std::string(key) +
                   ":` belongs to key results; objectives take title:, "
                   "owner:, team:, type:, cycle: and parent:.");
    }
  }
  Objective before = o;
  std::vector<EditRecord> edits;
  auto record = [&](const std::string& field, const std::string& old_value,
                    const std::string& new_value) {
    if (old_value != new_value) {
      edits.push_back(
          {ws_.id, ObjectiveRef(o.number), field, old_value, new_value, actor_.user_id, now_});
    }
  };
  if (cmd_.has("title")) {
    if (Status s = CheckText("The title", cmd_.get("title"), limits_.max_title_bytes); !s.ok()) {
      return Error(s.message());
    }
    o.title = Trim(cmd_.get("title"));
  }
  if (cmd_.has("owner")) {
    auto owner = ResolveUser(cmd_.get("owner"));
    if (!owner.ok()) return Error(owner.status().message());
    o.owner = *owner;
  }
  if (cmd_.has("team")) {
    if (Status s = CheckText("The team", cmd_.get("team"), limits_.max_name_bytes, true); !s.ok()) {
      return Error(s.message());
    }
    o.team = AsciiLower(cmd_.get("team"));
  }
  if (cmd_.has("type") && !ParseGoalType(AsciiLower(cmd_.get("type")), &o.type)) {
    return Error("`type:` is either stretch or committed.");
  }
  if (cmd_.has("cycle")) {
    auto cycle = CycleOption();
    if (!cycle.ok()) return Error(cycle.status().message());
    o.cycle = *cycle;
  }
  if (cmd_.has("parent")) {
    std::string value = AsciiLower(cmd_.get("parent"));
    Ref ref;
    if (value == "none" || value.empty()) {
      o.parent = 0;
    } else if (!ParseRef(value, &ref) || ref.kind != RefKind::kObjective) {
      return Error("`parent:` takes an objective id like O1, or none.");
    } else if (ref.number == o.number) {
      return Error("An objective cannot be aligned under itself.");
    } else {
      if (!LoadObjective(ref.number).ok()) return NotFound(ref);
      // Refuse cycles in the alignment tree.
      int64_t walk = ref.number;
      for (int depth = 0; walk != 0 && depth < 64; ++depth) {
        if (walk == o.number) return Error("That would make the alignment tree go in a circle.");
        auto up = LoadObjective(walk);
        walk = up.ok() ? up->parent : 0;
      }
      o.parent = ref.number;
    }
  }
  record("title", before.title, o.title);
  record("owner", before.owner, o.owner);
  record("team", before.team, o.team);
  record("type", GoalTypeName(before.type), GoalTypeName(o.type));
  record("cycle", before.cycle, o.cycle);
  record("parent", before.parent ? ObjectiveRef(before.parent) : "",
         o.parent ? ObjectiveRef(o.parent) : "");
  Reply r = Ok();
  if (edits.empty()) {
    r.Text("Nothing changed: " + ObjectiveRef(o.number) + " already reads like that.");
    return r;
  }
  if (Status s = store_->UpdateObjective(o, edits); !s.ok()) return Failure(s);
  r.Header("Edited " + ObjectiveRef(o.number) + ": " + o.title);
  std::vector<std::string> lines;
  for (const auto& e : edits) {
    lines.push_back(e.field + ": " + (e.old_value.empty() ? "—" : e.old_value) + " → " +
                    (e.new_value.empty() ? "—" : e.new_value));
  }
  r.List(std::move(lines));
  return r;
}

std::string OptionalText(const std::optional<double>& v) { return v ? FormatValue(*v, "") : ""; }

Reply Session::EditKeyResult(KeyResult kr) {
  auto objective = LoadObjective(kr.objective);
  if (!objective.ok()) return Failure(objective.status());
  if (!MayChangeKr(kr, *objective)) {
    return Error("Only " + UserLabel(kr.owner) +
                 " (the owner), the objective's owner or an "
                 "admin can edit " +
                 KeyResultRef(kr.number) + ".");
  }
  for (const char* key : {"team", "type", "cycle", "parent"}) {
    if (cmd_.has(key)) {
      return Error("`" + std::string(key) +
                   ":` belongs to objectives; key results take title:, "
                   "owner:, from:, to:, unit:, cadence: and weight:.");
    }
  }
  KeyResult before = kr;
  if (cmd_.has("title")) {
    if (Status s = CheckText("The key result", cmd_.get("title"), limits_.max_title_bytes);
        !s.ok()) {
      return Error(s.message());
    }
    kr.text = Trim(cmd_.get("title"));
    // The new words may carry a new metric; explicit options below still win.
    ParsedMetric metric = ParseMetric(kr.text);
    if (metric.has_number) {
      if (metric.baseline) kr.baseline = metric.baseline;
      if (metric.target) kr.target = metric.target;
      if (!metric.unit.empty()) kr.unit = metric.unit;
      kr.direction = metric.direction;
    } else {
      kr.direction = Direction::kBinary;
    }
    kr.quality_kept = false;  // a rewrite is reviewed afresh
  }
  if (cmd_.has("owner")) {
    auto owner = ResolveUser(cmd_.get("owner"));
    if (!owner.ok()) return Error(owner.status().message());
    kr.owner = *owner;
  }
  for (const char* key : {"from", "to"}) {
    if (!cmd_.has(key)) continue;
    std::string raw = AsciiLower(cmd_.get(key));
    std::optional<double>& slot = std::string(key) == "from" ? kr.baseline : kr.target;
    if (raw == "none" || raw.empty()) {
      slot.reset();
      continue;
    }
    double value;
    if (!ParseNumber(raw, &value)) {
      return Error("`" + std::string(key) + ":" + cmd_.get(key) + "` is not a number.");
    }
    slot = value;
    if (kr.direction == Direction::kBinary) kr.direction = Direction::kIncrease;
  }
  if ((cmd_.has("from") || cmd_.has("to")) && !cmd_.has("direction") && kr.baseline && kr.target &&
      (kr.direction == Direction::kIncrease || kr.direction == Direction::kDecrease)) {
    kr.direction = *kr.target < *kr.baseline ? Direction::kDecrease : Direction::kIncrease;
  }
  if (cmd_.has("unit")) {
    if (Status s = CheckText("The unit", cmd_.get("unit"), 16, true); !s.ok()) {
      return Error(s.message());
    }
    kr.unit = cmd_.get("unit");
  }
  if (cmd_.has("cadence") && !ParseCadence(AsciiLower(cmd_.get("cadence")), &kr.cadence)) {
    return Error("`cadence:` is weekly, biweekly or monthly.");
  }
  if (cmd_.has("weight") && (!ParseNumber(cmd_.get("weight"), &kr.weight) || kr.weight <= 0)) {
    return Error("`weight:` is a positive number.");
  }
  if (cmd_.has("direction") && !ParseDirection(AsciiLower(cmd_.get("direction")), &kr.direction)) {
    return Error(
        "`direction:` is one of increase, decrease, maintain-at-least, "
        "maintain-at-most, binary.");
  }
  std::vector<EditRecord> edits;
  auto record = [&](const std::string& field, const std::string& old_value,
                    const std::string& new_value) {
    if (old_value != new_value) {
      edits.push_back(
          {ws_.id, KeyResultRef(kr.number), field, old_value, new_value, actor_.user_id, now_});
    }
  };
  record("text", before.text, kr.text);
  record("owner", before.owner, kr.owner);
  record("baseline", OptionalText(before.baseline), OptionalText(kr.baseline));
  record("target", OptionalText(before.target), OptionalText(kr.target));
  record("unit", before.unit, kr.unit);
  record("direction", DirectionName(before.direction), DirectionName(kr.direction));
  record("cadence", CadenceName(before.cadence), CadenceName(kr.cadence));
  record("weight", FormatValue(before.weight, ""), FormatValue(kr.weight, ""));
  Reply r = Ok();
  if (edits.empty()) {
    r.Text("Nothing changed: " + KeyResultRef(kr.number) + " already reads like that.");
    return r;
  }
  if (Status s = store_->UpdateKeyResult(kr, edits); !s.ok()) return Failure(s);
  r.Header("Edited " + KeyResultRef(kr.number) + ": " + kr.text);
  std::vector<std::string> lines;
  for (const auto& e : edits) {
    lines.push_back(e.field + ": " + (e.old_value.empty() ? "—" : e.old_value) + " → " +
                    (e.new_value.empty() ? "—" : e.new_value));
  }
  r.List(std::move(lines));
  r.Fields({{"Metric", MetricText(kr)}});
  AddFindings(&r, ReviewKeyResult(kr));
  return r;
}

Reply Session::Archive() {
  auto ref = RefArg(0, {RefKind::kObjective, RefKind::kKeyResult});
  if (!ref.ok()) return Error(ref.status().message());
  Reply r = Ok();
  if (ref->kind == RefKind::kObjective) {
    auto o = LoadObjective(ref->number);
    if (!o.ok()) return NotFound(*ref);
    if (!MayChangeObjective(*o)) {
      return Error("Only the owner of " + ObjectiveRef(o->number) + " or an admin can archive it.");
    }
    if (o->archived) {
      r.Text(ObjectiveRef(o->number) + " is already archived.");
      return r;
    }
    Objective updated = *o;
    updated.archived = true;
    EditRecord e{ws_.id, ObjectiveRef(o->number), "archived", "no", "yes", actor_.user_id, now_};
    if (Status s = store_->UpdateObjective(updated, {e}); !s.ok()) return Failure(s);
    r.Text("Archived " + ObjectiveRef(o->number) + " " + o->title +
           ". It is hidden from lists and reminders; nothing was deleted "
           "(`/okr list archived:yes` shows it).");
    return r;
  }
  auto kr = LoadKeyResult(ref->number);
  if (!kr.ok()) return NotFound(*ref);
  auto objective = LoadObjective(kr->objective);
  if (!objective.ok()) return Failure(objective.status());
  if (!MayChangeKr(*kr, *objective)) {
    return Error("Only the owner of " + KeyResultRef(kr->number) +
                 ", the objective's owner or an admin can archive it.");
  }
  if (kr->archived) {
    r.Text(KeyResultRef(kr->number) + " is already archived.");
    return r;
  }
  KeyResult updated = *kr;
  updated.archived = true;
  EditRecord e{ws_.id, KeyResultRef(kr->number), "archived", "no", "yes", actor_.user_id, now_};
  if (Status s = store_->UpdateKeyResult(updated, {e}); !s.ok()) return Failure(s);
  r.Text("Archived " + KeyResultRef(kr->number) + " " + kr->text +
         ". It is hidden from lists and reminders; nothing was deleted.");
  return r;
}

Reply Session::Review() {
  auto cycle = CycleOption();
  if (!cycle.ok()) return Error(cycle.status().message());
  ObjectiveFilter filter;
  filter.cycle = *cycle;
  std::string scope = cmd_.args.empty() ? "all" : AsciiLower(cmd_.args[0].text);
  int64_t only = 0;
  if (scope != "all" && scope != "mine") {
    auto ref = RefArg(0, {RefKind::kObjective});
    if (!ref.ok()) return Error("Review takes an objective id like O1, mine, or all.");
    only = ref->number;
    filter.cycle.clear();
  }
  auto objectives = store_->ListObjectives(ws_.id, filter);
  if (!objectives.ok()) return Failure(objectives.status());
  std::vector<Finding> findings;
  bool found_objective = false;
  for (const auto& o : *objectives) {
    if (only != 0 && o.number != only) continue;
    found_objective = true;
    auto krs = KeyResultsOf(o.number);
    for (auto& f : ReviewObjective(o, krs)) {
      if (scope == "mine") {
        bool mine = o.owner == actor_.user_id;
        Ref ref;
        if (ParseRef(f.subject, &ref) && ref.kind == RefKind::kKeyResult) {
          for (const auto& kr : krs) {
            if (kr.number == ref.number) mine = kr.owner == actor_.user_id;
          }
        }
        if (!mine) continue;
      }
      findings.push_back(std::move(f));
    }
  }
  if (only != 0 && !found_objective) return NotFound(Ref{RefKind::kObjective, only});
  Reply r = Ok();
  r.Header("OKR review · " + (only ? ObjectiveRef(only) : scope + " · " + filter.cycle));
  if (findings.empty()) {
    r.Text("No findings: these OKRs are measurable outcomes with owners. 👍");
    return r;
  }
  AddFindings(&r, findings);
  r.Context(
      "The review explains and warns; it never blocks. Keep a KR as written with "
      "/okr keep <KR>.");
  return r;
}

Reply Session::Keep() {
  KeyResult kr;
  Objective objective;
  Reply refusal;
  if (!LoadKrToChange(0, "keep as written", &kr, &objective, &refusal)) return refusal;
  Reply r = Ok();
  if (kr.quality_kept) {
    r.Text(KeyResultRef(kr.number) + " is already kept as written.");
    return r;
  }
  KeyResult updated = kr;
  updated.quality_kept = true;
  EditRecord e{ws_.id, KeyResultRef(kr.number), "quality_kept", "no", "yes", actor_.user_id, now_};
  if (Status s = store_->UpdateKeyResult(updated, {e}); !s.ok()) return Failure(s);
  r.Text("Kept " + KeyResultRef(kr.number) +
         " as written; I won't nudge about how it is "
         "phrased again.");
  return r;
}

Reply Session::Stale() {
  auto objectives = store_->ListObjectives(ws_.id, ObjectiveFilter{});
  if (!objectives.ok()) return Failure(objectives.status());
  std::vector<std::string> lines;
  for (const auto& o : *objectives) {
    for (const auto& kr : KeyResultsOf(o.number)) {
      if (!IsStale(kr, now_) || OwnerAway(kr.owner)) continue;
      std::string since = kr.last_checkin_at
                              ? "last check-in " + Ago(now_, *kr.last_checkin_at)
                              : "no check-in since it was created " + Ago(now_, kr.created_at);
      lines.push_back(KeyResultRef(kr.number) + " " + kr.text + " · " + UserLabel(kr.owner) +
                      " · " + since + " (" + CadenceName(kr.cadence) + ")");
    }
  }
  Reply r = Ok();
  r.Header("Stale key results");
  if (lines.empty()) {
    r.Text("Nothing is stale: every key result has a recent check-in. 🎉");
  } else {
    r.List(std::move(lines));
    r.Context(
        "Stale = no check-in within the cadence plus 3 days. Update with "
        "/okr update <KR> <value>.");
  }
  return r;
}

Reply Session::Summary() {
  auto cycle = CycleOption();
  if (!cycle.ok()) return Error(cycle.status().message());
  ObjectiveFilter filter;
  filter.cycle = *cycle;
  auto objectives = store_->ListObjectives(ws_.id, filter);
  if (!objectives.ok()) return Failure(objectives.status());
  std::map<int64_t, std::vector<KeyResult>> krs_by_objective;
  for (const auto& o : *objectives) krs_by_objective[o.number] = KeyResultsOf(o.number);
  // Interim until the cycle has ended; then the same post the scheduler sends.
  return CycleSummary(*cycle, *objectives, krs_by_objective, now_, ws_.fiscal_year_start_month);
}

Reply Session::RemindCheckin() {
  if (!MayManageWorkspace()) return Error("Only workspace admins can change reminders.");
  Reminder reminder;
  reminder.workspace_id = ws_.id;
  reminder.kind = "checkin";
  if (!ParseWeekday(cmd_.args[0].text, &reminder.weekday)) {
    return Error("`" + cmd_.args[0].text + "` is not a day: write monday, tue, ...");
  }
  if (!ParseClockTime(cmd_.args[1].text, &reminder.minute_of_day)) {
    return Error("`" + cmd_.args[1].text + "` is not a time: write it as HH:MM, e.g. 10:00.");
  }
  if (cmd_.has("team")) reminder.team = AsciiLower(cmd_.get("team"));
  if (Status s = CheckText("The team", reminder.team, limits_.max_name_bytes, true); !s.ok()) {
    return Error(s.message());
  }
  if (Status s = store_->PutReminder(reminder); !s.ok()) return Failure(s);
  Reply r = Ok();
  r.Text("Check-in prompts " +
         (reminder.team.empty() ? std::string("for everyone") : "for team " + reminder.team) +
         ": every " + WeekdayName(reminder.weekday) + " at " +
         FormatClockTime(reminder.minute_of_day) + " in each owner's own time zone.");
  return r;
}

Reply Session::RemindDigest() {
  if (!MayManageWorkspace()) return Error("Only workspace admins can change reminders.");
  Reminder reminder;
  reminder.workspace_id = ws_.id;
  reminder.kind = "digest";
  std::string channel = cmd_.args[0].text;
  if (channel.rfind("<#", 0) == 0 && channel.back() == '>') {  // Slack escaped form <#C123|name>
    channel = channel.substr(2, channel.size() - 3);
    channel = channel.substr(0, channel.find('|'));
  } else if (!channel.empty() && channel[0] == '#') {
    channel = channel.substr(1);
  } else {
    return Error("`" + channel + "` is not a channel: write it as #channel.");
  }
  // Channel ids can be longer than names (Teams: "19:<guid>_<guid>@unq.gbl.spaces").
  if (channel.empty() || channel.size() > kMaxChannelBytes || !IsValidUtf8(channel) ||
      HasControlCharacters(channel)) {
    return Error("That channel name is not valid.");
  }
  reminder.channel = channel;
  if (!ParseWeekday(cmd_.args[1].text, &reminder.weekday)) {
    return Error("`" + cmd_.args[1].text + "` is not a day: write monday, tue, ...");
  }
  if (!ParseClockTime(cmd_.args[2].text, &reminder.minute_of_day)) {
    return Error("`" + cmd_.args[2].text + "` is not a time: write it as HH:MM, e.g. 16:00.");
  }
  reminder.tz = cmd_.has("tz") ? cmd_.get("tz") : ws_.default_tz;
  if (!IsValidZone(reminder.tz)) {
    return Error("`" + reminder.tz +
                 "` is not a time zone I know: use an IANA name like "
                 "Europe/Berlin.");
  }
  if (Status s = store_->PutReminder(reminder); !s.ok()) return Failure(s);
  Reply r = Ok();
  r.Text("Digest to #" + reminder.channel + " every " + WeekdayName(reminder.weekday) + " at " +
         FormatClockTime(reminder.minute_of_day) + " (" + reminder.tz + ").");
  return r;
}

Reply Session::RemindOff() {
  if (!MayManageWorkspace()) return Error("Only workspace admins can change reminders.");
  auto reminders = store_->ListReminders(ws_.id);
  if (!reminders.ok()) return Failure(reminders.status());
  bool has_workspace_checkin = false;
  for (Reminder reminder : *reminders) {
    has_workspace_checkin |= reminder.kind == "checkin" && reminder.team.empty();
    reminder.enabled = false;
    if (Status s = store_->PutReminder(reminder); !s.ok()) return Failure(s);
  }
  if (!has_workspace_checkin) {
    // The default Monday prompt has no row of its own: store it, switched off.
    Reminder off;
    off.workspace_id = ws_.id;
    off.kind = "checkin";
    off.enabled = false;
    if (Status s = store_->PutReminder(off); !s.ok()) return Failure(s);
  }
  Reply r = Ok();
  r.Text("Reminders are off for this workspace. `/okr remind checkin ...` turns them on again.");
  return r;
}

Reply Session::RemindShow() {
  auto reminders = store_->ListReminders(ws_.id);
  if (!reminders.ok()) return Failure(reminders.status());
  Reply r = Ok();
  r.Header("Reminders");
  std::vector<std::string> lines;
  bool has_checkin = false;
  for (const auto& rem : *reminders) {
    std::string state = rem.enabled ? "" : " (off)";
    if (rem.kind == "checkin") {
      has_checkin = true;
      lines.push_back("Check-in prompt" +
                      (rem.team.empty() ? std::string() : " for team " + rem.team) + ": " +
                      WeekdayName(rem.weekday) + " " + FormatClockTime(rem.minute_of_day) +
                      " in each owner's time zone" + state);
    } else {
      lines.push_back("Digest to #" + rem.channel + ": " + WeekdayName(rem.weekday) + " " +
                      FormatClockTime(rem.minute_of_day) + " (" + rem.tz + ")" + state);
    }
  }
  if (!has_checkin) {
    lines.insert(lines.begin(),
                 "Check-in prompt: Monday 10:00 in each owner's time zone "
                 "(default)");
  }
  r.List(std::move(lines));
  return r;
}

Reply Session::Snooze() {
  KeyResult kr;
  Objective objective;
  Reply refusal;
  if (!LoadKrToChange(0, "snooze", &kr, &objective, &refusal)) return refusal;
  Days today = date::floor<date::days>(now_);
  Days until;
  if (cmd_.has("until")) {
    if (cmd_.args.size() > 1) return Error("Give either a duration (1w, 2d) or until:<date>.");
    if (!ParseDate(cmd_.get("until"), &until)) {
      return Error("`" + cmd_.get("until") + "` is not a date: write it as 2026-12-01.");
    }
  } else {
    if (cmd_.args.size() < 2) return Error("For how long? e.g. 1w, 2d or until:2026-12-01.");
    std::string d = AsciiLower(cmd_.args[1].text);
    int count = 0;
    char unit = d.empty() ? '\0' : d.back();
    std::string digits = d.empty() ? "" : d.substr(0, d.size() - 1);
    bool digits_ok = !digits.empty() && digits.size() <= 3 &&
                     std::all_of(digits.begin(), digits.end(),
                                 [](unsigned char c) { return std::isdigit(c) != 0; });
    if (!digits_ok || (unit != 'd' && unit != 'w')) {
      return Error("`" + cmd_.args[1].text +
                   "` is not a duration: write 2d, 1w or "
                   "until:2026-12-01.");
    }
    count = std::stoi(digits) * (unit == 'w' ? 7 : 1);
    until = today + date::days{count};
  }
  if (until < today) return Error("That date has passed; pick a day from today on.");
  if (until > today + date::days{366}) return Error("Snooze for at most a year.");
  KeyResult updated = kr;
  updated.snoozed_until = until;
  EditRecord e{ws_.id,
               KeyResultRef(kr.number),
               "snoozed_until",
               kr.snoozed_until ? FormatDate(*kr.snoozed_until) : "",
               FormatDate(until),
               actor_.user_id,
               now_};
  if (Status s = store_->UpdateKeyResult(updated, {e}); !s.ok()) return Failure(s);
  Reply r = Ok();
  r.Text("Snoozed " + KeyResultRef(kr.number) + " until " + FormatDate(until) +
         ": no prompts or nudges for it until then.");
  return r;
}

Reply Session::Away() {
  auto user = store_->GetUser(ws_.id, actor_.user_id);
  if (!user.ok()) return Failure(user.status());
  User updated = *user;
  Reply r = Ok();
  Days today = date::floor<date::days>(now_);
  if (!cmd_.args.empty()) {
    if (AsciiLower(cmd_.args[0].text) != "off" || cmd_.has("until")) {
      return Error("Write /okr away until:2026-12-24, or /okr away off.");
    }
    updated.away_until.reset();
    r.Text("Welcome back! Prompts and nudges are on again.");
  } else {
    if (!cmd_.has("until")) return Error("Until when? e.g. /okr away until:2026-12-24");
    Days until;
    if (!ParseDate(cmd_.get("until"), &until)) {
      return Error("`" + cmd_.get("until") + "` is not a date: write it as 2026-12-24.");
    }
    if (until < today) return Error("That date has passed; pick a day from today on.");
    if (until > today + date::days{366}) return Error("Away for at most a year.");
    updated.away_until = until;
    r.Text("You are away until " + FormatDate(until) +
           ": no prompts, your KRs are not counted stale, and digests show you as away.");
  }
  if (Status s = store_->UpsertUser(updated); !s.ok()) return Failure(s);
  return r;
}

Reply Session::Todo() {
  auto objectives = store_->ListObjectives(ws_.id, ObjectiveFilter{});
  if (!objectives.ok()) return Failure(objectives.status());
  std::vector<std::string> due;
  std::vector<std::string> stale;
  std::vector<Finding> findings;
  for (const auto& o : *objectives) {
    for (const auto& kr : KeyResultsOf(o.number)) {
      if (kr.owner != actor_.user_id) continue;
      bool snoozed = kr.snoozed_until && date::floor<date::days>(now_) <= *kr.snoozed_until;
      if (IsStale(kr, now_)) {
        stale.push_back(KeyResultRef(kr.number) + " " + kr.text);
      } else if (!snoozed && (!kr.last_checkin_at ||
                              now_ - *kr.last_checkin_at >= date::days{CadenceDays(kr.cadence)})) {
        due.push_back(KeyResultRef(kr.number) + " " + kr.text + " — now " + CurrentText(kr));
      }
      if (!kr.quality_kept) {
        for (auto& f : ReviewKeyResult(kr)) findings.push_back(std::move(f));
      }
    }
  }
  Reply r = Ok();
  r.Header("What needs you now");
  if (due.empty() && stale.empty() && findings.empty()) {
    r.Text("Nothing! Your key results are up to date. ✅");
    return r;
  }
  if (!due.empty()) {
    r.Text("Check-ins due:");
    r.List(std::move(due));
  }
  if (!stale.empty()) {
    r.Text("Stale (no check-in within cadence + 3 days):");
    r.List(std::move(stale));
  }
  AddFindings(&r, findings);
  r.Context("Update with /okr update <KR> <value>.");
  return r;
}

Reply Session::Tz() {
  std::string zone = cmd_.args[0].text;
  if (!IsValidZone(zone)) {
    return Error("`" + zone +
                 "` is not a time zone I know: use an IANA name like "
                 "Europe/Berlin or America/New_York.");
  }
  auto user = store_->GetUser(ws_.id, actor_.user_id);
  if (!user.ok()) return Failure(user.status());
  User updated = *user;
  updated.tz_override = date::locate_zone(zone)->name();
  if (Status s = store_->UpsertUser(updated); !s.ok()) return Failure(s);
  auto local = date::make_zoned(date::locate_zone(updated.tz_override), now_);
  Reply r = Ok();
  r.Text("Your time zone is now " + updated.tz_override + " (it is " +
         date::format("%H:%M", local.get_local_time()) +
         " there). Prompts come at your local "
         "time.");
  return r;
}

Reply Session::Admin() {
  std::string action = AsciiLower(cmd_.args[0].text);
  Reply r = Ok();
  if (action == "list") {
    std::vector<std::string> names;
    for (const auto& a : ws_.admins) names.push_back(UserLabel(a));
    if (names.empty()) {
      r.Text("No admins yet: anyone may set reminders. `/okr admin add @you` starts the list.");
    } else {
      r.Text("Workspace admins:");
      r.List(std::move(names));
    }
    return r;
  }
  if (action != "add" && action != "remove")
    return Error("Use admin add, admin remove or admin list.");
  // The first admin of a chat workspace must be one of its platform admins; only the console
  // (a single local person) may start the list freely.
  bool may_change = IsAdmin() || (ws_.admins.empty() && ws_.platform == "console");
  if (!may_change) {
    return Error(ws_.admins.empty()
                     ? "The first okrbot admin must be a workspace admin of the chat platform."
                     : "Only workspace admins can change the admin list.");
  }
  if (cmd_.args.size() < 2) return Error("Whom? e.g. /okr admin add @carol");
  auto user = ResolveUser(cmd_.args[1].text);
  if (!user.ok()) return Error(user.status().message());
  Workspace updated = ws_;
  auto it = std::find(updated.admins.begin(), updated.admins.end(), *user);
  if (action == "add") {
    if (it != updated.admins.end()) {
      r.Text(UserLabel(*user) + " is already an admin.");
      return r;
    }
    updated.admins.push_back(*user);
  } else {
    if (it == updated.admins.end()) return Error(UserLabel(*user) + " is not an admin.");
    updated.admins.erase(it);
  }
  if (Status s = store_->UpsertWorkspace(updated); !s.ok()) return Failure(s);
  EditRecord e{
      ws_.id,         "workspace", "admins", "", *user + (action == "add" ? " added" : " removed"),
      actor_.user_id, now_};
  (void)store_->AppendEdit(e);  // the change itself is committed; history is best effort here
  r.Text(UserLabel(*user) + (action == "add" ? " is now an admin." : " is no longer an admin."));
  return r;
}

}  // namespace

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
  return RunParsed(actor, parsed.command);
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
