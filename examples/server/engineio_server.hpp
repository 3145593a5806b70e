// SPDX-License-Identifier: BSL-1.0
// Example server, layer 1 of 3: Engine.IO sessions (handshake, long-polling, WebSocket upgrade,
// heartbeat, maxPayload). Knows nothing of Beast or Socket.IO: the I/O layer hands it requests
// and WebSocket links, the layer above receives `message` packets and sends its own.
#ifndef SIOCODEC_EXAMPLES_SERVER_ENGINEIO_SERVER_HPP
#define SIOCODEC_EXAMPLES_SERVER_ENGINEIO_SERVER_HPP

#include <siocodec/engineio/decode.hpp>
#include <siocodec/engineio/encode.hpp>
#include <siocodec/engineio/handshake.hpp>
#include <siocodec/engineio/packet.hpp>
#include <siocodec/engineio/payload.hpp>

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

namespace demo {
namespace eio = siocodec::engineio;

/// What an HTTP request to the Engine.IO path carries, as the I/O layer parsed it.
struct http_request {
  std::string_view method;        // "GET", "POST", ...
  std::string_view eio;           // query EIO: "4" or "3"
  std::string_view transport;     // query transport: "polling" or "websocket"
  std::string_view sid;           // query sid: empty for a handshake
  bool b64 = false;               // query b64=1: a v3 client that cannot take binary bodies
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
  virtual void send(eio::frame_kind kind, std::string bytes) = 0;
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
  std::function<void()> on_closed;
};

/// WebSocket close codes used here (RFC 6455).
constexpr std::uint16_t ws_close_normal = 1000;
constexpr std::uint16_t ws_close_protocol_error = 1002;
constexpr std::uint16_t ws_close_too_big = 1009;

class session;

/// The layer above one session (Socket.IO): told when it opens, of each message, of its end.
class session_handler {
 public:
  virtual ~session_handler() = default;
  virtual void on_open(session& s) = 0;
  /// A `message` packet: text, binary, or base64 text (the `b` packets of polling bodies).
  virtual void on_message(session& s, const eio::packet_view& p) = 0;
  virtual void on_close(session& s, std::string_view reason) = 0;
};

struct server_options {
  std::uint32_t ping_interval = 25000;  // ms (reference default)
  std::uint32_t ping_timeout = 20000;   // ms (reference default)
  /// maxHttpBufferSize: the largest polling body or WebSocket message accepted, advertised to
  /// clients as maxPayload. It is the codec's decode_options::max_payload; the I/O layer also
  /// gives it to Beast, so that an oversize body or message is refused before it is buffered.
  std::size_t max_payload = 1000000;
  /// What a session may hold for a client that does not take it: packets queued while no
  /// long-poll GET waits, or frames its WebSocket has not written because the client does not
  /// read. Over either bound the session is closed ("send queue full") and the queue dropped.
  /// The reference bounds only what it receives; without these a client that never reads and
  /// keeps asking for echoes grows the server without limit. Bytes: 0 (the default) means 16
  /// maxPayload-sized messages (16 MB with the default maxPayload, more for a server that
  /// takes larger messages); packets: room for 10,000-event bursts of small ones.
  std::size_t max_send_queue_bytes = 0;
  std::size_t max_send_queue_packets = 100000;

  /// max_send_queue_bytes, with 0 resolved.
  std::size_t send_queue_bytes_limit() const {
    if (max_send_queue_bytes != 0) return max_send_queue_bytes;
    return max_payload > SIZE_MAX / 16 ? SIZE_MAX : 16 * max_payload;
  }
};

/// One Engine.IO session: a client known by its sid, on polling, upgrading to WebSocket, or on
/// WebSocket. Owns the outgoing packet queue, the held long-poll GET and the heartbeat timers.
class session : public std::enable_shared_from_this<session> {
 public:
  enum class state : std::uint8_t { polling, upgrading, websocket, closed };

  /// What the session tells its server.
  struct events {
    std::function<void(const session&)> upgraded;  // moved to WebSocket
    std::function<void(const std::string&)> gone;  // closed: forget this sid
  };

