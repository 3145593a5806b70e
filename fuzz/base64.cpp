// SPDX-License-Identifier: BSL-1.0
// base64 strict and lax: decoded_size, decode_to (one-pass and two-pass paths) and decode agree;
// output_too_small writes nothing; strict text re-encodes to itself (one spelling per byte
// string); lax accepts every strict text with the same result; encode -> strict decode is the
// identity; the encoders' forms agree.
//
// Input: byte 0 bit 0 chooses lax mode; the rest is the text (and, for encoding, the bytes).
#include "common.hpp"

#include <siocodec/base64.hpp>

namespace b64 = siocodec::base64;
using siocodec::errc;

namespace {

constexpr unsigned char canary = 0xA5;

// decode_to into exactly `room` bytes (plus a canary byte past them).
siocodec::result<std::size_t> decode_into(std::string_view text, std::size_t room, b64::mode m,
                                          std::string& out) {
  std::unique_ptr<unsigned char[]> buf(new unsigned char[room + 1]);
  std::memset(buf.get(), canary, room + 1);
  const auto r = b64::decode_to(text, siocodec::byte_span(buf.get(), room), m);
  FUZZ_CHECK(buf[room] == canary);
  if (r.error() == errc::output_too_small) {
    for (std::size_t i = 0; i < room; ++i) FUZZ_CHECK(buf[i] == canary);  // nothing written
    FUZZ_CHECK(r.offset() == room);
  }
  if (r) out.assign(reinterpret_cast<const char*>(buf.get()), *r);
  return r;
}

void check_decode(std::string_view text, b64::mode m) {
  const auto n = b64::decoded_size(text, m);
  std::string appended = "xy";
  const auto d = b64::decode(text, appended, m);
  if (!n) {
    FUZZ_CHECK(m == b64::mode::strict && n.error() == errc::invalid_base64);
    FUZZ_CHECK(n.offset() <= text.size());
    // decode_to reports the same error at the same place, whatever the room.
    std::string ignored;
    for (const std::size_t room :
         {std::size_t{0}, text.size(), b64::max_decoded_size(text.size())}) {
      const auto r = decode_into(text, room, m, ignored);
      FUZZ_CHECK(r.error() == errc::invalid_base64 && r.offset() == n.offset());
    }
    FUZZ_CHECK(d.error() == errc::invalid_base64 && d.offset() == n.offset());
    FUZZ_CHECK(appended == "xy");  // unchanged on failure
    return;
  }
  FUZZ_CHECK(n.offset() == text.size());
  FUZZ_CHECK(*n <= b64::max_decoded_size(text.size()));
  FUZZ_CHECK(d.has_value() && *d == *n && d.offset() == text.size());
  FUZZ_CHECK(appended.size() == 2 + *n && appended.compare(0, 2, "xy") == 0);
  const std::string bytes = appended.substr(2);

  // Exactly enough room, the bound for one pass, and one byte too few.
  std::string out;
  auto r = decode_into(text, *n, m, out);
  FUZZ_CHECK(r.has_value() && *r == *n && r.offset() == text.size() && out == bytes);
  r = decode_into(text, b64::max_decoded_size(text.size()), m, out);
  FUZZ_CHECK(r.has_value() && *r == *n && out == bytes);
  if (*n != 0) {
    r = decode_into(text, *n - 1, m, out);
    FUZZ_CHECK(r.error() == errc::output_too_small);
  }

  if (m == b64::mode::strict) {
    // One spelling per byte string: the text is exactly the encoding of its bytes.
    std::string again;
    const auto e = b64::encode(siocodec::byte_view(bytes.data(), bytes.size()), again);
    FUZZ_CHECK(e.has_value() && again == text);
    // Lax mode reads every strict text the same way.
    std::string lax;
    FUZZ_CHECK(b64::decode(text, lax, b64::mode::lax).has_value() && lax == bytes);
  }
}

void check_encode(std::string_view raw) {
  const siocodec::byte_view in(raw.data(), raw.size());
  const std::size_t size = b64::encoded_size(raw.size());
  std::unique_ptr<char[]> buf(new char[size + 1]);
  std::memset(buf.get(), 0x5A, size + 1);
  const auto w = b64::encode_to(buf.get(), size, in);
  FUZZ_CHECK(w.has_value() && *w == size && buf[size] == 0x5A);
  const std::string text(buf.get(), size);
  if (size != 0) {
    std::memset(buf.get(), 0x5A, size + 1);
    FUZZ_CHECK(b64::encode_to(buf.get(), size - 1, in).error() == errc::output_too_small);
    for (std::size_t i = 0; i <= size; ++i) FUZZ_CHECK(buf[i] == 0x5A);
  }
  std::string appended = "ab";
  const auto a = b64::encode(in, appended);
  FUZZ_CHECK(a.has_value() && *a == size && appended.substr(2) == text);
  std::string back;
  const auto d = b64::decode(text, back, b64::mode::strict);
  FUZZ_CHECK(d.has_value() && back == raw);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const b64::mode m = (data[0] & 1) != 0 ? b64::mode::lax : b64::mode::strict;
  const siocodec_fuzz::exact_bytes text(data + 1, size - 1);
  check_decode(text.view(), m);
  check_encode(text.view());
  return 0;
}
