// What the fuzz targets that run the whole bot share: a migrated in-memory store and a Bot
// without rate limits (rate-limited inputs would reach nothing but the "slow down" answer).
// Aborts when the store cannot be set up: a fuzz run without one would prove nothing.
#pragma once

#include <cstdlib>
#include <memory>

#include "bot/bot.h"
#include "core/clock.h"
#include "storage/open_store.h"

namespace okrbot::fuzz {

inline std::unique_ptr<Store> MigratedMemoryStore() {
  auto opened = OpenStore("sqlite://:memory:");
  if (!opened.ok() || !(*opened)->Migrate().ok()) std::abort();
  return std::move(*opened);
}

inline std::unique_ptr<Bot> UnlimitedBot(Store* store, const Clock* clock) {
  BotLimits limits;
  limits.user_commands_per_minute = 0;
  limits.workspace_commands_per_minute = 0;
  return std::make_unique<Bot>(store, clock, limits);
}

}  // namespace okrbot::fuzz
