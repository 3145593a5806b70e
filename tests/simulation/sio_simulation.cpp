// SPDX-License-Identifier: BSL-1.0
// Deterministic simulation of the Socket.IO engines (issue 22, docs/testing.md "Simulation").
//
// One socketio::client and the socketio::server_connection of its current Engine.IO session talk
// over a simulated WebSocket (an ordered stream with random delay) under a virtual clock. All
// randomness comes from one seeded PRNG: `siocodec_sio_simulation --seed N --trace` replays a run.
// Random per run: protocol v5 (mostly) or v4, the JSON or msgpack parser, "/" plus one or two
// namespaces the server accepts, rejects or admits later; emits both ways with and without acks
// (random, some short, timeouts), acks answered at once, late or never, leaves and re-joins.
// Faults: the WebSocket breaks (a transport loss), the server restarts (forgets its session).
// Invariants after every step:
//   - every ack resolves at most once, and only an ack that was asked for (both sides); the
//     engines' pending_acks() equal the harness's count; at the end, after close(), none pending;
//   - no event delivered twice, and the events of a namespace in the order emitted (both ways);
//   - in a run without faults and leaves, every emit made while connected is delivered;
//   - next_deadline() never below the last `now`; pending acks and buffered packets within limits.
#include <siocodec/engineio/request.hpp>
#include <siocodec/socketio.hpp>

#include <cinttypes>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace eio = siocodec::engineio;
namespace sio = siocodec::socketio;
using eio::millis;
using siocodec::errc;

class prng {
 public:
  explicit prng(std::uint64_t seed) noexcept : state_(seed) {}
  std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::uint64_t below(std::uint64_t n) noexcept { return n == 0 ? 0 : next() % n; }
  std::uint64_t range(std::uint64_t lo, std::uint64_t hi) noexcept {
    return hi <= lo ? lo : lo + below(hi - lo + 1);
  }
  bool percent(unsigned p) noexcept { return below(100) < p; }

 private:
  std::uint64_t state_;
};

bool g_trace = false;
void trace(const char* fmt, ...) {
  if (!g_trace) return;
  va_list ap;
  va_start(ap, fmt);
  std::vfprintf(stdout, fmt, ap);
  va_end(ap);
}

enum class policy : std::uint8_t { accept, reject, deferred };

// One item on the simulated WebSocket.
struct item {
  millis at = 0;
  std::uint64_t conn = 0;
  bool to_server = false;
  bool close = false;  // the peer closed (or the connection broke: error)
  bool error = false;
  bool opened = false;  // to the client: the WebSocket is open
  eio::frame_kind kind = eio::frame_kind::text;
  std::string bytes;
};

struct late_ack {
  millis at;
  bool from_server;
  std::string nsp;
  std::uint64_t id;
  std::uint64_t conn;
};

struct totals {
  std::uint64_t runs = 0, faulty = 0, steps = 0, events = 0, acks = 0, timeouts = 0,
                disconnected = 0, reconnects = 0, recovery_runs = 0, recovered = 0;
};

std::int64_t seq_of(const sio::any_packet& p) {
  for (const sio::any_value& a : p.arguments()) {
    if (a.is_number()) {
      auto v = a.to_int64();
      return v ? v.value() : -1;
    }
  }
  return -1;
}

class world {
 public:
  world(std::uint64_t seed, totals& t) : seed_(seed), rng_(seed), t_(t) { configure(); }
  bool run();

 private:
  void configure();
  bool fail(const char* fmt, ...);
  millis delay() { return rng_.range(1, dmax_); }
  void to_client(item it) {
    it.to_server = false;
    it.at = std::max(last_at_[0], now_ + delay());
    last_at_[0] = it.at;
    net_.push_back(std::move(it));
  }
  void to_server(item it) {
    it.to_server = true;
    it.at = std::max(last_at_[1], now_ + delay());
    last_at_[1] = it.at;
    net_.push_back(std::move(it));
  }
  void drain();
  void drain_client();
  void drain_server();
  void deliver(const item& it);
  void break_transport(bool restart);
  void app_step();
  bool check();
  std::string pick_nsp() { return nsps_[rng_.below(nsps_.size())]; }
  void reset_stores();
  sio::recovery_store* store(const std::string& nsp) {
    return recovery_ ? &stores_.at(nsp) : nullptr;
  }
  bool server_emit(const std::string& nsp);

