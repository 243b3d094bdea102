#include "tests/test_util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace okrbot::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/okrbot-test-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = buf.data();
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string OkrbotBinary() {
  const char* path = std::getenv("OKRBOT_BINARY");
  if (path == nullptr || *path == '\0') throw std::runtime_error("OKRBOT_BINARY is not set");
  return path;
}

namespace {

std::vector<char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// What a child runs, prepared in the parent: after fork() in a process with threads (the
// stand-ins' servers) the child may only make async-signal-safe calls, since another thread may
// have held the allocator's lock at the fork, and a child that allocated (setenv, substr) could
// hang there before exec, silently (about one `okrbot serve` in eight in OverloadTest).
class PreparedExec {
 public:
  PreparedExec(const std::vector<std::string>& argv, const std::vector<std::string>& overrides)
      : argv_(argv) {
    std::set<std::string> names;
    for (const auto& kv : overrides) names.insert(kv.substr(0, kv.find('=')));
    for (char** e = environ; *e != nullptr; ++e) {
      std::string entry(*e);
      if (names.count(entry.substr(0, entry.find('='))) == 0) env_.push_back(std::move(entry));
    }
    // A later override of a name wins, as repeated setenv() calls would have it.
    std::set<std::string> added;
    for (auto kv = overrides.rbegin(); kv != overrides.rend(); ++kv) {
      if (added.insert(kv->substr(0, kv->find('='))).second) env_.push_back(*kv);
    }
    args_ = CStrings(argv_);
    envp_ = CStrings(env_);
  }
  // In the child: only execve and _exit.
  [[noreturn]] void Exec() const {
    execve(args_[0], args_.data(), envp_.data());
    _exit(127);
  }

 private:
  std::vector<std::string> argv_;
  std::vector<std::string> env_;
  std::vector<char*> args_;
  std::vector<char*> envp_;
};

}  // namespace

Child StartProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  int in_pipe[2];
  int out_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe failed");
  }
  PreparedExec exec(argv, env);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in_pipe[0], STDIN_FILENO);
    dup2(out_pipe[1], STDOUT_FILENO);
    exec.Exec();
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  return Child{pid, in_pipe[1], out_pipe[0]};
}

ChildGuard::~ChildGuard() {
  if (!reaped_ && child_.pid > 0) {
    kill(child_.pid, SIGKILL);
    waitpid(child_.pid, nullptr, 0);
  }
  if (child_.stdin_fd >= 0) close(child_.stdin_fd);
  if (child_.stdout_fd >= 0) close(child_.stdout_fd);
}

int ChildGuard::Wait() {
  int status = 0;
  waitpid(child_.pid, &status, 0);
  reaped_ = true;
  return status;
}

int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

ProcessResult RunProcess(const std::vector<std::string>& argv, const std::string& input,
                         const std::vector<std::string>& env) {
  int in_pipe[2];
  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0 ||
      pipe2(err_pipe, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe failed");
  }
  PreparedExec exec(argv, env);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in_pipe[0], STDIN_FILENO);
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_pipe[1], STDERR_FILENO);
    exec.Exec();
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  signal(SIGPIPE, SIG_IGN);
  size_t written = 0;
  ProcessResult result;
  pollfd fds[3] = {{in_pipe[1], POLLOUT, 0}, {out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  if (input.empty()) {
    close(in_pipe[1]);
    fds[0].fd = -1;
  }
  while (fds[1].fd >= 0 || fds[2].fd >= 0) {
    if (poll(fds, 3, 60000) <= 0) break;
    if (fds[0].fd >= 0 && (fds[0].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t n = write(in_pipe[1], input.data() + written, input.size() - written);
      if (n > 0) written += static_cast<size_t>(n);
      if (n < 0 || written == input.size()) {
        close(in_pipe[1]);
        fds[0].fd = -1;
      }
    }
    for (int i = 1; i < 3; ++i) {
      if (fds[i].fd >= 0 && (fds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
        char buf[65536];
        ssize_t n = read(fds[i].fd, buf, sizeof buf);
        if (n <= 0) {
          close(fds[i].fd);
          fds[i].fd = -1;
        } else {
          (i == 1 ? result.out : result.err).append(buf, static_cast<size_t>(n));
        }
      }
    }
  }
  if (fds[0].fd >= 0) close(in_pipe[1]);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

}  // namespace okrbot::testing
