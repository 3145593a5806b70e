// SPDX-License-Identifier: BSL-1.0
// The stateful JSON writer: one value per call, commas placed, nesting checked, the first error
// kept; a fast path per call that writes straight into the buffer when there is room, and slow
// paths that write what fits and count the rest (json/sink.hpp). Its Socket.IO model is
// socketio::args_writer, which adds binary values (placeholders) and the value dispatch.
#ifndef SIOCODEC_JSON_WRITER_HPP
#define SIOCODEC_JSON_WRITER_HPP

#include <siocodec/config.hpp>
#include <siocodec/error.hpp>
#include <siocodec/json/sink.hpp>
#include <siocodec/json/validate.hpp>
#include <siocodec/json/write.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

SIOCODEC_BEGIN_NAMESPACE
namespace json {

/// The core of a JSON writer, shared by its models through CRTP (`Derived` is the model, which
/// every call returns so that calls chain): socketio::args_writer is the one the library has.
/// Each call appends one value (or opens/closes a container, or writes an object key) and
/// places the commas. Misuse does not throw or assert: the first error is kept and every later
/// call is ignored. Errors (error()): invalid_argument (a value where an object expects a key, a
/// key outside an object or twice in a row, a close that does not match the open container,
/// empty raw JSON, or raw JSON at the top that does not start with a value's first byte),
/// invalid_utf8 (a string or key that is not UTF-8), nesting_too_deep (deeper than the
/// max_depth the model gives).
template <class Derived>
class basic_writer {
 public:
  basic_writer(const basic_writer&) = delete;
  basic_writer& operator=(const basic_writer&) = delete;

  /// `null`.
  Derived& null() noexcept;
  /// `true` / `false`.
  Derived& boolean(bool b) noexcept;
  /// A number, exactly as JSON.stringify writes it (json::emit_number): NaN and ±Infinity as
  /// `null`, -0 as `0`, shortest round-trip digits, exponent form from 1e21 and below 1e-6.
  Derived& number(double d) noexcept;
  /// An integer in decimal, all of its digits. Values beyond ±2^53 lose precision in a
  /// JavaScript peer (as they would if JSON.stringify had written them).
  template <
      class Int,
      std::enable_if_t<std::is_integral<Int>::value && !std::is_same<Int, bool>::value, int> = 0>
  Derived& integer(Int v) noexcept;
  /// A JSON string, escaped exactly as JSON.stringify escapes it (json::emit_string).
  Derived& string(std::string_view utf8) noexcept;
  /// Pre-serialized JSON, verbatim (trusted: only its first byte is looked at).
  Derived& raw(std::string_view json) noexcept;
  /// `[` ... `]`.
  SIOCODEC_ALWAYS_INLINE Derived& begin_array() noexcept { return open(false); }
  SIOCODEC_ALWAYS_INLINE Derived& end_array() noexcept { return close(false); }
  /// `{` ... `}`; inside, alternate key() and one value.
  SIOCODEC_ALWAYS_INLINE Derived& begin_object() noexcept { return open(true); }
  SIOCODEC_ALWAYS_INLINE Derived& end_object() noexcept { return close(true); }
  /// An object key (escaped like a string) and its colon; the next value is its value.
  Derived& key(std::string_view utf8) noexcept;

  /// The first error so far (errc::none while all is well).
  errc error() const noexcept { return error_; }

 protected:
  static constexpr std::size_t stack_words = max_depth_limit / 64;

  /// Writes into `sink`; nests at most `max_depth` levels (at most max_depth_limit).
  basic_writer(detail::json_sink* sink, std::size_t max_depth) noexcept
      : sink_(sink), max_depth_(max_depth < max_depth_limit ? max_depth : max_depth_limit) {}
  ~basic_writer() = default;

  Derived& self() noexcept { return static_cast<Derived&>(*this); }

  // What may come next (st_), one byte that every call's fast path tests once: a value (after
  // a key, first in an array, or at the top before anything), a value after a comma (later in an
  // array), a key, a key after a comma, the top-level value, nothing (the top-level value is
  // written), or nothing ever again (an error). Keys and values have consecutive codes so that
  // `st_ <= st_value_comma` and `(st_ | 1) == st_key_comma` are the whole test, and st_ & 1 is
  // the comma to write.
  static constexpr std::uint8_t st_value = 0;
  static constexpr std::uint8_t st_value_comma = 1;
  static constexpr std::uint8_t st_key = 2;
  static constexpr std::uint8_t st_key_comma = 3;
  static constexpr std::uint8_t st_top = 4;
  static constexpr std::uint8_t st_done = 6;
  static constexpr std::uint8_t st_error = 7;

