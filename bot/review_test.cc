#include "bot/review.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <string>
#include <vector>

namespace okrbot {
namespace {

KeyResult MakeKr(int64_t number, const std::string& text, const std::string& owner = "alice") {
  KeyResult kr;
  kr.workspace_id = "console:local";
  kr.number = number;
  kr.objective = 1;
  kr.text = text;
  kr.owner = owner;
  return kr;
}

Objective MakeObjective(const std::string& title, const std::string& owner = "bob") {
  Objective objective;
  objective.workspace_id = "console:local";
  objective.number = 1;
  objective.title = title;
  objective.owner = owner;
  return objective;
}

std::set<std::string> Rules(const std::vector<Finding>& findings) {
  std::set<std::string> rules;
  for (const Finding& finding : findings) rules.insert(finding.rule);
  return rules;
}

const Finding* FindRule(const std::vector<Finding>& findings, const std::string& rule) {
  for (const Finding& finding : findings) {
    if (finding.rule == rule) return &finding;
  }
  return nullptr;
}

void ExpectRules(const std::string& text, const std::set<std::string>& expected) {
  SCOPED_TRACE(text);
  EXPECT_EQ(Rules(ReviewKeyResult(MakeKr(3, text))), expected);
}

TEST(ReviewKeyResultTest, GoodKeyResultsHaveNoFinding) {
  for (const char* text :
       {"Increase our CSAT from 82% to 90%", "Improve our Customer Retention Rate from 80% to 90%",
        "Maintain 7-day avg. customer rating of 4.5/5", "Increase our NPS from 55 to 70",
        "Reduce churn from 5% to 3%", "Keep p95 latency under 200 ms", "$1.2m ARR",
        "Grow activation to 40%", "Improve total reply time by 50% from avg. 2 minutes",
        "Increase revenue by 20% from $1m", "10k weekly active users",
        "Calls answered within 2 minutes: 95%",
        // Metric names that start like a verb are not activities.
        "Training completion rate from 60% to 90%", "Meeting attendance from 70% to 85%",
        "Email open rate from 20% to 30%", "Review scores from 4.1 to 4.5"}) {
    ExpectRules(text, {});
  }
}

TEST(ReviewKeyResultTest, ExpectedRuleSets) {
  ExpectRules("Deliver good customer service", {"binary"});
  ExpectRules("Launch the new help center", {"binary"});
  ExpectRules("Launch v2 by Q3 2026", {"binary"});
  ExpectRules("Reduce customer complaints by 20%", {"no-baseline"});
  ExpectRules("NPS up 50 over previous quarter", {"no-baseline"});
  ExpectRules("Schedule 95% of new customer onboarding calls within 5 days of signing",
              {"activity"});
  ExpectRules("Undertake monthly review call with all accounts over $1m", {"activity"});
  ExpectRules("Conduct 50 phone interviews with top customers", {"activity"});
  ExpectRules("We will conduct 50 phone interviews", {"activity"});
  ExpectRules("Hiring 3 senior engineers", {"activity"});
  ExpectRules("Hosting a customer meetup", {"activity", "binary"});
  // An activity without a number is both: it says what to do, and it can only be done or not.
  ExpectRules("Write the onboarding guide", {"activity", "binary"});
  ExpectRules("Improve reply time from 2 minutes", {"no-target"});
}

TEST(ReviewKeyResultTest, BinaryExplainsAndOffersKeep) {
  std::vector<Finding> findings = ReviewKeyResult(MakeKr(4, "Launch the new help center"));
  ASSERT_EQ(findings.size(), 1u);
  const Finding& finding = findings[0];
  EXPECT_EQ(finding.rule, "binary");
  EXPECT_EQ(finding.subject, "KR4");
  EXPECT_EQ(finding.severity, Severity::kWarning);
  EXPECT_NE(finding.message.find("done / not done"), std::string::npos) << finding.message;
  EXPECT_NE(finding.message.find("end of the cycle"), std::string::npos) << finding.message;
  EXPECT_NE(finding.message.find("\"launch\""), std::string::npos) << finding.message;
  EXPECT_NE((finding.message + finding.suggestion).find("answer `keep` to stop these nudges"),
            std::string::npos);
  EXPECT_NE(finding.suggestion.find("What would show that \"Launch the new help center\" worked?"),
            std::string::npos)
      << finding.suggestion;
  EXPECT_NE(finding.suggestion.find("Increase <metric> from <baseline> to <target>"),
            std::string::npos)
      << finding.suggestion;
}

TEST(ReviewKeyResultTest, ActivitySuggestsTheOutcomeForKnownShapes) {
  std::vector<Finding> findings = ReviewKeyResult(
      MakeKr(5, "Schedule 95% of new customer onboarding calls within 5 days of signing"));
  const Finding* activity = FindRule(findings, "activity");
  ASSERT_NE(activity, nullptr);
  EXPECT_EQ(activity->subject, "KR5");
  EXPECT_NE(activity->suggestion.find(
                "95% of new customers have an onboarding date within 5 days of signing"),
            std::string::npos)
      << activity->suggestion;
  EXPECT_NE(activity->suggestion.find("/okr initiative add KR5 \"Schedule 95% of new customer"),
            std::string::npos)
      << activity->suggestion;
  EXPECT_NE(activity->message.find("\"schedule\""), std::string::npos) << activity->message;

  findings =
      ReviewKeyResult(MakeKr(6, "Undertake monthly review call with all accounts over $1m."));
  activity = FindRule(findings, "activity");
  ASSERT_NE(activity, nullptr);
  EXPECT_NE(
      activity->suggestion.find("All accounts over $1m had a review in the last calendar month"),
      std::string::npos)
      << activity->suggestion;
}

TEST(ReviewKeyResultTest, ActivityFallsBackToAGenericSuggestion) {
  std::vector<Finding> findings =
      ReviewKeyResult(MakeKr(7, "Conduct 50 phone interviews with top customers"));
  const Finding* activity = FindRule(findings, "activity");
  ASSERT_NE(activity, nullptr);
  EXPECT_NE(activity->suggestion.find("Describe the result this activity should produce"),
            std::string::npos)
      << activity->suggestion;
  EXPECT_NE(activity->suggestion.find(
                "/okr initiative add KR7 \"Conduct 50 phone interviews with top customers\""),
            std::string::npos)
      << activity->suggestion;
}

TEST(ReviewKeyResultTest, NoBaselineAsksFromWhat) {
  std::vector<Finding> findings = ReviewKeyResult(MakeKr(8, "NPS up 50 over previous quarter"));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule, "no-baseline");
  EXPECT_NE(findings[0].message.find("50 from what?"), std::string::npos) << findings[0].message;
  EXPECT_NE(findings[0].suggestion.find("from X to Y"), std::string::npos);
  EXPECT_NE(findings[0].suggestion.find("give a percentage"), std::string::npos);

