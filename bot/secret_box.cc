#include "bot/secret_box.h"

#include "bot/base64.h"
#include "core/text_util.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <utility>

namespace okrbot {
namespace {

constexpr std::string_view kPrefix = "v1:";
// Authenticated with every seal, so a value can only ever be opened as format v1.
constexpr std::string_view kAssociatedData = "v1";
constexpr size_t kNonceSize = 12;  // the size GCM is designed for
constexpr size_t kTagSize = 16;
// EVP_*Update take int lengths; larger inputs go in pieces of this size.
constexpr size_t kMaxChunk = size_t{1} << 30;

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "okrbot: SecretBox: %s; aborting rather than risk a weak seal.\n", what);
  std::abort();
}

struct CipherContextDeleter {
  void operator()(EVP_CIPHER_CTX* context) const { EVP_CIPHER_CTX_free(context); }
};
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, CipherContextDeleter>;

const unsigned char* Bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

// Runs EVP_EncryptUpdate or EVP_DecryptUpdate over `input` in int-sized pieces. GCM is a stream
// mode: every call writes exactly as many bytes as it reads.
template <typename UpdateFunction>
bool UpdateInChunks(UpdateFunction update, EVP_CIPHER_CTX* context, std::string_view input,
                    unsigned char* output) {
  size_t done = 0;
  while (done < input.size()) {
    const size_t chunk = std::min(input.size() - done, kMaxChunk);
    int written = 0;
    if (update(context, output + done, &written, Bytes(input) + done, static_cast<int>(chunk)) !=
            1 ||
        static_cast<size_t>(written) != chunk) {
      return false;
    }
    done += chunk;
  }
  return true;
}

void RandomNonce(unsigned char* out, size_t size) {
  if (size > INT_MAX || RAND_bytes(out, static_cast<int>(size)) != 1) {
    Die("the random number generator failed");
  }
}

}  // namespace

Result<SecretBox> SecretBox::FromHexKey(const std::string& hex, NonceSource nonce_source) {
  const Status refused = Status::InvalidArgument(
      "OKRBOT_SECRET_KEY must be 64 hex characters (32 random bytes): "
      "generate one with `openssl rand -hex 32`.");
  if (hex.size() != 2 * kKeySize) return refused;
  std::array<unsigned char, kKeySize> key;
  for (size_t i = 0; i < kKeySize; ++i) {
    const int high = HexDigitValue(hex[2 * i]);
    const int low = HexDigitValue(hex[2 * i + 1]);
    if (high < 0 || low < 0) {
      OPENSSL_cleanse(key.data(), key.size());
      return refused;
    }
    key[i] = static_cast<unsigned char>(high << 4 | low);
  }
  SecretBox box(key, nonce_source ? std::move(nonce_source) : NonceSource(RandomNonce));
  OPENSSL_cleanse(key.data(), key.size());
  return box;
}

SecretBox::SecretBox(const std::array<unsigned char, kKeySize>& key, NonceSource nonce_source)
    : key_(key), nonce_source_(std::move(nonce_source)) {}

SecretBox::~SecretBox() { OPENSSL_cleanse(key_.data(), key_.size()); }

std::string SecretBox::WeakKeyReason(const std::string& hex) {
  const std::string lower = AsciiLower(hex);
  std::set<char> distinct(lower.begin(), lower.end());
  if (distinct.size() < 10) return "it uses fewer than 10 different hex digits";
  for (size_t period = 1; period <= 32 && period < lower.size(); ++period) {
    bool repeats = true;
    for (size_t i = period; i < lower.size() && repeats; ++i)
      repeats = lower[i] == lower[i - period];
    if (repeats) return "it repeats a pattern of " + std::to_string(period) + " characters";
  }
  return "";
}

bool SecretBox::LooksSealed(std::string_view text) {
  return text.substr(0, kPrefix.size()) == kPrefix;
}

std::string SecretBox::Seal(std::string_view plaintext) const {
  // nonce || ciphertext || tag, built in place and then encoded.
  std::string raw(kNonceSize + plaintext.size() + kTagSize, '\0');
  unsigned char* nonce = reinterpret_cast<unsigned char*>(raw.data());
  unsigned char* ciphertext = nonce + kNonceSize;
  unsigned char* tag = ciphertext + plaintext.size();
  nonce_source_(nonce, kNonceSize);

  CipherContext context(EVP_CIPHER_CTX_new());
  int written = 0;
  if (context == nullptr ||
      EVP_EncryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceSize, nullptr) != 1 ||
      EVP_EncryptInit_ex(context.get(), nullptr, nullptr, key_.data(), nonce) != 1 ||
      EVP_EncryptUpdate(context.get(), nullptr, &written, Bytes(kAssociatedData),
                        static_cast<int>(kAssociatedData.size())) != 1 ||
      !UpdateInChunks(EVP_EncryptUpdate, context.get(), plaintext, ciphertext) ||
      EVP_EncryptFinal_ex(context.get(), tag, &written) != 1 || written != 0 ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, tag) != 1) {
    Die("OpenSSL could not encrypt");
  }
  return std::string(kPrefix) + Base64Encode(raw);
}

Result<std::string> SecretBox::Open(std::string_view sealed) const {
  if (!LooksSealed(sealed)) {
    return Status::InvalidArgument("Not a sealed secret: it does not start with \"v1:\".");
  }
  std::string raw;
  if (!Base64Decode(sealed.substr(kPrefix.size()), &raw)) {
    return Status::InvalidArgument("Sealed secret is not valid base64.");
  }
  if (raw.size() < kNonceSize + kTagSize) {
    return Status::InvalidArgument("Sealed secret is too short to hold a nonce and a tag.");
  }
  const std::string_view raw_view(raw);
  const std::string_view nonce = raw_view.substr(0, kNonceSize);
  const std::string_view ciphertext =
      raw_view.substr(kNonceSize, raw.size() - kNonceSize - kTagSize);
  // EVP_CTRL_GCM_SET_TAG takes a non-const pointer.
  std::array<unsigned char, kTagSize> tag;
  std::copy_n(Bytes(raw_view.substr(raw.size() - kTagSize)), kTagSize, tag.begin());

  std::string plaintext(ciphertext.size(), '\0');
  unsigned char* output = reinterpret_cast<unsigned char*>(plaintext.data());
  CipherContext context(EVP_CIPHER_CTX_new());
  int written = 0;
  if (context == nullptr ||
      EVP_DecryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceSize, nullptr) != 1 ||
      EVP_DecryptInit_ex(context.get(), nullptr, nullptr, key_.data(), Bytes(nonce)) != 1) {
    return Status::Internal("OpenSSL could not set up decryption.");
  }
  const bool authentic =
      EVP_DecryptUpdate(context.get(), nullptr, &written, Bytes(kAssociatedData),
                        static_cast<int>(kAssociatedData.size())) == 1 &&
      UpdateInChunks(EVP_DecryptUpdate, context.get(), ciphertext, output) &&
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag.data()) == 1 &&
      EVP_DecryptFinal_ex(context.get(), output + ciphertext.size(), &written) == 1;
  if (!authentic) {
    // The buffer holds unauthenticated plaintext; it must not linger in freed memory.
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return Status::PermissionDenied(
        "Could not open a sealed secret: OKRBOT_SECRET_KEY is not the key it was sealed with, "
        "or the stored value was altered.");
  }
  return plaintext;
}

}  // namespace okrbot
