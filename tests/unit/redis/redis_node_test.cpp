// SPDX-License-Identifier: BSL-1.0
// socketio::redis::node alone: what it does with the bytes @socket.io/redis-adapter 8.3.0
// publishes (tests/reference/redis/vectors.jsonl), what it answers (compared with the bytes the
// reference answers with), its own requests with the reference's aggregation and timeouts,
// hostile input and its limits.
#include <siocodec/redis.hpp>

#include "support/catch.hpp"
#include "support/hex.hpp"

#include <fstream>
#include <string>
#include <string_view>
#include <vector>

using siocodec::byte_view;
using siocodec::errc;
namespace sio = siocodec::socketio;
namespace redis = siocodec::socketio::redis;
using IK = redis::incoming_kind;
using EK = redis::node_event_kind;
using T = redis::request_type;

namespace {

// The bytes of the `nth` vector of `kind` named `name`.
std::string vector_bytes(std::string_view kind, std::string_view name, int nth = 0) {
  std::ifstream in(SIOCODEC_TEST_DATA_DIR "/reference/redis/vectors.jsonl", std::ios::binary);
  const std::string tag =
      "\"kind\":\"" + std::string(kind) + "\",\"name\":\"" + std::string(name) + "\",";
  std::string line;
  while (std::getline(in, line)) {
    if (line.find(tag) == std::string::npos || nth-- > 0) continue;
    const std::size_t at = line.find("\"hex\":\"");
    REQUIRE(at != std::string::npos);
    const std::size_t from = at + 7;
    return siocodec_test::unhex(line.substr(from, line.find('"', from) - from));
  }
  FAIL("no vector " << kind << " " << name);
  return {};
}

struct fake_socket {
  std::string id;
  std::vector<std::string> rooms;  // joined, besides its id
  std::string data = "{}";
};

// The local server: a list of sockets.
class fake_server final : public redis::local_sockets {
 public:
  std::vector<fake_socket> sockets;
  mutable int visits = 0;

  void for_each(redis::socket_visitor& v) const override {
    ++visits;
    for (const fake_socket& s : sockets) {
      std::vector<std::string_view> rooms{s.id};
      rooms.insert(rooms.end(), s.rooms.begin(), s.rooms.end());
      redis::local_socket l;
      l.id = s.id;
      l.rooms = redis::room_list(rooms);
      l.data_json = s.data;
      l.handshake = handshake;
      if (!v.visit(l)) return;
    }
  }
  redis::socket_handshake handshake;
};

std::vector<redis::publish> drain(redis::node& n) {
  std::vector<redis::publish> out;
  while (auto p = n.poll_transmit()) out.push_back(std::move(*p));
  return out;
}

std::vector<redis::node_event> events(redis::node& n) {
  std::vector<redis::node_event> out;
  while (auto e = n.poll_event()) out.push_back(std::move(*e));
  return out;
}

byte_view bytes(const std::string& s) { return byte_view(s); }

}  // namespace

TEST_CASE("redis node: channels") {
  fake_server srv;
  redis::node n("/admin", "me0001", srv);
  CHECK(n.broadcast_pattern() == "socket.io#/admin#*");
  CHECK(n.request_channel() == "socket.io-request#/admin#");
  CHECK(n.response_channel() == "socket.io-response#/admin#");
  CHECK(n.specific_response_channel() == "socket.io-response#/admin#me0001#");
  redis::node_options o;
  o.key = "app";
  redis::node k("/", "u", srv, o);
  CHECK(k.request_channel() == "app-request#/#");
}

TEST_CASE("redis node: a broadcast of another node is delivered, its own and others' not") {
  fake_server srv;
  srv.sockets = {{"s1", {"room1"}}};
  redis::node n("/", "me0001", srv);
  const std::string all = vector_bytes("adapter.broadcast", "all");
  auto r = n.on_message("socket.io#/#", bytes(all), 0);
  REQUIRE(r);
  CHECK(r.offset() == all.size());
  CHECK(r->kind == IK::broadcast);
  CHECK(r->requester == "node01");
  CHECK(r->packet.nsp == "/");
  CHECK(r->packet.data.size() == 4);
  CHECK((!r->rooms.exists() || r->rooms.size() == 0));

  // One room: delivered when a local socket is in it, else dropped without decoding.
  const std::string one = vector_bytes("adapter.broadcast", "to.one");
  r = n.on_message("socket.io#/#room1#", bytes(one), 0);
  REQUIRE(r);
  CHECK(r->kind == IK::broadcast);
  CHECK(sio::redis::reaches(r->rooms, r->except, redis::room_list()) == false);
  const std::string garbage = "\xc1\xc1";
  r = n.on_message("socket.io#/#other#", bytes(garbage), 0);
  REQUIRE(r);
  CHECK(r->kind == IK::none);

  // Its own uid: dropped.
  redis::node self("/", "node01", srv);
  r = self.on_message("socket.io#/#", bytes(all), 0);
  REQUIRE(r);
  CHECK(r->kind == IK::none);
  // Another namespace's node sees none of it (the channel is not its own).
  redis::node admin("/admin", "me0002", srv);
  r = admin.on_message("socket.io#/#", bytes(all), 0);
  CHECK(r.error() == errc::invalid_namespace);
  CHECK(drain(n).empty());
}

