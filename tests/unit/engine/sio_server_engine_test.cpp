// SPDX-License-Identifier: BSL-1.0
// socketio::server_connection: one TEST_CASE per transition, driven by the frames
// socket.io-client 4.8 sends (build/cjs/socket.js: onopen -> _sendConnectPacket(auth) gives
// `40` / `40/admin,{...}`; emit() gives `42[...]`, with an ack `42<id>[...]`; ack() answers
// `43<id>[...]`; disconnect() sends `41`), and checked against what socket.io 4.8 writes
// (dist/socket.js _onconnect: CONNECT {sid, pid}; dist/client.js connect: CONNECT_ERROR).
#include "support/allocations.hpp"
#include "support/catch.hpp"
#include "unit/engine/sio_refusals.hpp"

#include <siocodec/engineio/request.hpp>
#include <siocodec/socketio.hpp>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace sio = siocodec::socketio;
namespace eio = siocodec::engineio;
using eio::frame_kind;
using eio::server_action;
using eio::transport_kind;
using sio::server_event_kind;
using siocodec::byte_view;
using siocodec::errc;

namespace {

constexpr std::string_view eio_sid = "EIOSIDEIOSIDEIOSIDEI";

struct sent {
  server_action action;
  frame_kind kind;
  std::string body;
};

struct sev {
  server_event_kind kind;
  std::string nsp, sid, pid, offset, query;
  bool recovered;
  std::uint64_t ack_id;
  sio::disconnect_reason reason;
  errc error;
  std::size_t error_offset;
  bool has_packet;
  sio::packet_type type;
  bool has_id;
  std::uint64_t id;
  std::string data;  // default parser: the payload's JSON text
  std::vector<std::string> binary;
  eio::event_kind engine_kind;
  eio::close_reason engine_reason;
};

std::vector<sent> drain(sio::server_connection& c) {
  std::vector<sent> out;
  while (auto t = c.poll_transmit()) {
    out.push_back(
        {t->action, t->body.kind, std::string(t->body.prefix) + std::string(t->body.data)});
  }
  return out;
}

std::vector<std::string> ws_bodies(sio::server_connection& c) {
  std::vector<std::string> out;
  for (const sent& s : drain(c)) {
    if (s.action == server_action::ws_send) out.push_back(s.body);
  }
  return out;
}

std::vector<sev> events(sio::server_connection& c) {
  std::vector<sev> out;
  while (auto e = c.poll_event()) {
    sev s{};
    s.kind = e->kind;
    s.nsp = std::string(e->nsp);
    s.sid = std::string(e->sid);
    s.pid = std::string(e->pid);
    s.offset = std::string(e->offset);
    s.query = std::string(e->query);
    s.recovered = e->recovered;
    s.ack_id = e->ack_id;
    s.reason = e->reason;
    s.error = e->error;
    s.error_offset = e->error_offset;
    s.engine_kind = e->engine_event.kind;
    s.engine_reason = e->engine_event.reason;
    s.has_packet = e->kind == server_event_kind::connect_request ||
                   e->kind == server_event_kind::event || e->kind == server_event_kind::ack;
    if (s.has_packet) {
      s.type = e->packet.type();
      s.has_id = e->packet.id().has_value();
      s.id = s.has_id ? *e->packet.id() : 0;
      if (!e->packet.is_msgpack()) s.data = std::string(e->packet.as_packet_view().data);
      for (const sio::any_value& a : e->packet.arguments()) {
        if (a.is_binary()) s.binary.emplace_back(a.bytes().as_chars());
      }
    }
    out.push_back(s);
  }
  return out;
}

std::vector<unsigned char> random_bytes(unsigned char first = 0) {
  std::vector<unsigned char> r(30);
  for (std::size_t i = 0; i < r.size(); ++i) r[i] = static_cast<unsigned char>(first + i);
  return r;
}

std::string sid_of(const std::vector<unsigned char>& r, std::size_t from = 0) {
  return std::string(eio::make_sid(byte_view(r.data() + from, 15)).view());
}

// A WebSocket session past its open packet (Engine.IO v4 unless said).
sio::server_connection ws(const sio::server_options& o = {},
                          eio::protocol_version v = eio::protocol_version::v4) {
  sio::server_connection c(o, eio_sid, v, transport_kind::websocket, true, 0);
  auto t = drain(c);
  REQUIRE(t.size() == 1);  // the open packet
  if (v == eio::protocol_version::v4) {
    auto e = events(c);
    REQUIRE(e.size() == 1);
    CHECK(e[0].kind == server_event_kind::engine);
    CHECK(e[0].engine_kind == eio::event_kind::open);
  }
  return c;
}

void in(sio::server_connection& c, std::string_view text, eio::millis now = 0) {
  c.handle_ws_message(frame_kind::text, text, now);
}

// `nsp` joined: the client's CONNECT, the request, accept().
std::string join(sio::server_connection& c, std::string_view nsp = "/", unsigned char seed = 0) {
  in(c, nsp == "/" ? std::string("40") : "40" + std::string(nsp) + ",");
  auto e = events(c);
  REQUIRE(e.size() == 1);
  REQUIRE(e[0].kind == server_event_kind::connect_request);
  const auto r = random_bytes(seed);
  REQUIRE(c.accept(nsp, byte_view(r.data(), r.size()), 0) == errc::none);
  (void)drain(c);
  (void)events(c);
  return sid_of(r);
}

void check_closed(std::vector<sev> e, eio::close_reason r) {
  REQUIRE(!e.empty());
  CHECK(e.back().kind == server_event_kind::engine);
  CHECK(e.back().engine_kind == eio::event_kind::close);
  CHECK(e.back().engine_reason == r);
}

}  // namespace

