// SPDX-License-Identifier: BSL-1.0
#include <siocodec/engineio/decode.hpp>
#include <siocodec/engineio/payload.hpp>
#include <siocodec/msgpack/msgpack.hpp>
#include <siocodec/socketio.hpp>
#include <siocodec/socketio/codec.hpp>

#include "support/catch.hpp"
#include "support/hex.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
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

using siocodec_test::unhex;

using siocodec_test::hex;

// fixstr hex of ASCII text.
std::string s(std::string_view t) {
  std::string out = hex(std::string(1, static_cast<char>(0xa0 | t.size())));
  return out + hex(t);
}

const std::string TYPE = s("type"), NSP = s("nsp"), DATA = s("data"), ID = s("id");

template <class B>
std::string mp_encode(const B& b, const sio::encode_options& o = {}) {
  std::string out;
  const auto r = sio::msgpack_parser::encode(b, out, o);
  INFO(siocodec::to_string(r.error()));
  REQUIRE(r);
  // The three forms agree.
  const auto n = sio::msgpack_parser::encoded_size(b, o);
  REQUIRE(n);
  CHECK(*n == out.size());
  std::vector<char> buf(out.size() + 8, '\x55');
  const auto t = sio::msgpack_parser::encode_to(buf.data(), out.size(), b, o);
  REQUIRE(t);
  CHECK(std::string(buf.data(), out.size()) == out);
  CHECK(buf[out.size()] == '\x55');
  if (!out.empty()) {
    CHECK(sio::msgpack_parser::encode_to(buf.data(), out.size() - 1, b, o).error() ==
          errc::output_too_small);
  }
  return out;
}

template <class B>
errc mp_error(const B& b, const sio::encode_options& o = {}) {
  std::string out = "keep";
  const auto r = sio::msgpack_parser::encode(b, out, o);
  CHECK(out == "keep");
  CHECK(sio::msgpack_parser::encoded_size(b, o).error() == r.error());
  return r.error();
}

// The view points into `bytes`: a temporary message would leave it dangling.
sio::msgpack_packet_view must_decode(std::string&& bytes,
                                     const sio::decode_options& o = {}) = delete;
sio::msgpack_packet_view must_decode(const std::string& bytes, const sio::decode_options& o = {}) {
  const auto r = sio::msgpack_parser::decode(byte_view(bytes), o);
  INFO(siocodec::to_string(r.error()) << " at " << r.offset());
  REQUIRE(r);
  CHECK(r.offset() == bytes.size());
  return *r;
}

struct point {
  int x, y;
};

}  // namespace

// A generic specialization: one write() for both parsers' writers.
template <>
struct siocodec::socketio::arg_traits<point> {
  template <class W>
  static void write(W& w, const point& p) {
    w.begin_object().member("x", p.x).member("y", p.y).end_object();
  }
};

TEST_CASE("msgpack_parser::decode: the README packet and its fields") {
  const std::string b = unhex("83a474797065 02a36e7370a12fa46461746192a568656c6c6fa3796f75");
  const auto p = must_decode(b);
  CHECK(p.type == sio::packet_type::event);
  CHECK(p.nsp == "/");
  CHECK_FALSE(p.id);
  CHECK(p.has_data());
  CHECK(sio::event_name(p).string_equals("hello"));
  const auto args = sio::arguments(p);
  CHECK(args.size() == 1);
  CHECK(args.begin()->get_string() == "you");
  CHECK(sio::payload(p).size() == 2);
}

