// SPDX-License-Identifier: BSL-1.0
// The Engine.IO / Socket.IO client session of examples/client, without any I/O ("sans-I/O").
//
// Everything the protocol needs lives here: the handshake, the heartbeat timers, the upgrade
// from polling to WebSocket, namespace connects, ack ids, and the Socket.IO parser (the default
// one, with the reassembly of binary packets, or msgpack: session_config::parser).
// The socket stack (transports.hpp: Boost.Beast) only moves bytes: it hands the session what it
// received, with the one fact the codec needs from the transport (text or binary frame, text or
// octet-stream body), and sends what the session asks it to send. docs/integration.md walks
// through it.
#ifndef SIOCODEC_EXAMPLES_CLIENT_SESSION_HPP
#define SIOCODEC_EXAMPLES_CLIENT_SESSION_HPP

#include <siocodec/siocodec.hpp>

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

enum class transport { websocket, polling };

inline const char* to_string(transport t) noexcept {
  return t == transport::websocket ? "websocket" : "polling";
}

struct session_config {
  /// Engine.IO v4 talks Socket.IO v5 (socket.io >= 3); v3 talks Socket.IO v4 (socket.io 2.x).
  eio::protocol_version version = eio::protocol_version::v4;
  /// The transport the session opens with.
  transport initial = transport::websocket;
  /// Upgrade a polling session to WebSocket when the server offers it.
  bool upgrade = true;
  /// Our decode limit for one frame or polling body (what we accept from the server).
  std::size_t max_payload = 64u << 20;
  /// The Socket.IO parser: the server's (socket.io's `parser` option) must be the same.
  sio::parser_kind parser = sio::parser_kind::json;
  /// Accept a handshake whose sid holds characters other than RFC 3986 unreserved ones, as
  /// engine.io-client does (eio::handshake_options::lax). Off: such a handshake ends the session
  /// with a parse error, since a server that sends it is broken or hostile. Either way the sid
  /// is percent-encoded in our URLs.
  bool lax_handshake = false;
};

/// One frame for the WebSocket (`binary` selects a binary frame), or one polling body (`binary`:
/// an application/octet-stream body, Engine.IO v3 only).
struct out_frame {
  std::string bytes;
  bool binary = false;
};

/// What the session reports to its user: packets and values of either parser (binary values,
/// attachments or msgpack bins, have kind binary and their bytes). Valid during the call only.
class listener {
 public:
  virtual ~listener() = default;
  virtual void on_open(const eio::handshake& hs, transport t) = 0;
  virtual void on_upgrade(transport t) = 0;
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

/// The client session. Single-threaded: call everything from the thread that runs the I/O.
///
/// The I/O layer's contract, in full:
/// - feed what arrives: on_ws_message() for each WebSocket message, on_poll_response() for
///   each polling GET body, on_post_done() when a POST was answered, on_probe_open() when the
///   upgrade WebSocket is connected, on_transport_error() when a socket fails;
/// - then call pump() of its own, which asks: want_websocket() (open a WebSocket to
///   websocket_target()), take_ws_frames() (send them, in order), start_post() (send this body),
///   start_get() (issue a long-poll GET), next_deadline() (call on_timer() then), finished().
class session {
 public:
  session(const session_config& cfg, listener& l)
      : cfg_(cfg), listener_(l), codec_(cfg.parser, codec_options(cfg)) {
    transport_ = cfg.initial;
  }

  // ----------------------------------------------------------------------------------------
  // The application side: namespaces, emits, acks, disconnect.
  // ----------------------------------------------------------------------------------------

