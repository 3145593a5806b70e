// SPDX-License-Identifier: BSL-1.0
// Socket.IO packet types, the packet view every Socket.IO decoder yields, and the options.
#ifndef SIOCODEC_SOCKETIO_PACKET_HPP
#define SIOCODEC_SOCKETIO_PACKET_HPP

#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {

/// Socket.IO packet types (protocol.md §2.1); the values are the wire digits.
enum class packet_type : std::uint8_t {
  connect = 0,        ///< join a namespace; v5: optional auth object, server answers {"sid":...}
  disconnect = 1,     ///< leave a namespace; no data
  event = 2,          ///< [name, args...]; with an id it asks for an ack
  ack = 3,            ///< [args...] answering the event with the same id
  connect_error = 4,  ///< v5: refusal of a CONNECT (string or object). v4 calls type 4 ERROR
  binary_event = 5,   ///< an event with binary attachments
  binary_ack = 6,     ///< an ack with binary attachments
};

/// Socket.IO protocol revision: 5 (Socket.IO 3 and later) or 4 (Socket.IO 1.x/2.x).
enum class protocol_version : std::uint8_t { v4 = 4, v5 = 5 };

/// The type's name in lower case ("connect", "binary_event"...). Protocol v4 calls type 4 "error".
constexpr const char* to_string(packet_type t, protocol_version v = protocol_version::v5) noexcept {
  switch (t) {
    case packet_type::connect: return "connect";
    case packet_type::disconnect: return "disconnect";
    case packet_type::event: return "event";
    case packet_type::ack: return "ack";
    case packet_type::connect_error: return v == protocol_version::v4 ? "error" : "connect_error";
    case packet_type::binary_event: return "binary_event";
    case packet_type::binary_ack: return "binary_ack";
  }
  return "unknown";
}

/// True for the seven types the protocol defines.
constexpr bool is_valid(packet_type t) noexcept { return static_cast<std::uint8_t>(t) <= 6; }

/// True for BINARY_EVENT and BINARY_ACK, the types that announce attachments.
constexpr bool is_binary(packet_type t) noexcept {
  return t == packet_type::binary_event || t == packet_type::binary_ack;
}

/// One Socket.IO packet, as decoded or as to be encoded. A view: every field points into the
/// caller's frames (or, for a reassembled packet that copied its attachments, into the decoder)
/// and is valid while they live.
struct packet_view {
  packet_type type = packet_type::event;
  /// The namespace, "/" when the packet names none. Never empty after decoding.
  std::string_view nsp = "/";
  /// The ack id, when the packet carries one.
  std::optional<std::uint64_t> id;
  /// The JSON payload as raw text (no surrounding spaces kept or added); empty when absent. For
  /// binary types it holds the placeholders `{"_placeholder":true,"num":N}`.
  std::string_view data;
  /// Number of binary attachments announced (binary types only; 0 otherwise).
  std::size_t attachment_count = 0;
  /// The attachments themselves, once a decoder has received them (null until then), in `num`
  /// order: attachments[N] is what placeholder N stands for. The array belongs to the decoder that
  /// delivered the packet and is valid until its next feed() or reset(); the bytes each view
  /// points to are the caller's frames (borrow mode) or the decoder's storage (copy mode).
  const byte_view* attachments = nullptr;
  /// EVENT and BINARY_EVENT from decode() or a decoder: the event name exactly as it is in `data`
  /// (its JSON token, a string with its quotes and escapes, or a number), found while the payload
  /// was validated. Empty otherwise; the encoders ignore it. Read the name through event_name(),
  /// which uses this when it lies within `data` and finds the name itself otherwise (a packet
  /// built or edited by hand). Last in the struct, so that positional initialisers of the fields
  /// above keep their meaning.
  std::string_view event_raw;
  /// Set by a decoder run with decode_options::allow_invalid_utf8 when the namespace or a string
  /// of the payload holds bytes that are not UTF-8; those views then carry the bytes as received.
  /// utf8::lossy() of such a view (or of a string the payload's JSON decodes to) gives the
  /// string the reference builds, each invalid part replaced by U+FFFD. Always false otherwise.
  bool has_invalid_utf8 = false;

