// SPDX-License-Identifier: BSL-1.0
// socketio::client driven by a script: Engine.IO v4 and v3, the JSON and msgpack parsers, a
// WebSocket-first or polling-first session (with or without upgrade). The server's side is a
// script too: handshakes, pings, closes, Socket.IO packets encoded by a codec (CONNECT with and
// without sid / pid, CONNECT_ERROR, DISCONNECT, events with and without ack ids and offsets,
// acks for pending and unknown ids, binary events and acks with attachments), raw bytes, sent
// as WebSocket messages or polling bodies; transport opens, errors and closes; time steps. The
// application joins (with auth or query), leaves, emits with and without acks (volatile, with
// timeouts, with binary arguments), answers events, closes. After each step:
// - nothing crashes, asserts or reads outside what it hands out (every byte is touched);
// - every ack id resolves at most once (ack, ack_timeout, ack_disconnected), only one that was
//   asked for, and pending_acks() equals the acks asked for and not resolved;
// - next_deadline() is never before the last `now` given;
// - pending acks and buffered packets stay within their limits.
#include "common.hpp"
#include "engine_common.hpp"

#include <siocodec/engineio/encode.hpp>
#include <siocodec/engineio/payload_encode.hpp>
#include <siocodec/socketio.hpp>
#include <siocodec/socketio/client.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace eio = siocodec::engineio;
namespace sio = siocodec::socketio;
using siocodec::errc;

