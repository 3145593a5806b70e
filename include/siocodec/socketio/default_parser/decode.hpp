// SPDX-License-Identifier: BSL-1.0
// Decoding one Socket.IO text packet (the data of an Engine.IO message).
#ifndef SIOCODEC_SOCKETIO_DECODE_HPP
#define SIOCODEC_SOCKETIO_DECODE_HPP

#include <siocodec/config.hpp>
#include <siocodec/detail/utf8.hpp>
#include <siocodec/error.hpp>
#include <siocodec/json/validate.hpp>
#include <siocodec/json/value.hpp>
#include <siocodec/result.hpp>
#include <siocodec/socketio/packet.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

// The grammar the strict decoder accepts (protocol.md §2.2, §2.4):
//
//   packet      = type [ attachments "-" ] [ nsp ( "," / end ) ] [ ack-id ] [ json ]
//   type        = "0" .. "6"
//   attachments = "1".."9" *DIGIT                ; types 5 and 6 only, 1 <= n <= max_attachments
//   nsp         = "/" *( any byte but "," )      ; at most max_namespace bytes
//   ack-id      = "0" / ( "1".."9" *DIGIT )      ; <= max_ack_id
//   json        = value *ws                      ; RFC 8259, starting right after the header
//
// socket.io-parser reads the same fields with JavaScript's Number(), which also takes spaces,
// leading zeros, hex and exponents; decode_options::lax accepts those (protocol-notes.md).

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {

/// Decodes one Socket.IO packet from its text form (the data of an Engine.IO message, without the
/// Engine.IO `4`). Zero-copy: nsp and data point into `text`.
///
/// The JSON payload is validated (RFC 8259, UTF-8, max_depth) and checked against the type, as
/// socket.io-parser 4.2.7 (v5) or 3.4.5 (v4) does:
/// - CONNECT: v5 a JSON object; v4 an object, array or null. DISCONNECT: nothing.
/// - EVENT / BINARY_EVENT: a non-empty array whose first element is a number or a string; in v5
///   the string must not be a reserved name (connect, connect_error, disconnect, disconnecting,
///   newListener, removeListener; "error" is allowed, as in the reference).
/// - ACK / BINARY_ACK: an array. CONNECT_ERROR (v4 ERROR): a string or an object (v4 also an
///   array or null).
/// - A missing payload is accepted for every type, as in the reference.
///
/// For binary types every placeholder is checked now, before any attachment arrives: an object
/// whose `_placeholder` member is `true` must be exactly `{"_placeholder":true,"num":N}` (any
/// key order) with N an integer in [0, attachment_count), and every attachment must be
/// referenced (an encoder never sends one that is not; the reference silently drops it). The
/// same attachment may be referenced twice, as in the reference. An object whose `_placeholder`
/// is anything but `true` is plain data in both modes (both references test `=== true`; their
/// encoders send such application data unchanged). With lax, extra members with scalar values
/// are allowed, `num` may be written 1.0, and unreferenced attachments are allowed. In
/// non-binary packets, placeholders are plain data.
///
/// Errors (offset in `text`):
/// - unknown_packet_type: the first byte is not 0-6 (an empty text too).
/// - invalid_attachment_count: types 5/6 without `<count>-`, or a count that is zero or malformed.
/// - too_many_attachments: count > max_attachments (refused at the digit that would exceed it,
///   whatever the limit; lax also beyond size_t).
/// - invalid_namespace: longer than max_namespace.
/// - invalid_utf8: the namespace is not UTF-8 (offset of the first bad byte), unless
///   opts.allow_invalid_utf8, which accepts it and bytes that are not UTF-8 inside the payload's
///   strings, and sets has_invalid_utf8 (utf8::lossy gives the reference's strings).
/// - invalid_ack_id: malformed (a leading zero).
/// - ack_id_overflow: above max_ack_id or 2^64 - 1.
/// - invalid_json, invalid_json_string, invalid_json_number, invalid_utf8, nesting_too_deep: the
///   payload is not valid JSON (a space between the header and the JSON counts as invalid_json:
///   the reference would read it as an ack id).
/// - invalid_payload: the payload's JSON type is wrong for the packet type (or a DISCONNECT has
///   one).
/// - invalid_event_name: an EVENT's first element is not a string or a number, or is absent.
/// - reserved_event_name: v5, the event name is reserved.
/// - invalid_placeholder: a placeholder breaks the rules above, or `"_placeholder": true` sits
///   in an object that also holds an array or object; in strict mode also an unreferenced
///   attachment (offset: the end of the payload), a BINARY_EVENT / BINARY_ACK header with no
///   payload (offset: the end of the header), and, with more than SIOCODEC_PLACEHOLDER_WINDOW
///   attachments, a placeholder numbered that far above the lowest one not yet referenced
///   (encoders number in writing order and never send one; docs/memory.md).
///
/// Complexity: linear in text.size(); no allocation; recursion-free.
result<packet_view> decode(std::string_view text, const decode_options& opts = {}) noexcept;

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

/// Byte length of the JavaScript WhiteSpace or LineTerminator code point at p (ECMAScript:
/// TAB, VT, FF, SP, NBSP, ZWNBSP, Zs, LF, CR, LS, PS), 0 for anything else. Lax mode only: this is
/// what the reference's Number() skips.
inline std::size_t js_space_length(const char* p, const char* end) noexcept {
  const auto c = static_cast<unsigned char>(*p);
  if (c == ' ' || (c >= 0x09 && c <= 0x0D)) return 1;
  const auto n = static_cast<std::size_t>(end - p);
  const auto b = [p](int i) { return static_cast<unsigned char>(p[i]); };
  if (c == 0xC2 && n >= 2 && b(1) == 0xA0) return 2;                  // U+00A0
  if (c == 0xE1 && n >= 3 && b(1) == 0x9A && b(2) == 0x80) return 3;  // U+1680
  if (c == 0xE2 && n >= 3 && b(1) == 0x80 &&
      (b(2) <= 0x8A || b(2) == 0xA8 || b(2) == 0xA9 || b(2) == 0xAF)) {
    return 3;  // U+2000-U+200A, U+2028, U+2029, U+202F
  }
  if (c == 0xE2 && n >= 3 && b(1) == 0x81 && b(2) == 0x9F) return 3;  // U+205F
  if (c == 0xE3 && n >= 3 && b(1) == 0x80 && b(2) == 0x80) return 3;  // U+3000
  if (c == 0xEF && n >= 3 && b(1) == 0xBB && b(2) == 0xBF) return 3;  // U+FEFF
  return 0;
}

/// JavaScript's Number(string) for the text [p, end), as the reference applies it to attachment
/// counts (lax mode): surrounding JS whitespace trimmed, empty is 0, decimal with optional sign,
/// fraction and exponent, 0x/0o/0b integers, Infinity. NaN when the text is none of these.
inline double js_string_to_number(const char* p, const char* end) noexcept {
  while (p != end) {
    const std::size_t k = js_space_length(p, end);
    if (k == 0) break;
    p += k;
  }
  while (p != end) {
    // Trailing whitespace: find the last non-space code point by scanning forward.
    const char* q = p;
    const char* last = p;
    while (q != end) {
      const std::size_t k = js_space_length(q, end);
      if (k == 0) {
        ++q;
        last = q;
      } else {
        q += k;
      }
    }
    end = last;
    break;
  }
  const double nan = std::nan("");
  if (p == end) return 0.0;
  const auto digit_value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return 99;
  };
  if (end - p > 2 && p[0] == '0') {
    int radix = 0;
    if (p[1] == 'x' || p[1] == 'X') radix = 16;
    if (p[1] == 'o' || p[1] == 'O') radix = 8;
    if (p[1] == 'b' || p[1] == 'B') radix = 2;
    if (radix != 0) {
      double v = 0;
      for (const char* q = p + 2; q != end; ++q) {
        const int d = digit_value(*q);
        if (d >= radix) return nan;
        v = v * radix + d;
      }
      return v;
    }
  }
  bool negative = false;
  if (*p == '+' || *p == '-') {
    negative = (*p == '-');
    ++p;
  }
  if (end - p == 8 && std::string_view(p, 8) == "Infinity") {
    return negative ? -HUGE_VAL : HUGE_VAL;
  }
  // Decimal literal: digits [. digits] [e [+-] digits], at least one digit in the mantissa.
  double mantissa = 0;
  int exponent = 0;
  bool any = false;
  const char* q = p;
  for (; q != end && *q >= '0' && *q <= '9'; ++q, any = true) mantissa = mantissa * 10 + (*q - '0');
  if (q != end && *q == '.') {
    for (++q; q != end && *q >= '0' && *q <= '9'; ++q, any = true) {
      mantissa = mantissa * 10 + (*q - '0');
      if (exponent > -100000) --exponent;  // an int; past this the value is 0, Infinity or NaN
    }
  }
  if (!any) return nan;
  if (q != end && (*q == 'e' || *q == 'E')) {
    ++q;
    bool eneg = false;
    if (q != end && (*q == '+' || *q == '-')) eneg = (*q++ == '-');
    if (q == end) return nan;
    int e = 0;
    for (; q != end && *q >= '0' && *q <= '9'; ++q) e = e < 100000 ? e * 10 + (*q - '0') : e;
    exponent += eneg ? -e : e;
  }
  if (q != end) return nan;
  // Only integer results in a small range matter to the caller, so plain arithmetic is exact
  // enough: the value is compared with an integer limit of at most a few thousand.
  const double v = mantissa * std::pow(10.0, exponent);
  return negative ? -v : v;
}

