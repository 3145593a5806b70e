// SPDX-License-Identifier: BSL-1.0
// Hostile sizes (protocol.md §4): 1,000,000 levels of nesting, and 100 MB runs of digits where
// the wire formats put numbers (CVE-2020-36049 sent `99999991:422222...`; CVE-2026-33151
// `599999999999999999999-...`). Every decoder must answer in linear time, without recursion
// (a million stack frames would overflow), and without allocating: the counts below are exact,
// through a malloc hook. Nothing is timed here; a quadratic path would make the test crawl.
#include <siocodec/engineio/handshake.hpp>
#include <siocodec/engineio/payload.hpp>
#include <siocodec/engineio/webtransport.hpp>
#include <siocodec/json/json.hpp>
#include <siocodec/socketio/default_parser/decode.hpp>
#include <siocodec/socketio/default_parser/decoder.hpp>

#include "support/allocations.hpp"
#include "support/catch.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <memory_resource>
#include <string>
#include <string_view>

namespace eio = siocodec::engineio;
namespace wt = siocodec::engineio::webtransport;
namespace sio = siocodec::socketio;
namespace json = siocodec::json;
using siocodec::errc;

namespace {

// A memory resource that counts what it hands out, for the decoders that take one.
class counting_resource final : public std::pmr::memory_resource {
 public:
  std::size_t allocations = 0;
  std::size_t bytes = 0;

 private:
  void* do_allocate(std::size_t n, std::size_t align) override {
    ++allocations;
    bytes += n;
    return std::pmr::new_delete_resource()->allocate(n, align);
  }
  void do_deallocate(void* p, std::size_t n, std::size_t align) override {
    std::pmr::new_delete_resource()->deallocate(p, n, align);
  }
  bool do_is_equal(const std::pmr::memory_resource& o) const noexcept override {
    return this == &o;
  }
};

constexpr std::size_t million = 1000000;
constexpr std::size_t hundred_mb = 100 * million;

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out.append(s);
  return out;
}

}  // namespace

TEST_CASE("a million levels of nesting are refused at the depth limit, without recursion") {
  const std::string arrays = std::string(million, '[') + std::string(million, ']');
  const std::string open_arrays(million, '[');
  const std::string objects = repeat("{\"a\":", million) + "1" + std::string(million, '}');
  json::options deepest;
  deepest.max_depth = std::numeric_limits<std::size_t>::max();  // clamped to max_depth_limit

  siocodec::result<json::kind> r1(errc::none), r2(errc::none), r3(errc::none), r4(errc::none),
      r5(errc::none);
  const std::size_t n = siocodec_test::allocations_during([&] {
    r1 = json::validate(arrays);
    r2 = json::validate(open_arrays);
    r3 = json::validate(objects);
    r4 = json::validate(arrays, deepest);
    r5 = json::validate(objects, deepest);
  });
  CHECK(n == 0);
  CHECK(r1.error() == errc::nesting_too_deep);
  CHECK(r1.offset() == SIOCODEC_DEFAULT_MAX_JSON_DEPTH);
  CHECK(r2.error() == errc::nesting_too_deep);
  CHECK(r2.offset() == SIOCODEC_DEFAULT_MAX_JSON_DEPTH);
  CHECK(r3.error() == errc::nesting_too_deep);
  CHECK(r3.offset() == std::size_t{5} * SIOCODEC_DEFAULT_MAX_JSON_DEPTH);
  CHECK(r4.error() == errc::nesting_too_deep);
  CHECK(r4.offset() == json::max_depth_limit);
  CHECK(r5.error() == errc::nesting_too_deep);
  CHECK(r5.offset() == std::size_t{5} * json::max_depth_limit);
  CHECK(json::parse(arrays).error() == errc::nesting_too_deep);

  // The lazy accessors over the unvalidated text walk it with a counter, not a call per level.
  std::size_t size = 0, elements = 0;
  const std::size_t m = siocodec_test::allocations_during([&] {
    const json::value v = json::value::unchecked(arrays);
    size = v.size();
    for (const json::value& e : v.elements()) elements += e.raw().size();
  });
  CHECK(m == 0);
  CHECK(size == 1);
  CHECK(elements == arrays.size() - 2);

  // Socket.IO payloads, strict and lax, both protocols; the handshake; the reassembler.
  const std::string event = "2" + arrays;
  const std::string connect = "0" + objects;
  for (const auto version : {sio::protocol_version::v5, sio::protocol_version::v4}) {
    for (const bool lax : {false, true}) {
      sio::decode_options o;
      o.version = version;
      o.lax = lax;
      siocodec::result<sio::packet_view> e(errc::none), c(errc::none);
      const std::size_t k = siocodec_test::allocations_during([&] {
        e = sio::decode_header(event, o);
        c = sio::decode_header(connect, o);
      });
      CHECK(k == 0);
      CHECK(e.error() == errc::nesting_too_deep);
      CHECK(e.offset() == 1 + SIOCODEC_DEFAULT_MAX_JSON_DEPTH);
      CHECK(c.error() == errc::nesting_too_deep);
      CHECK(c.offset() == 1 + std::size_t{5} * SIOCODEC_DEFAULT_MAX_JSON_DEPTH);
    }
  }
  const auto h = eio::parse_handshake(objects);
  CHECK(h.error() == errc::nesting_too_deep);
  sio::decode_options big;
  big.max_packet_bytes = std::numeric_limits<std::size_t>::max();
  sio::decoder dec(big, sio::attachment_mode::copy);
  CHECK(dec.feed(event, eio::frame_kind::text).error() == errc::nesting_too_deep);
  CHECK(dec.allocated_bytes() == 0);
}

