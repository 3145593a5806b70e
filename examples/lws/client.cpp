// SPDX-License-Identifier: BSL-1.0
// siocodec_lws_client: a Socket.IO client on libwebsockets (its own event loop and callbacks, no
// Asio), driven by a script, printing JSON lines: the command line, script and output of
// examples/client (examples/client/README.md): WebSocket, HTTP long-polling (lws's HTTP client)
// and the upgrade.
//
//   siocodec_lws_client URL [--namespace /nsp] [--auth JSON] [--transport websocket|polling]
//                       [--eio 4|3] [--parser default|msgpack] [--no-upgrade] [--path /socket.io/]
//                       [--script FILE|-] [--timeout MS] [--max-payload BYTES] [--lax-handshake]
//                       [--reconnection 0|1] [--reconnection-attempts N] [--reconnection-delay MS]
//                       [--reconnection-delay-max MS] [--randomization-factor F]
//
// The library's socketio::client does the protocol (handshake, heartbeat, namespaces, acks,
// reconnection). This program owns the libwebsockets callbacks (which report to the engine),
// one lws_sul timer for the engine's next_deadline(), what the engine's transmits ask of the
// socket, the script and the printing. docs/integration.md ("Writing an adapter for your stack")
// sets it beside the Beast client.
#include <siocodec/siocodec.hpp>
#include <siocodec/socketio/client.hpp>

#include <libwebsockets.h>

#include "../client/script.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <iostream>
#include <iterator>
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
namespace json = siocodec::json;

// Exit codes (examples/client/README.md).
constexpr int exit_ok = 0;
constexpr int exit_usage = 1;
constexpr int exit_transport = 2;
constexpr int exit_protocol = 3;
constexpr int exit_timeout = 4;

eio::millis now_ms() {
  const auto d = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now().time_since_epoch());
  return static_cast<eio::millis>(d.count());
}

struct options {
  std::string host, path = "/socket.io/", nsp = "/", auth, script;
  int port = 80;
  long timeout_ms = 60000;
  sio::client_options client;
};

// --- values both ways: the script's JSON ({"$binary":"hex"} for bytes) into either parser's
// writer, and what was received back out as a JSON line. -----------------------------------

using example_script::read_script;
using example_script::write_json;

using siocodec::adapters::beast::append_json_string;

// --- the program -----------------------------------------------------------------------------

class app;

// An lws_sul timer calling back into the app: the sul comes first, so the callback's pointer is
// the timer's.
struct timer {
  lws_sorted_usec_list_t sul{};
  app* owner = nullptr;
  void (app::*fire)() = nullptr;
  bool armed = false;
  eio::millis at = 0;
};
static_assert(std::is_standard_layout_v<timer>, "on_sul() casts the sul back to its timer");

// One WebSocket, or one polling GET or POST: each gets its own lws connection, kept until the
// end (lws may still call back about it).
struct connection {
  lws* wsi = nullptr;
  std::optional<eio::client_action> http;  // get or post; nothing for a WebSocket
  std::uint64_t gen = 0;                   // the Engine.IO session a request belongs to
  int status = 0;
  bool octet = false;  // Content-Type application/octet-stream (an Engine.IO v3 binary payload)
  std::string body;    // a POST's, after LWS_PRE bytes of room
  bool body_binary = false;
  std::deque<std::string> out;  // frames, each after LWS_PRE bytes of room for the header
  std::deque<bool> out_binary;
  std::size_t out_bytes = 0;
  bool close_after_out = false;  // the engine closed it: send what is queued, then close
  bool ended = false;            // its end was reported to the engine (or the engine ended it)
  std::string rx;
  bool rx_binary = false;
};

class app {
 public:
  app(const options& o, std::vector<std::string> script)
      : opts_(o), script_(std::move(script)), client_(o.client) {
    for (timer* t : {&deadline_, &script_timer_, &expect_timer_, &watchdog_, &linger_}) {
      t->owner = this;
    }
    deadline_.fire = &app::on_deadline;
    script_timer_.fire = &app::on_script_timer;
    expect_timer_.fire = &app::on_expect_timeout;
    watchdog_.fire = &app::on_watchdog;
    linger_.fire = &app::teardown;
  }

