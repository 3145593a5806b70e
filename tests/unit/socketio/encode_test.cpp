// SPDX-License-Identifier: BSL-1.0
// Socket.IO packet encoding: packet_view text, and packets built from C++ values. Expected texts
// come from the reference encoders: socket.io-parser 4.2.7 (`new Encoder().encode(packet)`,
// "sio4" below) and 3.4.5 (`new Encoder().encode(packet, cb)`, "sio3"), run with node 20.
#include <siocodec/socketio/default_parser/decode.hpp>
#include <siocodec/socketio/default_parser/encode.hpp>

#include "support/allocations.hpp"
#include "support/catch.hpp"

#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <list>
#include <map>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using namespace std::string_view_literals;
using siocodec::byte_view;
using siocodec::errc;
namespace sio = siocodec::socketio;
using sio::packet_type;
using sio::packet_view;

namespace {

const unsigned char bytes_0102[] = {1, 2};
const unsigned char bytes_03[] = {3};
const unsigned char bytes_04[] = {4};
const unsigned char bytes_05[] = {5};
const byte_view b0102(bytes_0102, 2);

packet_view pv(packet_type t, std::string_view nsp, std::optional<std::uint64_t> id,
               std::string_view data, std::size_t attachments = 0) {
  packet_view p;
  p.type = t;
  p.nsp = nsp;
  p.id = id;
  p.data = data;
  p.attachment_count = attachments;
  return p;
}

std::string enc(const packet_view& p, const sio::encode_options& o = {}) {
  std::string s;
  auto r = sio::encode(p, s, o);
  REQUIRE(r);
  CHECK(*r == s.size());
  auto n = sio::encoded_size(p, o);
  REQUIRE(n);
  CHECK(*n == s.size());
  return s;
}

errc enc_error(const packet_view& p, const sio::encode_options& o = {}) {
  std::string s = "keep";
  auto r = sio::encode(p, s, o);
  CHECK(s == "keep");
  CHECK(sio::encoded_size(p, o).error() == r.error());
  return r.error();
}

// Encodes a builder through every entry point and checks they agree; returns the text.
template <class B>
std::string build(const B& b, std::vector<byte_view>* atts_out = nullptr,
                  const sio::encode_options& o = {}) {
  std::string s;
  std::vector<byte_view> atts;
  auto r = sio::encode(b, s, atts, o);
  INFO(siocodec::to_string(r.error()));
  REQUIRE(r);
  CHECK(*r == s.size());
  auto n = sio::encoded_size(b, o);
  REQUIRE(n);
  CHECK(*n == s.size());
  // The fixed-buffer form writes the same bytes and the same attachments.
  std::vector<char> buf(s.size() + 8, '#');
  sio::attachment_list<16> fixed;
  auto t = sio::encode_to(buf.data(), buf.size(), b, fixed, o);
  REQUIRE(t);
  CHECK(std::string_view(buf.data(), *t) == s);
  CHECK(buf[s.size()] == '#');
  REQUIRE(fixed.size() == atts.size());
  for (std::size_t i = 0; i < atts.size(); ++i) {
    CHECK(fixed[i].data() == atts[i].data());
    CHECK(fixed[i].size() == atts[i].size());
  }
  if (atts_out != nullptr) *atts_out = atts;
  return s;
}

template <class B>
errc build_error(const B& b, const sio::encode_options& o = {}) {
  std::string s = "keep";
  std::vector<byte_view> atts(1);
  auto r = sio::encode(b, s, atts, o);
  CHECK(!r);
  CHECK(s == "keep");
  CHECK(atts.size() == 1);
  CHECK(sio::encoded_size(b, o).error() == r.error());
  char buf[256];
  sio::attachment_list<16> fixed;
  CHECK(sio::encode_to(buf, sizeof buf, b, fixed, o).error() == r.error());
  CHECK(fixed.size() == 0);
  return r.error();
}

sio::encode_options v4() {
  sio::encode_options o;
  o.version = sio::protocol_version::v4;
  return o;
}

// A byte container that counts its resizes.
struct counting_buffer {
  std::string s;
  int resizes = 0;
  char* data() { return s.data(); }
  std::size_t size() const { return s.size(); }
  void resize(std::size_t n) {
    ++resizes;
    s.resize(n);
  }
};

}  // namespace

// --- packet_view ------------------------------------------------------------------------------

TEST_CASE("sio encode: every packet type from a packet_view") {
  // sio4: {type:0, nsp:"/"} -> "0"
  CHECK(enc(pv(packet_type::connect, "/", {}, "")) == "0");
  // sio4: {type:0, nsp:"/admin", data:{token:"abc"}}
  CHECK(enc(pv(packet_type::connect, "/admin", {}, R"({"token":"abc"})")) ==
        R"(0/admin,{"token":"abc"})");
  // sio4: {type:1, nsp:"/admin"} -> the comma stays
  CHECK(enc(pv(packet_type::disconnect, "/admin", {}, "")) == "1/admin,");
  // sio4: {type:2, nsp:"/", data:["chat","hello"]}
  CHECK(enc(pv(packet_type::event, "/", {}, R"(["chat","hello"])")) == R"(2["chat","hello"])");
  // sio4: {type:3, nsp:"/admin", id:13, data:["bar"]}
  CHECK(enc(pv(packet_type::ack, "/admin", 13, R"(["bar"])")) == R"(3/admin,13["bar"])");
  // sio4: {type:4, nsp:"/", data:{message:"Not authorized"}}
  CHECK(enc(pv(packet_type::connect_error, "/", {}, R"({"message":"Not authorized"})")) ==
        R"(4{"message":"Not authorized"})");
  // sio4: {type:2, nsp:"/admin", id:13, data:["a", Buffer.from([1,2])]} (promoted to 5)
  CHECK(enc(pv(packet_type::binary_event, "/admin", 13, R"(["a",{"_placeholder":true,"num":0}])",
               1)) == R"(51-/admin,13["a",{"_placeholder":true,"num":0}])");
  // sio4: {type:3, nsp:"/", id:7, data:[Buffer.from([1]),Buffer.from([2]),Buffer.from([3])]}
  const auto ack3 =
      R"([{"_placeholder":true,"num":0},{"_placeholder":true,"num":1},{"_placeholder":true,"num":2}])"sv;
  CHECK(enc(pv(packet_type::binary_ack, "/", 7, ack3, 3)) == "63-7" + std::string(ack3));
  // A packet without data: sio4 {type:2, nsp:"/admin", id:4} -> "2/admin,4"
  CHECK(enc(pv(packet_type::event, "/admin", 4, "")) == "2/admin,4");
}