TEST_CASE("redis node: hostile messages give typed errors with offsets and are dropped") {
  fake_server srv;
  srv.sockets = {{"s1", {}}};
  redis::node n("/", "me0001", srv);
  // A broadcast whose packet type is wrong: the decoder's error and offset.
  std::string bad = vector_bytes("adapter.broadcast", "all");
  const std::size_t type_at = bad.find("\xa4type") + 5;
  bad[type_at] = 0x09;
  auto r = n.on_message("socket.io#/#", bytes(bad), 0);
  CHECK(r.error() == errc::unknown_packet_type);
  CHECK(r.offset() == type_at);
  // Truncated msgpack.
  const std::string cut = vector_bytes("adapter.broadcast", "all").substr(0, 20);
  r = n.on_message("socket.io#/#", bytes(cut), 0);
  CHECK(r.error() == errc::invalid_msgpack);
  // Requests: JSON errors, a type out of range, a member of the wrong kind.
  const std::string j1 = R"({"uid":"x","requestId":"r","type":5,"opts":{"rooms":3}})";
  r = n.on_message("socket.io-request#/#", bytes(j1), 0);
  CHECK(r.error() == errc::invalid_payload);
  CHECK(r.offset() == j1.find("{\"rooms"));
  const std::string j2 = R"({"uid":"x","type":12})";
  r = n.on_message("socket.io-request#/#", bytes(j2), 0);
  CHECK(r.error() == errc::unknown_packet_type);
  CHECK(r.offset() == j2.find("12"));
  const std::string j3 = R"({"requestId":"r","rooms":[1,)";
  r = n.on_message("socket.io-response#/#", bytes(j3), 0);
  CHECK(r.error() == errc::invalid_json);
  // Channels of nothing this node listens to.
  r = n.on_message("socket.io-requests#/#", bytes(j2), 0);
  CHECK(r.error() == errc::invalid_namespace);
  r = n.on_message("socket.io#/#room", bytes(j2), 0);
  CHECK(r.error() == errc::invalid_argument);
  CHECK(drain(n).empty());
  CHECK(events(n).empty());
  CHECK(n.queued_bytes() == 0);
}

TEST_CASE("redis node: requests of other nodes answered as the reference answers them") {
  fake_server srv;
  srv.sockets = {{"sid2", {"room1", "room2"}, R"({"user":"sid2","n":1})"}};
  srv.handshake.headers_json = R"({"host":"localhost"})";
  srv.handshake.time = "Mon Dec 07 2026";
  srv.handshake.address = "::1";
  srv.handshake.issued = 1796000000000;
  srv.handshake.url = "/socket.io/?EIO=4&transport=websocket";
  srv.handshake.query_json = R"({"EIO":"4","transport":"websocket"})";
  srv.handshake.auth_json = R"({"token":"t"})";
  redis::node n("/", "me0001", srv);

  // fetchSockets: byte for byte the reference's answer for the same socket.
  const std::string fetch =
      R"({"uid":"node01","requestId":"q5","type":5,"opts":{"rooms":[],"except":[]}})";
  auto r = n.on_message("socket.io-request#/#", bytes(fetch), 0);
  REQUIRE(r);
  CHECK(r->kind == IK::none);
  auto out = drain(n);
  REQUIRE(out.size() == 1);
  CHECK(out[0].channel == "socket.io-response#/#");
  CHECK(out[0].message == vector_bytes("adapter.response", "fetch_sockets"));

  // The reference's fetch_sockets request (rooms ["r"], except ["x"]) selects none of them.
  const std::string fetch_none = vector_bytes("adapter.request", "fetch_sockets");
  r = n.on_message("socket.io-request#/#", bytes(fetch_none), 0);
  REQUIRE(r);
  out = drain(n);
  REQUIRE(out.size() == 1);
  CHECK(out[0].message == R"({"requestId":"000006","sockets":[]})");

  // allRooms: every room with a local socket, its own id's among them.
  const std::string all_rooms = vector_bytes("adapter.request", "all_rooms");
  r = n.on_message("socket.io-request#/#", bytes(all_rooms), 0);
  REQUIRE(r);
  out = drain(n);
  REQUIRE(out.size() == 1);
  CHECK(out[0].message == R"({"requestId":"000005","rooms":["sid2","room1","room2"]})");

  // publishOnSpecificResponseChannel: to the requester's own channel.
  redis::node_options o;
  o.publish_on_specific_response_channel = true;
  redis::node s("/", "me0002", srv, o);
  r = s.on_message("socket.io-request#/#", bytes(all_rooms), 0);
  REQUIRE(r);
  out = drain(s);
  REQUIRE(out.size() == 1);
  CHECK(out[0].channel == "socket.io-response#/#node01#");
}

