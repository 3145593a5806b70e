// SPDX-License-Identifier: BSL-1.0
// The Socket.IO codec of one connection, for either parser, chosen at run or compile time.
#ifndef SIOCODEC_SOCKETIO_CODEC_HPP
#define SIOCODEC_SOCKETIO_CODEC_HPP

#include <siocodec/base64.hpp>
#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/engineio/frames.hpp>
#include <siocodec/engineio/packet.hpp>
#include <siocodec/error.hpp>
#include <siocodec/json/value.hpp>
#include <siocodec/msgpack/value.hpp>
#include <siocodec/result.hpp>
#include <siocodec/sink.hpp>
#include <siocodec/socketio/any.hpp>
#include <siocodec/socketio/codec_output.hpp>
#include <siocodec/socketio/default_parser/decoder.hpp>
#include <siocodec/socketio/default_parser/frames.hpp>
#include <siocodec/socketio/msgpack_parser/frames.hpp>
#include <siocodec/socketio/packet.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {

// A Socket.IO server is configured with one parser for all its clients (`new Server({parser})`),
// and clients must use the same. The codec of a connection speaks Engine.IO messages on both
// sides, whatever the parser; the Engine.IO layer frames them for its transport.
//
//     sio::codec c(sio::parser_kind::msgpack);             // run time (e.g. from --parser)
//     sio::static_codec<sio::parser_kind::msgpack> q;      // compile time: no dispatch
//
//     // every Engine.IO message of the connection, in order, as the Engine.IO decoders
//     // deliver it (WebSocket frame, polling body item, base64 or not):
//     auto r = c.decode(message);                          // result<sio::any_packet>
//     if (r.error() == siocodec::errc::incomplete) return; // default parser: attachments due
//     if (!r) return close_connection();
//     if (r->type() == sio::packet_type::event && r->event_name().string_equals("chat")) {
//       for (const sio::any_value& a : r->arguments()) {
//         if (a.is_binary()) store(a.bytes());             // an attachment, or an inline bin
//         else if (std::string_view s; a.direct_string(s)) print(s);
//       }
//     }
//
//     // sending: the same builders for both parsers; one Engine.IO message per emit() call
//     sio::attachment_list<8> atts;                        // the default parser's attachments
//     std::string storage;
//     c.encode(sio::event("chat", "hello", buffer), storage, atts,
//              [&](const eio::packet_view& m) { session.send(m); });
//     // or the fused one-pass path to the frames of a transport (a server's send path):
//     c.encode_frames(sio::event("chat", "hello"), storage, atts, eio::transport_options{},
//                     [&](const eio::frame& f) { ws.send(f.kind, f.prefix, f.data); });
//
// Values given to the builders are written by args_writer (default parser) or
// msgpack_args_writer (msgpack): callbacks and arg_traits specializations that should serve
// both take the writer generically (`[&](auto& w) {...}`, `template <class W> static void
// write(W&, const T&)`).

namespace detail {
/// The parser kind held at run time.
/// With one parser compiled in (SIOCODEC_PARSERS 1 or 2, config.hpp), get() is that parser, a
/// constant: every branch on it folds away and the other parser is not linked.
struct runtime_parser_kind {
  parser_kind value = parser_kind::json;
  constexpr parser_kind get() const noexcept {
#if SIOCODEC_PARSERS == 1
    return parser_kind::json;
#elif SIOCODEC_PARSERS == 2
    return parser_kind::msgpack;
#else
    return value;
#endif
  }
};
/// runtime_parser_kind for a codec that only ever speaks protocol v5 (socketio::client with
/// SIOCODEC_ENGINEIO_V3 0): a text message of the msgpack parser is unexpected_text_frame, as
/// msgpack_parser::decode_text() says in v5, without linking decode_text's protocol v4 parser.
struct runtime_parser_kind_v5 : runtime_parser_kind {};
template <class Kind>
struct is_runtime_kind : std::is_base_of<runtime_parser_kind, Kind> {};
/// Whether parser `k` is compiled in (SIOCODEC_PARSERS).
constexpr bool parser_enabled(parser_kind k) noexcept {
  return (SIOCODEC_PARSERS & (k == parser_kind::json ? 1 : 2)) != 0;
}
/// The parser kind fixed at compile time: every branch on it folds away. SIOCODEC_PARSERS does
/// not restrict it: the type names its parser (the client writes its auth JSON with one).
template <parser_kind K>
struct fixed_parser_kind {
  static constexpr parser_kind get() noexcept { return K; }
};
/// Whether a codec of this kind may run parser K: a static codec compiles only its own encoder
/// (a builder whose callbacks take one parser's writer cannot be written by the other).
template <class Kind, parser_kind K>
struct may_run : std::true_type {};
template <parser_kind F, parser_kind K>
struct may_run<fixed_parser_kind<F>, K> : std::integral_constant<bool, F == K> {};

template <class P>
struct is_codec_packet : std::integral_constant<bool, is_packet_builder<P>::value ||
                                                          std::is_same<P, any_packet>::value> {};
}  // namespace detail

