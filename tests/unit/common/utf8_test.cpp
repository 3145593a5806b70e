// SPDX-License-Identifier: BSL-1.0
// Invalid UTF-8, one policy everywhere (issue 17.2): refused by default with invalid_utf8 and its
// offset; accepted with decode_options::allow_invalid_utf8, flagged, and turned into the
// reference's string by utf8::lossy (byte for byte what Node's decoders give).
#include <siocodec/engineio/payload.hpp>
#include <siocodec/engineio/webtransport.hpp>
#include <siocodec/msgpack/msgpack.hpp>
#include <siocodec/socketio.hpp>
#include <siocodec/socketio/codec.hpp>
#include <siocodec/socketio/default_parser/decode.hpp>
#include <siocodec/utf8.hpp>

#include "support/catch.hpp"
#include "support/hex.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

using namespace std::string_view_literals;
using siocodec::byte_view;
using siocodec::errc;
namespace eio = siocodec::engineio;
namespace sio = siocodec::socketio;
namespace utf8 = siocodec::utf8;

namespace {

using siocodec_test::unhex;

struct lossy_case {
  const char* in;
  const char* out;
  std::size_t units;
};

// Written by Node 20: Buffer.from(in, "hex").toString("utf8") (TextDecoder agrees on each), its
// UTF-8 and its .length.
constexpr lossy_case node_cases[] = {
    {"80", "efbfbd", 1},
    {"bf", "efbfbd", 1},
    {"c0af", "efbfbdefbfbd", 2},
    {"c1bf", "efbfbdefbfbd", 2},
    {"c3", "efbfbd", 1},
    {"c328", "efbfbd28", 2},
    {"e0", "efbfbd", 1},
    {"e080af", "efbfbdefbfbdefbfbd", 3},
    {"e0a0", "efbfbd", 1},
    {"e282", "efbfbd", 1},
    {"e282ac", "e282ac", 1},
    {"eda080", "efbfbdefbfbdefbfbd", 3},
    {"edbfbf", "efbfbdefbfbdefbfbd", 3},
    {"ed9fbf", "ed9fbf", 1},
    {"f0", "efbfbd", 1},
    {"f09f98", "efbfbd", 1},
    {"f09f9880", "f09f9880", 2},
    {"f08f8080", "efbfbdefbfbdefbfbdefbfbd", 4},
    {"f4908080", "efbfbdefbfbdefbfbdefbfbd", 4},
    {"f48fbfbf", "f48fbfbf", 2},
    {"f5", "efbfbd", 1},
    {"f8888080", "efbfbdefbfbdefbfbdefbfbd", 4},
    {"fe", "efbfbd", 1},
    {"ff", "efbfbd", 1},
    {"fffe", "efbfbdefbfbd", 2},
    {"61c3c3a962", "61efbfbdc3a962", 4},
    {"e2e282ac", "efbfbde282ac", 2},
    {"f0e282ac", "efbfbde282ac", 2},
    {"c2", "efbfbd", 1},
    {"e1808041", "e1808041", 2},
    {"f1808080f18080", "f1808080efbfbd", 3},
    {"7f80c2c280e0a0", "7fefbfbdefbfbdc280efbfbd", 5},
};

}  // namespace

TEST_CASE("utf8::lossy replaces each maximal subpart as Node does") {
  for (const lossy_case& c : node_cases) {
    const std::string in = unhex(c.in);
    const std::string want = unhex(c.out);
    INFO(c.in);
    std::string got = "x";
    const auto r = utf8::lossy(in, got);
    REQUIRE(r);
    CHECK(*r == want.size());
    CHECK(got == "x" + want);
    CHECK(utf8::lossy_size(in) == want.size());
    CHECK(utf8::lossy_utf16_length(in) == c.units);
    CHECK(utf8::is_valid(in) == (in == want));
    char buf[64];
    const auto to = utf8::lossy_to(buf, sizeof buf, in);
    REQUIRE(to);
    CHECK(std::string_view(buf, *to) == want);
    if (!want.empty()) {
      const auto small = utf8::lossy_to(buf, want.size() - 1, in);
      CHECK(small.error() == errc::output_too_small);
    }
  }
  CHECK(utf8::find_invalid("ab\xc3(") == 2);
  CHECK(utf8::find_invalid("ab") == 2);
}