TEST_CASE("sio server: CONNECT to the main namespace, accepted at once: CONNECT {sid}") {
  auto c = ws();
  in(c, "40");
  auto e = events(c);
  REQUIRE(e.size() == 1);
  CHECK(e[0].kind == server_event_kind::connect_request);
  CHECK(e[0].nsp == "/");
  CHECK(e[0].type == sio::packet_type::connect);
  CHECK(e[0].data.empty());
  CHECK(e[0].pid.empty());
  CHECK_FALSE(c.connected("/"));
  const auto r = random_bytes();
  REQUIRE(c.accept("/", byte_view(r.data(), r.size()), 5) == errc::none);
  // socket.js _onconnect(): packet({type: CONNECT, data: {sid, pid}}), pid undefined (dropped
  // by JSON.stringify) without connectionStateRecovery.
  auto t = ws_bodies(c);
  REQUIRE(t.size() == 1);
  CHECK(t[0] == "40{\"sid\":\"" + sid_of(r) + "\"}");
  e = events(c);
  REQUIRE(e.size() == 1);
  CHECK(e[0].kind == server_event_kind::connect);
  CHECK(e[0].nsp == "/");
  CHECK(e[0].sid == sid_of(r));
  CHECK_FALSE(e[0].recovered);
  CHECK(c.connected("/"));
  CHECK(c.connected(""));
  CHECK(c.sid("/") == sid_of(r));
}

TEST_CASE("sio server: CONNECT with auth to a namespace: the request carries the auth") {
  auto c = ws();
  in(c, "40/admin,{\"token\":\"abc\"}");
  auto e = events(c);
  REQUIRE(e.size() == 1);
  CHECK(e[0].nsp == "/admin");
  CHECK(e[0].data == "{\"token\":\"abc\"}");
  const auto r = random_bytes(7);
  REQUIRE(c.accept("/admin", byte_view(r.data(), r.size()), 0) == errc::none);
  auto t = ws_bodies(c);
  REQUIRE(t.size() == 1);
  CHECK(t[0] == "40/admin,{\"sid\":\"" + sid_of(r) + "\"}");
  CHECK(c.connected("/admin"));
  CHECK_FALSE(c.connected("/"));
}

TEST_CASE("sio server: CONNECT reply with recovery on carries the pid") {
  sio::server_options o;
  o.recovery = true;
  auto c = ws(o);
  in(c, "40");
  (void)events(c);
  const auto r = random_bytes();
  // 15 bytes are not enough for an independent pid.
  CHECK(c.accept("/", byte_view(r.data(), 15), 0) == errc::invalid_argument);
  REQUIRE(c.accept("/", byte_view(r.data(), r.size()), 0) == errc::none);
  auto t = ws_bodies(c);
  REQUIRE(t.size() == 1);
  CHECK(t[0] == "40{\"sid\":\"" + sid_of(r) + "\",\"pid\":\"" + sid_of(r, 15) + "\"}");
  auto e = events(c);
  REQUIRE(e.size() == 1);
  CHECK(e[0].pid == sid_of(r, 15));
}

TEST_CASE("sio server: reject: CONNECT_ERROR {message[, data]}; the client may ask again") {
  auto c = ws();
  in(c, "40/admin,");
  (void)events(c);
  // client.js connect(): the reference's answer for a namespace nobody serves.
  REQUIRE(c.reject("/admin", "Invalid namespace", 0) == errc::none);
  auto t = ws_bodies(c);
  REQUIRE(t.size() == 1);
  CHECK(t[0] == "44/admin,{\"message\":\"Invalid namespace\"}");
  CHECK_FALSE(c.connected("/admin"));
  CHECK(c.reject("/admin", "again", 0) == errc::invalid_state);
  in(c, "40/admin,");
  (void)events(c);
  // namespace.js _add(): a middleware error with data: {message: err.message, data: err.data}.
  REQUIRE(c.reject("/admin", "not authorized", sio::object("code", 4), 0) == errc::none);
  t = ws_bodies(c);
  REQUIRE(t.size() == 1);
  CHECK(t[0] == "44/admin,{\"message\":\"not authorized\",\"data\":{\"code\":4}}");
  CHECK(c.engine().is_open());
}

