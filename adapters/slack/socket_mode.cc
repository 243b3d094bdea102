#include "adapters/slack/socket_mode.h"

#include <arpa/inet.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <cmath>
#include <condition_variable>
#include <optional>
#include <random>
#include <thread>

#include "adapters/common/worker_pool.h"

namespace okrbot::slack {
namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using nlohmann::json;
using Steady = std::chrono::steady_clock;

constexpr char kDedupWorkspace[] = "slack-socket";
constexpr size_t kMaxRemembered = 10000;

bool IsIpLiteral(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

struct WssUrl {
  std::string host, port, target;
};

Result<WssUrl> ParseWss(const std::string& url) {
  const std::string scheme = "wss://";
  if (url.rfind(scheme, 0) != 0) return Status::InvalidArgument("not a wss:// URL");
  std::string rest = url.substr(scheme.size());
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  WssUrl out;
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  size_t colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']') == std::string::npos) {
    out.host = authority.substr(0, colon);
    out.port = authority.substr(colon + 1);
  } else {
    out.host = authority;
    out.port = "443";
  }
  if (!out.host.empty() && out.host.front() == '[')
    out.host = out.host.substr(1, out.host.size() - 2);
  if (out.host.empty() || out.port.empty()) return Status::InvalidArgument("wss URL has no host");
  return out;
}

double RandomUnit() {
  thread_local std::mt19937 generator(std::random_device{}());
  return std::uniform_real_distribution<double>(0.0, 1.0)(generator);
}

}  // namespace

// --- EnvelopeDeduper -------------------------------------------------------------------------

EnvelopeDeduper::Claim EnvelopeDeduper::Begin(const std::string& envelope_id, int retry_attempt) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (done_.count(envelope_id)) return Claim::kDuplicate;
    if (!in_flight_.insert(envelope_id).second) return Claim::kInFlight;
  }
  auto release = [&](Claim claim) {
    if (claim != Claim::kProcess) {
      std::lock_guard<std::mutex> lock(mu_);
      in_flight_.erase(envelope_id);
    }
    return claim;
  };
  if (store_ == nullptr) return Claim::kProcess;
  auto first = store_->MarkEventSeen(kDedupWorkspace, "envelope:" + envelope_id, clock_->Now());
  if (!first.ok()) return release(Claim::kUnavailable);
  if (*first) return Claim::kProcess;
  // Claimed before (here or on another replica): process again only when the attempt before
  // this one failed.
  if (retry_attempt > 0) {
    auto failure = store_->MarkEventSeen(
        kDedupWorkspace, "envelope-failed:" + envelope_id + ":" + std::to_string(retry_attempt - 1),
        clock_->Now());
    if (!failure.ok()) return release(Claim::kUnavailable);
    if (!*failure) return Claim::kProcess;
  }
  return release(Claim::kDuplicate);
}

void EnvelopeDeduper::Succeeded(const std::string& envelope_id) {
  std::lock_guard<std::mutex> lock(mu_);
  in_flight_.erase(envelope_id);
  if (done_.insert(envelope_id).second) done_order_.push_back(envelope_id);
  while (done_order_.size() > kMaxRemembered) {
    done_.erase(done_order_.front());
    done_order_.pop_front();
  }
}

void EnvelopeDeduper::Failed(const std::string& envelope_id, int retry_attempt) {
  if (store_ != nullptr) {
    (void)store_->MarkEventSeen(
        kDedupWorkspace, "envelope-failed:" + envelope_id + ":" + std::to_string(retry_attempt),
        clock_->Now());
  }
  std::lock_guard<std::mutex> lock(mu_);
  in_flight_.erase(envelope_id);
}

// --- SocketModeClient ------------------------------------------------------------------------

struct SocketModeClient::Impl {
  struct Link;

  SocketModeOptions options;
  const SlackClient* api;
  Handler handler;
  EnvelopeDeduper deduper;
  net::io_context io;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> guard;
  ssl::context tls{ssl::context::tls_client};
  std::thread io_thread;
  std::thread manager;
  WorkerPool pool;

  mutable std::mutex mu;
  std::condition_variable changed;
  bool started = false;
  bool stopping = false;
  int failures = 0;  // in a row
  Steady::time_point next_open{};
  int next_id = 1;
  std::vector<std::shared_ptr<Link>> links;
  SocketModeStats stats;

  Impl(SocketModeOptions o, const SlackClient* a, Store* store, const Clock* clock, Handler h)
      : options(std::move(o)),
        api(a),
        handler(std::move(h)),
        deduper(store, clock),
        pool(std::max(1, options.handler_threads)) {
    if (!options.jitter) options.jitter = RandomUnit;
    options.sockets = std::max(1, options.sockets);
    tls.set_verify_mode(ssl::verify_peer);
    boost::system::error_code ec;
    if (options.ca_file.empty()) {
      tls.set_default_verify_paths(ec);
    } else {
      tls.load_verify_file(options.ca_file, ec);
    }
    if (ec) spdlog::error("slack socket mode: cannot load CA certificates: {}", ec.message());
  }

