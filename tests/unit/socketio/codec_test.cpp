// SPDX-License-Identifier: BSL-1.0
// socketio/codec.hpp: the per-connection codec over the default and the msgpack parser
// (basic_codec, any_packet, any_value). The parsers underneath have their own test files
// (decoder_test, sio_msgpack_test); here is what the codec adds: Engine.IO messages in and out,
// dispatch by kind, its own errors, the msgpack base64 scratch, forwarding, the kind-neutral
// value views, and received values written again (socketio/copy.hpp: the copy encodes to the
// frames that were received).
#include <siocodec/engineio/decode.hpp>
#include <siocodec/engineio/payload.hpp>
#include <siocodec/json/json.hpp>
#include <siocodec/msgpack/msgpack.hpp>
#include <siocodec/socketio/codec.hpp>
#include <siocodec/socketio/copy.hpp>

#include "support/catch.hpp"
#include "support/hex.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using siocodec::byte_view;
using siocodec::errc;
namespace eio = siocodec::engineio;
namespace json = siocodec::json;
namespace mp = siocodec::msgpack;
namespace sio = siocodec::socketio;

namespace {

// The frames a parser writes for builder `b`, as the messages its peer's parser is fed.
struct message {
  std::string bytes;
  eio::frame_kind kind;
  bool operator==(const message& o) const { return bytes == o.bytes && kind == o.kind; }
};
template <class P, class B>
std::vector<message> messages_of(const P& p, const B& b) {
  std::string storage;
  sio::attachment_list<4> atts;
  std::vector<message> out;
  const auto r =
      p.encode_frames(b, storage, atts, eio::transport_options(), [&](const eio::frame& f) {
        std::string m(f.prefix);
        m += f.data;
        if (f.kind == eio::frame_kind::text) m.erase(0, 1);  // the Engine.IO message digit
        out.push_back({m, f.kind});
      });
  REQUIRE(r);
  return out;
}

// `p` decodes `in` into `got` (the last message completes the packet).
template <class P>
void decode_all(P& p, const std::vector<message>& in, std::optional<sio::any_packet>& got) {
  for (const message& m : in) {
    const auto d = p.decode(std::string_view(m.bytes), m.kind);
    if (d.error() == errc::incomplete) continue;
    REQUIRE(d);
    got = *d;
  }
  REQUIRE(got);
}

}  // namespace

TEST_CASE("codec: one interface over both parsers") {
  unsigned char blob[3] = {5, 6, 7};
  const auto check_parser = [&](auto& p) {
    std::string storage;
    sio::attachment_list<4> atts;
    std::vector<std::string> messages;
    std::vector<eio::frame_kind> kinds;
    eio::transport_options fo;
    const auto r = p.encode_frames(
        sio::event("evt", "text \"q\"", 42, byte_view(blob, 3), sio::object("k", 1.5)).id(3),
        storage, atts, fo, [&](const eio::frame& f) {
          std::string m(f.prefix);
          m += f.data;
          if (f.kind == eio::frame_kind::text) m.erase(0, 1);  // the Engine.IO message digit
          messages.push_back(m);
          kinds.push_back(f.kind);
        });
    REQUIRE(r);
    std::optional<sio::any_packet> got;
    for (std::size_t i = 0; i < messages.size(); ++i) {
      const auto d = p.decode(std::string_view(messages[i]), kinds[i]);
      if (d.error() == errc::incomplete) {
        CHECK(p.waiting());
        continue;
      }
      REQUIRE(d);
      got = *d;
    }
    REQUIRE(got);
    const sio::any_packet& pk = *got;
    CHECK(pk.parser() == p.kind());
    CHECK(pk.id() == std::optional<std::uint64_t>(3));
    CHECK(pk.nsp() == "/");
    CHECK(pk.event_name().string_equals("evt"));
    const auto args = pk.arguments();
    CHECK(args.size() == 4);
    auto it = args.begin();
    CHECK(it->is_string());
    std::string text;
    REQUIRE(it->append_string(text));
    CHECK(text == "text \"q\"");
    CHECK(it->string_size() == text.size());
    ++it;
    CHECK(*it->to_int64() == 42);
    CHECK(it->is_integer());
    ++it;
    CHECK(it->is_binary());
    CHECK(it->bytes() == byte_view(blob, 3));
    ++it;
    sio::any_value k;
    REQUIRE(it->find("k", k));
    CHECK(*k.to_double() == 1.5);
    for (const sio::any_member& m : it->members()) CHECK(m.key.string_equals("k"));
    ++it;
    CHECK(it == args.end());
    // Forwarding the packet re-encodes it.
    std::string again;
    std::size_t frames = 0;
    CHECK(p.encode_frames(pk, again, fo, [&frames](const eio::frame&) { ++frames; }));
    CHECK(frames == messages.size());
  };
  sio::codec json_parser(sio::parser_kind::json);
  check_parser(json_parser);
  sio::codec msgpack_parser(sio::parser_kind::msgpack);
  check_parser(msgpack_parser);
  sio::static_codec<sio::parser_kind::msgpack> fixed;
  CHECK(fixed.kind() == sio::parser_kind::msgpack);
  check_parser(fixed);
  sio::static_codec<sio::parser_kind::json> fixed_json;
  check_parser(fixed_json);
}

