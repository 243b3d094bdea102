// Charts of OKR progress as standalone SVG documents, each with a one-sentence text alternative.
//
// Contract: every function returns a complete, well-formed <svg> document (XML 1.0) whose first
// children are <title> and <desc>, sized `width` x `height` px with a matching viewBox. User text
// (KR text, labels, units) is XML-escaped and invalid UTF-8 is replaced by U+FFFD, so hostile
// text can neither break the document nor inject markup. There are no `style` attributes and no
// <style> element (a dashboard's Content-Security-Policy would block them): colours are
// presentation attributes, and every element carries an `okr-*` class so an external stylesheet
// can restyle it (dark mode). The palette is Okabe–Ito (colour-blind safe) and status is also
// told by text or marker shape, never by colour alone. Output is deterministic (same input, same
// bytes) so images can be cached by content hash. The id of <title>/<desc> is "okr-" + a hash of
// the chart's content (ChartImage::id), so distinct charts inlined in one HTML page never clash;
// two identical charts on one page share it unless one is renamed with WithChartId.
//
// Pure functions, no I/O, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bot/reply.h"
#include "core/clock.h"
#include "core/model.h"
#include "core/scoring.h"

namespace okrbot {

// A chart: a standalone SVG document plus its text alternative.
struct ChartImage {
  std::string title;        // short, e.g. "KR3 · Raise NPS from 30 to 50"
  std::string description;  // one sentence for screen readers and platforms without images
  std::string svg;          // complete <svg> document, width x height px, <title> and <desc> first
  int width = 600;
  int height = 300;
  std::string id;  // prefix of the document's element ids ("okr-1a2b3c4d5e6f")
};

// `chart` with its element ids renamed to `id` (letters, digits, '-' and '_'; others dropped),
// for pages that inline the same chart twice.
ChartImage WithChartId(ChartImage chart, const std::string& id);

struct ChartPoint {  // one check-in
  Seconds at{};
  double value = 0;
  std::optional<int> confidence;  // 0..100
  bool automatic = false;         // recorded by a data source rather than typed
};
ChartPoint ChartPointOf(const CheckIn& checkin);  // automatic = false for now

// KR chart over the cycle: the x axis runs from `first_day` 00:00 UTC to the end of `last_day`
// (extended to include check-ins outside it). Check-in values are a line with markers (circle =
// typed, square = automatic; fill = confidence: high >= 70, medium 40-69, low < 40, unset grey),
// the dashed expected-pace line runs from the baseline at the cycle start to the target at its
// end (increase/decrease KRs with both), the target is a horizontal line, and `now` is a "today"
// mark when inside the cycle. Decreasing KRs keep values rising upwards (the pace line goes
// down). Binary KRs are a done/not-done step chart. Check-ins may come in any order; with none
// the chart shows axes, pace, target and "No check-ins yet".
ChartImage KeyResultChart(const KeyResult& kr, const std::vector<ChartPoint>& checkins,
                          Days first_day, Days last_day, Seconds now);

struct ProgressRow {
  std::string label;
  double progress = 0;  // 0..1; clamped
  PaceStatus status = PaceStatus::kOnTrack;
};
// Horizontal progress bars with status colours and "62% · on track" labels; labels are
// truncated on a UTF-8 boundary with "…". The height grows with the rows (28 px each).
ChartImage ProgressChart(const std::string& title, const std::vector<ProgressRow>& rows);

// How many KRs scored in [0, 0.3), [0.3, 0.7) and [0.7, 1.0] (scores clamped to 0..1): one bar
// per band with its count.
ChartImage ScoreDistributionChart(const std::string& cycle, const std::vector<double>& kr_scores);

struct WeekActivity {
  Days week_start;
  int answered = 0;
  int asked = 0;
};
// Check-in activity per week (sorted by week): a bar of `asked` with `answered` filled inside it
// and an "answered/asked" label.
ChartImage CheckInActivityChart(const std::string& title, const std::vector<WeekActivity>& weeks);

// The status colour (Okabe–Ito: on track #009E73, at risk #E69F00, off track #D55E00) and the
// class ("okr-on-track", ...) that charts and the dashboard's own bars share.
const char* PaceStatusColour(PaceStatus status);
const char* PaceStatusClass(PaceStatus status);

// Adds `chart` to `reply` as an image block (title, description, SVG and size).
void AppendChart(Reply* reply, const ChartImage& chart);

}  // namespace okrbot
