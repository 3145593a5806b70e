// SPDX-License-Identifier: BSL-1.0
// Encoding msgpack packets: a msgpack_packet_view, or a packet built from C++ values.
#ifndef SIOCODEC_SOCKETIO_MSGPACK_PARSER_ENCODE_HPP
#define SIOCODEC_SOCKETIO_MSGPACK_PARSER_ENCODE_HPP

#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/error.hpp>
#include <siocodec/result.hpp>
#include <siocodec/detail/utf8.hpp>
#include <siocodec/engineio/packet.hpp>
#include <siocodec/json/validate.hpp>
#include <siocodec/json/value.hpp>
#include <siocodec/msgpack/reader.hpp>
#include <siocodec/msgpack/value.hpp>
#include <siocodec/msgpack/writer.hpp>
#include <siocodec/sink.hpp>
#include <siocodec/socketio/default_parser/encode.hpp>
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
/// is copied verbatim (it is trusted, as a view decode_msgpack() produced or one built with
/// msgpack::value::unchecked() from bytes you wrote: only its kind is checked). In protocol v4,
/// CONNECT, DISCONNECT and ERROR are the JSON text `{"type":T,"nsp":"...","data":"...","id":N}`
/// instead (encoded_frame_kind() says so).
///
/// Errors (offset 0):
/// - invalid_argument: `p.type` outside 0-4 (v5) or 0-6 (v4); `data` of the wrong kind for the
///   type (the rules decode_msgpack() applies; EVENT and ACK need an array); a namespace of
///   2^32 bytes or more; in protocol v4, a CONNECT, DISCONNECT or ERROR (JSON text) whose
///   namespace holds a character JSON must escape (`"`, `\`, a control character), which
///   decode_msgpack_text() could not read back (the reference escapes and reads it).
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

// ---------------------------------------------------------------------------------------------
// Encoding packets built from C++ values
// ---------------------------------------------------------------------------------------------

class msgpack_args_writer;

namespace detail {
struct mp_counter;
struct mp_writer;
struct mp_plan;
struct mp_access;
template <class T>
void write_mp(msgpack_args_writer& w, const T& v);
}  // namespace detail

/// The msgpack counterpart of args_writer: writes the values of a packet built from C++ values
/// (see msgpack_encode()). Same calls, same rules (one top-level value, keys and values
/// alternate in objects, the first error is kept and later calls are ignored); binary values
/// are written inline as bin (no placeholders), and JSON given to raw() is converted to msgpack.
///
/// Values are written by value<T>() with the same knowledge as arg_traits (bool, integers,
/// floating point, text, byte_view and byte ranges, optional, nullptr, containers, maps,
/// array(), object(), raw_json), plus msgpack::value (copied verbatim) and json::value
/// (converted). A callback or an arg_traits specialization reaches this writer only if it
/// accepts it: write them generically, `[&](auto& w) { w.value(x); }` and
/// `template <class W> static void write(W& w, const T& v)`, and the same code serves both
/// parsers; one that takes `args_writer&` only is a compile error here.
///
/// Numbers follow notepack.io: integer() in the smallest integer form; number() as an integer
/// when its value is integral, else float 64 (NaN and ±Infinity stay float 64: msgpack can
/// carry them, JSON writes null).
///
/// Arrays and maps announce their element count in their header, which a writer that is given
/// elements one at a time does not know at the start. The measuring pass records the header
/// size of the first mp_plan_containers (1024) arrays and maps, so the writing pass leaves
/// exactly that room and fills the header in when the container closes; any later container is
/// written without room and moved up by its header size when it closes (a memmove of its bytes,
/// once per such enclosing container). Nothing is allocated either way.
///
/// Errors (error()): those of args_writer but too_many_attachments (binary values are not
/// counted against any limit), plus invalid_argument for an array or map of 2^32 elements or
/// more, or a str or bin of 2^32 bytes or more.
class msgpack_args_writer {
 public:
  msgpack_args_writer(const msgpack_args_writer&) = delete;
  msgpack_args_writer& operator=(const msgpack_args_writer&) = delete;

