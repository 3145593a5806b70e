// SPDX-License-Identifier: BSL-1.0
// Compiled with tiny default limits (tests/limits/CMakeLists.txt): max payload 64 bytes, 3 packets
// per polling body, 2 attachments, JSON depth 4, namespaces of 8 bytes. Each limit must bite
// exactly at its boundary, through default-constructed options, in every decoder and encoder
// that has it: n is accepted, n + 1 refused with the documented error at the documented offset.
// Redis adapter messages: 2 names per rooms / except list (decoders and the emitter).
#include <siocodec/engineio/decode.hpp>
#include <siocodec/engineio/handshake.hpp>
#include <siocodec/engineio/payload.hpp>
#include <siocodec/engineio/webtransport.hpp>
#include <siocodec/json/validate.hpp>
#include <siocodec/socketio/default_parser/decode.hpp>
#include <siocodec/socketio/default_parser/decoder.hpp>
#include <siocodec/socketio/default_parser/encode.hpp>
#if __has_include(<siocodec/msgpack/reader.hpp>)
#include <siocodec/msgpack/reader.hpp>
#define SIOCODEC_LIMITS_HAVE_MSGPACK 1
#endif
#if __has_include(<siocodec/redis.hpp>)
#include <siocodec/redis.hpp>
#define SIOCODEC_LIMITS_HAVE_REDIS 1
#endif

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

static_assert(SIOCODEC_DEFAULT_MAX_PAYLOAD == 64, "built without the tiny limits");
static_assert(SIOCODEC_DEFAULT_MAX_ATTACHMENTS == 2, "built without the tiny limits");

namespace eio = siocodec::engineio;
namespace wt = siocodec::engineio::webtransport;
namespace sio = siocodec::socketio;
namespace json = siocodec::json;
using siocodec::errc;

