#include "bot/plan_import.h"

#include <gtest/gtest.h>

#include "storage/open_store.h"

namespace okrbot {
namespace {

class FakeDirectory : public UserDirectory {
 public:
  Result<DirectoryUser> FindByEmail(const std::string& email) override {
    ++calls;
    if (email == "dana@example.com") return DirectoryUser{"U0DANA", "Dana"};
    if (email == "down@example.com") return Status::Unavailable("the platform does not answer");
    return Status::NotFound("no user");
  }
  int calls = 0;
};

class PlanImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = OpenStore("sqlite://:memory:");
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    ASSERT_TRUE(store_->Migrate().ok());
    Bot bot(store_.get(), &clock_);
    ASSERT_TRUE(bot.EnsureWorkspace("slack:T1", "slack", "Acme").ok());
    for (const auto& [id, name] : {std::pair{"U0ALICE", "Alice"}, std::pair{"U0BOB", "bob"}}) {
      User user;
      user.workspace_id = "slack:T1";
      user.id = id;
      user.display_name = name;
      ASSERT_TRUE(store_->UpsertUser(user).ok());
    }
    options_.workspace_id = "slack:T1";
  }

  Result<PlanImportReport> Import(const std::string& csv) {
    return ImportPlan(store_.get(), &clock_, &directory_, csv, options_);
  }
  size_t Objectives() {
    ObjectiveFilter all;
    all.include_archived = true;
    return store_->ListObjectives("slack:T1", all).value().size();
  }
  size_t KeyResults() {
    return store_->ListKeyResults("slack:T1", KeyResultFilter{}).value().size();
  }

  FakeClock clock_{Seconds(std::chrono::seconds(1793610000))};  // 2026-11-02
  std::unique_ptr<Store> store_;
  FakeDirectory directory_;
  PlanImportOptions options_;
};

TEST_F(PlanImportTest, ImportsRowsPerKeyResultWithObjectiveColumnsRepeated) {
  std::string csv =
      "\xEF\xBB\xBFObjective,Key Result,Owner,Team,Quarter,Baseline,Target,Current,Unit\r\n"
      "Grow revenue,Increase ARR,Alice,Sales,Q1 2027,1000000,2000000,1200000,$\r\n"
      "Grow revenue,\"Sign 10 partners, \"\"big\"\" ones\",@bob,Sales,2027-Q1,0,10,,\r\n"
      "\"Happy\ncustomers\",CSAT,dana@example.com,,2027-Q1,82%,90%,85%,\r\n";
  auto report = Import(csv);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok()) << report->Text();
  EXPECT_TRUE(report->written);
  EXPECT_EQ(report->objectives_created, 2);
  EXPECT_EQ(report->key_results_created, 3);
  EXPECT_EQ(report->checkins_created, 2);
  EXPECT_EQ(report->users_added, 1);

  auto objectives = store_->ListObjectives("slack:T1", ObjectiveFilter{}).value();
  ASSERT_EQ(objectives.size(), 2u);
  EXPECT_EQ(objectives[0].title, "Grow revenue");
  EXPECT_EQ(objectives[0].cycle, "2027-Q1");
  EXPECT_EQ(objectives[0].team, "sales");
  EXPECT_EQ(objectives[0].owner, "U0ALICE");
  EXPECT_EQ(objectives[1].title, "Happy customers") << "a wrapped cell reads as one line";
  auto krs = store_->ListKeyResults("slack:T1", KeyResultFilter{}).value();
  ASSERT_EQ(krs.size(), 3u);
  EXPECT_EQ(krs[0].baseline, 1000000);
  EXPECT_EQ(krs[0].target, 2000000);
  EXPECT_EQ(krs[0].unit, "$");
  EXPECT_EQ(krs[0].current, 1200000) << "Current became a first check-in";
  EXPECT_EQ(krs[1].text, "Sign 10 partners, \"big\" ones");
  EXPECT_EQ(krs[1].owner, "U0BOB");
  EXPECT_FALSE(krs[1].current.has_value());
  EXPECT_EQ(krs[2].owner, "U0DANA");
  EXPECT_EQ(krs[2].unit, "%");
  EXPECT_EQ(store_->GetUser("slack:T1", "U0DANA").value().display_name, "Dana");
  EXPECT_EQ(store_->ListCheckIns("slack:T1", krs[0].number, 0).value().size(), 1u);
}

