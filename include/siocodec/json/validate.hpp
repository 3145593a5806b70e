// SPDX-License-Identifier: BSL-1.0
// Strict one-pass JSON validation (RFC 8259) with no DOM, no allocation and no recursion.
#ifndef SIOCODEC_JSON_VALIDATE_HPP
#define SIOCODEC_JSON_VALIDATE_HPP

#include <siocodec/config.hpp>
#include <siocodec/detail/cpu.hpp>
#include <siocodec/detail/utf8.hpp>
#include <siocodec/error.hpp>
#include <siocodec/result.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if SIOCODEC_X86_SIMD
#include <immintrin.h>
#endif

SIOCODEC_BEGIN_NAMESPACE
namespace json {

/// The six kinds of JSON value (RFC 8259 §3).
enum class kind : std::uint8_t { null, boolean, number, string, array, object };

/// The kind's name ("null", "boolean", "number", "string", "array", "object"); "unknown" for a
/// value outside the enum.
constexpr const char* to_string(kind k) noexcept {
  switch (k) {
    case kind::null: return "null";
    case kind::boolean: return "boolean";
    case kind::number: return "number";
    case kind::string: return "string";
    case kind::array: return "array";
    case kind::object: return "object";
  }
  return "unknown";
}

/// The deepest nesting validate() can check, whatever options::max_depth says. The validator
/// keeps one bit per open array/object in a fixed 512-byte stack array (no allocation, a bounded
/// stack footprint for small embedded stacks); a larger max_depth is clamped to this value.
constexpr std::size_t max_depth_limit = 4096;

/// Options of validate() and parse(). Pass by const reference.
struct options {
  /// Deepest nesting of arrays and objects accepted: a scalar has depth 0, `[]` depth 1,
  /// `[{}]` depth 2. Exactly max_depth levels are accepted, one more is nesting_too_deep.
  /// Values above max_depth_limit act as max_depth_limit. The reference has no limit of its own
  /// (V8 parses iteratively); 128 is far deeper than any real Socket.IO payload.
  std::size_t max_depth = SIOCODEC_DEFAULT_MAX_JSON_DEPTH;
};

/// Validates that `text` is exactly one JSON text (RFC 8259 §2: `ws value ws`).
///
/// Strict, in the manner of JSON.parse on the UTF-8 decoding of `text` (with a fatal decoder
/// that keeps a byte order mark), except for the depth limit:
/// - UTF-8 is validated inside strings (RFC 3629: no overlong forms, no encoded surrogates,
///   nothing above U+10FFFF, no cut sequences); outside strings any byte >= 0x80 (a BOM, U+00A0,
///   U+2028...) is not whitespace and is invalid_json;
/// - whitespace is space, tab, LF and CR only;
/// - escapes are exactly `\" \\ \/ \b \f \n \r \t \uXXXX` (four hex digits, either case). A
///   `\uXXXX` naming a lone surrogate (`"\ud800"`) is accepted, because the grammar allows any
///   four hex digits and JSON.stringify writes lone surrogates that way; see value::unescape_to
///   for how such strings decode;
/// - raw bytes below 0x20 inside strings are rejected (DEL, 0x7F, is allowed);
/// - numbers follow `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` exactly, with no
///   range limit (1e400 is valid JSON; its value is a separate question, see value::to_double).
///
/// One pass, linear time, no allocation, no recursion: nesting is tracked in a fixed bit stack.
///
/// @return the kind of the top-level value. On success offset() is text.size(); on failure it
///   is the offset of the offending byte, or text.size() when the text ends too early.
///
/// Errors:
/// - invalid_json: empty or whitespace-only text, a byte that cannot start or continue the
///   grammar at its place (a missing or extra `,` `:` `]` `}`, a misspelled literal, a key that
///   is not a string, anything after the value), a byte >= 0x80 outside a string, or the end of
///   the text inside an array or object;
/// - invalid_json_string: a raw control character (< 0x20) in a string (offset of that byte),
///   a malformed escape (offset of the first byte after the backslash that does not fit: the
///   escape letter, or the first non-hex digit of `\u`), or a string not closed before the end;
/// - invalid_json_number: a number that breaks the grammar: a leading zero (`01`: offset of
///   the `1`), `-` without digits, `1.` or `1e` without digits, a number starting with `.` or
///   `+`, or a number followed directly by `.`, `e`, `E`, `+`, `-` or a digit (`1.5.3`);
///   offset of the offending byte;
/// - invalid_utf8: malformed UTF-8 inside a string; offset of the first byte of the sequence;
/// - nesting_too_deep: an array or object opens at depth max_depth (offset of its `[` or `{`).
result<kind> validate(std::string_view text, const options& opts = {}) noexcept;

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

constexpr std::uint8_t kernel_unset = 0xFF;

// Constant-initialized (no guard, no static constructor), one per program: an inline function's
// static is shared by every translation unit.
inline std::atomic<std::uint8_t>& kernel_slot() noexcept {
  static std::atomic<std::uint8_t> slot{kernel_unset};
  return slot;
}

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

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

/// 0-15 for a hex digit of either case, 16 otherwise.
constexpr unsigned hex_value(char c) noexcept {
  return (c >= '0' && c <= '9')   ? static_cast<unsigned>(c - '0')
         : (c >= 'a' && c <= 'f') ? static_cast<unsigned>(c - 'a' + 10)
         : (c >= 'A' && c <= 'F') ? static_cast<unsigned>(c - 'A' + 10)
                                  : 16u;
}

/// Where a scanner stopped: just past the token on success, at the offending byte on failure.
struct scan_result {
  const char* p;
  error ec;
  /// validate_string() only: the string holds a backslash escape.
  bool escaped = false;
};

/// validate_string() from the first byte `p` that ends a run of plain content (or `end`).
/// Lossy: bytes that are not UTF-8 are taken one at a time as if each were U+FFFD, which keeps
/// the string's extent what it is after Node's lossy decoding (no ASCII byte belongs to an
/// invalid sequence's maximal subpart, so the quotes and escapes stay where they are).
template <bool Lossy = false>
scan_result validate_string_rest(const char* p, const char* end) noexcept {
  bool escaped = false;
  for (;;) {
    if (p == end) return {end, error::invalid_json_string};
    const auto c = static_cast<unsigned char>(*p);
    if (c == '"') return {p + 1, error::none, escaped};
    if (c == '\\') {
      escaped = true;
      ++p;
      if (p == end) return {end, error::invalid_json_string};
      switch (*p) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't': ++p; break;
        case 'u':
          ++p;
          for (int i = 0; i < 4; ++i, ++p) {
            if (p == end) return {end, error::invalid_json_string};
            if (hex_value(*p) > 15) return {p, error::invalid_json_string};
          }
          break;
        default: return {p, error::invalid_json_string};
      }
    } else if (c < 0x20) {
      return {p, error::invalid_json_string};
    } else {
      // Non-ASCII text tends to come in runs (CJK, emoji): stay in this loop while it lasts.
      do {
        const std::size_t len = ::SIOCODEC_NAMESPACE::detail::utf8_sequence_length(
            reinterpret_cast<const unsigned char*>(p), reinterpret_cast<const unsigned char*>(end));
        if (len == 0) {
          if constexpr (!Lossy) return {p, error::invalid_utf8};
          ++p;
          continue;
        }
        p += len;
      } while (p != end && static_cast<unsigned char>(*p) >= 0x80);
    }
    p = scan_string(p, end);
  }
}

