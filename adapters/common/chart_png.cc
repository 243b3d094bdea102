#include "adapters/common/chart_png.h"

#include <cairo.h>
#include <librsvg/rsvg.h>
#include <png.h>

#include <cmath>
#include <csetjmp>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#define OKRBOT_LEAK_CHECKED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OKRBOT_LEAK_CHECKED 1
#endif
#endif
#ifdef OKRBOT_LEAK_CHECKED
// librsvg's text goes through pango and fontconfig, which load the font configuration once per
// process and keep it (they free nothing at exit); LeakSanitizer would report that as a leak and
// fail every sanitizer build that draws a chart (tests, `okrbot serve` under them). Only this
// process-wide cache is suppressed.
extern "C" const char* __lsan_default_suppressions() { return "leak:libfontconfig.so\n"; }
#endif

namespace okrbot {
namespace {

constexpr size_t kMaxSvgBytes = 2 * 1024 * 1024;
constexpr double kMaxSide = 4000;

struct SurfaceDeleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct CairoDeleter {
  void operator()(cairo_t* c) const { cairo_destroy(c); }
};
struct HandleDeleter {
  void operator()(RsvgHandle* h) const { g_object_unref(h); }
};
struct ErrorDeleter {
  void operator()(GError* e) const { g_error_free(e); }
};

void AppendToString(png_structp png, png_bytep data, png_size_t length) {
  static_cast<std::string*>(png_get_io_ptr(png))
      ->append(reinterpret_cast<const char*>(data), length);
}
void NoFlush(png_structp) {}

// cairo_surface_write_to_png_stream compresses at zlib level 6 with adaptive filters, about
// 10 ms for a 600 x 300 chart, more than rendering it. Flat chart colours compress as well
// unfiltered at level 3 (smaller even) in a sixth of the time, and an opaque image needs no
// alpha channel. Returns false when libpng fails (it reports errors by longjmp).
bool EncodeOpaquePng(cairo_surface_t* surface, std::string* out) {
  const int width = cairo_image_surface_get_width(surface);
  const int height = cairo_image_surface_get_height(surface);
  const int stride = cairo_image_surface_get_stride(surface);
  const unsigned char* data = cairo_image_surface_get_data(surface);
  std::vector<unsigned char> row(static_cast<size_t>(width) * 3);
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (!png) return false;
  png_infop info = png_create_info_struct(png);
  if (!info || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_set_write_fn(png, out, AppendToString, NoFlush);
  png_set_compression_level(png, 3);
  png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
  png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < height; ++y) {
    const unsigned char* source = data + static_cast<size_t>(y) * stride;
    for (int x = 0; x < width; ++x) {
      // Native-endian 0xAARRGGBB; the white background makes every pixel opaque, so the
      // premultiplied channels are the colour itself.
      uint32_t pixel;
      std::memcpy(&pixel, source + 4 * x, 4);
      row[3 * x] = static_cast<unsigned char>(pixel >> 16);
      row[3 * x + 1] = static_cast<unsigned char>(pixel >> 8);
      row[3 * x + 2] = static_cast<unsigned char>(pixel);
    }
    png_write_row(png, row.data());
  }
  png_write_end(png, info);
  png_destroy_write_struct(&png, &info);
  return true;
}

}  // namespace

Result<std::string> RenderPng(const std::string& svg, int width, int height, double scale) {
  if (svg.size() > kMaxSvgBytes) {
    return Status::InvalidArgument("The chart is too large to render (over 2 MiB of SVG).");
  }
  if (!(scale >= 0.1 && scale <= 8)) {
    return Status::InvalidArgument("The chart scale must be between 0.1 and 8.");
  }
  double pixel_w = std::round(width * scale);
  double pixel_h = std::round(height * scale);
  if (width <= 0 || height <= 0 || pixel_w < 1 || pixel_h < 1 || pixel_w > kMaxSide ||
      pixel_h > kMaxSide) {
    return Status::InvalidArgument("The chart size must be between 1 and 4000 pixels a side.");
  }

  GError* raw_error = nullptr;
  std::unique_ptr<RsvgHandle, HandleDeleter> handle(rsvg_handle_new_from_data(
      reinterpret_cast<const guint8*>(svg.data()), svg.size(), &raw_error));
  std::unique_ptr<GError, ErrorDeleter> error(raw_error);
  if (!handle) {
    return Status::InvalidArgument(std::string("The chart is not a valid SVG document: ") +
                                   (error ? error->message : "unknown error"));
  }

  std::unique_ptr<cairo_surface_t, SurfaceDeleter> surface(cairo_image_surface_create(
      CAIRO_FORMAT_ARGB32, static_cast<int>(pixel_w), static_cast<int>(pixel_h)));
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    return Status::Internal("Could not allocate the chart image.");
  }
  std::unique_ptr<cairo_t, CairoDeleter> cr(cairo_create(surface.get()));
  // Platforms show PNGs on their own background (dark mode too); a transparent chart would
  // lose its dark text there, so the image is opaque white.
  cairo_set_source_rgb(cr.get(), 1, 1, 1);
  cairo_paint(cr.get());
  RsvgRectangle viewport{0, 0, pixel_w, pixel_h};
  GError* render_raw = nullptr;
  if (!rsvg_handle_render_document(handle.get(), cr.get(), &viewport, &render_raw)) {
    std::unique_ptr<GError, ErrorDeleter> render_error(render_raw);
    return Status::InvalidArgument(std::string("The chart could not be rendered: ") +
                                   (render_error ? render_error->message : "unknown error"));
  }
  if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS) {
    return Status::Internal(std::string("The chart could not be drawn: ") +
                            cairo_status_to_string(cairo_status(cr.get())));
  }
  cairo_surface_flush(surface.get());
  std::string png;
  if (!EncodeOpaquePng(surface.get(), &png)) {
    return Status::Internal("The chart could not be encoded as PNG.");
  }
  return png;
}

}  // namespace okrbot
