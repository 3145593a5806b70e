// SPDX-License-Identifier: BSL-1.0
// Example server, layer 2 of 3: the application's view of Socket.IO. Namespaces, CONNECT
// replies, ack ids and their limit, DISCONNECT and the codec are the Socket.IO server engine's
// (socketio::server_connection, one per session of engineio_server.hpp); this file dispatches
// its events to what the application defines per namespace: who may join (authorize), what
// happens on joining, a handler per event name, a callback per ack the server asked for.
#ifndef SIOCODEC_EXAMPLES_SERVER_SOCKETIO_SERVER_HPP
#define SIOCODEC_EXAMPLES_SERVER_SOCKETIO_SERVER_HPP

#include "engineio_server.hpp"

#include <siocodec/json/value.hpp>
#include <siocodec/json/write.hpp>
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

namespace demo {
namespace json = siocodec::json;

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
    const bool ok = session_.conn().send(builder, now_ms()) == siocodec::errc::none;
    session_.flush();
    return ok;
  }

  /// A packet encoded once for many sockets (socketio::encoded_packet, of this namespace).
  bool send_encoded(const sio::encoded_packet& p) {
    const bool ok = session_.conn().send_encoded(p, now_ms()) == siocodec::errc::none;
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
  bool emit_with_ack(ack_handler on_ack, std::string_view name, A&&... args);

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
  std::map<std::uint64_t, ack_handler> acks_;
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
inline sio::server_options make_server_options(const server_options& engine,
                                               sio::parser_kind parser) {
  sio::server_options o;
  o.engine = engine;
  o.parser = parser;
  // One attachment may be as large as one Engine.IO message.
  o.codec.decode.max_attachment_bytes = engine.max_payload;
  o.codec.decode.max_packet_bytes = engine.max_payload * (o.codec.decode.max_attachments + 1);
  return o;
}

// ---------------------------------------------------------------------------------------------

template <class... A>
bool socket::emit_with_ack(ack_handler on_ack, std::string_view name, A&&... args) {
  sio::emit_options o;
  o.want_ack = true;
  const auto id =
      session_.conn().emit(sio::event(name, std::forward<A>(args)...).nsp(nsp_), now_ms(), o);
  if (!id) {
    if (id.error() == siocodec::errc::queue_full) session_.close("too many pending acks");
    return false;
  }
  acks_[*id] = std::move(on_ack);
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
  (void)s.conn().accept(nsp, siocodec::byte_view(random, sizeof random), now_ms(), def->store);
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
      const namespace_def* def = find_namespace(sock.nsp());
      if (def == nullptr) return;
      auto h = def->events.find(ev.name);
      if (h != def->events.end()) {
        h->second(sock, ev);
      } else if (def->unknown_event) {
        def->unknown_event(sock, ev);
      }
      return;
    }
    case sio::server_event_kind::ack: {
      if (on_packet) on_packet(s, e.packet);
      auto it = sock.acks_.find(e.ack_id);
      if (it == sock.acks_.end()) return;
      ack_handler h = std::move(it->second);
      sock.acks_.erase(it);
      h(sock, e.packet);
      return;
    }
    case sio::server_event_kind::ack_timeout:
    case sio::server_event_kind::ack_disconnected: sock.acks_.erase(e.ack_id); return;
    default: return;
  }
}

}  // namespace demo

#endif  // SIOCODEC_EXAMPLES_SERVER_SOCKETIO_SERVER_HPP
