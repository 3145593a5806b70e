// SPDX-License-Identifier: BSL-1.0
// The Beast server adapter, layer 2 of 3: the application's view of Socket.IO. Namespaces, CONNECT
// replies, ack ids and their limit, DISCONNECT and the codec are the Socket.IO server engine's
// (socketio::server_connection, one per session of engineio_server.hpp); this file dispatches
// its events to what the application defines per namespace: who may join (authorize), what
// happens on joining, a handler per event name, a callback per ack the server asked for.
#ifndef SIOCODEC_ADAPTERS_BEAST_DETAIL_SERVER_SOCKETS_HPP
#define SIOCODEC_ADAPTERS_BEAST_DETAIL_SERVER_SOCKETS_HPP

#include <siocodec/adapters/beast/detail/server_session.hpp>

#include <siocodec/json/value.hpp>
#include <siocodec/json/write.hpp>
#include <siocodec/socketio/copy.hpp>
#include <siocodec/socketio/msgpack_parser/args_writer.hpp>
#include <siocodec/socketio/server.hpp>

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
namespace json = ::SIOCODEC_NAMESPACE::json;

class socket;

/// A received EVENT (or BINARY_EVENT, attachments included), as a handler sees it, from either
/// parser. Valid during the handler call only: copy what you keep.
struct incoming_event {
  std::string name;                     // the event name, unescaped
  const sio::any_packet& packet;        // packet.arguments() walks the arguments, binary resolved
  std::optional<std::uint64_t> ack_id;  // set when the client waits for an ack
};

using event_handler = std::function<void(socket&, const incoming_event&)>;
/// Receives the ACK (or BINARY_ACK) answering an event the server emitted with an ack request.
using ack_handler = std::function<void(socket&, const sio::any_packet&)>;
/// Told when an ack the server asked for will not come: `timed_out` (the emit's timeout passed)
/// or else the socket left its namespace first.
using ack_failure_handler = std::function<void(socket&, bool timed_out)>;
/// Decides on a CONNECT: nullopt accepts it, a message refuses it with a CONNECT_ERROR. `auth`
/// is the CONNECT's object (JSON or msgpack; `{}` when it has none); for a protocol v4 client
/// (Socket.IO 2.x) it is built from the query string of the namespace, which is where those
/// clients put it.
using auth_handler = std::function<std::optional<std::string>(const sio::any_value& auth)>;

/// What a namespace does: who may join it, what its events do.
struct namespace_def {
  auth_handler authorize;  // empty: everyone
  std::function<void(socket&)> on_connect;
  std::map<std::string, event_handler, std::less<>> events;
  event_handler unknown_event;  // events without a handler of their own (may be empty)
  /// With server_options::recovery: the namespace's connection state recovery (it must outlive
  /// the server's sockets). A recovering CONNECT is restored from it; the socket's emits go
  /// through it.
  sio::recovery_store* store = nullptr;

  /// events[name] = h, chainable.
  namespace_def& on(std::string name, event_handler h) {
    events[std::move(name)] = std::move(h);
    return *this;
  }
  /// The handler of event `name`, or nullptr.
  const event_handler* find(std::string_view name) const {
    auto it = events.find(name);
    return it == events.end() ? nullptr : &it->second;
  }
};

/// One client in one namespace (socket.io's server-side Socket): a name for a namespace of
/// the session's engine, and the callbacks of the acks it asked for.
class socket {
 public:
  socket(session& s, std::string nsp) : session_(s), nsp_(std::move(nsp)) {}

  const std::string& nsp() const { return nsp_; }
  /// The socket's id (the engine's sid of the namespace).
  std::string id() const { return std::string(session_.conn().sid(nsp_)); }
  session& eio_session() const { return session_; }
  /// The CONNECT restored a disconnected session (connection state recovery): same id, rooms
  /// (session.conn().rooms(nsp())) and the packets it missed.
  bool recovered() const { return recovered_; }

  /// Sends any packet builder (sio::event(), sio::ack()...) on this socket's namespace.
  template <class B>
  bool send(B&& builder) {
    builder.nsp(nsp_);
    const bool ok = session_.conn().send(builder, now_ms()) == ::SIOCODEC_NAMESPACE::errc::none;
    session_.flush();
    return ok;
  }

  /// A packet encoded once for many sockets (socketio::encoded_packet, of this namespace).
  bool send_encoded(const sio::encoded_packet& p) {
    const bool ok = session_.conn().send_encoded(p, now_ms()) == ::SIOCODEC_NAMESPACE::errc::none;
    session_.flush();
    return ok;
  }

