// SPDX-License-Identifier: BSL-1.0
// The byte scans under the JSON validator, the value accessors and the string writer, in a
// portable and three x86-64 SIMD kernels, and the run-time choice among them.
#ifndef SIOCODEC_JSON_SCAN_HPP
#define SIOCODEC_JSON_SCAN_HPP

#include <siocodec/config.hpp>
#include <siocodec/detail/cpu.hpp>
#include <siocodec/detail/kernel_choice.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if SIOCODEC_X86_SIMD
#include <immintrin.h>
#endif

SIOCODEC_BEGIN_NAMESPACE
namespace json {

/// The implementations of the byte scanning under validate(), the json::value accessors and the
/// string writer (write.hpp): finding where a run of plain string content, a string that was
/// already validated, or a run of whitespace ends. All give identical results; they differ only
/// in speed. The fastest one the CPU supports is chosen on first use; set_kernel() forces
/// another one, for tests and benchmarks. Every kernel but scalar needs GCC or Clang on x86-64
/// (and no SIOCODEC_NO_SIMD); base64 has its own choice (base64::set_kernel).
enum class kernel : std::uint8_t {
  /// Portable C++, eight bytes per step (SWAR). Always available.
  scalar,
  /// x86-64 SSE2, 16 bytes per step. SSE2 is part of the x86-64 baseline, so this one needs no
  /// CPU check. On x86-64 every kernel checks the first 16 bytes of a run with SSE2, inline
  /// (8 to 15 bytes left before the end: two SWAR steps): most runs (keys, short strings, the
  /// space after `:`) end there.
  sse2,
  /// x86-64 AVX2: 32 bytes per step.
  avx2,
  /// x86-64 AVX-512 F and BW: 64 bytes per step.
  avx512,
};

/// The kernel's name ("scalar", "sse2", "avx2", "avx512").
[[nodiscard]] constexpr std::string_view kernel_name(kernel k) noexcept;

/// Whether kernel `k` was compiled in and this CPU (and OS) can run it. kernel::scalar always
/// can.
[[nodiscard]] bool kernel_supported(kernel k) noexcept;

/// The fastest supported kernel: avx512, avx2 or sse2, else scalar.
[[nodiscard]] kernel best_kernel() noexcept;

/// The kernel the calls use: best_kernel() until set_kernel() chooses another. The choice is
/// made once per process (an atomic; no static constructor), safe to read from any thread.
[[nodiscard]] kernel active_kernel() noexcept;

/// Makes every later call in the process, on any thread, use kernel `k`.
/// @return false (and nothing changes) when `k` is not supported here.
/// Meant for tests and benchmarks; calls already running on other threads may finish with the
/// kernel they started with, which is harmless because all kernels give the same results.
[[nodiscard]] bool set_kernel(kernel k) noexcept;

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

/// JSON whitespace (RFC 8259 §2): space, tab, LF, CR. Nothing else, not even U+00A0 or a BOM.
constexpr bool is_ws(char c) noexcept {
  // One compare for every byte above the space, which is nearly every byte JSON holds.
  const auto u = static_cast<unsigned char>(c);
  return u <= 0x20 && ((0x100002600ull >> u) & 1u) != 0;  // bits 0x20, 0x0D, 0x0A, 0x09
}

// ---- the three scans, portable (SWAR: eight bytes per step) ----------------------------------
//
// Each finds the first byte of [p, end) of one class, or returns `end`:
// - string: a byte that ends a run of ordinary string content: `"`, `\`, a control character
//   (< 0x20) or a non-ASCII byte (>= 0x80, which then needs UTF-8 checking);
// - quote: `"` or `\` (skipping strings of text already validated);
// - non-ws: a byte that is not JSON whitespace.
// These are the reference the SIMD kernels are tested against.

enum class scan_class : std::uint8_t { string, quote, non_ws };

template <scan_class C>
constexpr bool in_class(char ch) noexcept {
  const auto c = static_cast<unsigned char>(ch);
  if constexpr (C == scan_class::string) {
    return c == '"' || c == '\\' || c < 0x20 || c >= 0x80;
  } else if constexpr (C == scan_class::quote) {
    return c == '"' || c == '\\';
  } else {
    return !is_ws(ch);
  }
}

constexpr std::uint64_t swar_ones = 0x0101010101010101ull;
constexpr std::uint64_t swar_high = 0x8080808080808080ull;

// The high bit of each byte of `x` that is zero, exactly: no borrow crosses bytes, so any flag,
// not only the lowest, can be trusted (the whitespace scan needs the complement).
constexpr std::uint64_t swar_zero_bytes(std::uint64_t x) noexcept {
  return ~(((x & ~swar_high) + ~swar_high) | x) & swar_high;
}

SIOCODEC_ALWAYS_INLINE std::uint64_t swar_load(const char* p) noexcept {
  std::uint64_t x;
  std::memcpy(&x, p, 8);
  return x;
}

/// The high bit of the bytes of the 8 at `x` (in memory order, little endian) that are in class
/// C; the lowest flag is always exact, flags above it may be false.
template <scan_class C>
SIOCODEC_ALWAYS_INLINE std::uint64_t swar_mask(std::uint64_t x) noexcept {
  if constexpr (C == scan_class::non_ws) {
    return ~(swar_zero_bytes(x ^ (swar_ones * ' ')) | swar_zero_bytes(x ^ (swar_ones * '\t')) |
             swar_zero_bytes(x ^ (swar_ones * '\n')) | swar_zero_bytes(x ^ (swar_ones * '\r'))) &
           swar_high;
  } else {
    const std::uint64_t q = x ^ (swar_ones * '"');
    const std::uint64_t b = x ^ (swar_ones * '\\');
    // Per byte, the high bit is set for: a zero byte of q or b (the classic "has zero byte"
    // test), a byte below 0x20 (x - 0x20 borrows), a byte with its own high bit set. Borrows
    // can flag a byte above a true hit, never below one, so the lowest flag is always exact.
    std::uint64_t m = ((q - swar_ones) & ~q) | ((b - swar_ones) & ~b);
    if constexpr (C == scan_class::string) m |= (x - swar_ones * 0x20) | x;
    return m & swar_high;
  }
}

/// The portable kernel: eight bytes per step, then byte by byte.
template <scan_class C>
inline const char* scan_swar(const char* p, const char* end) noexcept {
  while (end - p >= 8) {
    const std::uint64_t m = swar_mask<C>(swar_load(p));
    if (m != 0) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
      return p + (__builtin_ctzll(m) >> 3);
#else
      break;  // the byte loop below finds it among these 8 bytes
#endif
    }
    p += 8;
  }
  for (; p != end; ++p) {
    if (in_class<C>(*p)) return p;
  }
  return end;
}

