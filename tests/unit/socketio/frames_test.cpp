// SPDX-License-Identifier: BSL-1.0
// Socket.IO packet -> Engine.IO frames, for the four transport forms. Expected bytes come from the
// reference: the packet from socket.io-parser 4.2.7 `new Encoder().encode(packet)`, each element
// then sent as an Engine.IO message with engine.io-parser 5.2.3 ("eio5": encodePacket(p, true),
// encodePayload) or 2.2.1 ("eio2": encodePacket(p, true), encodePayload(packets, false|true)),
// run with node 20. They are also checked against our own Engine.IO encoders.
#include <siocodec/engineio/decode.hpp>
#include <siocodec/engineio/encode.hpp>
#include <siocodec/engineio/payload.hpp>
#include <siocodec/socketio/codec.hpp>
#include <siocodec/socketio/default_parser/decode.hpp>
#include <siocodec/socketio/default_parser/frames.hpp>

#include "support/catch.hpp"

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

using namespace std::string_literals;
using namespace std::string_view_literals;
using siocodec::byte_view;
using siocodec::errc;
namespace eio = siocodec::engineio;
namespace sio = siocodec::socketio;
using eio::frame_kind;
using sio::packet_type;
using sio::packet_view;

namespace {

// The packet of the reference run: {type:2, nsp:"/admin", id:13,
//   data:["a€", Buffer.from([1,2,3,4]), "x", Buffer.from([0xff])]}
const unsigned char att0_bytes[] = {1, 2, 3, 4};
const unsigned char att1_bytes[] = {0xff};
const byte_view attachments[] = {byte_view(att0_bytes, 4), byte_view(att1_bytes, 1)};
// sio4 encode(...)[0]
constexpr std::string_view packet_text =
    "52-/admin,13[\"a\xe2\x82\xac\",{\"_placeholder\":true,\"num\":0},\"x\","
    "{\"_placeholder\":true,\"num\":1}]";
constexpr std::string_view packet_json =
    "[\"a\xe2\x82\xac\",{\"_placeholder\":true,\"num\":0},\"x\",{\"_placeholder\":true,\"num\":1}]";

packet_view binary_packet() {
  packet_view p;
  p.type = packet_type::binary_event;
  p.nsp = "/admin";
  p.id = 13;
  p.data = packet_json;
  p.attachment_count = 2;
  p.attachments = attachments;
  return p;
}

auto binary_builder() {
  return sio::event("a\xe2\x82\xac", attachments[0], "x", attachments[1]).nsp("/admin").id(13);
}

eio::transport_options fopts(eio::protocol_version v, eio::transport_kind t, bool binary = true,
                             bool copy = false) {
  eio::transport_options o;
  o.version = v;
  o.transport = t;
  o.supports_binary = binary;
  o.copy_binary = copy;
  return o;
}

struct sent {
  frame_kind kind;
  std::string bytes;  // prefix + data
  std::size_t prefix;
  const char* data;  // where the data was, to see what was copied
};

struct collector {
  std::vector<sent>* out;
  void operator()(const eio::frame& f) const {
    std::string b(f.prefix);
    b += f.data;
    CHECK(f.size() == b.size());
    out->push_back({f.kind, b, f.prefix.size(), f.data.data()});
  }
};

// Sends the packet_view through both storage forms and checks they agree.
std::vector<sent> frames_of(const packet_view& p, const eio::transport_options& o) {
  std::vector<sent> a, b;
  std::string storage;
  auto r = sio::encode_frames(p, storage, o, collector{&a});
  INFO(siocodec::to_string(r.error()));
  REQUIRE(r);
  CHECK(*r == storage.size());
  auto n = sio::encoded_frames_size(p, o);
  REQUIRE(n);
  CHECK(*n == *r);
  std::vector<char> buf(*n + 3, '#');
  auto t = sio::encode_frames_to(buf.data(), buf.size(), p, o, collector{&b});
  REQUIRE(t);
  CHECK(*t == *n);
  CHECK(buf[*n] == '#');
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].kind == b[i].kind);
    CHECK(a[i].bytes == b[i].bytes);
    CHECK(a[i].prefix == b[i].prefix);
  }
  return a;
}

