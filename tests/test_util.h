// Helpers for integration tests: temporary directories and running the okrbot binary.
//
// Not thread-safe; one test at a time per process (gtest's default).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace okrbot::testing {

// A fresh directory under $TMPDIR, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;
  std::string err;
};

// Path of the okrbot binary under test ($OKRBOT_BINARY, set by CTest).
std::string OkrbotBinary();

// Runs `argv` with `env` added to the environment and `input` on stdin; waits for it.
ProcessResult RunProcess(const std::vector<std::string>& argv, const std::string& input,
                         const std::vector<std::string>& env = {});

// Starts `argv` with pipes for stdin/stdout; the caller writes, reads and kills.
struct Child {
  pid_t pid = -1;
  int stdin_fd = -1;
  int stdout_fd = -1;
};
Child StartProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});

// Kills (SIGKILL) and reaps the child on destruction unless Wait() already reaped it, so a
// failed assertion never leaves a server running.
class ChildGuard {
 public:
  explicit ChildGuard(Child child) : child_(child) {}
  ~ChildGuard();
  ChildGuard(const ChildGuard&) = delete;
  ChildGuard& operator=(const ChildGuard&) = delete;
  const Child& child() const { return child_; }
  // Waits for the child to exit; returns the raw waitpid status.
  int Wait();

 private:
  Child child_;
  bool reaped_ = false;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreeLoopbackPort();

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& content);

}  // namespace okrbot::testing