  std::uint64_t seed_;
  prng rng_;
  totals& t_;
  millis now_ = 0;
  millis dmax_ = 20;
  millis duration_ = 20000;
  bool failed_ = false;
  bool faults_ = false;  // a fault or a leave happened: the no-loss check is off
  bool v5_ = true;
  sio::client_options co_;
  sio::server_options so_;
  std::optional<sio::client> c_;
  std::optional<sio::server_connection> s_;
  std::uint64_t conn_ = 0;  // the current WebSocket (0: none)
  bool client_ws_open_ = false;
  millis last_at_[2] = {0, 0};
  std::vector<item> net_;
  std::vector<late_ack> late_;
  std::vector<std::string> nsps_;
  std::map<std::string, policy> policy_;
  std::map<std::string, millis> deferred_;  // nsp -> when the server admits it
  // Acks asked for and not resolved: (nsp, id).
  std::set<std::pair<std::string, std::uint64_t>> c_acks_, s_acks_;
  // Sequence numbers: next to emit and last delivered, per namespace and direction.
  std::map<std::string, std::int64_t> c_next_, s_next_, c_seen_, s_seen_;
  std::map<std::string, std::int64_t> c_sent_connected_, s_sent_connected_;
  std::set<std::string> s_connected_;
  std::uint64_t step_ = 0;
  bool leaves_ = false;
  // Connection state recovery (v5 runs only): one store per namespace, as an application would.
  bool recovery_ = false;
  bool small_store_ = false;  // limits small enough to lose packets: recovery not expected
  sio::recovery_options ro_;
  std::map<std::string, sio::recovery_store> stores_;
  std::map<std::string, millis> offset_at_;       // the client got an event with an offset
  std::map<std::string, millis> lost_at_;         // a transport loss the namespace should survive
  std::map<std::string, std::int64_t> s_stored_;  // last server event put in the store
  std::map<std::string, std::pair<std::int64_t, millis>> must_see_;  // seq, by when
};

bool world::fail(const char* fmt, ...) {
  if (failed_) return false;
  failed_ = true;
  std::printf("seed %" PRIu64 " step %" PRIu64 " t=%" PRIu64 ": ", seed_, step_, now_);
  va_list ap;
  va_start(ap, fmt);
  std::vprintf(fmt, ap);
  va_end(ap);
  std::printf("\n  replay: siocodec_sio_simulation --seed %" PRIu64 " --trace\n", seed_);
  return false;
}

void world::configure() {
  v5_ = !rng_.percent(20);
  co_.engine.initial = eio::transport_kind::websocket;
  co_.engine.version = v5_ ? eio::protocol_version::v4 : eio::protocol_version::v3;
  co_.parser = rng_.percent(50) ? sio::parser_kind::json : sio::parser_kind::msgpack;
  co_.reconnect.delay = static_cast<std::uint32_t>(rng_.range(10, 200));
  co_.reconnect.delay_max = static_cast<std::uint32_t>(rng_.range(200, 1000));
  co_.reconnect.randomization = rng_.percent(50) ? 0.5 : 0.0;
  co_.max_buffered_packets = rng_.range(4, 64);
  co_.max_pending_acks = rng_.range(4, 64);
  so_.parser = co_.parser;
  so_.max_pending_acks = rng_.range(4, 64);
  so_.engine.ping_interval = static_cast<std::uint32_t>(rng_.range(200, 2000));
  so_.engine.ping_timeout = static_cast<std::uint32_t>(rng_.range(100, 1000));
  dmax_ = rng_.range(1, 40);
  duration_ = rng_.range(2000, 8000);
  nsps_ = {"/"};
  nsps_.push_back("/a");
  if (rng_.percent(50)) nsps_.push_back("/b");
  for (const std::string& n : nsps_) {
    const auto r = rng_.below(10);
    policy_[n] = n == "/" ? (r < 8 ? policy::accept : policy::deferred)
                          : (r < 5   ? policy::accept
                             : r < 7 ? policy::reject
                                     : policy::deferred);
  }
  leaves_ = rng_.percent(30);
  recovery_ = v5_ && rng_.percent(40);
  if (recovery_) {
    so_.recovery = true;
    ro_.parser = co_.parser;
    ro_.epoch = seed_;
    ro_.max_disconnection_duration = rng_.range(500, 5000);
    small_store_ = rng_.percent(20);
    if (small_store_) {
      ro_.max_packets = rng_.range(1, 6);
      ro_.max_bytes = rng_.range(64, 400);
      ro_.max_sessions = rng_.range(1, 2);
    }
    reset_stores();
  }
  c_.emplace(co_);
}