TEST_CASE("sio encode: the main namespace is not written, others are followed by a comma") {
  // sio4: {type:2, nsp:"", id:0, data:["a"]} -> "20[\"a\"]" (an empty nsp is the main one)
  CHECK(enc(pv(packet_type::event, "", 0, R"(["a"])")) == R"(20["a"])");
  CHECK(enc(pv(packet_type::event, "/", 0, R"(["a"])")) == R"(20["a"])");
  CHECK(enc(pv(packet_type::event, "/admin", 0, R"(["a"])")) == R"(2/admin,0["a"])");
  // sio4: {type:2, nsp:"/ünï", data:["x"]} -> raw UTF-8
  CHECK(enc(pv(packet_type::event, "/\xc3\xbcn\xc3\xaf", {}, R"(["x"])")) ==
        "2/\xc3\xbcn\xc3\xaf,[\"x\"]");
  // sio3: {type:0, nsp:"/admin?token=1"} -> v4 auth in the query string
  CHECK(enc(pv(packet_type::connect, "/admin?token=1", {}, ""), v4()) == "0/admin?token=1,");
}

TEST_CASE("sio encode: ack ids over the whole 64-bit range") {
  CHECK(enc(pv(packet_type::event, "/", 0, R"(["a"])")) == R"(20["a"])");
  // sio4 with the id as a string (a JS number cannot hold it): {type:2, nsp:"/",
  // id:"18446744073709551615", data:["a"]}
  CHECK(enc(pv(packet_type::event, "/", std::numeric_limits<std::uint64_t>::max(), R"(["a"])")) ==
        R"(218446744073709551615["a"])");
  CHECK(enc(pv(packet_type::ack, "/x", 1234567890, "[]")) == "3/x,1234567890[]");
}

TEST_CASE("sio encode: packet_view fields the wire cannot carry are refused") {
  CHECK(enc_error(pv(static_cast<packet_type>(7), "/", {}, "[]")) == errc::invalid_argument);
  CHECK(enc_error(pv(static_cast<packet_type>(255), "/", {}, "")) == errc::invalid_argument);
  // Binary types need attachments, the others must have none.
  CHECK(enc_error(pv(packet_type::binary_event, "/", {}, R"(["a"])", 0)) == errc::invalid_argument);
  CHECK(enc_error(pv(packet_type::binary_ack, "/", 1, "[]", 0)) == errc::invalid_argument);
  CHECK(enc_error(pv(packet_type::event, "/", {}, R"(["a"])", 1)) == errc::invalid_argument);
  // The reference writes `2admin,["a"]`, which no decoder reads back.
  CHECK(enc_error(pv(packet_type::event, "admin", {}, R"(["a"])")) == errc::invalid_argument);
  CHECK(enc_error(pv(packet_type::event, "/a,b", {}, R"(["a"])")) == errc::invalid_argument);
  CHECK(enc_error(pv(packet_type::event, "/a\xff", {}, R"(["a"])")) == errc::invalid_utf8);
  // Data whose first byte would be read as an ack id.
  CHECK(enc_error(pv(packet_type::connect_error, "/", {}, "5")) == errc::invalid_argument);
  CHECK(enc_error(pv(packet_type::event, "/", {}, R"( ["a"])")) == errc::invalid_argument);
  CHECK(enc_error(pv(packet_type::event, "/", {}, "\n[\"a\"]")) == errc::invalid_argument);
  CHECK(enc(pv(packet_type::connect_error, "/", {}, "-5")) == "4-5");  // "-" is no id digit
  // max_attachments, as the peer's decoder enforces it.
  std::string placeholders = "[";
  for (int i = 0; i < 11; ++i) {
    if (i != 0) placeholders += ',';
    placeholders += R"({"_placeholder":true,"num":)" + std::to_string(i) + "}";
  }
  placeholders += "]";
  CHECK(enc_error(pv(packet_type::binary_ack, "/", 1, placeholders, 11)) ==
        errc::too_many_attachments);
  sio::encode_options more;
  more.max_attachments = 11;
  CHECK(enc(pv(packet_type::binary_ack, "/", 1, placeholders, 11), more) == "611-1" + placeholders);
}

TEST_CASE("sio encode: encode_to writes nothing unless it succeeds") {
  const auto p =
      pv(packet_type::binary_event, "/admin", 13, R"(["a",{"_placeholder":true,"num":0}])", 1);
  const std::string want = R"(51-/admin,13["a",{"_placeholder":true,"num":0}])";
  for (std::size_t cap = 0; cap <= want.size() + 1; ++cap) {
    std::vector<char> buf(want.size() + 4, '#');
    auto r = sio::encode_to(buf.data(), cap, p);
    if (cap < want.size()) {
      CHECK(r.error() == errc::output_too_small);
      CHECK(r.offset() == cap);
      CHECK(std::string(buf.begin(), buf.end()) == std::string(buf.size(), '#'));
    } else {
      REQUIRE(r);
      CHECK(*r == want.size());
      CHECK(std::string_view(buf.data(), want.size()) == want);
      CHECK(buf[want.size()] == '#');
    }
  }
  char arr[8];
  CHECK(sio::encode_to(arr, p).error() == errc::output_too_small);
  char big[64];
  auto r = sio::encode_to(big, p);
  REQUIRE(r);
  CHECK(std::string_view(big, *r) == want);
}

