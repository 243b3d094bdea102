// Slack Socket Mode benchmark (issue 21): slash-command envelopes per second through ONE
// connection, and the ack latency (envelope sent -> ack received) p50/p99.
//
//   bench/run socket [--envelopes 2000] [--window 32] [--command "list mine"]
//   build/socket_bench [same flags]
//
// In one process: OkrbotServer with SLACK_APP_TOKEN on a fresh SQLite database (one objective,
// one KR), the Slack Web API stand-in answering apps.connections.open and users.info, and the
// TLS Socket Mode stand-in (tests/slack_socket_standin.h) sending slash_commands envelopes with
// at most `window` unacknowledged at once. Everything shares the machine's cores, so the figures
// are conservative.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "cli/server.h"
#include "storage/open_store.h"
#include "tests/slack_socket_standin.h"
#include "tests/slack_standin.h"

using namespace okrbot;
using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

int main(int argc, char** argv) {
  int envelopes = 2000;
  int window = 32;
  std::string command = "list mine";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--envelopes")) envelopes = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--window")) window = std::max(1, std::atoi(argv[i + 1]));
    if (!std::strcmp(argv[i], "--command")) command = argv[i + 1];
  }
  char tmpl[] = "/tmp/okrbot-socket-bench-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  auto store = OpenStore("sqlite://" + dir + "/okrbot.db");
  if (!store.ok() || !(*store)->Migrate().ok()) {
    std::fprintf(stderr, "socket_bench: cannot open the database\n");
    return 1;
  }
  testing::SlackStandIn api;
  testing::SlackSocketStandIn socket;
  api.SetAnswer("apps.connections.open", {{"ok", true}, {"url", socket.Url()}});
  Config config;
  config.listen = "127.0.0.1:0";
  config.log_level = "warn";
  config.scheduler = false;
  config.user_commands_per_minute = 0;
  config.workspace_commands_per_minute = 1000000;
  config.slack_app_token = "xapp-1-bench";
  config.slack_bot_token = "xoxb-bench";
  config.slack_api_base = api.ApiBase();
  config.slack_ca_file = testing::SlackSocketStandIn::CaFile();
  config.slack_sockets = 1;
  SystemClock clock;
  OkrbotServer server(config, store->get(), &clock);
  if (!server.Start().ok() || !socket.WaitForOpen(1, 5s)) {
    std::fprintf(stderr, "socket_bench: no Socket Mode connection\n");
    return 1;
  }
  int link = socket.OpenConnections().front();
  int trigger = 0;
  auto send = [&](const std::string& text) {
    return socket.SendEnvelope(link, "slash_commands",
                               {{"team_id", "T1"},
                                {"user_id", "UALICE"},
                                {"user_name", "alice"},
                                {"channel_id", "C1"},
                                {"command", "/okr"},
                                {"text", text},
                                {"response_url", api.ResponseUrl("bench")},
                                {"trigger_id", "bench." + std::to_string(++trigger)}});
  };
  for (const char* seed : {"objective add \"Delight our customers\"",
                           "kr add O1 \"Increase our NPS from 55 to 70\" owner:@UALICE"}) {
    if (!socket.WaitForAck(send(seed), 5s)) {
      std::fprintf(stderr, "socket_bench: seeding failed\n");
      return 1;
    }
  }
  size_t base_acks = socket.AckCount();
  std::map<std::string, Steady::time_point> sent_at;
  auto start = Steady::now();
  int sent = 0;
  size_t acked = 0;
  while (acked < static_cast<size_t>(envelopes)) {
    while (sent < envelopes && sent - static_cast<int>(acked) < window) {
      auto now = Steady::now();
      sent_at[send(command)] = now;
      ++sent;
    }
    std::this_thread::sleep_for(50us);
    acked = socket.AckCount() - base_acks;
    if (Steady::now() - start > 120s) break;
  }
  auto elapsed = std::chrono::duration<double>(Steady::now() - start).count();
  std::vector<double> latencies;
  int with_payload = 0;
  for (const auto& ack : socket.Acks()) {
    auto it = sent_at.find(ack.envelope_id);
    if (it == sent_at.end()) continue;
    latencies.push_back(std::chrono::duration<double, std::milli>(ack.at - it->second).count());
    with_payload += ack.has_payload ? 1 : 0;
  }
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    return latencies.empty() ? 0.0
                             : latencies[std::min(latencies.size() - 1,
                                                  static_cast<size_t>(p * latencies.size()))];
  };
  std::printf("socket mode, 1 connection, /okr %s, window %d\n", command.c_str(), window);
  std::printf("  envelopes acked: %zu of %d (%d with an answer payload) in %.2f s\n",
              latencies.size(), envelopes, with_payload, elapsed);
  std::printf("  throughput: %.0f envelopes/s\n", latencies.size() / elapsed);
  std::printf("  ack latency: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", pct(0.50), pct(0.99),
              latencies.empty() ? 0.0 : latencies.back());
  server.Stop();
  return latencies.size() == static_cast<size_t>(envelopes) ? 0 : 1;
}
