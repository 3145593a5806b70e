// SPDX-License-Identifier: BSL-1.0
// The Engine.IO client engine (engineio/client.hpp): one TEST_CASE per transition, with
// engine.io-client 6.6.8 (v4) and 3.5.6 (v3) as the spec (tests/interop/node_modules).
#include <siocodec/engineio/client.hpp>
#include <siocodec/memory.hpp>

#include "support/allocations.hpp"
#include "support/catch.hpp"

#include <atomic>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

using namespace std::string_view_literals;
using siocodec::errc;
namespace eio = siocodec::engineio;
using eio::client_action;
using eio::close_reason;
using eio::event_kind;
using eio::frame_kind;
using eio::packet_view;
using eio::transport_kind;

namespace {

// engine.io 6.6 / 3.x open packets (engine.io lib/socket.ts onOpen, the key order of the server).
constexpr std::string_view hs4 =
    R"(0{"sid":"abc","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})";
constexpr std::string_view hs4_no_upgrade =
    R"(0{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})";
constexpr std::string_view hs3_json =
    R"({"sid":"abc","upgrades":["websocket"],"pingInterval":1000,"pingTimeout":500})";

struct tx_copy {
  client_action action;
  std::string query;
  std::string body;  // prefix + data
  frame_kind kind;
  bool prefixed;
};

struct ev_copy {
  event_kind kind;
  eio::data_kind data_kind;
  std::string data;
  close_reason reason;
  errc error;
  std::size_t offset;
  transport_kind transport;
  std::string sid;
};

// A client and copies of everything it said, so that tests read plain values.
struct harness {
  eio::client c;
  std::vector<tx_copy> tx;
  std::vector<ev_copy> ev;

  explicit harness(const eio::client_options& o = {}) : c(o) {}

  void drain() {
    while (auto t = c.poll_transmit()) {
      tx.push_back({t->action, std::string(t->query),
                    std::string(t->body.prefix) + std::string(t->body.data), t->body.kind,
                    !t->body.prefix.empty()});
    }
    while (auto e = c.poll_event()) {
      ev.push_back({e->kind, e->packet.kind, std::string(e->packet.data), e->reason, e->error,
                    e->offset, e->transport, std::string(e->hs.sid)});
    }
  }
  std::vector<tx_copy> take_tx() {
    drain();
    auto out = std::move(tx);
    tx.clear();
    return out;
  }
  std::vector<ev_copy> take_ev() {
    drain();
    auto out = std::move(ev);
    ev.clear();
    return out;
  }
};

std::string v3_text_item(std::string_view packet) {
  return std::to_string(packet.size()) + ":" + std::string(packet);
}

// A v4 polling session opened at `now` (handshake answered); transmits and events drained.
void open_polling(harness& h, std::string_view handshake = hs4, eio::millis now = 0) {
  REQUIRE(h.c.open(now, 42) == errc::none);
  h.drain();
  h.c.handle_get_response(frame_kind::text, handshake, now);
  h.drain();
  h.tx.clear();
  h.ev.clear();
  REQUIRE(h.c.is_open());
}

// A v4 WebSocket-first session opened at 0 (the client's options must say websocket first);
// transmits and events drained.
void open_ws(harness& h) {
  REQUIRE(h.c.open(0, 1) == errc::none);
  h.c.handle_ws_open(0);
  h.c.handle_ws_message(frame_kind::text, hs4, 0);
  h.take_tx();
  h.take_ev();
  REQUIRE(h.c.is_open());
}

eio::client_options v3_options() {
  eio::client_options o;
  o.version = eio::protocol_version::v3;
  o.upgrade = false;
  return o;
}

// A v3 polling session opened at 0; transmits and events drained.
void open_v3(harness& h) {
  REQUIRE(h.c.open(0, 1) == errc::none);
  h.c.handle_get_response(frame_kind::text, v3_text_item("0" + std::string(hs3_json)), 0);
  h.take_tx();
  h.take_ev();
}

// A v4 session upgraded to WebSocket; nothing in flight on polling.
void open_upgraded(harness& h) {
  open_polling(h);
  h.c.handle_ws_open(1);
  h.c.handle_ws_message(frame_kind::text, "3probe", 2);
  h.c.handle_get_response(frame_kind::text, "6", 3);
  h.drain();
  h.tx.clear();
  h.ev.clear();
  REQUIRE(h.c.transport() == transport_kind::websocket);
}

bool has_prefix(const std::string& s, std::string_view p) { return s.compare(0, p.size(), p) == 0; }

}  // namespace

TEST_CASE("client: handshake over polling (v4)", "[polling]") {
  harness h;
  CHECK(h.c.sid().empty());
  CHECK(h.c.next_deadline() == eio::no_deadline);
  REQUIRE(h.c.open(1000, 7) == errc::none);
  auto tx = h.take_tx();
  REQUIRE(tx.size() == 1);
  CHECK(tx[0].action == client_action::get);
  // polling.ts uri(): query[timestampParam] = randomString(), no sid before the handshake.
  REQUIRE(tx[0].query.size() == "EIO=4&transport=polling&t="sv.size() + 8);
  CHECK(has_prefix(tx[0].query, "EIO=4&transport=polling&t="));
  const std::string t1 = tx[0].query.substr(tx[0].query.size() - 8);
  CHECK_FALSE(h.c.is_open());
  CHECK(h.take_ev().empty());

  h.c.handle_get_response(frame_kind::text,
                          std::string(hs4) + "\x1e"
                                             "4hello",
                          1000);
  auto ev = h.take_ev();
  REQUIRE(ev.size() == 2);
  CHECK(ev[0].kind == event_kind::open);
  CHECK(ev[0].sid == "abc");
  CHECK(ev[0].transport == transport_kind::polling);
  CHECK(ev[1].kind == event_kind::message);
  CHECK(ev[1].data == "hello");
  CHECK(h.c.is_open());
  CHECK(h.c.sid() == "abc");
  CHECK(h.c.version() == eio::protocol_version::v4);
  CHECK(h.c.server_handshake().ping_interval == 25000);
  tx = h.take_tx();
  REQUIRE(tx.size() == 2);
  // onOpen() starts the probe (createTransport: EIO, transport, sid; no `t` on a WebSocket),
  // then Polling.onData polls again with the sid the handshake added to the query last.
  CHECK(tx[0].action == client_action::open_websocket);
  CHECK(tx[0].query == "EIO=4&transport=websocket&sid=abc");
  CHECK(tx[1].action == client_action::get);
  CHECK(has_prefix(tx[1].query, "EIO=4&transport=polling&t="));
  CHECK(tx[1].query.size() == "EIO=4&transport=polling&t=&sid=abc"sv.size() + 8);
  CHECK(tx[1].query.substr(tx[1].query.size() - 8) == "&sid=abc");
  CHECK(tx[1].query.substr(26, 8) != t1);  // a new cache buster
  CHECK(h.c.open(1000, 7) == errc::invalid_state);
}

TEST_CASE("client: the cache buster comes from the caller's seed", "[polling]") {
  harness a, b, c;
  REQUIRE(a.c.open(0, 1) == errc::none);
  REQUIRE(b.c.open(5, 1) == errc::none);
  REQUIRE(c.c.open(0, 2) == errc::none);
  const auto qa = a.take_tx()[0].query, qb = b.take_tx()[0].query, qc = c.take_tx()[0].query;
  CHECK(qa == qb);
  CHECK(qa != qc);
}

TEST_CASE("client: handshake over WebSocket first (v4)") {
  eio::client_options o;
  o.initial = transport_kind::websocket;
  harness h(o);
  REQUIRE(h.c.open(0, 1) == errc::none);
  auto tx = h.take_tx();
  REQUIRE(tx.size() == 1);
  CHECK(tx[0].action == client_action::open_websocket);
  CHECK(tx[0].query == "EIO=4&transport=websocket");
  h.c.handle_ws_message(frame_kind::text, hs4, 0);  // before the socket opened: ignored
  CHECK(h.take_ev().empty());
  h.c.handle_ws_open(1);
  CHECK(h.take_tx().empty());
  h.c.handle_ws_message(frame_kind::text, hs4, 2);
  auto ev = h.take_ev();
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].kind == event_kind::open);
  CHECK(ev[0].transport == transport_kind::websocket);
  CHECK(h.c.transport() == transport_kind::websocket);
  CHECK(h.take_tx().empty());  // no upgrade from a WebSocket
  h.c.handle_ws_message(frame_kind::binary, "\x01\x02"sv, 3);
  ev = h.take_ev();
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].data_kind == eio::data_kind::binary);
  CHECK(ev[0].data == "\x01\x02"sv);
  REQUIRE(h.c.send(packet_view::text(eio::packet_type::message, "hi"), 4) == errc::none);
  tx = h.take_tx();
  REQUIRE(tx.size() == 1);
  CHECK(tx[0].action == client_action::ws_send);
  CHECK(tx[0].body == "4hi");
}

