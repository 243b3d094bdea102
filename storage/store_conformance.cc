#include "storage/store_conformance.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace okrbot {

void PrintTo(const StoreUnderTest& store_under_test, std::ostream* out) {
  *out << store_under_test.name;
}

std::string StoreUnderTestName(const ::testing::TestParamInfo<StoreUnderTest>& info) {
  return info.param.name;
}

void StoreConformanceTest::SetUp() {
  ASSERT_TRUE(GetParam().make_store) << "no factory for " << GetParam().name;
  store_ = GetParam().make_store();
  ASSERT_NE(store_, nullptr) << "the " << GetParam().name << " factory returned no store";
}

void StoreConformanceTest::TearDown() { store_.reset(); }

namespace {

// ---- Assertion helpers ------------------------------------------------------------------------

::testing::AssertionResult IsOk(const Status& status) {
  if (status.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << status.ToString();
}

template <typename T>
::testing::AssertionResult IsOk(const Result<T>& result) {
  return IsOk(result.status());
}

::testing::AssertionResult HasCode(const Status& status, StatusCode code) {
  if (status.code() == code) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "expected " << StatusCodeName(code) << ", got " << status.ToString();
}

template <typename T>
::testing::AssertionResult HasCode(const Result<T>& result, StatusCode code) {
  return HasCode(result.status(), code);
}

#define ASSERT_OK(expr) ASSERT_TRUE(::okrbot::IsOk(expr))
#define EXPECT_OK(expr) EXPECT_TRUE(::okrbot::IsOk(expr))
#define EXPECT_CODE(expr, code) EXPECT_TRUE(::okrbot::HasCode((expr), StatusCode::code))

// ---- Value helpers ------------------------------------------------------------------------------

constexpr char kWorkspaceA[] = "slack:TA";
constexpr char kWorkspaceB[] = "teams:TB";

Seconds At(int64_t seconds) { return Seconds(std::chrono::seconds(seconds)); }

Days Day(const std::string& text) {
  Days day;
  EXPECT_TRUE(ParseDate(text, &day)) << text;
  return day;
}

// Comparable, printable forms of the time types (gtest cannot print chrono time points).
int64_t Count(Seconds t) { return t.time_since_epoch().count(); }
std::optional<int64_t> Count(const std::optional<Seconds>& t) {
  if (!t) return std::nullopt;
  return Count(*t);
}
std::string Show(Days day) { return FormatDate(day); }
std::string Show(const std::optional<Days>& day) { return day ? FormatDate(*day) : "(none)"; }

// Strings that break naive SQL, list encodings or text handling. No NUL: PostgreSQL text
// cannot hold it, so the Store contract does not promise it.
std::vector<std::string> TrickyStrings() {
  std::string ten_kb;
  for (int i = 0; ten_kb.size() < 10 * 1024; ++i) ten_kb += "chunk-" + std::to_string(i) + ";'\",";
  return {
      "'; DROP TABLE objectives; --",
      "Robert'); DELETE FROM key_results WHERE ('1' = '1",
      "\"double\" 'single' `back` \\ back\\slash % _ ? ?1 :name @p $1",
      "emoji 🎯🚀👩‍👩‍👧 accents é ü Ω 中文 עברית",
      std::string("controls \t\n\r\x01\x02\x1b\x1f\x7f end"),
      "[\"looks\",\"like\",\"json\"]",
      ",,, ;;; ||| \\u0000 \\n",
      "",
      "  padded  ",
      ten_kb,
  };
}

// Filters built field by field (designated initializers that skip fields warn under -Wextra).
ObjectiveFilter ObjectivesWhere(const std::string& cycle, const std::string& owner,
                                const std::string& team, bool include_archived) {
  ObjectiveFilter filter;
  filter.cycle = cycle;
  filter.owner = owner;
  filter.team = team;
  filter.include_archived = include_archived;
  return filter;
}

ObjectiveFilter AllObjectives() { return ObjectivesWhere("", "", "", true); }

KeyResultFilter KeyResultsWhere(int64_t objective, const std::string& owner,
                                bool include_archived) {
  KeyResultFilter filter;
  filter.objective = objective;
  filter.owner = owner;
  filter.include_archived = include_archived;
  return filter;
}

JobFilter JobsWhere(std::optional<JobState> state, const std::string& workspace_id = "",
                    int limit = 100) {
  JobFilter filter;
  filter.state = state;
  filter.workspace_id = workspace_id;
  filter.limit = limit;
  return filter;
}

Workspace MakeWorkspace(const std::string& id) {
  Workspace workspace;
  workspace.id = id;
  workspace.platform = id.substr(0, id.find(':'));
  workspace.name = "Workspace " + id;
  workspace.created_at = At(1'700'000'000);
  return workspace;
}

Objective MakeObjective(const std::string& workspace_id, const std::string& title) {
  Objective objective;
  objective.workspace_id = workspace_id;
  objective.title = title;
  objective.owner = "U1";
  objective.team = "growth";
  objective.cycle = "2026-Q4";
  objective.created_by = "U1";
  objective.created_at = At(1'700'000'100);
  return objective;
}

KeyResult MakeKeyResult(const std::string& workspace_id, int64_t objective,
                        const std::string& text) {
  KeyResult kr;
  kr.workspace_id = workspace_id;
  kr.objective = objective;
  kr.text = text;
  kr.owner = "U1";
  kr.baseline = 55;
  kr.target = 70;
  kr.unit = "NPS";
  kr.created_by = "U1";
  kr.created_at = At(1'700'000'200);
  return kr;
}

CheckIn MakeCheckIn(const std::string& workspace_id, int64_t kr, double value, int64_t at) {
  CheckIn checkin;
  checkin.workspace_id = workspace_id;
  checkin.kr = kr;
  checkin.value = value;
  checkin.author = "U1";
  checkin.at = At(at);
  return checkin;
}

Job MakeJob(const std::string& key, int64_t next_attempt_at) {
  Job job;
  job.key = key;
  job.workspace_id = kWorkspaceA;
  job.kind = "checkin";
  job.target = "U1";
  job.payload = "{\"text\":\"" + key + "\"}";
  job.due_at = At(next_attempt_at);
  job.next_attempt_at = At(next_attempt_at);
  job.created_at = At(1'000);
  return job;
}

void ExpectSameWorkspace(const Workspace& actual, const Workspace& expected) {
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.platform, expected.platform);
  EXPECT_EQ(actual.name, expected.name);
  EXPECT_EQ(actual.fiscal_year_start_month, expected.fiscal_year_start_month);
  EXPECT_EQ(actual.admins, expected.admins);
  ASSERT_EQ(actual.holidays.size(), expected.holidays.size());
  for (size_t i = 0; i < actual.holidays.size(); ++i) {
    EXPECT_EQ(Show(actual.holidays[i]), Show(expected.holidays[i]));
  }
  EXPECT_EQ(actual.default_tz, expected.default_tz);
  EXPECT_EQ(actual.installed, expected.installed);
  EXPECT_EQ(Count(actual.created_at), Count(expected.created_at));
}

void ExpectSameUser(const User& actual, const User& expected) {
  EXPECT_EQ(actual.workspace_id, expected.workspace_id);
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.display_name, expected.display_name);
  EXPECT_EQ(actual.tz, expected.tz);
  EXPECT_EQ(actual.tz_override, expected.tz_override);
  EXPECT_EQ(Show(actual.away_until), Show(expected.away_until));
}

void ExpectSameObjective(const Objective& actual, const Objective& expected) {
  EXPECT_EQ(actual.workspace_id, expected.workspace_id);
  EXPECT_EQ(actual.number, expected.number);
  EXPECT_EQ(actual.title, expected.title);
  EXPECT_EQ(actual.owner, expected.owner);
  EXPECT_EQ(actual.team, expected.team);
  EXPECT_EQ(actual.cycle, expected.cycle);
  EXPECT_EQ(actual.type, expected.type);
  EXPECT_EQ(actual.parent, expected.parent);
  EXPECT_EQ(actual.archived, expected.archived);
  EXPECT_EQ(actual.created_by, expected.created_by);
  EXPECT_EQ(Count(actual.created_at), Count(expected.created_at));
}

void ExpectSameKeyResult(const KeyResult& actual, const KeyResult& expected) {
  EXPECT_EQ(actual.workspace_id, expected.workspace_id);
  EXPECT_EQ(actual.number, expected.number);
  EXPECT_EQ(actual.objective, expected.objective);
  EXPECT_EQ(actual.text, expected.text);
  EXPECT_EQ(actual.owner, expected.owner);
  EXPECT_EQ(actual.baseline, expected.baseline);
  EXPECT_EQ(actual.target, expected.target);
  EXPECT_EQ(actual.current, expected.current);
  EXPECT_EQ(actual.unit, expected.unit);
  EXPECT_EQ(actual.direction, expected.direction);
  EXPECT_EQ(actual.cadence, expected.cadence);
  EXPECT_EQ(actual.weight, expected.weight);
  EXPECT_EQ(actual.archived, expected.archived);
  EXPECT_EQ(actual.quality_kept, expected.quality_kept);
  EXPECT_EQ(Show(actual.snoozed_until), Show(expected.snoozed_until));
  EXPECT_EQ(Count(actual.last_checkin_at), Count(expected.last_checkin_at));
  EXPECT_EQ(actual.created_by, expected.created_by);
  EXPECT_EQ(Count(actual.created_at), Count(expected.created_at));
}

void ExpectSameCheckIn(const CheckIn& actual, const CheckIn& expected) {
  EXPECT_EQ(actual.workspace_id, expected.workspace_id);
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.kr, expected.kr);
  EXPECT_EQ(actual.value, expected.value);
  EXPECT_EQ(actual.confidence, expected.confidence);
  EXPECT_EQ(actual.note, expected.note);
  EXPECT_EQ(actual.author, expected.author);
  EXPECT_EQ(Count(actual.at), Count(expected.at));
}

void ExpectSameInitiative(const Initiative& actual, const Initiative& expected) {
  EXPECT_EQ(actual.workspace_id, expected.workspace_id);
  EXPECT_EQ(actual.number, expected.number);
  EXPECT_EQ(actual.kr, expected.kr);
  EXPECT_EQ(actual.text, expected.text);
  EXPECT_EQ(actual.done, expected.done);
  EXPECT_EQ(actual.created_by, expected.created_by);
  EXPECT_EQ(Count(actual.created_at), Count(expected.created_at));
}

void ExpectSameEdit(const EditRecord& actual, const EditRecord& expected) {
  EXPECT_EQ(actual.workspace_id, expected.workspace_id);
  EXPECT_EQ(actual.entity, expected.entity);
  EXPECT_EQ(actual.field, expected.field);
  EXPECT_EQ(actual.old_value, expected.old_value);
  EXPECT_EQ(actual.new_value, expected.new_value);
  EXPECT_EQ(actual.author, expected.author);
  EXPECT_EQ(Count(actual.at), Count(expected.at));
}

void ExpectSameReminder(const Reminder& actual, const Reminder& expected) {
  EXPECT_EQ(actual.workspace_id, expected.workspace_id);
  EXPECT_EQ(actual.kind, expected.kind);
  EXPECT_EQ(actual.team, expected.team);
  EXPECT_EQ(actual.channel, expected.channel);
  EXPECT_EQ(actual.weekday, expected.weekday);
  EXPECT_EQ(actual.minute_of_day, expected.minute_of_day);
  EXPECT_EQ(actual.tz, expected.tz);
  EXPECT_EQ(actual.enabled, expected.enabled);
}

std::vector<int64_t> Numbers(const std::vector<Objective>& objectives) {
  std::vector<int64_t> numbers;
  for (const Objective& objective : objectives) numbers.push_back(objective.number);
  return numbers;
}

std::vector<int64_t> Numbers(const std::vector<KeyResult>& krs) {
  std::vector<int64_t> numbers;
  for (const KeyResult& kr : krs) numbers.push_back(kr.number);
  return numbers;
}

std::vector<int64_t> Numbers(const std::vector<Initiative>& initiatives) {
  std::vector<int64_t> numbers;
  for (const Initiative& initiative : initiatives) numbers.push_back(initiative.number);
  return numbers;
}

std::vector<std::string> Keys(const std::vector<Job>& jobs) {
  std::vector<std::string> keys;
  for (const Job& job : jobs) keys.push_back(job.key);
  return keys;
}

// ---- Schema and reachability ----------------------------------------------------------------

TEST_P(StoreConformanceTest, FreshStoreIsMigratedReachableAndEmpty) {
  EXPECT_OK(store().Ping());
  Result<int> version = store().SchemaVersion();
  ASSERT_OK(version);
  EXPECT_GE(*version, 1);

  ASSERT_OK(store().Migrate());  // idempotent on a migrated store
  Result<int> again = store().SchemaVersion();
  ASSERT_OK(again);
  EXPECT_EQ(*again, *version);

  Result<std::vector<Workspace>> workspaces = store().ListWorkspaces();
  ASSERT_OK(workspaces);
  EXPECT_TRUE(workspaces->empty());
  Result<std::vector<Job>> jobs = store().ListJobs(JobFilter{});
  ASSERT_OK(jobs);
  EXPECT_TRUE(jobs->empty());
}

// ---- Installations and seen events --------------------------------------------------------------

TEST_P(StoreConformanceTest, InstallationRoundTripsAndReinstallReplaces) {
  Installation installation;
  installation.workspace_id = kWorkspaceA;
  installation.platform = "slack";
  installation.team_id = "T1";
  installation.enterprise_id = "E1";
  installation.bot_token_sealed = "v1:c2VhbGVk";
  installation.bot_user_id = "UBOT";
  installation.scopes = "commands,chat:write";
  installation.installer = "U1";
  installation.extra = R"({"service_url":"https://x"})";
  installation.installed_at = Seconds(std::chrono::seconds(1700000000));
  installation.updated_at = Seconds(std::chrono::seconds(1700000001));
  ASSERT_OK(store().UpsertInstallation(installation));
  Result<Installation> read = store().GetInstallation(kWorkspaceA);
  ASSERT_OK(read);
  EXPECT_EQ(read->team_id, "T1");
  EXPECT_EQ(read->enterprise_id, "E1");
  EXPECT_EQ(read->bot_token_sealed, "v1:c2VhbGVk");
  EXPECT_EQ(read->bot_user_id, "UBOT");
  EXPECT_EQ(read->scopes, "commands,chat:write");
  EXPECT_EQ(read->installer, "U1");
  EXPECT_EQ(read->extra, installation.extra);
  EXPECT_EQ(read->installed_at, installation.installed_at);
  EXPECT_EQ(read->updated_at, installation.updated_at);

  installation.bot_token_sealed = "";  // uninstall removes the token
  ASSERT_OK(store().UpsertInstallation(installation));
  EXPECT_EQ(store().GetInstallation(kWorkspaceA)->bot_token_sealed, "");
  EXPECT_EQ(store().GetInstallation(kWorkspaceB).status().code(), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, ConversationRefIsReplacedAndScopedByWorkspace) {
  ConversationRef ref;
  ref.workspace_id = kWorkspaceA;
  ref.target = "aad-1";
  ref.reference = R"({"serviceUrl":"https://smba.example/","conversation":""})";
  ref.updated_at = Seconds(std::chrono::seconds(1700000000));
  ASSERT_OK(store().PutConversationRef(ref));
  ref.reference = R"({"serviceUrl":"https://smba.example/","conversation":"a:1"})";
  ref.updated_at = Seconds(std::chrono::seconds(1700000100));
  ASSERT_OK(store().PutConversationRef(ref));
  Result<ConversationRef> read = store().GetConversationRef(kWorkspaceA, "aad-1");
  ASSERT_OK(read);
  EXPECT_EQ(read->reference, ref.reference);
  EXPECT_EQ(read->updated_at, ref.updated_at);
  EXPECT_EQ(store().GetConversationRef(kWorkspaceB, "aad-1").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store().GetConversationRef(kWorkspaceA, "#general").status().code(),
            StatusCode::kNotFound);
  ref.target = "";
  EXPECT_EQ(store().PutConversationRef(ref).code(), StatusCode::kInvalidArgument);
}

TEST_P(StoreConformanceTest, EventIsSeenOncePerWorkspace) {
  Seconds at(std::chrono::seconds(1700000000));
  Result<bool> first = store().MarkEventSeen(kWorkspaceA, "Ev1", at);
  ASSERT_OK(first);
  EXPECT_TRUE(*first);
  Result<bool> retry = store().MarkEventSeen(kWorkspaceA, "Ev1", at);
  ASSERT_OK(retry);
  EXPECT_FALSE(*retry);
  Result<bool> other_workspace = store().MarkEventSeen(kWorkspaceB, "Ev1", at);
  ASSERT_OK(other_workspace);
  EXPECT_TRUE(*other_workspace);
  EXPECT_FALSE(store().MarkEventSeen(kWorkspaceA, "", at).ok());
}

TEST_P(StoreConformanceTest, ALateFailureNeverResurrectsASentJob) {
  Seconds at(std::chrono::seconds(1700000000));
  Job job;
  job.key = std::string(kWorkspaceA) + "|checkin|U1|2026-W45";
  job.workspace_id = kWorkspaceA;
  job.kind = "checkin";
  job.target = "U1";
  job.payload = "{}";
  job.due_at = at;
  job.created_at = at;
  ASSERT_OK(store().EnqueueJob(job));
  Result<std::vector<Job>> claimed = store().ClaimDueJobs(at, 1, std::chrono::seconds(60));
  ASSERT_OK(claimed);
  ASSERT_OK(store().MarkJobSent(claimed->front().id, at));  // another process sent it
  EXPECT_EQ(store().MarkJobFailed(claimed->front().id, "timeout", at, false).code(),
            StatusCode::kNotFound);
  JobFilter sent;
  sent.state = JobState::kSent;
  EXPECT_EQ(store().ListJobs(sent)->size(), 1u);
}

TEST_P(StoreConformanceTest, ReleasedJobIsClaimableLaterWithoutCountingTheAttempt) {
  Seconds at(std::chrono::seconds(1700000000));
  Job job;
  job.key = std::string(kWorkspaceA) + "|digest|okrs|2026-W45";
  job.workspace_id = kWorkspaceA;
  job.kind = "digest";
  job.target = "#okrs";
  job.payload = "{}";
  job.due_at = at;
  job.created_at = at;
  ASSERT_OK(store().EnqueueJob(job));
  for (int round = 0; round < 20; ++round) {
    Result<std::vector<Job>> claimed = store().ClaimDueJobs(at, 10, std::chrono::seconds(60));
    ASSERT_OK(claimed);
    ASSERT_EQ(claimed->size(), 1u) << round;
    EXPECT_EQ(claimed->front().attempts, 1) << "releases are not attempts";
    ASSERT_OK(store().ReleaseJob(claimed->front().id, at + std::chrono::seconds(1)));
    EXPECT_TRUE(store().ClaimDueJobs(at, 10, std::chrono::seconds(60))->empty())
        << "not before retry_at";
    at += std::chrono::seconds(1);
  }
  EXPECT_EQ(store().ReleaseJob(999999, at).code(), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, EnqueueJobsIsOneBatchWithTheSameKeyRule) {
  Seconds at(std::chrono::seconds(1700000000));
  std::vector<Job> jobs;
  for (int i = 0; i < 3; ++i) {
    Job job;
    job.key = std::string(kWorkspaceA) + "|checkin|U" + std::to_string(i) + "|2026-W45";
    job.workspace_id = kWorkspaceA;
    job.kind = "checkin";
    job.target = "U" + std::to_string(i);
    job.payload = "{}";
    job.due_at = at;
    job.created_at = at;
    jobs.push_back(job);
  }
  ASSERT_OK(store().EnqueueJob(jobs[0]));
  Result<int> created = store().EnqueueJobs(jobs);
  ASSERT_OK(created);
  EXPECT_EQ(*created, 2) << "the existing key is left alone";
  Result<std::vector<std::string>> keys = store().ListJobKeys(kWorkspaceA, at);
  ASSERT_OK(keys);
  EXPECT_EQ(keys->size(), 3u);
  EXPECT_TRUE(store().ListJobKeys(kWorkspaceA, at + std::chrono::seconds(1))->empty());
  EXPECT_TRUE(store().ListJobKeys(kWorkspaceB, at)->empty());
  Job bad = jobs[0];
  bad.key = "";
  std::vector<Job> with_bad = {jobs[1], bad};
  EXPECT_FALSE(store().EnqueueJobs(with_bad).ok());
  Result<int> none = store().EnqueueJobs({});
  ASSERT_OK(none);
  EXPECT_EQ(*none, 0);
}

// ---- Workspaces and users ---------------------------------------------------------------------

TEST_P(StoreConformanceTest, WorkspaceRoundTripsEveryField) {
  Workspace workspace = MakeWorkspace(kWorkspaceA);
  workspace.fiscal_year_start_month = 4;
  workspace.admins = {"U1", "a,b",         "quote\"d",        "back\\slash", "emoji 🎯",
                      "",   "[not, json]", "semi;colon|pipe", "new\nline"};
  workspace.holidays = {Day("2026-12-24"), Day("2026-12-25"), Day("2027-01-01")};
  workspace.default_tz = "Europe/Berlin";
  workspace.installed = false;
  ASSERT_OK(store().UpsertWorkspace(workspace));

  Result<Workspace> got = store().GetWorkspace(kWorkspaceA);
  ASSERT_OK(got);
  ExpectSameWorkspace(*got, workspace);
}

TEST_P(StoreConformanceTest, WorkspaceUpsertReplacesEveryField) {
  Workspace workspace = MakeWorkspace(kWorkspaceA);
  workspace.admins = {"U1", "U2"};
  workspace.holidays = {Day("2026-12-25")};
  ASSERT_OK(store().UpsertWorkspace(workspace));

  Workspace replaced = MakeWorkspace(kWorkspaceA);
  replaced.platform = "mattermost";
  replaced.name = "Renamed";
  replaced.fiscal_year_start_month = 10;
  replaced.admins = {};
  replaced.holidays = {};
  replaced.default_tz = "Asia/Tokyo";
  replaced.installed = false;
  replaced.created_at = At(42);
  ASSERT_OK(store().UpsertWorkspace(replaced));

  Result<Workspace> got = store().GetWorkspace(kWorkspaceA);
  ASSERT_OK(got);
  ExpectSameWorkspace(*got, replaced);
  Result<std::vector<Workspace>> all = store().ListWorkspaces();
  ASSERT_OK(all);
  EXPECT_EQ(all->size(), 1u);
}

TEST_P(StoreConformanceTest, ListWorkspacesReturnsEachOnce) {
  ASSERT_OK(store().UpsertWorkspace(MakeWorkspace(kWorkspaceB)));
  ASSERT_OK(store().UpsertWorkspace(MakeWorkspace(kWorkspaceA)));
  Result<std::vector<Workspace>> all = store().ListWorkspaces();
  ASSERT_OK(all);
  std::vector<std::string> ids;
  for (const Workspace& workspace : *all) ids.push_back(workspace.id);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{kWorkspaceA, kWorkspaceB}));
}

TEST_P(StoreConformanceTest, UnknownWorkspaceIsNotFound) {
  EXPECT_CODE(store().GetWorkspace("slack:nope"), kNotFound);
}

TEST_P(StoreConformanceTest, UserRoundTripsEveryField) {
  User user;
  user.workspace_id = kWorkspaceA;
  user.id = "U123";
  user.display_name = "Zoë \"Z\" O'Neil 🎯";
  user.tz = "America/New_York";
  user.tz_override = "Europe/Lisbon";
  user.away_until = Day("2026-08-31");
  ASSERT_OK(store().UpsertUser(user));

  Result<User> got = store().GetUser(kWorkspaceA, "U123");
  ASSERT_OK(got);
  ExpectSameUser(*got, user);

  // Upsert replaces every field, including clearing the optional ones.
  User replaced = user;
  replaced.display_name = "";
  replaced.tz = "";
  replaced.tz_override = "";
  replaced.away_until.reset();
  ASSERT_OK(store().UpsertUser(replaced));
  got = store().GetUser(kWorkspaceA, "U123");
  ASSERT_OK(got);
  ExpectSameUser(*got, replaced);
}

TEST_P(StoreConformanceTest, UsersAreScopedToTheirWorkspace) {
  User alice_a{kWorkspaceA, "alice", "Alice in A", "UTC", "", std::nullopt};
  User alice_b{kWorkspaceB, "alice", "Alice in B", "Asia/Tokyo", "", Day("2026-01-02")};
  User bob_a{kWorkspaceA, "bob", "Bob", "", "", std::nullopt};
  ASSERT_OK(store().UpsertUser(alice_a));
  ASSERT_OK(store().UpsertUser(alice_b));
  ASSERT_OK(store().UpsertUser(bob_a));

  Result<User> got_b = store().GetUser(kWorkspaceB, "alice");
  ASSERT_OK(got_b);
  ExpectSameUser(*got_b, alice_b);
  EXPECT_CODE(store().GetUser(kWorkspaceB, "bob"), kNotFound);

  Result<std::vector<User>> users_a = store().ListUsers(kWorkspaceA);
  ASSERT_OK(users_a);
  std::vector<std::string> ids;
  for (const User& user : *users_a) {
    EXPECT_EQ(user.workspace_id, kWorkspaceA);
    ids.push_back(user.id);
  }
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"alice", "bob"}));
  Result<std::vector<User>> users_c = store().ListUsers("slack:nobody");
  ASSERT_OK(users_c);
  EXPECT_TRUE(users_c->empty());
}

