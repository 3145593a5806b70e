// SPDX-License-Identifier: BSL-1.0
// examples/minimal/server.cpp over TLS (https, wss), for interop.adapter.server.tls:
//   adapter_server_tls PORT CERT.pem KEY.pem
// prints `listening on PORT` on stderr, as the minimal server does, and `disconnect: REASON`
// when a socket leaves (socket::on_disconnect).
#define SIOCODEC_BEAST_SSL 1
#include <siocodec/adapters/beast/server.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace sio = siocodec::adapters::beast;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: adapter_server_tls PORT CERT.pem KEY.pem\n");
    return 2;
  }
  boost::asio::io_context io;
  boost::asio::ssl::context tls(boost::asio::ssl::context::tls_server);
  tls.use_certificate_chain_file(argv[2]);
  tls.use_private_key_file(argv[3], boost::asio::ssl::context::pem);
  sio::server server(io);
  server.path = "/sio/";  // not the default: the driver's clients ask for it
  server.of("/").on_connect = [](sio::socket& socket) {
    socket.on_any(sio::echo);
    // The driver checks that each socket's end is told, with socket.io's reason.
    socket.on_disconnect([](sio::socket&, std::string_view why) {
      std::fprintf(stderr, "disconnect: %.*s\n", static_cast<int>(why.size()), why.data());
    });
  };
  boost::system::error_code ec;
  const auto port =
      server.listen("127.0.0.1", static_cast<std::uint16_t>(std::atoi(argv[1])), tls, ec);
  if (ec) {
    std::fprintf(stderr, "cannot listen: %s\n", ec.message().c_str());
    return 1;
  }
  std::fprintf(stderr, "listening on %u\n", port);
  io.run();
}