  /// emit(name, args...): an EVENT.
  template <class... A>
  bool emit(std::string_view name, A&&... args) {
    return send(sio::event(name, std::forward<A>(args)...));
  }

  /// An EVENT asking for an ack: `on_ack` receives the client's answer. The engine numbers it
  /// (from 0 per socket) and bounds the acks waited for (server_options::max_pending_acks);
  /// over that bound the session is closed ("too many pending acks") and false returned.
  template <class... A>
  bool emit_with_ack(ack_handler on_ack, std::string_view name, A&&... args) {
    return emit_with_ack_for(0, std::move(on_ack), nullptr, name, std::forward<A>(args)...);
  }
  /// emit_with_ack() with a timeout (socket.io's `socket.timeout(ms).emit()`): after
  /// `timeout_ms` (0: none) without an answer, or when the socket leaves first, `on_failure`
  /// (may be empty) is called instead of `on_ack`; exactly one of them is called.
  template <class... A>
  bool emit_with_ack_for(eio::millis timeout_ms, ack_handler on_ack, ack_failure_handler on_failure,
                         std::string_view name, A&&... args);

  /// Handles event `name` on this socket: tried before its namespace's handler of that name.
  socket& on(std::string name, event_handler h) {
    handlers_[std::move(name)] = std::move(h);
    return *this;
  }
  /// Handles the events that have no handler of their own (on() or the namespace's).
  socket& on_any(event_handler h) {
    any_handler_ = std::move(h);
    return *this;
  }

  /// Told once when the socket leaves its namespace, with the reason: the session's when this
  /// side closed it ("send queue full" for a client that does not read, "too many pending
  /// acks"), else socket.io's (`sio::to_string(disconnect_reason)`: "transport close", "ping
  /// timeout", "io server disconnect"...). The socket is destroyed after the call.
  socket& on_disconnect(std::function<void(socket&, std::string_view reason)> h) {
    disconnect_handler_ = std::move(h);
    return *this;
  }

  /// Leaves the namespace: DISCONNECT to the client (socket.io's `socket.disconnect()`); the
  /// session stays. False when it was not connected.
  bool disconnect() {
    const bool ok = session_.conn().disconnect(nsp_, now_ms()) == ::SIOCODEC_NAMESPACE::errc::none;
    session_.flush();
    return ok;
  }

  /// The ACK answering event `ev` (nothing when the client asked for none).
  template <class... A>
  bool ack(const incoming_event& ev, A&&... args) {
    if (!ev.ack_id) return false;
    return send(sio::ack(*ev.ack_id, std::forward<A>(args)...));
  }

  /// The application's state for this socket (the example keeps a counter there).
  std::shared_ptr<void> user_data;

 private:
  friend class sio_server;
  session& session_;
  std::string nsp_;
  bool recovered_ = false;
  struct pending_ack {
    ack_handler on_ack;
    ack_failure_handler on_failure;
  };
  std::map<std::uint64_t, pending_ack> acks_;
  std::map<std::string, event_handler, std::less<>> handlers_;
  event_handler any_handler_;
  std::function<void(socket&, std::string_view)> disconnect_handler_;
};

/// The Socket.IO server: namespaces, and the sockets of each session, fed by its engine.
class sio_server : public session_handler {
 public:
  /// Defines (or returns) namespace `name`.
  namespace_def& of(const std::string& name) { return namespaces_[name]; }

  /// Observers, for logging: every session that opens, every packet received (after
  /// reassembly), every CONNECT refused, every namespace left, every session that ends.
  std::function<void(const session&)> on_opened;
  std::function<void(const session&, const sio::any_packet&)> on_packet;
  std::function<void(const session&, std::string_view nsp, std::string_view message)> on_refused;
  std::function<void(const session&, std::string_view nsp, sio::disconnect_reason)> on_left;
  std::function<void(const session&, std::string_view reason)> on_closed;

  const namespace_def* find_namespace(std::string_view name) const {
    auto it = namespaces_.find(std::string(name));
    return it == namespaces_.end() ? nullptr : &it->second;
  }

  // --- session_handler ------------------------------------------------------------------------
  void on_open(session& s) override {
    sessions_[&s];
    if (on_opened) on_opened(s);
  }
  inline void on_event(session& s, const sio::server_event& e) override;
  void on_close(session& s, std::string_view reason) override {
    if (on_closed) on_closed(s, reason);
    sessions_.erase(&s);
  }

