// SPDX-License-Identifier: BSL-1.0
// The -fno-exceptions -fno-rtti backstop: a program without a test framework (Catch2 needs
// exceptions unless told otherwise) that includes every header of the library and decodes and
// encodes through each layer. Returns non-zero on the first wrong result. Expected values are
// what the npm reference parsers produce (engine.io-parser 5.2.3, socket.io-parser 4.2.7).
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
#error "tests/noexcept must be compiled with -fno-exceptions"
#endif
#if defined(__cpp_rtti) || defined(__GXX_RTTI)
#error "tests/noexcept must be compiled with -fno-rtti"
#endif

#include <siocodec/engineio/handshake.hpp>
#include <siocodec/engineio/webtransport.hpp>
#include <siocodec/error_code.hpp>
#include <siocodec/json/json.hpp>
#include <siocodec/siocodec.hpp>
#include <siocodec/socketio/default_parser/args.hpp>
#include <siocodec/socketio/default_parser/decode.hpp>
#include <siocodec/socketio/default_parser/decoder.hpp>
#include <siocodec/socketio/default_parser/encode.hpp>
#include <siocodec/socketio/default_parser/frames.hpp>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

static_assert(SIOCODEC_HAS_EXCEPTIONS == 0, "config.hpp must detect -fno-exceptions");

namespace {

namespace eio = siocodec::engineio;
namespace sio = siocodec::socketio;
namespace json = siocodec::json;
namespace b64 = siocodec::base64;
using siocodec::byte_view;
using siocodec::errc;
using namespace std::string_view_literals;

int failures = 0;

void check(bool ok, const char* what, int line) {
  if (!ok) {
    std::fprintf(stderr, "noexcept_test.cpp:%d: FAILED: %s\n", line, what);
    ++failures;
  }
}
#define CHECK(cond) check(static_cast<bool>(cond), #cond, __LINE__)

const unsigned char bytes_0102[] = {1, 2, 3, 4};
const byte_view b1234(bytes_0102, 4);

void test_base64() {
  std::string text;
  CHECK(b64::encode(b1234, text) && text == "AQIDBA==");
  std::string raw;
  CHECK(b64::decode("AQIDBA=="sv, raw) && byte_view(raw) == b1234);
  const auto bad = b64::decoded_size("AQI*"sv);
  CHECK(!bad && bad.error() == errc::invalid_base64 && bad.offset() == 3);
}

void test_json() {
  CHECK(json::validate(R"({"a":[1,2.5e3,"x\u00e9"]})"sv).value_or(json::kind::null) ==
        json::kind::object);
  const auto bad = json::validate("[1,]"sv);
  CHECK(!bad && bad.offset() == 3);
  const auto v = json::parse(R"({"n":42,"s":"a\"b"})"sv);
  CHECK(v.has_value());
  json::value n, s;
  CHECK(v && v->find("n", n) && n.to_uint64().value_or(0) == 42);
  std::string unescaped;
  CHECK(v && v->find("s", s) && s.unescape(unescaped) && unescaped == "a\"b");
  std::string quoted;
  CHECK(json::encode_string("tab\there"sv, quoted) && quoted == R"("tab\there")");
}

