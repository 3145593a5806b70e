// SPDX-License-Identifier: BSL-1.0
// json::value: a lazy, non-owning view of one JSON value inside validated text (no DOM).
#ifndef SIOCODEC_JSON_VALUE_HPP
#define SIOCODEC_JSON_VALUE_HPP

#include <siocodec/config.hpp>
#include <siocodec/detail/lazy_range.hpp>
#include <siocodec/detail/lazy_value.hpp>
#include <siocodec/error.hpp>
#include <siocodec/json/validate.hpp>
#include <siocodec/json/walk.hpp>
#include <siocodec/result.hpp>
#include <siocodec/sink.hpp>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>

// Only size-first builds use it: the others do not parse its big-integer code.
#if SIOCODEC_SIZE_FIRST
#include <siocodec/detail/decimal.hpp>
#endif

SIOCODEC_BEGIN_NAMESPACE
namespace json {

namespace detail {
struct value_access;
struct array_cursor;
struct object_cursor;
}  // namespace detail

/// Forward iterator over the elements of an array (a "stashing" iterator: dereferencing yields a
/// reference into the iterator, so copy the value if it must outlive the next increment). The
/// end iterator is value-initialised.
using array_iterator = ::SIOCODEC_NAMESPACE::detail::stashing_iterator<detail::array_cursor>;
/// The elements of an array: begin() / end() for range-for, empty().
using array_range = ::SIOCODEC_NAMESPACE::detail::lazy_range<detail::array_cursor>;
/// Forward iterator over the members of an object; same conventions as array_iterator.
using object_iterator = ::SIOCODEC_NAMESPACE::detail::stashing_iterator<detail::object_cursor>;
/// The members of an object: begin() / end() for range-for, empty().
using object_range = ::SIOCODEC_NAMESPACE::detail::lazy_range<detail::object_cursor>;

/// A view of one JSON value inside text that validate() accepted: a pointer, a length and a
/// kind. Nothing is copied or decoded until asked for; the view is valid while the text lives.
///
/// Navigation (elements(), members(), size(), operator[], find()) walks the text each time it is
/// called: a full iteration is O(bytes of the value), and nothing is cached (a recursive walk of
/// every level is O(bytes x depth), depth being bounded by options::max_depth). Keep the values
/// an iteration yields if you need them again.
///
/// The accessors trust that the text was validated and skip through it without re-checking the
/// grammar. They stay memory safe on any text (they never read outside raw() and always
/// terminate), so a value made by unchecked() from unvalidated text gives unspecified answers,
/// never undefined behaviour.
///
/// A default-constructed value is the *absent* value: kind null, raw() empty, exists() false.
/// operator[] past the end and an object iterator's value after a missing one return it.
///
/// type() is the kind (from the first byte); raw() the exact bytes of the value, without
/// surrounding whitespace (strings keep their quotes); exists() false only for the absent value.
/// These, operator[] and find() come from detail::lazy_value (detail/lazy_value.hpp), which
/// msgpack::value shares.
class value : public ::SIOCODEC_NAMESPACE::detail::lazy_value<value, char, kind, std::string_view> {
 public:
  /// The absent value (kind null, empty raw()).
  constexpr value() noexcept = default;

  /// A view of `raw`, trusted to be one JSON value that validate() accepted; leading and trailing
  /// JSON whitespace are trimmed. Nothing is checked (that is the point: a layer that validated
  /// the whole text once can look at parts of it for free). The kind comes from the first byte.
  static value unchecked(std::string_view raw) noexcept;

  constexpr bool is_null() const noexcept { return kind_ == kind::null; }
  constexpr bool is_bool() const noexcept { return kind_ == kind::boolean; }
  constexpr bool is_number() const noexcept { return kind_ == kind::number; }
  constexpr bool is_string() const noexcept { return kind_ == kind::string; }
  constexpr bool is_array() const noexcept { return kind_ == kind::array; }
  constexpr bool is_object() const noexcept { return kind_ == kind::object; }

