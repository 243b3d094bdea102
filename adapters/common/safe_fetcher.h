// SafeFetcher: the network SourceFetcher of data sources (scheduler/source_fetcher.h), built
// against server-side request forgery, since the URL is one a chat user typed.
//
// Contract (per Fetch):
// - https only; plain http only to a host OKRBOT_SOURCES_ALLOW names (by name or address).
//   No user info in URLs (ParseHttpUrl rules).
// - The host is resolved here (getaddrinfo) and every address it resolves to is checked with
//   the address rule (adapters/common/address_rule.h); one refused address refuses the fetch
//   unless the allow list names the host or the address. The connection goes to the vetted
//   address (httplib's host→address map), so a second DNS answer cannot swap it, while SNI and
//   certificate checks still use the name.
// - Redirects (301, 302, 303, 307, 308) are followed by hand, at most `max_redirects`, each new
//   URL checked the same way before anything connects to it.
// - The body is capped at `max_body_bytes` (the download is aborted past it) and the whole
//   fetch, redirects included, at `timeout`.
// - Errors never contain the header value.
// Thread-safe: Fetch keeps no state between calls.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "adapters/common/address_rule.h"
#include "scheduler/source_fetcher.h"

namespace okrbot {

struct SafeFetcherOptions {
  SourceAllowList allow;
  size_t max_body_bytes = 1 << 20;
  std::chrono::milliseconds timeout{5000};
  int max_redirects = 3;
  std::string ca_file;  // extra CA bundle for https (tests); "" = the system's
};

class SafeFetcher : public SourceFetcher {
 public:
  explicit SafeFetcher(SafeFetcherOptions options) : options_(std::move(options)) {}
  Result<std::string> Fetch(const std::string& url, const std::string& header) override;

 private:
  SafeFetcherOptions options_;
};

}  // namespace okrbot
