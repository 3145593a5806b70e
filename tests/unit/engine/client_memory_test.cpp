// SPDX-License-Identifier: BSL-1.0
// The client engines on caller memory (client_options::memory, siocodec/memory.hpp): a session on
// a buffer_resource makes no global allocation, and a buffer too small at any step closes the
// session with out_of_memory instead of crashing (this file runs under ASan + UBSan in CI).
#include <siocodec/engineio/client.hpp>
#include <siocodec/memory.hpp>

#include "support/allocations.hpp"
#include "support/catch.hpp"

#include <cstddef>
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
