// SPDX-License-Identifier: BSL-1.0
// bytes.hpp: byte_view compares contents (never pointers), holds any byte, NUL included, and
// byte_span is writable storage that converts to a view of the same bytes.
#include <siocodec/bytes.hpp>

#include "support/catch.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

using siocodec::byte_span;
using siocodec::byte_view;

namespace {

constexpr unsigned char abc[3] = {'a', 'b', 'c'};

// Views are passed by value everywhere: they must stay two words and trivially copyable.
static_assert(std::is_trivially_copyable<byte_view>::value, "");
static_assert(std::is_trivially_copyable<byte_span>::value, "");
static_assert(sizeof(byte_view) == sizeof(void*) + sizeof(std::size_t), "");
// Usable in constant expressions.
static_assert(byte_view(abc, 3).size() == 3 && byte_view(abc, 3)[2] == 'c', "");
static_assert(byte_view().empty() && byte_view().data() == nullptr, "");
// Text and bytes do not mix implicitly: a string_view is not a byte_view without saying so.
static_assert(!std::is_convertible<std::string_view, byte_view>::value, "");
static_assert(std::is_constructible<byte_view, std::string_view>::value, "");
// A const view cannot become writable storage.
static_assert(!std::is_convertible<byte_view, byte_span>::value, "");
static_assert(std::is_convertible<byte_span, byte_view>::value, "");

}  // namespace

TEST_CASE("byte_view: equality is by content") {
  const std::string a("\x00\x01\xff", 3);
  const std::string b(a);  // other storage, same bytes
  CHECK(byte_view(a) == byte_view(b));
  CHECK_FALSE(byte_view(a) != byte_view(b));
  CHECK(byte_view(a) != byte_view(std::string_view(a).substr(0, 2)));
  CHECK(byte_view(a) != byte_view(std::string("\x00\x01\xfe", 3)));
  // Empty views are equal whatever they point at, a null pointer included.
  CHECK(byte_view() == byte_view(a.data(), 0));
  CHECK(byte_view(b.data() + 1, 0) == byte_view(a.data(), 0));
}

TEST_CASE("byte_view: every byte counts, NUL and high bytes included") {
  const std::string_view s("a\0b\x80", 4);
  const byte_view v(s);
  REQUIRE(v.size() == 4);
  CHECK(v.data() == reinterpret_cast<const unsigned char*>(s.data()));
  CHECK(v[1] == 0);
  CHECK(v[3] == 0x80);  // unsigned: no sign extension
  CHECK(v.as_chars() == s);
  std::size_t sum = 0;
  for (const unsigned char c : v) sum += c;
  CHECK(sum == 'a' + 'b' + 0x80u);
  CHECK(static_cast<std::size_t>(v.end() - v.begin()) == v.size());
  // The void* constructor views the same bytes.
  CHECK(byte_view(static_cast<const void*>(s.data()), s.size()) == v);
}

TEST_CASE("byte_span: writable storage seen as a view") {
  unsigned char raw[4] = {};
  byte_span span(raw);
  CHECK(span.size() == 4);
  CHECK(span.data() == raw);
  span.data()[0] = 7;
  const byte_view view = span;
  CHECK(view.size() == 4);
  CHECK(view[0] == 7);
  char text[5] = "abcd";  // the array, terminating NUL included: 5 bytes
  const byte_span chars(text);
  CHECK(chars.size() == 5);
  CHECK(static_cast<byte_view>(chars).as_chars() == std::string_view("abcd", 5));
  CHECK(byte_span().empty());
  CHECK(byte_span(static_cast<void*>(raw), 0).empty());
}
