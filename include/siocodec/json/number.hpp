// SPDX-License-Identifier: BSL-1.0
// Numbers as JSON.stringify writes them: integers in decimal, doubles as ECMA-262
// Number::toString(10) (shortest round-trip digits).
#ifndef SIOCODEC_JSON_NUMBER_HPP
#define SIOCODEC_JSON_NUMBER_HPP

#include <siocodec/config.hpp>

#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

// Only size-first builds use it: the others do not parse its big-integer code.
#if SIOCODEC_SIZE_FIRST
#include <siocodec/detail/decimal.hpp>
#endif

SIOCODEC_BEGIN_NAMESPACE
namespace json {

// The emit_* functions write through an encoder's writer `w` (sink.hpp: detail::size_counter or
// detail::buffer_writer), so an encoder's emit() can call them in both of its passes.

/// Writes `d` exactly as JSON.stringify writes a JavaScript number (ECMA-262 Number::toString
/// in radix 10): NaN and ±Infinity as `null`; -0 as `0`; otherwise the shortest decimal digits
/// that round-trip, closest to the value, laid out positionally when the decimal exponent n
/// (value = 0.d1d2... x 10^n) satisfies -6 < n <= 21 (`123456789012345680000`, `0.000001`)
/// and in exponent form otherwise (`1e+21`, `1e-7`, `1.5e+300`), the exponent always signed.
/// At most 25 bytes.
template <class W>
void emit_number(W& w, double d) noexcept;

/// Writes `v` in decimal (what JSON.stringify writes for a safe integer; no limit here), the
/// signed one with a leading '-' when negative (INT64_MIN included).
template <class W>
void emit_uint(W& w, std::uint64_t v) noexcept;
template <class W>
void emit_int(W& w, std::int64_t v) noexcept;

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

// "00" "01" ... "99": two digits per step halves the divisions of decimal formatting.
inline constexpr char digit_pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// Writes the last `count` decimal digits of v (zero-padded) to end the text at `end`.
SIOCODEC_ALWAYS_INLINE void write_fixed_digits(std::uint64_t v, char* end, int count) noexcept {
  for (; count >= 2; count -= 2) {
    const auto r = static_cast<std::size_t>(v % 100) * 2;
    v /= 100;
    end -= 2;
    std::memcpy(end, digit_pairs + r, 2);
  }
  if (count != 0) end[-1] = static_cast<char>('0' + v % 10);
}

// Number of decimal digits of v (1 for 0).
SIOCODEC_ALWAYS_INLINE int decimal_digits(std::uint64_t v) noexcept {
  int n = 1;
  for (;;) {
    if (v < 10) return n;
    if (v < 100) return n + 1;
    if (v < 1000) return n + 2;
    if (v < 10000) return n + 3;
    v /= 10000;
    n += 4;
  }
}

// Decimal digits of v, written right-aligned to end at `end`; returns the first digit.
inline char* format_uint(std::uint64_t v, char* end) noexcept {
  char* p = end;
  while (v >= 100) {
    const auto r = static_cast<std::size_t>(v % 100) * 2;
    v /= 100;
    p -= 2;
    std::memcpy(p, digit_pairs + r, 2);
  }
  if (v >= 10) {
    p -= 2;
    std::memcpy(p, digit_pairs + v * 2, 2);
  } else {
    *--p = static_cast<char>('0' + v);
  }
  return p;
}

// The decimal text of each of 0 to 999, four bytes an entry, so that write_uint and
// format_number copy small values with one load and one store instead of dividing: `text`
// holds the digits without leading zeros, then (in its last byte) their count; `padded` holds
// all three digits, zero-padded, then the count left without the trailing '0' digits (0 for 0).
#if !SIOCODEC_SIZE_FIRST
struct three_digit_table {
  char text[1000][4];
  char padded[1000][4];
  constexpr three_digit_table() noexcept : text(), padded() {
    for (int v = 0; v < 1000; ++v) {
      const char d[3] = {static_cast<char>('0' + v / 100), static_cast<char>('0' + v / 10 % 10),
                         static_cast<char>('0' + v % 10)};
      const int len = v >= 100 ? 3 : (v >= 10 ? 2 : 1);
      for (int i = 0; i < len; ++i) text[v][i] = d[3 - len + i];
      text[v][3] = static_cast<char>(len);
      int kept = 3;
      while (kept != 0 && d[kept - 1] == '0') --kept;
      for (int i = 0; i < 3; ++i) padded[v][i] = d[i];
      padded[v][3] = static_cast<char>(kept);
    }
  }
};
inline constexpr three_digit_table three_digits{};
#endif

// Writes v in decimal at `out` (room for 20 bytes checked by the caller); returns the end.
// Small values, the common case of ids, counts and coordinates, take one or two table copies
// (which may write up to 3 bytes past the end, within the room).
SIOCODEC_ALWAYS_INLINE char* write_uint(std::uint64_t v, char* out) noexcept {
#if !SIOCODEC_SIZE_FIRST  // size first: no 8 KB table, the two-digit loop of format_uint
  if (v < 1000) {
    const char* t = three_digits.text[v];
    std::memcpy(out, t, 4);
    return out + t[3];
  }
  if (v < 1000000) {
    const std::uint64_t hi = v / 1000;
    const char* t = three_digits.text[hi];
    std::memcpy(out, t, 4);
    out += t[3];
    std::memcpy(out, three_digits.padded[v - hi * 1000], 4);
    return out + 3;
  }
#endif
  char* const end = out + decimal_digits(v);
  (void)format_uint(v, end);
  return end;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
// The 8 decimal digits of v < 10^8, zero-padded, as ASCII bytes of a word in memory order.
// All lanes at once: 4+4 digits in the two 32-bit lanes, then 2-digit 16-bit lanes, then
// bytes; (x * 10486) >> 20 is x / 100 for x < 10^4 and (x * 103) >> 10 is x / 10 for x < 100.
SIOCODEC_ALWAYS_INLINE std::uint64_t eight_digits(std::uint64_t v) noexcept {
  std::uint64_t y = (v / 10000) | ((v % 10000) << 32);
  std::uint64_t q = ((y * 10486) >> 20) & 0x0000007F0000007Fu;
  y = ((y - q * 100) << 16) | q;
  q = ((y * 103) >> 10) & 0x000F000F000F000Fu;
  y = ((y - q * 10) << 8) | q;
  return y | 0x3030303030303030u;
}
#endif

// Writes the 16 decimal digits of v < 10^16, zero-padded, to out[0, 16) (out[16, 32) is
// cleared too, so that fixed-size copies past the digits read initialized bytes); returns the
// number of leading zeros (15 for 0) and sets *trailing to the number of trailing zeros among
// the last 9 digits (9 when they are all zero).
SIOCODEC_ALWAYS_INLINE int sixteen_digits(std::uint64_t v, char* out, int* trailing) noexcept {
  std::memset(out + 16, 0, 16);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  constexpr std::uint64_t zeros = 0x3030303030303030u;
  const std::uint64_t hi = v / 100000000;
  const std::uint64_t lo = eight_digits(v % 100000000);
  const std::uint64_t h = hi != 0 ? eight_digits(hi) : zeros;
  std::memcpy(out, &h, 8);
  std::memcpy(out + 8, &lo, 8);
  const std::uint64_t l = lo ^ zeros;  // digit values; the last digit is the top byte
  *trailing = l != 0 ? __builtin_clzll(l) >> 3 : 8 + (out[7] == '0' ? 1 : 0);
  if (h != zeros) return __builtin_ctzll(h ^ zeros) >> 3;
  return l == 0 ? 15 : 8 + (__builtin_ctzll(l) >> 3);
#else
  write_fixed_digits(v, out + 16, 16);
  int t = 0;
  while (t < 9 && out[15 - t] == '0') ++t;
  *trailing = t;
  int lead = 0;
  while (lead < 15 && out[lead] == '0') ++lead;
  return lead;
#endif
}

#if defined(__SIZEOF_INT128__)
__extension__ typedef unsigned __int128 uint128;  // GCC and Clang; -Wpedantic wants __extension__

// For a positive normal double d = M x 2^-s (2^52 <= M < 2^53, s >= 0) and a candidate i, whether
// i / p10 (p10 = 10^j) is a text that reads back as d: whether it lies in d's rounding interval.
// Exact integer arithmetic, scaled by 2^(s+1) x p10: the interval is 2M x p10 +- p10, except
// that below a power of two (M = 2^52) the next double down is half as far. Both ends count:
// at a midpoint round-half-even picks d, whose M is even there (an odd M excludes them).
inline bool reads_back(std::uint64_t i, std::uint64_t p10, std::uint64_t m, int s) noexcept {
  const uint128 t = static_cast<uint128>(i) << (s + 1);
  const uint128 c = static_cast<uint128>(m) * p10 * 2;
  if (t >= c) {
    const uint128 above = t - c;
    return above < p10 || (above == p10 && (m & 1) == 0);
  }
  const uint128 below = c - t;
  if (m == (std::uint64_t{1} << 52)) return below * 2 <= p10;
  return below < p10 || (below == p10 && (m & 1) == 0);
}
#endif

// The exactness test that all of format_number's fast paths rest on (its inline one for up to
// 3 decimals, format_short_decimal's for up to 9), so that its proof lives here only.
// For d >= 0 with d x p10 below 2^50 (p10 = 10^j, j <= 9), whether d has at most j decimals:
// sets i to d x 10^j rounded to an integer, and returns whether the text i x 10^-j reads back
// as d. One test is exact: below 2^50 the product d x p10 in doubles is within 1/8 of the
// exact one, so its nearest integer i is the only candidate (the product + 0.5 truncates to it,
// halves up; std::llround would be a library call on the hot path), and since i and p10 are
// exact doubles, i / p10 is the correctly rounded quotient: the same double a correctly
// rounding parser makes of the text. It decides every j' < j as well: a j' that works makes j
// work with i x 10^(j - j') (the same quotient, the same rounding, still the only candidate),
// so the fewest decimals are j minus the trailing zeros of i.
// (i is set even when the test fails, and the callers ignore it then: an early `return false`
// here makes g++ predict and lay out the callers' branches differently, at a cost of some
// 0.2% of the instructions of encoding number-heavy events.)
SIOCODEC_ALWAYS_INLINE bool exact_decimals(double d, double p10, std::uint64_t& i) noexcept {
  // Signed conversions, one instruction each way on x86-64.
  const auto si = static_cast<std::int64_t>(d * p10 + 0.5);  // NOLINT(bugprone-incorrect-roundings)
  i = static_cast<std::uint64_t>(si);
  return static_cast<double>(si) / p10 == d;
}

// The fast path of format_number for a positive d with at most 9 decimals and fewer than 2^53
// units of its last decimal (591.347, 12, 0.5, 1700000000000.123: most numbers programs send):
// finds the fewest decimals j for which some integer i reads back as d from i / 10^j, and
// writes i with the point j places from the right. Returns 0 when d is not such a number.
//
// Why this is exactly the shortest round-trip form ECMA-262 asks for: j-decimal texts i / 10^j
// that read back as d are the integers in d's rounding interval scaled by 10^j. While that
// scaled interval is narrower than 1 the only candidate is the integer nearest to d x 10^j;
// once it is wider, the last digits of the candidates at the first j that has any are all
// nonzero (a multiple of 10 would have been a candidate at j - 1) and they share their leading
// digit position (a power of ten in the interval would have come first), so they all have the
// fewest significant digits, and the one nearest to d x 10^j is the one ECMA-262 picks
// (the even one on a tie, as std::to_chars does).
//  - Below 2^50 units one double test decides it (exact_decimals, which has the argument).
//  - From 2^50 to 2^53 units (large values with decimals) the candidate and the check are done
//    in exact 128-bit integer arithmetic (reads_back), where available.
// d >= 1e-6 keeps the positional layout (-6 < n <= 21) that this writes.
SIOCODEC_ALWAYS_INLINE std::size_t format_short_decimal(double d, char* out) noexcept {
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
  static constexpr double pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
  constexpr double limit = 1125899906842624.0;  // 2^50
  if (!(d >= 1e-6)) return 0;
  if (d < limit / 1e9) {
    // Below 2^50 / 10^9 every j up to 9 stays below 2^50 units: one test at j = 9 decides them
    // all (exact_decimals), and the fewest decimals are 9 minus the trailing zeros of i.
    std::uint64_t i9 = 0;
    if (!exact_decimals(d, 1e9, i9)) return 0;
    char digits[32];  // i's 16 digits: 7 before the point, 9 after
    int trailing = 0;
    const int lead = sixteen_digits(i9, digits, &trailing);
    const int first = lead < 6 ? lead : 6;  // at least the "0" of "0.5"
    const int whole = 7 - first;
    std::memcpy(out, digits + first, 16);
    if (trailing >= 9) return static_cast<std::size_t>(whole);
    out[whole] = '.';
    std::memcpy(out + whole + 1, digits + 7, 16);
    return static_cast<std::size_t>(whole + 1 + 9 - trailing);
  }
  int j = 0;
  std::uint64_t i = 0;
  for (;; ++j) {
    if (j == 10) return 0;
    const double m = d * pow10[j];
    if (SIOCODEC_LIKELY(m < limit)) {
      if (exact_decimals(d, pow10[j], i)) break;
      continue;
    }
#if defined(__SIZEOF_INT128__)
    // Only here: 32-bit targets (no __int128) would see an unused variable.
    static constexpr std::uint64_t upow10[] = {1,      10,      100,      1000,      10000,
                                               100000, 1000000, 10000000, 100000000, 1000000000};
    if (!(m < 9007199254740992.0)) return 0;  // 2^53
    std::uint64_t bits;
    std::memcpy(&bits, &d, sizeof bits);
    const std::uint64_t mant = (bits & ((std::uint64_t{1} << 52) - 1)) | (std::uint64_t{1} << 52);
    // d < 2^53 here (m >= d), so its exponent is at most 0: d = mant x 2^-s.
    const int s = 1075 - static_cast<int>(bits >> 52);
    const uint128 x = static_cast<uint128>(mant) * upow10[j];  // d x 10^j x 2^s, exactly
    if (s == 0) {
      i = static_cast<std::uint64_t>(x);
    } else {
      const uint128 half = static_cast<uint128>(1) << (s - 1);
      const uint128 rest = x & ((half << 1) - 1);
      i = static_cast<std::uint64_t>(x >> s);
      if (rest > half || (rest == half && (i & 1) != 0)) ++i;  // nearest, ties to even
    }
    if (i >= (std::uint64_t{1} << 53)) return 0;
    if (reads_back(i, upow10[j], mant, s)) break;
    // Below a power of two the interval is lopsided and the nearest integer may miss it while
    // the next one up does not: leave that rare case to the general path.
    if (mant == (std::uint64_t{1} << 52)) return 0;
#else
    return 0;
#endif
  }
  // i < 2^53 has at most 16 digits: write all 16, zero-padded, then copy out the text with
  // fixed-size copies (no length-dependent loop or library call); the padding provides the
  // zeros of "0.000ddd". A text is at most 17 bytes, and all writes stay within them.
  char digits[32];
  int trailing = 0;
  const int lead = sixteen_digits(i, digits, &trailing);  // leading zeros
  if (j == 0) {
    const int n = 16 - lead;
    std::memcpy(out, digits + lead, 16);
    return static_cast<std::size_t>(n);
  }
  // At least one digit before the point ("0.5").
  const int len = 16 - lead > j ? 16 - lead : j + 1;
  const int whole = len - j;
  const char* const first = digits + 16 - len;
  char text[40];
  std::memcpy(text, first, 16);
  text[whole] = '.';
  std::memcpy(text + whole + 1, first + whole, 16);  // reads below digits + 32: whole <= len
  std::memcpy(out, text, 16);
  out[16] = text[16];
  return static_cast<std::size_t>(len) + 1;
#else
  (void)d;
  (void)out;
  return 0;
#endif
}

// format_number for everything format_short_decimal does not take: NaN, infinities, zeros, and
// numbers with many digits, very large or very small. Out of line, to keep the fast path lean.
SIOCODEC_NOINLINE
inline std::size_t format_number_general(double d, char* out) noexcept {
  if (!std::isfinite(d)) {
    std::memcpy(out, "null", 4);
    return 4;
  }
  if (d == 0) {  // +0 and -0
    out[0] = '0';
    return 1;
  }
  char* o = out;
#if SIOCODEC_SIZE_FIRST
  // The same digits as std::to_chars below, without its tables (detail/decimal.hpp).
  if (d < 0) *o++ = '-';
  char digits[20];
  int n = 0;  // value = 0.d1...dk x 10^n
  const int k = ::SIOCODEC_NAMESPACE::detail::shortest_digits(std::fabs(d), digits, n);
#else
  // std::to_chars without a precision gives the shortest digits that round-trip, the closest
  // to the value when several are that short: the digits ECMA-262 asks for. Only the layout
  // differs ("1.5e+300", "1e-07"), so we read the digits and exponent back and lay them out.
  char sci[40];
  const std::to_chars_result r =
      std::to_chars(sci, sci + sizeof sci, d, std::chars_format::scientific);
  const char* p = sci;
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
#endif
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

// format_number for everything its inline fast path does not take. Out of line, so that the
// fast path needs no stack frame.
SIOCODEC_NOINLINE
inline std::size_t format_number_rest(double d, char* out) noexcept {
  // One test sends zeros, NaN, infinities and numbers out of the fast path's range to the
  // general path; the sign costs no branch.
  const double a = std::fabs(d);
  if (SIOCODEC_LIKELY(a >= 1e-6 && a < 9007199254740992.0)) {
    out[0] = '-';
    const std::size_t neg = d < 0 ? 1 : 0;
    if (const std::size_t n = format_short_decimal(a, out + neg)) return n + neg;
  }
  return format_number_general(d, out);
}

// Formats like ECMA-262 Number::toString(10) into out (>= 32 bytes); returns the length.
SIOCODEC_ALWAYS_INLINE std::size_t format_number(double d, char* out) noexcept {
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
  // Most numbers programs send have at most 3 decimals (591.347, -0.5, 12, 0): below 2^50
  // thousandths one test at j = 3 decides every j <= 3 (exact_decimals), and the text is the
  // integer part, then a point and the three decimals less their trailing zeros: two table
  // copies, where format_short_decimal's 16-digit layout would cost more on this commonest case.
  // NaN fails the range test; zeros (both signs) write "0".
  const double a = std::fabs(d);
  if (SIOCODEC_LIKELY(a < 1125899906842624.0 / 1e3)) {  // 2^50 thousandths
    std::uint64_t i = 0;
    if (SIOCODEC_LIKELY(exact_decimals(a, 1e3, i))) {
      out[0] = '-';
      char* o = out + (d < 0 ? 1 : 0);
      const auto f = static_cast<std::size_t>(i % 1000);
      o = write_uint(i / 1000, o);
      if (f == 0) return static_cast<std::size_t>(o - out);
      // ".ddd" less its trailing zeros (f != 0: at least one digit stays).
      o[0] = '.';
#if SIOCODEC_SIZE_FIRST
      write_fixed_digits(f, o + 4, 3);
      const std::size_t kept = f % 10 != 0 ? 3 : (f % 100 != 0 ? 2 : 1);
#else
      const char* t = three_digits.padded[f];
      std::memcpy(o + 1, t, 4);
      const auto kept = static_cast<std::size_t>(static_cast<unsigned char>(t[3]));
#endif
      return static_cast<std::size_t>(o - out) + 1 + kept;
    }
  }
#endif
#if SIOCODEC_SIZE_FIRST
  // Without format_short_decimal's 1.4 KB: the general path writes the same text, slower.
  return format_number_general(d, out);
#else
  return format_number_rest(d, out);
#endif
}
}  // namespace detail

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

}  // namespace json
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_JSON_NUMBER_HPP
