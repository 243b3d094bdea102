#include "adapters/common/chart_images.h"

#include <spdlog/spdlog.h>

#include "adapters/common/chart_png.h"
#include "bot/web_tokens.h"

namespace okrbot {

namespace {

// 1x: the 600 px charts fill a chat message as they are, and one render stays near 7 ms
// (2x took 13 ms, mostly librsvg laying out text twice the size).
constexpr double kPngScale = 1.0;

bool IsHexKey(const std::string& key) {
  if (key.size() != 64) return false;
  for (char c : key) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

ChartImages::ChartImages(Store* store, const Clock* clock, std::string public_url,
                         size_t cache_entries)
    : store_(store),
      clock_(clock),
      public_url_(std::move(public_url)),
      cache_entries_(cache_entries == 0 ? 1 : cache_entries) {}

void ChartImages::Attach(const std::string& workspace_id, Reply* reply) {
  if (public_url_.empty()) return;
  for (Block& block : reply->blocks) {
    if (block.kind != BlockKind::kImage || block.svg.empty()) continue;
    ChartRecord chart;
    chart.key = Sha256Hex(block.svg);
    chart.workspace_id = workspace_id;
    chart.svg = block.svg;
    chart.width = block.width;
    chart.height = block.height;
    chart.created_at = clock_->Now();
    Status stored = store_->PutChart(chart);
    if (!stored.ok()) {
      spdlog::warn("chart not stored, the post shows its text instead: {}", stored.message());
      continue;
    }
    block.image_url = public_url_ + "/charts/" + chart.key + ".png";
  }
}

Result<std::shared_ptr<const std::string>> ChartImages::Png(const std::string& key) {
  if (!IsHexKey(key)) return Status::NotFound("No such chart.");
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.second);
      return it->second.first;
    }
  }
  Result<ChartRecord> chart = store_->GetChart(key);
  if (!chart.ok()) return chart.status();
  Result<std::string> png = RenderPng(chart->svg, chart->width, chart->height, kPngScale);
  if (!png.ok()) return png.status();
  auto shared = std::make_shared<const std::string>(std::move(png).value());
  std::lock_guard<std::mutex> lock(mu_);
  ++renders_;
  auto it = cache_.find(key);
  if (it != cache_.end()) return it->second.first;  // another thread rendered it meanwhile
  lru_.push_front(key);
  cache_.emplace(key, std::make_pair(shared, lru_.begin()));
  while (cache_.size() > cache_entries_) {
    cache_.erase(lru_.back());
    lru_.pop_back();
  }
  return shared;
}

int64_t ChartImages::renders() const {
  std::lock_guard<std::mutex> lock(mu_);
  return renders_;
}

std::string ChartKeyFromPath(const std::string& path) {
  static constexpr std::string_view kPrefix = "/charts/";
  static constexpr std::string_view kSuffix = ".png";
  if (path.size() != kPrefix.size() + 64 + kSuffix.size()) return "";
  if (path.compare(0, kPrefix.size(), kPrefix) != 0) return "";
  if (path.compare(path.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0) return "";
  std::string key = path.substr(kPrefix.size(), 64);
  return IsHexKey(key) ? key : "";
}

}  // namespace okrbot
