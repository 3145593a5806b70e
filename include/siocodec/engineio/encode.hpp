// SPDX-License-Identifier: BSL-1.0
// Encoding one Engine.IO packet as one transport frame.
#ifndef SIOCODEC_ENGINEIO_ENCODE_HPP
#define SIOCODEC_ENGINEIO_ENCODE_HPP

#include <siocodec/base64.hpp>
#include <siocodec/config.hpp>
#include <siocodec/engineio/packet.hpp>
#include <siocodec/error.hpp>
#include <siocodec/result.hpp>
#include <siocodec/sink.hpp>

#include <cstddef>
#include <cstdint>

SIOCODEC_BEGIN_NAMESPACE
namespace engineio {

/// The kind of frame encode() produces for `p`: binary for a binary packet when the transport
/// supports binary, text otherwise (text packets, and `b` base64 forms).
constexpr frame_kind encoded_frame_kind(const packet_view& p,
                                        const encode_options& opts = {}) noexcept {
  return (p.kind == data_kind::binary && opts.supports_binary) ? frame_kind::binary
                                                               : frame_kind::text;
}

/// Exact size of the frame encode() writes for `p`:
/// - text packet: `<digit><data>` (v3 and v4);
/// - binary packet, binary transport: v4 the raw bytes (no type: a v4 binary frame is a message);
///   v3 one raw type byte then the bytes;
/// - binary packet, text-only transport (opts.supports_binary false): v4 `b<base64>`,
///   v3 `b<digit><base64>`;
/// - base64 packet (data already base64): written as its `b` form, always text.
///
/// Errors: invalid_argument when the packet cannot be represented: a type outside 0-6, a v4
/// binary or base64 packet whose type is not message (the reference silently sends it as a
/// message), base64 data that strict base64 rejects, or a size that overflows std::size_t.
result<std::size_t> encoded_size(const packet_view& p, const encode_options& opts = {}) noexcept;

/// Writes the frame for `p` into `out` (at most `cap` bytes). @return bytes written.
/// Errors: those of encoded_size, and output_too_small (nothing written).
result<std::size_t> encode_to(char* out, std::size_t cap, const packet_view& p,
                              const encode_options& opts = {}) noexcept;

/// encode_to into a fixed array.
template <std::size_t N>
result<std::size_t> encode_to(char (&out)[N], const packet_view& p,
                              const encode_options& opts = {}) noexcept {
  return encode_to(out, N, p, opts);
}

/// Appends the frame for `p` to `out` (one resize). Errors: those of encoded_size.
template <class Container>
result<std::size_t> encode(const packet_view& p, Container& out, const encode_options& opts = {});

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

inline char type_digit(packet_type t) noexcept {
  return static_cast<char>('0' + static_cast<std::uint8_t>(t));
}

// Checks that `p` has a text (`b`-less or `b`) form and writes it: shared by frames, polling
// bodies and WebTransport records. `binary_as_base64` turns binary data into `b` forms.
template <class W>
errc emit_text_packet(W& w, const packet_view& p, protocol_version v) noexcept {
  if (!is_valid(p.type)) return errc::invalid_argument;
  if (p.kind == data_kind::text) {
    w.put(type_digit(p.type));
    w.append(p.data.data(), p.data.size());
    return errc::none;
  }
  if (v == protocol_version::v4 && p.type != packet_type::message) return errc::invalid_argument;
  w.put('b');
  if (v == protocol_version::v3) w.put(type_digit(p.type));
  if (p.kind == data_kind::base64) {
    if (!base64::decoded_size(p.data, base64::mode::strict)) return errc::invalid_argument;
    w.append(p.data.data(), p.data.size());
    return errc::none;
  }
  if (p.data.size() > base64::max_encodable) return errc::invalid_argument;
  base64::detail::emit(w, p.bytes());
  return errc::none;
}

template <class W>
errc emit_frame(W& w, const packet_view& p, const encode_options& opts) noexcept {
  if (encoded_frame_kind(p, opts) == frame_kind::text) return emit_text_packet(w, p, opts.version);
  if (!is_valid(p.type)) return errc::invalid_argument;
  if (opts.version == protocol_version::v4) {
    if (p.type != packet_type::message) return errc::invalid_argument;
  } else {
    w.put(static_cast<char>(p.type));
  }
  w.append(p.data.data(), p.data.size());
  return errc::none;
}

}  // namespace detail

inline result<std::size_t> encoded_size(const packet_view& p, const encode_options& opts) noexcept {
  return ::SIOCODEC_NAMESPACE::detail::measure(
      [&](auto& w) { return detail::emit_frame(w, p, opts); });
}

inline result<std::size_t> encode_to(char* out, std::size_t cap, const packet_view& p,
                                     const encode_options& opts) noexcept {
  return ::SIOCODEC_NAMESPACE::detail::write_bounded(
      out, cap, [&](auto& w) { return detail::emit_frame(w, p, opts); });
}

template <class Container>
result<std::size_t> encode(const packet_view& p, Container& out, const encode_options& opts) {
  return ::SIOCODEC_NAMESPACE::detail::write_append(
      out, [&](auto& w) { return detail::emit_frame(w, p, opts); });
}

}  // namespace engineio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_ENGINEIO_ENCODE_HPP
