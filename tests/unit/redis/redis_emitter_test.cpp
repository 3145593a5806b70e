// SPDX-License-Identifier: BSL-1.0
// The channel names, the broadcast message and the emitter of socketio::redis, against bytes
// @socket.io/redis-emitter 5.1.0 published (captured with a fake client; the full corpus is
// tests/reference/redis/vectors.jsonl, walked by redis_vectors_test.cpp).
#include <siocodec/redis.hpp>
#include <siocodec/socketio/default_parser/encode.hpp>

#include "support/catch.hpp"
#include "support/hex.hpp"

#include <array>
#include <cstdint>
#include <list>
#include <string>
#include <string_view>
#include <vector>

using siocodec::byte_view;
using siocodec::errc;
namespace sio = siocodec::socketio;
namespace redis = siocodec::socketio::redis;
using siocodec_test::unhex;

namespace {
const unsigned char blob[] = {1, 2, 3};
// What @socket.io/redis-emitter 5.1.0 publishes for
// emitter.to("room1").emit("hello", "world", Buffer.from([1, 2, 3]), 1.5, 7).
constexpr std::string_view hello_hex =
    "93a7656d697474657283a47479706502a46461746195a568656c6c6fa5776f726c64c403010203cb3ff800000000"
    "000007a36e7370a12f83a5726f6f6d7391a5726f6f6d31a5666c61677380a665786365707490";
}  // namespace

TEST_CASE("channel names") {
  std::string s;
  CHECK(*redis::broadcast_channel(s, "/") == 12);
  CHECK(s == "socket.io#/#");
  s.clear();
  (void)redis::room_channel(s, "/chat", "r#1", "app");
  CHECK(s == "app#/chat#r#1#");
  s.clear();
  (void)redis::request_channel(s, "/");
  CHECK(s == "socket.io-request#/#");
  s.clear();
  (void)redis::response_channel(s, "/");
  CHECK(s == "socket.io-response#/#");
  s.clear();
  (void)redis::specific_response_channel(s, "/", "AbC123");
  CHECK(s == "socket.io-response#/#AbC123#");
  s.clear();
  (void)redis::broadcast_pattern(s, "/a*[b]");
  CHECK(s == "socket.io#/a\\*\\[b\\]#*");
}

TEST_CASE("match_channel") {
  using K = redis::channel_kind;
  auto m = redis::match_channel("socket.io#/#", "/");
  REQUIRE(m);
  CHECK(m->kind == K::broadcast);
  m = redis::match_channel("socket.io#/#room#x#", "/");
  REQUIRE(m);
  CHECK(m->kind == K::room);
  CHECK(m->room == "room#x");
  m = redis::match_channel("socket.io#/##", "/");
  REQUIRE(m);
  CHECK(m->kind == K::broadcast);
  m = redis::match_channel("socket.io-request#/#", "/");
  REQUIRE(m);
  CHECK(m->kind == K::request);
  m = redis::match_channel("socket.io-response#/#", "/");
  REQUIRE(m);
  CHECK(m->kind == K::response);
  m = redis::match_channel("socket.io-response#/#uid1#", "/");
  REQUIRE(m);
  CHECK(m->kind == K::specific_response);
  CHECK(m->uid == "uid1");
  // Another namespace, a missing '#', extra bytes after a request channel.
  m = redis::match_channel("socket.io#/chat#", "/");
  CHECK(m.error() == errc::invalid_namespace);
  CHECK(m.offset() == 11);
  m = redis::match_channel("socket.io#/#room", "/");
  CHECK(m.error() == errc::invalid_argument);
  m = redis::match_channel("socket.io-request#/#x", "/");
  CHECK(m.error() == errc::invalid_namespace);
  CHECK(m.offset() == 20);
  m = redis::match_channel("", "/");
  CHECK(m.error() == errc::invalid_namespace);
  CHECK(m.offset() == 0);
}

