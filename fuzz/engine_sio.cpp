// SPDX-License-Identifier: BSL-1.0
// socketio::server_connection driven by a script: WebSocket messages (Socket.IO text from
// templates or raw bytes, binary attachments), accept / reject of pending CONNECTs (with a
// recovery store in some runs), emits with and without acks, ack answers, store broadcasts sent
// with send_encoded(), time steps, disconnects, transport closes, close(). After each step:
// - nothing crashes, asserts or reads outside what it hands out (every byte is touched);
// - every ack the server asked for resolves at most once (ack, ack_timeout, ack_disconnected),
//   and pending_acks() equals the acks asked for and not resolved;
// - next_deadline() is never before the last `now`;
// - pending acks, the Engine.IO queue and the store stay within their limits.
#include "common.hpp"
#include "engine_common.hpp"

#include <siocodec/socketio.hpp>

#include <cstdint>
#include <set>
#include <string>
#include <utility>

namespace eio = siocodec::engineio;
namespace sio = siocodec::socketio;
using siocodec::errc;

namespace {

using siocodec_fuzz::nsps;
using siocodec_fuzz::touch;

const char* const templates[] = {"40",
                                 "40/a,",
                                 "40/b,",
                                 "40{\"token\":1}",
                                 "40{\"pid\":\"",
                                 "41",
                                 "41/a,",
                                 "42[\"e\",1]",
                                 "421[\"e\"]",
                                 "42/a,7[\"e\",{}]",
                                 "430[]",
                                 "431[\"ok\"]",
                                 "43/a,2[1]",
                                 "451-[\"b\",{\"_placeholder\":true,\"num\":0}]",
                                 "461-0[]",
                                 "44{\"message\":\"x\"}",
                                 "2",
                                 "3",
                                 "1",
                                 "6",
                                 "5"};

struct model {
  std::set<std::pair<std::string, std::uint64_t>> acks;
  eio::millis last_now = 0;
};

void drain(sio::server_connection& c, model& m, const sio::server_options& o,
           const sio::recovery_store& store, const sio::recovery_options& ro) {
  std::size_t sum = 0;
  while (auto e = c.poll_event()) {
    sum += touch(e->nsp) + touch(e->sid) + touch(e->offset) + touch(e->pid) + touch(e->query);
    if (e->kind == sio::server_event_kind::ack || e->kind == sio::server_event_kind::ack_timeout ||
        e->kind == sio::server_event_kind::ack_disconnected) {
      FUZZ_CHECK(m.acks.erase({std::string(e->nsp), e->ack_id}) == 1);
    }
    if (e->kind == sio::server_event_kind::event || e->kind == sio::server_event_kind::ack ||
        e->kind == sio::server_event_kind::connect_request) {
      for (const sio::any_value& a : e->packet.arguments()) sum += a.is_number() ? 1u : 0u;
    }
  }
  while (auto t = c.poll_transmit()) sum += touch(t->body.prefix) + touch(t->body.data);
  (void)sum;
  FUZZ_CHECK(c.pending_acks() == m.acks.size());
  FUZZ_CHECK(c.pending_acks() <= o.max_pending_acks);
  FUZZ_CHECK(c.next_deadline() >= m.last_now);
  FUZZ_CHECK(c.engine().queued_messages() <= o.engine.max_queued_messages);
  FUZZ_CHECK(store.packet_count() <= ro.max_packets);
  FUZZ_CHECK(store.bytes() <= ro.max_bytes);
  FUZZ_CHECK(store.session_count() <= ro.max_sessions);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  siocodec_fuzz::provider in(data, size);
  sio::server_options o;
  o.engine.ping_interval = in.integral<std::uint32_t>(1, 200);
  o.engine.ping_timeout = in.integral<std::uint32_t>(1, 200);
  o.engine.max_payload = in.integral<std::size_t>(8, 512);
  o.engine.max_queued_messages = in.integral<std::size_t>(1, 16);
  o.connect_timeout = in.integral<std::uint32_t>(1, 500);
  o.max_pending_acks = in.integral<std::size_t>(0, 8);
  o.max_namespaces = in.integral<std::size_t>(1, 4);
  o.parser = in.boolean() ? sio::parser_kind::json : sio::parser_kind::msgpack;
  const auto version =
      in.integral<std::uint8_t>(0, 3) == 0 ? eio::protocol_version::v3 : eio::protocol_version::v4;
  o.recovery = version == eio::protocol_version::v4 && in.boolean();
  sio::recovery_options ro;
  ro.parser = o.parser;
  ro.max_disconnection_duration = in.integral<eio::millis>(0, 1000);
  ro.max_packets = in.integral<std::size_t>(0, 8);
  ro.max_bytes = in.integral<std::size_t>(0, 512);
  ro.max_sessions = in.integral<std::size_t>(0, 3);
  ro.recover_without_offset = in.boolean();
  sio::recovery_store store(ro);
  model m;
  eio::millis now = in.integral<eio::millis>(0, 1000);
  m.last_now = now;
  sio::server_connection c(o, "sid_0123", version, eio::transport_kind::websocket, in.boolean(),
                           now);
  drain(c, m, o, store, ro);
  unsigned char random[30];
  for (int steps = 0; steps < 128 && in.remaining() != 0; ++steps) {
    const auto op = in.integral<std::uint8_t>(0, 12);
    bool fed = true;  // the connection was given `now`
    const char* nsp = nsps[in.integral<std::size_t>(0, 2)];
    switch (op) {
      case 0: {  // a Socket.IO text message, from a template with random bytes after it
        std::string msg = "4";
        msg += templates[in.integral<std::size_t>(0, sizeof templates / sizeof *templates - 1)];
        msg += in.bytes(in.integral<std::size_t>(0, 16));
        c.handle_ws_message(eio::frame_kind::text, msg, now);
        break;
      }
      case 1:
        c.handle_ws_message(eio::frame_kind::text, in.bytes(in.integral<std::size_t>(0, 64)), now);
        break;
      case 2:
        c.handle_ws_message(eio::frame_kind::binary, in.bytes(in.integral<std::size_t>(0, 32)),
                            now);
        break;
      case 3: {
        for (auto& b : random) b = in.integral<unsigned char>(0, 255);
        (void)c.accept(nsp, siocodec::byte_view(random, sizeof random), now,
                       o.recovery ? &store : nullptr);
        break;
      }
      case 4: (void)c.reject(nsp, "no", now); break;
      case 5: {
        sio::emit_options e;
        e.want_ack = in.boolean();
        e.ack_timeout = in.integral<eio::millis>(0, 300);
        e.volatile_packet = in.integral<std::uint8_t>(0, 7) == 0;
        auto id = c.emit(sio::event("s", steps).nsp(nsp), now, e);
        if (id && e.want_ack) FUZZ_CHECK(m.acks.insert({nsp, id.value()}).second);
        if (id && !e.want_ack) FUZZ_CHECK(id.value() == sio::no_ack);
        break;
      }
      case 6: (void)c.send(sio::ack(in.integral<std::uint64_t>(0, 8), "r").nsp(nsp), now); break;
      case 7: {
        auto p = store.broadcast(sio::event("b", steps).nsp(nsp), {}, now);
        if (p) {
          (void)c.send_encoded(**p, now);
        } else {
          fed = false;  // the store refused it: the connection saw nothing
        }
        break;
      }
      case 8:
        now += in.integral<eio::millis>(0, 400);
        c.handle_timeout(now);
        break;
      case 9: (void)c.disconnect(nsp, now); break;
      case 10: c.handle_ws_closed(now, in.boolean()); break;
      case 11: c.close(now); break;
      default:
        // Time passes unseen: the next call brings it (the invariant is about `now`s given).
        now += in.integral<eio::millis>(0, 20);
        fed = false;
        break;
    }
    if (fed) m.last_now = now;
    drain(c, m, o, store, ro);
  }
  return 0;
}
