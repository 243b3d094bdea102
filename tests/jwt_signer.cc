#include "tests/jwt_signer.h"

#include "bot/base64.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace okrbot::testing {
namespace {

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "jwt_signer: %s\n", what);
  ERR_print_errors_fp(stderr);
  std::abort();
}

const unsigned char* Bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

std::string_view Chars(const unsigned char* bytes, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(bytes), size);
}

// "<base64url(header)>.<base64url(claims)>": the part a JWS signature covers.
std::string SigningInput(const nlohmann::json& header, const nlohmann::json& claims) {
  return Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(claims.dump());
}

// An RSA parameter (OSSL_PKEY_PARAM_RSA_N or _E) as unpadded base64url of its big-endian bytes.
std::string RsaParameter(EVP_PKEY* key, const char* name) {
  BIGNUM* value = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &value) != 1) Die("cannot read an RSA parameter");
  std::string bytes(static_cast<size_t>(BN_num_bytes(value)), '\0');
  BN_bn2bin(value, reinterpret_cast<unsigned char*>(bytes.data()));
  BN_free(value);
  return Base64UrlEncode(bytes);
}

}  // namespace

TestRsaKey::TestRsaKey(std::string kid, int bits) : kid_(std::move(kid)) {
  EVP_PKEY* key_pair = EVP_RSA_gen(static_cast<unsigned int>(bits));
  if (key_pair == nullptr) Die("cannot generate an RSA key");
  key_pair_.reset(key_pair, EVP_PKEY_free);
}

nlohmann::json TestRsaKey::Jwk(const std::vector<std::string>& endorsements) const {
  return {
      {"kty", "RSA"},
      {"use", "sig"},
      {"kid", kid_},
      {"n", RsaParameter(key_pair_.get(), OSSL_PKEY_PARAM_RSA_N)},
      {"e", RsaParameter(key_pair_.get(), OSSL_PKEY_PARAM_RSA_E)},
      {"endorsements", endorsements},
  };
}

std::string TestRsaKey::Sign(const nlohmann::json& claims,
                             const nlohmann::json& extra_header) const {
  nlohmann::json header = {{"alg", "RS256"}, {"typ", "JWT"}, {"kid", kid_}};
  header.update(extra_header);
  const std::string signing_input = SigningInput(header, claims);

  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                  EVP_MD_CTX_free);
  EVP_PKEY_CTX* key_context = nullptr;  // owned by `context`
  size_t signature_size = 0;
  if (context == nullptr ||
      EVP_DigestSignInit(context.get(), &key_context, EVP_sha256(), nullptr, key_pair_.get()) !=
          1 ||
      EVP_PKEY_CTX_set_rsa_padding(key_context, RSA_PKCS1_PADDING) != 1 ||
      EVP_DigestSign(context.get(), nullptr, &signature_size, Bytes(signing_input),
                     signing_input.size()) != 1) {
    Die("cannot set up RS256 signing");
  }
  std::string signature(signature_size, '\0');
  if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()),
                     &signature_size, Bytes(signing_input), signing_input.size()) != 1) {
    Die("cannot sign RS256");
  }
  signature.resize(signature_size);
  return signing_input + "." + Base64UrlEncode(signature);
}

std::string TestRsaKey::PublicKeyPem() const {
  std::unique_ptr<BIO, decltype(&BIO_free)> buffer(BIO_new(BIO_s_mem()), BIO_free);
  if (buffer == nullptr || PEM_write_bio_PUBKEY(buffer.get(), key_pair_.get()) != 1) {
    Die("cannot write the public key as PEM");
  }
  char* text = nullptr;
  const long size = BIO_get_mem_data(buffer.get(), &text);
  return std::string(text, static_cast<size_t>(size));
}

std::string SignHs256(const nlohmann::json& claims, const std::string& secret,
                      const std::string& kid) {
  const nlohmann::json header = {{"alg", "HS256"}, {"typ", "JWT"}, {"kid", kid}};
  const std::string signing_input = SigningInput(header, claims);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  if (secret.size() > INT_MAX ||
      HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), Bytes(signing_input),
           signing_input.size(), mac, &mac_size) == nullptr) {
    Die("cannot compute HMAC-SHA256");
  }
  return signing_input + "." + Base64UrlEncode(Chars(mac, mac_size));
}

std::string UnsignedToken(const nlohmann::json& claims, const std::string& kid) {
  const nlohmann::json header = {{"alg", "none"}, {"kid", kid}};
  return SigningInput(header, claims) + ".";
}

}  // namespace okrbot::testing