  session(boost::asio::io_context& io, std::string sid, eio::protocol_version v, bool b64,
          const server_options& opts, session_handler& handler, events ev)
      : sid_(std::move(sid)),
        version_(v),
        b64_(b64),
        opts_(opts),
        handler_(handler),
        events_(std::move(ev)),
        ping_timer_(io),
        timeout_timer_(io) {
    decode_opts_.version = version_;
    decode_opts_.max_payload = opts_.max_payload;
  }

  const std::string& sid() const { return sid_; }
  eio::protocol_version version() const { return version_; }
  state current_state() const { return state_; }
  bool is_open() const { return state_ != state::closed; }
  std::size_t max_payload() const { return opts_.max_payload; }
  /// v3 only: the client asked for base64 (`b64=1`): its polling bodies are always text.
  bool base64_only() const { return b64_; }
  /// The transport in use (the last one, once closed).
  const char* transport_name() const { return on_websocket_ ? "websocket" : "polling"; }

  // --- for the layer above ------------------------------------------------------------------

  /// Queues a text message (a Socket.IO packet) and sends what can be sent now.
  void send_text(std::string_view text) { send(eio::packet_type::message, false, text); }
  /// Queues a binary message (a Socket.IO attachment); the bytes are copied.
  void send_binary(siocodec::byte_view bytes) {
    send(eio::packet_type::message, true, bytes.as_chars());
  }
  /// Ends the session: a `close` packet to the client, then everything is released.
  void close(std::string_view reason) {
    if (state_ == state::closed) return;
    send(eio::packet_type::close, false, {});
    finish(reason);
  }

  // --- for the Engine.IO server and the I/O layer ------------------------------------------

  /// Starts the session: queues the open packet and starts the heartbeat.
  void open(bool on_websocket) {
    eio::handshake h;
    h.sid = sid_;
    h.upgrades = on_websocket ? 0 : eio::transport_websocket;
    h.ping_interval = opts_.ping_interval;
    h.ping_timeout = opts_.ping_timeout;
    h.max_payload = opts_.max_payload;
    std::string json;
    if (!eio::encode_handshake(h, json)) return;  // the sid is ours: cannot fail
    send(eio::packet_type::open, false, json);
    if (version_ == eio::protocol_version::v4) {
      schedule_ping();
    } else {
      // v3: the client pings; it is gone when no ping came for pingInterval + pingTimeout.
      arm_timeout(opts_.ping_interval + opts_.ping_timeout);
    }
    handler_.on_open(*this);
  }

  /// A long-poll GET: answered at once when packets are waiting, otherwise held.
  void on_poll(reply_fn reply) {
    if (state_ == state::websocket || state_ == state::closed) {
      reply(error_reply(3, "Bad request"));
      return;
    }
    if (pending_poll_) {
      // Two GETs at once: the reference closes the session ("overlap from client").
      reply(error_reply(3, "Bad request"));
      finish("transport error");
      return;
    }
    pending_poll_ = std::move(reply);
    // During an upgrade, answer at once (with a noop if nothing is queued), so that the client
    // can finish pausing its polling transport.
    if (state_ == state::upgrading && queue_.empty())
      queue_.push_back({eio::packet_type::noop, false, {}});
    flush();
  }

  /// A POST: a payload of packets from the client.
  http_reply on_post(std::string_view content_type, std::string_view body) {
    if (state_ == state::websocket || state_ == state::closed) return error_reply(3, "Bad request");
    const bool binary_body = content_type == "application/octet-stream";
    if (binary_body && version_ == eio::protocol_version::v4) {
      finish("transport error");
      return error_reply(3, "Bad request");
    }
    auto self = shared_from_this();  // a packet may close the session while we iterate
    auto reader = eio::decode_payload(
        body, binary_body ? eio::frame_kind::binary : eio::frame_kind::text, decode_opts_);
    for (const eio::packet_view& p : reader) {
      on_packet(p, nullptr);
      if (state_ == state::closed) return ok_reply();
    }
    if (reader.error() == siocodec::errc::payload_too_large) {
      // As the reference: the body is refused, the session stays (the client gives up on it).
      return http_reply{413, "text/plain; charset=UTF-8", ""};
    }
    if (reader.error() != siocodec::errc::none) {
      finish("parse error");
      return error_reply(3, "Bad request");
    }
    return ok_reply();
  }

