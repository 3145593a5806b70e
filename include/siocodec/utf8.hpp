// SPDX-License-Identifier: BSL-1.0
// UTF-8 checks and the lossy (U+FFFD) form of text that is not UTF-8, as Node decodes it.
#ifndef SIOCODEC_UTF8_HPP
#define SIOCODEC_UTF8_HPP

#include <siocodec/config.hpp>
#include <siocodec/detail/utf8.hpp>
#include <siocodec/error.hpp>
#include <siocodec/result.hpp>
#include <siocodec/sink.hpp>

#include <cstddef>
#include <string_view>

SIOCODEC_BEGIN_NAMESPACE
namespace utf8 {

/// True when `text` is UTF-8 (RFC 3629: no overlong forms, no encoded surrogates, nothing above
/// U+10FFFF, no cut sequences).
bool is_valid(std::string_view text) noexcept;

/// Offset of the first byte of the first invalid sequence in `text`, or text.size().
std::size_t find_invalid(std::string_view text) noexcept;

/// Exact size of lossy(text): the UTF-8 of the string Node makes of the bytes `text` with
/// `Buffer#toString("utf8")` or `new TextDecoder()` (WHATWG Encoding "UTF-8 decode": every
/// maximal subpart of an invalid sequence becomes one U+FFFD, three bytes `EF BF BD`). Equal to
/// text.size() when is_valid(text).
///
/// Decoders that accept invalid UTF-8 (decode_options::allow_invalid_utf8) hand out views of the
/// bytes as received and set a flag on the packet; these functions give the string the reference
/// would have seen. Complexity: one pass.
std::size_t lossy_size(std::string_view text) noexcept;

/// Writes lossy(text) to `out` (at most `cap` bytes). @return bytes written.
/// Errors: output_too_small (offset cap; nothing meaningful written).
result<std::size_t> lossy_to(char* out, std::size_t cap, std::string_view text) noexcept;

/// Appends lossy(text) to `out` (any resizable container of one-byte elements; one resize).
/// @return bytes appended. No errors.
template <class Container>
result<std::size_t> lossy(std::string_view text, Container& out);

/// JavaScript's `.length` (UTF-16 code units) of the string lossy decoding gives: one unit per
/// code point up to U+FFFF and per U+FFFD, two above U+FFFF.
std::size_t lossy_utf16_length(std::string_view text) noexcept;

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

template <class W>
errc emit_lossy(W& w, std::string_view text) noexcept {
  ::SIOCODEC_NAMESPACE::detail::utf8_for_each_lossy(
      text.data(), text.size(), [&w](const char* s, std::size_t k) { w.append(s, k); },
      [&w] { w.append("\xEF\xBF\xBD", 3); });
  return errc::none;
}

}  // namespace detail

inline bool is_valid(std::string_view text) noexcept {
  return ::SIOCODEC_NAMESPACE::detail::utf8_find_invalid(text.data(), text.size()) == text.size();
}

inline std::size_t find_invalid(std::string_view text) noexcept {
  return ::SIOCODEC_NAMESPACE::detail::utf8_find_invalid(text.data(), text.size());
}

inline std::size_t lossy_size(std::string_view text) noexcept {
  ::SIOCODEC_NAMESPACE::detail::size_counter c;
  (void)detail::emit_lossy(c, text);
  return c.n;
}

inline result<std::size_t> lossy_to(char* out, std::size_t cap, std::string_view text) noexcept {
  return ::SIOCODEC_NAMESPACE::detail::write_bounded(
      out, cap, [&](auto& w) { return detail::emit_lossy(w, text); });
}

template <class Container>
result<std::size_t> lossy(std::string_view text, Container& out) {
  return ::SIOCODEC_NAMESPACE::detail::write_append(
      out, [&](auto& w) { return detail::emit_lossy(w, text); });
}

inline std::size_t lossy_utf16_length(std::string_view text) noexcept {
  return ::SIOCODEC_NAMESPACE::detail::utf16_length_lossy(text.data(), text.size());
}

}  // namespace utf8
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_UTF8_HPP
