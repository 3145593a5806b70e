// SPDX-License-Identifier: BSL-1.0
// engineio::server_session, one TEST_CASE per transition. The expected wire strings are what
// engine.io 6.6.12 sends (build/socket.js, transports/polling.js, websocket.js), computed with
// its parsers (engine.io-parser encodePayload, build/parser-v3 encodePayload) under node 20.
#include <siocodec/engineio/server.hpp>

#include "support/allocations.hpp"
#include "support/catch.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using namespace std::string_view_literals;
using siocodec::errc;
namespace eio = siocodec::engineio;
using eio::close_reason;
using eio::event_kind;
using eio::frame_kind;
using eio::protocol_version;
using eio::server_action;
using eio::transport_kind;

namespace {

constexpr std::string_view sid = "AAAAAAAAAAAAAAAAAAAA";
// socket.js onOpen(): JSON.stringify({ sid, upgrades, pingInterval, pingTimeout, maxPayload }).
constexpr std::string_view open_polling =
    R"(0{"sid":"AAAAAAAAAAAAAAAAAAAA","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})";
constexpr std::string_view open_ws =
    R"(0{"sid":"AAAAAAAAAAAAAAAAAAAA","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})";

struct tx {
  server_action action;
  unsigned status;
  std::string content_type;
  frame_kind kind;
  std::string body;
};

struct ev {
  event_kind kind;
  std::string data;
  eio::data_kind data_kind;
  close_reason reason;
  errc error;
  transport_kind transport;
};

std::vector<tx> transmits(eio::server_session& s) {
  std::vector<tx> out;
  while (auto t = s.poll_transmit()) {
    out.push_back({t->action, t->status, std::string(t->content_type), t->body.kind,
                   std::string(t->body.prefix) + std::string(t->body.data)});
  }
  return out;
}

std::vector<ev> events(eio::server_session& s) {
  std::vector<ev> out;
  while (auto e = s.poll_event()) {
    out.push_back(
        {e->kind, std::string(e->packet.data), e->packet.kind, e->reason, e->error, e->transport});
  }
  return out;
}

eio::server_session polling(protocol_version v = protocol_version::v4,
                            const eio::server_options& o = {}, bool binary = true) {
  return eio::server_session(o, sid, v, transport_kind::polling, binary, 0);
}

// A polling session past its handshake GET, with nothing pending.
eio::server_session opened(protocol_version v = protocol_version::v4,
                           const eio::server_options& o = {}) {
  auto s = polling(v, o);
  s.handle_get(0);
  (void)transmits(s);
  (void)events(s);
  return s;
}

void check_get(const tx& t, std::string_view body, unsigned status = 200) {
  CHECK(t.action == server_action::answer_get);
  CHECK(t.status == status);
  CHECK(t.body == body);
  if (status == 200) CHECK(t.content_type == "text/plain; charset=UTF-8");
}

void check_closed(eio::server_session& s, close_reason r) {
  auto e = events(s);
  REQUIRE(!e.empty());
  CHECK(e.back().kind == event_kind::close);
  CHECK(e.back().reason == r);
  CHECK_FALSE(s.is_open());
  CHECK(s.next_deadline() == eio::no_deadline);
}

eio::packet_view text(std::string_view d) {
  return eio::packet_view::text(eio::packet_type::message, d);
}

}  // namespace

TEST_CASE("server: v4 polling handshake: the handshake GET gets the open packet") {
  auto s = polling();
  auto e = events(s);
  REQUIRE(e.size() == 1);
  CHECK(e[0].kind == event_kind::open);
  CHECK(e[0].transport == transport_kind::polling);
  CHECK(transmits(s).empty());  // nothing until the GET
  s.handle_get(0);
  auto t = transmits(s);
  REQUIRE(t.size() == 1);
  check_get(t[0], open_polling);
  CHECK(s.sid() == sid);
  CHECK(s.version() == protocol_version::v4);
  CHECK(s.transport() == transport_kind::polling);
}

TEST_CASE("server: v3 polling handshake: length-prefixed open packet") {
  auto s = polling(protocol_version::v3);
  s.handle_get(0);
  auto t = transmits(s);
  REQUIRE(t.size() == 1);
  // parser-v3 encodePayload([{type:"open",data}], true): "118:0{...}".
  check_get(t[0], std::string("118:") + std::string(open_polling));
}

TEST_CASE("server: WebSocket-only handshakes (v4 and v3): the open packet is the first message") {
  for (auto v : {protocol_version::v4, protocol_version::v3}) {
    eio::server_session s({}, sid, v, transport_kind::websocket, true, 0);
    auto t = transmits(s);
    REQUIRE(t.size() == 1);
    CHECK(t[0].action == server_action::ws_send);
    CHECK(t[0].kind == frame_kind::text);
    CHECK(t[0].body == open_ws);  // websocket upgrades to nothing
    CHECK(s.transport() == transport_kind::websocket);
    CHECK_FALSE(s.accepts_websocket());
  }
}

