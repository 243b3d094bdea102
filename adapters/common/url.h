// URL and header pieces every outbound platform client needs (Slack Web API, Mattermost REST).
//
// Contract: ParseHttpUrl accepts only http(s) URLs with a host (no user info, no whitespace,
// an optional port 1..65535, IPv6 hosts bracketed) and splits them the way httplib::Client
// wants: origin ("https://host:port") and path (may be empty; keeps a query, drops a fragment).
// ParseWholeSeconds reads a header such as Retry-After ("120", with optional spaces); anything
// else (dates, negatives, garbage) is nullopt. Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace okrbot {

struct HttpUrl {
  std::string origin;  // "https://slack.com", "http://127.0.0.1:8080"
  std::string path;    // "/api", "" or "/response/x?y=z"
};

bool ParseHttpUrl(const std::string& text, HttpUrl* out);

std::optional<long long> ParseWholeSeconds(std::string_view value);

}  // namespace okrbot