  /// true for `true`. Precondition: is_bool() (anything else gives false).
  bool get_bool() const noexcept { return size_ != 0 && data_[0] == 't'; }

  // --- strings ---------------------------------------------------------------------------------

  /// The bytes between the quotes, escapes not expanded. Empty for a non-string.
  std::string_view string_raw() const noexcept;
  /// True when the string contains a backslash escape (so string_raw() is not its content).
  bool has_escapes() const noexcept;
  /// True when the decoded content of this string equals `utf8` byte for byte (escapes expanded
  /// as unescape_to() does, so `"\u00e9"`, `"é"` and `"\u00E9"` all equal "é", and `"\ud83d\ude00"`
  /// equals the UTF-8 of U+1F600; a lone surrogate escape compares as U+FFFD, see
  /// unescape_to()). False for a non-string. Stops at the first difference.
  bool string_equals(std::string_view utf8) const noexcept;
  /// The number of bytes unescape_to() writes. 0 for a non-string.
  std::size_t unescaped_size() const noexcept;
  /// Writes the decoded content of the string, as UTF-8, to `out`.
  ///
  /// Escapes are expanded; `\u` pairs of a high and a low surrogate become one 4-byte sequence.
  /// A `\u` escape naming a surrogate that is not part of such a pair (validate() accepts those,
  /// as JSON.parse does) becomes U+FFFD (EF BF BD), one per lone surrogate: exactly what Node's
  /// TextEncoder and Buffer.from(string) do when the JS string the reference decoded is written
  /// out as UTF-8, so the output is always valid UTF-8 and the lossy step is the same as the
  /// reference's. Use string_raw() when the escapes themselves matter.
  ///
  /// @return bytes written (also offset()).
  /// Errors: invalid_argument (not a string), output_too_small (cap < unescaped_size(); nothing
  /// written; offset() is cap).
  result<std::size_t> unescape_to(char* out, std::size_t cap) const noexcept;
  /// Appends the decoded content to `out` (any resizable byte container; exactly one resize).
  /// Errors: invalid_argument (not a string), out_of_memory (a container whose try_resize()
  /// failed; nothing written).
  template <class C>
  result<std::size_t> unescape(C& out) const;

  // --- numbers (the raw text is kept, so no precision is lost before you choose a type) -------

  /// True for a number written without fraction or exponent (`-12`, not `12.0` or `1e3`).
  bool is_integer() const noexcept;
  /// The number as an unsigned 64-bit integer. `-0` gives 0.
  /// @return the value; offset() is raw().size().
  /// Errors: invalid_argument: not a number, not an integer as written (`1.0`, `1e3`; offset of
  /// the `.`/`e`), negative (offset 0), or above 18446744073709551615 (offset of the digit that
  /// overflows). No new error code: callers map it to their own (ack_id_overflow...).
  result<std::uint64_t> to_uint64() const noexcept;
  /// The number as a signed 64-bit integer, -9223372036854775808 to 9223372036854775807.
  /// Errors: invalid_argument: not a number, not an integer as written, or out of range (offset
  /// of the digit that overflows).
  result<std::int64_t> to_int64() const noexcept;
  /// The number as the IEEE double JavaScript's Number() / JSON.parse gives: correctly rounded
  /// (round to nearest, ties to even), `1e400` -> +Infinity, `-1e400` -> -Infinity, `1e-400` ->
  /// +0, `-0` -> -0.
  /// Errors: invalid_argument (not a number, or raw() does not follow the JSON number grammar;
  /// offset of the offending byte).
  result<double> to_double() const noexcept;

  // --- arrays and objects ----------------------------------------------------------------------

  /// The elements of an array, in order, as a forward range of value. Empty for a non-array.
  array_range elements() const noexcept;
  /// The members of an object, in text order (duplicates included), as a forward range of
  /// member. Empty for a non-object.
  object_range members() const noexcept;
  /// Number of elements (array) or members (object, duplicates counted); 0 otherwise. O(n).
  std::size_t size() const noexcept;
  // operator[](std::size_t) and find(std::string_view, value&): see detail::lazy_value (keys are
  // compared after unescaping, as string_equals() does; the LAST occurrence wins, as with
  // JSON.parse).

