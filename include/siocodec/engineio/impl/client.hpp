// SPDX-License-Identifier: BSL-1.0
// The Engine.IO client engine: the definitions of what <siocodec/engineio/client.hpp> declares.
// That header includes this file at its end; including this file alone includes that one first.
#ifndef SIOCODEC_ENGINEIO_IMPL_CLIENT_HPP
#define SIOCODEC_ENGINEIO_IMPL_CLIENT_HPP

#include <siocodec/detail/view.hpp>
#include <siocodec/engineio/client.hpp>

SIOCODEC_BEGIN_NAMESPACE
namespace engineio {

inline client::client(const client_options& opts)
    : opts_(opts),
      dec_(opts.decode),
      hs_json_(opts.memory),
      q_buf_(opts.memory),
      queue_(opts.memory),
      batch_(opts.memory),
      tx_query_(opts.memory),
      tx_body_(opts.memory),
      tx_(opts.memory),
      ev_buf_(opts.memory),
      ev_(opts.memory) {
  dec_.version = opts.version;
  transport_ = opts.initial;
}

// Destroyed and built again where it is: the options are the one thing kept, and no member is
// const or a reference, so the name designates the new client ([basic.life]). One constructor
// and one destructor, rather than a temporary, a move assignment and the temporary's destructor
// (socketio::client's reconnection).
inline void client::reset() noexcept {
  const client_options opts = opts_;
  this->~client();
  ::new (static_cast<void*>(this)) client(opts);
}

// Outputs the caller has drained are dropped at the start of a call that adds outputs, so that
// views handed out stay valid until that call and storage is reused (clear keeps capacity).
// A caller that drains only part of them keeps the rest: the drained prefix is erased (records
// and bytes; offsets only grow, so the first kept record's offset is where the kept bytes start),
// so that what the buffers hold is what the caller has not taken, which the limits count.
inline void client::begin_call() {
  if (tx_head_ == tx_.size()) {
    if (tx_head_ != 0) {
      tx_.clear();
      tx_query_.clear();
      tx_body_.clear();
      detail::release_if_over(tx_, opts_.max_retained_bytes);
      detail::release_if_over(tx_query_, opts_.max_retained_bytes);
      detail::release_if_over(tx_body_, opts_.max_retained_bytes);
    }
  } else if (tx_head_ != 0) {
    const std::size_t q0 = tx_[tx_head_].q_off, b0 = tx_[tx_head_].b_off;
    tx_.erase_front(tx_head_);
    tx_query_.erase_front(q0);
    tx_body_.erase_front(b0);
    for (tx_record& r : tx_) {
      r.q_off -= q0;
      r.b_off -= b0;
    }
  }
  tx_head_ = 0;
  if (ev_head_ == ev_.size()) {
    if (ev_head_ != 0) {
      ev_.clear();
      ev_buf_.clear();
      detail::release_if_over(ev_, opts_.max_retained_bytes);
      detail::release_if_over(ev_buf_, opts_.max_retained_bytes);
    }
  } else if (ev_head_ != 0) {
    const std::size_t e0 = ev_[ev_head_].off;
    ev_.erase_front(ev_head_);
    ev_buf_.erase_front(e0);
    for (ev_record& r : ev_) r.off -= e0;
  }
  ev_head_ = 0;
  ev_carried_ = ev_.size();
  ev_carried_bytes_ = ev_buf_.size();
}

inline void client::push_tx(client_action a, std::size_t q_off, std::size_t q_len, frame_kind kind,
                            std::size_t b_off, std::size_t b_len, bool v3_type_byte) {
  // Records without a query or body point at the end of those buffers: offsets never decrease.
  if (q_len == 0) q_off = tx_query_.size();
  if (b_len == 0) b_off = tx_body_.size();
  // After a failed growth no transmit goes out: its query or body may be cut short.
  if (oom_ || !tx_.try_push_back(tx_record{a, kind, v3_type_byte, q_off, q_len, b_off, b_len}))
    oom_ = true;
}

inline void client::push_ws_text(std::string_view text) {
  const std::size_t off = tx_body_.size();
  if (!tx_body_.try_append(text)) oom_ = true;
  push_tx(client_action::ws_send, 0, 0, frame_kind::text, off, text.size());
}

// The query engine.io-client builds: its query object gets EIO and transport
// (Socket.createTransport), then polling's uri() adds `t` (timestampRequests defaults on for
// polling only) and, for a client without binary, `b64=1` before the sid exists; onHandshake
// adds `sid` last. Object key order is insertion order, so every later request reads
// `EIO=4&transport=polling&t=..[&b64=1]&sid=..`. A WebSocket gets `EIO=4&transport=websocket`
// (with `&sid=..` when upgrading, then `&b64=1` for a v3 client without binary).
inline std::size_t client::build_query(transport_kind t) {
  const std::size_t off = tx_query_.size();
  const auto add = [this](std::string_view part) {
    if (!tx_query_.try_append(part)) oom_ = true;
  };
  add(v3() ? "EIO=3" : "EIO=4");
  if (has_polling && t == transport_kind::polling) {
    add("&transport=polling&t=");
    // A cache buster from the caller's seed (splitmix64), in yeast's URL-safe alphabet.
    static constexpr char alphabet[] =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
    rng_ += 0x9E3779B97F4A7C15u;
    std::uint64_t z = rng_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    z ^= z >> 31;
    char t_value[8];
    for (char& c : t_value) {
      c = alphabet[z & 63u];
      z >>= 6;
    }
    add(std::string_view(t_value, sizeof t_value));
    if (base64_only()) add("&b64=1");
  } else {
    add("&transport=websocket");
  }
  // Only polling requests and the upgrade's WebSocket carry a sid: a WebSocket-only client
  // builds its one query in open(), before any handshake, so the sid encoder is not linked.
  if (has_polling && !hs_.sid.empty()) {
    add("&sid=");
    if (!encode_sid(hs_.sid, tx_query_)) oom_ = true;
  }
  // websocket.ts uri(): `if (!this.supportsBinary) query.b64 = 1;`, after the sid.
  if (t == transport_kind::websocket && base64_only()) add("&b64=1");
  return off;
}

inline void client::start_get() {
  const std::size_t off = build_query(transport_kind::polling);
  push_tx(client_action::get, off, tx_query_.size() - off, frame_kind::text, 0, 0);
  get_in_flight_ = true;
}

inline void client::push_event(event_kind k) {
  if (!ev_.try_push_back(ev_record{k, data_kind::text, transport_, close_reason::forced_close,
                                   errc::none, 0, ev_buf_.size(), 0}))
    oom_ = true;
}

inline errc client::open(millis now, std::uint64_t random) {
  if (state_ != state::idle) return errc::invalid_state;
  const bool initial_ok = (has_polling && opts_.initial == transport_kind::polling) ||
                          (has_ws && opts_.initial == transport_kind::websocket);
  if ((opts_.version != protocol_version::v4 && !v3()) || !initial_ok ||
      (SIOCODEC_ENGINE_HEAP == 0 && opts_.memory == nullptr)) {
    return errc::invalid_argument;
  }
  const settle_on_exit settle_guard{*this};
  begin_call();
  last_now_ = now;
  rng_ = random;
  state_ = state::opening;
  transport_ = opts_.initial;
  if (on_polling()) {
    start_get();
  } else {
    const std::size_t off = build_query(transport_kind::websocket);
    push_tx(client_action::open_websocket, off, tx_query_.size() - off, frame_kind::text, 0, 0);
    ws_ = ws_state::connecting;
  }
  return errc::none;
}

// Ends the session: the close event, then what ends the transport. engine.io-client's _onClose
// calls transport.close(), which on an open polling transport POSTs a `1` packet
// (Polling.doClose) and on a WebSocket closes it (BaseWS.doClose: `this.ws.close()`, no `1`).
inline void client::close_with(close_reason reason, errc e, std::size_t offset,
                               bool transport_gone) {
  if (!live()) return;
  const bool was_open = established();
  state_ = state::closed;
  close_ev_ = ev_record{event_kind::close, data_kind::text, transport_, reason, e, offset, 0, 0};
  close_pending_ = true;
  if (!on_polling()) {
    if (reason == close_reason::forced_close) {
      flush();  // the reference's close() waits for the write buffer to drain first
    }
    if (!transport_gone && ws_ != ws_state::none && ws_ != ws_state::closing) {
      push_tx(client_action::ws_close, 0, 0, frame_kind::text, 0, 0);
    }
  } else {
    // A probe WebSocket is closed with the session (engine.io-client's probe `onclose`).
    if (ws_ == ws_state::connecting || ws_ == ws_state::open) {
      push_tx(client_action::ws_close, 0, 0, frame_kind::text, 0, 0);
    }
    // No `1` when the server ended the polling transport itself (its `1` packet), or before the
    // handshake (no sid to address). Nor while a POST is in flight: engine.io-client would send
    // a second one, which the reference server refuses as "data request overlap from client"
    // (engine.io transports/polling.js onDataRequest: 400) and turns into a transport error;
    // the server notices the end by its heartbeat instead. (close() itself waits for the POST:
    // the closing state.)
    if (was_open && !transport_gone && !post_in_flight_) {
      if (reason != close_reason::forced_close) drop_front(queue_.size());
      (void)post_queue(true);
    }
  }
  ws_ = ws_state::none;
  get_in_flight_ = false;
  post_in_flight_ = false;
  drop_front(queue_.size());
  ping_deadline_ = v3_ping_at_ = v3_dead_at_ = no_deadline;
}

inline void client::queue_control(packet_type t) {
  // One pending pong (v4) or ping (v3) is enough: a stalled POST must not let a server's pings
  // pile up answers.
  for (const queued& q : queue_) {
    if (q.type == t) return;
  }
  if (!queue_.try_push_back(queued{t, data_kind::text, q_buf_.size(), 0})) oom_ = true;
}

inline void client::drop_front(std::size_t n) {
  if (n == 0) return;
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (queue_[i].type == packet_type::message) {
      --queued_messages_;
      queued_bytes_ -= queue_[i].len;
    }
    bytes += queue_[i].len;
  }
  if (n == queue_.size()) {
    queue_.clear();
    q_buf_.clear();
    detail::release_if_over(queue_, opts_.max_retained_bytes);
    detail::release_if_over(q_buf_, opts_.max_retained_bytes);
    return;
  }
  queue_.erase_front(n);
  q_buf_.erase_front(bytes);
  for (queued& q : queue_) q.off -= bytes;
}

