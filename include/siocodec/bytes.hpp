// SPDX-License-Identifier: BSL-1.0
// byte_view and byte_span: the library's spans of binary data (C++17 has no std::span).
#ifndef SIOCODEC_BYTES_HPP
#define SIOCODEC_BYTES_HPP

#include <siocodec/config.hpp>

#include <cstddef>
#include <cstring>
#include <string_view>

SIOCODEC_BEGIN_NAMESPACE

/// A read-only view of binary data: a pointer and a length, nothing owned. Text is
/// std::string_view throughout the library; binary (attachments, WebSocket binary frames, decoded
/// base64) is byte_view, so the two cannot be confused in an interface.
class byte_view {
 public:
  using value_type = unsigned char;
  using const_iterator = const unsigned char*;

  constexpr byte_view() noexcept = default;
  constexpr byte_view(const unsigned char* data, std::size_t size) noexcept
      : data_(data), size_(size) {}
  byte_view(const void* data, std::size_t size) noexcept
      : data_(static_cast<const unsigned char*>(data)), size_(size) {}
  /// Views the bytes of a string; nothing is copied.
  explicit byte_view(std::string_view s) noexcept : byte_view(s.data(), s.size()) {}

  constexpr const unsigned char* data() const noexcept { return data_; }
  constexpr std::size_t size() const noexcept { return size_; }
  constexpr bool empty() const noexcept { return size_ == 0; }
  constexpr const unsigned char* begin() const noexcept { return data_; }
  constexpr const unsigned char* end() const noexcept { return data_ + size_; }
  /// Precondition: i < size().
  constexpr unsigned char operator[](std::size_t i) const noexcept { return data_[i]; }

  /// The same bytes as a string_view (for APIs that take char data).
  std::string_view as_chars() const noexcept {
    return {reinterpret_cast<const char*>(data_), size_};
  }

  friend bool operator==(byte_view a, byte_view b) noexcept {
    return a.size_ == b.size_ && (a.size_ == 0 || std::memcmp(a.data_, b.data_, a.size_) == 0);
  }
  friend bool operator!=(byte_view a, byte_view b) noexcept { return !(a == b); }

 private:
  const unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
};

/// Writable caller storage: where decoders put bytes they must produce (decoded base64).
class byte_span {
 public:
  constexpr byte_span() noexcept = default;
  constexpr byte_span(unsigned char* data, std::size_t size) noexcept : data_(data), size_(size) {}
  byte_span(void* data, std::size_t size) noexcept
      : data_(static_cast<unsigned char*>(data)), size_(size) {}
  template <std::size_t N>
  constexpr byte_span(unsigned char (&array)[N]) noexcept : data_(array), size_(N) {}
  template <std::size_t N>
  byte_span(char (&array)[N]) noexcept : byte_span(static_cast<void*>(array), N) {}

  constexpr unsigned char* data() const noexcept { return data_; }
  constexpr std::size_t size() const noexcept { return size_; }
  constexpr bool empty() const noexcept { return size_ == 0; }
  constexpr operator byte_view() const noexcept { return {data_, size_}; }

 private:
  unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
};

SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_BYTES_HPP