void world::reset_stores() {
  stores_.clear();
  lost_at_.clear();
  must_see_.clear();
  for (const std::string& n : nsps_) stores_.emplace(n, sio::recovery_store(ro_));
}

// A server EVENT on `nsp`. With recovery, one without ack is a broadcast through the store
// (sent with send_encoded() when the namespace is connected, else only stored: missed).
bool world::server_emit(const std::string& nsp) {
  const bool connected = s_ && s_connected_.count(nsp) != 0;
  sio::emit_options o;
  o.want_ack = connected && rng_.percent(40);
  if (o.want_ack && rng_.percent(70)) o.ack_timeout = rng_.range(1, 2000);
  if (recovery_ && !o.want_ack && rng_.percent(connected ? 50 : 100)) {
    if (!connected && lost_at_.count(nsp) == 0) return true;
    const std::int64_t seq = s_next_[nsp]++;
    auto p = stores_.at(nsp).broadcast(sio::event("s", seq).nsp(nsp), sio::room_filter{}, now_);
    if (!p) {
      if (!small_store_) return fail("store broadcast: unexpected error");
      faults_ = true;
      return true;
    }
    s_stored_[nsp] = seq;
    trace("%8" PRIu64 " server broadcast %s #%" PRId64 "%s\n", now_, nsp.c_str(), seq,
          connected ? "" : " (stored only)");
    if (!connected) return true;
    if (s_->send_encoded(*p.value(), now_) != errc::none) faults_ = true;
    s_sent_connected_[nsp] = seq;
    return true;
  }
  if (!connected) return true;
  const std::int64_t seq = s_next_[nsp]++;
  auto id = s_->emit(sio::event("s", seq).nsp(nsp), now_, o);
  if (!id) {
    if (id.error() != errc::queue_full) return fail("server emit: unexpected error");
    faults_ = true;
    return true;
  }
  if (o.want_ack) s_acks_.insert({nsp, id.value()});
  if (recovery_ && !o.want_ack) s_stored_[nsp] = seq;  // emit() goes through the store too
  s_sent_connected_[nsp] = seq;
  return true;
}

