// SPDX-License-Identifier: BSL-1.0
#include <siocodec/msgpack/value.hpp>

#include "support/catch.hpp"
#include "support/hex.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

using siocodec::byte_view;
using siocodec::errc;
namespace mp = siocodec::msgpack;

namespace {

using siocodec_test::unhex;

// Keeps the bytes of every parsed value alive for the test's duration.
std::vector<std::string>& arena() {
  static std::vector<std::string> a;
  return a;
}

mp::value parse(const std::string& hex) {
  arena().push_back(unhex(hex));
  const auto r = mp::parse(byte_view(arena().back()));
  REQUIRE(r);
  return *r;
}

// Recursively visits everything (bounded by the test inputs' depth).
std::size_t visit(const mp::value& v, int depth = 0) {
  if (depth > 64) return 0;
  std::size_t n = 1;
  (void)v.get_string();
  (void)v.bytes();
  (void)v.to_double();
  (void)v.to_int64();
  (void)v.ext_type();
  for (const mp::value& e : v.elements()) n += visit(e, depth + 1);
  for (const mp::member& m : v.members()) n += visit(m.key, depth + 1) + visit(m.val, depth + 1);
  return n;
}

}  // namespace

TEST_CASE("value: integers of every width") {
  const struct {
    const char* hex;
    bool negative;
    std::int64_t s;
    std::uint64_t u;
  } cases[] = {
      {"00", false, 0, 0},
      {"7f", false, 127, 127},
      {"ff", true, -1, 0},
      {"e0", true, -32, 0},
      {"ccff", false, 255, 255},
      {"cdffff", false, 65535, 65535},
      {"ceffffffff", false, 4294967295, 4294967295u},
      {"cf7fffffffffffffff", false, std::numeric_limits<std::int64_t>::max(), 9223372036854775807u},
      {"d080", true, -128, 0},
      {"d07f", false, 127, 127},
      {"d18000", true, -32768, 0},
      {"d280000000", true, -2147483648LL, 0},
      {"d38000000000000000", true, std::numeric_limits<std::int64_t>::min(), 0},
      {"d3ffffffffffffffff", true, -1, 0},
      {"d37fffffffffffffff", false, std::numeric_limits<std::int64_t>::max(), 9223372036854775807u},
  };
  for (const auto& c : cases) {
    INFO(c.hex);
    const mp::value v = parse(c.hex);
    CHECK(v.is_integer());
    CHECK(v.is_number());
    CHECK(v.is_negative_integer() == c.negative);
    REQUIRE(v.to_int64());
    CHECK(*v.to_int64() == c.s);
    if (c.negative) {
      CHECK(v.to_uint64().error() == errc::invalid_argument);
    } else {
      CHECK(*v.to_uint64() == c.u);
    }
    CHECK(*v.to_double() == static_cast<double>(c.s));
  }
  const mp::value big = parse("cfffffffffffffffff");
  CHECK(*big.to_uint64() == std::numeric_limits<std::uint64_t>::max());
  CHECK(big.to_int64().error() == errc::invalid_argument);
  CHECK(*big.to_double() == 18446744073709551616.0);  // rounded, as notepack.io's hi * 2^32 + lo
  CHECK(*parse("cf0020000000000001").to_double() == 9007199254740992.0);
}

TEST_CASE("value: floats") {
  CHECK(*parse("ca3fc00000").to_double() == 1.5);
  CHECK(*parse("cb3ff8000000000000").to_double() == 1.5);
  CHECK(std::isnan(*parse("ca7fc00000").to_double()));
  CHECK(std::isinf(*parse("cbfff0000000000000").to_double()));
  CHECK(std::signbit(*parse("cb8000000000000000").to_double()));
  const mp::value two = parse("cb4000000000000000");
  CHECK(two.is_floating());
  CHECK_FALSE(two.is_integer());
  CHECK(two.to_int64().error() == errc::invalid_argument);  // a float is not an integer form
  CHECK(two.to_uint64().error() == errc::invalid_argument);
  CHECK(parse("a0").to_double().error() == errc::invalid_argument);
}

TEST_CASE("value: scalars") {
  CHECK(parse("c0").is_nil());
  CHECK(parse("c3").get_bool());
  CHECK_FALSE(parse("c2").get_bool());
  CHECK(parse("c2").is_bool());
  const mp::value s = parse("a568656c6c6f");
  CHECK(s.get_string() == "hello");
  CHECK(s.string_equals("hello"));
  CHECK_FALSE(s.string_equals("hell"));
  CHECK(parse("d90568656c6c6f").get_string() == "hello");
  CHECK(parse("a0").get_string().empty());
  CHECK(parse("a0").is_string());
  CHECK(parse("c403010203").bytes() == byte_view(unhex("010203")));
  CHECK(parse("c400").bytes().empty());
  CHECK(parse("c5000100").bytes().size() == 1);
}

