#include "adapters/web/dashboard_pages.h"

#include <cmath>

#include "core/metric.h"
#include "core/text_util.h"

namespace okrbot::web {

namespace {

std::string E(const std::string& text) { return EscapeMarkup(text); }

std::string Percent(double x) {
  if (!std::isfinite(x)) x = 0;
  return std::to_string(static_cast<int>(std::lround(x * 100))) + "%";
}

std::string Score(double x) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", std::isfinite(x) ? x : 0.0);
  return buf;
}

// A small inline SVG bar (no style attribute: the page's CSP allows none), with the figure
// beside it in text so the bar is never the only carrier of the number.
std::string MiniBar(double progress, PaceStatus pace) {
  if (!std::isfinite(progress)) progress = 0;
  double p = std::clamp(progress, 0.0, 1.0);
  char width[16];
  std::snprintf(width, sizeof width, "%.1f", p * 100);
  return std::string("<svg class=\"okr-minibar\" width=\"120\" height=\"10\" ") +
         "viewBox=\"0 0 100 10\" aria-hidden=\"true\"><rect class=\"okr-bar-track\" " +
         "width=\"100\" height=\"10\" rx=\"3\" fill=\"#e5e7eb\"/><rect class=\"okr-bar " +
         PaceStatusClass(pace) + "\" width=\"" + width + "\" height=\"10\" rx=\"3\" fill=\"" +
         PaceStatusColour(pace) + "\"/></svg>";
}

std::string PaceBadge(PaceStatus pace) {
  return std::string("<span class=\"badge ") + PaceStatusClass(pace) + "\">" +
         PaceStatusName(pace) + "</span>";
}

std::string ConfidenceText(std::optional<int> confidence) {
  if (!confidence) return "—";
  int c = *confidence;
  const char* word = c >= 70 ? "high" : c >= 40 ? "medium" : "low";
  return std::string(word) + " (" + std::to_string(c) + "%)";
}

std::string Value(const KeyResult& kr, std::optional<double> value) {
  if (!value) return "—";
  if (kr.direction == Direction::kBinary) return *value >= 1 ? "done" : "not done";
  return E(FormatValue(*value, kr.unit));
}

std::string Head(const PageFrame& frame) {
  std::string out =
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>" +
      E(frame.title) + " · okrbot</title><link rel=\"stylesheet\" href=\"/app/style.css\">" +
      "</head><body>\n<header class=\"top\"><a class=\"brand\" href=\"/app/\">okrbot</a>";
  if (!frame.csrf.empty()) {
    out += "<nav>";
    for (auto [key, href, label] : {std::tuple{"overview", "/app/", "Overview"},
                                    std::tuple{"people", "/app/people", "People"},
                                    std::tuple{"summary", "/app/summary", "Summary"}}) {
      out += std::string("<a href=\"") + href + "\"" +
             (frame.nav == key ? " aria-current=\"page\"" : "") + ">" + label + "</a>";
    }
    out += "</nav><span class=\"who\">" + E(frame.workspace_name) + " · " + E(frame.user_label) +
           "</span><form class=\"signout\" method=\"post\" action=\"/app/logout\">"
           "<input type=\"hidden\" name=\"csrf\" value=\"" +
           E(frame.csrf) + "\"><button type=\"submit\">Sign out</button></form>";
  }
  out += "</header>\n<main>\n<h1>" + E(frame.title) + "</h1>\n";
  return out;
}

std::string Foot() { return "</main>\n</body></html>\n"; }

std::string Figure(const ChartImage& chart) {
  if (chart.svg.empty()) return "";
  return "<figure class=\"chart\">" + chart.svg + "<figcaption>" + E(chart.description) +
         "</figcaption></figure>\n";
}

std::string Select(const char* name, const char* label, const std::vector<Option>& options,
                   const std::string& current, bool with_all) {
  std::string out = std::string("<label>") + label + " <select name=\"" + name + "\">";
  if (with_all) out += "<option value=\"\">All</option>";
  for (const Option& option : options) {
    out += "<option value=\"" + E(option.value) + "\"" +
           (option.value == current ? " selected" : "") + ">" + E(option.label) + "</option>";
  }
  return out + "</select></label>";
}

std::vector<Option> Plain(const std::vector<std::string>& values) {
  std::vector<Option> out;
  for (const std::string& v : values) out.push_back({v, v});
  return out;
}

std::string KrRow(const KrView& k) {
  std::string out = "<li class=\"kr\"><a href=\"/app/kr/" + std::to_string(k.kr.number) + "\">" +
                    KeyResultRef(k.kr.number) + "</a> <span class=\"title\">" + E(k.kr.text) +
                    "</span> " + MiniBar(k.progress, k.pace) + " <span class=\"figure\">" +
                    Percent(k.progress) + "</span> " + PaceBadge(k.pace) +
                    " <span class=\"meta\">" + Value(k.kr, k.kr.current) + " of " +
                    Value(k.kr, k.kr.target) + " · " + E(k.owner_label) + " · confidence " +
                    ConfidenceText(k.confidence) + "</span>";
  if (k.stale) out += " <span class=\"badge stale\">stale</span>";
  if (k.owner_away) out += " <span class=\"badge away\">away</span>";
  return out + "</li>";
}

std::string ObjectiveBlock(const ObjectiveView& o, bool link) {
  std::string number = std::to_string(o.objective.number);
  std::string title = E(o.objective.title);
  std::string out = "<section class=\"objective depth-" + std::to_string(std::min(o.depth, 4)) +
                    "\" data-objective=\"" + number + "\"><h2>";
  out += link ? "<a href=\"/app/o/" + number + "\">O" + number + " " + title + "</a>"
              : "O" + number + " " + title;
  out += "</h2><p class=\"meta\">" + MiniBar(o.score, o.pace) + " <span class=\"figure\">" +
         Score(o.score) + "</span> " + PaceBadge(o.pace) + " · " + E(o.owner_label) +
         (o.objective.team.empty() ? "" : " · team " + E(o.objective.team)) + " · " +
         GoalTypeName(o.objective.type) + "</p>";
  if (o.krs.empty()) {
    out += "<p class=\"empty\">No key results yet.</p>";
  } else {
    out += "<ul class=\"krs\">";
    for (const KrView& k : o.krs) out += KrRow(k);
    out += "</ul>";
  }
  return out + "</section>\n";
}

std::string Findings(const std::vector<Finding>& findings) {
  if (findings.empty()) return "<p class=\"empty\">No review findings: this reads well.</p>";
  std::string out = "<ul class=\"findings\">";
  for (const Finding& f : findings) {
    out += "<li><strong>" + E(f.subject) + "</strong> " + E(f.message);
    if (!f.suggestion.empty()) out += " <em>" + E(f.suggestion) + "</em>";
    out += "</li>";
  }
  return out + "</ul>";
}

std::string FormatDay(Seconds at) { return FormatDate(date::floor<date::days>(at)); }

}  // namespace