// The same for a builder; also checks the frames equal those of `same_as`.
template <class B>
std::vector<sent> frames_of_builder(const B& bld, const eio::transport_options& o,
                                    std::vector<byte_view>* atts_out = nullptr) {
  std::vector<sent> a, b;
  std::string storage;
  std::vector<byte_view> atts;
  auto r = sio::encode_frames(bld, storage, atts, o, collector{&a});
  INFO(siocodec::to_string(r.error()));
  REQUIRE(r);
  CHECK(*r == storage.size());
  auto n = sio::encoded_frames_size(bld, o);
  REQUIRE(n);
  CHECK(*n == *r);
  std::vector<char> buf(*n + 3, '#');
  sio::attachment_list<16> fixed;
  auto t = sio::encode_frames_to(buf.data(), buf.size(), bld, fixed, o, collector{&b});
  REQUIRE(t);
  CHECK(*t == *n);
  CHECK(buf[*n] == '#');
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].kind == b[i].kind);
    CHECK(a[i].bytes == b[i].bytes);
  }
  REQUIRE(fixed.size() == atts.size());
  if (atts_out != nullptr) *atts_out = atts;
  return a;
}

std::string eio_encode(const eio::packet_view& p, eio::protocol_version v) {
  eio::encode_options o;
  o.version = v;
  std::string s;
  REQUIRE(eio::encode(p, s, o));
  return s;
}

std::string eio_payload(const std::vector<eio::packet_view>& ps, eio::protocol_version v,
                        bool binary) {
  eio::encode_options o;
  o.version = v;
  o.supports_binary = binary;
  std::string s;
  REQUIRE(eio::encode_payload(ps.data(), ps.size(), s, o));
  return s;
}

// The Engine.IO packets a Socket.IO packet travels as: its text as a message, each attachment
// as a binary message.
std::vector<eio::packet_view> eio_packets(std::string_view text, const byte_view* atts,
                                          std::size_t n) {
  std::vector<eio::packet_view> ps{eio::packet_view::text(eio::packet_type::message, text)};
  for (std::size_t i = 0; i < n; ++i) ps.push_back(eio::packet_view::binary(atts[i]));
  return ps;
}

}  // namespace

TEST_CASE("sio frames: Engine.IO v4 WebSocket sends the text then the caller's bytes") {
  const auto o = fopts(eio::protocol_version::v4, eio::transport_kind::websocket);
  const auto f = frames_of(binary_packet(), o);
  REQUIRE(f.size() == 3);
  // eio5: encodePacket({type:"message", data:<packet text>}, true)
  CHECK(f[0].kind == frame_kind::text);
  CHECK(f[0].bytes == "4" + std::string(packet_text));
  CHECK(f[0].bytes == eio_encode(eio::packet_view::text(eio::packet_type::message, packet_text),
                                 eio::protocol_version::v4));
  // eio5: encodePacket({type:"message", data:Buffer}, true) -> the bytes themselves
  CHECK(f[1].kind == frame_kind::binary);
  CHECK(f[1].bytes == "\x01\x02\x03\x04");
  CHECK(f[1].data == reinterpret_cast<const char*>(att0_bytes));  // zero copy
  CHECK(f[2].bytes == "\xff");
  CHECK(f[2].data == reinterpret_cast<const char*>(att1_bytes));
  CHECK(f[1].bytes ==
        eio_encode(eio::packet_view::binary(attachments[0]), eio::protocol_version::v4));
  // The storage holds only the text frame.
  CHECK(*sio::encoded_frames_size(binary_packet(), o) == 1 + packet_text.size());
}

TEST_CASE("sio frames: Engine.IO v4 polling sends one body with base64 attachments") {
  const auto o = fopts(eio::protocol_version::v4, eio::transport_kind::polling);
  const auto f = frames_of(binary_packet(), o);
  REQUIRE(f.size() == 1);
  CHECK(f[0].kind == frame_kind::text);
  // eio5: encodePayload([{message, <packet text>}, {message, Buffer[1,2,3,4]}, {message, [ff]}])
  CHECK(f[0].bytes == "4" + std::string(packet_text) +
                          "\x1e"
                          "bAQIDBA==\x1e"
                          "b/w==");
  CHECK(f[0].bytes ==
        eio_payload(eio_packets(packet_text, attachments, 2), eio::protocol_version::v4, false));
}