TEST_CASE("redis node: socketsJoin / socketsLeave / disconnectSockets are handed to the server") {
  fake_server srv;
  srv.sockets = {{"s1", {"r"}}};
  redis::node n("/", "me0001", srv);
  const std::string join = vector_bytes("adapter.request", "join_leave_disconnect", 0);
  auto r = n.on_message("socket.io-request#/#", bytes(join), 0);
  REQUIRE(r);
  CHECK(r->kind == IK::join);
  CHECK(r->target_rooms.size() == 2);
  const std::string_view s1_rooms[] = {"s1", "r"};
  CHECK(redis::reaches(r->rooms, r->except, redis::room_list(s1_rooms, 2)));
  const std::string leave = vector_bytes("adapter.request", "join_leave_disconnect", 1);
  r = n.on_message("socket.io-request#/#", bytes(leave), 0);
  REQUIRE(r);
  CHECK(r->kind == IK::leave);
  const std::string disc = vector_bytes("adapter.request", "join_leave_disconnect", 2);
  r = n.on_message("socket.io-request#/#", bytes(disc), 0);
  REQUIRE(r);
  CHECK(r->kind == IK::disconnect);
  CHECK(r->close);
  CHECK(drain(n).empty());  // the 8.x forms have no answer

  // The 7.x form: applied and acknowledged when the socket is here, ignored otherwise.
  const std::string legacy = R"({"requestId":"q2","sid":"s1","room":"x","type":2})";
  r = n.on_message("socket.io-request#/#", bytes(legacy), 0);
  REQUIRE(r);
  CHECK(r->kind == IK::join);
  REQUIRE(r->sid);
  CHECK(*r->sid == "s1");
  auto out = drain(n);
  REQUIRE(out.size() == 1);
  CHECK(out[0].message == vector_bytes("adapter.response", "remote_join.legacy"));
  const std::string absent = R"({"requestId":"q3","sid":"s9","close":true,"type":4})";
  r = n.on_message("socket.io-request#/#", bytes(absent), 0);
  REQUIRE(r);
  CHECK(r->kind == IK::none);
  CHECK(drain(n).empty());

  // Its own 8.x requests come back and are applied here too, as the reference does.
  const std::string_view target[] = {"t"};
  REQUIRE(n.sockets_join({}, {}, redis::room_list(target, 1)) == errc::none);
  out = drain(n);
  REQUIRE(out.size() == 1);
  CHECK(out[0].channel == "socket.io-request#/#");
  CHECK(out[0].message ==
        R"({"uid":"me0001","type":2,"opts":{"rooms":[],"except":[]},"rooms":["t"]})");
  r = n.on_message(out[0].channel, bytes(out[0].message), 0);
  REQUIRE(r);
  CHECK(r->kind == IK::join);
  REQUIRE(n.disconnect_sockets({}, {}, false) == errc::none);
  out = drain(n);
  REQUIRE(out.size() == 1);
  CHECK(out[0].message ==
        R"({"uid":"me0001","type":4,"opts":{"rooms":[],"except":[]},"close":false})");
}

