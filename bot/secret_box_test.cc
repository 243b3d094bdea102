#include "bot/secret_box.h"

#include <gtest/gtest.h>

#include <random>

#include <cctype>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace okrbot {
namespace {

constexpr char kKey[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr char kOtherKey[] = "f00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

SecretBox MustCreate(const std::string& hex, SecretBox::NonceSource nonce_source = {}) {
  auto box = SecretBox::FromHexKey(hex, std::move(nonce_source));
  EXPECT_TRUE(box.ok()) << box.status().ToString();
  return box.value();
}

// Nonce bytes A0 A1 ... AB, every time: only for known-answer tests.
void FixedNonce(unsigned char* out, size_t size) {
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<unsigned char>(0xA0 + i);
}

std::string MustOpen(const SecretBox& box, std::string_view sealed) {
  auto opened = box.Open(sealed);
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  return opened.ok() ? opened.value() : "";
}

TEST(SecretBoxTest, RoundTrips) {
  SecretBox box = MustCreate(kKey);
  std::string binary;
  for (int b = 0; b < 256; ++b) binary.push_back(static_cast<char>(b));
  std::string ten_kb(10 * 1024, 'x');
  for (size_t i = 0; i < ten_kb.size(); ++i) ten_kb[i] = static_cast<char>('a' + i % 26);
  for (const std::string& plaintext :
       {std::string(), std::string("x"), std::string("xoxb-1234-5678-abcdefABCDEF"), binary, ten_kb,
        std::string("\xF0\x9F\x94\x91 key\0with nul", 18)}) {
    std::string sealed = box.Seal(plaintext);
    EXPECT_TRUE(SecretBox::LooksSealed(sealed));
    EXPECT_EQ(MustOpen(box, sealed), plaintext);
  }
}

TEST(SecretBoxTest, UpperCaseHexKeyIsTheSameKey) {
  SecretBox lower = MustCreate(kKey);
  std::string upper_hex = kKey;
  for (char& c : upper_hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  SecretBox upper = MustCreate(upper_hex);
  EXPECT_EQ(MustOpen(upper, lower.Seal("token")), "token");
}

// Pins the format against an independent implementation (Python's `cryptography`, AESGCM with
// associated data b"v1"), so tokens sealed today stay readable.
TEST(SecretBoxTest, MatchesKnownAnswers) {
  SecretBox box = MustCreate(kKey, FixedNonce);
  EXPECT_EQ(box.Seal("xoxb-17-abcDEF"),
            "v1:oKGio6SlpqeoqaqrnncET2j6NZIDB+SXQjxf5bCRDerkMlac3jtjU+DS");
  EXPECT_EQ(box.Seal(""), "v1:oKGio6SlpqeoqaqrQEK4WKiTOj1Mp5ClK13kgQ==");
  SecretBox random_nonces = MustCreate(kKey);
  EXPECT_EQ(MustOpen(random_nonces, "v1:oKGio6SlpqeoqaqrnncET2j6NZIDB+SXQjxf5bCRDerkMlac3jtjU+DS"),
            "xoxb-17-abcDEF");
}

TEST(SecretBoxTest, SealingTwiceGivesDifferentOutput) {
  SecretBox box = MustCreate(kKey);
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) seen.insert(box.Seal("same token"));
  EXPECT_EQ(seen.size(), 100u);
}

TEST(SecretBoxTest, OutputHasTheDocumentedShape) {
  SecretBox box = MustCreate(kKey);
  for (size_t size : {0, 1, 2, 3, 4, 100}) {
    std::string sealed = box.Seal(std::string(size, 'p'));
    // "v1:" + base64 of 12 + size + 16 bytes.
    EXPECT_EQ(sealed.size(), 3 + (12 + size + 16 + 2) / 3 * 4) << size;
    EXPECT_EQ(sealed.find_first_not_of(
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=", 3),
              std::string::npos);
  }
}

TEST(SecretBoxTest, CiphertextDoesNotContainThePlaintext) {
  SecretBox box = MustCreate(kKey);
  for (std::string plaintext :
       {"xoxb-1234-5678-abcdefABCDEF", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}) {
    std::string sealed = box.Seal(plaintext);
    EXPECT_EQ(sealed.find(plaintext), std::string::npos);
    EXPECT_EQ(sealed.find("xoxb"), std::string::npos);
  }
}

TEST(SecretBoxTest, WrongKeyFails) {
  std::string sealed = MustCreate(kKey).Seal("xoxb-secret");
  auto opened = MustCreate(kOtherKey).Open(sealed);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(opened.status().message().find("OKRBOT_SECRET_KEY"), std::string::npos);
  EXPECT_EQ(opened.status().message().find("xoxb"), std::string::npos);
}

// With strict base64 decoding every change to the text is detected: a change inside the data
// fails the tag check, a change to the prefix, padding or unused bits fails the format check.
TEST(SecretBoxTest, AnyChangedByteFails) {
  SecretBox box = MustCreate(kKey);
  for (std::string plaintext : {"", "a", "ab", "xoxb-17"}) {
    const std::string sealed = box.Seal(plaintext);
    for (size_t i = 0; i < sealed.size(); ++i) {
      for (int value = 0; value < 256; ++value) {
        if (static_cast<char>(value) == sealed[i]) continue;
        std::string altered = sealed;
        altered[i] = static_cast<char>(value);
        auto opened = box.Open(altered);
        ASSERT_FALSE(opened.ok()) << "byte " << i << " set to " << value << " in " << sealed;
        EXPECT_NE(opened.status().code(), StatusCode::kInternal);
      }
    }
  }
}

TEST(SecretBoxTest, TruncatedAndGarbageInputsFailCleanly) {
  SecretBox box = MustCreate(kKey);
  const std::string sealed = box.Seal("xoxb-secret");
  for (size_t length = 0; length < sealed.size(); ++length) {
    EXPECT_FALSE(box.Open(sealed.substr(0, length)).ok()) << length;
  }
  EXPECT_FALSE(box.Open(sealed + "AAAA").ok());
  EXPECT_FALSE(box.Open(sealed + "\n").ok());
  for (std::string_view garbage :
       {"", "v1", "v1:", "v1:====", "v1:AAAA", "v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "v2:oKGio6SlpqeoqaqrQEK4WKiTOj1Mp5ClK13kgQ==", "xoxb-plain-token", "v1:not base64!",
        "v1:oKGio6SlpqeoqaqrQEK4WKiTOj1Mp5ClK13kgQ", "v1:oKGio6SlpqeoqaqrQEK4WKiTOj1Mp5ClK13kgR==",
        "v1:oKGi=6SlpqeoqaqrQEK4WKiTOj1Mp5ClK13kgQ==",
        "v1:oKGio6SlpqeoqaqrQEK4WKiTOj1Mp5ClK13kgQ==="}) {
    auto opened = box.Open(garbage);
    ASSERT_FALSE(opened.ok()) << garbage;
    EXPECT_TRUE(opened.status().code() == StatusCode::kInvalidArgument ||
                opened.status().code() == StatusCode::kPermissionDenied)
        << garbage << ": " << opened.status().ToString();
  }
  EXPECT_EQ(box.Open("xoxb-plain-token").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(box.Open("v1:AAAA").status().code(), StatusCode::kInvalidArgument);
  std::string binary_garbage = "v1:";
  for (int b = 0; b < 256; ++b) binary_garbage.push_back(static_cast<char>(b));
  EXPECT_EQ(box.Open(binary_garbage).status().code(), StatusCode::kInvalidArgument);
}

TEST(SecretBoxTest, RefusesBadHexKeys) {
  std::string sixty_three(kKey, 63);
  std::string sixty_five = std::string(kKey) + "0";
  std::string non_hex = kKey;
  non_hex[10] = 'g';
  std::string with_space = kKey;
  with_space[63] = ' ';
  std::string with_nul = kKey;
  with_nul[0] = '\0';
  for (const std::string& hex :
       {std::string(), sixty_three, sixty_five, non_hex, with_space, with_nul,
        std::string("0x") + std::string(kKey, 62), std::string(32, 'a')}) {
    auto box = SecretBox::FromHexKey(hex);
    ASSERT_FALSE(box.ok()) << hex;
    EXPECT_EQ(box.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(box.status().message().find("64 hex characters"), std::string::npos);
    if (!hex.empty()) {
      EXPECT_EQ(box.status().message().find(hex), std::string::npos);
    }
  }
}

TEST(SecretBoxTest, LooksSealedChecksOnlyThePrefix) {
  EXPECT_TRUE(SecretBox::LooksSealed("v1:"));
  EXPECT_TRUE(SecretBox::LooksSealed("v1:anything"));
  EXPECT_FALSE(SecretBox::LooksSealed(""));
  EXPECT_FALSE(SecretBox::LooksSealed("v1"));
  EXPECT_FALSE(SecretBox::LooksSealed("V1:abc"));
  EXPECT_FALSE(SecretBox::LooksSealed("xoxb-1234"));
}

TEST(SecretBoxTest, CopiesWorkIndependently) {
  SecretBox original = MustCreate(kKey);
  SecretBox copy = original;
  std::string sealed = original.Seal("shared");
  { SecretBox temporary = copy; }  // destroying a copy wipes only its own key
  EXPECT_EQ(MustOpen(copy, sealed), "shared");
  EXPECT_EQ(MustOpen(original, copy.Seal("back")), "back");
}

TEST(SecretBoxTest, SealsAndOpensConcurrently) {
  SecretBox box = MustCreate(kKey);
  std::vector<std::thread> threads;
  std::vector<int> failures(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&box, &failures, t] {
      for (int i = 0; i < 200; ++i) {
        std::string plaintext = "token-" + std::to_string(t) + "-" + std::to_string(i);
        auto opened = box.Open(box.Seal(plaintext));
        if (!opened.ok() || opened.value() != plaintext) ++failures[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < 8; ++t) EXPECT_EQ(failures[t], 0) << t;
}

}  // namespace
}  // namespace okrbot

namespace okrbot {
namespace {

TEST(SecretBoxWeakKeyTest, PatternsAreWeakAndRandomKeysAreNot) {
  EXPECT_NE(SecretBox::WeakKeyReason(std::string(64, '0')), "");
  EXPECT_NE(SecretBox::WeakKeyReason(std::string(32, 'a') + std::string(32, 'b')), "");
  EXPECT_NE(
      SecretBox::WeakKeyReason("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
      "");
  EXPECT_NE(
      SecretBox::WeakKeyReason("0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"),
      "");  // case does not hide a pattern
  EXPECT_NE(
      SecretBox::WeakKeyReason("1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d"),
      "");  // 32 characters, twice
  std::mt19937_64 random(20261124);
  const char* digits = "0123456789abcdef";
  for (int i = 0; i < 10000; ++i) {
    std::string key;
    for (int c = 0; c < 64; ++c) key.push_back(digits[random() % 16]);
    ASSERT_EQ(SecretBox::WeakKeyReason(key), "") << key;
  }
}

}  // namespace
}  // namespace okrbot
