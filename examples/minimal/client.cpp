// SPDX-License-Identifier: BSL-1.0
// A complete Socket.IO client on the Beast adapter: connects (URL from argv[1]), joins "/", emits
// "echo" with a 5 s ack timeout on every connect, prints what arrives, reconnects by itself.
#include <siocodec/adapters/beast/client.hpp>

#include <iostream>

namespace sb = siocodec::adapters::beast;

int main(int argc, char** argv) {
  boost::asio::io_context io;
  sb::client client(io, argc > 1 ? argv[1] : "http://127.0.0.1:3000");
  sb::socket& s = client.socket("/");
  s.on_connect([&] {
    std::cout << "connect" << std::endl;
    s.emit_ack(
        5000, [](const sb::reply& r) { std::cout << "ack " << r.json() << std::endl; }, "echo",
        "hello", 42);
  });
  s.on_any([](sb::message& m) { std::cout << m.name() << ' ' << m.json() << std::endl; });
  s.on_disconnect([](std::string_view why) { std::cout << "disconnect " << why << std::endl; });
  io.run();
}