TEST_CASE("sio encode: encode appends with exactly one resize") {
  counting_buffer out;
  out.s = "prefix:";
  auto r = sio::encode(pv(packet_type::event, "/a", 1, R"(["x"])"), out);
  REQUIRE(r);
  CHECK(out.resizes == 1);
  CHECK(out.s == R"(prefix:2/a,1["x"])");

  counting_buffer built;
  sio::attachment_list<2> atts;
  auto rb = sio::encode(sio::event("x", b0102, std::string(100, 'z')), built, atts);
  REQUIRE(rb);
  CHECK(built.resizes == 1);
  CHECK(atts.size() == 1);
}

// --- builders ---------------------------------------------------------------------------------

TEST_CASE("sio encode: events built from values read like emit()") {
  std::vector<byte_view> atts;
  // sio4: {type:2, nsp:"/", data:["chat","hello"]}
  CHECK(build(sio::event("chat", "hello"), &atts) == R"(2["chat","hello"])");
  CHECK(atts.empty());
  // sio4: {type:2, nsp:"/admin", id:13, data:["a", Buffer.from([1,2])]}
  CHECK(build(sio::event("a", b0102).nsp("/admin").id(13), &atts) ==
        R"(51-/admin,13["a",{"_placeholder":true,"num":0}])");
  REQUIRE(atts.size() == 1);
  CHECK(atts[0].data() == bytes_0102);  // the caller's bytes, not a copy
  CHECK(atts[0].size() == 2);
  // sio4: {type:3, nsp:"/admin", id:13, data:["bar"]}
  CHECK(build(sio::ack(13, "bar").nsp("/admin")) == R"(3/admin,13["bar"])");
  // sio4: {type:3, nsp:"/", id:5, data:[]}
  CHECK(build(sio::ack(5)) == "35[]");
  // sio4: {type:2, nsp:"/", data:["x",true,false,null,[],{},"",[[]]]}
  CHECK(build(sio::event("x", true, false, nullptr, sio::array(), sio::object(), "",
                         sio::array(sio::array()))) == R"(2["x",true,false,null,[],{},"",[[]]])");
  // An event with no argument.
  CHECK(build(sio::event("ping")) == R"(2["ping"])");
}

TEST_CASE("sio encode: binary values anywhere become placeholders in depth-first order") {
  std::vector<byte_view> atts;
  const byte_view b3(bytes_03, 1), b4(bytes_04, 1), b5(bytes_05, 1);
  // sio4: {type:2, nsp:"/", data:["ev", {a:[1,{b:Buffer.from([3])}], c:Buffer.from([4])},
  //   [Buffer.from([5])]]}
  CHECK(
      build(sio::event("ev", sio::object("a", sio::array(1, sio::object("b", b3)), "c", b4),
                       sio::array(b5)),
            &atts) ==
      R"(53-["ev",{"a":[1,{"b":{"_placeholder":true,"num":0}}],"c":{"_placeholder":true,"num":1}},[{"_placeholder":true,"num":2}]])");
  REQUIRE(atts.size() == 3);
  CHECK(atts[0] == b3);
  CHECK(atts[1] == b4);
  CHECK(atts[2] == b5);
  CHECK(atts[0].data() == bytes_03);

  // sio4: {type:3, nsp:"/admin", id:0, data:[{x:[[{y:Buffer.from([7])}]]}, "z", Buffer.from([])]}
  const unsigned char seven[] = {7};
  const std::vector<unsigned char> empty_buffer;
  CHECK(
      build(sio::ack(
                0, sio::object("x", sio::array(sio::array(sio::object("y", byte_view(seven, 1))))),
                "z", empty_buffer)
                .nsp("/admin"),
            &atts) ==
      R"(62-/admin,0[{"x":[[{"y":{"_placeholder":true,"num":0}}]]},"z",{"_placeholder":true,"num":1}])");
  REQUIRE(atts.size() == 2);
  CHECK(atts[1].size() == 0);

  // sio4: {type:3, nsp:"/", id:7, data:[Buffer.from([1]),Buffer.from([2]),Buffer.from([3])]}
  const std::array<unsigned char, 1> a1{{1}};
  const std::vector<std::uint8_t> a2{2};
  const std::byte a3[] = {std::byte{3}};
  CHECK(
      build(sio::ack(7, a1, a2, a3), &atts) ==
      R"(63-7[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1},{"_placeholder":true,"num":2}])");
  REQUIRE(atts.size() == 3);
  CHECK(atts[0].data() == a1.data());
  CHECK(atts[1].data() == a2.data());
  CHECK(atts[2].size() == 1);
  CHECK(atts[2][0] == 3);
}

TEST_CASE("sio encode: EVENT and ACK are promoted only when a binary value is written") {
  std::string s;
  sio::attachment_list<4> atts;
  REQUIRE(sio::encode(sio::event("a", 1), s, atts));
  CHECK(s == R"(2["a",1])");
  s.clear();
  REQUIRE(sio::encode(sio::event("a", b0102, b0102), s, atts));
  CHECK(s.substr(0, 3) == "52-");  // the same buffer twice is attached twice, as in the reference
  CHECK(atts.size() == 2);
  s.clear();
  REQUIRE(sio::encode(sio::ack(1, b0102), s, atts));
  CHECK(s.substr(0, 4) == "61-1");
  CHECK(atts.size() == 3);  // appended
}

