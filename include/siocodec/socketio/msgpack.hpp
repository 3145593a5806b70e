// SPDX-License-Identifier: BSL-1.0
// The msgpack parser (socket.io-msgpack-parser 3.0.2 / 2.2.1): decoding, encoding and framing.
#ifndef SIOCODEC_SOCKETIO_MSGPACK_HPP
#define SIOCODEC_SOCKETIO_MSGPACK_HPP

#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/detail/utf8.hpp>
#include <siocodec/engineio/encode.hpp>
#include <siocodec/engineio/packet.hpp>
#include <siocodec/engineio/payload.hpp>
#include <siocodec/error.hpp>
#include <siocodec/json/validate.hpp>
#include <siocodec/json/value.hpp>
#include <siocodec/msgpack/reader.hpp>
#include <siocodec/msgpack/value.hpp>
#include <siocodec/msgpack/writer.hpp>
#include <siocodec/result.hpp>
#include <siocodec/sink.hpp>
#include <siocodec/socketio/encode.hpp>
#include <siocodec/socketio/frames.hpp>
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

// socket.io-msgpack-parser replaces Socket.IO's default parser (protocol.md §3). What it sends:
//
//   protocol v5 (3.x, Socket.IO 3/4): every packet is ONE binary Engine.IO message, the msgpack
//   map of the packet object: {"type": 0-4, "nsp": "/...", "data": <any>, "id": <integer>}
//   ("data" and "id" only when present). Binary values sit inline in "data" as bin; there are
//   no BINARY_EVENT / BINARY_ACK types, no attachments and no placeholders.
//
//       83 a4 "type" 02 a3 "nsp" a1 "/" a4 "data" 92 a5 "hello" a3 "you"
//
//   protocol v4 (2.x, Socket.IO 1/2): CONNECT, DISCONNECT and ERROR travel as JSON TEXT
//   messages, `{"type":0,"nsp":"/"}`; EVENT, ACK, BINARY_EVENT and BINARY_ACK as msgpack.
//
// Decoding is zero-copy (views into the message) and checks exactly what the reference's
// checkPacket() checks; encoding writes exactly what the reference writes (notepack.io's
// encodings, keys in the order type, nsp, data, id). Packets can be built from C++ values with
// the same builders as the default parser (event(), ack(), connect()... of encode.hpp):
//
//     std::string out;
//     auto r = sio::msgpack_encode(sio::event("chat", "hello", buffer).nsp("/room"), out);
//     // out: 83 a4 "type" 02 a3 "nsp" a5 "/room" a4 "data" 93 a4 "chat" a5 "hello" c4 ...
//
// socketio/parser.hpp puts this parser and the default one behind one interface.

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {

/// One packet of the msgpack parser, as decoded or as to be encoded. A view: `nsp` and `data`
/// point into the caller's message and are valid while it lives.
struct msgpack_packet_view {
  /// 0-4 in protocol v5; 0-6 in protocol v4 (2.x keeps BINARY_EVENT / BINARY_ACK, whose
  /// binary values are inline like any other).
  packet_type type = packet_type::event;
  /// The namespace: any string (the reference does not require a leading '/'). encode() writes
  /// it as it is (an empty one as an empty str); the builders write "/" for an empty one.
  std::string_view nsp = "/";
  /// The ack id, when the packet carries one.
  std::optional<std::uint64_t> id;
  /// The payload: an array for EVENT / ACK, a map (or nothing) for CONNECT, a str or a map for
  /// CONNECT_ERROR, nothing for DISCONNECT. The absent value (exists() false) when the packet
  /// has none: no "data" key, or notepack.io's undefined.
  msgpack::value data;
  /// Set by decode_msgpack with decode_options::allow_invalid_utf8 when some str of the message
  /// (the namespace, a value or a key) is not UTF-8; those strings are the bytes as received and
  /// utf8::lossy() gives what the reference decodes them to. Always false otherwise.
  bool has_invalid_utf8 = false;

  /// True when the packet carries a payload.
  bool has_data() const noexcept { return data.exists() && !data.is_undefined(); }
};

/// Decodes one binary Engine.IO message of the msgpack parser (the data of a `message` packet
/// without its Engine.IO framing) into a packet view, with the checks of socket.io-msgpack-parser
/// 3.0.2 (opts.version v5) or 2.2.1 (v4):
/// - the message is exactly one msgpack value (msgpack::validate: opts.max_depth bounds the
///   nesting of the payload, as for the default parser, so the message may nest one level more;
///   strings must be UTF-8 unless opts.allow_invalid_utf8), and that value is a map;
/// - "type" is a number with an integer value in 0-4 (v4: 0-6), whatever its msgpack form: an
///   int 8, a uint 64 or a float 64 2.0 all give EVENT, as JavaScript's Number.isInteger does;
/// - "nsp" is a str (any content; at most opts.max_namespace bytes);
/// - "data" by type, v5: CONNECT nothing or a map; DISCONNECT nothing; CONNECT_ERROR a str or a
///   map; EVENT and ACK an array (empty and any first element allowed, reserved event names
///   included: the reference checks none of this). v4: CONNECT and DISCONNECT nothing; ERROR a
///   str; the others an array. A missing key and notepack.io's undefined (`d4 00 00`) both mean
///   nothing;
/// - "id" is nothing, or a number with a non-negative integer value (5 and 5.0 alike) up to
///   opts.max_ack_id;
/// - other keys (Socket.IO's JavaScript client sends "options") are ignored; when a key occurs
///   twice the last one counts, as in the reference.
///
/// Deliberate differences from the reference (docs: protocol-notes), each rejecting input no
/// encoder writes: a negative ack id (the reference accepts any integer); an ack id above 2^64 - 1
/// (the reference rounds it to a double; ids above 2^53 are kept exact here); a non-str key is
/// never "type", "nsp", "data" or "id" (the reference turns every key into a string, so a bin or
/// `["type"]` key would count); a `__proto__` key is an ordinary key (the reference's property
/// assignment turns it into the object's prototype, from which "type" etc. can then be
/// inherited); an extension other than ext-type-0 binary as EVENT/ACK data (the reference
/// decodes it as the array `[type, Buffer]`); strings that are not UTF-8 (the reference decodes
/// them lossily; opts.allow_invalid_utf8 accepts them and sets has_invalid_utf8); nesting deeper
/// than max_depth.
///
/// @return the packet; offset() is message.size(). On failure, the offset of the offending
///   value (of the "type", "nsp", "data" or "id" value; 0 when the key is missing).
///
/// Errors:
/// - invalid_msgpack, trailing_data, nesting_too_deep, invalid_utf8: msgpack::validate's (an
///   empty message is invalid_msgpack).
/// - unknown_packet_type: the message is not a map (nil included: a TypeError in the
///   reference), or "type" is missing, not a number, not an integer, or out of range.
/// - invalid_namespace: "nsp" is missing, not a str, or longer than opts.max_namespace.
/// - invalid_payload: "data" has the wrong kind for the type.
/// - invalid_ack_id: "id" is not a number, not an integer, or negative.
/// - ack_id_overflow: "id" is above opts.max_ack_id or 2^64 - 1.
///
/// Complexity: linear in message.size(); no allocation; recursion-free.
result<msgpack_packet_view> decode_msgpack(byte_view message,
                                           const decode_options& opts = {}) noexcept;

/// Decodes one TEXT Engine.IO message of the protocol v4 msgpack parser (socket.io-msgpack-parser
/// 2.2.1 sends CONNECT, DISCONNECT and ERROR as `JSON.stringify(packet)`), into a packet_view of
/// the default parser (`data` is the raw JSON of the "data" member; attachment_count 0):
/// `{"type":0,"nsp":"/admin"}`, `{"type":4,"nsp":"/","data":"Not authorized"}`. The text must
/// be one JSON object (json::validate, opts.max_depth), checked as 2.2.1 checks it: "type" an
/// integer 0-6, "nsp" a string, "data" absent for CONNECT and DISCONNECT, a string for ERROR, an
/// array otherwise, "id" absent or a non-negative integer. Protocol v5 (3.x) accepts no text
/// message at all.
///
/// Deliberate differences: a namespace written with JSON escapes (`"\/admin"`, `"a\"b"`) is
/// refused, because a zero-copy view cannot hold its unescaped form (JSON.stringify escapes
/// only `"`, `\` and control characters, which no real namespace contains); the ack id rules of
/// decode_msgpack().
///
/// Errors:
/// - unexpected_text_frame: opts.version is v5 (offset 0).
/// - invalid_json, invalid_json_string, invalid_json_number, invalid_utf8, nesting_too_deep:
///   not valid JSON (invalid_utf8 never with opts.allow_invalid_utf8, which accepts strings that
///   are not UTF-8 and sets has_invalid_utf8).
/// - unknown_packet_type, invalid_namespace (also: escaped), invalid_payload, invalid_ack_id,
///   ack_id_overflow: as for decode_msgpack().
result<packet_view> decode_msgpack_text(std::string_view message,
                                        const decode_options& opts = {}) noexcept;

// ---------------------------------------------------------------------------------------------
// Lazy access to a decoded packet's payload
// ---------------------------------------------------------------------------------------------

/// The payload (the absent value when there is none).
inline msgpack::value payload(const msgpack_packet_view& p) noexcept {
  return p.has_data() ? p.data : msgpack::value();
}

/// The event name of an EVENT (or v4 BINARY_EVENT): the first element of its array, whatever
/// its kind (the msgpack parser does not check it: test is_string() before use). The absent
/// value for other types and for an empty array.
msgpack::value event_name(const msgpack_packet_view& p) noexcept;

/// The arguments of an EVENT (after the event name) or of an ACK (all elements), as a forward
/// range of msgpack::value: binary arguments are values of kind binary whose bytes() are the
/// data, in place. Empty for other types.
class msgpack_argument_range {
 public:
  msgpack_argument_range() noexcept = default;
  explicit msgpack_argument_range(const msgpack_packet_view& p) noexcept;
  msgpack::array_iterator begin() const noexcept { return first_; }
  msgpack::array_iterator end() const noexcept { return {}; }
  bool empty() const noexcept { return count_ == 0; }
  /// Number of arguments (O(1): from the array's header).
  std::size_t size() const noexcept { return count_; }

 private:
  msgpack::array_iterator first_;
  std::size_t count_ = 0;
};

/// The packet's arguments: `for (const msgpack::value& a : sio::arguments(p)) ...`
inline msgpack_argument_range arguments(const msgpack_packet_view& p) noexcept {
  return msgpack_argument_range(p);
}

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
// Frames: one call from a packet to what the transport sends
// ---------------------------------------------------------------------------------------------

/// Storage the frames of `p` (a msgpack_packet_view or a packet builder) need. A msgpack packet
/// is one Engine.IO message (frames.hpp describes the transports):
///   Engine.IO v4 WebSocket   one binary frame: the msgpack bytes;
///   Engine.IO v4 polling     a text body `b<base64>`;
///   Engine.IO v3 WebSocket   a binary frame `0x04 <msgpack>` (v4 text packets: a text frame
///                            `4<json>`), written contiguously (copy_binary has no effect);
///   Engine.IO v3 polling     a binary body (supports_binary) or a text body `<n>:b4<base64>`;
///                            v4 text packets: a text body `<n>:4<json>`.
/// The Socket.IO protocol follows the Engine.IO one (v5 over v4, v4 over v3). On polling
/// transports the storage holds the msgpack bytes too, ahead of the body (base64 needs them).
/// opts.max_depth bounds builders; opts.max_attachments does not apply.
/// Errors (offset 0): those of encoded_size() / msgpack_encoded_size(); invalid_argument (an
/// out-of-range version or transport, a message too large to frame).
template <class P>
result<std::size_t> msgpack_encoded_frames_size(const P& p, const frame_options& opts = {});

/// Writes the frames of `p` into `storage` (at most `cap` bytes), then calls `send(const
/// frame&)` once with the one frame (`prefix` always empty). Nothing is sent on error.
/// @return bytes of storage used.
/// Errors: those of msgpack_encoded_frames_size(), and output_too_small (nothing sent; offset()
/// is cap).
template <class P, class Send>
result<std::size_t> msgpack_encode_frames_to(char* storage, std::size_t cap, const P& p,
                                             const frame_options& opts, Send&& send);

/// Resizes `storage` once to hold the frames of `p` past its current contents, then sends them
/// as msgpack_encode_frames_to() does. On error `storage` keeps its size and nothing is sent.
template <class P, class Container, class Send>
result<std::size_t> msgpack_encode_frames(const P& p, Container& storage, const frame_options& opts,
                                          Send&& send);

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

// The value of a msgpack number as JavaScript holds it, when Number.isInteger() holds for it.
inline bool mp_js_integer(const msgpack::value& v, double& out) noexcept {
  if (!v.is_number()) return false;
  const result<double> d = v.to_double();
  if (!d || !std::isfinite(*d) || std::floor(*d) != *d) return false;
  out = *d;
  return true;
}

inline error mp_check_type(const msgpack::value& v, protocol_version version,
                           packet_type& out) noexcept {
  double d = 0;
  const double max = version == protocol_version::v4 ? 6 : 4;
  if (!mp_js_integer(v, d) || d < 0 || d > max) return error::unknown_packet_type;
  out = static_cast<packet_type>(static_cast<int>(d));
  return error::none;
}

// An ack id: an integer value >= 0 (int or float form), exact for integer forms.
inline error mp_check_id(const msgpack::value& v, const decode_options& opts,
                         std::optional<std::uint64_t>& out) noexcept {
  if (v.is_integer()) {
    if (v.is_negative_integer()) return error::invalid_ack_id;
    const result<std::uint64_t> u = v.to_uint64();
    if (!u) return error::invalid_ack_id;
    if (*u > opts.max_ack_id) return error::ack_id_overflow;
    out = *u;
    return error::none;
  }
  double d = 0;
  if (!mp_js_integer(v, d)) return error::invalid_ack_id;
  if (d < 0) return error::invalid_ack_id;
  if (d >= 18446744073709551616.0) return error::ack_id_overflow;
  const auto u = static_cast<std::uint64_t>(d);
  if (u > opts.max_ack_id) return error::ack_id_overflow;
  out = u;
  return error::none;
}

// The data rules of checkPacket(); `present` false for a missing or undefined "data".
inline bool mp_data_valid(packet_type t, bool present, msgpack::kind k,
                          protocol_version version) noexcept {
  const bool v4 = version == protocol_version::v4;
  switch (t) {
    case packet_type::connect: return !present || (!v4 && k == msgpack::kind::map);
    case packet_type::disconnect: return !present;
    case packet_type::connect_error:
      return present && (k == msgpack::kind::string || (!v4 && k == msgpack::kind::map));
    case packet_type::event:
    case packet_type::ack:
    case packet_type::binary_event:
    case packet_type::binary_ack: return present && k == msgpack::kind::array;
  }
  return false;
}

}  // namespace detail

