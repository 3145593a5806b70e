// SPDX-License-Identifier: BSL-1.0
// HTTP long-polling payloads: several Engine.IO packets in one body, in every format.
#ifndef SIOCODEC_ENGINEIO_PAYLOAD_HPP
#define SIOCODEC_ENGINEIO_PAYLOAD_HPP

#include <siocodec/base64.hpp>
#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/detail/utf8.hpp>
#include <siocodec/engineio/decode.hpp>
#include <siocodec/engineio/encode.hpp>
#include <siocodec/engineio/packet.hpp>
#include <siocodec/error.hpp>
#include <siocodec/result.hpp>
#include <siocodec/sink.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>

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

SIOCODEC_BEGIN_NAMESPACE
namespace engineio {

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
}  // namespace detail

/// A lazy, zero-copy reader of one whole polling body: a range of packet_view that ends at the end
/// of the body or at the first bad packet, as the reference's decodePayload does (it returns the
/// packets before the error, then the error). Check error() after the loop:
///
///     auto reader = engineio::decode_payload(body);
///     for (const engineio::packet_view& p : reader) handle(p);
///     if (reader.error() != siocodec::error::none) fail(reader.error(), reader.offset());
///
/// Base64 packets are validated and yielded as data_kind::base64 views of their text, unless
/// scratch storage was given: then they are decoded into it, one after the other, and yielded as
/// data_kind::binary views of the scratch. body.size() bytes of scratch always suffice (decoded
/// bytes are fewer than their base64 text). Views stay valid while body and scratch live.
///
/// Errors (error(), with offset() in the body):
/// - payload_too_large: body.size() > max_payload (before anything is read), or a v3 length above
///   max_payload.
/// - too_many_packets: more than max_packets packets.
/// - unexpected_binary_frame: a v4 body given as binary.
/// - empty_packet: an empty v4 body or item (also after a trailing separator), an empty v3 text
///   body, a v3 binary item of length 0.
/// - unknown_packet_type, invalid_base64: as decode() reports them, for the packet at fault.
/// - invalid_length: a malformed v3 length (empty, not decimal, leading zero, a length digit byte
///   above 9), or a v3 text length that ends inside a surrogate pair.
/// - invalid_item_kind: a v3 binary item that starts with neither 0x00 nor 0x01.
/// - invalid_utf8: a v3 text item, or a v3 binary string item, that is not UTF-8 (the reference
///   counts lengths on decoded text). With opts.allow_invalid_utf8, v3 text items are read as
///   the reference server reads them after Node's lossy decoding of the body (each maximal
///   invalid subpart is one U+FFFD, one UTF-16 unit) and flagged has_invalid_utf8; v3 binary
///   string items stay refused, as the reference's strict utf8.js refuses them.
/// - truncated: the body ends inside a v3 item or its length.
/// - output_too_small: the scratch storage cannot hold the next decoded base64 packet.
class payload_reader {
 public:
  class iterator;

  payload_reader() noexcept = default;
  payload_reader(std::string_view body, frame_kind kind, const decode_options& opts = {},
                 byte_span scratch = {}) noexcept;

  /// Reads the next packet into `out`. Returns false at the end of the body or on an error.
  bool next(packet_view& out) noexcept;

  /// error::none while reading and after a clean end.
  ::SIOCODEC_NAMESPACE::error error() const noexcept { return error_; }
  /// After an error: its offset in the body. Otherwise: body bytes consumed so far.
  std::size_t offset() const noexcept { return pos_; }
  /// Packets returned so far.
  std::size_t count() const noexcept { return count_; }
  /// True once the end of the body or an error was reached.
  bool done() const noexcept { return done_; }

  iterator begin() noexcept;
  iterator end() noexcept;