  bool begin_value(json::kind k) noexcept;
  bool fast_value(std::size_t k) const noexcept;
  // Where a fast path writes its value. Everything is read before the first store, which could
  // alias the writer's members, so that none is read again after the value is written.
  struct slot {
    detail::json_sink* sink;
    char* at;           // after the comma
    std::uint8_t next;  // st_ after the value
  };
  slot fast_start() noexcept;
  void fast_end(const slot& s, char* end) noexcept;
  bool counts_value() const noexcept;
  void count_value(std::size_t k) noexcept;
  void fail(errc e) noexcept {
    if (error_ == errc::none) error_ = e;
    st_ = st_error;
  }
  Derived& open(bool object) noexcept;
  Derived& close(bool object) noexcept;
  void enter(bool object) noexcept;
  void leave() noexcept;
  Derived& null_slow() noexcept;
  Derived& boolean_slow(bool b) noexcept;
  Derived& number_slow(double d) noexcept;
  Derived& integer_slow(std::uint64_t mag, bool neg) noexcept;
  Derived& string_slow(std::string_view utf8) noexcept;
  Derived& open_slow(bool object) noexcept;
  Derived& close_slow(bool object) noexcept;
  Derived& key_slow(std::string_view utf8) noexcept;

  detail::json_sink* sink_;
  std::size_t max_depth_;
  std::size_t depth_ = 0;
  // One bit per open container, 1 = object: enough to reject a mismatched close without a heap.
  // Left uninitialized (512 bytes, twice per encode): a bit is only read at a level open()
  // has entered, and open() writes it.
  std::uint64_t object_bits_[stack_words];
  errc error_ = errc::none;
  kind top_kind_ = kind::null;
  std::uint8_t st_ = st_top;
  // What st_ becomes after a value at the current level: st_value_comma in an array,
  // st_key_comma in an object, st_done at the top (kept at hand: every value sets st_ from it).
  std::uint8_t after_value_ = st_done;
};

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

// The kind of value raw JSON text holds, from its first byte (the text is trusted).
inline bool raw_kind(std::string_view json, json::kind& k) noexcept {
  if (json.empty()) return false;
  switch (json.front()) {
    case '{': k = json::kind::object; return true;
    case '[': k = json::kind::array; return true;
    case '"': k = json::kind::string; return true;
    case 'n': k = json::kind::null; return true;
    case 't':
    case 'f': k = json::kind::boolean; return true;
    default: break;
  }
  if (json.front() == '-' || (json.front() >= '0' && json.front() <= '9')) {
    k = json::kind::number;
    return true;
  }
  return false;
}

}  // namespace detail

// Every value call has a fast path, inline: st_ says a value is welcome (the comma to write
// before it, 0 or 1, is st_ itself) and the sink has room for comma and value, which are then
// written with no further check. Everything else goes out of line to the *_slow functions,
// which start with begin_value() and write piece by piece through the json_sink (which writes
// what fits and counts the rest).

// The checks before a value, out of the fast path: the top-level value, an error, a value where
// a key or nothing may come. Writes the comma when one is due.
template <class D>
inline bool basic_writer<D>::begin_value(json::kind k) noexcept {
  if (st_ <= st_value_comma) {
    if (st_ == st_value_comma) sink_->put(',');
    return true;
  }
  if (st_ == st_top) {  // a payload is one JSON value: the first one at the top
    top_kind_ = k;
    return true;
  }
  if (st_ != st_error) fail(errc::invalid_argument);
  return false;
}

// In the slow paths: a value is welcome and the sink only counts (see json_sink::counts_only).
template <class D>
SIOCODEC_ALWAYS_INLINE bool basic_writer<D>::counts_value() const noexcept {
  return st_ <= st_value_comma && sink_->counts_only();
}
// Counts a value of `k` bytes and its comma (after counts_value()).
template <class D>
SIOCODEC_ALWAYS_INLINE void basic_writer<D>::count_value(std::size_t k) noexcept {
  sink_->add(st_ + k);
  st_ = after_value_;
}

