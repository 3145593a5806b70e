// SPDX-License-Identifier: BSL-1.0
// socketio::redis::request_tracker: the reference's aggregation of responses (RedisAdapter's
// onresponse) and its timeouts, on responses decoded from the bytes 8.3.0 publishes.
#include <siocodec/redis.hpp>

#include "support/catch.hpp"

#include <string>
#include <string_view>
#include <vector>

using siocodec::byte_view;
using siocodec::errc;
namespace redis = siocodec::socketio::redis;
using K = redis::tracker_event_kind;
using T = redis::request_type;

namespace {
redis::response_view response(const std::string& text) {
  const auto r = redis::decode_response(byte_view(text));
  REQUIRE(r);
  return *r;
}
}  // namespace

TEST_CASE("request_tracker: fetchSockets counts the node itself and every answer") {
  redis::request_tracker<4> t;
  REQUIRE(t.start(T::remote_fetch, "q1", 3, 5000) == errc::none);  // 3 nodes, this one included
  CHECK(t.is_pending("q1"));
  auto e = t.on_response(response(R"({"requestId":"q1","sockets":[]})"));
  CHECK(e.kind == K::counted);
  CHECK(e.type == T::remote_fetch);
  CHECK(e.received == 2);
  // A response without "sockets" still counts, as in the reference.
  e = t.on_response(response(R"({"requestId":"q1"})"));
  CHECK(e.kind == K::completed);
  CHECK(e.request_id == "q1");
  CHECK(!t.is_pending("q1"));
  CHECK(t.on_response(response(R"({"requestId":"q1","sockets":[]})")).kind == K::ignored);
  CHECK(t.size() == 0);
}

TEST_CASE("request_tracker: serverSideEmit with acks waits for the other nodes") {
  redis::request_tracker<4> t;
  REQUIRE(t.start(T::server_side_emit, "s1", 2, 100) == errc::none);
  auto e = t.on_response(response(R"({"type":6,"requestId":"s1","data":1})"));
  CHECK(e.kind == K::counted);
  CHECK(e.received == 1);
  e = t.on_response(response(R"({"type":6,"requestId":"s1","data":2})"));
  CHECK(e.kind == K::completed);
  CHECK(e.received == 2);
}

TEST_CASE("request_tracker: broadcast acks until the deadline; timeouts") {
  redis::request_tracker<4> t;
  REQUIRE(t.start(T::broadcast, "b1", 0, 1000) == errc::none);
  REQUIRE(t.start(T::all_rooms, "r1", 2, 500) == errc::none);
  auto e = t.on_response(response(R"({"type":8,"requestId":"b1","clientCount":3})"));
  CHECK(e.kind == K::client_count);
  CHECK(e.client_count == 3);
  const std::string ack =  // {type: 9, requestId: "b1", packet: "ok"}
      "\x83\xa4type\x09\xa9requestId\xa2"
      "b1\xa6packet\xa2ok";
  e = t.on_response(response(ack));
  CHECK(e.kind == K::ack);
  CHECK(t.is_pending("b1"));  // never completes
  CHECK(t.next_deadline() == 500);

  std::vector<std::string> expired;
  const auto collect = [&](const redis::tracker_event& ev) {
    CHECK(ev.kind == K::timed_out);
    expired.emplace_back(ev.request_id);
  };
  CHECK(t.expire(499, collect) == 0);
  CHECK(t.expire(500, collect) == 1);
  CHECK(expired == std::vector<std::string>{"r1"});
  CHECK(t.expire(2000, collect) == 1);
  CHECK(expired.back() == "b1");
  CHECK(t.size() == 0);
  CHECK(t.next_deadline() == ~std::uint64_t{0});
}

TEST_CASE("request_tracker: the 7.x per-socket requests complete on the first answer; errors") {
  redis::request_tracker<2> t;
  REQUIRE(t.start(T::remote_join, "j1", 0, 10) == errc::none);
  CHECK(t.on_response(response(R"({"requestId":"j1"})")).kind == K::completed);

  CHECK(t.start(T::sockets, "", 2, 1) == errc::invalid_argument);
  CHECK(t.start(T::sockets, std::string(33, 'x'), 2, 1) == errc::invalid_argument);
  CHECK(t.start(T::sockets, "a", 0, 1) == errc::invalid_argument);
  CHECK(t.start(T::broadcast_ack, "a", 1, 1) == errc::invalid_argument);
  REQUIRE(t.start(T::sockets, "a", 2, 1) == errc::none);
  CHECK(t.start(T::sockets, "a", 2, 1) == errc::invalid_argument);  // already pending
  REQUIRE(t.start(T::sockets, "b", 2, 1) == errc::none);
  CHECK(t.start(T::sockets, "c", 2, 1) == errc::queue_full);
  CHECK(t.cancel("a"));
  CHECK(!t.cancel("a"));
  CHECK(t.start(T::sockets, "c", 2, 1) == errc::none);
}
