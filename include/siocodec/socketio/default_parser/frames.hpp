// SPDX-License-Identifier: BSL-1.0
// One call from a Socket.IO packet to the Engine.IO frames that carry it, for each transport.
#ifndef SIOCODEC_SOCKETIO_FRAMES_HPP
#define SIOCODEC_SOCKETIO_FRAMES_HPP

#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/engineio/encode.hpp>
#include <siocodec/engineio/packet.hpp>
#include <siocodec/engineio/payload.hpp>
#include <siocodec/error.hpp>
#include <siocodec/result.hpp>
#include <siocodec/sink.hpp>
#include <siocodec/socketio/default_parser/encode.hpp>
#include <siocodec/socketio/packet.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>
#include <utility>

// A Socket.IO packet travels as an Engine.IO message holding its text, followed by one Engine.IO
// binary message per attachment (protocol.md §1.3, §1.4, §2.5). What goes on the wire:
//
//   Engine.IO v4, WebSocket   text frame `4<packet>`, then one binary frame per attachment
//                             holding exactly its bytes (zero copy: the caller's memory);
//   Engine.IO v4, polling     one text body `4<packet>` ( 0x1E `b<base64>` )*;
//   Engine.IO v3, WebSocket   text frame `4<packet>`, then binary frames `0x04 <bytes>`, handed
//                             out as a 1-byte prefix plus the caller's bytes (scatter-gather;
//                             frame_options::copy_binary writes them contiguously instead);
//   Engine.IO v3, polling     one body: text `<n>:4<packet>` ( `<n>:b4<base64>` )* (n in UTF-16
//                             units), or, when the client supports binary and the packet has
//                             attachments, the binary payload format (sent as
//                             application/octet-stream).
//
// The Socket.IO protocol follows the Engine.IO one: v5 over Engine.IO v4, v4 over Engine.IO v3.
//
//     std::string storage;
//     sio::attachment_list<8> atts;
//     sio::frame_options fo;  // Engine.IO v4, WebSocket
//     auto r = sio::encode_frames(sio::event("chat", "hello", buffer), storage, atts, fo,
//                                 [&](const sio::frame& f) { ws.send(f.kind, f.data); });

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {

/// The Engine.IO transport a packet is sent over.
enum class transport_kind : std::uint8_t {
  websocket = 0,  ///< one WebSocket message per Engine.IO packet
  polling = 1,    ///< HTTP long-polling: all packets in one body
};

/// Where and how the frames of a packet are sent.
struct frame_options {
  /// The Engine.IO protocol of the connection (`EIO=4` or `EIO=3`). It also selects the
  /// Socket.IO protocol of the packet: v5 over Engine.IO v4, v4 over Engine.IO v3.
  engineio::protocol_version version = engineio::protocol_version::v4;
  transport_kind transport = transport_kind::websocket;
  /// Engine.IO v3 polling only: the client accepts binary bodies (it did not ask for `b64=1`).
  /// Then a packet with attachments is sent as a v3 binary payload, as the reference server's
  /// encodePayload(packets, true) does; otherwise everything is base64 text.
  bool supports_binary = true;
  /// Engine.IO v3 WebSocket only: write each binary frame (0x04 and the bytes) into the storage,
  /// so every frame is one contiguous buffer, for WebSocket APIs that cannot send a buffer
  /// sequence. Costs a copy of every attachment; off by default.
  bool copy_binary = false;
  /// encode_options::max_attachments.
  std::size_t max_attachments = SIOCODEC_DEFAULT_MAX_ATTACHMENTS;
  /// encode_options::max_depth (packets built from values).
  std::size_t max_depth = SIOCODEC_DEFAULT_MAX_JSON_DEPTH;
};

/// One frame to send: a WebSocket message, or a polling body (one HTTP body: text means a
/// text/plain body, binary an application/octet-stream one). Its bytes are `prefix` followed by
/// `data`. `prefix` is empty except for the binary frames of Engine.IO v3 WebSocket without
/// copy_binary, where it is the one type byte 0x04 (a static string) and `data` the caller's
/// attachment. Views into the storage or the caller's attachments: valid while those live and
/// the storage is not modified.
struct frame {
  engineio::frame_kind kind = engineio::frame_kind::text;
  std::string_view prefix;
  std::string_view data;

  /// Bytes of the whole frame.
  std::size_t size() const noexcept { return prefix.size() + data.size(); }
  /// `data` as bytes.
  byte_view bytes() const noexcept { return byte_view(data); }
};

/// Storage the frames of `p` need (the text frame, or the polling body; plus the binary frames
/// with copy_binary). The frames themselves are those described at the top of this header.
/// `p` is as for encode(packet_view): `data` raw JSON, not validated; for binary types
/// `p.attachments` must hold `p.attachment_count` views.
///
/// Errors (offset 0):
/// - those of encoded_size(packet_view): invalid_argument, too_many_attachments, invalid_utf8;
/// - invalid_argument: a binary type with null `attachments`; an attachment too large to
///   base64-encode; an out-of-range version or transport; on Engine.IO v4 polling, a namespace
///   or data containing the record separator 0x1E (the reference would send it, and the body
///   would be split there);
/// - invalid_utf8: on Engine.IO v3 polling, a namespace or data that is not UTF-8 (the length
///   prefix counts UTF-16 units, and binary bodies hold strictly decoded UTF-8).
result<std::size_t> encoded_frames_size(const packet_view& p,
                                        const frame_options& opts = {}) noexcept;

/// Writes the frames of `p` into `storage` (at most `cap` bytes), then calls `send(const
/// frame&)` once per frame, in the order they must be sent: the text frame first, then the
/// binary frames (WebSocket); or once with the body (polling). Nothing is sent on error.
/// @return bytes of storage used.
/// Errors: those of encoded_frames_size(), and output_too_small (nothing written or sent;
/// offset() is cap).
template <class Send>
result<std::size_t> encode_frames_to(char* storage, std::size_t cap, const packet_view& p,
                                     const frame_options& opts, Send&& send);

/// Resizes `storage` (any resizable byte container) once to hold the frames of `p`, past its
/// current contents, then sends them as encode_frames_to() does.
/// Errors: those of encoded_frames_size(); on error `storage` keeps its size and nothing is
/// sent.
template <class Container, class Send>
result<std::size_t> encode_frames(const packet_view& p, Container& storage,
                                  const frame_options& opts, Send&& send);

/// Storage the frames of builder `b` need (see event(), ack()...). Runs the value callbacks
/// once.
/// Errors: those of encoded_size(builder) and of encoded_frames_size(packet_view) (the checks of
/// the text apply to the text the builder writes: an invalid_argument for a raw_json value
/// holding 0x1E on v4 polling, an invalid_utf8 for raw_json that is not UTF-8 on v3 polling).
template <class B, std::enable_if_t<is_packet_builder<B>::value, int> = 0>
result<std::size_t> encoded_frames_size(const B& b, const frame_options& opts = {});

/// Writes the frames of builder `b` into `storage`, appends the views of its binary values to
/// `attachments` (the binary frames of WebSocket transports point at them), then calls
/// `send(const frame&)` once per frame. No allocation unless `attachments` allocates.
/// Over WebSocket and Engine.IO v4 polling the text is written in one pass (the value callbacks
/// run once, as for encode_to(builder), including its exceptions: a text above
/// SIOCODEC_ONE_PASS_BUFFER bytes or more than 16 binary values); Engine.IO v3 polling measures
/// first, since the length prefix of the body precedes the text (the callbacks run twice).
/// @return bytes of storage used.
/// Errors: those of encoded_frames_size(builder) (they take precedence over output_too_small),
/// output_too_small (offset() is cap), too_many_attachments (also when `attachments` is full),
/// invalid_argument (a callback wrote something else in its second run, when there is one).
/// On any error nothing is sent, `attachments` keeps its size and nothing is written to
/// `storage` (not even below cap), except after that second-run invalid_argument, which leaves
/// the first encoded_frames_size() bytes unspecified.
template <class B, class A, class Send,
          std::enable_if_t<is_packet_builder<B>::value && is_attachment_sink<A>::value, int> = 0>
result<std::size_t> encode_frames_to(char* storage, std::size_t cap, const B& b, A& attachments,
                                     const frame_options& opts, Send&& send);

/// encode_frames_to for a packet without binary values (one would be too_many_attachments).
template <class B, class Send, std::enable_if_t<is_packet_builder<B>::value, int> = 0>
result<std::size_t> encode_frames_to(char* storage, std::size_t cap, const B& b,
                                     const frame_options& opts, Send&& send);

/// Resizes `storage` once and sends the frames of builder `b`, as encode_frames_to() does.
/// Errors: those of encode_frames_to() but output_too_small. On error both containers keep
/// their size and nothing is sent.
template <class B, class Container, class A, class Send,
          std::enable_if_t<is_packet_builder<B>::value && is_attachment_sink<A>::value, int> = 0>
result<std::size_t> encode_frames(const B& b, Container& storage, A& attachments,
                                  const frame_options& opts, Send&& send);

/// encode_frames for a packet without binary values (one would be too_many_attachments).
template <class B, class Container, class Send,
          std::enable_if_t<is_packet_builder<B>::value, int> = 0>
result<std::size_t> encode_frames(const B& b, Container& storage, const frame_options& opts,
                                  Send&& send);

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

enum class frames_format : std::uint8_t {
  ws_v4,
  ws_v3,
  ws_v3_copy,
  poll_v4,
  poll_v3_text,
  poll_v3_binary,
};

inline bool valid_options(const frame_options& o) noexcept {
  return (o.version == engineio::protocol_version::v4 ||
          o.version == engineio::protocol_version::v3) &&
         (o.transport == transport_kind::websocket || o.transport == transport_kind::polling);
}

inline encode_options packet_options(const frame_options& o) noexcept {
  encode_options e;
  e.version =
      o.version == engineio::protocol_version::v4 ? protocol_version::v5 : protocol_version::v4;
  e.max_attachments = o.max_attachments;
  e.max_depth = o.max_depth;
  return e;
}

// The format of the frames, assuming the packet has attachments: only v3 polling bodies change
// format without them (a body of text packets only is always text), and then there is no
// attachment whose framing the assumption could affect.
inline frames_format format_of(const frame_options& o) noexcept {
  if (o.version == engineio::protocol_version::v4) {
    return o.transport == transport_kind::websocket ? frames_format::ws_v4 : frames_format::poll_v4;
  }
  if (o.transport == transport_kind::websocket) {
    return o.copy_binary ? frames_format::ws_v3_copy : frames_format::ws_v3;
  }
  return o.supports_binary ? frames_format::poll_v3_binary : frames_format::poll_v3_text;
}

inline bool is_polling(frames_format f) noexcept {
  return f == frames_format::poll_v4 || f == frames_format::poll_v3_text ||
         f == frames_format::poll_v3_binary;
}

// One attachment as it sits in the storage, written by the Engine.IO emitters themselves.
// Payload items have no separator between them in v3, so the item of one packet is what the
// payload emitter writes for a one-packet list.
template <class W>
error emit_attachment(W& w, byte_view bytes, frames_format f) noexcept {
  const engineio::packet_view pk = engineio::packet_view::binary(bytes);
  switch (f) {
    case frames_format::ws_v4:
    case frames_format::ws_v3: return error::none;  // sent from the caller's memory
    case frames_format::ws_v3_copy: {
      engineio::encode_options eo;
      eo.version = engineio::protocol_version::v3;
      eo.supports_binary = true;
      return engineio::detail::emit_frame(w, pk, eo);
    }
    case frames_format::poll_v4:
      w.put('\x1e');
      return engineio::detail::emit_text_packet(w, pk, engineio::protocol_version::v4);
    case frames_format::poll_v3_text: return engineio::detail::emit_v3_text_payload(w, &pk, 1);
    case frames_format::poll_v3_binary: return engineio::detail::emit_v3_binary_payload(w, &pk, 1);
  }
  return error::invalid_argument;
}

// Storage bytes of one attachment; SIZE_MAX when it cannot be framed (too large to encode).
inline std::size_t attachment_cost(byte_view bytes, frames_format f) noexcept {
  ::SIOCODEC_NAMESPACE::detail::size_counter c;
  if (emit_attachment(c, bytes, f) != error::none || c.overflow) {
    return static_cast<std::size_t>(-1);
  }
  return c.n;
}

inline std::size_t attachment_cost_hook(byte_view bytes, const void* ctx) noexcept {
  return attachment_cost(bytes, *static_cast<const frames_format*>(ctx));
}

inline error sum_attachment_costs(const byte_view* atts, std::size_t n, frames_format f,
                                  std::size_t& total) noexcept {
  total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t c = attachment_cost(atts[i], f);
    if (c == static_cast<std::size_t>(-1) || total + c < c) return error::invalid_argument;
    total += c;
  }
  return error::none;
}

