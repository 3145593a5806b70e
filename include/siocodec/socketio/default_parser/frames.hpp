// SPDX-License-Identifier: BSL-1.0
// One call from a Socket.IO packet to the Engine.IO frames that carry it, for each transport.
#ifndef SIOCODEC_SOCKETIO_FRAMES_HPP
#define SIOCODEC_SOCKETIO_FRAMES_HPP

#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/engineio/encode.hpp>
#include <siocodec/engineio/frames.hpp>
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
// binary message per attachment (protocol.md §1.3, §1.4, §2.5). The functions below write them
// and their transport framing (engineio/frames.hpp) in one pass: the send path of a server. The
// Socket.IO protocol is the one the Engine.IO protocol carries (protocol_for()), with the
// default encode_options; basic_codec::encode_frames() applies a connection's own options.
//
//     std::string storage;
//     sio::attachment_list<8> atts;
//     eio::transport_options to;  // Engine.IO v4, WebSocket
//     auto r = sio::encode_frames(sio::event("chat", "hello", buffer), storage, atts, to,
//                                 [&](const eio::frame& f) { ws.send(f.kind, f.data); });

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {

/// The Socket.IO protocol an Engine.IO protocol carries: v5 over Engine.IO v4 (Socket.IO 3+),
/// v4 over Engine.IO v3 (Socket.IO 2). The one place this mapping is written.
constexpr protocol_version protocol_for(engineio::protocol_version v) noexcept {
  return v == engineio::protocol_version::v3 ? protocol_version::v4 : protocol_version::v5;
}

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
                                        const engineio::transport_options& to = {}) noexcept;

/// Writes the frames of `p` into `storage` (at most `cap` bytes), then calls `send(const
/// engineio::frame&)` once per frame, in the order they must be sent: the text frame first, then
/// the binary frames (WebSocket); or once with the body (polling). Nothing is sent on error.
/// @return bytes of storage used.
/// Errors: those of encoded_frames_size(), and output_too_small (nothing written or sent;
/// offset() is cap).
template <class Send>
result<std::size_t> encode_frames_to(char* storage, std::size_t cap, const packet_view& p,
                                     const engineio::transport_options& to, Send&& send);

/// Resizes `storage` (any resizable byte container) once to hold the frames of `p`, past its
/// current contents, then sends them as encode_frames_to() does.
/// Errors: those of encoded_frames_size(); on error `storage` keeps its size and nothing is
/// sent.
template <class Container, class Send>
result<std::size_t> encode_frames(const packet_view& p, Container& storage,
                                  const engineio::transport_options& to, Send&& send);

/// Storage the frames of builder `b` need (see event(), ack()...). Runs the value callbacks
/// once.
/// Errors: those of encoded_size(builder) and of encoded_frames_size(packet_view) (the checks of
/// the text apply to the text the builder writes: an invalid_argument for a raw_json value
/// holding 0x1E on v4 polling, an invalid_utf8 for raw_json that is not UTF-8 on v3 polling).
template <class B, std::enable_if_t<is_packet_builder<B>::value, int> = 0>
result<std::size_t> encoded_frames_size(const B& b, const engineio::transport_options& to = {});

/// Writes the frames of builder `b` into `storage`, appends the views of its binary values to
/// `attachments` (the binary frames of WebSocket transports point at them), then calls
/// `send(const engineio::frame&)` once per frame. No allocation unless `attachments` allocates.
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
                                     const engineio::transport_options& to, Send&& send);

/// encode_frames_to for a packet without binary values (one would be too_many_attachments).
template <class B, class Send, std::enable_if_t<is_packet_builder<B>::value, int> = 0>
result<std::size_t> encode_frames_to(char* storage, std::size_t cap, const B& b,
                                     const engineio::transport_options& to, Send&& send);

/// Resizes `storage` once and sends the frames of builder `b`, as encode_frames_to() does.
/// Errors: those of encode_frames_to() but output_too_small. On error both containers keep
/// their size and nothing is sent.
template <class B, class Container, class A, class Send,
          std::enable_if_t<is_packet_builder<B>::value && is_attachment_sink<A>::value, int> = 0>
result<std::size_t> encode_frames(const B& b, Container& storage, A& attachments,
                                  const engineio::transport_options& to, Send&& send);

/// encode_frames for a packet without binary values (one would be too_many_attachments).
template <class B, class Container, class Send,
          std::enable_if_t<is_packet_builder<B>::value, int> = 0>
result<std::size_t> encode_frames(const B& b, Container& storage,
                                  const engineio::transport_options& to, Send&& send);

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

using engineio::detail::framing;

// The packet options of the free functions: the defaults, in the protocol of the transport.
inline encode_options packet_options(const engineio::transport_options& to) noexcept {
  encode_options e;
  e.version = protocol_for(to.version);
  return e;
}

