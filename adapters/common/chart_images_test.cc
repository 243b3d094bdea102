#include "adapters/common/chart_images.h"

#include <gtest/gtest.h>

#include "bot/chart.h"
#include "bot/web_tokens.h"
#include "storage/open_store.h"

namespace okrbot {
namespace {

class ChartImagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = OpenStore("sqlite://:memory:");
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    ASSERT_TRUE(store_->Migrate().ok());
  }

  Reply ReplyWithChart() {
    Reply reply;
    reply.Header("OKR digest");
    AppendChart(&reply, ProgressChart("Objectives", {{"O1 Delight", 0.4, PaceStatus::kAtRisk}}));
    return reply;
  }

  FakeClock clock_{Seconds(std::chrono::seconds(1793610000))};
  std::unique_ptr<Store> store_;
};

TEST_F(ChartImagesTest, AttachGivesEachChartAContentAddressedUrlAndStoresItsSvg) {
  ChartImages charts(store_.get(), &clock_, "https://okr.example.com");
  Reply reply = ReplyWithChart();
  charts.Attach("slack:T1", &reply);
  const Block& image = reply.blocks.back();
  std::string key = Sha256Hex(image.svg);
  EXPECT_EQ(image.image_url, "https://okr.example.com/charts/" + key + ".png");
  Result<ChartRecord> stored = store_->GetChart(key);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->workspace_id, "slack:T1");
  EXPECT_EQ(stored->svg, image.svg);
  EXPECT_EQ(ChartKeyFromPath("/charts/" + key + ".png"), key);
  EXPECT_EQ(ChartKeyFromPath("/charts/" + key + ".svg"), "");
  EXPECT_EQ(ChartKeyFromPath("/charts/../" + key.substr(3) + ".png"), "");
}

TEST_F(ChartImagesTest, WithoutAPublicUrlChartsKeepNoUrlAndNothingIsStored) {
  ChartImages charts(store_.get(), &clock_, "");
  Reply reply = ReplyWithChart();
  charts.Attach("slack:T1", &reply);
  EXPECT_EQ(reply.blocks.back().image_url, "");
  EXPECT_FALSE(store_->GetChart(Sha256Hex(reply.blocks.back().svg)).ok());
}

TEST_F(ChartImagesTest, APngIsRenderedOnceAndServedFromTheCache) {
  ChartImages charts(store_.get(), &clock_, "https://okr.example.com", /*cache_entries=*/2);
  Reply reply = ReplyWithChart();
  charts.Attach("slack:T1", &reply);
  std::string key = Sha256Hex(reply.blocks.back().svg);
  auto first = charts.Png(key);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ((*first)->substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  auto second = charts.Png(key);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first->get(), second->get()) << "the same bytes, not a second render";
  EXPECT_EQ(charts.renders(), 1);
  EXPECT_EQ(charts.Png(std::string(64, 'e')).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(charts.Png("../../etc/passwd").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace okrbot
