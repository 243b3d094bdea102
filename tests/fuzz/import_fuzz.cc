// libFuzzer target: `okrbot import` files. An import must be refused as a whole or stored as a
// whole, without crashing; after a refused import the database holds exactly what it held
// before (checked by exporting before and after).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "bot/portable.h"
#include "storage/open_store.h"
#include "tests/fuzz/fuzz_world.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // A fresh database per input keeps runs independent and memory flat.
  std::unique_ptr<okrbot::Store> store = okrbot::fuzz::MigratedMemoryStore();
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto before = okrbot::ExportJson(store.get());
  auto imported = okrbot::ImportJson(store.get(), text);
  if (!imported.ok()) {
    auto after = okrbot::ExportJson(store.get());
    if (!before.ok() || !after.ok() || *before != *after) std::abort();
  }
  return 0;
}
