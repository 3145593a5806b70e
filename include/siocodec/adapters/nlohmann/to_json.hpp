// SPDX-License-Identifier: BSL-1.0
// Optional adapter, nlohmann/json: JSON and msgpack values and Socket.IO packets to J values.
#ifndef SIOCODEC_ADAPTERS_NLOHMANN_TO_JSON_HPP
#define SIOCODEC_ADAPTERS_NLOHMANN_TO_JSON_HPP

#include <siocodec/adapters/nlohmann/basic_json.hpp>
#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/error.hpp>
#include <siocodec/json/value.hpp>
#include <siocodec/msgpack/value.hpp>
#include <siocodec/socketio.hpp>
#include <siocodec/socketio/codec.hpp>
#include <siocodec/socketio/default_parser/args.hpp>
#include <siocodec/socketio/packet.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

SIOCODEC_BEGIN_NAMESPACE
namespace adapters {
namespace nlohmann_json {

// ---------------------------------------------------------------------------------------------
// JSON text and packets -> nlohmann
// ---------------------------------------------------------------------------------------------

/// Converts a JSON view to a J value. Nothing is resolved: placeholders stay objects.
///
/// - Numbers keep their exact value where J can hold it: an integer as written (no fraction, no
///   exponent) that fits becomes number_unsigned (0 to 18446744073709551615) or number_integer
///   (-9223372036854775808 to -1). Every other number becomes number_float, the double
///   JavaScript's JSON.parse gives (json::value::to_double: correctly rounded): `1.0`, `1e3`,
///   `-0` (-0.0, as in JavaScript), and integers beyond 64 bits (`18446744073709551616` is
///   1.8446744073709552e19, `1e400` and a 400-digit integer are +Infinity), as JavaScript
///   would hold them.
/// - Strings and keys are unescaped (json::value::unescape_to: a lone surrogate escape becomes
///   U+FFFD, as in the reference's UTF-8 output), so every string is valid UTF-8.
/// - A key that occurs twice keeps the position of its first occurrence and the value of its
///   last one, as JSON.parse does (nlohmann::json sorts keys anyway; ordered_json otherwise keeps
///   the order of the text, without JavaScript's moving of integer-like keys to the front).
///
/// The view must come from validated text (decode(), json::parse()); on other text the result
/// is unspecified but the call stays memory safe. Any depth: the walk uses a heap stack, not
/// recursion. Complexity: json::value navigation rescans nested text, so O(bytes x depth) in the
/// worst case (depth is bounded by the validator's max_depth for validated text).
/// @return the value; null for the absent value.
/// Errors: none. Throws: only what J's allocator throws (std::bad_alloc).
template <class J = ::nlohmann::json>
[[nodiscard]] J to_json(const json::value& v);

/// to_json(v) where every object for which `resolve(object, bytes)` returns true becomes a
/// binary_t holding a copy of `bytes` (its subtype unset). `resolve` is any callable
/// `bool(const json::value&, byte_view&)`; it is asked about every object, in document order.
template <class J = ::nlohmann::json, class Resolver,
          std::enable_if_t<
              std::is_invocable_r<bool, Resolver&, const json::value&, byte_view&>::value, int> = 0>
[[nodiscard]] J to_json(const json::value& v, Resolver&& resolve);

/// to_json(v) with the placeholders of packet `p` resolved (socketio::resolve_placeholder):
/// for a part of p's payload, such as one argument of socketio::arguments(p). Placeholders
/// become binary_t copies of p's attachments; nothing is resolved while they have not arrived
/// (a packet from socketio::decode() alone) or in a packet of a non-binary type.
template <class J = ::nlohmann::json>
[[nodiscard]] J to_json(const json::value& v, const socketio::packet_view& p);

/// The whole payload of `p` (socketio::payload()) with its placeholders resolved: for an EVENT
/// `["name", args...]`, for an ACK `[args...]`, a CONNECT's auth object, a CONNECT_ERROR's
/// string or object.
/// @return the payload; null when the packet has none (p.has_data() tells `2` from `2null`).
template <class J = ::nlohmann::json>
[[nodiscard]] J to_json(const socketio::packet_view& p);

/// The event name of an EVENT / BINARY_EVENT: a string, or a number (the reference allows
/// both). Null for other packet types.
template <class J = ::nlohmann::json>
[[nodiscard]] J event_name_of(const socketio::packet_view& p);

/// The arguments of an EVENT / BINARY_EVENT (after the name) or of an ACK / BINARY_ACK (all of
/// them), as an array, placeholders resolved at any depth. An empty array for other types.
template <class J = ::nlohmann::json>
[[nodiscard]] J arguments_of(const socketio::packet_view& p);

// ---------------------------------------------------------------------------------------------
// msgpack values and packets -> nlohmann
// ---------------------------------------------------------------------------------------------

/// Converts a msgpack view to a J value:
/// - nil and notepack.io's undefined -> null; booleans -> boolean;
/// - integers -> number_unsigned (>= 0) or number_integer (< 0), all 64 bits exact (notepack.io
///   rounds those beyond 2^53 to a double); float 32 / 64 -> number_float (-0, NaN and the
///   infinities included: nlohmann's dump() writes the last three as null);
/// - str -> string, its bytes as they are (UTF-8 when the decoder checked it, its default; with
///   decode_options::lax they may not be, and dump() then needs error_handler_t::replace);
/// - bin, and ext 8/16/32 of type 0 (notepack.io's ArrayBuffer) -> binary_t, a copy, subtype
///   unset; any other extension (notepack.io's Date, `d7 00`, among them) -> binary_t holding
///   its data, with the extension's type as subtype (cast to uint8: -1 is 255, as nlohmann's
///   own from_msgpack() does). notepack.io makes `[type, Buffer]` of such an extension, and a
///   Date of `d7 00`;
/// - array -> array; map -> object. A str key is the key as is; a key of another scalar kind
///   becomes the text JavaScript's String() gives of notepack.io's value, which is what its
///   property assignment does: `null`, `undefined`, `true`, `false`, numbers as Number::toString
///   writes them (`1`, `-5`, `1.5`, `NaN`, `-Infinity`, `1e+21`, an integer beyond 2^53 rounded
///   as notepack.io rounds it: `18446744073709552000` for 2^64 - 1). A member whose key is a
///   bin, another extension, an array or a map is skipped (JavaScript would name it by the
///   Buffer's text, `1,2`, `[object Object]`...). A key that occurs twice keeps the position of
///   its first occurrence and the value of its last one, as notepack.io's assignment does
///   (ordered_json keeps the message's order otherwise, without JavaScript's moving of
///   integer-like keys to the front).
///
/// The view must come from validated bytes (msgpack_parser::decode(), msgpack::parse()); on others
/// the result is unspecified but the call stays memory safe. Any depth: the walk uses a heap stack,
/// not recursion. Complexity: a msgpack::value finds its own end by skipping its contents, so
/// O(bytes x depth) in the worst case (depth is bounded by the validator's max_depth).
/// @return the value; null for the absent value.
/// Errors: none. Throws: only what J's allocator throws (std::bad_alloc).
template <class J = ::nlohmann::json>
[[nodiscard]] J to_json(const msgpack::value& v);

/// The payload of a msgpack packet (socketio::payload()): for an EVENT `["name", args...]`, for
/// an ACK `[args...]`, a CONNECT's auth map, a CONNECT_ERROR's string or map.
/// @return the payload; null when the packet has none (no "data", or undefined).
template <class J = ::nlohmann::json>
[[nodiscard]] J to_json(const socketio::msgpack_packet_view& p);

/// The event name of a msgpack EVENT (or v4 BINARY_EVENT), converted whatever its kind (the
/// msgpack parser does not check it). Null for other packet types and for an empty array.
template <class J = ::nlohmann::json>
[[nodiscard]] J event_name_of(const socketio::msgpack_packet_view& p);

/// The arguments of a msgpack EVENT / BINARY_EVENT (after the name) or ACK / BINARY_ACK (all of
/// them), as an array; binary values are binary_t copies. An empty array for other types.
template <class J = ::nlohmann::json>
[[nodiscard]] J arguments_of(const socketio::msgpack_packet_view& p);

// ---------------------------------------------------------------------------------------------
// Packets of either parser (socketio/any.hpp) -> nlohmann
// ---------------------------------------------------------------------------------------------

/// The payload of a packet of either parser: to_json() of its packet_view (placeholders
/// resolved; also a protocol v4 msgpack text packet) or of its msgpack_packet_view.
/// @return the payload; null when the packet has none.
template <class J = ::nlohmann::json>
[[nodiscard]] J to_json(const socketio::any_packet& p);

/// event_name_of() of the packet's packet_view or msgpack_packet_view.
template <class J = ::nlohmann::json>
[[nodiscard]] J event_name_of(const socketio::any_packet& p);

/// arguments_of() of the packet's packet_view or msgpack_packet_view.
template <class J = ::nlohmann::json>
[[nodiscard]] J arguments_of(const socketio::any_packet& p);

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

template <class J>
J make_binary(byte_view bytes) {
  return J::binary(typename J::binary_t::container_type(bytes.begin(), bytes.end()));
}

template <class J>
J make_number(const json::value& v) {
  const std::string_view raw = v.raw();
  if (v.is_integer() && !raw.empty()) {
    if (raw[0] != '-') {
      const result<std::uint64_t> u = v.to_uint64();
      if (u) return J(static_cast<typename J::number_unsigned_t>(*u));
    } else if (raw != "-0") {  // JavaScript's -0 is a double
      const result<std::int64_t> i = v.to_int64();
      if (i) return J(static_cast<typename J::number_integer_t>(*i));
    }
  }
  const result<double> d = v.to_double();
  if (!d) return J();  // only in text that was never validated
  return J(static_cast<typename J::number_float_t>(*d));
}

template <class J>
typename J::string_t make_string(const json::value& v) {
  typename J::string_t s;
  (void)v.unescape(s);
  return s;
}

// One open array or object of a conversion to J: where its elements go, and the next one.
template <class J, class ArrayIt, class MemberIt>
struct to_frame {
  J* target;
  ArrayIt element;
  MemberIt member;
  bool object;
};

// Sets `dst` from a scalar, or makes it an empty container and pushes its frame. Appending
// later children may move the J values of the frames below the top, never the top's own
// children before they are complete, so `target` pointers stay valid while they are used.
template <class J, class Frame, class Resolver>
void fill_from_json(J& dst, const json::value& v, std::vector<Frame>& stack, Resolver& resolve) {
  switch (v.type()) {
    case json::kind::null: dst = nullptr; return;
    case json::kind::boolean: dst = v.get_bool(); return;
    case json::kind::number: dst = make_number<J>(v); return;
    case json::kind::string: dst = make_string<J>(v); return;
    case json::kind::array:
      dst = J::array();
      stack.push_back(Frame{&dst, v.elements().begin(), json::object_iterator(), false});
      return;
    case json::kind::object: {
      byte_view bytes;
      if (resolve(v, bytes)) {
        dst = make_binary<J>(bytes);
        return;
      }
      dst = J::object();
      stack.push_back(Frame{&dst, json::array_iterator(), v.members().begin(), true});
      return;
    }
  }
  dst = nullptr;
}

template <class J, class Resolver>
J convert_json(const json::value& root, Resolver& resolve) {
  using frame = to_frame<J, json::array_iterator, json::object_iterator>;
  J out;
  std::vector<frame> stack;
  fill_from_json(out, root, stack, resolve);
  while (!stack.empty()) {
    frame& f = stack.back();
    // f is not used after fill_from_json(), which may grow the stack.
    if (f.object) {
      if (f.member == json::object_iterator()) {
        stack.pop_back();
        continue;
      }
      const json::member m = *f.member;
      ++f.member;
      J& slot = (*f.target)[make_string<J>(m.key)];
      fill_from_json(slot, m.val, stack, resolve);
    } else {
      if (f.element == json::array_iterator()) {
        stack.pop_back();
        continue;
      }
      const json::value e = *f.element;
      ++f.element;
      f.target->push_back(J());
      fill_from_json(f.target->back(), e, stack, resolve);
    }
  }
  return out;
}

struct no_resolver {
  bool operator()(const json::value&, byte_view&) const noexcept { return false; }
};

struct packet_resolver {
  const socketio::packet_view* p;
  bool operator()(const json::value& v, byte_view& out) const noexcept {
    return socketio::resolve_placeholder(*p, v, out);
  }
};

// --- msgpack ---

// The property name notepack.io's `value[key] = ...` makes of a map key: String(key). False for
// the kinds skipped (bin, extensions, containers), whose names would be of no use.
template <class S>
bool key_text(const msgpack::value& k, S& out) {
  switch (k.type()) {
    case msgpack::kind::string: {
      const std::string_view s = k.get_string();
      out.assign(s.data(), s.size());
      return true;
    }
    case msgpack::kind::nil: out.assign("null", 4); return true;
    case msgpack::kind::undefined: out.assign("undefined", 9); return true;
    case msgpack::kind::boolean:
      if (k.get_bool()) {
        out.assign("true", 4);
      } else {
        out.assign("false", 5);
      }
      return true;
    case msgpack::kind::integer:
    case msgpack::kind::floating: {
      // The double notepack.io reads (an integer beyond 2^53 rounded), so that keys JavaScript
      // would merge are merged here too.
      const result<double> d = k.to_double();
      if (!d) return false;
      if (std::isnan(*d)) {
        out.assign("NaN", 3);
      } else if (std::isinf(*d)) {
        if (*d > 0) {
          out.assign("Infinity", 8);
        } else {
          out.assign("-Infinity", 9);
        }
      } else {
        char buf[32];
        out.assign(buf, json::detail::format_number(*d, buf));  // Number::toString
      }
      return true;
    }
    default: return false;
  }
}

// As fill_from_json(), for a msgpack value.
template <class J, class Frame>
void fill_from_msgpack(J& dst, const msgpack::value& v, std::vector<Frame>& stack) {
  switch (v.type()) {
    case msgpack::kind::nil:
    case msgpack::kind::undefined: dst = nullptr; return;
    case msgpack::kind::boolean: dst = v.get_bool(); return;
    case msgpack::kind::integer:
      if (v.is_negative_integer()) {
        const result<std::int64_t> i = v.to_int64();
        if (i) {
          dst = static_cast<typename J::number_integer_t>(*i);
          return;
        }
      } else {
        const result<std::uint64_t> u = v.to_uint64();
        if (u) {
          dst = static_cast<typename J::number_unsigned_t>(*u);
          return;
        }
      }
      break;
    case msgpack::kind::floating: {
      const result<double> d = v.to_double();
      if (d) {
        dst = static_cast<typename J::number_float_t>(*d);
        return;
      }
      break;
    }
    case msgpack::kind::string: {
      const std::string_view s = v.get_string();
      dst = typename J::string_t(s.data(), s.size());
      return;
    }
    case msgpack::kind::binary: dst = make_binary<J>(v.bytes()); return;
    case msgpack::kind::ext: {
      const byte_view b = v.bytes();
      dst = J::binary(
          typename J::binary_t::container_type(b.begin(), b.end()),
          static_cast<typename J::binary_t::subtype_type>(static_cast<std::uint8_t>(v.ext_type())));
      return;
    }
    case msgpack::kind::array:
      dst = J::array();
      stack.push_back(Frame{&dst, v.elements().begin(), msgpack::map_iterator(), false});
      return;
    case msgpack::kind::map:
      dst = J::object();
      stack.push_back(Frame{&dst, msgpack::array_iterator(), v.members().begin(), true});
      return;
  }
  dst = nullptr;  // only for bytes that were never validated
}

template <class J>
J convert_msgpack(const msgpack::value& root) {
  using frame = to_frame<J, msgpack::array_iterator, msgpack::map_iterator>;
  J out;
  std::vector<frame> stack;
  fill_from_msgpack(out, root, stack);
  while (!stack.empty()) {
    frame& f = stack.back();
    // f is not used after fill_from_msgpack(), which may grow the stack. The iterators stash
    // the current value: copy it before moving on.
    if (f.object) {
      if (f.member == msgpack::map_iterator()) {
        stack.pop_back();
        continue;
      }
      const msgpack::member m = *f.member;
      ++f.member;
      typename J::string_t key;
      if (!key_text(m.key, key)) continue;
      J& slot = (*f.target)[std::move(key)];
      fill_from_msgpack(slot, m.val, stack);
    } else {
      if (f.element == msgpack::array_iterator()) {
        stack.pop_back();
        continue;
      }
      const msgpack::value e = *f.element;
      ++f.element;
      f.target->push_back(J());
      fill_from_msgpack(f.target->back(), e, stack);
    }
  }
  return out;
}

}  // namespace detail

template <class J>
J to_json(const json::value& v) {
  static_assert(is_basic_json<J>::value, "to_json<J>: J must be a nlohmann::basic_json");
  detail::no_resolver none;
  return detail::convert_json<J>(v, none);
}

template <class J, class Resolver,
          std::enable_if_t<
              std::is_invocable_r<bool, Resolver&, const json::value&, byte_view&>::value, int>>
J to_json(const json::value& v, Resolver&& resolve) {
  static_assert(is_basic_json<J>::value, "to_json<J>: J must be a nlohmann::basic_json");
  return detail::convert_json<J>(v, resolve);
}

template <class J>
J to_json(const json::value& v, const socketio::packet_view& p) {
  static_assert(is_basic_json<J>::value, "to_json<J>: J must be a nlohmann::basic_json");
  detail::packet_resolver r{&p};
  return detail::convert_json<J>(v, r);
}

template <class J>
J to_json(const socketio::packet_view& p) {
  return to_json<J>(socketio::payload(p), p);
}

template <class J>
J event_name_of(const socketio::packet_view& p) {
  return to_json<J>(socketio::event_name(p));
}

template <class J>
J arguments_of(const socketio::packet_view& p) {
  static_assert(is_basic_json<J>::value, "arguments_of<J>: J must be a nlohmann::basic_json");
  J out = J::array();
  detail::packet_resolver r{&p};
  for (const socketio::argument& a : socketio::arguments(p)) {
    out.push_back(detail::convert_json<J>(a.json, r));
  }
  return out;
}

template <class J>
J to_json(const msgpack::value& v) {
  static_assert(is_basic_json<J>::value, "to_json<J>: J must be a nlohmann::basic_json");
  return detail::convert_msgpack<J>(v);
}

template <class J>
J to_json(const socketio::msgpack_packet_view& p) {
  return to_json<J>(socketio::payload(p));
}

template <class J>
J event_name_of(const socketio::msgpack_packet_view& p) {
  return to_json<J>(socketio::event_name(p));
}

template <class J>
J arguments_of(const socketio::msgpack_packet_view& p) {
  static_assert(is_basic_json<J>::value, "arguments_of<J>: J must be a nlohmann::basic_json");
  J out = J::array();
  for (const msgpack::value& a : socketio::arguments(p)) {
    out.push_back(detail::convert_msgpack<J>(a));
  }
  return out;
}

template <class J>
J to_json(const socketio::any_packet& p) {
  return p.is_msgpack() ? to_json<J>(p.as_msgpack_packet()) : to_json<J>(p.as_packet_view());
}

template <class J>
J event_name_of(const socketio::any_packet& p) {
  return p.is_msgpack() ? event_name_of<J>(p.as_msgpack_packet())
                        : event_name_of<J>(p.as_packet_view());
}

template <class J>
J arguments_of(const socketio::any_packet& p) {
  return p.is_msgpack() ? arguments_of<J>(p.as_msgpack_packet())
                        : arguments_of<J>(p.as_packet_view());
}

}  // namespace nlohmann_json
}  // namespace adapters
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_ADAPTERS_NLOHMANN_TO_JSON_HPP