/// Everything a connection's codec is configured with.
struct codec_options {
  /// The Socket.IO protocol of the connection: protocol_for(engineio version) (v5 over
  /// Engine.IO v4, v4 over Engine.IO v3). It replaces `decode.version` and `encode.version`.
  protocol_version version = protocol_version::v5;
  /// Limits and leniency of the decoders.
  decode_options decode;
  /// Limits of the encoders (max_attachments, max_depth).
  encode_options encode;
  /// Default parser: where a delivered packet's bytes live.
  attachment_mode attachments = attachment_mode::borrow;
  /// How `b<base64>` messages of polling transports are read.
  base64::mode base64 = base64::mode::strict;
};

/// codec_options with decode options `d` (and their version) and attachment mode `m`: what the
/// constructor of the former `parser` took.
inline codec_options make_codec_options(const decode_options& d,
                                        attachment_mode m = attachment_mode::borrow) noexcept {
  codec_options o;
  o.version = d.version;
  o.decode = d;
  o.attachments = m;
  return o;
}

/// The Socket.IO codec of one connection, for either parser: codec (kind chosen at run time)
/// and static_codec<K> (kind fixed at compile time) are this class.
///
/// Decoding: decode() takes every Engine.IO `message` packet of the connection in order, as
/// the Engine.IO layer delivered it: text, binary, or base64 (`b<base64>` of polling bodies).
/// The default parser runs a basic_decoder (reassembly of binary attachments: a BINARY_EVENT
/// header returns errc::incomplete until its attachments arrive); the msgpack parser decodes
/// each message on its own (msgpack_parser::decode(); in protocol v4 its text messages with
/// msgpack_parser::decode_text()). Errors are those of basic_decoder::feed(const
/// engineio::packet_view&) and msgpack_parser::decode(), plus, for msgpack: unexpected_text_frame
/// (a text message in protocol v5), packet_too_large (a message longer than
/// decode_options::max_packet_bytes), invalid_base64 (a base64 message `base64` mode rejects),
/// invalid_argument (an Engine.IO packet that is not a `message`, or an unknown data kind).
/// After any error the codec is ready for the next message (the connection normally closes, as
/// the reference's does).
///
/// Lifetimes of a delivered packet: those of basic_decoder's in its attachment mode; msgpack
/// packets point into the message, except those that arrived as base64, which point into the
/// codec's scratch storage (valid until the next decode() or reset()).
///
/// Encoding: encode() takes a packet builder (event(), ack(), connect()...) or a decoded
/// any_packet (a proxy forwarding it) and calls `emit(const engineio::packet_view&)` once per
/// Engine.IO message, in send order: the default parser a text message, then one binary
/// message per attachment (views of the caller's bytes, zero copy); the msgpack parser one
/// binary message (protocol v4 CONNECT/DISCONNECT/ERROR: one text message). Any Engine.IO
/// transport then frames them (engineio::encode() for a WebSocket frame, the payload encoders
/// for a polling body). encode_frames() fuses both steps for one transport: what a server's
/// send path uses.
///
/// One codec per connection; not thread-safe. Movable, not copyable.
template <class Kind, class Allocator = std::allocator<unsigned char>>
class basic_codec {
  using byte_alloc =
      typename std::allocator_traits<Allocator>::template rebind_alloc<unsigned char>;

