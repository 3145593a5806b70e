// SPDX-License-Identifier: BSL-1.0
// socketio::recovery_store (socket.io-adapter 2.5 dist/in-memory-adapter.js SessionAwareAdapter:
// broadcast, persistSession, restoreSession, shouldIncludePacket) and the recovery path of
// socketio::server_connection (socket.io 4.8 dist/namespace.js _createSocket, dist/socket.js
// _onclose). The recovering CONNECT is what socket.io-client 4.8 sends (build/cjs/socket.js
// _sendConnectPacket: Object.assign({ pid, offset: this._lastOffset }, auth)).
#include "support/allocations.hpp"
#include "support/catch.hpp"

#include <siocodec/engineio/request.hpp>
#include <siocodec/socketio.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sio = siocodec::socketio;
namespace eio = siocodec::engineio;
using sio::server_event_kind;
using siocodec::byte_view;
using siocodec::errc;

namespace {

// The first message as a WebSocket carries it (`4` + the Socket.IO text).
std::string text_of(const sio::encoded_packet& p) {
  REQUIRE(p.size() >= 1);
  CHECK(p.message(0).type == eio::packet_type::message);
  return "4" + std::string(p.message(0).data);
}

// Broadcasts `name` to `to`; returns its offset (the last argument it carries).
std::string send(sio::recovery_store& s, std::string_view name, const sio::room_filter& to,
                 eio::millis now) {
  auto r = s.broadcast(sio::event(name, 1), to, now);
  REQUIRE(r);
  const std::string t = text_of(**r);
  const std::size_t q = t.rfind(",\"");
  REQUIRE(q != std::string::npos);
  return t.substr(q + 2, t.size() - q - 4);
}

std::vector<std::string> missed(const sio::restored_session& r) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < r.missed_count; ++i) out.push_back(text_of(*r.missed[i]));
  return out;
}

}  // namespace

TEST_CASE("recovery: broadcast appends the offset as the last argument") {
  sio::recovery_options o;
  o.epoch = 0xab;
  sio::recovery_store s(o);
  auto r = s.broadcast(sio::event("news", "hi").nsp("/chat"), {}, 0);
  REQUIRE(r);
  // SessionAwareAdapter.broadcast(): packet.data.push(id).
  CHECK(text_of(**r) == "42/chat,[\"news\",\"hi\",\"ab-0\"]");
  r = s.broadcast(sio::event("news"), {}, 0);
  REQUIRE(r);
  CHECK(text_of(**r) == "42[\"news\",\"ab-1\"]");
  CHECK(s.packet_count() == 2);
  // Packets with an ack are not stored ("the acknowledgement function cannot be serialized").
  CHECK(s.broadcast(sio::event("x").id(3), {}, 0).error() == errc::invalid_argument);
  CHECK(s.broadcast(sio::ack(3), {}, 0).error() == errc::invalid_argument);
  CHECK(s.packet_count() == 2);
}

TEST_CASE("recovery: binary broadcast keeps its attachment") {
  sio::recovery_store s;
  const unsigned char b[] = {7, 7, 7};
  auto r = s.broadcast(sio::event("bin", byte_view(b, 3)), {}, 0);
  REQUIRE(r);
  REQUIRE((*r)->size() == 2);
  CHECK(text_of(**r) == "451-[\"bin\",{\"_placeholder\":true,\"num\":0},\"0-0\"]");
  CHECK((*r)->message(1).data == std::string_view("\x07\x07\x07", 3));
}

