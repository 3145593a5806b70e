// SPDX-License-Identifier: BSL-1.0
#include <siocodec/engineio/decode.hpp>

#include "support/catch.hpp"

#include <string>
#include <string_view>

using namespace std::string_view_literals;
using siocodec::errc;
namespace eio = siocodec::engineio;
using eio::data_kind;
using eio::frame_kind;
using eio::packet_type;

namespace {
eio::decode_options v3() {
  eio::decode_options o;
  o.version = eio::protocol_version::v3;
  return o;
}
}  // namespace

TEST_CASE("every text packet type, with and without data") {
  for (char d = '0'; d <= '6'; ++d) {
    const std::string bare(1, d);
    auto r = eio::decode(std::string_view(bare), frame_kind::text);
    REQUIRE(r);
    CHECK(static_cast<int>(r->type) == d - '0');
    CHECK(r->kind == data_kind::text);
    CHECK(r->data.empty());
    CHECK(r.offset() == 1);

    const std::string with = bare + "probe";
    auto r2 = eio::decode(std::string_view(with), frame_kind::text);
    REQUIRE(r2);
    CHECK(r2->data == "probe");
    CHECK(r2->data.data() == with.data() + 1);  // zero-copy
  }
}

TEST_CASE("text data is passed through untouched") {
  auto r = eio::decode("4h\xc3\xa9llo \xf0\x9f\x98\x80 \x1e\x00"sv, frame_kind::text);
  REQUIRE(r);
  CHECK(r->type == packet_type::message);
  CHECK(r->data == "h\xc3\xa9llo \xf0\x9f\x98\x80 \x1e\x00"sv);
}

TEST_CASE("text errors carry their offsets") {
  auto empty = eio::decode(""sv, frame_kind::text);
  CHECK(empty.error() == errc::empty_packet);
  CHECK(empty.offset() == 0);
  for (auto bad : {"7"sv, "9hello"sv, " "sv, "B"sv, "x4"sv, "\xff"sv, "-1"sv}) {
    auto r = eio::decode(bad, frame_kind::text);
    CHECK(r.error() == errc::unknown_packet_type);
    CHECK(r.offset() == 0);
  }
}

TEST_CASE("v4 base64 text packets are validated, not decoded") {
  auto r = eio::decode("bAQIDBA=="sv, frame_kind::text);
  REQUIRE(r);
  CHECK(r->type == packet_type::message);
  CHECK(r->kind == data_kind::base64);
  CHECK(r->data == "AQIDBA==");

  auto empty = eio::decode("b"sv, frame_kind::text);
  REQUIRE(empty);
  CHECK(empty->kind == data_kind::base64);
  CHECK(empty->data.empty());

  auto bad = eio::decode("bAQ*DBA=="sv, frame_kind::text);
  CHECK(bad.error() == errc::invalid_base64);
  CHECK(bad.offset() == 3);

  // Node's decoder skips junk and accepts missing padding; lax mode accepts the same.
  eio::decode_options lax;
  lax.base64 = siocodec::base64::mode::lax;
  CHECK_FALSE(eio::decode("bAQIDBA"sv, frame_kind::text));
  CHECK(eio::decode("bAQIDBA"sv, frame_kind::text, lax));
  CHECK(eio::decode("bAQ*DBA=="sv, frame_kind::text, lax));
}

TEST_CASE("v4 binary frames are messages holding the whole frame") {
  const unsigned char bytes[] = {4, 1, 2, 255};
  auto r = eio::decode(siocodec::byte_view(bytes, sizeof bytes), frame_kind::binary);
  REQUIRE(r);
  CHECK(r->type == packet_type::message);
  CHECK(r->kind == data_kind::binary);
  CHECK(r->bytes() == siocodec::byte_view(bytes, sizeof bytes));

  // A binary frame that starts like text is still binary: the caller said so.
  auto digits = eio::decode("451-[]"sv, frame_kind::binary);
  REQUIRE(digits);
  CHECK(digits->kind == data_kind::binary);
  CHECK(digits->data == "451-[]");

  auto empty = eio::decode(""sv, frame_kind::binary);
  REQUIRE(empty);
  CHECK(empty->kind == data_kind::binary);
  CHECK(empty->data.empty());
}

TEST_CASE("v3 binary frames start with a raw type byte") {
  auto r = eio::decode("\x04\x01\x02\x03"sv, frame_kind::binary, v3());
  REQUIRE(r);
  CHECK(r->type == packet_type::message);
  CHECK(r->kind == data_kind::binary);
  CHECK(r->data == "\x01\x02\x03"sv);

  auto ping = eio::decode("\x02"sv, frame_kind::binary, v3());
  REQUIRE(ping);
  CHECK(ping->type == packet_type::ping);
  CHECK(ping->data.empty());

  // The ASCII digit is not the type byte (the EIO3 0x04 mix-up of other clients).
  CHECK(eio::decode("4\x01"sv, frame_kind::binary, v3()).error() == errc::unknown_packet_type);
  CHECK(eio::decode("\x07"sv, frame_kind::binary, v3()).error() == errc::unknown_packet_type);
  CHECK(eio::decode(""sv, frame_kind::binary, v3()).error() == errc::empty_packet);
}

TEST_CASE("v3 base64 text packets carry their type digit") {
  auto r = eio::decode("b4AQIDBA=="sv, frame_kind::text, v3());
  REQUIRE(r);
  CHECK(r->type == packet_type::message);
  CHECK(r->kind == data_kind::base64);
  CHECK(r->data == "AQIDBA==");

  auto ping = eio::decode("b2"sv, frame_kind::text, v3());
  REQUIRE(ping);
  CHECK(ping->type == packet_type::ping);

  // The reference decodes these to an undefined type; we refuse them.
  for (auto bad : {"b"sv, "b9AQID"sv, "bAQID"sv}) {
    auto e = eio::decode(bad, frame_kind::text, v3());
    CHECK(e.error() == errc::unknown_packet_type);
    CHECK(e.offset() == 1);
  }
  auto bad64 = eio::decode("b4AQ!D"sv, frame_kind::text, v3());
  CHECK(bad64.error() == errc::invalid_base64);
  CHECK(bad64.offset() == 4);
}

TEST_CASE("max_payload bounds a single frame") {
  eio::decode_options o;
  o.max_payload = 5;
  CHECK(eio::decode("4abcd"sv, frame_kind::text, o));
  auto big = eio::decode("4abcde"sv, frame_kind::text, o);
  CHECK(big.error() == errc::payload_too_large);
  CHECK(big.offset() == 5);
  CHECK(eio::decode("123456"sv, frame_kind::binary, o).error() == errc::payload_too_large);
}
