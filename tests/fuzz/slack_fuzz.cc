// libFuzzer target: Slack requests as the routes receive them — slash commands (form bodies),
// interactions (`payload=<JSON>`), and Events API envelopes (JSON) — through the real SlackApp,
// Bot and an in-memory SQLite store. The harness signs every body with the app's signing
// secret and the current time, so inputs get past verification and reach the parsers and the
// command code. The Slack Web API is unreachable (connection refused), as when Slack is down.
// Every request must get an answer with a status, and nothing may crash.
//
// The first byte picks the route: 0 commands, 1 interactions with the rest as the whole body,
// 2 interactions with the rest as the JSON payload, 3 events.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include <httplib.h>
#include <spdlog/spdlog.h>

#include "adapters/common/form.h"
#include "adapters/common/http_server.h"
#include "adapters/slack/slack_app.h"
#include "adapters/slack/slack_client.h"
#include "adapters/slack/slack_signature.h"
#include "bot/bot.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "storage/open_store.h"
#include "tests/fuzz/fuzz_world.h"

namespace {

constexpr char kSecret[] = "fuzz-signing-secret";

struct World {
  World() {
    spdlog::set_level(spdlog::level::off);  // logging every refusal would drown the fuzzer
    store = okrbot::fuzz::MigratedMemoryStore();
    bot = okrbot::fuzz::UnlimitedBot(store.get(), &clock);
    okrbot::SlackClientOptions client_options;
    client_options.api_base = "http://127.0.0.1:1/api";  // refused at once
    client_options.max_attempts = 1;
    client_options.connect_timeout = std::chrono::milliseconds(50);
    client = std::make_unique<okrbot::SlackClient>(client_options);
    okrbot::slack::SlackAppOptions options;
    options.signing_secret = kSecret;
    options.bot_token = "xoxb-fuzz";
    options.background_threads = 2;
    app = std::make_unique<okrbot::slack::SlackApp>(options, store.get(), bot.get(), client.get(),
                                                    nullptr, &clock, &metrics);
    app->Register(&server);
  }
  okrbot::SystemClock clock;
  okrbot::Metrics metrics;
  std::unique_ptr<okrbot::Store> store;
  std::unique_ptr<okrbot::Bot> bot;
  std::unique_ptr<okrbot::SlackClient> client;
  okrbot::HttpServer server{okrbot::HttpServerOptions{}, &metrics};
  std::unique_ptr<okrbot::slack::SlackApp> app;
  okrbot::SlackSignatureVerifier signer{kSecret, &clock};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World* world = new World;  // never destroyed: background work may still run at exit
  if (size == 0) return 0;
  const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string path;
  std::string body = rest;
  switch (data[0] % 4) {
    case 0:
      path = "/slack/commands";
      break;
    case 1:
      path = "/slack/interactions";
      break;
    case 2:
      path = "/slack/interactions";
      body = okrbot::FormEncode({{"payload", rest}});
      break;
    default:
      path = "/slack/events";
      break;
  }
  httplib::Request request;
  request.method = "POST";
  request.path = path;
  const std::string timestamp = std::to_string(std::time(nullptr));
  request.set_header("X-Slack-Request-Timestamp", timestamp);
  request.set_header("X-Slack-Signature", world->signer.Sign(timestamp, body));
  request.set_header("Content-Type", path == "/slack/events" ? "application/json"
                                                             : "application/x-www-form-urlencoded");
  httplib::Response response;
  if (!world->server.CallPostHandler(path, request, body, response)) std::abort();
  if (response.status != -1 && (response.status < 200 || response.status > 599)) std::abort();
  return 0;
}
