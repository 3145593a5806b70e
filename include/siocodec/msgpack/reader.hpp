// SPDX-License-Identifier: BSL-1.0
// One-pass msgpack validation with bounded depth, no allocation and no recursion.
#ifndef SIOCODEC_MSGPACK_READER_HPP
#define SIOCODEC_MSGPACK_READER_HPP

#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/detail/utf8.hpp>
#include <siocodec/error.hpp>
#include <siocodec/result.hpp>

#include <cstddef>
#include <cstdint>

// The msgpack format (https://github.com/msgpack/msgpack/blob/master/spec.md), by first byte:
//
//   00-7f positive fixint   80-8f fixmap      90-9f fixarray    a0-bf fixstr     c0 nil
//   c1 (never used)         c2/c3 false/true  c4-c6 bin 8/16/32 c7-c9 ext 8/16/32
//   ca/cb float 32/64       cc-cf uint 8-64   d0-d3 int 8-64    d4-d8 fixext 1/2/4/8/16
//   d9-db str 8/16/32       dc/dd array 16/32 de/df map 16/32   e0-ff negative fixint
//
// Every multi-byte field is big-endian. It is read byte by byte with shifts, so the code is the
// same on any host, needs no alignment and never type-puns the input.
//
// socket.io-msgpack-parser encodes with notepack.io, which gives two extension values a
// JavaScript meaning, and this layer follows it (kind below): fixext 1 of type 0 (`d4 00 xx`) is
// `undefined`, and ext 8/16/32 of type 0 (`c7`-`c9`) is an ArrayBuffer, that is binary data. All
// other extensions (notepack's Date, `d7 00`, included) are kind::ext.