 private:
  // Replaces a base64 `out` by its bytes, decoded into the scratch; false (and the error set)
  // when they do not fit.
  bool decode_into_scratch(packet_view& out) noexcept;
  // next() for the v3 bodies (length-prefixed items), through the resumable scanner.
  bool next_framed(packet_view& out) noexcept;
  // Ends the walk on error `e` at byte `at`; false, for next() to return.
  bool stop(::SIOCODEC_NAMESPACE::error e, std::size_t at) noexcept {
    error_ = e;
    pos_ = at;
    done_ = true;
    return false;
  }
  // The end of both next() paths: the item's packet (base64 decoded into the scratch when there
  // is one) goes to `out`, and the walk moves on to `next`.
  bool take(const result<packet_view>& r, packet_view& out, std::size_t next) noexcept;

  std::string_view body_;
  decode_options opts_;
  byte_span scratch_;
  std::size_t scratch_used_ = 0;
  std::size_t pos_ = 0;
  std::size_t count_ = 0;
  std::uint8_t format_ = 0;
  bool done_ = true;
  ::SIOCODEC_NAMESPACE::error error_ = ::SIOCODEC_NAMESPACE::error::none;
};

/// Starts reading a polling body: a payload_reader over `body`.
payload_reader decode_payload(std::string_view body, frame_kind kind = frame_kind::text,
                              const decode_options& opts = {}, byte_span scratch = {}) noexcept;

/// A resumable decoder of one polling body that arrives in chunks (an HTTP body read piece by
/// piece). feed() calls on_packet(const packet_view&) for each packet as soon as it is complete;
/// finish() is called once at the end of the body. For any way of cutting a body into chunks it
/// yields exactly the packets and the error that payload_reader yields for the whole body, with
/// one exception: a body longer than max_payload. payload_reader refuses it before reading
/// anything (as the reference server does); payload_decoder cannot know the size in advance, so
/// it delivers the packets that end within the first max_payload bytes, then fails with
/// payload_too_large at offset max_payload (the same packets whatever the chunking). Check the
/// Content-Length first when the transport gives one.
///
/// Zero-copy for packets that lie inside one chunk (the view points into the chunk and is valid
/// during the callback only). A packet cut by a chunk boundary is gathered in `Storage` (any
/// resizable byte container: std::string, std::vector<unsigned char>, std::pmr::string), which
/// never holds more than one packet and never more than max_payload bytes. Once that packet is
/// delivered, and by reset(), storage with more capacity than opts.max_retained_bytes is
/// released. Base64 packets are yielded as data_kind::base64.
///
/// Errors: those of payload_reader. Every error is final: the decoder returns it again, with
/// consumed 0, until reset().
template <class Storage = std::string>
class payload_decoder {
 public:
  explicit payload_decoder(frame_kind kind = frame_kind::text,
                           const decode_options& opts = {}) noexcept(noexcept(Storage()));

  /// Feeds the next chunk. On success consumed == chunk.size().
  template <class F>
  decode_status feed(std::string_view chunk, F&& on_packet);
  /// Ends the body: a v4 body's last packet is complete only now, and a v3 body must not end
  /// inside an item. On success consumed is 0.
  template <class F>
  decode_status finish(F&& on_packet);
  /// feed(last_chunk) then finish(), without copying a v4 body's last packet (which feed() alone
  /// cannot know is complete). On success consumed == last_chunk.size().
  template <class F>
  decode_status finish(std::string_view last_chunk, F&& on_packet);

  /// Starts a new body with the same kind and options; keeps the storage's capacity up to
  /// opts.max_retained_bytes and releases a larger one.
  void reset() noexcept;

  bool failed() const noexcept { return error_ != ::SIOCODEC_NAMESPACE::error::none; }
  ::SIOCODEC_NAMESPACE::error error() const noexcept { return error_; }
  /// Body bytes consumed so far (after an error: the error's offset in the body).
  std::size_t body_offset() const noexcept { return offset_; }
  /// Packets delivered so far.
  std::size_t count() const noexcept { return count_; }