TEST_CASE("msgpack_parser::decode: error codes and offsets") {
  const auto err = [](const std::string& h, const sio::decode_options& o = {}) {
    const std::string b = unhex(h);
    const auto r = sio::msgpack_parser::decode(byte_view(b), o);
    REQUIRE_FALSE(r);
    return std::make_pair(r.error(), r.offset());
  };
  CHECK(err("").first == errc::invalid_msgpack);
  CHECK(err("c0").first == errc::unknown_packet_type);
  // The offset of the offending value.
  CHECK(err("82" + TYPE + "07" + NSP + "a12f") ==
        std::make_pair(errc::unknown_packet_type, std::size_t{6}));
  CHECK(err("81" + NSP + "a12f") == std::make_pair(errc::unknown_packet_type, std::size_t{0}));
  CHECK(err("82" + TYPE + "02" + NSP + "05") ==
        std::make_pair(errc::invalid_namespace, std::size_t{11}));
  CHECK(err("83" + TYPE + "02" + NSP + "a12f" + DATA + "80") ==
        std::make_pair(errc::invalid_payload, std::size_t{18}));
  CHECK(err("84" + TYPE + "02" + NSP + "a12f" + DATA + "90" + ID + "ff") ==
        std::make_pair(errc::invalid_ack_id, std::size_t{22}));
  // Checks run in the reference's order: type, nsp, data, id.
  CHECK(err("84" + TYPE + "09" + NSP + "05" + DATA + "80" + ID + "ff").first ==
        errc::unknown_packet_type);
  CHECK(err("84" + TYPE + "02" + NSP + "05" + DATA + "80" + ID + "ff").first ==
        errc::invalid_namespace);
  sio::decode_options small;
  small.max_ack_id = 10;
  CHECK(err("84" + TYPE + "02" + NSP + "a12f" + DATA + "90" + ID + "0b", small).first ==
        errc::ack_id_overflow);
  small.max_namespace = 3;
  CHECK(err("83" + TYPE + "02" + NSP + s("/abc") + DATA + "90", small).first ==
        errc::invalid_namespace);
}

TEST_CASE("msgpack_parser::decode: protocol v4 accepts 0-6 with 2.x's data rules") {
  sio::decode_options v4;
  v4.version = sio::protocol_version::v4;
  // The view points into the message: keep it alive.
  const std::string message = unhex("83" + TYPE + "05" + NSP + "a12f" + DATA + "92a162c40101");
  const auto p = must_decode(message, v4);
  CHECK(p.type == sio::packet_type::binary_event);
  CHECK(sio::event_name(p).string_equals("b"));
  CHECK((*sio::arguments(p).begin()).bytes().size() == 1);
  const std::string connect_map = unhex("83" + TYPE + "00" + NSP + "a12f" + DATA + "80");
  CHECK(sio::msgpack_parser::decode(byte_view(connect_map), v4).error() == errc::invalid_payload);
  CHECK(sio::msgpack_parser::decode(byte_view(connect_map)));
}

TEST_CASE("msgpack_parser::decode_text: protocol v4 only") {
  CHECK(sio::msgpack_parser::decode_text(R"({"type":0,"nsp":"/"})").error() ==
        errc::unexpected_text_frame);
  sio::decode_options v4;
  v4.version = sio::protocol_version::v4;
  const auto p =
      sio::msgpack_parser::decode_text(R"({"nsp":"/admin","type":4,"data":"no","id":7})", v4);
  REQUIRE(p);
  CHECK(p->type == sio::packet_type::connect_error);
  CHECK(p->nsp == "/admin");
  CHECK(p->data == R"("no")");
  CHECK(*p->id == 7);
  const auto bad = sio::msgpack_parser::decode_text(R"({"type":0,"nsp":"/a\"b"})", v4);
  CHECK(bad.error() == errc::invalid_namespace);
  CHECK(bad.offset() == 16);
}

