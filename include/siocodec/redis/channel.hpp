// SPDX-License-Identifier: BSL-1.0
// The Redis channel names of @socket.io/redis-adapter 8.3 and @socket.io/redis-emitter 5.1.
#ifndef SIOCODEC_REDIS_CHANNEL_HPP
#define SIOCODEC_REDIS_CHANNEL_HPP

#include <siocodec/config.hpp>
#include <siocodec/error.hpp>
#include <siocodec/result.hpp>
#include <siocodec/sink.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

// One adapter per namespace, and per adapter (prefix = the `key` option, "socket.io" by default):
//
//   <key>#<nsp>#             broadcasts to the whole namespace or to several rooms (PSUBSCRIBE
//   <key>#<nsp>#<room>#      <key>#<nsp>#*); a broadcast to exactly one room goes to the room's
//                            channel, so that a node without that room can drop it unread
//   <key>-request#<nsp>#     requests (SUBSCRIBE), JSON or msgpack (request.hpp)
//   <key>-response#<nsp>#    responses to every requester (SUBSCRIBE)
//   <key>-response#<nsp>#<uid>#  responses to the node `uid` (publishOnSpecificResponseChannel)
//
// Names are bytes: Redis channels are binary-safe and the reference concatenates the strings
// as they are, so a namespace or room holding '#' is written unchanged. That makes a channel
// name ambiguous on its own ("socket.io#/a#b#" is the namespace "/a#b" or the room "b" of
// "/a"), which is why match_channel() takes the namespace it is listening for, as each adapter
// instance of the reference does.

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {
namespace redis {

/// The default key prefix ("socket.io").
inline constexpr std::string_view default_key = SIOCODEC_DEFAULT_REDIS_KEY;

/// Appends `<key>#<nsp>#` (broadcasts to the whole namespace or to several rooms).
/// @return bytes appended. Errors: invalid_argument (the size overflows size_t).
template <class C>
result<std::size_t> broadcast_channel(C& out, std::string_view nsp,
                                      std::string_view key = default_key);

/// Appends `<key>#<nsp>#<room>#` (a broadcast to exactly one room).
/// Errors: invalid_argument (the size overflows size_t).
template <class C>
result<std::size_t> room_channel(C& out, std::string_view nsp, std::string_view room,
                                 std::string_view key = default_key);

/// Appends the PSUBSCRIBE pattern of a namespace's broadcasts: `<key>#<nsp>#*`. The reference
/// writes the namespace into the glob as it is; here the glob characters `*?[]\` of the key and
/// namespace are escaped with a backslash, so the pattern matches exactly the channels that
/// start with `<key>#<nsp>#` (the reference's filter after the match) and no others.
/// Errors: invalid_argument (the size overflows size_t).
template <class C>
result<std::size_t> broadcast_pattern(C& out, std::string_view nsp,
                                      std::string_view key = default_key);

/// Appends `<key>-request#<nsp>#`.
/// Errors: invalid_argument (the size overflows size_t).
template <class C>
result<std::size_t> request_channel(C& out, std::string_view nsp,
                                    std::string_view key = default_key);

/// Appends `<key>-response#<nsp>#` (responses every node reads).
/// Errors: invalid_argument (the size overflows size_t).
template <class C>
result<std::size_t> response_channel(C& out, std::string_view nsp,
                                     std::string_view key = default_key);

/// Appends `<key>-response#<nsp>#<uid>#`: the responses to node `uid` when the responders use
/// publishOnSpecificResponseChannel.
/// Errors: invalid_argument (the size overflows size_t).
template <class C>
result<std::size_t> specific_response_channel(C& out, std::string_view nsp, std::string_view uid,
                                              std::string_view key = default_key);

/// What a channel is, for the adapter of one namespace.
enum class channel_kind : std::uint8_t {
  broadcast,          ///< `<key>#<nsp>#`, and `<key>#<nsp>##` (an empty room: the reference
                      ///< treats it as the whole namespace)
  room,               ///< `<key>#<nsp>#<room>#`, room not empty
  request,            ///< `<key>-request#<nsp>#`
  response,           ///< `<key>-response#<nsp>#`
  specific_response,  ///< `<key>-response#<nsp>#<uid>#`, uid not empty
};

/// A channel matched by match_channel(): its kind and the views of its variable part.
struct channel_match {
  channel_kind kind = channel_kind::broadcast;
  /// kind room: the room name (a view into the channel).
  std::string_view room;
  /// kind specific_response: the uid of the node the responses are for.
  std::string_view uid;
};

/// Tells which of the channels of the adapter of namespace `nsp` (prefix `key`) `channel` is.
/// A room or uid part may hold '#'; it must end with '#'. (The reference drops the last
/// character of a room channel whatever it is; no encoder writes one without the '#'.)
/// @return the match; offset() is channel.size().
/// Errors:
/// - invalid_namespace: `channel` is not a channel of this key and namespace (offset: the first
///   byte that differs from every name of the adapter, at most channel.size()).
/// - invalid_argument: a room or uid part that does not end with '#' (offset channel.size()).
result<channel_match> match_channel(std::string_view channel, std::string_view nsp,
                                    std::string_view key = default_key) noexcept;

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

template <class W>
void emit_glob_escaped(W& w, std::string_view s) noexcept {
  for (const char c : s) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') w.put('\\');
    w.put(c);
  }
}

// `<key><suffix>#<nsp>#` then, when `tail` is set, `<tail>#`.
template <class C>
result<std::size_t> append_channel(C& out, std::string_view key, std::string_view suffix,
                                   std::string_view nsp, const std::string_view* tail) {
  return ::SIOCODEC_NAMESPACE::detail::write_append(out, [&](auto& w) {
    w.append(key.data(), key.size());
    w.append(suffix.data(), suffix.size());
    w.put('#');
    w.append(nsp.data(), nsp.size());
    w.put('#');
    if (tail != nullptr) {
      w.append(tail->data(), tail->size());
      w.put('#');
    }
    return errc::none;
  });
}

// Bytes `s` and `t` have in common from the start.
constexpr std::size_t common_prefix(std::string_view s, std::string_view t) noexcept {
  std::size_t i = 0;
  while (i < s.size() && i < t.size() && s[i] == t[i]) ++i;
  return i;
}

// Matches `<key><suffix>#<nsp>#` at the start of `ch`: true and `rest` set to what follows, or
// false and `reached` raised to the length of the longest match.
inline bool match_prefix(std::string_view ch, std::string_view key, std::string_view suffix,
                         std::string_view nsp, std::string_view& rest,
                         std::size_t& reached) noexcept {
  std::size_t at = 0;
  const auto part = [&](std::string_view p) {
    const std::size_t n = common_prefix(ch.substr(at), p);
    at += n;
    return n == p.size();
  };
  const bool ok = part(key) && part(suffix) && part("#") && part(nsp) && part("#");
  if (!ok) {
    if (at > reached) reached = at;
    return false;
  }
  rest = ch.substr(at);
  return true;
}

}  // namespace detail