 private:
  using sockets = std::map<std::string, std::unique_ptr<socket>, std::less<>>;
  inline void on_connect_request(session& s, const sio::server_event& e);
  inline void on_socket_event(socket& sock, const sio::server_event& e);

  std::map<std::string, namespace_def> namespaces_;
  std::map<const session*, sockets> sessions_;
  std::mt19937_64 rng_{std::random_device{}()};
};

/// The engine's options for this layer: `parser` and the Engine.IO options, the codec's limits
/// from the Engine.IO maxPayload.
inline sio::server_options make_server_options(const engine_options& engine,
                                               sio::parser_kind parser) {
  sio::server_options o;
  o.engine = engine;
  o.parser = parser;
  // One attachment may be as large as one Engine.IO message.
  o.codec.decode.max_attachment_bytes = engine.max_payload;
  o.codec.decode.max_packet_bytes = engine.max_payload * (o.codec.decode.max_attachments + 1);
  return o;
}

/// The arguments of an EVENT (after its name) or an ACK, as a builder argument for either
/// writer: `s.emit("echo", copy_args(ev.packet))` sends back what came, binary at any depth.
/// Holds `p` by reference: use it within the handler. (socketio::copy_args, siocodec/socketio/
/// copy.hpp.)
using ::SIOCODEC_NAMESPACE::socketio::copy_args;

/// Sends back what `ev` carried: the ACK when the client asked for one, else the same event.
inline bool echo(socket& s, const incoming_event& ev) {
  if (ev.ack_id) return s.ack(ev, copy_args(ev.packet));
  return s.emit(ev.name, copy_args(ev.packet));
}

// ---------------------------------------------------------------------------------------------

template <class... A>
bool socket::emit_with_ack_for(eio::millis timeout_ms, ack_handler on_ack,
                               ack_failure_handler on_failure, std::string_view name, A&&... args) {
  sio::emit_options o;
  o.want_ack = true;
  o.ack_timeout = timeout_ms;
  const auto id =
      session_.conn().emit(sio::event(name, std::forward<A>(args)...).nsp(nsp_), now_ms(), o);
  if (!id) {
    if (id.error() == ::SIOCODEC_NAMESPACE::errc::queue_full)
      session_.close("too many pending acks");
    return false;
  }
  acks_[*id] = pending_ack{std::move(on_ack), std::move(on_failure)};
  session_.flush();
  return true;
}

namespace detail {

// "a=1&b=x%20y" -> {"a":"1","b":"x y"}: the auth of a protocol v4 CONNECT (`0/admin?a=1,`).
inline std::string query_to_json(std::string_view query) {
  const auto unhex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  const auto decode = [&](std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '+') {
        out += ' ';
      } else if (s[i] == '%' && i + 2 < s.size() && unhex(s[i + 1]) >= 0 && unhex(s[i + 2]) >= 0) {
        out += static_cast<char>(unhex(s[i + 1]) * 16 + unhex(s[i + 2]));
        i += 2;
      } else {
        out += s[i];
      }
    }
    return out;
  };
  std::string json = "{";
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    const std::string key = decode(pair.substr(0, eq));
    const std::string value =
        eq == std::string_view::npos ? std::string() : decode(pair.substr(eq + 1));
    std::string k, v;
    // Not UTF-8 after percent-decoding: leave the pair out.
    if (!json::encode_string(key, k) || !json::encode_string(value, v)) continue;
    if (json.size() > 1) json += ',';
    json += k + ':' + v;
  }
  return json + "}";
}

// A number as JavaScript's String() writes it: how an event name that is a number becomes the
// name of its handler.
inline std::string number_text(const sio::any_value& v) {
  if (!v.is_msgpack()) return std::string(v.as_json().raw());
  struct appender {
    std::string& s;
    void append(const char* p, std::size_t n) { s.append(p, n); }
  };
  std::string out;
  appender a{out};
  const auto d = v.to_double();
  if (d) json::emit_number(a, *d);
  return out;
}

}  // namespace detail

