// SPDX-License-Identifier: BSL-1.0
// msgpack::value: a lazy, non-owning view of one msgpack value inside validated bytes (no DOM).
#ifndef SIOCODEC_MSGPACK_VALUE_HPP
#define SIOCODEC_MSGPACK_VALUE_HPP

#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/detail/lazy_range.hpp>
#include <siocodec/detail/lazy_value.hpp>
#include <siocodec/error.hpp>
#include <siocodec/msgpack/reader.hpp>
#include <siocodec/result.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>

SIOCODEC_BEGIN_NAMESPACE
namespace msgpack {

namespace detail {
struct array_cursor;
struct map_cursor;
}  // namespace detail

/// The ranges and iterators of arrays and maps follow json::value's conventions (json/value.hpp):
/// forward iterators that stash the element (copy it if it must outlive the next increment),
/// value-initialised at the end. The ranges also tell their size(), read from the header: O(1).
using array_range = ::SIOCODEC_NAMESPACE::detail::lazy_range<detail::array_cursor>;
using map_range = ::SIOCODEC_NAMESPACE::detail::lazy_range<detail::map_cursor>;
using array_iterator = ::SIOCODEC_NAMESPACE::detail::stashing_iterator<detail::array_cursor>;
using map_iterator = ::SIOCODEC_NAMESPACE::detail::stashing_iterator<detail::map_cursor>;

/// A view of one msgpack value inside bytes that validate() accepted: a pointer, a length and a
/// kind, the counterpart of json::value. Nothing is copied or decoded until asked for; the view
/// is valid while the bytes live.
///
/// msgpack is length-prefixed, so a view knows more for free than a JSON one: size() of an array
/// or map is read from its header (O(1)), strings need no unescaping (get_string() is zero-copy),
/// and binary data is just bytes(). Reaching element i still skips the i elements before it
/// (O(bytes before it)); a full iteration is O(bytes of the value). Skipping counts the values
/// still to skip instead of keeping a stack, so it needs no memory at any depth.
///
/// The accessors trust that the bytes were validated and do not re-check them. They stay memory
/// safe on any bytes (they never read outside raw() and always terminate), so a value made by
/// unchecked() from unvalidated bytes gives unspecified answers, never undefined behaviour.
///
/// A default-constructed value is the *absent* value: kind nil, raw() empty, exists() false.
/// operator[] past the end, find() misses and the end iterators yield it.
///
/// type() is the kind (from the header); raw() the exact bytes of the value: header, payload,
/// and for containers all their elements; exists() false only for the absent value. These,
/// operator[] and find() come from detail::lazy_value (detail/lazy_value.hpp), as json::value's.
class value
    : public ::SIOCODEC_NAMESPACE::detail::lazy_value<value, unsigned char, kind, byte_view> {
 public:
  /// The absent value (kind nil, empty raw()).
  constexpr value() noexcept = default;

  /// A view of the first msgpack value in `bytes`, trusted to be valid (validate() accepted it,
  /// or it is part of a value it accepted). Bytes after that value are not part of the view.
  /// Empty bytes give the absent value.
  static value unchecked(byte_view bytes) noexcept;

  constexpr bool is_nil() const noexcept { return size_ != 0 && kind_ == kind::nil; }
  /// notepack.io's undefined: fixext 1 of type 0.
  constexpr bool is_undefined() const noexcept { return kind_ == kind::undefined; }
  constexpr bool is_bool() const noexcept { return kind_ == kind::boolean; }
  /// An integer family (fixints, uint 8-64, int 8-64).
  constexpr bool is_integer() const noexcept { return kind_ == kind::integer; }
  /// float 32 or float 64.
  constexpr bool is_floating() const noexcept { return kind_ == kind::floating; }
  /// An integer or a float: what JavaScript holds as a Number.
  constexpr bool is_number() const noexcept {
    return kind_ == kind::integer || kind_ == kind::floating;
  }
  constexpr bool is_string() const noexcept { return kind_ == kind::string; }
  /// bin 8/16/32, or ext 8/16/32 of type 0 (notepack.io's ArrayBuffer).
  constexpr bool is_binary() const noexcept { return kind_ == kind::binary; }
  constexpr bool is_array() const noexcept { return kind_ == kind::array; }
  constexpr bool is_map() const noexcept { return kind_ == kind::map; }
  /// Any other extension (notepack.io's Date, `d7 00`, included).
  constexpr bool is_ext() const noexcept { return kind_ == kind::ext; }

  /// true for c3. Precondition: is_bool() (anything else gives false).
  bool get_bool() const noexcept { return size_ != 0 && data_[0] == 0xc3; }

  // --- numbers -----------------------------------------------------------------------------------

  /// True for an integer below zero (negative fixint, or an int 8-64 holding a negative value).
  bool is_negative_integer() const noexcept;
  /// The integer, whatever width it was written with.
  /// @return the value; offset() is raw().size().
  /// Errors: invalid_argument: not an integer (a float, even 2.0, is not), or a uint 64 above
  /// 9223372036854775807 (offset 0).
  result<std::int64_t> to_int64() const noexcept;
  /// The integer, whatever width it was written with.
  /// Errors: invalid_argument: not an integer, or negative (offset 0).
  result<std::uint64_t> to_uint64() const noexcept;
  /// The number as the IEEE double JavaScript's notepack.io gives: a float 32 or 64 exactly; an
  /// integer rounded to nearest (ties to even) when it has more than 53 significant bits, as
  /// notepack.io's `hi * 2^32 + lo` does.
  /// Errors: invalid_argument (not a number; offset 0).
  result<double> to_double() const noexcept;

  // --- strings, binary, extensions -------------------------------------------------------------

  /// The bytes of a str (UTF-8 when validate() checked it; see options::check_utf8). Zero-copy.
  /// Empty for a non-string.
  std::string_view get_string() const noexcept;
  /// True when this is a str whose bytes equal `s`.
  bool string_equals(std::string_view s) const noexcept;
  /// The payload of a bin, of an ext of any type (binary from ext type 0 included) and of
  /// undefined (its one data byte). Zero-copy. Empty for other kinds.
  byte_view bytes() const noexcept;
  /// The type byte of an extension (kind ext, binary from an ext, undefined); 0 otherwise.
  std::int8_t ext_type() const noexcept;

  // --- arrays and maps -------------------------------------------------------------------------

  /// Elements of an array, or key/value pairs of a map, from the header: O(1). 0 otherwise.
  std::size_t size() const noexcept;
  /// The elements of an array, in order, as a forward range of value. Empty for a non-array.
  array_range elements() const noexcept;
  /// The pairs of a map, in order (duplicates included), as a forward range of member. Empty for
  /// a non-map.
  map_range members() const noexcept;
  // operator[](std::size_t) and find(std::string_view, value&): see detail::lazy_value (only str
  // keys can match; the LAST occurrence wins, as with notepack.io's plain property assignment).

 private:
  friend struct detail::array_cursor;
  friend struct detail::map_cursor;
  // The value starting at p (p < end), running at most to `end`.
  static value make(const unsigned char* p, const unsigned char* end) noexcept;
  constexpr value(const unsigned char* data, std::size_t size, kind k) noexcept
      : lazy_value(data, size, k) {}
};

/// One pair of a map: `key` and `val`.
using member = ::SIOCODEC_NAMESPACE::detail::basic_member<value>;

namespace detail {

/// Walks the elements of an array: the Cursor of array_iterator (see detail/lazy_range.hpp).
struct array_cursor {
  using item = value;
  static constexpr bool counted = true;
  value cur;                           // the absent value at the end
  const unsigned char* at = nullptr;   // for start(): the first element ...
  const unsigned char* end = nullptr;  // ... up to the end of the array's bytes
  std::uint64_t left = 0;              // elements from cur on (before start(): all of them)