  int run() {
    lws_set_log_level(LLL_ERR, nullptr);
    static const lws_protocols protocols[] = {{"siocodec", &app::callback, 0, 0, 0, nullptr, 0},
                                              {nullptr, nullptr, 0, 0, 0, nullptr, 0}};
    lws_context_creation_info info{};
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    info.user = this;
    ctx_ = lws_create_context(&info);
    if (!ctx_) {
      std::fprintf(stderr, "siocodec_lws_client: lws_create_context failed\n");
      return exit_transport;
    }
    host_header_ = opts_.host + ":" + std::to_string(opts_.port);
    schedule(watchdog_, now_ms() + static_cast<eio::millis>(opts_.timeout_ms));
    if (!join(opts_.nsp, opts_.auth)) {
      std::fprintf(stderr, "siocodec_lws_client: cannot encode the CONNECT (--auth)\n");
      lws_context_destroy(ctx_);
      return exit_usage;
    }
    waiting_nsp_ = opts_.nsp;
    std::random_device rd;  // the engine has no randomness of its own: its one seed
    (void)client_.open(now_ms(), (std::uint64_t{rd()} << 32) ^ rd());
    pump();
    while (!done_) {
      if (lws_service(ctx_, 0) < 0) break;
    }
    torn_down_ = true;
    lws_context_destroy(ctx_);
    std::fflush(stdout);
    return exit_code_;
  }

 private:
  // --- libwebsockets' side: its callbacks report to the engine --------------------------------
  static int callback(lws* wsi, lws_callback_reasons reason, void*, void* in, std::size_t len) {
    auto* self = static_cast<app*>(lws_context_user(lws_get_context(wsi)));
    auto* c = static_cast<connection*>(lws_get_opaque_user_data(wsi));
    if (!self || !c || self->torn_down_) return 0;
    return self->on_lws(*c, wsi, reason, in, len);
  }

