#include "bot/chart.h"

#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

namespace okrbot {
namespace {

// A parsed chart with XPath look-ups in the SVG namespace (prefix "s").
class Parsed {
 public:
  explicit Parsed(const std::string& svg) {
    doc_ = xmlReadMemory(svg.data(), static_cast<int>(svg.size()), "chart.svg", nullptr,
                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  }
  ~Parsed() {
    if (doc_) xmlFreeDoc(doc_);
  }
  Parsed(const Parsed&) = delete;
  Parsed& operator=(const Parsed&) = delete;

  bool ok() const { return doc_ != nullptr; }
  xmlNodePtr root() const { return xmlDocGetRootElement(doc_); }

  std::vector<xmlNodePtr> Find(const std::string& xpath) const {
    std::vector<xmlNodePtr> nodes;
    if (!doc_) return nodes;
    xmlXPathContextPtr context = xmlXPathNewContext(doc_);
    xmlXPathRegisterNs(context, BAD_CAST "s", BAD_CAST "http://www.w3.org/2000/svg");
    xmlXPathObjectPtr result = xmlXPathEvalExpression(BAD_CAST xpath.c_str(), context);
    if (result && result->nodesetval) {
      for (int i = 0; i < result->nodesetval->nodeNr; ++i) {
        nodes.push_back(result->nodesetval->nodeTab[i]);
      }
    }
    xmlXPathFreeObject(result);
    xmlXPathFreeContext(context);
    return nodes;
  }
  // Elements named `element` ("*" for any) carrying class `css`, legend swatches left out.
  std::vector<xmlNodePtr> ByClass(const std::string& element, const std::string& css) const {
    return Find("//s:" + element + "[contains(concat(' ', @class, ' '), ' " + css +
                " ') and not(contains(@class, 'okr-legend'))]");
  }
  xmlNodePtr One(const std::string& element, const std::string& css) const {
    auto nodes = ByClass(element, css);
    EXPECT_EQ(nodes.size(), 1u) << element << "." << css;
    return nodes.empty() ? nullptr : nodes.front();
  }

 private:
  xmlDocPtr doc_ = nullptr;
};

std::string Attr(xmlNodePtr node, const char* name) {
  if (!node) return "";
  xmlChar* value = xmlGetProp(node, BAD_CAST name);
  if (!value) return "";
  std::string text(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return text;
}

double Num(xmlNodePtr node, const char* name) { return std::atof(Attr(node, name).c_str()); }

std::string Content(xmlNodePtr node) {
  if (!node) return "";
  xmlChar* value = xmlNodeGetContent(node);
  std::string text(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return text;
}

std::vector<std::string> Texts(const Parsed& parsed) {
  std::vector<std::string> texts;
  for (xmlNodePtr node : parsed.Find("//s:text")) texts.push_back(Content(node));
  return texts;
}

bool HasText(const Parsed& parsed, const std::string& text) {
  for (const std::string& t : Texts(parsed)) {
    if (t == text) return true;
  }
  return false;
}

// The centre of a point marker, circle (typed) or square (automatic).
double CenterX(xmlNodePtr node) {
  if (Attr(node, "cx").empty()) return Num(node, "x") + Num(node, "width") / 2;
  return Num(node, "cx");
}
double CenterY(xmlNodePtr node) {
  if (Attr(node, "cy").empty()) return Num(node, "y") + Num(node, "height") / 2;
  return Num(node, "cy");
}

// The y of the grid line drawn at `value`.
double GridY(const Parsed& parsed, const std::string& value) {
  auto lines = parsed.Find("//s:line[@class='okr-grid' and @data-value='" + value + "']");
  EXPECT_EQ(lines.size(), 1u) << "grid line at " << value;
  return lines.empty() ? NAN : Num(lines[0], "y1");
}

Seconds At(const char* iso) {
  Seconds t;
  EXPECT_TRUE(ParseIsoInstant(iso, &t)) << iso;
  return t;
}

Days Day(const char* text) {
  Days d;
  EXPECT_TRUE(ParseDate(text, &d)) << text;
  return d;
}

KeyResult Nps() {
  KeyResult kr;
  kr.number = 3;
  kr.text = "Raise NPS from 30 to 50";
  kr.baseline = 30;
  kr.target = 50;
  kr.direction = Direction::kIncrease;
  return kr;
}

ChartPoint Point(const char* iso, double value, std::optional<int> confidence = std::nullopt,
                 bool automatic = false) {
  ChartPoint p;
  p.at = At(iso);
  p.value = value;
  p.confidence = confidence;
  p.automatic = automatic;
  return p;
}

// Q4 2026: 92 days, so its midpoint is 2026-11-16 00:00 UTC.
const Days kFirst = Day("2026-10-01");
const Days kLast = Day("2026-12-31");

ChartImage NpsChart(const std::vector<ChartPoint>& points,
                    Seconds now = At("2026-11-20T12:00:00Z")) {
  return KeyResultChart(Nps(), points, kFirst, kLast, now);
}

// Every chart kind, for the checks they all share.
std::vector<ChartImage> EveryKind() {
  KeyResult binary;
  binary.number = 7;
  binary.text = "Launch the new onboarding";
  binary.direction = Direction::kBinary;
  return {
      NpsChart(
          {Point("2026-10-05T09:00:00Z", 31, 80), Point("2026-11-20T09:00:00Z", 42, 50, true)}),
      NpsChart({}),
      KeyResultChart(binary, {Point("2026-11-02T09:00:00Z", 0), Point("2026-12-01T09:00:00Z", 1)},
                     kFirst, kLast, At("2026-12-07T00:00:00Z")),
      ProgressChart("O1 · Delight customers", {{"KR1 · NPS", 0.62, PaceStatus::kOnTrack},
                                               {"KR2 · Churn", 0.3, PaceStatus::kOffTrack}}),
      ProgressChart("Empty", {}),
      ScoreDistributionChart("2026-Q4", {0.1, 0.2, 0.5, 0.9, 1.0}),
      ScoreDistributionChart("2026-Q4", {}),
      CheckInActivityChart("Check-ins", {{Day("2026-11-02"), 3, 5}, {Day("2026-11-09"), 4, 5}}),
      CheckInActivityChart("Check-ins", {}),
  };
}

TEST(ChartTest, EveryKindIsAnSvgDocumentWithTitleAndDescriptionFirst) {
  for (const ChartImage& chart : EveryKind()) {
    SCOPED_TRACE(chart.title);
    Parsed parsed(chart.svg);
    ASSERT_TRUE(parsed.ok()) << chart.svg;
    xmlNodePtr root = parsed.root();
    EXPECT_STREQ(reinterpret_cast<const char*>(root->name), "svg");
    ASSERT_NE(root->ns, nullptr);
    EXPECT_STREQ(reinterpret_cast<const char*>(root->ns->href), "http://www.w3.org/2000/svg");
    EXPECT_EQ(Attr(root, "width"), std::to_string(chart.width));
    EXPECT_EQ(Attr(root, "height"), std::to_string(chart.height));
    EXPECT_EQ(Attr(root, "viewBox"),
              "0 0 " + std::to_string(chart.width) + " " + std::to_string(chart.height));
    EXPECT_EQ(Attr(root, "role"), "img");
    xmlNodePtr first = xmlFirstElementChild(root);
    ASSERT_NE(first, nullptr);
    xmlNodePtr second = xmlNextElementSibling(first);
    ASSERT_NE(second, nullptr);
    EXPECT_STREQ(reinterpret_cast<const char*>(first->name), "title");
    EXPECT_STREQ(reinterpret_cast<const char*>(second->name), "desc");
    EXPECT_FALSE(Content(first).empty());
    EXPECT_FALSE(Content(second).empty());
    EXPECT_EQ(Content(first), chart.title);
    EXPECT_EQ(Content(second), chart.description);
    EXPECT_EQ(Attr(root, "aria-labelledby"), Attr(first, "id") + " " + Attr(second, "id"));
    EXPECT_EQ(Attr(first, "id"), chart.id + "-t");
    EXPECT_EQ(parsed.Find("/s:svg/s:rect[1][@class='okr-bg']").size(), 1u);
  }
}

TEST(ChartTest, NoStyleAttributesAndReadableFontsInEveryKind) {
  for (const ChartImage& chart : EveryKind()) {
    SCOPED_TRACE(chart.title);
    Parsed parsed(chart.svg);
    ASSERT_TRUE(parsed.ok());
    EXPECT_TRUE(parsed.Find("//@style").empty());
    EXPECT_TRUE(parsed.Find("//s:style").empty());
    EXPECT_EQ(chart.svg.find("style"), std::string::npos);
    EXPECT_EQ(Attr(parsed.root(), "font-family"), "DejaVu Sans, Arial, sans-serif");
    for (xmlNodePtr node : parsed.Find("//*[@font-size]")) {
      EXPECT_GE(Num(node, "font-size"), 12) << Content(node);
    }
    for (xmlNodePtr node : parsed.Find("//s:*[not(self::s:title) and not(self::s:desc)]")) {
      if (node == parsed.root()) continue;
      EXPECT_FALSE(Attr(node, "class").empty())
          << reinterpret_cast<const char*>(node->name) << " without a class";
    }
  }
}

TEST(ChartTest, SameInputGivesSameBytesAndDistinctChartsDistinctIds) {
  auto a = NpsChart({Point("2026-10-05T09:00:00Z", 31, 80)});
  auto b = NpsChart({Point("2026-10-05T09:00:00Z", 31, 80)});
  auto c = NpsChart({Point("2026-10-05T09:00:00Z", 32, 80)});
  EXPECT_EQ(a.svg, b.svg);
  EXPECT_EQ(a.id, b.id);
  EXPECT_NE(a.id, c.id);
  EXPECT_NE(a.svg.find("id=\"" + a.id + "-t\""), std::string::npos);
}

TEST(ChartTest, WithChartIdRenamesEveryIdReference) {
  ChartImage chart = WithChartId(NpsChart({}), "second chart!");
  EXPECT_EQ(chart.id, "secondchart");
  Parsed parsed(chart.svg);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(Attr(parsed.root(), "aria-labelledby"), "secondchart-t secondchart-d");
  EXPECT_EQ(parsed.Find("//s:title[@id='secondchart-t']").size(), 1u);
}

TEST(ChartTest, KeyResultCheckInAtTheCycleMidpointSitsMidPlot) {
  Parsed parsed(NpsChart({Point("2026-11-16T00:00:00Z", 40)}).svg);
  ASSERT_TRUE(parsed.ok());
  xmlNodePtr axis = parsed.One("line", "okr-axis-x");
  double middle = (Num(axis, "x1") + Num(axis, "x2")) / 2;
  xmlNodePtr point = parsed.One("circle", "okr-point-manual");
  EXPECT_NEAR(Num(point, "cx"), middle, 0.11);
  EXPECT_EQ(Attr(point, "data-value"), "40");
  EXPECT_EQ(Attr(point, "data-at"), "2026-11-16");
  // 40 lies halfway between the 30 and 50 grid lines.
  EXPECT_NEAR(Num(point, "cy"), (GridY(parsed, "30") + GridY(parsed, "50")) / 2, 0.11);
}

TEST(ChartTest, KeyResultHigherValueIsDrawnHigher) {
  Parsed parsed(
      NpsChart({Point("2026-10-10T00:00:00Z", 35), Point("2026-10-20T00:00:00Z", 45)}).svg);
  auto points = parsed.ByClass("circle", "okr-point");
  ASSERT_EQ(points.size(), 2u);
  EXPECT_LT(Num(points[0], "cx"), Num(points[1], "cx"));
  EXPECT_GT(Num(points[0], "cy"), Num(points[1], "cy"));
  EXPECT_EQ(parsed.ByClass("polyline", "okr-line").size(), 1u);
}

TEST(ChartTest, KeyResultPaceRunsFromBaselineAtStartToTargetAtEnd) {
  Parsed parsed(NpsChart({Point("2026-11-01T00:00:00Z", 38)}).svg);
  xmlNodePtr axis = parsed.One("line", "okr-axis-x");
  xmlNodePtr pace = parsed.One("line", "okr-pace");
  EXPECT_NEAR(Num(pace, "x1"), Num(axis, "x1"), 0.01);
  EXPECT_NEAR(Num(pace, "x2"), Num(axis, "x2"), 0.01);
  EXPECT_NEAR(Num(pace, "y1"), GridY(parsed, "30"), 0.01);
  EXPECT_NEAR(Num(pace, "y2"), GridY(parsed, "50"), 0.01);
  EXPECT_LT(Num(pace, "y2"), Num(pace, "y1"));  // up the page
  EXPECT_FALSE(Attr(pace, "stroke-dasharray").empty());
  xmlNodePtr target = parsed.One("line", "okr-target");
  EXPECT_NEAR(Num(target, "y1"), GridY(parsed, "50"), 0.01);
  EXPECT_EQ(Attr(target, "data-value"), "50");
  EXPECT_TRUE(HasText(parsed, "target 50"));
}

TEST(ChartTest, DecreasingKeyResultReadsNaturallyAndPaceGoesDown) {
  KeyResult kr;
  kr.number = 4;
  kr.text = "Cut p95 latency from 120 ms to 60 ms";
  kr.baseline = 120;
  kr.target = 60;
  kr.unit = "ms";
  kr.direction = Direction::kDecrease;
  ChartImage chart = KeyResultChart(kr, {Point("2026-11-16T00:00:00Z", 80)}, kFirst, kLast,
                                    At("2026-11-20T00:00:00Z"));
  Parsed parsed(chart.svg);
  ASSERT_TRUE(parsed.ok());
  EXPECT_LT(GridY(parsed, "120"), GridY(parsed, "60"));  // larger values higher up
  xmlNodePtr pace = parsed.One("line", "okr-pace");
  EXPECT_NEAR(Num(pace, "y1"), GridY(parsed, "120"), 0.01);
  EXPECT_NEAR(Num(pace, "y2"), GridY(parsed, "60"), 0.01);
  EXPECT_GT(Num(pace, "y2"), Num(pace, "y1"));  // down the page
  EXPECT_TRUE(HasText(parsed, "120 ms"));
  EXPECT_TRUE(HasText(parsed, "60 ms"));
  // Expected at the midpoint: 90 ms; 80 ms is better for a decreasing KR.
  EXPECT_NE(chart.description.find("Now 80 ms (67% of the way) on 2026-11-16, ahead of the "
                                   "expected 90 ms; target 60 ms by 2026-12-31."),
            std::string::npos)
      << chart.description;
}

TEST(ChartTest, KeyResultDescriptionSaysWhereItStands) {
  ChartImage chart =
      NpsChart({Point("2026-10-05T09:00:00Z", 31), Point("2026-11-20T09:00:00Z", 42)});
  EXPECT_EQ(chart.title, "KR3 · Raise NPS from 30 to 50");
  EXPECT_NE(chart.description.find("Now 42 (60% of the way) on 2026-11-20, ahead of the expected"),
            std::string::npos)
      << chart.description;
  EXPECT_NE(chart.description.find("target 50 by 2026-12-31."), std::string::npos);
  ChartImage behind = NpsChart({Point("2026-12-20T09:00:00Z", 35)});
  EXPECT_NE(behind.description.find("behind the expected"), std::string::npos)
      << behind.description;
}

TEST(ChartTest, KeyResultTodayMarkOnlyInsideTheCycle) {
  Parsed inside(NpsChart({}, At("2026-11-16T00:00:00Z")).svg);
  xmlNodePtr axis = inside.One("line", "okr-axis-x");
  xmlNodePtr today = inside.One("line", "okr-today");
  EXPECT_NEAR(Num(today, "x1"), (Num(axis, "x1") + Num(axis, "x2")) / 2, 0.11);
  EXPECT_EQ(Attr(today, "data-at"), "2026-11-16");
  EXPECT_TRUE(HasText(inside, "today"));
  Parsed after(NpsChart({}, At("2027-01-15T00:00:00Z")).svg);
  EXPECT_TRUE(after.ByClass("*", "okr-today").empty());
}

TEST(ChartTest, KeyResultAutomaticAndTypedCheckInsHaveDifferentMarkers) {
  Parsed parsed(NpsChart({Point("2026-10-10T00:00:00Z", 35, std::nullopt, false),
                          Point("2026-10-17T00:00:00Z", 36, std::nullopt, true),
                          Point("2026-10-24T00:00:00Z", 37, std::nullopt, true)})
                    .svg);
  auto manual = parsed.Find("//s:circle[contains(@class, 'okr-point-manual') and @data-at]");
  auto automatic = parsed.Find("//s:rect[contains(@class, 'okr-point-auto') and @data-at]");
  ASSERT_EQ(manual.size(), 1u);
  ASSERT_EQ(automatic.size(), 2u);
  EXPECT_EQ(Attr(automatic[0], "data-value"), "36");
  EXPECT_TRUE(HasText(parsed, "typed"));
  EXPECT_TRUE(HasText(parsed, "automatic"));
  // The square is centred on its check-in like the circle.
  Parsed single(NpsChart({Point("2026-11-16T00:00:00Z", 40, std::nullopt, true)}).svg);
  xmlNodePtr axis = single.One("line", "okr-axis-x");
  auto square = single.Find("//s:rect[contains(@class, 'okr-point-auto') and @data-at]");
  ASSERT_EQ(square.size(), 1u);
  EXPECT_NEAR(CenterX(square[0]), (Num(axis, "x1") + Num(axis, "x2")) / 2, 0.11);
  EXPECT_NEAR(CenterY(square[0]), (GridY(single, "30") + GridY(single, "50")) / 2, 0.11);
}

TEST(ChartTest, KeyResultMarkerColourFollowsConfidence) {
  Parsed parsed(
      NpsChart({Point("2026-10-05T00:00:00Z", 31, 70), Point("2026-10-12T00:00:00Z", 32, 69),
                Point("2026-10-19T00:00:00Z", 33, 40), Point("2026-10-26T00:00:00Z", 34, 39),
                Point("2026-11-02T00:00:00Z", 35)})
          .svg);
  auto points = parsed.Find("//s:*[@data-at and contains(@class, 'okr-point')]");
  ASSERT_EQ(points.size(), 5u);
  EXPECT_EQ(Attr(points[0], "fill"), "#009E73");
  EXPECT_EQ(Attr(points[1], "fill"), "#E69F00");
  EXPECT_EQ(Attr(points[2], "fill"), "#E69F00");
  EXPECT_EQ(Attr(points[3], "fill"), "#D55E00");
  EXPECT_EQ(Attr(points[4], "fill"), "#999999");
  EXPECT_EQ(Attr(points[0], "data-confidence"), "70");
  EXPECT_NE(Attr(points[3], "class").find("okr-conf-low"), std::string::npos);
  // The tooltip says it in words too.
  EXPECT_EQ(Content(xmlFirstElementChild(points[0])), "2026-10-05: 31, confidence 70%");
  EXPECT_TRUE(HasText(parsed, "confidence:"));
}

TEST(ChartTest, KeyResultCheckInsInAnyOrderAreDrawnInTimeOrder) {
  auto in_order = NpsChart({Point("2026-10-05T00:00:00Z", 31), Point("2026-10-12T00:00:00Z", 33),
                            Point("2026-10-19T00:00:00Z", 32)});
  auto shuffled = NpsChart({Point("2026-10-19T00:00:00Z", 32), Point("2026-10-05T00:00:00Z", 31),
                            Point("2026-10-12T00:00:00Z", 33)});
  EXPECT_EQ(in_order.svg, shuffled.svg);
  Parsed parsed(shuffled.svg);
  std::string points = Attr(parsed.One("polyline", "okr-line"), "points");
  double previous = -1;
  for (size_t at = 0; at < points.size();) {
    double x = std::atof(points.c_str() + at);
    EXPECT_GT(x, previous);
    previous = x;
    at = points.find(' ', at);
    if (at == std::string::npos) break;
    ++at;
  }
}

TEST(ChartTest, KeyResultWithoutCheckInsShowsPaceTargetAndEmptyLabel) {
  ChartImage chart = NpsChart({});
  Parsed parsed(chart.svg);
  EXPECT_EQ(parsed.ByClass("line", "okr-pace").size(), 1u);
  EXPECT_EQ(parsed.ByClass("line", "okr-target").size(), 1u);
  EXPECT_EQ(Content(parsed.One("text", "okr-empty")), "No check-ins yet");
  EXPECT_TRUE(parsed.Find("//s:*[@data-at and contains(@class, 'okr-point')]").empty());
  EXPECT_EQ(chart.description, "No check-ins yet; baseline 30, target 50 by 2026-12-31.");
}

TEST(ChartTest, KeyResultWithoutBaselineOrTargetShowsJustTheValues) {
  KeyResult kr;
  kr.number = 9;
  kr.text = "Grow weekly active users";
  kr.unit = "users";
  ChartImage chart =
      KeyResultChart(kr, {Point("2026-10-05T00:00:00Z", 1200), Point("2026-10-12T00:00:00Z", 1500)},
                     kFirst, kLast, At("2026-10-13T00:00:00Z"));
  Parsed parsed(chart.svg);
  EXPECT_TRUE(parsed.ByClass("*", "okr-pace").empty());
  EXPECT_TRUE(parsed.ByClass("line", "okr-target").empty());
  EXPECT_EQ(parsed.ByClass("circle", "okr-point-manual").size(), 2u);
  EXPECT_TRUE(HasText(parsed, "1,500 users"));
  EXPECT_EQ(chart.description, "Now 1,500 users on 2026-10-12; 2 check-ins.");
}

TEST(ChartTest, BinaryKeyResultIsADoneStepChart) {
  KeyResult kr;
  kr.number = 7;
  kr.text = "Launch the new onboarding";
  kr.direction = Direction::kBinary;
  ChartImage chart =
      KeyResultChart(kr, {Point("2026-11-02T00:00:00Z", 0), Point("2026-12-01T00:00:00Z", 1)},
                     kFirst, kLast, At("2026-12-07T00:00:00Z"));
  Parsed parsed(chart.svg);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(HasText(parsed, "Done"));
  EXPECT_TRUE(HasText(parsed, "Not done"));
  EXPECT_TRUE(parsed.ByClass("*", "okr-pace").empty());
  xmlNodePtr step = parsed.One("polyline", "okr-step");
  ASSERT_NE(step, nullptr);
  auto points = parsed.Find("//s:circle[@data-at]");
  ASSERT_EQ(points.size(), 2u);
  EXPECT_NEAR(Num(points[0], "cy"), GridY(parsed, "0"), 0.01);
  EXPECT_NEAR(Num(points[1], "cy"), GridY(parsed, "1"), 0.01);
  // A step: the line goes straight up at the check-in that marked it done.
  std::string x = Attr(points[1], "cx");
  std::string coords = Attr(step, "points");
  EXPECT_NE(coords.find(x + "," + Attr(points[0], "cy") + " " + x + "," + Attr(points[1], "cy")),
            std::string::npos)
      << coords;
  EXPECT_EQ(chart.description, "Done on 2026-12-01.");
}

TEST(ChartTest, HostileAndBrokenTextIsEscapedIntoWellFormedXml) {
  KeyResult kr = Nps();
  kr.text = "<script>alert(1)</script> & \"quotes\" 'too' \xff\xfe\x01 end";
  kr.unit = "<b>";
  ChartImage chart = KeyResultChart(kr, {Point("2026-11-16T00:00:00Z", 40)}, kFirst, kLast,
                                    At("2026-11-20T00:00:00Z"));
  EXPECT_EQ(chart.svg.find("<script"), std::string::npos);
  EXPECT_EQ(chart.svg.find("<b>"), std::string::npos);
  EXPECT_NE(chart.svg.find("&lt;script&gt;"), std::string::npos);
  Parsed parsed(chart.svg);
  ASSERT_TRUE(parsed.ok()) << chart.svg;
  std::string title = Content(parsed.Find("/s:svg/s:title")[0]);
  EXPECT_NE(title.find("<script>alert(1)</script> & \"quotes\" 'too'"), std::string::npos);
  EXPECT_NE(title.find("\xEF\xBF\xBD"), std::string::npos);  // bad bytes replaced
  EXPECT_TRUE(parsed.Find("//s:script").empty());

  ChartImage progress =
      ProgressChart("</svg><svg onload=x>", {{"a\xc3", 0.5, PaceStatus::kAtRisk}});
  Parsed parsed_progress(progress.svg);
  ASSERT_TRUE(parsed_progress.ok()) << progress.svg;
  EXPECT_TRUE(parsed_progress.Find("//@onload").empty());
}

TEST(ChartTest, ProgressBarsShowProgressStatusAndLabels) {
  ChartImage chart =
      ProgressChart("O1 · Delight customers", {{"KR1 · NPS", 0.62, PaceStatus::kOnTrack},
                                               {"KR2 · Churn", 1.5, PaceStatus::kAtRisk},
                                               {"KR3 · Tickets", -0.2, PaceStatus::kOffTrack}});
  Parsed parsed(chart.svg);
  ASSERT_TRUE(parsed.ok());
  auto tracks = parsed.ByClass("rect", "okr-bar-track");
  auto bars = parsed.ByClass("rect", "okr-bar");
  ASSERT_EQ(tracks.size(), 3u);
  ASSERT_EQ(bars.size(), 3u);
  double full = Num(tracks[0], "width");
  EXPECT_NEAR(Num(bars[0], "width"), full * 0.62, 0.11);
  EXPECT_NEAR(Num(bars[1], "width"), full, 0.01);  // clamped
  EXPECT_NEAR(Num(bars[2], "width"), 0, 0.01);
  EXPECT_LT(Num(bars[0], "y"), Num(bars[1], "y"));
  EXPECT_EQ(Attr(bars[0], "fill"), "#009E73");
  EXPECT_EQ(Attr(bars[1], "fill"), "#E69F00");
  EXPECT_EQ(Attr(bars[2], "fill"), "#D55E00");
  EXPECT_NE(Attr(bars[1], "class").find("okr-at-risk"), std::string::npos);
  // Status in words, not only in colour.
  EXPECT_TRUE(HasText(parsed, "62% · on track"));
  EXPECT_TRUE(HasText(parsed, "100% · at risk"));
  EXPECT_TRUE(HasText(parsed, "0% · off track"));
  EXPECT_TRUE(HasText(parsed, "KR1 · NPS"));
  EXPECT_NE(chart.description.find("3 items: 1 on track, 1 at risk, 1 off track"),
            std::string::npos)
      << chart.description;
}

TEST(ChartTest, ProgressChartGrowsWithRowsAndTruncatesLongLabels) {
  std::vector<ProgressRow> rows(
      10, {"Ünïcödé · " + std::string(40, 'x') + "é", 0.5, PaceStatus::kOnTrack});
  ChartImage ten = ProgressChart("Ten", rows);
  ChartImage two = ProgressChart("Two", {rows[0], rows[1]});
  EXPECT_GT(ten.height, two.height);
  Parsed parsed(ten.svg);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(Attr(parsed.root(), "height"), std::to_string(ten.height));
  auto bars = parsed.ByClass("rect", "okr-bar");
  ASSERT_EQ(bars.size(), 10u);
  EXPECT_LE(Num(bars[9], "y") + Num(bars[9], "height"), ten.height);
  std::string label = Content(parsed.Find("//s:text[@class='okr-label']")[0]);
  EXPECT_LT(label.size(), rows[0].label.size());
  EXPECT_EQ(label.substr(label.size() - 3), "…");
  EXPECT_EQ(label.substr(0, 11), "Ünïcödé");  // multi-byte characters kept whole
}

TEST(ChartTest, ScoreDistributionCountsKeyResultsPerBand) {
  ChartImage chart = ScoreDistributionChart("2026-Q4", {0.1, 0.2, 0.5, 0.9, 1.0});
  Parsed parsed(chart.svg);
  ASSERT_TRUE(parsed.ok());
  auto bars = parsed.ByClass("rect", "okr-bar");
  ASSERT_EQ(bars.size(), 3u);
  EXPECT_EQ(Attr(bars[0], "data-count"), "2");
  EXPECT_EQ(Attr(bars[1], "data-count"), "1");
  EXPECT_EQ(Attr(bars[2], "data-count"), "2");
  EXPECT_NEAR(Num(bars[0], "height"), 2 * Num(bars[1], "height"), 0.11);
  EXPECT_TRUE(HasText(parsed, "0–0.3"));
  EXPECT_TRUE(HasText(parsed, "0.7–1.0"));
  EXPECT_EQ(chart.description,
            "5 key results in 2026-Q4: 2 scored 0–0.3, 1 scored 0.3–0.7 and 2 scored 0.7–1.0.");
  // The band edges: 0.3 and 0.7 belong to the higher band.
  Parsed edges(ScoreDistributionChart("Q", {0.3, 0.7, 0.29}).svg);
  auto edge_bars = edges.ByClass("rect", "okr-bar");
  EXPECT_EQ(Attr(edge_bars[0], "data-count"), "1");
  EXPECT_EQ(Attr(edge_bars[1], "data-count"), "1");
  EXPECT_EQ(Attr(edge_bars[2], "data-count"), "1");
}

TEST(ChartTest, CheckInActivityShowsAnsweredOutOfAskedPerWeek) {
  ChartImage chart = CheckInActivityChart("Check-ins · 2026-Q4",
                                          {{Day("2026-11-09"), 5, 5}, {Day("2026-11-02"), 3, 5}});
  Parsed parsed(chart.svg);
  ASSERT_TRUE(parsed.ok());
  auto answered = parsed.ByClass("rect", "okr-bar");
  auto asked = parsed.ByClass("rect", "okr-bar-track");
  ASSERT_EQ(answered.size(), 2u);
  ASSERT_EQ(asked.size(), 2u);
  EXPECT_EQ(Attr(answered[0], "data-week"), "2026-11-02");  // sorted by week
  EXPECT_EQ(Attr(answered[0], "data-answered"), "3");
  EXPECT_NEAR(Num(answered[0], "height"), Num(asked[0], "height") * 3 / 5, 0.11);
  EXPECT_NEAR(Num(answered[1], "height"), Num(asked[1], "height"), 0.01);
  EXPECT_TRUE(HasText(parsed, "3/5"));
  EXPECT_TRUE(HasText(parsed, "Nov 2"));
  EXPECT_EQ(chart.description,
            "Over 2 weeks from 2026-11-02, 8 of 10 check-ins were answered (80%); the week of "
            "2026-11-09: 5 of 5.");
}

TEST(ChartTest, ChartPointOfCarriesTheCheckIn) {
  CheckIn checkin;
  checkin.at = At("2026-11-20T09:00:00Z");
  checkin.value = 42;
  checkin.confidence = 60;
  ChartPoint point = ChartPointOf(checkin);
  EXPECT_EQ(point.at, checkin.at);
  EXPECT_EQ(point.value, 42);
  EXPECT_EQ(point.confidence, 60);
  EXPECT_FALSE(point.automatic);
}

TEST(ChartTest, TwoHundredKeyResultChartsStaySmall) {
  std::vector<ChartPoint> points;
  for (int week = 0; week < 13; ++week) {
    points.push_back(ChartPoint{At("2026-10-05T09:00:00Z") + std::chrono::days(7 * week),
                                30 + week * 1.5, 60 + week, week % 3 == 0});
  }
  size_t total = 0;
  for (int i = 0; i < 200; ++i) total += NpsChart(points).svg.size();
  EXPECT_LT(total / 200, 12000u);
}

}  // namespace
}  // namespace okrbot
