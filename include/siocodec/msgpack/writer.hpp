// SPDX-License-Identifier: BSL-1.0
// msgpack writing primitives choosing the encodings notepack.io (socket.io-msgpack-parser) writes.
#ifndef SIOCODEC_MSGPACK_WRITER_HPP
#define SIOCODEC_MSGPACK_WRITER_HPP

#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/detail/utf8.hpp>
#include <siocodec/error.hpp>
#include <siocodec/msgpack/value.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

// The emit_* functions write through an encoder's writer `w` (sink.hpp: detail::size_counter or
// detail::buffer_writer, or anything with put(char) and append(const char*, size_t)), so an
// encoder's emit() can call them in both of its passes. Multi-byte fields are written big-endian
// with shifts: the output is the same on any host.
//
// Each writes the form notepack.io 2.2.0 (the encoder of socket.io-msgpack-parser) writes for the
// same JavaScript value, so our output and the reference's are byte for byte equal:
// - integers in the smallest form: positive fixint, uint 8/16/32/64 for values >= 0 (never an
//   int form), negative fixint, int 8/16/32/64 below 0;
// - numbers that are not integers as float 64 (`cb`), never float 32;
// - str, bin, array and map in the smallest of their 8/16/32 forms (fixstr below 32 bytes,
//   fixarray and fixmap below 16 elements; notepack never writes str 8 for a shorter string,
//   and neither do we);
// - undefined as fixext 1 of type 0 (`d4 00 00`).

