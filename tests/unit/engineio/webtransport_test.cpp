// SPDX-License-Identifier: BSL-1.0
// Engine.IO WebTransport framing: encoder vectors (protocol.md §1.10, checked against
// engine.io-parser 5.2.3's createPacketEncoderStream), and the resumable stream decoder.
#include <siocodec/base64.hpp>
#include <siocodec/engineio/webtransport.hpp>

#include "support/catch.hpp"
#include "support/hex.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <limits>
#include <memory>
#include <memory_resource>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace wt = siocodec::engineio::webtransport;
using siocodec::byte_view;
using siocodec::errc;
using siocodec::engineio::data_kind;
using siocodec::engineio::decode_options;
using siocodec::engineio::packet_type;
using siocodec::engineio::packet_view;

namespace {

std::string bytes(std::initializer_list<int> list) {
  std::string s;
  for (const int b : list) s.push_back(static_cast<char>(static_cast<unsigned char>(b)));
  return s;
}

using siocodec_test::hex;

std::string encode_one(const packet_view& p) {
  std::string out;
  const auto r = wt::encode(p, out);
  REQUIRE(r);
  CHECK(*r == out.size());
  return out;
}

std::string header_of(std::uint64_t n, bool binary) {
  char buf[16];
  const auto r = wt::encode_header_to(buf, sizeof buf, n, binary);
  REQUIRE(r);
  CHECK(*r == wt::header_size(n));
  return std::string(buf, *r);
}

// A decoded packet that outlives the callback.
struct owned_packet {
  packet_type type;
  data_kind kind;
  std::string data;
  friend bool operator==(const owned_packet& a, const owned_packet& b) {
    return a.type == b.type && a.kind == b.kind && a.data == b.data;
  }
};

owned_packet own(const packet_view& p) { return {p.type, p.kind, std::string(p.data)}; }

template <class Decoder>
struct collector {
  Decoder dec;
  std::vector<owned_packet> packets;
  explicit collector(const decode_options& opts = {}) : dec(opts) {}
  siocodec::decode_status feed(std::string_view chunk) {
    return dec.feed(chunk, [this](const packet_view& p) { packets.push_back(own(p)); });
  }
};
using string_collector = collector<wt::stream_decoder<>>;

// A counting allocator: how much the decoder's storage allocates, at most and at once.
struct alloc_stats {
  std::size_t live = 0;
  std::size_t peak = 0;
  std::size_t largest = 0;
  std::size_t count = 0;
};
alloc_stats g_alloc;

template <class T>
struct counting_allocator {
  using value_type = T;
  counting_allocator() noexcept = default;
  template <class U>
  counting_allocator(const counting_allocator<U>&) noexcept {}
  T* allocate(std::size_t n) {
    const std::size_t b = n * sizeof(T);
    g_alloc.live += b;
    g_alloc.count += 1;
    if (g_alloc.live > g_alloc.peak) g_alloc.peak = g_alloc.live;
    if (b > g_alloc.largest) g_alloc.largest = b;
    return std::allocator<T>{}.allocate(n);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    g_alloc.live -= n * sizeof(T);
    std::allocator<T>{}.deallocate(p, n);
  }
  friend bool operator==(const counting_allocator&, const counting_allocator&) { return true; }
  friend bool operator!=(const counting_allocator&, const counting_allocator&) { return false; }
};
using counted_vector = std::vector<unsigned char, counting_allocator<unsigned char>>;
using counted_string = std::basic_string<char, std::char_traits<char>, counting_allocator<char>>;

// A mixed stream: ~20 records covering every header form, text (with multi-byte UTF-8), binary,
// base64 and empty-binary records, one record of 70,000 bytes and one of 300.
struct test_stream {
  std::string bytes;
  std::vector<owned_packet> expected;
  std::vector<std::size_t> boundaries;  // stream offsets where a record ends (and 0)

