// SPDX-License-Identifier: BSL-1.0
#include <siocodec/msgpack/value.hpp>
#include <siocodec/msgpack/writer.hpp>
#include <siocodec/sink.hpp>

#include "support/catch.hpp"
#include "support/hex.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

using siocodec::byte_view;
using siocodec::errc;
namespace mp = siocodec::msgpack;

namespace {

using siocodec_test::hex;

// Runs `emit` through both passes (measure, then write) and returns the bytes.
template <class F>
std::string written(F&& emit) {
  std::string out;
  const auto r = siocodec::detail::write_append(out, [&emit](auto& w) {
    emit(w);
    return errc::none;
  });
  REQUIRE(r);
  CHECK(*r == out.size());
  return out;
}

std::string uint_hex(std::uint64_t v) {
  return hex(written([v](auto& w) { mp::emit_uint(w, v); }));
}
std::string int_hex(std::int64_t v) {
  return hex(written([v](auto& w) { mp::emit_int(w, v); }));
}
std::string number_hex(double d) {
  return hex(written([d](auto& w) { mp::emit_number(w, d); }));
}

}  // namespace

TEST_CASE("writer: unsigned integers in the smallest form") {
  CHECK(uint_hex(0) == "00");
  CHECK(uint_hex(127) == "7f");
  CHECK(uint_hex(128) == "cc80");
  CHECK(uint_hex(255) == "ccff");
  CHECK(uint_hex(256) == "cd0100");
  CHECK(uint_hex(65535) == "cdffff");
  CHECK(uint_hex(65536) == "ce00010000");
  CHECK(uint_hex(4294967295u) == "ceffffffff");
  CHECK(uint_hex(4294967296u) == "cf0000000100000000");
  CHECK(uint_hex(std::numeric_limits<std::uint64_t>::max()) == "cfffffffffffffffff");
  for (std::uint64_t v :
       {0ull, 127ull, 128ull, 255ull, 256ull, 65535ull, 65536ull, 4294967295ull, 4294967296ull}) {
    CHECK(uint_hex(v).size() / 2 == mp::uint_size(v));
  }
}

TEST_CASE("writer: signed integers: never an int form for values >= 0") {
  CHECK(int_hex(0) == "00");
  CHECK(int_hex(127) == "7f");
  CHECK(int_hex(200) == "ccc8");
  CHECK(int_hex(-1) == "ff");
  CHECK(int_hex(-32) == "e0");
  CHECK(int_hex(-33) == "d0df");
  CHECK(int_hex(-128) == "d080");
  CHECK(int_hex(-129) == "d1ff7f");
  CHECK(int_hex(-32768) == "d18000");
  CHECK(int_hex(-32769) == "d2ffff7fff");
  CHECK(int_hex(-2147483648LL) == "d280000000");
  CHECK(int_hex(-2147483649LL) == "d3ffffffff7fffffff");
  CHECK(int_hex(std::numeric_limits<std::int64_t>::min()) == "d38000000000000000");
  CHECK(int_hex(std::numeric_limits<std::int64_t>::max()) == "cf7fffffffffffffff");
}