TEST_P(StoreConformanceTest, GetUsersReturnsTheKnownOnesOfThisWorkspace) {
  User alice_a{kWorkspaceA, "alice", "Alice in A", "UTC", "", std::nullopt};
  User bob_b{kWorkspaceB, "bob", "Bob in B", "", "", std::nullopt};
  User quote_a{kWorkspaceA, "U\"q,\\", "Odd id", "", "", std::nullopt};
  ASSERT_OK(store().UpsertUser(alice_a));
  ASSERT_OK(store().UpsertUser(bob_b));
  ASSERT_OK(store().UpsertUser(quote_a));

  Result<std::vector<User>> got =
      store().GetUsers(kWorkspaceA, {"alice", "bob", "nobody", "U\"q,\\", "alice"});
  ASSERT_OK(got);
  ASSERT_EQ(got->size(), 2u) << "bob is in another workspace; unknown and repeated ids drop out";
  std::vector<std::string> ids = {(*got)[0].id, (*got)[1].id};
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"U\"q,\\", "alice"}));
  for (const User& user : *got) {
    if (user.id == "alice") ExpectSameUser(user, alice_a);
  }
  Result<std::vector<User>> none = store().GetUsers(kWorkspaceA, {});
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());
}

// ---- Objectives -------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, ObjectiveNumbersArePerWorkspace) {
  Result<Objective> a1 = store().CreateObjective(MakeObjective(kWorkspaceA, "A first"));
  Result<Objective> a2 = store().CreateObjective(MakeObjective(kWorkspaceA, "A second"));
  Result<Objective> b1 = store().CreateObjective(MakeObjective(kWorkspaceB, "B first"));
  Result<Objective> a3 = store().CreateObjective(MakeObjective(kWorkspaceA, "A third"));
  ASSERT_OK(a1);
  ASSERT_OK(a2);
  ASSERT_OK(b1);
  ASSERT_OK(a3);
  EXPECT_EQ(a1->number, 1);
  EXPECT_EQ(a2->number, 2);
  EXPECT_EQ(b1->number, 1);
  EXPECT_EQ(a3->number, 3);

  Result<Objective> got_b1 = store().GetObjective(kWorkspaceB, 1);
  ASSERT_OK(got_b1);
  EXPECT_EQ(got_b1->title, "B first");
  Result<Objective> got_a1 = store().GetObjective(kWorkspaceA, 1);
  ASSERT_OK(got_a1);
  EXPECT_EQ(got_a1->title, "A first");
}

