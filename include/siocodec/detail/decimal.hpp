// SPDX-License-Identifier: BSL-1.0
// Exact decimal <-> double conversions in little code, for SIOCODEC_SIZE_FIRST (config.hpp):
// std::from_chars(double) and std::to_chars(double) bring libstdc++'s fast_float and Ryu tables
// with them (about 14 KB and 120 KB on Cortex-M4), these need a few hundred bytes of tables
// and a big integer on the stack instead. Both are exact, so their results are those of the
// standard functions (tests/unit/json/decimal_test.cpp compares them on every build); they are
// slower (tens of microseconds, not tens of nanoseconds), which only numbers off the writer's
// and reader's fast paths pay.
#ifndef SIOCODEC_DETAIL_DECIMAL_HPP
#define SIOCODEC_DETAIL_DECIMAL_HPP

#include <siocodec/config.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

SIOCODEC_BEGIN_NAMESPACE
namespace detail {

// An unsigned integer of up to 4096 bits, 32-bit limbs, least significant first; `n` limbs in
// use, the top one nonzero (0 has n == 0). 4096 bits hold every value the conversions below
// make: at most 10^1125 x 2^60 when parsing, 2^1130 when printing.
struct big_uint {
  static constexpr int capacity = 128;
  std::uint32_t w[capacity];
  int n = 0;

