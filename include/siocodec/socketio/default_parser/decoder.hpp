// SPDX-License-Identifier: BSL-1.0
// Reassembles Socket.IO packets from a connection's Engine.IO messages (header + attachments).
#ifndef SIOCODEC_SOCKETIO_DECODER_HPP
#define SIOCODEC_SOCKETIO_DECODER_HPP

#include <siocodec/base64.hpp>
#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/detail/rvector.hpp>
#include <siocodec/engineio/packet.hpp>
#include <siocodec/error.hpp>
#include <siocodec/result.hpp>
#include <siocodec/socketio/default_parser/decode.hpp>
#include <siocodec/socketio/default_parser/decoder_storage.hpp>
#include <siocodec/socketio/packet.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {

/// Where a delivered packet's bytes live (see basic_decoder for the exact lifetimes).
enum class attachment_mode : std::uint8_t {
  /// The header text and the attachments are views of the caller's frames: the caller keeps every
  /// frame of a packet alive and unmodified until that packet has been delivered and used. Zero
  /// copies; no allocation at all while a packet has at most basic_decoder::inline_attachments
  /// attachments.
  borrow,
  /// The header text and the attachments are copied into the decoder's storage as they arrive:
  /// the caller may drop or reuse each frame as soon as feed() returns.
  copy,
};

/// The states of basic_decoder. The complete set of transitions, one per feed():
/// ```
///   idle          --text: packet of type 0-4 decoded-------> idle          (the packet)
///   idle          --text: BINARY_EVENT/ACK header, n >= 1---> reassembling  (incomplete)
///   idle          --text that does not decode---------------> idle          (its error)
///   idle          --binary----------------------------------> idle      (unexpected_binary_frame)
///   reassembling  --binary: attachment k < n accepted--------> reassembling  (incomplete)
///   reassembling  --binary: attachment n accepted------------> idle          (the packet)
///   reassembling  --binary over a size limit-----------------> idle          (its error)
///   reassembling  --text-------------------------------------> idle      (unexpected_text_frame)
///   any           --reset(), or any other error--------------> idle
/// ```
/// Every error leaves `idle` with nothing pending and no storage held: the pending packet is
/// dropped and the frame that caused the error is not decoded (so a text frame refused as
/// unexpected_text_frame is not decoded as a new packet either).
enum class decoder_state : std::uint8_t {
  idle,          ///< no packet pending: a text frame (a new packet) is expected
  reassembling,  ///< a binary header was decoded: its remaining attachments are expected
};

