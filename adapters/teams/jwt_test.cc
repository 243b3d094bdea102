#include "adapters/teams/jwt.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bot/base64.h"
#include "tests/jwt_signer.h"

namespace okrbot::teams {
namespace {

using ::okrbot::testing::SignHs256;
using ::okrbot::testing::TestRsaKey;
using ::okrbot::testing::UnsignedToken;

constexpr char kKid[] = "bf-key-1";
constexpr char kAppId[] = "3c1e9a52-app";
constexpr char kIssuer[] = "https://api.botframework.com";
constexpr char kServiceUrl[] = "https://smba.trafficmanager.net/emea/";
constexpr char kChannel[] = "msteams";
constexpr long long kNow = 1780000000;

Seconds At(long long unix_seconds) { return Seconds(std::chrono::seconds(unix_seconds)); }

nlohmann::json ValidClaims() {
  return {
      {"iss", kIssuer},
      {"aud", kAppId},
      {"exp", kNow + 3600},
      {"nbf", kNow - 60},
      {"serviceurl", kServiceUrl},
  };
}

// The JWKS document the Bot Framework would publish for `keys`.
std::string JwksDocument(const std::vector<nlohmann::json>& keys) {
  return nlohmann::json{{"keys", keys}}.dump();
}

std::vector<std::string> SplitOnDots(const std::string& token) {
  std::vector<std::string> parts(1);
  for (char c : token) {
    if (c == '.') {
      parts.emplace_back();
    } else {
      parts.back().push_back(c);
    }
  }
  return parts;
}

class JwtTest : public ::testing::Test {
 protected:
  // RSA key generation is slow under sanitizers, so the suite shares two key pairs.
  static void SetUpTestSuite() {
    signing_key_ = new TestRsaKey(kKid);
    stranger_key_ = new TestRsaKey(kKid);  // same kid, different key pair
  }
  static void TearDownTestSuite() {
    delete signing_key_;
    delete stranger_key_;
    signing_key_ = nullptr;
    stranger_key_ = nullptr;
  }

  void SetUp() override {
    // The key as the bot holds it: published in a JWKS document and parsed back.
    Result<std::vector<JsonWebKey>> keys =
        ParseJwks(JwksDocument({signing_key_->Jwk({"webchat", kChannel})}));
    ASSERT_TRUE(keys.ok()) << keys.status().ToString();
    ASSERT_EQ(keys->size(), 1u);
    key_ = (*keys)[0];

    expect_.issuers = {"https://other-issuer.example", kIssuer};
    expect_.audience = kAppId;
    expect_.channel_id = kChannel;
    expect_.service_url = kServiceUrl;
    expect_.now = At(kNow);
  }

  Status Verify(const std::string& token) const {
    Result<ParsedJwt> parsed = ParseJwt(token);
    if (!parsed.ok()) return parsed.status();
    return VerifyJwt(*parsed, key_, expect_);
  }

  void ExpectAccepted(const std::string& token) const {
    Status status = Verify(token);
    EXPECT_TRUE(status.ok()) << status.ToString();
  }

  void ExpectRefused(const std::string& token, const std::string& reason) const {
    Status status = Verify(token);
    ASSERT_FALSE(status.ok()) << "expected a refusal with: " << reason;
    EXPECT_EQ(status.code(), StatusCode::kPermissionDenied) << status.ToString();
    EXPECT_NE(status.message().find(reason), std::string::npos) << status.message();
    // A reason goes to the log; the token (a bearer credential) must not.
    for (const std::string& part : SplitOnDots(token)) {
      if (part.size() >= 16) {
        EXPECT_EQ(status.message().find(part), std::string::npos);
      }
    }
  }

