// SPDX-License-Identifier: BSL-1.0
// The Engine.IO client engine: one client session (v4 or v3) as a sans-I/O state machine.
//
// The engine never touches a socket, a clock or a random source. The caller runs the transport
// (HTTP long-polling requests, a WebSocket), tells the engine what happened (handle_*), asks it
// what to do (poll_transmit) and what the application must see (poll_event), and calls
// handle_timeout() at next_deadline(). Behaviour follows the reference client, engine.io-client
// 6.6 (v4) and 3.5 (v3): lib/socket.ts, lib/transport.ts, lib/transports/{polling,websocket}.ts.
// Where it differs, the comment at the place says why.
#ifndef SIOCODEC_ENGINEIO_CLIENT_HPP
#define SIOCODEC_ENGINEIO_CLIENT_HPP

#include <siocodec/config.hpp>
#include <siocodec/detail/rvector.hpp>
#include <siocodec/engineio/decode.hpp>
#include <siocodec/engineio/encode.hpp>
#include <siocodec/engineio/engine_types.hpp>
#include <siocodec/engineio/frames.hpp>
#include <siocodec/engineio/handshake.hpp>
#include <siocodec/engineio/packet.hpp>
#include <siocodec/engineio/payload_encode.hpp>
#include <siocodec/engineio/payload_reader.hpp>
#include <siocodec/error.hpp>
#include <siocodec/memory.hpp>

#include <cstddef>
#include <cstdint>
#include <new>
#include <optional>
#include <string_view>

SIOCODEC_BEGIN_NAMESPACE
namespace engineio {

/// Options of a client session.
struct client_options {
  /// The Engine.IO revision spoken (`EIO=4` or `EIO=3`).
  protocol_version version = protocol_version::v4;
  /// The first transport: polling (engine.io-client's default order, then upgrade) or websocket.
  /// With SIOCODEC_ENGINEIO_TRANSPORTS 1 (config.hpp: WebSocket only) the default is websocket.
  transport_kind initial =
      SIOCODEC_ENGINEIO_TRANSPORTS == 1 ? transport_kind::websocket : transport_kind::polling;
  /// Upgrade polling -> websocket when the handshake offers it (engine.io-client `upgrade`).
  bool upgrade = true;
  /// Engine.IO v3 only: false asks the server for base64 text (`b64=1` in every query, what
  /// engine.io-client's forceBase64 does) and sends binary messages as base64 text (`b4...`),
  /// over polling and over a WebSocket alike.
  bool supports_binary = true;
  /// How the open packet's JSON is checked (lax session ids or not).
  handshake_options handshake;
  /// Limits of what is accepted from the server (max_payload, max_packets...). `version` is
  /// overwritten by the session's.
  decode_options decode;
  /// Most items waiting, counted apart in each direction: messages queued by send() plus
  /// transmits the caller has not polled; message events the caller has not polled in earlier
  /// calls (the events of the input being handled are bounded by `decode` already: max_packets,
  /// max_payload; a polling body is taken whole, as engine.io-client does).
  std::size_t max_queued_messages = SIOCODEC_DEFAULT_ENGINE_MAX_QUEUED_MESSAGES;
  /// Most bytes waiting, counted the same way (message data, transmit bodies, event data).
  std::size_t max_queued_bytes = SIOCODEC_DEFAULT_ENGINE_MAX_QUEUED_BYTES;
  /// Capacity a drained buffer (send queue, transmits, events) may keep: above it, the storage
  /// a large message grew is released at the first call after the buffer was drained (a timer
  /// call at the latest: views stay valid until then), so that an idle session does not hold
  /// its largest message for ever. Within it, capacity is kept (the steady state
  /// allocates nothing).
  std::size_t max_retained_bytes = SIOCODEC_DEFAULT_MAX_RETAINED_BYTES;
  /// Where the session's buffers come from: null (the default) is the global operator new;
  /// a caller's resource (buffer_resource over a static array) makes the engine use that alone.
  /// When the resource has no room, the session closes with reason queue_full and error
  /// out_of_memory (docs/embedded.md: how much a session needs); the transmits that would end
  /// the transport may then be missing, so close the transport on that close event. Must
  /// outlive the client.
  memory_resource* memory = nullptr;
};

/// What a client transmit asks the transport to do.
enum class client_action : std::uint8_t {
  open_websocket,  ///< connect a WebSocket to the Engine.IO path with `query`
  ws_send,         ///< send `body` as one WebSocket message (body.kind = opcode)
  ws_close,        ///< close the WebSocket (after what was sent)
  get,             ///< start a long-poll GET with `query`
  post,            ///< start a POST with `query`, body `body` (kind text: text/plain;charset=UTF-8,
                   ///< binary: application/octet-stream)
};

/// One thing the transport must do. A view: `query` and `body` point into the engine's buffers
/// and stay valid until the next non-const call on the engine other than poll_event().
struct client_transmit {
  client_action action = client_action::get;
  /// open_websocket, get, post: the URL query, e.g. `EIO=4&transport=polling&t=Pk3xQ8aZ&sid=abc`
  /// (append it to the Engine.IO path after `?`).
  std::string_view query;
  /// ws_send, post: the bytes to send (prefix then data, frames.hpp).
  frame body;
};

/// An Engine.IO client session. A single-threaded value; see the file comment for the loop.
///
/// Lifecycle: open() -> the transport's reports -> the `open` event (the handshake) -> messages
/// both ways -> one `close` event. After the close event poll_event() returns nothing, every
/// handle_* call is a no-op and send() returns invalid_state; poll_transmit() still hands out
/// the transmits that close the transport.
///
/// Memory: inputs are copied where kept (the caller may free its buffer when a call returns);
/// outputs are views into buffers the engine reuses, so a session in steady state allocates
/// nothing. What waits is bounded by max_queued_messages / max_queued_bytes: the send queue with
/// the transmits not yet polled, and the events not yet polled; going over either closes the
/// session with queue_full. Every buffer comes from client_options::memory; when it has no room
/// the session closes with reason queue_full and error out_of_memory (in every handle_* call,
/// send(), close(), open(), handle_timeout()).
class client {
 public:
  explicit client(const client_options& opts = {});