 public:
  using allocator_type = Allocator;

  /// A codec whose parser is chosen at run time.
  template <class K = Kind, std::enable_if_t<detail::is_runtime_kind<K>::value, int> = 0>
  explicit basic_codec(parser_kind kind, const codec_options& opts = {},
                       const Allocator& alloc = Allocator())
      : json_(with_version(opts.decode, opts.version), opts.attachments, alloc),
        scratch_(byte_alloc(alloc)),
        encode_(with_version(opts.encode, opts.version)),
        base64_(opts.base64),
        kind_() {
    kind_.value = kind;
    SIOCODEC_ASSERT(detail::parser_enabled(kind));  // compiled out: SIOCODEC_PARSERS
  }

  /// A codec whose parser is fixed by its type.
  template <class K = Kind, std::enable_if_t<!detail::is_runtime_kind<K>::value, int> = 0>
  explicit basic_codec(const codec_options& opts = {}, const Allocator& alloc = Allocator())
      : json_(with_version(opts.decode, opts.version), opts.attachments, alloc),
        scratch_(byte_alloc(alloc)),
        encode_(with_version(opts.encode, opts.version)),
        base64_(opts.base64),
        kind_{} {}

  /// Which parser this is.
  constexpr parser_kind kind() const noexcept { return kind_.get(); }
  /// The Socket.IO protocol of the connection (v5: Socket.IO 3+, v4: Socket.IO 2).
  protocol_version version() const noexcept { return encode_.version; }
  /// The decode options (their version is version()).
  const decode_options& decode_opts() const noexcept { return json_.options(); }
  /// The encode options (their version is version(); max_attachments 0 with
  /// SIOCODEC_BINARY_ATTACHMENTS 0).
  const encode_options& encode_opts() const noexcept { return encode_; }

  // --- decoding ----------------------------------------------------------------------------

  /// Decodes the next Engine.IO message of the connection. @return the packet,
  /// errc::incomplete (default parser: more attachments due) or an error (see the class
  /// documentation). A base64 message is decoded in `codec_options::base64` mode: by the
  /// default parser as basic_decoder::feed() does (copy mode only); by the msgpack parser into
  /// the codec's scratch storage.
  result<any_packet> decode(const engineio::packet_view& message);
  /// The same for a message whose Engine.IO framing the caller removed, delivered as `kind`
  /// (e.g. a WebSocket message without its `4`): decode(engineio::packet_view) of a text or
  /// binary message. Kept because a WebSocket layer that strips the digit itself holds exactly
  /// this; errors as decode(), plus invalid_argument for a `kind` other than text or binary.
  result<any_packet> decode(byte_view message, engineio::frame_kind kind) {
    if (kind == engineio::frame_kind::text) {
      return decode(
          engineio::packet_view::text(engineio::packet_type::message, message.as_chars()));
    }
    if (kind != engineio::frame_kind::binary) return {errc::invalid_argument, 0};
    return decode(engineio::packet_view::binary(message));
  }
  /// decode(byte_view, kind) of text held as a string.
  result<any_packet> decode(std::string_view message, engineio::frame_kind kind) {
    return decode(byte_view(message), kind);
  }

  /// Default parser: true while a binary packet waits for attachments. msgpack: always false.
  bool waiting() const noexcept { return kind() == parser_kind::json && json_.waiting(); }
  /// Drops any pending packet and releases all storage.
  void reset() noexcept {
    json_.reset();
    release_scratch();
  }
  /// Releases storage above decode_options::max_retained_bytes (basic_decoder::trim(), and the
  /// msgpack parser's base64 scratch); invalidates delivered packets, as the next decode() does.
  void trim() noexcept {
    json_.trim();
    if (scratch_.capacity() > json_.options().max_retained_bytes) release_scratch();
  }
  /// Bytes of decoder storage held (capacities): what trim() brings down to max_retained_bytes.
  std::size_t allocated_bytes() const noexcept {
    return json_.allocated_bytes() + scratch_.capacity();
  }

  // --- encoding ----------------------------------------------------------------------------

