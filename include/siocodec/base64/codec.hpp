// SPDX-License-Identifier: BSL-1.0
// The base64 codec under the public calls of base64.hpp: sizes, tables and the group loops
// around the block kernels (strict RFC 4648 decoding, Node's lax decoding, encoding).
#ifndef SIOCODEC_BASE64_CODEC_HPP
#define SIOCODEC_BASE64_CODEC_HPP

#include <siocodec/base64/kernel.hpp>
#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/detail/utf8.hpp>
#include <siocodec/error.hpp>
#include <siocodec/result.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

SIOCODEC_BEGIN_NAMESPACE
namespace base64 {

/// Exact length of the base64 text for `n` bytes: 4 * ceil(n / 3).
/// Precondition: n <= max_encodable (checked by the encoders below).
constexpr std::size_t encoded_size(std::size_t n) noexcept { return (n + 2) / 3 * 4; }

/// Largest byte count whose encoding length fits in std::size_t.
constexpr std::size_t max_encodable = (static_cast<std::size_t>(-1) / 4) * 3;

/// An upper bound of the decoded size of `text_size` characters of base64, in any mode.
constexpr std::size_t max_decoded_size(std::size_t text_size) noexcept {
  return text_size / 4 * 3 + (text_size % 4 == 0 ? 0 : 3);
}

namespace detail {

constexpr char encode_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// 0-63: value; 64: not in the alphabet. The URL-safe characters map in lax mode only.
constexpr std::uint8_t decode_value(unsigned char c, bool url_safe) noexcept {
  return (c >= 'A' && c <= 'Z')   ? static_cast<std::uint8_t>(c - 'A')
         : (c >= 'a' && c <= 'z') ? static_cast<std::uint8_t>(c - 'a' + 26)
         : (c >= '0' && c <= '9') ? static_cast<std::uint8_t>(c - '0' + 52)
         : c == '+'               ? 62
         : c == '/'               ? 63
         : (url_safe && c == '-') ? 62
         : (url_safe && c == '_') ? 63
                                  : 64;
}

// Per-character classes for the character-at-a-time paths. Entries that are not digits all
// have bit 7 set.
constexpr std::uint8_t not_digit = 0x80;
constexpr std::uint8_t lax_skip = 0xFF;       // lax: ignored ASCII
constexpr std::uint8_t lax_stop = 0xFE;       // lax: '=' ends the data
constexpr std::uint8_t lax_non_ascii = 0xFD;  // lax: first byte of a UTF-8 sequence (or junk)
constexpr std::uint8_t strict_invalid = 0xFF;

struct decode_table {
  std::uint8_t v[256];
};

constexpr std::uint8_t decode_class(unsigned char c, bool lax) noexcept {
  const std::uint8_t d = decode_value(c, lax);
  return d < 64     ? d
         : !lax     ? strict_invalid
         : c == '=' ? lax_stop
         : c < 0x80 ? lax_skip
                    : lax_non_ascii;
}

constexpr decode_table make_decode_table(bool lax) noexcept {
  decode_table t{};
  for (unsigned c = 0; c < 256; ++c) t.v[c] = decode_class(static_cast<unsigned char>(c), lax);
  return t;
}

// The block kernels' tables: one per place in a group, each digit's value already shifted into
// place, so a group is four loads OR-ed together and one test of a flag bit (the layout of
// Galbreath's modp_b64). Flags sit above the 24 data bits: strict_bad on everything outside the
// standard alphabet, lax_bad on everything outside both alphabets. 4 KiB in all.
constexpr std::uint32_t lax_bad = 1u << 24;
constexpr std::uint32_t strict_bad = 1u << 25;

constexpr std::uint32_t block_entry(unsigned place, unsigned char c) noexcept {
  const std::uint8_t d = decode_value(c, true);
  const bool standard = decode_value(c, false) < 64;
  return d < 64 ? (std::uint32_t{d} << (18 - 6 * place)) | (standard ? 0 : strict_bad)
                : lax_bad | strict_bad;
}

#if SIOCODEC_SIZE_FIRST
// Size first (config.hpp): the same entries computed per character instead of 4.75 KiB of
// tables; `strict_table.v[c]` and `decode_blocks.d[place][c]` read the same in both builds.
struct computed_classes {
  bool lax;
  // Indexed as the table is, by a byte value in any unsigned type (< 256).
  std::uint8_t operator[](unsigned c) const noexcept {
    return decode_class(static_cast<unsigned char>(c), lax);
  }
};
struct computed_decode_table {
  computed_classes v;
};
inline constexpr computed_decode_table strict_table{{false}};
inline constexpr computed_decode_table lax_table{{true}};

struct computed_block_row {
  unsigned place;
  std::uint32_t operator[](unsigned c) const noexcept {
    return block_entry(place, static_cast<unsigned char>(c));
  }
};
struct computed_block_rows {
  computed_block_row operator[](unsigned place) const noexcept { return {place}; }
};
struct computed_block_tables {
  computed_block_rows d;
};
inline constexpr computed_block_tables decode_blocks{};
#else
inline constexpr decode_table strict_table = make_decode_table(false);
inline constexpr decode_table lax_table = make_decode_table(true);

struct block_tables {
  std::uint32_t d[4][256];
};

constexpr block_tables make_block_tables() noexcept {
  block_tables t{};
  for (unsigned place = 0; place < 4; ++place) {
    for (unsigned c = 0; c < 256; ++c)
      t.d[place][c] = block_entry(place, static_cast<unsigned char>(c));
  }
  return t;
}

inline constexpr block_tables decode_blocks = make_block_tables();
#endif

// Encoding tables: the first digit of a group straight from its byte, the others from any byte
// whose low 6 bits are the digit (modp_b64's e0/e1), so no masking is needed.
struct encode_tables {
  char first[256];
  char low6[256];
};

constexpr encode_tables make_encode_tables() noexcept {
  encode_tables t{};
  for (unsigned c = 0; c < 256; ++c) {
    t.first[c] = encode_alphabet[c >> 2];
    t.low6[c] = encode_alphabet[c & 63];
  }
  return t;
}

inline constexpr encode_tables encode_table = make_encode_tables();

SIOCODEC_ALWAYS_INLINE std::size_t first_flagged(std::uint32_t a, std::uint32_t b,
                                                 std::uint32_t c) noexcept {
  return (a & not_digit) != 0 ? 0 : (b & not_digit) != 0 ? 1 : (c & not_digit) != 0 ? 2 : 3;
}

// Offset in the group at `s` of the first character outside the standard alphabet.
// Precondition: there is one.
inline std::size_t first_bad_in_group(const unsigned char* s) noexcept {
  return first_flagged(strict_table.v[s[0]], strict_table.v[s[1]], strict_table.v[s[2]]);
}

SIOCODEC_ALWAYS_INLINE std::uint32_t load_group(const unsigned char* s) noexcept {
  return decode_blocks.d[0][s[0]] | decode_blocks.d[1][s[1]] | decode_blocks.d[2][s[2]] |
         decode_blocks.d[3][s[3]];
}

SIOCODEC_ALWAYS_INLINE void store_group(std::uint32_t v, unsigned char* out) noexcept {
  const unsigned char b[3] = {static_cast<unsigned char>(v >> 16),
                              static_cast<unsigned char>(v >> 8), static_cast<unsigned char>(v)};
  std::memcpy(out, b, 3);
}

/// Writes the encoding of `in` through writer `w`.
template <class W>
void emit(W& w, byte_view in) noexcept {
  char* out = w.reserve(encoded_size(in.size()));
  if (W::counting) return;
  const unsigned char* p = in.data();
  std::size_t n = in.size();
  const std::size_t done = simd_encode(p, n, out);
  p += done;
  n -= done;
  out += done / 3 * 4;
  const char* first = encode_table.first;
  const char* low6 = encode_table.low6;
  for (; n >= 3; p += 3, n -= 3, out += 4) {
    const unsigned a = p[0];
    const unsigned b = p[1];
    const unsigned c = p[2];
    const char group[4] = {first[a], low6[((a << 4) | (b >> 4)) & 0xFF],
                           low6[((b << 2) | (c >> 6)) & 0xFF], low6[c]};
    std::memcpy(out, group, 4);
  }
  if (n == 1) {
    const char group[4] = {first[p[0]], low6[(p[0] << 4) & 0xFF], '=', '='};
    std::memcpy(out, group, 4);
  } else if (n == 2) {
    const char group[4] = {first[p[0]], low6[((p[0] << 4) | (p[1] >> 4)) & 0xFF],
                           low6[(p[1] << 2) & 0xFF], '='};
    std::memcpy(out, group, 4);
  }
}

// ---- strict ---------------------------------------------------------------------------------

/// Strict kernel: decodes the n / 4 groups at `in` (n a multiple of 4; padding is not part of
/// them) into n / 4 * 3 bytes at `out`, or validates only when `out` is null.
/// @return n, or the offset of the first character outside the alphabet (the groups before its
/// group have been written).
inline std::size_t decode_strict_block(const char* in, std::size_t n, unsigned char* out) noexcept {
  // The SIMD kernel takes the clean blocks; the scalar loop finds the exact offset in the block
  // it stopped at (and decodes the tail it left).
  std::size_t i = simd_decode(in, n, out);
  const auto* s = reinterpret_cast<const unsigned char*>(in);
  if (out != nullptr) out += i / 4 * 3;
  for (; i < n; i += 4) {
    const std::uint32_t v = load_group(s + i);
    if (SIOCODEC_UNLIKELY((v & strict_bad) != 0)) return i + first_bad_in_group(s + i);
    if (out != nullptr) {
      store_group(v, out);
      out += 3;
    }
  }
  return n;
}

/// Number of '=' that end `text` as padding (0-2). Precondition: size multiple of 4, not 0.
inline std::size_t strict_padding(const char* s, std::size_t n) noexcept {
  return s[n - 1] != '=' ? 0 : s[n - 2] != '=' ? 1 : 2;
}

/// Checks (and, with `out`, decodes) the padded last group `g` (4 characters, `pad` of them '=',
/// pad 1 or 2). @return 4, or the offset in `g` of the offending character.
inline std::size_t strict_last_group(const char* g, std::size_t pad, unsigned char* out) noexcept {
  const auto* s = reinterpret_cast<const unsigned char*>(g);
  const std::uint32_t a = strict_table.v[s[0]];
  const std::uint32_t b = strict_table.v[s[1]];
  const std::uint32_t c = pad == 1 ? strict_table.v[s[2]] : 0;
  if (((a | b | c) & not_digit) != 0) return first_flagged(a, b, c);
  // RFC 4648 §3.5: the bits after the last whole byte must be zero, or two texts would decode
  // to the same bytes.
  if (pad == 2 && (b & 0x0f) != 0) return 1;
  if (pad == 1 && (c & 0x03) != 0) return 2;
  if (out != nullptr) {
    out[0] = static_cast<unsigned char>((a << 2) | (b >> 4));
    if (pad == 1) out[1] = static_cast<unsigned char>((b << 4) | (c >> 2));
  }
  return 4;
}

/// Validates strict `text` (size a multiple of 4, `pad` from strict_padding) and, with `out`,
/// decodes it. @return text.size(), or the offset of the offending character.
inline std::size_t strict_run(std::string_view text, std::size_t pad, unsigned char* out) noexcept {
  const std::size_t n = text.size();
  const std::size_t whole = pad == 0 ? n : n - 4;
  const std::size_t at = decode_strict_block(text.data(), whole, out);
  if (at != whole || pad == 0) return at;
  const std::size_t last =
      strict_last_group(text.data() + whole, pad, out == nullptr ? nullptr : out + whole / 4 * 3);
  return last == 4 ? n : whole + last;
}

inline result<std::size_t> strict_size(std::string_view text) noexcept {
  const std::size_t n = text.size();
  if (n % 4 != 0) return {errc::invalid_base64, n};
  if (n == 0) return {std::size_t{0}, 0};
  const std::size_t pad = strict_padding(text.data(), n);
  const std::size_t at = strict_run(text, pad, nullptr);
  if (at != n) return {errc::invalid_base64, at};
  return {n / 4 * 3 - pad, n};
}

// ---- lax ------------------------------------------------------------------------------------

/// Lax kernel: decodes the leading groups of 4 digits at `in` (either alphabet) into 3 bytes
/// each at `out`, or only measures them when `out` is null; stops before the first group that
/// holds anything else, or fewer than 4 characters before `n`.
/// @return characters consumed (a multiple of 4).
inline std::size_t decode_lax_block(const char* in, std::size_t n, unsigned char* out) noexcept {
  const auto* s = reinterpret_cast<const unsigned char*>(in);
  const std::size_t whole = n / 4 * 4;
  // Standard-alphabet blocks (nearly every real input) go through the strict SIMD kernel, which
  // writes nothing for a block it rejects; the scalar loop goes on from there with both
  // alphabets.
  std::size_t i = simd_decode(in, whole, out);
  if (out != nullptr) out += i / 4 * 3;
  for (; i < whole; i += 4) {
    const std::uint32_t v = load_group(s + i);
    if ((v & lax_bad) != 0) break;
    if (out != nullptr) {
      store_group(v, out);
      out += 3;
    }
  }
  return i;
}

/// Node's decoder, applied to UTF-8 `text`: decodes into `out` (room for the whole result) or,
/// when `out` is null, only measures. @return bytes produced.
inline std::size_t lax_run(std::string_view text, unsigned char* out) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const unsigned char* const end = p + text.size();
  std::size_t k = 0;
  std::uint32_t acc = 0;  // the digits of the current group
  unsigned have = 0;      // how many (0-3)
  const auto push = [&](std::uint32_t v) noexcept {
    acc = (acc << 6) | v;
    if (++have == 4) {
      if (out != nullptr) {
        out[k] = static_cast<unsigned char>(acc >> 16);
        out[k + 1] = static_cast<unsigned char>(acc >> 8);
        out[k + 2] = static_cast<unsigned char>(acc);
      }
      k += 3;
      acc = 0;
      have = 0;
    }
  };
  // Node reads 4 characters at a time while they are all digits and falls back to a per-character
  // loop for one group otherwise; the result is the same as one per-character loop throughout.
  while (p != end) {
    if (have == 0) {
      const auto left = static_cast<std::size_t>(end - p);
      const std::size_t used = decode_lax_block(reinterpret_cast<const char*>(p), left,
                                                out == nullptr ? nullptr : out + k);
      p += used;
      k += used / 4 * 3;
      if (p == end) break;
    }
    const std::uint8_t v = lax_table.v[*p];
    if (v < 64) {
      push(v);
      ++p;
      continue;
    }
    if (v == lax_stop) break;
    if (v == lax_skip) {
      ++p;
      continue;
    }
    // Not ASCII. The reference sees the UTF-16 code units of the decoded string and keeps only
    // their low byte (Node casts each unit to uint8_t before its table lookup).
    const std::size_t len = ::SIOCODEC_NAMESPACE::detail::utf8_sequence_length(p, end);
    if (len == 0) {  // U+FFFD in the reference: low byte 0xFD, skipped
      ++p;
      continue;
    }
    std::uint32_t cp;
    if (len == 2) {
      cp = ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu);
    } else if (len == 3) {
      cp = ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
    } else {
      cp = ((p[0] & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) | (p[3] & 0x3Fu);
    }
    p += len;
    std::uint32_t units[2] = {cp, 0};
    std::size_t count = 1;
    if (cp >= 0x10000) {
      units[0] = 0xD800 + ((cp - 0x10000) >> 10);
      units[1] = 0xDC00 + ((cp - 0x10000) & 0x3FF);
      count = 2;
    }
    bool stop = false;
    for (std::size_t u = 0; u < count && !stop; ++u) {
      const std::uint32_t low = units[u] & 0xFF;
      if (low >= 0x80) continue;
      const std::uint8_t w = lax_table.v[low];
      stop = w == lax_stop;
      if (w < 64) push(w);
    }
    if (stop) break;
  }
  // 2 or 3 digits left make 1 or 2 bytes; 1 digit (6 bits) makes none.
  if (have >= 2) {
    if (out != nullptr) {
      const std::uint32_t v = acc << (6 * (4 - have));
      out[k] = static_cast<unsigned char>(v >> 16);
      if (have == 3) out[k + 1] = static_cast<unsigned char>(v >> 8);
    }
    k += have - 1;
  }
  return k;
}

/// Largest lax result for `n` characters: every code unit a digit, at most one per byte.
constexpr std::size_t lax_bound(std::size_t n) noexcept { return n / 4 * 3 + n % 4 * 3 / 4; }

/// Strict decode into `out`, whose size is checked by the caller to be at least `size`.
inline result<std::size_t> strict_decode_into(std::string_view text, std::size_t pad,
                                              std::size_t size, unsigned char* out) noexcept {
  const std::size_t at = strict_run(text, pad, out);
  if (at != text.size()) return {errc::invalid_base64, at};
  return {size, text.size()};
}

}  // namespace detail
}  // namespace base64
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_BASE64_CODEC_HPP