  /// nil.
  msgpack_args_writer& null() noexcept;
  /// notepack.io's undefined (`d4 00 00`).
  msgpack_args_writer& undefined() noexcept;
  /// c3 / c2.
  msgpack_args_writer& boolean(bool b) noexcept;
  /// A JavaScript number, as notepack.io writes it (msgpack::emit_number).
  msgpack_args_writer& number(double d) noexcept;
  /// An integer in the smallest form (msgpack::emit_int / emit_uint), all 64 bits kept.
  template <
      class Int,
      std::enable_if_t<std::is_integral<Int>::value && !std::is_same<Int, bool>::value, int> = 0>
  msgpack_args_writer& integer(Int v) noexcept;
  /// A str. Errors: invalid_utf8.
  msgpack_args_writer& string(std::string_view utf8) noexcept;
  /// A bin holding `bytes` (copied into the output).
  msgpack_args_writer& binary(byte_view bytes) noexcept;
  /// Pre-serialized JSON, converted to msgpack (numbers written without fraction or exponent
  /// stay exact 64-bit integers; others become doubles as JSON.parse reads them; strings are
  /// unescaped, a lone surrogate escape becoming U+FFFD). Trusted like raw_json: not validated
  /// beyond what the conversion needs. Errors: invalid_argument (empty text), invalid_utf8,
  /// nesting_too_deep.
  msgpack_args_writer& raw(std::string_view json) noexcept;
  /// An already encoded msgpack value, copied verbatim (trusted; the absent value is
  /// invalid_argument).
  msgpack_args_writer& raw_msgpack(const msgpack::value& v) noexcept;
  /// An array ... end_array().
  msgpack_args_writer& begin_array() noexcept;
  msgpack_args_writer& end_array() noexcept;
  /// A map ... end_object(); inside, alternate key() and one value (or use member()).
  msgpack_args_writer& begin_object() noexcept;
  msgpack_args_writer& end_object() noexcept;
  /// A map key (a str); the next value is its value.
  msgpack_args_writer& key(std::string_view utf8) noexcept;

  /// Any value write_mp knows (see the class documentation).
  template <class T>
  msgpack_args_writer& value(const T& v) {
    detail::write_mp(*this, v);
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

  /// The first error so far (error::none while all is well).
  ::SIOCODEC_NAMESPACE::error error() const noexcept { return error_; }
  /// Binary values written so far.
  std::size_t attachment_count() const noexcept { return binaries_; }
  /// The protocol being written (encode_options::version).
  protocol_version version() const noexcept { return version_; }

 private:
  friend struct detail::mp_access;
  // The builders' own nesting bound, whatever encode_options::max_depth says: the writer keeps
  // per-level state in fixed arrays (no allocation), and 256 is twice the decoders' default.
  static constexpr std::size_t depth_limit = 256;

  msgpack_args_writer(detail::mp_counter* counter, detail::mp_writer* writer, detail::mp_plan* plan,
                      const encode_options& opts) noexcept;

  template <class F>
  decltype(auto) out(F&& f) noexcept;
  bool begin_value(msgpack::kind k) noexcept;
  void fail(::SIOCODEC_NAMESPACE::error e) noexcept {
    if (error_ == ::SIOCODEC_NAMESPACE::error::none) error_ = e;
  }
  bool in_map() const noexcept {
    const std::size_t top = depth_ - 1;
    return depth_ != 0 && ((map_bits_[top / 64] >> (top % 64)) & 1U) != 0;
  }
  msgpack_args_writer& open(bool map) noexcept;
  msgpack_args_writer& close(bool map) noexcept;
  void json_string(const json::value& s, bool as_key) noexcept;
  void transcode(const json::value& v) noexcept;

  detail::mp_counter* counter_;
  detail::mp_writer* writer_;
  detail::mp_plan* plan_;
  std::size_t max_depth_;
  std::size_t depth_ = 0;
  std::size_t top_values_ = 0;
  std::size_t binaries_ = 0;
  std::size_t containers_ = 0;  // opened so far: the pre-order index of the next one
  // Per open container: its elements so far (maps: pairs); the measuring pass keeps its
  // pre-order index in starts_, the writing pass the offset of its header (or, for a container
  // written without room, of its first element) and in reserved_ the header size left free (0:
  // none).
  std::uint32_t counts_[depth_limit];
  std::size_t starts_[depth_limit];
  unsigned char reserved_[depth_limit];
  std::uint64_t map_bits_[depth_limit / 64] = {};
  ::SIOCODEC_NAMESPACE::error error_ = ::SIOCODEC_NAMESPACE::error::none;
  msgpack::kind top_kind_ = msgpack::kind::nil;
  protocol_version version_;
  bool after_key_ = false;
};

/// Containers whose header size the measuring pass records (see msgpack_args_writer).
constexpr std::size_t mp_plan_containers = 1024;

/// Exact size of the message msgpack_encode() writes for builder `b` (event(), ack(),
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
result<std::size_t> msgpack_encoded_size(const B& b, const encode_options& opts = {});

/// Writes the message for builder `b` into `out` (at most `cap` bytes). No allocation.
/// @return bytes written.
/// Errors: those of msgpack_encoded_size(), output_too_small (nothing written; offset() is
/// cap), invalid_argument (a callback wrote something else in its second run; the output is
/// then unspecified).
template <class B, std::enable_if_t<is_packet_builder<B>::value, int> = 0>
result<std::size_t> msgpack_encode_to(char* out, std::size_t cap, const B& b,
                                      const encode_options& opts = {});

/// Appends the message for builder `b` to `out` (one resize; on error `out` keeps its size).
/// Errors: those of msgpack_encode_to() but output_too_small.
template <class B, class Container, std::enable_if_t<is_packet_builder<B>::value, int> = 0>
result<std::size_t> msgpack_encode(const B& b, Container& out, const encode_options& opts = {});

/// The kind of message msgpack_encode() writes for `b`: text for CONNECT, DISCONNECT and ERROR in
/// protocol v4, binary otherwise.
template <class B, std::enable_if_t<is_packet_builder<B>::value, int> = 0>
constexpr engineio::frame_kind msgpack_frame_kind(const B& b,
                                                  const encode_options& opts = {}) noexcept {
  return (opts.version == protocol_version::v4 &&
          (b.type() == packet_type::connect || b.type() == packet_type::disconnect ||
           b.type() == packet_type::connect_error))
             ? engineio::frame_kind::text
             : engineio::frame_kind::binary;
}

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

namespace detail {

// JSON string content for `s` (no quotes), escaped as JSON.stringify escapes it.
template <class W>
void emit_json_chars(W& w, std::string_view s) noexcept {
  constexpr char hex[] = "0123456789abcdef";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    char esc = 0;
    switch (c) {
      case '"': esc = '"'; break;
      case '\\': esc = '\\'; break;
      case '\b': esc = 'b'; break;
      case '\f': esc = 'f'; break;
      case '\n': esc = 'n'; break;
      case '\r': esc = 'r'; break;
      case '\t': esc = 't'; break;
      default: break;
    }
    if (esc != 0) {
      w.put('\\');
      w.put(esc);
    } else if (c < 0x20) {
      w.append("\\u00", 4);
      w.put(hex[c >> 4]);
      w.put(hex[c & 0xF]);
    } else {
      w.put(ch);
    }
  }
}

inline bool is_utf8(std::string_view s) noexcept {
  return ::SIOCODEC_NAMESPACE::detail::utf8_find_invalid(s.data(), s.size()) == s.size();
}

// True when JSON.stringify would escape a character of `s` (`"`, `\`, a control character).
// decode_msgpack_text() refuses such a namespace (a view cannot hold it unescaped), so the
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
  template <class W>
  void write_json(W& w) const noexcept {
    w.put('"');
    emit_json_chars(w, name());
    if (!query.empty()) {
      w.put('?');
      emit_json_chars(w, query);
    }
    w.put('"');
  }
};