namespace {

int failures = 0;
int checks = 0;

void check(bool ok, const char* what, int line) {
  ++checks;
  if (!ok) {
    ++failures;
    std::fprintf(stderr, "limits_test.cpp:%d: FAILED: %s\n", line, what);
  }
}
#define CHECK(cond) check((cond), #cond, __LINE__)

// A result that failed with `e` at `at`.
template <class R>
bool fails(const R& r, errc e, std::size_t at) {
  return !r && r.error() == e && r.offset() == at;
}

std::string text_packet(std::size_t size) { return "4" + std::string(size - 1, 'a'); }

std::string nested(std::size_t depth) {
  return std::string(depth, '[') + "1" + std::string(depth, ']');
}

void engineio_frames() {
  CHECK(eio::decode(text_packet(64), eio::frame_kind::text).has_value());
  CHECK(fails(eio::decode(text_packet(65), eio::frame_kind::text), errc::payload_too_large, 64));
  CHECK(eio::decode(std::string(64, 'x'), eio::frame_kind::binary).has_value());
  CHECK(fails(eio::decode(std::string(65, 'x'), eio::frame_kind::binary), errc::payload_too_large,
              64));
}

std::size_t count(eio::payload_reader& r) {
  std::size_t n = 0;
  for (const eio::packet_view& p : r) n += p.type == eio::packet_type::message ? 1 : 0;
  return n;
}

void engineio_payloads() {
  // The body size, v4.
  const std::string body64 = "4" + std::string(30, 'a') + "\x1e" + "4" + std::string(31, 'b');
  CHECK(body64.size() == 64);
  auto ok = eio::decode_payload(body64);
  CHECK(count(ok) == 2 && ok.error() == errc::none);
  auto big = eio::decode_payload(body64 + "c");
  CHECK(count(big) == 0 && big.error() == errc::payload_too_large && big.offset() == 64);

  // The packet count.
  auto three = eio::decode_payload("4a\x1e"
                                   "4b\x1e"
                                   "4c");
  CHECK(count(three) == 3 && three.error() == errc::none);
  auto four = eio::decode_payload("4a\x1e"
                                  "4b\x1e"
                                  "4c\x1e"
                                  "4d");
  CHECK(count(four) == 3 && four.error() == errc::too_many_packets && four.offset() == 9);

  // A v3 length: at most max_payload.
  eio::decode_options v3;
  v3.version = eio::protocol_version::v3;
  auto len64 = eio::decode_payload("64:4x", eio::frame_kind::text, v3);
  CHECK(count(len64) == 0 && len64.error() == errc::truncated);
  auto len65 = eio::decode_payload("65:4x", eio::frame_kind::text, v3);
  CHECK(count(len65) == 0 && len65.error() == errc::payload_too_large && len65.offset() == 1);

  // The resumable decoder, the same body cut in two.
  for (const std::string& body : {body64, body64 + "c"}) {
    eio::payload_decoder<> dec;
    std::size_t n = 0;
    const auto on = [&n](const eio::packet_view&) { ++n; };
    const auto a = dec.feed(std::string_view(body).substr(0, 40), on);
    const auto b = a.ok() ? dec.finish(std::string_view(body).substr(40), on) : a;
    if (body.size() == 64) {
      CHECK(b.ok() && n == 2);
    } else {
      CHECK(b.ec == errc::payload_too_large && dec.body_offset() == 64);
    }
  }
  eio::payload_decoder<> four_dec;
  const auto st = four_dec.finish("4a\x1e"
                                  "4b\x1e"
                                  "4c\x1e"
                                  "4d",
                                  [](const eio::packet_view&) {});
  CHECK(st.ec == errc::too_many_packets && four_dec.body_offset() == 9);
}

void webtransport() {
  const auto feed = [](const std::string& stream) {
    wt::stream_decoder<> dec;
    std::size_t n = 0;
    const auto st = dec.feed(stream, [&n](const eio::packet_view&) { ++n; });
    return std::make_pair(st, n);
  };
  const auto ok = feed(std::string(1, '\x40') + text_packet(64));
  CHECK(ok.first.ok() && ok.second == 1);
  // Lengths 65 and above need no extended header below 126: refused at the header byte.
  const auto big = feed(std::string(1, '\x41') + text_packet(65));
  CHECK(big.first.ec == errc::payload_too_large && big.first.consumed == 0 && big.second == 0);
  // A non-minimal 16-bit length of 64 is still 64.
  const auto ext = feed(std::string("\x7e\x00\x40", 3) + text_packet(64));
  CHECK(ext.first.ok() && ext.second == 1);
  const auto ext65 = feed(std::string("\x7e\x00\x41", 3) + text_packet(65));
  CHECK(ext65.first.ec == errc::payload_too_large && ext65.first.consumed == 0);
}

void json_depth() {
  CHECK(json::validate(nested(4)).has_value());
  CHECK(fails(json::validate(nested(5)), errc::nesting_too_deep, 4));
  CHECK(json::validate(R"({"a":{"b":{"c":{"d":1}}}})").has_value());
  CHECK(fails(json::validate(R"({"a":{"b":{"c":{"d":{}}}}})"), errc::nesting_too_deep, 20));
  // The handshake parser uses the default JSON options.
  const std::string hs = R"({"sid":"x","upgrades":[],"pingInterval":1,"pingTimeout":1,"x":)";
  CHECK(eio::parse_handshake(hs + nested(3) + "}").has_value());
  CHECK(fails(eio::parse_handshake(hs + nested(4) + "}"), errc::nesting_too_deep, hs.size() + 3));
#ifdef SIOCODEC_LIMITS_HAVE_MSGPACK
  // msgpack's depth defaults to the JSON one: fixarray 0x91 opens a level.
  const std::string mp4 = "\x91\x91\x91\x91\x01";
  const std::string mp5 = "\x91\x91\x91\x91\x91\x01";
  CHECK(siocodec::msgpack::validate(siocodec::byte_view(mp4)).has_value());
  CHECK(fails(siocodec::msgpack::validate(siocodec::byte_view(mp5)), errc::nesting_too_deep, 4));
#endif
}

void socketio_decode() {
  const std::string two = R"(52-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])";
  CHECK(sio::decode_header(two).has_value());
  const std::string three =
      R"(53-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1},)"
      R"({"_placeholder":true,"num":2}])";
  CHECK(fails(sio::decode_header(three), errc::too_many_attachments, 1));
  sio::decode_options lax;
  lax.lax = true;
  CHECK(fails(sio::decode_header(three, lax), errc::too_many_attachments, 1));

  CHECK(sio::decode("2[\"a\"," + nested(3) + "]").has_value());
  CHECK(fails(sio::decode("2[\"a\"," + nested(4) + "]"), errc::nesting_too_deep, 1 + 5 + 3));

  CHECK(sio::decode("2/abcdefg,[\"a\"]").has_value());
  CHECK(fails(sio::decode("2/abcdefgh,[\"a\"]"), errc::invalid_namespace, 1));
}

void socketio_decoder() {
  const std::string header =
      R"(52-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])";
  // max_attachment_bytes defaults to the max payload (64), max_packet_bytes to 64 * (2 + 1).
  const std::size_t room = 192 - header.size() - 64;
  for (const bool over_attachment : {false, true}) {
    for (const bool over_packet : {false, true}) {
      if (over_attachment && over_packet) continue;
      sio::decoder dec;
      CHECK(dec.feed(header, eio::frame_kind::text).error() == errc::incomplete);
      const std::string first(over_attachment ? 65 : 64, 'x');
      const auto a = dec.feed(first, eio::frame_kind::binary);
      if (over_attachment) {
        CHECK(fails(a, errc::attachment_too_large, 64));
        continue;
      }
      CHECK(a.error() == errc::incomplete);
      const std::string second(over_packet ? room + 1 : room, 'y');
      const auto b = dec.feed(second, eio::frame_kind::binary);
      if (over_packet) {
        CHECK(fails(b, errc::packet_too_large, room));
      } else {
        CHECK(b.has_value() && b->attachment_count == 2);
      }
    }
  }
  // A text message longer than max_packet_bytes is refused before it is decoded.
  sio::decoder dec;
  const std::string long_text = "2[\"" + std::string(192 - 5, 'a') + "\"]";
  CHECK(long_text.size() == 192);
  CHECK(dec.feed(long_text, eio::frame_kind::text).has_value());
  CHECK(fails(dec.feed("2[\"" + std::string(192 - 4, 'a') + "\"]", eio::frame_kind::text),
              errc::packet_too_large, 192));
}

void socketio_encode() {
  sio::packet_view p;
  p.type = sio::packet_type::binary_event;
  p.data = R"(["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])";
  p.attachment_count = 2;
  CHECK(sio::encoded_size(p).has_value());
  p.attachment_count = 3;
  CHECK(sio::encoded_size(p).error() == errc::too_many_attachments);

  // Builders: the event's own array is depth 1, so `["a",[[[1]]]]` is depth 4.
  std::string out;
  CHECK(sio::encode(sio::event("a", sio::array(sio::array(sio::array(1)))), out).has_value());
  CHECK(out == R"(2["a",[[[1]]]])");
  out.clear();
  CHECK(sio::encode(sio::event("a", sio::array(sio::array(sio::array(sio::array(1))))), out)
            .error() == errc::nesting_too_deep);
  CHECK(out.empty());
}

