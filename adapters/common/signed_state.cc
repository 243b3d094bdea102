#include "adapters/common/signed_state.h"

#include "bot/base64.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace okrbot {
namespace {

constexpr size_t kExpirySize = 8;
constexpr size_t kNonceSize = 16;
constexpr size_t kPayloadSize = kExpirySize + kNonceSize;
constexpr size_t kMacSize = 32;  // SHA-256
// Unpadded base64url lengths: 24 bytes -> 32 characters, 32 bytes -> 43.
constexpr size_t kPayloadTextSize = (kPayloadSize * 4 + 2) / 3;
constexpr size_t kMacTextSize = (kMacSize * 4 + 2) / 3;
constexpr size_t kStateSize = kPayloadTextSize + 1 + kMacTextSize;

constexpr char kExpiredMessage[] = "The install link expired; start again from /slack/install.";
constexpr char kMalformedMessage[] =
    "The install link is not valid (its state is malformed); start again from /slack/install.";
constexpr char kForgedMessage[] =
    "The install link is not valid (its state was altered or is for another purpose); start "
    "again from /slack/install.";

}  // namespace

SignedStateIssuer::SignedStateIssuer(std::string key, const Clock* clock, std::chrono::seconds ttl)
    : key_(std::move(key)), clock_(clock), ttl_(ttl) {}

SignedStateIssuer::~SignedStateIssuer() { OPENSSL_cleanse(key_.data(), key_.size()); }

// base64url(HMAC-SHA256(key, purpose "|" payload)), or "" if OpenSSL fails. The payload never
// contains '|', so distinct (purpose, payload) pairs always give distinct MAC inputs.
std::string SignedStateIssuer::MacOf(std::string_view purpose, std::string_view payload) const {
  std::string message;
  message.reserve(purpose.size() + 1 + payload.size());
  message.append(purpose).append("|").append(payload);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  if (key_.size() > INT_MAX ||
      HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac,
           &mac_size) == nullptr ||
      mac_size != kMacSize) {
    return "";
  }
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(mac), mac_size));
}

std::string SignedStateIssuer::Issue(std::string_view purpose) const {
  unsigned char payload[kPayloadSize];
  const uint64_t expiry = static_cast<uint64_t>((clock_->Now() + ttl_).time_since_epoch().count());
  for (size_t i = 0; i < kExpirySize; ++i) {
    payload[i] = static_cast<unsigned char>(expiry >> (8 * (kExpirySize - 1 - i)));
  }
  // The nonce makes every state unique, so equal expiries still give unguessable values.
  if (RAND_bytes(payload + kExpirySize, kNonceSize) != 1) {
    std::fputs("okrbot: SignedStateIssuer: the random number generator failed; aborting.\n",
               stderr);
    std::abort();
  }
  std::string state =
      Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(payload), kPayloadSize));
  const std::string mac = MacOf(purpose, state);
  state.push_back('.');
  state += mac;  // an empty MAC (OpenSSL failure) leaves a state Check refuses
  return state;
}

Status SignedStateIssuer::Check(std::string_view state, std::string_view purpose) const {
  if (key_.empty()) {
    return Status::FailedPrecondition(
        "The install link cannot be checked: no state signing key is configured.");
  }
  if (state.size() != kStateSize || state[kPayloadTextSize] != '.') {
    return Status::PermissionDenied(kMalformedMessage);
  }
  const std::string_view payload_text = state.substr(0, kPayloadTextSize);
  const std::string_view mac_text = state.substr(kPayloadTextSize + 1);
  // Verify before decoding: nothing in the payload is looked at until we know we wrote it.
  const std::string expected_mac = MacOf(purpose, payload_text);
  if (expected_mac.size() != kMacTextSize) {
    return Status::Internal("Could not compute the install link signature (OpenSSL failure).");
  }
  if (CRYPTO_memcmp(expected_mac.data(), mac_text.data(), kMacTextSize) != 0) {
    return Status::PermissionDenied(kForgedMessage);
  }
  std::string payload;
  if (!Base64UrlDecode(payload_text, &payload) || payload.size() != kPayloadSize) {
    return Status::PermissionDenied(kMalformedMessage);
  }
  uint64_t expiry = 0;
  for (size_t i = 0; i < kExpirySize; ++i) {
    expiry = (expiry << 8) | static_cast<unsigned char>(payload[i]);
  }
  const long long now = clock_->Now().time_since_epoch().count();
  if (now > static_cast<long long>(expiry)) return Status::PermissionDenied(kExpiredMessage);
  return Status::Ok();
}

}  // namespace okrbot
