#include "tests/postgres_server.h"

#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace okrbot::testing {
namespace {

// The newest Debian PostgreSQL server's bin directory, or "".
std::string FindBinDir() {
  glob_t found;
  std::vector<std::string> dirs;
  if (glob("/usr/lib/postgresql/*/bin/postgres", 0, nullptr, &found) == 0) {
    for (size_t i = 0; i < found.gl_pathc; ++i) {
      std::string path = found.gl_pathv[i];
      dirs.push_back(path.substr(0, path.size() - std::string("/postgres").size()));
    }
  }
  globfree(&found);
  // "/usr/lib/postgresql/15/bin" > "/usr/lib/postgresql/13/bin"; versions have 2 digits.
  std::sort(dirs.begin(), dirs.end());
  return dirs.empty() ? "" : dirs.back();
}

int PickFreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

// Forks and execs `argv` (as `uid`/`gid` when `drop`), output appended to `log`.
pid_t Spawn(const std::vector<std::string>& argv, const std::string& log, bool drop, uid_t uid,
            gid_t gid) {
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid != 0) return pid;
  // Child: only async-signal-safe calls from here on.
  int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (out >= 0) {
    dup2(out, 1);
    dup2(out, 2);
    close(out);
  }
  int null_in = open("/dev/null", O_RDONLY);
  if (null_in >= 0) dup2(null_in, 0);
  setsid();  // no terminal signals from the test runner's process group
  if (drop && (setgroups(0, nullptr) != 0 || setgid(gid) != 0 || setuid(uid) != 0)) _exit(126);
  execv(args[0], args.data());
  _exit(127);
}

int WaitExit(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string Tail(const std::string& text) {
  return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
}

}  // namespace

std::unique_ptr<PostgresServer> PostgresServer::Start(std::string* error) {
  return Start(error, /*durable=*/false);
}

std::unique_ptr<PostgresServer> PostgresServer::Start(std::string* error, bool durable) {
  std::unique_ptr<PostgresServer> server(new PostgresServer());
  server->durable_ = durable;
  server->bin_dir_ = FindBinDir();
  if (server->bin_dir_.empty()) {
    *error =
        "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres); the PostgreSQL "
        "tests need it: run scripts/deps as root (Debian package postgresql).";
    return nullptr;
  }
  // As root the server runs as another user, who may not be able to enter $TMPDIR (say, under
  // /root): then the cluster lives under /tmp, which everyone can enter.
  const char* tmp = getenv("TMPDIR");
  bool use_tmpdir = tmp != nullptr && *tmp != '\0' && geteuid() != 0;
  std::string pattern = std::string(use_tmpdir ? tmp : "/tmp") + "/okrbot-pg-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) {
    *error = "cannot create a temporary directory for PostgreSQL";
    return nullptr;
  }
  server->dir_ = buffer.data();
  if (geteuid() == 0) {
    // PostgreSQL refuses to run as root.
    const passwd* user = getpwnam("postgres");
    if (user == nullptr) user = getpwnam("nobody");
    if (user == nullptr) {
      *error = "running as root and there is neither a postgres nor a nobody user to run as";
      return nullptr;
    }
    server->drop_privileges_ = true;
    server->run_uid_ = user->pw_uid;
    server->run_gid_ = user->pw_gid;
    if (chown(server->dir_.c_str(), user->pw_uid, user->pw_gid) != 0) {
      *error = "cannot hand " + server->dir_ + " to the PostgreSQL user";
      return nullptr;
    }
  }
  const std::string log = server->dir_ + "/initdb.log";
  pid_t initdb = Spawn({server->bin_dir_ + "/initdb", "-D", server->dir_ + "/data", "-U", "okrbot",
                        "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"},
                       log, server->drop_privileges_, server->run_uid_, server->run_gid_);
  if (WaitExit(initdb) != 0) {
    *error = "initdb failed: " + Tail(ReadAll(log));
    return nullptr;
  }
  server->port_ = PickFreePort();
  if (!server->Launch(error)) return nullptr;
  PGconn* admin = PQconnectdb(
      ("host=127.0.0.1 port=" + std::to_string(server->port_) + " user=okrbot dbname=postgres")
          .c_str());
  PGresult* created = PQexec(admin, "CREATE DATABASE okrbot");
  bool ok = PQresultStatus(created) == PGRES_COMMAND_OK;
  if (!ok) *error = std::string("CREATE DATABASE failed: ") + PQerrorMessage(admin);
  PQclear(created);
  PQfinish(admin);
  if (!ok) return nullptr;
  return server;
}

bool PostgresServer::Launch(std::string* error) {
  const std::string log = dir_ + "/server.log";
  std::vector<std::string> settings = {"listen_addresses=127.0.0.1", "max_connections=200",
                                       "shared_buffers=32MB"};
  if (!durable_) {
    settings.push_back("fsync=off");
    settings.push_back("full_page_writes=off");
  }
  std::vector<std::string> argv = {
      bin_dir_ + "/postgres", "-D", dir_ + "/data", "-p", std::to_string(port_), "-k", dir_};
  for (const std::string& setting : settings) {
    argv.push_back("-c");
    argv.push_back(setting);
  }
  pid_ = Spawn(argv, log, drop_privileges_, run_uid_, run_gid_);
  const std::string conninfo =
      "host=127.0.0.1 port=" + std::to_string(port_) + " user=okrbot dbname=postgres";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (PQping(conninfo.c_str()) == PQPING_OK) return true;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      *error = "postgres exited at start: " + Tail(ReadAll(log));
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  *error = "postgres did not answer within 60 s: " + Tail(ReadAll(log));
  Stop();
  return false;
}

PostgresServer::~PostgresServer() {
  Stop();
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

std::string PostgresServer::Url() const {
  return "postgresql://okrbot@127.0.0.1:" + std::to_string(port_) + "/okrbot";
}

std::string PostgresServer::FreshSchemaUrl() {
  std::string schema = "t" + std::to_string(getpid()) + "_" + std::to_string(++schemas_);
  std::string failed = Execute("CREATE SCHEMA " + schema);
  if (!failed.empty()) return "";
  return Url() + "?options=-csearch_path%3D" + schema;
}

std::string PostgresServer::Execute(const std::string& sql) const {
  PGconn* conn = PQconnectdb(Url().c_str());
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    PGresult* result = PQexec(conn, sql.c_str());
    ExecStatusType status = PQresultStatus(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) error = PQerrorMessage(conn);
    PQclear(result);
  }
  PQfinish(conn);
  return error;
}

bool PostgresServer::Stop() {
  if (pid_ <= 0) return true;
  kill(pid_, SIGINT);  // "fast" shutdown: disconnect clients, then exit
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
  return true;
}

bool PostgresServer::Resume(std::string* error) {
  if (pid_ > 0) return true;
  return Launch(error);
}

PostgresServer* SharedPostgresServer(std::string* error) {
  static std::unique_ptr<PostgresServer> server;
  static std::string start_error;
  static bool tried = false;
  if (!tried) {
    tried = true;
    server = PostgresServer::Start(&start_error);
  }
  if (server == nullptr) *error = start_error;
  return server.get();
}

}  // namespace okrbot::testing