/// Validates a string's content; `p` is just past the opening quote, and the text begins at
/// `lo` (the bytes from `lo` to `end` may be read). Success: p is just past the closing quote.
/// The common case, plain content up to the quote, is decided inline.
template <bool Lossy = false>
SIOCODEC_ALWAYS_INLINE scan_result validate_string(const char* p, const char* end,
                                                   const char* lo) noexcept {
#if SIOCODEC_X86_SIMD
  // scan_string()'s first step, with its answer used directly: a byte found in the window is
  // before `end`, so the closing quote needs no end check.
  if (SIOCODEC_LIKELY(end - p >= 16)) {
    const unsigned m = sse2_mask<scan_class::string>(p);
    if (SIOCODEC_LIKELY(m != 0)) {
      p += __builtin_ctz(m);
      if (SIOCODEC_LIKELY(*p == '"')) return {p + 1, error::none};
      return validate_string_rest<Lossy>(p, end);
    }
    return validate_string_rest<Lossy>(scan_rest<scan_class::string>(p + 16, end), end);
  }
  // The text's last string (an event's last argument) has fewer than 16 bytes left: the window
  // that ends at `end` instead, its bytes before p shifted out of the mask. One step where the
  // SWAR tail takes two or three.
  if (SIOCODEC_LIKELY(end - lo >= 16)) {
    const char* const w = end - 16;
    const unsigned m = sse2_mask<scan_class::string>(w) >> (p - w);
    if (SIOCODEC_LIKELY(m != 0)) {
      p += __builtin_ctz(m);
      if (SIOCODEC_LIKELY(*p == '"')) return {p + 1, error::none};
      return validate_string_rest<Lossy>(p, end);
    }
    return validate_string_rest<Lossy>(end, end);
  }
#else
  (void)lo;
#endif
  p = scan_string(p, end);
  if (SIOCODEC_LIKELY(p != end && *p == '"')) return {p + 1, error::none};
  return validate_string_rest<Lossy>(p, end);
}