// The names socket.io-parser 4.x refuses as event names (RESERVED_EVENTS): the one list both
// comparisons below read.
inline constexpr std::string_view reserved_events[] = {
    "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"};

// Bit n is set when a reserved name is n bytes long, so that nearly every event name is cleared
// by its length alone.
constexpr std::uint32_t reserved_event_lengths() noexcept {
  std::uint32_t mask = 0;
  for (const std::string_view r : reserved_events) mask |= std::uint32_t{1} << r.size();
  return mask;
}

// `quoted`: a JSON string (with its quotes) holding a backslash escape, decoded to compare
// (`"\u0063onnect"` is reserved too).
inline bool is_reserved_escaped_event(std::string_view quoted) noexcept {
  const json::value name = json::value::unchecked(quoted);
  for (const std::string_view r : reserved_events) {
    if (name.string_equals(r)) return true;
  }
  return false;
}

// `quoted`: a JSON string with its quotes; `escaped`: it holds a backslash escape. Escape-free
// names (nearly all) are compared as they are written, once their length matches a reserved one.
SIOCODEC_ALWAYS_INLINE bool is_reserved_event(std::string_view quoted, bool escaped) noexcept {
  if (escaped) return is_reserved_escaped_event(quoted);
  const std::size_t n = quoted.size() - 2;
  constexpr std::uint32_t lengths = reserved_event_lengths();
  if (n >= 32 || ((lengths >> n) & 1u) == 0) return false;
  // Unrolled over the constant list: r.size() is a constant in each compare, and the first byte
  // settles most of them ("message" has the length of "connect").
  for (const std::string_view r : reserved_events) {
    if (r.size() == n && r[0] == quoted[1] &&
        std::memcmp(r.data(), quoted.data() + 1, r.size()) == 0) {
      return true;
    }
  }
  return false;
}