  static TestRsaKey* signing_key_;
  static TestRsaKey* stranger_key_;
  JsonWebKey key_;
  JwtExpectations expect_;
};

TestRsaKey* JwtTest::signing_key_ = nullptr;
TestRsaKey* JwtTest::stranger_key_ = nullptr;

TEST_F(JwtTest, AcceptsAValidToken) { ExpectAccepted(signing_key_->Sign(ValidClaims())); }

TEST_F(JwtTest, ParseJwtExposesTheParts) {
  const std::string token = signing_key_->Sign(ValidClaims());
  Result<ParsedJwt> parsed = ParseJwt(token);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->alg, "RS256");
  EXPECT_EQ(parsed->kid, kKid);
  EXPECT_EQ(parsed->header["typ"], "JWT");
  EXPECT_EQ(parsed->claims, ValidClaims());
  EXPECT_EQ(parsed->signing_input, token.substr(0, token.rfind('.')));
  EXPECT_EQ(parsed->signature.size(), 256u);  // 2048-bit RSA
}

TEST_F(JwtTest, RefusesAlgNone) {
  ExpectRefused(UnsignedToken(ValidClaims(), kKid), "unsupported alg none");
}

TEST_F(JwtTest, RefusesHs256SignedWithThePublicKey) {
  // The algorithm confusion attack: the public key is public, so anyone can compute this HMAC.
  const std::string forged = SignHs256(ValidClaims(), signing_key_->PublicKeyPem(), kKid);
  ExpectRefused(forged, "unsupported alg HS256");
}

TEST_F(JwtTest, RefusesAnyAlgButExactlyRs256) {
  ExpectRefused(signing_key_->Sign(ValidClaims(), {{"alg", "RS512"}}), "unsupported alg RS512");
  ExpectRefused(signing_key_->Sign(ValidClaims(), {{"alg", "rs256"}}), "unsupported alg rs256");
  ExpectRefused(signing_key_->Sign(ValidClaims(), {{"alg", ""}}), "unsupported alg");
}

TEST_F(JwtTest, QuotesAnAttackerChosenAlgShortAndPrintable) {
  const std::string alg = "X\n2026-01-01 INFO forged log line " + std::string(200, 'A');
  Status status = Verify(signing_key_->Sign(ValidClaims(), {{"alg", alg}}));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message().find('\n'), std::string::npos) << status.message();
  EXPECT_LT(status.message().size(), 80u) << status.message();
}

TEST_F(JwtTest, RefusesACritHeader) {
  ExpectRefused(signing_key_->Sign(ValidClaims(), {{"crit", {"exp"}}}), "unsupported crit");
}

TEST_F(JwtTest, RefusesATokenForAnotherKid) {
  ExpectRefused(signing_key_->Sign(ValidClaims(), {{"kid", "bf-key-2"}}),
                "kid does not match the key");
}

TEST_F(JwtTest, RefusesATokenSignedByAnotherKey) {
  ExpectRefused(stranger_key_->Sign(ValidClaims()), "bad signature");
}

TEST_F(JwtTest, RefusesATamperedPayload) {
  std::vector<std::string> parts = SplitOnDots(signing_key_->Sign(ValidClaims()));
  ASSERT_EQ(parts.size(), 3u);
  nlohmann::json claims = ValidClaims();
  claims["exp"] = kNow + 365 * 24 * 3600;
  parts[1] = Base64UrlEncode(claims.dump());
  ExpectRefused(parts[0] + "." + parts[1] + "." + parts[2], "bad signature");
}

TEST_F(JwtTest, RefusesATamperedSignature) {
  std::vector<std::string> parts = SplitOnDots(signing_key_->Sign(ValidClaims()));
  ASSERT_EQ(parts.size(), 3u);
  parts[2][0] = parts[2][0] == 'A' ? 'B' : 'A';
  ExpectRefused(parts[0] + "." + parts[1] + "." + parts[2], "bad signature");
  ExpectRefused(parts[0] + "." + parts[1] + ".", "bad signature");
}

TEST_F(JwtTest, RefusesAKeyThatIsNotAnRsaKey) {
  key_.public_key = nullptr;
  ExpectRefused(signing_key_->Sign(ValidClaims()), "not an RSA public key");
}

TEST_F(JwtTest, RefusesAWrongIssuer) {
  nlohmann::json claims = ValidClaims();
  claims["iss"] = "https://api.botframework.com.evil.example";
  ExpectRefused(signing_key_->Sign(claims), "wrong issuer");
  claims["iss"] = 42;
  ExpectRefused(signing_key_->Sign(claims), "wrong issuer");
  claims.erase("iss");
  ExpectRefused(signing_key_->Sign(claims), "wrong issuer");
}

