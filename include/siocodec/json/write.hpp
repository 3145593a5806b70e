// SPDX-License-Identifier: BSL-1.0
// JSON writing primitives that produce exactly what JavaScript's JSON.stringify produces.
#ifndef SIOCODEC_JSON_WRITE_HPP
#define SIOCODEC_JSON_WRITE_HPP

#include <siocodec/config.hpp>
#include <siocodec/detail/utf8.hpp>
#include <siocodec/error.hpp>
#include <siocodec/json/validate.hpp>
#include <siocodec/result.hpp>
#include <siocodec/sink.hpp>

#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

SIOCODEC_BEGIN_NAMESPACE
namespace json {

// The emit_* functions write through an encoder's writer `w` (sink.hpp: detail::size_counter or
// detail::buffer_writer), so an encoder's emit() can call them in both of its passes.

/// Writes `utf8` as a JSON string literal, quotes included, exactly as JSON.stringify writes the
/// same string: `"` and `\` escaped with a backslash; U+0008, U+000C, U+000A, U+000D, U+0009 as
/// `\b \f \n \r \t`; every other character below U+0020 as `\u00xx` (lowercase hex); everything
/// else raw: DEL (0x7F), U+2028/U+2029 and all non-ASCII characters are written as their UTF-8
/// bytes, unescaped. (JSON.stringify escapes lone surrogates as `\udxxx`; valid UTF-8 cannot
/// hold one, so that case cannot arise here.)
/// Errors: invalid_utf8 (`utf8` is not valid UTF-8; nothing useful was written, and the
/// encoders' measuring pass reports it before anything is).
template <class W>
error emit_string(W& w, std::string_view utf8) noexcept;

/// Writes `v` in decimal (what JSON.stringify writes for a safe integer; no limit here).
template <class W>
void emit_uint(W& w, std::uint64_t v) noexcept;

/// Writes `v` in decimal, with a leading '-' when negative (INT64_MIN included).
template <class W>
void emit_int(W& w, std::int64_t v) noexcept;

/// Writes `d` exactly as JSON.stringify writes a JavaScript number (ECMA-262 Number::toString
/// in radix 10): NaN and ±Infinity as `null`; -0 as `0`; otherwise the shortest decimal digits
/// that round-trip, closest to the value, laid out positionally when the decimal exponent n
/// (value = 0.d1d2... x 10^n) satisfies -6 < n <= 21 (`123456789012345680000`, `0.000001`)
/// and in exponent form otherwise (`1e+21`, `1e-7`, `1.5e+300`), the exponent always signed.
/// At most 25 bytes.
template <class W>
void emit_number(W& w, double d) noexcept;

/// Size of the JSON string literal emit_string() writes for `utf8`, quotes included.
/// @return the size (also offset()).
/// Errors: invalid_utf8 (offset of the first byte of the first invalid sequence).
result<std::size_t> string_size(std::string_view utf8) noexcept;

/// Writes the JSON string literal for `utf8` to `out`.
/// @return bytes written.
/// Errors: invalid_utf8 (as string_size; nothing written), output_too_small (cap smaller than
/// string_size(); nothing written; offset() is cap).
result<std::size_t> encode_string_to(char* out, std::size_t cap, std::string_view utf8) noexcept;

/// Appends the JSON string literal for `utf8` to `out` (any resizable byte container; exactly
/// one resize, none on error).
/// Errors: invalid_utf8 (as string_size).
template <class C>
result<std::size_t> encode_string(std::string_view utf8, C& out);

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

// emit_string with the offset of the bad byte reported through `bad` on invalid_utf8.
template <class W>
error emit_string_at(W& w, std::string_view utf8, std::size_t& bad) noexcept {
  static constexpr char hex[] = "0123456789abcdef";
  const char* const begin = utf8.data();
  const char* const end = begin + utf8.size();
  const char* run = begin;  // start of bytes not yet written: they need no escaping
  const char* p = begin;
  w.put('"');
  for (;;) {
    p = scan_string(p, end);
    if (p == end) break;
    const auto c = static_cast<unsigned char>(*p);
    if (c >= 0x80) {
      // Non-ASCII stays raw: check the sequence and keep it in the current run.
      const std::size_t len = ::SIOCODEC_NAMESPACE::detail::utf8_sequence_length(
          reinterpret_cast<const unsigned char*>(p), reinterpret_cast<const unsigned char*>(end));
      if (len == 0) {
        bad = static_cast<std::size_t>(p - begin);
        return error::invalid_utf8;
      }
      p += len;
      continue;
    }
    if (p != run) w.append(run, static_cast<std::size_t>(p - run));
    char esc = 0;
    switch (c) {
      case '"': esc = '"'; break;
      case '\\': esc = '\\'; break;
      case '\b': esc = 'b'; break;
      case '\f': esc = 'f'; break;
      case '\n': esc = 'n'; break;
      case '\r': esc = 'r'; break;
      case '\t': esc = 't'; break;
      default: break;
    }
    if (esc != 0) {
      w.put('\\');
      w.put(esc);
    } else {
      w.append("\\u00", 4);
      w.put(hex[c >> 4]);
      w.put(hex[c & 0xF]);
    }
    run = ++p;
  }
  if (end != run) w.append(run, static_cast<std::size_t>(end - run));
  w.put('"');
  return error::none;
}

// Decimal digits of v, written right-aligned to end at `end`; returns the first digit.
inline char* format_uint(std::uint64_t v, char* end) noexcept {
  char* p = end;
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  return p;
}

// The fast path of format_number for a positive d with at most 9 decimals and fewer than 2^50
// units of its last decimal (591.347, 12, 0.5: most numbers programs send): finds the fewest
// decimals j for which d == i / 10^j, and writes i with the point j places from the right.
// Returns 0 when d is not such a number.
//
// Why this is exactly the shortest round-trip form ECMA-262 asks for: i and 10^j are exact
// doubles, so i / 10^j is the correctly rounded quotient, the same double a correctly rounding
// parser makes of the text; so the text round-trips. With i < 2^50 the product d * 10^j is within
// 0.5 of the digits of any j-decimal text that round-trips, so the first j that works gives the
// fewest digits; the decimal step 10^-j is then wider than d's spacing, so only one text of that
// length round-trips and there is no closest-of-two to choose. d >= 1e-6 keeps the positional
// layout (-6 < n <= 21) that this writes.
inline std::size_t format_short_decimal(double d, char* out) noexcept {
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
  constexpr double pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
  constexpr double limit = 1125899906842624.0;  // 2^50
  if (!(d >= 1e-6)) return 0;
  for (int j = 0; j < 10; ++j) {
    const double m = d * pow10[j];
    if (!(m < limit)) return 0;
    // m is in [0, 2^50): m + 0.5 is exact there and truncation rounds half up, as wanted;
    // std::llround would be a library call on this hot path.
    const auto i = static_cast<std::uint64_t>(m + 0.5);  // NOLINT(bugprone-incorrect-roundings)
    if (static_cast<double>(i) / pow10[j] != d) continue;
    char buf[24];
    char* const bend = buf + sizeof buf;
    char* first = format_uint(i, bend);
    char* o = out;
    const auto digits = static_cast<int>(bend - first);
    if (j == 0) {
      std::memcpy(o, first, static_cast<std::size_t>(digits));
      return static_cast<std::size_t>(digits);
    }
    if (digits <= j) {  // 0.000ddd
      *o++ = '0';
      *o++ = '.';
      for (int z = digits; z < j; ++z) *o++ = '0';
      std::memcpy(o, first, static_cast<std::size_t>(digits));
      o += digits;
    } else {
      const auto whole = static_cast<std::size_t>(digits - j);
      std::memcpy(o, first, whole);
      o += whole;
      *o++ = '.';
      std::memcpy(o, first + whole, static_cast<std::size_t>(j));
      o += j;
    }
    return static_cast<std::size_t>(o - out);
  }
#else
  (void)d;
  (void)out;
#endif
  return 0;
}

// Formats like ECMA-262 Number::toString(10) into out (>= 32 bytes); returns the length.
inline std::size_t format_number(double d, char* out) noexcept {
  if (!std::isfinite(d)) {
    std::memcpy(out, "null", 4);
    return 4;
  }
  if (d == 0) {  // +0 and -0
    out[0] = '0';
    return 1;
  }
  if (d < 0) {
    out[0] = '-';
    if (const std::size_t n = format_short_decimal(-d, out + 1)) return n + 1;
  } else if (const std::size_t n = format_short_decimal(d, out)) {
    return n;
  }
  // std::to_chars without a precision gives the shortest digits that round-trip, the closest
  // to the value when several are that short: the digits ECMA-262 asks for. Only the layout
  // differs ("1.5e+300", "1e-07"), so we read the digits and exponent back and lay them out.
  char sci[40];
  const std::to_chars_result r =
      std::to_chars(sci, sci + sizeof sci, d, std::chars_format::scientific);
  const char* p = sci;
  char* o = out;
  if (*p == '-') {
    *o++ = '-';
    ++p;
  }
  char digits[20];
  int k = 0;
  for (; p != r.ptr && *p != 'e'; ++p) {
    if (*p != '.') digits[k++] = *p;
  }
  ++p;  // 'e'
  const bool eneg = *p == '-';
  ++p;  // sign, always present in to_chars' scientific form
  int e = 0;
  for (; p != r.ptr; ++p) e = e * 10 + (*p - '0');
  if (eneg) e = -e;
  const int n = e + 1;  // value = 0.d1...dk x 10^n
  const auto copy = [&o](const char* s, int len) {
    if (len > 0) std::memcpy(o, s, static_cast<std::size_t>(len));
    o += len;
  };
  if (k <= n && n <= 21) {
    copy(digits, k);
    for (int i = k; i < n; ++i) *o++ = '0';
  } else if (0 < n && n <= 21) {
    copy(digits, n);
    *o++ = '.';
    copy(digits + n, k - n);
  } else if (-6 < n && n <= 0) {
    *o++ = '0';
    *o++ = '.';
    for (int i = n; i < 0; ++i) *o++ = '0';
    copy(digits, k);
  } else {
    *o++ = digits[0];
    if (k > 1) {
      *o++ = '.';
      copy(digits + 1, k - 1);
    }
    *o++ = 'e';
    int x = n - 1;
    *o++ = x < 0 ? '-' : '+';
    if (x < 0) x = -x;
    char rev[4];
    int m = 0;
    do {
      rev[m++] = static_cast<char>('0' + x % 10);
      x /= 10;
    } while (x != 0);
    while (m != 0) *o++ = rev[--m];
  }
  return static_cast<std::size_t>(o - out);
}

}  // namespace detail

