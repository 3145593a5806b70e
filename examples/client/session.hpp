// SPDX-License-Identifier: BSL-1.0
// The Socket.IO client session of examples/client, without any I/O ("sans-I/O").
//
// Two layers. The Engine.IO session (handshake, heartbeat timers, the upgrade from polling to
// WebSocket, the polling requests) is the library's engineio::client. On top of it, this file
// keeps the Socket.IO layer: namespace connects, ack ids, and the Socket.IO parser (the default
// one, with the reassembly of binary packets, or msgpack: session_config::parser).
// The socket stack (transports.hpp: Boost.Beast) only moves bytes: it hands the session what it
// received, with the one fact the codec needs from the transport (text or binary frame, text or
// octet-stream body), and does what the engine's transmits ask (open a WebSocket, send, close,
// GET, POST). docs/integration.md walks through it.
#ifndef SIOCODEC_EXAMPLES_CLIENT_SESSION_HPP
#define SIOCODEC_EXAMPLES_CLIENT_SESSION_HPP

#include <siocodec/engineio/client.hpp>
#include <siocodec/siocodec.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
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
};

/// What the session reports to its user: packets and values of either parser (binary values,
/// attachments or msgpack bins, have kind binary and their bytes). Valid during the call only.
class listener {
 public:
  virtual ~listener() = default;
  virtual void on_open(const eio::handshake& hs, eio::transport_kind t) = 0;
  virtual void on_upgrade(eio::transport_kind t) = 0;
  /// CONNECT acknowledged (`data` is the server's object; absent when it sent none).
  virtual void on_connect(std::string_view nsp, const sio::any_value& data) = 0;
  /// CONNECT refused (v5 CONNECT_ERROR, v4 ERROR while connecting).
  virtual void on_connect_error(std::string_view nsp, const sio::any_value& data) = 0;
  /// An EVENT or BINARY_EVENT, complete with its attachments.
  virtual void on_event(const sio::any_packet& p) = 0;
  /// The ACK or BINARY_ACK answering one of our emits.
  virtual void on_ack(const sio::any_packet& p) = 0;
  /// An ACK or BINARY_ACK for no emit of ours (no id, an id never sent or already answered):
  /// ignored, as socket.io-client does (python-socketio's msgpack serializer drops ack id 0).
  virtual void on_unexpected_ack(const sio::any_packet& p) = 0;
  /// A namespace is gone: "io server disconnect", "io client disconnect", "transport close"...
  virtual void on_disconnect(std::string_view nsp, std::string_view reason) = 0;
  /// The Engine.IO session ended. `error` is empty for a clean close.
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

/// The client session: the Socket.IO layer on one engineio::client. Single-threaded: call
/// everything from the thread that runs the I/O.
///
/// The I/O layer's contract, in full:
/// - start() once;
/// - feed what the transports report: on_ws_open(), on_ws_message(), on_ws_closed() for the
///   WebSocket, on_get_response(), on_post_response(), on_http_error() for the HTTP requests,
///   on_timer() at next_deadline();
/// - after each of them, and after the application's calls, drain poll_transmit() into the
///   transports until it returns nothing; closed() turns true once the session is over.
class session {
 public:
  session(const session_config& cfg, listener& l)
      : cfg_(cfg),
        listener_(l),
        codec_(cfg.parser, codec_options(cfg)),
        engine_(engine_options(cfg)) {}

  /// Starts the Engine.IO session. `random` seeds the engine's `t` cache-busters (the engine has
  /// no randomness of its own).
  void start(std::uint64_t random) {
    (void)engine_.open(now_ms(), random);  // fails only when called twice
  }

  // ----------------------------------------------------------------------------------------
  // The application side: namespaces, emits, acks, disconnect.
  // ----------------------------------------------------------------------------------------