/// The stateful Socket.IO decoder of one connection: it is fed every Engine.IO message payload
/// (the data of each `message` packet, without the Engine.IO `4`) in order, says for each whether
/// the transport delivered it as text or binary, and yields complete Socket.IO packets with
/// their binary attachments (protocol.md §2.5: a BINARY_EVENT / BINARY_ACK text header, then one
/// binary message per attachment, in `num` order).
///
/// Text messages are decoded with socketio::decode_header() and the decoder's decode_options, so
/// every check of decode() applies (payload shape, placeholders validated against the announced
/// count before any attachment arrives, max_attachments, an attachment count of 0 refused:
/// CVE-2026-69185). The decoder adds the frame sequencing and the size limits of a whole packet:
/// - max_attachment_bytes bounds each attachment (attachment_too_large);
/// - max_packet_bytes bounds the header text plus all attachments of one packet, and the text of
///   a packet without attachments (packet_too_large);
/// - storage grows only with bytes that actually arrived, never with a count read from the wire:
///   a header announcing 1,000 attachments followed by 3 makes room for 3. The attachment list
///   is kept inline for up to inline_attachments entries; beyond that it grows geometrically, at
///   most to the announced count. In copy mode the header and the attachments go into one buffer
///   that grows geometrically, at most to max_packet_bytes.
///
/// Lifetimes of a delivered packet_view:
/// - borrow mode: `nsp` and `data` point into the text frame that carried the header, and each
///   `attachments[i]` points into the i-th binary frame that followed it: valid while the caller
///   keeps those frames alive and unmodified (the decoder never reads a frame again after the
///   feed() that received it). The array of byte_view that `attachments` points to belongs to
///   the decoder: it is valid until the next feed(), reset(), move or destruction of the decoder;
///   copy the byte_views out to keep them longer.
/// - copy mode: `nsp`, `data`, the `attachments` array and the attachment bytes all point into
///   the decoder's storage: valid until the next feed(), reset(), move or destruction of the
///   decoder, whatever happens to the caller's frames.
/// - in both modes an `nsp` of "/" that the packet did not spell points to a string literal.
/// The storage keeps its capacity from one packet to the next (no allocation per packet once it
/// is large enough) up to opts.max_retained_bytes: a buffer with more capacity is released when
/// the next message arrives (the delivered packet may point into it until then) or when the
/// caller calls trim() after handling the packet. A server that calls trim() after each packet
/// it handles holds at most max_retained_bytes of decoder storage per idle connection (plus the
/// attachment list, also bounded by it), whatever packet came before; without trim() an idle
/// connection keeps the storage of its last packet, up to max_packet_bytes. An error or reset()
/// releases everything.
///
/// Errors: after ANY error the decoder is idle with nothing pending and no storage held, ready
/// for a new packet. A connection normally closes on any decoder error (the reference servers
/// and clients do: "parse error"), but the decoder itself stays usable, which also makes its
/// behaviour after hostile input deterministic.
///
/// Allocation and exceptions: borrow mode allocates only for packets with more than
/// inline_attachments attachments; copy mode allocates its buffer. Allocation goes through
/// `Allocator` (rebound to unsigned char and byte_view), so a std::pmr::polymorphic_allocator
/// puts everything into a given memory resource. If the allocator throws (std::bad_alloc from
/// the default one), the exception propagates out of feed() and the decoder is idle and clean, as
/// after an error; nothing else throws. Built with -fno-exceptions nothing throws at all.
///
/// Deliberate differences from socket.io-parser 4.2.7's Decoder:
/// - The delivered packet keeps its type binary_event / binary_ack with attachment_count and
///   attachments set; 4.x rewrites the type to EVENT / ACK (3.x keeps 5/6). The arguments are
///   the same either way: the caller resolves each placeholder num through attachments.
/// - Placeholders are checked when the header arrives (decode()), not when the last attachment
///   does, so a CVE-2022-2421 header (`"num":"splice"`) is refused before any attachment is
///   buffered; its attachments then arrive to an idle decoder (unexpected_binary_frame).
/// - After an error the decoder is idle. The reference keeps its reconstructor after
///   "got plaintext data when reconstructing a packet" and "illegal attachments", so every later
///   text frame fails too; its callers close the connection anyway.
/// - The size limits are the decoder's own; the reference bounds each Engine.IO message by
///   maxHttpBufferSize (engine.io), not the packet.
/// - A base64 attachment (`b<base64>` Engine.IO packets of polling transports, the `{base64:...}`
///   objects of the reference's add()) is accepted only through feed(engineio::packet_view) in
///   copy mode, which decodes it into the decoder's storage.
///
/// One decoder per connection; not thread-safe. Movable, not copyable.
template <class Allocator = std::allocator<unsigned char>>
class basic_decoder {
  using byte_alloc =
      typename std::allocator_traits<Allocator>::template rebind_alloc<unsigned char>;
  using view_alloc = typename std::allocator_traits<Allocator>::template rebind_alloc<byte_view>;

 public:
  using allocator_type = Allocator;

  /// Attachments a packet may have before the attachment list needs the allocator (borrow mode
  /// then allocates nothing). Larger than the default max_attachments (10).
  static constexpr std::size_t inline_attachments = 16;

  /// An idle decoder. `opts` is copied: its limits (max_attachments, max_attachment_bytes,
  /// max_packet_bytes, and decode()'s) apply to every packet; `mode` says where delivered packets
  /// live; `alloc` provides all storage.
  explicit basic_decoder(const decode_options& opts = {},
                         attachment_mode mode = attachment_mode::borrow,
                         const Allocator& alloc = Allocator()) noexcept
      : opts_(effective(opts)),
        bytes_(byte_alloc(alloc)),
        overflow_(view_alloc(alloc)),
        mode_(mode) {}