// SIOCODEC_ENGINEIO_TRANSPORTS and SIOCODEC_ENGINEIO_V3 (config.hpp): this file also runs in
// siocodec_embedded_client_tests, built with 1 (WebSocket only) and 0 (v4 only), without the
// test cases tagged [polling] or [v3].
// What send() takes over a v4 WebSocket and the frames flush() writes for it (emit_frame()'s:
// the type digit or `b`, then the data; binary as a binary frame), and what it refuses.
TEST_CASE("client: v4 WebSocket messages of each kind, as emit_frame writes them") {
  eio::client_options o;
  o.initial = transport_kind::websocket;
  harness h(o);
  open_ws(h);
  const packet_view b64{eio::packet_type::message, eio::data_kind::base64, "AQI="};
  const packet_view bin{eio::packet_type::message, eio::data_kind::binary, "\x01\x02"sv};
  REQUIRE(h.c.send(packet_view::text(eio::packet_type::message, "hi"), 1) == errc::none);
  REQUIRE(h.c.send(b64, 1) == errc::none);
  REQUIRE(h.c.send(bin, 1) == errc::none);
  REQUIRE(h.c.send(packet_view::text(eio::packet_type::message, ""), 1) == errc::none);
  h.c.handle_ws_message(frame_kind::text, "2", 2);  // the pong
  const auto tx = h.take_tx();
  REQUIRE(tx.size() == 5);
  const std::string_view bodies[] = {"4hi", "bAQI=", "\x01\x02"sv, "4", "3"};
  const frame_kind kinds[] = {frame_kind::text, frame_kind::text, frame_kind::binary,
                              frame_kind::text, frame_kind::text};
  for (std::size_t i = 0; i < 5; ++i) {
    CAPTURE(i);
    CHECK(tx[i].action == client_action::ws_send);
    CHECK(tx[i].body == bodies[i]);
    CHECK(tx[i].kind == kinds[i]);
  }
  // Refused: base64 that strict base64 rejects (bad characters, missing or extra padding), a
  // packet that is not a message; nothing is queued and the session stays open.
  for (const std::string_view bad : {"!!"sv, "AQI"sv, "AQI=="sv, "A==="sv}) {
    CAPTURE(bad);
    CHECK(h.c.send(packet_view{eio::packet_type::message, eio::data_kind::base64, bad}, 3) ==
          errc::invalid_argument);
  }
  CHECK(h.c.send(packet_view::text(eio::packet_type::ping), 3) == errc::invalid_argument);
  CHECK(h.c.is_open());
  CHECK(h.take_tx().empty());
}

// reset() (what socketio::client's reconnection calls): the client is a new one with the same
// options, every buffer freed, and a session on it runs exactly as on a client just built.
TEST_CASE("client: reset() makes a new client in place, with the same options") {
  alignas(std::max_align_t) static unsigned char memory_a[8192];
  alignas(std::max_align_t) static unsigned char memory_b[8192];
  siocodec::buffer_resource ra(memory_a, sizeof memory_a), rb(memory_b, sizeof memory_b);
  eio::client_options o;
  o.initial = transport_kind::websocket;
  o.max_queued_messages = 3;
  o.memory = &ra;
  const auto script = [](harness& h) {
    REQUIRE(h.c.open(10, 7) == errc::none);
    h.c.handle_ws_open(11);
    h.c.handle_ws_message(frame_kind::text, hs4, 12);
    h.c.handle_ws_message(frame_kind::text, "4event one", 13);
    REQUIRE(h.c.send(packet_view::text(eio::packet_type::message, "hi"), 14) == errc::none);
    h.drain();
    h.c.handle_ws_message(frame_kind::text, "2", 15);  // the pong stays unpolled
  };
  harness h(o);
  script(h);
  CHECK(h.c.is_open());
  CHECK(ra.used() != 0);
  h.c.reset();
  CHECK(ra.used() == 0);  // every buffer freed
  CHECK(h.c.retained_capacity() == 0);
  CHECK_FALSE(h.c.is_open());
  CHECK(h.c.sid().empty());
  CHECK(h.c.next_deadline() == eio::no_deadline);
  CHECK_FALSE(h.c.poll_transmit());
  CHECK_FALSE(h.c.poll_event());
  h.tx.clear();
  h.ev.clear();

  // The same session again, beside one on a client built with the same options.
  o.memory = &rb;
  harness fresh(o);
  script(h);
  script(fresh);
  h.drain();
  fresh.drain();
  REQUIRE(h.tx.size() == fresh.tx.size());
  for (std::size_t i = 0; i < h.tx.size(); ++i) {
    CHECK(h.tx[i].action == fresh.tx[i].action);
    CHECK(h.tx[i].query == fresh.tx[i].query);
    CHECK(h.tx[i].body == fresh.tx[i].body);
  }
  REQUIRE(h.ev.size() == fresh.ev.size());
  for (std::size_t i = 0; i < h.ev.size(); ++i) {
    CHECK(h.ev[i].kind == fresh.ev[i].kind);
    CHECK(h.ev[i].data == fresh.ev[i].data);
    CHECK(h.ev[i].sid == fresh.ev[i].sid);
  }
  CHECK(ra.used() == rb.used());
  CHECK(h.c.next_deadline() == fresh.c.next_deadline());
  // The options are kept: a fourth unpolled message is over max_queued_messages (3).
  for (int i = 0; i < 4; ++i) (void)h.c.send(packet_view::text(eio::packet_type::message, "x"), 16);
  CHECK_FALSE(h.c.is_open());

  // After the close event, too.
  h.drain();
  h.tx.clear();
  h.c.reset();
  CHECK(ra.used() == 0);
  CHECK(h.c.open(20, 1) == errc::none);
  const auto tx = h.take_tx();
  REQUIRE(tx.size() == 1);
  CHECK(tx[0].action == client_action::open_websocket);
}

TEST_CASE("client: a transport compiled out is refused, the default is one compiled in") {
  const eio::client_options defaults;
  eio::client_options poll;
  poll.initial = transport_kind::polling;
  eio::client_options ws;
  ws.initial = transport_kind::websocket;
  eio::client p(poll), w(ws);
#if SIOCODEC_ENGINEIO_TRANSPORTS == 1
  CHECK(defaults.initial == transport_kind::websocket);
  CHECK(p.open(0, 1) == errc::invalid_argument);
  CHECK_FALSE(p.poll_transmit());
  CHECK(w.open(0, 1) == errc::none);
  // A polling report in a WebSocket-only build is a no-op, as it is for a request not in flight.
  w.handle_get_response(frame_kind::text, hs4, 1);
  w.handle_post_response(1);
  w.handle_http_error(client_action::get, 1);
  CHECK_FALSE(w.poll_event());
#elif SIOCODEC_ENGINEIO_TRANSPORTS == 2
  CHECK(defaults.initial == transport_kind::polling);
  CHECK(p.open(0, 1) == errc::none);
  CHECK(w.open(0, 1) == errc::invalid_argument);
#else
  CHECK(defaults.initial == transport_kind::polling);
  CHECK(p.open(0, 1) == errc::none);
  CHECK(w.open(0, 1) == errc::none);
#endif
}

TEST_CASE("client: Engine.IO v3 compiled out is refused") {
  eio::client_options o;
  o.initial = transport_kind::websocket;
  o.version = eio::protocol_version::v3;
  eio::client c(o);
  CHECK(c.open(0, 1) == (SIOCODEC_ENGINEIO_V3 ? errc::none : errc::invalid_argument));
  o.version = eio::protocol_version::v4;
  eio::client c4(o);
  CHECK(c4.open(0, 1) == errc::none);
}

TEST_CASE("client: handshake over polling and WebSocket (v3)", "[polling]") {
  harness h(v3_options());
  REQUIRE(h.c.open(0, 1) == errc::none);
  auto tx = h.take_tx();
  REQUIRE(tx.size() == 1);
  CHECK(has_prefix(tx[0].query, "EIO=3&transport=polling&t="));
  CHECK(tx[0].query.find("b64") == std::string::npos);
  h.c.handle_get_response(frame_kind::text,
                          v3_text_item("0" + std::string(hs3_json)) + v3_text_item("40"), 0);
  auto ev = h.take_ev();
  REQUIRE(ev.size() == 2);
  CHECK(ev[0].kind == event_kind::open);
  CHECK(ev[1].data == "0");
  CHECK(h.c.version() == eio::protocol_version::v3);
  tx = h.take_tx();
  REQUIRE(tx.size() == 1);  // upgrade off: only the next GET
  CHECK(tx[0].action == client_action::get);

  auto w = v3_options();
  w.initial = transport_kind::websocket;
  harness ws(w);
  REQUIRE(ws.c.open(0, 1) == errc::none);
  CHECK(ws.take_tx()[0].query == "EIO=3&transport=websocket");
  ws.c.handle_ws_open(0);
  ws.c.handle_ws_message(frame_kind::text, "0" + std::string(hs3_json), 0);
  REQUIRE(ws.c.is_open());
  ws.take_ev();
  // v3 binary over a WebSocket: the type byte 0x04 as the frame's prefix (frames.hpp).
  const unsigned char bytes[] = {1, 2, 3};
  REQUIRE(ws.c.send(packet_view::binary(siocodec::byte_view(bytes, 3)), 1) == errc::none);
  tx = ws.take_tx();
  REQUIRE(tx.size() == 1);
  CHECK(tx[0].kind == frame_kind::binary);
  CHECK(tx[0].prefixed);
  CHECK(tx[0].body == "\x04\x01\x02\x03"sv);
  ws.c.handle_ws_message(frame_kind::binary, "\x04\x09"sv, 2);
  auto e = ws.take_ev();
  REQUIRE(e.size() == 1);
  CHECK(e[0].data == "\x09"sv);
}

