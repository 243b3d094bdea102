// Signed, expiring OAuth `state` values (GET /slack/install -> Slack -> /slack/oauth/callback).
//
// Contract: Issue(purpose) returns
//   base64url(expiry || nonce) "." base64url(HMAC-SHA256(key, purpose "|" payload))
// where expiry is the Unix time clock->Now() + ttl as 8 big-endian bytes, nonce is 16 random
// bytes, payload is the first base64url part exactly as written, and base64url has no padding,
// so the value needs no escaping in a URL (76 characters). Check accepts a value only if it has
// that shape, its HMAC matches (compared in constant time, before anything in it is trusted),
// it was issued for the same `purpose`, and clock->Now() is not past its expiry (a value is good
// for exactly `ttl`, both ends included). Otherwise kPermissionDenied with a message for the
// person installing, e.g. "The install link expired; start again from /slack/install." An empty
// key would let anyone forge a state, so Check then refuses everything with kFailedPrecondition.
//
// What it does not do: the check is stateless, so a state can be used more than once until it
// expires, and it is not tied to the browser that started the install. Callers that need either
// must add a one-time store or a cookie.
//
// Thread-safety: Issue and Check are const and may be called concurrently. `clock` is not owned
// and must outlive the issuer.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"

namespace okrbot {

class SignedStateIssuer {
 public:
  SignedStateIssuer(std::string key, const Clock* clock,
                    std::chrono::seconds ttl = std::chrono::minutes(10));
  ~SignedStateIssuer();
  SignedStateIssuer(const SignedStateIssuer&) = default;
  SignedStateIssuer& operator=(const SignedStateIssuer&) = default;

  // Aborts the process if the random number generator fails (it does not in practice).
  std::string Issue(std::string_view purpose) const;
  Status Check(std::string_view state, std::string_view purpose) const;

 private:
  std::string MacOf(std::string_view purpose, std::string_view payload) const;

  std::string key_;
  const Clock* clock_;
  std::chrono::seconds ttl_;
};

}  // namespace okrbot
