// SPDX-License-Identifier: BSL-1.0
// The Socket.IO codec of one connection, for either parser, chosen at run or compile time.
#ifndef SIOCODEC_SOCKETIO_CODEC_HPP
#define SIOCODEC_SOCKETIO_CODEC_HPP

#include <siocodec/base64.hpp>
#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/engineio/packet.hpp>
#include <siocodec/error.hpp>
#include <siocodec/json/value.hpp>
#include <siocodec/msgpack/value.hpp>
#include <siocodec/result.hpp>
#include <siocodec/sink.hpp>
#include <siocodec/socketio/any.hpp>
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
// and clients must use the same. This header lets a client or server built on siocodec switch
// with one line:
//
//     sio::parser p(sio::parser_kind::msgpack);             // run time (e.g. from --parser)
//     sio::static_parser<sio::parser_kind::msgpack> q;      // compile time: no dispatch
//
//     // every Engine.IO message of the connection, in order:
//     auto r = p.feed(message, kind);                       // result<sio::any_packet>
//     if (r.error() == siocodec::error::incomplete) return;  // default parser: attachments due
//     if (!r) return close_connection();
//     if (r->type() == sio::packet_type::event && r->event_name().string_equals("chat")) {
//       for (const sio::any_value& a : r->arguments()) {
//         if (a.is_binary()) store(a.bytes());              // an attachment, or an inline bin
//         else if (std::string_view s; a.direct_string(s)) print(s);
//       }
//     }
//
//     // sending: the same builders for both parsers
//     sio::frame_options fo;                                // Engine.IO v4, WebSocket
//     sio::attachment_list<8> atts;                         // the default parser's attachments
//     std::string storage;
//     p.encode_frames(sio::event("chat", "hello", buffer), storage, atts, fo,
//                     [&](const sio::frame& f) { ws.send(f.kind, f.prefix, f.data); });
//
// Values given to the builders are written by args_writer (default parser) or
// msgpack_args_writer (msgpack): callbacks and arg_traits specializations that should serve
// both take the writer generically (`[&](auto& w) {...}`, `template <class W> static void
// write(W&, const T&)`).


// ---------------------------------------------------------------------------------------------
// The parser
// ---------------------------------------------------------------------------------------------

namespace detail {
/// The parser kind held at run time.
struct runtime_parser_kind {
  parser_kind value = parser_kind::json;
  constexpr parser_kind get() const noexcept { return value; }
};
/// The parser kind fixed at compile time: every branch on it folds away.
template <parser_kind K>
struct fixed_parser_kind {
  static constexpr parser_kind get() noexcept { return K; }
};
}  // namespace detail

/// The Socket.IO decoder and encoder of one connection, for either parser: basic_parser
/// (kind chosen at run time) and static_parser<K> (kind fixed at compile time) are this class.
///
/// Decoding: feed() takes every Engine.IO message of the connection in order, as the
/// transport delivered it (text or binary, or as the engineio::packet_view a payload decoder
/// yields). The default parser runs a basic_decoder (reassembly of binary attachments: a
/// BINARY_EVENT header returns error::incomplete until its attachments arrive); the msgpack
/// parser decodes each message on its own (decode_msgpack(); in protocol v4 its text messages
/// with decode_msgpack_text()). Errors are those of basic_decoder::feed() and decode_msgpack(),
/// plus, for msgpack: unexpected_text_frame (a text message in protocol v5), packet_too_large
/// (a message longer than decode_options::max_packet_bytes), invalid_base64 (a polling
/// `b<base64>` message), invalid_argument (a frame kind other than text or binary, or an
/// Engine.IO packet that is not a `message`). After any error the parser is ready for the next
/// message (the connection normally closes, as the reference's does).
///
/// Lifetimes of a delivered packet: those of basic_decoder's in its attachment mode; msgpack
/// packets point into the message, except those that arrived as base64, which point into the
/// parser's scratch storage (valid until the next feed() or reset()).
///
/// Encoding: the frame encoders take the packet builders of encode.hpp (event(), ack(),
/// connect()...), and write what the parser's reference encoder writes: frames.hpp's
/// encode_frames() or msgpack.hpp's msgpack_encode_frames().
///
/// One parser per connection; not thread-safe. Movable, not copyable.
template <class Kind, class Allocator = std::allocator<unsigned char>>
class parser_base {
  using byte_alloc =
      typename std::allocator_traits<Allocator>::template rebind_alloc<unsigned char>;

 public:
  using allocator_type = Allocator;

  /// A parser whose kind is chosen at run time.
  template <class K = Kind,
            std::enable_if_t<std::is_same<K, detail::runtime_parser_kind>::value, int> = 0>
  explicit parser_base(parser_kind kind, const decode_options& opts = {},
                       attachment_mode mode = attachment_mode::borrow,
                       const Allocator& alloc = Allocator())
      : json_(opts, mode, alloc), scratch_(byte_alloc(alloc)), kind_{kind} {}

