// SPDX-License-Identifier: BSL-1.0
#include <siocodec/engineio/handshake.hpp>

#include "support/catch.hpp"

#include <string>
#include <string_view>

using namespace std::string_view_literals;
using siocodec::error;
namespace eio = siocodec::engineio;

TEST_CASE("handshake: the reference server's open packet") {
  const auto text =
      R"({"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})"sv;
  auto h = eio::parse_handshake(text);
  REQUIRE(h);
  CHECK(h->sid == "lv_VI97HAXpY6yYWAAAC");
  CHECK(h->sid.data() == text.data() + 8);  // a view into the packet
  CHECK(h->upgrades == eio::transport_websocket);
  CHECK(h->upgrades_json == R"(["websocket"])");
  CHECK(h->ping_interval == 25000);
  CHECK(h->ping_timeout == 20000);
  REQUIRE(h->max_payload);
  CHECK(*h->max_payload == 1000000);

  // Encoding writes the same bytes, in the same key order.
  std::string out;
  REQUIRE(eio::encode_handshake(*h, out));
  CHECK(out == text);
  CHECK(*eio::handshake_size(*h) == text.size());
}

TEST_CASE("handshake: v3 servers, WebSocket-only sessions, extra keys, whitespace") {
  auto v3 = eio::parse_handshake(
      R"({"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":5000})"sv);
  REQUIRE(v3);
  CHECK(v3->upgrades == 0);
  CHECK_FALSE(v3->max_payload);

  auto extra = eio::parse_handshake(
      " {\"pingTimeout\":1,\"x\":{\"nested\":[1,2]},\"sid\":\"s\",\"upgrades\":"
      "[\"websocket\",\"webtransport\",\"carrier-pigeon\"],\"pingInterval\":2}\n"sv);
  REQUIRE(extra);
  CHECK(extra->upgrades == (eio::transport_websocket | eio::transport_webtransport));
  CHECK(extra->ping_interval == 2);
  CHECK(extra->ping_timeout == 1);

  // Last duplicate wins, as in JSON.parse.
  auto dup = eio::parse_handshake(
      R"({"sid":"a","sid":"b","upgrades":[],"pingInterval":3,"pingTimeout":4})"sv);
  REQUIRE(dup);
  CHECK(dup->sid == "b");
}

TEST_CASE("handshake: strict validation with offsets") {
  struct c {
    std::string_view text;
    error ec;
    std::size_t offset;
  };
  const c cases[] = {
      {R"([1])"sv, error::invalid_handshake, 0},
      {R"("sid")"sv, error::invalid_handshake, 0},
      {R"({"sid":"a"})"sv, error::invalid_handshake, 11},
      {R"({"sid":1,"upgrades":[],"pingInterval":1,"pingTimeout":1})"sv, error::invalid_handshake,
       7},
      {R"({"sid":"","upgrades":[],"pingInterval":1,"pingTimeout":1})"sv, error::invalid_handshake,
       7},
      {R"({"sid":"a\"b","upgrades":[],"pingInterval":1,"pingTimeout":1})"sv,
       error::invalid_handshake, 7},
      {R"({"sid":"a","upgrades":"websocket","pingInterval":1,"pingTimeout":1})"sv,
       error::invalid_handshake, 22},
      {R"({"sid":"a","upgrades":[1],"pingInterval":1,"pingTimeout":1})"sv, error::invalid_handshake,
       23},
      {R"({"sid":"a","upgrades":[],"pingInterval":0,"pingTimeout":1})"sv, error::invalid_handshake,
       40},
      {R"({"sid":"a","upgrades":[],"pingInterval":1.5,"pingTimeout":1})"sv,
       error::invalid_handshake, 40},
      {R"({"sid":"a","upgrades":[],"pingInterval":"1","pingTimeout":1})"sv,
       error::invalid_handshake, 40},
      {R"({"sid":"a","upgrades":[],"pingInterval":1,"pingTimeout":2147483648})"sv,
       error::invalid_handshake, 56},
      {R"({"sid":"a","upgrades":[],"pingInterval":1,"pingTimeout":-1})"sv, error::invalid_handshake,
       56},
      {R"({"sid":"a","upgrades":[],"pingInterval":1,"pingTimeout":1,"maxPayload":9007199254740992})"sv,
       error::invalid_handshake, 71},
      {R"({"sid":"a","upgrades":[],"pingInterval":1,"pingTimeout":1,"maxPayload":null})"sv,
       error::invalid_handshake, 71},
      {R"({"sid":"a",})"sv, error::invalid_json, 11},
      {""sv, error::invalid_json, 0},
  };
  for (const auto& t : cases) {
    CAPTURE(t.text);
    auto r = eio::parse_handshake(t.text);
    CHECK(r.error() == t.ec);
    CHECK(r.offset() == t.offset);
  }
  // The limits themselves are accepted.
  CHECK(eio::parse_handshake(
      R"({"sid":"a","upgrades":[],"pingInterval":2147483647,"pingTimeout":1,"maxPayload":9007199254740991})"sv));
}

TEST_CASE("handshake: encoding refuses what a client would reject") {
  eio::handshake h;
  h.sid = "abc";
  h.upgrades = eio::transport_websocket | eio::transport_webtransport;
  std::string out;
  REQUIRE(eio::encode_handshake(h, out));
  CHECK(
      out ==
      R"({"sid":"abc","upgrades":["websocket","webtransport"],"pingInterval":25000,"pingTimeout":20000})");
  auto back = eio::parse_handshake(out);
  REQUIRE(back);
  CHECK(back->upgrades == h.upgrades);

  for (auto bad_sid : {""sv, "a\"b"sv, "a\\b"sv, "a\nb"sv, "\xff"sv}) {
    eio::handshake b = h;
    b.sid = bad_sid;
    CHECK(eio::handshake_size(b).error() == error::invalid_argument);
  }
  eio::handshake zero = h;
  zero.ping_timeout = 0;
  CHECK(eio::handshake_size(zero).error() == error::invalid_argument);
  eio::handshake big = h;
  big.max_payload = 9007199254740992ull;
  CHECK(eio::handshake_size(big).error() == error::invalid_argument);

  char small[10];
  CHECK(eio::encode_handshake_to(small, sizeof small, h).error() == error::output_too_small);
}