/// 1 for the bytes that end a run of plain string content (scan_class::string), 0 for the rest.
struct string_stop_table {
  std::uint8_t v[256] = {};
  constexpr string_stop_table() noexcept {
    for (int c = 0; c < 256; ++c) v[c] = in_class<scan_class::string>(static_cast<char>(c)) ? 1 : 0;
  }
};
inline constexpr string_stop_table string_stop{};

/// validate_string() for an object's keys and member values: the first 16 bytes are looked at
/// one by one, in an unrolled loop, before the vector step takes over.
///
/// Why not the vector step alone: the length it computes is data, so the address of every
/// later token waits for the window's load and mask (about 15 cycles), once per string. The
/// byte loop ends on a branch, which the CPU predicts and runs past, and an object's strings
/// are what repeats most in JSON (the same keys, in the same order, in every object of an
/// array, and their values often of similar length), so the lengths are learnt. Timed against
/// the vector step alone (g++ and clang, with and without SIMD; docs/benchmarks.md, fifth
/// round), json::validate of the benchmark's 1 MB array of objects (w4) takes 25-40% less
/// time, and about 25-40% less on w2, w3 and arrays of objects with random key lengths,
/// although it runs more instructions. Array elements keep the vector step: a short text's
/// strings (an event name) have no later tokens to wait for, and the byte loop only costs
/// instructions there.
template <bool Lossy = false>
SIOCODEC_ALWAYS_INLINE scan_result validate_member_string(const char* p, const char* end,
                                                          const char* lo) noexcept {
  if (SIOCODEC_LIKELY(end - p >= 16)) {
    SIOCODEC_UNROLL_16
    for (int i = 0; i < 16; ++i) {
      const auto c = static_cast<unsigned char>(p[i]);
      if (string_stop.v[c] != 0) {
        if (SIOCODEC_LIKELY(c == '"')) return {p + i + 1, error::none};
        return validate_string_rest<Lossy>(p + i, end);
      }
    }
    return validate_string_rest<Lossy>(scan_string(p + 16, end), end);
  }
  return validate_string<Lossy>(p, end, lo);
}

/// What the byte right after a run of digits means to a number: 0 the number ends there, 1 a
/// `.`, 2 an `e` or `E`, 3 a digit, `+` or `-`. Right after a complete number, any byte but a 0
/// means the number itself was malformed (`01`, `1.5.3`, `1e5e3`, `1-2`) rather than that some
/// other token is misplaced.
struct number_follow_table {
  std::uint8_t v[256] = {};
  constexpr number_follow_table() noexcept {
    for (int c = '0'; c <= '9'; ++c) v[c] = 3;
    v[static_cast<unsigned char>('+')] = 3;
    v[static_cast<unsigned char>('-')] = 3;
    v[static_cast<unsigned char>('.')] = 1;
    v[static_cast<unsigned char>('e')] = 2;
    v[static_cast<unsigned char>('E')] = 2;
  }
};
inline constexpr number_follow_table number_follow{};

SIOCODEC_ALWAYS_INLINE unsigned number_follow_class(char c) noexcept {
  return number_follow.v[static_cast<unsigned char>(c)];
}

