// SPDX-License-Identifier: BSL-1.0
// The Engine.IO server engine: one session (one sid) as a sans-I/O state machine.
//
// A server_session is a value that is fed and drained (engine_types.hpp, docs/engines.md): the
// caller's HTTP and WebSocket layer hands it what arrived (a long-poll GET, a POST body, a
// WebSocket message, a WebSocket that opened or closed) with the time, and drains what it must
// do (poll_transmit: answer the held GET, answer the POST, send on the WebSocket, close the
// WebSocket) and what the application sees (poll_event: open, message, upgrade, close). It never
// reads a clock, starts a timer or opens a socket: next_deadline() says when handle_timeout()
// is due. The routing of requests to sessions (query parsing, the reference's error answers, sid
// generation) is in request.hpp.
//
// The behaviour is engine.io 6.6.12's (build/socket.js, server.js, transports/polling.js,
// transports/websocket.js); the comments quote it where it matters and say why where this engine
// departs from it (always towards a session that ends instead of one that hangs).
//
// Transmits are answered in order: every answer_get answers the oldest GET handed to
// handle_get() that is not answered yet (there are two only in the overlap case, see
// handle_get()); every answer_post answers the POST of the handle_post() call that produced it.
// At most one WebSocket is attached at a time (the WebSocket-only session's, the upgraded one, or
// the upgrade probe), so ws_send and ws_close need no name.
#ifndef SIOCODEC_ENGINEIO_SERVER_HPP
#define SIOCODEC_ENGINEIO_SERVER_HPP

#include <siocodec/config.hpp>
#include <siocodec/engineio/decode.hpp>
#include <siocodec/engineio/encode.hpp>
#include <siocodec/engineio/engine_types.hpp>
#include <siocodec/engineio/frames.hpp>
#include <siocodec/engineio/handshake.hpp>
#include <siocodec/engineio/packet.hpp>
#include <siocodec/engineio/payload_encode.hpp>
#include <siocodec/engineio/payload_reader.hpp>
#include <siocodec/error.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

SIOCODEC_BEGIN_NAMESPACE
namespace engineio {

/// Options of a server_session. The defaults are the reference server's.
struct server_options {
  /// Milliseconds between the server's pings (v4) or the client's (v3): pingInterval.
  std::uint32_t ping_interval = 25000;
  /// Milliseconds the pong (v4) or the next ping (v3, on top of ping_interval) may take.
  std::uint32_t ping_timeout = 20000;
  /// Milliseconds an upgrade probe WebSocket has to send `5` before it is dropped.
  std::uint32_t upgrade_timeout = 10000;
  /// maxHttpBufferSize: the largest POST body or WebSocket message accepted, advertised to the
  /// client as maxPayload.
  std::size_t max_payload = SIOCODEC_DEFAULT_MAX_PAYLOAD;
  /// Offer the upgrade to WebSocket in the open packet of a polling session (allowUpgrades).
  bool allow_upgrades = true;
  /// How `b` (base64) packets of POST bodies are checked: lax accepts what Node's Buffer.from
  /// accepts, as the reference does.
  base64::mode base64 = base64::mode::lax;
  /// Packets and bytes the session may hold for the client: packets waiting for a long-poll GET,
  /// ws_send transmits not yet drained, and events earlier calls left undrained (the
  /// messages of one POST body or WebSocket message are bounded by max_payload and the decode
  /// limits, and taken whole as the reference does). Going over closes the session
  /// (close_reason::queue_full). The reference has no such bound; without one, a client
  /// that never reads grows the server without limit.
  std::size_t max_queued_messages = SIOCODEC_DEFAULT_ENGINE_MAX_QUEUED_MESSAGES;
  std::size_t max_queued_bytes = SIOCODEC_DEFAULT_ENGINE_MAX_QUEUED_BYTES;
  /// Milliseconds close() waits, on polling with no GET held, for the GET that carries the
  /// close packet (the reference's Polling.closeTimeout).
  std::uint32_t close_timeout = 30000;
  /// Capacity a drained buffer (queued packets, transmits, events) may keep: above it, the
  /// storage a large message grew is released once the buffer is empty, so that an idle session
  /// does not hold its largest message for ever. Within it, capacity is kept (the steady state
  /// allocates nothing).
  std::size_t max_retained_bytes = SIOCODEC_DEFAULT_MAX_RETAINED_BYTES;
};

/// What the caller's transport layer must do.
enum class server_action : std::uint8_t {
  answer_get,   ///< answer the oldest unanswered GET: status, content_type, body
  answer_post,  ///< answer the POST: status, content_type, body ("ok", or the error)
  ws_send,      ///< send body on the session's WebSocket (the upgraded one, the probe, ws-only)
  ws_close,     ///< close that WebSocket (after what was sent on it)
};

/// One transmit. A view: content_type and body point into the session (or static strings) and
/// stay valid until the next non-const call on the session other than poll_event().
struct server_transmit {
  server_action action = server_action::ws_send;
  /// answer_get, answer_post: the HTTP status.
  unsigned status = 200;
  /// answer_get, answer_post: the Content-Type header; empty means none (the reference's 400
  /// and 413 answers have none).
  std::string_view content_type;
  /// answer_get, answer_post: the body (kind binary: a v3 binary payload). ws_send: one
  /// WebSocket message, kind is its opcode.
  frame body;
};

/// One Engine.IO session on the server. See the file comment.
///
/// Errors never throw: what the client does wrong ends the session with a close event; what the
/// application does wrong is a returned errc (send) or ignored (calls after the end).
class server_session {
 public:
  /// A new session: queues the open packet (sid, upgrades ["websocket"] for a polling session
  /// when allow_upgrades, pingInterval, pingTimeout, maxPayload), emits the open event and starts
  /// the heartbeat. `initial` polling: the caller then passes the handshake GET itself to
  /// handle_get(), which is answered with the open packet. `initial` websocket: the open packet
  /// is the first ws_send. `supports_binary`: false for a v3 client that sent b64=1 (its polling
  /// bodies are then always text). A sid the open packet cannot carry without escapes (empty,
  /// a control character, `"`, `\`, not UTF-8; make_sid() makes good ones), or an option the
  /// handshake cannot carry (an interval of 0 or above 2^31 - 1, max_payload 0), ends the
  /// session at once: its only event is a close event with error invalid_argument. So do
  /// queue limits too small for the open packet (close_reason::queue_full).
  server_session(const server_options& opts, std::string_view sid, protocol_version version,
                 transport_kind initial, bool supports_binary, millis now);