SIOCODEC_BEGIN_NAMESPACE
namespace msgpack {

/// Writes nil (`c0`).
template <class W>
void emit_nil(W& w) noexcept;

/// Writes notepack.io's undefined (`d4 00 00`), which JavaScript peers decode as undefined.
template <class W>
void emit_undefined(W& w) noexcept;

/// Writes `c3` or `c2`.
template <class W>
void emit_bool(W& w, bool b) noexcept;

/// Writes `v` in the smallest unsigned form: positive fixint below 128, then uint 8/16/32/64.
/// JavaScript peers read values above 2^53 rounded to a double.
template <class W>
void emit_uint(W& w, std::uint64_t v) noexcept;

/// Writes `v`: as emit_uint when v >= 0 (notepack.io never writes an int form for those), else
/// the smallest signed form: negative fixint from -32, then int 8/16/32/64.
template <class W>
void emit_int(W& w, std::int64_t v) noexcept;

/// Writes a JavaScript number the way notepack.io does: an integral finite value as an integer
/// (emit_uint / emit_int; -0 becomes 0), anything else (fractions, NaN, ±Infinity) as float 64.
/// One deliberate difference: notepack.io writes integral values at or above 2^64 or below -2^63
/// as a uint 64 / int 64 whose high word has wrapped (1e20 comes out as a different number);
/// those are written as float 64 here, so the value survives. At most 9 bytes.
template <class W>
void emit_number(W& w, double d) noexcept;

/// Writes `d` as float 64 (`cb`), whatever its value.
template <class W>
void emit_float64(W& w, double d) noexcept;

/// Writes `f` as float 32 (`ca`). notepack.io never writes this form but reads it.
template <class W>
void emit_float32(W& w, float f) noexcept;

/// Writes `utf8` as a str in the smallest form (fixstr below 32 bytes, str 8/16/32).
/// Errors: invalid_utf8 (`utf8` is not valid UTF-8; the encoders' measuring pass reports it
/// before anything is written), invalid_argument (2^32 bytes or more: no str form holds it).
template <class W>
errc emit_string(W& w, std::string_view utf8) noexcept;

/// Writes the header of a str of `n` bytes; the caller appends exactly n bytes of UTF-8.
/// Errors: invalid_argument (n >= 2^32).
template <class W>
errc emit_string_header(W& w, std::size_t n) noexcept;

/// Writes `bytes` as a bin 8/16/32 (what notepack.io writes for a Node Buffer).
/// Errors: invalid_argument (2^32 bytes or more).
template <class W>
errc emit_binary(W& w, byte_view bytes) noexcept;

/// Writes the header of a bin of `n` bytes; the caller appends exactly n bytes.
/// Errors: invalid_argument (n >= 2^32).
template <class W>
errc emit_binary_header(W& w, std::size_t n) noexcept;

/// Writes `bytes` as an ext 8/16/32 of type 0, never a fixext: what notepack.io writes for an
/// ArrayBuffer or typed array (a fixext 1 or 8 of type 0 would be read back as undefined or a
/// Date). Peers decode it as binary, as they do a bin.
/// Errors: invalid_argument (2^32 bytes or more).
template <class W>
errc emit_arraybuffer(W& w, byte_view bytes) noexcept;

/// Writes the header of an array of `n` elements (fixarray below 16, array 16/32); the caller
/// writes the n elements.
/// Errors: invalid_argument (n >= 2^32).
template <class W>
errc emit_array_header(W& w, std::size_t n) noexcept;

/// Writes the header of a map of `n` pairs (fixmap below 16, map 16/32); the caller writes n
/// keys, each followed by its value.
/// Errors: invalid_argument (n >= 2^32).
template <class W>
errc emit_map_header(W& w, std::size_t n) noexcept;

/// Writes an extension of `type` holding `data`, in the smallest form: fixext 1/2/4/8/16 for
/// those sizes, ext 8/16/32 otherwise. Type 0 has a meaning for notepack.io (see
/// emit_arraybuffer, emit_undefined); other types reach JavaScript peers as `[type, Buffer]`.
/// Errors: invalid_argument (2^32 bytes or more).
template <class W>
errc emit_ext(W& w, std::int8_t type, byte_view data) noexcept;

/// Copies the bytes of `v` verbatim (a value read elsewhere, written back unchanged).
template <class W>
void emit_value(W& w, const value& v) noexcept;

/// Bytes emit_uint() writes for `v` (1, 2, 3, 5 or 9).
constexpr std::size_t uint_size(std::uint64_t v) noexcept {
  return v < 0x80 ? 1 : v <= 0xFF ? 2 : v <= 0xFFFF ? 3 : v <= 0xFFFFFFFFu ? 5 : 9;
}

/// Bytes of the header emit_string_header / emit_binary_header / emit_array_header /
/// emit_map_header write for `n` (the str, bin, array and map thresholds differ).
constexpr std::size_t string_header_size(std::size_t n) noexcept {
  return n < 32 ? 1 : n <= 0xFF ? 2 : n <= 0xFFFF ? 3 : 5;
}
constexpr std::size_t binary_header_size(std::size_t n) noexcept {
  return n <= 0xFF ? 2 : n <= 0xFFFF ? 3 : 5;
}
constexpr std::size_t container_header_size(std::size_t n) noexcept {
  return n < 16 ? 1 : n <= 0xFFFF ? 3 : 5;
}

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

constexpr char byte_at(std::uint64_t v, unsigned shift) noexcept {
  return static_cast<char>(static_cast<unsigned char>((v >> shift) & 0xFFu));
}

// The prefix byte then `width` bytes of v, big-endian.
template <class W>
void put_be(W& w, unsigned char prefix, std::uint64_t v, unsigned width) noexcept {
  char buf[9];
  buf[0] = static_cast<char>(prefix);
  for (unsigned i = 0; i < width; ++i) buf[1 + i] = byte_at(v, 8 * (width - 1 - i));
  w.append(buf, 1 + width);
}

// Always true where size_t has 32 bits (Cortex-M), where the comparison would be -Wtype-limits.
constexpr bool fits_u32(std::size_t n) noexcept {
#if SIZE_MAX > 0xFFFFFFFFu
  return static_cast<std::uint64_t>(n) <= 0xFFFFFFFFu;
#else
  (void)n;
  return true;
#endif
}

// A header with an 8/16/32-bit size field: (fix | n) when n < fix_limit, else the 8-bit form
// `p8` (none when 0), the 16-bit form `p16` or the 32-bit form `p32`. Precondition: n < 2^32.
template <class W>
void size_header(W& w, std::size_t n, std::size_t fix_limit, unsigned char fix, unsigned char p8,
                 unsigned char p16, unsigned char p32) noexcept {
  const auto v = static_cast<std::uint64_t>(n);
  if (n < fix_limit) {
    w.put(static_cast<char>(static_cast<unsigned char>(fix | n)));
  } else if (v <= 0xFF && p8 != 0) {
    put_be(w, p8, v, 1);
  } else if (v <= 0xFFFF) {
    put_be(w, p16, v, 2);
  } else {
    put_be(w, p32, v, 4);
  }
}

// True for the writing pass that follows a measuring pass (sink.hpp's buffer_writer): what the
// measuring pass validated is not validated again. Any other writer validates.
template <class W, class = void>
struct validated_pass : std::false_type {};
template <class W>
struct validated_pass<W, std::void_t<decltype(W::counting)>> : std::bool_constant<!W::counting> {};

}  // namespace detail

template <class W>
void emit_nil(W& w) noexcept {
  w.put(static_cast<char>(0xc0));
}

template <class W>
void emit_undefined(W& w) noexcept {
  w.append("\xd4\x00\x00", 3);
}

template <class W>
void emit_bool(W& w, bool b) noexcept {
  w.put(static_cast<char>(b ? 0xc3 : 0xc2));
}

template <class W>
void emit_uint(W& w, std::uint64_t v) noexcept {
  if (v < 0x80) {
    w.put(static_cast<char>(v));
  } else if (v <= 0xFF) {
    detail::put_be(w, 0xcc, v, 1);
  } else if (v <= 0xFFFF) {
    detail::put_be(w, 0xcd, v, 2);
  } else if (v <= 0xFFFFFFFFu) {
    detail::put_be(w, 0xce, v, 4);
  } else {
    detail::put_be(w, 0xcf, v, 8);
  }
}