void world::drain_client() {
  while (auto ev = c_->poll_event()) {
    const std::string nsp(ev->nsp);
    switch (ev->kind) {
      case sio::client_event_kind::event: {
        const std::int64_t s = seq_of(ev->packet);
        trace("%8" PRIu64 " client event %s #%" PRId64 "\n", now_, nsp.c_str(), s);
        ++t_.events;
        auto it = c_seen_.find(nsp);
        if (it != c_seen_.end() && s <= it->second)
          return void(
              fail("client: event %s #%" PRId64 " after #%" PRId64, nsp.c_str(), s, it->second));
        c_seen_[nsp] = s;
        if (!ev->offset.empty()) offset_at_[nsp] = now_;
        if (ev->packet.id()) {
          const std::uint64_t id = *ev->packet.id();
          const auto r = rng_.below(10);
          if (r < 6) {
            if (c_->send(sio::ack(id, "ok").nsp(nsp), now_) != errc::none) { /* disconnected */
            }
          } else if (r < 9) {
            late_.push_back({now_ + rng_.range(1, 3000), false, nsp, id, conn_});
          }
        }
        break;
      }
      case sio::client_event_kind::ack:
      case sio::client_event_kind::ack_timeout:
      case sio::client_event_kind::ack_disconnected: {
        trace("%8" PRIu64 " client ack %s %" PRIu64 " kind %u\n", now_, nsp.c_str(), ev->ack_id,
              static_cast<unsigned>(ev->kind));
        if (c_acks_.erase({nsp, ev->ack_id}) != 1)
          return void(fail("client: ack %s %" PRIu64 " resolved twice or never asked", nsp.c_str(),
                           ev->ack_id));
        if (ev->kind == sio::client_event_kind::ack) ++t_.acks;
        if (ev->kind == sio::client_event_kind::ack_timeout) ++t_.timeouts;
        if (ev->kind == sio::client_event_kind::ack_disconnected) ++t_.disconnected;
        break;
      }
      case sio::client_event_kind::reconnect: ++t_.reconnects; break;
      case sio::client_event_kind::connect: {
        trace("%8" PRIu64 " client connect %s%s\n", now_, nsp.c_str(),
              ev->recovered ? " (recovered)" : "");
        const auto got = offset_at_.find(nsp);
        const millis last_offset = got == offset_at_.end() ? 0 : got->second;
        offset_at_.erase(nsp);
        if (ev->recovered) ++t_.recovered;
        auto lost = lost_at_.find(nsp);
        if (lost == lost_at_.end()) break;
        // The loss, the reconnection and the admission took less than the store keeps a
        // session, and the packet of the client's last offset is still kept (packets expire
        // after the same duration), with a margin for the network's delays: it must come back.
        const bool expect =
            !small_store_ && last_offset != 0 &&
            now_ - lost->second + 2 * dmax_ + 5 < millis{ro_.max_disconnection_duration} &&
            now_ + 3 * dmax_ + 5 - last_offset < millis{ro_.max_disconnection_duration};
        lost_at_.erase(lost);
        if (expect && !ev->recovered)
          return void(fail("client: %s not recovered after a transport loss", nsp.c_str()));
        if (ev->recovered && s_stored_.count(nsp))
          must_see_[nsp] = {s_stored_[nsp], now_ + dmax_ + 1};
        break;
      }
      default:
        trace("%8" PRIu64 " client event kind %u %s\n", now_, static_cast<unsigned>(ev->kind),
              nsp.c_str());
        break;
    }
  }
  while (auto tx = c_->poll_transmit()) {
    std::string bytes(tx->body.prefix);
    bytes += tx->body.data;
    switch (tx->action) {
      case eio::client_action::open_websocket: {
        ++conn_;
        client_ws_open_ = false;
        s_.reset();
        s_connected_.clear();
        deferred_.clear();
        const auto q = eio::parse_query(tx->query);
        eio::route_options o;
        o.allow_eio3 = true;
        o.websocket_upgrade = true;
        const auto routed = eio::route_request("GET", q, false, o);
        if (!routed || !routed.handshake) return void(fail("client: a bad handshake query"));
        unsigned char r[15];
        for (auto& b : r) b = static_cast<unsigned char>(rng_.next());
        const std::string sid(eio::make_sid(siocodec::byte_view(r, sizeof r)).view());
        trace("%8" PRIu64 " ws #%" PRIu64 " open\n", now_, conn_);
        item it;
        it.conn = conn_;
        it.opened = true;
        to_client(std::move(it));
        s_.emplace(so_, sid, routed.version, routed.transport, routed.supports_binary, now_);
        break;
      }
      case eio::client_action::ws_send:
      case eio::client_action::ws_close: {
        item it;
        it.conn = conn_;
        it.kind = tx->body.kind;
        it.close = tx->action == eio::client_action::ws_close;
        it.bytes = std::move(bytes);
        trace("%8" PRIu64 " client -> %s\n", now_, it.close ? "close" : it.bytes.c_str());
        to_server(std::move(it));
        break;
      }
      default: return void(fail("client: a polling transmit in a WebSocket-only run"));
    }
  }
}

