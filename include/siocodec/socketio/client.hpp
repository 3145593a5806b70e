// SPDX-License-Identifier: BSL-1.0
// The Socket.IO client engine: namespaces multiplexed on one Engine.IO client session, acks with
// deadlines, reconnection and connection state recovery, as a sans-I/O state machine.
//
// The same shape as engineio::client (docs/engines.md): fed with the transport's reports
// (handle_*, forwarded to the Engine.IO client it owns), drained with poll_transmit() (the
// Engine.IO client's transmits, unchanged) and poll_event() (client_event), one
// next_deadline() / handle_timeout(). No clock, thread, socket or random source inside: the one
// random seed comes with open(). Behaviour follows socket.io-client 4.8 (build/cjs/socket.js,
// manager.js, contrib/backo2.js) and, for protocol v4, socket.io-client 2.x (lib/socket.js);
// where it differs, the comment at the place says why.
#ifndef SIOCODEC_SOCKETIO_CLIENT_HPP
#define SIOCODEC_SOCKETIO_CLIENT_HPP

#include <siocodec/config.hpp>
#include <siocodec/detail/ack_registry.hpp>
#include <siocodec/detail/rvector.hpp>
#include <siocodec/engineio/client.hpp>
#include <siocodec/engineio/engine_types.hpp>
#include <siocodec/error.hpp>
#include <siocodec/json/sink.hpp>
#include <siocodec/json/write.hpp>
#include <siocodec/memory.hpp>
#include <siocodec/result.hpp>
#include <siocodec/socketio/any.hpp>
#include <siocodec/socketio/arg_traits.hpp>
#include <siocodec/socketio/builders.hpp>
#include <siocodec/socketio/codec.hpp>
#include <siocodec/socketio/engine_types.hpp>
#include <siocodec/socketio/packet.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {

/// The reconnection policy (socket.io-client Manager options; the defaults are the reference's).
struct reconnect_options {
  /// `reconnection`: reconnect after the Engine.IO session was lost.
  bool enabled = true;
  /// `reconnectionAttempts` (Infinity): attempts before reconnect_failed.
  std::uint32_t attempts = 0xFFFFFFFFu;
  /// `reconnectionDelay` in ms (0 means the reference's default, 1000, as `|| 1000` does).
  std::uint32_t delay = 1000;
  /// `reconnectionDelayMax` in ms (0 means 5000, likewise).
  std::uint32_t delay_max = 5000;
  /// `randomizationFactor`: the jitter, used only in (0, 1] as backo2 does.
  double randomization = 0.5;
};

/// backo2's Backoff.duration() as pure arithmetic: `attempt` counts from 0 (the reference's
/// `attempts` before its increment), `random01` in [0, 1) is the caller's draw (Math.random()).
/// Exactly the reference's double arithmetic: ms = delay * 2^attempt; with jitter, deviation =
/// floor(random01 * jitter * ms), subtracted when floor(random01 * 10) is even, added otherwise;
/// then min(ms, delay_max) | 0. Where JavaScript's `| 0` gives 0 (NaN, infinities) or a negative
/// number (delay_max >= 2^31, which setTimeout runs at once), this returns 0.
inline std::uint32_t reconnect_delay(const reconnect_options& o, std::uint32_t attempt,
                                     double random01) noexcept {
  const double min = o.delay ? static_cast<double>(o.delay) : 1000.0;
  const double max = o.delay_max ? static_cast<double>(o.delay_max) : 5000.0;
  const double jitter = (o.randomization > 0 && o.randomization <= 1) ? o.randomization : 0.0;
#if SIOCODEC_SIZE_FIRST
  // min x 2^attempt exactly as below, without pow's 3 KB nor ldexp's 0.4 KB: min >= 1, so
  // every doubling is exact until one overflows to infinity, as the product does (at most
  // about 1024 of them).
  double ms = min;
  for (std::uint32_t i = 0; i < attempt && ms != HUGE_VAL; ++i) ms *= 2.0;
#else
  double ms = min * std::pow(2.0, static_cast<double>(attempt));
#endif
  if (jitter != 0.0) {
    const double deviation = std::floor(random01 * jitter * ms);
    const double tenth = std::floor(random01 * 10);
    const bool even = std::isfinite(tenth) && (static_cast<std::int64_t>(tenth) & 1) == 0;
    ms = even ? ms - deviation : ms + deviation;
  }
  // Math.min propagates NaN; `| 0` (ToInt32) maps NaN and infinities to 0.
  const double m = std::isnan(ms) ? ms : (ms < max ? ms : max);
  if (!std::isfinite(m)) return 0;
#if SIOCODEC_SIZE_FIRST
  // trunc by floor, which the codec links anyway (m < 0 only for a random01 outside [0, 1)).
  const double t = m < 0 ? -std::floor(-m) : std::floor(m);
#else
  const double t = std::trunc(m);
#endif
#if SIOCODEC_SIZE_FIRST
  // fmod(t, 2^32) without fmod's 0.9 KB: t / 2^32 and its floor are exact, and so is the
  // difference (t and the multiple of 2^32 share an exponent range; the result fits in 53 bits).
  const double wrapped = t - std::floor(t / 4294967296.0) * 4294967296.0;
#else
  const double wrapped = std::fmod(t, 4294967296.0);
#endif
  const double u = wrapped < 0 ? wrapped + 4294967296.0 : wrapped;
  if (u >= 2147483648.0) return 0;  // ToInt32 gives a negative number
  return static_cast<std::uint32_t>(u);
}