TEST_CASE("sio encode: strings are escaped exactly as JSON.stringify escapes them") {
  // sio4: {type:2, nsp:"/", data:["s","q\"b\\s/\b\f\n\r\t\x00\x01\x1f\x7f é€😀\u2028\u2029"]}
  static const char raw[] =
      "q\"b\\s/\b\f\n\r\t\x00\x01\x1f\x7f \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"
      "\xe2\x80\xa8\xe2\x80\xa9";
  const std::string arg(raw, sizeof raw - 1);  // with its NUL
  CHECK(build(sio::event("s", arg)) ==
        "2[\"s\",\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0000\\u0001\\u001f\x7f \xc3\xa9\xe2\x82\xac\xf0"
        "\x9f\x98\x80\xe2\x80\xa8\xe2\x80\xa9\"]");
  // Keys too. sio4: {type:2, nsp:"/", data:["k",{"a\"b":1,"\n":2,"é":3}]}
  CHECK(build(sio::event("k", sio::object("a\"b", 1, "\n", 2, "\xc3\xa9", 3))) ==
        "2[\"k\",{\"a\\\"b\":1,\"\\n\":2,\"\xc3\xa9\":3}]");
  // Invalid UTF-8 anywhere: in an argument, a nested string, a key, the event name.
  CHECK(build_error(sio::event("s", "\xc3")) == errc::invalid_utf8);
  CHECK(build_error(sio::event("s", sio::array(1, "\xed\xa0\x80"))) == errc::invalid_utf8);
  CHECK(build_error(sio::event("s", sio::object("\xff", 1))) == errc::invalid_utf8);
  CHECK(build_error(sio::event("\xc0\xaf")) == errc::invalid_utf8);
  // Text types.
  const char* cstr = "c";
  const char* null_cstr = nullptr;
  char buf[8] = {'a', 'b', '\0', 'x'};
  CHECK(build(sio::event("t", std::string("s"), "lit"sv, cstr, null_cstr, buf)) ==
        R"(2["t","s","lit","c",null,"ab"])");
}

TEST_CASE("sio encode: numbers are written as JavaScript writes them") {
  // sio4: {type:2, nsp:"/", data:["n",0,-0,1.5,-2.25,NaN,Infinity,-Infinity,1e21,1e-7,
  //   123456789012345680000,0.000001,5e-324,1.7976931348623157e308,0.1,100,1e20,-1e-7,1/3,2**53]}
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(build(sio::event("n", 0.0, -0.0, 1.5, -2.25, std::nan(""), inf, -inf, 1e21, 1e-7,
                         123456789012345680000.0, 0.000001, 5e-324, 1.7976931348623157e308, 0.1,
                         100.0, 1e20, -1e-7, 1.0 / 3, 9007199254740992.0)) ==
        "2[\"n\",0,0,1.5,-2.25,null,null,null,1e+21,1e-7,123456789012345680000,0.000001,5e-324,"
        "1.7976931348623157e+308,0.1,100,100000000000000000000,-1e-7,0.3333333333333333,"
        "9007199254740992]");
  // sio4: {type:2, nsp:"/", data:["i",-9007199254740991,9007199254740991,0,-1,255]}
  CHECK(build(sio::event("i", std::int64_t{-9007199254740991}, 9007199254740991LL, 0, -1,
                         static_cast<unsigned char>(255))) ==
        R"(2["i",-9007199254740991,9007199254740991,0,-1,255])");
  // Integers keep all their digits (JSON.stringify would round 2^64-1 to 18446744073709552000;
  // both parse to the same double in a JavaScript peer).
  CHECK(build(sio::event("i", std::numeric_limits<std::uint64_t>::max(),
                         std::numeric_limits<std::int64_t>::min(), 1.5f)) ==
        R"(2["i",18446744073709551615,-9223372036854775808,1.5])");
}

namespace {
// JSON.stringify's escaping of the bytes the next test uses (ASCII letters, `"`, `\`, LF,
// U+0001, DEL and UTF-8 "é": the last two stay raw).
std::string js_quoted(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\x01': out += "\\u0001"; break;
      default: out += c; break;
    }
  }
  return out + "\"";
}
}  // namespace

TEST_CASE("sio encode: keys and strings of every short length, escaped at any position") {
  // The writer checks and copies short texts with overlapping word loads: a byte that needs
  // escaping (or is not ASCII) must be found wherever it sits, at every length.
  const std::string_view specials[] = {"\"", "\\", "\n", "\x01", "\x7f", "\xc3\xa9"};
  for (std::size_t len = 0; len <= 40; ++len) {
    std::string plain;
    for (std::size_t i = 0; i < len; ++i) plain += static_cast<char>('a' + i % 26);
    std::vector<std::string> texts{plain};
    for (const std::string_view sp : specials) {
      for (std::size_t pos = 0; pos <= len; ++pos) {
        texts.push_back(plain.substr(0, pos) + std::string(sp) + plain.substr(pos));
      }
    }
    for (const std::string& t : texts) {
      const std::string q = js_quoted(t);
      const auto write = [&t](sio::args_writer& w) {
        w.string(t);
        w.begin_object().key(t).string(t).key(t).integer(-1).end_object();
        w.begin_array().string(t).string(t).end_array();
      };
      INFO("text of " << t.size() << " bytes: " << q);
      CHECK(build(sio::event("s", write)) ==
            "2[\"s\"," + q + ",{" + q + ":" + q + "," + q + ":-1},[" + q + "," + q + "]]");
    }
  }
}

TEST_CASE("sio encode: integers of every digit count, both signs") {
  std::vector<std::int64_t> values;
  for (std::int64_t v = 0; v < 20000; ++v) values.push_back(v);
  std::int64_t p = 1;
  for (int digits = 1; digits <= 18; ++digits) {
    p *= 10;
    for (const std::int64_t v : {p - 1, p, p + 1, p * 5 - 1}) {
      values.push_back(v);
      values.push_back(-v);
    }
  }
  values.push_back(std::numeric_limits<std::int64_t>::max());
  values.push_back(std::numeric_limits<std::int64_t>::min());
  std::string want = "2[\"i\"";
  for (const std::int64_t v : values) want += "," + std::to_string(v);
  const std::uint64_t big[] = {9999999999999999999u, 10000000000000000000u,
                               std::numeric_limits<std::uint64_t>::max()};
  for (const std::uint64_t v : big) want += "," + std::to_string(v);
  want += "]";
  CHECK(build(sio::event("i", [&](sio::args_writer& w) {
          for (const std::int64_t v : values) w.integer(v);
          for (const std::uint64_t v : big) w.integer(v);
        })) == want);
}

