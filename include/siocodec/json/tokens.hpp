// SPDX-License-Identifier: BSL-1.0
// The JSON validator's token checks: one string, number or literal each, no allocation.
#ifndef SIOCODEC_JSON_TOKENS_HPP
#define SIOCODEC_JSON_TOKENS_HPP

#include <siocodec/config.hpp>
#include <siocodec/detail/utf8.hpp>
#include <siocodec/error.hpp>
#include <siocodec/json/scan.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>

SIOCODEC_BEGIN_NAMESPACE
namespace json {
namespace detail {

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
  errc ec;
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
    if (p == end) return {end, errc::invalid_json_string};
    const auto c = static_cast<unsigned char>(*p);
    if (c == '"') return {p + 1, errc::none, escaped};
    if (c == '\\') {
      escaped = true;
      ++p;
      if (p == end) return {end, errc::invalid_json_string};
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
            if (p == end) return {end, errc::invalid_json_string};
            if (hex_value(*p) > 15) return {p, errc::invalid_json_string};
          }
          break;
        default: return {p, errc::invalid_json_string};
      }
    } else if (c < 0x20) {
      return {p, errc::invalid_json_string};
    } else {
      // Non-ASCII text tends to come in runs (CJK, emoji): stay in this loop while it lasts.
      do {
        const std::size_t len = ::SIOCODEC_NAMESPACE::detail::utf8_sequence_length(
            reinterpret_cast<const unsigned char*>(p), reinterpret_cast<const unsigned char*>(end));
        if (len == 0) {
          if constexpr (!Lossy) return {p, errc::invalid_utf8};
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
      if (SIOCODEC_LIKELY(*p == '"')) return {p + 1, errc::none};
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
      if (SIOCODEC_LIKELY(*p == '"')) return {p + 1, errc::none};
      return validate_string_rest<Lossy>(p, end);
    }
    return validate_string_rest<Lossy>(end, end);
  }
#else
  (void)lo;
#endif
  p = scan_string(p, end);
  if (SIOCODEC_LIKELY(p != end && *p == '"')) return {p + 1, errc::none};
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
        if (SIOCODEC_LIKELY(c == '"')) return {p + i + 1, errc::none};
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
    if (p == end) return {end, errc::invalid_json_number};
  }
  if (*p == '0') {
    ++p;
  } else if (is_digit(*p)) {
    do ++p;
    while (p != end && is_digit(*p));
  } else {
    return {p, errc::invalid_json_number};
  }
  // One table lookup decides the usual case (the number ends: `,` `]` `}`); `.`, `e` and a
  // byte that continues the number (an error) take the branches below.
  if (p == end) return {p, errc::none};
  unsigned follow = number_follow_class(*p);
  if (SIOCODEC_LIKELY(follow == 0)) return {p, errc::none};
  if (follow == 1) {
    ++p;
    if (p == end) return {end, errc::invalid_json_number};
    if (!is_digit(*p)) return {p, errc::invalid_json_number};
    do ++p;
    while (p != end && is_digit(*p));
    if (p == end) return {p, errc::none};
    follow = number_follow_class(*p);
    if (SIOCODEC_LIKELY(follow == 0)) return {p, errc::none};
  }
  if (follow == 2) {
    ++p;
    if (p != end && (*p == '+' || *p == '-')) ++p;
    if (p == end) return {end, errc::invalid_json_number};
    if (!is_digit(*p)) return {p, errc::invalid_json_number};
    do ++p;
    while (p != end && is_digit(*p));
    if (p == end || number_follow_class(*p) == 0) return {p, errc::none};
  }
  // A digit after a leading `0`, a sign, or a second `.` or exponent.
  return {p, errc::invalid_json_number};
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
    if (p + i == end) return {end, errc::invalid_json};
    if (p[i] != word[i]) return {p + i, errc::invalid_json};
  }
  return {p + n, errc::none};
}

/// A word of T's size, loaded to be compared whole: 2 bytes (`,"` between object members) or 4
/// (the literals `true`, `null` and `alse`).
template <class T>
SIOCODEC_ALWAYS_INLINE T load_word(const char* p) noexcept {
  T x;
  std::memcpy(&x, p, sizeof x);
  return x;
}

/// The word load_word<T>() reads from the bytes of `w` (its terminator aside), whatever the byte
/// order of the machine: built the way memcpy would build it, for a compare with a loaded word.
template <class T, std::size_t N>
constexpr T word_of(const char (&w)[N]) noexcept {
  static_assert(N - 1 == sizeof(T), "one character per byte of the word");
  T v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) {
    const auto c = static_cast<T>(static_cast<unsigned char>(w[i]));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = static_cast<T>(v << 8 | c);
#else
    v = static_cast<T>(v | c << (8 * i));
#endif
  }
  return v;
}

/// validate_literal() with the whole word compared in one load when the text is long enough;
/// a mismatch or a literal cut by the end goes the byte-by-byte way for the offset.
SIOCODEC_ALWAYS_INLINE scan_result validate_literal_fast(const char* p, const char* end) noexcept {
  // Constants, so that word_of()'s loop is never left for run time.
  constexpr std::uint32_t true_word = word_of<std::uint32_t>("true");
  constexpr std::uint32_t alse_word = word_of<std::uint32_t>("alse");
  constexpr std::uint32_t null_word = word_of<std::uint32_t>("null");
  switch (*p) {
    case 't':
      if (SIOCODEC_LIKELY(end - p >= 4 && load_word<std::uint32_t>(p) == true_word))
        return {p + 4, errc::none};
      return validate_literal(p, end, "true", 4);
    case 'f':
      if (SIOCODEC_LIKELY(end - p >= 5 && load_word<std::uint32_t>(p + 1) == alse_word)) {
        return {p + 5, errc::none};
      }
      return validate_literal(p, end, "false", 5);
    default:
      if (SIOCODEC_LIKELY(end - p >= 4 && load_word<std::uint32_t>(p) == null_word))
        return {p + 4, errc::none};
      return validate_literal(p, end, "null", 4);
  }
}

}  // namespace detail
}  // namespace json
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_JSON_TOKENS_HPP
