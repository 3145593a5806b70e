// SPDX-License-Identifier: BSL-1.0
// The msgpack parser (socket.io-msgpack-parser 3.0.2 / 2.2.1): its packet view and decoding.
#ifndef SIOCODEC_SOCKETIO_MSGPACK_PARSER_DECODE_HPP
#define SIOCODEC_SOCKETIO_MSGPACK_PARSER_DECODE_HPP

#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/detail/utf8.hpp>
#include <siocodec/error.hpp>
#include <siocodec/json/validate.hpp>
#include <siocodec/json/value.hpp>
#include <siocodec/msgpack/reader.hpp>
#include <siocodec/msgpack/value.hpp>
#include <siocodec/result.hpp>
#include <siocodec/socketio/packet.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {

// socket.io-msgpack-parser replaces Socket.IO's default parser (protocol.md §3). What it sends:
//
//   protocol v5 (3.x, Socket.IO 3/4): every packet is ONE binary Engine.IO message, the msgpack
//   map of the packet object: {"type": 0-4, "nsp": "/...", "data": <any>, "id": <integer>}
//   ("data" and "id" only when present). Binary values sit inline in "data" as bin; there are
//   no BINARY_EVENT / BINARY_ACK types, no attachments and no placeholders.
//
//       83 a4 "type" 02 a3 "nsp" a1 "/" a4 "data" 92 a5 "hello" a3 "you"
//
//   protocol v4 (2.x, Socket.IO 1/2): CONNECT, DISCONNECT and ERROR travel as JSON TEXT
//   messages, `{"type":0,"nsp":"/"}`; EVENT, ACK, BINARY_EVENT and BINARY_ACK as msgpack.
//
// Decoding is zero-copy (views into the message) and checks exactly what the reference's
// checkPacket() checks; encoding writes exactly what the reference writes (notepack.io's
// encodings, keys in the order type, nsp, data, id). Packets can be built from C++ values with
// the same builders as the default parser (event(), ack(), connect()... of encode.hpp):
//
//     std::string out;
//     auto r = sio::msgpack_parser::encode(sio::event("chat", "hello", buffer).nsp("/room"), out);
//     // out: 83 a4 "type" 02 a3 "nsp" a5 "/room" a4 "data" 93 a4 "chat" a5 "hello" c4 ...
//
// socketio/codec.hpp puts this parser and the default one behind one interface.

/// One packet of the msgpack parser, as decoded or as to be encoded. A view: `nsp` and `data`
/// point into the caller's message and are valid while it lives.
struct msgpack_packet_view {
  /// 0-4 in protocol v5; 0-6 in protocol v4 (2.x keeps BINARY_EVENT / BINARY_ACK, whose
  /// binary values are inline like any other).
  packet_type type = packet_type::event;
  /// The namespace: any string (the reference does not require a leading '/'). encode() writes
  /// it as it is (an empty one as an empty str); the builders write "/" for an empty one.
  std::string_view nsp = "/";
  /// The ack id, when the packet carries one.
  std::optional<std::uint64_t> id;
  /// The payload: an array for EVENT / ACK, a map (or nothing) for CONNECT, a str or a map for
  /// CONNECT_ERROR, nothing for DISCONNECT. The absent value (exists() false) when the packet
  /// has none: no "data" key, or notepack.io's undefined.
  msgpack::value data;
  /// Set by msgpack_parser::decode with decode_options::allow_invalid_utf8 when some str of the
  /// message (the namespace, a value or a key) is not UTF-8; those strings are the bytes as
  /// received and utf8::lossy() gives what the reference decodes them to. Always false otherwise.
  bool has_invalid_utf8 = false;

  /// True when the packet carries a payload.
  bool has_data() const noexcept { return data.exists() && !data.is_undefined(); }
};