// The packet map around a payload written by `data(w)` (nothing when has_data is false).
template <class W, class Data>
error emit_mp_packet(W& w, packet_type type, const mp_nsp& nsp, bool has_data,
                     const std::optional<std::uint64_t>& id, Data&& data) noexcept {
  const std::size_t n = 2 + (has_data ? 1u : 0u) + (id ? 1u : 0u);
  w.put(static_cast<char>(static_cast<unsigned char>(0x80 | n)));
  emit_mp_key(w, "type");
  msgpack::emit_uint(w, static_cast<std::uint8_t>(type));
  emit_mp_key(w, "nsp");
  error e = msgpack::emit_string_header(w, nsp.size());
  if (e != error::none) return e;
  nsp.write_raw(w);
  if (has_data) {
    emit_mp_key(w, "data");
    e = data(w);
    if (e != error::none) return e;
  }
  if (id) {
    emit_mp_key(w, "id");
    msgpack::emit_uint(w, *id);
  }
  return error::none;
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
    w.append(",\"data\":\"", 9);
    emit_json_chars(w, *message);
    w.put('"');
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
error emit_msgpack_view(W& w, const msgpack_packet_view& p, const encode_options& o) noexcept {
  const mp_nsp nsp{p.nsp, {}, false};
  const bool has = p.has_data();
  if (W::counting) {
    if (!mp_type_valid(p.type, o.version)) return error::invalid_argument;
    if (!mp_data_valid(p.type, has, p.data.type(), o.version)) return error::invalid_argument;
    if (!is_utf8(p.nsp)) return error::invalid_utf8;
  }
  if (encoded_frame_kind(p, o) == engineio::frame_kind::text) {
    // v4 text: CONNECT / DISCONNECT carry no data, ERROR a str (checked above).
    const std::string_view msg = p.data.get_string();
    if (W::counting && has && !is_utf8(msg)) return error::invalid_utf8;
    if (W::counting && needs_json_escape(p.nsp)) return error::invalid_argument;
    emit_v4_text(w, p.type, nsp, has ? &msg : nullptr, p.id);
    return error::none;
  }
  return emit_mp_packet(w, p.type, nsp, has, p.id, [&p](auto& out) {
    msgpack::emit_value(out, p.data);
    return error::none;
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

// --- msgpack_args_writer ----------------------------------------------------------------------

namespace detail {

// The measuring sink of the builders.
struct mp_counter {
  std::size_t n = 0;
  bool overflow = false;
  static constexpr bool counting = true;
  void add(std::size_t k) noexcept {
    n += k;
    overflow |= n < k;
  }
  void put(char) noexcept { add(1); }
  void append(const char*, std::size_t k) noexcept { add(k); }
};

// The writing sink of the builders: bounded by the measured size (the callbacks run again and
// nothing guarantees they write the same thing), with room for container headers. It declares
// no `counting`, so the emitters validate strings again (msgpack::detail::validated_pass).
struct mp_writer {
  char* base;
  std::size_t pos;
  std::size_t cap;
  bool overflow = false;

  void put(char c) noexcept {
    if (pos == cap) {
      overflow = true;
      return;
    }
    base[pos++] = c;
  }
  void append(const char* s, std::size_t k) noexcept {
    if (k > cap - pos) {
      overflow = true;
      pos = cap;
      return;
    }
    if (k != 0) std::memcpy(base + pos, s, k);
    pos += k;
  }
};

// A header (at most 5 bytes) collected before it is placed.
struct mp_small {
  char b[9];
  std::size_t n = 0;
  void put(char c) noexcept { b[n++] = c; }
  void append(const char* s, std::size_t k) noexcept {
    std::memcpy(b + n, s, k);
    n += k;
  }
};

// What the measuring pass of a builder found, for the writing pass.
struct mp_plan {
  std::size_t data_bytes = 0;
  std::size_t containers = 0;
  // Header size class per container, in pre-order: 0 = 1 byte, 1 = 3 bytes, 2 = 5 bytes.
  unsigned char classes[mp_plan_containers / 4] = {};
  bool has_data = false;
  std::size_t binaries = 0;
  msgpack::kind top = msgpack::kind::nil;

  static unsigned class_of(std::size_t header) noexcept {
    return header == 1 ? 0 : header == 3 ? 1 : 2;
  }
  void record(std::size_t index, std::size_t header) noexcept {
    if (index >= mp_plan_containers) return;
    const unsigned shift = static_cast<unsigned>(2 * (index % 4));
    const unsigned kept = static_cast<unsigned>(classes[index / 4]) & ~(3u << shift);
    classes[index / 4] = static_cast<unsigned char>(kept | (class_of(header) << shift));
  }
  std::size_t header_of(std::size_t index) const noexcept {
    const unsigned shift = static_cast<unsigned>(2 * (index % 4));
    const unsigned c = (static_cast<unsigned>(classes[index / 4]) >> shift) & 3u;
    return c == 0 ? 1 : c == 1 ? 3 : 5;
  }
};

struct mp_access {
  static msgpack_args_writer counting(mp_counter* c, mp_plan* plan,
                                      const encode_options& o) noexcept {
    return msgpack_args_writer(c, nullptr, plan, o);
  }
  static msgpack_args_writer writing(mp_writer* w, mp_plan* plan,
                                     const encode_options& o) noexcept {
    return msgpack_args_writer(nullptr, w, plan, o);
  }
  static error finish(msgpack_args_writer& a) noexcept {
    if (a.error_ == error::none && a.depth_ != 0) a.fail(error::invalid_argument);
    return a.error_;
  }
  static bool has_value(const msgpack_args_writer& a) noexcept { return a.top_values_ != 0; }
  static msgpack::kind top_kind(const msgpack_args_writer& a) noexcept { return a.top_kind_; }
  static std::size_t containers(const msgpack_args_writer& a) noexcept { return a.containers_; }
};

}  // namespace detail

inline msgpack_args_writer::msgpack_args_writer(detail::mp_counter* counter,
                                                detail::mp_writer* writer, detail::mp_plan* plan,
                                                const encode_options& opts) noexcept
    : counter_(counter),
      writer_(writer),
      plan_(plan),
      max_depth_(opts.max_depth < depth_limit ? opts.max_depth : depth_limit),
      version_(opts.version) {}

template <class F>
decltype(auto) msgpack_args_writer::out(F&& f) noexcept {
  if (writer_ != nullptr) return f(*writer_);
  return f(*counter_);
}

inline bool msgpack_args_writer::begin_value(msgpack::kind k) noexcept {
  if (error_ != ::SIOCODEC_NAMESPACE::error::none) return false;
  if (depth_ == 0) {
    if (top_values_ != 0) {  // a payload is one value
      fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
      return false;
    }
    ++top_values_;
    top_kind_ = k;
    return true;
  }
  if (in_map()) {
    if (!after_key_) {
      fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
      return false;
    }
    after_key_ = false;
    return true;
  }
  if (counts_[depth_ - 1] == 0xFFFFFFFFu) {  // no array form holds more
    fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
    return false;
  }
  ++counts_[depth_ - 1];
  return true;
}

inline msgpack_args_writer& msgpack_args_writer::null() noexcept {
  if (begin_value(msgpack::kind::nil)) out([](auto& w) { msgpack::emit_nil(w); });
  return *this;
}

inline msgpack_args_writer& msgpack_args_writer::undefined() noexcept {
  if (begin_value(msgpack::kind::undefined)) out([](auto& w) { msgpack::emit_undefined(w); });
  return *this;
}

inline msgpack_args_writer& msgpack_args_writer::boolean(bool b) noexcept {
  if (begin_value(msgpack::kind::boolean)) out([b](auto& w) { msgpack::emit_bool(w, b); });
  return *this;
}

inline msgpack_args_writer& msgpack_args_writer::number(double d) noexcept {
  const bool integral = std::isfinite(d) && std::floor(d) == d;
  if (begin_value(integral ? msgpack::kind::integer : msgpack::kind::floating)) {
    out([d](auto& w) { msgpack::emit_number(w, d); });
  }
  return *this;
}

template <class Int,
          std::enable_if_t<std::is_integral<Int>::value && !std::is_same<Int, bool>::value, int>>
msgpack_args_writer& msgpack_args_writer::integer(Int v) noexcept {
  if (!begin_value(msgpack::kind::integer)) return *this;
  if constexpr (std::is_signed<Int>::value) {
    out([v](auto& w) { msgpack::emit_int(w, static_cast<std::int64_t>(v)); });
  } else {
    out([v](auto& w) { msgpack::emit_uint(w, static_cast<std::uint64_t>(v)); });
  }
  return *this;
}

inline msgpack_args_writer& msgpack_args_writer::string(std::string_view utf8) noexcept {
  if (!begin_value(msgpack::kind::string)) return *this;
  const ::SIOCODEC_NAMESPACE::error e =
      out([utf8](auto& w) { return msgpack::emit_string(w, utf8); });
  if (e != ::SIOCODEC_NAMESPACE::error::none) fail(e);
  return *this;
}

inline msgpack_args_writer& msgpack_args_writer::binary(byte_view bytes) noexcept {
  if (!begin_value(msgpack::kind::binary)) return *this;
  const ::SIOCODEC_NAMESPACE::error e =
      out([bytes](auto& w) { return msgpack::emit_binary(w, bytes); });
  if (e != ::SIOCODEC_NAMESPACE::error::none) fail(e);
  ++binaries_;
  return *this;
}

inline msgpack_args_writer& msgpack_args_writer::raw_msgpack(const msgpack::value& v) noexcept {
  if (error_ != ::SIOCODEC_NAMESPACE::error::none) return *this;
  if (!v.exists()) {
    fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
    return *this;
  }
  if (begin_value(v.type())) out([&v](auto& w) { msgpack::emit_value(w, v); });
  return *this;
}

inline msgpack_args_writer& msgpack_args_writer::open(bool map) noexcept {
  if (!begin_value(map ? msgpack::kind::map : msgpack::kind::array)) return *this;
  if (depth_ >= max_depth_) {
    fail(::SIOCODEC_NAMESPACE::error::nesting_too_deep);
    return *this;
  }
  const std::size_t index = containers_++;
  const std::uint64_t bit = std::uint64_t{1} << (depth_ % 64);
  if (map) {
    map_bits_[depth_ / 64] |= bit;
  } else {
    map_bits_[depth_ / 64] &= ~bit;
  }
  counts_[depth_] = 0;
  if (writer_ == nullptr) {
    starts_[depth_] = index;
  } else {
    starts_[depth_] = writer_->pos;
    reserved_[depth_] = 0;
    if (index < mp_plan_containers) {
      // Room for the header the measuring pass saw; filled in by close().
      const std::size_t h = plan_->header_of(index);
      if (h > writer_->cap - writer_->pos) {
        fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
        return *this;
      }
      writer_->pos += h;
      reserved_[depth_] = static_cast<unsigned char>(h);
    }
  }
  ++depth_;
  after_key_ = false;
  return *this;
}

inline msgpack_args_writer& msgpack_args_writer::close(bool map) noexcept {
  if (error_ != ::SIOCODEC_NAMESPACE::error::none) return *this;
  if (depth_ == 0 || in_map() != map || after_key_) {
    fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
    return *this;
  }
  --depth_;
  const std::size_t n = counts_[depth_];
  const std::size_t h = msgpack::container_header_size(n);
  detail::mp_small head;
  (void)(map ? msgpack::emit_map_header(head, n) : msgpack::emit_array_header(head, n));
  if (writer_ == nullptr) {
    counter_->add(h);
    plan_->record(starts_[depth_], h);
    return *this;
  }
  detail::mp_writer& w = *writer_;
  const std::size_t start = starts_[depth_];
  if (reserved_[depth_] != 0) {
    // A second run of the callbacks that changed the element count could need another size.
    if (reserved_[depth_] != h) {
      fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
      return *this;
    }
    std::memcpy(w.base + start, head.b, h);
    return *this;
  }
  if (h > w.cap - w.pos) {
    fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
    return *this;
  }
  std::memmove(w.base + start + h, w.base + start, w.pos - start);
  std::memcpy(w.base + start, head.b, h);
  w.pos += h;
  return *this;
}

inline msgpack_args_writer& msgpack_args_writer::begin_array() noexcept { return open(false); }
inline msgpack_args_writer& msgpack_args_writer::end_array() noexcept { return close(false); }
inline msgpack_args_writer& msgpack_args_writer::begin_object() noexcept { return open(true); }
inline msgpack_args_writer& msgpack_args_writer::end_object() noexcept { return close(true); }

inline msgpack_args_writer& msgpack_args_writer::key(std::string_view utf8) noexcept {
  if (error_ != ::SIOCODEC_NAMESPACE::error::none) return *this;
  if (!in_map() || after_key_ || counts_[depth_ - 1] == 0xFFFFFFFFu) {
    fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
    return *this;
  }
  ++counts_[depth_ - 1];
  const ::SIOCODEC_NAMESPACE::error e =
      out([utf8](auto& w) { return msgpack::emit_string(w, utf8); });
  if (e != ::SIOCODEC_NAMESPACE::error::none) fail(e);
  after_key_ = true;
  return *this;
}

// A JSON string (validated or trusted raw JSON) as a str, unescaped piece by piece into the
// output: no buffer. Pieces never split a UTF-8 sequence (they end at ASCII escapes), so each
// can be checked alone.
inline void msgpack_args_writer::json_string(const json::value& s, bool as_key) noexcept {
  const std::string_view raw = s.string_raw();
  const std::size_t n = s.unescaped_size();
  bool bad = false;
  const auto write = [&](auto& w) {
    ::SIOCODEC_NAMESPACE::error e = msgpack::emit_string_header(w, n);
    if (e != ::SIOCODEC_NAMESPACE::error::none) return e;
    (void)json::detail::decode_string(raw.data(), raw.data() + raw.size(),
                                      [&w, &bad](const char* piece, std::size_t k) {
                                        if (!detail::is_utf8(std::string_view(piece, k))) {
                                          bad = true;
                                        }
                                        w.append(piece, k);
                                        return true;
                                      });
    return bad ? ::SIOCODEC_NAMESPACE::error::invalid_utf8 : ::SIOCODEC_NAMESPACE::error::none;
  };
  if (as_key) {
    if (!in_map() || after_key_ || counts_[depth_ - 1] == 0xFFFFFFFFu) {
      fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
      return;
    }
    ++counts_[depth_ - 1];
    after_key_ = true;
  } else if (!begin_value(msgpack::kind::string)) {
    return;
  }
  const ::SIOCODEC_NAMESPACE::error e = out(write);
  if (e != ::SIOCODEC_NAMESPACE::error::none) fail(e);
}

// Bounded recursion: every level opens a container first, and open() fails at max_depth_
// (at most depth_limit), which ends the descent.
inline void msgpack_args_writer::transcode(const json::value& v) noexcept {
  switch (v.type()) {
    case json::kind::null: null(); return;
    case json::kind::boolean: boolean(v.get_bool()); return;
    case json::kind::number: {
      if (v.is_integer()) {
        const result<std::int64_t> i = v.to_int64();
        if (i) {
          integer(*i);
          return;
        }
        const result<std::uint64_t> u = v.to_uint64();
        if (u) {
          integer(*u);
          return;
        }
      }
      const result<double> d = v.to_double();
      if (!d) {
        fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
        return;
      }
      number(*d);
      return;
    }
    case json::kind::string: json_string(v, false); return;
    case json::kind::array:
      begin_array();
      for (const json::value& e : v.elements()) {
        if (error_ != ::SIOCODEC_NAMESPACE::error::none) return;
        transcode(e);
      }
      end_array();
      return;
    case json::kind::object:
      begin_object();
      for (const json::member& m : v.members()) {
        if (error_ != ::SIOCODEC_NAMESPACE::error::none) return;
        json_string(m.key, true);
        transcode(m.val);
      }
      end_object();
      return;
  }
}

inline msgpack_args_writer& msgpack_args_writer::raw(std::string_view json) noexcept {
  if (error_ != ::SIOCODEC_NAMESPACE::error::none) return *this;
  const json::value v = json::value::unchecked(json);
  if (!v.exists()) {
    fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
    return *this;
  }
  transcode(v);
  return *this;
}

// --- values written by msgpack_args_writer::value() -------------------------------------------

namespace detail {

template <class T, class = void>
struct has_mp_traits : std::false_type {};
template <class T>
struct has_mp_traits<T, std::void_t<decltype(arg_traits<T>::write(
                            std::declval<msgpack_args_writer&>(), std::declval<const T&>()))>>
    : std::true_type {};

template <class T>
struct is_array_value : std::false_type {};
template <class... A>
struct is_array_value<array_value<A...>> : std::true_type {};
template <class T>
struct is_object_value : std::false_type {};
template <class... A>
struct is_object_value<object_value<A...>> : std::true_type {};

template <class Tuple, std::size_t... I>
void write_mp_tuple(msgpack_args_writer& w, const Tuple& t, std::index_sequence<I...>) {
  (void)w;
  (void)t;
  (w.value(std::get<I>(t)), ...);
}
template <class... A>
void write_mp_all(msgpack_args_writer& w, const std::tuple<A...>& t) {
  write_mp_tuple(w, t, std::index_sequence_for<A...>{});
}
template <class Tuple, std::size_t... I>
void write_mp_members(msgpack_args_writer& w, const Tuple& t, std::index_sequence<I...>) {
  (void)w;
  (void)t;
  (w.member(std::string_view(std::get<2 * I>(t)), std::get<2 * I + 1>(t)), ...);
}

template <class T>
void write_mp(msgpack_args_writer& w, const T& v) {
  using U = std::remove_cv_t<T>;
  if constexpr (has_mp_traits<U>::value) {
    arg_traits<U>::write(w, v);
  } else if constexpr (std::is_invocable<const U&, msgpack_args_writer&>::value) {
    v(w);
  } else if constexpr (std::is_same<U, bool>::value) {
    w.boolean(v);
  } else if constexpr (is_char_type<U>::value) {
    static_assert(dependent_false<U>::value,
                  "siocodec: write characters as text (std::string_view), or cast to an int");
  } else if constexpr (std::is_integral<U>::value) {
    w.integer(v);
  } else if constexpr (std::is_floating_point<U>::value) {
    w.number(static_cast<double>(v));
  } else if constexpr (std::is_same<U, std::nullptr_t>::value ||
                       std::is_same<U, std::nullopt_t>::value) {
    w.null();
  } else if constexpr (std::is_same<U, byte_view>::value || std::is_same<U, byte_span>::value) {
    w.binary(byte_view(v));
  } else if constexpr (std::is_same<U, raw_json>::value) {
    w.raw(v.text);
  } else if constexpr (std::is_same<U, msgpack::value>::value) {
    w.raw_msgpack(v);
  } else if constexpr (std::is_same<U, json::value>::value) {
    w.raw(v.raw());
  } else if constexpr (is_array_value<U>::value) {
    w.begin_array();
    write_mp_all(w, v.items);
    w.end_array();
  } else if constexpr (is_object_value<U>::value) {
    w.begin_object();
    write_mp_members(w, v.items,
                     std::make_index_sequence<std::tuple_size<decltype(v.items)>::value / 2>{});
    w.end_object();
  } else if constexpr (std::is_array<U>::value &&
                       is_char_type<std::remove_cv_t<std::remove_extent_t<U>>>::value) {
    static_assert(std::is_same<std::remove_cv_t<std::remove_extent_t<U>>, char>::value,
                  "siocodec: only char text (UTF-8) can be written");
    const void* nul = std::memchr(v, 0, std::extent<U>::value);
    const std::size_t n = nul == nullptr
                              ? std::extent<U>::value
                              : static_cast<std::size_t>(static_cast<const char*>(nul) - v);
    w.string(std::string_view(v, n));
  } else if constexpr (std::is_same<U, const char*>::value || std::is_same<U, char*>::value) {
    if (v == nullptr) {
      w.null();
    } else {
      w.string(std::string_view(v));
    }
  } else if constexpr (std::is_convertible<const U&, std::string_view>::value) {
    w.string(std::string_view(v));
  } else if constexpr (is_optional<U>::value) {
    if (v) {
      w.value(*v);
    } else {
      w.null();
    }
  } else if constexpr (is_byte_range<U>::value) {
    w.binary(byte_view(static_cast<const void*>(std::data(v)), std::size(v)));
  } else if constexpr (is_range<U>::value) {
    using E = range_element_t<U>;
    if constexpr (is_key_value<E>::value) {
      w.begin_object();
      for (const auto& kv : v) w.member(std::string_view(kv.first), kv.second);
      w.end_object();
    } else {
      w.begin_array();
      if constexpr (std::is_same<typename std::iterator_traits<decltype(std::begin(
                                     std::declval<const U&>()))>::value_type,
                                 bool>::value) {
        for (const bool e : v) w.boolean(e);  // std::vector<bool> yields proxies
      } else {
        for (const auto& e : v) w.value(e);
      }
      w.end_array();
    }
  } else {
    static_assert(dependent_false<U>::value,
                  "siocodec: no way to write this type as msgpack; specialize "
                  "siocodec::socketio::arg_traits<T> with a template "
                  "`template <class W> static void write(W&, const T&)`");
  }
}

// --- builders ---------------------------------------------------------------------------------

template <class... A>
void write_mp_data(msgpack_args_writer& w, const event_data<A...>& d) {
  w.begin_array();
  w.string(d.name);
  write_mp_all(w, d.args);
  w.end_array();
}
template <class... A>
void write_mp_data(msgpack_args_writer& w, const ack_data<A...>& d) {
  w.begin_array();
  write_mp_all(w, d.args);
  w.end_array();
}
inline void write_mp_data(msgpack_args_writer&, const no_data&) {}
template <class V>
void write_mp_data(msgpack_args_writer& w, const auth_data<V>& d) {
  w.value(d.auth);
}
template <class... D>
void write_mp_data(msgpack_args_writer& w, const error_data<D...>& d) {
  w.begin_object();
  w.member("message", d.message);
  if constexpr (sizeof...(D) != 0) {
    w.key("data");
    write_mp_all(w, d.data);
  }
  w.end_object();
}

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
error mp_plan_builder(const B& b, const encode_options& o, mp_built& out) {
  using Data = typename B::data_type;
  const Data& d = b.data();
  const mp_nsp nsp{b.nsp(), b.query()};
  if (!is_utf8(b.nsp()) || !is_utf8(b.query())) return error::invalid_utf8;
  if (!b.query().empty() && b.type() != packet_type::connect) return error::invalid_argument;
  if constexpr (mp_data_traits<Data>::is_event) {
    if (!is_utf8(d.name)) return error::invalid_utf8;
    if (o.version == protocol_version::v5 && is_reserved_event_name(d.name)) {
      return error::reserved_event_name;
    }
  }
  out.type = b.type();
  out.text = msgpack_frame_kind(b, o) == engineio::frame_kind::text;
  if (out.text) {
    // v4 CONNECT / DISCONNECT / ERROR: JSON text, no payload but ERROR's message.
    if constexpr (mp_data_traits<Data>::is_auth || mp_data_traits<Data>::has_error_data) {
      return error::invalid_argument;
    }
    const std::string_view msg = mp_error_message(d);
    if (!is_utf8(msg)) return error::invalid_utf8;
    if (needs_json_escape(b.nsp()) || needs_json_escape(b.query())) return error::invalid_argument;
    ::SIOCODEC_NAMESPACE::detail::size_counter c;
    emit_v4_text(c, out.type, nsp, mp_data_traits<Data>::is_error ? &msg : nullptr, b.id());
    out.bytes = c.n;
    return c.overflow ? error::invalid_argument : error::none;
  }
  mp_counter data_count;
  msgpack_args_writer w = mp_access::counting(&data_count, &out.plan, o);
  write_mp_data(w, d);
  error e = mp_access::finish(w);
  if (e != error::none) return e;
  if (data_count.overflow) return error::invalid_argument;
  out.plan.has_data = mp_access::has_value(w);
  out.plan.top = mp_access::top_kind(w);
  out.plan.binaries = w.attachment_count();
  out.plan.containers = mp_access::containers(w);
  out.plan.data_bytes = data_count.n;
  if constexpr (mp_data_traits<Data>::is_auth) {
    // The auth must be a map (the reference refuses anything else); none at all is fine.
    if (out.plan.has_data && out.plan.top != msgpack::kind::map) return error::invalid_argument;
  }
  if (o.version == protocol_version::v4 && out.plan.binaries != 0) out.type = promoted(out.type);
  mp_counter head;
  e = emit_mp_packet(head, out.type, nsp, out.plan.has_data, b.id(),
                     [](auto&) { return error::none; });
  if (e != error::none) return e;
  out.bytes = head.n + data_count.n;
  if (out.bytes < head.n || head.overflow) return error::invalid_argument;
  return error::none;
}

// The writing pass: exactly built.bytes at `out`.
template <class B>
error mp_write_builder(const B& b, const encode_options& o, mp_built& built, char* out) {
  using Data = typename B::data_type;
  const mp_nsp nsp{b.nsp(), b.query()};
  if (built.text) {
    const std::string_view msg = mp_error_message(b.data());
    ::SIOCODEC_NAMESPACE::detail::buffer_writer bw{out};
    emit_v4_text(bw, built.type, nsp, mp_data_traits<Data>::is_error ? &msg : nullptr, b.id());
    return error::none;
  }
  mp_writer mw{out, 0, built.bytes};
  const error e =
      emit_mp_packet(mw, built.type, nsp, built.plan.has_data, b.id(), [&](mp_writer& sink) {
        (void)sink;  // the args writer appends to `mw` itself
        msgpack_args_writer w = mp_access::writing(&mw, &built.plan, o);
        write_mp_data(w, b.data());
        const error fe = mp_access::finish(w);
        if (fe != error::none) return fe;
        if (mp_access::has_value(w) != built.plan.has_data) {
          return error::invalid_argument;
        }
        return error::none;
      });
  if (e != error::none) return e;
  if (mw.overflow || mw.pos != built.bytes) return error::invalid_argument;
  return error::none;
}

}  // namespace detail

template <class B, std::enable_if_t<is_packet_builder<B>::value, int>>
result<std::size_t> msgpack_encoded_size(const B& b, const encode_options& opts) {
  detail::mp_built built;
  const error e = detail::mp_plan_builder(b, opts, built);
  if (e != error::none) return {e, 0};
  return {built.bytes, built.bytes};
}

template <class B, std::enable_if_t<is_packet_builder<B>::value, int>>
result<std::size_t> msgpack_encode_to(char* out, std::size_t cap, const B& b,
                                      const encode_options& opts) {
  detail::mp_built built;
  error e = detail::mp_plan_builder(b, opts, built);
  if (e != error::none) return {e, 0};
  if (built.bytes > cap) return {error::output_too_small, cap};
  e = detail::mp_write_builder(b, opts, built, out);
  if (e != error::none) return {e, 0};
  return {built.bytes, built.bytes};
}

template <class B, class Container, std::enable_if_t<is_packet_builder<B>::value, int>>
result<std::size_t> msgpack_encode(const B& b, Container& out, const encode_options& opts) {
  static_assert(is_resizable_buffer<Container>::value,
                "msgpack_encode() needs a resizable container of one-byte elements");
  detail::mp_built built;
  error e = detail::mp_plan_builder(b, opts, built);
  if (e != error::none) return {e, 0};
  const std::size_t old = out.size();
  out.resize(old + built.bytes);  // the one allocation
  e = detail::mp_write_builder(b, opts, built, reinterpret_cast<char*>(out.data()) + old);
  if (e != error::none) {
    out.resize(old);
    return {e, 0};
  }
  return {built.bytes, built.bytes};
}


}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_MSGPACK_PARSER_ENCODE_HPP