inline std::size_t attachment_cost_hook(byte_view bytes, const void* ctx) noexcept {
  return engineio::detail::next_binary_cost(bytes, *static_cast<const framing*>(ctx));
}

inline errc sum_attachment_costs(const byte_view* atts, std::size_t n, framing f,
                                 std::size_t& total) noexcept {
  total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t c = engineio::detail::next_binary_cost(atts[i], f);
    if (c == static_cast<std::size_t>(-1) || total + c < c) return errc::invalid_argument;
    total += c;
  }
  return errc::none;
}

struct frames_plan {
  framing format = framing::ws_v4;
  text_plan text;
  std::size_t prefix = 0;
  std::size_t total = 0;
};

// Completes a plan whose text part is measured: the framing given the attachment count, the
// transport's checks on the text, and the layout.
inline errc finish_plan(frames_plan& fp) noexcept {
  const text_plan& t = fp.text;
  if (t.attachments == 0) fp.format = engineio::detail::framing_for_text(fp.format);
  if (fp.format == framing::poll_v4 && t.has_separator) return errc::invalid_argument;
  if ((fp.format == framing::poll_v3_text || fp.format == framing::poll_v3_binary) && t.bad_utf8) {
    return errc::invalid_utf8;
  }
  ::SIOCODEC_NAMESPACE::detail::size_counter c;
  engineio::detail::emit_text_prefix(c, fp.format, t.bytes, t.utf16);
  c.add(t.bytes);
  c.add(t.attachment_cost);
  if (c.overflow) return errc::invalid_argument;
  fp.prefix = c.n - t.bytes - t.attachment_cost;
  fp.total = c.n;
  return errc::none;
}

inline errc plan_view(const packet_view& p, const engineio::transport_options& to,
                      const encode_options& eo, frames_plan& fp) noexcept {
  if (!engineio::detail::valid_transport(to)) return errc::invalid_argument;
  fp.format = engineio::detail::framing_of(to);
  text_counter c;
  c.track = engineio::detail::is_polling(fp.format);
  const errc e = emit_packet(c, p, eo);
  if (e != errc::none) return e;
  if (c.overflow) return errc::invalid_argument;
  text_plan& t = fp.text;
  t.type = p.type;
  t.attachments = is_binary(p.type) ? p.attachment_count : 0;
  if (t.attachments != 0 && p.attachments == nullptr) return errc::invalid_argument;
  t.bytes = c.n;
  t.utf16 = c.utf16;
  t.bad_utf8 = c.bad_utf8;
  t.has_separator = c.has_separator;
  const errc ce = sum_attachment_costs(p.attachments, t.attachments, fp.format, t.attachment_cost);
  if (ce != errc::none) return ce;
  return finish_plan(fp);
}

template <class B>
errc plan_built(const B& b, const engineio::transport_options& to, const encode_options& eo,
                frames_plan& fp) {
  if (!engineio::detail::valid_transport(to)) return errc::invalid_argument;
  fp.format = engineio::detail::framing_of(to);
  const errc e = plan_builder(b, eo, engineio::detail::is_polling(fp.format), fp.text,
                              &attachment_cost_hook, &fp.format);
  if (e != errc::none) return e;
  return finish_plan(fp);
}

// With the packet text already at storage + fp.prefix: writes the prefix and the attachments
// around it, then hands out the frames.
template <class Send>
void finish_frames(char* storage, const frames_plan& fp, const byte_view* atts, Send& send) {
  using engineio::frame;
  using engineio::frame_kind;
  ::SIOCODEC_NAMESPACE::detail::buffer_writer head{storage};
  engineio::detail::emit_text_prefix(head, fp.format, fp.text.bytes, fp.text.utf16);
  const std::size_t n = fp.text.attachments;
  ::SIOCODEC_NAMESPACE::detail::buffer_writer tail{storage + fp.prefix + fp.text.bytes};
  for (std::size_t i = 0; i < n; ++i)
    (void)engineio::detail::emit_next_binary(tail, atts[i], fp.format);

  if (engineio::detail::is_polling(fp.format)) {
    send(frame{engineio::detail::body_kind(fp.format), {}, std::string_view(storage, fp.total)});
    return;
  }
  send(frame{frame_kind::text, {}, std::string_view(storage, fp.prefix + fp.text.bytes)});
  const char* copied = storage + fp.prefix + fp.text.bytes;
  for (std::size_t i = 0; i < n; ++i) {
    if (fp.format == framing::ws_v4) {
      send(frame{frame_kind::binary, {}, atts[i].as_chars()});
    } else if (fp.format == framing::ws_v3) {
      send(frame{frame_kind::binary, engineio::detail::v3_binary_type_byte(), atts[i].as_chars()});
    } else {
      const std::size_t len = 1 + atts[i].size();
      send(frame{frame_kind::binary, {}, std::string_view(copied, len)});
      copied += len;
    }
  }
}

