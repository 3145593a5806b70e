// SPDX-License-Identifier: BSL-1.0
// The Socket.IO client session of examples/client, without any I/O ("sans-I/O").
//
// The library's socketio::client does the protocol: the Engine.IO session (handshake, heartbeat,
// the upgrade, the polling requests), namespaces, acks with deadlines, the codec of either parser
// and reconnection. This file is the glue: it feeds the engine what the transports report, with
// the one fact the codec needs from them (text or binary frame, text or octet-stream body), keeps
// the words that make a failure readable (which input, which transport error), answers the
// server's ack requests, and turns the script's JSON into packets. The socket stack
// (the client adapter's I/O, include/siocodec/adapters/beast/detail/client_io.hpp: Boost.Beast)
// does what the engine's transmits ask (open a WebSocket, send,
// close, GET, POST). docs/integration.md walks through it.
#ifndef SIOCODEC_EXAMPLES_CLIENT_SESSION_HPP
#define SIOCODEC_EXAMPLES_CLIENT_SESSION_HPP

#include <siocodec/siocodec.hpp>
#include <siocodec/socketio/client.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace sioclient {

namespace eio = siocodec::engineio;
namespace sio = siocodec::socketio;
namespace json = siocodec::json;
using clock = std::chrono::steady_clock;

inline const char* to_string(eio::transport_kind t) noexcept {
  return t == eio::transport_kind::websocket ? "websocket" : "polling";
}

/// steady_clock in milliseconds: the `now` the engine is given, and the unit of its deadlines.
inline eio::millis now_ms() {
  const auto d =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock::now().time_since_epoch());
  return static_cast<eio::millis>(d.count());
}

struct session_config {
  /// Engine.IO v4 talks Socket.IO v5 (socket.io >= 3); v3 talks Socket.IO v4 (socket.io 2.x).
  eio::protocol_version version = eio::protocol_version::v4;
  /// The transport the session opens with.
  eio::transport_kind initial = eio::transport_kind::websocket;
  /// Upgrade a polling session to WebSocket when the server offers it.
  bool upgrade = true;
  /// Our decode limit for one frame or polling body (what we accept from the server).
  std::size_t max_payload = 64u << 20;
  /// The Socket.IO parser: the server's (socket.io's `parser` option) must be the same.
  sio::parser_kind parser = sio::parser_kind::json;
  /// Accept a handshake whose sid holds characters other than RFC 3986 unreserved ones, as
  /// engine.io-client does (eio::handshake_options::lax). Off: such a handshake ends the session
  /// with a parse error, since a server that sends it is broken or hostile. Either way the engine
  /// percent-encodes the sid in our URLs.
  bool lax_handshake = false;
  /// Reconnection (socket.io-client's Manager options; the engine's defaults are the reference's).
  sio::reconnect_options reconnect;
};

/// What the session reports to its user. Views are valid during the call only.
class listener {
 public:
  virtual ~listener() = default;
  /// Every event of the engine (the Engine.IO session's open and upgrade come as `engine`).
  virtual void on_event(const sio::client_event& e) = 0;
  /// The client is closed for good: `reason` is the reference's string, `error` (empty for a
  /// clean close) says what failed.
  virtual void on_close(std::string_view reason, std::string_view error) = 0;
};

