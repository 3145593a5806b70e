// SPDX-License-Identifier: BSL-1.0
// A sans-I/O @socket.io/redis-emitter 5.1: what to PUBLISH (channel, message) for an emit.
#ifndef SIOCODEC_REDIS_EMITTER_HPP
#define SIOCODEC_REDIS_EMITTER_HPP

#include <siocodec/config.hpp>
#include <siocodec/error.hpp>
#include <siocodec/redis/broadcast.hpp>
#include <siocodec/redis/channel.hpp>
#include <siocodec/redis/request.hpp>
#include <siocodec/result.hpp>
#include <siocodec/socketio/builders.hpp>

#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <string_view>

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {
namespace redis {

/// Publishes into a Socket.IO cluster of @socket.io/redis-adapter nodes as
/// @socket.io/redis-emitter 5.1 does, without doing I/O: each call appends the channel and the
/// message to the caller's containers, and the caller PUBLISHes them (hiredis:
/// `redisCommand(c, "PUBLISH %b %b", ch.data(), ch.size(), msg.data(), msg.size())`).
///
///     sio::redis::emitter e;                                  // namespace "/", key "socket.io"
///     e.to("room1").except("room2").emit(ch, msg, sio::event("hello", "world", bytes));
///     e.of("/admin").volatile_().emit(ch, msg, sio::event("tick", 1));
///
/// Like the JavaScript BroadcastOperator, to() / in() / except() / volatile_() / compress()
/// return a modified copy (the emitter itself is unchanged). Room names and the namespace are
/// views: they must outlive the emitter copies that hold them. Up to
/// SIOCODEC_REDIS_EMITTER_MAX_ROOMS names can be targeted and as many excluded (sets: a name
/// given twice counts once); more is reported by the next emit as invalid_argument.
class emitter {
 public:
  /// The emitter of namespace `nsp` (written as given, as the JavaScript constructor does) with
  /// key prefix `key`.
  explicit emitter(std::string_view nsp = "/", std::string_view key = default_key) noexcept
      : nsp_(nsp), key_(key) {}

  /// An emitter of namespace `nsp` with the same key: as `Emitter.of()`, a '/' is put before a
  /// namespace that does not start with one (`of("admin")` writes "/admin"; such a namespace
  /// longer than 255 bytes makes emit() fail with invalid_argument).
  emitter of(std::string_view nsp) const noexcept {
    emitter e(nsp, key_);
    e.slash_ = nsp.empty() || nsp[0] != '/';
    return e;
  }

  /// Targets a room (to() and in() are the same).
  emitter to(std::string_view room) const noexcept {
    emitter e = *this;
    e.add(e.rooms_, e.n_rooms_, room);
    return e;
  }
  /// Targets several rooms.
  emitter to(room_list rooms) const noexcept {
    emitter e = *this;
    for (const std::string_view r : rooms) e.add(e.rooms_, e.n_rooms_, r);
    return e;
  }
  emitter to(std::initializer_list<std::string_view> rooms) const noexcept {
    return to(room_list(rooms.begin(), rooms.size()));
  }
  emitter in(std::string_view room) const noexcept { return to(room); }
  emitter in(room_list rooms) const noexcept { return to(rooms); }
  /// Excludes the sockets of a room.
  emitter except(std::string_view room) const noexcept {
    emitter e = *this;
    e.add(e.except_, e.n_except_, room);
    return e;
  }
  emitter except(std::initializer_list<std::string_view> rooms) const noexcept {
    return except(room_list(rooms.begin(), rooms.size()));
  }
  emitter except(room_list rooms) const noexcept {
    emitter e = *this;
    for (const std::string_view r : rooms) e.add(e.except_, e.n_except_, r);
    return e;
  }
  /// The volatile flag: a client that is not ready may miss the event.
  emitter volatile_() const noexcept {
    emitter e = *this;
    e.flags_.set_volatile(true);
    return e;
  }
  /// The compress flag.
  emitter compress(bool c) const noexcept {
    emitter e = *this;
    e.flags_.set_compress(c);
    return e;
  }

  /// Appends the channel (`<key>#<nsp>#`, or `<key>#<nsp>#<room>#` when exactly one room is
  /// targeted) to `channel` and the broadcast message (uid "emitter", opts in the emitter's
  /// order {rooms, flags, except}) for the EVENT builder `ev` to `message`.
  /// @return the message's size. On error neither container changes.
  /// Errors (offset 0): those of encode_broadcast(); invalid_argument (more rooms than
  /// SIOCODEC_REDIS_EMITTER_MAX_ROOMS were given).
  template <class C1, class C2, class... A>
  result<std::size_t> emit(
      C1& channel, C2& message,
      const packet_builder<::SIOCODEC_NAMESPACE::socketio::detail::event_data<A...>>& ev,
      const encode_options& eopts = {}) const;

  /// SERVER_SIDE_EMIT on the request channel: `{"uid":"emitter","type":6,"data":<args_json>}`,
  /// `args_json` a JSON array (the event name first). Acks are not supported, as in the
  /// emitter. Errors: invalid_argument (not a JSON array; too many rooms), invalid_utf8.
  template <class C1, class C2>
  result<std::size_t> server_side_emit(C1& channel, C2& message, std::string_view args_json) const;
  /// socketsJoin(rooms): the sockets targeted by to() / except() join `target`
  /// (`{"type":2,"opts":{"rooms","except"},"rooms":[..]}` on the request channel).
  /// Errors: invalid_utf8 (a name), invalid_argument (too many rooms).
  template <class C1, class C2>
  result<std::size_t> sockets_join(C1& channel, C2& message, room_list target) const {
    return join_or_leave(channel, message, true, target);
  }
  /// socketsLeave(rooms): as sockets_join(), type 3.
  template <class C1, class C2>
  result<std::size_t> sockets_leave(C1& channel, C2& message, room_list target) const {
    return join_or_leave(channel, message, false, target);
  }
  /// disconnectSockets(close): `{"type":4,"opts":{..},"close":bool}` on the request channel.
  /// Errors: invalid_utf8 (a name), invalid_argument (too many rooms).
  template <class C1, class C2>
  result<std::size_t> disconnect_sockets(C1& channel, C2& message, bool close = false) const;

  /// The namespace written ('/' prepended when of() added it).
  std::string_view nsp() const noexcept { return nsp_; }
  bool nsp_slash() const noexcept { return slash_; }
  std::string_view key() const noexcept { return key_; }
  room_list rooms() const noexcept { return {rooms_, n_rooms_}; }
  room_list except_rooms() const noexcept { return {except_, n_except_}; }
  const broadcast_flags& flags() const noexcept { return flags_; }

 private:
  static constexpr std::size_t cap = SIOCODEC_REDIS_EMITTER_MAX_ROOMS;
  // Calls f(nsp) with the namespace as written.
  template <class F>
  result<std::size_t> with_nsp(F&& f) const;
  template <class C1, class C2>
  result<std::size_t> join_or_leave(C1& channel, C2& message, bool join, room_list target) const;
  // Appends the message (msg(nsp)) then the channel (ch(nsp)); on error neither changes.
  template <class C2, class Channel, class Message>
  result<std::size_t> publish(C2& message, Channel&& ch, Message&& msg) const;
  void add(std::string_view* set, std::size_t& n, std::string_view r) noexcept {
    for (std::size_t i = 0; i < n; ++i) {
      if (set[i] == r) return;
    }
    if (n == cap) {
      overflow_ = true;
      return;
    }
    set[n++] = r;
  }

  std::string_view nsp_;
  std::string_view key_;
  std::string_view rooms_[cap] = {};
  std::string_view except_[cap] = {};
  std::size_t n_rooms_ = 0;
  std::size_t n_except_ = 0;
  broadcast_flags flags_;
  bool slash_ = false;
  bool overflow_ = false;
};

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

template <class F>
result<std::size_t> emitter::with_nsp(F&& f) const {
  if (overflow_) return {errc::invalid_argument, 0};
  if (!slash_) return f(nsp_);
  // of("admin") names "/admin": the one namespace that is not the caller's view, assembled here.
  char buf[256];
  if (nsp_.size() + 1 > sizeof buf) return {errc::invalid_argument, 0};
  buf[0] = '/';
  if (!nsp_.empty()) std::memcpy(buf + 1, nsp_.data(), nsp_.size());
  return f(std::string_view(buf, nsp_.size() + 1));
}

template <class C2, class Channel, class Message>
result<std::size_t> emitter::publish(C2& message, Channel&& ch, Message&& msg) const {
  return with_nsp([&](std::string_view nsp) -> result<std::size_t> {
    const result<std::size_t> r = msg(nsp);
    if (!r) return r;
    const result<std::size_t> c = ch(nsp);
    if (!c) {  // only a size overflow: undo the message
      message.resize(message.size() - *r);
      return {c.error(), 0};
    }
    return r;
  });
}

template <class C1, class C2, class... A>
result<std::size_t> emitter::emit(
    C1& channel, C2& message,
    const packet_builder<::SIOCODEC_NAMESPACE::socketio::detail::event_data<A...>>& ev,
    const encode_options& eopts) const {
  broadcast_options o;
  o.rooms = rooms();
  o.except = except_rooms();
  o.flags = flags_;
  o.order = opts_order::emitter;
  return publish(
      message,
      [&](std::string_view nsp) {
        return n_rooms_ == 1 ? room_channel(channel, nsp, rooms_[0], key_)
                             : broadcast_channel(channel, nsp, key_);
      },
      [&](std::string_view nsp) {
        return encode_broadcast(message, emitter_uid, nsp, o, ev, eopts);
      });
}

template <class C1, class C2>
result<std::size_t> emitter::server_side_emit(C1& channel, C2& message,
                                              std::string_view args_json) const {
  return publish(
      message, [&](std::string_view nsp) { return request_channel(channel, nsp, key_); },
      [&](std::string_view) {
        return encode_server_side_emit_request(message, emitter_uid, {}, args_json);
      });
}

template <class C1, class C2>
result<std::size_t> emitter::join_or_leave(C1& channel, C2& message, bool join,
                                           room_list target) const {
  return publish(
      message, [&](std::string_view nsp) { return request_channel(channel, nsp, key_); },
      [&](std::string_view) {
        return encode_sockets_join_request(message, join, {}, rooms(), except_rooms(), target);
      });
}

template <class C1, class C2>
result<std::size_t> emitter::disconnect_sockets(C1& channel, C2& message, bool close) const {
  return publish(
      message, [&](std::string_view nsp) { return request_channel(channel, nsp, key_); },
      [&](std::string_view) {
        return encode_disconnect_sockets_request(message, {}, rooms(), except_rooms(), close);
      });
}

}  // namespace redis
}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_REDIS_EMITTER_HPP
