// SPDX-License-Identifier: BSL-1.0
// msgpack_args_writer: the msgpack model of the writer concept, which writes the arguments of a
// packet built from C++ values as msgpack (binary values inline as bin), in two passes: one that
// measures (and records container header sizes), one that writes.
#ifndef SIOCODEC_SOCKETIO_MSGPACK_PARSER_ARGS_WRITER_HPP
#define SIOCODEC_SOCKETIO_MSGPACK_PARSER_ARGS_WRITER_HPP

#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/detail/utf8.hpp>
#include <siocodec/error.hpp>
#include <siocodec/json/value.hpp>
#include <siocodec/msgpack/value.hpp>
#include <siocodec/msgpack/value_writer.hpp>
#include <siocodec/result.hpp>
#include <siocodec/socketio/arg_traits.hpp>
#include <siocodec/socketio/builders.hpp>
#include <siocodec/socketio/packet.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {

class msgpack_args_writer;

namespace detail {
// The msgpack writer's sinks and plan, under the names the Socket.IO encoders (encode.hpp,
// frames.hpp) know them by.
using msgpack::detail::mp_counter, msgpack::detail::mp_plan, msgpack::detail::mp_writer;
struct mp_access;
}  // namespace detail

using msgpack::mp_plan_containers;

/// The msgpack counterpart of args_writer: writes the values of a packet built from C++ values
/// (see msgpack_parser::encode()). Same calls, same rules (one top-level value, keys and values
/// alternate in objects, the first error is kept and later calls are ignored); binary values
/// are written inline as bin (no placeholders), and JSON given to raw() is converted to msgpack.
///
/// Values are written by value<T>() through arg_traits<T>, the dispatch args_writer uses too
/// (arg_traits.hpp), plus msgpack::value (copied verbatim); json::value and raw_json are
/// converted. A callback or an arg_traits specialization reaches this writer only if it
/// accepts it: write them generically, `[&](auto& w) { w.value(x); }` and
/// `template <class W> static void write(W& w, const T& v)`, and the same code serves both
/// parsers; a specialization that takes `args_writer&` only is a compile error here (a
/// static_assert naming arg_traits).
///
/// Numbers follow notepack.io: integer() in the smallest integer form; number() as an integer
/// when its value is integral, else float 64 (NaN and ±Infinity stay float 64: msgpack can
/// carry them, JSON writes null).
///
/// Containers: see msgpack::basic_value_writer (two passes, no allocation).
///
/// Errors (error()): those of args_writer but too_many_attachments (binary values are not
/// counted against any limit), plus invalid_argument for an array or map of 2^32 elements or
/// more, or a str or bin of 2^32 bytes or more.
class msgpack_args_writer : public msgpack::basic_value_writer<msgpack_args_writer> {
 public:
  // null(), undefined(), boolean(), number(), integer(), string(), binary(), raw(),
  // raw_msgpack(), begin_array(), end_array(), begin_object(), end_object(), key() and error():
  // msgpack::basic_value_writer.

  /// Any value arg_traits<T> knows how to write (the dispatch both parsers share).
  template <class T>
  msgpack_args_writer& value(const T& v) {
    static_assert(detail::writes_with<T, msgpack_args_writer>::value,
                  "siocodec: arg_traits<T>::write takes args_writer& only, which serves the "
                  "default parser; write it as `template <class W> static void write(W&, "
                  "const T&)` to serve the msgpack parser too");
    arg_traits<T>::write(*this, v);
    return *this;
  }
  /// value() for each argument, in order.
  template <class... T>
  msgpack_args_writer& values(const T&... v) {
    (value(v), ...);
    return *this;
  }
  /// key(k) then value(v).
  template <class T>
  msgpack_args_writer& member(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }

  /// Binary values written so far.
  std::size_t attachment_count() const noexcept { return binaries_; }
  /// The protocol being written (encode_options::version).
  protocol_version version() const noexcept { return version_; }

 private:
  friend struct detail::mp_access;

  msgpack_args_writer(detail::mp_counter* counter, detail::mp_writer* writer, detail::mp_plan* plan,
                      const encode_options& opts) noexcept
      : basic_value_writer(counter, writer, plan, opts.max_depth), version_(opts.version) {}

  protocol_version version_;
};

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

namespace detail {

struct mp_access {
  static msgpack_args_writer counting(mp_counter* c, mp_plan* plan,
                                      const encode_options& o) noexcept {
    return msgpack_args_writer(c, nullptr, plan, o);
  }
  static msgpack_args_writer writing(mp_writer* w, mp_plan* plan,
                                     const encode_options& o) noexcept {
    return msgpack_args_writer(nullptr, w, plan, o);
  }
  static errc finish(msgpack_args_writer& a) noexcept {
    if (a.error_ == errc::none && a.depth_ != 0) a.fail(errc::invalid_argument);
    return a.error_;
  }
  static bool has_value(const msgpack_args_writer& a) noexcept { return a.top_values_ != 0; }
  static msgpack::kind top_kind(const msgpack_args_writer& a) noexcept { return a.top_kind_; }
  static std::size_t containers(const msgpack_args_writer& a) noexcept { return a.containers_; }
};

}  // namespace detail

/// msgpack::value: copied verbatim (msgpack parser only).
template <>
struct arg_traits<msgpack::value> {
  static void write(msgpack_args_writer& w, const msgpack::value& v) { w.raw_msgpack(v); }
};

}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_MSGPACK_PARSER_ARGS_WRITER_HPP
