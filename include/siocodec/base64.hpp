// SPDX-License-Identifier: BSL-1.0
// Base64 (RFC 4648 §4) as Engine.IO uses it: `b`-prefixed binary packets in polling bodies.
#ifndef SIOCODEC_BASE64_HPP
#define SIOCODEC_BASE64_HPP

#include <siocodec/base64/codec.hpp>
#include <siocodec/base64/kernel.hpp>
#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/error.hpp>
#include <siocodec/result.hpp>
#include <siocodec/sink.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

SIOCODEC_BEGIN_NAMESPACE
namespace base64 {

/// How strictly decoding checks its input.
enum class mode : std::uint8_t {
  /// RFC 4648 §4 exactly: the standard alphabet, '=' padding to a multiple of 4 characters,
  /// nothing else (no whitespace), and zero bits in the unused part of the last group. Every
  /// encoder in the Socket.IO ecosystem writes this form.
  strict,
  /// Accepts what Node's `Buffer.from(text, "base64")` accepts, byte for byte: the URL-safe
  /// alphabet too, missing padding, and characters outside the alphabet skipped. The reference
  /// server decodes `b` packets this way, from the JavaScript string that UTF-8 decoding the HTTP
  /// body gave; lax mode therefore reads `text` as UTF-8 and produces exactly the bytes the
  /// reference produces for the same body. Never fails on the text. The rules (Node 20):
  /// - each character stands for the low 8 bits of its UTF-16 code unit(s): U+0141 'Ł' counts as
  ///   'A', U+013D as '=', and a character above U+FFFF as the low bytes of its two surrogates
  ///   (U+1F600 is D83D DE00, so it counts as '=' and then NUL). A byte sequence that is not
  ///   valid UTF-8 decodes to U+FFFD in the reference (low byte 0xFD) and is therefore skipped;
  /// - 'A'-'Z', 'a'-'z', '0'-'9' and both '+' '/' and '-' '_' (for 62 and 63) are digits; the two
  ///   alphabets may be mixed freely;
  /// - the first '=' ends the data: everything after it is ignored, however much base64 follows;
  /// - every other character (whitespace, NUL, '.', bytes from 0x80 up after truncation...) is
  ///   skipped;
  /// - the digits are read as one bit string, 8 bits per output byte; the 0 to 6 bits left at the
  ///   end are dropped whatever their value, so a single digit left over yields nothing, and
  ///   padding is never required.
  lax,
};

// encoded_size(), max_encodable and max_decoded_size() are in base64/codec.hpp; the kernel
// choice (kernel, set_kernel()...) in base64/kernel.hpp.

/// Encodes `in` into exactly encoded_size(in.size()) bytes at `out` (standard alphabet, padded).
/// @return bytes written.
/// Errors: output_too_small (cap < encoded_size, nothing written), invalid_argument (input too
/// large for its encoding to be addressable).
result<std::size_t> encode_to(char* out, std::size_t cap, byte_view in) noexcept;

/// Appends the encoding of `in` to `out` (one resize).
/// Errors: invalid_argument (input too large).
template <class Container>
result<std::size_t> encode(byte_view in, Container& out);

/// Exact number of bytes `text` decodes to, after validating it in mode `m`.
/// @return on success, the decoded size, with offset() == text.size().
/// Errors: invalid_base64 (strict mode only), with the offset of the first offending character:
/// a character outside the alphabet (including '=' anywhere but the last two places), or the last
/// digit before the padding when its unused bits are not zero; text.size() when the length is
/// not a multiple of 4.
/// Complexity: one pass over `text`.
result<std::size_t> decoded_size(std::string_view text, mode m = mode::strict) noexcept;

/// Decodes `text` into `out`. @return bytes written (offset() == text.size()).
/// Errors: invalid_base64 (as decoded_size; part of `out` may have been written),
/// output_too_small (out.size() < decoded_size, offset() == out.size(); nothing written).
/// invalid_base64 takes precedence when both apply.
/// Complexity: strict: one pass; lax: one pass when out.size() >= max_decoded_size(text.size()),
/// else two.
result<std::size_t> decode_to(std::string_view text, byte_span out, mode m = mode::strict) noexcept;

/// Appends the bytes `text` decodes to to `out` (one resize). On failure `out` keeps its original
/// size and contents (a strict-mode error found after the resize shrinks `out` back, which
/// allocates nothing).
/// Errors: invalid_base64 (as decoded_size).
/// Complexity: strict: one pass; lax: two (measure, then decode into the resized container).
template <class Container>
result<std::size_t> decode(std::string_view text, Container& out, mode m = mode::strict);

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

inline result<std::size_t> encode_to(char* out, std::size_t cap, byte_view in) noexcept {
  if (in.size() > max_encodable) return {errc::invalid_argument, 0};
  return ::SIOCODEC_NAMESPACE::detail::write_bounded(out, cap, [&](auto& w) {
    detail::emit(w, in);
    return errc::none;
  });
}

template <class Container>
result<std::size_t> encode(byte_view in, Container& out) {
  if (in.size() > max_encodable) return {errc::invalid_argument, 0};
  return ::SIOCODEC_NAMESPACE::detail::write_append(out, [&](auto& w) {
    detail::emit(w, in);
    return errc::none;
  });
}

inline result<std::size_t> decoded_size(std::string_view text, mode m) noexcept {
  if (m == mode::strict) return detail::strict_size(text);
  return {detail::lax_run(text, nullptr), text.size()};
}

inline result<std::size_t> decode_to(std::string_view text, byte_span out, mode m) noexcept {
  const std::size_t n = text.size();
  if (m == mode::lax) {
    if (out.size() < detail::lax_bound(n)) {
      const std::size_t size = detail::lax_run(text, nullptr);
      if (size > out.size()) return {errc::output_too_small, out.size()};
    }
    return {detail::lax_run(text, out.data()), n};
  }
  if (n % 4 != 0) return {errc::invalid_base64, n};
  if (n == 0) return {std::size_t{0}, 0};
  // The size follows from the length and the padding alone, so one pass both checks and decodes.
  const std::size_t pad = detail::strict_padding(text.data(), n);
  const std::size_t size = n / 4 * 3 - pad;
  if (size > out.size()) {
    auto valid = detail::strict_size(text);
    if (!valid) return valid;
    return {errc::output_too_small, out.size()};
  }
  return detail::strict_decode_into(text, pad, size, out.data());
}

template <class Container>
result<std::size_t> decode(std::string_view text, Container& out, mode m) {
  static_assert(is_resizable_buffer<Container>::value,
                "decode() needs a resizable container of one-byte elements");
  const std::size_t n = text.size();
  const std::size_t old = out.size();
  if (m == mode::lax) {
    const std::size_t size = detail::lax_run(text, nullptr);
    out.resize(old + size);  // the one allocation
    (void)detail::lax_run(text, reinterpret_cast<unsigned char*>(out.data()) + old);
    return {size, n};
  }
  if (n % 4 != 0) return {errc::invalid_base64, n};
  if (n == 0) return {std::size_t{0}, 0};
  const std::size_t pad = detail::strict_padding(text.data(), n);
  const std::size_t size = n / 4 * 3 - pad;
  out.resize(old + size);  // the one allocation
  auto r = detail::strict_decode_into(text, pad, size,
                                      reinterpret_cast<unsigned char*>(out.data()) + old);
  if (!r) out.resize(old);  // shrinking: no allocation, the caller's bytes stay as they were
  return r;
}

}  // namespace base64
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_BASE64_HPP
