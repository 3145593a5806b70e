// SPDX-License-Identifier: BSL-1.0
// siocodec_server: a minimal Socket.IO server (Engine.IO v4 and v3, WebSocket and long-polling)
// on Boost.Beast and siocodec, serving the fixed test application of tests/interop.
//
//   siocodec_server [--port 0] [--host 127.0.0.1] [--ping-interval 25000] [--ping-timeout 20000]
//                   [--max-payload 1000000] [--parser default|msgpack] [--exit-with-stdin 1]
//                   [--max-send-queue-bytes 16*max-payload] [--max-send-queue-packets 100000]
//                   [--max-pending-acks 1000] [--max-flood 10000] [--recovery 0]
//
// --parser is the Socket.IO parser every client must use: `default` (socket.io-parser) or
// `msgpack` (socket.io-msgpack-parser), as the `parser` option of a socket.io server.
//
// The limits that keep one client from growing the server (docs/integration.md, "The example
// server's limits"): what a session may have queued for a client that does not read
// (--max-send-queue-*: the session is closed), the server's ack requests a socket may leave
// unanswered (--max-pending-acks: the Socket.IO engine's max_pending_acks, all namespaces of a
// session together; the session is closed), and the largest count `flood` obeys.
//
// --recovery MS turns connection state recovery on (socket.io's connectionStateRecovery with
// maxDisconnectionDuration MS; 0, the default: off): a client that lost its transport and comes
// back within MS gets its socket back (same id) and the events broadcast meanwhile. The engines
// do the work (server_options::recovery, one socketio::recovery_store per namespace).
//
// --exit-with-stdin 1 ends the server when its standard input closes, so that a test driver
// that started it with a pipe can never leave it running.
//
// Prints `listening on PORT`, then one JSON line per thing that happens (a session opens, a
// packet arrives, a CONNECT is refused, a session upgrades or closes). Packets are logged as
// JSON whatever the parser: msgpack binary values as {"$binary":"<hex>"}, default-parser
// attachments as their placeholders (and their sizes in "attachments").
//
// The application:
//   namespaces "/" and "/ünïcødé-😀" (open), "/admin" (auth {"token":"secret"}, otherwise
//   CONNECT_ERROR {"message":"not authorized"}); in each of them the events
//   echo         acks its arguments back (binary included), or emits "echo" with them
//   binary_echo  the same, with one more argument: {"attachments":N,"sizes":[...]} (the binary
//                values received, depth first: attachments, or msgpack bins)
//   server_ack   emits "ask" with the arguments and an ack request; the client's ack value goes
//                back as the ack of server_ack (or as an event "server_ack_result")
//   count        [n]: checks that n counts 0, 1, 2...; an ack gets {"count":N,"ordered":bool}
//   flood        [n]: emits m = min(n, --max-flood) events "flood" [0] ... [m-1], then acks m
//   whoami       acks {"nsp":...,"id":...}
//   broadcast    [from, to]: emits "tick" i (from <= i <= to) to every socket of the namespace
//                (through its recovery store with --recovery), then acks the count
//   any other    acks its arguments back, or emits an event of the same name with them

#include "cli.hpp"
#include "log.hpp"

#include <siocodec/json/write.hpp>
#include <siocodec/socketio/codec.hpp>
#include <siocodec/socketio/default_parser/args.hpp>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace {

using server_log::binary_sizes;
using server_log::log_line;
using server_log::quoted;

std::string session_fields(const demo::session& s) {
  return "\"sid\":" + quoted(s.sid()) +
         ",\"eio\":" + (s.version() == demo::eio::protocol_version::v4 ? "4" : "3") +
         ",\"transport\":\"" + s.transport_name() + "\"";
}

void log_packet(const demo::session& s, const demo::sio::any_packet& p) {
  log_line("{\"type\":\"" + std::string(demo::sio::to_string(p.type())) + "\"," +
           session_fields(s) + server_log::packet_fields(p) + "}");
}

// --- the application ----------------------------------------------------------------------------

struct counter_state {
  std::uint64_t received = 0;
  bool ordered = true;
};

// The sockets of one namespace, for `broadcast`, and its recovery store (--recovery).
struct namespace_state {
  std::set<demo::socket*> sockets;
  std::unique_ptr<demo::sio::recovery_store> store;
};

