// SPDX-License-Identifier: BSL-1.0
// The Beast server adapter, layer 1 of 3: sessions. The protocols are siocodec's engines: the
// Socket.IO server engine (socketio/server.hpp: namespaces, acks, CONNECT replies) over the
// Engine.IO one it owns (handshake, long-polling, the upgrade, heartbeat, maxPayload), and the
// routing of engineio/request.hpp. This file is the glue between them and the other two layers: it
// feeds each session what the I/O layer received, hands the engine's transmits to the I/O layer
// (answer the held GET or the POST, send or close the WebSocket), its events to the layer above
// (open, the Socket.IO events, close), and keeps one Asio timer per session at next_deadline().
#ifndef SIOCODEC_ADAPTERS_BEAST_DETAIL_SERVER_SESSION_HPP
#define SIOCODEC_ADAPTERS_BEAST_DETAIL_SERVER_SESSION_HPP

#include <siocodec/config.hpp>
#include <siocodec/engineio/request.hpp>
#include <siocodec/engineio/server.hpp>
#include <siocodec/socketio/server.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

SIOCODEC_BEGIN_NAMESPACE
namespace adapters {
namespace beast {
namespace eio = ::SIOCODEC_NAMESPACE::engineio;
namespace sio = ::SIOCODEC_NAMESPACE::socketio;

/// What an HTTP request to the Engine.IO path carries, as the I/O layer read it.
struct http_request {
  std::string_view method;        // "GET", "POST", ...
  std::string_view query;         // the target's query: EIO, transport, sid, b64 (parse_query)
  std::string_view content_type;  // of a POST
  std::string_view body;          // of a POST
};

/// The answer to an HTTP request.
struct http_reply {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=UTF-8";
  std::string body;
};

using reply_fn = std::function<void(http_reply)>;

/// A WebSocket connection as the I/O layer offers it to a session. The session sets the two
/// callbacks; the I/O layer calls them for every message it reads and once when the link closes.
class ws_link {
 public:
  virtual ~ws_link() = default;
  /// Queues the frame `prefix` + `data` (copied: the views die with the engine's next call).
  virtual void send(eio::frame_kind kind, std::string_view prefix, std::string_view data) = 0;
  /// Closes after the frames already sent.
  virtual void close(std::uint16_t code) = 0;
  /// Closes the connection now, dropping the frames not yet written (a peer that does not read
  /// would never let close() finish).
  virtual void abort() = 0;
  /// Frames handed to send() and not yet written to the socket, and their bytes.
  virtual std::size_t queued_frames() const = 0;
  virtual std::size_t queued_bytes() const = 0;
  /// Frames handed to send() so far, and frames written to the socket so far: frame number k
  /// (counting from 1) has gone out once written() >= k.
  virtual std::uint64_t sent() const = 0;
  virtual std::uint64_t written() const = 0;

  std::function<void(eio::frame_kind, std::string_view)> on_message;
  std::function<void(bool error)> on_closed;
};

/// WebSocket close code used here (RFC 6455).
constexpr std::uint16_t ws_close_normal = 1000;

class session;

/// The layer above one session (the application): told when it opens, of each Socket.IO event
/// of the engine (connect_request, connect, event, ack...: socketio::server_event), of its end.
class session_handler {
 public:
  virtual ~session_handler() = default;
  virtual void on_open(session& s) = 0;
  /// Valid during the call only (the event's views die at the engine's next non-const call).
  virtual void on_event(session& s, const sio::server_event& e) = 0;
  virtual void on_close(session& s, std::string_view reason) = 0;
};

/// The Engine.IO engine's options. max_queued_messages / max_queued_bytes bound what a session
/// may hold for a client that does not take it: packets queued while no long-poll GET waits (the
/// engine's queue) and WebSocket frames Beast has not written (the glue's check_ws_queue()).
using engine_options = eio::server_options;

/// The milliseconds the engines take: steady_clock's, whose epoch does not matter.
inline eio::millis now_ms() {
  using namespace std::chrono;
  return static_cast<eio::millis>(
      duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count());
}

/// One session: a socketio::server_connection (which owns the eio::server_session), the HTTP
/// requests and the WebSocket it is waiting on, and its timer.
class session : public std::enable_shared_from_this<session> {
 public:
  /// What the session tells its server.
  struct events {
    std::function<void(const session&)> upgraded;  // moved to WebSocket
    std::function<void(const session&)> gone;      // closed: forget this sid
  };

