#include "adapters/teams/jwt.h"

#include "bot/base64.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <optional>
#include <utility>

namespace okrbot::teams {
namespace {

constexpr size_t kMaxTokenSize = 16 * 1024;
constexpr size_t kMaxKeysRead = 100;
constexpr size_t kMaxModulusBytes = 8192 / 8;
// Longest value quoted from a token in a refusal reason.
constexpr size_t kMaxQuotedSize = 40;

const unsigned char* Bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

// Values quoted from a token or an activity are chosen by whoever sent them: keep them short and
// free of control characters, so a reason can neither flood a log nor forge log lines.
std::string ForLog(std::string_view text) {
  std::string quoted;
  for (char c : text.substr(0, kMaxQuotedSize)) {
    const unsigned char byte = static_cast<unsigned char>(c);
    quoted.push_back(byte >= 0x20 && byte < 0x7f ? c : '?');
  }
  if (text.size() > kMaxQuotedSize) quoted += "...";
  return quoted;
}

Status Refuse(std::string reason) { return Status::PermissionDenied(std::move(reason)); }

Status NotAJwt(const std::string& why) { return Refuse("the token is not a JWT (" + why + ")"); }

// The member `name` of a JSON object if it is a string, else null.
const std::string* StringMember(const nlohmann::json& object, const char* name) {
  const auto member = object.find(name);
  if (member == object.end() || !member->is_string()) return nullptr;
  return &member->get_ref<const std::string&>();
}

bool ParseJsonObject(const std::string& text, nlohmann::json* out) {
  *out = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return !out->is_discarded() && out->is_object();
}

// Big-endian bytes without their leading zero bytes, so that a size counts significant bytes.
std::string_view WithoutLeadingZeros(std::string_view bytes) {
  const size_t first = bytes.find_first_not_of('\0');
  return first == std::string_view::npos ? std::string_view() : bytes.substr(first);
}

// An RSA public key from its big-endian modulus and exponent, or null if OpenSSL refuses them.
std::shared_ptr<EVP_PKEY> NewRsaPublicKey(std::string_view modulus, std::string_view exponent) {
  // A failed build leaves errors on this thread's OpenSSL queue, where a later TLS call on the
  // same thread would find and misreport them; the mark lets us drop exactly ours.
  ERR_set_mark();
  std::unique_ptr<BIGNUM, decltype(&BN_free)> n(
      BN_bin2bn(Bytes(modulus), static_cast<int>(modulus.size()), nullptr), BN_free);
  std::unique_ptr<BIGNUM, decltype(&BN_free)> e(
      BN_bin2bn(Bytes(exponent), static_cast<int>(exponent.size()), nullptr), BN_free);
  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> builder(OSSL_PARAM_BLD_new(),
                                                                          OSSL_PARAM_BLD_free);
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(nullptr, OSSL_PARAM_free);
  if (n != nullptr && e != nullptr && builder != nullptr &&
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) == 1 &&
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) == 1) {
    params.reset(OSSL_PARAM_BLD_to_param(builder.get()));
  }
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> context(
      EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr), EVP_PKEY_CTX_free);
  EVP_PKEY* key = nullptr;
  if (params == nullptr || context == nullptr || EVP_PKEY_fromdata_init(context.get()) != 1 ||
      EVP_PKEY_fromdata(context.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    key = nullptr;
  }
  ERR_pop_to_mark();
  if (key == nullptr) return nullptr;
  return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

// One "keys" entry as a usable RSA signing key, or nullopt if it must be skipped.
std::optional<JsonWebKey> ParseRsaKey(const nlohmann::json& entry) {
  if (!entry.is_object()) return std::nullopt;
  const std::string* type = StringMember(entry, "kty");
  if (type == nullptr || *type != "RSA") return std::nullopt;
  if (entry.contains("use")) {
    const std::string* use = StringMember(entry, "use");
    if (use == nullptr || *use != "sig") return std::nullopt;
  }
  const std::string* kid = StringMember(entry, "kid");
  if (kid == nullptr || kid->empty()) return std::nullopt;

  const std::string* modulus_text = StringMember(entry, "n");
  const std::string* exponent_text = StringMember(entry, "e");
  std::string modulus_bytes;
  std::string exponent_bytes;
  if (modulus_text == nullptr || exponent_text == nullptr ||
      !Base64UrlDecode(*modulus_text, &modulus_bytes) ||
      !Base64UrlDecode(*exponent_text, &exponent_bytes)) {
    return std::nullopt;
  }
  const std::string_view modulus = WithoutLeadingZeros(modulus_bytes);
  const std::string_view exponent = WithoutLeadingZeros(exponent_bytes);
  // A 1024-byte modulus has at most 8192 bits. Bigger keys would only make verification slow;
  // an exponent longer than the modulus is not a valid RSA key.
  if (modulus.empty() || exponent.empty() || modulus.size() > kMaxModulusBytes ||
      exponent.size() > modulus.size()) {
    return std::nullopt;
  }
  std::shared_ptr<EVP_PKEY> public_key = NewRsaPublicKey(modulus, exponent);
  if (public_key == nullptr) return std::nullopt;

  JsonWebKey key;
  key.kid = *kid;
  key.public_key = std::move(public_key);
  const auto endorsements = entry.find("endorsements");
  if (endorsements != entry.end() && endorsements->is_array()) {
    for (const nlohmann::json& endorsement : *endorsements) {
      if (endorsement.is_string()) key.endorsements.push_back(endorsement.get<std::string>());
    }
  }
  return key;
}

// RSASSA-PKCS1-v1_5 with SHA-256 (JWS "RS256").
bool VerifyRs256(EVP_PKEY* public_key, std::string_view signing_input, std::string_view signature) {
  ERR_set_mark();  // a bad signature is an expected failure, not an OpenSSL error to report
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                  EVP_MD_CTX_free);
  EVP_PKEY_CTX* key_context = nullptr;  // owned by `context`
  const bool valid =
      context != nullptr &&
      EVP_DigestVerifyInit(context.get(), &key_context, EVP_sha256(), nullptr, public_key) == 1 &&
      EVP_PKEY_CTX_set_rsa_padding(key_context, RSA_PKCS1_PADDING) == 1 &&
      EVP_DigestVerify(context.get(), Bytes(signature), signature.size(), Bytes(signing_input),
                       signing_input.size()) == 1;
  ERR_pop_to_mark();
  return valid;
}

