// SPDX-License-Identifier: BSL-1.0
// Issue 19.4: every public `*_to` form writes nothing when it fails. Each one is run with every
// cap from 0 to size - 1 against a sentinel-filled buffer, and must leave the whole buffer (not
// only the bytes past cap) as it was; then with the exact size, which must succeed. Before the
// fix, encode_to and encode_frames_to of a builder wrote up to cap bytes before failing with
// output_too_small, and wrote part of the text before a callback's error.
#include <siocodec/siocodec.hpp>

#include "support/catch.hpp"

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

using namespace std::string_view_literals;
using siocodec::byte_view;
using siocodec::errc;
namespace b64 = siocodec::base64;
namespace eio = siocodec::engineio;
namespace sio = siocodec::socketio;
namespace json = siocodec::json;
namespace mp = siocodec::msgpack;

namespace {

constexpr char sentinel = '\x5a';
constexpr std::size_t slack = 16;

bool untouched(const std::vector<char>& buf) {
  for (const char c : buf) {
    if (c != sentinel) return false;
  }
  return true;
}

// call(out, cap) -> result<std::size_t>. `need` is the size the call reports with enough room.
template <class Call>
void every_cap(const char* name, Call&& call) {
  INFO(name);
  std::vector<char> big(1 << 16, sentinel);
  const auto ok = call(big.data(), big.size());
  REQUIRE(ok);
  const std::size_t need = *ok;
  REQUIRE(need > 0);
  REQUIRE(big[need] == sentinel);
  const std::string want(big.data(), need);
  for (std::size_t cap = 0; cap < need; ++cap) {
    INFO("cap " << cap << " of " << need);
    std::vector<char> buf(need + slack, sentinel);
    const auto r = call(buf.data(), cap);
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::output_too_small);
    REQUIRE(untouched(buf));
  }
  std::vector<char> buf(need + slack, sentinel);
  const auto r = call(buf.data(), need);
  REQUIRE(r);
  CHECK(*r == need);
  CHECK(std::string(buf.data(), need) == want);
  CHECK(buf[need] == sentinel);
}

// A frames call: send must run only on success.
struct count_send {
  int* n;
  void operator()(const eio::frame&) const { ++*n; }
};

const unsigned char att0[] = {1, 2, 3, 4};
const unsigned char att1[] = {0xff};
const byte_view atts[] = {byte_view(att0, 4), byte_view(att1, 1)};

auto plain_builder() {
  return sio::event("chat", "hello \xe2\x82\xac", 1.5, true).nsp("/admin").id(7);
}
auto binary_builder() { return sio::event("a", atts[0], "x", atts[1]).nsp("/admin").id(13); }
// Longer than the one-pass buffer: measured, then written into the caller's buffer.
std::string long_text() { return std::string(SIOCODEC_ONE_PASS_BUFFER + 100, 'L'); }

sio::packet_view binary_view() {
  sio::packet_view p;
  p.type = sio::packet_type::binary_event;
  p.nsp = "/admin";
  p.id = 13;
  p.data = R"(["a",{"_placeholder":true,"num":0},"x",{"_placeholder":true,"num":1}])";
  p.attachment_count = 2;
  p.attachments = atts;
  return p;
}

std::vector<eio::transport_options> all_frame_options() {
  std::vector<eio::transport_options> v;
  for (auto ver : {eio::protocol_version::v4, eio::protocol_version::v3}) {
    for (auto t : {eio::transport_kind::websocket, eio::transport_kind::polling}) {
      for (bool flag : {true, false}) {
        eio::transport_options o;
        o.version = ver;
        o.transport = t;
        o.supports_binary = flag;
        o.copy_binary = flag;
        v.push_back(o);
      }
    }
  }
  return v;
}

}  // namespace

TEST_CASE("no partial write: Engine.IO, handshake, base64 and JSON writers") {
  const auto text = eio::packet_view::text(eio::packet_type::message, "hello");
  const auto bin = eio::packet_view::binary(byte_view(att0, 4));
  every_cap("engineio::encode_to",
            [&](char* o, std::size_t c) { return eio::encode_to(o, c, text); });
  eio::encode_options v3;
  v3.version = eio::protocol_version::v3;
  v3.supports_binary = false;
  every_cap("engineio::encode_to v3 base64",
            [&](char* o, std::size_t c) { return eio::encode_to(o, c, bin, v3); });
  const eio::packet_view body[] = {text, bin, text};
  every_cap("engineio::encode_payload_to",
            [&](char* o, std::size_t c) { return eio::encode_payload_to(o, c, body, 3); });
  every_cap("engineio::encode_payload_to v3",
            [&](char* o, std::size_t c) { return eio::encode_payload_to(o, c, body, 3, v3); });
  every_cap("webtransport::encode_header_to", [&](char* o, std::size_t c) {
    return eio::webtransport::encode_header_to(o, c, 70000, true);
  });
  every_cap("webtransport::encode_to",
            [&](char* o, std::size_t c) { return eio::webtransport::encode_to(o, c, text); });
  eio::handshake h;
  h.sid = "lv_VI97HAXpY6yYWAAAC";
  h.upgrades = eio::transport_websocket;
  h.max_payload = 1000000;
  every_cap("engineio::encode_handshake_to",
            [&](char* o, std::size_t c) { return eio::encode_handshake_to(o, c, h); });
  every_cap("engineio::encode_sid_to",
            [&](char* o, std::size_t c) { return eio::encode_sid_to(o, c, "a&b c"); });
  every_cap("base64::encode_to",
            [&](char* o, std::size_t c) { return b64::encode_to(o, c, byte_view(att0, 4)); });
  for (const auto m : {b64::mode::strict, b64::mode::lax}) {
    every_cap("base64::decode_to", [&](char* o, std::size_t c) {
      return b64::decode_to("AQIDBAX/"sv, siocodec::byte_span(o, c), m);
    });
  }
  every_cap("json::encode_string_to", [&](char* o, std::size_t c) {
    return json::encode_string_to(o, c, "a\"b\n\xe2\x82\xac");
  });
  const auto v = json::parse(R"("a\nb\u00e9")");
  REQUIRE(v);
  every_cap("json::value::unescape_to",
            [&](char* o, std::size_t c) { return v->unescape_to(o, c); });
  const sio::any_value any(*v);
  every_cap("socketio::any_value::string_to",
            [&](char* o, std::size_t c) { return any.string_to(o, c); });
}

