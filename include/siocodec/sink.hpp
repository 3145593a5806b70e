// SPDX-License-Identifier: BSL-1.0
// The one writer behind every encoder: measure, then write once into a fixed buffer or a container.
#ifndef SIOCODEC_SINK_HPP
#define SIOCODEC_SINK_HPP

#include <siocodec/config.hpp>
#include <siocodec/error.hpp>
#include <siocodec/result.hpp>

#include <cstddef>
#include <cstring>
#include <type_traits>
#include <utility>

SIOCODEC_BEGIN_NAMESPACE

namespace detail {
// Containers whose growth can fail without exceptions (detail::rvector over a caller's
// memory_resource): try_resize() returns false, reported as out_of_memory.
template <class C, class = void>
struct has_try_resize : std::false_type {};
template <class C>
struct has_try_resize<C, std::void_t<decltype(std::declval<C&>().try_resize(std::size_t{}))>>
    : std::true_type {};
}  // namespace detail

/// True for containers an encoder can append to: contiguous storage of one-byte elements with
/// data(), size() and resize() (std::string, std::vector<char>, std::vector<unsigned char>,
/// std::pmr::string, ...). Not the library's own containers over a caller's memory_resource
/// (detail::rvector), whose resize() cannot report a failed growth: only the calls that check
/// try_resize() take them (detail::is_growable_buffer).
template <class C, class = void>
struct is_resizable_buffer : std::false_type {};
template <class C>
struct is_resizable_buffer<
    C, std::void_t<decltype(std::declval<C&>().data()), decltype(std::declval<C&>().size()),
                   decltype(std::declval<C&>().resize(std::size_t{}))>>
    : std::bool_constant<
          sizeof(*std::declval<C&>().data()) == 1 &&
          !std::is_const<std::remove_reference_t<decltype(*std::declval<C&>().data())>>::value &&
          !detail::has_try_resize<C>::value> {};

namespace detail {

// Every encoder is written once as `template <class W> error emit(W& w)` and run twice: first
// with size_counter (which validates and measures), then with buffer_writer into storage of
// exactly that size. The second pass therefore cannot run out of room and needs no checks.
struct size_counter {
  std::size_t n = 0;
  // Sizes come from caller views, so a sum can only wrap with absurd inputs (the same huge view
  // repeated); it is caught rather than trusted.
  bool overflow = false;
  void add(std::size_t k) noexcept {
    n += k;
    overflow |= n < k;
  }
  void put(char) noexcept { add(1); }
  void append(const char*, std::size_t k) noexcept { add(k); }
  void fill(char, std::size_t k) noexcept { add(k); }
  /// Reserves k bytes to be written directly; returns null (nothing to write into).
  char* reserve(std::size_t k) noexcept {
    add(k);
    return nullptr;
  }
  static constexpr bool counting = true;
};

struct buffer_writer {
  char* p;
  void put(char c) noexcept { *p++ = c; }
  void append(const char* s, std::size_t k) noexcept {
    if (k != 0) std::memcpy(p, s, k);
    p += k;
  }
  void fill(char c, std::size_t k) noexcept {
    if (k != 0) std::memset(p, c, k);
    p += k;
  }
  char* reserve(std::size_t k) noexcept {
    char* r = p;
    p += k;
    return r;
  }
  static constexpr bool counting = false;
};

// Frees a container's memory. shrink_to_fit() is only a request, and libstdc++'s vector ignores
// it under -fno-exceptions, so the buffer is swapped into a fresh container that then dies. The
// fresh one gets the same allocator (a pmr::string keeps its resource; swapping containers
// with unequal allocators would be undefined).
template <class C>
auto release_buffer_impl(C& c, int) noexcept -> decltype(c.get_allocator(), void()) {
  C fresh(c.get_allocator());
  fresh.swap(c);
}
template <class C>
void release_buffer_impl(C& c, long) noexcept {
  C fresh{};
  using std::swap;
  swap(fresh, c);
}
template <class C>
void release_buffer(C& c) noexcept {
  release_buffer_impl(c, 0);
}

template <class Emit>
result<std::size_t> measure(Emit&& emit) noexcept {
  size_counter c;
  errc e = emit(c);
  if (e != errc::none) return {e, 0};
  if (c.overflow) return {errc::invalid_argument, 0};
  return {c.n, c.n};
}

template <class Emit>
result<std::size_t> write_bounded(char* out, std::size_t cap, Emit&& emit) noexcept {
  auto size = measure(emit);
  if (!size) return size;
  if (*size > cap) return {errc::output_too_small, cap};
  buffer_writer w{out};
  (void)emit(w);
  return size;
}

// What the calls that grow through resize_buffer() take: a resizable buffer, or a byte
// container whose growth can fail (try_resize()).
template <class C>
struct is_growable_buffer
    : std::bool_constant<is_resizable_buffer<C>::value || has_try_resize<C>::value> {};

// Resizes `out` to `n` bytes: false when a try_resize() container could not grow.
template <class Container>
bool resize_buffer(Container& out, std::size_t n) {
  if constexpr (has_try_resize<Container>::value) {
    return out.try_resize(n);
  } else {
    out.resize(n);
    return true;
  }
}

template <class Container, class Emit>
result<std::size_t> write_append(Container& out, Emit&& emit) {
  static_assert(is_growable_buffer<Container>::value,
                "encode() needs a resizable container of one-byte elements");
  auto size = measure(emit);
  if (!size) return size;
  const std::size_t old = out.size();
  // The one allocation.
  if (!resize_buffer(out, old + *size)) return {errc::out_of_memory, 0};
  buffer_writer w{reinterpret_cast<char*>(out.data()) + old};
  (void)emit(w);
  return size;
}

}  // namespace detail

SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SINK_HPP
