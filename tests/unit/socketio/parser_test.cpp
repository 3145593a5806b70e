// SPDX-License-Identifier: BSL-1.0
// socketio/codec.hpp: the one-value parser facade over the default and the msgpack parser
// (parser_base, any_packet, any_value). The parsers underneath have their own test files
// (decoder_test, sio_msgpack_test); here is what the facade adds: dispatch by kind, its own
// errors, the msgpack base64 scratch, forwarding, and the kind-neutral value views.
#include <siocodec/engineio/decode.hpp>
#include <siocodec/engineio/payload.hpp>
#include <siocodec/json/json.hpp>
#include <siocodec/msgpack/msgpack.hpp>
#include <siocodec/socketio/codec.hpp>

#include "support/catch.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using siocodec::byte_view;
using siocodec::error;
namespace eio = siocodec::engineio;
namespace json = siocodec::json;
namespace mp = siocodec::msgpack;
namespace sio = siocodec::socketio;

namespace {

// Bytes from lowercase hex digits.
std::string from_hex(std::string_view h) {
  const auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  std::string out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2) {
    out.push_back(static_cast<char>(nibble(h[i]) * 16 + nibble(h[i + 1])));
  }
  return out;
}

// The frames a parser writes for builder `b`, as the messages its peer's parser is fed.
struct message {
  std::string bytes;
  eio::frame_kind kind;
};
template <class P, class B>
std::vector<message> messages_of(const P& p, const B& b) {
  std::string storage;
  sio::attachment_list<4> atts;
  std::vector<message> out;
  const auto r = p.encode_frames(b, storage, atts, sio::frame_options(), [&](const sio::frame& f) {
    std::string m(f.prefix);
    m += f.data;
    if (f.kind == eio::frame_kind::text) m.erase(0, 1);  // the Engine.IO message digit
    out.push_back({m, f.kind});
  });
  REQUIRE(r);
  return out;
}

}  // namespace