/// Options of a client.
struct client_options {
  /// The Engine.IO session (transport, version: Engine.IO v4 carries Socket.IO v5, v3 carries v4).
  /// `engine.memory` is the whole client's memory: the Engine.IO sessions' buffers and the
  /// client's own (namespaces, acks, events, encoder and decoder storage). Out of room, the
  /// Engine.IO session closes with out_of_memory (its close event, reason queue_full: every
  /// connected namespace gets disconnect(queue_full, out_of_memory)) and reconnection follows
  /// as for any lost session; calls that needed the memory return out_of_memory.
  engineio::client_options engine;
  /// The parser the server uses (`new Server({parser})`).
  parser_kind parser = parser_kind::json;
  /// Limits of the codec. `version` is derived from engine.version; `attachments` is always
  /// copy (a binary packet spans several Engine.IO events, whose views do not outlive them).
  codec_options codec;
  /// Reconnection after the Engine.IO session was lost.
  reconnect_options reconnect;
  /// Manager `timeout`: the Engine.IO session must be open (handshake done) this many ms after
  /// open() or a reconnect attempt, or it is closed and every joining namespace gets
  /// connect_error (an empty packet). 0: no timeout.
  std::uint32_t connect_timeout = 20000;
  /// Packets buffered for namespaces that are not connected (socket.io-client sendBuffer).
  std::size_t max_buffered_packets = SIOCODEC_DEFAULT_SIO_MAX_BUFFERED_PACKETS;
  /// Bytes of those packets, as encoded (Engine.IO messages, attachments included).
  std::size_t max_buffered_bytes = SIOCODEC_DEFAULT_SIO_MAX_BUFFERED_BYTES;
  /// Acks waited for at once, over all namespaces of the client.
  std::size_t max_pending_acks = SIOCODEC_DEFAULT_SIO_MAX_PENDING_ACKS;
  /// Namespaces joined at once.
  std::size_t max_namespaces = SIOCODEC_DEFAULT_SIO_MAX_NAMESPACES;
};

/// What a client event reports.
enum class client_event_kind : std::uint8_t {
  /// `nsp` joined: `sid`, `recovered` (the server restored the session: same pid).
  connect,
  /// `nsp` refused: `packet` (CONNECT_ERROR {message, data}; protocol v4: ERROR; or a v5 CONNECT
  /// without sid, the reference's "v2.x server" case), or the Engine.IO session could not be
  /// opened (connect timeout, transport error while opening): `packet` empty. A refused
  /// namespace is left (not joined again); the session failing to open is retried.
  connect_error,
  /// An EVENT / BINARY_EVENT on `nsp`: `packet` (its id() is set when the server wants an ack:
  /// answer with send(sio::ack(id, ...).nsp(nsp))). `offset`: the recovery offset it carried
  /// (its last argument when a string and recovery is on for `nsp`), empty otherwise.
  event,
  /// The answer to emit()'s ack `ack_id` on `nsp`: `packet` (the ACK).
  ack,
  /// No answer to ack `ack_id` on `nsp` within emit_options::ack_timeout.
  ack_timeout,
  /// `nsp` disconnected (or was left) before ack `ack_id` was answered ("socket has been
  /// disconnected").
  ack_disconnected,
  /// `nsp` disconnected: `reason`.
  disconnect,
  /// A new Engine.IO session is being opened: `attempt` (from 1), `delay` (ms waited).
  reconnect_attempt,
  /// The new Engine.IO session is open after `attempt` attempts; namespaces are being re-joined.
  reconnect,
  /// Attempts exhausted: the client is closed for good.
  reconnect_failed,
  /// `engine_event`: an Engine.IO event (open, upgrade, close) for logging.
  engine,
};