  /// Appends the Engine.IO messages of `packet` (a builder or a decoded any_packet) to
  /// `storage` (one resize), then calls `emit(const engineio::packet_view&)` once per message.
  /// The default parser appends the views of a builder's binary values to `attachments` (the
  /// binary messages are those views); a decoded packet brings its own. Nothing is emitted on
  /// error, and both containers keep their size.
  /// @return bytes appended to `storage`.
  /// Errors: those of encode(builder, storage, attachments) (default parser) or
  /// msgpack_parser::encode() / encode(msgpack_packet_view); invalid_argument: a decoded packet of
  /// the other parser, or a protocol v4 text packet of the msgpack parser.
  template <
      class P, class Container, class A, class Emit,
      std::enable_if_t<detail::is_codec_packet<P>::value && is_attachment_sink<A>::value, int> = 0>
  result<std::size_t> encode(const P& packet, Container& storage, A& attachments,
                             Emit&& emit) const {
    static_assert(is_resizable_buffer<Container>::value,
                  "encode() needs a resizable container of one-byte elements");
    return encode_with(detail::codec_append<Container>{storage}, storage.size(), packet,
                       attachments, emit);
  }

  /// encode() for a packet without binary values (the default parser fails with
  /// too_many_attachments on a builder holding one; msgpack writes it inline).
  template <class P, class Container, class Emit,
            std::enable_if_t<detail::is_codec_packet<P>::value, int> = 0>
  result<std::size_t> encode(const P& packet, Container& storage, Emit&& emit) const {
    detail::no_attachments none;
    return encode(packet, storage, none, std::forward<Emit>(emit));
  }

  /// encode() into `storage` (at most `cap` bytes): no allocation unless `attachments`
  /// allocates. Errors: those of encode(), and output_too_small (offset() is cap).
  template <
      class P, class A, class Emit,
      std::enable_if_t<detail::is_codec_packet<P>::value && is_attachment_sink<A>::value, int> = 0>
  result<std::size_t> encode_to(char* storage, std::size_t cap, const P& packet, A& attachments,
                                Emit&& emit) const {
    return encode_with(detail::codec_buffer{storage, cap}, 0, packet, attachments, emit);
  }

  /// The fused path: writes the frames that carry `packet` on transport `to` into `storage`
  /// (one resize) and calls `send(const engineio::frame&)` once per frame (frames.hpp,
  /// msgpack_parser/frames.hpp). Errors: those of encode_frames() /
  /// msgpack_parser::encode_frames(), with this codec's encode options; invalid_argument when
  /// protocol_for(to.version) is not version(), or for a decoded packet as in encode(). Nothing is
  /// sent on error.
  template <
      class P, class Container, class A, class Send,
      std::enable_if_t<detail::is_codec_packet<P>::value && is_attachment_sink<A>::value, int> = 0>
  result<std::size_t> encode_frames(const P& packet, Container& storage, A& attachments,
                                    const engineio::transport_options& to, Send&& send) const {
    static_assert(is_resizable_buffer<Container>::value,
                  "encode_frames() needs a resizable container of one-byte elements");
    return frames_with(detail::codec_append<Container>{storage}, packet, attachments, to, send);
  }

  /// encode_frames() for a packet without binary values (a default-parser builder holding one
  /// fails with too_many_attachments).
  template <class P, class Container, class Send,
            std::enable_if_t<detail::is_codec_packet<P>::value, int> = 0>
  result<std::size_t> encode_frames(const P& packet, Container& storage,
                                    const engineio::transport_options& to, Send&& send) const {
    detail::no_attachments none;
    return encode_frames(packet, storage, none, to, send);
  }

  /// encode_frames() into `storage` (at most `cap` bytes): no allocation unless `attachments`
  /// allocates. Errors: those of encode_frames(), and output_too_small (offset() is cap).
  template <
      class P, class A, class Send,
      std::enable_if_t<detail::is_codec_packet<P>::value && is_attachment_sink<A>::value, int> = 0>
  result<std::size_t> encode_frames_to(char* storage, std::size_t cap, const P& packet,
                                       A& attachments, const engineio::transport_options& to,
                                       Send&& send) const {
    return frames_with(detail::codec_buffer{storage, cap}, packet, attachments, to, send);
  }