TEST_F(JwtTest, RefusesAWrongAudience) {
  nlohmann::json claims = ValidClaims();
  claims["aud"] = "another-bot";
  ExpectRefused(signing_key_->Sign(claims), "wrong audience");
  claims.erase("aud");
  ExpectRefused(signing_key_->Sign(claims), "wrong audience");
}

TEST_F(JwtTest, RefusesEverythingWithoutAConfiguredAudience) {
  nlohmann::json claims = ValidClaims();
  claims["aud"] = "";
  expect_.audience = "";
  ExpectRefused(signing_key_->Sign(claims), "no audience");
}

TEST_F(JwtTest, AcceptsAnAudienceArrayContainingTheApp) {
  nlohmann::json claims = ValidClaims();
  claims["aud"] = {"another-bot", kAppId};
  ExpectAccepted(signing_key_->Sign(claims));
  claims["aud"] = {"another-bot", 7};
  ExpectRefused(signing_key_->Sign(claims), "wrong audience");
}

TEST_F(JwtTest, ToleratesClockSkewOnExpiryButNoMore) {
  nlohmann::json claims = ValidClaims();
  claims["exp"] = kNow - 300;
  ExpectAccepted(signing_key_->Sign(claims));
  claims["exp"] = kNow - 301;
  ExpectRefused(signing_key_->Sign(claims), "token expired");

  expect_.clock_skew = std::chrono::seconds(0);
  claims["exp"] = kNow;
  ExpectAccepted(signing_key_->Sign(claims));
  claims["exp"] = kNow - 1;
  ExpectRefused(signing_key_->Sign(claims), "token expired");
}

TEST_F(JwtTest, RefusesATokenNotYetValid) {
  nlohmann::json claims = ValidClaims();
  claims["nbf"] = kNow + 300;
  ExpectAccepted(signing_key_->Sign(claims));
  claims["nbf"] = kNow + 301;
  ExpectRefused(signing_key_->Sign(claims), "token not yet valid");
  claims["nbf"] = "soon";
  ExpectRefused(signing_key_->Sign(claims), "non-numeric nbf");
  claims.erase("nbf");
  ExpectAccepted(signing_key_->Sign(claims));
}

TEST_F(JwtTest, RefusesATokenWithoutANumericExp) {
  nlohmann::json claims = ValidClaims();
  claims["exp"] = std::to_string(kNow + 3600);
  ExpectRefused(signing_key_->Sign(claims), "no numeric exp");
  claims["exp"] = true;
  ExpectRefused(signing_key_->Sign(claims), "no numeric exp");
  claims.erase("exp");
  ExpectRefused(signing_key_->Sign(claims), "no numeric exp");
}

TEST_F(JwtTest, RefusesAKeyNotEndorsedForTheChannel) {
  expect_.channel_id = "slack";
  ExpectRefused(signing_key_->Sign(ValidClaims()), "key not endorsed for channel slack");

  expect_.channel_id = kChannel;
  key_.endorsements.clear();
  ExpectRefused(signing_key_->Sign(ValidClaims()), "key not endorsed for channel msteams");
}

TEST_F(JwtTest, RefusesAnEmptyChannelId) {
  expect_.channel_id = "";
  ExpectRefused(signing_key_->Sign(ValidClaims()), "no channelId");
}

TEST_F(JwtTest, RefusesAServiceUrlThatDoesNotMatchTheToken) {
  expect_.service_url = "https://attacker.example/emea/";
  ExpectRefused(signing_key_->Sign(ValidClaims()), "serviceUrl does not match the token");

  expect_.service_url = kServiceUrl;
  nlohmann::json claims = ValidClaims();
  claims.erase("serviceurl");
  ExpectRefused(signing_key_->Sign(claims), "no serviceurl claim");
  claims["serviceurl"] = 1;
  ExpectRefused(signing_key_->Sign(claims), "no serviceurl claim");
}

