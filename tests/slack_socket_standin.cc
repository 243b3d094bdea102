#include "tests/slack_socket_standin.h"

#include <stdlib.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace okrbot::testing {
namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using nlohmann::json;

struct Certificates {
  std::string dir, ca, cert, key;
};

// A test CA and a server certificate for 127.0.0.1 / localhost, made once per process.
const Certificates& TestCertificates() {
  static const Certificates certs = [] {
    char tmpl[] = "/tmp/okrbot-socket-certs-XXXXXX";
    Certificates c;
    c.dir = mkdtemp(tmpl);
    c.ca = c.dir + "/ca.pem";
    c.cert = c.dir + "/server.pem";
    c.key = c.dir + "/server.key";
    std::ofstream(c.dir + "/ext.cnf") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                                      << "basicConstraints=CA:FALSE\n";
    std::string d = c.dir;
    std::string script =
        "(cd " + d +
        " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
        " -keyout ca.key -out ca.pem -days 2 -subj '/CN=okrbot test CA'"
        " -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=keyCertSign,cRLSign'"
        " && openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
        " -keyout server.key -out server.csr -subj '/CN=127.0.0.1'"
        " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial"
        " -out server.pem -days 2 -extfile ext.cnf";
    script += ") >/dev/null 2>&1";
    if (std::system(script.c_str()) != 0) {
      std::fprintf(stderr, "slack socket stand-in: openssl could not make test certificates\n");
      std::abort();
    }
    return c;
  }();
  return certs;
}

}  // namespace

struct SlackSocketStandIn::Impl {
  struct Session;

  net::io_context io;
  ssl::context tls{ssl::context::tls_server};
  tcp::acceptor acceptor{io};
  std::thread thread;

  mutable std::mutex mu;
  mutable std::condition_variable changed;
  bool auto_hello = true;
  int next_connection = 1;
  int next_envelope = 1;
  std::map<int, std::shared_ptr<Session>> sessions;
  std::vector<Connection> connections;
  std::vector<Ack> acks;

  Connection* Find(int id) {
    for (auto& c : connections) {
      if (c.id == id) return &c;
    }
    return nullptr;
  }

  void Accept();
  void Post(int connection, std::function<void(Session&)> action);
};

struct SlackSocketStandIn::Impl::Session : std::enable_shared_from_this<Session> {
  Session(Impl* impl, tcp::socket socket) : impl(impl), ws(std::move(socket), impl->tls) {}

  Impl* impl;
  int id = 0;
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws;
  beast::flat_buffer buffer;
  std::deque<std::string> outbox;
  bool writing = false;
  bool frozen = false;
  bool ended = false;

  void Start() {
    auto self = shared_from_this();
    beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(10));
    ws.next_layer().async_handshake(ssl::stream_base::server, [self](beast::error_code ec) {
      if (ec) return;
      beast::get_lowest_layer(self->ws).expires_never();
      self->ws.async_accept([self](beast::error_code ec) {
        if (ec) return;
        bool hello;
        {
          std::lock_guard<std::mutex> lock(self->impl->mu);
          self->id = self->impl->next_connection++;
          self->impl->sessions[self->id] = self;
          self->impl->connections.push_back({self->id, Clock::now(), std::nullopt, false});
          hello = self->impl->auto_hello;
          self->impl->changed.notify_all();
        }
        if (hello) {
          self->Send(json{
              {"type", "hello"}, {"num_connections", 1}, {"connection_info", {{"app_id", "A1"}}}}
                         .dump());
        }
        self->Read();
      });
    });
  }

  void Read() {
    auto self = shared_from_this();
    ws.async_read(buffer, [self](beast::error_code ec, size_t) {
      if (ec) {
        if (!self->frozen) self->End(true);
        return;
      }
      json message = json::parse(beast::buffers_to_string(self->buffer.data()), nullptr, false);
      self->buffer.consume(self->buffer.size());
      if (message.is_object() && message.contains("envelope_id")) {
        Ack ack;
        ack.connection = self->id;
        ack.envelope_id = message.value("envelope_id", "");
        ack.has_payload = message.contains("payload");
        ack.payload = message.value("payload", json());
        ack.at = Clock::now();
        std::lock_guard<std::mutex> lock(self->impl->mu);
        self->impl->acks.push_back(std::move(ack));
        self->impl->changed.notify_all();
      }
      if (!self->frozen) self->Read();
    });
  }

  void Send(std::string text) {
    if (ended || frozen) return;
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
      if (ec) return self->End(false);
      if (!self->outbox.empty()) self->Write();
    });
  }

  void Reset() {
    beast::error_code ignored;
    auto& socket = beast::get_lowest_layer(ws).socket();
    socket.set_option(net::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
    End(false);
  }

  void Freeze() {
    frozen = true;
    beast::get_lowest_layer(ws).cancel();  // the pending read ends; no more reads, no pongs
  }

  void End(bool by_client) {
    if (ended) return;
    ended = true;
    std::lock_guard<std::mutex> lock(impl->mu);
    if (Connection* c = impl->Find(id)) {
      c->closed = Clock::now();
      c->closed_by_client = by_client;
    }
    impl->sessions.erase(id);
    impl->changed.notify_all();
  }
};

void SlackSocketStandIn::Impl::Accept() {
  acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec) return;
    std::make_shared<Session>(this, std::move(socket))->Start();
    Accept();
  });
}