// engine.io-client's Socket._getWritablePackets: how many queued packets one POST carries under
// the server's maxPayload; a single packet over it still goes alone. The reference estimates
// (1 + data + 2 per packet, base64 as 1.33 x bytes), which undercounts the base64 padding, the
// `b` prefix and the v3 length framing, so its batches can go over maxPayload and the server
// answers 413 (the session ends). Here each packet counts at least what it adds to the body:
// v4, its encoded text plus the 0x1E separator; v3, its encoded form plus the framing of either
// payload kind (length digits and `:`, or the kind byte, digits and 0xFF).
inline std::size_t client::writable_count(std::size_t n) const noexcept {
  if (!hs_.max_payload || n <= 1) return n;
  const bool is_v3 = v3();
  // A v4 payload carries binary as base64 text whatever supports_binary says.
  const encode_options enc{wire_version(), is_v3 && opts_.supports_binary};
  std::uint64_t size = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const queued& q = queue_[i];
    const packet_view p{
        q.type, q.kind,
        ::SIOCODEC_NAMESPACE::detail::subview(std::string_view(q_buf_), q.off, q.len)};
    const auto e = encoded_size(p, enc);
    // send() checked every queued packet against this framing; a failure cannot happen, and
    // counting it as over the limit sends it alone rather than not at all.
    if (!e) return i == 0 ? 1 : i;
    std::uint64_t cost = *e + 1;
    if (is_v3) {
      cost = *e + 2;
      for (std::uint64_t v = *e; v != 0; v /= 10) ++cost;
    }
    size += cost;
    if (i > 0 && size > *hs_.max_payload) return i;
  }
  return n;
}