TEST_CASE("emitter: bytes of @socket.io/redis-emitter 5.1.0") {
  const redis::emitter e;
  std::string ch, msg;
  const byte_view b(blob, 3);
  auto r = e.to("room1").emit(ch, msg, sio::event("hello", "world", b, 1.5, 7));
  REQUIRE(r);
  CHECK(ch == "socket.io#/#room1#");
  CHECK(msg == unhex(hello_hex));
  CHECK(*r == msg.size());

  ch.clear();
  msg.clear();
  r = e.of("admin").volatile_().compress(true).except("x").emit(ch, msg, sio::event("tick", 1));
  REQUIRE(r);
  CHECK(ch == "socket.io#/admin#");
  CHECK(msg == unhex("93a7656d697474657283a47479706502a46461746192a47469636b01a36e7370a62f61646d69"
                     "6e83a5726f6f6d7390a5666c61677382a8766f6c6174696c65c3a8636f6d7072657373c3a665"
                     "786365707491a178"));

  // Reserved names are refused, as the emitter throws; nothing is appended.
  ch.clear();
  msg.clear();
  r = e.emit(ch, msg, sio::event("connect"));
  CHECK(r.error() == errc::reserved_event_name);
  CHECK(ch.empty());
  CHECK(msg.empty());
}

TEST_CASE("emitter: rooms are sets; too many rooms is an error") {
  const redis::emitter e;
  const auto twice = e.to("a").to("a").to({"b", "a"});
  CHECK(twice.rooms().size == 2);
  redis::emitter many = e;
  std::vector<std::string> names;
  for (int i = 0; i <= SIOCODEC_REDIS_EMITTER_MAX_ROOMS; ++i) names.push_back(std::to_string(i));
  for (const auto& n : names) many = many.to(n);
  std::string ch, msg;
  CHECK(many.emit(ch, msg, sio::event("x")).error() == errc::invalid_argument);
  CHECK(ch.empty());
}

TEST_CASE("decode_broadcast: the emitter's message, and a round trip") {
  const std::string m = unhex(hello_hex);
  const auto r = redis::decode_broadcast(byte_view(m));
  REQUIRE(r);
  CHECK(r->uid == "emitter");
  CHECK(r->packet.type == sio::packet_type::event);
  CHECK(r->packet.nsp == "/");
  CHECK(r->packet.data.size() == 5);
  CHECK(r->packet.data[2].is_binary());
  CHECK(r->rooms.size() == 1);
  CHECK(r->rooms[0].string_equals("room1"));
  CHECK(r->except.size() == 0);
  CHECK(r->flags.size() == 0);
  CHECK(!r->flags.is_volatile());

  // Written again in the emitter's key order: the same bytes.
  const std::array<std::string_view, 1> rooms{"room1"};
  redis::broadcast_options o;
  o.rooms = rooms;
  o.order = redis::opts_order::emitter;
  std::string again;
  REQUIRE(redis::encode_broadcast(again, r->uid, r->packet, o));
  CHECK(again == m);
}

TEST_CASE("decode_broadcast: hostile input gets a typed error and offset") {
  // The results are views into their input: every input lives until the end of the test.
  std::list<std::string> inputs;
  const auto dec = [&inputs](const std::string& hex) {
    inputs.push_back(unhex(hex));
    return redis::decode_broadcast(byte_view(inputs.back()));
  };
  CHECK(dec("").error() == errc::invalid_msgpack);
  CHECK(dec("92a17880").error() == errc::invalid_payload);  // two elements
  auto r = dec("93 01 80 80");                              // uid not a str
  CHECK(r.error() == errc::invalid_payload);
  CHECK(r.offset() == 1);
  r = dec("93 a178 81a474797065 03 80");  // ACK
  CHECK(r.error() == errc::unknown_packet_type);
  CHECK(r.offset() == 9);
  r = dec("93 a178 82a474797065 02 a464617461 c0 80");  // data nil
  CHECK(r.error() == errc::invalid_payload);
  r = dec("93 a178 82a474797065 02 a464617461 90 81a5726f6f6d73 91 c3");  // a room true
  CHECK(r.error() == errc::invalid_payload);
  CHECK(r.offset() == 23);
  r = dec("93 a178 82a474797065 02 a464617461 90 81a5666c616773 81a8766f6c6174696c65 01");
  CHECK(r.error() == errc::invalid_payload);
  // Defaults: no nsp is "/", no rooms / except / flags.
  r = dec("93 a178 82a474797065 02 a464617461 90 80");
  REQUIRE(r);
  CHECK(r->packet.nsp == "/");
  CHECK(!r->rooms.exists());
  CHECK(!r->raw_flags.exists());
  // Nesting is bounded.
  redis::broadcast_decode_options o;
  o.max_depth = 2;
  inputs.push_back(unhex("93 a178 82a474797065 02 a464617461 91 91 91 90 80"));
  r = redis::decode_broadcast(byte_view(inputs.back()), o);
  CHECK(r.error() == errc::nesting_too_deep);
}

