// SPDX-License-Identifier: BSL-1.0
// adapter_client: the Beast client adapter in the two situations examples/minimal/client.cpp does
// not cover, driven by run_minimal_client.js against socket.io 4.8:
//
//   adapter_client tls URL            the minimal client's program over https (a throwaway
//                                     self-signed certificate: verification is off here)
//   adapter_client backpressure URL   WebSocket only, send queue limited to 1 MiB; emits 64 KiB
//                                     events every millisecond to a server that stopped reading
//                                     and prints how it ended
//   adapter_client close URL          joins "/" and "/admin" over polling only, emits echo on
//                                     both, and close()s once both acks are in: prints
//                                     `disconnect NSP REASON` and `closed REASON`, and must exit
//   adapter_client urls               parse_url() on a table of good and bad URLs (no network;
//                                     ctest adapter.client.urls)
//
// Output: the minimal client's lines (tls), or `queue full max_queued=N limit=L` and then
// `disconnect REASON` (backpressure).
//
// The server adapter is included too: both adapters in one translation unit (a gateway, a proxy
// or a test runs a client and a server in one program) must not collide, with TLS on. Checked
// here rather than in a translation unit of its own, which cost a Beast compile (37 s) per build.
#define SIOCODEC_BEAST_SSL 1
#include <siocodec/adapters/beast/client.hpp>
#include <siocodec/adapters/beast/server.hpp>

#include <boost/asio/ssl/context.hpp>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <functional>
#include <iostream>
#include <string>

namespace sb = siocodec::adapters::beast;

namespace {

int run_tls(const char* url) {
  boost::asio::io_context io;
  boost::asio::ssl::context tls(boost::asio::ssl::context::tls_client);
  tls.set_verify_mode(boost::asio::ssl::verify_none);
  sb::client client(io, url, tls);
  sb::client_socket& s = client.socket("/");
  auto print = [](auto... a) { ((std::cout << a << ' '), ...) << std::endl; };
  auto on_ack = [&](const sb::reply& r) { print("ack", r.json()); };
  s.on_connect([&] { s.emit_ack(5000, on_ack, "echo", "hi", 42); });
  s.on_any([&](sb::message& m) { print("event", m.name(), m.json()); });
  s.on_disconnect([&](std::string_view why) { print("disconnect", why); });
  client.on_error([](std::string_view what) { std::cerr << "error: " << what << std::endl; });
  io.run();
  return 0;
}

int run_backpressure(const char* url) {
  constexpr std::size_t limit = std::size_t{1} << 20;
  boost::asio::io_context io;
  sb::client_options o;
  o.transports = sb::transports::websocket;
  o.max_send_queue_bytes = limit;
  o.reconnect.enabled = false;
  sb::client client(io, url, o);
  sb::client_socket& s = client.socket("/");
  const std::string chunk(std::size_t{64} * 1024, 'x');
  std::size_t max_queued = 0;
  bool full = false;
  boost::asio::steady_timer tick(io);
  std::function<void()> emit_more = [&] {
    if (full || !s.connected()) return;
    (void)s.emit("blob", chunk);
    max_queued = std::max(max_queued, client.queued_bytes());
    tick.expires_after(std::chrono::milliseconds(1));
    tick.async_wait([&](boost::system::error_code ec) {
      if (!ec) emit_more();
    });
  };
  s.on("paused", [&](sb::message&) { emit_more(); });
  client.on_error([&](std::string_view what) {
    if (what == "send queue full" && !full) {
      full = true;
      std::cout << "queue full max_queued=" << max_queued << " limit=" << limit << std::endl;
    }
  });
  s.on_disconnect([&](std::string_view why) {
    std::cout << "disconnect " << why << std::endl;
    tick.cancel();
  });
  io.run();
  return full ? 0 : 1;
}

int run_close(const char* url) {
  boost::asio::io_context io;
  sb::client_options o;
  o.transports = sb::transports::polling;
  sb::client client(io, url, o);
  int acks = 0;
  for (const char* nsp : {"/", "/admin"}) {
    sb::client_socket& s = client.socket(nsp);
    s.on_connect([&client, &s, &acks] {
      (void)s.emit_ack(
          5000,
          [&](const sb::reply& r) {
            if (r.ok() && ++acks == 2) client.close();
          },
          "echo", 1);
    });
    s.on_disconnect([&s](std::string_view why) {
      std::cout << "disconnect " << s.nsp() << ' ' << why << std::endl;
    });
  }
  client.on_close([](std::string_view why) { std::cout << "closed " << why << std::endl; });
  io.run();
  return acks == 2 ? 0 : 1;
}

// parse_url(): what socket.io-client accepts, and malformed input refused (never read out of
// bounds: the table includes truncated forms).
int run_urls() {
  struct good_case {
    const char* in;
    bool tls;
    const char *host, *port, *path, *query;
  };
  const good_case good[] = {
      {"http://127.0.0.1:3000", false, "127.0.0.1", "3000", "/", ""},
      {"https://example.com/chat?token=1#frag", true, "example.com", "443", "/chat", "token=1"},
      {"ws://[::1]:8080/", false, "::1", "8080", "/", ""},
      {"wss://user:pw@h", true, "h", "443", "/", ""},
      {"http://h?x=1&y=2", false, "h", "80", "/", "x=1&y=2"},
      {"http://h:65535/a/b", false, "h", "65535", "/a/b", ""},
  };
  const char* bad[] = {"",
                       "h:80",
                       "ftp://h",
                       "http://",
                       "http://:80",
                       "http://h:0",
                       "http://h:65536",
                       "http://h:12a",
                       "http://[::1",
                       "http://[::1]x",
                       "https://h:123456"};
  int failures = 0;
  for (const good_case& c : good) {
    sb::url u;
    const bool ok = sb::parse_url(c.in, u);
    if (!ok || u.tls != c.tls || u.host != c.host || u.port != c.port || u.path != c.path ||
        u.query != c.query) {
      std::cout << "FAIL " << c.in << " -> " << ok << ' ' << u.host << ' ' << u.port << ' '
                << u.path << ' ' << u.query << std::endl;
      ++failures;
    }
  }
  for (const char* in : bad) {
    sb::url u;
    if (sb::parse_url(in, u)) {
      std::cout << "FAIL accepted " << in << std::endl;
      ++failures;
    }
  }
  std::cout << failures << " failures" << std::endl;
  return failures == 0 ? 0 : 1;
}

// One of each handle type, so that a clash between the two headers' names fails here.
[[maybe_unused]] void both(sb::client& c, sb::server& s) {
  sb::client_socket& cs = c.socket("/");
  s.of("/").on_connect = [](sb::socket& ss) { ss.on_any(sb::echo); };
  cs.on_any([](sb::message&) {});
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "urls") == 0) return run_urls();
  if (argc == 3 && std::strcmp(argv[1], "tls") == 0) return run_tls(argv[2]);
  if (argc == 3 && std::strcmp(argv[1], "close") == 0) return run_close(argv[2]);
  if (argc == 3 && std::strcmp(argv[1], "backpressure") == 0) return run_backpressure(argv[2]);
  std::cerr << "usage: adapter_client tls|backpressure|close URL | urls\n";
  return 2;
}