// The room check of a fast path: `k` bytes after the (possible) comma.
template <class D>
SIOCODEC_ALWAYS_INLINE bool basic_writer<D>::fast_value(std::size_t k) const noexcept {
  return st_ <= st_value_comma && sink_->has_room(k + 1);
}

// The start of a fast path (after fast_value()): writes the comma when one is due.
template <class D>
SIOCODEC_ALWAYS_INLINE typename basic_writer<D>::slot basic_writer<D>::fast_start() noexcept {
  const std::size_t comma = st_;
  const std::uint8_t next = after_value_;
  detail::json_sink* sink = sink_;
  char* o = sink->p;
  *o = ',';
  return {sink, o + comma, next};
}
// The end of a fast path: the value ends at `end`.
template <class D>
SIOCODEC_ALWAYS_INLINE void basic_writer<D>::fast_end(const slot& s, char* end) noexcept {
  s.sink->p = end;
  st_ = s.next;
}

template <class D>
SIOCODEC_ALWAYS_INLINE D& basic_writer<D>::null() noexcept {
  if (SIOCODEC_LIKELY(fast_value(4))) {
    const slot at = fast_start();
    char* o = at.at;
    std::memcpy(o, "null", 4);
    fast_end(at, o + 4);
    return self();
  }
  return null_slow();
}

template <class D>
SIOCODEC_NOINLINE inline D& basic_writer<D>::null_slow() noexcept {
  if (counts_value()) {
    count_value(4);
    return self();
  }
  if (!begin_value(json::kind::null)) return self();
  sink_->append("null", 4);
  st_ = after_value_;
  return self();
}

template <class D>
SIOCODEC_ALWAYS_INLINE D& basic_writer<D>::boolean(bool b) noexcept {
  if (SIOCODEC_LIKELY(fast_value(5))) {
    const slot at = fast_start();
    char* o = at.at;
    if (b) {
      std::memcpy(o, "true", 4);
      fast_end(at, o + 4);
    } else {
      std::memcpy(o, "false", 5);
      fast_end(at, o + 5);
    }
    return self();
  }
  return boolean_slow(b);
}

template <class D>
SIOCODEC_NOINLINE inline D& basic_writer<D>::boolean_slow(bool b) noexcept {
  if (counts_value()) {
    count_value(b ? 4 : 5);
    return self();
  }
  if (!begin_value(json::kind::boolean)) return self();
  if (b) {
    sink_->append("true", 4);
  } else {
    sink_->append("false", 5);
  }
  st_ = after_value_;
  return self();
}

template <class D>
SIOCODEC_ALWAYS_INLINE D& basic_writer<D>::number(double d) noexcept {
  // json::detail::format_number formats into 32 bytes: with that much room, format in place.
  if (SIOCODEC_LIKELY(fast_value(32))) {
    const slot at = fast_start();
    char* o = at.at;
    fast_end(at, o + json::detail::format_number(d, o));
    return self();
  }
  return number_slow(d);
}

template <class D>
SIOCODEC_NOINLINE inline D& basic_writer<D>::number_slow(double d) noexcept {
  if (counts_value()) {
    char buf[32];
    count_value(json::detail::format_number(d, buf));
    return self();
  }
  if (!begin_value(json::kind::number)) return self();
  json::emit_number(*sink_, d);
  st_ = after_value_;
  return self();
}

template <class D>
template <class Int,
          std::enable_if_t<std::is_integral<Int>::value && !std::is_same<Int, bool>::value, int>>
SIOCODEC_ALWAYS_INLINE D& basic_writer<D>::integer(Int v) noexcept {
  // The magnitude in unsigned arithmetic: -INT64_MIN overflows int64.
  bool neg = false;
  std::uint64_t mag = 0;
  if constexpr (std::is_signed<Int>::value) {
    const auto i = static_cast<std::int64_t>(v);
    neg = i < 0;
    mag = neg ? std::uint64_t{0} - static_cast<std::uint64_t>(i) : static_cast<std::uint64_t>(i);
  } else {
    mag = static_cast<std::uint64_t>(v);
  }
  if (SIOCODEC_LIKELY(fast_value(21))) {
    const slot at = fast_start();
    char* o = at.at;
    *o = '-';
    o += neg ? 1 : 0;
    fast_end(at, json::detail::write_uint(mag, o));
    return self();
  }
  return integer_slow(mag, neg);
}