  /// Joins `nsp`; `auth` is a JSON object or empty. v5 sends it as the CONNECT payload; v4 has
  /// no CONNECT payload, so it becomes the namespace's query string (`0/nsp?token=x,`), which is
  /// what socket.io-client 2.x does with its `query` option. Over v4 the server joins every
  /// client to "/" by itself, so joining "/" sends nothing.
  /// Returns false when the CONNECT cannot be encoded.
  bool connect(std::string_view nsp, std::string_view auth) {
    const bool v4_main = sio_version() == sio::protocol_version::v4 && (nsp == "/" || nsp.empty());
    if (v4_main && namespace_state("/") == static_cast<int>(ns_state::connected)) return true;
    namespaces_[std::string(nsp)] = ns_state::connecting;
    refused_.erase(std::string(nsp));
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

  /// Leaves every namespace and closes the Engine.IO session (close packet); finished() turns
  /// true once everything queued has gone out.
  void close() {
    if (state_ == state::closing || state_ == state::closed) return;
    std::vector<std::string> names;
    for (const auto& n : namespaces_) names.push_back(n.first);
    for (const auto& n : names) leave(n);
    state_ = state::closing;
  }

  /// The state of a namespace: 0 unknown, 1 connecting, 2 connected, 3 refused.
  int namespace_state(std::string_view nsp) const {
    auto it = namespaces_.find(std::string(nsp));
    if (it != namespaces_.end()) return static_cast<int>(it->second);
    return refused_.count(std::string(nsp)) != 0 ? static_cast<int>(ns_state::refused) : 0;
  }

  // ----------------------------------------------------------------------------------------
  // The I/O side: what arrived.
  // ----------------------------------------------------------------------------------------

  /// A WebSocket message (the main one, or the probe during an upgrade).
  void on_ws_message(std::string_view data, bool binary) {
    // A message read together with the one that closed the session (the "40" right after a
    // refused handshake) must not reach the session: nothing happens after close.
    if (state_ == state::closed) return;
    const auto kind = binary ? eio::frame_kind::binary : eio::frame_kind::text;
    auto p = eio::decode(data, kind, eio_options());
    if (!p) return fail("engine.io frame", p.error(), p.offset());
    if (upgrade_ == upgrade_state::probing) {
      // During the probe only the probe's answer may come over the new WebSocket.
      if (p->type == eio::packet_type::pong && p->data == "probe") {
        upgrade_ = upgrade_state::pausing;
        return;
      }
      return fail_text("unexpected packet on the probe WebSocket");
    }
    on_packet(*p);
  }

  /// A polling GET answered; `body` and `octet_stream` (Content-Type
  /// application/octet-stream: an Engine.IO v3 binary payload) as received.
  void on_poll_response(std::string_view body, bool octet_stream) {
    get_in_flight_ = false;
    if (state_ == state::closed) return;
    const auto kind = octet_stream ? eio::frame_kind::binary : eio::frame_kind::text;
    auto reader = eio::decode_payload(body, kind, eio_options());
    for (const eio::packet_view& p : reader) {
      on_packet(p);
      if (state_ == state::closed) return;
    }
    if (reader.error() != siocodec::errc::none) {
      fail("polling body", reader.error(), reader.offset());
    }
  }

  /// A POST was answered (the HTTP status was checked by the I/O layer).
  void on_post_done() { post_in_flight_ = false; }

  /// The upgrade WebSocket is connected: send the probe.
  void on_probe_open() {
    upgrade_ = upgrade_state::probing;
    ws_out_.push_back(encode_ws(eio::packet_view::text(eio::packet_type::ping, "probe")));
  }

  /// The transport failed (connect error, HTTP error status, WebSocket closed by the peer).
  void on_transport_error(std::string_view what) {
    if (state_ == state::closing && out_.empty()) {
      finish("io client disconnect", "");
      return;
    }
    finish("transport close", what);
  }

  /// Timers: call at next_deadline().
  void on_timer(clock::time_point now) {
    if (state_ != state::open && state_ != state::closing) return;
    if (cfg_.version == eio::protocol_version::v4) {
      if (now >= ping_deadline_) finish("ping timeout", "no ping from the server in time");
      return;
    }
    // v3: the client pings, the server answers with a pong.
    if (pong_deadline_ && now >= *pong_deadline_) {
      finish("ping timeout", "no pong from the server in time");
    } else if (!pong_deadline_ && now >= next_ping_) {
      queue(eio::packet_type::ping, {}, false);
      pong_deadline_ = now + std::chrono::milliseconds(handshake_.ping_timeout);
    }
  }

  // ----------------------------------------------------------------------------------------
  // The I/O side: what to do next.
  // ----------------------------------------------------------------------------------------

  transport current_transport() const noexcept { return transport_; }
  const std::string& sid() const noexcept { return sid_; }
  bool is_open() const noexcept { return state_ == state::open; }
  /// The session is over (closed cleanly or not); see on_close().
  bool closed() const noexcept { return state_ == state::closed; }
  /// close() was called and everything it queued has been handed out.
  bool finished() const noexcept {
    return state_ == state::closed || (state_ == state::closing && close_queued_ && out_.empty() &&
                                       ws_out_.empty() && !post_in_flight_);
  }

  /// True when the I/O layer should open a WebSocket now: at the start of a WebSocket session,
  /// or to probe an upgrade (websocket_target() says which).
  bool want_websocket() const noexcept {
    if (transport_ == transport::websocket) return state_ == state::connecting && !ws_requested_;
    return state_ == state::open && cfg_.upgrade && upgrade_ == upgrade_state::none &&
           (handshake_upgrades_ & eio::transport_websocket) != 0 && !ws_requested_;
  }
  void websocket_requested() noexcept { ws_requested_ = true; }

  /// The request target (path and query) of the next request on `t`.
  std::string target(std::string_view path, transport t) {
    std::string s(path);
    s += cfg_.version == eio::protocol_version::v4 ? "?EIO=4" : "?EIO=3";
    s += t == transport::websocket ? "&transport=websocket" : "&transport=polling";
    if (t == transport::polling) s += "&t=" + std::to_string(request_counter_++);
    if (!sid_.empty()) {
      // Strict parsing already refused a sid with `&`, `=` or `#`; a lax one may hold them, and
      // pasted as is they would add or override query parameters of our requests.
      s += "&sid=";
      (void)eio::encode_sid(sid_, s);
    }
    return s;
  }

  /// Frames for the WebSocket, in order.
  void take_ws_frames(std::vector<out_frame>& frames) {
    if (upgrade_ == upgrade_state::pausing && !get_in_flight_ && !post_in_flight_) {
      // Polling is paused (no request in flight): complete the upgrade. Whatever the session
      // queued meanwhile now goes over the WebSocket, after the upgrade packet.
      ws_out_.push_back(encode_ws(eio::packet_view::text(eio::packet_type::upgrade)));
      upgrade_ = upgrade_state::done;
      transport_ = transport::websocket;
      listener_.on_upgrade(transport_);
    }
    if (transport_ == transport::websocket && opened()) {
      for (const pending& p : out_) ws_out_.push_back(encode_ws(view(p)));
      out_.clear();
      // Over WebSocket, closing the WebSocket closes the session (engine.io-client sends no
      // close packet there either): nothing more to queue.
      if (state_ == state::closing) close_queued_ = true;
    }
    for (auto& f : ws_out_) frames.push_back(std::move(f));
    ws_out_.clear();
  }

  /// The next polling POST body, when one should be sent now. Packets are batched up to the
  /// server's maxPayload (the first packet always goes, as engine.io-client does).
  bool start_post(out_frame& body) {
    if (transport_ != transport::polling || !opened() || post_in_flight_ ||
        upgrade_ == upgrade_state::pausing) {
      return false;
    }
    queue_close_when_drained();
    if (out_.empty()) return false;
    const std::size_t limit = handshake_.max_payload ? *handshake_.max_payload : 1000000;
    std::vector<eio::packet_view> batch;
    std::size_t estimate = 0;
    for (const pending& p : out_) {
      // Per packet: its frame size, base64 growth for binary, the separator or length prefix.
      const std::size_t n = p.data.size() * (p.binary ? 4 : 3) / 3 + 16;
      if (!batch.empty() && estimate + n > limit) break;
      estimate += n;
      batch.push_back(view(p));
    }
    eio::encode_options eo;
    eo.version = cfg_.version;
    body.bytes.clear();
    auto r = eio::encode_payload(batch.data(), batch.size(), body.bytes, eo);
    if (!r) {
      fail("encoding a polling body", r.error(), r.offset());
      return false;
    }
    body.binary =
        eio::payload_frame_kind(batch.data(), batch.size(), eo) == eio::frame_kind::binary;
    out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(batch.size()));
    post_in_flight_ = true;
    return true;
  }