TEST_CASE("redis node: serverSideEmit and broadcastWithAck of other nodes, and the answers") {
  fake_server srv;
  srv.sockets = {{"s1", {}}};
  redis::node n("/", "me0001", srv);
  // The results are views of the message: it outlives them.
  const std::string emit = vector_bytes("adapter.request", "server_side_emit");
  auto r = n.on_message("socket.io-request#/#", bytes(emit), 0);
  REQUIRE(r);
  CHECK(r->kind == IK::server_side_emit);
  CHECK(r->request_id.empty());
  CHECK(r->data.size() == 3);
  const std::string with_ack = vector_bytes("adapter.request", "server_side_emit.ack");
  r = n.on_message("socket.io-request#/#", bytes(with_ack), 0);
  REQUIRE(r);
  CHECK(r->request_id == "000007");
  CHECK(r->requester == "node01");
  REQUIRE(n.reply_server_side_emit("q6", R"({"pong":1})") == errc::none);
  auto out = drain(n);
  REQUIRE(out.size() == 1);
  CHECK(out[0].message == vector_bytes("adapter.response", "server_side_emit.ack"));
  CHECK(n.reply_server_side_emit("q6", "{") == errc::invalid_argument);

  const std::string bwa = vector_bytes("adapter.request", "broadcast_with_ack", 1);
  r = n.on_message("socket.io-request#/#", bytes(bwa), 0);
  REQUIRE(r);
  CHECK(r->kind == IK::broadcast_with_ack);
  CHECK(r->request_id == "000009");
  REQUIRE(r->flags.timeout());
  CHECK(*r->flags.timeout() == 500);
  CHECK(r->packet.data.size() == 1);
  REQUIRE(n.reply_client_count("q7", "node01", 2) == errc::none);
  REQUIRE(n.reply_broadcast_ack("q7", "node01", [](auto& w) { w.string("ok"); }) == errc::none);
  REQUIRE(n.reply_broadcast_ack("q8", "node01", [](auto&) {}) == errc::none);
  out = drain(n);
  REQUIRE(out.size() == 3);
  CHECK(out[0].message == vector_bytes("adapter.response", "broadcast"));
  CHECK(out[1].message == vector_bytes("adapter.response", "broadcast_ack", 0));
  CHECK(out[2].message == vector_bytes("adapter.response", "broadcast_ack.undefined"));

  // Its own serverSideEmit coming back is ignored.
  redis::node self("/", "node01", srv);
  r = self.on_message("socket.io-request#/#", bytes(with_ack), 0);
  REQUIRE(r);
  CHECK(r->kind == IK::none);
}

TEST_CASE("redis node: fetchSockets gathers every node's sockets, or times out") {
  fake_server srv;
  srv.sockets = {{"a", {"r"}}, {"b", {}}};
  redis::node n("/", "me0001", srv);
  const std::string_view rooms[] = {"r"};
  auto id = n.fetch_sockets(redis::room_list(rooms, 1), {}, 3, 1000);
  REQUIRE(id);
  CHECK(id->view() == "me0001.1");
  auto out = drain(n);
  REQUIRE(out.size() == 1);
  CHECK(out[0].channel == "socket.io-request#/#");
  CHECK(out[0].message ==
        R"({"uid":"me0001","requestId":"me0001.1","type":5,"opts":{"rooms":["r"],"except":[]}})");
  CHECK(n.pending_requests() == 1);
  CHECK(n.next_deadline() == 6000);
  // Its own request seen on the request channel: not answered.
  auto r = n.on_message(out[0].channel, bytes(out[0].message), 1000);
  REQUIRE(r);
  CHECK(drain(n).empty());

  const std::string a1 = R"({"requestId":"me0001.1","sockets":[{"id":"x","rooms":["x","r"]}]})";
  r = n.on_message("socket.io-response#/#", bytes(a1), 1001);
  REQUIRE(r);
  CHECK(events(n).empty());
  // A response for another node's request: ignored.
  r = n.on_message("socket.io-response#/#",
                   bytes(std::string(R"({"requestId":"zz","sockets":[]})")), 1001);
  REQUIRE(r);
  CHECK(events(n).empty());
  const std::string a2 = R"({"requestId":"me0001.1","sockets":[{"id":"y"}]})";
  r = n.on_message("socket.io-response#/#", bytes(a2), 1002);
  REQUIRE(r);
  auto ev = events(n);
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].kind == EK::completed);
  CHECK(ev[0].type == T::remote_fetch);
  CHECK(ev[0].id.view() == "me0001.1");
  CHECK(ev[0].json.rfind(R"([{"id":"a","handshake":{"headers":{},"time":"",)", 0) == 0);
  CHECK(
      ev[0].json.find(R"("rooms":["a","r"],"data":{}},{"id":"x","rooms":["x","r"]},{"id":"y"}])") !=
      std::string::npos);
  CHECK(n.pending_requests() == 0);

  // A node that does not answer: timed_out after requests_timeout (changeable).
  redis::node_options o;
  o.requests_timeout = 100;
  redis::node m("/", "me0002", srv, o);
  id = m.fetch_sockets({}, {}, 2, 50);
  REQUIRE(id);
  CHECK(m.next_deadline() == 150);
  CHECK(m.expire(149) == 0);
  CHECK(m.expire(150) == 1);
  ev = events(m);
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].kind == EK::timed_out);
  CHECK(ev[0].json.empty());
  // A late answer is ignored.
  const std::string late = R"({"requestId":"me0002.1","sockets":[]})";
  r = m.on_message("socket.io-response#/#", bytes(late), 151);
  REQUIRE(r);
  CHECK(events(m).empty());

  // Alone in the cluster: completed at once with the local sockets, nothing published.
  id = m.fetch_sockets({}, {}, 1, 200);
  REQUIRE(id);
  CHECK(drain(m).size() == 1);  // only the earlier request
  ev = events(m);
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].kind == EK::completed);
  CHECK(ev[0].id.view() == id->view());
}

