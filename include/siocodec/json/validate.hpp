// SPDX-License-Identifier: BSL-1.0
// Strict one-pass JSON validation (RFC 8259) with no DOM, no allocation and no recursion.
#ifndef SIOCODEC_JSON_VALIDATE_HPP
#define SIOCODEC_JSON_VALIDATE_HPP

#include <siocodec/config.hpp>
#include <siocodec/detail/utf8.hpp>
#include <siocodec/error.hpp>
#include <siocodec/result.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
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

/// The first byte in [p, end) that ends a run of ordinary string content: `"`, `\`, a control
/// character (< 0x20) or a non-ASCII byte (>= 0x80, which then needs UTF-8 checking); `end` if
/// none. Both the validator and the writer stand on this one function, so a SIMD version can
/// replace it alone; this scalar version, eight bytes per step (SWAR), is the reference.
inline const char* scan_string(const char* p, const char* end) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ull;
  constexpr std::uint64_t high = 0x8080808080808080ull;
  while (end - p >= 8) {
    std::uint64_t x;
    std::memcpy(&x, p, 8);
    const std::uint64_t q = x ^ (ones * '"');
    const std::uint64_t b = x ^ (ones * '\\');
    // Per byte, the high bit is set for: a zero byte of q or b (the classic "has zero byte"
    // test), a byte below 0x20 (x - 0x20 borrows), a byte with its own high bit set. Borrows
    // can flag a byte above a true hit, never below one, so the lowest flag is always exact.
    const std::uint64_t m = (((q - ones) & ~q) | ((b - ones) & ~b) | (x - ones * 0x20) | x) & high;
    if (m != 0) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
      return p + (__builtin_ctzll(m) >> 3);
#else
      break;  // the byte loop below finds it among these 8 bytes
#endif
    }
    p += 8;
  }
  for (; p != end; ++p) {
    const auto c = static_cast<unsigned char>(*p);
    if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) return p;
  }
  return end;
}

/// The first `"` or `\` in [p, end), or `end`. Skips strings of text already validated.
inline const char* find_quote_or_backslash(const char* p, const char* end) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ull;
  constexpr std::uint64_t high = 0x8080808080808080ull;
  while (end - p >= 8) {
    std::uint64_t x;
    std::memcpy(&x, p, 8);
    const std::uint64_t q = x ^ (ones * '"');
    const std::uint64_t b = x ^ (ones * '\\');
    const std::uint64_t m = (((q - ones) & ~q) | ((b - ones) & ~b)) & high;
    if (m != 0) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
      return p + (__builtin_ctzll(m) >> 3);
#else
      break;
#endif
    }
    p += 8;
  }
  for (; p != end; ++p) {
    if (*p == '"' || *p == '\\') return p;
  }
  return end;
}

/// JSON whitespace (RFC 8259 §2): space, tab, LF, CR. Nothing else, not even U+00A0 or a BOM.
constexpr bool is_ws(char c) noexcept { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

inline const char* skip_ws(const char* p, const char* end) noexcept {
  while (p != end && is_ws(*p)) ++p;
  return p;
}

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

/// 0-15 for a hex digit of either case, 16 otherwise.
constexpr unsigned hex_value(char c) noexcept {
  return (c >= '0' && c <= '9')   ? static_cast<unsigned>(c - '0')
         : (c >= 'a' && c <= 'f') ? static_cast<unsigned>(c - 'a' + 10)
         : (c >= 'A' && c <= 'F') ? static_cast<unsigned>(c - 'A' + 10)
                                  : 16u;
}

/// Where a scanner stopped: just past the token on success, at the offending byte on failure.
struct scan_result {
  const char* p;
  error ec;
};

/// Validates a string's content; `p` is just past the opening quote. Success: p is just past the
/// closing quote.
inline scan_result validate_string(const char* p, const char* end) noexcept {
  for (;;) {
    p = scan_string(p, end);
    if (p == end) return {end, error::invalid_json_string};
    const auto c = static_cast<unsigned char>(*p);
    if (c == '"') return {p + 1, error::none};
    if (c == '\\') {
      ++p;
      if (p == end) return {end, error::invalid_json_string};
      switch (*p) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't': ++p; break;
        case 'u':
          ++p;
          for (int i = 0; i < 4; ++i, ++p) {
            if (p == end) return {end, error::invalid_json_string};
            if (hex_value(*p) > 15) return {p, error::invalid_json_string};
          }
          break;
        default: return {p, error::invalid_json_string};
      }
    } else if (c < 0x20) {
      return {p, error::invalid_json_string};
    } else {
      // Non-ASCII text tends to come in runs (CJK, emoji): stay in this loop while it lasts.
      do {
        const std::size_t len = ::SIOCODEC_NAMESPACE::detail::utf8_sequence_length(
            reinterpret_cast<const unsigned char*>(p), reinterpret_cast<const unsigned char*>(end));
        if (len == 0) return {p, error::invalid_utf8};
        p += len;
      } while (p != end && static_cast<unsigned char>(*p) >= 0x80);
    }
  }
}

/// True for the bytes that, right after a complete number, mean the number itself was malformed
/// (`01`, `1.5.3`, `1e5e3`, `1-2`) rather than that some other token is misplaced.
constexpr bool continues_number(char c) noexcept {
  return is_digit(c) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
}

