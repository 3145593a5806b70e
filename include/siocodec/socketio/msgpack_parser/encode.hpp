// SPDX-License-Identifier: BSL-1.0
// Encoding msgpack packets: a msgpack_packet_view, or a packet built from C++ values.
#ifndef SIOCODEC_SOCKETIO_MSGPACK_PARSER_ENCODE_HPP
#define SIOCODEC_SOCKETIO_MSGPACK_PARSER_ENCODE_HPP

#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/detail/utf8.hpp>
#include <siocodec/engineio/packet.hpp>
#include <siocodec/error.hpp>
#include <siocodec/json/validate.hpp>
#include <siocodec/json/value.hpp>
#include <siocodec/json/write.hpp>
#include <siocodec/msgpack/reader.hpp>
#include <siocodec/msgpack/value.hpp>
#include <siocodec/msgpack/writer.hpp>
#include <siocodec/result.hpp>
#include <siocodec/sink.hpp>
#include <siocodec/socketio/builders.hpp>
#include <siocodec/socketio/default_parser/encode.hpp>
#include <siocodec/socketio/msgpack_parser/args_writer.hpp>
#include <siocodec/socketio/msgpack_parser/decode.hpp>
#include <siocodec/socketio/packet.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {

// ---------------------------------------------------------------------------------------------
// Encoding a msgpack_packet_view
// ---------------------------------------------------------------------------------------------

/// The kind of Engine.IO message encode() writes for `p`: text for CONNECT, DISCONNECT and ERROR
/// in protocol v4 (2.x sends those as JSON), binary otherwise.
constexpr engineio::frame_kind encoded_frame_kind(const msgpack_packet_view& p,
                                                  const encode_options& opts = {}) noexcept {
  return (opts.version == protocol_version::v4 &&
          (p.type == packet_type::connect || p.type == packet_type::disconnect ||
           p.type == packet_type::connect_error))
             ? engineio::frame_kind::text
             : engineio::frame_kind::binary;
}

/// Exact size of the message encode() writes for `p`: the msgpack map {"type", "nsp", "data" if
/// has_data(), "id" if set}, in that order, with the smallest encodings (notepack.io's); `data`
/// is copied verbatim (it is trusted, as a view msgpack_parser::decode() produced or one built with
/// msgpack::value::unchecked() from bytes you wrote: only its kind is checked). In protocol v4,
/// CONNECT, DISCONNECT and ERROR are the JSON text `{"type":T,"nsp":"...","data":"...","id":N}`
/// instead (encoded_frame_kind() says so).
///
/// Errors (offset 0):
/// - invalid_argument: `p.type` outside 0-4 (v5) or 0-6 (v4); `data` of the wrong kind for the
///   type (the rules msgpack_parser::decode() applies; EVENT and ACK need an array); a namespace of
///   2^32 bytes or more; in protocol v4, a CONNECT, DISCONNECT or ERROR (JSON text) whose
///   namespace holds a character JSON must escape (`"`, `\`, a control character), which
///   msgpack_parser::decode_text() could not read back (the reference escapes and reads it).
/// - invalid_utf8: the namespace is not UTF-8, or (protocol v4) an ERROR's message string is not.
result<std::size_t> encoded_size(const msgpack_packet_view& p,
                                 const encode_options& opts = {}) noexcept;

/// Writes the message for `p` into `out` (at most `cap` bytes). @return bytes written.
/// Errors: those of encoded_size(), and output_too_small (nothing written; offset() is cap).
result<std::size_t> encode_to(char* out, std::size_t cap, const msgpack_packet_view& p,
                              const encode_options& opts = {}) noexcept;

/// encode_to into a fixed array.
template <std::size_t N>
result<std::size_t> encode_to(char (&out)[N], const msgpack_packet_view& p,
                              const encode_options& opts = {}) noexcept {
  return encode_to(out, N, p, opts);
}

/// Appends the message for `p` to `out` (any resizable byte container; exactly one resize, none
/// on error). Errors: those of encoded_size().
template <class Container>
result<std::size_t> encode(const msgpack_packet_view& p, Container& out,
                           const encode_options& opts = {});

