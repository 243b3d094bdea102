// `okrbot import plan.csv --workspace ID`: the real binary importing spreadsheets, owners given
// by email matched through the Slack stand-in's users.lookupByEmail.
#include <gtest/gtest.h>

#include "bot/secret_box.h"
#include "storage/open_store.h"
#include "tests/mattermost_standin.h"
#include "tests/slack_standin.h"
#include "tests/test_util.h"

namespace okrbot::testing {
namespace {

constexpr char kKey[] = "5d2a9f7c1e8b3d6a0f4c7e9b2a5d8f1c3e6b9a0d2f5c8e1b4a7d0f3c6e9b2a5d";

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = OpenStore(Db());
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Migrate().ok());
    Workspace workspace;
    workspace.id = "slack:T1";
    workspace.platform = "slack";
    workspace.name = "Acme";
    ASSERT_TRUE((*store)->UpsertWorkspace(workspace).ok());
    Installation installation;
    installation.workspace_id = workspace.id;
    installation.platform = "slack";
    installation.team_id = "T1";
    installation.bot_token_sealed = SecretBox::FromHexKey(kKey)->Seal("xoxb-acme");
    ASSERT_TRUE((*store)->UpsertInstallation(installation).ok());
    User alice;
    alice.workspace_id = workspace.id;
    alice.id = "U0ALICE";
    alice.display_name = "alice";
    ASSERT_TRUE((*store)->UpsertUser(alice).ok());
    slack_.SetValidTokens({"xoxb-acme"});
    for (int i = 0; i < 10; ++i) {
      slack_.SetUserEmail("U0P" + std::to_string(i), "person" + std::to_string(i) + "@acme.test");
    }
  }

  std::string Db() const { return "sqlite://" + dir_.File("okrbot.db"); }
  ProcessResult Import(const std::string& csv, std::vector<std::string> extra = {}) {
    WriteFile(dir_.File("plan.csv"), csv);
    std::vector<std::string> args = {OkrbotBinary(), "import", dir_.File("plan.csv"), "--workspace",
                                     "slack:T1"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunProcess(args, "",
                      {"OKRBOT_DB=" + Db(), std::string("OKRBOT_SECRET_KEY=") + kKey,
                       "SLACK_API_BASE=" + slack_.ApiBase()});
  }
  std::pair<size_t, size_t> Counts() {
    auto store = OpenStore(Db());
    ObjectiveFilter objectives;
    objectives.include_archived = true;
    KeyResultFilter krs;
    krs.include_archived = true;
    return {(*store)->ListObjectives("slack:T1", objectives).value().size(),
            (*store)->ListKeyResults("slack:T1", krs).value().size()};
  }

  // 500 rows: 100 objectives of 5 key results; owners by email (Slack) and by name. With
  // `broken`, some rows carry a bad number, an unknown owner or no target.
  static std::string Sheet(bool broken, std::vector<int>* bad_rows = nullptr) {
    std::string csv = "Objective,Key Result,Owner,Team,Quarter,Baseline,Target,Current,Unit\r\n";
    for (int i = 0; i < 500; ++i) {
      int row = i + 2;  // the header is row 1
      int objective = i / 5;
      std::string owner = i % 3 == 0 ? "alice" : "Person" + std::to_string(i % 10) + "@ACME.test";
      std::string target = std::to_string(100 + i);
      std::string text = "KR " + std::to_string(i) + " of the plan";
      if (broken && i % 41 == 7) {
        target = "n/a";
        bad_rows->push_back(row);
      } else if (broken && i % 53 == 11) {
        owner = "nobody" + std::to_string(i) + "@acme.test";
        bad_rows->push_back(row);
      } else if (broken && i % 97 == 50) {
        target = "";
        text = "Launch the new plan";  // no number in the words either
        bad_rows->push_back(row);
      }
      csv += "\"Objective " + std::to_string(objective) + ", the plan\"," + text + "," + owner +
             ",team" + std::to_string(objective % 4) + ",Q" + std::to_string(objective % 4 + 1) +
             " 2027,0," + target + "," + (i % 2 ? std::to_string(i) : "") + ",tickets\r\n";
    }
    return csv;
  }

  TempDir dir_;
  SlackStandIn slack_;
};

TEST_F(ImportTest, DryRunOfABrokenSheetListsEachBadRowAndStoresNothing) {
  std::vector<int> bad_rows;
  std::string csv = Sheet(true, &bad_rows);
  ASSERT_GE(bad_rows.size(), 15u);
  auto dry = Import(csv, {"--dry-run"});
  EXPECT_NE(dry.exit_code, 0);
  for (int row : bad_rows) {
    EXPECT_NE(dry.err.find("  row " + std::to_string(row) + ": "), std::string::npos)
        << "row " << row << "\n"
        << dry.err;
  }
  EXPECT_NE(dry.err.find("target `n/a` is not a number"), std::string::npos) << dry.err;
  EXPECT_NE(dry.err.find("no slack user has this email"), std::string::npos) << dry.err;
  EXPECT_NE(dry.err.find("missing target"), std::string::npos) << dry.err;
  // Good rows are not reported as bad.
  EXPECT_EQ(dry.err.find("  row 3: the"), std::string::npos);
  EXPECT_EQ(Counts(), std::make_pair(size_t{0}, size_t{0}));

  auto real = Import(csv);
  EXPECT_NE(real.exit_code, 0) << "without --dry-run too: any bad row, nothing stored";
  EXPECT_NE(real.err.find("Nothing was imported"), std::string::npos) << real.err;
  EXPECT_EQ(Counts(), std::make_pair(size_t{0}, size_t{0}));
}

