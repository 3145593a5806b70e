// SPDX-License-Identifier: BSL-1.0
// args_writer: the JSON model of the writer concept, which writes the arguments of a packet
// built from C++ values as JSON text, binary values becoming attachment placeholders.
#ifndef SIOCODEC_SOCKETIO_DEFAULT_PARSER_ARGS_WRITER_HPP
#define SIOCODEC_SOCKETIO_DEFAULT_PARSER_ARGS_WRITER_HPP

#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/error.hpp>
#include <siocodec/json/sink.hpp>
#include <siocodec/json/validate.hpp>
#include <siocodec/json/write.hpp>
#include <siocodec/socketio/arg_traits.hpp>
#include <siocodec/socketio/builders.hpp>
#include <siocodec/socketio/packet.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <string_view>
#include <type_traits>

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {

class args_writer;

namespace detail {
// The JSON sinks, under the names the Socket.IO encoders (frames.hpp) know them by.
using json::detail::has_string_room;
using json::detail::json_sink;
using json::detail::raw_sink;
using json::detail::text_checks;
using json::detail::text_counter;
struct args_access;
}  // namespace detail

/// Writes the JSON values of a packet built from C++ values: the callbacks given to event(),
/// ack()... receive one, and arg_traits specializations write through it. Each call appends one
/// value (or opens/closes a container, or writes an object key) and places the commas.
///
/// Binary values (binary(), byte_view, byte ranges) become `{"_placeholder":true,"num":N}`, N
/// counting from 0 in the order they are written, which is the reference encoder's depth-first
/// order; the encoder hands the byte views back in that order and promotes EVENT / ACK to
/// BINARY_EVENT / BINARY_ACK. Only EVENT and ACK may hold binary values.
///
/// How often the callbacks run depends on the call: once for encode_to() and for
/// encode_frames_to() over WebSocket and Engine.IO v4 polling when the text fits
/// SIOCODEC_ONE_PASS_BUFFER (it is written into the encoder's own buffer and copied to the
/// caller's on success; a longer text is written by a second run); twice for encode() and
/// encode_frames() into a growable container and for Engine.IO v3 polling frames (a measuring pass,
/// then a writing pass, so that the container grows exactly once and the length prefix precedes the
/// text); once for encoded_size(). When they run twice they must write the same values both times;
/// an encoder that notices a difference fails with invalid_argument rather than write past the size
/// it measured.
///
/// Misuse does not throw or assert: the first error is kept, every later call is ignored, and
/// the encoder returns that error. Errors: invalid_argument (a value where an object expects a
/// key, a key outside an object or twice in a row, a close that does not match the open
/// container, a container left open, empty raw JSON, a binary value in a packet type that
/// cannot carry attachments), invalid_utf8 (a string or key that is not UTF-8),
/// nesting_too_deep (deeper than encode_options::max_depth), too_many_attachments (more binary
/// values than encode_options::max_attachments).
class args_writer {
 public:
  args_writer(const args_writer&) = delete;
  args_writer& operator=(const args_writer&) = delete;

  /// `null`.
  args_writer& null() noexcept;
  /// `true` / `false`.
  args_writer& boolean(bool b) noexcept;
  /// A number, exactly as JSON.stringify writes it (json::emit_number): NaN and ±Infinity as
  /// `null`, -0 as `0`, shortest round-trip digits, exponent form from 1e21 and below 1e-6.
  args_writer& number(double d) noexcept;
  /// An integer in decimal, all of its digits. Values beyond ±2^53 lose precision in a
  /// JavaScript peer (as they would if JSON.stringify had written them).
  template <
      class Int,
      std::enable_if_t<std::is_integral<Int>::value && !std::is_same<Int, bool>::value, int> = 0>
  args_writer& integer(Int v) noexcept;
  /// A JSON string, escaped exactly as JSON.stringify escapes it (json::emit_string).
  args_writer& string(std::string_view utf8) noexcept;
  /// A binary attachment: writes its placeholder and records `bytes` (the view, not a copy).
  args_writer& binary(byte_view bytes) noexcept;
  /// Pre-serialized JSON, verbatim (see raw_json).
  args_writer& raw(std::string_view json) noexcept;
  /// `[` ... `]`.
  args_writer& begin_array() noexcept;
  args_writer& end_array() noexcept;
  /// `{` ... `}`; inside, alternate key() and one value (or use member()).
  args_writer& begin_object() noexcept;
  args_writer& end_object() noexcept;
  /// An object key (escaped like a string) and its colon; the next value is its value.
  args_writer& key(std::string_view utf8) noexcept;

  /// Any value arg_traits<T> knows how to write (the dispatch both parsers share).
  template <class T>
  args_writer& value(const T& v);
  /// value() for each argument, in order.
  template <class... T>
  args_writer& values(const T&... v);
  /// key(k) then value(v).
  template <class T>
  args_writer& member(std::string_view k, const T& v);

  /// The first error so far (error::none while all is well).
  ::SIOCODEC_NAMESPACE::error error() const noexcept { return error_; }
  /// Binary values written so far.
  std::size_t attachment_count() const noexcept { return attachments_; }
  /// The protocol being written (encode_options::version).
  protocol_version version() const noexcept { return version_; }

 private:
  friend struct detail::args_access;
  static constexpr std::size_t stack_words = json::max_depth_limit / 64;

  args_writer(detail::json_sink* sink, byte_view* atts, std::size_t atts_room, bool strict_atts,
              const encode_options& opts, bool binary_allowed) noexcept;

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
  void fail(::SIOCODEC_NAMESPACE::error e) noexcept {
    if (error_ == ::SIOCODEC_NAMESPACE::error::none) error_ = e;
    st_ = st_error;
  }
  args_writer& open(bool object) noexcept;
  args_writer& close(bool object) noexcept;
  void enter(bool object) noexcept;
  void leave() noexcept;
  args_writer& null_slow() noexcept;
  args_writer& boolean_slow(bool b) noexcept;
  args_writer& number_slow(double d) noexcept;
  args_writer& integer_slow(std::uint64_t mag, bool neg) noexcept;
  args_writer& string_slow(std::string_view utf8) noexcept;
  args_writer& open_slow(bool object) noexcept;
  args_writer& close_slow(bool object) noexcept;
  args_writer& key_slow(std::string_view utf8) noexcept;

  detail::json_sink* sink_;
  // Where the attachment views go, and how many fit. With strict_atts_ (the writing pass of a
  // measured packet) one more than measured is an error; otherwise views past the room are only
  // counted (the encoder then runs a writing pass to collect them).
  byte_view* atts_;
  std::size_t atts_room_;
  // The framed size of each attachment (frames.hpp), summed into att_cost_; SIZE_MAX from the
  // hook means "cannot be framed".
  std::size_t (*att_cost_fn_)(byte_view, const void*) noexcept = nullptr;
  const void* att_cost_ctx_ = nullptr;
  std::size_t att_cost_ = 0;
  std::size_t attachments_ = 0;
  std::size_t max_attachments_;
  std::size_t max_depth_;
  std::size_t depth_ = 0;
  // One bit per open container, 1 = object: enough to reject a mismatched close without a heap.
  // Left uninitialized (512 bytes, twice per encode): a bit is only read at a level open()
  // has entered, and open() writes it.
  std::uint64_t object_bits_[stack_words];
  ::SIOCODEC_NAMESPACE::error error_ = ::SIOCODEC_NAMESPACE::error::none;
  json::kind top_kind_ = json::kind::null;
  protocol_version version_;
  bool binary_allowed_;
  bool strict_atts_;
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

// The encoders' side door into args_writer.
struct args_access {
  static args_writer make(json_sink* s, byte_view* atts, std::size_t room, bool strict,
                          const encode_options& o, bool binary) noexcept {
    return args_writer(s, atts, room, strict, o, binary);
  }
  static void set_cost(args_writer& a, std::size_t (*fn)(byte_view, const void*) noexcept,
                       const void* ctx) noexcept {
    a.att_cost_fn_ = fn;
    a.att_cost_ctx_ = ctx;
  }
  static std::size_t cost(const args_writer& a) noexcept { return a.att_cost_; }
  // The outcome after the builder wrote everything: no error and nothing left open.
  static error finish(args_writer& a) noexcept {
    if (a.error_ == error::none && a.depth_ != 0) a.fail(error::invalid_argument);
    return a.error_;
  }
  // Whether a top-level value was written, for a writer whose finish() gave error::none: only
  // a value leaves st_top then (every other way out of it is an error, st_error).
  static bool has_value(const args_writer& a) noexcept {
    SIOCODEC_ASSERT(a.error_ == error::none);
    return a.st_ != args_writer::st_top;
  }
  static json::kind top_kind(const args_writer& a) noexcept { return a.top_kind_; }
};

}  // namespace detail

inline args_writer::args_writer(detail::json_sink* sink, byte_view* atts, std::size_t atts_room,
                                bool strict_atts, const encode_options& opts,
                                bool binary_allowed) noexcept
    : sink_(sink),
      atts_(atts),
      atts_room_(atts_room),
      max_attachments_(opts.max_attachments),
      max_depth_(opts.max_depth < json::max_depth_limit ? opts.max_depth : json::max_depth_limit),
      version_(opts.version),
      binary_allowed_(binary_allowed),
      strict_atts_(strict_atts) {}

// Every value call has a fast path, inline: st_ says a value is welcome (the comma to write
// before it, 0 or 1, is st_ itself) and the sink has room for comma and value, which are then
// written with no further check. Everything else goes out of line to the *_slow functions,
// which start with begin_value() and write piece by piece through the json_sink (which writes
// what fits and counts the rest).

// The checks before a value, out of the fast path: the top-level value, an error, a value where
// a key or nothing may come. Writes the comma when one is due.
inline bool args_writer::begin_value(json::kind k) noexcept {
  if (st_ <= st_value_comma) {
    if (st_ == st_value_comma) sink_->put(',');
    return true;
  }
  if (st_ == st_top) {  // a payload is one JSON value: the first one at the top
    top_kind_ = k;
    return true;
  }
  if (st_ != st_error) fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
  return false;
}

// In the slow paths: a value is welcome and the sink only counts (see json_sink::counts_only).
SIOCODEC_ALWAYS_INLINE bool args_writer::counts_value() const noexcept {
  return st_ <= st_value_comma && sink_->counts_only();
}
// Counts a value of `k` bytes and its comma (after counts_value()).
SIOCODEC_ALWAYS_INLINE void args_writer::count_value(std::size_t k) noexcept {
  sink_->add(st_ + k);
  st_ = after_value_;
}

// The room check of a fast path: `k` bytes after the (possible) comma.
SIOCODEC_ALWAYS_INLINE bool args_writer::fast_value(std::size_t k) const noexcept {
  return st_ <= st_value_comma && sink_->has_room(k + 1);
}

// The start of a fast path (after fast_value()): writes the comma when one is due.
SIOCODEC_ALWAYS_INLINE args_writer::slot args_writer::fast_start() noexcept {
  const std::size_t comma = st_;
  const std::uint8_t next = after_value_;
  detail::json_sink* sink = sink_;
  char* o = sink->p;
  *o = ',';
  return {sink, o + comma, next};
}
// The end of a fast path: the value ends at `end`.
SIOCODEC_ALWAYS_INLINE void args_writer::fast_end(const slot& s, char* end) noexcept {
  s.sink->p = end;
  st_ = s.next;
}

SIOCODEC_ALWAYS_INLINE args_writer& args_writer::null() noexcept {
  if (SIOCODEC_LIKELY(fast_value(4))) {
    const slot at = fast_start();
    char* o = at.at;
    std::memcpy(o, "null", 4);
    fast_end(at, o + 4);
    return *this;
  }
  return null_slow();
}

SIOCODEC_NOINLINE inline args_writer& args_writer::null_slow() noexcept {
  if (counts_value()) {
    count_value(4);
    return *this;
  }
  if (!begin_value(json::kind::null)) return *this;
  sink_->append("null", 4);
  st_ = after_value_;
  return *this;
}

SIOCODEC_ALWAYS_INLINE args_writer& args_writer::boolean(bool b) noexcept {
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
    return *this;
  }
  return boolean_slow(b);
}