namespace msgpack_parser {
/// Decodes one binary Engine.IO message of the msgpack parser (the data of a `message` packet
/// without its Engine.IO framing) into a packet view, with the checks of socket.io-msgpack-parser
/// 3.0.2 (opts.version v5) or 2.2.1 (v4):
/// - the message is exactly one msgpack value (msgpack::validate: opts.max_depth bounds the
///   nesting of the payload, as for the default parser, so the message may nest one level more;
///   strings must be UTF-8 unless opts.allow_invalid_utf8), and that value is a map;
/// - "type" is a number with an integer value in 0-4 (v4: 0-6), whatever its msgpack form: an
///   int 8, a uint 64 or a float 64 2.0 all give EVENT, as JavaScript's Number.isInteger does;
/// - "nsp" is a str (any content; at most opts.max_namespace bytes);
/// - "data" by type, v5: CONNECT nothing or a map; DISCONNECT nothing; CONNECT_ERROR a str or a
///   map; EVENT and ACK an array (empty and any first element allowed, reserved event names
///   included: the reference checks none of this). v4: CONNECT and DISCONNECT nothing; ERROR a
///   str; the others an array. A missing key and notepack.io's undefined (`d4 00 00`) both mean
///   nothing;
/// - "id" is nothing, or a number with a non-negative integer value (5 and 5.0 alike) up to
///   opts.max_ack_id;
/// - other keys (Socket.IO's JavaScript client sends "options") are ignored; when a key occurs
///   twice the last one counts, as in the reference.
///
/// Deliberate differences from the reference (docs: protocol-notes), each rejecting input no
/// encoder writes: a negative ack id (the reference accepts any integer); an ack id above 2^64 - 1
/// (the reference rounds it to a double; ids above 2^53 are kept exact here); a non-str key is
/// never "type", "nsp", "data" or "id" (the reference turns every key into a string, so a bin or
/// `["type"]` key would count); a `__proto__` key is an ordinary key (the reference's property
/// assignment turns it into the object's prototype, from which "type" etc. can then be
/// inherited); an extension other than ext-type-0 binary as EVENT/ACK data (the reference
/// decodes it as the array `[type, Buffer]`); strings that are not UTF-8 (the reference decodes
/// them lossily; opts.allow_invalid_utf8 accepts them and sets has_invalid_utf8); nesting deeper
/// than max_depth.
///
/// @return the packet; offset() is message.size(). On failure, the offset of the offending
///   value (of the "type", "nsp", "data" or "id" value; 0 when the key is missing).
///
/// Errors:
/// - invalid_msgpack, trailing_data, nesting_too_deep, invalid_utf8: msgpack::validate's (an
///   empty message is invalid_msgpack).
/// - unknown_packet_type: the message is not a map (nil included: a TypeError in the
///   reference), or "type" is missing, not a number, not an integer, or out of range.
/// - invalid_namespace: "nsp" is missing, not a str, or longer than opts.max_namespace.
/// - invalid_payload: "data" has the wrong kind for the type.
/// - invalid_ack_id: "id" is not a number, not an integer, or negative.
/// - ack_id_overflow: "id" is above opts.max_ack_id or 2^64 - 1.
///
/// Complexity: linear in message.size(); no allocation; recursion-free.
result<msgpack_packet_view> decode(byte_view message, const decode_options& opts = {}) noexcept;

/// Decodes one TEXT Engine.IO message of the protocol v4 msgpack parser (socket.io-msgpack-parser
/// 2.2.1 sends CONNECT, DISCONNECT and ERROR as `JSON.stringify(packet)`), into a packet_view of
/// the default parser (`data` is the raw JSON of the "data" member; attachment_count 0):
/// `{"type":0,"nsp":"/admin"}`, `{"type":4,"nsp":"/","data":"Not authorized"}`. The text must
/// be one JSON object (json::validate, opts.max_depth), checked as 2.2.1 checks it: "type" an
/// integer 0-6, "nsp" a string, "data" absent for CONNECT and DISCONNECT, a string for ERROR, an
/// array otherwise, "id" absent or a non-negative integer. Protocol v5 (3.x) accepts no text
/// message at all.
///
/// Deliberate differences: a namespace written with JSON escapes (`"\/admin"`, `"a\"b"`) is
/// refused, because a zero-copy view cannot hold its unescaped form (JSON.stringify escapes
/// only `"`, `\` and control characters, which no real namespace contains); the ack id rules of
/// decode().
///
/// Errors:
/// - unexpected_text_frame: opts.version is v5 (offset 0).
/// - invalid_json, invalid_json_string, invalid_json_number, invalid_utf8, nesting_too_deep:
///   not valid JSON (invalid_utf8 never with opts.allow_invalid_utf8, which accepts strings that
///   are not UTF-8 and sets has_invalid_utf8).
/// - unknown_packet_type, invalid_namespace (also: escaped), invalid_payload, invalid_ack_id,
///   ack_id_overflow: as for decode().
result<packet_view> decode_text(std::string_view message, const decode_options& opts = {}) noexcept;
}  // namespace msgpack_parser

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

