// SPDX-License-Identifier: BSL-1.0
#include <siocodec/json/json.hpp>

#include "support/catch.hpp"
#include "unit/json/cases.hpp"
#include "unit/json/number_text.hpp"

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
#include <vector>

using siocodec::errc;
namespace json = siocodec::json;

namespace {

using siocodec_test::number_text;

std::string string_text(std::string_view s) {
  std::string out;
  const auto r = json::encode_string(s, out);
  REQUIRE(r.has_value());
  return out;
}

double from_bits(const std::string& h) {
  std::uint64_t v = 0;
  for (const char c : h)
    v = (v << 4) | static_cast<std::uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
  double d;
  std::memcpy(&d, &v, 8);
  return d;
}

template <class F>
std::string emitted(F f) {
  std::string out;
  REQUIRE(siocodec::detail::write_append(out, [&](auto& w) {
            f(w);
            return errc::none;
          }).has_value());
  return out;
}

}  // namespace

TEST_CASE("emit_string escapes exactly like JSON.stringify") {
  CHECK(string_text("") == R"("")");
  CHECK(string_text("abc") == R"("abc")");
  CHECK(string_text("\"") == R"("\"")");
  CHECK(string_text("\\") == R"("\\")");
  CHECK(string_text("/") == R"("/")");  // not escaped
  CHECK(string_text("\b\f\n\r\t") == R"("\b\f\n\r\t")");
  CHECK(string_text(std::string_view("\0", 1)) == R"("\u0000")");
  CHECK(string_text("\x01\x1f\x0b") == R"("\u0001\u001f\u000b")");
  CHECK(string_text("\x7f") == "\"\x7f\"");
  CHECK(string_text("\xE2\x80\xA8\xE2\x80\xA9") == "\"\xE2\x80\xA8\xE2\x80\xA9\"");
  CHECK(string_text("\xC3\xA9\xF0\x9F\x98\x80") == "\"\xC3\xA9\xF0\x9F\x98\x80\"");
  CHECK(string_text("0123456789abcdef\"0123456789abcdef") ==
        R"("0123456789abcdef\"0123456789abcdef")");
}

TEST_CASE("emit_string rejects invalid UTF-8 with the offset of the bad sequence") {
  struct c {
    std::string_view in;
    std::size_t offset;
  };
  for (const c& t :
       {c{"\x80", 0}, c{"ab\xC0\x80", 2}, c{"\xED\xA0\x80", 0}, c{"abcdefghij\xF4\x90\x80\x80", 10},
        c{"\xE2\x82", 0}, c{"\xC3\xA9\xC3", 2}, c{"x\xFF", 1}}) {
    const auto r = json::string_size(t.in);
    CHECK(r.error() == errc::invalid_utf8);
    CHECK(r.offset() == t.offset);
    std::string out = "keep";
    CHECK(json::encode_string(t.in, out).error() == errc::invalid_utf8);
    CHECK(out == "keep");
    char buf[64];
    std::memset(buf, '#', sizeof buf);
    CHECK(json::encode_string_to(buf, sizeof buf, t.in).error() == errc::invalid_utf8);
    CHECK(buf[0] == '#');
    siocodec::detail::size_counter counter;
    CHECK(json::emit_string(counter, t.in) == errc::invalid_utf8);
  }
}

TEST_CASE("encode_string_to: exact capacity works, one byte less writes nothing") {
  const std::string_view in = "a\"\n\xC3\xA9";
  const auto size = json::string_size(in);
  REQUIRE(size.has_value());
  CHECK(*size == 9);
  std::string buf(*size + 2, '#');
  const auto r = json::encode_string_to(&buf[0], *size, in);
  REQUIRE(r.has_value());
  CHECK(*r == *size);
  CHECK(buf == "\"a\\\"\\n\xC3\xA9\"##");
  std::string small(*size, '#');
  const auto e = json::encode_string_to(&small[0], *size - 1, in);
  CHECK(e.error() == errc::output_too_small);
  CHECK(e.offset() == *size - 1);
  CHECK(small == std::string(*size, '#'));
  std::vector<unsigned char> v = {'['};
  REQUIRE(json::encode_string(in, v).has_value());
  CHECK(v.size() == *size + 1);
}