// One POST with the first writable packets of the queue, and with `with_close` the `1` packet
// after them (what does not fit is dropped: the session is ending). Returns false when nothing
// was sent.
inline bool client::post_queue(bool with_close) {
  const std::size_t n = writable_count(queue_.size());
  batch_.clear();
  for (std::size_t i = 0; i < n; ++i) {
    const queued& q = queue_[i];
    if (!batch_.try_push_back(packet_view{
            q.type, q.kind,
            ::SIOCODEC_NAMESPACE::detail::subview(std::string_view(q_buf_), q.off, q.len)}))
      oom_ = true;
  }
  if (with_close && !batch_.try_push_back(packet_view::text(packet_type::close))) oom_ = true;
  if (batch_.empty() || oom_) {
    batch_.clear();
    drop_front(n);
    return false;
  }
  const encode_options enc = poll_encoding();
  const std::size_t off = tx_body_.size();
  const auto written = encode_payload(batch_.data(), batch_.size(), tx_body_, enc);
  // send() checked each message against this encoder, so this fails only for want of memory;
  // the packets are then dropped rather than sent half-framed.
  if (!written) oom_ = true;
  if (written) {
    const std::size_t q_off = build_query(transport_kind::polling);
    push_tx(client_action::post, q_off, tx_query_.size() - q_off,
            payload_frame_kind(batch_.data(), batch_.size(), enc), off, *written);
    post_in_flight_ = true;
  }
  batch_.clear();
  detail::release_if_over(batch_, opts_.max_retained_bytes);
  drop_front(n);
  return written.has_value();
}

