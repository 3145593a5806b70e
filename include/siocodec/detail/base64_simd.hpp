// SPDX-License-Identifier: BSL-1.0
// Base64 block kernels for SSSE3, AVX2, AVX-512 VBMI and NEON (the dispatch is in base64.hpp).
#ifndef SIOCODEC_DETAIL_BASE64_SIMD_HPP
#define SIOCODEC_DETAIL_BASE64_SIMD_HPP

#include <siocodec/config.hpp>
#include <siocodec/detail/cpu.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#if SIOCODEC_X86_SIMD
#include <immintrin.h>
#endif
#if SIOCODEC_NEON_SIMD
#include <arm_neon.h>
#endif

// The contract of every kernel below.
//
// decode_<isa><Store>(in, n, out): n is a multiple of 4. Decodes the leading blocks of `in` that
// hold only digits of the standard alphabet ('=' included in "not a digit") into 3 bytes per 4
// characters at `out`, or only validates them when Store is false (then `out` is null). Stops
// before the first block that holds anything else, or where too few characters are left.
// Returns the characters consumed (a multiple of 4) and writes exactly consumed / 4 * 3 bytes:
// never more, because in lax mode `out` is sized for what lax decoding produces, which can be
// less than n / 4 * 3. The caller finds the exact offset of an offending character with the
// scalar code, starting at the returned offset. Store is a template argument so that validating
// compiles without the stores; base64/kernel.hpp chooses it once for every kernel (decode_neon
// takes no Store and tests `out` instead).
//
// encode_<isa>(in, n, out): encodes leading whole 3-byte groups of the n bytes at `in` into 4
// characters each at `out`. Returns the bytes consumed (a multiple of 3; the caller encodes the
// rest). Never reads past in + n, writes exactly consumed / 3 * 4 characters.

