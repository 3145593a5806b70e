// SPDX-License-Identifier: BSL-1.0
// The Engine.IO frames that carry one msgpack packet, for each transport.
#ifndef SIOCODEC_SOCKETIO_MSGPACK_PARSER_FRAMES_HPP
#define SIOCODEC_SOCKETIO_MSGPACK_PARSER_FRAMES_HPP

#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/engineio/encode.hpp>
#include <siocodec/engineio/frames.hpp>
#include <siocodec/engineio/packet.hpp>
#include <siocodec/engineio/payload.hpp>
#include <siocodec/error.hpp>
#include <siocodec/result.hpp>
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

namespace msgpack_parser {
/// Storage the frames of `p` (a msgpack_packet_view or a packet builder) need. A msgpack packet
/// is one Engine.IO message, binary (v4 CONNECT/DISCONNECT/ERROR: text), framed for the
/// transport as engineio/frames.hpp describes: a v4 WebSocket binary frame holds exactly the
/// msgpack bytes, a v3 one `0x04 <msgpack>` written contiguously (copy_binary has no effect);
/// a polling body carries the bytes as base64 text, or as a v3 binary payload when the client
/// supports binary. On polling transports the storage holds the msgpack bytes too, ahead of
/// the body (base64 needs them). The Socket.IO protocol is protocol_for(to.version), with the
/// default encode_options (max_depth bounds builders; max_attachments does not apply).
/// Errors (offset 0): those of encoded_size() (of the view or the builder); invalid_argument (an
/// out-of-range version or transport, a message too large to frame).
template <class P>
result<std::size_t> encoded_frames_size(const P& p, const engineio::transport_options& to = {});

/// Writes the frames of `p` into `storage` (at most `cap` bytes), then calls `send(const
/// engineio::frame&)` once with the one frame (`prefix` always empty). Nothing is sent on
/// error. @return bytes of storage used.
/// Errors: those of encoded_frames_size(), and output_too_small (nothing sent; offset()
/// is cap).
template <class P, class Send>
result<std::size_t> encode_frames_to(char* storage, std::size_t cap, const P& p,
                                     const engineio::transport_options& to, Send&& send);

/// Resizes `storage` once to hold the frames of `p` past its current contents, then sends them
/// as encode_frames_to() does. On error `storage` keeps its size and nothing is sent.
template <class P, class Container, class Send>
result<std::size_t> encode_frames(const P& p, Container& storage,
                                  const engineio::transport_options& to, Send&& send);
}  // namespace msgpack_parser

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