  /// A parser whose kind is fixed by its type.
  template <class K = Kind,
            std::enable_if_t<!std::is_same<K, detail::runtime_parser_kind>::value, int> = 0>
  explicit parser_base(const decode_options& opts = {},
                       attachment_mode mode = attachment_mode::borrow,
                       const Allocator& alloc = Allocator())
      : json_(opts, mode, alloc), scratch_(byte_alloc(alloc)), kind_{} {}

  /// Which parser this is.
  constexpr parser_kind kind() const noexcept { return kind_.get(); }
  /// The decode options given at construction.
  const decode_options& options() const noexcept { return json_.options(); }
  /// The protocol version of the decode options (v5: Socket.IO 3+, v4: Socket.IO 2).
  protocol_version version() const noexcept { return json_.options().version; }

  // --- decoding ----------------------------------------------------------------------------

  /// Feeds the data of the next Engine.IO message (without its Engine.IO framing), delivered
  /// by the transport as `kind`. @return the packet, error::incomplete (default parser: more
  /// attachments due) or an error (see the class documentation).
  result<any_packet> feed(std::string_view message, engineio::frame_kind kind) {
    return feed(byte_view(message), kind);
  }
  /// The same for a message held as bytes.
  result<any_packet> feed(byte_view message, engineio::frame_kind kind);
  /// Feeds an Engine.IO packet as decoded by engineio::decode() or a payload decoder. It must be
  /// a `message`. A base64 message (`b<base64>` of polling transports) is decoded in mode
  /// `b64`: by the default parser as basic_decoder::feed() does (copy mode only); by the
  /// msgpack parser into the parser's scratch storage.
  result<any_packet> feed(const engineio::packet_view& message,
                          base64::mode b64 = base64::mode::strict);

  /// Default parser: true while a binary packet waits for attachments. msgpack: always false.
  bool waiting() const noexcept { return kind() == parser_kind::json && json_.waiting(); }
  /// Drops any pending packet and releases all storage.
  void reset() noexcept {
    json_.reset();
    release_scratch();
  }
  /// Releases storage above decode_options::max_retained_bytes (basic_decoder::trim(), and the
  /// msgpack parser's base64 scratch); invalidates delivered packets, as the next feed() does.
  void trim() noexcept {
    json_.trim();
    if (scratch_.capacity() > json_.options().max_retained_bytes) release_scratch();
  }

  // --- encoding ----------------------------------------------------------------------------

  /// Storage the frames of builder `b` need (frames.hpp / msgpack.hpp).
  template <class B, std::enable_if_t<is_packet_builder<B>::value, int> = 0>
  result<std::size_t> encoded_frames_size(const B& b, const frame_options& fo = {}) const {
    if (kind() == parser_kind::msgpack) return msgpack_encoded_frames_size(b, fo);
    return socketio::encoded_frames_size(b, fo);
  }

  /// Writes the frames of builder `b` into `storage` (at most `cap` bytes) and calls
  /// `send(const frame&)` per frame. The default parser appends the views of the binary values
  /// to `attachments` (the frames point at them); the msgpack parser writes them inline and
  /// leaves `attachments` alone.
  template <class B, class A, class Send,
            std::enable_if_t<is_packet_builder<B>::value && is_attachment_sink<A>::value, int> = 0>
  result<std::size_t> encode_frames_to(char* storage, std::size_t cap, const B& b, A& attachments,
                                       const frame_options& fo, Send&& send) const {
    if (kind() == parser_kind::msgpack) {
      return msgpack_encode_frames_to(storage, cap, b, fo, std::forward<Send>(send));
    }
    return socketio::encode_frames_to(storage, cap, b, attachments, fo, std::forward<Send>(send));
  }

  /// Resizes `storage` once and writes the frames of builder `b` into it, then sends them (see
  /// encode_frames_to()). On error nothing is sent and both containers keep their size.
  template <class B, class Container, class A, class Send,
            std::enable_if_t<is_packet_builder<B>::value && is_attachment_sink<A>::value, int> = 0>
  result<std::size_t> encode_frames(const B& b, Container& storage, A& attachments,
                                    const frame_options& fo, Send&& send) const {
    if (kind() == parser_kind::msgpack) {
      return msgpack_encode_frames(b, storage, fo, std::forward<Send>(send));
    }
    return socketio::encode_frames(b, storage, attachments, fo, std::forward<Send>(send));
  }

  /// encode_frames for a packet without binary values (the default parser fails with
  /// too_many_attachments on one; msgpack writes it inline).
  template <class B, class Container, class Send,
            std::enable_if_t<is_packet_builder<B>::value, int> = 0>
  result<std::size_t> encode_frames(const B& b, Container& storage, const frame_options& fo,
                                    Send&& send) const {
    if (kind() == parser_kind::msgpack) {
      return msgpack_encode_frames(b, storage, fo, std::forward<Send>(send));
    }
    return socketio::encode_frames(b, storage, fo, std::forward<Send>(send));
  }