 private:
  friend struct detail::array_cursor;
  friend struct detail::object_cursor;
  friend struct detail::value_access;
  constexpr value(const char* data, std::size_t size, kind k) noexcept
      : lazy_value(data, size, k) {}
};

/// One member of an object: `key` (a string value) and `val`.
using member = ::SIOCODEC_NAMESPACE::detail::basic_member<value>;

namespace detail {

/// Walks the elements of an array: the Cursor of array_iterator (see detail/lazy_range.hpp).
struct array_cursor {
  using item = value;
  static constexpr bool counted = false;
  value cur;                  // the absent value at the end
  const char* at = nullptr;   // for start(): just past the '[' ...
  const char* end = nullptr;  // ... up to the closing ']'

  const char* position() const noexcept { return cur.raw().data(); }
  void start() noexcept { load(at); }
  void next() noexcept;
  void load(const char* p) noexcept;
};

/// Walks the members of an object: the Cursor of object_iterator.
struct object_cursor {
  using item = member;
  static constexpr bool counted = false;
  member cur;
  const char* at = nullptr;
  const char* end = nullptr;

  const char* position() const noexcept { return cur.key.raw().data(); }
  void start() noexcept { load(at); }
  void next() noexcept;
  void load(const char* p) noexcept;
};

}  // namespace detail

/// Validates `text` (exactly as validate()) and returns its root value.
/// @return the root value (raw() without the surrounding whitespace); offset() is text.size().
/// Errors: those of validate(), with the same offsets.
result<value> parse(std::string_view text, const options& opts = {}) noexcept;

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

/// A value from a token its caller found while validating: already trimmed, so the kind is
/// taken from its first byte with none of unchecked()'s trimming.
struct value_access {
  static constexpr value token(std::string_view raw) noexcept {
    return raw.empty() ? value() : value(raw.data(), raw.size(), kind_of(raw[0]));
  }
};

}  // namespace detail

SIOCODEC_ALWAYS_INLINE value value::unchecked(std::string_view raw) noexcept {
  const char* b = raw.data();
  const char* e = b + raw.size();
  b = detail::skip_ws(b, e);
  while (e != b && detail::is_ws(e[-1])) --e;
  if (b == e) return value();
  return value(b, static_cast<std::size_t>(e - b), detail::kind_of(*b));
}

inline std::string_view value::string_raw() const noexcept {
  if (kind_ != kind::string || size_ < 2) return {};
  return {data_ + 1, size_ - 2};
}

inline bool value::has_escapes() const noexcept {
  const std::string_view s = string_raw();
  return !s.empty() && std::memchr(s.data(), '\\', s.size()) != nullptr;
}

inline bool value::string_equals(std::string_view utf8) const noexcept {
  if (kind_ != kind::string) return false;
  const std::string_view s = string_raw();
  const char* t = utf8.data();
  std::size_t left = utf8.size();
  const bool same = detail::decode_string(s.data(), s.data() + s.size(),
                                          [&t, &left](const char* piece, std::size_t n) {
                                            if (n > left || std::memcmp(piece, t, n) != 0)
                                              return false;
                                            t += n;
                                            left -= n;
                                            return true;
                                          });
  return same && left == 0;
}

inline std::size_t value::unescaped_size() const noexcept {
  const std::string_view s = string_raw();
  std::size_t n = 0;
  (void)detail::decode_string(s.data(), s.data() + s.size(), [&n](const char*, std::size_t k) {
    n += k;
    return true;
  });
  return n;
}

inline result<std::size_t> value::unescape_to(char* out, std::size_t cap) const noexcept {
  if (kind_ != kind::string) return {errc::invalid_argument, 0};
  const std::size_t n = unescaped_size();
  if (n > cap) return {errc::output_too_small, cap};
  const std::string_view s = string_raw();
  (void)detail::decode_string(s.data(), s.data() + s.size(),
                              [&out](const char* piece, std::size_t k) {
                                std::memcpy(out, piece, k);
                                out += k;
                                return true;
                              });
  return {n, n};
}