SIOCODEC_BEGIN_NAMESPACE
namespace base64 {
namespace detail {

// The two tables of the table-driven kernels (AVX-512, NEON): `decode`, a digit's value for each
// of the 128 ASCII characters (`not_digit` for the others), and `alphabet`, each value's digit.
template <class Tables>
constexpr void fill_lookup_tables(Tables& t, unsigned char not_digit) noexcept {
  using digit = std::remove_reference_t<decltype(t.alphabet[0])>;
  constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (unsigned c = 0; c < 128; ++c) t.decode[c] = not_digit;
  for (unsigned v = 0; v < 64; ++v) {
    t.decode[static_cast<unsigned char>(alphabet[v])] = static_cast<unsigned char>(v);
    t.alphabet[v] = static_cast<digit>(alphabet[v]);
  }
}

#if SIOCODEC_X86_SIMD

// ---- 128-bit steps (SSSE3), also the tails of the AVX2 kernels ------------------------------
//
// Decoding (the nibble-lookup method of Muła and Lemire, "Faster Base64 Encoding and Decoding
// Using AVX2 Instructions", 2018): a byte is a digit when the class bits that its low nibble
// rules out and the class its high nibble belongs to do not meet. Classes: 0x01 high nibble 2
// ('+' at B, '/' at F), 0x02 high nibble 3 ('0'-'9' at 0-9), 0x04 high nibbles 4 and 6 (letters
// at 1-F), 0x08 high nibbles 5 and 7 (letters at 0-A), 0x10 every other high nibble (nothing).
// The value is the byte plus an offset chosen by the high nibble ('/' moved to a slot of its
// own); multiply-adds then pack four 6-bit values into 3 bytes.

SIOCODEC_ALWAYS_INLINE __m128i b64_lut_lo() noexcept {
  return _mm_setr_epi8(0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A, 0x1B,
                       0x1B, 0x1B, 0x1A);
}
SIOCODEC_ALWAYS_INLINE __m128i b64_lut_hi() noexcept {
  return _mm_setr_epi8(0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10,
                       0x10, 0x10, 0x10);
}
// Offset from character to value by high nibble: 1 is '/' (47 -> 63), 2 '+' (43 -> 62),
// 3 digits ('0' 48 -> 52), 4-5 'A'-'Z' (65 -> 0), 6-7 'a'-'z' (97 -> 26).
SIOCODEC_ALWAYS_INLINE __m128i b64_lut_roll() noexcept {
  return _mm_setr_epi8(0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
}
// The three bytes of each packed 32-bit group (value v0 << 18 | v1 << 12 | v2 << 6 | v3, little
// endian) in stream order, four groups into the low 12 bytes.
SIOCODEC_ALWAYS_INLINE __m128i b64_pack_shuffle() noexcept {
  return _mm_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
}
// Encoding: each 32-bit lane gets the bytes [b, a, c, b] of its group (a, b, c), so that the
// low 16 bits are a:b and the high 16 bits b:c, and each 6-bit index is one mask and one
// 16-bit multiply away from its byte (Muła's method).
SIOCODEC_ALWAYS_INLINE __m128i b64_spread_shuffle() noexcept {
  return _mm_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10);
}
// Index to character: index + offset, the offset looked up from a code that is 13 for 0-25
// ('A'), 0 for 26-51 ('a' - 26), 1-10 for 52-61 ('0' - 52), 11 for 62 ('+') and 12 for 63 ('/').
SIOCODEC_ALWAYS_INLINE __m128i b64_lut_offset() noexcept {
  return _mm_setr_epi8(71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -19, -16, 65, 0, 0);
}

SIOCODEC_TARGET_SSSE3 SIOCODEC_ALWAYS_INLINE __m128i ssse3_decode16(__m128i in, int& bad) noexcept {
  const __m128i nibble = _mm_set1_epi8(0x0F);
  const __m128i hi = _mm_and_si128(_mm_srli_epi32(in, 4), nibble);
  const __m128i lo = _mm_and_si128(in, nibble);
  const __m128i flags =
      _mm_and_si128(_mm_shuffle_epi8(b64_lut_lo(), lo), _mm_shuffle_epi8(b64_lut_hi(), hi));
  bad = _mm_movemask_epi8(_mm_cmpeq_epi8(flags, _mm_setzero_si128())) ^ 0xFFFF;
  const __m128i slash = _mm_cmpeq_epi8(in, _mm_set1_epi8('/'));
  const __m128i values =
      _mm_add_epi8(in, _mm_shuffle_epi8(b64_lut_roll(), _mm_add_epi8(slash, hi)));
  const __m128i pairs = _mm_maddubs_epi16(values, _mm_set1_epi32(0x01400140));
  const __m128i groups = _mm_madd_epi16(pairs, _mm_set1_epi32(0x00011000));
  return _mm_shuffle_epi8(groups, b64_pack_shuffle());
}

SIOCODEC_TARGET_SSSE3 SIOCODEC_ALWAYS_INLINE void ssse3_store12(unsigned char* out,
                                                                __m128i v) noexcept {
  _mm_storel_epi64(reinterpret_cast<__m128i*>(out), v);
  const auto last = static_cast<std::uint32_t>(_mm_cvtsi128_si32(_mm_unpackhi_epi64(v, v)));
  std::memcpy(out + 8, &last, 4);
}

// Four groups (12 bytes of `in`, 16 loaded) -> 16 characters.
SIOCODEC_TARGET_SSSE3 SIOCODEC_ALWAYS_INLINE __m128i ssse3_encode12(__m128i in) noexcept {
  const __m128i s = _mm_shuffle_epi8(in, b64_spread_shuffle());
  const __m128i i0_i2 =
      _mm_mulhi_epu16(_mm_and_si128(s, _mm_set1_epi32(0x0FC0FC00)), _mm_set1_epi32(0x04000040));
  const __m128i i1_i3 =
      _mm_mullo_epi16(_mm_and_si128(s, _mm_set1_epi32(0x003F03F0)), _mm_set1_epi32(0x01000010));
  const __m128i idx = _mm_or_si128(i0_i2, i1_i3);
  const __m128i code =
      _mm_or_si128(_mm_subs_epu8(idx, _mm_set1_epi8(51)),
                   _mm_and_si128(_mm_cmpgt_epi8(_mm_set1_epi8(26), idx), _mm_set1_epi8(13)));
  return _mm_add_epi8(idx, _mm_shuffle_epi8(b64_lut_offset(), code));
}

template <bool Store>
SIOCODEC_TARGET_SSSE3 SIOCODEC_ALWAYS_INLINE std::size_t ssse3_decode_loop(
    const char* in, std::size_t i, std::size_t n, unsigned char* out) noexcept {
  for (; n - i >= 16; i += 16) {
    int bad;
    const __m128i v =
        ssse3_decode16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i)), bad);
    if (bad != 0) break;
    if constexpr (Store) ssse3_store12(out + i / 4 * 3, v);
  }
  return i;
}