TEST_CASE("emit_string matches JSON.stringify on every s line of json_write_cases.txt") {
  std::size_t count = 0;
  for (const auto& l : json_cases::read("json_write_cases.txt")) {
    if (l[0] != "s") continue;
    ++count;
    const std::string in = json_cases::unhex(l[1]);
    const std::string expect = json_cases::unhex(l[2]);
    INFO("input hex: " << l[1]);
    const json_cases::exact_copy copy(in);
    CHECK(string_text(copy.view()) == expect);
    CHECK(*json::string_size(copy.view()) == expect.size());
    // The writer's output is JSON that reads back to the input.
    const auto v = json::parse(expect);
    REQUIRE(v.has_value());
    CHECK(v->string_equals(in));
  }
  CHECK(count >= 300);
}

TEST_CASE("emit_number follows Number::toString layout rules") {
  CHECK(number_text(0.0) == "0");
  CHECK(number_text(-0.0) == "0");
  CHECK(number_text(std::nan("")) == "null");
  CHECK(number_text(std::numeric_limits<double>::infinity()) == "null");
  CHECK(number_text(-std::numeric_limits<double>::infinity()) == "null");
  CHECK(number_text(1) == "1");
  CHECK(number_text(-1) == "-1");
  CHECK(number_text(1.5) == "1.5");
  CHECK(number_text(0.1) == "0.1");
  CHECK(number_text(100) == "100");
  CHECK(number_text(1e20) == "100000000000000000000");
  CHECK(number_text(123456789012345680000.0) == "123456789012345680000");
  CHECK(number_text(1e21) == "1e+21");
  CHECK(number_text(-1e21) == "-1e+21");
  CHECK(number_text(1.5e21) == "1.5e+21");
  CHECK(number_text(0.000001) == "0.000001");
  CHECK(number_text(0.0000012345) == "0.0000012345");
  CHECK(number_text(1e-7) == "1e-7");
  CHECK(number_text(1.5e-7) == "1.5e-7");
  CHECK(number_text(5e-324) == "5e-324");
  CHECK(number_text(1.7976931348623157e308) == "1.7976931348623157e+308");
  CHECK(number_text(9007199254740993.0) == "9007199254740992");
  CHECK(number_text(1.0 / 3) == "0.3333333333333333");
  CHECK(number_text(-123.456) == "-123.456");
}

TEST_CASE("emit_number matches JSON.stringify on every d line of json_write_cases.txt") {
  std::size_t count = 0;
  for (const auto& l : json_cases::read("json_write_cases.txt")) {
    if (l[0] != "d") continue;
    ++count;
    INFO("bits: " << l[1]);
    const double d = from_bits(l[1]);
    const std::string got = number_text(d);
    CHECK(got == l[2]);
    CHECK(got.size() <= 25);
    // And what we write reads back to the same double (finite values).
    if (std::isfinite(d)) {
      const auto v = json::parse(got);
      REQUIRE(v.has_value());
      const auto back = v->to_double();
      REQUIRE(back.has_value());
      CHECK((*back == d || (d == 0 && *back == 0)));
    }
  }
  CHECK(count >= 2000);
}

