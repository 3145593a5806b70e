// SPDX-License-Identifier: BSL-1.0
// The program every consumer test builds (tests/cmake/*/): decodes a real Engine.IO v4 frame
// carrying a Socket.IO v5 event, then encodes the same packet back, and fails on any difference.
#include <siocodec/siocodec.hpp>

#include <cstdio>
#include <string>
#include <string_view>

namespace eio = siocodec::engineio;
namespace sio = siocodec::socketio;

static int failures = 0;

static void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "consumer: FAILED: %s\n", what);
    ++failures;
  }
}

int main() {
  // What a WebSocket delivers for socket.emit("chat", "hi", 7) on namespace /room with ack id 12.
  const std::string_view frame = R"(42/room,12["chat","hi",7])";

  const auto e = eio::decode(frame, eio::frame_kind::text);
  check(e.has_value(), "engineio::decode succeeds");
  if (!e) return 1;
  check(e->type == eio::packet_type::message, "the frame is an Engine.IO message");
  check(e->data == R"(2/room,12["chat","hi",7])", "the message carries the Socket.IO text");

  const auto s = sio::decode(e->data);
  check(s.has_value(), "socketio::decode succeeds");
  if (!s) return 1;
  check(s->type == sio::packet_type::event, "it is an EVENT");
  check(s->nsp == "/room", "namespace /room");
  check(s->id.has_value() && *s->id == 12, "ack id 12");
  check(s->data == R"(["chat","hi",7])", "the JSON arguments");

  // And back: Socket.IO text, then the Engine.IO frame around it.
  std::string text;
  const auto st = sio::encode(*s, text);
  check(st.has_value() && text == e->data, "socketio::encode writes the same text");
  std::string out;
  const auto et = eio::encode(eio::packet_view::text(eio::packet_type::message, text), out);
  check(et.has_value() && out == frame, "engineio::encode writes the same frame");

  // A malformed frame gets a typed error with its offset, not a crash.
  const auto bad = eio::decode(std::string_view("9"), eio::frame_kind::text);
  check(!bad && bad.error() == siocodec::errc::unknown_packet_type && bad.offset() == 0,
        "an unknown packet type is refused at offset 0");

  if (failures != 0) return 1;
  std::printf("siocodec %s consumer: ok (%s)\n", SIOCODEC_VERSION_STRING, out.c_str());
  return 0;
}