  /// A long-poll GET for this sid arrived. Answered at once (answer_get) when packets are
  /// queued, or during an upgrade (a noop), else held until something is sent. A second GET
  /// while one is held ends the session as the reference does (transport error: the held GET is
  /// answered with a close packet, the new one with 400 and no body). On a session that is on
  /// WebSocket: answered 400 Bad request, as the reference's verify() (transport mismatch).
  void handle_get(millis now);
  /// The held GET's connection went away before it was answered: the reference ends the
  /// session ("poll connection closed prematurely": transport error). No answer is sent.
  void handle_get_aborted(millis now);
  /// A POST with `body` (kind binary: sent as application/octet-stream) arrived. Always
  /// answered (answer_post): 200 "ok", also when the body ends the session (a malformed body:
  /// parse error; a packet the heartbeat does not allow: transport error), as the reference;
  /// 413 when the body is over max_payload (the session stays); 400 without a body for a
  /// binary body on v4 (transport error); 400 Bad request when the session is on WebSocket.
  /// The body is copied as needed.
  void handle_post(frame_kind body_kind, std::string_view body, millis now);
  /// A WebSocket with this sid connected: on a polling session, the upgrade probe. Ignored when
  /// a WebSocket is already attached (the caller closes the new one: the reference does;
  /// accepts_websocket() tells beforehand); closed at once (ws_close) while the session closes.
  void handle_ws_open(millis now);
  /// A WebSocket message on the attached WebSocket (the probe during an upgrade).
  void handle_ws_message(frame_kind kind, std::string_view bytes, millis now);
  /// The attached WebSocket closed, cleanly (`error` false: transport close) or not (transport
  /// error). A probe that closes only ends the upgrade.
  void handle_ws_closed(millis now, bool error);
  /// Runs what is due: pings, the ping timeout, the upgrade timeout, the close timeout. Early
  /// calls do nothing.
  void handle_timeout(millis now);
  /// When handle_timeout() is due next: never before the last `now` seen; no_deadline once
  /// closed.
  millis next_deadline() const noexcept;

  /// Queues one message packet (text, binary or base64, as engineio::encode() takes it).
  /// Errors: invalid_argument (not a message, or a packet the transport cannot carry: a v4 text
  /// with the 0x1E separator on polling, v3 text that is not UTF-8 on polling, base64 data
  /// strict base64 rejects), invalid_state (the session is closing or closed), queue_full (over
  /// max_queued_messages / max_queued_bytes: the session closes with queue_full).
  errc send(const packet_view& message, millis now);
  /// Ends the session (forced close). WebSocket: ws_close, as the reference (no close packet).
  /// Polling: the held GET, or else the next GET within close_timeout, carries the queued
  /// packets and a close packet; the close event comes then (or at the close timeout).
  void close(millis now);

  /// The next event, or nothing. After the close event, nothing more.
  std::optional<event> poll_event();
  /// The next transmit, or nothing.
  std::optional<server_transmit> poll_transmit();

  /// True until the close event has been queued.
  bool is_open() const noexcept { return state_ != state::closed; }
  /// The transport in use (polling until an upgrade completes).
  transport_kind transport() const noexcept { return transport_; }
  std::string_view sid() const noexcept { return sid_; }
  protocol_version version() const noexcept { return version_; }

  // --- Beyond the pinned API -------------------------------------------------------------------
  /// True when handle_ws_open() would take a WebSocket as the upgrade probe (an open polling
  /// session with no WebSocket attached): the reference refuses a second one (closes it).
  bool accepts_websocket() const noexcept {
    return state_ == state::open && transport_ == transport_kind::polling && probe_ == probe::none;
  }
  /// A probe WebSocket is attached (handle_ws_open() on a polling session, no `5` yet).
  bool upgrading() const noexcept { return probe_ != probe::none; }
  /// A long-poll GET is held.
  bool holds_get() const noexcept { return held_get_; }
  /// What the session holds for the client: queued packets plus undrained ws_send transmits.
  std::size_t queued_messages() const noexcept { return out_.size() + tx_ws_messages_; }
  std::size_t queued_bytes() const noexcept { return out_bytes_ + tx_ws_bytes_; }
  const server_options& options() const noexcept { return opts_; }
  /// Bytes of storage the session's buffers hold (their capacity): what an idle session keeps,
  /// at most about max_retained_bytes per buffer once drained.
  std::size_t retained_capacity() const noexcept {
    return out_.capacity() * sizeof(out_packet) + out_data_.capacity() +
           views_.capacity() * sizeof(packet_view) + tx_.capacity() * sizeof(tx_record) +
           tx_data_.capacity() + ev_.capacity() * sizeof(ev_record) + ev_data_.capacity();
  }

 private:
  enum class state : std::uint8_t { open, closing, closed };
  enum class probe : std::uint8_t { none, opened, probed };  // probed: `2probe` answered
  // How finish() ends the transport: the close packet to a held GET (the reference's
  // Polling.doClose while writable), a noop (the client's own close packet: Polling.onClose),
  // or nothing (the held GET or the WebSocket is already gone).
  enum class held_answer : std::uint8_t { close_packet, noop, none };