  findings = ReviewKeyResult(MakeKr(8, "Reduce customer complaints by 20%"));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NE(findings[0].message.find("20% from what?"), std::string::npos) << findings[0].message;
}

TEST(ReviewKeyResultTest, StructFieldsOverrideTheText) {
  KeyResult kr = MakeKr(9, "Reduce customer complaints by 20%");
  kr.baseline = 120;
  EXPECT_EQ(Rules(ReviewKeyResult(kr)), std::set<std::string>{});

  kr = MakeKr(9, "Improve reply time from 2 minutes");
  kr.target = 1;
  EXPECT_EQ(Rules(ReviewKeyResult(kr)), std::set<std::string>{});

  // from:/to: given as options make a wordy KR measurable.
  kr = MakeKr(9, "Customer happiness");
  kr.baseline = 55;
  kr.target = 70;
  EXPECT_EQ(Rules(ReviewKeyResult(kr)), std::set<std::string>{});

  kr = MakeKr(9, "Customer happiness");
  kr.baseline = 55;
  EXPECT_EQ(Rules(ReviewKeyResult(kr)), std::set<std::string>{"no-target"});

  // The owner chose done / not done: binary, even with a number in the text.
  kr = MakeKr(9, "Increase NPS from 55 to 70");
  kr.direction = Direction::kBinary;
  EXPECT_EQ(Rules(ReviewKeyResult(kr)), std::set<std::string>{"binary"});

  // `keep` stops the nudges, not the findings.
  kr = MakeKr(9, "Launch the new help center");
  kr.quality_kept = true;
  EXPECT_EQ(Rules(ReviewKeyResult(kr)), std::set<std::string>{"binary"});
}

TEST(ReviewKeyResultTest, NoOwner) {
  std::vector<Finding> findings = ReviewKeyResult(MakeKr(2, "Increase our NPS from 55 to 70", ""));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule, "no-owner");
  EXPECT_EQ(findings[0].severity, Severity::kWarning);
  EXPECT_EQ(findings[0].subject, "KR2");
  EXPECT_NE(findings[0].suggestion.find("/okr edit KR2 owner:"), std::string::npos);