TEST_CASE("server: allow_upgrades false offers no upgrade") {
  eio::server_options o;
  o.allow_upgrades = false;
  auto s = polling(protocol_version::v4, o);
  s.handle_get(0);
  auto t = transmits(s);
  REQUIRE(t.size() == 1);
  CHECK(t[0].body.find(R"("upgrades":[])") != std::string::npos);
}

TEST_CASE("server: a sid the open packet cannot carry ends the session at once") {
  eio::server_session s({}, "a\"b", protocol_version::v4, transport_kind::polling, true, 0);
  auto e = events(s);
  REQUIRE(e.size() == 1);
  CHECK(e[0].kind == event_kind::close);
  CHECK(e[0].error == errc::invalid_argument);
  CHECK_FALSE(s.is_open());
  s.handle_get(0);
  CHECK(transmits(s).empty());
}

TEST_CASE("server: a GET is held until something is sent, then answered") {
  auto s = opened();
  s.handle_get(10);
  CHECK(s.holds_get());
  CHECK(transmits(s).empty());
  REQUIRE(s.send(text("hello"), 20) == errc::none);
  auto t = transmits(s);
  REQUIRE(t.size() == 1);
  check_get(t[0], "4hello");
  CHECK_FALSE(s.holds_get());
  // Queued while no GET waits: the next GET takes everything, \x1e-joined, binary as base64.
  const unsigned char b[] = {1, 2, 3};
  REQUIRE(s.send(text("hi"), 30) == errc::none);
  REQUIRE(s.send(eio::packet_view::binary(siocodec::byte_view(b, 3)), 30) == errc::none);
  CHECK(s.queued_messages() == 2);
  s.handle_get(40);
  t = transmits(s);
  REQUIRE(t.size() == 1);
  check_get(t[0], "4hi\x1e"
                  "bAQID");  // engine.io-parser encodePayload
}

TEST_CASE("server: v3 polling bodies: binary payload, or base64 text for b64 clients") {
  const unsigned char b[] = {1, 2, 3};
  {
    auto s = opened(protocol_version::v3);
    REQUIRE(s.send(text("hi"), 1) == errc::none);
    REQUIRE(s.send(eio::packet_view::binary(siocodec::byte_view(b, 3)), 1) == errc::none);
    s.handle_get(2);
    auto t = transmits(s);
    REQUIRE(t.size() == 1);
    CHECK(t[0].content_type == "application/octet-stream");
    CHECK(t[0].kind == frame_kind::binary);
    CHECK(t[0].body == "\x00\x03\xff"
                       "4hi\x01\x04\xff\x04\x01\x02\x03"sv);
  }
  {
    auto s = polling(protocol_version::v3, {}, false);
    s.handle_get(0);
    (void)transmits(s);
    REQUIRE(s.send(text("hi"), 1) == errc::none);
    REQUIRE(s.send(eio::packet_view::binary(siocodec::byte_view(b, 3)), 1) == errc::none);
    s.handle_get(2);
    auto t = transmits(s);
    REQUIRE(t.size() == 1);
    check_get(t[0], "3:4hi6:b4AQID");
  }
}

TEST_CASE("server: a second GET while one is held closes the session (transport error)") {
  auto s = opened();
  s.handle_get(1);
  s.handle_get(2);
  auto t = transmits(s);
  // polling.js onPollRequest(): this.onError("overlap from client") closes the socket, whose
  // transport close answers the held GET with the close packet; then res.writeHead(400).
  REQUIRE(t.size() == 2);
  check_get(t[0], "1");
  CHECK(t[1].action == server_action::answer_get);
  CHECK(t[1].status == 400);
  CHECK(t[1].body.empty());
  CHECK(t[1].content_type.empty());
  check_closed(s, close_reason::transport_error);
}

TEST_CASE("server: the held GET's connection goes away: transport error, no answer") {
  auto s = opened();
  s.handle_get(1);
  s.handle_get_aborted(2);
  CHECK(transmits(s).empty());
  check_closed(s, close_reason::transport_error);
  // Without a held GET, an abort report means nothing.
  auto s2 = opened();
  s2.handle_get_aborted(1);
  CHECK(s2.is_open());
}

