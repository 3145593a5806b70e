// SPDX-License-Identifier: BSL-1.0
// Walking validated JSON text without a DOM: skipping a value, decoding a string's escapes.
#ifndef SIOCODEC_JSON_WALK_HPP
#define SIOCODEC_JSON_WALK_HPP

#include <siocodec/config.hpp>
#include <siocodec/detail/utf8.hpp>
#include <siocodec/json/scan.hpp>
#include <siocodec/json/tokens.hpp>
#include <siocodec/json/validate.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>

SIOCODEC_BEGIN_NAMESPACE
namespace json {
namespace detail {

/// The kind of the value whose first byte is `c`, in validated text.
constexpr kind kind_of(char c) noexcept {
  return c == '"'                 ? kind::string
         : c == '['               ? kind::array
         : c == '{'               ? kind::object
         : (c == 't' || c == 'f') ? kind::boolean
         : c == 'n'               ? kind::null
                                  : kind::number;
}

/// Just past the closing quote of a string whose content starts at `p`, or `end`.
inline const char* skip_string(const char* p, const char* end) noexcept {
  for (;;) {
    p = find_quote_or_backslash(p, end);
    if (p == end) return end;
    if (*p == '"') return p + 1;
    if (end - p <= 2) return end;
    p += 2;  // the escaped byte cannot end the string
  }
}

/// The first `"`, `[`, `]`, `{` or `}` in [p, end), or `end`: what skipping a container stops at.
inline const char* find_structural(const char* p, const char* end) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ull;
  constexpr std::uint64_t high = 0x8080808080808080ull;
  while (end - p >= 8) {
    std::uint64_t x;
    std::memcpy(&x, p, 8);
    const std::uint64_t q = x ^ (ones * '"');
    // '[' ']' are '{' '}' without bit 0x20, and no other byte ORed with 0x20 gives '{' or '}'.
    const std::uint64_t folded = x | (ones * 0x20);
    const std::uint64_t o = folded ^ (ones * '{');
    const std::uint64_t c = folded ^ (ones * '}');
    const std::uint64_t m = (((q - ones) & ~q) | ((o - ones) & ~o) | ((c - ones) & ~c)) & high;
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
    const char ch = *p;
    if (ch == '"' || ch == '[' || ch == ']' || ch == '{' || ch == '}') return p;
  }
  return end;
}

/// Just past the value starting at `p` (p < end). Trusts validated text (brackets matched, so a
/// depth counter is enough); on other text it still stops at `end` and always advances.
inline const char* skip_value(const char* p, const char* end) noexcept {
  const char c = *p;
  if (c == '"') return skip_string(p + 1, end);
  if (c == '[' || c == '{') {
    std::size_t depth = 1;
    ++p;
    for (;;) {
      p = find_structural(p, end);
      if (p == end) return end;
      const char ch = *p;
      if (ch == '"') {
        p = skip_string(p + 1, end);
        continue;
      }
      if (ch == '[' || ch == '{') {
        ++depth;
      } else if (ch == ']' || ch == '}') {
        if (--depth == 0) return p + 1;
      }
      ++p;
    }
  }
  // A number or a literal: runs to the next delimiter.
  ++p;
  while (p != end && !is_ws(*p) && *p != ',' && *p != ']' && *p != '}' && *p != ':') ++p;
  return p;
}

// Decodes the content of a string (between the quotes) and hands the UTF-8 bytes to
// `out(const char*, std::size_t n)` (n >= 1) in pieces; `out` returns false to stop early.
// Returns false when stopped. One function serves size, write and compare, so they cannot
// disagree. On text that was not validated it never fails, it only decodes oddly: an unknown
// escape yields its letter, a short or non-hex \u yields U+FFFD, a trailing '\' yields nothing.
template <class Out>
bool decode_string(const char* p, const char* end, Out&& out) noexcept {
  constexpr char replacement[3] = {'\xEF', '\xBF', '\xBD'};  // U+FFFD
  const auto hex4 = [](const char* q) {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const unsigned h = hex_value(q[i]);
      if (h > 15) return std::uint32_t{0xFFFFFFFF};
      v = (v << 4) | h;
    }
    return v;
  };
  while (p != end) {
    const void* found = std::memchr(p, '\\', static_cast<std::size_t>(end - p));
    const char* q = found != nullptr ? static_cast<const char*>(found) : end;
    if (q != p && !out(p, static_cast<std::size_t>(q - p))) return false;
    if (q == end) return true;
    p = q + 1;
    if (p == end) return true;
    char ch;
    switch (*p++) {
      case 'b': ch = '\b'; break;
      case 'f': ch = '\f'; break;
      case 'n': ch = '\n'; break;
      case 'r': ch = '\r'; break;
      case 't': ch = '\t'; break;
      case 'u': {
        std::uint32_t cp = end - p >= 4 ? hex4(p) : 0xFFFFFFFF;
        if (cp == 0xFFFFFFFF) {
          if (!out(replacement, 3)) return false;
          continue;
        }
        p += 4;
        if (cp >= 0xD800 && cp <= 0xDFFF) {
          // A surrogate makes a code point only as a high one followed by a low one; anything
          // else is what TextEncoder replaces with U+FFFD.
          std::uint32_t lo = 0;
          if (cp <= 0xDBFF && end - p >= 6 && p[0] == '\\' && p[1] == 'u') lo = hex4(p + 2);
          if (lo >= 0xDC00 && lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            p += 6;
          } else {
            if (!out(replacement, 3)) return false;
            continue;
          }
        }
        char buf[4];
        const std::size_t n = ::SIOCODEC_NAMESPACE::detail::utf8_encode(cp, buf);
        if (!out(static_cast<const char*>(buf), n)) return false;
        continue;
      }
      default: ch = p[-1]; break;  // '"', '\\', '/' (and, in unvalidated text, anything)
    }
    if (!out(&ch, 1)) return false;
  }
  return true;
}

}  // namespace detail
}  // namespace json
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_JSON_WALK_HPP