TEST_CASE("writer: JavaScript numbers as notepack.io writes them") {
  CHECK(number_hex(0.0) == "00");
  CHECK(number_hex(-0.0) == "00");
  CHECK(number_hex(1.0) == "01");
  CHECK(number_hex(-1.0) == "ff");
  CHECK(number_hex(2.0) == "02");
  CHECK(number_hex(1.5) == "cb3ff8000000000000");
  CHECK(number_hex(-1.5) == "cbbff8000000000000");
  CHECK(number_hex(4294967296.0) == "cf0000000100000000");
  CHECK(number_hex(9007199254740992.0) == "cf0020000000000000");
  CHECK(number_hex(9223372036854775808.0) == "cf8000000000000000");
  CHECK(number_hex(-9223372036854775808.0) == "d38000000000000000");
  CHECK(number_hex(18446744073709549568.0) == "cffffffffffffff800");
  // Where notepack.io wraps, the value survives as float 64.
  CHECK(number_hex(18446744073709551616.0) == "cb43f0000000000000");
  CHECK(number_hex(-18446744073709551616.0) == "cbc3f0000000000000");
  CHECK(number_hex(1e300) == "cb7e37e43c8800759c");
  CHECK(number_hex(std::nan("")) == "cb7ff8000000000000");
  CHECK(number_hex(HUGE_VAL) == "cb7ff0000000000000");
  CHECK(number_hex(-HUGE_VAL) == "cbfff0000000000000");
  CHECK(hex(written([](auto& w) { mp::emit_float64(w, 2.0); })) == "cb4000000000000000");
  CHECK(hex(written([](auto& w) { mp::emit_float32(w, 1.5f); })) == "ca3fc00000");
}

TEST_CASE("writer: str, bin and ext at every size boundary") {
  const auto str_of = [](std::size_t n) {
    const std::string s(n, 'x');
    return written([&s](auto& w) { REQUIRE(mp::emit_string(w, s) == errc::none); });
  };
  CHECK(hex(str_of(0)) == "a0");
  CHECK(hex(str_of(31).substr(0, 1)) == "bf");
  CHECK(hex(str_of(32).substr(0, 2)) == "d920");
  CHECK(hex(str_of(255).substr(0, 2)) == "d9ff");
  CHECK(hex(str_of(256).substr(0, 3)) == "da0100");
  CHECK(hex(str_of(65535).substr(0, 3)) == "daffff");
  CHECK(hex(str_of(65536).substr(0, 5)) == "db00010000");
  for (std::size_t n : {0u, 31u, 32u, 255u, 256u, 65535u, 65536u}) {
    CHECK(str_of(n).size() == mp::string_header_size(n) + n);
  }
  const auto bin_of = [](std::size_t n) {
    const std::string s(n, '\x07');
    return written([&s](auto& w) { REQUIRE(mp::emit_binary(w, byte_view(s)) == errc::none); });
  };
  CHECK(hex(bin_of(0)) == "c400");
  CHECK(hex(bin_of(255).substr(0, 2)) == "c4ff");
  CHECK(hex(bin_of(256).substr(0, 3)) == "c50100");
  CHECK(hex(bin_of(65536).substr(0, 5)) == "c600010000");
  const auto ab_of = [](std::size_t n) {
    const std::string s(n, '\x07');
    return written([&s](auto& w) { REQUIRE(mp::emit_arraybuffer(w, byte_view(s)) == errc::none); });
  };
  CHECK(hex(ab_of(1)) == "c7010007");  // never a fixext: d4 00 would read as undefined
  CHECK(hex(ab_of(8).substr(0, 3)) == "c70800");
  CHECK(hex(ab_of(256).substr(0, 4)) == "c8010000");
  CHECK(hex(ab_of(65536).substr(0, 6)) == "c90001000000");
  const auto ext_of = [](std::int8_t t, std::size_t n) {
    const std::string s(n, '\x01');
    return hex(written([&](auto& w) { REQUIRE(mp::emit_ext(w, t, byte_view(s)) == errc::none); }));
  };
  CHECK(ext_of(5, 1) == "d40501");
  CHECK(ext_of(5, 2) == "d5050101");
  CHECK(ext_of(-1, 4) == "d6ff01010101");
  CHECK(ext_of(5, 8).substr(0, 4) == "d705");
  CHECK(ext_of(5, 16).substr(0, 4) == "d805");
  CHECK(ext_of(5, 3) == "c70305010101");
  CHECK(ext_of(5, 0) == "c70005");
  CHECK(ext_of(5, 300).substr(0, 8) == "c8012c05");
  CHECK(hex(written([](auto& w) { mp::emit_undefined(w); })) == "d40000");
}

