// SPDX-License-Identifier: BSL-1.0
// The request and response messages of @socket.io/redis-adapter 8.3 (and the requests of
// @socket.io/redis-emitter 5.1): encode and decode.
#ifndef SIOCODEC_REDIS_REQUEST_HPP
#define SIOCODEC_REDIS_REQUEST_HPP

#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/error.hpp>
#include <siocodec/json/number.hpp>
#include <siocodec/json/validate.hpp>
#include <siocodec/json/value.hpp>
#include <siocodec/json/write.hpp>
#include <siocodec/msgpack/value.hpp>
#include <siocodec/msgpack/writer.hpp>
#include <siocodec/redis/broadcast.hpp>
#include <siocodec/result.hpp>
#include <siocodec/sink.hpp>
#include <siocodec/socketio/any.hpp>
#include <siocodec/socketio/builders.hpp>
#include <siocodec/socketio/msgpack_parser/args_writer.hpp>
#include <siocodec/socketio/msgpack_parser/decode.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>

// Requests go to `<key>-request#<nsp>#`, responses to `<key>-response#<nsp>#` (or, with
// publishOnSpecificResponseChannel, `<key>-response#<nsp>#<uid of the requester>#`). A message
// whose first byte is `{` is JSON, anything else msgpack (notepack.io), as the reference tells
// them apart. What 8.3.0 writes, key order included (JSON.stringify and notepack.io keep the
// order in which the properties were set):
//
//   request                          sent by                      response
//   ALL_ROOMS (1)       JSON  {"uid","requestId","type":1}        {"requestId","rooms":[...]}
//   REMOTE_FETCH (5)    JSON  {"uid","requestId","type":5,        {"requestId","sockets":[{"id",
//                               "opts":{"rooms","except"}}          "handshake","rooms","data"}]}
//   REMOTE_JOIN (2)     JSON  {"uid","type":2,"opts":{"rooms",    none
//   REMOTE_LEAVE (3)            "except"},"rooms":[...]}  (the emitter: no "uid")
//   REMOTE_DISCONNECT (4) JSON {"uid","type":4,"opts":{...},      none
//                               "close":bool}             (the emitter: no "uid")
//   SERVER_SIDE_EMIT (6) JSON {"uid","type":6,"data":[...]}       none; with an ack:
//                             with an ack: {"uid","requestId",    {"type":6,"requestId","data":x}
//                               "type":6,"data":[...]}            (always on the common channel)
//   BROADCAST (7)      msgpack {uid, requestId, type: 7,          {"type":8,"requestId",
//                        packet: {type, data, nsp},                 "clientCount":N} (JSON), then
//                        opts: {rooms, except, flags}}             per client ack, msgpack
//                                                                  {type: 9, requestId, packet: x}
//   SOCKETS (0)        (not sent by 8.3; answered)                {"requestId","sockets":[ids]}
//   REMOTE_JOIN / LEAVE / DISCONNECT of 7.x: {"requestId","sid","room"|"close"}, answered
//                                                                  {"requestId"}
//
// JSON messages are written as JSON.stringify writes them (json::emit_string). Values handed
// in as JSON text (the SERVER_SIDE_EMIT arguments, an ack's argument, the fetched sockets) are
// copied verbatim after a validation: JSON.stringify of a Buffer there is
// {"type":"Buffer","data":[...]}, which is what a Node peer sends and reads.

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {
namespace redis {

/// The RequestType values of @socket.io/redis-adapter 8.3.
enum class request_type : std::uint8_t {
  sockets = 0,
  all_rooms = 1,
  remote_join = 2,
  remote_leave = 3,
  remote_disconnect = 4,
  remote_fetch = 5,
  server_side_emit = 6,
  broadcast = 7,
  broadcast_client_count = 8,
  broadcast_ack = 9,
};

/// A decoded request. Which members are set depends on `type` (see the table above); strings
/// are views into the message, values are any_value views (JSON or msgpack, whichever the
/// message was), all valid while the message bytes are.
struct request_view {
  request_type type = request_type::sockets;
  /// True when the message was msgpack (BROADCAST), false for JSON.
  bool is_msgpack = false;
  /// The requester's uid; absent in the emitter's REMOTE_JOIN / LEAVE / DISCONNECT.
  std::optional<std::string_view> uid;
  /// The request id (uid2(6) in the reference); absent where the request expects no response.
  std::optional<std::string_view> request_id;
  /// The targeted sockets: opts.rooms and opts.except (REMOTE_JOIN / LEAVE / DISCONNECT /
  /// FETCH, BROADCAST), or for SOCKETS the request's "rooms". Arrays of strings / numbers, or
  /// absent (no restriction).
  any_value rooms;
  any_value except;
  /// REMOTE_JOIN / REMOTE_LEAVE: the rooms to join or leave (an array).
  any_value target_rooms;
  /// REMOTE_DISCONNECT: close the underlying connection too.
  bool close = false;
  /// The 7.x per-socket form of REMOTE_JOIN / LEAVE / DISCONNECT: the socket id, and for JOIN /
  /// LEAVE the room (a string or number).
  std::optional<std::string_view> sid;
  any_value room;
  /// SERVER_SIDE_EMIT: the arguments (an array; the event name first, by convention).
  any_value data;
  /// BROADCAST: the packet ({type, data, nsp}) and the flags (timeout: the ack timeout).
  msgpack_packet_view packet;
  broadcast_flags flags;
};

/// A decoded response. The requester knows what it asked (by request_id); `type` is only
/// written for SERVER_SIDE_EMIT, BROADCAST_CLIENT_COUNT and BROADCAST_ACK.
struct response_view {
  bool is_msgpack = false;
  std::string_view request_id;
  std::optional<request_type> type;
  /// SOCKETS: an array of socket ids; REMOTE_FETCH: an array of {id, handshake, rooms, data}.
  any_value sockets;
  /// ALL_ROOMS: an array of room names.
  any_value rooms;
  /// SERVER_SIDE_EMIT: the ack's argument (absent: undefined).
  any_value data;
  /// BROADCAST_CLIENT_COUNT: how many clients the responder sent the packet to.
  std::uint64_t client_count = 0;
  /// BROADCAST_ACK: the client's ack argument (absent: undefined).
  any_value packet;
};

/// Options of decode_request() and decode_response().
struct request_decode_options {
  /// Deepest nesting of the whole message (JSON or msgpack); the BROADCAST packet's data may
  /// nest that deep below the message's own two levels.
  std::size_t max_depth = SIOCODEC_DEFAULT_MAX_JSON_DEPTH;
  /// Most names in a rooms / except / target list.
  std::size_t max_rooms = SIOCODEC_DEFAULT_REDIS_MAX_ROOMS;
  /// Longest namespace of a BROADCAST packet, in bytes.
  std::size_t max_namespace = SIOCODEC_DEFAULT_MAX_NAMESPACE;
};

/// Decodes a message of the request channel. JSON when the first byte is `{` (json::parse:
/// strict RFC 8259, UTF-8, bounded depth), msgpack otherwise (msgpack::parse). The message is an
/// object with "type" an integer 0-7, and by type: SOCKETS "requestId", "rooms" absent or an
/// array; ALL_ROOMS "requestId"; REMOTE_JOIN / LEAVE "opts" (an object, its "rooms" / "except"
/// absent or arrays) and "rooms" an array, or the 7.x form "requestId", "sid" and "room" (a
/// string or number); REMOTE_DISCONNECT "opts" and "close" (absent or a boolean), or "requestId",
/// "sid" and "close"; REMOTE_FETCH "requestId" and "opts"; SERVER_SIDE_EMIT "data" an array,
/// "requestId" optional; BROADCAST "requestId", "packet" (as in decode_broadcast()) and "opts"
/// (with "flags"). "uid", "requestId" and "sid" are strings when present; in JSON they must be
/// written without escapes (a view cannot hold an unescaped copy; uid2() writes only
/// [A-Za-z0-9_-]). Room names are strings or numbers. Unknown keys are ignored.
///
/// @return the view; offset() is message.size(). On failure the offset of the offending value.
/// Errors:
/// - invalid_json / invalid_json_string / invalid_json_number / invalid_utf8 /
///   nesting_too_deep (JSON), invalid_msgpack / trailing_data / nesting_too_deep / invalid_utf8
///   (msgpack): the syntax;
/// - unknown_packet_type: not an object, or "type" missing, not an integer or not 0-7;
/// - invalid_payload: a member missing or of the wrong kind for the type, more than max_rooms
///   names in a list;
/// - the errors of decode_broadcast() for the BROADCAST packet (unknown_packet_type,
///   invalid_namespace, invalid_ack_id, ack_id_overflow).
result<request_view> decode_request(byte_view message,
                                    const request_decode_options& opts = {}) noexcept;

/// Decodes a message of a response channel (JSON or msgpack as decode_request()): an object
/// with "requestId" a string (no escapes in JSON), "type" absent or an integer 0-9, "sockets" and
/// "rooms" absent or arrays, "clientCount" a non-negative integer (required when type is 8),
/// "data" and "packet" any value.
/// Errors: as decode_request() (unknown_packet_type for a "type" out of range; invalid_payload
/// for the members).
result<response_view> decode_response(byte_view message,
                                      const request_decode_options& opts = {}) noexcept;

// --- encoding: requests ----------------------------------------------------------------------
// Each appends the message to `out` (one resize; none on error) and returns its size.
// Strings (uid, request id, rooms) must be UTF-8: invalid_utf8 otherwise. JSON text arguments
// must be one valid JSON value of the stated kind: invalid_argument otherwise (offset 0).

/// ALL_ROOMS: `{"uid":..,"requestId":..,"type":1}`.
template <class C>
result<std::size_t> encode_all_rooms_request(C& out, std::string_view uid,
                                             std::string_view request_id);

/// REMOTE_FETCH: `{"uid","requestId","type":5,"opts":{"rooms":[..],"except":[..]}}`.
template <class C>
result<std::size_t> encode_fetch_sockets_request(C& out, std::string_view uid,
                                                 std::string_view request_id, room_list rooms,
                                                 room_list except);

/// REMOTE_JOIN (join true) or REMOTE_LEAVE: `{"uid","type":2|3,"opts":{"rooms","except"},
/// "rooms":[..]}`; an empty `uid` writes the emitter's form, without "uid".
template <class C>
result<std::size_t> encode_sockets_join_request(C& out, bool join, std::string_view uid,
                                                room_list rooms, room_list except,
                                                room_list target);

/// REMOTE_DISCONNECT: `{"uid","type":4,"opts":{..},"close":bool}`; an empty `uid` writes the
/// emitter's form.
template <class C>
result<std::size_t> encode_disconnect_sockets_request(C& out, std::string_view uid, room_list rooms,
                                                      room_list except, bool close);

/// SERVER_SIDE_EMIT: `{"uid","type":6,"data":<args_json>}`, with a non-empty request_id
/// `{"uid","requestId","type":6,"data":..}` (an ack is expected). `args_json` is a JSON array
/// (the event name first).
template <class C>
result<std::size_t> encode_server_side_emit_request(C& out, std::string_view uid,
                                                    std::string_view request_id,
                                                    std::string_view args_json);

/// BROADCAST (msgpack): `{uid, requestId, type: 7, packet: {type: 2, data: [name, args...],
/// nsp}, opts: {rooms, except, flags}}` for EVENT builder `ev`: what broadcastWithAck publishes
/// (set opts.flags' timeout: the reference always has one there).
/// Errors: as encode_broadcast().
template <class C, class... A>
result<std::size_t> encode_broadcast_request(
    C& out, std::string_view uid, std::string_view request_id, std::string_view nsp,
    const broadcast_options& opts,
    const packet_builder<::SIOCODEC_NAMESPACE::socketio::detail::event_data<A...>>& ev,
    const encode_options& eopts = {});

// --- encoding: responses ---------------------------------------------------------------------

/// SOCKETS: `{"requestId","sockets":[ids]}`.
template <class C>
result<std::size_t> encode_sockets_response(C& out, std::string_view request_id, room_list ids);

/// ALL_ROOMS: `{"requestId","rooms":[..]}`.
template <class C>
result<std::size_t> encode_all_rooms_response(C& out, std::string_view request_id, room_list rooms);

/// REMOTE_FETCH: `{"requestId","sockets":<sockets_json>}`, `sockets_json` a JSON array of
/// `{"id","handshake","rooms","data"}` objects (as the reference writes them).
template <class C>
result<std::size_t> encode_fetch_sockets_response(C& out, std::string_view request_id,
                                                  std::string_view sockets_json);

/// The 7.x REMOTE_JOIN / LEAVE / DISCONNECT answer: `{"requestId"}`.
template <class C>
result<std::size_t> encode_remote_done_response(C& out, std::string_view request_id);

/// SERVER_SIDE_EMIT's ack: `{"type":6,"requestId","data":<data_json>}`; an empty `data_json` is
/// undefined (no "data" member, as JSON.stringify leaves it out).
template <class C>
result<std::size_t> encode_server_side_emit_response(C& out, std::string_view request_id,
                                                     std::string_view data_json);

/// BROADCAST_CLIENT_COUNT: `{"type":8,"requestId","clientCount":N}`.
template <class C>
result<std::size_t> encode_client_count_response(C& out, std::string_view request_id,
                                                 std::uint64_t client_count);

/// BROADCAST_ACK (msgpack): `{type: 9, requestId, packet: <arg>}`, the argument written by
/// `write_arg(msgpack_args_writer&)` (one value: `w.raw_msgpack(v)`, `w.raw(json)`,
/// `w.value(x)`...; none written: undefined, the "packet" key left out).
/// Errors: those of msgpack_args_writer; invalid_utf8 (request_id); invalid_argument (more than
/// one value written).
template <class C, class F>
result<std::size_t> encode_broadcast_ack_response(C& out, std::string_view request_id,
                                                  F&& write_arg, const encode_options& eopts = {});

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

inline bool json_ok(std::string_view text, json::kind want, bool any = false) noexcept {
  const result<json::kind> k = json::validate(text);
  return k && (any || *k == want);
}

template <class W>
void json_key(W& w, std::string_view k) noexcept {
  w.put('"');
  w.append(k.data(), k.size());
  w.append("\":", 2);
}

template <class W>
errc json_str(W& w, std::string_view s) noexcept {
  return json::emit_string(w, s);
}

template <class W>
errc json_rooms(W& w, const room_list& r) noexcept {
  w.put('[');
  for (std::size_t i = 0; i < r.size; ++i) {
    if (i != 0) w.put(',');
    const errc e = json::emit_string(w, r.data[i]);
    if (e != errc::none) return e;
  }
  w.put(']');
  return errc::none;
}

template <class W>
errc json_opts(W& w, const room_list& rooms, const room_list& except) noexcept {
  json_key(w, "opts");
  w.put('{');
  json_key(w, "rooms");
  errc e = json_rooms(w, rooms);
  if (e != errc::none) return e;
  w.put(',');
  json_key(w, "except");
  e = json_rooms(w, except);
  w.put('}');
  return e;
}

// `{` [`"uid":..,`] [`"requestId":..,`] `"type":T` then more(w) and `}`.
template <class C, class More>
result<std::size_t> json_message(C& out, std::string_view uid, std::string_view request_id,
                                 request_type t, More&& more) {
  return ::SIOCODEC_NAMESPACE::detail::write_append(out, [&](auto& w) -> errc {
    w.put('{');
    errc e = errc::none;
    if (!uid.empty()) {
      json_key(w, "uid");
      if ((e = json_str(w, uid)) != errc::none) return e;
      w.put(',');
    }
    if (!request_id.empty()) {
      json_key(w, "requestId");
      if ((e = json_str(w, request_id)) != errc::none) return e;
      w.put(',');
    }
    json_key(w, "type");
    json::emit_uint(w, static_cast<std::uint64_t>(t));
    if ((e = more(w)) != errc::none) return e;
    w.put('}');
    return errc::none;
  });
}

// `{"requestId":..` then, with a key, `,"<key>":` and more(w), and `}` (responses without a
// type).
template <class C, class More>
result<std::size_t> json_response(C& out, std::string_view request_id, std::string_view key,
                                  More&& more) {
  return ::SIOCODEC_NAMESPACE::detail::write_append(out, [&](auto& w) -> errc {
    w.put('{');
    json_key(w, "requestId");
    const errc e = json_str(w, request_id);
    if (e != errc::none) return e;
    if (!key.empty()) {
      w.put(',');
      json_key(w, key);
      const errc m = more(w);
      if (m != errc::none) return m;
    }
    w.put('}');
    return errc::none;
  });
}

}  // namespace detail

template <class C>
result<std::size_t> encode_all_rooms_request(C& out, std::string_view uid,
                                             std::string_view request_id) {
  return detail::json_message(out, uid, request_id, request_type::all_rooms,
                              [](auto&) { return errc::none; });
}

template <class C>
result<std::size_t> encode_fetch_sockets_request(C& out, std::string_view uid,
                                                 std::string_view request_id, room_list rooms,
                                                 room_list except) {
  return detail::json_message(out, uid, request_id, request_type::remote_fetch, [&](auto& w) {
    w.put(',');
    return detail::json_opts(w, rooms, except);
  });
}

template <class C>
result<std::size_t> encode_sockets_join_request(C& out, bool join, std::string_view uid,
                                                room_list rooms, room_list except,
                                                room_list target) {
  const request_type t = join ? request_type::remote_join : request_type::remote_leave;
  return detail::json_message(out, uid, {}, t, [&](auto& w) {
    w.put(',');
    const errc e = detail::json_opts(w, rooms, except);
    if (e != errc::none) return e;
    w.put(',');
    detail::json_key(w, "rooms");
    return detail::json_rooms(w, target);
  });
}

template <class C>
result<std::size_t> encode_disconnect_sockets_request(C& out, std::string_view uid, room_list rooms,
                                                      room_list except, bool close) {
  return detail::json_message(out, uid, {}, request_type::remote_disconnect, [&](auto& w) {
    w.put(',');
    const errc e = detail::json_opts(w, rooms, except);
    if (e != errc::none) return e;
    w.put(',');
    detail::json_key(w, "close");
    w.append(close ? "true" : "false", close ? 4 : 5);
    return errc::none;
  });
}

template <class C>
result<std::size_t> encode_server_side_emit_request(C& out, std::string_view uid,
                                                    std::string_view request_id,
                                                    std::string_view args_json) {
  if (!detail::json_ok(args_json, json::kind::array)) return {errc::invalid_argument, 0};
  return detail::json_message(out, uid, request_id, request_type::server_side_emit, [&](auto& w) {
    w.put(',');
    detail::json_key(w, "data");
    w.append(args_json.data(), args_json.size());
    return errc::none;
  });
}

template <class C>
result<std::size_t> encode_sockets_response(C& out, std::string_view request_id, room_list ids) {
  return detail::json_response(out, request_id, "sockets",
                               [&](auto& w) { return detail::json_rooms(w, ids); });
}

template <class C>
result<std::size_t> encode_all_rooms_response(C& out, std::string_view request_id,
                                              room_list rooms) {
  return detail::json_response(out, request_id, "rooms",
                               [&](auto& w) { return detail::json_rooms(w, rooms); });
}

template <class C>
result<std::size_t> encode_fetch_sockets_response(C& out, std::string_view request_id,
                                                  std::string_view sockets_json) {
  if (!detail::json_ok(sockets_json, json::kind::array)) return {errc::invalid_argument, 0};
  return detail::json_response(out, request_id, "sockets", [&](auto& w) {
    w.append(sockets_json.data(), sockets_json.size());
    return errc::none;
  });
}

template <class C>
result<std::size_t> encode_remote_done_response(C& out, std::string_view request_id) {
  return detail::json_response(out, request_id, {}, [](auto&) { return errc::none; });
}

template <class C>
result<std::size_t> encode_server_side_emit_response(C& out, std::string_view request_id,
                                                     std::string_view data_json) {
  if (!data_json.empty() && !detail::json_ok(data_json, json::kind::null, true)) {
    return {errc::invalid_argument, 0};
  }
  return detail::json_message(out, {}, {}, request_type::server_side_emit, [&](auto& w) {
    w.put(',');
    detail::json_key(w, "requestId");
    const errc e = detail::json_str(w, request_id);
    if (e != errc::none) return e;
    if (!data_json.empty()) {
      w.put(',');
      detail::json_key(w, "data");
      w.append(data_json.data(), data_json.size());
    }
    return errc::none;
  });
}

template <class C>
result<std::size_t> encode_client_count_response(C& out, std::string_view request_id,
                                                 std::uint64_t client_count) {
  return detail::json_message(out, {}, {}, request_type::broadcast_client_count, [&](auto& w) {
    w.put(',');
    detail::json_key(w, "requestId");
    const errc e = detail::json_str(w, request_id);
    if (e != errc::none) return e;
    w.put(',');
    detail::json_key(w, "clientCount");
    json::emit_uint(w, client_count);
    return errc::none;
  });
}

namespace detail {

// A msgpack_args_writer over the sink of the pass (measuring or writing).
template <class S>
msgpack_args_writer pass_writer(S& sink, mp_plan& plan, const encode_options& eopts) noexcept {
  if constexpr (std::is_same<S, mp_counter>::value) {
    return mp_access::counting(&sink, &plan, eopts);
  } else {
    return mp_access::writing(&sink, &plan, eopts);
  }
}

}  // namespace detail

template <class C, class... A>
result<std::size_t> encode_broadcast_request(
    C& out, std::string_view uid, std::string_view request_id, std::string_view nsp,
    const broadcast_options& opts,
    const packet_builder<::SIOCODEC_NAMESPACE::socketio::detail::event_data<A...>>& ev,
    const encode_options& eopts) {
  const std::string_view name = ev.data().name;
  if (!detail::utf8_ok(name) || !detail::utf8_ok(request_id)) return {errc::invalid_utf8, 0};
  if (::SIOCODEC_NAMESPACE::socketio::detail::is_reserved_event_name(name)) {
    return {errc::reserved_event_name, 0};
  }
  const errc se = detail::check_strings(uid, nsp, opts);
  if (se != errc::none) return {se, 0};
  return detail::append_two_pass(out, [&](auto& s, detail::mp_plan& plan) -> errc {
    s.put(static_cast<char>(0x85));
    detail::put_str(s, "uid");
    detail::put_str(s, uid);
    detail::put_str(s, "requestId");
    detail::put_str(s, request_id);
    detail::put_str(s, "type");
    msgpack::emit_uint(s, static_cast<std::uint64_t>(request_type::broadcast));
    detail::put_str(s, "packet");
    s.put(static_cast<char>(0x83));
    detail::put_str(s, "type");
    msgpack::emit_uint(s, static_cast<std::uint64_t>(packet_type::event));
    detail::put_str(s, "data");
    msgpack_args_writer w = detail::pass_writer(s, plan, eopts);
    ::SIOCODEC_NAMESPACE::socketio::detail::write_data(w, ev.data());
    const errc e = detail::mp_access::finish(w);
    if (e != errc::none) return e;
    detail::put_str(s, "nsp");
    detail::put_str(s, nsp);
    detail::put_str(s, "opts");
    detail::put_opts(s, opts);
    return errc::none;
  });
}

template <class C, class F>
result<std::size_t> encode_broadcast_ack_response(C& out, std::string_view request_id,
                                                  F&& write_arg, const encode_options& eopts) {
  if (!detail::utf8_ok(request_id)) return {errc::invalid_utf8, 0};
  if (request_id.size() > 0xFFFFFFFFu) return {errc::invalid_argument, 0};
  bool has_arg = false;
  return detail::append_two_pass(out, [&](auto& s, detail::mp_plan& plan) -> errc {
    using S = std::remove_reference_t<decltype(s)>;
    // The map's header (2 or 3 pairs) is only known once the argument is written: one byte is
    // reserved, and the writing pass fills it in.
    char* head = nullptr;
    if constexpr (std::is_same<S, detail::mp_counter>::value) {
      s.put('\0');
    } else {
      head = s.base + s.pos;
      s.put('\0');
    }
    detail::put_str(s, "type");
    msgpack::emit_uint(s, static_cast<std::uint64_t>(request_type::broadcast_ack));
    detail::put_str(s, "requestId");
    detail::put_str(s, request_id);
    // The measuring pass runs the writer on a counter of its own to learn whether a value is
    // written at all: the "packet" key (and the map's third pair) only come with one.
    if constexpr (std::is_same<S, detail::mp_counter>::value) {
      detail::mp_counter probe;
      msgpack_args_writer pw = detail::pass_writer(probe, plan, eopts);
      write_arg(pw);
      const errc pe = detail::mp_access::finish(pw);
      if (pe != errc::none) return pe;
      has_arg = detail::mp_access::has_value(pw);
      if (has_arg) {
        detail::put_str(s, "packet");
        s.add(probe.n);
        if (probe.overflow) return errc::invalid_argument;
      }
    } else {
      if (has_arg) {
        detail::put_str(s, "packet");
        msgpack_args_writer w = detail::pass_writer(s, plan, eopts);
        write_arg(w);
        const errc e = detail::mp_access::finish(w);
        if (e != errc::none) return e;
        if (!detail::mp_access::has_value(w)) return errc::invalid_argument;
      }
      if (head != nullptr && s.pos <= s.cap) *head = static_cast<char>(has_arg ? 0x83 : 0x82);
    }
    return errc::none;
  });
}

// --- decoding ---------------------------------------------------------------------------------
namespace detail {

// One object of either encoding, read member by member.
struct any_object {
  any_value root;
  bool msgpack = false;
  const unsigned char* base = nullptr;  // the message: offsets are counted from here
  // The offset of `v` in the message (0 for the absent value).
  std::size_t at(const any_value& v) const noexcept {
    if (!v.exists()) return 0;
    const auto* p = msgpack ? v.as_msgpack().raw().data()
                            : reinterpret_cast<const unsigned char*>(v.as_json().raw().data());
    return static_cast<std::size_t>(p - base);
  }
};

// A string member as a view: JSON strings must have no escapes.
inline bool view_of(const any_value& v, std::string_view& out) noexcept {
  if (!v.is_string()) return false;
  if (v.is_msgpack()) {
    out = v.as_msgpack().get_string();
    return true;
  }
  if (v.as_json().has_escapes()) return false;
  out = v.as_json().string_raw();
  return true;
}

inline bool names_ok(const any_value& v, std::size_t max, bool required) noexcept {
  if (!v.exists() || v.is_null() || v.is_undefined()) return !required;
  if (!v.is_array()) return false;
  std::size_t n = 0;
  for (const any_value& e : v.elements()) {
    if (++n > max) return false;
    if (!e.is_string() && !e.is_number()) return false;
  }
  return true;
}

inline bool integer_in(const any_value& v, std::uint64_t max, std::uint64_t& out) noexcept {
  if (!v.is_number()) return false;
  const result<double> d = v.to_double();
  if (!d || !(*d >= 0) || *d > static_cast<double>(max) || std::floor(*d) != *d) return false;
  out = static_cast<std::uint64_t>(*d);
  return true;
}

// Parses `message` as JSON (first byte '{') or msgpack into an object.
inline result<any_object> parse_object(byte_view message, std::size_t max_depth) noexcept {
  any_object o;
  o.base = message.data();
  if (!message.empty() && message.data()[0] == '{') {
    json::options jo;
    jo.max_depth = max_depth;
    const result<json::value> r = json::parse(message.as_chars(), jo);
    if (!r) return {r.error(), r.offset()};
    o.root = any_value(*r);
  } else {
    msgpack::options mo;
    mo.max_depth = max_depth;
    const result<msgpack::value> r = msgpack::parse(message, mo);
    if (!r) return {r.error(), r.offset()};
    o.root = any_value(*r);
    o.msgpack = true;
  }
  if (!o.root.is_object()) return {errc::unknown_packet_type, 0};
  return {o, message.size()};
}

}  // namespace detail

inline result<request_view> decode_request(byte_view message,
                                           const request_decode_options& opts) noexcept {
  const result<detail::any_object> parsed = detail::parse_object(message, opts.max_depth);
  if (!parsed) return {parsed.error(), parsed.offset()};
  const detail::any_object& o = *parsed;
  const auto fail = [&o](errc e, const any_value& v) { return result<request_view>(e, o.at(v)); };
  any_value type_v, uid_v, rid_v, opts_v, rooms_v, close_v, sid_v, room_v, data_v, packet_v;
  for (const any_member& m : o.root.members()) {
    std::string_view k;
    if (!detail::view_of(m.key, k)) continue;
    if (k == "type")
      type_v = m.val;
    else if (k == "uid")
      uid_v = m.val;
    else if (k == "requestId")
      rid_v = m.val;
    else if (k == "opts")
      opts_v = m.val;
    else if (k == "rooms")
      rooms_v = m.val;
    else if (k == "close")
      close_v = m.val;
    else if (k == "sid")
      sid_v = m.val;
    else if (k == "room")
      room_v = m.val;
    else if (k == "data")
      data_v = m.val;
    else if (k == "packet")
      packet_v = m.val;
  }
  request_view r;
  r.is_msgpack = o.msgpack;
  std::uint64_t t = 0;
  if (!detail::integer_in(type_v, 7, t)) return fail(errc::unknown_packet_type, type_v);
  r.type = static_cast<request_type>(t);
  std::string_view s;
  if (uid_v.exists()) {
    if (!detail::view_of(uid_v, s)) return fail(errc::invalid_payload, uid_v);
    r.uid = s;
  }
  if (rid_v.exists()) {
    if (!detail::view_of(rid_v, s)) return fail(errc::invalid_payload, rid_v);
    r.request_id = s;
  }
  const auto need_id = [&]() { return r.request_id.has_value(); };
  // opts: {rooms, except} (and flags for BROADCAST).
  any_value flags_v;
  const auto read_opts = [&]() -> bool {
    if (!opts_v.is_object()) return false;
    for (const any_member& m : opts_v.members()) {
      std::string_view k;
      if (!detail::view_of(m.key, k)) continue;
      if (k == "rooms")
        r.rooms = m.val;
      else if (k == "except")
        r.except = m.val;
      else if (k == "flags")
        flags_v = m.val;
    }
    return detail::names_ok(r.rooms, opts.max_rooms, false) &&
           detail::names_ok(r.except, opts.max_rooms, false);
  };
  const auto read_close = [&]() -> bool {
    if (!close_v.exists() || close_v.is_null() || close_v.is_undefined()) return true;
    if (!close_v.is_bool()) return false;
    r.close = close_v.get_bool();
    return true;
  };
  switch (r.type) {
    case request_type::sockets:
      if (!need_id()) return fail(errc::invalid_payload, rid_v);
      if (!detail::names_ok(rooms_v, opts.max_rooms, false)) {
        return fail(errc::invalid_payload, rooms_v);
      }
      r.rooms = rooms_v;
      break;
    case request_type::all_rooms:
      if (!need_id()) return fail(errc::invalid_payload, rid_v);
      break;
    case request_type::remote_join:
    case request_type::remote_leave:
    case request_type::remote_disconnect: {
      const bool disconnect = r.type == request_type::remote_disconnect;
      if (opts_v.exists()) {
        if (!read_opts()) return fail(errc::invalid_payload, opts_v);
        if (disconnect) {
          if (!read_close()) return fail(errc::invalid_payload, close_v);
        } else {
          if (!detail::names_ok(rooms_v, opts.max_rooms, true)) {
            return fail(errc::invalid_payload, rooms_v);
          }
          r.target_rooms = rooms_v;
        }
        break;
      }
      // The 7.x per-socket form.
      if (!need_id()) return fail(errc::invalid_payload, rid_v);
      if (!detail::view_of(sid_v, s)) return fail(errc::invalid_payload, sid_v);
      r.sid = s;
      if (disconnect) {
        if (!read_close()) return fail(errc::invalid_payload, close_v);
      } else {
        if (!room_v.is_string() && !room_v.is_number()) return fail(errc::invalid_payload, room_v);
        r.room = room_v;
      }
      break;
    }
    case request_type::remote_fetch:
      if (!need_id()) return fail(errc::invalid_payload, rid_v);
      if (!read_opts()) return fail(errc::invalid_payload, opts_v);
      break;
    case request_type::server_side_emit:
      if (!data_v.is_array()) return fail(errc::invalid_payload, data_v);
      r.data = data_v;
      break;
    case request_type::broadcast: {
      if (!need_id()) return fail(errc::invalid_payload, rid_v);
      if (!read_opts()) return fail(errc::invalid_payload, opts_v);
      // The packet and flags as decode_broadcast() reads them: msgpack only (the reference
      // writes this request with notepack.io; a JSON one could not carry binary).
      if (!o.msgpack || !packet_v.is_object()) return fail(errc::invalid_payload, packet_v);
      if (flags_v.exists() && !flags_v.is_null() && !flags_v.is_object()) {
        return fail(errc::invalid_payload, flags_v);
      }
      broadcast_decode_options bo;
      bo.max_namespace = opts.max_namespace;
      errc pe = errc::none;
      msgpack::value bad;
      const auto at = [&o](const msgpack::value& v) { return o.at(any_value(v)); };
      if (!detail::read_broadcast_packet(packet_v.as_msgpack(), bo, r.packet, pe, bad)) {
        return {pe, at(bad)};
      }
      if (flags_v.is_object() && !detail::read_flags(flags_v.as_msgpack(), r.flags, bad)) {
        return {errc::invalid_payload, at(bad)};
      }
      break;
    }
    default: return fail(errc::unknown_packet_type, type_v);
  }
  return {r, message.size()};
}

inline result<response_view> decode_response(byte_view message,
                                             const request_decode_options& opts) noexcept {
  const result<detail::any_object> parsed = detail::parse_object(message, opts.max_depth);
  if (!parsed) return {parsed.error(), parsed.offset()};
  const detail::any_object& o = *parsed;
  const auto fail = [&o](errc e, const any_value& v) { return result<response_view>(e, o.at(v)); };
  any_value type_v, rid_v, sockets_v, rooms_v, count_v;
  response_view r;
  r.is_msgpack = o.msgpack;
  for (const any_member& m : o.root.members()) {
    std::string_view k;
    if (!detail::view_of(m.key, k)) continue;
    if (k == "type")
      type_v = m.val;
    else if (k == "requestId")
      rid_v = m.val;
    else if (k == "sockets")
      sockets_v = m.val;
    else if (k == "rooms")
      rooms_v = m.val;
    else if (k == "clientCount")
      count_v = m.val;
    else if (k == "data")
      r.data = m.val;
    else if (k == "packet")
      r.packet = m.val;
  }
  if (!detail::view_of(rid_v, r.request_id)) return fail(errc::invalid_payload, rid_v);
  if (type_v.exists()) {
    std::uint64_t t = 0;
    if (!detail::integer_in(type_v, 9, t)) return fail(errc::unknown_packet_type, type_v);
    r.type = static_cast<request_type>(t);
  }
  if (sockets_v.exists()) {
    if (!sockets_v.is_array()) return fail(errc::invalid_payload, sockets_v);
    r.sockets = sockets_v;
  }
  if (rooms_v.exists()) {
    if (!detail::names_ok(rooms_v, opts.max_rooms, true))
      return fail(errc::invalid_payload, rooms_v);
    r.rooms = rooms_v;
  }
  if (count_v.exists() || r.type == request_type::broadcast_client_count) {
    if (!detail::integer_in(count_v, ~std::uint64_t{0} >> 11, r.client_count)) {
      return fail(errc::invalid_payload, count_v);
    }
  }
  if (r.data.is_undefined()) r.data = any_value();
  if (r.packet.is_undefined()) r.packet = any_value();
  return {r, message.size()};
}

}  // namespace redis
}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_REDIS_REQUEST_HPP
