// SPDX-License-Identifier: BSL-1.0
// Numbers written by the JSON writer, checked by property rather than by example: every double
// must come back exactly when parsed (round trip), with exactly the significant digits of
// std::to_chars' shortest form (the digits ECMA-262's Number::toString asks for), laid out as
// Number::toString lays them out. The writer has
// a fast path for short decimals (591.347, 1700000000000.123) that avoids std::to_chars; these
// runs cover it, its neighbours, its limits, its halfway and lopsided cases, and random doubles
// that must fall through to the general path.
#include <siocodec/json/json.hpp>

#include "support/catch.hpp"
#include "unit/json/number_text.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <system_error>

namespace {

// The significant digits of a number's text: no sign, point or exponent, no leading or
// trailing zeros ("0.00120" and "1.2e-3" both give "12").
std::string significant_digits(std::string_view text) {
  std::string digits;
  for (const char c : text) {
    if (c == 'e' || c == 'E') break;
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  const std::size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return "0";
  digits.erase(0, first);
  digits.erase(digits.find_last_not_of('0') + 1);
  return digits;
}

// ECMA-262 Number::toString(10) of a positive number from its shortest digits (no leading or
// trailing zeros) and n, where the value is 0.digits x 10^n (the spec's steps 6-10).
std::string ecma_layout(const std::string& digits, int n) {
  const int k = static_cast<int>(digits.size());
  if (k <= n && n <= 21) return digits + std::string(static_cast<std::size_t>(n - k), '0');
  if (0 < n && n <= 21) {
    return digits.substr(0, static_cast<std::size_t>(n)) + "." +
           digits.substr(static_cast<std::size_t>(n));
  }
  if (-6 < n && n <= 0) return "0." + std::string(static_cast<std::size_t>(-n), '0') + digits;
  const int e = n - 1;
  std::string out = digits.substr(0, 1);
  if (k > 1) out += "." + digits.substr(1);
  return out + "e" + (e < 0 ? "-" : "+") + std::to_string(e < 0 ? -e : e);
}

// Checks one finite double; returns false (with the details in the failure) when it fails.
bool check_number(double d) {
  const std::string text = siocodec_test::number_text(d);
  char shortest[64];
  const std::to_chars_result r =
      std::to_chars(shortest, shortest + sizeof shortest, d, std::chars_format::scientific);
  REQUIRE(r.ec == std::errc());
  const std::string want =
      significant_digits(std::string_view(shortest, static_cast<std::size_t>(r.ptr - shortest)));
  const double back = std::strtod(text.c_str(), nullptr);
  const bool same_value = back == d && std::signbit(back) == std::signbit(d);
  // -0 is written "0", as JSON.stringify(-0) is.
  // The layout, from to_chars' exponent: "d.ddde+XX" means 0.dddd x 10^(XX + 1).
  const char* e = std::find(shortest, r.ptr, 'e');
  const int exp10 =
      e == r.ptr ? 0 : std::atoi(std::string(e + 1, static_cast<const char*>(r.ptr)).c_str());
  const std::string layout = (d < 0 ? "-" : "") + ecma_layout(want, exp10 + 1);
  const bool ok = d == 0 ? text == "0" : same_value && text == layout;
  if (!ok) {
    INFO("value " << std::string(shortest, r.ptr) << " written as " << text << ", expected "
                  << layout);
    CHECK(ok);
  }
  return ok;
}

}  // namespace

TEST_CASE("every number written round-trips with the shortest digits") {
  std::mt19937_64 rng(20261126);
  std::size_t failures = 0;
  const auto check = [&failures](double d) {
    if (!check_number(d)) ++failures;
    REQUIRE(failures < 20);  // enough to diagnose, not a flood
  };
  constexpr double pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11};

  SECTION("short decimals (i / 10^j), their neighbours and their negatives") {
    for (int n = 0; n < 60000; ++n) {
      // i up to about 2^53, biased towards small values as real data is.
      const int bits = static_cast<int>(rng() % 54);
      const std::uint64_t i = bits == 0 ? 0 : rng() >> (64 - bits);
      const double d = static_cast<double>(i) / pow10[rng() % 12];
      for (const double x : {d, std::nextafter(d, 0.0), std::nextafter(d, 1e300)}) {
        check(x);
        check(-x);
      }
    }
  }

  SECTION("the fast path's limits: 1e-6, 2^50 units, nine decimals, 1e21") {
    const double edges[] = {1e-6,
                            1e-7,
                            0.000001234,
                            0.0000012345678,
                            1125899906842624.0,
                            1125899906842623.0,
                            1125899906842625.0,
                            112589990684262.4,
                            0.123456789,
                            0.1234567891,
                            123456789.123456789,
                            1e21,
                            1e20,
                            999999999999999900000.0,
                            0.1 + 0.2,
                            1.0 / 3.0,
                            5e-324,
                            std::numeric_limits<double>::max(),
                            4503599627370496.5};
    for (const double e : edges) {
      for (const double x : {e, std::nextafter(e, 0.0), std::nextafter(e, 1e308)}) {
        check(x);
        check(-x);
      }
    }
  }

