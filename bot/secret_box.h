// SecretBox: authenticated encryption of secrets at rest (bot tokens in the database).
//
// Contract: the key is OKRBOT_SECRET_KEY, 64 hex characters (32 bytes); FromHexKey refuses
// anything else with kInvalidArgument and never echoes the key. Seal encrypts with AES-256-GCM
// under a fresh 12-byte nonce and returns
//   "v1:" + base64(nonce || ciphertext || 16-byte tag)
// (standard alphabet, with padding), authenticating the label "v1" as associated data so a
// future format cannot be passed off as this one. The ciphertext is as long as the plaintext;
// sealing the same text twice gives different output. Open reverses Seal: input without the
// "v1:" prefix, with bad base64 (non-canonical encodings included) or too short to hold a
// nonce and tag is kInvalidArgument; a wrong key or any altered byte is kPermissionDenied. Open
// never crashes on hostile input and never returns partially decrypted text.
//
// Seal cannot fail for valid input. If the random source or OpenSSL itself fails it aborts the
// process: carrying on could reuse a nonce (which breaks GCM) or store a token unencrypted.
//
// Thread-safety: a SecretBox is immutable after creation; Seal and Open may be called
// concurrently, provided a custom nonce source is itself thread-safe (the default, RAND_bytes,
// is). Copies are independent; the key bytes are wiped when a SecretBox is destroyed.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace okrbot {

class SecretBox {
 public:
  // Fills `size` bytes at `out` with nonce material. Must not repeat a nonce under one key.
  using NonceSource = std::function<void(unsigned char* out, size_t size)>;

  // `nonce_source` defaults (when empty) to OpenSSL's CSPRNG; tests pass a fixed one.
  static Result<SecretBox> FromHexKey(const std::string& hex, NonceSource nonce_source = {});

  SecretBox(const SecretBox& other) = default;
  SecretBox& operator=(const SecretBox& other) = default;
  ~SecretBox();

  std::string Seal(std::string_view plaintext) const;
  Result<std::string> Open(std::string_view sealed) const;

  // Why a well-formed hex key is too predictable to protect tokens ("" when it is not): fewer
  // than 10 distinct hex digits, or a pattern that repeats every 32 characters or fewer (all
  // zeros, "0123456789abcdef" twice, ...). A key from `openssl rand -hex 32` passes with
  // near certainty. Never echoes the key.
  static std::string WeakKeyReason(const std::string& hex);

  // True if `text` has the "v1:" prefix, i.e. was (or claims to be) written by Seal. Lets a
  // migration tell sealed tokens from legacy plaintext ones.
  static bool LooksSealed(std::string_view text);

 private:
  static constexpr size_t kKeySize = 32;

  SecretBox(const std::array<unsigned char, kKeySize>& key, NonceSource nonce_source);

  std::array<unsigned char, kKeySize> key_;
  NonceSource nonce_source_;
};

}  // namespace okrbot
