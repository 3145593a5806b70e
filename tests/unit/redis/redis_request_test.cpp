// SPDX-License-Identifier: BSL-1.0
// socketio::redis requests and responses on hostile and edge input: typed errors at the right
// offsets, nothing appended by a failed encoder. (What the reference writes is checked byte for
// byte by redis_vectors_test.cpp.)
#include <siocodec/redis.hpp>

#include "support/catch.hpp"
#include "support/hex.hpp"

#include <string>
#include <string_view>

using siocodec::byte_view;
using siocodec::errc;
namespace redis = siocodec::socketio::redis;
using siocodec_test::unhex;

namespace {
siocodec::result<redis::request_view> req(std::string_view s,
                                          const redis::request_decode_options& o = {}) {
  return redis::decode_request(byte_view(s), o);
}
siocodec::result<redis::response_view> resp(std::string_view s) {
  return redis::decode_response(byte_view(s));
}
}  // namespace

TEST_CASE("decode_request: the forms of 8.3 and 7.x") {
  auto r = req(R"({"uid":"u1","requestId":"q1","type":1})");
  REQUIRE(r);
  CHECK(r->type == redis::request_type::all_rooms);
  CHECK(*r->uid == "u1");
  CHECK(*r->request_id == "q1");
  CHECK(!r->is_msgpack);

  r = req(R"({"type":2,"opts":{"rooms":["a"],"except":[]},"rooms":["b","c"]})");
  REQUIRE(r);
  CHECK(!r->uid);
  CHECK(r->rooms.size() == 1);
  CHECK(r->target_rooms.size() == 2);

  r = req(R"({"requestId":"q","type":3,"sid":"s1","room":7})");  // 7.x, a numeric room
  REQUIRE(r);
  CHECK(*r->sid == "s1");
  CHECK(r->room.is_number());

  r = req(R"({"uid":"u","type":4,"opts":{"rooms":[],"except":[]},"close":true})");
  REQUIRE(r);
  CHECK(r->close);

  r = req(R"({"uid":"u","type":6,"data":["ev",{"x":1}]})");
  REQUIRE(r);
  CHECK(!r->request_id);
  CHECK(r->data.size() == 2);
}

TEST_CASE("decode_request: hostile input gets a typed error and offset") {
  CHECK(req("").error() == errc::invalid_msgpack);
  CHECK(req("{").error() == errc::invalid_json);
  CHECK(req("[1]").error() == errc::trailing_data);  // not "{": msgpack (a fixint, then more)
  CHECK(req("\x91\x01").error() == errc::unknown_packet_type);  // a msgpack array
  auto r = req(R"({"type":8,"requestId":"q"})");
  CHECK(r.error() == errc::unknown_packet_type);
  CHECK(r.offset() == 8);
  CHECK(req(R"({"type":1.5,"requestId":"q"})").error() == errc::unknown_packet_type);
  CHECK(req(R"({"type":"1","requestId":"q"})").error() == errc::unknown_packet_type);
  r = req(R"({"type":1})");
  CHECK(r.error() == errc::invalid_payload);
  r = req(R"({"type":1,"requestId":"a\u0062"})");  // escapes: no view
  CHECK(r.error() == errc::invalid_payload);
  CHECK(r.offset() == 22);
  r = req(R"({"type":2,"opts":{"rooms":[true]},"rooms":[]})");
  CHECK(r.error() == errc::invalid_payload);
  CHECK(r.offset() == 17);
  r = req(R"({"type":2,"opts":{},"rooms":"a"})");
  CHECK(r.error() == errc::invalid_payload);
  CHECK(r.offset() == 28);
  r = req(R"({"type":6,"data":{}})");
  CHECK(r.error() == errc::invalid_payload);
  CHECK(r.offset() == 17);
  CHECK(req(R"({"type":4,"opts":{},"close":1})").error() == errc::invalid_payload);
  CHECK(req(R"({"type":5,"requestId":"q"})").error() == errc::invalid_payload);  // no opts
  CHECK(req(R"({"type":2,"requestId":"q","sid":"s"})").error() == errc::invalid_payload);
  // BROADCAST must be msgpack and carry an EVENT packet.
  CHECK(req(R"({"type":7,"requestId":"q","opts":{},"packet":{}})").error() ==
        errc::invalid_payload);
  r = req(unhex("84 a474797065 07 a9726571756573744964 a171 a46f707473 80"
                " a67061636b6574 82 a474797065 03 a464617461 90"));
  CHECK(r.error() == errc::unknown_packet_type);
  CHECK(r.offset() == 38);
  // Limits.
  redis::request_decode_options o;
  o.max_rooms = 2;
  CHECK(req(R"({"type":0,"requestId":"q","rooms":["a","b","c"]})", o).error() ==
        errc::invalid_payload);
  o.max_depth = 3;
  CHECK(req(R"({"type":6,"data":[[[1]]]})", o).error() == errc::nesting_too_deep);
  CHECK(req(R"({"type":6,"data":[[1]]})", o));
}

