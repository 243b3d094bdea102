// A minimal W3C WebDriver client for integration tests: drives Debian's headless Chromium
// (packages chromium and chromium-driver, see scripts/deps) against a loopback web server.
//
// Start() runs /usr/bin/chromedriver on a free 127.0.0.1 port and opens one session with a
// headless /usr/bin/chromium using a fresh profile directory. chromedriver runs in a process group
// of its own under a small forked "reaper" process (a child subreaper, so Chromium's double-forked
// helpers are reaped even where PID 1 reaps nothing). The destructor deletes the session, has the
// reaper SIGTERM the group (SIGKILL after 2 s) and reap every descendant, waits for it and
// removes the temporary directory, so neither a zombie nor an orphaned browser survives it, and a
// failed assertion never leaves a browser running. If the thread that called Start() dies first,
// the reaper is sent SIGTERM (PR_SET_PDEATHSIG) and cleans up the same way, so call Start() from
// the thread that owns the WebDriver (the test body).
//
// Contract: every call is synchronous (one HTTP request to chromedriver, which itself waits for
// page loads under the default "normal" page-load strategy). On failure a call returns its
// "empty" value (false, "", an empty vector, a null json) and last_error() describes what went
// wrong (WebDriver error code and message, or the transport failure); every call clears
// last_error() first, so an empty last_error() after a call means it succeeded. Element ids are
// the opaque W3C web element references returned by FindAll().
//
// Not thread-safe: use one WebDriver from one thread at a time (gtest's default). Separate
// instances are independent and may be used from different threads.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace httplib {
class Client;
}

namespace okrbot::testing {

class WebDriver {
 public:
  // Starts chromedriver and a headless Chromium session. On failure returns nullptr and sets
  // *error (when non-null) to a message naming the missing package or quoting the tail of
  // chromedriver's log.
  static std::unique_ptr<WebDriver> Start(std::string* error);
  ~WebDriver();
  WebDriver(const WebDriver&) = delete;
  WebDriver& operator=(const WebDriver&) = delete;

  // Loads `url` and waits for the page to load.
  bool Navigate(const std::string& url);
  std::string CurrentUrl();
  std::string Title();
  std::string PageSource();

  // Element ids matching the CSS selector, in document order; empty when none match.
  std::vector<std::string> FindAll(const std::string& css);
  // The element's rendered (visible) text.
  std::string Text(const std::string& element);
  // The DOM property `name` (e.g. "value", "checked"), falling back to the HTML attribute when
  // the property is null or undefined. Strings come back as they are, other JSON values dumped
  // ("true", "3"); "" when neither exists.
  std::string Attribute(const std::string& element, const std::string& name);
  bool Click(const std::string& element);
  bool Clear(const std::string& element);
  bool SendKeys(const std::string& element, const std::string& text);

  // Writes a PNG screenshot of the viewport to `path`; false on failure.
  bool SaveScreenshot(const std::string& path);

  // Runs `script` as the body of a function (W3C /execute/sync; `arguments` holds `args`) and
  // returns its JSON result; null on failure (check last_error(), null is also a valid result).
  // A non-array `args` is passed as the single argument.
  nlohmann::json Execute(const std::string& script,
                         const nlohmann::json& args = nlohmann::json::array());

  // The W3C cookie objects ("name", "value", "httpOnly", "sameSite", ...) of the current page.
  std::vector<nlohmann::json> Cookies();

  std::string last_error() const { return last_error_; }

 private:
  WebDriver() = default;

  // Sends `method` to /session/<id><path> (or `path` itself when `session` is false) and
  // returns the response's "value"; null with last_error_ set on failure.
  nlohmann::json Command(const std::string& method, const std::string& path,
                         const nlohmann::json& body = nullptr, bool session = true);
  std::string LogTail() const;
  void Stop();

  pid_t pid_ = -1;  // the reaper, parent of chromedriver
  int port_ = 0;
  std::string dir_;  // temporary directory: Chromium profile and chromedriver.log
  std::string session_;
  std::unique_ptr<httplib::Client> client_;
  std::string last_error_;
};

}  // namespace okrbot::testing