TEST_CASE("server: POST ok: every message is an event, the answer is ok") {
  auto s = opened();
  s.handle_post(frame_kind::text,
                "4a\x1e"
                "4b\x1e"
                "bAQI=",
                1);
  auto e = events(s);
  REQUIRE(e.size() == 3);
  CHECK(e[0].data == "a");
  CHECK(e[1].data == "b");
  CHECK(e[2].data == "AQI=");
  CHECK(e[2].data_kind == eio::data_kind::base64);
  auto t = transmits(s);
  REQUIRE(t.size() == 1);
  CHECK(t[0].action == server_action::answer_post);
  CHECK(t[0].status == 200);
  CHECK(t[0].content_type == "text/html");  // polling.js onEnd()
  CHECK(t[0].body == "ok");
}

TEST_CASE("server: POST over maxHttpBufferSize: 413, the session stays") {
  eio::server_options o;
  o.max_payload = 8;
  auto s = opened(protocol_version::v4, o);
  s.handle_post(frame_kind::text, "4123456789", 1);
  auto t = transmits(s);
  REQUIRE(t.size() == 1);
  CHECK(t[0].action == server_action::answer_post);
  CHECK(t[0].status == 413);
  CHECK(t[0].body.empty());
  CHECK(events(s).empty());
  CHECK(s.is_open());
  s.handle_post(frame_kind::text, "41234567", 2);  // exactly the limit
  CHECK(transmits(s)[0].status == 200);
}

TEST_CASE("server: malformed POST: parse error, the held GET gets the close packet, POST ok") {
  auto s = opened();
  s.handle_get(1);
  s.handle_post(frame_kind::text,
                "4ok\x1e"
                "x",
                2);
  auto e = events(s);
  REQUIRE(e.size() == 2);
  CHECK(e[0].data == "ok");  // the packets before the error are delivered
  CHECK(e[1].kind == event_kind::close);
  CHECK(e[1].reason == close_reason::parse_error);
  CHECK(e[1].error == errc::unknown_packet_type);
  auto t = transmits(s);
  REQUIRE(t.size() == 2);
  check_get(t[0], "1");
  // engine.io 6.6.12 under node 20: the POST is still answered 200 "ok" (Polling.doClose()
  // destroys the finished data request, which does not stop the answer).
  CHECK(t[1].action == server_action::answer_post);
  CHECK(t[1].status == 200);
  CHECK(t[1].body == "ok");
}

TEST_CASE("server: binary POST body on v4: transport error, 400") {
  auto s = opened();
  s.handle_post(frame_kind::binary, "4a", 1);
  auto t = transmits(s);
  REQUIRE(t.size() == 1);
  CHECK(t[0].action == server_action::answer_post);
  CHECK(t[0].status == 400);
  check_closed(s, close_reason::transport_error);
}

TEST_CASE("server: binary POST body on v3: a message with bytes") {
  auto s = opened(protocol_version::v3);
  s.handle_post(frame_kind::binary, "\x01\x04\xff\x04\x01\x02\x03"sv, 1);
  auto e = events(s);
  REQUIRE(e.size() == 1);
  CHECK(e[0].data_kind == eio::data_kind::binary);
  CHECK(e[0].data == "\x01\x02\x03"sv);
  CHECK(transmits(s)[0].status == 200);
}

TEST_CASE("server: the client's close packet in a POST: transport close, noop to the held GET") {
  auto s = opened();
  s.handle_get(1);
  s.handle_post(frame_kind::text,
                "4a\x1e"
                "1\x1e"
                "4b",
                2);
  auto e = events(s);
  REQUIRE(e.size() == 2);
  CHECK(e[0].data == "a");
  CHECK(e[1].kind == event_kind::close);
  CHECK(e[1].reason == close_reason::transport_close);
  auto t = transmits(s);
  REQUIRE(t.size() == 2);
  check_get(t[0], "6");  // Polling.onClose(): if (this.writable) this.send([{ type: "noop" }])
  CHECK(t[1].status == 200);
  CHECK(t[1].body == "ok");
}

TEST_CASE("server: v4 heartbeat: ping at pingInterval, timeout exactly pingTimeout later") {
  auto s = opened();
  s.handle_get(0);
  CHECK(s.next_deadline() == 25000);
  s.handle_timeout(24999);
  CHECK(transmits(s).empty());
  s.handle_timeout(25000);
  auto t = transmits(s);
  REQUIRE(t.size() == 1);
  check_get(t[0], "2");
  CHECK(s.next_deadline() == 45000);
  s.handle_timeout(44999);
  CHECK(s.is_open());
  s.handle_timeout(45000);
  check_closed(s, close_reason::ping_timeout);
}

TEST_CASE("server: v4 heartbeat: the pong restarts pingInterval from its arrival") {
  auto s = opened();
  s.handle_timeout(25000);
  s.handle_get(25000);
  check_get(transmits(s).at(0), "2");
  s.handle_post(frame_kind::text, "3", 25100);
  (void)transmits(s);
  CHECK(s.next_deadline() == 50100);  // pingIntervalTimer.refresh() at the pong
  s.handle_timeout(50100);
  s.handle_get(50100);
  check_get(transmits(s).at(0), "2");
}