TEST_CASE("sio frames: Engine.IO v3 WebSocket binary frames are 0x04 then the bytes") {
  const auto o = fopts(eio::protocol_version::v3, eio::transport_kind::websocket);
  const auto f = frames_of(binary_packet(), o);
  REQUIRE(f.size() == 3);
  // eio2: encodePacket({message, <packet text>}, true, false)
  CHECK(f[0].kind == frame_kind::text);
  CHECK(f[0].bytes == "4" + std::string(packet_text));
  // eio2: encodePacket({message, Buffer[1,2,3,4]}, true, false) -> <04 01 02 03 04>
  CHECK(f[1].kind == frame_kind::binary);
  CHECK(f[1].bytes == "\x04\x01\x02\x03\x04");
  CHECK(f[1].prefix == 1);
  CHECK(f[1].data == reinterpret_cast<const char*>(att0_bytes));  // scatter-gather, no copy
  CHECK(f[2].bytes == "\x04\xff");
  CHECK(f[1].bytes ==
        eio_encode(eio::packet_view::binary(attachments[0]), eio::protocol_version::v3));

  // copy_binary: the same bytes, each frame contiguous in the storage.
  const auto oc = fopts(eio::protocol_version::v3, eio::transport_kind::websocket, true, true);
  const auto c = frames_of(binary_packet(), oc);
  REQUIRE(c.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(c[i].kind == f[i].kind);
    CHECK(c[i].bytes == f[i].bytes);
    CHECK(c[i].prefix == 0);
  }
  CHECK(*sio::encoded_frames_size(binary_packet(), oc) == 1 + packet_text.size() + 5 + 2);
}

TEST_CASE("sio frames: Engine.IO v3 polling, text and binary bodies") {
  const auto text = fopts(eio::protocol_version::v3, eio::transport_kind::polling, false);
  const auto t = frames_of(binary_packet(), text);
  REQUIRE(t.size() == 1);
  CHECK(t[0].kind == frame_kind::text);
  // eio2: encodePayload([...], false); 83 UTF-16 units for 85 bytes (the euro sign)
  CHECK(t[0].bytes == "83:4" + std::string(packet_text) + "10:b4AQIDBA==6:b4/w==");
  CHECK(t[0].bytes ==
        eio_payload(eio_packets(packet_text, attachments, 2), eio::protocol_version::v3, false));

  const auto bin = fopts(eio::protocol_version::v3, eio::transport_kind::polling, true);
  const auto b = frames_of(binary_packet(), bin);
  REQUIRE(b.size() == 1);
  CHECK(b[0].kind == frame_kind::binary);
  // eio2: encodePayload([...], true) -> the binary payload format
  CHECK(b[0].bytes == "\x00\x08\x05\xff"
                      "4"s +
                          std::string(packet_text) +
                          "\x01\x05\xff\x04\x01\x02\x03\x04\x01\x02\xff\x04\xff"s);
  CHECK(b[0].bytes ==
        eio_payload(eio_packets(packet_text, attachments, 2), eio::protocol_version::v3, true));
  CHECK(eio::payload_frame_kind(eio_packets(packet_text, attachments, 2).data(), 3,
                                eio::encode_options{eio::protocol_version::v3, true}) ==
        frame_kind::binary);
}

