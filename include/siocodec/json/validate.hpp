// SPDX-License-Identifier: BSL-1.0
// Strict one-pass JSON validation (RFC 8259) with no DOM, no allocation and no recursion.
#ifndef SIOCODEC_JSON_VALIDATE_HPP
#define SIOCODEC_JSON_VALIDATE_HPP

#include <siocodec/config.hpp>
#include <siocodec/error.hpp>
#include <siocodec/json/scan.hpp>
#include <siocodec/json/tokens.hpp>
#include <siocodec/result.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

SIOCODEC_BEGIN_NAMESPACE
namespace json {

/// The six kinds of JSON value (RFC 8259 §3).
enum class kind : std::uint8_t { null, boolean, number, string, array, object };

/// The kind's name ("null", "boolean", "number", "string", "array", "object"); "unknown" for a
/// value outside the enum.
constexpr const char* to_string(kind k) noexcept {
  switch (k) {
    case kind::null: return "null";
    case kind::boolean: return "boolean";
    case kind::number: return "number";
    case kind::string: return "string";
    case kind::array: return "array";
    case kind::object: return "object";
  }
  return "unknown";
}

/// The deepest nesting validate() can check, whatever options::max_depth says. The validator
/// keeps one bit per open array/object in a fixed 512-byte stack array (no allocation, a bounded
/// stack footprint for small embedded stacks); a larger max_depth is clamped to this value.
constexpr std::size_t max_depth_limit = 4096;

/// Options of validate() and parse(). Pass by const reference.
struct options {
  /// Deepest nesting of arrays and objects accepted: a scalar has depth 0, `[]` depth 1,
  /// `[{}]` depth 2. Exactly max_depth levels are accepted, one more is nesting_too_deep.
  /// Values above max_depth_limit act as max_depth_limit. The reference has no limit of its own
  /// (V8 parses iteratively); 128 is far deeper than any real Socket.IO payload.
  std::size_t max_depth = SIOCODEC_DEFAULT_MAX_JSON_DEPTH;
};

/// Validates that `text` is exactly one JSON text (RFC 8259 §2: `ws value ws`).
///
/// Strict, in the manner of JSON.parse on the UTF-8 decoding of `text` (with a fatal decoder
/// that keeps a byte order mark), except for the depth limit:
/// - UTF-8 is validated inside strings (RFC 3629: no overlong forms, no encoded surrogates,
///   nothing above U+10FFFF, no cut sequences); outside strings any byte >= 0x80 (a BOM, U+00A0,
///   U+2028...) is not whitespace and is invalid_json;
/// - whitespace is space, tab, LF and CR only;
/// - escapes are exactly `\" \\ \/ \b \f \n \r \t \uXXXX` (four hex digits, either case). A
///   `\uXXXX` naming a lone surrogate (`"\ud800"`) is accepted, because the grammar allows any
///   four hex digits and JSON.stringify writes lone surrogates that way; see value::unescape_to
///   for how such strings decode;
/// - raw bytes below 0x20 inside strings are rejected (DEL, 0x7F, is allowed);
/// - numbers follow `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` exactly, with no
///   range limit (1e400 is valid JSON; its value is a separate question, see value::to_double).
///
/// One pass, linear time, no allocation, no recursion: nesting is tracked in a fixed bit stack.
///
/// @return the kind of the top-level value. On success offset() is text.size(); on failure it
///   is the offset of the offending byte, or text.size() when the text ends too early.
///
/// Errors:
/// - invalid_json: empty or whitespace-only text, a byte that cannot start or continue the
///   grammar at its place (a missing or extra `,` `:` `]` `}`, a misspelled literal, a key that
///   is not a string, anything after the value), a byte >= 0x80 outside a string, or the end of
///   the text inside an array or object;
/// - invalid_json_string: a raw control character (< 0x20) in a string (offset of that byte),
///   a malformed escape (offset of the first byte after the backslash that does not fit: the
///   escape letter, or the first non-hex digit of `\u`), or a string not closed before the end;
/// - invalid_json_number: a number that breaks the grammar: a leading zero (`01`: offset of
///   the `1`), `-` without digits, `1.` or `1e` without digits, a number starting with `.` or
///   `+`, or a number followed directly by `.`, `e`, `E`, `+`, `-` or a digit (`1.5.3`);
///   offset of the offending byte;
/// - invalid_utf8: malformed UTF-8 inside a string; offset of the first byte of the sequence;
/// - nesting_too_deep: an array or object opens at depth max_depth (offset of its `[` or `{`).
result<kind> validate(std::string_view text, const options& opts = {}) noexcept;

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

/// What validate_text() notes on its way through the text, for a caller that looks at the
/// top-level value and its first element right after validating (the Socket.IO decoder checks
/// the event name): with it, nothing is walked twice. Set only on success.
struct text_info {
  /// The top-level value, without the whitespace around it.
  const char* value_begin = nullptr;
  const char* value_end = nullptr;
  /// The first element of a top-level array (null when the array is empty or the value is not
  /// an array; for a top-level object: the first member's value, meaningless).
  const char* first_begin = nullptr;
  const char* first_end = nullptr;
  /// The first element is a string holding a backslash escape.
  bool first_escaped = false;
};

/// validate(), also filling `*info` when Info is true.
/// Lossy: strings may hold bytes that are not UTF-8 (decode_options::allow_invalid_utf8).
template <bool Info, bool Lossy = false>
result<kind> validate_text(std::string_view text, const options& opts, text_info* info) noexcept;

}  // namespace detail