inline result<msgpack_packet_view> decode_msgpack(byte_view message,
                                                  const decode_options& opts) noexcept {
  msgpack::options mo;
  // max_depth bounds the payload, as it does for the default parser; the packet map around it is
  // one more level.
  mo.max_depth = opts.max_depth + (opts.max_depth < msgpack::max_depth_limit ? 1 : 0);
  result<msgpack::value> root = msgpack::parse(message, mo);
  bool lossy = false;
  if (SIOCODEC_UNLIKELY(!root && root.error() == error::invalid_utf8 && opts.allow_invalid_utf8)) {
    // Parsed again without the check only then, so that the flag needs no pass of its own.
    mo.check_utf8 = false;
    root = msgpack::parse(message, mo);
    lossy = true;
  }
  if (!root) return {root.error(), root.offset()};
  const auto at = [&message](const msgpack::value& v) {
    return v.exists() ? static_cast<std::size_t>(v.raw().data() - message.data()) : 0;
  };
  if (!root->is_map()) return {error::unknown_packet_type, 0};
  msgpack::value type_v, nsp_v, data_v, id_v;
  for (const msgpack::member& m : root->members()) {
    if (!m.key.is_string()) continue;
    const std::string_view k = m.key.get_string();
    if (k == "type") {
      type_v = m.val;
    } else if (k == "nsp") {
      nsp_v = m.val;
    } else if (k == "data") {
      data_v = m.val;
    } else if (k == "id") {
      id_v = m.val;
    }
  }
  msgpack_packet_view p;
  p.has_invalid_utf8 = lossy;
  if (detail::mp_check_type(type_v, opts.version, p.type) != error::none) {
    return {error::unknown_packet_type, at(type_v)};
  }
  if (!nsp_v.is_string() || nsp_v.get_string().size() > opts.max_namespace) {
    return {error::invalid_namespace, at(nsp_v)};
  }
  p.nsp = nsp_v.get_string();
  const bool present = data_v.exists() && !data_v.is_undefined();
  if (!detail::mp_data_valid(p.type, present, data_v.type(), opts.version)) {
    return {error::invalid_payload, at(data_v)};
  }
  if (present) p.data = data_v;
  if (id_v.exists() && !id_v.is_undefined()) {
    const error e = detail::mp_check_id(id_v, opts, p.id);
    if (e != error::none) return {e, at(id_v)};
  }
  return {p, message.size()};
}

