// SPDX-License-Identifier: BSL-1.0
// How Engine.IO messages travel on each transport: the transport options, the frame a transport
// sends, and the framing primitives the fused Socket.IO encoders (socketio/*/frames.hpp) use.
#ifndef SIOCODEC_ENGINEIO_FRAMES_HPP
#define SIOCODEC_ENGINEIO_FRAMES_HPP

#include <siocodec/base64.hpp>
#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/engineio/encode.hpp>
#include <siocodec/engineio/packet.hpp>
#include <siocodec/engineio/payload.hpp>
#include <siocodec/error.hpp>
#include <siocodec/sink.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

// The Engine.IO messages of one upper-layer packet (a text message, then binary messages) go on
// the wire as follows (protocol.md §1.3, §1.4):
//
//   Engine.IO v4, WebSocket   one WebSocket message per Engine.IO message: text `4<text>`;
//                             binary: exactly the bytes (zero copy: the caller's memory);
//   Engine.IO v4, polling     one text body: the messages as `4<text>` or `b<base64>`, separated
//                             by the record separator 0x1E;
//   Engine.IO v3, WebSocket   text `4<text>`; binary `0x04 <bytes>`, handed out as a 1-byte
//                             prefix plus the caller's bytes (scatter-gather), or written
//                             contiguously with transport_options::copy_binary;
//   Engine.IO v3, polling     one body: text `<n>:4<text>` / `<n>:b4<base64>` (n in UTF-16
//                             units), or, when the client supports binary and a message is
//                             binary, the binary payload format (application/octet-stream).
//
// engineio::encode() frames one message for a WebSocket; the payload encoders (payload.hpp)
// build a polling body from any list of messages.

SIOCODEC_BEGIN_NAMESPACE
namespace engineio {

/// The Engine.IO transport messages are sent over.
enum class transport_kind : std::uint8_t {
  websocket = 0,  ///< one WebSocket message per Engine.IO message
  polling = 1,    ///< HTTP long-polling: the messages of a packet in one body
};

/// The transport of a connection at the moment of sending.
struct transport_options {
  /// The Engine.IO protocol of the connection (`EIO=4` or `EIO=3`).
  protocol_version version = protocol_version::v4;
  transport_kind transport = transport_kind::websocket;
  /// Engine.IO v3 polling only: the client accepts binary bodies (it did not ask for `b64=1`).
  /// Then a packet with binary messages is sent as a v3 binary payload, as the reference
  /// server's encodePayload(packets, true) does; otherwise everything is base64 text.
  bool supports_binary = true;
  /// Engine.IO v3 WebSocket only: write each binary message (0x04 and the bytes) into the
  /// storage, so every frame is one contiguous buffer, for WebSocket APIs that cannot send a
  /// buffer sequence. Costs a copy of every binary message; off by default.
  bool copy_binary = false;
};

/// One frame: what ONE send of the transport carries. On a WebSocket, one WebSocket message
/// (`kind` is its opcode); on polling, one HTTP body (`kind` text: text/plain; binary:
/// application/octet-stream). Its bytes are `prefix` followed by `data`. `prefix` is empty
/// except for the binary frames of Engine.IO v3 WebSocket without copy_binary, where it is the
/// one type byte 0x04 (a static string) and `data` the caller's bytes. Views into the encoder's
/// storage or the caller's bytes: valid while those live and the storage is not modified.
struct frame {
  frame_kind kind = frame_kind::text;
  std::string_view prefix;
  std::string_view data;