TEST_CASE("encode(msgpack_packet_view): three forms, validation") {
  const std::string data = unhex("92a163c403010203");
  sio::msgpack_packet_view p;
  p.type = sio::packet_type::event;
  p.nsp = "/chat";
  p.id = 300;
  p.data = mp::value::unchecked(byte_view(data));
  std::string out;
  REQUIRE(sio::encode(p, out));
  CHECK(hex(out) ==
        "84" + TYPE + "02" + NSP + s("/chat") + DATA + "92a163c403010203" + ID + "cd012c");
  char small[8];
  CHECK(sio::encode_to(small, p).error() == errc::output_too_small);
  CHECK(sio::encoded_size(p).value() == out.size());
  // The decoded packet encodes back to the same bytes.
  std::string again;
  REQUIRE(sio::encode(must_decode(out), again));
  CHECK(again == out);

  sio::msgpack_packet_view bad = p;
  bad.type = sio::packet_type::binary_event;
  CHECK(sio::encoded_size(bad).error() == errc::invalid_argument);
  bad = p;
  bad.data = mp::value();
  CHECK(sio::encoded_size(bad).error() == errc::invalid_argument);  // EVENT needs an array
  bad.type = sio::packet_type::disconnect;
  CHECK(sio::encoded_size(bad));
  bad.data = p.data;
  CHECK(sio::encoded_size(bad).error() == errc::invalid_argument);
  bad = p;
  bad.nsp = "\xff";
  CHECK(sio::encoded_size(bad).error() == errc::invalid_utf8);
  // An undefined payload is no payload.
  const std::string undef = unhex("d40000");
  sio::msgpack_packet_view c;
  c.type = sio::packet_type::connect;
  c.data = mp::value::unchecked(byte_view(undef));
  CHECK_FALSE(c.has_data());
  out.clear();
  REQUIRE(sio::encode(c, out));
  CHECK(hex(out) == "82" + TYPE + "00" + NSP + "a12f");
}

TEST_CASE("encode(msgpack_packet_view): protocol v4 text packets") {
  sio::encode_options v4;
  v4.version = sio::protocol_version::v4;
  const std::string msg = unhex(s("bad \"token\""));
  sio::msgpack_packet_view p;
  p.type = sio::packet_type::connect_error;
  p.data = mp::value::unchecked(byte_view(msg));
  CHECK(sio::encoded_frame_kind(p, v4) == eio::frame_kind::text);
  std::string out;
  REQUIRE(sio::encode(p, out, v4));
  CHECK(out == R"({"type":4,"nsp":"/","data":"bad \"token\""})");
  p.type = sio::packet_type::event;
  CHECK(sio::encoded_frame_kind(p, v4) == eio::frame_kind::binary);
  // A namespace JSON would escape: msgpack_parser::decode accepts it, but it cannot travel as v4
  // text.
  p.type = sio::packet_type::disconnect;
  p.data = mp::value();
  p.nsp = "/\"q\"";
  CHECK(sio::encoded_size(p, v4).error() == errc::invalid_argument);
  p.nsp = "/q";
  CHECK(sio::encoded_size(p, v4));
}

TEST_CASE("msgpack builders: every packet type") {
  unsigned char blob[3] = {1, 2, 3};
  CHECK(hex(mp_encode(sio::event("chat", "hi", byte_view(blob, 3)).nsp("/room").id(5))) ==
        "84" + TYPE + "02" + NSP + s("/room") + DATA + "93" + s("chat") + s("hi") + "c403010203" +
            ID + "05");
  CHECK(hex(mp_encode(sio::ack(9, 1, true))) ==
        "84" + TYPE + "03" + NSP + "a12f" + DATA + "9201c3" + ID + "09");
  CHECK(hex(mp_encode(sio::ack(9))) == "84" + TYPE + "03" + NSP + "a12f" + DATA + "90" + ID + "09");
  CHECK(hex(mp_encode(sio::connect())) == "82" + TYPE + "00" + NSP + "a12f");
  CHECK(hex(mp_encode(sio::connect("/admin", sio::object("token", "abc")))) ==
        "83" + TYPE + "00" + NSP + s("/admin") + DATA + "81" + s("token") + s("abc"));
  CHECK(hex(mp_encode(sio::connect("/", sio::object("key", byte_view(blob, 1))))) ==
        "83" + TYPE + "00" + NSP + "a12f" + DATA + "81" + s("key") + "c40101");
  CHECK(hex(mp_encode(sio::disconnect("/admin"))) == "82" + TYPE + "01" + NSP + s("/admin"));
  CHECK(hex(mp_encode(sio::connect_error("nope"))) ==
        "83" + TYPE + "04" + NSP + "a12f" + DATA + "81" + s("message") + s("nope"));
  CHECK(hex(mp_encode(sio::connect_error("nope", sio::object("code", 401)))) ==
        "83" + TYPE + "04" + NSP + "a12f" + DATA + "82" + s("message") + s("nope") + s("data") +
            "81" + s("code") + "cd0191");
  CHECK(hex(mp_encode(sio::event("x").nsp(""))) ==
        "83" + TYPE + "02" + NSP + "a12f" + DATA + "91" + s("x"));
}

