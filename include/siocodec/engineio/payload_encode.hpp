// SPDX-License-Identifier: BSL-1.0
// Writing an HTTP long-polling body for several Engine.IO packets, in every format.
#ifndef SIOCODEC_ENGINEIO_PAYLOAD_ENCODE_HPP
#define SIOCODEC_ENGINEIO_PAYLOAD_ENCODE_HPP

#include <siocodec/base64.hpp>
#include <siocodec/config.hpp>
#include <siocodec/detail/utf8.hpp>
#include <siocodec/engineio/encode.hpp>
#include <siocodec/engineio/packet.hpp>
#include <siocodec/error.hpp>
#include <siocodec/result.hpp>
#include <siocodec/sink.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>

SIOCODEC_BEGIN_NAMESPACE
namespace engineio {

/// Exact size of the body encode_payload() writes for `packets`.
/// - v4: the packets' text forms joined by 0x1E; binary packets as `b<base64>`. No packets give
///   an empty body (the reference never calls its callback then).
/// - v3 text (no binary packet, or opts.supports_binary false): each packet as `<len>:<packet>`,
///   len in UTF-16 code units, binary packets as `b<digit><base64>`; no packets give `0:`.
/// - v3 binary (opts.supports_binary and some packet is binary): the binary payload format.
///
/// Errors: invalid_argument (a packet encode() rejects, or v4 text containing the 0x1E separator,
/// which the reference would send and so split the packet), invalid_utf8 (v3 text data that is not
/// UTF-8, whose UTF-16 length is undefined).
result<std::size_t> encoded_payload_size(const packet_view* packets, std::size_t n,
                                         const encode_options& opts = {}) noexcept;

/// Writes the body for `packets` into `out` (at most `cap` bytes). @return bytes written.
/// Errors: those of encoded_payload_size, and output_too_small (nothing written).
result<std::size_t> encode_payload_to(char* out, std::size_t cap, const packet_view* packets,
                                      std::size_t n, const encode_options& opts = {}) noexcept;

/// Appends the body for `packets` to `out` (one resize). Errors: those of encoded_payload_size.
template <class Container>
result<std::size_t> encode_payload(const packet_view* packets, std::size_t n, Container& out,
                                   const encode_options& opts = {});

/// The frame kind of the body encode_payload() writes: binary only for v3 with supports_binary
/// and at least one binary packet (send it as application/octet-stream), text otherwise.
frame_kind payload_frame_kind(const packet_view* packets, std::size_t n,
                              const encode_options& opts = {}) noexcept;

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

template <class W>
errc emit_v4_payload(W& w, const packet_view* packets, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) {
    const packet_view& p = packets[i];
    if (i != 0) w.put('\x1e');
    if (W::counting && p.kind == data_kind::text && !p.data.empty() &&
        std::memchr(p.data.data(), 0x1E, p.data.size()) != nullptr) {
      return errc::invalid_argument;
    }
    const errc e = emit_text_packet(w, p, protocol_version::v4);
    if (e != errc::none) return e;
  }
  return errc::none;
}

template <class W>
void emit_decimal(W& w, std::uint64_t v, bool digit_bytes) noexcept {
  char buf[20];
  std::size_t k = 0;
  do {
    const auto d = static_cast<char>(v % 10);
    buf[k++] = digit_bytes ? d : static_cast<char>('0' + d);
    v /= 10;
  } while (v != 0);
  while (k != 0) w.put(buf[--k]);
}

template <class W>
errc emit_v3_text_payload(W& w, const packet_view* packets, std::size_t n) noexcept {
  if (n == 0) {
    w.append("0:", 2);
    return errc::none;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const packet_view& p = packets[i];
    // All framing characters are ASCII: the packet's UTF-16 length is its text form's length
    // with the data counted in UTF-16 units.
    ::SIOCODEC_NAMESPACE::detail::size_counter text;
    const errc e = emit_text_packet(text, p, protocol_version::v3);
    if (e != errc::none) return e;
    std::size_t units = text.n;
    if (p.kind == data_kind::text) {
      if (W::counting && ::SIOCODEC_NAMESPACE::detail::utf8_find_invalid(
                             p.data.data(), p.data.size()) != p.data.size()) {
        return errc::invalid_utf8;
      }
      units = 1 + ::SIOCODEC_NAMESPACE::detail::utf16_length(p.data.data(), p.data.size());
    }
    emit_decimal(w, units, false);
    w.put(':');
    (void)emit_text_packet(w, p, protocol_version::v3);
  }
  return errc::none;
}

template <class W>
errc emit_v3_binary_payload(W& w, const packet_view* packets, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) {
    const packet_view& p = packets[i];
    if (!is_valid(p.type)) return errc::invalid_argument;
    if (p.kind == data_kind::binary) {
      w.put('\x01');
      emit_decimal(w, std::uint64_t{1} + p.data.size(), true);
      w.put('\xff');
      w.put(static_cast<char>(p.type));
      w.append(p.data.data(), p.data.size());
      continue;
    }
    if (W::counting && p.kind == data_kind::text &&
        ::SIOCODEC_NAMESPACE::detail::utf8_find_invalid(p.data.data(), p.data.size()) !=
            p.data.size()) {
      return errc::invalid_utf8;
    }
    ::SIOCODEC_NAMESPACE::detail::size_counter text;
    const errc e = emit_text_packet(text, p, protocol_version::v3);
    if (e != errc::none) return e;
    w.put('\x00');
    emit_decimal(w, text.n, true);
    w.put('\xff');
    (void)emit_text_packet(w, p, protocol_version::v3);
  }
  return errc::none;
}

template <class W>
errc emit_payload(W& w, const packet_view* packets, std::size_t n,
                  const encode_options& opts) noexcept {
  if (opts.version == protocol_version::v4) return emit_v4_payload(w, packets, n);
  if (payload_frame_kind(packets, n, opts) == frame_kind::binary) {
    return emit_v3_binary_payload(w, packets, n);
  }
  return emit_v3_text_payload(w, packets, n);
}

}  // namespace detail

inline frame_kind payload_frame_kind(const packet_view* packets, std::size_t n,
                                     const encode_options& opts) noexcept {
  if (opts.version != protocol_version::v3 || !opts.supports_binary) return frame_kind::text;
  for (std::size_t i = 0; i < n; ++i) {
    if (packets[i].kind == data_kind::binary) return frame_kind::binary;
  }
  return frame_kind::text;
}

inline result<std::size_t> encoded_payload_size(const packet_view* packets, std::size_t n,
                                                const encode_options& opts) noexcept {
  return ::SIOCODEC_NAMESPACE::detail::measure(
      [&](auto& w) { return detail::emit_payload(w, packets, n, opts); });
}

inline result<std::size_t> encode_payload_to(char* out, std::size_t cap, const packet_view* packets,
                                             std::size_t n, const encode_options& opts) noexcept {
  return ::SIOCODEC_NAMESPACE::detail::write_bounded(
      out, cap, [&](auto& w) { return detail::emit_payload(w, packets, n, opts); });
}

template <class Container>
result<std::size_t> encode_payload(const packet_view* packets, std::size_t n, Container& out,
                                   const encode_options& opts) {
  return ::SIOCODEC_NAMESPACE::detail::write_append(
      out, [&](auto& w) { return detail::emit_payload(w, packets, n, opts); });
}

}  // namespace engineio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_ENGINEIO_PAYLOAD_ENCODE_HPP