TEST_CASE("sio frames: packets without attachments") {
  // sio4: {type:2, nsp:"/", data:["hi","😀"]}
  packet_view p;
  p.type = packet_type::event;
  p.data = "[\"hi\",\"\xf0\x9f\x98\x80\"]";
  const std::string text = "42[\"hi\",\"\xf0\x9f\x98\x80\"]";
  for (auto v : {eio::protocol_version::v4, eio::protocol_version::v3}) {
    const auto ws = frames_of(p, fopts(v, eio::transport_kind::websocket));
    REQUIRE(ws.size() == 1);
    CHECK(ws[0].bytes == text);
  }
  // eio5: encodePayload([{message, <text>}])
  const auto p4 = frames_of(p, fopts(eio::protocol_version::v4, eio::transport_kind::polling));
  REQUIRE(p4.size() == 1);
  CHECK(p4[0].bytes == text);
  // eio2: encodePayload([{message, <text>}], true) is text without a binary packet;
  // the emoji counts 2 UTF-16 units
  for (bool binary : {true, false}) {
    const auto p3 =
        frames_of(p, fopts(eio::protocol_version::v3, eio::transport_kind::polling, binary));
    REQUIRE(p3.size() == 1);
    CHECK(p3[0].kind == frame_kind::text);
    CHECK(p3[0].bytes == "13:" + text);
  }
}

TEST_CASE("sio frames: builders give the same frames as the packet_view") {
  for (auto v : {eio::protocol_version::v4, eio::protocol_version::v3}) {
    for (auto t : {eio::transport_kind::websocket, eio::transport_kind::polling}) {
      for (bool binary : {true, false}) {
        const auto o = fopts(v, t, binary, !binary);
        const auto want = frames_of(binary_packet(), o);
        std::vector<byte_view> atts;
        const auto got = frames_of_builder(binary_builder(), o, &atts);
        REQUIRE(got.size() == want.size());
        for (std::size_t i = 0; i < got.size(); ++i) {
          CHECK(got[i].kind == want[i].kind);
          CHECK(got[i].bytes == want[i].bytes);
        }
        REQUIRE(atts.size() == 2);
        CHECK(atts[0].data() == att0_bytes);
        CHECK(atts[1].data() == att1_bytes);
      }
    }
  }
  // Without attachments, no attachment container is needed.
  std::vector<sent> f;
  std::string storage;
  const auto o = fopts(eio::protocol_version::v3, eio::transport_kind::polling);
  REQUIRE(sio::encode_frames(sio::event("hi", "\xf0\x9f\x98\x80"), storage, o, collector{&f}));
  REQUIRE(f.size() == 1);
  CHECK(f[0].bytes == "13:42[\"hi\",\"\xf0\x9f\x98\x80\"]");
  char buf[64];
  f.clear();
  REQUIRE(sio::encode_frames_to(buf, sizeof buf, sio::connect("/admin").query("t=1"),
                                fopts(eio::protocol_version::v3, eio::transport_kind::websocket),
                                collector{&f}));
  REQUIRE(f.size() == 1);
  CHECK(f[0].bytes == "40/admin?t=1,");
}