  EXPECT_EQ(Rules(ReviewKeyResult(MakeKr(2, "Launch the new help center", ""))),
            (std::set<std::string>{"binary", "no-owner"}));
}

TEST(ReviewKeyResultTest, TablesAreExtensible) {
  const std::string text = "Facilitate 4 design sprints with the platform team";
  EXPECT_EQ(Rules(ReviewKeyResult(MakeKr(1, text))), std::set<std::string>{});

  ReviewRules rules = ReviewRules::Default();
  rules.activity_verbs.push_back("facilitate");
  std::vector<Finding> findings = ReviewKeyResult(MakeKr(1, text), rules);
  EXPECT_EQ(Rules(findings), std::set<std::string>{"activity"});
  EXPECT_NE(findings[0].message.find("\"facilitate\""), std::string::npos);

  rules.binary_words.push_back("sunset");
  findings = ReviewKeyResult(MakeKr(1, "Sunset the legacy API"), rules);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NE(findings[0].message.find("\"sunset\""), std::string::npos) << findings[0].message;

  // Multi-word entries work too.
  rules.activity_verbs.push_back("kick off");
  EXPECT_EQ(Rules(ReviewKeyResult(MakeKr(1, "Kick off 3 partner pilots"), rules)),
            std::set<std::string>{"activity"});
}

TEST(ReviewKeyResultTest, SurvivesHostileText) {
  std::string text = "\xF0\x9F\x9A\x80 Schedule ";
  while (text.size() < 10240)
    text += "calls \"quoted\" \x01\x02\t\n\xE2\x80\x9C emoji \xF0\x9F\x8E\x89 ";
  text += "\xff\xfe\xC3";  // invalid and truncated UTF-8
  KeyResult kr = MakeKr(10, text, "");
  std::vector<Finding> findings = ReviewKeyResult(kr);
  EXPECT_EQ(Rules(findings), (std::set<std::string>{"activity", "binary", "no-owner"}));
  for (const Finding& finding : findings) {
    // The text is quoted back shortened, on one line, without breaking the command's quotes.
    EXPECT_LT(finding.message.size(), 1000u) << finding.rule;
    EXPECT_LT(finding.suggestion.size(), 1000u) << finding.rule;
    EXPECT_EQ(finding.message.find('\n'), std::string::npos);
    EXPECT_EQ(finding.suggestion.find('\x01'), std::string::npos);
  }

  std::vector<KeyResult> krs = {kr, MakeKr(11, text), MakeKr(12, "")};
  std::vector<Finding> objective_findings = ReviewObjective(MakeObjective(text), krs);
  EXPECT_FALSE(objective_findings.empty());

  ReviewKeyResult(MakeKr(13, ""));
  ReviewKeyResult(MakeKr(14, "   \t\n"));
  ReviewKeyResult(MakeKr(15, "we to will"));
  ReviewKeyResult(MakeKr(16, "Schedule"));
  ReviewKeyResult(MakeKr(17, "Schedule 95% of calls"));
  ReviewKeyResult(MakeKr(18, "Undertake monthly call with"));
}

TEST(ReviewObjectiveTest, NotMeasuringTheObjectiveIsAQuestion) {
  // NPS would measure it (a customers metric); page load time and a launch do not.
  std::vector<KeyResult> krs = {MakeKr(1, "Cut median page load time from 3 s to 1 s"),
                                MakeKr(2, "Launch the new help center")};
  std::vector<Finding> findings = ReviewObjective(MakeObjective("Improve customer retention"), krs);
  EXPECT_EQ(Rules(findings), (std::set<std::string>{"not-measuring-objective", "binary"}));
  const Finding* question = FindRule(findings, "not-measuring-objective");
  ASSERT_NE(question, nullptr);
  EXPECT_EQ(question->severity, Severity::kInfo);
  EXPECT_EQ(question->subject, "O1");
  EXPECT_NE(question->message.find('?'), std::string::npos);
  EXPECT_NE(question->message.find("retention"), std::string::npos) << question->message;
  EXPECT_NE(question->message.find("O1 is about customers; none of its key results measures how "
                                   "customers feel or whether they stay"),
            std::string::npos)
      << question->message;
  // The suggestion names a metric of the theme, with placeholders, not the objective's words.
  EXPECT_NE(question->suggestion.find("\"Increase NPS from <now> to <target>\""), std::string::npos)
      << question->suggestion;
  EXPECT_EQ(question->suggestion.find("customer retention"), std::string::npos)
      << question->suggestion;
  // Objective findings come first, then each KR's.
  EXPECT_EQ(findings.front().rule, "not-measuring-objective");
  EXPECT_EQ(findings.back().subject, "KR2");
}

