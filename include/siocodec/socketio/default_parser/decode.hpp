// SPDX-License-Identifier: BSL-1.0
// Decoding one Socket.IO text packet (the data of an Engine.IO message).
#ifndef SIOCODEC_SOCKETIO_DECODE_HPP
#define SIOCODEC_SOCKETIO_DECODE_HPP

#include <siocodec/config.hpp>
#include <siocodec/detail/utf8.hpp>
#include <siocodec/error.hpp>
#include <siocodec/json/validate.hpp>
#include <siocodec/json/value.hpp>
#include <siocodec/result.hpp>
#include <siocodec/socketio/default_parser/js_number.hpp>
#include <siocodec/socketio/default_parser/placeholders.hpp>
#include <siocodec/socketio/packet.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

// The grammar the strict decoder accepts (protocol.md §2.2, §2.4):
//
//   packet      = type [ attachments "-" ] [ nsp ( "," / end ) ] [ ack-id ] [ json ]
//   type        = "0" .. "6"
//   attachments = "1".."9" *DIGIT                ; types 5 and 6 only, 1 <= n <= max_attachments
//   nsp         = "/" *( any byte but "," )      ; at most max_namespace bytes
//   ack-id      = "0" / ( "1".."9" *DIGIT )      ; <= max_ack_id
//   json        = value *ws                      ; RFC 8259, starting right after the header
//
// socket.io-parser reads the same fields with JavaScript's Number(), which also takes spaces,
// leading zeros, hex and exponents; decode_options::lax accepts those (protocol-notes.md).

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {

/// Decodes one complete Socket.IO packet from its text form (the data of an Engine.IO message,
/// without the Engine.IO `4`). Zero-copy: nsp and data point into `text`.
///
/// Only for packets that are complete in one message: a BINARY_EVENT / BINARY_ACK text is only
/// the header of a packet whose attachments arrive in the following binary messages, so decode()
/// refuses it (needs_attachments) rather than return a packet without its binary arguments. A
/// connection decodes with basic_decoder (socketio::decoder), which reassembles them; a tool that
/// wants the header alone calls decode_header().
///
/// The JSON payload is validated (RFC 8259, UTF-8, max_depth) and checked against the type, as
/// socket.io-parser 4.2.7 (v5) or 3.4.5 (v4) does:
/// - CONNECT: v5 a JSON object; v4 an object, array or null. DISCONNECT: nothing.
/// - EVENT / BINARY_EVENT: a non-empty array whose first element is a number or a string; in v5
///   the string must not be a reserved name (connect, connect_error, disconnect, disconnecting,
///   newListener, removeListener; "error" is allowed, as in the reference).
/// - ACK / BINARY_ACK: an array. CONNECT_ERROR (v4 ERROR): a string or an object (v4 also an
///   array or null).
/// - A missing payload is accepted for every type, as in the reference.
///
/// For binary types (decode_header(), basic_decoder) every placeholder is checked now, before any
/// attachment arrives: an object whose `_placeholder` member is `true` must be exactly
/// `{"_placeholder":true,"num":N}` (any key order) with N an integer in [0, attachment_count), and
/// every attachment must be referenced (an encoder never sends one that is not; the reference
/// silently drops it). The same attachment may be referenced twice, as in the reference. An object
/// whose `_placeholder` is anything but `true` is plain data in both modes (both references test
/// `=== true`; their encoders send such application data unchanged). With lax, extra members with
/// scalar values are allowed, `num` may be written 1.0, and unreferenced attachments are allowed.
/// In non-binary packets, placeholders are plain data.
///
/// Errors (offset in `text`):
/// - needs_attachments: the type is BINARY_EVENT or BINARY_ACK (offset 0; decode() only, checked
///   before anything else, so such a text is refused whatever follows its type).
/// - unknown_packet_type: the first byte is not 0-6 (an empty text too).
/// - invalid_attachment_count: types 5/6 without `<count>-`, or a count that is zero or malformed.
/// - too_many_attachments: count > max_attachments (refused at the digit that would exceed it,
///   whatever the limit; lax also beyond size_t).
/// - invalid_namespace: longer than max_namespace.
/// - invalid_utf8: the namespace is not UTF-8 (offset of the first bad byte), unless
///   opts.allow_invalid_utf8, which accepts it and bytes that are not UTF-8 inside the payload's
///   strings, and sets has_invalid_utf8 (utf8::lossy gives the reference's strings).
/// - invalid_ack_id: malformed (a leading zero).
/// - ack_id_overflow: above max_ack_id or 2^64 - 1.
/// - invalid_json, invalid_json_string, invalid_json_number, invalid_utf8, nesting_too_deep: the
///   payload is not valid JSON (a space between the header and the JSON counts as invalid_json:
///   the reference would read it as an ack id).
/// - invalid_payload: the payload's JSON type is wrong for the packet type (or a DISCONNECT has
///   one).
/// - invalid_event_name: an EVENT's first element is not a string or a number, or is absent.
/// - reserved_event_name: v5, the event name is reserved.
/// - invalid_placeholder: a placeholder breaks the rules above, or `"_placeholder": true` sits
///   in an object that also holds an array or object; in strict mode also an unreferenced
///   attachment (offset: the end of the payload), a BINARY_EVENT / BINARY_ACK header with no
///   payload (offset: the end of the header), and, with more than SIOCODEC_PLACEHOLDER_WINDOW
///   attachments, a placeholder numbered that far above the lowest one not yet referenced
///   (encoders number in writing order and never send one; docs/memory.md).
///
/// Complexity: linear in text.size(); no allocation; recursion-free.
result<packet_view> decode(std::string_view text, const decode_options& opts = {}) noexcept;

/// Decodes one Socket.IO text packet of any type, as decode() does, except that a BINARY_EVENT /
/// BINARY_ACK header is returned as it stands: attachment_count set, `attachments` null, its
/// placeholders checked against the count. For tools and tests that look at headers (an
/// inspector, a differential harness); a connection must not use it, since the attachments that
/// follow the header would be lost (use basic_decoder).
///
/// Errors: those of decode() but needs_attachments (offset in `text`).
///
/// Complexity: linear in text.size(); no allocation; recursion-free.
result<packet_view> decode_header(std::string_view text, const decode_options& opts = {}) noexcept;

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {
// The names socket.io-parser 4.x refuses as event names (RESERVED_EVENTS): the one list both
// comparisons below read.
inline constexpr std::string_view reserved_events[] = {
    "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"};

// Bit n is set when a reserved name is n bytes long, so that nearly every event name is cleared
// by its length alone.
constexpr std::uint32_t reserved_event_lengths() noexcept {
  std::uint32_t mask = 0;
  for (const std::string_view r : reserved_events) mask |= std::uint32_t{1} << r.size();
  return mask;
}

// `quoted`: a JSON string (with its quotes) holding a backslash escape, decoded to compare
// (`"\u0063onnect"` is reserved too).
inline bool is_reserved_escaped_event(std::string_view quoted) noexcept {
  const json::value name = json::value::unchecked(quoted);
  for (const std::string_view r : reserved_events) {
    if (name.string_equals(r)) return true;
  }
  return false;
}

// `quoted`: a JSON string with its quotes; `escaped`: it holds a backslash escape. Escape-free
// names (nearly all) are compared as they are written, once their length matches a reserved one.
SIOCODEC_ALWAYS_INLINE bool is_reserved_event(std::string_view quoted, bool escaped) noexcept {
  if (escaped) return is_reserved_escaped_event(quoted);
  const std::size_t n = quoted.size() - 2;
  constexpr std::uint32_t lengths = reserved_event_lengths();
  if (n >= 32 || ((lengths >> n) & 1u) == 0) return false;
  // Unrolled over the constant list: r.size() is a constant in each compare, and the first byte
  // settles most of them ("message" has the length of "connect").
  for (const std::string_view r : reserved_events) {
    if (r.size() == n && r[0] == quoted[1] &&
        std::memcmp(r.data(), quoted.data() + 1, r.size()) == 0) {
      return true;
    }
  }
  return false;
}

// Checks the payload's JSON shape for the packet type from what validation noted (`info`, the
// top-level kind `k`); `at` receives the offending offset within the payload. An event's name
// token goes to `event`, so that event_name() need not find it again.
SIOCODEC_ALWAYS_INLINE errc check_shape(packet_type type, json::kind k,
                                        const json::detail::text_info& info, protocol_version v,
                                        std::size_t& at, std::string_view& event) noexcept {
  at = 0;
  const bool v4 = (v == protocol_version::v4);
  switch (type) {
    case packet_type::connect:
      if (k == json::kind::object) return errc::none;
      if (v4 && (k == json::kind::array || k == json::kind::null)) return errc::none;
      return errc::invalid_payload;
    case packet_type::disconnect: return errc::invalid_payload;
    case packet_type::connect_error:
      if (k == json::kind::string || k == json::kind::object) return errc::none;
      if (v4 && (k == json::kind::array || k == json::kind::null)) return errc::none;
      return errc::invalid_payload;
    case packet_type::event:
    case packet_type::binary_event: {
      if (k != json::kind::array) return errc::invalid_payload;
      if (info.first_begin == nullptr) return errc::invalid_event_name;
      const json::kind name = json::detail::kind_of(*info.first_begin);
      const std::string_view token(info.first_begin,
                                   static_cast<std::size_t>(info.first_end - info.first_begin));
      // The offset (of the name) is only worked out on the way to an error.
      if (name == json::kind::string) {
        if (!v4 && is_reserved_event(token, info.first_escaped)) {
          at = static_cast<std::size_t>(info.first_begin - info.value_begin);
          return errc::reserved_event_name;
        }
      } else if (name != json::kind::number) {
        at = static_cast<std::size_t>(info.first_begin - info.value_begin);
        return errc::invalid_event_name;
      }
      event = token;
      return errc::none;
    }
    case packet_type::ack:
    case packet_type::binary_ack:
      return k == json::kind::array ? errc::none : errc::invalid_payload;
  }
  return errc::invalid_payload;
}

// decode() writing into `pkt`, which holds a default packet_view on entry. On failure returns the
// error and sets `offset`; `pkt` is then partly written and meaningless. In place, so that
// decode() and basic_decoder build their result without copying the packet. Attachments false
// (basic_decoder with SIOCODEC_BINARY_ATTACHMENTS 0): max_attachments is 0, a constant, so that
// the placeholder checks, which no binary header then reaches, are not linked.
template <bool Attachments = true>
inline errc decode_fields(std::string_view text, const decode_options& opts, packet_view& pkt,
                          std::size_t& offset) noexcept {
  const std::size_t max_attachments = Attachments ? opts.max_attachments : 0;
  const char* const begin = text.data();
  const char* const end = begin + text.size();
  const char* p = begin;
  const auto at = [begin](const char* q) { return static_cast<std::size_t>(q - begin); };
  const auto fail = [&offset](errc e, std::size_t where) {
    offset = where;
    return e;
  };

  // type
  if (p == end) {
    if (!opts.lax) return fail(errc::unknown_packet_type, 0);
    // Number("") is 0 in the reference: an empty text is a CONNECT.
    pkt.type = packet_type::connect;
    return errc::none;
  }
  if (*p >= '0' && *p <= '6') {
    pkt.type = static_cast<packet_type>(*p - '0');
    ++p;
  } else if (opts.lax && js_space_length(p, end) != 0) {
    pkt.type = packet_type::connect;  // Number(" ") is 0
    p += js_space_length(p, end);
  } else {
    return fail(errc::unknown_packet_type, 0);
  }

  // attachments
  if (is_binary(pkt.type)) {
    const char* count_begin = p;
    if (opts.lax) {
      while (p != end && *p != '-') ++p;
      if (p == end) return fail(errc::invalid_attachment_count, at(p));
      const double n = js_string_to_number(count_begin, p);
      // Number.isInteger(n) && n >= 1, as the reference checks: Infinity and fractions fail.
      if (!(n >= 1) || !std::isfinite(n) || n != std::floor(n)) {
        return fail(errc::invalid_attachment_count, at(count_begin));
      }
      // size_t may not hold n (max_attachments near SIZE_MAX rounds up to 2^64 as a double):
      // converting then would be undefined.
      constexpr double size_range =
          2.0 * static_cast<double>(std::size_t{1} << (sizeof(std::size_t) * 8 - 1));
      if (n >= size_range || n > static_cast<double>(max_attachments)) {
        return fail(errc::too_many_attachments, at(count_begin));
      }
      pkt.attachment_count = static_cast<std::size_t>(n);
    } else {
      if (p == end || *p < '1' || *p > '9') return fail(errc::invalid_attachment_count, at(p));
      std::size_t n = 0;
      // n * 10 + d > max exactly when n > max / 10, or n == max / 10 and d > max % 10: tested
      // before multiplying, so that no limit, SIZE_MAX included, lets n wrap.
      const std::size_t cap = max_attachments / 10, last = max_attachments % 10;
      while (p != end && is_digit(*p)) {
        const auto d = static_cast<std::size_t>(*p - '0');
        if (n > cap || (n == cap && d > last)) {
          return fail(errc::too_many_attachments, at(count_begin));
        }
        n = n * 10 + d;
        ++p;
      }
      if (p == end || *p != '-') return fail(errc::invalid_attachment_count, at(p));
      pkt.attachment_count = n;
    }
    ++p;  // '-'
  }

  // namespace
  if (p != end && *p == '/') {
    const char* nsp_begin = p;
    unsigned high = 0;  // the bytes' OR: UTF-8 needs checking only when one is above 0x7F
    while (p != end && *p != ',') high |= static_cast<unsigned char>(*p++);
    const auto len = static_cast<std::size_t>(p - nsp_begin);
    if (len > opts.max_namespace) return fail(errc::invalid_namespace, at(nsp_begin));
    pkt.nsp = std::string_view(nsp_begin, len);
    if (SIOCODEC_UNLIKELY(high >= 0x80)) {
      const std::size_t bad = ::SIOCODEC_NAMESPACE::detail::utf8_find_invalid(nsp_begin, len);
      if (bad != len) {
        // The encoders refuse such a namespace, so a server could not even answer it.
        if (!opts.allow_invalid_utf8) return fail(errc::invalid_utf8, at(nsp_begin) + bad);
        pkt.has_invalid_utf8 = true;
      }
    }
    if (p != end) ++p;  // ','
  }

  // ack id
  if (opts.lax) {
    // The reference takes every following character c with Number(c) == c: digits, and any
    // JavaScript space (which counts as nothing). A run with spaces between digits is NaN.
    const char* id_begin = p;
    std::uint64_t id = 0;
    bool any = false, overflow = false, gap = false, seen_digit = false, space_after_digit = false;
    while (p != end) {
      if (is_digit(*p)) {
        if (space_after_digit) gap = true;
        const auto d = static_cast<std::uint64_t>(*p - '0');
        if (id > (~std::uint64_t{0} - d) / 10) overflow = true;
        id = id * 10 + d;
        seen_digit = true;
        any = true;
        ++p;
        continue;
      }
      const std::size_t k = js_space_length(p, end);
      if (k == 0) break;
      if (seen_digit) space_after_digit = true;
      any = true;
      p += k;
    }
    if (any) {
      if (gap) return fail(errc::invalid_ack_id, at(id_begin));  // the reference gets NaN
      if (overflow || id > opts.max_ack_id) return fail(errc::ack_id_overflow, at(id_begin));
      pkt.id = id;
    }
  } else if (p != end && is_digit(*p)) {
    const char* id_begin = p;
    std::uint64_t id = 0;
    // id * 10 + d overflows exactly when id > cap, or id == cap and d > the last digit of 2^64-1;
    // constants, so no division per digit.
    constexpr std::uint64_t cap = ~std::uint64_t{0} / 10;
    constexpr std::uint64_t last = ~std::uint64_t{0} % 10;
    while (p != end && is_digit(*p)) {
      const auto d = static_cast<std::uint64_t>(*p - '0');
      if (id > cap || (id == cap && d > last) || id * 10 + d > opts.max_ack_id) {
        return fail(errc::ack_id_overflow, at(id_begin));
      }
      id = id * 10 + d;
      ++p;
    }
    if (*id_begin == '0' && p - id_begin > 1) return fail(errc::invalid_ack_id, at(id_begin));
    pkt.id = id;
  }

  // payload
  if (p != end) {
    const char* json_begin = p;
    const std::string_view rest(p, static_cast<std::size_t>(end - p));
    if (!opts.lax && json::detail::is_ws(*p)) return fail(errc::invalid_json, at(p));
    json::options jo;
    jo.max_depth = opts.max_depth;
    json::detail::text_info info;
    result<json::kind> k = json::detail::validate_text<true>(rest, jo, &info);
    if (SIOCODEC_UNLIKELY(!k && k.error() == errc::invalid_utf8 && opts.allow_invalid_utf8)) {
      // Only on failure, so that valid payloads pay nothing for the option.
      info = json::detail::text_info{};
      k = json::detail::validate_text<true, true>(rest, jo, &info);
      if (k) pkt.has_invalid_utf8 = true;
    }
    if (!k) return fail(k.error(), at(json_begin) + k.offset());
    pkt.data = std::string_view(info.value_begin,
                                static_cast<std::size_t>(info.value_end - info.value_begin));
    std::size_t where = 0;
    const errc shape = check_shape(pkt.type, *k, info, opts.version, where, pkt.event_raw);
    if (shape != errc::none) {
      return fail(shape, static_cast<std::size_t>(pkt.data.data() - begin) + where);
    }
    if (Attachments && is_binary(pkt.type)) {
      const errc e = check_placeholders(pkt.data, pkt.attachment_count, opts.lax, where);
      if (e != errc::none) {
        return fail(e, static_cast<std::size_t>(pkt.data.data() - begin) + where);
      }
    }
  } else if (Attachments && is_binary(pkt.type) && !opts.lax) {
    // Attachments with nothing to place them in: never written by an encoder.
    return fail(errc::invalid_placeholder, at(p));
  }
  return errc::none;
}

}  // namespace detail

inline result<packet_view> decode_header(std::string_view text,
                                         const decode_options& opts) noexcept {
  // One object, returned by NRVO on both paths.
  result<packet_view> r(std::in_place, text.size());
  std::size_t offset = 0;
  const errc e = detail::decode_fields(text, opts, *r, offset);
  if (e != errc::none) r = result<packet_view>(e, offset);
  return r;
}

inline result<packet_view> decode(std::string_view text, const decode_options& opts) noexcept {
  // The type is the first byte in both modes (lax reads a space there as CONNECT), so this is
  // exactly "the packet would decode as a binary type".
  if (SIOCODEC_UNLIKELY(!text.empty() && (text[0] == '5' || text[0] == '6'))) {
    return {errc::needs_attachments, 0};
  }
  return decode_header(text, opts);
}

}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_DECODE_HPP
