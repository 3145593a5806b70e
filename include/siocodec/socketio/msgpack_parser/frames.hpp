// SPDX-License-Identifier: BSL-1.0
// The Engine.IO frames that carry one msgpack packet, for each transport.
#ifndef SIOCODEC_SOCKETIO_MSGPACK_PARSER_FRAMES_HPP
#define SIOCODEC_SOCKETIO_MSGPACK_PARSER_FRAMES_HPP

#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/error.hpp>
#include <siocodec/result.hpp>
#include <siocodec/engineio/encode.hpp>
#include <siocodec/engineio/packet.hpp>
#include <siocodec/engineio/payload.hpp>
#include <siocodec/sink.hpp>
#include <siocodec/socketio/default_parser/frames.hpp>
#include <siocodec/socketio/msgpack_parser/encode.hpp>
#include <siocodec/socketio/packet.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {

// ---------------------------------------------------------------------------------------------
// Frames: one call from a packet to what the transport sends
// ---------------------------------------------------------------------------------------------

/// Storage the frames of `p` (a msgpack_packet_view or a packet builder) need. A msgpack packet
/// is one Engine.IO message (frames.hpp describes the transports):
///   Engine.IO v4 WebSocket   one binary frame: the msgpack bytes;
///   Engine.IO v4 polling     a text body `b<base64>`;
///   Engine.IO v3 WebSocket   a binary frame `0x04 <msgpack>` (v4 text packets: a text frame
///                            `4<json>`), written contiguously (copy_binary has no effect);
///   Engine.IO v3 polling     a binary body (supports_binary) or a text body `<n>:b4<base64>`;
///                            v4 text packets: a text body `<n>:4<json>`.
/// The Socket.IO protocol follows the Engine.IO one (v5 over v4, v4 over v3). On polling
/// transports the storage holds the msgpack bytes too, ahead of the body (base64 needs them).
/// opts.max_depth bounds builders; opts.max_attachments does not apply.
/// Errors (offset 0): those of encoded_size() / msgpack_encoded_size(); invalid_argument (an
/// out-of-range version or transport, a message too large to frame).
template <class P>
result<std::size_t> msgpack_encoded_frames_size(const P& p, const frame_options& opts = {});

/// Writes the frames of `p` into `storage` (at most `cap` bytes), then calls `send(const
/// frame&)` once with the one frame (`prefix` always empty). Nothing is sent on error.
/// @return bytes of storage used.
/// Errors: those of msgpack_encoded_frames_size(), and output_too_small (nothing sent; offset()
/// is cap).
template <class P, class Send>
result<std::size_t> msgpack_encode_frames_to(char* storage, std::size_t cap, const P& p,
                                             const frame_options& opts, Send&& send);

/// Resizes `storage` once to hold the frames of `p` past its current contents, then sends them
/// as msgpack_encode_frames_to() does. On error `storage` keeps its size and nothing is sent.
template <class P, class Container, class Send>
result<std::size_t> msgpack_encode_frames(const P& p, Container& storage, const frame_options& opts,
                                          Send&& send);

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

// --- frames -----------------------------------------------------------------------------------

