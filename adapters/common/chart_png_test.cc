#include "adapters/common/chart_png.h"

#include <cairo.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "bot/chart.h"

namespace okrbot {
namespace {

struct Reader {
  const std::string* bytes;
  size_t at = 0;
};

cairo_status_t ReadFromString(void* closure, unsigned char* data, unsigned int length) {
  auto* reader = static_cast<Reader*>(closure);
  if (reader->at + length > reader->bytes->size()) return CAIRO_STATUS_READ_ERROR;
  std::copy_n(reader->bytes->data() + reader->at, length, data);
  reader->at += length;
  return CAIRO_STATUS_SUCCESS;
}

struct Rgb {
  int r, g, b;
};

// A decoded PNG whose pixels can be read.
class Image {
 public:
  explicit Image(const std::string& png) {
    Reader reader{&png};
    surface_ = cairo_image_surface_create_from_png_stream(ReadFromString, &reader);
  }
  ~Image() { cairo_surface_destroy(surface_); }
  Image(const Image&) = delete;
  Image& operator=(const Image&) = delete;

  bool ok() const { return cairo_surface_status(surface_) == CAIRO_STATUS_SUCCESS; }
  int width() const { return cairo_image_surface_get_width(surface_); }
  int height() const { return cairo_image_surface_get_height(surface_); }
  Rgb At(int x, int y) const {
    const unsigned char* row =
        cairo_image_surface_get_data(surface_) + y * cairo_image_surface_get_stride(surface_);
    uint32_t pixel;
    std::memcpy(&pixel, row + 4 * x, 4);
    return {static_cast<int>((pixel >> 16) & 0xFF), static_cast<int>((pixel >> 8) & 0xFF),
            static_cast<int>(pixel & 0xFF)};
  }

 private:
  cairo_surface_t* surface_;
};

bool Near(Rgb a, Rgb b, int tolerance = 24) {
  return std::abs(a.r - b.r) <= tolerance && std::abs(a.g - b.g) <= tolerance &&
         std::abs(a.b - b.b) <= tolerance;
}

Seconds At(const char* iso) {
  Seconds t;
  EXPECT_TRUE(ParseIsoInstant(iso, &t));
  return t;
}

std::vector<ChartImage> EveryKind() {
  KeyResult kr;
  kr.number = 3;
  kr.text = "Raise NPS from 30 to 50";
  kr.baseline = 30;
  kr.target = 50;
  Days first, last, week;
  ParseDate("2026-10-01", &first);
  ParseDate("2026-12-31", &last);
  ParseDate("2026-11-02", &week);
  std::vector<ChartPoint> points = {{At("2026-10-05T09:00:00Z"), 31, 80, false},
                                    {At("2026-11-20T09:00:00Z"), 42, 50, true}};
  return {KeyResultChart(kr, points, first, last, At("2026-11-21T00:00:00Z")),
          ProgressChart("O1 · Delight customers", {{"KR3 · NPS", 0.8, PaceStatus::kOnTrack}}),
          ScoreDistributionChart("2026-Q4", {0.1, 0.5, 0.9}),
          CheckInActivityChart("Check-ins", {{week, 3, 5}})};
}

TEST(ChartPngTest, RendersEveryChartKindAtItsSizeTimesScale) {
  for (const ChartImage& chart : EveryKind()) {
    for (double scale : {1.0, 2.0}) {
      SCOPED_TRACE(chart.title + " x" + std::to_string(scale));
      Result<std::string> png = RenderPng(chart.svg, chart.width, chart.height, scale);
      ASSERT_TRUE(png.ok()) << png.status().ToString();
      EXPECT_EQ(png->substr(0, 8), "\x89PNG\r\n\x1a\n");
      Image image(*png);
      ASSERT_TRUE(image.ok());
      EXPECT_EQ(image.width(), static_cast<int>(chart.width * scale));
      EXPECT_EQ(image.height(), static_cast<int>(chart.height * scale));
      // The corner is background: opaque white.
      EXPECT_TRUE(Near(image.At(2, image.height() - 2), {255, 255, 255}, 4));
    }
  }
}

TEST(ChartPngTest, ProgressBarHasTheOnTrackColour) {
  ChartImage chart = ProgressChart("O1", {{"KR3 · NPS", 0.8, PaceStatus::kOnTrack}});
  Result<std::string> png = RenderPng(chart.svg, chart.width, chart.height, 2.0);
  ASSERT_TRUE(png.ok()) << png.status().ToString();
  Image image(*png);
  ASSERT_TRUE(image.ok());
  // The first row's bar runs from x 210 across 80% of its 260 px track, centred on y 58.
  EXPECT_TRUE(Near(image.At(2 * 300, 2 * 58), {0x00, 0x9E, 0x73}));
  // Beyond 80% lies the grey track, not the bar.
  Rgb track = image.At(2 * 460, 2 * 58);
  EXPECT_FALSE(Near(track, {0x00, 0x9E, 0x73}));
  EXPECT_TRUE(Near(track, {0xE6, 0xE6, 0xE6}, 8));
  // Text is drawn (fonts found): the title area holds dark pixels.
  bool dark = false;
  for (int x = 2 * 16; x < 2 * 40 && !dark; ++x) {
    for (int y = 2 * 10; y < 2 * 28 && !dark; ++y) dark = image.At(x, y).r < 100;
  }
  EXPECT_TRUE(dark);
}

TEST(ChartPngTest, BrokenOrOversizedInputIsAnErrorNotACrash) {
  EXPECT_FALSE(RenderPng("", 600, 300).ok());
  EXPECT_FALSE(RenderPng("not svg at all", 600, 300).ok());
  Result<std::string> broken =
      RenderPng("<svg xmlns=\"http://www.w3.org/2000/svg\"><rect", 600, 300);
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(broken.status().message().empty());
  std::string svg = EveryKind()[1].svg;
  EXPECT_FALSE(RenderPng(svg, 600, 300, 7.0).ok());  // 4200 px wide
  EXPECT_FALSE(RenderPng(svg, 0, 300).ok());
  EXPECT_FALSE(RenderPng(svg, 600, 300, 0).ok());
  std::string huge = svg;
  huge.insert(huge.size() - 7, std::string(2 * 1024 * 1024, ' '));
  Result<std::string> too_big = RenderPng(huge, 600, 300);
  ASSERT_FALSE(too_big.ok());
  EXPECT_NE(too_big.status().message().find("2 MiB"), std::string::npos);
}

}  // namespace
}  // namespace okrbot
