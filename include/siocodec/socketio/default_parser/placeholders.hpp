// SPDX-License-Identifier: BSL-1.0
// Binary placeholders of the default parser: finding `{"_placeholder":true,"num":N}` in a
// validated payload without a DOM, and checking that they cover the announced attachments.
#ifndef SIOCODEC_SOCKETIO_DEFAULT_PARSER_PLACEHOLDERS_HPP
#define SIOCODEC_SOCKETIO_DEFAULT_PARSER_PLACEHOLDERS_HPP

#include <siocodec/config.hpp>
#include <siocodec/error.hpp>
#include <siocodec/json/validate.hpp>
#include <siocodec/json/value.hpp>
#include <siocodec/result.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {
namespace detail {

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

inline errc check_flat_object(const json::value& obj, std::size_t attachments, bool lax,
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
  if (!has_key || flag.raw() != "true") return errc::none;
  if (!lax && (members != 2 || flags != 1 || nums != 1)) return errc::invalid_placeholder;
  if (!num.is_number()) return errc::invalid_placeholder;
  std::uint64_t n = 0;
  if (num.is_integer() && (lax || num.raw()[0] != '-')) {  // strict: no encoder writes -0
    auto r = num.to_uint64();
    if (!r) return errc::invalid_placeholder;
    n = *r;
  } else {
    // 1.0 or 1e0 name attachment 1 in JavaScript; only lax accepts such spellings.
    if (!lax) return errc::invalid_placeholder;
    auto d = num.to_double();
    if (!d || !(*d >= 0) || *d != std::floor(*d) || *d >= 18446744073709551616.0) {
      return errc::invalid_placeholder;
    }
    n = static_cast<std::uint64_t>(*d);
  }
  if (n >= attachments) return errc::invalid_placeholder;
  out.is_placeholder = true;
  out.num = n;
  return errc::none;
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
inline errc scan_placeholders(std::string_view json_text, std::size_t attachments, bool lax,
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
          return errc::invalid_placeholder;
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
        errc e = check_flat_object(obj, attachments, lax, info);
        if (e == errc::none && info.is_placeholder && used != nullptr && !used->mark(info.num)) {
          e = errc::invalid_placeholder;
        }
        if (e != errc::none) {
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
            return errc::invalid_placeholder;
          }
        }
      }
      p = after;
      continue;
    }
    ++p;
  }
  return errc::none;
}

inline errc check_placeholders(std::string_view json_text, std::size_t attachments, bool lax,
                               std::size_t& at) noexcept {
  if (lax) return scan_placeholders(json_text, attachments, true, nullptr, at);
  attachment_coverage used(attachments);
  const errc e = scan_placeholders(json_text, attachments, false, &used, at);
  if (e != errc::none) return e;
  if (!used.complete()) {
    at = json_text.size();
    return errc::invalid_placeholder;
  }
  return errc::none;
}

}  // namespace detail
}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_DEFAULT_PARSER_PLACEHOLDERS_HPP
