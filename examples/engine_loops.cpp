// SPDX-License-Identifier: BSL-1.0
// The Engine.IO engines, a client and a server, joined in one process by an in-memory network
// and a virtual clock: the two loops every adapter writes (docs/engines.md quotes them). The
// session opens over long-polling, upgrades to WebSocket, exchanges messages, lives through a
// minute of heartbeats in a few microseconds, and closes.
//
// A real adapter has the same loops with sockets where `net` is: it calls the engine's
// handle_*() when its transport reports something, drains poll_transmit() into the transport
// and poll_event() into the application, and keeps one timer at next_deadline().
#include <siocodec/engineio.hpp>

#include <cstdint>
#include <cstdio>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace eio = siocodec::engineio;

namespace {

// What one side asked the network to carry, delivered to the other side in order.
struct delivery {
  enum what_t {
    get,
    post,
    ws_connect,
    ws_to_server,
    ws_close_by_client,
    get_answer,
    post_answer,
    ws_to_client,
    ws_close_by_server
  } what;
  std::string query;  // requests: the query string the client engine built
  eio::frame_kind kind = eio::frame_kind::text;
  std::string bytes;  // a body or a WebSocket message
  unsigned status = 200;
};
std::deque<delivery> net;
int echoes = 0, upgrades = 0, closes = 0;  // what main() checks at the end

void carry(delivery::what_t what, std::string_view query = {}, const eio::frame& body = {},
           unsigned status = 200) {
  net.push_back({what, std::string(query), body.kind,
                 std::string(body.prefix) + std::string(body.data), status});
}

// ---- The client's loop: run after every call into the engine. ----------------------------
// Events first: what the application sends while it handles them joins the transmits drained
// next, so nothing waits for the next input.
void drain_client(eio::client& c, eio::millis now) {
  while (std::optional<eio::event> ev = c.poll_event()) {
    switch (ev->kind) {
      case eio::event_kind::open:
        std::printf("%6llu client: open, sid %s, pingInterval %u\n",
                    static_cast<unsigned long long>(now), std::string(ev->hs.sid).c_str(),
                    static_cast<unsigned>(ev->hs.ping_interval));
        (void)c.send(eio::packet_view::text(eio::packet_type::message, "hello over polling"), now);
        break;
      case eio::event_kind::upgrade:
        std::printf("%6llu client: upgraded to WebSocket\n", static_cast<unsigned long long>(now));
        (void)c.send(eio::packet_view::text(eio::packet_type::message, "hello over ws"), now);
        ++upgrades;
        break;
      case eio::event_kind::message:
        std::printf("%6llu client: message \"%s\"\n", static_cast<unsigned long long>(now),
                    std::string(ev->packet.data).c_str());
        ++echoes;
        break;
      case eio::event_kind::close:
        std::printf("%6llu client: closed (%s)\n", static_cast<unsigned long long>(now),
                    eio::to_string(ev->reason));
        closes += ev->reason == eio::close_reason::forced_close;
        break;
    }
  }
  while (std::optional<eio::client_transmit> tx = c.poll_transmit()) {
    switch (tx->action) {
      case eio::client_action::open_websocket: carry(delivery::ws_connect, tx->query); break;
      case eio::client_action::ws_send: carry(delivery::ws_to_server, {}, tx->body); break;
      case eio::client_action::ws_close: carry(delivery::ws_close_by_client); break;
      case eio::client_action::get: carry(delivery::get, tx->query); break;
      case eio::client_action::post: carry(delivery::post, tx->query, tx->body); break;
    }
  }
}

// ---- The server's loop: route a request to its session, then drain the session. -----------
struct server {
  eio::server_options opts;
  std::optional<eio::server_session> session;  // a real server: a map of sid to session
  // The caller's randomness: a CSPRNG in production (sids must not be guessable).
  std::uint64_t state = 0x9e3779b97f4a7c15;
  unsigned char bytes[15] = {};
  siocodec::byte_view random_bytes() {
    for (unsigned char& b : bytes) {
      state = state * 6364136223846793005u + 1442695040888963407u;
      b = static_cast<unsigned char>(state >> 56);
    }
    return siocodec::byte_view(bytes, sizeof bytes);
  }
};

using act = eio::server_action;

void drain_server(eio::server_session& ss, eio::millis now) {
  while (std::optional<eio::event> ev = ss.poll_event()) {
    if (ev->kind == eio::event_kind::message) {  // echo every message
      const std::string echo = "echo: " + std::string(ev->packet.data);
      (void)ss.send(eio::packet_view::text(eio::packet_type::message, echo), now);
    } else if (ev->kind == eio::event_kind::close) {
      closes += ev->reason == eio::close_reason::transport_close;  // the client's close()
    }
  }
  while (std::optional<eio::server_transmit> tx = ss.poll_transmit()) {
    switch (tx->action) {
      case act::answer_get: carry(delivery::get_answer, {}, tx->body, tx->status); break;
      case act::answer_post: carry(delivery::post_answer, {}, tx->body, tx->status); break;
      case act::ws_send: carry(delivery::ws_to_client, {}, tx->body); break;
      case act::ws_close: carry(delivery::ws_close_by_server); break;
    }
  }
}

void serve(server& s, std::string_view method, const delivery& d, eio::millis now) {
  const eio::request_query q = eio::parse_query(d.query);
  eio::route_options ro;
  ro.websocket_upgrade = d.what == delivery::ws_connect;
  const eio::route_result r =
      eio::route_request(method, q, s.session && q.sid == s.session->sid(), ro);
  if (!r) {  // the reference's answer: 400 (403 when forbidden) and its JSON body
    const eio::frame body{eio::frame_kind::text, {}, eio::error_body(r.error)};
    return carry(d.what == delivery::post ? delivery::post_answer : delivery::get_answer, {}, body,
                 eio::error_status(r.error));
  }
  if (r.handshake) {
    s.session.emplace(s.opts, eio::make_sid(s.random_bytes()).view(), r.version, r.transport,
                      r.supports_binary, now);
  } else if (d.what == delivery::ws_connect) {
    s.session->handle_ws_open(now);
  }
  if (d.what == delivery::get) s.session->handle_get(now);
  if (d.what == delivery::post) s.session->handle_post(d.kind, d.bytes, now);
  drain_server(*s.session, now);
}

}  // namespace