namespace detail {

// How one message of the msgpack parser is framed, and where it sits in the storage: either
// written in place inside its frame (`framed_in_place`), or first at the start of the storage,
// followed by the polling body that carries it as base64.
struct mp_frames_plan {
  frames_format format = frames_format::ws_v4;
  bool text = false;            // the message is v4 JSON text
  bool framed_in_place = true;  // the frame holds the message bytes as they are
  std::size_t message = 0;      // bytes of the message
  std::size_t utf16 = 0;        // v4 text on v3 polling: its UTF-16 length
  std::size_t offset = 0;       // where the message is written
  std::size_t total = 0;        // storage used
  mp_built built;               // builders: the measuring pass
};

template <class P>
error mp_measure(const P& p, const encode_options& eo, bool track, mp_frames_plan& fp) {
  if constexpr (std::is_same<P, msgpack_packet_view>::value) {
    fp.text = encoded_frame_kind(p, eo) == engineio::frame_kind::text;
    text_counter c;
    c.track = track && fp.text;
    const error e = emit_msgpack_view(c, p, eo);
    if (e != error::none) return e;
    if (c.overflow) return error::invalid_argument;
    fp.message = c.n;
    fp.utf16 = c.utf16;
    return error::none;
  } else {
    static_assert(is_packet_builder<P>::value,
                  "msgpack frames take a msgpack_packet_view or a packet builder");
    const error e = mp_plan_builder(p, eo, fp.built);
    if (e != error::none) return e;
    fp.text = fp.built.text;
    fp.message = fp.built.bytes;
    if (track && fp.text) {
      // The JSON text is ASCII syntax around the namespace, query and message: count those.
      text_counter c;
      c.track = true;
      const std::string_view msg = mp_error_message(p.data());
      emit_v4_text(c, fp.built.type, mp_nsp{p.nsp(), p.query()},
                   mp_data_traits<typename P::data_type>::is_error ? &msg : nullptr, p.id());
      fp.utf16 = c.utf16;
    }
    return error::none;
  }
}

// A decimal number's digit count.
inline std::size_t mp_digits(std::uint64_t v) noexcept {
  std::size_t n = 1;
  while (v >= 10) {
    v /= 10;
    ++n;
  }
  return n;
}

template <class P>
error mp_plan_frames(const P& p, const frame_options& o, mp_frames_plan& fp) {
  if (!valid_options(o)) return error::invalid_argument;
  fp.format = format_of(o);
  const bool polling = is_polling(fp.format);
  const error e = mp_measure(p, packet_options(o), polling, fp);
  if (e != error::none) return e;
  const std::size_t n = fp.message;
  std::size_t body = 0;
  switch (fp.format) {
    case frames_format::ws_v4:
      if (fp.text) return error::invalid_argument;  // never: v5 has no text messages
      fp.offset = 0;
      fp.total = n;
      return error::none;
    case frames_format::ws_v3:
    case frames_format::ws_v3_copy:
      fp.offset = 1;  // '4' (text) or the raw type byte 0x04 (binary)
      fp.total = 1 + n;
      return fp.total < n ? error::invalid_argument : error::none;
    case frames_format::poll_v3_binary:
      if (!fp.text) {
        // 0x01, the decimal length of `0x04 <msgpack>` as digit bytes, 0xFF, 0x04, the bytes.
        fp.offset = 1 + mp_digits(std::uint64_t{1} + n) + 1 + 1;
        fp.total = fp.offset + n;
        return fp.total < n ? error::invalid_argument : error::none;
      }
      fp.format = frames_format::poll_v3_text;  // a text packet alone: a text body
      break;
    case frames_format::poll_v4:
    case frames_format::poll_v3_text: break;
  }
  if (fp.text) {
    // `<n>:4<json>`, n counting the UTF-16 units of `4<json>`: written in place.
    fp.offset = mp_digits(std::uint64_t{1} + fp.utf16) + 2;
    fp.total = fp.offset + n;
    return fp.total < n ? error::invalid_argument : error::none;
  }
  if (n > base64::max_encodable) return error::invalid_argument;
  const std::size_t b64 = base64::encoded_size(n);
  if (fp.format == frames_format::poll_v4) {
    body = 1 + b64;  // `b<base64>`
  } else {
    body = mp_digits(std::uint64_t{2} + b64) + 1 + 2 + b64;  // `<n>:b4<base64>`
  }
  fp.framed_in_place = false;
  fp.offset = 0;
  fp.total = n + body;
  return fp.total < n ? error::invalid_argument : error::none;
}

template <class P>
error mp_write_message(const P& p, const frame_options& o, mp_frames_plan& fp, char* at) {
  if constexpr (std::is_same<P, msgpack_packet_view>::value) {
    ::SIOCODEC_NAMESPACE::detail::buffer_writer w{at};
    return emit_msgpack_view(w, p, packet_options(o));
  } else {
    return mp_write_builder(p, packet_options(o), fp.built, at);
  }
}

// Writes the message and its framing into storage (fp.total bytes) and sends the frame.
template <class P, class Send>
error mp_write_frames(const P& p, const frame_options& o, mp_frames_plan& fp, char* storage,
                      Send& send) {
  const error e = mp_write_message(p, o, fp, storage + fp.offset);
  if (e != error::none) return e;
  ::SIOCODEC_NAMESPACE::detail::buffer_writer w{storage};
  const engineio::frame_kind message_kind =
      fp.text ? engineio::frame_kind::text : engineio::frame_kind::binary;
  switch (fp.format) {
    case frames_format::ws_v4:
      send(frame{engineio::frame_kind::binary, {}, std::string_view(storage, fp.total)});
      return error::none;
    case frames_format::ws_v3:
    case frames_format::ws_v3_copy:
      storage[0] = fp.text ? '4' : static_cast<char>(engineio::packet_type::message);
      send(frame{message_kind, {}, std::string_view(storage, fp.total)});
      return error::none;
    case frames_format::poll_v3_binary:
      w.put('\x01');
      engineio::detail::emit_decimal(w, std::uint64_t{1} + fp.message, true);
      w.put('\xff');
      w.put(static_cast<char>(engineio::packet_type::message));
      send(frame{engineio::frame_kind::binary, {}, std::string_view(storage, fp.total)});
      return error::none;
    case frames_format::poll_v4:
    case frames_format::poll_v3_text: break;
  }
  if (fp.text) {
    engineio::detail::emit_decimal(w, std::uint64_t{1} + fp.utf16, false);
    w.put(':');
    w.put('4');
    send(frame{engineio::frame_kind::text, {}, std::string_view(storage, fp.total)});
    return error::none;
  }
  const byte_view message(storage, fp.message);
  char* body = storage + fp.message;
  ::SIOCODEC_NAMESPACE::detail::buffer_writer bw{body};
  if (fp.format == frames_format::poll_v4) {
    bw.put('b');
  } else {
    engineio::detail::emit_decimal(bw, std::uint64_t{2} + base64::encoded_size(fp.message), false);
    bw.append(":b4", 3);
  }
  base64::detail::emit(bw, message);
  send(frame{engineio::frame_kind::text,
             {},
             std::string_view(body, static_cast<std::size_t>(bw.p - body))});
  return error::none;
}

}  // namespace detail