  struct out_packet {
    packet_type type;
    data_kind kind;
    std::size_t off, len;  // in out_data_
  };
  struct tx_record {
    server_action action;
    unsigned status;
    std::string_view content_type;  // static strings only
    frame_kind kind;
    std::size_t off, len;  // in tx_data_
    bool ping = false;     // carries the outstanding ping (a pong counts once it is polled)
  };
  struct ev_record {
    event_kind kind;
    data_kind data;
    bool invalid_utf8;
    transport_kind transport;
    close_reason reason;
    errc error;
    std::size_t offset;
    std::size_t off, len;  // in ev_data_
  };

  static constexpr std::string_view text_plain = "text/plain; charset=UTF-8";
  static constexpr std::string_view octet_stream = "application/octet-stream";
  static constexpr std::string_view text_html = "text/html";
  static constexpr std::string_view app_json = "application/json";
  static constexpr std::string_view bad_request_body = "{\"code\":3,\"message\":\"Bad request\"}";

  millis advance(millis now) noexcept {
    if (now > last_now_) last_now_ = now;
    return last_now_;
  }
  encode_options encode_opts() const noexcept {
    encode_options eo;
    eo.version = version_;
    eo.supports_binary = transport_ == transport_kind::websocket || supports_binary_;
    return eo;
  }
  // What `p` weighs in queued_bytes(): its size as a WebSocket message (over WebSocket,
  // binary always goes as binary), on either transport.
  std::size_t ws_cost(const packet_view& p) const noexcept {
    const auto n = encoded_size(p, encode_options{version_, true});
    return n ? *n : p.data.size() + 2;
  }
  static millis after(millis now, std::uint64_t ms) noexcept {
    return ms > no_deadline - now ? no_deadline : now + ms;
  }

  void compact();
  void push_tx(server_action a, unsigned status, std::string_view ctype, frame_kind kind,
               std::string_view body);
  void push_ws(const packet_view& p);
  void push_event(event_kind k, const packet_view* p = nullptr);
  bool enqueue(const packet_view& p);
  bool fits(const packet_view& p) const noexcept;
  void answer_held_get();
  void flush();
  void process(const packet_view& p, millis now);
  void on_probe_packet(const packet_view& p, millis now);
  void finish(close_reason r, errc e, std::size_t offset, held_answer held, bool ws_alive);
  void drop_ws_transmits();
  void trim_tx() noexcept;
  void trim_ev() noexcept;
  void trim_out() noexcept;
  void begin_input() noexcept;

  server_options opts_;
  std::string sid_;
  protocol_version version_;
  bool supports_binary_;
  decode_options decode_opts_;
  transport_kind transport_;
  state state_ = state::open;
  probe probe_ = probe::none;
  bool ws_attached_ = false;  // the session's WebSocket (ws-only or upgraded) is open
  bool held_get_ = false;
  millis last_now_;

  // Heartbeat. v4: ping at ping_due_, then a pong is due at pong_deadline_ (awaiting_pong_),
  // refreshed once by another packet. v3: the next ping is due at v3_deadline_.
  millis ping_due_ = no_deadline;
  millis pong_deadline_ = no_deadline;
  bool awaiting_pong_ = false;
  bool refreshed_ = false;
  // The outstanding ping has been handed to the transport (its transmit was polled). A pong
  // counts only then: the reference takes any pong, so a polling client that never GETs and
  // POSTs `3` would keep its session for ever.
  bool ping_delivered_ = false;
  millis v3_deadline_ = no_deadline;
  millis upgrade_deadline_ = no_deadline;
  millis close_deadline_ = no_deadline;