TEST_F(JwtTest, SkipsTheServiceUrlCheckWhenNoneIsExpected) {
  nlohmann::json claims = ValidClaims();
  claims.erase("serviceurl");
  expect_.service_url = "";
  ExpectAccepted(signing_key_->Sign(claims));
}

TEST_F(JwtTest, IgnoresOneTrailingSlashOnTheServiceUrl) {
  expect_.service_url = "https://smba.trafficmanager.net/emea";
  ExpectAccepted(signing_key_->Sign(ValidClaims()));

  nlohmann::json claims = ValidClaims();
  claims.erase("serviceurl");
  claims["serviceUrl"] = "https://smba.trafficmanager.net/emea";  // camelCase spelling
  expect_.service_url = kServiceUrl;
  ExpectAccepted(signing_key_->Sign(claims));

  claims["serviceUrl"] = "https://smba.trafficmanager.net/emea//";
  expect_.service_url = "https://smba.trafficmanager.net/emea";
  ExpectRefused(signing_key_->Sign(claims), "serviceUrl does not match the token");
}

TEST_F(JwtTest, ParseJwtRefusesMalformedTokens) {
  const std::string header = Base64UrlEncode(R"({"alg":"RS256","kid":"bf-key-1"})");
  const std::string claims = Base64UrlEncode(ValidClaims().dump());
  const std::string signature = Base64UrlEncode("signature");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "three parts"},
      {header + "." + claims, "three parts"},
      {header + "." + claims + "." + signature + ".", "three parts"},
      {header + "=." + claims + "." + signature, "not base64url"},
      {header + "." + claims + ".sig+nature/", "not base64url"},
      {Base64UrlEncode("[1]") + "." + claims + "." + signature, "header is not a JSON object"},
      {Base64UrlEncode("{\"alg\":") + "." + claims + "." + signature,
       "header is not a JSON object"},
      {header + "." + Base64UrlEncode("\"claims\"") + "." + signature,
       "payload is not a JSON object"},
      {header + "." + Base64UrlEncode("42") + "." + signature, "payload is not a JSON object"},
      {Base64UrlEncode(R"({"kid":"bf-key-1"})") + "." + claims + "." + signature, "has no alg"},
      {Base64UrlEncode(R"({"alg":"RS256","kid":7})") + "." + claims + "." + signature,
       "kid is not a string"},
  };
  for (const auto& [token, reason] : cases) {
    Result<ParsedJwt> parsed = ParseJwt(token);
    ASSERT_FALSE(parsed.ok()) << token;
    EXPECT_EQ(parsed.status().code(), StatusCode::kPermissionDenied);
    EXPECT_NE(parsed.status().message().find("the token is not a JWT"), std::string::npos);
    EXPECT_NE(parsed.status().message().find(reason), std::string::npos)
        << parsed.status().message();
  }
}

TEST_F(JwtTest, ParseJwtRefusesTokensOver16KiB) {
  nlohmann::json claims = ValidClaims();
  claims["padding"] = std::string(11700, 'x');
  const std::string just_under = signing_key_->Sign(claims);
  ASSERT_LE(just_under.size(), 16u * 1024);
  ASSERT_GT(just_under.size(), 15u * 1024);
  ExpectAccepted(just_under);

  claims["padding"] = std::string(12000, 'x');
  const std::string over = signing_key_->Sign(claims);
  ASSERT_GT(over.size(), 16u * 1024);
  ExpectRefused(over, "longer than 16 KiB");
}

TEST_F(JwtTest, ParseJwksReadsRsaSigningKeys) {
  Result<std::vector<JsonWebKey>> keys =
      ParseJwks(JwksDocument({signing_key_->Jwk({"msteams", "webchat"}), stranger_key_->Jwk({})}));
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].kid, kKid);
  EXPECT_EQ((*keys)[0].endorsements, (std::vector<std::string>{"msteams", "webchat"}));
  EXPECT_NE((*keys)[0].public_key, nullptr);
  EXPECT_TRUE((*keys)[1].endorsements.empty());

  // Each parsed key verifies exactly the tokens of its own key pair.
  Result<ParsedJwt> token = ParseJwt(signing_key_->Sign(ValidClaims()));
  ASSERT_TRUE(token.ok());
  EXPECT_TRUE(VerifyJwt(*token, (*keys)[0], expect_).ok());
  EXPECT_FALSE(VerifyJwt(*token, (*keys)[1], expect_).ok());
}