  /// True when a long-poll GET should be issued now (the first one makes the handshake).
  bool start_get() {
    if (transport_ != transport::polling || get_in_flight_) return false;
    if (state_ == state::connecting && handshake_requested_) return false;
    if (state_ != state::connecting && state_ != state::open) return false;
    if (upgrade_ == upgrade_state::pausing || upgrade_ == upgrade_state::done) return false;
    handshake_requested_ = true;
    get_in_flight_ = true;
    return true;
  }

  /// When on_timer() wants to run.
  std::optional<clock::time_point> next_deadline() const {
    if (state_ != state::open && state_ != state::closing) return std::nullopt;
    if (cfg_.version == eio::protocol_version::v4) return ping_deadline_;
    return pong_deadline_ ? *pong_deadline_ : next_ping_;
  }

 private:
  enum class state { connecting, open, closing, closed };
  enum class upgrade_state { none, probing, pausing, done };
  enum class ns_state { connecting = 1, connected = 2, refused = 3 };

  // One Engine.IO packet waiting to be sent, owned (text, or the bytes of an attachment).
  struct pending {
    eio::packet_type type;
    bool binary;
    std::string data;
  };

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
  eio::decode_options eio_options() const {
    eio::decode_options o;
    o.version = cfg_.version;
    o.max_payload = cfg_.max_payload;
    return o;
  }
  sio::protocol_version sio_version() const { return codec_.version(); }
  bool opened() const { return state_ == state::open || state_ == state::closing; }

