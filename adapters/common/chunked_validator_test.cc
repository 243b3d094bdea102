#include "adapters/common/chunked_validator.h"

#include <gtest/gtest.h>

#include <string>

namespace okrbot {
namespace {

// Feeds `body` in pieces of `piece` bytes, as it may arrive from a socket.
ChunkedValidator FeedInPieces(const std::string& body, size_t piece) {
  ChunkedValidator validator;
  for (size_t at = 0; at < body.size(); at += piece) {
    if (!validator.Feed(body.data() + at, std::min(piece, body.size() - at))) break;
  }
  return validator;
}

TEST(ChunkedValidatorTest, WellFormedBodiesEndWhereTheyEndWhateverThePieces) {
  for (std::string body :
       {std::string("3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"),
        std::string("A;note=\"x\"\r\n0123456789\r\n0\r\n\r\n"), std::string("0\r\n\r\n"),
        std::string("3\r\nabc\r\n0\r\nX-Sum: 1\r\n\r\n")}) {
    for (size_t piece : {1u, 2u, 5u, 1000u}) {
      ChunkedValidator validator = FeedInPieces(body + "GET / HTTP/1.1\r\n\r\n", piece);
      EXPECT_TRUE(validator.done()) << body << " in pieces of " << piece;
      EXPECT_EQ(validator.consumed(), body.size()) << body << " in pieces of " << piece;
    }
  }
}

TEST(ChunkedValidatorTest, AnUnfinishedBodyIsNeitherDoneNorBroken) {
  ChunkedValidator validator = FeedInPieces("5\r\nab", 1);
  EXPECT_FALSE(validator.done());
  EXPECT_FALSE(validator.broken());
}

TEST(ChunkedValidatorTest, MalformedBodiesAreRefusedWhereCppHttplibWouldMisreadThem) {
  for (std::string body :
       {std::string("zz\r\nabc\r\n0\r\n\r\n"), std::string("3\r\nabcdef\r\n0\r\n\r\n"),
        std::string("-1\r\nabc\r\n0\r\n\r\n"), std::string("3\r\nabc\n0\r\n\r\n"),
        std::string("3\nabc\r\n0\r\n\r\n"), std::string("1000000000000000\r\nabc\r\n"),
        std::string("3\r\nabc\r\n0\r\n\n"), std::string("\r\n3\r\nabc\r\n0\r\n\r\n"),
        std::string("3;x\n\r\nabc\r\n0\r\n\r\n")}) {
    for (size_t piece : {1u, 1000u}) {
      ChunkedValidator validator = FeedInPieces(body, piece);
      EXPECT_TRUE(validator.broken()) << body;
      EXPECT_FALSE(validator.done()) << body;
    }
  }
}

}  // namespace
}  // namespace okrbot
