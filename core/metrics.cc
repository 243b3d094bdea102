#include "core/metrics.h"

#include <cstdio>

namespace okrbot {
namespace {

std::string Escape(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

void Metrics::ObserveRequest(const std::string& route, int status,
                             std::chrono::microseconds latency) {
  double seconds = static_cast<double>(latency.count()) / 1e6;
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{route, status}];
  size_t bucket = 0;
  while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) ++bucket;
  ++latency_buckets_[bucket];
  latency_sum_seconds_ += seconds;
  ++latency_count_;
}

void Metrics::CountJob(const std::string& outcome) {
  std::lock_guard<std::mutex> lock(mu_);
  ++jobs_[outcome];
}

void Metrics::CountPlatformCall(const std::string& platform, const std::string& outcome) {
  std::lock_guard<std::mutex> lock(mu_);
  ++platform_calls_[{platform, outcome}];
}

std::string Metrics::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  out += "# HELP okrbot_http_requests_total HTTP requests answered, by route and status.\n";
  out += "# TYPE okrbot_http_requests_total counter\n";
  for (const auto& [key, count] : requests_) {
    out += "okrbot_http_requests_total{route=\"" + Escape(key.first) + "\",status=\"" +
           std::to_string(key.second) + "\"} " + std::to_string(count) + "\n";
  }
  out += "# HELP okrbot_http_request_duration_seconds Time to answer HTTP requests.\n";
  out += "# TYPE okrbot_http_request_duration_seconds histogram\n";
  long long cumulative = 0;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    cumulative += latency_buckets_[i];
    out += "okrbot_http_request_duration_seconds_bucket{le=\"" + Number(kBuckets[i]) + "\"} " +
           std::to_string(cumulative) + "\n";
  }
  cumulative += latency_buckets_[kBuckets.size()];
  out += "okrbot_http_request_duration_seconds_bucket{le=\"+Inf\"} " + std::to_string(cumulative) +
         "\n";
  out += "okrbot_http_request_duration_seconds_sum " + Number(latency_sum_seconds_) + "\n";
  out += "okrbot_http_request_duration_seconds_count " + std::to_string(latency_count_) + "\n";
  out += "# HELP okrbot_checkins_recorded_total Check-ins recorded through chat platforms.\n";
  out += "# TYPE okrbot_checkins_recorded_total counter\n";
  out += "okrbot_checkins_recorded_total " + std::to_string(checkins_.load()) + "\n";
  out += "# HELP okrbot_jobs_total Scheduled posts by outcome.\n";
  out += "# TYPE okrbot_jobs_total counter\n";
  for (const char* outcome : {"sent", "failed", "retried", "dead"}) {
    auto it = jobs_.find(outcome);
    out += std::string("okrbot_jobs_total{outcome=\"") + outcome + "\"} " +
           std::to_string(it == jobs_.end() ? 0 : it->second) + "\n";
  }
  out += "# HELP okrbot_platform_calls_total Outbound platform API calls by outcome.\n";
  out += "# TYPE okrbot_platform_calls_total counter\n";
  for (const auto& [key, count] : platform_calls_) {
    out += "okrbot_platform_calls_total{platform=\"" + Escape(key.first) + "\",outcome=\"" +
           Escape(key.second) + "\"} " + std::to_string(count) + "\n";
  }
  return out;
}

}  // namespace okrbot
