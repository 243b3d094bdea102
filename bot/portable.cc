#include "bot/portable.h"

#include <nlohmann/json.hpp>

#include <limits>
#include <set>

#include "core/metric.h"
#include "core/scoring.h"

namespace okrbot {
namespace {

using nlohmann::json;

constexpr int kFormatVersion = 1;

json OptionalNumber(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json OptionalDate(const std::optional<Days>& d) { return d ? json(FormatDate(*d)) : json(nullptr); }

long long Epoch(Seconds t) { return t.time_since_epoch().count(); }
Seconds FromEpoch(long long s) { return Seconds(std::chrono::seconds(s)); }

std::optional<double> ReadOptionalNumber(const json& j, const char* key) {
  if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
  return j.at(key).get<double>();
}

// Reads a whole-number field (or `fallback` when it is absent); throws, caught at the import
// boundary, when it is not a whole number that fits: nlohmann converts a float such as 1e300 to
// an integer with undefined behaviour (found by fuzzing).
int64_t ReadInteger(const json& j, const char* key,
                    std::optional<int64_t> fallback = std::nullopt) {
  if (!j.contains(key)) {
    if (fallback) return *fallback;
    throw std::invalid_argument(std::string("missing ") + key);
  }
  const json& value = j.at(key);
  if (!value.is_number_integer() ||
      (value.is_number_unsigned() &&
       value.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))) {
    throw std::invalid_argument(std::string(key) + " must be a whole number");
  }
  return value.get<int64_t>();
}

int ReadSmallInteger(const json& j, const char* key, std::optional<int> fallback = std::nullopt) {
  int64_t value = ReadInteger(j, key, fallback);
  if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max()) {
    throw std::invalid_argument(std::string(key) + " is out of range");
  }
  return static_cast<int>(value);
}

// Reads a time in seconds since 1970 (or `fallback`), refusing ones outside years 1970–9999.
Seconds ReadTime(const json& j, const char* key, std::optional<int64_t> fallback = std::nullopt) {
  int64_t value = ReadInteger(j, key, fallback);
  if (value < 0 || value > 253402300799) {
    throw std::invalid_argument(std::string(key) + " is not a time between 1970 and 9999");
  }
  return FromEpoch(value);
}

// Parses "YYYY-MM-DD" or throws (caught at the import boundary).
Days ReadDate(const std::string& text) {
  Days d;
  if (!ParseDate(text, &d)) throw std::invalid_argument("not a date: " + text);
  return d;
}

std::optional<Days> ReadOptionalDate(const json& j, const char* key) {
  if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
  return ReadDate(j.at(key).get<std::string>());
}

}  // namespace