// What goes before the packet text: the Engine.IO message digit, preceded on v3 polling by the
// header of the first payload item. Those item headers are the ones engineio's payload emitters
// write; they are written here because their length field must precede a text that is written
// straight into the storage, never materialized elsewhere.
template <class W>
void emit_text_prefix(W& w, frames_format f, const text_plan& t) noexcept {
  if (f == frames_format::poll_v3_text) {
    engineio::detail::emit_decimal(w, std::uint64_t{1} + t.utf16, false);
    w.put(':');
  } else if (f == frames_format::poll_v3_binary) {
    w.put('\x00');
    engineio::detail::emit_decimal(w, std::uint64_t{1} + t.bytes, true);
    w.put('\xff');
  }
  w.put(engineio::detail::type_digit(engineio::packet_type::message));
}

struct frames_plan {
  frames_format format = frames_format::ws_v4;
  text_plan text;
  std::size_t prefix = 0;
  std::size_t total = 0;
};

// Completes a plan whose text part is measured: the format given the attachment count, the
// transport's checks on the text, and the layout.
inline error finish_plan(frames_plan& fp) noexcept {
  const text_plan& t = fp.text;
  if (fp.format == frames_format::poll_v3_binary && t.attachments == 0) {
    fp.format = frames_format::poll_v3_text;  // no binary packet in the body: a text body
  }
  if (fp.format == frames_format::poll_v4 && t.has_separator) return error::invalid_argument;
  if ((fp.format == frames_format::poll_v3_text || fp.format == frames_format::poll_v3_binary) &&
      t.bad_utf8) {
    return error::invalid_utf8;
  }
  ::SIOCODEC_NAMESPACE::detail::size_counter c;
  emit_text_prefix(c, fp.format, t);
  c.add(t.bytes);
  c.add(t.attachment_cost);
  if (c.overflow) return error::invalid_argument;
  fp.prefix = c.n - t.bytes - t.attachment_cost;
  fp.total = c.n;
  return error::none;
}