TEST_CASE("server: v4 heartbeat: another packet while waiting for the pong refreshes it once") {
  auto s = opened();
  s.handle_timeout(25000);
  s.handle_post(frame_kind::text, "4a", 30000);
  CHECK(s.next_deadline() == 50000);
  s.handle_post(frame_kind::text, "4b", 40000);
  CHECK(s.next_deadline() == 50000);  // hasRefreshedPingTimeout
  s.handle_timeout(50000);
  check_closed(s, close_reason::ping_timeout);
}

TEST_CASE("server: v3 heartbeat: the client pings, the server pongs, pingInterval + pingTimeout") {
  auto s = opened(protocol_version::v3);
  CHECK(s.next_deadline() == 45000);
  s.handle_get(1000);
  s.handle_post(frame_kind::text, "1:2", 20000);
  auto t = transmits(s);
  REQUIRE(t.size() == 2);
  check_get(t[0], "1:3");
  CHECK(t[1].body == "ok");
  CHECK(s.next_deadline() == 65000);
  s.handle_timeout(64999);
  CHECK(s.is_open());
  s.handle_timeout(65000);
  check_closed(s, close_reason::ping_timeout);
}

TEST_CASE("server: heartbeat in the wrong direction is a transport error") {
  auto s4 = opened();
  s4.handle_post(frame_kind::text, "2", 1);
  CHECK(transmits(s4).at(0).body == "ok");  // as the reference answers it
  check_closed(s4, close_reason::transport_error);
  auto s3 = opened(protocol_version::v3);
  s3.handle_post(frame_kind::text, "1:3", 1);
  check_closed(s3, close_reason::transport_error);
}

TEST_CASE("server: a clock that steps back is read as the last time seen") {
  auto s = opened();
  s.handle_timeout(20000);
  s.handle_get(5000);  // earlier than 20000: treated as 20000
  CHECK(s.next_deadline() == 25000);
  s.handle_timeout(24000);
  s.handle_timeout(100);
  CHECK(s.next_deadline() >= 24000);
  s.handle_timeout(25000);
  check_get(transmits(s).at(0), "2");
  // The deadline is never in the past, even when the caller is late.
  auto s2 = opened();
  s2.handle_get(90000);
  CHECK(s2.next_deadline() == 90000);
}

TEST_CASE("server: upgrade: 2probe -> 3probe, noop for the held GET, 5, flush over WebSocket") {
  auto s = opened();
  s.handle_get(1);
  CHECK(s.accepts_websocket());
  s.handle_ws_open(2);
  CHECK(s.upgrading());
  CHECK_FALSE(s.accepts_websocket());
  CHECK(transmits(s).empty());  // the noop cycle starts with the probe ping
  s.handle_ws_message(frame_kind::text, "2probe", 3);
  auto t = transmits(s);
  REQUIRE(t.size() == 2);
  CHECK(t[0].action == server_action::ws_send);
  CHECK(t[0].body == "3probe");
  check_get(t[1], "6");
  s.handle_get(4);  // a GET while upgrading is answered at once
  t = transmits(s);
  REQUIRE(t.size() == 1);
  check_get(t[0], "6");
  REQUIRE(s.send(text("queued"), 5) == errc::none);  // no GET: waits
  CHECK(transmits(s).empty());
  s.handle_ws_message(frame_kind::text, "5", 6);
  auto e = events(s);
  REQUIRE(e.size() == 1);
  CHECK(e[0].kind == event_kind::upgrade);
  CHECK(e[0].transport == transport_kind::websocket);
  CHECK(s.transport() == transport_kind::websocket);
  t = transmits(s);
  REQUIRE(t.size() == 1);
  CHECK(t[0].action == server_action::ws_send);
  CHECK(t[0].body == "4queued");
  // Over WebSocket now: messages both ways, polling refused as verify() does.
  REQUIRE(s.send(text("x"), 7) == errc::none);
  CHECK(transmits(s).at(0).body == "4x");
  s.handle_ws_message(frame_kind::text, "4y", 8);
  CHECK(events(s).at(0).data == "y");
  s.handle_get(9);
  t = transmits(s);
  REQUIRE(t.size() == 1);
  CHECK(t[0].status == 400);
  CHECK(t[0].body == R"({"code":3,"message":"Bad request"})");
  // The heartbeat goes on over the WebSocket.
  s.handle_timeout(25000);
  t = transmits(s);
  REQUIRE(t.size() == 1);
  CHECK(t[0].body == "2");
  s.handle_ws_message(frame_kind::text, "3", 25001);
  CHECK(s.next_deadline() == 50001);
}

