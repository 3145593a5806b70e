// SPDX-License-Identifier: BSL-1.0
// The library's one error enum, with stable names and messages.
#ifndef SIOCODEC_ERROR_HPP
#define SIOCODEC_ERROR_HPP

#include <siocodec/config.hpp>

#include <cstdint>

SIOCODEC_BEGIN_NAMESPACE

/// Every way a siocodec call can fail. One byte, so it can be switched on and stored anywhere.
///
/// Decoders report the byte offset of the failure next to the code (result::offset(),
/// decode_status::consumed). The enumerator values are stable within a minor version; the names
/// returned by to_string() are stable across versions and are what tools print.
enum class errc : std::uint8_t {
  /// Success.
  none = 0,

  // --- Control flow and caller errors -------------------------------------------------------
  /// A resumable decoder needs more input to finish the current unit (socketio::basic_decoder:
  /// more attachments are expected). Never returned by a one-shot decoder.
  incomplete,
  /// encode_to() was given less capacity than encoded_size() reports. Nothing was written.
  output_too_small,
  /// An encoder was given a value the wire format cannot carry (a packet type out of range, a
  /// text that would break the framing, a namespace without a leading '/'...).
  invalid_argument,

  // --- Engine.IO framing ------------------------------------------------------------------------
  /// A packet with no bytes at all: an empty text frame, an empty item of a polling body (this
  /// includes a trailing record separator), a WebTransport record of length 0.
  empty_packet,
  /// The packet type is not one of 0-6 (open, close, ping, pong, message, upgrade, noop).
  unknown_packet_type,
  /// Base64 text that the selected base64 mode rejects (bad character, bad padding, bad length,
  /// non-zero trailing bits in strict mode).
  invalid_base64,
  /// A frame, polling body or WebTransport packet is longer than the max_payload limit.
  payload_too_large,
  /// A polling body holds more packets than the max_packets limit.
  too_many_packets,
  /// A length field is malformed: an Engine.IO v3 `<len>:` prefix that is empty, not decimal or
  /// has a leading zero, or a v3 binary payload length digit byte above 9. (A binary length
  /// that the body ends before its 0xFF terminator is `truncated`.)
  invalid_length,
  /// The input ends inside a unit whose length was announced (a v3 payload item, a WebTransport
  /// record, a v3 binary payload item): returned by the polling-body decoders. The other
  /// one-shot decoders report the error of their grammar instead (invalid_json for JSON cut
  /// short, invalid_msgpack for msgpack).
  truncated,
  /// A v3 binary payload item starts with a byte other than 0x00 (string) or 0x01 (binary).
  invalid_item_kind,
  /// Text is not valid UTF-8 (overlong forms, surrogates, bytes past U+10FFFF, cut sequences).
  invalid_utf8,
  /// The Engine.IO open packet is not a JSON object with the required fields, of the right JSON
  /// type and in range (sid non-empty string, upgrades an array of strings, intervals integers).
  invalid_handshake,

  // --- JSON -------------------------------------------------------------------------------------
  /// JSON syntax error (RFC 8259), including bytes after the value.
  invalid_json,
  /// A JSON string holds a raw control character (below U+0020) or a malformed escape.
  invalid_json_string,
  /// A JSON number does not follow the RFC 8259 grammar (leading zeros, lone '-', '.5', '1.').
  invalid_json_number,
  /// Arrays and objects nest deeper than the max_depth limit.
  nesting_too_deep,

  // --- Socket.IO --------------------------------------------------------------------------------
  /// The attachment count of a BINARY_EVENT / BINARY_ACK header is absent, not decimal, zero, or
  /// not followed by '-'.
  invalid_attachment_count,
  /// The attachment count is above the max_attachments limit.
  too_many_attachments,
  /// The namespace is longer than socketio::decode_options::max_namespace. (Encoders report a
  /// namespace they cannot write as invalid_argument.)
  invalid_namespace,
  /// The ack id is malformed.
  invalid_ack_id,
  /// The ack id does not fit the configured integer range.
  ack_id_overflow,
  /// The JSON payload has the wrong shape for the packet type (an EVENT that is not a non-empty
  /// array, a CONNECT that is not an object, a DISCONNECT with data...).
  invalid_payload,
  /// An EVENT's name is one of the names the reference reserves (connect, connect_error,
  /// disconnect, disconnecting, newListener, removeListener).
  reserved_event_name,
  /// An EVENT's first element is neither a string nor a number.
  invalid_event_name,
  /// A binary placeholder is malformed: `_placeholder` not `true`, `num` not an integer in
  /// [0, attachments), or a placeholder where the packet type allows none.
  invalid_placeholder,
  /// A text frame arrived while a binary packet was still waiting for attachments.
  unexpected_text_frame,
  /// A binary frame arrived with no binary packet waiting for it (or where a format allows none).
  unexpected_binary_frame,
  /// One binary attachment is longer than the max_attachment_bytes limit.
  attachment_too_large,
  /// A packet with its attachments is larger than the max_packet_bytes limit.
  packet_too_large,

  // --- msgpack ----------------------------------------------------------------------------------
  /// Malformed msgpack: the reserved prefix byte 0xC1, a value or length cut short by the end
  /// of the input, or an empty input.
  invalid_msgpack,
  /// Bytes follow a complete value where the format allows none.
  trailing_data,

  // --- Socket.IO (continued) ------------------------------------------------------------------
  /// A one-shot socketio::decode() was given a BINARY_EVENT / BINARY_ACK header, whose
  /// attachments arrive in later messages: decode the connection with socketio::basic_decoder.
  needs_attachments,

