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

}  // namespace engineio
SIOCODEC_END_NAMESPACE

// The member definitions, apart so that this file reads as the engine's documentation.
#include <siocodec/engineio/impl/server.hpp>

#endif  // SIOCODEC_ENGINEIO_SERVER_HPP