namespace msgpack_parser {
/// Exact size of the message encode() writes for builder `b` (event(), ack(),
/// connect(), disconnect(), connect_error() of encode.hpp). Runs the value callbacks once.
///
/// What is written, protocol v5: {"type", "nsp", "data", "id"}: event: [name, args...]; ack:
/// [args...]; connect with auth: the auth map; connect_error: {"message": ..., "data"?: ...}
/// (the object the reference server sends). The namespace is written as given ("" as "/").
/// Protocol v4: EVENT / ACK become BINARY_EVENT / BINARY_ACK when a binary value is written (as
/// Socket.IO 2.x's has-binary check does); CONNECT, DISCONNECT and ERROR are JSON text:
/// connect() `{"type":0,"nsp":"/admin?<query>"}` (the query joins the namespace after `?`, as
/// the 2.x client does), connect_error(message) `{"type":4,"nsp":"/","data":"<message>"}`.
///
/// Errors (offset 0):
/// - those of msgpack_args_writer;
/// - reserved_event_name: v5, the event name is reserved (connect, connect_error, disconnect,
///   disconnecting, newListener, removeListener), as socket.emit() refuses it;
/// - invalid_utf8: the namespace, the query, the event name or (protocol v4) a connect_error's
///   message is not UTF-8;
/// - invalid_argument: the CONNECT auth is not a map, or is given in v4 (whose CONNECT carries
///   no data); connect_error() with data in v4 (2.x decoders accept only the message string);
///   a query on a packet that is not a CONNECT; in v4, a namespace or query of a CONNECT,
///   DISCONNECT or ERROR holding a character JSON must escape (see encoded_size()).
template <class B, std::enable_if_t<is_packet_builder<B>::value, int> = 0>
result<std::size_t> encoded_size(const B& b, const encode_options& opts = {});

/// Writes the message for builder `b` into `out` (at most `cap` bytes). No allocation.
/// @return bytes written.
/// Errors: those of encoded_size(), output_too_small (nothing written; offset() is
/// cap), invalid_argument (a callback wrote something else in its second run; the output is
/// then unspecified).
template <class B, std::enable_if_t<is_packet_builder<B>::value, int> = 0>
result<std::size_t> encode_to(char* out, std::size_t cap, const B& b,
                              const encode_options& opts = {});

/// Appends the message for builder `b` to `out` (one resize; on error `out` keeps its size).
/// Errors: those of encode_to() but output_too_small.
template <class B, class Container, std::enable_if_t<is_packet_builder<B>::value, int> = 0>
result<std::size_t> encode(const B& b, Container& out, const encode_options& opts = {});

/// The kind of message encode() writes for `b`: text for CONNECT, DISCONNECT and ERROR in
/// protocol v4, binary otherwise.
template <class B, std::enable_if_t<is_packet_builder<B>::value, int> = 0>
constexpr engineio::frame_kind encoded_frame_kind(const B& b,
                                                  const encode_options& opts = {}) noexcept {
  return (opts.version == protocol_version::v4 &&
          (b.type() == packet_type::connect || b.type() == packet_type::disconnect ||
           b.type() == packet_type::connect_error))
             ? engineio::frame_kind::text
             : engineio::frame_kind::binary;
}
}  // namespace msgpack_parser

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

namespace detail {

inline bool is_utf8(std::string_view s) noexcept {
  return ::SIOCODEC_NAMESPACE::detail::utf8_find_invalid(s.data(), s.size()) == s.size();
}

// True when JSON.stringify would escape a character of `s` (`"`, `\`, a control character).
// msgpack_parser::decode_text() refuses such a namespace (a view cannot hold it unescaped), so the
// encoders never write one into a v4 text packet.
inline bool needs_json_escape(std::string_view s) noexcept {
  for (const char c : s) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return true;
  }
  return false;
}

// The msgpack str key of a packet field (fixstr: all four are shorter than 32 bytes).
template <class W>
void emit_mp_key(W& w, std::string_view k) noexcept {
  w.put(static_cast<char>(static_cast<unsigned char>(0xa0 | k.size())));
  w.append(k.data(), k.size());
}

