// SPDX-License-Identifier: BSL-1.0
// siocodec_server: a minimal Socket.IO server (Engine.IO v4 and v3, WebSocket and long-polling)
// on Boost.Beast and siocodec, serving the fixed test application of tests/interop.
//
//   siocodec_server [--port 0] [--host 127.0.0.1] [--ping-interval 25000] [--ping-timeout 20000]
//                   [--max-payload 1000000] [--exit-with-stdin 1]
//
// --exit-with-stdin 1 ends the server when its standard input closes, so that a test driver
// that started it with a pipe can never leave it running.
//
// Prints `listening on PORT`, then one JSON line per thing that happens (a session opens, a
// packet arrives, a CONNECT is refused, a session upgrades or closes).
//
// The application:
//   namespaces "/" and "/ünïcødé-😀" (open), "/admin" (auth {"token":"secret"}, otherwise
//   CONNECT_ERROR {"message":"not authorized"}); in each of them the events
//   echo         acks its arguments back (binary included), or emits "echo" with them
//   binary_echo  the same, with one more argument: {"attachments":N,"sizes":[...]}
//   server_ack   emits "ask" with the arguments and an ack request; the client's ack value goes
//                back as the ack of server_ack (or as an event "server_ack_result")
//   count        [n]: checks that n counts 0, 1, 2...; an ack gets {"count":N,"ordered":bool}
//   flood        [n]: emits n events "flood" [0] ... [n-1], then acks n
//   whoami       acks {"nsp":...,"id":...}
//   any other    acks its arguments back, or emits an event of the same name with them

#include "beast_io.hpp"
#include "engineio_server.hpp"
#include "socketio_server.hpp"

#include <siocodec/json/write.hpp>
#include <siocodec/socketio/args.hpp>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>