  basic_decoder(const basic_decoder&) = delete;
  basic_decoder& operator=(const basic_decoder&) = delete;

  /// Takes over `other`'s options, mode, allocator, pending packet and storage; `other` is left
  /// idle and empty. Invalidates packets delivered by `other`.
  basic_decoder(basic_decoder&& other) noexcept
      : opts_(other.opts_),
        bytes_(std::move(other.bytes_)),
        overflow_(std::move(other.overflow_)),
        mode_(other.mode_) {
    take_state(other);
  }

  /// The same as assignment. With an allocator that does not propagate on move assignment and
  /// compares unequal (two pmr resources), the storage is copied into this decoder's allocator;
  /// if that throws, this decoder is left idle and empty.
  basic_decoder& operator=(basic_decoder&& other) noexcept(
      std::allocator_traits<byte_alloc>::propagate_on_container_move_assignment::value ||
      std::allocator_traits<byte_alloc>::is_always_equal::value) {
    if (this == &other) return *this;
    clear();
    unwind_guard guard{this};
    bytes_ = std::move(other.bytes_);
    overflow_ = std::move(other.overflow_);
    guard.self = nullptr;
    opts_ = other.opts_;
    mode_ = other.mode_;
    take_state(other);
    return *this;
  }

  ~basic_decoder() = default;

  /// Feeds the data of the next Engine.IO message of the connection; `kind` says whether the
  /// transport delivered it as text (a Socket.IO packet or binary header) or as binary (an
  /// attachment).
  ///
  /// @return
  /// - a complete packet: a text packet of type 0-4 at once; a BINARY_EVENT / BINARY_ACK when its
  ///   last attachment arrives, with attachment_count and attachments set (attachments[i] is
  ///   what placeholder `num: i` stands for). offset() is message.size(). Lifetimes: see the
  ///   class documentation.
  /// - errc::incomplete, offset() == message.size(): the message was accepted (a binary header,
  ///   or an attachment that is not the last) and more attachments are expected.
  /// - any other error, with the offset of the offending byte in `message`; the decoder is then
  ///   idle and holds nothing.
  ///
  /// Errors:
  /// - every error of socketio::decode_header() (offsets from it), for a text message while idle:
  ///   unknown_packet_type, invalid_attachment_count (a count of 0 included), too_many_attachments,
  ///   invalid_namespace, invalid_ack_id, ack_id_overflow, invalid_json, invalid_json_string,
  ///   invalid_json_number, invalid_utf8, nesting_too_deep, invalid_payload, invalid_event_name,
  ///   reserved_event_name, invalid_placeholder.
  /// - unexpected_text_frame: a text message while attachments are pending (offset 0); the
  ///   pending packet is dropped.
  /// - unexpected_binary_frame: a binary message while no attachment is pending (offset 0).
  /// - attachment_too_large: a binary message longer than max_attachment_bytes (offset
  ///   max_attachment_bytes).
  /// - packet_too_large: the header plus the attachments so far exceed max_packet_bytes (offset
  ///   of the first byte over the limit), or a text message is longer than max_packet_bytes
  ///   (offset max_packet_bytes; checked before decoding).
  /// - invalid_argument: `kind` is neither text nor binary (offset 0).
  /// - out_of_memory (offset 0): with detail::resource_allocator (socketio::client over a
  ///   caller's memory_resource), the storage could not grow; the decoder is idle.
  /// With SIOCODEC_BINARY_ATTACHMENTS 0 (config.hpp) max_attachments is 0: every binary header
  /// is too_many_attachments (or invalid_attachment_count for a count of 0), every binary
  /// message unexpected_binary_frame.
  ///
  /// Throws: only what the allocator throws (see the class documentation).
  ///
  /// Complexity: a text message: that of decode(), plus a copy in copy mode. A binary message:
  /// O(1) in borrow mode, a copy in copy mode (amortized: the buffer grows geometrically).
  result<packet_view> feed(std::string_view message, engineio::frame_kind kind) {
    if (kind == engineio::frame_kind::text) return feed_text(message);
    if (kind == engineio::frame_kind::binary) return feed_binary(byte_view(message));
    return fail(errc::invalid_argument, 0);
  }