SIOCODEC_NOINLINE inline args_writer& args_writer::boolean_slow(bool b) noexcept {
  if (counts_value()) {
    count_value(b ? 4 : 5);
    return *this;
  }
  if (!begin_value(json::kind::boolean)) return *this;
  if (b) {
    sink_->append("true", 4);
  } else {
    sink_->append("false", 5);
  }
  st_ = after_value_;
  return *this;
}

SIOCODEC_ALWAYS_INLINE args_writer& args_writer::number(double d) noexcept {
  // json::detail::format_number formats into 32 bytes: with that much room, format in place.
  if (SIOCODEC_LIKELY(fast_value(32))) {
    const slot at = fast_start();
    char* o = at.at;
    fast_end(at, o + json::detail::format_number(d, o));
    return *this;
  }
  return number_slow(d);
}

SIOCODEC_NOINLINE inline args_writer& args_writer::number_slow(double d) noexcept {
  if (counts_value()) {
    char buf[32];
    count_value(json::detail::format_number(d, buf));
    return *this;
  }
  if (!begin_value(json::kind::number)) return *this;
  json::emit_number(*sink_, d);
  st_ = after_value_;
  return *this;
}

template <class Int,
          std::enable_if_t<std::is_integral<Int>::value && !std::is_same<Int, bool>::value, int>>
