// SPDX-License-Identifier: BSL-1.0
// The Engine.IO and Socket.IO client engines on a microcontroller (docs/embedded.md):
// socketio::client over a transport that lives in memory. The fake server's frames are fed in
// as a WebSocket would deliver them: open, the Engine.IO handshake, the CONNECT reply to a join,
// the ACK to an emit that asked for one, an event from the server. SIOCODEC_EMBEDDED_MSGPACK=1
// runs the same session with the msgpack parser (binary frames). Every step checks what the
// engine reports, so the host build of this file (tools/embedded/build.sh runs it) is a test.
// config.hpp's default assertion handler prints with fprintf: 5 KB of newlib's stdio. It fires
// only on API misuse, never on wire input, so a device traps instead (docs/embedded.md).
#define SIOCODEC_ASSERT(cond) ((cond) ? static_cast<void>(0) : __builtin_trap())
#include <siocodec/memory.hpp>
#include <siocodec/socketio/client.hpp>

#include "alloc_count.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace eio = siocodec::engineio;
namespace sio = siocodec::socketio;

namespace {

constexpr std::string_view handshake =
    R"(0{"sid":"e1","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})";

#if SIOCODEC_EMBEDDED_MSGPACK
// As notepack.io writes socket.io-msgpack-parser's packets:
// {"type":0,"nsp":"/","data":{"sid":"s1"}}
constexpr unsigned char connect_reply[] = {0x83, 0xa4, 't',  'y', 'p',  'e',  0x00, 0xa3, 'n',
                                           's',  'p',  0xa1, '/', 0xa4, 'd',  'a',  't',  'a',
                                           0x81, 0xa3, 's',  'i', 'd',  0xa2, 's',  '1'};
// {"type":3,"nsp":"/","data":["ok"],"id":0}
constexpr unsigned char ack_reply[] = {0x84, 0xa4, 't',  'y', 'p',  'e', 0x03, 0xa3, 'n',
                                       's',  'p',  0xa1, '/', 0xa4, 'd', 'a',  't',  'a',
                                       0x91, 0xa2, 'o',  'k', 0xa2, 'i', 'd',  0x00};
// {"type":2,"nsp":"/","data":["news",{"t":21.5}]}
constexpr unsigned char event_in[] = {0x83, 0xa4, 't',  'y',  'p',  'e',  0x02, 0xa3, 'n',
                                      's',  'p',  0xa1, '/',  0xa4, 'd',  'a',  't',  'a',
                                      0x92, 0xa4, 'n',  'e',  'w',  's',  0x81, 0xa1, 't',
                                      0xcb, 0x40, 0x35, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00};
constexpr eio::frame_kind sio_kind = eio::frame_kind::binary;
std::string_view frame(const unsigned char* p, std::size_t n) {
  return {reinterpret_cast<const char*>(p), n};
}
#define SIOCODEC_FRAME(x) frame(x, sizeof x)
#else
constexpr std::string_view connect_reply = R"(40{"sid":"s1"})";
constexpr std::string_view ack_reply = R"(430["ok"])";
constexpr std::string_view event_in = R"(42["news",{"t":21.5}])";
constexpr eio::frame_kind sio_kind = eio::frame_kind::text;
#define SIOCODEC_FRAME(x) x
#endif

volatile double result_t;

// The caller's memory (client_options::memory): the engines take their buffers from it, not from
// the heap. Its size: docs/embedded.md ("Heap").
alignas(std::max_align_t) unsigned char engine_memory[3072];
volatile unsigned counts[8];

// Takes what the client has to send and what it reports; returns the kinds of events seen (a
// bit per client_event_kind) and counts the WebSocket messages sent.
unsigned drain(sio::client& c, unsigned& sent) {
  unsigned seen = 0;
  for (;;) {
    bool any = false;
    while (auto t = c.poll_transmit()) {
      any = true;
      if (t->action == eio::client_action::ws_send) ++sent;
    }
    while (auto e = c.poll_event()) {
      any = true;
      seen |= 1u << static_cast<unsigned>(e->kind);
      if (e->kind == sio::client_event_kind::event) {
        if (!e->packet.event_name().string_equals("news")) return 0;
        sio::any_value t;
        if (!e->packet.arguments().begin()->find("t", t)) return 0;
        const auto d = t.to_double();
        if (!d) return 0;
        result_t = *d;
      }
    }
    if (!any) return seen;
  }
}

constexpr unsigned bit(sio::client_event_kind k) { return 1u << static_cast<unsigned>(k); }

int run() {
#if !SIOCODEC_ENGINE_HEAP && !defined(__arm__)
  // The host run checks what SIOCODEC_ENGINE_HEAP 0 promises: no memory given, no session
  // (not in the measured Cortex-M4 program).
  {
    sio::client_options bare;
    bare.engine.initial = eio::transport_kind::websocket;
#if SIOCODEC_EMBEDDED_MSGPACK
    bare.parser = sio::parser_kind::msgpack;
#endif
    sio::client c(bare);
    if (c.open(0, 42) != siocodec::errc::invalid_argument) return 20;
  }
#endif
  siocodec::buffer_resource memory(engine_memory, sizeof engine_memory);
  sio::client_options o;
  o.engine.initial = eio::transport_kind::websocket;
  o.engine.memory = &memory;
#if SIOCODEC_EMBEDDED_MSGPACK
  o.parser = sio::parser_kind::msgpack;
#endif
  sio::client c(o);
  eio::millis now = 0;
  unsigned sent = 0;
  if (c.open(now, 42) != siocodec::errc::none) return 1;
  if (c.join("/", now) != siocodec::errc::none) return 2;
  drain(c, sent);
  c.handle_ws_open(now);
  c.handle_ws_message(eio::frame_kind::text, handshake, now);
  drain(c, sent);  // the CONNECT goes out
  c.handle_ws_message(sio_kind, SIOCODEC_FRAME(connect_reply), now);
  if (!(drain(c, sent) & bit(sio::client_event_kind::connect)) || !c.connected("/")) return 3;
  now = 100;
  sio::emit_options eo;
  eo.want_ack = true;
  eo.ack_timeout = 5000;
  const auto id = c.emit(sio::event("reading", 21.5, 42, "C"), now, eo);
  if (!id || *id != 0) return 4;
  drain(c, sent);
  c.handle_ws_message(sio_kind, SIOCODEC_FRAME(ack_reply), now);
  if (!(drain(c, sent) & bit(sio::client_event_kind::ack))) return 5;
  c.handle_ws_message(sio_kind, SIOCODEC_FRAME(event_in), now);
  if (!(drain(c, sent) & bit(sio::client_event_kind::event)) || result_t != 21.5) return 6;
  now = 25000;  // the server's ping, answered with a pong
  c.handle_ws_message(eio::frame_kind::text, "2", now);
  c.handle_timeout(now);
  drain(c, sent);
  counts[0] = sent;
#if SIOCODEC_EMBEDDED_HOST
  std::printf("client: engine memory peak %zu of %zu bytes\n", memory.peak(), memory.capacity());
#endif
  return sent == 3 ? 0 : 7;  // CONNECT, the EVENT, the pong
}

}  // namespace

int main() {
  const int r = run();
  return siocodec_embedded::report("client", r);
}
