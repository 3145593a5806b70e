// SPDX-License-Identifier: BSL-1.0
// One regression test per security advisory of protocol.md §4 whose lesson concerns a codec,
// named after it, with the advisory's own triggering input where it has one. The reference
// parsers' answers (socket.io-parser 4.2.7, engine.io-parser 5.2.3) are in the vector files; here
// the point is that siocodec refuses each attack where the advisory says a codec should, and
// that no state survives it. Advisories about transports, ids, CORS or TLS are listed in
// docs/security.md as out of the codec's scope.
#include <siocodec/engineio/decode.hpp>
#include <siocodec/engineio/handshake.hpp>
#include <siocodec/engineio/payload.hpp>
#include <siocodec/engineio/webtransport.hpp>
#include <siocodec/json/json.hpp>
#include <siocodec/socketio/default_parser/args.hpp>
#include <siocodec/socketio/default_parser/decode.hpp>
#include <siocodec/socketio/default_parser/decoder.hpp>

#include "support/catch.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace eio = siocodec::engineio;
namespace wt = siocodec::engineio::webtransport;
namespace sio = siocodec::socketio;
using siocodec::byte_view;
using siocodec::errc;

namespace {

sio::decode_options sio_opts(bool lax, sio::protocol_version v = sio::protocol_version::v5) {
  sio::decode_options o;
  o.lax = lax;
  o.version = v;
  return o;
}

// A placeholder object for attachment `num` (a JSON number or anything else, as written).
std::string placeholder(std::string_view num) {
  return "{\"_placeholder\":true,\"num\":" + std::string(num) + "}";
}

const byte_view attachment("\x01\x02\x03", 3);

}  // namespace

TEST_CASE("CVE-2020-36049: huge digit runs are bounded at the first digit too many") {
  // The advisory's body: a v3 polling payload `99999991:4` whose Socket.IO packet is `2`
  // followed by digits (an ack id that never ends). The reference built the number by string
  // concatenation and ran out of memory.
  const std::string digits(100000, '2');
  const std::string body = "99999991:4" + digits;
  eio::decode_options o;
  o.version = eio::protocol_version::v3;
  auto reader = eio::decode_payload(body, eio::frame_kind::text, o);
  std::size_t packets = 0;
  for (const eio::packet_view& p : reader) packets += p.data.size() + 1;
  CHECK(packets == 0);
  // The seventh length digit takes the announced length (9,999,999) past max_payload (10^6):
  // refused there, before any of the body is looked at.
  CHECK(reader.error() == errc::payload_too_large);
  CHECK(reader.offset() == 6);
  eio::payload_decoder<> dec(eio::frame_kind::text, o);
  const siocodec::decode_status st = dec.finish(body, [](const eio::packet_view&) {});
  CHECK(st.ec == errc::payload_too_large);
  CHECK(dec.body_offset() == 6);

  // The Socket.IO packet itself: the ack id overflows at its first digit past 2^64 - 1, the
  // namespace and attachment count likewise (the 100 MB versions: huge_input_test.cpp).
  for (const bool lax : {false, true}) {
    const std::string ack = "2" + digits + "[\"a\"]";
    const auto a = sio::decode_header(ack, sio_opts(lax));
    CHECK(a.error() == errc::ack_id_overflow);
    CHECK(a.offset() == 1);
    const auto n = sio::decode_header("2/nsp," + digits + "[\"a\"]", sio_opts(lax));
    CHECK(n.error() == errc::ack_id_overflow);
    CHECK(n.offset() == 6);
    sio::decode_options small = sio_opts(lax);
    small.max_ack_id = 1000;
    const auto s = sio::decode_header("21001[\"a\"]", small);
    CHECK(s.error() == errc::ack_id_overflow);
    CHECK(sio::decode_header("21000[\"a\"]", small).has_value());
  }
  // 2^64 - 1 is the largest id; one more overflows.
  const auto max = sio::decode_header("218446744073709551615[\"a\"]");
  REQUIRE(max.has_value());
  CHECK(max->id == std::uint64_t{18446744073709551615u});
  CHECK(sio::decode_header("218446744073709551616[\"a\"]").error() == errc::ack_id_overflow);
}