void SlackSocketStandIn::Impl::Post(int connection, std::function<void(Session&)> action) {
  std::shared_ptr<Session> session;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = sessions.find(connection);
    if (it == sessions.end()) return;
    session = it->second;
  }
  net::post(io, [session, action = std::move(action)] { action(*session); });
}

SlackSocketStandIn::SlackSocketStandIn() : impl_(std::make_unique<Impl>()) {
  const Certificates& certs = TestCertificates();
  impl_->tls.use_certificate_chain_file(certs.cert);
  impl_->tls.use_private_key_file(certs.key, ssl::context::pem);
  tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(net::socket_base::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  port_ = impl_->acceptor.local_endpoint().port();
  impl_->Accept();
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

SlackSocketStandIn::~SlackSocketStandIn() {
  net::post(impl_->io, [impl = impl_.get()] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
    std::vector<std::shared_ptr<Impl::Session>> open;
    {
      std::lock_guard<std::mutex> lock(impl->mu);
      for (auto& [id, s] : impl->sessions) open.push_back(s);
    }
    for (auto& s : open) {
      beast::get_lowest_layer(s->ws).socket().close(ignored);
      s->End(false);
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  impl_->io.stop();
  impl_->thread.join();
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->sessions.clear();
}

std::string SlackSocketStandIn::CaFile() { return TestCertificates().ca; }

std::string SlackSocketStandIn::Url() const {
  return "wss://127.0.0.1:" + std::to_string(port_) + "/link/?ticket=test&app_id=A1";
}

void SlackSocketStandIn::SetAutoHello(bool on) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->auto_hello = on;
}

void SlackSocketStandIn::Send(int connection, const json& message) {
  impl_->Post(connection, [text = message.dump()](Impl::Session& s) { s.Send(text); });
}

std::string SlackSocketStandIn::SendEnvelope(int connection, const std::string& type,
                                             const json& payload, std::string envelope_id,
                                             int retry_attempt) {
  if (envelope_id.empty()) {
    std::lock_guard<std::mutex> lock(impl_->mu);
    envelope_id = "env-" + std::to_string(impl_->next_envelope++);
  }
  Send(connection, {{"envelope_id", envelope_id},
                    {"type", type},
                    {"payload", payload},
                    {"accepts_response_payload", type != "events_api"},
                    {"retry_attempt", retry_attempt},
                    {"retry_reason", retry_attempt > 0 ? "timeout" : ""}});
  return envelope_id;
}

void SlackSocketStandIn::Disconnect(int connection, const std::string& reason) {
  Send(connection,
       {{"type", "disconnect"}, {"reason", reason}, {"debug_info", {{"host", "standin"}}}});
}

void SlackSocketStandIn::Reset(int connection) {
  impl_->Post(connection, [](Impl::Session& s) { s.Reset(); });
}

void SlackSocketStandIn::Freeze(int connection) {
  impl_->Post(connection, [](Impl::Session& s) { s.Freeze(); });
}

std::vector<SlackSocketStandIn::Connection> SlackSocketStandIn::Connections() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->connections;
}

std::vector<int> SlackSocketStandIn::OpenConnections() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<int> ids;
  for (const auto& c : impl_->connections) {
    if (!c.closed) ids.push_back(c.id);
  }
  return ids;
}

bool SlackSocketStandIn::WaitForOpen(int count, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(impl_->mu);
  return impl_->changed.wait_for(lock, timeout, [&] {
    int open = 0;
    for (const auto& c : impl_->connections) open += c.closed ? 0 : 1;
    return open >= count;
  });
}

bool SlackSocketStandIn::WaitForAccepted(int total, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(impl_->mu);
  return impl_->changed.wait_for(
      lock, timeout, [&] { return static_cast<int>(impl_->connections.size()) >= total; });
}

bool SlackSocketStandIn::WaitForClosed(int connection, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(impl_->mu);
  return impl_->changed.wait_for(lock, timeout, [&] {
    const Connection* c = impl_->Find(connection);
    return c != nullptr && c->closed.has_value();
  });
}

size_t SlackSocketStandIn::AckCount() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->acks.size();
}

std::vector<SlackSocketStandIn::Ack> SlackSocketStandIn::Acks() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->acks;
}

std::optional<SlackSocketStandIn::Ack> SlackSocketStandIn::WaitForAck(
    const std::string& envelope_id, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(impl_->mu);
  std::optional<Ack> found;
  impl_->changed.wait_for(lock, timeout, [&] {
    for (const auto& a : impl_->acks) {
      if (a.envelope_id == envelope_id) {
        found = a;
        return true;
      }
    }
    return false;
  });
  return found;
}

std::chrono::milliseconds SlackSocketStandIn::LongestGapSinceFirstOpen() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->connections.empty()) return std::chrono::milliseconds(0);
  // Sweep over open/close events.
  std::vector<std::pair<Clock::time_point, int>> events;
  for (const auto& c : impl_->connections) {
    events.push_back({c.opened, +1});
    if (c.closed) events.push_back({*c.closed, -1});
  }
  std::sort(events.begin(), events.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second > b.second;
  });
  int open = 0;
  Clock::duration longest{0};
  std::optional<Clock::time_point> gap_start;
  for (const auto& [at, delta] : events) {
    if (open == 0 && gap_start) longest = std::max(longest, at - *gap_start);
    open += delta;
    gap_start = open == 0 ? std::optional<Clock::time_point>(at) : std::nullopt;
  }
  if (open == 0 && gap_start) longest = std::max(longest, Clock::now() - *gap_start);
  return std::chrono::duration_cast<std::chrono::milliseconds>(longest);
}

}  // namespace okrbot::testing