template <class W>
SIOCODEC_ALWAYS_INLINE error emit_string(W& w, std::string_view utf8) noexcept {
  // Most strings are plain ASCII with nothing to escape: one scan, then a single copy, inline.
  const char* const end = utf8.data() + utf8.size();
  if (SIOCODEC_LIKELY(detail::scan_string(utf8.data(), end) == end)) {
    w.put('"');
    w.append(utf8.data(), utf8.size());
    w.put('"');
    return error::none;
  }
  std::size_t bad = 0;
  return detail::emit_string_at(w, utf8, bad);
}

template <class W>
void emit_uint(W& w, std::uint64_t v) noexcept {
  char buf[20];
  const char* first = detail::format_uint(v, buf + sizeof buf);
  w.append(first, static_cast<std::size_t>(buf + sizeof buf - first));
}

template <class W>
void emit_int(W& w, std::int64_t v) noexcept {
  char buf[21];
  // The magnitude in unsigned arithmetic: -INT64_MIN overflows int64.
  const std::uint64_t mag =
      v < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
  char* first = detail::format_uint(mag, buf + sizeof buf);
  if (v < 0) *--first = '-';
  w.append(first, static_cast<std::size_t>(buf + sizeof buf - first));
}

template <class W>
void emit_number(W& w, double d) noexcept {
  char buf[32];
  w.append(buf, detail::format_number(d, buf));
}

