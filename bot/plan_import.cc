#include "bot/plan_import.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "bot/csv_reader.h"
#include "bot/session.h"
#include "core/cycle.h"
#include "core/ids.h"
#include "core/metric.h"
#include "core/text_util.h"

namespace okrbot {
namespace {

using bot_internal::CheckUserText;
using bot_internal::FindUserByName;
using bot_internal::kMaxUnitBytes;
using bot_internal::SetNewKrMetric;

using Record = CsvRecord;

std::string HeaderKey(const std::string& header) {
  std::string key;
  for (unsigned char c : header) {
    if (std::isalnum(c)) key += static_cast<char>(std::tolower(c));
  }
  return key;
}

const std::map<std::string, std::string>& Synonyms() {
  static const auto* kSynonyms = new std::map<std::string, std::string>{
      {"objective", "objective"},
      {"objectivetitle", "objective"},
      {"objectivename", "objective"},
      {"keyresult", "kr"},
      {"kr", "kr"},
      {"keyresulttitle", "kr"},
      {"keyresultname", "kr"},
      {"krtitle", "kr"},
      {"krname", "kr"},
      {"owner", "owner"},
      {"krowner", "owner"},
      {"keyresultowner", "owner"},
      {"owneremail", "owner"},
      {"email", "owner"},
      {"objectiveowner", "objective_owner"},
      {"team", "team"},
      {"teamname", "team"},
      {"cycle", "cycle"},
      {"quarter", "cycle"},
      {"period", "cycle"},
      {"timeperiod", "cycle"},
      {"start", "start"},
      {"baseline", "start"},
      {"startvalue", "start"},
      {"startingvalue", "start"},
      {"initialvalue", "start"},
      {"target", "target"},
      {"targetvalue", "target"},
      {"current", "current"},
      {"currentvalue", "current"},
      {"actual", "current"},
      {"unit", "unit"},
      {"units", "unit"},
      {"due", "due"},
      {"duedate", "due"},
      {"deadline", "due"},
      {"enddate", "due"},
  };
  return *kSynonyms;
}

const std::set<std::string>& Fields() {
  static const auto* kFields = new std::set<std::string>{
      "objective", "kr",   "owner", "objective_owner", "team", "cycle", "start", "target",
      "current",   "unit", "due",   "ignore"};
  return *kFields;
}

// A spreadsheet number: "1,200", "$3", "85%", "4.5/5"; the symbol becomes the unit when the
// row gives none.
bool ReadNumber(const std::string& cell, double* out, std::string* unit) {
  std::string t = Trim(cell);
  if (t.empty()) return false;
  for (const char* symbol : {"$", "€", "£"}) {
    if (t.rfind(symbol, 0) == 0) *unit = symbol;
  }
  if (t.back() == '%') *unit = "%";
  return ParseNumber(t, out);
}

bool LooksLikeEmail(const std::string& text) {
  size_t at = text.find('@');
  return at != std::string::npos && at > 0 && text.find('.', at) != std::string::npos &&
         text.find_first_of(" <>|") == std::string::npos;
}

class Importer {
 public:
  Importer(Store* store, const Clock* clock, UserDirectory* directory,
           const PlanImportOptions& options)
      : store_(store), clock_(clock), directory_(directory), options_(options) {}

  Result<PlanImportReport> Run(const std::string& csv);

 private:
  struct Row {
    int row;
    std::map<std::string, std::string> cells;  // field -> cell text
    // A cell as one line: spreadsheet cells may wrap, titles in chat do not.
    std::string Get(const std::string& field) const {
      auto it = cells.find(field);
      if (it == cells.end()) return "";
      std::string text = it->second;
      std::replace_if(
          text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; },
          ' ');
      return Trim(text);
    }
  };

  Status ReadHeader(const Record& header);
  void ReadRow(const Row& row);
  // The user id an Owner cell names ("" for an empty cell); appends the reason to `problems`.
  std::string ResolveOwner(const std::string& cell, const std::string& label,
                           std::vector<std::string>* problems);
  void CheckLimits();
  void Write();
  void AddError(int row, const std::string& message) { report_.errors.push_back({row, message}); }

