// SPDX-License-Identifier: BSL-1.0
// The sinks of the stateful JSON writers: one that writes into a bounded buffer and turns into a
// counter when a piece does not fit, a counter, an unchecked fast-path writer, and the checks a
// polling body needs of a text (UTF-16 length, UTF-8 validity, record separator).
#ifndef SIOCODEC_JSON_SINK_HPP
#define SIOCODEC_JSON_SINK_HPP

#include <siocodec/config.hpp>
#include <siocodec/detail/utf8.hpp>
#include <siocodec/json/write.hpp>

#include <cstddef>
#include <cstring>

SIOCODEC_BEGIN_NAMESPACE
namespace json {
namespace detail {

// What the measuring writers learn about the text when `track` is set (polling bodies, whose
// framing depends on the text): UTF-16 units, UTF-8 validity and the 0x1E record separator.
// Every piece appended is whole code points (ASCII syntax, whole strings, whole raw JSON), so the
// text can be judged piece by piece.
struct text_checks {
  bool track = false;
  std::size_t utf16 = 0;
  bool bad_utf8 = false;
  bool has_separator = false;

  void see(const char* s, std::size_t k) noexcept {
    if (::SIOCODEC_NAMESPACE::detail::utf8_find_invalid(s, k) != k) {
      bad_utf8 = true;
    } else {
      utf16 += ::SIOCODEC_NAMESPACE::detail::utf16_length(s, k);
    }
    if (k != 0 && std::memchr(s, 0x1E, k) != nullptr) has_separator = true;
  }
};

// The measuring writer of builders and frame encoders: counts bytes (and checks the text).
struct text_counter : text_checks {
  std::size_t n = 0;
  bool overflow = false;
  static constexpr bool counting = true;

  SIOCODEC_ALWAYS_INLINE void add(std::size_t k) noexcept {
    n += k;
    overflow |= n < k;
  }
  // Inline: the measuring pass calls these for every token.
  SIOCODEC_ALWAYS_INLINE void put(char c) noexcept {
    add(1);
    if (SIOCODEC_UNLIKELY(track)) see(&c, 1);
  }
  SIOCODEC_ALWAYS_INLINE void append(const char* s, std::size_t k) noexcept {
    add(k);
    if (SIOCODEC_UNLIKELY(track)) see(s, k);
  }
  void fill(char c, std::size_t k) noexcept {
    for (std::size_t i = 0; i < k; ++i) put(c);
  }
};

// The sink of args_writer and of the builder paths. It writes into [p, end) while the pieces
// fit; the first piece that does not fit turns it into a counter (end = p), so the rest of the
// packet is still visited, validated and measured: an encoder that finds its output too small
// still reports the errors that take precedence, and knows the size that was needed. A sink
// without room (p == end) only counts: the measuring pass. With `track`, counted pieces also go
// through the checks of text_counter (polling bodies).
struct json_sink : text_checks {
  char* p = nullptr;
  char* end = nullptr;
  std::size_t extra = 0;  // bytes counted, not written
  bool overflow = false;  // extra wrapped around
  static constexpr bool counting = false;

  SIOCODEC_ALWAYS_INLINE bool has_room(std::size_t k) const noexcept {
    return static_cast<std::size_t>(end - p) >= k;
  }
  SIOCODEC_ALWAYS_INLINE void put(char c) noexcept {
    if (SIOCODEC_LIKELY(p != end)) {
      *p++ = c;
      return;
    }
    count(&c, 1);
  }
  SIOCODEC_ALWAYS_INLINE void append(const char* s, std::size_t k) noexcept {
    if (SIOCODEC_LIKELY(has_room(k))) {
      json::detail::copy_short(p, s, k);
      p += k;
      return;
    }
    count(s, k);
  }
  void fill(char c, std::size_t k) noexcept {
    for (std::size_t i = 0; i < k; ++i) put(c);
  }
  // A sink that only counts (the measuring pass, or a buffer already full) and has no checks to
  // feed: the args_writer then counts whole tokens at once, without writing them piece by piece.
  SIOCODEC_ALWAYS_INLINE bool counts_only() const noexcept { return p == end && !track; }
  SIOCODEC_ALWAYS_INLINE void add(std::size_t k) noexcept {
    extra += k;
    overflow |= extra < k;
  }
  SIOCODEC_ALWAYS_INLINE void count(const char* s, std::size_t k) noexcept {
    end = p;  // nothing after a piece that did not fit may be written
    extra += k;
    overflow |= extra < k;
    if (SIOCODEC_UNLIKELY(track)) see(s, k);
  }
};

// A json_sink's fast path: writes with no checks, into room the caller has made sure of (a
// JSON string takes at most 6 bytes per byte of text, `\u001f`, plus its quotes).
struct raw_sink {
  char* p;
  static constexpr bool counting = false;
  SIOCODEC_ALWAYS_INLINE void put(char c) noexcept { *p++ = c; }
  SIOCODEC_ALWAYS_INLINE void append(const char* s, std::size_t k) noexcept {
    json::detail::copy_short(p, s, k);
    p += k;
  }
  void fill(char c, std::size_t k) noexcept {
    if (k != 0) std::memset(p, c, k);
    p += k;
  }
};

// True when `s` has room for the JSON string of `text` and `extra` more bytes.
SIOCODEC_ALWAYS_INLINE bool has_string_room(const json_sink& s, std::size_t text,
                                            std::size_t extra) noexcept {
  const auto avail = static_cast<std::size_t>(s.end - s.p);
  return avail >= extra + 2 && (avail - extra - 2) / 6 >= text;
}

}  // namespace detail
}  // namespace json
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_JSON_SINK_HPP
