// SocketModeClient: Slack Socket Mode, so okrbot needs no public URL. The app opens WebSockets
// to Slack itself and receives slash commands, interactions and events over them.
//
// Contract
//   - Start() runs a manager thread that keeps `sockets` connections open. Each connection:
//     apps.connections.open (POST with the xapp- app token as Bearer, through the given
//     SlackClient, so through SLACK_API_BASE) returns a wss:// URL; the client connects with TLS
//     (server certificate verified against the system CAs or `ca_file`, host name checked, SNI)
//     and the WebSocket handshake (Boost.Beast), then waits for {"type":"hello"}.
//   - Envelopes {"envelope_id","type","payload","retry_attempt",...} of type slash_commands,
//     interactive and events_api go to the handler on a worker pool (the SlackApp's
//     transport-neutral AnswerEnvelope: the same code as the HTTP routes). A 200 answer is acked
//     on the same connection as {"envelope_id":E,"payload":BODY} (no payload when BODY is null);
//     a 4xx answer (malformed, a repeat) is acked without payload; a 5xx answer (storage
//     unavailable) is NOT acked, so Slack sends the envelope again.
//   - De-duplication (EnvelopeDeduper): an envelope is processed once even when Slack re-sends it
//     (retry_attempt > 0, or the same envelope_id after a reconnect), also across replicas: the
//     envelope_id is claimed in the store's seen events ("envelope:<id>" under the pseudo
//     workspace "slack-socket"). A processing failure (5xx) records "envelope-failed:<id>:<n>"
//     for its attempt n, and the next attempt (n+1) of a claimed envelope is processed when
//     the failure of attempt n is recorded, so a failed envelope is not lost on its resend. An
//     envelope still being processed on this replica is neither processed again nor acked.
//   - Connection life: {"type":"disconnect","reason":"warning"|"refresh_requested"} makes the
//     connection "draining": a replacement is opened at once and the old one is closed only
//     when a connection opened after the warning has received hello (so there is never a
//     moment without an open connection). "link_disabled" stops reconnecting with an error log
//     line; "too_many_websockets" counts as a failure (backoff). Keepalive: Beast pings after
//     idle_timeout/2 without traffic and gives the link up after idle_timeout (no pong, TCP
//     reset, TLS error, handshake timeout). A lost link or a failed apps.connections.open
//     (ratelimited, 5xx, network, no url) is retried after
//       min(max_backoff, base_backoff * 2^(n-1)) * (0.5 + 0.5 * jitter())
//     for the n-th failure in a row (at least a Retry-After Slack sent, capped at max_backoff);
//     a hello resets n.
//   - Stop() closes every connection (WebSocket close, `close_timeout`) and joins; it returns
//     within about 1 s unless an apps.connections.open call is in flight (bounded by the
//     SlackClient's own timeouts, which serve sets to 1 s).
// Thread-safety: Start/Stop from one thread; stats() from any thread. The handler, the store,
// the SlackClient and `jitter` are called from internal threads and must be thread-safe.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/slack/slack_app.h"
#include "adapters/slack/slack_client.h"
#include "core/clock.h"
#include "storage/store.h"

namespace okrbot::slack {

struct SocketModeOptions {
  std::string app_token;  // xapp-...
  int sockets = 2;        // connections at once (OKRBOT_SLACK_SOCKETS)
  std::string ca_file;    // PEM CA bundle; empty: the system's (OKRBOT_SLACK_CA_FILE)
  std::chrono::milliseconds base_backoff{1000};
  std::chrono::milliseconds max_backoff{30000};
  std::chrono::milliseconds idle_timeout{20000};
  std::chrono::milliseconds handshake_timeout{10000};
  std::chrono::milliseconds close_timeout{500};
  int handler_threads = 8;
  std::function<double()> jitter;  // in [0, 1]; empty: uniformly random
};

// Claims envelope ids (see the contract above). `store` may be null: then in memory only.
class EnvelopeDeduper {
 public:
  enum class Claim { kProcess, kDuplicate, kInFlight, kUnavailable };
  EnvelopeDeduper(Store* store, const Clock* clock) : store_(store), clock_(clock) {}
  Claim Begin(const std::string& envelope_id, int retry_attempt);
  void Succeeded(const std::string& envelope_id);
  void Failed(const std::string& envelope_id, int retry_attempt);

 private:
  Store* store_;
  const Clock* clock_;
  std::mutex mu_;
  std::set<std::string> in_flight_;
  std::set<std::string> done_;
  std::deque<std::string> done_order_;  // bounds done_
};

struct SocketModeStats {
  int open_calls = 0;     // apps.connections.open calls
  int open_failures = 0;  // of which failed
  int hellos = 0;         // connections that received hello
  int open_links = 0;     // connections open now (hello received, not closed)
  int envelopes = 0;      // received
  int processed = 0;      // given to the handler
  int duplicates = 0;     // re-sent envelopes not processed again
  int acks = 0;           // acks written
  bool link_disabled = false;
  std::vector<std::chrono::milliseconds> backoffs;  // every retry delay chosen, in order
};

class SocketModeClient {
 public:
  using Handler =
      std::function<SlackAnswer(const std::string& type, const nlohmann::json& payload)>;

  SocketModeClient(SocketModeOptions options, const SlackClient* api, Store* store,
                   const Clock* clock, Handler handler);
  ~SocketModeClient();
  SocketModeClient(const SocketModeClient&) = delete;
  SocketModeClient& operator=(const SocketModeClient&) = delete;

  void Start();
  void Stop();
  SocketModeStats stats() const;

  // The retry delay after the n-th failure in a row (n >= 1) for a jitter value in [0, 1].
  static std::chrono::milliseconds Backoff(const SocketModeOptions& options, int n, double jitter);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace okrbot::slack