template <class D>
SIOCODEC_NOINLINE inline D& basic_writer<D>::integer_slow(std::uint64_t mag, bool neg) noexcept {
  if (counts_value()) {
    count_value((neg ? 1U : 0U) + static_cast<std::size_t>(json::detail::decimal_digits(mag)));
    return self();
  }
  if (!begin_value(json::kind::number)) return self();
  if (neg) sink_->put('-');
  json::emit_uint(*sink_, mag);
  st_ = after_value_;
  return self();
}

template <class D>
SIOCODEC_ALWAYS_INLINE D& basic_writer<D>::string(std::string_view utf8) noexcept {
  // Most strings are short plain ASCII: one room check for comma, quotes and text, and the
  // text copied while it is checked (the slow path rewrites it otherwise).
  if (SIOCODEC_LIKELY(st_ <= st_value_comma)) {
    detail::json_sink& s = *sink_;
    const std::size_t n = utf8.size();
    // n + 3 cannot wrap: n is the size of an object in memory.
    if (SIOCODEC_LIKELY(n + 3 <= static_cast<std::size_t>(s.end - s.p))) {
      const slot at = fast_start();
      char* o = at.at;
      *o++ = '"';
      if (SIOCODEC_LIKELY(json::detail::copy_plain(o, utf8.data(), n))) {
        o[n] = '"';
        fast_end(at, o + n + 1);
        return self();
      }
    }
  }
  return string_slow(utf8);
}

template <class D>
SIOCODEC_NOINLINE inline D& basic_writer<D>::string_slow(std::string_view utf8) noexcept {
  if (counts_value() && json::detail::is_plain_string(utf8.data(), utf8.size())) {
    count_value(utf8.size() + 2);
    return self();
  }
  if (!begin_value(json::kind::string)) return self();
  detail::json_sink& s = *sink_;
  errc e;
  if (SIOCODEC_LIKELY(detail::has_string_room(s, utf8.size(), 0))) {
    detail::raw_sink r{s.p};
    e = json::emit_string(r, utf8);
    s.p = r.p;
  } else {
    e = json::emit_string(s, utf8);
  }
  if (SIOCODEC_UNLIKELY(e != errc::none)) {
    fail(e);
    return self();
  }
  st_ = after_value_;
  return self();
}

template <class D>
inline D& basic_writer<D>::raw(std::string_view json) noexcept {
  json::kind k = json::kind::null;
  if (!detail::raw_kind(json, k)) {
    // Empty text would leave a hole; at the top, leading whitespace would be read as an ack id.
    if (error_ == errc::none && (json.empty() || depth_ == 0)) {
      fail(errc::invalid_argument);
      return self();
    }
  }
  if (!begin_value(k)) return self();
  sink_->append(json.data(), json.size());
  st_ = after_value_;
  return self();
}

template <class D>
SIOCODEC_ALWAYS_INLINE void basic_writer<D>::enter(bool object) noexcept {
  const std::uint64_t bit = std::uint64_t{1} << (depth_ % 64);
  if (object) {
    object_bits_[depth_ / 64] |= bit;
  } else {
    object_bits_[depth_ / 64] &= ~bit;
  }
  ++depth_;
  st_ = object ? st_key : st_value;
  after_value_ = object ? st_key_comma : st_value_comma;
}

template <class D>
SIOCODEC_ALWAYS_INLINE D& basic_writer<D>::open(bool object) noexcept {
  if (SIOCODEC_LIKELY(fast_value(1) && depth_ < max_depth_)) {
    const std::size_t comma = st_;
    char* o = sink_->p;
    *o = ',';
    o += comma;
    *o = object ? '{' : '[';
    sink_->p = o + 1;
    enter(object);
    return self();
  }
  return open_slow(object);
}