TEST_CASE("codec: msgpack specifics") {
  sio::codec p(sio::parser_kind::msgpack);
  CHECK(p.decode(std::string_view(R"({"type":0,"nsp":"/"})"), eio::frame_kind::text).error() ==
        errc::unexpected_text_frame);
  CHECK(p.decode(std::string_view("\xc1"), eio::frame_kind::binary).error() ==
        errc::invalid_msgpack);
  CHECK_FALSE(p.waiting());
  sio::codec_options small;
  small.decode.max_packet_bytes = 4;
  sio::codec q(sio::parser_kind::msgpack, small);
  CHECK(q.decode(std::string_view("\x82\xa4type\x00"), eio::frame_kind::binary).error() ==
        errc::packet_too_large);
  // A base64 message (polling) goes through the parser's scratch storage.
  std::string storage;
  std::string body;
  eio::transport_options fo;
  fo.transport = eio::transport_kind::polling;
  REQUIRE(p.encode_frames(sio::event("a", 1), storage, fo,
                          [&body](const eio::frame& f) { body = std::string(f.data); }));
  const auto pk = eio::decode(body, eio::frame_kind::text);
  REQUIRE(pk);
  CHECK(pk->kind == eio::data_kind::base64);
  const auto d = p.decode(*pk);
  REQUIRE(d);
  CHECK(d->event_name().string_equals("a"));
  eio::packet_view bad = *pk;
  bad.data = "@@@@";
  CHECK(p.decode(bad).error() == errc::invalid_base64);
  bad.type = eio::packet_type::ping;
  CHECK(p.decode(bad).error() == errc::invalid_argument);
  // The protocol v4 msgpack parser takes text packets.
  sio::codec_options v4;
  v4.version = sio::protocol_version::v4;
  sio::static_codec<sio::parser_kind::msgpack> old(v4);
  const auto c = old.decode(std::string_view(R"({"type":0,"nsp":"/x"})"), eio::frame_kind::text);
  REQUIRE(c);
  CHECK(c->parser() == sio::parser_kind::msgpack);
  CHECK_FALSE(c->is_msgpack());
  CHECK(c->type() == sio::packet_type::connect);
  CHECK(c->nsp() == "/x");
  p.reset();
}