TEST_CASE("sio server: deferred admission: accept() later, after other traffic and time") {
  auto c = ws();
  in(c, "40/a,", 10);
  in(c, "40/b,", 20);
  auto e = events(c);
  REQUIRE(e.size() == 2);
  c.handle_timeout(1000);
  const auto r = random_bytes();
  CHECK(c.accept("/nope", byte_view(r.data(), r.size()), 2000) == errc::invalid_state);
  REQUIRE(c.accept("/b", byte_view(r.data(), r.size()), 2000) == errc::none);
  REQUIRE(c.reject("/a", "no", 2500) == errc::none);
  auto t = ws_bodies(c);
  REQUIRE(t.size() == 2);
  CHECK(t[0].rfind("40/b,{\"sid\":", 0) == 0);
  CHECK(t[1] == "44/a,{\"message\":\"no\"}");
  CHECK(c.accept("/b", byte_view(r.data(), r.size()), 2000) == errc::invalid_state);
}

TEST_CASE("sio server: connect timeout closes a session that joined no namespace in time") {
  auto c = ws();
  CHECK(c.next_deadline() == 25000);  // the first ping comes first
  c.handle_timeout(25000);
  (void)drain(c);     // the ping goes out: only then does a pong answer it
  in(c, "3", 25000);  // pong
  (void)drain(c);
  CHECK(c.next_deadline() == 45000);
  c.handle_timeout(44999);
  CHECK(events(c).empty());
  c.handle_timeout(45000);  // client.js setup(): "no namespace joined yet, close the client"
  auto t = drain(c);
  REQUIRE(!t.empty());
  CHECK(t.back().action == server_action::ws_close);
  check_closed(events(c), eio::close_reason::forced_close);
  CHECK_FALSE(c.engine().is_open());
}

TEST_CASE("sio server: connect timeout: a pending (deferred) request does not stop it") {
  auto c = ws();
  in(c, "40", 100);
  (void)events(c);
  c.handle_timeout(45000);
  check_closed(events(c), eio::close_reason::forced_close);
  const auto r = random_bytes();
  CHECK(c.accept("/", byte_view(r.data(), r.size()), 45001) == errc::invalid_state);
}

TEST_CASE("sio server: connect timeout: a namespace joined in time cancels it") {
  sio::server_options o;
  o.engine.ping_interval = 100000;
  auto c = ws(o);
  join(c);
  CHECK(c.next_deadline() == 100000);
  c.handle_timeout(45000);
  CHECK(c.engine().is_open());
}

TEST_CASE("sio server: events from the client, with and without an ack request") {
  auto c = ws();
  join(c);
  join(c, "/admin");
  in(c, "42[\"hello\",\"world\"]");
  in(c, "42/admin,1[\"with ack\"]");
  auto e = events(c);
  REQUIRE(e.size() == 2);
  CHECK(e[0].kind == server_event_kind::event);
  CHECK(e[0].nsp == "/");
  CHECK(e[0].data == "[\"hello\",\"world\"]");
  CHECK_FALSE(e[0].has_id);
  CHECK(e[1].nsp == "/admin");
  CHECK(e[1].has_id);
  CHECK(e[1].id == 1);
  // socket.js ack(id): packet({id, type: ACK, data: args}).
  REQUIRE(c.send(sio::ack(1, "ok").nsp("/admin"), 0) == errc::none);
  auto t = ws_bodies(c);
  REQUIRE(t.size() == 1);
  CHECK(t[0] == "43/admin,1[\"ok\"]");
}

TEST_CASE("sio server: emit to the client; not connected: invalid_state") {
  auto c = ws();
  CHECK(c.emit(sio::event("hello"), 0).error() == errc::invalid_state);
  join(c);
  auto r = c.emit(sio::event("hello", "world", 1), 0);
  REQUIRE(r);
  CHECK(*r == sio::no_ack);
  auto t = ws_bodies(c);
  REQUIRE(t.size() == 1);
  CHECK(t[0] == "42[\"hello\",\"world\",1]");
  CHECK(c.emit(sio::event("x").nsp("/other"), 0).error() == errc::invalid_state);
  CHECK(c.send(sio::ack(1).nsp("/other"), 0) == errc::invalid_state);
}

TEST_CASE("sio server: binary both ways (attachments across calls)") {
  auto c = ws();
  join(c);
  // socket.io-parser Encoder: `451-["bin",{"_placeholder":true,"num":0}]`, then the buffer as a
  // binary WebSocket message.
  in(c, "451-[\"bin\",{\"_placeholder\":true,\"num\":0}]");
  CHECK(events(c).empty());  // waiting for the attachment
  const std::string bytes("\x01\x02\x03", 3);
  c.handle_ws_message(frame_kind::binary, bytes, 0);
  auto e = events(c);
  REQUIRE(e.size() == 1);
  CHECK(e[0].type == sio::packet_type::binary_event);
  REQUIRE(e[0].binary.size() == 1);
  CHECK(e[0].binary[0] == bytes);
  const unsigned char out[] = {9, 8};
  REQUIRE(c.emit(sio::event("bin", byte_view(out, 2)), 0));
  auto t = drain(c);
  REQUIRE(t.size() == 2);
  CHECK(t[0].body == "451-[\"bin\",{\"_placeholder\":true,\"num\":0}]");
  CHECK(t[1].kind == frame_kind::binary);
  CHECK(t[1].body == std::string("\x09\x08", 2));
}