/// validate_number(), inlined into the validator's loop (no call per number).
SIOCODEC_ALWAYS_INLINE scan_result validate_number_inline(const char* p, const char* end) noexcept {
  if (*p == '-') {
    ++p;
    if (p == end) return {end, error::invalid_json_number};
  }
  if (*p == '0') {
    ++p;
  } else if (is_digit(*p)) {
    do ++p;
    while (p != end && is_digit(*p));
  } else {
    return {p, error::invalid_json_number};
  }
  // One table lookup decides the usual case (the number ends: `,` `]` `}`); `.`, `e` and a
  // byte that continues the number (an error) take the branches below.
  if (p == end) return {p, error::none};
  unsigned follow = number_follow_class(*p);
  if (SIOCODEC_LIKELY(follow == 0)) return {p, error::none};
  if (follow == 1) {
    ++p;
    if (p == end) return {end, error::invalid_json_number};
    if (!is_digit(*p)) return {p, error::invalid_json_number};
    do ++p;
    while (p != end && is_digit(*p));
    if (p == end) return {p, error::none};
    follow = number_follow_class(*p);
    if (SIOCODEC_LIKELY(follow == 0)) return {p, error::none};
  }
  if (follow == 2) {
    ++p;
    if (p != end && (*p == '+' || *p == '-')) ++p;
    if (p == end) return {end, error::invalid_json_number};
    if (!is_digit(*p)) return {p, error::invalid_json_number};
    do ++p;
    while (p != end && is_digit(*p));
    if (p == end || number_follow_class(*p) == 0) return {p, error::none};
  }
  // A digit after a leading `0`, a sign, or a second `.` or exponent.
  return {p, error::invalid_json_number};
}

/// Validates a number starting at `p` (a '-' or a digit). No library calls: the grammar only.
/// The same check as validate_number_inline(), under a name the compiler is free not to inline:
/// the value accessors (value.hpp) and a top-level number call it once, and copying the whole
/// check into each of them would only grow the code.
inline scan_result validate_number(const char* p, const char* end) noexcept {
  return validate_number_inline(p, end);
}

/// Checks the rest of a literal whose first byte matched; `p` is at that first byte.
inline scan_result validate_literal(const char* p, const char* end, const char* word,
                                    std::size_t n) noexcept {
  for (std::size_t i = 1; i < n; ++i) {
    if (p + i == end) return {end, error::invalid_json};
    if (p[i] != word[i]) return {p + i, error::invalid_json};
  }
  return {p + n, error::none};
}

/// A 2-byte word, compared whole (`,"` between object members).
SIOCODEC_ALWAYS_INLINE std::uint16_t load16(const char* p) noexcept {
  std::uint16_t x;
  std::memcpy(&x, p, 2);
  return x;
}

/// The word load16() reads from the 2 bytes of `w`, whatever the byte order.
constexpr std::uint16_t word16(const char (&w)[3]) noexcept {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  return static_cast<std::uint16_t>(static_cast<unsigned char>(w[0]) << 8 |
                                    static_cast<unsigned char>(w[1]));
#else
  return static_cast<std::uint16_t>(static_cast<unsigned char>(w[0]) |
                                    static_cast<unsigned char>(w[1]) << 8);
#endif
}

/// A 4-byte word, compared whole (the literals `true`, `null` and `alse`).
SIOCODEC_ALWAYS_INLINE std::uint32_t load32(const char* p) noexcept {
  std::uint32_t x;
  std::memcpy(&x, p, 4);
  return x;
}

constexpr std::uint32_t word32(const char (&w)[5]) noexcept {
  // Memory order, whatever the byte order of the machine: compared only to a word loaded from
  // memory with load32(), built here the way memcpy would build it.
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  return static_cast<std::uint32_t>(static_cast<unsigned char>(w[0])) << 24 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(w[1])) << 16 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(w[2])) << 8 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(w[3]));
#else
  return static_cast<std::uint32_t>(static_cast<unsigned char>(w[0])) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(w[1])) << 8 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(w[2])) << 16 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(w[3])) << 24;
#endif
}