  session(boost::asio::io_context& io, const sio::server_options& opts, std::string_view sid,
          const eio::route_result& r, session_handler& handler, events ev)
      : conn_(opts, sid, r.version, r.transport, r.supports_binary, now_ms()),
        sid_(sid),
        opts_(opts.engine),
        supports_binary_(r.supports_binary),
        handler_(handler),
        events_(std::move(ev)),
        timer_(io) {}

  const std::string& sid() const { return sid_; }
  eio::protocol_version version() const { return conn_.engine().version(); }
  bool is_open() const { return !closed_; }
  std::size_t max_payload() const { return opts_.max_payload; }
  /// v3 only: the client asked for base64 (`b64=1`): its polling bodies are always text.
  bool base64_only() const { return !supports_binary_; }
  /// The transport in use (the last one, once closed).
  const char* transport_name() const {
    return conn_.engine().transport() == eio::transport_kind::websocket ? "websocket" : "polling";
  }
  const eio::server_session& engine() const { return conn_.engine(); }

  // --- for the layer above ------------------------------------------------------------------

  /// The Socket.IO engine: accept()/reject() a connect_request, emit(), send(), send_encoded().
  /// After calling it from outside this session's handler (a broadcast), call flush().
  sio::server_connection& conn() { return conn_; }
  const sio::server_connection& conn() const { return conn_; }
  /// Hands what the engine queued to the I/O layer (a no-op inside this session's handlers,
  /// whose loop drains it anyway).
  void flush() { pump(); }
  /// The reason this side gave when it ended the session (close(), "send queue full"); empty
  /// otherwise, or until then.
  const std::string& close_reason() const { return reason_; }
  /// Ends the session (DISCONNECT to every namespace, then the close); `reason` is what
  /// on_close() reports.
  void close(std::string_view reason) {
    if (closed_) return;
    if (reason_.empty()) reason_ = std::string(reason);
    conn_.close(now_ms());
    pump();
  }

  // --- for the Engine.IO server and the I/O layer --------------------------------------------

  /// Starts the session: the open event, and the handshake GET or the WebSocket it came on.
  void start(const reply_fn* handshake_get, const std::shared_ptr<ws_link>& ws) {
    if (ws) attach(ws);
    if (handshake_get != nullptr) {
      gets_.push_back(*handshake_get);
      conn_.handle_get(now_ms());
    }
    pump();
  }

  void on_get(reply_fn reply) {
    gets_.push_back(std::move(reply));
    conn_.handle_get(now_ms());
    pump();
  }

  /// The connection of a GET not yet answered went away: if the engine holds it, the session
  /// ends (the reference's "poll connection closed prematurely").
  void on_get_aborted() {
    conn_.handle_get_aborted(now_ms());
    pump();
  }

  void on_post(std::string_view content_type, std::string_view body, reply_fn reply) {
    post_ = std::move(reply);
    const bool binary = content_type == "application/octet-stream";
    conn_.handle_post(binary ? eio::frame_kind::binary : eio::frame_kind::text, body, now_ms());
    pump();
    if (post_)
      answer(post_, 400, "application/json", eio::error_body(eio::request_error::bad_request));
  }

  /// A WebSocket with this sid: the upgrade probe (the server checked accepts_websocket()).
  void on_probe(const std::shared_ptr<ws_link>& link) {
    attach(link);
    conn_.handle_ws_open(now_ms());
    pump();
  }

 private:
  static void answer(reply_fn& r, unsigned status, std::string_view type, std::string_view body) {
    reply_fn once = std::move(r);
    r = nullptr;
    once(http_reply{status, std::string(type), std::string(body)});
  }

  void attach(const std::shared_ptr<ws_link>& link) {
    ws_ = link;
    ping_frame_ = 0;
    std::weak_ptr<session> weak = shared_from_this();
    std::weak_ptr<ws_link> weak_link = link;
    // Only the link the session holds speaks: one the engine closed is forgotten at once.
    link->on_message = [weak, weak_link](eio::frame_kind kind, std::string_view frame) {
      auto s = weak.lock();
      if (!s || s->ws_ != weak_link.lock()) return;
      // A pong counts once its ping is written (Beast's queue is the transport's, which the
      // engine cannot see): a client that does not read cannot live on blind pongs.
      if (kind == eio::frame_kind::text && frame == "3" && s->ws_->written() < s->ping_frame_) {
        return;
      }
      s->conn_.handle_ws_message(kind, frame, now_ms());
      s->pump();
    };
    link->on_closed = [weak, weak_link](bool error) {
      auto s = weak.lock();
      if (!s || s->ws_ != weak_link.lock()) return;
      s->ws_.reset();
      s->conn_.handle_ws_closed(now_ms(), error);
      s->pump();
    };
  }