/// Writes one JSON value of a script to `w` (the writer of either parser), turning the objects
/// {"$binary":"<hex>"} (the example's notation for bytes) into binary values: attachments, or
/// msgpack bins. Hex bytes are decoded into `keep`, which must outlive the encode. Returns false
/// on malformed hex. Recursion depth is bounded by the JSON validators' depth limit (json::parse
/// refuses deeper input).
template <class W>
bool write_json(W& w, const json::value& v, std::deque<std::string>& keep) {
  if (v.is_array()) {
    w.begin_array();
    for (const json::value& e : v.elements()) {
      if (!write_json(w, e, keep)) return false;
    }
    w.end_array();
    return true;
  }
  if (v.is_object()) {
    json::value hex;
    if (v.size() == 1 && v.find("$binary", hex) && hex.is_string() && !hex.has_escapes()) {
      const std::string_view h = hex.string_raw();
      if (h.size() % 2 != 0) return false;
      std::string& b = keep.emplace_back();
      for (std::size_t i = 0; i < h.size(); i += 2) {
        int hi = 0, lo = 0;
        const auto nibble = [](char c, int& out) {
          if (c >= '0' && c <= '9')
            out = c - '0';
          else if (c >= 'a' && c <= 'f')
            out = c - 'a' + 10;
          else if (c >= 'A' && c <= 'F')
            out = c - 'A' + 10;
          else
            return false;
          return true;
        };
        if (!nibble(h[i], hi) || !nibble(h[i + 1], lo)) return false;
        b.push_back(static_cast<char>(hi * 16 + lo));
      }
      w.binary(siocodec::byte_view(std::string_view(b)));
      return true;
    }
    w.begin_object();
    for (const json::member& m : v.members()) {
      if (m.key.has_escapes()) {
        std::string key;
        if (!m.key.unescape(key)) return false;
        w.key(key);
      } else {
        w.key(m.key.string_raw());
      }
      if (!write_json(w, m.val, keep)) return false;
    }
    w.end_object();
    return true;
  }
  w.raw(v.raw());  // scalars: already valid JSON text (msgpack: converted by the writer)
  return true;
}

/// Writes a received value (of either parser) back through `w`, binary values included: how
/// the session echoes a server's arguments. Depth is bounded by the decoders' max_depth.
template <class W>
void write_received(W& w, const sio::any_value& v) {
  switch (v.kind()) {
    case sio::value_kind::binary: w.binary(v.bytes()); return;
    case sio::value_kind::array:
      w.begin_array();
      for (const sio::any_value& e : v.elements()) write_received(w, e);
      w.end_array();
      return;
    case sio::value_kind::object:
      w.begin_object();
      for (const sio::any_member& m : v.members()) {
        std::string key;
        (void)m.key.append_string(key);
        w.key(key);
        write_received(w, m.val);
      }
      w.end_object();
      return;
    default: break;
  }
  // Scalars verbatim. The parser that decoded `v` is the one encoding now, so a JSON value meets
  // args_writer and a msgpack value msgpack_args_writer; the other pairs only need to compile.
  if constexpr (std::is_same_v<W, sio::msgpack_args_writer>) {
    if (v.is_msgpack()) return void(w.raw_msgpack(v.as_msgpack()));
  }
  if (!v.is_msgpack()) return void(w.raw(v.as_json().raw()));
  w.null();
}

// Appends `s` with everything but RFC 3986 unreserved characters as %XX, so that it stays one
// query value (eio::encode_sid does this for the sid only).
inline void percent_encode(std::string_view s, std::string& out) {
  static const char hex[] = "0123456789ABCDEF";
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '-' ||
        u == '_' || u == '.' || u == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(hex[u >> 4]);
      out.push_back(hex[u & 15]);
    }
  }
}

// v4 CONNECT has no payload: a JSON object of scalars becomes key=value&... (percent-encoded).
inline bool auth_to_query(std::string_view auth, std::string& out) {
  auto v = json::parse(auth);
  if (!v || !v->is_object()) return false;
  for (const json::member& m : v->members()) {
    std::string k, val;
    if (!m.key.unescape(k)) return false;
    if (m.val.is_string()) {
      if (!m.val.unescape(val)) return false;
    } else if (!m.val.is_array() && !m.val.is_object()) {
      val = std::string(m.val.raw());
    } else {
      return false;
    }
    if (!out.empty()) out.push_back('&');
    percent_encode(k, out);
    out.push_back('=');
    percent_encode(val, out);
  }
  return true;
}

/// The client session: socketio::client plus what the example needs around it.
class session {
 public:
  session(const session_config& cfg, listener& l)
      : cfg_(cfg), listener_(l), client_(options(cfg)) {}

  /// Starts the first Engine.IO session. `random` seeds the engine (the `t` cache-busters and
  /// the reconnection jitter: the engine has no randomness of its own).
  void start(std::uint64_t random) {
    (void)client_.open(now_ms(), random);  // fails only when called twice
    drain_events();
  }