 private:
  template <class F>
  decode_status deliver(std::string_view content, std::size_t content_offset, F& on_packet);
  template <class F>
  decode_status run(std::string_view chunk, F& on_packet, bool last);
  decode_status fail(::SIOCODEC_NAMESPACE::error e, std::size_t at_body,
                     std::size_t at_chunk) noexcept;
  // Empties the storage after a delivered packet, releasing it above the retention limit.
  void clear_storage() noexcept {
    storage_.resize(0);
    if (storage_.capacity() > opts_.max_retained_bytes) {
      ::SIOCODEC_NAMESPACE::detail::release_buffer(storage_);
    }
  }

  Storage storage_;
  decode_options opts_;
  std::size_t offset_ = 0;
  std::size_t count_ = 0;
  std::size_t item_offset_ = 0;    // body offset of the stored partial content
  std::string_view pending_last_;  // finish(chunk): the last v4 item, still in the caller's chunk
  std::size_t pending_last_offset_ = 0;
  std::uint8_t format_ = 0;
  ::SIOCODEC_NAMESPACE::error error_ = ::SIOCODEC_NAMESPACE::error::none;
  detail::payload_state state_;
};

/// Exact size of the body encode_payload() writes for `packets`.
/// - v4: the packets' text forms joined by 0x1E; binary packets as `b<base64>`. No packets give
///   an empty body (the reference never calls its callback then).
/// - v3 text (no binary packet, or opts.supports_binary false): each packet as `<len>:<packet>`,
///   len in UTF-16 code units, binary packets as `b<digit><base64>`; no packets give `0:`.
/// - v3 binary (opts.supports_binary and some packet is binary): the binary payload format.
///
/// Errors: invalid_argument (a packet encode() rejects, or v4 text containing the 0x1E separator,
/// which the reference would send and so split the packet), invalid_utf8 (v3 text data that is not
/// UTF-8, whose UTF-16 length is undefined).
result<std::size_t> encoded_payload_size(const packet_view* packets, std::size_t n,
                                         const encode_options& opts = {}) noexcept;

/// Writes the body for `packets` into `out` (at most `cap` bytes). @return bytes written.
/// Errors: those of encoded_payload_size, and output_too_small (nothing written).
result<std::size_t> encode_payload_to(char* out, std::size_t cap, const packet_view* packets,
                                      std::size_t n, const encode_options& opts = {}) noexcept;

/// Appends the body for `packets` to `out` (one resize). Errors: those of encoded_payload_size.
template <class Container>
result<std::size_t> encode_payload(const packet_view* packets, std::size_t n, Container& out,
                                   const encode_options& opts = {});

/// The frame kind of the body encode_payload() writes: binary only for v3 with supports_binary
/// and at least one binary packet (send it as application/octet-stream), text otherwise.
frame_kind payload_frame_kind(const packet_view* packets, std::size_t n,
                              const encode_options& opts = {}) noexcept;

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

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
    if (bad != content.size()) return {error::invalid_utf8, base + bad};
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
    ::SIOCODEC_NAMESPACE::error ec = ::SIOCODEC_NAMESPACE::error::none;
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
          if (u[i] > 1) return fail(s, error::invalid_item_kind, base + i);
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
          if (!st.have_digit) return fail(s, error::invalid_length, base + i);
          ++i;
          if (st.length == 0) {
            // `0:` is how the reference encodes an empty list; it yields nothing. A binary item
            // of length 0 cannot hold a packet type.
            if (fmt == payload_format::v3_binary) {
              return fail(s, error::empty_packet, st.item_start);
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
          if (c > 9) return fail(s, error::invalid_length, base + i);
          digit = c;
        } else {
          if (c < '0' || c > '9') return fail(s, error::invalid_length, base + i);
          digit = static_cast<unsigned>(c - '0');
        }
        // The reference accepts leading zeros (it compares with Number()); no encoder writes them.
        if (st.leading_zero) return fail(s, error::invalid_length, base + i);
        if (!st.have_digit && digit == 0) st.leading_zero = true;
        st.have_digit = true;
        // Checked before multiplying, so the length cannot wrap whatever max_payload is.
        if (digit > opts.max_payload || st.length > (opts.max_payload - digit) / 10) {
          return fail(s, error::payload_too_large, base + i);
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
            if (!lossy) return fail(s, error::invalid_utf8, base + i);
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
          if (!lossy) return fail(s, error::invalid_utf8, base + i);
          ++st.seen;  // a byte that starts no sequence: one U+FFFD
        }
        ++i;
        // A length that ends between the two halves of a surrogate pair: the reference would
        // cut the pair and deliver a lone surrogate; UTF-8 cannot carry that.
        if (st.seen > st.length) return fail(s, error::invalid_length, st.item_start);
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
  static step fail(step& s, ::SIOCODEC_NAMESPACE::error e, std::size_t body_offset) noexcept {
    s.kind = step::failure;
    s.ec = e;
    s.error_at = body_offset;
    return s;
  }
};

