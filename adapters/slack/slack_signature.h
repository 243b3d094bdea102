// Verification of Slack's request signatures
// (https://api.slack.com/authentication/verifying-requests-from-slack).
//
// Contract: Slack signs every request with
//   X-Slack-Signature: "v0=" + lower-case hex(HMAC-SHA256(signing secret, "v0:{ts}:{raw body}"))
// and sends {ts} in X-Slack-Request-Timestamp (Unix seconds). Verify accepts a request only if
// both headers are present, the timestamp is a decimal number no more than `window` away from
// clock->Now() in either direction (a replayed or forged-ahead request is refused), and the
// signature matches. The comparison runs in constant time. Every refusal is kPermissionDenied
// whose message names the check that failed; messages never contain the secret or the expected
// signature, so they are safe to log. An empty signing secret would let anyone sign, so a
// verifier built with one refuses everything with kFailedPrecondition; if OpenSSL cannot compute
// the HMAC (out of memory) Verify fails closed with kInternal and Sign returns "".
//
// The HMAC key schedule is computed once, in the constructor; each call only copies it. The
// secret itself is not kept.
//
// Thread-safety: after construction, Verify and Sign are const and may be called concurrently
// from any number of threads. `clock` is not owned and must outlive the verifier.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include <openssl/types.h>

#include "core/clock.h"
#include "core/status.h"

namespace okrbot {

class SlackSignatureVerifier {
 public:
  SlackSignatureVerifier(std::string signing_secret, const Clock* clock,
                         std::chrono::seconds window = std::chrono::minutes(5));
  ~SlackSignatureVerifier();
  SlackSignatureVerifier(SlackSignatureVerifier&&) noexcept;
  SlackSignatureVerifier& operator=(SlackSignatureVerifier&&) noexcept;
  SlackSignatureVerifier(const SlackSignatureVerifier&) = delete;
  SlackSignatureVerifier& operator=(const SlackSignatureVerifier&) = delete;

  // `timestamp_header` and `signature_header` are the raw values of X-Slack-Request-Timestamp
  // and X-Slack-Signature ("" when absent); `raw_body` is the body exactly as received, before
  // any form decoding.
  Status Verify(std::string_view timestamp_header, std::string_view signature_header,
                std::string_view raw_body) const;

  // The X-Slack-Signature value for this request: "v0=" + 64 lower-case hex digits. For tests and
  // for stand-ins that play Slack.
  std::string Sign(std::string_view timestamp, std::string_view raw_body) const;

 private:
  struct MacContextDeleter {
    void operator()(EVP_MAC_CTX* context) const;
  };

  bool has_secret_;
  const Clock* clock_;
  std::chrono::seconds window_;
  // Keyed HMAC-SHA256 context that is never updated, only duplicated: holds the precomputed
  // inner and outer pad state. Null if OpenSSL failed to set it up.
  std::unique_ptr<EVP_MAC_CTX, MacContextDeleter> keyed_template_;
};

}  // namespace okrbot
