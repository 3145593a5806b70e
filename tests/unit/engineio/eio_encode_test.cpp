// SPDX-License-Identifier: BSL-1.0
#include <siocodec/engineio/decode.hpp>
#include <siocodec/engineio/encode.hpp>

#include "support/catch.hpp"

#include <memory_resource>
#include <string>
#include <string_view>
#include <vector>

using namespace std::string_view_literals;
using siocodec::byte_view;
using siocodec::errc;
namespace eio = siocodec::engineio;
using eio::data_kind;
using eio::frame_kind;
using eio::packet_type;
using eio::packet_view;

namespace {
eio::encode_options opts(eio::protocol_version v, bool binary) {
  eio::encode_options o;
  o.version = v;
  o.supports_binary = binary;
  return o;
}
std::string enc(const packet_view& p, const eio::encode_options& o = {}) {
  std::string s;
  auto r = eio::encode(p, s, o);
  REQUIRE(r);
  CHECK(*r == s.size());
  return s;
}
const byte_view bytes4(reinterpret_cast<const unsigned char*>("\x01\x02\x03\x04"), 4);
}  // namespace

TEST_CASE("text packets are the digit then the data") {
  CHECK(enc(packet_view::text(packet_type::message, "hello")) == "4hello");
  CHECK(enc(packet_view::text(packet_type::ping, "probe")) == "2probe");
  CHECK(enc(packet_view::text(packet_type::pong)) == "3");
  CHECK(enc(packet_view::text(packet_type::noop)) == "6");
  CHECK(enc(packet_view::text(packet_type::message, "\xe2\x82\xac")) == "4\xe2\x82\xac");
  CHECK(enc(packet_view::text(packet_type::close), opts(eio::protocol_version::v3, true)) == "1");
}

TEST_CASE("binary packets per version and transport") {
  const auto bin = packet_view::binary(bytes4);
  CHECK(enc(bin) == "\x01\x02\x03\x04");
  CHECK(eio::encoded_frame_kind(bin) == frame_kind::binary);
  CHECK(enc(bin, opts(eio::protocol_version::v4, false)) == "bAQIDBA==");
  CHECK(eio::encoded_frame_kind(bin, opts(eio::protocol_version::v4, false)) == frame_kind::text);
  CHECK(enc(bin, opts(eio::protocol_version::v3, true)) == "\x04\x01\x02\x03\x04");
  CHECK(enc(bin, opts(eio::protocol_version::v3, false)) == "b4AQIDBA==");
  CHECK(enc(packet_view::binary(byte_view()), opts(eio::protocol_version::v4, false)) == "b");

  // base64 packets keep their text.
  const packet_view b64{packet_type::message, data_kind::base64, "AQIDBA=="};
  CHECK(enc(b64) == "bAQIDBA==");
  CHECK(eio::encoded_frame_kind(b64) == frame_kind::text);
  CHECK(enc(b64, opts(eio::protocol_version::v3, true)) == "b4AQIDBA==");
}

TEST_CASE("packets the wire cannot carry are refused") {
  std::string s;
  const auto bad_type = packet_view::text(static_cast<packet_type>(7), "x");
  CHECK(eio::encode(bad_type, s).error() == errc::invalid_argument);
  // v4 binary frames have no type byte: only messages can be binary.
  const auto bin_ping = packet_view::binary(bytes4, packet_type::ping);
  CHECK(eio::encode(bin_ping, s).error() == errc::invalid_argument);
  CHECK(eio::encode(bin_ping, s, opts(eio::protocol_version::v4, false)).error() ==
        errc::invalid_argument);
  CHECK(eio::encode(bin_ping, s, opts(eio::protocol_version::v3, true)));
  const packet_view bad64{packet_type::message, data_kind::base64, "AQ=D"};
  CHECK(eio::encode(bad64, s).error() == errc::invalid_argument);
}

TEST_CASE("encode_to never writes past its capacity") {
  const auto p = packet_view::text(packet_type::message, "hello");
  char buf[16];
  for (std::size_t cap = 0; cap <= 8; ++cap) {
    std::fill(std::begin(buf), std::end(buf), '#');
    auto r = eio::encode_to(buf, cap, p);
    if (cap < 6) {
      CHECK(r.error() == errc::output_too_small);
      CHECK(std::string_view(buf, sizeof buf) == std::string(16, '#'));
    } else {
      REQUIRE(r);
      CHECK(*r == 6);
      CHECK(std::string_view(buf, 6) == "4hello");
      CHECK(std::string_view(buf + 6, sizeof buf - 6) == std::string(10, '#'));
    }
  }
  char fixed[6];
  CHECK(eio::encode_to(fixed, p));
  CHECK(*eio::encoded_size(p) == 6);
}

TEST_CASE("encode appends to any byte container with one resize") {
  const auto p = packet_view::binary(bytes4);
  std::vector<unsigned char> v{9};
  REQUIRE(eio::encode(p, v));
  CHECK(v == std::vector<unsigned char>{9, 1, 2, 3, 4});

  std::pmr::monotonic_buffer_resource pool;
  std::pmr::string ps(&pool);
  REQUIRE(eio::encode(packet_view::text(packet_type::message, "x"), ps));
  CHECK(ps == "4x");

  std::vector<char> vc;
  REQUIRE(eio::encode(packet_view::text(packet_type::ping), vc));
  CHECK(std::string(vc.begin(), vc.end()) == "2");
}

TEST_CASE("encode and decode are inverse") {
  const packet_view samples[] = {
      packet_view::text(packet_type::open, R"({"sid":"abc"})"),
      packet_view::text(packet_type::message, "h\xc3\xa9llo"),
      packet_view::text(packet_type::upgrade),
      packet_view::binary(bytes4),
  };
  for (const auto v : {eio::protocol_version::v3, eio::protocol_version::v4}) {
    for (const auto& p : samples) {
      const auto o = opts(v, true);
      const std::string frame = enc(p, o);
      eio::decode_options d;
      d.version = v;
      auto back = eio::decode(std::string_view(frame), eio::encoded_frame_kind(p, o), d);
      REQUIRE(back);
      CHECK(*back == p);
    }
  }
}