TEST_CASE("msgpack builders: protocol v4") {
  sio::encode_options v4;
  v4.version = sio::protocol_version::v4;
  unsigned char blob[1] = {7};
  CHECK(mp_encode(sio::connect("/admin").query("token=1"), v4) ==
        R"({"type":0,"nsp":"/admin?token=1"})");
  CHECK(mp_encode(sio::connect().query("a=b"), v4) == R"({"type":0,"nsp":"/?a=b"})");
  // A namespace JSON would escape cannot be read back by msgpack_parser::decode_text: refused.
  CHECK(mp_error(sio::connect().query("a=\"b\""), v4) == errc::invalid_argument);
  CHECK(mp_error(sio::disconnect("/a\\b"), v4) == errc::invalid_argument);
  CHECK(mp_error(sio::connect_error("x").nsp("/\n"), v4) == errc::invalid_argument);
  CHECK(mp_encode(sio::event("x").nsp("/a\"b"), v4).size() > 0);  // msgpack: no JSON involved
  CHECK(mp_encode(sio::disconnect("/x").id(3), v4) == R"({"type":1,"nsp":"/x","id":3})");
  CHECK(mp_encode(sio::connect_error("denied\n"), v4) ==
        R"({"type":4,"nsp":"/","data":"denied\n"})");
  // The message is escaped by json::emit_string, as JSON.stringify escapes it.
  CHECK(mp_encode(sio::connect_error("q\"\\\x01\t\x7f\xc3\xa9"), v4) ==
        "{\"type\":4,\"nsp\":\"/\",\"data\":\"q\\\"\\\\\\u0001\\t\x7f\xc3\xa9\"}");
  CHECK(mp_error(sio::connect_error("\xff"), v4) == errc::invalid_utf8);
  CHECK(sio::msgpack_parser::encoded_frame_kind(sio::connect(), v4) == eio::frame_kind::text);
  // Binary values promote EVENT / ACK to BINARY_EVENT / BINARY_ACK, as Socket.IO 2.x does.
  CHECK(hex(mp_encode(sio::event("b", byte_view(blob, 1)), v4)) ==
        "83" + TYPE + "05" + NSP + "a12f" + DATA + "92" + s("b") + "c40107");
  CHECK(hex(mp_encode(sio::ack(1, byte_view(blob, 1)), v4)).substr(0, 14) == "84" + TYPE + "06");
  CHECK(hex(mp_encode(sio::event("b", 1), v4)).substr(0, 14) == "83" + TYPE + "02");
  CHECK(mp_error(sio::connect("/", sio::object("a", 1)), v4) == errc::invalid_argument);
  CHECK(mp_error(sio::connect_error("x", 1), v4) == errc::invalid_argument);
  // Reserved names are a v5 rule.
  CHECK(mp_error(sio::event("connect")) == errc::reserved_event_name);
  CHECK(hex(mp_encode(sio::event("connect"), v4)).size() > 0);
}