// The namespace as written. Builders: "" means the main one, "/", and a query joins the
// namespace after '?'. Views: written as they are, "" included (the reference writes what it is
// given, and a decoded packet must encode back to the same bytes).
struct mp_nsp {
  std::string_view nsp;
  std::string_view query;
  bool main_if_empty = true;
  std::string_view name() const noexcept {
    return nsp.empty() && main_if_empty ? std::string_view("/") : nsp;
  }
  std::size_t size() const noexcept {
    const std::size_t n = name().size();
    return query.empty() ? n : n + 1 + query.size();
  }
  template <class W>
  void write_raw(W& w) const noexcept {
    const std::string_view n = name();
    w.append(n.data(), n.size());
    if (!query.empty()) {
      w.put('?');
      w.append(query.data(), query.size());
    }
  }
  // A JSON string: the encoders refuse a namespace or query that JSON would escape (see
  // needs_json_escape), so the text goes between the quotes as it is.
  template <class W>
  void write_json(W& w) const noexcept {
    w.put('"');
    write_raw(w);
    w.put('"');
  }
};

// The packet map around a payload written by `data(w)` (nothing when has_data is false).
template <class W, class Data>
errc emit_mp_packet(W& w, packet_type type, const mp_nsp& nsp, bool has_data,
                    const std::optional<std::uint64_t>& id, Data&& data) noexcept {
  const std::size_t n = 2 + (has_data ? 1u : 0u) + (id ? 1u : 0u);
  w.put(static_cast<char>(static_cast<unsigned char>(0x80 | n)));
  emit_mp_key(w, "type");
  msgpack::emit_uint(w, static_cast<std::uint8_t>(type));
  emit_mp_key(w, "nsp");
  errc e = msgpack::emit_string_header(w, nsp.size());
  if (e != errc::none) return e;
  nsp.write_raw(w);
  if (has_data) {
    emit_mp_key(w, "data");
    e = data(w);
    if (e != errc::none) return e;
  }
  if (id) {
    emit_mp_key(w, "id");
    msgpack::emit_uint(w, *id);
  }
  return errc::none;
}

// The JSON text of a v4 CONNECT / DISCONNECT / ERROR: {"type":T,"nsp":"...","data":"...","id":N}.
template <class W>
void emit_v4_text(W& w, packet_type type, const mp_nsp& nsp, const std::string_view* message,
                  const std::optional<std::uint64_t>& id) noexcept {
  w.append("{\"type\":", 8);
  w.put(static_cast<char>('0' + static_cast<int>(type)));
  w.append(",\"nsp\":", 7);
  nsp.write_json(w);
  if (message != nullptr) {
    w.append(",\"data\":", 8);
    (void)json::emit_string(w, *message);  // checked UTF-8 before: cannot fail
  }
  if (id) {
    w.append(",\"id\":", 6);
    json::emit_uint(w, *id);
  }
  w.put('}');
}

inline bool mp_type_valid(packet_type t, protocol_version v) noexcept {
  return static_cast<std::uint8_t>(t) <= (v == protocol_version::v4 ? 6 : 4);
}

template <class W>
errc emit_msgpack_view(W& w, const msgpack_packet_view& p, const encode_options& o) noexcept {
  const mp_nsp nsp{p.nsp, {}, false};
  const bool has = p.has_data();
  if (W::counting) {
    if (!mp_type_valid(p.type, o.version)) return errc::invalid_argument;
    if (!mp_data_valid(p.type, has, p.data.type(), o.version)) return errc::invalid_argument;
    if (!is_utf8(p.nsp)) return errc::invalid_utf8;
  }
  if (encoded_frame_kind(p, o) == engineio::frame_kind::text) {
    // v4 text: CONNECT / DISCONNECT carry no data, ERROR a str (checked above).
    const std::string_view msg = p.data.get_string();
    if (W::counting && has && !is_utf8(msg)) return errc::invalid_utf8;
    if (W::counting && needs_json_escape(p.nsp)) return errc::invalid_argument;
    emit_v4_text(w, p.type, nsp, has ? &msg : nullptr, p.id);
    return errc::none;
  }
  return emit_mp_packet(w, p.type, nsp, has, p.id, [&p](auto& out) {
    msgpack::emit_value(out, p.data);
    return errc::none;
  });
}

}  // namespace detail

