#include "adapters/common/markdown.h"

#include <gtest/gtest.h>

#include "bot/checkin_form.h"

namespace okrbot {
namespace {

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(MarkdownTest, RendersEveryBlockKind) {
  Reply reply;
  reply.Header("Weekly check-in")
      .Text("You have 2 key results due.")
      .Fields({{"Owner", "Bob"}, {"Target", "70"}})
      .Progress("KR1", 0.3)
      .List({"first", "second"})
      .Divider()
      .Context("Type /okr help for all commands.");
  EXPECT_EQ(RenderMarkdown(reply),
            "#### Weekly check-in\n\n"
            "You have 2 key results due.\n\n"
            "**Owner:** Bob\n**Target:** 70\n\n"
            "KR1 `" +
                ProgressBar(0.3) +
                "`\n\n"
                "- first\n- second\n\n"
                "---\n\n"
                "_Type /okr help for all commands._");
}

TEST(MarkdownTest, ProgressUsesTheSharedBar) {
  Reply reply;
  reply.Progress("", 0.7);
  EXPECT_EQ(RenderMarkdown(reply), "`███████░░░ 70%`");
}

TEST(MarkdownTest, CheckInButtonsBecomeOneUpdateHintPerKr) {
  Reply reply;
  reply.Text("KR3 Increase NPS from 55 to 70");
  reply.Actions({{"Update", kActionCheckInUpdate, "KR3", true},
                 {"No change", kActionCheckInNoChange, "KR3", false},
                 {"Snooze 1 week", kActionCheckInSnooze, "KR3", false}});
  reply.Text("KR4 Reduce churn to 2%");
  reply.Actions({{"No change", kActionCheckInNoChange, "KR4", false}});
  reply.Actions({{"Update", kActionCheckInUpdate, "KR3", true}});  // KR3 again: no second hint
  std::string md = RenderMarkdown(reply);
  EXPECT_EQ(md,
            "KR3 Increase NPS from 55 to 70\n\n"
            "Reply with `/okr update KR3 <value>`\n\n"
            "KR4 Reduce churn to 2%\n\n"
            "Reply with `/okr update KR4 <value>`");
}

TEST(MarkdownTest, OtherButtonsAndInputsAreLeftOut) {
  Reply reply;
  reply.Text("Pick one");
  reply.Actions({{"Open", "app.open", "x", false}});
  reply.Actions({{"Sneaky", kActionCheckInUpdate, "KR1` @channel `", false}});
  reply.Inputs({{kInputValue, "New value", "e.g. 62", "", false}});
  EXPECT_EQ(RenderMarkdown(reply), "Pick one");
}

TEST(MarkdownTest, EmptyBlocksAreSkipped) {
  Reply reply;
  reply.Header("  ").Text("").Context("\n").List({}).Fields({}).Text("only this");
  EXPECT_EQ(RenderMarkdown(reply), "only this");
  EXPECT_EQ(RenderMarkdown(Reply()), "");
}

TEST(MarkdownTest, MarkdownPunctuationIsEscaped) {
  EXPECT_EQ(EscapeMarkdown("*bold* _it_ `code` ~~s~~ [l](http://x) <b> #1 a|b c\\d"),
            "\\*bold\\* \\_it\\_ \\`code\\` \\~\\~s\\~\\~ \\[l\\](http://x) \\<b\\> \\#1 a\\|b "
            "c\\\\d");
  // Underscores inside words cannot emphasise anything and stay readable.
  EXPECT_EQ(EscapeMarkdown("snake_case and @bob_smith"), "snake_case and @bob_smith");
  EXPECT_EQ(EscapeMarkdown("_x_ a_ _b"), "\\_x\\_ a\\_ \\_b");
  // HTML entities would be decoded; a lone ampersand is left alone.
  EXPECT_EQ(EscapeMarkdown("R&D &#64;channel &amp;"), "R&D \\&\\#64;channel \\&amp;");
}

TEST(MarkdownTest, LineStartsCannotMakeListsQuotesOrHeadings) {
  EXPECT_EQ(EscapeMarkdown("- not a list"), "\\- not a list");
  EXPECT_EQ(EscapeMarkdown("+ nor this"), "\\+ nor this");
  EXPECT_EQ(EscapeMarkdown("1. nor this"), "1\\. nor this");
  EXPECT_EQ(EscapeMarkdown("12) nor this"), "12\\) nor this");
  EXPECT_EQ(EscapeMarkdown("Title\n==="), "Title\n\\===");
  EXPECT_EQ(EscapeMarkdown("Title\n  ---"), "Title\n  \\---");
  EXPECT_EQ(EscapeMarkdown("> quoted"), "\\> quoted");
  EXPECT_EQ(EscapeMarkdown("### heading"), "\\#\\#\\# heading");
  EXPECT_EQ(EscapeMarkdown("a - b 1. c"), "a - b 1. c") << "only at the start of a line";
  EXPECT_EQ(EscapeMarkdown("2026 was good"), "2026 was good");
  EXPECT_EQ(EscapeMarkdown("a\n-"), "a\n\\-") << "a lone '-' would underline a heading";
  EXPECT_EQ(EscapeMarkdown("=="), "\\==");
  // Numbers and signs that are not list markers stay readable.
  EXPECT_EQ(EscapeMarkdown("-5 points"), "-5 points");
  EXPECT_EQ(EscapeMarkdown("+5"), "+5");
  EXPECT_EQ(EscapeMarkdown("0.47 score"), "0.47 score");
  EXPECT_EQ(EscapeMarkdown("1.5x"), "1.5x");
  // After a label the line has already started: no marker is possible there.
  Reply reply;
  reply.Header("1. First").Fields({{"Score", "0.47"}, {"Step", "1. x\n2. y"}});
  EXPECT_EQ(RenderMarkdown(reply), "#### 1. First\n\n**Score:** 0.47\n**Step:** 1. x\n2\\. y");
}

TEST(MarkdownTest, ChannelWideMentionsAreNeutralised) {
  const std::string zw = "\u200B";
  EXPECT_EQ(EscapeMarkdown("hey @channel"), "hey @" + zw + "channel");
  EXPECT_EQ(EscapeMarkdown("@ALL look"), "@" + zw + "ALL look");
  EXPECT_EQ(EscapeMarkdown("(@here)."), "(@" + zw + "here).");
  EXPECT_EQ(EscapeMarkdown("@all."), "@" + zw + "all.");
  // People and addresses are not channel-wide mentions.
  EXPECT_EQ(EscapeMarkdown("@alice @allison @all_hands @here2"),
            "@alice @allison @all_hands @here2");
  EXPECT_EQ(EscapeMarkdown("me@all.example"), "me@all.example");

  Reply reply;
  reply.Header("@channel").Text("Increase NPS @all").Fields({{"@here", "@channel"}});
  reply.List({"@channel"}).Context("@here").Progress("@all", 0.5);
  std::string md = RenderMarkdown(reply);
  for (const char* mention : {"@channel", "@all", "@here"}) {
    EXPECT_FALSE(Contains(md, mention)) << mention << " in\n" << md;
  }
}

TEST(MarkdownTest, PeoplesTextCannotInjectMarkup) {
  Reply reply;
  reply.Header("# [click](http://evil) ![img](http://evil/x.png)");
  reply.Fields({{"Note **", "`x` | y"}});
  reply.List({"a\n- b\n> c"});
  reply.Context("_end_ *");
  reply.Progress("KR1 `", 0.5);
  std::string md = RenderMarkdown(reply);
  EXPECT_TRUE(Contains(md, "#### \\# \\[click\\](http://evil) !\\[img\\](http://evil/x.png)"));
  EXPECT_TRUE(Contains(md, "**Note \\*\\*:** \\`x\\` \\| y"));
  EXPECT_TRUE(Contains(md, "- a\n  \\- b\n  \\> c")) << "continuation lines stay in the item";
  EXPECT_TRUE(Contains(md, "_\\_end\\_ \\*_"));
  EXPECT_TRUE(Contains(md, "KR1 \\` `"));
}

TEST(MarkdownTest, LongRepliesAreCutAtALineWithANote) {
  Reply reply;
  std::vector<std::string> items;
  for (int i = 0; i < 2000; ++i) items.push_back("KR" + std::to_string(i) + " ünïcödé text");
  reply.List(items);
  std::string md = RenderMarkdown(reply, 1000);
  EXPECT_LE(md.size(), 1000u);
  EXPECT_TRUE(Contains(md, "more than fits in one message"));
  size_t note = md.find("\n\n_…more");
  ASSERT_NE(note, std::string::npos);
  EXPECT_EQ(md.substr(0, 2), "- ");
  // The kept part ends with a whole item.
  size_t last_line = md.rfind('\n', note - 1);
  EXPECT_TRUE(Contains(md.substr(last_line, note - last_line), "ünïcödé text"));
  EXPECT_EQ(RenderMarkdown(reply).size() <= kMarkdownMaxBytes, true);
}

TEST(MarkdownTest, ChartsAreInlineImagesOrTheirTextAlternative) {
  Reply r;
  r.Image("KR3 [NPS]", "Now *42*.", "<svg/>", 600, 300);
  EXPECT_EQ(RenderMarkdown(r), "_KR3 \\[NPS\\]: Now \\*42\\*._");
  r.blocks[0].image_url = "https://okr.example.com/charts/k.png";
  EXPECT_EQ(RenderMarkdown(r),
            "![KR3 \\[NPS\\]: Now \\*42\\*.](https://okr.example.com/charts/k.png)");
}

}  // namespace
}  // namespace okrbot