  static eio::packet_view view(const pending& p) {
    return p.binary
               ? eio::packet_view::binary(siocodec::byte_view(std::string_view(p.data)), p.type)
               : eio::packet_view::text(p.type, p.data);
  }
  out_frame encode_ws(const eio::packet_view& p) {
    eio::encode_options eo;
    eo.version = cfg_.version;
    out_frame f;
    f.binary = eio::encoded_frame_kind(p, eo) == eio::frame_kind::binary;
    if (!eio::encode(p, f.bytes, eo)) fail_text("cannot encode an Engine.IO packet");
    return f;
  }
  void queue(eio::packet_type t, std::string data, bool binary) {
    if (state_ == state::closed) return;
    out_.push_back(pending{t, binary, std::move(data)});
  }
  // Polling: the close packet goes out only after everything queued before it was delivered: a
  // socket.io server handles the DISCONNECTs of a polling body on the next tick, after the close
  // packet of the same body would already have closed the session ("transport close" instead
  // of "client namespace disconnect"). engine.io-client waits for "drain" in the same way.
  void queue_close_when_drained() {
    if (state_ == state::closing && !close_queued_ && out_.empty() && !post_in_flight_ &&
        transport_ == transport::polling) {
      close_queued_ = true;
      queue(eio::packet_type::close, {}, false);
    }
  }
  // A Socket.IO packet becomes Engine.IO messages: default parser, one with its text, then one
  // binary message per attachment; msgpack, one binary message (protocol v4: CONNECT,
  // DISCONNECT and ERROR are JSON text). The transport decides later how they are framed (a
  // WebSocket message each, or a batch in a polling body), so they are queued as messages;
  // nothing is emitted when the packet cannot be encoded.
  template <class Builder>
  bool send_packet(const Builder& b) {
    std::string storage;
    std::vector<siocodec::byte_view> atts;
    const auto r = codec_.encode(b, storage, atts, [this](const eio::packet_view& m) {
      queue(eio::packet_type::message, std::string(m.data), m.kind != eio::data_kind::text);
    });
    return r.has_value();
  }