/// One client event. A view: `nsp`, `sid`, `offset`, `packet` and `engine_event` point into the
/// client's buffers and stay valid until the next non-const call other than poll_transmit().
struct client_event {
  client_event_kind kind = client_event_kind::event;
  std::string_view nsp;
  /// connect: the socket id the server gave.
  std::string_view sid;
  /// connect: the CONNECT reply's pid equals the one this CONNECT sent.
  bool recovered = false;
  /// ack, ack_timeout, ack_disconnected.
  std::uint64_t ack_id = no_ack;
  /// event, ack, connect_error (empty for a session that could not be opened).
  any_packet packet;
  /// connect_error: true when the Engine.IO session could not be opened (connect timeout,
  /// transport error or close before the handshake): `packet` is then empty.
  bool session_failed = false;
  /// event: the recovery offset (see client_event_kind::event).
  std::string_view offset;
  /// disconnect.
  disconnect_reason reason = disconnect_reason::transport_close;
  /// disconnect: the error behind the reason, errc::none when there is none. parse_error: the
  /// codec's error for a packet it refused (invalid_json, invalid_namespace, invalid_msgpack, any
  /// decode error of socketio::codec), or the Engine.IO client's (its close event's) when the
  /// Engine.IO layer refused the bytes; queue_full, transport_error: the Engine.IO client's.
  errc error = errc::none;
  /// disconnect: where `error` happened: the byte offset in the refused Engine.IO message's data
  /// (a Socket.IO decode error; 0 for a base64 message) or the Engine.IO close event's offset.
  std::size_t error_offset = 0;
  /// reconnect_attempt, reconnect.
  std::uint32_t attempt = 0;
  /// reconnect_attempt: the delay waited before it (reconnect_delay()).
  millis delay = 0;
  /// engine.
  engineio::event engine_event;
};

/// A Socket.IO client: one Engine.IO client session at a time and the namespaces on it.
///
/// Lifecycle: open() starts the first Engine.IO session; join() namespaces (before or after);
/// emit() / send(); when the session is lost, every connected namespace gets disconnect(reason)
/// and, with reconnection on, a new session is opened after reconnect_delay() and every
/// namespace still joined is joined again (with pid and offset when the server enabled
/// recovery). Leaving the last namespace (leave(), a server DISCONNECT, a refusal) closes the
/// session without reconnection, as the reference's Manager does; a later join() opens a new
/// one. close() ends everything for good.
///
/// Memory: what is kept is copied (auth, pid, offsets, buffered packets); every queue is bounded
/// (client_options); buffers keep their capacity, so the steady state (emits, events, acks)
/// allocates nothing. A new Engine.IO session (reconnection) allocates. Every allocation comes
/// from client_options::engine.memory (the global operator new when null).
class client {
 public:
  explicit client(const client_options& opts = {});

  /// Opens the first Engine.IO session. `random` seeds the client's PRNG: the Engine.IO
  /// sessions' seeds and the reconnection delays' draws come from it.
  /// Errors: invalid_state (already opened, or closed), those of engineio::client::open().
  errc open(millis now, std::uint64_t random);