TEST_CASE("no partial write: Socket.IO encode_to, every form") {
  const sio::packet_view view = binary_view();
  every_cap("encode_to(packet_view)",
            [&](char* o, std::size_t c) { return sio::encode_to(o, c, view); });
  every_cap("encode_to(builder)",
            [&](char* o, std::size_t c) { return sio::encode_to(o, c, plain_builder()); });
  every_cap("encode_to(builder, attachments)", [&](char* o, std::size_t c) {
    sio::attachment_list<4> list;
    const auto r = sio::encode_to(o, c, binary_builder(), list);
    CHECK(list.size() == (r ? 2u : 0u));
    return r;
  });
  every_cap("encode_to(builder), text longer than the one-pass buffer",
            [&](char* o, std::size_t c) {
              sio::attachment_list<2> list;
              return sio::encode_to(o, c, sio::event("big", long_text(), atts[0]).id(1), list);
            });
  sio::msgpack_packet_view mpv;
  const std::string data = "\x92\xa1\x63\xc4\x03\x01\x02\x03";
  mpv.type = sio::packet_type::event;
  mpv.nsp = "/chat";
  mpv.id = 300;
  mpv.data = mp::value::unchecked(byte_view(data));
  every_cap("encode_to(msgpack_packet_view)",
            [&](char* o, std::size_t c) { return sio::encode_to(o, c, mpv); });
  every_cap("msgpack_parser::encode_to(builder)", [&](char* o, std::size_t c) {
    return sio::msgpack_parser::encode_to(o, c, binary_builder());
  });
}

TEST_CASE("no partial write: Socket.IO frames, every transport") {
  for (const eio::transport_options& fo : all_frame_options()) {
    INFO("EIO v" << (fo.version == eio::protocol_version::v4 ? 4 : 3)
                 << (fo.transport == eio::transport_kind::websocket ? " websocket" : " polling")
                 << " flag " << fo.supports_binary);
    int sent = 0;
    const auto checked = [&sent](auto r) {
      if (!r) CHECK(sent == 0);  // nothing sent on failure
      sent = 0;
      return r;
    };
    every_cap("encode_frames_to(packet_view)", [&](char* o, std::size_t c) {
      return checked(sio::encode_frames_to(o, c, binary_view(), fo, count_send{&sent}));
    });
    every_cap("encode_frames_to(builder)", [&](char* o, std::size_t c) {
      return checked(sio::encode_frames_to(o, c, plain_builder(), fo, count_send{&sent}));
    });
    every_cap("encode_frames_to(builder, attachments)", [&](char* o, std::size_t c) {
      sio::attachment_list<4> list;
      const auto r = sio::encode_frames_to(o, c, binary_builder(), list, fo, count_send{&sent});
      CHECK(list.size() == (r ? 2u : 0u));
      return checked(r);
    });
    every_cap("encode_frames_to(builder), long text", [&](char* o, std::size_t c) {
      sio::attachment_list<4> list;
      return checked(sio::encode_frames_to(o, c, sio::event("big", long_text(), atts[1]), list, fo,
                                           count_send{&sent}));
    });
    every_cap("msgpack_parser::encode_frames_to(builder)", [&](char* o, std::size_t c) {
      return checked(
          sio::msgpack_parser::encode_frames_to(o, c, binary_builder(), fo, count_send{&sent}));
    });
    sio::codec_options co;
    co.version = sio::protocol_for(fo.version);
    const sio::codec p(sio::parser_kind::json, co);
    every_cap("codec::encode_frames_to", [&](char* o, std::size_t c) {
      sio::attachment_list<4> list;
      return checked(p.encode_frames_to(o, c, binary_builder(), list, fo, count_send{&sent}));
    });
  }
}

TEST_CASE("no partial write: a builder whose value fails halfway writes nothing") {
  // The invalid UTF-8 comes after text that a direct write would already have put in place.
  const auto bad = sio::event("chat", std::string(100, 'a'), "ok", "\xff");
  std::vector<char> buf(4096, sentinel);
  const auto r = sio::encode_to(buf.data(), buf.size(), bad);
  CHECK(r.error() == errc::invalid_utf8);
  CHECK(untouched(buf));
  int sent = 0;
  for (const eio::transport_options& fo : all_frame_options()) {
    const auto f = sio::encode_frames_to(buf.data(), buf.size(), bad, fo, count_send{&sent});
    CHECK_FALSE(f);
    CHECK(untouched(buf));
    CHECK(sent == 0);
  }
  // Too many binary values: found after the text before them was written.
  sio::attachment_list<1> one;
  const auto t = sio::encode_to(buf.data(), buf.size(),
                                sio::event("x", std::string(50, 'b'), atts[0], atts[1]), one);
  CHECK(t.error() == errc::too_many_attachments);
  CHECK(untouched(buf));
  CHECK(one.size() == 0);
}
