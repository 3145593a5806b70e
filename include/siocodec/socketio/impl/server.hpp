// SPDX-License-Identifier: BSL-1.0
// The Socket.IO server engine: the definitions of what <siocodec/socketio/server.hpp> declares.
// That header includes this file at its end; including this file alone includes that one first.
#ifndef SIOCODEC_SOCKETIO_IMPL_SERVER_HPP
#define SIOCODEC_SOCKETIO_IMPL_SERVER_HPP

#include <siocodec/socketio/server.hpp>

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {

namespace detail {
inline codec_options server_codec_options(const server_options& o,
                                          engineio::protocol_version v) noexcept {
  codec_options c = o.codec;
  c.version = v == engineio::protocol_version::v3 ? protocol_version::v4 : protocol_version::v5;
  // A BINARY_EVENT's attachments may come in later handle_* calls, after the Engine.IO
  // session has dropped the header's bytes: the decoder keeps its own copy.
  c.attachments = attachment_mode::copy;
  return c;
}
}  // namespace detail

inline server_connection::server_connection(const server_options& opts, std::string_view eio_sid,
                                            engineio::protocol_version version,
                                            engineio::transport_kind initial, bool supports_binary,
                                            millis now)
    : opts_(opts),
      engine_(opts.engine, eio_sid, version, initial, supports_binary, now),
      codec_(opts.parser, detail::server_codec_options(opts, version)),
      eio_sid_(eio_sid),
      last_now_(now),
      connect_deadline_(opts.connect_timeout > engineio::no_deadline - now
                            ? engineio::no_deadline
                            : now + opts.connect_timeout) {}

inline server_connection::nsp_socket* server_connection::find(std::string_view name) noexcept {
  for (auto& s : nsps_) {
    if (s->name == name) return s.get();
  }
  return nullptr;
}
inline const server_connection::nsp_socket* server_connection::find(
    std::string_view name) const noexcept {
  for (const auto& s : nsps_) {
    if (s->name == name) return s.get();
  }
  return nullptr;
}
inline void server_connection::erase(const nsp_socket* s) {
  for (std::size_t i = 0; i < nsps_.size(); ++i) {
    if (nsps_[i].get() == s) {
      const std::uint32_t uid = nsps_[i]->uid;
      acks_.erase_if(
          [uid](const ::SIOCODEC_NAMESPACE::detail::ack_registry::entry& a) {
            return a.owner == uid;
          },
          [](const ::SIOCODEC_NAMESPACE::detail::ack_registry::entry&) {});
      nsps_.erase(nsps_.begin() + static_cast<std::ptrdiff_t>(i));
      return;
    }
  }
}
inline std::size_t server_connection::connected_count() const noexcept {
  std::size_t n = 0;
  for (const auto& s : nsps_) n += s->connected ? 1u : 0u;
  return n;
}
inline bool server_connection::connected(std::string_view nsp) const noexcept {
  const nsp_socket* s = find(main_if_empty(nsp));
  return s != nullptr && s->connected;
}
inline std::string_view server_connection::sid(std::string_view nsp) const noexcept {
  const nsp_socket* s = find(main_if_empty(nsp));
  return s != nullptr && s->connected ? std::string_view(s->sid) : std::string_view();
}
inline rooms_view server_connection::rooms(std::string_view nsp) const noexcept {
  const nsp_socket* s = find(main_if_empty(nsp));
  if (s == nullptr || !s->connected) return {};
  return rooms_view(s->room_views.data(), s->room_views.size());
}

inline std::size_t server_connection::put(std::string_view s) {
  const std::size_t off = ev_data_.size();
  ev_data_.append(s.data(), s.size());
  return off;
}

inline void server_connection::push(server_event_kind k, std::string_view nsp, std::string_view sid,
                                    std::string_view pid, bool recovered, std::uint64_t ack,
                                    disconnect_reason r) {
  ev_record e{};
  e.kind = k;
  e.nsp_off = put(nsp);
  e.nsp_len = nsp.size();
  e.sid_off = put(sid);
  e.sid_len = sid.size();
  e.pid_off = put(pid);
  e.pid_len = pid.size();
  e.recovered = recovered;
  e.ack_id = ack;
  e.reason = r;
  ev_.push_back(e);
}

// socket.js RECOVERABLE_DISCONNECT_REASONS: transport error, transport close, forced close
// (what a parse error becomes there: client.onerror -> conn.close()), ping timeout, server
// shutting down, forced server close (client.close(): a packet the state does not allow).
// Not: the namespace disconnects either side asked for. queue_full is a transport that could
// not keep up: recoverable as a transport error is.
inline bool server_connection::recoverable(disconnect_reason r) noexcept {
  return r != disconnect_reason::io_server_disconnect &&
         r != disconnect_reason::io_client_disconnect;
}

// socket.js _onclose(): persist (recovery on, reason allows it), then "disconnect". The acks
// the socket waited for end with ack_disconnected, so that each resolves exactly once.
inline void server_connection::drop(nsp_socket* s, disconnect_reason r, bool persist, errc ec,
                                    std::size_t at) {
  if (s->connected) {
    if (persist && s->store != nullptr && !s->pid.empty() && recoverable(r)) {
      (void)s->store->persist(s->pid, s->sid,
                              rooms_view(s->room_views.data(), s->room_views.size()), last_now_,
                              s->since);
    }
    push(server_event_kind::disconnect, s->name, {}, {}, false, no_ack, r);
    ev_.back().error = ec;
    ev_.back().error_offset = at;
    acks_.erase_if(
        [s](const ::SIOCODEC_NAMESPACE::detail::ack_registry::entry& a) {
          return a.owner == s->uid;
        },
        [&](const ::SIOCODEC_NAMESPACE::detail::ack_registry::entry& a) {
          push(server_event_kind::ack_disconnected, s->name, {}, {}, false, a.id);
        });
  }
  erase(s);
}

inline void server_connection::drop_all(disconnect_reason r, bool persist, errc ec,
                                        std::size_t at) {
  while (!nsps_.empty()) drop(nsps_.front().get(), r, persist, ec, at);
}

// client.js close() after "invalid state" or a decode error (onerror -> conn.close()): every
// socket goes with it, then the session.
inline void server_connection::violation(disconnect_reason r, errc ec, std::size_t at) {
  ending_ = true;
  drop_all(r, true, ec, at);
  engine_.close(last_now_);
}

inline std::optional<server_event> server_connection::on_message(const engineio::packet_view& m) {
  if (ending_) return std::nullopt;
  const result<any_packet> r = codec_.decode(m);
  if (r.error() == errc::incomplete) return std::nullopt;  // attachments due
  if (!r) {
    violation(disconnect_reason::parse_error, r.error(), r.offset());
    return std::nullopt;
  }
  const any_packet& p = *r;
  const bool v4 = codec_.version() == protocol_version::v4;
  std::string_view name = p.nsp();
  std::string_view query;
  if (v4 && p.type() == packet_type::connect) {
    // client.js (2.x): url.parse(packet.nsp).pathname, and its query.
    const std::size_t q = name.find('?');
    if (q != std::string_view::npos) {
      query = name.substr(q + 1);
      name = name.substr(0, q);
    }
    if (name.empty()) name = "/";
  }
  nsp_socket* s = find(name);
  server_event e;
  e.nsp = name;
  e.packet = p;
  switch (p.type()) {
    case packet_type::connect: {
      if (s != nullptr) {
        // 4.8: a CONNECT for a namespace that has a socket is an invalid state (close). 2.x
        // creates a second socket; here the repeat is ignored (the main namespace it joined at
        // open, asked again with a query by socket.io-client 2.x).
        if (v4) return std::nullopt;
        violation(disconnect_reason::parse_error, errc::unexpected_packet);
        return std::nullopt;
      }
      if (nsps_.size() >= opts_.max_namespaces) {
        violation(disconnect_reason::queue_full, errc::queue_full);
        return std::nullopt;
      }
      nsps_.push_back(std::make_unique<nsp_socket>());
      nsp_socket& n = *nsps_.back();
      n.uid = next_uid_++;
      n.name.assign(name.data(), name.size());
      if (!v4 && opts_.recovery) {
        // namespace.js _createSocket(): auth.pid and auth.offset, both strings.
        any_value pid, off;
        const any_value auth = p.data();
        // Longer strings were never issued by a store (pids are 20 characters, offsets at most
        // 33): not copied, so a pending CONNECT holds little.
        // No offset (socket.io-client drops an undefined one): kept for the store's
        // recover_without_offset, which restores nothing otherwise, as the reference.
        if (auth.is_object() && auth.find("pid", pid) && pid.is_string() &&
            pid.string_size() <= max_recovery_string &&
            (!auth.find("offset", off) ||
             (off.is_string() && off.string_size() <= max_recovery_string))) {
          (void)pid.append_string(n.req_pid);
          if (off.is_string()) (void)off.append_string(n.req_offset);
          e.pid = n.req_pid;
          e.offset = n.req_offset;
        }
      }
      e.kind = server_event_kind::connect_request;
      e.query = query;
      return e;
    }
    case packet_type::connect_error:
      // client.js ondecoded(): a client never sends one: invalid state.
      violation(disconnect_reason::parse_error, errc::unexpected_packet);
      return std::nullopt;
    default: break;
  }
  if (s == nullptr || !s->connected) {
    if (v4) return std::nullopt;  // 2.x: "no socket for namespace", ignored
    violation(disconnect_reason::parse_error, errc::unexpected_packet);  // 4.8: invalid state
    return std::nullopt;
  }
  switch (p.type()) {
    case packet_type::event:
    case packet_type::binary_event: e.kind = server_event_kind::event; return e;
    case packet_type::ack:
    case packet_type::binary_ack: {
      // socket.js onack(): an unknown id is ignored ("bad ack").
      if (!p.id().has_value()) return std::nullopt;
      if (!acks_.erase(s->uid, *p.id())) return std::nullopt;
      e.kind = server_event_kind::ack;
      e.ack_id = *p.id();
      return e;
    }
    case packet_type::disconnect:
      // socket.js ondisconnect(): "client namespace disconnect", not recoverable.
      drop(s, disconnect_reason::io_client_disconnect, false);
      return std::nullopt;
    default: return std::nullopt;
  }
}

inline std::optional<server_event> server_connection::poll_event() {
  for (;;) {
    if (ev_head_ != ev_.size()) {
      const ev_record& r = ev_[ev_head_++];
      server_event e;
      e.kind = r.kind;
      const std::string_view d(ev_data_);
      e.nsp = d.substr(r.nsp_off, r.nsp_len);
      e.sid = d.substr(r.sid_off, r.sid_len);
      e.pid = d.substr(r.pid_off, r.pid_len);
      e.recovered = r.recovered;
      e.ack_id = r.ack_id;
      e.reason = r.reason;
      e.error = r.error;
      e.error_offset = r.error_offset;
      e.engine_event = r.eng;
      return e;
    }
    ev_.clear();
    ev_data_.clear();
    ev_head_ = 0;
    // The packet returned last is dead now (views until the next call): its copy-mode storage
    // above max_retained_bytes goes, so that an idle connection does not keep its last large
    // packet (socketio::codec::trim() keeps a packet waiting for attachments).
    codec_.trim();
    std::optional<engineio::event> ee = engine_.poll_event();
    if (!ee) return std::nullopt;
    switch (ee->kind) {
      case engineio::event_kind::message: {
        std::optional<server_event> e = on_message(ee->packet);
        if (e) return e;
        continue;
      }
      case engineio::event_kind::close: {
        // client.js onclose(reason): every socket's _onclose(reason), then the session is gone.
        closed_ = true;
        connect_deadline_ = engineio::no_deadline;
        drop_all(from_engine(ee->reason, false), true, ee->error, ee->offset);
        push(server_event_kind::engine, {});
        ev_.back().eng = *ee;
        continue;
      }
      case engineio::event_kind::open:
        push(server_event_kind::engine, {});
        ev_.back().eng = *ee;
        if (codec_.version() == protocol_version::v4 && !ending_ &&
            nsps_.size() < opts_.max_namespaces) {
          // index.js (2.x) onconnection(): client.connect('/'): the main namespace is asked for
          // by the server itself, without a CONNECT from the client.
          nsps_.push_back(std::make_unique<nsp_socket>());
          nsps_.back()->uid = next_uid_++;
          nsps_.back()->name = "/";
          push(server_event_kind::connect_request, "/");
        }
        continue;
      case engineio::event_kind::upgrade:
        push(server_event_kind::engine, {});
        ev_.back().eng = *ee;
        continue;
    }
  }
}

template <class Builder>
errc server_connection::send_built(const Builder& b, millis now) {
  scratch_.clear();
  atts_.clear();
  errc first = errc::none;
  const result<std::size_t> r =
      codec_.encode(b, scratch_, atts_, [&](const engineio::packet_view& m) {
        const errc e = engine_.send(m, now);
        if (first == errc::none) first = e;
      });
  if (!r) return r.error();
  return first;
}

inline errc server_connection::accept(std::string_view nsp, byte_view random, millis now,
                                      recovery_store* store) {
  advance(now);
  nsp_socket* s = find(main_if_empty(nsp));
  if (s == nullptr || s->connected || closed_ || ending_ || !engine_.is_open()) {
    return errc::invalid_state;
  }
  const bool v4 = codec_.version() == protocol_version::v4;
  std::optional<restored_session> restored;
  if (!v4 && opts_.recovery && store != nullptr && !s->req_pid.empty()) {
    restored = store->restore(s->req_pid, s->req_offset, now);
  }
  if (v4) {
    // socket.js (2.x): id = nsp.name !== "/" ? nsp.name + "#" + client.id : client.id.
    s->sid = s->name == "/" ? eio_sid_ : s->name + "#" + eio_sid_;
  } else if (restored) {
    s->sid.assign(restored->sid.data(), restored->sid.size());
    s->pid.assign(restored->pid.data(), restored->pid.size());
    s->rooms.assign(restored->rooms.begin(), restored->rooms.end());
  } else {
    // base64id.generateId(): 15 random bytes in base64; the pid likewise, independently (it is
    // the secret that lets a client take a session back).
    const std::size_t need = opts_.recovery ? 30 : 15;
    if (random.size() < need) return errc::invalid_argument;
    s->sid = std::string(engineio::make_sid(random).view());
    if (opts_.recovery) {
      s->pid =
          std::string(engineio::make_sid(byte_view(random.data() + 15, random.size() - 15)).view());
    }
  }
  s->room_views.assign(s->rooms.begin(), s->rooms.end());
  s->req_pid.clear();
  s->req_offset.clear();
  s->store = opts_.recovery ? store : nullptr;
  // Every stored packet from here on reaches the client with its offset.
  if (s->store != nullptr) s->since = s->store->position();
  s->connected = true;
  connect_deadline_ = engineio::no_deadline;  // client.js doConnect(): clearTimeout
  // The missed packets go first: socket.io 4.8 writes them from the Socket constructor, before
  // _onconnect() writes the reply, and socket.io-client keeps them (receiveBuffer) to emit them
  // just before "connect". Sent after the reply, they would reach the application after
  // "connect", which no reference client sees.
  // The socket is connected from here on, whether the sends below fail or not (a failure closes
  // the session, whose close event disconnects it): the connect event comes in every case.
  push(server_event_kind::connect, s->name, s->sid, s->pid, restored.has_value());
  if (restored) {
    for (std::size_t i = 0; i < restored->missed_count; ++i) {
      const errc e = send_encoded(*restored->missed[i], now);
      if (e != errc::none) return e;
    }
  }
  // socket.js _onconnect(): CONNECT {sid, pid} (v4: a bare CONNECT). JSON.stringify drops the
  // pid when it is undefined (recovery off).
  if (v4) return send_built(connect(s->name), now);
  if (s->pid.empty())
    return send_built(connect(s->name, object("sid", std::string_view(s->sid))), now);
  return send_built(
      connect(s->name, object("sid", std::string_view(s->sid), "pid", std::string_view(s->pid))),
      now);
}

template <class Builder>
errc server_connection::reject_with(std::string_view nsp, const Builder& b, millis now) {
  advance(now);
  nsp_socket* s = find(main_if_empty(nsp));
  if (s == nullptr || s->connected || closed_ || ending_) return errc::invalid_state;
  Builder out = b;
  out.nsp(s->name);
  const errc e = send_built(out, now);
  erase(s);
  return e;
}

template <class Builder>
result<std::uint64_t> server_connection::emit(const Builder& packet, millis now,
                                              const emit_options& o) {
  advance(now);
  nsp_socket* s = find(main_if_empty(packet.nsp()));
  if (s == nullptr || !s->connected || closed_ || ending_) return {errc::invalid_state, 0};
  if (o.want_ack) {
    if (acks_.size() >= opts_.max_pending_acks) return {errc::queue_full, 0};
    const std::uint64_t id = s->next_ack;
    Builder b = packet;
    b.id(id);
    const errc e = send_built(b, now);
    if (e != errc::none) return {e, 0};
    ++s->next_ack;
    const millis deadline = o.ack_timeout == 0 || o.ack_timeout > engineio::no_deadline - now
                                ? engineio::no_deadline
                                : now + o.ack_timeout;
    acks_.insert(s->uid, id, deadline, false);
    return id;
  }
  if (o.volatile_packet && engine_.transport() == engineio::transport_kind::polling &&
      !engine_.holds_get()) {
    return no_ack;  // "volatile packet is discarded since the transport is not currently writable"
  }
  if (s->store != nullptr && !o.volatile_packet && packet.type() == packet_type::event) {
    // socket.js emit(): with connectionStateRecovery, adapter.broadcast(packet, {rooms: [id]}).
    const std::string_view self[1] = {s->sid};
    const result<const encoded_packet*> p =
        s->store->broadcast(packet, room_filter{rooms_view(self, 1), {}}, now);
    if (!p) return {p.error(), p.offset()};
    const errc e = send_encoded(**p, now);
    if (e != errc::none) return {e, 0};
    return no_ack;
  }
  const errc e = send_built(packet, now);
  if (e != errc::none) return {e, 0};
  return no_ack;
}

template <class Builder>
errc server_connection::send(const Builder& packet, millis now) {
  advance(now);
  const nsp_socket* s = find(main_if_empty(packet.nsp()));
  if (s == nullptr || !s->connected || closed_ || ending_) return errc::invalid_state;
  return send_built(packet, now);
}

inline errc server_connection::send_encoded(const encoded_packet& p, millis now) {
  advance(now);
  if (p.parser() != codec_.kind() || p.version() != codec_.version()) {
    return errc::invalid_argument;
  }
  for (engineio::packet_view m : p.messages()) {
    const errc e = engine_.send(m, now);
    if (e != errc::none) return e;
  }
  return errc::none;
}

inline errc server_connection::disconnect(std::string_view nsp, millis now) {
  advance(now);
  nsp_socket* s = find(main_if_empty(nsp));
  if (s == nullptr || !s->connected || closed_ || ending_) return errc::invalid_state;
  // socket.js disconnect(): DISCONNECT, then _onclose("server namespace disconnect").
  const errc e = send_built(socketio::disconnect(s->name), now);
  drop(s, disconnect_reason::io_server_disconnect, false);
  return e;
}

inline void server_connection::close(millis now) {
  advance(now);
  if (closed_ || ending_) return;
  ending_ = true;
  // client._disconnect(): socket.disconnect() each, then close().
  while (!nsps_.empty()) {
    nsp_socket* s = nsps_.front().get();
    if (s->connected) (void)send_built(socketio::disconnect(s->name), now);
    drop(s, disconnect_reason::io_server_disconnect, false);
  }
  engine_.close(now);
}

inline void server_connection::shutdown(millis now) {
  advance(now);
  if (closed_ || ending_) return;
  ending_ = true;
  drop_all(disconnect_reason::server_shutting_down, true);
  engine_.close(now);
}

inline errc server_connection::set_rooms(std::string_view nsp, const rooms_view& rooms) {
  nsp_socket* s = find(main_if_empty(nsp));
  if (s == nullptr || !s->connected) return errc::invalid_state;
  if (rooms.size() > opts_.max_rooms) return errc::invalid_argument;
  s->rooms.assign(rooms.begin(), rooms.end());
  s->room_views.assign(s->rooms.begin(), s->rooms.end());
  return errc::none;
}

inline void server_connection::handle_timeout(millis now) {
  advance(now);
  engine_.handle_timeout(now);
  if (closed_) return;
  if (now >= connect_deadline_) {
    connect_deadline_ = engineio::no_deadline;
    if (connected_count() == 0) {
      // client.js setup(): "no namespace joined yet, close the client".
      ending_ = true;
      drop_all(disconnect_reason::io_server_disconnect, false);
      engine_.close(now);
      return;
    }
  }
  // registerAckCallback(): "operation has timed out". Earliest deadline first.
  ::SIOCODEC_NAMESPACE::detail::ack_registry::entry a;
  while (acks_.pop_expired(now, a)) {
    for (const auto& s : nsps_) {
      if (s->uid != a.owner) continue;
      push(server_event_kind::ack_timeout, s->name, {}, {}, false, a.id);
      break;
    }
  }
}

inline millis server_connection::next_deadline() const noexcept {
  millis d = engine_.next_deadline();
  if (closed_) return d;
  if (connect_deadline_ < d) d = connect_deadline_;
  if (acks_.next_deadline() < d) d = acks_.next_deadline();
  return d < last_now_ ? last_now_ : d;
}

}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_IMPL_SERVER_HPP