  /// Attachment `i`; an empty view if absent.
  byte_view attachment(std::size_t i) const noexcept {
    return (attachments != nullptr && i < attachment_count) ? attachments[i] : byte_view();
  }
  /// True when the packet carries a JSON payload.
  bool has_data() const noexcept { return !data.empty(); }
};

/// Options of the Socket.IO decoders. The defaults are socket.io-parser 4.2.7's (protocol v5).
struct decode_options {
  /// v5 follows socket.io-parser 4.2.7, v4 follows 3.4.5 (ERROR type, no reserved event names,
  /// any JSON object or null allowed for CONNECT).
  protocol_version version = protocol_version::v5;
  /// Reproduce the reference's JavaScript coercions instead of rejecting them
  /// (docs/protocol-notes.md lists each one): whitespace and leading zeros in numbers of the
  /// header, `0x`/`1e0` attachment counts, placeholders with extra keys, unused attachments. Strict
  /// (false) accepts exactly what the reference encoder writes. Limits, ack ids with no exact
  /// value and shapes only JavaScript objects give stay refused (docs/protocol-notes.md, "Where
  /// lax mode still refuses").
  bool lax = false;
  /// Most attachments a packet may announce (socket.io-parser's maxAttachments).
  std::size_t max_attachments = SIOCODEC_DEFAULT_MAX_ATTACHMENTS;
  /// Largest single attachment, in bytes (the reference bounds each by maxHttpBufferSize).
  std::size_t max_attachment_bytes = SIOCODEC_DEFAULT_MAX_PAYLOAD;
  /// Largest packet: the text header plus all its attachments, in bytes. The reference allows
  /// maxHttpBufferSize per Engine.IO message, so (max_attachments + 1) of them.
  std::size_t max_packet_bytes =
      std::size_t{SIOCODEC_DEFAULT_MAX_PAYLOAD} * (SIOCODEC_DEFAULT_MAX_ATTACHMENTS + 1);
  /// Longest namespace, in bytes.
  std::size_t max_namespace = SIOCODEC_DEFAULT_MAX_NAMESPACE;
  /// Largest ack id accepted. JavaScript peers lose precision above 2^53 - 1, but nothing in the
  /// protocol forbids larger ids, so the default is the whole 64-bit range.
  std::uint64_t max_ack_id = std::numeric_limits<std::uint64_t>::max();
  /// Deepest JSON nesting accepted in a payload.
  std::size_t max_depth = SIOCODEC_DEFAULT_MAX_JSON_DEPTH;
  /// basic_decoder, copy mode: storage kept once a packet has been delivered; a buffer with more
  /// capacity is released when the next frame arrives, or by trim() (docs/memory.md).
  std::size_t max_retained_bytes = SIOCODEC_DEFAULT_MAX_RETAINED_BYTES;
  /// Accept bytes that are not UTF-8 in the namespace and in the payload's strings (JSON strings
  /// and keys, event names; msgpack str values, keys and namespace), as the reference does: Node
  /// decodes them to U+FFFD before parsing (Boost.JSON's allow_invalid_utf8 is the model). The
  /// views stay the received bytes and packet_view::has_invalid_utf8 (msgpack_packet_view's for
  /// msgpack_parser::decode) is set; utf8::lossy() gives the reference's string. Off (the default):
  /// such packets fail with invalid_utf8. Independent of `lax`; siocodec-inspect --lax sets both.
  bool allow_invalid_utf8 = false;
};

/// The two Socket.IO parsers.
enum class parser_kind : std::uint8_t {
  json = 0,     ///< the default parser (socket.io-parser): text packets plus binary attachments
  msgpack = 1,  ///< socket.io-msgpack-parser: one msgpack message per packet, binary inline
};

/// "default" or "msgpack" (the names Socket.IO's documentation uses); "unknown" otherwise.
constexpr const char* to_string(parser_kind k) noexcept {
  switch (k) {
    case parser_kind::json: return "default";
    case parser_kind::msgpack: return "msgpack";
  }
  return "unknown";
}

/// Reads a parser name, as a command line option gives it: "default", "json" or "msgpack".
/// @return true and sets `out` when the name is known.
constexpr bool parse_parser_kind(std::string_view name, parser_kind& out) noexcept {
  if (name == "default" || name == "json") {
    out = parser_kind::json;
    return true;
  }
  if (name == "msgpack") {
    out = parser_kind::msgpack;
    return true;
  }
  return false;
}

}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_PACKET_HPP