SIOCODEC_ALWAYS_INLINE args_writer& args_writer::integer(Int v) noexcept {
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
    return *this;
  }
  return integer_slow(mag, neg);
}

SIOCODEC_NOINLINE inline args_writer& args_writer::integer_slow(std::uint64_t mag,
                                                                bool neg) noexcept {
  if (counts_value()) {
    count_value((neg ? 1U : 0U) + static_cast<std::size_t>(json::detail::decimal_digits(mag)));
    return *this;
  }
  if (!begin_value(json::kind::number)) return *this;
  if (neg) sink_->put('-');
  json::emit_uint(*sink_, mag);
  st_ = after_value_;
  return *this;
}

SIOCODEC_ALWAYS_INLINE args_writer& args_writer::string(std::string_view utf8) noexcept {
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
        return *this;
      }
    }
  }
  return string_slow(utf8);
}

SIOCODEC_NOINLINE inline args_writer& args_writer::string_slow(std::string_view utf8) noexcept {
  if (counts_value() && json::detail::is_plain_string(utf8.data(), utf8.size())) {
    count_value(utf8.size() + 2);
    return *this;
  }
  if (!begin_value(json::kind::string)) return *this;
  detail::json_sink& s = *sink_;
  ::SIOCODEC_NAMESPACE::error e;
  if (SIOCODEC_LIKELY(detail::has_string_room(s, utf8.size(), 0))) {
    detail::raw_sink r{s.p};
    e = json::emit_string(r, utf8);
    s.p = r.p;
  } else {
    e = json::emit_string(s, utf8);
  }
  if (SIOCODEC_UNLIKELY(e != ::SIOCODEC_NAMESPACE::error::none)) {
    fail(e);
    return *this;
  }
  st_ = after_value_;
  return *this;
}

