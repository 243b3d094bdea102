#include "storage/write_health.h"

namespace okrbot {

void WriteHealth::Record(const Status& write) {
  if (!write.ok() && write.code() != StatusCode::kUnavailable) return;
  if (!write.ok() && write.message().rfind(kDatabaseBusy, 0) == 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (write.ok() && !failure_.ok()) last_probe_.reset();
  failure_ = write;
}

Status WriteHealth::Failure() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failure_;
}

bool WriteHealth::TakeProbeTurn(TimePoint now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (failure_.ok()) return false;
  if (last_probe_ && now - *last_probe_ < probe_interval_) return false;
  last_probe_ = now;
  return true;
}

}  // namespace okrbot
