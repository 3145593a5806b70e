// SPDX-License-Identifier: BSL-1.0
// The Socket.IO engines, a client and a server, joined in one process by an in-memory WebSocket
// and a virtual clock (docs/engines.md quotes the client). The client joins two namespaces,
// emits with an ack timeout, loses its transport and recovers its session (the events it missed
// arrive), then lives through a restart of the server (a new server knows nothing: it joins
// again, not recovered), and closes. Twenty seconds of protocol run in a few microseconds.
//
// The client's part is what an application writes on any stack: handle what the engine reports,
// send what it asks, keep one timer at next_deadline(). The server's part is the same loop on the
// other side, with the routing of engine_loops.cpp.
#include <siocodec/siocodec.hpp>

#include <cstdint>
#include <cstdio>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eio = siocodec::engineio;
namespace sio = siocodec::socketio;
using eio::millis;

namespace {

// One WebSocket, carried in order and without latency; `connect` carries the client's query.
struct delivery {
  enum what_t { connect, to_server, to_client, closed_by_client, closed_by_server } what;
  eio::frame_kind kind = eio::frame_kind::text;
  std::string bytes;
};
std::deque<delivery> net;

void carry(delivery::what_t what, const eio::frame& f = {}) {
  net.push_back({what, f.kind, std::string(f.prefix) + std::string(f.data)});
}

std::string text(const sio::any_value& v) {
  std::string s;
  if (v.is_string()) (void)v.append_string(s);
  return s;
}

// What main() checks at the end.
int acks = 0, ack_timeouts = 0, recovered = 0, missed = 0, reconnects = 0;
int last_news = 0, gaps = 0;  // news n follows n - 1, but across the server's restart
bool recovering = false;      // "/chat" is disconnected: what arrives now, it missed

// ---- The client application: the loop every adapter writes. -------------------------------
void drain_client(sio::client& c, millis now) {
  while (std::optional<sio::client_event> ev = c.poll_event()) {
    const auto t = static_cast<unsigned long long>(now);
    const std::string nsp(ev->nsp);
    switch (ev->kind) {
      case sio::client_event_kind::connect:
        std::printf("%6llu client: %s connected, sid %s%s\n", t, nsp.c_str(),
                    std::string(ev->sid).c_str(), ev->recovered ? ", recovered" : "");
        recovered += ev->recovered;
        if (nsp == "/chat") recovering = false;
        if (nsp == "/chat" && reconnects == 0) {
          sio::emit_options o;
          o.want_ack = true;
          o.ack_timeout = 1000;  // the server answers "hello", and never "slow"
          (void)c.emit(sio::event("hello", "from the client").nsp("/chat"), now, o);
          (void)c.emit(sio::event("slow").nsp("/chat"), now, o);
        }
        break;
      case sio::client_event_kind::event: {  // ["news", n, offset]: the offset comes last
        for (const sio::any_value& a : ev->packet.arguments()) {
          const int n = static_cast<int>(a.to_double().value_or(0));
          gaps += n != last_news + 1;
          last_news = n;
          break;
        }
        if (recovering) std::printf("%6llu client: missed news %d\n", t, last_news);
        missed += recovering;
        break;
      }
      case sio::client_event_kind::ack:
        std::printf("%6llu client: ack %llu\n", t, static_cast<unsigned long long>(ev->ack_id));
        ++acks;
        break;
      case sio::client_event_kind::ack_timeout:
        std::printf("%6llu client: ack %llu timed out\n", t,
                    static_cast<unsigned long long>(ev->ack_id));
        ++ack_timeouts;
        break;
      case sio::client_event_kind::disconnect:
        std::printf("%6llu client: %s disconnected (%s)\n", t, nsp.c_str(),
                    sio::to_string(ev->reason));
        if (nsp == "/chat") recovering = true;
        break;
      case sio::client_event_kind::reconnect_attempt:
        std::printf("%6llu client: reconnect attempt %u after %llu ms\n", t, ev->attempt,
                    static_cast<unsigned long long>(ev->delay));
        break;
      case sio::client_event_kind::reconnect:
        std::printf("%6llu client: reconnected, joining again\n", t);
        ++reconnects;
        break;
      default: break;  // connect_error, ack_disconnected, reconnect_failed, engine
    }
  }
  while (std::optional<eio::client_transmit> tx = c.poll_transmit()) {
    if (tx->action == eio::client_action::open_websocket) {
      net.push_back({delivery::connect, eio::frame_kind::text, std::string(tx->query)});
    } else if (tx->action == eio::client_action::ws_send) {
      carry(delivery::to_server, tx->body);
    } else if (tx->action == eio::client_action::ws_close) {
      carry(delivery::closed_by_client);
    }
  }
}

// ---- The server: one connection (a real one keeps a map), a recovery store for "/chat". -----
struct server {
  explicit server(std::uint64_t epoch) : store(store_options(epoch)), state(epoch) {
    opts.recovery = true;  // connectionStateRecovery
  }
  static sio::recovery_options store_options(std::uint64_t epoch) {
    sio::recovery_options o;
    o.epoch = epoch;  // offsets of an earlier run never match this one's
    return o;
  }
  sio::server_options opts;
  sio::recovery_store store;
  std::optional<sio::server_connection> conn;
  std::uint64_t state;  // the caller's randomness: a CSPRNG in production
  unsigned char bytes[30] = {};
  siocodec::byte_view random_bytes(std::size_t n) {
    for (unsigned char& b : bytes) {
      state = state * 6364136223846793005u + 1442695040888963407u;
      b = static_cast<unsigned char>(state >> 56);
    }
    return siocodec::byte_view(bytes, n);
  }