  /// Joins `nsp` (socket.io-client `io.socket(nsp)`): its CONNECT goes out once the session is
  /// open (it may be called before open()). A namespace already joined: nothing. After the last
  /// namespace left, a new session is opened when poll_event() hands out the old one's close
  /// event: at once when it was handed out already, else (WebSocket, or polling while closing,
  /// engine().is_closing(), until its DISCONNECTs and `1` are written) then. The reference opens
  /// the new one at once, beside the old one, but the transport reports here carry no session:
  /// one session at a time, and every report before that event is the old one's. The old
  /// session's last transmits (`1`, ws_close) come from poll_transmit() before the new one's,
  /// those of every session replaced before the transport polled, oldest first.
  /// Errors: invalid_state (closed for good), invalid_argument (`nsp` does not start with `/`),
  /// queue_full (max_namespaces namespaces joined), out_of_memory (engine.memory has no room).
  errc join(std::string_view nsp, millis now) {
    tick(now);
    return join_impl(nsp, {}, {}, now);
  }
  /// join() with an auth payload (v5: `auth`, any value arg_traits can write as an object; it
  /// is encoded now, kept, and sent again on every re-join). Errors: those of join(), the
  /// encoder's (invalid_argument: not an object, or protocol v4: use join_query()).
  template <class Auth>
  errc join(std::string_view nsp, const Auth& auth, millis now);
  /// join() for protocol v4 with a query (`0/admin?token=1,`; the caller percent-encodes it).
  /// The main namespace takes no CONNECT in v4 (the server connects it implicitly): its query
  /// belongs in the Engine.IO URL. Errors: those of join(), invalid_argument in protocol v5.
  errc join_query(std::string_view nsp, std::string_view query, millis now);
  /// Leaves `nsp`: DISCONNECT when it was connected, then disconnect(io client disconnect);
  /// its pending acks get ack_disconnected, its buffered packets are dropped.
  /// Errors: invalid_state (not joined).
  errc leave(std::string_view nsp, millis now);

  /// Emits an EVENT: `packet` is a builder (sio::event("name", args...).nsp("/x")); with
  /// want_ack the engine sets its id (a copy of the builder is made to set it). Returns the ack
  /// id (no_ack without want_ack). While `nsp` is not connected the packet is encoded now and
  /// buffered (bounded), or dropped when volatile (an ack it asked for still resolves, by
  /// timeout or disconnect, as in the reference). Errors: invalid_state (closed, or `nsp` not
  /// joined), queue_full (max_buffered_packets / _bytes, max_pending_acks), out_of_memory
  /// (engine.memory has no room), the encoder's, those of engineio::client::send().
  template <class Builder>
  result<std::uint64_t> emit(const Builder& packet, millis now, const emit_options& o = {});
  /// Sends any packet as it is (an ACK answering an event: sio::ack(id, args...).nsp(n)), now
  /// when `nsp` is connected. Errors: invalid_state (closed, `nsp` not connected), out_of_memory,
  /// the encoder's, those of engineio::client::send().
  template <class Builder>
  errc send(const Builder& packet, millis now);
  /// Leaves every namespace (as leave()) and closes the session for good: no reconnection.
  void close(millis now);

  // The transport's reports, forwarded to the Engine.IO client (engineio::client's docs).
  void handle_ws_open(millis now) { eng_.handle_ws_open(tick(now)); }
  void handle_ws_message(engineio::frame_kind kind, std::string_view bytes, millis now) {
    eng_.handle_ws_message(kind, bytes, tick(now));
  }
  void handle_ws_closed(millis now, bool error) { eng_.handle_ws_closed(tick(now), error); }
  void handle_get_response(engineio::frame_kind body_kind, std::string_view body, millis now) {
    eng_.handle_get_response(body_kind, body, tick(now));
  }
  void handle_post_response(millis now) { eng_.handle_post_response(tick(now)); }
  void handle_http_error(engineio::client_action request, millis now) {
    eng_.handle_http_error(request, tick(now));
  }
  /// Runs the Engine.IO timers, the connect timeout, ack deadlines and the reconnection timer.
  void handle_timeout(millis now);
  /// When handle_timeout() must be called next; engineio::no_deadline when nothing is timed.
  millis next_deadline() const noexcept;

  /// The next transmit of the current Engine.IO session (first those the session closed before
  /// a join() restarted it still had, see join()), or nothing.
  std::optional<engineio::client_transmit> poll_transmit();
  /// The next event, or nothing. Decoding happens here: the Engine.IO client's message events
  /// are turned into Socket.IO packets one at a time.
  std::optional<client_event> poll_event();

  /// True when `nsp` is joined and its CONNECT was answered.
  bool connected(std::string_view nsp) const noexcept;
  /// False once closed for good (close(), reconnect_failed, or a loss with reconnection off).
  bool is_open() const noexcept { return state_ != state::closed; }
  /// The current Engine.IO session.
  const engineio::client& engine() const noexcept { return eng_; }
  /// Pending acks, buffered packets (for tests and limits checks).
  std::size_t pending_acks() const noexcept { return acks_.size(); }
  std::size_t buffered_packets() const noexcept { return buffered_packets_; }