std::string RenderOverview(const PageFrame& frame, const OverviewPage& page) {
  std::string out = Head(frame);
  out += "<form class=\"filters\" method=\"get\" action=\"/app/\">" +
         Select("cycle", "Cycle", Plain(page.cycles), page.cycle, false) +
         Select("team", "Team", Plain(page.teams), page.team, true) +
         Select("owner", "Owner", page.owners, page.owner, true) +
         "<button type=\"submit\">Show</button></form>\n";
  out += "<p class=\"meta\">" + E(page.cycle) + " · " + Percent(page.elapsed) +
         " of the cycle gone · " + std::to_string(page.objectives.size()) + " objectives</p>\n";
  if (page.objectives.empty()) {
    out +=
        "<p class=\"empty\">No objectives match. Add one in chat: <code>/okr objective add "
        "\"…\"</code></p>\n";
  }
  for (const ObjectiveView& o : page.objectives) out += ObjectiveBlock(o, /*link=*/true);
  return out + Foot();
}

std::string RenderObjective(const PageFrame& frame, const ObjectivePage& page) {
  std::string out = Head(frame);
  if (!page.parent_title.empty() && page.view.objective.parent > 0) {
    out += "<p class=\"meta\">Aligned to <a href=\"/app/o/" +
           std::to_string(page.view.objective.parent) + "\">O" +
           std::to_string(page.view.objective.parent) + " " + E(page.parent_title) + "</a></p>";
  }
  out += ObjectiveBlock(page.view, /*link=*/false);
  out += Figure(page.chart);
  out += "<h2>Review</h2>" + Findings(page.findings);
  return out + Foot();
}