TEST_CASE("client: v3 polling without binary asks b64=1 and reads base64 bodies", "[polling]") {
  auto o = v3_options();
  o.upgrade = true;
  o.supports_binary = false;
  harness h(o);
  REQUIRE(h.c.open(0, 1) == errc::none);
  auto tx = h.take_tx();
  // polling.ts uri(): `if (!this.supportsBinary && !query.sid) query.b64 = 1;` after `t`; the
  // key stays in the query object, and onHandshake appends sid after it.
  CHECK(has_prefix(tx[0].query, "EIO=3&transport=polling&t="));
  CHECK(tx[0].query.substr(tx[0].query.size() - 6) == "&b64=1");
  h.c.handle_get_response(frame_kind::text, v3_text_item("0" + std::string(hs3_json)), 0);
  tx = h.take_tx();
  REQUIRE(tx.size() == 2);
  CHECK(tx[1].action == client_action::get);
  CHECK(tx[1].query.substr(tx[1].query.size() - 14) == "&b64=1&sid=abc");
  REQUIRE(tx[0].action == client_action::open_websocket);
  const std::string ws_query = tx[0].query;
  h.take_ev();

  h.c.handle_get_response(frame_kind::text, "6:b4AQID", 1);
  auto ev = h.take_ev();
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].data_kind == eio::data_kind::base64);
  CHECK(ev[0].data == "AQID");

  const unsigned char bytes[] = {1, 2, 3};
  REQUIRE(h.c.send(packet_view::binary(siocodec::byte_view(bytes, 3)), 2) == errc::none);
  tx = h.take_tx();
  REQUIRE(tx.size() == 2);  // the GET, then the POST
  CHECK(tx[1].action == client_action::post);
  CHECK(tx[1].kind == frame_kind::text);
  CHECK(tx[1].body == "6:b4AQID");
  CHECK(tx[1].query.substr(tx[1].query.size() - 14) == "&b64=1&sid=abc");

  // The upgrade: websocket.ts uri() adds b64=1 after the sid, and binary stays base64 text (as
  // engine.io-client 3.5.6 with forceBase64 was seen to do against engine.io 3.x:
  // `GET /engine.io/?EIO=3&transport=websocket&sid=..&b64=1`).
  CHECK(ws_query == "EIO=3&transport=websocket&sid=abc&b64=1");
  h.c.handle_ws_open(3);
  h.c.handle_ws_message(frame_kind::text, "3probe", 3);
  h.c.handle_post_response(4);
  h.c.handle_get_response(frame_kind::text, "1:6", 4);
  REQUIRE(h.c.transport() == transport_kind::websocket);
  h.take_tx();
  REQUIRE(h.c.send(packet_view::binary(siocodec::byte_view(bytes, 3)), 5) == errc::none);
  tx = h.take_tx();
  REQUIRE(tx.size() == 1);
  CHECK(tx[0].action == client_action::ws_send);
  CHECK(tx[0].kind == frame_kind::text);
  CHECK(tx[0].body == "b4AQID");
}

TEST_CASE("client: v3 polling with binary sends and reads binary bodies", "[polling]") {
  harness h(v3_options());
  open_v3(h);
  const unsigned char bytes[] = {1, 2, 3};
  REQUIRE(h.c.send(packet_view::binary(siocodec::byte_view(bytes, 3)), 1) == errc::none);
  auto tx = h.take_tx();
  REQUIRE(tx.size() == 1);
  CHECK(tx[0].action == client_action::post);
  CHECK(tx[0].kind == frame_kind::binary);
  CHECK(tx[0].body == "\x01\x04\xff\x04\x01\x02\x03"sv);

  // A binary body from the server: a string item then a binary item.
  const packet_view items[] = {packet_view::text(eio::packet_type::message, "x"),
                               packet_view::binary(siocodec::byte_view(bytes, 3))};
  std::string body;
  REQUIRE(eio::encode_payload(items, 2, body, {eio::protocol_version::v3, true}));
  h.c.handle_get_response(frame_kind::binary, body, 2);
  auto ev = h.take_ev();
  REQUIRE(ev.size() == 2);
  CHECK(ev[0].data == "x");
  CHECK(ev[1].data_kind == eio::data_kind::binary);
  CHECK(ev[1].data == "\x01\x02\x03"sv);
}

TEST_CASE("client: bad and hostile handshakes close with a typed error and offset", "[polling]") {
  struct bad_case {
    std::string_view body;
    errc error;
    std::size_t offset;
  };
  const bad_case cases[] = {
      {"4hello", errc::unexpected_packet, 0},  // a message before the open packet
      {"6", errc::unexpected_packet, 0},
      {R"(0{"sid":1,"upgrades":[],"pingInterval":1,"pingTimeout":1})", errc::invalid_handshake, 8},
      // a sid that would inject query parameters (handshake.hpp is_sid_char)
      {R"(0{"sid":"a&transport=x","upgrades":[],"pingInterval":1,"pingTimeout":1})",
       errc::invalid_handshake, 10},
      {R"(0{"sid":"a","upgrades":[],"pingInterval":0,"pingTimeout":1})", errc::invalid_handshake,
       41},
      {"0{", errc::invalid_json, 2},
      {"0[]", errc::invalid_handshake, 1},
      {"", errc::empty_packet, 0},
      {"9", errc::unknown_packet_type, 0},
      {"\x1e", errc::empty_packet, 0},
  };
  for (const auto& k : cases) {
    CAPTURE(k.body);
    harness h;
    REQUIRE(h.c.open(0, 1) == errc::none);
    h.take_tx();
    h.c.handle_get_response(frame_kind::text, k.body, 0);
    auto ev = h.take_ev();
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].kind == event_kind::close);
    CHECK(ev[0].reason == close_reason::parse_error);
    CHECK(ev[0].error == k.error);
    CHECK(ev[0].offset == k.offset);
    CHECK(h.take_tx().empty());  // no sid: no `1` to POST
    CHECK_FALSE(h.c.is_open());
    CHECK(h.c.next_deadline() == eio::no_deadline);
    CHECK(h.c.send(packet_view::text(eio::packet_type::message, "x"), 1) == errc::invalid_state);
  }
  // A binary v4 body and a binary first WebSocket message.
  harness b;
  REQUIRE(b.c.open(0, 1) == errc::none);
  b.c.handle_get_response(frame_kind::binary, hs4, 0);
  auto ev = b.take_ev();
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].error == errc::unexpected_binary_frame);
  eio::client_options o;
  o.initial = transport_kind::websocket;
  harness w(o);
  REQUIRE(w.c.open(0, 1) == errc::none);
  w.c.handle_ws_open(0);
  w.c.handle_ws_message(frame_kind::binary, hs4, 0);
  ev = w.take_ev();
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].error == errc::unexpected_packet);
  auto tx = w.take_tx();
  REQUIRE(tx.size() == 2);
  CHECK(tx[1].action == client_action::ws_close);
  // A second open packet mid-session.
  harness s;
  open_polling(s);
  s.c.handle_get_response(frame_kind::text, "4a\x1e" + std::string(hs4), 1);
  ev = s.take_ev();
  REQUIRE(ev.size() == 2);
  CHECK(ev[1].error == errc::unexpected_packet);
  CHECK(ev[1].offset == 3);
}

TEST_CASE("client: the GET loop, one GET in flight", "[polling]") {
  harness h;
  open_polling(h, hs4_no_upgrade);
  h.c.handle_get_response(frame_kind::text,
                          "4a\x1e"
                          "6\x1e"
                          "4b",
                          10);
  auto ev = h.take_ev();
  REQUIRE(ev.size() == 2);
  CHECK(ev[0].data == "a");
  CHECK(ev[1].data == "b");
  auto tx = h.take_tx();
  REQUIRE(tx.size() == 1);
  CHECK(tx[0].action == client_action::get);
  // Each answer starts exactly one new GET.
  h.c.handle_get_response(frame_kind::text, "6", 11);
  h.c.handle_get_response(frame_kind::text, "4c", 12);
  ev = h.take_ev();
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].data == "c");
  tx = h.take_tx();
  REQUIRE(tx.size() == 2);
  CHECK(tx[0].action == client_action::get);
  CHECK(tx[1].action == client_action::get);
  // An upgrade packet from the server is ignored, as engine.io-client does.
  h.c.handle_get_response(frame_kind::text, "5", 13);
  CHECK(h.take_ev().empty());
  CHECK(h.c.is_open());
}