template <class W>
error emit_v4_payload(W& w, const packet_view* packets, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) {
    const packet_view& p = packets[i];
    if (i != 0) w.put('\x1e');
    if (W::counting && p.kind == data_kind::text && !p.data.empty() &&
        std::memchr(p.data.data(), 0x1E, p.data.size()) != nullptr) {
      return error::invalid_argument;
    }
    const error e = emit_text_packet(w, p, protocol_version::v4);
    if (e != error::none) return e;
  }
  return error::none;
}

template <class W>
void emit_decimal(W& w, std::uint64_t v, bool digit_bytes) noexcept {
  char buf[20];
  std::size_t k = 0;
  do {
    const auto d = static_cast<char>(v % 10);
    buf[k++] = digit_bytes ? d : static_cast<char>('0' + d);
    v /= 10;
  } while (v != 0);
  while (k != 0) w.put(buf[--k]);
}

template <class W>
error emit_v3_text_payload(W& w, const packet_view* packets, std::size_t n) noexcept {
  if (n == 0) {
    w.append("0:", 2);
    return error::none;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const packet_view& p = packets[i];
    // All framing characters are ASCII: the packet's UTF-16 length is its text form's length
    // with the data counted in UTF-16 units.
    ::SIOCODEC_NAMESPACE::detail::size_counter text;
    const error e = emit_text_packet(text, p, protocol_version::v3);
    if (e != error::none) return e;
    std::size_t units = text.n;
    if (p.kind == data_kind::text) {
      if (W::counting && ::SIOCODEC_NAMESPACE::detail::utf8_find_invalid(
                             p.data.data(), p.data.size()) != p.data.size()) {
        return error::invalid_utf8;
      }
      units = 1 + ::SIOCODEC_NAMESPACE::detail::utf16_length(p.data.data(), p.data.size());
    }
    emit_decimal(w, units, false);
    w.put(':');
    (void)emit_text_packet(w, p, protocol_version::v3);
  }
  return error::none;
}

template <class W>
error emit_v3_binary_payload(W& w, const packet_view* packets, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) {
    const packet_view& p = packets[i];
    if (!is_valid(p.type)) return error::invalid_argument;
    if (p.kind == data_kind::binary) {
      w.put('\x01');
      emit_decimal(w, std::uint64_t{1} + p.data.size(), true);
      w.put('\xff');
      w.put(static_cast<char>(p.type));
      w.append(p.data.data(), p.data.size());
      continue;
    }
    if (W::counting && p.kind == data_kind::text &&
        ::SIOCODEC_NAMESPACE::detail::utf8_find_invalid(p.data.data(), p.data.size()) !=
            p.data.size()) {
      return error::invalid_utf8;
    }
    ::SIOCODEC_NAMESPACE::detail::size_counter text;
    const error e = emit_text_packet(text, p, protocol_version::v3);
    if (e != error::none) return e;
    w.put('\x00');
    emit_decimal(w, text.n, true);
    w.put('\xff');
    (void)emit_text_packet(w, p, protocol_version::v3);
  }
  return error::none;
}