// Checks the payload's JSON shape for the packet type from what validation noted (`info`, the
// top-level kind `k`); `at` receives the offending offset within the payload. An event's name
// token goes to `event`, so that event_name() need not find it again.
SIOCODEC_ALWAYS_INLINE error check_shape(packet_type type, json::kind k,
                                         const json::detail::text_info& info, protocol_version v,
                                         std::size_t& at, std::string_view& event) noexcept {
  at = 0;
  const bool v4 = (v == protocol_version::v4);
  switch (type) {
    case packet_type::connect:
      if (k == json::kind::object) return error::none;
      if (v4 && (k == json::kind::array || k == json::kind::null)) return error::none;
      return error::invalid_payload;
    case packet_type::disconnect: return error::invalid_payload;
    case packet_type::connect_error:
      if (k == json::kind::string || k == json::kind::object) return error::none;
      if (v4 && (k == json::kind::array || k == json::kind::null)) return error::none;
      return error::invalid_payload;
    case packet_type::event:
    case packet_type::binary_event: {
      if (k != json::kind::array) return error::invalid_payload;
      if (info.first_begin == nullptr) return error::invalid_event_name;
      const json::kind name = json::detail::kind_of(*info.first_begin);
      const std::string_view token(info.first_begin,
                                   static_cast<std::size_t>(info.first_end - info.first_begin));
      // The offset (of the name) is only worked out on the way to an error.
      if (name == json::kind::string) {
        if (!v4 && is_reserved_event(token, info.first_escaped)) {
          at = static_cast<std::size_t>(info.first_begin - info.value_begin);
          return error::reserved_event_name;
        }
      } else if (name != json::kind::number) {
        at = static_cast<std::size_t>(info.first_begin - info.value_begin);
        return error::invalid_event_name;
      }
      event = token;
      return error::none;
    }
    case packet_type::ack:
    case packet_type::binary_ack:
      return k == json::kind::array ? error::none : error::invalid_payload;
  }
  return error::invalid_payload;
}