  // Called with `mu` held.
  void NoteFailure(std::chrono::seconds retry_after) {
    ++failures;
    auto delay = Backoff(options, failures, options.jitter());
    auto floor = std::min<std::chrono::milliseconds>(retry_after, options.max_backoff);
    delay = std::max(delay, floor);
    stats.backoffs.push_back(delay);
    next_open = std::max(next_open, Steady::now() + delay);
  }

  void Manage();
  void OpenOne(std::unique_lock<std::mutex>& lock);
  void OnEnvelope(const std::shared_ptr<Link>& link, json envelope);
};

struct SocketModeClient::Impl::Link : std::enable_shared_from_this<Link> {
  enum class State { kConnecting, kOpen, kDraining, kClosing, kClosed };

  Link(Impl* impl, int id, WssUrl url)
      : impl(impl), id(id), url(std::move(url)), resolver(impl->io), ws(impl->io, impl->tls) {}

  Impl* impl;
  const int id;
  const WssUrl url;
  tcp::resolver resolver;
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws;
  beast::flat_buffer buffer;
  std::deque<std::string> outbox;
  bool writing = false;
  // Guarded by impl->mu.
  State state = State::kConnecting;
  int successor_from = 0;        // draining: closed once a link with id >= this has hello
  bool failed = false;           // too_many_websockets: its end counts as a failure
  bool close_requested = false;  // by us

  void Begin() {
    auto self = shared_from_this();
    resolver.async_resolve(url.host, url.port,
                           [self](beast::error_code ec, tcp::resolver::results_type results) {
                             if (ec) return self->Fail(ec, "resolve");
                             self->Connect(results);
                           });
  }

  void Connect(const tcp::resolver::results_type& results) {
    auto self = shared_from_this();
    beast::get_lowest_layer(ws).expires_after(impl->options.handshake_timeout);
    beast::get_lowest_layer(ws).async_connect(results,
                                              [self](beast::error_code ec, const tcp::endpoint&) {
                                                if (ec) return self->Fail(ec, "connect");
                                                self->TlsHandshake();
                                              });
  }

  void TlsHandshake() {
    SSL* native = ws.next_layer().native_handle();
    SSL_set_tlsext_host_name(native, url.host.c_str());
    X509_VERIFY_PARAM* param = SSL_get0_param(native);
    if (IsIpLiteral(url.host)) {
      X509_VERIFY_PARAM_set1_ip_asc(param, url.host.c_str());
    } else {
      X509_VERIFY_PARAM_set1_host(param, url.host.c_str(), 0);
    }
    auto self = shared_from_this();
    ws.next_layer().async_handshake(ssl::stream_base::client, [self](beast::error_code ec) {
      if (ec) return self->Fail(ec, "TLS handshake");
      self->WsHandshake();
    });
  }