  Store* store_;
  const Clock* clock_;
  UserDirectory* directory_;
  const PlanImportOptions& options_;
  Workspace workspace_;
  Seconds now_{};
  std::vector<std::string> columns_;  // field per column ("" = ignored)
  std::vector<User> users_;
  std::vector<User> new_users_;  // found by email, not yet stored
  std::map<std::string, Result<DirectoryUser>> email_cache_;
  std::vector<Objective> existing_objectives_;
  std::vector<KeyResult> existing_krs_;
  std::map<std::string, size_t> objective_index_;       // cycle \n lower(title) -> report index
  std::map<std::string, int> kr_rows_;                  // index \n lower(text) -> row
  std::map<std::pair<size_t, size_t>, KeyResult> krs_;  // (objective, kr) -> the KR to create
  PlanImportReport report_;
};

Status Importer::ReadHeader(const Record& header) {
  std::map<std::string, std::string> mapped;  // HeaderKey -> field
  for (const auto& [column, field] : options_.map) {
    std::string f = AsciiLower(Trim(field));
    if (f == "key_result" || f == "keyresult") f = "kr";
    if (Fields().count(f) == 0) {
      return Status::InvalidArgument(
          "--map " + column + "=" + field +
          ": the field is one of objective, kr, owner, objective_owner, team, cycle, start, "
          "target, current, unit, due, ignore.");
    }
    mapped[HeaderKey(column)] = f;
  }
  std::set<std::string> seen;
  for (const auto& cell : header.cells) {
    std::string key = HeaderKey(cell);
    std::string field;
    if (auto m = mapped.find(key); m != mapped.end()) {
      field = m->second;
    } else if (auto s = Synonyms().find(key); s != Synonyms().end()) {
      field = s->second;
    }
    if (field == "ignore") field.clear();
    if (field.empty()) {
      if (!Trim(cell).empty()) report_.ignored_columns.push_back(Trim(cell));
    } else if (!seen.insert(field).second) {
      return Status::InvalidArgument("Two columns mean " + field + " (the second is `" +
                                     Trim(cell) + "`); map one of them to ignore with --map \"" +
                                     Trim(cell) + "=ignore\".");
    }
    columns_.push_back(field);
  }
  for (const char* required : {"objective", "kr"}) {
    if (seen.count(required) == 0) {
      return Status::InvalidArgument(
          std::string("The header row has no ") +
          (std::string(required) == "kr" ? "Key Result" : "Objective") +
          " column. Name it so, or say which column it is with --map \"<column>=" + required +
          "\".");
    }
  }
  return Status::Ok();
}

std::string Importer::ResolveOwner(const std::string& raw, const std::string& label,
                                   std::vector<std::string>* problems) {
  std::string cell = Trim(raw);
  if (cell.empty()) return "";
  if (AsciiLower(cell).rfind("mailto:", 0) == 0) cell = cell.substr(7);
  if (LooksLikeEmail(cell)) {
    std::string email = AsciiLower(cell);
    auto cached = email_cache_.find(email);
    if (cached == email_cache_.end()) {
      Result<DirectoryUser> found =
          directory_ != nullptr ? directory_->FindByEmail(email)
                                : Result<DirectoryUser>(Status::FailedPrecondition(
                                      "emails cannot be matched in a " + workspace_.platform +
                                      " workspace; write the owner's name as the bot knows it"));
      cached = email_cache_.emplace(email, std::move(found)).first;
      if (cached->second.ok() && FindUserByName(users_, cached->second->id) == nullptr &&
          FindUserByName(new_users_, cached->second->id) == nullptr) {
        User user;
        user.workspace_id = workspace_.id;
        user.id = cached->second->id;
        user.display_name = cached->second->name;
        new_users_.push_back(std::move(user));
      }
    }
    if (cached->second.ok()) return cached->second->id;
    if (cached->second.status().code() == StatusCode::kNotFound) {
      problems->push_back("unknown " + label + " " + cell + ": no " + workspace_.platform +
                          " user has this email");
    } else {
      problems->push_back(label + " " + cell + ": " + cached->second.status().message());
    }
    return "";
  }
  std::string name = cell;
  if (name.size() > 3 && name.rfind("<@", 0) == 0 && name.back() == '>') {
    name = name.substr(2, name.size() - 3);
    name = name.substr(0, name.find('|'));
  } else if (name[0] == '@') {
    name = name.substr(1);
  }
  if (const User* u = FindUserByName(users_, name)) return u->id;
  if (const User* u = FindUserByName(new_users_, name)) return u->id;
  problems->push_back("unknown " + label + " `" + cell +
                      "`: no such user in this workspace (give their email, or their name as "
                      "the bot shows it)");
  return "";
}

void Importer::ReadRow(const Row& row) {
  std::vector<std::string> problems;
  const BotLimits& limits = options_.limits;
  std::string title = row.Get("objective");
  std::string text = row.Get("kr");
  if (Status s = CheckUserText("The objective", title, limits.max_title_bytes); !s.ok()) {
    problems.push_back(s.message());
  }
  if (Status s = CheckUserText("The key result", text, limits.max_title_bytes); !s.ok()) {
    problems.push_back(s.message());
  }
  std::string cycle;
  if (std::string c = row.Get("cycle"); !c.empty()) {
    Cycle parsed;
    if (ParseCycle(c, &parsed)) {
      cycle = FormatCycle(parsed);
    } else {
      problems.push_back("unknown cycle `" + c + "`: write it like 2026-Q1 or Q1 2026");
    }
  }
  if (std::string due = row.Get("due"); !due.empty()) {
    Days day;
    if (!ParseDate(due, &day)) {
      problems.push_back("due date `" + due + "` is not a date like 2026-03-31");
    } else if (cycle.empty() && row.Get("cycle").empty()) {
      cycle = FormatCycle(CycleContaining(day, workspace_.fiscal_year_start_month));
    }
  }
  if (cycle.empty() && row.Get("cycle").empty()) {
    cycle = FormatCycle(
        CycleContaining(date::floor<date::days>(now_), workspace_.fiscal_year_start_month));
  }
  std::string team = row.Get("team");
  if (Status s = CheckUserText("The team", team, limits.max_name_bytes, true); !s.ok()) {
    problems.push_back(s.message());
  }
  team = AsciiLower(team);
  std::string owner = ResolveOwner(row.Get("owner"), "owner", &problems);
  std::string objective_owner =
      row.Get("objective_owner").empty()
          ? owner
          : ResolveOwner(row.Get("objective_owner"), "objective owner", &problems);

  std::string number_unit;
  std::optional<double> numbers[3];  // start, target, current
  const char* kNumberFields[3] = {"start", "target", "current"};
  const char* kNumberLabels[3] = {"start", "target", "current value"};
  bool yes_no = false;
  for (int i = 0; i < 3; ++i) {
    std::string cell = row.Get(kNumberFields[i]);
    if (cell.empty()) continue;
    if (i == 1 &&
        (AsciiLower(cell) == "done" || AsciiLower(cell) == "yes" || AsciiLower(cell) == "binary")) {
      yes_no = true;
      continue;
    }
    double value;
    if (!ReadNumber(cell, &value, &number_unit)) {
      problems.push_back(std::string(kNumberLabels[i]) + " `" + cell + "` is not a number");
    } else {
      numbers[i] = value;
    }
  }
  KeyResult kr;
  kr.workspace_id = workspace_.id;
  kr.text = text;
  kr.owner = owner;
  kr.created_by = options_.author;
  kr.created_at = now_;
  SetNewKrMetric(&kr, numbers[0], numbers[1], false);
  std::string unit = row.Get("unit");
  if (Status s = CheckUserText("The unit", unit, kMaxUnitBytes, true); !s.ok()) {
    problems.push_back(s.message());
  }
  if (!unit.empty()) {
    kr.unit = unit;
  } else if (!number_unit.empty() && kr.unit.empty()) {
    kr.unit = number_unit;
  }
  if (yes_no) {
    kr.direction = Direction::kBinary;
    kr.baseline.reset();
    kr.target.reset();
  } else if (!kr.target && row.Get("target").empty()) {
    problems.push_back(
        "missing target: give a number (or `done` for a yes/no key result), or write it in the "
        "key result like \"from 55 to 70\"");
  }
  if (!problems.empty()) {
    std::string message;
    for (const auto& p : problems) message += (message.empty() ? "" : "; ") + p;
    AddError(row.row, message);
    return;
  }

  std::string key = cycle + "\n" + AsciiLower(title);
  auto found = objective_index_.find(key);
  size_t index;
  if (found == objective_index_.end()) {
    PlannedObjective planned;
    planned.row = row.row;
    planned.title = title;
    planned.cycle = cycle;
    planned.team = team;
    planned.owner = objective_owner;
    for (const auto& o : existing_objectives_) {
      if (o.cycle == cycle && AsciiLower(Trim(o.title)) == AsciiLower(title)) {
        planned.exists = true;
        planned.number = o.number;
        planned.team = o.team;
        planned.owner = o.owner;
        break;
      }
    }
    index = report_.objectives.size();
    objective_index_[key] = index;
    report_.objectives.push_back(std::move(planned));
  } else {
    index = found->second;
    PlannedObjective& planned = report_.objectives[index];
    if (!planned.exists && !team.empty() && planned.team.empty()) planned.team = team;
    if (!planned.exists && !team.empty() && planned.team != team) {
      AddError(row.row, "team `" + team + "` differs from `" + planned.team + "` on row " +
                            std::to_string(planned.row) + " for the same objective");
      return;
    }
  }
  PlannedObjective& planned = report_.objectives[index];
  std::string kr_key = std::to_string(index) + "\n" + AsciiLower(text);
  if (auto seen = kr_rows_.find(kr_key); seen != kr_rows_.end()) {
    AddError(row.row, "repeats the key result of row " + std::to_string(seen->second));
    return;
  }
  kr_rows_[kr_key] = row.row;
  PlannedKeyResult p;
  p.row = row.row;
  p.text = text;
  p.owner = owner;
  p.baseline = kr.baseline;
  p.target = kr.target;
  p.current = numbers[2];
  p.unit = kr.unit;
  if (planned.exists) {
    for (const auto& existing : existing_krs_) {
      if (existing.objective == planned.number &&
          AsciiLower(Trim(existing.text)) == AsciiLower(text)) {
        p.exists = true;
        p.number = existing.number;
        break;
      }
    }
  }
  if (!p.exists) krs_[{index, planned.key_results.size()}] = kr;
  planned.key_results.push_back(std::move(p));
}

void Importer::CheckLimits() {
  const BotLimits& limits = options_.limits;
  std::map<std::string, int> per_cycle;  // live objectives per cycle, as `objective add` counts
  for (const auto& o : existing_objectives_) {
    if (!o.archived) ++per_cycle[o.cycle];
  }
  for (const auto& planned : report_.objectives) {
    if (!planned.exists && ++per_cycle[planned.cycle] > limits.max_objectives_per_cycle) {
      AddError(planned.row, "the workspace would have more than " +
                                std::to_string(limits.max_objectives_per_cycle) +
                                " objectives in " + planned.cycle + ", the most kept per cycle");
    }
    int count = 0;
    if (planned.exists) {
      for (const auto& kr : existing_krs_) {
        if (kr.objective == planned.number && !kr.archived) ++count;
      }
    }
    for (const auto& kr : planned.key_results) {
      if (!kr.exists && ++count > limits.max_krs_per_objective) {
        AddError(kr.row, "objective \"" + planned.title + "\" would have more than " +
                             std::to_string(limits.max_krs_per_objective) +
                             " key results, the most kept");
      }
    }
  }
  std::sort(report_.errors.begin(), report_.errors.end(),
            [](const PlanRowError& a, const PlanRowError& b) { return a.row < b.row; });
}

void Importer::Write() {
  auto fail = [&](const Status& s) { report_.write_error = s.message(); };
  for (const auto& user : new_users_) {
    if (Status s = store_->UpsertUser(user); !s.ok()) return fail(s);
    ++report_.users_added;
  }
  for (size_t i = 0; i < report_.objectives.size(); ++i) {
    PlannedObjective& planned = report_.objectives[i];
    if (!planned.exists) {
      Objective o;
      o.workspace_id = workspace_.id;
      o.title = planned.title;
      o.owner = planned.owner;
      o.team = planned.team;
      o.cycle = planned.cycle;
      o.created_by = options_.author;
      o.created_at = now_;
      auto created = store_->CreateObjective(o);
      if (!created.ok()) return fail(created.status());
      planned.number = created->number;
      ++report_.objectives_created;
    }
    for (size_t k = 0; k < planned.key_results.size(); ++k) {
      PlannedKeyResult& p = planned.key_results[k];
      if (p.exists) continue;
      KeyResult kr = krs_.at({i, k});
      kr.objective = planned.number;
      auto created = store_->CreateKeyResult(kr);
      if (!created.ok()) return fail(created.status());
      p.number = created->number;
      ++report_.key_results_created;
      if (p.current) {
        CheckIn c;
        c.workspace_id = workspace_.id;
        c.kr = created->number;
        c.value = *p.current;
        c.note = "Imported from a spreadsheet";
        c.author = options_.author;
        c.at = now_;
        auto recorded = store_->RecordCheckIn(c);
        if (!recorded.ok()) return fail(recorded.status());
        ++report_.checkins_created;
      }
    }
  }
  report_.written = true;
}

Result<PlanImportReport> Importer::Run(const std::string& csv) {
  report_.dry_run = options_.dry_run;
  now_ = clock_->Now();
  if (csv.size() > options_.max_bytes) {
    return Status::InvalidArgument("The file is " + std::to_string(csv.size()) +
                                   " bytes; at most " + std::to_string(options_.max_bytes) +
                                   " are imported at once.");
  }
  if (!IsValidUtf8(csv)) {
    return Status::InvalidArgument(
        "The file is not UTF-8 text; save it from the spreadsheet as \"CSV UTF-8\".");
  }
  auto workspace = store_->GetWorkspace(options_.workspace_id);
  if (!workspace.ok()) {
    if (workspace.status().code() != StatusCode::kNotFound) return workspace.status();
    return Status::NotFound("No workspace " + options_.workspace_id +
                            " (see `okrbot export` for the ids).");
  }
  workspace_ = *workspace;
  auto records = ReadCsv(csv, options_.max_rows);
  if (!records.ok()) return records.status();
  if (records->empty()) return Status::InvalidArgument("The file is empty.");
  OKRBOT_RETURN_IF_ERROR(ReadHeader(records->front()));

  auto users = store_->ListUsers(workspace_.id);
  if (!users.ok()) return users.status();
  users_ = std::move(*users);
  ObjectiveFilter all_objectives;
  all_objectives.include_archived = true;
  auto objectives = store_->ListObjectives(workspace_.id, all_objectives);
  if (!objectives.ok()) return objectives.status();
  existing_objectives_ = std::move(*objectives);
  KeyResultFilter all_krs;
  all_krs.include_archived = true;
  auto krs = store_->ListKeyResults(workspace_.id, all_krs);
  if (!krs.ok()) return krs.status();
  existing_krs_ = std::move(*krs);

  for (size_t r = 1; r < records->size(); ++r) {
    const Record& record = (*records)[r];
    Row row{record.row, {}};
    bool blank = true;
    for (size_t c = 0; c < record.cells.size(); ++c) {
      if (!Trim(record.cells[c]).empty()) blank = false;
      if (c < columns_.size() && !columns_[c].empty()) row.cells[columns_[c]] = record.cells[c];
    }
    if (blank) continue;
    ++report_.rows;
    if (record.cells.size() > columns_.size()) {
      AddError(record.row, "has " + std::to_string(record.cells.size()) +
                               " cells but the header names " + std::to_string(columns_.size()) +
                               " columns (a quote or delimiter too many?)");
      continue;
    }
    ReadRow(row);
  }
  if (report_.rows == 0) return Status::InvalidArgument("The file has a header but no rows.");
  CheckLimits();
  for (const auto& o : report_.objectives) {
    (o.exists ? report_.objectives_existing : report_.objectives_created) += 1;
    for (const auto& kr : o.key_results) {
      (kr.exists ? report_.key_results_existing : report_.key_results_created) += 1;
      if (!kr.exists && kr.current) ++report_.checkins_created;
    }
  }
  report_.users_added = static_cast<int>(new_users_.size());
  if (!report_.errors.empty() || options_.dry_run) return std::move(report_);
  report_.objectives_created = report_.key_results_created = 0;
  report_.checkins_created = report_.users_added = 0;
  Write();
  return std::move(report_);
}

std::string Number(const std::optional<double>& v, const std::string& unit) {
  return v ? FormatValue(*v, unit) : "—";
}

}  // namespace

