// Process metrics in the Prometheus text format (`GET /metrics`).
//
// Contract: counters and one latency histogram, all thread-safe; Render() returns a consistent
// snapshot in Prometheus text exposition format 0.0.4. Label values are escaped.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace okrbot {

class Metrics {
 public:
  // One answered HTTP request on `route` (the registered path, not the raw URL).
  void ObserveRequest(const std::string& route, int status, std::chrono::microseconds latency);
  void CountCheckIn() { checkins_.fetch_add(1, std::memory_order_relaxed); }
  void CountJob(const std::string& outcome);  // "sent", "failed", "retried", "dead"
  void CountPlatformCall(const std::string& platform, const std::string& outcome);
  std::string Render() const;

 private:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1,    2.5};
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, long long> requests_;
  std::array<long long, kBuckets.size() + 1> latency_buckets_{};  // last = +Inf
  double latency_sum_seconds_ = 0;
  long long latency_count_ = 0;
  std::map<std::string, long long> jobs_;
  std::map<std::pair<std::string, std::string>, long long> platform_calls_;
  std::atomic<long long> checkins_{0};
};

}  // namespace okrbot
