// SourceFetcher: how the scheduler reads a data source's URL (issue 22). The scheduler floor
// only knows this interface; the network implementation with its address rules is an adapter
// (adapters/common/safe_fetcher.h), wired in by cli/.
//
// Contract: Fetch makes one GET of `url` (following what redirects the implementation allows)
// with the optional request `header` ("Name: value", a secret: never logged or echoed) and
// returns the body of a 2xx answer. Every failure — refused address or scheme, DNS, timeout,
// HTTP error, body too large — is a Status whose message says why in words the KR owner can
// act on, without the header value. Implementations are thread-safe.
#pragma once

#include <string>

#include "core/status.h"

namespace okrbot {

class SourceFetcher {
 public:
  virtual ~SourceFetcher() = default;
  virtual Result<std::string> Fetch(const std::string& url, const std::string& header) = 0;
};

}  // namespace okrbot
