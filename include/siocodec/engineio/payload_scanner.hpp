// SPDX-License-Identifier: BSL-1.0
// The grammar of HTTP long-polling bodies, v4 and v3, as one resumable scanner that both
// payload_reader and payload_decoder follow.
#ifndef SIOCODEC_ENGINEIO_PAYLOAD_SCANNER_HPP
#define SIOCODEC_ENGINEIO_PAYLOAD_SCANNER_HPP

#include <siocodec/config.hpp>
#include <siocodec/detail/utf8.hpp>
#include <siocodec/engineio/decode.hpp>
#include <siocodec/engineio/packet.hpp>
#include <siocodec/error.hpp>
#include <siocodec/result.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

SIOCODEC_BEGIN_NAMESPACE
namespace engineio {

// The three body formats (protocol.md §1.4), chosen by (version, frame kind):
//
//   v4, text     packet ( 0x1E packet )*              binary packets as `b<base64>`
//   v3, text     ( <len> ":" packet )*                len = UTF-16 code units of packet
//   v3, binary   ( kind digit* 0xFF packet )*         kind 0x00 string / 0x01 binary,
//                                                      one byte (0-9) per decimal digit of the
//                                                      byte length, binary packet = type byte +
//                                                      data
//
// A v4 body sent as binary is invalid (the reference server answers HTTP 400).

namespace detail {

// Where the body grammar stands between two bytes; shared by payload_reader (one item at a time)
// and payload_decoder (across chunks), so both follow exactly one grammar.
struct payload_state {
  std::uint8_t phase = 0;
  std::uint8_t pending = 0;                         // UTF-8 continuation bytes still due (v3 text)
  std::uint8_t second_lo = 0x80, second_hi = 0xBF;  // allowed range of the next continuation byte
  bool string_item = false;
  bool have_digit = false;
  bool leading_zero = false;
  bool astral = false;  // allow_invalid_utf8: a 4-byte sequence's second unit, due when complete
  std::uint64_t length = 0;    // announced length (v3): UTF-16 units (text) or bytes (binary)
  std::uint64_t seen = 0;      // units or bytes of content seen so far
  std::size_t item_start = 0;  // body offset where the current item began
};

enum class payload_format : std::uint8_t { invalid, v4_text, v3_text, v3_binary };

constexpr payload_format format_of(protocol_version v, frame_kind k) noexcept {
  return v == protocol_version::v4
             ? (k == frame_kind::text ? payload_format::v4_text : payload_format::invalid)
             : (k == frame_kind::text ? payload_format::v3_text : payload_format::v3_binary);
}

// Turns the content of one complete item into a packet. `base` is the body offset of the content.
inline result<packet_view> decode_item(payload_format fmt, bool string_item,
                                       std::string_view content, const decode_options& opts,
                                       std::size_t base) noexcept {
  if (fmt == payload_format::v3_binary) {
    if (!string_item) {
      auto r = decode_binary_packet(content, opts);
      if (!r) return {r.error(), base + r.offset()};
      return r;
    }
    // String items are the UTF-8 of the packet text, which the reference decodes with utf8.js:
    // it throws on malformed sequences whatever allow_invalid_utf8 says (and turns an encoded
    // surrogate into one U+FFFD where Node's decoders give three, so that stays refused too).
    const std::size_t bad =
        ::SIOCODEC_NAMESPACE::detail::utf8_find_invalid(content.data(), content.size());
    if (bad != content.size()) return {errc::invalid_utf8, base + bad};
  }
  if (fmt == payload_format::v3_text && opts.allow_invalid_utf8) {
    auto r = decode_text_packet(content, opts, base);
    if (r && ::SIOCODEC_NAMESPACE::detail::utf8_find_invalid(content.data(), content.size()) !=
                 content.size()) {
      r->has_invalid_utf8 = true;
    }
    return r;
  }
  return decode_text_packet(content, opts, base);
}

// The body grammar as a resumable machine over a payload_state. One step consumes bytes from
// [data + pos, data + n) and stops at the end of the input, at the end of an item's content, or
// at an error. `data` starts at body offset `base`. Content bounds are offsets in `data`; the
// error position is a body offset, since an item's error may concern bytes of an earlier chunk.
struct payload_scanner {
  enum phase_t : std::uint8_t { item_begin = 0, length, content };

  struct step {
    enum kind_t : std::uint8_t { need_more, item, skip, failure } kind = need_more;
    std::size_t next = 0;           // where scanning continues
    std::size_t content_begin = 0;  // this step's part of the item content: [begin, end)
    std::size_t content_end = 0;
    errc ec = errc::none;
    std::size_t error_at = 0;  // body offset of the error
  };