TEST_CASE("value: notepack.io's extensions") {
  const mp::value undef = parse("d40000");
  CHECK(undef.is_undefined());
  CHECK(undef.type() == mp::kind::undefined);
  CHECK(undef.exists());
  const mp::value ab = parse("c70300010203");
  CHECK(ab.is_binary());
  CHECK(ab.bytes() == byte_view(unhex("010203")));
  CHECK(ab.ext_type() == 0);
  const mp::value date = parse("d7000000016f4f4e2a70");
  CHECK(date.is_ext());
  CHECK(date.ext_type() == 0);
  CHECK(date.bytes().size() == 8);
  const mp::value neg = parse("c702ff0102");
  CHECK(neg.is_ext());
  CHECK(neg.ext_type() == -1);
  CHECK(neg.bytes() == byte_view(unhex("0102")));
  CHECK(parse("d5000102").is_ext());  // fixext 2 of type 0: not binary for notepack.io
}

TEST_CASE("value: arrays") {
  const mp::value a = parse("9401a162c0"
                            "92c2c3");
  REQUIRE(a.is_array());
  CHECK(a.size() == 4);
  CHECK(a.elements().size() == 4);
  std::vector<mp::kind> kinds;
  for (const mp::value& e : a.elements()) kinds.push_back(e.type());
  CHECK(kinds ==
        std::vector<mp::kind>{mp::kind::integer, mp::kind::string, mp::kind::nil, mp::kind::array});
  CHECK(a[1].get_string() == "b");
  CHECK(a[3][1].get_bool());
  CHECK_FALSE(a[4].exists());
  CHECK_FALSE(a[3][7].exists());
  CHECK(a[3].raw() == byte_view(unhex("92c2c3")));
  CHECK(parse("90").elements().empty());
  CHECK(parse("dc0000").size() == 0);
  CHECK(parse("dd00000002c0c0").size() == 2);
  // The iterator is a forward iterator.
  auto it = a.elements().begin();
  auto copy = it++;
  CHECK(copy->is_integer());
  CHECK(it->is_string());
  CHECK(copy != it);
  CHECK(++copy == it);
}

TEST_CASE("value: maps") {
  const mp::value m = parse("84a16101a16292c0c0a16103"
                            "0102");
  REQUIRE(m.is_map());
  CHECK(m.size() == 4);
  std::vector<std::string> keys;
  for (const mp::member& e : m.members()) {
    keys.push_back(e.key.is_string() ? std::string(e.key.get_string()) : "#");
  }
  CHECK(keys == std::vector<std::string>{"a", "b", "a", "#"});
  mp::value v;
  REQUIRE(m.find("a", v));
  CHECK(*v.to_int64() == 3);  // the last occurrence wins
  REQUIRE(m.find("b", v));
  CHECK(v.size() == 2);
  CHECK_FALSE(m.find("c", v));
  CHECK_FALSE(m.find("1", v));  // an integer key is not a str
  CHECK_FALSE(parse("90").find("a", v));
  CHECK(parse("80").members().empty());
}

TEST_CASE("value: the absent value") {
  const mp::value none;
  CHECK_FALSE(none.exists());
  CHECK_FALSE(none.is_nil());
  CHECK(none.size() == 0);
  CHECK(none.elements().empty());
  CHECK(none.members().empty());
  CHECK(none.get_string().empty());
  CHECK(none.bytes().empty());
  CHECK(none.to_double().error() == errc::invalid_argument);
  CHECK_FALSE(mp::value::unchecked(byte_view()).exists());
}

TEST_CASE("value: unchecked views of hostile bytes stay in bounds") {
  std::mt19937 rng(777);
  for (int iter = 0; iter < 20000; ++iter) {
    std::vector<unsigned char> b(1 + rng() % 40);
    for (auto& c : b) {
      const auto r = rng() % 6;
      c = static_cast<unsigned char>(r == 0   ? 0xdc + rng() % 4
                                     : r == 1 ? 0x90 + rng() % 16
                                              : rng() % 256);
    }
    // Copy into an exactly sized heap block so that ASan sees any overread.
    std::vector<unsigned char> exact(b.begin(), b.end());
    const mp::value v = mp::value::unchecked(byte_view(exact.data(), exact.size()));
    CHECK(v.raw().size() <= exact.size());
    (void)visit(v);
  }
}

TEST_CASE("value: parse reports validate's errors") {
  const std::string b = unhex("9201c1");
  const auto r = mp::parse(byte_view(b));
  CHECK(r.error() == errc::invalid_msgpack);
  CHECK(r.offset() == 2);
}