// engine.io-client's Socket.flush(): nothing while upgrading (between `3probe` and `5`); one
// POST at a time over polling; every packet at once over a WebSocket.
inline void client::flush() {
  if (queue_.empty() || upgrade_ == upgrade_state::pausing) return;
  if (on_polling()) {
    if (!post_in_flight_) (void)post_queue(false);
    return;
  }
  if (ws_ != ws_state::open) return;
  const encode_options enc = ws_encoding();
  for (const queued& q : queue_) {
    const packet_view p{
        q.type, q.kind,
        ::SIOCODEC_NAMESPACE::detail::subview(std::string_view(q_buf_), q.off, q.len)};
    const std::size_t off = tx_body_.size();
    if (p.kind == data_kind::binary && enc.supports_binary) {
      // frames.hpp's binary frame: the bytes, after v3's type byte as a static prefix.
      if (!tx_body_.try_append(p.data)) oom_ = true;
      push_tx(client_action::ws_send, 0, 0, frame_kind::binary, off, p.data.size(), v3());
      continue;
    }
    if (!v3()) {
      // v4 over a WebSocket, what emit_frame() writes for the text and base64 messages send()
      // checked: the type digit or `b`, then the data, in one text frame. Written here, so that
      // a v4-only client (SIOCODEC_ENGINEIO_V3 0) links no frame encoder for it.
      const char head = p.kind == data_kind::text ? detail::type_digit(p.type) : 'b';
      if (!tx_body_.try_grow(1 + p.data.size())) {
        oom_ = true;
        continue;
      }
      (void)tx_body_.try_append(&head, 1);  // within the room made above
      (void)tx_body_.try_append(p.data);
      push_tx(client_action::ws_send, 0, 0, frame_kind::text, off, 1 + p.data.size());
      continue;
    }
    // send() queues text, base64 and binary data; binary reaches the encoder only as the base64
    // text of a v3 client without binary support, so that without v3 (SIOCODEC_ENGINEIO_V3 0)
    // the base64 encoder is not linked.
    if (p.kind == data_kind::binary ? !base64_only()
                                    : p.kind != data_kind::text && p.kind != data_kind::base64) {
      continue;  // unreachable
    }
    const auto written = encode(p, tx_body_, enc);
    if (!written) {  // checked by send(): only out of memory
      oom_ = true;
      continue;
    }
    push_tx(client_action::ws_send, 0, 0, encoded_frame_kind(p, enc), off, *written);
  }
  drop_front(queue_.size());
}