  /// Joins `nsp`; `auth` is a JSON object or empty. v5 sends it as the CONNECT payload; v4 has
  /// no CONNECT payload, so it becomes the namespace's query string (`0/nsp?token=x,`), which is
  /// what socket.io-client 2.x does with its `query` option. Over v4 the server joins every
  /// client to "/" by itself, so joining "/" sends nothing. Before the handshake the CONNECT
  /// waits for the engine's open event. Returns false when the CONNECT cannot be encoded.
  bool connect(std::string_view nsp, std::string_view auth) {
    const bool v4_main = sio_version() == sio::protocol_version::v4 && (nsp == "/" || nsp.empty());
    if (v4_main && namespace_state("/") == static_cast<int>(ns_state::connected)) return true;
    // engineio::client::send() takes messages once the session is open: until then the CONNECT
    // waits for the open event, and `auth` is checked now, so that a bad one is refused at once.
    std::string query;
    const bool open = engine_.is_open();
    if (!open && !auth.empty() &&
        !(sio_version() == sio::protocol_version::v5 ? is_object(auth)
                                                     : auth_to_query(auth, query))) {
      return false;
    }
    namespaces_[std::string(nsp)] = ns_state::connecting;
    refused_.erase(std::string(nsp));
    if (open) return send_connect(nsp, auth);
    pending_connects_.emplace_back(std::string(nsp), std::string(auth));
    return true;
  }

  /// Emits event `name` on `nsp` with `args_json` (a JSON array; {"$binary":"hex"} objects are
  /// sent as attachments). With `want_ack`, returns the ack id the answer will carry.
  /// Returns nullopt with `ok` false when the arguments cannot be encoded.
  std::optional<std::uint64_t> emit(std::string_view nsp, std::string_view name,
                                    std::string_view args_json, bool want_ack, bool& ok) {
    ok = false;
    auto args = json::parse(args_json);
    if (!args || !args->is_array()) return std::nullopt;
    std::deque<std::string> keep;
    bool hex_ok = true;
    auto write_args = [&](auto& w) {
      for (const json::value& a : args->elements()) hex_ok = write_json(w, a, keep) && hex_ok;
    };
    std::optional<std::uint64_t> id;
    if (want_ack) id = next_ack_id_[std::string(nsp)]++;
    auto b = sio::event(name, write_args).nsp(nsp);
    if (id) b.id(*id);
    if (!send_packet(b) || !hex_ok) return std::nullopt;
    if (id) pending_acks_.insert({std::string(nsp), *id});
    ok = true;
    return id;
  }

  /// The answer the session gives when the server asks an ack for event `name`: a JSON array
  /// (binary as in emit()). Without one, the session echoes the event's arguments back.
  void set_reply(std::string name, std::string args_json) {
    replies_[std::move(name)] = std::move(args_json);
  }

  /// Leaves `nsp` (DISCONNECT). Reports on_disconnect("io client disconnect").
  void leave(std::string_view nsp) {
    auto it = namespaces_.find(std::string(nsp));
    if (it == namespaces_.end()) return;
    if (it->second == ns_state::connected) {
      (void)send_packet(sio::disconnect(nsp));
      listener_.on_disconnect(nsp, "io client disconnect");
    }
    namespaces_.erase(it);
  }

  /// Leaves every namespace, then closes the Engine.IO session once what is queued has gone out
  /// (see poll_transmit()).
  void close() {
    if (closing_ || closed_) return;
    std::vector<std::string> names;
    for (const auto& n : namespaces_) names.push_back(n.first);
    for (const auto& n : names) leave(n);
    closing_ = true;
  }

  /// close(), without waiting for anything: for a server that no longer answers.
  void close_now() {
    close();
    engine_.close(now_ms());
    drain_events();
  }

  /// The state of a namespace: 0 unknown, 1 connecting, 2 connected, 3 refused.
  int namespace_state(std::string_view nsp) const {
    auto it = namespaces_.find(std::string(nsp));
    if (it != namespaces_.end()) return static_cast<int>(it->second);
    return refused_.count(std::string(nsp)) != 0 ? static_cast<int>(ns_state::refused) : 0;
  }

  // ----------------------------------------------------------------------------------------
  // The I/O side: what the transports report. Each goes to the engine, then its events are
  // handled.
  // ----------------------------------------------------------------------------------------

  /// The WebSocket the engine asked for (open_websocket) is connected.
  void on_ws_open() {
    engine_.handle_ws_open(now_ms());
    drain_events();
  }