  /// Takes over a WebSocket link: the session's transport (`probe` false: a WebSocket-only
  /// session), or the candidate of an upgrade from polling (`probe` true).
  void attach(const std::shared_ptr<ws_link>& link, bool probe) {
    std::weak_ptr<session> weak = shared_from_this();
    std::weak_ptr<ws_link> weak_link = link;
    link->on_message = [weak, weak_link](eio::frame_kind kind, std::string_view frame) {
      auto s = weak.lock();
      auto l = weak_link.lock();
      if (s && l) s->on_ws_message(*l, kind, frame);
    };
    link->on_closed = [weak, weak_link] {
      auto s = weak.lock();
      auto l = weak_link.lock();
      if (s && l) s->on_ws_closed(*l);
    };
    if (probe) {
      probe_ = link;
      state_ = state::upgrading;
    } else {
      ws_ = link;
      state_ = state::websocket;
      on_websocket_ = true;
      flush();
    }
  }

  /// The error bodies of the reference server: {"code":N,"message":"..."}.
  static http_reply error_reply(int code, std::string_view message) {
    http_reply r;
    r.status = 400;
    r.content_type = "application/json";
    r.body = "{\"code\":" + std::to_string(code) + ",\"message\":\"" + std::string(message) + "\"}";
    return r;
  }

 private:
  struct queued {
    eio::packet_type type;
    bool binary = false;
    std::string data;

    eio::packet_view view() const {
      return binary ? eio::packet_view::binary(siocodec::byte_view(data), type)
                    : eio::packet_view::text(type, data);
    }
  };

  static http_reply ok_reply() { return http_reply{200, "text/html", "ok"}; }

  void send(eio::packet_type type, bool binary, std::string_view data) {
    if (state_ == state::closed) return;
    if (type == eio::packet_type::ping) {
      ping_via_poll_ = false;
      ping_frame_ = 0;
    }
    queue_.push_back({type, binary, std::string(data)});
    queue_bytes_ += data.size() + 1;
    flush();
    check_queue();
  }

  // Closes a session whose client does not take what it is sent (see max_send_queue_bytes).
  void check_queue() {
    if (state_ == state::closed) return;
    std::size_t frames = queue_.size(), bytes = queue_bytes_;
    if (ws_) {
      frames += ws_->queued_frames();
      bytes += ws_->queued_bytes();
    }
    if (frames > opts_.max_send_queue_packets || bytes > opts_.send_queue_bytes_limit()) {
      finish("send queue full", true);
    }
  }

  // The client has had the last ping: a pong before that answers nothing (a client that pongs
  // blindly must not keep alive a session it does not read).
  bool ping_delivered() const {
    return ping_via_poll_ || (ping_frame_ != 0 && ws_ && ws_->written() >= ping_frame_);
  }

