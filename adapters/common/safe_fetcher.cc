#include "adapters/common/safe_fetcher.h"

#include <httplib.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cstring>
#include <memory>
#include <vector>

#include "adapters/common/url.h"

namespace okrbot {
namespace {

struct Target {
  bool https = false;
  std::string origin;  // "https://host:port"
  std::string host;    // without brackets
  std::string path;    // with query, at least "/"
};

Status ParseTarget(const std::string& url, Target* out) {
  HttpUrl parsed;
  if (url.size() > 2048 || !ParseHttpUrl(url, &parsed)) {
    return Status::InvalidArgument("The URL is not a valid http(s) URL.");
  }
  out->origin = parsed.origin;
  out->path = parsed.path.empty() ? "/" : parsed.path;
  out->https = parsed.origin.rfind("https://", 0) == 0;
  std::string rest = parsed.origin.substr(out->https ? 8 : 7);
  if (!rest.empty() && rest[0] == '[') {
    size_t close = rest.find(']');
    out->host = rest.substr(1, close - 1);
  } else {
    out->host = rest.substr(0, rest.find(':'));
  }
  return Status::Ok();
}

Result<std::vector<IpAddress>> Resolve(const std::string& host) {
  IpAddress literal;
  if (ParseIpLiteral(host, &literal)) return std::vector<IpAddress>{literal};
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) {
    return Status::Unavailable("The host " + host + " could not be found (DNS).");
  }
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> owner(found, freeaddrinfo);
  std::vector<IpAddress> out;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    IpAddress address;
    if (a->ai_family == AF_INET) {
      const auto* in = reinterpret_cast<const sockaddr_in*>(a->ai_addr);
      std::memcpy(address.bytes.data(), &in->sin_addr, 4);
    } else if (a->ai_family == AF_INET6) {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(a->ai_addr);
      address.v6 = true;
      std::memcpy(address.bytes.data(), &in6->sin6_addr, 16);
    } else {
      continue;
    }
    out.push_back(address);
  }
  if (out.empty()) return Status::Unavailable("The host " + host + " has no address.");
  return out;
}

// The address to connect to, once every address of the host passed the rule.
Result<IpAddress> Vet(const Target& target, const SourceAllowList& allow) {
  const bool host_allowed = allow.AllowsHost(target.host);
  if (!target.https && !host_allowed) {
    return Status::PermissionDenied(
        "Only https URLs are fetched (plain http only for hosts in "
        "OKRBOT_SOURCES_ALLOW); " +
        target.host + " is not one.");
  }
  auto addresses = Resolve(target.host);
  if (!addresses.ok()) return addresses.status();
  for (const IpAddress& address : *addresses) {
    std::string reason = RefusedAddressReason(address);
    if (!reason.empty() && !host_allowed && !allow.AllowsAddress(address)) {
      return Status::PermissionDenied(
          "Refused: " + target.host + " is " + address.ToString() + ", " + reason +
          ". okrbot fetches only public addresses unless OKRBOT_SOURCES_ALLOW names the host or "
          "its range.");
    }
  }
  return addresses->front();
}

}  // namespace

Result<std::string> SafeFetcher::Fetch(const std::string& url, const std::string& header) {
  const auto deadline = std::chrono::steady_clock::now() + options_.timeout;
  httplib::Headers headers;
  if (!header.empty()) {
    size_t colon = header.find(':');
    if (colon == std::string::npos || colon == 0 ||
        header.find_first_of("\r\n") != std::string::npos) {
      return Status::InvalidArgument("The source's header is not \"Name: value\".");
    }
    std::string value = header.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    headers.emplace(header.substr(0, colon), value);
  }
  std::string current = url;
  std::string first_host;
  for (int redirects = 0;; ++redirects) {
    Target target;
    OKRBOT_RETURN_IF_ERROR(ParseTarget(current, &target));
    // The secret header goes only to the host the owner named, never to a redirect elsewhere.
    if (first_host.empty()) first_host = target.host;
    if (target.host != first_host) headers.clear();
    auto address = Vet(target, options_.allow);
    if (!address.ok()) return address.status();
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Status::Unavailable("The source took longer than 5 s.");
    httplib::Client client(target.origin);
    client.set_hostname_addr_map({{target.host, address->ToString()}});
    client.set_tcp_nodelay(true);
    client.set_follow_location(false);
    client.set_connection_timeout(std::chrono::duration_cast<std::chrono::microseconds>(left));
    client.set_read_timeout(std::chrono::duration_cast<std::chrono::microseconds>(left));
    client.set_write_timeout(std::chrono::duration_cast<std::chrono::microseconds>(left));
    if (target.https) {
      client.enable_server_certificate_verification(true);
      if (!options_.ca_file.empty()) client.set_ca_cert_path(options_.ca_file.c_str());
    }
    std::string body;
    bool too_big = false;
    bool too_slow = false;
    auto result = client.Get(
        target.path, headers, [](const httplib::Response&) { return true; },
        [&](const char* data, size_t size) {
          if (std::chrono::steady_clock::now() > deadline) {
            too_slow = true;
            return false;
          }
          if (body.size() + size > options_.max_body_bytes) {
            too_big = true;
            return false;
          }
          body.append(data, size);
          return true;
        });
    if (too_big) {
      return Status::InvalidArgument("The answer is larger than " +
                                     std::to_string(options_.max_body_bytes >> 10) + " KiB.");
    }
    if (!result) {
      if (too_slow || result.error() == httplib::Error::ConnectionTimeout ||
          std::chrono::steady_clock::now() + std::chrono::milliseconds(50) >= deadline) {
        return Status::Unavailable("The source took longer than " +
                                   std::to_string(options_.timeout.count() / 1000) + " s.");
      }
      return Status::Unavailable("Could not reach " + target.host + ": " +
                                 httplib::to_string(result.error()) + ".");
    }
    const int status = result->status;
    if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
      if (redirects >= options_.max_redirects) {
        return Status::FailedPrecondition("The source redirected more than " +
                                          std::to_string(options_.max_redirects) + " times.");
      }
      std::string location = result->get_header_value("Location");
      if (location.empty()) return Status::FailedPrecondition("A redirect gave no Location.");
      current = location[0] == '/' ? target.origin + location : location;
      continue;
    }
    if (status < 200 || status >= 300) {
      return Status::Unavailable("The source answered HTTP " + std::to_string(status) + ".");
    }
    return body;
  }
}

}  // namespace okrbot
