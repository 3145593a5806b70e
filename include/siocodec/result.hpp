// SPDX-License-Identifier: BSL-1.0
// result<T> for one-shot calls and decode_status for incremental ones.
#ifndef SIOCODEC_RESULT_HPP
#define SIOCODEC_RESULT_HPP

#include <siocodec/config.hpp>
#include <siocodec/error.hpp>

#include <cstddef>
#include <type_traits>
#include <utility>

SIOCODEC_BEGIN_NAMESPACE

/// The outcome of a one-shot call: a value or an `errc`, plus a byte offset.
///
/// The surface is a strict subset of C++23 `std::expected<T, errc>` (has_value, operator bool,
/// value, error, value_or, operator*, operator->) so that code written against it keeps working
/// if it is ever aliased to std::expected, plus one addition: offset(). On failure, offset() is
/// the byte offset in the input where decoding failed; on success it is the number of input bytes
/// the call consumed (for encoders: bytes written).
///
/// Unlike std::expected, value() on an error does not throw: it fires SIOCODEC_ASSERT, which
/// aborts by default. Check first. T is always a small view or trivially copyable struct, so a
/// result is cheap to return and copy.
template <class T>
class [[nodiscard]] result {
  static_assert(std::is_default_constructible<T>::value, "result<T> requires a default T");

 public:
  using value_type = T;
  using error_type = errc;

  /// A success holding `v`; `consumed` is reported by offset().
  constexpr result(T v,
                   std::size_t consumed = 0) noexcept(std::is_nothrow_move_constructible<T>::value)
      : value_(std::move(v)), offset_(consumed), error_(error_type::none) {}

  /// A success holding a value-initialized T, built in place (no T is moved): for a caller that
  /// fills the value through operator* and returns the result by NRVO.
  constexpr result(std::in_place_t,
                   std::size_t consumed) noexcept(std::is_nothrow_default_constructible<T>::value)
      : value_(), offset_(consumed), error_(error_type::none) {}

  /// A failure with code `e` (not errc::none) at byte `offset`.
  constexpr result(error_type e, std::size_t offset = 0) noexcept
      : value_(), offset_(offset), error_(e) {}

  constexpr bool has_value() const noexcept { return error_ == error_type::none; }
  constexpr explicit operator bool() const noexcept { return has_value(); }

  /// The error code; errc::none on success.
  constexpr error_type error() const noexcept { return error_; }

  /// Failure: offset of the offending byte. Success: bytes consumed or written.
  constexpr std::size_t offset() const noexcept { return offset_; }

  constexpr T& value() & noexcept {
    SIOCODEC_ASSERT(has_value());
    return value_;
  }
  constexpr const T& value() const& noexcept {
    SIOCODEC_ASSERT(has_value());
    return value_;
  }
  /// On a temporary result, the value itself rather than a reference into the temporary: T is
  /// a view, so `const auto& p = *decode(text);` and `arguments(*decode(text))` keep a copy
  /// that lives as long as they need it (std::expected would return T&&, which dangles there).
  constexpr T value() && noexcept(std::is_nothrow_move_constructible<T>::value) {
    SIOCODEC_ASSERT(has_value());
    return std::move(value_);
  }

  template <class U>
  constexpr T value_or(U&& fallback) const& {
    return has_value() ? value_ : static_cast<T>(std::forward<U>(fallback));
  }

  constexpr T& operator*() & noexcept { return value(); }
  constexpr const T& operator*() const& noexcept { return value(); }
  /// By value, as value() &&.
  constexpr T operator*() && noexcept(std::is_nothrow_move_constructible<T>::value) {
    return std::move(*this).value();
  }
  constexpr T* operator->() noexcept { return &value(); }
  constexpr const T* operator->() const noexcept { return &value(); }

 private:
  T value_;
  std::size_t offset_;
  error_type error_;
};

/// The outcome of one step of an incremental call (a resumable decoder's feed()).
///
/// `consumed` counts the input bytes used. On failure it is also the offset of the offending byte
/// within the input of that call, in the manner of llhttp's error position. `ec` is errc::none
/// on success.
struct [[nodiscard]] decode_status {
  std::size_t consumed = 0;
  errc ec = errc::none;

  constexpr bool ok() const noexcept { return ec == errc::none; }
  constexpr explicit operator bool() const noexcept { return ok(); }
};

SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_RESULT_HPP
