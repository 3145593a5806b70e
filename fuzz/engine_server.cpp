// SPDX-License-Identifier: BSL-1.0
// engineio::server_session driven by a script of operations: long-poll GETs (and their aborts),
// POST bodies, WebSocket opens / messages / closes, time steps (backwards too), send(), close(),
// with small options so that every timer and limit is reached. After each step the target drains
// poll_transmit() and poll_event() and checks the invariants:
// - nothing crashes, asserts or reads outside what it hands out (the bytes are all touched);
// - next_deadline() is never before the last `now` (and no_deadline once closed);
// - queued_messages() / queued_bytes() stay within the limits;
// - GETs: every answer_get answers a GET handed in and not answered yet; at most one is held;
//   every POST handed to an open session gets exactly one answer_post;
// - WebSocket transmits only while a WebSocket is attached, and none after ws_close;
// - open comes first; after the close event nothing at all: no event, no transmit, in any later
//   step; is_open() is false exactly from then on;
// - parse_query / route_request on the bytes of a query: views inside the query or static
//   strings, copies own their decoded sid, verdicts consistent with the query, exact answers.
//
// Input: the options and the operations are integers taken from the end, the bytes of bodies,
// messages and sends from the front (common.hpp provider).
#include "common.hpp"
#include "engine_common.hpp"

#include <siocodec/engineio/request.hpp>
#include <siocodec/engineio/server.hpp>

namespace eio = siocodec::engineio;
using siocodec::errc;