// ---- SIMD kernels (x86-64) -------------------------------------------------------------------
//
// Each step compares a whole register against the class and takes the lowest set bit of the
// byte mask. Every kernel starts with one SSE2 step inline (see scan()): most strings and
// whitespace runs end within 16 bytes. Longer runs go on out of line with the active kernel's
// loop (the AVX2 and AVX-512 ones cannot be inlined into code built for the x86-64 baseline
// anyway). Fewer than 16 bytes left: the SWAR loop (the AVX-512 loop uses masked loads instead,
// which read nothing past `end`).

#if SIOCODEC_X86_SIMD

template <scan_class C>
SIOCODEC_ALWAYS_INLINE unsigned sse2_mask(const char* p) noexcept {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  if constexpr (C == scan_class::non_ws) {
    const __m128i ws = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\t'))),
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')),
                     _mm_cmpeq_epi8(v, _mm_set1_epi8('\r'))));
    return static_cast<unsigned>(_mm_movemask_epi8(ws)) ^ 0xFFFFu;
  } else {
    __m128i m =
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
    // Signed compare: below 0x20 or from 0x80 up (negative) in one test.
    if constexpr (C == scan_class::string)
      m = _mm_or_si128(m, _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
    return static_cast<unsigned>(_mm_movemask_epi8(m));
  }
}

template <scan_class C>
inline const char* scan_sse2(const char* p, const char* end) noexcept {
  for (; end - p >= 16; p += 16) {
    const unsigned m = sse2_mask<C>(p);
    if (m != 0) return p + __builtin_ctz(m);
  }
  return scan_swar<C>(p, end);
}