void define_events(demo::namespace_def& ns, std::uint64_t max_flood, namespace_state& state) {
  ns.store = state.store.get();
  ns.on_connect = [&state](demo::socket& s) {
    state.sockets.insert(&s);
    s.on_disconnect([&state](demo::socket& gone, std::string_view) { state.sockets.erase(&gone); });
  };
  // socket.io's io.of(nsp).emit(): with recovery, through the store, which gives each packet
  // its offset and keeps it for the sockets that are away; encoded once for every socket.
  // The count comes from the client: capped as flood's.
  ns.events["broadcast"] = [&state, max_flood](demo::socket& s, const demo::incoming_event& ev) {
    const auto from = ev.packet.data()[1].to_uint64();
    const auto to = ev.packet.data()[2].to_uint64();
    const std::uint64_t count =
        from && to && *to >= *from ? std::min(*to - *from, max_flood - 1) + 1 : 0;
    // A send may end its target's session (send queue full), which erases the target: a copy.
    // It ends no other session, so the other pointers stay valid.
    const std::vector<demo::socket*> targets(state.sockets.begin(), state.sockets.end());
    std::uint64_t sent = 0;
    for (; sent < count && max_flood != 0; ++sent) {
      auto tick = demo::sio::event("tick", *from + sent).nsp(s.nsp());
      if (state.store) {
        const auto p = state.store->broadcast(tick, {}, demo::now_ms());
        if (!p) break;
        for (demo::socket* target : targets) {
          if (state.sockets.count(target) != 0) target->send_encoded(**p);
        }
      } else {
        for (demo::socket* target : targets) {
          if (state.sockets.count(target) != 0) target->send(tick);
        }
      }
    }
    s.ack(ev, sent);
  };
  ns.events["echo"] = [](demo::socket& s, const demo::incoming_event& ev) {
    if (ev.ack_id) {
      s.ack(ev, demo::copy_args(ev.packet));
    } else {
      s.emit("echo", demo::copy_args(ev.packet));
    }
  };

  ns.events["binary_echo"] = [](demo::socket& s, const demo::incoming_event& ev) {
    const demo::sio::any_packet& p = ev.packet;
    std::vector<std::size_t> sizes;
    for (const demo::sio::any_value& a : p.arguments()) binary_sizes(a, sizes);
    auto with_summary = [&p, &sizes](auto& w) {
      demo::copy_args(p)(w);
      w.begin_object().member("attachments", sizes.size()).key("sizes").begin_array();
      for (const std::size_t n : sizes) w.value(n);
      w.end_array().end_object();
    };
    if (ev.ack_id) {
      s.ack(ev, with_summary);
    } else {
      s.emit("binary_echo", with_summary);
    }
  };

  ns.events["server_ack"] = [](demo::socket& s, const demo::incoming_event& ev) {
    const std::optional<std::uint64_t> asked = ev.ack_id;
    s.emit_with_ack(
        [asked](demo::socket& self, const demo::sio::any_packet& answer) {
          if (asked) {
            self.send(demo::sio::ack(*asked, demo::copy_args(answer)));
          } else {
            self.emit("server_ack_result", demo::copy_args(answer));
          }
        },
        "ask", demo::copy_args(ev.packet));
  };

  ns.events["count"] = [](demo::socket& s, const demo::incoming_event& ev) {
    if (!s.user_data) s.user_data = std::make_shared<counter_state>();
    auto& st = *std::static_pointer_cast<counter_state>(s.user_data);
    const demo::sio::any_value n = ev.packet.data()[1];
    const auto value = n.to_uint64();
    if (!value || *value != st.received) st.ordered = false;
    ++st.received;
    s.ack(ev, demo::sio::object("count", st.received, "ordered", st.ordered));
  };

  // The count comes from the client: capped, or one 23-byte packet makes the server queue
  // billions of events.
  ns.events["flood"] = [max_flood](demo::socket& s, const demo::incoming_event& ev) {
    const auto n = ev.packet.data()[1].to_uint64();
    const std::uint64_t count = n ? std::min(*n, max_flood) : 0;
    for (std::uint64_t i = 0; i < count; ++i) s.emit("flood", i);
    s.ack(ev, count);
  };

  // Events without a handler (unicode names in the tests) come back under their own name.
  ns.unknown_event = [](demo::socket& s, const demo::incoming_event& ev) {
    if (ev.ack_id) {
      s.ack(ev, demo::copy_args(ev.packet));
    } else {
      s.emit(ev.name, demo::copy_args(ev.packet));
    }
  };

  ns.events["whoami"] = [](demo::socket& s, const demo::incoming_event& ev) {
    s.ack(ev, demo::sio::object("nsp", s.nsp(), "id", s.id()));
  };
}

struct cli_options : demo::server_cli {
  demo::sio::parser_kind parser = demo::sio::parser_kind::json;
  std::size_t max_pending_acks = 1000;
  std::uint64_t max_flood = 10000;  // the interop tests flood 10,000 events
  std::uint64_t recovery_ms = 0;    // off
};