  /// A copy of the allocator.
  allocator_type get_allocator() const noexcept { return json_.get_allocator(); }

 private:
  // Where encode() put the messages: the text or msgpack message at the start of the output,
  // and how many attachments follow it.
  struct message_layout {
    std::size_t bytes = 0;
    engineio::frame_kind kind = engineio::frame_kind::text;
    const byte_view* attachments = nullptr;  // a decoded packet's own, or the sink's new ones
    std::size_t attachment_count = 0;
  };

  // The options of both directions, with the connection's version; without attachments
  // (SIOCODEC_BINARY_ATTACHMENTS 0) their max_attachments is 0, as basic_decoder's is.
  template <class O>
  static O with_version(O o, protocol_version v) noexcept {
    o.version = v;
    if (!SIOCODEC_BINARY_ATTACHMENTS) o.max_attachments = 0;
    return o;
  }

  // Runs the encoder of `packet` into `out` (at offset `old` of it), then emits the messages.
  template <class Out, class P, class A, class Emit>
  result<std::size_t> encode_with(Out out, std::size_t old, const P& packet, A& attachments,
                                  Emit& emit) const {
    message_layout m;
    result<std::size_t> r{errc::invalid_argument, 0};
    const std::size_t old_atts = attachments.size();
    if constexpr (std::is_same<P, any_packet>::value) {
      if (packet.parser() != kind()) return {errc::invalid_argument, 0};
      if (packet.is_msgpack()) {
        const msgpack_packet_view& mp = packet.as_msgpack_packet();
        m.kind = encoded_frame_kind(mp, encode_);
        r = out.view(mp, encode_);
      } else {
        if (kind() == parser_kind::msgpack) return {errc::invalid_argument, 0};  // v4 text
        const packet_view& pv = packet.as_packet_view();
        r = out.view(pv, encode_);
        m.attachments = pv.attachments;
        m.attachment_count = is_binary(pv.type) ? pv.attachment_count : 0;
      }
    } else if (kind() == parser_kind::msgpack) {
      if constexpr (detail::may_run<Kind, parser_kind::msgpack>::value) {
        m.kind = msgpack_parser::encoded_frame_kind(packet, encode_);
        r = out.built_msgpack(packet, encode_);
      }
    } else {
      if constexpr (detail::may_run<Kind, parser_kind::json>::value) {
        r = out.built(packet, attachments, encode_);
        if (r) {
          m.attachments = attachments.data() + old_atts;
          m.attachment_count = attachments.size() - old_atts;
        }
      }
    }
    if (!r) return r;
    m.bytes = *r;
    emit_messages(m, out.begin(old), emit);
    return r;
  }

  template <class Emit>
  static void emit_messages(const message_layout& m, const char* text, Emit& emit) {
    const std::string_view data(text, m.bytes);
    emit(static_cast<const engineio::packet_view&>(
        m.kind == engineio::frame_kind::text
            ? engineio::packet_view::text(engineio::packet_type::message, data)
            : engineio::packet_view::binary(byte_view(data))));
    for (std::size_t i = 0; i < m.attachment_count; ++i) {
      emit(static_cast<const engineio::packet_view&>(
          engineio::packet_view::binary(m.attachments[i])));
    }
  }

  // The fused frames of `packet` into `out`, dispatched on the parser and the packet's shape.
  template <class Out, class P, class A, class Send>
  result<std::size_t> frames_with(Out out, const P& packet, A& attachments,
                                  const engineio::transport_options& to, Send& send) const {
    if (protocol_for(to.version) != version()) return {errc::invalid_argument, 0};
    if constexpr (std::is_same<P, any_packet>::value) {
      if (packet.parser() != kind()) return {errc::invalid_argument, 0};
      if (packet.is_msgpack()) return out.frames(packet.as_msgpack_packet(), to, encode_, send);
      if (kind() == parser_kind::msgpack) return {errc::invalid_argument, 0};  // v4 text
      return out.frames(packet.as_packet_view(), to, encode_, send);
    } else {
      if (kind() == parser_kind::msgpack) {
        if constexpr (detail::may_run<Kind, parser_kind::msgpack>::value) {
          return out.msgpack_frames(packet, to, encode_, send);
        }
      } else {
        if constexpr (detail::may_run<Kind, parser_kind::json>::value) {
          return out.frames(packet, attachments, to, encode_, send);
        }
      }
      return {errc::invalid_argument, 0};  // never: kind() is the fixed kind
    }
  }