bool AudienceMatches(const nlohmann::json& claims, const std::string& audience) {
  const auto aud = claims.find("aud");
  if (aud == claims.end()) return false;
  if (aud->is_string()) return aud->get_ref<const std::string&>() == audience;
  if (!aud->is_array()) return false;
  for (const nlohmann::json& entry : *aud) {
    if (entry.is_string() && entry.get_ref<const std::string&>() == audience) return true;
  }
  return false;
}

// The Bot Framework writes the claim as "serviceurl"; accept "serviceUrl" too.
const std::string* ServiceUrlClaim(const nlohmann::json& claims) {
  if (claims.contains("serviceurl")) return StringMember(claims, "serviceurl");
  return StringMember(claims, "serviceUrl");
}

std::string_view WithoutTrailingSlash(std::string_view url) {
  if (!url.empty() && url.back() == '/') url.remove_suffix(1);
  return url;
}

}  // namespace

Result<std::vector<JsonWebKey>> ParseJwks(const std::string& json_text) {
  nlohmann::json document;
  if (!ParseJsonObject(json_text, &document)) {
    return Status::InvalidArgument("the JWKS document is not a JSON object");
  }
  const auto keys = document.find("keys");
  if (keys == document.end() || !keys->is_array()) {
    return Status::InvalidArgument("the JWKS document has no \"keys\" array");
  }
  std::vector<JsonWebKey> parsed;
  const size_t entries_to_read = std::min(keys->size(), kMaxKeysRead);
  for (size_t i = 0; i < entries_to_read; ++i) {
    std::optional<JsonWebKey> key = ParseRsaKey((*keys)[i]);
    if (key.has_value()) parsed.push_back(std::move(*key));
  }
  return parsed;
}