inline error plan_view(const packet_view& p, const frame_options& o, frames_plan& fp) noexcept {
  if (!valid_options(o)) return error::invalid_argument;
  fp.format = format_of(o);
  text_counter c;
  c.track = is_polling(fp.format);
  const error e = emit_packet(c, p, packet_options(o));
  if (e != error::none) return e;
  if (c.overflow) return error::invalid_argument;
  text_plan& t = fp.text;
  t.type = p.type;
  t.attachments = is_binary(p.type) ? p.attachment_count : 0;
  if (t.attachments != 0 && p.attachments == nullptr) return error::invalid_argument;
  t.bytes = c.n;
  t.utf16 = c.utf16;
  t.bad_utf8 = c.bad_utf8;
  t.has_separator = c.has_separator;
  const error ce = sum_attachment_costs(p.attachments, t.attachments, fp.format, t.attachment_cost);
  if (ce != error::none) return ce;
  return finish_plan(fp);
}

template <class B>
error plan_built(const B& b, const frame_options& o, frames_plan& fp) {
  if (!valid_options(o)) return error::invalid_argument;
  fp.format = format_of(o);
  const error e = plan_builder(b, packet_options(o), is_polling(fp.format), fp.text,
                               &attachment_cost_hook, &fp.format);
  if (e != error::none) return e;
  return finish_plan(fp);
}

