// HTTP load benchmark (issue 7): `okrbot serve` on a fresh SQLite database with a seeded Slack
// workspace (50 objectives, 200 KRs, 40 owners), driven over loopback with correctly signed
// slash commands.
//
//   bench/run http [--seconds 10] [--connections 32] [--only update|list|mix]
//   build/http_bench [same flags] [--okrbot build/okrbot] [--dir DIR] [--read "list mine"]
// (--read replaces the read command's text, to compare commands while profiling).
//
// It measures, and prints:
// - from starting the process to /readyz answering 200;
// - the server's RSS when idle (after start and a warm-up command per user);
// - for each scenario — `update` (write: `/okr update KRn <value>` by the KR's owner), `list`
//   (read: `/okr list mine`), `mix` (80 % list, 20 % update), each with keep-alive on 32
//   connections and without keep-alive (a new connection per request, 32 at a time):
//   requests/s, p50/p95/p99 latency, errors (transport errors, non-200 answers, and answers that
//   are not the command's success reply) and the server's peak RSS so far (VmHWM);
// - after the write scenarios, that the database holds exactly one check-in per acknowledged
//   update (read through a separate SQLite connection).
// Every request is signed (v0 HMAC-SHA256) with the current timestamp, so the server verifies
// each one inside Slack's 5-minute window. The load generator is one epoll thread; it shares the
// machine's cores with the server, so the figures are conservative. A small stand-in answers
// the server's calls to the Slack Web API (users.info, chat.postMessage) on loopback.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include "adapters/slack/slack_signature.h"
#include "core/clock.h"
#include "core/cycle.h"
#include "storage/open_store.h"

