// SPDX-License-Identifier: BSL-1.0
// The client engines on caller memory (client_options::memory, siocodec/memory.hpp): a session on
// a buffer_resource makes no global allocation, and a buffer too small at any step closes the
// session with out_of_memory instead of crashing (this file runs under ASan + UBSan in CI).
#include <siocodec/engineio/client.hpp>
#include <siocodec/memory.hpp>
#include <siocodec/socketio/client.hpp>

#include "support/allocations.hpp"
#include "support/catch.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

using siocodec::errc;
namespace eio = siocodec::engineio;

namespace {

constexpr std::string_view hs4 =
    R"(0{"sid":"abc","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})";

struct outcome {
  int messages = 0;     // message events seen
  int sends = 0;        // transmits that carried data (POST, ws_send)
  bool closed = false;  // a close event came
  eio::close_reason reason = eio::close_reason::forced_close;
  errc error = errc::none;
};

void drain(eio::client& c, outcome& o) {
  while (auto t = c.poll_transmit()) {
    if (t->action == eio::client_action::post || t->action == eio::client_action::ws_send)
      ++o.sends;
  }
  while (auto e = c.poll_event()) {
    if (e->kind == eio::event_kind::message) ++o.messages;
    if (e->kind == eio::event_kind::close) {
      o.closed = true;
      o.reason = e->reason;
      o.error = e->error;
    }
  }
}

// Polling, the upgrade to a WebSocket, messages both ways on each, a ping: every buffer of the
// engine grows at least once.
outcome session(siocodec::memory_resource* mr) {
  eio::client_options opts;
  opts.memory = mr;
  eio::client c(opts);
  outcome o;
  (void)c.open(0, 7);
  drain(c, o);
  c.handle_get_response(eio::frame_kind::text, hs4, 1);
  drain(c, o);
  (void)c.send(eio::packet_view::text(eio::packet_type::message, "hello over polling"), 2);
  drain(c, o);
  c.handle_post_response(3);
  c.handle_get_response(eio::frame_kind::text,
                        "4first\x1e"
                        "4second",
                        4);
  drain(c, o);
  c.handle_ws_open(5);
  drain(c, o);
  c.handle_ws_message(eio::frame_kind::text, "3probe", 6);
  drain(c, o);
  c.handle_get_response(eio::frame_kind::text, "6", 7);
  drain(c, o);
  c.handle_ws_message(eio::frame_kind::text, "2", 8);
  drain(c, o);
  (void)c.send(eio::packet_view::text(eio::packet_type::message, "hello over a websocket"), 9);
  drain(c, o);
  c.handle_ws_message(eio::frame_kind::text, "4third message, a little longer than the others", 10);
  drain(c, o);
  return o;
}

bool complete(const outcome& o) { return !o.closed && o.messages == 3 && o.sends == 5; }

namespace sio = siocodec::socketio;

struct sio_outcome {
  int connects = 0, acks = 0, events = 0, disconnects = 0;
  bool engine_closed = false;
  bool out_of_memory = false;  // a call returned it, or an event carried it
  bool other_error = false;    // another error came first
};

// The first error must be out_of_memory; what follows it (invalid_state: the client closed)
// is its consequence.
void note(errc e, sio_outcome& o) {
  if (e == errc::out_of_memory) {
    o.out_of_memory = true;
  } else if (e != errc::none && !o.out_of_memory) {
    o.other_error = true;
  }
}

void drain(sio::client& c, sio_outcome& o) {
  while (c.poll_transmit()) {
  }
  while (auto e = c.poll_event()) {
    switch (e->kind) {
      case sio::client_event_kind::connect: ++o.connects; break;
      case sio::client_event_kind::ack: ++o.acks; break;
      case sio::client_event_kind::event: ++o.events; break;
      case sio::client_event_kind::disconnect:
        ++o.disconnects;
        note(e->error, o);
        break;
      case sio::client_event_kind::engine:
        if (e->engine_event.kind == eio::event_kind::close) {
          o.engine_closed = true;
          note(e->engine_event.error, o);
        }
        break;
      default: break;
    }
  }
}