#ifdef SIOCODEC_LIMITS_HAVE_REDIS
// Redis adapter messages: 2 rooms per list, namespaces of 8 bytes, msgpack depth 4 for the data.
void redis_messages() {
  namespace redis = sio::redis;
  using siocodec::byte_view;
  const auto hex = [](std::string_view h) {
    std::string out;
    for (std::size_t i = 0; i + 1 < h.size(); i += 3) {
      out.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
    }
    return out;
  };
  // [uid, {type, data: <data>}, <opts>]: the data starts at offset 15.
  const auto broadcast = [&hex](std::string_view data, std::string_view opts) {
    return hex("93 a1 75 82 a4 74 79 70 65 02 a4 64 61 74 61 ") + hex(data) + hex(opts);
  };
  const auto decode = [](const std::string& m) { return redis::decode_broadcast(byte_view(m)); };
  // The rooms array starts at offset 23.
  CHECK(decode(broadcast("90 ", "81 a5 72 6f 6f 6d 73 92 a1 61 a1 62 ")).has_value());
  CHECK(fails(decode(broadcast("90 ", "81 a5 72 6f 6f 6d 73 93 a1 61 a1 62 a1 63 ")),
              errc::invalid_payload, 23));
  CHECK(decode(broadcast("91 91 91 90 ", "80 ")).has_value());
  CHECK(fails(decode(broadcast("91 91 91 91 90 ", "80 ")), errc::nesting_too_deep, 19));
  // {type, data, nsp: <8 or 9 bytes>}: the nsp value at offset 20.
  const std::string head = hex("93 a1 75 83 a4 74 79 70 65 02 a4 64 61 74 61 90 a3 6e 73 70 ");
  CHECK(decode(head + "\xa8/2345678" + hex("80 ")).has_value());
  CHECK(fails(decode(head + "\xa9/23456789" + hex("80 ")), errc::invalid_namespace, 20));
  CHECK(redis::decode_request(
            byte_view(std::string(R"({"type":0,"requestId":"q","rooms":["a","b"]})")))
            .has_value());
  CHECK(redis::decode_request(
            byte_view(std::string(R"({"type":0,"requestId":"q","rooms":["a","b","c"]})")))
            .error() == errc::invalid_payload);
  // The emitter keeps 2 names per list.
  std::string ch, msg;
  const redis::emitter e;
  CHECK(e.to("a").to("b").emit(ch, msg, sio::event("x")).has_value());
  CHECK(e.to("a").to("b").to("c").emit(ch, msg, sio::event("x")).error() == errc::invalid_argument);
}
#endif

}  // namespace

int main() {
  engineio_frames();
  engineio_payloads();
  webtransport();
  json_depth();
  socketio_decode();
  socketio_decoder();
  socketio_encode();
#ifdef SIOCODEC_LIMITS_HAVE_REDIS
  redis_messages();
#endif
  std::printf("limits: %d checks, %d failed\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