void test_engineio() {
  const auto msg = eio::decode("4hello"sv, eio::frame_kind::text);
  CHECK(msg && msg->type == eio::packet_type::message && msg->data == "hello");
  const auto b = eio::decode("bAQIDBA=="sv, eio::frame_kind::text);
  CHECK(b && b->kind == eio::data_kind::base64 && b->data == "AQIDBA==");
  const auto bad = eio::decode("7"sv, eio::frame_kind::text);
  CHECK(!bad && bad.error() == errc::unknown_packet_type);

  std::string frame;
  CHECK(eio::encode(eio::packet_view::text(eio::packet_type::ping, "probe"), frame) &&
        frame == "2probe");
  char fixed[4];
  const auto small =
      eio::encode_to(fixed, eio::packet_view::text(eio::packet_type::message, "hi!!"));
  CHECK(!small && small.error() == errc::output_too_small);
  std::string text_only;
  eio::encode_options no_binary;
  no_binary.supports_binary = false;
  CHECK(eio::encode(eio::packet_view::binary(b1234), text_only, no_binary) &&
        text_only == "bAQIDBA==");

  // Polling bodies, one-shot and in chunks.
  // \036 is the record separator 0x1E (octal: a hex escape would swallow the next digit).
  const std::string_view body = "4hello\0362\036bAQIDBA==";
  auto reader = eio::decode_payload(body);
  std::size_t n = 0;
  for (const eio::packet_view& p : reader) {
    if (n == 0) CHECK(p.data == "hello");
    if (n == 2) CHECK(p.kind == eio::data_kind::base64);
    ++n;
  }
  CHECK(n == 3 && reader.error() == errc::none);
  eio::payload_decoder<> chunked;
  std::size_t m = 0;
  const auto on_packet = [&m](const eio::packet_view&) { ++m; };
  CHECK(chunked.feed(body.substr(0, 5), on_packet));
  CHECK(chunked.finish(body.substr(5), on_packet));
  CHECK(m == 3);
  const eio::packet_view packets[] = {eio::packet_view::text(eio::packet_type::message, "a"),
                                      eio::packet_view::text(eio::packet_type::noop)};
  std::string encoded_body;
  CHECK(eio::encode_payload(packets, 2, encoded_body) && encoded_body == "4a\0366");

  // WebTransport records.
  std::string record;
  CHECK(eio::webtransport::encode(eio::packet_view::text(eio::packet_type::message, "hi"), record));
  CHECK(record == "\0034hi");  // length 3, then the packet
  eio::webtransport::stream_decoder<> stream;
  std::string got;
  CHECK(stream.feed(std::string_view(record),
                    [&got](const eio::packet_view& p) { got.assign(p.data); }));
  CHECK(got == "hi" && stream.at_record_boundary());
  // A 2^53-1 announcement with max_payload = SIZE_MAX: the storage grows with the bytes that
  // arrive, so nothing asks the allocator for the announced length (which aborted here before).
  eio::decode_options unlimited;
  unlimited.max_payload = static_cast<std::size_t>(-1);
  eio::webtransport::stream_decoder<> huge(unlimited);
  const char announce[] = {'\xff', '\x00', '\x1f', '\xff', '\xff',
                           '\xff', '\xff', '\xff', '\xff', 'x'};
  CHECK(huge.feed(std::string_view(announce, sizeof announce), [](const eio::packet_view&) {}));
  CHECK(huge.state() == eio::webtransport::stream_state::payload);

  // The handshake.
  const auto h = eio::parse_handshake(
      R"({"sid":"abc","upgrades":["websocket"],"pingInterval":300,"pingTimeout":200,"maxPayload":1000})"sv);
  CHECK(h && h->sid == "abc" && h->ping_interval == 300 && h->max_payload.value_or(0) == 1000);
  std::string open;
  CHECK(h && eio::encode_handshake(*h, open) && eio::parse_handshake(open));
}

void test_socketio() {
  const auto p = sio::decode(R"(2/admin,13["chat","hi",7])"sv);
  CHECK(p && p->type == sio::packet_type::event && p->nsp == "/admin" && p->id.value_or(0) == 13);
  CHECK(p && sio::event_name(*p).string_equals("chat") && sio::arguments(*p).size() == 2);
  std::string text;
  CHECK(p && sio::encode(*p, text) && text == R"(2/admin,13["chat","hi",7])");
  const auto reserved = sio::decode(R"(2["connect"])"sv);
  CHECK(!reserved);

  // The builder, with a binary argument that becomes a placeholder and an attachment.
  sio::attachment_list<4> atts;
  std::string built;
  CHECK(sio::encode(sio::event("up", b1234).nsp("/f"), built, atts));
  CHECK(built == R"(51-/f,["up",{"_placeholder":true,"num":0}])" && atts.size() == 1);

  // Reassembly: the header, then the attachment frame.
  sio::decoder d;
  const auto header = d.feed(std::string_view(built), eio::frame_kind::text);
  CHECK(!header && header.error() == errc::incomplete && d.waiting());
  const auto whole = d.feed(b1234, eio::frame_kind::binary);
  CHECK(whole && whole->attachment_count == 1 && whole->attachment(0) == b1234);
  std::size_t binary_args = 0;
  if (whole) {
    for (const sio::argument& a : sio::arguments(*whole)) binary_args += a.is_binary ? 1 : 0;
  }
  CHECK(binary_args == 1);

  // Down to Engine.IO frames for a WebSocket: one text frame, one binary frame.
  std::string storage;
  std::vector<std::string> frames;
  const auto sent =
      sio::encode_frames(*whole, storage, eio::transport_options{}, [&frames](const eio::frame& f) {
        frames.emplace_back(f.prefix);
        frames.back() += f.data;
      });
  CHECK(sent && frames.size() == 2 && frames[0] == "4" + built && byte_view(frames[1]) == b1234);
}

void test_errors() {
  CHECK(std::string_view(siocodec::to_string(errc::invalid_base64)) == "invalid_base64");
  const std::error_code ec = siocodec::make_error_code(errc::payload_too_large);
  CHECK(ec && std::string_view(ec.category().name()) == "siocodec");
}

}  // namespace

int main() {
  test_base64();
  test_json();
  test_engineio();
  test_socketio();
  test_errors();
  if (failures != 0) {
    std::fprintf(stderr, "noexcept_test: %d failure(s)\n", failures);
    return 1;
  }
  std::printf("noexcept_test: all passed\n");
  return 0;
}
