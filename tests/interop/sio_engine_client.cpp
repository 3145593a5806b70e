// SPDX-License-Identifier: BSL-1.0
// sio_engine_client: the library's socketio::client engine over the Beast WebSocket channel of
// the client adapter (include/siocodec/adapters/beast/detail/client_transports.hpp), driven by
// commands on stdin, reporting JSON lines on stdout. run_sio_engine_scenarios.js drives it against
// socket.io 4.8 and 2.5 (issue 22).
//
//   sio_engine_client --port P [--v3]       (--v3: Engine.IO v3 / Socket.IO v4, for socket.io 2.5)
// Commands, one a line:
//   join NSP -|AUTH_JSON|?QUERY      join NSP (no auth, auth object, or v4 query)
//   emit NSP NAME ARG T              emit NAME(ARG); T < 0: no ack, 0: ack, > 0: ack with timeout
//   leave NSP
//   quit
// Output: {"ev":"<client_event_kind>", ...}, {"cmd":..., "result":...} per command.
// WebSocket only: the transport is not what is tested here (the examples' interop tests cover
// polling and the upgrade).
#include <siocodec/adapters/beast/detail/client_transports.hpp>
#include <siocodec/socketio.hpp>

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace eio = siocodec::engineio;
namespace sio = siocodec::socketio;
namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using siocodec::adapters::beast::detail::client_endpoint;
using siocodec::adapters::beast::detail::out_frame;
using ws_channel = siocodec::adapters::beast::detail::ws_channel<false>;

namespace {

std::string quote(std::string_view s) {
  std::string o = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      o += '\\';
      o += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      o += b;
    } else {
      o += c;
    }
  }
  return o + "\"";
}

std::string value_text(const sio::any_value& v) {
  std::string s;
  if (v.is_string()) {
    (void)v.append_string(s);
    return quote(s);
  }
  if (v.is_number()) {
    const auto d = v.to_double();
    return d ? std::to_string(*d) : "null";
  }
  return "null";
}

const char* kind_name(sio::client_event_kind k) {
  switch (k) {
    case sio::client_event_kind::connect: return "connect";
    case sio::client_event_kind::connect_error: return "connect_error";
    case sio::client_event_kind::event: return "event";
    case sio::client_event_kind::ack: return "ack";
    case sio::client_event_kind::ack_timeout: return "ack_timeout";
    case sio::client_event_kind::ack_disconnected: return "ack_disconnected";
    case sio::client_event_kind::disconnect: return "disconnect";
    case sio::client_event_kind::reconnect_attempt: return "reconnect_attempt";
    case sio::client_event_kind::reconnect: return "reconnect";
    case sio::client_event_kind::reconnect_failed: return "reconnect_failed";
    case sio::client_event_kind::engine: return "engine";
  }
  return "?";
}

class driver {
 public:
  driver(net::io_context& io, const std::string& port, bool v3)
      : io_(io), timer_(io), client_(options(v3)) {
    tcp::resolver r(io);
    ep_.endpoints = r.resolve("127.0.0.1", port);
    ep_.host = "127.0.0.1";
    ep_.host_header = "127.0.0.1:" + port;
  }

  void command(const std::string& line) {
    std::istringstream in(line);
    std::string cmd, nsp;
    in >> cmd >> nsp;
    std::string result;
    if (cmd == "join") {
      std::string auth;
      in >> auth;
      if (!opened_) {
        opened_ = true;
        (void)client_.open(now(), 42);
      }
      const auto e = auth == "-"      ? client_.join(nsp, now())
                     : auth[0] == '?' ? client_.join_query(nsp, auth.substr(1), now())
                                      : client_.join(nsp, sio::raw_json(auth), now());
      result = siocodec::to_string(e);
    } else if (cmd == "emit") {
      std::string name, arg;
      long long t = -1;
      in >> name >> arg >> t;
      sio::emit_options o;
      o.want_ack = t >= 0;
      o.ack_timeout = t > 0 ? static_cast<eio::millis>(t) : 0;
      const auto r = client_.emit(sio::event(name, arg).nsp(nsp), now(), o);
      result = r ? (*r == sio::no_ack ? "-" : std::to_string(*r)) : siocodec::to_string(r.error());
    } else if (cmd == "leave") {
      result = siocodec::to_string(client_.leave(nsp, now()));
    } else if (cmd == "quit") {
      client_.close(now());
      result = "ok";
      quitting_ = true;
    } else {
      result = "unknown command";
    }
    print("{\"cmd\":" + quote(cmd) + ",\"nsp\":" + quote(nsp) + ",\"result\":" + quote(result) +
          "}");
    pump();
  }

  bool done() const { return quitting_; }

 private:
  static sio::client_options options(bool v3) {
    sio::client_options o;
    o.engine.initial = eio::transport_kind::websocket;
    if (v3) o.engine.version = eio::protocol_version::v3;
    // Short delays keep every scenario well under its limit; the arithmetic is unit tested.
    o.reconnect.delay = 200;
    o.reconnect.delay_max = 1000;
    return o;
  }