std::string PlanFieldName(const std::string& header) {
  auto it = Synonyms().find(HeaderKey(header));
  return it == Synonyms().end() ? "" : it->second;
}

Result<PlanImportReport> ImportPlan(Store* store, const Clock* clock, UserDirectory* directory,
                                    const std::string& csv, const PlanImportOptions& options) {
  Importer importer(store, clock, directory, options);
  return importer.Run(csv);
}

std::string PlanImportReport::Text() const {
  std::string out;
  bool planned_only = dry_run || !errors.empty();
  if (planned_only) {
    out += dry_run && errors.empty() ? "Dry run: nothing was stored.\n"
                                     : "Nothing was imported: " + std::to_string(errors.size()) +
                                           " row(s) cannot be read (see below).\n";
  }
  std::string verb = planned_only ? "Would create " : "Created ";
  out += verb + std::to_string(objectives_created) + " objective(s), " +
         std::to_string(key_results_created) + " key result(s), " +
         std::to_string(checkins_created) + " first check-in(s)";
  if (users_added > 0) out += ", " + std::to_string(users_added) + " user(s) found by email";
  out += "; " + std::to_string(objectives_existing) + " objective(s) and " +
         std::to_string(key_results_existing) +
         " key result(s) already exist and stay as they are.\n";
  if (!ignored_columns.empty()) {
    out += "Ignored columns:";
    for (const auto& c : ignored_columns) out += " \"" + c + "\"";
    out += " (use --map \"<column>=<field>\" to read one).\n";
  }
  for (const auto& o : objectives) {
    out += (o.exists ? ObjectiveRef(o.number) + " (exists)"
                     : std::string(o.number ? ObjectiveRef(o.number) : "new")) +
           " " + o.cycle + " \"" + o.title + "\"";
    if (!o.owner.empty()) out += " owner " + o.owner;
    if (!o.team.empty()) out += " team " + o.team;
    out += "\n";
    for (const auto& kr : o.key_results) {
      out += "  row " + std::to_string(kr.row) + ": " +
             (kr.exists ? KeyResultRef(kr.number) + " (exists, unchanged)"
                        : std::string(kr.number ? KeyResultRef(kr.number) : "new")) +
             " \"" + kr.text + "\" " + Number(kr.baseline, kr.unit) + " → " +
             Number(kr.target, kr.unit);
      if (!kr.owner.empty()) out += " owner " + kr.owner;
      if (kr.current && !kr.exists) out += ", first check-in " + FormatValue(*kr.current, kr.unit);
      out += "\n";
    }
  }
  if (!errors.empty()) {
    out += "Rows that cannot be read:\n";
    for (const auto& e : errors) out += "  row " + std::to_string(e.row) + ": " + e.message + "\n";
  }
  if (!write_error.empty()) {
    out += "The database failed during the import: " + write_error +
           "\nWhat is listed with an id was stored; run the same file again to finish (nothing "
           "is created twice).\n";
  }
  return out;
}

}  // namespace okrbot