TEST_CASE("codec: names and any_value kinds") {
  sio::parser_kind k = sio::parser_kind::json;
  CHECK(sio::parse_parser_kind("msgpack", k));
  CHECK(k == sio::parser_kind::msgpack);
  CHECK(sio::parse_parser_kind("default", k));
  CHECK(k == sio::parser_kind::json);
  CHECK_FALSE(sio::parse_parser_kind("cbor", k));
  CHECK(std::string(sio::to_string(sio::parser_kind::msgpack)) == "msgpack");
  const std::string ok =
      siocodec_test::unhex("99c0d40000c3cb3ff8000000000000a0c4009080d7000000000000000000");
  const auto w = mp::parse(byte_view(ok));
  REQUIRE(w);
  std::vector<sio::value_kind> kinds;
  for (const sio::any_value& e : sio::any_value(*w).elements()) kinds.push_back(e.kind());
  CHECK(kinds == std::vector<sio::value_kind>{
                     sio::value_kind::null, sio::value_kind::undefined, sio::value_kind::boolean,
                     sio::value_kind::number, sio::value_kind::string, sio::value_kind::binary,
                     sio::value_kind::array, sio::value_kind::object, sio::value_kind::extension});
  const auto j = json::parse(R"([null,true,1,"a\n",[],{}])");
  kinds.clear();
  for (const sio::any_value& e : sio::any_value(*j).elements()) kinds.push_back(e.kind());
  CHECK(kinds == std::vector<sio::value_kind>{sio::value_kind::null, sio::value_kind::boolean,
                                              sio::value_kind::number, sio::value_kind::string,
                                              sio::value_kind::array, sio::value_kind::object});
  const sio::any_value escaped = sio::any_value(*j)[3];
  std::string_view direct;
  CHECK_FALSE(escaped.direct_string(direct));
  char buf[2];
  CHECK(escaped.string_to(buf, 2));
  CHECK(std::string_view(buf, 2) == "a\n");
  CHECK(escaped.string_to(buf, 1).error() == errc::output_too_small);
  CHECK_FALSE(sio::any_value().exists());
  CHECK(sio::any_value()[0].kind() == sio::value_kind::absent);
}

TEST_CASE("codec: a message of neither frame kind, or a packet that is not a message") {
  for (const auto kind : {sio::parser_kind::json, sio::parser_kind::msgpack}) {
    sio::codec p(kind);
    INFO(sio::to_string(kind));
    CHECK(p.decode(std::string_view("2[\"a\"]"), static_cast<eio::frame_kind>(7)).error() ==
          errc::invalid_argument);
    CHECK(p.decode(eio::packet_view::text(eio::packet_type::ping, "probe")).error() ==
          errc::invalid_argument);
    // Ready for the next message after the error.
    const auto ok = messages_of(p, sio::event("ok"));  // the packet's views point into it
    const auto next = p.decode(ok[0].bytes, ok[0].kind);
    REQUIRE(next);
    CHECK(next->event_name().string_equals("ok"));
  }
}

TEST_CASE("codec: the msgpack base64 scratch is bounded and its errors have offset 0") {
  sio::codec_options o;
  o.decode.max_packet_bytes = 8;
  sio::codec p(sio::parser_kind::msgpack, o);
  o.base64 = siocodec::base64::mode::lax;
  sio::codec lax_codec(sio::parser_kind::msgpack, o);
  // 12 base64 characters decode to 9 bytes: refused before the scratch grows.
  const auto big =
      p.decode(eio::packet_view{eio::packet_type::message, eio::data_kind::base64, "AAAAAAAAAAAA"});
  CHECK(big.error() == errc::packet_too_large);
  // Valid base64 of an invalid message: the msgpack error, at offset 0 (its offsets would be
  // offsets in the decoded bytes, not in the text).
  const auto bad =
      p.decode(eio::packet_view{eio::packet_type::message, eio::data_kind::base64, "wQ=="});
  CHECK(bad.error() == errc::invalid_msgpack);
  CHECK(bad.offset() == 0);
  // Lax base64 is passed through: `wQ` without padding is Node-valid, strict-invalid.
  const auto unpadded =
      p.decode(eio::packet_view{eio::packet_type::message, eio::data_kind::base64, "wQ"});
  CHECK(unpadded.error() == errc::invalid_base64);
  const auto lax =
      lax_codec.decode(eio::packet_view{eio::packet_type::message, eio::data_kind::base64, "wQ"});
  CHECK(lax.error() == errc::invalid_msgpack);
}

