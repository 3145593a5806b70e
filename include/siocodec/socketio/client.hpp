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
#include <siocodec/engineio/client.hpp>
#include <siocodec/engineio/engine_types.hpp>
#include <siocodec/error.hpp>
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
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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
  // min x 2^attempt exactly as below (a power of two scales exactly, or overflows to
  // infinity in both), without pow's 3 KB.
  double ms = attempt > 2100 ? min * HUGE_VAL : std::ldexp(min, static_cast<int>(attempt));
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
  const double t = std::trunc(m);
  const double wrapped = std::fmod(t, 4294967296.0);
  const double u = wrapped < 0 ? wrapped + 4294967296.0 : wrapped;
  if (u >= 2147483648.0) return 0;  // ToInt32 gives a negative number
  return static_cast<std::uint32_t>(u);
}

/// Options of a client.
struct client_options {
  /// The Engine.IO session (transport, version: Engine.IO v4 carries Socket.IO v5, v3 carries v4).
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
/// allocates nothing. A new Engine.IO session (reconnection) allocates.
class client {
 public:
  explicit client(const client_options& opts = {});

  /// Opens the first Engine.IO session. `random` seeds the client's PRNG: the Engine.IO
  /// sessions' seeds and the reconnection delays' draws come from it.
  /// Errors: invalid_state (already opened, or closed), those of engineio::client::open().
  errc open(millis now, std::uint64_t random);

  /// Joins `nsp` (socket.io-client `io.socket(nsp)`): its CONNECT goes out once the session is
  /// open (it may be called before open()). A namespace already joined: nothing.
  /// Errors: invalid_state (closed for good), invalid_argument (`nsp` does not start with `/`),
  /// queue_full (max_namespaces namespaces joined).
  errc join(std::string_view nsp, millis now) { return join_impl(nsp, {}, {}, now); }
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
  /// joined), queue_full (max_buffered_packets / _bytes, max_pending_acks), the encoder's, those
  /// of engineio::client::send().
  template <class Builder>
  result<std::uint64_t> emit(const Builder& packet, millis now, const emit_options& o = {});
  /// Sends any packet as it is (an ACK answering an event: sio::ack(id, args...).nsp(n)), now
  /// when `nsp` is connected. Errors: invalid_state (closed, `nsp` not connected), the
  /// encoder's, those of engineio::client::send().
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

  /// The next transmit of the current Engine.IO session, or nothing.
  std::optional<engineio::client_transmit> poll_transmit() { return eng_.poll_transmit(); }
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
    std::uint64_t ack_id;
  };
  struct nsp_rec {
    std::uint32_t uid = 0;
    std::string name;
    ns_state st = ns_state::joining;
    bool has_auth = false;
    std::string auth;   // v5: the auth object as JSON text
    std::string query;  // v4
    std::string sid, pid, sent_pid, offset;
    bool has_offset = false;
    std::uint64_t next_id = 0;
    std::string buf;
    std::vector<buffered_msg> msgs;
  };
  struct ack_rec {
    std::uint32_t uid;
    std::uint64_t id;
    millis deadline;
    bool buffered;  // its packet waits in the namespace's send buffer
  };
  struct record {
    client_event_kind kind = client_event_kind::event;
    std::string nsp;
    std::string sid;
    bool recovered = false;
    bool session_failed = false;
    std::uint64_t ack_id = no_ack;
    disconnect_reason reason = disconnect_reason::transport_close;
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
  bool v5() const noexcept { return opts_.engine.version == engineio::protocol_version::v4; }
  nsp_rec* find(std::string_view nsp) noexcept;
  const nsp_rec* find(std::string_view nsp) const noexcept;
  nsp_rec* find_uid(std::uint32_t uid) noexcept;
  std::uint64_t draw64() noexcept;
  double draw01() noexcept { return static_cast<double>(draw64() >> 11) * 0x1.0p-53; }
  record& push(client_event_kind k, std::string_view nsp);
  errc join_impl(std::string_view nsp, std::string_view auth_json, std::string_view query,
                 millis now);
  errc start_session(millis now);
  errc send_connect(nsp_rec& ns, millis now);
  errc send_messages(millis now);
  template <class P>
  errc encode_msgs(const P& packet);
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

