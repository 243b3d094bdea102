#include "tests/webdriver.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <httplib.h>

extern char** environ;

namespace okrbot::testing {
namespace {

constexpr const char* kChromedriver = "/usr/bin/chromedriver";
constexpr const char* kChromium = "/usr/bin/chromium";
constexpr const char* kElementKey = "element-6066-11e4-a52e-4f735466cecf";
constexpr auto kStartupTimeout = std::chrono::seconds(20);

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

std::string MakeTempDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/okrbot-webdriver-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) return "";
  return buf.data();
}

bool Base64Decode(const std::string& in, std::string* out) {
  std::string clean;
  clean.reserve(in.size());
  for (char c : in) {
    if (c != '\n' && c != '\r') clean.push_back(c);
  }
  if (clean.size() % 4 != 0) return false;
  out->assign(clean.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out->data()),
                          reinterpret_cast<const unsigned char*>(clean.data()),
                          static_cast<int>(clean.size()));
  if (n < 0) return false;
  // EVP_DecodeBlock keeps the zero bytes that padding stands for.
  size_t pad = 0;
  if (!clean.empty() && clean.back() == '=') ++pad;
  if (clean.size() > 1 && clean[clean.size() - 2] == '=') ++pad;
  out->resize(static_cast<size_t>(n) - pad);
  return true;
}

// A JSON value as the string a test wants to compare: strings unquoted, null as "".
std::string AsString(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

// The reaper: Chromium double-forks (chrome_crashpad_handler) and leaves children that its main
// process never waits for; in a container whose PID 1 does not reap, those would linger as
// zombies. So chromedriver runs under a small forked process that is a child subreaper: every
// orphan of chromedriver's tree is re-parented to it and reaped. On SIGTERM it sends SIGTERM to
// chromedriver's process group, SIGKILL two seconds later, and exits once it has no children
// left. It also gets SIGTERM when the thread that started it dies (PR_SET_PDEATHSIG), so a crashed
// test does not leave a browser running. Only async-signal-safe calls after fork().
volatile sig_atomic_t g_reaper_stop = 0;

void ReaperOnSigterm(int) { g_reaper_stop = 1; }

double MonotonicSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

[[noreturn]] void RunReaper(char* const* argv, const char* log, pid_t parent) {
  setpgid(0, 0);
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  struct sigaction sa {};
  sa.sa_handler = ReaperOnSigterm;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  if (getppid() != parent) _exit(1);  // the parent died before PR_SET_PDEATHSIG took effect

  int in = open("/dev/null", O_RDONLY);
  int out = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  pid_t driver = fork();
  if (driver == 0) {
    setpgid(0, 0);  // its own group, so the reaper can kill it without killing itself
    if (in >= 0) dup2(in, STDIN_FILENO);
    if (out >= 0) {
      dup2(out, STDOUT_FILENO);
      dup2(out, STDERR_FILENO);
    }
    execve(argv[0], argv, environ);  // the SIGTERM handler resets to default here
    _exit(127);
  }
  if (driver < 0) _exit(126);
  setpgid(driver, driver);  // both sides, so kill(-driver) works whichever runs first
  if (in >= 0) close(in);
  if (out >= 0) close(out);

  int driver_status = 0;
  bool driver_done = false;
  double term_at = 0;
  bool killed = false;
  for (;;) {
    if ((g_reaper_stop || driver_done) && term_at == 0) {
      kill(-driver, SIGTERM);
      term_at = MonotonicSeconds();
    }
    if (term_at != 0 && !killed && MonotonicSeconds() - term_at > 2.0) {
      kill(-driver, SIGKILL);
      killed = true;
    }
    int status = 0;
    pid_t r = waitpid(-1, &status, WNOHANG);
    if (r == driver) {
      driver_status = status;
      driver_done = true;
    }
    if (r > 0) continue;
    if (r < 0 && errno == ECHILD) break;
    timespec nap{0, 20 * 1000 * 1000};
    nanosleep(&nap, nullptr);
  }
  _exit(WIFEXITED(driver_status) ? WEXITSTATUS(driver_status) : 1);
}

// Starts argv[0] under a reaper; returns the reaper's pid (-1 with errno on failure).
pid_t SpawnUnderReaper(char* const* argv, const char* log) {
  pid_t parent = getpid();
  pid_t reaper = fork();
  if (reaper == 0) RunReaper(argv, log, parent);
  return reaper;
}

}  // namespace