  void WsHandshake() {
    beast::get_lowest_layer(ws).expires_never();
    websocket::stream_base::timeout timeout;
    timeout.handshake_timeout = impl->options.handshake_timeout;
    timeout.idle_timeout = impl->options.idle_timeout;
    timeout.keep_alive_pings = true;
    ws.set_option(timeout);
    ws.set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
      request.set(beast::http::field::user_agent, "okrbot");
    }));
    auto self = shared_from_this();
    std::string host = url.port == "443" ? url.host : url.host + ":" + url.port;
    ws.async_handshake(host, url.target, [self](beast::error_code ec) {
      if (ec) return self->Fail(ec, "WebSocket handshake");
      self->Read();
    });
  }

  void Read() {
    auto self = shared_from_this();
    ws.async_read(buffer, [self](beast::error_code ec, size_t) {
      if (ec) return self->Fail(ec, "read");
      std::string text = beast::buffers_to_string(self->buffer.data());
      self->buffer.consume(self->buffer.size());
      self->OnMessage(text);
      self->Read();
    });
  }

  void OnMessage(const std::string& text) {
    json message = json::parse(text, nullptr, false);
    if (message.is_discarded() || !message.is_object()) {
      spdlog::warn("slack socket mode: link {} sent a message that is not JSON", id);
      return;
    }
    std::string type = message.value("type", "");
    if (type == "hello") {
      std::lock_guard<std::mutex> lock(impl->mu);
      if (state == State::kConnecting) state = State::kOpen;
      impl->failures = 0;
      ++impl->stats.hellos;
      impl->changed.notify_all();
      spdlog::info("slack socket mode: link {} open", id);
      return;
    }
    if (type == "disconnect") {
      std::string reason = message.value("reason", "");
      std::lock_guard<std::mutex> lock(impl->mu);
      if (reason == "link_disabled") {
        impl->stats.link_disabled = true;
        spdlog::error(
            "slack socket mode: Slack disabled the link (link_disabled): Socket Mode is off for "
            "this app. Turn it on (app settings, Socket Mode) and restart okrbot; not "
            "reconnecting.");
      } else if (reason == "too_many_websockets") {
        failed = true;
        spdlog::warn(
            "slack socket mode: too_many_websockets: backing off (lower "
            "OKRBOT_SLACK_SOCKETS?)");
      } else if (state == State::kOpen || state == State::kConnecting) {
        state = State::kDraining;
        successor_from = impl->next_id;
        spdlog::info("slack socket mode: link {} will be closed by Slack ({}); opening another", id,
                     reason);
      }
      impl->changed.notify_all();
      return;
    }
    if (message.contains("envelope_id")) impl->OnEnvelope(shared_from_this(), std::move(message));
  }

  // On the io thread.
  void Send(std::string text) {
    {
      std::lock_guard<std::mutex> lock(impl->mu);
      if (state == State::kClosed || state == State::kClosing) return;
    }
    outbox.push_back(std::move(text));
    if (!writing) Write();
  }

  void Write() {
    writing = true;
    auto self = shared_from_this();
    ws.text(true);
    ws.async_write(net::buffer(outbox.front()), [self](beast::error_code ec, size_t) {
      self->outbox.pop_front();
      self->writing = false;
      if (ec) return self->Fail(ec, "write");
      {
        std::lock_guard<std::mutex> lock(self->impl->mu);
        ++self->impl->stats.acks;
      }
      if (!self->outbox.empty()) self->Write();
    });
  }

  // On the io thread.
  void Close() {
    {
      std::lock_guard<std::mutex> lock(impl->mu);
      if (state == State::kClosed || state == State::kClosing) return;
      state = State::kClosing;
      close_requested = true;
    }
    if (!ws.is_open()) {
      beast::get_lowest_layer(ws).cancel();
      return Finish(false);
    }
    websocket::stream_base::timeout timeout;
    timeout.handshake_timeout = impl->options.close_timeout;
    timeout.idle_timeout = websocket::stream_base::none();
    ws.set_option(timeout);
    auto self = shared_from_this();
    ws.async_close(websocket::close_code::normal,
                   [self](beast::error_code) { self->Finish(false); });
  }

  void Fail(beast::error_code ec, const char* what) {
    bool expected;
    {
      std::lock_guard<std::mutex> lock(impl->mu);
      if (state == State::kClosed) return;
      expected = close_requested || (state == State::kDraining && !failed);
    }
    if (expected) {
      spdlog::debug("slack socket mode: link {} ended ({})", id, ec.message());
    } else {
      spdlog::warn("slack socket mode: link {} lost ({}: {})", id, what, ec.message());
    }
    beast::error_code ignored;
    beast::get_lowest_layer(ws).socket().close(ignored);
    Finish(!expected);
  }

  void Finish(bool unexpected) {
    std::lock_guard<std::mutex> lock(impl->mu);
    if (state == State::kClosed) return;
    state = State::kClosed;
    if ((unexpected || failed) && !impl->stopping) impl->NoteFailure(std::chrono::seconds(0));
    std::erase_if(impl->links, [this](const auto& l) { return l.get() == this; });
    impl->changed.notify_all();
  }
};

void SocketModeClient::Impl::OnEnvelope(const std::shared_ptr<Link>& link, json envelope) {
  {
    std::lock_guard<std::mutex> lock(mu);
    ++stats.envelopes;
  }
  bool submitted = pool.Submit([this, link, envelope = std::move(envelope)] {
    std::string id = envelope.value("envelope_id", "");
    std::string type = envelope.value("type", "");
    int attempt = envelope.value("retry_attempt", 0);
    if (id.empty()) return;
    std::optional<std::string> ack;
    auto claim = deduper.Begin(id, attempt);
    if (claim == EnvelopeDeduper::Claim::kDuplicate) {
      std::lock_guard<std::mutex> lock(mu);
      ++stats.duplicates;
      ack = json{{"envelope_id", id}}.dump();
    } else if (claim == EnvelopeDeduper::Claim::kProcess) {
      {
        std::lock_guard<std::mutex> lock(mu);
        ++stats.processed;
      }
      SlackAnswer answer = handler(type, envelope.value("payload", json::object()));
      if (answer.status >= 500) {
        spdlog::warn("slack socket mode: envelope {} ({}) not acknowledged, Slack will resend: {}",
                     id, type, answer.reason);
        deduper.Failed(id, attempt);
      } else {
        deduper.Succeeded(id);
        json reply = {{"envelope_id", id}};
        if (answer.status == 200 && !answer.body.is_null()) reply["payload"] = answer.body;
        if (answer.status != 200) {
          spdlog::info("slack socket mode: envelope {} ({}) refused: {}", id, type, answer.reason);
        }
        ack = reply.dump(-1, ' ', false, json::error_handler_t::replace);
      }
    }
    if (ack)
      net::post(io, [link, text = std::move(*ack)]() mutable { link->Send(std::move(text)); });
  });
  if (!submitted) spdlog::debug("slack socket mode: envelope dropped while stopping");
}