TEST_CASE("sio server: a large packet's decoder storage is released once it is handled") {
  // Copy mode keeps a packet in the codec until the next decode; an idle connection would keep
  // its last large packet (the example server's interop.hostile.idle_after_large_packet).
  auto c = ws();
  join(c);
  const std::size_t retained = c.options().codec.decode.max_retained_bytes;
  in(c, "451-[\"bin\",{\"_placeholder\":true,\"num\":0}]");
  CHECK(events(c).empty());
  const std::string bytes(4 * retained, 'x');
  c.handle_ws_message(frame_kind::binary, bytes, 0);
  REQUIRE(c.poll_event());  // the packet, its views valid until the next call
  CHECK(c.decoder_bytes() > retained);
  CHECK(!c.poll_event());  // handled: nothing else due
  CHECK(c.decoder_bytes() <= retained);
  // And the next packet decodes as before.
  in(c, "42[\"small\"]");
  auto e = events(c);
  REQUIRE(e.size() == 1);
  CHECK(e[0].data == "[\"small\"]");
}

TEST_CASE("sio server: ack answered: the ack event carries the answer") {
  auto c = ws();
  join(c);
  sio::emit_options o;
  o.want_ack = true;
  auto id = c.emit(sio::event("q", 1), 100, o);
  REQUIRE(id);
  CHECK(*id == 0);  // ids per socket from 0 (socket.js: nsp._ids++)
  auto t = ws_bodies(c);
  REQUIRE(t.size() == 1);
  CHECK(t[0] == "420[\"q\",1]");
  CHECK(c.pending_acks() == 1);
  in(c, "430[\"answer\"]", 200);
  auto e = events(c);
  REQUIRE(e.size() == 1);
  CHECK(e[0].kind == server_event_kind::ack);
  CHECK(e[0].ack_id == 0);
  CHECK(e[0].data == "[\"answer\"]");
  CHECK(c.pending_acks() == 0);
  in(c, "430[\"again\"]", 300);  // answered already: ignored
  CHECK(events(c).empty());
  CHECK(c.engine().is_open());
}

TEST_CASE("sio server: ack timeout exactly at the deadline, once; a late answer is ignored") {
  sio::server_options so;
  so.engine.ping_interval = 1000000;
  auto c = ws(so);
  join(c);
  sio::emit_options o;
  o.want_ack = true;
  o.ack_timeout = 1000;
  auto id = c.emit(sio::event("q"), 100, o);
  REQUIRE(id);
  CHECK(c.next_deadline() == 1100);
  c.handle_timeout(1099);
  CHECK(events(c).empty());
  c.handle_timeout(1100);
  auto e = events(c);
  REQUIRE(e.size() == 1);
  CHECK(e[0].kind == server_event_kind::ack_timeout);
  CHECK(e[0].ack_id == *id);
  CHECK(e[0].nsp == "/");
  c.handle_timeout(5000);
  CHECK(events(c).empty());
  in(c, "430[]", 5000);
  CHECK(events(c).empty());
  CHECK(c.pending_acks() == 0);
}

TEST_CASE("sio server: ack disconnected: the client leaves the namespace first") {
  auto c = ws();
  join(c);
  join(c, "/admin");
  sio::emit_options o;
  o.want_ack = true;
  auto a = c.emit(sio::event("q").nsp("/admin"), 0, o);
  auto b = c.emit(sio::event("q").nsp("/admin"), 0, o);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(*b == 1);
  in(c, "41/admin,");  // socket.js ondisconnect(): "client namespace disconnect"
  auto e = events(c);
  REQUIRE(e.size() == 3);
  CHECK(e[0].kind == server_event_kind::disconnect);
  CHECK(e[0].reason == sio::disconnect_reason::io_client_disconnect);
  CHECK(e[1].kind == server_event_kind::ack_disconnected);
  CHECK(e[1].ack_id == 0);
  CHECK(e[2].ack_id == 1);
  CHECK_FALSE(c.connected("/admin"));
  CHECK(c.connected("/"));
  CHECK(c.pending_acks() == 0);
}

TEST_CASE("sio server: an ACK with an unknown id is ignored") {
  auto c = ws();
  join(c);
  in(c, "4399[\"x\"]");  // socket.js onack(): "bad ack"
  in(c, "43[\"no id\"]");
  CHECK(events(c).empty());
  CHECK(c.engine().is_open());
  CHECK(c.connected("/"));
}

TEST_CASE("sio server: max_pending_acks: queue_full, nothing sent") {
  sio::server_options so;
  so.max_pending_acks = 1;
  auto c = ws(so);
  join(c);
  sio::emit_options o;
  o.want_ack = true;
  REQUIRE(c.emit(sio::event("a"), 0, o));
  (void)drain(c);
  CHECK(c.emit(sio::event("b"), 0, o).error() == errc::queue_full);
  CHECK(drain(c).empty());
}

