// SPDX-License-Identifier: BSL-1.0
// socketio::redis::node over a script: messages on each of its channels (hostile or not), its
// own requests, answers to them, time steps. Invariants: an error's offset lies in what it
// refers to and nothing is queued for it; an incoming's views lie inside the message; the
// queues stay within max_queued_bytes and the requests within SIOCODEC_REDIS_NODE_MAX_REQUESTS;
// every completed result is valid JSON; a deadline passed ends every request by then.
//
// Input: byte 0 chooses the limits (bit 0: max_queued_bytes 600 instead of 64 KB; bit 1:
// max_result_bytes 64; bit 2: publish on specific response channels), then records of
// [op, length (1 byte), bytes]:
//   op % 9: 0 broadcast channel, 1 room channel "r1", 2 room channel "zz", 3 request channel,
//   4 response channel, 5 an answer to the newest own request (`{"requestId":"<id>",` then the
//   bytes), 6 an own request (bytes[0] % 5: fetchSockets, allRooms, serverSideEmit with ack,
//   broadcast with ack, socketsJoin; bytes[1] % 4: the server count), 7 a time step of
//   bytes[0] * 50 ms then expire, 8 the queues drained.
#include "common.hpp"

#include <siocodec/json/validate.hpp>
#include <siocodec/redis.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace redis = siocodec::socketio::redis;
using siocodec::byte_view;

namespace {

class fixed_server final : public redis::local_sockets {
 public:
  void for_each(redis::socket_visitor& v) const override {
    static const std::string_view a[] = {"a", "r1"};
    static const std::string_view b[] = {"b", "r1", "r2"};
    static const std::string_view c[] = {"c"};
    const redis::room_list lists[] = {{a, 2}, {b, 3}, {c, 1}};
    for (const redis::room_list& l : lists) {
      redis::local_socket s;
      s.id = l.data[0];
      s.rooms = l;
      s.data_json = R"({"n":1})";
      if (!v.visit(s)) return;
    }
  }
};

bool inside(std::string_view part, std::string_view whole) {
  return part.empty() || siocodec_fuzz::within(part, whole);
}

void check_incoming(const redis::incoming& in, std::string_view msg) {
  FUZZ_CHECK(inside(in.request_id, msg));
  FUZZ_CHECK(inside(in.requester, msg));
  if (in.sid) FUZZ_CHECK(inside(*in.sid, msg));
  if (in.kind == redis::incoming_kind::broadcast ||
      in.kind == redis::incoming_kind::broadcast_with_ack) {
    FUZZ_CHECK(in.packet.data.is_array());
    FUZZ_CHECK(inside(in.packet.data.raw().as_chars(), msg));
  }
}

void drain(redis::node& n, std::size_t max_queued) {
  FUZZ_CHECK(n.queued_bytes() <= max_queued);
  while (auto p = n.poll_transmit()) FUZZ_CHECK(!p->channel.empty());
  while (auto e = n.poll_event()) {
    if (e->kind == redis::node_event_kind::completed) {
      FUZZ_CHECK(static_cast<bool>(siocodec::json::validate(e->json)));
    }
  }
  FUZZ_CHECK(n.queued_bytes() == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned mode = data[0];
  redis::node_options o;
  o.max_queued_bytes = (mode & 1) != 0 ? 600 : 65536;
  o.max_result_bytes = (mode & 2) != 0 ? 64 : 65536;
  o.publish_on_specific_response_channel = (mode & 4) != 0;
  const fixed_server srv;
  redis::node n("/", "fz", srv, o);
  std::string newest;  // the newest own request's id
  std::uint64_t now = 1000;
  std::size_t at = 1;
  while (at + 2 <= size) {
    const unsigned op = data[at] % 9u;
    std::size_t len = data[at + 1];
    at += 2;
    if (len > size - at) len = size - at;
    // Each message in a buffer of its own, so that a read past it is caught.
    const siocodec_fuzz::exact_bytes bytes(data + at, len);
    at += len;
    const std::string_view b = bytes.view();
    const auto message = [&](const std::string& channel, std::string_view msg) {
      // on_message() expires what is due first: those reports are not the message's.
      (void)n.expire(now);
      const std::size_t before = n.queued_bytes();
      const auto r = n.on_message(channel, byte_view(msg), now);
      if (!r) {
        FUZZ_CHECK(r.offset() <= msg.size() || r.offset() <= channel.size());
        FUZZ_CHECK(n.queued_bytes() <= before);
        return;
      }
      FUZZ_CHECK(r.offset() == msg.size());
      check_incoming(*r, msg);
    };
    switch (op) {
      case 0: message("socket.io#/#", b); break;
      case 1: message("socket.io#/#r1#", b); break;
      case 2: message("socket.io#/#zz#", b); break;
      case 3: message("socket.io-request#/#", b); break;
      case 4: message("socket.io-response#/#", b); break;
      case 5: {
        const std::string msg = "{\"requestId\":\"" + newest + "\"," + std::string(b);
        const siocodec_fuzz::exact_bytes copy(reinterpret_cast<const std::uint8_t*>(msg.data()),
                                              msg.size());
        message((mode & 4) != 0 ? "socket.io-response#/#fz#" : "socket.io-response#/#",
                copy.view());
        break;
      }
      case 6: {
        const unsigned kind = b.empty() ? 0 : static_cast<unsigned char>(b[0]) % 5u;
        const std::uint32_t count = b.size() < 2 ? 2 : static_cast<unsigned char>(b[1]) % 4u;
        const std::string_view r1[] = {"r1"};
        siocodec::result<redis::request_handle> id{siocodec::errc::invalid_argument, 0};
        if (kind == 0) id = n.fetch_sockets(redis::room_list(r1, 1), {}, count, now);
        if (kind == 1) id = n.all_rooms(count, now);
        if (kind == 2) id = n.server_side_emit_with_ack(R"(["ev",1])", count, now);
        if (kind == 3) {
          redis::broadcast_options bo;
          bo.flags.set_timeout(b.size() < 3 ? 100 : static_cast<unsigned char>(b[2]) * 10.0);
          id = n.broadcast_with_ack(siocodec::socketio::event("ev", 1), bo, now);
        }
        if (kind == 4) (void)n.sockets_join(redis::room_list(r1, 1), {}, redis::room_list(r1, 1));
        if (id) newest = std::string(id->view());
        FUZZ_CHECK(n.pending_requests() <= SIOCODEC_REDIS_NODE_MAX_REQUESTS);
        break;
      }
      case 7:
        now += (b.empty() ? 1u : static_cast<unsigned char>(b[0])) * 50u;
        (void)n.expire(now);
        FUZZ_CHECK(n.next_deadline() > now);
        break;
      default: drain(n, o.max_queued_bytes); break;
    }
    FUZZ_CHECK(n.queued_bytes() <= o.max_queued_bytes);
  }
  (void)n.expire(~std::uint64_t{0});
  FUZZ_CHECK(n.pending_requests() == 0);
  drain(n, o.max_queued_bytes);
  return 0;
}