TEST_CASE("sio frames: what a transport cannot carry is refused, and nothing is sent") {
  int sends = 0;
  const auto count = [&sends](const eio::frame&) { ++sends; };
  const auto fails = [&](const packet_view& p, const eio::transport_options& o) {
    std::string storage = "keep";
    auto r = sio::encode_frames(p, storage, o, count);
    CHECK(storage == "keep");
    CHECK(sio::encoded_frames_size(p, o).error() == r.error());
    char buf[256];
    CHECK(sio::encode_frames_to(buf, sizeof buf, p, o, count).error() == r.error());
    CHECK(sends == 0);
    return r.error();
  };
  const auto ws4 = fopts(eio::protocol_version::v4, eio::transport_kind::websocket);
  const auto poll4 = fopts(eio::protocol_version::v4, eio::transport_kind::polling);
  const auto ws3 = fopts(eio::protocol_version::v3, eio::transport_kind::websocket);
  const auto poll3t = fopts(eio::protocol_version::v3, eio::transport_kind::polling, false);
  const auto poll3b = fopts(eio::protocol_version::v3, eio::transport_kind::polling, true);

  // 0x1E would split a v4 polling body (the reference sends it anyway).
  packet_view rs;
  rs.nsp = "/a\x1e";
  rs.data = "[\"x\"]";
  CHECK(fails(rs, poll4) == errc::invalid_argument);
  rs.nsp = "/";
  rs.data = "[\"\x1e\"]";  // raw JSON is trusted, but the framing is checked
  CHECK(fails(rs, poll4) == errc::invalid_argument);
  CHECK(frames_of(rs, ws4).size() == 1);
  CHECK(frames_of(rs, poll3t)[0].bytes == "7:42[\"\x1e\"]");

  // v3 polling lengths count UTF-16 units: the text must be UTF-8.
  packet_view bad;
  bad.data = "[\"\xff\"]";
  CHECK(fails(bad, poll3t) == errc::invalid_utf8);
  CHECK(fails(bad, poll3b) == errc::invalid_utf8);
  CHECK(frames_of(bad, ws3).size() == 1);  // trusted on WebSocket
  CHECK(frames_of(bad, poll4).size() == 1);

  // A binary packet must bring its attachments.
  packet_view no_atts = binary_packet();
  no_atts.attachments = nullptr;
  CHECK(fails(no_atts, ws4) == errc::invalid_argument);
  // Header errors as encode() reports them.
  packet_view bad_nsp = binary_packet();
  bad_nsp.nsp = "admin";
  CHECK(fails(bad_nsp, ws4) == errc::invalid_argument);
  packet_view zero = binary_packet();
  zero.attachment_count = 0;
  CHECK(fails(zero, poll4) == errc::invalid_argument);
  // Options out of range.
  eio::transport_options odd = ws4;
  odd.version = static_cast<eio::protocol_version>(5);
  CHECK(fails(binary_packet(), odd) == errc::invalid_argument);
  odd = ws4;
  odd.transport = static_cast<eio::transport_kind>(2);
  CHECK(fails(binary_packet(), odd) == errc::invalid_argument);
  // A connection's own limits: the codec's encode_options.
  sio::codec_options co;
  co.encode.max_attachments = 1;
  const sio::codec one(sio::parser_kind::json, co);
  std::string one_storage;
  CHECK(one.encode_frames(sio::any_packet(binary_packet()), one_storage, ws4, count).error() ==
        errc::too_many_attachments);
  // The transport's Engine.IO version must carry the codec's Socket.IO version.
  CHECK(one.encode_frames(sio::event("x"), one_storage, poll3t, count).error() ==
        errc::invalid_argument);
  CHECK(one_storage.empty());

  // Builders: the same checks on the text they write.
  std::string storage;
  std::vector<byte_view> atts;
  CHECK(sio::encode_frames(sio::event("x", sio::raw_json("\"\x1e\"")), storage, atts, poll4, count)
            .error() == errc::invalid_argument);
  CHECK(sio::encode_frames(sio::event("x", sio::raw_json("\"\xc3\"")), storage, atts, poll3t, count)
            .error() == errc::invalid_utf8);
  CHECK(sio::encode_frames(sio::event("x", attachments[0]), storage, poll4, count).error() ==
        errc::too_many_attachments);
  CHECK(sio::encode_frames(sio::event("connect"), storage, poll4, count).error() ==
        errc::reserved_event_name);
  CHECK(storage.empty());
  CHECK(atts.empty());
  CHECK(sends == 0);
}

TEST_CASE("sio frames: encode_frames_to writes nothing unless it succeeds") {
  for (auto v : {eio::protocol_version::v4, eio::protocol_version::v3}) {
    for (auto t : {eio::transport_kind::websocket, eio::transport_kind::polling}) {
      const auto o = fopts(v, t, true, true);
      const std::size_t need = *sio::encoded_frames_size(binary_packet(), o);
      REQUIRE(*sio::encoded_frames_size(binary_builder(), o) == need);
      for (std::size_t cap = 0; cap <= need; ++cap) {
        std::vector<char> buf(need + 4, '#');
        std::vector<sent> f;
        sio::attachment_list<2> atts;
        auto r = sio::encode_frames_to(buf.data(), cap, binary_packet(), o, collector{&f});
        auto rb = sio::encode_frames_to(buf.data(), cap, binary_builder(), atts, o, collector{&f});
        if (cap < need) {
          CHECK(r.error() == errc::output_too_small);
          CHECK(rb.error() == errc::output_too_small);
          CHECK(r.offset() == cap);
          CHECK(f.empty());
          CHECK(atts.size() == 0);
          // Nothing written on failure, not even below cap (issue 19.4).
          CHECK(std::string(buf.begin(), buf.end()) == std::string(buf.size(), '#'));
        } else {
          CHECK(r);
          CHECK(rb);
          CHECK(buf[need] == '#');
          CHECK(atts.size() == 2);
        }
      }
    }
  }
}