  // Sends the queue over the current transport: one WebSocket message per packet, or every
  // queued packet in one polling body (engineio::encode_payload) if a GET is waiting.
  void flush() {
    if (queue_.empty()) return;
    eio::encode_options eo;
    eo.version = version_;
    if (state_ == state::websocket && ws_) {
      for (const queued& q : queue_) {
        std::string frame;
        const eio::packet_view p = q.view();
        if (eio::encode(p, frame, eo)) ws_->send(eio::encoded_frame_kind(p, eo), std::move(frame));
        if (q.type == eio::packet_type::ping) ping_frame_ = ws_->sent();
      }
      queue_.clear();
      queue_bytes_ = 0;
      return;
    }
    if (!pending_poll_) return;
    std::vector<eio::packet_view> packets;
    packets.reserve(queue_.size());
    for (const queued& q : queue_) {
      packets.push_back(q.view());
      if (q.type == eio::packet_type::ping) ping_via_poll_ = true;
    }
    // A v3 client that asked for b64=1 at the handshake cannot read binary bodies.
    eo.supports_binary = !b64_;
    http_reply r;
    if (!eio::encode_payload(packets.data(), packets.size(), r.body, eo)) {
      r = error_reply(3, "Bad request");  // only text that is not UTF-8 (v3) can fail here
    } else if (eio::payload_frame_kind(packets.data(), packets.size(), eo) ==
               eio::frame_kind::binary) {
      r.content_type = "application/octet-stream";
    }
    queue_.clear();
    queue_bytes_ = 0;
    reply_fn reply = std::move(pending_poll_);
    pending_poll_ = nullptr;
    reply(std::move(r));
  }

  // Every packet from the client, whatever carried it. `link` is the WebSocket it came on
  // (null for a polling body).
  void on_packet(const eio::packet_view& p, ws_link* link) {
    // v3: engine.io 3 takes any packet as a sign of life and restarts the timeout, so a client
    // whose next ping waits behind many queued packets is not dropped while they arrive.
    if (version_ == eio::protocol_version::v3) {
      arm_timeout(opts_.ping_interval + opts_.ping_timeout);
    }
    // While waiting for a pong, another packet shows the client is alive (a large upload may
    // delay its pong): the reference refreshes the timeout once.
    if (version_ == eio::protocol_version::v4 && waiting_pong_ && !refreshed_ &&
        p.type != eio::packet_type::pong) {
      refreshed_ = true;
      arm_timeout(opts_.ping_timeout);
    }
    switch (p.type) {
      case eio::packet_type::ping:
        if (version_ == eio::protocol_version::v4) return finish("invalid heartbeat direction");
        arm_timeout(opts_.ping_interval + opts_.ping_timeout);
        send(eio::packet_type::pong, false, {});
        return;
      case eio::packet_type::pong:
        if (version_ == eio::protocol_version::v3) return finish("invalid heartbeat direction");
        if (!waiting_pong_ || !ping_delivered()) return;  // the ping timeout decides
        waiting_pong_ = false;
        timeout_timer_.cancel();
        schedule_ping();
        return;
      case eio::packet_type::message: {
        auto self = shared_from_this();
        handler_.on_message(*this, p);
        return;
      }
      case eio::packet_type::close:
        if (link != nullptr) link->close(ws_close_normal);
        return finish("transport close");
      case eio::packet_type::upgrade:  // only valid on the probe link, handled there
      case eio::packet_type::open:
      case eio::packet_type::noop: return;
    }
  }

  void on_ws_message(ws_link& link, eio::frame_kind kind, std::string_view frame) {
    if (state_ == state::closed) return;
    auto r = eio::decode(frame, kind, decode_opts_);
    if (!r) {
      const bool too_big = r.error() == siocodec::errc::payload_too_large;
      link.close(too_big ? ws_close_too_big : ws_close_protocol_error);
      if (&link == ws_.get()) finish(too_big ? "transport error" : "parse error");
      return;
    }
    if (probe_ && &link == probe_.get()) return on_probe_message(*r);
    if (&link == ws_.get()) on_packet(*r, &link);
  }

  // The upgrade (protocol.md §1.7): `2probe` -> `3probe`, the held GET ends with a noop, then
  // `5` moves the session to the WebSocket. Anything else aborts the upgrade, not the session.
  void on_probe_message(const eio::packet_view& p) {
    if (p.type == eio::packet_type::ping && p.data == "probe" && p.kind == eio::data_kind::text) {
      std::string frame;
      eio::encode_options eo;
      eo.version = version_;
      if (eio::encode(eio::packet_view::text(eio::packet_type::pong, "probe"), frame, eo)) {
        probe_->send(eio::frame_kind::text, std::move(frame));
      }
      if (pending_poll_ && queue_.empty()) queue_.push_back({eio::packet_type::noop, false, {}});
      flush();
      return;
    }
    if (p.type == eio::packet_type::upgrade) {
      if (pending_poll_ && queue_.empty()) queue_.push_back({eio::packet_type::noop, false, {}});
      flush();  // what was queued for polling goes on polling
      pending_poll_ = nullptr;
      ws_ = std::move(probe_);
      state_ = state::websocket;
      on_websocket_ = true;
      events_.upgraded(*this);
      flush();
      return;
    }
    probe_->close(ws_close_protocol_error);
    probe_.reset();
    state_ = state::polling;
  }