TEST_CASE("codec: the default parser takes base64 attachments in copy mode only") {
  const unsigned char blob[3] = {1, 2, 3};
  const char* header = R"(51-["up",{"_placeholder":true,"num":0}])";
  const eio::packet_view attachment{eio::packet_type::message, eio::data_kind::base64, "AQID"};
  sio::codec borrow(sio::parser_kind::json);
  CHECK(borrow.decode(std::string_view(header), eio::frame_kind::text).error() == errc::incomplete);
  CHECK(borrow.waiting());
  CHECK(borrow.decode(attachment).error() == errc::invalid_argument);
  CHECK_FALSE(borrow.waiting());

  sio::codec copy(sio::parser_kind::json, sio::make_codec_options({}, sio::attachment_mode::copy));
  CHECK(copy.decode(std::string_view(header), eio::frame_kind::text).error() == errc::incomplete);
  const auto r = copy.decode(attachment);
  REQUIRE(r);
  CHECK(r->type() == sio::packet_type::binary_event);
  const auto args = r->arguments();
  REQUIRE(args.size() == 1);
  CHECK(args.begin()->is_binary());
  CHECK(args.begin()->bytes() == byte_view(blob, 3));
  // reset() drops a pending packet.
  CHECK(copy.decode(std::string_view(header), eio::frame_kind::text).error() == errc::incomplete);
  copy.reset();
  CHECK_FALSE(copy.waiting());
  CHECK(copy.decode(byte_view(blob, 3), eio::frame_kind::binary).error() ==
        errc::unexpected_binary_frame);
}

TEST_CASE("codec: a packet is forwarded only by a parser of its kind") {
  sio::codec json_parser(sio::parser_kind::json);
  sio::codec msgpack_parser(sio::parser_kind::msgpack);
  const auto from_json = json_parser.decode(std::string_view(R"(2["a",1])"), eio::frame_kind::text);
  REQUIRE(from_json);
  const auto m = messages_of(msgpack_parser, sio::event("a", 1));
  REQUIRE(m.size() == 1);
  const auto from_msgpack = msgpack_parser.decode(m[0].bytes, m[0].kind);
  REQUIRE(from_msgpack);
  std::string storage;
  bool sent = false;
  const auto send = [&sent](const eio::frame&) { sent = true; };
  CHECK(msgpack_parser.encode_frames(*from_json, storage, eio::transport_options(), send).error() ==
        errc::invalid_argument);
  CHECK(json_parser.encode_frames(*from_msgpack, storage, eio::transport_options(), send).error() ==
        errc::invalid_argument);
  CHECK_FALSE(sent);
  CHECK(storage.empty());
  // The protocol v4 msgpack parser's text packets carry the msgpack kind but a packet_view:
  // they are forwarded as JSON text by the msgpack parser only.
  sio::codec_options v4;
  v4.version = sio::protocol_version::v4;
  sio::codec old(sio::parser_kind::msgpack, v4);
  const auto text = old.decode(std::string_view(R"({"type":0,"nsp":"/x"})"), eio::frame_kind::text);
  REQUIRE(text);
  eio::transport_options v3;
  v3.version = eio::protocol_version::v3;
  CHECK(old.encode_frames(*text, storage, v3, send).error() == errc::invalid_argument);
}