// The client's `frame`, on a session joined to "/", closes it: the socket disconnects for
// `r`, then the Engine.IO session closes (client.js close(): forced).
// `ec` and `at`: the error and offset the disconnect carries.
void check_closes(std::string_view frame, sio::disconnect_reason r, errc ec, std::size_t at = 0,
                  const sio::server_options& o = {}) {
  auto c = ws(o);
  join(c);
  in(c, frame);
  auto e = events(c);
  REQUIRE(e.size() == 2);
  CHECK(e[0].kind == server_event_kind::disconnect);
  CHECK(e[0].reason == r);
  CHECK(e[0].error == ec);
  CHECK(e[0].error_offset == at);
  check_closed(e, eio::close_reason::forced_close);
  CHECK_FALSE(c.connected("/"));
}

TEST_CASE("sio server: a packet for a namespace not joined closes the session (4.8)") {
  check_closes("42/nope,[\"x\"]", sio::disconnect_reason::parse_error,  // "invalid state"
               errc::unexpected_packet);
}

TEST_CASE("sio server: a CONNECT for a namespace already joined closes the session (4.8)") {
  check_closes("40", sio::disconnect_reason::parse_error, errc::unexpected_packet);
}

TEST_CASE("sio server: a CONNECT_ERROR from the client closes the session (4.8)") {
  check_closes("44{\"message\":\"x\"}", sio::disconnect_reason::parse_error,
               errc::unexpected_packet);
}

TEST_CASE("sio server: a packet the parser refuses closes the session: parse error") {
  check_closes("42[\"unterminated", sio::disconnect_reason::parse_error,  // client.js onerror
               errc::invalid_json_string, 15);                            // the end: unterminated
}

// The disconnect carries the codec's error and offset, the same the codec gives on its own
// (the Engine.IO message's data, without the `4` of the Engine.IO packet type).
TEST_CASE("sio server: a hostile packet: the disconnect carries the codec's errc and offset") {
  for (const std::string_view p : siocodec_test::refused_sio_packets) {
    CAPTURE(p);
    const siocodec_test::refusal want = siocodec_test::codec_refusal(p);
    check_closes("4" + std::string(p), sio::disconnect_reason::parse_error, want.error,
                 want.offset);
  }
}

TEST_CASE("sio server: max_namespaces: one CONNECT too many closes the session") {
  sio::server_options o;
  o.max_namespaces = 1;
  check_closes("40/b,", sio::disconnect_reason::queue_full, errc::queue_full, 0, o);
}

TEST_CASE("sio server: disconnect() sends DISCONNECT and ends the socket") {
  auto c = ws();
  join(c, "/admin");
  CHECK(c.disconnect("/nope", 0) == errc::invalid_state);
  REQUIRE(c.disconnect("/admin", 0) == errc::none);
  auto t = ws_bodies(c);
  REQUIRE(t.size() == 1);
  CHECK(t[0] == "41/admin,");
  auto e = events(c);
  REQUIRE(e.size() == 1);
  CHECK(e[0].kind == server_event_kind::disconnect);
  CHECK(e[0].reason == sio::disconnect_reason::io_server_disconnect);
  CHECK_FALSE(c.connected("/admin"));
}

TEST_CASE("sio server: the transport closes: every namespace disconnects, then the engine event") {
  auto c = ws();
  join(c);
  join(c, "/admin");
  c.handle_ws_closed(10, false);
  auto e = events(c);
  REQUIRE(e.size() == 3);
  CHECK(e[0].kind == server_event_kind::disconnect);
  CHECK(e[0].reason == sio::disconnect_reason::transport_close);
  CHECK(e[1].kind == server_event_kind::disconnect);
  check_closed(e, eio::close_reason::transport_close);
  CHECK_FALSE(c.connected("/"));
  CHECK(c.emit(sio::event("late"), 20).error() == errc::invalid_state);
}

TEST_CASE("sio server: close() sends DISCONNECT for each namespace, then closes") {
  auto c = ws();
  join(c);
  join(c, "/admin");
  c.close(10);
  auto t = drain(c);
  REQUIRE(t.size() == 3);
  CHECK(t[0].body == "41");
  CHECK(t[1].body == "41/admin,");
  CHECK(t[2].action == server_action::ws_close);
  auto e = events(c);
  REQUIRE(e.size() == 3);
  CHECK(e[0].reason == sio::disconnect_reason::io_server_disconnect);
  check_closed(e, eio::close_reason::forced_close);
}

TEST_CASE("sio server: shutdown(): server shutting down, no DISCONNECT packets") {
  auto c = ws();
  join(c);
  c.shutdown(10);
  auto t = drain(c);
  REQUIRE(t.size() == 1);
  CHECK(t[0].action == server_action::ws_close);
  auto e = events(c);
  REQUIRE(e.size() == 2);
  CHECK(e[0].reason == sio::disconnect_reason::server_shutting_down);
}

