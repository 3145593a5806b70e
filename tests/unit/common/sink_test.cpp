// SPDX-License-Identifier: BSL-1.0
// sink.hpp: the measure-then-write writer behind every encoder. Measured size == bytes written;
// a fixed buffer is never overrun (and untouched on output_too_small); a container is resized
// exactly once, and not at all on error; an emitter's error stops everything.
#include <siocodec/sink.hpp>

#include "support/catch.hpp"

#include <array>
#include <cstddef>
#include <limits>
#include <memory_resource>
#include <string>
#include <string_view>
#include <vector>

using siocodec::errc;
namespace detail = siocodec::detail;

namespace {

static_assert(siocodec::is_resizable_buffer<std::string>::value, "");
static_assert(siocodec::is_resizable_buffer<std::vector<char>>::value, "");
static_assert(siocodec::is_resizable_buffer<std::vector<unsigned char>>::value, "");
static_assert(siocodec::is_resizable_buffer<std::pmr::string>::value, "");
static_assert(!siocodec::is_resizable_buffer<std::vector<int>>::value, "elements of 4 bytes");
static_assert(!siocodec::is_resizable_buffer<std::array<char, 4>>::value, "no resize()");
static_assert(!siocodec::is_resizable_buffer<std::string_view>::value, "no resize()");
static_assert(!siocodec::is_resizable_buffer<const std::string>::value, "not writable");
static_assert(!siocodec::is_resizable_buffer<int>::value, "");

// Writes "ab", three 'x', then "cd" into a reserved slot: every writer operation once.
struct sample_emitter {
  int* calls;
  errc operator()(detail::size_counter& w) const {
    ++*calls;
    return emit(w);
  }
  errc operator()(detail::buffer_writer& w) const {
    ++*calls;
    return emit(w);
  }
  template <class W>
  static errc emit(W& w) {
    w.append("ab", 2);
    w.fill('x', 3);
    char* slot = w.reserve(2);
    if constexpr (!W::counting) {
      slot[0] = 'c';
      slot[1] = 'd';
    }
    w.put('!');
    return errc::none;
  }
};
constexpr std::string_view sample = "abxxxcd!";

// A container that counts its resizes.
struct counting_buffer {
  std::string s;
  int resizes = 0;
  char* data() { return &s[0]; }
  std::size_t size() const { return s.size(); }
  void resize(std::size_t n) {
    ++resizes;
    s.resize(n);
  }
};
static_assert(siocodec::is_resizable_buffer<counting_buffer>::value, "");

}  // namespace

TEST_CASE("sink: measure() reports what the writer will write") {
  int calls = 0;
  const auto n = detail::measure(sample_emitter{&calls});
  REQUIRE(n);
  CHECK(*n == sample.size());
  CHECK(calls == 1);
  // size_counter::reserve hands out no memory: an emitter must not write while counting.
  detail::size_counter c;
  CHECK(c.reserve(5) == nullptr);
  CHECK(c.n == 5);
}

TEST_CASE("sink: write_bounded() writes exactly, or nothing") {
  int calls = 0;
  char buf[16];
  std::string(sizeof buf, '.').copy(buf, sizeof buf);
  const auto exact = detail::write_bounded(buf, sample.size(), sample_emitter{&calls});
  REQUIRE(exact);
  CHECK(*exact == sample.size());
  CHECK(std::string_view(buf, sample.size()) == sample);
  CHECK(buf[sample.size()] == '.');  // nothing past the measured size
  CHECK(calls == 2);                 // measured, then written

  std::string(sizeof buf, '.').copy(buf, sizeof buf);
  const auto small = detail::write_bounded(buf, sample.size() - 1, sample_emitter{&calls});
  CHECK(small.error() == errc::output_too_small);
  CHECK(small.offset() == sample.size() - 1);  // the capacity that was given
  CHECK(std::string_view(buf, sizeof buf) == std::string(sizeof buf, '.'));
}

TEST_CASE("sink: write_append() appends with exactly one resize") {
  int calls = 0;
  counting_buffer out;
  out.s = "head:";
  const auto n = detail::write_append(out, sample_emitter{&calls});
  REQUIRE(n);
  CHECK(*n == sample.size());
  CHECK(out.s == "head:" + std::string(sample));
  CHECK(out.resizes == 1);
  std::vector<unsigned char> bytes;
  REQUIRE(detail::write_append(bytes, sample_emitter{&calls}));
  CHECK(std::string(bytes.begin(), bytes.end()) == sample);
}

TEST_CASE("sink: an emitter's error, or a size that wraps, stops before anything is written") {
  const auto failing = [](auto&) { return errc::invalid_utf8; };
  char buf[4] = {'.', '.', '.', '.'};
  CHECK(detail::measure(failing).error() == errc::invalid_utf8);
  CHECK(detail::write_bounded(buf, sizeof buf, failing).error() == errc::invalid_utf8);
  CHECK(std::string_view(buf, 4) == "....");
  counting_buffer out;
  CHECK(detail::write_append(out, failing).error() == errc::invalid_utf8);
  CHECK(out.resizes == 0);

  // Sizes summed past SIZE_MAX are caught, not wrapped into a small allocation.
  const auto huge = [](auto& w) {
    w.fill('x', std::numeric_limits<std::size_t>::max());
    w.fill('x', 2);
    return errc::none;
  };
  CHECK(detail::measure(huge).error() == errc::invalid_argument);
  CHECK(detail::write_append(out, huge).error() == errc::invalid_argument);
  CHECK(out.resizes == 0);
}
