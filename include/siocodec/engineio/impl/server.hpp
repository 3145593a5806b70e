// SPDX-License-Identifier: BSL-1.0
// The Engine.IO server engine: the definitions of what <siocodec/engineio/server.hpp> declares.
// That header includes this file at its end; including this file alone includes that one first.
#ifndef SIOCODEC_ENGINEIO_IMPL_SERVER_HPP
#define SIOCODEC_ENGINEIO_IMPL_SERVER_HPP

#include <siocodec/engineio/server.hpp>

SIOCODEC_BEGIN_NAMESPACE
namespace engineio {

inline server_session::server_session(const server_options& opts, std::string_view sid,
                                      protocol_version version, transport_kind initial,
                                      bool supports_binary, millis now)
    : opts_(opts),
      sid_(sid),
      version_(version == protocol_version::v3 ? protocol_version::v3 : protocol_version::v4),
      supports_binary_(supports_binary),
      transport_(initial == transport_kind::websocket ? transport_kind::websocket
                                                      : transport_kind::polling),
      ws_attached_(transport_ == transport_kind::websocket),
      last_now_(now),
      ping_interval_(opts.ping_interval),
      ping_timeout_(opts.ping_timeout) {
  decode_opts_.version = version_;
  decode_opts_.base64 = opts_.base64;
  decode_opts_.max_payload = opts_.max_payload;
  handshake hs;
  hs.sid = sid_;
  // socket.js getAvailableUpgrades(): server.upgrades(transport.name) is [] unless
  // allowUpgrades, and only polling upgrades (to websocket).
  hs.upgrades = (transport_ == transport_kind::polling && opts_.allow_upgrades)
                    ? std::uint8_t{transport_websocket}
                    : std::uint8_t{0};
  hs.ping_interval = opts_.ping_interval;
  hs.ping_timeout = opts_.ping_timeout;
  hs.max_payload = opts_.max_payload;
  std::string json;
  if (!encode_handshake(hs, json)) {
    state_ = state::closed;
    ev_record r{};
    r.kind = event_kind::close;
    r.reason = close_reason::forced_close;
    r.error = errc::invalid_argument;
    r.transport = transport_;
    ev_.push_back(r);
    return;
  }
  if (json.size() + 1 > opts_.max_queued_bytes || opts_.max_queued_messages == 0) {
    // Limits too small for the open packet itself.
    finish(close_reason::queue_full, errc::queue_full, 0, held_answer::none, true);
    return;
  }
  // socket.js onOpen(): sendPacket("open", ...), emit("open"), then the heartbeat.
  const packet_view open = packet_view::text(packet_type::open, json);
  if (transport_ == transport_kind::websocket) {
    push_ws(open);
  } else {
    out_.push_back({packet_type::open, data_kind::text, 0, json.size()});
    out_data_ = json;
    out_bytes_ = json.size() + 1;
  }
  push_event(event_kind::open);
  if (version_ == protocol_version::v3) {
    // "in protocol v3, the client sends a ping, and the server answers with a pong":
    // resetPingTimeout() with pingInterval + pingTimeout.
    v3_deadline_ = after(now, std::uint64_t{ping_interval_} + ping_timeout_);
  } else {
    ping_due_ = after(now, ping_interval_);  // schedulePing()
  }
}

inline void server_session::compact() {
  if ((tx_head_ | ev_head_) == 0) return;
  if (tx_head_ != 0) {
    if (tx_head_ == tx_.size()) {
      trim_tx();
    } else {
      const std::size_t base = tx_[tx_head_].off;
      tx_.erase(tx_.begin(), tx_.begin() + static_cast<std::ptrdiff_t>(tx_head_));
      tx_data_.erase(0, base);
      for (tx_record& r : tx_) r.off -= base;
    }
    tx_head_ = 0;
  }
  if (ev_head_ != 0) {
    if (ev_head_ == ev_.size()) {
      trim_ev();
    } else {
      const std::size_t base = ev_[ev_head_].off;
      ev_.erase(ev_.begin(), ev_.begin() + static_cast<std::ptrdiff_t>(ev_head_));
      ev_data_.erase(0, base);
      for (ev_record& r : ev_) r.off -= base;
    }
    ev_head_ = 0;
  }
}

inline void server_session::trim_tx() noexcept {
  tx_.clear();
  tx_data_.clear();
  detail::release_if_over(tx_, opts_.max_retained_bytes);
  detail::release_if_over(tx_data_, opts_.max_retained_bytes);
}

inline void server_session::trim_ev() noexcept {
  ev_.clear();
  ev_data_.clear();
  detail::release_if_over(ev_, opts_.max_retained_bytes);
  detail::release_if_over(ev_data_, opts_.max_retained_bytes);
}

inline void server_session::trim_out() noexcept {
  out_.clear();
  out_data_.clear();
  out_bytes_ = 0;
  views_.clear();
  detail::release_if_over(out_, opts_.max_retained_bytes);
  detail::release_if_over(out_data_, opts_.max_retained_bytes);
  detail::release_if_over(views_, opts_.max_retained_bytes);
}

inline void server_session::begin_input() noexcept {
  ev_carried_ = ev_.size() - ev_head_;
  ev_carried_bytes_ = ev_bytes_;
}

inline void server_session::push_tx(server_action a, unsigned status, std::string_view ctype,
                                    frame_kind kind, std::string_view body) {
  const std::size_t off = tx_data_.size();
  tx_data_.append(body.data(), body.size());
  tx_.push_back({a, status, ctype, kind, off, body.size()});
}

// One packet as one WebSocket message (the reference's WebSocket.send: encodePacket each).
inline void server_session::push_ws(const packet_view& p) {
  const encode_options eo = encode_opts();
  const std::size_t off = tx_data_.size();
  const auto n = encode(p, tx_data_, eo);
  if (!n) return;  // validated by the callers: the session's own packets always encode
  tx_.push_back({server_action::ws_send,
                 0,
                 {},
                 encoded_frame_kind(p, eo),
                 off,
                 *n,
                 p.type == packet_type::ping});
  ++tx_ws_messages_;
  tx_ws_bytes_ += *n;
}

inline void server_session::push_event(event_kind k, const packet_view* p) {
  ev_record r{};
  r.kind = k;
  r.transport = transport_;
  r.off = ev_data_.size();
  if (p != nullptr) {
    r.data = p->kind;
    r.invalid_utf8 = p->has_invalid_utf8;
    r.len = p->data.size();
    ev_data_.append(p->data.data(), p->data.size());
    ev_bytes_ += p->data.size();
  }
  ev_.push_back(r);
}

// The write buffer: over WebSocket every packet goes out at once; on polling it waits for a
// GET. False when the session closed (queue_full).
inline bool server_session::enqueue(const packet_view& p) {
  const bool ws = transport_ == transport_kind::websocket;
  if (ws && (state_ != state::open || !ws_attached_)) return true;
  if (!fits(p)) {
    finish(close_reason::queue_full, errc::queue_full, 0, held_answer::close_packet, true);
    return false;
  }
  if (ws) {
    push_ws(p);
    return true;
  }
  out_bytes_ += ws_cost(p);
  out_.push_back({p.type, p.kind, out_data_.size(), p.data.size()});
  out_data_.append(p.data.data(), p.data.size());
  flush();
  return true;
}

// Whether `p` may join what the session holds for the client (queued_messages/bytes).
inline bool server_session::fits(const packet_view& p) const noexcept {
  const std::size_t cost = ws_cost(p);
  const std::size_t held = queued_bytes();
  return queued_messages() < opts_.max_queued_messages && cost <= opts_.max_queued_bytes &&
         held <= opts_.max_queued_bytes - cost;
}

// Answers the held GET with everything queued (the reference's Polling.send: one payload).
inline void server_session::answer_held_get() {
  views_.clear();
  for (const out_packet& o : out_) {
    views_.push_back({o.type, o.kind, std::string_view(out_data_).substr(o.off, o.len)});
  }
  encode_options eo = encode_opts();
  const std::size_t off = tx_data_.size();
  auto n = encode_payload(views_.data(), views_.size(), tx_data_, eo);
  frame_kind kind = payload_frame_kind(views_.data(), views_.size(), eo);
  if (!n) {
    // Cannot happen: send() checks every message against this encoder. Answer a noop rather
    // than leave the GET hanging.
    tx_data_.resize(off);
    const packet_view noop = packet_view::text(packet_type::noop);
    n = encode_payload(&noop, 1, tx_data_, eo);
    kind = frame_kind::text;
  }
  // polling.js doWrite(): "text/plain; charset=UTF-8" for a string, else
  // "application/octet-stream" (a v3 binary payload).
  bool ping = false;
  for (const out_packet& o : out_) ping |= o.type == packet_type::ping;
  tx_.push_back({server_action::answer_get, 200,
                 kind == frame_kind::binary ? octet_stream : text_plain, kind, off,
                 n ? *n : std::size_t{0}, ping});
  trim_out();
  held_get_ = false;
}

inline void server_session::flush() {
  if (held_get_ && !out_.empty() && transport_ == transport_kind::polling) answer_held_get();
}

inline void server_session::handle_get(millis now) {
  now = advance(now);
  compact();
  if (state_ == state::closed) return;
  if (transport_ == transport_kind::websocket) {
    // server.js verify(): "bad request: unexpected transport without upgrade".
    push_tx(server_action::answer_get, 400, app_json, frame_kind::text, bad_request_body);
    return;
  }
  if (held_get_) {
    // polling.js onPollRequest(): if (this.req) { this.onError("overlap from client");
    // res.writeHead(400); res.end(); } — the error closes the socket ("transport error"),
    // whose clearTransport() closes the polling transport while writable: the held GET gets
    // the close packet; then the new GET gets 400 without a body.
    finish(close_reason::transport_error, errc::unexpected_packet, 0, held_answer::close_packet,
           true);
    push_tx(server_action::answer_get, 400, {}, frame_kind::text, {});
    return;
  }
  held_get_ = true;
  if (state_ == state::closing) {
    // polling.js: onPollRequest() with shouldClose set sends [noop] with the close packet
    // appended ("6\x1e1"). Packets queued before close() go in the same answer (the reference
    // sends them one GET earlier, then the close packet on the next).
    if (out_.empty()) out_.push_back({packet_type::noop, data_kind::text, 0, 0});
    out_.push_back({packet_type::close, data_kind::text, out_data_.size(), 0});
    answer_held_get();
    finish(close_reason::forced_close, errc::none, 0, held_answer::none, true);
    return;
  }
  if (probe_ == probe::probed && out_.empty()) {
    // socket.js _maybeUpgrade(): after `2probe`, a noop every 100 ms while polling is
    // writable, so that the client can pause polling. Without timers: at once.
    out_.push_back({packet_type::noop, data_kind::text, out_data_.size(), 0});
  }
  flush();
}

inline void server_session::handle_get_aborted(millis now) {
  now = advance(now);
  compact();
  if (state_ == state::closed || !held_get_) return;
  held_get_ = false;
  // polling.js: req.on("close", () => this.onError("poll connection closed prematurely")).
  finish(close_reason::transport_error, errc::none, 0, held_answer::none, true);
}

inline void server_session::handle_post(frame_kind body_kind, std::string_view body, millis now) {
  now = advance(now);
  compact();
  if (state_ == state::closed) return;
  if (transport_ == transport_kind::websocket) {
    push_tx(server_action::answer_post, 400, app_json, frame_kind::text, bad_request_body);
    return;
  }
  if (body_kind == frame_kind::binary && version_ == protocol_version::v4) {
    // polling.js onDataRequest(): if (isBinary && this.protocol === 4) { this.onError("invalid
    // content"); return res.writeHead(400).end(); }
    finish(close_reason::transport_error, errc::unexpected_binary_frame, 0,
           held_answer::close_packet, true);
    push_tx(server_action::answer_post, 400, {}, frame_kind::text, {});
    return;
  }
  if (body.size() > opts_.max_payload) {
    // polling.js onData(): contentLength > maxHttpBufferSize -> res.writeHead(413).end(); the
    // session stays.
    push_tx(server_action::answer_post, 413, {}, frame_kind::text, {});
    return;
  }
  begin_input();
  payload_reader reader(body, body_kind, decode_opts_);
  packet_view p;
  while (state_ != state::closed && reader.next(p)) {
    if (p.type == packet_type::close) {
      // polling.js onData(): a close packet ends the transport (Polling.onClose: a noop to the
      // held GET), and so the socket ("transport close"). The POST is answered "ok".
      finish(close_reason::transport_close, errc::none, 0, held_answer::noop, true);
      break;
    }
    process(p, now);
  }
  // Read once, outside the branch: g++ 12 at -O3 warns (a false -Wdangling-pointer) when these
  // calls are inlined into the finish() call below.
  const errc error = reader.error();
  const std::size_t error_at = reader.offset();
  if (state_ == state::open && error != errc::none) {  // closing: ignored, as onPacket
    // decodePayload() yields an "error" packet: socket.onPacket -> onClose("parse error").
    finish(close_reason::parse_error, error, error_at, held_answer::close_packet, true);
  }
  // The socket may have closed on this body (a parse error, a ping in the wrong direction):
  // Polling.doClose() then destroys the data request, yet the reference's answer still goes
  // out, 200 "ok" (checked against engine.io 6.6.12 under node 20).
  // "text/html is required instead of text/plain to avoid an unwanted download dialog".
  push_tx(server_action::answer_post, 200, text_html, frame_kind::text, "ok");
}

// socket.js onPacket(): every packet of the session's transport.
inline void server_session::process(const packet_view& p, millis now) {
  if (state_ != state::open) return;  // "packet received with closed socket"
  if (version_ == protocol_version::v4 && awaiting_pong_ && !refreshed_ &&
      p.type != packet_type::pong) {
    // "got packet while waiting for pong - refreshing ping timeout" (once per ping).
    pong_deadline_ = after(now, ping_timeout_);
    refreshed_ = true;
  }
  switch (p.type) {
    case packet_type::ping:
      if (version_ == protocol_version::v4) {
        finish(close_reason::transport_error, errc::unexpected_packet, 0, held_answer::close_packet,
               true);  // "invalid heartbeat direction"
        return;
      }
      v3_deadline_ = after(now, std::uint64_t{ping_interval_} + ping_timeout_);
      (void)enqueue(packet_view::text(packet_type::pong));
      return;
    case packet_type::pong:
      if (version_ == protocol_version::v3) {
        finish(close_reason::transport_error, errc::unexpected_packet, 0, held_answer::close_packet,
               true);
        return;
      }
      // clearTimeout(pingTimeoutTimer); pingIntervalTimer.refresh(): the next ping comes
      // pingInterval after this pong. The reference takes a pong nobody asked for too, which
      // lets a client that never reads (never GETs) keep its session with blind `3`s; here a
      // pong counts only for a ping handed to the transport, others are ignored.
      if (!awaiting_pong_ || !ping_delivered_) return;
      awaiting_pong_ = false;
      pong_deadline_ = no_deadline;
      ping_due_ = after(now, ping_interval_);
      return;
    case packet_type::message:
      // What the caller left undrained before this input, plus this message: a body of many
      // messages (bounded by the decode limits) is taken whole, as the reference does.
      if (ev_carried_ + 1 > opts_.max_queued_messages || p.data.size() > opts_.max_queued_bytes ||
          ev_carried_bytes_ > opts_.max_queued_bytes - p.data.size()) {
        finish(close_reason::queue_full, errc::queue_full, 0, held_answer::close_packet, true);
        return;
      }
      push_event(event_kind::message, &p);
      return;
    case packet_type::open:
    case packet_type::close:  // over WebSocket: socket.onPacket has no case for it (ignored;
                              // the client closes its WebSocket next: transport close)
    case packet_type::upgrade:
    case packet_type::noop: return;
  }
}

inline void server_session::handle_ws_open(millis now) {
  now = advance(now);
  compact();
  if (state_ == state::closed) return;
  if (ws_attached_ || probe_ != probe::none) return;  // documented: the caller closes it
  if (state_ == state::closing) {
    push_tx(server_action::ws_close, 0, {}, frame_kind::text, {});
    return;
  }
  // server.js onWebSocket() -> socket._maybeUpgrade(transport): the upgrade timer starts.
  // (verify() does not check allowUpgrades: the reference takes the probe even then.)
  probe_ = probe::opened;
  upgrade_deadline_ = after(now, opts_.upgrade_timeout);
}

inline void server_session::on_probe_packet(const packet_view& p, millis now) {
  if (p.type == packet_type::ping && p.kind == data_kind::text && p.data == "probe") {
    // transport.send([{ type: "pong", data: "probe" }]), then the noop cycle starts.
    const packet_view pong = packet_view::text(packet_type::pong, "probe");
    if (!fits(pong)) {
      finish(close_reason::queue_full, errc::queue_full, 0, held_answer::close_packet, true);
      return;
    }
    push_ws(pong);
    probe_ = probe::probed;
    if (held_get_ && out_.empty()) {
      out_.push_back({packet_type::noop, data_kind::text, out_data_.size(), 0});
    }
    flush();
    return;
  }
  if (p.type == packet_type::upgrade) {
    // "got upgrade packet - upgrading": the polling transport is discarded and closed (a
    // held GET, writable, gets the close packet: Polling.doClose), the WebSocket takes over,
    // the write buffer is flushed over it.
    if (held_get_) {
      // Only the close packet goes to that GET: the queued packets move to the WebSocket.
      const packet_view close_packet = packet_view::text(packet_type::close);
      const std::size_t off = tx_data_.size();
      const auto n = encode_payload(&close_packet, 1, tx_data_, encode_opts());
      tx_.push_back({server_action::answer_get, 200, text_plain, frame_kind::text, off,
                     n ? *n : std::size_t{0}});
      held_get_ = false;
    }
    probe_ = probe::none;
    upgrade_deadline_ = no_deadline;
    transport_ = transport_kind::websocket;
    ws_attached_ = true;
    // clearTransport() clears the ping timeout, and 6.6.12 then never re-arms it for v3 (the
    // next ping's refresh() finds no timer) nor, for v4, if the pong of an outstanding ping is
    // lost with the old transport: a session that can never time out. Here the timeout that
    // was running starts again over the new transport.
    if (version_ == protocol_version::v3) {
      v3_deadline_ = after(now, std::uint64_t{ping_interval_} + ping_timeout_);
    } else if (awaiting_pong_) {
      pong_deadline_ = after(now, ping_timeout_);
    }
    push_event(event_kind::upgrade);
    for (const out_packet& o : out_) {
      push_ws({o.type, o.kind, std::string_view(out_data_).substr(o.off, o.len)});
    }
    trim_out();
    return;
  }
  // Anything else: cleanup(); transport.close(). The session stays on polling.
  push_tx(server_action::ws_close, 0, {}, frame_kind::text, {});
  probe_ = probe::none;
  upgrade_deadline_ = no_deadline;
}

inline void server_session::handle_ws_message(frame_kind kind, std::string_view bytes, millis now) {
  now = advance(now);
  compact();
  if (state_ == state::closed) return;
  begin_input();
  const auto r = decode(bytes, kind, decode_opts_);
  if (probe_ != probe::none) {
    if (!r) {
      // The probe's error (a parse error, or the ws library's maxPayload): onError ->
      // cleanup(); transport.close(). The session stays.
      push_tx(server_action::ws_close, 0, {}, frame_kind::text, {});
      probe_ = probe::none;
      upgrade_deadline_ = no_deadline;
      return;
    }
    on_probe_packet(*r, now);
    return;
  }
  if (!ws_attached_) return;
  if (!r) {
    if (r.error() == errc::payload_too_large) {
      // ws closes with 1009 and emits "error": transport error.
      finish(close_reason::transport_error, r.error(), r.offset(), held_answer::none, true);
    } else {
      // decodePacket() -> { type: "error" } -> onClose("parse error").
      finish(close_reason::parse_error, r.error(), r.offset(), held_answer::none, true);
    }
    return;
  }
  process(*r, now);
}

inline void server_session::handle_ws_closed(millis now, bool error) {
  now = advance(now);
  compact();
  if (state_ == state::closed) return;
  if (probe_ != probe::none) {
    // onTransportClose / onError: the upgrade is over, the session stays on polling.
    probe_ = probe::none;
    upgrade_deadline_ = no_deadline;
    return;
  }
  if (!ws_attached_) return;
  ws_attached_ = false;
  finish(error ? close_reason::transport_error : close_reason::transport_close, errc::none, 0,
         held_answer::none, false);
}

inline void server_session::handle_timeout(millis now) {
  now = advance(now);
  compact();
  if (state_ == state::closed) return;
  if (probe_ != probe::none && now >= upgrade_deadline_) {
    // "client did not complete upgrade - closing transport".
    push_tx(server_action::ws_close, 0, {}, frame_kind::text, {});
    probe_ = probe::none;
    upgrade_deadline_ = no_deadline;
  }
  if (state_ == state::closing && now >= close_deadline_) {
    // Polling closeTimeout: onClose() -> "forced close"; no GET to answer.
    finish(close_reason::forced_close, errc::none, 0, held_answer::none, true);
    return;
  }
  if (version_ == protocol_version::v3) {
    if (now >= v3_deadline_) {
      finish(close_reason::ping_timeout, errc::none, 0, held_answer::close_packet, true);
    }
    return;
  }
  if (awaiting_pong_ && now >= pong_deadline_) {
    finish(close_reason::ping_timeout, errc::none, 0, held_answer::close_packet, true);
    return;
  }
  if (!awaiting_pong_ && now >= ping_due_) {
    // schedulePing()'s timer: sendPacket("ping") (dropped while closing, as sendPacket drops
    // it), resetPingTimeout().
    awaiting_pong_ = true;
    refreshed_ = false;
    ping_delivered_ = false;
    ping_due_ = no_deadline;
    pong_deadline_ = after(now, ping_timeout_);
    if (state_ == state::open) (void)enqueue(packet_view::text(packet_type::ping));
  }
}

inline millis server_session::next_deadline() const noexcept {
  if (state_ == state::closed) return no_deadline;
  millis d = no_deadline;
  auto take = [&d](millis t) {
    if (t < d) d = t;
  };
  if (probe_ != probe::none) take(upgrade_deadline_);
  if (state_ == state::closing) take(close_deadline_);
  if (version_ == protocol_version::v3) {
    take(v3_deadline_);
  } else {
    take(awaiting_pong_ ? pong_deadline_ : ping_due_);
  }
  if (d == no_deadline) return d;
  return d < last_now_ ? last_now_ : d;
}

inline errc server_session::send(const packet_view& message, millis now) {
  now = advance(now);
  compact();
  if (state_ != state::open) return errc::invalid_state;
  if (message.type != packet_type::message) return errc::invalid_argument;
  if (message.kind != data_kind::text && message.kind != data_kind::binary &&
      message.kind != data_kind::base64) {
    return errc::invalid_argument;
  }
  const encode_options eo = encode_opts();
  if (transport_ == transport_kind::websocket) {
    // The per-message path (what the engine adds to the codec is measured by bench
    // engine_send): a text frame is its type digit and its data (engineio::encode's text form,
    // with nothing to check), written without measuring it twice or zero-filling room first;
    // other kinds are measured once, for the check and the limits (ws_cost is this size).
    const bool text = message.kind == data_kind::text;
    std::size_t n = message.data.size() + 1;
    if (!text) {
      const auto m = encoded_size(message, eo);
      if (!m) return errc::invalid_argument;
      n = *m;
    }
    if (!ws_attached_) return errc::none;  // enqueue(): nothing to send on (the session ends)
    const std::size_t held = queued_bytes();
    if (queued_messages() >= opts_.max_queued_messages || n > opts_.max_queued_bytes ||
        held > opts_.max_queued_bytes - n) {
      finish(close_reason::queue_full, errc::queue_full, 0, held_answer::close_packet, true);
      return errc::queue_full;
    }
    const std::size_t off = tx_data_.size();
    if (text) {
      tx_data_.push_back(detail::type_digit(message.type));
      tx_data_.append(message.data.data(), message.data.size());
    } else {
      (void)encode(message, tx_data_, eo);
    }
    tx_.push_back({server_action::ws_send, 0, {}, encoded_frame_kind(message, eo), off, n});
    ++tx_ws_messages_;
    tx_ws_bytes_ += n;
    return errc::none;
  }
  if (!encoded_payload_size(&message, 1, eo)) return errc::invalid_argument;
  if (!enqueue(message)) return errc::queue_full;
  return errc::none;
}

inline void server_session::close(millis now) {
  now = advance(now);
  compact();
  if (state_ != state::open) return;
  if (transport_ == transport_kind::websocket) {
    // websocket.js doClose(): this.socket.close() — no close packet over WebSocket.
    finish(close_reason::forced_close, errc::none, 0, held_answer::none, true);
    return;
  }
  if (probe_ != probe::none) {
    push_tx(server_action::ws_close, 0, {}, frame_kind::text, {});
    probe_ = probe::none;
    upgrade_deadline_ = no_deadline;
  }
  if (held_get_) {
    // The held GET means an empty write buffer: Polling.doClose() while writable sends the
    // close packet, then "forced close".
    finish(close_reason::forced_close, errc::none, 0, held_answer::close_packet, true);
    return;
  }
  // "transport not writable - buffering orderly close": the next GET carries the close packet.
  state_ = state::closing;
  close_deadline_ = after(now, opts_.close_timeout);
}

inline void server_session::drop_ws_transmits() {
  std::size_t w = tx_head_;
  for (std::size_t i = tx_head_; i < tx_.size(); ++i) {
    if (tx_[i].action != server_action::ws_send) tx_[w++] = tx_[i];
  }
  tx_.resize(w);
  tx_ws_messages_ = 0;
  tx_ws_bytes_ = 0;
}

// socket.js onClose(reason): the end, whatever the reason. The write buffer is dropped, the
// transport closed (clearTransport), a probe closed (its onClose listener), then "close".
inline void server_session::finish(close_reason r, errc e, std::size_t offset, held_answer held,
                                   bool ws_alive) {
  if (state_ == state::closed) return;
  state_ = state::closed;
  trim_out();
  // A client that does not read: what it was sent and did not take goes too.
  if (r == close_reason::queue_full) drop_ws_transmits();
  if (held_get_) {
    held_get_ = false;
    if (held != held_answer::none) {
      const packet_view p =
          packet_view::text(held == held_answer::noop ? packet_type::noop : packet_type::close);
      const std::size_t off = tx_data_.size();
      const auto n = encode_payload(&p, 1, tx_data_, encode_opts());
      tx_.push_back({server_action::answer_get, 200, text_plain, frame_kind::text, off,
                     n ? *n : std::size_t{0}});
    }
  }
  if ((ws_attached_ && ws_alive) || probe_ != probe::none) {
    push_tx(server_action::ws_close, 0, {}, frame_kind::text, {});
  }
  ws_attached_ = false;
  probe_ = probe::none;
  awaiting_pong_ = false;
  ping_due_ = pong_deadline_ = v3_deadline_ = upgrade_deadline_ = close_deadline_ = no_deadline;
  // Events the application has not drained stay; the close event is the last one. Its limit
  // does not apply (it is the one that reports going over).
  ev_record c{};
  c.kind = event_kind::close;
  c.transport = transport_;
  c.reason = r;
  c.error = e;
  c.offset = offset;
  c.off = ev_data_.size();
  ev_.push_back(c);
}

inline std::optional<event> server_session::poll_event() {
  if (ev_head_ == ev_.size()) {
    trim_ev();
    ev_head_ = 0;
    ev_bytes_ = 0;
    return std::nullopt;
  }
  const ev_record& r = ev_[ev_head_++];
  event e;
  e.kind = r.kind;
  e.transport = r.transport;
  e.reason = r.reason;
  e.error = r.error;
  e.offset = r.offset;
  if (r.kind == event_kind::message) {
    e.packet.type = packet_type::message;
    e.packet.kind = r.data;
    e.packet.data = std::string_view(ev_data_).substr(r.off, r.len);
    e.packet.has_invalid_utf8 = r.invalid_utf8;
    ev_bytes_ -= r.len;
  } else if (r.kind == event_kind::open) {
    e.hs.sid = sid_;
    e.hs.upgrades = (r.transport == transport_kind::polling && opts_.allow_upgrades)
                        ? std::uint8_t{transport_websocket}
                        : std::uint8_t{0};
    e.hs.ping_interval = opts_.ping_interval;
    e.hs.ping_timeout = opts_.ping_timeout;
    e.hs.max_payload = opts_.max_payload;
  }
  return e;
}

inline std::optional<server_transmit> server_session::poll_transmit() {
  if (tx_head_ == tx_.size()) {
    trim_tx();
    tx_head_ = 0;
    return std::nullopt;
  }
  const tx_record& r = tx_[tx_head_++];
  if (r.ping) ping_delivered_ = true;
  server_transmit t;
  t.action = r.action;
  t.status = r.status;
  t.content_type = r.content_type;
  t.body.kind = r.kind;
  t.body.data = std::string_view(tx_data_).substr(r.off, r.len);
  if (r.action == server_action::ws_send) {
    --tx_ws_messages_;
    tx_ws_bytes_ -= r.len;
  }
  return t;
}

}  // namespace engineio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_ENGINEIO_IMPL_SERVER_HPP
