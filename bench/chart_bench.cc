// Chart rendering benchmark: one realistic KR chart (13 weekly check-ins, mixed confidence, some
// automatic) as SVG (bot/chart.h) and as PNG at scale 1 and 2 (adapters/common/chart_png.h),
// 500 iterations each, reporting p50/p99/max in ms and the byte sizes. Target on the 2-core
// machine: the PNG at p99 within 10 ms.
//
//   build/chart_bench [--iterations N] [--out DIR]   (DIR: also writes the SVG and PNGs there)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "adapters/common/chart_png.h"
#include "bot/chart.h"

namespace {

using okrbot::Seconds;

Seconds At(const char* iso) {
  Seconds t;
  okrbot::ParseIsoInstant(iso, &t);
  return t;
}

struct Figures {
  double p50, p99, max;
};

Figures Time(int iterations, const std::function<void()>& work) {
  std::vector<double> ms;
  ms.reserve(iterations);
  for (int i = 0; i < iterations; ++i) {
    auto start = std::chrono::steady_clock::now();
    work();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    return ms[std::min(ms.size() - 1, static_cast<size_t>(q * ms.size()))];
  };
  return {at(0.50), at(0.99), ms.back()};
}

void Print(const char* what, const Figures& f, size_t bytes) {
  std::printf("%-22s p50 %7.3f ms  p99 %7.3f ms  max %7.3f ms  %7zu bytes\n", what, f.p50, f.p99,
              f.max, bytes);
}

void Write(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

}  // namespace

int main(int argc, char** argv) {
  int iterations = 500;
  std::string out;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--iterations") == 0 && i + 1 < argc) {
      iterations = std::max(1, std::atoi(argv[++i]));
    } else if (std::strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
      out = argv[++i];
    } else {
      std::fprintf(stderr, "usage: chart_bench [--iterations N] [--out DIR]\n");
      return 2;
    }
  }
  okrbot::KeyResult kr;
  kr.number = 3;
  kr.text = "Raise NPS from 30 to 50 across all enterprise accounts";
  kr.baseline = 30;
  kr.target = 50;
  okrbot::Days first, last;
  okrbot::ParseDate("2026-10-01", &first);
  okrbot::ParseDate("2026-12-31", &last);
  std::vector<okrbot::ChartPoint> points;
  const double values[] = {30, 31, 33, 32, 35, 36, 38, 37, 40, 42, 41, 44, 45};
  for (int week = 0; week < 13; ++week) {
    okrbot::ChartPoint p;
    p.at = At("2026-10-02T09:30:00Z") + std::chrono::days(7 * week);
    p.value = values[week];
    if (week % 4 != 3) p.confidence = 35 + 5 * week;
    p.automatic = week % 3 == 2;
    points.push_back(p);
  }
  const Seconds now = At("2026-12-28T12:00:00Z");

  okrbot::ChartImage chart = okrbot::KeyResultChart(kr, points, first, last, now);
  Figures svg = Time(iterations, [&] { okrbot::KeyResultChart(kr, points, first, last, now); });
  Print("KR chart SVG", svg, chart.svg.size());
  for (double scale : {1.0, 2.0}) {
    auto png = okrbot::RenderPng(chart.svg, chart.width, chart.height, scale);
    if (!png.ok()) {
      std::fprintf(stderr, "chart_bench: %s\n", png.status().ToString().c_str());
      return 1;
    }
    Figures f = Time(iterations, [&] {
      auto again = okrbot::RenderPng(chart.svg, chart.width, chart.height, scale);
      if (!again.ok()) std::abort();
    });
    Print(scale == 1.0 ? "KR chart PNG x1" : "KR chart PNG x2", f, png->size());
    if (!out.empty()) Write(out + (scale == 1.0 ? "/kr.png" : "/kr@2x.png"), *png);
  }
  if (!out.empty()) {
    Write(out + "/kr.svg", chart.svg);
    okrbot::ChartImage progress = okrbot::ProgressChart(
        "O1 · Delight our enterprise customers",
        {{"KR1 · Raise NPS from 30 to 50 across all enterprise accounts", 0.62,
          okrbot::PaceStatus::kOnTrack},
         {"KR2 · Cut churn to 2%", 0.35, okrbot::PaceStatus::kAtRisk},
         {"KR3 · Answer tickets within 4 h", 0.1, okrbot::PaceStatus::kOffTrack},
         {"KR4 · Launch the customer portal", 1.0, okrbot::PaceStatus::kOnTrack}});
    Write(out + "/progress.svg", progress.svg);
    auto png = okrbot::RenderPng(progress.svg, progress.width, progress.height, 2);
    if (png.ok()) Write(out + "/progress.png", *png);
    okrbot::ChartImage scores =
        okrbot::ScoreDistributionChart("2026-Q4", {0.1, 0.2, 0.5, 0.9, 1.0, 0.75, 0.4});
    Write(out + "/scores.svg", scores.svg);
    png = okrbot::RenderPng(scores.svg, scores.width, scores.height, 1);
    if (png.ok()) Write(out + "/scores.png", *png);
    std::vector<okrbot::WeekActivity> weeks;
    for (int w = 0; w < 13; ++w) {
      weeks.push_back({first + std::chrono::days(4 + 7 * w), 8 + (w * 7) % 5, 12});
    }
    okrbot::ChartImage activity = okrbot::CheckInActivityChart("Check-ins · 2026-Q4", weeks);
    Write(out + "/activity.svg", activity.svg);
    png = okrbot::RenderPng(activity.svg, activity.width, activity.height, 1);
    if (png.ok()) Write(out + "/activity.png", *png);
    okrbot::KeyResult latency;
    latency.number = 12;
    latency.text = "Cut p95 checkout latency from 1,200 ms to 400 ms";
    latency.baseline = 1200;
    latency.target = 400;
    latency.unit = "ms";
    latency.direction = okrbot::Direction::kDecrease;
    okrbot::ChartImage empty = okrbot::KeyResultChart(latency, {}, first, last, now);
    Write(out + "/kr-empty.svg", empty.svg);
    png = okrbot::RenderPng(empty.svg, empty.width, empty.height, 1);
    if (png.ok()) Write(out + "/kr-empty.png", *png);
    okrbot::KeyResult launch;
    launch.number = 7;
    launch.text = "Launch the customer portal";
    launch.direction = okrbot::Direction::kBinary;
    std::vector<okrbot::ChartPoint> steps = {{At("2026-10-20T09:00:00Z"), 0, 40, false},
                                             {At("2026-11-17T09:00:00Z"), 0, 60, false},
                                             {At("2026-12-08T09:00:00Z"), 1, 90, true}};
    okrbot::ChartImage binary = okrbot::KeyResultChart(launch, steps, first, last, now);
    Write(out + "/kr-binary.svg", binary.svg);
    png = okrbot::RenderPng(binary.svg, binary.width, binary.height, 1);
    if (png.ok()) Write(out + "/kr-binary.png", *png);
    std::printf("wrote %s/{kr,kr-empty,kr-binary,progress,scores,activity}.{svg,png}\n",
                out.c_str());
  }
  return 0;
}