TEST_CASE("client: POST batching under maxPayload, one POST in flight", "[polling]") {
  harness h;
  open_polling(
      h,
      R"(0{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":20})");
  auto msg = [](std::string_view d) { return packet_view::text(eio::packet_type::message, d); };
  REQUIRE(h.c.send(msg("aaaaaaaa"), 1) == errc::none);
  auto tx = h.take_tx();
  REQUIRE(tx.size() == 1);
  CHECK(tx[0].action == client_action::post);
  CHECK(tx[0].body == "4aaaaaaaa");
  CHECK(has_prefix(tx[0].query, "EIO=4&transport=polling&t="));
  CHECK(tx[0].query.substr(tx[0].query.size() - 8) == "&sid=abc");
  REQUIRE(h.c.send(msg("bbbbbbbb"), 2) == errc::none);
  REQUIRE(h.c.send(msg("cccccccc"), 2) == errc::none);
  REQUIRE(h.c.send(msg("dddddddd"), 2) == errc::none);
  CHECK(h.take_tx().empty());  // the first POST is still in flight
  h.c.handle_post_response(3);
  // _getWritablePackets: 1 + 8 = 9, + 2 + 8 = 19 <= 20, + 2 + 8 = 29 > 20: two packets.
  tx = h.take_tx();
  REQUIRE(tx.size() == 1);
  CHECK(tx[0].body == "4bbbbbbbb\x1e"
                      "4cccccccc");
  h.c.handle_post_response(4);
  tx = h.take_tx();
  REQUIRE(tx.size() == 1);
  CHECK(tx[0].body == "4dddddddd");
  // A single packet over maxPayload still goes, alone ("if (i > 0 && payloadSize > max)").
  REQUIRE(h.c.send(msg("eeeeeeeeeeeeeeeeeeeeeeeeeeeeee"), 5) == errc::none);
  REQUIRE(h.c.send(msg("f"), 5) == errc::none);
  h.c.handle_post_response(6);
  tx = h.take_tx();
  REQUIRE(tx.size() == 1);
  CHECK(tx[0].body == "4eeeeeeeeeeeeeeeeeeeeeeeeeeeeee");
  h.c.handle_post_response(7);
  tx = h.take_tx();
  REQUIRE(tx.size() == 1);
  CHECK(tx[0].body == "4f");
  h.c.handle_post_response(8);
  h.c.handle_post_response(9);  // no POST in flight: ignored
  CHECK(h.take_tx().empty());
  // Binary data counts as its base64 text: 12 bytes -> "b" + 16.
  const unsigned char twelve[12] = {};
  REQUIRE(h.c.send(msg("x"), 10) == errc::none);  // in flight
  REQUIRE(h.c.send(packet_view::binary(siocodec::byte_view(twelve, 12)), 10) == errc::none);
  REQUIRE(h.c.send(msg("yyy"), 10) == errc::none);
  h.take_tx();
  h.c.handle_post_response(11);
  tx = h.take_tx();
  REQUIRE(tx.size() == 1);
  CHECK(tx[0].body == "bAAAAAAAAAAAAAAAA");  // 17 + 1, + "4yyy" + 1 = 23 > 20
  h.c.handle_post_response(12);
  tx = h.take_tx();
  REQUIRE(tx.size() == 1);
  CHECK(tx[0].body == "4yyy");
}

TEST_CASE("client: v4 heartbeat, pong at once, timeout at pingInterval + pingTimeout",
          "[polling]") {
  harness h;
  open_polling(h, hs4_no_upgrade, 1000);
  CHECK(h.c.next_deadline() == 1000 + 25000 + 20000);
  h.c.handle_timeout(45999);
  CHECK(h.c.is_open());
  h.c.handle_get_response(frame_kind::text, "2", 45999);  // the server's ping, just in time
  auto tx = h.take_tx();
  REQUIRE(tx.size() == 2);
  CHECK(tx[0].action == client_action::post);
  CHECK(tx[0].body == "3");
  CHECK(tx[1].action == client_action::get);
  CHECK(h.c.next_deadline() == 45999 + 45000);
  // A ping while the pong's POST is in flight: one pong waits, not two.
  h.c.handle_get_response(frame_kind::text,
                          "2\x1e"
                          "2",
                          46000);
  CHECK(h.take_tx().size() == 1);  // only the GET
  h.c.handle_post_response(46001);
  tx = h.take_tx();
  REQUIRE(tx.size() == 1);
  CHECK(tx[0].body == "3");
  // A pong from the server outside a probe: engine.io-client 6.6 has no case for it (ignored).
  h.c.handle_get_response(frame_kind::text, "3", 46002);
  CHECK(h.c.is_open());
  h.c.handle_timeout(46000 + 44999);
  CHECK(h.c.is_open());
  CHECK(h.take_ev().empty());
  h.c.handle_timeout(46000 + 45000);  // _resetPingTimeout: setTimeout(.., interval + timeout)
  auto ev = h.take_ev();
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].kind == event_kind::close);
  CHECK(ev[0].reason == close_reason::ping_timeout);
  CHECK(std::string(eio::to_string(ev[0].reason)) == "ping timeout");
  tx = h.take_tx();
  // transport.close() on an open polling transport writes the `1` packet (Polling.doClose), but
  // not while a POST is in flight (the last pong's, here): see the next test.
  REQUIRE(tx.size() == 1);
  CHECK(tx[0].action == client_action::get);  // after the server's pong
  CHECK(h.c.next_deadline() == eio::no_deadline);
}

TEST_CASE("client: v4 ping timeout over polling posts the close packet", "[polling]") {
  harness h;
  open_polling(h, hs4_no_upgrade, 0);
  h.c.handle_timeout(45000);
  auto tx = h.take_tx();
  REQUIRE(tx.size() == 1);
  CHECK(tx[0].action == client_action::post);
  CHECK(tx[0].body == "1");
  // The GET in flight answered late: the engine has closed, nothing more.
  h.c.handle_get_response(frame_kind::text, "4late", 45001);
  CHECK(h.take_ev().size() == 1);  // only the close event
  CHECK(h.take_tx().empty());
}

TEST_CASE("client: a late ping that arrives after the deadline does not revive the session",
          "[polling]") {
  harness h;
  open_polling(h, hs4_no_upgrade, 0);
  h.c.handle_get_response(frame_kind::text, "2", 45000);
  auto ev = h.take_ev();
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].reason == close_reason::ping_timeout);
}

TEST_CASE("client: v3 heartbeat, the client pings, pong within pingTimeout", "[polling]") {
  harness h(v3_options());
  open_v3(h);
  CHECK(h.c.next_deadline() == 1000);  // setPing(): pingInterval
  h.c.handle_timeout(999);
  CHECK(h.take_tx().empty());
  h.c.handle_timeout(1000);
  auto tx = h.take_tx();
  REQUIRE(tx.size() == 1);
  CHECK(tx[0].action == client_action::post);
  CHECK(tx[0].body == "1:2");
  CHECK(h.c.next_deadline() == 1500);  // onHeartbeat(pingTimeout)
  h.c.handle_post_response(1001);
  // A ping from the server: engine.io-client 3.5 has no case for it (ignored), but as any
  // packet it re-arms the liveness timer: now + pingInterval + pingTimeout.
  h.c.handle_get_response(frame_kind::text, "1:2", 1100);
  CHECK(h.c.is_open());
  CHECK(h.take_tx().size() == 1);  // only the GET: no pong from a client
  CHECK(h.c.next_deadline() == 2600);
  h.c.handle_get_response(frame_kind::text, "1:3", 1400);  // the pong
  CHECK(h.c.next_deadline() == 2400);                      // setPing() again
  h.take_tx();
  h.c.handle_timeout(2400);
  tx = h.take_tx();
  REQUIRE(tx.size() == 1);
  CHECK(tx[0].body == "1:2");
  CHECK(h.c.next_deadline() == 2900);
  h.c.handle_timeout(2899);
  CHECK(h.c.is_open());
  h.c.handle_timeout(2900);  // no pong within pingTimeout
  auto ev = h.take_ev();
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].reason == close_reason::ping_timeout);
}