TEST(ReviewObjectiveTest, SharedTermsMeasureTheObjective) {
  std::vector<KeyResult> krs = {MakeKr(1, "Increase our CSAT from 82% to 90%"),
                                MakeKr(2, "Improve our Customer Retention Rate from 80% to 90%")};
  EXPECT_EQ(ReviewObjective(MakeObjective("Delight our customers"), krs).size(), 0u);

  // Simple stemming: "retained" ~ "retention", plural ~ singular, case does not matter.
  krs = {MakeKr(1, "Accounts retained: from 80% to 90%")};
  EXPECT_EQ(ReviewObjective(MakeObjective("Improve customer retention"), krs).size(), 0u);
  krs = {MakeKr(1, "Increase ONBOARDED users from 100 to 300")};
  EXPECT_EQ(ReviewObjective(MakeObjective("Faster onboarding"), krs).size(), 0u);

  // No KRs: nothing to compare.
  EXPECT_EQ(ReviewObjective(MakeObjective("Improve customer retention"), {}).size(), 0u);
}

// (objective, KRs) pairs in the style of the OKR literature (What Matters, Radical Focus, Perdoo
// and Weekdone example libraries). `theme` is empty where the KRs measure the objective in other
// words (no question expected), or the theme the question must name for a clear mismatch.
struct MeasureCase {
  const char* objective;
  std::vector<const char*> krs;
  const char* theme;
};