namespace {

// --- reading arguments and writing them back ---------------------------------------------------

// Writes JSON value `v` of packet `p` through a builder's writer, binary placeholders (at any
// depth) becoming attachments again: how a server re-sends what it received.
void write_copy(demo::sio::args_writer& w, const demo::sio::packet_view& p,
                const demo::json::value& v) {
  siocodec::byte_view bytes;
  if (demo::sio::resolve_placeholder(p, v, bytes)) {
    w.binary(bytes);
  } else if (v.is_array()) {
    w.begin_array();
    for (const demo::json::value& e : v.elements()) write_copy(w, p, e);
    w.end_array();
  } else if (v.is_object()) {
    w.begin_object();
    for (const demo::json::member& m : v.members()) {
      std::string key;
      (void)m.key.unescape(key);
      w.key(key);
      write_copy(w, p, m.val);
    }
    w.end_object();
  } else {
    w.raw(v.raw());  // scalars verbatim: numbers keep their digits, strings their escapes
  }
}

// The arguments of an EVENT (after its name) or an ACK, as a builder callback.
auto copy_args(const demo::sio::packet_view& p) {
  return [&p](demo::sio::args_writer& w) {
    for (const demo::sio::argument& a : demo::sio::arguments(p)) write_copy(w, p, a.json);
  };
}

// --- the JSON log lines -------------------------------------------------------------------------

std::string quoted(std::string_view s) {
  std::string out;
  if (!demo::json::encode_string(s, out)) out = "\"<not utf-8>\"";
  return out;
}

void log_line(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

std::string session_fields(const demo::session& s) {
  return "\"sid\":" + quoted(s.sid()) +
         ",\"eio\":" + (s.version() == demo::eio::protocol_version::v4 ? "4" : "3") +
         ",\"transport\":\"" + s.transport_name() + "\"";
}

void log_packet(const demo::connection& c, const demo::sio::packet_view& p) {
  std::string line = "{\"type\":\"" + std::string(demo::sio::to_string(p.type)) + "\"," +
                     session_fields(c.eio_session()) + ",\"nsp\":" + quoted(p.nsp);
  if (p.id) line += ",\"id\":" + std::to_string(*p.id);
  const demo::json::value name = demo::sio::event_name(p);
  if (name.exists()) line += ",\"name\":" + std::string(name.raw());
  if (p.data.size() <= 4096) {
    if (p.has_data()) line += ",\"data\":" + std::string(p.data);
  } else {
    line += ",\"data_size\":" + std::to_string(p.data.size());
  }
  if (p.attachment_count != 0) {
    line += ",\"attachments\":[";
    for (std::size_t i = 0; i < p.attachment_count; ++i) {
      if (i != 0) line += ',';
      line += std::to_string(p.attachment(i).size());
    }
    line += ']';
  }
  log_line(line + "}");
}

// --- the application ----------------------------------------------------------------------------

struct counter_state {
  std::uint64_t received = 0;
  bool ordered = true;
};

void define_events(demo::namespace_def& ns) {
  ns.events["echo"] = [](demo::socket& s, const demo::incoming_event& ev) {
    if (ev.ack_id) {
      s.ack(ev, copy_args(ev.packet));
    } else {
      s.emit("echo", copy_args(ev.packet));
    }
  };

  ns.events["binary_echo"] = [](demo::socket& s, const demo::incoming_event& ev) {
    const demo::sio::packet_view& p = ev.packet;
    auto with_summary = [&p](demo::sio::args_writer& w) {
      copy_args(p)(w);
      w.begin_object().member("attachments", p.attachment_count).key("sizes").begin_array();
      for (std::size_t i = 0; i < p.attachment_count; ++i) w.value(p.attachment(i).size());
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
        [asked](demo::socket& self, const demo::sio::packet_view& answer) {
          if (asked) {
            self.send(demo::sio::ack(*asked, copy_args(answer)));
          } else {
            self.emit("server_ack_result", copy_args(answer));
          }
        },
        "ask", copy_args(ev.packet));
  };

  ns.events["count"] = [](demo::socket& s, const demo::incoming_event& ev) {
    if (!s.user_data) s.user_data = std::make_shared<counter_state>();
    auto& st = *std::static_pointer_cast<counter_state>(s.user_data);
    const demo::json::value n = demo::sio::payload(ev.packet)[1];
    const auto value = n.to_uint64();
    if (!value || *value != st.received) st.ordered = false;
    ++st.received;
    s.ack(ev, demo::sio::object("count", st.received, "ordered", st.ordered));
  };

  ns.events["flood"] = [](demo::socket& s, const demo::incoming_event& ev) {
    const auto n = demo::sio::payload(ev.packet)[1].to_uint64();
    const std::uint64_t count = n ? *n : 0;
    for (std::uint64_t i = 0; i < count; ++i) s.emit("flood", i);
    s.ack(ev, count);
  };

  // Events without a handler (unicode names in the tests) come back under their own name.
  ns.unknown_event = [](demo::socket& s, const demo::incoming_event& ev) {
    if (ev.ack_id) {
      s.ack(ev, copy_args(ev.packet));
    } else {
      s.emit(ev.name, copy_args(ev.packet));
    }
  };

  ns.events["whoami"] = [](demo::socket& s, const demo::incoming_event& ev) {
    s.ack(ev, demo::sio::object("nsp", s.nsp(), "id", s.id()));
  };
}

struct cli_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  bool exit_with_stdin = false;
  demo::server_options eio;
};

bool parse_cli(int argc, char** argv, cli_options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) return false;
    const char* value = argv[++i];
    char* end = nullptr;
    const unsigned long long n = std::strtoull(value, &end, 10);
    const bool numeric = end != value && *end == '\0';
    if (arg == "--host") {
      o.host = value;
    } else if (arg == "--port" && numeric && n <= 65535) {
      o.port = static_cast<std::uint16_t>(n);
    } else if (arg == "--ping-interval" && numeric && n >= 1 && n <= 2147483647) {
      o.eio.ping_interval = static_cast<std::uint32_t>(n);
    } else if (arg == "--ping-timeout" && numeric && n >= 1 && n <= 2147483647) {
      o.eio.ping_timeout = static_cast<std::uint32_t>(n);
    } else if (arg == "--max-payload" && numeric && n >= 1) {
      o.eio.max_payload = static_cast<std::size_t>(n);
    } else if (arg == "--exit-with-stdin" && numeric) {
      o.exit_with_stdin = n != 0;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  cli_options cli;
  if (!parse_cli(argc, argv, cli)) {
    std::fprintf(stderr,
                 "usage: siocodec_server [--port 0] [--host 127.0.0.1] [--ping-interval ms] "
                 "[--ping-timeout ms] [--max-payload bytes]\n");
    return 2;
  }

  // Socket.IO: the application.
  demo::sio_server sio;
  define_events(sio.of("/"));
  define_events(sio.of("/ünïcødé-😀"));
  demo::namespace_def& admin = sio.of("/admin");
  admin.authorize = [](const demo::json::value& auth) -> std::optional<std::string> {
    demo::json::value token;
    if (auth.is_object() && auth.find("token", token) && token.string_equals("secret")) {
      return std::nullopt;
    }
    return std::string("not authorized");
  };
  define_events(admin);

  sio.on_opened = [](const demo::connection& c) {
    log_line("{\"type\":\"open\"," + session_fields(c.eio_session()) +
             ",\"b64\":" + (c.eio_session().base64_only() ? "true" : "false") + "}");
  };
  sio.on_packet = log_packet;
  sio.on_refused = [](const demo::connection& c, std::string_view nsp, std::string_view msg) {
    log_line("{\"type\":\"connect_refused\"," + session_fields(c.eio_session()) +
             ",\"nsp\":" + quoted(nsp) + ",\"message\":" + quoted(msg) + "}");
  };
  sio.on_closed = [](const demo::connection& c, std::string_view reason) {
    log_line("{\"type\":\"close\"," + session_fields(c.eio_session()) +
             ",\"reason\":" + quoted(reason) + "}");
  };

  // Engine.IO and the sockets.
  demo::net::io_context io;
  demo::server eio(io, cli.eio, sio);
  eio.on_upgrade = [](const demo::session& s) {
    log_line("{\"type\":\"upgrade\"," + session_fields(s) + "}");
  };
  auto l = std::make_shared<demo::listener>(io, eio);
  demo::beast::error_code ec;
  const std::uint16_t port = l->open(cli.host, cli.port, ec);
  if (ec) {
    std::fprintf(stderr, "siocodec_server: cannot listen on %s:%u: %s\n", cli.host.c_str(),
                 static_cast<unsigned>(cli.port), ec.message().c_str());
    return 1;
  }
  l->accept();
  log_line("listening on " + std::to_string(port));

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&io](const demo::beast::error_code&, int) { io.stop(); });
  boost::asio::posix::stream_descriptor input(io);
  char input_buffer[256];
  std::function<void()> watch_stdin = [&] {
    input.async_read_some(boost::asio::buffer(input_buffer),
                          [&](const demo::beast::error_code& e, std::size_t) {
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
