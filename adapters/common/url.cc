#include "adapters/common/url.h"

#include <charconv>

namespace okrbot {

bool ParseHttpUrl(const std::string& text, HttpUrl* out) {
  size_t sep = text.find("://");
  if (sep == std::string::npos) return false;
  std::string scheme = text.substr(0, sep);
  if (scheme != "http" && scheme != "https") return false;
  size_t host_start = sep + 3;
  size_t path_start = text.find_first_of("/?#", host_start);
  std::string host_port = text.substr(
      host_start, path_start == std::string::npos ? std::string::npos : path_start - host_start);
  if (host_port.empty() || host_port.find('@') != std::string::npos) return false;
  // Optional port after the host (an IPv6 host is bracketed).
  size_t port_colon = host_port.rfind(':');
  size_t bracket = host_port.rfind(']');
  if (port_colon != std::string::npos && (bracket == std::string::npos || port_colon > bracket)) {
    std::string port = host_port.substr(port_colon + 1);
    int value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value < 1 ||
        value > 65535 || port_colon == 0) {
      return false;
    }
  }
  for (char c : host_port) {
    if (static_cast<unsigned char>(c) <= ' ') return false;
  }
  out->origin = scheme + "://" + host_port;
  out->path = path_start == std::string::npos ? "" : text.substr(path_start);
  if (!out->path.empty() && out->path[0] != '/') out->path = "/" + out->path;
  size_t fragment = out->path.find('#');
  if (fragment != std::string::npos) out->path.erase(fragment);
  return true;
}

std::optional<long long> ParseWholeSeconds(std::string_view value) {
  const char* begin = value.data();
  const char* end = value.data() + value.size();
  while (begin < end && *begin == ' ') ++begin;
  while (end > begin && end[-1] == ' ') --end;
  long long n = 0;
  auto [ptr, ec] = std::from_chars(begin, end, n);
  if (begin == end || ec != std::errc() || ptr != end || n < 0) return std::nullopt;
  return n;
}

}  // namespace okrbot