TEST_CASE("socketio::decode: a namespace that is not UTF-8") {
  const std::string text = "0/adm\xc1\xa9n,{}";
  sio::decode_options strict;
  auto r = sio::decode(text, strict);
  REQUIRE_FALSE(r);
  CHECK(r.error() == errc::invalid_utf8);
  CHECK(r.offset() == 5);
  sio::decode_options lax;
  lax.lax = true;
  r = sio::decode(text, lax);
  REQUIRE_FALSE(r);  // lax is about JavaScript's coercions, not about UTF-8
  CHECK(r.error() == errc::invalid_utf8);
  CHECK(r.offset() == 5);
  for (const bool l : {false, true}) {
    sio::decode_options allow;
    allow.lax = l;
    allow.allow_invalid_utf8 = true;
    r = sio::decode(text, allow);
    REQUIRE(r);
    CHECK(r->has_invalid_utf8);
    CHECK(r->nsp == "/adm\xc1\xa9n");
    std::string nsp;
    (void)utf8::lossy(r->nsp, nsp);
    CHECK(nsp == "/adm\xef\xbf\xbd\xef\xbf\xbdn");  // Node: "/adm\ufffd\ufffdn"
    CHECK(r->data == "{}");
  }
  // Valid packets are never flagged.
  sio::decode_options allow;
  allow.allow_invalid_utf8 = true;
  r = sio::decode("2/caf\xc3\xa9,[\"\xe2\x82\xac\"]", allow);
  REQUIRE(r);
  CHECK_FALSE(r->has_invalid_utf8);
}

TEST_CASE("socketio::decode: payload strings that are not UTF-8") {
  sio::decode_options allow;
  allow.allow_invalid_utf8 = true;
  struct {
    std::string_view text;
    std::size_t offset;  // strict error offset
  } cases[] = {
      {"2[\"ev\xff\"]"sv, 5},                   // the event name
      {"21[\"ev\",\"a\xed\xa0\x80z\"]"sv, 10},  // an argument (an encoded surrogate)
      {"3/x,7[{\"k\xc3\":1}]"sv, 9},            // a key, cut sequence before the quote
      {"0{\"a\":[\"\xf0\x9f\x98\"]}"sv, 8},     // nested, cut 4-byte sequence
      {"4\"\xc0\xaf\\\"\""sv, 2},               // CONNECT_ERROR string, before an escape
  };
  for (const auto& c : cases) {
    INFO(std::string(c.text));
    auto r = sio::decode(c.text);
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_utf8);
    CHECK(r.offset() == c.offset);
    r = sio::decode(c.text, allow);
    REQUIRE(r);
    CHECK(r->has_invalid_utf8);
  }
  // The event name is found as usual, and lossy() of it is the reference's name.
  const auto r = sio::decode("2[\"ev\xff\",1]", allow);
  REQUIRE(r);
  CHECK(r->event_raw == "\"ev\xff\"");
  // Outside strings, a byte above 0x7F stays invalid JSON (Node's U+FFFD is no JSON token).
  for (const std::string_view bad : {"2[\"a\",\xff]"sv, "2[\"a\"]\xc3"sv}) {
    const auto e = sio::decode(bad, allow);
    REQUIRE_FALSE(e);
    CHECK(e.error() == errc::invalid_json);
  }
  // Other errors after the bad bytes are still found.
  const auto e = sio::decode("2[\"a\xff\",tru]", allow);
  REQUIRE_FALSE(e);
  CHECK(e.error() != errc::invalid_utf8);
}

TEST_CASE("msgpack_parser::decode: strings that are not UTF-8 need allow_invalid_utf8, not lax") {
  // {"type":2,"nsp":"/\xff","data":["x","a\xc3"]}
  const std::string msg = unhex("83a474797065"
                                "02"
                                "a36e7370a22fff"
                                "a46461746192a178a261c3");
  sio::decode_options o;
  auto r = sio::msgpack_parser::decode(byte_view(msg), o);
  REQUIRE_FALSE(r);
  CHECK(r.error() == errc::invalid_utf8);
  o.lax = true;
  r = sio::msgpack_parser::decode(byte_view(msg), o);
  REQUIRE_FALSE(r);
  CHECK(r.error() == errc::invalid_utf8);
  o.allow_invalid_utf8 = true;
  r = sio::msgpack_parser::decode(byte_view(msg), o);
  REQUIRE(r);
  CHECK(r->has_invalid_utf8);
  CHECK(r->nsp == "/\xff");
  std::string arg;
  (void)utf8::lossy(r->data[1].get_string(), arg);
  CHECK(arg == "a\xef\xbf\xbd");
  // The parser facade passes the flag on.
  sio::codec p(sio::parser_kind::msgpack, sio::make_codec_options(o));
  const auto f = p.decode(msg, siocodec::engineio::frame_kind::binary);
  REQUIRE(f);
  CHECK(f->has_invalid_utf8());
  // A valid message is not flagged.
  const std::string ok = unhex("82a474797065"
                               "00"
                               "a36e7370a12f");  // CONNECT "/"
  r = sio::msgpack_parser::decode(byte_view(ok), o);
  REQUIRE(r);
  CHECK_FALSE(r->has_invalid_utf8);
}

