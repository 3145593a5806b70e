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
// Builders are measured, then written: the values are visited twice (once to validate, count
// bytes and attachments, once to write), so nothing is allocated when the output is a caller
// buffer, and a container grows exactly once.

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
struct text_counter;
struct checked_writer;
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
/// Every callback runs twice per encode (a measuring pass, then a writing pass) and must write
/// the same values both times; an encoder that notices a difference fails with
/// invalid_argument rather than write past the size it measured.
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

  args_writer(detail::text_counter* counter, detail::checked_writer* writer, byte_view* atts,
              std::size_t atts_room, const encode_options& opts, bool binary_allowed) noexcept;

  template <class F>
  decltype(auto) out(F&& f) noexcept;
  bool begin_value(json::kind k) noexcept;
  void fail(::SIOCODEC_NAMESPACE::error e) noexcept {
    if (error_ == ::SIOCODEC_NAMESPACE::error::none) error_ = e;
  }
  bool in_object() const noexcept {
    const std::size_t top = depth_ - 1;
    return depth_ != 0 && ((object_bits_[top / 64] >> (top % 64)) & 1U) != 0;
  }
  args_writer& open(bool object) noexcept;
  args_writer& close(bool object) noexcept;

  detail::text_counter* counter_;
  detail::checked_writer* writer_;
  // Writing pass: where the attachment views go, and how many fit.
  byte_view* atts_;
  std::size_t atts_room_;
  // Measuring pass of the frame encoders: the framed size of each attachment (frames.hpp),
  // summed into att_cost_; SIZE_MAX from the hook means "cannot be framed".
  std::size_t (*att_cost_fn_)(byte_view, const void*) noexcept = nullptr;
  const void* att_cost_ctx_ = nullptr;
  std::size_t att_cost_ = 0;
  std::size_t attachments_ = 0;
  std::size_t max_attachments_;
  std::size_t max_depth_;
  std::size_t depth_ = 0;
  std::size_t top_values_ = 0;
  // One bit per open container, 1 = object: enough to reject a mismatched close without a heap.
  // Left uninitialized (512 bytes, twice per encode): a bit is only read at a level open()
  // has entered, and open() writes it.
  std::uint64_t object_bits_[stack_words];
  ::SIOCODEC_NAMESPACE::error error_ = ::SIOCODEC_NAMESPACE::error::none;
  json::kind top_kind_ = json::kind::null;
  protocol_version version_;
  bool binary_allowed_;
  bool need_comma_ = false;
  bool after_key_ = false;
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
/// `void(args_writer&)` that writes any number of arguments (it runs twice):
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
/// No allocation unless `attachments` allocates (attachment_list never does).
/// @return bytes written.
/// Errors: those of encoded_size(), output_too_small (cap too small; nothing written,
/// offset() is cap), too_many_attachments (also when `attachments` cannot hold them all),
/// invalid_argument (a callback wrote something else in its second run; the output is then
/// unspecified and `attachments` keeps its old size).
template <class B, class A,
          std::enable_if_t<is_packet_builder<B>::value && is_attachment_sink<A>::value, int> = 0>
result<std::size_t> encode_to(char* out, std::size_t cap, const B& b, A& attachments,
                              const encode_options& opts = {});

/// encode_to for a packet without binary values (one would be too_many_attachments).
template <class B, std::enable_if_t<is_packet_builder<B>::value, int> = 0>
result<std::size_t> encode_to(char* out, std::size_t cap, const B& b,
                              const encode_options& opts = {});

/// Appends the text of `b` to `out` (one resize) and its attachment views to `attachments`.
/// Errors: those of encode_to() but output_too_small. On error both containers keep their old
/// size.
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

// The measuring writer of builders and frame encoders: counts bytes and, when `track` is set
// (polling bodies, whose framing depends on the text), also UTF-16 units, UTF-8 validity and the
// 0x1E record separator. Every piece appended is whole code points (ASCII syntax, whole strings,
// whole raw JSON), so the text can be judged piece by piece.
struct text_counter {
  std::size_t n = 0;
  bool overflow = false;
  bool track = false;
  std::size_t utf16 = 0;
  bool bad_utf8 = false;
  bool has_separator = false;
  static constexpr bool counting = true;

