// The address rule of data sources (issue 22): which network addresses okrbot may connect to
// when it fetches a URL a user typed, so that a `kr source` cannot reach the machine itself,
// the private network or a cloud metadata service (server-side request forgery).
//
// Contract:
// - ParseIpLiteral reads one literal address, IPv4 dotted quad ("10.0.0.1") or IPv6 ("::1",
//   "[::1]", "::ffff:127.0.0.1"), with inet_pton: nothing is resolved or connected.
// - RefusedAddressReason says why an address is refused ("" when it is an ordinary public
//   one): IPv4 0/8, 10/8, 100.64/10 (CGNAT), 127/8, 169.254/16 (link-local, with the metadata
//   address 169.254.169.254 named), 172.16/12, 192.0.0/24, 192.0.2/24, 192.168/16, 198.18/15,
//   198.51.100/24, 203.0.113/24, 224/4 (multicast), 240/4 (reserved) and 255.255.255.255;
//   IPv6 ::, ::1, fc00::/7, fe80::/10, fec0::/10, ff00::/8, 2001:db8::/32, 100::/64, Teredo
//   2001::/32 and the deprecated IPv4-compatible ::a.b.c.d. IPv6 forms that carry an IPv4
//   address (IPv4-mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by the
//   IPv4 address they carry, so ::ffff:127.0.0.1 is loopback.
// - SourceAllowList is OKRBOT_SOURCES_ALLOW: comma-separated host names (matched exactly,
//   case-insensitively), literal addresses and CIDR ranges ("127.0.0.1", "10.1.0.0/16",
//   "fd00::/8"). An allowed host or address may be fetched although the rule refuses it, and
//   over plain http. Parse refuses a malformed entry with kInvalidArgument naming it.
// Pure functions and immutable values; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace okrbot {

struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // IPv4: the first 4 bytes
  std::string ToString() const;     // "10.0.0.1", "::1"
};

bool ParseIpLiteral(std::string_view text, IpAddress* out);

std::string RefusedAddressReason(const IpAddress& address);

class SourceAllowList {
 public:
  SourceAllowList() = default;  // allows nothing
  static Result<SourceAllowList> Parse(const std::string& text);

  bool AllowsHost(std::string_view host) const;
  bool AllowsAddress(const IpAddress& address) const;
  bool empty() const { return hosts_.empty() && ranges_.empty(); }

 private:
  struct Range {
    IpAddress base;
    int prefix = 0;
  };
  std::vector<std::string> hosts_;  // lower case
  std::vector<Range> ranges_;
};

}  // namespace okrbot