// Two namespaces (one with auth), an emit buffered before its CONNECT, acks on both, a binary
// emit and a binary event (the decoder's storage), a leave: every container of the client.
sio_outcome sio_session(siocodec::memory_resource* mr, sio::parser_kind parser) {
  sio::client_options opts;
  opts.engine.initial = eio::transport_kind::websocket;
  opts.engine.memory = mr;
  opts.parser = parser;
  opts.reconnect.enabled = false;
  sio::client c(opts);
  sio_outcome o;
  const bool mp = parser == sio::parser_kind::msgpack;
  const eio::frame_kind k = mp ? eio::frame_kind::binary : eio::frame_kind::text;
  note(c.open(0, 42), o);
  note(c.join("/", 0), o);
  note(c.join("/chat", sio::object("token", "abc"), 0), o);
  sio::emit_options ack;
  ack.want_ack = true;
  ack.ack_timeout = 5000;
  note(c.emit(sio::event("early", 1, "buffered").nsp("/chat"), 0, ack).error(), o);
  drain(c, o);
  c.handle_ws_open(1);
  c.handle_ws_message(eio::frame_kind::text,
                      R"(0{"sid":"e1","upgrades":[],"pingInterval":25000,"pingTimeout":20000})", 1);
  drain(c, o);
  if (mp) {
    // notepack: {"type":0,"nsp":"/","data":{"sid":"s1"}} and the same for /chat.
    static constexpr unsigned char c1[] = {0x83, 0xa4, 't',  'y', 'p',  'e',  0x00, 0xa3, 'n',
                                           's',  'p',  0xa1, '/', 0xa4, 'd',  'a',  't',  'a',
                                           0x81, 0xa3, 's',  'i', 'd',  0xa2, 's',  '1'};
    static constexpr unsigned char c2[] = {0x83, 0xa4, 't',  'y',  'p', 'e', 0x00, 0xa3, 'n', 's',
                                           'p',  0xa5, '/',  'c',  'h', 'a', 't',  0xa4, 'd', 'a',
                                           't',  'a',  0x81, 0xa3, 's', 'i', 'd',  0xa2, 's', '2'};
    // {"type":3,"nsp":"/chat","data":["ok"],"id":0}
    static constexpr unsigned char a1[] = {0x84, 0xa4, 't',  'y',  'p', 'e', 0x03, 0xa3, 'n', 's',
                                           'p',  0xa5, '/',  'c',  'h', 'a', 't',  0xa4, 'd', 'a',
                                           't',  'a',  0x91, 0xa2, 'o', 'k', 0xa2, 'i',  'd', 0x00};
    // {"type":2,"nsp":"/","data":["up",<bin 3>]}
    static constexpr unsigned char e1[] = {0x83, 0xa4, 't',  'y', 'p',  'e',  0x02, 0xa3, 'n',
                                           's',  'p',  0xa1, '/', 0xa4, 'd',  'a',  't',  'a',
                                           0x92, 0xa2, 'u',  'p', 0xc4, 0x03, 4,    5,    6};
    const auto v = [](const unsigned char* p, std::size_t n) {
      return std::string_view(reinterpret_cast<const char*>(p), n);
    };
    c.handle_ws_message(k, v(c1, sizeof c1), 2);
    c.handle_ws_message(k, v(c2, sizeof c2), 2);
    drain(c, o);
    c.handle_ws_message(k, v(a1, sizeof a1), 3);
    c.handle_ws_message(k, v(e1, sizeof e1), 3);
  } else {
    c.handle_ws_message(k, R"(40{"sid":"s1"})", 2);
    c.handle_ws_message(k, R"(40/chat,{"sid":"s2"})", 2);
    drain(c, o);
    c.handle_ws_message(k, R"(43/chat,0["ok"])", 3);
    c.handle_ws_message(k, R"(451-["up",{"_placeholder":true,"num":0}])", 3);
    c.handle_ws_message(eio::frame_kind::binary, "\x04\x05\x06", 3);
  }
  drain(c, o);
  static constexpr unsigned char bytes[] = {1, 2, 3};
  const siocodec::byte_view blob(bytes, sizeof bytes);  // no allocation of the test's own
  note(c.emit(sio::event("file", blob, "a longer string argument, to grow the buffer"), 4, ack)
           .error(),
       o);
  drain(c, o);
  // {"type":3,"nsp":"/","data":["ok"],"id":0}
  static constexpr unsigned char a0[] = {0x84, 0xa4, 't',  'y', 'p',  'e', 0x03, 0xa3, 'n',
                                         's',  'p',  0xa1, '/', 0xa4, 'd', 'a',  't',  'a',
                                         0x91, 0xa2, 'o',  'k', 0xa2, 'i', 'd',  0x00};
  c.handle_ws_message(k,
                      mp ? std::string_view(reinterpret_cast<const char*>(a0), sizeof a0)
                         : std::string_view(R"(430["ok"])"),
                      5);
  drain(c, o);
  note(c.leave("/chat", 6), o);
  drain(c, o);
  return o;
}

bool complete(const sio_outcome& o) {
  return !o.engine_closed && !o.other_error && !o.out_of_memory && o.connects == 2 && o.acks == 2 &&
         o.events == 1 && o.disconnects == 1;
}

}  // namespace