namespace {

using Clock = std::chrono::steady_clock;
using okrbot::Seconds;

constexpr char kSecret[] = "bench-signing-secret";
constexpr char kTeam[] = "TBENCH";
constexpr int kOwners = 40;
constexpr int kObjectives = 50;
constexpr int kKrsPerObjective = 4;
constexpr int kKrs = kObjectives * kKrsPerObjective;

int Fail(const std::string& message) {
  std::fprintf(stderr, "http_bench: %s\n", message.c_str());
  return 1;
}

std::string OwnerOf(int kr_number) {
  char id[16];
  std::snprintf(id, sizeof id, "U%03d", (kr_number - 1) % kOwners);
  return id;
}

// The workspace every scenario works on, written through the Store like any import.
okrbot::Status Seed(const std::string& db_url) {
  auto store_or = okrbot::OpenStore(db_url);
  if (!store_or.ok()) return store_or.status();
  auto& store = *store_or;
  OKRBOT_RETURN_IF_ERROR(store->Migrate());
  okrbot::SystemClock clock;
  Seconds now = clock.Now();
  const std::string cycle = okrbot::FormatCycle(okrbot::CycleContaining(
      std::chrono::floor<std::chrono::days>(now), /*fiscal_start_month=*/1));
  okrbot::Workspace ws;
  ws.id = std::string("slack:") + kTeam;
  ws.platform = "slack";
  ws.name = "Bench";
  ws.created_at = now;
  OKRBOT_RETURN_IF_ERROR(store->UpsertWorkspace(ws));
  for (int u = 0; u < kOwners; ++u) {
    okrbot::User user;
    user.workspace_id = ws.id;
    user.id = OwnerOf(u + 1);
    user.display_name = "person " + std::to_string(u);
    user.tz = "Europe/Berlin";
    OKRBOT_RETURN_IF_ERROR(store->UpsertUser(user));
  }
  int kr_number = 0;
  for (int o = 0; o < kObjectives; ++o) {
    okrbot::Objective objective;
    objective.workspace_id = ws.id;
    objective.title = "Delight our customers, part " + std::to_string(o + 1);
    objective.owner = OwnerOf(o + 1);
    objective.cycle = cycle;
    objective.created_at = now;
    auto created = store->CreateObjective(objective);
    if (!created.ok()) return created.status();
    for (int k = 0; k < kKrsPerObjective; ++k) {
      ++kr_number;
      okrbot::KeyResult kr;
      kr.workspace_id = ws.id;
      kr.objective = created->number;
      kr.text = "Increase weekly active teams from 120 to " + std::to_string(200 + kr_number);
      kr.owner = OwnerOf(kr_number);
      kr.baseline = 120;
      kr.target = 200 + kr_number;
      kr.created_at = now;
      auto made = store->CreateKeyResult(kr);
      if (!made.ok()) return made.status();
      if (made->number != kr_number) return okrbot::Status::Internal("unexpected KR numbering");
    }
  }
  return okrbot::Status::Ok();
}

std::string FormEscape(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

// Builds signed requests; the signature covers the current timestamp, as Slack's would.
class RequestMaker {
 public:
  RequestMaker(int port, int stand_in_port)
      : verifier_(kSecret, &clock_),
        host_("127.0.0.1:" + std::to_string(port)),
        response_url_("http://127.0.0.1:" + std::to_string(stand_in_port) + "/response") {}

  std::string Command(const std::string& user, const std::string& text, bool keep_alive) const {
    std::string body = "token=bench&team_id=" + std::string(kTeam) +
                       "&team_domain=bench&channel_id=C0BENCH&channel_name=okrs&user_id=" + user +
                       "&user_name=" + user + "&command=%2Fokr&text=" + FormEscape(text) +
                       "&response_url=" + FormEscape(response_url_) + "&trigger_id=bench." +
                       std::to_string(++triggers_);  // unique, as Slack's
    std::string timestamp = std::to_string(std::time(nullptr));
    std::string request = "POST /slack/commands HTTP/1.1\r\nHost: " + host_ +
                          "\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                          "User-Agent: Slackbot 1.0 (+https://api.slack.com/robots)\r\n"
                          "X-Slack-Request-Timestamp: " +
                          timestamp + "\r\nX-Slack-Signature: " + verifier_.Sign(timestamp, body) +
                          "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    request += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
    return request + body;
  }

 private:
  okrbot::SystemClock clock_;
  okrbot::SlackSignatureVerifier verifier_;
  std::string host_;
  std::string response_url_;
  mutable uint64_t triggers_ = 0;  // one generator thread
};

struct Scenario {
  std::string name;
  int write_percent;  // share of `update` requests; the rest are `list mine`
  bool keep_alive;
};

struct Outcome {
  long completed = 0;
  long errors = 0;
  long acknowledged_updates = 0;
  long late = 0;  // "Working on it…": the command missed its budget
  double seconds = 0;
  std::vector<uint32_t> latencies_us;
  std::string first_error;
};

// One epoll thread driving `connections` concurrent requests for `duration`.
class LoadGenerator {
 public:
  LoadGenerator(const RequestMaker* maker, int port, int connections, std::string read_text)
      : maker_(maker), port_(port), connections_(connections), read_text_(std::move(read_text)) {}

  Outcome Run(const Scenario& scenario, std::chrono::duration<double> duration) {
    scenario_ = scenario;
    outcome_ = Outcome{};
    epoll_ = epoll_create1(0);
    conns_.assign(static_cast<size_t>(connections_), Conn{});
    auto start = Clock::now();
    deadline_ = start + std::chrono::duration_cast<Clock::duration>(duration);
    for (size_t i = 0; i < conns_.size(); ++i) StartRequest(i);
    std::vector<epoll_event> events(256);
    while (Clock::now() < deadline_ || Busy()) {
      if (Clock::now() > deadline_ + std::chrono::seconds(10)) break;  // stuck requests
      int n = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 100);
      for (int e = 0; e < n; ++e) {
        size_t index = events[static_cast<size_t>(e)].data.u64;
        Conn& conn = conns_[index];
        if (conn.fd < 0) continue;
        if (events[static_cast<size_t>(e)].events & EPOLLOUT) Send(index);
        if (conn.fd >= 0 &&
            (events[static_cast<size_t>(e)].events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
          Receive(index);
      }
    }
    outcome_.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    for (Conn& conn : conns_) Close(&conn);
    close(epoll_);
    return outcome_;
  }

 private:
  struct Conn {
    int fd = -1;
    std::string out;
    size_t sent = 0;
    std::string in;
    bool is_update = false;
    bool active = false;
    Clock::time_point started;
  };

  bool Busy() const {
    return std::any_of(conns_.begin(), conns_.end(), [](const Conn& c) { return c.active; });
  }

  void Close(Conn* conn) {
    if (conn->fd >= 0) close(conn->fd);
    conn->fd = -1;
  }

  bool Connect(Conn* conn) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) return false;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port_));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 &&
        errno != EINPROGRESS) {
      close(fd);
      return false;
    }
    conn->fd = fd;
    return true;
  }

  void StartRequest(size_t index) {
    Conn& conn = conns_[index];
    conn.active = false;
    if (Clock::now() >= deadline_) {
      Close(&conn);
      return;
    }
    std::uniform_int_distribution<int> percent(0, 99), kr(1, kKrs), value(120, 400),
        owner(0, kOwners - 1);
    conn.is_update = percent(rng_) < scenario_.write_percent;
    if (conn.is_update) {
      int number = kr(rng_);
      conn.out = maker_->Command(
          OwnerOf(number), "update KR" + std::to_string(number) + " " + std::to_string(value(rng_)),
          scenario_.keep_alive);
    } else {
      conn.out = maker_->Command(OwnerOf(owner(rng_) + 1), read_text_, scenario_.keep_alive);
    }
    conn.sent = 0;
    conn.in.clear();
    conn.active = true;
    conn.started = Clock::now();
    if (conn.fd < 0) {
      if (!Connect(&conn)) {
        Error(index, std::string("connect: ") + std::strerror(errno));
        return;
      }
      // Edge-triggered: a level-triggered EPOLLOUT would report every idle connection as
      // writable on each wait, and the generator would spin, taking cores from the server.
      epoll_event event{};
      event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
      event.data.u64 = index;
      epoll_ctl(epoll_, EPOLL_CTL_ADD, conn.fd, &event);
      return;  // sent once writable
    }
    Send(index);
  }

  void Error(size_t index, const std::string& what) {
    outcome_.errors += 1;
    if (outcome_.first_error.empty()) outcome_.first_error = what;
    Close(&conns_[index]);
    StartRequest(index);
  }

  void Send(size_t index) {
    Conn& conn = conns_[index];
    if (!conn.active || conn.sent == conn.out.size()) return;
    ssize_t n =
        send(conn.fd, conn.out.data() + conn.sent, conn.out.size() - conn.sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINPROGRESS) return;
      Error(index, std::string("send: ") + std::strerror(errno));
      return;
    }
    conn.sent += static_cast<size_t>(n);
  }

  void Receive(size_t index) {
    Conn& conn = conns_[index];
    char buffer[16384];
    bool closed = false;
    while (true) {
      ssize_t n = recv(conn.fd, buffer, sizeof buffer, 0);
      if (n > 0) {
        conn.in.append(buffer, static_cast<size_t>(n));
        continue;
      }
      if (n == 0) closed = true;
      if (n < 0 && errno != EAGAIN) closed = true;
      break;
    }
    if (!conn.active) {  // an idle keep-alive connection the server closed
      if (closed) Close(&conn);
      return;
    }
    size_t header_end = conn.in.find("\r\n\r\n");
    if (header_end == std::string::npos) {
      if (closed) Error(index, "connection closed before the answer");
      return;
    }
    std::string headers = conn.in.substr(0, header_end);
    std::string lower = headers;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    size_t length_at = lower.find("content-length:");
    if (length_at == std::string::npos) {
      Error(index, "answer without Content-Length: " + headers.substr(0, 80));
      return;
    }
    size_t length = std::strtoul(lower.c_str() + length_at + 15, nullptr, 10);
    if (conn.in.size() < header_end + 4 + length) {
      if (closed) Error(index, "connection closed inside the body");
      return;
    }
    auto latency =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - conn.started);
    std::string body = conn.in.substr(header_end + 4, length);
    int status = std::atoi(headers.c_str() + 9);
    bool ok = status == 200;
    bool late = body.find("Working on it") != std::string::npos;
    if (ok && !late) {
      ok = conn.is_update ? body.find(" updated: ") != std::string::npos
                          : body.find("blocks") != std::string::npos;
    }
    outcome_.completed += 1;
    outcome_.latencies_us.push_back(static_cast<uint32_t>(latency.count()));
    if (late) outcome_.late += 1;
    if (conn.is_update && ok) outcome_.acknowledged_updates += 1;
    if (!ok) {
      outcome_.errors += 1;
      if (outcome_.first_error.empty()) {
        outcome_.first_error = "HTTP " + std::to_string(status) + ": " + body.substr(0, 200);
      }
    }
    bool server_closes = lower.find("connection: close") != std::string::npos;
    if (!scenario_.keep_alive || server_closes || closed) {
      epoll_ctl(epoll_, EPOLL_CTL_DEL, conn.fd, nullptr);
      Close(&conn);
    }
    StartRequest(index);
  }

  const RequestMaker* maker_;
  int port_;
  int connections_;
  std::string read_text_;
  Scenario scenario_;
  Outcome outcome_;
  int epoll_ = -1;
  std::vector<Conn> conns_;
  Clock::time_point deadline_;
  std::mt19937 rng_{42};
};