bool parse_cli(int argc, char** argv, cli_options& o) {
  return demo::parse_cli(argc, argv, o, [&o](const demo::cli_arg& a) {
    if (a.name == "--max-pending-acks" && a.numeric && a.n >= 1) {
      o.max_pending_acks = static_cast<std::size_t>(a.n);
      return true;
    }
    if (a.name == "--max-flood" && a.numeric) {
      o.max_flood = a.n;
      return true;
    }
    if (a.name == "--recovery" && a.numeric) {
      o.recovery_ms = a.n;
      return true;
    }
    return a.name == "--parser" && demo::sio::parse_parser_kind(a.value, o.parser);
  });
}

}  // namespace

int main(int argc, char** argv) {
  cli_options cli;
  if (!parse_cli(argc, argv, cli)) {
    std::fprintf(stderr,
                 "usage: siocodec_server [--port 0] [--host 127.0.0.1] [--ping-interval ms] "
                 "[--ping-timeout ms] [--max-payload bytes] [--parser default|msgpack] "
                 "[--exit-with-stdin 1] [--max-send-queue-bytes n] [--max-send-queue-packets n] "
                 "[--max-pending-acks n] [--max-flood n] [--recovery ms]\n");
    return 2;
  }

  // The engines and the sockets (the adapter).
  demo::sio::server_options engine = demo::make_server_options(cli.eio, cli.parser);
  engine.max_pending_acks = cli.max_pending_acks;
  engine.recovery = cli.recovery_ms != 0;
  std::map<std::string, namespace_state> namespaces;
  for (const char* name : {"/", "/ünïcødé-😀", "/admin"}) {
    namespace_state& st = namespaces[name];
    if (!engine.recovery) continue;
    demo::sio::recovery_options ro;
    ro.max_disconnection_duration = cli.recovery_ms;
    ro.parser = engine.parser;
    ro.codec = engine.codec;
    ro.epoch = std::random_device{}();  // an offset of another run of the server matches nothing
    st.store = std::make_unique<demo::sio::recovery_store>(ro);
  }
  demo::net::io_context io;
  demo::server server(io, engine);

  // Socket.IO: the application.
  demo::sio_server& sio = server.sockets();
  define_events(sio.of("/"), cli.max_flood, namespaces["/"]);
  define_events(sio.of("/ünïcødé-😀"), cli.max_flood, namespaces["/ünïcødé-😀"]);
  demo::namespace_def& admin = sio.of("/admin");
  admin.authorize = [](const demo::sio::any_value& auth) -> std::optional<std::string> {
    demo::sio::any_value token;
    if (auth.is_object() && auth.find("token", token) && token.string_equals("secret")) {
      return std::nullopt;
    }
    return std::string("not authorized");
  };
  define_events(admin, cli.max_flood, namespaces["/admin"]);

  sio.on_opened = [](const demo::session& s) {
    log_line("{\"type\":\"open\"," + session_fields(s) +
             ",\"b64\":" + (s.base64_only() ? "true" : "false") + "}");
  };
  sio.on_packet = log_packet;
  sio.on_refused = [](const demo::session& s, std::string_view nsp, std::string_view msg) {
    log_line("{\"type\":\"connect_refused\"," + session_fields(s) + ",\"nsp\":" + quoted(nsp) +
             ",\"message\":" + quoted(msg) + "}");
  };
  sio.on_left = [](const demo::session& s, std::string_view nsp, demo::sio::disconnect_reason r) {
    log_line("{\"type\":\"disconnect\"," + session_fields(s) + ",\"nsp\":" + quoted(nsp) +
             ",\"reason\":" + quoted(demo::sio::to_string(r)) + "}");
  };
  sio.on_closed = [](const demo::session& s, std::string_view reason) {
    log_line("{\"type\":\"close\"," + session_fields(s) + ",\"reason\":" + quoted(reason) + "}");
  };

  server.engine().on_upgrade = [](const demo::session& s) {
    log_line("{\"type\":\"upgrade\"," + session_fields(s) + "}");
  };
  boost::system::error_code ec;
  const std::uint16_t port = server.listen(cli.host, cli.port, ec);
  if (ec) {
    std::fprintf(stderr, "siocodec_server: cannot listen on %s:%u: %s\n", cli.host.c_str(),
                 static_cast<unsigned>(cli.port), ec.message().c_str());
    return 1;
  }
  log_line("listening on " + std::to_string(port));

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&io](const boost::system::error_code&, int) { io.stop(); });
  boost::asio::posix::stream_descriptor input(io);
  char input_buffer[256];
  std::function<void()> watch_stdin = [&] {
    input.async_read_some(boost::asio::buffer(input_buffer),
                          [&](const boost::system::error_code& e, std::size_t) {
                            if (e) return io.stop();  // EOF: the driver is gone
                            watch_stdin();
                          });
  };
  if (cli.exit_with_stdin) {
    input.assign(::dup(0));
    watch_stdin();
  }
  io.run();
  return 0;
}