void world::drain_server() {
  if (!s_) return;
  while (auto ev = s_->poll_event()) {
    const std::string nsp(ev->nsp);
    switch (ev->kind) {
      case sio::server_event_kind::connect_request: {
        const policy p = policy_[nsp];
        trace("%8" PRIu64 " server connect_request %s\n", now_, nsp.c_str());
        if (p == policy::deferred) {
          deferred_[nsp] = now_ + rng_.range(1, 500);
        } else if (p == policy::reject) {
          if (s_->reject(nsp, "not allowed", now_) != errc::none)
            return void(fail("server: reject failed"));
        } else {
          unsigned char r[30];
          for (auto& b : r) b = static_cast<unsigned char>(rng_.next());
          if (s_->accept(nsp, siocodec::byte_view(r, sizeof r), now_, store(nsp)) != errc::none)
            return void(fail("server: accept failed"));
        }
        break;
      }
      case sio::server_event_kind::connect: s_connected_.insert(nsp); break;
      case sio::server_event_kind::disconnect: s_connected_.erase(nsp); break;
      case sio::server_event_kind::event: {
        const std::int64_t s = seq_of(ev->packet);
        ++t_.events;
        trace("%8" PRIu64 " server event %s #%" PRId64 "\n", now_, nsp.c_str(), s);
        auto it = s_seen_.find(nsp);
        if (it != s_seen_.end() && s <= it->second)
          return void(
              fail("server: event %s #%" PRId64 " after #%" PRId64, nsp.c_str(), s, it->second));
        s_seen_[nsp] = s;
        if (ev->packet.id()) {
          const std::uint64_t id = *ev->packet.id();
          const auto r = rng_.below(10);
          if (r < 6) {
            (void)s_->send(sio::ack(id, "ok").nsp(nsp), now_);
          } else if (r < 9) {
            late_.push_back({now_ + rng_.range(1, 3000), true, nsp, id, conn_});
          }
        }
        break;
      }
      case sio::server_event_kind::ack:
      case sio::server_event_kind::ack_timeout:
      case sio::server_event_kind::ack_disconnected:
        if (s_acks_.erase({nsp, ev->ack_id}) != 1)
          return void(fail("server: ack %s %" PRIu64 " resolved twice or never asked", nsp.c_str(),
                           ev->ack_id));
        break;
      case sio::server_event_kind::engine: break;
    }
  }
  while (auto tx = s_->poll_transmit()) {
    item it;
    it.conn = conn_;
    it.kind = tx->body.kind;
    it.close = tx->action == eio::server_action::ws_close;
    it.bytes = std::string(tx->body.prefix);
    it.bytes += tx->body.data;
    if (tx->action != eio::server_action::ws_send && !it.close)
      return void(fail("server: an HTTP answer in a WebSocket-only run"));
    trace("%8" PRIu64 " server -> %s\n", now_, it.close ? "close" : it.bytes.c_str());
    to_client(std::move(it));
  }
}

void world::drain() {
  for (int i = 0; i < 8 && !failed_; ++i) {
    drain_client();
    if (failed_) return;
    drain_server();
  }
}

void world::deliver(const item& it) {
  if (it.conn != conn_) return;  // a connection that is gone
  if (it.to_server) {
    if (!s_) return;
    if (it.close) {
      s_->handle_ws_closed(now_, it.error);
    } else {
      s_->handle_ws_message(it.kind, it.bytes, now_);
    }
  } else if (it.opened) {
    client_ws_open_ = true;
    c_->handle_ws_open(now_);
  } else if (it.close) {
    c_->handle_ws_closed(now_, it.error);
  } else if (client_ws_open_) {
    c_->handle_ws_message(it.kind, it.bytes, now_);
  }
}

// A transport loss: both ends see the WebSocket close with an error. A restart: the server
// forgets the session as well (its pending acks die with it).
void world::break_transport(bool restart) {
  faults_ = true;
  trace("%8" PRIu64 " FAULT %s\n", now_, restart ? "server restart" : "transport loss");
  if (recovery_ && !restart) {
    for (const std::string& n : nsps_) {
      if (c_->connected(n) && offset_at_.count(n) && !lost_at_.count(n)) lost_at_[n] = now_;
    }
  }
  const std::uint64_t gone = conn_;
  conn_ = 0;
  net_.clear();
  if (s_) {
    if (restart) {
      s_.reset();
      s_connected_.clear();
      s_acks_.clear();
      if (recovery_) reset_stores();  // an in-memory adapter does not survive a restart
    } else {
      s_->handle_ws_closed(now_, true);
    }
  }
  if (gone != 0 && client_ws_open_) c_->handle_ws_closed(now_, true);
  client_ws_open_ = false;
}