TEST_CASE("codec: any_packet of each type") {
  for (const auto kind : {sio::parser_kind::json, sio::parser_kind::msgpack}) {
    INFO(sio::to_string(kind));
    sio::codec p(kind);
    const auto feed = [&p](const std::vector<message>& ms) {
      std::optional<sio::any_packet> got;
      for (const message& m : ms) {
        const auto r = p.decode(m.bytes, m.kind);
        if (r) got = *r;
      }
      REQUIRE(got);
      return *got;
    };
    // An ACK: no event name, every element is an argument.
    // The packets' views point into the messages: keep them alive.
    const auto ack_messages = messages_of(p, sio::ack(7, "x", 2));
    const sio::any_packet ack = feed(ack_messages);
    CHECK(ack.type() == sio::packet_type::ack);
    CHECK(ack.id() == std::optional<std::uint64_t>(7));
    CHECK_FALSE(ack.event_name().exists());
    CHECK(ack.arguments().size() == 2);
    CHECK(ack.data().is_array());
    // A CONNECT with auth: data is the object, no name, no arguments.
    const auto connect_messages = messages_of(p, sio::connect("/chat", sio::object("t", "k")));
    const sio::any_packet connect = feed(connect_messages);
    CHECK(connect.type() == sio::packet_type::connect);
    CHECK(connect.nsp() == "/chat");
    CHECK_FALSE(connect.event_name().exists());
    CHECK(connect.arguments().empty());
    sio::any_value t;
    REQUIRE(connect.data().find("t", t));
    CHECK(t.string_equals("k"));
    // A DISCONNECT has no data.
    const auto bye_messages = messages_of(p, sio::disconnect("/chat"));
    const sio::any_packet bye = feed(bye_messages);
    CHECK_FALSE(bye.has_data());
    CHECK_FALSE(bye.data().exists());
  }
  const sio::any_packet empty;
  CHECK(empty.parser() == sio::parser_kind::json);
  CHECK_FALSE(empty.is_msgpack());
  CHECK(empty.arguments().empty());
}

namespace {

// The Engine.IO messages codec `c` emits for `packet`, as `<T|B><bytes>` strings.
template <class C, class P>
std::vector<std::string> emitted(const C& c, const P& packet, sio::attachment_list<4>& atts,
                                 std::string& storage) {
  std::vector<std::string> out;
  const auto r = c.encode(packet, storage, atts, [&out](const eio::packet_view& m) {
    CHECK(m.type == eio::packet_type::message);
    out.push_back((m.kind == eio::data_kind::text ? "T" : "B") + std::string(m.data));
  });
  REQUIRE(r);
  return out;
}

// What the fused path sends over a WebSocket, as the Engine.IO messages it carries.
template <class C, class P>
std::vector<std::string> websocket_messages(const C& c, const P& packet,
                                            const eio::transport_options& to) {
  std::string storage;
  sio::attachment_list<4> atts;
  std::vector<std::string> out;
  const auto r = c.encode_frames(packet, storage, atts, to, [&](const eio::frame& f) {
    const std::string whole = std::string(f.prefix) + std::string(f.data);
    eio::decode_options eo;
    eo.version = to.version;
    const auto d = eio::decode(whole, f.kind, eo);
    REQUIRE(d);
    out.push_back((d->kind == eio::data_kind::text ? "T" : "B") + std::string(d->data));
  });
  REQUIRE(r);
  return out;
}

}  // namespace

TEST_CASE("codec: encode emits the Engine.IO messages the frame encoders carry") {
  const unsigned char blob[3] = {5, 6, 7};
  const auto b = sio::event("evt", "x", byte_view(blob, 3), byte_view(blob, 1)).id(9);
  for (const auto kind : {sio::parser_kind::json, sio::parser_kind::msgpack}) {
    for (const auto eio_version : {eio::protocol_version::v4, eio::protocol_version::v3}) {
      INFO(sio::to_string(kind) << " EIO " << static_cast<int>(eio_version));
      sio::codec_options co;
      co.version = sio::protocol_for(eio_version);
      const sio::codec c(kind, co);
      eio::transport_options to;
      to.version = eio_version;
      std::string storage = "keep";
      sio::attachment_list<4> atts;
      const auto got = emitted(c, b, atts, storage);
      CHECK(storage.compare(0, 4, "keep") == 0);  // appended
      CHECK(got == websocket_messages(c, b, to));
      if (kind == sio::parser_kind::json) {
        REQUIRE(got.size() == 3);
        CHECK(got[0] == "T52-9[\"evt\",\"x\",{\"_placeholder\":true,\"num\":0},"
                        "{\"_placeholder\":true,\"num\":1}]");
        REQUIRE(atts.size() == 2);
        CHECK(atts[0].data() == blob);  // zero copy: the caller's bytes
      } else {
        REQUIRE(got.size() == 1);
        CHECK(got[0][0] == 'B');
        CHECK(atts.size() == 0);
      }
      // The caller-buffer form emits the same messages.
      char buf[256];
      sio::attachment_list<4> atts2;
      std::vector<std::string> to_buf;
      REQUIRE(c.encode_to(buf, sizeof buf, b, atts2, [&](const eio::packet_view& m) {
        to_buf.push_back((m.kind == eio::data_kind::text ? "T" : "B") + std::string(m.data));
      }));
      CHECK(to_buf == got);
      bool sent = false;
      const auto small =
          c.encode_to(buf, 3, b, atts2, [&sent](const eio::packet_view&) { sent = true; });
      CHECK(small.error() == errc::output_too_small);
      CHECK_FALSE(sent);
    }
  }
  // Protocol v4 msgpack CONNECT: one text message.
  sio::codec_options v4;
  v4.version = sio::protocol_version::v4;
  const sio::codec old(sio::parser_kind::msgpack, v4);
  std::string storage;
  sio::attachment_list<4> atts;
  const auto c = emitted(old, sio::connect("/x"), atts, storage);
  REQUIRE(c.size() == 1);
  CHECK(c[0][0] == 'T');
}