const std::vector<MeasureCase>& MeasureCases() {
  static const std::vector<MeasureCase> kCases = {
      // KRs that measure the objective without repeating its words.
      {"Create raving fans", {"Raise NPS from 31 to 45", "Get 40 new 5-star reviews on G2"}, ""},
      {"Make our clients love us",
       {"CSAT from 82% to 90%", "Referrals from 12 to 30 a quarter"},
       ""},
      {"Win customer loyalty", {"Reduce logo churn from 2.5% to 1.5% a month"}, ""},
      {"Be the most loved app in our category", {"App store rating from 4.1 to 4.6"}, ""},
      {"Keep our best accounts", {"Gross revenue retention from 88% to 94%"}, ""},
      {"Respond to customers in record time", {"Median FRT from 6 h to 1 h"}, ""},
      {"Provide lightning-fast support",
       {"Average handle time from 14 min to 9 min", "First contact resolution from 60% to 75%"},
       ""},
      {"Ship faster",
       {"Lead time for changes from 9 days to 2 days",
        "Deployment frequency from weekly to daily: 1 to 5 a week"},
       ""},
      {"Make the app feel instant", {"p95 latency of the home screen from 900 ms to 300 ms"}, ""},
      {"Become a quicker hiring machine", {"Time to hire from 52 to 35 days"}, ""},
      {"Accelerate revenue growth",
       {"ARR from $4M to $6M", "Net new bookings from $300k to $500k"},
       ""},
      {"Build a predictable sales engine",
       {"Qualified pipeline from $2M to $3.5M", "Win rate from 18% to 25%"},
       ""},
      {"Expand into Europe", {"Sign 25 paying accounts in the EU"}, ""},
      {"Turn trials into paying customers", {"Trial-to-paid conversion from 8% to 14%"}, ""},
      {"Make the platform rock solid",
       {"Uptime from 99.5% to 99.95%", "Sev1 incidents from 6 to 1 a quarter"},
       ""},
      {"Release with confidence",
       {"Escaped defects from 30 to 10 per release", "Change failure rate from 20% to 8%"},
       ""},
      {"Delight users with a stable app", {"Crash-free sessions from 97% to 99.5%"}, ""},
      {"Build an engaged and happy team",
       {"eNPS from 12 to 30", "Regretted attrition from 9% to 4%"},
       ""},
      {"Attract top talent",
       {"Offer acceptance from 60% to 85%", "Time to fill from 60 to 40 days"},
       ""},
      {"Grow our people", {"Internal promotions from 5 to 12", "Certifications from 10 to 40"}, ""},
      {"Get new users to value quickly", {"Time to value from 14 days to 3 days"}, ""},
      {"Drive product adoption",
       {"WAU from 12k to 20k", "Feature adoption of reports from 15% to 35%"},
       ""},
      {"Nail onboarding", {"Activation rate from 30% to 50%"}, ""},
      {"Build brand awareness",
       {"Organic traffic from 40k to 70k visits a month", "MQLs from 300 to 500 a month"},
       ""},
      {"Operate more efficiently",
       {"Gross margin from 62% to 70%", "Cloud spend per customer from $40 to $28"},
       ""},
      {"Keep customer data safe",
       {"Critical vulnerabilities open over 30 days from 14 to 0",
        "Phishing test click rate from 12% to 3%"},
       ""},
      {"Pass our SOC 2 audit", {"Audit findings from 9 to 0"}, ""},
      {"Become a world-class support team", {"Ticket backlog from 400 to 100"}, ""},
      // Clear mismatches: the KRs move, the objective does not follow.
      {"Delight our customers", {"Increase ARR from $2M to $3M"}, "customers"},
      {"Reduce customer churn", {"Grow MQLs from 200 to 400 a month"}, "customers"},
      {"Ship features faster", {"Raise NPS from 30 to 40"}, "speed"},
      {"Respond quickly to every request", {"Grow pipeline from $1M to $2M"}, "speed"},
      {"Grow revenue in new markets", {"eNPS from 10 to 25", "Attrition from 12% to 8%"}, "growth"},
      {"Accelerate sales", {"Reduce Sev1 incidents from 5 to 1"}, "growth"},
      {"Make our platform reliable", {"Grow ARR from $5M to $7M"}, "quality"},
      {"Zero critical bugs in production", {"Website visits from 10k to 20k"}, "quality"},
      {"Make this a great place to work", {"Increase trial conversion from 5% to 8%"}, "people"},
      {"Hire great engineers", {"Cut cloud spend from $80k to $60k a month"}, "people"},
      {"Drive adoption of our new features", {"Reduce audit findings from 7 to 2"}, "adoption"},
      {"Become the best-known brand in our niche",
       {"Reduce p95 latency from 800 ms to 300 ms"},
       "marketing"},
      {"Cut operating costs", {"Raise CSAT from 80% to 90%"}, "cost"},
      {"Strengthen security and privacy", {"Grow WAU from 5k to 9k"}, "security"},
  };
  return kCases;
}

// The agreement of the review with the table; every row must agree.
TEST(ReviewObjectiveTest, MeasuresTheObjectiveInOtherWordsTable) {
  size_t agree = 0;
  size_t good = 0;
  size_t mismatches = 0;
  for (const MeasureCase& c : MeasureCases()) {
    SCOPED_TRACE(c.objective);
    std::vector<KeyResult> krs;
    for (const char* text : c.krs)
      krs.push_back(MakeKr(static_cast<int64_t>(krs.size()) + 1, text));
    std::vector<Finding> findings = ReviewObjective(MakeObjective(c.objective), krs);
    const Finding* question = FindRule(findings, "not-measuring-objective");
    std::string theme = c.theme;
    (theme.empty() ? good : mismatches)++;
    // "O1 is about adoption and speed; ...": the reason names the expected theme.
    std::string reason;
    if (question != nullptr) {
      size_t about = question->message.find("O1 is about ");
      if (about != std::string::npos) {
        reason = question->message.substr(about, question->message.find(';', about) - about);
      }
    }
    bool ok = theme.empty() ? question == nullptr : reason.find(" " + theme) != std::string::npos;
    EXPECT_TRUE(ok) << (question ? question->message : std::string("no question"));
    if (ok) ++agree;
  }
  EXPECT_GE(good, 25u);
  EXPECT_GE(mismatches, 10u);
  EXPECT_EQ(agree, MeasureCases().size()) << agree << "/" << MeasureCases().size();
  std::printf("measure table agreement: %zu/%zu\n", agree, MeasureCases().size());
}

