// SPDX-License-Identifier: BSL-1.0
// The iterator and range shapes of the Socket.IO reading API (any.hpp, default_parser/args.hpp):
// one stashing forward iterator over a cursor, one range from a first iterator to the end.
#ifndef SIOCODEC_SOCKETIO_DETAIL_STASHING_HPP
#define SIOCODEC_SOCKETIO_DETAIL_STASHING_HPP

#include <siocodec/config.hpp>

#include <cstddef>
#include <iterator>

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {
namespace detail {

/// A forward iterator that holds its current element by value ("stashing"), because the elements
/// are views made on the fly, not objects stored anywhere. The `Cursor` walks the sequence:
/// `value_type`, `void next() noexcept`, `value_type current() const noexcept` (the empty value
/// at the end) and `==`; a default-constructed cursor is the end of every sequence.
template <class Cursor>
class stashing_iterator {
 public:
  using iterator_category = std::forward_iterator_tag;
  using value_type = typename Cursor::value_type;
  using difference_type = std::ptrdiff_t;
  using pointer = const value_type*;
  using reference = const value_type&;
  using cursor_type = Cursor;

  stashing_iterator() noexcept = default;
  explicit stashing_iterator(const Cursor& c) noexcept : cursor_(c), cur_(c.current()) {}

  reference operator*() const noexcept { return cur_; }
  pointer operator->() const noexcept { return &cur_; }
  stashing_iterator& operator++() noexcept {
    cursor_.next();
    cur_ = cursor_.current();
    return *this;
  }
  stashing_iterator operator++(int) noexcept {
    stashing_iterator old = *this;
    ++*this;
    return old;
  }
  friend bool operator==(const stashing_iterator& a, const stashing_iterator& b) noexcept {
    return a.cursor_ == b.cursor_;
  }
  friend bool operator!=(const stashing_iterator& a, const stashing_iterator& b) noexcept {
    return !(a == b);
  }

 private:
  Cursor cursor_;
  value_type cur_;
};

/// The elements from `first` to the end (a default-constructed Iterator), for range-for.
template <class Iterator>
class first_end_range {
 public:
  first_end_range() noexcept = default;
  explicit first_end_range(Iterator first) noexcept : first_(first) {}
  Iterator begin() const noexcept { return first_; }
  Iterator end() const noexcept { return Iterator(); }
  bool empty() const noexcept { return first_ == Iterator(); }
  /// Number of elements: a walk over them.
  std::size_t size() const noexcept {
    std::size_t n = 0;
    for (Iterator it = first_; it != Iterator(); ++it) ++n;
    return n;
  }

 private:
  Iterator first_;
};

}  // namespace detail
}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_DETAIL_STASHING_HPP