// With the packet text already at storage + fp.prefix: writes the prefix and the attachments
// around it, then hands out the frames.
template <class Send>
void finish_frames(char* storage, const frames_plan& fp, const byte_view* atts, Send& send) {
  ::SIOCODEC_NAMESPACE::detail::buffer_writer head{storage};
  emit_text_prefix(head, fp.format, fp.text);
  const std::size_t n = fp.text.attachments;
  ::SIOCODEC_NAMESPACE::detail::buffer_writer tail{storage + fp.prefix + fp.text.bytes};
  for (std::size_t i = 0; i < n; ++i) (void)emit_attachment(tail, atts[i], fp.format);

  switch (fp.format) {
    case frames_format::poll_v4:
    case frames_format::poll_v3_text:
      send(frame{engineio::frame_kind::text, {}, std::string_view(storage, fp.total)});
      return;
    case frames_format::poll_v3_binary:
      send(frame{engineio::frame_kind::binary, {}, std::string_view(storage, fp.total)});
      return;
    case frames_format::ws_v4:
    case frames_format::ws_v3:
    case frames_format::ws_v3_copy: break;
  }
  send(frame{engineio::frame_kind::text, {}, std::string_view(storage, fp.prefix + fp.text.bytes)});
  // The type byte of an Engine.IO v3 binary frame: the message type as a raw byte.
  static constexpr char v3_message_byte[1] = {static_cast<char>(engineio::packet_type::message)};
  const char* copied = storage + fp.prefix + fp.text.bytes;
  for (std::size_t i = 0; i < n; ++i) {
    if (fp.format == frames_format::ws_v4) {
      send(frame{engineio::frame_kind::binary, {}, atts[i].as_chars()});
    } else if (fp.format == frames_format::ws_v3) {
      send(frame{engineio::frame_kind::binary, std::string_view(v3_message_byte, 1),
                 atts[i].as_chars()});
    } else {
      const std::size_t len = 1 + atts[i].size();
      send(frame{engineio::frame_kind::binary, {}, std::string_view(copied, len)});
      copied += len;
    }
  }
}

