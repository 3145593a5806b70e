// SPDX-License-Identifier: BSL-1.0
// engineio::webtransport::stream_decoder: a stream fed in chunks the input chooses must give what
// the whole stream in one feed() gives (the same packets, the same error at the same stream
// offset); the storage never holds more than max_payload bytes (checked through a counting
// std::pmr resource); every delivered packet re-encodes (encoded_size == encode_to == encode)
// to a record that decodes back to the same packet.
//
// Input: byte 0 chooses (bits 0-1 max_payload: default, 64, 126, 65536; bit 2 lax base64;
// bit 3 std::vector storage instead of std::pmr::string; bit 4 an Engine.IO v3 decoder, which
// must refuse to start); the rest is cut into chunks.
#include "common.hpp"

#include <siocodec/base64.hpp>
#include <siocodec/engineio/webtransport.hpp>

#include <limits>
#include <memory_resource>

namespace eio = siocodec::engineio;
namespace wt = siocodec::engineio::webtransport;
namespace b64 = siocodec::base64;
using siocodec::errc;

namespace {

// Counts the bytes a container holds from it at any moment, and the peak.
class counting_resource final : public std::pmr::memory_resource {
 public:
  std::size_t live = 0;
  std::size_t peak = 0;

 private:
  void* do_allocate(std::size_t n, std::size_t align) override {
    live += n;
    if (live > peak) peak = live;
    return std::pmr::new_delete_resource()->allocate(n, align);
  }
  void do_deallocate(void* p, std::size_t n, std::size_t align) override {
    live -= n;
    std::pmr::new_delete_resource()->deallocate(p, n, align);
  }
  bool do_is_equal(const std::pmr::memory_resource& o) const noexcept override {
    return this == &o;
  }
};

struct owned_packet {
  eio::packet_type type;
  eio::data_kind kind;
  std::string data;
  bool operator==(const owned_packet& o) const {
    return type == o.type && kind == o.kind && data == o.data;
  }
};

struct outcome {
  std::vector<owned_packet> packets;
  errc ec = errc::none;
  std::uint64_t offset = 0;
  bool boundary = true;
};

template <class Decoder>
outcome feed_all(Decoder& dec, const std::vector<std::string_view>& parts) {
  outcome out;
  for (const std::string_view chunk : parts) {
    const std::uint64_t base = dec.stream_offset();
    const siocodec::decode_status st = dec.feed(chunk, [&](const eio::packet_view& p) {
      FUZZ_CHECK(eio::is_valid(p.type));
      FUZZ_CHECK(p.kind != eio::data_kind::binary || !p.data.empty());
      out.packets.push_back({p.type, p.kind, std::string(p.data)});
    });
    if (!st) {
      out.ec = st.ec;
      FUZZ_CHECK(dec.failed() && dec.error() == st.ec && !dec.at_record_boundary());
      FUZZ_CHECK(st.consumed <= chunk.size());
      FUZZ_CHECK(st.consumed == (dec.stream_offset() >= base ? dec.stream_offset() - base : 0));
      const siocodec::decode_status again =
          dec.feed(chunk, [](const eio::packet_view&) { FUZZ_CHECK(false); });
      FUZZ_CHECK(again.ec == st.ec && again.consumed == 0);
      break;
    }
    FUZZ_CHECK(st.consumed == chunk.size());
    FUZZ_CHECK(dec.stream_offset() == base + chunk.size());
  }
  out.offset = dec.stream_offset();
  out.boundary = dec.at_record_boundary();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t sel = data[0];
  siocodec_fuzz::provider in(data + 1, size - 1);
  eio::decode_options opts;
  static constexpr std::size_t limits[4] = {SIOCODEC_DEFAULT_MAX_PAYLOAD, 64, 126, 65536};
  opts.max_payload = limits[sel & 3];
  opts.base64 = (sel & 4) != 0 ? b64::mode::lax : b64::mode::strict;
  if ((sel & 16) != 0) opts.version = eio::protocol_version::v3;
  const auto parts = siocodec_fuzz::chunks(in, 300);
  std::vector<std::string_view> views;
  views.reserve(parts.size());
  for (const auto& p : parts) views.push_back(p.view());
  const std::string joined = siocodec_fuzz::join(parts);
  const siocodec_fuzz::exact_bytes whole(joined);

  wt::stream_decoder<> one(opts);
  const outcome expected = feed_all(one, {whole.view()});
  if (opts.version != eio::protocol_version::v4) {
    FUZZ_CHECK(expected.ec == errc::invalid_argument && expected.offset == 0);
    return 0;
  }
  if (expected.ec == errc::none) FUZZ_CHECK(expected.offset == whole.size());

  outcome chunked;
  if ((sel & 8) != 0) {
    wt::stream_decoder<std::vector<unsigned char>> dec(opts);
    chunked = feed_all(dec, views);
  } else {
    counting_resource mem;
    {
      wt::stream_decoder<std::pmr::string> dec(opts, std::pmr::string(&mem));
      chunked = feed_all(dec, views);
      // Storage grows with the bytes that arrive, capped by a length that passed the max_payload
      // check; while it grows the old and the new block are both alive, so the peak is under
      // twice the cap (each pmr::string block adds its terminating NUL).
      FUZZ_CHECK(mem.peak <= 2 * (opts.max_payload + 1) || mem.peak <= 32);
      if (dec.failed()) FUZZ_CHECK(mem.live == 0);  // a failure releases the storage
      dec.reset();
      FUZZ_CHECK(mem.live == 0);
    }
  }
  FUZZ_CHECK(chunked.ec == expected.ec);
  FUZZ_CHECK(chunked.packets == expected.packets);
  FUZZ_CHECK(chunked.offset == expected.offset);
  FUZZ_CHECK(chunked.boundary == expected.boundary);

  // Re-encode what was delivered; the records decode back to the same packets.
  std::string stream;
  for (const owned_packet& p : expected.packets) {
    const eio::packet_view v{p.type, p.kind, p.data};
    const auto n = wt::encoded_size(v);
    if (!n) {
      // Only base64 that strict mode rejects cannot be written back.
      FUZZ_CHECK(p.kind == eio::data_kind::base64 && opts.base64 == b64::mode::lax);
      FUZZ_CHECK(!b64::decoded_size(p.data, b64::mode::strict));
      return 0;
    }
    std::unique_ptr<char[]> buf(new char[*n]);
    const auto w = wt::encode_to(buf.get(), *n, v);
    FUZZ_CHECK(w.has_value() && *w == *n);
    if (*n != 0) FUZZ_CHECK(wt::encode_to(buf.get(), *n - 1, v).error() == errc::output_too_small);
    const std::size_t before = stream.size();
    const auto a = wt::encode(v, stream);
    FUZZ_CHECK(a.has_value() && *a == *n && stream.size() == before + *n);
    FUZZ_CHECK(std::memcmp(stream.data() + before, buf.get(), *n) == 0);
  }
  eio::decode_options big = opts;
  big.max_payload = std::numeric_limits<std::size_t>::max();
  big.base64 = b64::mode::strict;
  wt::stream_decoder<> again(big);
  const siocodec_fuzz::exact_bytes encoded(stream);
  const outcome back = feed_all(again, {encoded.view()});
  FUZZ_CHECK(back.ec == errc::none && back.boundary);
  FUZZ_CHECK(back.packets == expected.packets);
  return 0;
}