TEST_P(StoreConformanceTest, ObjectiveExplicitNumberIsKeptAndTakenNumberIsAlreadyExists) {
  Objective explicit_number = MakeObjective(kWorkspaceA, "explicit");
  explicit_number.number = 10;
  Result<Objective> o10 = store().CreateObjective(explicit_number);
  ASSERT_OK(o10);
  EXPECT_EQ(o10->number, 10);

  Result<Objective> next = store().CreateObjective(MakeObjective(kWorkspaceA, "next"));
  ASSERT_OK(next);
  EXPECT_EQ(next->number, 11);

  Objective clash = MakeObjective(kWorkspaceA, "clash");
  clash.number = 10;
  EXPECT_CODE(store().CreateObjective(clash), kAlreadyExists);
  Result<Objective> kept = store().GetObjective(kWorkspaceA, 10);
  ASSERT_OK(kept);
  EXPECT_EQ(kept->title, "explicit");

  // The same number is free in another workspace.
  Objective other = MakeObjective(kWorkspaceB, "other");
  other.number = 10;
  Result<Objective> b10 = store().CreateObjective(other);
  ASSERT_OK(b10);
  EXPECT_EQ(b10->number, 10);
}

TEST_P(StoreConformanceTest, ObjectiveRoundTripsEveryField) {
  ASSERT_OK(store().CreateObjective(MakeObjective(kWorkspaceA, "company")));
  Objective objective = MakeObjective(kWorkspaceA, "Delight customers");
  objective.owner = "U9";
  objective.team = "support";
  objective.cycle = "2027-Q1";
  objective.type = GoalType::kStretch;
  objective.parent = 1;
  objective.archived = true;
  objective.created_by = "U8";
  objective.created_at = At(1'234'567'890);
  Result<Objective> created = store().CreateObjective(objective);
  ASSERT_OK(created);
  objective.number = 2;
  ExpectSameObjective(*created, objective);

  Result<Objective> got = store().GetObjective(kWorkspaceA, 2);
  ASSERT_OK(got);
  ExpectSameObjective(*got, objective);

  Result<Objective> top = store().GetObjective(kWorkspaceA, 1);
  ASSERT_OK(top);
  EXPECT_EQ(top->parent, 0);
  EXPECT_EQ(top->type, GoalType::kCommitted);
  EXPECT_FALSE(top->archived);
}

TEST_P(StoreConformanceTest, ObjectiveInvalidInputIsInvalidArgument) {
  Objective negative = MakeObjective(kWorkspaceA, "negative");
  negative.number = -3;
  EXPECT_CODE(store().CreateObjective(negative), kInvalidArgument);
  EXPECT_CODE(store().CreateObjective(MakeObjective("", "no workspace")), kInvalidArgument);
  Result<std::vector<Objective>> all = store().ListObjectives(kWorkspaceA, AllObjectives());
  ASSERT_OK(all);
  EXPECT_TRUE(all->empty());
}

TEST_P(StoreConformanceTest, ListObjectivesFilters) {
  auto make = [&](const std::string& cycle, const std::string& owner, const std::string& team,
                  bool archived) {
    Objective objective = MakeObjective(kWorkspaceA, cycle + "/" + owner + "/" + team);
    objective.cycle = cycle;
    objective.owner = owner;
    objective.team = team;
    objective.archived = archived;
    Result<Objective> created = store().CreateObjective(objective);
    EXPECT_OK(created);
  };
  make("2026-Q4", "U1", "growth", false);   // O1
  make("2026-Q4", "U2", "growth", false);   // O2
  make("2026-Q4", "U1", "support", false);  // O3
  make("2027-Q1", "U1", "growth", false);   // O4
  make("2026-Q4", "U1", "growth", true);    // O5 archived
  ASSERT_OK(store().CreateObjective(MakeObjective(kWorkspaceB, "other workspace")));

  auto list = [&](ObjectiveFilter filter) {
    Result<std::vector<Objective>> objectives = store().ListObjectives(kWorkspaceA, filter);
    EXPECT_OK(objectives);
    return objectives.ok() ? Numbers(*objectives) : std::vector<int64_t>{};
  };
  using Want = std::vector<int64_t>;
  EXPECT_EQ(list({}), (Want{1, 2, 3, 4}));
  EXPECT_EQ(list(ObjectivesWhere("", "", "", true)), (Want{1, 2, 3, 4, 5}));
  EXPECT_EQ(list(ObjectivesWhere("2026-Q4", "", "", false)), (Want{1, 2, 3}));
  EXPECT_EQ(list(ObjectivesWhere("", "U1", "", false)), (Want{1, 3, 4}));
  EXPECT_EQ(list(ObjectivesWhere("", "", "growth", false)), (Want{1, 2, 4}));
  EXPECT_EQ(list(ObjectivesWhere("2026-Q4", "U1", "growth", false)), (Want{1}));
  EXPECT_EQ(list(ObjectivesWhere("2026-Q4", "U1", "growth", true)), (Want{1, 5}));
  EXPECT_EQ(list(ObjectivesWhere("1999-Q1", "", "", false)), (Want{}));
}

// ---- Key results ------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, KeyResultNeedsObjectiveInTheSameWorkspace) {
  ASSERT_OK(store().CreateObjective(MakeObjective(kWorkspaceA, "A's objective")));

  // O1 exists, but in workspace A only.
  EXPECT_CODE(store().CreateKeyResult(MakeKeyResult(kWorkspaceB, 1, "sneaky")), kNotFound);
  EXPECT_CODE(store().CreateKeyResult(MakeKeyResult(kWorkspaceA, 7, "no such O7")), kNotFound);
  Result<std::vector<KeyResult>> in_b = store().ListKeyResults(kWorkspaceB, {});
  ASSERT_OK(in_b);
  EXPECT_TRUE(in_b->empty());
  Result<std::vector<KeyResult>> in_a = store().ListKeyResults(kWorkspaceA, {});
  ASSERT_OK(in_a);
  EXPECT_TRUE(in_a->empty());

  Result<KeyResult> a1 = store().CreateKeyResult(MakeKeyResult(kWorkspaceA, 1, "fine"));
  ASSERT_OK(a1);
  EXPECT_EQ(a1->number, 1);
  ASSERT_OK(store().CreateObjective(MakeObjective(kWorkspaceB, "B's objective")));
  Result<KeyResult> b1 = store().CreateKeyResult(MakeKeyResult(kWorkspaceB, 1, "B's KR"));
  ASSERT_OK(b1);
  EXPECT_EQ(b1->number, 1);
  Result<KeyResult> a2 = store().CreateKeyResult(MakeKeyResult(kWorkspaceA, 1, "second"));
  ASSERT_OK(a2);
  EXPECT_EQ(a2->number, 2);
}

TEST_P(StoreConformanceTest, KeyResultExplicitNumberTakenIsAlreadyExists) {
  ASSERT_OK(store().CreateObjective(MakeObjective(kWorkspaceA, "objective")));
  KeyResult kr = MakeKeyResult(kWorkspaceA, 1, "explicit");
  kr.number = 5;
  Result<KeyResult> kr5 = store().CreateKeyResult(kr);
  ASSERT_OK(kr5);
  EXPECT_EQ(kr5->number, 5);
  kr.text = "clash";
  EXPECT_CODE(store().CreateKeyResult(kr), kAlreadyExists);
  Result<KeyResult> kept = store().GetKeyResult(kWorkspaceA, 5);
  ASSERT_OK(kept);
  EXPECT_EQ(kept->text, "explicit");
  Result<KeyResult> next = store().CreateKeyResult(MakeKeyResult(kWorkspaceA, 1, "next"));
  ASSERT_OK(next);
  EXPECT_EQ(next->number, 6);
}

