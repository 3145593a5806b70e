// SPDX-License-Identifier: BSL-1.0
#include <siocodec/result.hpp>

#include "support/catch.hpp"

#include <string_view>
#include <type_traits>
#include <utility>

using siocodec::decode_status;
using siocodec::errc;
using siocodec::result;

TEST_CASE("result holds a value and the bytes consumed") {
  result<int> r(42, 7);
  REQUIRE(r.has_value());
  REQUIRE(static_cast<bool>(r));
  CHECK(r.error() == errc::none);
  CHECK(r.value() == 42);
  CHECK(*r == 42);
  CHECK(r.offset() == 7);
  CHECK(r.value_or(1) == 42);
}

TEST_CASE("result holds an error and its offset") {
  result<std::string_view> r(errc::invalid_base64, 13);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error() == errc::invalid_base64);
  CHECK(r.offset() == 13);
  CHECK(r.value_or("fallback") == "fallback");
}

TEST_CASE("result operator-> reaches members") {
  struct point {
    int x = 0, y = 0;
  };
  result<point> r(point{3, 4});
  CHECK(r->x == 3);
  CHECK(r->y == 4);
}

TEST_CASE("decode_status is ok only without an error") {
  constexpr decode_status ok{5, errc::none};
  constexpr decode_status bad{2, errc::truncated};
  static_assert(ok.ok() && !bad.ok(), "");
  CHECK(bad.consumed == 2);
}

// Issue 17.4: operator* and value() on a temporary give the value, not a reference into the
// temporary, so that a reference bound to them (or a range built over them) stays valid.
TEST_CASE("a temporary result hands out its value by value") {
  static_assert(std::is_same<decltype(*result<int>(1)), int>::value, "");
  static_assert(std::is_same<decltype(result<int>(1).value()), int>::value, "");
  static_assert(std::is_same<decltype(*std::declval<result<int>&>()), int&>::value, "");
  static_assert(std::is_same<decltype(*std::declval<const result<int>&>()), const int&>::value, "");
  const auto make = [] { return result<std::string_view>(std::string_view("abc"), 3); };
  const std::string_view& v = *make();
  CHECK(v == "abc");
  const std::string_view& w = make().value();
  CHECK(w.size() == 3);
}
