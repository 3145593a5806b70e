// SPDX-License-Identifier: BSL-1.0
// The Engine.IO engines' cost per message over the bare codec (issue 21): the operations of
// engine_bench.cpp and siocodec_count, with the shape of ops.hpp.
//
//   engine_ws_down  server_session::send -> poll_transmit -> client::handle_ws_message ->
//                   poll_event, for each message of a WebSocket workload
//   engine_ws_up    the same from the client to the server
//   codec_ws        what a loop without engines does for the same messages: encode_to() into a
//                   reused buffer, then decode() of it
//
// The engines are an open v4 WebSocket session (websocket first), in steady state: `now` does
// not move, so no timer runs, and every buffer has reached its size during the first (untimed)
// run.
#ifndef SIOCODEC_BENCH_ENGINE_OPS_HPP
#define SIOCODEC_BENCH_ENGINE_OPS_HPP

#include "ops.hpp"
#include "workloads.hpp"

#include <siocodec/engineio/client.hpp>
#include <siocodec/engineio/server.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

/// The Engine.IO messages of a WebSocket workload, as an application hands them to send().
inline std::vector<eio::packet_view> ws_messages(const workload& w) {
  std::vector<eio::packet_view> out;
  for (const frame& f : w.frames) {
    if (f.kind == eio::frame_kind::text) {
      out.push_back(
          eio::packet_view::text(eio::packet_type::message, std::string_view(f.bytes).substr(1)));
    } else {
      out.push_back(eio::packet_view::binary(byte_view(f.bytes.data(), f.bytes.size())));
    }
  }
  return out;
}

/// A client engine and a server session joined over WebSocket, open. Limits above every
/// workload (w4 is over the 1e6 default maxPayload, as in eio_options()).
class engine_pair {
 public:
  engine_pair() : client_(client_options()), server_(server_options(), sid(), v4, ws, true, 0) {
    ok_ = client_.open(0, 1) == siocodec::errc::none;
    while (auto t = client_.poll_transmit()) ok_ &= t->action == eio::client_action::open_websocket;
    client_.handle_ws_open(0);
    ok_ &= forward<true>() == 0;  // the open packet
    while (auto e = client_.poll_event()) ok_ &= e->kind == eio::event_kind::open;
    while (auto e = server_.poll_event()) ok_ &= e->kind == eio::event_kind::open;
    ok_ &= client_.is_open() && server_.is_open();
  }

  bool ok() const noexcept { return ok_; }

  /// Sends `msgs` one way and hands the data of each message event at the other end to
  /// `take`; returns how many arrived (0 when anything else happened).
  template <bool Down, class Take>
  std::size_t pass(const std::vector<eio::packet_view>& msgs, Take&& take) noexcept {
    for (const eio::packet_view& p : msgs) {
      const siocodec::errc r = Down ? server_.send(p, 0) : client_.send(p, 0);
      if (r != siocodec::errc::none) return 0;
    }
    if (forward<Down>() != 0) return 0;
    std::size_t n = 0;
    while (auto e = Down ? client_.poll_event() : server_.poll_event()) {
      if (e->kind != eio::event_kind::message) return 0;
      take(e->packet.data);
      ++n;
    }
    return n;
  }

 private:
  static constexpr eio::protocol_version v4 = eio::protocol_version::v4;
  static constexpr eio::transport_kind ws = eio::transport_kind::websocket;
  static std::string_view sid() noexcept { return "bench0123456789abcde"; }
  static eio::client_options client_options() {
    eio::client_options o;
    o.initial = ws;
    o.decode = eio_options();
    return o;
  }
  static eio::server_options server_options() {
    eio::server_options o;
    o.max_payload = eio_options().max_payload;
    return o;
  }
  /// Hands each transmit of one engine to the other; returns how many could not be (all must
  /// be ws_send, and v4 frames have no prefix).
  template <bool Down>
  std::size_t forward() noexcept {
    std::size_t bad = 0;
    while (auto t = Down ? next_tx(server_) : next_tx(client_)) {
      if (!t->ok) {
        ++bad;
      } else if (Down) {
        client_.handle_ws_message(t->kind, t->data, 0);
      } else {
        server_.handle_ws_message(t->kind, t->data, 0);
      }
    }
    return bad;
  }
  struct ws_frame {
    bool ok;
    eio::frame_kind kind;
    std::string_view data;
  };
  template <class Engine>
  static std::optional<ws_frame> next_tx(Engine& e) noexcept {
    auto t = e.poll_transmit();
    if (!t) return std::nullopt;
    return ws_frame{is_ws_send(*t) && t->body.prefix.empty(), t->body.kind, t->body.data};
  }
  static bool is_ws_send(const eio::server_transmit& t) noexcept {
    return t.action == eio::server_action::ws_send;
  }
  static bool is_ws_send(const eio::client_transmit& t) noexcept {
    return t.action == eio::client_action::ws_send;
  }

