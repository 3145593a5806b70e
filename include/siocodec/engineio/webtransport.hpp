// SPDX-License-Identifier: BSL-1.0
// Engine.IO over WebTransport: length-prefixed records on one byte stream (protocol.md §1.10).
#ifndef SIOCODEC_ENGINEIO_WEBTRANSPORT_HPP
#define SIOCODEC_ENGINEIO_WEBTRANSPORT_HPP

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
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

SIOCODEC_BEGIN_NAMESPACE
namespace engineio {

/// Engine.IO v4 over WebTransport ("Engine.IO 4.1", engine.io-parser >= 5.2.1).
///
/// The session uses one bidirectional stream on which every packet is one record:
/// ```
/// byte 0:  bit 7 = 1 for a binary payload, 0 for text; bits 0-6 = L
///          L <= 125: the payload length is L                        (1-byte header)
///          L == 126: the next 2 bytes are the length, big-endian     (3-byte header)
///          L == 127: the next 8 bytes are the length, big-endian     (9-byte header)
/// payload: text   -> the UTF-8 bytes of "<type digit><data>" (or "b<base64>")
///          binary -> the raw bytes of a message (there is no type byte)
/// ```
/// Encoders write the shortest header; the decoder accepts any (non-minimal lengths too).
namespace webtransport {

/// Longest payload a record may announce: 2^53 - 1, the reference decoder's limit (it reads the
/// length into a JavaScript number and reports an error above the largest safe integer).
constexpr std::uint64_t max_length = (std::uint64_t{1} << 53) - 1;

/// Header size for a payload of `n` bytes: 1 (n < 126), 3 (n < 65536), else 9.
constexpr std::size_t header_size(std::uint64_t n) noexcept {
  return n < 126 ? 1 : n < 65536 ? 3 : 9;
}

/// Writes the header alone, for scatter-gather writes: the header, then the caller's payload
/// bytes untouched. For a text packet the payload is `<type digit><data>`, so `payload_size` is
/// 1 + data size; for a binary packet it is the data size and `binary` is true.
/// @return bytes written (header_size(payload_size)).
///
/// Errors:
/// - invalid_argument: payload_size > max_length (no peer could decode the record).
/// - output_too_small: cap < header_size(payload_size); nothing written.
result<std::size_t> encode_header_to(char* out, std::size_t cap, std::uint64_t payload_size,
                                     bool binary) noexcept;

/// Exact size of the record encode() writes for `p` (header + payload):
/// - text packet: a text record holding `<type digit><data>`. The data should be valid UTF-8: it
///   is not checked here, and decoders reject it (ours) or mangle it (the reference) otherwise;
/// - binary packet: a binary record holding the raw bytes; its type must be message. An EMPTY
///   binary packet is written as the text record `b` (header 01, payload 62), which the reference
///   decodes to an empty binary message: the reference's own encoder writes a zero-length binary
///   record (`80`) that its decoder rejects (and its server then closes the session);
/// - base64 packet (data already base64): the text record `b<base64>`, which the reference
///   decodes to binary; its type must be message.
///
/// Errors: invalid_argument: a type outside 0-6, a binary or base64 packet whose type is not
/// message, base64 data that strict base64 rejects, or a payload longer than max_length.
result<std::size_t> encoded_size(const packet_view& p) noexcept;

/// Writes the record for `p` into `out` (at most `cap` bytes). @return bytes written.
/// Errors: those of encoded_size, and output_too_small (nothing written).
result<std::size_t> encode_to(char* out, std::size_t cap, const packet_view& p) noexcept;

/// encode_to into a fixed array.
template <std::size_t N>
result<std::size_t> encode_to(char (&out)[N], const packet_view& p) noexcept {
  return webtransport::encode_to(out, N, p);
}

/// Appends the record for `p` to `out` (any resizable byte container; one resize).
/// @return bytes appended. Errors: those of encoded_size.
template <class C>
result<std::size_t> encode(const packet_view& p, C& out);

/// Where stream_decoder is inside a record. Transitions, one step per byte or group of bytes:
/// ```
///   header      --byte with L <= 125, L != 0-------------> payload
///   header      --byte with L == 126---------------------> extended_16
///   header      --byte with L == 127---------------------> extended_64
///   extended_16 --2nd length byte, length accepted-------> payload
///   extended_64 --8th length byte, length accepted-------> payload
///   payload     --last payload byte, packet delivered----> header
/// ```
/// Any error (L == 0, a length refused, a payload refused) fails the decoder until reset();
/// state() is then unspecified. Only `header` is a record boundary.
enum class stream_state : std::uint8_t {
  header,       ///< expecting the first byte of a record
  extended_16,  ///< reading the 2-byte big-endian length
  extended_64,  ///< reading the 8-byte big-endian length
  payload,      ///< reading the announced number of payload bytes
};

/// Resumable decoder of one WebTransport stream, fed chunks of any size split anywhere.
///
/// A record whose payload lies entirely inside one chunk is delivered zero-copy: the packet's
/// data points into that chunk. Only a payload that straddles chunks is copied into `Storage`
/// (any resizable byte container with capacity(), reserve() and swap(): std::string,
/// std::vector<unsigned char>, std::pmr::string...), which grows with the payload bytes that
/// actually arrived, never with the announced length: at most doubling, never past the announced
/// length, so its capacity stays below twice the bytes received (plus the container's small
/// minimum). A header announcing 1,000,000 bytes followed by 1 byte costs a few bytes, and a
/// SIZE_MAX max_payload cannot make feed() allocate what no peer sent. After a record is
/// delivered, storage of more than opts.max_retained_bytes is released (a stream that once
/// carried a large record holds at most that much while idle); smaller storage is kept for the
/// next straddling record. A failure or reset() releases it.
///
/// Text records are checked for UTF-8 and then decoded as Engine.IO text packets: WebSocket
/// stacks validate text frames, WebTransport streams don't, so this decoder is the first to see
/// the bytes. A text record `b<base64>` gives a packet of data_kind::base64, validated in
/// opts.base64 mode (base64::decode_to turns it into bytes). A binary record gives a message of
/// data_kind::binary.
///
/// Every error is terminal: the decoder stays failed until reset(), like the reference server,
/// which closes the session on any error packet.
///
/// Deliberate differences from the reference (createPacketDecoderStream, engine.io-parser 5.2.3):
/// - max_payload is checked against the real length. The reference also compares the 7-bit
///   marker (126, 127) with maxPayload, so with maxPayload < 127 it rejects extended headers even
///   for short payloads.
/// - A text record with invalid UTF-8 is an error (invalid_utf8); the reference's TextDecoder
///   replaces the bad bytes with U+FFFD. decode_options::allow_invalid_utf8 accepts it as the
///   reference does: the packet's data is the bytes as received, has_invalid_utf8 is set, and
///   utf8::lossy() gives the reference's string.
/// - A leading UTF-8 BOM is not stripped (the reference's TextDecoder strips it silently), so such
///   a record fails with unknown_packet_type.
/// - An unknown packet type is terminal; the reference emits an error packet and keeps decoding
///   (its server closes the session on that error packet anyway).
/// Like the reference: non-minimal lengths (`7e 00 05`) are accepted; lengths above 2^53 - 1 and
/// zero-length records are errors (so an empty binary message cannot travel as `80`).
///
/// One decoder per stream; not thread-safe. Copyable and movable like its Storage.
template <class Storage = std::string>
class stream_decoder {
  static_assert(is_resizable_buffer<Storage>::value,
                "stream_decoder needs a resizable container of one-byte elements");