inline void client::run_timers(millis now) {
  if (!established()) return;
  if (!v3()) {
    if (now >= ping_deadline_) close_with(close_reason::ping_timeout, errc::none, 0);
    return;
  }
  if (now >= v3_dead_at_) {
    close_with(close_reason::ping_timeout, errc::none, 0);
    return;
  }
  if (now >= v3_ping_at_) {
    // engine.io-client 3.5 setPing(): ping, then onHeartbeat(pingTimeout).
    v3_ping_at_ = no_deadline;
    v3_dead_at_ = now + hs_.ping_timeout;
    if (state_ == state::closing) return;  // sendPacket() drops the ping, the timer stays
    queue_control(packet_type::ping);
    flush();
  }
}

inline void client::handle_timeout(millis now) {
  now = tick(now);
  if (!live()) return;
  const settle_on_exit settle_guard{*this};
  begin_call();
  run_timers(now);
}

inline millis client::next_deadline() const noexcept {
  if (!established()) return no_deadline;
  millis d = ping_deadline_;
  if (v3()) d = v3_ping_at_ < v3_dead_at_ ? v3_ping_at_ : v3_dead_at_;
  if (d == no_deadline) return d;
  return d < last_now_ ? last_now_ : d;
}

inline bool client::on_handshake(const packet_view& p, std::size_t offset, millis now) {
  if (p.type != packet_type::open || p.kind != data_kind::text) {
    close_with(close_reason::parse_error, errc::unexpected_packet, offset);
    return false;
  }
  if (!hs_json_.try_assign(p.data)) {
    close_with(close_reason::queue_full, errc::out_of_memory, offset);
    return false;
  }
  auto h = parse_handshake(hs_json_, opts_.handshake);
  if (!h) {
    close_with(close_reason::parse_error, h.error(), offset + 1 + h.offset());
    return false;
  }
  hs_ = *h;
  state_ = state::open;
  push_event(event_kind::open);
  if (!v3()) {
    ping_deadline_ = now + hs_.ping_interval + hs_.ping_timeout;  // _resetPingTimeout()
  } else {
    // 3.5 onHandshake: setPing() only; the liveness timer starts with the next packet.
    v3_ping_at_ = now + hs_.ping_interval;
  }
  if (has_ws && opts_.upgrade && on_polling() && (hs_.upgrades & transport_websocket) != 0) {
    const std::size_t off = build_query(transport_kind::websocket);
    push_tx(client_action::open_websocket, off, tx_query_.size() - off, frame_kind::text, 0, 0);
    ws_ = ws_state::connecting;
    upgrade_ = upgrade_state::connecting;
  }
  return true;
}

