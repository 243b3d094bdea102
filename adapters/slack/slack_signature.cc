#include "adapters/slack/slack_signature.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <utility>

namespace okrbot {
namespace {

constexpr std::string_view kVersionPrefix = "v0=";
constexpr size_t kMacSize = 32;  // SHA-256
constexpr size_t kSignatureSize = kVersionPrefix.size() + 2 * kMacSize;
// More digits than any plausible Unix time; bounds the parse so it cannot overflow.
constexpr size_t kMaxTimestampDigits = 15;

EVP_MAC_CTX* NewKeyedHmacSha256(const std::string& key) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
  if (mac == nullptr) return nullptr;
  EVP_MAC_CTX* context = EVP_MAC_CTX_new(mac);
  EVP_MAC_free(mac);  // the context holds its own reference
  if (context == nullptr) return nullptr;
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
      OSSL_PARAM_construct_end(),
  };
  // std::string::data() is never null, which matters: a null key means "keep the old key".
  if (EVP_MAC_init(context, reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                   params) != 1) {
    EVP_MAC_CTX_free(context);
    return nullptr;
  }
  return context;
}

bool ParseTimestamp(std::string_view text, long long* seconds) {
  if (text.empty() || text.size() > kMaxTimestampDigits) return false;
  long long value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *seconds = value;
  return true;
}

}  // namespace

void SlackSignatureVerifier::MacContextDeleter::operator()(EVP_MAC_CTX* context) const {
  EVP_MAC_CTX_free(context);
}

SlackSignatureVerifier::SlackSignatureVerifier(std::string signing_secret, const Clock* clock,
                                               std::chrono::seconds window)
    : has_secret_(!signing_secret.empty()),
      clock_(clock),
      window_(window),
      keyed_template_(NewKeyedHmacSha256(signing_secret)) {
  // The key now lives only inside the OpenSSL context; do not leave a copy in freed memory.
  OPENSSL_cleanse(signing_secret.data(), signing_secret.size());
}

SlackSignatureVerifier::~SlackSignatureVerifier() = default;
SlackSignatureVerifier::SlackSignatureVerifier(SlackSignatureVerifier&&) noexcept = default;
SlackSignatureVerifier& SlackSignatureVerifier::operator=(SlackSignatureVerifier&&) noexcept =
    default;

std::string SlackSignatureVerifier::Sign(std::string_view timestamp,
                                         std::string_view raw_body) const {
  if (keyed_template_ == nullptr) return "";
  // Each call works on its own copy, so the shared template is only ever read.
  std::unique_ptr<EVP_MAC_CTX, MacContextDeleter> context(EVP_MAC_CTX_dup(keyed_template_.get()));
  if (context == nullptr) return "";
  auto update = [&context](std::string_view part) {
    return EVP_MAC_update(context.get(), reinterpret_cast<const unsigned char*>(part.data()),
                          part.size()) == 1;
  };
  // The basestring is fed in pieces so that a large body is never copied.
  unsigned char mac[kMacSize];
  size_t mac_size = 0;
  if (!update("v0:") || !update(timestamp) || !update(":") || !update(raw_body) ||
      EVP_MAC_final(context.get(), mac, &mac_size, sizeof(mac)) != 1 || mac_size != kMacSize) {
    return "";
  }
  static constexpr char kHexDigits[] = "0123456789abcdef";
  std::string signature(kVersionPrefix);
  signature.reserve(kSignatureSize);
  for (unsigned char byte : mac) {
    signature.push_back(kHexDigits[byte >> 4]);
    signature.push_back(kHexDigits[byte & 0x0F]);
  }
  return signature;
}

Status SlackSignatureVerifier::Verify(std::string_view timestamp_header,
                                      std::string_view signature_header,
                                      std::string_view raw_body) const {
  if (!has_secret_) {
    return Status::FailedPrecondition("Slack signing secret is empty; refusing every request.");
  }
  if (timestamp_header.empty()) {
    return Status::PermissionDenied("Slack request has no X-Slack-Request-Timestamp header.");
  }
  if (signature_header.empty()) {
    return Status::PermissionDenied("Slack request has no X-Slack-Signature header.");
  }
  long long timestamp = 0;
  if (!ParseTimestamp(timestamp_header, &timestamp)) {
    return Status::PermissionDenied("Slack request timestamp is not a number of seconds.");
  }
  const long long now = clock_->Now().time_since_epoch().count();
  const long long window = window_.count();
  if (timestamp < now - window) {
    return Status::PermissionDenied("Slack request timestamp is more than " +
                                    std::to_string(window) + " s old (possible replay).");
  }
  if (timestamp > now + window) {
    return Status::PermissionDenied("Slack request timestamp is more than " +
                                    std::to_string(window) + " s in the future.");
  }
  if (signature_header.substr(0, kVersionPrefix.size()) != kVersionPrefix) {
    return Status::PermissionDenied("Slack signature does not start with \"v0=\".");
  }
  if (signature_header.size() != kSignatureSize) {
    return Status::PermissionDenied("Slack signature has the wrong length.");
  }
  const std::string expected = Sign(timestamp_header, raw_body);
  if (expected.size() != kSignatureSize) {
    return Status::Internal("Could not compute the Slack signature (OpenSSL failure).");
  }
  // CRYPTO_memcmp takes the same time wherever the first difference is, so the response time
  // does not tell an attacker how many leading characters of a forged signature were right.
  if (CRYPTO_memcmp(expected.data(), signature_header.data(), kSignatureSize) != 0) {
    return Status::PermissionDenied("Slack signature does not match the request.");
  }
  return Status::Ok();
}

}  // namespace okrbot