  void drain(millis now) {
    if (!conn) return;
    while (std::optional<sio::server_event> ev = conn->poll_event()) {
      const auto t = static_cast<unsigned long long>(now);
      if (ev->kind == sio::server_event_kind::connect_request) {  // everyone is welcome
        (void)conn->accept(ev->nsp, random_bytes(30), now, ev->nsp == "/chat" ? &store : nullptr);
      } else if (ev->kind == sio::server_event_kind::event) {
        const std::string name = text(ev->packet.event_name());
        std::printf("%6llu server: %s \"%s\"\n", t, std::string(ev->nsp).c_str(), name.c_str());
        if (name == "hello" && ev->packet.id())
          (void)conn->send(sio::ack(*ev->packet.id(), "welcome").nsp(ev->nsp), now);
      } else if (ev->kind == sio::server_event_kind::disconnect) {
        std::printf("%6llu server: %s left (%s)\n", t, std::string(ev->nsp).c_str(),
                    sio::to_string(ev->reason));
      }
    }
    while (std::optional<eio::server_transmit> tx = conn->poll_transmit()) {
      if (tx->action == eio::server_action::ws_send) carry(delivery::to_client, tx->body);
      if (tx->action == eio::server_action::ws_close) carry(delivery::closed_by_server);
    }
  }

  // Every 300 ms, news for everyone in "/chat", through the store so that it can be replayed.
  void news(int n, millis now) {
    const auto p = store.broadcast(sio::event("news", n).nsp("/chat"), {}, now);
    if (p && conn && conn->connected("/chat")) (void)conn->send_encoded(**p, now);
    drain(now);
  }

  void open(std::string_view query, millis now) {
    const eio::request_query q = eio::parse_query(query);
    eio::route_options ro;
    ro.websocket_upgrade = true;
    const eio::route_result r = eio::route_request("GET", q, false, ro);
    if (!r || !r.handshake) return carry(delivery::closed_by_server);
    conn.emplace(opts, eio::make_sid(random_bytes(15)).view(), r.version, r.transport,
                 r.supports_binary, now);
    drain(now);
  }
};

}  // namespace

int main() {
  sio::client_options copts;
  copts.engine.initial = eio::transport_kind::websocket;
  sio::client client(copts);
  auto srv = std::make_unique<server>(/*epoch=*/1);

  millis now = 0;
  (void)client.join("/", now);
  (void)client.join("/chat", now);
  (void)client.open(now, /*random=*/42);
  drain_client(client, now);
  millis next_news = 300;
  int news = 0;
  bool blip = false, restarted = false, closed = false;
  while (true) {
    if (!net.empty()) {
      const delivery d = net.front();
      net.pop_front();
      switch (d.what) {
        case delivery::connect: srv->open(d.bytes, now); break;
        case delivery::to_server:
          if (srv->conn) srv->conn->handle_ws_message(d.kind, d.bytes, now);
          break;
        case delivery::closed_by_client:
          if (srv->conn) srv->conn->handle_ws_closed(now, false);
          break;
        case delivery::to_client: client.handle_ws_message(d.kind, d.bytes, now); break;
        case delivery::closed_by_server: client.handle_ws_closed(now, false); break;
      }
      if (d.what == delivery::connect && srv->conn) client.handle_ws_open(now);
      srv->drain(now);
      drain_client(client, now);
      continue;
    }
    if (closed && !client.is_open()) break;
    // The script: the network drops at 4 s (both ends see an error), the server restarts at
    // 12 s (the new one has an empty store and a new epoch), the client closes at 20 s.
    if (!blip && now >= 4000) {
      blip = true;
      client.handle_ws_closed(now, true);
      if (srv->conn) srv->conn->handle_ws_closed(now, true);
    } else if (!restarted && now >= 12000) {
      restarted = true;
      std::printf("%6llu server: restart\n", static_cast<unsigned long long>(now));
      srv = std::make_unique<server>(/*epoch=*/2);
      client.handle_ws_closed(now, false);
    } else if (!closed && now >= 20000) {
      closed = true;
      client.close(now);
    }
    srv->drain(now);
    drain_client(client, now);
    if (!net.empty()) continue;

    millis next = client.next_deadline();
    if (srv->conn && srv->conn->next_deadline() < next) next = srv->conn->next_deadline();
    if (!closed && next_news < next) next = next_news;
    for (const millis at : {millis{4000}, millis{12000}, millis{20000}})
      if (now < at && at < next) next = at;
    if (next == eio::no_deadline) break;
    if (next > now) now = next;
    if (now >= next_news && !closed) {
      srv->news(++news, now);
      next_news += 300;
    }
    client.handle_timeout(now);
    if (srv->conn) srv->conn->handle_timeout(now);
    srv->drain(now);
    drain_client(client, now);
  }
  // One ack answered and one timed out; after the drop, "/chat" recovered what it missed, so
  // that the news has no gap but the one the restart made (a new server, a plain re-join).
  std::printf("acks %d, timeouts %d, recovered %d, missed %d, news %d, gaps %d, reconnects %d\n",
              acks, ack_timeouts, recovered, missed, last_news, gaps, reconnects);
  const bool ok = acks == 1 && ack_timeouts == 1 && recovered == 1 && missed >= 1 && gaps == 1 &&
                  reconnects == 2;
  return ok ? 0 : 1;
}
