// libFuzzer target: the Bot Framework's bearer tokens (compact JWS) and key sets (JWKS), both
// read before anything is trusted. Parsing must refuse or succeed without crashing.
#include <cstddef>
#include <cstdint>
#include <string>

#include "adapters/teams/jwt.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the parser, so one corpus covers both.
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    (void)okrbot::teams::ParseJwt(text);
  } else {
    (void)okrbot::teams::ParseJwks(text);
  }
  return 0;
}
