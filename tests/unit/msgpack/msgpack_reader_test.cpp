// SPDX-License-Identifier: BSL-1.0
#include <siocodec/msgpack/reader.hpp>
#include <siocodec/msgpack/value.hpp>

#include "support/catch.hpp"
#include "support/hex.hpp"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

using siocodec::byte_view;
using siocodec::errc;
namespace mp = siocodec::msgpack;

namespace {

using siocodec_test::unhex;

siocodec::result<mp::kind> check(const std::string& hex, const mp::options& o = {}) {
  const std::string b = unhex(hex);
  return mp::validate(byte_view(b), o);
}

std::string nested_arrays(std::size_t depth) { return std::string(depth, '\x91') + '\x90'; }

}  // namespace

TEST_CASE("validate: the kind of every one-byte message") {
  for (unsigned c = 0; c < 256; ++c) {
    const std::string b(1, static_cast<char>(c));
    const auto r = mp::validate(byte_view(b));
    INFO("prefix " << c);
    if (c < 0x80 || c >= 0xe0) {
      REQUIRE(r);
      CHECK(*r == mp::kind::integer);
    } else if (c == 0x80) {
      CHECK(*r == mp::kind::map);
    } else if (c == 0x90) {
      CHECK(*r == mp::kind::array);
    } else if (c == 0xa0) {
      CHECK(*r == mp::kind::string);
    } else if (c == 0xc0) {
      CHECK(*r == mp::kind::nil);
    } else if (c == 0xc2 || c == 0xc3) {
      CHECK(*r == mp::kind::boolean);
    } else {
      // Every other prefix announces more bytes (or is c1): the message is cut.
      REQUIRE_FALSE(r);
      CHECK(r.error() == errc::invalid_msgpack);
      CHECK(r.offset() == 0);
    }
  }
}

TEST_CASE("validate: every family, every width") {
  const struct {
    const char* hex;
    mp::kind k;
  } cases[] = {
      {"cc80", mp::kind::integer},
      {"cd0102", mp::kind::integer},
      {"ce01020304", mp::kind::integer},
      {"cf0102030405060708", mp::kind::integer},
      {"d080", mp::kind::integer},
      {"d18000", mp::kind::integer},
      {"d280000000", mp::kind::integer},
      {"d38000000000000000", mp::kind::integer},
      {"ca3fc00000", mp::kind::floating},
      {"cb3ff8000000000000", mp::kind::floating},
      {"a3616263", mp::kind::string},
      {"d90161", mp::kind::string},
      {"da000161", mp::kind::string},
      {"db0000000161", mp::kind::string},
      {"c40101", mp::kind::binary},
      {"c5000101", mp::kind::binary},
      {"c60000000101", mp::kind::binary},
      {"c7010001", mp::kind::binary},
      {"c800010001", mp::kind::binary},
      {"c9000000010001", mp::kind::binary},
      {"c7010501", mp::kind::ext},
      {"d40000", mp::kind::undefined},
      {"d40001", mp::kind::undefined},
      {"d40500", mp::kind::ext},
      {"d5000102", mp::kind::ext},
      {"d600"
       "01020304",
       mp::kind::ext},
      {"d700"
       "0102030405060708",
       mp::kind::ext},
      {"d8ff"
       "000102030405060708090a0b0c0d0e0f",
       mp::kind::ext},
      {"9101", mp::kind::array},
      {"dc000101", mp::kind::array},
      {"dd0000000101", mp::kind::array},
      {"81a16101", mp::kind::map},
      {"de0001a16101", mp::kind::map},
      {"df00000001a16101", mp::kind::map},
      {"810101", mp::kind::map},      // a non-str key
      {"8191909101", mp::kind::map},  // containers as key and value
  };
  for (const auto& c : cases) {
    INFO(c.hex);
    const auto r = check(c.hex);
    REQUIRE(r);
    CHECK(*r == c.k);
    CHECK(r.offset() == std::string(c.hex).size() / 2);
  }
}

TEST_CASE("validate: big-endian fields give the same sizes on any host") {
  // A str 16 of 258 bytes: length 0x0102 read big-endian.
  std::string b = unhex("da0102") + std::string(258, 'x');
  CHECK(mp::validate(byte_view(b)));
  b.pop_back();
  CHECK(mp::validate(byte_view(b)).error() == errc::invalid_msgpack);
}

TEST_CASE("validate: errors and their offsets") {
  CHECK(check("").error() == errc::invalid_msgpack);
  CHECK(check("c1").error() == errc::invalid_msgpack);
  const auto c1 = check("9301c102");
  CHECK(c1.error() == errc::invalid_msgpack);
  CHECK(c1.offset() == 2);
  const auto trail = check("c0c3");
  CHECK(trail.error() == errc::trailing_data);
  CHECK(trail.offset() == 1);
  // An array missing its last element: the input ends where it should start.
  const auto missing = check("9201cc");
  CHECK(missing.error() == errc::invalid_msgpack);
  CHECK(missing.offset() == 2);
  const auto at_end = check("930102");
  CHECK(at_end.error() == errc::invalid_msgpack);
  CHECK(at_end.offset() == 0);  // three elements cannot fit in two bytes: refused at the header
  const auto cut_payload = check("91a3616263" + std::string());
  CHECK(cut_payload);
  const auto cut = check("91a36162");
  CHECK(cut.error() == errc::invalid_msgpack);
  CHECK(cut.offset() == 1);
  const auto utf8 = check("92a0a461c328ff");
  CHECK(utf8.error() == errc::invalid_utf8);
  CHECK(utf8.offset() == 4);  // the first byte of the bad sequence
}