TEST_CASE("recovery: restore gives the packets after the offset that the rooms match") {
  sio::recovery_store s;
  const std::string first = send(s, "all-before", {}, 0);
  send(s, "all", {}, 1);
  send(s, "room1", {{"room1"}, {}}, 2);
  send(s, "room2", {{"room2"}, {}}, 3);
  send(s, "to-sid", {{"SID"}, {}}, 4);
  send(s, "all-except-room1", {{}, {"room1"}}, 5);
  send(s, "room2-except-sid", {{"room2", "room1"}, {"SID"}}, 6);
  REQUIRE(s.persist("PID", "SID", {"room1"}, 10) == errc::none);
  CHECK(s.session_count() == 1);
  send(s, "after", {}, 11);
  auto r = s.restore("PID", first, 20);
  REQUIRE(r);
  CHECK(r->sid == "SID");
  CHECK(r->pid == "PID");
  REQUIRE(r->rooms.size() == 1);
  CHECK(r->rooms[0] == "room1");
  const std::vector<std::string> m = missed(*r);
  REQUIRE(m.size() == 4);
  CHECK(m[0] == "42[\"all\",1,\"0-1\"]");
  CHECK(m[1] == "42[\"room1\",1,\"0-2\"]");
  CHECK(m[2] == "42[\"to-sid\",1,\"0-4\"]");
  CHECK(m[3] == "42[\"after\",1,\"0-7\"]");
  // Restored once: the session is forgotten until it disconnects again.
  CHECK(s.session_count() == 0);
  CHECK_FALSE(s.restore("PID", first, 20));
}

TEST_CASE("recovery: restore at the last offset: recovered, nothing missed") {
  sio::recovery_store s;
  const std::string last = send(s, "a", {}, 0);
  REQUIRE(s.persist("P", "S", {}, 0) == errc::none);
  auto r = s.restore("P", last, 1);
  REQUIRE(r);
  CHECK(r->missed_count == 0);
}

TEST_CASE("recovery: unknown pid, unknown or too old offset: no recovery") {
  sio::recovery_options o;
  o.max_packets = 2;
  sio::recovery_store s(o);
  const std::string old = send(s, "a", {}, 0);
  send(s, "b", {}, 0);
  const std::string kept = send(s, "c", {}, 0);  // "a" goes: max_packets
  REQUIRE(s.persist("P", "S", {}, 0) == errc::none);
  CHECK_FALSE(s.restore("nobody", kept, 1));
  CHECK_FALSE(s.restore("P", "0-99", 1));  // never issued
  CHECK_FALSE(s.restore("P", old, 1));     // "the offset may be too old"
  CHECK(s.session_count() == 1);           // still there, as the reference keeps it
  CHECK(s.restore("P", kept, 1));
}

TEST_CASE("recovery: expiry exactly at max_disconnection_duration") {
  sio::recovery_store s;  // 120000, socket.io's default
  const std::string off = send(s, "a", {}, 1000);
  REQUIRE(s.persist("P", "S", {}, 1000) == errc::none);
  // restoreSession(): expired when disconnectedAt + maxDisconnectionDuration < now.
  CHECK(s.restore("P", off, 121000));
  REQUIRE(s.persist("P", "S", {}, 1000) == errc::none);
  CHECK_FALSE(s.restore("P", off, 121001));
  CHECK(s.session_count() == 0);
  CHECK(s.packet_count() == 0);  // the packet expired with it
}

TEST_CASE("recovery: bounds: max_packets, max_bytes, max_sessions, max_rooms") {
  sio::recovery_options o;
  o.max_packets = 3;
  sio::recovery_store s(o);
  for (int i = 0; i < 5; ++i) send(s, "x", {}, 0);
  CHECK(s.packet_count() == 3);

  sio::recovery_options b;
  b.max_bytes = 60;  // three of these packets (`42["x",1,"0-N"]`: 15 bytes, offset 3)
  sio::recovery_store sb(b);
  for (int i = 0; i < 10; ++i) send(sb, "x", {}, 0);
  CHECK(sb.bytes() <= 60);
  CHECK(sb.packet_count() == 3);
  const std::string big(100, 'a');
  CHECK(sb.broadcast(sio::event("x", big), {}, 0).error() == errc::packet_too_large);
  CHECK(sb.packet_count() == 3);

  sio::recovery_options ss;
  ss.max_sessions = 2;
  sio::recovery_store st(ss);
  const std::string off = send(st, "x", {}, 0);
  REQUIRE(st.persist("P1", "S1", {}, 1) == errc::none);
  REQUIRE(st.persist("P2", "S2", {}, 2) == errc::none);
  REQUIRE(st.persist("P3", "S3", {}, 3) == errc::none);  // P1 disconnected first: it goes
  CHECK(st.session_count() == 2);
  CHECK_FALSE(st.restore("P1", off, 4));
  CHECK(st.restore("P3", off, 4));

  sio::recovery_options r;
  r.max_rooms = 1;
  sio::recovery_store sr(r);
  CHECK(sr.persist("P", "S", {"a", "b"}, 0) == errc::invalid_argument);
  CHECK(sr.broadcast(sio::event("x"), {{"a", "b"}, {}}, 0).error() == errc::invalid_argument);
  CHECK(sr.persist("", "S", {}, 0) == errc::invalid_argument);
}