TEST_CASE("sio encode: numbers with up to three decimals, every width of their integer part") {
  // The common case the writer takes its short path for: k / 1000. Each such double prints in
  // JavaScript as the decimal k / 1000 itself (at most 15 significant digits round-trip), so
  // printf's "%.3f" less the trailing zeros (and point) is the text JSON.stringify writes.
  std::vector<std::int64_t> ks;
  for (std::int64_t k = -1100000; k <= 1100000; k += 7) ks.push_back(k);
  std::int64_t p = 1;
  for (int digits = 1; digits <= 15; ++digits, p *= 10) {
    for (const std::int64_t f : {0, 1, 10, 100, 5, 50, 500, 999, 990, 900, 123}) {
      for (const std::int64_t whole : {p - 1, p, p + 1}) {
        if (whole > 999999999999) continue;  // keep k / 1000 below 10^12: 15 digits
        ks.push_back(whole * 1000 + f);
        ks.push_back(-(whole * 1000 + f));
      }
    }
  }
  std::string want = "2[\"d\"";
  for (const std::int64_t k : ks) {
    char buf[64];
    const int n = std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(k) / 1000);
    std::string t(buf, static_cast<std::size_t>(n));
    while (t.back() == '0') t.pop_back();
    if (t.back() == '.') t.pop_back();
    if (t == "-0") t = "0";
    want += "," + t;
  }
  want += "]";
  CHECK(build(sio::event("d", [&](sio::args_writer& w) {
          for (const std::int64_t k : ks) w.number(static_cast<double>(k) / 1000);
        })) == want);
}

TEST_CASE("sio encode: containers, optionals, raw JSON and callbacks") {
  const std::vector<int> v{1, 2, 3};
  const std::list<std::string> l{"a", "b"};
  const std::map<std::string, double> m{{"x", 0.5}, {"y", -1}};
  const std::vector<bool> flags{true, false};
  const std::vector<std::vector<int>> nested{{1}, {}, {2, 3}};
  const int c_array[] = {4, 5};
  std::optional<int> some = 3, none;
  CHECK(
      build(sio::event("c", v, l, m, flags, nested, c_array, some, none, std::nullopt)) ==
      R"(2["c",[1,2,3],["a","b"],{"x":0.5,"y":-1},[true,false],[[1],[],[2,3]],[4,5],3,null,null])");
  // Raw JSON is written verbatim, wherever a value goes.
  CHECK(build(sio::event("r", sio::raw_json(R"({"pre":[1,2]})"),
                         sio::object("k", sio::raw_json("true")))) ==
        R"(2["r",{"pre":[1,2]},{"k":true}])");
  // A callback writes any number of arguments, in place.
  CHECK(build(sio::event("scores", [&](sio::args_writer& w) {
          for (int s : v) w.value(s);
        })) == R"(2["scores",1,2,3])");
  CHECK(build(sio::event(
            "none", [](sio::args_writer&) {}, 1)) == R"(2["none",1])");
  // The writer's own calls, mixed with values, nested to any depth.
  std::vector<byte_view> atts;
  CHECK(
      build(sio::ack(9,
                     [&](sio::args_writer& w) {
                       w.begin_object()
                           .key("list")
                           .begin_array()
                           .integer(1)
                           .number(2.5)
                           .string("s")
                           .null()
                           .boolean(true)
                           .binary(b0102)
                           .raw("[0]")
                           .end_array()
                           .member("m", v)
                           .key("o")
                           .begin_object()
                           .end_object()
                           .end_object()
                           .values("x", 2);
                     }),
            &atts) ==
      R"(61-9[{"list":[1,2.5,"s",null,true,{"_placeholder":true,"num":0},[0]],"m":[1,2,3],"o":{}},"x",2])");
  CHECK(atts.size() == 1);
}

namespace {
struct point {
  int x, y;
};
}  // namespace
template <>
struct siocodec::socketio::arg_traits<point> {
  static void write(args_writer& w, const point& p) {
    w.begin_object().member("x", p.x).member("y", p.y).end_object();
  }
};

TEST_CASE("sio encode: arg_traits specializations write user types") {
  const std::vector<point> path{{1, 2}, {3, 4}};
  CHECK(build(sio::event("move", point{0, -1}, path)) ==
        R"(2["move",{"x":0,"y":-1},[{"x":1,"y":2},{"x":3,"y":4}]])");
}

// One dispatch for both parsers (issue 20): arg_traits<T>::write is generic over the writer, and
// a specialization that takes args_writer& only is known not to serve the msgpack writer (whose
// value() turns that into a static_assert instead of another route).
static_assert(sio::detail::writes_with<point, sio::args_writer>::value, "");
static_assert(sio::detail::writes_with<int, sio::args_writer>::value, "");
static_assert(sio::detail::writes_with<std::vector<int>, sio::args_writer>::value, "");

TEST_CASE("sio encode: json::value goes where a value goes, as its raw text") {
  // Before the shared dispatch only the msgpack writer knew json::value.
  const auto v = siocodec::json::value::unchecked(R"({"a":[1,"x"]})");
  CHECK(build(sio::event("e", v, 2)) == R"(2["e",{"a":[1,"x"]},2])");
  CHECK(build(sio::connect("/", v)) == R"(0{"a":[1,"x"]})");
  // The absent value has no text: an error, as empty raw_json is.
  CHECK(build_error(sio::event("e", siocodec::json::value())) == errc::invalid_argument);
}