  client_options opts_;
  engineio::client eng_;
  codec codec_;
  state state_ = state::idle;
  millis last_now_ = 0;
  std::uint64_t rng_ = 0;
  std::uint32_t next_uid_ = 1;
  std::vector<nsp_rec> nsps_;
  std::vector<ack_rec> acks_;
  std::size_t buffered_packets_ = 0;
  std::size_t buffered_bytes_ = 0;
  // encode scratch
  std::string enc_buf_;
  std::vector<byte_view> atts_;
  std::vector<engineio::packet_view> msgs_;
  // the connect timeout, the reconnection timer
  millis connect_deadline_ = engineio::no_deadline;
  millis reconnect_at_ = engineio::no_deadline;
  std::uint32_t attempts_ = 0;
  millis last_delay_ = 0;
  bool reconnecting_ = false;
  bool opened_once_ = false;  // the current session reached open
  bool skip_reconnect_ = false;
  std::optional<disconnect_reason> override_reason_;
  bool v4_main_connected_ = false;
  // events
  std::vector<record> q_;
  std::size_t q_head_ = 0, q_size_ = 0;
  record cur_;
};

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

namespace detail {
inline codec_options client_codec_options(const client_options& o) noexcept {
  codec_options c = o.codec;
  c.version = o.engine.version == engineio::protocol_version::v3 ? protocol_version::v4
                                                                 : protocol_version::v5;
  c.decode.version = c.version;
  c.encode.version = c.version;
  c.attachments = attachment_mode::copy;
  return c;
}
}  // namespace detail

inline client::client(const client_options& opts)
    : opts_(opts), eng_(opts.engine), codec_(opts.parser, detail::client_codec_options(opts)) {}

inline std::uint64_t client::draw64() noexcept {
  // splitmix64: one 64-bit state, a good spread from any seed, and cheap.
  std::uint64_t z = (rng_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

inline client::nsp_rec* client::find(std::string_view nsp) noexcept {
  nsp = normalize(nsp);
  for (nsp_rec& n : nsps_)
    if (n.name == nsp) return &n;
  return nullptr;
}
inline const client::nsp_rec* client::find(std::string_view nsp) const noexcept {
  nsp = normalize(nsp);
  for (const nsp_rec& n : nsps_)
    if (n.name == nsp) return &n;
  return nullptr;
}
inline client::nsp_rec* client::find_uid(std::uint32_t uid) noexcept {
  for (nsp_rec& n : nsps_)
    if (n.uid == uid) return &n;
  return nullptr;
}

inline bool client::connected(std::string_view nsp) const noexcept {
  const nsp_rec* n = find(nsp);
  return n && n->st == ns_state::connected;
}

inline client::record& client::push(client_event_kind k, std::string_view nsp) {
  if (q_size_ == q_.size()) q_.emplace_back();
  record& r = q_[q_size_++];
  r.kind = k;
  r.nsp.assign(nsp.data(), nsp.size());
  r.sid.clear();
  r.recovered = false;
  r.session_failed = false;
  r.ack_id = no_ack;
  r.reason = disconnect_reason::transport_close;
  r.attempt = 0;
  r.delay = 0;
  return r;
}

inline errc client::start_session(millis now) {
  eng_ = engineio::client(opts_.engine);
  codec_.reset();
  opened_once_ = false;
  override_reason_.reset();
  v4_main_connected_ = false;
  const errc e = eng_.open(now, draw64());
  if (e != errc::none) return e;
  state_ = state::opening;
  connect_deadline_ = opts_.connect_timeout ? now + opts_.connect_timeout : engineio::no_deadline;
  return errc::none;
}

inline errc client::open(millis now, std::uint64_t random) {
  if (state_ != state::idle) return errc::invalid_state;
  last_now_ = now;
  rng_ = random;
  skip_reconnect_ = false;
  return start_session(now);
}

template <class P>
errc client::encode_msgs(const P& packet) {
  enc_buf_.clear();
  atts_.clear();
  msgs_.clear();
  const result<std::size_t> r = codec_.encode(
      packet, enc_buf_, atts_, [&](const engineio::packet_view& m) { msgs_.push_back(m); });
  return r ? errc::none : r.error();
}

inline errc client::send_messages(millis now) {
  for (const engineio::packet_view& m : msgs_) {
    const errc e = eng_.send(m, now);
    if (e != errc::none) return e;
  }
  return errc::none;
}

inline errc client::send_connect(nsp_rec& ns, millis now) {
  if (!v5()) {
    // Socket.IO 2.x: the server connects every client to "/" on its own and says so with `0`;
    // the client sends no CONNECT for it (socket.io-client 2.x Socket.onopen).
    if (ns.name == "/") {
      if (v4_main_connected_ && ns.st != ns_state::connected) {
        ns.st = ns_state::connected;
        record& r = push(client_event_kind::connect, ns.name);
        r.sid.assign(eng_.sid().data(), eng_.sid().size());
        flush_buffer(ns, now);
      }
      return errc::none;
    }
    errc e = ns.query.empty() ? encode_msgs(socketio::connect(ns.name))
                              : encode_msgs(socketio::connect(ns.name).query(ns.query));
    return e != errc::none ? e : send_messages(now);
  }
  ns.sent_pid.clear();
  if (ns.pid.empty()) {
    const errc e = ns.has_auth ? encode_msgs(socketio::connect(ns.name, raw_json(ns.auth)))
                               : encode_msgs(socketio::connect(ns.name));
    return e != errc::none ? e : send_messages(now);
  }
  // Recovery (socket.js _sendConnectPacket): Object.assign({pid, offset}, auth). The auth's
  // members follow ours, so an auth key `pid` wins in JSON.parse as it does in Object.assign.
  std::string merged;
  const errc pe = encode_msgs(socketio::connect("/", socketio::object("pid", ns.pid)));
  if (pe != errc::none) return pe;
  // "0{"pid":"..."}" -> drop the leading 0 and the closing brace.
  merged.assign(enc_buf_, 1, enc_buf_.size() - 2);
  if (ns.has_offset) {
    const errc oe = encode_msgs(socketio::connect("/", socketio::object("offset", ns.offset)));
    if (oe != errc::none) return oe;
    merged += ',';
    merged.append(enc_buf_, 2, enc_buf_.size() - 3);
  }
  if (ns.has_auth && ns.auth.size() > 2) {
    merged += ',';
    merged.append(ns.auth, 1, ns.auth.size() - 1);
  } else {
    merged += '}';
  }
  ns.sent_pid = ns.pid;
  const errc e = encode_msgs(socketio::connect(ns.name, raw_json(merged)));
  return e != errc::none ? e : send_messages(now);
}

inline errc client::join_impl(std::string_view nsp, std::string_view auth_json,
                              std::string_view query, millis now) {
  if (state_ == state::closed) return errc::invalid_state;
  nsp = normalize(nsp);
  if (nsp.front() != '/') return errc::invalid_argument;
  if (find(nsp)) return errc::none;
  if (nsps_.size() >= opts_.max_namespaces) return errc::queue_full;
  if (now > last_now_) last_now_ = now;
  nsps_.emplace_back();
  nsp_rec& ns = nsps_.back();
  ns.uid = next_uid_++;
  ns.name.assign(nsp.data(), nsp.size());
  ns.has_auth = !auth_json.empty();
  ns.auth.assign(auth_json.data(), auth_json.size());
  ns.query.assign(query.data(), query.size());
  if (state_ == state::stopped) {
    // socket.io-client Socket.connect(): a closed Manager opens a new session.
    skip_reconnect_ = false;
    const errc e = start_session(now);
    if (e != errc::none) {
      nsps_.pop_back();
      return e;
    }
    return errc::none;
  }
  if (state_ == state::open) {
    const errc e = send_connect(ns, now);
    if (e != errc::none) {
      nsps_.pop_back();
      return e;
    }
  }
  return errc::none;
}

template <class Auth>
errc client::join(std::string_view nsp, const Auth& auth, millis now) {
  if (!v5()) return errc::invalid_argument;
  // The auth is kept as JSON text: it must be sent again on every re-join, long after the
  // caller's value is gone, and the recovery CONNECT merges pid and offset into it.
  static_codec<parser_kind::json> text;
  std::string out;
  const result<std::size_t> r =
      text.encode(socketio::connect("/", auth), out, [](const engineio::packet_view&) {});
  if (!r) return r.error();
  if (out.size() < 3 || out[1] != '{') return errc::invalid_argument;
  return join_impl(nsp, std::string_view(out).substr(1), {}, now);
}

inline errc client::join_query(std::string_view nsp, std::string_view query, millis now) {
  if (v5()) return errc::invalid_argument;
  return join_impl(nsp, {}, query, now);
}

inline void client::drop_buffer(nsp_rec& ns) {
  for (const buffered_msg& m : ns.msgs) {
    if (m.dropped) continue;
    buffered_bytes_ -= m.len;
    if (m.first) --buffered_packets_;
  }
  ns.msgs.clear();
  ns.buf.clear();
}

inline void client::flush_buffer(nsp_rec& ns, millis now) {
  for (const buffered_msg& m : ns.msgs) {
    if (m.dropped) continue;
    engineio::packet_view v;
    v.type = engineio::packet_type::message;
    v.kind = m.kind;
    v.data = std::string_view(ns.buf).substr(m.off, m.len);
    (void)eng_.send(v, now);  // a failure closes the session: the close event says why
  }
  for (ack_rec& a : acks_)
    if (a.uid == ns.uid) a.buffered = false;
  drop_buffer(ns);
}

inline void client::resolve_acks(std::uint32_t uid, bool all) {
  // all: every ack of the namespace; otherwise only those whose packet left the buffer
  // (socket.js _clearAcks keeps the acks of buffered packets: they are sent after reconnect).
  nsp_rec* ns = find_uid(uid);
  std::size_t w = 0;
  for (std::size_t i = 0; i < acks_.size(); ++i) {
    const ack_rec a = acks_[i];
    if (a.uid == uid && (all || !a.buffered)) {
      record& r = push(client_event_kind::ack_disconnected, ns ? std::string_view(ns->name) : "");
      r.ack_id = a.id;
    } else {
      acks_[w++] = a;
    }
  }
  acks_.resize(w);
}

inline void client::remove_nsp(std::string_view nsp) {
  for (std::size_t i = 0; i < nsps_.size(); ++i) {
    if (nsps_[i].name == nsp) {
      drop_buffer(nsps_[i]);
      nsps_.erase(nsps_.begin() + static_cast<std::ptrdiff_t>(i));
      return;
    }
  }
}

inline void client::after_last_left(millis now) {
  // Manager._destroy / _close: no active socket left, the session closes, no reconnection.
  if (!nsps_.empty() || state_ == state::closed) return;
  skip_reconnect_ = true;
  reconnect_at_ = engineio::no_deadline;
  connect_deadline_ = engineio::no_deadline;
  reconnecting_ = false;
  attempts_ = 0;
  eng_.close(now);
  state_ = state::stopped;
}

inline errc client::leave(std::string_view nsp, millis now) {
  nsp = normalize(nsp);
  nsp_rec* ns = find(nsp);
  if (!ns || state_ == state::closed) return errc::invalid_state;
  if (now > last_now_) last_now_ = now;
  if (ns->st == ns_state::connected) {
    if (encode_msgs(socketio::disconnect(ns->name)) == errc::none) (void)send_messages(now);
    push(client_event_kind::disconnect, ns->name).reason = disconnect_reason::io_client_disconnect;
  }
  resolve_acks(ns->uid, true);
  remove_nsp(nsp);
  after_last_left(now);
  return errc::none;
}

inline void client::close(millis now) {
  if (state_ == state::closed) return;
  while (!nsps_.empty()) {
    const std::string name = nsps_.front().name;
    (void)leave(name, now);
  }
  reconnect_at_ = engineio::no_deadline;
  connect_deadline_ = engineio::no_deadline;
  skip_reconnect_ = true;
  eng_.close(now);
  state_ = state::closed;
}

template <class Builder>
result<std::uint64_t> client::emit(const Builder& packet, millis now, const emit_options& o) {
  if (state_ == state::closed) return {errc::invalid_state, 0};
  nsp_rec* ns = find(packet.nsp());
  if (!ns) return {errc::invalid_state, 0};
  if (now > last_now_) last_now_ = now;
  const bool live = ns->st == ns_state::connected && eng_.is_open();
  if (o.want_ack && acks_.size() >= opts_.max_pending_acks) return {errc::queue_full, 0};
  std::uint64_t id = no_ack;
  errc e;
  if (o.want_ack) {
    id = ns->next_id;
    Builder b = packet;
    b.id(id);
    e = encode_msgs(b);
  } else {
    e = encode_msgs(packet);
  }
  if (e != errc::none) return {e, 0};
  if (!live && !o.volatile_packet) {
    std::size_t bytes = 0;
    for (const engineio::packet_view& m : msgs_) bytes += m.data.size();
    if (buffered_packets_ + 1 > opts_.max_buffered_packets ||
        buffered_bytes_ + bytes > opts_.max_buffered_bytes)
      return {errc::queue_full, 0};
    bool first = true;
    for (const engineio::packet_view& m : msgs_) {
      ns->msgs.push_back(buffered_msg{m.kind, ns->buf.size(), m.data.size(), first, false, id});
      ns->buf.append(m.data.data(), m.data.size());
      first = false;
    }
    ++buffered_packets_;
    buffered_bytes_ += bytes;
  } else if (live) {
    e = send_messages(now);
    if (e != errc::none) return {e, 0};
  }
  // volatile and not connected: dropped (socket.js emit: discardPacket), the ack still waits.
  if (o.want_ack) {
    ++ns->next_id;
    acks_.push_back(ack_rec{ns->uid, id,
                            o.ack_timeout ? now + o.ack_timeout : engineio::no_deadline,
                            !live && !o.volatile_packet});
  }
  return id;
}

template <class Builder>
errc client::send(const Builder& packet, millis now) {
  if (state_ == state::closed) return errc::invalid_state;
  nsp_rec* ns = find(packet.nsp());
  if (!ns || ns->st != ns_state::connected || !eng_.is_open()) return errc::invalid_state;
  if (now > last_now_) last_now_ = now;
  const errc e = encode_msgs(packet);
  return e != errc::none ? e : send_messages(now);
}

inline void client::schedule_reconnect(millis now) {
  if (skip_reconnect_ || state_ == state::closed) {
    if (state_ != state::closed) state_ = state::stopped;
    return;
  }
  if (!opts_.reconnect.enabled || attempts_ >= opts_.reconnect.attempts) {
    if (opts_.reconnect.enabled) push(client_event_kind::reconnect_failed, "").attempt = attempts_;
    // Closed for good: the acks of buffered packets would otherwise wait forever.
    for (nsp_rec& ns : nsps_) {
      resolve_acks(ns.uid, true);
      drop_buffer(ns);
    }
    state_ = state::closed;
    return;
  }
  last_delay_ = reconnect_delay(opts_.reconnect, attempts_, draw01());
  ++attempts_;
  reconnecting_ = true;
  reconnect_at_ = now + last_delay_;
  state_ = state::waiting;
}

inline void client::handle_timeout(millis now) {
  if (now < last_now_) now = last_now_;
  last_now_ = now;
  eng_.handle_timeout(now);
  if (state_ == state::opening && now >= connect_deadline_) {
    // Manager.open's timer: onError("timeout"), the session closes; the close event reports
    // connect_error to the joining namespaces and schedules the next attempt.
    connect_deadline_ = engineio::no_deadline;
    eng_.close(now);
  }
  if (state_ == state::waiting && now >= reconnect_at_) {
    reconnect_at_ = engineio::no_deadline;
    record& r = push(client_event_kind::reconnect_attempt, "");
    r.attempt = attempts_;
    r.delay = last_delay_;
    const errc e = start_session(now);
    if (e != errc::none) schedule_reconnect(now);
  }
  // Ack deadlines (socket.js _registerAckCallback's timer): the packet leaves the send buffer
  // too, as the reference removes it.
  std::size_t w = 0;
  for (std::size_t i = 0; i < acks_.size(); ++i) {
    const ack_rec a = acks_[i];
    if (now < a.deadline) {
      acks_[w++] = a;
      continue;
    }
    nsp_rec* ns = find_uid(a.uid);
    if (ns && a.buffered) {
      for (buffered_msg& m : ns->msgs) {
        if (m.dropped || m.ack_id != a.id) continue;
        m.dropped = true;
        buffered_bytes_ -= m.len;
        if (m.first) --buffered_packets_;
      }
    }
    push(client_event_kind::ack_timeout, ns ? std::string_view(ns->name) : "").ack_id = a.id;
  }
  acks_.resize(w);
}

inline millis client::next_deadline() const noexcept {
  millis d = eng_.next_deadline();
  if (state_ == state::opening && connect_deadline_ < d) d = connect_deadline_;
  if (state_ == state::waiting && reconnect_at_ < d) d = reconnect_at_;
  for (const ack_rec& a : acks_)
    if (a.deadline < d) d = a.deadline;
  if (d != engineio::no_deadline && d < last_now_) d = last_now_;
  return d;
}

inline void client::on_engine_open(millis now) {
  state_ = state::open;
  opened_once_ = true;
  connect_deadline_ = engineio::no_deadline;
  if (reconnecting_) {
    push(client_event_kind::reconnect, "").attempt = attempts_;
    reconnecting_ = false;
  }
  attempts_ = 0;  // Manager.onreconnect / onopen: backoff.reset()
  for (nsp_rec& ns : nsps_) (void)send_connect(ns, now);
}

inline void client::on_engine_close(const engineio::event& e, millis now) {
  const disconnect_reason why = override_reason_ ? *override_reason_ : from_engine(e.reason, true);
  override_reason_.reset();
  const bool never_opened = !opened_once_;
  for (nsp_rec& ns : nsps_) {
    if (ns.st == ns_state::connected) {
      ns.st = ns_state::joining;
      push(client_event_kind::disconnect, ns.name).reason = why;
    } else if (never_opened && !skip_reconnect_) {
      // Socket.onerror: a session that could not open is a connect_error of every socket not
      // yet connected.
      push(client_event_kind::connect_error, ns.name).session_failed = true;
    }
  }
  for (nsp_rec& ns : nsps_) resolve_acks(ns.uid, false);
  codec_.reset();
  connect_deadline_ = engineio::no_deadline;
  if (state_ == state::closed || state_ == state::stopped) return;
  schedule_reconnect(now);
}

inline bool client::on_packet(const any_packet& p, client_event& out, millis now) {
  const std::string_view nsp = normalize(p.nsp());
  nsp_rec* ns = find(nsp);
  switch (p.type()) {
    case packet_type::connect: {
      if (!v5() && nsp == "/") v4_main_connected_ = true;
      if (!ns || ns->st == ns_state::connected) return false;
      if (v5()) {
        any_value sid, pid;
        const any_value d = p.data();
        if (!d.is_object() || !d.find("sid", sid) || !sid.is_string() || sid.string_size() == 0) {
          // socket.js onpacket: a CONNECT without sid comes from a 2.x server.
          out.kind = client_event_kind::connect_error;
          out.nsp = ns->name;
          out.packet = p;
          return true;
        }
        ns->sid.clear();
        (void)sid.append_string(ns->sid);
        std::string new_pid;
        if (d.find("pid", pid) && pid.is_string()) (void)pid.append_string(new_pid);
        const bool recovered = !new_pid.empty() && new_pid == ns->sent_pid;
        ns->pid = std::move(new_pid);
        ns->st = ns_state::connected;
        record& r = push(client_event_kind::connect, ns->name);
        r.sid = ns->sid;
        r.recovered = recovered;
      } else {
        // socket.io-client 2.x: the socket id is the Engine.IO sid, `nsp#sid` off the main one.
        ns->sid.clear();
        if (nsp != "/") {
          ns->sid.assign(nsp.data(), nsp.size());
          ns->sid += '#';
        }
        ns->sid.append(eng_.sid().data(), eng_.sid().size());
        ns->st = ns_state::connected;
        push(client_event_kind::connect, ns->name).sid = ns->sid;
      }
      flush_buffer(*ns, now);
      return false;
    }
    case packet_type::connect_error: {
      // v5 CONNECT_ERROR; v4 ERROR (an ERROR on "/" concerns every socket, socket.io-client 2.x).
      if (!ns && !v5() && nsp == "/") {
        for (nsp_rec& n : nsps_) {
          if (n.st == ns_state::connected) continue;
          ns = &n;
          break;
        }
      }
      if (!ns || ns->st == ns_state::connected) return false;
      // socket.js: CONNECT_ERROR destroys the socket; it is not joined again.
      cur_.nsp = ns->name;
      resolve_acks(ns->uid, true);
      const std::string name = ns->name;
      remove_nsp(name);
      out.kind = client_event_kind::connect_error;
      out.nsp = cur_.nsp;
      out.packet = p;
      after_last_left(now);
      return true;
    }
    case packet_type::event:
    case packet_type::binary_event: {
      if (!ns) return false;
      out.kind = client_event_kind::event;
      out.nsp = ns->name;
      out.packet = p;
      if (!ns->pid.empty() && !p.id()) {
        // socket.js onevent/emitEvent: with a pid, a string last argument is the offset (an
        // event with an ack id ends with the ack function there, so it carries none).
        any_value last;
        for (const any_value& a : p.arguments()) last = a;
        if (last.is_string()) {
          ns->offset.clear();
          (void)last.append_string(ns->offset);
          ns->has_offset = true;
          out.offset = ns->offset;
        }
      }
      return true;
    }
    case packet_type::ack:
    case packet_type::binary_ack: {
      if (!ns || !p.id()) return false;
      const std::uint64_t id = *p.id();
      for (std::size_t i = 0; i < acks_.size(); ++i) {
        if (acks_[i].uid != ns->uid || acks_[i].id != id) continue;
        acks_.erase(acks_.begin() + static_cast<std::ptrdiff_t>(i));
        out.kind = client_event_kind::ack;
        out.nsp = ns->name;
        out.ack_id = id;
        out.packet = p;
        return true;
      }
      return false;  // socket.js onack: an unknown id is ignored
    }
    case packet_type::disconnect: {
      if (!ns) return false;
      // socket.js ondisconnect: destroy, onclose("io server disconnect").
      if (ns->st == ns_state::connected)
        push(client_event_kind::disconnect, ns->name).reason =
            disconnect_reason::io_server_disconnect;
      resolve_acks(ns->uid, true);
      const std::string name = ns->name;
      remove_nsp(name);
      after_last_left(now);
      return false;
    }
  }
  return false;
}

inline std::optional<client_event> client::poll_event() {
  for (;;) {
    if (q_head_ < q_size_) {
      std::swap(cur_, q_[q_head_++]);
      if (q_head_ == q_size_) q_head_ = q_size_ = 0;
      client_event ev;
      ev.kind = cur_.kind;
      ev.nsp = cur_.nsp;
      ev.sid = cur_.sid;
      ev.recovered = cur_.recovered;
      ev.session_failed = cur_.session_failed;
      ev.ack_id = cur_.ack_id;
      ev.reason = cur_.reason;
      ev.attempt = cur_.attempt;
      ev.delay = cur_.delay;
      return ev;
    }
    std::optional<engineio::event> e = eng_.poll_event();
    if (!e) return std::nullopt;
    const millis now = last_now_;
    client_event ev;
    switch (e->kind) {
      case engineio::event_kind::open:
        on_engine_open(now);
        ev.kind = client_event_kind::engine;
        ev.engine_event = *e;
        return ev;
      case engineio::event_kind::upgrade:
        ev.kind = client_event_kind::engine;
        ev.engine_event = *e;
        return ev;
      case engineio::event_kind::close:
        on_engine_close(*e, now);
        ev.kind = client_event_kind::engine;
        ev.engine_event = *e;
        return ev;
      case engineio::event_kind::message: {
        const result<any_packet> r = codec_.decode(e->packet);
        if (!r) {
          if (r.error() == errc::incomplete) continue;
          // Manager.ondata: a packet the decoder refuses closes with "parse error".
          override_reason_ = disconnect_reason::parse_error;
          eng_.close(now);
          continue;
        }
        if (on_packet(*r, ev, now)) return ev;
        continue;
      }
    }
  }
}

}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_CLIENT_HPP