  /// Re-encodes a decoded packet (a proxy forwarding it). The packet must come from this kind
  /// of parser (Errors: invalid_argument otherwise, and those of the frame encoders).
  template <class Container, class Send>
  result<std::size_t> encode_frames(const any_packet& p, Container& storage,
                                    const frame_options& fo, Send&& send) const {
    if (p.parser() != kind()) return {error::invalid_argument, 0};
    if (p.is_msgpack()) {
      return msgpack_encode_frames(p.as_msgpack_packet(), storage, fo, std::forward<Send>(send));
    }
    if (kind() == parser_kind::msgpack) return {error::invalid_argument, 0};  // v4 text packet
    return socketio::encode_frames(p.as_packet_view(), storage, fo, std::forward<Send>(send));
  }

  /// A copy of the allocator.
  allocator_type get_allocator() const noexcept { return json_.get_allocator(); }

 private:
  result<any_packet> feed_msgpack(byte_view message, engineio::frame_kind kind) noexcept {
    const decode_options& o = json_.options();
    if (message.size() > o.max_packet_bytes) return {error::packet_too_large, o.max_packet_bytes};
    if (kind == engineio::frame_kind::text) {
      const result<packet_view> t = decode_msgpack_text(message.as_chars(), o);
      if (!t) return {t.error(), t.offset()};
      return {any_packet(*t, parser_kind::msgpack), t.offset()};
    }
    if (kind != engineio::frame_kind::binary) return {error::invalid_argument, 0};
    const result<msgpack_packet_view> r = decode_msgpack(message, o);
    if (!r) return {r.error(), r.offset()};
    return {any_packet(*r), r.offset()};
  }

  void release_scratch() noexcept {
    std::vector<unsigned char, byte_alloc> empty(scratch_.get_allocator());
    empty.swap(scratch_);
  }

  basic_decoder<Allocator> json_;
  std::vector<unsigned char, byte_alloc> scratch_;
  Kind kind_;
};

/// The parser of one connection, its kind chosen at run time:
/// `sio::parser p(use_msgpack ? sio::parser_kind::msgpack : sio::parser_kind::json);`
template <class Allocator = std::allocator<unsigned char>>
using basic_parser = parser_base<detail::runtime_parser_kind, Allocator>;
using parser = basic_parser<>;

/// The parser of one connection, its kind fixed at compile time:
/// `sio::static_parser<sio::parser_kind::msgpack> p;`
template <parser_kind K, class Allocator = std::allocator<unsigned char>>
using static_parser = parser_base<detail::fixed_parser_kind<K>, Allocator>;

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

template <class Kind, class Allocator>
result<any_packet> parser_base<Kind, Allocator>::feed(byte_view message,
                                                      engineio::frame_kind kind) {
  if (this->kind() == parser_kind::msgpack) return feed_msgpack(message, kind);
  const result<packet_view> r = json_.feed(message, kind);
  if (!r) return {r.error(), r.offset()};
  return {any_packet(*r), r.offset()};
}

template <class Kind, class Allocator>
result<any_packet> parser_base<Kind, Allocator>::feed(const engineio::packet_view& message,
                                                      base64::mode b64) {
  if (kind() == parser_kind::json) {
    const result<packet_view> r = json_.feed(message, b64);
    if (!r) return {r.error(), r.offset()};
    return {any_packet(*r), r.offset()};
  }
  if (message.type != engineio::packet_type::message) return {error::invalid_argument, 0};
  switch (message.kind) {
    case engineio::data_kind::text:
      return feed_msgpack(byte_view(message.data), engineio::frame_kind::text);
    case engineio::data_kind::binary:
      return feed_msgpack(message.bytes(), engineio::frame_kind::binary);
    case engineio::data_kind::base64: break;
  }
  if (message.kind != engineio::data_kind::base64) return {error::invalid_argument, 0};
  const result<std::size_t> n = base64::decoded_size(message.data, b64);
  if (!n) return {n.error(), n.offset()};
  if (*n > json_.options().max_packet_bytes) return {error::packet_too_large, 0};
  // The previous packet, which may point into the scratch, is invalidated by now: a large
  // scratch is released before it is reused, as basic_decoder does.
  if (scratch_.capacity() > json_.options().max_retained_bytes) release_scratch();
  scratch_.resize(*n);
  const result<std::size_t> d =
      base64::decode_to(message.data, byte_span(scratch_.data(), scratch_.size()), b64);
  if (!d) return {d.error(), d.offset()};
  const result<any_packet> r =
      feed_msgpack(byte_view(scratch_.data(), *d), engineio::frame_kind::binary);
  // Offsets of a base64 message are not offsets in the text: report 0 for errors.
  if (!r) return {r.error(), 0};
  return {*r, message.data.size()};
}

}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_CODEC_HPP