TEST_CASE("recovery: steady state broadcast allocates nothing once the ring is full") {
  sio::recovery_options o;
  o.max_packets = 4;
  sio::recovery_store s(o);
  for (int i = 0; i < 16; ++i) (void)s.broadcast(sio::event("tick", i), {{"room"}, {}}, 0);
  if (!siocodec_test::allocations_counted()) return;
  const std::size_t before = siocodec_test::allocations();
  for (int i = 0; i < 100; ++i) (void)s.broadcast(sio::event("tick", i), {{"room"}, {}}, 0);
  CHECK(siocodec_test::allocations() - before == 0);
}

// --- server_connection with recovery on -----------------------------------------------------

namespace {

struct client_side {
  sio::server_connection c;
  explicit client_side(const sio::server_options& o)
      : c(o, "EIOSIDEIOSIDEIOSIDEI", eio::protocol_version::v4, eio::transport_kind::websocket,
          true, 0) {
    (void)bodies();
    while (c.poll_event()) {
    }
  }
  std::vector<std::string> bodies() {
    std::vector<std::string> out;
    while (auto t = c.poll_transmit()) {
      if (t->action == eio::server_action::ws_send) {
        out.push_back(std::string(t->body.prefix) + std::string(t->body.data));
      }
    }
    return out;
  }
  // The client's CONNECT; the request's pid and offset; accept() from the store.
  sio::server_event request(std::string_view frame, std::string& pid, std::string& offset) {
    c.handle_ws_message(eio::frame_kind::text, frame, 0);
    auto e = c.poll_event();
    REQUIRE(e);
    REQUIRE(e->kind == server_event_kind::connect_request);
    pid = std::string(e->pid);
    offset = std::string(e->offset);
    return *e;
  }
  // request() then accept() from `store` with 30 bytes from `seed`; returns those bytes.
  std::vector<unsigned char> join(std::string_view frame, sio::recovery_store& store,
                                  unsigned char seed, eio::millis now = 0) {
    std::string pid, offset;
    request(frame, pid, offset);
    std::vector<unsigned char> r(30);
    for (std::size_t i = 0; i < r.size(); ++i) r[i] = static_cast<unsigned char>(seed + 3 * i);
    REQUIRE(c.accept("/", byte_view(r.data(), r.size()), now, &store) == errc::none);
    return r;
  }
};

sio::server_options recovering() {
  sio::server_options o;
  o.recovery = true;
  return o;
}

}  // namespace