TEST_CASE("msgpack builders: refusals") {
  CHECK(mp_error(sio::connect("/", 5)) == errc::invalid_argument);  // auth must be a map
  CHECK(mp_error(sio::event("x").query("a=1")) == errc::invalid_argument);
  CHECK(mp_error(sio::event("x").nsp("/\xff")) == errc::invalid_utf8);
  CHECK(mp_error(sio::event("\xff")) == errc::invalid_utf8);
  CHECK(mp_error(sio::event("x", std::string_view("\xc3\x28"))) == errc::invalid_utf8);
  CHECK(mp_error(sio::event("x", [](auto& w) { w.end_array(); })) == errc::invalid_argument);
  CHECK(mp_error(sio::event("x", [](auto& w) { w.begin_object().value(1); })) ==
        errc::invalid_argument);
  CHECK(mp_error(sio::event("x", [](auto& w) { w.begin_array(); })) == errc::invalid_argument);
  CHECK(mp_error(sio::event("x", sio::raw_json(""))) == errc::invalid_argument);
  CHECK(mp_error(sio::event("x", mp::value())) == errc::invalid_argument);
}

TEST_CASE("msgpack builders: C++ values") {
  std::vector<unsigned char> bytes{1, 2};
  std::array<std::byte, 1> one{std::byte{9}};
  std::map<std::string, int> m{{"a", 1}, {"b", 2}};
  std::vector<bool> flags{true, false};
  std::optional<int> none;
  const char* text = "t";
  const char* null_text = nullptr;
  const std::string out =
      mp_encode(sio::event("v", bytes, one, m, flags, none, std::optional<int>(4), nullptr, text,
                           null_text, point{1, -2}, std::vector<point>{{3, 4}}, 2.5, -7, 10u));
  const auto p = must_decode(out);
  std::vector<mp::kind> kinds;
  for (const mp::value& a : sio::arguments(p)) kinds.push_back(a.type());
  CHECK(kinds == std::vector<mp::kind>{mp::kind::binary, mp::kind::binary, mp::kind::map,
                                       mp::kind::array, mp::kind::nil, mp::kind::integer,
                                       mp::kind::nil, mp::kind::string, mp::kind::nil,
                                       mp::kind::map, mp::kind::array, mp::kind::floating,
                                       mp::kind::integer, mp::kind::integer});
  mp::value y;
  REQUIRE(sio::payload(p)[10].find("y", y));
  CHECK(*y.to_int64() == -2);
  // The same arg_traits specialization serves the default parser.
  std::string text_out;
  REQUIRE(sio::encode(sio::event("p", point{1, 2}), text_out));
  CHECK(text_out == R"(2["p",{"x":1,"y":2}])");
}

TEST_CASE("msgpack builders: raw JSON and values of both layers") {
  const std::string json_text = R"({"i":-5,"u":18446744073709551615,"f":0.5,"e":1e2,)"
                                R"("s":"\u00e9\ud83d\ude00\ud800","a":[null,true,{}]})";
  const std::string out = mp_encode(sio::event("j", sio::raw_json(json_text)));
  const auto p = must_decode(out);
  const mp::value o = sio::payload(p)[1];
  mp::value v;
  REQUIRE(o.find("i", v));
  CHECK(*v.to_int64() == -5);
  REQUIRE(o.find("u", v));
  CHECK(*v.to_uint64() == 18446744073709551615u);  // exact, not through a double
  REQUIRE(o.find("f", v));
  CHECK(v.is_floating());
  REQUIRE(o.find("e", v));
  CHECK(hex(v.raw().as_chars()) == "64");  // 1e2 is the integer 100, as notepack.io writes it
  REQUIRE(o.find("s", v));
  CHECK(v.get_string() == "\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbd");
  REQUIRE(o.find("a", v));
  CHECK(v.size() == 3);
  // msgpack::value is copied verbatim; json::value converted.
  const std::string ext = unhex("d7000000016f4f4e2a70");
  const auto js = json::parse(R"(["k",{"z":1}])");
  const std::string out2 = mp_encode(sio::event("m", mp::value::unchecked(byte_view(ext)), *js));
  const auto q = must_decode(out2);
  CHECK(sio::payload(q)[1].raw() == byte_view(ext));
  CHECK(sio::payload(q)[2][1].size() == 1);
}