inline result<packet_view> decode_msgpack_text(std::string_view message,
                                               const decode_options& opts) noexcept {
  if (opts.version != protocol_version::v4) return {error::unexpected_text_frame, 0};
  json::options jo;
  jo.max_depth = opts.max_depth;
  result<json::value> root = json::parse(message, jo);
  bool lossy = false;
  if (SIOCODEC_UNLIKELY(!root && root.error() == error::invalid_utf8 && opts.allow_invalid_utf8)) {
    // As decode() does: validated again, strings taken in their U+FFFD form, only then.
    const result<json::kind> k = json::detail::validate_text<false, true>(message, jo, nullptr);
    if (!k) return {k.error(), k.offset()};
    root = result<json::value>(json::value::unchecked(message), message.size());
    lossy = true;
  }
  if (!root) return {root.error(), root.offset()};
  const auto at = [&message](const json::value& v) {
    return v.exists() ? static_cast<std::size_t>(v.raw().data() - message.data()) : 0;
  };
  if (!root->is_object()) return {error::unknown_packet_type, 0};
  json::value type_v, nsp_v, data_v, id_v;
  (void)root->find("type", type_v);
  (void)root->find("nsp", nsp_v);
  (void)root->find("data", data_v);
  (void)root->find("id", id_v);
  packet_view p;
  p.has_invalid_utf8 = lossy;
  {
    const result<double> d = type_v.to_double();
    if (!d || !std::isfinite(*d) || std::floor(*d) != *d || *d < 0 || *d > 6) {
      return {error::unknown_packet_type, at(type_v)};
    }
    p.type = static_cast<packet_type>(static_cast<int>(*d));
  }
  if (!nsp_v.is_string() || nsp_v.has_escapes() || nsp_v.string_raw().size() > opts.max_namespace) {
    return {error::invalid_namespace, at(nsp_v)};
  }
  p.nsp = nsp_v.string_raw();
  const json::kind k = data_v.type();
  bool ok = false;
  switch (p.type) {
    case packet_type::connect:
    case packet_type::disconnect: ok = !data_v.exists(); break;
    case packet_type::connect_error: ok = k == json::kind::string; break;
    default: ok = k == json::kind::array; break;
  }
  if (!ok) return {error::invalid_payload, at(data_v)};
  p.data = data_v.raw();
  if (id_v.exists()) {
    if (!id_v.is_number()) return {error::invalid_ack_id, at(id_v)};
    const result<std::uint64_t> u = id_v.to_uint64();
    if (u) {
      if (*u > opts.max_ack_id) return {error::ack_id_overflow, at(id_v)};
      p.id = *u;
    } else {
      const result<double> d = id_v.to_double();
      if (!d || !std::isfinite(*d) || std::floor(*d) != *d || *d < 0) {
        return {error::invalid_ack_id, at(id_v)};
      }
      if (*d >= 18446744073709551616.0 || static_cast<std::uint64_t>(*d) > opts.max_ack_id) {
        return {error::ack_id_overflow, at(id_v)};
      }
      p.id = static_cast<std::uint64_t>(*d);
    }
  }
  return {p, message.size()};
}