template <class W>
error emit_payload(W& w, const packet_view* packets, std::size_t n,
                   const encode_options& opts) noexcept {
  if (opts.version == protocol_version::v4) return emit_v4_payload(w, packets, n);
  if (payload_frame_kind(packets, n, opts) == frame_kind::binary) {
    return emit_v3_binary_payload(w, packets, n);
  }
  return emit_v3_text_payload(w, packets, n);
}

}  // namespace detail

// --- payload_reader -----------------------------------------------------------------------------

class payload_reader::iterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = packet_view;
  using difference_type = std::ptrdiff_t;
  using pointer = const packet_view*;
  using reference = const packet_view&;

  iterator() noexcept = default;
  explicit iterator(payload_reader* r) noexcept : reader_(r) { advance(); }

  reference operator*() const noexcept { return current_; }
  pointer operator->() const noexcept { return &current_; }
  iterator& operator++() noexcept {
    advance();
    return *this;
  }
  void operator++(int) noexcept { advance(); }
  friend bool operator==(const iterator& a, const iterator& b) noexcept {
    return a.reader_ == b.reader_;
  }
  friend bool operator!=(const iterator& a, const iterator& b) noexcept { return !(a == b); }

 private:
  void advance() noexcept {
    if (reader_ != nullptr && !reader_->next(current_)) reader_ = nullptr;
  }
  payload_reader* reader_ = nullptr;
  packet_view current_;
};

inline payload_reader::payload_reader(std::string_view body, frame_kind kind,
                                      const decode_options& opts, byte_span scratch) noexcept
    : body_(body), opts_(opts), scratch_(scratch), done_(false) {
  const auto fmt = detail::format_of(opts.version, kind);
  format_ = static_cast<std::uint8_t>(fmt);
  if (fmt == detail::payload_format::invalid) {
    error_ = ::SIOCODEC_NAMESPACE::error::unexpected_binary_frame;
    done_ = true;
  } else if (body.size() > opts.max_payload) {
    error_ = ::SIOCODEC_NAMESPACE::error::payload_too_large;
    pos_ = opts.max_payload;
    done_ = true;
  } else if (body.empty() && fmt != detail::payload_format::v3_binary) {
    // The reference reports an empty text body as a parser error in both versions.
    error_ = ::SIOCODEC_NAMESPACE::error::empty_packet;
    done_ = true;
  }
}

inline bool payload_reader::next(packet_view& out) noexcept {
  if (format_ != static_cast<std::uint8_t>(detail::payload_format::v4_text)) {
    return next_framed(out);
  }
  // What next_framed()'s general loop does for a v4 body, without the resumable scanner: a v4
  // item is whatever lies before the next 0x1E (the last one runs to the end of the body), and
  // every item yields a packet or an error.
  if (done_) return false;
  const std::size_t n = body_.size();
  const void* sep = pos_ == n ? nullptr : std::memchr(body_.data() + pos_, 0x1E, n - pos_);
  std::size_t content_end = n;
  std::size_t next = n;
  if (sep == nullptr) {
    done_ = true;
  } else {
    content_end = static_cast<std::size_t>(static_cast<const char*>(sep) - body_.data());
    next = content_end + 1;
  }
  if (count_ == opts_.max_packets) return stop(::SIOCODEC_NAMESPACE::error::too_many_packets, pos_);
  return take(detail::decode_text_packet(body_.substr(pos_, content_end - pos_), opts_, pos_), out,
              next);
}