TEST_CASE("msgpack builders: container headers of every size, beyond the planned ones") {
  // 1,500 arrays: the first mp_plan_containers get their header room in advance, the others
  // are moved up when they close. Sizes cross the fixarray / array 16 / array 32 lines in both
  // regions.
  std::vector<std::vector<int>> lists(1500);
  for (std::size_t i = 0; i < lists.size(); ++i) {
    const std::size_t n = i % 500 == 7 ? 70000 : i % 3 == 0 ? 20 : i % 3;
    lists[i].assign(n, static_cast<int>(i % 200));
  }
  const std::string out = mp_encode(sio::event("big", lists));
  // Compare with the same structure written header-first with the emitters.
  std::string want;
  const auto r = siocodec::detail::write_append(want, [&](auto& w) {
    mp::emit_map_header(w, 3);
    (void)mp::emit_string(w, "type");
    mp::emit_uint(w, 2);
    (void)mp::emit_string(w, "nsp");
    (void)mp::emit_string(w, "/");
    (void)mp::emit_string(w, "data");
    mp::emit_array_header(w, 2);
    (void)mp::emit_string(w, "big");
    mp::emit_array_header(w, lists.size());
    for (const auto& l : lists) {
      mp::emit_array_header(w, l.size());
      for (const int x : l) mp::emit_int(w, x);
    }
    return errc::none;
  });
  REQUIRE(r);
  CHECK(out == want);
  // Maps past the plan too.
  std::vector<std::map<std::string, int>> maps(1100, std::map<std::string, int>{{"k", 1}});
  maps.back().clear();
  for (int i = 0; i < 20; ++i) maps.back()["k" + std::to_string(i)] = i;
  const std::string message = mp_encode(sio::event("maps", maps));
  const auto p = must_decode(message);
  CHECK(sio::payload(p)[1][1099].size() == 20);
}

TEST_CASE("msgpack builders: callbacks that change between passes are caught") {
  int calls = 0;
  std::string out;
  // A different element count in the planned region.
  CHECK(sio::msgpack_parser::encode(sio::event("x",
                                               [&calls](auto& w) {
                                                 const int n = calls++ == 0 ? 15 : 16;
                                                 w.begin_array();
                                                 for (int i = 0; i < n; ++i) w.value(i);
                                                 w.end_array();
                                               }),
                                    out)
            .error() == errc::invalid_argument);
  CHECK(out.empty());
  calls = 0;
  const auto r = sio::msgpack_parser::encode(
      sio::event("x", [&calls](auto& w) { w.value(calls++ == 0 ? 1 : 1000); }), out);
  CHECK(r.error() == errc::invalid_argument);
  CHECK(out.empty());
  calls = 0;
  char buf[64];
  CHECK(sio::msgpack_parser::encode_to(
            buf, sizeof buf,
            sio::event("x", [&calls](auto& w) { w.string(calls++ == 0 ? "a" : "abcdefgh"); }))
            .error() == errc::invalid_argument);
}

TEST_CASE("msgpack builders: depth") {
  sio::encode_options o;
  o.max_depth = 3;
  const auto nest = [](int levels) {
    return [levels](auto& w) {
      for (int i = 0; i < levels; ++i) w.begin_array();
      for (int i = 0; i < levels; ++i) w.end_array();
    };
  };
  CHECK(sio::msgpack_parser::encoded_size(sio::event("d", nest(2)), o));  // data is depth 1 already
  CHECK(sio::msgpack_parser::encoded_size(sio::event("d", nest(3)), o).error() ==
        errc::nesting_too_deep);
  o.max_depth = 100000;  // clamped
  CHECK(sio::msgpack_parser::encoded_size(sio::event("d", nest(255)), o));
  CHECK(sio::msgpack_parser::encoded_size(sio::event("d", nest(256)), o).error() ==
        errc::nesting_too_deep);
}