// The writing pass of a builder into storage laid out by `fp`; checks that the attachments it
// found frame to the size measured.
template <class B>
error write_built_frames(const B& b, const frame_options& o, const frames_plan& fp, char* storage,
                         byte_view* slots) {
  error e = write_builder(b, packet_options(o), fp.text, storage + fp.prefix, slots);
  if (e != error::none) return e;
  std::size_t cost = 0;
  e = sum_attachment_costs(slots, fp.text.attachments, fp.format, cost);
  if (e != error::none || cost != fp.text.attachment_cost) return error::invalid_argument;
  return error::none;
}

// write_built_frames into slots that `attachments` has just grown by, from old_atts. On failure
// nothing is sent, so the container gets its old size back.
template <class B, class A>
error write_built_frames_into(const B& b, const frame_options& o, const frames_plan& fp,
                              char* storage, byte_view* slots, A& attachments,
                              std::size_t old_atts) {
  const error e = write_built_frames(b, o, fp, storage, slots);
  if (e != error::none) attachments.resize(old_atts);
  return e;
}

}  // namespace detail

// --- packet_view ------------------------------------------------------------------------------

inline result<std::size_t> encoded_frames_size(const packet_view& p,
                                               const frame_options& opts) noexcept {
  detail::frames_plan fp;
  const error e = detail::plan_view(p, opts, fp);
  if (e != error::none) return {e, 0};
  return {fp.total, fp.total};
}

template <class Send>
result<std::size_t> encode_frames_to(char* storage, std::size_t cap, const packet_view& p,
                                     const frame_options& opts, Send&& send) {
  detail::frames_plan fp;
  const error e = detail::plan_view(p, opts, fp);
  if (e != error::none) return {e, 0};
  if (fp.total > cap) return {error::output_too_small, cap};
  ::SIOCODEC_NAMESPACE::detail::buffer_writer w{storage + fp.prefix};
  (void)detail::emit_packet(w, p, detail::packet_options(opts));
  detail::finish_frames(storage, fp, p.attachments, send);
  return {fp.total, fp.total};
}

template <class Container, class Send>
result<std::size_t> encode_frames(const packet_view& p, Container& storage,
                                  const frame_options& opts, Send&& send) {
  static_assert(is_resizable_buffer<Container>::value,
                "encode_frames() needs a resizable container of one-byte elements");
  detail::frames_plan fp;
  const error e = detail::plan_view(p, opts, fp);
  if (e != error::none) return {e, 0};
  const std::size_t old = storage.size();
  storage.resize(old + fp.total);  // the one allocation
  char* out = reinterpret_cast<char*>(storage.data()) + old;
  ::SIOCODEC_NAMESPACE::detail::buffer_writer w{out + fp.prefix};
  (void)detail::emit_packet(w, p, detail::packet_options(opts));
  detail::finish_frames(out, fp, p.attachments, send);
  return {fp.total, fp.total};
}

// --- builders ---------------------------------------------------------------------------------

template <class B, std::enable_if_t<is_packet_builder<B>::value, int>>
result<std::size_t> encoded_frames_size(const B& b, const frame_options& opts) {
  detail::frames_plan fp;
  const error e = detail::plan_built(b, opts, fp);
  if (e != error::none) return {e, 0};
  return {fp.total, fp.total};
}

template <class B, class A, class Send,
          std::enable_if_t<is_packet_builder<B>::value && is_attachment_sink<A>::value, int>>
