#include "adapters/common/chunked_validator.h"
#include "core/text_util.h"

#include <algorithm>

namespace okrbot {
bool ChunkedValidator::Feed(const char* data, size_t size) {
  for (size_t i = 0; i < size && state_ != State::kDone && state_ != State::kBroken; ++i) {
    if (state_ == State::kData) {
      size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, size - i));
      remaining_ -= take;
      consumed_ += take;
      i += take - 1;
      if (remaining_ == 0) state_ = State::kDataCr;
      continue;
    }
    ++consumed_;
    if (!Step(data[i])) state_ = State::kBroken;
  }
  return state_ != State::kBroken;
}

bool ChunkedValidator::Step(char c) {
  switch (state_) {
    case State::kSize: {
      int digit = HexDigitValue(c);
      if (digit >= 0) {
        if (++digits_ > 15) return false;  // no body here is anywhere near 2^60 bytes
        size_ = size_ * 16 + static_cast<uint64_t>(digit);
        return true;
      }
      if (digits_ == 0) return false;
      if (c == ';' || c == ' ' || c == '\t') {
        state_ = State::kExtension;
        return true;
      }
      if (c != '\r') return false;
      state_ = State::kSizeLf;
      return true;
    }
    case State::kExtension:
      if (c == '\n') return false;
      if (c == '\r') state_ = State::kSizeLf;
      return true;
    case State::kSizeLf:
      if (c != '\n') return false;
      if (size_ == 0) {
        state_ = State::kTrailerStart;
      } else {
        remaining_ = size_;
        state_ = State::kData;
      }
      size_ = 0;
      digits_ = 0;
      return true;
    case State::kDataCr:
      if (c != '\r') return false;
      state_ = State::kDataLf;
      return true;
    case State::kDataLf:
      if (c != '\n') return false;
      state_ = State::kSize;
      return true;
    case State::kTrailerStart:
      state_ = c == '\r' ? State::kFinalLf : State::kTrailer;
      return c != '\n';
    case State::kTrailer:
      if (c == '\n') return false;
      if (c == '\r') state_ = State::kTrailerLf;
      return true;
    case State::kTrailerLf:
      if (c != '\n') return false;
      state_ = State::kTrailerStart;
      return true;
    case State::kFinalLf:
      if (c != '\n') return false;
      state_ = State::kDone;
      return true;
    default:
      return false;
  }
}

}  // namespace okrbot