  /// A WebSocket message, with the kind of frame it came in.
  void on_ws_message(std::string_view data, bool binary) {
    input_ = "websocket message";
    const auto kind = binary ? eio::frame_kind::binary : eio::frame_kind::text;
    engine_.handle_ws_message(kind, data, now_ms());
    drain_events();
  }

  /// The WebSocket closed: cleanly (the server's close frame, or ours) or not (`what` says why).
  void on_ws_closed(bool error, std::string_view what) {
    transport_error_ = std::string(what);
    engine_.handle_ws_closed(now_ms(), error);
    drain_events();
    transport_error_.clear();
  }

  /// A polling GET answered 200; `body` and `octet_stream` (Content-Type
  /// application/octet-stream: an Engine.IO v3 binary payload) as received.
  void on_get_response(std::string_view body, bool octet_stream) {
    input_ = "polling body";
    const auto kind = octet_stream ? eio::frame_kind::binary : eio::frame_kind::text;
    engine_.handle_get_response(kind, body, now_ms());
    drain_events();
  }

  /// The POST in flight was answered 200.
  void on_post_response() {
    post_in_flight_ = false;
    engine_.handle_post_response(now_ms());
    drain_events();
  }

  /// The GET or POST in flight failed, or was answered with another status (`what`).
  void on_http_error(eio::client_action request, std::string_view what) {
    if (request == eio::client_action::post) post_in_flight_ = false;
    transport_error_ = std::string(what);
    engine_.handle_http_error(request, now_ms());
    drain_events();
    transport_error_.clear();
  }

  /// The timer of next_deadline() fired.
  void on_timer() {
    engine_.handle_timeout(now_ms());
    drain_events();
  }

  /// When on_timer() wants to run (the engine's one deadline).
  std::optional<clock::time_point> next_deadline() const {
    const eio::millis d = engine_.next_deadline();
    if (d == eio::no_deadline) return std::nullopt;
    return clock::time_point(std::chrono::milliseconds(d));
  }

  // ----------------------------------------------------------------------------------------
  // The I/O side: what to do next.
  // ----------------------------------------------------------------------------------------

  /// The next thing the transports must do; its views are valid until the next call on the
  /// session. Once close() was called and everything queued has gone out, the engine is
  /// closed here: over polling, the `1` packet then travels in a POST of its own, after the
  /// POST that carried the DISCONNECTs was answered. A socket.io server handles the packets of
  /// a polling body on the next tick, after a close packet in the same body would already have
  /// closed the session ("transport close" instead of "client namespace disconnect");
  /// engine.io-client waits for "drain" in the same way.
  std::optional<eio::client_transmit> poll_transmit() {
    drain_events();
    auto t = engine_.poll_transmit();
    if (!t && closing_ && !closed_ &&
        (engine_.transport() == eio::transport_kind::websocket || !post_in_flight_)) {
      engine_.close(now_ms());
      drain_events();
      t = engine_.poll_transmit();
    }
    if (t && t->action == eio::client_action::post) post_in_flight_ = true;
    return t;
  }

  /// The session is over (closed cleanly or not); see listener::on_close(). poll_transmit() may
  /// still hand out what ends the transport.
  bool closed() const noexcept { return closed_; }

 private:
  enum class ns_state { connecting = 1, connected = 2, refused = 3 };

  static sio::codec_options codec_options(const session_config& cfg) {
    sio::codec_options o;
    o.version = sio::protocol_for(cfg.version);
    // A client trusts its server more than a server trusts the internet: allow the 1 MB
    // attachments and events of the interop suite, with room to spare.
    o.decode.max_attachment_bytes = cfg.max_payload;
    o.decode.max_packet_bytes = cfg.max_payload;
    // Attachments (base64 ones too) are kept in the codec until their packet is complete.
    o.attachments = sio::attachment_mode::copy;
    return o;
  }
  static eio::client_options engine_options(const session_config& cfg) {
    eio::client_options o;
    o.version = cfg.version;
    o.initial = cfg.initial;
    o.upgrade = cfg.upgrade;
    o.handshake.lax = cfg.lax_handshake;
    o.decode.max_payload = cfg.max_payload;
    return o;
  }
  sio::protocol_version sio_version() const { return codec_.version(); }