  /// Bytes of the whole frame.
  std::size_t size() const noexcept { return prefix.size() + data.size(); }
  /// `data` as bytes.
  byte_view bytes() const noexcept { return byte_view(data); }
};

namespace detail {

/// The six framings of transport_options (version x transport x the v3 flags). A polling
/// format is the one for a packet with a binary message: a v3 body of text messages only is
/// always text (framing_for_text()).
enum class framing : std::uint8_t {
  ws_v4,
  ws_v3,
  ws_v3_copy,
  poll_v4,
  poll_v3_text,
  poll_v3_binary,
};

inline bool valid_transport(const transport_options& o) noexcept {
  return (o.version == protocol_version::v4 || o.version == protocol_version::v3) &&
         (o.transport == transport_kind::websocket || o.transport == transport_kind::polling);
}

inline framing framing_of(const transport_options& o) noexcept {
  if (o.version == protocol_version::v4) {
    return o.transport == transport_kind::websocket ? framing::ws_v4 : framing::poll_v4;
  }
  if (o.transport == transport_kind::websocket) {
    return o.copy_binary ? framing::ws_v3_copy : framing::ws_v3;
  }
  return o.supports_binary ? framing::poll_v3_binary : framing::poll_v3_text;
}

/// A packet without binary messages: a v3 binary body holds none, so its body is text.
inline framing framing_for_text(framing f) noexcept {
  return f == framing::poll_v3_binary ? framing::poll_v3_text : f;
}

inline bool is_polling(framing f) noexcept {
  return f == framing::poll_v4 || f == framing::poll_v3_text || f == framing::poll_v3_binary;
}

/// Polling framings that carry binary messages as base64 text.
inline bool binary_as_base64(framing f) noexcept {
  return f == framing::poll_v4 || f == framing::poll_v3_text;
}

/// The kind of a polling body.
inline frame_kind body_kind(framing f) noexcept {
  return f == framing::poll_v3_binary ? frame_kind::binary : frame_kind::text;
}

/// What precedes the text of a message that opens its frame: `4`, preceded on v3 polling by
/// the header of its payload item (`<utf16 + 1>:` text, `0x00 <bytes + 1> 0xFF` binary body).
/// The header is written here because its length precedes a text written straight into the
/// storage, never materialized elsewhere.
template <class W>
void emit_text_prefix(W& w, framing f, std::size_t bytes, std::size_t utf16) noexcept {
  if (f == framing::poll_v3_text) {
    emit_decimal(w, std::uint64_t{1} + utf16, false);
    w.put(':');
  } else if (f == framing::poll_v3_binary) {
    w.put('\x00');
    emit_decimal(w, std::uint64_t{1} + bytes, true);
    w.put('\xff');
  }
  w.put(type_digit(packet_type::message));
}

/// What precedes a binary message of `n` bytes that opens its frame: nothing (v4 WebSocket),
/// the type byte 0x04 (v3 WebSocket), the v3 binary item header `0x01 <n + 1> 0xFF 0x04`, or
/// the text that precedes its base64 (v4 polling `b`, v3 polling `<n>:b4`).
template <class W>
void emit_binary_prefix(W& w, framing f, std::size_t n) noexcept {
  switch (f) {
    case framing::ws_v4: return;
    case framing::ws_v3:
    case framing::ws_v3_copy: w.put(static_cast<char>(packet_type::message)); return;
    case framing::poll_v3_binary:
      w.put('\x01');
      emit_decimal(w, std::uint64_t{1} + n, true);
      w.put('\xff');
      w.put(static_cast<char>(packet_type::message));
      return;
    case framing::poll_v4: w.put('b'); return;
    case framing::poll_v3_text:
      emit_decimal(w, std::uint64_t{2} + base64::encoded_size(n), false);
      w.put(':');
      w.put('b');
      w.put(type_digit(packet_type::message));
      return;
  }
}

/// A binary message that follows another message of the same packet, as it sits in the
/// storage: after the separator 0x1E (v4 polling), as the next payload item (v3 polling), or
/// copied with its type byte (v3 WebSocket with copy_binary). Zero-copy WebSocket framings
/// write nothing: the frame points at the caller's bytes. Errors: invalid_argument (too large
/// to base64-encode).
template <class W>
errc emit_next_binary(W& w, byte_view bytes, framing f) noexcept {
  if (f == framing::ws_v4 || f == framing::ws_v3) return errc::none;
  if (binary_as_base64(f) && bytes.size() > base64::max_encodable) return errc::invalid_argument;
  if (f == framing::poll_v4) w.put('\x1e');
  emit_binary_prefix(w, f, bytes.size());
  if (binary_as_base64(f)) {
    base64::detail::emit(w, bytes);
  } else {
    w.append(bytes.as_chars().data(), bytes.size());
  }
  return errc::none;
}

/// Storage bytes of emit_next_binary(); SIZE_MAX when the message cannot be framed.
inline std::size_t next_binary_cost(byte_view bytes, framing f) noexcept {
  ::SIOCODEC_NAMESPACE::detail::size_counter c;
  if (emit_next_binary(c, bytes, f) != errc::none || c.overflow) {
    return static_cast<std::size_t>(-1);
  }
  return c.n;
}

/// The type byte of an Engine.IO v3 binary WebSocket message, for frame::prefix.
inline std::string_view v3_binary_type_byte() noexcept {
  static constexpr char byte[1] = {static_cast<char>(packet_type::message)};
  return std::string_view(byte, 1);
}

}  // namespace detail
}  // namespace engineio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_ENGINEIO_FRAMES_HPP