template <class W>
void emit_int(W& w, std::int64_t v) noexcept {
  if (v >= 0) {
    emit_uint(w, static_cast<std::uint64_t>(v));
    return;
  }
  // Two's complement bits of v, computed without a signed-to-unsigned conversion of a negative.
  const std::uint64_t bits = ~static_cast<std::uint64_t>(-(v + 1));
  if (v >= -32) {
    w.put(static_cast<char>(static_cast<unsigned char>(bits & 0xFFu)));
  } else if (v >= -0x80) {
    detail::put_be(w, 0xd0, bits, 1);
  } else if (v >= -0x8000) {
    detail::put_be(w, 0xd1, bits, 2);
  } else if (v >= -0x80000000LL) {
    detail::put_be(w, 0xd2, bits, 4);
  } else {
    detail::put_be(w, 0xd3, bits, 8);
  }
}

template <class W>
void emit_float64(W& w, double d) noexcept {
  std::uint64_t bits;
  std::memcpy(&bits, &d, 8);
  detail::put_be(w, 0xcb, bits, 8);
}

template <class W>
void emit_float32(W& w, float f) noexcept {
  std::uint32_t bits;
  std::memcpy(&bits, &f, 4);
  detail::put_be(w, 0xca, bits, 4);
}

template <class W>
void emit_number(W& w, double d) noexcept {
  if (std::isfinite(d) && std::floor(d) == d) {
    // [-2^63, 2^64): the integers a uint 64 or int 64 holds exactly.
    if (d >= 0) {
      if (d < 18446744073709551616.0) {
        emit_uint(w, static_cast<std::uint64_t>(d));
        return;
      }
    } else if (d >= -9223372036854775808.0) {
      emit_int(w, static_cast<std::int64_t>(d));
      return;
    }
  }
  emit_float64(w, d);
}

template <class W>
errc emit_string_header(W& w, std::size_t n) noexcept {
  if (!detail::fits_u32(n)) return errc::invalid_argument;
  detail::size_header(w, n, 32, 0xa0, 0xd9, 0xda, 0xdb);
  return errc::none;
}

template <class W>
errc emit_string(W& w, std::string_view utf8) noexcept {
  if (!detail::validated_pass<W>::value &&
      ::SIOCODEC_NAMESPACE::detail::utf8_find_invalid(utf8.data(), utf8.size()) != utf8.size()) {
    return errc::invalid_utf8;
  }
  const errc e = emit_string_header(w, utf8.size());
  if (e != errc::none) return e;
  w.append(utf8.data(), utf8.size());
  return errc::none;
}

template <class W>
errc emit_binary_header(W& w, std::size_t n) noexcept {
  if (!detail::fits_u32(n)) return errc::invalid_argument;
  detail::size_header(w, n, 0, 0, 0xc4, 0xc5, 0xc6);
  return errc::none;
}

template <class W>
errc emit_binary(W& w, byte_view bytes) noexcept {
  const errc e = emit_binary_header(w, bytes.size());
  if (e != errc::none) return e;
  w.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  return errc::none;
}

template <class W>
errc emit_arraybuffer(W& w, byte_view bytes) noexcept {
  const std::size_t n = bytes.size();
  if (!detail::fits_u32(n)) return errc::invalid_argument;
  detail::size_header(w, n, 0, 0, 0xc7, 0xc8, 0xc9);
  w.put('\0');  // ext type 0
  w.append(reinterpret_cast<const char*>(bytes.data()), n);
  return errc::none;
}

template <class W>
errc emit_array_header(W& w, std::size_t n) noexcept {
  if (!detail::fits_u32(n)) return errc::invalid_argument;
  detail::size_header(w, n, 16, 0x90, 0, 0xdc, 0xdd);
  return errc::none;
}

template <class W>
errc emit_map_header(W& w, std::size_t n) noexcept {
  if (!detail::fits_u32(n)) return errc::invalid_argument;
  detail::size_header(w, n, 16, 0x80, 0, 0xde, 0xdf);
  return errc::none;
}

template <class W>
errc emit_ext(W& w, std::int8_t type, byte_view data) noexcept {
  const std::size_t n = data.size();
  if (!detail::fits_u32(n)) return errc::invalid_argument;
  const char t = static_cast<char>(static_cast<unsigned char>(type));
  switch (n) {
    case 1: w.put(static_cast<char>(0xd4)); break;
    case 2: w.put(static_cast<char>(0xd5)); break;
    case 4: w.put(static_cast<char>(0xd6)); break;
    case 8: w.put(static_cast<char>(0xd7)); break;
    case 16: w.put(static_cast<char>(0xd8)); break;
    default: detail::size_header(w, n, 0, 0, 0xc7, 0xc8, 0xc9); break;
  }
  w.put(t);
  w.append(reinterpret_cast<const char*>(data.data()), n);
  return errc::none;
}

template <class W>
void emit_value(W& w, const value& v) noexcept {
  const byte_view r = v.raw();
  w.append(reinterpret_cast<const char*>(r.data()), r.size());
}

}  // namespace msgpack
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_MSGPACK_WRITER_HPP