Result<std::string> ExportJson(Store* store, const std::string& workspace_id) {
  auto workspaces = store->ListWorkspaces();
  if (!workspaces.ok()) return workspaces.status();
  json doc;
  doc["format"] = "okrbot-export";
  doc["version"] = kFormatVersion;
  doc["workspaces"] = json::array();
  for (const auto& ws : *workspaces) {
    if (!workspace_id.empty() && ws.id != workspace_id) continue;
    json jw;
    jw["id"] = ws.id;
    jw["platform"] = ws.platform;
    jw["name"] = ws.name;
    jw["fiscal_year_start_month"] = ws.fiscal_year_start_month;
    jw["admins"] = ws.admins;
    jw["holidays"] = json::array();
    for (const auto& h : ws.holidays) jw["holidays"].push_back(FormatDate(h));
    jw["default_tz"] = ws.default_tz;
    jw["installed"] = ws.installed;
    jw["created_at"] = Epoch(ws.created_at);

    auto users = store->ListUsers(ws.id);
    if (!users.ok()) return users.status();
    jw["users"] = json::array();
    for (const auto& u : *users) {
      jw["users"].push_back({{"id", u.id},
                             {"display_name", u.display_name},
                             {"tz", u.tz},
                             {"tz_override", u.tz_override},
                             {"away_until", OptionalDate(u.away_until)}});
    }

    ObjectiveFilter all_objectives;
    all_objectives.include_archived = true;
    auto objectives = store->ListObjectives(ws.id, all_objectives);
    if (!objectives.ok()) return objectives.status();
    jw["objectives"] = json::array();
    for (const auto& o : *objectives) {
      jw["objectives"].push_back({{"number", o.number},
                                  {"title", o.title},
                                  {"owner", o.owner},
                                  {"team", o.team},
                                  {"cycle", o.cycle},
                                  {"type", GoalTypeName(o.type)},
                                  {"parent", o.parent},
                                  {"archived", o.archived},
                                  {"created_by", o.created_by},
                                  {"created_at", Epoch(o.created_at)}});
    }

    KeyResultFilter all_krs;
    all_krs.include_archived = true;
    auto krs = store->ListKeyResults(ws.id, all_krs);
    if (!krs.ok()) return krs.status();
    jw["key_results"] = json::array();
    jw["checkins"] = json::array();
    for (const auto& kr : *krs) {
      jw["key_results"].push_back({{"number", kr.number},
                                   {"objective", kr.objective},
                                   {"text", kr.text},
                                   {"owner", kr.owner},
                                   {"baseline", OptionalNumber(kr.baseline)},
                                   {"target", OptionalNumber(kr.target)},
                                   {"unit", kr.unit},
                                   {"direction", DirectionName(kr.direction)},
                                   {"cadence", CadenceName(kr.cadence)},
                                   {"weight", kr.weight},
                                   {"archived", kr.archived},
                                   {"quality_kept", kr.quality_kept},
                                   {"snoozed_until", OptionalDate(kr.snoozed_until)},
                                   {"created_by", kr.created_by},
                                   {"created_at", Epoch(kr.created_at)}});
      auto checkins = store->ListCheckIns(ws.id, kr.number, 0);
      if (!checkins.ok()) return checkins.status();
      for (auto it = checkins->rbegin(); it != checkins->rend(); ++it) {
        jw["checkins"].push_back({{"kr", it->kr},
                                  {"value", it->value},
                                  {"confidence", it->confidence ? json(*it->confidence) : json()},
                                  {"note", it->note},
                                  {"author", it->author},
                                  {"at", Epoch(it->at)}});
      }
    }

    auto initiatives = store->ListInitiatives(ws.id, 0);
    if (!initiatives.ok()) return initiatives.status();
    jw["initiatives"] = json::array();
    for (const auto& i : *initiatives) {
      jw["initiatives"].push_back({{"number", i.number},
                                   {"kr", i.kr},
                                   {"text", i.text},
                                   {"done", i.done},
                                   {"created_by", i.created_by},
                                   {"created_at", Epoch(i.created_at)}});
    }

    auto edits = store->ListEdits(ws.id, "");
    if (!edits.ok()) return edits.status();
    jw["edits"] = json::array();
    for (const auto& e : *edits) {
      jw["edits"].push_back({{"entity", e.entity},
                             {"field", e.field},
                             {"old", e.old_value},
                             {"new", e.new_value},
                             {"author", e.author},
                             {"at", Epoch(e.at)}});
    }

    auto reminders = store->ListReminders(ws.id);
    if (!reminders.ok()) return reminders.status();
    jw["reminders"] = json::array();
    for (const auto& r : *reminders) {
      jw["reminders"].push_back({{"kind", r.kind},
                                 {"team", r.team},
                                 {"channel", r.channel},
                                 {"weekday", r.weekday},
                                 {"minute_of_day", r.minute_of_day},
                                 {"tz", r.tz},
                                 {"enabled", r.enabled}});
    }
    doc["workspaces"].push_back(std::move(jw));
  }
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

namespace {

std::string CsvField(const std::string& s) {
  bool needs_quotes = s.find_first_of(",\"\n\r") != std::string::npos;
  // Spreadsheet formula injection: a cell starting with = + - @ is shown as text.
  std::string value = s;
  if (!value.empty() &&
      (value[0] == '=' || value[0] == '+' || value[0] == '-' || value[0] == '@')) {
    value = "'" + value;
  }
  if (!needs_quotes) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string NumberText(const std::optional<double>& v) {
  if (!v) return "";
  return FormatValue(*v, "");
}

}  // namespace

Result<std::string> ExportCsv(Store* store, const std::string& workspace_id) {
  auto workspaces = store->ListWorkspaces();
  if (!workspaces.ok()) return workspaces.status();
  std::string out =
      "workspace,objective,objective_title,cycle,kr,kr_text,owner,baseline,target,current,unit,"
      "direction,cadence,score,archived\n";
  for (const auto& ws : *workspaces) {
    if (!workspace_id.empty() && ws.id != workspace_id) continue;
    ObjectiveFilter all_objectives;
    all_objectives.include_archived = true;
    auto objectives = store->ListObjectives(ws.id, all_objectives);
    if (!objectives.ok()) return objectives.status();
    for (const auto& o : *objectives) {
      KeyResultFilter filter;
      filter.objective = o.number;
      filter.include_archived = true;
      auto krs = store->ListKeyResults(ws.id, filter);
      if (!krs.ok()) return krs.status();
      for (const auto& kr : *krs) {
        char score[16];
        std::snprintf(score, sizeof score, "%.2f", KeyResultProgress(kr));
        out += CsvField(ws.id) + "," + ObjectiveRef(o.number) + "," + CsvField(o.title) + "," +
               o.cycle + "," + KeyResultRef(kr.number) + "," + CsvField(kr.text) + "," +
               CsvField(kr.owner) + "," + NumberText(kr.baseline) + "," + NumberText(kr.target) +
               "," + NumberText(kr.current) + "," + CsvField(kr.unit) + "," +
               DirectionName(kr.direction) + "," + CadenceName(kr.cadence) + "," + score + "," +
               (kr.archived || o.archived ? "yes" : "no") + "\n";
      }
    }
  }
  return out;
}

namespace {

struct ParsedWorkspace {
  Workspace workspace;
  std::vector<User> users;
  std::vector<Objective> objectives;
  std::vector<KeyResult> key_results;
  std::vector<CheckIn> checkins;
  std::vector<Initiative> initiatives;
  std::vector<EditRecord> edits;
  std::vector<Reminder> reminders;
};

// Reads the whole document into values; throws on any shape error (caught by the caller).
std::vector<ParsedWorkspace> ParseDocument(const json& doc) {
  if (!doc.is_object() || doc.value("format", "") != "okrbot-export") {
    throw std::invalid_argument("this is not an okrbot export (\"format\": \"okrbot-export\")");
  }
  if (ReadSmallInteger(doc, "version") != kFormatVersion) {
    throw std::invalid_argument("unsupported export version " +
                                std::to_string(ReadSmallInteger(doc, "version")));
  }
  std::vector<ParsedWorkspace> out;
  std::set<std::string> seen_workspaces;
  for (const auto& jw : doc.at("workspaces")) {
    ParsedWorkspace p;
    Workspace& ws = p.workspace;
    ws.id = jw.at("id").get<std::string>();
    if (ws.id.empty()) throw std::invalid_argument("a workspace has an empty id");
    if (!seen_workspaces.insert(ws.id).second) {
      throw std::invalid_argument("workspace " + ws.id + " appears twice");
    }
    ws.platform = jw.value("platform", "console");
    ws.name = jw.value("name", "");
    ws.fiscal_year_start_month = ReadSmallInteger(jw, "fiscal_year_start_month", 1);
    if (ws.fiscal_year_start_month < 1 || ws.fiscal_year_start_month > 12) {
      throw std::invalid_argument("fiscal_year_start_month must be 1..12");
    }
    ws.admins = jw.value("admins", std::vector<std::string>{});
    for (const auto& h : jw.value("holidays", json::array())) {
      ws.holidays.push_back(ReadDate(h.get<std::string>()));
    }
    ws.default_tz = jw.value("default_tz", "UTC");
    ws.installed = jw.value("installed", true);
    ws.created_at = ReadTime(jw, "created_at", 0);
    for (const auto& ju : jw.value("users", json::array())) {
      User u;
      u.workspace_id = ws.id;
      u.id = ju.at("id").get<std::string>();
      u.display_name = ju.value("display_name", "");
      u.tz = ju.value("tz", "");
      u.tz_override = ju.value("tz_override", "");
      u.away_until = ReadOptionalDate(ju, "away_until");
      p.users.push_back(std::move(u));
    }
    std::set<int64_t> objective_numbers;
    for (const auto& jo : jw.value("objectives", json::array())) {
      Objective o;
      o.workspace_id = ws.id;
      o.number = ReadInteger(jo, "number");
      if (o.number <= 0 || !objective_numbers.insert(o.number).second) {
        throw std::invalid_argument("objective number " + std::to_string(o.number) +
                                    " is invalid or repeated");
      }
      o.title = jo.at("title").get<std::string>();
      o.owner = jo.value("owner", "");
      o.team = jo.value("team", "");
      o.cycle = jo.at("cycle").get<std::string>();
      if (!ParseGoalType(jo.value("type", "committed"), &o.type)) {
        throw std::invalid_argument("objective type must be stretch or committed");
      }
      o.parent = jo.value("parent", int64_t{0});
      o.archived = jo.value("archived", false);
      o.created_by = jo.value("created_by", "");
      o.created_at = ReadTime(jo, "created_at", 0);
      p.objectives.push_back(std::move(o));
    }
    for (const auto& o : p.objectives) {
      if (o.parent != 0 && objective_numbers.count(o.parent) == 0) {
        throw std::invalid_argument(ObjectiveRef(o.number) + " is aligned under a missing " +
                                    ObjectiveRef(o.parent));
      }
    }
    // Parents before children, whatever order the file lists them in.
    std::vector<Objective> ordered;
    std::set<int64_t> placed;
    while (ordered.size() < p.objectives.size()) {
      size_t before = ordered.size();
      for (const auto& o : p.objectives) {
        if (placed.count(o.number) || (o.parent != 0 && !placed.count(o.parent))) continue;
        ordered.push_back(o);
        placed.insert(o.number);
      }
      if (ordered.size() == before) {
        throw std::invalid_argument("the objectives' parents form a circle");
      }
    }
    p.objectives = std::move(ordered);
    std::set<int64_t> kr_numbers;
    for (const auto& jk : jw.value("key_results", json::array())) {
      KeyResult kr;
      kr.workspace_id = ws.id;
      kr.number = ReadInteger(jk, "number");
      kr.objective = ReadInteger(jk, "objective");
      if (kr.number <= 0 || !kr_numbers.insert(kr.number).second) {
        throw std::invalid_argument("key result number " + std::to_string(kr.number) +
                                    " is invalid or repeated");
      }
      if (objective_numbers.count(kr.objective) == 0) {
        throw std::invalid_argument(KeyResultRef(kr.number) + " belongs to a missing " +
                                    ObjectiveRef(kr.objective));
      }
      kr.text = jk.at("text").get<std::string>();
      kr.owner = jk.value("owner", "");
      kr.baseline = ReadOptionalNumber(jk, "baseline");
      kr.target = ReadOptionalNumber(jk, "target");
      kr.unit = jk.value("unit", "");
      if (!ParseDirection(jk.value("direction", "increase"), &kr.direction)) {
        throw std::invalid_argument("unknown direction in " + KeyResultRef(kr.number));
      }
      if (!ParseCadence(jk.value("cadence", "weekly"), &kr.cadence)) {
        throw std::invalid_argument("unknown cadence in " + KeyResultRef(kr.number));
      }
      kr.weight = jk.value("weight", 1.0);
      kr.archived = jk.value("archived", false);
      kr.quality_kept = jk.value("quality_kept", false);
      kr.snoozed_until = ReadOptionalDate(jk, "snoozed_until");
      kr.created_by = jk.value("created_by", "");
      kr.created_at = ReadTime(jk, "created_at", 0);
      p.key_results.push_back(std::move(kr));
    }
    for (const auto& jc : jw.value("checkins", json::array())) {
      CheckIn c;
      c.workspace_id = ws.id;
      c.kr = ReadInteger(jc, "kr");
      if (kr_numbers.count(c.kr) == 0) {
        throw std::invalid_argument("a check-in belongs to a missing " + KeyResultRef(c.kr));
      }
      c.value = jc.at("value").get<double>();
      if (jc.contains("confidence") && !jc.at("confidence").is_null()) {
        c.confidence = ReadSmallInteger(jc, "confidence");
      }
      c.note = jc.value("note", "");
      c.author = jc.value("author", "");
      c.at = ReadTime(jc, "at");
      p.checkins.push_back(std::move(c));
    }
    for (const auto& ji : jw.value("initiatives", json::array())) {
      Initiative i;
      i.workspace_id = ws.id;
      i.number = ReadInteger(ji, "number");
      i.kr = ReadInteger(ji, "kr");
      if (kr_numbers.count(i.kr) == 0) {
        throw std::invalid_argument(InitiativeRef(i.number) + " belongs to a missing " +
                                    KeyResultRef(i.kr));
      }
      i.text = ji.at("text").get<std::string>();
      i.done = ji.value("done", false);
      i.created_by = ji.value("created_by", "");
      i.created_at = ReadTime(ji, "created_at", 0);
      p.initiatives.push_back(std::move(i));
    }
    for (const auto& je : jw.value("edits", json::array())) {
      p.edits.push_back({ws.id, je.at("entity").get<std::string>(),
                         je.at("field").get<std::string>(), je.value("old", ""),
                         je.value("new", ""), je.value("author", ""), ReadTime(je, "at", 0)});
    }
    for (const auto& jr : jw.value("reminders", json::array())) {
      Reminder r;
      r.workspace_id = ws.id;
      r.kind = jr.at("kind").get<std::string>();
      if (r.kind != "checkin" && r.kind != "digest") {
        throw std::invalid_argument("unknown reminder kind " + r.kind);
      }
      r.team = jr.value("team", "");
      r.channel = jr.value("channel", "");
      r.weekday = ReadSmallInteger(jr, "weekday", 1);
      r.minute_of_day = ReadSmallInteger(jr, "minute_of_day", 600);
      if (r.weekday < 0 || r.weekday > 6 || r.minute_of_day < 0 || r.minute_of_day >= 1440) {
        throw std::invalid_argument("a reminder has an invalid day or time");
      }
      r.tz = jr.value("tz", "");
      r.enabled = jr.value("enabled", true);
      p.reminders.push_back(std::move(r));
    }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

Result<ImportStats> ImportJson(Store* store, const std::string& text) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::InvalidArgument("The import file is not valid JSON.");
  std::vector<ParsedWorkspace> parsed;
  try {
    parsed = ParseDocument(doc);
  } catch (const std::exception& e) {  // nlohmann type errors and our own shape errors
    return Status::InvalidArgument(std::string("The import file is not usable: ") + e.what());
  }
  // Refuse before writing anything when a number is already taken.
  for (const auto& p : parsed) {
    for (const auto& o : p.objectives) {
      if (store->GetObjective(p.workspace.id, o.number).ok()) {
        return Status::AlreadyExists("Workspace " + p.workspace.id + " already has " +
                                     ObjectiveRef(o.number) + "; import into an empty database.");
      }
    }
    for (const auto& kr : p.key_results) {
      if (store->GetKeyResult(p.workspace.id, kr.number).ok()) {
        return Status::AlreadyExists("Workspace " + p.workspace.id + " already has " +
                                     KeyResultRef(kr.number) + "; import into an empty database.");
      }
    }
  }
  ImportStats stats;
  for (const auto& p : parsed) {
    OKRBOT_RETURN_IF_ERROR(store->UpsertWorkspace(p.workspace));
    for (const auto& u : p.users) OKRBOT_RETURN_IF_ERROR(store->UpsertUser(u));
    for (const auto& o : p.objectives) {  // parents first (ordered by ParseDocument)
      auto r = store->CreateObjective(o);
      if (!r.ok()) return r.status();
      ++stats.objectives;
    }
    for (const auto& kr : p.key_results) {
      auto r = store->CreateKeyResult(kr);
      if (!r.ok()) return r.status();
      ++stats.key_results;
    }
    for (const auto& c : p.checkins) {
      auto r = store->RecordCheckIn(c);
      if (!r.ok()) return r.status();
      ++stats.checkins;
    }
    for (const auto& i : p.initiatives) {
      auto r = store->CreateInitiative(i);
      if (!r.ok()) return r.status();
    }
    for (const auto& e : p.edits) OKRBOT_RETURN_IF_ERROR(store->AppendEdit(e));
    for (const auto& r : p.reminders) OKRBOT_RETURN_IF_ERROR(store->PutReminder(r));
    ++stats.workspaces;
  }
  return stats;
}

}  // namespace okrbot