SIOCODEC_TARGET_SSSE3 SIOCODEC_ALWAYS_INLINE std::size_t ssse3_encode_loop(const unsigned char* in,
                                                                           std::size_t i,
                                                                           std::size_t n,
                                                                           char* out) noexcept {
  for (; n - i >= 16; i += 12) {  // 16 bytes read, 12 used
    const __m128i v = ssse3_encode12(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i / 3 * 4), v);
  }
  return i;
}

template <bool Store>
SIOCODEC_TARGET_SSSE3 inline std::size_t decode_ssse3(const char* in, std::size_t n,
                                                      unsigned char* out) noexcept {
  return ssse3_decode_loop<Store>(in, 0, n, out);
}

SIOCODEC_TARGET_SSSE3 inline std::size_t encode_ssse3(const unsigned char* in, std::size_t n,
                                                      char* out) noexcept {
  return ssse3_encode_loop(in, 0, n, out);
}

// ---- AVX2: the same in both 128-bit lanes -----------------------------------------------------

SIOCODEC_TARGET_AVX2 SIOCODEC_ALWAYS_INLINE __m256i avx2_decode32(__m256i in,
                                                                  std::uint32_t& bad) noexcept {
  const __m256i nibble = _mm256_set1_epi8(0x0F);
  const __m256i hi = _mm256_and_si256(_mm256_srli_epi32(in, 4), nibble);
  const __m256i lo = _mm256_and_si256(in, nibble);
  const __m256i flags =
      _mm256_and_si256(_mm256_shuffle_epi8(_mm256_broadcastsi128_si256(b64_lut_lo()), lo),
                       _mm256_shuffle_epi8(_mm256_broadcastsi128_si256(b64_lut_hi()), hi));
  bad = ~static_cast<std::uint32_t>(
      _mm256_movemask_epi8(_mm256_cmpeq_epi8(flags, _mm256_setzero_si256())));
  const __m256i slash = _mm256_cmpeq_epi8(in, _mm256_set1_epi8('/'));
  const __m256i values = _mm256_add_epi8(
      in,
      _mm256_shuffle_epi8(_mm256_broadcastsi128_si256(b64_lut_roll()), _mm256_add_epi8(slash, hi)));
  const __m256i pairs = _mm256_maddubs_epi16(values, _mm256_set1_epi32(0x01400140));
  const __m256i groups = _mm256_madd_epi16(pairs, _mm256_set1_epi32(0x00011000));
  const __m256i lanes =
      _mm256_shuffle_epi8(groups, _mm256_broadcastsi128_si256(b64_pack_shuffle()));
  // 12 bytes at the bottom of each lane -> 24 contiguous bytes.
  return _mm256_permutevar8x32_epi32(lanes, _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 3, 7));
}

SIOCODEC_TARGET_AVX2 SIOCODEC_ALWAYS_INLINE void avx2_store24(unsigned char* out,
                                                              __m256i v) noexcept {
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm256_castsi256_si128(v));
  _mm_storel_epi64(reinterpret_cast<__m128i*>(out + 16), _mm256_extracti128_si256(v, 1));
}