 public:
  /// A decoder at the start of a stream. Uses opts.max_payload (largest payload accepted, bytes),
  /// opts.max_retained_bytes (storage kept between records) and opts.base64 (how `b` records are
  /// checked). opts.version must be v4: WebTransport exists
  /// only in Engine.IO v4; any other version leaves the decoder failed with invalid_argument.
  explicit stream_decoder(const decode_options& opts = {}) noexcept(
      std::is_nothrow_default_constructible<Storage>::value)
      : opts_(opts) {
    reset_state();
  }

  /// The same with a given storage object, for instance a std::pmr::string bound to an arena.
  stream_decoder(const decode_options& opts,
                 Storage storage) noexcept(std::is_nothrow_move_constructible<Storage>::value)
      : opts_(opts), storage_(std::move(storage)) {
    reset_state();
  }

  /// Feeds the next chunk of the stream. Calls `on_packet(const packet_view&)` for every record
  /// the chunk completes, in stream order. The view is valid only during that call (it points
  /// into `chunk` or into the decoder's storage); copy what must outlive it. on_packet must not
  /// call feed() or reset() of this decoder. If it throws, the exception propagates and the
  /// decoder stands just after the delivered record (stream_offset() says where, so the rest of
  /// the chunk can be fed again).
  ///
  /// @return {consumed, ec}. On success consumed == chunk.size() (a partial record is kept for
  /// the next chunk). On failure consumed is the offset of the offending byte in `chunk`, or 0
  /// when that byte arrived in an earlier chunk; stream_offset() gives its offset in the stream.
  /// Packets completed before the failure have been delivered.
  ///
  /// Errors (offending byte in brackets):
  /// - empty_packet: a record announces length 0 [first header byte of the record].
  /// - payload_too_large: a record announces more than opts.max_payload bytes, or more than
  ///   max_length whatever the limit [first header byte of the record].
  /// - invalid_utf8: a text record is not valid UTF-8 [first byte of the invalid sequence];
  ///   never with opts.allow_invalid_utf8.
  /// - unknown_packet_type: a text record starts with neither a digit 0-6 nor `b` [its first
  ///   payload byte].
  /// - invalid_base64: a `b` record's base64 is rejected in opts.base64 mode [the offending
  ///   character, or the end of the payload when the length or padding is wrong].
  /// - invalid_argument: opts.version is not v4 [consumed 0, stream offset 0].
  /// - after any error: the same error again, consumed 0, until reset().
  ///
  /// Complexity: O(chunk.size()) plus the UTF-8 / base64 checks of the records it completes.
  template <class F>
  decode_status feed(byte_view chunk, F&& on_packet);