inline result<std::size_t> encoded_size(const msgpack_packet_view& p,
                                        const encode_options& opts) noexcept {
  return ::SIOCODEC_NAMESPACE::detail::measure(
      [&](auto& w) { return detail::emit_msgpack_view(w, p, opts); });
}

inline result<std::size_t> encode_to(char* out, std::size_t cap, const msgpack_packet_view& p,
                                     const encode_options& opts) noexcept {
  return ::SIOCODEC_NAMESPACE::detail::write_bounded(
      out, cap, [&](auto& w) { return detail::emit_msgpack_view(w, p, opts); });
}

template <class Container>
result<std::size_t> encode(const msgpack_packet_view& p, Container& out,
                           const encode_options& opts) {
  return ::SIOCODEC_NAMESPACE::detail::write_append(
      out, [&](auto& w) { return detail::emit_msgpack_view(w, p, opts); });
}

// --- builders ---------------------------------------------------------------------------------

namespace detail {

template <class D>
struct mp_data_traits {
  static constexpr bool is_event = false;
  static constexpr bool is_auth = false;
  static constexpr bool is_error = false;
  static constexpr bool has_error_data = false;
};
template <class... A>
struct mp_data_traits<event_data<A...>> : mp_data_traits<void> {
  static constexpr bool is_event = true;
};
template <class V>
struct mp_data_traits<auth_data<V>> : mp_data_traits<void> {
  static constexpr bool is_auth = true;
};
template <class... D>
struct mp_data_traits<error_data<D...>> : mp_data_traits<void> {
  static constexpr bool is_error = true;
  static constexpr bool has_error_data = sizeof...(D) != 0;
};

template <class D>
std::string_view mp_event_name(const D& d) noexcept {
  if constexpr (mp_data_traits<D>::is_event) {
    return d.name;
  } else {
    (void)d;
    return {};
  }
}
template <class D>
std::string_view mp_error_message(const D& d) noexcept {
  if constexpr (mp_data_traits<D>::is_error) {
    return d.message;
  } else {
    (void)d;
    return {};
  }
}

// What the measuring pass of a builder found: the message as written.
struct mp_built {
  packet_type type = packet_type::event;
  bool text = false;  // a v4 JSON text message
  std::size_t bytes = 0;
  mp_plan plan;
};

template <class B>
errc mp_plan_builder(const B& b, const encode_options& o, mp_built& out) {
  using Data = typename B::data_type;
  const Data& d = b.data();
  const mp_nsp nsp{b.nsp(), b.query()};
  if (!is_utf8(b.nsp()) || !is_utf8(b.query())) return errc::invalid_utf8;
  if (!b.query().empty() && b.type() != packet_type::connect) return errc::invalid_argument;
  if constexpr (mp_data_traits<Data>::is_event) {
    if (!is_utf8(d.name)) return errc::invalid_utf8;
    if (o.version == protocol_version::v5 && is_reserved_event_name(d.name)) {
      return errc::reserved_event_name;
    }
  }
  out.type = b.type();
  out.text = msgpack_parser::encoded_frame_kind(b, o) == engineio::frame_kind::text;
  if (out.text) {
    // v4 CONNECT / DISCONNECT / ERROR: JSON text, no payload but ERROR's message.
    if constexpr (mp_data_traits<Data>::is_auth || mp_data_traits<Data>::has_error_data) {
      return errc::invalid_argument;
    }
    const std::string_view msg = mp_error_message(d);
    if (!is_utf8(msg)) return errc::invalid_utf8;
    if (needs_json_escape(b.nsp()) || needs_json_escape(b.query())) return errc::invalid_argument;
    ::SIOCODEC_NAMESPACE::detail::size_counter c;
    emit_v4_text(c, out.type, nsp, mp_data_traits<Data>::is_error ? &msg : nullptr, b.id());
    out.bytes = c.n;
    return c.overflow ? errc::invalid_argument : errc::none;
  }
  mp_counter data_count;
  msgpack_args_writer w = mp_access::counting(&data_count, &out.plan, o);
  write_data(w, d);
  errc e = mp_access::finish(w);
  if (e != errc::none) return e;
  if (data_count.overflow) return errc::invalid_argument;
  out.plan.has_data = mp_access::has_value(w);
  out.plan.top = mp_access::top_kind(w);
  out.plan.binaries = w.attachment_count();
  out.plan.containers = mp_access::containers(w);
  out.plan.data_bytes = data_count.n;
  if constexpr (mp_data_traits<Data>::is_auth) {
    // The auth must be a map (the reference refuses anything else); none at all is fine.
    if (out.plan.has_data && out.plan.top != msgpack::kind::map) return errc::invalid_argument;
  }
  if (o.version == protocol_version::v4 && out.plan.binaries != 0) out.type = promoted(out.type);
  mp_counter head;
  e = emit_mp_packet(head, out.type, nsp, out.plan.has_data, b.id(),
                     [](auto&) { return errc::none; });
  if (e != errc::none) return e;
  out.bytes = head.n + data_count.n;
  if (out.bytes < head.n || head.overflow) return errc::invalid_argument;
  return errc::none;
}

// The writing pass: exactly built.bytes at `out`.
template <class B>
errc mp_write_builder(const B& b, const encode_options& o, mp_built& built, char* out) {
  using Data = typename B::data_type;
  const mp_nsp nsp{b.nsp(), b.query()};
  if (built.text) {
    const std::string_view msg = mp_error_message(b.data());
    ::SIOCODEC_NAMESPACE::detail::buffer_writer bw{out};
    emit_v4_text(bw, built.type, nsp, mp_data_traits<Data>::is_error ? &msg : nullptr, b.id());
    return errc::none;
  }
  mp_writer mw{out, 0, built.bytes};
  const errc e =
      emit_mp_packet(mw, built.type, nsp, built.plan.has_data, b.id(), [&](mp_writer& sink) {
        (void)sink;  // the args writer appends to `mw` itself
        msgpack_args_writer w = mp_access::writing(&mw, &built.plan, o);
        write_data(w, b.data());
        const errc fe = mp_access::finish(w);
        if (fe != errc::none) return fe;
        if (mp_access::has_value(w) != built.plan.has_data) {
          return errc::invalid_argument;
        }
        return errc::none;
      });
  if (e != errc::none) return e;
  if (mw.overflow || mw.pos != built.bytes) return errc::invalid_argument;
  return errc::none;
}

}  // namespace detail

