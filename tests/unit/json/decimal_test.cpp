// SPDX-License-Identifier: BSL-1.0
// detail/decimal.hpp, the exact conversions SIOCODEC_SIZE_FIRST uses instead of
// std::from_chars(double) and std::to_chars(double): compared with those, bit for bit and digit
// for digit, in every build (with or without the macro), on random doubles, their shortest and
// long texts, halfway cases, denormals, powers of two and digit strings longer than any double.
#include <siocodec/detail/decimal.hpp>

#include "support/catch.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <system_error>

namespace {

namespace dd = siocodec::detail;

std::uint64_t bits_of(double v) {
  std::uint64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

// std::to_chars' shortest digits and n (value = 0.d1d2... x 10^n) against shortest_digits.
void check_digits(double v) {
  char sci[40];
  const std::to_chars_result r =
      std::to_chars(sci, sci + sizeof sci, v, std::chars_format::scientific);
  std::string expect;
  const char* p = sci;
  for (; p != r.ptr && *p != 'e'; ++p)
    if (*p != '.') expect += *p;
  ++p;
  const bool eneg = *p == '-';
  ++p;
  int e = 0;
  for (; p != r.ptr; ++p) e = e * 10 + (*p - '0');
  if (eneg) e = -e;
  char digits[20];
  int n = 0;
  const int k = dd::shortest_digits(v, digits, n);
  INFO(std::string(sci, r.ptr));
  CHECK(std::string(digits, static_cast<std::size_t>(k)) == expect);
  CHECK(n == e + 1);
}

// from_chars against parse_double; out of range, JavaScript's infinity or zero.
void check_parse(const std::string& s) {
  double expect = 0;
  const std::from_chars_result r = std::from_chars(s.data(), s.data() + s.size(), expect);
  const double got = dd::parse_double(s.data(), s.data() + s.size());
  INFO(s);
  if (r.ec == std::errc::result_out_of_range) {
    CHECK((got == 0 || std::isinf(got)));
    return;
  }
  REQUIRE(r.ec == std::errc());
  CHECK(bits_of(got) == bits_of(expect));
}

std::string text(double v, int precision) {
  char buf[128];
  const std::to_chars_result r =
      precision < 0
          ? std::to_chars(buf, buf + sizeof buf, v)
          : std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific, precision);
  return std::string(buf, r.ptr);
}

}  // namespace

TEST_CASE("decimal: shortest_digits are std::to_chars' digits") {
  std::mt19937_64 g(20261207);
  for (int i = 0; i < 20000; ++i) {
    const std::uint64_t b = g() & 0x7FFFFFFFFFFFFFFFu;
    double v;
    std::memcpy(&v, &b, sizeof v);
    if (std::isfinite(v) && v != 0) check_digits(v);
  }
  for (int x = -1074; x <= 1023; ++x) {  // powers of two (the lopsided ones) and neighbours
    const double p = std::ldexp(1.0, x);
    check_digits(p);
    check_digits(std::nextafter(p, 0.0) == 0 ? p : std::nextafter(p, 0.0));
    check_digits(std::nextafter(p, 2 * p));
  }
  for (int i = 1; i < 3000; ++i) {
    check_digits(i);
    check_digits(i / 1000.0);
    check_digits(i * 1e300);
  }
  check_digits(std::numeric_limits<double>::max());
  check_digits(std::numeric_limits<double>::denorm_min());
  check_digits(std::numeric_limits<double>::min());
  check_digits(5e-324 * 3);
  check_digits(9007199254740993.0);
}

TEST_CASE("decimal: parse_double rounds as std::from_chars") {
  std::mt19937_64 g(7);
  for (int i = 0; i < 10000; ++i) {
    const std::uint64_t b = g() & 0x7FFFFFFFFFFFFFFFu;
    double v;
    std::memcpy(&v, &b, sizeof v);
    if (!std::isfinite(v)) continue;
    check_parse(text(v, -1));
    check_parse(text(v, 16));
    check_parse("-" + text(v, 40));  // long: the exact path, near halfway points
  }
  // Exact halfway points between neighbours (ties to even), written out in full: v + ulp/2 has
  // at most 1075 significant digits; 60 digits of it with a long tail of 0 or 9 and a final 1.
  for (int i = 0; i < 300; ++i) {
    const std::uint64_t b = (g() & 0x7FEFFFFFFFFFFFFFu);
    double v;
    std::memcpy(&v, &b, sizeof v);
    const std::string t = text(v, 60);
    const std::size_t e = t.find('e');
    check_parse(t.substr(0, e) + std::string(900, '0') + "1" + t.substr(e));
    check_parse(t.substr(0, e) + std::string(900, '9') + t.substr(e));
  }
  const char* const cases[] = {
      "0",
      "-0",
      "0.0e5",
      "1",
      "0.1",
      "2.2250738585072011e-308",
      "2.2250738585072012e-308",
      "4.9e-324",
      "2.4703282292062327e-324",
      "2.4703282292062328e-324",
      "1.7976931348623157e308",
      "1.7976931348623158e308",
      "1.7976931348623159e308",
      "1e309",
      "1e-400",
      "-1e99999999999999999999",
      "9007199254740993",
      "9007199254740993.0000000000000000000000000000000000000000000000001",
      "123456789012345678901234567890",
      "0.000000000000000000000000000000000000000001",
      "1e22",
      "1e23",
      "8.98846567431158e307",
      "7.2057594037927933e16",
  };
  for (const char* c : cases) check_parse(c);
  // Zeros keep their sign; the values from_chars reports as out of range.
  const std::string minus_zero = "-0";
  CHECK(std::signbit(dd::parse_double(minus_zero.data(), minus_zero.data() + 2)));
  const std::string big = "1" + std::string(400, '0');
  CHECK(std::isinf(dd::parse_double(big.data(), big.data() + big.size())));
  const std::string tiny = "-1e-330";
  const double z = dd::parse_double(tiny.data(), tiny.data() + tiny.size());
  CHECK((z == 0 && std::signbit(z)));
}

TEST_CASE("decimal: pow10_double is 10^e correctly rounded") {
  // js_string_to_number's scale in SIOCODEC_SIZE_FIRST builds, in place of pow(10, e). glibc's
  // pow misrounds two of these (10^23 and 10^210, by one ulp); it cannot change a result: the
  // scale multiplies the integer of all the digits, so an exponent of 23 or more makes a value
  // of at least 10^23, refused as too_many_attachments (an integer) either way, or 0 (no
  // digit other than 0), the same either way.
  for (int e = -400; e <= 400; ++e) {
    INFO(e);
    const std::string t = "1e" + std::to_string(e);
    double expect = 0;
    const std::from_chars_result r = std::from_chars(t.data(), t.data() + t.size(), expect);
    if (r.ec == std::errc::result_out_of_range) expect = e > 0 ? HUGE_VAL : 0.0;
    CHECK(bits_of(dd::pow10_double(e)) == bits_of(expect));
    const double p = std::pow(10.0, e);
    if (p != expect) {  // at most one ulp away (infinities and zeros are equal)
      CHECK(std::fabs(p - expect) <= std::fabs(std::nextafter(expect, 0.0) - expect));
    }
  }
  CHECK(dd::pow10_double(100000) == HUGE_VAL);
  CHECK(dd::pow10_double(-100000) == 0.0);
}
