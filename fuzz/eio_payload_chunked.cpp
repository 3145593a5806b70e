// SPDX-License-Identifier: BSL-1.0
// engineio::payload_decoder fed a body in chunks that the input chooses, compared with
// payload_reader on the whole body: the same packets and the same error at the same body offset
// (payload.hpp promises this "for any way of cutting a body into chunks"), except for a body
// longer than max_payload, where the decoder delivers the packets that end below the limit and
// then fails at it, the same whatever the chunking.
//
// Input: byte 0 chooses the options (bit 0 binary body, bit 1 v3, bit 2 lax base64, bit 3 a
// max_payload of 256, bit 4 max_packets 3, bit 5 end with finish(last_chunk) instead of feed()
// then finish(), bit 6 std::vector storage instead of std::string); the rest is cut into chunks
// (lengths taken from the end of the input, bytes from the front).
#include "common.hpp"

#include <siocodec/engineio/payload.hpp>

#include <limits>

namespace eio = siocodec::engineio;
namespace b64 = siocodec::base64;
using siocodec::errc;

namespace {

struct owned_packet {
  eio::packet_type type;
  eio::data_kind kind;
  std::string data;
  bool operator==(const owned_packet& o) const {
    return type == o.type && kind == o.kind && data == o.data;
  }
};

owned_packet own(const eio::packet_view& p) { return {p.type, p.kind, std::string(p.data)}; }

template <class Storage>
void run(const eio::decode_options& opts, eio::frame_kind kind, bool finish_with_chunk,
         const std::vector<siocodec_fuzz::exact_bytes>& parts) {
  const std::string whole = siocodec_fuzz::join(parts);
  const siocodec_fuzz::exact_bytes body(whole);

  std::vector<owned_packet> expected;
  auto reader = eio::decode_payload(body.view(), kind, opts);
  for (const eio::packet_view& p : reader) expected.push_back(own(p));

  std::vector<owned_packet> got;
  eio::payload_decoder<Storage> dec(kind, opts);
  const auto on_packet = [&](const eio::packet_view& p) {
    FUZZ_CHECK(eio::is_valid(p.type));
    FUZZ_CHECK(dec.count() == got.size() + 1);  // counted before the callback
    got.push_back(own(p));
  };
  errc failure = errc::none;
  std::size_t fed = 0;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string_view chunk = parts[i].view();
    const bool last = finish_with_chunk && i + 1 == parts.size();
    const std::size_t base = dec.body_offset();
    const siocodec::decode_status st =
        last ? dec.finish(chunk, on_packet) : dec.feed(chunk, on_packet);
    if (!st) {
      failure = st.ec;
      FUZZ_CHECK(st.consumed <= chunk.size());
      FUZZ_CHECK(dec.failed() && dec.error() == st.ec);
      // decode_status: on failure, consumed is the offset of the offending byte in this call's
      // input (0 when it lies in an earlier chunk); body_offset() is its offset in the body.
      FUZZ_CHECK(st.consumed == (dec.body_offset() >= base ? dec.body_offset() - base : 0));
      break;
    }
    FUZZ_CHECK(st.consumed == chunk.size());
    fed += chunk.size();
    FUZZ_CHECK(dec.body_offset() == fed);
  }
  if (failure == errc::none && !(finish_with_chunk && !parts.empty())) {
    const siocodec::decode_status st = dec.finish(on_packet);
    if (!st) failure = st.ec;
    if (!st) FUZZ_CHECK(st.consumed == 0);
  }
  if (failure != errc::none) {
    // Every error is final.
    const siocodec::decode_status again = dec.feed("4x", on_packet);
    FUZZ_CHECK(again.ec == failure && again.consumed == 0);
  }
  FUZZ_CHECK(dec.count() == got.size());
  const std::size_t chunked_offset = dec.body_offset();

  // After reset(), the whole body in one finish() call.
  const std::vector<owned_packet> chunked = got;
  dec.reset();
  got.clear();
  const siocodec::decode_status st = dec.finish(body.view(), on_packet);
  FUZZ_CHECK(st.ec == failure && got == chunked);
  if (!st) FUZZ_CHECK(dec.body_offset() == chunked_offset);

  if (whole.size() > opts.max_payload && reader.error() == errc::payload_too_large) {
    // payload_reader refuses an oversized body before reading it. payload_decoder delivers the
    // packets that end within the first max_payload bytes, then fails at max_payload (or at an
    // earlier bad item), whatever the chunking: the packets are the first ones of the body.
    eio::decode_options unlimited = opts;
    unlimited.max_payload = std::numeric_limits<std::size_t>::max();
    auto all = eio::decode_payload(body.view(), kind, unlimited);
    std::size_t i = 0;
    for (const eio::packet_view& p : all) {
      if (i == chunked.size()) break;
      FUZZ_CHECK(own(p) == chunked[i++]);
    }
    FUZZ_CHECK(i == chunked.size());
    if (failure == errc::payload_too_large && chunked_offset < opts.max_payload) {
      // Below the limit, only a v3 length above max_payload is payload_too_large (offset of
      // the digit that takes it over).
      const auto c = static_cast<unsigned char>(whole[chunked_offset]);
      FUZZ_CHECK(opts.version == eio::protocol_version::v3);
      FUZZ_CHECK(kind == eio::frame_kind::text ? (c >= '0' && c <= '9') : c <= 9);
    } else if (failure == errc::payload_too_large) {
      FUZZ_CHECK(chunked_offset == opts.max_payload);
    } else {
      FUZZ_CHECK(failure == all.error() && chunked_offset == all.offset());
    }
    return;
  }
  FUZZ_CHECK(failure == reader.error());
  FUZZ_CHECK(chunked == expected);
  if (failure != errc::none) FUZZ_CHECK(chunked_offset == reader.offset());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t sel = data[0];
  siocodec_fuzz::provider in(data + 1, size - 1);
  const auto kind = (sel & 1) != 0 ? eio::frame_kind::binary : eio::frame_kind::text;
  eio::decode_options opts;
  opts.version = (sel & 2) != 0 ? eio::protocol_version::v3 : eio::protocol_version::v4;
  opts.base64 = (sel & 4) != 0 ? b64::mode::lax : b64::mode::strict;
  if ((sel & 8) != 0) opts.max_payload = 256;
  if ((sel & 16) != 0) opts.max_packets = 3;
  const bool finish_with_chunk = (sel & 32) != 0;
  const auto parts = siocodec_fuzz::chunks(in, 64);
  if ((sel & 64) != 0) {
    run<std::vector<unsigned char>>(opts, kind, finish_with_chunk, parts);
  } else {
    run<std::string>(opts, kind, finish_with_chunk, parts);
  }
  return 0;
}