  SIOCODEC_ALWAYS_INLINE void add(std::size_t k) noexcept {
    n += k;
    overflow |= n < k;
  }
  void see(const char* s, std::size_t k) noexcept {
    if (::SIOCODEC_NAMESPACE::detail::utf8_find_invalid(s, k) != k) {
      bad_utf8 = true;
    } else {
      utf16 += ::SIOCODEC_NAMESPACE::detail::utf16_length(s, k);
    }
    if (k != 0 && std::memchr(s, 0x1E, k) != nullptr) has_separator = true;
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

// The writing pass of builders: like buffer_writer, but bounded by the measured size, because
// the caller's callbacks run again and nothing guarantees they write the same thing.
struct checked_writer {
  char* p;
  char* end;
  bool overflow = false;
  static constexpr bool counting = false;

  void put(char c) noexcept {
    if (p == end) {
      overflow = true;
      return;
    }
    *p++ = c;
  }
  void append(const char* s, std::size_t k) noexcept {
    if (k > static_cast<std::size_t>(end - p)) {
      overflow = true;
      p = end;
      return;
    }
    if (k != 0) std::memcpy(p, s, k);
    p += k;
  }
  void fill(char c, std::size_t k) noexcept {
    for (std::size_t i = 0; i < k; ++i) put(c);
  }
};

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
  static args_writer counting(text_counter* c, const encode_options& o, bool binary) noexcept {
    return args_writer(c, nullptr, nullptr, 0, o, binary);
  }
  static args_writer writing(checked_writer* w, byte_view* atts, std::size_t room,
                             const encode_options& o, bool binary) noexcept {
    return args_writer(nullptr, w, atts, room, o, binary);
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
  static bool has_value(const args_writer& a) noexcept { return a.top_values_ != 0; }
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

inline args_writer::args_writer(detail::text_counter* counter, detail::checked_writer* writer,
                                byte_view* atts, std::size_t atts_room, const encode_options& opts,
                                bool binary_allowed) noexcept
    : counter_(counter),
      writer_(writer),
      atts_(atts),
      atts_room_(atts_room),
      max_attachments_(opts.max_attachments),
      max_depth_(opts.max_depth < json::max_depth_limit ? opts.max_depth : json::max_depth_limit),
      version_(opts.version),
      binary_allowed_(binary_allowed) {}

template <class F>
decltype(auto) args_writer::out(F&& f) noexcept {
  if (writer_ != nullptr) return f(*writer_);
  return f(*counter_);
}

// Places the comma before a value, or checks that an object is waiting for this value.
inline bool args_writer::begin_value(json::kind k) noexcept {
  if (error_ != ::SIOCODEC_NAMESPACE::error::none) return false;
  if (depth_ == 0) {
    if (top_values_ != 0) {  // a payload is one JSON value
      fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
      return false;
    }
    ++top_values_;
    top_kind_ = k;
    return true;
  }
  if (in_object()) {
    if (!after_key_) {
      fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
      return false;
    }
    after_key_ = false;
    return true;
  }
  if (need_comma_) out([](auto& w) { w.put(','); });
  return true;
}

inline args_writer& args_writer::null() noexcept {
  if (!begin_value(json::kind::null)) return *this;
  out([](auto& w) { w.append("null", 4); });
  need_comma_ = true;
  return *this;
}

inline args_writer& args_writer::boolean(bool b) noexcept {
  if (!begin_value(json::kind::boolean)) return *this;
  out([b](auto& w) { b ? w.append("true", 4) : w.append("false", 5); });
  need_comma_ = true;
  return *this;
}

inline args_writer& args_writer::number(double d) noexcept {
  if (!begin_value(json::kind::number)) return *this;
  out([d](auto& w) { json::emit_number(w, d); });
  need_comma_ = true;
  return *this;
}

template <class Int,
          std::enable_if_t<std::is_integral<Int>::value && !std::is_same<Int, bool>::value, int>>
args_writer& args_writer::integer(Int v) noexcept {
  if (!begin_value(json::kind::number)) return *this;
  if constexpr (std::is_signed<Int>::value) {
    out([v](auto& w) { json::emit_int(w, static_cast<std::int64_t>(v)); });
  } else {
    out([v](auto& w) { json::emit_uint(w, static_cast<std::uint64_t>(v)); });
  }
  need_comma_ = true;
  return *this;
}

inline args_writer& args_writer::string(std::string_view utf8) noexcept {
  if (!begin_value(json::kind::string)) return *this;
  const ::SIOCODEC_NAMESPACE::error e = out([utf8](auto& w) { return json::emit_string(w, utf8); });
  if (e != ::SIOCODEC_NAMESPACE::error::none) fail(e);
  need_comma_ = true;
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
  if (writer_ != nullptr) {
    if (num >= atts_room_) {  // more than the measuring pass saw
      fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
      return *this;
    }
    atts_[num] = bytes;
  } else if (att_cost_fn_ != nullptr) {
    const std::size_t c = att_cost_fn_(bytes, att_cost_ctx_);
    if (c == static_cast<std::size_t>(-1) || att_cost_ + c < c) {
      fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
      return *this;
    }
    att_cost_ += c;
  }
  ++attachments_;
  out([num](auto& w) {
    w.append("{\"_placeholder\":true,\"num\":", 27);
    json::emit_uint(w, num);
    w.put('}');
  });
  need_comma_ = true;
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
  out([json](auto& w) { w.append(json.data(), json.size()); });
  need_comma_ = true;
  return *this;
}

inline args_writer& args_writer::open(bool object) noexcept {
  if (!begin_value(object ? json::kind::object : json::kind::array)) return *this;
  if (depth_ >= max_depth_) {
    fail(::SIOCODEC_NAMESPACE::error::nesting_too_deep);
    return *this;
  }
  const std::uint64_t bit = std::uint64_t{1} << (depth_ % 64);
  if (object) {
    object_bits_[depth_ / 64] |= bit;
  } else {
    object_bits_[depth_ / 64] &= ~bit;
  }
  ++depth_;
  out([object](auto& w) { w.put(object ? '{' : '['); });
  need_comma_ = false;
  after_key_ = false;
  return *this;
}

inline args_writer& args_writer::close(bool object) noexcept {
  if (error_ != ::SIOCODEC_NAMESPACE::error::none) return *this;
  if (depth_ == 0 || in_object() != object || after_key_) {
    fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
    return *this;
  }
  --depth_;
  out([object](auto& w) { w.put(object ? '}' : ']'); });
  need_comma_ = true;
  return *this;
}

inline args_writer& args_writer::begin_array() noexcept { return open(false); }
inline args_writer& args_writer::end_array() noexcept { return close(false); }
inline args_writer& args_writer::begin_object() noexcept { return open(true); }
inline args_writer& args_writer::end_object() noexcept { return close(true); }

inline args_writer& args_writer::key(std::string_view utf8) noexcept {
  if (error_ != ::SIOCODEC_NAMESPACE::error::none) return *this;
  if (!in_object() || after_key_) {
    fail(::SIOCODEC_NAMESPACE::error::invalid_argument);
    return *this;
  }
  const bool comma = need_comma_;
  const ::SIOCODEC_NAMESPACE::error e = out([utf8, comma](auto& w) {
    if (comma) w.put(',');
    const ::SIOCODEC_NAMESPACE::error r = json::emit_string(w, utf8);
    w.put(':');
    return r;
  });
  if (e != ::SIOCODEC_NAMESPACE::error::none) fail(e);
  after_key_ = true;
  need_comma_ = false;
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

// The measuring pass. With `track`, the plan also gets what frames.hpp needs.
template <class B>
error plan_builder(const B& b, const encode_options& o, bool track, text_plan& plan,
                   std::size_t (*cost)(byte_view, const void*) noexcept = nullptr,
                   const void* cost_ctx = nullptr) {
  using Data = typename B::data_type;
  error e = check_data(b.data(), o);
  if (e != error::none) return e;
  text_counter json_count;
  json_count.track = track;
  args_writer w = args_access::counting(&json_count, o, Data::allows_binary);
  if (cost != nullptr) args_access::set_cost(w, cost, cost_ctx);
  write_data(w, b.data());
  e = args_access::finish(w);
  if (e != error::none) return e;
  e = check_written(b.data(), args_access::has_value(w), args_access::top_kind(w), o);
  if (e != error::none) return e;
  const std::size_t n = w.attachment_count();
  const packet_type type = n != 0 ? promoted(b.type()) : b.type();
  e = check_header(type, n, b.nsp(), b.query(), o);
  if (e != error::none) return e;
  text_counter head;
  head.track = track;
  emit_header(head, type, n, b.nsp(), b.query(), b.id());
  plan.type = type;
  plan.attachments = n;
  plan.bytes = head.n + json_count.n;
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
  checked_writer cw{out, out + plan.bytes};
  emit_header(cw, plan.type, plan.attachments, b.nsp(), b.query(), b.id());
  args_writer w = args_access::writing(&cw, atts, plan.attachments, o, Data::allows_binary);
  write_data(w, b.data());
  const error e = args_access::finish(w);
  if (e != error::none) return e;
  if (cw.overflow || cw.p != out + plan.bytes || w.attachment_count() != plan.attachments) {
    return error::invalid_argument;
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
  detail::text_plan plan;
  error e = detail::plan_builder(b, opts, false, plan);
  if (e != error::none) return {e, 0};
  if (plan.bytes > cap) return {error::output_too_small, cap};
  const std::size_t old_atts = attachments.size();
  byte_view* slots = detail::grow_attachments(attachments, plan.attachments, e);
  if (e != error::none) return {e, 0};
  e = detail::write_builder(b, opts, plan, out, slots);
  if (e != error::none) {
    attachments.resize(old_atts);
    return {e, 0};
  }
  return {plan.bytes, plan.bytes};
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
