// SlackSocketStandIn: a local Slack Socket Mode WebSocket server for tests (Boost.Beast, TLS).
//
// At construction it generates a throw-away test CA and a server certificate for 127.0.0.1
// (with the `openssl` command, once per process, in a temporary directory; see CaFile()) and
// listens on 127.0.0.1 (a free port). Point apps.connections.open of the Web API stand-in
// (tests/slack_standin.h, SetAnswer) at Url(). The code under test must trust CaFile().
//
// Each accepted connection gets a number (1, 2, ... in accept order) and, unless SetAutoHello
// (false), {"type":"hello"} right after the WebSocket handshake. Every message the client sends
// with an envelope_id is recorded as an Ack. Scripting: Send, SendEnvelope, Disconnect (a
// disconnect message), Reset (abrupt TCP reset: SO_LINGER 0 and close), Freeze (stops reading,
// so pings are never answered). Connection times (handshake done, closed, who closed) are kept
// for checks such as "never without an open connection" (LongestGapSinceFirstOpen).
//
// Thread-safety: all methods may be called from any thread while the server runs.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace okrbot::testing {

class SlackSocketStandIn {
 public:
  using Clock = std::chrono::steady_clock;
  struct Ack {
    int connection = 0;
    std::string envelope_id;
    bool has_payload = false;
    nlohmann::json payload;
    Clock::time_point at;
  };
  struct Connection {
    int id = 0;
    Clock::time_point opened;
    std::optional<Clock::time_point> closed;
    bool closed_by_client = false;  // a WebSocket close (or EOF) from the client
  };

  SlackSocketStandIn();
  ~SlackSocketStandIn();
  SlackSocketStandIn(const SlackSocketStandIn&) = delete;
  SlackSocketStandIn& operator=(const SlackSocketStandIn&) = delete;

  static std::string CaFile();  // PEM of the test CA
  std::string Url() const;      // "wss://127.0.0.1:PORT/link/?ticket=test"
  int port() const { return port_; }

  void SetAutoHello(bool on);
  void Send(int connection, const nlohmann::json& message);
  // Sends an envelope and returns its envelope_id (generated when `envelope_id` is empty).
  std::string SendEnvelope(int connection, const std::string& type, const nlohmann::json& payload,
                           std::string envelope_id = "", int retry_attempt = 0);
  void Disconnect(int connection, const std::string& reason);
  void Reset(int connection);
  void Freeze(int connection);

  std::vector<Connection> Connections() const;
  std::vector<int> OpenConnections() const;                              // ids, oldest first
  bool WaitForOpen(int count, std::chrono::milliseconds timeout) const;  // `count` open at once
  bool WaitForAccepted(int total, std::chrono::milliseconds timeout) const;
  bool WaitForClosed(int connection, std::chrono::milliseconds timeout) const;
  std::vector<Ack> Acks() const;
  size_t AckCount() const;
  std::optional<Ack> WaitForAck(const std::string& envelope_id,
                                std::chrono::milliseconds timeout) const;
  // The longest time since the first connection opened with no connection open (0 if none).
  std::chrono::milliseconds LongestGapSinceFirstOpen() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace okrbot::testing
