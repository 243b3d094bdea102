#include "adapters/common/address_rule.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace okrbot {
namespace {

struct V4Rule {
  uint8_t a, b, c, d;
  int prefix;
  const char* reason;
};

// Most specific first: the metadata address is named before the link-local range holding it.
constexpr V4Rule kV4Rules[] = {
    {169, 254, 169, 254, 32, "the cloud metadata address"},
    {255, 255, 255, 255, 32, "the broadcast address"},
    {0, 0, 0, 0, 8, "a \"this network\" address"},
    {10, 0, 0, 0, 8, "a private address"},
    {100, 64, 0, 0, 10, "a shared (CGNAT) address"},
    {127, 0, 0, 0, 8, "a loopback address"},
    {169, 254, 0, 0, 16, "a link-local address"},
    {172, 16, 0, 0, 12, "a private address"},
    {192, 0, 0, 0, 24, "a reserved (IETF protocol) address"},
    {192, 0, 2, 0, 24, "a documentation address"},
    {192, 168, 0, 0, 16, "a private address"},
    {198, 18, 0, 0, 15, "a benchmarking address"},
    {198, 51, 100, 0, 24, "a documentation address"},
    {203, 0, 113, 0, 24, "a documentation address"},
    {224, 0, 0, 0, 4, "a multicast address"},
    {240, 0, 0, 0, 4, "a reserved address"},
};

bool PrefixMatches(const uint8_t* address, const uint8_t* base, int prefix) {
  int full = prefix / 8;
  if (std::memcmp(address, base, full) != 0) return false;
  int rest = prefix % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (address[full] & mask) == (base[full] & mask);
}

std::string V4Reason(const uint8_t* v4) {
  for (const V4Rule& rule : kV4Rules) {
    const uint8_t base[4] = {rule.a, rule.b, rule.c, rule.d};
    if (PrefixMatches(v4, base, rule.prefix)) return rule.reason;
  }
  return "";
}

struct V6Rule {
  std::array<uint8_t, 16> base;
  int prefix;
  const char* reason;
};

std::array<uint8_t, 16> V6(const char* text) {
  std::array<uint8_t, 16> out{};
  inet_pton(AF_INET6, text, out.data());
  return out;
}

const std::vector<V6Rule>& V6Rules() {
  static const std::vector<V6Rule> rules = {
      {V6("::"), 128, "the unspecified address"},
      {V6("::1"), 128, "a loopback address"},
      {V6("fc00::"), 7, "a unique local (private) address"},
      {V6("fe80::"), 10, "a link-local address"},
      {V6("fec0::"), 10, "a site-local address"},
      {V6("ff00::"), 8, "a multicast address"},
      {V6("2001:db8::"), 32, "a documentation address"},
      {V6("100::"), 64, "a discard address"},
      {V6("2001::"), 32, "a Teredo tunnel address"},
      // Anything else in ::/96 is the deprecated IPv4-compatible form.
      {V6("::"), 96, "a deprecated IPv4-compatible address"},
  };
  return rules;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Trim(std::string_view text) {
  size_t begin = 0, end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return std::string(text.substr(begin, end - begin));
}

bool IsHostName(const std::string& host) {
  if (host.empty() || host.size() > 253) return false;
  return std::all_of(host.begin(), host.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '_';
  });
}

}  // namespace

std::string IpAddress::ToString() const {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), text, sizeof text);
  return text;
}

bool ParseIpLiteral(std::string_view text, IpAddress* out) {
  std::string s(text);
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  if (s.empty() || s.size() > 64) return false;
  IpAddress a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
    a.v6 = false;
  } else if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
    a.v6 = true;
  } else {
    return false;
  }
  *out = a;
  return true;
}

std::string RefusedAddressReason(const IpAddress& address) {
  const uint8_t* b = address.bytes.data();
  if (!address.v6) return V4Reason(b);
  // Forms that carry an IPv4 address are judged by it: ::ffff:a.b.c.d (mapped),
  // 64:ff9b::a.b.c.d (NAT64) and 2002:AABB:CCDD:: (6to4).
  static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  static const uint8_t kNat64[12] = {0, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0};
  const char* carrier = nullptr;
  const uint8_t* v4 = nullptr;
  if (std::memcmp(b, kMapped, 12) == 0) {
    carrier = "IPv4-mapped";
    v4 = b + 12;
  } else if (std::memcmp(b, kNat64, 12) == 0) {
    carrier = "NAT64";
    v4 = b + 12;
  } else if (b[0] == 0x20 && b[1] == 0x02) {
    carrier = "6to4";
    v4 = b + 2;
  }
  if (v4 != nullptr) {
    std::string reason = V4Reason(v4);
    if (reason.empty()) return "";
    return reason + " (" + carrier + ")";
  }
  for (const V6Rule& rule : V6Rules()) {
    if (PrefixMatches(b, rule.base.data(), rule.prefix)) return rule.reason;
  }
  return "";
}

Result<SourceAllowList> SourceAllowList::Parse(const std::string& text) {
  SourceAllowList list;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string entry = Trim(std::string_view(text).substr(start, comma - start));
    start = comma + 1;
    if (entry.empty()) continue;
    auto bad = [&entry](const std::string& why) {
      return Status::InvalidArgument("OKRBOT_SOURCES_ALLOW: \"" + entry + "\" " + why +
                                     " (give host names, addresses or CIDR ranges such as "
                                     "10.1.0.0/16, separated by commas).");
    };
    size_t slash = entry.find('/');
    IpAddress address;
    if (slash != std::string::npos) {
      std::string bits = entry.substr(slash + 1);
      if (!ParseIpLiteral(entry.substr(0, slash), &address)) return bad("is not a CIDR range");
      int max = address.v6 ? 128 : 32;
      if (bits.empty() || bits.size() > 3 ||
          !std::all_of(bits.begin(), bits.end(), [](unsigned char c) { return std::isdigit(c); }) ||
          std::stoi(bits) > max) {
        return bad("has no valid prefix length");
      }
      list.ranges_.push_back({address, std::stoi(bits)});
    } else if (ParseIpLiteral(entry, &address)) {
      list.ranges_.push_back({address, address.v6 ? 128 : 32});
    } else if (IsHostName(Lower(entry))) {
      list.hosts_.push_back(Lower(entry));
    } else {
      return bad("is not a host name, address or CIDR range");
    }
  }
  return list;
}

bool SourceAllowList::AllowsHost(std::string_view host) const {
  std::string wanted = Lower(host);
  if (wanted.size() >= 2 && wanted.front() == '[' && wanted.back() == ']') {
    wanted = wanted.substr(1, wanted.size() - 2);
  }
  if (std::find(hosts_.begin(), hosts_.end(), wanted) != hosts_.end()) return true;
  IpAddress literal;
  return ParseIpLiteral(wanted, &literal) && AllowsAddress(literal);
}

bool SourceAllowList::AllowsAddress(const IpAddress& address) const {
  for (const Range& range : ranges_) {
    if (range.base.v6 == address.v6 &&
        PrefixMatches(address.bytes.data(), range.base.bytes.data(), range.prefix)) {
      return true;
    }
  }
  return false;
}

}  // namespace okrbot