TEST_CASE("CVE-2022-2421: a placeholder must be {_placeholder:true, num:<index < count>}") {
  for (const bool lax : {false, true}) {
    for (const char* num : {"\"splice\"", "10", "1", "-1", "0.5", "\"0\"", "null", "1e0"}) {
      const std::string text = "51-[\"hello\"," + placeholder(num) + "]";
      INFO(text << " lax=" << lax);
      const auto r = sio::decode_header(text, sio_opts(lax));
      CHECK(r.error() == errc::invalid_placeholder);
      // The reassembler refuses the header before buffering anything; the attachment that
      // follows then arrives to an idle decoder.
      sio::decoder dec(sio_opts(lax));
      CHECK(dec.feed(text, eio::frame_kind::text).error() == errc::invalid_placeholder);
      CHECK(dec.state() == sio::decoder_state::idle);
      CHECK(dec.feed(attachment, eio::frame_kind::binary).error() == errc::unexpected_binary_frame);
    }
    // The valid form, for contrast.
    const std::string ok = "51-[\"hello\"," + placeholder("0") + "]";
    sio::decoder dec(sio_opts(lax));
    CHECK(dec.feed(ok, eio::frame_kind::text).error() == errc::incomplete);
    const auto r = dec.feed(attachment, eio::frame_kind::binary);
    REQUIRE(r.has_value());
    REQUIRE(r->attachment_count == 1);
    CHECK(r->attachment(0).size() == 3);
  }
}

TEST_CASE("CVE-2023-32695: an event name must be a string or a number") {
  for (const bool lax : {false, true}) {
    for (const auto v : {sio::protocol_version::v5, sio::protocol_version::v4}) {
      for (const char* text : {R"(2[{"toString":"foo"}])", R"(2[["a"]])", R"(2[null])",
                               R"(2[true])", R"(21[{"toString":"foo"}])"}) {
        INFO(text << " lax=" << lax);
        const auto r = sio::decode_header(text, sio_opts(lax, v));
        CHECK(r.error() == errc::invalid_event_name);
        CHECK(r.offset() == std::string_view(text).find('[') + 1);
      }
      for (const char* text : {R"(2["a"])", R"(2[42])"}) {
        INFO(text);
        CHECK(sio::decode_header(text, sio_opts(lax, v)).has_value());
      }
    }
  }
}

TEST_CASE("CVE-2024-38355: 'error' is an ordinary event to the parser") {
  // The crash was in the application's EventEmitter; the parser reserves no such name, and
  // neither does siocodec: the application must not map event names onto its own events.
  for (const bool lax : {false, true}) {
    const auto r = sio::decode_header(R"(2["error","x"])", sio_opts(lax));
    REQUIRE(r.has_value());
    CHECK(sio::event_name(*r).string_equals("error"));
    // The names protocol v5 does reserve are refused at the name.
    for (const char* name : {"connect", "connect_error", "disconnect", "disconnecting",
                             "newListener", "removeListener"}) {
      const std::string text = std::string("2[\"") + name + "\"]";
      INFO(text);
      const auto reserved = sio::decode_header(text, sio_opts(lax));
      CHECK(reserved.error() == errc::reserved_event_name);
      CHECK(reserved.offset() == 2);
    }
  }
}

TEST_CASE("CVE-2026-33151: the attachment count is capped before anything is buffered") {
  for (const bool lax : {false, true}) {
    const auto huge = sio::decode_header(R"(599999999999999999999-["a"])", sio_opts(lax));
    CHECK(huge.error() == errc::too_many_attachments);
    CHECK(huge.offset() == 1);
    const auto eleven = sio::decode_header(R"(511-["a"])", sio_opts(lax));
    CHECK(eleven.error() == errc::too_many_attachments);
    // Ten, the default limit, is accepted.
    std::string ten = "510-[\"a\"";
    for (int i = 0; i < 10; ++i) ten += "," + placeholder(std::to_string(i));
    ten += "]";
    CHECK(sio::decode_header(ten, sio_opts(lax)).has_value());
    // The reassembler: the hostile header leaves it idle, and every binary frame after it is
    // refused instead of buffered.
    sio::decoder dec(sio_opts(lax));
    CHECK(dec.feed(std::string_view(R"(599999999999999999999-["a"])"), eio::frame_kind::text)
              .error() == errc::too_many_attachments);
    for (int i = 0; i < 100; ++i) {
      CHECK(dec.feed(attachment, eio::frame_kind::binary).error() == errc::unexpected_binary_frame);
    }
    CHECK(dec.allocated_bytes() == 0);
    // The total bytes of the attachments are bounded too.
    sio::decode_options small = sio_opts(lax);
    small.max_attachment_bytes = 2;
    sio::decoder bounded(small, sio::attachment_mode::copy);
    const std::string one = "51-[\"a\"," + placeholder("0") + "]";
    CHECK(bounded.feed(one, eio::frame_kind::text).error() == errc::incomplete);
    CHECK(bounded.feed(attachment, eio::frame_kind::binary).error() == errc::attachment_too_large);
    CHECK(bounded.state() == sio::decoder_state::idle);
  }
}