inline args_writer& args_writer::binary(byte_view bytes) noexcept {
  if (!begin_value(json::kind::object)) return *this;
  if (!binary_allowed_) {
    fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
    return *this;
  }
  const std::size_t num = attachments_;
  if (num >= max_attachments_) {
    fail(::SIOCODEC_NAMESPACE::error::too_many_attachments);
    return *this;
  }
  if (num < atts_room_) {
    ::new (static_cast<void*>(atts_ + num)) byte_view(bytes);  // the slot may be raw storage
  } else if (strict_atts_) {                                   // more than the measuring pass saw
    fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
    return *this;
  }
  if (att_cost_fn_ != nullptr) {
    const std::size_t c = att_cost_fn_(bytes, att_cost_ctx_);
    if (c == static_cast<std::size_t>(-1) || att_cost_ + c < c) {
      fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
      return *this;
    }
    att_cost_ += c;
  }
  ++attachments_;
  detail::json_sink& s = *sink_;
  s.append("{\"_placeholder\":true,\"num\":", 27);
  json::emit_uint(s, num);
  s.put('}');
  st_ = after_value_;
  return *this;
}

inline args_writer& args_writer::raw(std::string_view json) noexcept {
  json::kind k = json::kind::null;
  if (!detail::raw_kind(json, k)) {
    // Empty text would leave a hole; at the top, leading whitespace would be read as an ack id.
    if (error_ == ::SIOCODEC_NAMESPACE::error::none && (json.empty() || depth_ == 0)) {
      fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
      return *this;
    }
  }
  if (!begin_value(k)) return *this;
  sink_->append(json.data(), json.size());
  st_ = after_value_;
  return *this;
}

