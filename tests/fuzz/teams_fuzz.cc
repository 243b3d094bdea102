// libFuzzer target: Bot Framework activities as POST /teams/messages receives them, through the
// real TeamsApp, Bot and an in-memory SQLite store, with authentication off (the bearer token
// parsers have their own target, jwt_fuzz). Replies go to the activity's serviceUrl, so the
// harness points every serviceUrl it can find at a closed local port: the fuzzer must not send
// requests into the network. Every request must get an answer, and nothing may crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include <httplib.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "adapters/common/http_server.h"
#include "adapters/teams/teams_app.h"
#include "adapters/teams/teams_client.h"
#include "bot/bot.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "storage/open_store.h"
#include "tests/fuzz/fuzz_world.h"

namespace {

struct World {
  World() {
    spdlog::set_level(spdlog::level::off);  // logging every refusal would drown the fuzzer
    store = okrbot::fuzz::MigratedMemoryStore();
    bot = okrbot::fuzz::UnlimitedBot(store.get(), &clock);
    okrbot::teams::TeamsClientOptions client_options;
    client_options.connect_timeout = std::chrono::milliseconds(50);
    client_options.read_timeout = std::chrono::milliseconds(100);
    client = std::make_unique<okrbot::teams::TeamsClient>(client_options, &clock);
    okrbot::teams::TeamsAppOptions options;
    options.reply_attempts = 1;
    options.max_retry_wait = std::chrono::milliseconds(0);
    app = std::make_unique<okrbot::teams::TeamsApp>(options, store.get(), bot.get(), client.get(),
                                                    nullptr, &clock, &metrics);
    app->Register(&server);
  }
  okrbot::SystemClock clock;
  okrbot::Metrics metrics;
  std::unique_ptr<okrbot::Store> store;
  std::unique_ptr<okrbot::Bot> bot;
  std::unique_ptr<okrbot::teams::TeamsClient> client;
  okrbot::HttpServer server{okrbot::HttpServerOptions{}, &metrics};
  std::unique_ptr<okrbot::teams::TeamsApp> app;
};

// Replaces every "serviceUrl" string in the document (any depth) with a closed local port.
void KeepLocal(nlohmann::json& value) {
  if (value.is_object()) {
    for (auto& [key, item] : value.items()) {
      if (key == "serviceUrl" || key == "serviceurl") {
        item = "http://127.0.0.1:1/";
      } else {
        KeepLocal(item);
      }
    }
  } else if (value.is_array()) {
    for (auto& item : value) KeepLocal(item);
  }
}

World* g_world = nullptr;

// libFuzzer ends with exit(): the reply workers must stop before spdlog's registry (built in
// World(), so destroyed after this handler runs) is torn down under them.
void DrainAtExit() { g_world->app->Drain(); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Never destroyed (replies may still be in flight at exit); drained by DrainAtExit.
  static World* world = [] {
    g_world = new World;
    std::atexit(DrainAtExit);
    return g_world;
  }();
  std::string body(reinterpret_cast<const char*>(data), size);
  nlohmann::json document = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!document.is_discarded()) {
    KeepLocal(document);
    body = document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  httplib::Request request;
  request.method = "POST";
  request.path = "/teams/messages";
  request.set_header("Content-Type", "application/json");
  httplib::Response response;
  if (!world->server.CallPostHandler("/teams/messages", request, body, response)) std::abort();
  if (response.status != -1 && (response.status < 200 || response.status > 599)) std::abort();
  return 0;
}