  /// Starts the session: the first transmit is the handshake GET (`EIO=4&transport=polling&t=..`,
  /// plus `b64=1` for a v3 client without binary support), or open_websocket
  /// (`EIO=4&transport=websocket`). `random` seeds the `t` cache-buster values.
  /// Errors: invalid_state (already opened, or closed), invalid_argument (options with a version
  /// or transport out of range, or compiled out: an `initial` transport by
  /// SIOCODEC_ENGINEIO_TRANSPORTS, v3 by SIOCODEC_ENGINEIO_V3 0).
  errc open(millis now, std::uint64_t random);

  /// The WebSocket asked for by open_websocket is connected: over websocket-first, the session
  /// waits for the open packet; during an upgrade, the probe `2probe` is sent.
  void handle_ws_open(millis now);
  /// One WebSocket message arrived. The first message of a websocket-first session must be the
  /// open packet. Errors close the session: the decode errors of decode() and parse_handshake(),
  /// unexpected_packet (a packet other than open first, or a second open packet) with reason
  /// parse_error and the offset in `bytes`; queue_full (reason queue_full) when the events not
  /// yet polled would pass the limits.
  void handle_ws_message(frame_kind kind, std::string_view bytes, millis now);
  /// The WebSocket closed cleanly (error false) or failed (true). The live transport: the
  /// session closes (transport_close / transport_error). A probe: the upgrade is abandoned and
  /// polling goes on.
  void handle_ws_closed(millis now, bool error);
  /// The GET in flight was answered 200 with `body` (`body_kind` binary for
  /// application/octet-stream). The first body must start with the open packet. Errors close the
  /// session with reason parse_error and the offset in `body`: the errors of payload_reader,
  /// those of parse_handshake(), unexpected_packet; queue_full (reason queue_full) when the events
  /// earlier calls left unpolled, with the message at hand, would pass the limits (the messages
  /// of one body are bounded by the decode limits only).
  void handle_get_response(frame_kind body_kind, std::string_view body, millis now);
  /// The POST in flight was answered 200.
  void handle_post_response(millis now);
  /// The GET or POST in flight (`request`) failed or was answered with another status: the
  /// session closes with transport_error.
  void handle_http_error(client_action request, millis now);
  /// Runs the heartbeat: v4 closes with ping_timeout when no ping came for pingInterval +
  /// pingTimeout; v3 sends a ping every pingInterval and closes when nothing answered within
  /// pingTimeout. Early calls do nothing.
  void handle_timeout(millis now);
  /// When handle_timeout() must be called next; no_deadline when nothing is timed. Never below
  /// the last `now` seen: every call that takes `now` moves the engine's clock, even one whose
  /// report the state ignores.
  millis next_deadline() const noexcept;