  result<any_packet> decode_msgpack_message(byte_view message, bool text) noexcept {
    const decode_options& o = json_.options();
    if (message.size() > o.max_packet_bytes) return {errc::packet_too_large, o.max_packet_bytes};
    if (text && std::is_same<Kind, detail::runtime_parser_kind_v5>::value) {
      return {errc::unexpected_text_frame, 0};
    }
    if (text) {
      const result<packet_view> t = msgpack_parser::decode_text(message.as_chars(), o);
      if (!t) return {t.error(), t.offset()};
      return {any_packet(*t, parser_kind::msgpack), t.offset()};
    }
    const result<msgpack_packet_view> r = msgpack_parser::decode(message, o);
    if (!r) return {r.error(), r.offset()};
    return {any_packet(*r), r.offset()};
  }

  void release_scratch() noexcept {
    decltype(scratch_) empty(scratch_.get_allocator());
    empty.swap(scratch_);
  }

  basic_decoder<Allocator> json_;
  ::SIOCODEC_NAMESPACE::detail::decoder_storage_t<unsigned char, byte_alloc> scratch_;
  encode_options encode_;
  base64::mode base64_;
  Kind kind_;
};

/// The codec of one connection, its parser chosen at run time:
/// `sio::codec c(use_msgpack ? sio::parser_kind::msgpack : sio::parser_kind::json);`
template <class Allocator = std::allocator<unsigned char>>
using basic_runtime_codec = basic_codec<detail::runtime_parser_kind, Allocator>;
using codec = basic_runtime_codec<>;

/// The codec of one connection, its parser fixed at compile time:
/// `sio::static_codec<sio::parser_kind::msgpack> c;`
template <parser_kind K, class Allocator = std::allocator<unsigned char>>
using static_codec = basic_codec<detail::fixed_parser_kind<K>, Allocator>;

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

template <class Kind, class Allocator>
result<any_packet> basic_codec<Kind, Allocator>::decode(const engineio::packet_view& message) {
  if (kind() == parser_kind::json) {
    const result<packet_view> r = json_.feed(message, base64_);
    if (!r) return {r.error(), r.offset()};
    return {any_packet(*r), r.offset()};
  }
  if (message.type != engineio::packet_type::message) return {errc::invalid_argument, 0};
  switch (message.kind) {
    case engineio::data_kind::text: return decode_msgpack_message(byte_view(message.data), true);
    case engineio::data_kind::binary: return decode_msgpack_message(message.bytes(), false);
    case engineio::data_kind::base64: break;
  }
  if (message.kind != engineio::data_kind::base64) return {errc::invalid_argument, 0};
  const result<std::size_t> n = base64::decoded_size(message.data, base64_);
  if (!n) return {n.error(), n.offset()};
  if (*n > json_.options().max_packet_bytes) return {errc::packet_too_large, 0};
  // The previous packet, which may point into the scratch, is invalidated by now: a large
  // scratch is released before it is reused, as basic_decoder does.
  if (scratch_.capacity() > json_.options().max_retained_bytes) release_scratch();
  if (!::SIOCODEC_NAMESPACE::detail::resize_buffer(scratch_, *n)) return {errc::out_of_memory, 0};
  const result<std::size_t> d =
      base64::decode_to(message.data, byte_span(scratch_.data(), scratch_.size()), base64_);
  if (!d) return {d.error(), d.offset()};
  const result<any_packet> r = decode_msgpack_message(byte_view(scratch_.data(), *d), false);
  // Offsets of a base64 message are not offsets in the text: report 0 for errors.
  if (!r) return {r.error(), 0};
  return {*r, message.data.size()};
}

}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_CODEC_HPP