 private:
  enum class state : std::uint8_t { idle, opening, open, waiting, stopped, closed };
  enum class ns_state : std::uint8_t { joining, connected };

  struct buffered_msg {
    engineio::data_kind kind;
    std::size_t off, len;
    bool first;  // first message of a packet (counts as one packet)
    bool dropped;
  };
  using rstring = ::SIOCODEC_NAMESPACE::detail::rstring;
  template <class T>
  using rvector = ::SIOCODEC_NAMESPACE::detail::rvector<T>;
  struct nsp_rec {
    explicit nsp_rec(memory_resource* m) noexcept
        : name(m), auth(m), query(m), sid(m), pid(m), sent_pid(m), offset(m), buf(m), msgs(m) {}
    std::uint32_t uid = 0;
    rstring name;
    ns_state st = ns_state::joining;
    bool has_auth = false;
    rstring auth;   // v5: the auth object as JSON text
    rstring query;  // v4
    rstring sid, pid, sent_pid, offset;
    bool has_offset = false;
    std::uint64_t next_id = 0;
    rstring buf;
    rvector<buffered_msg> msgs;
  };
  // An ack: owner = the namespace's uid, flag = 1 + the position in the namespace's `msgs` of
  // its packet's first message while the packet waits there (0 otherwise).
  using ack_rec = ::SIOCODEC_NAMESPACE::detail::ack_registry::entry;
  struct record {
    explicit record(memory_resource* m = nullptr) noexcept : nsp(m), sid(m) {}
    client_event_kind kind = client_event_kind::event;
    rstring nsp;
    rstring sid;
    bool recovered = false;
    bool session_failed = false;
    std::uint64_t ack_id = no_ack;
    disconnect_reason reason = disconnect_reason::transport_close;
    errc error = errc::none;
    std::size_t error_offset = 0;
    std::uint32_t attempt = 0;
    millis delay = 0;
  };

  // Events are turned into Socket.IO events in poll_event(), which takes no `now`: the latest
  // time seen stands for it (what a reconnection delay starts from).
  millis tick(millis now) noexcept {
    if (now > last_now_) last_now_ = now;
    return last_now_;
  }
  static std::string_view normalize(std::string_view n) noexcept { return n.empty() ? "/" : n; }
  // SIOCODEC_ENGINEIO_V3 0 (config.hpp): a constant, so that the protocol v4 paths fold away.
  bool v5() const noexcept {
    return SIOCODEC_ENGINEIO_V3 == 0 || opts_.engine.version == engineio::protocol_version::v4;
  }
  nsp_rec* find(std::string_view nsp) noexcept;
  const nsp_rec* find(std::string_view nsp) const noexcept;
  nsp_rec* find_uid(std::uint32_t uid) noexcept;
  std::uint64_t draw64() noexcept;
  double draw01() noexcept { return static_cast<double>(draw64() >> 11) * 0x1.0p-53; }
  record& push(client_event_kind k, std::string_view nsp);
  errc join_impl(std::string_view nsp, std::string_view auth_json, std::string_view query,
                 millis now);
  errc start_session(millis now);
  errc restart_session(millis now);
  errc send_connect(nsp_rec& ns, millis now);
  errc send_messages(millis now);
  template <class P>
  errc encode_msgs(const P& packet);
  // An auth as one value type: its JSON text, or no value at all when empty.
  struct optional_json {
    std::string_view text;
    template <class W>
    void operator()(W& w) const {
      if (!text.empty()) w.value(raw_json(text));
    }
  };
  using v5_control = packet_builder<detail::auth_data<optional_json>>;
  // The protocol v5 CONNECTs (with or without auth, the recovery one) and DISCONNECT as one
  // builder type, so that one encoder instance serves them all: an instance is about 0.8 KB of
  // flash on Cortex-M4 (docs/embedded.md). An auth_data that writes no value encodes as
  // connect() / disconnect() do. Protocol v4 keeps connect() and disconnect(): its CONNECT
  // carries no payload, which the msgpack parser checks by type.
  static v5_control v5_packet(packet_type t, std::string_view nsp, std::string_view auth) {
    v5_control b{t, detail::auth_data<optional_json>{optional_json{auth}}};
    b.nsp(nsp);
    return b;
  }
  // A v5 CONNECT or DISCONNECT into msgs_ (the json parser's without v5_control's encoder).
  errc encode_v5_control(packet_type t, std::string_view nsp, std::string_view auth);
  void flush_buffer(nsp_rec& ns, millis now);
  void drop_buffer(nsp_rec& ns);
  void resolve_acks(std::uint32_t uid, bool all);
  void remove_nsp(std::string_view nsp);
  void after_last_left(millis now);
  void on_engine_open(millis now);
  void on_engine_close(const engineio::event& e, millis now);
  bool on_packet(const any_packet& p, client_event& out, millis now);
  void schedule_reconnect(millis now);
  std::size_t active_count() const noexcept { return nsps_.size(); }
  memory_resource* memory() const noexcept { return opts_.engine.memory; }
  template <class F>
  errc encode_into(rstring& out, F&& encode_to);
  // A growth that failed where no error can be returned (an event record) sets oom_; the
  // session is then closed with out_of_memory by settle(), at the end of the call.
  void settle(millis now) {
    if (!oom_) return;
    oom_ = false;
    eng_.close_out_of_memory(now);
  }
  struct settle_on_exit {
    client& c;
    ~settle_on_exit() { c.settle(c.last_now_); }
  };
  // The old sessions (old_engs_) live in the client's memory too.
  struct engine_deleter {
    memory_resource* mr;
    void operator()(engineio::client* c) const noexcept;
  };