TEST_CASE("codec: decode takes every message kind, and a proxy re-encodes what it got") {
  const unsigned char blob[3] = {5, 6, 7};
  const auto b = sio::event("evt", "x", byte_view(blob, 3));
  for (const auto kind : {sio::parser_kind::json, sio::parser_kind::msgpack}) {
    INFO(sio::to_string(kind));
    sio::codec_options co;
    co.attachments = sio::attachment_mode::copy;  // base64 attachments need copy mode
    sio::codec sender(kind, co);
    sio::codec receiver(kind, co);
    std::string storage;
    sio::attachment_list<4> atts;
    const auto sent = emitted(sender, b, atts, storage);
    // As text/binary messages (WebSocket), then as base64 messages (text-only polling).
    for (const bool as_base64 : {false, true}) {
      std::vector<std::string> b64_keep;
      b64_keep.reserve(sent.size());
      std::optional<sio::any_packet> got;
      for (const std::string& m : sent) {
        eio::packet_view pv =
            m[0] == 'T'
                ? eio::packet_view::text(eio::packet_type::message, std::string_view(m).substr(1))
                : eio::packet_view::binary(byte_view(std::string_view(m).substr(1)));
        if (as_base64 && m[0] == 'B') {
          b64_keep.emplace_back();
          REQUIRE(siocodec::base64::encode(pv.bytes(), b64_keep.back()));
          pv = eio::packet_view{eio::packet_type::message, eio::data_kind::base64, b64_keep.back()};
        }
        const auto r = receiver.decode(pv);
        if (r.error() == errc::incomplete) continue;
        REQUIRE(r);
        got = *r;
      }
      REQUIRE(got);
      CHECK(got->event_name().string_equals("evt"));
      // The proxy forwards the decoded packet: the same messages.
      std::string again;
      std::vector<std::string> forwarded;
      REQUIRE(receiver.encode(*got, again, [&](const eio::packet_view& m) {
        forwarded.push_back((m.kind == eio::data_kind::text ? "T" : "B") + std::string(m.data));
      }));
      CHECK(forwarded == sent);
    }
  }
}

TEST_CASE("codec: encode errors emit nothing and keep both containers") {
  const unsigned char blob[1] = {1};
  for (const auto kind : {sio::parser_kind::json, sio::parser_kind::msgpack}) {
    const sio::codec c(kind);
    std::string storage = "x";
    sio::attachment_list<4> atts;
    bool sent = false;
    const auto send = [&sent](const eio::packet_view&) { sent = true; };
    CHECK(c.encode(sio::event("connect"), storage, atts, send).error() ==
          errc::reserved_event_name);
    if (kind == sio::parser_kind::json) {
      sio::attachment_list<1> one;
      CHECK(c.encode(sio::event("a", byte_view(blob, 1), byte_view(blob, 1)), storage, one, send)
                .error() == errc::too_many_attachments);
      CHECK(one.size() == 0);
    }
    CHECK_FALSE(sent);
    CHECK(storage == "x");
    CHECK(atts.size() == 0);
  }
}