TEST_CASE("sio encode: CONNECT, DISCONNECT and CONNECT_ERROR builders") {
  // sio4: {type:0, nsp:"/"} and {type:0, nsp:"/admin", data:{token:"abc"}}
  CHECK(build(sio::connect()) == "0");
  CHECK(build(sio::connect("/admin")) == "0/admin,");
  CHECK(build(sio::connect("/admin", sio::object("token", "abc"))) == R"(0/admin,{"token":"abc"})");
  // sio4: {type:0, nsp:"/", data:{token:"abc"}}
  const std::map<std::string, std::string> auth{{"token", "abc"}};
  CHECK(build(sio::connect("/", auth)) == R"(0{"token":"abc"})");
  CHECK(build(sio::connect("/", sio::raw_json(R"({"token":"abc"})"))) == R"(0{"token":"abc"})");
  // CONNECT auth must be an object without binary values; v4 CONNECT has no payload.
  CHECK(build_error(sio::connect("/", "token")) == errc::invalid_argument);
  CHECK(build_error(sio::connect("/", sio::array(1))) == errc::invalid_argument);
  CHECK(build_error(sio::connect("/", sio::raw_json("[1]"))) == errc::invalid_argument);
  CHECK(build_error(sio::connect("/", sio::object("blob", b0102))) == errc::invalid_argument);
  CHECK(build_error(sio::connect("/", sio::object("t", 1)), v4()) == errc::invalid_argument);
  // sio3: {type:0, nsp:"/admin?token=1"} -> auth in the query string (protocol v4)
  CHECK(build(sio::connect("/admin").query("token=1"), nullptr, v4()) == "0/admin?token=1,");
  // sio3: {type:0, nsp:"/?token=1"}
  CHECK(build(sio::connect().query("token=1"), nullptr, v4()) == "0/?token=1,");
  CHECK(build_error(sio::connect("/admin").query("a=1,b")) == errc::invalid_argument);
  CHECK(build_error(sio::event("e").query("a=1")) == errc::invalid_argument);
  CHECK(build_error(sio::connect("/admin").query("a=\xff")) == errc::invalid_utf8);
  // sio4: {type:1, nsp:"/admin"}
  CHECK(build(sio::disconnect("/admin")) == "1/admin,");
  CHECK(build(sio::disconnect()) == "1");
  // sio4: {type:4, nsp:"/", data:{message:"Not authorized"}}
  CHECK(build(sio::connect_error("Not authorized")) == R"(4{"message":"Not authorized"})");
  // sio4: {type:4, nsp:"/admin", data:{message:"x", data:{code:1}}}
  CHECK(build(sio::connect_error("x", sio::object("code", 1)).nsp("/admin")) ==
        R"(4/admin,{"message":"x","data":{"code":1}})");
  // sio3: {type:4, nsp:"/", data:"Not authorized"}
  CHECK(build(sio::connect_error("Not authorized"), nullptr, v4()) == R"(4"Not authorized")");
  // sio3: {type:4, nsp:"/", data:{code:1}}
  CHECK(build(sio::connect_error("x", sio::object("code", 1)), nullptr, v4()) == R"(4{"code":1})");
  CHECK(build_error(sio::connect_error("x", 5), v4()) == errc::invalid_argument);
  CHECK(build_error(sio::connect_error("x", b0102)) == errc::invalid_argument);
  CHECK(build_error(sio::connect_error("\xff")) == errc::invalid_utf8);
}

TEST_CASE("sio encode: reserved event names are refused in protocol v5 only") {
  for (auto name : {"connect", "connect_error", "disconnect", "disconnecting", "newListener",
                    "removeListener"}) {
    CHECK(build_error(sio::event(name, 1)) == errc::reserved_event_name);
    CHECK(build(sio::event(name, 1), nullptr, v4()) == "2[\"" + std::string(name) + "\",1]");
  }
  CHECK(build(sio::event("error")) == R"(2["error"])");  // not reserved, as in the reference
}

TEST_CASE("sio encode: builder namespaces follow the packet_view rules") {
  CHECK(build(sio::event("a").nsp("")) == R"(2["a"])");
  CHECK(build(sio::event("a").nsp("/")) == R"(2["a"])");
  CHECK(build(sio::event("a").nsp("/admin").id(0)) == R"(2/admin,0["a"])");
  CHECK(build_error(sio::event("a").nsp("admin")) == errc::invalid_argument);
  CHECK(build_error(sio::event("a").nsp("/a,b")) == errc::invalid_argument);
  CHECK(build_error(sio::event("a").nsp("/\xc3")) == errc::invalid_utf8);
}