TEST_CASE("msgpack frames: every transport") {
  unsigned char blob[2] = {0xAA, 0xBB};
  const auto b = sio::event("hi", byte_view(blob, 2)).id(1);
  std::string msg;
  REQUIRE(sio::msgpack_parser::encode(b, msg));
  struct sent {
    eio::frame_kind kind;
    std::string bytes;
  };
  const auto frames_of = [&](const auto& packet, const eio::transport_options& fo) {
    std::vector<sent> out;
    std::string storage = "x";
    const auto r =
        sio::msgpack_parser::encode_frames(packet, storage, fo, [&out](const eio::frame& f) {
          CHECK(f.prefix.empty());
          out.push_back({f.kind, std::string(f.data)});
        });
    REQUIRE(r);
    CHECK(storage.size() == 1 + *r);
    CHECK(sio::msgpack_parser::encoded_frames_size(packet, fo).value() == *r);
    std::vector<char> buf(*r);
    std::size_t n = 0;
    REQUIRE(sio::msgpack_parser::encode_frames_to(buf.data(), buf.size(), packet, fo,
                                                  [&n](const eio::frame&) { ++n; }));
    CHECK(n == 1);
    if (!buf.empty()) {
      CHECK(sio::msgpack_parser::encode_frames_to(buf.data(), buf.size() - 1, packet, fo,
                                                  [](const eio::frame&) { FAIL("sent"); })
                .error() == errc::output_too_small);
    }
    REQUIRE(out.size() == 1);
    return out[0];
  };
  eio::transport_options fo;
  // Engine.IO v4 WebSocket: the message itself.
  sent f = frames_of(b, fo);
  CHECK(f.kind == eio::frame_kind::binary);
  CHECK(f.bytes == msg);
  // Engine.IO v4 polling: b<base64>.
  fo.transport = eio::transport_kind::polling;
  f = frames_of(b, fo);
  CHECK(f.kind == eio::frame_kind::text);
  CHECK(f.bytes[0] == 'b');
  {
    auto reader = eio::decode_payload(f.bytes);
    std::size_t n = 0;
    sio::codec p(sio::parser_kind::msgpack);
    for (const eio::packet_view& pk : reader) {
      ++n;
      const auto d = p.decode(pk);
      REQUIRE(d);
      CHECK(d->event_name().string_equals("hi"));
      CHECK((*d->arguments().begin()).bytes() == byte_view(blob, 2));
    }
    CHECK(reader.error() == errc::none);
    CHECK(n == 1);
  }
  // Engine.IO v3 WebSocket: 0x04 then the message, contiguous.
  sio::encode_options v4o;
  v4o.version = sio::protocol_version::v4;
  std::string msg4;
  REQUIRE(sio::msgpack_parser::encode(b, msg4, v4o));
  fo.version = eio::protocol_version::v3;
  fo.transport = eio::transport_kind::websocket;
  f = frames_of(b, fo);
  CHECK(f.kind == eio::frame_kind::binary);
  CHECK(f.bytes == std::string(1, '\x04') + msg4);
  // ... and a v4 text packet: a text frame `4{json}`.
  f = frames_of(sio::connect("/admin"), fo);
  CHECK(f.kind == eio::frame_kind::text);
  CHECK(f.bytes == R"(4{"type":0,"nsp":"/admin"})");
  // Engine.IO v3 polling with binary: the binary payload.
  fo.transport = eio::transport_kind::polling;
  f = frames_of(b, fo);
  CHECK(f.kind == eio::frame_kind::binary);
  {
    eio::decode_options eo;
    eo.version = eio::protocol_version::v3;
    auto reader = eio::decode_payload(f.bytes, eio::frame_kind::binary, eo);
    std::size_t n = 0;
    for (const eio::packet_view& pk : reader) {
      ++n;
      CHECK(pk.kind == eio::data_kind::binary);
      CHECK(pk.data == msg4);
    }
    CHECK(reader.error() == errc::none);
    CHECK(n == 1);
  }
  // ... a text packet in a text body, lengths in UTF-16 units.
  // engine.io-parser 2.2.1 encodePayload: 22 units (the JSON text was counted one byte at a
  // time before, a non-ASCII character not at all: 21, and a peer split the body wrongly).
  f = frames_of(sio::connect("/é"), fo);
  CHECK(f.kind == eio::frame_kind::text);
  CHECK(f.bytes == "22:4{\"type\":0,\"nsp\":\"/\xc3\xa9\"}");
  f = frames_of(sio::connect_error("né\n"), fo);
  CHECK(f.bytes == "35:4{\"type\":4,\"nsp\":\"/\",\"data\":\"n\xc3\xa9\\n\"}");
  // Engine.IO v3 polling without binary: <n>:b4<base64>.
  fo.supports_binary = false;
  f = frames_of(b, fo);
  CHECK(f.kind == eio::frame_kind::text);
  {
    eio::decode_options eo;
    eo.version = eio::protocol_version::v3;
    auto reader = eio::decode_payload(f.bytes, eio::frame_kind::text, eo);
    sio::decode_options so;
    so.version = sio::protocol_version::v4;
    sio::codec p(sio::parser_kind::msgpack, sio::make_codec_options(so));
    std::size_t n = 0;
    for (const eio::packet_view& pk : reader) {
      ++n;
      const auto d = p.decode(pk);
      REQUIRE(d);
      CHECK(d->id() == std::optional<std::uint64_t>(1));
    }
    CHECK(reader.error() == errc::none);
    CHECK(n == 1);
  }
  // A decoded packet frames the same way as its builder.
  fo = eio::transport_options();
  const auto decoded = must_decode(msg);
  CHECK(frames_of(decoded, fo).bytes == msg);
  fo.version = static_cast<eio::protocol_version>(7);
  CHECK(sio::msgpack_parser::encoded_frames_size(b, fo).error() == errc::invalid_argument);
}

