// SPDX-License-Identifier: BSL-1.0
// The Socket.IO engines' ack registries: sio_client_acks/N emits N events that ask for an ack
// (two in three with a timeout, so the deadline structure holds most of them), then answers
// them in a random order, each answer an `43<id>[]` frame through handle_ws_message() and
// poll_event(). Per iteration: N emits, N answers, the next_deadline() after each answer. With
// a linear registry, answering N acks costs O(N^2); with the heap and index, O(N log N).
// sio_server_acks/N: the same for a server_connection.
#include <siocodec/socketio.hpp>
#include <siocodec/socketio/client.hpp>
#include <siocodec/socketio/server.hpp>

#include <benchmark/benchmark.h>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

namespace {

namespace sio_ = siocodec::socketio;
namespace eio_ = siocodec::engineio;

void drain(sio_::client& c) {
  while (c.poll_transmit()) {
  }
  while (c.poll_event()) {
  }
}

// 0..n-1 in a fixed random order (xorshift, Fisher-Yates).
std::vector<std::size_t> shuffled(std::size_t n) {
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::uint64_t x = 88172645463325252ull;
  for (std::size_t i = n; i > 1; --i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    std::swap(order[i - 1], order[x % i]);
  }
  return order;
}

// The measured loop, the same for both engines: n emits asking for an ack (two in three with a
// timeout), drained; then the n answers (`43<id>[]`) in a fixed random order, each polled.
template <class Engine, class Kind>
void ack_rounds(benchmark::State& state, Engine& c, Kind ack, std::size_t n) {
  const std::vector<std::size_t> order = shuffled(n);
  std::uint64_t base = 0;
  char frame[32] = {'4', '3'};
  std::size_t answered = 0;
  for (auto _ : state) {
    sio_::emit_options e;
    e.want_ack = true;
    for (std::size_t i = 0; i < n; ++i) {
      e.ack_timeout = i % 3 == 0 ? 0 : 60000 + i % 1000;
      (void)c.emit(sio_::event("m", 1), 1, e);
      while (c.poll_transmit()) {
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      const auto r = std::to_chars(frame + 2, frame + 30, base + order[i]);
      r.ptr[0] = '[';
      r.ptr[1] = ']';
      c.handle_ws_message(eio_::frame_kind::text,
                          std::string_view(frame, static_cast<std::size_t>(r.ptr + 2 - frame)), 1);
      while (auto ev = c.poll_event()) answered += ev->kind == ack;
      benchmark::DoNotOptimize(c.next_deadline());
    }
    base += n;
  }
  if (answered != n * static_cast<std::size_t>(state.iterations()) || c.pending_acks() != 0)
    state.SkipWithError("not every ack was answered");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(n));
}

void sio_client_acks(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  sio_::client_options o;
  o.engine.initial = eio_::transport_kind::websocket;
  o.engine.max_queued_messages = n + 16;
  o.max_pending_acks = n;
  sio_::client c(o);
  (void)c.open(0, 1);
  (void)c.join("/", 0);
  drain(c);
  c.handle_ws_open(0);
  c.handle_ws_message(
      eio_::frame_kind::text,
      R"(0{"sid":"b","upgrades":[],"pingInterval":25000000,"pingTimeout":20000,"maxPayload":1000000})",
      0);
  drain(c);
  c.handle_ws_message(eio_::frame_kind::text, R"(40{"sid":"s"})", 0);
  drain(c);
  if (!c.connected("/")) {
    state.SkipWithError("the client did not connect");
    return;
  }
  ack_rounds(state, c, sio_::client_event_kind::ack, n);
}

void sio_server_acks(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  sio_::server_options o;
  o.engine.max_queued_messages = n + 16;
  o.engine.ping_interval = 25000000;
  o.max_pending_acks = n;
  sio_::server_connection s(o, "bench_sid", eio_::protocol_version::v4,
                            eio_::transport_kind::websocket, true, 0);
  s.handle_ws_message(eio_::frame_kind::text, "40", 0);
  while (s.poll_event()) {
  }
  const unsigned char random[30] = {1, 2, 3};
  (void)s.accept("/", siocodec::byte_view(random, sizeof random), 0, nullptr);
  while (s.poll_event()) {
  }
  while (s.poll_transmit()) {
  }
  ack_rounds(state, s, sio_::server_event_kind::ack, n);
}

}  // namespace

void register_sio_acks() {
  benchmark::RegisterBenchmark("sio_server_acks", sio_server_acks)
      ->Arg(1000)
      ->Arg(10000)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("sio_client_acks", sio_client_acks)
      ->Arg(1000)
      ->Arg(10000)
      ->Unit(benchmark::kMillisecond);
}

}  // namespace bench