namespace {

struct v3_case {
  const char* body;     // hex
  const char* packets;  // the data of each message packet, hex, ';'-separated
  bool error;           // the reference reports an error after them
};

// engine.io-parser 2.2.1's decodePayload of Buffer.from(body, "hex").toString("utf8") (what the
// engine.io 3 server hands it), its packets' data back in UTF-8.
constexpr v3_case v3_cases[] = {
    {"323a34c3", "efbfbd", false},         // 2:4 + cut sequence at the end of the body
    {"323a34c3313a34", "efbfbd;", false},  // ...and before the next item
    {"323a34f0", "efbfbd", false},         // a cut 4-byte lead counts one unit, not two
    {"333a34f09f98", "", true},            // 3 bytes of a 4-byte sequence: still one unit
    {"323a34ff", "efbfbd", false},
    {"333a34c0af", "efbfbdefbfbd", false},  // an overlong form: two units
    {"333a34f09f9880", "f09f9880", false},  // a real astral character: two units
    {"343a34eda080", "efbfbdefbfbdefbfbd", false},
    {"323a34eda080", "efbfbd", true},  // the item ends inside the replaced bytes
    {"313a34ff", "", true},
};

std::string hex_of(std::string_view s) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

}  // namespace

TEST_CASE("Engine.IO v3 text bodies: invalid UTF-8 counted as the reference counts it") {
  eio::decode_options strict;
  strict.version = eio::protocol_version::v3;
  eio::decode_options allow = strict;
  allow.allow_invalid_utf8 = true;
  for (const v3_case& c : v3_cases) {
    const std::string body = unhex(c.body);
    INFO(c.body);
    {
      auto reader = eio::decode_payload(body, eio::frame_kind::text, strict);
      for (const eio::packet_view& p : reader) (void)p;
      CHECK((reader.error() != errc::none) == (c.error || !utf8::is_valid(body)));
    }
    {
      auto reader = eio::decode_payload(body, eio::frame_kind::text, allow);
      std::string seen;
      bool first = true;
      for (const eio::packet_view& p : reader) {
        CHECK(p.has_invalid_utf8 == !utf8::is_valid(p.data));
        // Compared through lossy(): the reference's strings.
        if (!first) seen += ';';
        first = false;
        std::string l;
        (void)utf8::lossy(p.data, l);
        seen += hex_of(l);
      }
      CHECK(seen == c.packets);
      CHECK((reader.error() != errc::none) == c.error);
    }
    // The resumable decoder agrees for every cut of the body.
    for (std::size_t cut = 0; cut <= body.size(); ++cut) {
      eio::payload_decoder<> dec(eio::frame_kind::text, allow);
      std::string seen;
      bool first = true;
      const auto collect = [&](const eio::packet_view& p) {
        if (!first) seen += ';';
        first = false;
        std::string l;
        (void)utf8::lossy(p.data, l);
        seen += hex_of(l);
      };
      auto st = dec.feed(std::string_view(body).substr(0, cut), collect);
      if (st.ok()) st = dec.finish(std::string_view(body).substr(cut), collect);
      INFO("cut " << cut);
      CHECK(seen == c.packets);
      CHECK(!st.ok() == c.error);
    }
  }
}

TEST_CASE("WebTransport text records: invalid UTF-8 with allow_invalid_utf8") {
  const std::string stream = unhex("0434c32861");  // a text record "4" C3 '(' 'a'
  eio::decode_options o;
  {
    eio::webtransport::stream_decoder<> dec(o);
    const auto st = dec.feed(byte_view(stream), [](const eio::packet_view&) {});
    CHECK(st.ec == errc::invalid_utf8);
  }
  o.allow_invalid_utf8 = true;
  eio::webtransport::stream_decoder<> dec(o);
  std::vector<std::string> got;
  bool flagged = false;
  const auto st = dec.feed(byte_view(stream), [&](const eio::packet_view& p) {
    got.emplace_back(p.data);
    flagged = p.has_invalid_utf8;
  });
  REQUIRE(st.ok());
  REQUIRE(got.size() == 1);
  CHECK(got[0] == "\xc3(a");
  CHECK(flagged);
  std::string l;
  (void)utf8::lossy(got[0], l);
  CHECK(l == "\xef\xbf\xbd(a");  // TextDecoder: "\ufffd(a"
}

TEST_CASE("msgpack_parser::decode_text (protocol v4): strings that are not UTF-8") {
  const std::string msg = "{\"type\":4,\"nsp\":\"/a\xff\",\"data\":\"no\xc3\"}";
  sio::decode_options o;
  o.version = sio::protocol_version::v4;
  auto r = sio::msgpack_parser::decode_text(msg, o);
  REQUIRE_FALSE(r);
  CHECK(r.error() == errc::invalid_utf8);
  CHECK(r.offset() == 19);
  o.allow_invalid_utf8 = true;
  r = sio::msgpack_parser::decode_text(msg, o);
  REQUIRE(r);
  CHECK(r->has_invalid_utf8);
  CHECK(r->nsp == "/a\xff");
  CHECK(r->data == "\"no\xc3\"");
  r = sio::msgpack_parser::decode_text("{\"type\":0,\"nsp\":\"/\"}", o);
  REQUIRE(r);
  CHECK_FALSE(r->has_invalid_utf8);
}