TEST_CASE("client: a clock that steps back counts as the last now", "[polling]") {
  harness h;
  open_polling(h, hs4_no_upgrade, 10000);
  h.c.handle_get_response(frame_kind::text, "2", 20000);  // deadline 65000
  h.c.handle_get_response(frame_kind::text, "2", 5000);   // back in time: treated as 20000
  CHECK(h.c.next_deadline() == 65000);
  h.c.handle_timeout(64999);
  CHECK(h.c.is_open());
  h.c.handle_timeout(1);
  CHECK(h.c.is_open());
  // Never a deadline in the past: a caller late with handle_timeout sees its last now.
  harness v3(v3_options());
  REQUIRE(v3.c.open(0, 1) == errc::none);
  v3.c.handle_get_response(frame_kind::text, v3_text_item("0" + std::string(hs3_json)), 0);
  v3.c.handle_get_response(frame_kind::text, "1:6", 3000);
  // The ping was due at 1000: sent on this call, with 3000 as now; then the noop, as any packet,
  // re-arms the liveness timer (onHeartbeat()): 3000 + 1000 + 500.
  auto tx = v3.take_tx();
  REQUIRE(tx.size() == 4);  // GET, GET, then this call's POST and GET
  CHECK(tx[2].action == client_action::post);
  CHECK(tx[2].body == "1:2");
  CHECK(v3.c.next_deadline() == 4500);
  // A report that moves the clock without running the timers (the probe's socket opened):
  // the deadline is then the last now, never one in the past.
  harness u;
  open_polling(u, hs4, 0);
  u.c.handle_ws_open(50000);
  CHECK(u.c.next_deadline() == 50000);
  u.c.handle_post_response(60000);  // no POST in flight: ignored, but the clock moved
  CHECK(u.c.next_deadline() == 60000);
  u.c.handle_timeout(50000);
  CHECK_FALSE(u.c.is_open());
}

TEST_CASE("client: the upgrade, happy path, packets sent during it flushed in order after 5",
          "[polling]") {
  harness h;
  open_polling(h);  // a GET in flight, open_websocket asked
  h.c.handle_ws_open(1);
  auto tx = h.take_tx();
  REQUIRE(tx.size() == 1);
  CHECK(tx[0].action == client_action::ws_send);
  CHECK(tx[0].body == "2probe");
  CHECK(tx[0].kind == frame_kind::text);
  // Before `3probe` polling still writes (flush() is blocked only while `upgrading`).
  REQUIRE(h.c.send(packet_view::text(eio::packet_type::message, "m1"), 2) == errc::none);
  tx = h.take_tx();
  REQUIRE(tx.size() == 1);
  CHECK(tx[0].action == client_action::post);
  CHECK(tx[0].body == "4m1");
  h.c.handle_ws_message(frame_kind::text, "3probe", 3);
  CHECK(h.take_tx().empty());  // paused: waiting for the GET and the POST
  REQUIRE(h.c.send(packet_view::text(eio::packet_type::message, "m2"), 4) == errc::none);
  REQUIRE(h.c.send(packet_view::text(eio::packet_type::message, "m3"), 4) == errc::none);
  h.c.handle_get_response(frame_kind::text, "6", 5);  // the server's noop
  CHECK(h.take_tx().empty());                         // no new GET while pausing
  CHECK(h.c.transport() == transport_kind::polling);
  h.c.handle_post_response(6);
  tx = h.take_tx();
  REQUIRE(tx.size() == 3);
  CHECK(tx[0].action == client_action::ws_send);
  CHECK(tx[0].body == "5");
  CHECK(tx[1].body == "4m2");
  CHECK(tx[2].body == "4m3");
  auto ev = h.take_ev();
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].kind == event_kind::upgrade);
  CHECK(ev[0].transport == transport_kind::websocket);
  CHECK(h.c.transport() == transport_kind::websocket);
  // On the WebSocket: messages, pings.
  h.c.handle_ws_message(frame_kind::text, "4hi", 7);
  h.c.handle_ws_message(frame_kind::text, "2", 8);
  ev = h.take_ev();
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].data == "hi");
  tx = h.take_tx();
  REQUIRE(tx.size() == 1);
  CHECK(tx[0].body == "3");
  CHECK(h.c.next_deadline() == 8 + 45000);
  // Polling is over: late HTTP reports are ignored.
  h.c.handle_http_error(client_action::get, 9);
  CHECK(h.c.is_open());
}

TEST_CASE("client: a ping during the pause is answered after 5 over the WebSocket", "[polling]") {
  harness h;
  open_polling(h);
  h.c.handle_ws_open(1);
  h.c.handle_ws_message(frame_kind::text, "3probe", 2);
  h.take_tx();
  h.c.handle_get_response(frame_kind::text,
                          "2\x1e"
                          "6",
                          3);
  auto tx = h.take_tx();
  REQUIRE(tx.size() == 2);
  CHECK(tx[0].body == "5");
  CHECK(tx[1].body == "3");
}

TEST_CASE("client: probe failures keep polling", "[polling]") {
  SECTION("anything but 3probe: ws_close") {
    harness h;
    open_polling(h);
    h.c.handle_ws_open(1);
    h.take_tx();
    h.c.handle_ws_message(frame_kind::text, "3nope", 2);
    auto tx = h.take_tx();
    REQUIRE(tx.size() == 1);
    CHECK(tx[0].action == client_action::ws_close);
    h.c.handle_ws_message(frame_kind::text, "3probe", 3);  // too late: ignored
    h.c.handle_ws_closed(4, false);
    CHECK(h.c.is_open());
    CHECK(h.take_tx().empty());
    h.c.handle_get_response(frame_kind::text, "4x", 5);
    tx = h.take_tx();
    REQUIRE(tx.size() == 1);
    CHECK(tx[0].action == client_action::get);
    CHECK(h.c.transport() == transport_kind::polling);
  }
  SECTION("the probe socket fails to connect") {
    harness h;
    open_polling(h);
    h.c.handle_ws_closed(1, true);
    CHECK(h.c.is_open());
    CHECK(h.take_tx().empty());  // already closed: nothing to close
    REQUIRE(h.c.send(packet_view::text(eio::packet_type::message, "a"), 2) == errc::none);
    CHECK(h.take_tx()[0].action == client_action::post);
  }
  SECTION("the probe socket closes after 3probe: polling resumes") {
    harness h;
    open_polling(h);
    h.c.handle_ws_open(1);
    REQUIRE(h.c.send(packet_view::text(eio::packet_type::message, "a"), 2) == errc::none);
    h.c.handle_ws_message(frame_kind::text, "3probe", 2);
    REQUIRE(h.c.send(packet_view::text(eio::packet_type::message, "b"), 3) == errc::none);
    h.c.handle_get_response(frame_kind::text, "6", 4);   // the POST of "a" is still in flight
    h.c.handle_get_response(frame_kind::text, "4x", 4);  // no GET in flight: ignored
    CHECK(h.take_ev().empty());
    h.take_tx();
    h.c.handle_ws_closed(5, false);
    auto tx = h.take_tx();
    REQUIRE(tx.size() == 1);
    CHECK(tx[0].action == client_action::get);
    h.c.handle_post_response(6);
    tx = h.take_tx();
    REQUIRE(tx.size() == 1);
    CHECK(tx[0].action == client_action::post);
    CHECK(tx[0].body == "4b");
    CHECK(h.c.transport() == transport_kind::polling);
    CHECK(h.c.is_open());
  }
}