inline msgpack::value event_name(const msgpack_packet_view& p) noexcept {
  if (p.type != packet_type::event && p.type != packet_type::binary_event) return {};
  if (!p.data.is_array()) return {};
  return p.data[0];
}

inline msgpack_argument_range::msgpack_argument_range(const msgpack_packet_view& p) noexcept {
  if (!p.data.is_array()) return;
  const bool has_name = p.type == packet_type::event || p.type == packet_type::binary_event;
  const bool has_args = has_name || p.type == packet_type::ack || p.type == packet_type::binary_ack;
  if (!has_args) return;
  const msgpack::array_range all = p.data.elements();
  first_ = all.begin();
  count_ = all.size();
  if (has_name && count_ != 0) {
    ++first_;
    --count_;
  }
}

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

// --- frames -----------------------------------------------------------------------------------

namespace detail {

// How one message of the msgpack parser is framed, and where it sits in the storage: either
// written in place inside its frame (`framed_in_place`), or first at the start of the storage,
// followed by the polling body that carries it as base64.
struct mp_frames_plan {
  frames_format format = frames_format::ws_v4;
  bool text = false;            // the message is v4 JSON text
  bool framed_in_place = true;  // the frame holds the message bytes as they are
  std::size_t message = 0;      // bytes of the message
  std::size_t utf16 = 0;        // v4 text on v3 polling: its UTF-16 length
  std::size_t offset = 0;       // where the message is written
  std::size_t total = 0;        // storage used
  mp_built built;               // builders: the measuring pass
};

template <class P>
error mp_measure(const P& p, const encode_options& eo, bool track, mp_frames_plan& fp) {
  if constexpr (std::is_same<P, msgpack_packet_view>::value) {
    fp.text = encoded_frame_kind(p, eo) == engineio::frame_kind::text;
    text_counter c;
    c.track = track && fp.text;
    const error e = emit_msgpack_view(c, p, eo);
    if (e != error::none) return e;
    if (c.overflow) return error::invalid_argument;
    fp.message = c.n;
    fp.utf16 = c.utf16;
    return error::none;
  } else {
    static_assert(is_packet_builder<P>::value,
                  "msgpack frames take a msgpack_packet_view or a packet builder");
    const error e = mp_plan_builder(p, eo, fp.built);
    if (e != error::none) return e;
    fp.text = fp.built.text;
    fp.message = fp.built.bytes;
    if (track && fp.text) {
      // The JSON text is ASCII syntax around the namespace, query and message: count those.
      text_counter c;
      c.track = true;
      const std::string_view msg = mp_error_message(p.data());
      emit_v4_text(c, fp.built.type, mp_nsp{p.nsp(), p.query()},
                   mp_data_traits<typename P::data_type>::is_error ? &msg : nullptr, p.id());
      fp.utf16 = c.utf16;
    }
    return error::none;
  }
}

// A decimal number's digit count.
inline std::size_t mp_digits(std::uint64_t v) noexcept {
  std::size_t n = 1;
  while (v >= 10) {
    v /= 10;
    ++n;
  }
  return n;
}

template <class P>
error mp_plan_frames(const P& p, const frame_options& o, mp_frames_plan& fp) {
  if (!valid_options(o)) return error::invalid_argument;
  fp.format = format_of(o);
  const bool polling = is_polling(fp.format);
  const error e = mp_measure(p, packet_options(o), polling, fp);
  if (e != error::none) return e;
  const std::size_t n = fp.message;
  std::size_t body = 0;
  switch (fp.format) {
    case frames_format::ws_v4:
      if (fp.text) return error::invalid_argument;  // never: v5 has no text messages
      fp.offset = 0;
      fp.total = n;
      return error::none;
    case frames_format::ws_v3:
    case frames_format::ws_v3_copy:
      fp.offset = 1;  // '4' (text) or the raw type byte 0x04 (binary)
      fp.total = 1 + n;
      return fp.total < n ? error::invalid_argument : error::none;
    case frames_format::poll_v3_binary:
      if (!fp.text) {
        // 0x01, the decimal length of `0x04 <msgpack>` as digit bytes, 0xFF, 0x04, the bytes.
        fp.offset = 1 + mp_digits(std::uint64_t{1} + n) + 1 + 1;
        fp.total = fp.offset + n;
        return fp.total < n ? error::invalid_argument : error::none;
      }
      fp.format = frames_format::poll_v3_text;  // a text packet alone: a text body
      break;
    case frames_format::poll_v4:
    case frames_format::poll_v3_text: break;
  }
  if (fp.text) {
    // `<n>:4<json>`, n counting the UTF-16 units of `4<json>`: written in place.
    fp.offset = mp_digits(std::uint64_t{1} + fp.utf16) + 2;
    fp.total = fp.offset + n;
    return fp.total < n ? error::invalid_argument : error::none;
  }
  if (n > base64::max_encodable) return error::invalid_argument;
  const std::size_t b64 = base64::encoded_size(n);
  if (fp.format == frames_format::poll_v4) {
    body = 1 + b64;  // `b<base64>`
  } else {
    body = mp_digits(std::uint64_t{2} + b64) + 1 + 2 + b64;  // `<n>:b4<base64>`
  }
  fp.framed_in_place = false;
  fp.offset = 0;
  fp.total = n + body;
  return fp.total < n ? error::invalid_argument : error::none;
}

template <class P>
error mp_write_message(const P& p, const frame_options& o, mp_frames_plan& fp, char* at) {
  if constexpr (std::is_same<P, msgpack_packet_view>::value) {
    ::SIOCODEC_NAMESPACE::detail::buffer_writer w{at};
    return emit_msgpack_view(w, p, packet_options(o));
  } else {
    return mp_write_builder(p, packet_options(o), fp.built, at);
  }
}

// Writes the message and its framing into storage (fp.total bytes) and sends the frame.
template <class P, class Send>
error mp_write_frames(const P& p, const frame_options& o, mp_frames_plan& fp, char* storage,
                      Send& send) {
  const error e = mp_write_message(p, o, fp, storage + fp.offset);
  if (e != error::none) return e;
  ::SIOCODEC_NAMESPACE::detail::buffer_writer w{storage};
  const engineio::frame_kind message_kind =
      fp.text ? engineio::frame_kind::text : engineio::frame_kind::binary;
  switch (fp.format) {
    case frames_format::ws_v4:
      send(frame{engineio::frame_kind::binary, {}, std::string_view(storage, fp.total)});
      return error::none;
    case frames_format::ws_v3:
    case frames_format::ws_v3_copy:
      storage[0] = fp.text ? '4' : static_cast<char>(engineio::packet_type::message);
      send(frame{message_kind, {}, std::string_view(storage, fp.total)});
      return error::none;
    case frames_format::poll_v3_binary:
      w.put('\x01');
      engineio::detail::emit_decimal(w, std::uint64_t{1} + fp.message, true);
      w.put('\xff');
      w.put(static_cast<char>(engineio::packet_type::message));
      send(frame{engineio::frame_kind::binary, {}, std::string_view(storage, fp.total)});
      return error::none;
    case frames_format::poll_v4:
    case frames_format::poll_v3_text: break;
  }
  if (fp.text) {
    engineio::detail::emit_decimal(w, std::uint64_t{1} + fp.utf16, false);
    w.put(':');
    w.put('4');
    send(frame{engineio::frame_kind::text, {}, std::string_view(storage, fp.total)});
    return error::none;
  }
  const byte_view message(storage, fp.message);
  char* body = storage + fp.message;
  ::SIOCODEC_NAMESPACE::detail::buffer_writer bw{body};
  if (fp.format == frames_format::poll_v4) {
    bw.put('b');
  } else {
    engineio::detail::emit_decimal(bw, std::uint64_t{2} + base64::encoded_size(fp.message), false);
    bw.append(":b4", 3);
  }
  base64::detail::emit(bw, message);
  send(frame{engineio::frame_kind::text,
             {},
             std::string_view(body, static_cast<std::size_t>(bw.p - body))});
  return error::none;
}

}  // namespace detail