  /// Queues one message packet (text, binary, or base64 text), sent as soon as the transport
  /// allows. Errors: invalid_state (not open, which includes closing: engine.io-client's
  /// _sendPacket drops packets silently then), invalid_argument (not a message packet, or data
  /// the transport in use cannot frame: a v4 polling text holding 0x1E, a v3 polling text that
  /// is not UTF-8, base64 data strict base64 refuses), queue_full (over max_queued_messages or
  /// max_queued_bytes: the session closes with reason queue_full), out_of_memory
  /// (client_options::memory has no room: the session closes, reason queue_full).
  errc send(const packet_view& message, millis now);
  /// Closes the session (the reference's "forced close"): the close event, then the transmits
  /// that end the transport. Websocket: the queued messages, then ws_close (engine.io-client
  /// sends no `1` over a WebSocket). Polling, no POST in flight: one POST with what is queued
  /// and the `1` packet, as engine.io-client's Polling.doClose writes it. Polling with a POST in
  /// flight, or more queued than one POST carries: the session is closing (is_closing()) until
  /// the queue is written, as engine.io-client waits for "drain": each POST answer sends the
  /// next batch, and the answer that leaves nothing queued brings the close event (forced_close)
  /// and a POST with the `1` alone. While closing, send() returns invalid_state, received
  /// packets are handled (a ping re-arms the heartbeat but gets no pong, as in the reference),
  /// and the session still closes at once on a ping timeout, an HTTP error, a `1` from the
  /// server or a parse error, with that reason. An upgrade in progress is abandoned (its
  /// WebSocket closed, polling goes on). A no-op before open(), while closing, and after the
  /// close event.
  void close(millis now);
  /// Makes this client what `client(opts)` would make with the options it was constructed with
  /// (idle: open() starts a new session), in place: every buffer is freed, as when a new client
  /// replaces this one, without a second client to build, move and destroy (for an owner that
  /// opens session after session: socketio::client's reconnection). Views it handed out end.
  /// Errors: none.
  void reset() noexcept;
  /// Closes the session as when its own memory runs out (reason queue_full, error
  /// out_of_memory): for an owner whose memory ran out (socketio::client). A no-op when not live.
  void close_out_of_memory(millis now) {
    tick(now);
    oom_ = true;
    settle();
  }

  /// The next event, or nothing. Its views stay valid until the next non-const call other than
  /// poll_transmit().
  std::optional<event> poll_event();
  /// The next transmit, or nothing.
  std::optional<client_transmit> poll_transmit();

  /// True between the open event and close() (or the close event, whichever comes first).
  bool is_open() const noexcept { return state_ == state::open; }
  /// True between a close() that waits for the POSTs to drain and the close event (see close()).
  bool is_closing() const noexcept { return state_ == state::closing; }
  /// The transport in use (websocket once an upgrade completed).
  transport_kind transport() const noexcept { return transport_; }
  /// The session id, empty until the handshake arrived.
  std::string_view sid() const noexcept { return hs_.sid; }
  protocol_version version() const noexcept { return opts_.version; }
  /// Bytes of storage the engine's buffers hold (their capacity): what an idle session keeps,
  /// at most about max_retained_bytes per buffer once drained.
  std::size_t retained_capacity() const noexcept {
    return q_buf_.capacity() + queue_.capacity() * sizeof(queued) +
           batch_.capacity() * sizeof(packet_view) + tx_query_.capacity() + tx_body_.capacity() +
           tx_.capacity() * sizeof(tx_record) + ev_buf_.capacity() +
           ev_.capacity() * sizeof(ev_record);
  }
  /// The server's handshake (valid once is_open(); its views live as long as the engine).
  const handshake& server_handshake() const noexcept { return hs_; }

 private:
  enum class state : std::uint8_t { idle, opening, open, closing, closed };
  // The one WebSocket a session can have at a time: the live transport (websocket-first, or
  // after the upgrade) or the upgrade's probe.
  enum class ws_state : std::uint8_t { none, connecting, open, closing };
  // The upgrade: none (not started / not offered / failed), probing (open_websocket sent, then
  // `2probe`), pausing (got `3probe`: waiting for the GET and POST in flight), done.
  enum class upgrade_state : std::uint8_t { none, connecting, probing, pausing, done };

  struct queued {
    packet_type type;
    data_kind kind;
    std::size_t off;
    std::size_t len;
  };
  struct tx_record {
    client_action action;
    frame_kind kind;
    bool v3_type_byte;  // body prefixed with the v3 binary type byte
    std::size_t q_off, q_len;
    std::size_t b_off, b_len;
  };
  struct ev_record {
    event_kind kind;
    data_kind data;
    transport_kind transport;
    close_reason reason;
    errc error;
    std::size_t offset;
    std::size_t off, len;  // message data in ev_buf_
  };