// Issue 17.1: socket.io-msgpack-parser carries binary values inline and keeps no placeholders, so
// a `{"_placeholder":true,"num":0}` map is the application's data, as in the reference.
TEST_CASE("msgpack_parser::decode: placeholder-shaped maps are data") {
  const std::string b = unhex("83" + TYPE + "02" + NSP + "a12f" + DATA + "92a165" + "82" +
                              s("_placeholder") + "c3" + s("num") + "00");
  const auto p = must_decode(b);
  const auto args = sio::arguments(p);
  REQUIRE(args.size() == 1);
  CHECK(args.begin()->is_map());
  CHECK_FALSE(args.begin()->is_binary());
}

// Issue 17.4: the views of a temporary any_packet are copies, so that a reference bound to them
// (directly or through a temporary result) stays valid; this read freed stack under ASan.
TEST_CASE("any_packet views of a temporary do not dangle") {
  const std::string text = R"(2/chat,["msg",1])";
  const sio::packet_view& v = sio::any_packet(*sio::decode(text)).as_packet_view();
  CHECK(v.nsp == "/chat");
  CHECK(v.data == R"(["msg",1])");
  const std::string b = unhex("83a474797065 02a36e7370a12fa46461746192a568656c6c6fa3796f75");
  const sio::msgpack_packet_view& m = sio::any_packet(must_decode(b)).as_msgpack_packet();
  CHECK(m.nsp == "/");
  CHECK(sio::event_name(m).string_equals("hello"));
}