TEST_CASE("server: upgrade timeout: the probe WebSocket is closed, the session stays") {
  auto s = opened();
  s.handle_ws_open(100);
  CHECK(s.next_deadline() == 10100);
  s.handle_timeout(10099);
  CHECK(transmits(s).empty());
  s.handle_timeout(10100);
  auto t = transmits(s);
  REQUIRE(t.size() == 1);
  CHECK(t[0].action == server_action::ws_close);
  CHECK(s.is_open());
  CHECK(s.transport() == transport_kind::polling);
  CHECK(s.accepts_websocket());
}

TEST_CASE("server: the probe WebSocket closes or misbehaves: the upgrade ends, not the session") {
  auto s = opened();
  s.handle_ws_open(1);
  s.handle_ws_closed(2, false);
  CHECK(transmits(s).empty());
  CHECK_FALSE(s.upgrading());
  CHECK(s.is_open());
  s.handle_ws_open(3);
  s.handle_ws_message(frame_kind::text, "4hello", 4);  // not a probe packet
  auto t = transmits(s);
  REQUIRE(t.size() == 1);
  CHECK(t[0].action == server_action::ws_close);
  CHECK(events(s).empty());
  CHECK(s.is_open());
  // A second WebSocket while one probes is ignored (the caller closes it).
  s.handle_ws_open(5);
  s.handle_ws_open(6);
  CHECK(transmits(s).empty());
}

TEST_CASE("server: close() on polling with a held GET: the close packet, forced close") {
  auto s = opened();
  s.handle_get(1);
  s.close(2);
  auto t = transmits(s);
  REQUIRE(t.size() == 1);
  check_get(t[0], "1");
  check_closed(s, close_reason::forced_close);
  CHECK(s.send(text("late"), 3) == errc::invalid_state);
}

TEST_CASE("server: close() on polling without a GET: the next GET gets noop and close") {
  auto s = opened();
  s.close(1);
  CHECK(events(s).empty());  // the close event comes with the close packet
  CHECK(s.send(text("late"), 2) == errc::invalid_state);
  s.handle_get(3);
  auto t = transmits(s);
  REQUIRE(t.size() == 1);
  check_get(t[0], "6\x1e"
                  "1");  // onPollRequest() with shouldClose: send([noop]) + close
  check_closed(s, close_reason::forced_close);
  // v3, and queued packets go first.
  auto s3 = opened(protocol_version::v3);
  REQUIRE(s3.send(text("a"), 1) == errc::none);
  s3.close(2);
  s3.handle_get(3);
  check_get(transmits(s3).at(0), "2:4a1:1");
  // Nobody comes: the close timeout.
  auto s4 = opened();
  s4.close(1);
  CHECK(s4.next_deadline() == 25000);  // the heartbeat timer still runs
  s4.handle_timeout(25000);
  CHECK(transmits(s4).empty());  // sendPacket() drops the ping while closing
  s4.handle_timeout(30000);
  CHECK(s4.is_open());
  s4.handle_timeout(30001);
  check_closed(s4, close_reason::forced_close);
}

TEST_CASE("server: close() on WebSocket: ws_close, no close packet (websocket.js doClose)") {
  eio::server_session s({}, sid, protocol_version::v4, transport_kind::websocket, true, 0);
  (void)transmits(s);
  (void)events(s);
  s.close(1);
  auto t = transmits(s);
  REQUIRE(t.size() == 1);
  CHECK(t[0].action == server_action::ws_close);
  check_closed(s, close_reason::forced_close);
}

TEST_CASE("server: the WebSocket closes: transport close, or transport error") {
  for (bool error : {false, true}) {
    eio::server_session s({}, sid, protocol_version::v4, transport_kind::websocket, true, 0);
    (void)transmits(s);
    s.handle_ws_closed(1, error);
    CHECK(transmits(s).empty());  // already closed: nothing to close
    check_closed(s, error ? close_reason::transport_error : close_reason::transport_close);
    s.handle_ws_message(frame_kind::text, "4x", 2);
    CHECK(events(s).empty());
  }
}

TEST_CASE("server: bad WebSocket messages: parse error, or transport error when too large") {
  eio::server_options o;
  o.max_payload = 4;
  eio::server_session s(o, sid, protocol_version::v4, transport_kind::websocket, true, 0);
  (void)transmits(s);
  s.handle_ws_message(frame_kind::text, "9", 1);
  CHECK(transmits(s).at(0).action == server_action::ws_close);
  auto e = events(s);
  CHECK(e.back().reason == close_reason::parse_error);
  CHECK(e.back().error == errc::unknown_packet_type);
  eio::server_session s2(o, sid, protocol_version::v4, transport_kind::websocket, true, 0);
  s2.handle_ws_message(frame_kind::text, "412345", 1);
  check_closed(s2, close_reason::transport_error);
}