TEST_CASE("copy_args: an event copied through its own parser is the event received") {
  const unsigned char blob[4] = {0, 1, 0xfe, 0xff};
  const unsigned char inner[1] = {7};
  const auto sent =
      sio::event("evt", "text \"q\" é", 42, -7, 2.5, nullptr, true,
                 sio::object("k", byte_view(inner, 1), "n", 1e300), byte_view(blob, 4))
          .id(5);
  const auto check_parser = [&](auto& p) {
    const std::vector<message> in = messages_of(p, sent);
    std::optional<sio::any_packet> got;
    decode_all(p, in, got);
    const sio::any_packet& pk = *got;
    CHECK(messages_of(p, sio::event("evt", sio::copy_args(pk)).id(5)) == in);
    // The same arguments as an ACK: an echo's answer.
    CHECK(messages_of(p, sio::ack(5, sio::copy_args(pk))) ==
          messages_of(
              p, sio::ack(5, "text \"q\" é", 42, -7, 2.5, nullptr, true,
                          sio::object("k", byte_view(inner, 1), "n", 1e300), byte_view(blob, 4))));
  };
  sio::static_codec<sio::parser_kind::json> json_parser;
  check_parser(json_parser);
  sio::static_codec<sio::parser_kind::msgpack> msgpack_parser;
  check_parser(msgpack_parser);
}

TEST_CASE("copy_value: JSON scalars keep their text, escapes included") {
  // As socket.io-parser writes nothing like it, but a peer may: the digits and escapes of the
  // received text are sent back unchanged (no round trip through double or a decoded string).
  sio::static_codec<sio::parser_kind::json> p;
  const std::string frame = R"(2["evt",1.50,-0,1e2,"\u00e9\n",{"a":[0.10,"\/"]}])";
  const auto d = p.decode(std::string_view(frame), eio::frame_kind::text);
  REQUIRE(d);
  const sio::any_packet pk = *d;
  const std::vector<message> out = messages_of(p, sio::event("evt", sio::copy_args(pk)));
  REQUIRE(out.size() == 1);
  CHECK(out[0].bytes == frame);
}

TEST_CASE("copy_value: JSON values through the msgpack writer, msgpack scalars through JSON") {
  sio::static_codec<sio::parser_kind::json> json_parser;
  sio::static_codec<sio::parser_kind::msgpack> msgpack_parser;
  const auto d = json_parser.decode(std::string_view(R"(2["evt",1,"s",[true,null],{"k":2.5}])"),
                                    eio::frame_kind::text);
  REQUIRE(d);
  const sio::any_packet from_json = *d;
  // The msgpack writer converts the JSON text: the same bytes as the values written directly.
  CHECK(messages_of(msgpack_parser, sio::event("evt", sio::copy_args(from_json))) ==
        messages_of(msgpack_parser, sio::event(
                                        "evt", 1, "s",
                                        [](auto& w) {
                                          w.begin_array();
                                          w.boolean(true);
                                          w.null();
                                          w.end_array();
                                        },
                                        sio::object("k", 2.5))));
  // A msgpack scalar has no JSON text: the JSON writer writes null (containers and binary are
  // still copied).
  const unsigned char blob[2] = {1, 2};
  const std::vector<message> in =
      messages_of(msgpack_parser, sio::event("evt", 3, byte_view(blob, 2)));
  std::optional<sio::any_packet> got;
  decode_all(msgpack_parser, in, got);
  const std::vector<message> out =
      messages_of(json_parser, sio::event("evt", sio::copy_args(*got)));
  REQUIRE(out.size() == 2);
  CHECK(out[0].bytes == R"(51-["evt",null,{"_placeholder":true,"num":0}])");
  CHECK(out[1].bytes == "\x01\x02");
}
