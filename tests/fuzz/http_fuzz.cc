// libFuzzer target: raw HTTP request bytes as okrbot's server gathers them before any worker
// sees them (RequestAssembly, ChunkedValidator). Whatever the bytes, and however the network
// splits them, the decision must be the same: bytes arriving one at a time reach the same
// verdict as all of them at once, and a chunked body ends at the same byte.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "adapters/common/chunked_validator.h"
#include "adapters/common/request_gatherer.h"

namespace {

using okrbot::ChunkedValidator;
using okrbot::RequestAssembly;

constexpr size_t kBodyLimit = 1024;  // small, so the limit is reached by fuzzed inputs

void CheckAssembly(const std::string& bytes) {
  RequestAssembly piecewise(kBodyLimit);
  std::string received;
  RequestAssembly::Verdict first_decision = RequestAssembly::Verdict::kNeedMore;
  for (char c : bytes) {
    received.push_back(c);
    first_decision = piecewise.Update(received);
    if (first_decision != RequestAssembly::Verdict::kNeedMore) break;
  }
  RequestAssembly whole(kBodyLimit);
  if (whole.Update(bytes) != first_decision) std::abort();
  // Once decided, the same bytes are decided the same way after a reset.
  piecewise.Reset();
  if (piecewise.Update(received) != first_decision) std::abort();
}

void CheckChunked(const std::string& bytes, size_t piece) {
  ChunkedValidator whole;
  whole.Feed(bytes.data(), bytes.size());
  ChunkedValidator pieces;
  for (size_t at = 0; at < bytes.size(); at += piece) {
    pieces.Feed(bytes.data() + at, std::min(piece, bytes.size() - at));
  }
  if (whole.done() != pieces.done() || whole.broken() != pieces.broken()) std::abort();
  if (whole.done() && (whole.consumed() != pieces.consumed() || whole.consumed() > bytes.size())) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t piece = 1 + data[0] % 7;
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  CheckAssembly(bytes);
  CheckChunked(bytes, piece);
  return 0;
}