TEST_CASE("validate: an announced count or length is checked before it is used") {
  for (const char* hex : {"ddffffffff", "dfffffffff", "dbffffffff", "c6ffffffff", "c9ffffffff00",
                          "dcffff", "deffff00", "dd7fffffff01"}) {
    INFO(hex);
    const auto r = check(hex);
    CHECK(r.error() == errc::invalid_msgpack);
    CHECK(r.offset() == 0);
  }
  // A map of n pairs needs 2n bytes at least.
  CHECK(check("82a161").error() == errc::invalid_msgpack);
}

TEST_CASE("validate: depth limit") {
  mp::options o;
  const std::string at_limit = nested_arrays(127);  // 128 arrays
  CHECK(mp::validate(byte_view(at_limit), o));
  const std::string over = nested_arrays(128);
  const auto r = mp::validate(byte_view(over), o);
  CHECK(r.error() == errc::nesting_too_deep);
  CHECK(r.offset() == 128);
  o.max_depth = 3;
  CHECK(mp::validate(byte_view(nested_arrays(2)), o));
  CHECK(mp::validate(byte_view(nested_arrays(3)), o).error() == errc::nesting_too_deep);
  o.max_depth = 0;
  CHECK(check("01", o));
  CHECK(check("90", o).error() == errc::nesting_too_deep);
  // Maps count the same way, whether the nesting is in keys or values.
  o.max_depth = 2;
  CHECK(check("819080", o));
  CHECK(check("8181a0900190", o).error() == errc::nesting_too_deep);
  // A limit above max_depth_limit acts as max_depth_limit.
  o.max_depth = 1u << 30;
  CHECK(mp::validate(byte_view(nested_arrays(mp::max_depth_limit - 1)), o));
  CHECK(mp::validate(byte_view(nested_arrays(mp::max_depth_limit)), o).error() ==
        errc::nesting_too_deep);
  // Many closed containers at one level do not add up.
  std::string wide = unhex("dc0400");
  for (int i = 0; i < 1024; ++i) wide += '\x90';
  CHECK(mp::validate(byte_view(wide)));
}

TEST_CASE("validate: maps alternate keys and values through nesting") {
  // {[1]: {"a": [nil, {}]}, "b": []}
  CHECK(check("82"
              "9101"
              "81a161"
              "92c080"
              "a162"
              "90"));
  // One element short inside the inner array.
  CHECK(check("82"
              "9101"
              "81a161"
              "93c080"
              "a162"
              "90")
            .error() == errc::invalid_msgpack);
}

TEST_CASE("validate: UTF-8 checking can be turned off") {
  mp::options o;
  o.check_utf8 = false;
  CHECK(check("a2c328", o));
  CHECK(check("81a1ff01", o));
  CHECK(check("a2c328").error() == errc::invalid_utf8);
  CHECK(check("81a1ff01").error() == errc::invalid_utf8);
  CHECK(check("a3eda080").error() == errc::invalid_utf8);    // an encoded surrogate
  CHECK(check("a4f4908080").error() == errc::invalid_utf8);  // above U+10FFFF
  CHECK(check("a4f09f9880"));
  CHECK(check("c402c328"));  // bin is not text
}

TEST_CASE("validate: every truncation of a rich message fails cleanly") {
  const std::string full =
      unhex("85a474797065cb4000000000000000a36e7370a52f726f6f6da46461746196a463686174c403010203"
            "d40000d7000000016f4f4e2a70c70300aabbcc82a178cf0000000100000000a179dc00029001a26964"
            "cd012ca3657874d9037a7a7a");
  REQUIRE(mp::validate(byte_view(full)));
  for (std::size_t n = 0; n < full.size(); ++n) {
    const auto r = mp::validate(byte_view(full.data(), n));
    INFO("length " << n);
    CHECK(r.error() == errc::invalid_msgpack);
    CHECK(r.offset() <= n);
  }
  const std::string more = full + '\xc0';
  CHECK(mp::validate(byte_view(more)).error() == errc::trailing_data);
}

TEST_CASE("validate and the value's skipping agree on random input") {
  std::mt19937 rng(12345);
  std::size_t accepted = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::vector<unsigned char> b(1 + rng() % 24);
    for (auto& c : b) {
      // Bias towards small headers so that some inputs are valid.
      const auto r = rng() % 8;
      c = static_cast<unsigned char>(r < 3   ? 0x90 + rng() % 3
                                     : r < 5 ? 0x80 + rng() % 3
                                             : rng() % 256);
    }
    const byte_view in(b.data(), b.size());
    const auto r = mp::validate(in);
    REQUIRE(r.offset() <= b.size());
    const mp::value v = mp::value::unchecked(in);
    if (r) {
      ++accepted;
      CHECK(v.raw().size() == b.size());
      CHECK(v.type() == *r);
    } else {
      CHECK(v.raw().size() <= b.size());
    }
  }
  CHECK(accepted > 100);
}