TEST_F(ImportTest, TheFixedSheetImportsOnceAndReimportCreatesNothing) {
  auto first = Import(Sheet(false));
  ASSERT_EQ(first.exit_code, 0) << first.err << first.out;
  EXPECT_NE(first.out.find("Created 100 objective(s), 500 key result(s), 250 first check-in(s), "
                           "10 user(s) found by email"),
            std::string::npos)
      << first.out.substr(0, 400);
  EXPECT_EQ(Counts(), std::make_pair(size_t{100}, size_t{500}));
  EXPECT_EQ(slack_.CallCount("users.lookupByEmail"), 10) << "each address asked once";
  {
    auto store = OpenStore(Db());
    KeyResult kr = (*store)->GetKeyResult("slack:T1", 2).value();
    EXPECT_EQ(kr.owner, "U0P1");
    EXPECT_EQ(kr.current, 1);
    EXPECT_EQ(kr.unit, "tickets");
    EXPECT_EQ((*store)->GetObjective("slack:T1", 1).value().title, "Objective 0, the plan");
  }

  auto again = Import(Sheet(false));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("Created 0 objective(s), 0 key result(s), 0 first check-in(s); 100 "
                           "objective(s) and 500 key result(s) already exist"),
            std::string::npos)
      << again.out.substr(0, 400);
  EXPECT_EQ(Counts(), std::make_pair(size_t{100}, size_t{500}));
}

TEST_F(ImportTest, AColumnMappedSheet) {
  std::string csv =
      "Goal;Measure;Who;Period;From;To;Comment\n"
      "Delight customers;Raise CSAT;person3@acme.test;2027-Q2;82;90;from the survey\n"
      "Delight customers;Cut first response time;alice;2027-Q2;6;2;hours\n";
  auto unmapped = Import(csv, {"--dry-run"});
  EXPECT_EQ(unmapped.exit_code, 2);
  EXPECT_NE(unmapped.err.find("no Objective column"), std::string::npos) << unmapped.err;

  std::vector<std::string> maps = {"--map", "Goal=objective", "--map", "Measure=kr",
                                   "--map", "Who=owner",      "--map", "From=start",
                                   "--map", "To=target"};
  std::vector<std::string> dry_args = maps;
  dry_args.push_back("--dry-run");
  auto dry = Import(csv, dry_args);
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("Ignored columns: \"Comment\""), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("Would create 1 objective(s), 2 key result(s)"), std::string::npos)
      << dry.out;
  EXPECT_EQ(Counts(), std::make_pair(size_t{0}, size_t{0}));

  auto real = Import(csv, maps);
  ASSERT_EQ(real.exit_code, 0) << real.err;
  auto store = OpenStore(Db());
  auto krs = (*store)->ListKeyResults("slack:T1", KeyResultFilter{}).value();
  ASSERT_EQ(krs.size(), 2u);
  EXPECT_EQ(krs[0].owner, "U0P3");
  EXPECT_EQ(krs[0].target, 90);
  EXPECT_EQ(krs[1].direction, Direction::kDecrease) << "6 -> 2 goes down";
  EXPECT_EQ((*store)->GetObjective("slack:T1", 1).value().cycle, "2027-Q2");

  auto bad_map = Import(csv, {"--map", "Goal"});
  EXPECT_EQ(bad_map.exit_code, 2);
}

TEST_F(ImportTest, WithoutTheEmailScopeTheRowsSaySoAndNothingIsStored) {
  slack_.SetAnswer("users.lookupByEmail", {{"ok", false}, {"error", "missing_scope"}});
  auto result = Import("Objective,KR,Owner,Target\nA,B,person1@acme.test,1\n");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("users:read.email"), std::string::npos) << result.err;
  EXPECT_EQ(Counts(), std::make_pair(size_t{0}, size_t{0}));
}

TEST_F(ImportTest, MattermostOwnersByEmailAreMatchedThroughItsUsersApi) {
  MattermostStandIn mattermost;
  const std::string dana = "d4n4d4n4d4n4d4n4d4n4d4n4d4";
  mattermost.AddUserEmail("dana@chat.test", dana);
  {
    auto store = OpenStore(Db());
    Workspace workspace;
    workspace.id = "mattermost:chat";
    workspace.platform = "mattermost";
    ASSERT_TRUE((*store)->UpsertWorkspace(workspace).ok());
  }
  WriteFile(dir_.File("mm.csv"),
            "Objective,KR,Owner,Target\nShip,Launch v2,Dana@chat.test,done\n"
            "Ship,Launch v3,nobody@chat.test,done\n");
  std::vector<std::string> env = {"OKRBOT_DB=" + Db(), "MATTERMOST_URL=" + mattermost.Url(),
                                  "MATTERMOST_BOT_TOKEN=mm-token"};
  auto bad = RunProcess(
      {OkrbotBinary(), "import", dir_.File("mm.csv"), "--workspace", "mattermost:chat"}, "", env);
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("row 3: unknown owner nobody@chat.test: no mattermost user"),
            std::string::npos)
      << bad.err;
  WriteFile(dir_.File("mm.csv"), "Objective,KR,Owner,Target\nShip,Launch v2,Dana@chat.test,done\n");
  auto good = RunProcess(
      {OkrbotBinary(), "import", dir_.File("mm.csv"), "--workspace", "mattermost:chat"}, "", env);
  ASSERT_EQ(good.exit_code, 0) << good.err;
  auto store = OpenStore(Db());
  EXPECT_EQ((*store)->GetKeyResult("mattermost:chat", 1).value().owner, dana);
}

}  // namespace
}  // namespace okrbot::testing
