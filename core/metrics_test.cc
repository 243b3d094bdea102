#include "core/metrics.h"

#include <gtest/gtest.h>

namespace okrbot {
namespace {

TEST(MetricsTest, RendersCountersAndHistogram) {
  Metrics m;
  m.ObserveRequest("/slack/commands", 200, std::chrono::microseconds(1500));
  m.ObserveRequest("/slack/commands", 200, std::chrono::microseconds(300));
  m.ObserveRequest("/slack/commands", 401, std::chrono::microseconds(100));
  m.CountCheckIn();
  m.CountJob("sent");
  m.CountPlatformCall("slack", "ok");
  std::string text = m.Render();
  EXPECT_NE(text.find("okrbot_http_requests_total{route=\"/slack/commands\",status=\"200\"} 2"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("okrbot_http_requests_total{route=\"/slack/commands\",status=\"401\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("okrbot_http_request_duration_seconds_bucket{le=\"0.001\"} 2"),
            std::string::npos);
  EXPECT_NE(text.find("okrbot_http_request_duration_seconds_bucket{le=\"+Inf\"} 3"),
            std::string::npos);
  EXPECT_NE(text.find("okrbot_http_request_duration_seconds_count 3"), std::string::npos);
  EXPECT_NE(text.find("okrbot_checkins_recorded_total 1"), std::string::npos);
  EXPECT_NE(text.find("okrbot_jobs_total{outcome=\"sent\"} 1"), std::string::npos);
  EXPECT_NE(text.find("okrbot_jobs_total{outcome=\"dead\"} 0"), std::string::npos);
  EXPECT_NE(text.find("okrbot_platform_calls_total{platform=\"slack\",outcome=\"ok\"} 1"),
            std::string::npos);
}

TEST(MetricsTest, LabelValuesAreEscaped) {
  Metrics m;
  m.ObserveRequest("/a\"b\\c", 200, std::chrono::microseconds(1));
  EXPECT_NE(m.Render().find("route=\"/a\\\"b\\\\c\""), std::string::npos);
}

}  // namespace
}  // namespace okrbot