inline bool payload_reader::next_framed(packet_view& out) noexcept {
  const auto fmt = static_cast<detail::payload_format>(format_);
  while (!done_) {
    if (fmt != detail::payload_format::v4_text && pos_ == body_.size()) {
      done_ = true;
      return false;
    }
    // Each call reads exactly one item, so the state starts fresh at every item boundary.
    detail::payload_state st;
    st.item_start = pos_;
    auto s = detail::payload_scanner::run(fmt, st, body_.data(), pos_, body_.size(), opts_, 0);
    if (s.kind == detail::payload_scanner::step::failure) return stop(s.ec, s.error_at);
    if (s.kind == detail::payload_scanner::step::skip) {
      pos_ = s.next;
      continue;
    }
    if (s.kind == detail::payload_scanner::step::need_more) {
      if (fmt != detail::payload_format::v4_text &&
          !detail::payload_scanner::ends_lossy(st, opts_)) {
        return stop(::SIOCODEC_NAMESPACE::error::truncated, body_.size());
      }
      done_ = true;  // the last v4 item runs to the end of the body
    }
    if (count_ == opts_.max_packets) {
      return stop(::SIOCODEC_NAMESPACE::error::too_many_packets, st.item_start);
    }
    const std::string_view content = body_.substr(s.content_begin, s.content_end - s.content_begin);
    return take(detail::decode_item(fmt, st.string_item, content, opts_, s.content_begin), out,
                s.next);
  }
  return false;
}

inline bool payload_reader::take(const result<packet_view>& r, packet_view& out,
                                 std::size_t next) noexcept {
  if (!r) return stop(r.error(), r.offset());
  out = *r;
  if (out.kind == data_kind::base64 && !scratch_.empty() && !decode_into_scratch(out)) {
    return false;
  }
  pos_ = next;
  ++count_;
  return true;
}

inline bool payload_reader::decode_into_scratch(packet_view& out) noexcept {
  const byte_span room(scratch_.data() + scratch_used_, scratch_.size() - scratch_used_);
  auto d = base64::decode_to(out.data, room, opts_.base64);
  if (!d) {  // the text was validated, so only the room can be short
    error_ = d.error();
    done_ = true;
    return false;  // pos_ is still the start of the item
  }
  out = packet_view{out.type, data_kind::binary,
                    std::string_view(reinterpret_cast<const char*>(room.data()), *d)};
  scratch_used_ += *d;
  return true;
}

inline payload_reader::iterator payload_reader::begin() noexcept { return iterator(this); }
inline payload_reader::iterator payload_reader::end() noexcept { return iterator(); }

inline payload_reader decode_payload(std::string_view body, frame_kind kind,
                                     const decode_options& opts, byte_span scratch) noexcept {
  return payload_reader(body, kind, opts, scratch);
}

// --- payload_decoder
// ------------------------------------------------------------------------------

template <class Storage>
payload_decoder<Storage>::payload_decoder(frame_kind kind,
                                          const decode_options& opts) noexcept(noexcept(Storage()))
    : opts_(opts) {
  static_assert(is_resizable_buffer<Storage>::value,
                "payload_decoder storage must be a resizable container of one-byte elements");
  format_ = static_cast<std::uint8_t>(detail::format_of(opts.version, kind));
  reset();
}

template <class Storage>
void payload_decoder<Storage>::reset() noexcept {
  clear_storage();
  offset_ = 0;
  count_ = 0;
  item_offset_ = 0;
  state_ = detail::payload_state{};
  pending_last_ = {};
  error_ = ::SIOCODEC_NAMESPACE::error::none;
  if (static_cast<detail::payload_format>(format_) == detail::payload_format::invalid) {
    error_ = ::SIOCODEC_NAMESPACE::error::unexpected_binary_frame;
  }
}

template <class Storage>
decode_status payload_decoder<Storage>::fail(::SIOCODEC_NAMESPACE::error e, std::size_t at_body,
                                             std::size_t at_chunk) noexcept {
  error_ = e;
  offset_ = at_body;
  return {at_chunk, e};
}