// Eight groups: bytes [0, 16) in the low lane and [12, 28) in the high one, 24 used.
SIOCODEC_TARGET_AVX2 SIOCODEC_ALWAYS_INLINE __m256i
avx2_encode24(const unsigned char* in) noexcept {
  const __m256i v = _mm256_inserti128_si256(
      _mm256_castsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in))),
      _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 12)), 1);
  const __m256i s = _mm256_shuffle_epi8(v, _mm256_broadcastsi128_si256(b64_spread_shuffle()));
  const __m256i i0_i2 = _mm256_mulhi_epu16(_mm256_and_si256(s, _mm256_set1_epi32(0x0FC0FC00)),
                                           _mm256_set1_epi32(0x04000040));
  const __m256i i1_i3 = _mm256_mullo_epi16(_mm256_and_si256(s, _mm256_set1_epi32(0x003F03F0)),
                                           _mm256_set1_epi32(0x01000010));
  const __m256i idx = _mm256_or_si256(i0_i2, i1_i3);
  const __m256i code = _mm256_or_si256(
      _mm256_subs_epu8(idx, _mm256_set1_epi8(51)),
      _mm256_and_si256(_mm256_cmpgt_epi8(_mm256_set1_epi8(26), idx), _mm256_set1_epi8(13)));
  return _mm256_add_epi8(idx,
                         _mm256_shuffle_epi8(_mm256_broadcastsi128_si256(b64_lut_offset()), code));
}

template <bool Store>
SIOCODEC_TARGET_AVX2 inline std::size_t decode_avx2(const char* in, std::size_t n,
                                                    unsigned char* out) noexcept {
  std::size_t i = 0;
  // Two blocks per step, one test for both: inputs are nearly always valid.
  for (; n - i >= 64; i += 64) {
    std::uint32_t bad_a;
    std::uint32_t bad_b;
    const __m256i a =
        avx2_decode32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i)), bad_a);
    const __m256i b =
        avx2_decode32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i + 32)), bad_b);
    if ((bad_a | bad_b) != 0) break;
    if constexpr (Store) {
      avx2_store24(out + i / 4 * 3, a);
      avx2_store24(out + i / 4 * 3 + 24, b);
    }
  }
  for (; n - i >= 32; i += 32) {
    std::uint32_t bad;
    const __m256i v =
        avx2_decode32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i)), bad);
    if (bad != 0) return i;
    if constexpr (Store) avx2_store24(out + i / 4 * 3, v);
  }
  return ssse3_decode_loop<Store>(in, i, n, out);
}

SIOCODEC_TARGET_AVX2 inline std::size_t encode_avx2(const unsigned char* in, std::size_t n,
                                                    char* out) noexcept {
  std::size_t i = 0;
  for (; n - i >= 28; i += 24) {  // 28 bytes read, 24 used
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i / 3 * 4), avx2_encode24(in + i));
  }
  return ssse3_encode_loop(in, i, n, out);
}

// ---- AVX-512 VBMI: whole-register byte permutes -----------------------------------------------
//
// Decoding looks each character up in a 128-entry table with one two-table permute (vpermi2b),
// invalid entries 0x80; a character from 0x80 up aliases an ASCII entry, so it is caught by its
// own top bit. Encoding gathers the group bytes with vpermb, cuts out the four 6-bit fields with
// one multishift (vpmultishiftqb), and maps them through the alphabet with vpermb, which reads
// only the low 6 bits of each index.

// GCC 12 warns inside its own AVX-512 intrinsics (`__m512i __Y = __Y;` in
// _mm512_undefined_epi32, GCC bug 105593, fixed in GCC 13).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

struct avx512_tables {
  alignas(64) unsigned char decode[128];
  alignas(64) char alphabet[64];
  alignas(64) unsigned char pack[64];    // 16 groups of 4 values -> 48 bytes
  alignas(64) unsigned char spread[64];  // 16 groups of 3 bytes -> [b, a, c, b] per lane
};

constexpr avx512_tables make_avx512_tables() noexcept {
  avx512_tables t{};
  fill_lookup_tables(t, 0x80);
  for (std::size_t k = 0; k < 16; ++k) {
    t.pack[3 * k] = static_cast<unsigned char>(4 * k + 2);
    t.pack[3 * k + 1] = static_cast<unsigned char>(4 * k + 1);
    t.pack[3 * k + 2] = static_cast<unsigned char>(4 * k);
    t.spread[4 * k] = static_cast<unsigned char>(3 * k + 1);
    t.spread[4 * k + 1] = static_cast<unsigned char>(3 * k);
    t.spread[4 * k + 2] = static_cast<unsigned char>(3 * k + 2);
    t.spread[4 * k + 3] = static_cast<unsigned char>(3 * k + 1);
  }
  return t;
}