template <scan_class C>
SIOCODEC_TARGET_AVX2 inline const char* scan_avx2(const char* p, const char* end) noexcept {
  for (; end - p >= 32; p += 32) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    std::uint32_t m;
    if constexpr (C == scan_class::non_ws) {
      const __m256i ws =
          _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(' ')),
                                          _mm256_cmpeq_epi8(v, _mm256_set1_epi8('\t'))),
                          _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('\n')),
                                          _mm256_cmpeq_epi8(v, _mm256_set1_epi8('\r'))));
      m = ~static_cast<std::uint32_t>(_mm256_movemask_epi8(ws));
    } else {
      __m256i t = _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('"')),
                                  _mm256_cmpeq_epi8(v, _mm256_set1_epi8('\\')));
      if constexpr (C == scan_class::string) {
        t = _mm256_or_si256(t, _mm256_cmpgt_epi8(_mm256_set1_epi8(0x20), v));
      }
      m = static_cast<std::uint32_t>(_mm256_movemask_epi8(t));
    }
    if (m != 0) return p + __builtin_ctz(m);
  }
  if (end - p >= 16) {
    const unsigned m = sse2_mask<C>(p);
    if (m != 0) return p + __builtin_ctz(m);
    p += 16;
  }
  return scan_swar<C>(p, end);
}

// GCC 12 warns inside its own AVX-512 intrinsics (`__m512i __Y = __Y;` in
// _mm512_undefined_epi32, GCC bug 105593, fixed in GCC 13).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

template <scan_class C>
SIOCODEC_TARGET_AVX512BW SIOCODEC_ALWAYS_INLINE __mmask64 avx512_mask(__m512i v) noexcept {
  if constexpr (C == scan_class::non_ws) {
    return ~(_mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(' ')) |
             _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\t')) |
             _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\n')) |
             _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\r')));
  } else {
    __mmask64 m = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('"')) |
                  _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\\'));
    if constexpr (C == scan_class::string) m |= _mm512_cmplt_epi8_mask(v, _mm512_set1_epi8(0x20));
    return m;
  }
}

template <scan_class C>
SIOCODEC_TARGET_AVX512BW inline const char* scan_avx512(const char* p, const char* end) noexcept {
  for (; end - p >= 64; p += 64) {
    const __mmask64 m = avx512_mask<C>(_mm512_loadu_si512(p));
    if (m != 0) return p + __builtin_ctzll(m);
  }
  if (p == end) return end;
  // The last 1 to 63 bytes: masked-off bytes are not read (no fault, no out-of-bounds access).
  const __mmask64 live = (std::uint64_t{1} << (end - p)) - 1;
  const __mmask64 m = avx512_mask<C>(_mm512_maskz_loadu_epi8(live, p)) & live;
  return m != 0 ? p + __builtin_ctzll(m) : end;
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#endif  // SIOCODEC_X86_SIMD

#if SIOCODEC_X86_SIMD
/// Everything past the first step: the loop of the active kernel. Kept out of line so that the
/// callers' hot loops (the validator's state machine) carry no vector loop and no call.
template <scan_class C>
__attribute__((noinline)) const char* scan_rest(const char* p, const char* end) noexcept {
  switch (active_kernel()) {
    case kernel::avx512: return scan_avx512<C>(p, end);
    case kernel::avx2: return scan_avx2<C>(p, end);
    case kernel::sse2: return scan_sse2<C>(p, end);
    default: return scan_swar<C>(p, end);
  }
}
#endif

/// Finds the first byte of class C in [p, end) with the active kernel.
template <scan_class C>
SIOCODEC_ALWAYS_INLINE const char* scan(const char* p, const char* end) noexcept {
#if SIOCODEC_X86_SIMD
  // Most strings (keys, short values) end within 16 bytes: one inline SSE2 step (x86-64
  // baseline, whatever the kernel) decides those with no kernel choice and no call in the
  // validator's loop. Near the end of the text, two SWAR steps cover 8 to 15 bytes: the second
  // one overlaps the first, whose bytes hold no hit, so no false flag can sit below a true one.
  const std::ptrdiff_t n = end - p;
  if (SIOCODEC_LIKELY(n >= 16)) {
    const unsigned m = sse2_mask<C>(p);
    if (SIOCODEC_LIKELY(m != 0)) return p + __builtin_ctz(m);
    return scan_rest<C>(p + 16, end);
  }
  if (n >= 8) {
    std::uint64_t m = swar_mask<C>(swar_load(p));
    if (m != 0) return p + (__builtin_ctzll(m) >> 3);
    p = end - 8;
    m = swar_mask<C>(swar_load(p));
    return m != 0 ? p + (__builtin_ctzll(m) >> 3) : end;
  }
  if (n >= 4) {
    // 4 to 7 bytes (short strings written by an encoder): the first and the last 4 bytes as one
    // word. A borrow only comes from a true hit, so without a hit in the low half the high
    // half's lowest flag is exact too.
    std::uint32_t lo, hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, end - 4, 4);
    const std::uint64_t m = swar_mask<C>(lo | (std::uint64_t{hi} << 32));
    if (m == 0) return end;
    const auto i = static_cast<unsigned>(__builtin_ctzll(m) >> 3);
    return i < 4 ? p + i : end - 4 + (i - 4);
  }
  return scan_rest<C>(p, end);
#else
  return scan_swar<C>(p, end);
#endif
}

