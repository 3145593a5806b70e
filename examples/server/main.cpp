// SPDX-License-Identifier: BSL-1.0
// siocodec_server: a minimal Socket.IO server (Engine.IO v4 and v3, WebSocket and long-polling)
// on Boost.Beast and siocodec, serving the fixed test application of tests/interop.
//
//   siocodec_server [--port 0] [--host 127.0.0.1] [--ping-interval 25000] [--ping-timeout 20000]
//                   [--max-payload 1000000] [--parser default|msgpack] [--exit-with-stdin 1]
//                   [--max-send-queue-bytes 16*max-payload] [--max-send-queue-packets 100000]
//                   [--max-pending-acks 1000] [--max-flood 10000]
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
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
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

void define_events(demo::namespace_def& ns, std::uint64_t max_flood) {
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
                 "[--max-pending-acks n] [--max-flood n]\n");
    return 2;
  }

  // The engines and the sockets (the adapter).
  demo::sio::server_options engine = demo::make_server_options(cli.eio, cli.parser);
  engine.max_pending_acks = cli.max_pending_acks;
  demo::net::io_context io;
  demo::server server(io, engine);

  // Socket.IO: the application.
  demo::sio_server& sio = server.sockets();
  define_events(sio.of("/"), cli.max_flood);
  define_events(sio.of("/ünïcødé-😀"), cli.max_flood);
  demo::namespace_def& admin = sio.of("/admin");
  admin.authorize = [](const demo::sio::any_value& auth) -> std::optional<std::string> {
    demo::sio::any_value token;
    if (auth.is_object() && auth.find("token", token) && token.string_equals("secret")) {
      return std::nullopt;
    }
    return std::string("not authorized");
  };
  define_events(admin, cli.max_flood);

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
