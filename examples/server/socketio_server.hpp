// SPDX-License-Identifier: BSL-1.0
// Example server, layer 2 of 3: a small Socket.IO server over the Engine.IO sessions of
// engineio_server.hpp: namespaces with an auth callback, events dispatched to handlers, acks in
// both directions, binary values. Every packet is decoded and encoded by one socketio::codec per
// connection (the default parser or msgpack, one for the whole server as socket.io's `parser`
// option), with the socketio builders, whatever the transport below.
#ifndef SIOCODEC_EXAMPLES_SERVER_SOCKETIO_SERVER_HPP
#define SIOCODEC_EXAMPLES_SERVER_SOCKETIO_SERVER_HPP

#include "engineio_server.hpp"

#include <siocodec/engineio/decode.hpp>
#include <siocodec/json/value.hpp>
#include <siocodec/json/write.hpp>
#include <siocodec/socketio/codec.hpp>
#include <siocodec/socketio/default_parser/args.hpp>
#include <siocodec/socketio/default_parser/encode.hpp>
#include <siocodec/socketio/packet.hpp>

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
namespace sio = siocodec::socketio;
namespace json = siocodec::json;

class connection;
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
};

/// One client in one namespace (socket.io's server-side Socket).
class socket {
 public:
  socket(connection& c, std::string nsp, std::string id)
      : conn_(c), nsp_(std::move(nsp)), id_(std::move(id)) {}

  const std::string& nsp() const { return nsp_; }
  const std::string& id() const { return id_; }
  connection& conn() const { return conn_; }

  /// Sends any packet builder (sio::event(), sio::ack()...) on this socket's namespace.
  template <class B>
  bool send(B&& builder);

  /// emit(name, args...): an EVENT.
  template <class... A>
  bool emit(std::string_view name, A&&... args) {
    return send(sio::event(name, std::forward<A>(args)...));
  }

  /// An EVENT asking for an ack: `on_ack` receives the client's answer. Ack ids count from 0
  /// per socket, as the reference server's do.
  /// Over sio_server::max_pending_acks requests left unanswered, the session is closed
  /// ("too many pending acks") and false returned.
  template <class... A>
  bool emit_with_ack(ack_handler on_ack, std::string_view name, A&&... args) {
    if (!may_ask_ack()) return false;
    const std::uint64_t id = next_ack_id_++;
    acks_[id] = std::move(on_ack);
    return send(sio::event(name, std::forward<A>(args)...).id(id));
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
  inline bool may_ask_ack();

  friend class connection;
  connection& conn_;
  std::string nsp_;
  std::string id_;
  std::uint64_t next_ack_id_ = 0;
  std::map<std::uint64_t, ack_handler> acks_;
};

class sio_server;

/// The Socket.IO state of one Engine.IO session: the codec (with the default parser's
/// reassembly of attachments) and the joined namespaces.
class connection {
 public:
  connection(sio_server& server, session& s, sio::parser_kind kind)
      : server_(server), session_(s), codec_(kind, codec_options(s)) {}

  session& eio_session() const { return session_; }
  sio_server& server() const { return server_; }
  /// Socket.IO v5 over Engine.IO v4, v4 (Socket.IO 2.x) over Engine.IO v3.
  sio::protocol_version version() const { return codec_.version(); }

  /// The parser every packet of this connection goes through.
  sio::parser_kind parser_kind() const { return codec_.kind(); }

  /// Encodes builder `b` and queues its Engine.IO messages: default parser, the text, then one
  /// binary message per attachment; msgpack, one binary message. The session frames them for
  /// its transport of the moment, which may change before they go out (an upgrade); it copies
  /// each message into its queue, so the views may die with this call.
  template <class B>
  bool send(const B& b) {
    std::string storage;
    std::vector<siocodec::byte_view> attachments;
    const auto r = codec_.encode(b, storage, attachments, [this](const eio::packet_view& m) {
      if (m.kind == eio::data_kind::text) {
        session_.send_text(m.data);
      } else {
        session_.send_binary(m.bytes());
      }
    });
    return r.has_value();
  }

