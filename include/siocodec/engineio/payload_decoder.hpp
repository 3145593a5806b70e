// SPDX-License-Identifier: BSL-1.0
// Decoding an HTTP long-polling body that arrives in chunks: payload_decoder.
#ifndef SIOCODEC_ENGINEIO_PAYLOAD_DECODER_HPP
#define SIOCODEC_ENGINEIO_PAYLOAD_DECODER_HPP

#include <siocodec/config.hpp>
#include <siocodec/engineio/packet.hpp>
#include <siocodec/engineio/payload_scanner.hpp>
#include <siocodec/error.hpp>
#include <siocodec/result.hpp>
#include <siocodec/sink.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

SIOCODEC_BEGIN_NAMESPACE
namespace engineio {

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

  bool failed() const noexcept { return error_ != errc::none; }
  errc error() const noexcept { return error_; }
  /// Body bytes consumed so far (after an error: the error's offset in the body).
  std::size_t body_offset() const noexcept { return offset_; }
  /// Packets delivered so far.
  std::size_t count() const noexcept { return count_; }

 private:
  template <class F>
  decode_status deliver(std::string_view content, std::size_t content_offset, F& on_packet);
  template <class F>
  decode_status run(std::string_view chunk, F& on_packet, bool last);
  decode_status fail(errc e, std::size_t at_body, std::size_t at_chunk) noexcept;
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
  errc error_ = errc::none;
  detail::payload_state state_;
};

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

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
  error_ = errc::none;
  if (static_cast<detail::payload_format>(format_) == detail::payload_format::invalid) {
    error_ = errc::unexpected_binary_frame;
  }
}

template <class Storage>
decode_status payload_decoder<Storage>::fail(errc e, std::size_t at_body,
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
    error_ = errc::too_many_packets;
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
  return {0, errc::none};
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
    return fail(errc::payload_too_large, opts_.max_payload, room);
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
        return fail(errc::payload_too_large, base + s.content_begin, s.content_begin);
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
  return {chunk.size(), errc::none};
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
    return {0, errc::none};
  }
  if (detail::payload_scanner::ends_lossy(state_, opts_)) {
    state_.phase = 0;
    auto st =
        deliver(std::string_view(reinterpret_cast<const char*>(&storage_[0]), storage_.size()),
                item_offset_, on_packet);
    storage_.resize(0);
    if (!st.ok()) return {0, error_};
    return {0, errc::none};
  }
  if (state_.phase != 0) return fail(errc::truncated, offset_, 0);
  if (fmt == detail::payload_format::v3_text && offset_ == 0) {
    return fail(errc::empty_packet, 0, 0);
  }
  return {0, errc::none};
}

}  // namespace engineio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_ENGINEIO_PAYLOAD_DECODER_HPP
