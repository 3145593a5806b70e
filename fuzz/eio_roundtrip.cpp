// SPDX-License-Identifier: BSL-1.0
// Engine.IO decode -> encode -> decode, for one frame and for a polling body.
//
// Frames: whatever decodes re-encodes to the very same bytes (the frame grammar has one spelling
// per packet), except a `b` packet whose base64 only lax mode accepts, which the encoder refuses;
// encoded with supports_binary off, a binary packet becomes `b<base64>` and decodes back to the
// same bytes. Bodies: the packets decoded (also those before an error) re-encode, in the format
// payload_frame_kind() names, to a body that decodes to the same packets. Every encoder's three
// forms agree: encoded_size == bytes written by encode_to == bytes appended by encode.
//
// Input: byte 0 chooses (bit 0 body instead of frame, bit 1 binary, bit 2 v3, bit 3 lax base64,
// bit 4 supports_binary off); the rest is the frame or body.
#include "common.hpp"

#include <siocodec/base64.hpp>
#include <siocodec/engineio/decode.hpp>
#include <siocodec/engineio/encode.hpp>
#include <siocodec/engineio/payload.hpp>

#include <limits>

namespace eio = siocodec::engineio;
namespace b64 = siocodec::base64;
using siocodec::errc;
using siocodec_fuzz::exact_bytes;

namespace {

std::string bytes_of_base64(std::string_view text, b64::mode m) {
  std::string out;
  const auto r = b64::decode(text, out, m);
  FUZZ_CHECK(r.has_value());
  return out;
}

// A packet's content: binary and base64 packets compare by their bytes.
struct content {
  eio::packet_type type;
  bool text;
  std::string data;
  bool operator==(const content& o) const {
    return type == o.type && text == o.text && data == o.data;
  }
};

content content_of(const eio::packet_view& p, b64::mode m) {
  if (p.kind == eio::data_kind::text) return {p.type, true, std::string(p.data)};
  if (p.kind == eio::data_kind::binary) return {p.type, false, std::string(p.data)};
  return {p.type, false, bytes_of_base64(p.data, m)};
}

void frame_roundtrip(std::string_view frame, eio::frame_kind kind, const eio::decode_options& dopts,
                     bool supports_binary) {
  const auto r = eio::decode(frame, kind, dopts);
  if (!r) return;
  const eio::packet_view p = *r;
  eio::encode_options eopts;
  eopts.version = dopts.version;
  eopts.supports_binary = supports_binary;
  std::string out;
  const bool ok = siocodec_fuzz::three_forms(
      [&] { return eio::encoded_size(p, eopts); },
      [&](char* o, std::size_t cap) { return eio::encode_to(o, cap, p, eopts); },
      [&](std::string& s) { return eio::encode(p, s, eopts); }, out);
  if (!ok) {
    // Only base64 that strict mode rejects cannot be written back.
    FUZZ_CHECK(p.kind == eio::data_kind::base64 && dopts.base64 == b64::mode::lax &&
               !b64::decoded_size(p.data, b64::mode::strict));
    return;
  }
  const eio::frame_kind out_kind = eio::encoded_frame_kind(p, eopts);
  eio::decode_options again_opts = dopts;
  again_opts.max_payload = std::numeric_limits<std::size_t>::max();
  again_opts.base64 = b64::mode::strict;
  const exact_bytes encoded(out);
  const auto again = eio::decode(encoded.view(), out_kind, again_opts);
  FUZZ_CHECK(again.has_value());
  if (supports_binary || p.kind != eio::data_kind::binary) {
    FUZZ_CHECK(out_kind == kind);
    FUZZ_CHECK(out == frame);
    FUZZ_CHECK(again->type == p.type && again->kind == p.kind && again->data == p.data);
  } else {
    FUZZ_CHECK(out_kind == eio::frame_kind::text);
    FUZZ_CHECK(again->kind == eio::data_kind::base64 && again->type == p.type);
    FUZZ_CHECK(bytes_of_base64(again->data, b64::mode::strict) == p.data);
  }
}

void body_roundtrip(std::string_view body, eio::frame_kind kind, const eio::decode_options& dopts,
                    bool supports_binary) {
  std::vector<eio::packet_view> packets;
  auto reader = eio::decode_payload(body, kind, dopts);
  for (const eio::packet_view& p : reader) packets.push_back(p);

  eio::encode_options eopts;
  eopts.version = dopts.version;
  eopts.supports_binary = supports_binary;
  std::string out;
  const bool ok = siocodec_fuzz::three_forms(
      [&] { return eio::encoded_payload_size(packets.data(), packets.size(), eopts); },
      [&](char* o, std::size_t cap) {
        return eio::encode_payload_to(o, cap, packets.data(), packets.size(), eopts);
      },
      [&](std::string& s) { return eio::encode_payload(packets.data(), packets.size(), s, eopts); },
      out);
  if (!ok) {
    bool lax_only_base64 = false;
    for (const auto& p : packets) {
      lax_only_base64 |=
          p.kind == eio::data_kind::base64 && !b64::decoded_size(p.data, b64::mode::strict);
    }
    FUZZ_CHECK(lax_only_base64);
    return;
  }
  const eio::frame_kind out_kind = eio::payload_frame_kind(packets.data(), packets.size(), eopts);
  if (dopts.version == eio::protocol_version::v4 && reader.error() == errc::none) {
    // v4 has one spelling per body: the same bytes come back.
    FUZZ_CHECK(out == body && out_kind == eio::frame_kind::text);
  }
  if (dopts.version == eio::protocol_version::v4 && packets.empty()) {
    FUZZ_CHECK(out.empty());  // nothing to send; an empty v4 body does not decode
    return;
  }
  eio::decode_options again_opts = dopts;
  again_opts.max_payload = std::numeric_limits<std::size_t>::max();
  again_opts.max_packets = std::numeric_limits<std::size_t>::max();
  again_opts.base64 = b64::mode::strict;
  const exact_bytes encoded(out);
  auto again = eio::decode_payload(encoded.view(), out_kind, again_opts);
  std::size_t i = 0;
  for (const eio::packet_view& q : again) {
    FUZZ_CHECK(i < packets.size());
    FUZZ_CHECK(content_of(q, b64::mode::strict) == content_of(packets[i], dopts.base64));
    ++i;
  }
  FUZZ_CHECK(again.error() == errc::none);
  FUZZ_CHECK(i == packets.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t sel = data[0];
  const exact_bytes input(data + 1, size - 1);
  const auto kind = (sel & 2) != 0 ? eio::frame_kind::binary : eio::frame_kind::text;
  eio::decode_options opts;
  opts.version = (sel & 4) != 0 ? eio::protocol_version::v3 : eio::protocol_version::v4;
  opts.base64 = (sel & 8) != 0 ? b64::mode::lax : b64::mode::strict;
  const bool supports_binary = (sel & 16) == 0;
  if ((sel & 1) != 0) {
    body_roundtrip(input.view(), kind, opts, supports_binary);
  } else {
    frame_roundtrip(input.view(), kind, opts, supports_binary);
  }
  return 0;
}