  /// The same for a chunk held as chars.
  template <class F>
  decode_status feed(std::string_view chunk, F&& on_packet) {
    return feed(byte_view(chunk), std::forward<F>(on_packet));
  }

  /// True after an error, until reset().
  bool failed() const noexcept { return error_ != errc::none; }

  /// The error that failed the decoder; errc::none while it has not failed.
  errc error() const noexcept { return error_; }

  /// Bytes of the stream consumed so far; after an error, the stream offset of the offending
  /// byte. Inside on_packet: the offset just past the record being delivered.
  std::uint64_t stream_offset() const noexcept { return offset_; }

  /// True when no record is partially received, i.e. the stream may end here cleanly. False
  /// after an error.
  bool at_record_boundary() const noexcept {
    return error_ == errc::none && state_ == stream_state::header;
  }

  /// Where the decoder is inside the current record (see stream_state).
  stream_state state() const noexcept { return state_; }

  /// Back to the start of a new stream with the same options; releases the storage.
  void reset() noexcept {
    release_storage();
    reset_state();
  }

 private:
  void reset_state() noexcept {
    state_ = stream_state::header;
    offset_ = 0;
    record_start_ = 0;
    payload_start_ = 0;
    length_ = 0;
    buffered_ = 0;
    need_ = 0;
    binary_ = false;
    error_ = opts_.version == protocol_version::v4 ? errc::none : errc::invalid_argument;
  }

  void release_storage() noexcept { SIOCODEC_NAMESPACE::detail::release_buffer(storage_); }

  // Makes room for `need` payload bytes (need <= len, the announced length), keeping the
  // buffered_ bytes. Grows geometrically from what arrived, capped by len: the announced length
  // only bounds the growth, it never sizes an allocation by itself. The new block is reserved in
  // a fresh container, because reserve() on a used std::string may double past the cap.
  void grow_storage(std::size_t need, std::size_t len) {
    const std::size_t cap = storage_.capacity();
    if (need <= cap) return;
    std::size_t want = cap > len / 2 ? len : 2 * cap;
    if (want < need) want = need;
    if (want > storage_.max_size()) want = need;
    Storage fresh = fresh_storage(0);
    fresh.reserve(want);
    fresh.resize(buffered_);
    if (buffered_ != 0) std::memcpy(static_cast<void*>(fresh.data()), storage_.data(), buffered_);
    fresh.swap(storage_);
  }

