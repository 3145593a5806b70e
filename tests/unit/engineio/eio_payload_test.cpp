// SPDX-License-Identifier: BSL-1.0
#include <siocodec/engineio/payload.hpp>

#include "support/catch.hpp"

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using namespace std::string_view_literals;
using siocodec::byte_view;
using siocodec::errc;
namespace eio = siocodec::engineio;
using eio::data_kind;
using eio::frame_kind;
using eio::packet_type;
using eio::packet_view;

namespace {

// An owning copy of a decoded packet, so results of different decoders can be compared.
struct owned {
  packet_type type;
  data_kind kind;
  std::string data;
  bool operator==(const owned& o) const {
    return type == o.type && kind == o.kind && data == o.data;
  }
};
std::ostream& operator<<(std::ostream& os, const owned& p) {
  return os << "{" << eio::to_string(p.type) << "," << static_cast<int>(p.kind) << ",\"" << p.data
            << "\"}";
}

struct outcome {
  std::vector<owned> packets;
  errc ec = errc::none;
  std::size_t offset = 0;
};

eio::decode_options opts(eio::protocol_version v) {
  eio::decode_options o;
  o.version = v;
  return o;
}

outcome read_all(std::string_view body, frame_kind kind, const eio::decode_options& o = {}) {
  outcome out;
  auto reader = eio::decode_payload(body, kind, o);
  for (const packet_view& p : reader) out.packets.push_back({p.type, p.kind, std::string(p.data)});
  out.ec = reader.error();
  out.offset = reader.offset();
  return out;
}

// Feeds `body` to a payload_decoder cut at the given points.
outcome feed_split(std::string_view body, frame_kind kind, const eio::decode_options& o,
                   const std::vector<std::size_t>& cuts) {
  outcome out;
  eio::payload_decoder<> dec(kind, o);
  auto sink = [&](const packet_view& p) {
    out.packets.push_back({p.type, p.kind, std::string(p.data)});
  };
  std::size_t from = 0;
  std::vector<std::size_t> points = cuts;
  points.push_back(body.size());
  for (std::size_t to : points) {
    auto st = dec.feed(body.substr(from, to - from), sink);
    if (!st) {
      out.ec = st.ec;
      out.offset = dec.body_offset();
      CHECK(st.consumed <= to - from);
      return out;
    }
    CHECK(st.consumed == to - from);
    from = to;
  }
  auto st = dec.finish(sink);
  out.ec = st.ec;
  out.offset = dec.body_offset();
  return out;
}

void check_all_splits(std::string_view body, frame_kind kind, const eio::decode_options& o) {
  const outcome whole = read_all(body, kind, o);
  CAPTURE(body);
  CHECK(feed_split(body, kind, o, {}).packets == whole.packets);
  for (std::size_t i = 0; i <= body.size(); ++i) {
    const outcome split = feed_split(body, kind, o, {i});
    CAPTURE(i);
    CHECK(split.packets == whole.packets);
    CHECK(split.ec == whole.ec);
    CHECK(split.offset == whole.offset);
  }
  std::vector<std::size_t> ones;
  for (std::size_t i = 1; i < body.size(); ++i) ones.push_back(i);
  const outcome bytewise = feed_split(body, kind, o, ones);
  CHECK(bytewise.packets == whole.packets);
  CHECK(bytewise.ec == whole.ec);
  CHECK(bytewise.offset == whole.offset);
}

const owned msg(std::string d) { return {packet_type::message, data_kind::text, std::move(d)}; }

}  // namespace

TEST_CASE("v4 payload: packets separated by 0x1E") {
  auto r = read_all("4hello\x1e"
                    "2\x1e"
                    "4world"sv,
                    frame_kind::text);
  CHECK(r.ec == errc::none);
  CHECK(r.offset == 15);
  REQUIRE(r.packets.size() == 3);
  CHECK(r.packets[0] == msg("hello"));
  CHECK(r.packets[1] == owned{packet_type::ping, data_kind::text, ""});
  CHECK(r.packets[2] == msg("world"));

  auto b = read_all("4test\x1e"
                    "bAQIDBA=="sv,
                    frame_kind::text);
  REQUIRE(b.packets.size() == 2);
  CHECK(b.packets[1] == owned{packet_type::message, data_kind::base64, "AQIDBA=="});
}