// The value of a msgpack number as JavaScript holds it, when Number.isInteger() holds for it.
inline bool mp_js_integer(const msgpack::value& v, double& out) noexcept {
  if (!v.is_number()) return false;
  const result<double> d = v.to_double();
  if (!d || !std::isfinite(*d) || std::floor(*d) != *d) return false;
  out = *d;
  return true;
}

inline errc mp_check_type(const msgpack::value& v, protocol_version version,
                          packet_type& out) noexcept {
  double d = 0;
  const double max = version == protocol_version::v4 ? 6 : 4;
  if (!mp_js_integer(v, d) || d < 0 || d > max) return errc::unknown_packet_type;
  out = static_cast<packet_type>(static_cast<int>(d));
  return errc::none;
}

// An ack id: an integer value >= 0 (int or float form), exact for integer forms.
inline errc mp_check_id(const msgpack::value& v, const decode_options& opts,
                        std::optional<std::uint64_t>& out) noexcept {
  if (v.is_integer()) {
    if (v.is_negative_integer()) return errc::invalid_ack_id;
    const result<std::uint64_t> u = v.to_uint64();
    if (!u) return errc::invalid_ack_id;
    if (*u > opts.max_ack_id) return errc::ack_id_overflow;
    out = *u;
    return errc::none;
  }
  double d = 0;
  if (!mp_js_integer(v, d)) return errc::invalid_ack_id;
  if (d < 0) return errc::invalid_ack_id;
  if (d >= 18446744073709551616.0) return errc::ack_id_overflow;
  const auto u = static_cast<std::uint64_t>(d);
  if (u > opts.max_ack_id) return errc::ack_id_overflow;
  out = u;
  return errc::none;
}

// The data rules of checkPacket(); `present` false for a missing or undefined "data".
inline bool mp_data_valid(packet_type t, bool present, msgpack::kind k,
                          protocol_version version) noexcept {
  const bool v4 = version == protocol_version::v4;
  switch (t) {
    case packet_type::connect: return !present || (!v4 && k == msgpack::kind::map);
    case packet_type::disconnect: return !present;
    case packet_type::connect_error:
      return present && (k == msgpack::kind::string || (!v4 && k == msgpack::kind::map));
    case packet_type::event:
    case packet_type::ack:
    case packet_type::binary_event:
    case packet_type::binary_ack: return present && k == msgpack::kind::array;
  }
  return false;
}

// The "type", "nsp", "data" and "id" members of a packet map (the last of a repeated key; only
// str keys count). Also used by the Redis adapter's messages (redis/broadcast.hpp).
inline void mp_packet_fields(const msgpack::value& map, msgpack::value& type_v,
                             msgpack::value& nsp_v, msgpack::value& data_v,
                             msgpack::value& id_v) noexcept {
  for (const msgpack::member& m : map.members()) {
    if (!m.key.is_string()) continue;
    const std::string_view k = m.key.get_string();
    if (k == "type") {
      type_v = m.val;
    } else if (k == "nsp") {
      nsp_v = m.val;
    } else if (k == "data") {
      data_v = m.val;
    } else if (k == "id") {
      id_v = m.val;
    }
  }
}

}  // namespace detail