TEST_F(JwtTest, ParseJwksSkipsKeysItCannotUse) {
  nlohmann::json good = signing_key_->Jwk({kChannel});
  good["kid"] = "good";
  good["endorsements"].push_back(7);  // not a channel id: ignored
  nlohmann::json no_use = signing_key_->Jwk({kChannel});
  no_use.erase("use");
  no_use["kid"] = "no-use";

  nlohmann::json elliptic = signing_key_->Jwk({kChannel});
  elliptic["kty"] = "EC";
  nlohmann::json no_kid = signing_key_->Jwk({kChannel});
  no_kid.erase("kid");
  nlohmann::json empty_kid = signing_key_->Jwk({kChannel});
  empty_kid["kid"] = "";
  nlohmann::json numeric_kid = signing_key_->Jwk({kChannel});
  numeric_kid["kid"] = 12;
  nlohmann::json for_encryption = signing_key_->Jwk({kChannel});
  for_encryption["use"] = "enc";
  nlohmann::json bad_modulus = signing_key_->Jwk({kChannel});
  bad_modulus["n"] = "not/base64url+";
  nlohmann::json padded_exponent = signing_key_->Jwk({kChannel});
  padded_exponent["e"] = "AQAB==";
  nlohmann::json zero_exponent = signing_key_->Jwk({kChannel});
  zero_exponent["e"] = "AA";
  nlohmann::json no_modulus = signing_key_->Jwk({kChannel});
  no_modulus.erase("n");

  Result<std::vector<JsonWebKey>> keys = ParseJwks(
      JwksDocument({elliptic, no_kid, empty_kid, numeric_kid, for_encryption, bad_modulus,
                    padded_exponent, zero_exponent, no_modulus, 42, "key", good, no_use}));
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].kid, "good");
  EXPECT_EQ((*keys)[0].endorsements, std::vector<std::string>{kChannel});
  EXPECT_EQ((*keys)[1].kid, "no-use");
}

TEST_F(JwtTest, ParseJwksSkipsModuliOver8192Bits) {
  nlohmann::json largest = signing_key_->Jwk({kChannel});
  largest["kid"] = "8192-bits";
  largest["n"] = Base64UrlEncode(std::string(1024, '\xff'));
  nlohmann::json too_large = signing_key_->Jwk({kChannel});
  too_large["kid"] = "8193-bits";
  too_large["n"] = Base64UrlEncode("\x01" + std::string(1024, '\xff'));

  Result<std::vector<JsonWebKey>> keys = ParseJwks(JwksDocument({largest, too_large}));
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].kid, "8192-bits");
}

TEST_F(JwtTest, ParseJwksReadsAtMost100Entries) {
  std::vector<nlohmann::json> entries;
  for (int i = 0; i < 101; ++i) {
    nlohmann::json key = signing_key_->Jwk({kChannel});
    key["kid"] = "key-" + std::to_string(i);
    entries.push_back(key);
  }
  Result<std::vector<JsonWebKey>> keys = ParseJwks(JwksDocument(entries));
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  ASSERT_EQ(keys->size(), 100u);
  EXPECT_EQ(keys->back().kid, "key-99");
}

TEST_F(JwtTest, ParseJwksRejectsDocumentsWithoutAKeysArray) {
  for (const std::string& text :
       {std::string("not json"), std::string(""), std::string("[]"), std::string("{}"),
        std::string(R"({"keys":{}})"), std::string(R"({"keys":"[]"})")}) {
    Result<std::vector<JsonWebKey>> keys = ParseJwks(text);
    ASSERT_FALSE(keys.ok()) << text;
    EXPECT_EQ(keys.status().code(), StatusCode::kInvalidArgument) << text;
  }
  Result<std::vector<JsonWebKey>> empty = ParseJwks(R"({"keys":[]})");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace okrbot::teams