template <class Storage>
template <class F>
decode_status payload_decoder<Storage>::deliver(std::string_view content,
                                                std::size_t content_offset, F& on_packet) {
  const auto fmt = static_cast<detail::payload_format>(format_);
  if (count_ == opts_.max_packets) {
    error_ = ::SIOCODEC_NAMESPACE::error::too_many_packets;
    offset_ = state_.item_start;
    return {0, error_};
  }
  auto r = detail::decode_item(fmt, state_.string_item, content, opts_, content_offset);
  if (!r) {
    error_ = r.error();
    offset_ = r.offset();
    return {0, error_};
  }
  ++count_;
  on_packet(*r);
  return {0, ::SIOCODEC_NAMESPACE::error::none};
}

template <class Storage>
template <class F>
decode_status payload_decoder<Storage>::feed(std::string_view chunk, F&& on_packet) {
  return run(chunk, on_packet, false);
}

template <class Storage>
template <class F>
decode_status payload_decoder<Storage>::finish(std::string_view last_chunk, F&& on_packet) {
  const std::size_t base = offset_;
  auto st = run(last_chunk, on_packet, true);
  if (!st.ok()) return st;
  auto end = finish(on_packet);
  if (!end.ok()) return {offset_ >= base ? offset_ - base : 0, end.ec};
  return st;
}

template <class Storage>
template <class F>
decode_status payload_decoder<Storage>::run(std::string_view chunk, F& on_packet, bool last) {
  if (failed()) return {0, error_};
  const auto fmt = static_cast<detail::payload_format>(format_);
  const std::size_t base = offset_;
  if (chunk.size() > opts_.max_payload - base) {
    // The body outgrows max_payload inside this chunk: the bytes below the limit are decoded
    // like any others (so what is delivered does not depend on where chunks are cut), then the
    // body fails at the limit.
    const std::size_t room = opts_.max_payload - base;
    auto below = run(chunk.substr(0, room), on_packet, false);
    if (!below.ok()) return below;
    return fail(::SIOCODEC_NAMESPACE::error::payload_too_large, opts_.max_payload, room);
  }
  std::size_t pos = 0;
  while (pos < chunk.size()) {
    if (fmt == detail::payload_format::v4_text && state_.phase == 0 && storage_.size() == 0) {
      state_.item_start = base + pos;
    }
    auto s =
        detail::payload_scanner::run(fmt, state_, chunk.data(), pos, chunk.size(), opts_, base);
    using step = detail::payload_scanner::step;
    if (s.kind == step::failure) {
      // An item-level error may point before this chunk; the chunk offset then clamps to 0.
      return fail(s.ec, s.error_at, s.error_at >= base ? s.error_at - base : 0);
    }
    if (s.kind == step::skip) {
      pos = s.next;
      continue;
    }
    const std::string_view part = chunk.substr(s.content_begin, s.content_end - s.content_begin);
    if (s.kind == step::need_more && last && fmt == detail::payload_format::v4_text &&
        storage_.size() == 0) {
      // The last v4 item lies inside the last chunk: finish() will find it here, uncopied.
      pending_last_ = part;
      pending_last_offset_ = base + s.content_begin;
      pos = s.next;
      break;
    }
    if (s.kind == step::need_more) {
      if (storage_.size() == 0) item_offset_ = base + s.content_begin;
      if (part.size() > opts_.max_payload - storage_.size()) {
        return fail(::SIOCODEC_NAMESPACE::error::payload_too_large, base + s.content_begin,
                    s.content_begin);
      }
      const std::size_t old = storage_.size();
      storage_.resize(old + part.size());
      if (!part.empty()) std::memcpy(&storage_[0] + old, part.data(), part.size());
      pos = s.next;
      break;
    }
    decode_status st;
    if (storage_.size() == 0) {
      st = deliver(part, base + s.content_begin, on_packet);
    } else {
      const std::size_t old = storage_.size();
      storage_.resize(old + part.size());
      if (!part.empty()) std::memcpy(&storage_[0] + old, part.data(), part.size());
      st = deliver(std::string_view(reinterpret_cast<const char*>(&storage_[0]), storage_.size()),
                   item_offset_, on_packet);
      clear_storage();
    }
    if (!st.ok()) {
      const std::size_t at_chunk = offset_ >= base ? offset_ - base : 0;
      return {at_chunk, error_};
    }
    pos = s.next;
  }
  offset_ = base + chunk.size();
  return {chunk.size(), ::SIOCODEC_NAMESPACE::error::none};
}

