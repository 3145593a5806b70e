// SPDX-License-Identifier: BSL-1.0
// Encoding Socket.IO packets: the text form of a packet_view, and packets built from C++ values.
#ifndef SIOCODEC_SOCKETIO_ENCODE_HPP
#define SIOCODEC_SOCKETIO_ENCODE_HPP

#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/detail/utf8.hpp>
#include <siocodec/error.hpp>
#include <siocodec/json/validate.hpp>
#include <siocodec/json/write.hpp>
#include <siocodec/result.hpp>
#include <siocodec/sink.hpp>
#include <siocodec/socketio/packet.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <new>
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

// What the encoders write (protocol.md §2.2), the same for protocol v5 and v4:
//
//   packet = type [ attachments "-" ] [ nsp [ "?" query ] "," ] [ ack-id ] [ json ]
//
// `attachments` only for BINARY_EVENT / BINARY_ACK; the nsp part only when the namespace is not
// the main one ("" or "/"); the query only on a CONNECT (protocol v4 carries the CONNECT's auth
// there: `0/admin?token=1,`).
//
// Two ways in:
// - encode(packet_view): the header fields plus `data`, raw JSON the caller already has;
// - encode(builder): a packet built from C++ values by event(), ack(), connect(), disconnect()
//   or connect_error(), whose JSON is written here, binary values becoming placeholders:
//
//       sio::attachment_list<4> atts;
//       std::string text;
//       auto r = sio::encode(sio::event("chat", "hello", buffer).nsp("/room"), text, atts);
//       // text == R"(51-/room,["chat","hello",{"_placeholder":true,"num":0}])", atts[0] == buffer
//
// Into a caller buffer, builders are written in one pass, straight into the buffer and bounded
// by its capacity: the header is first written for no attachments, and when binary values turn
// up the rest of the text is moved right to make room for `<count>-`. Into a container they are
// measured, then written (the values are visited twice), so that it grows exactly once. Nothing
// is allocated either way, unless the containers do.

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {

/// Options of every Socket.IO encoder. Pass by const reference; the defaults suit protocol v5.
struct encode_options {
  /// The protocol of the peer. The text of a packet_view is the same in both versions; builders
  /// differ: v4 has no CONNECT payload (connect() with auth is an error; use query()), no
  /// reserved event names, and CONNECT_ERROR (v4: ERROR) carries a bare message string.
  protocol_version version = protocol_version::v5;
  /// Most attachments one packet may carry. The reference decoder's maxAttachments defaults to
  /// 10 and closes the connection above it, so a packet with more would never be read; raise
  /// this only together with the peer's limit.
  std::size_t max_attachments = SIOCODEC_DEFAULT_MAX_ATTACHMENTS;
  /// Deepest nesting of arrays and objects a builder may write (`[]` is depth 1, so an EVENT's
  /// arguments start at depth 2), as json::options::max_depth counts it; at most
  /// json::max_depth_limit. The default is what the decoders accept by default.
  std::size_t max_depth = SIOCODEC_DEFAULT_MAX_JSON_DEPTH;
};

// ---------------------------------------------------------------------------------------------
// packet_view: raw JSON data
// ---------------------------------------------------------------------------------------------

/// Exact size of the text encode() writes for `p`: the type digit, `<attachment_count>-` for
/// binary types, `<nsp>,` unless the namespace is "" or "/", the ack id if present, then `data`.
///
/// `data` is raw JSON written verbatim: it is trusted, not re-validated (that would cost a full
/// JSON scan on the hot path; json::validate() exists for callers who want it). It must be one
/// JSON value in the shape the packet type requires, with one placeholder per attachment for
/// binary types. Only its first byte is looked at. `p.attachments` is not used (the text holds
/// the count only). The output does not depend on opts.version.
///
/// Errors (offset 0):
/// - invalid_argument: `p.type` is not 0-6; a BINARY_EVENT / BINARY_ACK with attachment_count 0,
///   or another type with attachment_count != 0; a namespace other than "" and "/" that does not
///   start with '/' or that contains ',' (the reference writes such a namespace verbatim and the
///   packet cannot be decoded: `2admin,["a"]`); `data` starting with a digit (it would be read
///   back as the ack id) or with JSON whitespace (not the first byte of a JSON value; the
///   reference reads it back as an ack id of 0).
/// - too_many_attachments: attachment_count > opts.max_attachments.
/// - invalid_utf8: the namespace is not valid UTF-8.
result<std::size_t> encoded_size(const packet_view& p, const encode_options& opts = {}) noexcept;

/// Writes the text of `p` into `out` (at most `cap` bytes). @return bytes written.
/// Errors: those of encoded_size(), and output_too_small (nothing written; offset() is cap).
result<std::size_t> encode_to(char* out, std::size_t cap, const packet_view& p,
                              const encode_options& opts = {}) noexcept;

/// encode_to into a fixed array.
template <std::size_t N>
result<std::size_t> encode_to(char (&out)[N], const packet_view& p,
                              const encode_options& opts = {}) noexcept {
  return encode_to(out, N, p, opts);
}

/// Appends the text of `p` to `out` (any resizable byte container; exactly one resize, none on
/// error). Errors: those of encoded_size().
template <class Container>
result<std::size_t> encode(const packet_view& p, Container& out, const encode_options& opts = {});

// ---------------------------------------------------------------------------------------------
// Writing JSON values
// ---------------------------------------------------------------------------------------------

/// Pre-serialized JSON, written verbatim wherever a value goes. Trusted like packet_view::data:
/// not validated, not scanned for placeholders (raw text must not contain any: the attachments
/// of a packet are numbered by the encoder). Empty text is an error (invalid_argument), since
/// it would leave a hole in the output.
struct raw_json {
  std::string_view text;
  constexpr explicit raw_json(std::string_view json) noexcept : text(json) {}
};

/// How a type is written as a JSON value by args_writer::value(). Specialize it for your own
/// types (a full or an enable_if partial specialization of the second parameter):
///
///     template <> struct siocodec::socketio::arg_traits<point> {
///       static void write(siocodec::socketio::args_writer& w, const point& p) {
///         w.begin_object().member("x", p.x).member("y", p.y).end_object();
///       }
///     };
///
/// The primary template knows, in this order of precedence:
/// - callables invocable as `f(args_writer&)`: called, and write whatever they write, in place
///   (zero, one or several values: at the top of an event they add arguments);
/// - array(...) and object(...);
/// - bool; integers (not the character types char, wchar_t, char8/16/32_t: write those as text);
///   floating point (as JavaScript writes numbers: NaN and infinities become null, -0 becomes 0);
/// - std::nullptr_t and std::nullopt_t: null; std::optional<T>: null or the value;
/// - byte_view and byte_span: a binary attachment (a placeholder in the JSON);
/// - raw_json: verbatim;
/// - text: arrays of char (up to the first NUL), const char* (null pointer: null),
///   and anything convertible to std::string_view (std::string...): a JSON string;
/// - contiguous ranges of unsigned char or std::byte (std::vector<std::uint8_t>,
///   std::array<std::byte, N>...): a binary attachment, like JavaScript's Buffer / Uint8Array;
/// - ranges whose elements have `first` and `second`, `first` convertible to std::string_view
///   (std::map<std::string, T>...): an object, in iteration order;
/// - other ranges (std::vector<T>, T[N], std::list<T>...): an array.
/// Anything else fails to compile with a message naming arg_traits.
template <class T, class = void>
struct arg_traits;

class args_writer;

namespace detail {
struct json_sink;
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

  /// Any value arg_traits<T> knows how to write.
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

namespace detail {
template <class... A>
struct array_value {
  std::tuple<A...> items;
};
template <class... A>
struct object_value {
  std::tuple<A...> items;
};
}  // namespace detail

/// A JSON array of the given values, written by arg_traits; nests anywhere a value goes:
/// `sio::event("move", sio::array(1, 2.5, "x"))` gives `["move",[1,2.5,"x"]]`. Lvalue arguments
/// are held by reference (use the result in the same full expression, or keep them alive),
/// rvalues are moved in.
template <class... A>
detail::array_value<A...> array(A&&... items) {
  return {std::tuple<A...>(std::forward<A>(items)...)};
}

/// A JSON object from alternating keys and values: `sio::object("id", 7, "blob", bytes)` gives
/// `{"id":7,"blob":{"_placeholder":true,"num":0}}`. Keys must convert to std::string_view.
/// Arguments are held as by array().
template <class... A>
detail::object_value<A...> object(A&&... keys_and_values) {
  static_assert(sizeof...(A) % 2 == 0, "sio::object takes alternating keys and values");
  return {std::tuple<A...>(std::forward<A>(keys_and_values)...)};
}

/// Fixed-capacity storage for the attachments an encoder finds: no allocation. Any container
/// of byte_view with data(), size(), resize() and max_size() (std::vector<byte_view>) can be
/// used instead; encoders append to it with one resize.
template <std::size_t N>
class attachment_list {
 public:
  using value_type = byte_view;
  using iterator = const byte_view*;
  using const_iterator = const byte_view*;

  byte_view* data() noexcept { return items_; }
  const byte_view* data() const noexcept { return items_; }
  std::size_t size() const noexcept { return size_; }
  static constexpr std::size_t max_size() noexcept { return N; }
  bool empty() const noexcept { return size_ == 0; }
  /// Precondition: n <= N (encoders check); larger values are clamped.
  void resize(std::size_t n) noexcept {
    for (std::size_t i = size_; i < n && i < N; ++i) items_[i] = byte_view();
    size_ = n < N ? n : N;
  }
  void clear() noexcept { size_ = 0; }
  /// Precondition: i < size().
  const byte_view& operator[](std::size_t i) const noexcept { return items_[i]; }
  const byte_view* begin() const noexcept { return items_; }
  const byte_view* end() const noexcept { return items_ + size_; }

 private:
  byte_view items_[N == 0 ? 1 : N];
  std::size_t size_ = 0;
};

/// True for containers an encoder can store attachment views in (see attachment_list).
template <class A, class = void>
struct is_attachment_sink : std::false_type {};
template <class A>
struct is_attachment_sink<A, std::void_t<decltype(std::declval<A&>().resize(std::size_t{})),
                                         decltype(std::declval<const A&>().size()),
                                         decltype(std::declval<const A&>().max_size())>>
    : std::is_same<decltype(std::declval<A&>().data()), byte_view*> {};

// ---------------------------------------------------------------------------------------------
// Packet builders
// ---------------------------------------------------------------------------------------------

/// A packet to be built from C++ values, made by event(), ack(), connect(), disconnect() or
/// connect_error() and given to encode(), encode_to(), encoded_size() or the frame encoders
/// (frames.hpp). The setters chain: `sio::event("chat", msg).nsp("/room").id(12)`.
///
/// A builder holds its lvalue arguments by reference and moves rvalue arguments in; the
/// namespace, query and event name are views. Encode it in the same full expression, or keep
/// what it refers to alive.
template <class Data>
class packet_builder {
 public:
  using data_type = Data;

  constexpr packet_builder(packet_type t, Data d) : data_(std::move(d)), type_(t) {}

  /// The namespace ("" and "/" both mean the main one, which is not written).
  packet_builder& nsp(std::string_view n) & noexcept {
    nsp_ = n;
    return *this;
  }
  packet_builder&& nsp(std::string_view n) && noexcept {
    nsp_ = n;
    return std::move(*this);
  }
  /// The ack id: the peer answers with an ACK carrying it.
  packet_builder& id(std::uint64_t v) & noexcept {
    id_ = v;
    return *this;
  }
  packet_builder&& id(std::uint64_t v) && noexcept {
    id_ = v;
    return std::move(*this);
  }
  /// CONNECT only: a query string written after the namespace, `0/admin?token=1,`. This is how
  /// protocol v4 (Socket.IO 2.x clients) sends auth data; the caller percent-encodes it. The
  /// main namespace is then written `/`.
  packet_builder& query(std::string_view q) & noexcept {
    query_ = q;
    return *this;
  }
  packet_builder&& query(std::string_view q) && noexcept {
    query_ = q;
    return std::move(*this);
  }

  constexpr packet_type type() const noexcept { return type_; }
  constexpr std::string_view nsp() const noexcept { return nsp_; }
  constexpr const std::optional<std::uint64_t>& id() const noexcept { return id_; }
  constexpr std::string_view query() const noexcept { return query_; }
  constexpr const Data& data() const noexcept { return data_; }

 private:
  Data data_;
  std::string_view nsp_ = "/";
  std::string_view query_;
  std::optional<std::uint64_t> id_;
  packet_type type_;
};

/// True for the packet_builder types.
template <class T>
struct is_packet_builder : std::false_type {};
template <class D>
struct is_packet_builder<packet_builder<D>> : std::true_type {};

namespace detail {
template <class... A>
struct event_data {
  std::string_view name;
  std::tuple<A...> args;
  static constexpr bool allows_binary = true;
};
template <class... A>
struct ack_data {
  std::tuple<A...> args;
  static constexpr bool allows_binary = true;
};
struct no_data {
  static constexpr bool allows_binary = false;
};
template <class V>
struct auth_data {
  V auth;
  static constexpr bool allows_binary = false;
};
template <class... D>  // none or one value
struct error_data {
  std::string_view message;
  std::tuple<D...> data;
  static constexpr bool allows_binary = false;
};
}  // namespace detail

/// An EVENT: `name` then the arguments, like `socket.emit(name, args...)`. Each argument is
/// written by arg_traits (strings, numbers, bools, byte_view and byte containers as
/// attachments, array(), object(), containers, raw_json, optional...), or is a callback
/// `void(args_writer&)` that writes any number of arguments (it runs once or twice: see
/// args_writer):
///
///     sio::event("chat", "hello", buffer)                       // 51-["chat","hello",{...}]
///     sio::event("scores", [&](sio::args_writer& w) { for (int s : scores) w.value(s); })
///
/// Promoted to BINARY_EVENT when a binary value is written.
/// Errors when encoded (besides those of args_writer): reserved_event_name (protocol v5, `name`
/// is one the reference refuses: connect, connect_error, disconnect, disconnecting, newListener,
/// removeListener), invalid_utf8 (`name` is not UTF-8).
template <class... A>
packet_builder<detail::event_data<A...>> event(std::string_view name, A&&... args) {
  return {packet_type::event,
          detail::event_data<A...>{name, std::tuple<A...>(std::forward<A>(args)...)}};
}

/// An ACK answering the event with ack id `id`; the arguments as for event(). Promoted to
/// BINARY_ACK when a binary value is written.
template <class... A>
packet_builder<detail::ack_data<A...>> ack(std::uint64_t id, A&&... args) {
  packet_builder<detail::ack_data<A...>> b{
      packet_type::ack, detail::ack_data<A...>{std::tuple<A...>(std::forward<A>(args)...)}};
  b.id(id);
  return b;
}

/// A CONNECT to namespace `nsp`, without auth: `0`, `0/admin,`.
inline packet_builder<detail::no_data> connect(std::string_view nsp = "/") {
  packet_builder<detail::no_data> b{packet_type::connect, detail::no_data{}};
  b.nsp(nsp);
  return b;
}

/// A CONNECT to `nsp` with an auth payload, which must write a JSON object (object(...), a map,
/// raw_json `{...}`, a callback or an arg_traits type that writes an object):
/// `sio::connect("/admin", sio::object("token", "abc"))` gives `0/admin,{"token":"abc"}`.
/// Errors when encoded: invalid_argument (the auth is not an object, contains a binary value,
/// or the protocol is v4, whose CONNECT carries no payload: use query()).
template <class V>
packet_builder<detail::auth_data<V>> connect(std::string_view nsp, V&& auth) {
  packet_builder<detail::auth_data<V>> b{packet_type::connect,
                                         detail::auth_data<V>{std::forward<V>(auth)}};
  b.nsp(nsp);
  return b;
}

/// A DISCONNECT from `nsp`: `1`, `1/admin,`.
inline packet_builder<detail::no_data> disconnect(std::string_view nsp = "/") {
  packet_builder<detail::no_data> b{packet_type::disconnect, detail::no_data{}};
  b.nsp(nsp);
  return b;
}

/// A CONNECT_ERROR (protocol v4: ERROR) refusing a connection. v5 writes the object the
/// reference server sends, `{"message":"..."}`; v4 the bare string, as Socket.IO 2.x does.
/// Errors when encoded: invalid_utf8 (`message` is not UTF-8).
inline packet_builder<detail::error_data<>> connect_error(std::string_view message) {
  return {packet_type::connect_error, detail::error_data<>{message, {}}};
}

/// A CONNECT_ERROR with extra data: v5 `{"message":"...","data":<data>}` (the reference's
/// err.data); v4 just `<data>` (Socket.IO 2.x sends `err.data || err.message`).
/// Errors when encoded: invalid_argument (a binary value in `data`; v4: `data` is a number or a
/// boolean, which the v4 decoder refuses), invalid_utf8.
template <class D>
packet_builder<detail::error_data<D>> connect_error(std::string_view message, D&& data) {
  return {packet_type::connect_error,
          detail::error_data<D>{message, std::tuple<D>(std::forward<D>(data))}};
}

/// Exact size of the text encode() writes for builder `b`. Runs the value callbacks once.
/// @return the size.
/// Errors (offset 0):
/// - those of args_writer and of the builder function that made `b`;
/// - invalid_argument, invalid_utf8: a bad namespace, as for a packet_view; a query on a packet
///   that is not a CONNECT, or one containing ',' (it would end the namespace).
/// - too_many_attachments: more binary values than opts.max_attachments.
template <class B, std::enable_if_t<is_packet_builder<B>::value, int> = 0>
result<std::size_t> encoded_size(const B& b, const encode_options& opts = {});

/// Writes the text of `b` into `out` (at most `cap` bytes) and appends the views of its binary
/// values to `attachments` (in placeholder order; views of the caller's bytes, nothing copied).
/// One pass for a text of up to SIOCODEC_ONE_PASS_BUFFER bytes (2 KiB): the value callbacks run
/// once, writing into a buffer of the encoder's own, which is copied to `out` once the packet is
/// complete and valid. A longer text, or a packet with more than 16 binary values (which needs a
/// raised max_attachments), gets a second, writing run straight into `out`. No allocation unless
/// `attachments` allocates (attachment_list never does).
/// @return bytes written.
/// Errors: those of encoded_size() (they take precedence over output_too_small: the packet is
/// visited to its end even when the buffer is full), output_too_small (cap too small; offset()
/// is cap), too_many_attachments (also when `attachments` cannot hold them all),
/// invalid_argument (in a second run: a callback wrote something else than in its first). On
/// any error nothing is written to `out` (not even below cap) and `attachments` keeps its old
/// size; the one exception is that second-run invalid_argument, after which the first
/// encoded_size() bytes of `out` are unspecified.
template <class B, class A,
          std::enable_if_t<is_packet_builder<B>::value && is_attachment_sink<A>::value, int> = 0>
result<std::size_t> encode_to(char* out, std::size_t cap, const B& b, A& attachments,
                              const encode_options& opts = {});

/// encode_to for a packet without binary values (one would be too_many_attachments).
template <class B, std::enable_if_t<is_packet_builder<B>::value, int> = 0>
result<std::size_t> encode_to(char* out, std::size_t cap, const B& b,
                              const encode_options& opts = {});

/// Appends the text of `b` to `out` (one resize) and its attachment views to `attachments`.
/// Two passes: the value callbacks run twice (measuring, then writing; see args_writer).
/// Errors: those of encode_to() but output_too_small, and invalid_argument when a callback
/// wrote something else in its second run. On error both containers keep their old size.
template <class B, class Container, class A,
          std::enable_if_t<is_packet_builder<B>::value && is_attachment_sink<A>::value, int> = 0>
result<std::size_t> encode(const B& b, Container& out, A& attachments,
                           const encode_options& opts = {});

/// encode for a packet without binary values (one would be too_many_attachments).
template <class B, class Container, std::enable_if_t<is_packet_builder<B>::value, int> = 0>
result<std::size_t> encode(const B& b, Container& out, const encode_options& opts = {});

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

// What the measuring writers learn about the text when `track` is set (polling bodies, whose
// framing depends on the text): UTF-16 units, UTF-8 validity and the 0x1E record separator.
// Every piece appended is whole code points (ASCII syntax, whole strings, whole raw JSON), so the
// text can be judged piece by piece.
struct text_checks {
  bool track = false;
  std::size_t utf16 = 0;
  bool bad_utf8 = false;
  bool has_separator = false;

  void see(const char* s, std::size_t k) noexcept {
    if (::SIOCODEC_NAMESPACE::detail::utf8_find_invalid(s, k) != k) {
      bad_utf8 = true;
    } else {
      utf16 += ::SIOCODEC_NAMESPACE::detail::utf16_length(s, k);
    }
    if (k != 0 && std::memchr(s, 0x1E, k) != nullptr) has_separator = true;
  }
};

// The measuring writer of builders and frame encoders: counts bytes (and checks the text).
struct text_counter : text_checks {
  std::size_t n = 0;
  bool overflow = false;
  static constexpr bool counting = true;

  SIOCODEC_ALWAYS_INLINE void add(std::size_t k) noexcept {
    n += k;
    overflow |= n < k;
  }
  // Inline: the measuring pass calls these for every token.
  SIOCODEC_ALWAYS_INLINE void put(char c) noexcept {
    add(1);
    if (SIOCODEC_UNLIKELY(track)) see(&c, 1);
  }
  SIOCODEC_ALWAYS_INLINE void append(const char* s, std::size_t k) noexcept {
    add(k);
    if (SIOCODEC_UNLIKELY(track)) see(s, k);
  }
  void fill(char c, std::size_t k) noexcept {
    for (std::size_t i = 0; i < k; ++i) put(c);
  }
};

// The sink of args_writer and of the builder paths. It writes into [p, end) while the pieces
// fit; the first piece that does not fit turns it into a counter (end = p), so the rest of the
// packet is still visited, validated and measured: an encoder that finds its output too small
// still reports the errors that take precedence, and knows the size that was needed. A sink
// without room (p == end) only counts: the measuring pass. With `track`, counted pieces also go
// through the checks of text_counter (polling bodies).
struct json_sink : text_checks {
  char* p = nullptr;
  char* end = nullptr;
  std::size_t extra = 0;  // bytes counted, not written
  bool overflow = false;  // extra wrapped around
  static constexpr bool counting = false;

  SIOCODEC_ALWAYS_INLINE bool has_room(std::size_t k) const noexcept {
    return static_cast<std::size_t>(end - p) >= k;
  }
  SIOCODEC_ALWAYS_INLINE void put(char c) noexcept {
    if (SIOCODEC_LIKELY(p != end)) {
      *p++ = c;
      return;
    }
    count(&c, 1);
  }
  SIOCODEC_ALWAYS_INLINE void append(const char* s, std::size_t k) noexcept {
    if (SIOCODEC_LIKELY(has_room(k))) {
      json::detail::copy_short(p, s, k);
      p += k;
      return;
    }
    count(s, k);
  }
  void fill(char c, std::size_t k) noexcept {
    for (std::size_t i = 0; i < k; ++i) put(c);
  }
  // A sink that only counts (the measuring pass, or a buffer already full) and has no checks to
  // feed: the args_writer then counts whole tokens at once, without writing them piece by piece.
  SIOCODEC_ALWAYS_INLINE bool counts_only() const noexcept { return p == end && !track; }
  SIOCODEC_ALWAYS_INLINE void add(std::size_t k) noexcept {
    extra += k;
    overflow |= extra < k;
  }
  SIOCODEC_ALWAYS_INLINE void count(const char* s, std::size_t k) noexcept {
    end = p;  // nothing after a piece that did not fit may be written
    extra += k;
    overflow |= extra < k;
    if (SIOCODEC_UNLIKELY(track)) see(s, k);
  }
};

// A json_sink's fast path: writes with no checks, into room the caller has made sure of (a
// JSON string takes at most 6 bytes per byte of text, `\u001f`, plus its quotes).
struct raw_sink {
  char* p;
  static constexpr bool counting = false;
  SIOCODEC_ALWAYS_INLINE void put(char c) noexcept { *p++ = c; }
  SIOCODEC_ALWAYS_INLINE void append(const char* s, std::size_t k) noexcept {
    json::detail::copy_short(p, s, k);
    p += k;
  }
  void fill(char c, std::size_t k) noexcept {
    if (k != 0) std::memset(p, c, k);
    p += k;
  }
};

// True when `s` has room for the JSON string of `text` and `extra` more bytes.
SIOCODEC_ALWAYS_INLINE bool has_string_room(const json_sink& s, std::size_t text,
                                            std::size_t extra) noexcept {
  const auto avail = static_cast<std::size_t>(s.end - s.p);
  return avail >= extra + 2 && (avail - extra - 2) / 6 >= text;
}

inline bool is_main_nsp(std::string_view nsp) noexcept { return nsp.empty() || nsp == "/"; }

inline error check_header(packet_type type, std::size_t attachments, std::string_view nsp,
                          std::string_view query, const encode_options& opts) noexcept {
  if (!is_valid(type)) return error::invalid_argument;
  if (is_binary(type)) {
    if (attachments == 0) return error::invalid_argument;
    if (attachments > opts.max_attachments) return error::too_many_attachments;
  } else if (attachments != 0) {
    return error::invalid_argument;
  }
  if (!is_main_nsp(nsp)) {
    // The decoder only sees a namespace that starts with '/', and ends it at the first ','.
    if (nsp.front() != '/' || nsp.find(',') != std::string_view::npos) {
      return error::invalid_argument;
    }
    if (::SIOCODEC_NAMESPACE::detail::utf8_find_invalid(nsp.data(), nsp.size()) != nsp.size()) {
      return error::invalid_utf8;
    }
  }
  if (!query.empty()) {
    if (type != packet_type::connect || query.find(',') != std::string_view::npos) {
      return error::invalid_argument;
    }
    if (::SIOCODEC_NAMESPACE::detail::utf8_find_invalid(query.data(), query.size()) !=
        query.size()) {
      return error::invalid_utf8;
    }
  }
  return error::none;
}

template <class W>
void emit_header(W& w, packet_type type, std::size_t attachments, std::string_view nsp,
                 std::string_view query, const std::optional<std::uint64_t>& id) noexcept {
  w.put(static_cast<char>('0' + static_cast<std::uint8_t>(type)));
  if (is_binary(type)) {
    json::emit_uint(w, attachments);
    w.put('-');
  }
  if (!query.empty()) {
    if (is_main_nsp(nsp)) {
      w.put('/');
    } else {
      w.append(nsp.data(), nsp.size());
    }
    w.put('?');
    w.append(query.data(), query.size());
    w.put(',');
  } else if (!is_main_nsp(nsp)) {
    w.append(nsp.data(), nsp.size());
    w.put(',');
  }
  if (id) json::emit_uint(w, *id);
}

template <class W>
error emit_packet(W& w, const packet_view& p, const encode_options& opts) noexcept {
  if (W::counting) {
    const error e = check_header(p.type, p.attachment_count, p.nsp, {}, opts);
    if (e != error::none) return e;
    // A leading digit would be read back as (part of) the ack id; leading whitespace is what
    // the reference's Number() also takes for an ack id.
    if (!p.data.empty() &&
        ((p.data.front() >= '0' && p.data.front() <= '9') || json::detail::is_ws(p.data.front()))) {
      return error::invalid_argument;
    }
  }
  emit_header(w, p.type, p.attachment_count, p.nsp, {}, p.id);
  w.append(p.data.data(), p.data.size());
  return error::none;
}

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

template <class T>
struct is_char_type
    : std::bool_constant<std::is_same<T, char>::value || std::is_same<T, wchar_t>::value ||
                         std::is_same<T, char16_t>::value || std::is_same<T, char32_t>::value
#if defined(__cpp_char8_t)
                         || std::is_same<T, char8_t>::value
#endif
                         > {
};

template <class T, class = void>
struct is_range : std::false_type {};
template <class T>
struct is_range<T, std::void_t<decltype(std::begin(std::declval<const T&>())),
                               decltype(std::end(std::declval<const T&>()))>> : std::true_type {};

template <class T>
using range_element_t =
    std::remove_cv_t<std::remove_reference_t<decltype(*std::begin(std::declval<const T&>()))>>;

template <class T, class = void>
struct is_byte_range : std::false_type {};
template <class T>
struct is_byte_range<T, std::void_t<decltype(std::data(std::declval<const T&>())),
                                    decltype(std::size(std::declval<const T&>()))>>
    : std::bool_constant<
          std::is_same<std::remove_cv_t<
                           std::remove_pointer_t<decltype(std::data(std::declval<const T&>()))>>,
                       unsigned char>::value ||
          std::is_same<std::remove_cv_t<
                           std::remove_pointer_t<decltype(std::data(std::declval<const T&>()))>>,
                       std::byte>::value> {};

template <class E, class = void>
struct is_key_value : std::false_type {};
template <class E>
struct is_key_value<E, std::void_t<decltype(std::declval<const E&>().first),
                                   decltype(std::declval<const E&>().second)>>
    : std::is_convertible<decltype(std::declval<const E&>().first), std::string_view> {};

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
struct dependent_false : std::false_type {};

template <class Tuple, std::size_t... I>
void write_tuple(args_writer& w, const Tuple& t, std::index_sequence<I...>) {
  (void)w;
  (void)t;
  (w.value(std::get<I>(t)), ...);
}
template <class... A>
void write_all(args_writer& w, const std::tuple<A...>& t) {
  write_tuple(w, t, std::index_sequence_for<A...>{});
}

template <class Tuple, std::size_t... I>
void write_members(args_writer& w, const Tuple& t, std::index_sequence<I...>) {
  (void)w;
  (void)t;
  (w.member(std::string_view(std::get<2 * I>(t)), std::get<2 * I + 1>(t)), ...);
}

}  // namespace detail

template <class T, class>
struct arg_traits {
  static void write(args_writer& w, const T& v) {
    using U = std::remove_cv_t<T>;
    if constexpr (std::is_invocable<const U&, args_writer&>::value) {
      v(w);
    } else if constexpr (std::is_same<U, bool>::value) {
      w.boolean(v);
    } else if constexpr (detail::is_char_type<U>::value) {
      static_assert(detail::dependent_false<U>::value,
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
    } else if constexpr (std::is_array<U>::value &&
                         detail::is_char_type<std::remove_cv_t<std::remove_extent_t<U>>>::value) {
      static_assert(std::is_same<std::remove_cv_t<std::remove_extent_t<U>>, char>::value,
                    "siocodec: only char text (UTF-8) can be written");
      // A char array is text up to its first NUL (a literal's terminator), never past its end.
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
    } else if constexpr (detail::is_optional<U>::value) {
      if (v) {
        w.value(*v);
      } else {
        w.null();
      }
    } else if constexpr (detail::is_byte_range<U>::value) {
      w.binary(byte_view(static_cast<const void*>(std::data(v)), std::size(v)));
    } else if constexpr (detail::is_range<U>::value) {
      using E = detail::range_element_t<U>;
      if constexpr (detail::is_key_value<E>::value) {
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
      static_assert(detail::dependent_false<U>::value,
                    "siocodec: no way to write this type as JSON; specialize "
                    "siocodec::socketio::arg_traits<T> with a static "
                    "write(args_writer&, const T&)");
    }
  }
};

template <class... A>
struct arg_traits<detail::array_value<A...>> {
  static void write(args_writer& w, const detail::array_value<A...>& v) {
    w.begin_array();
    detail::write_all(w, v.items);
    w.end_array();
  }
};

template <class... A>
struct arg_traits<detail::object_value<A...>> {
  static void write(args_writer& w, const detail::object_value<A...>& v) {
    w.begin_object();
    detail::write_members(w, v.items, std::make_index_sequence<sizeof...(A) / 2>{});
    w.end_object();
  }
};

// --- args_writer ------------------------------------------------------------------------------

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

// --- packet_view ------------------------------------------------------------------------------

inline result<std::size_t> encoded_size(const packet_view& p, const encode_options& opts) noexcept {
  return ::SIOCODEC_NAMESPACE::detail::measure(
      [&](auto& w) { return detail::emit_packet(w, p, opts); });
}

inline result<std::size_t> encode_to(char* out, std::size_t cap, const packet_view& p,
                                     const encode_options& opts) noexcept {
  return ::SIOCODEC_NAMESPACE::detail::write_bounded(
      out, cap, [&](auto& w) { return detail::emit_packet(w, p, opts); });
}

template <class Container>
result<std::size_t> encode(const packet_view& p, Container& out, const encode_options& opts) {
  return ::SIOCODEC_NAMESPACE::detail::write_append(
      out, [&](auto& w) { return detail::emit_packet(w, p, opts); });
}

// --- builders ---------------------------------------------------------------------------------

namespace detail {

// What the measuring pass of a builder found.
struct text_plan {
  packet_type type = packet_type::event;  // as written: EVENT / ACK promoted when binary
  std::size_t attachments = 0;
  std::size_t bytes = 0;
  // With tracking (frames.hpp): the text's UTF-16 length, validity, separator, and the summed
  // framed size of the attachments.
  std::size_t utf16 = 0;
  bool bad_utf8 = false;
  bool has_separator = false;
  std::size_t attachment_cost = 0;
};

inline bool is_reserved_event_name(std::string_view name) noexcept {
  return name == "connect" || name == "connect_error" || name == "disconnect" ||
         name == "disconnecting" || name == "newListener" || name == "removeListener";
}

// Each Data kind: checks before writing, writes its one top-level value (or none), checks after.
template <class... A>
error check_data(const event_data<A...>& d, const encode_options& o) noexcept {
  if (o.version == protocol_version::v5 && is_reserved_event_name(d.name)) {
    return error::reserved_event_name;
  }
  return error::none;
}
template <class D>
error check_data(const D&, const encode_options&) noexcept {
  return error::none;
}

template <class... A>
void write_data(args_writer& w, const event_data<A...>& d) {
  w.begin_array();
  w.string(d.name);
  write_all(w, d.args);
  w.end_array();
}
template <class... A>
void write_data(args_writer& w, const ack_data<A...>& d) {
  w.begin_array();
  write_all(w, d.args);
  w.end_array();
}
inline void write_data(args_writer&, const no_data&) {}
template <class V>
void write_data(args_writer& w, const auth_data<V>& d) {
  w.value(d.auth);
}
template <class... D>
void write_data(args_writer& w, const error_data<D...>& d) {
  if (w.version() == protocol_version::v4) {
    if constexpr (sizeof...(D) == 0) {
      w.string(d.message);
    } else {
      write_all(w, d.data);
    }
    return;
  }
  w.begin_object();
  w.member("message", d.message);
  if constexpr (sizeof...(D) != 0) {
    w.key("data");
    write_all(w, d.data);
  }
  w.end_object();
}

template <class V>
error check_written(const auth_data<V>&, bool has_value, json::kind k,
                    const encode_options& o) noexcept {
  if (!has_value) return error::none;
  // v4 CONNECT packets carry no payload: auth travels in the namespace's query string.
  if (o.version == protocol_version::v4) return error::invalid_argument;
  return k == json::kind::object ? error::none : error::invalid_argument;
}
template <class... D>
error check_written(const error_data<D...>&, bool, json::kind k, const encode_options& o) noexcept {
  // The v4 decoder takes a string or any JSON object/array/null for ERROR, nothing else.
  if (o.version == protocol_version::v4 && (k == json::kind::number || k == json::kind::boolean)) {
    return error::invalid_argument;
  }
  return error::none;
}
template <class D>
error check_written(const D&, bool, json::kind, const encode_options&) noexcept {
  return error::none;
}

constexpr packet_type promoted(packet_type t) noexcept {
  return t == packet_type::event ? packet_type::binary_event
         : t == packet_type::ack ? packet_type::binary_ack
                                 : t;
}

// Runs the builder's callbacks through `w`, then the checks both the measuring pass and the
// one-pass writer make, in the same order: the writer's own errors, the data kind's, then the
// header's. `type` becomes the type as written (promoted when there were binary values).
template <class B>
error write_and_check(const B& b, const encode_options& o, args_writer& w, packet_type& type) {
  write_data(w, b.data());
  error e = args_access::finish(w);
  if (e != error::none) return e;
  e = check_written(b.data(), args_access::has_value(w), args_access::top_kind(w), o);
  if (e != error::none) return e;
  const std::size_t n = w.attachment_count();
  type = n != 0 ? promoted(b.type()) : b.type();
  return check_header(type, n, b.nsp(), b.query(), o);
}

// The measuring pass. With `track`, the plan also gets what frames.hpp needs.
template <class B>
error plan_builder(const B& b, const encode_options& o, bool track, text_plan& plan,
                   std::size_t (*cost)(byte_view, const void*) noexcept = nullptr,
                   const void* cost_ctx = nullptr) {
  using Data = typename B::data_type;
  error e = check_data(b.data(), o);
  if (e != error::none) return e;
  json_sink json_count;
  json_count.track = track;
  args_writer w = args_access::make(&json_count, nullptr, 0, false, o, Data::allows_binary);
  if (cost != nullptr) args_access::set_cost(w, cost, cost_ctx);
  packet_type type = b.type();
  e = write_and_check(b, o, w, type);
  if (e != error::none) return e;
  const std::size_t n = w.attachment_count();
  text_counter head;
  head.track = track;
  emit_header(head, type, n, b.nsp(), b.query(), b.id());
  plan.type = type;
  plan.attachments = n;
  plan.bytes = head.n + json_count.extra;
  if (json_count.overflow || plan.bytes < head.n) return error::invalid_argument;
  plan.utf16 = head.utf16 + json_count.utf16;
  plan.bad_utf8 = head.bad_utf8 || json_count.bad_utf8;
  plan.has_separator = head.has_separator || json_count.has_separator;
  plan.attachment_cost = args_access::cost(w);
  return error::none;
}

// The writing pass: exactly plan.bytes at `out`, the attachment views at `atts`.
template <class B>
error write_builder(const B& b, const encode_options& o, const text_plan& plan, char* out,
                    byte_view* atts) {
  using Data = typename B::data_type;
  json_sink cw;
  cw.p = out;
  cw.end = out + plan.bytes;
  emit_header(cw, plan.type, plan.attachments, b.nsp(), b.query(), b.id());
  args_writer w = args_access::make(&cw, atts, plan.attachments, true, o, Data::allows_binary);
  write_data(w, b.data());
  const error e = args_access::finish(w);
  if (e != error::none) return e;
  if (cw.extra != 0 || cw.p != out + plan.bytes || w.attachment_count() != plan.attachments) {
    return error::invalid_argument;
  }
  return error::none;
}

// Attachment views a one-pass encode keeps on the stack before they go to the caller's
// container (whose size must not change unless the whole encode succeeds). A packet with more
// binary values (only possible with a raised max_attachments) gets a second, writing pass.
constexpr std::size_t once_attachments = 16;

// Uninitialized room for those views (one_pass constructs each one it stores): zeroing 256
// bytes would be a tenth of the cost of encoding a small event.
// (Trivially copyable implies a trivial destructor, so nothing is left to destroy either.)
static_assert(std::is_trivially_copyable<byte_view>::value,
              "once_slots holds byte_views in raw storage");
struct once_slots {
  alignas(byte_view) unsigned char raw[once_attachments * sizeof(byte_view)];
  byte_view* get() noexcept { return reinterpret_cast<byte_view*>(raw); }
};

// A one-pass encode writes its text here, not into the caller's buffer, and copies it there only
// once it is complete and valid: a failure (a callback's error, a buffer too small) must leave
// the caller's bytes as they were. Short texts, the common case, cost one copy; a longer one is
// measured by the first run and written into the caller's buffer by a second. Not initialized:
// one_pass writes before anything is read. Its size: SIOCODEC_ONE_PASS_BUFFER (config.hpp).
constexpr std::size_t once_text = SIOCODEC_ONE_PASS_BUFFER;
static_assert(once_text >= 1, "SIOCODEC_ONE_PASS_BUFFER must be at least 1");
struct once_text_buffer {
  char raw[once_text];
};

// Copies a one-pass text (1 <= n <= once_text) out of the once_text_buffer. Up to 64 bytes,
// the usual size of a small event, overlapping fixed-size copies compile to a few loads and
// stores, fewer instructions than a call to memcpy (the w1 encode budget; a case for 65-128
// bytes cost w2 and w5 more than it saved).
// g++ 12 at -O3 loses the caller's `n <= cap` check once this is inlined into a call with a small
// fixed array as `out`, and warns (-Warray-bounds) that the memcpy of the n > 64 branch would
// overrun it; the pragma silences that false positive here only (it follows the inlining).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#endif
SIOCODEC_ALWAYS_INLINE void copy_text(char* dst, const char* src, std::size_t n) noexcept {
  if (n > 16 && n <= 32) {
    std::memcpy(dst, src, 16);
    std::memcpy(dst + n - 16, src + n - 16, 16);
  } else if (n > 32 && n <= 64) {
    std::memcpy(dst, src, 32);
    std::memcpy(dst + n - 32, src + n - 32, 32);
  } else {
    json::detail::copy_short(dst, src, n);  // up to 16 bytes inline, else memcpy
  }
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

// What one_pass found: the plan of the text (bytes: its full size, written or not) and whether
// all of it is at `out`.
struct once_plan {
  text_plan text;
  bool written = false;
};

// Writes the text of `b` into out[0, room) with one run of the callbacks, and validates it as
// plan_builder does, in the same order. The header is written for no attachments; when binary
// values turn up, the rest is moved right to make room for `<count>-` and the type is
// promoted. With `separator_check` (Engine.IO v4 polling), a text holding 0x1E is an error.
template <class B>
error one_pass(const B& b, const encode_options& o, char* out, std::size_t room, byte_view* atts,
               bool separator_check, once_plan& plan,
               std::size_t (*cost)(byte_view, const void*) noexcept = nullptr,
               const void* cost_ctx = nullptr) {
  using Data = typename B::data_type;
  error e = check_data(b.data(), o);
  if (e != error::none) return e;
  json_sink s;
  s.p = out;
  s.end = out + room;
  s.track = separator_check;
  emit_header(s, b.type(), 0, b.nsp(), b.query(), b.id());
  args_writer w = args_access::make(&s, atts, once_attachments, false, o, Data::allows_binary);
  if (cost != nullptr) args_access::set_cost(w, cost, cost_ctx);
  packet_type type = b.type();
  e = write_and_check(b, o, w, type);
  if (e != error::none) return e;
  const std::size_t n = w.attachment_count();
  const std::size_t written = static_cast<std::size_t>(s.p - out);
  const std::size_t grow =
      n != 0 ? static_cast<std::size_t>(json::detail::decimal_digits(n)) + 1 : 0;
  std::size_t bytes = written + s.extra;
  if (s.overflow || bytes < written || bytes + grow < bytes) return error::invalid_argument;
  bytes += grow;
  if (separator_check &&
      (s.has_separator || (written != 0 && std::memchr(out, 0x1E, written) != nullptr))) {
    return error::invalid_argument;
  }
  plan.text.type = type;
  plan.text.attachments = n;
  plan.text.bytes = bytes;
  plan.text.attachment_cost = args_access::cost(w);
  plan.written = s.extra == 0 && bytes <= room;
  if (plan.written && grow != 0) {
    // written >= 1: the type digit is always there.
    std::memmove(out + 1 + grow, out + 1, written - 1);
    json_sink head;
    head.p = out;
    head.end = out + 1 + grow;
    emit_header(head, type, n, {}, {}, std::nullopt);
  }
  return error::none;
}

// Storage for packets that carry no attachments.
struct no_attachments {
  using value_type = byte_view;
  byte_view* data() noexcept { return nullptr; }
  std::size_t size() const noexcept { return 0; }
  static constexpr std::size_t max_size() noexcept { return 0; }
  void resize(std::size_t) noexcept {}
};

// Makes room for n more attachment views. Returns the first slot, or null when there is none.
template <class A>
byte_view* grow_attachments(A& atts, std::size_t n, error& e) {
  const std::size_t old = atts.size();
  if (n > atts.max_size() - old) {
    e = error::too_many_attachments;
    return nullptr;
  }
  if (n == 0) return nullptr;
  atts.resize(old + n);
  return atts.data() + old;
}

}  // namespace detail

template <class B, std::enable_if_t<is_packet_builder<B>::value, int>>
result<std::size_t> encoded_size(const B& b, const encode_options& opts) {
  detail::text_plan plan;
  const error e = detail::plan_builder(b, opts, false, plan);
  if (e != error::none) return {e, 0};
  return {plan.bytes, plan.bytes};
}

template <class B, class A,
          std::enable_if_t<is_packet_builder<B>::value && is_attachment_sink<A>::value, int>>
result<std::size_t> encode_to(char* out, std::size_t cap, const B& b, A& attachments,
                              const encode_options& opts) {
  detail::once_slots slots_raw;
  byte_view* const local = slots_raw.get();
  detail::once_text_buffer text;
  detail::once_plan plan;
  error e = detail::one_pass(b, opts, text.raw, cap < detail::once_text ? cap : detail::once_text,
                             local, false, plan);
  if (e != error::none) return {e, 0};
  const std::size_t bytes = plan.text.bytes;
  if (bytes > cap) return {error::output_too_small, cap};
  const std::size_t n = plan.text.attachments;
  const std::size_t old_atts = attachments.size();
  byte_view* slots = detail::grow_attachments(attachments, n, e);
  if (e != error::none) return {e, 0};
  if (plan.written && n <= detail::once_attachments) {
    detail::copy_text(out, text.raw, bytes);
    // Byte copy of raw storage (byte_view is trivially copyable): one_pass constructed these n
    // views, which the compiler cannot follow through the argument writer; an element-wise copy
    // reads them as byte_view objects and g++ 12 -O1 reports -Wmaybe-uninitialized on slots_raw.
    // grow_attachments gives a slot exactly when n != 0; testing the slot rather than n lets
    // the compiler see that no_attachments (never a slot) copies nothing (else -Wnonnull).
    if (slots != nullptr) std::memcpy(static_cast<void*>(slots), local, n * sizeof(byte_view));
  } else {
    e = detail::write_builder(b, opts, plan.text, out, slots);
    if (e != error::none) {
      attachments.resize(old_atts);
      return {e, 0};
    }
  }
  return {bytes, bytes};
}

template <class B, std::enable_if_t<is_packet_builder<B>::value, int>>
result<std::size_t> encode_to(char* out, std::size_t cap, const B& b, const encode_options& opts) {
  detail::no_attachments none;
  return encode_to(out, cap, b, none, opts);
}

template <class B, class Container, class A,
          std::enable_if_t<is_packet_builder<B>::value && is_attachment_sink<A>::value, int>>
result<std::size_t> encode(const B& b, Container& out, A& attachments, const encode_options& opts) {
  static_assert(is_resizable_buffer<Container>::value,
                "encode() needs a resizable container of one-byte elements");
  detail::text_plan plan;
  error e = detail::plan_builder(b, opts, false, plan);
  if (e != error::none) return {e, 0};
  if (plan.attachments > attachments.max_size() - attachments.size()) {
    return {error::too_many_attachments, 0};
  }
  const std::size_t old = out.size();
  const std::size_t old_atts = attachments.size();
  out.resize(old + plan.bytes);  // the one allocation
  byte_view* slots = detail::grow_attachments(attachments, plan.attachments, e);
  e = detail::write_builder(b, opts, plan, reinterpret_cast<char*>(out.data()) + old, slots);
  if (e != error::none) {
    out.resize(old);
    attachments.resize(old_atts);
    return {e, 0};
  }
  return {plan.bytes, plan.bytes};
}

template <class B, class Container, std::enable_if_t<is_packet_builder<B>::value, int>>
result<std::size_t> encode(const B& b, Container& out, const encode_options& opts) {
  detail::no_attachments none;
  return encode(b, out, none, opts);
}

}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_ENCODE_HPP
