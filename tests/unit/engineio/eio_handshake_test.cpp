// SPDX-License-Identifier: BSL-1.0
#include <siocodec/engineio/handshake.hpp>

#include "support/catch.hpp"

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

using namespace std::string_view_literals;
using siocodec::errc;
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
    errc ec;
    std::size_t offset;
  };
  const c cases[] = {
      {R"([1])"sv, errc::invalid_handshake, 0},
      {R"("sid")"sv, errc::invalid_handshake, 0},
      {R"({"sid":"a"})"sv, errc::invalid_handshake, 11},
      {R"({"sid":1,"upgrades":[],"pingInterval":1,"pingTimeout":1})"sv, errc::invalid_handshake, 7},
      {R"({"sid":"","upgrades":[],"pingInterval":1,"pingTimeout":1})"sv, errc::invalid_handshake,
       7},
      {R"({"sid":"a\"b","upgrades":[],"pingInterval":1,"pingTimeout":1})"sv,
       errc::invalid_handshake, 7},
      {R"({"sid":"a","upgrades":"websocket","pingInterval":1,"pingTimeout":1})"sv,
       errc::invalid_handshake, 22},
      {R"({"sid":"a","upgrades":[1],"pingInterval":1,"pingTimeout":1})"sv, errc::invalid_handshake,
       23},
      {R"({"sid":"a","upgrades":[],"pingInterval":0,"pingTimeout":1})"sv, errc::invalid_handshake,
       40},
      {R"({"sid":"a","upgrades":[],"pingInterval":1.5,"pingTimeout":1})"sv, errc::invalid_handshake,
       40},
      {R"({"sid":"a","upgrades":[],"pingInterval":"1","pingTimeout":1})"sv, errc::invalid_handshake,
       40},
      {R"({"sid":"a","upgrades":[],"pingInterval":1,"pingTimeout":2147483648})"sv,
       errc::invalid_handshake, 56},
      {R"({"sid":"a","upgrades":[],"pingInterval":1,"pingTimeout":-1})"sv, errc::invalid_handshake,
       56},
      {R"({"sid":"a","upgrades":[],"pingInterval":1,"pingTimeout":1,"maxPayload":9007199254740992})"sv,
       errc::invalid_handshake, 71},
      {R"({"sid":"a","upgrades":[],"pingInterval":1,"pingTimeout":1,"maxPayload":null})"sv,
       errc::invalid_handshake, 71},
      {R"({"sid":"a",})"sv, errc::invalid_json, 11},
      {""sv, errc::invalid_json, 0},
      // Hostile open packets (below): the same answers as the member walk gave before the keys
      // were looked up with json::value::find.
      // The last duplicate wins when it is the invalid one.
      {R"({"sid":"a","sid":"","upgrades":[],"pingInterval":1,"pingTimeout":1})"sv,
       errc::invalid_handshake, 17},
      // An escape in the sid value (the sid is used as written: no escapes).
      {R"({"sid":"\u0061","upgrades":[],"pingInterval":1,"pingTimeout":1})"sv,
       errc::invalid_handshake, 7},
      // Fields only in a nested object: missing at the top level.
      {R"({"x":{"sid":"a","upgrades":[],"pingInterval":1,"pingTimeout":1}})"sv,
       errc::invalid_handshake, 64},
      // -0, an exponent, a number past 2^64, a zero maxPayload.
      {R"({"sid":"a","upgrades":[],"pingInterval":-0,"pingTimeout":1})"sv, errc::invalid_handshake,
       40},
      {R"({"sid":"a","upgrades":[],"pingInterval":1e3,"pingTimeout":1})"sv, errc::invalid_handshake,
       40},
      {R"({"sid":"a","upgrades":[],"pingInterval":1,"pingTimeout":184467440737095516160})"sv,
       errc::invalid_handshake, 56},
      {R"({"sid":"a","upgrades":[],"pingInterval":1,"pingTimeout":1,"maxPayload":0})"sv,
       errc::invalid_handshake, 71},
      // An upgrade list holding a nested array or null.
      {R"({"sid":"a","upgrades":["websocket",["polling"]],"pingInterval":1,"pingTimeout":1})"sv,
       errc::invalid_handshake, 35},
      {R"({"sid":"a","upgrades":[null],"pingInterval":1,"pingTimeout":1})"sv,
       errc::invalid_handshake, 23},
      // Bad JSON after complete fields, and trailing bytes after the object.
      {R"({"sid":"a","upgrades":[],"pingInterval":1,"pingTimeout":1,"x":tru})"sv,
       errc::invalid_json, 65},
      {R"({"sid":"a","upgrades":[],"pingInterval":1,"pingTimeout":1}x)"sv, errc::invalid_json, 58},
      // A lone surrogate escape in a key is valid JSON; that key is just not one of ours.
      {R"({"\ud800":1})"sv, errc::invalid_handshake, 12},
      // Invalid UTF-8 in an ignored value.
      {"{\"x\":\"\xff\",\"sid\":\"a\",\"upgrades\":[],\"pingInterval\":1,\"pingTimeout\":1}"sv,
       errc::invalid_utf8, 6},
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
    CHECK(eio::handshake_size(b).error() == errc::invalid_argument);
  }
  eio::handshake zero = h;
  zero.ping_timeout = 0;
  CHECK(eio::handshake_size(zero).error() == errc::invalid_argument);
  eio::handshake big = h;
  big.max_payload = 9007199254740992ull;
  CHECK(eio::handshake_size(big).error() == errc::invalid_argument);

  char small[10];
  CHECK(eio::encode_handshake_to(small, sizeof small, h).error() == errc::output_too_small);
}

