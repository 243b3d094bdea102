// Verification of the JSON Web Tokens the Microsoft Bot Framework connector sends with every
// activity (Authorization: Bearer <token>), against the signing keys of its JWKS document
// (https://login.botframework.com/v1/.well-known/keys).
//
// Contract: ParseJwks turns a JWKS document into RSA keys, skipping keys it cannot or must not
// use (see below). ParseJwt splits and decodes a compact token without trusting anything in it.
// VerifyJwt then accepts the token only if all of these hold, checked in this order:
//   1. the header "alg" is exactly "RS256" and there is no "crit" header. This comes before any
//      use of the key, so "none" and HS256 signed with the public key as HMAC secret (the
//      classic algorithm confusion attack) are refused without touching it;
//   2. the key's kid equals the token's kid;
//   3. the RS256 signature (RSASSA-PKCS1-v1_5 with SHA-256) is valid under key.public_key;
//   4. "iss" is one of expect.issuers (exact match);
//   5. "aud" equals expect.audience, or is an array containing it;
//   6. "exp" is present, a number, and now <= exp + clock_skew;
//   7. "nbf", when present, is a number and now >= nbf - clock_skew;
//   8. expect.channel_id is non-empty and listed in key.endorsements (the Bot Framework way of
//      saying which channels a key may speak for);
//   9. when expect.service_url is non-empty, the "serviceurl" (or "serviceUrl") claim is present
//      and equals it, ignoring one trailing '/' on either side.
// Every refusal is kPermissionDenied (ParseJwks failures are kInvalidArgument) with a short
// reason for a log, e.g. "bad signature" or "token expired". Reasons never contain the token;
// the few that quote a value from it (the alg, the channel id) quote at most 40 printable
// characters. Expected failures are Status values; nothing here throws on hostile input.
//
// Thread-safety: all functions are pure and may be called concurrently. A JsonWebKey can be
// shared between threads: its EVP_PKEY is only ever read after ParseJwks has built it.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/types.h>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/status.h"

namespace okrbot::teams {

// One RSA signing key from a JWKS document.
struct JsonWebKey {
  std::string kid;
  std::vector<std::string> endorsements;  // Bot Framework: channel ids such as "msteams"
  std::shared_ptr<EVP_PKEY> public_key;   // never null in a parsed key
};

// Parses {"keys":[{"kty":"RSA","kid":..,"n":..,"e":..,"endorsements":[..]},...]}.
// Skipped: entries that are not objects, keys whose "kty" is not "RSA", whose "use" (when
// present) is not "sig", without a non-empty string "kid", whose "n" or "e" is not strict
// base64url or is zero, or whose modulus has more than 8192 bits. Non-string endorsements are
// ignored. Only the first 100 entries of "keys" are looked at, so a hostile document cannot make
// us build keys without end. Not JSON, or no "keys" array: kInvalidArgument. A document whose
// keys were all skipped gives an empty vector, not an error.
Result<std::vector<JsonWebKey>> ParseJwks(const std::string& json_text);

// A compact JWS split and decoded, before any signature check.
struct ParsedJwt {
  nlohmann::json header;      // object
  nlohmann::json claims;      // object
  std::string signing_input;  // "<header b64>.<payload b64>"
  std::string signature;      // raw bytes (empty for an unsigned "h.p." token)
  std::string kid;            // header "kid" ("" when absent)
  std::string alg;            // header "alg"
};

// Accepts at most 16 KiB of three strict base64url parts separated by '.', whose first two
// decode to JSON objects; the header must have a string "alg" and, if it has a "kid", that must
// be a string too. Anything else is kPermissionDenied with a short reason such as
// "the token is not a JWT (it does not have three parts)".
Result<ParsedJwt> ParseJwt(std::string_view token);

struct JwtExpectations {
  std::vector<std::string> issuers;  // accepted "iss" values (exact match)
  std::string audience;     // "aud" must equal this (or be an array containing it); never empty
  std::string channel_id;   // the activity's channelId: must be in the key's endorsements
  std::string service_url;  // the activity's serviceUrl: must equal the "serviceurl" claim
  Seconds now{};
  std::chrono::seconds clock_skew{300};
};

// The checks listed at the top of this file, in that order. An empty expect.audience refuses
// every token, since it would otherwise accept tokens whose "aud" is "".
Status VerifyJwt(const ParsedJwt& token, const JsonWebKey& key, const JwtExpectations& expect);

}  // namespace okrbot::teams