  inline void on_message(const eio::packet_view& p);
  inline void on_open();

 private:
  static sio::codec_options codec_options(const session& s) {
    sio::codec_options o;
    o.version = sio::protocol_for(s.version());
    // One attachment may be as large as one Engine.IO message.
    o.decode.max_attachment_bytes = s.max_payload();
    o.decode.max_packet_bytes = s.max_payload() * (o.decode.max_attachments + 1);
    // A polling body is gone once it has been read: copy mode keeps header and attachments.
    o.attachments = sio::attachment_mode::copy;
    return o;
  }

  inline void dispatch(const sio::any_packet& p);
  inline void on_connect(const sio::any_packet& p);
  socket* find(std::string_view nsp) {
    auto it = sockets_.find(nsp);
    return it == sockets_.end() ? nullptr : it->second.get();
  }

  sio_server& server_;
  session& session_;
  sio::codec codec_;
  std::map<std::string, std::unique_ptr<socket>, std::less<>> sockets_;
};

/// The Socket.IO server: namespaces, and one connection per Engine.IO session.
class sio_server : public session_handler {
 public:
  /// Defines (or returns) namespace `name`.
  namespace_def& of(const std::string& name) { return namespaces_[name]; }

  /// The Socket.IO parser of every connection (socket.io's `parser` server option: clients
  /// must use the same). Set it before the first session opens.
  sio::parser_kind parser = sio::parser_kind::json;

  /// Ack requests a socket may have unanswered (emit_with_ack): a client that never answers
  /// would otherwise grow them without limit. Over it, the session is closed.
  std::size_t max_pending_acks = 1000;

  /// Observers, for logging: every session that opens, every packet received (after
  /// reassembly), every CONNECT refused, every session that ends.
  std::function<void(const connection&)> on_opened;
  std::function<void(const connection&, const sio::any_packet&)> on_packet;
  std::function<void(const connection&, std::string_view nsp, std::string_view message)> on_refused;
  std::function<void(const connection&, std::string_view reason)> on_closed;

  const namespace_def* find_namespace(std::string_view name) const {
    auto it = namespaces_.find(std::string(name));
    return it == namespaces_.end() ? nullptr : &it->second;
  }

  std::string random_id() {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string id;
    for (int i = 0; i < 20; ++i) id += alphabet[rng_() % 64];
    return id;
  }

  // --- session_handler ------------------------------------------------------------------------
  void on_open(session& s) override {
    auto c = std::make_shared<connection>(*this, s, parser);
    connections_[&s] = c;
    if (on_opened) on_opened(*c);
    c->on_open();
  }
  void on_message(session& s, const eio::packet_view& p) override {
    auto it = connections_.find(&s);
    if (it == connections_.end()) return;
    auto keep = it->second;  // a handler may close the session, which drops the connection
    keep->on_message(p);
  }
  void on_close(session& s, std::string_view reason) override {
    auto it = connections_.find(&s);
    if (it == connections_.end()) return;
    if (on_closed) on_closed(*it->second, reason);
    connections_.erase(it);
  }

