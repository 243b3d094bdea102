#include "tests/log_capture.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace okrbot::testing {
namespace {

std::mutex& SecretsMutex() {
  static std::mutex mutex;
  return mutex;
}
std::set<std::string>& Secrets() {
  static std::set<std::string> secrets;
  return secrets;
}

// Keeps every formatted line that reaches the logger (the suites run their servers at trace).
class CaptureSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::string Text() {
    std::lock_guard<std::mutex> lock(mutex_);
    return text_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(message, formatted);
    text_.append(formatted.data(), formatted.size());
  }
  void flush_() override {}

 private:
  std::string text_;
};

class NoSecretsInLogs final : public ::testing::Environment {
 public:
  void SetUp() override {
    sink_ = std::make_shared<CaptureSink>();
    auto logger = spdlog::default_logger();
    for (auto& sink : logger->sinks()) sink->set_level(spdlog::level::info);  // console as before
    logger->sinks().push_back(sink_);
    spdlog::set_level(spdlog::level::trace);
  }
  void TearDown() override {
    const std::string logs = sink_->Text();
    std::lock_guard<std::mutex> lock(SecretsMutex());
    EXPECT_FALSE(Secrets().empty()) << "no secrets registered: the check would prove nothing";
    for (const std::string& secret : Secrets()) {
      EXPECT_EQ(logs.find(secret), std::string::npos)
          << "a secret was logged: " << secret.substr(0, 4) << "...";
    }
  }

 private:
  std::shared_ptr<CaptureSink> sink_;
};

// gtest_main runs after static initialisation, so registering here is enough.
const bool kRegistered = [] {
  ::testing::AddGlobalTestEnvironment(new NoSecretsInLogs);
  return true;
}();

}  // namespace

void ForbidInLogs(const std::string& secret) {
  if (secret.size() < 6) return;  // too short to tell from ordinary text
  std::lock_guard<std::mutex> lock(SecretsMutex());
  Secrets().insert(secret);
}

}  // namespace okrbot::testing