  constexpr std::size_t size() const noexcept { return static_cast<std::size_t>(left); }
  const unsigned char* position() const noexcept { return cur.raw().data(); }
  void start() noexcept { load(at); }
  void next() noexcept;
  void load(const unsigned char* p) noexcept;
};

/// Walks the pairs of a map: the Cursor of map_iterator.
struct map_cursor {
  using item = member;
  static constexpr bool counted = true;
  member cur;
  const unsigned char* at = nullptr;
  const unsigned char* end = nullptr;
  std::uint64_t left = 0;  // pairs from cur on

  constexpr std::size_t size() const noexcept { return static_cast<std::size_t>(left); }
  const unsigned char* position() const noexcept { return cur.key.raw().data(); }
  void start() noexcept { load(at); }
  void next() noexcept;
  void load(const unsigned char* p) noexcept;
};

}  // namespace detail

/// Validates `bytes` (exactly as validate()) and returns its root value.
/// @return the root value; offset() is bytes.size().
/// Errors: those of validate(), with the same offsets.
result<value> parse(byte_view bytes, const options& opts = {}) noexcept;

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

namespace detail {

// An integer value as sign and bits: negative values in `s`, others in `u`.
struct integer_bits {
  bool negative = false;
  std::uint64_t u = 0;
  std::int64_t s = 0;
};

// Reads the integer at p (whose header says kind::integer, and whose payload fits in n bytes).
inline bool read_integer(const unsigned char* p, std::size_t n, integer_bits& out) noexcept {
  out = integer_bits();
  if (n == 0) return false;
  const std::uint8_t c = p[0];
  if (c < 0x80) {
    out.u = c;
    return true;
  }
  if (c >= 0xe0) {
    out.negative = true;
    out.s = static_cast<std::int64_t>(c) - 256;
    return true;
  }
  if (c >= 0xcc && c <= 0xcf) {
    const std::size_t w = std::size_t{1} << (c - 0xcc);
    if (n < 1 + w) return false;
    const unsigned char* q = p + 1;
    out.u = w == 1 ? q[0] : w == 2 ? load_be16(q) : w == 4 ? load_be32(q) : load_be64(q);
    return true;
  }
  if (c >= 0xd0 && c <= 0xd3) {
    const std::size_t w = std::size_t{1} << (c - 0xd0);
    if (n < 1 + w) return false;
    const unsigned char* q = p + 1;
    const std::uint64_t bits = w == 1   ? q[0]
                               : w == 2 ? load_be16(q)
                               : w == 4 ? load_be32(q)
                                        : load_be64(q);
    // Sign-extend from w bytes without relying on implementation-defined conversions.
    const unsigned shift = static_cast<unsigned>(64 - 8 * w);
    const std::uint64_t extended = bits << shift;
    const bool neg = (extended >> 63) != 0;
    if (!neg) {
      out.u = bits;
      return true;
    }
    // The two's-complement magnitude, computed unsigned: -(x) = ~x + 1.
    const std::uint64_t full = shift == 0 ? bits : (bits | (~std::uint64_t{0} << (8 * w)));
    const std::uint64_t mag = ~full + 1;  // 1 .. 2^63
    out.negative = true;
    out.s = mag == (std::uint64_t{1} << 63) ? std::numeric_limits<std::int64_t>::min()
                                            : -static_cast<std::int64_t>(mag);
    return true;
  }
  return false;
}

}  // namespace detail

inline value value::make(const unsigned char* p, const unsigned char* end) noexcept {
  if (p == nullptr || p >= end) return value();
  detail::header h;
  const kind k = detail::read_header(p, end, h) ? h.k : kind::nil;
  const unsigned char* q = detail::skip_value(p, end);
  return value(p, static_cast<std::size_t>(q - p), k);
}

inline value value::unchecked(byte_view bytes) noexcept {
  return make(bytes.data(), bytes.data() + bytes.size());
}

inline bool value::is_negative_integer() const noexcept {
  detail::integer_bits b;
  return kind_ == kind::integer && detail::read_integer(data_, size_, b) && b.negative;
}

inline result<std::int64_t> value::to_int64() const noexcept {
  detail::integer_bits b;
  if (kind_ != kind::integer || !detail::read_integer(data_, size_, b)) {
    return {errc::invalid_argument, 0};
  }
  if (b.negative) return {b.s, size_};
  if (b.u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return {errc::invalid_argument, 0};
  }
  return {static_cast<std::int64_t>(b.u), size_};
}

inline result<std::uint64_t> value::to_uint64() const noexcept {
  detail::integer_bits b;
  if (kind_ != kind::integer || !detail::read_integer(data_, size_, b) || b.negative) {
    return {errc::invalid_argument, 0};
  }
  return {b.u, size_};
}

inline result<double> value::to_double() const noexcept {
  if (kind_ == kind::integer) {
    detail::integer_bits b;
    if (!detail::read_integer(data_, size_, b)) return {errc::invalid_argument, 0};
    return {b.negative ? static_cast<double>(b.s) : static_cast<double>(b.u), size_};
  }
  if (kind_ == kind::floating) {
    if (data_[0] == 0xca && size_ >= 5) {
      const std::uint32_t bits = detail::load_be32(data_ + 1);
      float f;
      std::memcpy(&f, &bits, 4);
      return {static_cast<double>(f), size_};
    }
    if (data_[0] == 0xcb && size_ >= 9) {
      const std::uint64_t bits = detail::load_be64(data_ + 1);
      double d;
      std::memcpy(&d, &bits, 8);
      return {d, size_};
    }
  }
  return {errc::invalid_argument, 0};
}

inline std::string_view value::get_string() const noexcept {
  if (kind_ != kind::string) return {};
  detail::header h;
  if (!detail::read_header(data_, data_ + size_, h) || h.head + h.length > size_) return {};
  return {reinterpret_cast<const char*>(data_ + h.head), static_cast<std::size_t>(h.length)};
}

inline bool value::string_equals(std::string_view s) const noexcept {
  return kind_ == kind::string && get_string() == s;
}

inline byte_view value::bytes() const noexcept {
  if (kind_ != kind::binary && kind_ != kind::ext && kind_ != kind::undefined) return {};
  detail::header h;
  if (!detail::read_header(data_, data_ + size_, h) || h.head + h.length > size_) return {};
  return {data_ + h.head, static_cast<std::size_t>(h.length)};
}

inline std::int8_t value::ext_type() const noexcept {
  if (kind_ != kind::binary && kind_ != kind::ext && kind_ != kind::undefined) return 0;
  detail::header h;
  if (!detail::read_header(data_, data_ + size_, h)) return 0;
  return h.ext_type;
}

inline std::size_t value::size() const noexcept {
  if (kind_ != kind::array && kind_ != kind::map) return 0;
  detail::header h;
  if (!detail::read_header(data_, data_ + size_, h)) return 0;
  return static_cast<std::size_t>(h.count);
}

inline array_range value::elements() const noexcept {
  if (kind_ != kind::array) return {};
  detail::header h;
  if (!detail::read_header(data_, data_ + size_, h) || h.head > size_) return {};
  return array_range(detail::array_cursor{value(), data_ + h.head, data_ + size_, h.count});
}

inline map_range value::members() const noexcept {
  if (kind_ != kind::map) return {};
  detail::header h;
  if (!detail::read_header(data_, data_ + size_, h) || h.head > size_) return {};
  return map_range(detail::map_cursor{member(), data_ + h.head, data_ + size_, h.count});
}

inline void detail::array_cursor::load(const unsigned char* p) noexcept {
  cur = left != 0 ? value::make(p, end) : value();
  if (!cur.exists()) left = 0;
}

inline void detail::array_cursor::next() noexcept {
  if (cur.data_ == nullptr) return;
  --left;
  load(cur.data_ + cur.size_);
}

inline void detail::map_cursor::load(const unsigned char* p) noexcept {
  if (left == 0) {
    cur = member();
    return;
  }
  cur.key = value::make(p, end);
  if (!cur.key.exists()) {
    cur = member();
    left = 0;
    return;
  }
  cur.val = value::make(cur.key.data_ + cur.key.size_, end);
}

inline void detail::map_cursor::next() noexcept {
  if (cur.key.data_ == nullptr) return;
  --left;
  const value& last = cur.val.exists() ? cur.val : cur.key;
  load(last.data_ + last.size_);
}

inline result<value> parse(byte_view bytes, const options& opts) noexcept {
  const result<kind> k = validate(bytes, opts);
  if (!k) return {k.error(), k.offset()};
  return {value::unchecked(bytes), bytes.size()};
}

}  // namespace msgpack
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_MSGPACK_VALUE_HPP
