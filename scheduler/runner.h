// SchedulerRunner: one scheduler pass (plan what is due, then drain the outbox), either once
// (`okrbot run-due`) or every `interval` on a background thread (`okrbot serve`).
//
// Contract: RunPass plans as of clock->Now() and then dispatches until a round claims nothing
// (bounded by `max_rounds`, so a huge backlog cannot stall the caller forever). Once a day (the
// first pass, then every 24 h) it also prunes what retention allows, when EnableRetention was
// called. Start/Stop manage the loop, which sleeps `interval` between passes — or less, until
// the first post that was held back for pacing may go (a 5,000-person Monday is sent at the
// platform's pace, not one burst per interval); Stop wakes the sleeping loop and joins it.
// Thread-safe for Start/Stop from one controlling thread; RunPass must not run concurrently with
// the loop of the same object.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "scheduler/dispatcher.h"
#include "scheduler/planner.h"

namespace okrbot {

struct PassStats {
  PlanStats planned;
  DispatchStats dispatched;           // summed over the rounds
  std::optional<PruneCounts> pruned;  // when this pass ran the daily retention
};

struct RetentionOptions {
  std::chrono::seconds seen_events{std::chrono::hours(24 * 7)};
  std::chrono::seconds jobs{std::chrono::hours(24 * 90)};
};

class SchedulerRunner {
 public:
  SchedulerRunner(Planner* planner, Dispatcher* dispatcher, const Clock* clock,
                  std::chrono::seconds interval = std::chrono::seconds(30), int max_rounds = 100)
      : planner_(planner),
        dispatcher_(dispatcher),
        clock_(clock),
        interval_(interval),
        max_rounds_(max_rounds) {}
  ~SchedulerRunner() { Stop(); }

  // Prunes seen events and finished jobs through `store` once a day (call before Start).
  void EnableRetention(Store* store, RetentionOptions options);

  Result<PassStats> RunPass();
  void Start();
  void Stop();

 private:
  Planner* planner_;
  Dispatcher* dispatcher_;
  const Clock* clock_;
  std::chrono::seconds interval_;
  int max_rounds_;
  Store* retention_store_ = nullptr;
  RetentionOptions retention_;
  std::optional<Seconds> last_pruned_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread loop_;
};

}  // namespace okrbot