TEST_CASE("recovery: server_connection: emit stores, transport close persists, CONNECT restores") {
  const sio::server_options o = recovering();
  sio::recovery_store store;
  client_side a(o);
  const auto r1 = a.join("40", store, 1);
  const std::string sid(a.c.sid("/"));
  const std::string p1(eio::make_sid(byte_view(r1.data() + 15, 15)).view());
  auto t = a.bodies();
  REQUIRE(t.size() == 1);
  CHECK(t[0] == "40{\"sid\":\"" + sid + "\",\"pid\":\"" + p1 + "\"}");
  REQUIRE(a.c.set_rooms("/", {"room1"}) == errc::none);
  // socket.js emit() with connectionStateRecovery: through adapter.broadcast (rooms [id]).
  REQUIRE(a.c.emit(sio::event("hi"), 10));
  t = a.bodies();
  REQUIRE(t.size() == 1);
  CHECK(t[0] == "42[\"hi\",\"0-0\"]");
  a.c.handle_ws_closed(20, true);  // transport error: recoverable
  while (a.c.poll_event()) {
  }
  CHECK(store.session_count() == 1);
  // Meanwhile the namespace goes on.
  REQUIRE(store.broadcast(sio::event("m1"), {}, 30));
  REQUIRE(store.broadcast(sio::event("m2"), {{"room2"}, {}}, 31));  // not for this session
  REQUIRE(store.broadcast(sio::event("m3"), {{"room1"}, {}}, 32));

  client_side b(o);
  std::string pid, off;
  const std::string connect = "40{\"pid\":\"" + p1 + "\",\"offset\":\"0-0\",\"token\":\"x\"}";
  b.request(connect, pid, off);
  CHECK(pid == p1);
  CHECK(off == "0-0");
  const auto r2 = std::vector<unsigned char>(30, 2);
  REQUIRE(b.c.accept("/", byte_view(r2.data(), r2.size()), 40, &store) == errc::none);
  t = b.bodies();
  REQUIRE(t.size() == 3);
  // The missed packets in order, then the reply with the same sid and pid (socket.io 4.8 sends
  // them from the Socket constructor, before _onconnect()'s CONNECT).
  CHECK(t[0] == "42[\"m1\",\"0-1\"]");
  CHECK(t[1] == "42[\"m3\",\"0-3\"]");
  CHECK(t[2] == "40{\"sid\":\"" + sid + "\",\"pid\":\"" + p1 + "\"}");
  auto e = b.c.poll_event();
  REQUIRE(e);
  CHECK(e->kind == server_event_kind::connect);
  CHECK(e->recovered);
  CHECK(e->sid == sid);
  CHECK(e->pid == p1);
  REQUIRE(b.c.rooms("/").size() == 1);
  CHECK(b.c.rooms("/")[0] == "room1");
}

TEST_CASE("recovery: server_connection: a namespace disconnect is not persisted") {
  const sio::server_options o = recovering();
  sio::recovery_store store;
  client_side a(o);
  a.join("40", store, 5);
  a.c.handle_ws_message(eio::frame_kind::text, "41", 1);  // "client namespace disconnect"
  while (a.c.poll_event()) {
  }
  CHECK(store.session_count() == 0);
  client_side b(o);
  b.join("40", store, 5);
  REQUIRE(b.c.disconnect("/", 1) == errc::none);  // "server namespace disconnect"
  CHECK(store.session_count() == 0);
}

TEST_CASE("recovery: server_connection: unknown pid: a new session, recovered false") {
  sio::recovery_store store;
  client_side a(recovering());
  const auto r = a.join("40{\"pid\":\"nobody\",\"offset\":\"0-0\"}", store, 9);
  auto t = a.bodies();
  REQUIRE(t.size() == 1);
  CHECK(t[0] == "40{\"sid\":\"" + std::string(eio::make_sid(byte_view(r.data(), 15)).view()) +
                    "\",\"pid\":\"" +
                    std::string(eio::make_sid(byte_view(r.data() + 15, 15)).view()) + "\"}");
  auto e = a.c.poll_event();
  REQUIRE(e);
  CHECK_FALSE(e->recovered);
}