TEST_F(PlanImportTest, ReimportCreatesNothingTwiceAndAddsOnlyWhatIsNew) {
  std::string csv =
      "Objective,KR,Owner,Cycle,Start,Target,Current\n"
      "Grow revenue,Increase ARR,Alice,2027-Q1,1,2,1.5\n";
  ASSERT_TRUE(Import(csv).value().written);
  auto again = Import(csv).value();
  EXPECT_TRUE(again.written);
  EXPECT_EQ(again.objectives_created, 0);
  EXPECT_EQ(again.key_results_created, 0);
  EXPECT_EQ(again.checkins_created, 0);
  EXPECT_EQ(again.key_results_existing, 1);
  EXPECT_EQ(Objectives(), 1u);
  EXPECT_EQ(store_->ListCheckIns("slack:T1", 1, 0).value().size(), 1u) << "no second check-in";

  auto more = Import(csv + "GROW REVENUE,Win 5 deals,Alice,2027-Q1,0,5,\n").value();
  EXPECT_EQ(more.objectives_created, 0) << "same objective, matched case-insensitively";
  EXPECT_EQ(more.key_results_created, 1);
  EXPECT_EQ(KeyResults(), 2u);
}

TEST_F(PlanImportTest, AnyBadRowStoresNothingAndEachIsReportedWithItsRow) {
  std::string csv =
      "Objective;Key Result;Owner;Cycle;Start;Target;Due\n"  // ';' detected
      "Grow;Good one;Alice;2027-Q1;0;10;\n"
      "Grow;Bad number;Alice;2027-Q1;0;lots;\n"
      "\n"
      "Grow;No target;Alice;2027-Q1;;;\n"
      "Grow;Unknown owner;zed;2027-Q1;0;1;\n"
      "Grow;Unknown email;nobody@example.com;2027-Q1;0;1;\n"
      "Grow;Bad cycle;Alice;someday;0;1;\n"
      "Grow;Bad due;Alice;;0;1;31/03/2027\n"
      "Grow;Good one;Alice;2027-Q1;0;10;\n"
      ";Missing objective;Alice;2027-Q1;0;1;\n";
  auto report = Import(csv);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_FALSE(report->written);
  std::vector<std::pair<int, std::string>> expected = {{3, "target `lots` is not a number"},
                                                       {5, "missing target"},
                                                       {6, "unknown owner `zed`"},
                                                       {7, "unknown owner nobody@example.com"},
                                                       {8, "unknown cycle `someday`"},
                                                       {9, "due date `31/03/2027` is not a date"},
                                                       {10, "repeats the key result of row 2"},
                                                       {11, "The objective is empty"}};
  ASSERT_EQ(report->errors.size(), expected.size()) << report->Text();
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(report->errors[i].row, expected[i].first) << report->Text();
    EXPECT_NE(report->errors[i].message.find(expected[i].second), std::string::npos)
        << report->errors[i].message;
  }
  EXPECT_NE(report->Text().find("row 6: unknown owner"), std::string::npos);
  EXPECT_EQ(Objectives(), 0u);
  EXPECT_EQ(store_->ListUsers("slack:T1").value().size(), 2u);
}

TEST_F(PlanImportTest, DryRunListsThePlanAndStoresNothing) {
  options_.dry_run = true;
  auto report =
      Import("Objective,Key Result,Owner,Target,Notes\nGrow,Win 5 deals,dana@example.com,5,x\n")
          .value();
  EXPECT_TRUE(report.ok());
  EXPECT_FALSE(report.written);
  EXPECT_EQ(report.objectives_created, 1);
  EXPECT_EQ(report.key_results_created, 1);
  std::string text = report.Text();
  EXPECT_NE(text.find("Dry run"), std::string::npos) << text;
  EXPECT_NE(text.find("row 2: new \"Win 5 deals\""), std::string::npos) << text;
  EXPECT_NE(text.find("Ignored columns: \"Notes\""), std::string::npos) << text;
  EXPECT_EQ(Objectives(), 0u);
  EXPECT_FALSE(store_->GetUser("slack:T1", "U0DANA").ok());
  EXPECT_EQ(report.objectives[0].cycle, "2026-Q4") << "no cycle: the current one, as in chat";
}