TEST_P(StoreConformanceTest, KeyResultRoundTripsEveryFieldIncludingEmptyOptionals) {
  ASSERT_OK(store().CreateObjective(MakeObjective(kWorkspaceA, "objective")));

  KeyResult full = MakeKeyResult(kWorkspaceA, 1, "CSAT from 82% to 90%");
  full.owner = "U7";
  full.baseline = 82.5;
  full.target = -0.125;
  full.current = 0;  // zero is a value, not "none"
  full.unit = "%";
  full.direction = Direction::kMaintainAtMost;
  full.cadence = Cadence::kBiweekly;
  full.weight = 0.25;
  full.archived = true;
  full.quality_kept = true;
  full.snoozed_until = Day("2026-12-01");
  full.last_checkin_at = At(1'800'000'000);
  full.created_by = "U6";
  full.created_at = At(1'600'000'000);
  Result<KeyResult> created_full = store().CreateKeyResult(full);
  ASSERT_OK(created_full);
  full.number = 1;
  ExpectSameKeyResult(*created_full, full);
  Result<KeyResult> got_full = store().GetKeyResult(kWorkspaceA, 1);
  ASSERT_OK(got_full);
  ExpectSameKeyResult(*got_full, full);

  KeyResult bare = MakeKeyResult(kWorkspaceA, 1, "Ship the thing");
  bare.baseline.reset();
  bare.target.reset();
  bare.current.reset();
  bare.unit = "";
  bare.direction = Direction::kBinary;
  bare.cadence = Cadence::kMonthly;
  Result<KeyResult> created_bare = store().CreateKeyResult(bare);
  ASSERT_OK(created_bare);
  bare.number = 2;
  Result<KeyResult> got_bare = store().GetKeyResult(kWorkspaceA, 2);
  ASSERT_OK(got_bare);
  ExpectSameKeyResult(*got_bare, bare);
  EXPECT_FALSE(got_bare->baseline.has_value());
  EXPECT_FALSE(got_bare->current.has_value());
  EXPECT_FALSE(got_bare->snoozed_until.has_value());
  EXPECT_FALSE(got_bare->last_checkin_at.has_value());
}

TEST_P(StoreConformanceTest, KeyResultEveryDirectionAndCadenceRoundTrips) {
  ASSERT_OK(store().CreateObjective(MakeObjective(kWorkspaceA, "objective")));
  for (Direction direction :
       {Direction::kIncrease, Direction::kDecrease, Direction::kMaintainAtLeast,
        Direction::kMaintainAtMost, Direction::kBinary}) {
    for (Cadence cadence : {Cadence::kWeekly, Cadence::kBiweekly, Cadence::kMonthly}) {
      KeyResult kr = MakeKeyResult(kWorkspaceA, 1, "combination");
      kr.direction = direction;
      kr.cadence = cadence;
      Result<KeyResult> created = store().CreateKeyResult(kr);
      ASSERT_OK(created);
      Result<KeyResult> got = store().GetKeyResult(kWorkspaceA, created->number);
      ASSERT_OK(got);
      EXPECT_EQ(got->direction, direction) << DirectionName(direction);
      EXPECT_EQ(got->cadence, cadence) << CadenceName(cadence);
    }
  }
}

TEST_P(StoreConformanceTest, ListKeyResultsFilters) {
  ASSERT_OK(store().CreateObjective(MakeObjective(kWorkspaceA, "O1")));
  ASSERT_OK(store().CreateObjective(MakeObjective(kWorkspaceA, "O2")));
  auto make = [&](int64_t objective, const std::string& owner, bool archived) {
    KeyResult kr = MakeKeyResult(kWorkspaceA, objective, "kr");
    kr.owner = owner;
    kr.archived = archived;
    Result<KeyResult> created = store().CreateKeyResult(kr);
    EXPECT_OK(created);
  };
  make(1, "U1", false);  // KR1
  make(1, "U2", false);  // KR2
  make(2, "U1", false);  // KR3
  make(2, "U1", true);   // KR4 archived
  ASSERT_OK(store().CreateObjective(MakeObjective(kWorkspaceB, "B")));
  ASSERT_OK(store().CreateKeyResult(MakeKeyResult(kWorkspaceB, 1, "B's")));

  auto list = [&](KeyResultFilter filter) {
    Result<std::vector<KeyResult>> krs = store().ListKeyResults(kWorkspaceA, filter);
    EXPECT_OK(krs);
    return krs.ok() ? Numbers(*krs) : std::vector<int64_t>{};
  };
  using Want = std::vector<int64_t>;
  EXPECT_EQ(list({}), (Want{1, 2, 3}));
  EXPECT_EQ(list(KeyResultsWhere(0, "", true)), (Want{1, 2, 3, 4}));
  EXPECT_EQ(list(KeyResultsWhere(1, "", false)), (Want{1, 2}));
  EXPECT_EQ(list(KeyResultsWhere(2, "", true)), (Want{3, 4}));
  EXPECT_EQ(list(KeyResultsWhere(0, "U1", false)), (Want{1, 3}));
  EXPECT_EQ(list(KeyResultsWhere(2, "U2", false)), (Want{}));
}

TEST_P(StoreConformanceTest, ListKeyResultsOfOneCycle) {
  Objective last_quarter = MakeObjective(kWorkspaceA, "Q3");
  last_quarter.cycle = "2026-Q3";
  ASSERT_OK(store().CreateObjective(last_quarter));                            // O1
  ASSERT_OK(store().CreateObjective(MakeObjective(kWorkspaceA, "Q4")));        // O2, 2026-Q4
  ASSERT_OK(store().CreateKeyResult(MakeKeyResult(kWorkspaceA, 1, "old")));    // KR1
  ASSERT_OK(store().CreateKeyResult(MakeKeyResult(kWorkspaceA, 2, "new")));    // KR2
  ASSERT_OK(store().CreateKeyResult(MakeKeyResult(kWorkspaceA, 2, "new 2")));  // KR3
  // Workspace B has a 2026-Q4 objective numbered 1: its cycle must not leak into A's O1.
  ASSERT_OK(store().CreateObjective(MakeObjective(kWorkspaceB, "B")));
  ASSERT_OK(store().CreateKeyResult(MakeKeyResult(kWorkspaceB, 1, "B's")));

  KeyResultFilter filter;
  filter.cycle = "2026-Q4";
  Result<std::vector<KeyResult>> q4 = store().ListKeyResults(kWorkspaceA, filter);
  ASSERT_OK(q4);
  EXPECT_EQ(Numbers(*q4), (std::vector<int64_t>{2, 3}));
  filter.cycle = "2026-Q3";
  Result<std::vector<KeyResult>> q3 = store().ListKeyResults(kWorkspaceA, filter);
  ASSERT_OK(q3);
  EXPECT_EQ(Numbers(*q3), (std::vector<int64_t>{1}));
  filter.cycle = "2027-Q1";
  Result<std::vector<KeyResult>> none = store().ListKeyResults(kWorkspaceA, filter);
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());
}

// "list mine": the KRs of every objective a person owns or has a KR in, and no others.
TEST_P(StoreConformanceTest, ListObjectivesAndKeyResultsInvolvingAPerson) {
  auto objective_of = [&](const std::string& workspace, const std::string& owner) {
    Objective objective = MakeObjective(workspace, "o");
    objective.owner = owner;
    EXPECT_OK(store().CreateObjective(objective));
  };
  auto kr_of = [&](const std::string& workspace, int64_t objective, const std::string& owner,
                   bool archived) {
    KeyResult kr = MakeKeyResult(workspace, objective, "kr");
    kr.owner = owner;
    kr.archived = archived;
    EXPECT_OK(store().CreateKeyResult(kr));
  };
  objective_of(kWorkspaceA, "ana");     // O1: Ana owns it
  objective_of(kWorkspaceA, "ben");     // O2: Ana has a KR in it
  objective_of(kWorkspaceA, "ben");     // O3: Ana's only KR here is archived
  objective_of(kWorkspaceA, "ben");     // O4: nothing of Ana's
  kr_of(kWorkspaceA, 1, "ben", false);  // KR1
  kr_of(kWorkspaceA, 2, "ana", false);  // KR2
  kr_of(kWorkspaceA, 2, "ben", false);  // KR3
  kr_of(kWorkspaceA, 3, "ana", true);   // KR4
  kr_of(kWorkspaceA, 3, "ben", false);  // KR5
  kr_of(kWorkspaceA, 4, "ben", false);  // KR6
  objective_of(kWorkspaceB, "ben");     // B's O1..O4: Ana owns KRs there, in another workspace
  objective_of(kWorkspaceB, "ben");
  objective_of(kWorkspaceB, "ben");
  objective_of(kWorkspaceB, "ben");
  kr_of(kWorkspaceB, 4, "ana", false);

  KeyResultFilter filter;
  filter.involving = "ana";
  Result<std::vector<KeyResult>> krs = store().ListKeyResults(kWorkspaceA, filter);
  ASSERT_OK(krs);
  EXPECT_EQ(Numbers(*krs), (std::vector<int64_t>{1, 2, 3}));
  filter.include_archived = true;
  krs = store().ListKeyResults(kWorkspaceA, filter);
  ASSERT_OK(krs);
  EXPECT_EQ(Numbers(*krs), (std::vector<int64_t>{1, 2, 3, 4, 5}));
  filter.objective = 2;  // filters combine
  krs = store().ListKeyResults(kWorkspaceA, filter);
  ASSERT_OK(krs);
  EXPECT_EQ(Numbers(*krs), (std::vector<int64_t>{2, 3}));
  filter.objective = 0;
  filter.involving = "nobody";
  krs = store().ListKeyResults(kWorkspaceA, filter);
  ASSERT_OK(krs);
  EXPECT_TRUE(krs->empty());

  ObjectiveFilter objective_filter;
  objective_filter.involving = "ana";
  Result<std::vector<Objective>> objectives = store().ListObjectives(kWorkspaceA, objective_filter);
  ASSERT_OK(objectives);
  EXPECT_EQ(Numbers(*objectives), (std::vector<int64_t>{1, 2}));
  objective_filter.include_archived = true;
  objectives = store().ListObjectives(kWorkspaceA, objective_filter);
  ASSERT_OK(objectives);
  EXPECT_EQ(Numbers(*objectives), (std::vector<int64_t>{1, 2, 3}));
  objective_filter.owner = "ben";
  objectives = store().ListObjectives(kWorkspaceA, objective_filter);
  ASSERT_OK(objectives);
  EXPECT_EQ(Numbers(*objectives), (std::vector<int64_t>{2, 3}));
  objective_filter.owner.clear();
  objective_filter.involving = "nobody";
  objectives = store().ListObjectives(kWorkspaceA, objective_filter);
  ASSERT_OK(objectives);
  EXPECT_TRUE(objectives->empty());
}

// ---- Updates and edit history -----------------------------------------------------------------

TEST_P(StoreConformanceTest, UpdateObjectiveReplacesEveryFieldAndAppendsEdits) {
  Result<Objective> created = store().CreateObjective(MakeObjective(kWorkspaceA, "Old title"));
  ASSERT_OK(created);
  Objective updated = *created;
  updated.title = "New title";
  updated.owner = "U2";
  updated.team = "";
  updated.cycle = "2027-Q2";
  updated.type = GoalType::kStretch;
  updated.parent = 0;
  updated.archived = true;
  std::vector<EditRecord> edits = {
      {kWorkspaceA, "O1", "title", "Old title", "New title", "U2", At(5'000)},
      {kWorkspaceA, "O1", "owner", "U1", "U2", "U2", At(5'000)},
  };
  ASSERT_OK(store().UpdateObjective(updated, edits));

  Result<Objective> got = store().GetObjective(kWorkspaceA, 1);
  ASSERT_OK(got);
  ExpectSameObjective(*got, updated);
  Result<std::vector<EditRecord>> history = store().ListEdits(kWorkspaceA, "O1");
  ASSERT_OK(history);
  ASSERT_EQ(history->size(), 2u);
  ExpectSameEdit((*history)[0], edits[0]);
  ExpectSameEdit((*history)[1], edits[1]);
}

TEST_P(StoreConformanceTest, EditsWithoutWorkspaceAreFiledUnderTheRowsWorkspace) {
  ASSERT_OK(store().CreateObjective(MakeObjective(kWorkspaceA, "objective")));
  Result<Objective> objective = store().GetObjective(kWorkspaceA, 1);
  ASSERT_OK(objective);
  EditRecord edit{"", "O1", "team", "growth", "core", "U1", At(10)};
  objective->team = "core";
  ASSERT_OK(store().UpdateObjective(*objective, {edit}));
  Result<std::vector<EditRecord>> history = store().ListEdits(kWorkspaceA, "O1");
  ASSERT_OK(history);
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].workspace_id, kWorkspaceA);
}

TEST_P(StoreConformanceTest, UpdateKeyResultReplacesEveryFieldAndAppendsEdits) {
  ASSERT_OK(store().CreateObjective(MakeObjective(kWorkspaceA, "O1")));
  ASSERT_OK(store().CreateObjective(MakeObjective(kWorkspaceA, "O2")));
  Result<KeyResult> created = store().CreateKeyResult(MakeKeyResult(kWorkspaceA, 1, "old"));
  ASSERT_OK(created);

  KeyResult updated = *created;
  updated.objective = 2;
  updated.text = "new";
  updated.owner = "U3";
  updated.baseline.reset();
  updated.target = 100;
  updated.current = 12.5;
  updated.unit = "ms";
  updated.direction = Direction::kDecrease;
  updated.cadence = Cadence::kMonthly;
  updated.weight = 2;
  updated.archived = true;
  updated.quality_kept = true;
  updated.snoozed_until = Day("2026-02-28");
  updated.last_checkin_at = At(77);
  EditRecord edit{kWorkspaceA, "KR1", "text", "old", "new", "U3", At(6'000)};
  ASSERT_OK(store().UpdateKeyResult(updated, {edit}));

  // Every field but the check-in columns, which only RecordCheckIn sets.
  KeyResult expected = updated;
  expected.current = created->current;
  expected.last_checkin_at = created->last_checkin_at;
  Result<KeyResult> got = store().GetKeyResult(kWorkspaceA, 1);
  ASSERT_OK(got);
  ExpectSameKeyResult(*got, expected);

  // Clearing optionals is a change too.
  updated.target.reset();
  updated.current.reset();
  updated.snoozed_until.reset();
  updated.last_checkin_at.reset();
  ASSERT_OK(store().UpdateKeyResult(updated, {}));
  expected.target.reset();
  expected.snoozed_until.reset();
  got = store().GetKeyResult(kWorkspaceA, 1);
  ASSERT_OK(got);
  ExpectSameKeyResult(*got, expected);

  Result<std::vector<EditRecord>> history = store().ListEdits(kWorkspaceA, "KR1");
  ASSERT_OK(history);
  ASSERT_EQ(history->size(), 1u);
  ExpectSameEdit((*history)[0], edit);
}

TEST_P(StoreConformanceTest, AnEditFromAnOlderCopyDoesNotUndoACheckIn) {
  ASSERT_OK(store().CreateObjective(MakeObjective(kWorkspaceA, "O1")));
  Result<KeyResult> created = store().CreateKeyResult(MakeKeyResult(kWorkspaceA, 1, "KR1"));
  ASSERT_OK(created);
  KeyResult stale_copy = *created;  // read before the check-in
  CheckIn checkin{kWorkspaceA, 0, 1, 62, std::nullopt, "", "U1", At(9'000)};
  ASSERT_OK(store().RecordCheckIn(checkin));
  stale_copy.cadence = Cadence::kBiweekly;
  ASSERT_OK(store().UpdateKeyResult(stale_copy, {}));
  Result<KeyResult> got = store().GetKeyResult(kWorkspaceA, 1);
  ASSERT_OK(got);
  EXPECT_EQ(got->cadence, Cadence::kBiweekly);
  EXPECT_EQ(got->current, 62.0);
  EXPECT_EQ(got->last_checkin_at, At(9'000));
}

TEST_P(StoreConformanceTest, UpdatingAMissingRowIsNotFoundAndRecordsNoEdit) {
  ASSERT_OK(store().CreateObjective(MakeObjective(kWorkspaceA, "O1")));
  ASSERT_OK(store().CreateKeyResult(MakeKeyResult(kWorkspaceA, 1, "KR1")));
  Initiative initiative{kWorkspaceA, 0, 1, "do it", false, "U1", At(1)};
  ASSERT_OK(store().CreateInitiative(initiative));

  Objective objective = MakeObjective(kWorkspaceA, "ghost");
  objective.number = 9;
  EditRecord edit{kWorkspaceA, "O9", "title", "", "ghost", "U1", At(1)};
  EXPECT_CODE(store().UpdateObjective(objective, {edit}), kNotFound);

  KeyResult kr = MakeKeyResult(kWorkspaceA, 1, "ghost");
  kr.number = 9;
  EXPECT_CODE(store().UpdateKeyResult(kr, {edit}), kNotFound);

  Initiative ghost = initiative;
  ghost.number = 9;
  EXPECT_CODE(store().UpdateInitiative(ghost, {edit}), kNotFound);

  // Rows of workspace A cannot be updated by naming workspace B.
  Objective other = MakeObjective(kWorkspaceB, "hijack");
  other.number = 1;
  EditRecord other_edit{kWorkspaceB, "O1", "title", "", "hijack", "U1", At(1)};
  EXPECT_CODE(store().UpdateObjective(other, {other_edit}), kNotFound);
  KeyResult other_kr = MakeKeyResult(kWorkspaceB, 1, "hijack");
  other_kr.number = 1;
  EXPECT_CODE(store().UpdateKeyResult(other_kr, {other_edit}), kNotFound);
  Initiative other_initiative = initiative;
  other_initiative.workspace_id = kWorkspaceB;
  other_initiative.number = 1;
  EXPECT_CODE(store().UpdateInitiative(other_initiative, {other_edit}), kNotFound);

  Result<std::vector<EditRecord>> edits_a = store().ListEdits(kWorkspaceA, "");
  ASSERT_OK(edits_a);
  EXPECT_TRUE(edits_a->empty());
  Result<std::vector<EditRecord>> edits_b = store().ListEdits(kWorkspaceB, "");
  ASSERT_OK(edits_b);
  EXPECT_TRUE(edits_b->empty());
  Result<Objective> o1 = store().GetObjective(kWorkspaceA, 1);
  ASSERT_OK(o1);
  EXPECT_EQ(o1->title, "O1");
}

TEST_P(StoreConformanceTest, FailedUpdateStoresNothing) {
  ASSERT_OK(store().CreateObjective(MakeObjective(kWorkspaceA, "O1")));
  Result<KeyResult> created = store().CreateKeyResult(MakeKeyResult(kWorkspaceA, 1, "KR1"));
  ASSERT_OK(created);

  // Moving a KR under an objective that does not exist fails as a whole.
  KeyResult moved = *created;
  moved.objective = 42;
  moved.text = "changed";
  EditRecord edit{kWorkspaceA, "KR1", "text", "KR1", "changed", "U1", At(1)};
  EXPECT_CODE(store().UpdateKeyResult(moved, {edit}), kNotFound);

  // An edit record of another workspace is refused, and the row update with it.
  Objective renamed = MakeObjective(kWorkspaceA, "renamed");
  renamed.number = 1;
  EditRecord foreign{kWorkspaceB, "O1", "title", "O1", "renamed", "U1", At(2)};
  EditRecord fine{kWorkspaceA, "O1", "title", "O1", "renamed", "U1", At(2)};
  EXPECT_CODE(store().UpdateObjective(renamed, {fine, foreign}), kInvalidArgument);

  Result<KeyResult> kr = store().GetKeyResult(kWorkspaceA, 1);
  ASSERT_OK(kr);
  EXPECT_EQ(kr->objective, 1);
  EXPECT_EQ(kr->text, "KR1");
  Result<Objective> objective = store().GetObjective(kWorkspaceA, 1);
  ASSERT_OK(objective);
  EXPECT_EQ(objective->title, "O1");
  for (const char* workspace : {kWorkspaceA, kWorkspaceB}) {
    Result<std::vector<EditRecord>> edits = store().ListEdits(workspace, "");
    ASSERT_OK(edits);
    EXPECT_TRUE(edits->empty()) << workspace;
  }
}

TEST_P(StoreConformanceTest, AppendEditAndListEditsOldestFirst) {
  EditRecord late{kWorkspaceA, "KR2", "target", "70", "80", "U1", At(300)};
  EditRecord early{kWorkspaceA, "O1", "title", "a", "b", "U2", At(100)};
  EditRecord middle{kWorkspaceA, "KR2", "owner", "U1", "U2", "U1", At(200)};
  EditRecord other{kWorkspaceB, "KR2", "owner", "x", "y", "U9", At(150)};
  ASSERT_OK(store().AppendEdit(late));
  ASSERT_OK(store().AppendEdit(early));
  ASSERT_OK(store().AppendEdit(middle));
  ASSERT_OK(store().AppendEdit(other));

  Result<std::vector<EditRecord>> all = store().ListEdits(kWorkspaceA, "");
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 3u);
  ExpectSameEdit((*all)[0], early);
  ExpectSameEdit((*all)[1], middle);
  ExpectSameEdit((*all)[2], late);

  Result<std::vector<EditRecord>> kr2 = store().ListEdits(kWorkspaceA, "KR2");
  ASSERT_OK(kr2);
  ASSERT_EQ(kr2->size(), 2u);
  ExpectSameEdit((*kr2)[0], middle);
  ExpectSameEdit((*kr2)[1], late);

  Result<std::vector<EditRecord>> none = store().ListEdits(kWorkspaceA, "KR99");
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());
}

// ---- Check-ins --------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, RecordCheckInSetsCurrentAndReturnsId) {
  ASSERT_OK(store().CreateObjective(MakeObjective(kWorkspaceA, "O1")));
  ASSERT_OK(store().CreateKeyResult(MakeKeyResult(kWorkspaceA, 1, "KR1")));

  CheckIn checkin = MakeCheckIn(kWorkspaceA, 1, 61.5, 1'000);
  checkin.confidence = 70;
  checkin.note = "good week";
  Result<CheckIn> stored = store().RecordCheckIn(checkin);
  ASSERT_OK(stored);
  EXPECT_GT(stored->id, 0);
  checkin.id = stored->id;
  ExpectSameCheckIn(*stored, checkin);

  Result<KeyResult> kr = store().GetKeyResult(kWorkspaceA, 1);
  ASSERT_OK(kr);
  EXPECT_EQ(kr->current, 61.5);
  EXPECT_EQ(Count(kr->last_checkin_at), 1'000);

  Result<std::vector<CheckIn>> history = store().ListCheckIns(kWorkspaceA, 1, 0);
  ASSERT_OK(history);
  ASSERT_EQ(history->size(), 1u);
  ExpectSameCheckIn((*history)[0], checkin);

  CheckIn no_confidence = MakeCheckIn(kWorkspaceA, 1, 62, 2'000);
  Result<CheckIn> second = store().RecordCheckIn(no_confidence);
  ASSERT_OK(second);
  EXPECT_NE(second->id, stored->id);
  history = store().ListCheckIns(kWorkspaceA, 1, 1);
  ASSERT_OK(history);
  ASSERT_EQ(history->size(), 1u);
  EXPECT_FALSE((*history)[0].confidence.has_value());
}

// A platform request records at most one check-in (replays and re-deliveries are refused,
// atomically with the write); request ids are per workspace, and an empty one is no id.
TEST_P(StoreConformanceTest, ACheckInFromAnAlreadySeenRequestIsRefusedAndStoresNothing) {
  ASSERT_OK(store().CreateObjective(MakeObjective(kWorkspaceA, "O1")));
  ASSERT_OK(store().CreateKeyResult(MakeKeyResult(kWorkspaceA, 1, "KR1")));
  ASSERT_OK(store().CreateObjective(MakeObjective(kWorkspaceB, "O1")));
  ASSERT_OK(store().CreateKeyResult(MakeKeyResult(kWorkspaceB, 1, "KR1")));

  CheckIn first = MakeCheckIn(kWorkspaceA, 1, 60, 1'000);
  first.request_id = "trigger.1";
  ASSERT_OK(store().RecordCheckIn(first));
  CheckIn replay = MakeCheckIn(kWorkspaceA, 1, 65, 2'000);
  replay.request_id = "trigger.1";
  EXPECT_CODE(store().RecordCheckIn(replay), kAlreadyExists);
  Result<KeyResult> kr = store().GetKeyResult(kWorkspaceA, 1);
  ASSERT_OK(kr);
  EXPECT_EQ(kr->current, 60) << "the refused check-in did not move the KR";

  CheckIn elsewhere = MakeCheckIn(kWorkspaceB, 1, 10, 1'000);
  elsewhere.request_id = "trigger.1";
  EXPECT_OK(store().RecordCheckIn(elsewhere));
  ASSERT_OK(store().RecordCheckIn(MakeCheckIn(kWorkspaceA, 1, 70, 3'000)));
  ASSERT_OK(store().RecordCheckIn(MakeCheckIn(kWorkspaceA, 1, 71, 4'000)));
  Result<std::vector<CheckIn>> history = store().ListCheckIns(kWorkspaceA, 1, 0);
  ASSERT_OK(history);
  EXPECT_EQ(history->size(), 3u);
}

TEST_P(StoreConformanceTest, OlderCheckInDoesNotOverrideCurrent) {
  ASSERT_OK(store().CreateObjective(MakeObjective(kWorkspaceA, "O1")));
  ASSERT_OK(store().CreateKeyResult(MakeKeyResult(kWorkspaceA, 1, "KR1")));

  ASSERT_OK(store().RecordCheckIn(MakeCheckIn(kWorkspaceA, 1, 60, 2'000)));
  ASSERT_OK(store().RecordCheckIn(MakeCheckIn(kWorkspaceA, 1, 50, 1'000)));  // arrives late
  Result<KeyResult> kr = store().GetKeyResult(kWorkspaceA, 1);
  ASSERT_OK(kr);
  EXPECT_EQ(kr->current, 60);
  EXPECT_EQ(Count(kr->last_checkin_at), 2'000);

  // Same instant: the later call wins.
  ASSERT_OK(store().RecordCheckIn(MakeCheckIn(kWorkspaceA, 1, 65, 2'000)));
  kr = store().GetKeyResult(kWorkspaceA, 1);
  ASSERT_OK(kr);
  EXPECT_EQ(kr->current, 65);
  EXPECT_EQ(Count(kr->last_checkin_at), 2'000);
}

TEST_P(StoreConformanceTest, ListCheckInsIsNewestFirstWithLimit) {
  ASSERT_OK(store().CreateObjective(MakeObjective(kWorkspaceA, "O1")));
  ASSERT_OK(store().CreateKeyResult(MakeKeyResult(kWorkspaceA, 1, "KR1")));
  ASSERT_OK(store().CreateKeyResult(MakeKeyResult(kWorkspaceA, 1, "KR2")));
  for (int64_t at : {300, 100, 500, 200, 400}) {
    ASSERT_OK(store().RecordCheckIn(MakeCheckIn(kWorkspaceA, 1, static_cast<double>(at), at)));
  }
  ASSERT_OK(store().RecordCheckIn(MakeCheckIn(kWorkspaceA, 2, 1, 999)));

  auto times = [&](int limit) {
    std::vector<int64_t> result;
    Result<std::vector<CheckIn>> checkins = store().ListCheckIns(kWorkspaceA, 1, limit);
    EXPECT_OK(checkins);
    if (checkins.ok()) {
      for (const CheckIn& checkin : *checkins) result.push_back(Count(checkin.at));
    }
    return result;
  };
  using Want = std::vector<int64_t>;
  EXPECT_EQ(times(0), (Want{500, 400, 300, 200, 100}));
  EXPECT_EQ(times(-1), (Want{500, 400, 300, 200, 100}));
  EXPECT_EQ(times(2), (Want{500, 400}));
  EXPECT_EQ(times(10), (Want{500, 400, 300, 200, 100}));

  Result<std::vector<CheckIn>> unknown = store().ListCheckIns(kWorkspaceA, 77, 0);
  ASSERT_OK(unknown);
  EXPECT_TRUE(unknown->empty());
}

TEST_P(StoreConformanceTest, CheckInForAnotherWorkspacesKeyResultIsNotFoundAndStoresNothing) {
  ASSERT_OK(store().CreateObjective(MakeObjective(kWorkspaceA, "O1")));
  ASSERT_OK(store().CreateKeyResult(MakeKeyResult(kWorkspaceA, 1, "KR1")));

  EXPECT_CODE(store().RecordCheckIn(MakeCheckIn(kWorkspaceB, 1, 99, 1'000)), kNotFound);
  EXPECT_CODE(store().RecordCheckIn(MakeCheckIn(kWorkspaceA, 2, 99, 1'000)), kNotFound);

  for (const char* workspace : {kWorkspaceA, kWorkspaceB}) {
    Result<std::vector<CheckIn>> checkins = store().ListCheckIns(workspace, 1, 0);
    ASSERT_OK(checkins);
    EXPECT_TRUE(checkins->empty()) << workspace;
  }
  Result<KeyResult> kr = store().GetKeyResult(kWorkspaceA, 1);
  ASSERT_OK(kr);
  EXPECT_FALSE(kr->current.has_value());
  EXPECT_FALSE(kr->last_checkin_at.has_value());
}

TEST_P(StoreConformanceTest, CheckInWithConfidenceOutOfRangeIsInvalidArgument) {
  ASSERT_OK(store().CreateObjective(MakeObjective(kWorkspaceA, "O1")));
  ASSERT_OK(store().CreateKeyResult(MakeKeyResult(kWorkspaceA, 1, "KR1")));
  CheckIn checkin = MakeCheckIn(kWorkspaceA, 1, 5, 1'000);
  checkin.confidence = 101;
  EXPECT_CODE(store().RecordCheckIn(checkin), kInvalidArgument);
  checkin.confidence = -1;
  EXPECT_CODE(store().RecordCheckIn(checkin), kInvalidArgument);
  Result<std::vector<CheckIn>> checkins = store().ListCheckIns(kWorkspaceA, 1, 0);
  ASSERT_OK(checkins);
  EXPECT_TRUE(checkins->empty());
  Result<KeyResult> kr = store().GetKeyResult(kWorkspaceA, 1);
  ASSERT_OK(kr);
  EXPECT_FALSE(kr->current.has_value());
}

TEST_P(StoreConformanceTest, ConcurrentCheckInsAreAllStoredWithDistinctIds) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 200;
  ASSERT_OK(store().CreateObjective(MakeObjective(kWorkspaceA, "O1")));
  ASSERT_OK(store().CreateKeyResult(MakeKeyResult(kWorkspaceA, 1, "KR1")));

  std::vector<std::vector<int64_t>> ids(kThreads);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        int64_t at = 1'000'000 + t * 1'000 + i;
        Result<CheckIn> stored =
            store().RecordCheckIn(MakeCheckIn(kWorkspaceA, 1, static_cast<double>(at), at));
        if (!stored.ok()) {
          ++failures;
          continue;
        }
        ids[t].push_back(stored->id);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);

  std::set<int64_t> returned_ids;
  for (const std::vector<int64_t>& thread_ids : ids) {
    returned_ids.insert(thread_ids.begin(), thread_ids.end());
  }
  EXPECT_EQ(returned_ids.size(), static_cast<size_t>(kThreads * kPerThread));

  Result<std::vector<CheckIn>> all = store().ListCheckIns(kWorkspaceA, 1, 0);
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), static_cast<size_t>(kThreads * kPerThread));
  std::set<int64_t> stored_ids;
  for (const CheckIn& checkin : *all) stored_ids.insert(checkin.id);
  EXPECT_EQ(stored_ids, returned_ids);

  // The newest check-in by time is the current value, whatever order the threads ran in.
  const int64_t newest = 1'000'000 + (kThreads - 1) * 1'000 + (kPerThread - 1);
  Result<KeyResult> kr = store().GetKeyResult(kWorkspaceA, 1);
  ASSERT_OK(kr);
  EXPECT_EQ(kr->current, static_cast<double>(newest));
  EXPECT_EQ(Count(kr->last_checkin_at), newest);
}

TEST_P(StoreConformanceTest, ConcurrentCreatesGetDistinctNumbers) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  std::vector<std::vector<int64_t>> numbers(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Result<Objective> created = store().CreateObjective(MakeObjective(kWorkspaceA, "o"));
        if (created.ok()) numbers[t].push_back(created->number);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<int64_t> all;
  for (const std::vector<int64_t>& thread_numbers : numbers) {
    all.insert(thread_numbers.begin(), thread_numbers.end());
  }
  ASSERT_EQ(all.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(*all.begin(), 1);
  EXPECT_EQ(*all.rbegin(), kThreads * kPerThread);
}

// ---- Isolation --------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, AnotherWorkspaceSeesNoneOfTheRows) {
  ASSERT_OK(store().UpsertWorkspace(MakeWorkspace(kWorkspaceA)));
  ASSERT_OK(store().UpsertUser(User{kWorkspaceA, "U1", "One", "", "", std::nullopt}));
  ASSERT_OK(store().CreateObjective(MakeObjective(kWorkspaceA, "O1")));
  ASSERT_OK(store().CreateKeyResult(MakeKeyResult(kWorkspaceA, 1, "KR1")));
  ASSERT_OK(store().RecordCheckIn(MakeCheckIn(kWorkspaceA, 1, 3, 100)));
  ASSERT_OK(store().CreateInitiative(Initiative{kWorkspaceA, 0, 1, "I1", false, "U1", At(1)}));
  ASSERT_OK(store().AppendEdit(EditRecord{kWorkspaceA, "O1", "title", "a", "b", "U1", At(1)}));
  ASSERT_OK(store().PutReminder(Reminder{kWorkspaceA, "checkin", "", "", 1, 600, "", true}));
  Job job = MakeJob("A|checkin|U1|2026-W01", 100);
  ASSERT_OK(store().EnqueueJob(job));

  const std::string b = kWorkspaceB;
  EXPECT_CODE(store().GetWorkspace(b), kNotFound);
  EXPECT_CODE(store().GetUser(b, "U1"), kNotFound);
  EXPECT_CODE(store().GetObjective(b, 1), kNotFound);
  EXPECT_CODE(store().GetKeyResult(b, 1), kNotFound);
  EXPECT_CODE(store().GetInitiative(b, 1), kNotFound);

  Result<std::vector<User>> users = store().ListUsers(b);
  ASSERT_OK(users);
  EXPECT_TRUE(users->empty());
  Result<std::vector<Objective>> objectives = store().ListObjectives(b, AllObjectives());
  ASSERT_OK(objectives);
  EXPECT_TRUE(objectives->empty());
  Result<std::vector<KeyResult>> krs = store().ListKeyResults(b, KeyResultsWhere(0, "", true));
  ASSERT_OK(krs);
  EXPECT_TRUE(krs->empty());
  Result<std::vector<CheckIn>> checkins = store().ListCheckIns(b, 1, 0);
  ASSERT_OK(checkins);
  EXPECT_TRUE(checkins->empty());
  Result<std::vector<Initiative>> initiatives = store().ListInitiatives(b, 0);
  ASSERT_OK(initiatives);
  EXPECT_TRUE(initiatives->empty());
  Result<std::vector<EditRecord>> edits = store().ListEdits(b, "");
  ASSERT_OK(edits);
  EXPECT_TRUE(edits->empty());
  Result<std::vector<Reminder>> reminders = store().ListReminders(b);
  ASSERT_OK(reminders);
  EXPECT_TRUE(reminders->empty());
  Result<std::vector<Job>> jobs = store().ListJobs(JobsWhere(std::nullopt, b));
  ASSERT_OK(jobs);
  EXPECT_TRUE(jobs->empty());

  // Writes naming B leave A's rows alone.
  ASSERT_OK(store().DeleteReminders(b));
  reminders = store().ListReminders(kWorkspaceA);
  ASSERT_OK(reminders);
  EXPECT_EQ(reminders->size(), 1u);
  EXPECT_CODE(store().CreateInitiative(Initiative{b, 0, 1, "sneaky", false, "U1", At(1)}),
              kNotFound);
  initiatives = store().ListInitiatives(kWorkspaceA, 0);
  ASSERT_OK(initiatives);
  EXPECT_EQ(initiatives->size(), 1u);
}

// ---- Initiatives ------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, InitiativesCreateGetListAndUpdate) {
  ASSERT_OK(store().CreateObjective(MakeObjective(kWorkspaceA, "O1")));
  ASSERT_OK(store().CreateKeyResult(MakeKeyResult(kWorkspaceA, 1, "KR1")));
  ASSERT_OK(store().CreateKeyResult(MakeKeyResult(kWorkspaceA, 1, "KR2")));

  Initiative first{kWorkspaceA, 0, 1, "Conduct 50 phone interviews", false, "U1", At(11)};
  Result<Initiative> i1 = store().CreateInitiative(first);
  ASSERT_OK(i1);
  EXPECT_EQ(i1->number, 1);
  first.number = 1;
  ExpectSameInitiative(*i1, first);
  Result<Initiative> i2 =
      store().CreateInitiative(Initiative{kWorkspaceA, 0, 2, "Other", false, "U2", At(12)});
  ASSERT_OK(i2);
  EXPECT_EQ(i2->number, 2);
  Result<Initiative> i3 =
      store().CreateInitiative(Initiative{kWorkspaceA, 0, 1, "Third", true, "U2", At(13)});
  ASSERT_OK(i3);
  EXPECT_EQ(i3->number, 3);

  Initiative taken{kWorkspaceA, 2, 1, "clash", false, "U1", At(14)};
  EXPECT_CODE(store().CreateInitiative(taken), kAlreadyExists);
  EXPECT_CODE(store().CreateInitiative(Initiative{kWorkspaceA, 0, 9, "no KR9", false, "U1", At(1)}),
              kNotFound);

  Result<std::vector<Initiative>> for_kr1 = store().ListInitiatives(kWorkspaceA, 1);
  ASSERT_OK(for_kr1);
  EXPECT_EQ(Numbers(*for_kr1), (std::vector<int64_t>{1, 3}));
  Result<std::vector<Initiative>> all = store().ListInitiatives(kWorkspaceA, 0);
  ASSERT_OK(all);
  EXPECT_EQ(Numbers(*all), (std::vector<int64_t>{1, 2, 3}));

  Initiative done = first;
  done.done = true;
  done.kr = 2;
  done.text = "Conducted";
  EditRecord edit{kWorkspaceA, "I1", "done", "false", "true", "U1", At(20)};
  ASSERT_OK(store().UpdateInitiative(done, {edit}));
  Result<Initiative> got = store().GetInitiative(kWorkspaceA, 1);
  ASSERT_OK(got);
  ExpectSameInitiative(*got, done);
  Result<std::vector<EditRecord>> history = store().ListEdits(kWorkspaceA, "I1");
  ASSERT_OK(history);
  ASSERT_EQ(history->size(), 1u);
  ExpectSameEdit((*history)[0], edit);

  Initiative bad_kr = done;
  bad_kr.kr = 99;
  EXPECT_CODE(store().UpdateInitiative(bad_kr, {}), kNotFound);
  EXPECT_CODE(store().GetInitiative(kWorkspaceA, 99), kNotFound);
}

TEST_P(StoreConformanceTest, InitiativeNumbersArePerWorkspace) {
  for (const char* workspace : {kWorkspaceA, kWorkspaceB}) {
    ASSERT_OK(store().CreateObjective(MakeObjective(workspace, "O1")));
    ASSERT_OK(store().CreateKeyResult(MakeKeyResult(workspace, 1, "KR1")));
  }
  Result<Initiative> a1 =
      store().CreateInitiative(Initiative{kWorkspaceA, 0, 1, "a", false, "U1", At(1)});
  Result<Initiative> b1 =
      store().CreateInitiative(Initiative{kWorkspaceB, 0, 1, "b", false, "U1", At(1)});
  ASSERT_OK(a1);
  ASSERT_OK(b1);
  EXPECT_EQ(a1->number, 1);
  EXPECT_EQ(b1->number, 1);
}

// ---- Reminders --------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, RemindersPutReplaceListAndDelete) {
  Reminder checkin{kWorkspaceA, "checkin", "", "", 1, 600, "", true};
  Reminder team_checkin{kWorkspaceA, "checkin", "growth", "", 2, 540, "", true};
  Reminder digest{kWorkspaceA, "digest", "", "#okrs", 5, 960, "Europe/Paris", true};
  Reminder other{kWorkspaceB, "digest", "", "#general", 4, 0, "", false};
  ASSERT_OK(store().PutReminder(checkin));
  ASSERT_OK(store().PutReminder(team_checkin));
  ASSERT_OK(store().PutReminder(digest));
  ASSERT_OK(store().PutReminder(other));

  // Same (workspace, kind, team): replaced, not added.
  Reminder moved = checkin;
  moved.weekday = 3;
  moved.minute_of_day = 1439;
  moved.enabled = false;
  ASSERT_OK(store().PutReminder(moved));

  Result<std::vector<Reminder>> reminders = store().ListReminders(kWorkspaceA);
  ASSERT_OK(reminders);
  ASSERT_EQ(reminders->size(), 3u);
  auto find = [&](const std::string& kind, const std::string& team) -> const Reminder* {
    for (const Reminder& reminder : *reminders) {
      if (reminder.kind == kind && reminder.team == team) return &reminder;
    }
    return nullptr;
  };
  ASSERT_NE(find("checkin", ""), nullptr);
  ExpectSameReminder(*find("checkin", ""), moved);
  ASSERT_NE(find("checkin", "growth"), nullptr);
  ExpectSameReminder(*find("checkin", "growth"), team_checkin);
  ASSERT_NE(find("digest", ""), nullptr);
  ExpectSameReminder(*find("digest", ""), digest);

  ASSERT_OK(store().DeleteReminders(kWorkspaceA));
  reminders = store().ListReminders(kWorkspaceA);
  ASSERT_OK(reminders);
  EXPECT_TRUE(reminders->empty());
  Result<std::vector<Reminder>> kept = store().ListReminders(kWorkspaceB);
  ASSERT_OK(kept);
  ASSERT_EQ(kept->size(), 1u);
  ExpectSameReminder((*kept)[0], other);
  ASSERT_OK(store().DeleteReminders(kWorkspaceA));  // deleting nothing is fine
}

TEST_P(StoreConformanceTest, ReminderOutOfRangeIsInvalidArgument) {
  EXPECT_CODE(store().PutReminder(Reminder{kWorkspaceA, "checkin", "", "", 7, 600, "", true}),
              kInvalidArgument);
  EXPECT_CODE(store().PutReminder(Reminder{kWorkspaceA, "checkin", "", "", 1, 1440, "", true}),
              kInvalidArgument);
  EXPECT_CODE(store().PutReminder(Reminder{kWorkspaceA, "bogus", "", "", 1, 600, "", true}),
              kInvalidArgument);
  Result<std::vector<Reminder>> reminders = store().ListReminders(kWorkspaceA);
  ASSERT_OK(reminders);
  EXPECT_TRUE(reminders->empty());
}

// ---- Jobs -------------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, EnqueueJobDeduplicatesByKey) {
  Job job = MakeJob("A|checkin|U1|2026-W49", 100);
  job.workspace_id = kWorkspaceA;
  Result<bool> created = store().EnqueueJob(job);
  ASSERT_OK(created);
  EXPECT_TRUE(*created);

  Job again = job;
  again.payload = "different";
  again.due_at = At(999);
  Result<bool> duplicate = store().EnqueueJob(again);
  ASSERT_OK(duplicate);
  EXPECT_FALSE(*duplicate);

  Result<std::vector<Job>> jobs = store().ListJobs(JobFilter{});
  ASSERT_OK(jobs);
  ASSERT_EQ(jobs->size(), 1u);
  const Job& stored = (*jobs)[0];
  EXPECT_GT(stored.id, 0);
  EXPECT_EQ(stored.key, job.key);
  EXPECT_EQ(stored.workspace_id, job.workspace_id);
  EXPECT_EQ(stored.kind, job.kind);
  EXPECT_EQ(stored.target, job.target);
  EXPECT_EQ(stored.payload, job.payload);  // the existing job is left untouched
  EXPECT_EQ(stored.state, JobState::kPending);
  EXPECT_EQ(stored.attempts, 0);
  EXPECT_EQ(Count(stored.due_at), 100);
  EXPECT_EQ(Count(stored.next_attempt_at), 100);
  EXPECT_FALSE(stored.lease_until.has_value());
  EXPECT_EQ(stored.last_error, "");
  EXPECT_EQ(Count(stored.created_at), 1'000);

  // Keys are unique across workspaces too: the key itself names the workspace.
  Job empty_key = job;
  empty_key.key = "";
  EXPECT_CODE(store().EnqueueJob(empty_key), kInvalidArgument);
}

TEST_P(StoreConformanceTest, EnqueuedJobWithoutNextAttemptIsFirstTriedWhenDue) {
  Job job = MakeJob("later", 0);
  job.due_at = At(5'000);
  job.next_attempt_at = Seconds{};
  ASSERT_OK(store().EnqueueJob(job));
  Result<std::vector<Job>> early = store().ClaimDueJobs(At(4'999), 10, std::chrono::seconds(30));
  ASSERT_OK(early);
  EXPECT_TRUE(early->empty());
  Result<std::vector<Job>> due = store().ClaimDueJobs(At(5'000), 10, std::chrono::seconds(30));
  ASSERT_OK(due);
  EXPECT_EQ(Keys(*due), (std::vector<std::string>{"later"}));
}

TEST_P(StoreConformanceTest, ClaimRespectsNextAttemptAt) {
  ASSERT_OK(store().EnqueueJob(MakeJob("due-at-100", 100)));
  Result<std::vector<Job>> none = store().ClaimDueJobs(At(99), 10, std::chrono::seconds(30));
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());

  Result<std::vector<Job>> claimed = store().ClaimDueJobs(At(100), 10, std::chrono::seconds(30));
  ASSERT_OK(claimed);
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ((*claimed)[0].key, "due-at-100");
  EXPECT_EQ((*claimed)[0].attempts, 1);
  EXPECT_EQ(Count((*claimed)[0].lease_until), 130);
  EXPECT_EQ((*claimed)[0].state, JobState::kPending);

  Result<std::vector<Job>> listed = store().ListJobs(JobFilter{});
  ASSERT_OK(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].attempts, 1);
  EXPECT_EQ(Count((*listed)[0].lease_until), 130);
}

TEST_P(StoreConformanceTest, ClaimedJobIsNotClaimedAgainUntilTheLeaseExpires) {
  ASSERT_OK(store().EnqueueJob(MakeJob("job", 100)));
  Result<std::vector<Job>> first = store().ClaimDueJobs(At(100), 10, std::chrono::seconds(30));
  ASSERT_OK(first);
  ASSERT_EQ(first->size(), 1u);

  Result<std::vector<Job>> during = store().ClaimDueJobs(At(129), 10, std::chrono::seconds(30));
  ASSERT_OK(during);
  EXPECT_TRUE(during->empty());

  // The claimer died without marking the job: it is claimed again once the lease is over.
  Result<std::vector<Job>> after = store().ClaimDueJobs(At(130), 10, std::chrono::seconds(60));
  ASSERT_OK(after);
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].id, (*first)[0].id);
  EXPECT_EQ((*after)[0].attempts, 2);
  EXPECT_EQ(Count((*after)[0].lease_until), 190);
}

TEST_P(StoreConformanceTest, SentJobIsNeverClaimedAgain) {
  ASSERT_OK(store().EnqueueJob(MakeJob("job", 100)));
  Result<std::vector<Job>> claimed = store().ClaimDueJobs(At(100), 10, std::chrono::seconds(30));
  ASSERT_OK(claimed);
  ASSERT_EQ(claimed->size(), 1u);
  ASSERT_OK(store().MarkJobSent((*claimed)[0].id, At(100)));

  for (int64_t now : {100, 131, 1'000'000}) {
    Result<std::vector<Job>> again = store().ClaimDueJobs(At(now), 10, std::chrono::seconds(30));
    ASSERT_OK(again);
    EXPECT_TRUE(again->empty()) << "at " << now;
  }
  Result<std::vector<Job>> sent = store().ListJobs(JobsWhere(JobState::kSent));
  ASSERT_OK(sent);
  ASSERT_EQ(sent->size(), 1u);
  EXPECT_FALSE((*sent)[0].lease_until.has_value());
  EXPECT_EQ((*sent)[0].attempts, 1);
}

TEST_P(StoreConformanceTest, FailedJobIsRetriedAtRetryAt) {
  ASSERT_OK(store().EnqueueJob(MakeJob("job", 100)));
  Result<std::vector<Job>> claimed = store().ClaimDueJobs(At(100), 10, std::chrono::seconds(30));
  ASSERT_OK(claimed);
  ASSERT_EQ(claimed->size(), 1u);
  ASSERT_OK(store().MarkJobFailed((*claimed)[0].id, "HTTP 429, Retry-After: 100", At(200), false));

  Result<std::vector<Job>> listed = store().ListJobs(JobFilter{});
  ASSERT_OK(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].state, JobState::kPending);
  EXPECT_EQ((*listed)[0].last_error, "HTTP 429, Retry-After: 100");
  EXPECT_EQ(Count((*listed)[0].next_attempt_at), 200);
  EXPECT_FALSE((*listed)[0].lease_until.has_value());
  EXPECT_EQ((*listed)[0].attempts, 1);

  Result<std::vector<Job>> early = store().ClaimDueJobs(At(199), 10, std::chrono::seconds(30));
  ASSERT_OK(early);
  EXPECT_TRUE(early->empty());
  Result<std::vector<Job>> retried = store().ClaimDueJobs(At(200), 10, std::chrono::seconds(30));
  ASSERT_OK(retried);
  ASSERT_EQ(retried->size(), 1u);
  EXPECT_EQ((*retried)[0].attempts, 2);
  EXPECT_EQ((*retried)[0].last_error, "HTTP 429, Retry-After: 100");
}

TEST_P(StoreConformanceTest, DeadJobIsNotClaimed) {
  ASSERT_OK(store().EnqueueJob(MakeJob("job", 100)));
  Result<std::vector<Job>> claimed = store().ClaimDueJobs(At(100), 10, std::chrono::seconds(30));
  ASSERT_OK(claimed);
  ASSERT_EQ(claimed->size(), 1u);
  ASSERT_OK(store().MarkJobFailed((*claimed)[0].id, "channel_not_found", At(150), true));

  Result<std::vector<Job>> later =
      store().ClaimDueJobs(At(1'000'000), 10, std::chrono::seconds(30));
  ASSERT_OK(later);
  EXPECT_TRUE(later->empty());
  Result<std::vector<Job>> dead = store().ListJobs(JobsWhere(JobState::kDead));
  ASSERT_OK(dead);
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].last_error, "channel_not_found");
  EXPECT_FALSE((*dead)[0].lease_until.has_value());
}

TEST_P(StoreConformanceTest, ClaimOrdersByNextAttemptThenIdAndHonoursLimit) {
  ASSERT_OK(store().EnqueueJob(MakeJob("c-300", 300)));
  ASSERT_OK(store().EnqueueJob(MakeJob("a-100", 100)));
  ASSERT_OK(store().EnqueueJob(MakeJob("b-200-first", 200)));
  ASSERT_OK(store().EnqueueJob(MakeJob("b-200-second", 200)));
  ASSERT_OK(store().EnqueueJob(MakeJob("future", 10'000)));

  Result<std::vector<Job>> first = store().ClaimDueJobs(At(500), 2, std::chrono::seconds(30));
  ASSERT_OK(first);
  EXPECT_EQ(Keys(*first), (std::vector<std::string>{"a-100", "b-200-first"}));
  Result<std::vector<Job>> second = store().ClaimDueJobs(At(500), 10, std::chrono::seconds(30));
  ASSERT_OK(second);
  EXPECT_EQ(Keys(*second), (std::vector<std::string>{"b-200-second", "c-300"}));
  Result<std::vector<Job>> zero = store().ClaimDueJobs(At(100'000), 0, std::chrono::seconds(30));
  ASSERT_OK(zero);
  EXPECT_TRUE(zero->empty());
}

TEST_P(StoreConformanceTest, ListJobsFiltersByStateWorkspaceAndLimit) {
  Job pending_a = MakeJob("pending-a", 100);
  Job sent_a = MakeJob("sent-a", 100);
  Job dead_b = MakeJob("dead-b", 100);
  dead_b.workspace_id = kWorkspaceB;
  Job pending_b = MakeJob("pending-b", 100);
  pending_b.workspace_id = kWorkspaceB;
  for (const Job& job : {pending_a, sent_a, dead_b, pending_b}) ASSERT_OK(store().EnqueueJob(job));

  Result<std::vector<Job>> all = store().ListJobs(JobFilter{});
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 4u);
  for (const Job& job : *all) {
    if (job.key == "sent-a") {
      ASSERT_OK(store().MarkJobSent(job.id, At(1)));
    }
    if (job.key == "dead-b") {
      ASSERT_OK(store().MarkJobFailed(job.id, "gone", At(100), true));
    }
  }

  auto keys = [&](JobFilter filter) {
    Result<std::vector<Job>> jobs = store().ListJobs(filter);
    EXPECT_OK(jobs);
    std::vector<std::string> result = jobs.ok() ? Keys(*jobs) : std::vector<std::string>{};
    std::sort(result.begin(), result.end());
    return result;
  };
  using Want = std::vector<std::string>;
  EXPECT_EQ(keys(JobsWhere(JobState::kPending)), (Want{"pending-a", "pending-b"}));
  EXPECT_EQ(keys(JobsWhere(JobState::kSent)), (Want{"sent-a"}));
  EXPECT_EQ(keys(JobsWhere(JobState::kDead)), (Want{"dead-b"}));
  EXPECT_EQ(keys(JobsWhere(std::nullopt, kWorkspaceA)), (Want{"pending-a", "sent-a"}));
  EXPECT_EQ(keys(JobsWhere(JobState::kPending, kWorkspaceB)), (Want{"pending-b"}));
  EXPECT_EQ(keys(JobsWhere(std::nullopt, "", 3)).size(), 3u);
  EXPECT_EQ(keys(JobsWhere(std::nullopt, "", 0)).size(), 4u);
}

TEST_P(StoreConformanceTest, PausedWorkspacesAreLeftUnclaimedAndKeepTheirPlace) {
  Job a = MakeJob("a-first", 100);
  Job b = MakeJob("b-first", 100);
  b.workspace_id = kWorkspaceB;
  for (const Job& job : {a, b}) ASSERT_OK(store().EnqueueJob(job));
  Result<std::vector<Job>> claimed =
      store().ClaimDueJobs(At(200), 10, std::chrono::seconds(30), {kWorkspaceA});
  ASSERT_OK(claimed);
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ(claimed->front().key, "b-first");
  Result<std::vector<Job>> later = store().ClaimDueJobs(At(200), 10, std::chrono::seconds(30));
  ASSERT_OK(later);
  ASSERT_EQ(later->size(), 1u);
  EXPECT_EQ(later->front().key, "a-first");
  EXPECT_EQ(later->front().attempts, 1) << "being skipped is not an attempt";
}

TEST_P(StoreConformanceTest, LastSentPromptRequeueAndRetention) {
  Job prompt = MakeJob("prompt", 100);
  prompt.kind = "checkin";
  prompt.target = "U1";
  Job digest = MakeJob("digest", 100);
  digest.kind = "digest";
  digest.target = "U1";
  for (const Job& job : {prompt, digest}) ASSERT_OK(store().EnqueueJob(job));
  Result<std::optional<Seconds>> none = store().LastJobSentAt(kWorkspaceA, "U1", {"checkin"});
  ASSERT_OK(none);
  EXPECT_FALSE(none->has_value());
  Result<std::vector<Job>> claimed = store().ClaimDueJobs(At(100), 10, std::chrono::seconds(30));
  ASSERT_OK(claimed);
  ASSERT_EQ(claimed->size(), 2u);
  for (const Job& job : *claimed) {
    if (job.key == "prompt") {
      ASSERT_OK(store().MarkJobSent(job.id, At(150)));
    } else {
      ASSERT_OK(store().MarkJobFailed(job.id, "gone", At(160), true));
    }
  }
  Result<std::optional<Seconds>> last =
      store().LastJobSentAt(kWorkspaceA, "U1", {"checkin", "followup"});
  ASSERT_OK(last);
  ASSERT_TRUE(last->has_value());
  EXPECT_EQ(**last, At(150));
  EXPECT_FALSE(store().LastJobSentAt(kWorkspaceA, "U1", {"digest"})->has_value())
      << "a dead post was never sent";

  // An operator's retry: pending, due at once, with a fresh life.
  Job dead = store().ListJobs(JobFilter{}).value().back();
  ASSERT_EQ(dead.key, "digest");
  ASSERT_OK(store().RequeueJob(dead.id, At(5000)));
  Job requeued = store().ListJobs(JobFilter{}).value().back();
  EXPECT_EQ(requeued.state, JobState::kPending);
  EXPECT_EQ(requeued.ready_at, At(5000));
  EXPECT_EQ(requeued.attempts, 0);
  EXPECT_CODE(
      store().RequeueJob(
          claimed->front().key == "prompt" ? claimed->front().id : claimed->back().id, At(5000)),
      kFailedPrecondition);
  EXPECT_CODE(store().RequeueJob(987654, At(5000)), kNotFound);

  // Retention: finished jobs before the cut-off go, pending ones stay; old seen events go.
  ASSERT_OK(store().MarkEventSeen(kWorkspaceA, "Ev-old", At(10)));
  ASSERT_OK(store().MarkEventSeen(kWorkspaceA, "Ev-new", At(9000)));
  Result<PruneCounts> pruned = store().Prune(At(1000), At(1000));
  ASSERT_OK(pruned);
  EXPECT_EQ(pruned->seen_events, 1);
  EXPECT_EQ(pruned->jobs, 1) << "the sent prompt; the requeued digest is pending";
  Result<bool> again = store().MarkEventSeen(kWorkspaceA, "Ev-new", At(9001));
  ASSERT_OK(again);
  EXPECT_FALSE(*again) << "recent events are still remembered";
  Result<StoreStats> stats = store().Stats();
  ASSERT_OK(stats);
  int64_t jobs = -1;
  for (const auto& [table, rows] : stats->rows) {
    if (table == "jobs") jobs = rows;
  }
  EXPECT_EQ(jobs, 1);
  EXPECT_GT(stats->bytes, 0);
}

TEST_P(StoreConformanceTest, MarkingAnUnknownJobIsNotFound) {
  EXPECT_CODE(store().MarkJobSent(12345, At(1)), kNotFound);
  EXPECT_CODE(store().MarkJobFailed(12345, "x", At(1), false), kNotFound);
}

// ---- Verbatim text ----------------------------------------------------------------------------

TEST_P(StoreConformanceTest, TextIsStoredVerbatim) {
  const std::vector<std::string> tricky = TrickyStrings();

  Workspace workspace = MakeWorkspace(kWorkspaceA);
  workspace.name = tricky[0];
  workspace.admins = tricky;
  workspace.default_tz = tricky[3];
  ASSERT_OK(store().UpsertWorkspace(workspace));
  Result<Workspace> got_workspace = store().GetWorkspace(kWorkspaceA);
  ASSERT_OK(got_workspace);
  ExpectSameWorkspace(*got_workspace, workspace);

  for (size_t i = 0; i < tricky.size(); ++i) {
    const std::string& text = tricky[i];
    SCOPED_TRACE("tricky string #" + std::to_string(i));

    User user{kWorkspaceA, "user-" + std::to_string(i) + text, text, text, text, std::nullopt};
    ASSERT_OK(store().UpsertUser(user));
    Result<User> got_user = store().GetUser(kWorkspaceA, user.id);
    ASSERT_OK(got_user);
    ExpectSameUser(*got_user, user);

    Objective objective = MakeObjective(kWorkspaceA, text);
    objective.owner = text;
    objective.team = text;
    objective.cycle = text;
    objective.created_by = text;
    Result<Objective> created = store().CreateObjective(objective);
    ASSERT_OK(created);
    Result<Objective> got_objective = store().GetObjective(kWorkspaceA, created->number);
    ASSERT_OK(got_objective);
    ExpectSameObjective(*got_objective, *created);
    // Filters match the exact text too.
    Result<std::vector<Objective>> by_team =
        store().ListObjectives(kWorkspaceA, ObjectivesWhere(text, "", text, false));
    ASSERT_OK(by_team);
    if (!text.empty()) {
      EXPECT_EQ(Numbers(*by_team), (std::vector<int64_t>{created->number}));
    }

    KeyResult kr = MakeKeyResult(kWorkspaceA, created->number, text);
    kr.owner = text;
    kr.unit = text;
    Result<KeyResult> created_kr = store().CreateKeyResult(kr);
    ASSERT_OK(created_kr);
    Result<KeyResult> got_kr = store().GetKeyResult(kWorkspaceA, created_kr->number);
    ASSERT_OK(got_kr);
    ExpectSameKeyResult(*got_kr, *created_kr);

    CheckIn checkin = MakeCheckIn(kWorkspaceA, created_kr->number, 1, 100);
    checkin.note = text;
    checkin.author = text;
    Result<CheckIn> stored = store().RecordCheckIn(checkin);
    ASSERT_OK(stored);
    Result<std::vector<CheckIn>> checkins =
        store().ListCheckIns(kWorkspaceA, created_kr->number, 0);
    ASSERT_OK(checkins);
    ASSERT_EQ(checkins->size(), 1u);
    ExpectSameCheckIn((*checkins)[0], *stored);

    Result<Initiative> initiative = store().CreateInitiative(
        Initiative{kWorkspaceA, 0, created_kr->number, text, false, text, At(1)});
    ASSERT_OK(initiative);
    Result<Initiative> got_initiative = store().GetInitiative(kWorkspaceA, initiative->number);
    ASSERT_OK(got_initiative);
    ExpectSameInitiative(*got_initiative, *initiative);

    std::string entity = "E" + std::to_string(i);
    EditRecord edit{kWorkspaceA, entity, text, text, text, text, At(1)};
    ASSERT_OK(store().AppendEdit(edit));
    Result<std::vector<EditRecord>> edits = store().ListEdits(kWorkspaceA, entity);
    ASSERT_OK(edits);
    ASSERT_EQ(edits->size(), 1u);
    ExpectSameEdit((*edits)[0], edit);

    Reminder reminder{kWorkspaceA, "digest", text, text, 1, 600, text, true};
    ASSERT_OK(store().PutReminder(reminder));

    Job job = MakeJob("key-" + std::to_string(i) + text, 100);
    job.kind = text;
    job.target = text;
    job.payload = text;
    ASSERT_OK(store().EnqueueJob(job));
  }

  Result<std::vector<Reminder>> reminders = store().ListReminders(kWorkspaceA);
  ASSERT_OK(reminders);
  EXPECT_EQ(reminders->size(), tricky.size());
  for (const Reminder& reminder : *reminders) EXPECT_EQ(reminder.channel, reminder.team);

  Result<std::vector<Job>> jobs = store().ListJobs(JobsWhere(std::nullopt, "", 0));
  ASSERT_OK(jobs);
  ASSERT_EQ(jobs->size(), tricky.size());
  for (size_t i = 0; i < tricky.size(); ++i) {
    const std::string key = "key-" + std::to_string(i) + tricky[i];
    auto job = std::find_if(jobs->begin(), jobs->end(),
                            [&](const Job& candidate) { return candidate.key == key; });
    ASSERT_NE(job, jobs->end()) << "no job for tricky string #" << i;
    EXPECT_EQ(job->payload, tricky[i]);
    EXPECT_EQ(job->target, tricky[i]);
    EXPECT_EQ(job->kind, tricky[i]);
  }
  ASSERT_FALSE(jobs->empty());
  ASSERT_OK(store().MarkJobFailed(jobs->front().id, tricky.back(), At(1), true));
  Result<std::vector<Job>> dead = store().ListJobs(JobsWhere(JobState::kDead));
  ASSERT_OK(dead);
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].last_error, tricky.back());

  // Nothing above was executed as SQL.
  Result<std::vector<Objective>> objectives = store().ListObjectives(kWorkspaceA, AllObjectives());
  ASSERT_OK(objectives);
  EXPECT_EQ(objectives->size(), tricky.size());
}


// ---- Web dashboard sign-in and chart images ---------------------------------------------------

std::string Hash(char c) { return std::string(64, c); }

TEST_P(StoreConformanceTest, ASignInLinkOpensOnceAndOnlyBeforeItExpires) {
  WebLink link{Hash('a'), kWorkspaceA, "U1", At(100), At(700), std::nullopt};
  ASSERT_OK(store().CreateWebLink(link));
  EXPECT_CODE(store().CreateWebLink(link), kAlreadyExists);
  EXPECT_CODE(store().CreateWebLink(WebLink{"short", kWorkspaceA, "U1", At(1), At(2), {}}),
              kInvalidArgument);

  Result<WebLink> used = store().ConsumeWebLink(Hash('a'), At(200));
  ASSERT_OK(used);
  EXPECT_EQ(used->workspace_id, kWorkspaceA);
  EXPECT_EQ(used->user_id, "U1");
  EXPECT_EQ(used->used_at, At(200));
  EXPECT_CODE(store().ConsumeWebLink(Hash('a'), At(201)), kNotFound) << "a link opens once";

  ASSERT_OK(store().CreateWebLink(WebLink{Hash('b'), kWorkspaceA, "U1", At(100), At(700), {}}));
  EXPECT_CODE(store().ConsumeWebLink(Hash('b'), At(700)), kNotFound) << "expired";
  EXPECT_CODE(store().ConsumeWebLink(Hash('c'), At(200)), kNotFound) << "unknown";
}

TEST_P(StoreConformanceTest, WebSessionsEndWhenExpiredOrRevoked) {
  WebSession session;
  session.token_hash = Hash('s');
  session.workspace_id = kWorkspaceA;
  session.user_id = "U1";
  session.csrf_token = "csrf-1";
  session.created_at = At(100);
  session.expires_at = At(1000);
  Result<WebSession> created = store().CreateWebSession(session);
  ASSERT_OK(created);
  EXPECT_GT(created->id, 0);
  WebSession other = session;
  other.token_hash = Hash('t');
  other.workspace_id = kWorkspaceB;
  Result<WebSession> created_b = store().CreateWebSession(other);
  ASSERT_OK(created_b);
  EXPECT_NE(created_b->id, created->id);

  Result<WebSession> found = store().GetWebSession(Hash('s'), At(500));
  ASSERT_OK(found);
  EXPECT_EQ(found->user_id, "U1");
  EXPECT_EQ(found->csrf_token, "csrf-1");
  EXPECT_CODE(store().GetWebSession(Hash('s'), At(1000)), kNotFound) << "expired";

  Result<std::vector<WebSession>> mine = store().ListWebSessions(kWorkspaceA, At(500));
  ASSERT_OK(mine);
  ASSERT_EQ(mine->size(), 1u) << "only this workspace's sessions";
  Result<std::vector<WebSession>> all = store().ListWebSessions("", At(500));
  ASSERT_OK(all);
  EXPECT_EQ(all->size(), 2u);

  ASSERT_OK(store().RevokeWebSession(created->id));
  ASSERT_OK(store().RevokeWebSession(created->id)) << "revoking twice is fine";
  EXPECT_CODE(store().GetWebSession(Hash('s'), At(500)), kNotFound) << "revoked";
  EXPECT_CODE(store().RevokeWebSession(987654), kNotFound);
  EXPECT_EQ(store().ListWebSessions("", At(500))->size(), 1u);

  // Retention: revoked sessions and links that expired before the cut-off go.
  ASSERT_OK(store().CreateWebLink(WebLink{Hash('l'), kWorkspaceA, "U1", At(1), At(50), {}}));
  Result<PruneCounts> pruned = store().Prune(At(60), At(0));
  ASSERT_OK(pruned);
  EXPECT_EQ(pruned->web, 2) << "the expired link and the revoked session";
  EXPECT_OK(store().GetWebSession(Hash('t'), At(500))) << "live sessions stay";
}

TEST_P(StoreConformanceTest, ChartsAreKeptOncePerContent) {
  ChartRecord chart{Hash('1'), kWorkspaceA, "<svg>one</svg>", 600, 300, At(100)};
  ASSERT_OK(store().PutChart(chart));
  ChartRecord again = chart;
  again.created_at = At(200);
  ASSERT_OK(store().PutChart(again)) << "the same content twice is no error";
  Result<ChartRecord> got = store().GetChart(Hash('1'));
  ASSERT_OK(got);
  EXPECT_EQ(got->svg, "<svg>one</svg>");
  EXPECT_EQ(got->width, 600);
  EXPECT_EQ(got->height, 300);
  EXPECT_EQ(got->created_at, At(100)) << "the first row stays";
  EXPECT_CODE(store().GetChart(Hash('2')), kNotFound);

  Result<PruneCounts> pruned = store().Prune(At(0), At(150));
  ASSERT_OK(pruned);
  EXPECT_EQ(pruned->charts, 1);
  EXPECT_CODE(store().GetChart(Hash('1')), kNotFound);
}

}  // namespace
}  // namespace okrbot