std::string RenderKeyResult(const PageFrame& frame, const KeyResultPage& page) {
  const KrView& k = page.view;
  std::string out = Head(frame);
  out += "<p class=\"meta\"><a href=\"/app/o/" + std::to_string(page.objective.number) + "\">O" +
         std::to_string(page.objective.number) + " " + E(page.objective.title) + "</a></p>";
  out += "<dl class=\"facts\"><dt>Now</dt><dd>" + Value(k.kr, k.kr.current) +
         "</dd><dt>Baseline</dt><dd>" + Value(k.kr, k.kr.baseline) + "</dd><dt>Target</dt><dd>" +
         Value(k.kr, k.kr.target) + "</dd><dt>Progress</dt><dd>" + MiniBar(k.progress, k.pace) +
         " <span class=\"figure\">" + Percent(k.progress) + "</span> " + PaceBadge(k.pace) +
         "</dd><dt>Owner</dt><dd>" + E(k.owner_label) + (k.owner_away ? " (away)" : "") +
         "</dd><dt>Confidence</dt><dd>" + ConfidenceText(k.confidence) +
         "</dd><dt>Cadence</dt><dd>" + CadenceName(k.kr.cadence) +
         (k.stale ? " · <span class=\"badge stale\">stale</span>" : "") + "</dd></dl>\n";
  out += Figure(page.chart);

  const CheckInFormState& f = page.form;
  if (f.saved) out += "<p class=\"notice ok\" role=\"status\">Check-in recorded.</p>";
  if (!f.error.empty()) out += "<p class=\"notice error\" role=\"alert\">" + E(f.error) + "</p>";
  if (f.allowed) {
    std::string number = std::to_string(k.kr.number);
    out += "<form class=\"checkin noprint\" method=\"post\" action=\"/app/kr/" + number +
           "/checkin\"><h2>Check in</h2><input type=\"hidden\" name=\"csrf\" value=\"" +
           E(frame.csrf) + "\"><input type=\"hidden\" name=\"request\" value=\"" + E(f.request) +
           "\"><label>Value <input name=\"value\" required value=\"" + E(f.value) + "\"" +
           (k.kr.direction == Direction::kBinary ? " placeholder=\"done or not done\"" : "") +
           "></label><label>Confidence <select name=\"confidence\">";
    for (auto [value, label] : {std::pair{"", "—"}, std::pair{"high", "High"},
                                std::pair{"medium", "Medium"}, std::pair{"low", "Low"}}) {
      out += std::string("<option value=\"") + value + "\"" +
             (f.confidence == value ? " selected" : "") + ">" + label + "</option>";
    }
    out += "</select></label><label>Note <textarea name=\"note\" rows=\"3\">" + E(f.note) +
           "</textarea></label><button type=\"submit\">Record check-in</button></form>\n";
  }

  out += "<h2>Check-ins</h2>";
  if (page.checkins.empty()) {
    out += "<p class=\"empty\">No check-ins yet.</p>";
  } else {
    out +=
        "<table class=\"history\"><thead><tr><th>Date</th><th>Value</th><th>Confidence</th>"
        "<th>By</th><th>Note</th></tr></thead><tbody>";
    for (const CheckInRow& row : page.checkins) {
      out += "<tr><td>" + FormatDay(row.checkin.at) + "</td><td>" + Value(k.kr, row.checkin.value) +
             "</td><td>" + ConfidenceText(row.checkin.confidence) + "</td><td>" +
             E(row.author_label) + "</td><td>" + E(row.checkin.note) + "</td></tr>";
    }
    out += "</tbody></table>\n";
  }
  out += "<h2>Initiatives</h2>";
  if (page.initiatives.empty()) {
    out += "<p class=\"empty\">None yet.</p>";
  } else {
    out += "<ul class=\"initiatives\">";
    for (const Initiative& i : page.initiatives) {
      out += "<li>" + std::string(i.done ? "✔ " : "○ ") + InitiativeRef(i.number) + " " +
             E(i.text) + "</li>";
    }
    out += "</ul>";
  }
  out += "<h2>Review</h2>" + Findings(page.findings);
  return out + Foot();
}