  eio::millis now() const {
    return static_cast<eio::millis>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::steady_clock::now() - start_)
                                        .count());
  }

  static void print(const std::string& s) {
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fputc('\n', stdout);
  }

  void report(const sio::client_event& e) {
    std::string l = std::string("{\"ev\":\"") + kind_name(e.kind) + "\",\"nsp\":" + quote(e.nsp);
    switch (e.kind) {
      case sio::client_event_kind::connect:
        l += ",\"sid\":" + quote(e.sid) + ",\"recovered\":" + (e.recovered ? "true" : "false");
        break;
      case sio::client_event_kind::connect_error: {
        sio::any_value m;
        if (e.packet.data().is_object() && e.packet.data().find("message", m)) {
          l += ",\"message\":" + value_text(m);
        } else if (e.packet.data().is_string()) {
          l += ",\"message\":" + value_text(e.packet.data());
        }
        l += std::string(",\"session_failed\":") + (e.session_failed ? "true" : "false");
        break;
      }
      case sio::client_event_kind::event:
        l += ",\"name\":" + value_text(e.packet.event_name()) + ",\"offset\":" + quote(e.offset);
        [[fallthrough]];
      case sio::client_event_kind::ack: {
        if (e.kind == sio::client_event_kind::ack) {
          l += ",\"id\":" + std::to_string(e.ack_id);
        } else {
          const auto id = e.packet.id();
          l += ",\"id\":" + (id ? std::to_string(*id) : std::string("null"));
        }
        l += ",\"args\":[";
        bool first = true;
        for (const auto& v : e.packet.arguments()) {
          if (!first) l += ",";
          first = false;
          l += value_text(v);
        }
        l += "]";
        break;
      }
      case sio::client_event_kind::ack_timeout:
      case sio::client_event_kind::ack_disconnected:
        l += ",\"id\":" + std::to_string(e.ack_id);
        break;
      case sio::client_event_kind::disconnect:
        l += std::string(",\"reason\":") + quote(sio::to_string(e.reason));
        break;
      case sio::client_event_kind::reconnect_attempt:
      case sio::client_event_kind::reconnect:
        l += ",\"attempt\":" + std::to_string(e.attempt) + ",\"delay\":" + std::to_string(e.delay);
        break;
      default: break;
    }
    print(l + "}");
  }

  // Does what the engine asks, reports its events, re-arms the timer.
  void pump() {
    for (;;) {
      bool any = false;
      while (const auto e = client_.poll_event()) {
        any = true;
        report(*e);
      }
      while (const auto t = client_.poll_transmit()) {
        any = true;
        execute(*t);
      }
      if (!any) break;
    }
    arm();
    std::fflush(stdout);
  }

  void execute(const eio::client_transmit& t) {
    switch (t.action) {
      case eio::client_action::open_websocket: {
        // A channel serves one connection; the old ones stay alive (their handlers may still
        // run) but no longer reach the engine.
        channels_.push_back(
            std::make_shared<ws_channel>(io_, ep_, std::size_t{1} << 20, std::size_t{16} << 20));
        ws_channel* ch = channels_.back().get();
        ws_ = ch;
        ch->on_open = [this, ch] {
          if (ch != ws_) return;
          client_.handle_ws_open(now());
          pump();
        };
        ch->on_message = [this, ch](std::string_view data, bool binary) {
          if (ch != ws_) return;
          client_.handle_ws_message(binary ? eio::frame_kind::binary : eio::frame_kind::text, data,
                                    now());
          pump();
        };
        ch->on_end = [this, ch](bool error, const std::string& what) {
          if (ch != ws_) return;
          ws_ = nullptr;
          print("{\"transport\":\"end\",\"error\":" + std::string(error ? "true" : "false") +
                ",\"what\":" + quote(what) + "}");
          client_.handle_ws_closed(now(), error);
          pump();
        };
        ch->open(ep_, "/socket.io/?" + std::string(t.query));
        return;
      }
      case eio::client_action::ws_send:
        if (ws_) {
          out_frame f;
          f.bytes.append(t.body.prefix).append(t.body.data);
          f.binary = t.body.kind == eio::frame_kind::binary;
          ws_->send(std::move(f));
        }
        return;
      case eio::client_action::ws_close:
        if (ws_) {
          ws_channel* ch = ws_;
          ws_ = nullptr;  // the engine already knows: its close is not reported back
          ch->close();
        }
        return;
      case eio::client_action::get:
      case eio::client_action::post: return;  // WebSocket only (options())
    }
  }

  void arm() {
    const auto d = client_.next_deadline();
    if (d == eio::no_deadline) {
      timer_.cancel();
      return;
    }
    timer_.expires_at(start_ + std::chrono::milliseconds(d));
    timer_.async_wait([this](beast::error_code ec) {
      if (ec) return;
      client_.handle_timeout(now());
      pump();
    });
  }

  net::io_context& io_;
  net::steady_timer timer_;
  sio::client client_;
  client_endpoint ep_;
  std::vector<std::shared_ptr<ws_channel>> channels_;
  ws_channel* ws_ = nullptr;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  bool opened_ = false, quitting_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  std::string port;
  bool v3 = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--port") == 0 && i + 1 < argc)
      port = argv[++i];
    else if (std::strcmp(argv[i], "--v3") == 0)
      v3 = true;
  }
  if (port.empty()) {
    std::fputs("usage: sio_engine_client --port P [--v3]\n", stderr);
    return 2;
  }
  net::io_context io;
  driver d(io, port, v3);
  auto guard = net::make_work_guard(io);
  // stdin is read on its own thread; every line is handed to the io_context's thread.
  std::thread reader([&] {
    std::string line;
    while (std::getline(std::cin, line)) {
      net::post(io, [&d, line] { d.command(line); });
      if (line == "quit") break;
    }
    // The driver's pipe closed (or quit): end shortly after, whatever the session is doing.
    net::post(io, [&io] {
      auto t = std::make_shared<net::steady_timer>(io, std::chrono::milliseconds(300));
      t->async_wait([&io, t](beast::error_code) { io.stop(); });
    });
  });
  io.run();
  reader.join();
  return 0;
}