Result<ParsedJwt> ParseJwt(std::string_view token) {
  if (token.size() > kMaxTokenSize) return NotAJwt("it is longer than 16 KiB");
  const size_t first_dot = token.find('.');
  const size_t second_dot =
      first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos ||
      token.find('.', second_dot + 1) != std::string_view::npos) {
    return NotAJwt("it does not have three parts");
  }
  const std::string_view header_text = token.substr(0, first_dot);
  const std::string_view payload_text = token.substr(first_dot + 1, second_dot - first_dot - 1);
  const std::string_view signature_text = token.substr(second_dot + 1);

  ParsedJwt parsed;
  std::string header_json;
  std::string payload_json;
  if (!Base64UrlDecode(header_text, &header_json) ||
      !Base64UrlDecode(payload_text, &payload_json) ||
      !Base64UrlDecode(signature_text, &parsed.signature)) {
    return NotAJwt("a part is not base64url");
  }
  if (!ParseJsonObject(header_json, &parsed.header)) {
    return NotAJwt("its header is not a JSON object");
  }
  if (!ParseJsonObject(payload_json, &parsed.claims)) {
    return NotAJwt("its payload is not a JSON object");
  }
  const std::string* alg = StringMember(parsed.header, "alg");
  if (alg == nullptr) return NotAJwt("its header has no alg");
  parsed.alg = *alg;
  if (parsed.header.contains("kid")) {
    const std::string* kid = StringMember(parsed.header, "kid");
    if (kid == nullptr) return NotAJwt("its kid is not a string");
    parsed.kid = *kid;
  }
  parsed.signing_input = std::string(token.substr(0, second_dot));
  return parsed;
}

Status VerifyJwt(const ParsedJwt& token, const JsonWebKey& key, const JwtExpectations& expect) {
  // Only RS256, decided before the key is touched: a verifier that let the token pick the
  // algorithm could be made to check an HMAC keyed with our public key, which anyone can forge.
  if (token.alg != "RS256") return Refuse("unsupported alg " + ForLog(token.alg));
  // "crit" lists extensions the verifier must understand (RFC 7515 §4.1.11); we know none.
  if (token.header.contains("crit")) return Refuse("unsupported crit header");
  if (token.kid.empty() || token.kid != key.kid) return Refuse("token kid does not match the key");
  if (key.public_key == nullptr || EVP_PKEY_is_a(key.public_key.get(), "RSA") != 1) {
    return Refuse("the key is not an RSA public key");
  }
  if (!VerifyRs256(key.public_key.get(), token.signing_input, token.signature)) {
    return Refuse("bad signature");
  }

  // The signature is good: from here on the claims are the Bot Framework's own.
  const nlohmann::json& claims = token.claims;
  const std::string* issuer = StringMember(claims, "iss");
  if (issuer == nullptr ||
      std::find(expect.issuers.begin(), expect.issuers.end(), *issuer) == expect.issuers.end()) {
    return Refuse("wrong issuer");
  }
  if (expect.audience.empty()) return Refuse("no audience (app id) is configured");
  if (!AudienceMatches(claims, expect.audience)) return Refuse("wrong audience");

  // NumericDate may be fractional (RFC 7519 §2), so compare as doubles; Unix times are exact.
  const double now = static_cast<double>(expect.now.time_since_epoch().count());
  const double skew = static_cast<double>(expect.clock_skew.count());
  const auto expiry = claims.find("exp");
  if (expiry == claims.end() || !expiry->is_number()) return Refuse("token has no numeric exp");
  if (now > expiry->get<double>() + skew) return Refuse("token expired");
  const auto not_before = claims.find("nbf");
  if (not_before != claims.end()) {
    if (!not_before->is_number()) return Refuse("token has a non-numeric nbf");
    if (now < not_before->get<double>() - skew) return Refuse("token not yet valid");
  }

  if (expect.channel_id.empty()) return Refuse("the activity has no channelId");
  if (std::find(key.endorsements.begin(), key.endorsements.end(), expect.channel_id) ==
      key.endorsements.end()) {
    return Refuse("key not endorsed for channel " + ForLog(expect.channel_id));
  }

  if (!expect.service_url.empty()) {
    const std::string* claimed_service_url = ServiceUrlClaim(claims);
    if (claimed_service_url == nullptr) return Refuse("token has no serviceurl claim");
    if (WithoutTrailingSlash(*claimed_service_url) != WithoutTrailingSlash(expect.service_url)) {
      return Refuse("serviceUrl does not match the token");
    }
  }
  return Status::Ok();
}

}  // namespace okrbot::teams