void world::app_step() {
  const auto r = rng_.below(100);
  const std::string nsp = pick_nsp();
  if (r < 35) {
    if (!c_->connected(nsp)) return;
    sio::emit_options o;
    o.want_ack = rng_.percent(50);
    if (o.want_ack && rng_.percent(70)) o.ack_timeout = rng_.range(1, 2000);
    const std::int64_t seq = c_next_[nsp]++;
    auto id = c_->emit(sio::event("c", seq).nsp(nsp), now_, o);
    if (!id) {
      if (id.error() != errc::queue_full) return void(fail("client emit: unexpected error"));
      faults_ = true;  // a refused emit is not lost, but later ones may jump over it
      return;
    }
    if (o.want_ack) c_acks_.insert({nsp, id.value()});
    c_sent_connected_[nsp] = seq;
  } else if (r < 65) {
    (void)server_emit(nsp);
  } else if (r < 68) {
    if (leaves_ && c_->connected(nsp) && nsp != "/") {
      faults_ = true;
      lost_at_.erase(nsp);
      // What the server replays after a recovering CONNECT may still be on its way: a socket
      // that leaves drops it, as socket.io-client's destroyed socket does.
      must_see_.erase(nsp);
      trace("%8" PRIu64 " client leaves %s\n", now_, nsp.c_str());
      (void)c_->leave(nsp, now_);
    }
  } else if (r < 75) {
    if (!c_->connected(nsp) && nsp != "/") (void)c_->join(nsp, now_);
  }
}

bool world::check() {
  if (failed_) return false;
  if (c_->next_deadline() < now_) return fail("client: next_deadline below now");
  if (s_ && s_->next_deadline() < now_) return fail("server: next_deadline below now");
  if (c_->pending_acks() > co_.max_pending_acks) return fail("client: pending acks over limit");
  if (c_->buffered_packets() > co_.max_buffered_packets)
    return fail("client: buffered packets over limit");
  if (c_->pending_acks() != c_acks_.size())
    return fail("client: pending_acks() %zu, harness %zu", c_->pending_acks(), c_acks_.size());
  if (s_ && s_->pending_acks() > so_.max_pending_acks) return fail("server: acks over limit");
  if (s_ && s_->pending_acks() != s_acks_.size())
    return fail("server: pending_acks() %zu, harness %zu", s_->pending_acks(), s_acks_.size());
  for (const auto& [n, st] : stores_) {
    if (st.packet_count() > ro_.max_packets || st.bytes() > ro_.max_bytes ||
        st.session_count() > ro_.max_sessions)
      return fail("store %s over its limits", n.c_str());
  }
  for (auto it = must_see_.begin(); it != must_see_.end();) {
    if (now_ <= it->second.second) {
      ++it;
      continue;
    }
    const auto seen = c_seen_.find(it->first);
    if (seen == c_seen_.end() || seen->second < it->second.first)
      return fail("client: %s recovered but missed server event #%" PRId64, it->first.c_str(),
                  it->second.first);
    it = must_see_.erase(it);
  }
  return true;
}

