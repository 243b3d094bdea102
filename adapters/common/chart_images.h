// ChartImages: how the charts of chat posts (Reply image blocks, bot/chart.h) reach the
// platforms, which only show images they fetch from a URL.
//
// Contract:
// - Attach() gives every image block of `reply` the URL `<public_url>/charts/<key>.png`, where
//   key is the SHA-256 of the block's SVG, after storing the SVG under that key (Store::PutChart)
//   so that any replica can serve it. With no public URL, or when the store fails, the blocks
//   keep no URL and the adapters show their text alternative instead: the post still goes out
//   and says nothing about a missing picture.
// - Png() answers GET /charts/<key>.png: the chart rasterised once (adapters/common/chart_png.h,
//   at 1x, 600 px wide) and kept in a small in-memory cache, so a
//   channel of viewers costs one render. An unknown or malformed key is kNotFound.
// - The URL is a capability: it names content by its hash, so it cannot be guessed, but anyone
//   given it (the chat's members, the platform's image proxy) can fetch it, like any image in
//   the message.
// Thread-safe.
#pragma once

#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "bot/reply.h"
#include "core/clock.h"
#include "core/status.h"
#include "storage/store.h"

namespace okrbot {

class ChartImages {
 public:
  // `public_url` is OKRBOT_PUBLIC_URL without a trailing slash ("" = none). Pointers outlive this.
  ChartImages(Store* store, const Clock* clock, std::string public_url, size_t cache_entries = 64);

  bool enabled() const { return !public_url_.empty(); }
  void Attach(const std::string& workspace_id, Reply* reply);
  Result<std::shared_ptr<const std::string>> Png(const std::string& key);
  // How many PNGs were rendered (not served from the cache), for tests and metrics.
  int64_t renders() const;

 private:
  Store* store_;
  const Clock* clock_;
  const std::string public_url_;
  const size_t cache_entries_;
  mutable std::mutex mu_;
  std::list<std::string> lru_;  // keys, most recently used first
  std::unordered_map<
      std::string, std::pair<std::shared_ptr<const std::string>, std::list<std::string>::iterator>>
      cache_;
  int64_t renders_ = 0;
};

// "/charts/<64 hex>.png" -> the key; "" when `path` is not such a path.
std::string ChartKeyFromPath(const std::string& path);

}  // namespace okrbot