/// The first byte in [p, end) that ends a run of ordinary string content: `"`, `\`, a control
/// character (< 0x20) or a non-ASCII byte (>= 0x80); `end` if none. The validator, the
/// accessors and the writer all stand on this one function.
SIOCODEC_ALWAYS_INLINE const char* scan_string(const char* p, const char* end) noexcept {
  return scan<scan_class::string>(p, end);
}

/// The first `"` or `\` in [p, end), or `end`. Skips strings of text already validated.
SIOCODEC_ALWAYS_INLINE const char* find_quote_or_backslash(const char* p,
                                                           const char* end) noexcept {
  return scan<scan_class::quote>(p, end);
}

/// skip_ws() once its first byte is known to be below 0x21 (whitespace or a control character).
/// Out of line: rare in compact JSON.
inline const char* skip_ws_rest(const char* p, const char* end) noexcept {
  if (!is_ws(*p)) return p;
  ++p;
  if (p == end || !is_ws(*p)) return p;
  return scan<scan_class::non_ws>(p, end);
}

/// The first byte in [p, end) that is not JSON whitespace, or `end`.
SIOCODEC_ALWAYS_INLINE const char* skip_ws(const char* p, const char* end) noexcept {
  // Compact JSON (what JSON.stringify writes) has no whitespace at all, and hand-written JSON
  // mostly one space after `,` or `:`: decide the first byte inline, with no call. Every
  // whitespace byte is below 0x21, so one compare clears nearly every byte JSON holds.
  if (SIOCODEC_LIKELY(p == end || static_cast<unsigned char>(*p) > 0x20)) return p;
  return skip_ws_rest(p, end);
}

}  // namespace detail

constexpr std::string_view kernel_name(kernel k) noexcept {
  switch (k) {
    case kernel::scalar: return "scalar";
    case kernel::sse2: return "sse2";
    case kernel::avx2: return "avx2";
    case kernel::avx512: return "avx512";
  }
  return "unknown";
}

inline bool kernel_supported(kernel k) noexcept {
  switch (k) {
#if SIOCODEC_X86_SIMD
    case kernel::scalar:
    case kernel::sse2: return true;  // SSE2 is part of the x86-64 baseline
    case kernel::avx2: return ::SIOCODEC_NAMESPACE::detail::cpu_has_avx2();
    case kernel::avx512: return ::SIOCODEC_NAMESPACE::detail::cpu_has_avx512bw();
#else
    case kernel::scalar: return true;
#endif
    default: return false;
  }
}

namespace detail {
using kernel_choice =
    ::SIOCODEC_NAMESPACE::detail::kernel_choice<kernel, &kernel_supported, kernel::avx512,
                                                kernel::avx2, kernel::sse2>;
}  // namespace detail

inline kernel best_kernel() noexcept { return detail::kernel_choice::best(); }
inline kernel active_kernel() noexcept { return detail::kernel_choice::active(); }
inline bool set_kernel(kernel k) noexcept { return detail::kernel_choice::set(k); }

}  // namespace json
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_JSON_SCAN_HPP