// Issue 19.6: a sid is pasted into query strings, so strict parsing accepts only RFC 3986
// unreserved characters; before, `a&transport=websocket&x=` was accepted as a session id.
TEST_CASE("handshake: strict sids are URL-safe, lax ones are percent-encoded by encode_sid") {
  const auto with_sid = [](std::string_view sid) {
    return R"({"sid":")" + std::string(sid) +
           R"(","upgrades":[],"pingInterval":1,"pingTimeout":1})";
  };
  // What base64id, UUIDs, nanoids and decimal generateId()s produce: accepted as is.
  for (const auto sid :
       {"lv_VI97HAXpY6yYWAAAC"sv, "AbCd-_09"sv, "0f8fad5b-d9cb-469f-a165-70867728950e"sv,
        "V1StGXR8_Z5jdHi6B-myT"sv, "1234567890"sv, "a.b~c"sv}) {
    CAPTURE(sid);
    const std::string text = with_sid(sid);
    const auto h = eio::parse_handshake(text);
    REQUIRE(h);
    CHECK(h->sid == sid);
    std::string enc;
    REQUIRE(eio::encode_sid(sid, enc));
    CHECK(enc == sid);
  }
  struct c {
    std::string_view sid;
    std::size_t bad;  // index of the first character outside the set
    std::string_view encoded;
  };
  const c cases[] = {
      {"a&transport=websocket&x="sv, 1, "a%26transport%3Dwebsocket%26x%3D"sv},
      {"a b#c?d"sv, 1, "a%20b%23c%3Fd"sv},
      {"abc/def"sv, 3, "abc%2Fdef"sv},
      {"ab+c="sv, 2, "ab%2Bc%3D"sv},
      {"x%41"sv, 1, "x%2541"sv},
      {"\xc3\xa9t\xc3\xa9"sv, 0, "%C3%A9t%C3%A9"sv},
  };
  for (const auto& t : cases) {
    CAPTURE(t.sid);
    const std::string text = with_sid(t.sid);
    const auto strict = eio::parse_handshake(text);
    CHECK(strict.error() == errc::invalid_handshake);
    CHECK(strict.offset() == 8 + t.bad);  // `{"sid":"` is 8 bytes
    eio::handshake_options lax;
    lax.lax = true;
    const auto h = eio::parse_handshake(text, lax);
    REQUIRE(h);
    CHECK(h->sid == t.sid);
    std::string url = "/engine.io/?EIO=4&transport=polling&sid=";
    const std::size_t before = url.size();
    const auto n = eio::encode_sid(h->sid, url);
    REQUIRE(n);
    CHECK(url.substr(before) == t.encoded);
    CHECK(*n == t.encoded.size());
    CHECK(eio::encoded_sid_size(h->sid).value_or(0) == t.encoded.size());
    // The fixed-buffer form: exact size fits; one byte less writes nothing.
    char buf[64];
    CHECK(eio::encode_sid_to(buf, sizeof buf, h->sid).value_or(0) == t.encoded.size());
    CHECK(std::string_view(buf, t.encoded.size()) == t.encoded);
    std::memset(buf, '#', sizeof buf);
    const auto small = eio::encode_sid_to(buf, t.encoded.size() - 1, h->sid);
    CHECK(small.error() == errc::output_too_small);
    CHECK(std::string_view(buf, sizeof buf) == std::string(sizeof buf, '#'));
  }
}

// Hostile open packets: what a server (or whoever sits between) can put around the fields. Each
// is read as JSON.parse reads it (escaped keys are the same keys, the last duplicate wins, only
// the top level counts); the refusals are in "strict validation with offsets". The same answers
// before and after the keys were looked up with json::value::find instead of a walk of their own.
TEST_CASE("handshake: hostile open packets") {
  struct ok_case {
    std::string_view text;
    std::string_view sid;
    std::uint8_t upgrades;
    std::uint32_t interval;
  };
  const ok_case accepted[] = {
      // Escaped keys and upgrade names are the names (JSON.parse unescapes them).
      {R"({"s\u0069d":"a","upgrades":["w\u0065bsocket"],"pingInterval":5,"pingTimeout":1})"sv, "a",
       eio::transport_websocket, 5},
      // A nested object's fields are not the handshake's; the top-level ones come after.
      {R"({"x":{"sid":"evil","pingInterval":9},"sid":"good","upgrades":[],"pingInterval":7,"pingTimeout":1})"sv,
       "good", 0, 7},
      // A string value that looks like a key.
      {R"({"note":"\"sid\":\"evil\"","sid":"b","upgrades":["polling","polling"],"pingInterval":3,"pingTimeout":1})"sv,
       "b", eio::transport_polling, 3},
      // The last duplicate wins even when an earlier one was invalid.
      {R"({"sid":1,"sid":"c","upgrades":5,"upgrades":[],"pingInterval":-1,"pingInterval":2,"pingTimeout":1})"sv,
       "c", 0, 2},
      // A differently cased key is another key; whitespace anywhere JSON allows it.
      {" \t\r\n{ \"SID\" : 1 , \"sid\" : \"d\" , \"upgrades\" : [ ] , \"pingInterval\" : 4 , "
       "\"pingTimeout\" : 1 } \n"sv,
       "d", 0, 4},
      // __proto__ is a key like any other.
      {R"({"__proto__":{"sid":"x"},"sid":"e","upgrades":[],"pingInterval":1,"pingTimeout":1})"sv,
       "e", 0, 1},
  };
  for (const auto& t : accepted) {
    CAPTURE(t.text);
    const auto h = eio::parse_handshake(t.text);
    REQUIRE(h);
    CHECK(h->sid == t.sid);
    CHECK(h->upgrades == t.upgrades);
    CHECK(h->ping_interval == t.interval);
  }
}