inline constexpr avx512_tables avx512_table = make_avx512_tables();

// The bit offsets of the four fields in the lanes [b, a, c, b] of a 64-bit word: a >> 2 at 10,
// a:b at 4, b:c at 22, c at 16; the second lane 32 bits up.
constexpr long long avx512_field_offsets = 0x3036242A1016040ALL;

SIOCODEC_TARGET_AVX512VBMI SIOCODEC_ALWAYS_INLINE __m512i avx512_pack48(__m512i values) noexcept {
  const __m512i pairs = _mm512_maddubs_epi16(values, _mm512_set1_epi32(0x01400140));
  const __m512i groups = _mm512_madd_epi16(pairs, _mm512_set1_epi32(0x00011000));
  return _mm512_permutexvar_epi8(_mm512_load_si512(avx512_table.pack), groups);
}

SIOCODEC_TARGET_AVX512VBMI SIOCODEC_ALWAYS_INLINE __m512i avx512_encode48(__m512i in) noexcept {
  const __m512i s = _mm512_permutexvar_epi8(_mm512_load_si512(avx512_table.spread), in);
  const __m512i idx = _mm512_multishift_epi64_epi8(_mm512_set1_epi64(avx512_field_offsets), s);
  return _mm512_permutexvar_epi8(idx, _mm512_load_si512(avx512_table.alphabet));
}

// The low `k` bits set, k <= 64.
constexpr std::uint64_t low_bits(std::size_t k) noexcept {
  return k >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << k) - 1;
}

template <bool Store>
SIOCODEC_TARGET_AVX512VBMI inline std::size_t decode_avx512(const char* in, std::size_t n,
                                                            unsigned char* out) noexcept {
  const __m512i lo = _mm512_load_si512(avx512_table.decode);
  const __m512i hi = _mm512_load_si512(avx512_table.decode + 64);
  std::size_t i = 0;
  for (; n - i >= 64; i += 64) {
    const __m512i c = _mm512_loadu_si512(in + i);
    const __m512i v = _mm512_permutex2var_epi8(lo, c, hi);
    if (_mm512_movepi8_mask(_mm512_or_si512(v, c)) != 0) return i;
    if constexpr (Store) {
      // Two plain stores of exactly 48 bytes: masked stores are slow on some cores.
      const __m512i bytes = avx512_pack48(v);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i / 4 * 3),
                          _mm512_castsi512_si256(bytes));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i / 4 * 3 + 32),
                       _mm512_extracti32x4_epi32(bytes, 2));
    }
  }
  if (i == n) return i;
  // The last 4 to 60 characters, with masked loads and stores: masked-off bytes are neither
  // read nor written (no fault, no out-of-bounds access).
  const __mmask64 loaded = low_bits(n - i);
  const __m512i c = _mm512_maskz_loadu_epi8(loaded, in + i);
  const __m512i v = _mm512_permutex2var_epi8(lo, c, hi);
  if ((_mm512_movepi8_mask(_mm512_or_si512(v, c)) & loaded) != 0) return i;
  if constexpr (Store) {
    _mm512_mask_storeu_epi8(out + i / 4 * 3, low_bits((n - i) / 4 * 3), avx512_pack48(v));
  }
  return n;
}