TEST_CASE("server: send() errors") {
  auto s = opened();
  CHECK(s.send(eio::packet_view::text(eio::packet_type::ping), 1) == errc::invalid_argument);
  CHECK(s.send(text("a\x1e"
                    "b"),
               1) == errc::invalid_argument);  // would split the packet
  auto s3 = opened(protocol_version::v3);
  CHECK(s3.send(text("\xff"), 1) == errc::invalid_argument);  // no UTF-16 length
  CHECK(s.is_open());
  CHECK(s3.is_open());
}

TEST_CASE("server: queue limits: over max_queued_messages or bytes, queue_full closes") {
  eio::server_options o;
  o.max_queued_messages = 3;
  {
    auto s = opened(protocol_version::v4, o);
    CHECK(s.send(text("1"), 1) == errc::none);
    CHECK(s.send(text("2"), 1) == errc::none);
    CHECK(s.send(text("3"), 1) == errc::none);
    CHECK(s.queued_messages() == 3);
    CHECK(s.send(text("4"), 1) == errc::queue_full);
    check_closed(s, close_reason::queue_full);
    CHECK(s.queued_messages() == 0);
  }
  {
    eio::server_options b;
    b.max_queued_bytes = 120;
    eio::server_session s(b, sid, protocol_version::v4, transport_kind::websocket, true, 0);
    (void)transmits(s);
    CHECK(s.send(text(std::string(100, 'x')), 1) == errc::none);  // 101 bytes undrained
    CHECK(s.send(text(std::string(19, 'x')), 1) == errc::queue_full);
    auto t = transmits(s);
    REQUIRE(t.size() == 1);  // what was not taken is dropped
    CHECK(t[0].action == server_action::ws_close);
    check_closed(s, close_reason::queue_full);
  }
  {
    // Limits too small for the open packet itself: the session cannot start.
    eio::server_options tiny;
    tiny.max_queued_bytes = 10;
    auto s = polling(protocol_version::v4, tiny);
    auto e = events(s);
    REQUIRE(e.size() == 1);
    CHECK(e[0].reason == close_reason::queue_full);
  }
  {
    // v3 pongs for a client that pings and never polls are bounded too.
    auto s = opened(protocol_version::v3, o);
    for (int i = 0; i < 3; ++i) s.handle_post(frame_kind::text, "1:2", 1);
    CHECK(s.is_open());
    s.handle_post(frame_kind::text, "1:2", 1);
    check_closed(s, close_reason::queue_full);
  }
  {
    // Events the application does not drain are bounded as well: what earlier calls left
    // counts at the next input (one body is bounded by the decode limits and taken whole).
    auto s = opened(protocol_version::v4, o);
    s.handle_post(frame_kind::text,
                  "4a\x1e"
                  "4b\x1e"
                  "4c",
                  1);
    CHECK(s.is_open());
    s.handle_post(frame_kind::text, "4d", 2);
    auto e = events(s);
    REQUIRE(e.size() == 4);
    CHECK(e[2].data == "c");
    CHECK(e[3].kind == event_kind::close);
    CHECK(e[3].reason == close_reason::queue_full);
  }
}

TEST_CASE("server: a POST body of more messages than max_queued_messages is taken whole") {
  // As the reference (no queue limit): one body holds up to decode max_packets messages.
  eio::server_options o;
  o.max_queued_messages = 3;
  o.max_queued_bytes = 200;  // the open packet fits
  auto s = opened(protocol_version::v4, o);
  std::string body;
  for (int i = 0; i < 10; ++i) body += (i == 0 ? "" : "\x1e") + ("4" + std::string(50, 'x'));
  s.handle_post(frame_kind::text, body, 1);
  auto e = events(s);
  REQUIRE(e.size() == 10);
  for (const auto& x : e) CHECK(x.kind == event_kind::message);
  CHECK(s.is_open());
  // Drained between calls: the next body is taken whole too.
  s.handle_post(frame_kind::text, body, 2);
  CHECK(events(s).size() == 10);
  CHECK(s.is_open());
}