// Just past the closing quote of the string whose content starts at p, or end: exactly
// json::detail::skip_string. Keys and the short values around placeholders end within a few
// bytes, where a plain loop is cheaper than the vector skip; a longer string or an escape is
// handed to it from where the loop stopped.
SIOCODEC_ALWAYS_INLINE const char* skip_short_string(const char* p, const char* end) noexcept {
  for (const char* const stop = end - p > 16 ? p + 16 : end; p != stop; ++p) {
    if (*p == '"') return p + 1;
    if (*p == '\\') break;
  }
  return json::detail::skip_string(p, end);
}

// Looks at the object whose '{' is at p. A flat object (one holding no array or object): returns
// just past its '}'. Otherwise returns null, with `stop` at the bracket of the first nested
// container (or end) and `long_string` telling whether a string before it is long enough
// (14 bytes with its quotes) to spell `_placeholder`. Trusts validated text.
inline const char* scan_object(const char* p, const char* end, const char*& stop,
                               bool& long_string) noexcept {
  long_string = false;
  for (++p; p != end; ++p) {
    const char c = *p;
    if (c == '"') {
      const char* after = skip_short_string(p + 1, end);
      if (after - p >= 14) long_string = true;
      p = after - 1;
    } else if (c == '}') {
      return p + 1;
    } else if (c == '{' || c == '[') {
      stop = p;
      return nullptr;
    }
  }
  stop = end;
  return nullptr;
}

// Finds the end of a flat object (one holding no array or object) whose '{' is at p: the position
// just past its '}', or null when a nested container opens first. Trusts validated text.
inline const char* flat_object_end(const char* p, const char* end) noexcept {
  const char* stop = nullptr;
  bool long_string = false;
  return scan_object(p, end, stop, long_string);
}

// Whether the JSON string `quoted` (with its quotes) is `name` once unescaped; `name` is ASCII
// without a backslash or a quote. An escape always takes more bytes to spell than it stands
// for, so a string spelled with fewer bytes than `name` differs, one spelled with as many
// equals it only byte for byte, and only a longer spelling needs decoding.
template <std::size_t N>
SIOCODEC_ALWAYS_INLINE bool key_equals(std::string_view quoted, const char (&name)[N]) noexcept {
  constexpr std::size_t n = N - 1;
  if (quoted.size() < n + 2) return false;
  if (quoted.size() == n + 2) return std::memcmp(quoted.data() + 1, name, n) == 0;
  return json::value::unchecked(quoted).string_equals(std::string_view(name, n));
}

// Result of looking at one flat object: not a placeholder, or a placeholder for attachment num.
struct placeholder_info {
  bool is_placeholder = false;
  std::uint64_t num = 0;
};