TEST_CASE("redis node: allRooms and serverSideEmitWithAck aggregation") {
  fake_server srv;
  srv.sockets = {{"a", {"r"}}};
  redis::node n("/", "me0001", srv);
  auto id = n.all_rooms(3, 0);
  REQUIRE(id);
  auto out = drain(n);
  REQUIRE(out.size() == 1);
  CHECK(out[0].message == R"({"uid":"me0001","requestId":"me0001.1","type":1})");
  // Distinct names (a Set), numbers kept; an answer without rooms counts.
  auto r = n.on_message("socket.io-response#/#",
                        bytes(std::string(R"({"requestId":"me0001.1","rooms":["r","b",7]})")), 1);
  REQUIRE(r);
  r = n.on_message("socket.io-response#/#", bytes(std::string(R"({"requestId":"me0001.1"})")), 2);
  REQUIRE(r);
  auto ev = events(n);
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].kind == EK::completed);
  CHECK(ev[0].json == R"(["a","r","b",7])");

  id = n.server_side_emit_with_ack(R"(["ping",1])", 3, 10);
  REQUIRE(id);
  out = drain(n);
  REQUIRE(out.size() == 1);
  CHECK(out[0].message == R"({"uid":"me0001","requestId":"me0001.2","type":6,"data":["ping",1]})");
  r = n.on_message("socket.io-response#/#",
                   bytes(std::string(R"({"type":6,"requestId":"me0001.2","data":"x"})")), 11);
  REQUIRE(r);
  CHECK(events(n).empty());
  // The timeout reports the answers that came, as the reference's ack(err, responses).
  CHECK(n.expire(5010) == 1);
  ev = events(n);
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].kind == EK::timed_out);
  CHECK(ev[0].json == R"(["x"])");

  id = n.server_side_emit_with_ack(R"(["ping"])", 2, 10);
  REQUIRE(id);
  r = n.on_message("socket.io-response#/#",
                   bytes(std::string(R"({"type":6,"requestId":"me0001.3"})")), 11);
  REQUIRE(r);
  ev = events(n);
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].json == "[null]");
  // No other node: [] at once.
  id = n.server_side_emit_with_ack(R"(["ping"])", 1, 10);
  REQUIRE(id);
  ev = events(n);
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].json == "[]");
  CHECK(n.server_side_emit("{}") == errc::invalid_argument);
  REQUIRE(n.server_side_emit(R"(["hi"])") == errc::none);
  out = drain(n);
  REQUIRE(out.size() == 2);
  CHECK(out[1].message == R"({"uid":"me0001","type":6,"data":["hi"]})");
}