namespace msgpack_parser {
template <class B, std::enable_if_t<is_packet_builder<B>::value, int>>
result<std::size_t> encoded_size(const B& b, const encode_options& opts) {
  detail::mp_built built;
  const errc e = detail::mp_plan_builder(b, opts, built);
  if (e != errc::none) return {e, 0};
  return {built.bytes, built.bytes};
}

template <class B, std::enable_if_t<is_packet_builder<B>::value, int>>
result<std::size_t> encode_to(char* out, std::size_t cap, const B& b, const encode_options& opts) {
  detail::mp_built built;
  errc e = detail::mp_plan_builder(b, opts, built);
  if (e != errc::none) return {e, 0};
  if (built.bytes > cap) return {errc::output_too_small, cap};
  e = detail::mp_write_builder(b, opts, built, out);
  if (e != errc::none) return {e, 0};
  return {built.bytes, built.bytes};
}

template <class B, class Container, std::enable_if_t<is_packet_builder<B>::value, int>>
result<std::size_t> encode(const B& b, Container& out, const encode_options& opts) {
  static_assert(is_resizable_buffer<Container>::value,
                "msgpack_parser::encode() needs a resizable container of one-byte elements");
  detail::mp_built built;
  errc e = detail::mp_plan_builder(b, opts, built);
  if (e != errc::none) return {e, 0};
  const std::size_t old = out.size();
  out.resize(old + built.bytes);  // the one allocation
  e = detail::mp_write_builder(b, opts, built, reinterpret_cast<char*>(out.data()) + old);
  if (e != errc::none) {
    out.resize(old);
    return {e, 0};
  }
  return {built.bytes, built.bytes};
}
}  // namespace msgpack_parser

}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_MSGPACK_PARSER_ENCODE_HPP