  void close_ws() {
    if (ws_) ws_->close(ws_close_normal);
    ws_.reset();
  }

  // Beast's write queue is the transport's: the engine hands each frame over at once and cannot
  // see whether the client reads them. A client that does not read (and perhaps pongs blindly)
  // is dropped here, its frames with it.
  void check_ws_queue() {
    if (!ws_ || (ws_->queued_frames() <= opts_.max_queued_messages &&
                 ws_->queued_bytes() <= opts_.max_queued_bytes)) {
      return;
    }
    if (reason_.empty()) reason_ = "send queue full";
    ws_->abort();
    ws_.reset();
    conn_.handle_ws_closed(now_ms(), true);
  }

  // Drains the engine: transmits to the I/O layer, events to the layer above, until both are
  // empty, then re-arms the timer. Calls made from the handlers (send_text...) only feed the
  // engine; the loop here drains what they produced.
  void pump() {
    if (pumping_ || closed_) return;
    pumping_ = true;
    auto self = shared_from_this();  // a handler may close the session, which drops it
    for (;;) {
      while (auto t = conn_.poll_transmit()) transmit(*t);
      auto e = conn_.poll_event();
      if (!e) break;
      // The Engine.IO session's own events (messages are decoded by the Socket.IO engine).
      if (e->kind != sio::server_event_kind::engine) {
        handler_.on_event(*this, *e);
      } else if (e->engine_event.kind == eio::event_kind::open) {
        handler_.on_open(*this);
      } else if (e->engine_event.kind == eio::event_kind::upgrade) {
        events_.upgraded(*this);
      } else if (e->engine_event.kind == eio::event_kind::close) {
        closed_ = true;
        timer_.cancel();
        close_ws();
        gets_.clear();  // unanswered: their connections close
        handler_.on_close(*this,
                          reason_.empty() ? eio::to_string(e->engine_event.reason) : reason_);
        events_.gone(*this);
      }
    }
    pumping_ = false;
    if (closed_) return;
    arm();
  }

  void transmit(const eio::server_transmit& t) {
    const std::string_view type = t.content_type;
    switch (t.action) {
      case eio::server_action::answer_get:
        if (gets_.empty()) return;
        answer(gets_.front(), t.status, type, t.body.data);
        gets_.erase(gets_.begin());
        return;
      case eio::server_action::answer_post:
        if (post_) answer(post_, t.status, type, t.body.data);
        return;
      case eio::server_action::ws_send:
        if (!ws_) return;
        ws_->send(t.body.kind, t.body.prefix, t.body.data);
        if (t.body.kind == eio::frame_kind::text && t.body.data == "2") ping_frame_ = ws_->sent();
        check_ws_queue();
        return;
      case eio::server_action::ws_close: close_ws(); return;
    }
  }

  void arm() {
    const eio::millis due = conn_.next_deadline();
    if (due == armed_) return;
    armed_ = due;
    if (due == eio::no_deadline) {
      timer_.cancel();
      return;
    }
    timer_.expires_at(std::chrono::steady_clock::time_point(std::chrono::milliseconds(due)));
    timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      auto s = weak.lock();
      if (ec || !s || s->closed_) return;
      s->armed_ = eio::no_deadline;
      s->conn_.handle_timeout(now_ms());
      s->pump();
    });
  }

  sio::server_connection conn_;
  std::string sid_;
  const engine_options& opts_;  // the engine_server's, which outlives its sessions
  bool supports_binary_;
  session_handler& handler_;
  events events_;
  boost::asio::steady_timer timer_;
  eio::millis armed_ = eio::no_deadline;
  // GETs handed to the engine and not answered, oldest first (rarely more than one). A vector:
  // an empty std::deque holds a 512-byte block, which every WebSocket session kept for nothing.
  std::vector<reply_fn> gets_;
  reply_fn post_;                 // the POST being handled
  std::shared_ptr<ws_link> ws_;   // the probe, the upgraded WebSocket, or the ws-only one
  std::uint64_t ping_frame_ = 0;  // ws_'s frame number of the last v4 ping
  std::string reason_;            // set by close() or the glue: overrides the engine's close reason
  bool pumping_ = false;
  bool closed_ = false;
};