inline result<std::size_t> string_size(std::string_view utf8) noexcept {
  ::SIOCODEC_NAMESPACE::detail::size_counter c;
  std::size_t bad = 0;
  const error e = detail::emit_string_at(c, utf8, bad);
  if (e != error::none) return {e, bad};
  return {c.n, c.n};
}

inline result<std::size_t> encode_string_to(char* out, std::size_t cap,
                                            std::string_view utf8) noexcept {
  const result<std::size_t> size = string_size(utf8);
  if (!size) return size;
  if (*size > cap) return {error::output_too_small, cap};
  ::SIOCODEC_NAMESPACE::detail::buffer_writer w{out};
  (void)emit_string(w, utf8);
  return size;
}

template <class C>
result<std::size_t> encode_string(std::string_view utf8, C& out) {
  static_assert(is_resizable_buffer<C>::value,
                "encode_string() needs a resizable container of one-byte elements");
  const result<std::size_t> size = string_size(utf8);
  if (!size) return size;
  const std::size_t old = out.size();
  out.resize(old + *size);  // the one allocation
  ::SIOCODEC_NAMESPACE::detail::buffer_writer w{reinterpret_cast<char*>(out.data()) + old};
  (void)emit_string(w, utf8);
  return size;
}

}  // namespace json
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_JSON_WRITE_HPP