  // The CONNECT of connect(), once the session is open.
  bool send_connect(std::string_view nsp, std::string_view auth) {
    const bool v4_main = sio_version() == sio::protocol_version::v4 && (nsp == "/" || nsp.empty());
    if (sio_version() == sio::protocol_version::v5) {
      return auth.empty() ? send_packet(sio::connect(nsp))
                          : send_packet(sio::connect(nsp, sio::raw_json(auth)));
    }
    if (v4_main) return true;  // the server joins it by itself
    std::string query;
    if (!auth.empty() && !auth_to_query(auth, query)) return false;
    return query.empty() ? send_packet(sio::connect(nsp))
                         : send_packet(sio::connect(nsp).query(query));
  }

  // A Socket.IO packet becomes Engine.IO messages: default parser, one with its text, then one
  // binary message per attachment; msgpack, one binary message (protocol v4: CONNECT,
  // DISCONNECT and ERROR are JSON text). The engine copies each and frames them for the
  // transport of the moment (a WebSocket message each, or a batch in a polling body). Returns
  // false when the packet cannot be encoded or the engine refused it (not open, or its queue
  // is full: then the session closes).
  template <class Builder>
  bool send_packet(const Builder& b) {
    std::string storage;
    std::vector<siocodec::byte_view> atts;
    siocodec::errc sent = siocodec::errc::none;
    const auto r = codec_.encode(b, storage, atts, [&](const eio::packet_view& m) {
      if (sent == siocodec::errc::none) sent = engine_.send(m, now_ms());
    });
    return r.has_value() && sent == siocodec::errc::none;
  }

  // Handles every event the engine has. Handlers call the engine again (acks, CONNECTs), which
  // may add events: the loop takes them too, and a nested call returns at once.
  void drain_events() {
    if (draining_) return;
    draining_ = true;
    while (const auto e = engine_.poll_event()) {
      switch (e->kind) {
        case eio::event_kind::open: on_open(*e); break;
        case eio::event_kind::upgrade: listener_.on_upgrade(e->transport); break;
        case eio::event_kind::message: on_message(e->packet); break;
        case eio::event_kind::close: on_close(*e); break;
      }
    }
    draining_ = false;
  }

  void on_open(const eio::event& e) {
    listener_.on_open(e.hs, e.transport);
    std::vector<std::pair<std::string, std::string>> pending;
    pending.swap(pending_connects_);
    for (const auto& c : pending) {
      if (!send_connect(c.first, c.second)) return fail_text("cannot send a CONNECT");
    }
  }

  void on_message(const eio::packet_view& m) {
    // The event's view lives until the next call on the engine, and answering (an ack) calls
    // send(): a msgpack packet, read in place, must outlive that, so it is decoded from a copy.
    // Copy mode: attachments (base64 ones too) are kept in the codec until their packet is
    // complete; a msgpack packet arrives whole (from polling base64, decoded into the codec).
    message_.assign(m.data.data(), m.data.size());
    eio::packet_view copy = m;
    copy.data = message_;
    auto r = codec_.decode(copy);
    if (!r) {
      if (r.error() == siocodec::errc::incomplete) return;  // more attachments to come
      return fail("socket.io packet", r.error(), r.offset());
    }
    const sio::any_packet& p = *r;
    const std::string nsp(p.nsp());
    switch (p.type()) {
      case sio::packet_type::connect:
        namespaces_[nsp] = ns_state::connected;
        listener_.on_connect(p.nsp(), p.data());
        return;
      case sio::packet_type::connect_error: {
        auto it = namespaces_.find(nsp);
        if (it != namespaces_.end()) {
          namespaces_.erase(it);
          refused_.insert(nsp);
        }
        listener_.on_connect_error(p.nsp(), p.data());
        return;
      }
      case sio::packet_type::disconnect:
        if (namespaces_.erase(nsp) != 0) listener_.on_disconnect(p.nsp(), "io server disconnect");
        return;
      case sio::packet_type::event:
      case sio::packet_type::binary_event:
        listener_.on_event(p);
        if (p.id()) answer(p);
        return;
      case sio::packet_type::ack:
      case sio::packet_type::binary_ack:
        if (!p.id() || pending_acks_.erase({nsp, *p.id()}) == 0) {
          return listener_.on_unexpected_ack(p);
        }
        listener_.on_ack(p);
        return;
    }
  }