  // An empty container with the storage's allocator (a pmr::string keeps its resource, and
  // swapping containers with unequal allocators would be undefined).
  template <class S = Storage>
  auto fresh_storage(int) const -> decltype(std::declval<const S&>().get_allocator(), S()) {
    return S(storage_.get_allocator());
  }
  template <class S = Storage>
  S fresh_storage(long) const {
    return S();
  }

  // After a delivered straddling record: storage above the retention limit goes.
  void trim_storage() noexcept {
    if (storage_.capacity() > opts_.max_retained_bytes) release_storage();
  }

  errc check_length() const noexcept {
    if (length_ == 0) return errc::empty_packet;
    // max_length is the reference's bound; max_payload, a std::size_t, bounds the storage and
    // makes the later cast of length_ to std::size_t exact.
    if (length_ > max_length || length_ > std::uint64_t{opts_.max_payload}) {
      return errc::payload_too_large;
    }
    return errc::none;
  }

  decode_status fail(errc e, std::uint64_t at, std::uint64_t chunk_base) noexcept {
    error_ = e;
    offset_ = at;
    release_storage();
    return {at >= chunk_base ? static_cast<std::size_t>(at - chunk_base) : 0, e};
  }

  // Checks and delivers one complete payload that starts at stream offset `start`. On failure
  // returns the error and sets `at` to the stream offset of the offending byte.
  template <class F>
  errc deliver(const char* p, std::size_t n, std::uint64_t start, F& on_packet, std::uint64_t& at) {
    if (binary_) {
      on_packet(packet_view{packet_type::message, data_kind::binary, std::string_view(p, n)});
      return errc::none;
    }
    const std::size_t bad = SIOCODEC_NAMESPACE::detail::utf8_find_invalid(p, n);
    // The reference decodes text with a non-fatal TextDecoder (U+FFFD).
    if (bad != n && !opts_.allow_invalid_utf8) {
      at = start + bad;
      return errc::invalid_utf8;
    }
    auto r = engineio::detail::decode_text_packet(std::string_view(p, n), opts_, 0);
    if (!r) {
      at = start + r.offset();
      return r.error();
    }
    r->has_invalid_utf8 = bad != n;
    on_packet(*r);
    return errc::none;
  }

