// SPDX-License-Identifier: BSL-1.0
// The iterator and range shapes of every lazy view: json::value, msgpack::value,
// engineio::payload_reader, and the Socket.IO reading API (socketio/any.hpp,
// default_parser/args.hpp).
#ifndef SIOCODEC_DETAIL_LAZY_RANGE_HPP
#define SIOCODEC_DETAIL_LAZY_RANGE_HPP

#include <siocodec/config.hpp>

#include <cstddef>
#include <iterator>
#include <type_traits>

SIOCODEC_BEGIN_NAMESPACE
namespace detail {

// A Cursor walks the elements of one container of a lazy view (a JSON array or object, a msgpack
// array or map, a packet's arguments); the views differ only in how a step reads their format.
// It has
// - `item`, the element type (a value, or a member for objects and maps), and a member `cur`
//   holding the current element, absent (data() null) at the end;
// - `start()`, which loads the first element from the position the range gave it;
// - `next()`, which loads the one after `cur` (nothing at the end);
// - `position()`, where `cur` starts (null at the end): two iterators are equal when equal;
// - `counted`: true when `size()` gives the number of elements before start() (msgpack);
// - optionally `walk_size` (true): the range offers size() by walking when not counted (the
//   Socket.IO ranges promise size() for either parser; a bare JSON range leaves it out, so that
//   an O(n) size() is not mistaken for msgpack's O(1) one);
// - optionally `category`, the iterator category when not forward (a reader that moves on with
//   its iterator, as engineio::payload_reader does, is an input range).
// A value-initialised Cursor is the end.

template <class Cursor, class = void>
struct cursor_walk_size : std::false_type {};
template <class Cursor>
struct cursor_walk_size<Cursor, std::enable_if_t<Cursor::walk_size>> : std::true_type {};

template <class Cursor, class = void>
struct cursor_category {
  using type = std::forward_iterator_tag;
};
template <class Cursor>
struct cursor_category<Cursor, std::void_t<typename Cursor::category>> {
  using type = typename Cursor::category;
};

/// Forward (or input) iterator over a Cursor's elements. The end iterator is value-initialised.
/// Dereferencing yields a reference into the iterator itself (a "stashing" iterator): copy the
/// element if it must outlive the iterator's next increment.
template <class Cursor>
class stashing_iterator {
 public:
  using iterator_category = typename cursor_category<Cursor>::type;
  using value_type = typename Cursor::item;
  using difference_type = std::ptrdiff_t;
  using pointer = const value_type*;
  using reference = const value_type&;

  constexpr stashing_iterator() noexcept = default;
  /// The iterator at `c`'s first element.
  explicit stashing_iterator(const Cursor& c) noexcept : c_(c) { c_.start(); }

  reference operator*() const noexcept { return c_.cur; }
  pointer operator->() const noexcept { return &c_.cur; }
  stashing_iterator& operator++() noexcept {
    c_.next();
    return *this;
  }
  stashing_iterator operator++(int) noexcept {
    stashing_iterator old = *this;
    ++*this;
    return old;
  }
  friend bool operator==(const stashing_iterator& a, const stashing_iterator& b) noexcept {
    return a.c_.position() == b.c_.position();
  }
  friend bool operator!=(const stashing_iterator& a, const stashing_iterator& b) noexcept {
    return !(a == b);
  }

 private:
  Cursor c_;
};

/// The elements of a container: begin() / end() for range-for. Holds the Cursor before its
/// start(), so that nothing is read until begin() is called. Empty when value-initialised.
template <class Cursor>
class lazy_range {
 public:
  constexpr lazy_range() noexcept = default;
  explicit constexpr lazy_range(const Cursor& first) noexcept : first_(first) {}

  stashing_iterator<Cursor> begin() const noexcept { return stashing_iterator<Cursor>(first_); }
  stashing_iterator<Cursor> end() const noexcept { return {}; }
  /// True when the container has no elements: from the count when the Cursor knows it before
  /// walking (msgpack reads it from the header), else by loading the first element.
  bool empty() const noexcept {
    if constexpr (Cursor::counted) {
      return first_.size() == 0;
    } else {
      return begin() == end();
    }
  }
  /// Number of elements: O(1) for a counted Cursor, else a walk (walk_size Cursors only).
  template <class C = Cursor, class = std::enable_if_t<C::counted || cursor_walk_size<C>::value>>
  constexpr std::size_t size() const noexcept {
    if constexpr (C::counted) {
      return first_.size();
    } else {
      std::size_t n = 0;
      for (auto it = begin(); it != end(); ++it) ++n;
      return n;
    }
  }
  /// The Cursor before its start(): for a view whose elements are another view's, mapped.
  constexpr const Cursor& cursor() const noexcept { return first_; }

 protected:
  Cursor first_;
};

}  // namespace detail
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_DETAIL_LAZY_RANGE_HPP