long ProcStatusKb(pid_t pid, const char* field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field, 0) == 0) return std::atol(line.c_str() + std::strlen(field) + 1);
  }
  return -1;
}

long CountCheckIns(const std::string& path) {
  sqlite3* db = nullptr;
  long count = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM checkins", -1, &statement, nullptr) ==
            SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW) {
      count = sqlite3_column_int64(statement, 0);
    }
    sqlite3_finalize(statement);
  }
  sqlite3_close(db);
  return count;
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t size = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  close(fd);
  return ntohs(address.sin_port);
}

// GET /readyz over a fresh connection; the HTTP status, or 0 when nothing answers.
int ReadyStatus(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int status = 0;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    const char request[] = "GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    if (send(fd, request, sizeof request - 1, MSG_NOSIGNAL) > 0) {
      char answer[64] = {};
      if (recv(fd, answer, sizeof answer - 1, 0) > 12) status = std::atoi(answer + 9);
    }
  }
  close(fd);
  return status;
}

std::string SelfDir() {
  std::error_code error;
  auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::string(".") : self.parent_path().string();
}

void Print(const Scenario& scenario, const Outcome& outcome, long peak_kb, int connections) {
  std::vector<uint32_t> sorted = outcome.latencies_us;
  std::sort(sorted.begin(), sorted.end());
  auto at = [&](double q) {
    if (sorted.empty()) return 0.0;
    size_t index = std::min(sorted.size() - 1, static_cast<size_t>(q * sorted.size()));
    return sorted[index] / 1000.0;
  };
  std::printf(
      "%-6s %-13s %3d conns: %8.0f req/s  p50 %6.2f ms  p95 %6.2f ms  p99 %6.2f ms  errors %ld"
      "  late %ld  peak RSS %.1f MB\n",
      scenario.name.c_str(), scenario.keep_alive ? "keep-alive" : "no keep-alive", connections,
      outcome.completed / outcome.seconds, at(0.50), at(0.95), at(0.99), outcome.errors,
      outcome.late, peak_kb / 1024.0);
  if (!outcome.first_error.empty())
    std::printf("       first error: %s\n", outcome.first_error.c_str());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 10;
  int connections = 32;
  std::string only;
  std::string okrbot_binary = SelfDir() + "/okrbot";
  std::string dir;
  std::string read_text = "list mine";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--seconds")
      seconds = std::atof(argv[i + 1]);
    else if (flag == "--connections")
      connections = std::atoi(argv[i + 1]);
    else if (flag == "--only")
      only = argv[i + 1];
    else if (flag == "--okrbot")
      okrbot_binary = argv[i + 1];
    else if (flag == "--dir")
      dir = argv[i + 1];
    else if (flag == "--read")
      read_text = argv[i + 1];
    else
      return Fail("unknown flag " + flag);
  }
  signal(SIGPIPE, SIG_IGN);
  if (dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp ? tmp : "/tmp") + "/okrbot-http-bench-XXXXXX";
    if (!mkdtemp(pattern.data())) return Fail("cannot create a temporary directory");
    dir = pattern;
  }
  const std::string db_path = dir + "/okrbot.db";
  if (auto seeded = Seed("sqlite://" + db_path); !seeded.ok()) return Fail(seeded.ToString());

  // The Slack Web API as the server sees it: users.info for profiles, and ok for the rest.
  httplib::Server slack;
  slack.Post(R"(/api/users\.info)", [](const httplib::Request& request, httplib::Response& res) {
    std::string user = request.has_param("user") ? request.get_param_value("user") : "U000";
    res.set_content(R"({"ok":true,"user":{"id":")" + user + R"(","name":")" + user +
                        R"(","real_name":"Bench person","tz":"Europe/Berlin","is_admin":false,)"
                        R"("profile":{"display_name":")" +
                        user + R"("}}})",
                    "application/json");
  });
  slack.Post(R"(/.*)", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"ok":true})", "application/json");
  });
  int slack_port = slack.bind_to_any_port("127.0.0.1");
  std::thread slack_thread([&] { slack.listen_after_bind(); });

  const int port = FreePort();
  const std::string log_path = dir + "/okrbot.log";
  auto start = Clock::now();
  pid_t server = fork();
  if (server == 0) {
    setenv("OKRBOT_DB", ("sqlite://" + db_path).c_str(), 1);
    setenv("SLACK_SIGNING_SECRET", kSecret, 1);
    // The benchmark measures throughput: 40 people sending thousands of commands a second
    // are far over the abuse limits on purpose.
    setenv("OKRBOT_USER_COMMANDS_PER_MINUTE", "0", 1);
    setenv("OKRBOT_WORKSPACE_COMMANDS_PER_MINUTE", "0", 1);
    setenv("SLACK_BOT_TOKEN", "xoxb-bench", 1);
    setenv("SLACK_API_BASE", ("http://127.0.0.1:" + std::to_string(slack_port) + "/api").c_str(),
           1);
    int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(log, 2);
    dup2(log, 1);
    std::string listen = "127.0.0.1:" + std::to_string(port);
    execl(okrbot_binary.c_str(), okrbot_binary.c_str(), "serve", "--listen", listen.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  while (ReadyStatus(port) != 200) {
    int status = 0;
    if (waitpid(server, &status, WNOHANG) == server) {
      return Fail("okrbot serve exited; see " + log_path + " (is " + okrbot_binary + " built?)");
    }
    if (Clock::now() - start > std::chrono::seconds(30)) return Fail("/readyz never answered 200");
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  double ready_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  std::printf("machine: %u cores; okrbot serve on SQLite (%s), %d objectives, %d KRs, %d owners\n",
              std::thread::hardware_concurrency(), db_path.c_str(), kObjectives, kKrs, kOwners);
  std::printf("start to /readyz 200: %.0f ms\n", ready_ms);

  RequestMaker maker(port, slack_port);
  LoadGenerator generator(&maker, port, connections, read_text);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::printf("idle RSS after start: %.1f MB\n", ProcStatusKb(server, "VmRSS:") / 1024.0);
  // Warm-up: commands from every owner, so profiles are cached as in a server that has been up.
  {
    LoadGenerator warm_up(&maker, port, 4, read_text);
    (void)warm_up.Run({"warmup", 0, true}, std::chrono::seconds(1));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::printf("idle RSS after warm-up: %.1f MB\n", ProcStatusKb(server, "VmRSS:") / 1024.0);

  const std::vector<Scenario> scenarios = {{"update", 100, true}, {"list", 0, true},
                                           {"mix", 20, true},     {"update", 100, false},
                                           {"list", 0, false},    {"mix", 20, false}};
  long expected_checkins = CountCheckIns(db_path);
  bool all_good = true;
  for (const Scenario& scenario : scenarios) {
    if (!only.empty() && scenario.name != only) continue;
    Outcome outcome = generator.Run(scenario, std::chrono::duration<double>(seconds));
    Print(scenario, outcome, ProcStatusKb(server, "VmHWM:"), connections);
    expected_checkins += outcome.acknowledged_updates;
    if (outcome.errors > 0) all_good = false;
  }
  long stored = CountCheckIns(db_path);
  std::printf("check-ins acknowledged: %ld, stored: %ld%s\n", expected_checkins, stored,
              stored == expected_checkins ? "" : "  MISMATCH");
  if (stored != expected_checkins) all_good = false;
  std::printf("idle RSS after the runs: %.1f MB\n", ProcStatusKb(server, "VmRSS:") / 1024.0);

  kill(server, SIGTERM);
  int status = 0;
  waitpid(server, &status, 0);
  slack.stop();
  slack_thread.join();
  std::filesystem::remove_all(dir);
  std::printf(
      "targets: update keep-alive >= 10,000 req/s p99 <= 20 ms; list >= 15,000 req/s p99 <= 10 ms;"
      " peak RSS <= 60 MB, idle <= 20 MB; start to /readyz <= 300 ms\n");
  return all_good ? 0 : 1;
}
