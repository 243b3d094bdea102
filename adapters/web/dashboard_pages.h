// The web dashboard's pages as HTML: pure functions from what the DashboardApp loaded
// (adapters/web/dashboard_app.h) to a whole document.
//
// Contract:
// - Every page is a complete HTML5 document that works without JavaScript: one stylesheet
//   (/app/style.css, kStylesheet), charts as inline SVG (bot/chart.h), links and plain forms.
//   Nothing needs inline script or style, so the pages run under
//   Content-Security-Policy: default-src 'self'.
// - All user text (titles, names, notes, units, teams) is escaped (EscapeMarkup, core/text_util.h).
// - Forms that change something carry the session's CSRF token (`frame.csrf`).
// - Rendering never fails; missing data shows as "—" or an empty-state sentence.
// Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bot/chart.h"
#include "bot/review.h"
#include "core/model.h"
#include "core/scoring.h"

namespace okrbot::web {

extern const char kStylesheet[];

// What every page shows around its content.
struct PageFrame {
  std::string title;           // the <title> and <h1>
  std::string workspace_name;  // "Acme"
  std::string user_label;      // "Alice" or "@U123"
  std::string csrf;            // the session's token, for the sign-out form
  std::string nav;             // "overview", "people", "summary" or "" (which link is current)
};

struct KrView {
  KeyResult kr;
  std::string owner_label;
  double progress = 0;
  PaceStatus pace = PaceStatus::kOnTrack;
  std::optional<int> confidence;  // of the latest check-in
  bool stale = false;
  bool owner_away = false;
};

struct ObjectiveView {
  Objective objective;
  std::string owner_label;
  double score = 0;
  PaceStatus pace = PaceStatus::kOnTrack;
  int depth = 0;  // in the alignment tree (children of a listed parent are indented)
  std::vector<KrView> krs;
};

struct Option {
  std::string value;
  std::string label;
};

struct OverviewPage {
  std::string cycle;
  std::vector<std::string> cycles;  // for the filter
  std::vector<std::string> teams;
  std::vector<Option> owners;
  std::string team;   // current filter, "" = all
  std::string owner;  // current filter (user id), "" = all
  double elapsed = 0;
  std::vector<ObjectiveView> objectives;  // in tree order
};
std::string RenderOverview(const PageFrame& frame, const OverviewPage& page);

struct ObjectivePage {
  ObjectiveView view;
  std::string parent_title;  // "" = no parent shown
  std::vector<Finding> findings;
  ChartImage chart;  // the KRs' progress
};
std::string RenderObjective(const PageFrame& frame, const ObjectivePage& page);

struct CheckInRow {
  CheckIn checkin;
  std::string author_label;
};

struct CheckInFormState {
  bool allowed = false;  // the viewer may check in on this KR
  std::string value;
  std::string confidence;
  std::string note;
  std::string request;  // a one-time nonce: a form submitted twice records once
  std::string error;    // why the last submission was refused ("" = none)
  bool saved = false;   // the last submission was recorded
};

struct KeyResultPage {
  KrView view;
  Objective objective;
  ChartImage chart;
  std::vector<CheckInRow> checkins;  // newest first
  std::vector<Initiative> initiatives;
  std::vector<Finding> findings;
  CheckInFormState form;
};
std::string RenderKeyResult(const PageFrame& frame, const KeyResultPage& page);

struct PersonRow {
  std::string label;
  int krs = 0;
  int stale_krs = 0;
  bool checked_in_this_week = false;
  std::optional<Days> away_until;
};

struct PeoplePage {
  std::string cycle;
  std::string week_start;  // "2026-11-30"
  std::vector<PersonRow> people;
  ChartImage activity;
};
std::string RenderPeople(const PageFrame& frame, const PeoplePage& page);

struct SummaryPage {
  std::string cycle;
  std::vector<std::string> cycles;
  bool ended = false;
  std::vector<ObjectiveView> objectives;
  int krs_at_07 = 0;
  int krs_total = 0;
  int objectives_met = 0;
  ChartImage distribution;
  ChartImage progress;
  ChartImage activity;
};
std::string RenderSummary(const PageFrame& frame, const SummaryPage& page);

// A short page with one message: a refused sign-in, a 404, a signed-out browser. `frame` with
// an empty csrf shows no navigation (the visitor is not signed in).
std::string RenderMessage(const PageFrame& frame, const std::string& message);

}  // namespace okrbot::web
