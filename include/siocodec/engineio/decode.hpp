// SPDX-License-Identifier: BSL-1.0
// Decoding one Engine.IO packet from one transport frame (WebSocket message, WebTransport record).
#ifndef SIOCODEC_ENGINEIO_DECODE_HPP
#define SIOCODEC_ENGINEIO_DECODE_HPP

#include <siocodec/base64.hpp>
#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/detail/view.hpp>
#include <siocodec/engineio/packet.hpp>
#include <siocodec/error.hpp>
#include <siocodec/result.hpp>

#include <cstddef>
#include <string_view>

SIOCODEC_BEGIN_NAMESPACE
namespace engineio {

/// Decodes one Engine.IO packet from one whole frame. Zero-copy: the view's data points into
/// `frame`.
///
/// The caller says what the transport delivered (`kind`); nothing is guessed from the bytes.
/// - Text frame: `<digit 0-6><data>` gives {type, data_kind::text, data}. `b<base64>` (v4) or
///   `b<digit><base64>` (v3) gives {message or the digit's type, data_kind::base64, base64 text};
///   the base64 is validated in `opts.base64` mode but not decoded (base64::decode_to does that).
/// - Binary frame, v4: always a message whose data is the whole frame (possibly empty).
/// - Binary frame, v3: the first byte is the raw packet type (0x04 for message), the rest is data.
///
/// The text data is not checked for UTF-8: WebSocket stacks validate text frames, and the layer
/// above (Socket.IO's JSON scanner) validates what it reads.
///
/// Errors:
/// - payload_too_large: frame.size() > opts.max_payload (offset max_payload).
/// - empty_packet: an empty text frame, or an empty v3 binary frame (offset 0).
/// - unknown_packet_type: the type digit or byte is not 0-6, including a v3 `b` form whose type
///   digit is missing or not 0-6, which the reference decodes to an undefined type (offset of the
///   type).
/// - invalid_base64: the base64 text of a `b` packet is rejected in opts.base64 mode (offset of
///   the offending character in `frame`).
///
/// Complexity: O(1), plus O(n) validation of base64 packets.
result<packet_view> decode(std::string_view frame, frame_kind kind,
                           const decode_options& opts = {}) noexcept;

/// The same for a frame given as bytes.
result<packet_view> decode(byte_view frame, frame_kind kind,
                           const decode_options& opts = {}) noexcept;

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

constexpr bool is_type_digit(char c) noexcept { return c >= '0' && c <= '6'; }

// The `b` forms of decode_text_packet (base64 data), kept out of line.
inline result<packet_view> decode_base64_packet(std::string_view text, const decode_options& opts,
                                                std::size_t base) noexcept {
  packet_type type = packet_type::message;
  std::size_t skip = 1;
  if (opts.version == protocol_version::v3) {
    if (text.size() < 2 || !is_type_digit(text[1])) return {errc::unknown_packet_type, base + 1};
    type = static_cast<packet_type>(text[1] - '0');
    skip = 2;
  }
  const std::string_view b64 = ::SIOCODEC_NAMESPACE::detail::subview(text, skip);
  const auto checked = base64::decoded_size(b64, opts.base64);
  if (!checked) return {errc::invalid_base64, base + skip + checked.offset()};
  return {packet_view{type, data_kind::base64, b64}, base + text.size()};
}

// Decodes the text form of one packet; `base` is the offset of `text` in the caller's input so
// that errors point into it. Shared by frames, polling bodies and WebTransport records, and
// inlined into each: the common `<digit><data>` case is a few instructions.
SIOCODEC_ALWAYS_INLINE result<packet_view> decode_text_packet(std::string_view text,
                                                              const decode_options& opts,
                                                              std::size_t base) noexcept {
  if (text.empty()) return {errc::empty_packet, base};
  const char c = text[0];
  if (is_type_digit(c)) {
    return {packet_view::text(static_cast<packet_type>(c - '0'),
                              ::SIOCODEC_NAMESPACE::detail::subview(text, 1)),
            base + text.size()};
  }
  if (c == 'b') return decode_base64_packet(text, opts, base);
  return {errc::unknown_packet_type, base};
}

inline result<packet_view> decode_binary_packet(std::string_view frame,
                                                const decode_options& opts) noexcept {
  if (opts.version == protocol_version::v4) {
    return {packet_view{packet_type::message, data_kind::binary, frame}, frame.size()};
  }
  if (frame.empty()) return {errc::empty_packet, 0};
  const auto type = static_cast<unsigned char>(frame[0]);
  if (type > 6) return {errc::unknown_packet_type, 0};
  return {packet_view{static_cast<packet_type>(type), data_kind::binary,
                      ::SIOCODEC_NAMESPACE::detail::subview(frame, 1)},
          frame.size()};
}

}  // namespace detail

inline result<packet_view> decode(std::string_view frame, frame_kind kind,
                                  const decode_options& opts) noexcept {
  if (frame.size() > opts.max_payload) return {errc::payload_too_large, opts.max_payload};
  if (kind == frame_kind::binary) return detail::decode_binary_packet(frame, opts);
  return detail::decode_text_packet(frame, opts, 0);
}

inline result<packet_view> decode(byte_view frame, frame_kind kind,
                                  const decode_options& opts) noexcept {
  return decode(frame.as_chars(), kind, opts);
}

}  // namespace engineio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_ENGINEIO_DECODE_HPP
