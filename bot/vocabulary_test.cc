#include "bot/vocabulary.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "bot/review.h"
#include "bot/review_vocabulary_data.h"

namespace okrbot {
namespace {

std::vector<std::string> ThemeNames(const Vocabulary& vocabulary, const std::string& text) {
  StopWords stop(ReviewRules::Default().stop_words);
  std::vector<std::string> names;
  for (size_t theme : vocabulary.Read(text, stop).themes) {
    names.push_back(vocabulary.themes()[theme].name);
  }
  return names;
}

TEST(VocabularyTest, BuiltInParsesWithEveryThemeDescribed) {
  Result<Vocabulary> parsed = Vocabulary::Parse(kBuiltInReviewVocabulary, "built-in");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  const Vocabulary& built_in = Vocabulary::BuiltIn();
  ASSERT_GE(built_in.themes().size(), 8u);
  for (const VocabularyTheme& theme : built_in.themes()) {
    SCOPED_TRACE(theme.name);
    EXPECT_FALSE(theme.measures.empty());
    EXPECT_NE(theme.example.find("<now>"), std::string::npos);
    EXPECT_NE(theme.example.find("<target>"), std::string::npos);
    EXPECT_GE(theme.terms.size(), 10u);
  }
}

TEST(VocabularyTest, StemsAbbreviationsAndSpellings) {
  EXPECT_EQ(StemWord("customers"), StemWord("customer"));
  EXPECT_EQ(StemWord("retained"), StemWord("retain"));
  const Vocabulary& v = Vocabulary::BuiltIn();
  EXPECT_EQ(ThemeNames(v, "Delight our customers"), std::vector<std::string>{"customers"});
  std::vector<std::string> churn = ThemeNames(v, "Reduce monthly logo churn from 3% to 1.5%");
  EXPECT_NE(std::find(churn.begin(), churn.end(), "customers"), churn.end());
  // FRT is read as first response time: a time, and a support metric.
  std::vector<std::string> frt = ThemeNames(v, "Cut median FRT from 4 h to 1 h");
  EXPECT_NE(std::find(frt.begin(), frt.end(), "speed"), frt.end());
  StopWords stop(ReviewRules::Default().stop_words);
  VocabularyReading eu = v.Read("Sign 20 partners in the EU", stop);
  VocabularyReading europe = v.Read("Win Europe", stop);
  ASSERT_EQ(europe.content_stems.size(), 1u);
  EXPECT_NE(std::find(eu.content_stems.begin(), eu.content_stems.end(), europe.content_stems[0]),
            eu.content_stems.end());
  // Stop words and a one-word term that is a stop word ("grow") say nothing.
  EXPECT_TRUE(ThemeNames(v, "Grow it from 1 to 2").empty());
  EXPECT_TRUE(ThemeNames(v, "Become the Zorblax of Quuxland").empty());
}

TEST(VocabularyTest, AddAndMergeExtendTheBuiltIn) {
  Vocabulary v = Vocabulary::BuiltIn();
  EXPECT_TRUE(ThemeNames(v, "Raise the Zorblax index from 3 to 5").empty());
  v.Add("customers", {"zorblax index"});
  EXPECT_EQ(ThemeNames(v, "Raise the Zorblax index from 3 to 5"),
            std::vector<std::string>{"customers"});

  Result<Vocabulary> extra = Vocabulary::Parse(
      "# sustainability: our footprint\n"
      "theme\tsustainability\n"
      "measures\temissions\n"
      "example\tCut CO2 per order from <now> to <target>\n"
      "terms\tsustainable, carbon, emissions, co2\n"
      "alias\tghg\tgreenhouse gas emissions\n",
      "extra");
  ASSERT_TRUE(extra.ok()) << extra.status().message();
  v.Merge(*extra);
  EXPECT_EQ(ThemeNames(v, "Halve GHG per shipment"), std::vector<std::string>{"sustainability"});
  ASSERT_NE(v.FindTheme("sustainability"), nullptr);
  EXPECT_EQ(v.FindTheme("sustainability")->measures, "emissions");
  ASSERT_NE(v.FindTheme("speed"), nullptr);  // the built-in themes stay
}

TEST(VocabularyTest, MalformedLinesAreNamed) {
  Result<Vocabulary> bad = Vocabulary::Parse("# ok\nterms\tfast\n", "ops.tsv");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("ops.tsv line 2"), std::string::npos)
      << bad.status().message();
  bad = Vocabulary::Parse("theme\tx\nmeasure\ty\n", "ops.tsv");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 2: unknown key \"measure\""), std::string::npos)
      << bad.status().message();
  bad = Vocabulary::Parse("alias\tfrt\n", "ops.tsv");
  EXPECT_FALSE(bad.ok());
  EXPECT_FALSE(Vocabulary::LoadFile("/nonexistent/vocabulary.tsv").ok());
}

TEST(VocabularyTest, LoadFileReadsTheOperatorsFile) {
  std::string path = ::testing::TempDir() + "okrbot_vocabulary_test.tsv";
  {
    std::ofstream out(path);
    out << "theme\tcustomers\nterms\tquuxscore\n";
  }
  Result<Vocabulary> loaded = Vocabulary::LoadFile(path);
  std::remove(path.c_str());
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  Vocabulary v = Vocabulary::BuiltIn();
  v.Merge(*loaded);
  EXPECT_EQ(ThemeNames(v, "Raise QuuxScore from 3 to 5"), std::vector<std::string>{"customers"});
}

}  // namespace
}  // namespace okrbot
