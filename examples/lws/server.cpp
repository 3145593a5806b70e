// SPDX-License-Identifier: BSL-1.0
// siocodec_lws_server: a Socket.IO server on libwebsockets (its own event loop, one protocol
// callback, lws_sul timers), one socketio::server_connection per Engine.IO session, serving the
// test application of examples/server (README.md here) over WebSocket, HTTP long-polling (lws's
// HTTP server) and the upgrade, Engine.IO v4 and v3.
//
//   siocodec_lws_server [--port 0] [--host 127.0.0.1] [--ping-interval 25000]
//                       [--ping-timeout 20000] [--max-payload 1000000]
//                       [--parser default|msgpack] [--exit-with-stdin 1]
//                       [--max-send-queue-bytes 16*max-payload] [--max-send-queue-packets 100000]
//                       [--max-pending-acks 1000] [--max-flood 10000]
//
// Prints `listening on PORT`, then the JSON lines of examples/server (open, each packet, refused
// CONNECTs, namespaces left, close), so that tests/interop/run_server_scenarios.js drives it.
//
// The engine owns the protocol (handshake, heartbeat, maxPayload, namespaces, acks); this file
// turns lws's callbacks into its handle_* calls, its transmits into lws_write() (when lws says
// the socket is writable), keeps one lws_sul per session at next_deadline(), and runs the
// application (the events below, as examples/server/main.cpp describes them).

#include "../server/log.hpp"

#include <siocodec/engineio/request.hpp>
#include <siocodec/json/write.hpp>
#include <siocodec/socketio/copy.hpp>
#include <siocodec/socketio/msgpack_parser/args_writer.hpp>
#include <siocodec/socketio/server.hpp>

#include <libwebsockets.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace {

namespace eio = siocodec::engineio;
namespace sio = siocodec::socketio;
using server_log::binary_sizes;
using server_log::log_line;
using server_log::quoted;

eio::millis now_ms() {
  const auto d = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now().time_since_epoch());
  return static_cast<eio::millis>(d.count());
}

volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_signal(int) { g_stop = 1; }

// --- the command line ---------------------------------------------------------------------------

struct options {
  std::string host = "127.0.0.1";
  int port = 0;
  bool exit_with_stdin = false;
  eio::server_options eio;
  sio::parser_kind parser = sio::parser_kind::json;
  std::size_t max_pending_acks = 1000;
  std::uint64_t max_flood = 10000;  // the interop tests flood 10,000 events
};

bool parse_cli(int argc, char** argv, options& o) {
  bool queue_bytes_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view name = argv[i];
    if (i + 1 >= argc) return false;
    const char* value = argv[++i];
    char* end = nullptr;
    const unsigned long long n = std::strtoull(value, &end, 10);
    const bool numeric = end != value && *end == '\0';
    const bool ms = numeric && n >= 1 && n <= 2147483647;  // lws_sul takes them as int ms
    if (name == "--host") {
      o.host = value;
    } else if (name == "--port" && numeric && n <= 65535) {
      o.port = static_cast<int>(n);
    } else if (name == "--ping-interval" && ms) {
      o.eio.ping_interval = static_cast<std::uint32_t>(n);
    } else if (name == "--ping-timeout" && ms) {
      o.eio.ping_timeout = static_cast<std::uint32_t>(n);
    } else if (name == "--max-payload" && numeric && n >= 1) {
      o.eio.max_payload = static_cast<std::size_t>(n);
    } else if (name == "--max-send-queue-bytes" && numeric && n >= 1) {
      o.eio.max_queued_bytes = static_cast<std::size_t>(n);
      queue_bytes_given = true;
    } else if (name == "--max-send-queue-packets" && numeric && n >= 1) {
      o.eio.max_queued_messages = static_cast<std::size_t>(n);
    } else if (name == "--exit-with-stdin" && numeric) {
      o.exit_with_stdin = n != 0;
    } else if (name == "--max-pending-acks" && numeric && n >= 1) {
      o.max_pending_acks = static_cast<std::size_t>(n);
    } else if (name == "--max-flood" && numeric) {
      o.max_flood = n;
    } else if (!(name == "--parser" && sio::parse_parser_kind(value, o.parser))) {
      return false;
    }
  }
  if (!queue_bytes_given) {
    o.eio.max_queued_bytes = o.eio.max_payload > SIZE_MAX / 16 ? SIZE_MAX : 16 * o.eio.max_payload;
  }
  return true;
}

