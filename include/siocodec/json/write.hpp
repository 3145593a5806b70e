// SPDX-License-Identifier: BSL-1.0
// JSON writing primitives that produce exactly what JavaScript's JSON.stringify produces.
#ifndef SIOCODEC_JSON_WRITE_HPP
#define SIOCODEC_JSON_WRITE_HPP

#include <siocodec/config.hpp>
#include <siocodec/detail/utf8.hpp>
#include <siocodec/error.hpp>
#include <siocodec/json/number.hpp>
#include <siocodec/json/validate.hpp>
#include <siocodec/result.hpp>
#include <siocodec/sink.hpp>

#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

SIOCODEC_BEGIN_NAMESPACE
namespace json {

// The emit_* functions write through an encoder's writer `w` (sink.hpp: detail::size_counter or
// detail::buffer_writer), so an encoder's emit() can call them in both of its passes.

/// Writes `utf8` as a JSON string literal, quotes included, exactly as JSON.stringify writes the
/// same string: `"` and `\` escaped with a backslash; U+0008, U+000C, U+000A, U+000D, U+0009 as
/// `\b \f \n \r \t`; every other character below U+0020 as `\u00xx` (lowercase hex); everything
/// else raw: DEL (0x7F), U+2028/U+2029 and all non-ASCII characters are written as their UTF-8
/// bytes, unescaped. (JSON.stringify escapes lone surrogates as `\udxxx`; valid UTF-8 cannot
/// hold one, so that case cannot arise here.)
/// Errors: invalid_utf8 (`utf8` is not valid UTF-8; nothing useful was written, and the
/// encoders' measuring pass reports it before anything is).
template <class W>
errc emit_string(W& w, std::string_view utf8) noexcept;

/// Size of the JSON string literal emit_string() writes for `utf8`, quotes included.
/// @return the size (also offset()).
/// Errors: invalid_utf8 (offset of the first byte of the first invalid sequence).
result<std::size_t> string_size(std::string_view utf8) noexcept;

/// Writes the JSON string literal for `utf8` to `out`.
/// @return bytes written.
/// Errors: invalid_utf8 (as string_size; nothing written), output_too_small (cap smaller than
/// string_size(); nothing written; offset() is cap).
result<std::size_t> encode_string_to(char* out, std::size_t cap, std::string_view utf8) noexcept;

/// Appends the JSON string literal for `utf8` to `out` (any resizable byte container; exactly
/// one resize, none on error).
/// Errors: invalid_utf8 (as string_size); out_of_memory (a container whose try_resize() failed,
/// such as the client engines' over a caller's memory_resource; nothing written).
template <class C>
result<std::size_t> encode_string(std::string_view utf8, C& out);

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

// emit_string with the offset of the bad byte reported through `bad` on invalid_utf8.
template <class W>
errc emit_string_at(W& w, std::string_view utf8, std::size_t& bad) noexcept {
  static constexpr char hex[] = "0123456789abcdef";
  const char* const begin = utf8.data();
  const char* const end = begin + utf8.size();
  const char* run = begin;  // start of bytes not yet written: they need no escaping
  const char* p = begin;
  w.put('"');
  for (;;) {
    p = scan_string(p, end);
    if (p == end) break;
    const auto c = static_cast<unsigned char>(*p);
    if (c >= 0x80) {
      // Non-ASCII stays raw: check the sequence and keep it in the current run.
      const std::size_t len = ::SIOCODEC_NAMESPACE::detail::utf8_sequence_length(
          reinterpret_cast<const unsigned char*>(p), reinterpret_cast<const unsigned char*>(end));
      if (len == 0) {
        bad = static_cast<std::size_t>(p - begin);
        return errc::invalid_utf8;
      }
      p += len;
      continue;
    }
    if (p != run) w.append(run, static_cast<std::size_t>(p - run));
    char esc = 0;
    switch (c) {
      case '"': esc = '"'; break;
      case '\\': esc = '\\'; break;
      case '\b': esc = 'b'; break;
      case '\f': esc = 'f'; break;
      case '\n': esc = 'n'; break;
      case '\r': esc = 'r'; break;
      case '\t': esc = 't'; break;
      default: break;
    }
    if (esc != 0) {
      w.put('\\');
      w.put(esc);
    } else {
      w.append("\\u00", 4);
      w.put(hex[c >> 4]);
      w.put(hex[c & 0xF]);
    }
    run = ++p;
  }
  if (end != run) w.append(run, static_cast<std::size_t>(end - run));
  w.put('"');
  return errc::none;
}

// Copies k bytes, sizeof(Word) <= k <= 2 * sizeof(Word), as two overlapping words (both loaded
// before either is stored: s and d may be the same bytes).
template <class Word>
SIOCODEC_ALWAYS_INLINE void copy_word_ends(char* d, const char* s, std::size_t k) noexcept {
  Word a = 0;
  Word b = 0;
  std::memcpy(&a, s, sizeof a);
  std::memcpy(&b, s + k - sizeof b, sizeof b);
  std::memcpy(d, &a, sizeof a);
  std::memcpy(d + k - sizeof b, &b, sizeof b);
}

// Copies k bytes from s to d. Most pieces an encoder writes are short (keys, numbers, small
// strings): up to 16 bytes they are copied inline with two overlapping loads and stores, never
// reading or writing outside [s, s + k) and [d, d + k), rather than through a call to memcpy.
SIOCODEC_ALWAYS_INLINE void copy_short(char* d, const char* s, std::size_t k) noexcept {
  if (k > 16) {
    std::memcpy(d, s, k);
  } else if (k >= 8) {
    copy_word_ends<std::uint64_t>(d, s, k);
  } else if (k >= 4) {
    copy_word_ends<std::uint32_t>(d, s, k);
  } else if (k != 0) {
    d[0] = s[0];
    d[k / 2] = s[k / 2];
    d[k - 1] = s[k - 1];
  }
}

// 1 for each byte that ends a run of plain string content (as scan_string: `"`, `\\`, below
// 0x20, from 0x80).
struct escaped_byte_table {
  unsigned char flag[256];
  constexpr escaped_byte_table() noexcept : flag() {
    for (int c = 0; c < 256; ++c) {
      flag[c] = (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') ? 1 : 0;
    }
  }
};
inline constexpr escaped_byte_table escaped_bytes{};

// Whether the 16 bytes of a and b are all plain string content (as scan_string).
SIOCODEC_ALWAYS_INLINE bool plain_words(std::uint64_t a, std::uint64_t b) noexcept {
#if SIOCODEC_X86_SIMD
  // One SSE2 step for both words (as sse2_mask): fewer instructions than two SWAR masks.
  const __m128i v = _mm_set_epi64x(static_cast<long long>(b), static_cast<long long>(a));
  __m128i m =
      _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
  m = _mm_or_si128(m, _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));  // signed: also 0x80 and up
  return _mm_movemask_epi8(m) == 0;
#else
  return (swar_mask<scan_class::string>(a) | swar_mask<scan_class::string>(b)) == 0;
#endif
}

// Whether s[0, k) holds no byte that ends a run of plain string content (`"`, `\\`, below 0x20,
// from 0x80; as scan_string), and with Copy, copy_short(d, s, k) fused with that check: the
// words loaded for the check are the ones stored, and d[0, k) is written whatever the answer (a
// caller that gets false writes the text again, escaped). Keys and short values ("id", "x",
// "player0") are decided with no call: up to 16 bytes the loads overlap rather than run past
// the end, and repeated bytes do no harm to a yes/no answer. Longer strings go to the scan
// kernels.
template <bool Copy>
SIOCODEC_ALWAYS_INLINE bool plain_string(char* d, const char* s, std::size_t k) noexcept {
  // Shortest first: most keys have fewer than 8 bytes.
  if (k < 4) {
    if (k == 0) return true;
    // 1 to 3 bytes ("id", "x", "hp"): the first, middle and last byte cover them all, each
    // looked up in a table, cheaper than assembling a word for SWAR.
    const auto c0 = static_cast<unsigned char>(s[0]);
    const auto c1 = static_cast<unsigned char>(s[k / 2]);
    const auto c2 = static_cast<unsigned char>(s[k - 1]);
    if constexpr (Copy) {
      d[0] = static_cast<char>(c0);
      d[k / 2] = static_cast<char>(c1);
      d[k - 1] = static_cast<char>(c2);
    }
    return (escaped_bytes.flag[c0] | escaped_bytes.flag[c1] | escaped_bytes.flag[c2]) == 0;
  }
  if (k < 8) {
    std::uint32_t lo, hi;
    std::memcpy(&lo, s, 4);
    std::memcpy(&hi, s + k - 4, 4);
    if constexpr (Copy) {
      std::memcpy(d, &lo, 4);
      std::memcpy(d + k - 4, &hi, 4);
    }
    const std::uint64_t x = lo | (std::uint64_t{hi} << 32);
    return plain_words(x, x);
  }
  if (k <= 16) {
    const std::uint64_t a = swar_load(s);
    const std::uint64_t b = swar_load(s + k - 8);
    if constexpr (Copy) {
      std::memcpy(d, &a, 8);
      std::memcpy(d + k - 8, &b, 8);
    }
    return plain_words(a, b);
  }
  if (scan_string(s, s + k) != s + k) return false;
  if constexpr (Copy) std::memcpy(d, s, k);
  return true;
}

// Whether the string s[0, k) needs no escaping (plain_string without the copy).
SIOCODEC_ALWAYS_INLINE bool is_plain_string(const char* s, std::size_t k) noexcept {
  return plain_string<false>(nullptr, s, k);
}

// copy_short(d, s, k) and is_plain_string(s, k) in one (plain_string with the copy).
SIOCODEC_ALWAYS_INLINE bool copy_plain(char* d, const char* s, std::size_t k) noexcept {
  return plain_string<true>(d, s, k);
}

}  // namespace detail