namespace {

using siocodec_fuzz::nsps;
using siocodec_fuzz::touch;

struct model {
  // Pending acks and their deadlines (no_deadline: none).
  std::map<std::pair<std::string, std::uint64_t>, eio::millis> acks;
  eio::millis last_now = 0;
  // The id of the last event the server asked an ack for, per namespace index.
  std::uint64_t server_ack[3] = {0, 0, 0};
};

// One Engine.IO packet the script's server sends, its data owned.
struct server_packet {
  eio::packet_type type = eio::packet_type::message;
  eio::data_kind kind = eio::data_kind::text;
  std::string data;
};

std::size_t nsp_index(std::string_view n) noexcept {
  for (std::size_t i = 0; i < 3; ++i)
    if (n == nsps[i]) return i;
  return 0;
}

void drain(sio::client& c, model& m, const sio::client_options& o) {
  std::size_t sum = 0;
  while (auto e = c.poll_event()) {
    sum += touch(e->nsp) + touch(e->sid) + touch(e->offset);
    if (e->kind == sio::client_event_kind::ack || e->kind == sio::client_event_kind::ack_timeout ||
        e->kind == sio::client_event_kind::ack_disconnected) {
      const auto it = m.acks.find({std::string(e->nsp), e->ack_id});
      FUZZ_CHECK(it != m.acks.end());
      // An ack times out at its deadline, never before (a deadline that overflowed would).
      if (e->kind == sio::client_event_kind::ack_timeout) FUZZ_CHECK(m.last_now >= it->second);
      m.acks.erase(it);
    }
    if (e->kind == sio::client_event_kind::event || e->kind == sio::client_event_kind::ack ||
        (e->kind == sio::client_event_kind::connect_error && !e->session_failed)) {
      for (const sio::any_value& a : e->packet.arguments()) {
        sum += a.is_number() ? 1u : 0u;
        if (a.is_binary()) sum += touch(a.bytes().as_chars());
      }
      if (e->kind == sio::client_event_kind::event && e->packet.id())
        m.server_ack[nsp_index(e->nsp)] = *e->packet.id();
    }
  }
  while (auto t = c.poll_transmit())
    sum += touch(t->query) + touch(t->body.prefix) + touch(t->body.data);
  siocodec_fuzz::use(sum);
  FUZZ_CHECK(c.pending_acks() == m.acks.size());
  FUZZ_CHECK(c.pending_acks() <= o.max_pending_acks);
  FUZZ_CHECK(c.buffered_packets() <= o.max_buffered_packets);
  FUZZ_CHECK(c.next_deadline() >= m.last_now);
}

// A pending ack id of `nsp` (so that the answer resolves it), or any small id.
std::uint64_t pick_ack(siocodec_fuzz::provider& in, const model& m, const char* nsp) {
  if (in.boolean()) return in.integral<std::uint64_t>(0, 9);
  std::vector<std::uint64_t> ids;
  for (const auto& a : m.acks)
    if (a.first.first == nsp) ids.push_back(a.first.second);
  if (ids.empty()) return in.integral<std::uint64_t>(0, 9);
  return ids[in.integral<std::size_t>(0, ids.size() - 1)];
}

// Encodes one Socket.IO packet the way a server of this version and parser writes it.
template <class Builder>
void add_sio(sio::codec& enc, const Builder& b, std::vector<server_packet>& out) {
  std::string storage;
  std::vector<siocodec::byte_view> atts;
  std::vector<server_packet> msgs;
  const auto r = enc.encode(b, storage, atts, [&](const eio::packet_view& p) {
    msgs.push_back({p.type, p.kind, std::string(p.data)});
  });
  if (!r) return;
  for (auto& p : msgs) out.push_back(std::move(p));
}

void add_server_packet(siocodec_fuzz::provider& in, sio::codec& enc, const model& m,
                       eio::protocol_version version, std::vector<server_packet>& out) {
  const char* nsp = nsps[in.integral<std::size_t>(0, 2)];
  const unsigned char blob[] = {0, 1, 2, 0xFF, 0x80};
  const siocodec::byte_view bytes(blob, in.integral<std::size_t>(0, sizeof blob));
  switch (in.integral<std::uint8_t>(0, 17)) {
    case 0: {
      std::string hs = "{\"sid\":\"s";
      hs += static_cast<char>('0' + in.integral<int>(0, 3));
      hs += in.boolean() ? "\",\"upgrades\":[\"websocket\"]" : "\",\"upgrades\":[]";
      hs += ",\"pingInterval\":" + std::to_string(in.integral<int>(1, 300));
      hs += ",\"pingTimeout\":" + std::to_string(in.integral<int>(1, 300));
      if (version == eio::protocol_version::v4)
        hs += ",\"maxPayload\":" + std::to_string(in.integral<int>(1, 2000));
      hs += '}';
      out.push_back({eio::packet_type::open, eio::data_kind::text, hs});
      break;
    }
    case 1: out.push_back({eio::packet_type::ping, eio::data_kind::text, {}}); break;
    case 2: out.push_back({eio::packet_type::pong, eio::data_kind::text, "probe"}); break;
    case 3: out.push_back({eio::packet_type::close, eio::data_kind::text, {}}); break;
    case 4: out.push_back({eio::packet_type::noop, eio::data_kind::text, {}}); break;
    case 5: {  // CONNECT {sid[, pid]}
      std::string sid = "x";
      sid += static_cast<char>('0' + in.integral<int>(0, 9));
      if (in.boolean()) {
        add_sio(enc, sio::connect(nsp, sio::object("sid", sid, "pid", in.boolean() ? "p1" : "p2")),
                out);
      } else {
        add_sio(enc, sio::connect(nsp, sio::object("sid", sid)), out);
      }
      break;
    }
    case 6: add_sio(enc, sio::connect(nsp), out); break;  // v4 style, or a v5 CONNECT without sid
    case 7: add_sio(enc, sio::connect_error("no"), out); break;
    case 8: add_sio(enc, sio::connect_error("no", sio::object("k", 1)).nsp(nsp), out); break;
    case 9: add_sio(enc, sio::disconnect(nsp), out); break;
    case 10: add_sio(enc, sio::event("e", in.integral<int>(0, 9)).nsp(nsp), out); break;
    case 11: add_sio(enc, sio::event("e", 1, "offset-1").nsp(nsp), out); break;
    case 12: {
      auto b = sio::event("e", "q").nsp(nsp);
      b.id(in.integral<std::uint64_t>(0, 9));
      add_sio(enc, b, out);
      break;
    }
    case 13: add_sio(enc, sio::ack(pick_ack(in, m, nsp), "r").nsp(nsp), out); break;
    case 14: add_sio(enc, sio::ack(pick_ack(in, m, nsp), bytes).nsp(nsp), out); break;
    case 15: add_sio(enc, sio::event("bin", bytes, bytes).nsp(nsp), out); break;
    case 16: {  // a Socket.IO message of arbitrary bytes
      const bool bin = in.boolean();
      out.push_back({eio::packet_type::message, bin ? eio::data_kind::binary : eio::data_kind::text,
                     std::string(in.bytes(in.integral<std::size_t>(0, 24)))});
      break;
    }
    default: out.push_back({eio::packet_type::upgrade, eio::data_kind::text, {}}); break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  siocodec_fuzz::provider in(data, size);
  sio::client_options o;
  const bool v4 = in.integral<std::uint8_t>(0, 3) != 0;
  const auto version = v4 ? eio::protocol_version::v4 : eio::protocol_version::v3;
  o.engine.version = version;
  o.engine.initial = in.boolean() ? eio::transport_kind::websocket : eio::transport_kind::polling;
  o.engine.upgrade = in.boolean();
  o.engine.supports_binary = v4 || in.boolean();
  o.engine.max_queued_messages = in.integral<std::size_t>(1, 16);
  o.engine.decode.max_payload = in.integral<std::size_t>(8, 2048);
  o.parser = in.boolean() ? sio::parser_kind::json : sio::parser_kind::msgpack;
  o.connect_timeout = in.integral<std::uint32_t>(0, 500);
  o.reconnect.enabled = in.integral<std::uint8_t>(0, 3) != 0;
  o.reconnect.attempts = in.integral<std::uint32_t>(0, 4);
  o.reconnect.delay = in.integral<std::uint32_t>(0, 200);
  o.reconnect.delay_max = in.integral<std::uint32_t>(0, 400);
  o.reconnect.randomization = in.integral<int>(0, 3) * 0.5;
  o.max_buffered_packets = in.integral<std::size_t>(0, 8);
  o.max_buffered_bytes = in.integral<std::size_t>(0, 512);
  o.max_pending_acks = in.integral<std::size_t>(0, 8);
  o.max_namespaces = in.integral<std::size_t>(1, 4);

  sio::codec_options co;
  co.version = v4 ? sio::protocol_version::v5 : sio::protocol_version::v4;
  sio::codec enc(o.parser, co);
  eio::encode_options eo;
  eo.version = version;

  model m;
  eio::millis now = in.integral<eio::millis>(0, 1000);
  m.last_now = now;
  sio::client c(o);
  (void)c.open(now, in.integral<std::uint64_t>(0, ~std::uint64_t{0}));
  drain(c, m, o);
  std::vector<server_packet> batch;
  std::vector<eio::packet_view> views;
  std::string frame;
  static const bool trace = std::getenv("SIOCODEC_FUZZ_TRACE") != nullptr;
  for (int steps = 0; steps < 128 && in.remaining() != 0; ++steps) {
    const auto op = in.integral<std::uint8_t>(0, 17);
    bool fed = true;  // the client was given `now`
    const char* nsp = nsps[in.integral<std::size_t>(0, 2)];
    if (trace)
      std::fprintf(stderr, "step %d op %d nsp %s now %llu\n", steps, op, nsp,
                   static_cast<unsigned long long>(now));
    switch (op) {
      case 0:
      case 1: {  // server packets: one WebSocket message each (op 0) or one polling body (op 1)
        batch.clear();
        const std::size_t n = in.integral<std::size_t>(1, 3);
        for (std::size_t i = 0; i < n; ++i) add_server_packet(in, enc, m, version, batch);
        fed = false;  // unless a frame or body that encodes reaches the client
        if (op == 0) {
          for (const server_packet& p : batch) {
            frame.clear();
            const eio::packet_view v{p.type, p.kind, p.data};
            if (!eio::encode(v, frame, eo)) continue;
            const siocodec_fuzz::exact_bytes b(frame);
            c.handle_ws_message(eio::encoded_frame_kind(v, eo), b.view(), now);
            fed = true;
          }
        } else {
          views.clear();
          for (const server_packet& p : batch) views.push_back({p.type, p.kind, p.data});
          eio::encode_options po = eo;
          po.supports_binary = o.engine.supports_binary;
          frame.clear();
          if (!eio::encode_payload(views.data(), views.size(), frame, po)) break;
          const siocodec_fuzz::exact_bytes b(frame);
          c.handle_get_response(eio::payload_frame_kind(views.data(), views.size(), po), b.view(),
                                now);
          fed = true;
        }
        break;
      }
      case 2: {
        const bool bin = in.boolean();
        const siocodec_fuzz::exact_bytes b(in.bytes(in.integral<std::size_t>(0, 64)));
        c.handle_ws_message(bin ? eio::frame_kind::binary : eio::frame_kind::text, b.view(), now);
        break;
      }
      case 3: {
        const bool bin = in.boolean();
        const siocodec_fuzz::exact_bytes b(in.bytes(in.integral<std::size_t>(0, 64)));
        c.handle_get_response(bin ? eio::frame_kind::binary : eio::frame_kind::text, b.view(), now);
        break;
      }
      case 4: c.handle_ws_open(now); break;
      case 5: c.handle_post_response(now); break;
      case 6:
        c.handle_http_error(in.boolean() ? eio::client_action::get : eio::client_action::post, now);
        break;
      case 7: c.handle_ws_closed(now, in.boolean()); break;
      case 8:
        if (in.boolean()) {
          now += in.integral<eio::millis>(0, 400);
        } else {
          const eio::millis d = c.next_deadline();
          // To the next timer (one a huge ack timeout set is far beyond: the clock never wraps).
          if (d > now && d - now <= 1000000) now = d;
        }
        c.handle_timeout(now);
        break;
      case 9:
        switch (in.integral<std::uint8_t>(0, 2)) {
          case 0: (void)c.join(nsp, now); break;
          case 1: (void)c.join(nsp, sio::object("token", in.integral<int>(0, 9)), now); break;
          default: (void)c.join_query(nsp, "t=1", now); break;
        }
        break;
      case 10: (void)c.leave(nsp, now); break;
      case 11:
      case 12: {
        sio::emit_options e;
        e.want_ack = in.boolean();
        e.ack_timeout = in.integral<std::uint8_t>(0, 15) == 0
                            ? eio::no_deadline - in.integral<eio::millis>(0, 1000)
                            : in.integral<eio::millis>(0, 300);
        e.volatile_packet = in.integral<std::uint8_t>(0, 7) == 0;
        const unsigned char blob[] = {7, 0, 0xFE};
        siocodec::result<std::uint64_t> id =
            op == 11
                ? c.emit(sio::event("s", steps).nsp(nsp), now, e)
                : c.emit(sio::event("b", siocodec::byte_view(blob, sizeof blob)).nsp(nsp), now, e);
        const eio::millis deadline = e.ack_timeout == 0 || e.ack_timeout > eio::no_deadline - now
                                         ? eio::no_deadline
                                         : now + e.ack_timeout;
        if (id && e.want_ack) FUZZ_CHECK(m.acks.insert({{nsp, id.value()}, deadline}).second);
        if (id && !e.want_ack) FUZZ_CHECK(id.value() == sio::no_ack);
        break;
      }
      case 13: (void)c.send(sio::ack(m.server_ack[nsp_index(nsp)], "r").nsp(nsp), now); break;
      case 14: c.close(now); break;
      case 15: (void)c.open(now, 1); break;  // twice: invalid_state
      default:
        // Time passes unseen: the next call brings it (the invariant is about `now`s given).
        now += in.integral<eio::millis>(0, 20);
        fed = false;
        break;
    }
    if (fed) m.last_now = now;
    drain(c, m, o);
  }
  return 0;
}