SIOCODEC_BEGIN_NAMESPACE
namespace msgpack {

/// What a msgpack value is. The msgpack families, plus notepack.io's two type-0 extensions.
enum class kind : std::uint8_t {
  nil,        ///< c0
  undefined,  ///< fixext 1 of type 0 (`d4 00 xx`): JavaScript's undefined in notepack.io
  boolean,    ///< c2, c3
  integer,    ///< fixints, uint 8-64, int 8-64
  floating,   ///< float 32, float 64
  string,     ///< fixstr, str 8/16/32
  binary,     ///< bin 8/16/32, and ext 8/16/32 of type 0 (notepack.io's ArrayBuffer)
  array,      ///< fixarray, array 16/32
  map,        ///< fixmap, map 16/32
  ext,        ///< every other extension (fixext 1-16, ext 8/16/32)
};

/// The kind's name ("nil", "undefined", "boolean", "integer", "floating", "string", "binary",
/// "array", "map", "ext"); "unknown" for a value outside the enum.
constexpr const char* to_string(kind k) noexcept {
  switch (k) {
    case kind::nil: return "nil";
    case kind::undefined: return "undefined";
    case kind::boolean: return "boolean";
    case kind::integer: return "integer";
    case kind::floating: return "floating";
    case kind::string: return "string";
    case kind::binary: return "binary";
    case kind::array: return "array";
    case kind::map: return "map";
    case kind::ext: return "ext";
  }
  return "unknown";
}

/// The deepest nesting validate() can check, whatever options::max_depth says. The validator
/// keeps the element count still expected by each open array or map in a fixed stack array
/// (4 bytes per level, 4 KiB in all: no allocation, a bounded stack footprint); a larger
/// max_depth is clamped to this value.
constexpr std::size_t max_depth_limit = 1024;

/// Options of validate() and parse(). Pass by const reference.
struct options {
  /// Deepest nesting of arrays and maps accepted: a scalar has depth 0, an empty array depth 1,
  /// an array holding a map depth 2. Exactly max_depth levels are accepted, one more is
  /// nesting_too_deep. Values above max_depth_limit act as max_depth_limit. notepack.io decodes
  /// recursively and has no limit of its own but V8's stack; 128 is far deeper than any real
  /// Socket.IO payload.
  std::size_t max_depth = SIOCODEC_DEFAULT_MAX_MSGPACK_DEPTH;
  /// Check that every str (values and map keys) is valid UTF-8 (RFC 3629). notepack.io decodes
  /// str with Node's lenient UTF-8 decoder, which replaces bad sequences with U+FFFD; a string
  /// that is not UTF-8 is never written by an encoder, and only strict checking guarantees that
  /// every string a view hands out is text. With false, strings are raw bytes.
  bool check_utf8 = true;
};

/// Validates that `bytes` is exactly one msgpack value.
///
/// Every family is accepted (nil, booleans, all integer and float widths, str, bin, arrays, maps,
/// every ext and fixext, with any key type in maps); only the prefix byte c1 is not. Each length
/// and element count is checked against the bytes that remain before anything is done with it,
/// so an announced size is never trusted, never allocated and never looped over beyond the
/// input: an array of 4 billion elements in a 10-byte message fails at its header.
///
/// One pass, linear time, no allocation, no recursion: open containers are tracked in a fixed
/// stack array (see max_depth_limit).
///
/// @return the kind of the top-level value. On success offset() is bytes.size(); on failure it is
///   the offset of the first byte of the offending value (its prefix byte), or bytes.size() when
///   the input ends where an element of an open array or map should start.
///
/// Errors:
/// - invalid_msgpack: empty input; the prefix byte c1; a value cut by the end of the input (its
///   fixed fields, its str/bin/ext payload, or an array or map announcing more elements than
///   bytes remain).
/// - trailing_data: bytes follow the value (offset of the first of them).
/// - nesting_too_deep: an array or map opens at depth max_depth.
/// - invalid_utf8: with check_utf8, a str that is not UTF-8 (offset of the first byte of the
///   offending sequence).
result<kind> validate(byte_view bytes, const options& opts = {}) noexcept;

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

constexpr std::uint16_t load_be16(const unsigned char* p) noexcept {
  return static_cast<std::uint16_t>((unsigned{p[0]} << 8) | unsigned{p[1]});
}
constexpr std::uint32_t load_be32(const unsigned char* p) noexcept {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}
constexpr std::uint64_t load_be64(const unsigned char* p) noexcept {
  return (std::uint64_t{load_be32(p)} << 32) | std::uint64_t{load_be32(p + 4)};
}

/// The decoded header of one value: what its prefix and fixed fields say.
struct header {
  kind k = kind::nil;
  /// The prefix byte.
  std::uint8_t prefix = 0;
  /// Bytes of the prefix and the fixed fields (length, count, ext type).
  std::uint8_t head = 1;
  /// Bytes of payload after `head`: the str/bin/ext data, or the bytes of an integer or a float
  /// (its value is read from there). 0 for nil, booleans, fixints and containers.
  std::uint64_t length = 0;
  /// Arrays: elements. Maps: key/value pairs.
  std::uint64_t count = 0;
  /// Extensions (and undefined, and ext-type-0 binary): the ext type.
  std::int8_t ext_type = 0;
};

/// Size of the fixed fields after a prefix byte >= 0xc0 (0 for nil, booleans, negative fixints;
/// 0xFF for c1, the one unused prefix).
constexpr std::uint8_t fixed_fields(std::uint8_t prefix) noexcept {
  switch (prefix) {
    case 0xc1: return 0xFF;
    case 0xc4:
    case 0xc7:
    case 0xd9: return 1;  // 8-bit length (+ ext type below)
    case 0xc5:
    case 0xc8:
    case 0xda:
    case 0xdc:
    case 0xde: return 2;
    case 0xc6:
    case 0xc9:
    case 0xdb:
    case 0xdd:
    case 0xdf: return 4;
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8: return 1;  // the ext type
    default: return 0;
  }
}

/// Reads the header of the value at p (p < end). Returns false when the prefix is c1 or the fixed
/// fields run past `end`; the payload (header::length) is NOT checked against `end`.
inline bool read_header(const unsigned char* p, const unsigned char* end, header& h) noexcept {
  const std::uint8_t c = p[0];
  h = header();
  h.prefix = c;
  if (c < 0x80) {
    h.k = kind::integer;
    return true;
  }
  if (c < 0x90) {
    h.k = kind::map;
    h.count = c & 0x0Fu;
    return true;
  }
  if (c < 0xa0) {
    h.k = kind::array;
    h.count = c & 0x0Fu;
    return true;
  }
  if (c < 0xc0) {
    h.k = kind::string;
    h.length = c & 0x1Fu;
    return true;
  }
  if (c >= 0xe0) {
    h.k = kind::integer;
    return true;
  }
  const std::uint8_t f = fixed_fields(c);
  if (f == 0xFF) return false;
  const bool has_ext_type = c == 0xc7 || c == 0xc8 || c == 0xc9;
  const std::size_t need = std::size_t{1} + f + (has_ext_type ? 1u : 0u);
  if (static_cast<std::size_t>(end - p) < need) return false;
  h.head = static_cast<std::uint8_t>(need);
  const unsigned char* q = p + 1;
  std::uint64_t n = 0;
  if (c != 0xd4 && c != 0xd5 && c != 0xd6 && c != 0xd7 && c != 0xd8) {
    n = f == 1 ? q[0] : f == 2 ? load_be16(q) : f == 4 ? load_be32(q) : 0;
  }
  switch (c) {
    case 0xc0: h.k = kind::nil; break;
    case 0xc2:
    case 0xc3: h.k = kind::boolean; break;
    case 0xc4:
    case 0xc5:
    case 0xc6:
      h.k = kind::binary;
      h.length = n;
      break;
    case 0xc7:
    case 0xc8:
    case 0xc9:
      h.ext_type = static_cast<std::int8_t>(q[f]);
      h.k = h.ext_type == 0 ? kind::binary : kind::ext;
      h.length = n;
      break;
    case 0xca:
      h.k = kind::floating;
      h.length = 4;
      break;
    case 0xcb:
      h.k = kind::floating;
      h.length = 8;
      break;
    case 0xcc:  // uint 8, 16, 32, 64
    case 0xcd:
    case 0xce:
    case 0xcf:
    case 0xd0:  // int 8, 16, 32, 64
    case 0xd1:
    case 0xd2:
    case 0xd3:
      h.k = kind::integer;
      h.length = std::uint64_t{1} << ((c - 0xcc) & 3);
      break;
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8:
      h.ext_type = static_cast<std::int8_t>(q[0]);
      h.length = std::uint64_t{1} << (c - 0xd4);
      h.k = (c == 0xd4 && h.ext_type == 0) ? kind::undefined : kind::ext;
      break;
    case 0xd9:
    case 0xda:
    case 0xdb:
      h.k = kind::string;
      h.length = n;
      break;
    case 0xdc:
    case 0xdd:
      h.k = kind::array;
      h.count = n;
      break;
    case 0xde:
    case 0xdf:
      h.k = kind::map;
      h.count = n;
      break;
    default: return false;  // unreachable: every prefix from c0 to df is handled above
  }
  return true;
}

/// Just past the value starting at p (p < end), or `end` when it runs past the end. Trusts
/// nothing and stays within [p, end] on any input: it counts the values still to skip (each
/// container adds its elements), so it needs no stack, and every value consumes at least one
/// byte, so it always terminates.
inline const unsigned char* skip_value(const unsigned char* p, const unsigned char* end) noexcept {
  std::uint64_t pending = 1;
  while (pending != 0) {
    if (p >= end) return end;
    header h;
    if (!read_header(p, end, h)) return end;
    const auto left = static_cast<std::uint64_t>(end - p) - h.head;
    if (h.length > left) return end;
    p += h.head + static_cast<std::size_t>(h.length);
    --pending;
    if (h.count != 0) {
      const std::uint64_t add = h.k == kind::map ? 2 * h.count : h.count;
      // More elements than bytes left cannot be skipped; stop at the end.
      if (add > static_cast<std::uint64_t>(end - p)) return end;
      pending += add;
    }
  }
  return p;
}

}  // namespace detail