// A polling session joined to "/", the CONNECT reply taken by a GET, no GET held.
sio::server_connection polling_joined() {
  sio::server_connection c({}, eio_sid, eio::protocol_version::v4, transport_kind::polling, true,
                           0);
  c.handle_get(0);
  (void)drain(c);
  (void)events(c);
  c.handle_post(frame_kind::text, "40", 0);
  (void)drain(c);
  (void)events(c);
  const auto r = random_bytes();
  REQUIRE(c.accept("/", byte_view(r.data(), r.size()), 0) == errc::none);
  c.handle_get(0);
  (void)drain(c);
  (void)events(c);
  return c;
}

TEST_CASE("sio server: volatile emit is dropped while polling has no GET held") {
  auto c = polling_joined();
  sio::emit_options o;
  o.volatile_packet = true;
  REQUIRE(c.emit(sio::event("v"), 0, o));
  c.handle_get(0);  // held: nothing was queued
  CHECK(drain(c).empty());
  REQUIRE(c.emit(sio::event("v2"), 0, o));  // writable now
  auto t = drain(c);
  REQUIRE(t.size() == 1);
  CHECK(t[0].body == "42[\"v2\"]");
}

TEST_CASE("sio server: broadcast: one encoded_packet to several connections, bytes identical") {
  std::vector<sio::server_connection> cs;
  cs.reserve(3);
  for (int i = 0; i < 3; ++i) {
    cs.push_back(ws());
    join(cs.back());
  }
  sio::codec codec(sio::parser_kind::json);
  const unsigned char bin[] = {1, 2};
  auto p = sio::encoded_packet::encode(sio::event("news", "hi", byte_view(bin, 2)), codec);
  REQUIRE(p);
  REQUIRE(p->size() == 2);  // encoded once: the text message and its attachment
  std::vector<std::vector<sent>> got;
  for (auto& c : cs) {
    REQUIRE(c.send_encoded(*p, 0) == errc::none);
    got.push_back(drain(c));
  }
  REQUIRE(got[0].size() == 2);
  CHECK(got[0][0].body == "451-[\"news\",\"hi\",{\"_placeholder\":true,\"num\":0}]");
  CHECK(got[0][1].body == std::string("\x01\x02", 2));
  for (const auto& g : got) {
    REQUIRE(g.size() == 2);
    CHECK(g[0].body == got[0][0].body);
    CHECK(g[1].body == got[0][1].body);
  }
  // Another parser's packet is refused.
  sio::codec mp(sio::parser_kind::msgpack);
  auto q = sio::encoded_packet::encode(sio::event("news"), mp);
  REQUIRE(q);
  CHECK(cs[0].send_encoded(*q, 0) == errc::invalid_argument);
}

TEST_CASE("sio server: protocol v4 (socket.io 2.x): main namespace asked at open, ERROR") {
  auto c = ws({}, eio::protocol_version::v3);
  auto e = events(c);
  REQUIRE(e.size() == 2);
  CHECK(e[0].kind == server_event_kind::engine);
  CHECK(e[0].engine_kind == eio::event_kind::open);
  CHECK(e[1].kind == server_event_kind::connect_request);  // index.js onconnection: connect('/')
  CHECK(e[1].nsp == "/");
  const auto r = random_bytes();
  REQUIRE(c.accept("/", byte_view(), 0) == errc::none);  // v4: the sid is the Engine.IO one
  auto t = ws_bodies(c);
  REQUIRE(t.size() == 1);
  CHECK(t[0] == "40");  // socket.js (2.x) onconnect(): packet({type: CONNECT})
  CHECK(c.sid("/") == eio_sid);
  (void)events(c);
  // socket.io-client 2.x: the query goes in the namespace of the CONNECT.
  in(c, "40/admin?token=abc,");
  e = events(c);
  REQUIRE(e.size() == 1);
  CHECK(e[0].nsp == "/admin");
  CHECK(e[0].query == "token=abc");
  REQUIRE(c.reject("/admin", "not authorized", 0) == errc::none);
  t = ws_bodies(c);
  REQUIRE(t.size() == 1);
  // socket.error(err.data || err.message); 3.4.5's Encoder gives `4/admin,"not authorized"`.
  CHECK(t[0] == "44/admin,\"not authorized\"");
  in(c, "40/chat,");
  (void)events(c);
  REQUIRE(c.accept("/chat", byte_view(r.data(), r.size()), 0) == errc::none);
  CHECK(c.sid("/chat") == "/chat#" + std::string(eio_sid));
  t = ws_bodies(c);
  REQUIRE(t.size() == 1);
  CHECK(t[0] == "40/chat,");  // socket.io-parser 3.4.5 Encoder: {type: 0, nsp: "/chat"}
  in(c, "42/nope,[\"x\"]");   // 2.x: "no socket for namespace": ignored
  in(c, "42/chat,1[\"hi\"]");
  e = events(c);
  REQUIRE(e.size() == 2);
  CHECK(e[0].kind == server_event_kind::connect);
  CHECK(e[1].kind == server_event_kind::event);
  CHECK(e[1].id == 1);
  CHECK(c.engine().is_open());
}