 private:
  std::map<std::string, namespace_def> namespaces_;
  std::map<const session*, std::shared_ptr<connection>> connections_;
  std::mt19937_64 rng_{std::random_device{}()};
};

// ---------------------------------------------------------------------------------------------

inline bool socket::may_ask_ack() {
  if (acks_.size() < conn_.server().max_pending_acks) return true;
  conn_.eio_session().close("too many pending acks");
  return false;
}

template <class B>
bool socket::send(B&& builder) {
  builder.nsp(nsp_);
  return conn_.send(builder);
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

inline void connection::on_open() {
  // Protocol v4 has no explicit CONNECT to the main namespace: the server joins every client
  // to it and says so with `0`.
  if (version() == sio::protocol_version::v4 && server_.find_namespace("/") != nullptr) {
    sio::packet_view connect;
    connect.type = sio::packet_type::connect;
    on_connect(sio::any_packet(connect, codec_.kind()));
  }
}

inline void connection::on_message(const eio::packet_view& p) {
  // Text, binary and polling base64 messages all go to the same codec; copy mode keeps the
  // header and attachments, since a polling body is gone once it has been read (msgpack packets
  // are complete in their message, base64 ones decoded into the codec).
  const auto r = codec_.decode(p);
  if (!r) {
    if (r.error() == siocodec::errc::incomplete) return;  // attachments still to come
    session_.close("parse error");
    return;
  }
  if (server_.on_packet) server_.on_packet(*this, *r);
  dispatch(*r);
  // The packet is handled (handlers copy what they keep): give back a copy-mode buffer grown by
  // a large packet now, so that an idle connection holds at most max_retained_bytes of it
  // instead of waiting for its next message.
  codec_.trim();
}

inline void connection::dispatch(const sio::any_packet& p) {
  if (p.type() == sio::packet_type::connect) return on_connect(p);
  socket* s = find(p.nsp());
  if (s == nullptr) {
    // A packet for a namespace the client has not joined: the reference closes the connection.
    session_.close("invalid state");
    return;
  }
  switch (p.type()) {
    case sio::packet_type::disconnect: sockets_.erase(sockets_.find(p.nsp())); return;
    case sio::packet_type::event:
    case sio::packet_type::binary_event: {
      const sio::any_value name = p.event_name();
      incoming_event ev{std::string(), p, p.id()};
      if (name.is_string()) {
        (void)name.append_string(ev.name);
      } else if (name.is_number()) {
        ev.name = detail::number_text(name);
      }  // msgpack checks nothing: another kind has no handler but unknown_event
      const namespace_def* def = server_.find_namespace(s->nsp());
      if (def == nullptr) return;
      auto h = def->events.find(ev.name);
      if (h != def->events.end()) {
        h->second(*s, ev);
      } else if (def->unknown_event) {
        def->unknown_event(*s, ev);
      }
      return;
    }
    case sio::packet_type::ack:
    case sio::packet_type::binary_ack: {
      if (!p.id()) return;
      auto it = s->acks_.find(*p.id());
      if (it == s->acks_.end()) return;  // unknown or already answered
      ack_handler h = std::move(it->second);
      s->acks_.erase(it);
      h(*s, p);
      return;
    }
    case sio::packet_type::connect:
    case sio::packet_type::connect_error:
      session_.close("invalid state");  // CONNECT_ERROR is server -> client only
      return;
  }
}

inline void connection::on_connect(const sio::any_packet& p) {
  std::string_view nsp = p.nsp();
  std::string query_auth;
  sio::any_value auth = p.has_data() ? p.data() : sio::any_value(json::value::unchecked("{}"));
  if (version() == sio::protocol_version::v4) {
    const std::size_t q = nsp.find('?');
    if (q != std::string_view::npos) {
      query_auth = detail::query_to_json(nsp.substr(q + 1));
      auth = sio::any_value(json::value::unchecked(query_auth));
      nsp = nsp.substr(0, q);
    }
  }
  const namespace_def* def = server_.find_namespace(nsp);
  std::optional<std::string> refusal;
  if (def == nullptr) {
    refusal = "Invalid namespace";  // the reference server's message
  } else if (def->authorize) {
    refusal = def->authorize(auth);
  }
  if (refusal) {
    // v5: {"message":"..."}; v4: the bare string, as Socket.IO 2.x sends it.
    send(sio::connect_error(*refusal).nsp(nsp));
    if (server_.on_refused) server_.on_refused(*this, nsp, *refusal);
    return;
  }
  auto s = std::make_unique<socket>(*this, std::string(nsp), server_.random_id());
  socket& joined = *s;
  sockets_[std::string(nsp)] = std::move(s);
  if (version() == sio::protocol_version::v5) {
    send(sio::connect(nsp, sio::object("sid", joined.id())));
  } else {
    send(sio::connect(nsp));
  }
  if (def->on_connect) def->on_connect(joined);
}

}  // namespace demo

#endif  // SIOCODEC_EXAMPLES_SERVER_SOCKETIO_SERVER_HPP