  decode_options opts_;
  Storage storage_{};
  // Stream offset of the next byte to consume; of the offending byte once failed.
  std::uint64_t offset_ = 0;
  // Stream offsets of the current record's first header byte and first payload byte.
  std::uint64_t record_start_ = 0;
  std::uint64_t payload_start_ = 0;
  // The announced payload length; partial while an extended length is being read. Once the
  // state is `payload` it has passed check_length, so it fits std::size_t.
  std::uint64_t length_ = 0;
  // Payload bytes of a straddling record already copied into storage_ (0: nothing buffered).
  std::size_t buffered_ = 0;
  // Extended length bytes still to read.
  std::uint8_t need_ = 0;
  stream_state state_ = stream_state::header;
  bool binary_ = false;
  errc error_ = errc::none;
};

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

inline char header_byte(std::uint64_t v) noexcept {
  return static_cast<char>(static_cast<unsigned char>(v & 0xff));
}

template <class W>
void emit_header(W& w, std::uint64_t n, bool binary) noexcept {
  const std::uint64_t flag = binary ? 0x80 : 0;
  if (n < 126) {
    w.put(header_byte(n | flag));
  } else if (n < 65536) {
    w.put(header_byte(126 | flag));
    w.put(header_byte(n >> 8));
    w.put(header_byte(n));
  } else {
    w.put(header_byte(127 | flag));
    for (int shift = 56; shift >= 0; shift -= 8) w.put(header_byte(n >> shift));
  }
}

template <class W>
errc emit_record(W& w, const packet_view& p) noexcept {
  if (!is_valid(p.type)) return errc::invalid_argument;
  const std::uint64_t size = p.data.size();
  if (p.kind == data_kind::binary && size != 0) {
    if (p.type != packet_type::message || size > max_length) return errc::invalid_argument;
    emit_header(w, size, true);
    w.append(p.data.data(), p.data.size());
    return errc::none;
  }
  // Text, base64 and empty binary (written as "b", the empty base64) share the text record:
  // one character (the type digit or 'b') followed by the data as is.
  if (size > max_length - 1) return errc::invalid_argument;
  emit_header(w, size + 1, false);
  return engineio::detail::emit_text_packet(w, p, protocol_version::v4);
}

}  // namespace detail

inline result<std::size_t> encode_header_to(char* out, std::size_t cap, std::uint64_t payload_size,
                                            bool binary) noexcept {
  if (payload_size > max_length) return {errc::invalid_argument, 0};
  return SIOCODEC_NAMESPACE::detail::write_bounded(out, cap, [&](auto& w) {
    detail::emit_header(w, payload_size, binary);
    return errc::none;
  });
}

inline result<std::size_t> encoded_size(const packet_view& p) noexcept {
  return SIOCODEC_NAMESPACE::detail::measure([&](auto& w) { return detail::emit_record(w, p); });
}

inline result<std::size_t> encode_to(char* out, std::size_t cap, const packet_view& p) noexcept {
  return SIOCODEC_NAMESPACE::detail::write_bounded(
      out, cap, [&](auto& w) { return detail::emit_record(w, p); });
}

template <class C>
result<std::size_t> encode(const packet_view& p, C& out) {
  return SIOCODEC_NAMESPACE::detail::write_append(
      out, [&](auto& w) { return detail::emit_record(w, p); });
}

template <class Storage>
template <class F>
decode_status stream_decoder<Storage>::feed(byte_view chunk, F&& on_packet) {
  if (error_ != errc::none) return {0, error_};
  const unsigned char* const begin = chunk.data();
  const unsigned char* const end = begin + chunk.size();
  const unsigned char* it = begin;
  const std::uint64_t base = offset_;
  const auto here = [&] { return base + static_cast<std::uint64_t>(it - begin); };

  while (it != end) {
    if (state_ == stream_state::payload) {
      // check_length bounded length_ by max_payload, a std::size_t.
      const auto len = static_cast<std::size_t>(length_);
      const auto avail = static_cast<std::size_t>(end - it);
      std::uint64_t at = 0;
      if (buffered_ == 0 && avail >= len) {
        const char* p = reinterpret_cast<const char*>(it);
        const std::uint64_t start = here();
        it += len;
        // The record is consumed before on_packet runs, so a throwing callback leaves the
        // decoder consistent, standing after this record.
        state_ = stream_state::header;
        offset_ = here();
        const errc e = deliver(p, len, start, on_packet, at);
        if (e != errc::none) return fail(e, at, base);
        continue;
      }
      const std::size_t take = avail < len - buffered_ ? avail : len - buffered_;
      grow_storage(buffered_ + take, len);
      storage_.resize(buffered_ + take);
      std::memcpy(static_cast<void*>(storage_.data() + buffered_), it, take);
      buffered_ += take;
      it += take;
      if (buffered_ < len) break;
      buffered_ = 0;
      state_ = stream_state::header;
      offset_ = here();
      const errc e = deliver(reinterpret_cast<const char*>(storage_.data()), len, payload_start_,
                             on_packet, at);
      if (e != errc::none) return fail(e, at, base);
      trim_storage();
      continue;
    }

    if (state_ == stream_state::header) {
      record_start_ = here();
      const unsigned char b = *it++;
      binary_ = (b & 0x80) != 0;
      length_ = std::uint64_t{b} & 0x7f;
      if (length_ == 126 || length_ == 127) {
        state_ = length_ == 126 ? stream_state::extended_16 : stream_state::extended_64;
        need_ = length_ == 126 ? 2 : 8;
        length_ = 0;
        continue;
      }
    } else {  // extended_16, extended_64: 8 bytes at most, so the shifts cannot overflow
      while (need_ != 0 && it != end) {
        length_ = (length_ << 8) | std::uint64_t{*it++};
        --need_;
      }
      if (need_ != 0) break;
    }

    const errc e = check_length();
    if (e != errc::none) return fail(e, record_start_, base);
    state_ = stream_state::payload;
    payload_start_ = here();
  }
  offset_ = base + chunk.size();
  return {chunk.size(), errc::none};
}

}  // namespace webtransport
}  // namespace engineio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_ENGINEIO_WEBTRANSPORT_HPP