TEST_CASE("sio server: msgpack parser: CONNECT, reply, event") {
  sio::server_options o;
  o.parser = sio::parser_kind::msgpack;
  auto c = ws(o);
  sio::codec client(sio::parser_kind::msgpack);
  std::string storage;
  auto feed = [&](const auto& builder) {
    storage.clear();
    REQUIRE(client.encode(builder, storage, [&](const eio::packet_view& m) {
      c.handle_ws_message(m.kind == eio::data_kind::binary ? frame_kind::binary : frame_kind::text,
                          m.data, 0);
    }));
  };
  feed(sio::connect("/"));
  auto e = events(c);
  REQUIRE(e.size() == 1);
  CHECK(e[0].kind == server_event_kind::connect_request);
  const auto r = random_bytes();
  REQUIRE(c.accept("/", byte_view(r.data(), r.size()), 0) == errc::none);
  auto t = drain(c);
  REQUIRE(t.size() == 1);
  CHECK(t[0].kind == frame_kind::binary);
  auto reply = client.decode(t[0].body, frame_kind::binary);
  REQUIRE(reply);
  CHECK(reply->type() == sio::packet_type::connect);
  sio::any_value sidv;
  REQUIRE(reply->data().find("sid", sidv));
  CHECK(sidv.string_equals(sid_of(r)));
  feed(sio::event("hello", 42).id(3));
  e = events(c);
  REQUIRE(e.size() == 2);
  CHECK(e[0].kind == server_event_kind::connect);
  CHECK(e[1].kind == server_event_kind::event);
  CHECK(e[1].id == 3);
}

TEST_CASE("sio server: steady state: no allocation per event in, emit out, ack") {
  if (!siocodec_test::allocations_counted()) return;
  sio::server_options so;
  so.engine.ping_interval = 100000000;
  so.engine.ping_timeout = 100000000;
  auto c = ws(so);
  join(c);
  sio::emit_options o;
  o.want_ack = true;
  o.ack_timeout = 1000;
  std::size_t seen = 0;
  auto round = [&](eio::millis now) {
    in(c, "42[\"chat\",\"hello there\",12345]", now);
    while (auto e = c.poll_event()) seen += e->packet.arguments().size();
    (void)c.emit(sio::event("chat", "answer", 678), now);
    auto id = c.emit(sio::event("q", 1), now, o);
    (void)id;
    while (auto t = c.poll_transmit()) seen += t->body.data.size();
    in(c, "430[\"a\"]", now);  // answers ids 0.. in turn below
    while (auto e = c.poll_event()) seen += e->ack_id == sio::no_ack ? 0u : 1u;
    c.handle_timeout(now + 2000);
    while (auto e = c.poll_event()) ++seen;
  };
  for (eio::millis i = 0; i < 8; ++i) round(i * 3000);
  const std::size_t before = siocodec_test::allocations();
  for (eio::millis i = 8; i < 108; ++i) round(i * 3000);
  CHECK(siocodec_test::allocations() - before == 0);
  CHECK(seen > 0);
}

TEST_CASE("sio server: after a violation, the rest of the POST body is ignored") {
  auto c = polling_joined();
  const auto r = random_bytes();
  // One body: a packet for a namespace not joined (invalid state: close), then a CONNECT and an
  // event the closing session must not act on.
  c.handle_post(frame_kind::text,
                "42/nope,[\"x\"]\x1e"
                "40/a,\x1e"
                "42[\"late\"]",
                0);
  auto e = events(c);
  REQUIRE(e.size() == 1);
  CHECK(e[0].kind == server_event_kind::disconnect);
  CHECK(e[0].reason == sio::disconnect_reason::parse_error);
  CHECK(c.accept("/a", byte_view(r.data(), r.size()), 0) == errc::invalid_state);
  CHECK(c.emit(sio::event("x"), 0).error() == errc::invalid_state);
  c.handle_get(0);  // carries the close packet
  check_closed(events(c), eio::close_reason::forced_close);
}

