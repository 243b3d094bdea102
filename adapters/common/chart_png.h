// PNG rendering of the SVG charts of bot/chart.h, for platforms that show images but not SVG
// (Slack, Teams, Mattermost attachments).
//
// Contract: RenderPng rasterises `svg` onto a white background at (width x scale) by
// (height x scale) pixels (scale 2 gives crisp images on high-DPI screens) and returns the PNG
// bytes. The SVG is fitted into that viewport by its viewBox, so a chart from bot/chart.h passes
// its own width and height. The PNG is 8-bit RGB, opaque, written by libpng. It refuses, with an
// InvalidArgument Status rather than a crash, documents over 2 MiB, a viewport over 4000 px on a
// side (or not positive, or a scale outside 0.1..8) and anything librsvg cannot parse. librsvg runs
// with its default limits (no RSVG_HANDLE_FLAG_UNLIMITED) and without a base URL, so a document
// cannot make it read files or fetch URLs.
//
// Thread-safe: every call has its own librsvg handle, cairo surface and libpng writer; nothing is
// shared.
#pragma once

#include <string>

#include "core/status.h"

namespace okrbot {

Result<std::string> RenderPng(const std::string& svg, int width, int height, double scale = 1.0);

}  // namespace okrbot
