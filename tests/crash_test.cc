// kill -9 during a burst of updates loses no acknowledged check-in (SPEC §5 storage contract).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <set>
#include <thread>

#include "tests/test_util.h"

namespace okrbot::testing {
namespace {

TEST(CrashTest, KillNineLosesNoAcknowledgedCheckIn) {
  signal(SIGPIPE, SIG_IGN);  // the writer may hit the killed child's closed pipe
  TempDir dir;
  std::vector<std::string> env = {"OKRBOT_DB=sqlite://" + dir.File("okrbot.db")};
  auto setup = RunProcess({OkrbotBinary(), "console", "--user", "alice"},
                          "objective add \"Crash safety\"\n"
                          "kr add O1 \"Increase acknowledged writes from 0 to 100000\"\n",
                          env);
  ASSERT_EQ(setup.exit_code, 0) << setup.err;

  ChildGuard guard(StartProcess({OkrbotBinary(), "console", "--user", "alice"}, env));
  const Child& child = guard.child();
  constexpr int kUpdates = 5000;
  std::thread writer([&] {
    for (int i = 1; i <= kUpdates; ++i) {
      std::string line = "update KR1 " + std::to_string(i) + "\n";
      if (write(child.stdin_fd, line.data(), line.size()) < 0) break;  // the child died
    }
  });
  // Read replies until enough check-ins are acknowledged, then kill mid-burst.
  std::set<int> acknowledged;
  std::string buffer;
  char chunk[4096];
  const std::string marker = "KR1 updated: ";
  while (acknowledged.size() < 300) {
    ssize_t n = read(child.stdout_fd, chunk, sizeof chunk);
    if (n <= 0) break;  // console ended early: asserted below, after the writer is joined
    buffer.append(chunk, static_cast<size_t>(n));
    size_t pos;
    while ((pos = buffer.find(marker)) != std::string::npos) {
      size_t end = buffer.find('\n', pos);
      if (end == std::string::npos) break;
      acknowledged.insert(std::stoi(buffer.substr(pos + marker.size(), end - pos - marker.size())));
      buffer.erase(0, end + 1);
    }
  }
  kill(child.pid, SIGKILL);
  int status = guard.Wait();
  writer.join();
  ASSERT_GE(acknowledged.size(), 300u) << "console ended before the kill";
  ASSERT_TRUE(WIFSIGNALED(status));

  auto exported = RunProcess({OkrbotBinary(), "export"}, "", env);
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  auto doc = nlohmann::json::parse(exported.out);
  std::set<int> stored;
  for (const auto& c : doc["workspaces"][0]["checkins"]) {
    double value = c["value"].get<double>();
    ASSERT_EQ(value, static_cast<int>(value)) << "a check-in is whole, never half-written";
    ASSERT_EQ(c["author"], "alice");
    stored.insert(static_cast<int>(value));
  }
  for (int v : acknowledged)
    EXPECT_TRUE(stored.count(v)) << "acknowledged check-in " << v << " lost";
  EXPECT_LT(stored.size(), static_cast<size_t>(kUpdates)) << "the kill came mid-burst";
  // The KR's current value is the newest stored check-in.
  int newest = *stored.rbegin();
  auto show = RunProcess({OkrbotBinary(), "console", "--user", "alice"}, "show KR1\n", env);
  std::string shown;
  for (char c : show.out) {
    if (c != ',') shown += c;  // values print with thousands separators
  }
  EXPECT_NE(shown.find("Current: " + std::to_string(newest) + "\n"), std::string::npos) << show.out;
}

}  // namespace
}  // namespace okrbot::testing