// One packet of the session; `offset` is where it starts in the caller's input. Returns false
// once the session closed.
inline bool client::on_packet(const packet_view& p, std::size_t offset, millis now) {
  if (state_ == state::opening) return on_handshake(p, offset, now);
  if (v3()) {
    // 3.5: "Socket is live - any packet counts": every packet re-arms onHeartbeat().
    v3_dead_at_ = now + hs_.ping_interval + hs_.ping_timeout;
  }
  switch (p.type) {
    case packet_type::open:
      // engine.io-client would run onHandshake() again with new settings mid-session; nothing
      // legitimate sends it, so it is refused.
      close_with(close_reason::parse_error, errc::unexpected_packet, offset);
      return false;
    case packet_type::close:
      // Polling.onData closes the transport on `1`. Over a WebSocket engine.io-client ignores it
      // and waits for the socket to close; it is honoured on both here, since the server has
      // said the session is over.
      close_with(close_reason::transport_close, errc::none, 0, on_polling());
      return false;
    case packet_type::ping:
      // v4: answer at once and re-arm. A v3 client never gets pings; engine.io-client 3.5 has
      // no case for one and ignores it, and so does this engine.
      if (!v3()) {
        ping_deadline_ = now + hs_.ping_interval + hs_.ping_timeout;
        // _sendPacket() drops the pong while closing; the `1` follows soon.
        if (state_ == state::open) {
          queue_control(packet_type::pong);
          flush();
        }
      }
      return true;
    case packet_type::pong:
      // v3: the answer to our ping: setPing(). A v4 client gets no pongs outside the probe;
      // engine.io-client 6.6 has no case for one and ignores it, and so does this engine.
      if (v3()) v3_ping_at_ = now + hs_.ping_interval;
      return true;
    case packet_type::message: {
      // Events the application left unpolled in earlier calls count against the same limits as
      // sends, so a caller that stops draining cannot be made to grow without bound. Those of
      // this input are bounded by the decode limits: a polling body the decoder accepts is
      // taken whole, as engine.io-client does (it has no queue limit at all).
      if (over_limits(ev_carried_, ev_carried_bytes_, p.data.size())) {
        close_with(close_reason::queue_full, errc::queue_full, offset);
        return false;
      }
      const std::size_t off = ev_buf_.size();
      if (!ev_buf_.try_append(p.data) ||
          !ev_.try_push_back(ev_record{event_kind::message, p.kind, transport_,
                                       close_reason::forced_close, errc::none, 0, off,
                                       p.data.size()})) {
        close_with(close_reason::queue_full, errc::out_of_memory, offset);
        return false;
      }
      return true;
    }
    case packet_type::upgrade:  // ignored by engine.io-client
    case packet_type::noop: return true;
  }
  return true;
}

inline void client::handle_get_response(frame_kind body_kind, std::string_view body, millis now) {
  now = tick(now);
  if (!has_polling || !live() || !get_in_flight_) return;
  const settle_on_exit settle_guard{*this};
  begin_call();
  get_in_flight_ = false;
  run_timers(now);
  if (!live()) return;
  payload_reader reader(body, body_kind, dec_);
  packet_view p;
  while (reader.next(p)) {
    // The item's offset: packet data points into the body (its start is enough for errors).
    std::size_t at = reader.offset();
    if (p.data.data() >= body.data() && p.data.data() <= body.data() + body.size()) {
      at = static_cast<std::size_t>(p.data.data() - body.data());
      at = at == 0 ? 0 : at - 1;
    }
    if (!on_packet(p, at, now)) return;
  }
  if (reader.error() != errc::none) {
    close_with(close_reason::parse_error, reader.error(), reader.offset());
    return;
  }
  // Polling.onData: poll again unless paused for the upgrade.
  if (on_polling() && upgrade_ != upgrade_state::pausing) start_get();
  maybe_finish_upgrade();
}

inline void client::handle_post_response(millis now) {
  now = tick(now);
  if (!has_polling || !live() || !post_in_flight_) return;
  const settle_on_exit settle_guard{*this};
  begin_call();
  post_in_flight_ = false;
  run_timers(now);
  if (!live()) return;
  maybe_finish_upgrade();
  flush();
  // Socket.close()'s "drain": the queue is written, the session ends with a lone `1`.
  if (state_ == state::closing && !post_in_flight_) {
    close_with(close_reason::forced_close, errc::none, 0);
  }
}

inline void client::handle_http_error(client_action request, millis now) {
  now = tick(now);
  if (!has_polling || !live()) return;
  if (!(request == client_action::get && get_in_flight_) &&
      !(request == client_action::post && post_in_flight_)) {
    return;
  }
  const settle_on_exit settle_guard{*this};
  begin_call();
  if (request == client_action::get) get_in_flight_ = false;
  if (request == client_action::post) post_in_flight_ = false;
  close_with(close_reason::transport_error, errc::none, 0);
}