TEST_CASE("sio server: seeded random runs: every ack resolves exactly once, deadlines ahead") {
  // A client sending joins, leaves, events, answers for any id, garbage; an application that
  // accepts, rejects, emits with and without ack deadlines, disconnects; time moving (and
  // sometimes stepping back); the transport closing. After each step: the deadline is never
  // behind the clock, no ack resolves twice or unasked, the registry stays within its limit;
  // after the close, every ack has resolved.
  const char* const nsps[] = {"/", "/a", "/b"};
  std::size_t resolved = 0;
  for (std::uint32_t seed = 1; seed <= 40; ++seed) {
    std::uint32_t x = seed * 2654435761u;
    auto rnd = [&x](std::uint32_t n) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      return x % n;
    };
    sio::server_options so;
    so.max_pending_acks = 8;
    so.max_namespaces = 3;
    sio::server_connection c(so, eio_sid, eio::protocol_version::v4, transport_kind::websocket,
                             true, 0);
    std::map<std::string, unsigned> epoch;                                 // per namespace
    std::map<std::tuple<std::string, unsigned, std::uint64_t>, int> acks;  // 0 open, 1 resolved
    eio::millis now = 0, seen_now = 0;
    bool closed = false;
    std::set<std::string> asked;  // CONNECT sent, not answered or left yet
    const auto r = random_bytes();
    for (int step = 0; step < 400 && !closed; ++step) {
      const std::string nsp = nsps[rnd(3)];
      const std::string pre = nsp == "/" ? "" : nsp + ",";
      // A client that follows the protocol but for rare garbage: packets only on namespaces
      // it joined, a CONNECT only for one it has not asked for (else: invalid state, closed).
      const bool joined = c.connected(nsp);
      const unsigned op = rnd(12);
      if (op <= 3 && !joined) {
        if (asked.insert(nsp).second) in(c, "40" + pre, now);
        continue;
      }
      switch (op) {
        case 0:
        case 1:
          in(c, "41" + pre, now);
          asked.erase(nsp);
          break;
        case 2: in(c, "42" + pre + "[\"e\"," + std::to_string(rnd(9)) + "]", now); break;
        case 3: in(c, "43" + pre + std::to_string(rnd(6)) + "[]", now); break;
        case 4: (void)c.accept(nsp, byte_view(r.data(), r.size()), now); break;
        case 5:
          if (c.reject(nsp, "no", now) == errc::none) asked.erase(nsp);
          break;
        case 6:
        case 7: {
          sio::emit_options o;
          o.want_ack = rnd(4) != 0;
          o.ack_timeout = rnd(3) * 500;
          auto id = c.emit(sio::event("q").nsp(nsp), now, o);
          if (id && *id != sio::no_ack) {
            CHECK(acks.emplace(std::make_tuple(nsp, epoch[nsp], *id), 0).second);
          }
          break;
        }
        case 8:
          if (c.disconnect(nsp, now) == errc::none) asked.erase(nsp);
          break;
        case 9: now = rnd(8) == 0 && now > 300 ? now - 300 : now + rnd(1500); break;
        case 10: c.handle_timeout(now); break;
        default:
          if (rnd(30) == 0) {
            c.handle_ws_closed(now, rnd(2) == 0);
          } else if (rnd(100) == 0) {
            in(c, "4garbage", now);
          } else {
            in(c, "3", now);  // pong
          }
      }
      if (op != 9 && now > seen_now) seen_now = now;  // the latest `now` the connection saw
      while (auto t = c.poll_transmit()) {
      }
      while (auto e = c.poll_event()) {
        const std::string n(e->nsp);
        switch (e->kind) {
          case server_event_kind::connect: ++epoch[n]; break;
          case server_event_kind::ack:
          case server_event_kind::ack_timeout:
          case server_event_kind::ack_disconnected: {
            auto it = acks.find(std::make_tuple(n, epoch[n], e->ack_id));
            REQUIRE(it != acks.end());
            CHECK(it->second == 0);
            it->second = 1;
            break;
          }
          case server_event_kind::engine:
            if (e->engine_event.kind == eio::event_kind::close) closed = true;
            break;
          default: break;
        }
      }
      CHECK(c.next_deadline() >= seen_now);
      CHECK(c.pending_acks() <= so.max_pending_acks);
    }
    if (!closed) {
      c.handle_ws_closed(now, false);
      while (auto e = c.poll_event()) {
        if (e->kind == server_event_kind::ack_disconnected) {
          const std::string n(e->nsp);
          auto it = acks.find(std::make_tuple(n, epoch[n], e->ack_id));
          REQUIRE(it != acks.end());
          CHECK(it->second == 0);
          it->second = 1;
        }
      }
    }
    for (const auto& a : acks) CHECK(a.second == 1);
    resolved += acks.size();
    CHECK(c.pending_acks() == 0);
  }
  CHECK(resolved > 100);  // the runs do exercise the registry
}

TEST_CASE("sio server: polling: a binary event and its b<base64> attachment in one POST body") {
  auto c = polling_joined();
  // socket.io-client 4.8 over polling: engine.io-parser encodePayload joins the text packet and
  // the attachment as `b` + base64 with \x1e.
  c.handle_post(frame_kind::text,
                "451-[\"bin\",{\"_placeholder\":true,\"num\":0}]\x1e"
                "bAQID",
                0);
  (void)drain(c);  // the POST's 200 ok
  auto e = events(c);
  REQUIRE(e.size() == 1);
  CHECK(e[0].kind == server_event_kind::event);
  REQUIRE(e[0].binary.size() == 1);
  CHECK(e[0].binary[0] == std::string("\x01\x02\x03", 3));
  const unsigned char out[] = {4, 5};
  REQUIRE(c.emit(sio::event("bin", byte_view(out, 2)), 0));
  c.handle_get(0);
  auto t = drain(c);
  REQUIRE(t.size() == 1);
  CHECK(t[0].body == "451-[\"bin\",{\"_placeholder\":true,\"num\":0}]\x1e"
                     "bBAU=");
}