  void on_ws_closed(ws_link& link) {
    if (probe_ && &link == probe_.get()) {
      probe_.reset();
      if (state_ == state::upgrading) state_ = state::polling;
      return;
    }
    if (&link == ws_.get()) finish("transport close");
  }

  // v4 heartbeat: a ping every pingInterval, a pong due within pingTimeout.
  void schedule_ping() {
    ping_timer_.expires_after(std::chrono::milliseconds(opts_.ping_interval));
    ping_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      auto s = weak.lock();
      if (ec || !s || s->state_ == state::closed) return;
      s->waiting_pong_ = true;
      s->refreshed_ = false;
      s->send(eio::packet_type::ping, false, {});
      s->arm_timeout(s->opts_.ping_timeout);
    });
  }

  void arm_timeout(std::uint32_t ms) {
    timeout_timer_.expires_after(std::chrono::milliseconds(ms));
    timeout_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      auto s = weak.lock();
      if (!ec && s) s->finish("ping timeout");
    });
  }

  // The end, whatever the reason: a held GET gets what is queued (with the close packet if
  // close() queued one), WebSockets are closed, the layer above and the server are told.
  // `drop`: the client does not read; nothing more is sent, the links are cut at once.
  void finish(std::string_view reason, bool drop = false) {
    if (state_ == state::closed) return;
    auto self = shared_from_this();
    if (drop) {
      queue_.clear();
      if (ws_) ws_->abort();
      if (probe_) probe_->abort();
    }
    if (pending_poll_ && state_ != state::websocket) {
      if (queue_.empty()) queue_.push_back({eio::packet_type::noop, false, {}});
      flush();
    }
    if (state_ == state::websocket && ws_) flush();
    state_ = state::closed;
    queue_.clear();
    queue_bytes_ = 0;
    pending_poll_ = nullptr;
    ping_timer_.cancel();
    timeout_timer_.cancel();
    if (ws_) ws_->close(ws_close_normal);
    if (probe_) probe_->close(ws_close_normal);
    ws_.reset();
    probe_.reset();
    handler_.on_close(*this, reason);
    events_.gone(sid_);
  }

  std::string sid_;
  eio::protocol_version version_;
  bool b64_;
  server_options opts_;
  eio::decode_options decode_opts_;
  session_handler& handler_;
  events events_;
  state state_ = state::polling;
  std::vector<queued> queue_;
  std::size_t queue_bytes_ = 0;  // of queue_, one type byte each included
  reply_fn pending_poll_;
  std::shared_ptr<ws_link> ws_;
  std::shared_ptr<ws_link> probe_;
  boost::asio::steady_timer ping_timer_;
  boost::asio::steady_timer timeout_timer_;
  bool waiting_pong_ = false;
  bool refreshed_ = false;
  bool on_websocket_ = false;
  // Where the last ping went: in a polling body, or as WebSocket frame number ping_frame_.
  bool ping_via_poll_ = false;
  std::uint64_t ping_frame_ = 0;
};

/// The Engine.IO server: the table of sessions, and the routing of requests and WebSockets to
/// them (handshakes, the checks of the query, the reference's error answers).
class server {
 public:
  server(boost::asio::io_context& io, server_options opts, session_handler& handler)
      : io_(io), opts_(opts), handler_(handler), rng_(std::random_device{}()) {}

  const server_options& options() const { return opts_; }