  // --- Protocol engines (engineio::client, engineio::server_session, ...) ----------------------
  /// A queue of an engine (messages to send, events not yet polled, a recovery store) would go
  /// over its limit. The engine closes the session rather than grow.
  queue_full,
  /// A well-formed packet the session's state does not allow: a ping in the wrong heartbeat
  /// direction, a second open, an upgrade without a probe, a second long-poll GET at once.
  unexpected_packet,
  /// An application call the engine cannot take in its current state (sending on a closed
  /// session, opening one twice).
  invalid_state,
  /// The memory_resource the caller gave an engine (client_options::memory) had no room left.
  /// The engine closes the session rather than go on with part of its state.
  out_of_memory,
};

/// Number of enumerators in `errc`; every value below it has a name.
constexpr unsigned error_count = static_cast<unsigned>(errc::out_of_memory) + 1;

/// The enumerator's name ("invalid_base64"), stable across versions. Unknown values give "unknown".
constexpr const char* to_string(errc e) noexcept {
  switch (e) {
    case errc::none: return "none";
    case errc::incomplete: return "incomplete";
    case errc::output_too_small: return "output_too_small";
    case errc::invalid_argument: return "invalid_argument";
    case errc::empty_packet: return "empty_packet";
    case errc::unknown_packet_type: return "unknown_packet_type";
    case errc::invalid_base64: return "invalid_base64";
    case errc::payload_too_large: return "payload_too_large";
    case errc::too_many_packets: return "too_many_packets";
    case errc::invalid_length: return "invalid_length";
    case errc::truncated: return "truncated";
    case errc::invalid_item_kind: return "invalid_item_kind";
    case errc::invalid_utf8: return "invalid_utf8";
    case errc::invalid_handshake: return "invalid_handshake";
    case errc::invalid_json: return "invalid_json";
    case errc::invalid_json_string: return "invalid_json_string";
    case errc::invalid_json_number: return "invalid_json_number";
    case errc::nesting_too_deep: return "nesting_too_deep";
    case errc::invalid_attachment_count: return "invalid_attachment_count";
    case errc::too_many_attachments: return "too_many_attachments";
    case errc::invalid_namespace: return "invalid_namespace";
    case errc::invalid_ack_id: return "invalid_ack_id";
    case errc::ack_id_overflow: return "ack_id_overflow";
    case errc::invalid_payload: return "invalid_payload";
    case errc::reserved_event_name: return "reserved_event_name";
    case errc::invalid_event_name: return "invalid_event_name";
    case errc::invalid_placeholder: return "invalid_placeholder";
    case errc::unexpected_text_frame: return "unexpected_text_frame";
    case errc::unexpected_binary_frame: return "unexpected_binary_frame";
    case errc::attachment_too_large: return "attachment_too_large";
    case errc::packet_too_large: return "packet_too_large";
    case errc::invalid_msgpack: return "invalid_msgpack";
    case errc::trailing_data: return "trailing_data";
    case errc::needs_attachments: return "needs_attachments";
    case errc::queue_full: return "queue_full";
    case errc::unexpected_packet: return "unexpected_packet";
    case errc::invalid_state: return "invalid_state";
    case errc::out_of_memory: return "out_of_memory";
  }
  return "unknown";
}

/// A one-line English description of the error, for logs.
constexpr const char* message(errc e) noexcept {
  switch (e) {
    case errc::none: return "success";
    case errc::incomplete: return "more input is needed";
    case errc::output_too_small: return "output buffer too small";
    case errc::invalid_argument: return "value cannot be encoded";
    case errc::empty_packet: return "empty packet";
    case errc::unknown_packet_type: return "unknown packet type";
    case errc::invalid_base64: return "invalid base64";
    case errc::payload_too_large: return "payload larger than max_payload";
    case errc::too_many_packets: return "more packets in one payload than max_packets";
    case errc::invalid_length: return "malformed length field";
    case errc::truncated: return "input ends inside a packet";
    case errc::invalid_item_kind: return "binary payload item is neither string (0) nor binary (1)";
    case errc::invalid_utf8: return "invalid UTF-8";
    case errc::invalid_handshake: return "invalid handshake (open packet)";
    case errc::invalid_json: return "invalid JSON";
    case errc::invalid_json_string: return "invalid JSON string (control character or escape)";
    case errc::invalid_json_number: return "invalid JSON number";
    case errc::nesting_too_deep: return "JSON nested deeper than max_depth";
    case errc::invalid_attachment_count: return "invalid attachment count";
    case errc::too_many_attachments: return "more attachments than max_attachments";
    case errc::invalid_namespace: return "invalid namespace";
    case errc::invalid_ack_id: return "invalid ack id";
    case errc::ack_id_overflow: return "ack id out of range";
    case errc::invalid_payload: return "payload shape invalid for the packet type";
    case errc::reserved_event_name: return "reserved event name";
    case errc::invalid_event_name: return "event name is neither a string nor a number";
    case errc::invalid_placeholder: return "invalid binary placeholder";
    case errc::unexpected_text_frame: return "text frame while attachments are pending";
    case errc::unexpected_binary_frame: return "binary frame with no attachment expected";
    case errc::attachment_too_large: return "attachment larger than max_attachment_bytes";
    case errc::packet_too_large: return "packet larger than max_packet_bytes";
    case errc::invalid_msgpack: return "invalid msgpack";
    case errc::trailing_data: return "trailing data after a complete value";
    case errc::needs_attachments: return "binary packet header: its attachments need a decoder";
    case errc::queue_full: return "queue over its limit";
    case errc::unexpected_packet: return "packet not allowed in the session's state";
    case errc::invalid_state: return "call not allowed in the session's state";
    case errc::out_of_memory: return "the caller's memory resource has no room left";
  }
  return "unknown error";
}

SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_ERROR_HPP