TEST(ReviewObjectiveTest, UnknownWordsGetNoQuestion) {
  // An objective the vocabulary cannot read is not second-guessed.
  std::vector<KeyResult> krs = {MakeKr(1, "Raise NPS from 30 to 40")};
  EXPECT_EQ(FindRule(ReviewObjective(MakeObjective("Become the Zorblax of Quuxland"), krs),
                     "not-measuring-objective"),
            nullptr);
  // A workspace's own terms join the built-in vocabulary.
  krs = {MakeKr(1, "Raise the Quux index from 3 to 5")};
  EXPECT_NE(FindRule(ReviewObjective(MakeObjective("Delight our customers"), krs),
                     "not-measuring-objective"),
            nullptr);
  Vocabulary workspace = Vocabulary::Default();
  workspace.Add("customers", {"quux index"});
  EXPECT_EQ(FindRule(ReviewObjective(MakeObjective("Delight our customers"), krs,
                                     ReviewRules::Default(), workspace),
                     "not-measuring-objective"),
            nullptr);
}

TEST(ReviewObjectiveTest, QuestionNamesTheReasonAndAMetric) {
  std::vector<KeyResult> krs = {MakeKr(1, "Increase ARR from $2M to $3M")};
  Objective objective = MakeObjective("Answer support requests faster");
  objective.number = 3;
  std::vector<Finding> findings = ReviewObjective(objective, krs);
  const Finding* question = FindRule(findings, "not-measuring-objective");
  ASSERT_NE(question, nullptr);
  EXPECT_EQ(question->subject, "O3");
  EXPECT_NE(question->message.find("O3 is about support and speed; none of its key results "
                                   "measures how support requests are handled"),
            std::string::npos)
      << question->message;
  EXPECT_NE(question->message.find("or a time"), std::string::npos) << question->message;
  EXPECT_NE(question->suggestion.find("from <now> to <target>"), std::string::npos)
      << question->suggestion;
  EXPECT_EQ(question->suggestion.find("faster"), std::string::npos) << question->suggestion;
}

TEST(ReviewObjectiveTest, TooManyKeyResults) {
  std::vector<KeyResult> krs;
  for (int i = 1; i <= 6; ++i) {
    krs.push_back(MakeKr(i, "Increase customer NPS from " + std::to_string(50 + i) + " to 80"));
  }
  std::vector<Finding> findings = ReviewObjective(MakeObjective("Happier customers"), krs);
  EXPECT_EQ(Rules(findings), std::set<std::string>{"too-many-krs"});
  EXPECT_EQ(findings[0].subject, "O1");
  EXPECT_NE(findings[0].message.find("1-3"), std::string::npos) << findings[0].message;
  EXPECT_NE(findings[0].message.find("6 key results"), std::string::npos);

  // Archived KRs don't count (nor are they reviewed).
  krs[5].archived = true;
  krs[5].text = "Launch something";
  EXPECT_EQ(ReviewObjective(MakeObjective("Happier customers"), krs).size(), 0u);

  ReviewRules strict = ReviewRules::Default();
  strict.max_krs_per_objective = 3;
  EXPECT_EQ(Rules(ReviewObjective(MakeObjective("Happier customers"), krs, strict)),
            std::set<std::string>{"too-many-krs"});
}

TEST(ReviewObjectiveTest, NoOwnerAndKeyResultFindings) {
  std::vector<KeyResult> krs = {MakeKr(1, "Increase customer NPS from 55 to 70", ""),
                                MakeKr(2, "Reduce customer complaints by 20%")};
  std::vector<Finding> findings = ReviewObjective(MakeObjective("Happier customers", ""), krs);
  ASSERT_EQ(findings.size(), 3u);
  EXPECT_EQ(findings[0].rule, "no-owner");
  EXPECT_EQ(findings[0].subject, "O1");
  EXPECT_EQ(findings[1].rule, "no-owner");
  EXPECT_EQ(findings[1].subject, "KR1");
  EXPECT_EQ(findings[2].rule, "no-baseline");
  EXPECT_EQ(findings[2].subject, "KR2");
}

TEST(SeverityTest, Names) {
  EXPECT_STREQ(SeverityName(Severity::kInfo), "info");
  EXPECT_STREQ(SeverityName(Severity::kWarning), "warning");
}

}  // namespace
}  // namespace okrbot