  int on_lws(connection& c, lws* wsi, lws_callback_reasons reason, void* raw, std::size_t len) {
    const char* in = static_cast<const char*>(raw);
    switch (reason) {
      case LWS_CALLBACK_CLIENT_ESTABLISHED:
        c.wsi = wsi;
        if (&c == ws_) client_.handle_ws_open(now_ms());
        break;
      case LWS_CALLBACK_CLIENT_RECEIVE:
        if (lws_is_first_fragment(wsi)) {
          c.rx.clear();
          c.rx_binary = lws_frame_is_binary(wsi) != 0;
        }
        // A message larger than our limit is refused as it grows, not once it is whole.
        if (c.rx.size() + len > opts_.client.engine.decode.max_payload) {
          end(c, true, "a WebSocket message larger than --max-payload");
          return -1;
        }
        c.rx.append(in, len);
        if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi) != 0) return 0;
        if (&c == ws_) {
          input_ = "websocket message";
          client_.handle_ws_message(c.rx_binary ? eio::frame_kind::binary : eio::frame_kind::text,
                                    c.rx, now_ms());
        }
        break;
      case LWS_CALLBACK_CLIENT_WRITEABLE:
        if (!c.out.empty()) {
          std::string& f = c.out.front();
          const std::size_t n = f.size() - LWS_PRE;
          auto* p = reinterpret_cast<unsigned char*>(&f[LWS_PRE]);
          // lws keeps what the socket did not take and calls WRITEABLE again once it is sent.
          if (lws_write(wsi, p, n, c.out_binary.front() ? LWS_WRITE_BINARY : LWS_WRITE_TEXT) <
              static_cast<int>(n)) {
            end(c, true, "lws_write failed");
            return -1;
          }
          c.out_bytes -= n;
          c.out.pop_front();
          c.out_binary.pop_front();
        }
        if (!c.out.empty()) {
          lws_callback_on_writable(wsi);
        } else if (c.close_after_out) {
          lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, nullptr, 0);
          return -1;
        }
        return 0;
      case LWS_CALLBACK_CLIENT_CONNECTION_ERROR: {
        std::string what = in && len ? std::string(in, len) : std::string("connection failed");
        c.http ? answered(c, std::move(what)) : end(c, true, std::move(what));
        c.wsi = nullptr;
        break;
      }
      // --- HTTP long-polling: a GET or a POST ---
      case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
        if (c.http == eio::client_action::post) {
          auto** p = static_cast<unsigned char**>(raw);
          unsigned char* const e = *p + len;
          const std::string_view type =
              c.body_binary ? "application/octet-stream" : "text/plain;charset=UTF-8";
          const std::string length = std::to_string(c.body.size() - LWS_PRE);
          if (lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE, bytes(type),
                                           static_cast<int>(type.size()), p, e) ||
              lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, bytes(length),
                                           static_cast<int>(length.size()), p, e)) {
            return -1;
          }
          lws_client_http_body_pending(wsi, 1);
          lws_callback_on_writable(wsi);
        }
        return 0;
      case LWS_CALLBACK_CLIENT_HTTP_WRITEABLE: {
        const std::size_t n = c.body.size() - LWS_PRE;
        auto* p = reinterpret_cast<unsigned char*>(&c.body[LWS_PRE]);
        if (lws_write(wsi, p, n, LWS_WRITE_HTTP_FINAL) < static_cast<int>(n)) return -1;
        lws_client_http_body_pending(wsi, 0);
        return 0;
      }
      case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP: {
        c.status = static_cast<int>(lws_http_client_http_response(wsi));
        char type[64] = {};
        c.octet = lws_hdr_copy(wsi, type, sizeof type, WSI_TOKEN_HTTP_CONTENT_TYPE) > 0 &&
                  std::string_view(type).find("octet-stream") != std::string_view::npos;
        return 0;
      }
      case LWS_CALLBACK_RECEIVE_CLIENT_HTTP: {
        // lws signals that data waits; lws_http_client_read() hands it to RECEIVE_CLIENT_HTTP_READ.
        char buf[LWS_PRE + 4096];
        char* p = buf + LWS_PRE;
        int n = static_cast<int>(sizeof buf - LWS_PRE);
        return lws_http_client_read(wsi, &p, &n) < 0 ? -1 : 0;
      }
      case LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ:
        if (c.rx.size() + len > opts_.client.engine.decode.max_payload) {
          answered(c, "a polling body larger than --max-payload");
          return -1;
        }
        c.rx.append(in, len);
        return 0;
      case LWS_CALLBACK_COMPLETED_CLIENT_HTTP: answered(c, ""); break;
      case LWS_CALLBACK_CLOSED_CLIENT_HTTP: answered(c, "closed before its answer"); break;
      case LWS_CALLBACK_CLIENT_CLOSED: end(c, false, "the server closed the WebSocket"); break;
      case LWS_CALLBACK_WSI_DESTROY: c.wsi = nullptr; break;
      default: return 0;
    }
    pump();
    return 0;
  }

  static const unsigned char* bytes(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
  }

  // A GET or POST was answered (`error` empty), or failed: the engine hears of it unless it
  // belongs to an Engine.IO session that is gone.
  void answered(connection& c, std::string error) {
    if (c.ended) return;
    c.ended = true;
    if (c.gen != gen_) return;
    const eio::client_action request = *c.http;
    if (error.empty() && c.status == 200) {
      if (request == eio::client_action::get) {
        input_ = "polling body";
        client_.handle_get_response(c.octet ? eio::frame_kind::binary : eio::frame_kind::text, c.rx,
                                    now_ms());
      } else {
        client_.handle_post_response(now_ms());
      }
    } else {
      const char* name = request == eio::client_action::get ? "GET" : "POST";
      transport_error_ =
          error.empty() ? std::string(name) + " answered " + std::to_string(c.status) : error;
      client_.handle_http_error(request, now_ms());
      drain_events();
      transport_error_.clear();
    }
    c.rx = std::string();
  }

  // The WebSocket ended: the engine hears of it unless it ended it itself.
  void end(connection& c, bool error, std::string what) {
    if (c.ended) return;
    c.ended = true;
    if (&c != ws_) return;
    ws_ = nullptr;
    transport_error_ = std::move(what);
    client_.handle_ws_closed(now_ms(), error);
    drain_events();
    transport_error_.clear();
  }

  // --- the engine's side: its transmits become lws calls --------------------------------------
  // Called after every input: runs the script, hands every event to the printer and does what
  // the engine asks of the socket.
  void pump() {
    if (in_pump_ || torn_down_) return;
    in_pump_ = true;
    // Until nothing moves: an event may satisfy the script's wait, a script line may emit.
    for (bool any = true; any;) {
      any = drain_events();
      run_script();
      any = drain_events() || any;
      if (const auto t = client_.poll_transmit()) {
        execute(*t);
        any = true;
      }
    }
    in_pump_ = false;
    if (const eio::millis d = client_.next_deadline(); d != eio::no_deadline) {
      schedule(deadline_, d);
    }
    finish_if_done();
    std::fflush(stdout);
  }

  void execute(const eio::client_transmit& t) {
    switch (t.action) {
      case eio::client_action::open_websocket: return open_websocket(t.query);
      case eio::client_action::ws_send: {
        if (!ws_) return;
        // What lws has not written yet is bounded as the engine's own queue is: a server that
        // does not read ends the WebSocket (a transport error) instead of growing the client.
        if (t.body.size() > opts_.client.engine.max_queued_bytes - ws_->out_bytes) {
          connection& c = *ws_;
          end(c, true, "send queue full: the server does not read");
          c.out.clear();
          c.out_binary.clear();
          if (c.wsi) lws_set_timeout(c.wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
          return;
        }
        ws_->out_bytes += t.body.size();
        std::string f(LWS_PRE, '\0');
        f.append(t.body.prefix).append(t.body.data);
        ws_->out.push_back(std::move(f));
        ws_->out_binary.push_back(t.body.kind == eio::frame_kind::binary);
        if (ws_->wsi) lws_callback_on_writable(ws_->wsi);
        return;
      }
      case eio::client_action::ws_close: return close_current();
      case eio::client_action::get:
      case eio::client_action::post: {
        connection& c = *conns_.emplace_back(std::make_unique<connection>());
        c.http = t.action;
        c.gen = gen_;
        if (t.action == eio::client_action::post) {
          c.body.assign(LWS_PRE, '\0');
          c.body.append(t.body.prefix).append(t.body.data);
          c.body_binary = t.body.kind == eio::frame_kind::binary;
        }
        return connect(c, t.query, t.action == eio::client_action::get ? "GET" : "POST");
      }
    }
  }

  // The engine is done with the current WebSocket: what is queued goes out, then the close.
  void close_current() {
    if (!ws_) return;
    ws_->ended = true;  // the engine knows already
    ws_->close_after_out = true;
    if (ws_->wsi) lws_callback_on_writable(ws_->wsi);
    ws_ = nullptr;
  }

  void open_websocket(std::string_view query) {
    // A new Engine.IO session (a namespace joined after the last one left) may start before the
    // old session's ws_close was polled: socketio::client replaces its engine, and that
    // transmit with it. The old WebSocket is over either way.
    close_current();
    conns_.push_back(std::make_unique<connection>());
    connect(*(ws_ = conns_.back().get()), query, nullptr);
  }

  // Connects `c` to the Engine.IO path with the transmit's query: a WebSocket (`method` null) or
  // an HTTP request.
  void connect(connection& c, std::string_view query, const char* method) {
    const std::string path = opts_.path + "?" + std::string(query);
    lws_client_connect_info i{};
    i.context = ctx_;
    i.address = opts_.host.c_str();
    i.port = opts_.port;
    i.path = path.c_str();
    i.host = host_header_.c_str();
    i.method = method;
    // An HTTP request must name the protocol whose callback gets it: lws binds it then, and
    // drops the body otherwise ("swallowed read"). A WebSocket names none (it would be offered
    // as a subprotocol, and socket.io's server offers none): protocols[0] gets it.
    i.protocol = method ? "siocodec" : nullptr;
    i.opaque_user_data = &c;
    i.pwsi = &c.wsi;
    if (lws_client_connect_via_info(&i)) return;
    c.http ? answered(c, "lws_client_connect_via_info failed")
           : end(c, true, "lws_client_connect_via_info failed");
  }

  // --- timers -------------------------------------------------------------------------------
  void schedule(timer& t, eio::millis at) {
    if (t.armed && t.at == at) return;
    t.armed = true;
    t.at = at;
    const eio::millis now = now_ms();
    const lws_usec_t us = at > now ? static_cast<lws_usec_t>(at - now) * LWS_US_PER_MS : 0;
    lws_sul_schedule(ctx_, 0, &t.sul, &app::on_sul, us);
  }
  static void cancel(timer& t) {
    t.armed = false;
    lws_sul_cancel(&t.sul);
  }
  static void on_sul(lws_sorted_usec_list_t* sul) {
    timer* t = reinterpret_cast<timer*>(sul);  // standard layout, sul first
    t->armed = false;
    (t->owner->*t->fire)();
  }
  void on_deadline() {
    client_.handle_timeout(now_ms());
    pump();
  }
  void on_script_timer() {
    time_up_ = true;
    pump();
  }
  void on_expect_timeout() {
    std::fprintf(stderr, "siocodec_lws_client: timed out waiting for %s\n", waiting_for_.c_str());
    fail_script(exit_timeout);
  }
  void on_watchdog() {
    std::fprintf(stderr, "siocodec_lws_client: --timeout of %ld ms reached\n", opts_.timeout_ms);
    fail_script(exit_timeout);
  }

  // --- the session around the engine: events, acks, the end ---------------------------------
  bool join(const std::string& nsp, const std::string& auth) {
    siocodec::errc e;
    if (opts_.client.engine.version == eio::protocol_version::v4) {
      e = auth.empty() ? client_.join(nsp, now_ms())
                       : client_.join(nsp, sio::raw_json(auth), now_ms());
    } else {
      std::string query;
      if (!auth_to_query(auth, query)) return false;
      e = client_.join_query(nsp, query, now_ms());
    }
    if (e != siocodec::errc::none) return false;
    progress_.nsps.emplace(nsp, example_script::progress::ns_state::joining);  // as it was
    return true;
  }

  // v4 CONNECT has no payload: the auth object's scalars become key=value&... (percent-encoded),
  // what socket.io-client 2.x does with its `query` option.
  static bool auth_to_query(std::string_view auth, std::string& out) {
    if (auth.empty()) return true;
    auto v = json::parse(auth);
    if (!v || !v->is_object()) return false;
    const auto encode = [&out](std::string_view s) {
      static const char hex[] = "0123456789ABCDEF";
      for (const char ch : s) {
        const auto u = static_cast<unsigned char>(ch);
        if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
            u == '-' || u == '_' || u == '.' || u == '~') {
          out.push_back(ch);
        } else {
          out += {'%', hex[u >> 4], hex[u & 15]};
        }
      }
    };
    for (const json::member& m : v->members()) {
      std::string k, val;
      if (!m.key.unescape(k) || m.val.is_array() || m.val.is_object()) return false;
      if (m.val.is_string() ? !m.val.unescape(val) : (val = std::string(m.val.raw()), false)) {
        return false;
      }
      if (!out.empty()) out.push_back('&');
      encode(k);
      out.push_back('=');
      encode(val);
    }
    return true;
  }

  // Prints every event and acts on it. Handlers call the engine again (an ack answer), which
  // may add events: the loop takes them too. True when there was any.
  bool drain_events() {
    if (draining_) return false;
    draining_ = true;
    bool any = false;
    while (const auto e = client_.poll_event()) {
      any = true;
      on_event(*e);
      if (e->kind == sio::client_event_kind::event && e->packet.id()) answer(e->packet);
      if (fatal_) {
        fatal_ = false;
        client_.close(now_ms());  // `e` is no longer used
      }
    }
    draining_ = false;
    if (!closed_ && !client_.is_open()) {
      closed_ = true;
      print_close();
      // What ends the transports (the last frames, a POST with the last DISCONNECT) gets this
      // long: a server that no longer reads must not keep us.
      schedule(linger_, now_ms() + 2000);
    }
    return any;
  }

  void on_event(const sio::client_event& e) {
    progress_.count(e);
    if (e.kind == sio::client_event_kind::disconnect &&
        e.reason == sio::disconnect_reason::parse_error) {
      fail("parse error", "");
    }
    const std::string line =
        example_script::event_line(e, opts_.client.engine.version == eio::protocol_version::v4);
    if (!line.empty()) print(line);
    if (e.kind == sio::client_event_kind::engine && e.engine_event.kind == eio::event_kind::close) {
      on_close(e.engine_event);
    }
  }

  void on_close(const eio::event& ev) {
    // The session ended: a late answer of its requests is dropped; why it ended, in the words of
    // the final close line (if it is the last).
    ++gen_;
    if (final_reason_ == "io client disconnect") return;
    final_reason_ = sio::to_string(sio::from_engine(ev.reason, true));
    final_error_.clear();
    if (ev.error != siocodec::errc::none) {
      final_error_ =
          input_ + ": " + siocodec::to_string(ev.error) + " at offset " + std::to_string(ev.offset);
    } else if (ev.reason == eio::close_reason::ping_timeout) {
      final_error_ = opts_.client.engine.version == eio::protocol_version::v4
                         ? "no ping from the server in time"
                         : "no pong from the server in time";
    } else if (ev.reason == eio::close_reason::transport_error ||
               ev.reason == eio::close_reason::transport_close) {
      final_error_ = transport_error_;
    }
    // What siocodec refused will not improve by asking again: the example stops there.
    if (ev.reason == eio::close_reason::parse_error) fail("parse error", final_error_);
  }

  void fail(std::string reason, std::string error) {
    final_reason_ = std::move(reason);
    if (!error.empty() || final_error_.empty()) {
      final_error_ = error.empty() ? "the server sent a packet siocodec refused" : std::move(error);
    }
    fatal_ = true;
  }

  // The server asked for an ack: the scripted reply, or an echo of its arguments.
  void answer(const sio::any_packet& p) {
    std::deque<std::string> keep;
    bool ok = true;
    std::string key;
    if (p.event_name().is_string()) (void)p.event_name().append_string(key);
    std::optional<json::value> reply;
    if (const auto it = replies_.find(key); it != replies_.end()) {
      if (auto r = json::parse(it->second); r && r->is_array()) reply = *r;
    }
    auto b = sio::ack(*p.id(), [&](auto& w) {
      if (reply) {
        for (const json::value& a : reply->elements()) ok = write_json(w, a, keep) && ok;
      } else {
        for (const sio::any_value& a : p.arguments()) sio::copy_value(w, a);
      }
    });
    if (client_.send(b.nsp(p.nsp()), now_ms()) != siocodec::errc::none || !ok) {
      fail("parse error", "cannot encode an ack");
    }
  }

  void print_close() {
    std::string line = "{\"type\":\"close\",\"reason\":";
    append_json_string(line, final_reason_);
    if (!final_error_.empty()) {
      append_json_string(line += ",\"error\":", final_error_);
      std::fprintf(stderr, "siocodec_lws_client: %s: %s\n", final_reason_.c_str(),
                   final_error_.c_str());
    }
    print(line + "}");
    if (exit_code_ == exit_ok && !(script_done_ && final_error_.empty())) {
      exit_code_ = final_reason_ == "parse error" ? exit_protocol : exit_transport;
    }
  }

  static void print(const std::string& line) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
  }

  void close_by_us() {
    final_reason_ = "io client disconnect";
    final_error_.clear();
    client_.close(now_ms());
  }

  // Once closed, every WebSocket closed and every POST answered (one may carry the last
  // DISCONNECT; a socket.io server that sees the held GET's connection close first ends every
  // namespace with "transport error"): leave the loop. A GET still held is dropped then.
  void finish_if_done() {
    if (!closed_ || done_) return;
    for (const auto& c : conns_) {
      if (c->wsi && c->http != eio::client_action::get) return;
    }
    teardown();
  }

  void teardown() {
    done_ = true;
    for (timer* t : {&deadline_, &script_timer_, &expect_timer_, &watchdog_, &linger_}) cancel(*t);
    lws_cancel_service(ctx_);
  }

  void fail_script(int code) {
    if (exit_code_ == exit_ok) exit_code_ = code;
    script_done_ = true;
    close_by_us();  // a server that no longer answers must not keep us waiting
    pump();
    teardown();
  }

  // --- the script (examples/client/README.md) -------------------------------------------------
  void run_script() {
    if (in_script_ || script_done_ || closed_) return;
    in_script_ = true;
    while (!script_done_ && condition_met()) {
      waiting_ = wait::none;
      cancel(expect_timer_);
      if (pc_ < script_.size()) {
        if (!step(script_[pc_++])) {
          exit_code_ = exit_usage;
        } else if (!script_end_) {
          continue;
        }
      }
      script_done_ = true;
      close_by_us();
    }
    in_script_ = false;
  }

  using wait = example_script::progress::wait;

  bool condition_met() {
    return progress_.met(waiting_, waiting_nsp_, wait_name_, wait_count_, time_up_);
  }

  void expect(wait w, const json::value& count, long timeout, std::string what) {
    waiting_ = w;
    wait_count_ = count.to_uint64().value_or(0);
    waiting_for_ = std::to_string(wait_count_) + " " + what;
    schedule(expect_timer_, now_ms() + static_cast<eio::millis>(timeout));
  }

  static std::string string_of(const json::value& v) {
    std::string s;
    if (v.is_string()) (void)v.unescape(s);
    return s;
  }

  // One script line; false for a line it cannot do (exit status 1).
  bool step(const std::string& text) {
    auto parsed = json::parse(text);
    if (!parsed || !parsed->is_object()) {
      std::fprintf(stderr, "siocodec_lws_client: script line %zu is not a JSON object\n", pc_);
      return false;
    }
    const json::value a = *parsed;
    json::value v, x;
    const long timeout =
        a.find("timeout_ms", x) ? static_cast<long>(x.to_uint64().value_or(20000)) : 20000;
    if (a.find("emit", v)) {
      const std::string nsp = a.find("nsp", x) ? string_of(x) : opts_.nsp;
      auto args = json::parse(a.find("args", x) ? x.raw() : std::string_view("[]"));
      sio::emit_options o;
      o.want_ack = a.find("ack", x) && x.get_bool();
      o.ack_timeout = a.find("ack_timeout_ms", x) ? x.to_uint64().value_or(0) : 0;
      std::deque<std::string> keep;
      bool ok = args && args->is_array();
      auto write_args = [&](auto& w) {
        if (!ok) return;
        for (const json::value& e : args->elements()) ok = write_json(w, e, keep) && ok;
      };
      ok = client_.emit(sio::event(string_of(v), write_args).nsp(nsp), now_ms(), o).has_value() &&
           ok;
      if (!ok) std::fprintf(stderr, "siocodec_lws_client: cannot emit on line %zu\n", pc_);
      return ok;
    }
    if (a.find("wait_ms", v)) {
      waiting_ = wait::time;
      time_up_ = false;
      schedule(script_timer_, now_ms() + v.to_uint64().value_or(0));
    } else if (a.find("expect_events", v)) {
      wait_name_ = a.find("event", x) ? string_of(x) : std::string();
      expect(wait::events, v, timeout, "events " + wait_name_);
    } else if (a.find("expect_acks", v)) {
      expect(wait::acks, v, timeout, "acks");
    } else if (a.find("expect_reconnects", v)) {
      expect(wait::reconnects, v, timeout, "reconnections");
    } else if (a.find("connect", v)) {
      waiting_nsp_ = string_of(v);
      if (!join(waiting_nsp_, a.find("auth", x) ? std::string(x.raw()) : std::string())) {
        return false;
      }
      waiting_ = wait::nsp;
      waiting_for_ = "the CONNECT answer of " + waiting_nsp_;
      schedule(expect_timer_, now_ms() + static_cast<eio::millis>(timeout));
    } else if (a.find("on", v)) {
      replies_[string_of(v)] = a.find("reply", x) ? std::string(x.raw()) : "[]";
    } else if (a.find("disconnect", v)) {
      if (!v.is_string()) {
        script_end_ = true;
        return true;
      }
      progress_.nsps.erase(string_of(v));
      (void)client_.leave(string_of(v), now_ms());
    } else {
      std::fprintf(stderr, "siocodec_lws_client: unknown action on script line %zu\n", pc_);
      return false;
    }
    return true;
  }

  options opts_;
  std::vector<std::string> script_;
  sio::client client_;
  lws_context* ctx_ = nullptr;
  std::string host_header_;
  std::vector<std::unique_ptr<connection>> conns_;
  connection* ws_ = nullptr;  // the current Engine.IO session's WebSocket
  timer deadline_, script_timer_, expect_timer_, watchdog_, linger_;
  bool in_pump_ = false, draining_ = false, fatal_ = false, closed_ = false;
  bool done_ = false, torn_down_ = false;
  int exit_code_ = exit_ok;
  std::string input_ = "input";  // what the engine was last fed, for error messages
  std::string transport_error_;  // why the WebSocket ended, during the call that reports it
  std::string final_reason_ = "transport close", final_error_;
  example_script::progress progress_;
  std::map<std::string, std::string> replies_;
  // script state
  std::size_t pc_ = 0;
  bool in_script_ = false, script_done_ = false, time_up_ = false, script_end_ = false;
  wait waiting_ = wait::nsp;  // the first CONNECT's answer
  std::string waiting_nsp_, waiting_for_ = "the first CONNECT answer", wait_name_;
  std::uint64_t gen_ = 0;  // counts the Engine.IO sessions that ended
  std::uint64_t wait_count_ = 0;
};

