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
#include <siocodec/json/writer.hpp>
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
using json::detail::json_sink, json::detail::text_checks, json::detail::text_counter;
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
/// How often the callbacks run depends on the call: once for encode_to(), encode() and, over
/// WebSocket and Engine.IO v4 polling, encode_frames_to() when the text fits
/// SIOCODEC_ONE_PASS_BUFFER (it is written into the encoder's own buffer and copied out on
/// success; a longer text is written by a second run); twice for encode_frames() into a growable
/// container and for Engine.IO v3 polling frames (a measuring pass, then a writing pass, so that
/// the container grows exactly once and the length prefix precedes the text); once for
/// encoded_size(). When they run twice they must write the same values both times; an encoder
/// that notices a difference fails with invalid_argument rather than write past the size it
/// measured.
///
/// Misuse does not throw or assert: the first error is kept, every later call is ignored, and
/// the encoder returns that error. Errors: invalid_argument (a value where an object expects a
/// key, a key outside an object or twice in a row, a close that does not match the open
/// container, a container left open, empty raw JSON, a binary value in a packet type that
/// cannot carry attachments), invalid_utf8 (a string or key that is not UTF-8),
/// nesting_too_deep (deeper than encode_options::max_depth), too_many_attachments (more binary
/// values than encode_options::max_attachments).
class args_writer : public json::basic_writer<args_writer> {
 public:
  // null(), boolean(), number(), integer(), string(), raw(), begin_array(), end_array(),
  // begin_object(), end_object(), key() and error(): json::basic_writer (raw(): see raw_json).

  /// A binary attachment: writes its placeholder and records `bytes` (the view, not a copy).
  args_writer& binary(byte_view bytes) noexcept;

  /// Any value arg_traits<T> knows how to write (the dispatch both parsers share).
  template <class T>
  args_writer& value(const T& v);
  /// value() for each argument, in order.
  template <class... T>
  args_writer& values(const T&... v);
  /// key(k) then value(v).
  template <class T>
  args_writer& member(std::string_view k, const T& v);

  /// Binary values written so far.
  std::size_t attachment_count() const noexcept { return attachments_; }
  /// The protocol being written (encode_options::version).
  protocol_version version() const noexcept { return version_; }

 private:
  friend struct detail::args_access;

  args_writer(detail::json_sink* sink, byte_view* atts, std::size_t atts_room, bool strict_atts,
              const encode_options& opts, bool binary_allowed) noexcept;

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
  protocol_version version_;
  bool binary_allowed_;
  bool strict_atts_;
};

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

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
  static errc finish(args_writer& a) noexcept {
    if (a.error_ == errc::none && a.depth_ != 0) a.fail(errc::invalid_argument);
    return a.error_;
  }
  // Whether a top-level value was written, for a writer whose finish() gave errc::none: only
  // a value leaves st_top then (every other way out of it is an error, st_error).
  static bool has_value(const args_writer& a) noexcept {
    SIOCODEC_ASSERT(a.error_ == errc::none);
    return a.st_ != args_writer::st_top;
  }
  static json::kind top_kind(const args_writer& a) noexcept { return a.top_kind_; }
};

}  // namespace detail

inline args_writer::args_writer(detail::json_sink* sink, byte_view* atts, std::size_t atts_room,
                                bool strict_atts, const encode_options& opts,
                                bool binary_allowed) noexcept
    : basic_writer(sink, opts.max_depth),
      atts_(atts),
      atts_room_(atts_room),
      max_attachments_(opts.max_attachments),
      version_(opts.version),
      binary_allowed_(binary_allowed),
      strict_atts_(strict_atts) {}

inline args_writer& args_writer::binary(byte_view bytes) noexcept {
  if (!begin_value(json::kind::object)) return *this;
  if (!binary_allowed_) {
    fail(errc::invalid_argument);
    return *this;
  }
  const std::size_t num = attachments_;
  if (num >= max_attachments_) {
    fail(errc::too_many_attachments);
    return *this;
  }
  if (num < atts_room_) {
    ::new (static_cast<void*>(atts_ + num)) byte_view(bytes);  // the slot may be raw storage
  } else if (strict_atts_) {                                   // more than the measuring pass saw
    fail(errc::invalid_argument);
    return *this;
  }
  if (att_cost_fn_ != nullptr) {
    const std::size_t c = att_cost_fn_(bytes, att_cost_ctx_);
    if (c == static_cast<std::size_t>(-1) || att_cost_ + c < c) {
      fail(errc::invalid_argument);
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