inline void client::maybe_finish_upgrade() {
  // Polling.pause(): the switch waits for the GET ("pollComplete") and POST ("drain") in
  // flight; the server answers the held GET with a noop. Only with both transports compiled in.
  if (!(has_ws && has_polling) || upgrade_ != upgrade_state::pausing || get_in_flight_ ||
      post_in_flight_)
    return;
  if (!live()) return;
  upgrade_ = upgrade_state::done;
  transport_ = transport_kind::websocket;
  push_ws_text("5");
  push_event(event_kind::upgrade);
  flush();
}

inline void client::probe_failed(bool ws_still_open) {
  const bool was_pausing = upgrade_ == upgrade_state::pausing;
  upgrade_ = upgrade_state::none;
  if (ws_still_open) {
    push_tx(client_action::ws_close, 0, 0, frame_kind::text, 0, 0);
    ws_ = ws_state::closing;
  } else {
    ws_ = ws_state::none;
  }
  // engine.io-client leaves polling paused (and `upgrading` set) when the probe dies after
  // `3probe`, which stalls the session until the heartbeat ends it; polling resumes here.
  if (was_pausing) {
    if (!get_in_flight_) start_get();
    flush();
  }
}

// close() while an upgrade is in progress: engine.io-client waits for the upgrade to finish
// (waitForUpgrade) and closes over the WebSocket; polling already carries the session, so the
// probe is dropped instead and the close goes on over polling (the server drops the probe on
// its upgrade timeout).
inline void client::abandon_upgrade() {
  if (upgrade_ == upgrade_state::none || upgrade_ == upgrade_state::done) return;
  if (ws_ == ws_state::connecting) {
    upgrade_ = upgrade_state::none;
    push_tx(client_action::ws_close, 0, 0, frame_kind::text, 0, 0);
    ws_ = ws_state::closing;
    return;
  }
  probe_failed(ws_ == ws_state::open);
}

inline void client::handle_ws_open(millis now) {
  now = tick(now);
  if (!has_ws || !live() || ws_ != ws_state::connecting) return;
  const settle_on_exit settle_guard{*this};
  begin_call();
  ws_ = ws_state::open;
  if (upgrade_ == upgrade_state::connecting) {
    upgrade_ = upgrade_state::probing;
    push_ws_text("2probe");  // _probe(): transport.send([{ type: "ping", data: "probe" }])
  }
}

inline void client::handle_ws_message(frame_kind kind, std::string_view bytes, millis now) {
  now = tick(now);
  if (!has_ws || !live() || ws_ != ws_state::open) return;
  const settle_on_exit settle_guard{*this};
  begin_call();
  run_timers(now);
  if (!live()) return;
  const auto p = decode(bytes, kind, dec_);
  if (has_polling && upgrade_ == upgrade_state::probing) {
    // _probe(): the first packet must be the pong "probe"; anything else fails the probe.
    if (p && p->type == packet_type::pong && p->kind == data_kind::text && p->data == "probe") {
      upgrade_ = upgrade_state::pausing;
      maybe_finish_upgrade();
    } else {
      probe_failed(true);
    }
    return;
  }
  if (on_polling() && upgrade_ != upgrade_state::pausing) return;
  // Between `3probe` and `5` engine.io-client listens to nothing on the probe and would drop a
  // packet; servers send nothing there, and if one does, it is handled rather than lost.
  if (!p) {
    close_with(close_reason::parse_error, p.error(), p.offset());
    return;
  }
  (void)on_packet(*p, 0, now);
}

inline void client::handle_ws_closed(millis now, bool error) {
  now = tick(now);
  if (!has_ws || !live() || ws_ == ws_state::none) return;
  const settle_on_exit settle_guard{*this};
  begin_call();
  if (ws_ == ws_state::closing) {  // the failed probe we closed
    ws_ = ws_state::none;
    return;
  }
  if (!on_polling()) {
    close_with(error ? close_reason::transport_error : close_reason::transport_close, errc::none, 0,
               true);
    return;
  }
  probe_failed(false);
}