using sio::copy_args;  // an echo's arguments: what came, binary at any depth

// --- sessions -----------------------------------------------------------------------------------

class server;

// What the application keeps per namespace socket.
struct nsp_state {
  std::uint64_t received = 0;  // count
  bool ordered = true;
  // server_ack: our ack id -> the client's ack id to answer with (none: emit server_ack_result).
  std::map<std::uint64_t, std::optional<std::uint64_t>> asked;
};

struct session;

// An lws_sul timer: the sul comes first, so the callback's pointer is the timer's.
struct timer {
  lws_sorted_usec_list_t sul{};
  session* s = nullptr;
  server* owner = nullptr;
};
static_assert(std::is_standard_layout_v<timer>, "on_sul() casts the sul back to its timer");

// One Engine.IO session: its WebSocket (the probe, the upgraded one or the WebSocket-only one)
// and the polling requests it holds.
struct session {
  timer t;
  std::unique_ptr<sio::server_connection> conn;
  std::string sid;
  lws* wsi = nullptr;
  std::deque<std::string> out;  // frames, each after LWS_PRE bytes of room for the header
  std::deque<bool> out_binary;
  std::size_t out_bytes = 0;
  std::string rx;  // the message being reassembled from its fragments
  bool rx_binary = false;
  bool rx_too_large = false;  // closed with 1009: a transport error
  bool close_ws = false;      // the engine closed the WebSocket: after the queued frames
  bool closed = false;        // the engine's close event came
  bool pumping = false;
  bool started = false;   // its first transport came (the handshake GET, or the WebSocket)
  bool b64 = false;       // v3: the client asked for base64 polling bodies
  std::deque<lws*> gets;  // GETs handed to the engine and not answered, oldest first
  lws* post = nullptr;    // the POST being handled
  eio::millis armed = eio::no_deadline;
  std::string reason;  // ours, over the engine's ("send queue full")
  std::map<std::string, nsp_state, std::less<>> nsps;
};

class server {
 public:
  explicit server(const options& o) : opts_(o), rng_(std::random_device{}()) {
    sopts_.engine = o.eio;
    sopts_.parser = o.parser;
    sopts_.max_pending_acks = o.max_pending_acks;
    // One attachment may be as large as one Engine.IO message.
    sopts_.codec.decode.max_attachment_bytes = o.eio.max_payload;
    sopts_.codec.decode.max_packet_bytes =
        o.eio.max_payload * (sopts_.codec.decode.max_attachments + 1);
  }

  int run() {
    lws_set_log_level(LLL_ERR, nullptr);
    static const lws_protocols protocols[] = {
        {"siocodec", &server::callback, 0, 4096, 0, nullptr, 0},
        {nullptr, nullptr, 0, 0, 0, nullptr, 0}};
    lws_context_creation_info info{};
    info.port = opts_.port;
    info.iface = opts_.host.c_str();
    info.protocols = protocols;
    info.user = this;
    info.options = LWS_SERVER_OPTION_VALIDATE_UTF8;
    ctx_ = lws_create_context(&info);
    if (ctx_ == nullptr) {
      std::fprintf(stderr, "siocodec_lws_server: cannot listen on %s:%d\n", opts_.host.c_str(),
                   opts_.port);
      return 1;
    }
    const int port = lws_get_vhost_listen_port(lws_get_vhost_by_name(ctx_, "default"));
    log_line("listening on " + std::to_string(port));
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    watch();
    while (!g_stop) {
      if (lws_service(ctx_, 0) < 0) break;
    }
    lws_context_destroy(ctx_);
    return 0;
  }