TEST_F(PlanImportTest, MapNamesOtherColumnsAndRequiredOnesAreExplained) {
  auto missing = Import("Goal,Measure,Target\nGrow,Win deals,5\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no Objective column"), std::string::npos);
  options_.map = {
      {"goal", "objective"}, {"Measure", "kr"}, {"Goal value", "target"}, {"Target", "ignore"}};
  auto report = Import("Goal,Measure,Target,Goal value\nGrow,Win deals,999,5\n").value();
  ASSERT_TRUE(report.written) << report.Text();
  EXPECT_EQ(store_->GetKeyResult("slack:T1", 1).value().target, 5);
  options_.map = {{"Goal", "nonsense"}};
  EXPECT_FALSE(Import("Goal\nx\n").ok());
}

TEST_F(PlanImportTest, EmailsAreAskedOncePerImportAndDueGivesTheCycle) {
  std::string csv = "Objective,Key Result,Owner,Target,Due Date\n";
  for (int i = 0; i < 5; ++i) {
    csv += "Grow,KR number " + std::to_string(i) + ",Dana@Example.com,5,2027-05-01\n";
  }
  auto report = Import(csv).value();
  ASSERT_TRUE(report.written) << report.Text();
  EXPECT_EQ(directory_.calls, 1);
  EXPECT_EQ(store_->GetObjective("slack:T1", 1).value().cycle, "2027-Q2");
  directory_.calls = 0;
  auto down =
      Import("Objective,KR,Owner,Target\nA,B,down@example.com,1\nA,C,down@example.com,1\n").value();
  EXPECT_EQ(directory_.calls, 1);
  ASSERT_EQ(down.errors.size(), 2u);
  EXPECT_NE(down.errors[0].message.find("does not answer"), std::string::npos);
}

TEST_F(PlanImportTest, WithoutADirectoryEmailsAreARowError) {
  auto report = ImportPlan(store_.get(), &clock_, nullptr,
                           "Objective,KR,Owner,Target\nA,B,dana@example.com,1\n", options_)
                    .value();
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_NE(report.errors[0].message.find("cannot be matched"), std::string::npos);
}

TEST_F(PlanImportTest, LimitsOfTheChatCommandsApply) {
  options_.limits.max_krs_per_objective = 2;
  auto report = Import("Objective,KR,Target\nA,one,1\nA,two,1\nA,three,1\nB,\"" +
                       std::string(400, 'x') + "\",1\n")
                    .value();
  ASSERT_EQ(report.errors.size(), 2u) << report.Text();
  EXPECT_EQ(report.errors[0].row, 4);
  EXPECT_NE(report.errors[0].message.find("more than 2 key results"), std::string::npos);
  EXPECT_EQ(report.errors[1].row, 5);
  EXPECT_NE(report.errors[1].message.find("too long"), std::string::npos);
}

TEST_F(PlanImportTest, FileLevelProblemsAreErrors) {
  EXPECT_FALSE(Import("").ok());
  EXPECT_FALSE(Import("Objective,KR\n").ok()) << "no rows";
  EXPECT_FALSE(Import("Objective,KR\n\"A,B\n").ok()) << "unterminated quote";
  EXPECT_FALSE(Import("Objective,KR\n\xff\xfe,x\n").ok()) << "not UTF-8";
  EXPECT_FALSE(Import("Objective,Key Result,KR\nA,B,C\n").ok()) << "two KR columns";
  options_.workspace_id = "slack:NOPE";
  EXPECT_EQ(Import("Objective,KR\nA,B\n").status().code(), StatusCode::kNotFound);
}

TEST_F(PlanImportTest, YesNoKeyResultsTakeDone) {
  auto report = Import("Objective,KR,Target\nShip,Launch the help center,done\n").value();
  ASSERT_TRUE(report.written) << report.Text();
  EXPECT_EQ(store_->GetKeyResult("slack:T1", 1).value().direction, Direction::kBinary);
}

}  // namespace
}  // namespace okrbot