  void add(const packet_view& p, owned_packet decoded) {
    bytes += encode_one(p);
    expected.push_back(std::move(decoded));
    boundaries.push_back(bytes.size());
  }
  void add(const packet_view& p) { add(p, own(p)); }
  void add_raw(const std::string& record, owned_packet decoded) {
    bytes += record;
    expected.push_back(std::move(decoded));
    boundaries.push_back(bytes.size());
  }
  bool is_boundary(std::size_t off) const {
    if (off == 0) return true;
    for (const std::size_t b : boundaries) {
      if (b == off) return true;
    }
    return false;
  }
};

std::string utf8_text(std::size_t n) {
  // Cycles through 1-, 2-, 3- and 4-byte sequences so splits land inside each of them.
  static const std::string_view pieces[] = {"a", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
  std::string s;
  for (std::size_t i = 0; s.size() < n; ++i) {
    const std::string_view piece = pieces[i % 4];
    if (s.size() + piece.size() > n) {
      s.append(n - s.size(), 'z');
      break;
    }
    s.append(piece);
  }
  return s;
}

std::string binary_data(std::size_t n, unsigned seed) {
  std::string s(n, '\0');
  std::uint32_t x = seed * 2654435761u + 1;
  for (auto& c : s) {
    x = x * 1664525u + 1013904223u;
    c = static_cast<char>(static_cast<unsigned char>(x >> 24));
  }
  return s;
}

// `full`: also the 70,000-byte record and the two 300-byte ones (20 records, else 17).
test_stream make_stream(bool full) {
  test_stream t;
  static const std::string bin3 = bytes({1, 2, 3});
  static const std::string text300 = utf8_text(299);  // + the type digit = 300 bytes
  static const std::string bin300 = binary_data(300, 7);
  static const std::string large = binary_data(70000, 3);
  static const std::string text125 = utf8_text(124);
  static const std::string text126 = utf8_text(125);
  t.add(packet_view::text(packet_type::open, "{\"sid\":\"abc\"}"));
  t.add(packet_view::text(packet_type::ping));
  t.add(packet_view::text(packet_type::message, "hello"));
  t.add(packet_view::binary(byte_view(bin3)));
  t.add(packet_view::text(packet_type::message, "1\xe2\x82\xac"));
  if (full) t.add(packet_view::text(packet_type::message, text300));
  if (full) t.add(packet_view::binary(byte_view(bin300)));
  t.add(packet_view::text(packet_type::pong, "probe"));
  t.add(packet_view{packet_type::message, data_kind::base64, "AQIDBA=="});
  t.add(packet_view::binary(byte_view()),
        owned_packet{packet_type::message, data_kind::base64, ""});
  t.add(packet_view::text(packet_type::message, text125));  // 125-byte payload: 1-byte header
  t.add(packet_view::text(packet_type::message, text126));  // 126-byte payload: 3-byte header
  // A non-minimal 9-byte header, as only a foreign encoder writes it.
  t.add_raw(bytes({0x7f, 0, 0, 0, 0, 0, 0, 0, 3, '4', 'a', 'b'}),
            owned_packet{packet_type::message, data_kind::text, "ab"});
  // A non-minimal 3-byte header for a binary record.
  t.add_raw(bytes({0xfe, 0, 2, 0xff, 0x00}),
            owned_packet{packet_type::message, data_kind::binary, bytes({0xff, 0x00})});
  if (full) t.add(packet_view::binary(byte_view(large)));
  t.add(packet_view::text(packet_type::upgrade));
  t.add(packet_view::text(packet_type::noop));
  t.add(packet_view::text(packet_type::close));
  t.add(packet_view::text(packet_type::message, ""));
  t.add(packet_view::text(packet_type::message, "\xf0\x9f\x98\x80 end"));
  return t;
}

// Feeds `chunks` (consecutive pieces of t.bytes) to a fresh decoder and checks every packet, as
// it arrives, against the expected list, and the boundary flag after every chunk.
void check_chunking(const test_stream& t, const std::vector<std::size_t>& cuts) {
  wt::stream_decoder<> dec;
  std::size_t next = 0;
  bool all_equal = true;
  std::size_t prev = 0;
  for (std::size_t i = 0; i <= cuts.size(); ++i) {
    const std::size_t to = i < cuts.size() ? cuts[i] : t.bytes.size();
    const std::string_view chunk = std::string_view(t.bytes).substr(prev, to - prev);
    const auto st = dec.feed(chunk, [&](const packet_view& p) {
      if (next >= t.expected.size()) {
        all_equal = false;
      } else {
        const owned_packet& e = t.expected[next];
        all_equal = all_equal && p.type == e.type && p.kind == e.kind && p.data == e.data;
      }
      ++next;
    });
    if (!st || st.consumed != chunk.size() || dec.stream_offset() != to ||
        dec.at_record_boundary() != t.is_boundary(to)) {
      INFO("cuts at chunk " << i << " ending at " << to);
      REQUIRE(st.ec == errc::none);
      REQUIRE(st.consumed == chunk.size());
      REQUIRE(dec.stream_offset() == to);
      REQUIRE(dec.at_record_boundary() == t.is_boundary(to));
    }
    prev = to;
  }
  if (!all_equal || next != t.expected.size()) {
    INFO("chunking with " << cuts.size() << " cuts, first cut " << (cuts.empty() ? 0 : cuts[0]));
    REQUIRE(all_equal);
    REQUIRE(next == t.expected.size());
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Encoder
// ---------------------------------------------------------------------------------------------

TEST_CASE("webtransport: header_size picks the shortest form") {
  STATIC_REQUIRE(wt::header_size(0) == 1);
  STATIC_REQUIRE(wt::header_size(125) == 1);
  STATIC_REQUIRE(wt::header_size(126) == 3);
  STATIC_REQUIRE(wt::header_size(65535) == 3);
  STATIC_REQUIRE(wt::header_size(65536) == 9);
  STATIC_REQUIRE(wt::header_size(wt::max_length) == 9);
  STATIC_REQUIRE(wt::max_length == 9007199254740991ull);
}

TEST_CASE("webtransport: spec vectors W01-W13") {
  // [W01] "1€" as a message: payload 34 31 e2 82 ac is 5 bytes, not 3 characters.
  CHECK(hex(encode_one(packet_view::text(packet_type::message, "1\xe2\x82\xac"))) ==
        "053431e282ac");
  // [W02]
  CHECK(hex(encode_one(packet_view::text(packet_type::message, "hello"))) == "063468656c6c6f");
  // [W03]
  CHECK(hex(encode_one(packet_view::binary(byte_view(bytes({1, 2, 3}))))) == "83010203");
  // [W04] Uint16Array [1, 2, 257] travels as its little-endian bytes.
  CHECK(hex(encode_one(packet_view::binary(byte_view(bytes({1, 0, 2, 0, 1, 1}))))) ==
        "86010002000101");
  // [W07] 12345 bytes.
  const std::string big(12345, 'x');
  const std::string rec = encode_one(packet_view::binary(byte_view(big)));
  CHECK(rec.size() == 3 + 12345);
  CHECK(hex(rec.substr(0, 3)) == "fe3039");
  CHECK(rec.substr(3) == big);
  // 123456789 bytes (the reference's test): header only.
  CHECK(hex(header_of(123456789, true)) == "ff00000000075bcd15");
  CHECK(hex(header_of(123456789, false)) == "7f00000000075bcd15");
  // [W11]
  CHECK(hex(encode_one(packet_view::text(packet_type::ping))) == "0132");
  // [W12] the client's open packet when it upgrades a polling session.
  CHECK(hex(encode_one(packet_view::text(packet_type::open, "{\"sid\":\"abc\"}"))) ==
        "0e30" + hex("{\"sid\":\"abc\"}"));
  // [W13] the reference writes an empty binary message as `80`, which no decoder accepts (its own
  // included); we write the text record "b" instead, which the reference decodes to an empty
  // binary message. The header alone still matches the reference.
  CHECK(hex(header_of(0, true)) == "80");
  CHECK(hex(encode_one(packet_view::binary(byte_view()))) == "0162");
}

TEST_CASE("webtransport: header boundaries 125/126/65535/65536") {
  // Expected bytes as createPacketEncoderStream writes them for payloads of these sizes.
  struct row {
    std::size_t n;
    const char* text;
    const char* binary;
  };
  const row rows[] = {
      {1, "01", "81"},
      {125, "7d", "fd"},
      {126, "7e007e", "fe007e"},
      {127, "7e007f", "fe007f"},
      {65535, "7effff", "feffff"},
      {65536, "7f0000000000010000", "ff0000000000010000"},
      {65537, "7f0000000000010001", "ff0000000000010001"},
  };
  for (const auto& r : rows) {
    INFO("payload size " << r.n);
    CHECK(hex(header_of(r.n, false)) == r.text);
    CHECK(hex(header_of(r.n, true)) == r.binary);
    const std::string text_data(r.n - 1, 'x');  // + the type digit
    const std::string t = encode_one(packet_view::text(packet_type::message, text_data));
    CHECK(hex(t.substr(0, wt::header_size(r.n))) == r.text);
    CHECK(t.size() == wt::header_size(r.n) + r.n);
    CHECK(t.substr(wt::header_size(r.n)) == "4" + text_data);
    const std::string bin_data(r.n, '\x01');
    const std::string b = encode_one(packet_view::binary(byte_view(bin_data)));
    CHECK(hex(b.substr(0, wt::header_size(r.n))) == r.binary);
    CHECK(b.substr(wt::header_size(r.n)) == bin_data);
  }
}

TEST_CASE("webtransport: base64 packets become `b` text records") {
  const packet_view p{packet_type::message, data_kind::base64, "AQID"};
  CHECK(hex(encode_one(p)) == "05" + hex("bAQID"));
  CHECK(hex(encode_one(packet_view{packet_type::message, data_kind::base64, ""})) == "0162");
}

TEST_CASE("webtransport: encoder rejects what the format cannot carry") {
  std::string out = "keep";
  const auto expect_invalid = [&](const packet_view& p) {
    const auto s = wt::encoded_size(p);
    CHECK(s.error() == errc::invalid_argument);
    char buf[64];
    CHECK(wt::encode_to(buf, sizeof buf, p).error() == errc::invalid_argument);
    CHECK(wt::encode(p, out).error() == errc::invalid_argument);
    CHECK(out == "keep");
  };
  expect_invalid(packet_view::text(static_cast<packet_type>(7), "x"));
  expect_invalid(packet_view::text(static_cast<packet_type>(255)));
  expect_invalid(packet_view::binary(byte_view(bytes({1})), packet_type::ping));
  expect_invalid(packet_view::binary(byte_view(), packet_type::close));
  expect_invalid(packet_view{packet_type::ping, data_kind::base64, "AQID"});
  expect_invalid(packet_view{packet_type::message, data_kind::base64, "AQI"});   // bad length
  expect_invalid(packet_view{packet_type::message, data_kind::base64, "AQ*D"});  // bad char
  expect_invalid(packet_view{packet_type::message, data_kind::base64, "AR=="});  // stray bits

  char buf[16];
  CHECK(wt::encode_header_to(buf, sizeof buf, wt::max_length + 1, false).error() ==
        errc::invalid_argument);
  const auto r = wt::encode_header_to(buf, sizeof buf, wt::max_length, true);
  REQUIRE(r);
  CHECK(hex(std::string(buf, *r)) == "ff001fffffffffffff");
}

TEST_CASE("webtransport: three output forms agree, and encode_to never writes past cap") {
  const std::string data = utf8_text(200);
  const std::string bin3 = bytes({1, 2, 3});
  const packet_view packets[] = {
      packet_view::text(packet_type::message, "hello"),
      packet_view::text(packet_type::message, data),
      packet_view::binary(byte_view(bin3)),
      packet_view::binary(byte_view(data)),
      packet_view{packet_type::message, data_kind::base64, "AQIDBA=="},
      packet_view::binary(byte_view()),
  };
  for (const auto& p : packets) {
    const auto size = wt::encoded_size(p);
    REQUIRE(size);
    const std::size_t n = *size;

    std::string s = "prefix";
    REQUIRE(wt::encode(p, s));
    REQUIRE(s.size() == 6 + n);
    CHECK(s.compare(0, 6, "prefix") == 0);
    const std::string expected = s.substr(6);

    std::vector<unsigned char> v = {0xaa};
    const auto rv = wt::encode(p, v);
    REQUIRE(rv);
    CHECK(*rv == n);
    CHECK(std::string(v.begin() + 1, v.end()) == expected);

    // Exact capacity, with canaries after it.
    std::vector<char> buf(n + 8, '#');
    const auto rb = wt::encode_to(buf.data(), n, p);
    REQUIRE(rb);
    CHECK(*rb == n);
    CHECK(rb.offset() == n);
    CHECK(std::string(buf.data(), n) == expected);
    CHECK(std::string(buf.data() + n, 8) == "########");

    // One byte short: nothing written at all.
    std::vector<char> small(n + 8, '#');
    const auto rs = wt::encode_to(small.data(), n - 1, p);
    CHECK(rs.error() == errc::output_too_small);
    CHECK(std::string(small.data(), small.size()) == std::string(n + 8, '#'));
  }
  char arr[8];
  CHECK(hex(std::string(arr, *wt::encode_to(arr, packet_view::text(packet_type::ping)))) == "0132");
  char hdr[2];
  CHECK(wt::encode_header_to(hdr, 2, 126, false).error() == errc::output_too_small);
  CHECK(*wt::encode_header_to(hdr, 1, 125, false) == 1);
}

TEST_CASE("webtransport: scatter-gather header + caller payload equals the whole record") {
  const std::string data = utf8_text(70000);
  const std::string whole = encode_one(packet_view::text(packet_type::message, data));
  CHECK(header_of(1 + data.size(), false) + "4" + data == whole);
  const std::string bin = binary_data(300, 1);
  CHECK(header_of(bin.size(), true) + bin == encode_one(packet_view::binary(byte_view(bin))));
}

// ---------------------------------------------------------------------------------------------
// Decoder
// ---------------------------------------------------------------------------------------------

TEST_CASE("webtransport: decoder reads the spec vectors") {
  string_collector c;
  const std::string stream = bytes({0x05, 0x34, 0x31, 0xe2, 0x82, 0xac}) +        // [W01]
                             bytes({0x06, 0x34, 0x68, 0x65, 0x6c, 0x6c, 0x6f}) +  // [W02]
                             bytes({0x83, 0x01, 0x02, 0x03}) +                    // [W03]
                             bytes({0x01, 0x32}) +                                // [W11]
                             bytes({0x0e}) + "0{\"sid\":\"abc\"}" +               // [W12]
                             bytes({0x01, 0x62}) +  // empty binary, our [W13] form
                             bytes({0x05, 'b', 'A', 'Q', '=', '='});  // [W32] base64 record
  const auto st = c.feed(stream);
  REQUIRE(st);
  CHECK(st.consumed == stream.size());
  CHECK(c.dec.stream_offset() == stream.size());
  CHECK(c.dec.at_record_boundary());
  CHECK(c.dec.state() == wt::stream_state::header);
  const std::vector<owned_packet> expected = {
      {packet_type::message, data_kind::text, "1\xe2\x82\xac"},
      {packet_type::message, data_kind::text, "hello"},
      {packet_type::message, data_kind::binary, bytes({1, 2, 3})},
      {packet_type::ping, data_kind::text, ""},
      {packet_type::open, data_kind::text, "{\"sid\":\"abc\"}"},
      {packet_type::message, data_kind::base64, ""},
      {packet_type::message, data_kind::base64, "AQ=="},
  };
  CHECK(c.packets == expected);
}

TEST_CASE("webtransport: states follow the documented transitions") {
  wt::stream_decoder<> dec;
  const auto nop = [](const packet_view&) {};
  CHECK(dec.state() == wt::stream_state::header);
  REQUIRE(dec.feed(bytes({0x7e}), nop));
  CHECK(dec.state() == wt::stream_state::extended_16);
  REQUIRE(dec.feed(bytes({0x00}), nop));
  CHECK(dec.state() == wt::stream_state::extended_16);
  REQUIRE(dec.feed(bytes({0x02}), nop));
  CHECK(dec.state() == wt::stream_state::payload);
  REQUIRE(dec.feed(std::string_view("4"), nop));
  CHECK(dec.state() == wt::stream_state::payload);
  CHECK_FALSE(dec.at_record_boundary());
  REQUIRE(dec.feed(std::string_view("x"), nop));
  CHECK(dec.state() == wt::stream_state::header);
  CHECK(dec.at_record_boundary());
  REQUIRE(dec.feed(bytes({0xff, 0, 0, 0}), nop));
  CHECK(dec.state() == wt::stream_state::extended_64);
  REQUIRE(dec.feed(bytes({0, 0, 0, 0}), nop));
  CHECK(dec.state() == wt::stream_state::extended_64);
  REQUIRE(dec.feed(bytes({1}), nop));
  CHECK(dec.state() == wt::stream_state::payload);
  REQUIRE(dec.feed(bytes({9}), nop));
  CHECK(dec.state() == wt::stream_state::header);
  CHECK(dec.stream_offset() == 3 + 2 + 9 + 1);
}

TEST_CASE("webtransport: empty chunks change nothing") {
  // (The reference's concatChunks misreads an empty chunk as a header byte 0; we ignore it.)
  string_collector c;
  const auto none = [&] {
    const auto st = c.dec.feed(byte_view(), [&](const packet_view&) { FAIL("no packet"); });
    CHECK(st);
    CHECK(st.consumed == 0);
  };
  none();
  REQUIRE(c.feed(bytes({0x7e, 0x00})));
  none();
  REQUIRE(c.feed(bytes({0x02, '4'})));
  none();
  CHECK(c.dec.stream_offset() == 4);
  REQUIRE(c.feed(std::string_view("x")));
  none();
  CHECK(c.dec.at_record_boundary());
  REQUIRE(c.packets.size() == 1);
  CHECK(c.packets[0].data == "x");
}

#if SIOCODEC_HAS_EXCEPTIONS
TEST_CASE("webtransport: a throwing callback leaves the decoder after the delivered record") {
  struct stop {};
  const std::string stream = bytes({0x02, '4', 'a', 0x02, '4', 'b', 0x02, '4', 'c'});
  for (const std::size_t first : {std::size_t{9}, std::size_t{5}}) {  // zero-copy, straddling
    INFO("first chunk " << first);
    wt::stream_decoder<> dec;
    std::string seen;
    const auto on_packet = [&](const packet_view& p) {
      seen += std::string(p.data);
      if (p.data == "b") throw stop{};
    };
    bool thrown = false;
    try {
      (void)dec.feed(std::string_view(stream).substr(0, first), on_packet);
      (void)dec.feed(std::string_view(stream).substr(first), on_packet);
    } catch (const stop&) {
      thrown = true;
    }
    REQUIRE(thrown);
    CHECK(seen == "ab");
    CHECK(dec.stream_offset() == 6);
    CHECK(dec.at_record_boundary());
    REQUIRE(dec.feed(std::string_view(stream).substr(6), on_packet));
    CHECK(seen == "abc");
  }
}
#endif

TEST_CASE("webtransport: every error with its offset") {
  struct row {
    const char* what;
    std::string stream;
    std::size_t max_payload;
    errc ec;
    std::size_t offset;   // stream offset of the offending byte
    std::size_t packets;  // delivered before the error
  };
  const std::string ok = bytes({0x02, '4', 'a'});  // a valid record first: offsets are absolute
  const std::size_t big = 1000000;
  const row rows[] = {
      {"length 0", ok + bytes({0x00}), big, errc::empty_packet, 3, 1},
      {"binary length 0", ok + bytes({0x80}), big, errc::empty_packet, 3, 1},
      {"16-bit length 0", ok + bytes({0x7e, 0, 0}), big, errc::empty_packet, 3, 1},
      {"64-bit length 0", ok + bytes({0xff, 0, 0, 0, 0, 0, 0, 0, 0}), big, errc::empty_packet, 3,
       1},
      {"7-bit > max", ok + bytes({0x06, '4', 'a', 'b', 'c', 'd', 'e'}), 5, errc::payload_too_large,
       3, 1},
      {"16-bit > max", ok + bytes({0x7e, 0x01, 0x2d}), 300, errc::payload_too_large, 3, 1},
      {"64-bit > max", ok + bytes({0x7f, 0, 0, 0, 0, 0, 0x0f, 0x42, 0x41}), big,
       errc::payload_too_large, 3, 1},
      {"2^53", ok + bytes({0x7f, 0, 0x20, 0, 0, 0, 0, 0, 0}), SIZE_MAX, errc::payload_too_large, 3,
       1},
      {"2^64-1", ok + bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}), SIZE_MAX,
       errc::payload_too_large, 3, 1},
      {"invalid utf8", ok + bytes({0x04, '4', 0xc3, 0x28, 'a'}), big, errc::invalid_utf8, 5, 1},
      {"cut utf8 sequence", ok + bytes({0x03, '4', 'a', 0xe2}), big, errc::invalid_utf8, 6, 1},
      {"lone continuation", ok + bytes({0x02, '4', 0x80}), big, errc::invalid_utf8, 5, 1},
      {"surrogate", ok + bytes({0x04, '4', 0xed, 0xa0, 0x80}), big, errc::invalid_utf8, 5, 1},
      {"invalid utf8 in type", ok + bytes({0x02, 0xff, '4'}), big, errc::invalid_utf8, 4, 1},
      {"unknown type 7", ok + bytes({0x02, '7', 'a'}), big, errc::unknown_packet_type, 4, 1},
      {"unknown type B", ok + bytes({0x01, 'B'}), big, errc::unknown_packet_type, 4, 1},
      {"leading BOM", ok + bytes({0x06, 0xef, 0xbb, 0xbf, '4', 'h', 'i'}), big,
       errc::unknown_packet_type, 4, 1},
      {"base64 bad char", ok + bytes({0x05, 'b', 'A', '*', 'I', 'D'}), big, errc::invalid_base64, 6,
       1},
      {"base64 bad length", ok + bytes({0x04, 'b', 'A', 'Q', '='}), big, errc::invalid_base64, 8,
       1},
  };
  for (const auto& r : rows) {
    INFO(r.what);
    decode_options opts;
    opts.max_payload = r.max_payload;
    // Whole stream in one chunk: consumed is the offset in the chunk.
    {
      string_collector c(opts);
      const auto st = c.feed(r.stream);
      CHECK(st.ec == r.ec);
      CHECK(st.consumed == r.offset);
      CHECK(c.dec.failed());
      CHECK(c.dec.error() == r.ec);
      CHECK(c.dec.stream_offset() == r.offset);
      CHECK_FALSE(c.dec.at_record_boundary());
      CHECK(c.packets.size() == r.packets);
    }
    // One byte at a time: the failure is detected at the last byte of a length or of a payload,
    // so the offending byte is in an earlier chunk (consumed 0) or in this one; the stream
    // offset is exact either way.
    {
      string_collector c(opts);
      siocodec::decode_status st;
      std::size_t i = 0;
      for (; i < r.stream.size(); ++i) {
        st = c.feed(std::string_view(r.stream).substr(i, 1));
        if (!st) break;
      }
      CHECK(st.ec == r.ec);
      CHECK(st.consumed == (r.offset > i ? r.offset - i : 0));
      CHECK(c.dec.stream_offset() == r.offset);
      CHECK(c.packets.size() == r.packets);
    }
  }
}

TEST_CASE("webtransport: offending byte in an earlier chunk gives consumed 0") {
  // The 16-bit length 0x012d (301) straddles chunks; the error points to the header start.
  decode_options opts;
  opts.max_payload = 300;
  string_collector c(opts);
  REQUIRE(c.feed(bytes({0x02, '4', 'a', 0x7e})));
  REQUIRE(c.feed(bytes({0x01})));
  const auto st = c.feed(bytes({0x2d, '4'}));
  CHECK(st.ec == errc::payload_too_large);
  CHECK(st.consumed == 0);
  CHECK(c.dec.stream_offset() == 3);

  // A straddled text record whose bad byte arrived in the first chunk.
  string_collector d;
  REQUIRE(d.feed(bytes({0x05, '4', 0xc0})));
  const auto st2 = d.feed(bytes({0x80, 'a', 'b', 0x01, '2'}));
  CHECK(st2.ec == errc::invalid_utf8);
  CHECK(st2.consumed == 0);
  CHECK(d.dec.stream_offset() == 2);
  CHECK(d.packets.empty());

  // Same record, bad byte in the completing chunk: consumed points at it.
  string_collector e;
  REQUIRE(e.feed(bytes({0x05, '4', 'a'})));
  const auto st3 = e.feed(bytes({'b', 0xc0, 0x80, 0x01, '2'}));
  CHECK(st3.ec == errc::invalid_utf8);
  CHECK(st3.consumed == 1);
  CHECK(e.dec.stream_offset() == 4);
}

TEST_CASE("webtransport: errors are terminal until reset") {
  string_collector c;
  const auto st = c.feed(bytes({0x02, '7', 'x', 0x01, '2'}));
  CHECK(st.ec == errc::unknown_packet_type);
  CHECK(st.consumed == 1);
  CHECK(c.packets.empty());  // unlike the reference, the next record is not decoded
  for (int i = 0; i < 3; ++i) {
    const auto again = c.feed(bytes({0x01, '2'}));
    CHECK(again.ec == errc::unknown_packet_type);
    CHECK(again.consumed == 0);
    CHECK(c.dec.stream_offset() == 1);
  }
  CHECK(c.packets.empty());

  c.dec.reset();
  CHECK_FALSE(c.dec.failed());
  CHECK(c.dec.error() == errc::none);
  CHECK(c.dec.stream_offset() == 0);
  CHECK(c.dec.at_record_boundary());
  const auto fresh = c.feed(bytes({0x01, '2'}));
  CHECK(fresh);
  CHECK(fresh.consumed == 2);
  REQUIRE(c.packets.size() == 1);
  CHECK(c.packets[0] == owned_packet{packet_type::ping, data_kind::text, ""});
}

TEST_CASE("webtransport: reset mid-record starts a new stream") {
  string_collector c;
  REQUIRE(c.feed(bytes({0x7e, 0x00, 0x10, '4', 'a', 'b'})));
  CHECK_FALSE(c.dec.at_record_boundary());
  c.dec.reset();
  CHECK(c.dec.at_record_boundary());
  REQUIRE(c.feed(bytes({0x02, '4', 'z'})));
  REQUIRE(c.packets.size() == 1);
  CHECK(c.packets[0].data == "z");
  CHECK(c.dec.stream_offset() == 3);
}

TEST_CASE("webtransport: only Engine.IO v4 is accepted") {
  decode_options opts;
  opts.version = siocodec::engineio::protocol_version::v3;
  string_collector c(opts);
  CHECK(c.dec.failed());
  CHECK(c.dec.error() == errc::invalid_argument);
  const auto st = c.feed(bytes({0x01, '2'}));
  CHECK(st.ec == errc::invalid_argument);
  CHECK(st.consumed == 0);
  CHECK(c.dec.stream_offset() == 0);
  c.dec.reset();
  CHECK(c.dec.error() == errc::invalid_argument);
  CHECK(c.packets.empty());
}

TEST_CASE("webtransport: max_payload boundary, on the real length") {
  for (const std::size_t n :
       {std::size_t{5}, std::size_t{125}, std::size_t{126}, std::size_t{300}, std::size_t{70000}}) {
    INFO("max_payload " << n);
    decode_options opts;
    opts.max_payload = n;
    const std::string at_limit = encode_one(packet_view::binary(byte_view(std::string(n, 'q'))));
    const std::string over = encode_one(packet_view::binary(byte_view(std::string(n + 1, 'q'))));
    string_collector c(opts);
    REQUIRE(c.feed(at_limit));
    REQUIRE(c.packets.size() == 1);
    CHECK(c.packets[0].data.size() == n);
    const auto st = c.feed(over);
    CHECK(st.ec == errc::payload_too_large);
    CHECK(st.consumed == 0);
    CHECK(c.dec.stream_offset() == at_limit.size());
  }
  // The reference compares maxPayload with the 7-bit marker too, so with maxPayload 100 it
  // rejects this 5-byte payload behind a 3-byte header; we check the length itself.
  decode_options opts;
  opts.max_payload = 100;
  string_collector c(opts);
  REQUIRE(c.feed(bytes({0x7e, 0x00, 0x05, '4', 'a', 'b', 'c', 'd'})));
  REQUIRE(c.packets.size() == 1);
  CHECK(c.packets[0].data == "abcd");
  // max_payload 0 refuses every record.
  decode_options zero;
  zero.max_payload = 0;
  string_collector z(zero);
  CHECK(z.feed(bytes({0x01, '2'})).ec == errc::payload_too_large);
}

TEST_CASE("webtransport: lengths up to 2^53-1 pass, 2^53 fails whatever max_payload") {
  decode_options opts;
  opts.max_payload = SIZE_MAX;
  {
    // The header alone is accepted and nothing is allocated until payload bytes arrive.
    g_alloc = {};
    wt::stream_decoder<counted_vector> dec(opts);
    const auto st = dec.feed(bytes({0x7f, 0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}),
                             [](const packet_view&) {});
    CHECK(st);
    CHECK(dec.state() == wt::stream_state::payload);
    CHECK(g_alloc.count == 0);
  }
  wt::stream_decoder<> dec(opts);
  const auto st = dec.feed(bytes({0x7f, 0x00, 0x20, 0, 0, 0, 0, 0, 0}), [](const packet_view&) {});
  CHECK(st.ec == errc::payload_too_large);
  CHECK(st.consumed == 0);
}

TEST_CASE("webtransport: lax base64 mode accepts what the reference server accepts") {
  const std::string rec = bytes({0x05, 'b', 'A', 'Q', '-', '_'});  // URL-safe, no padding
  string_collector strict;
  CHECK(strict.feed(rec).ec == errc::invalid_base64);
  decode_options opts;
  opts.base64 = siocodec::base64::mode::lax;
  string_collector lax(opts);
  REQUIRE(lax.feed(rec));
  REQUIRE(lax.packets.size() == 1);
  CHECK(lax.packets[0] == owned_packet{packet_type::message, data_kind::base64, "AQ-_"});
  std::string decoded;
  REQUIRE(siocodec::base64::decode(lax.packets[0].data, decoded, siocodec::base64::mode::lax));
  CHECK(hex(decoded) == "010fbf");
}

TEST_CASE("webtransport: records inside one chunk are zero-copy, straddling ones are copied") {
  const std::string a = encode_one(packet_view::text(packet_type::message, "first"));
  const std::string b = encode_one(packet_view::binary(byte_view(bytes({9, 8, 7}))));
  const std::string chunk = a + b;
  wt::stream_decoder<> dec;
  std::vector<const char*> ptrs;
  REQUIRE(dec.feed(chunk, [&](const packet_view& p) { ptrs.push_back(p.data.data()); }));
  REQUIRE(ptrs.size() == 2);
  CHECK(ptrs[0] == chunk.data() + 2);             // after header + type digit
  CHECK(ptrs[1] == chunk.data() + a.size() + 1);  // after the header

  // A payload split across two chunks: delivered from the decoder's storage.
  const std::string rec = encode_one(packet_view::text(packet_type::message, utf8_text(300)));
  const std::string first = rec.substr(0, 100);
  const std::string second = rec.substr(100);
  const char* got = nullptr;
  std::string data;
  REQUIRE(dec.feed(first, [&](const packet_view&) { FAIL("nothing is complete yet"); }));
  REQUIRE(dec.feed(second, [&](const packet_view& p) {
    got = p.data.data();
    data = std::string(p.data);
  }));
  REQUIRE(got != nullptr);
  const auto inside = [](const char* p, const std::string& s) {
    return !s.empty() && std::less_equal<const char*>{}(s.data(), p) &&
           std::less<const char*>{}(p, s.data() + s.size());
  };
  CHECK_FALSE(inside(got, first));
  CHECK_FALSE(inside(got, second));
  CHECK(data == utf8_text(300));

  // Only the header straddles: the payload lies in one chunk and is still not copied.
  const std::string rec2 = encode_one(packet_view::binary(byte_view(std::string(200, 'k'))));
  REQUIRE(dec.feed(rec2.substr(0, 2), [&](const packet_view&) { FAIL("incomplete"); }));
  const std::string rest = rec2.substr(2);
  got = nullptr;
  REQUIRE(dec.feed(rest, [&](const packet_view& p) { got = p.data.data(); }));
  CHECK(got == rest.data() + 1);
}

TEST_CASE("webtransport: storage never exceeds the announced length nor max_payload") {
  decode_options opts;
  opts.max_payload = 70000;
  const std::string d40 = binary_data(40000, 1);
  const std::string d70 = binary_data(70000, 2);
  const std::string r40 = encode_one(packet_view::binary(byte_view(d40)));
  const std::string r70 = encode_one(packet_view::binary(byte_view(d70)));
  const std::string r100 = encode_one(packet_view::binary(byte_view(std::string(100, 'x'))));

  // Feeds `rec` in chunks of `step` bytes, so that its payload straddles chunks.
  const auto feed_split = [](auto& dec, const std::string& rec, std::string* out,
                             std::size_t step = 4096) {
    for (std::size_t i = 0; i < rec.size(); i += step) {
      const auto st = dec.feed(std::string_view(rec).substr(i, step), [&](const packet_view& p) {
        if (out != nullptr) *out = std::string(p.data);
      });
      REQUIRE(st);
    }
  };

  SECTION("vector storage") {
    g_alloc = {};
    {
      wt::stream_decoder<counted_vector> dec(opts);
      std::string got;
      feed_split(dec, r40, &got);
      CHECK(got == d40);
      // Grown with the chunks, doubling, capped by the announced length; while a block is
      // copied into the next both are held, so the peak stays below twice the length.
      CHECK(g_alloc.largest == 40000);
      CHECK(g_alloc.peak < 2 * 40000);
      const std::size_t after40 = g_alloc.count;
      feed_split(dec, r100, &got, 50);  // straddles too, and reuses the storage
      CHECK(got == std::string(100, 'x'));
      CHECK(g_alloc.count == after40);
      CHECK(g_alloc.live == 40000);
      // 70,000 bytes: above the default retention of 65,536, released once delivered.
      feed_split(dec, r70, &got);
      CHECK(got == d70);
      CHECK(g_alloc.largest == 70000);
      CHECK(g_alloc.live == 0);
      // A refused announcement allocates nothing and the failure releases the storage.
      feed_split(dec, r40, &got);
      const std::size_t before = g_alloc.count;
      const auto st = dec.feed(bytes({0x7f, 0, 0, 0, 0, 0, 0x01, 0x11, 0x71}),  // 70001
                               [](const packet_view&) {});
      CHECK(st.ec == errc::payload_too_large);
      CHECK(g_alloc.count == before);
      CHECK(g_alloc.live == 0);
      dec.reset();
      feed_split(dec, r40, &got);
      CHECK(g_alloc.live == 40000);
      dec.reset();
      CHECK(g_alloc.live == 0);
    }
    CHECK(g_alloc.live == 0);
  }

  SECTION("string storage") {
    g_alloc = {};
    {
      wt::stream_decoder<counted_string> dec(opts);
      std::string got;
      feed_split(dec, r40, &got);
      CHECK(got == d40);
      feed_split(dec, r70, &got);
      CHECK(got == d70);
      feed_split(dec, r40, &got);
      CHECK(got == d40);
      CHECK(g_alloc.largest <= 70000 + 1);  // + the terminating null
      CHECK(g_alloc.peak < 2 * (70000 + 1));
    }
    CHECK(g_alloc.live == 0);
  }

  SECTION("header announcing the limit allocates only for the payload that arrives") {
    g_alloc = {};
    wt::stream_decoder<counted_vector> dec(opts);
    REQUIRE(dec.feed(r70.substr(0, 9), [](const packet_view&) {}));
    CHECK(g_alloc.count == 0);
    REQUIRE(dec.feed(r70.substr(9, 1), [](const packet_view&) {}));
    CHECK(g_alloc.count == 1);
    CHECK(g_alloc.largest == 1);
  }

  SECTION("pmr storage from a fixed arena with no upstream") {
    // A monotonic arena frees nothing, so it holds every growth step: at most three times the
    // largest straddling payload (the steps below it sum to less than twice it).
    alignas(std::max_align_t) static unsigned char arena[3 * 70000];
    std::pmr::monotonic_buffer_resource res(arena, sizeof arena, std::pmr::null_memory_resource());
    wt::stream_decoder<std::pmr::string> dec(opts, std::pmr::string(&res));
    std::string got;
    feed_split(dec, r70, &got);
    CHECK(got == d70);
  }
}

TEST_CASE("webtransport: split at every offset yields identical packets") {
  const test_stream t = make_stream(true);
  REQUIRE(t.expected.size() == 20);
  REQUIRE(t.bytes.size() > 70000);

  // Sanity: in one piece.
  check_chunking(t, {});

  SECTION("every 2-way split") {
    for (std::size_t i = 0; i <= t.bytes.size(); ++i) check_chunking(t, {i});
  }

  SECTION("1-byte chunks") {
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < t.bytes.size(); ++i) cuts.push_back(i);
    check_chunking(t, cuts);
  }

  SECTION("random chunkings") {
    std::mt19937 rng(20240601u);
    for (int round = 0; round < 200; ++round) {
      // Chunk sizes from tiny to larger than most records, so both paths mix.
      const std::size_t max_chunk = 1 + std::size_t{rng()} % (round % 2 == 0 ? 64 : 20000);
      const auto step = [&] { return 1 + std::size_t{rng()} % max_chunk; };
      std::vector<std::size_t> cuts;
      for (std::size_t at = step(); at < t.bytes.size(); at += step()) cuts.push_back(at);
      check_chunking(t, cuts);
    }
  }
}

TEST_CASE("webtransport: split a shorter stream at every pair of offsets") {
  const test_stream t = make_stream(false);
  REQUIRE(t.expected.size() == 17);
  const std::size_t n = t.bytes.size();
  REQUIRE(n > 300);
  for (std::size_t i = 0; i <= n; ++i) {
    for (std::size_t j = i; j <= n; ++j) check_chunking(t, {i, j});
  }
}

TEST_CASE("webtransport: encoder and decoder round-trip") {
  const test_stream t = make_stream(true);
  string_collector c;
  REQUIRE(c.feed(t.bytes));
  CHECK(c.packets == t.expected);
  // Re-encoding the decoded packets gives the canonical form of the stream: identical except for
  // the two hand-written non-minimal headers.
  std::string again;
  for (const auto& p : c.packets) {
    REQUIRE(wt::encode(packet_view{p.type, p.kind, p.data}, again));
  }
  string_collector c2;
  REQUIRE(c2.feed(again));
  CHECK(c2.packets == t.expected);
  CHECK(again.size() == t.bytes.size() - 8 - 2);  // 9-byte header -> 1, 3-byte header -> 1
}

// Issue 19.1: the storage of a straddling payload was resized to the announced length as soon
// as the header passed the max_payload check, so 10 bytes made the decoder allocate and zero
// 1,000,000, and a 2^53-1 header with max_payload = SIZE_MAX threw std::bad_alloc.
TEST_CASE("webtransport: storage is proportional to the payload bytes fed, not to the header") {
  SECTION("a 1,000,000-byte announcement followed by one byte") {
    g_alloc = {};
    wt::stream_decoder<counted_vector> dec;
    REQUIRE(dec.feed(bytes({0xff, 0, 0, 0, 0, 0, 0x0f, 0x42, 0x40, 0x78}),
                     [](const packet_view&) { FAIL("incomplete"); }));
    CHECK(g_alloc.largest <= 64);
    CHECK(g_alloc.live <= 64);
    // Every further chunk keeps the capacity within twice the payload bytes received.
    std::size_t fed = 1;
    const std::string chunk(777, 'z');
    for (int i = 0; i < 200; ++i) {
      REQUIRE(dec.feed(chunk, [](const packet_view&) { FAIL("incomplete"); }));
      fed += chunk.size();
      INFO("fed " << fed);
      REQUIRE(g_alloc.live <= 2 * fed);
      REQUIRE(g_alloc.peak <= 3 * fed);
    }
    // The record completes: exactly the bytes sent, delivered; then released (above 64 KiB).
    std::size_t delivered = 0;
    const std::string rest(1000000 - fed, 'z');
    REQUIRE(dec.feed(rest, [&](const packet_view& p) { delivered = p.data.size(); }));
    CHECK(delivered == 1000000);
    CHECK(g_alloc.largest <= 1000000);
    CHECK(g_alloc.live == 0);
  }

  SECTION("1,000 streams each announcing the limit hold a few bytes each") {
    g_alloc = {};
    std::vector<wt::stream_decoder<counted_vector>> streams(1000);
    for (auto& d : streams) {
      REQUIRE(
          d.feed(bytes({0xff, 0, 0, 0, 0, 0, 0x0f, 0x42, 0x40, 0x78}), [](const packet_view&) {}));
    }
    CHECK(g_alloc.live <= 1000 * 64);
  }

  SECTION("max_payload SIZE_MAX and a 2^53-1 header never throw nor allocate the length") {
    decode_options opts;
    opts.max_payload = SIZE_MAX;
    opts.max_retained_bytes = SIZE_MAX;
    g_alloc = {};
    wt::stream_decoder<counted_vector> dec(opts);
    // Before the fix these threw std::bad_alloc (and aborted under -fno-exceptions).
    siocodec::decode_status st =
        dec.feed(bytes({0xff, 0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 'a', 'b', 'c'}),
                 [](const packet_view&) {});
    CHECK(st);
    CHECK(g_alloc.largest <= 64);
    wt::stream_decoder<std::string> text(opts);
    st = text.feed(bytes({0x7f, 0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, '4'}),
                   [](const packet_view&) {});
    CHECK(st);
  }
}

// Issue 19.5: storage kept between records is bounded by max_retained_bytes.
TEST_CASE("webtransport: storage above max_retained_bytes is released after delivery") {
  decode_options opts;
  opts.max_retained_bytes = 1000;
  const std::string small = encode_one(packet_view::binary(byte_view(std::string(900, 's'))));
  const std::string large = encode_one(packet_view::binary(byte_view(std::string(50000, 'l'))));
  g_alloc = {};
  wt::stream_decoder<counted_vector> dec(opts);
  std::size_t got = 0;
  const auto sink = [&](const packet_view& p) { got = p.data.size(); };
  // Straddling: the first chunk ends inside the payload.
  REQUIRE(dec.feed(std::string_view(small).substr(0, 10), sink));
  REQUIRE(dec.feed(std::string_view(small).substr(10), sink));
  CHECK(got == 900);
  CHECK(g_alloc.live > 0);
  CHECK(g_alloc.live <= 1000);  // kept: at most the limit
  REQUIRE(dec.feed(std::string_view(large).substr(0, 10), sink));
  REQUIRE(dec.feed(std::string_view(large).substr(10), sink));
  CHECK(got == 50000);
  CHECK(g_alloc.live == 0);  // released once delivered
}
