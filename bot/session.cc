// The Session's shared pieces: loading and checking what a command names, phrasing errors,
// the small text helpers every command family uses, and the dispatch to each family's file.
#include <date/tz.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include <cassert>
#include "bot/review.h"
#include "bot/session.h"
#include "core/cycle.h"
#include "core/ids.h"
#include "core/metric.h"
#include "core/scoring.h"
#include "core/text_util.h"

namespace okrbot::bot_internal {

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

Status CheckUserText(const std::string& label, const std::string& text, size_t max_bytes,
                     bool allow_empty) {
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

const User* FindUserByName(const std::vector<User>& users, const std::string& name) {
  for (const auto& u : users) {
    if (AsciiLower(u.id) == AsciiLower(name) ||
        (!u.display_name.empty() && AsciiLower(u.display_name) == AsciiLower(name))) {
      return &u;
    }
  }
  return nullptr;
}

void SetNewKrMetric(KeyResult* kr, std::optional<double> from, std::optional<double> to,
                    bool direction_given) {
  ParsedMetric metric = ParseMetric(kr->text);
  kr->baseline = metric.baseline;
  kr->target = metric.target;
  kr->unit = metric.unit;
  kr->direction = metric.direction;
  for (const auto& [given, slot] : {std::pair{from, &kr->baseline}, std::pair{to, &kr->target}}) {
    if (!given) continue;
    *slot = *given;
    if (kr->direction == Direction::kBinary) kr->direction = Direction::kIncrease;
  }
  if (kr->baseline && kr->target && !direction_given &&
      (kr->direction == Direction::kIncrease || kr->direction == Direction::kDecrease)) {
    kr->direction = *kr->target < *kr->baseline ? Direction::kDecrease : Direction::kIncrease;
  }
}

Status Session::CheckText(const std::string& label, const std::string& text, size_t max_bytes,
                          bool allow_empty) const {
  return CheckUserText(label, text, max_bytes, allow_empty);
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
    if (const User* u = FindUserByName(*users, name)) return u->id;
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
  if (name == "dashboard") return Dashboard();
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

}  // namespace okrbot::bot_internal