inline error check_flat_object(const json::value& obj, std::size_t attachments, bool lax,
                               placeholder_info& out) noexcept {
  out = {};
  bool has_key = false;
  json::value flag, num;
  std::size_t members = 0, flags = 0, nums = 0;
  // The members of validated text holding no container, read as members() reads them (between
  // the braces) but without its general value walk: `"key" : scalar`, commas, whitespace.
  const std::string_view raw = obj.is_object() && obj.raw().size() >= 2 ? obj.raw() : "{}";
  const char* const end = raw.data() + raw.size() - 1;
  const char* p = json::detail::skip_ws(raw.data() + 1, end);
  while (p != end && *p == '"') {
    const char* q = skip_short_string(p + 1, end);
    const std::string_view key(p, static_cast<std::size_t>(q - p));
    p = json::detail::skip_ws(q, end);
    if (p != end && *p == ':') p = json::detail::skip_ws(p + 1, end);
    if (p == end) break;
    q = *p == '"' ? skip_short_string(p + 1, end) : json::detail::skip_value(p, end);
    const std::string_view val(p, static_cast<std::size_t>(q - p));
    ++members;
    if (key_equals(key, "_placeholder")) {
      has_key = true;
      flag = json::value::unchecked(val);  // the last occurrence wins, as in JSON.parse
      ++flags;
    } else if (key_equals(key, "num")) {
      num = json::value::unchecked(val);
      ++nums;
    }
    p = json::detail::skip_ws(q, end);
    if (p == end || *p != ',') break;
    p = json::detail::skip_ws(p + 1, end);
  }
  // Both references (4.2.7 and 3.4.5) test `_placeholder === true`: anything else is the
  // application's data, which their encoders send unchanged.
  if (!has_key || flag.raw() != "true") return error::none;
  if (!lax && (members != 2 || flags != 1 || nums != 1)) return error::invalid_placeholder;
  if (!num.is_number()) return error::invalid_placeholder;
  std::uint64_t n = 0;
  if (num.is_integer() && (lax || num.raw()[0] != '-')) {  // strict: no encoder writes -0
    auto r = num.to_uint64();
    if (!r) return error::invalid_placeholder;
    n = *r;
  } else {
    // 1.0 or 1e0 name attachment 1 in JavaScript; only lax accepts such spellings.
    if (!lax) return error::invalid_placeholder;
    auto d = num.to_double();
    if (!d || !(*d >= 0) || *d != std::floor(*d) || *d >= 18446744073709551616.0) {
      return error::invalid_placeholder;
    }
    n = static_cast<std::uint64_t>(*d);
  }
  if (n >= attachments) return error::invalid_placeholder;
  out.is_placeholder = true;
  out.num = n;
  return error::none;
}

using json::detail::is_digit;

// The bytes before the number in the placeholder the encoders write.
inline constexpr std::string_view canonical_placeholder_prefix = R"({"_placeholder":true,"num":)";

// When the object at p (in validated text) is spelled exactly as the encoders write a
// placeholder, `{"_placeholder":true,"num":N}` with N of at most four digits: sets n and returns
// just past the `}`. Otherwise null. Such bytes can only be that two-member object, for which
// check_flat_object() finds a placeholder with the same number in strict and lax mode alike, so
// the general member walk is skipped for what nearly every binary packet holds.
SIOCODEC_ALWAYS_INLINE const char* canonical_placeholder(const char* p, const char* end,
                                                         std::uint64_t& n) noexcept {
  constexpr std::size_t k = canonical_placeholder_prefix.size();
  if (end - p < static_cast<std::ptrdiff_t>(k + 2) ||
      std::memcmp(p, canonical_placeholder_prefix.data(), k) != 0) {
    return nullptr;
  }
  const char* const digits = p + k;
  const char* q = digits;
  n = 0;
  for (; q != end && q - digits < 4 && is_digit(*q); ++q) {
    n = n * 10 + static_cast<unsigned>(*q - '0');
  }
  return q != digits && q != end && *q == '}' ? q + 1 : nullptr;
}

// Which attachments the placeholders read so far reference, for strict mode's "every attachment
// is used" rule, in fixed memory: `next` is the lowest number not yet referenced, and a ring of
// `window` bits records the numbers in [next, next + window) seen out of order. Each
// number is set at most once and cleared once as `next` passes it, so the check is linear. With up
// to `window` attachments (SIOCODEC_PLACEHOLDER_WINDOW, 1,024 by default; the default
// max_attachments is 10) every number fits and the answer is exact. Above that, a number
// more than a window ahead of `next` cannot be recorded and the packet is refused: the encoders
// number placeholders in the order they write them, so they never do this.
struct attachment_coverage {
  static constexpr std::size_t window = SIOCODEC_PLACEHOLDER_WINDOW;
  static_assert(window >= 64 && window % 64 == 0, "SIOCODEC_PLACEHOLDER_WINDOW: a multiple of 64");