TEST_CASE("sio encode: misuse of args_writer is an error, never bad JSON") {
  const auto bad = [](auto f) { return build_error(sio::event("e", f)); };
  CHECK(bad([](sio::args_writer& w) { w.begin_object().integer(1).end_object(); }) ==
        errc::invalid_argument);  // value without key
  CHECK(bad([](sio::args_writer& w) { w.key("k"); }) == errc::invalid_argument);
  CHECK(bad([](sio::args_writer& w) { w.begin_object().key("a").key("b"); }) ==
        errc::invalid_argument);
  CHECK(bad([](sio::args_writer& w) { w.begin_object().key("a").end_object(); }) ==
        errc::invalid_argument);
  CHECK(bad([](sio::args_writer& w) { w.begin_array().end_object(); }) == errc::invalid_argument);
  CHECK(bad([](sio::args_writer& w) { w.end_array(); }) == errc::invalid_argument);  // the event's
  CHECK(bad([](sio::args_writer& w) { w.begin_array(); }) == errc::invalid_argument);
  CHECK(bad([](sio::args_writer& w) { w.raw(""); }) == errc::invalid_argument);
  CHECK(bad([](sio::args_writer& w) { w.begin_object().member("k", 1).member("j", 2); }) ==
        errc::invalid_argument);  // left open
  // The first error wins and later calls change nothing.
  CHECK(bad([](sio::args_writer& w) {
          w.string("\xff");
          CHECK(w.error() == errc::invalid_utf8);
          w.key("k").end_object();
          CHECK(w.error() == errc::invalid_utf8);
        }) == errc::invalid_utf8);
  CHECK(bad([](sio::args_writer& w) { w.begin_array().key("k"); }) == errc::invalid_argument);
  CHECK(bad([](sio::args_writer& w) { w.begin_object().key("a").begin_array().end_object(); }) ==
        errc::invalid_argument);
  CHECK(bad([](sio::args_writer& w) {
          w.begin_object().key("a").begin_array().end_array().end_array();
        }) == errc::invalid_argument);
  CHECK(bad([](sio::args_writer& w) { w.begin_object().key("a").begin_object().end_array(); }) ==
        errc::invalid_argument);
  // After an error nothing is written or checked any more, containers included.
  CHECK(bad([](sio::args_writer& w) {
          w.begin_object().number(1.5);
          CHECK(w.error() == errc::invalid_argument);
          w.end_object().end_array().begin_array().integer(2).key("k").null().boolean(true);
          CHECK(w.error() == errc::invalid_argument);
        }) == errc::invalid_argument);
  // A payload is one value: a second one at the top is an error, whatever its kind.
  CHECK(build_error(sio::connect("/", [](sio::args_writer& w) {
          w.begin_object().end_object();
          w.string("x");
        })) == errc::invalid_argument);
  CHECK(build_error(sio::connect("/", [](sio::args_writer& w) {
          w.begin_object().end_object();
          w.begin_object().end_object();
        })) == errc::invalid_argument);
  CHECK(build_error(sio::connect("/", [](sio::args_writer& w) {
          w.begin_object().end_object();
          w.end_object();
        })) == errc::invalid_argument);
  // Nested raw JSON may start with whitespace; a whole payload may not.
  CHECK(build(sio::event("e", sio::raw_json(" 1"))) == R"(2["e", 1])");
  CHECK(build_error(sio::connect("/", sio::raw_json(" {}"))) == errc::invalid_argument);
}

TEST_CASE("sio encode: nesting is bounded by max_depth") {
  const auto nest = [](int levels) {
    return [levels](sio::args_writer& w) {
      for (int i = 0; i < levels; ++i) w.begin_array();
      for (int i = 0; i < levels; ++i) w.end_array();
    };
  };
  sio::encode_options o;
  o.max_depth = 4;  // the event's array is level 1
  CHECK(build(sio::event("d", nest(3)), nullptr, o) == R"(2["d",[[[]]]])");
  CHECK(build_error(sio::event("d", nest(4)), o) == errc::nesting_too_deep);
  // The default is the decoders' default, and what is written at it decodes.
  const auto deepest = nest(SIOCODEC_DEFAULT_MAX_JSON_DEPTH - 1);
  const std::string text = build(sio::event("d", deepest));
  CHECK(sio::decode(text));
  CHECK(build_error(sio::event("d", nest(SIOCODEC_DEFAULT_MAX_JSON_DEPTH))) ==
        errc::nesting_too_deep);
  // Far deeper requests stay bounded by json::max_depth_limit.
  o.max_depth = std::numeric_limits<std::size_t>::max();
  CHECK(build_error(sio::event("d", nest(5000)), o) == errc::nesting_too_deep);
}

TEST_CASE("sio encode: attachment limits and storage") {
  const auto many = [](int n) {
    return [n](sio::args_writer& w) {
      for (int i = 0; i < n; ++i) w.binary(b0102);
    };
  };
  std::vector<byte_view> atts;
  build(sio::event("m", many(10)), &atts);
  CHECK(atts.size() == 10);
  CHECK(build_error(sio::event("m", many(11))) == errc::too_many_attachments);
  sio::encode_options o;
  o.max_attachments = 12;
  build(sio::event("m", many(11)), &atts, o);
  CHECK(atts.size() == 11);

  // A fixed list that is too small: nothing stored (the text, written in one pass, is
  // unspecified).
  sio::attachment_list<2> two;
  char buf[256];
  std::memset(buf, '#', sizeof buf);
  auto r = sio::encode_to(buf, sizeof buf, sio::event("m", many(3)), two);
  CHECK(r.error() == errc::too_many_attachments);
  CHECK(two.size() == 0);
  std::string s;
  CHECK(sio::encode(sio::event("m", many(3)), s, two).error() == errc::too_many_attachments);
  CHECK(s.empty());
  // Without an attachment container, a binary value has nowhere to go.
  CHECK(sio::encode(sio::event("m", b0102), s).error() == errc::too_many_attachments);
  CHECK(sio::encode_to(buf, sizeof buf, sio::event("m", b0102)).error() ==
        errc::too_many_attachments);
  CHECK(sio::encode(sio::event("m", 1), s));
  CHECK(s == R"(2["m",1])");
}

TEST_CASE("sio encode: builder encode_to writes nothing unless it succeeds") {
  const auto b = sio::event("a", b0102, "text").nsp("/admin").id(13);
  const std::string want = R"(51-/admin,13["a",{"_placeholder":true,"num":0},"text"])";
  for (std::size_t cap = 0; cap <= want.size(); ++cap) {
    std::vector<char> buf(want.size() + 4, '#');
    sio::attachment_list<1> atts;
    auto r = sio::encode_to(buf.data(), cap, b, atts);
    if (cap < want.size()) {
      CHECK(r.error() == errc::output_too_small);
      CHECK(r.offset() == cap);
      CHECK(atts.size() == 0);
      // Nothing written on failure, not even below cap (issue 19.4).
      CHECK(std::string(buf.begin(), buf.end()) == std::string(buf.size(), '#'));
    } else {
      REQUIRE(r);
      CHECK(std::string_view(buf.data(), *r) == want);
      CHECK(buf[want.size()] == '#');
      CHECK(atts.size() == 1);
    }
  }
}