  // The packets waiting for a GET (polling), their data in one buffer.
  std::vector<out_packet> out_;
  std::string out_data_;
  // The queued packets counted as WebSocket messages (their encoded size, at least their data):
  // what they weigh after an upgrade moves them to the WebSocket, so that the move never takes
  // the session over max_queued_bytes.
  std::size_t out_bytes_ = 0;
  std::vector<packet_view> views_;  // scratch for encode_payload
  // Transmits and events not yet drained, their bytes in one buffer each (capacity is kept:
  // the steady state allocates nothing).
  std::vector<tx_record> tx_;
  std::size_t tx_head_ = 0;
  std::string tx_data_;
  std::size_t tx_ws_messages_ = 0, tx_ws_bytes_ = 0;  // undrained ws_send transmits
  std::vector<ev_record> ev_;
  std::size_t ev_head_ = 0;
  std::string ev_data_;
  std::size_t ev_bytes_ = 0;  // undrained event data
  // The events left undrained by earlier calls, counted at the start of an input: the events of
  // one input are bounded by the decode limits already (max_packets, max_payload).
  std::size_t ev_carried_ = 0, ev_carried_bytes_ = 0;
  std::uint32_t ping_interval_, ping_timeout_;
};

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

inline server_session::server_session(const server_options& opts, std::string_view sid,
                                      protocol_version version, transport_kind initial,
                                      bool supports_binary, millis now)
    : opts_(opts),
      sid_(sid),
      version_(version == protocol_version::v3 ? protocol_version::v3 : protocol_version::v4),
      supports_binary_(supports_binary),
      transport_(initial == transport_kind::websocket ? transport_kind::websocket
                                                      : transport_kind::polling),
      ws_attached_(transport_ == transport_kind::websocket),
      last_now_(now),
      ping_interval_(opts.ping_interval),
      ping_timeout_(opts.ping_timeout) {
  decode_opts_.version = version_;
  decode_opts_.base64 = opts_.base64;
  decode_opts_.max_payload = opts_.max_payload;
  handshake hs;
  hs.sid = sid_;
  // socket.js getAvailableUpgrades(): server.upgrades(transport.name) is [] unless
  // allowUpgrades, and only polling upgrades (to websocket).
  hs.upgrades = (transport_ == transport_kind::polling && opts_.allow_upgrades)
                    ? std::uint8_t{transport_websocket}
                    : std::uint8_t{0};
  hs.ping_interval = opts_.ping_interval;
  hs.ping_timeout = opts_.ping_timeout;
  hs.max_payload = opts_.max_payload;
  std::string json;
  if (!encode_handshake(hs, json)) {
    state_ = state::closed;
    ev_record r{};
    r.kind = event_kind::close;
    r.reason = close_reason::forced_close;
    r.error = errc::invalid_argument;
    r.transport = transport_;
    ev_.push_back(r);
    return;
  }
  if (json.size() + 1 > opts_.max_queued_bytes || opts_.max_queued_messages == 0) {
    // Limits too small for the open packet itself.
    finish(close_reason::queue_full, errc::queue_full, 0, held_answer::none, true);
    return;
  }
  // socket.js onOpen(): sendPacket("open", ...), emit("open"), then the heartbeat.
  const packet_view open = packet_view::text(packet_type::open, json);
  if (transport_ == transport_kind::websocket) {
    push_ws(open);
  } else {
    out_.push_back({packet_type::open, data_kind::text, 0, json.size()});
    out_data_ = json;
    out_bytes_ = json.size() + 1;
  }
  push_event(event_kind::open);
  if (version_ == protocol_version::v3) {
    // "in protocol v3, the client sends a ping, and the server answers with a pong":
    // resetPingTimeout() with pingInterval + pingTimeout.
    v3_deadline_ = after(now, std::uint64_t{ping_interval_} + ping_timeout_);
  } else {
    ping_due_ = after(now, ping_interval_);  // schedulePing()
  }
}

inline void server_session::compact() {
  if ((tx_head_ | ev_head_) == 0) return;
  if (tx_head_ != 0) {
    if (tx_head_ == tx_.size()) {
      trim_tx();
    } else {
      const std::size_t base = tx_[tx_head_].off;
      tx_.erase(tx_.begin(), tx_.begin() + static_cast<std::ptrdiff_t>(tx_head_));
      tx_data_.erase(0, base);
      for (tx_record& r : tx_) r.off -= base;
    }
    tx_head_ = 0;
  }
  if (ev_head_ != 0) {
    if (ev_head_ == ev_.size()) {
      trim_ev();
    } else {
      const std::size_t base = ev_[ev_head_].off;
      ev_.erase(ev_.begin(), ev_.begin() + static_cast<std::ptrdiff_t>(ev_head_));
      ev_data_.erase(0, base);
      for (ev_record& r : ev_) r.off -= base;
    }
    ev_head_ = 0;
  }
}

inline void server_session::trim_tx() noexcept {
  tx_.clear();
  tx_data_.clear();
  detail::release_if_over(tx_, opts_.max_retained_bytes);
  detail::release_if_over(tx_data_, opts_.max_retained_bytes);
}

inline void server_session::trim_ev() noexcept {
  ev_.clear();
  ev_data_.clear();
  detail::release_if_over(ev_, opts_.max_retained_bytes);
  detail::release_if_over(ev_data_, opts_.max_retained_bytes);
}

inline void server_session::trim_out() noexcept {
  out_.clear();
  out_data_.clear();
  out_bytes_ = 0;
  views_.clear();
  detail::release_if_over(out_, opts_.max_retained_bytes);
  detail::release_if_over(out_data_, opts_.max_retained_bytes);
  detail::release_if_over(views_, opts_.max_retained_bytes);
}

inline void server_session::begin_input() noexcept {
  ev_carried_ = ev_.size() - ev_head_;
  ev_carried_bytes_ = ev_bytes_;
}

inline void server_session::push_tx(server_action a, unsigned status, std::string_view ctype,
                                    frame_kind kind, std::string_view body) {
  const std::size_t off = tx_data_.size();
  tx_data_.append(body.data(), body.size());
  tx_.push_back({a, status, ctype, kind, off, body.size()});
}

// One packet as one WebSocket message (the reference's WebSocket.send: encodePacket each).
inline void server_session::push_ws(const packet_view& p) {
  const encode_options eo = encode_opts();
  const std::size_t off = tx_data_.size();
  const auto n = encode(p, tx_data_, eo);
  if (!n) return;  // validated by the callers: the session's own packets always encode
  tx_.push_back({server_action::ws_send,
                 0,
                 {},
                 encoded_frame_kind(p, eo),
                 off,
                 *n,
                 p.type == packet_type::ping});
  ++tx_ws_messages_;
  tx_ws_bytes_ += *n;
}

inline void server_session::push_event(event_kind k, const packet_view* p) {
  ev_record r{};
  r.kind = k;
  r.transport = transport_;
  r.off = ev_data_.size();
  if (p != nullptr) {
    r.data = p->kind;
    r.invalid_utf8 = p->has_invalid_utf8;
    r.len = p->data.size();
    ev_data_.append(p->data.data(), p->data.size());
    ev_bytes_ += p->data.size();
  }
  ev_.push_back(r);
}

// The write buffer: over WebSocket every packet goes out at once; on polling it waits for a
// GET. False when the session closed (queue_full).
inline bool server_session::enqueue(const packet_view& p) {
  const bool ws = transport_ == transport_kind::websocket;
  if (ws && (state_ != state::open || !ws_attached_)) return true;
  if (!fits(p)) {
    finish(close_reason::queue_full, errc::queue_full, 0, held_answer::close_packet, true);
    return false;
  }
  if (ws) {
    push_ws(p);
    return true;
  }
  out_bytes_ += ws_cost(p);
  out_.push_back({p.type, p.kind, out_data_.size(), p.data.size()});
  out_data_.append(p.data.data(), p.data.size());
  flush();
  return true;
}

// Whether `p` may join what the session holds for the client (queued_messages/bytes).
inline bool server_session::fits(const packet_view& p) const noexcept {
  const std::size_t cost = ws_cost(p);
  const std::size_t held = queued_bytes();
  return queued_messages() < opts_.max_queued_messages && cost <= opts_.max_queued_bytes &&
         held <= opts_.max_queued_bytes - cost;
}

// Answers the held GET with everything queued (the reference's Polling.send: one payload).
inline void server_session::answer_held_get() {
  views_.clear();
  for (const out_packet& o : out_) {
    views_.push_back({o.type, o.kind, std::string_view(out_data_).substr(o.off, o.len)});
  }
  encode_options eo = encode_opts();
  const std::size_t off = tx_data_.size();
  auto n = encode_payload(views_.data(), views_.size(), tx_data_, eo);
  frame_kind kind = payload_frame_kind(views_.data(), views_.size(), eo);
  if (!n) {
    // Cannot happen: send() checks every message against this encoder. Answer a noop rather
    // than leave the GET hanging.
    tx_data_.resize(off);
    const packet_view noop = packet_view::text(packet_type::noop);
    n = encode_payload(&noop, 1, tx_data_, eo);
    kind = frame_kind::text;
  }
  // polling.js doWrite(): "text/plain; charset=UTF-8" for a string, else
  // "application/octet-stream" (a v3 binary payload).
  bool ping = false;
  for (const out_packet& o : out_) ping |= o.type == packet_type::ping;
  tx_.push_back({server_action::answer_get, 200,
                 kind == frame_kind::binary ? octet_stream : text_plain, kind, off,
                 n ? *n : std::size_t{0}, ping});
  trim_out();
  held_get_ = false;
}

inline void server_session::flush() {
  if (held_get_ && !out_.empty() && transport_ == transport_kind::polling) answer_held_get();
}

inline void server_session::handle_get(millis now) {
  now = advance(now);
  compact();
  if (state_ == state::closed) return;
  if (transport_ == transport_kind::websocket) {
    // server.js verify(): "bad request: unexpected transport without upgrade".
    push_tx(server_action::answer_get, 400, app_json, frame_kind::text, bad_request_body);
    return;
  }
  if (held_get_) {
    // polling.js onPollRequest(): if (this.req) { this.onError("overlap from client");
    // res.writeHead(400); res.end(); } — the error closes the socket ("transport error"),
    // whose clearTransport() closes the polling transport while writable: the held GET gets
    // the close packet; then the new GET gets 400 without a body.
    finish(close_reason::transport_error, errc::unexpected_packet, 0, held_answer::close_packet,
           true);
    push_tx(server_action::answer_get, 400, {}, frame_kind::text, {});
    return;
  }
  held_get_ = true;
  if (state_ == state::closing) {
    // polling.js: onPollRequest() with shouldClose set sends [noop] with the close packet
    // appended ("6\x1e1"). Packets queued before close() go in the same answer (the reference
    // sends them one GET earlier, then the close packet on the next).
    if (out_.empty()) out_.push_back({packet_type::noop, data_kind::text, 0, 0});
    out_.push_back({packet_type::close, data_kind::text, out_data_.size(), 0});
    answer_held_get();
    finish(close_reason::forced_close, errc::none, 0, held_answer::none, true);
    return;
  }
  if (probe_ == probe::probed && out_.empty()) {
    // socket.js _maybeUpgrade(): after `2probe`, a noop every 100 ms while polling is
    // writable, so that the client can pause polling. Without timers: at once.
    out_.push_back({packet_type::noop, data_kind::text, out_data_.size(), 0});
  }
  flush();
}

inline void server_session::handle_get_aborted(millis now) {
  now = advance(now);
  compact();
  if (state_ == state::closed || !held_get_) return;
  held_get_ = false;
  // polling.js: req.on("close", () => this.onError("poll connection closed prematurely")).
  finish(close_reason::transport_error, errc::none, 0, held_answer::none, true);
}

inline void server_session::handle_post(frame_kind body_kind, std::string_view body, millis now) {
  now = advance(now);
  compact();
  if (state_ == state::closed) return;
  if (transport_ == transport_kind::websocket) {
    push_tx(server_action::answer_post, 400, app_json, frame_kind::text, bad_request_body);
    return;
  }
  if (body_kind == frame_kind::binary && version_ == protocol_version::v4) {
    // polling.js onDataRequest(): if (isBinary && this.protocol === 4) { this.onError("invalid
    // content"); return res.writeHead(400).end(); }
    finish(close_reason::transport_error, errc::unexpected_binary_frame, 0,
           held_answer::close_packet, true);
    push_tx(server_action::answer_post, 400, {}, frame_kind::text, {});
    return;
  }
  if (body.size() > opts_.max_payload) {
    // polling.js onData(): contentLength > maxHttpBufferSize -> res.writeHead(413).end(); the
    // session stays.
    push_tx(server_action::answer_post, 413, {}, frame_kind::text, {});
    return;
  }
  begin_input();
  payload_reader reader(body, body_kind, decode_opts_);
  packet_view p;
  while (state_ != state::closed && reader.next(p)) {
    if (p.type == packet_type::close) {
      // polling.js onData(): a close packet ends the transport (Polling.onClose: a noop to the
      // held GET), and so the socket ("transport close"). The POST is answered "ok".
      finish(close_reason::transport_close, errc::none, 0, held_answer::noop, true);
      break;
    }
    process(p, now);
  }
  // Read once, outside the branch: g++ 12 at -O3 warns (a false -Wdangling-pointer) when these
  // calls are inlined into the finish() call below.
  const errc error = reader.error();
  const std::size_t error_at = reader.offset();
  if (state_ == state::open && error != errc::none) {  // closing: ignored, as onPacket
    // decodePayload() yields an "error" packet: socket.onPacket -> onClose("parse error").
    finish(close_reason::parse_error, error, error_at, held_answer::close_packet, true);
  }
  // The socket may have closed on this body (a parse error, a ping in the wrong direction):
  // Polling.doClose() then destroys the data request, yet the reference's answer still goes
  // out, 200 "ok" (checked against engine.io 6.6.12 under node 20).
  // "text/html is required instead of text/plain to avoid an unwanted download dialog".
  push_tx(server_action::answer_post, 200, text_html, frame_kind::text, "ok");
}

// socket.js onPacket(): every packet of the session's transport.
inline void server_session::process(const packet_view& p, millis now) {
  if (state_ != state::open) return;  // "packet received with closed socket"
  if (version_ == protocol_version::v4 && awaiting_pong_ && !refreshed_ &&
      p.type != packet_type::pong) {
    // "got packet while waiting for pong - refreshing ping timeout" (once per ping).
    pong_deadline_ = after(now, ping_timeout_);
    refreshed_ = true;
  }
  switch (p.type) {
    case packet_type::ping:
      if (version_ == protocol_version::v4) {
        finish(close_reason::transport_error, errc::unexpected_packet, 0, held_answer::close_packet,
               true);  // "invalid heartbeat direction"
        return;
      }
      v3_deadline_ = after(now, std::uint64_t{ping_interval_} + ping_timeout_);
      (void)enqueue(packet_view::text(packet_type::pong));
      return;
    case packet_type::pong:
      if (version_ == protocol_version::v3) {
        finish(close_reason::transport_error, errc::unexpected_packet, 0, held_answer::close_packet,
               true);
        return;
      }
      // clearTimeout(pingTimeoutTimer); pingIntervalTimer.refresh(): the next ping comes
      // pingInterval after this pong. The reference takes a pong nobody asked for too, which
      // lets a client that never reads (never GETs) keep its session with blind `3`s; here a
      // pong counts only for a ping handed to the transport, others are ignored.
      if (!awaiting_pong_ || !ping_delivered_) return;
      awaiting_pong_ = false;
      pong_deadline_ = no_deadline;
      ping_due_ = after(now, ping_interval_);
      return;
    case packet_type::message:
      // What the caller left undrained before this input, plus this message: a body of many
      // messages (bounded by the decode limits) is taken whole, as the reference does.
      if (ev_carried_ + 1 > opts_.max_queued_messages || p.data.size() > opts_.max_queued_bytes ||
          ev_carried_bytes_ > opts_.max_queued_bytes - p.data.size()) {
        finish(close_reason::queue_full, errc::queue_full, 0, held_answer::close_packet, true);
        return;
      }
      push_event(event_kind::message, &p);
      return;
    case packet_type::open:
    case packet_type::close:  // over WebSocket: socket.onPacket has no case for it (ignored;
                              // the client closes its WebSocket next: transport close)
    case packet_type::upgrade:
    case packet_type::noop: return;
  }
}

inline void server_session::handle_ws_open(millis now) {
  now = advance(now);
  compact();
  if (state_ == state::closed) return;
  if (ws_attached_ || probe_ != probe::none) return;  // documented: the caller closes it
  if (state_ == state::closing) {
    push_tx(server_action::ws_close, 0, {}, frame_kind::text, {});
    return;
  }
  // server.js onWebSocket() -> socket._maybeUpgrade(transport): the upgrade timer starts.
  // (verify() does not check allowUpgrades: the reference takes the probe even then.)
  probe_ = probe::opened;
  upgrade_deadline_ = after(now, opts_.upgrade_timeout);
}

inline void server_session::on_probe_packet(const packet_view& p, millis now) {
  if (p.type == packet_type::ping && p.kind == data_kind::text && p.data == "probe") {
    // transport.send([{ type: "pong", data: "probe" }]), then the noop cycle starts.
    const packet_view pong = packet_view::text(packet_type::pong, "probe");
    if (!fits(pong)) {
      finish(close_reason::queue_full, errc::queue_full, 0, held_answer::close_packet, true);
      return;
    }
    push_ws(pong);
    probe_ = probe::probed;
    if (held_get_ && out_.empty()) {
      out_.push_back({packet_type::noop, data_kind::text, out_data_.size(), 0});
    }
    flush();
    return;
  }
  if (p.type == packet_type::upgrade) {
    // "got upgrade packet - upgrading": the polling transport is discarded and closed (a
    // held GET, writable, gets the close packet: Polling.doClose), the WebSocket takes over,
    // the write buffer is flushed over it.
    if (held_get_) {
      // Only the close packet goes to that GET: the queued packets move to the WebSocket.
      const packet_view close_packet = packet_view::text(packet_type::close);
      const std::size_t off = tx_data_.size();
      const auto n = encode_payload(&close_packet, 1, tx_data_, encode_opts());
      tx_.push_back({server_action::answer_get, 200, text_plain, frame_kind::text, off,
                     n ? *n : std::size_t{0}});
      held_get_ = false;
    }
    probe_ = probe::none;
    upgrade_deadline_ = no_deadline;
    transport_ = transport_kind::websocket;
    ws_attached_ = true;
    // clearTransport() clears the ping timeout, and 6.6.12 then never re-arms it for v3 (the
    // next ping's refresh() finds no timer) nor, for v4, if the pong of an outstanding ping is
    // lost with the old transport: a session that can never time out. Here the timeout that
    // was running starts again over the new transport.
    if (version_ == protocol_version::v3) {
      v3_deadline_ = after(now, std::uint64_t{ping_interval_} + ping_timeout_);
    } else if (awaiting_pong_) {
      pong_deadline_ = after(now, ping_timeout_);
    }
    push_event(event_kind::upgrade);
    for (const out_packet& o : out_) {
      push_ws({o.type, o.kind, std::string_view(out_data_).substr(o.off, o.len)});
    }
    trim_out();
    return;
  }
  // Anything else: cleanup(); transport.close(). The session stays on polling.
  push_tx(server_action::ws_close, 0, {}, frame_kind::text, {});
  probe_ = probe::none;
  upgrade_deadline_ = no_deadline;
}

inline void server_session::handle_ws_message(frame_kind kind, std::string_view bytes, millis now) {
  now = advance(now);
  compact();
  if (state_ == state::closed) return;
  begin_input();
  const auto r = decode(bytes, kind, decode_opts_);
  if (probe_ != probe::none) {
    if (!r) {
      // The probe's error (a parse error, or the ws library's maxPayload): onError ->
      // cleanup(); transport.close(). The session stays.
      push_tx(server_action::ws_close, 0, {}, frame_kind::text, {});
      probe_ = probe::none;
      upgrade_deadline_ = no_deadline;
      return;
    }
    on_probe_packet(*r, now);
    return;
  }
  if (!ws_attached_) return;
  if (!r) {
    if (r.error() == errc::payload_too_large) {
      // ws closes with 1009 and emits "error": transport error.
      finish(close_reason::transport_error, r.error(), r.offset(), held_answer::none, true);
    } else {
      // decodePacket() -> { type: "error" } -> onClose("parse error").
      finish(close_reason::parse_error, r.error(), r.offset(), held_answer::none, true);
    }
    return;
  }
  process(*r, now);
}

inline void server_session::handle_ws_closed(millis now, bool error) {
  now = advance(now);
  compact();
  if (state_ == state::closed) return;
  if (probe_ != probe::none) {
    // onTransportClose / onError: the upgrade is over, the session stays on polling.
    probe_ = probe::none;
    upgrade_deadline_ = no_deadline;
    return;
  }
  if (!ws_attached_) return;
  ws_attached_ = false;
  finish(error ? close_reason::transport_error : close_reason::transport_close, errc::none, 0,
         held_answer::none, false);
}

inline void server_session::handle_timeout(millis now) {
  now = advance(now);
  compact();
  if (state_ == state::closed) return;
  if (probe_ != probe::none && now >= upgrade_deadline_) {
    // "client did not complete upgrade - closing transport".
    push_tx(server_action::ws_close, 0, {}, frame_kind::text, {});
    probe_ = probe::none;
    upgrade_deadline_ = no_deadline;
  }
  if (state_ == state::closing && now >= close_deadline_) {
    // Polling closeTimeout: onClose() -> "forced close"; no GET to answer.
    finish(close_reason::forced_close, errc::none, 0, held_answer::none, true);
    return;
  }
  if (version_ == protocol_version::v3) {
    if (now >= v3_deadline_) {
      finish(close_reason::ping_timeout, errc::none, 0, held_answer::close_packet, true);
    }
    return;
  }
  if (awaiting_pong_ && now >= pong_deadline_) {
    finish(close_reason::ping_timeout, errc::none, 0, held_answer::close_packet, true);
    return;
  }
  if (!awaiting_pong_ && now >= ping_due_) {
    // schedulePing()'s timer: sendPacket("ping") (dropped while closing, as sendPacket drops
    // it), resetPingTimeout().
    awaiting_pong_ = true;
    refreshed_ = false;
    ping_delivered_ = false;
    ping_due_ = no_deadline;
    pong_deadline_ = after(now, ping_timeout_);
    if (state_ == state::open) (void)enqueue(packet_view::text(packet_type::ping));
  }
}

inline millis server_session::next_deadline() const noexcept {
  if (state_ == state::closed) return no_deadline;
  millis d = no_deadline;
  auto take = [&d](millis t) {
    if (t < d) d = t;
  };
  if (probe_ != probe::none) take(upgrade_deadline_);
  if (state_ == state::closing) take(close_deadline_);
  if (version_ == protocol_version::v3) {
    take(v3_deadline_);
  } else {
    take(awaiting_pong_ ? pong_deadline_ : ping_due_);
  }
  if (d == no_deadline) return d;
  return d < last_now_ ? last_now_ : d;
}

inline errc server_session::send(const packet_view& message, millis now) {
  now = advance(now);
  compact();
  if (state_ != state::open) return errc::invalid_state;
  if (message.type != packet_type::message) return errc::invalid_argument;
  if (message.kind != data_kind::text && message.kind != data_kind::binary &&
      message.kind != data_kind::base64) {
    return errc::invalid_argument;
  }
  const encode_options eo = encode_opts();
  if (transport_ == transport_kind::websocket) {
    // The per-message path (what the engine adds to the codec is measured by bench
    // engine_send): a text frame is its type digit and its data (engineio::encode's text form,
    // with nothing to check), written without measuring it twice or zero-filling room first;
    // other kinds are measured once, for the check and the limits (ws_cost is this size).
    const bool text = message.kind == data_kind::text;
    std::size_t n = message.data.size() + 1;
    if (!text) {
      const auto m = encoded_size(message, eo);
      if (!m) return errc::invalid_argument;
      n = *m;
    }
    if (!ws_attached_) return errc::none;  // enqueue(): nothing to send on (the session ends)
    const std::size_t held = queued_bytes();
    if (queued_messages() >= opts_.max_queued_messages || n > opts_.max_queued_bytes ||
        held > opts_.max_queued_bytes - n) {
      finish(close_reason::queue_full, errc::queue_full, 0, held_answer::close_packet, true);
      return errc::queue_full;
    }
    const std::size_t off = tx_data_.size();
    if (text) {
      tx_data_.push_back(detail::type_digit(message.type));
      tx_data_.append(message.data.data(), message.data.size());
    } else {
      (void)encode(message, tx_data_, eo);
    }
    tx_.push_back({server_action::ws_send, 0, {}, encoded_frame_kind(message, eo), off, n});
    ++tx_ws_messages_;
    tx_ws_bytes_ += n;
    return errc::none;
  }
  if (!encoded_payload_size(&message, 1, eo)) return errc::invalid_argument;
  if (!enqueue(message)) return errc::queue_full;
  return errc::none;
}

inline void server_session::close(millis now) {
  now = advance(now);
  compact();
  if (state_ != state::open) return;
  if (transport_ == transport_kind::websocket) {
    // websocket.js doClose(): this.socket.close() — no close packet over WebSocket.
    finish(close_reason::forced_close, errc::none, 0, held_answer::none, true);
    return;
  }
  if (probe_ != probe::none) {
    push_tx(server_action::ws_close, 0, {}, frame_kind::text, {});
    probe_ = probe::none;
    upgrade_deadline_ = no_deadline;
  }
  if (held_get_) {
    // The held GET means an empty write buffer: Polling.doClose() while writable sends the
    // close packet, then "forced close".
    finish(close_reason::forced_close, errc::none, 0, held_answer::close_packet, true);
    return;
  }
  // "transport not writable - buffering orderly close": the next GET carries the close packet.
  state_ = state::closing;
  close_deadline_ = after(now, opts_.close_timeout);
}

inline void server_session::drop_ws_transmits() {
  std::size_t w = tx_head_;
  for (std::size_t i = tx_head_; i < tx_.size(); ++i) {
    if (tx_[i].action != server_action::ws_send) tx_[w++] = tx_[i];
  }
  tx_.resize(w);
  tx_ws_messages_ = 0;
  tx_ws_bytes_ = 0;
}

// socket.js onClose(reason): the end, whatever the reason. The write buffer is dropped, the
// transport closed (clearTransport), a probe closed (its onClose listener), then "close".
inline void server_session::finish(close_reason r, errc e, std::size_t offset, held_answer held,
                                   bool ws_alive) {
  if (state_ == state::closed) return;
  state_ = state::closed;
  trim_out();
  // A client that does not read: what it was sent and did not take goes too.
  if (r == close_reason::queue_full) drop_ws_transmits();
  if (held_get_) {
    held_get_ = false;
    if (held != held_answer::none) {
      const packet_view p =
          packet_view::text(held == held_answer::noop ? packet_type::noop : packet_type::close);
      const std::size_t off = tx_data_.size();
      const auto n = encode_payload(&p, 1, tx_data_, encode_opts());
      tx_.push_back({server_action::answer_get, 200, text_plain, frame_kind::text, off,
                     n ? *n : std::size_t{0}});
    }
  }
  if ((ws_attached_ && ws_alive) || probe_ != probe::none) {
    push_tx(server_action::ws_close, 0, {}, frame_kind::text, {});
  }
  ws_attached_ = false;
  probe_ = probe::none;
  awaiting_pong_ = false;
  ping_due_ = pong_deadline_ = v3_deadline_ = upgrade_deadline_ = close_deadline_ = no_deadline;
  // Events the application has not drained stay; the close event is the last one. Its limit
  // does not apply (it is the one that reports going over).
  ev_record c{};
  c.kind = event_kind::close;
  c.transport = transport_;
  c.reason = r;
  c.error = e;
  c.offset = offset;
  c.off = ev_data_.size();
  ev_.push_back(c);
}

inline std::optional<event> server_session::poll_event() {
  if (ev_head_ == ev_.size()) {
    trim_ev();
    ev_head_ = 0;
    ev_bytes_ = 0;
    return std::nullopt;
  }
  const ev_record& r = ev_[ev_head_++];
  event e;
  e.kind = r.kind;
  e.transport = r.transport;
  e.reason = r.reason;
  e.error = r.error;
  e.offset = r.offset;
  if (r.kind == event_kind::message) {
    e.packet.type = packet_type::message;
    e.packet.kind = r.data;
    e.packet.data = std::string_view(ev_data_).substr(r.off, r.len);
    e.packet.has_invalid_utf8 = r.invalid_utf8;
    ev_bytes_ -= r.len;
  } else if (r.kind == event_kind::open) {
    e.hs.sid = sid_;
    e.hs.upgrades = (r.transport == transport_kind::polling && opts_.allow_upgrades)
                        ? std::uint8_t{transport_websocket}
                        : std::uint8_t{0};
    e.hs.ping_interval = opts_.ping_interval;
    e.hs.ping_timeout = opts_.ping_timeout;
    e.hs.max_payload = opts_.max_payload;
  }
  return e;
}

inline std::optional<server_transmit> server_session::poll_transmit() {
  if (tx_head_ == tx_.size()) {
    trim_tx();
    tx_head_ = 0;
    return std::nullopt;
  }
  const tx_record& r = tx_[tx_head_++];
  if (r.ping) ping_delivered_ = true;
  server_transmit t;
  t.action = r.action;
  t.status = r.status;
  t.content_type = r.content_type;
  t.body.kind = r.kind;
  t.body.data = std::string_view(tx_data_).substr(r.off, r.len);
  if (r.action == server_action::ws_send) {
    --tx_ws_messages_;
    tx_ws_bytes_ -= r.len;
  }
  return t;
}

}  // namespace engineio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_ENGINEIO_SERVER_HPP