TEST_CASE("client: close() on each transport", "[polling]") {
  SECTION("polling: the queue and the 1 packet in one POST") {
    harness h;
    open_polling(h, hs4_no_upgrade);
    h.c.close(1);
    auto ev = h.take_ev();
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].kind == event_kind::close);
    CHECK(ev[0].reason == close_reason::forced_close);
    auto tx = h.take_tx();
    REQUIRE(tx.size() == 1);
    CHECK(tx[0].action == client_action::post);
    CHECK(tx[0].body == "1");
    h.c.close(2);
    CHECK(h.take_ev().empty());
    CHECK(h.take_tx().empty());
    CHECK(h.c.send(packet_view::text(eio::packet_type::message, "x"), 3) == errc::invalid_state);
  }
  SECTION("polling, messages queued behind a POST: sent after its answer, then 1 alone") {
    // Socket.close(): "closing" while the writeBuffer is not empty; "drain" -> _onClose("forced
    // close") -> transport.close() -> Polling.doClose writes [{type: "close"}] in its own POST.
    harness h;
    open_polling(h, hs4_no_upgrade);
    REQUIRE(h.c.send(packet_view::text(eio::packet_type::message, "a"), 1) == errc::none);
    REQUIRE(h.c.send(packet_view::text(eio::packet_type::message, "b"), 1) == errc::none);
    REQUIRE(h.c.send(packet_view::text(eio::packet_type::message, "c"), 1) == errc::none);
    auto tx = h.take_tx();
    REQUIRE(tx.size() == 1);
    CHECK(tx[0].body == "4a");
    h.c.close(2);
    CHECK(h.take_tx().empty());  // one POST at a time
    CHECK(h.take_ev().empty());  // the close event waits for the drain
    CHECK_FALSE(h.c.is_open());
    CHECK(h.c.is_closing());
    h.c.close(3);  // a second close() does nothing
    CHECK(h.take_tx().empty());
    h.c.handle_post_response(4);
    tx = h.take_tx();
    REQUIRE(tx.size() == 1);
    CHECK(tx[0].action == client_action::post);
    CHECK(tx[0].body == "4b\x1e"
                        "4c");
    CHECK(h.take_ev().empty());
    h.c.handle_post_response(5);
    auto ev = h.take_ev();
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].kind == event_kind::close);
    CHECK(ev[0].reason == close_reason::forced_close);
    tx = h.take_tx();
    REQUIRE(tx.size() == 1);
    CHECK(tx[0].action == client_action::post);
    CHECK(tx[0].body == "1");
    CHECK_FALSE(h.c.is_closing());
    h.c.handle_post_response(6);
    CHECK(h.take_tx().empty());
    CHECK(h.take_ev().empty());
  }
  SECTION("polling, nothing queued behind the POST in flight: 1 after its answer") {
    harness h;
    open_polling(h, hs4_no_upgrade);
    REQUIRE(h.c.send(packet_view::text(eio::packet_type::message, "a"), 1) == errc::none);
    h.take_tx();
    h.c.close(2);
    CHECK(h.take_tx().empty());
    CHECK(h.take_ev().empty());
    h.c.handle_post_response(3);
    auto ev = h.take_ev();
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].reason == close_reason::forced_close);
    auto tx = h.take_tx();
    REQUIRE(tx.size() == 1);
    CHECK(tx[0].body == "1");
  }
  SECTION("polling v3: the queue then 1") {
    harness h(v3_options());
    open_v3(h);
    h.c.close(1);
    auto tx = h.take_tx();
    REQUIRE(tx.size() == 1);
    CHECK(tx[0].body == "1:1");
  }
  SECTION("websocket: ws_close, no 1 packet (BaseWS.doClose only closes the socket)") {
    harness h;
    open_upgraded(h);
    h.c.close(10);
    auto tx = h.take_tx();
    REQUIRE(tx.size() == 1);
    CHECK(tx[0].action == client_action::ws_close);
    auto ev = h.take_ev();
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].reason == close_reason::forced_close);
    h.c.handle_ws_closed(11, false);
    h.c.handle_ws_message(frame_kind::text, "4x", 12);
    CHECK(h.take_ev().empty());
  }
  SECTION("during the probe: the probe socket is closed too") {
    harness h;
    open_polling(h);
    h.c.handle_ws_open(1);
    h.take_tx();
    h.c.close(2);
    auto tx = h.take_tx();
    REQUIRE(tx.size() == 2);
    CHECK(tx[0].action == client_action::ws_close);
    CHECK(tx[1].action == client_action::post);
    CHECK(tx[1].body == "1");
  }
  SECTION("during the pause: the upgrade is dropped, the queue drains over polling, then 1") {
    harness h;
    open_polling(
        h,
        R"(0{"sid":"abc","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":20})");
    h.c.handle_ws_open(1);
    h.c.handle_ws_message(frame_kind::text, "3probe", 2);  // paused; the GET still in flight
    for (const auto d : {"aaaaaaaa"sv, "bbbbbbbb"sv, "cccccccc"sv}) {
      REQUIRE(h.c.send(packet_view::text(eio::packet_type::message, d), 3) == errc::none);
    }
    h.take_tx();
    h.c.close(4);
    auto tx = h.take_tx();
    REQUIRE(tx.size() == 2);
    CHECK(tx[0].action == client_action::ws_close);
    CHECK(tx[1].action == client_action::post);
    CHECK(tx[1].body == "4aaaaaaaa\x1e"
                        "4bbbbbbbb");
    CHECK(h.take_ev().empty());
    h.c.handle_ws_closed(5, false);  // the probe we closed: nothing
    h.c.handle_post_response(6);
    tx = h.take_tx();
    REQUIRE(tx.size() == 1);
    CHECK(tx[0].body == "4cccccccc");
    h.c.handle_post_response(7);
    tx = h.take_tx();
    REQUIRE(tx.size() == 1);
    CHECK(tx[0].body == "1");
    auto ev = h.take_ev();
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].reason == close_reason::forced_close);
  }
  SECTION("before the handshake") {
    harness h;
    h.c.close(0);  // never opened: nothing
    CHECK(h.take_ev().empty());
    REQUIRE(h.c.open(0, 1) == errc::none);
    h.take_tx();
    h.c.close(1);
    auto ev = h.take_ev();
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].reason == close_reason::forced_close);
    CHECK(h.take_tx().empty());
    CHECK(h.c.open(2, 1) == errc::invalid_state);
  }
}

TEST_CASE("client: closing over polling (close() with a POST in flight)", "[polling]") {
  auto closing = [](harness& h) {
    open_polling(h, hs4_no_upgrade);
    REQUIRE(h.c.send(packet_view::text(eio::packet_type::message, "a"), 1) == errc::none);
    REQUIRE(h.c.send(packet_view::text(eio::packet_type::message, "b"), 1) == errc::none);
    h.take_tx();
    h.c.close(2);
    REQUIRE(h.c.is_closing());
    REQUIRE(h.take_ev().empty());
  };
  SECTION("send() is refused with invalid_state, nothing queued") {
    harness h;
    closing(h);
    CHECK(h.c.send(packet_view::text(eio::packet_type::message, "x"), 3) == errc::invalid_state);
    h.c.handle_post_response(4);
    auto tx = h.take_tx();
    REQUIRE(tx.size() == 1);
    CHECK(tx[0].body == "4b");
  }
  SECTION("received packets are handled; a ping re-arms the heartbeat without a pong") {
    harness h;
    closing(h);
    h.c.handle_get_response(frame_kind::text,
                            "4hi\x1e"
                            "2",
                            10);
    auto ev = h.take_ev();
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].kind == event_kind::message);
    CHECK(ev[0].data == "hi");
    auto tx = h.take_tx();
    REQUIRE(tx.size() == 1);  // the next GET (Polling.onData polls while the transport is open)
    CHECK(tx[0].action == client_action::get);
    CHECK(h.c.next_deadline() == 10 + 25000 + 20000);
    h.c.handle_post_response(11);
    tx = h.take_tx();
    REQUIRE(tx.size() == 1);
    CHECK(tx[0].body == "4b");  // no pong: _sendPacket() drops it while closing
  }
  SECTION("a ping timeout while closing closes with ping_timeout") {
    harness h;
    closing(h);
    CHECK(h.c.next_deadline() == 45000);
    h.c.handle_timeout(45000);
    auto ev = h.take_ev();
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].reason == close_reason::ping_timeout);
    CHECK(h.take_tx().empty());  // the POST is still in flight: no second one
    CHECK_FALSE(h.c.is_closing());
    h.c.handle_post_response(45001);
    CHECK(h.take_tx().empty());
    CHECK(h.take_ev().empty());
  }
  SECTION("an HTTP error on the POST closes at once with transport_error") {
    harness h;
    closing(h);
    h.c.handle_http_error(client_action::post, 3);
    auto ev = h.take_ev();
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].reason == close_reason::transport_error);
    auto tx = h.take_tx();
    REQUIRE(tx.size() == 1);  // transport.close(): Polling.doClose writes `1`
    CHECK(tx[0].body == "1");
    h.c.handle_post_response(4);
    CHECK(h.take_tx().empty());
  }
  SECTION("the server's 1 while closing") {
    harness h;
    closing(h);
    h.c.handle_get_response(frame_kind::text, "1", 3);
    auto ev = h.take_ev();
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].reason == close_reason::transport_close);
    CHECK(h.take_tx().empty());
  }
  SECTION("v3: the ping timer stays, no ping is sent while closing") {
    harness h(v3_options());
    open_v3(h);
    REQUIRE(h.c.send(packet_view::text(eio::packet_type::message, "a"), 1) == errc::none);
    h.take_tx();
    h.c.close(2);
    REQUIRE(h.c.is_closing());
    CHECK(h.c.next_deadline() == 1000);
    h.c.handle_timeout(1000);
    CHECK(h.take_tx().empty());
    CHECK(h.c.next_deadline() == 1500);
    h.c.handle_timeout(1500);
    auto ev = h.take_ev();
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].reason == close_reason::ping_timeout);
  }
}

TEST_CASE("client: the server's close packet", "[polling]") {
  SECTION("polling") {
    harness h;
    open_polling(h, hs4_no_upgrade);
    h.c.handle_get_response(frame_kind::text,
                            "4a\x1e"
                            "1\x1e"
                            "4b",
                            1);
    auto ev = h.take_ev();
    REQUIRE(ev.size() == 2);
    CHECK(ev[0].data == "a");
    CHECK(ev[1].kind == event_kind::close);
    CHECK(ev[1].reason == close_reason::transport_close);
    CHECK(h.take_tx().empty());  // the transport is closed: no GET, no `1` back
  }
  SECTION("websocket") {
    harness h;
    open_upgraded(h);
    h.c.handle_ws_message(frame_kind::text, "1", 1);
    auto ev = h.take_ev();
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].reason == close_reason::transport_close);
    auto tx = h.take_tx();
    REQUIRE(tx.size() == 1);
    CHECK(tx[0].action == client_action::ws_close);
  }
}