TEST_CASE("v4 payload: errors stop the body after the good packets") {
  auto empty = read_all(""sv, frame_kind::text);
  CHECK(empty.packets.empty());
  CHECK(empty.ec == errc::empty_packet);

  auto sep = read_all("\x1e"sv, frame_kind::text);
  CHECK(sep.packets.empty());
  CHECK(sep.ec == errc::empty_packet);
  CHECK(sep.offset == 0);

  auto trailing = read_all("4a\x1e"sv, frame_kind::text);
  CHECK(trailing.packets == std::vector<owned>{msg("a")});
  CHECK(trailing.ec == errc::empty_packet);
  CHECK(trailing.offset == 3);

  auto middle = read_all("4a\x1e\x1e"
                         "4b"sv,
                         frame_kind::text);
  CHECK(middle.packets == std::vector<owned>{msg("a")});
  CHECK(middle.ec == errc::empty_packet);
  CHECK(middle.offset == 3);

  auto type = read_all("4a\x1e"
                       "9b\x1e"
                       "4c"sv,
                       frame_kind::text);
  CHECK(type.packets == std::vector<owned>{msg("a")});
  CHECK(type.ec == errc::unknown_packet_type);
  CHECK(type.offset == 3);

  auto b64 = read_all("4a\x1e"
                      "bAQ#D"sv,
                      frame_kind::text);
  CHECK(b64.ec == errc::invalid_base64);
  CHECK(b64.offset == 6);

  // A v3 body given to a v4 decoder is a noop with data, as in the reference.
  auto v3body = read_all("6:4hello"sv, frame_kind::text);
  CHECK(v3body.packets == std::vector<owned>{{packet_type::noop, data_kind::text, ":4hello"}});

  CHECK(read_all("4a"sv, frame_kind::binary).ec == errc::unexpected_binary_frame);
}

TEST_CASE("v4 payload: limits") {
  eio::decode_options o;
  o.max_payload = 10;
  CHECK(read_all("4a\x1e"
                 "4bcdefg"sv,
                 frame_kind::text, o)
            .ec == errc::none);
  auto big = read_all("4a\x1e"
                      "4bcdefgh"sv,
                      frame_kind::text, o);
  CHECK(big.ec == errc::payload_too_large);
  CHECK(big.offset == 10);
  CHECK(big.packets.empty());  // checked before anything is read, as the server does

  eio::decode_options c;
  c.max_packets = 2;
  auto many = read_all("4a\x1e"
                       "4b\x1e"
                       "4c"sv,
                       frame_kind::text, c);
  CHECK(many.packets.size() == 2);
  CHECK(many.ec == errc::too_many_packets);
  CHECK(many.offset == 6);
}

TEST_CASE("v4 payload: base64 packets decoded into scratch") {
  const std::string body = "bAQIDBA==\x1e"
                           "4x\x1e"
                           "bBQY=";
  unsigned char scratch[16];
  auto reader = eio::decode_payload(body, frame_kind::text, {}, scratch);
  std::vector<owned> got;
  for (const auto& p : reader) got.push_back({p.type, p.kind, std::string(p.data)});
  CHECK(reader.error() == errc::none);
  REQUIRE(got.size() == 3);
  CHECK(got[0] == owned{packet_type::message, data_kind::binary, "\x01\x02\x03\x04"});
  CHECK(got[1] == msg("x"));
  CHECK(got[2] == owned{packet_type::message, data_kind::binary, "\x05\x06"});

  unsigned char small[5];
  auto tight = eio::decode_payload(body, frame_kind::text, {}, small);
  std::size_t n = 0;
  for (const auto& p : tight) {
    (void)p;
    ++n;
  }
  CHECK(n == 2);
  CHECK(tight.error() == errc::output_too_small);
  CHECK(tight.offset() == 13);
}