template <class C>
result<std::size_t> value::unescape(C& out) const {
  static_assert(::SIOCODEC_NAMESPACE::detail::is_growable_buffer<C>::value,
                "unescape() needs a resizable container of one-byte elements");
  if (kind_ != kind::string) return {errc::invalid_argument, 0};
  const std::size_t n = unescaped_size();
  const std::size_t old = out.size();
  // The one allocation.
  if (!::SIOCODEC_NAMESPACE::detail::resize_buffer(out, old + n)) return {errc::out_of_memory, 0};
  return unescape_to(reinterpret_cast<char*>(out.data()) + old, n);
}

inline bool value::is_integer() const noexcept {
  if (kind_ != kind::number) return false;
  for (std::size_t i = 0; i < size_; ++i) {
    const char c = data_[i];
    if (c == '.' || c == 'e' || c == 'E') return false;
  }
  return true;
}

inline result<std::uint64_t> value::to_uint64() const noexcept {
  if (kind_ != kind::number || size_ == 0) return {errc::invalid_argument, 0};
  std::size_t i = data_[0] == '-' ? 1 : 0;
  const bool negative = i == 1;
  if (i == size_) return {errc::invalid_argument, i};
  std::uint64_t v = 0;
  constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  for (; i < size_; ++i) {
    if (!detail::is_digit(data_[i])) return {errc::invalid_argument, i};
    const auto d = static_cast<std::uint64_t>(data_[i] - '0');
    if (v > (max - d) / 10) return {errc::invalid_argument, i};
    v = v * 10 + d;
  }
  if (negative && v != 0) return {errc::invalid_argument, 0};
  return {v, size_};
}

inline result<std::int64_t> value::to_int64() const noexcept {
  if (kind_ != kind::number || size_ == 0) return {errc::invalid_argument, 0};
  std::size_t i = data_[0] == '-' ? 1 : 0;
  const bool negative = i == 1;
  if (i == size_) return {errc::invalid_argument, i};
  // Accumulate the magnitude unsigned: |INT64_MIN| does not fit in int64.
  const std::uint64_t limit =
      std::uint64_t{static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())} +
      (negative ? 1u : 0u);
  std::uint64_t v = 0;
  for (; i < size_; ++i) {
    if (!detail::is_digit(data_[i])) return {errc::invalid_argument, i};
    const auto d = static_cast<std::uint64_t>(data_[i] - '0');
    if (v > (limit - d) / 10) return {errc::invalid_argument, i};
    v = v * 10 + d;
  }
  if (!negative) return {static_cast<std::int64_t>(v), size_};
  if (v == 0) return {std::int64_t{0}, size_};
  // -(v - 1) - 1 stays in range for v == 2^63.
  return {-static_cast<std::int64_t>(v - 1) - 1, size_};
}

