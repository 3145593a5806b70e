// SPDX-License-Identifier: BSL-1.0
// Engine.IO packet types, the packet view every Engine.IO decoder yields, and the options.
#ifndef SIOCODEC_ENGINEIO_PACKET_HPP
#define SIOCODEC_ENGINEIO_PACKET_HPP

#include <siocodec/base64.hpp>
#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

SIOCODEC_BEGIN_NAMESPACE
namespace engineio {

/// Engine.IO packet types (protocol.md §1.1). The values are the wire digits, identical in v3
/// and v4. The reference's "error" pseudo type never travels: our decoders return an error code.
enum class packet_type : std::uint8_t {
  open = 0,     ///< server -> client; data is the handshake JSON (handshake.hpp)
  close = 1,    ///< either side; close the session
  ping = 2,     ///< v4: server -> client. v3: client -> server. `2probe` during an upgrade
  pong = 3,     ///< v4: client -> server. v3: server -> client. `3probe` answers a probe
  message = 4,  ///< carries the upper layer (a Socket.IO packet)
  upgrade = 5,  ///< client -> server; completes a transport upgrade
  noop = 6,     ///< server -> client; ends a pending long-poll
};

/// The reference's name of a packet type ("open", "message", ...); "unknown" out of range.
constexpr const char* to_string(packet_type t) noexcept {
  switch (t) {
    case packet_type::open: return "open";
    case packet_type::close: return "close";
    case packet_type::ping: return "ping";
    case packet_type::pong: return "pong";
    case packet_type::message: return "message";
    case packet_type::upgrade: return "upgrade";
    case packet_type::noop: return "noop";
  }
  return "unknown";
}

/// True for the seven types the protocol defines (an enum can hold any byte).
constexpr bool is_valid(packet_type t) noexcept { return static_cast<std::uint8_t>(t) <= 6; }

/// Engine.IO protocol revision: 4 (Socket.IO 3 and later, `EIO=4`) or 3 (Socket.IO 1.x/2.x).
enum class protocol_version : std::uint8_t { v3 = 3, v4 = 4 };

/// What kind of frame a transport delivered or must send. The caller always says which: the codec
/// never guesses binary-ness from the first byte (the official C++ client's EIO4 binary bug).
/// For HTTP long-polling, `binary` means a body sent as application/octet-stream (v3 only).
enum class frame_kind : std::uint8_t { text = 0, binary = 1 };

/// How a packet's data is carried.
enum class data_kind : std::uint8_t {
  /// UTF-8 text after the type digit (possibly empty: "4" is a message with no data).
  text = 0,
  /// Raw bytes (a WebSocket binary frame, a v3 binary payload item, decoded base64).
  binary = 1,
  /// Bytes still in their base64 text form (the `b` packets of polling bodies), validated but not
  /// decoded: `data` is the base64 text. base64::decode_to turns it into bytes on demand, so a
  /// decoder needs no storage of its own.
  base64 = 2,
};

/// One Engine.IO packet. A view: `data` points into the caller's frame or body (or into caller
/// scratch storage for decoded base64) and is valid while that memory lives and is not modified;
/// nothing else invalidates it. Encoders take the same struct, so it doubles as the packet to
/// send; the static makers below build the common shapes.
struct packet_view {
  packet_type type = packet_type::message;
  data_kind kind = data_kind::text;
  /// Text, raw bytes or base64 text, as `kind` says.
  std::string_view data;
  /// Set by the decoders that check UTF-8 (v3 text polling bodies, WebTransport text packets)
  /// when decode_options::allow_invalid_utf8 let through data that is not UTF-8; utf8::lossy()
  /// of `data` is the reference's string. Not compared by operator==; encoders ignore it.
  bool has_invalid_utf8 = false;

  /// `data` as bytes (meaningful for kind == binary).
  byte_view bytes() const noexcept { return byte_view(data); }

  /// A text packet: `<digit><data>` on the wire.
  static constexpr packet_view text(packet_type t, std::string_view d = {}) noexcept {
    return {t, data_kind::text, d};
  }
  /// A binary packet. Engine.IO v4 binary packets are always messages; v3 may carry any type.
  static packet_view binary(byte_view d, packet_type t = packet_type::message) noexcept {
    return {t, data_kind::binary, d.as_chars()};
  }

  friend constexpr bool operator==(const packet_view& a, const packet_view& b) noexcept {
    return a.type == b.type && a.kind == b.kind && a.data == b.data;
  }
  friend constexpr bool operator!=(const packet_view& a, const packet_view& b) noexcept {
    return !(a == b);
  }
};

/// Options of every Engine.IO decoder. Pass by const reference; the defaults match the reference.
struct decode_options {
  /// Which Engine.IO revision the peer speaks.
  protocol_version version = protocol_version::v4;
  /// How `b` (base64) packets are checked. strict rejects what no real encoder writes; lax
  /// accepts exactly what the reference server (Node's Buffer.from) accepts.
  base64::mode base64 = base64::mode::strict;
  /// Largest frame, polling body or WebTransport packet accepted, in bytes (maxHttpBufferSize).
  std::size_t max_payload = SIOCODEC_DEFAULT_MAX_PAYLOAD;
  /// Most packets accepted in one polling body.
  std::size_t max_packets = SIOCODEC_DEFAULT_MAX_PAYLOAD_PACKETS;
  /// Storage payload_decoder and webtransport::stream_decoder keep after delivering a packet
  /// they had to gather across chunks; more capacity than this is released (docs/memory.md).
  std::size_t max_retained_bytes = SIOCODEC_DEFAULT_MAX_RETAINED_BYTES;
  /// Accept text that is not UTF-8 where the reference decodes it lossily (U+FFFD): v3 text
  /// polling bodies (lengths then count each replaced part as one unit) and WebTransport text
  /// packets. The packet's data stays the received bytes and has_invalid_utf8 is set. Off (the
  /// default): invalid_utf8. v4 polling bodies and WebSocket frames are never checked here (the
  /// Socket.IO decoders check what they read, under their own allow_invalid_utf8).
  bool allow_invalid_utf8 = false;
};

/// Options of every Engine.IO encoder.
struct encode_options {
  /// Which Engine.IO revision the peer speaks.
  protocol_version version = protocol_version::v4;
  /// Whether the transport carries binary. A WebSocket does; a v3 polling client that sent `b64=1`
  /// does not. When false, binary packets are written as `b` + base64 text (v4: `b<base64>`,
  /// v3: `b<digit><base64>`); when true, the v3 payload encoder uses the binary payload format
  /// as soon as one packet is binary, as the reference's encodePayload(packets, true) does.
  bool supports_binary = true;
};

}  // namespace engineio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_ENGINEIO_PACKET_HPP
