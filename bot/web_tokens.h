// Secrets for the web dashboard: one-time sign-in links, session cookies and CSRF tokens, and
// the content keys of chart images.
//
// Contract: NewSecret() returns 64 lower-case hex digits (32 bytes from OpenSSL's CSPRNG): safe
// in URLs, cookies and every chat platform's markup, where base64's - and _ would be escaped; it
// never returns an empty string (it aborts when the system cannot give randomness, as no secret
// would be safe then). Sha256Hex() is the lower-case hex SHA-256 of `data` (64 characters): the
// Store keeps only these hashes of secrets, and charts are keyed by the hash of their SVG.
// SecretsEqual compares in time independent of where they differ. Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace okrbot {

std::string NewSecret();
std::string Sha256Hex(std::string_view data);
bool SecretsEqual(std::string_view a, std::string_view b);

}  // namespace okrbot
