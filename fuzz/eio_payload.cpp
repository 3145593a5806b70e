// SPDX-License-Identifier: BSL-1.0
// engineio::payload_reader over one whole polling body, in every format (v4 text, v3 text, v3
// binary, and the invalid v4 binary), without and with scratch storage for base64 packets.
//
// With no limit on the payload size (max_payload = SIZE_MAX), a body gives the same packets as
// with the limit at its own size: no item can be longer than the body that holds it.
//
// Input: byte 0 chooses the options (bit 0 binary body, bit 1 v3, bit 2 lax base64, bit 3 a
// max_payload of 256, bit 4 max_packets 3, bit 5 no max_payload), the rest is the body.
#include "common.hpp"

#include <siocodec/base64.hpp>
#include <siocodec/engineio/payload.hpp>

#include <limits>

namespace eio = siocodec::engineio;
namespace b64 = siocodec::base64;
using siocodec::errc;
using siocodec_fuzz::exact_bytes;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t sel = data[0];
  const exact_bytes body(data + 1, size - 1);
  const auto kind = (sel & 1) != 0 ? eio::frame_kind::binary : eio::frame_kind::text;
  eio::decode_options opts;
  opts.version = (sel & 2) != 0 ? eio::protocol_version::v3 : eio::protocol_version::v4;
  opts.base64 = (sel & 4) != 0 ? b64::mode::lax : b64::mode::strict;
  if ((sel & 8) != 0) opts.max_payload = 256;
  if ((sel & 16) != 0) opts.max_packets = 3;
  if ((sel & 32) != 0) opts.max_payload = std::numeric_limits<std::size_t>::max();

  // body.size() bytes of scratch always suffice (documented); one more detects a write past it.
  std::unique_ptr<unsigned char[]> scratch(new unsigned char[body.size() + 1]);
  scratch[body.size()] = 0xA5;

  auto plain = eio::decode_payload(body.view(), kind, opts);
  auto decoded =
      eio::decode_payload(body.view(), kind, opts, siocodec::byte_span(scratch.get(), body.size()));
  std::vector<eio::packet_view> packets;
  for (const eio::packet_view& p : plain) {
    packets.push_back(p);
    FUZZ_CHECK(eio::is_valid(p.type));
    FUZZ_CHECK(siocodec_fuzz::within(p.data, body.view()));
    if (opts.version == eio::protocol_version::v4) {
      FUZZ_CHECK(p.kind != eio::data_kind::binary);
      FUZZ_CHECK(p.data.find('\x1e') == std::string_view::npos);
    }
    FUZZ_CHECK(plain.count() == packets.size());
  }
  FUZZ_CHECK(plain.done());
  FUZZ_CHECK(plain.count() == packets.size());
  FUZZ_CHECK(packets.size() <= opts.max_packets);
  if (plain.error() == errc::none) {
    FUZZ_CHECK(plain.offset() == body.size());
    // Only v3 has an empty list (`0:`, or an empty binary body).
    FUZZ_CHECK(opts.version == eio::protocol_version::v3 || !packets.empty());
  } else {
    FUZZ_CHECK(plain.offset() <= body.size() || plain.error() == errc::payload_too_large);
    FUZZ_CHECK(plain.error() != errc::output_too_small);  // no scratch, no such error
  }
  if (kind == eio::frame_kind::binary && opts.version == eio::protocol_version::v4) {
    FUZZ_CHECK(plain.error() == errc::unexpected_binary_frame && packets.empty());
  } else if (body.size() > opts.max_payload) {
    FUZZ_CHECK(plain.error() == errc::payload_too_large && packets.empty());
  }

  // With scratch: the same packets, base64 ones decoded into the scratch; the same end.
  std::size_t i = 0;
  eio::packet_view q;
  while (decoded.next(q)) {
    FUZZ_CHECK(i < packets.size());
    const eio::packet_view& p = packets[i++];
    FUZZ_CHECK(q.type == p.type);
    if (p.kind != eio::data_kind::base64) {
      FUZZ_CHECK(q == p);
      continue;
    }
    FUZZ_CHECK(q.kind == eio::data_kind::binary);
    FUZZ_CHECK(siocodec_fuzz::within(q.data.data(), q.data.size(),
                                     reinterpret_cast<const char*>(scratch.get()), body.size()));
    std::string bytes;
    const auto d = b64::decode(p.data, bytes, opts.base64);
    FUZZ_CHECK(d.has_value() && bytes == q.data);
  }
  FUZZ_CHECK(i == packets.size());
  FUZZ_CHECK(decoded.error() == plain.error() && decoded.offset() == plain.offset());
  FUZZ_CHECK(scratch[body.size()] == 0xA5);

  // A reader runs once: after the end it stays at the end.
  FUZZ_CHECK(!plain.next(q) && !decoded.next(q));

  if (opts.max_payload == std::numeric_limits<std::size_t>::max() && !body.view().empty()) {
    eio::decode_options tight = opts;
    tight.max_payload = body.size();
    auto limited = eio::decode_payload(body.view(), kind, tight);
    std::size_t k = 0;
    bool same = true;
    for (const eio::packet_view& p : limited)
      same = same && k < packets.size() && p == packets[k++];
    same = same && k == packets.size();
    FUZZ_CHECK(same);
    if (limited.error() == errc::none) FUZZ_CHECK(plain.error() == errc::none);
  }
  return 0;
}
