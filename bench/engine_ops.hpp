// SPDX-License-Identifier: BSL-1.0
// The Engine.IO engines' cost per message, next to the bare codec's (ops.hpp has the same shape):
//   engine_send  server_session::send() of each message and the drain of its ws_send transmit,
//                against eio_encode (engineio::encode_to into a buffer);
//   engine_recv  client::handle_ws_message() of each frame and the drain of its message event,
//                against eio_decode (engineio::decode).
// Both run a session in steady state over WebSocket: opened once in the constructor, with the
// clock held still so that no heartbeat falls inside the measured loop. The difference per
// message is what the engine adds: the bookkeeping and the copy of the message into (send) or
// out of (receive) the engine's buffers.
#ifndef SIOCODEC_BENCH_ENGINE_OPS_HPP
#define SIOCODEC_BENCH_ENGINE_OPS_HPP

#include "ops.hpp"

#include <siocodec/engineio/client.hpp>
#include <siocodec/engineio/server.hpp>

#include <optional>
#include <string>
#include <vector>

namespace bench {

/// Limits above every workload (w4 is a 1 MB message).
inline eio::server_options engine_server_options() {
  eio::server_options o;
  o.max_payload = std::size_t{1} << 26;
  o.max_queued_bytes = std::size_t{1} << 28;
  return o;
}

class engine_send_op {
 public:
  static constexpr const char* name = "engine_send";
  static bool applies(const workload& w) { return !w.is_polling(); }

  explicit engine_send_op(const workload& w)
      : w_(&w),
        msgs_(engine_messages(w)),
        s_(engine_server_options(), "bench_sid", eio::protocol_version::v4,
           eio::transport_kind::websocket, true, 0) {
    while (s_.poll_transmit()) {
    }
    while (s_.poll_event()) {
    }
  }

  std::size_t run() noexcept {
    for (const eio::packet_view& m : msgs_) {
      if (s_.send(m, 0) != siocodec::errc::none) return 0;
      const std::optional<eio::server_transmit> tx = s_.poll_transmit();
      if (!tx) return 0;
      escape(tx->body.data.data());
      sum_ += tx->body.size();
    }
    return 1;
  }
  std::string check() {
    for (std::size_t i = 0; i < msgs_.size(); ++i) {
      if (s_.send(msgs_[i], 0) != siocodec::errc::none) return "server_session::send failed";
      const std::optional<eio::server_transmit> tx = s_.poll_transmit();
      if (!tx || tx->action != eio::server_action::ws_send) return "no ws_send transmit";
      const std::string got = std::string(tx->body.prefix) + std::string(tx->body.data);
      if (got != w_->frames[i].bytes || tx->body.kind != w_->frames[i].kind) {
        return "frame differs";
      }
    }
    return s_.poll_transmit() ? "an extra transmit" : "";
  }
  std::size_t packets() const noexcept { return 1; }
  std::size_t bytes() const noexcept { return w_->bytes(); }

 private:
  const workload* w_;
  std::vector<eio::packet_view> msgs_;
  eio::server_session s_;
  std::size_t sum_ = 0;
};

class engine_recv_op {
 public:
  static constexpr const char* name = "engine_recv";
  static bool applies(const workload& w) { return !w.is_polling(); }

  explicit engine_recv_op(const workload& w) : w_(&w), c_(client_options()) {
    // Open over WebSocket with the open packet a server session writes.
    (void)c_.open(0, 1);
    while (c_.poll_transmit()) {
    }
    c_.handle_ws_open(0);
    eio::server_session s(engine_server_options(), "bench_sid", eio::protocol_version::v4,
                          eio::transport_kind::websocket, true, 0);
    const std::optional<eio::server_transmit> open = s.poll_transmit();
    if (open) c_.handle_ws_message(open->body.kind, open->body.data, 0);
    while (c_.poll_event()) {
    }
    while (c_.poll_transmit()) {
    }
  }

  std::size_t run() noexcept {
    for (const frame& f : w_->frames) {
      c_.handle_ws_message(f.kind, f.bytes, 0);
      const std::optional<eio::event> ev = c_.poll_event();
      if (!ev || ev->kind != eio::event_kind::message) return 0;
      sum_ += ev->packet.data.size();
    }
    return 1;
  }
  std::string check() {
    if (!c_.is_open()) return "the client engine did not open";
    for (const frame& f : w_->frames) {
      c_.handle_ws_message(f.kind, f.bytes, 0);
      const std::optional<eio::event> ev = c_.poll_event();
      if (!ev || ev->kind != eio::event_kind::message) return "no message event";
      const std::string_view want = f.kind == eio::frame_kind::text
                                        ? std::string_view(f.bytes).substr(1)
                                        : std::string_view(f.bytes);
      if (ev->packet.data != want) return "message differs";
    }
    return c_.poll_event() ? "an extra event" : "";
  }
  std::size_t packets() const noexcept { return 1; }
  std::size_t bytes() const noexcept { return w_->bytes(); }

 private:
  static eio::client_options client_options() {
    eio::client_options o;
    o.initial = eio::transport_kind::websocket;
    o.decode = eio_options();
    o.max_queued_bytes = std::size_t{1} << 28;
    return o;
  }

  const workload* w_;
  eio::client c_;
  std::size_t sum_ = 0;
};

}  // namespace bench

#endif  // SIOCODEC_BENCH_ENGINE_OPS_HPP