TEST_CASE("decode_response") {
  auto r = resp(R"({"requestId":"q","rooms":["a","b"]})");
  REQUIRE(r);
  CHECK(r->request_id == "q");
  CHECK(!r->type);
  CHECK(r->rooms.size() == 2);
  r = resp(R"({"type":8,"requestId":"q","clientCount":3})");
  REQUIRE(r);
  CHECK(r->client_count == 3);
  r = resp(R"({"type":6,"requestId":"q"})");  // an ack with undefined
  REQUIRE(r);
  CHECK(!r->data.exists());
  r = resp(unhex("82 a474797065 09 a9726571756573744964 a171"));
  REQUIRE(r);
  CHECK(r->is_msgpack);
  CHECK(!r->packet.exists());

  CHECK(resp(R"({"type":8,"requestId":"q"})").error() == errc::invalid_payload);
  CHECK(resp(R"({"type":8,"requestId":"q","clientCount":-1})").error() == errc::invalid_payload);
  auto e = resp(R"({"type":10,"requestId":"q"})");
  CHECK(e.error() == errc::unknown_packet_type);
  CHECK(e.offset() == 8);
  CHECK(resp(R"({"type":6})").error() == errc::invalid_payload);
  CHECK(resp(R"({"requestId":"q","sockets":{}})").error() == errc::invalid_payload);
  CHECK(resp(R"({"requestId":"q","rooms":[null]})").error() == errc::invalid_payload);
  CHECK(resp("\xc1").error() == errc::invalid_msgpack);
}

TEST_CASE("request encoders refuse what they cannot write, appending nothing") {
  std::string out = "keep";
  CHECK(redis::encode_server_side_emit_request(out, "u", "", "{}").error() ==
        errc::invalid_argument);
  CHECK(redis::encode_server_side_emit_request(out, "u", "", "[1,").error() ==
        errc::invalid_argument);
  CHECK(redis::encode_fetch_sockets_response(out, "q", "nope").error() == errc::invalid_argument);
  CHECK(redis::encode_server_side_emit_response(out, "q", "{").error() == errc::invalid_argument);
  const std::string_view bad[] = {"\xff"};
  CHECK(redis::encode_all_rooms_response(out, "q", {bad, 1}).error() == errc::invalid_utf8);
  CHECK(redis::encode_all_rooms_request(out, "\xc0", "q").error() == errc::invalid_utf8);
  CHECK(redis::encode_broadcast_ack_response(out, "q", [](auto& w) {
          w.value(1);
          w.value(2);
        }).error() == errc::invalid_argument);
  CHECK(out == "keep");
  // JSON.stringify's escaping.
  out.clear();
  const std::string_view rooms[] = {"a\"b\n\\", "é"};
  REQUIRE(redis::encode_all_rooms_response(out, "q", {rooms, 2}));
  CHECK(out == "{\"requestId\":\"q\",\"rooms\":[\"a\\\"b\\n\\\\\",\"é\"]}");
}

TEST_CASE("emitter requests: channel and message") {
  const redis::emitter e;
  std::string ch, msg;
  REQUIRE(e.of("x").to("r").sockets_join(ch, msg, {nullptr, 0}));
  CHECK(ch == "socket.io-request#/x#");
  CHECK(msg == R"({"type":2,"opts":{"rooms":["r"],"except":[]},"rooms":[]})");
  ch.clear();
  msg.clear();
  CHECK(e.server_side_emit(ch, msg, "not json").error() == errc::invalid_argument);
  CHECK(ch.empty());
  CHECK(msg.empty());
}