  /// The same for a message held as bytes.
  result<packet_view> feed(byte_view message, engineio::frame_kind kind) {
    return feed(message.as_chars(), kind);
  }

  /// Feeds an Engine.IO packet as decoded by engineio::decode() / the payload decoders. It must
  /// be a `message`; its data_kind selects the path: text is a Socket.IO packet, binary an
  /// attachment, base64 (the `b<base64>` packets of polling transports) an attachment still in
  /// base64. A base64 attachment must become bytes somewhere, so it is accepted only in copy
  /// mode, where it is decoded (in mode `b64`, which should be the mode the Engine.IO decoder
  /// validated it with) straight into the decoder's storage; in borrow mode decode it into your
  /// own storage with base64::decode_to and feed the bytes.
  ///
  /// @return as feed(message, kind), except that for a base64 attachment offset() counts the
  ///   decoded bytes (on success and with errc::incomplete), the size limits apply to the
  ///   decoded bytes, and their errors report offset 0.
  ///
  /// Errors: as feed(message, kind), plus
  /// - invalid_argument (offset 0): the packet is not a `message`, its data_kind is unknown, or
  ///   it is base64 in borrow mode.
  /// - unexpected_binary_frame: base64 while no attachment is pending (copy mode).
  /// - invalid_base64: `b64` mode rejects the text (offset of the offending character).
  result<packet_view> feed(const engineio::packet_view& message,
                           base64::mode b64 = base64::mode::strict) {
    if (message.type != engineio::packet_type::message) return fail(errc::invalid_argument, 0);
    switch (message.kind) {
      case engineio::data_kind::text: return feed_text(message.data);
      case engineio::data_kind::binary: return feed_binary(message.bytes());
      case engineio::data_kind::base64: return feed_base64(message.data, b64);
    }
    return fail(errc::invalid_argument, 0);
  }

  /// idle or reassembling (see decoder_state).
  decoder_state state() const noexcept { return state_; }

  /// True when a binary header is waiting for attachments (state() == reassembling).
  bool waiting() const noexcept { return state_ == decoder_state::reassembling; }

  /// The attachment count of the pending header; 0 when idle.
  std::size_t attachments_expected() const noexcept { return expected_; }

  /// Attachments of the pending packet received so far; 0 when idle.
  std::size_t attachments_received() const noexcept { return received_; }

  /// Bytes of the pending packet (header text plus attachments) counted against
  /// max_packet_bytes; 0 when idle.
  std::size_t pending_bytes() const noexcept {
    return state_ == decoder_state::reassembling ? total_ : 0;
  }

  /// Bytes of storage the decoder currently holds from its allocator (capacity, not size): 0 after
  /// construction, an error or reset(), and in borrow mode while no packet had more than
  /// inline_attachments attachments.
  std::size_t allocated_bytes() const noexcept {
    return bytes_.capacity() + overflow_.capacity() * sizeof(byte_view);
  }

  /// The mode given at construction.
  attachment_mode mode() const noexcept { return mode_; }

  /// The options given at construction (max_attachments 0 with SIOCODEC_BINARY_ATTACHMENTS 0).
  const decode_options& options() const noexcept { return opts_; }

  /// A copy of the allocator.
  allocator_type get_allocator() const noexcept { return allocator_type(bytes_.get_allocator()); }

  /// Releases storage above opts.max_retained_bytes (the copy-mode buffer, the attachment list
  /// of a packet with more than inline_attachments attachments) when no packet is pending; does
  /// nothing while reassembling. Call it once a delivered packet has been handled: it
  /// invalidates delivered packets, as the next feed() does. feed() does the same on its own
  /// before it reuses the storage for a new packet.
  void trim() noexcept {
    if (state_ != decoder_state::idle) return;
    if (bytes_.capacity() > opts_.max_retained_bytes) detail::release_storage(bytes_);
    if (overflow_.capacity() > opts_.max_retained_bytes / sizeof(byte_view)) {
      detail::release_storage(overflow_);
    }
    oversized_ = false;
  }