  static step run(payload_format fmt, payload_state& st, const char* data, std::size_t pos,
                  std::size_t n, const decode_options& opts, std::size_t base) noexcept {
    step s;
    const auto* u = reinterpret_cast<const unsigned char*>(data);
    if (fmt == payload_format::v4_text) {
      // Items end at 0x1E; there is no other framing. The item's start was recorded by the caller.
      st.phase = content;
      const void* sep = pos == n ? nullptr : std::memchr(data + pos, 0x1E, n - pos);
      s.content_begin = pos;
      if (sep == nullptr) {
        s.content_end = n;
        s.next = n;
        return s;
      }
      const auto at = static_cast<std::size_t>(static_cast<const char*>(sep) - data);
      s.content_end = at;
      s.next = at + 1;
      s.kind = step::item;
      st.phase = item_begin;
      return s;
    }
    std::size_t i = pos;
    while (i < n) {
      if (st.phase == item_begin) {
        st.item_start = base + i;
        st.have_digit = false;
        st.leading_zero = false;
        st.length = 0;
        st.seen = 0;
        st.pending = 0;
        st.astral = false;
        if (fmt == payload_format::v3_binary) {
          if (u[i] > 1) return fail(s, errc::invalid_item_kind, base + i);
          st.string_item = (u[i] == 0);
          ++i;
        }
        st.phase = length;
        continue;
      }
      if (st.phase == length) {
        const unsigned char c = u[i];
        const bool is_end = (fmt == payload_format::v3_binary) ? (c == 0xFF) : (c == ':');
        if (is_end) {
          if (!st.have_digit) return fail(s, errc::invalid_length, base + i);
          ++i;
          if (st.length == 0) {
            // `0:` is how the reference encodes an empty list; it yields nothing. A binary item
            // of length 0 cannot hold a packet type.
            if (fmt == payload_format::v3_binary) {
              return fail(s, errc::empty_packet, st.item_start);
            }
            st.phase = item_begin;
            s.kind = step::skip;
            s.next = i;
            return s;
          }
          st.phase = content;
          s.content_begin = i;
          continue;
        }
        unsigned digit;
        if (fmt == payload_format::v3_binary) {
          if (c > 9) return fail(s, errc::invalid_length, base + i);
          digit = c;
        } else {
          if (c < '0' || c > '9') return fail(s, errc::invalid_length, base + i);
          digit = static_cast<unsigned>(c - '0');
        }
        // The reference accepts leading zeros (it compares with Number()); no encoder writes them.
        if (st.leading_zero) return fail(s, errc::invalid_length, base + i);
        if (!st.have_digit && digit == 0) st.leading_zero = true;
        st.have_digit = true;
        // Checked before multiplying, so the length cannot wrap whatever max_payload is.
        if (digit > opts.max_payload || st.length > (opts.max_payload - digit) / 10) {
          return fail(s, errc::payload_too_large, base + i);
        }
        st.length = st.length * 10 + digit;
        ++i;
        continue;
      }
      // content
      s.content_begin = i;
      if (fmt == payload_format::v3_binary) {
        const std::uint64_t want = st.length - st.seen;
        const std::size_t avail = n - i;
        if (want > avail) {
          st.seen += avail;
          s.content_end = n;
          s.next = n;
          return s;
        }
        i += static_cast<std::size_t>(want);
        return finish_item(s, st, i);
      }
      // v3 text: count UTF-16 units byte by byte, validating UTF-8 as a stream so that a
      // sequence cut by a chunk boundary is handled like any other. With allow_invalid_utf8 the
      // count is that of the string Node's lossy decoding gives (the reference server decodes
      // the HTTP body before it reads the lengths): one unit per maximal invalid subpart.
      const bool lossy = opts.allow_invalid_utf8;
      while (i < n) {
        const unsigned char c = u[i];
        if (st.pending != 0) {
          if (c < st.second_lo || c > st.second_hi) {
            if (!lossy) return fail(s, errc::invalid_utf8, base + i);
            // The subpart so far is one U+FFFD, counted at its lead byte; `c` starts afresh.
            st.pending = 0;
            st.astral = false;
            st.second_lo = 0x80;
            st.second_hi = 0xBF;
            if (st.seen == st.length) return finish_item(s, st, i);
            continue;
          }
          st.second_lo = 0x80;
          st.second_hi = 0xBF;
          --st.pending;
          if (st.pending == 0 && st.astral) {
            st.astral = false;
            ++st.seen;
          }
        } else if (c < 0x80) {
          ++st.seen;
        } else if (c >= 0xC2 && c <= 0xDF) {
          ++st.seen;
          st.pending = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
          ++st.seen;
          st.pending = 2;
          st.second_lo = (c == 0xE0) ? 0xA0 : 0x80;
          st.second_hi = (c == 0xED) ? 0x9F : 0xBF;
        } else if (c >= 0xF0 && c <= 0xF4) {
          // Lossy: the sequence may still turn into a single U+FFFD, so its second unit waits.
          st.seen += lossy ? 1 : 2;
          st.astral = lossy;
          st.pending = 3;
          st.second_lo = (c == 0xF0) ? 0x90 : 0x80;
          st.second_hi = (c == 0xF4) ? 0x8F : 0xBF;
        } else {
          if (!lossy) return fail(s, errc::invalid_utf8, base + i);
          ++st.seen;  // a byte that starts no sequence: one U+FFFD
        }
        ++i;
        // A length that ends between the two halves of a surrogate pair: the reference would
        // cut the pair and deliver a lone surrogate; UTF-8 cannot carry that.
        if (st.seen > st.length) return fail(s, errc::invalid_length, st.item_start);
        if (st.seen == st.length && st.pending == 0) return finish_item(s, st, i);
      }
      s.content_end = n;
      s.next = n;
      return s;
    }
    s.next = n;
    s.content_begin = s.content_end = n;
    return s;
  }

  // True when a v3 text body ends inside a UTF-8 sequence exactly where its item ends once the
  // cut sequence is read as U+FFFD (allow_invalid_utf8): the item is then complete.
  static bool ends_lossy(const payload_state& st, const decode_options& opts) noexcept {
    return opts.allow_invalid_utf8 && st.phase == content && st.pending != 0 &&
           st.seen == st.length;
  }

 private:
  static step finish_item(step& s, payload_state& st, std::size_t end) noexcept {
    s.kind = step::item;
    s.content_end = end;
    s.next = end;
    st.phase = item_begin;
    return s;
  }
  static step fail(step& s, errc e, std::size_t body_offset) noexcept {
    s.kind = step::failure;
    s.ec = e;
    s.error_at = body_offset;
    return s;
  }
};

}  // namespace detail

}  // namespace engineio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_ENGINEIO_PAYLOAD_SCANNER_HPP