inline result<kind> validate(std::string_view text, const options& opts) noexcept {
  return detail::validate_text<false>(text, opts, nullptr);
}

template <bool Info, bool Lossy>
result<kind> detail::validate_text(std::string_view text, const options& opts,
                                   text_info* info) noexcept {
  const char* const begin = text.data();
  const char* const end = begin + text.size();
  const std::size_t max_depth = opts.max_depth < max_depth_limit ? opts.max_depth : max_depth_limit;
  // One bit per open container, 1 = object. Nothing is cleared up front: a word is written
  // whole when the first container of its 64 levels opens, and a bit is only read below the
  // current depth, so it was written by the push that opened its level. The bits are read only
  // when a container closes: while one is open, where the code is says which kind it is (the
  // object and array paths below are separate), so no token pays for a lookup.
  std::uint64_t stack[max_depth_limit / 64];
  std::size_t depth = 0;
  // Info: the depth at which the next value to end is the first element of the top-level
  // container: 1 until that element has ended, then 0, which no value inside a container has.
  [[maybe_unused]] std::size_t first_depth = 1;
  const auto fail = [begin](const char* at, errc e) {
    return result<kind>(e, static_cast<std::size_t>(at - begin));
  };
  // Every local is declared before the first goto (none may be jumped over).
  kind top = kind::null;
  scan_result r{nullptr, errc::none};
  std::uint64_t bit = 0;
  constexpr std::uint16_t comma_quote = word_of<std::uint16_t>(",\"");  // between members

  const char* p = skip_ws(begin, end);
  if (p == end) return fail(end, errc::invalid_json);
  if constexpr (Info) info->value_begin = p;
  // A Socket.IO event or ack payload: an array at depth 0, whose push needs none of
  // open_array's general steps (level 0 is bit 0 of word 0, and no other word is in use).
  // `goto open_array` here instead was measured: 4 more instructions per w1 decode (449).
  if (SIOCODEC_LIKELY(*p == '[')) {
    top = kind::array;
    if (SIOCODEC_UNLIKELY(max_depth == 0)) return fail(p, errc::nesting_too_deep);
    stack[0] = 0;
    depth = 1;
    p = skip_ws(p + 1, end);
    if (p != end && *p == ']') {
      ++p;
      goto close;
    }
    if constexpr (Info) info->first_begin = p;
    goto array_value;
  }
  switch (*p) {
    case '{': top = kind::object; goto open_object;
    case '"':
      top = kind::string;
      r = validate_string<Lossy>(p + 1, end, begin);
      break;
    case 't':
    case 'f':
      top = kind::boolean;
      r = validate_literal_fast(p, end);
      break;
    case 'n':
      top = kind::null;
      r = validate_literal_fast(p, end);
      break;
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
      top = kind::number;
      r = validate_number(p, end);
      break;
    case '.':
    case '+': return fail(p, errc::invalid_json_number);
    default: return fail(p, errc::invalid_json);
  }
  if (r.ec != errc::none) return fail(r.p, r.ec);
  p = r.p;
  goto done;

// ---- objects: p at the `{` -------------------------------------------------------------------
open_object:
  if (depth >= max_depth) return fail(p, errc::nesting_too_deep);
  bit = std::uint64_t{1} << (depth % 64);
  stack[depth / 64] = (depth % 64 == 0 ? 0 : stack[depth / 64]) | bit;
  ++depth;
  p = skip_ws(p + 1, end);
  if (p != end && *p == '}') {
    ++p;
    goto close;
  }
  if constexpr (Info) {
    if (depth == 1) info->first_begin = p;
  }
object_key:
  // p is where a key must start. Whitespace is skipped only where a byte does not fit (here and
  // below): compact JSON has none, and a check of the expected byte first costs nothing more.
  if (p == end) return fail(end, errc::invalid_json);
  if (SIOCODEC_UNLIKELY(static_cast<unsigned char>(*p) <= 0x20)) {
    p = skip_ws_rest(p, end);
    if (p == end) return fail(end, errc::invalid_json);
  }
  if (*p != '"') return fail(p, errc::invalid_json);
object_key_quote:
  // p is at the key's opening quote.
  r = validate_member_string<Lossy>(p + 1, end, begin);
  if (r.ec != errc::none) return fail(r.p, r.ec);
  p = r.p;
  // Compact JSON: the `:` and then the value's first byte; else the same checks one by one.
  if (SIOCODEC_UNLIKELY(end - p < 2 || *p != ':' || static_cast<unsigned char>(p[1]) <= 0x20)) {
    p = skip_ws(p, end);
    if (p == end) return fail(end, errc::invalid_json);
    if (*p != ':') return fail(p, errc::invalid_json);
    p = skip_ws(p + 1, end);
    if (p == end) return fail(end, errc::invalid_json);
  } else {
    ++p;
  }
  // Most frequent first (numbers, then strings), in a chain rather than a switch: a jump
  // table's range checks and indirect branch cost more than the two compares to a number.
  if (SIOCODEC_LIKELY(is_digit(*p) || *p == '-')) {
    r = validate_number_inline(p, end);
  } else if (*p == '"') {
    r = validate_member_string<Lossy>(p + 1, end, begin);
    if constexpr (Info) {
      if (depth == first_depth) info->first_escaped = r.escaped;
    }
  } else if (*p == '{') {
    goto open_object;
  } else if (*p == '[') {
    goto open_array;
  } else if (*p == 't' || *p == 'f' || *p == 'n') {
    r = validate_literal_fast(p, end);
  } else if (*p == '.' || *p == '+') {
    return fail(p, errc::invalid_json_number);
  } else {
    return fail(p, errc::invalid_json);
  }
  if (r.ec != errc::none) return fail(r.p, r.ec);
  p = r.p;
  if constexpr (Info) {
    if (depth == first_depth) {
      info->first_end = p;
      first_depth = 0;
    }
  }
object_next:
  // p is just past a member's value. Compact JSON: `,` and the next key's quote.
  if (SIOCODEC_LIKELY(end - p >= 2 && load_word<std::uint16_t>(p) == comma_quote)) {
    ++p;
    goto object_key_quote;
  }
  if (p == end) return fail(end, errc::invalid_json);
  if (SIOCODEC_UNLIKELY(static_cast<unsigned char>(*p) <= 0x20)) {
    p = skip_ws_rest(p, end);
    if (p == end) return fail(end, errc::invalid_json);
  }
  if (*p == ',') {
    ++p;
    goto object_key;
  }
  if (*p != '}') return fail(p, errc::invalid_json);
  ++p;
  goto close;

// ---- arrays: p at the `[` --------------------------------------------------------------------
open_array:
  if (depth >= max_depth) return fail(p, errc::nesting_too_deep);
  bit = std::uint64_t{1} << (depth % 64);
  stack[depth / 64] = (depth % 64 == 0 ? 0 : stack[depth / 64]) & ~bit;
  ++depth;
  p = skip_ws(p + 1, end);
  if (p != end && *p == ']') {
    ++p;
    goto close;
  }
  if constexpr (Info) {
    if (depth == 1) info->first_begin = p;
  }
array_value:
  // p is where an element must start.
  if (p == end) return fail(end, errc::invalid_json);
  if (SIOCODEC_UNLIKELY(static_cast<unsigned char>(*p) <= 0x20)) {
    p = skip_ws_rest(p, end);
    if (p == end) return fail(end, errc::invalid_json);
  }
array_value_byte:
  // p is at the element's first byte, which is not whitespace.
  // The same dispatch as a member value's, written out again on purpose: sharing it (an inlined
  // helper that says what opens) was measured at 4 more instructions per w1 decode and 2.6%
  // more on w4 (docs/design.md, "One concern per header").
  // Most frequent first (numbers, then strings), in a chain rather than a switch: a jump
  // table's range checks and indirect branch cost more than the two compares to a number.
  if (SIOCODEC_LIKELY(is_digit(*p) || *p == '-')) {
    r = validate_number_inline(p, end);
  } else if (*p == '"') {
    r = validate_string<Lossy>(p + 1, end, begin);
    if constexpr (Info) {
      if (depth == first_depth) info->first_escaped = r.escaped;
    }
  } else if (*p == '{') {
    goto open_object;
  } else if (*p == '[') {
    goto open_array;
  } else if (*p == 't' || *p == 'f' || *p == 'n') {
    r = validate_literal_fast(p, end);
  } else if (*p == '.' || *p == '+') {
    return fail(p, errc::invalid_json_number);
  } else {
    return fail(p, errc::invalid_json);
  }
  if (r.ec != errc::none) return fail(r.p, r.ec);
  p = r.p;
  if constexpr (Info) {
    if (depth == first_depth) {
      info->first_end = p;
      first_depth = 0;
    }
  }
array_next:
  // p is just past an element. Compact JSON: `,` and the next element's first byte.
  if (SIOCODEC_LIKELY(end - p >= 2 && p[0] == ',' && static_cast<unsigned char>(p[1]) > 0x20)) {
    ++p;
    goto array_value_byte;
  }
  if (p == end) return fail(end, errc::invalid_json);
  if (SIOCODEC_UNLIKELY(static_cast<unsigned char>(*p) <= 0x20)) {
    p = skip_ws_rest(p, end);
    if (p == end) return fail(end, errc::invalid_json);
  }
  if (*p == ',') {
    ++p;
    goto array_value;
  }
  if (*p != ']') return fail(p, errc::invalid_json);
  ++p;
  // on to close

close:
  // p is just past a `]` or `}` that closed the container at `depth`.
  --depth;
  if (depth == 0) goto done;
  if constexpr (Info) {
    if (depth == first_depth) {
      info->first_end = p;
      first_depth = 0;
    }
  }
  if (((stack[(depth - 1) / 64] >> ((depth - 1) % 64)) & 1u) != 0) goto object_next;
  goto array_next;

done:
  // p is just past the top-level value.
  if constexpr (Info) info->value_end = p;
  p = skip_ws(p, end);
  if (p != end) return fail(p, errc::invalid_json);
  return result<kind>(top, text.size());
}

}  // namespace json
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_JSON_VALIDATE_HPP