template <class Storage>
template <class F>
decode_status payload_decoder<Storage>::finish(F&& on_packet) {
  if (failed()) return {0, error_};
  const auto fmt = static_cast<detail::payload_format>(format_);
  if (fmt == detail::payload_format::v4_text) {
    // The last item runs to the end of the body; an empty one (empty body, trailing separator)
    // is an error, which deliver() reports through decode_text_packet.
    std::string_view content;
    if (pending_last_.data() != nullptr) {
      content = pending_last_;
      item_offset_ = pending_last_offset_;
      pending_last_ = {};
    } else if (storage_.size() == 0) {
      state_.item_start = offset_;
      item_offset_ = offset_;
    } else {
      content = std::string_view(reinterpret_cast<const char*>(&storage_[0]), storage_.size());
    }
    auto st = deliver(content, item_offset_, on_packet);
    clear_storage();
    if (!st.ok()) return {0, error_};
    return {0, ::SIOCODEC_NAMESPACE::error::none};
  }
  if (detail::payload_scanner::ends_lossy(state_, opts_)) {
    state_.phase = 0;
    auto st =
        deliver(std::string_view(reinterpret_cast<const char*>(&storage_[0]), storage_.size()),
                item_offset_, on_packet);
    storage_.resize(0);
    if (!st.ok()) return {0, error_};
    return {0, ::SIOCODEC_NAMESPACE::error::none};
  }
  if (state_.phase != 0) return fail(::SIOCODEC_NAMESPACE::error::truncated, offset_, 0);
  if (fmt == detail::payload_format::v3_text && offset_ == 0) {
    return fail(::SIOCODEC_NAMESPACE::error::empty_packet, 0, 0);
  }
  return {0, ::SIOCODEC_NAMESPACE::error::none};
}

// --- encoding -----------------------------------------------------------------------------------

inline frame_kind payload_frame_kind(const packet_view* packets, std::size_t n,
                                     const encode_options& opts) noexcept {
  if (opts.version != protocol_version::v3 || !opts.supports_binary) return frame_kind::text;
  for (std::size_t i = 0; i < n; ++i) {
    if (packets[i].kind == data_kind::binary) return frame_kind::binary;
  }
  return frame_kind::text;
}

inline result<std::size_t> encoded_payload_size(const packet_view* packets, std::size_t n,
                                                const encode_options& opts) noexcept {
  return ::SIOCODEC_NAMESPACE::detail::measure(
      [&](auto& w) { return detail::emit_payload(w, packets, n, opts); });
}

inline result<std::size_t> encode_payload_to(char* out, std::size_t cap, const packet_view* packets,
                                             std::size_t n, const encode_options& opts) noexcept {
  return ::SIOCODEC_NAMESPACE::detail::write_bounded(
      out, cap, [&](auto& w) { return detail::emit_payload(w, packets, n, opts); });
}

template <class Container>
result<std::size_t> encode_payload(const packet_view* packets, std::size_t n, Container& out,
                                   const encode_options& opts) {
  return ::SIOCODEC_NAMESPACE::detail::write_append(
      out, [&](auto& w) { return detail::emit_payload(w, packets, n, opts); });
}

}  // namespace engineio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_ENGINEIO_PAYLOAD_HPP
