// SPDX-License-Identifier: BSL-1.0
// Reading a whole HTTP long-polling body: payload_reader, a lazy range of its packets.
#ifndef SIOCODEC_ENGINEIO_PAYLOAD_READER_HPP
#define SIOCODEC_ENGINEIO_PAYLOAD_READER_HPP

#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/detail/lazy_range.hpp>
#include <siocodec/engineio/packet.hpp>
#include <siocodec/engineio/payload_scanner.hpp>
#include <siocodec/error.hpp>
#include <siocodec/result.hpp>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>

SIOCODEC_BEGIN_NAMESPACE
namespace engineio {

class payload_reader;
namespace detail {
/// Walks the packets of a payload_reader: the Cursor of payload_reader::iterator (see
/// detail/lazy_range.hpp); an input iterator, since the reader moves on with it.
struct payload_cursor {
  using item = packet_view;
  using category = std::input_iterator_tag;
  static constexpr bool counted = false;
  packet_view cur;
  payload_reader* reader = nullptr;  // null at the end

  const payload_reader* position() const noexcept { return reader; }
  void start() noexcept { next(); }
  void next() noexcept;
};
}  // namespace detail

/// A lazy, zero-copy reader of one whole polling body: a range of packet_view that ends at the end
/// of the body or at the first bad packet, as the reference's decodePayload does (it returns the
/// packets before the error, then the error). Check error() after the loop:
///
///     auto reader = engineio::decode_payload(body);
///     for (const engineio::packet_view& p : reader) handle(p);
///     if (reader.error() != siocodec::errc::none) fail(reader.error(), reader.offset());
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
  /// An input iterator over the packets; the end iterator is value-initialised. Dereferencing
  /// yields a reference into the iterator itself.
  using iterator = ::SIOCODEC_NAMESPACE::detail::stashing_iterator<detail::payload_cursor>;

  payload_reader() noexcept = default;
  payload_reader(std::string_view body, frame_kind kind, const decode_options& opts = {},
                 byte_span scratch = {}) noexcept;

  /// Reads the next packet into `out`. Returns false at the end of the body or on an error.
  bool next(packet_view& out) noexcept;

  /// errc::none while reading and after a clean end.
  errc error() const noexcept { return error_; }
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
  bool stop(errc e, std::size_t at) noexcept {
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
  errc error_ = errc::none;
};

/// Starts reading a polling body: a payload_reader over `body`.
payload_reader decode_payload(std::string_view body, frame_kind kind = frame_kind::text,
                              const decode_options& opts = {}, byte_span scratch = {}) noexcept;

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

inline void detail::payload_cursor::next() noexcept {
  if (reader != nullptr && !reader->next(cur)) reader = nullptr;
}

inline payload_reader::payload_reader(std::string_view body, frame_kind kind,
                                      const decode_options& opts, byte_span scratch) noexcept
    : body_(body), opts_(opts), scratch_(scratch), done_(false) {
  const auto fmt = detail::format_of(opts.version, kind);
  format_ = static_cast<std::uint8_t>(fmt);
  if (fmt == detail::payload_format::invalid) {
    error_ = errc::unexpected_binary_frame;
    done_ = true;
  } else if (body.size() > opts.max_payload) {
    error_ = errc::payload_too_large;
    pos_ = opts.max_payload;
    done_ = true;
  } else if (body.empty() && fmt != detail::payload_format::v3_binary) {
    // The reference reports an empty text body as a parser error in both versions.
    error_ = errc::empty_packet;
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
  if (count_ == opts_.max_packets) return stop(errc::too_many_packets, pos_);
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
        return stop(errc::truncated, body_.size());
      }
      done_ = true;  // the last v4 item runs to the end of the body
    }
    if (count_ == opts_.max_packets) {
      return stop(errc::too_many_packets, st.item_start);
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

inline payload_reader::iterator payload_reader::begin() noexcept {
  return iterator(detail::payload_cursor{packet_view(), this});
}
inline payload_reader::iterator payload_reader::end() noexcept { return iterator(); }

inline payload_reader decode_payload(std::string_view body, frame_kind kind,
                                     const decode_options& opts, byte_span scratch) noexcept {
  return payload_reader(body, kind, opts, scratch);
}

}  // namespace engineio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_ENGINEIO_PAYLOAD_READER_HPP