  /// Joins `nsp`; `auth` is a JSON object or empty. v5 sends it as the CONNECT payload; v4 has
  /// no CONNECT payload, so it becomes the namespace's query string (`0/nsp?token=x,`), which is
  /// what socket.io-client 2.x does with its `query` option. The engine keeps it and sends it
  /// again on every re-join. Returns false when the CONNECT cannot be encoded.
  bool connect(std::string_view nsp, std::string_view auth) {
    siocodec::errc e;
    if (cfg_.version == eio::protocol_version::v4) {
      e = auth.empty() ? client_.join(nsp, now_ms())
                       : client_.join(nsp, sio::raw_json(auth), now_ms());
    } else {
      std::string query;
      if (!auth.empty() && !auth_to_query(auth, query)) return false;
      e = client_.join_query(nsp, query, now_ms());
    }
    if (e != siocodec::errc::none) return false;
    if (std::find(joined_.begin(), joined_.end(), nsp) == joined_.end()) joined_.emplace_back(nsp);
    state_.emplace(std::string(nsp), ns_state::joining);  // joined already: as it was
    drain_events();
    return true;
  }

  /// Emits event `name` on `nsp` with `args_json` (a JSON array; {"$binary":"hex"} objects are
  /// sent as attachments). With `want_ack`, asks for an ack (`ack_timeout` ms, 0: none). Not
  /// connected (a reconnection under way): the engine buffers it. Returns false when the
  /// arguments cannot be encoded or the engine refused the emit.
  bool emit(std::string_view nsp, std::string_view name, std::string_view args_json, bool want_ack,
            eio::millis ack_timeout) {
    auto args = json::parse(args_json);
    if (!args || !args->is_array()) return false;
    std::deque<std::string> keep;
    bool hex_ok = true;
    auto write_args = [&](auto& w) {
      for (const json::value& a : args->elements()) hex_ok = write_json(w, a, keep) && hex_ok;
    };
    sio::emit_options o;
    o.want_ack = want_ack;
    o.ack_timeout = ack_timeout;
    const auto r = client_.emit(sio::event(name, write_args).nsp(nsp), now_ms(), o);
    drain_events();
    return r.has_value() && hex_ok;
  }

  /// The answer the session gives when the server asks an ack for event `name`: a JSON array
  /// (binary as in emit()). Without one, the session echoes the event's arguments back.
  void set_reply(std::string name, std::string args_json) {
    replies_[std::move(name)] = std::move(args_json);
  }

  /// Leaves `nsp` (DISCONNECT; disconnect "io client disconnect").
  void leave(std::string_view nsp) {
    forget(nsp);
    (void)client_.leave(nsp, now_ms());
    drain_events();
  }

  /// Leaves every namespace and closes the session for good. Over polling, one DISCONNECT per
  /// POST (see poll_transmit()).
  void close() { closing_ = true; }

  /// close(), without waiting for anything: for a server that no longer answers.
  void close_now() {
    closing_ = true;
    closed_by_us();
    client_.close(now_ms());
    drain_events();
  }

  /// Where `nsp` stands: joining (0), connected (1) or neither (2: refused, left, never joined).
  int namespace_state(std::string_view nsp) const {
    const auto it = state_.find(std::string(nsp));
    return it == state_.end() ? 2 : static_cast<int>(it->second);
  }