  // Only the words numbers below `count` can reach are zeroed: one for up to 64 attachments.
  explicit attachment_coverage(std::size_t count) noexcept : count_(count) {
    bits_[0] = 0;
    if (count > 64) {
      const std::size_t words = count < window ? (count + 63) / 64 : window / 64;
      std::memset(bits_ + 1, 0, (words - 1) * sizeof(std::uint64_t));
    }
  }
  // n < count. False when n lies beyond the window.
  bool mark(std::uint64_t n) noexcept {
    if (n < next_) return true;
    if (n != next_) {
      if (n - next_ >= window) return false;
      const std::size_t i = static_cast<std::size_t>(n % window);
      const std::uint64_t bit = std::uint64_t{1} << (i % 64);
      if ((bits_[i / 64] & bit) == 0) {
        bits_[i / 64] |= bit;
        ++pending_;
      }
      return true;
    }
    // In encoder order nothing is pending and this is all a placeholder costs.
    ++next_;
    while (pending_ != 0) {
      const std::size_t j = next_ % window;
      const std::uint64_t bit = std::uint64_t{1} << (j % 64);
      if ((bits_[j / 64] & bit) == 0) break;
      bits_[j / 64] &= ~bit;
      --pending_;
      ++next_;
    }
    return true;
  }
  bool complete() const noexcept { return next_ == count_; }

 private:
  std::uint64_t bits_[window / 64];
  std::size_t count_;
  std::size_t next_ = 0;
  std::size_t pending_ = 0;  // bits set in the ring: numbers above next_ already referenced
};

// Walks the payload of a binary packet once (plus at most one look-ahead per object, so each byte
// is read at most twice) and checks every placeholder. With `used` non-null, records the
// attachments referenced.
inline error scan_placeholders(std::string_view json_text, std::size_t attachments, bool lax,
                               attachment_coverage* used, std::size_t& at) noexcept {
  const char* const begin = json_text.data();
  const char* const end = begin + json_text.size();
  const char* p = begin;
  while (p != end) {
    const char c = *p;
    if (c == '{') {
      std::uint64_t n = 0;
      if (const char* close = canonical_placeholder(p, end, n)) {
        if (n >= attachments || (used != nullptr && !used->mark(n))) {
          at = static_cast<std::size_t>(p - begin);
          return error::invalid_placeholder;
        }
        p = close;
        continue;
      }
      const char* stop = nullptr;
      bool long_string = false;
      const char* close = scan_object(p, end, stop, long_string);
      if (close != nullptr) {
        placeholder_info info;
        const auto obj =
            json::value::unchecked(std::string_view(p, static_cast<std::size_t>(close - p)));
        error e = check_flat_object(obj, attachments, lax, info);
        if (e == error::none && info.is_placeholder && used != nullptr && !used->mark(info.num)) {
          e = error::invalid_placeholder;
        }
        if (e != error::none) {
          at = static_cast<std::size_t>(p - begin);
          return e;
        }
        p = close;
        continue;
      }
      // Up to `stop` there are only strings, none long enough to be a `_placeholder` key, and
      // bytes outside strings that are not '{': the loop below would do nothing there.
      p = long_string ? p + 1 : stop;
      continue;
    }
    if (c == '"') {
      const char* after = skip_short_string(p + 1, end);
      // A `"_placeholder": true` member of an object that also holds an array or an object:
      // never a valid placeholder, in either mode. Any other value makes it plain data.
      if (key_equals(std::string_view(p, static_cast<std::size_t>(after - p)), "_placeholder")) {
        const char* q = json::detail::skip_ws(after, end);
        if (q != end && *q == ':') {
          const char* v = json::detail::skip_ws(q + 1, end);
          if (static_cast<std::size_t>(end - v) >= 4 && std::string_view(v, 4) == "true") {
            at = static_cast<std::size_t>(p - begin);
            return error::invalid_placeholder;
          }
        }
      }
      p = after;
      continue;
    }
    ++p;
  }
  return error::none;
}

inline error check_placeholders(std::string_view json_text, std::size_t attachments, bool lax,
                                std::size_t& at) noexcept {
  if (lax) return scan_placeholders(json_text, attachments, true, nullptr, at);
  attachment_coverage used(attachments);
  const error e = scan_placeholders(json_text, attachments, false, &used, at);
  if (e != error::none) return e;
  if (!used.complete()) {
    at = json_text.size();
    return error::invalid_placeholder;
  }
  return error::none;
}

}  // namespace detail

