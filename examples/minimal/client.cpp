// SPDX-License-Identifier: BSL-1.0
// A complete Socket.IO client on the Beast adapter (README, "Integration"): connects to argv[1],
// joins "/", emits "echo" with a 5 s ack timeout on every (re)connection, prints the ack, the
// events and the disconnections; reconnection is the adapter's (socket.io-client's defaults).
// 14 lines of user code: the includes, the namespace alias and main.
#include <siocodec/adapters/beast/client.hpp>

#include <iostream>

namespace sb = siocodec::adapters::beast;

int main(int argc, char** argv) {
  boost::asio::io_context io;
  sb::client client(io, argc > 1 ? argv[1] : "http://127.0.0.1:3000");
  sb::client_socket& s = client.socket("/");
  auto print = [](auto... a) { ((std::cout << a << ' '), ...) << std::endl; };
  auto on_ack = [&](const sb::reply& r) { print("ack", r.json()); };
  s.on_connect([&] { s.emit_ack(5000, on_ack, "echo", "hi", 42); });
  s.on_any([&](sb::message& m) { print("event", m.name(), m.json()); });
  s.on_disconnect([&](std::string_view why) { print("disconnect", why); });
  io.run();
}