SIOCODEC_ALWAYS_INLINE void args_writer::enter(bool object) noexcept {
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

SIOCODEC_ALWAYS_INLINE args_writer& args_writer::open(bool object) noexcept {
  if (SIOCODEC_LIKELY(fast_value(1) && depth_ < max_depth_)) {
    const std::size_t comma = st_;
    char* o = sink_->p;
    *o = ',';
    o += comma;
    *o = object ? '{' : '[';
    sink_->p = o + 1;
    enter(object);
    return *this;
  }
  return open_slow(object);
}

SIOCODEC_NOINLINE inline args_writer& args_writer::open_slow(bool object) noexcept {
  if (counts_value() && depth_ < max_depth_) {
    sink_->add(st_ + std::size_t{1});
    enter(object);
    return *this;
  }
  if (!begin_value(object ? json::kind::object : json::kind::array)) return *this;
  if (SIOCODEC_UNLIKELY(depth_ >= max_depth_)) {
    fail(::SIOCODEC_NAMESPACE::error::nesting_too_deep);
    return *this;
  }
  sink_->put(object ? '{' : '[');
  enter(object);
  return *this;
}

SIOCODEC_ALWAYS_INLINE args_writer& args_writer::close(bool object) noexcept {
  // after_value_ tells the container that is open (none at the top: st_done), st_ | 1 whether
  // a key or a value may come next: both must be the close's (a key waiting for its value is
  // not; an error state matches neither).
  const std::uint8_t open = object ? st_key_comma : st_value_comma;
  if (SIOCODEC_LIKELY((st_ | 1) == open && after_value_ == open && sink_->has_room(1))) {
    *sink_->p++ = object ? '}' : ']';
    leave();
    return *this;
  }
  return close_slow(object);
}

SIOCODEC_ALWAYS_INLINE void args_writer::leave() noexcept {
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

SIOCODEC_NOINLINE inline args_writer& args_writer::close_slow(bool object) noexcept {
  if (error_ != ::SIOCODEC_NAMESPACE::error::none) return *this;
  const std::uint8_t open = object ? st_key_comma : st_value_comma;
  if ((st_ | 1) != open || after_value_ != open) {
    fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
    return *this;
  }
  if (sink_->counts_only()) {
    sink_->add(1);
  } else {
    sink_->put(object ? '}' : ']');
  }
  leave();
  return *this;
}

SIOCODEC_ALWAYS_INLINE args_writer& args_writer::begin_array() noexcept { return open(false); }
SIOCODEC_ALWAYS_INLINE args_writer& args_writer::end_array() noexcept { return close(false); }
SIOCODEC_ALWAYS_INLINE args_writer& args_writer::begin_object() noexcept { return open(true); }
SIOCODEC_ALWAYS_INLINE args_writer& args_writer::end_object() noexcept { return close(true); }

SIOCODEC_ALWAYS_INLINE args_writer& args_writer::key(std::string_view utf8) noexcept {
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
        return *this;
      }
    }
  }
  return key_slow(utf8);
}

SIOCODEC_NOINLINE inline args_writer& args_writer::key_slow(std::string_view utf8) noexcept {
  if (error_ != ::SIOCODEC_NAMESPACE::error::none) return *this;
  if (SIOCODEC_UNLIKELY((st_ | 1) != st_key_comma)) {
    fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
    return *this;
  }
  const bool comma = (st_ & 1) != 0;
  detail::json_sink& s = *sink_;
  if (s.counts_only() && json::detail::is_plain_string(utf8.data(), utf8.size())) {
    s.add((comma ? 1U : 0U) + utf8.size() + 3);
    st_ = st_value;
    return *this;
  }
  ::SIOCODEC_NAMESPACE::error e;
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
  if (SIOCODEC_UNLIKELY(e != ::SIOCODEC_NAMESPACE::error::none)) {
    fail(e);
    return *this;
  }
  st_ = st_value;
  return *this;
}

template <class T>
args_writer& args_writer::value(const T& v) {
  static_assert(detail::writes_with<T, args_writer>::value,
                "siocodec: arg_traits<T>::write cannot take this writer; write it as "
                "`template <class W> static void write(W&, const T&)`");
  arg_traits<T>::write(*this, v);
  return *this;
}

template <class... T>
args_writer& args_writer::values(const T&... v) {
  (value(v), ...);
  return *this;
}

template <class T>
args_writer& args_writer::member(std::string_view k, const T& v) {
  key(k);
  return value(v);
}

}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_DEFAULT_PARSER_ARGS_WRITER_HPP