TEST_CASE("CVE-2026-69185: a header must announce at least one attachment") {
  for (const bool lax : {false, true}) {
    for (const char* text : {R"(50-["a"])", R"(5-["a"])", R"(60-["a"])", R"(500-["a"])"}) {
      INFO(text << " lax=" << lax);
      const auto r = sio::decode_header(text, sio_opts(lax));
      CHECK(r.error() == errc::invalid_attachment_count);
      // No reconstructor left armed: the decoder is idle and the binary frames that follow
      // are refused, not appended.
      sio::decoder dec(sio_opts(lax));
      CHECK(dec.feed(std::string_view(text), eio::frame_kind::text).error() ==
            errc::invalid_attachment_count);
      CHECK(dec.state() == sio::decoder_state::idle);
      for (int i = 0; i < 20; ++i) {
        CHECK(dec.feed(attachment, eio::frame_kind::binary).error() ==
              errc::unexpected_binary_frame);
      }
      CHECK(dec.allocated_bytes() == 0);
    }
    // After a complete binary packet the decoder is idle again as well.
    sio::decoder dec(sio_opts(lax), sio::attachment_mode::copy);
    const std::string one = "51-[\"a\"," + placeholder("0") + "]";
    CHECK(dec.feed(one, eio::frame_kind::text).error() == errc::incomplete);
    CHECK(dec.feed(attachment, eio::frame_kind::binary).has_value());
    CHECK(dec.state() == sio::decoder_state::idle);
    CHECK(dec.feed(attachment, eio::frame_kind::binary).error() == errc::unexpected_binary_frame);
  }
}

TEST_CASE("CVE-2020-36048: a body over max_payload is refused before it is read") {
  // Garbage from the first byte: the size check comes first, at offset max_payload.
  const std::string body(std::size_t{SIOCODEC_DEFAULT_MAX_PAYLOAD} + 1, '\xff');
  for (const auto version : {eio::protocol_version::v4, eio::protocol_version::v3}) {
    eio::decode_options o;
    o.version = version;
    const auto r = eio::decode_payload(body, eio::frame_kind::text, o);
    CHECK(r.error() == errc::payload_too_large);
    CHECK(r.offset() == SIOCODEC_DEFAULT_MAX_PAYLOAD);
  }
  // A body of exactly max_payload bytes is read.
  const std::string full = "4" + std::string(SIOCODEC_DEFAULT_MAX_PAYLOAD - 1, 'x');
  CHECK(eio::decode_payload(full, eio::frame_kind::text).error() == errc::none);
  // A single frame, and a WebTransport record announcing more than max_payload (refused at its
  // header: nothing is buffered).
  CHECK(eio::decode(full + "x", eio::frame_kind::text).error() == errc::payload_too_large);
  std::string header = "\x7f";
  const std::uint64_t len = std::uint64_t{SIOCODEC_DEFAULT_MAX_PAYLOAD} + 1;
  for (int shift = 56; shift >= 0; shift -= 8) {
    header.push_back(static_cast<char>((len >> shift) & 0xff));
  }
  wt::stream_decoder<> dec;
  const siocodec::decode_status st = dec.feed(header, [](const eio::packet_view&) {});
  CHECK(st.ec == errc::payload_too_large);
}

TEST_CASE("CVE-2026-59725: a v4 polling body is text; a binary one is refused at once") {
  eio::decode_options o;
  const auto r = eio::decode_payload("4hello", eio::frame_kind::binary, o);
  CHECK(r.error() == errc::unexpected_binary_frame);
  CHECK(r.offset() == 0);
  eio::payload_decoder<> dec(eio::frame_kind::binary, o);
  CHECK(dec.feed("4hello", [](const eio::packet_view&) {}).ec == errc::unexpected_binary_frame);
  CHECK(dec.failed());
}