TEST_CASE("redis node: broadcast and broadcastWithAck of this node") {
  fake_server srv;
  redis::node n("/", "node01", srv);
  redis::broadcast_options o;
  const std::string_view one[] = {"room1"};
  o.rooms = redis::room_list(one, 1);
  REQUIRE(n.broadcast(sio::event("hello"), o) == errc::none);
  auto out = drain(n);
  REQUIRE(out.size() == 1);
  CHECK(out[0].channel == "socket.io#/#room1#");
  CHECK(out[0].message == vector_bytes("adapter.broadcast", "to.one"));
  o.flags.set_local();
  REQUIRE(n.broadcast(sio::event("hello"), o) == errc::none);
  CHECK(drain(n).empty());

  redis::broadcast_options a;
  CHECK(n.broadcast_with_ack(sio::event("ev"), a, 0).error() == errc::invalid_argument);
  a.flags.set_timeout(1000);
  auto id = n.broadcast_with_ack(sio::event("ev", 1), a, 100);
  REQUIRE(id);
  out = drain(n);
  REQUIRE(out.size() == 1);
  CHECK(out[0].channel == "socket.io-request#/#");
  // Its own request coming back is not delivered.
  auto r = n.on_message(out[0].channel, bytes(out[0].message), 101);
  REQUIRE(r);
  CHECK(r->kind == IK::none);
  const std::string count =
      R"({"type":8,"requestId":")" + std::string(id->view()) + R"(","clientCount":2})";
  r = n.on_message("socket.io-response#/#", bytes(count), 200);
  REQUIRE(r);
  std::string ack;
  REQUIRE(redis::encode_broadcast_ack_response(ack, id->view(), [](auto& w) { w.string("ok"); }));
  r = n.on_message("socket.io-response#/#", bytes(ack), 300);
  REQUIRE(r);
  auto ev = events(n);
  REQUIRE(ev.size() == 2);
  CHECK(ev[0].kind == EK::client_count);
  CHECK(ev[0].client_count == 2);
  CHECK(ev[1].kind == EK::ack);
  CHECK(ev[1].ack == "\xa2ok");
  // The ack timeout ends it; later acks are ignored.
  CHECK(n.next_deadline() == 1100);
  r = n.on_message("socket.io-response#/#", bytes(ack), 1100);
  REQUIRE(r);
  ev = events(n);
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].kind == EK::timed_out);
  CHECK(ev[0].type == T::broadcast);
}

TEST_CASE("redis node: limits") {
  fake_server srv;
  srv.sockets = {{"a", {}}};
  SECTION("the queues' bytes") {
    redis::node_options o;
    o.max_queued_bytes = 200;
    redis::node n("/", "me0001", srv, o);
    REQUIRE(n.server_side_emit(R"(["a"])") == errc::none);
    REQUIRE(n.server_side_emit(R"(["a"])") == errc::queue_full);
    const std::string req = R"({"uid":"x","requestId":"r1","type":1})";
    auto r = n.on_message("socket.io-request#/#", bytes(req), 0);
    CHECK(r.error() == errc::queue_full);
    REQUIRE(drain(n).size() == 1);
    CHECK(n.queued_bytes() == 0);
    r = n.on_message("socket.io-request#/#", bytes(req), 0);
    REQUIRE(r);
    CHECK(drain(n).size() == 1);
  }
  SECTION("the answers one request gathers") {
    redis::node_options o;
    o.max_result_bytes = 300;
    redis::node n("/", "me0001", srv, o);
    auto id = n.server_side_emit_with_ack(R"(["a"])", 3, 0);
    REQUIRE(id);
    const std::string big =
        R"({"type":6,"requestId":"me0001.1","data":")" + std::string(400, 'x') + "\"}";
    auto r = n.on_message("socket.io-response#/#", bytes(big), 1);
    REQUIRE(r);
    auto ev = events(n);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].kind == EK::failed);
    CHECK(ev[0].error == errc::payload_too_large);
    CHECK(n.pending_requests() == 0);
  }
  SECTION("requests in flight") {
    redis::node n("/", "me0001", srv);
    for (int i = 0; i < SIOCODEC_REDIS_NODE_MAX_REQUESTS; ++i) REQUIRE(n.all_rooms(2, 0));
    CHECK(n.all_rooms(2, 0).error() == errc::queue_full);
    CHECK(n.expire(5000) == SIOCODEC_REDIS_NODE_MAX_REQUESTS);
    CHECK(n.all_rooms(2, 5000));
  }
  SECTION("a uid too long for request ids") {
    redis::node n("/", std::string(40, 'u'), srv);
    CHECK(n.all_rooms(2, 0).error() == errc::invalid_argument);
  }
  SECTION("a local socket's JSON that is not JSON") {
    srv.sockets[0].data = "{";
    redis::node n("/", "me0001", srv);
    CHECK(n.fetch_sockets({}, {}, 2, 0).error() == errc::invalid_argument);
    const std::string req = R"({"uid":"x","requestId":"r1","type":5,"opts":{}})";
    CHECK(n.on_message("socket.io-request#/#", bytes(req), 0).error() == errc::invalid_argument);
    CHECK(drain(n).empty());
  }
}
