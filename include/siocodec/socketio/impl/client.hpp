// SPDX-License-Identifier: BSL-1.0
// The Socket.IO client engine: the definitions of what <siocodec/socketio/client.hpp> declares.
// That header includes this file at its end; including this file alone includes that one first.
#ifndef SIOCODEC_SOCKETIO_IMPL_CLIENT_HPP
#define SIOCODEC_SOCKETIO_IMPL_CLIENT_HPP

#include <siocodec/detail/view.hpp>
#include <siocodec/socketio/client.hpp>

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {

namespace detail {
inline codec_options client_codec_options(const client_options& o) noexcept {
  codec_options c = o.codec;
  c.version = o.engine.version == engineio::protocol_version::v3 ? protocol_version::v4
                                                                 : protocol_version::v5;
  c.decode.version = c.version;
  c.encode.version = c.version;
  c.attachments = attachment_mode::copy;
  return c;
}

// The encoders' attachment list over the client's rvector: max_size() is the capacity, so that
// the encoder never resizes past it (too_many_attachments instead: the client grows it, or
// reports out_of_memory, and encodes again).
struct client_attachments {
  ::SIOCODEC_NAMESPACE::detail::rvector<byte_view>& v;
  byte_view* data() noexcept { return v.data(); }
  std::size_t size() const noexcept { return v.size(); }
  std::size_t max_size() const noexcept { return v.capacity(); }
  void resize(std::size_t n) noexcept { (void)v.try_resize(n); }  // within the capacity
};
// Appends the JSON string literal of `s` (JSON.stringify's escaping) to `out`. Through the JSON
// writer's own string code (json_sink: a measuring run, then a writing one), which every encoder
// links: json::encode_string brings a second copy of it (0.5 KB of flash on Cortex-M4).
// Errors: invalid_utf8, out_of_memory (nothing appended).
inline errc append_json_string(::SIOCODEC_NAMESPACE::detail::rstring& out, std::string_view s) {
  json::detail::json_sink measure;  // no room: it only counts
  std::size_t bad = 0;
  if (json::detail::emit_string_at(measure, s, bad) != errc::none) return errc::invalid_utf8;
  const std::size_t old = out.size();
  if (!out.try_resize(old + measure.extra)) return errc::out_of_memory;
  json::detail::json_sink w;
  w.p = out.data() + old;
  w.end = w.p + measure.extra;
  (void)json::detail::emit_string_at(w, s, bad);
  return errc::none;
}
}  // namespace detail

inline client::client(const client_options& opts)
    : opts_(opts),
      eng_(opts.engine),
      old_engs_(opts.engine.memory),
      codec_(opts.parser, detail::client_codec_options(opts),
             ::SIOCODEC_NAMESPACE::detail::resource_allocator<unsigned char>(opts.engine.memory)),
      nsps_(opts.engine.memory),
      acks_(opts.engine.memory),
      enc_buf_(opts.engine.memory),
      atts_(opts.engine.memory),
      msgs_(opts.engine.memory),
      tmp_(opts.engine.memory),
      lost_(opts.engine.memory),
      q_(opts.engine.memory),
      cur_(opts.engine.memory) {}

inline void client::engine_deleter::operator()(engineio::client* c) const noexcept {
#if SIOCODEC_ENGINE_HEAP
  if (mr == nullptr) {
    delete c;
    return;
  }
#endif
  c->~client();
  mr->deallocate(c, sizeof(engineio::client), alignof(engineio::client));
}

inline std::uint64_t client::draw64() noexcept {
  // splitmix64: one 64-bit state, a good spread from any seed, and cheap.
  std::uint64_t z = (rng_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

inline client::nsp_rec* client::find(std::string_view nsp) noexcept {
  nsp = normalize(nsp);
  for (nsp_rec& n : nsps_)
    if (n.name == nsp) return &n;
  return nullptr;
}
inline const client::nsp_rec* client::find(std::string_view nsp) const noexcept {
  nsp = normalize(nsp);
  for (const nsp_rec& n : nsps_)
    if (n.name == nsp) return &n;
  return nullptr;
}
inline client::nsp_rec* client::find_uid(std::uint32_t uid) noexcept {
  for (nsp_rec& n : nsps_)
    if (n.uid == uid) return &n;
  return nullptr;
}

inline bool client::connected(std::string_view nsp) const noexcept {
  const nsp_rec* n = find(nsp);
  return n && n->st == ns_state::connected;
}

inline client::record& client::push(client_event_kind k, std::string_view nsp) {
  if (q_size_ == q_.size() && !q_.try_emplace_back(memory())) oom_ = true;
  record& r = q_size_ < q_.size() ? q_[q_size_++] : lost_;
  r.kind = k;
  if (!r.nsp.try_assign(nsp)) {
    // The event cannot be reported: the session closes (settle()) and nothing is half-said.
    oom_ = true;
    if (&r != &lost_) --q_size_;
  }
  r.sid.clear();
  r.recovered = false;
  r.session_failed = false;
  r.ack_id = no_ack;
  r.reason = disconnect_reason::transport_close;
  r.error = errc::none;
  r.error_offset = 0;
  r.attempt = 0;
  r.delay = 0;
  return r;
}

inline errc client::start_session(millis now) {
  eng_.reset();
  codec_.reset();
  opened_once_ = false;
  close_seen_ = false;
  override_reason_.reset();
  v4_main_connected_ = false;
  const errc e = eng_.open(now, draw64());
  if (e != errc::none) return e;
  state_ = state::opening;
  connect_deadline_ = opts_.connect_timeout ? now + opts_.connect_timeout : engineio::no_deadline;
  return errc::none;
}

// The session this side closed keeps what it has not handed out yet (its DISCONNECTs, `1` or
// ws_close): the transport must still write them, the old engine.io-client Socket does.
// A session replaced before its last transmits were polled waits behind the older ones: the
// transport writes each session's end in the order the sessions were opened.
inline errc client::restart_session(millis now) {
  // Room first, so that a failure leaves the current session as it was.
  if (!old_engs_.try_reserve(old_engs_.size() + 1)) return errc::out_of_memory;
  std::unique_ptr<engineio::client, engine_deleter> old(nullptr, engine_deleter{memory()});
  if (memory() == nullptr) {
#if SIOCODEC_ENGINE_HEAP
    old.reset(new engineio::client(std::move(eng_)));
#else
    return errc::out_of_memory;  // not reached: open() refuses a client without memory
#endif
  } else {
    void* p = memory()->allocate(sizeof(engineio::client), alignof(engineio::client));
    if (p == nullptr) return errc::out_of_memory;
    old.reset(::new (p) engineio::client(std::move(eng_)));
  }
  (void)old_engs_.try_emplace_back(std::move(old));  // reserved above
  return start_session(now);
}

inline std::optional<engineio::client_transmit> client::poll_transmit() {
  while (!old_engs_.empty()) {
    // What ends the old session (its POSTs, WebSocket messages and close); not a long-poll GET
    // or a WebSocket it had not handed out yet: the server no longer knows the session, and the
    // answer (an error) would be taken for the new session's.
    engineio::client& old = *old_engs_[0];
    while (std::optional<engineio::client_transmit> t = old.poll_transmit()) {
      if (t->action != engineio::client_action::get &&
          t->action != engineio::client_action::open_websocket)
        return t;
    }
    old_engs_.erase_at(0);
  }
  return eng_.poll_transmit();
}

inline errc client::open(millis now, std::uint64_t random) {
  if (state_ != state::idle) {
    tick(now);
    return errc::invalid_state;
  }
  last_now_ = now;
  rng_ = random;
  skip_reconnect_ = false;
  return start_session(now);
}

// Encodes with encode_to() into `out`'s capacity, doubling it on output_too_small: the steady
// state encodes once, and a resource out of room is reported rather than grown into.
template <class F>
errc client::encode_into(rstring& out, F&& encode_to) {
  for (;;) {
    const result<std::size_t> r = encode_to(out.data(), out.capacity());
    if (r) {
      (void)out.try_resize(*r);  // within the capacity
      return errc::none;
    }
    if (r.error() != errc::output_too_small) return r.error();
    const std::size_t want = out.capacity() < 32 ? 64 : out.capacity() * 2;
    out.release();  // its bytes are not needed: the peak stays one buffer
    if (!out.try_reserve(want)) return errc::out_of_memory;
  }
}

template <class P>
errc client::encode_msgs(const P& packet) {
  if (!SIOCODEC_BINARY_ATTACHMENTS) {
    // No attachment list to grow (config.hpp): a binary value is too_many_attachments.
    bool lost = false;
    const errc e = encode_into(enc_buf_, [&](char* out, std::size_t cap) {
      msgs_.clear();
      detail::no_attachments none;
      return codec_.encode_to(out, cap, packet, none, [&](const engineio::packet_view& m) {
        if (!msgs_.try_push_back(m)) lost = true;
      });
    });
    return e == errc::none && lost ? errc::out_of_memory : e;
  }
  for (;;) {
    atts_.clear();
    bool lost = false;
    detail::client_attachments atts{atts_};
    const errc e = encode_into(enc_buf_, [&](char* out, std::size_t cap) {
      msgs_.clear();
      return codec_.encode_to(out, cap, packet, atts, [&](const engineio::packet_view& m) {
        if (!msgs_.try_push_back(m)) lost = true;
      });
    });
    if (e == errc::too_many_attachments && atts_.capacity() < (std::size_t{1} << 24)) {
      const std::size_t want = atts_.capacity() < 2 ? 4 : atts_.capacity() * 2;
      atts_.release();
      if (!atts_.try_reserve(want)) return errc::out_of_memory;
      continue;
    }
    return e == errc::none && lost ? errc::out_of_memory : e;
  }
}

inline errc client::encode_v5_control(packet_type t, std::string_view nsp, std::string_view auth) {
  if (codec_.kind() == parser_kind::json) {
    // The default parser's packet is its header and the auth's JSON text (verbatim, as the
    // builder's raw_json writes it), with the encoder's header checks: written here, without an
    // encoder instance for the builder (1.3 KB of flash on Cortex-M4). The auth is an object
    // (join()), so no digit follows the header.
    const errc e = detail::check_header(t, 0, nsp, {}, codec_.encode_opts());
    if (e != errc::none) return e;
    const bool main = detail::is_main_nsp(nsp);
    const std::size_t n = 1 + (main ? 0 : nsp.size() + 1) + auth.size();
    rstring& out = enc_buf_;
    out.clear();
    if (out.capacity() < n) {
      // The capacities encode_into() would reach, so that the memory use is the same.
      std::size_t want = out.capacity() < 32 ? 64 : out.capacity() * 2;
      while (want < n) want *= 2;
      out.release();  // as encode_into: the peak stays one buffer
      if (!out.try_reserve(want)) return errc::out_of_memory;
    }
    const char type = static_cast<char>('0' + static_cast<int>(t));
    (void)out.try_append(std::string_view(&type, 1));  // within the room made above
    if (!main) (void)(out.try_append(nsp) && out.try_append(","));
    (void)out.try_append(auth);
    msgs_.clear();
    if (!msgs_.try_push_back(engineio::packet_view::text(engineio::packet_type::message, out)))
      return errc::out_of_memory;
    return errc::none;
  }
  return encode_msgs(v5_packet(t, nsp, auth));
}

inline errc client::send_messages(millis now) {
  for (const engineio::packet_view& m : msgs_) {
    const errc e = eng_.send(m, now);
    if (e != errc::none) return e;
  }
  return errc::none;
}

inline errc client::send_connect(nsp_rec& ns, millis now) {
  if (!v5()) {
    // Socket.IO 2.x: the server connects every client to "/" on its own and says so with `0`;
    // the client sends no CONNECT for it (socket.io-client 2.x Socket.onopen).
    if (ns.name == "/") {
      if (v4_main_connected_ && ns.st != ns_state::connected) {
        ns.st = ns_state::connected;
        record& r = push(client_event_kind::connect, ns.name);
        if (!r.sid.try_assign(eng_.sid())) oom_ = true;
        flush_buffer(ns, now);
      }
      return errc::none;
    }
    errc e = ns.query.empty() ? encode_msgs(socketio::connect(ns.name))
                              : encode_msgs(socketio::connect(ns.name).query(ns.query));
    return e != errc::none ? e : send_messages(now);
  }
  ns.sent_pid.clear();
  if (ns.pid.empty()) {
    const errc e = encode_v5_control(packet_type::connect, ns.name,
                                     ns.has_auth ? ns.auth : std::string_view());
    return e != errc::none ? e : send_messages(now);
  }
  // Recovery (socket.js _sendConnectPacket): Object.assign({pid, offset}, auth). The auth's
  // members follow ours, so an auth key `pid` wins in JSON.parse as it does in Object.assign.
  // The object is JSON text whatever the parser (the auth is kept as JSON): the client's codec
  // encodes the CONNECT (msgpack converts raw JSON). Written with the JSON writer's string code,
  // the escaping JSON.stringify does, rather than by a second codec: an encoder instantiated for
  // these two objects cost 1.5 KB of flash (docs/embedded.md).
  rstring& merged = tmp_;
  if (!merged.try_assign("{\"pid\":")) return errc::out_of_memory;
  errc je = detail::append_json_string(merged, ns.pid);
  if (je != errc::none) return je;
  if (ns.has_offset) {
    if (!merged.try_append(",\"offset\":")) return errc::out_of_memory;
    je = detail::append_json_string(merged, ns.offset);
    if (je != errc::none) return je;
  }
  const bool ok =
      ns.has_auth && ns.auth.size() > 2
          ? merged.try_append(",") &&
                merged.try_append(::SIOCODEC_NAMESPACE::detail::subview(ns.auth.view(), 1))
          : merged.try_append("}");
  if (!ok || !ns.sent_pid.try_assign(ns.pid)) return errc::out_of_memory;
  const errc e = encode_v5_control(packet_type::connect, ns.name, merged);
  return e != errc::none ? e : send_messages(now);
}

inline errc client::join_impl(std::string_view nsp, std::string_view auth_json,
                              std::string_view query, millis now) {
  if (state_ == state::closed) return errc::invalid_state;
  const settle_on_exit settle_guard{*this};
  nsp = normalize(nsp);
  if (nsp.front() != '/') return errc::invalid_argument;
  if (find(nsp)) return errc::none;
  if (nsps_.size() >= opts_.max_namespaces) return errc::queue_full;
  if (!nsps_.try_emplace_back(memory())) return errc::out_of_memory;
  nsp_rec& ns = nsps_.back();
  ns.uid = next_uid_++;
  ns.has_auth = !auth_json.empty();
  if (!ns.name.try_assign(nsp) || !ns.auth.try_assign(auth_json) || !ns.query.try_assign(query)) {
    nsps_.pop_back();
    return errc::out_of_memory;
  }
  if (state_ == state::stopped) {
    // socket.io-client Socket.connect(): a closed Manager opens a new session (Manager.open:
    // a new Engine, whatever the old one still has to write).
    skip_reconnect_ = false;
    if (!close_seen_) {
      // The old session is closing, or closed with its close event not yet polled: the new one
      // starts at that event, so that every report and transmit before it is the old one's.
      restart_pending_ = true;
      return errc::none;
    }
    const errc e = restart_session(now);
    if (e != errc::none) {
      nsps_.pop_back();
      return e;
    }
    return errc::none;
  }
  if (state_ == state::open) {
    const errc e = send_connect(ns, now);
    if (e != errc::none) {
      nsps_.pop_back();
      return e;
    }
  }
  return errc::none;
}

template <class Auth>
errc client::join(std::string_view nsp, const Auth& auth, millis now) {
  tick(now);
  if (!v5()) return errc::invalid_argument;
  // The auth is kept as JSON text: it must be sent again on every re-join, long after the
  // caller's value is gone, and the recovery CONNECT merges pid and offset into it.
  static_codec<parser_kind::json> text;
  rstring& out = tmp_;
  const errc e = encode_into(out, [&](char* to, std::size_t cap) {
    detail::no_attachments none;
    return text.encode_to(to, cap, socketio::connect("/", auth), none,
                          [](const engineio::packet_view&) {});
  });
  if (e != errc::none) return e;
  if (out.size() < 3 || out[1] != '{') return errc::invalid_argument;
  return join_impl(nsp, ::SIOCODEC_NAMESPACE::detail::subview(out.view(), 1), {}, now);
}

inline errc client::join_query(std::string_view nsp, std::string_view query, millis now) {
  tick(now);
  if (v5()) return errc::invalid_argument;
  return join_impl(nsp, {}, query, now);
}

inline void client::drop_buffer(nsp_rec& ns) {
  for (const buffered_msg& m : ns.msgs) {
    if (m.dropped) continue;
    buffered_bytes_ -= m.len;
    if (m.first) --buffered_packets_;
  }
  ns.msgs.clear();
  ns.buf.clear();
}

inline void client::flush_buffer(nsp_rec& ns, millis now) {
  for (const buffered_msg& m : ns.msgs) {
    if (m.dropped) continue;
    engineio::packet_view v;
    v.type = engineio::packet_type::message;
    v.kind = m.kind;
    v.data = ::SIOCODEC_NAMESPACE::detail::subview(std::string_view(ns.buf), m.off, m.len);
    (void)eng_.send(v, now);  // a failure closes the session: the close event says why
  }
  acks_.for_each([&](ack_rec& a) noexcept {
    if (a.owner == ns.uid) a.flag = 0;
  });
  drop_buffer(ns);
}

inline void client::resolve_acks(std::uint32_t uid, bool all) {
  // all: every ack of the namespace; otherwise only those whose packet left the buffer
  // (socket.js _clearAcks keeps the acks of buffered packets: they are sent after reconnect).
  nsp_rec* ns = find_uid(uid);
  acks_.erase_if([&](const ack_rec& a) { return a.owner == uid && (all || !a.flag); },
                 [&](const ack_rec& a) {
                   record& r = push(client_event_kind::ack_disconnected,
                                    ns ? std::string_view(ns->name) : "");
                   r.ack_id = a.id;
                 });
}

inline void client::remove_nsp(std::string_view nsp) {
  for (std::size_t i = 0; i < nsps_.size(); ++i) {
    if (nsps_[i].name == nsp) {
      drop_buffer(nsps_[i]);
      nsps_.erase_at(i);  // `nsp` may be the record's own name: not read after this
      return;
    }
  }
}

inline void client::after_last_left(millis now) {
  // Manager._destroy / _close: no active socket left, the session closes, no reconnection.
  if (!nsps_.empty() || state_ == state::closed) return;
  skip_reconnect_ = true;
  restart_pending_ = false;
  reconnect_at_ = engineio::no_deadline;
  connect_deadline_ = engineio::no_deadline;
  reconnecting_ = false;
  attempts_ = 0;
  eng_.close(now);
  state_ = state::stopped;
}

inline errc client::leave(std::string_view nsp, millis now) {
  tick(now);
  nsp = normalize(nsp);
  nsp_rec* ns = find(nsp);
  if (!ns || state_ == state::closed) return errc::invalid_state;
  const settle_on_exit settle_guard{*this};
  if (ns->st == ns_state::connected) {
    const errc e = v5() ? encode_v5_control(packet_type::disconnect, ns->name, {})
                        : encode_msgs(socketio::disconnect(ns->name));
    if (e == errc::none) (void)send_messages(now);
    push(client_event_kind::disconnect, ns->name).reason = disconnect_reason::io_client_disconnect;
  }
  resolve_acks(ns->uid, true);
  remove_nsp(nsp);
  after_last_left(now);
  return errc::none;
}

inline void client::close(millis now) {
  tick(now);
  if (state_ == state::closed) return;
  // leave() reads the name before it removes the record (remove_nsp()).
  while (!nsps_.empty()) (void)leave(nsps_[0].name, now);
  reconnect_at_ = engineio::no_deadline;
  connect_deadline_ = engineio::no_deadline;
  skip_reconnect_ = true;
  eng_.close(now);
  state_ = state::closed;
}

template <class Builder>
result<std::uint64_t> client::emit(const Builder& packet, millis now, const emit_options& o) {
  // Every call that is given `now` takes it, refused or not (as server_connection does): a
  // deadline the refused call saw pass would otherwise be reported in the past.
  tick(now);
  if (state_ == state::closed) return {errc::invalid_state, 0};
  const settle_on_exit settle_guard{*this};
  nsp_rec* ns = find(packet.nsp());
  if (!ns) return {errc::invalid_state, 0};
  const bool live = ns->st == ns_state::connected && eng_.is_open();
  if (o.want_ack && acks_.size() >= opts_.max_pending_acks) return {errc::queue_full, 0};
  std::uint64_t id = no_ack;
  std::size_t buffered_at = 0;
  errc e;
  if (o.want_ack) {
    id = ns->next_id;
    Builder b = packet;
    b.id(id);
    e = encode_msgs(b);
  } else {
    e = encode_msgs(packet);
  }
  if (e != errc::none) return {e, 0};
  std::size_t bytes = 0;
  if (!live && !o.volatile_packet) {
    for (const engineio::packet_view& m : msgs_) bytes += m.data.size();
    // The last bound keeps a message's position within the ack registry's 32-bit flag.
    if (buffered_packets_ + 1 > opts_.max_buffered_packets ||
        buffered_bytes_ + bytes > opts_.max_buffered_bytes ||
        ns->msgs.size() + msgs_.size() >= 0xFFFFFFFFu)
      return {errc::queue_full, 0};
    // Room first, so that out of memory leaves nothing half-buffered.
    if (!ns->msgs.try_grow(msgs_.size()) || !ns->buf.try_grow(bytes))
      return {errc::out_of_memory, 0};
    buffered_at = ns->msgs.size();
  }
  // The ack is registered before the packet leaves, so that a registry out of room stops it.
  if (o.want_ack) {
    // Saturating: a timeout past the end of the clock is no timeout (not one in the past).
    const millis deadline = o.ack_timeout == 0 || o.ack_timeout > engineio::no_deadline - now
                                ? engineio::no_deadline
                                : now + o.ack_timeout;
    if (!acks_.insert(
            ns->uid, id, deadline,
            !live && !o.volatile_packet ? static_cast<std::uint32_t>(buffered_at + 1) : 0u))
      return {errc::out_of_memory, 0};
  }
  if (!live && !o.volatile_packet) {
    bool first = true;
    for (const engineio::packet_view& m : msgs_) {
      (void)ns->msgs.try_push_back(buffered_msg{m.kind, ns->buf.size(), m.data.size(), first,
                                                false});  // within the room made above
      (void)ns->buf.try_append(m.data);
      first = false;
    }
    ++buffered_packets_;
    buffered_bytes_ += bytes;
  } else if (live) {
    e = send_messages(now);
    if (e != errc::none) {
      if (o.want_ack) (void)acks_.erase(ns->uid, id);
      return {e, 0};
    }
  }
  // volatile and not connected: dropped (socket.js emit: discardPacket), the ack still waits.
  if (o.want_ack) ++ns->next_id;
  return id;
}

template <class Builder>
errc client::send(const Builder& packet, millis now) {
  tick(now);
  if (state_ == state::closed) return errc::invalid_state;
  const settle_on_exit settle_guard{*this};
  nsp_rec* ns = find(packet.nsp());
  if (!ns || ns->st != ns_state::connected || !eng_.is_open()) return errc::invalid_state;
  const errc e = encode_msgs(packet);
  return e != errc::none ? e : send_messages(now);
}

inline void client::schedule_reconnect(millis now) {
  if (skip_reconnect_ || state_ == state::closed) {
    if (state_ != state::closed) state_ = state::stopped;
    return;
  }
  if (!opts_.reconnect.enabled || attempts_ >= opts_.reconnect.attempts) {
    if (opts_.reconnect.enabled) push(client_event_kind::reconnect_failed, "").attempt = attempts_;
    // Closed for good: the acks of buffered packets would otherwise wait forever.
    for (nsp_rec& ns : nsps_) {
      resolve_acks(ns.uid, true);
      drop_buffer(ns);
    }
    state_ = state::closed;
    return;
  }
  last_delay_ = reconnect_delay(opts_.reconnect, attempts_, draw01());
  ++attempts_;
  reconnecting_ = true;
  reconnect_at_ = now + last_delay_;
  state_ = state::waiting;
}

inline void client::handle_timeout(millis now) {
  if (now < last_now_) now = last_now_;
  last_now_ = now;
  const settle_on_exit settle_guard{*this};
  eng_.handle_timeout(now);
  if (state_ == state::opening && now >= connect_deadline_) {
    // Manager.open's timer: onError("timeout"), the session closes; the close event reports
    // connect_error to the joining namespaces and schedules the next attempt.
    connect_deadline_ = engineio::no_deadline;
    eng_.close(now);
  }
  if (state_ == state::waiting && now >= reconnect_at_) {
    reconnect_at_ = engineio::no_deadline;
    record& r = push(client_event_kind::reconnect_attempt, "");
    r.attempt = attempts_;
    r.delay = last_delay_;
    const errc e = start_session(now);
    if (e != errc::none) schedule_reconnect(now);
  }
  // Ack deadlines (socket.js _registerAckCallback's timer): the packet leaves the send buffer
  // too, as the reference removes it. Its messages are found by position, not by a scan: n
  // buffered packets timing out at once cost O(n), not O(n^2) (10000 at once, the default
  // max_buffered_packets: 126 ms in one handle_timeout with the scan).
  ack_rec a;
  while (acks_.pop_expired(now, a)) {
    nsp_rec* ns = find_uid(a.owner);
    if (ns && a.flag) {
      for (std::size_t i = a.flag - 1u; i < ns->msgs.size(); ++i) {
        buffered_msg& m = ns->msgs[i];
        if (i != a.flag - 1u && m.first) break;  // the next packet
        if (m.dropped) continue;
        m.dropped = true;
        buffered_bytes_ -= m.len;
        if (m.first) --buffered_packets_;
      }
    }
    push(client_event_kind::ack_timeout, ns ? std::string_view(ns->name) : "").ack_id = a.id;
  }
}

inline millis client::next_deadline() const noexcept {
  millis d = eng_.next_deadline();
  if (state_ == state::opening && connect_deadline_ < d) d = connect_deadline_;
  if (state_ == state::waiting && reconnect_at_ < d) d = reconnect_at_;
  if (acks_.next_deadline() < d) d = acks_.next_deadline();
  if (d != engineio::no_deadline && d < last_now_) d = last_now_;
  return d;
}

inline void client::on_engine_open(millis now) {
  state_ = state::open;
  opened_once_ = true;
  connect_deadline_ = engineio::no_deadline;
  if (reconnecting_) {
    push(client_event_kind::reconnect, "").attempt = attempts_;
    reconnecting_ = false;
  }
  attempts_ = 0;  // Manager.onreconnect / onopen: backoff.reset()
  for (nsp_rec& ns : nsps_) (void)send_connect(ns, now);
}

inline void client::on_engine_close(const engineio::event& e, millis now) {
  close_seen_ = true;
  const disconnect_reason why = override_reason_ ? *override_reason_ : from_engine(e.reason, true);
  const errc err = override_reason_ ? decode_error_ : e.error;
  const std::size_t err_at = override_reason_ ? decode_offset_ : e.offset;
  override_reason_.reset();
  const bool never_opened = !opened_once_;
  for (nsp_rec& ns : nsps_) {
    if (ns.st == ns_state::connected) {
      ns.st = ns_state::joining;
      record& r = push(client_event_kind::disconnect, ns.name);
      r.reason = why;
      r.error = err;
      r.error_offset = err_at;
    } else if (never_opened && !skip_reconnect_) {
      // Socket.onerror: a session that could not open is a connect_error of every socket not
      // yet connected.
      push(client_event_kind::connect_error, ns.name).session_failed = true;
    }
  }
  for (nsp_rec& ns : nsps_) resolve_acks(ns.uid, false);
  codec_.reset();
  connect_deadline_ = engineio::no_deadline;
  if (state_ == state::stopped && restart_pending_) {
    // The join() that came while this session was closing.
    restart_pending_ = false;
    if (restart_session(now) != errc::none) schedule_reconnect(now);
    return;
  }
  if (state_ == state::closed || state_ == state::stopped) return;
  schedule_reconnect(now);
}

inline bool client::on_packet(const any_packet& p, client_event& out, millis now) {
  const std::string_view nsp = normalize(p.nsp());
  nsp_rec* ns = find(nsp);
  switch (p.type()) {
    case packet_type::connect: {
      if (!v5() && nsp == "/") v4_main_connected_ = true;
      if (!ns || ns->st == ns_state::connected) return false;
      if (v5()) {
        any_value sid, pid;
        const any_value d = p.data();
        if (!d.is_object() || !d.find("sid", sid) || !sid.is_string() || sid.string_size() == 0) {
          // socket.js onpacket: a CONNECT without sid comes from a 2.x server.
          out.kind = client_event_kind::connect_error;
          out.nsp = ns->name;
          out.packet = p;
          return true;
        }
        ns->sid.clear();
        if (sid.append_string(ns->sid).error() == errc::out_of_memory) oom_ = true;
        rstring& new_pid = tmp_;
        new_pid.clear();
        if (d.find("pid", pid) && pid.is_string() &&
            pid.append_string(new_pid).error() == errc::out_of_memory)
          oom_ = true;
        const bool recovered = !new_pid.empty() && new_pid.view() == ns->sent_pid.view();
        std::swap(ns->pid, new_pid);
        ns->st = ns_state::connected;
        record& r = push(client_event_kind::connect, ns->name);
        if (!r.sid.try_assign(ns->sid)) oom_ = true;
        r.recovered = recovered;
      } else {
        // socket.io-client 2.x: the socket id is the Engine.IO sid, `nsp#sid` off the main one.
        ns->sid.clear();
        if ((nsp != "/" && !(ns->sid.try_append(nsp) && ns->sid.try_append("#"))) ||
            !ns->sid.try_append(eng_.sid()) ||
            !push(client_event_kind::connect, ns->name).sid.try_assign(ns->sid))
          oom_ = true;
        ns->st = ns_state::connected;
      }
      flush_buffer(*ns, now);
      return false;
    }
    case packet_type::connect_error: {
      // v5 CONNECT_ERROR; v4 ERROR (an ERROR on "/" concerns every socket, socket.io-client 2.x).
      if (!ns && !v5() && nsp == "/") {
        for (nsp_rec& n : nsps_) {
          if (n.st == ns_state::connected) continue;
          ns = &n;
          break;
        }
      }
      if (!ns || ns->st == ns_state::connected) return false;
      // socket.js: CONNECT_ERROR destroys the socket; it is not joined again.
      if (!cur_.nsp.try_assign(ns->name)) oom_ = true;
      resolve_acks(ns->uid, true);
      remove_nsp(ns->name);  // reads the name before it removes the record
      out.kind = client_event_kind::connect_error;
      out.nsp = cur_.nsp;
      out.packet = p;
      after_last_left(now);
      return true;
    }
    case packet_type::event:
    case packet_type::binary_event: {
      if (!ns) return false;
      out.kind = client_event_kind::event;
      out.nsp = ns->name;
      out.packet = p;
      if (!ns->pid.empty() && !p.id()) {
        // socket.js onevent/emitEvent: with a pid, a string last argument is the offset (an
        // event with an ack id ends with the ack function there, so it carries none).
        any_value last;
        for (const any_value& a : p.arguments()) last = a;
        if (last.is_string()) {
          ns->offset.clear();
          if (last.append_string(ns->offset).error() == errc::out_of_memory) oom_ = true;
          ns->has_offset = true;
          out.offset = ns->offset;
        }
      }
      return true;
    }
    case packet_type::ack:
    case packet_type::binary_ack: {
      if (!ns || !p.id()) return false;
      const std::uint64_t id = *p.id();
      if (!acks_.erase(ns->uid, id)) return false;  // socket.js onack: an unknown id is ignored
      out.kind = client_event_kind::ack;
      out.nsp = ns->name;
      out.ack_id = id;
      out.packet = p;
      return true;
    }
    case packet_type::disconnect: {
      if (!ns) return false;
      // socket.js ondisconnect: destroy, onclose("io server disconnect").
      if (ns->st == ns_state::connected)
        push(client_event_kind::disconnect, ns->name).reason =
            disconnect_reason::io_server_disconnect;
      resolve_acks(ns->uid, true);
      remove_nsp(ns->name);  // reads the name before it removes the record
      after_last_left(now);
      return false;
    }
  }
  return false;
}

inline std::optional<client_event> client::poll_event() {
  for (;;) {
    settle(last_now_);
    if (q_head_ < q_size_) {
      std::swap(cur_, q_[q_head_++]);
      if (q_head_ == q_size_) q_head_ = q_size_ = 0;
      client_event ev;
      ev.kind = cur_.kind;
      ev.nsp = cur_.nsp;
      ev.sid = cur_.sid;
      ev.recovered = cur_.recovered;
      ev.session_failed = cur_.session_failed;
      ev.ack_id = cur_.ack_id;
      ev.reason = cur_.reason;
      ev.error = cur_.error;
      ev.error_offset = cur_.error_offset;
      ev.attempt = cur_.attempt;
      ev.delay = cur_.delay;
      return ev;
    }
    std::optional<engineio::event> e = eng_.poll_event();
    if (!e) return std::nullopt;
    const millis now = last_now_;
    client_event ev;
    switch (e->kind) {
      case engineio::event_kind::open:
        on_engine_open(now);
        ev.kind = client_event_kind::engine;
        ev.engine_event = *e;
        return ev;
      case engineio::event_kind::upgrade:
        ev.kind = client_event_kind::engine;
        ev.engine_event = *e;
        return ev;
      case engineio::event_kind::close:
        on_engine_close(*e, now);
        ev.kind = client_event_kind::engine;
        ev.engine_event = *e;
        return ev;
      case engineio::event_kind::message: {
        const result<any_packet> r = codec_.decode(e->packet);
        if (!r) {
          if (r.error() == errc::incomplete) continue;
          if (r.error() == errc::out_of_memory) {  // settle() closes the session
            oom_ = true;
            continue;
          }
          // Manager.ondata: a packet the decoder refuses closes with "parse error".
          override_reason_ = disconnect_reason::parse_error;
          decode_error_ = r.error();
          decode_offset_ = r.offset();
          eng_.close(now);
          continue;
        }
        if (on_packet(*r, ev, now)) return ev;
        continue;
      }
    }
  }
}

}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_IMPL_CLIENT_HPP