template <class W>
SIOCODEC_ALWAYS_INLINE errc emit_string(W& w, std::string_view utf8) noexcept {
  // Most strings are plain ASCII with nothing to escape: decide that inline, then one copy.
  if (SIOCODEC_LIKELY(detail::is_plain_string(utf8.data(), utf8.size()))) {
    w.put('"');
    w.append(utf8.data(), utf8.size());
    w.put('"');
    return errc::none;
  }
  std::size_t bad = 0;
  return detail::emit_string_at(w, utf8, bad);
}

inline result<std::size_t> string_size(std::string_view utf8) noexcept {
  ::SIOCODEC_NAMESPACE::detail::size_counter c;
  std::size_t bad = 0;
  const errc e = detail::emit_string_at(c, utf8, bad);
  if (e != errc::none) return {e, bad};
  return {c.n, c.n};
}

inline result<std::size_t> encode_string_to(char* out, std::size_t cap,
                                            std::string_view utf8) noexcept {
  const result<std::size_t> size = string_size(utf8);
  if (!size) return size;
  if (*size > cap) return {errc::output_too_small, cap};
  ::SIOCODEC_NAMESPACE::detail::buffer_writer w{out};
  (void)emit_string(w, utf8);
  return size;
}

template <class C>
result<std::size_t> encode_string(std::string_view utf8, C& out) {
  static_assert(::SIOCODEC_NAMESPACE::detail::is_growable_buffer<C>::value,
                "encode_string() needs a resizable container of one-byte elements");
  const result<std::size_t> size = string_size(utf8);
  if (!size) return size;
  const std::size_t old = out.size();
  // The one allocation.
  if (!::SIOCODEC_NAMESPACE::detail::resize_buffer(out, old + *size))
    return {errc::out_of_memory, 0};
  ::SIOCODEC_NAMESPACE::detail::buffer_writer w{reinterpret_cast<char*>(out.data()) + old};
  (void)emit_string(w, utf8);
  return size;
}

}  // namespace json
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_JSON_WRITE_HPP