// The writing pass of a builder into storage laid out by `fp`; checks that the attachments it
// found frame to the size measured.
template <class B>
errc write_built_frames(const B& b, const encode_options& eo, const frames_plan& fp, char* storage,
                        byte_view* slots) {
  errc e = write_builder(b, eo, fp.text, storage + fp.prefix, slots);
  if (e != errc::none) return e;
  std::size_t cost = 0;
  e = sum_attachment_costs(slots, fp.text.attachments, fp.format, cost);
  if (e != errc::none || cost != fp.text.attachment_cost) return errc::invalid_argument;
  return errc::none;
}

// write_built_frames into slots that `attachments` has just grown by, from old_atts. On failure
// nothing is sent, so the container gets its old size back.
template <class B, class A>
errc write_built_frames_into(const B& b, const encode_options& eo, const frames_plan& fp,
                             char* storage, byte_view* slots, A& attachments,
                             std::size_t old_atts) {
  const errc e = write_built_frames(b, eo, fp, storage, slots);
  if (e != errc::none) attachments.resize(old_atts);
  return e;
}

template <class Send>
result<std::size_t> view_frames_to(char* storage, std::size_t cap, const packet_view& p,
                                   const engineio::transport_options& to, const encode_options& eo,
                                   Send& send) {
  frames_plan fp;
  const errc e = plan_view(p, to, eo, fp);
  if (e != errc::none) return {e, 0};
  if (fp.total > cap) return {errc::output_too_small, cap};
  ::SIOCODEC_NAMESPACE::detail::buffer_writer w{storage + fp.prefix};
  (void)emit_packet(w, p, eo);
  finish_frames(storage, fp, p.attachments, send);
  return {fp.total, fp.total};
}

template <class Container, class Send>
result<std::size_t> view_frames(const packet_view& p, Container& storage,
                                const engineio::transport_options& to, const encode_options& eo,
                                Send& send) {
  static_assert(is_resizable_buffer<Container>::value,
                "encode_frames() needs a resizable container of one-byte elements");
  frames_plan fp;
  const errc e = plan_view(p, to, eo, fp);
  if (e != errc::none) return {e, 0};
  const std::size_t old = storage.size();
  storage.resize(old + fp.total);  // the one allocation
  char* out = reinterpret_cast<char*>(storage.data()) + old;
  ::SIOCODEC_NAMESPACE::detail::buffer_writer w{out + fp.prefix};
  (void)emit_packet(w, p, eo);
  finish_frames(out, fp, p.attachments, send);
  return {fp.total, fp.total};
}

template <class B, class A, class Send>
result<std::size_t> built_frames_to(char* storage, std::size_t cap, const B& b, A& attachments,
                                    const engineio::transport_options& to, const encode_options& eo,
                                    Send& send) {
  if (!engineio::detail::valid_transport(to)) return {errc::invalid_argument, 0};
  frames_plan fp;
  fp.format = engineio::detail::framing_of(to);
  if (fp.format == framing::poll_v3_text || fp.format == framing::poll_v3_binary) {
    // The length prefix of a v3 payload item precedes the text: measured first.
    errc e = plan_built(b, to, eo, fp);
    if (e != errc::none) return {e, 0};
    if (fp.total > cap) return {errc::output_too_small, cap};
    const std::size_t old_atts = attachments.size();
    byte_view* slots = grow_attachments(attachments, fp.text.attachments, e);
    if (e != errc::none) return {e, 0};
    e = write_built_frames_into(b, eo, fp, storage, slots, attachments, old_atts);
    if (e != errc::none) return {e, 0};
    finish_frames(storage, fp, slots, send);
    return {fp.total, fp.total};
  }
  // The other framings put just the message digit before the text: written in one pass, after it.
  once_slots slots_raw;
  byte_view* const local = slots_raw.get();
  once_text_buffer text;
  once_plan plan;
  const std::size_t room = cap == 0 ? 0 : cap - 1 < once_text ? cap - 1 : once_text;
  errc e = one_pass(b, eo, text.raw, room, local, fp.format == framing::poll_v4, plan,
                    &attachment_cost_hook, &fp.format);
  if (e != errc::none) return {e, 0};
  fp.text = plan.text;
  fp.prefix = 1;
  fp.total = 1 + fp.text.bytes;
  if (fp.total < 1 || fp.total + fp.text.attachment_cost < fp.total) {
    return {errc::invalid_argument, 0};
  }
  fp.total += fp.text.attachment_cost;
  if (fp.total > cap) return {errc::output_too_small, cap};
  const std::size_t n = fp.text.attachments;
  const std::size_t old_atts = attachments.size();
  byte_view* slots = grow_attachments(attachments, n, e);
  if (e != errc::none) return {e, 0};
  if (plan.written && n <= once_attachments) {
    copy_text(storage + 1, text.raw, fp.text.bytes);
    for (std::size_t i = 0; i < n; ++i) slots[i] = local[i];
  } else {
    e = write_built_frames_into(b, eo, fp, storage, slots, attachments, old_atts);
    if (e != errc::none) return {e, 0};
  }
  finish_frames(storage, fp, slots, send);
  return {fp.total, fp.total};
}

