#include "adapters/web/dashboard_pages.h"

#include <gtest/gtest.h>

namespace okrbot::web {
namespace {

PageFrame Frame() {
  return PageFrame{"Overview 2026-Q4", "Acme <Corp>", "Alice", "csrf-1", "overview"};
}

ObjectiveView Objective1() {
  ObjectiveView view;
  view.objective.number = 1;
  view.objective.title = "<script>alert(1)</script>";
  view.objective.cycle = "2026-Q4";
  view.owner_label = "Alice \"the boss\"";
  view.score = 0.62;
  view.pace = PaceStatus::kAtRisk;
  KrView kr;
  kr.kr.number = 3;
  kr.kr.text = "Increase NPS from 55 to 70 & more";
  kr.kr.baseline = 55;
  kr.kr.target = 70;
  kr.kr.current = 64;
  kr.owner_label = "Bob";
  kr.progress = 0.6;
  kr.pace = PaceStatus::kOnTrack;
  kr.confidence = 80;
  kr.stale = true;
  kr.owner_away = true;
  view.krs.push_back(kr);
  return view;
}

TEST(DashboardPagesTest, TheOverviewShowsFiguresMarkersAndEscapesEverything) {
  OverviewPage page;
  page.cycle = "2026-Q4";
  page.cycles = {"2026-Q4", "2026-Q3"};
  page.teams = {"support"};
  page.owners = {{"U1", "Alice <a>"}};
  page.objectives = {Objective1()};
  std::string html = RenderOverview(Frame(), page);
  EXPECT_EQ(html.rfind("<!doctype html>", 0), 0u);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("style="), std::string::npos) << "no inline style: CSP forbids it";
  EXPECT_NE(html.find("Acme &lt;Corp&gt;"), std::string::npos);
  EXPECT_NE(html.find("Alice &lt;a&gt;"), std::string::npos);
  EXPECT_NE(html.find("0.62"), std::string::npos);
  EXPECT_NE(html.find("60%"), std::string::npos);
  EXPECT_NE(html.find("at risk"), std::string::npos) << "status in words, not colour alone";
  EXPECT_NE(html.find("badge stale"), std::string::npos);
  EXPECT_NE(html.find("badge away"), std::string::npos);
  EXPECT_NE(html.find("confidence high (80%)"), std::string::npos);
  EXPECT_NE(html.find("href=\"/app/kr/3\""), std::string::npos);
  EXPECT_NE(html.find("55 to 70 &amp; more"), std::string::npos);
  EXPECT_NE(html.find("name=\"csrf\" value=\"csrf-1\""), std::string::npos);
}

TEST(DashboardPagesTest, TheKeyResultPageHasTheCheckInFormOnlyForThoseAllowed) {
  KeyResultPage page;
  page.view = Objective1().krs[0];
  page.objective = Objective1().objective;
  page.chart.svg = "<svg class=\"chart\"></svg>";
  page.chart.description = "Now 64.";
  CheckInRow row;
  row.checkin.value = 64;
  row.checkin.note = "<img src=x onerror=alert(1)>";
  row.author_label = "Bob";
  page.checkins.push_back(row);
  page.form.request = "nonce-1";
  std::string without = RenderKeyResult(Frame(), page);
  EXPECT_EQ(without.find("/checkin\""), std::string::npos);
  EXPECT_NE(without.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  EXPECT_NE(without.find("<svg class=\"chart\"></svg>"), std::string::npos);
  page.form.allowed = true;
  page.form.error = "KR3 takes a number <like 62>";
  std::string with = RenderKeyResult(Frame(), page);
  EXPECT_NE(with.find("action=\"/app/kr/3/checkin\""), std::string::npos);
  EXPECT_NE(with.find("name=\"request\" value=\"nonce-1\""), std::string::npos);
  EXPECT_NE(with.find("role=\"alert\">KR3 takes a number &lt;like 62&gt;"), std::string::npos);
}

TEST(DashboardPagesTest, MessagePagesForVisitorsShowNoNavigation) {
  PageFrame frame;
  frame.title = "Please sign in";
  std::string html = RenderMessage(frame, "Type /okr dashboard <here>");
  EXPECT_EQ(html.find("<nav>"), std::string::npos);
  EXPECT_EQ(html.find("Sign out"), std::string::npos);
  EXPECT_NE(html.find("Type /okr dashboard &lt;here&gt;"), std::string::npos);
}

}  // namespace
}  // namespace okrbot::web
