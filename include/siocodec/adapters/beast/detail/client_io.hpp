// SPDX-License-Identifier: BSL-1.0
// The I/O half of a Socket.IO client over Beast: does what a client engine's transmits ask (open a
// WebSocket, send, close it, GET, POST) with the channels of client_transports.hpp, hands the
// channels' reports back, and keeps one steady_timer on the engine's next deadline.
//
// `Session` is whatever wraps the engine (the adapter's client, or examples/client's session with
// its own error words); it provides:
//   std::optional<engineio::client_transmit> poll_transmit();
//   std::optional<std::chrono::steady_clock::time_point> next_deadline() const;
//   std::uint64_t generation() const;   // Engine.IO sessions ended so far
//   void on_ws_open();  void on_ws_message(std::string_view data, bool binary);
//   void on_ws_closed(bool error, std::string_view what);
//   void on_get_response(std::string_view body, bool octet_stream, std::uint64_t generation);
//   void on_post_response(std::uint64_t generation);
//   void on_http_error(engineio::client_action request, std::string_view what,
//                      std::uint64_t generation);
//   void on_timer();
// After each report (and timer expiry) `after` runs: the owner drains the engine and calls
// flush(). An HTTP answer carries the generation its request was made in, so that the late answer
// of an Engine.IO session already gone is told apart.
#ifndef SIOCODEC_ADAPTERS_BEAST_DETAIL_CLIENT_IO_HPP
#define SIOCODEC_ADAPTERS_BEAST_DETAIL_CLIENT_IO_HPP

#include <siocodec/adapters/beast/detail/client_transports.hpp>
#include <siocodec/config.hpp>
#include <siocodec/engineio/client.hpp>

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

SIOCODEC_BEGIN_NAMESPACE
namespace adapters {
namespace beast {
namespace detail {

/// Where and how the I/O connects.
struct client_io_settings {
  client_endpoint ep;
  /// The Engine.IO path ("/socket.io/") and a query appended to the engine's ("" for none).
  std::string path = "/socket.io/", query;
  bool tls = false;
  /// Largest WebSocket message / HTTP body accepted.
  std::size_t max_payload = std::size_t{64} << 20;
  /// Bytes a WebSocket may hold unsent before it is dropped ("send queue full").
  std::size_t max_send_queue = SIOCODEC_DEFAULT_BEAST_MAX_SEND_QUEUE_BYTES;
};

template <class Session>
class client_io {
 public:
  using clock = std::chrono::steady_clock;

  client_io(net::io_context& io, Session& s, std::function<void()> after)
      : io_(io), session_(s), after_(std::move(after)), timer_(io) {}
  client_io(const client_io&) = delete;
  client_io& operator=(const client_io&) = delete;
  ~client_io() { drop(); }

  client_io_settings& settings() noexcept { return settings_; }

  /// Executes every transmit the session has, then follows its next deadline. A transmit's
  /// views die with the next call on the session: the channels copy what they keep.
  void flush() {
    if (shut_) return;
    while (const auto t = session_.poll_transmit()) execute(*t);
    arm_timer();
    // The held GET of a session that is over goes once no POST is in flight (it may carry the
    // last DISCONNECTs: a socket.io server that sees the GET's connection close first ends
    // every namespace with "transport error").
    if (stale_get_ && !post_busy()) {
      stale_get_->cancel();
      stale_get_.reset();
    }
  }

  /// The Engine.IO session ended (its close event): its GET is no longer wanted (see flush());
  /// a new session's requests take new channels.
  void session_ended() {
    if (get_ && get_->busy()) stale_get_ = std::move(get_);
    get_.reset();
  }

  /// A POST is in flight.
  bool post_busy() const noexcept { return post_ && post_->busy(); }
  /// The current WebSocket is open.
  bool ws_open() const noexcept { return ws_ && ws_->is_open(); }
  /// Bytes the current WebSocket holds unsent.
  std::size_t queued_bytes() const noexcept { return ws_ ? ws_->queued_bytes() : 0; }

  /// The end: HTTP requests dropped, the WebSocket closed (close frame), the timer stopped, so
  /// that io.run() can return. Nothing runs after it.
  void shutdown() {
    if (shut_) return;
    shut_ = true;
    for (auto* slot : {&get_, &post_, &stale_get_}) {
      if (*slot) (*slot)->cancel();
    }
    if (ws_) {
      ws_->on_end = nullptr;
      if (ws_->is_open()) ws_->close();
    }
    timer_.cancel();
  }

  /// Drops everything at once (no close frame): the owner is going away.
  void drop() {
    shut_ = true;
    timer_.cancel();
    if (ws_) ws_->detach();
    for (auto* slot : {&get_, &post_, &stale_get_}) {
      if (*slot) (*slot)->cancel();
    }
  }