TEST_CASE("server: a pong counts only for a ping handed to the transport") {
  SECTION("a polling client that never GETs and POSTs blind pongs times out") {
    auto s = opened();
    for (eio::millis t = 50; t < 100000 && s.is_open(); t += 50) {
      s.handle_post(frame_kind::text, "3", t);
      if (t >= s.next_deadline()) s.handle_timeout(t);
      (void)transmits(s);  // the POST answers only: no GET, so the ping is never sent
    }
    CHECK_FALSE(s.is_open());
  }
  SECTION("a pong with no ping outstanding does not move the next ping") {
    auto s = opened();
    s.handle_post(frame_kind::text, "3", 10000);
    (void)transmits(s);
    CHECK(s.next_deadline() == 25000);
  }
  SECTION("over WebSocket: the ping counts once its ws_send was polled") {
    eio::server_session s({}, sid, protocol_version::v4, transport_kind::websocket, true, 0);
    (void)transmits(s);
    s.handle_timeout(25000);
    s.handle_ws_message(frame_kind::text, "3", 25001);  // the ping is not polled yet
    CHECK(s.next_deadline() == 45000);
    auto t = transmits(s);
    REQUIRE(t.size() == 1);
    CHECK(t[0].body == "2");
    s.handle_ws_message(frame_kind::text, "3", 25002);
    CHECK(s.next_deadline() == 50002);
  }
}

TEST_CASE("server: drained buffers above max_retained_bytes are released") {
  const std::string big(1000000, 'x');
  eio::server_options o;
  o.max_payload = 2000000;
  {
    eio::server_session s(o, sid, protocol_version::v4, transport_kind::websocket, true, 0);
    (void)transmits(s);
    (void)events(s);
    REQUIRE(s.send(text(big), 1) == errc::none);
    s.handle_ws_message(frame_kind::text, "4" + big, 1);
    CHECK(s.retained_capacity() > 2000000);
    CHECK(transmits(s).size() == 1);
    CHECK(events(s).size() == 1);
    CHECK(s.retained_capacity() <= 4 * o.max_retained_bytes);
  }
  {
    auto s = opened(protocol_version::v4, o);
    REQUIRE(s.send(text(big), 1) == errc::none);
    s.handle_post(frame_kind::text, "4" + big, 1);
    s.handle_get(2);
    (void)transmits(s);
    (void)events(s);
    CHECK(s.retained_capacity() <= 4 * o.max_retained_bytes);
  }
}

TEST_CASE("server: after the close event, inputs are ignored") {
  auto s = opened();
  s.close(1);
  s.handle_get(2);
  (void)transmits(s);
  (void)events(s);
  s.handle_get(3);
  s.handle_post(frame_kind::text, "4a", 3);
  s.handle_ws_open(3);
  s.handle_ws_message(frame_kind::text, "4a", 3);
  s.handle_ws_closed(3, true);
  s.handle_timeout(1000000);
  s.close(4);
  CHECK(transmits(s).empty());
  CHECK(events(s).empty());
}

TEST_CASE("server: the steady state allocates nothing") {
  if (!siocodec_test::allocations_counted()) {
    WARN("allocations are not counted in this build (AddressSanitizer)");
    return;
  }
  const unsigned char b[] = {1, 2, 3, 4};
  {
    eio::server_session s({}, sid, protocol_version::v4, transport_kind::websocket, true, 0);
    auto round = [&](eio::millis now) {
      REQUIRE(s.send(text("[\"event\",\"payload of some length\"]"), now) == errc::none);
      REQUIRE(s.send(eio::packet_view::binary(siocodec::byte_view(b, 4)), now) == errc::none);
      s.handle_ws_message(frame_kind::text, "4[\"ack\",1]", now);
      s.handle_ws_message(frame_kind::binary, "\x01\x02"sv, now);
      s.handle_timeout(now);
      std::size_t n = 0;
      while (auto t = s.poll_transmit()) n += t->body.size();
      s.handle_ws_message(frame_kind::text, "3", now);  // the pong of the ping just sent
      while (auto e = s.poll_event()) n += e->packet.data.size();
      CHECK(n > 0);
    };
    for (eio::millis t = 0; t < 100; ++t) round(t * 1000);  // warm up: capacities grow
    const std::size_t before = siocodec_test::allocations();
    for (eio::millis t = 100; t < 1100; ++t) round(t * 1000);
    CHECK(siocodec_test::allocations() == before);
    CHECK(s.is_open());
  }
  {
    auto s = opened();
    auto round = [&](eio::millis now) {
      s.handle_timeout(now);
      s.handle_get(now);  // answered with the ping when one is due, else by the sends
      REQUIRE(s.send(text("[\"event\",\"payload\"]"), now) == errc::none);
      REQUIRE(s.send(eio::packet_view::binary(siocodec::byte_view(b, 4)), now) == errc::none);
      while (auto t = s.poll_transmit()) CHECK(t->status == 200);
      s.handle_post(frame_kind::text,
                    "4[\"a\"]\x1e"
                    "bAQID\x1e"
                    "3",
                    now);
      while (auto t = s.poll_transmit()) CHECK(t->status == 200);
      while (auto e = s.poll_event()) CHECK(e->kind == event_kind::message);
    };
    for (eio::millis t = 0; t < 100; ++t) round(t * 1000);
    const std::size_t before = siocodec_test::allocations();
    for (eio::millis t = 100; t < 1100; ++t) round(t * 1000);
    CHECK(siocodec_test::allocations() == before);
    CHECK(s.is_open());
  }
}