  /// Drops any pending packet and releases all storage (socket.io-parser's destroy()); the
  /// decoder is idle and keeps its options and mode. Invalidates delivered packets in copy mode
  /// and their `attachments` array in both modes.
  void reset() noexcept { clear(); }

 private:
  // Resets the decoder if an allocation throws between its construction and its dismissal
  // (self = nullptr); never fires without exceptions.
  struct unwind_guard {
    basic_decoder* self;
    ~unwind_guard() {
      if (self != nullptr) self->clear();
    }
  };

  // Back to a fresh idle decoder, storage released; cannot throw.
  void clear() noexcept {
    state_ = decoder_state::idle;
    pending_ = packet_view();
    expected_ = 0;
    received_ = 0;
    total_ = 0;
    header_size_ = 0;
    refs_ = detail::header_refs();
    for (std::size_t i = 0; i < inline_attachments; ++i) inline_[i] = byte_view();
    detail::release_storage(bytes_);
    detail::release_storage(overflow_);
    oversized_ = false;
  }

  // The move operations' common part: everything but the options, the mode and the storage
  // vectors (moved by the caller) is copied from `other`, which is then cleared.
  void take_state(basic_decoder& other) noexcept {
    pending_ = other.pending_;
    expected_ = other.expected_;
    received_ = other.received_;
    total_ = other.total_;
    header_size_ = other.header_size_;
    refs_ = other.refs_;
    state_ = other.state_;
    oversized_ = other.oversized_;
    for (std::size_t i = 0; i < inline_attachments; ++i) inline_[i] = other.inline_[i];
    other.clear();
  }

  result<packet_view> fail(errc e, std::size_t offset) noexcept {
    clear();
    return {e, offset};
  }

  // SIOCODEC_BINARY_ATTACHMENTS 0 (config.hpp): no packet announces an attachment, so
  // decode_fields() refuses every binary header, exactly as with a max_attachments of 0.
  static decode_options effective(decode_options o) noexcept {
    if (!SIOCODEC_BINARY_ATTACHMENTS) o.max_attachments = 0;
    return o;
  }

  // detail::grow_bounded, noting growth where it happens, so that feed() tests one flag
  // instead of two capacities. False when the storage could not grow (a caller's
  // memory_resource out of room: resource_allocator); std::vector's cannot fail without
  // exceptions.
  template <class V>
  bool grow(V& v, std::size_t extra, std::size_t limit, std::size_t minimum) {
    if (detail::grow_bounded(v, extra, limit, minimum)) oversized_ = true;
    return v.capacity() - v.size() >= extra;
  }

  // Copy mode: the packet with nsp, data and the event name pointing into bytes_.
  packet_view rebased(packet_view pkt) const noexcept {
    if (mode_ == attachment_mode::copy) refs_.apply(pkt, bytes_.data());
    return pkt;
  }

  byte_view* attachment_list() noexcept {
    return expected_ > inline_attachments ? overflow_.data() : inline_;
  }

