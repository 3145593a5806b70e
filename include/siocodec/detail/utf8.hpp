// SPDX-License-Identifier: BSL-1.0
// UTF-8 validation and UTF-16 length counting (Engine.IO v3 lengths are UTF-16 code units).
#ifndef SIOCODEC_DETAIL_UTF8_HPP
#define SIOCODEC_DETAIL_UTF8_HPP

#include <siocodec/config.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>

SIOCODEC_BEGIN_NAMESPACE
namespace detail {

/// Length of the UTF-8 sequence that starts at `p` (at most `end - p` bytes available), or 0 when
/// the sequence is invalid: a stray continuation byte, an overlong form, a surrogate (U+D800 to
/// U+DFFF), a value above U+10FFFF, or a sequence cut by `end`. The ranges are those of RFC 3629
/// §4, so no decoded value needs to be built.
inline std::size_t utf8_sequence_length(const unsigned char* p, const unsigned char* end) noexcept {
  const unsigned char c = p[0];
  if (c < 0x80) return 1;
  const auto avail = static_cast<std::size_t>(end - p);
  const auto cont = [](unsigned char b) { return (b & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return (avail >= 2 && cont(p[1])) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (avail < 3) return 0;
    const unsigned char lo = (c == 0xE0) ? 0xA0 : 0x80;  // E0: no overlongs
    const unsigned char hi = (c == 0xED) ? 0x9F : 0xBF;  // ED: no surrogates
    return (p[1] >= lo && p[1] <= hi && cont(p[2])) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (avail < 4) return 0;
    const unsigned char lo = (c == 0xF0) ? 0x90 : 0x80;  // F0: no overlongs
    const unsigned char hi = (c == 0xF4) ? 0x8F : 0xBF;  // F4: nothing above U+10FFFF
    return (p[1] >= lo && p[1] <= hi && cont(p[2]) && cont(p[3])) ? 4 : 0;
  }
  return 0;
}

/// Offset of the first byte of the first invalid UTF-8 sequence in [p, p + n), or n when all of
/// it is valid.
inline std::size_t utf8_find_invalid(const char* data, std::size_t n) noexcept {
  const auto* begin = reinterpret_cast<const unsigned char*>(data);
  const unsigned char* p = begin;
  const unsigned char* const end = begin + n;
  while (p != end) {
    // ASCII runs dominate real traffic: skip eight bytes at a time while no high bit is set.
    while (end - p >= 8) {
      std::uint64_t word;
      std::memcpy(&word, p, 8);
      if ((word & 0x8080808080808080ull) != 0) break;
      p += 8;
    }
    if (p == end) break;
    if (*p < 0x80) {
      ++p;
      continue;
    }
    const std::size_t len = utf8_sequence_length(p, end);
    if (len == 0) return static_cast<std::size_t>(p - begin);
    p += len;
  }
  return n;
}

/// JavaScript's `.length` of the string that valid UTF-8 [data, data + n) decodes to: one unit per
/// code point up to U+FFFF, two (a surrogate pair) above. Precondition: the input is valid UTF-8.
inline std::size_t utf16_length(const char* data, std::size_t n) noexcept {
  // Every byte that is not a continuation byte starts a code point; 4-byte leads add a second unit.
  std::size_t units = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(data[i]);
    units += static_cast<std::size_t>((c & 0xC0) != 0x80) + static_cast<std::size_t>(c >= 0xF0);
  }
  return units;
}

/// Length of what U+FFFD replaces at `p` when utf8_sequence_length(p, end) is 0: the maximal
/// subpart of a well-formed sequence (WHATWG Encoding "UTF-8 decode", Unicode §3.9 U+FFFD
/// substitution), which is how Node's TextDecoder and Buffer#toString decode. At least 1, at most
/// 3 bytes: a lead byte followed by the continuation bytes that are still allowed after it.
/// Precondition: p != end.
inline std::size_t utf8_invalid_length(const unsigned char* p, const unsigned char* end) noexcept {
  const unsigned char c = p[0];
  std::size_t need = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    need = 1;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 2;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 3;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  }
  std::size_t k = 1;
  while (k <= need && p + k != end && p[k] >= lo && p[k] <= hi) {
    ++k;
    lo = 0x80;
    hi = 0xBF;
  }
  return k;
}

/// Calls valid(ptr, len) for each run of valid UTF-8 and invalid() for each maximal subpart that
/// lossy decoding replaces by U+FFFD, in order.
template <class Valid, class Invalid>
void utf8_for_each_lossy(const char* data, std::size_t n, Valid&& valid,
                         Invalid&& invalid) noexcept {
  const auto* begin = reinterpret_cast<const unsigned char*>(data);
  const unsigned char* const end = begin + n;
  const unsigned char* p = begin;
  const unsigned char* run = begin;
  while (p != end) {
    const std::size_t bad =
        utf8_find_invalid(reinterpret_cast<const char*>(p), static_cast<std::size_t>(end - p));
    p += bad;
    if (p == end) break;
    if (p != run) valid(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p - run));
    invalid();
    p += utf8_invalid_length(p, end);
    run = p;
  }
  if (run != end) valid(reinterpret_cast<const char*>(run), static_cast<std::size_t>(end - run));
}

/// JavaScript's `.length` of the string Node's lossy decoding makes of [data, data + n): as
/// utf16_length, plus one unit per replaced part.
inline std::size_t utf16_length_lossy(const char* data, std::size_t n) noexcept {
  std::size_t units = 0;
  utf8_for_each_lossy(
      data, n, [&units](const char* s, std::size_t k) { units += utf16_length(s, k); },
      [&units] { ++units; });
  return units;
}

/// Number of UTF-8 bytes that encode code point `cp` (1 to 4). Precondition: cp <= 0x10FFFF.
constexpr std::size_t utf8_encoded_length(std::uint32_t cp) noexcept {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/// Writes the UTF-8 form of `cp` to `out` (room for utf8_encoded_length(cp) bytes) and returns
/// the number of bytes written. Precondition: cp <= 0x10FFFF. Surrogate values are encoded as
/// their 3-byte form (WTF-8); callers that need valid UTF-8 replace them first.
inline std::size_t utf8_encode(std::uint32_t cp, char* out) noexcept {
  const auto b = [](std::uint32_t v) { return static_cast<char>(static_cast<unsigned char>(v)); };
  if (cp < 0x80) {
    out[0] = b(cp);
    return 1;
  }
  if (cp < 0x800) {
    out[0] = b(0xC0 | (cp >> 6));
    out[1] = b(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = b(0xE0 | (cp >> 12));
    out[1] = b(0x80 | ((cp >> 6) & 0x3F));
    out[2] = b(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = b(0xF0 | (cp >> 18));
  out[1] = b(0x80 | ((cp >> 12) & 0x3F));
  out[2] = b(0x80 | ((cp >> 6) & 0x3F));
  out[3] = b(0x80 | (cp & 0x3F));
  return 4;
}

}  // namespace detail
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_DETAIL_UTF8_HPP