template <class C>
result<std::size_t> broadcast_channel(C& out, std::string_view nsp, std::string_view key) {
  return detail::append_channel(out, key, {}, nsp, nullptr);
}

template <class C>
result<std::size_t> room_channel(C& out, std::string_view nsp, std::string_view room,
                                 std::string_view key) {
  return detail::append_channel(out, key, {}, nsp, &room);
}

template <class C>
result<std::size_t> broadcast_pattern(C& out, std::string_view nsp, std::string_view key) {
  return ::SIOCODEC_NAMESPACE::detail::write_append(out, [&](auto& w) {
    detail::emit_glob_escaped(w, key);
    w.put('#');
    detail::emit_glob_escaped(w, nsp);
    w.append("#*", 2);
    return errc::none;
  });
}

template <class C>
result<std::size_t> request_channel(C& out, std::string_view nsp, std::string_view key) {
  return detail::append_channel(out, key, "-request", nsp, nullptr);
}

template <class C>
result<std::size_t> response_channel(C& out, std::string_view nsp, std::string_view key) {
  return detail::append_channel(out, key, "-response", nsp, nullptr);
}

template <class C>
result<std::size_t> specific_response_channel(C& out, std::string_view nsp, std::string_view uid,
                                              std::string_view key) {
  return detail::append_channel(out, key, "-response", nsp, &uid);
}

inline result<channel_match> match_channel(std::string_view channel, std::string_view nsp,
                                           std::string_view key) noexcept {
  std::string_view rest;
  std::size_t reached = 0;
  channel_match m;
  // A variable part: non-empty, ending with '#', which is not part of it.
  const auto tail = [&](std::string_view& part) {
    if (rest.empty() || rest.back() != '#') return false;
    part = rest.substr(0, rest.size() - 1);
    return true;
  };
  if (detail::match_prefix(channel, key, {}, nsp, rest, reached)) {
    if (rest.empty()) return {m, channel.size()};
    if (!tail(m.room)) return {errc::invalid_argument, channel.size()};
    m.kind = m.room.empty() ? channel_kind::broadcast : channel_kind::room;
    return {m, channel.size()};
  }
  if (detail::match_prefix(channel, key, "-request", nsp, rest, reached)) {
    if (!rest.empty()) return {errc::invalid_namespace, channel.size() - rest.size()};
    m.kind = channel_kind::request;
    return {m, channel.size()};
  }
  if (detail::match_prefix(channel, key, "-response", nsp, rest, reached)) {
    if (rest.empty()) {
      m.kind = channel_kind::response;
      return {m, channel.size()};
    }
    if (!tail(m.uid) || m.uid.empty()) return {errc::invalid_argument, channel.size()};
    m.kind = channel_kind::specific_response;
    return {m, channel.size()};
  }
  const std::size_t at = reached < channel.size() ? reached : channel.size();
  return {errc::invalid_namespace, at};
}

}  // namespace redis
}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_REDIS_CHANNEL_HPP
