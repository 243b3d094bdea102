// A fixed set of threads for work that outlives an HTTP request (slash commands completed
// through response_url, App Home updates).
//
// Contract: Submit never blocks; tasks run in submission order on any worker; the destructor
// (or Shutdown) finishes every queued task, then joins. Thread-safe.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace okrbot {

class WorkerPool {
 public:
  explicit WorkerPool(int threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Returns false after Shutdown (the task is not run).
  bool Submit(std::function<void()> task);
  void Shutdown();

 private:
  void Work();

  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace okrbot