bool world::run() {
  if (recovery_) ++t_.recovery_runs;
  ++t_.runs;
  if (c_->open(now_, rng_.next()) != errc::none) return fail("client: open failed");
  for (const std::string& n : nsps_) (void)c_->join(n, now_);
  const unsigned p_fault = static_cast<unsigned>(rng_.percent(50) ? rng_.range(1, 4) : 0);
  drain();
  while (!failed_ && now_ < duration_ + 10000) {
    ++step_;
    // The next thing: a network item, a late ack, a deadline, or the application (every tick).
    millis next = now_ + rng_.range(1, 30);
    next = std::min(next, c_->next_deadline());
    if (s_) next = std::min(next, s_->next_deadline());
    for (const item& it : net_) next = std::min(next, it.at);
    if (next < now_) next = now_;
    now_ = next;
    for (std::size_t i = 0; i < net_.size();) {
      if (net_[i].at <= now_) {
        const item it = net_[i];
        net_.erase(net_.begin() + static_cast<std::ptrdiff_t>(i));
        deliver(it);
        drain();
        if (failed_) break;
      } else {
        ++i;
      }
    }
    for (std::size_t i = 0; i < late_.size();) {
      if (late_[i].at <= now_) {
        const late_ack a = late_[i];
        late_.erase(late_.begin() + static_cast<std::ptrdiff_t>(i));
        if (a.conn == conn_) {
          if (a.from_server && s_) {
            (void)s_->send(sio::ack(a.id, "late").nsp(a.nsp), now_);
          } else if (!a.from_server) {
            (void)c_->send(sio::ack(a.id, "late").nsp(a.nsp), now_);
          }
        }
      } else {
        ++i;
      }
    }
    for (auto it = deferred_.begin(); it != deferred_.end();) {
      if (it->second <= now_ && s_) {
        unsigned char r[30];
        for (auto& b : r) b = static_cast<unsigned char>(rng_.next());
        (void)s_->accept(it->first, siocodec::byte_view(r, sizeof r), now_, store(it->first));
        it = deferred_.erase(it);
      } else {
        ++it;
      }
    }
    c_->handle_timeout(now_);
    if (s_) s_->handle_timeout(now_);
    drain();
    if (now_ < duration_) {
      app_step();
      if (p_fault != 0 && rng_.below(1000) < p_fault) break_transport(rng_.percent(40));
    }
    drain();
    if (!check()) break;
  }
  t_.steps += step_;
  if (faults_) ++t_.faulty;
  if (failed_) return false;
  // No loss without faults: everything emitted while connected arrived.
  if (!faults_) {
    for (const auto& [nsp, seq] : c_sent_connected_) {
      if (s_seen_[nsp] != seq)
        return fail("%s: client emit #%" PRId64 " never arrived", nsp.c_str(), seq);
    }
    for (const auto& [nsp, seq] : s_sent_connected_) {
      auto it = c_seen_.find(nsp);
      if (it == c_seen_.end() || it->second != seq)
        return fail("%s: server emit #%" PRId64 " never arrived", nsp.c_str(), seq);
    }
  }
  // After close(), nothing may stay pending on the client.
  c_->close(now_);
  drain_client();
  if (failed_) return false;
  if (!c_acks_.empty() || c_->pending_acks() != 0)
    return fail("client: %zu acks pending after close", c_acks_.size());
  return true;
}

bool parse_u64(const char* s, std::uint64_t& out) {
  char* end = nullptr;
  out = std::strtoull(s, &end, 10);
  return end != s && *end == '\0';
}

int usage() {
  std::fprintf(stderr,
               "usage: siocodec_sio_simulation [--seed N | --seeds A..B] [--trace] [--stats]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t first = 0, last = 499;
  bool show_stats = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--trace") {
      g_trace = true;
    } else if (a == "--stats") {
      show_stats = true;
    } else if (a == "--seed" && i + 1 < argc) {
      if (!parse_u64(argv[++i], first)) return usage();
      last = first;
    } else if (a == "--seeds" && i + 1 < argc) {
      const std::string range = argv[++i];
      const std::size_t dots = range.find("..");
      if (dots == std::string::npos) return usage();
      if (!parse_u64(range.substr(0, dots).c_str(), first) ||
          !parse_u64(range.substr(dots + 2).c_str(), last) || last < first) {
        return usage();
      }
    } else {
      return usage();
    }
  }
  totals t;
  std::uint64_t failures = 0;
  for (std::uint64_t seed = first;; ++seed) {
    world w(seed, t);
    if (!w.run()) ++failures;
    if (seed == last) break;
  }
  if (show_stats || failures != 0) {
    std::printf("%" PRIu64 " runs (%" PRIu64 " with faults or leaves), %" PRIu64 " steps, %" PRIu64
                " events; acks: %" PRIu64 " answered, %" PRIu64 " timed out, %" PRIu64
                " disconnected; %" PRIu64 " reconnects; %" PRIu64 " runs with recovery, %" PRIu64
                " namespaces recovered\n",
                t.runs, t.faulty, t.steps, t.events, t.acks, t.timeouts, t.disconnected,
                t.reconnects, t.recovery_runs, t.recovered);
  }
  if (failures != 0) {
    std::printf("%" PRIu64 " of %" PRIu64 " runs FAILED\n", failures, t.runs);
    return 1;
  }
  std::printf("%" PRIu64 " runs passed (seeds %" PRIu64 "..%" PRIu64 ")\n", t.runs, first, last);
  return 0;
}