  void set(std::uint64_t v) noexcept {
    w[0] = static_cast<std::uint32_t>(v);
    w[1] = static_cast<std::uint32_t>(v >> 32);
    n = w[1] != 0 ? 2 : (w[0] != 0 ? 1 : 0);
  }
  // *this = *this * m + add.
  void mul_add(std::uint32_t m, std::uint32_t add) noexcept {
    std::uint64_t carry = add;
    for (int i = 0; i < n; ++i) {
      const std::uint64_t t = std::uint64_t{w[i]} * m + carry;
      w[i] = static_cast<std::uint32_t>(t);
      carry = t >> 32;
    }
    if (carry != 0 && n < capacity) w[n++] = static_cast<std::uint32_t>(carry);
  }
  void mul_pow10(unsigned e) noexcept {
    for (; e >= 9; e -= 9) mul_add(1000000000u, 0);
    std::uint32_t p = 1;
    for (; e != 0; --e) p *= 10;
    mul_add(p, 0);
  }
  void shl(unsigned bits) noexcept {
    if (n == 0) return;
    const int limbs = static_cast<int>(bits / 32);
    const unsigned b = bits % 32;
    int top = n + limbs;
    if (top >= capacity) top = capacity - 1;  // never reached: see capacity
    w[top] = 0;
    for (int i = top - 1; i >= limbs; --i) {
      const std::uint32_t x = w[i - limbs];
      if (b != 0) w[i + 1] |= x >> (32 - b);
      w[i] = b != 0 ? x << b : x;
    }
    for (int i = 0; i < limbs; ++i) w[i] = 0;
    n = top + 1;
    trim();
  }
  void shr1() noexcept {
    for (int i = 0; i < n; ++i) w[i] = (w[i] >> 1) | (i + 1 < n ? w[i + 1] << 31 : 0);
    trim();
  }
  void trim() noexcept {
    while (n > 0 && w[n - 1] == 0) --n;
  }
  unsigned bit_length() const noexcept {
    if (n == 0) return 0;
    unsigned b = 0;
    for (std::uint32_t t = w[n - 1]; t != 0; t >>= 1) ++b;
    return static_cast<unsigned>(n - 1) * 32 + b;
  }
  // *this -= o; precondition: *this >= o.
  void sub(const big_uint& o) noexcept {
    std::int64_t borrow = 0;
    for (int i = 0; i < n; ++i) {
      const std::int64_t t = std::int64_t{w[i]} - (i < o.n ? std::int64_t{o.w[i]} : 0) - borrow;
      borrow = t < 0 ? 1 : 0;
      w[i] = static_cast<std::uint32_t>(t + (borrow << 32));
    }
    trim();
  }
};

// -1, 0 or 1 as a + b (b may be nothing) compares with c.
inline int big_compare_sum(const big_uint& a, const big_uint* b, const big_uint& c) noexcept {
  // The sum's limbs from the top, compared as they are formed; a carry from below can only
  // be known after the lower limbs, so the sum is formed first (at most one limb longer).
  std::uint32_t s[big_uint::capacity + 1];
  int n = a.n > (b ? b->n : 0) ? a.n : (b ? b->n : 0);
  std::uint64_t carry = 0;
  for (int i = 0; i < n; ++i) {
    const std::uint64_t t =
        std::uint64_t{i < a.n ? a.w[i] : 0u} + (b && i < b->n ? b->w[i] : 0u) + carry;
    s[i] = static_cast<std::uint32_t>(t);
    carry = t >> 32;
  }
  if (carry != 0) s[n++] = static_cast<std::uint32_t>(carry);
  if (n != c.n) return n < c.n ? -1 : 1;
  for (int i = n - 1; i >= 0; --i) {
    if (s[i] != c.w[i]) return s[i] < c.w[i] ? -1 : 1;
  }
  return 0;
}

// The double nearest to (q + a little when `sticky`) x 2^x, ties to even: IEEE-754 rounding,
// with overflow to infinity and gradual underflow. q != 0.
inline double round_to_double(std::uint64_t q, int x, bool sticky) noexcept {
  int bits = 0;
  for (std::uint64_t t = q; t != 0; t >>= 1) ++bits;
  int drop = bits - 53;
  if (x + drop < -1074) drop = -1074 - x;  // below the normals: fewer bits kept
  if (drop >= 64) return 0.0;              // below half the smallest denormal
  if (drop > 0) {
    const std::uint64_t rest = q & ((std::uint64_t{1} << drop) - 1);
    const std::uint64_t half = std::uint64_t{1} << (drop - 1);
    q >>= drop;
    x += drop;
    if (rest > half || (rest == half && (sticky || (q & 1) != 0))) ++q;
  }
  if (q == 0) return 0.0;
  // q x 2^x, exactly (q <= 2^53), by the exponent field: no ldexp.
  int bl = 0;
  for (std::uint64_t t = q; t != 0; t >>= 1) ++bl;
  if (bl == 54) {  // rounded up to 2^53
    q >>= 1;
    ++x;
    bl = 53;
  }
  const int e = x + bl - 1;  // the value's binary exponent
  if (e > 1023) return std::numeric_limits<double>::infinity();
  std::uint64_t rep;
  if (e < -1022) {
    rep = q << (x + 1074);  // a denormal: the field holds q x 2^(x + 1074)
  } else {
    rep = ((q << (53 - bl)) & ((std::uint64_t{1} << 52) - 1)) |
          (static_cast<std::uint64_t>(e + 1023) << 52);
  }
  double d;
  std::memcpy(&d, &rep, sizeof d);
  return d;
}

// The value of the JSON number text [p, end) (the grammar already checked: -?int frac? exp?),
// correctly rounded as std::from_chars rounds it; magnitudes beyond the doubles give infinity,
// below half the smallest denormal zero (signed), as JavaScript's Number() does.
inline double parse_double(const char* p, const char* end) noexcept {
  const bool negative = *p == '-';
  if (negative) ++p;
  // Significant digits, at most 800 of them: past 767 digits no digit but the first nonzero one
  // can change the rounding, and it is kept as a final 1 (sticky).
  constexpr int max_digits = 800;
  std::uint64_t small = 0;  // the first 19 digits, the fast path's
  int count = 0;
  bool dropped_nonzero = false;
  long long exp10 = 0;  // value = digits x 10^exp10
  big_uint d;
  d.n = 0;
  bool in_fraction = false;
  for (; p != end && *p != 'e' && *p != 'E'; ++p) {
    if (*p == '.') {
      in_fraction = true;
      continue;
    }
    const auto digit = static_cast<std::uint32_t>(*p - '0');
    if (count == 0 && digit == 0) {
      if (in_fraction) --exp10;
      continue;
    }
    if (count < max_digits) {
      if (count < 19) small = small * 10 + digit;
      d.mul_add(10, digit);  // the first (nonzero) digit: the carry becomes the first limb
      ++count;
      if (in_fraction) --exp10;
    } else {
      if (digit != 0) dropped_nonzero = true;
      if (!in_fraction) ++exp10;
    }
  }
  if (p != end) {  // the exponent
    ++p;
    const bool eneg = *p == '-';
    if (*p == '-' || *p == '+') ++p;
    long long e = 0;
    for (; p != end; ++p) {
      if (e < 100000000) e = e * 10 + (*p - '0');  // saturates far beyond any double
    }
    exp10 += eneg ? -e : e;
  }
  double mag = 0;
  if (count == 0 || count + exp10 < -324) {  // zero, or below half the smallest denormal
    mag = 0;
  } else if (count + exp10 > 310) {
    mag = std::numeric_limits<double>::infinity();
  } else if (count <= 15 && !dropped_nonzero && exp10 >= -22 && exp10 <= 22) {
    // Clinger's fast path: both operands exact, so one correctly rounded operation.
    double p10 = 1;
    for (long long i = exp10 < 0 ? -exp10 : exp10; i != 0; --i) p10 *= 10;
    const auto v = static_cast<double>(small);
    mag = exp10 < 0 ? v / p10 : v * p10;
  } else {
    if (dropped_nonzero) {
      d.mul_add(10, 1);
      --exp10;
    }
    // value = r / s x 2^-k, with the quotient q = floor(r / s) in [2^56, 2^58).
    big_uint s;
    s.set(1);
    if (exp10 >= 0) {
      d.mul_pow10(static_cast<unsigned>(exp10));
    } else {
      s.mul_pow10(static_cast<unsigned>(-exp10));
    }
    const int k = 57 + static_cast<int>(s.bit_length()) - static_cast<int>(d.bit_length());
    if (k >= 0) {
      d.shl(static_cast<unsigned>(k));
    } else {
      s.shl(static_cast<unsigned>(-k));
    }
    s.shl(57);
    std::uint64_t q = 0;
    for (int i = 57; i >= 0; --i) {
      if (big_compare_sum(d, nullptr, s) >= 0) {
        d.sub(s);
        q |= std::uint64_t{1} << i;
      }
      s.shr1();
    }
    mag = round_to_double(q, -k, d.n != 0);
  }
  return negative ? -mag : mag;
}

// 10^e correctly rounded (what glibc's pow(10.0, e) returns: decimal_test.cpp checks every e
// from -400 to 400), without pow: through parse_double.
inline double pow10_double(int e) noexcept {
  char text[16] = {'1', 'e'};
  char* p = text + 2;
  unsigned m = e < 0 ? 0u - static_cast<unsigned>(e) : static_cast<unsigned>(e);
  if (e < 0) *p++ = '-';
  char rev[12];
  int k = 0;
  do {
    rev[k++] = static_cast<char>('0' + m % 10);
    m /= 10;
  } while (m != 0);
  while (k != 0) *p++ = rev[--k];
  return parse_double(text, p);
}

// The shortest decimal digits that read back as the positive finite double v (as
// std::to_chars(v) writes them; of several, the closest to v, then the even one): writes them
// to `digits` (at most 17) and returns their count; `point` gets n with v = 0.d1d2... x 10^n.
// Steele and White's / Burger and Dybvig's free-format algorithm, in exact integers.
inline int shortest_digits(double v, char* digits, int& point) noexcept {
  std::uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  const int field = static_cast<int>((bits >> 52) & 0x7FF);
  std::uint64_t f = bits & ((std::uint64_t{1} << 52) - 1);
  int e;
  if (field == 0) {
    e = -1074;
  } else {
    f |= std::uint64_t{1} << 52;
    e = field - 1075;
  }
  const bool even = (f & 1) == 0;
  // Below a power of two the next double down is half as far as the next one up.
  const bool lopsided = field > 1 && (bits & ((std::uint64_t{1} << 52) - 1)) == 0;
  // v = r / s; the halfway points to the neighbours are (r - m_minus) / s and (r + m_plus) / s.
  big_uint r, s, mp, mm;
  r.set(f);
  s.set(1);
  mp.set(1);
  mm.set(1);
  if (e >= 0) {
    r.shl(static_cast<unsigned>(e) + (lopsided ? 2 : 1));
    s.set(lopsided ? 4 : 2);
    mp.shl(static_cast<unsigned>(e) + (lopsided ? 1 : 0));
    mm.shl(static_cast<unsigned>(e));
  } else {
    r.shl(lopsided ? 2 : 1);
    s.shl(static_cast<unsigned>(-e) + (lopsided ? 2 : 1));
    if (lopsided) mp.set(2);
  }
  // n, first estimated from the binary exponent: floor(x log10(2)) + 1 for v in [2^x, 2^x+1),
  // where 78913 / 2^18 is log10(2) closely enough for |x| <= 1650 (Ryu's log10Pow2); too
  // small by at most one, which the test below corrects.
  int bl = 0;
  for (std::uint64_t t = f; t != 0; t >>= 1) ++bl;
  const long x = e + bl - 1;
  const long fl = x >= 0 ? (x * 78913) >> 18 : -((-x * 78913 + (1 << 18) - 1) >> 18);
  int n = static_cast<int>(fl) + 1;
  if (n >= 0) {
    s.mul_pow10(static_cast<unsigned>(n));
  } else {
    r.mul_pow10(static_cast<unsigned>(-n));
    mp.mul_pow10(static_cast<unsigned>(-n));
    mm.mul_pow10(static_cast<unsigned>(-n));
  }
  const int high = big_compare_sum(r, &mp, s);
  if (even ? high >= 0 : high > 0) {
    ++n;
    s.mul_add(10, 0);
  }
  point = n;
  int count = 0;
  for (;;) {
    r.mul_add(10, 0);
    mp.mul_add(10, 0);
    mm.mul_add(10, 0);
    int digit = 0;
    while (big_compare_sum(r, nullptr, s) >= 0) {
      r.sub(s);
      ++digit;
    }
    const int low_cmp = big_compare_sum(r, nullptr, mm);  // r vs m_minus
    const int high_cmp = big_compare_sum(r, &mp, s);      // r + m_plus vs s
    const bool low = even ? low_cmp <= 0 : low_cmp < 0;
    const bool up = even ? high_cmp >= 0 : high_cmp > 0;
    if (!low && !up) {
      digits[count++] = static_cast<char>('0' + digit);
      continue;
    }
    if (low && up) {
      // Both neighbours read back: the closer one, the even one on a tie.
      const int half = big_compare_sum(r, &r, s);  // 2r vs s
      if (half > 0 || (half == 0 && (digit & 1) != 0)) ++digit;
    } else if (up) {
      ++digit;
    }
    digits[count++] = static_cast<char>('0' + digit);
    return count;
  }
}

}  // namespace detail
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_DETAIL_DECIMAL_HPP