result<std::size_t> encode_frames_to(char* storage, std::size_t cap, const B& b, A& attachments,
                                     const frame_options& opts, Send&& send) {
  if (!detail::valid_options(opts)) return {error::invalid_argument, 0};
  detail::frames_plan fp;
  fp.format = detail::format_of(opts);
  if (fp.format == detail::frames_format::poll_v3_text ||
      fp.format == detail::frames_format::poll_v3_binary) {
    // The length prefix of a v3 payload item precedes the text: measured first.
    error e = detail::plan_built(b, opts, fp);
    if (e != error::none) return {e, 0};
    if (fp.total > cap) return {error::output_too_small, cap};
    const std::size_t old_atts = attachments.size();
    byte_view* slots = detail::grow_attachments(attachments, fp.text.attachments, e);
    if (e != error::none) return {e, 0};
    e = detail::write_built_frames_into(b, opts, fp, storage, slots, attachments, old_atts);
    if (e != error::none) return {e, 0};
    detail::finish_frames(storage, fp, slots, send);
    return {fp.total, fp.total};
  }
  // The other formats put just the message digit before the text: written in one pass, after it.
  detail::once_slots slots_raw;
  byte_view* const local = slots_raw.get();
  detail::once_text_buffer text;
  detail::once_plan plan;
  const std::size_t room = cap == 0 ? 0 : cap - 1 < detail::once_text ? cap - 1 : detail::once_text;
  error e = detail::one_pass(b, detail::packet_options(opts), text.raw, room, local,
                             fp.format == detail::frames_format::poll_v4, plan,
                             &detail::attachment_cost_hook, &fp.format);
  if (e != error::none) return {e, 0};
  fp.text = plan.text;
  fp.prefix = 1;
  fp.total = 1 + fp.text.bytes;
  if (fp.total < 1 || fp.total + fp.text.attachment_cost < fp.total) {
    return {error::invalid_argument, 0};
  }
  fp.total += fp.text.attachment_cost;
  if (fp.total > cap) return {error::output_too_small, cap};
  const std::size_t n = fp.text.attachments;
  const std::size_t old_atts = attachments.size();
  byte_view* slots = detail::grow_attachments(attachments, n, e);
  if (e != error::none) return {e, 0};
  if (plan.written && n <= detail::once_attachments) {
    detail::copy_text(storage + 1, text.raw, fp.text.bytes);
    for (std::size_t i = 0; i < n; ++i) slots[i] = local[i];
  } else {
    e = detail::write_built_frames_into(b, opts, fp, storage, slots, attachments, old_atts);
    if (e != error::none) return {e, 0};
  }
  detail::finish_frames(storage, fp, slots, send);
  return {fp.total, fp.total};
}

template <class B, class Send, std::enable_if_t<is_packet_builder<B>::value, int>>
result<std::size_t> encode_frames_to(char* storage, std::size_t cap, const B& b,
                                     const frame_options& opts, Send&& send) {
  detail::no_attachments none;
  return encode_frames_to(storage, cap, b, none, opts, std::forward<Send>(send));
}

template <class B, class Container, class A, class Send,
          std::enable_if_t<is_packet_builder<B>::value && is_attachment_sink<A>::value, int>>
result<std::size_t> encode_frames(const B& b, Container& storage, A& attachments,
                                  const frame_options& opts, Send&& send) {
  static_assert(is_resizable_buffer<Container>::value,
                "encode_frames() needs a resizable container of one-byte elements");
  detail::frames_plan fp;
  error e = detail::plan_built(b, opts, fp);
  if (e != error::none) return {e, 0};
  if (fp.text.attachments > attachments.max_size() - attachments.size()) {
    return {error::too_many_attachments, 0};
  }
  const std::size_t old = storage.size();
  const std::size_t old_atts = attachments.size();
  storage.resize(old + fp.total);  // the one allocation
  byte_view* slots = detail::grow_attachments(attachments, fp.text.attachments, e);
  char* out = reinterpret_cast<char*>(storage.data()) + old;
  e = detail::write_built_frames_into(b, opts, fp, out, slots, attachments, old_atts);
  if (e != error::none) {
    storage.resize(old);
    return {e, 0};
  }
  detail::finish_frames(out, fp, slots, send);
  return {fp.total, fp.total};
}

template <class B, class Container, class Send, std::enable_if_t<is_packet_builder<B>::value, int>>
result<std::size_t> encode_frames(const B& b, Container& storage, const frame_options& opts,
                                  Send&& send) {
  detail::no_attachments none;
  return encode_frames(b, storage, none, opts, std::forward<Send>(send));
}

}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_FRAMES_HPP