inline errc client::send(const packet_view& message, millis now) {
  now = tick(now);
  if (state_ != state::open) return errc::invalid_state;
  if (message.type != packet_type::message ||
      (message.kind != data_kind::text && message.kind != data_kind::binary &&
       message.kind != data_kind::base64)) {
    return errc::invalid_argument;
  }
  // Checked against the framing in use, so that a queued packet always encodes. A packet that
  // polling can frame, a WebSocket can frame too, so an upgrade never strands one.
  if (on_polling()) {
    if (!encoded_payload_size(&message, 1, poll_encoding())) return errc::invalid_argument;
  } else if (!v3()) {
    // What encoded_size() refuses of a v4 message over a WebSocket (it takes binary): base64
    // data that strict base64 rejects. Tested here, so that flush() needs no frame encoder.
    if (message.kind == data_kind::base64 &&
        !base64::decoded_size(message.data, base64::mode::strict))
      return errc::invalid_argument;
  } else if (!encoded_size(message, ws_encoding())) {
    return errc::invalid_argument;
  }
  begin_call();
  run_timers(now);
  if (state_ != state::open) return errc::invalid_state;
  // What waits counts: the queue, and the transmits the caller has not taken (over a WebSocket a
  // message leaves the queue at once).
  if (over_limits(queued_messages_ + tx_.size(), queued_bytes_ + tx_body_.size(),
                  message.data.size())) {
    close_with(close_reason::queue_full, errc::queue_full, 0);
    return errc::queue_full;
  }
  const bool listed =
      queue_.try_push_back(queued{message.type, message.kind, q_buf_.size(), message.data.size()});
  if (!listed || !q_buf_.try_append(message.data)) {
    if (listed) queue_.pop_back();  // not counted as queued: drop_front() must not see it
    close_with(close_reason::queue_full, errc::out_of_memory, 0);
    return errc::out_of_memory;
  }
  ++queued_messages_;
  queued_bytes_ += message.data.size();
  flush();
  if (oom_) {
    settle();
    return errc::out_of_memory;
  }
  return errc::none;
}

inline void client::close(millis now) {
  now = tick(now);
  if (!live() || state_ == state::closing) return;
  const settle_on_exit settle_guard{*this};
  begin_call();
  if (state_ == state::open && on_polling() &&
      (post_in_flight_ || writable_count(queue_.size()) < queue_.size())) {
    // Socket.close(): "closing" until the write buffer drains (handle_post_response()).
    state_ = state::closing;
    abandon_upgrade();
    flush();
    return;
  }
  close_with(close_reason::forced_close, errc::none, 0);
}

inline std::optional<event> client::poll_event() {
  if (close_delivered_) return std::nullopt;
  if (ev_head_ == ev_.size() && !close_pending_) return std::nullopt;
  const ev_record& r = ev_head_ < ev_.size() ? ev_[ev_head_++] : close_ev_;
  event e;
  e.kind = r.kind;
  e.transport = r.transport;
  switch (r.kind) {
    case event_kind::open: e.hs = hs_; break;
    case event_kind::message:
      e.packet = packet_view{
          packet_type::message, r.data,
          ::SIOCODEC_NAMESPACE::detail::subview(std::string_view(ev_buf_), r.off, r.len)};
      break;
    case event_kind::close:
      e.reason = r.reason;
      e.error = r.error;
      e.offset = r.offset;
      close_delivered_ = true;
      break;
    case event_kind::upgrade: break;
  }
  return e;
}

inline std::optional<client_transmit> client::poll_transmit() {
  if (tx_head_ == tx_.size()) return std::nullopt;
  const tx_record& r = tx_[tx_head_++];
  client_transmit t;
  t.action = r.action;
  t.query = ::SIOCODEC_NAMESPACE::detail::subview(std::string_view(tx_query_), r.q_off, r.q_len);
  t.body.kind = r.kind;
  t.body.data = ::SIOCODEC_NAMESPACE::detail::subview(std::string_view(tx_body_), r.b_off, r.b_len);
  if (r.v3_type_byte) t.body.prefix = detail::v3_binary_type_byte();
  return t;
}

}  // namespace engineio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_ENGINEIO_IMPL_CLIENT_HPP