std::string RenderPeople(const PageFrame& frame, const PeoplePage& page) {
  std::string out = Head(frame);
  out += "<p class=\"meta\">" + E(page.cycle) + " · week of " + E(page.week_start) + "</p>";
  out += Figure(page.activity);
  if (page.people.empty())
    return out + "<p class=\"empty\">Nobody owns a key result yet.</p>" + Foot();
  out +=
      "<table class=\"people\"><thead><tr><th>Person</th><th>Key results</th>"
      "<th>This week</th><th>Stale</th><th>Away</th></tr></thead><tbody>";
  for (const PersonRow& p : page.people) {
    out +=
        "<tr><td>" + E(p.label) + "</td><td>" + std::to_string(p.krs) + "</td><td>" +
        (p.checked_in_this_week ? "<span class=\"badge okr-on-track\">checked in</span>"
                                : "<span class=\"badge okr-at-risk\">not yet</span>") +
        "</td><td>" +
        (p.stale_krs > 0
             ? "<span class=\"badge stale\">" + std::to_string(p.stale_krs) + " stale</span>"
             : "0") +
        "</td><td>" +
        (p.away_until ? "<span class=\"badge away\">until " + FormatDate(*p.away_until) + "</span>"
                      : "—") +
        "</td></tr>";
  }
  return out + "</tbody></table>\n" + Foot();
}

std::string RenderSummary(const PageFrame& frame, const SummaryPage& page) {
  std::string out = Head(frame);
  out += "<form class=\"filters noprint\" method=\"get\" action=\"/app/summary\">" +
         Select("cycle", "Cycle", Plain(page.cycles), page.cycle, false) +
         "<button type=\"submit\">Show</button></form>\n";
  out += "<p class=\"lead\">" + std::string(page.ended ? "Final scores" : "Interim report") + ": " +
         std::to_string(page.krs_at_07) + " of " + std::to_string(page.krs_total) +
         " key results at 0.7 or above; " + std::to_string(page.objectives_met) + " of " +
         std::to_string(page.objectives.size()) + " objectives met their goal.</p>\n";
  out += "<div class=\"charts\">" + Figure(page.distribution) + Figure(page.progress) +
         Figure(page.activity) + "</div>";
  out +=
      "<table class=\"scores\"><thead><tr><th>Objective / key result</th><th>Score</th>"
      "<th>Status</th><th>Owner</th></tr></thead><tbody>";
  for (const ObjectiveView& o : page.objectives) {
    out += "<tr class=\"objective-row\"><td><a href=\"/app/o/" +
           std::to_string(o.objective.number) + "\">O" + std::to_string(o.objective.number) + " " +
           E(o.objective.title) + "</a></td><td>" + Score(o.score) + "</td><td>" +
           PaceBadge(o.pace) + "</td><td>" + E(o.owner_label) + "</td></tr>";
    for (const KrView& k : o.krs) {
      out += "<tr><td class=\"indent\">" + KeyResultRef(k.kr.number) + " " + E(k.kr.text) +
             "</td><td>" + Score(k.progress) + "</td><td>" + PaceBadge(k.pace) + "</td><td>" +
             E(k.owner_label) + "</td></tr>";
    }
  }
  return out + "</tbody></table>\n<p class=\"meta print-only\">Printed from okrbot.</p>\n" + Foot();
}

std::string RenderMessage(const PageFrame& frame, const std::string& message) {
  return Head(frame) + "<p class=\"notice\">" + E(message) + "</p>\n" + Foot();
}

}  // namespace okrbot::web