TEST_CASE("v3 text payload: lengths in UTF-16 code units") {
  const auto o = opts(eio::protocol_version::v3);
  auto r = read_all("6:4hello2:4\xe2\x82\xac"
                    "3:4\xf0\x9f\x98\x80"sv,
                    frame_kind::text, o);
  CHECK(r.ec == errc::none);
  REQUIRE(r.packets.size() == 3);
  CHECK(r.packets[1] == msg("\xe2\x82\xac"));
  CHECK(r.packets[2] == msg("\xf0\x9f\x98\x80"));

  auto b = read_all("6:4hello10:b4AQIDBA=="sv, frame_kind::text, o);
  REQUIRE(b.packets.size() == 2);
  CHECK(b.packets[1] == owned{packet_type::message, data_kind::base64, "AQIDBA=="});

  auto zero = read_all("0:"sv, frame_kind::text, o);
  CHECK(zero.ec == errc::none);
  CHECK(zero.packets.empty());
  auto hs = read_all("2:40"sv, frame_kind::text, o);
  CHECK(hs.packets == std::vector<owned>{msg("0")});
}

TEST_CASE("v3 text payload: errors") {
  const auto o = opts(eio::protocol_version::v3);
  struct c {
    std::string_view body;
    errc ec;
    std::size_t offset;
    std::size_t good;
  };
  const c cases[] = {
      {""sv, errc::empty_packet, 0, 0},
      {"1!"sv, errc::invalid_length, 1, 0},
      {"))"sv, errc::invalid_length, 0, 0},
      {"1:"sv, errc::truncated, 2, 0},
      {"3:99:"sv, errc::unknown_packet_type, 2, 0},
      {"1:aa"sv, errc::unknown_packet_type, 2, 0},
      {"1:a2:b"sv, errc::unknown_packet_type, 2, 0},
      {":4"sv, errc::invalid_length, 0, 0},
      {"06:4hello"sv, errc::invalid_length, 1, 0},
      {" 6:4hello"sv, errc::invalid_length, 0, 0},
      {"6:4hello1"sv, errc::truncated, 9, 1},
      {"6:4hell"sv, errc::truncated, 7, 0},
      {"4:4\xe2\x82\xac"sv, errc::truncated, 6, 0},
      {"2:4\xf0\x9f\x98\x80"sv, errc::invalid_length, 0, 0},
      {"2:4\xff"sv, errc::invalid_utf8, 3, 0},
      {"2:4\xe2\x82"sv, errc::truncated, 5, 0},
      {"3:4\xed\xa0\x80"sv, errc::invalid_utf8, 4, 0},
      {"2:4a2:9b"sv, errc::unknown_packet_type, 6, 1},
      {"99999999999:4"sv, errc::payload_too_large, 6, 0},
  };
  for (const auto& t : cases) {
    CAPTURE(t.body);
    auto r = read_all(t.body, frame_kind::text, o);
    CHECK(r.ec == t.ec);
    CHECK(r.offset == t.offset);
    CHECK(r.packets.size() == t.good);
  }
}

TEST_CASE("v3 binary payload") {
  const auto o = opts(eio::protocol_version::v3);
  auto spec = read_all("\x00\x04\xff\x34\xe2\x82\xac\x01\x05\xff\x04\x01\x02\x03\x04"sv,
                       frame_kind::binary, o);
  CHECK(spec.ec == errc::none);
  REQUIRE(spec.packets.size() == 2);
  CHECK(spec.packets[0] == msg("\xe2\x82\xac"));
  CHECK(spec.packets[1] == owned{packet_type::message, data_kind::binary, "\x01\x02\x03\x04"});

  auto eleven = read_all("\x00\x01\x02\xff"
                         "4hello world"sv,
                         frame_kind::binary, o);
  CHECK(eleven.packets == std::vector<owned>{msg("hello world")});

  CHECK(read_all(""sv, frame_kind::binary, o).ec == errc::none);

  struct c {
    std::string_view body;
    errc ec;
    std::size_t offset;
  };
  const c cases[] = {
      {"\x02\x01\xff"
       "4"sv,
       errc::invalid_item_kind, 0},
      {"\x00\x0c\xff"
       "4"sv,
       errc::invalid_length, 1},
      {"\x00\xff"
       "4"sv,
       errc::invalid_length, 1},
      {"\x00\x00\x01\xff"
       "4"sv,
       errc::invalid_length, 2},
      {"\x00\x09\xff\x34\x61"sv, errc::truncated, 5},
      {"\x00\x01"sv, errc::truncated, 2},
      {"\x00\x00\xff"sv, errc::empty_packet, 0},
      {"\x00\x02\xff\x34\xff"sv, errc::invalid_utf8, 4},
      {"\x01\x02\xff\x09\x01"sv, errc::unknown_packet_type, 3},
      {"\x00\x01\xff"
       "9"sv,
       errc::unknown_packet_type, 3},
  };
  for (const auto& t : cases) {
    CAPTURE(t.body);
    auto r = read_all(t.body, frame_kind::binary, o);
    CHECK(r.ec == t.ec);
    CHECK(r.offset == t.offset);
  }
}