/// The Engine.IO server: the table of sessions, and the routing of requests and WebSockets to
/// them with eio::route_request (the reference's checks and error answers).
class engine_server {
 public:
  engine_server(boost::asio::io_context& io, const sio::server_options& opts,
                session_handler& handler)
      : io_(io), opts_(opts), handler_(handler), rng_(std::random_device{}()) {}

  const engine_options& options() const { return opts_.engine; }

  /// Called by each session when it moves to WebSocket.
  std::function<void(const session&)> on_upgrade = [](const session&) {};

  /// An HTTP request for the polling transport: a handshake, a long-poll or a POST. `reply` is
  /// called once, now or later (a held long-poll). @return for a GET of a session, what to call
  /// if its connection closes before `reply` was called (empty otherwise).
  std::function<void()> handle_http(const http_request& req, const reply_fn& reply) {
    const eio::request_query q = eio::parse_query(req.query);
    std::shared_ptr<session> s = find(q.sid);
    const eio::route_result r = route(req.method, q, s, false);
    if (!r) {
      reply(
          {eio::error_status(r.error), "application/json", std::string(eio::error_body(r.error))});
    } else if (r.handshake) {
      create(r, &reply, nullptr);
    } else if (req.method == "GET") {
      s->on_get(reply);
      return [weak = std::weak_ptr<session>(s)] {
        if (auto held = weak.lock()) held->on_get_aborted();
      };
    } else if (req.method == "POST") {
      s->on_post(req.content_type, req.body, reply);
    } else {
      reply(
          {400, "application/json", std::string(eio::error_body(eio::request_error::bad_request))});
    }
    return nullptr;
  }

  /// Checks a WebSocket upgrade request before the I/O layer accepts it: nullopt when it may
  /// go ahead, else the HTTP answer to refuse it with (the reference's abortUpgrade()).
  std::optional<http_reply> check_websocket(const http_request& req) const {
    const eio::request_query q = eio::parse_query(req.query);
    std::shared_ptr<session> s = find(q.sid);
    eio::route_result r = route(req.method, q, s, true);
    // A second WebSocket for a session that has one: the reference closes it.
    if (r && s && !s->engine().accepts_websocket()) r.ok = false;
    if (r) return std::nullopt;
    return http_reply{400, "text/html", std::string(eio::to_string(r.error))};
  }

  /// An accepted WebSocket: a new WebSocket-only session (no sid), or an upgrade probe.
  void attach_websocket(const http_request& req, const std::shared_ptr<ws_link>& link) {
    if (check_websocket(req)) {
      link->close(ws_close_normal);  // the session changed while the link was accepted
      return;
    }
    const eio::request_query q = eio::parse_query(req.query);
    if (q.sid.empty()) {
      create(route(req.method, q, nullptr, true), nullptr, link);
      return;
    }
    find(q.sid)->on_probe(link);
  }

  std::size_t session_count() const { return sessions_.size(); }

 private:
  static eio::route_result route(std::string_view method, const eio::request_query& q,
                                 const std::shared_ptr<session>& s, bool websocket) {
    eio::route_options ro;
    ro.allow_eio3 = true;  // socket.io-client 2.x
    ro.websocket_upgrade = websocket;
    ro.session = s ? &s->engine() : nullptr;
    return eio::route_request(method, q, s != nullptr, ro);
  }

  std::shared_ptr<session> find(std::string_view sid) const {
    auto it = sessions_.find(std::string(sid));
    return it == sessions_.end() ? nullptr : it->second;
  }

  std::shared_ptr<session> create(const eio::route_result& r, const reply_fn* get,
                                  const std::shared_ptr<ws_link>& ws) {
    std::string sid;
    do {
      unsigned char random[15];
      for (unsigned char& b : random) b = static_cast<unsigned char>(rng_());
      sid =
          std::string(eio::make_sid(::SIOCODEC_NAMESPACE::byte_view(random, sizeof random)).view());
    } while (sessions_.count(sid) != 0);
    session::events ev;
    ev.upgraded = [this](const session& s) { on_upgrade(s); };
    ev.gone = [this](const session& s) { sessions_.erase(s.sid()); };
    auto s = std::make_shared<session>(io_, opts_, sid, r, handler_, std::move(ev));
    sessions_.emplace(sid, s);
    s->start(get, ws);
    return s;
  }

  boost::asio::io_context& io_;
  sio::server_options opts_;
  session_handler& handler_;
  std::mt19937_64 rng_;
  std::map<std::string, std::shared_ptr<session>, std::less<>> sessions_;
};

}  // namespace beast
}  // namespace adapters
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_ADAPTERS_BEAST_DETAIL_SERVER_SESSION_HPP