namespace {

struct model {
  std::size_t gets = 0;  // handed in, not answered
  bool ws_live = false;  // a WebSocket the session may use
  bool closed = false;   // the close event was seen
  bool opened = false;   // the open event was seen
  eio::millis last_now = 0;
};

using siocodec_fuzz::touch;

// Drains the session and checks the invariants. `posts`: answer_post transmits expected now.
void drain(eio::server_session& s, model& m, std::size_t posts, bool step_after_close) {
  const eio::server_options& o = s.options();
  FUZZ_CHECK(s.queued_messages() <= o.max_queued_messages);
  FUZZ_CHECK(s.queued_bytes() <= o.max_queued_bytes);
  const eio::millis d = s.next_deadline();
  FUZZ_CHECK(d >= m.last_now);
  std::size_t answered_posts = 0, sum = 0, transmits = 0;
  while (auto t = s.poll_transmit()) {
    ++transmits;
    sum += touch(t->content_type) + touch(t->body.prefix) + touch(t->body.data);
    switch (t->action) {
      case eio::server_action::answer_get:
        FUZZ_CHECK(m.gets > 0);
        --m.gets;
        if (t->status == 200) {
          FUZZ_CHECK(!t->body.data.empty());
          FUZZ_CHECK(t->content_type == "text/plain; charset=UTF-8" ||
                     (t->content_type == "application/octet-stream" &&
                      s.version() == eio::protocol_version::v3));
        } else {
          FUZZ_CHECK(t->status == 400);
        }
        break;
      case eio::server_action::answer_post:
        ++answered_posts;
        FUZZ_CHECK(t->status == 200 || t->status == 400 || t->status == 413);
        break;
      case eio::server_action::ws_send: FUZZ_CHECK(m.ws_live); break;
      case eio::server_action::ws_close:
        FUZZ_CHECK(m.ws_live);
        m.ws_live = false;
        break;
    }
  }
  FUZZ_CHECK(answered_posts == posts);
  std::size_t events = 0;
  while (auto e = s.poll_event()) {
    ++events;
    FUZZ_CHECK(!m.closed);
    sum += touch(e->packet.data) + touch(e->hs.sid);
    if (!m.opened) {
      // The first event: open, or the close of a session whose handshake cannot be written.
      FUZZ_CHECK(e->kind == eio::event_kind::open || e->kind == eio::event_kind::close);
      m.opened = true;
    } else {
      FUZZ_CHECK(e->kind != eio::event_kind::open);
    }
    if (e->kind == eio::event_kind::message) {
      FUZZ_CHECK(e->packet.type == eio::packet_type::message);
      FUZZ_CHECK(e->packet.data.size() <= o.max_payload);
    }
    if (e->kind == eio::event_kind::upgrade) {
      FUZZ_CHECK(e->transport == eio::transport_kind::websocket);
    }
    if (e->kind == eio::event_kind::close) m.closed = true;
  }
  if (step_after_close) FUZZ_CHECK(transmits == 0 && events == 0);
  FUZZ_CHECK(s.is_open() == !m.closed);
  if (m.closed) {
    FUZZ_CHECK(s.next_deadline() == eio::no_deadline);
    FUZZ_CHECK(!s.holds_get());
  }
  // At most one held GET, and it is the one the session says it holds.
  FUZZ_CHECK(m.gets == (s.holds_get() ? 1u : 0u));
  siocodec_fuzz::use(sum);
}

// parse_query and route_request on the bytes of a query: views where they belong, a copy of
// the query owns its decoded sid, verdicts and answers consistent.
void route(std::string_view text, const eio::server_session& s, siocodec_fuzz::provider& in) {
  const eio::request_query q = eio::parse_query(text);
  for (std::string_view v : {q.eio, q.transport}) {
    FUZZ_CHECK(v.empty() || v == "4" || v == "3" || v == "polling" || v == "websocket" ||
               v == "webtransport" || siocodec_fuzz::within(v, text));
  }
  const bool sid_in_query = siocodec_fuzz::within(q.sid, text);
  FUZZ_CHECK(sid_in_query || q.sid.size() <= SIOCODEC_MAX_QUERY_SID);
  if (q.sid_too_long) FUZZ_CHECK(sid_in_query);
  const eio::request_query copy = q;
  FUZZ_CHECK(copy.sid == q.sid && copy.eio == q.eio && copy.transport == q.transport);
  if (!sid_in_query && !q.sid.empty()) FUZZ_CHECK(copy.sid.data() != q.sid.data());
  static constexpr std::string_view methods[] = {"GET", "POST", "PUT", ""};
  eio::route_options o;
  o.allow_eio3 = in.boolean();
  o.websocket_upgrade = in.boolean();
  o.allowed = in.boolean();
  o.allow_polling = in.boolean();
  o.allow_websocket = in.boolean();
  const bool known = in.boolean();
  if (known && in.boolean()) o.session = &s;
  const std::string_view method = methods[in.integral<std::size_t>(0, 3)];
  const eio::route_result r = eio::route_request(method, copy, known, o);
  FUZZ_CHECK(static_cast<bool>(r) == r.ok);
  if (r.ok) {
    FUZZ_CHECK(r.handshake == q.sid.empty());
    FUZZ_CHECK(r.version == (q.eio == "4" ? eio::protocol_version::v4 : eio::protocol_version::v3));
    if (r.handshake) FUZZ_CHECK(method == "GET" && o.allowed);
    return;
  }
  const auto code = static_cast<unsigned>(r.error);
  FUZZ_CHECK(code <= 5);
  const std::string_view body = eio::error_body(r.error);
  FUZZ_CHECK(body.size() > 9 && body.substr(0, 8) == "{\"code\":" &&
             body[8] == static_cast<char>('0' + code));
  FUZZ_CHECK(body.find(eio::to_string(r.error)) != std::string_view::npos);
  FUZZ_CHECK(eio::error_status(r.error) ==
             (r.error == eio::request_error::forbidden ? 403u : 400u));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  siocodec_fuzz::provider in(data, size);
  eio::server_options o;
  o.ping_interval = in.integral<std::uint32_t>(1, 100);
  o.ping_timeout = in.integral<std::uint32_t>(1, 100);
  o.upgrade_timeout = in.integral<std::uint32_t>(1, 100);
  o.close_timeout = in.integral<std::uint32_t>(1, 100);
  o.max_payload = in.integral<std::size_t>(1, 64);
  o.max_queued_messages = in.integral<std::size_t>(1, 8);
  o.max_queued_bytes = in.integral<std::size_t>(1, 512);
  o.allow_upgrades = in.boolean();
  o.base64 = in.boolean() ? siocodec::base64::mode::lax : siocodec::base64::mode::strict;
  const auto version = in.boolean() ? eio::protocol_version::v4 : eio::protocol_version::v3;
  const auto initial = in.boolean() ? eio::transport_kind::polling : eio::transport_kind::websocket;
  const bool binary = in.boolean();
  model m;
  m.last_now = in.integral<eio::millis>(0, 1000);
  eio::millis now = m.last_now;
  const bool bad_sid = in.integral<std::uint8_t>(0, 31) == 0;
  eio::server_session s(o, bad_sid ? std::string_view("\"") : std::string_view("sid_0123"), version,
                        initial, binary, now);
  m.ws_live = initial == eio::transport_kind::websocket && !bad_sid;
  drain(s, m, 0, false);

  for (int steps = 0; steps < 256 && in.remaining() != 0; ++steps) {
    const bool was_open = s.is_open();
    const bool closed_before = m.closed;
    std::size_t posts = 0;
    bool fed = true;
    const auto op = in.integral<std::uint8_t>(0, 13);
    // Time: mostly forward, sometimes back (read as the last time seen).
    const auto step = in.integral<std::uint16_t>(0, 300);
    if (in.integral<std::uint8_t>(0, 15) == 0) {
      now = now > step ? now - step : 0;
    } else {
      now += step;
    }
    switch (op) {
      case 0:
        if (was_open) ++m.gets;
        s.handle_get(now);
        break;
      case 1:
        if (was_open && s.holds_get()) --m.gets;
        s.handle_get_aborted(now);
        break;
      case 2:
      case 3: {
        const siocodec_fuzz::exact_bytes body(in.bytes(in.integral<std::size_t>(0, 80)));
        if (was_open) posts = 1;
        s.handle_post(op == 2 ? eio::frame_kind::text : eio::frame_kind::binary, body.view(), now);
        break;
      }
      case 4:
        if (was_open && !m.ws_live) m.ws_live = true;
        s.handle_ws_open(now);
        break;
      case 5:
      case 6: {
        const siocodec_fuzz::exact_bytes msg(in.bytes(in.integral<std::size_t>(0, 80)));
        s.handle_ws_message(op == 5 ? eio::frame_kind::text : eio::frame_kind::binary, msg.view(),
                            now);
        break;
      }
      case 7: {
        const bool error = in.boolean();
        if (was_open) m.ws_live = false;
        s.handle_ws_closed(now, error);
        break;
      }
      case 8: s.handle_timeout(now); break;
      case 9: {
        // The deadline itself, as a caller's timer would fire.
        const eio::millis d = s.next_deadline();
        if (d != eio::no_deadline && d >= now && d - now < 100000) now = d;
        s.handle_timeout(now);
        break;
      }
      case 10:
      case 11: {
        const siocodec_fuzz::exact_bytes msg(in.bytes(in.integral<std::size_t>(0, 40)));
        eio::packet_view p;
        p.type = eio::packet_type::message;
        p.kind = static_cast<eio::data_kind>(in.integral<std::uint8_t>(0, 2));
        if (op == 11) p.type = static_cast<eio::packet_type>(in.integral<std::uint8_t>(0, 7));
        p.data = msg.view();
        const errc r = s.send(p, now);
        FUZZ_CHECK(r == errc::none || r == errc::invalid_argument || r == errc::invalid_state ||
                   r == errc::queue_full);
        if (!was_open) FUZZ_CHECK(r == errc::invalid_state);
        if (r == errc::queue_full) FUZZ_CHECK(!s.is_open());
        break;
      }
      case 12: s.close(now); break;
      case 13: {
        // Time passes without the session hearing of it (its deadline may now be in the past
        // of the caller's clock, never of the session's), while a request is routed.
        fed = false;
        const siocodec_fuzz::exact_bytes query(in.bytes(in.integral<std::size_t>(0, 200)));
        route(query.view(), s, in);
        break;
      }
    }
    if (fed && now > m.last_now) m.last_now = now;
    drain(s, m, posts, closed_before);
  }
  return 0;
}