int main() {
  eio::client_options copts;  // polling first, then the upgrade: engine.io-client's defaults
  eio::client client(copts);
  server srv;
  srv.opts.ping_interval = 5000;
  srv.opts.ping_timeout = 2000;

  eio::millis now = 0;
  (void)client.open(now, /*random=*/12345);
  drain_client(client, now);
  bool closing = false;
  while (true) {
    // Deliver what the network carries (no latency here), else move the clock to the next
    // deadline of either engine.
    if (!net.empty()) {
      const delivery d = net.front();
      net.pop_front();
      switch (d.what) {
        case delivery::get: serve(srv, "GET", d, now); break;
        case delivery::post: serve(srv, "POST", d, now); break;
        case delivery::ws_connect: serve(srv, "GET", d, now); break;
        case delivery::ws_to_server: srv.session->handle_ws_message(d.kind, d.bytes, now); break;
        case delivery::ws_close_by_client: srv.session->handle_ws_closed(now, false); break;
        case delivery::get_answer:
          if (d.status == 200)
            client.handle_get_response(d.kind, d.bytes, now);
          else
            client.handle_http_error(eio::client_action::get, now);
          break;
        case delivery::post_answer:
          if (d.status == 200)
            client.handle_post_response(now);
          else
            client.handle_http_error(eio::client_action::post, now);
          break;
        case delivery::ws_to_client: client.handle_ws_message(d.kind, d.bytes, now); break;
        case delivery::ws_close_by_server: client.handle_ws_closed(now, false); break;
      }
      if (d.what == delivery::ws_connect) client.handle_ws_open(now);
      if (srv.session) drain_server(*srv.session, now);
      drain_client(client, now);
      continue;
    }
    if (!client.is_open() && !(srv.session && srv.session->is_open())) break;
    if (!closing && now >= 60000) {  // a minute of heartbeats later
      closing = true;
      client.close(now);
      drain_client(client, now);
      continue;
    }
    eio::millis next = client.next_deadline();
    if (srv.session && srv.session->next_deadline() < next) next = srv.session->next_deadline();
    if (!closing && next > 60000) next = 60000;
    if (next == eio::no_deadline) break;
    if (next > now) now = next;
    client.handle_timeout(now);
    if (srv.session) srv.session->handle_timeout(now);
    if (srv.session) drain_server(*srv.session, now);
    drain_client(client, now);
  }
  // The session lived through the minute (a lost heartbeat would have closed it with "ping
  // timeout" long before), upgraded, echoed both messages, and both ends closed as expected.
  return echoes == 2 && upgrades == 1 && closes == 2 ? 0 : 1;
}