TEST_CASE("parser: one interface over both parsers") {
  unsigned char blob[3] = {5, 6, 7};
  const auto check_parser = [&](auto& p) {
    std::string storage;
    sio::attachment_list<4> atts;
    std::vector<std::string> messages;
    std::vector<eio::frame_kind> kinds;
    sio::frame_options fo;
    const auto r = p.encode_frames(
        sio::event("evt", "text \"q\"", 42, byte_view(blob, 3), sio::object("k", 1.5)).id(3),
        storage, atts, fo, [&](const sio::frame& f) {
          std::string m(f.prefix);
          m += f.data;
          if (f.kind == eio::frame_kind::text) m.erase(0, 1);  // the Engine.IO message digit
          messages.push_back(m);
          kinds.push_back(f.kind);
        });
    REQUIRE(r);
    std::optional<sio::any_packet> got;
    for (std::size_t i = 0; i < messages.size(); ++i) {
      const auto d = p.feed(std::string_view(messages[i]), kinds[i]);
      if (d.error() == error::incomplete) {
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
    CHECK(p.encode_frames(pk, again, fo, [&frames](const sio::frame&) { ++frames; }));
    CHECK(frames == messages.size());
  };
  sio::parser json_parser(sio::parser_kind::json);
  check_parser(json_parser);
  sio::parser msgpack_parser(sio::parser_kind::msgpack);
  check_parser(msgpack_parser);
  sio::static_parser<sio::parser_kind::msgpack> fixed;
  CHECK(fixed.kind() == sio::parser_kind::msgpack);
  check_parser(fixed);
  sio::static_parser<sio::parser_kind::json> fixed_json;
  check_parser(fixed_json);
}

TEST_CASE("parser: msgpack specifics") {
  sio::parser p(sio::parser_kind::msgpack);
  CHECK(p.feed(std::string_view(R"({"type":0,"nsp":"/"})"), eio::frame_kind::text).error() ==
        error::unexpected_text_frame);
  CHECK(p.feed(std::string_view("\xc1"), eio::frame_kind::binary).error() ==
        error::invalid_msgpack);
  CHECK_FALSE(p.waiting());
  sio::decode_options small;
  small.max_packet_bytes = 4;
  sio::parser q(sio::parser_kind::msgpack, small);
  CHECK(q.feed(std::string_view("\x82\xa4type\x00"), eio::frame_kind::binary).error() ==
        error::packet_too_large);
  // A base64 message (polling) goes through the parser's scratch storage.
  std::string storage;
  std::string body;
  sio::frame_options fo;
  fo.transport = sio::transport_kind::polling;
  REQUIRE(p.encode_frames(sio::event("a", 1), storage, fo,
                          [&body](const sio::frame& f) { body = std::string(f.data); }));
  const auto pk = eio::decode(body, eio::frame_kind::text);
  REQUIRE(pk);
  CHECK(pk->kind == eio::data_kind::base64);
  const auto d = p.feed(*pk);
  REQUIRE(d);
  CHECK(d->event_name().string_equals("a"));
  eio::packet_view bad = *pk;
  bad.data = "@@@@";
  CHECK(p.feed(bad).error() == error::invalid_base64);
  bad.type = eio::packet_type::ping;
  CHECK(p.feed(bad).error() == error::invalid_argument);
  // The protocol v4 msgpack parser takes text packets.
  sio::decode_options v4;
  v4.version = sio::protocol_version::v4;
  sio::static_parser<sio::parser_kind::msgpack> old(v4);
  const auto c = old.feed(std::string_view(R"({"type":0,"nsp":"/x"})"), eio::frame_kind::text);
  REQUIRE(c);
  CHECK(c->parser() == sio::parser_kind::msgpack);
  CHECK_FALSE(c->is_msgpack());
  CHECK(c->type() == sio::packet_type::connect);
  CHECK(c->nsp() == "/x");
  p.reset();
}

TEST_CASE("parser: names and any_value kinds") {
  sio::parser_kind k = sio::parser_kind::json;
  CHECK(sio::parse_parser_kind("msgpack", k));
  CHECK(k == sio::parser_kind::msgpack);
  CHECK(sio::parse_parser_kind("default", k));
  CHECK(k == sio::parser_kind::json);
  CHECK_FALSE(sio::parse_parser_kind("cbor", k));
  CHECK(std::string(sio::to_string(sio::parser_kind::msgpack)) == "msgpack");
  const std::string ok = from_hex("99c0d40000c3cb3ff8000000000000a0c4009080d7000000000000000000");
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
  CHECK(escaped.string_to(buf, 1).error() == error::output_too_small);
  CHECK_FALSE(sio::any_value().exists());
  CHECK(sio::any_value()[0].kind() == sio::value_kind::absent);
}

TEST_CASE("parser: a message of neither frame kind, or a packet that is not a message") {
  for (const auto kind : {sio::parser_kind::json, sio::parser_kind::msgpack}) {
    sio::parser p(kind);
    INFO(sio::to_string(kind));
    CHECK(p.feed(std::string_view("2[\"a\"]"), static_cast<eio::frame_kind>(7)).error() ==
          error::invalid_argument);
    CHECK(p.feed(eio::packet_view::text(eio::packet_type::ping, "probe")).error() ==
          error::invalid_argument);
    // Ready for the next message after the error.
    const auto ok = messages_of(p, sio::event("ok"));  // the packet's views point into it
    const auto next = p.feed(ok[0].bytes, ok[0].kind);
    REQUIRE(next);
    CHECK(next->event_name().string_equals("ok"));
  }
}

TEST_CASE("parser: the msgpack base64 scratch is bounded and its errors have offset 0") {
  sio::decode_options o;
  o.max_packet_bytes = 8;
  sio::parser p(sio::parser_kind::msgpack, o);
  // 12 base64 characters decode to 9 bytes: refused before the scratch grows.
  const auto big =
      p.feed(eio::packet_view{eio::packet_type::message, eio::data_kind::base64, "AAAAAAAAAAAA"});
  CHECK(big.error() == error::packet_too_large);
  // Valid base64 of an invalid message: the msgpack error, at offset 0 (its offsets would be
  // offsets in the decoded bytes, not in the text).
  const auto bad =
      p.feed(eio::packet_view{eio::packet_type::message, eio::data_kind::base64, "wQ=="});
  CHECK(bad.error() == error::invalid_msgpack);
  CHECK(bad.offset() == 0);
  // Lax base64 is passed through: `wQ` without padding is Node-valid, strict-invalid.
  const auto unpadded =
      p.feed(eio::packet_view{eio::packet_type::message, eio::data_kind::base64, "wQ"});
  CHECK(unpadded.error() == error::invalid_base64);
  const auto lax = p.feed(eio::packet_view{eio::packet_type::message, eio::data_kind::base64, "wQ"},
                          siocodec::base64::mode::lax);
  CHECK(lax.error() == error::invalid_msgpack);
}

TEST_CASE("parser: the default parser takes base64 attachments in copy mode only") {
  const unsigned char blob[3] = {1, 2, 3};
  const char* header = R"(51-["up",{"_placeholder":true,"num":0}])";
  const eio::packet_view attachment{eio::packet_type::message, eio::data_kind::base64, "AQID"};
  sio::parser borrow(sio::parser_kind::json);
  CHECK(borrow.feed(std::string_view(header), eio::frame_kind::text).error() == error::incomplete);
  CHECK(borrow.waiting());
  CHECK(borrow.feed(attachment).error() == error::invalid_argument);
  CHECK_FALSE(borrow.waiting());

  sio::parser copy(sio::parser_kind::json, {}, sio::attachment_mode::copy);
  CHECK(copy.feed(std::string_view(header), eio::frame_kind::text).error() == error::incomplete);
  const auto r = copy.feed(attachment);
  REQUIRE(r);
  CHECK(r->type() == sio::packet_type::binary_event);
  const auto args = r->arguments();
  REQUIRE(args.size() == 1);
  CHECK(args.begin()->is_binary());
  CHECK(args.begin()->bytes() == byte_view(blob, 3));
  // reset() drops a pending packet.
  CHECK(copy.feed(std::string_view(header), eio::frame_kind::text).error() == error::incomplete);
  copy.reset();
  CHECK_FALSE(copy.waiting());
  CHECK(copy.feed(byte_view(blob, 3), eio::frame_kind::binary).error() ==
        error::unexpected_binary_frame);
}

TEST_CASE("parser: a packet is forwarded only by a parser of its kind") {
  sio::parser json_parser(sio::parser_kind::json);
  sio::parser msgpack_parser(sio::parser_kind::msgpack);
  const auto from_json = json_parser.feed(std::string_view(R"(2["a",1])"), eio::frame_kind::text);
  REQUIRE(from_json);
  const auto m = messages_of(msgpack_parser, sio::event("a", 1));
  REQUIRE(m.size() == 1);
  const auto from_msgpack = msgpack_parser.feed(m[0].bytes, m[0].kind);
  REQUIRE(from_msgpack);
  std::string storage;
  bool sent = false;
  const auto send = [&sent](const sio::frame&) { sent = true; };
  CHECK(msgpack_parser.encode_frames(*from_json, storage, sio::frame_options(), send).error() ==
        error::invalid_argument);
  CHECK(json_parser.encode_frames(*from_msgpack, storage, sio::frame_options(), send).error() ==
        error::invalid_argument);
  CHECK_FALSE(sent);
  CHECK(storage.empty());
  // The protocol v4 msgpack parser's text packets carry the msgpack kind but a packet_view:
  // they are forwarded as JSON text by the msgpack parser only.
  sio::decode_options v4;
  v4.version = sio::protocol_version::v4;
  sio::parser old(sio::parser_kind::msgpack, v4);
  const auto text = old.feed(std::string_view(R"({"type":0,"nsp":"/x"})"), eio::frame_kind::text);
  REQUIRE(text);
  CHECK(old.encode_frames(*text, storage, sio::frame_options(), send).error() ==
        error::invalid_argument);
}

TEST_CASE("parser: any_packet of each type") {
  for (const auto kind : {sio::parser_kind::json, sio::parser_kind::msgpack}) {
    INFO(sio::to_string(kind));
    sio::parser p(kind);
    const auto feed = [&p](const std::vector<message>& ms) {
      std::optional<sio::any_packet> got;
      for (const message& m : ms) {
        const auto r = p.feed(m.bytes, m.kind);
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