  /// Called by each new session when it moves to WebSocket.
  std::function<void(const session&)> on_upgrade = [](const session&) {};

  /// An HTTP request for the polling transport: a handshake, a long-poll or a POST. `reply` is
  /// called once, now or later (a held long-poll).
  void handle_http(const http_request& req, const reply_fn& reply) {
    eio::protocol_version v{};
    if (!parse_version(req.eio, v))
      return reply(session::error_reply(5, "Unsupported protocol version"));
    if (req.transport != "polling") return reply(session::error_reply(0, "Transport unknown"));
    if (req.sid.empty()) {
      if (req.method != "GET") return reply(session::error_reply(2, "Bad handshake method"));
      auto s = create(v, req.b64);
      s->open(false);
      s->on_poll(reply);
      return;
    }
    auto s = find(req.sid);
    if (!s) return reply(session::error_reply(1, "Session ID unknown"));
    if (req.method == "GET") return s->on_poll(reply);
    if (req.method == "POST") return reply(s->on_post(req.content_type, req.body));
    reply(session::error_reply(3, "Bad request"));
  }

  /// Checks a WebSocket upgrade request before the I/O layer accepts it: nullopt when it may
  /// go ahead, else the HTTP answer to refuse it with.
  std::optional<http_reply> check_websocket(const http_request& req) const {
    eio::protocol_version v{};
    if (!parse_version(req.eio, v)) return session::error_reply(5, "Unsupported protocol version");
    if (req.transport != "websocket") return session::error_reply(3, "Bad request");
    if (req.sid.empty()) return std::nullopt;
    auto it = sessions_.find(std::string(req.sid));
    if (it == sessions_.end()) return session::error_reply(1, "Session ID unknown");
    if (it->second->current_state() != session::state::polling) {
      return session::error_reply(3, "Bad request");
    }
    return std::nullopt;
  }

  /// An accepted WebSocket: a new WebSocket-only session (no sid), or an upgrade candidate.
  void attach_websocket(const http_request& req, const std::shared_ptr<ws_link>& link) {
    eio::protocol_version v{};
    if (check_websocket(req) || !parse_version(req.eio, v)) {
      link->close(ws_close_protocol_error);  // the session changed while the link was accepted
      return;
    }
    if (req.sid.empty()) {
      auto s = create(v, false);
      s->attach(link, false);
      s->open(true);
      return;
    }
    find(req.sid)->attach(link, true);
  }

  std::size_t session_count() const { return sessions_.size(); }

 private:
  static bool parse_version(std::string_view eio, eio::protocol_version& v) {
    if (eio == "4") {
      v = eio::protocol_version::v4;
    } else if (eio == "3") {
      v = eio::protocol_version::v3;
    } else {
      return false;
    }
    return true;
  }

  std::shared_ptr<session> find(std::string_view sid) const {
    auto it = sessions_.find(std::string(sid));
    return it == sessions_.end() ? nullptr : it->second;
  }

  // 20 characters of the base64url alphabet, like the reference's base64id: 120 random bits.
  std::string new_sid() {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string sid;
    do {
      sid.clear();
      for (int i = 0; i < 20; ++i) sid += alphabet[rng_() % 64];
    } while (sessions_.count(sid) != 0);
    return sid;
  }

  std::shared_ptr<session> create(eio::protocol_version v, bool b64) {
    session::events ev;
    ev.upgraded = [this](const session& s) { on_upgrade(s); };
    ev.gone = [this](const std::string& sid) { sessions_.erase(sid); };
    auto s = std::make_shared<session>(io_, new_sid(), v, b64, opts_, handler_, std::move(ev));
    sessions_.emplace(s->sid(), s);
    return s;
  }

  boost::asio::io_context& io_;
  server_options opts_;
  session_handler& handler_;
  std::mt19937_64 rng_;
  std::map<std::string, std::shared_ptr<session>> sessions_;
};

}  // namespace demo

#endif  // SIOCODEC_EXAMPLES_SERVER_ENGINEIO_SERVER_HPP
