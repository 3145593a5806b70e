// SPDX-License-Identifier: BSL-1.0
// siocodec_chat: a real-time chat for browsers on Boost.Beast and siocodec (docs/chat.md). One
// process serves the page (public/), the socket.io-client browser bundle from its npm package,
// and Socket.IO on /socket.io/ (WebSocket, or long-polling when the page asks for it).
//
//   siocodec_chat [--port 8080] [--host 127.0.0.1] [--public DIR] [--client-js FILE]
//                 [--max-payload 8000000] [--ping-interval 25000] [--ping-timeout 20000]
//                 [--exit-with-stdin 1]
//
// Prints `chat: open http://HOST:PORT/` once listening (--port 0 picks a free port), then one
// line per user who connects or leaves. Ctrl-C (SIGINT) or SIGTERM stops it.

#include "chat_rooms.hpp"
#include "cli.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>

#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#ifndef SIOCODEC_CHAT_PUBLIC_DIR
#define SIOCODEC_CHAT_PUBLIC_DIR "public"
#endif
#ifndef SIOCODEC_CHAT_CLIENT_JS
#define SIOCODEC_CHAT_CLIENT_JS "node_modules/socket.io-client/dist/socket.io.min.js"
#endif

namespace {

struct cli_options : demo::server_cli {
  std::string public_dir = SIOCODEC_CHAT_PUBLIC_DIR;
  std::string client_js = SIOCODEC_CHAT_CLIENT_JS;
  cli_options() {
    port = 8080;
    // Images travel as one binary attachment each: allow a few megabytes.
    eio.max_payload = 8000000;
  }
};

bool parse_cli(int argc, char** argv, cli_options& o) {
  return demo::parse_cli(argc, argv, o, [&o](const demo::cli_arg& a) {
    if (a.name == "--public") {
      o.public_dir = a.value;
    } else if (a.name == "--client-js") {
      o.client_js = a.value;
    } else {
      return false;
    }
    return true;
  });
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The static files: a fixed table of URL paths, so that no request can name another file.
struct static_file {
  std::string path;
  std::string content_type;
};

std::map<std::string, static_file, std::less<>> static_files(const cli_options& o) {
  const std::string js = "text/javascript; charset=utf-8";
  return {
      {"/", {o.public_dir + "/index.html", "text/html; charset=utf-8"}},
      {"/index.html", {o.public_dir + "/index.html", "text/html; charset=utf-8"}},
      {"/chat.js", {o.public_dir + "/chat.js", js}},
      {"/chat.css", {o.public_dir + "/chat.css", "text/css; charset=utf-8"}},
      {"/favicon.svg", {o.public_dir + "/favicon.svg", "image/svg+xml"}},
      // Where the reference server serves its client bundle too (serveClient).
      {"/socket.io/socket.io.min.js", {o.client_js, js}},
      {"/socket.io/socket.io.min.js.map", {o.client_js + ".map", "application/json"}},
  };
}

void log_line(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  cli_options cli;
  if (!parse_cli(argc, argv, cli)) {
    std::fprintf(stderr, "usage: siocodec_chat [--port 8080] [--host 127.0.0.1] [--public DIR] "
                         "[--client-js FILE] [--max-payload bytes] [--ping-interval ms] "
                         "[--ping-timeout ms] [--exit-with-stdin 1]\n");
    return 2;
  }
  // Checked once at start: a missing bundle is a setup problem (npm ci in examples/chat).
  if (!read_file(cli.client_js)) {
    std::fprintf(stderr,
                 "siocodec_chat: cannot read the socket.io-client bundle %s\n"
                 "  run tools/setup.sh (npm ci in examples/chat), or pass --client-js FILE\n",
                 cli.client_js.c_str());
    return 1;
  }
  if (!read_file(cli.public_dir + "/index.html")) {
    std::fprintf(stderr, "siocodec_chat: cannot read %s/index.html (pass --public DIR)\n",
                 cli.public_dir.c_str());
    return 1;
  }

  // The application lives longer than the Socket.IO server, whose sockets unregister from it.
  // Recovery offsets carry the start time: those of a previous run never match.
  chat::rooms chat_rooms({}, static_cast<std::uint64_t>(std::time(nullptr)));
  demo::net::io_context io;
  // Connection state recovery (socket.io's connectionStateRecovery): a browser that loses its
  // transport gets back its id, its room and what it missed (chat_rooms.hpp keeps the store).
  demo::sio::server_options engine =
      demo::make_server_options(cli.eio, demo::sio::parser_kind::json);
  engine.recovery = true;
  demo::server server(io, engine);
  chat_rooms.install(server.of("/"));
  chat_rooms.on_log = log_line;
  server.sockets().on_refused = [](const demo::session&, std::string_view,
                                   std::string_view message) {
    log_line("chat: connection refused: " + std::string(message));
  };
  server.on_other_request = [files = static_files(cli)](
                                const demo::target& t,
                                const demo::http::request<demo::http::string_body>& req) {
    auto it = files.find(t.path);
    if (it == files.end()) return demo::http_reply{404, "text/plain; charset=UTF-8", "not found"};
    if (req.method() != demo::http::verb::get) {
      return demo::http_reply{405, "text/plain; charset=UTF-8", "method not allowed"};
    }
    // Read on every request: edits to the page show on reload.
    auto body = read_file(it->second.path);
    if (!body) return demo::http_reply{404, "text/plain; charset=UTF-8", "not found"};
    return demo::http_reply{200, it->second.content_type, std::move(*body)};
  };

  boost::system::error_code ec;
  const std::uint16_t port = server.listen(cli.host, cli.port, ec);
  if (ec) {
    std::fprintf(stderr, "siocodec_chat: cannot listen on %s:%u: %s\n", cli.host.c_str(),
                 static_cast<unsigned>(cli.port), ec.message().c_str());
    return 1;
  }
  const bool ipv6 = cli.host.find(':') != std::string::npos;
  log_line("chat: open http://" + (ipv6 ? "[" + cli.host + "]" : cli.host) + ":" +
           std::to_string(port) + "/");

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& e, int sig) {
    if (e) return;
    log_line(std::string("chat: ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") + ", stopping");
    chat_rooms.shut_down();
    io.stop();
  });
  boost::asio::posix::stream_descriptor input(io);
  char input_buffer[256];
  std::function<void()> watch_stdin = [&] {
    input.async_read_some(boost::asio::buffer(input_buffer),
                          [&](const boost::system::error_code& e, std::size_t) {
                            if (e) {  // EOF: the test driver is gone
                              chat_rooms.shut_down();
                              return io.stop();
                            }
                            watch_stdin();
                          });
  };
  if (cli.exit_with_stdin) {
    input.assign(::dup(0));
    watch_stdin();
  }
  io.run();
  chat_rooms.shut_down();
  return 0;
}