TEST_CASE("buffer_resource: first fit, split, merge, exhaustion") {
  alignas(std::max_align_t) unsigned char area[1024];
  siocodec::buffer_resource r(area, sizeof area);
  CHECK(r.capacity() == sizeof area);
  void* a = r.allocate(100, 8);
  void* b = r.allocate(200, 8);
  void* c = r.allocate(50, 8);
  REQUIRE(a != nullptr);
  REQUIRE(b != nullptr);
  REQUIRE(c != nullptr);
  CHECK(reinterpret_cast<std::uintptr_t>(a) % siocodec::buffer_resource::granule == 0);
  CHECK(r.used() == siocodec::buffer_resource::block_bytes(100) +
                        siocodec::buffer_resource::block_bytes(200) +
                        siocodec::buffer_resource::block_bytes(50));
  CHECK(r.allocate(2000, 8) == nullptr);
  CHECK(r.allocate(16, 1024) == nullptr);  // an alignment above the granule
  r.deallocate(b, 200, 8);
  r.deallocate(a, 100, 8);
  r.deallocate(c, 50, 8);
  CHECK(r.used() == 0);
  // Merged back into one block: the whole capacity can be served again.
  void* all = r.allocate(sizeof area - siocodec::buffer_resource::header_bytes, 8);
  CHECK(all != nullptr);
  CHECK(r.allocate(1, 1) == nullptr);
  r.deallocate(all, 0, 8);
  CHECK(r.peak() == sizeof area);
  siocodec::buffer_resource none(nullptr, 100);
  CHECK(none.allocate(1, 1) == nullptr);
  siocodec::buffer_resource tiny(area + 1, 8);
  CHECK(tiny.allocate(1, 1) == nullptr);
}

TEST_CASE("engineio::client: a session on a buffer_resource allocates nothing else") {
  static unsigned char area[16384];
  siocodec::buffer_resource r(area, sizeof area);
  outcome o;
  const std::size_t n = siocodec_test::allocations_during([&] { o = session(&r); });
  CHECK(complete(o));
  CHECK(r.peak() > 0);
  CHECK(r.used() == 0);  // the client gave everything back
  if (siocodec_test::allocations_counted()) {
    CHECK(n == 0);
  } else {
    WARN("allocations are not counted in this build (a sanitizer owns malloc)");
  }
  // The default (no resource) is the global heap, as before.
  CHECK(complete(session(nullptr)));
}

TEST_CASE("engineio::client: too little memory at any step closes with out_of_memory") {
  static unsigned char probe[16384];
  siocodec::buffer_resource big(probe, sizeof probe);
  REQUIRE(complete(session(&big)));
  const std::size_t need = big.peak();
  std::vector<unsigned char> area(need + siocodec::buffer_resource::granule);
  int failed = 0;
  for (std::size_t k = 0; k <= need; k += siocodec::buffer_resource::granule) {
    INFO("buffer " << need - k << " bytes (" << k << " below the peak)");
    void* start = area.data();
    std::size_t space = area.size();
    // The same usable size whatever the vector's alignment.
    const auto mis = reinterpret_cast<std::uintptr_t>(start) % siocodec::buffer_resource::granule;
    if (mis != 0) start = area.data() + (siocodec::buffer_resource::granule - mis);
    space = need - k;
    siocodec::buffer_resource r(start, space);
    const outcome o = session(&r);
    if (k == 0) {
      CHECK(complete(o));
    } else if (!complete(o)) {
      ++failed;
      CHECK(o.closed);
      CHECK(o.reason == eio::close_reason::queue_full);
      CHECK(o.error == errc::out_of_memory);
    }
    CHECK(r.used() == 0);
  }
  CHECK(failed > 0);
}

TEST_CASE("socketio::client: a session on a buffer_resource allocates nothing else") {
  for (const sio::parser_kind parser : {sio::parser_kind::json, sio::parser_kind::msgpack}) {
    INFO("parser " << static_cast<int>(parser));
    static unsigned char area[32768];
    siocodec::buffer_resource r(area, sizeof area);
    sio_outcome o;
    const std::size_t n = siocodec_test::allocations_during([&] { o = sio_session(&r, parser); });
    CHECK(complete(o));
    CHECK(r.used() == 0);
    if (siocodec_test::allocations_counted()) CHECK(n == 0);
    CHECK(complete(sio_session(nullptr, parser)));  // the default: the global heap
  }
}

TEST_CASE("socketio::client: too little memory at any step reports out_of_memory") {
  for (const sio::parser_kind parser : {sio::parser_kind::json, sio::parser_kind::msgpack}) {
    static unsigned char probe[32768];
    siocodec::buffer_resource big(probe, sizeof probe);
    REQUIRE(complete(sio_session(&big, parser)));
    const std::size_t need = big.peak();
    std::vector<unsigned char> area(need + siocodec::buffer_resource::granule);
    const auto mis =
        reinterpret_cast<std::uintptr_t>(area.data()) % siocodec::buffer_resource::granule;
    unsigned char* start = area.data() + (mis == 0 ? 0 : siocodec::buffer_resource::granule - mis);
    int failed = 0;
    for (std::size_t k = 0; k <= need; k += siocodec::buffer_resource::granule) {
      INFO("parser " << static_cast<int>(parser) << ", " << k << " bytes below the peak " << need);
      siocodec::buffer_resource r(start, need - k);
      const sio_outcome o = sio_session(&r, parser);
      if (k == 0) {
        CHECK(complete(o));
      } else if (!complete(o)) {
        ++failed;
        CHECK(o.out_of_memory);
        CHECK_FALSE(o.other_error);
      }
      CHECK(r.used() == 0);
    }
    CHECK(failed > 0);
  }
}