namespace detail {

// decode() writing into `pkt`, which holds a default packet_view on entry. On failure returns the
// error and sets `offset`; `pkt` is then partly written and meaningless. In place, so that
// decode() and basic_decoder build their result without copying the packet.
inline error decode_fields(std::string_view text, const decode_options& opts, packet_view& pkt,
                           std::size_t& offset) noexcept {
  const char* const begin = text.data();
  const char* const end = begin + text.size();
  const char* p = begin;
  const auto at = [begin](const char* q) { return static_cast<std::size_t>(q - begin); };
  const auto fail = [&offset](error e, std::size_t where) {
    offset = where;
    return e;
  };

  // type
  if (p == end) {
    if (!opts.lax) return fail(error::unknown_packet_type, 0);
    // Number("") is 0 in the reference: an empty text is a CONNECT.
    pkt.type = packet_type::connect;
    return error::none;
  }
  if (*p >= '0' && *p <= '6') {
    pkt.type = static_cast<packet_type>(*p - '0');
    ++p;
  } else if (opts.lax && js_space_length(p, end) != 0) {
    pkt.type = packet_type::connect;  // Number(" ") is 0
    p += js_space_length(p, end);
  } else {
    return fail(error::unknown_packet_type, 0);
  }

  // attachments
  if (is_binary(pkt.type)) {
    const char* count_begin = p;
    if (opts.lax) {
      while (p != end && *p != '-') ++p;
      if (p == end) return fail(error::invalid_attachment_count, at(p));
      const double n = js_string_to_number(count_begin, p);
      // Number.isInteger(n) && n >= 1, as the reference checks: Infinity and fractions fail.
      if (!(n >= 1) || !std::isfinite(n) || n != std::floor(n)) {
        return fail(error::invalid_attachment_count, at(count_begin));
      }
      // size_t may not hold n (max_attachments near SIZE_MAX rounds up to 2^64 as a double):
      // converting then would be undefined.
      constexpr double size_range =
          2.0 * static_cast<double>(std::size_t{1} << (sizeof(std::size_t) * 8 - 1));
      if (n >= size_range || n > static_cast<double>(opts.max_attachments)) {
        return fail(error::too_many_attachments, at(count_begin));
      }
      pkt.attachment_count = static_cast<std::size_t>(n);
    } else {
      if (p == end || *p < '1' || *p > '9') return fail(error::invalid_attachment_count, at(p));
      std::size_t n = 0;
      // n * 10 + d > max exactly when n > max / 10, or n == max / 10 and d > max % 10: tested
      // before multiplying, so that no limit, SIZE_MAX included, lets n wrap.
      const std::size_t cap = opts.max_attachments / 10, last = opts.max_attachments % 10;
      while (p != end && is_digit(*p)) {
        const auto d = static_cast<std::size_t>(*p - '0');
        if (n > cap || (n == cap && d > last)) {
          return fail(error::too_many_attachments, at(count_begin));
        }
        n = n * 10 + d;
        ++p;
      }
      if (p == end || *p != '-') return fail(error::invalid_attachment_count, at(p));
      pkt.attachment_count = n;
    }
    ++p;  // '-'
  }

  // namespace
  if (p != end && *p == '/') {
    const char* nsp_begin = p;
    unsigned high = 0;  // the bytes' OR: UTF-8 needs checking only when one is above 0x7F
    while (p != end && *p != ',') high |= static_cast<unsigned char>(*p++);
    const auto len = static_cast<std::size_t>(p - nsp_begin);
    if (len > opts.max_namespace) return fail(error::invalid_namespace, at(nsp_begin));
    pkt.nsp = std::string_view(nsp_begin, len);
    if (SIOCODEC_UNLIKELY(high >= 0x80)) {
      const std::size_t bad = ::SIOCODEC_NAMESPACE::detail::utf8_find_invalid(nsp_begin, len);
      if (bad != len) {
        // The encoders refuse such a namespace, so a server could not even answer it.
        if (!opts.allow_invalid_utf8) return fail(error::invalid_utf8, at(nsp_begin) + bad);
        pkt.has_invalid_utf8 = true;
      }
    }
    if (p != end) ++p;  // ','
  }

  // ack id
  if (opts.lax) {
    // The reference takes every following character c with Number(c) == c: digits, and any
    // JavaScript space (which counts as nothing). A run with spaces between digits is NaN.
    const char* id_begin = p;
    std::uint64_t id = 0;
    bool any = false, overflow = false, gap = false, seen_digit = false, space_after_digit = false;
    while (p != end) {
      if (is_digit(*p)) {
        if (space_after_digit) gap = true;
        const auto d = static_cast<std::uint64_t>(*p - '0');
        if (id > (~std::uint64_t{0} - d) / 10) overflow = true;
        id = id * 10 + d;
        seen_digit = true;
        any = true;
        ++p;
        continue;
      }
      const std::size_t k = js_space_length(p, end);
      if (k == 0) break;
      if (seen_digit) space_after_digit = true;
      any = true;
      p += k;
    }
    if (any) {
      if (gap) return fail(error::invalid_ack_id, at(id_begin));  // the reference gets NaN
      if (overflow || id > opts.max_ack_id) return fail(error::ack_id_overflow, at(id_begin));
      pkt.id = id;
    }
  } else if (p != end && is_digit(*p)) {
    const char* id_begin = p;
    std::uint64_t id = 0;
    // id * 10 + d overflows exactly when id > cap, or id == cap and d > the last digit of 2^64-1;
    // constants, so no division per digit.
    constexpr std::uint64_t cap = ~std::uint64_t{0} / 10;
    constexpr std::uint64_t last = ~std::uint64_t{0} % 10;
    while (p != end && is_digit(*p)) {
      const auto d = static_cast<std::uint64_t>(*p - '0');
      if (id > cap || (id == cap && d > last) || id * 10 + d > opts.max_ack_id) {
        return fail(error::ack_id_overflow, at(id_begin));
      }
      id = id * 10 + d;
      ++p;
    }
    if (*id_begin == '0' && p - id_begin > 1) return fail(error::invalid_ack_id, at(id_begin));
    pkt.id = id;
  }

  // payload
  if (p != end) {
    const char* json_begin = p;
    const std::string_view rest(p, static_cast<std::size_t>(end - p));
    if (!opts.lax && json::detail::is_ws(*p)) return fail(error::invalid_json, at(p));
    json::options jo;
    jo.max_depth = opts.max_depth;
    json::detail::text_info info;
    result<json::kind> k = json::detail::validate_text<true>(rest, jo, &info);
    if (SIOCODEC_UNLIKELY(!k && k.error() == error::invalid_utf8 && opts.allow_invalid_utf8)) {
      // Only on failure, so that valid payloads pay nothing for the option.
      info = json::detail::text_info{};
      k = json::detail::validate_text<true, true>(rest, jo, &info);
      if (k) pkt.has_invalid_utf8 = true;
    }
    if (!k) return fail(k.error(), at(json_begin) + k.offset());
    pkt.data = std::string_view(info.value_begin,
                                static_cast<std::size_t>(info.value_end - info.value_begin));
    std::size_t where = 0;
    const error shape = check_shape(pkt.type, *k, info, opts.version, where, pkt.event_raw);
    if (shape != error::none) {
      return fail(shape, static_cast<std::size_t>(pkt.data.data() - begin) + where);
    }
    if (is_binary(pkt.type)) {
      const error e = check_placeholders(pkt.data, pkt.attachment_count, opts.lax, where);
      if (e != error::none) {
        return fail(e, static_cast<std::size_t>(pkt.data.data() - begin) + where);
      }
    }
  } else if (is_binary(pkt.type) && !opts.lax) {
    // Attachments with nothing to place them in: never written by an encoder.
    return fail(error::invalid_placeholder, at(p));
  }
  return error::none;
}

}  // namespace detail

inline result<packet_view> decode(std::string_view text, const decode_options& opts) noexcept {
  // One object, returned by NRVO on both paths.
  result<packet_view> r(std::in_place, text.size());
  std::size_t offset = 0;
  const error e = detail::decode_fields(text, opts, *r, offset);
  if (e != error::none) r = result<packet_view>(e, offset);
  return r;
}

}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_DECODE_HPP