inline void sio_server::on_event(session& s, const sio::server_event& e) {
  auto it = sessions_.find(&s);
  if (it == sessions_.end()) return;
  sockets& socks = it->second;
  if (e.kind == sio::server_event_kind::connect_request) return on_connect_request(s, e);
  if (e.kind == sio::server_event_kind::connect) {
    const namespace_def* def = find_namespace(e.nsp);
    auto& slot = socks[std::string(e.nsp)];
    slot = std::make_unique<socket>(s, std::string(e.nsp));
    slot->recovered_ = e.recovered;
    if (def != nullptr && def->on_connect) def->on_connect(*slot);
    return;
  }
  auto sock = socks.find(e.nsp);
  if (sock == socks.end()) return;
  if (e.kind == sio::server_event_kind::disconnect) {
    if (on_left) on_left(s, e.nsp, e.reason);
    // Destroyed after the erase: its user_data may tell the application, which may send.
    std::unique_ptr<socket> gone = std::move(sock->second);
    socks.erase(sock);
    if (gone->disconnect_handler_) {
      std::string_view why = s.close_reason();
      if (why.empty()) why = sio::to_string(e.reason);
      gone->disconnect_handler_(*gone, why);
    }
    return;
  }
  on_socket_event(*sock->second, e);
}

inline void sio_server::on_connect_request(session& s, const sio::server_event& e) {
  // v4: the main namespace asked for at open comes without a packet (nothing to log).
  const bool v4 = s.version() == eio::protocol_version::v3;
  if (on_packet && e.packet.type() == sio::packet_type::connect) on_packet(s, e.packet);
  std::string query_auth;
  sio::any_value auth =
      e.packet.has_data() ? e.packet.data() : sio::any_value(json::value::unchecked("{}"));
  if (v4 && !e.query.empty()) {
    query_auth = detail::query_to_json(e.query);
    auth = sio::any_value(json::value::unchecked(query_auth));
  }
  const namespace_def* def = find_namespace(e.nsp);
  std::optional<std::string> refusal;
  if (def == nullptr) {
    refusal = "Invalid namespace";  // the reference server's message
  } else if (def->authorize) {
    refusal = def->authorize(auth);
  }
  const std::string nsp(e.nsp);  // the event's views die at the engine's next call
  if (refusal) {
    // v5: CONNECT_ERROR {"message":"..."}; v4: ERROR with the bare string, as 2.x sends it.
    (void)s.conn().reject(nsp, *refusal, now_ms());
    if (on_refused) on_refused(s, nsp, *refusal);
    return;
  }
  unsigned char random[30];  // the socket's sid, and its pid with recovery
  for (unsigned char& b : random) b = static_cast<unsigned char>(rng_());
  (void)s.conn().accept(nsp, ::SIOCODEC_NAMESPACE::byte_view(random, sizeof random), now_ms(),
                        def->store);
}

inline void sio_server::on_socket_event(socket& sock, const sio::server_event& e) {
  session& s = sock.eio_session();
  switch (e.kind) {
    case sio::server_event_kind::event: {
      if (on_packet) on_packet(s, e.packet);
      const sio::any_value name = e.packet.event_name();
      incoming_event ev{std::string(), e.packet, e.packet.id()};
      if (name.is_string()) {
        (void)name.append_string(ev.name);
      } else if (name.is_number()) {
        ev.name = detail::number_text(name);
      }  // msgpack checks nothing: another kind has no handler but unknown_event
      // Copied before the call: a handler may replace itself (on()).
      event_handler h;
      const namespace_def* def = find_namespace(sock.nsp());
      if (auto own = sock.handlers_.find(ev.name); own != sock.handlers_.end()) {
        h = own->second;
      } else if (const event_handler* shared = def != nullptr ? def->find(ev.name) : nullptr) {
        h = *shared;
      } else if (sock.any_handler_) {
        h = sock.any_handler_;
      } else if (def != nullptr) {
        h = def->unknown_event;
      }
      if (h) h(sock, ev);
      return;
    }
    case sio::server_event_kind::ack: {
      if (on_packet) on_packet(s, e.packet);
      auto it = sock.acks_.find(e.ack_id);
      if (it == sock.acks_.end()) return;
      ack_handler h = std::move(it->second.on_ack);
      sock.acks_.erase(it);
      if (h) h(sock, e.packet);
      return;
    }
    case sio::server_event_kind::ack_timeout:
    case sio::server_event_kind::ack_disconnected: {
      auto it = sock.acks_.find(e.ack_id);
      if (it == sock.acks_.end()) return;
      ack_failure_handler h = std::move(it->second.on_failure);
      sock.acks_.erase(it);
      if (h) h(sock, e.kind == sio::server_event_kind::ack_timeout);
      return;
    }
    default: return;
  }
}

}  // namespace beast
}  // namespace adapters
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_ADAPTERS_BEAST_DETAIL_SERVER_SOCKETS_HPP