namespace detail {

// How one message of the msgpack parser is framed, and where it sits in the storage: either
// written in place inside its frame (`framed_in_place`), or first at the start of the storage,
// followed by the polling body that carries it as base64.
struct mp_frames_plan {
  framing format = framing::ws_v4;
  bool text = false;            // the message is v4 JSON text
  bool framed_in_place = true;  // the frame holds the message bytes as they are
  std::size_t message = 0;      // bytes of the message
  std::size_t utf16 = 0;        // v4 text on v3 polling: its UTF-16 length
  std::size_t offset = 0;       // where the message is written
  std::size_t total = 0;        // storage used
  mp_built built;               // builders: the measuring pass
};

template <class P>
errc mp_measure(const P& p, const encode_options& eo, bool track, mp_frames_plan& fp) {
  if constexpr (std::is_same<P, msgpack_packet_view>::value) {
    fp.text = encoded_frame_kind(p, eo) == engineio::frame_kind::text;
    text_counter c;
    c.track = track && fp.text;
    const errc e = emit_msgpack_view(c, p, eo);
    if (e != errc::none) return e;
    if (c.overflow) return errc::invalid_argument;
    fp.message = c.n;
    fp.utf16 = c.utf16;
    return errc::none;
  } else {
    static_assert(is_packet_builder<P>::value,
                  "msgpack frames take a msgpack_packet_view or a packet builder");
    const errc e = mp_plan_builder(p, eo, fp.built);
    if (e != errc::none) return e;
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
    return errc::none;
  }
}

// The framing of the one message, measured with the Engine.IO primitives that write it.
template <class P>
errc mp_plan_frames(const P& p, const engineio::transport_options& to, const encode_options& eo,
                    mp_frames_plan& fp) {
  if (!engineio::detail::valid_transport(to)) return errc::invalid_argument;
  fp.format = engineio::detail::framing_of(to);
  const errc e = mp_measure(p, eo, engineio::detail::is_polling(fp.format), fp);
  if (e != errc::none) return e;
  if (fp.text) {
    if (fp.format == framing::ws_v4) return errc::invalid_argument;  // never: v5 has no text
    fp.format = engineio::detail::framing_for_text(fp.format);
  }
  const std::size_t n = fp.message;
  fp.framed_in_place = fp.text || !engineio::detail::binary_as_base64(fp.format);
  if (!fp.framed_in_place && n > base64::max_encodable) return errc::invalid_argument;
  ::SIOCODEC_NAMESPACE::detail::size_counter c;
  if (fp.text) {
    engineio::detail::emit_text_prefix(c, fp.format, n, fp.utf16);
  } else {
    engineio::detail::emit_binary_prefix(c, fp.format, n);
  }
  c.add(fp.framed_in_place ? n : n + base64::encoded_size(n));
  if (c.overflow) return errc::invalid_argument;
  fp.offset = fp.framed_in_place ? c.n - n : 0;
  fp.total = c.n;
  return errc::none;
}

template <class P>
errc mp_write_message(const P& p, const encode_options& eo, mp_frames_plan& fp, char* at) {
  if constexpr (std::is_same<P, msgpack_packet_view>::value) {
    ::SIOCODEC_NAMESPACE::detail::buffer_writer w{at};
    return emit_msgpack_view(w, p, eo);
  } else {
    return mp_write_builder(p, eo, fp.built, at);
  }
}

// Writes the message and its framing into storage (fp.total bytes) and sends the frame.
template <class P, class Send>
errc mp_write_frames(const P& p, const encode_options& eo, mp_frames_plan& fp, char* storage,
                     Send& send) {
  const errc e = mp_write_message(p, eo, fp, storage + fp.offset);
  if (e != errc::none) return e;
  const engineio::frame_kind kind = engineio::detail::is_polling(fp.format)
                                        ? engineio::detail::body_kind(fp.format)
                                    : fp.text ? engineio::frame_kind::text
                                              : engineio::frame_kind::binary;
  if (fp.framed_in_place) {
    ::SIOCODEC_NAMESPACE::detail::buffer_writer w{storage};
    if (fp.text) {
      engineio::detail::emit_text_prefix(w, fp.format, fp.message, fp.utf16);
    } else {
      engineio::detail::emit_binary_prefix(w, fp.format, fp.message);
    }
    send(engineio::frame{kind, {}, std::string_view(storage, fp.total)});
    return errc::none;
  }
  // A polling text body carrying the message (at the start of the storage) as base64.
  char* body = storage + fp.message;
  ::SIOCODEC_NAMESPACE::detail::buffer_writer bw{body};
  engineio::detail::emit_binary_prefix(bw, fp.format, fp.message);
  base64::detail::emit(bw, byte_view(storage, fp.message));
  send(engineio::frame{kind, {}, std::string_view(body, static_cast<std::size_t>(bw.p - body))});
  return errc::none;
}

template <class P, class Send>
result<std::size_t> mp_frames_to(char* storage, std::size_t cap, const P& p,
                                 const engineio::transport_options& to, const encode_options& eo,
                                 Send& send) {
  mp_frames_plan fp;
  errc e = mp_plan_frames(p, to, eo, fp);
  if (e != errc::none) return {e, 0};
  if (fp.total > cap) return {errc::output_too_small, cap};
  e = mp_write_frames(p, eo, fp, storage, send);
  if (e != errc::none) return {e, 0};
  return {fp.total, fp.total};
}

template <class P, class Container, class Send>
result<std::size_t> mp_frames(const P& p, Container& storage, const engineio::transport_options& to,
                              const encode_options& eo, Send& send) {
  static_assert(is_resizable_buffer<Container>::value,
                "msgpack_parser::encode_frames() needs a resizable container of one-byte elements");
  mp_frames_plan fp;
  errc e = mp_plan_frames(p, to, eo, fp);
  if (e != errc::none) return {e, 0};
  const std::size_t old = storage.size();
  storage.resize(old + fp.total);  // the one allocation
  // Nothing is sent unless the message was written completely (a builder callback can fail in
  // its second run): the frame is collected first, then handed out.
  engineio::frame pending;
  bool have = false;
  const auto collect = [&pending, &have](const engineio::frame& f) {
    pending = f;
    have = true;
  };
  e = mp_write_frames(p, eo, fp, reinterpret_cast<char*>(storage.data()) + old, collect);
  if (e != errc::none) {
    storage.resize(old);
    return {e, 0};
  }
  if (have) send(static_cast<const engineio::frame&>(pending));
  return {fp.total, fp.total};
}

}  // namespace detail

namespace msgpack_parser {
template <class P>
result<std::size_t> encoded_frames_size(const P& p, const engineio::transport_options& to) {
  detail::mp_frames_plan fp;
  const errc e = detail::mp_plan_frames(p, to, detail::packet_options(to), fp);
  if (e != errc::none) return {e, 0};
  return {fp.total, fp.total};
}

template <class P, class Send>
result<std::size_t> encode_frames_to(char* storage, std::size_t cap, const P& p,
                                     const engineio::transport_options& to, Send&& send) {
  return detail::mp_frames_to(storage, cap, p, to, detail::packet_options(to), send);
}

template <class P, class Container, class Send>
result<std::size_t> encode_frames(const P& p, Container& storage,
                                  const engineio::transport_options& to, Send&& send) {
  return detail::mp_frames(p, storage, to, detail::packet_options(to), send);
}
}  // namespace msgpack_parser

}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_MSGPACK_PARSER_FRAMES_HPP