  SECTION("large values with decimals (the 128-bit check: 2^50 to 2^53 units)") {
    // Millisecond timestamps with fractions, and values whose last decimal lands in [2^50, 2^53).
    for (int n = 0; n < 40000; ++n) {
      const int j = 1 + static_cast<int>(rng() % 9);
      const std::uint64_t units = (std::uint64_t{1} << 50) + rng() % (std::uint64_t{7} << 50);
      const double d = static_cast<double>(units) / pow10[j];
      for (const double x : {d, std::nextafter(d, 0.0), std::nextafter(d, 1e300)}) {
        check(x);
        check(-x);
      }
      check(1700000000000.0 + static_cast<double>(rng() % 1000) / 1000.0);
      check(static_cast<double>(rng() % 100000000000000) / 1000.0);
    }
  }

  SECTION("halfway and lopsided cases: quarters near 2^51, powers of two") {
    // M / 4 near 2^51 lies halfway between two one-decimal texts (x.2 and x.3 for x.25); both
    // read back, and the even one must be chosen, as std::to_chars does.
    for (int n = 0; n < 20000; ++n) {
      const std::uint64_t m = (std::uint64_t{1} << 52) | (rng() & ((std::uint64_t{1} << 52) - 1));
      for (const int e : {-1, -2, -3, -4, -5, -6, -8, -10, -20, -30, -40}) {
        check(std::ldexp(static_cast<double>(m), e));
      }
    }
    // Below a power of two the next double down is half as far: the rounding interval is
    // lopsided.
    for (int e = -40; e <= 60; ++e) {
      const double p = std::ldexp(1.0, e);
      for (const double x : {p, std::nextafter(p, 0.0), std::nextafter(p, 1e300)}) {
        check(x);
        check(-x);
      }
    }
  }

  SECTION("the one-test range (below 2^50 / 10^9) and its edges") {
    for (int n = 0; n < 60000; ++n) {
      // i / 10^j for j <= 9 below 1125899.906842624, plus values near powers of ten.
      const int j = static_cast<int>(rng() % 10);
      const double d = static_cast<double>(rng() % 1125899906842624) / pow10[j] / 1e9 * pow10[j];
      check(d);
      check(static_cast<double>(rng() % 1125899906842624) / 1e9);
      const double p = pow10[rng() % 7] - static_cast<double>(rng() % 1000) / 1e9;
      check(p);
      check(-p);
    }
    const double edges[] = {1125899.906842624, 1125899.906842623, 1125899.906842625,
                            1125899.9068426,   1125899.9,         999999.999999999,
                            999999.9999999999, 0.999999999,       0.9999999999,
                            0.000001,          0.00000100000001,  0.000001000000001};
    for (const double e : edges) {
      for (const double x : {e, std::nextafter(e, 0.0), std::nextafter(e, 1e308)}) {
        check(x);
        check(-x);
      }
    }
  }

  SECTION("thousandths (the inline three-decimal path) up to its limit, 2^50 thousandths") {
    for (std::int64_t k = -300000; k <= 300000; ++k) check(static_cast<double>(k) / 1000.0);
    for (int n = 0; n < 100000; ++n) {
      const int bits = 1 + static_cast<int>(rng() % 50);
      const double d = static_cast<double>(rng() >> (64 - bits)) / 1e3;
      for (const double x : {d, std::nextafter(d, 0.0), std::nextafter(d, 1e300)}) {
        check(x);
        check(-x);
      }
    }
    const double edges[] = {1125899906842.624,
                            1125899906842.623,
                            1125899906842.625,
                            1125899906842.6,
                            1125899906841.999,
                            999.9995,
                            0.001,
                            0.0005,
                            0.0015,
                            0.010,
                            0.100,
                            12.05,
                            100.001,
                            9999.999,
                            0.0,
                            -0.0};
    for (const double e : edges) {
      for (const double x : {e, std::nextafter(e, 0.0), std::nextafter(e, 1e308)}) {
        check(x);
        check(-x);
      }
    }
  }

  SECTION("random bit patterns (the general path)") {
    for (int n = 0; n < 100000; ++n) {
      const std::uint64_t bits = rng();
      double d;
      std::memcpy(&d, &bits, sizeof d);
      if (std::isfinite(d)) check(d);
    }
  }
  CHECK(failures == 0);
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
TEST_CASE("eight_digits writes the 8 digits of every value below 10^8 it is given") {
  std::mt19937_64 rng(7);
  std::size_t failures = 0;
  const auto check = [&failures](std::uint64_t v) {
    const std::uint64_t word = siocodec::json::detail::eight_digits(v);
    char got[8];
    std::memcpy(got, &word, 8);
    std::string want = std::to_string(v);
    want.insert(0, 8 - want.size(), '0');
    if (std::string(got, 8) != want) {
      ++failures;
      INFO(v);
      CHECK(std::string(got, 8) == want);
    }
    REQUIRE(failures < 20);
  };
  for (std::uint64_t v = 0; v < 200000; ++v) check(v);
  for (std::uint64_t hi = 0; hi < 10000; ++hi) {
    for (const std::uint64_t lo : {0u, 1u, 9u, 10u, 99u, 100u, 999u, 5000u, 9990u, 9999u}) {
      check(hi * 10000 + lo);
    }
  }
  for (int n = 0; n < 300000; ++n) check(rng() % 100000000);
  CHECK(failures == 0);
}
#endif