template <class D>
SIOCODEC_NOINLINE inline D& basic_writer<D>::open_slow(bool object) noexcept {
  if (counts_value() && depth_ < max_depth_) {
    sink_->add(st_ + std::size_t{1});
    enter(object);
    return self();
  }
  if (!begin_value(object ? json::kind::object : json::kind::array)) return self();
  if (SIOCODEC_UNLIKELY(depth_ >= max_depth_)) {
    fail(errc::nesting_too_deep);
    return self();
  }
  sink_->put(object ? '{' : '[');
  enter(object);
  return self();
}

template <class D>
SIOCODEC_ALWAYS_INLINE D& basic_writer<D>::close(bool object) noexcept {
  // after_value_ tells the container that is open (none at the top: st_done), st_ | 1 whether
  // a key or a value may come next: both must be the close's (a key waiting for its value is
  // not; an error state matches neither).
  const std::uint8_t open = object ? st_key_comma : st_value_comma;
  if (SIOCODEC_LIKELY((st_ | 1) == open && after_value_ == open && sink_->has_room(1))) {
    *sink_->p++ = object ? '}' : ']';
    leave();
    return self();
  }
  return close_slow(object);
}

template <class D>
SIOCODEC_ALWAYS_INLINE void basic_writer<D>::leave() noexcept {
  --depth_;
  if (depth_ == 0) {
    after_value_ = st_done;
  } else {
    const std::size_t top = depth_ - 1;
    after_value_ =
        ((object_bits_[top / 64] >> (top % 64)) & 1U) != 0 ? st_key_comma : st_value_comma;
  }
  st_ = after_value_;
}

template <class D>
SIOCODEC_NOINLINE inline D& basic_writer<D>::close_slow(bool object) noexcept {
  if (error_ != errc::none) return self();
  const std::uint8_t open = object ? st_key_comma : st_value_comma;
  if ((st_ | 1) != open || after_value_ != open) {
    fail(errc::invalid_argument);
    return self();
  }
  if (sink_->counts_only()) {
    sink_->add(1);
  } else {
    sink_->put(object ? '}' : ']');
  }
  leave();
  return self();
}

template <class D>
SIOCODEC_ALWAYS_INLINE D& basic_writer<D>::key(std::string_view utf8) noexcept {
  // Keys are nearly always short plain ASCII: `,"key":` with one room check, the text copied
  // while it is checked.
  if (SIOCODEC_LIKELY((st_ | 1) == st_key_comma)) {
    detail::json_sink& s = *sink_;
    const std::size_t n = utf8.size();
    // n + 4 cannot wrap: n is the size of an object in memory.
    if (SIOCODEC_LIKELY(n + 4 <= static_cast<std::size_t>(s.end - s.p))) {
      const std::size_t comma = st_ & 1U;
      char* o = s.p;
      *o = ',';
      o += comma;
      *o++ = '"';
      if (SIOCODEC_LIKELY(json::detail::copy_plain(o, utf8.data(), n))) {
        o += n;
        o[0] = '"';
        o[1] = ':';
        s.p = o + 2;
        st_ = st_value;
        return self();
      }
    }
  }
  return key_slow(utf8);
}

template <class D>
SIOCODEC_NOINLINE inline D& basic_writer<D>::key_slow(std::string_view utf8) noexcept {
  if (error_ != errc::none) return self();
  if (SIOCODEC_UNLIKELY((st_ | 1) != st_key_comma)) {
    fail(errc::invalid_argument);
    return self();
  }
  const bool comma = (st_ & 1) != 0;
  detail::json_sink& s = *sink_;
  if (s.counts_only() && json::detail::is_plain_string(utf8.data(), utf8.size())) {
    s.add((comma ? 1U : 0U) + utf8.size() + 3);
    st_ = st_value;
    return self();
  }
  errc e;
  if (SIOCODEC_LIKELY(detail::has_string_room(s, utf8.size(), 2))) {
    detail::raw_sink r{s.p};
    if (comma) r.put(',');
    e = json::emit_string(r, utf8);
    r.put(':');
    s.p = r.p;
  } else {
    if (comma) s.put(',');
    e = json::emit_string(s, utf8);
    s.put(':');
  }
  if (SIOCODEC_UNLIKELY(e != errc::none)) {
    fail(e);
    return self();
  }
  st_ = st_value;
  return self();
}

}  // namespace json
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_JSON_WRITER_HPP