  // SIOCODEC_ENGINEIO_TRANSPORTS (config.hpp): the transports compiled in. Every transport test
  // goes through on_polling(), so that with one transport it is a constant and the other
  // transport's code folds away.
  static constexpr bool has_ws = (SIOCODEC_ENGINEIO_TRANSPORTS & 1) != 0;
  static constexpr bool has_polling = (SIOCODEC_ENGINEIO_TRANSPORTS & 2) != 0;
  bool on_polling() const noexcept {
    return has_polling && (!has_ws || transport_ == transport_kind::polling);
  }
  // SIOCODEC_ENGINEIO_V3 (config.hpp): every version test goes through v3(), a constant false
  // when v3 is compiled out.
  bool v3() const noexcept {
    return SIOCODEC_ENGINEIO_V3 != 0 && opts_.version == protocol_version::v3;
  }
  protocol_version wire_version() const noexcept {
    return SIOCODEC_ENGINEIO_V3 != 0 ? opts_.version : protocol_version::v4;
  }

  millis tick(millis now) noexcept {
    if (now > last_now_) last_now_ = now;
    return last_now_;
  }
  bool live() const noexcept {
    return state_ == state::opening || state_ == state::open || state_ == state::closing;
  }
  // Open or closing: the handshake is done and the heartbeat runs.
  bool established() const noexcept { return state_ == state::open || state_ == state::closing; }
  // True when one more item of `bytes` would pass max_queued_messages / max_queued_bytes.
  bool over_limits(std::size_t items, std::size_t held, std::size_t bytes) const noexcept {
    return items >= opts_.max_queued_messages || held > opts_.max_queued_bytes ||
           bytes > opts_.max_queued_bytes - held;
  }
  bool base64_only() const noexcept { return v3() && !opts_.supports_binary; }
  encode_options ws_encoding() const noexcept { return {wire_version(), !base64_only()}; }
  encode_options poll_encoding() const noexcept { return {wire_version(), opts_.supports_binary}; }

  void begin_call();
  void push_tx(client_action a, std::size_t q_off, std::size_t q_len, frame_kind kind,
               std::size_t b_off, std::size_t b_len, bool v3_type_byte = false);
  void push_ws_text(std::string_view text);
  std::size_t build_query(transport_kind t);
  void start_get();
  void push_event(event_kind k);
  void close_with(close_reason reason, errc e, std::size_t offset, bool transport_gone = false);
  void run_timers(millis now);
  void queue_control(packet_type t);
  std::size_t writable_count(std::size_t n) const noexcept;
  bool post_queue(bool with_close);
  void flush();
  void drop_front(std::size_t n);
  bool on_packet(const packet_view& p, std::size_t offset, millis now);
  bool on_handshake(const packet_view& p, std::size_t offset, millis now);
  void maybe_finish_upgrade();
  void probe_failed(bool ws_still_open);
  void abandon_upgrade();
  // Growth that failed sets oom_; the public call that saw it closes the session on its way
  // out (settle()), never in the middle of a loop over a buffer.
  void settle() {
    if (oom_ && live()) close_with(close_reason::queue_full, errc::out_of_memory, 0);
  }
  struct settle_on_exit {
    client& c;
    ~settle_on_exit() { c.settle(); }
  };

  client_options opts_;
  decode_options dec_;
  state state_ = state::idle;
  transport_kind transport_ = transport_kind::polling;
  ws_state ws_ = ws_state::none;
  upgrade_state upgrade_ = upgrade_state::none;
  bool get_in_flight_ = false;
  bool post_in_flight_ = false;
  millis last_now_ = 0;
  std::uint64_t rng_ = 0;

  bool oom_ = false;
  detail::rstring hs_json_;
  handshake hs_;

  // Heartbeat. v4: the ping deadline. v3: when the next ping is due, and when the session is
  // dead unless a packet arrives first.
  millis ping_deadline_ = no_deadline;
  millis v3_ping_at_ = no_deadline;
  millis v3_dead_at_ = no_deadline;

  // The send queue (engine.io-client's writeBuffer): messages and the engine's own packets
  // (pong, v3 ping), data in q_buf_.
  detail::rstring q_buf_;
  detail::rvector<queued> queue_;
  std::size_t queued_messages_ = 0;
  std::size_t queued_bytes_ = 0;
  detail::rvector<packet_view> batch_;

  detail::rstring tx_query_;
  detail::rstring tx_body_;
  detail::rvector<tx_record> tx_;
  std::size_t tx_head_ = 0;

  detail::rstring ev_buf_;
  detail::rvector<ev_record> ev_;
  std::size_t ev_head_ = 0;
  // The events left undrained by earlier calls (counted at begin_call()).
  std::size_t ev_carried_ = 0, ev_carried_bytes_ = 0;
  // The close event, apart from ev_ so that it needs no storage (it ends out_of_memory too).
  ev_record close_ev_{};
  bool close_pending_ = false;
  bool close_delivered_ = false;
};

}  // namespace engineio
SIOCODEC_END_NAMESPACE

// The member definitions, apart so that this file reads as the engine's documentation.
#include <siocodec/engineio/impl/client.hpp>

#endif  // SIOCODEC_ENGINEIO_CLIENT_HPP
