// libFuzzer target: whole commands through Bot::Handle, as any platform delivers them, on a
// real (in-memory SQLite) store that keeps its state across inputs, so later inputs edit,
// update and archive what earlier ones created. Every input is first one command by a workspace
// admin, then the same text by a person with no rights; nothing may crash, and every command
// gets an answer with some text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "bot/bot.h"
#include "bot/text_render.h"
#include "core/clock.h"
#include "storage/open_store.h"
#include "tests/fuzz/fuzz_world.h"

namespace {

struct World {
  World() {
    store = okrbot::fuzz::MigratedMemoryStore();
    bot = okrbot::fuzz::UnlimitedBot(store.get(), &clock);
    if (!bot->EnsureWorkspace("console:fuzz", "console", "Fuzz").ok()) std::abort();
    // Something to act on from the first input.
    okrbot::Actor admin{"console:fuzz", "alice", "Alice", "Europe/Berlin", true};
    for (const char* command :
         {"objective add \"Grow revenue\"", "kr add O1 \"Increase MRR from 10k to 20k\"",
          "kr add O1 \"Launch the partner program\" owner:@bob"}) {
      if (bot->Handle(admin, command).is_error) std::abort();
    }
  }
  okrbot::FakeClock clock{okrbot::Seconds(std::chrono::seconds(1793610000))};
  std::unique_ptr<okrbot::Store> store;
  std::unique_ptr<okrbot::Bot> bot;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World world;
  const std::string text(reinterpret_cast<const char*>(data), size);
  okrbot::Actor admin{"console:fuzz", "alice", "Alice", "Europe/Berlin", true};
  okrbot::Actor stranger{"console:fuzz", "mallory", "Mallory", "", false};
  for (const okrbot::Actor& actor : {admin, stranger}) {
    okrbot::Reply reply = world.bot->Handle(actor, text);
    if (okrbot::RenderPlainText(reply).empty()) std::abort();
  }
  return 0;
}
