// SPDX-License-Identifier: BSL-1.0
// engineio::decode on one frame: text and binary, v3 and v4, strict and lax base64.
//
// Input: byte 0 chooses the options (bit 0 binary frame, bit 1 v3, bit 2 lax base64, bit 3 a
// max_payload of 64 instead of the default), the rest is the frame.
#include "common.hpp"

#include <siocodec/base64.hpp>
#include <siocodec/engineio/decode.hpp>

namespace eio = siocodec::engineio;
namespace b64 = siocodec::base64;
using siocodec::errc;
using siocodec_fuzz::exact_bytes;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t sel = data[0];
  const exact_bytes frame(data + 1, size - 1);
  const auto kind = (sel & 1) != 0 ? eio::frame_kind::binary : eio::frame_kind::text;
  eio::decode_options opts;
  opts.version = (sel & 2) != 0 ? eio::protocol_version::v3 : eio::protocol_version::v4;
  opts.base64 = (sel & 4) != 0 ? b64::mode::lax : b64::mode::strict;
  if ((sel & 8) != 0) opts.max_payload = 64;

  const auto r = eio::decode(frame.view(), kind, opts);
  // The byte_view overload is the same function.
  const auto rb = eio::decode(siocodec::byte_view(frame.data(), frame.size()), kind, opts);
  FUZZ_CHECK(r.error() == rb.error() && r.offset() == rb.offset());

  if (!r) {
    FUZZ_CHECK(r.error() != errc::none);
    FUZZ_CHECK(r.offset() <= frame.size() || r.error() == errc::payload_too_large);
    if (frame.size() > opts.max_payload) FUZZ_CHECK(r.error() == errc::payload_too_large);
    return 0;
  }
  FUZZ_CHECK(*r == *rb);
  FUZZ_CHECK(frame.size() <= opts.max_payload);
  FUZZ_CHECK(r.offset() == frame.size());
  const eio::packet_view& p = *r;
  FUZZ_CHECK(eio::is_valid(p.type));
  FUZZ_CHECK(siocodec_fuzz::within(p.data, frame.view()));

  if (kind == eio::frame_kind::binary) {
    FUZZ_CHECK(p.kind == eio::data_kind::binary);
    if (opts.version == eio::protocol_version::v4) {
      FUZZ_CHECK(p.type == eio::packet_type::message && p.data.size() == frame.size());
    } else {
      FUZZ_CHECK(p.data.size() + 1 == frame.size());
      FUZZ_CHECK(static_cast<std::uint8_t>(frame.data()[0]) == static_cast<std::uint8_t>(p.type));
    }
    return 0;
  }
  FUZZ_CHECK(p.kind != eio::data_kind::binary);
  if (p.kind == eio::data_kind::text) {
    FUZZ_CHECK(frame.data()[0] == static_cast<char>('0' + static_cast<int>(p.type)));
    FUZZ_CHECK(p.data.size() + 1 == frame.size());
    return 0;
  }
  // A `b` packet: its base64 was validated in opts.base64 mode, so it decodes, to exactly the
  // announced size, and a strict-mode packet re-encodes to the same text.
  FUZZ_CHECK(frame.data()[0] == 'b');
  const auto n = b64::decoded_size(p.data, opts.base64);
  FUZZ_CHECK(n.has_value());
  std::unique_ptr<unsigned char[]> buf(new unsigned char[*n + 1]);
  const auto d = b64::decode_to(p.data, siocodec::byte_span(buf.get(), *n), opts.base64);
  FUZZ_CHECK(d.has_value() && *d == *n);
  if (opts.base64 == b64::mode::strict) {
    std::string again;
    const auto e = b64::encode(siocodec::byte_view(buf.get(), *n), again);
    FUZZ_CHECK(e.has_value() && again == p.data);
  }
  return 0;
}