TEST_CASE("writer: array and map headers") {
  const auto arr = [](std::size_t n) {
    return hex(written([n](auto& w) { REQUIRE(mp::emit_array_header(w, n) == errc::none); }));
  };
  CHECK(arr(0) == "90");
  CHECK(arr(15) == "9f");
  CHECK(arr(16) == "dc0010");
  CHECK(arr(65535) == "dcffff");
  CHECK(arr(65536) == "dd00010000");
  const auto map = [](std::size_t n) {
    return hex(written([n](auto& w) { REQUIRE(mp::emit_map_header(w, n) == errc::none); }));
  };
  CHECK(map(0) == "80");
  CHECK(map(15) == "8f");
  CHECK(map(16) == "de0010");
  CHECK(map(65536) == "df00010000");
  for (std::size_t n : {0u, 15u, 16u, 65535u, 65536u}) {
    CHECK(arr(n).size() / 2 == mp::container_header_size(n));
  }
}

TEST_CASE("writer: sizes no msgpack form holds, and text that is not UTF-8") {
  siocodec::detail::size_counter c;
  const std::size_t huge = std::size_t{1} << 32;
  if (sizeof(std::size_t) > 4) {
    CHECK(mp::emit_array_header(c, huge) == errc::invalid_argument);
    CHECK(mp::emit_map_header(c, huge) == errc::invalid_argument);
    CHECK(mp::emit_string_header(c, huge) == errc::invalid_argument);
    CHECK(mp::emit_binary_header(c, huge) == errc::invalid_argument);
    // The size is refused before any byte is touched.
    const unsigned char one = 1;
    CHECK(mp::emit_binary(c, byte_view(&one, huge)) == errc::invalid_argument);
    CHECK(mp::emit_ext(c, 3, byte_view(&one, huge)) == errc::invalid_argument);
    CHECK(mp::emit_arraybuffer(c, byte_view(&one, huge)) == errc::invalid_argument);
  }
  CHECK(mp::emit_string(c, "\xc3\x28") == errc::invalid_utf8);
  CHECK(mp::emit_string(c, "\xed\xa0\x80") == errc::invalid_utf8);
  CHECK(mp::emit_string(c, "caf\xc3\xa9") == errc::none);
}

TEST_CASE("writer: what it writes parses back to the same values") {
  std::mt19937_64 rng(99);
  for (int iter = 0; iter < 2000; ++iter) {
    const auto u = rng() >> (rng() % 64);
    const auto s = static_cast<std::int64_t>(rng()) >> (rng() % 64);
    double d;
    const std::uint64_t bits = rng();
    std::memcpy(&d, &bits, 8);
    if (iter % 3 == 0) d = static_cast<double>(s) / 8;
    const std::string b = written([&](auto& w) {
      mp::emit_array_header(w, 3);
      mp::emit_uint(w, u);
      mp::emit_int(w, s);
      mp::emit_number(w, d);
    });
    const auto v = mp::parse(byte_view(b));
    REQUIRE(v);
    CHECK(*v->operator[](0).to_uint64() == u);
    CHECK(*v->operator[](1).to_int64() == s);
    const double back = *v->operator[](2).to_double();
    if (std::isnan(d)) {
      CHECK(std::isnan(back));
    } else {
      CHECK(back == d);
    }
  }
  const std::string nested = written([](auto& w) {
    mp::emit_map_header(w, 2);
    (void)mp::emit_string(w, "k");
    mp::emit_array_header(w, 2);
    mp::emit_nil(w);
    mp::emit_bool(w, true);
    (void)mp::emit_string(w, "v");
    mp::emit_undefined(w);
  });
  const auto v = mp::parse(byte_view(nested));
  REQUIRE(v);
  mp::value k;
  REQUIRE(v->find("k", k));
  CHECK(k[1].get_bool());
  REQUIRE(v->find("v", k));
  CHECK(k.is_undefined());
  // emit_value copies a value verbatim.
  CHECK(written([&v](auto& w) { mp::emit_value(w, *v); }) == nested);
}