SIOCODEC_TARGET_AVX512VBMI inline std::size_t encode_avx512(const unsigned char* in, std::size_t n,
                                                            char* out) noexcept {
  std::size_t i = 0;
  for (; n - i >= 64; i += 48) {  // 64 bytes read, 48 used
    _mm512_storeu_si512(out + i / 3 * 4, avx512_encode48(_mm512_loadu_si512(in + i)));
  }
  // The rest, whole groups only: at most two masked steps (48 bytes, then fewer).
  while (n - i >= 3) {
    const std::size_t take = n - i >= 48 ? 48 : (n - i) / 3 * 3;
    const __m512i v = avx512_encode48(_mm512_maskz_loadu_epi8(low_bits(take), in + i));
    _mm512_mask_storeu_epi8(out + i / 3 * 4, low_bits(take / 3 * 4), v);
    i += take;
  }
  return i;
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#endif  // SIOCODEC_X86_SIMD

#if SIOCODEC_NEON_SIMD

// ---- NEON (AArch64): 64 characters <-> 48 bytes per step -------------------------------------
//
// The structure loads and stores (ld4/st4, ld3/st3) de-interleave the groups, so each register
// holds one place of 16 groups and the bit shuffling is plain shifts; the tables are 64-byte
// four-register lookups (tbl/tbx), which give 0 (tbl) or leave the lane alone (tbx) for an
// index out of range.

struct neon_tables {
  unsigned char decode[128];  // 0xFF: not a digit
  unsigned char alphabet[64];
};

constexpr neon_tables make_neon_tables() noexcept {
  neon_tables t{};
  fill_lookup_tables(t, 0xFF);
  return t;
}

inline constexpr neon_tables neon_table = make_neon_tables();

inline uint8x16x4_t neon_load64(const unsigned char* p) noexcept {
  uint8x16x4_t t;
  t.val[0] = vld1q_u8(p);
  t.val[1] = vld1q_u8(p + 16);
  t.val[2] = vld1q_u8(p + 32);
  t.val[3] = vld1q_u8(p + 48);
  return t;
}

inline std::size_t decode_neon(const char* in, std::size_t n, unsigned char* out) noexcept {
  const auto* s = reinterpret_cast<const unsigned char*>(in);
  const uint8x16x4_t lo = neon_load64(neon_table.decode);
  const uint8x16x4_t hi = neon_load64(neon_table.decode + 64);
  const uint8x16_t sixty_four = vdupq_n_u8(64);
  std::size_t i = 0;
  for (; n - i >= 64; i += 64) {
    const uint8x16x4_t c = vld4q_u8(s + i);
    uint8x16_t v[4];
    uint8x16_t bad = vdupq_n_u8(0);
    for (int k = 0; k < 4; ++k) {
      // 0-63 from `lo`; 64-127 from `hi`; from 128 up 0, caught by the character's top bit.
      v[k] = vqtbx4q_u8(vqtbl4q_u8(lo, c.val[k]), hi, vsubq_u8(c.val[k], sixty_four));
      bad = vorrq_u8(bad, vorrq_u8(v[k], c.val[k]));
    }
    if ((vmaxvq_u8(bad) & 0x80) != 0) break;
    if (out != nullptr) {
      uint8x16x3_t o;
      o.val[0] = vorrq_u8(vshlq_n_u8(v[0], 2), vshrq_n_u8(v[1], 4));
      o.val[1] = vorrq_u8(vshlq_n_u8(v[1], 4), vshrq_n_u8(v[2], 2));
      o.val[2] = vorrq_u8(vshlq_n_u8(v[2], 6), v[3]);
      vst3q_u8(out + i / 4 * 3, o);
    }
  }
  return i;
}

inline std::size_t encode_neon(const unsigned char* in, std::size_t n, char* out) noexcept {
  const uint8x16x4_t alphabet = neon_load64(neon_table.alphabet);
  const uint8x16_t low6 = vdupq_n_u8(63);
  std::size_t i = 0;
  for (; n - i >= 48; i += 48) {
    const uint8x16x3_t b = vld3q_u8(in + i);
    uint8x16x4_t d;
    d.val[0] = vshrq_n_u8(b.val[0], 2);
    d.val[1] = vandq_u8(vorrq_u8(vshlq_n_u8(b.val[0], 4), vshrq_n_u8(b.val[1], 4)), low6);
    d.val[2] = vandq_u8(vorrq_u8(vshlq_n_u8(b.val[1], 2), vshrq_n_u8(b.val[2], 6)), low6);
    d.val[3] = vandq_u8(b.val[2], low6);
    for (int k = 0; k < 4; ++k) d.val[k] = vqtbl4q_u8(alphabet, d.val[k]);
    vst4q_u8(reinterpret_cast<unsigned char*>(out + i / 3 * 4), d);
  }
  return i;
}

#endif  // SIOCODEC_NEON_SIMD

}  // namespace detail
}  // namespace base64
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_DETAIL_BASE64_SIMD_HPP