TEST_CASE("sio encode: a callback that changes between its two runs cannot overflow") {
  int run = 0;
  const auto grows = [&run](sio::args_writer& w) {
    w.string(run++ == 0 ? "short" : "much much longer than measured");
  };
  char buf[64];
  std::memset(buf, '#', sizeof buf);
  // encode_to writes in one pass (one run): it writes what that run wrote.
  auto r = sio::encode_to(buf, 20, sio::event("e", grows), {});
  REQUIRE(r);
  CHECK(std::string_view(buf, *r) == R"(2["e","short"])");
  CHECK(buf[14] == '#');
  CHECK(buf[20] == '#');

  // encode into a container runs them once as well while the text fits the one-pass buffer.
  run = 0;
  std::string s = "keep";
  REQUIRE(sio::encode(sio::event("e", grows), s));
  CHECK(s == R"(keep2["e","short"])");

  // A longer text is measured by a first run and written by a second: a second run that writes
  // more, other binary values or less is refused, and both containers keep their sizes.
  const std::string big(SIOCODEC_ONE_PASS_BUFFER + 100, 'x');
  run = 0;
  const auto grows_big = [&run, &big](sio::args_writer& w) {
    w.string(run++ == 0 ? big : big + "more");
  };
  s = "keep";
  CHECK(sio::encode(sio::event("e", grows_big), s).error() == errc::invalid_argument);
  CHECK(s == "keep");
  run = 0;
  const auto more_binary = [&run, &big](sio::args_writer& w) {
    w.string(big);
    for (int i = 0; i <= run; ++i) w.binary(b0102);
    ++run;
  };
  sio::attachment_list<4> atts;
  CHECK(sio::encode(sio::event("e", more_binary), s, atts).error() == errc::invalid_argument);
  CHECK(atts.size() == 0);
  CHECK(s == "keep");
  run = 0;
  const auto shrinks = [&run, &big](sio::args_writer& w) {
    w.string(run++ == 0 ? big + "long" : big);
  };
  CHECK(sio::encode(sio::event("e", shrinks), s).error() == errc::invalid_argument);
  CHECK(s == "keep");
}

TEST_CASE("sio encode: no allocation when encoding into a caller buffer") {
  if (!siocodec_test::allocations_counted()) WARN("allocations are not counted in this build");
  char buf[512];
  sio::attachment_list<4> atts;
  const std::vector<int> v{1, 2, 3};
  const auto b = sio::event("chat", "hello \xe2\x82\xac", b0102, 1.5, v,
                            sio::object("k", sio::array(b0102, nullptr)))
                     .nsp("/room")
                     .id(7);
  const std::size_t before = siocodec_test::allocations();
  auto r = sio::encode_to(buf, sizeof buf, b, atts);
  auto n = sio::encoded_size(b);
  auto p = sio::encode_to(
      buf, sizeof buf,
      pv(packet_type::binary_event, "/a", 1, R"([{"_placeholder":true,"num":0}])", 1));
  const std::size_t after = siocodec_test::allocations();
  REQUIRE(r);
  REQUIRE(n);
  REQUIRE(p);
  CHECK(after == before);
  CHECK(atts.size() == 2);
}

TEST_CASE("sio encode: socketio::decode reads back what was encoded") {
  struct expect {
    packet_type type;
    std::string_view nsp;
    std::optional<std::uint64_t> id;
    std::size_t attachments;
  };
  const auto check = [](const std::string& text, const expect& e,
                        const sio::decode_options& o = {}) {
    INFO(text);
    auto d = sio::decode_header(text, o);
    REQUIRE(d);
    CHECK(d->type == e.type);
    CHECK(d->nsp == e.nsp);
    CHECK(d->id == e.id);
    CHECK(d->attachment_count == e.attachments);
    // What follows the header is the JSON payload, unchanged.
    CHECK(text.substr(text.size() - d->data.size()) == d->data);
    // And a packet_view with those fields encodes to the same text.
    packet_view back = *d;
    CHECK(enc(back) == text);
  };
  const byte_view b3(bytes_03, 1);
  check(build(sio::event("chat", "hi \"there\"\n", 1.5, nullptr)),
        {packet_type::event, "/", {}, 0});
  check(build(sio::event("a", b0102, sio::object("x", sio::array(b3, b0102))).nsp("/admin").id(0)),
        {packet_type::binary_event, "/admin", 0, 3});
  check(build(sio::ack(std::numeric_limits<std::uint64_t>::max(), b3).nsp("/n")),
        {packet_type::binary_ack, "/n", std::numeric_limits<std::uint64_t>::max(), 1});
  check(build(sio::ack(3)), {packet_type::ack, "/", 3, 0});
  check(build(sio::connect("/x", sio::object("token", "t", "n", 1))),
        {packet_type::connect, "/x", {}, 0});
  check(build(sio::connect()), {packet_type::connect, "/", {}, 0});
  check(build(sio::disconnect("/x")), {packet_type::disconnect, "/x", {}, 0});
  check(build(sio::connect_error("no", sio::array(1))), {packet_type::connect_error, "/", {}, 0});
  sio::decode_options d4;
  d4.version = sio::protocol_version::v4;
  check(build(sio::connect_error("no"), nullptr, v4()), {packet_type::connect_error, "/", {}, 0},
        d4);
  check(build(sio::connect("/admin").query("token=1&x=%2C"), nullptr, v4()),
        {packet_type::connect, "/admin?token=1&x=%2C", {}, 0}, d4);
  check(build(sio::event("\xf0\x9f\x98\x80", "\xe2\x80\xa8", -0.0, 1e21, 5e-324)),
        {packet_type::event, "/", {}, 0});
}