TEST_CASE("client: transport errors", "[polling]") {
  SECTION("GET failed") {
    harness h;
    open_polling(h, hs4_no_upgrade);
    h.c.handle_http_error(client_action::post, 1);  // no POST in flight: ignored
    CHECK(h.c.is_open());
    h.c.handle_http_error(client_action::get, 2);
    auto ev = h.take_ev();
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].reason == close_reason::transport_error);
    auto tx = h.take_tx();
    REQUIRE(tx.size() == 1);  // transport.close(): Polling.doClose writes `1`
    CHECK(tx[0].body == "1");
  }
  SECTION("handshake GET failed") {
    harness h;
    REQUIRE(h.c.open(0, 1) == errc::none);
    h.take_tx();
    h.c.handle_http_error(client_action::get, 1);
    auto ev = h.take_ev();
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].reason == close_reason::transport_error);
    CHECK(h.take_tx().empty());
  }
  SECTION("POST failed") {
    harness h;
    open_polling(h, hs4_no_upgrade);
    REQUIRE(h.c.send(packet_view::text(eio::packet_type::message, "a"), 1) == errc::none);
    h.take_tx();
    h.c.handle_http_error(client_action::post, 2);
    auto ev = h.take_ev();
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].reason == close_reason::transport_error);
  }
  SECTION("the live WebSocket fails or closes") {
    harness a, b;
    open_upgraded(a);
    open_upgraded(b);
    a.c.handle_ws_closed(1, true);
    b.c.handle_ws_closed(1, false);
    auto ea = a.take_ev(), eb = b.take_ev();
    REQUIRE(ea.size() == 1);
    REQUIRE(eb.size() == 1);
    CHECK(ea[0].reason == close_reason::transport_error);
    CHECK(eb[0].reason == close_reason::transport_close);
    CHECK(a.take_tx().empty());  // the socket is gone already
    CHECK(b.take_tx().empty());
  }
  SECTION("a WebSocket message the codec refuses") {
    harness h;
    open_upgraded(h);
    h.c.handle_ws_message(frame_kind::text, "x", 1);
    auto ev = h.take_ev();
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].reason == close_reason::parse_error);
    CHECK(ev[0].error == errc::unknown_packet_type);
    CHECK(ev[0].offset == 0);
  }
}

TEST_CASE("client: queue limits close the session with queue_full", "[polling]") {
  auto msg = [](std::string_view d) { return packet_view::text(eio::packet_type::message, d); };
  SECTION("messages") {
    eio::client_options o;
    o.max_queued_messages = 2;
    harness h(o);
    open_polling(h, hs4_no_upgrade);
    REQUIRE(h.c.send(msg("1"), 1) == errc::none);  // in flight: not queued any more
    h.take_tx();                                   // (its POST taken by the caller)
    REQUIRE(h.c.send(msg("2"), 1) == errc::none);
    REQUIRE(h.c.send(msg("3"), 1) == errc::none);
    CHECK(h.c.send(msg("4"), 1) == errc::queue_full);
    auto ev = h.take_ev();
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].reason == close_reason::queue_full);
    CHECK(ev[0].error == errc::queue_full);
    CHECK(h.c.send(msg("5"), 1) == errc::invalid_state);
  }
  SECTION("bytes") {
    eio::client_options o;
    o.max_queued_bytes = 10;
    harness h(o);
    open_polling(h, hs4_no_upgrade);
    REQUIRE(h.c.send(msg("in flight"), 1) == errc::none);
    h.take_tx();
    REQUIRE(h.c.send(msg("12345"), 1) == errc::none);
    REQUIRE(h.c.send(msg("12345"), 1) == errc::none);
    CHECK(h.c.send(msg("1"), 1) == errc::queue_full);
    CHECK_FALSE(h.c.is_open());
  }
}

TEST_CASE("client: transmits and events not polled count against the limits", "[polling]") {
  auto msg = [](std::string_view d) { return packet_view::text(eio::packet_type::message, d); };
  SECTION("over a WebSocket a message leaves the queue at once: its transmit counts") {
    eio::client_options o;
    o.max_queued_messages = 3;
    o.initial = transport_kind::websocket;
    harness h(o);
    open_ws(h);
    REQUIRE(h.c.send(msg("1"), 1) == errc::none);
    REQUIRE(h.c.send(msg("2"), 1) == errc::none);
    REQUIRE(h.c.send(msg("3"), 1) == errc::none);
    // The caller takes one and keeps the rest: the engine keeps them too, in order.
    auto t = h.c.poll_transmit();
    REQUIRE(t);
    CHECK(t->body.data == "41");
    REQUIRE(h.c.send(msg("4"), 1) == errc::none);
    auto tx = h.take_tx();
    REQUIRE(tx.size() == 3);
    CHECK(tx[0].body == "42");
    CHECK(tx[1].body == "43");
    CHECK(tx[2].body == "44");
    for (const auto d : {"5"sv, "6"sv, "7"sv}) REQUIRE(h.c.send(msg(d), 2) == errc::none);
    CHECK(h.c.send(msg("8"), 2) == errc::queue_full);
    auto ev = h.take_ev();
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].reason == close_reason::queue_full);
  }
  SECTION("events") {
    // What earlier calls left unpolled counts at the next input; the events of one input are
    // bounded by the decode limits (a polling body is taken whole, as engine.io-client does).
    eio::client_options o;
    o.max_queued_messages = 3;
    harness h(o);
    open_polling(h, hs4_no_upgrade);
    h.c.handle_get_response(frame_kind::text,
                            "4a\x1e"
                            "4b\x1e"
                            "4c\x1e"
                            "4d",
                            1);
    auto e = h.c.poll_event();  // one taken, three left
    REQUIRE(e);
    CHECK(e->packet.data == "a");
    CHECK(h.c.is_open());
    h.c.handle_get_response(frame_kind::text,
                            "4e\x1e"
                            "4f",
                            2);
    auto ev = h.take_ev();
    REQUIRE(ev.size() == 4);
    CHECK(ev[0].data == "b");
    CHECK(ev[2].data == "d");
    CHECK(ev[3].kind == event_kind::close);
    CHECK(ev[3].reason == close_reason::queue_full);
    CHECK(ev[3].error == errc::queue_full);
    CHECK(ev[3].offset == 0);  // the first packet that did not fit: "4e"
  }
}

TEST_CASE("client: one polling body of more messages than max_queued_messages is taken whole",
          "[polling]") {
  // interop burst_150k: 150,000 messages in one body (decode max_packets allows 1,000,000).
  harness h;
  open_polling(h, hs4_no_upgrade);
  std::string body;
  const std::size_t n = 150000;
  body.reserve(n * 3);
  for (std::size_t i = 0; i < n; ++i) {
    if (i != 0) body += '\x1e';
    body += "4x";
  }
  h.c.handle_get_response(frame_kind::text, body, 1);
  std::size_t messages = 0;
  while (auto e = h.c.poll_event()) {
    if (e->kind == event_kind::message) ++messages;
  }
  CHECK(messages == n);
  CHECK(h.c.is_open());
  // Drained: the next body is taken whole too, and the storage it grew is released.
  h.c.handle_get_response(frame_kind::text, body, 2);
  messages = 0;
  while (auto e = h.c.poll_event()) {
    if (e->kind == event_kind::message) ++messages;
  }
  CHECK(messages == n);
  CHECK(h.c.is_open());
  h.c.handle_timeout(3);
  CHECK(h.c.retained_capacity() <= 8 * SIOCODEC_DEFAULT_MAX_RETAINED_BYTES);
}

TEST_CASE("client: drained buffers above max_retained_bytes are released") {
  eio::client_options o;
  o.decode.max_payload = 2000000;
  o.initial = transport_kind::websocket;
  harness h(o);
  REQUIRE(h.c.open(0, 1) == errc::none);
  h.c.handle_ws_open(0);
  h.c.handle_ws_message(frame_kind::text, hs4_no_upgrade, 0);
  h.take_tx();
  h.take_ev();
  const std::string big(1000000, 'x');
  REQUIRE(h.c.send(packet_view::text(eio::packet_type::message, big), 1) == errc::none);
  h.c.handle_ws_message(frame_kind::text, "4" + big, 1);
  CHECK(h.c.retained_capacity() > 2000000);
  h.drain();
  h.c.handle_timeout(2);  // the next call (views handed out stay valid until then)
  CHECK(h.c.retained_capacity() <= 4 * o.max_retained_bytes);
}

