// The deployment files people upload to the platforms: they must parse and name what the
// platform requires, or the upload fails where we cannot see it.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

namespace okrbot::testing {
namespace {

std::string ReadSource(const std::string& relative) {
  std::ifstream in(std::string(OKRBOT_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

// Width and height from a PNG's IHDR chunk; {0, 0} when it is not a PNG.
std::pair<int, int> PngSize(const std::string& png) {
  if (png.size() < 24 || png.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) return {0, 0};
  auto be32 = [&](size_t at) {
    return (static_cast<unsigned char>(png[at]) << 24) |
           (static_cast<unsigned char>(png[at + 1]) << 16) |
           (static_cast<unsigned char>(png[at + 2]) << 8) | static_cast<unsigned char>(png[at + 3]);
  };
  return {be32(16), be32(20)};
}

TEST(DeployTest, TeamsManifestNamesTheBotAndItsIcons) {
  auto manifest = nlohmann::json::parse(ReadSource("deploy/teams/manifest.json"), nullptr, false);
  ASSERT_TRUE(manifest.is_object()) << "deploy/teams/manifest.json is not JSON";
  EXPECT_EQ(manifest.value("manifestVersion", ""), "1.17");
  EXPECT_EQ(manifest.value("id", ""), "${{TEAMS_APP_ID}}") << "deploy/teams/package fills it in";
  ASSERT_TRUE(manifest["bots"].is_array() && manifest["bots"].size() == 1);
  const auto& bot = manifest["bots"][0];
  EXPECT_EQ(bot.value("botId", ""), "${{TEAMS_APP_ID}}");
  EXPECT_EQ(bot["scopes"], nlohmann::json({"personal", "team", "groupChat"}));
  EXPECT_LE(bot["commandLists"][0]["commands"].size(), 10u);  // Teams shows at most 10
  EXPECT_LE(manifest["name"].value("short", "").size(), 30u);
  EXPECT_LE(manifest["description"].value("short", "").size(), 80u);
  EXPECT_LE(manifest["description"].value("full", "").size(), 4000u);
  // Teams requires a 192x192 colour icon and a 32x32 outline icon.
  EXPECT_EQ(PngSize(ReadSource("deploy/teams/" + manifest["icons"].value("color", ""))),
            std::make_pair(192, 192));
  EXPECT_EQ(PngSize(ReadSource("deploy/teams/" + manifest["icons"].value("outline", ""))),
            std::make_pair(32, 32));
}

}  // namespace
}  // namespace okrbot::testing