inline result<double> value::to_double() const noexcept {
  if (kind_ != kind::number || size_ == 0) return {errc::invalid_argument, 0};
  const char* const end = data_ + size_;
  // The JSON grammar first: from_chars alone would also take "inf", "nan" and "1." here.
  const detail::scan_result r = detail::validate_number(data_, end);
  if (r.ec != errc::none || r.p != end) {
    return {errc::invalid_argument, static_cast<std::size_t>(r.p - data_)};
  }
#if SIOCODEC_SIZE_FIRST
  // No std::from_chars(double) and its tables: the same correctly rounded value, slower.
  return {::SIOCODEC_NAMESPACE::detail::parse_double(data_, end), size_};
#else
  double d = 0;
  const std::from_chars_result fc = std::from_chars(data_, end, d, std::chars_format::general);
  if (fc.ec == std::errc() && fc.ptr == end) return {d, size_};
  if (fc.ec != std::errc::result_out_of_range) return {errc::invalid_argument, 0};
  // from_chars reports magnitudes beyond double as errors; JavaScript rounds them to Infinity or
  // zero. Out of range means |x| > DBL_MAX or |x| < half the smallest denormal, so the sign of
  // the decimal exponent of the first significant digit says which.
  const char* p = data_;
  const bool negative = *p == '-';
  if (negative) ++p;
  std::int64_t lead = 0;  // decimal exponent of the first significant digit
  bool seen = false;
  std::int64_t int_digits = 0;
  for (; p != end && detail::is_digit(*p); ++p) {
    if (*p != '0' && !seen) seen = true;
    if (seen) ++int_digits;
  }
  lead = int_digits - 1;
  if (p != end && *p == '.') {
    ++p;
    std::int64_t pos = 0;
    for (; p != end && detail::is_digit(*p); ++p) {
      --pos;
      if (*p != '0' && !seen) {
        seen = true;
        lead = pos;
      }
    }
  }
  std::int64_t exp = 0;
  if (p != end && (*p == 'e' || *p == 'E')) {
    ++p;
    const bool eneg = *p == '-';
    if (*p == '-' || *p == '+') ++p;
    for (; p != end; ++p) {
      if (exp < 100000000) exp = exp * 10 + (*p - '0');  // saturates far beyond any double
    }
    if (eneg) exp = -exp;
  }
  double mag = 0;
  if (seen && lead + exp >= 0) mag = std::numeric_limits<double>::infinity();
  return {negative ? -mag : mag, size_};
#endif
}

inline array_range value::elements() const noexcept {
  if (kind_ != kind::array || size_ < 2) return {};
  return array_range(detail::array_cursor{value(), data_ + 1, data_ + size_ - 1});
}

inline object_range value::members() const noexcept {
  if (kind_ != kind::object || size_ < 2) return {};
  return object_range(detail::object_cursor{member(), data_ + 1, data_ + size_ - 1});
}

inline std::size_t value::size() const noexcept {
  std::size_t n = 0;
  if (kind_ == kind::array) {
    for (auto it = elements().begin(); it != array_iterator(); ++it) ++n;
  } else if (kind_ == kind::object) {
    for (auto it = members().begin(); it != object_iterator(); ++it) ++n;
  }
  return n;
}

inline void detail::array_cursor::load(const char* p) noexcept {
  p = skip_ws(p, end);
  if (p == end || p == nullptr) {
    cur = value();
    return;
  }
  const char* q = skip_value(p, end);
  cur = value(p, static_cast<std::size_t>(q - p), kind_of(*p));
}

inline void detail::array_cursor::next() noexcept {
  if (cur.data_ == nullptr) return;
  const char* p = skip_ws(cur.data_ + cur.size_, end);
  // Anything but a comma after an element ends the array (in validated text: only ']' can).
  load(p != end && *p == ',' ? p + 1 : end);
}

inline void detail::object_cursor::load(const char* p) noexcept {
  p = skip_ws(p, end);
  if (p == end || p == nullptr) {
    cur = member();
    return;
  }
  const char* q = skip_value(p, end);
  cur.key = value(p, static_cast<std::size_t>(q - p), kind_of(*p));
  p = skip_ws(q, end);
  if (p != end && *p == ':') p = skip_ws(p + 1, end);
  if (p == end) {
    cur.val = value();
    return;
  }
  q = skip_value(p, end);
  cur.val = value(p, static_cast<std::size_t>(q - p), kind_of(*p));
}

inline void detail::object_cursor::next() noexcept {
  if (cur.key.data_ == nullptr) return;
  const value& last = cur.val.exists() ? cur.val : cur.key;
  const char* p = skip_ws(last.data_ + last.size_, end);
  load(p != end && *p == ',' ? p + 1 : end);
}

inline result<value> parse(std::string_view text, const options& opts) noexcept {
  const result<kind> k = validate(text, opts);
  if (!k) return {k.error(), k.offset()};
  return {value::unchecked(text), text.size()};
}

}  // namespace json
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_JSON_VALUE_HPP