TEST_CASE("100 MB digit runs decode in linear time without allocating") {
  // One buffer, rewritten for each case: `prefix` + 100,000,000 digits + `suffix`.
  std::string buf;
  const auto make = [&buf](std::string_view prefix, char digit, std::string_view suffix) {
    buf.assign(prefix);
    buf.append(hundred_mb, digit);
    buf.append(suffix);
    return std::string_view(buf);
  };

  SECTION("Socket.IO ack id") {
    const std::string_view text = make("2", '9', "[\"a\"]");
    for (const auto version : {sio::protocol_version::v5, sio::protocol_version::v4}) {
      for (const bool lax : {false, true}) {
        sio::decode_options o;
        o.version = version;
        o.lax = lax;
        siocodec::result<sio::packet_view> r(errc::none);
        CHECK(siocodec_test::allocations_during([&] { r = sio::decode_header(text, o); }) == 0);
        CHECK(r.error() == errc::ack_id_overflow);
        CHECK(r.offset() == 1);
      }
    }
    // The reassembler, its packet limit lifted so that the text reaches decode().
    sio::decode_options o;
    o.max_packet_bytes = std::numeric_limits<std::size_t>::max();
    sio::decoder dec(o);
    siocodec::result<sio::packet_view> r(errc::none);
    CHECK(siocodec_test::allocations_during([&] { r = dec.feed(text, eio::frame_kind::text); }) ==
          0);
    CHECK(r.error() == errc::ack_id_overflow);
    // With the default limit it never gets that far.
    sio::decoder limited;
    CHECK(limited.feed(text, eio::frame_kind::text).error() == errc::packet_too_large);
  }

  SECTION("Socket.IO attachment count") {
    const std::string_view text = make("5", '9', "-[\"a\",{\"_placeholder\":true,\"num\":0}]");
    for (const bool lax : {false, true}) {
      sio::decode_options o;
      o.lax = lax;
      siocodec::result<sio::packet_view> r(errc::none);
      CHECK(siocodec_test::allocations_during([&] { r = sio::decode_header(text, o); }) == 0);
      // Strict mode stops at the first digit that takes the count over max_attachments. Lax
      // mode reads the count as the reference does, Number() of the digits: 10^100000000 is
      // Infinity, which is not an integer, so "Illegal attachments" as in socket.io-parser.
      CHECK(r.error() == (lax ? errc::invalid_attachment_count : errc::too_many_attachments));
      CHECK(r.offset() == 1);
      // Without the '-', the count never ends.
      siocodec::result<sio::packet_view> u(errc::none);
      CHECK(siocodec_test::allocations_during(
                [&] { u = sio::decode_header(text.substr(0, 1 + hundred_mb), o); }) == 0);
      CHECK(u.error() == (lax ? errc::invalid_attachment_count : errc::too_many_attachments));
    }
  }

  SECTION("Socket.IO namespace") {
    const std::string_view text = make("2/", '9', ",[\"a\"]");
    for (const bool lax : {false, true}) {
      sio::decode_options o;
      o.lax = lax;
      siocodec::result<sio::packet_view> r(errc::none);
      CHECK(siocodec_test::allocations_during([&] { r = sio::decode_header(text, o); }) == 0);
      CHECK(r.error() == errc::invalid_namespace);
      CHECK(r.offset() == 1);
    }
  }

  SECTION("JSON number") {
    const std::string_view text = make("2[", '9', "]");
    siocodec::result<sio::packet_view> r(errc::none);
    CHECK(siocodec_test::allocations_during([&] { r = sio::decode_header(text, {}); }) == 0);
    REQUIRE(r.has_value());  // a number is a valid event name
    CHECK(r->data.size() == hundred_mb + 2);
  }

  SECTION("Engine.IO v3 text payload length") {
    const std::string_view body = make("", '9', ":4x");
    eio::decode_options o;
    o.version = eio::protocol_version::v3;
    // The default max_payload refuses the body before reading it.
    CHECK(eio::decode_payload(body, eio::frame_kind::text, o).error() == errc::payload_too_large);
    o.max_payload = std::numeric_limits<std::size_t>::max();
    errc e = errc::none;
    CHECK(siocodec_test::allocations_during([&] {
            auto reader = eio::decode_payload(body, eio::frame_kind::text, o);
            for (const eio::packet_view& p : reader) (void)p;
            e = reader.error();
          }) == 0);
    CHECK((e == errc::payload_too_large || e == errc::invalid_length));
    // The same body in 64 KiB chunks: the length is kept in the decoder's state, not its storage.
    eio::payload_decoder<> dec(eio::frame_kind::text, o);
    errc ce = errc::none;
    CHECK(siocodec_test::allocations_during([&] {
            for (std::size_t at = 0; at < body.size() && ce == errc::none; at += 65536) {
              ce = dec.feed(body.substr(at, 65536), [](const eio::packet_view&) {}).ec;
            }
          }) == 0);
    CHECK(ce == e);
  }

  SECTION("Engine.IO v3 binary payload length") {
    const std::string_view body = make(std::string_view("\x00", 1), '\x09', "\xff\x04x");
    eio::decode_options o;
    o.version = eio::protocol_version::v3;
    o.max_payload = std::numeric_limits<std::size_t>::max();
    errc e = errc::none;
    CHECK(siocodec_test::allocations_during([&] {
            auto reader = eio::decode_payload(body, eio::frame_kind::binary, o);
            for (const eio::packet_view& p : reader) (void)p;
            e = reader.error();
          }) == 0);
    CHECK((e == errc::payload_too_large || e == errc::invalid_length));
  }

  SECTION("WebTransport") {
    // A text record announcing 1 + 100,000,000 bytes: `4` and the digits.
    const std::uint64_t len = 1 + hundred_mb;
    std::string header = "\x7f";
    for (int shift = 56; shift >= 0; shift -= 8) {
      header.push_back(static_cast<char>((len >> shift) & 0xff));
    }
    header.push_back('4');
    const std::string_view stream = make(header, '9', "");
    eio::decode_options o;
    o.max_payload = 2 * hundred_mb;
    std::size_t delivered = 0;
    wt::stream_decoder<> whole(o);
    siocodec::decode_status st;
    CHECK(siocodec_test::allocations_during([&] {
            st = whole.feed(stream, [&](const eio::packet_view& p) { delivered = p.data.size(); });
          }) == 0);
    CHECK(st.ok());
    CHECK(delivered == hundred_mb);
    // In 1 MB chunks the record straddles them: the storage grows with the chunks (doubling,
    // capped by the length), so a few allocations whose sum stays within three times the
    // length, the last one of exactly the length.
    counting_resource mem;
    wt::stream_decoder<std::pmr::string> chunked(o, std::pmr::string(&mem));
    delivered = 0;
    for (std::size_t at = 0; at < stream.size(); at += million) {
      REQUIRE(chunked
                  .feed(stream.substr(at, million),
                        [&](const eio::packet_view& p) { delivered = p.data.size(); })
                  .ok());
    }
    CHECK(delivered == hundred_mb);
    CHECK(mem.allocations <= 9);  // 1 MB, 2, 4, ..., 64 MB, then the 100 MB length
    CHECK(mem.bytes <= 3 * (len + 1));
    // The default limit refuses the record at its header.
    wt::stream_decoder<> limited;
    CHECK(limited.feed(stream, [](const eio::packet_view&) {}).ec == errc::payload_too_large);
    // And a stream that is digits from its first byte: '9' announces a 57-byte text record
    // that does not start with a packet type.
    wt::stream_decoder<> digits(o);
    CHECK(digits.feed(stream.substr(9), [](const eio::packet_view&) {}).ec ==
          errc::unknown_packet_type);
  }
}
