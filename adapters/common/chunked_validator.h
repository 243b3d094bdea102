// ChunkedValidator: checks, byte by byte, that a request body is a well-formed chunked body
// (RFC 9112 §7.1), and says where it ends.
//
// Why: cpp-httplib 0.11.4 takes any line after a chunk's data for its CRLF ("3\r\nabcdef\r\n"
// reads as "abc"), so the same bytes could frame differently here and in a proxy in front.
// Chunk sizes over 15 hex digits, bare LF line ends and anything after the final CRLF's place
// are refused; chunk extensions and trailer fields are accepted as syntax.
// Thread-safety: none; one validator per body.
#pragma once

#include <cstddef>
#include <cstdint>

namespace okrbot {

class ChunkedValidator {
 public:
  // Feeds the next `size` bytes of the body. False once the bytes seen cannot be a chunked
  // body. Bytes after the end of the body are not looked at (see consumed()).
  bool Feed(const char* data, size_t size);
  // True once the whole body, up to its final CRLF, has been fed.
  bool done() const { return state_ == State::kDone; }
  bool broken() const { return state_ == State::kBroken; }
  // How many bytes fed so far belong to the body.
  uint64_t consumed() const { return consumed_; }

 private:
  enum class State {
    kSize,
    kExtension,
    kSizeLf,
    kData,
    kDataCr,
    kDataLf,
    kTrailerStart,
    kTrailer,
    kTrailerLf,
    kFinalLf,
    kDone,
    kBroken
  };

  bool Step(char c);

  State state_ = State::kSize;
  uint64_t size_ = 0;
  int digits_ = 0;
  uint64_t remaining_ = 0;
  uint64_t consumed_ = 0;
};

}  // namespace okrbot
