// SPDX-License-Identifier: BSL-1.0
// End to end through both layers: a Socket.IO packet that decodes (strict) gets attachments from
// the input, is written by socketio::encode_frames for one transport (Engine.IO v4 or v3,
// WebSocket or polling, with and without binary support / copy_binary), and the frames are read
// back the way a peer reads them (engineio::decode per WebSocket message, payload_reader per
// polling body, then socketio::decoder): the same packet with the same attachments comes out.
// encoded_frames_size == storage used by encode_frames_to == growth of encode_frames' container.
// Over WebSocket, the Engine.IO messages socketio::codec::encode emits for the packet are exactly
// those the frames carry.
//
// Input: byte 0 chooses (bit 0 Engine.IO v3 (and Socket.IO v4), bit 1 polling, bit 2
// supports_binary off, bit 3 copy_binary); then the packet text (length from the end of the
// input), then one attachment per announced attachment (lengths from the end).
#include "common.hpp"

#include <siocodec/detail/utf8.hpp>
#include <siocodec/engineio/decode.hpp>
#include <siocodec/engineio/payload.hpp>
#include <siocodec/socketio/codec.hpp>
#include <siocodec/socketio/default_parser/decode.hpp>
#include <siocodec/socketio/default_parser/decoder.hpp>
#include <siocodec/socketio/default_parser/frames.hpp>

#include <limits>

namespace sio = siocodec::socketio;
namespace eio = siocodec::engineio;
using siocodec::errc;

namespace {

struct owned_frame {
  eio::frame_kind kind;
  std::string bytes;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t sel = data[0];
  siocodec_fuzz::provider in(data + 1, size - 1);
  eio::transport_options fo;
  fo.version = (sel & 1) != 0 ? eio::protocol_version::v3 : eio::protocol_version::v4;
  fo.transport = (sel & 2) != 0 ? eio::transport_kind::polling : eio::transport_kind::websocket;
  fo.supports_binary = (sel & 4) == 0;
  fo.copy_binary = (sel & 8) != 0;
  sio::decode_options o;
  o.version = fo.version == eio::protocol_version::v3 ? sio::protocol_version::v4
                                                      : sio::protocol_version::v5;

  const std::size_t text_len = in.integral<std::size_t>(0, 512);
  const siocodec_fuzz::exact_bytes text(in.bytes(text_len));
  const auto r = sio::decode_header(text.view(), o);
  if (!r) return 0;
  sio::packet_view p = *r;
  std::vector<siocodec_fuzz::exact_bytes> atts;
  std::vector<siocodec::byte_view> views;
  for (std::size_t i = 0; i < p.attachment_count; ++i) {
    const std::size_t n = in.integral<std::size_t>(0, 64);
    atts.emplace_back(in.bytes(n));
  }
  views.reserve(atts.size());
  for (const auto& a : atts) views.emplace_back(a.data(), a.size());
  p.attachments = views.empty() ? nullptr : views.data();

  // Storage size: the three forms agree, and the frames are the same.
  const auto need = sio::encoded_frames_size(p, fo);
  std::vector<owned_frame> frames;
  const auto collect = [&frames](const eio::frame& f) {
    std::string bytes(f.prefix);
    bytes.append(f.data);
    frames.push_back({f.kind, bytes});
  };
  std::string grown = "abc";
  std::vector<owned_frame> grown_frames;
  const auto g = sio::encode_frames(p, grown, fo, [&](const eio::frame& f) {
    std::string bytes(f.prefix);
    bytes.append(f.data);
    grown_frames.push_back({f.kind, bytes});
  });
  FUZZ_CHECK(g.error() == need.error());
  if (!need) {
    FUZZ_CHECK(grown == "abc" && grown_frames.empty());
    const bool bad_utf8 =
        siocodec::detail::utf8_find_invalid(p.nsp.data(), p.nsp.size()) != p.nsp.size();
    const bool has_rs = p.nsp.find('\x1e') != std::string_view::npos;
    FUZZ_CHECK((need.error() == errc::invalid_utf8 && bad_utf8) ||
               (need.error() == errc::invalid_argument && has_rs &&
                fo.transport == eio::transport_kind::polling &&
                fo.version == eio::protocol_version::v4));
    return 0;
  }
  FUZZ_CHECK(*g == *need && grown.size() == 3 + *need);
  std::unique_ptr<char[]> storage(new char[*need + 1]);
  storage[*need] = 'Z';
  const auto w = sio::encode_frames_to(storage.get(), *need, p, fo, collect);
  FUZZ_CHECK(w.has_value() && *w == *need && storage[*need] == 'Z');
  if (*need != 0) {
    bool sent = false;
    const auto small = sio::encode_frames_to(storage.get(), *need - 1, p, fo,
                                             [&sent](const eio::frame&) { sent = true; });
    FUZZ_CHECK(small.error() == errc::output_too_small && !sent);
  }
  FUZZ_CHECK(frames.size() == grown_frames.size());
  for (std::size_t i = 0; i < frames.size(); ++i) {
    FUZZ_CHECK(frames[i].kind == grown_frames[i].kind && frames[i].bytes == grown_frames[i].bytes);
  }

  // Read the frames back as the peer does.
  eio::decode_options eo;
  eo.version = fo.version;
  eo.max_payload = std::numeric_limits<std::size_t>::max();
  eo.max_packets = std::numeric_limits<std::size_t>::max();
  sio::decoder dec(o, sio::attachment_mode::copy);
  std::vector<eio::packet_view> messages;
  std::vector<siocodec_fuzz::exact_bytes> keep;
  for (const owned_frame& f : frames) {
    keep.emplace_back(f.bytes);
    const std::string_view bytes = keep.back().view();
    if (fo.transport == eio::transport_kind::websocket) {
      const auto m = eio::decode(bytes, f.kind, eo);
      FUZZ_CHECK(m.has_value());
      messages.push_back(*m);
    } else {
      FUZZ_CHECK(frames.size() == 1);
      auto reader = eio::decode_payload(bytes, f.kind, eo);
      for (const eio::packet_view& m : reader) messages.push_back(m);
      FUZZ_CHECK(reader.error() == errc::none);
    }
  }
  FUZZ_CHECK(messages.size() == 1 + p.attachment_count);
  if (fo.transport == eio::transport_kind::websocket) {
    sio::codec_options co;
    co.version = o.version;
    const sio::codec c(sio::parser_kind::json, co);
    std::string c_storage;
    std::size_t n = 0;
    const auto e = c.encode(sio::any_packet(p), c_storage, [&](const eio::packet_view& m) {
      FUZZ_CHECK(n < messages.size() && m.kind == messages[n].kind && m.data == messages[n].data);
      ++n;
    });
    FUZZ_CHECK(e.has_value() && n == messages.size());
  }
  for (std::size_t i = 0; i < messages.size(); ++i) {
    FUZZ_CHECK(messages[i].type == eio::packet_type::message);
    const auto res = dec.feed(messages[i]);
    if (i + 1 < messages.size()) {
      FUZZ_CHECK(res.error() == errc::incomplete);
      continue;
    }
    FUZZ_CHECK(res.has_value());
    const sio::packet_view& q = *res;
    FUZZ_CHECK(q.type == p.type && q.nsp == p.nsp && q.id == p.id && q.data == p.data);
    FUZZ_CHECK(q.attachment_count == p.attachment_count);
    for (std::size_t k = 0; k < p.attachment_count; ++k) {
      FUZZ_CHECK(q.attachments[k] == p.attachments[k]);
    }
  }
  return 0;
}