TEST_CASE("payload encoding, every format") {
  const packet_view two[] = {
      packet_view::text(packet_type::message, "hello"),
      packet_view::binary(byte_view("\x01\x02\x03\x04", 4)),
  };
  std::string s;
  REQUIRE(eio::encode_payload(two, 2, s));
  CHECK(s == "4hello\x1e"
             "bAQIDBA==");

  eio::encode_options v3;
  v3.version = eio::protocol_version::v3;
  v3.supports_binary = false;
  s.clear();
  REQUIRE(eio::encode_payload(two, 2, s, v3));
  CHECK(s == "6:4hello10:b4AQIDBA==");
  CHECK(eio::payload_frame_kind(two, 2, v3) == frame_kind::text);

  v3.supports_binary = true;
  s.clear();
  REQUIRE(eio::encode_payload(two, 2, s, v3));
  CHECK(s == "\x00\x06\xff"
             "4hello\x01\x05\xff\x04\x01\x02\x03\x04"sv);
  CHECK(eio::payload_frame_kind(two, 2, v3) == frame_kind::binary);

  // Text-only batches stay text even when binary is supported; lengths count UTF-16 units.
  const packet_view euros[] = {
      packet_view::text(packet_type::message, "hello"),
      packet_view::text(packet_type::message, "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac")};
  s.clear();
  REQUIRE(eio::encode_payload(euros, 2, s, v3));
  CHECK(s == "6:4hello4:4\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac");
  const packet_view emoji[] = {packet_view::text(packet_type::message, "\xf0\x9f\x98\x80")};
  s.clear();
  REQUIRE(eio::encode_payload(emoji, 1, s, v3));
  CHECK(s == "3:4\xf0\x9f\x98\x80");

  s.clear();
  REQUIRE(eio::encode_payload(two, 0, s, v3));
  CHECK(s == "0:");
  s.clear();
  REQUIRE(eio::encode_payload(two, 0, s));
  CHECK(s.empty());

  const packet_view sep[] = {packet_view::text(packet_type::message, "a\x1e"
                                                                     "b")};
  CHECK(eio::encode_payload(sep, 1, s).error() == errc::invalid_argument);
  const packet_view bad_utf8[] = {packet_view::text(packet_type::message, "\xff")};
  CHECK(eio::encode_payload(bad_utf8, 1, s, v3).error() == errc::invalid_utf8);
}

TEST_CASE("payload encode_to respects its capacity") {
  const packet_view two[] = {packet_view::text(packet_type::message, "hello"),
                             packet_view::text(packet_type::ping)};
  const std::size_t need = *eio::encoded_payload_size(two, 2);
  CHECK(need == 8);
  std::string buf(need + 4, '#');
  CHECK(eio::encode_payload_to(&buf[0], need - 1, two, 2).error() == errc::output_too_small);
  CHECK(buf == std::string(need + 4, '#'));
  auto r = eio::encode_payload_to(&buf[0], buf.size(), two, 2);
  REQUIRE(r);
  CHECK(buf.substr(0, need) == "4hello\x1e"
                               "2");
  CHECK(buf.substr(need) == "####");
}

