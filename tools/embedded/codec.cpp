// SPDX-License-Identifier: BSL-1.0
// The codec on a microcontroller (docs/embedded.md): decodes one Socket.IO EVENT, reads
// its arguments (a string, a number with a fraction, an integer), and encodes the answer event
// into a caller buffer. SIOCODEC_EMBEDDED_MSGPACK=1 builds the same client over the msgpack
// parser. The inputs are volatile so that the compiler cannot fold the work away: what links is
// what a real client that reads frames from a socket links.
// config.hpp's default assertion handler prints with fprintf: 5 KB of newlib's stdio. It fires
// only on API misuse, never on wire input, so a device traps instead (docs/embedded.md).
#define SIOCODEC_ASSERT(cond) ((cond) ? static_cast<void>(0) : __builtin_trap())
#include <siocodec/socketio/packet.hpp>
#if SIOCODEC_EMBEDDED_MSGPACK
#include <siocodec/socketio/msgpack_parser/args.hpp>
#include <siocodec/socketio/msgpack_parser/decode.hpp>
#include <siocodec/socketio/msgpack_parser/encode.hpp>
#else
#include <siocodec/socketio/default_parser/args.hpp>
#include <siocodec/socketio/default_parser/decode.hpp>
#include <siocodec/socketio/default_parser/encode.hpp>
#endif

#include "alloc_count.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sio = siocodec::socketio;

namespace {

#if SIOCODEC_EMBEDDED_MSGPACK
// {"type":2,"nsp":"/chat","data":["reading",{"t":21.5,"id":42}],"id":7}, as notepack.io writes it.
volatile unsigned char frame[] = {0x84, 0xa4, 't',  'y',  'p',  'e',  0x02, 0xa3, 'n',  's',  'p',
                                  0xa5, '/',  'c',  'h',  'a',  't',  0xa4, 'd',  'a',  't',  'a',
                                  0x92, 0xa7, 'r',  'e',  'a',  'd',  'i',  'n',  'g',  0x82, 0xa1,
                                  't',  0xcb, 0x40, 0x35, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0xa2,
                                  'i',  'd',  0x2a, 0xa2, 'i',  'd',  0x07};
#else
volatile char frame[] = R"(2/chat,7["reading",{"t":21.5,"id":42}])";
#endif
volatile double result_t;
volatile std::int64_t result_id;
volatile std::size_t result_size;

int run() noexcept {
  // A receive buffer, as a socket driver fills it.
  static unsigned char rx[sizeof frame];
  for (std::size_t i = 0; i < sizeof frame; ++i) rx[i] = static_cast<unsigned char>(frame[i]);
#if SIOCODEC_EMBEDDED_MSGPACK
  const auto p = sio::msgpack_parser::decode(siocodec::byte_view(rx, sizeof rx));
#else
  const auto p = sio::decode(std::string_view(reinterpret_cast<const char*>(rx), sizeof rx - 1));
#endif
  if (!p) return 1;
  if (!sio::event_name(*p).string_equals("reading")) return 2;
  std::uint64_t ack = p->id ? *p->id : 0;
  for (const auto& a : sio::arguments(*p)) {
#if SIOCODEC_EMBEDDED_MSGPACK
    const auto& v = a;
    siocodec::msgpack::value t, id;
#else
    const auto& v = a.json;
    siocodec::json::value t, id;
#endif
    if (!v.find("t", t) || !v.find("id", id)) return 3;
    const auto td = t.to_double();
    const auto iv = id.to_int64();
    if (!td || !iv) return 4;
    result_t = *td;
    result_id = *iv;
  }
  // The answer: the ACK to the event's id with the reading back, and an event of our own.
  static char tx[128];
  const double t = result_t;
#if SIOCODEC_EMBEDDED_MSGPACK
  namespace enc = sio::msgpack_parser;
#else
  namespace enc = sio;
#endif
  const auto n = enc::encode_to(tx, sizeof tx, sio::ack(ack, "ok").nsp("/chat"));
  if (!n) return 5;
  const auto m =
      enc::encode_to(tx, sizeof tx, sio::event("measure", t * 1.5, result_id, "C").nsp("/chat"));
  if (!m) return 6;
  result_size = *n + *m;
  return 0;
}

}  // namespace

int main() {
  const int r = run();
  return siocodec_embedded::report("codec", r);
}