  client_options opts_;
  engineio::client eng_;
  // The sessions a join() replaced after the last leave, oldest first, each until its last
  // transmits are polled (the DISCONNECTs, then `1` or ws_close). Several when the application
  // joins, leaves and joins again before the transport polls: socket.io-client's Manager opens
  // a new Engine at each connect() and every old one drains on its own. One per join() after
  // the last leave, each bounded by its own queue limits; in the client's memory.
  rvector<std::unique_ptr<engineio::client, engine_deleter>> old_engs_;
  // join() came before the old session's close event was polled: the new one starts at it.
  bool restart_pending_ = false;
  // The current session's close event was polled (or there is no session yet).
  bool close_seen_ = true;
  // The decoder's storage comes from engine.memory too (an rvector through resource_allocator).
  // v4 only with SIOCODEC_ENGINEIO_V3 (config.hpp): without it, the msgpack parser's protocol v4
  // text packets are not linked.
  basic_codec<std::conditional_t<SIOCODEC_ENGINEIO_V3 != 0, detail::runtime_parser_kind,
                                 detail::runtime_parser_kind_v5>,
              ::SIOCODEC_NAMESPACE::detail::resource_allocator<unsigned char>>
      codec_;
  state state_ = state::idle;
  millis last_now_ = 0;
  std::uint64_t rng_ = 0;
  std::uint32_t next_uid_ = 1;
  rvector<nsp_rec> nsps_;
  ::SIOCODEC_NAMESPACE::detail::ack_registry acks_;
  std::size_t buffered_packets_ = 0;
  std::size_t buffered_bytes_ = 0;
  // encode scratch
  rstring enc_buf_;
  rvector<byte_view> atts_;
  rvector<engineio::packet_view> msgs_;
  rstring tmp_;  // a CONNECT's merged auth, a pid being read
  bool oom_ = false;
  record lost_;  // what push() hands out when the record queue cannot grow
  // the connect timeout, the reconnection timer
  millis connect_deadline_ = engineio::no_deadline;
  millis reconnect_at_ = engineio::no_deadline;
  std::uint32_t attempts_ = 0;
  millis last_delay_ = 0;
  bool reconnecting_ = false;
  bool opened_once_ = false;  // the current session reached open
  bool skip_reconnect_ = false;
  std::optional<disconnect_reason> override_reason_;
  // The codec's refusal that made this side close the session (with override_reason_).
  errc decode_error_ = errc::none;
  std::size_t decode_offset_ = 0;
  bool v4_main_connected_ = false;
  // events
  rvector<record> q_;
  std::size_t q_head_ = 0, q_size_ = 0;
  record cur_;
};

}  // namespace socketio
SIOCODEC_END_NAMESPACE

// The member definitions, apart so that this file reads as the engine's documentation.
#include <siocodec/socketio/impl/client.hpp>

#endif  // SIOCODEC_SOCKETIO_CLIENT_HPP