TEST_CASE("encoded payloads decode back to the same packets") {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string> datas;
    std::vector<packet_view> packets;
    const int n = static_cast<int>(rng() % 6) + 1;
    for (int i = 0; i < n; ++i) {
      std::string d;
      const int len = static_cast<int>(rng() % 20);
      const bool binary = rng() % 3 == 0;
      for (int k = 0; k < len; ++k) {
        if (binary) {
          d.push_back(static_cast<char>(rng() % 256));
        } else {
          static const char* pieces[] = {
              "a", "Z", "0", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", " ", ":", "b"};
          d += pieces[rng() % 9];
        }
      }
      datas.push_back(d);
      packets.push_back(binary ? packet_view::binary(byte_view(datas.back()))
                               : packet_view::text(static_cast<packet_type>(rng() % 7), ""));
    }
    for (std::size_t i = 0; i < packets.size(); ++i) packets[i].data = datas[i];
    for (const auto v : {eio::protocol_version::v3, eio::protocol_version::v4}) {
      for (const bool sb : {false, true}) {
        eio::encode_options eo;
        eo.version = v;
        eo.supports_binary = sb;
        std::string body;
        REQUIRE(eio::encode_payload(packets.data(), packets.size(), body, eo));
        const auto kind = eio::payload_frame_kind(packets.data(), packets.size(), eo);
        std::vector<unsigned char> scratch(body.size());
        auto reader = eio::decode_payload(body, kind, opts(v), {scratch.data(), scratch.size()});
        std::size_t i = 0;
        for (const auto& p : reader) {
          REQUIRE(i < packets.size());
          CHECK(p.type == packets[i].type);
          CHECK(p.data == packets[i].data);
          CHECK((p.kind == data_kind::binary) == (packets[i].kind == data_kind::binary));
          ++i;
        }
        CHECK(reader.error() == errc::none);
        CHECK(i == packets.size());
        check_all_splits(body, kind, opts(v));
      }
    }
  }
}

TEST_CASE("chunked decoding equals whole-body decoding at every split") {
  const auto o3 = opts(eio::protocol_version::v3);
  const auto o4 = opts(eio::protocol_version::v4);
  for (auto body : {"4hello\x1e"
                    "2\x1e"
                    "4world"sv,
                    "4a\x1e"sv, "\x1e"sv, ""sv,
                    "4a\x1e"
                    "9b"sv,
                    "bAQIDBA==\x1e"
                    "4\xf0\x9f\x98\x80"sv}) {
    check_all_splits(body, frame_kind::text, o4);
  }
  for (auto body : {"6:4hello2:4\xe2\x82\xac"
                    "3:4\xf0\x9f\x98\x80"sv,
                    "0:"sv, "6:4hello1"sv, "2:4\xf0\x9f\x98\x80"sv, "3:4\xed\xa0\x80"sv,
                    "06:4hello"sv, "1:"sv, ""sv, "6:4hello10:b4AQIDBA=="sv, "2:4a2:9b"sv}) {
    check_all_splits(body, frame_kind::text, o3);
  }
  for (auto body :
       {"\x00\x04\xff\x34\xe2\x82\xac\x01\x05\xff\x04\x01\x02\x03\x04"sv, "\x00\x09\xff\x34\x61"sv,
        "\x02\x01\xff"
        "4"sv,
        "\x00\x02\xff\x34\xff"sv,
        "\x00\x01\x02\xff"
        "4hello world"sv}) {
    check_all_splits(body, frame_kind::binary, o3);
  }
}

TEST_CASE("chunked decoding: limits, zero-copy and bounded storage") {
  eio::decode_options o;
  o.max_payload = 8;
  eio::payload_decoder<> dec(frame_kind::text, o);
  auto ignore = [](const packet_view&) {};
  CHECK(dec.feed("4abc\x1e", ignore));
  auto st = dec.feed("4defg", ignore);
  CHECK(st.ec == errc::payload_too_large);
  CHECK(dec.body_offset() == 8);
  CHECK(dec.feed("x", ignore).ec == errc::payload_too_large);  // errors are final
  dec.reset();
  CHECK_FALSE(dec.failed());

  // Packets inside a chunk point into it; a packet cut by a boundary is gathered.
  const std::string chunk1 = "4one\x1e"
                             "4tw";
  const std::string chunk2 = "o\x1e"
                             "4three";
  eio::payload_decoder<std::string> d2(frame_kind::text);
  std::vector<const char*> where;
  std::vector<std::string> got;
  auto rec = [&](const packet_view& p) {
    where.push_back(p.data.data());
    got.emplace_back(p.data);
  };
  REQUIRE(d2.feed(chunk1, rec));
  REQUIRE(d2.finish(chunk2, rec));
  CHECK(got == std::vector<std::string>{"one", "two", "three"});
  CHECK(where[0] == chunk1.data() + 1);
  CHECK((where[1] < chunk2.data() || where[1] >= chunk2.data() + chunk2.size()));
  CHECK(where[2] == chunk2.data() + 3);
}