template <class P>
result<std::size_t> msgpack_encoded_frames_size(const P& p, const frame_options& opts) {
  detail::mp_frames_plan fp;
  const error e = detail::mp_plan_frames(p, opts, fp);
  if (e != error::none) return {e, 0};
  return {fp.total, fp.total};
}

template <class P, class Send>
result<std::size_t> msgpack_encode_frames_to(char* storage, std::size_t cap, const P& p,
                                             const frame_options& opts, Send&& send) {
  detail::mp_frames_plan fp;
  error e = detail::mp_plan_frames(p, opts, fp);
  if (e != error::none) return {e, 0};
  if (fp.total > cap) return {error::output_too_small, cap};
  e = detail::mp_write_frames(p, opts, fp, storage, send);
  if (e != error::none) return {e, 0};
  return {fp.total, fp.total};
}

template <class P, class Container, class Send>
result<std::size_t> msgpack_encode_frames(const P& p, Container& storage, const frame_options& opts,
                                          Send&& send) {
  static_assert(is_resizable_buffer<Container>::value,
                "msgpack_encode_frames() needs a resizable container of one-byte elements");
  detail::mp_frames_plan fp;
  error e = detail::mp_plan_frames(p, opts, fp);
  if (e != error::none) return {e, 0};
  const std::size_t old = storage.size();
  storage.resize(old + fp.total);  // the one allocation
  // Nothing is sent unless the message was written completely (a builder callback can fail in
  // its second run): the frames are collected first, then handed out.
  frame pending;
  bool have = false;
  const auto collect = [&pending, &have](const frame& f) {
    pending = f;
    have = true;
  };
  e = detail::mp_write_frames(p, opts, fp, reinterpret_cast<char*>(storage.data()) + old, collect);
  if (e != error::none) {
    storage.resize(old);
    return {e, 0};
  }
  if (have) send(static_cast<const frame&>(pending));
  return {fp.total, fp.total};
}


}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_MSGPACK_PARSER_FRAMES_HPP