void SocketModeClient::Impl::OpenOne(std::unique_lock<std::mutex>& lock) {
  ++stats.open_calls;
  lock.unlock();
  SlackCallStats call_stats;
  auto answer = api->Call("apps.connections.open", options.app_token, nullptr, &call_stats);
  Result<WssUrl> url = Status::Unavailable("no answer");
  if (answer.ok()) {
    url = ParseWss(answer->value("url", ""));
  } else {
    url = answer.status();
  }
  lock.lock();
  if (stopping) return;
  if (!url.ok()) {
    ++stats.open_failures;
    NoteFailure(call_stats.retry_after);
    spdlog::warn("slack socket mode: apps.connections.open failed ({}); retrying in {} ms",
                 url.status().message(), stats.backoffs.back().count());
    return;
  }
  auto link = std::make_shared<Link>(this, next_id++, std::move(*url));
  links.push_back(link);
  net::post(io, [link] { link->Begin(); });
}

void SocketModeClient::Impl::Manage() {
  std::unique_lock<std::mutex> lock(mu);
  while (!stopping) {
    if (stats.link_disabled) {
      for (auto& link : links) net::post(io, [link] { link->Close(); });
      changed.wait(lock, [&] { return stopping; });
      break;
    }
    // A draining link goes once a link opened after its warning has said hello.
    int live = 0;
    for (auto& link : links) {
      if (link->state == Link::State::kConnecting || link->state == Link::State::kOpen) ++live;
      if (link->state != Link::State::kDraining) continue;
      for (auto& other : links) {
        if (other->id >= link->successor_from && other->state == Link::State::kOpen) {
          net::post(io, [link] { link->Close(); });
          break;
        }
      }
    }
    int open = 0;
    for (auto& link : links) {
      if (link->state == Link::State::kOpen || link->state == Link::State::kDraining) ++open;
    }
    stats.open_links = open;
    if (live < options.sockets) {
      if (Steady::now() >= next_open) {
        OpenOne(lock);
        continue;
      }
      changed.wait_until(lock, next_open);
    } else {
      changed.wait_for(lock, std::chrono::seconds(1));
    }
  }
}

SocketModeClient::SocketModeClient(SocketModeOptions options, const SlackClient* api, Store* store,
                                   const Clock* clock, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), api, store, clock, std::move(handler))) {}

SocketModeClient::~SocketModeClient() { Stop(); }

void SocketModeClient::Start() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->started) return;
  impl_->started = true;
  impl_->guard.emplace(impl_->io.get_executor());
  impl_->io_thread = std::thread([impl = impl_.get()] { impl->io.run(); });
  impl_->manager = std::thread([impl = impl_.get()] { impl->Manage(); });
}

void SocketModeClient::Stop() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (!impl_->started || impl_->stopping) return;
    impl_->stopping = true;
    impl_->changed.notify_all();
  }
  if (impl_->manager.joinable()) impl_->manager.join();
  {
    std::unique_lock<std::mutex> lock(impl_->mu);
    for (auto& link : impl_->links) net::post(impl_->io, [link] { link->Close(); });
    impl_->changed.wait_for(lock, impl_->options.close_timeout + std::chrono::milliseconds(100),
                            [&] { return impl_->links.empty(); });
  }
  impl_->pool.Shutdown();
  impl_->guard.reset();
  impl_->io.stop();
  if (impl_->io_thread.joinable()) impl_->io_thread.join();
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->links.clear();
  impl_->stats.open_links = 0;
}

SocketModeStats SocketModeClient::stats() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  SocketModeStats copy = impl_->stats;
  int open = 0;
  for (auto& link : impl_->links) {
    if (link->state == Impl::Link::State::kOpen || link->state == Impl::Link::State::kDraining)
      ++open;
  }
  copy.open_links = open;
  return copy;
}

std::chrono::milliseconds SocketModeClient::Backoff(const SocketModeOptions& options, int n,
                                                    double jitter) {
  jitter = std::clamp(jitter, 0.0, 1.0);
  double base = static_cast<double>(options.base_backoff.count());
  double cap = static_cast<double>(options.max_backoff.count());
  double delay = std::min(cap, base * std::pow(2.0, std::max(0, n - 1)));
  return std::chrono::milliseconds(static_cast<long long>(delay * (0.5 + 0.5 * jitter)));
}

}  // namespace okrbot::slack
