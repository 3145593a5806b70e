// SPDX-License-Identifier: BSL-1.0
// The two outputs of socketio::basic_codec (a container it appends to, a caller's buffer): each
// forwards a packet of either parser to that parser's encoder or frame encoder for the output.
#ifndef SIOCODEC_SOCKETIO_CODEC_OUTPUT_HPP
#define SIOCODEC_SOCKETIO_CODEC_OUTPUT_HPP

#include <siocodec/config.hpp>
#include <siocodec/engineio/frames.hpp>
#include <siocodec/result.hpp>
#include <siocodec/socketio/default_parser/encode.hpp>
#include <siocodec/socketio/default_parser/frames.hpp>
#include <siocodec/socketio/msgpack_parser/encode.hpp>
#include <siocodec/socketio/msgpack_parser/frames.hpp>
#include <siocodec/socketio/packet.hpp>

#include <cstddef>

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {
namespace detail {

// The two outputs of basic_codec::encode: appended to a container (one resize), or written into
// a caller's buffer. Each forwards to the parser's encoders for one packet shape.
template <class Container>
struct codec_append {
  Container& out;
  const char* begin(std::size_t old) const noexcept {
    return reinterpret_cast<const char*>(out.data()) + old;
  }
  result<std::size_t> view(const packet_view& p, const encode_options& o) {
    return encode(p, out, o);
  }
  result<std::size_t> view(const msgpack_packet_view& p, const encode_options& o) {
    return encode(p, out, o);
  }
  template <class B, class A>
  result<std::size_t> built(const B& b, A& atts, const encode_options& o) {
    return encode(b, out, atts, o);
  }
  template <class B>
  result<std::size_t> built_msgpack(const B& b, const encode_options& o) {
    return msgpack_parser::encode(b, out, o);
  }
  template <class S>
  result<std::size_t> frames(const packet_view& p, const engineio::transport_options& to,
                             const encode_options& o, S& send) {
    return view_frames(p, out, to, o, send);
  }
  template <class S>
  result<std::size_t> frames(const msgpack_packet_view& p, const engineio::transport_options& to,
                             const encode_options& o, S& send) {
    return mp_frames(p, out, to, o, send);
  }
  template <class B, class A, class S>
  result<std::size_t> frames(const B& b, A& atts, const engineio::transport_options& to,
                             const encode_options& o, S& send) {
    return built_frames(b, out, atts, to, o, send);
  }
  template <class B, class S>
  result<std::size_t> msgpack_frames(const B& b, const engineio::transport_options& to,
                                     const encode_options& o, S& send) {
    return mp_frames(b, out, to, o, send);
  }
};

struct codec_buffer {
  char* out;
  std::size_t cap;
  const char* begin(std::size_t) const noexcept { return out; }
  result<std::size_t> view(const packet_view& p, const encode_options& o) {
    return encode_to(out, cap, p, o);
  }
  result<std::size_t> view(const msgpack_packet_view& p, const encode_options& o) {
    return encode_to(out, cap, p, o);
  }
  template <class B, class A>
  result<std::size_t> built(const B& b, A& atts, const encode_options& o) {
    return encode_to(out, cap, b, atts, o);
  }
  template <class B>
  result<std::size_t> built_msgpack(const B& b, const encode_options& o) {
    return msgpack_parser::encode_to(out, cap, b, o);
  }
  template <class S>
  result<std::size_t> frames(const packet_view& p, const engineio::transport_options& to,
                             const encode_options& o, S& send) {
    return view_frames_to(out, cap, p, to, o, send);
  }
  template <class S>
  result<std::size_t> frames(const msgpack_packet_view& p, const engineio::transport_options& to,
                             const encode_options& o, S& send) {
    return mp_frames_to(out, cap, p, to, o, send);
  }
  template <class B, class A, class S>
  result<std::size_t> frames(const B& b, A& atts, const engineio::transport_options& to,
                             const encode_options& o, S& send) {
    return built_frames_to(out, cap, b, atts, to, o, send);
  }
  template <class B, class S>
  result<std::size_t> msgpack_frames(const B& b, const engineio::transport_options& to,
                                     const encode_options& o, S& send) {
    return mp_frames_to(out, cap, b, to, o, send);
  }
};

}  // namespace detail
}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_CODEC_OUTPUT_HPP