namespace msgpack_parser {
inline result<msgpack_packet_view> decode(byte_view message, const decode_options& opts) noexcept {
  msgpack::options mo;
  // max_depth bounds the payload, as it does for the default parser; the packet map around it is
  // one more level.
  mo.max_depth = opts.max_depth + (opts.max_depth < msgpack::max_depth_limit ? 1 : 0);
  result<msgpack::value> root = msgpack::parse(message, mo);
  bool lossy = false;
  if (SIOCODEC_UNLIKELY(!root && root.error() == errc::invalid_utf8 && opts.allow_invalid_utf8)) {
    // Parsed again without the check only then, so that the flag needs no pass of its own.
    mo.check_utf8 = false;
    root = msgpack::parse(message, mo);
    lossy = true;
  }
  if (!root) return {root.error(), root.offset()};
  const auto at = [&message](const msgpack::value& v) {
    return v.exists() ? static_cast<std::size_t>(v.raw().data() - message.data()) : 0;
  };
  if (!root->is_map()) return {errc::unknown_packet_type, 0};
  msgpack::value type_v, nsp_v, data_v, id_v;
  detail::mp_packet_fields(*root, type_v, nsp_v, data_v, id_v);
  msgpack_packet_view p;
  p.has_invalid_utf8 = lossy;
  if (detail::mp_check_type(type_v, opts.version, p.type) != errc::none) {
    return {errc::unknown_packet_type, at(type_v)};
  }
  if (!nsp_v.is_string() || nsp_v.get_string().size() > opts.max_namespace) {
    return {errc::invalid_namespace, at(nsp_v)};
  }
  p.nsp = nsp_v.get_string();
  const bool present = data_v.exists() && !data_v.is_undefined();
  if (!detail::mp_data_valid(p.type, present, data_v.type(), opts.version)) {
    return {errc::invalid_payload, at(data_v)};
  }
  if (present) p.data = data_v;
  if (id_v.exists() && !id_v.is_undefined()) {
    const errc e = detail::mp_check_id(id_v, opts, p.id);
    if (e != errc::none) return {e, at(id_v)};
  }
  return {p, message.size()};
}

inline result<packet_view> decode_text(std::string_view message,
                                       const decode_options& opts) noexcept {
  if (opts.version != protocol_version::v4) return {errc::unexpected_text_frame, 0};
  json::options jo;
  jo.max_depth = opts.max_depth;
  result<json::value> root = json::parse(message, jo);
  bool lossy = false;
  if (SIOCODEC_UNLIKELY(!root && root.error() == errc::invalid_utf8 && opts.allow_invalid_utf8)) {
    // As decode() does: validated again, strings taken in their U+FFFD form, only then.
    const result<json::kind> k = json::detail::validate_text<false, true>(message, jo, nullptr);
    if (!k) return {k.error(), k.offset()};
    root = result<json::value>(json::value::unchecked(message), message.size());
    lossy = true;
  }
  if (!root) return {root.error(), root.offset()};
  const auto at = [&message](const json::value& v) {
    return v.exists() ? static_cast<std::size_t>(v.raw().data() - message.data()) : 0;
  };
  if (!root->is_object()) return {errc::unknown_packet_type, 0};
  json::value type_v, nsp_v, data_v, id_v;
  (void)root->find("type", type_v);
  (void)root->find("nsp", nsp_v);
  (void)root->find("data", data_v);
  (void)root->find("id", id_v);
  packet_view p;
  p.has_invalid_utf8 = lossy;
  {
    const result<double> d = type_v.to_double();
    if (!d || !std::isfinite(*d) || std::floor(*d) != *d || *d < 0 || *d > 6) {
      return {errc::unknown_packet_type, at(type_v)};
    }
    p.type = static_cast<packet_type>(static_cast<int>(*d));
  }
  if (!nsp_v.is_string() || nsp_v.has_escapes() || nsp_v.string_raw().size() > opts.max_namespace) {
    return {errc::invalid_namespace, at(nsp_v)};
  }
  p.nsp = nsp_v.string_raw();
  const json::kind k = data_v.type();
  bool ok = false;
  switch (p.type) {
    case packet_type::connect:
    case packet_type::disconnect: ok = !data_v.exists(); break;
    case packet_type::connect_error: ok = k == json::kind::string; break;
    default: ok = k == json::kind::array; break;
  }
  if (!ok) return {errc::invalid_payload, at(data_v)};
  p.data = data_v.raw();
  if (id_v.exists()) {
    if (!id_v.is_number()) return {errc::invalid_ack_id, at(id_v)};
    const result<std::uint64_t> u = id_v.to_uint64();
    if (u) {
      if (*u > opts.max_ack_id) return {errc::ack_id_overflow, at(id_v)};
      p.id = *u;
    } else {
      const result<double> d = id_v.to_double();
      if (!d || !std::isfinite(*d) || std::floor(*d) != *d || *d < 0) {
        return {errc::invalid_ack_id, at(id_v)};
      }
      if (*d >= 18446744073709551616.0 || static_cast<std::uint64_t>(*d) > opts.max_ack_id) {
        return {errc::ack_id_overflow, at(id_v)};
      }
      p.id = static_cast<std::uint64_t>(*d);
    }
  }
  return {p, message.size()};
}
}  // namespace msgpack_parser

}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_MSGPACK_PARSER_DECODE_HPP