  void on_packet(const eio::packet_view& p) {
    switch (p.type) {
      case eio::packet_type::open: return on_open(p);
      case eio::packet_type::ping:
        // v4 heartbeat: the server pings, we answer at once; v3 servers never ping.
        if (cfg_.version == eio::protocol_version::v4) {
          queue(eio::packet_type::pong, {}, false);
          arm_ping_deadline();
        }
        return;
      case eio::packet_type::pong:
        if (cfg_.version == eio::protocol_version::v3) {
          pong_deadline_.reset();
          next_ping_ = clock::now() + std::chrono::milliseconds(handshake_.ping_interval);
        }
        return;
      case eio::packet_type::message: return on_message(p);
      case eio::packet_type::close: return finish("transport close", "");
      case eio::packet_type::noop:
      case eio::packet_type::upgrade: return;
    }
  }

  void on_open(const eio::packet_view& p) {
    if (state_ != state::connecting) return fail_text("a second open packet");
    eio::handshake_options hopts;
    hopts.lax = cfg_.lax_handshake;
    auto hs = eio::parse_handshake(p.data, hopts);
    if (!hs) return fail("handshake", hs.error(), hs.offset());
    handshake_ = *hs;
    sid_ = std::string(hs->sid);  // the handshake is a view into the frame: keep a copy
    handshake_.sid = sid_;
    handshake_.upgrades_json = {};
    handshake_upgrades_ = hs->upgrades;
    state_ = state::open;
    if (cfg_.version == eio::protocol_version::v4) {
      arm_ping_deadline();
    } else {
      next_ping_ = clock::now() + std::chrono::milliseconds(handshake_.ping_interval);
    }
    listener_.on_open(handshake_, transport_);
  }

  void arm_ping_deadline() {
    ping_deadline_ =
        clock::now() + std::chrono::milliseconds(std::uint64_t{handshake_.ping_interval} +
                                                 handshake_.ping_timeout);
  }

  void on_message(const eio::packet_view& m) {
    // Copy mode: attachments (base64 ones too) are kept in the codec until their packet is
    // complete; a msgpack packet arrives whole (from polling base64, decoded into the codec).
    auto r = codec_.decode(m);
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

  void fail(const char* where, siocodec::errc e, std::size_t offset) {
    std::string why =
        std::string(where) + ": " + siocodec::to_string(e) + " at offset " + std::to_string(offset);
    finish("parse error", why);
  }
  void fail_text(std::string_view why) { finish("parse error", why); }

  void finish(std::string_view reason, std::string_view error) {
    if (state_ == state::closed) return;
    const bool clean = state_ == state::closing;
    state_ = state::closed;
    out_.clear();
    ws_out_.clear();
    codec_.reset();
    std::vector<std::string> names;
    for (const auto& n : namespaces_) names.push_back(n.first);
    namespaces_.clear();
    for (const auto& n : names) listener_.on_disconnect(n, reason);
    listener_.on_close(clean ? std::string_view("io client disconnect") : reason, error);
  }

  session_config cfg_;
  listener& listener_;
  sio::codec codec_;
  state state_ = state::connecting;
  transport transport_ = transport::websocket;
  upgrade_state upgrade_ = upgrade_state::none;
  eio::handshake handshake_;
  std::string sid_;
  std::uint8_t handshake_upgrades_ = 0;
  std::deque<pending> out_;        // Engine.IO packets not yet handed to a transport
  std::vector<out_frame> ws_out_;  // encoded WebSocket frames (probe, upgrade, packets)
  bool ws_requested_ = false;
  bool handshake_requested_ = false;
  bool close_queued_ = false;
  bool get_in_flight_ = false;
  bool post_in_flight_ = false;
  std::uint64_t request_counter_ = 0;
  clock::time_point ping_deadline_{};               // v4: the server's next ping is due by then
  clock::time_point next_ping_{};                   // v3: when we ping next
  std::optional<clock::time_point> pong_deadline_;  // v3: the pong is due by then
  std::map<std::string, ns_state> namespaces_;
  std::set<std::string> refused_;
  std::set<std::pair<std::string, std::uint64_t>> pending_acks_;
  // socket.io-client numbers the acks of each namespace socket from 0.
  std::map<std::string, std::uint64_t> next_ack_id_;
  std::map<std::string, std::string> replies_;
};

}  // namespace sioclient

#endif  // SIOCODEC_EXAMPLES_CLIENT_SESSION_HPP