template <class B, class Container, class A, class Send>
result<std::size_t> built_frames(const B& b, Container& storage, A& attachments,
                                 const engineio::transport_options& to, const encode_options& eo,
                                 Send& send) {
  static_assert(is_resizable_buffer<Container>::value,
                "encode_frames() needs a resizable container of one-byte elements");
  frames_plan fp;
  errc e = plan_built(b, to, eo, fp);
  if (e != errc::none) return {e, 0};
  if (fp.text.attachments > attachments.max_size() - attachments.size()) {
    return {errc::too_many_attachments, 0};
  }
  const std::size_t old = storage.size();
  const std::size_t old_atts = attachments.size();
  storage.resize(old + fp.total);  // the one allocation
  byte_view* slots = grow_attachments(attachments, fp.text.attachments, e);
  char* out = reinterpret_cast<char*>(storage.data()) + old;
  e = write_built_frames_into(b, eo, fp, out, slots, attachments, old_atts);
  if (e != errc::none) {
    storage.resize(old);
    return {e, 0};
  }
  finish_frames(out, fp, slots, send);
  return {fp.total, fp.total};
}

}  // namespace detail

// --- packet_view ------------------------------------------------------------------------------

inline result<std::size_t> encoded_frames_size(const packet_view& p,
                                               const engineio::transport_options& to) noexcept {
  detail::frames_plan fp;
  const errc e = detail::plan_view(p, to, detail::packet_options(to), fp);
  if (e != errc::none) return {e, 0};
  return {fp.total, fp.total};
}

template <class Send>
result<std::size_t> encode_frames_to(char* storage, std::size_t cap, const packet_view& p,
                                     const engineio::transport_options& to, Send&& send) {
  return detail::view_frames_to(storage, cap, p, to, detail::packet_options(to), send);
}

template <class Container, class Send>
result<std::size_t> encode_frames(const packet_view& p, Container& storage,
                                  const engineio::transport_options& to, Send&& send) {
  return detail::view_frames(p, storage, to, detail::packet_options(to), send);
}

// --- builders ---------------------------------------------------------------------------------

template <class B, std::enable_if_t<is_packet_builder<B>::value, int>>
result<std::size_t> encoded_frames_size(const B& b, const engineio::transport_options& to) {
  detail::frames_plan fp;
  const errc e = detail::plan_built(b, to, detail::packet_options(to), fp);
  if (e != errc::none) return {e, 0};
  return {fp.total, fp.total};
}

template <class B, class A, class Send,
          std::enable_if_t<is_packet_builder<B>::value && is_attachment_sink<A>::value, int>>
result<std::size_t> encode_frames_to(char* storage, std::size_t cap, const B& b, A& attachments,
                                     const engineio::transport_options& to, Send&& send) {
  return detail::built_frames_to(storage, cap, b, attachments, to, detail::packet_options(to),
                                 send);
}

template <class B, class Send, std::enable_if_t<is_packet_builder<B>::value, int>>
result<std::size_t> encode_frames_to(char* storage, std::size_t cap, const B& b,
                                     const engineio::transport_options& to, Send&& send) {
  detail::no_attachments none;
  return detail::built_frames_to(storage, cap, b, none, to, detail::packet_options(to), send);
}

template <class B, class Container, class A, class Send,
          std::enable_if_t<is_packet_builder<B>::value && is_attachment_sink<A>::value, int>>
result<std::size_t> encode_frames(const B& b, Container& storage, A& attachments,
                                  const engineio::transport_options& to, Send&& send) {
  return detail::built_frames(b, storage, attachments, to, detail::packet_options(to), send);
}

template <class B, class Container, class Send, std::enable_if_t<is_packet_builder<B>::value, int>>
result<std::size_t> encode_frames(const B& b, Container& storage,
                                  const engineio::transport_options& to, Send&& send) {
  detail::no_attachments none;
  return detail::built_frames(b, storage, none, to, detail::packet_options(to), send);
}

}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_FRAMES_HPP