TEST_CASE("write_value: a decoded broadcast re-encoded for default-parser clients") {
  // The emitter's message: ["hello", "world", <bin 010203>, 1.5, 7].
  const std::string m = unhex(hello_hex);
  const auto d = redis::decode_broadcast(byte_view(m));
  REQUIRE(d);
  const siocodec::msgpack::value data = d->packet.data;
  std::string out;
  sio::attachment_list<4> atts;
  const auto args = [&](auto& w) {
    bool first = true;
    for (const siocodec::msgpack::value& a : data.elements()) {
      if (!first) redis::write_value(w, a);
      first = false;
    }
  };
  REQUIRE(sio::encode(sio::event(data[0].get_string(), args), out, atts));
  CHECK(out == R"(51-["hello","world",{"_placeholder":true,"num":0},1.5,7])");
  REQUIRE(atts.size() == 1);
  CHECK(atts[0] == byte_view(blob, 3));

  // Map keys as JavaScript's String(), undefined members left out, undefined in arrays null.
  const std::string v = unhex("85 01 a161 c3 c0 a175 d40000 a178 92 d40000 c0 ff c2");
  out.clear();
  REQUIRE(sio::encode(sio::event("e",
                                 [&](auto& w) {
                                   redis::write_value(
                                       w, siocodec::msgpack::value::unchecked(byte_view(v)));
                                 }),
                      out));
  CHECK(out == R"(2["e",{"1":"a","true":null,"x":[null,null],"-1":false}])");
}

TEST_CASE("write_value and copy_value: one walk, the same containers and binary values") {
  // They differ where their docs say (scalars, keys, undefined); binary values, arrays and
  // objects go through the walk they share: [bin 010203, {"k": [bin 07], "e": {}}, []].
  const std::string v = unhex("93 c403010203 82 a16b 91 c40107 a165 80 90");
  const auto value = siocodec::msgpack::value::unchecked(byte_view(v));
  std::string by_write, by_copy;
  sio::attachment_list<4> atts_write, atts_copy;
  REQUIRE(sio::encode(sio::event("e", [&](auto& w) { redis::write_value(w, value); }), by_write,
                      atts_write));
  REQUIRE(sio::encode(sio::event("e", [&](auto& w) { sio::copy_value(w, sio::any_value(value)); }),
                      by_copy, atts_copy));
  CHECK(
      by_write ==
      R"(52-["e",[{"_placeholder":true,"num":0},{"k":[{"_placeholder":true,"num":1}],"e":{}},[]]])");
  CHECK(by_copy == by_write);
  REQUIRE(atts_write.size() == 2);
  REQUIRE(atts_copy.size() == 2);
  CHECK(atts_copy[0] == atts_write[0]);
  CHECK(atts_copy[1] == atts_write[1]);
}

TEST_CASE("reaches: the in-memory adapter's room rule") {
  // to(["a", "b"]).except(["x"]), and a numeric room 42 that no C++ room name matches.
  const std::string m = unhex("93 a178 82a474797065 02 a464617461 90"
                              " 82 a5726f6f6d73 93 a161 a162 2a a6657863657074 91 a178");
  const auto d = redis::decode_broadcast(byte_view(m));
  REQUIRE(d);
  using L = std::vector<std::string_view>;
  const auto reaches = [&](const L& socket_rooms) {
    return redis::reaches(d->rooms, d->except, redis::room_list(socket_rooms));
  };
  CHECK(reaches({"sid1", "a"}));
  CHECK(reaches({"sid2", "b", "c"}));
  CHECK(!reaches({"sid3", "c"}));
  CHECK(!reaches({"sid4", "a", "x"}));  // excluded wins
  CHECK(!reaches({"sid5", "42"}));      // a number room is not its digits
  // No rooms: everyone but the excluded; any_value lists of a request behave alike.
  // The decoded lists are views into their input, which must outlive them.
  const std::string all_in = R"({"type":4,"opts":{"rooms":[],"except":["x"]},"close":false})";
  const auto all = redis::decode_request(byte_view(all_in));
  REQUIRE(all);
  CHECK(redis::reaches(all->rooms, all->except, redis::room_list(L{"s", "y"})));
  CHECK(!redis::reaches(all->rooms, all->except, redis::room_list(L{"s", "x"})));
  const std::string none_in = unhex("93 a178 82a474797065 02 a464617461 90 80");
  const auto none = redis::decode_broadcast(byte_view(none_in));
  REQUIRE(none);
  CHECK(redis::reaches(none->rooms, none->except, redis::room_list(L{"s"})));
}