  eio::client client_;
  eio::server_session server_;
  bool ok_ = false;
};

/// What the operations below share: a WebSocket workload's messages.
class ws_messages_op {
 public:
  static bool applies(const workload& w) { return !w.is_polling(); }
  std::size_t packets() const noexcept { return 1; }
  std::size_t bytes() const noexcept { return w_->bytes(); }
  /// Engine.IO messages per run(): divide the time per run by it for the time per message.
  std::size_t messages() const noexcept { return msgs_.size(); }

 protected:
  explicit ws_messages_op(const workload& w) : w_(&w), msgs_(ws_messages(w)) {}
  const workload* w_;
  std::vector<eio::packet_view> msgs_;
  std::size_t sum_ = 0;
};

/// One direction of the engine pair over a WebSocket workload's messages.
template <bool Down>
class basic_engine_ws_op : public ws_messages_op {
 public:
  static constexpr const char* name = Down ? "engine_ws_down" : "engine_ws_up";

  explicit basic_engine_ws_op(const workload& w) : ws_messages_op(w) {}

  /// 1 when every message arrived (the workload is one Socket.IO packet), else 0.
  std::size_t run() noexcept {
    const auto take = [this](std::string_view data) {
      sum_ += data.size();
      escape(data.data());
    };
    return pair_.template pass<Down>(msgs_, take) == msgs_.size() ? 1 : 0;
  }
  std::string check() {
    if (!pair_.ok()) return "the engines did not open";
    std::vector<std::string> got;
    const auto take = [&got](std::string_view data) { got.emplace_back(data); };
    if (pair_.template pass<Down>(msgs_, take) != msgs_.size()) return "a message did not arrive";
    for (std::size_t i = 0; i < got.size(); ++i) {
      if (got[i] != msgs_[i].data) return "message " + std::to_string(i) + " differs";
    }
    return {};
  }

 private:
  engine_pair pair_;
};
using engine_ws_down_op = basic_engine_ws_op<true>;
using engine_ws_up_op = basic_engine_ws_op<false>;

/// The baseline: the same messages through the bare codec, encoded into one reused buffer and
/// decoded from it (what one direction costs without engines).
class codec_ws_op : public ws_messages_op {
 public:
  static constexpr const char* name = "codec_ws";

  explicit codec_ws_op(const workload& w) : ws_messages_op(w), opts_(eio_options()) {
    out_.resize(w.bytes() + 16);
  }
  std::size_t run() noexcept {
    for (const eio::packet_view& p : msgs_) {
      const auto n = eio::encode_to(out_.data(), out_.size(), p);
      if (!n) return 0;
      const eio::frame_kind kind =
          p.kind == eio::data_kind::binary ? eio::frame_kind::binary : eio::frame_kind::text;
      const auto r = eio::decode(std::string_view(out_.data(), *n), kind, opts_);
      if (!r) return 0;
      sum_ += r->data.size();
      escape(r->data.data());
    }
    return 1;
  }
  std::string check() {
    for (std::size_t i = 0; i < msgs_.size(); ++i) {
      const auto n = eio::encode_to(out_.data(), out_.size(), msgs_[i]);
      if (!n) return error_text("engineio::encode_to", n.error(), n.offset());
      if (std::string_view(out_.data(), *n) != w_->frames[i].bytes) return "frame differs";
    }
    return run() == 1 ? "" : "engineio::decode failed";
  }

 private:
  eio::decode_options opts_;
  std::vector<char> out_;
};

}  // namespace bench

#endif  // SIOCODEC_BENCH_ENGINE_OPS_HPP
