// SPDX-License-Identifier: BSL-1.0
// Both Beast adapters in one translation unit (a gateway, a proxy or a test runs a client and a
// server in one program): their public names must not collide. Compiled, not run.
#include <siocodec/adapters/beast/client.hpp>
#include <siocodec/adapters/beast/server.hpp>

namespace sb = siocodec::adapters::beast;

// One of each handle type, so that a clash between the two headers' names fails here.
[[maybe_unused]] static void both(sb::client& c, sb::server& s) {
  sb::client_socket& cs = c.socket("/");
  s.of("/").on_connect = [](sb::socket& ss) { ss.on_any(sb::echo); };
  cs.on_any([](sb::message&) {});
}