// The exactness test both fast paths of format_number share, against an independent oracle:
// below 2^50 units of 10^-j, it must hold exactly when std::to_chars' shortest fixed text of d
// has at most j decimals, and then give that text's digits scaled to j decimals.
TEST_CASE("exact_decimals agrees with the decimals of std::to_chars' shortest text") {
  std::mt19937_64 rng(20261127);
  constexpr double pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11};
  std::size_t exact = 0;
  std::size_t inexact = 0;
  std::size_t failures = 0;
  const auto check = [&](double d, int j) {
    char text[400];
    const std::to_chars_result r =
        std::to_chars(text, text + sizeof text, d, std::chars_format::fixed);
    REQUIRE(r.ec == std::errc());
    const std::string t(text, r.ptr);
    const std::size_t dot = t.find('.');
    const std::size_t decimals = dot == std::string::npos ? 0 : t.size() - dot - 1;
    const bool want = decimals <= static_cast<std::size_t>(j);
    std::uint64_t i = 0;
    const bool got = json::detail::exact_decimals(d, pow10[j], i);
    std::string digits = t;
    if (dot != std::string::npos) digits.erase(dot, 1);
    if (want) digits.append(static_cast<std::size_t>(j) - decimals, '0');
    const bool ok = got == want && (!want || i == std::strtoull(digits.c_str(), nullptr, 10));
    if (!ok) {
      INFO(t << " at j = " << j << ": exact_decimals " << got << ", i = " << i);
      CHECK(ok);
      ++failures;
    }
    ++(want ? exact : inexact);
  };
  for (int n = 0; n < 200000 && failures < 20; ++n) {
    const int j = static_cast<int>(rng() % 10);
    const double limit = 1125899906842624.0 / pow10[j];  // 2^50 units
    // i / 10^k for k on either side of j, and its neighbours (which have many decimals).
    const int k = static_cast<int>(rng() % 12);
    const int bits = 1 + static_cast<int>(rng() % 53);
    double d = static_cast<double>(rng() >> (64 - bits)) / pow10[k];
    const auto step = rng() % 4;
    if (step == 1) d = std::nextafter(d, 0.0);
    if (step == 2) d = std::nextafter(d, 1e300);
    if (!(d < limit)) d = std::fmod(d, limit);  // in range, and (mostly) with many decimals
    check(d, j);
  }
  // The limits: just below 2^50 units, and the decimals of the inline three-decimal path.
  for (int j = 0; j <= 9; ++j) {
    double d = std::nextafter(1125899906842624.0 / pow10[j], 0.0);
    for (int n = 0; n < 2000; ++n, d = std::nextafter(d, 0.0)) check(d, j);
  }
  for (std::uint64_t u = 0; u < 200000; ++u) {
    check(static_cast<double>(u) / 1e3, 3);
    check(static_cast<double>(u) / 1e4, 3);
  }
  CHECK(failures == 0);
  CHECK(exact > 100000);
  CHECK(inexact > 100000);
}

TEST_CASE("emit_uint and emit_int") {
  const auto u = [](std::uint64_t v) { return emitted([v](auto& w) { json::emit_uint(w, v); }); };
  const auto i = [](std::int64_t v) { return emitted([v](auto& w) { json::emit_int(w, v); }); };
  CHECK(u(0) == "0");
  CHECK(u(7) == "7");
  CHECK(u(10) == "10");
  CHECK(u(18446744073709551615u) == "18446744073709551615");
  CHECK(i(0) == "0");
  CHECK(i(-1) == "-1");
  CHECK(i(123) == "123");
  CHECK(i(std::numeric_limits<std::int64_t>::max()) == "9223372036854775807");
  CHECK(i(std::numeric_limits<std::int64_t>::min()) == "-9223372036854775808");
  // Round trip through the reader, across magnitudes.
  std::uint64_t x = 1;
  for (int k = 0; k < 64; ++k, x = x * 3 + 1) {
    const std::string ut = u(x);  // the values view the text: keep it alive
    const auto v = json::parse(ut);
    REQUIRE(v.has_value());
    CHECK(*v->to_uint64() == x);
    const auto s = static_cast<std::int64_t>(x >> 1) * (k % 2 ? -1 : 1);
    const std::string it = i(s);
    const auto w = json::parse(it);
    REQUIRE(w.has_value());
    CHECK(*w->to_int64() == s);
  }
}

TEST_CASE("the emit functions compose inside one encoder over both writer passes") {
  // An encoder shaped like the library's: measure, then write into exact storage.
  const auto emit = [](auto& w) {
    w.put('[');
    if (const errc e = json::emit_string(w, "ev\xC3\xA9nt"); e != errc::none) return e;
    w.put(',');
    json::emit_number(w, 0.5);
    w.put(',');
    json::emit_int(w, -3);
    w.put(',');
    json::emit_uint(w, 4);
    w.put(']');
    return errc::none;
  };
  const auto size = siocodec::detail::measure(emit);
  REQUIRE(size.has_value());
  std::string buf(*size, '\0');
  const auto r = siocodec::detail::write_bounded(&buf[0], buf.size(), emit);
  REQUIRE(r.has_value());
  CHECK(buf == "[\"ev\xC3\xA9nt\",0.5,-3,4]");
  CHECK(json::validate(buf).has_value());
  char tiny[4];
  CHECK(siocodec::detail::write_bounded(tiny, sizeof tiny, emit).error() == errc::output_too_small);
  // A failing emit_string fails the measuring pass, before anything is written.
  const auto bad = [](auto& w) { return json::emit_string(w, "\xFF"); };
  std::string out = "x";
  CHECK(siocodec::detail::write_append(out, bad).error() == errc::invalid_utf8);
  CHECK(out == "x");
}