TEST_CASE("recovery: server_connection: recovery off ignores pid and offset") {
  sio::recovery_store store;
  client_side a(sio::server_options{});
  std::string pid, off;
  a.request("40{\"pid\":\"P\",\"offset\":\"0-0\"}", pid, off);
  CHECK(pid.empty());
  const std::vector<unsigned char> r(30, 9);
  REQUIRE(a.c.accept("/", byte_view(r.data(), r.size()), 0, &store) == errc::none);
  REQUIRE(a.c.emit(sio::event("hi"), 0));
  auto t = a.bodies();
  REQUIRE(t.size() == 2);
  CHECK(t[1] == "42[\"hi\"]");  // no offset
  CHECK(store.packet_count() == 0);
}

TEST_CASE("recovery: no offset: nothing by default (socket.io), restored from the position with "
          "recover_without_offset") {
  for (bool on : {false, true}) {
    sio::recovery_options o;
    o.max_packets = 3;
    o.recover_without_offset = on;
    sio::recovery_store s(o);
    send(s, "before", {}, 0);
    const std::uint64_t since = s.position();  // the socket connects here, gets no event
    REQUIRE(s.persist("P", "S", {}, 1, since) == errc::none);
    send(s, "m1", {}, 2);
    send(s, "m2", {}, 3);
    auto r = s.restore("P", "", 4);
    CHECK(r.has_value() == on);
    if (r)
      CHECK(missed(*r) == std::vector<std::string>{"42[\"m1\",1,\"0-1\"]", "42[\"m2\",1,\"0-2\"]"});
    // A packet from `since` on was dropped (max_packets): not restorable.
    REQUIRE(s.persist("P", "S", {}, 5, since) == errc::none);
    send(s, "m3", {}, 6);
    send(s, "m4", {}, 6);
    CHECK_FALSE(s.restore("P", "", 7));
    // persist() without a position never restores without an offset.
    REQUIRE(s.persist("Q", "S", {}, 8) == errc::none);
    CHECK_FALSE(s.restore("Q", "", 8));
  }
}

TEST_CASE("recovery: server_connection: a socket that got no event, recover_without_offset") {
  for (bool on : {false, true}) {
    sio::recovery_options ro;
    ro.recover_without_offset = on;
    sio::recovery_store store(ro);
    client_side a(recovering());
    const auto r1 = a.join("40", store, 1);
    const std::string p1(eio::make_sid(byte_view(r1.data() + 15, 15)).view());
    (void)a.bodies();
    a.c.handle_ws_closed(20, false);
    while (a.c.poll_event()) {
    }
    REQUIRE(store.broadcast(sio::event("m1"), {}, 30));
    client_side b(recovering());
    // socket.io-client 4.8: Object.assign({pid, offset: undefined}, auth): JSON drops the offset.
    b.join("40{\"pid\":\"" + p1 + "\"}", store, 2, 40);
    auto t = b.bodies();
    REQUIRE(t.size() == (on ? 2u : 1u));
    // Recovered: the missed packet, then the reply with the old pid (socket.io 4.8's order).
    CHECK((t.back().find(p1) != std::string::npos) == on);
    if (on) CHECK(t[0] == "42[\"m1\",\"0-0\"]");
    auto e = b.c.poll_event();
    REQUIRE(e);
    CHECK(e->recovered == on);
  }
}

// Found by the Socket.IO simulation (seed 35 of siocodec_sio_simulation): a broadcast that
// evicted every packet kept (max_bytes room for one) returned, and left in the ring, the evicted
// packet instead of the new one, so the client got an old event twice and the new one never.
TEST_CASE("recovery: a broadcast that evicts every kept packet returns and keeps the new one") {
  sio::recovery_options o;
  o.max_bytes = 20;  // one `42["x",1,"0-N"]` (15 bytes + a 3-byte offset), not two
  sio::recovery_store s(o);
  for (const char* name : {"a", "b", "c", "d"}) {
    auto r = s.broadcast(sio::event(name, 1), {}, 0);
    REQUIRE(r);
    CHECK(text_of(**r).find(std::string("[\"") + name + "\"") != std::string::npos);
    CHECK(s.packet_count() == 1);
    CHECK(s.bytes() <= 20);
  }
}
