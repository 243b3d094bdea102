#include "bot/chart.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string_view>

#include "core/metric.h"
#include "core/text_util.h"

namespace okrbot {
namespace {

constexpr const char* kFont = "DejaVu Sans, Arial, sans-serif";
constexpr const char* kOnTrack = "#009E73";
constexpr const char* kAtRisk = "#E69F00";
constexpr const char* kOffTrack = "#D55E00";
constexpr const char* kLine = "#0072B2";
constexpr const char* kPace = "#777777";
constexpr const char* kTarget = "#CC79A7";
// Pink text on white is too faint to read (contrast below 3:1); the label uses a darker shade.
constexpr const char* kTargetText = "#9C4A7C";
constexpr const char* kUnset = "#999999";
constexpr const char* kInk = "#222222";
constexpr const char* kMuted = "#555555";
constexpr const char* kGrid = "#E6E6E6";
constexpr const char* kTrack = "#E6E6E6";
// Average advance of a DejaVu Sans glyph at 12 px, for estimating label widths.
constexpr double kCharWidth = 7.0;

// One decimal is enough at 600 px and keeps 200 charts small; "-0" would be a needless variant.
std::string Num(double v) {
  if (!std::isfinite(v)) v = 0;
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.1f", v);
  std::string text(buffer);
  if (text.size() > 2 && text.compare(text.size() - 2, 2, ".0") == 0) text.resize(text.size() - 2);
  if (text == "-0") text = "0";
  return text;
}

// Values in data-* attributes keep their precision so tests and scripts can match them.
std::string ValueAttr(double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.10g", std::isfinite(v) ? v : 0.0);
  return buffer;
}

std::string Clean(const std::string& text) { return ReplaceMarkupForbidden(text); }

// East Asian wide characters and emoji take about two columns.
int CodePointWidth(uint32_t cp) {
  if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
      (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
      (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0x1F300 && cp <= 0x1FAFF) || cp >= 0x20000) {
    return 2;
  }
  return 1;
}

int DisplayWidth(const std::string& clean) {
  int width = 0;
  for (size_t i = 0; i < clean.size();) {
    size_t n = 1;
    width += CodePointWidth(DecodeUtf8At(clean, i, &n));
    i += n;
  }
  return width;
}

// Cleaned `text` cut on a code point boundary to at most `columns` columns, "…" included.
std::string Truncate(const std::string& text, int columns) {
  std::string clean = Clean(text);
  if (DisplayWidth(clean) <= columns) return clean;
  std::string out;
  int width = 0;
  for (size_t i = 0; i < clean.size();) {
    size_t n = 1;
    int w = CodePointWidth(DecodeUtf8At(clean, i, &n));
    if (width + w > columns - 1) break;
    out.append(clean, i, n);
    width += w;
    i += n;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out + "\xE2\x80\xA6";
}

struct ConfidenceLook {
  const char* colour;
  const char* css;
  const char* name;
};

ConfidenceLook ConfidenceOf(std::optional<int> confidence) {
  if (!confidence) return {kUnset, "okr-conf-unset", "unset"};
  if (*confidence >= 70) return {kOnTrack, "okr-conf-high", "high"};
  if (*confidence >= 40) return {kAtRisk, "okr-conf-medium", "medium"};
  return {kOffTrack, "okr-conf-low", "low"};
}

const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::string ShortDate(Days day) {  // "Nov 2"
  date::year_month_day ymd(day);
  return std::string(kMonths[static_cast<unsigned>(ymd.month()) - 1]) + " " +
         std::to_string(static_cast<unsigned>(ymd.day()));
}

double SecondsOf(Seconds t) { return static_cast<double>(t.time_since_epoch().count()); }
double SecondsOf(Days d) { return SecondsOf(Seconds(d)); }
Days DayOf(Seconds t) { return std::chrono::floor<date::days>(t); }

// Builds the body of a document; attributes are written by the callers, already escaped.
class Svg {
 public:
  void Raw(const std::string& s) {
    body_ += s;
    body_ += '\n';
  }
  void Text(double x, double y, const std::string& css, const std::string& text,
            const char* anchor = "start", const char* fill = kInk, int size = 12,
            const std::string& extra = "") {
    body_ += "<text class=\"" + css + "\" x=\"" + Num(x) + "\" y=\"" + Num(y) + "\"";
    if (std::string_view(anchor) != "start")
      body_ += std::string(" text-anchor=\"") + anchor + "\"";
    body_ += std::string(" fill=\"") + fill + "\"";
    if (size != 12) body_ += " font-size=\"" + std::to_string(size) + "\"";
    body_ += extra + ">" + EscapeMarkup(text) + "</text>\n";
  }
  void Line(double x1, double y1, double x2, double y2, const std::string& css, const char* stroke,
            double width = 1, const std::string& extra = "") {
    body_ += "<line class=\"" + css + "\" x1=\"" + Num(x1) + "\" y1=\"" + Num(y1) + "\" x2=\"" +
             Num(x2) + "\" y2=\"" + Num(y2) + "\" stroke=\"" + stroke + "\"";
    if (width != 1) body_ += " stroke-width=\"" + Num(width) + "\"";
    body_ += extra + "/>\n";
  }
  void Rect(double x, double y, double w, double h, const std::string& css, const char* fill,
            const std::string& extra = "") {
    body_ += "<rect class=\"" + css + "\" x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" width=\"" +
             Num(std::max(0.0, w)) + "\" height=\"" + Num(std::max(0.0, h)) + "\" fill=\"" + fill +
             "\"" + extra + "/>\n";
  }
  // `text` is already cleaned; the visible title, bold and larger.
  void Title(const std::string& text, int width) {
    Text(16, 24, "okr-title", Truncate(text, static_cast<int>((width - 32) / 8.6)), "start", kInk,
         15, " font-weight=\"bold\"");
  }
  const std::string& body() const { return body_; }

 private:
  std::string body_;
};

uint64_t Fnv1a(std::string_view data, uint64_t hash = 1469598103934665603ull) {
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

ChartImage Finish(const std::string& title, const std::string& description, const Svg& svg,
                  int width, int height) {
  ChartImage image;
  image.title = Clean(title);
  image.description = Clean(description);
  image.width = width;
  image.height = height;
  uint64_t hash = Fnv1a(image.title);
  hash = Fnv1a(std::string_view("\0", 1), hash);
  hash = Fnv1a(image.description, hash);
  hash = Fnv1a(std::to_string(width) + "x" + std::to_string(height), hash);
  hash = Fnv1a(svg.body(), hash);
  char id[32];
  std::snprintf(id, sizeof(id), "okr-%012llx",
                static_cast<unsigned long long>(hash & 0xFFFFFFFFFFFFull));
  image.id = id;
  std::string w = std::to_string(width);
  std::string h = std::to_string(height);
  std::string& out = image.svg;
  out.reserve(svg.body().size() + 600);
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + w + "\" height=\"" + h +
         "\" viewBox=\"0 0 " + w + " " + h + "\" role=\"img\" aria-labelledby=\"" + image.id +
         "-t " + image.id + "-d\" font-family=\"" + kFont + "\" font-size=\"12\">\n";
  out += "<title id=\"" + image.id + "-t\">" + EscapeMarkup(image.title) + "</title>\n";
  out += "<desc id=\"" + image.id + "-d\">" + EscapeMarkup(image.description) + "</desc>\n";
  out += "<rect class=\"okr-bg\" width=\"" + w + "\" height=\"" + h + "\" fill=\"#FFFFFF\"/>\n";
  out += svg.body();
  out += "</svg>\n";
  return image;
}

// A linear scale with "nice" ticks (1, 2, 2.5 or 5 times a power of ten).
struct Scale {
  double lo = 0;
  double hi = 1;
  std::vector<double> ticks;
};

Scale NiceScale(double lo, double hi, int wanted = 4, bool integers = false) {
  if (!(hi > lo)) {
    double pad = std::max(1.0, std::fabs(lo) * 0.1);
    lo -= pad;
    hi += pad;
  }
  double raw = (hi - lo) / wanted;
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double n = raw / magnitude;
  double step = (n <= 1 ? 1 : n <= 2 ? 2 : n <= 2.5 ? 2.5 : n <= 5 ? 5 : 10) * magnitude;
  if (integers) step = std::max(1.0, std::ceil(step));
  Scale scale;
  double first = std::floor(lo / step + 1e-9);
  double last = std::ceil(hi / step - 1e-9);
  scale.lo = first * step;
  scale.hi = last * step;
  for (double k = first; k <= last && scale.ticks.size() < 24; k += 1)
    scale.ticks.push_back(k * step);
  return scale;
}

std::string Percent(double fraction) {
  return std::to_string(static_cast<int>(std::lround(std::clamp(fraction, 0.0, 1.0) * 100))) + "%";
}

// Legend entries laid out left to right at the bottom of a chart.
class Legend {
 public:
  Legend(Svg* svg, double y) : svg_(svg), y_(y) {}
  void Swatch(const std::string& marker, const std::string& label) {
    svg_->Raw(marker);
    svg_->Text(x_ + 18, y_ + 4, "okr-label", label, "start", kMuted);
    x_ += 18 + kCharWidth * DisplayWidth(label) + 16;
  }
  double x() const { return x_; }
  double y() const { return y_; }

 private:
  Svg* svg_;
  double y_;
  double x_ = 16;
};

}  // namespace

ChartImage WithChartId(ChartImage chart, const std::string& id) {
  std::string clean;
  for (char c : id) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') clean += c;
  }
  if (clean.empty() || !std::isalpha(static_cast<unsigned char>(clean[0]))) clean = "okr-" + clean;
  if (chart.id.empty() || clean == chart.id) return chart;
  std::string out;
  size_t from = 0;
  for (size_t at; (at = chart.svg.find(chart.id, from)) != std::string::npos;) {
    out.append(chart.svg, from, at - from);
    out += clean;
    from = at + chart.id.size();
  }
  out.append(chart.svg, from);
  chart.svg = std::move(out);
  chart.id = clean;
  return chart;
}

ChartPoint ChartPointOf(const CheckIn& checkin) {
  ChartPoint point;
  point.at = checkin.at;
  point.value = checkin.value;
  point.confidence = checkin.confidence;
  point.automatic = false;
  return point;
}

ChartImage KeyResultChart(const KeyResult& kr, const std::vector<ChartPoint>& checkins,
                          Days first_day, Days last_day, Seconds now) {
  constexpr int kW = 600;
  constexpr int kH = 300;
  const bool binary = kr.direction == Direction::kBinary;
  auto finite = [](const std::optional<double>& v) { return v && std::isfinite(*v); };
  const bool has_target = !binary && finite(kr.target);
  const bool has_baseline = !binary && finite(kr.baseline);
  const bool has_pace =
      has_target && has_baseline &&
      (kr.direction == Direction::kIncrease || kr.direction == Direction::kDecrease);

  std::vector<ChartPoint> points;
  for (const ChartPoint& p : checkins) {
    if (std::isfinite(p.value)) points.push_back(p);
  }
  std::stable_sort(points.begin(), points.end(),
                   [](const ChartPoint& a, const ChartPoint& b) { return a.at < b.at; });

  if (last_day < first_day) std::swap(first_day, last_day);
  const double cycle_start = SecondsOf(first_day);
  const double cycle_end = SecondsOf(last_day + date::days(1));
  double t_lo = cycle_start;
  double t_hi = cycle_end;
  if (!points.empty()) {
    t_lo = std::min(t_lo, SecondsOf(points.front().at));
    t_hi = std::max(t_hi, SecondsOf(points.back().at));
  }

  // The y scale; binary KRs map done to 1 and not done to 0 with room around them.
  Scale scale;
  if (binary) {
    scale.lo = -0.25;
    scale.hi = 1.25;
    scale.ticks = {0, 1};
  } else {
    std::vector<double> values;
    for (const ChartPoint& p : points) values.push_back(p.value);
    if (has_target) values.push_back(*kr.target);
    if (has_baseline) values.push_back(*kr.baseline);
    if (values.empty()) values = {0, 1};
    auto [mn, mx] = std::minmax_element(values.begin(), values.end());
    // A little room above and below so the target and the extreme check-ins do not sit on the
    // axis or the top edge; never below zero for values that cannot go negative.
    double pad = (*mx - *mn) * 0.03;
    double lo = *mn >= 0 ? std::max(0.0, *mn - pad) : *mn - pad;
    scale = NiceScale(lo, *mx + pad, 5);
  }
  std::vector<std::string> tick_labels;
  size_t widest = 0;
  for (double tick : scale.ticks) {
    std::string label = binary ? (tick >= 1 ? "Done" : "Not done") : FormatValue(tick, kr.unit);
    widest = std::max<size_t>(widest, DisplayWidth(Clean(label)));
    tick_labels.push_back(label);
  }

  const double left = std::clamp(16 + kCharWidth * widest, 48.0, 200.0);
  const double right = kW - 24;
  const double top = 44;
  const double bottom = kH - 58;
  auto x_of = [&](double t) { return left + (t - t_lo) / (t_hi - t_lo) * (right - left); };
  auto y_of = [&](double v) {
    return bottom - (v - scale.lo) / (scale.hi - scale.lo) * (bottom - top);
  };
  auto shown = [&](double v) { return binary ? (v >= 1 ? 1.0 : 0.0) : v; };

  std::string ref = kr.number > 0 ? KeyResultRef(kr.number) : "";
  std::string title = Truncate(ref.empty() ? kr.text : ref + " \xC2\xB7 " + kr.text, 80);

  Svg svg;
  svg.Title(ref.empty() ? kr.text : ref + " \xC2\xB7 " + kr.text, kW);

  // Grid and y labels.
  for (size_t i = 0; i < scale.ticks.size(); ++i) {
    double y = y_of(scale.ticks[i]);
    svg.Line(left, y, right, y, "okr-grid", kGrid, 1,
             " data-value=\"" + ValueAttr(scale.ticks[i]) + "\"");
    svg.Text(left - 6, y + 4, "okr-label", Clean(tick_labels[i]), "end", kMuted);
  }

  // X axis: weeks for short spans, months otherwise, each label kept clear of its neighbours.
  const Days day_lo = DayOf(Seconds(std::chrono::seconds(static_cast<long long>(t_lo))));
  const Days day_hi = DayOf(Seconds(std::chrono::seconds(static_cast<long long>(t_hi))));
  const double plot_w = right - left;
  std::vector<std::pair<Days, std::string>> x_ticks;
  std::vector<Days> minor;
  const bool by_week = (day_hi - day_lo).count() <= 63;
  for (Days d = day_lo; d <= day_hi + date::days(1); d += date::days(1)) {
    date::year_month_day ymd(d);
    if (date::weekday(d) == date::Monday) minor.push_back(d);
    if (by_week && date::weekday(d) == date::Monday) x_ticks.emplace_back(d, ShortDate(d));
    if (!by_week && ymd.day() == date::day(1)) {
      unsigned m = static_cast<unsigned>(ymd.month());
      std::string label = kMonths[m - 1];
      if (m == 1) label += " " + std::to_string(static_cast<int>(ymd.year()));
      x_ticks.emplace_back(d, label);
    }
  }
  double last_label_end = -1e9;
  for (const auto& [day, label] : x_ticks) {
    double x = x_of(SecondsOf(day));
    if (x < left - 0.5 || x > right + 0.5) continue;
    double half = kCharWidth * DisplayWidth(label) / 2;
    if (x - half < last_label_end + 8 || x + half > kW - 2) continue;
    svg.Line(x, top, x, bottom, "okr-grid", kGrid);
    svg.Text(x, bottom + 18, "okr-label", label, "middle", kMuted);
    last_label_end = x + half;
  }
  if (plot_w / std::max<size_t>(1, minor.size()) >= 6) {
    for (Days day : minor) {
      double x = x_of(SecondsOf(day));
      if (x < left || x > right) continue;
      svg.Line(x, bottom, x, bottom + 4, "okr-axis", kMuted);
    }
  }
  svg.Line(left, bottom, right, bottom, "okr-axis okr-axis-x", kMuted);
  svg.Line(left, top, left, bottom, "okr-axis okr-axis-y", kMuted);

  // Target and pace under the data.
  if (has_target) {
    double y = y_of(*kr.target);
    std::string word = kr.direction == Direction::kMaintainAtLeast  ? "at least "
                       : kr.direction == Direction::kMaintainAtMost ? "at most "
                                                                    : "target ";
    svg.Line(left, y, right, y, "okr-target", kTarget, 2,
             " data-value=\"" + ValueAttr(*kr.target) + "\"");
    svg.Text(left + 6, y - 6, "okr-label okr-target",
             word + Clean(FormatValue(*kr.target, kr.unit)), "start", kTargetText);
  }
  if (has_pace) {
    svg.Line(x_of(cycle_start), y_of(*kr.baseline), x_of(cycle_end), y_of(*kr.target), "okr-pace",
             kPace, 1.5,
             " stroke-dasharray=\"6 4\" data-from=\"" + ValueAttr(*kr.baseline) + "\" data-to=\"" +
                 ValueAttr(*kr.target) + "\"");
  }

  const double t_now = SecondsOf(now);
  if (t_now >= cycle_start && t_now <= cycle_end) {
    double x = x_of(t_now);
    svg.Line(x, top, x, bottom, "okr-today", kMuted, 1,
             " stroke-dasharray=\"2 3\" data-at=\"" + FormatDate(DayOf(now)) + "\"");
    svg.Text(std::clamp(x, left + 18, right - 18), top - 5, "okr-label okr-today", "today",
             "middle", kMuted);
  }

  // The values: a line (a step line for binary KRs), then the markers on top.
  if (!points.empty()) {
    std::string coords;
    auto add = [&](double x, double y) {
      if (!coords.empty()) coords += ' ';
      coords += Num(x) + "," + Num(y);
    };
    if (binary) {
      double prev = 0;
      add(x_of(cycle_start), y_of(0));
      for (const ChartPoint& p : points) {
        double x = x_of(SecondsOf(p.at));
        add(x, y_of(prev));
        prev = shown(p.value);
        add(x, y_of(prev));
      }
      double end = std::min(std::max(t_now, SecondsOf(points.back().at)), t_hi);
      add(x_of(end), y_of(prev));
    } else {
      for (const ChartPoint& p : points) add(x_of(SecondsOf(p.at)), y_of(p.value));
    }
    if (binary || points.size() > 1) {
      svg.Raw("<polyline class=\"okr-line" + std::string(binary ? " okr-step" : "") +
              "\" fill=\"none\" stroke=\"" + kLine +
              "\" stroke-width=\"2.5\" stroke-linejoin=\"round\" points=\"" + coords + "\"/>");
    }
  }
  bool any_auto = false;
  bool any_confidence = false;
  for (const ChartPoint& p : points) {
    any_auto = any_auto || p.automatic;
    any_confidence = any_confidence || p.confidence.has_value();
    double x = x_of(SecondsOf(p.at));
    double y = y_of(shown(p.value));
    ConfidenceLook look = ConfidenceOf(p.confidence);
    std::string day = FormatDate(DayOf(p.at));
    std::string shown_value =
        binary ? (p.value >= 1 ? "Done" : "Not done") : Clean(FormatValue(p.value, kr.unit));
    std::string tip = day + ": " + shown_value;
    if (p.confidence) tip += ", confidence " + std::to_string(*p.confidence) + "%";
    if (p.automatic) tip += " (automatic)";
    std::string attrs = std::string(" data-value=\"") + ValueAttr(p.value) + "\" data-at=\"" + day +
                        "\"" +
                        (p.confidence ? " data-confidence=\"" + std::to_string(*p.confidence) + "\""
                                      : std::string()) +
                        " fill=\"" + look.colour + "\" stroke=\"" + kInk + "\"";
    std::string css = std::string("okr-point ") +
                      (p.automatic ? "okr-point-auto " : "okr-point-manual ") + look.css;
    if (p.automatic) {
      svg.Raw("<rect class=\"" + css + "\" x=\"" + Num(x - 5) + "\" y=\"" + Num(y - 5) +
              "\" width=\"10\" height=\"10\"" + attrs + "><title>" + EscapeMarkup(tip) +
              "</title></rect>");
    } else {
      svg.Raw("<circle class=\"" + css + "\" cx=\"" + Num(x) + "\" cy=\"" + Num(y) + "\" r=\"5\"" +
              attrs + "><title>" + EscapeMarkup(tip) + "</title></circle>");
    }
  }
  if (points.empty()) {
    // A backing so the pace line does not run through the words.
    const double mid_x = (left + right) / 2;
    const double mid_y = (top + bottom) / 2;
    svg.Rect(mid_x - 70, mid_y - 12, 140, 24, "okr-bg okr-empty", "#FFFFFF");
    svg.Text(mid_x, mid_y + 5, "okr-empty", "No check-ins yet", "middle", kMuted, 14);
  }

  // Legend: what the shapes and colours mean, so nothing depends on colour alone.
  Legend legend(&svg, kH - 14);
  auto circle = [&](const char* fill) {
    return "<circle class=\"okr-legend okr-point okr-point-manual\" cx=\"" + Num(legend.x() + 6) +
           "\" cy=\"" + Num(legend.y()) + "\" r=\"5\" fill=\"" + fill + "\" stroke=\"" + kInk +
           "\"/>";
  };
  if (!points.empty()) legend.Swatch(circle(kUnset), "typed");
  if (any_auto) {
    legend.Swatch("<rect class=\"okr-legend okr-point okr-point-auto\" x=\"" + Num(legend.x() + 1) +
                      "\" y=\"" + Num(legend.y() - 5) + "\" width=\"10\" height=\"10\" fill=\"" +
                      kUnset + "\" stroke=\"" + kInk + "\"/>",
                  "automatic");
  }
  if (has_pace) {
    legend.Swatch("<line class=\"okr-legend okr-pace\" x1=\"" + Num(legend.x()) + "\" y1=\"" +
                      Num(legend.y()) + "\" x2=\"" + Num(legend.x() + 14) + "\" y2=\"" +
                      Num(legend.y()) + "\" stroke=\"" + kPace +
                      "\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>",
                  "expected pace");
  }
  if (any_confidence) {
    svg.Text(legend.x(), legend.y() + 4, "okr-label", "confidence:", "start", kMuted);
    double x = legend.x() + kCharWidth * 11 + 6;
    for (auto [fill, name] :
         {std::pair{kOnTrack, "high"}, std::pair{kAtRisk, "medium"}, std::pair{kOffTrack, "low"}}) {
      svg.Raw("<circle class=\"okr-legend okr-point\" cx=\"" + Num(x + 6) + "\" cy=\"" +
              Num(legend.y()) + "\" r=\"5\" fill=\"" + fill + "\" stroke=\"" + kInk + "\"/>");
      svg.Text(x + 15, legend.y() + 4, "okr-label", name, "start", kMuted);
      x += 15 + kCharWidth * std::string_view(name).size() + 10;
    }
  }

  // The text alternative.
  std::string description;
  std::string by = FormatDate(last_day);
  if (points.empty()) {
    description = "No check-ins yet";
    if (binary) {
      description += "; due by " + by + ".";
    } else if (has_target) {
      if (has_baseline) description += "; baseline " + FormatValue(*kr.baseline, kr.unit) + ",";
      description += std::string(has_baseline ? " " : "; ") + "target " +
                     FormatValue(*kr.target, kr.unit) + " by " + by + ".";
    } else {
      description += ".";
    }
  } else {
    const ChartPoint& latest = points.back();
    std::string day = FormatDate(DayOf(latest.at));
    if (binary) {
      description = latest.value >= 1 ? "Done on " + day + "." : "Not done yet as of " + day + ".";
    } else {
      description = "Now " + FormatValue(latest.value, kr.unit);
      if (has_target && kr.direction != Direction::kMaintainAtLeast &&
          kr.direction != Direction::kMaintainAtMost) {
        description += " (" + Percent(KeyResultProgress(kr, latest.value)) + " of the way)";
      }
      description += " on " + day;
      if (has_pace) {
        double t = std::clamp(SecondsOf(latest.at), cycle_start, cycle_end);
        double fraction = (t - cycle_start) / (cycle_end - cycle_start);
        double expected = *kr.baseline + (*kr.target - *kr.baseline) * fraction;
        double better = kr.direction == Direction::kDecrease ? expected - latest.value
                                                             : latest.value - expected;
        double tolerance = std::fabs(*kr.target - *kr.baseline) * 0.02;
        const char* relation = better > tolerance    ? ", ahead of the expected "
                               : better < -tolerance ? ", behind the expected "
                                                     : ", on pace with the expected ";
        description += relation + FormatValue(expected, kr.unit);
      }
      if (has_target) {
        if (kr.direction == Direction::kMaintainAtLeast) {
          description += latest.value >= *kr.target ? ", meeting" : ", below";
          description += " the target of at least " + FormatValue(*kr.target, kr.unit) + ".";
        } else if (kr.direction == Direction::kMaintainAtMost) {
          description += latest.value <= *kr.target ? ", meeting" : ", above";
          description += " the target of at most " + FormatValue(*kr.target, kr.unit) + ".";
        } else {
          description += "; target " + FormatValue(*kr.target, kr.unit) + " by " + by + ".";
        }
      } else {
        description += "; " + std::to_string(points.size()) +
                       (points.size() == 1 ? " check-in." : " check-ins.");
      }
    }
  }
  return Finish(title, description, svg, kW, kH);
}

ChartImage ProgressChart(const std::string& title, const std::vector<ProgressRow>& rows) {
  constexpr int kW = 600;
  constexpr double kRowH = 28;
  constexpr double kTop = 44;
  constexpr double kTrackX = 210;
  constexpr double kTrackEnd = 470;
  const int height = static_cast<int>(kTop + kRowH * std::max<size_t>(1, rows.size()) + 10);
  Svg svg;
  svg.Title(title, kW);
  int on = 0;
  int risk = 0;
  int off = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const ProgressRow& row = rows[i];
    double progress = std::isfinite(row.progress) ? std::clamp(row.progress, 0.0, 1.0) : 0.0;
    double y = kTop + kRowH * i;
    double mid = y + kRowH / 2;
    svg.Text(16, mid + 4, "okr-label", Truncate(row.label, 27), "start", kInk, 12);
    svg.Rect(kTrackX, mid - 8, kTrackEnd - kTrackX, 16, "okr-bar-track", kTrack);
    svg.Rect(kTrackX, mid - 8, (kTrackEnd - kTrackX) * progress, 16,
             std::string("okr-bar ") + PaceStatusClass(row.status), PaceStatusColour(row.status),
             " data-progress=\"" + ValueAttr(progress) + "\"");
    svg.Text(kTrackEnd + 8, mid + 4, std::string("okr-label ") + PaceStatusClass(row.status),
             Percent(progress) + " \xC2\xB7 " + PaceStatusName(row.status), "start", kInk);
    (row.status == PaceStatus::kOnTrack ? on : row.status == PaceStatus::kAtRisk ? risk : off)++;
  }
  std::string description;
  if (rows.empty()) {
    svg.Text(16, kTop + kRowH / 2 + 4, "okr-empty", "Nothing to show yet", "start", kMuted, 12);
    description = "Nothing to show yet.";
  } else {
    description = std::to_string(rows.size()) + (rows.size() == 1 ? " item: " : " items: ") +
                  std::to_string(on) + " on track, " + std::to_string(risk) + " at risk, " +
                  std::to_string(off) + " off track";
    description += "; ";
    for (size_t i = 0; i < rows.size() && i < 20; ++i) {
      if (i > 0) description += ", ";
      double p = std::isfinite(rows[i].progress) ? rows[i].progress : 0.0;
      description += Truncate(rows[i].label, 40) + " " + Percent(p);
    }
    if (rows.size() > 20) description += ", and " + std::to_string(rows.size() - 20) + " more";
    description += ".";
  }
  return Finish(title, description, svg, kW, height);
}

namespace {

// A vertical bar chart on integer counts, shared by the distribution and activity charts.
struct CountAxes {
  double left = 48;
  double right = 576;
  double top = 48;
  double bottom = 244;
  Scale scale;
  double Y(double v) const {
    return bottom - (v - scale.lo) / (scale.hi - scale.lo) * (bottom - top);
  }
};

CountAxes DrawCountAxes(Svg* svg, int max_count) {
  CountAxes axes;
  axes.scale = NiceScale(0, std::max(1, max_count), 4, true);
  axes.scale.lo = 0;
  for (double tick : axes.scale.ticks) {
    if (tick < 0) continue;
    double y = axes.Y(tick);
    svg->Line(axes.left, y, axes.right, y, "okr-grid", kGrid, 1,
              " data-value=\"" + ValueAttr(tick) + "\"");
    svg->Text(axes.left - 6, y + 4, "okr-label", Num(tick), "end", kMuted);
  }
  return axes;
}

}  // namespace

ChartImage ScoreDistributionChart(const std::string& cycle, const std::vector<double>& kr_scores) {
  constexpr int kW = 600;
  constexpr int kH = 300;
  int counts[3] = {0, 0, 0};
  for (double score : kr_scores) {
    double s = std::isfinite(score) ? std::clamp(score, 0.0, 1.0) : 0.0;
    counts[s < 0.3 ? 0 : s < 0.7 ? 1 : 2]++;
  }
  const char* const bands[] = {
      "0\xE2\x80\x93"
      "0.3",
      "0.3\xE2\x80\x93"
      "0.7",
      "0.7\xE2\x80\x93"
      "1.0"};
  const char* const band_attr[] = {"0-0.3", "0.3-0.7", "0.7-1.0"};
  const char* const colours[] = {kOffTrack, kAtRisk, kOnTrack};
  const char* const classes[] = {"okr-off-track", "okr-at-risk", "okr-on-track"};
  std::string title = "Score distribution \xC2\xB7 " + cycle;
  Svg svg;
  svg.Title(title, kW);
  CountAxes axes = DrawCountAxes(&svg, std::max({counts[0], counts[1], counts[2]}));
  double slot = (axes.right - axes.left) / 3;
  for (int i = 0; i < 3; ++i) {
    double center = axes.left + slot * (i + 0.5);
    double bar_w = slot * 0.5;
    double y = axes.Y(counts[i]);
    svg.Rect(center - bar_w / 2, y, bar_w, axes.bottom - y, std::string("okr-bar ") + classes[i],
             colours[i],
             " data-band=\"" + std::string(band_attr[i]) + "\" data-count=\"" +
                 std::to_string(counts[i]) + "\"");
    svg.Text(center, y - 6, "okr-label", std::to_string(counts[i]), "middle", kInk, 14,
             " font-weight=\"bold\"");
    svg.Text(center, axes.bottom + 18, "okr-label", bands[i], "middle", kMuted);
  }
  svg.Line(axes.left, axes.bottom, axes.right, axes.bottom, "okr-axis okr-axis-x", kMuted);
  svg.Text(axes.left + (axes.right - axes.left) / 2, kH - 14, "okr-label", "score", "middle",
           kMuted);
  std::string description;
  if (kr_scores.empty()) {
    svg.Text((axes.left + axes.right) / 2, (axes.top + axes.bottom) / 2, "okr-empty",
             "No scores yet", "middle", kMuted, 14);
    description = "No key results scored in " + cycle + ".";
  } else {
    description = std::to_string(kr_scores.size()) +
                  (kr_scores.size() == 1 ? " key result" : " key results") + " in " + cycle + ": " +
                  std::to_string(counts[0]) +
                  " scored 0\xE2\x80\x93"
                  "0.3, " +
                  std::to_string(counts[1]) +
                  " scored 0.3\xE2\x80\x93"
                  "0.7 and " +
                  std::to_string(counts[2]) +
                  " scored 0.7\xE2\x80\x93"
                  "1.0.";
  }
  return Finish(title, description, svg, kW, kH);
}

ChartImage CheckInActivityChart(const std::string& title, const std::vector<WeekActivity>& weeks) {
  constexpr int kW = 600;
  constexpr int kH = 300;
  std::vector<WeekActivity> sorted = weeks;
  std::stable_sort(sorted.begin(), sorted.end(), [](const WeekActivity& a, const WeekActivity& b) {
    return a.week_start < b.week_start;
  });
  int max_count = 0;
  long answered = 0;
  long asked = 0;
  for (WeekActivity& w : sorted) {
    w.asked = std::max(0, w.asked);
    w.answered = std::max(0, w.answered);
    max_count = std::max({max_count, w.asked, w.answered});
    answered += w.answered;
    asked += w.asked;
  }
  Svg svg;
  svg.Title(title, kW);
  CountAxes axes = DrawCountAxes(&svg, max_count);
  const size_t n = std::max<size_t>(1, sorted.size());
  double slot = (axes.right - axes.left) / n;
  double bar_w = std::min(40.0, slot * 0.7);
  double last_label_end = -1e9;
  for (size_t i = 0; i < sorted.size(); ++i) {
    const WeekActivity& w = sorted[i];
    double center = axes.left + slot * (i + 0.5);
    double track_y = axes.Y(std::max(w.asked, w.answered));
    double bar_y = axes.Y(w.answered);
    std::string day = FormatDate(w.week_start);
    svg.Rect(center - bar_w / 2, track_y, bar_w, axes.bottom - track_y, "okr-bar-track", "#C8C8C8",
             " data-week=\"" + day + "\" data-asked=\"" + std::to_string(w.asked) + "\"");
    svg.Rect(center - bar_w / 2, bar_y, bar_w, axes.bottom - bar_y, "okr-bar", kLine,
             " data-week=\"" + day + "\" data-answered=\"" + std::to_string(w.answered) + "\"");
    std::string count = std::to_string(w.answered) + "/" + std::to_string(w.asked);
    if (slot >= kCharWidth * count.size() + 4) {
      svg.Text(center, track_y - 5, "okr-label", count, "middle", kInk);
    }
    std::string label = ShortDate(w.week_start);
    double half = kCharWidth * label.size() / 2;
    if (center - half >= last_label_end + 8 && center + half <= kW - 2) {
      svg.Text(center, axes.bottom + 18, "okr-label", label, "middle", kMuted);
      last_label_end = center + half;
    }
  }
  svg.Line(axes.left, axes.bottom, axes.right, axes.bottom, "okr-axis okr-axis-x", kMuted);
  std::string description;
  if (sorted.empty()) {
    svg.Text((axes.left + axes.right) / 2, (axes.top + axes.bottom) / 2, "okr-empty",
             "No check-ins asked yet", "middle", kMuted, 14);
    description = "No check-ins asked yet.";
  } else {
    Legend legend(&svg, kH - 14);
    legend.Swatch("<rect class=\"okr-legend okr-bar\" x=\"16\" y=\"" + Num(legend.y() - 6) +
                      "\" width=\"12\" height=\"12\" fill=\"" + kLine + "\"/>",
                  "answered");
    legend.Swatch("<rect class=\"okr-legend okr-bar-track\" x=\"" + Num(legend.x()) + "\" y=\"" +
                      Num(legend.y() - 6) + "\" width=\"12\" height=\"12\" fill=\"#C8C8C8\"/>",
                  "asked, not answered");
    const WeekActivity& last = sorted.back();
    description = "Over " + std::to_string(sorted.size()) +
                  (sorted.size() == 1 ? " week" : " weeks") + " from " +
                  FormatDate(sorted.front().week_start) + ", " + std::to_string(answered) + " of " +
                  std::to_string(asked) + " check-ins were answered";
    if (asked > 0) description += " (" + Percent(static_cast<double>(answered) / asked) + ")";
    description += "; the week of " + FormatDate(last.week_start) + ": " +
                   std::to_string(last.answered) + " of " + std::to_string(last.asked) + ".";
  }
  return Finish(title, description, svg, kW, kH);
}

const char* PaceStatusColour(PaceStatus s) {
  switch (s) {
    case PaceStatus::kOnTrack:
      return kOnTrack;
    case PaceStatus::kAtRisk:
      return kAtRisk;
    case PaceStatus::kOffTrack:
      return kOffTrack;
  }
  return kOnTrack;
}

const char* PaceStatusClass(PaceStatus s) {
  switch (s) {
    case PaceStatus::kOnTrack:
      return "okr-on-track";
    case PaceStatus::kAtRisk:
      return "okr-at-risk";
    case PaceStatus::kOffTrack:
      return "okr-off-track";
  }
  return "okr-on-track";
}

void AppendChart(Reply* reply, const ChartImage& chart) {
  reply->Image(chart.title, chart.description, chart.svg, chart.width, chart.height);
}

}  // namespace okrbot
