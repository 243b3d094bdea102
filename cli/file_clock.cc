#include "cli/file_clock.h"

#include <fstream>
#include <sstream>

namespace okrbot {

FileClock::FileClock(std::string path)
    : path_(std::move(path)), last_(SystemClock().Now().time_since_epoch().count()) {}

Seconds FileClock::Now() const {
  std::ifstream in(path_);
  std::string text;
  if (in >> text) {
    Seconds now;
    if (ParseIsoInstant(text, &now)) last_.store(now.time_since_epoch().count());
  }
  return Seconds(std::chrono::seconds(last_.load()));
}

}  // namespace okrbot
