// SPDX-License-Identifier: BSL-1.0
// A complete Socket.IO echo server: every event comes back, acks are answered (port: argv[1]).
#include <siocodec/adapters/beast/server.hpp>

#include <cstdio>
#include <cstdlib>

namespace sio = siocodec::adapters::beast;

int main(int argc, char** argv) {
  boost::asio::io_context io;
  sio::server server(io);
  server.of("/").on_connect = [](sio::socket& socket) { socket.on_any(sio::echo); };
  const auto port = static_cast<std::uint16_t>(argc > 1 ? std::atoi(argv[1]) : 3000);
  std::fprintf(stderr, "listening on %u\n", server.listen("127.0.0.1", port));
  io.run();
}
