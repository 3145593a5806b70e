// SPDX-License-Identifier: BSL-1.0
// JavaScript's Number(string), as socket.io-parser applies it to the header fields: the lax mode
// of the Socket.IO decoder reads counts and ids this way (protocol-notes.md).
#ifndef SIOCODEC_SOCKETIO_DEFAULT_PARSER_JS_NUMBER_HPP
#define SIOCODEC_SOCKETIO_DEFAULT_PARSER_JS_NUMBER_HPP

#include <siocodec/config.hpp>

#include <cmath>
#include <cstddef>
#include <string_view>

// Only size-first builds use it: the others do not parse its big-integer code.
#if SIOCODEC_SIZE_FIRST
#include <siocodec/detail/decimal.hpp>
#endif

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {
namespace detail {

/// Byte length of the JavaScript WhiteSpace or LineTerminator code point at p (ECMAScript:
/// TAB, VT, FF, SP, NBSP, ZWNBSP, Zs, LF, CR, LS, PS), 0 for anything else. Lax mode only: this is
/// what the reference's Number() skips.
inline std::size_t js_space_length(const char* p, const char* end) noexcept {
  const auto c = static_cast<unsigned char>(*p);
  if (c == ' ' || (c >= 0x09 && c <= 0x0D)) return 1;
  const auto n = static_cast<std::size_t>(end - p);
  const auto b = [p](int i) { return static_cast<unsigned char>(p[i]); };
  if (c == 0xC2 && n >= 2 && b(1) == 0xA0) return 2;                  // U+00A0
  if (c == 0xE1 && n >= 3 && b(1) == 0x9A && b(2) == 0x80) return 3;  // U+1680
  if (c == 0xE2 && n >= 3 && b(1) == 0x80 &&
      (b(2) <= 0x8A || b(2) == 0xA8 || b(2) == 0xA9 || b(2) == 0xAF)) {
    return 3;  // U+2000-U+200A, U+2028, U+2029, U+202F
  }
  if (c == 0xE2 && n >= 3 && b(1) == 0x81 && b(2) == 0x9F) return 3;  // U+205F
  if (c == 0xE3 && n >= 3 && b(1) == 0x80 && b(2) == 0x80) return 3;  // U+3000
  if (c == 0xEF && n >= 3 && b(1) == 0xBB && b(2) == 0xBF) return 3;  // U+FEFF
  return 0;
}

/// JavaScript's Number(string) for the text [p, end), as the reference applies it to attachment
/// counts (lax mode): surrounding JS whitespace trimmed, empty is 0, decimal with optional sign,
/// fraction and exponent, 0x/0o/0b integers, Infinity. NaN when the text is none of these.
inline double js_string_to_number(const char* p, const char* end) noexcept {
  while (p != end) {
    const std::size_t k = js_space_length(p, end);
    if (k == 0) break;
    p += k;
  }
  while (p != end) {
    // Trailing whitespace: find the last non-space code point by scanning forward.
    const char* q = p;
    const char* last = p;
    while (q != end) {
      const std::size_t k = js_space_length(q, end);
      if (k == 0) {
        ++q;
        last = q;
      } else {
        q += k;
      }
    }
    end = last;
    break;
  }
  const double nan = std::nan("");
  if (p == end) return 0.0;
  const auto digit_value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return 99;
  };
  if (end - p > 2 && p[0] == '0') {
    int radix = 0;
    if (p[1] == 'x' || p[1] == 'X') radix = 16;
    if (p[1] == 'o' || p[1] == 'O') radix = 8;
    if (p[1] == 'b' || p[1] == 'B') radix = 2;
    if (radix != 0) {
      double v = 0;
      for (const char* q = p + 2; q != end; ++q) {
        const int d = digit_value(*q);
        if (d >= radix) return nan;
        v = v * radix + d;
      }
      return v;
    }
  }
  bool negative = false;
  if (*p == '+' || *p == '-') {
    negative = (*p == '-');
    ++p;
  }
  if (end - p == 8 && std::string_view(p, 8) == "Infinity") {
    return negative ? -HUGE_VAL : HUGE_VAL;
  }
  // Decimal literal: digits [. digits] [e [+-] digits], at least one digit in the mantissa.
  double mantissa = 0;
  int exponent = 0;
  bool any = false;
  const char* q = p;
  for (; q != end && *q >= '0' && *q <= '9'; ++q, any = true) mantissa = mantissa * 10 + (*q - '0');
  if (q != end && *q == '.') {
    for (++q; q != end && *q >= '0' && *q <= '9'; ++q, any = true) {
      mantissa = mantissa * 10 + (*q - '0');
      if (exponent > -100000) --exponent;  // an int; past this the value is 0, Infinity or NaN
    }
  }
  if (!any) return nan;
  if (q != end && (*q == 'e' || *q == 'E')) {
    ++q;
    bool eneg = false;
    if (q != end && (*q == '+' || *q == '-')) eneg = (*q++ == '-');
    if (q == end) return nan;
    int e = 0;
    for (; q != end && *q >= '0' && *q <= '9'; ++q) e = e < 100000 ? e * 10 + (*q - '0') : e;
    exponent += eneg ? -e : e;
  }
  if (q != end) return nan;
    // Only integer results in a small range matter to the caller, so plain arithmetic is exact
    // enough: the value is compared with an integer limit of at most a few thousand.
#if SIOCODEC_SIZE_FIRST
  const double v = mantissa * ::SIOCODEC_NAMESPACE::detail::pow10_double(exponent);
#else
  const double v = mantissa * std::pow(10.0, exponent);
#endif
  return negative ? -v : v;
}

}  // namespace detail
}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_DEFAULT_PARSER_JS_NUMBER_HPP