inline result<kind> validate(byte_view bytes, const options& opts) noexcept {
  const unsigned char* const begin = bytes.data();
  const unsigned char* const end = begin + bytes.size();
  const std::size_t max_depth = opts.max_depth < max_depth_limit ? opts.max_depth : max_depth_limit;
  // Per open container: the elements still expected (maps: pairs), and one bit telling whether a
  // map waits for the value of a pair (1) or for a key (0). Only the words in use are touched.
  std::uint32_t remaining[max_depth_limit];
  std::uint64_t wants_value[max_depth_limit / 64];
  std::uint64_t is_map[max_depth_limit / 64];
  for (std::size_t i = 0; i * 64 < max_depth; ++i) wants_value[i] = is_map[i] = 0;
  std::size_t depth = 0;
  const auto fail = [begin](const unsigned char* at, errc e) {
    return result<kind>(e, static_cast<std::size_t>(at - begin));
  };
  const auto bit = [](const std::uint64_t* words, std::size_t i) {
    return ((words[i / 64] >> (i % 64)) & 1u) != 0;
  };
  const auto set_bit = [](std::uint64_t* words, std::size_t i, bool on) {
    const std::uint64_t m = std::uint64_t{1} << (i % 64);
    words[i / 64] = on ? (words[i / 64] | m) : (words[i / 64] & ~m);
  };

  const unsigned char* p = begin;
  if (p == end) return fail(p, errc::invalid_msgpack);
  kind top = kind::nil;
  bool first = true;
  for (;;) {
    // Invariant: p is where a value must start.
    if (p == end) return fail(end, errc::invalid_msgpack);
    detail::header h;
    if (!detail::read_header(p, end, h)) return fail(p, errc::invalid_msgpack);
    if (first) {
      top = h.k;
      first = false;
    }
    const auto left = static_cast<std::uint64_t>(end - p) - h.head;
    if (h.length > left) return fail(p, errc::invalid_msgpack);
    if (h.k == kind::array || h.k == kind::map) {
      if (depth >= max_depth) return fail(p, errc::nesting_too_deep);
      const bool map = h.k == kind::map;
      // Each element takes at least one byte: a count the input cannot hold is refused here,
      // before any loop runs over it.
      if ((map ? 2 * h.count : h.count) > left) return fail(p, errc::invalid_msgpack);
      p += h.head;
      if (h.count != 0) {
        // count <= left < 2^64, and a 32-bit count field cannot exceed uint32_t.
        remaining[depth] = static_cast<std::uint32_t>(h.count);
        set_bit(is_map, depth, map);
        set_bit(wants_value, depth, false);
        ++depth;
        continue;
      }
    } else {
      if (h.k == kind::string && opts.check_utf8) {
        const char* s = reinterpret_cast<const char*>(p + h.head);
        const auto n = static_cast<std::size_t>(h.length);
        const std::size_t bad = ::SIOCODEC_NAMESPACE::detail::utf8_find_invalid(s, n);
        if (bad != n) return fail(p + h.head + bad, errc::invalid_utf8);
      }
      p += h.head + static_cast<std::size_t>(h.length);
    }
    // A value is complete: account for it in the open containers, closing those it fills.
    while (depth != 0) {
      const std::size_t i = depth - 1;
      if (bit(is_map, i) && !bit(wants_value, i)) {
        set_bit(wants_value, i, true);  // a key: its value comes next
        break;
      }
      set_bit(wants_value, i, false);
      if (--remaining[i] != 0) break;
      --depth;  // the container is complete, and so is one value of its parent
    }
    if (depth == 0) break;
  }
  if (p != end) return fail(p, errc::trailing_data);
  return result<kind>(top, bytes.size());
}

}  // namespace msgpack
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_MSGPACK_READER_HPP