  result<packet_view> feed_text(std::string_view text) {
    // One result, filled in place and returned (NRVO) on every path: the packet is never copied
    // between decode() and the caller.
    result<packet_view> r(std::in_place, text.size());
    if (state_ == decoder_state::reassembling) {
      r = fail(errc::unexpected_text_frame, 0);
      return r;
    }
    // The previous packet's storage is reused: the packet it backed is invalidated by contract.
    // Only copy mode stores bytes; overflow_ is emptied when a list spills into it (push_view).
    // A buffer a large packet left behind goes now, before it is reused.
    if (SIOCODEC_UNLIKELY(oversized_)) trim();
    if (mode_ == attachment_mode::copy) bytes_.clear();
    if (text.size() > opts_.max_packet_bytes) {
      r = fail(errc::packet_too_large, opts_.max_packet_bytes);
      return r;
    }
    std::size_t offset = 0;
    const errc e = detail::decode_fields<SIOCODEC_BINARY_ATTACHMENTS != 0>(text, opts_, *r, offset);
    if (e != errc::none) {
      r = fail(e, offset);
      return r;
    }
    packet_view& pkt = *r;
    // decode() refuses a count of 0; this decoder does not rely on it. A binary header that
    // expects nothing must never arm the decoder (CVE-2026-69185: the reference's armed
    // reconstructor then buffered every later binary frame without limit). Without attachments
    // (SIOCODEC_BINARY_ATTACHMENTS 0) decode_fields() refused every binary header already; the
    // test says so to the compiler, so that the reassembly below is not linked.
    if (is_binary(pkt.type) && (pkt.attachment_count == 0 || !SIOCODEC_BINARY_ATTACHMENTS)) {
      r = fail(errc::invalid_attachment_count, 1);
      return r;
    }
    if (mode_ == attachment_mode::copy) {
      unwind_guard guard{this};
      if (!grow(bytes_, text.size(), opts_.max_packet_bytes, 0)) {
        r = fail(errc::out_of_memory, 0);
        return r;
      }
      bytes_.insert(bytes_.end(), text.begin(), text.end());
      guard.self = nullptr;
      header_size_ = text.size();
      // From here on the caller's frame may be gone: nsp, data and the event name are kept as
      // offsets into bytes_, and pkt keeps only what is not in the frame (the "/" literal, an
      // absent data or name).
      refs_.take(pkt, text);
      if (!is_binary(pkt.type)) pkt = rebased(pkt);
    }
    if (!is_binary(pkt.type)) return r;
    pending_ = pkt;
    expected_ = pkt.attachment_count;
    received_ = 0;
    total_ = text.size();
    state_ = decoder_state::reassembling;
    r = result<packet_view>(errc::incomplete, text.size());
    return r;
  }

  // Checks the size of the next attachment; errc::none when it may be accepted.
  errc check_attachment(std::size_t size, std::size_t& offset) const noexcept {
    if (size > opts_.max_attachment_bytes) {
      offset = opts_.max_attachment_bytes;
      return errc::attachment_too_large;
    }
    // total_ <= max_packet_bytes holds while reassembling, so this cannot wrap.
    if (size > opts_.max_packet_bytes - total_) {
      offset = opts_.max_packet_bytes - total_;
      return errc::packet_too_large;
    }
    return errc::none;
  }

  // Records attachment number received_ (its bytes are already stored in copy mode). False:
  // out of memory.
  bool push_view(byte_view v) {
    if (received_ < inline_attachments) {
      inline_[received_] = v;
      return true;
    }
    if (received_ == inline_attachments) {
      // Only now, with the 17th attachment in hand, does the list move to the allocator; it
      // never grows past the announced count, nor faster than attachments arrive (doubling).
      overflow_.clear();
      if (!grow(overflow_, inline_attachments + 1, expected_, 2 * inline_attachments)) return false;
      overflow_.insert(overflow_.end(), inline_, inline_ + inline_attachments);
    }
    if (!grow(overflow_, 1, expected_, 0)) return false;
    overflow_.push_back(v);
    return true;
  }

  // Accepts attachment number received_ of `size` bytes; delivers the packet after the last.
  result<packet_view> accepted(std::size_t size) {
    total_ += size;
    ++received_;
    // One result returned (NRVO) on both paths, the packet built in it: see feed_text.
    result<packet_view> r(std::in_place, size);
    if (received_ < expected_) {
      r = result<packet_view>(errc::incomplete, size);
      return r;
    }
    packet_view& pkt = *r;
    pkt = pending_;
    byte_view* list = attachment_list();
    if (mode_ == attachment_mode::copy) {
      // The buffer may have moved while it grew: the views are made now, from offsets.
      const unsigned char* base = bytes_.data();
      std::size_t at = header_size_;
      for (std::size_t i = 0; i < expected_; ++i) {
        list[i] = byte_view(base + at, list[i].size());
        at += list[i].size();
      }
    }
    if (mode_ == attachment_mode::copy) pkt = rebased(pkt);
    pkt.attachments = list;
    state_ = decoder_state::idle;
    pending_ = packet_view();
    expected_ = 0;
    received_ = 0;
    total_ = 0;
    return r;
  }