/// Validates a number starting at `p` (a '-' or a digit). No library calls: the grammar only.
inline scan_result validate_number(const char* p, const char* end) noexcept {
  if (*p == '-') {
    ++p;
    if (p == end) return {end, error::invalid_json_number};
  }
  if (*p == '0') {
    ++p;
  } else if (is_digit(*p)) {
    do ++p;
    while (p != end && is_digit(*p));
  } else {
    return {p, error::invalid_json_number};
  }
  if (p != end && *p == '.') {
    ++p;
    if (p == end) return {end, error::invalid_json_number};
    if (!is_digit(*p)) return {p, error::invalid_json_number};
    do ++p;
    while (p != end && is_digit(*p));
  }
  if (p != end && (*p == 'e' || *p == 'E')) {
    ++p;
    if (p != end && (*p == '+' || *p == '-')) ++p;
    if (p == end) return {end, error::invalid_json_number};
    if (!is_digit(*p)) return {p, error::invalid_json_number};
    do ++p;
    while (p != end && is_digit(*p));
  }
  if (p != end && continues_number(*p)) return {p, error::invalid_json_number};
  return {p, error::none};
}

/// Checks the rest of a literal whose first byte matched; `p` is at that first byte.
inline scan_result validate_literal(const char* p, const char* end, const char* word,
                                    std::size_t n) noexcept {
  for (std::size_t i = 1; i < n; ++i) {
    if (p + i == end) return {end, error::invalid_json};
    if (p[i] != word[i]) return {p + i, error::invalid_json};
  }
  return {p + n, error::none};
}

}  // namespace detail

inline result<kind> validate(std::string_view text, const options& opts) noexcept {
  const char* const begin = text.data();
  const char* const end = begin + text.size();
  const std::size_t max_depth = opts.max_depth < max_depth_limit ? opts.max_depth : max_depth_limit;
  // One bit per open container, 1 = object. Only the words max_depth can reach are cleared:
  // two stores for the default depth, not a 512-byte clear per call.
  std::uint64_t stack[max_depth_limit / 64];
  for (std::size_t i = 0; i * 64 < max_depth; ++i) stack[i] = 0;
  std::size_t depth = 0;
  const auto fail = [begin](const char* at, error e) {
    return result<kind>(e, static_cast<std::size_t>(at - begin));
  };
  const auto in_object = [&stack, &depth]() {
    const std::size_t i = depth - 1;
    return ((stack[i / 64] >> (i % 64)) & 1u) != 0;
  };

  enum class state : std::uint8_t { value, key, after_value };
  state st = state::value;
  kind top = kind::null;
  const char* p = detail::skip_ws(begin, end);
  if (p == end) return fail(end, error::invalid_json);
  switch (*p) {
    case '{': top = kind::object; break;
    case '[': top = kind::array; break;
    case '"': top = kind::string; break;
    case 't':
    case 'f': top = kind::boolean; break;
    case 'n': top = kind::null; break;
    default: top = kind::number; break;  // anything else is a number or an error
  }

  for (;;) {
    switch (st) {
      case state::value: {
        // Invariant: p is at the first byte of a value, whitespace already skipped.
        if (p == end) return fail(end, error::invalid_json);
        detail::scan_result r{p, error::none};
        switch (*p) {
          case '[':
          case '{': {
            if (depth >= max_depth) return fail(p, error::nesting_too_deep);
            const bool obj = *p == '{';
            const std::uint64_t bit = std::uint64_t{1} << (depth % 64);
            if (obj) {
              stack[depth / 64] |= bit;
            } else {
              stack[depth / 64] &= ~bit;
            }
            ++depth;
            p = detail::skip_ws(p + 1, end);
            if (p != end && *p == (obj ? '}' : ']')) {
              ++p;
              --depth;
              st = state::after_value;
            } else {
              st = obj ? state::key : state::value;
            }
            continue;
          }
          case '"': r = detail::validate_string(p + 1, end); break;
          case 't': r = detail::validate_literal(p, end, "true", 4); break;
          case 'f': r = detail::validate_literal(p, end, "false", 5); break;
          case 'n': r = detail::validate_literal(p, end, "null", 4); break;
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
          case '9': r = detail::validate_number(p, end); break;
          case '.':
          case '+': return fail(p, error::invalid_json_number);
          default: return fail(p, error::invalid_json);
        }
        if (r.ec != error::none) return fail(r.p, r.ec);
        p = r.p;
        st = state::after_value;
        continue;
      }
      case state::key: {
        // Invariant: p is where an object key must start, whitespace skipped.
        if (p == end) return fail(end, error::invalid_json);
        if (*p != '"') return fail(p, error::invalid_json);
        const detail::scan_result r = detail::validate_string(p + 1, end);
        if (r.ec != error::none) return fail(r.p, r.ec);
        p = detail::skip_ws(r.p, end);
        if (p == end) return fail(end, error::invalid_json);
        if (*p != ':') return fail(p, error::invalid_json);
        p = detail::skip_ws(p + 1, end);
        st = state::value;
        continue;
      }
      case state::after_value: {
        p = detail::skip_ws(p, end);
        if (depth == 0) {
          if (p != end) return fail(p, error::invalid_json);
          return result<kind>(top, text.size());
        }
        if (p == end) return fail(end, error::invalid_json);
        const bool obj = in_object();
        if (*p == ',') {
          p = detail::skip_ws(p + 1, end);
          st = obj ? state::key : state::value;
        } else if (*p == (obj ? '}' : ']')) {
          ++p;
          --depth;
        } else {
          return fail(p, error::invalid_json);
        }
        continue;
      }
    }
  }
}

}  // namespace json
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_JSON_VALIDATE_HPP