TEST_CASE("GHSA-gr94-w7qr-f4j3: the handshake is validated strictly") {
  // The sid is handed out as the string it is: siocodec does no lookup with it, and
  // "__proto__" is as good a sid as any other to the codec (the server must use own-key maps).
  const auto proto =
      eio::parse_handshake(R"({"sid":"__proto__","upgrades":[],"pingInterval":1,"pingTimeout":1})");
  REQUIRE(proto.has_value());
  CHECK(proto->sid == "__proto__");
  // Anything malformed is invalid_handshake at the offending value.
  const std::pair<const char*, std::size_t> bad[] = {
      {R"([])", 0},
      {R"({"sid":{},"upgrades":[],"pingInterval":1,"pingTimeout":1})", 7},
      {R"({"sid":"","upgrades":[],"pingInterval":1,"pingTimeout":1})", 7},
      {R"({"sid":"a\"b","upgrades":[],"pingInterval":1,"pingTimeout":1})", 7},
      {R"({"sid":"a","upgrades":[],"pingInterval":"1","pingTimeout":1})", 40},
      {R"({"upgrades":[],"pingInterval":1,"pingTimeout":1})", 48},
  };
  for (const auto& b : bad) {
    INFO(b.first);
    const auto r = eio::parse_handshake(b.first);
    CHECK(r.error() == errc::invalid_handshake);
    CHECK(r.offset() == b.second);
  }
}

TEST_CASE("CVE-2023-31125: a name from the wire is data, and a zero is a value") {
  // engine.io looked the peer's `transport=__proto__` up in a plain object (found through the
  // prototype), then read the "unknown transport" code 0 as no error. siocodec's equivalents:
  // an upgrade name only sets the bit of a transport it spells exactly, and everything else a
  // peer names (namespaces, event names) is handed out as the bytes it sent.
  const auto h = eio::parse_handshake(
      R"({"sid":"a","upgrades":["__proto__","constructor","toString","websocket"],)"
      R"("pingInterval":1,"pingTimeout":1})");
  REQUIRE(h.has_value());
  CHECK(h->upgrades == eio::transport_websocket);
  CHECK(h->upgrades_json == R"(["__proto__","constructor","toString","websocket"])");
  const auto none = eio::parse_handshake(
      R"({"sid":"a","upgrades":["__proto__","Websocket","websocket "],"pingInterval":1,)"
      R"("pingTimeout":1})");
  REQUIRE(none.has_value());
  CHECK(none->upgrades == 0);

  const auto p = sio::decode_header(R"(2/__proto__,["__proto__",{"__proto__":1}])");
  REQUIRE(p.has_value());
  CHECK(p->nsp == "/__proto__");
  CHECK(sio::event_name(*p).string_equals("__proto__"));

  // Type 0 (Engine.IO open, Socket.IO CONNECT) and ack id 0 are values, not "nothing"; and a
  // failure never reports error 0 (`none` means success only).
  const auto open = eio::decode("0", eio::frame_kind::text);
  REQUIRE(open.has_value());
  CHECK(open->type == eio::packet_type::open);
  const auto connect = sio::decode_header("0");
  REQUIRE(connect.has_value());
  CHECK(connect->type == sio::packet_type::connect);
  const auto ack0 = sio::decode_header(R"(30["a"])");
  REQUIRE(ack0.has_value());
  REQUIRE(ack0->id.has_value());
  CHECK(*ack0->id == 0);
  for (const char* bad : {"", "7", "2[", "30x", "2[{\"__proto__\":}]"}) {
    INFO(bad);
    const auto r = sio::decode_header(bad);
    CHECK_FALSE(r.has_value());
    CHECK(r.error() != errc::none);
  }
  const auto bad_eio = eio::decode("9", eio::frame_kind::text);
  CHECK_FALSE(bad_eio.has_value());
  CHECK(bad_eio.error() != errc::none);
}

TEST_CASE("CVE-2022-21676, CVE-2022-41940: no decoder lets an error escape") {
  // Those crashes were errors thrown past a missing handler. siocodec's decoders report every
  // error as a value: none of them can throw (the resumable ones only rethrow what the caller's
  // callback or allocator throws).
  const std::string_view s;
  const byte_view b;
  static_assert(noexcept(eio::decode(s, eio::frame_kind::text)), "");
  static_assert(noexcept(eio::decode_payload(s, eio::frame_kind::text)), "");
  static_assert(noexcept(eio::parse_handshake(s)), "");
  static_assert(noexcept(sio::decode_header(s)), "");
  static_assert(noexcept(siocodec::json::validate(s)), "");
  static_assert(noexcept(siocodec::json::parse(s)), "");
  static_assert(noexcept(siocodec::base64::decoded_size(s)), "");
  (void)b;
  SUCCEED("checked at compile time");
}