  // --- the I/O side: what the transports report, tagged with the Engine.IO session they
  // belong to (generation()): a late answer of a session already gone is dropped. -----------
  void on_ws_open() {
    client_.handle_ws_open(now_ms());
    drain_events();
  }
  void on_ws_message(std::string_view data, bool binary) {
    input_ = "websocket message";
    client_.handle_ws_message(binary ? eio::frame_kind::binary : eio::frame_kind::text, data,
                              now_ms());
    drain_events();
  }
  void on_ws_closed(bool error, std::string_view what) {
    transport_error_ = std::string(what);
    client_.handle_ws_closed(now_ms(), error);
    drain_events();
    transport_error_.clear();
  }
  /// A polling GET answered 200; `octet_stream`: Content-Type application/octet-stream (an
  /// Engine.IO v3 binary payload).
  void on_get_response(std::string_view body, bool octet_stream, std::uint64_t gen) {
    if (gen != gen_) return;
    input_ = "polling body";
    client_.handle_get_response(octet_stream ? eio::frame_kind::binary : eio::frame_kind::text,
                                body, now_ms());
    drain_events();
  }
  void on_post_response(std::uint64_t gen) {
    if (gen != gen_) return;
    post_in_flight_ = false;
    client_.handle_post_response(now_ms());
    drain_events();
  }
  /// The GET or POST failed, or was answered with another status (`what`).
  void on_http_error(eio::client_action request, std::string_view what, std::uint64_t gen) {
    if (gen != gen_) return;
    if (request == eio::client_action::post) post_in_flight_ = false;
    transport_error_ = std::string(what);
    client_.handle_http_error(request, now_ms());
    drain_events();
    transport_error_.clear();
  }
  void on_timer() {
    client_.handle_timeout(now_ms());
    drain_events();
  }
  std::optional<clock::time_point> next_deadline() const {
    const eio::millis d = client_.next_deadline();
    if (d == eio::no_deadline) return std::nullopt;
    return clock::time_point(std::chrono::milliseconds(d));
  }
  /// Counts the Engine.IO sessions: a new one starts after each close event.
  std::uint64_t generation() const noexcept { return gen_; }

  /// The next thing the transports must do; its views are valid until the next call on the
  /// session. While closing over polling, one namespace is left per POST and the last with
  /// client::close() once no POST is in flight, so that the Engine.IO session closes in that
  /// call: with a POST in flight the engine would wait for the POSTs to drain
  /// (engineio::client::is_closing(), as engine.io-client waits for "drain") after this session
  /// has reported its end, and the listener stops the transports then.
  std::optional<eio::client_transmit> poll_transmit() {
    drain_events();
    auto t = client_.poll_transmit();
    if (!t && closing_ && client_.is_open() &&
        (client_.engine().transport() == eio::transport_kind::websocket || !post_in_flight_)) {
      if (joined_.size() > 1 && client_.engine().is_open() &&
          client_.engine().transport() == eio::transport_kind::polling) {
        leave(std::string(joined_.front()));
      } else {
        closed_by_us();
        client_.close(now_ms());
        drain_events();
      }
      t = client_.poll_transmit();
    }
    if (t && t->action == eio::client_action::post) post_in_flight_ = true;
    return t;
  }

  /// Closed for good; see listener::on_close(). poll_transmit() may still hand out what ends
  /// the transport.
  bool closed() const noexcept { return closed_; }

 private:
  enum class ns_state { joining = 0, connected = 1 };

  static sio::client_options options(const session_config& cfg) {
    sio::client_options o;
    o.engine.version = cfg.version;
    o.engine.initial = cfg.initial;
    o.engine.upgrade = cfg.upgrade;
    o.engine.handshake.lax = cfg.lax_handshake;
    o.engine.decode.max_payload = cfg.max_payload;
    o.parser = cfg.parser;
    // A client trusts its server more than a server trusts the internet: allow the 1 MB
    // attachments and events of the interop suite, with room to spare.
    o.codec.decode.max_attachment_bytes = cfg.max_payload;
    o.codec.decode.max_packet_bytes = cfg.max_payload;
    o.reconnect = cfg.reconnect;
    return o;
  }

  // The end is ours, whatever ended an earlier Engine.IO session.
  void closed_by_us() {
    final_reason_ = "io client disconnect";
    final_error_.clear();
  }

  void forget(std::string_view nsp) {
    joined_.erase(std::remove(joined_.begin(), joined_.end(), nsp), joined_.end());
    state_.erase(std::string(nsp));
  }

  // Hands every event to the listener. Handlers call the session again (emits, acks), which
  // may add events: the loop takes them too, and a nested call returns at once.
  void drain_events() {
    if (draining_) return;
    draining_ = true;
    while (const auto e = client_.poll_event()) {
      handle(*e);
      // Views die with the next call: the listener has seen `e`, now the session acts on it.
      if (e->kind == sio::client_event_kind::event && e->packet.id()) answer(e->packet);
      if (fatal_) {
        fatal_ = false;
        client_.close(now_ms());  // the views of `e` are no longer used
      }
    }
    draining_ = false;
    if (!closed_ && !client_.is_open()) {
      closed_ = true;
      listener_.on_close(final_reason_, final_error_);
    }
  }