  result<packet_view> feed_binary(byte_view frame) {
    // Without attachments (SIOCODEC_BINARY_ATTACHMENTS 0) the decoder is never reassembling.
    if (!SIOCODEC_BINARY_ATTACHMENTS || state_ != decoder_state::reassembling)
      return fail(errc::unexpected_binary_frame, 0);
    std::size_t offset = 0;
    const errc e = check_attachment(frame.size(), offset);
    if (e != errc::none) return fail(e, offset);
    unwind_guard guard{this};
    bool stored;
    if (mode_ == attachment_mode::copy) {
      stored = grow(bytes_, frame.size(), opts_.max_packet_bytes, 0);
      if (stored) bytes_.insert(bytes_.end(), frame.begin(), frame.end());
      stored =
          stored && push_view(byte_view(static_cast<const unsigned char*>(nullptr), frame.size()));
    } else {
      stored = push_view(frame);
    }
    guard.self = nullptr;
    if (!stored) return fail(errc::out_of_memory, 0);
    return accepted(frame.size());
  }

  result<packet_view> feed_base64(std::string_view text, base64::mode b64) {
    if (mode_ != attachment_mode::copy) return fail(errc::invalid_argument, 0);
    if (!SIOCODEC_BINARY_ATTACHMENTS || state_ != decoder_state::reassembling)
      return fail(errc::unexpected_binary_frame, 0);
    const result<std::size_t> size = base64::decoded_size(text, b64);
    if (!size) return fail(errc::invalid_base64, size.offset());
    std::size_t offset = 0;
    const errc e = check_attachment(*size, offset);
    if (e != errc::none) return fail(e, 0);
    unwind_guard guard{this};
    if (!grow(bytes_, *size, opts_.max_packet_bytes, 0)) {
      guard.self = nullptr;
      return fail(errc::out_of_memory, 0);
    }
    const std::size_t at = bytes_.size();
    bytes_.resize(at + *size);
    const auto written = base64::decode_to(text, byte_span(bytes_.data() + at, *size), b64);
    if (!written || *written != *size) {
      guard.self = nullptr;
      return fail(errc::invalid_base64, written ? 0 : written.offset());
    }
    const bool listed = push_view(byte_view(static_cast<const unsigned char*>(nullptr), *size));
    guard.self = nullptr;
    if (!listed) return fail(errc::out_of_memory, 0);
    return accepted(*size);
  }

  decode_options opts_;
  // Copy mode: the header text, then each attachment, back to back. Offsets, not pointers, are
  // kept while it may still grow.
  ::SIOCODEC_NAMESPACE::detail::decoder_storage_t<unsigned char, byte_alloc> bytes_;
  // The attachment list of a packet announcing more than inline_attachments (all entries, the
  // first inline_attachments copied from inline_ when the list spilled).
  ::SIOCODEC_NAMESPACE::detail::decoder_storage_t<byte_view, view_alloc> overflow_;
  // The attachment list otherwise. Copy mode: only the sizes are meaningful until delivery.
  byte_view inline_[inline_attachments] = {};
  // The decoded header while reassembling (copy mode: nsp and data are empty unless they are
  // not in the header; refs_ locates them in bytes_).
  packet_view pending_;
  std::size_t expected_ = 0;
  std::size_t received_ = 0;
  // Header plus attachment bytes of the pending packet; <= max_packet_bytes.
  std::size_t total_ = 0;
  // Copy mode: length of the header at the start of bytes_, and where nsp / data / the event
  // name are in it.
  std::size_t header_size_ = 0;
  detail::header_refs refs_;
  attachment_mode mode_;
  decoder_state state_ = decoder_state::idle;
  // Storage grew since the last trim(): it may hold more than max_retained_bytes.
  bool oversized_ = false;
};

/// The decoder with std::allocator.
using decoder = basic_decoder<>;

}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_DECODER_HPP
