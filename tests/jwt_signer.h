// Test-only JSON Web Token signing: plays the Bot Framework's token service, so tests (unit and
// integration) can build valid tokens and each kind of forged one.
//
// Contract: TestRsaKey generates a fresh RSA key pair and signs compact RS256 tokens with it;
// Jwk() publishes its public half the way the Bot Framework's JWKS document does. SignHs256 and
// UnsignedToken build the tokens an attacker would try. Nothing here checks its input; any
// OpenSSL failure aborts the process, since a test cannot go on without its key.
//
// Thread-safety: a TestRsaKey is immutable after construction; its const methods may be called
// concurrently. Copies share the same key pair.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <openssl/types.h>
#include <nlohmann/json.hpp>

namespace okrbot::testing {

class TestRsaKey {
 public:
  // Generates a fresh key pair; slow (tens of milliseconds, more under sanitizers).
  explicit TestRsaKey(std::string kid, int bits = 2048);

  const std::string& kid() const { return kid_; }

  // The public key as a JWK object:
  // {"kty":"RSA","use":"sig","kid":..,"n":..,"e":..,"endorsements":[...]}.
  nlohmann::json Jwk(const std::vector<std::string>& endorsements) const;

  // RS256 compact JWS of `claims` with header {"alg":"RS256","typ":"JWT","kid":kid()}, whose
  // members `extra_header` adds or replaces (to build wrong tokens: the signature stays RS256).
  std::string Sign(const nlohmann::json& claims,
                   const nlohmann::json& extra_header = nlohmann::json::object()) const;

  // The public key as a SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----..."), the text an
  // attacker would use as the HMAC secret of an HS256 token.
  std::string PublicKeyPem() const;

 private:
  std::string kid_;
  std::shared_ptr<EVP_PKEY> key_pair_;
};

// An HS256 token whose HMAC key is `secret` (header {"alg":"HS256","typ":"JWT","kid":kid}).
std::string SignHs256(const nlohmann::json& claims, const std::string& secret,
                      const std::string& kid);

// An unsigned token: header {"alg":"none","kid":kid} and an empty signature ("h.p.").
std::string UnsignedToken(const nlohmann::json& claims, const std::string& kid);

}  // namespace okrbot::testing