TEST_CASE("server: `5` without a probe while a GET is held: that GET gets the close packet") {
  // engine.io 6.6.12 under node 20: the upgrade completes, and Polling.doClose() (writable)
  // answers the held GET with "1".
  auto s = opened();
  s.handle_get(1);
  s.handle_ws_open(2);
  s.handle_ws_message(frame_kind::text, "5", 3);
  auto t = transmits(s);
  REQUIRE(t.size() == 1);
  check_get(t[0], "1");
  CHECK(events(s).at(0).kind == event_kind::upgrade);
  CHECK(s.transport() == transport_kind::websocket);
  CHECK_FALSE(s.holds_get());
}

TEST_CASE("server: v3 upgrade: the heartbeat timeout starts again over the WebSocket") {
  auto s = opened(protocol_version::v3);
  s.handle_ws_open(40000);
  s.handle_ws_message(frame_kind::text, "2probe", 40000);
  s.handle_ws_message(frame_kind::text, "5", 44000);
  (void)transmits(s);
  (void)events(s);
  // 6.6.12 clears the timer at the upgrade and never arms it again for v3; here it runs anew.
  CHECK(s.next_deadline() == 44000 + 45000);
  s.handle_ws_message(frame_kind::text, "2", 50000);
  auto t = transmits(s);
  REQUIRE(t.size() == 1);
  CHECK(t[0].action == server_action::ws_send);
  CHECK(t[0].body == "3");
  CHECK(s.next_deadline() == 95000);
  s.handle_timeout(95000);
  check_closed(s, close_reason::ping_timeout);
}

TEST_CASE("server: close() during an upgrade closes the probe too") {
  auto s = opened();
  s.handle_get(1);
  s.handle_ws_open(2);
  s.close(3);
  auto t = transmits(s);
  REQUIRE(t.size() == 2);
  CHECK(t[0].action == server_action::ws_close);
  check_get(t[1], "1");
  check_closed(s, close_reason::forced_close);
}

TEST_CASE("server: a probe message over max_payload drops the probe, not the session") {
  eio::server_options o;
  o.max_payload = 4;
  auto s = opened(protocol_version::v4, o);
  s.handle_ws_open(1);
  s.handle_ws_message(frame_kind::text, "2probeX", 2);
  auto t = transmits(s);
  REQUIRE(t.size() == 1);
  CHECK(t[0].action == server_action::ws_close);
  CHECK(s.is_open());
  CHECK_FALSE(s.upgrading());
}

TEST_CASE("server: POST on a WebSocket session: 400 Bad request, as verify() refuses it") {
  eio::server_session s({}, sid, protocol_version::v4, transport_kind::websocket, true, 0);
  (void)transmits(s);
  s.handle_post(frame_kind::text, "4a", 1);
  auto t = transmits(s);
  REQUIRE(t.size() == 1);
  CHECK(t[0].action == server_action::answer_post);
  CHECK(t[0].status == 400);
  CHECK(t[0].body == R"({"code":3,"message":"Bad request"})");
  CHECK(s.is_open());
}

TEST_CASE("server: v3 binary WebSocket messages carry their type byte") {
  eio::server_session s({}, sid, protocol_version::v3, transport_kind::websocket, true, 0);
  (void)transmits(s);
  (void)events(s);
  s.handle_ws_message(frame_kind::binary, "\x04\x01\x02"sv, 1);
  auto e = events(s);
  REQUIRE(e.size() == 1);
  CHECK(e[0].data == "\x01\x02"sv);
  const unsigned char b[] = {9};
  REQUIRE(s.send(eio::packet_view::binary(siocodec::byte_view(b, 1)), 2) == errc::none);
  auto t = transmits(s);
  REQUIRE(t.size() == 1);
  CHECK(t[0].kind == frame_kind::binary);
  CHECK(t[0].body == "\x04\x09"sv);
}

TEST_CASE("server: while closing, a bad POST is ignored as the reference's onPacket ignores it") {
  // socket.js onPacket(): if ("open" !== this.readyState) return — also for the "error" packet
  // of a malformed body, so the session still ends as a forced close with the close packet.
  auto s = opened();
  s.close(1);
  s.handle_post(frame_kind::text, "x", 2);
  auto t = transmits(s);
  REQUIRE(t.size() == 1);
  CHECK(t[0].body == "ok");
  CHECK(events(s).empty());
  s.handle_get(3);
  check_get(transmits(s).at(0), "6\x1e"
                                "1");
  check_closed(s, close_reason::forced_close);
}