template <class P>
result<std::size_t> msgpack_encoded_frames_size(const P& p, const frame_options& opts) {
  detail::mp_frames_plan fp;
  const error e = detail::mp_plan_frames(p, opts, fp);
  if (e != error::none) return {e, 0};
  return {fp.total, fp.total};
}

template <class P, class Send>
result<std::size_t> msgpack_encode_frames_to(char* storage, std::size_t cap, const P& p,
                                             const frame_options& opts, Send&& send) {
  detail::mp_frames_plan fp;
  error e = detail::mp_plan_frames(p, opts, fp);
  if (e != error::none) return {e, 0};
  if (fp.total > cap) return {error::output_too_small, cap};
  e = detail::mp_write_frames(p, opts, fp, storage, send);
  if (e != error::none) return {e, 0};
  return {fp.total, fp.total};
}

template <class P, class Container, class Send>
result<std::size_t> msgpack_encode_frames(const P& p, Container& storage, const frame_options& opts,
                                          Send&& send) {
  static_assert(is_resizable_buffer<Container>::value,
                "msgpack_encode_frames() needs a resizable container of one-byte elements");
  detail::mp_frames_plan fp;
  error e = detail::mp_plan_frames(p, opts, fp);
  if (e != error::none) return {e, 0};
  const std::size_t old = storage.size();
  storage.resize(old + fp.total);  // the one allocation
  // Nothing is sent unless the message was written completely (a builder callback can fail in
  // its second run): the frames are collected first, then handed out.
  frame pending;
  bool have = false;
  const auto collect = [&pending, &have](const frame& f) {
    pending = f;
    have = true;
  };
  e = detail::mp_write_frames(p, opts, fp, reinterpret_cast<char*>(storage.data()) + old, collect);
  if (e != error::none) {
    storage.resize(old);
    return {e, 0};
  }
  if (have) send(static_cast<const frame&>(pending));
  return {fp.total, fp.total};
}

}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_MSGPACK_HPP