/// validate_literal() with the whole word compared in one load when the text is long enough;
/// a mismatch or a literal cut by the end goes the byte-by-byte way for the offset.
SIOCODEC_ALWAYS_INLINE scan_result validate_literal_fast(const char* p, const char* end) noexcept {
  switch (*p) {
    case 't':
      if (SIOCODEC_LIKELY(end - p >= 4 && load32(p) == word32("true"))) return {p + 4, error::none};
      return validate_literal(p, end, "true", 4);
    case 'f':
      if (SIOCODEC_LIKELY(end - p >= 5 && load32(p + 1) == word32("alse"))) {
        return {p + 5, error::none};
      }
      return validate_literal(p, end, "false", 5);
    default:
      if (SIOCODEC_LIKELY(end - p >= 4 && load32(p) == word32("null"))) return {p + 4, error::none};
      return validate_literal(p, end, "null", 4);
  }
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

inline kernel best_kernel() noexcept {
  for (kernel k : {kernel::avx512, kernel::avx2, kernel::sse2}) {
    if (kernel_supported(k)) return k;
  }
  return kernel::scalar;
}

namespace detail {
// First use: a set_kernel() that got in first wins; racing first uses store the same value.
inline kernel choose_kernel() noexcept {
  std::uint8_t k = kernel_unset;
  const auto best = static_cast<std::uint8_t>(best_kernel());
  if (kernel_slot().compare_exchange_strong(k, best, std::memory_order_relaxed)) k = best;
  return static_cast<kernel>(k);
}
}  // namespace detail

inline kernel active_kernel() noexcept {
  const std::uint8_t k = detail::kernel_slot().load(std::memory_order_relaxed);
  if (SIOCODEC_LIKELY(k != detail::kernel_unset)) return static_cast<kernel>(k);
  return detail::choose_kernel();
}

inline bool set_kernel(kernel k) noexcept {
  if (!kernel_supported(k)) return false;
  detail::kernel_slot().store(static_cast<std::uint8_t>(k), std::memory_order_relaxed);
  return true;
}

namespace detail {

/// What validate_text() notes on its way through the text, for a caller that looks at the
/// top-level value and its first element right after validating (the Socket.IO decoder checks
/// the event name): with it, nothing is walked twice. Set only on success.
struct text_info {
  /// The top-level value, without the whitespace around it.
  const char* value_begin = nullptr;
  const char* value_end = nullptr;
  /// The first element of a top-level array (null when the array is empty or the value is not
  /// an array; for a top-level object: the first member's value, meaningless).
  const char* first_begin = nullptr;
  const char* first_end = nullptr;
  /// The first element is a string holding a backslash escape.
  bool first_escaped = false;
};

/// validate(), also filling `*info` when Info is true.
/// Lossy: strings may hold bytes that are not UTF-8 (decode_options::allow_invalid_utf8).
template <bool Info, bool Lossy = false>
result<kind> validate_text(std::string_view text, const options& opts, text_info* info) noexcept;

}  // namespace detail

inline result<kind> validate(std::string_view text, const options& opts) noexcept {
  return detail::validate_text<false>(text, opts, nullptr);
}

template <bool Info, bool Lossy>
result<kind> detail::validate_text(std::string_view text, const options& opts,
                                   text_info* info) noexcept {
  const char* const begin = text.data();
  const char* const end = begin + text.size();
  const std::size_t max_depth = opts.max_depth < max_depth_limit ? opts.max_depth : max_depth_limit;
  // One bit per open container, 1 = object. Nothing is cleared up front: a word is written
  // whole when the first container of its 64 levels opens, and a bit is only read below the
  // current depth, so it was written by the push that opened its level. The bits are read only
  // when a container closes: while one is open, where the code is says which kind it is (the
  // object and array paths below are separate), so no token pays for a lookup.
  std::uint64_t stack[max_depth_limit / 64];
  std::size_t depth = 0;
  // Info: the depth at which the next value to end is the first element of the top-level
  // container: 1 until that element has ended, then 0, which no value inside a container has.
  [[maybe_unused]] std::size_t first_depth = 1;
  const auto fail = [begin](const char* at, error e) {
    return result<kind>(e, static_cast<std::size_t>(at - begin));
  };
  // Every local is declared before the first goto (none may be jumped over).
  kind top = kind::null;
  scan_result r{nullptr, error::none};
  std::uint64_t bit = 0;

  const char* p = skip_ws(begin, end);
  if (p == end) return fail(end, error::invalid_json);
  if constexpr (Info) info->value_begin = p;
  // A Socket.IO event or ack payload: an array at depth 0, whose push needs none of
  // open_array's general steps (level 0 is bit 0 of word 0, and no other word is in use).
  // `goto open_array` here instead was measured: 4 more instructions per w1 decode (449).
  if (SIOCODEC_LIKELY(*p == '[')) {
    top = kind::array;
    if (SIOCODEC_UNLIKELY(max_depth == 0)) return fail(p, error::nesting_too_deep);
    stack[0] = 0;
    depth = 1;
    p = skip_ws(p + 1, end);
    if (p != end && *p == ']') {
      ++p;
      goto close;
    }
    if constexpr (Info) info->first_begin = p;
    goto array_value;
  }
  switch (*p) {
    case '{': top = kind::object; goto open_object;
    case '"':
      top = kind::string;
      r = validate_string<Lossy>(p + 1, end, begin);
      break;
    case 't':
    case 'f':
      top = kind::boolean;
      r = validate_literal_fast(p, end);
      break;
    case 'n':
      top = kind::null;
      r = validate_literal_fast(p, end);
      break;
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
      top = kind::number;
      r = validate_number(p, end);
      break;
    case '.':
    case '+': return fail(p, error::invalid_json_number);
    default: return fail(p, error::invalid_json);
  }
  if (r.ec != error::none) return fail(r.p, r.ec);
  p = r.p;
  goto done;

// ---- objects: p at the `{` -------------------------------------------------------------------
open_object:
  if (depth >= max_depth) return fail(p, error::nesting_too_deep);
  bit = std::uint64_t{1} << (depth % 64);
  stack[depth / 64] = (depth % 64 == 0 ? 0 : stack[depth / 64]) | bit;
  ++depth;
  p = skip_ws(p + 1, end);
  if (p != end && *p == '}') {
    ++p;
    goto close;
  }
  if constexpr (Info) {
    if (depth == 1) info->first_begin = p;
  }
object_key:
  // p is where a key must start. Whitespace is skipped only where a byte does not fit (here and
  // below): compact JSON has none, and a check of the expected byte first costs nothing more.
  if (p == end) return fail(end, error::invalid_json);
  if (SIOCODEC_UNLIKELY(static_cast<unsigned char>(*p) <= 0x20)) {
    p = skip_ws_rest(p, end);
    if (p == end) return fail(end, error::invalid_json);
  }
  if (*p != '"') return fail(p, error::invalid_json);
object_key_quote:
  // p is at the key's opening quote.
  r = validate_member_string<Lossy>(p + 1, end, begin);
  if (r.ec != error::none) return fail(r.p, r.ec);
  p = r.p;
  // Compact JSON: the `:` and then the value's first byte; else the same checks one by one.
  if (SIOCODEC_UNLIKELY(end - p < 2 || *p != ':' || static_cast<unsigned char>(p[1]) <= 0x20)) {
    p = skip_ws(p, end);
    if (p == end) return fail(end, error::invalid_json);
    if (*p != ':') return fail(p, error::invalid_json);
    p = skip_ws(p + 1, end);
    if (p == end) return fail(end, error::invalid_json);
  } else {
    ++p;
  }
  // Most frequent first (numbers, then strings), in a chain rather than a switch: a jump
  // table's range checks and indirect branch cost more than the two compares to a number.
  if (SIOCODEC_LIKELY(is_digit(*p) || *p == '-')) {
    r = validate_number_inline(p, end);
  } else if (*p == '"') {
    r = validate_member_string<Lossy>(p + 1, end, begin);
    if constexpr (Info) {
      if (depth == first_depth) info->first_escaped = r.escaped;
    }
  } else if (*p == '{') {
    goto open_object;
  } else if (*p == '[') {
    goto open_array;
  } else if (*p == 't' || *p == 'f' || *p == 'n') {
    r = validate_literal_fast(p, end);
  } else if (*p == '.' || *p == '+') {
    return fail(p, error::invalid_json_number);
  } else {
    return fail(p, error::invalid_json);
  }
  if (r.ec != error::none) return fail(r.p, r.ec);
  p = r.p;
  if constexpr (Info) {
    if (depth == first_depth) {
      info->first_end = p;
      first_depth = 0;
    }
  }
object_next:
  // p is just past a member's value. Compact JSON: `,` and the next key's quote.
  if (SIOCODEC_LIKELY(end - p >= 2 && load16(p) == word16(",\""))) {
    ++p;
    goto object_key_quote;
  }
  if (p == end) return fail(end, error::invalid_json);
  if (SIOCODEC_UNLIKELY(static_cast<unsigned char>(*p) <= 0x20)) {
    p = skip_ws_rest(p, end);
    if (p == end) return fail(end, error::invalid_json);
  }
  if (*p == ',') {
    ++p;
    goto object_key;
  }
  if (*p != '}') return fail(p, error::invalid_json);
  ++p;
  goto close;

// ---- arrays: p at the `[` --------------------------------------------------------------------
open_array:
  if (depth >= max_depth) return fail(p, error::nesting_too_deep);
  bit = std::uint64_t{1} << (depth % 64);
  stack[depth / 64] = (depth % 64 == 0 ? 0 : stack[depth / 64]) & ~bit;
  ++depth;
  p = skip_ws(p + 1, end);
  if (p != end && *p == ']') {
    ++p;
    goto close;
  }
  if constexpr (Info) {
    if (depth == 1) info->first_begin = p;
  }
array_value:
  // p is where an element must start.
  if (p == end) return fail(end, error::invalid_json);
  if (SIOCODEC_UNLIKELY(static_cast<unsigned char>(*p) <= 0x20)) {
    p = skip_ws_rest(p, end);
    if (p == end) return fail(end, error::invalid_json);
  }
array_value_byte:
  // p is at the element's first byte, which is not whitespace.
  // Most frequent first (numbers, then strings), in a chain rather than a switch: a jump
  // table's range checks and indirect branch cost more than the two compares to a number.
  if (SIOCODEC_LIKELY(is_digit(*p) || *p == '-')) {
    r = validate_number_inline(p, end);
  } else if (*p == '"') {
    r = validate_string<Lossy>(p + 1, end, begin);
    if constexpr (Info) {
      if (depth == first_depth) info->first_escaped = r.escaped;
    }
  } else if (*p == '{') {
    goto open_object;
  } else if (*p == '[') {
    goto open_array;
  } else if (*p == 't' || *p == 'f' || *p == 'n') {
    r = validate_literal_fast(p, end);
  } else if (*p == '.' || *p == '+') {
    return fail(p, error::invalid_json_number);
  } else {
    return fail(p, error::invalid_json);
  }
  if (r.ec != error::none) return fail(r.p, r.ec);
  p = r.p;
  if constexpr (Info) {
    if (depth == first_depth) {
      info->first_end = p;
      first_depth = 0;
    }
  }
array_next:
  // p is just past an element. Compact JSON: `,` and the next element's first byte.
  if (SIOCODEC_LIKELY(end - p >= 2 && p[0] == ',' && static_cast<unsigned char>(p[1]) > 0x20)) {
    ++p;
    goto array_value_byte;
  }
  if (p == end) return fail(end, error::invalid_json);
  if (SIOCODEC_UNLIKELY(static_cast<unsigned char>(*p) <= 0x20)) {
    p = skip_ws_rest(p, end);
    if (p == end) return fail(end, error::invalid_json);
  }
  if (*p == ',') {
    ++p;
    goto array_value;
  }
  if (*p != ']') return fail(p, error::invalid_json);
  ++p;
  // on to close

close:
  // p is just past a `]` or `}` that closed the container at `depth`.
  --depth;
  if (depth == 0) goto done;
  if constexpr (Info) {
    if (depth == first_depth) {
      info->first_end = p;
      first_depth = 0;
    }
  }
  if (((stack[(depth - 1) / 64] >> ((depth - 1) % 64)) & 1u) != 0) goto object_next;
  goto array_next;

done:
  // p is just past the top-level value.
  if constexpr (Info) info->value_end = p;
  p = skip_ws(p, end);
  if (p != end) return fail(p, error::invalid_json);
  return result<kind>(top, text.size());
}

}  // namespace json
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_JSON_VALIDATE_HPP
