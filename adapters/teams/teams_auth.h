// TeamsAuthenticator: checks that an activity POSTed to /teams/messages really comes from the
// Bot Framework connector, as the connector's authentication protocol requires.
//
// Contract:
// - The request must carry `Authorization: Bearer <JWT>`. The token is checked by VerifyJwt
//   (adapters/teams/jwt.h): alg RS256 only, signature by a key from the connector's JWKS, issuer
//   = the OpenID metadata's "issuer" (https://api.botframework.com for the public cloud),
//   audience = TEAMS_APP_ID, expiry/not-before with 5 minutes of clock skew, the key endorsed for
//   the activity's channelId, and the token's serviceurl claim equal to the activity's
//   serviceUrl.
// - Keys: GET the OpenID metadata URL (TEAMS_OPENID_URL), then its jwks_uri. Cached; fetched
//   again when older than `max_key_age`, and when a token names an unknown kid (key rollover) -
//   at most once per `min_refetch_interval`, so a stream of forged kids cannot make okrbot hammer
//   Microsoft.
// - Results: Ok; kPermissionDenied with a reason for logs (answer 401) - never containing the
//   token; kUnavailable when no keys could be fetched (answer 503: the connector retries).
// Thread-safe: the key cache is guarded by a mutex (a refresh holds it, so concurrent requests
// with an unknown kid wait for one fetch rather than each making their own).
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/teams/jwt.h"
#include "core/clock.h"
#include "core/status.h"

namespace okrbot::teams {

struct TeamsAuthOptions {
  std::string app_id;  // TEAMS_APP_ID: the audience tokens must be issued for
  std::string openid_url = "https://login.botframework.com/v1/.well-known/openidconfiguration";
  std::chrono::seconds max_key_age{std::chrono::hours(24)};
  std::chrono::seconds min_refetch_interval{60};
  std::chrono::milliseconds timeout{5000};
};

class TeamsAuthenticator {
 public:
  TeamsAuthenticator(TeamsAuthOptions options, const Clock* clock);

  Status Authenticate(const std::string& authorization_header, const std::string& channel_id,
                      const std::string& service_url);

 private:
  // Fetches the metadata and keys; on failure keeps the old keys. Requires mu_ held.
  Status FetchKeysLocked(Seconds now);

  TeamsAuthOptions options_;
  const Clock* clock_;
  std::mutex mu_;
  std::vector<JsonWebKey> keys_;  // guarded by mu_
  std::string issuer_;            // guarded by mu_
  Seconds fetched_at_{};          // last success
  Seconds attempted_at_{};        // last try, success or not
  bool attempted_ = false;
};

}  // namespace okrbot::teams