TEST_CASE("client: POST bodies stay within maxPayload where the reference's estimate does not",
          "[polling]") {
  // engine.io-client counts a 1-byte binary as 2 bytes; its body is "bAA==" (5) plus the 0x1E:
  // five of them pass its estimate (19 <= 20) and make a 29-byte body the server refuses (413).
  harness h;
  open_polling(
      h,
      R"(0{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":20})");
  const unsigned char one[1] = {};
  REQUIRE(h.c.send(packet_view::text(eio::packet_type::message, "x"), 1) == errc::none);
  for (int i = 0; i < 5; ++i) {
    REQUIRE(h.c.send(packet_view::binary(siocodec::byte_view(one, 1)), 1) == errc::none);
  }
  h.take_tx();  // "4x" in flight
  std::size_t sent = 0;
  for (eio::millis t = 2; t < 10 && sent < 5; ++t) {
    h.c.handle_post_response(t);
    for (const auto& tx : h.take_tx()) {
      REQUIRE(tx.action == client_action::post);
      CHECK(tx.body.size() <= 20);
      for (char c : tx.body) sent += c == 'b' ? 1 : 0;
    }
  }
  CHECK(sent == 5);
  // v3: the length framing counts too ("2:4x" is 4 bytes for 2 of data).
  harness h3(v3_options());
  REQUIRE(h3.c.open(0, 1) == errc::none);
  h3.c.handle_get_response(
      frame_kind::text,
      v3_text_item(
          R"(0{"sid":"abc","upgrades":[],"pingInterval":1000,"pingTimeout":500,"maxPayload":20})"),
      0);
  h3.take_tx();
  h3.take_ev();
  REQUIRE(h3.c.send(packet_view::text(eio::packet_type::message, "x"), 1) == errc::none);
  for (int i = 0; i < 6; ++i) {
    REQUIRE(h3.c.send(packet_view::text(eio::packet_type::message, "yyy"), 1) == errc::none);
  }
  h3.take_tx();
  std::size_t items = 0;
  for (eio::millis t = 2; t < 20 && items < 6; ++t) {
    h3.c.handle_post_response(t);
    for (const auto& tx : h3.take_tx()) {
      if (tx.action != client_action::post) continue;
      CHECK(tx.body.size() <= 20);
      for (std::size_t p = 0; (p = tx.body.find("4yyy", p)) != std::string::npos; ++p) ++items;
    }
  }
  CHECK(items == 6);
}

TEST_CASE("client: send() refuses what it cannot queue", "[polling]") {
  harness h;
  CHECK(h.c.send(packet_view::text(eio::packet_type::message, "x"), 0) == errc::invalid_state);
  REQUIRE(h.c.open(0, 1) == errc::none);
  CHECK(h.c.send(packet_view::text(eio::packet_type::message, "x"), 0) == errc::invalid_state);
  h.c.handle_get_response(frame_kind::text, hs4_no_upgrade, 0);
  CHECK(h.c.send(packet_view::text(eio::packet_type::ping), 0) == errc::invalid_argument);
  CHECK(h.c.send(packet_view::text(eio::packet_type::message, "a\x1e"
                                                              "b"),
                 0) == errc::invalid_argument);  // would split in a v4 polling body
  packet_view bad_b64{eio::packet_type::message, eio::data_kind::base64, "!!"};
  CHECK(h.c.send(bad_b64, 0) == errc::invalid_argument);
  CHECK(h.c.is_open());
  CHECK(h.take_tx().size() == 2);  // only the GETs: nothing was queued
}

TEST_CASE("client: event and transmit views stay valid until the next call, inputs are copied",
          "[polling]") {
  harness h;
  open_polling(h, hs4_no_upgrade);
  std::string body = "4first\x1e"
                     "4second";
  h.c.handle_get_response(frame_kind::text, body, 1);
  body.assign(body.size(), 'X');  // the caller reuses its buffer
  auto e1 = h.c.poll_event();
  REQUIRE(e1);
  auto t1 = h.c.poll_transmit();  // draining transmits does not invalidate events
  REQUIRE(t1);
  auto e2 = h.c.poll_event();
  REQUIRE(e2);
  CHECK(e1->packet.data == "first");
  CHECK(e2->packet.data == "second");
  CHECK(t1->action == client_action::get);
  CHECK_FALSE(h.c.poll_event());
  CHECK(e1->packet.data == "first");
  // The handshake's views live as long as the engine.
  CHECK(h.c.sid() == "abc");
  h.c.handle_get_response(frame_kind::text, "4third", 2);
  CHECK(h.c.sid() == "abc");
}

namespace {

// Runs `round` a few times to let the buffers reach their size, then 1000 times more; returns
// the mallocs of those 1000 (0 where they cannot be counted).
template <class F>
std::size_t steady_state_mallocs(F&& round) {
  for (int i = 0; i < 8; ++i) round();
  return siocodec_test::allocations_during([&] {
    for (int i = 0; i < 1000; ++i) round();
  });
}

}  // namespace

TEST_CASE("client: the steady state allocates nothing", "[polling]") {
  const auto msg = packet_view::text(eio::packet_type::message, "a message from the client");
  eio::millis now = 1;
  std::size_t events = 0, transmits = 0;
  const auto drain = [&](eio::client& c) {
    while (auto t = c.poll_transmit()) transmits += t->body.size();
    while (auto e = c.poll_event()) events += e->packet.data.size();
    ++now;
  };

  harness h;
  open_polling(h, hs4_no_upgrade);
  const std::string body = "4message from the server\x1e"
                           "2";
  CHECK(steady_state_mallocs([&] {
          (void)h.c.send(msg, now);
          h.c.handle_get_response(frame_kind::text, body, now);
          h.c.handle_post_response(now);
          h.c.handle_timeout(now);
          (void)h.c.next_deadline();
          drain(h.c);
        }) == 0);
  CHECK(h.c.is_open());
  CHECK(events == 1008 * "message from the server"sv.size());
  CHECK(transmits > 0);

  // The same over an upgraded WebSocket.
  harness w;
  open_upgraded(w);
  CHECK(steady_state_mallocs([&] {
          (void)w.c.send(msg, now);
          w.c.handle_ws_message(frame_kind::text, "4message from the server", now);
          w.c.handle_ws_message(frame_kind::text, "2", now);
          w.c.handle_timeout(now);
          drain(w.c);
        }) == 0);
  CHECK(w.c.is_open());
  CHECK(events == 2016 * "message from the server"sv.size());
}

TEST_CASE("client: random reports and hostile bodies keep the invariants", "[polling]") {
  // Seeded, so a failure replays: reports in any order, bodies made of valid and broken pieces,
  // clocks that jump back and forth. Invariants after every step: the deadline is never before
  // the last now, nothing follows the close event, views are readable (ASan checks them).
  const std::string_view pieces[] = {hs4,
                                     hs4_no_upgrade,
                                     "0{}",
                                     "2",
                                     "3",
                                     "3probe",
                                     "4hello",
                                     "6",
                                     "1",
                                     "5",
                                     "bAQID",
                                     "b!!",
                                     "9",
                                     "",
                                     "\x1e",
                                     "0",
                                     "4\x1e"
                                     "4",
                                     "2probe",
                                     "40",
                                     "1:2",
                                     "6:b4AQID",
                                     "5:4abcd",
                                     "x"};
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    CAPTURE(seed);
    std::uint64_t st = seed * 0x9E3779B97F4A7C15u;
    const auto next = [&st](std::uint64_t n) {
      st ^= st << 13;
      st ^= st >> 7;
      st ^= st << 17;
      return st % n;
    };
    eio::client_options o;
    o.version = next(2) ? eio::protocol_version::v4 : eio::protocol_version::v3;
    o.initial = next(3) ? transport_kind::polling : transport_kind::websocket;
    o.supports_binary = next(2) != 0;
    o.max_queued_messages = 1 + next(20);
    eio::client c(o);
    eio::millis now = next(1000), last = now;
    REQUIRE(c.open(now, seed) == errc::none);
    bool closed = false;
    for (int step = 0; step < 200; ++step) {
      now = next(8) == 0 ? now - std::min<eio::millis>(now, next(5000)) : now + next(30000);
      std::string body;
      for (std::uint64_t k = 1 + next(3); k != 0; --k) {
        if (!body.empty() && next(2)) body += '\x1e';
        body += pieces[next(std::size(pieces))];
      }
      const auto kind = next(6) == 0 ? frame_kind::binary : frame_kind::text;
      bool told = true;  // the engine was given `now`
      switch (next(10)) {
        case 0: c.handle_ws_open(now); break;
        case 1: c.handle_ws_message(kind, body, now); break;
        case 2: c.handle_ws_closed(now, next(2) != 0); break;
        case 3: c.handle_get_response(kind, body, now); break;
        case 4: c.handle_post_response(now); break;
        case 5: c.handle_http_error(next(2) ? client_action::get : client_action::post, now); break;
        case 6: c.handle_timeout(now); break;
        case 7: (void)c.send(packet_view::text(eio::packet_type::message, body), now); break;
        case 8: {  // exactly at the deadline
          const eio::millis d = c.next_deadline();
          if (d != eio::no_deadline) now = d;
          c.handle_timeout(now);
          break;
        }
        default:
          if (next(10) == 0) {
            c.close(now);
          } else {
            told = false;
          }
          break;
      }
      if (told) last = std::max(last, now);
      if (next(4) != 0) {  // sometimes the caller lets outputs pile up
        while (auto t = c.poll_transmit()) {
          CHECK(std::string(t->query).size() + t->body.size() < 10000000);
        }
        while (auto e = c.poll_event()) {
          CHECK_FALSE(closed);
          if (e->kind == event_kind::close) closed = true;
          CHECK(std::string(e->packet.data).size() <= body.size() + hs4.size());
        }
      }
      const auto d = c.next_deadline();
      INFO("step " << step);
      CHECK((d == eio::no_deadline || d >= last));
      if (closed) CHECK_FALSE(c.is_open());
    }
  }
}