 private:
  void execute(const engineio::client_transmit& t) {
    using a = engineio::client_action;
    switch (t.action) {
      case a::open_websocket: return open_websocket(target(t.query));
      case a::ws_send:
        if (ws_) ws_->send(frame_of(t.body));
        return;
      case a::ws_close:
        // The engine knows already: the end of this WebSocket is not reported to it.
        if (ws_) {
          ws_->on_end = nullptr;
          std::exchange(ws_, nullptr)->close();
        }
        return;
      case a::get:
        return channel(get_).request(settings_.ep, http::verb::get, target(t.query), out_frame{},
                                     answered(a::get));
      case a::post:
        return channel(post_).request(settings_.ep, http::verb::post, target(t.query),
                                      frame_of(t.body), answered(a::post));
    }
  }

  std::string target(std::string_view query) const {
    std::string s = settings_.path;
    s += '?';
    s += query;
    if (!settings_.query.empty()) s.append("&").append(settings_.query);
    return s;
  }

  static out_frame frame_of(const engineio::frame& f) {
    out_frame o;
    o.bytes.reserve(f.size());
    o.bytes.append(f.prefix).append(f.data);
    o.binary = f.kind == engineio::frame_kind::binary;
    return o;
  }

  // Every WebSocket (a reconnection, an upgrade probe) is a channel of its own; one that is no
  // longer current is dropped, and its late reports are ignored.
  void open_websocket(const std::string& target) {
    if (ws_) ws_->detach();
    std::shared_ptr<ws_base> ch;
#if SIOCODEC_BEAST_SSL
    if (settings_.tls) {
      ch = std::make_shared<ws_channel<true>>(io_, settings_.ep, settings_.max_payload,
                                              settings_.max_send_queue);
    }
#endif
    if (!ch) {
      ch = std::make_shared<ws_channel<false>>(io_, settings_.ep, settings_.max_payload,
                                               settings_.max_send_queue);
    }
    ws_ = ch;
    ws_base* raw = ch.get();
    ch->on_open = [this, raw] {
      if (raw != ws_.get()) return;
      session_.on_ws_open();
      after_();
    };
    ch->on_message = [this, raw](std::string_view data, bool binary) {
      if (raw != ws_.get()) return;
      session_.on_ws_message(data, binary);
      after_();
    };
    ch->on_end = [this, raw](bool error, const std::string& what) {
      if (raw != ws_.get()) return;
      ws_.reset();
      session_.on_ws_closed(error, what);
      after_();
    };
    ch->open(settings_.ep, target);
  }

  // The channel for the next GET or POST: a busy one (a late answer of a session that is gone)
  // is dropped; its own handlers keep it alive until they ran.
  http_base& channel(std::shared_ptr<http_base>& slot) {
    if (!slot || slot->busy()) {
#if SIOCODEC_BEAST_SSL
      if (settings_.tls) {
        slot = std::make_shared<http_channel<true>>(io_, settings_.max_payload);
        return *slot;
      }
#endif
      slot = std::make_shared<http_channel<false>>(io_, settings_.max_payload);
    }
    return *slot;
  }

  http_base::handler answered(engineio::client_action request) {
    return [this, request, gen = session_.generation()](unsigned status, std::string_view body,
                                                        bool octet, const std::string& err) {
      const char* name = request == engineio::client_action::get ? "GET" : "POST";
      if (status != 200) {
        session_.on_http_error(
            request, err.empty() ? std::string(name) + " answered " + std::to_string(status) : err,
            gen);
      } else if (request == engineio::client_action::get) {
        session_.on_get_response(body, octet, gen);
      } else {
        session_.on_post_response(gen);
      }
      after_();
    };
  }

  void arm_timer() {
    const auto d = session_.next_deadline();
    if (!d) {
      if (timer_armed_) timer_.cancel();
      timer_armed_ = false;
      return;
    }
    if (timer_armed_ && *d == timer_at_) return;
    timer_armed_ = true;
    timer_at_ = *d;
    timer_.expires_at(*d);
    timer_.async_wait([this](bb::error_code ec) {
      if (ec) return;
      timer_armed_ = false;
      session_.on_timer();
      after_();
    });
  }

  net::io_context& io_;
  Session& session_;
  std::function<void()> after_;
  net::steady_timer timer_;
  client_io_settings settings_;
  std::shared_ptr<ws_base> ws_;
  std::shared_ptr<http_base> get_, post_, stale_get_;
  clock::time_point timer_at_{};
  bool timer_armed_ = false, shut_ = false;
};

}  // namespace detail
}  // namespace beast
}  // namespace adapters
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_ADAPTERS_BEAST_DETAIL_CLIENT_IO_HPP