  void handle(const sio::client_event& e) {
    using k = sio::client_event_kind;
    switch (e.kind) {
      case k::connect: state_[std::string(e.nsp)] = ns_state::connected; break;
      case k::connect_error:
        // A session that could not be opened is retried; a refusal is final (the engine
        // forgets the namespace).
        if (!e.session_failed) forget(e.nsp);
        break;
      case k::disconnect:
        if (e.reason == sio::disconnect_reason::io_server_disconnect) {
          forget(e.nsp);
        } else if (e.reason != sio::disconnect_reason::io_client_disconnect) {
          state_[std::string(e.nsp)] = ns_state::joining;  // re-joined on reconnect
        }
        if (e.reason == sio::disconnect_reason::parse_error) fail("parse error", "");
        break;
      case k::engine:
        if (e.engine_event.kind == eio::event_kind::close) on_engine_close(e.engine_event);
        break;
      default: break;
    }
    listener_.on_event(e);
  }

  // Why the Engine.IO session ended, in the words of the final close line (if it is the last).
  void on_engine_close(const eio::event& e) {
    ++gen_;
    post_in_flight_ = false;
    if (final_reason_ == "io client disconnect") return;
    final_reason_ = sio::to_string(sio::from_engine(e.reason, true));
    final_error_.clear();
    if (e.error != siocodec::errc::none) {
      final_error_ =
          input_ + ": " + siocodec::to_string(e.error) + " at offset " + std::to_string(e.offset);
    } else if (e.reason == eio::close_reason::ping_timeout) {
      final_error_ = cfg_.version == eio::protocol_version::v4 ? "no ping from the server in time"
                                                               : "no pong from the server in time";
    } else if (e.reason == eio::close_reason::transport_error ||
               e.reason == eio::close_reason::transport_close) {
      final_error_ = transport_error_;
    }
    // What siocodec refused will not improve by asking again: the example stops there (the
    // reference would reconnect).
    if (e.reason == eio::close_reason::parse_error) fail("parse error", final_error_);
  }

  void fail(std::string reason, std::string error) {
    final_reason_ = std::move(reason);
    if (!error.empty() || final_error_.empty()) {
      final_error_ = error.empty() ? "the server sent a packet siocodec refused" : std::move(error);
    }
    fatal_ = true;
  }

  // The server asked for an ack: answer with the configured reply, or echo the arguments
  // (binary included: attachments resolved to their bytes, msgpack bins as they are).
  void answer(const sio::any_packet& p) {
    std::deque<std::string> keep;
    bool ok = true;
    std::string key;
    if (p.event_name().is_string()) (void)p.event_name().append_string(key);
    std::optional<json::value> reply_args;
    if (const auto reply = replies_.find(key); reply != replies_.end()) {
      auto parsed = json::parse(reply->second);
      if (parsed && parsed->is_array()) reply_args = *parsed;
    }
    auto b = sio::ack(*p.id(), [&](auto& w) {
      if (reply_args) {
        for (const json::value& a : reply_args->elements()) ok = write_json(w, a, keep) && ok;
      } else {
        for (const sio::any_value& a : p.arguments()) write_received(w, a);
      }
    });
    if (client_.send(b.nsp(p.nsp()), now_ms()) != siocodec::errc::none || !ok) {
      fail("parse error", "cannot encode an ack");
    }
  }

  session_config cfg_;
  listener& listener_;
  sio::client client_;
  bool draining_ = false, closing_ = false, closed_ = false, fatal_ = false;
  bool post_in_flight_ = false;  // a POST handed to the transport and not yet answered
  std::uint64_t gen_ = 0;
  std::string input_ = "input";  // what the engine was last fed, for error messages
  // Why the transport failed, as it said; kept during the call that reports it only, since a
  // failed upgrade probe closes nothing.
  std::string transport_error_;
  std::string final_reason_ = "transport close", final_error_;
  std::vector<std::string> joined_;  // in join order: left one by one when closing
  std::map<std::string, ns_state> state_;
  std::map<std::string, std::string> replies_;
};

}  // namespace sioclient

#endif  // SIOCODEC_EXAMPLES_CLIENT_SESSION_HPP