 private:
  // Signals and the end of stdin, looked at every 100 ms (lws_service() sleeps until the next
  // event or sul).
  void watch() {
    if (opts_.exit_with_stdin) {
      pollfd p{0, POLLIN, 0};
      if (::poll(&p, 1, 0) > 0) {
        char buf[256];
        if (::read(0, buf, sizeof buf) <= 0) g_stop = 1;  // EOF: the driver is gone
      }
    }
    // lws 4.1 does not read a connection whose HTTP answer is pending, so it never sees a
    // client give up a held long-poll: looked at here (a peer's FIN reads as 0 bytes).
    std::vector<lws*> gone;
    for (const auto& [sid, sess] : sessions_) {
      for (lws* g : sess->gets) {
        char byte;
        if (::recv(lws_get_socket_fd(g), &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0) gone.push_back(g);
      }
    }
    for (lws* g : gone) {
      http_closed(g);
      lws_set_timeout(g, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    }
    watch_.owner = this;
    lws_sul_schedule(ctx_, 0, &watch_.sul, &server::on_watch, 100 * LWS_US_PER_MS);
  }
  static void on_watch(lws_sorted_usec_list_t* sul) {
    reinterpret_cast<timer*>(sul)->owner->watch();  // standard layout, sul first
  }

  static int callback(lws* wsi, lws_callback_reasons reason, void*, void* in, std::size_t len) {
    auto* self = static_cast<server*>(lws_context_user(lws_get_context(wsi)));
    return self ? self->on_lws(wsi, reason, in, len) : 0;
  }

  int on_lws(lws* wsi, lws_callback_reasons reason, void* in, std::size_t len) {
    auto* s = static_cast<session*>(lws_get_opaque_user_data(wsi));
    switch (reason) {
      case LWS_CALLBACK_HTTP: return on_http(wsi);
      case LWS_CALLBACK_HTTP_BODY: {
        auto it = http_.find(wsi);
        if (it == http_.end()) return -1;
        // Kept up to one byte over maxPayload: enough for the engine to answer 413.
        std::string& body = it->second.body;
        const std::size_t room = opts_.eio.max_payload + 1 - body.size();
        body.append(static_cast<const char*>(in), std::min(len, room));
        return 0;
      }
      case LWS_CALLBACK_HTTP_BODY_COMPLETION: return on_post(wsi);
      case LWS_CALLBACK_HTTP_WRITEABLE: return write_reply(wsi);
      case LWS_CALLBACK_CLOSED_HTTP: http_closed(wsi); return 0;
      case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION: return admit(wsi) ? 0 : -1;
      case LWS_CALLBACK_ESTABLISHED:
        if (s == nullptr) return -1;
        s->wsi = wsi;
        s->close_ws = false;
        if (s->started) s->conn->handle_ws_open(now_ms());  // the upgrade probe
        s->started = true;
        pump(*s);
        return 0;
      case LWS_CALLBACK_RECEIVE: {
        if (s == nullptr || s->wsi != wsi) return -1;
        if (lws_is_first_fragment(wsi)) {
          s->rx.clear();
          s->rx_binary = lws_frame_is_binary(wsi) != 0;
        }
        // A message over maxPayload is refused by the transport, as Beast's read_message_max
        // does (and the reference's ws maxPayload): close 1009, never buffered.
        if (len > opts_.eio.max_payload - s->rx.size()) {
          s->rx_too_large = true;
          lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, nullptr, 0);
          return -1;
        }
        s->rx.append(static_cast<const char*>(in), len);
        if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi) != 0) return 0;
        if (s->closed) return 0;
        s->conn->handle_ws_message(s->rx_binary ? eio::frame_kind::binary : eio::frame_kind::text,
                                   s->rx, now_ms());
        s->rx.clear();
        pump(*s);
        return 0;
      }
      case LWS_CALLBACK_SERVER_WRITEABLE: {
        if (s == nullptr || s->wsi != wsi) return -1;
        if (!s->out.empty()) {
          std::string& f = s->out.front();
          const std::size_t n = f.size() - LWS_PRE;
          auto* p = reinterpret_cast<unsigned char*>(&f[LWS_PRE]);
          if (lws_write(wsi, p, n, s->out_binary.front() ? LWS_WRITE_BINARY : LWS_WRITE_TEXT) <
              static_cast<int>(n)) {
            return -1;
          }
          s->out_bytes -= n;
          s->out.pop_front();
          s->out_binary.pop_front();
        }
        if (!s->out.empty()) {
          lws_callback_on_writable(wsi);
        } else if (s->close_ws) {
          lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, nullptr, 0);
          return -1;
        }
        return 0;
      }
      case LWS_CALLBACK_CLOSED:
      case LWS_CALLBACK_WSI_DESTROY:
        if (s != nullptr) ws_gone(*s, wsi);
        return 0;
      default: return 0;
    }
  }

  // The WebSocket `wsi` of `s` (or one that never got to ESTABLISHED) is gone.
  void ws_gone(session& s, lws* wsi) {
    lws_set_opaque_user_data(wsi, nullptr);
    if (!s.started) {  // a new WebSocket-only session whose handshake failed
      forget(s);
      return;
    }
    if (s.wsi != wsi) return;
    s.wsi = nullptr;
    s.out.clear();
    s.out_binary.clear();
    s.out_bytes = 0;
    if (s.closed) {
      forget(s);
      return;
    }
    s.conn->handle_ws_closed(now_ms(), s.rx_too_large);
    pump(s);
  }

  void forget(session& s) {
    lws_sul_cancel(&s.t.sul);
    sessions_.erase(s.sid);
  }

  session* find(std::string_view sid) {
    auto it = sessions_.find(sid);
    return it == sessions_.end() ? nullptr : it->second.get();
  }

  // lws splits the query at '&' into fragments (and %-decodes them): joined back here.
  static std::string query_of(lws* wsi) {
    std::string query;
    char arg[1024];
    for (int i = 0; i < 64; ++i) {
      const int got = lws_hdr_copy_fragment(wsi, arg, sizeof arg, WSI_TOKEN_HTTP_URI_ARGS, i);
      if (got < 0) break;
      if (i != 0) query += '&';
      query.append(arg, static_cast<std::size_t>(got));
    }
    return query;
  }

  static eio::route_result route(std::string_view method, const eio::request_query& q,
                                 const session* s, bool websocket) {
    eio::route_options ro;
    ro.allow_eio3 = true;  // socket.io-client 2.x
    ro.websocket_upgrade = websocket;
    ro.session = s != nullptr ? &s->conn->engine() : nullptr;
    return eio::route_request(method, q, s != nullptr, ro);
  }

  session& create(const eio::route_result& r) {
    std::string sid;
    do {
      unsigned char random[15];
      for (unsigned char& b : random) b = static_cast<unsigned char>(rng_());
      sid = std::string(eio::make_sid(siocodec::byte_view(random, sizeof random)).view());
    } while (sessions_.count(sid) != 0);
    auto s = std::make_unique<session>();
    s->t.s = s.get();
    s->t.owner = this;
    s->sid = sid;
    s->b64 = !r.supports_binary;
    s->conn = std::make_unique<sio::server_connection>(sopts_, sid, r.version, r.transport,
                                                       r.supports_binary, now_ms());
    session& ref = *s;
    sessions_.emplace(sid, std::move(s));
    return ref;
  }

  // A WebSocket upgrade: a new WebSocket-only session (no sid), or the upgrade probe of a
  // polling session (the reference's checks: route_request, one WebSocket per session).
  bool admit(lws* wsi) {
    const std::string query = query_of(wsi);
    const eio::request_query q = eio::parse_query(query);
    session* s = find(q.sid);
    const eio::route_result r = route("GET", q, s, true);
    if (!r) return false;
    if (s == nullptr) {
      if (!r.handshake) return false;
      s = &create(r);
    } else if (!s->conn->engine().accepts_websocket() || s->wsi != nullptr) {
      return false;
    }
    lws_set_opaque_user_data(wsi, s);
    return true;
  }

  // --- HTTP long-polling ------------------------------------------------------------------------

  int on_http(lws* wsi) {
    const bool post = lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0;
    const bool get = lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) > 0;
    http_req& h = http_[wsi];
    h = http_req{};
    h.post = post;
    h.query = query_of(wsi);
    char type[128];
    if (lws_hdr_copy(wsi, type, sizeof type, WSI_TOKEN_HTTP_CONTENT_TYPE) > 0)
      h.content_type = type;
    if (post) return 0;  // answered at HTTP_BODY_COMPLETION
    const eio::request_query q = eio::parse_query(h.query);
    session* s = find(q.sid);
    const eio::route_result r = route(get ? "GET" : "OTHER", q, s, false);
    if (!r) {
      answer(wsi, eio::error_status(r.error), "application/json", eio::error_body(r.error));
      return 0;
    }
    // A held long-poll waits for the engine (up to pingInterval), not for lws's timeouts.
    lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0);
    if (r.handshake) s = &create(r);
    h.sid = s->sid;
    s->gets.push_back(wsi);
    s->started = true;
    s->conn->handle_get(now_ms());
    pump(*s);
    return 0;
  }

  int on_post(lws* wsi) {
    auto it = http_.find(wsi);
    if (it == http_.end()) return -1;
    http_req& h = it->second;
    const eio::request_query q = eio::parse_query(h.query);
    session* s = find(q.sid);
    const eio::route_result r = route("POST", q, s, false);
    if (!r || s == nullptr) {
      const eio::request_error e = r ? eio::request_error::bad_request : r.error;
      answer(wsi, eio::error_status(e), "application/json", eio::error_body(e));
      return 0;
    }
    h.sid = s->sid;
    s->post = wsi;
    const bool binary = h.content_type == "application/octet-stream";
    s->conn->handle_post(binary ? eio::frame_kind::binary : eio::frame_kind::text, h.body,
                         now_ms());
    const std::string sid = s->sid;
    pump(*s);
    if (session* still = find(sid)) still->post = nullptr;
    auto again = http_.find(wsi);
    if (again != http_.end() && !again->second.ready) {
      answer(wsi, 400, "application/json", eio::error_body(eio::request_error::bad_request));
    }
    return 0;
  }

  void answer(lws* wsi, unsigned status, std::string_view type, std::string_view body) {
    auto it = http_.find(wsi);
    if (it == http_.end() || it->second.ready) return;
    it->second.ready = true;
    it->second.status = status;
    it->second.type = std::string(type);
    it->second.reply.assign(LWS_PRE, '\0');
    it->second.reply += body;
    lws_callback_on_writable(wsi);
  }

  int write_reply(lws* wsi) {
    auto it = http_.find(wsi);
    if (it == http_.end() || !it->second.ready) return 0;
    http_req& h = it->second;
    unsigned char head[LWS_PRE + 512];
    unsigned char* start = head + LWS_PRE;
    unsigned char* p = start;
    unsigned char* end = head + sizeof head - 1;
    const std::size_t n = h.reply.size() - LWS_PRE;
    if (lws_add_http_common_headers(wsi, h.status, h.type.c_str(), n, &p, end) != 0 ||
        lws_finalize_write_http_header(wsi, start, &p, end) != 0) {
      return -1;
    }
    auto* body = reinterpret_cast<unsigned char*>(&h.reply[LWS_PRE]);
    if (lws_write(wsi, body, n, LWS_WRITE_HTTP_FINAL) < static_cast<int>(n)) return -1;
    http_.erase(it);
    return lws_http_transaction_completed(wsi) != 0 ? -1 : 0;
  }

  // The connection of an HTTP request went away: a held GET not yet answered ends its session
  // if the engine holds it (the reference's "poll connection closed prematurely").
  void http_closed(lws* wsi) {
    auto it = http_.find(wsi);
    if (it == http_.end()) return;
    const bool held = !it->second.post && !it->second.ready;
    session* s = find(it->second.sid);
    http_.erase(it);
    if (s == nullptr) return;
    if (s->post == wsi) s->post = nullptr;
    auto g = std::find(s->gets.begin(), s->gets.end(), wsi);
    if (g == s->gets.end()) return;
    s->gets.erase(g);
    if (held && !s->closed) {
      s->conn->handle_get_aborted(now_ms());
      pump(*s);
    }
  }

  // --- the engine's transmits and events ------------------------------------------------------

  void pump(session& s) {
    if (s.pumping || s.closed) return;
    s.pumping = true;
    for (;;) {
      while (auto t = s.conn->poll_transmit()) transmit(s, *t);
      auto e = s.conn->poll_event();
      if (!e) break;
      if (e->kind != sio::server_event_kind::engine) {
        on_event(s, *e);
      } else if (e->engine_event.kind == eio::event_kind::open) {
        log_line("{\"type\":\"open\"," + fields(s) + ",\"b64\":" + (s.b64 ? "true" : "false") +
                 "}");
      } else if (e->engine_event.kind == eio::event_kind::upgrade) {
        log_line("{\"type\":\"upgrade\"," + fields(s) + "}");
      } else if (e->engine_event.kind == eio::event_kind::close) {
        s.closed = true;
        lws_sul_cancel(&s.t.sul);
        log_line("{\"type\":\"close\"," + fields(s) + ",\"reason\":" +
                 quoted(s.reason.empty() ? eio::to_string(e->engine_event.reason) : s.reason) +
                 "}");
        end_ws(s);
        // Unanswered GETs: their connections close.
        for (lws* g : s.gets) {
          http_.erase(g);
          lws_set_timeout(g, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
        }
        s.gets.clear();
      }
    }
    s.pumping = false;
    if (!s.closed) {
      arm(s);
    } else if (s.wsi == nullptr) {
      forget(s);  // nothing of it left in lws: `s` is gone
    }
  }

  void end_ws(session& s) {
    s.close_ws = true;
    if (s.wsi != nullptr) lws_callback_on_writable(s.wsi);
  }

  void transmit(session& s, const eio::server_transmit& t) {
    switch (t.action) {
      case eio::server_action::answer_get:
        if (s.gets.empty()) return;
        answer(s.gets.front(), t.status, t.content_type, t.body.data);
        s.gets.pop_front();
        return;
      case eio::server_action::answer_post:
        if (s.post != nullptr) answer(s.post, t.status, t.content_type, t.body.data);
        return;
      case eio::server_action::ws_close: return end_ws(s);
      case eio::server_action::ws_send: break;
    }
    if (s.wsi == nullptr || s.close_ws) return;
    std::string f(LWS_PRE, '\0');
    f += t.body.prefix;
    f += t.body.data;
    s.out_bytes += f.size() - LWS_PRE;
    s.out.push_back(std::move(f));
    s.out_binary.push_back(t.body.kind == eio::frame_kind::binary);
    lws_callback_on_writable(s.wsi);
    // lws writes only what the client reads: a client that does not read is dropped with what
    // it left unread, not buffered without bound.
    if (s.out.size() > opts_.eio.max_queued_messages || s.out_bytes > opts_.eio.max_queued_bytes) {
      if (s.reason.empty()) s.reason = "send queue full";
      s.out.clear();
      s.out_binary.clear();
      s.out_bytes = 0;
      lws_set_opaque_user_data(s.wsi, nullptr);
      lws_set_timeout(s.wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
      s.wsi = nullptr;
      s.conn->handle_ws_closed(now_ms(), true);
    }
  }

  void arm(session& s) {
    const eio::millis due = s.conn->next_deadline();
    if (due == s.armed) return;
    s.armed = due;
    if (due == eio::no_deadline) {
      lws_sul_cancel(&s.t.sul);
      return;
    }
    const eio::millis now = now_ms();
    const lws_usec_t us = due > now ? static_cast<lws_usec_t>(due - now) * LWS_US_PER_MS : 0;
    lws_sul_schedule(ctx_, 0, &s.t.sul, &server::on_sul, us);
  }

  static void on_sul(lws_sorted_usec_list_t* sul) {
    session* s = reinterpret_cast<timer*>(sul)->s;  // standard layout, sul first
    if (s->closed) return;
    s->armed = eio::no_deadline;
    s->conn->handle_timeout(now_ms());
    s->t.owner->pump(*s);
  }

  // --- the application --------------------------------------------------------------------------

  static std::string fields(const session& s) {
    const eio::server_session& e = s.conn->engine();
    return "\"sid\":" + quoted(s.sid) +
           ",\"eio\":" + (e.version() == eio::protocol_version::v4 ? "4" : "3") +
           ",\"transport\":\"" +
           (e.transport() == eio::transport_kind::websocket ? "websocket" : "polling") + "\"";
  }

  static void log_packet(const session& s, const sio::any_packet& p) {
    log_line("{\"type\":\"" + std::string(sio::to_string(p.type())) + "\"," + fields(s) +
             server_log::packet_fields(p) + "}");
  }

  // Whether `query` (a=1&b=2) holds the pair `pair` as it is written (no %-decoding).
  static bool query_has(std::string_view query, std::string_view pair) {
    while (!query.empty()) {
      const std::size_t amp = query.find('&');
      if (query.substr(0, amp) == pair) return true;
      query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    }
    return false;
  }

  static bool known(std::string_view nsp) {
    return nsp == "/" || nsp == "/admin" || nsp == "/ünïcødé-😀";
  }

  void on_event(session& s, const sio::server_event& e) {
    sio::server_connection& c = *s.conn;
    const eio::millis now = now_ms();
    switch (e.kind) {
      case sio::server_event_kind::connect_request: {
        if (e.packet.type() == sio::packet_type::connect) log_packet(s, e.packet);
        const std::string nsp(e.nsp);
        std::optional<std::string> refusal;
        if (!known(nsp)) {
          refusal = "Invalid namespace";  // the reference server's message
        } else if (nsp == "/admin") {
          sio::any_value token;
          // Protocol v4 (Socket.IO 2.x) carries the auth in the namespace's query string.
          const bool ok = (e.packet.has_data() && e.packet.data().is_object() &&
                           e.packet.data().find("token", token) && token.string_equals("secret")) ||
                          query_has(e.query, "token=secret");
          if (!ok) refusal = "not authorized";
        }
        if (refusal) {
          (void)c.reject(nsp, *refusal, now);
          log_line("{\"type\":\"connect_refused\"," + fields(s) + ",\"nsp\":" + quoted(nsp) +
                   ",\"message\":" + quoted(*refusal) + "}");
          return;
        }
        unsigned char random[30];
        for (unsigned char& b : random) b = static_cast<unsigned char>(rng_());
        (void)c.accept(nsp, siocodec::byte_view(random, sizeof random), now);
        return;
      }
      case sio::server_event_kind::connect: s.nsps[std::string(e.nsp)] = nsp_state{}; return;
      case sio::server_event_kind::disconnect:
        log_line("{\"type\":\"disconnect\"," + fields(s) + ",\"nsp\":" + quoted(e.nsp) +
                 ",\"reason\":" + quoted(sio::to_string(e.reason)) + "}");
        if (auto it = s.nsps.find(e.nsp); it != s.nsps.end()) s.nsps.erase(it);
        return;
      case sio::server_event_kind::event: return on_app_event(s, e);
      case sio::server_event_kind::ack: {
        log_packet(s, e.packet);
        auto st = s.nsps.find(e.nsp);
        if (st == s.nsps.end()) return;
        auto it = st->second.asked.find(e.ack_id);
        if (it == st->second.asked.end()) return;
        const std::optional<std::uint64_t> asked = it->second;
        st->second.asked.erase(it);
        const std::string nsp(e.nsp);
        if (asked) {
          (void)c.send(sio::ack(*asked, copy_args(e.packet)).nsp(nsp), now);
        } else {
          (void)c.emit(sio::event("server_ack_result", copy_args(e.packet)).nsp(nsp), now);
        }
        return;
      }
      case sio::server_event_kind::ack_timeout:
      case sio::server_event_kind::ack_disconnected:
        if (auto st = s.nsps.find(e.nsp); st != s.nsps.end()) st->second.asked.erase(e.ack_id);
        return;
      default: return;
    }
  }

  void on_app_event(session& s, const sio::server_event& e) {
    log_packet(s, e.packet);
    auto st = s.nsps.find(e.nsp);
    if (st == s.nsps.end()) return;
    sio::server_connection& c = *s.conn;
    const eio::millis now = now_ms();
    const std::string nsp(e.nsp);
    const sio::any_packet& p = e.packet;
    const std::optional<std::uint64_t> id = p.id();
    std::string name;
    (void)p.event_name().append_string(name);
    const auto reply = [&](auto&& args) {
      if (id) {
        (void)c.send(sio::ack(*id, args).nsp(nsp), now);
      } else {
        (void)c.emit(sio::event(name, args).nsp(nsp), now);
      }
    };
    if (name == "binary_echo") {
      std::vector<std::size_t> sizes;
      for (const sio::any_value& a : p.arguments()) binary_sizes(a, sizes);
      reply([&p, &sizes](auto& w) {
        copy_args(p)(w);
        w.begin_object().member("attachments", sizes.size()).key("sizes").begin_array();
        for (const std::size_t n : sizes) w.value(n);
        w.end_array().end_object();
      });
    } else if (name == "server_ack") {
      sio::emit_options o;
      o.want_ack = true;
      const auto ask = c.emit(sio::event("ask", copy_args(p)).nsp(nsp), now, o);
      if (ask) {
        st->second.asked[*ask] = id;
      } else if (ask.error() == siocodec::errc::queue_full) {
        if (s.reason.empty()) s.reason = "too many pending acks";
        c.close(now);
      }
    } else if (name == "count") {
      const auto n = p.data()[1].to_uint64();
      if (!n || *n != st->second.received) st->second.ordered = false;
      ++st->second.received;
      if (id) {
        (void)c.send(
            sio::ack(*id, sio::object("count", st->second.received, "ordered", st->second.ordered))
                .nsp(nsp),
            now);
      }
    } else if (name == "flood") {
      // The count comes from the client: capped, or one small packet queues billions of events.
      const auto n = p.data()[1].to_uint64();
      const std::uint64_t count = n ? std::min(*n, opts_.max_flood) : 0;
      for (std::uint64_t i = 0; i < count; ++i) (void)c.emit(sio::event("flood", i).nsp(nsp), now);
      if (id) (void)c.send(sio::ack(*id, count).nsp(nsp), now);
    } else if (name == "whoami") {
      if (id) {
        (void)c.send(sio::ack(*id, sio::object("nsp", nsp, "id", std::string(c.sid(nsp)))).nsp(nsp),
                     now);
      }
    } else {
      reply(copy_args(p));  // echo, and the events without a handler of their own
    }
  }

  options opts_;
  sio::server_options sopts_;
  std::mt19937_64 rng_;
  lws_context* ctx_ = nullptr;
  timer watch_;
  // An HTTP request (one at a time per connection, keep-alive or not) until it is answered.
  struct http_req {
    bool post = false;
    std::string query, content_type, body;
    std::string sid;  // of the session it went to
    bool ready = false;
    unsigned status = 200;
    std::string type, reply;  // reply: after LWS_PRE bytes of room
  };
  std::map<lws*, http_req> http_;
  std::map<std::string, std::unique_ptr<session>, std::less<>> sessions_;
};

}  // namespace

int main(int argc, char** argv) {
  options o;
  if (!parse_cli(argc, argv, o)) {
    std::fprintf(stderr,
                 "usage: siocodec_lws_server [--port 0] [--host 127.0.0.1] [--ping-interval ms] "
                 "[--ping-timeout ms] [--max-payload bytes] [--parser default|msgpack] "
                 "[--exit-with-stdin 1] [--max-send-queue-bytes n] [--max-send-queue-packets n] "
                 "[--max-pending-acks n] [--max-flood n]\n");
    return 2;
  }
  server s(o);
  return s.run();
}