std::unique_ptr<WebDriver> WebDriver::Start(std::string* error) {
  auto fail = [error](const std::string& message) -> std::unique_ptr<WebDriver> {
    if (error) *error = message;
    return nullptr;
  };
  if (access(kChromedriver, X_OK) != 0) {
    return fail(std::string("WebDriver: ") + kChromedriver +
                " not found; install it with: apt-get install chromium-driver");
  }
  if (access(kChromium, X_OK) != 0) {
    return fail(std::string("WebDriver: ") + kChromium +
                " not found; install it with: apt-get install chromium");
  }

  std::unique_ptr<WebDriver> wd(new WebDriver());
  wd->dir_ = MakeTempDir();
  if (wd->dir_.empty()) return fail("WebDriver: cannot create a temporary directory");
  wd->port_ = FreePort();
  if (wd->port_ == 0) return fail("WebDriver: no free loopback port");

  std::string port_arg = "--port=" + std::to_string(wd->port_);
  std::string log = wd->dir_ + "/chromedriver.log";
  std::vector<char*> argv = {const_cast<char*>(kChromedriver), port_arg.data(), nullptr};
  pid_t pid = SpawnUnderReaper(argv.data(), log.c_str());
  if (pid < 0) {
    return fail(std::string("WebDriver: cannot start ") + kChromedriver + ": " + strerror(errno));
  }
  wd->pid_ = pid;

  wd->client_ = std::make_unique<httplib::Client>("127.0.0.1", wd->port_);
  wd->client_->set_tcp_nodelay(true);
  wd->client_->set_keep_alive(true);
  wd->client_->set_connection_timeout(std::chrono::seconds(2));
  wd->client_->set_read_timeout(std::chrono::seconds(60));
  wd->client_->set_write_timeout(std::chrono::seconds(10));

  // Wait for GET /status to report ready.
  auto deadline = std::chrono::steady_clock::now() + kStartupTimeout;
  for (;;) {
    int status = 0;
    if (waitpid(wd->pid_, &status, WNOHANG) == wd->pid_) {
      wd->pid_ = -1;
      return fail("WebDriver: chromedriver exited during start-up; log tail:\n" + wd->LogTail());
    }
    nlohmann::json ready = wd->Command("GET", "/status", nullptr, /*session=*/false);
    if (ready.is_object() && ready.value("ready", false)) break;
    if (std::chrono::steady_clock::now() > deadline) {
      return fail("WebDriver: chromedriver not ready after 20 s (" + wd->last_error_ +
                  "); log tail:\n" + wd->LogTail());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  nlohmann::json caps = {
      {"capabilities",
       {{"alwaysMatch",
         {{"browserName", "chrome"},
          {"goog:chromeOptions",
           {{"binary", kChromium},
            {"args",
             {"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1280,900", "--user-data-dir=" + wd->dir_ + "/profile",
              "--no-first-run", "--no-default-browser-check", "--no-proxy-server"}}}}}}}}};
  nlohmann::json session = wd->Command("POST", "/session", caps, /*session=*/false);
  if (!session.is_object() || !session.contains("sessionId") || !session["sessionId"].is_string()) {
    return fail("WebDriver: cannot start a Chromium session (" + wd->last_error_ +
                "); is the chromium package installed and matching chromium-driver? log tail:\n" +
                wd->LogTail());
  }
  wd->session_ = session["sessionId"].get<std::string>();
  return wd;
}

WebDriver::~WebDriver() { Stop(); }

void WebDriver::Stop() {
  if (!session_.empty() && pid_ > 0) {
    // Lets chromedriver quit Chromium cleanly; the group kill below covers a hung browser.
    client_->set_read_timeout(std::chrono::seconds(10));
    Command("DELETE", "");
    session_.clear();
  }
  client_.reset();
  if (pid_ > 0) {
    // The reaper terminates chromedriver's group (SIGKILL after 2 s) and exits once everything
    // under it has been reaped.
    kill(pid_, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    bool reaped = false;
    while (!reaped && std::chrono::steady_clock::now() < deadline) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        reaped = true;
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
    if (!reaped) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    pid_ = -1;
  }
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    dir_.clear();
  }
}

std::string WebDriver::LogTail() const {
  std::ifstream in(dir_ + "/chromedriver.log");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string log = ss.str();
  constexpr size_t kTail = 2000;
  return log.size() > kTail ? "..." + log.substr(log.size() - kTail) : log;
}

nlohmann::json WebDriver::Command(const std::string& method, const std::string& path,
                                  const nlohmann::json& body, bool session) {
  last_error_.clear();
  if (!client_) {
    last_error_ = "WebDriver: not started";
    return nullptr;
  }
  std::string url = session ? "/session/" + session_ + path : path;
  httplib::Result res = [&] {
    if (method == "GET") return client_->Get(url.c_str());
    if (method == "DELETE") return client_->Delete(url.c_str());
    return client_->Post(url.c_str(), body.is_null() ? std::string("{}") : body.dump(),
                         "application/json; charset=utf-8");
  }();
  if (!res) {
    last_error_ = method + " " + url + ": " + httplib::to_string(res.error());
    return nullptr;
  }
  nlohmann::json reply = nlohmann::json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  if (reply.is_discarded() || !reply.is_object() || !reply.contains("value")) {
    last_error_ = method + " " + url + ": HTTP " + std::to_string(res->status) +
                  ", not a WebDriver reply: " + res->body.substr(0, 500);
    return nullptr;
  }
  nlohmann::json& value = reply["value"];
  if (res->status != 200 || (value.is_object() && value.contains("error"))) {
    std::string error = value.is_object() ? AsString(value.value("error", nlohmann::json())) : "";
    std::string message =
        value.is_object() ? AsString(value.value("message", nlohmann::json())) : "";
    last_error_ = method + " " + url + ": HTTP " + std::to_string(res->status) + " " + error +
                  ": " + message.substr(0, 1000);
    return nullptr;
  }
  // POST /session answers {"value": {"sessionId": ..., "capabilities": ...}}.
  return std::move(value);
}

bool WebDriver::Navigate(const std::string& url) {
  Command("POST", "/url", {{"url", url}});
  return last_error_.empty();
}

std::string WebDriver::CurrentUrl() { return AsString(Command("GET", "/url")); }

std::string WebDriver::Title() { return AsString(Command("GET", "/title")); }

std::string WebDriver::PageSource() { return AsString(Command("GET", "/source")); }

std::vector<std::string> WebDriver::FindAll(const std::string& css) {
  nlohmann::json found = Command("POST", "/elements", {{"using", "css selector"}, {"value", css}});
  std::vector<std::string> ids;
  if (!found.is_array()) return ids;
  for (const auto& e : found) {
    if (e.is_object() && e.contains(kElementKey) && e[kElementKey].is_string()) {
      ids.push_back(e[kElementKey].get<std::string>());
    }
  }
  return ids;
}

std::string WebDriver::Text(const std::string& element) {
  return AsString(Command("GET", "/element/" + element + "/text"));
}

std::string WebDriver::Attribute(const std::string& element, const std::string& name) {
  nlohmann::json v = Command("GET", "/element/" + element + "/property/" + name);
  if (!last_error_.empty()) return "";
  if (v.is_null()) {
    v = Command("GET", "/element/" + element + "/attribute/" + name);
    if (!last_error_.empty()) return "";
  }
  return AsString(v);
}

bool WebDriver::Click(const std::string& element) {
  Command("POST", "/element/" + element + "/click", nlohmann::json::object());
  return last_error_.empty();
}

bool WebDriver::Clear(const std::string& element) {
  Command("POST", "/element/" + element + "/clear", nlohmann::json::object());
  return last_error_.empty();
}

bool WebDriver::SendKeys(const std::string& element, const std::string& text) {
  Command("POST", "/element/" + element + "/value", {{"text", text}});
  return last_error_.empty();
}

bool WebDriver::SaveScreenshot(const std::string& path) {
  nlohmann::json shot = Command("GET", "/screenshot");
  if (!shot.is_string()) {
    if (last_error_.empty()) last_error_ = "screenshot: not a base64 string";
    return false;
  }
  std::string png;
  if (!Base64Decode(shot.get<std::string>(), &png)) {
    last_error_ = "screenshot: invalid base64";
    return false;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(png.data(), static_cast<std::streamsize>(png.size()));
  out.close();
  if (!out) {
    last_error_ = "screenshot: cannot write " + path;
    return false;
  }
  return true;
}

nlohmann::json WebDriver::Execute(const std::string& script, const nlohmann::json& args) {
  return Command(
      "POST", "/execute/sync",
      {{"script", script}, {"args", args.is_array() ? args : nlohmann::json::array({args})}});
}

std::vector<nlohmann::json> WebDriver::Cookies() {
  nlohmann::json cookies = Command("GET", "/cookie");
  std::vector<nlohmann::json> out;
  if (cookies.is_array()) {
    for (auto& c : cookies) out.push_back(std::move(c));
  }
  return out;
}

}  // namespace okrbot::testing