TEST_CASE("sio frames: storage grows with one resize, after its current contents") {
  struct counting_buffer {
    std::vector<unsigned char> v;
    int resizes = 0;
    unsigned char* data() { return v.data(); }
    std::size_t size() const { return v.size(); }
    void resize(std::size_t n) {
      ++resizes;
      v.resize(n);
    }
  };
  counting_buffer storage;
  storage.v = {'x', 'y'};
  std::vector<sent> f;
  sio::attachment_list<4> atts;
  const auto o = fopts(eio::protocol_version::v4, eio::transport_kind::polling);
  auto r = sio::encode_frames(binary_builder(), storage, atts, o, collector{&f});
  REQUIRE(r);
  CHECK(storage.resizes == 1);
  CHECK(storage.v.size() == 2 + *r);
  CHECK(storage.v[0] == 'x');
  REQUIRE(f.size() == 1);
  CHECK(f[0].data == reinterpret_cast<const char*>(storage.v.data()) + 2);
}

TEST_CASE("sio frames: the Engine.IO and Socket.IO decoders read the frames back") {
  // v4 polling: split the body, decode the first item as Socket.IO, the others as attachments.
  const auto o = fopts(eio::protocol_version::v4, eio::transport_kind::polling);
  const auto f = frames_of(binary_packet(), o);
  auto reader = eio::decode_payload(f[0].bytes);
  std::vector<eio::packet_view> items;
  for (const auto& p : reader) items.push_back(p);
  REQUIRE(reader.error() == errc::none);
  REQUIRE(items.size() == 3);
  CHECK(items[0].type == eio::packet_type::message);
  auto sp = sio::decode_header(items[0].data);
  REQUIRE(sp);
  CHECK(sp->type == packet_type::binary_event);
  CHECK(sp->nsp == "/admin");
  CHECK(sp->id == std::optional<std::uint64_t>(13));
  CHECK(sp->attachment_count == 2);
  CHECK(sp->data == packet_json);
  for (std::size_t i = 0; i < 2; ++i) {
    REQUIRE(items[1 + i].kind == eio::data_kind::base64);
    std::vector<unsigned char> bytes;
    REQUIRE(siocodec::base64::decode(items[1 + i].data, bytes, siocodec::base64::mode::strict));
    CHECK(byte_view(bytes.data(), bytes.size()) == attachments[i]);
  }

  // v3 binary body.
  const auto o3 = fopts(eio::protocol_version::v3, eio::transport_kind::polling, true);
  const auto f3 = frames_of(binary_packet(), o3);
  eio::decode_options d3;
  d3.version = eio::protocol_version::v3;
  auto reader3 = eio::decode_payload(f3[0].bytes, frame_kind::binary, d3);
  items.clear();
  for (const auto& p : reader3) items.push_back(p);
  REQUIRE(reader3.error() == errc::none);
  REQUIRE(items.size() == 3);
  sio::decode_options sd4;
  sd4.version = sio::protocol_version::v4;
  auto sp3 = sio::decode_header(items[0].data, sd4);
  REQUIRE(sp3);
  CHECK(sp3->attachment_count == 2);
  CHECK(items[1].kind == eio::data_kind::binary);
  CHECK(items[1].bytes() == attachments[0]);
  CHECK(items[2].bytes() == attachments[1]);

  // v3 WebSocket: each frame through the Engine.IO frame decoder.
  const auto w3 =
      frames_of(binary_packet(), fopts(eio::protocol_version::v3, eio::transport_kind::websocket));
  auto t = eio::decode(w3[0].bytes, frame_kind::text, d3);
  REQUIRE(t);
  CHECK(sio::decode_header(t->data, sd4));
  auto b = eio::decode(w3[2].bytes, frame_kind::binary, d3);
  REQUIRE(b);
  CHECK(b->type == eio::packet_type::message);
  CHECK(b->bytes() == attachments[1]);
}