  // The server asked for an ack: answer with the configured reply, or echo the arguments
  // (binary included: attachments resolved to their bytes, msgpack bins as they are).
  void answer(const sio::any_packet& p) {
    std::deque<std::string> keep;
    bool ok = true;
    const sio::any_value name = p.event_name();
    std::string key;
    if (name.is_string()) (void)name.append_string(key);
    auto reply = replies_.find(key);
    std::optional<json::value> reply_args;
    if (reply != replies_.end()) {
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
    if (!send_packet(b.nsp(p.nsp())) || !ok) fail_text("cannot encode an ack");
  }

  // Appends `s` with everything but RFC 3986 unreserved characters as %XX, so that it stays one
  // query value (eio::encode_sid does this for the sid only).
  static void percent_encode(std::string_view s, std::string& out) {
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

  static bool is_object(std::string_view text) {
    const auto v = json::parse(text);
    return v && v->is_object();
  }

  // v4 CONNECT has no payload: a JSON object of scalars becomes key=value&... (percent-encoded).
  static bool auth_to_query(std::string_view auth, std::string& out) {
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

  // Errors of the Socket.IO layer end the Engine.IO session too; the close event that follows
  // reports them.
  void fail(const char* where, siocodec::errc e, std::size_t offset) {
    fail_text(std::string(where) + ": " + siocodec::to_string(e) + " at offset " +
              std::to_string(offset));
  }
  void fail_text(std::string_view why) {
    if (closed_ || !failure_.empty()) return;
    failure_ = std::string(why);
    engine_.close(now_ms());
    drain_events();
  }

  // The engine's close event: the namespaces go with the session, then the listener hears why.
  void on_close(const eio::event& e) {
    std::string reason = eio::to_string(e.reason);
    std::string error;
    if (!failure_.empty()) {
      reason = "parse error";
      error = failure_;
    } else if (e.reason == eio::close_reason::forced_close && closing_) {
      reason = "io client disconnect";  // what socket.io-client reports for its own close
    } else if (e.error != siocodec::errc::none) {
      error =
          input_ + ": " + siocodec::to_string(e.error) + " at offset " + std::to_string(e.offset);
    } else if (e.reason == eio::close_reason::ping_timeout) {
      error = cfg_.version == eio::protocol_version::v4 ? "no ping from the server in time"
                                                        : "no pong from the server in time";
    } else if (e.reason == eio::close_reason::transport_error ||
               e.reason == eio::close_reason::transport_close) {
      error = transport_error_;
    }
    closed_ = true;
    codec_.reset();
    std::vector<std::string> names;
    for (const auto& n : namespaces_) names.push_back(n.first);
    namespaces_.clear();
    for (const auto& n : names) listener_.on_disconnect(n, reason);
    listener_.on_close(reason, error);
  }

  session_config cfg_;
  listener& listener_;
  sio::codec codec_;
  eio::client engine_;
  bool draining_ = false;
  bool closing_ = false;
  bool closed_ = false;
  bool post_in_flight_ = false;  // a POST handed to the transport and not yet answered
  std::string input_ = "input";  // what the engine was last fed, for error messages
  // Why the transport failed, as it said; kept during the call that reports it only, since a
  // failed upgrade probe closes nothing.
  std::string transport_error_;
  std::string failure_;  // why the Socket.IO layer closed the session
  std::string message_;  // the message being decoded (see on_message)
  std::vector<std::pair<std::string, std::string>> pending_connects_;  // before the handshake
  std::map<std::string, ns_state> namespaces_;
  std::set<std::string> refused_;
  std::set<std::pair<std::string, std::uint64_t>> pending_acks_;
  // socket.io-client numbers the acks of each namespace socket from 0.
  std::map<std::string, std::uint64_t> next_ack_id_;
  std::map<std::string, std::string> replies_;
};

}  // namespace sioclient

#endif  // SIOCODEC_EXAMPLES_CLIENT_SESSION_HPP