// --- command line ------------------------------------------------------------------------------

int usage(const std::string& why) {
  std::fprintf(stderr,
               "siocodec_lws_client: %s\n"
               "usage: siocodec_lws_client URL [--namespace /nsp] [--auth JSON]\n"
               "         [--transport websocket|polling] [--eio 4|3] [--parser default|msgpack]\n"
               "         [--no-upgrade] [--path /socket.io/] [--script FILE|-] [--timeout MS]\n"
               "         [--max-payload BYTES] [--lax-handshake] [--reconnection 0|1]\n"
               "         [--reconnection-attempts N] [--reconnection-delay MS]\n"
               "         [--reconnection-delay-max MS] [--randomization-factor F]\n",
               why.c_str());
  return exit_usage;
}

bool number(const char* text, std::uint64_t max, std::uint64_t& out) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0' || v > max) return false;
  out = v;
  return true;
}

bool parse_url(std::string_view url, options& o) {
  std::string_view rest;
  for (const std::string_view scheme : {"http://", "ws://"}) {
    if (url.substr(0, scheme.size()) == scheme) rest = url.substr(scheme.size());
  }
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos && rest.size() > slash + 1) o.nsp = rest.substr(slash);
  std::uint64_t port = 80;
  if (const std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    if (!number(std::string(authority.substr(colon + 1)).c_str(), 65535, port)) return false;
    authority = authority.substr(0, colon);
  }
  o.host = authority;
  o.port = static_cast<int>(port);
  return !o.host.empty();
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  sio::client_options& c = o.client;
  c.engine.initial = eio::transport_kind::websocket;  // examples/client's default
  // A client trusts its server more than a server trusts the internet: the interop suite's
  // 1 MB attachments and events, with room to spare.
  std::uint64_t max_payload = 64u << 20;
  std::string url, nsp;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const char* val = i + 1 < argc ? argv[i + 1] : nullptr;
    std::uint64_t n = 0;
    const auto value = [&](std::string_view is) {
      if (!val) return false;
      ++i;
      return is.empty() || is == val;
    };
    if (arg == "--namespace" && value("")) {
      nsp = val;
    } else if (arg == "--auth" && value("")) {
      o.auth = val;
    } else if (arg == "--transport" && value("")) {
      const std::string_view t = val;
      if (t != "websocket" && t != "polling") return usage("--transport websocket|polling");
      c.engine.initial =
          t == "polling" ? eio::transport_kind::polling : eio::transport_kind::websocket;
    } else if (arg == "--eio" && value("")) {
      if (std::string_view(val) != "4" && std::string_view(val) != "3") return usage("--eio 4|3");
      c.engine.version = val[0] == '4' ? eio::protocol_version::v4 : eio::protocol_version::v3;
    } else if (arg == "--parser" && value("")) {
      if (!sio::parse_parser_kind(val, c.parser)) return usage("--parser default|msgpack");
    } else if (arg == "--no-upgrade") {
      c.engine.upgrade = false;
    } else if (arg == "--path" && value("")) {
      o.path = val;
    } else if (arg == "--script" && value("")) {
      o.script = val;
    } else if (arg == "--timeout" && value("") && number(val, 1u << 30, n) && n > 0) {
      o.timeout_ms = static_cast<long>(n);
    } else if (arg == "--max-payload" && value("") && number(val, SIZE_MAX, n)) {
      max_payload = n;
    } else if (arg == "--lax-handshake") {
      c.engine.handshake.lax = true;
    } else if (arg == "--reconnection" && value("")) {
      if (std::string_view(val) != "0" && std::string_view(val) != "1") {
        return usage("--reconnection 0|1");
      }
      c.reconnect.enabled = val[0] == '1';
    } else if (arg == "--reconnection-attempts" && value("") && number(val, 0xFFFFFFFFu, n)) {
      c.reconnect.attempts = static_cast<std::uint32_t>(n);
    } else if (arg == "--reconnection-delay" && value("") && number(val, 0xFFFFFFFFu, n)) {
      c.reconnect.delay = static_cast<std::uint32_t>(n);
    } else if (arg == "--reconnection-delay-max" && value("") && number(val, 0xFFFFFFFFu, n)) {
      c.reconnect.delay_max = static_cast<std::uint32_t>(n);
    } else if (arg == "--randomization-factor" && value("")) {
      char* end = nullptr;
      c.reconnect.randomization = std::strtod(val, &end);
      if (end == val || *end != '\0') return usage("--randomization-factor is a number");
    } else if (!arg.empty() && arg[0] != '-' && url.empty()) {
      url = arg;
    } else {
      return usage("bad argument " + std::string(arg) + " (or its value)");
    }
  }
  if (!parse_url(url, o)) return usage("URL is http://host[:port][/namespace]");
  if (!nsp.empty()) o.nsp = nsp;
  if (o.nsp.empty() || o.nsp[0] != '/') return usage("a namespace starts with '/'");
  c.engine.decode.max_payload = static_cast<std::size_t>(max_payload);
  c.codec.decode.max_attachment_bytes = static_cast<std::size_t>(max_payload);
  c.codec.decode.max_packet_bytes = static_cast<std::size_t>(max_payload);
  std::vector<std::string> script;
  if (!read_script(o.script, script)) return usage("cannot read the script");
  app a(o, std::move(script));
  return a.run();
}
