// SPDX-License-Identifier: BSL-1.0
// Builders encoded in one pass into a caller buffer (encode_to, encode_frames_to): the bytes match
// the two-pass encode() into a container at every capacity, the header grows when binary values
// turn up, the callbacks run once, and errors keep their precedence over output_too_small.
#include <siocodec/socketio/codec.hpp>
#include <siocodec/socketio/default_parser/encode.hpp>
#include <siocodec/socketio/default_parser/frames.hpp>

#include "support/catch.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using siocodec::byte_view;
using siocodec::errc;
namespace eio = siocodec::engineio;
namespace sio = siocodec::socketio;

namespace {

const unsigned char bytes_a[] = {1, 2, 3};
const unsigned char bytes_b[] = {0xff, 0x00};
const byte_view bin_a(bytes_a, 3);
const byte_view bin_b(bytes_b, 2);
const unsigned char sentinel_bytes[] = {9};
const byte_view sentinel(sentinel_bytes, 1);

eio::transport_options fopts(eio::protocol_version v, eio::transport_kind t, bool copy = false) {
  eio::transport_options o;
  o.version = v;
  o.transport = t;
  o.copy_binary = copy;
  return o;
}

// The frames of a connection allowing 20 attachments, in the protocol of transport `o` (a static
// codec: the builders' callbacks take the default parser's args_writer).
using json_codec = sio::static_codec<sio::parser_kind::json>;
json_codec frames_codec(const eio::transport_options& o) {
  sio::codec_options co;
  co.version = sio::protocol_for(o.version);
  co.encode.max_attachments = 20;
  return json_codec(co);
}

std::vector<eio::transport_options> all_formats() {
  return {fopts(eio::protocol_version::v4, eio::transport_kind::websocket),
          fopts(eio::protocol_version::v3, eio::transport_kind::websocket),
          fopts(eio::protocol_version::v3, eio::transport_kind::websocket, true),
          fopts(eio::protocol_version::v4, eio::transport_kind::polling),
          fopts(eio::protocol_version::v3, eio::transport_kind::polling)};
}

struct frames_seen {
  std::vector<std::string> frames;
  void operator()(const eio::frame& f) {
    frames.push_back(std::string(f.prefix) + std::string(f.data));
  }
};

// `n` binary values (alternating bin_a, bin_b) between strings.
struct many_binaries {
  std::size_t n;
  void operator()(sio::args_writer& w) const {
    for (std::size_t i = 0; i < n; ++i) {
      w.string(i % 2 == 0 ? "a\"b" : "\xc3\xa9");
      w.binary(i % 2 == 0 ? bin_a : bin_b);
    }
  }
};

// Every capacity from 0 to the size and a little more: either output_too_small with nothing past
// cap written, nothing appended to the attachments and their old content kept, or exactly the
// bytes and attachment views encode() gives.
template <class B>
void check_every_cap(const B& b, const sio::encode_options& o) {
  std::string want;
  std::vector<byte_view> want_atts{sentinel};
  const auto ref = sio::encode(b, want, want_atts, o);
  REQUIRE(ref);
  REQUIRE(*ref == want.size());
  const auto size = sio::encoded_size(b, o);
  REQUIRE(size);
  CHECK(*size == want.size());
  for (std::size_t cap = 0; cap <= want.size() + 2; ++cap) {
    std::vector<char> buf(want.size() + 8, '#');
    sio::attachment_list<24> atts;
    atts.resize(1);
    atts.data()[0] = sentinel;
    const auto r = sio::encode_to(buf.data(), cap, b, atts, o);
    for (std::size_t i = cap; i < buf.size(); ++i) REQUIRE(buf[i] == '#');
    if (cap < want.size()) {
      CHECK(r.error() == errc::output_too_small);
      CHECK(r.offset() == cap);
      REQUIRE(atts.size() == 1);
      CHECK(atts[0].data() == sentinel.data());
    } else {
      REQUIRE(r);
      CHECK(*r == want.size());
      CHECK(std::string(buf.data(), *r) == want);
      REQUIRE(atts.size() == want_atts.size());
      for (std::size_t i = 0; i < atts.size(); ++i) {
        CHECK(atts[i].data() == want_atts[i].data());
        CHECK(atts[i].size() == want_atts[i].size());
      }
    }
  }
}

template <class B>
void check_every_frames_cap(const B& b, const eio::transport_options& o) {
  std::string storage;
  std::vector<byte_view> want_atts{sentinel};
  frames_seen want;
  const auto ref = frames_codec(o).encode_frames(b, storage, want_atts, o,
                                                 [&](const eio::frame& f) { want(f); });
  REQUIRE(ref);
  for (std::size_t cap = 0; cap <= *ref + 2; ++cap) {
    std::vector<char> buf(*ref + 8, '#');
    sio::attachment_list<24> atts;
    atts.resize(1);
    atts.data()[0] = sentinel;
    frames_seen got;
    const auto r = frames_codec(o).encode_frames_to(buf.data(), cap, b, atts, o,
                                                    [&](const eio::frame& f) { got(f); });
    for (std::size_t i = cap; i < buf.size(); ++i) REQUIRE(buf[i] == '#');
    if (cap < *ref) {
      CHECK(r.error() == errc::output_too_small);
      CHECK(r.offset() == cap);
      CHECK(got.frames.empty());
      REQUIRE(atts.size() == 1);
      CHECK(atts[0].data() == sentinel.data());
    } else {
      REQUIRE(r);
      CHECK(*r == *ref);
      CHECK(got.frames == want.frames);
      REQUIRE(atts.size() == want_atts.size());
      for (std::size_t i = 0; i < atts.size(); ++i) CHECK(atts[i].data() == want_atts[i].data());
    }
  }
}

}  // namespace

TEST_CASE("sio single pass: encode_to matches encode() at every capacity") {
  sio::encode_options o;
  o.max_attachments = 20;
  check_every_cap(sio::event("chat", "hello", 1.5, -3, true, nullptr), o);
  check_every_cap(sio::event("a\"\\\n\x01\xe2\x82\xac", sio::object("k\t", sio::array(1, "x"))), o);
  check_every_cap(sio::event("bin", bin_a, "x", bin_b).nsp("/admin").id(123456), o);
  check_every_cap(sio::ack(7, bin_a).nsp("/n"), o);
  check_every_cap(sio::ack(0), o);
  check_every_cap(sio::connect("/admin", sio::object("token", "abc")), o);
  check_every_cap(sio::connect_error("no \"way\""), o);
  check_every_cap(sio::disconnect("/x"), o);
  // Objects with short keys, integers, short decimals and nested containers (each value's
  // comma and text fit or do not fit together at some capacity).
  check_every_cap(sio::event("snapshot",
                             sio::object("id", 1234, "name", "player7", "x", -710.086, "y", 0.5,
                                         "hp", 12, "alive", true, "tag", nullptr, "items",
                                         sio::array(495, 29, 7, -100000, 1e21, 0.1 + 0.2)),
                             sio::array(sio::array(), sio::object(), sio::array(sio::object())),
                             false, "", "k\"ey", std::uint64_t{18446744073709551615u}),
                  o);
  // Ten and more binary values: the header grows by three bytes (`510-`).
  check_every_cap(sio::event("m", many_binaries{10}).nsp("/w").id(99), o);
  // More binary values than the one-pass stack holds: collected by a second, writing pass.
  check_every_cap(sio::event("m", many_binaries{17}).id(5), o);
}

TEST_CASE("sio single pass: encode_frames_to matches encode_frames() at every capacity") {
  for (const eio::transport_options& o : all_formats()) {
    check_every_frames_cap(sio::event("chat", "hello", 1.5), o);
    check_every_frames_cap(sio::event("bin", bin_a, "x", bin_b).nsp("/admin").id(12), o);
    check_every_frames_cap(sio::ack(3, bin_b), o);
    check_every_frames_cap(sio::event("m", many_binaries{11}), o);
    check_every_frames_cap(sio::event("m", many_binaries{18}).nsp("/z"), o);
  }
}

TEST_CASE("sio single pass: binary values promote the type and move the JSON right") {
  char buf[1024];
  sio::attachment_list<12> atts;
  // The reference (socket.io-parser 4.2.7) writes `51-/admin,7[...]` for this packet.
  auto r = sio::encode_to(buf, sizeof buf, sio::event("a", "x", bin_a).nsp("/admin").id(7), atts);
  REQUIRE(r);
  CHECK(std::string_view(buf, *r) == R"(51-/admin,7["a","x",{"_placeholder":true,"num":0}])");
  REQUIRE(atts.size() == 1);
  CHECK(atts[0].data() == bin_a.data());

  atts.clear();
  sio::encode_options o;
  o.max_attachments = 12;
  r = sio::encode_to(buf, sizeof buf, sio::ack(4, many_binaries{10}), atts, o);
  REQUIRE(r);
  const std::string_view text(buf, *r);
  CHECK(text.substr(0, 5) == "610-4");
  const std::string_view last = R"(,{"_placeholder":true,"num":9}])";
  REQUIRE(text.size() > last.size());
  CHECK(text.substr(text.size() - last.size()) == last);
  CHECK(atts.size() == 10);

  // Exactly the size: the moved JSON must end at cap.
  std::string want;
  std::vector<byte_view> v;
  REQUIRE(sio::encode(sio::event("a", bin_a, bin_b), want, v));
  std::vector<char> exact(want.size());
  atts.clear();
  r = sio::encode_to(exact.data(), exact.size(), sio::event("a", bin_a, bin_b), atts);
  REQUIRE(r);
  CHECK(std::string(exact.begin(), exact.end()) == want);
  CHECK(want == R"(52-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])");
}

TEST_CASE("sio single pass: callbacks run once into a caller buffer and into a container") {
  int runs = 0;
  const auto cb = [&runs](sio::args_writer& w) {
    ++runs;
    w.string("v");
    w.binary(bin_a);
  };
  char buf[128];
  sio::attachment_list<4> atts;
  REQUIRE(sio::encode_to(buf, sizeof buf, sio::event("e", cb), atts));
  CHECK(runs == 1);
  runs = 0;
  atts.clear();
  // Too small: still one run.
  CHECK(sio::encode_to(buf, 3, sio::event("e", cb), atts).error() == errc::output_too_small);
  CHECK(runs == 1);
  runs = 0;
  std::string s;
  REQUIRE(sio::encode(sio::event("e", cb), s, atts));
  CHECK(runs == 1);
  CHECK(s == R"(51-["e","v",{"_placeholder":true,"num":0}])");
  // A text longer than the one-pass buffer: measured by the first run, written by a second.
  const std::string big(SIOCODEC_ONE_PASS_BUFFER, 'x');
  const auto long_cb = [&runs, &big](sio::args_writer& w) {
    ++runs;
    w.string(big);
  };
  runs = 0;
  s.clear();
  REQUIRE(sio::encode(sio::event("e", long_cb), s));
  CHECK(runs == 2);
  CHECK(s.size() == big.size() + 9);  // 2["e","<big>"]
  runs = 0;
  REQUIRE(sio::encoded_size(sio::event("e", cb)));
  CHECK(runs == 1);
  for (const eio::transport_options& o : all_formats()) {
    runs = 0;
    atts.clear();
    const bool v3_polling =
        o.version == eio::protocol_version::v3 && o.transport == eio::transport_kind::polling;
    REQUIRE(sio::encode_frames_to(buf, sizeof buf, sio::event("e", cb), atts, o,
                                  [](const eio::frame&) {}));
    CHECK(runs == (v3_polling ? 2 : 1));
    runs = 0;
    atts.clear();
    std::string storage;
    REQUIRE(sio::encode_frames(sio::event("e", cb), storage, atts, o, [](const eio::frame&) {}));
    CHECK(runs == 2);
  }
}

TEST_CASE("sio single pass: errors found late still win over output_too_small") {
  char buf[64];
  sio::attachment_list<4> atts;
  atts.resize(1);
  const auto late_bad_utf8 = sio::event("e", "ok", std::string(40, 'x'), "\xc3");
  for (std::size_t cap : {std::size_t{0}, std::size_t{1}, std::size_t{5}, sizeof buf}) {
    CHECK(sio::encode_to(buf, cap, late_bad_utf8, atts).error() == errc::invalid_utf8);
    CHECK(sio::encode_to(buf, cap, sio::event("e", std::string(50, 'y'), bin_a).nsp("bad"), atts)
              .error() == errc::invalid_argument);
    CHECK(sio::encode_to(buf, cap, sio::event("connect", 1), atts).error() ==
          errc::reserved_event_name);
    CHECK(sio::encode_to(buf, cap, sio::event("e", std::string(50, 'y'), bin_a).nsp("/\xff"), atts)
              .error() == errc::invalid_utf8);
    sio::encode_options deep;
    deep.max_depth = 2;  // `[` is depth 1, an array argument depth 2
    CHECK(sio::encode_to(buf, cap, sio::event("e", std::string(50, 'y'), sio::array(sio::array(1))),
                         atts, deep)
              .error() == errc::nesting_too_deep);
    // A binary value where none may go, after the buffer is full.
    CHECK(sio::encode_to(
              buf, cap,
              sio::connect("/",
                           [](sio::args_writer& w) {
                             w.begin_object().key(std::string(70, 'k')).binary(bin_a).end_object();
                           }),
              atts)
              .error() == errc::invalid_argument);
    // Engine.IO v4 polling: a record separator in raw JSON past the end of the buffer.
    frames_seen seen;
    CHECK(sio::encode_frames_to(
              buf, cap, sio::event("e", std::string(60, 'z'), sio::raw_json("\"\x1e\"")), atts,
              fopts(eio::protocol_version::v4, eio::transport_kind::polling),
              [&](const eio::frame& f) { seen(f); })
              .error() == errc::invalid_argument);
    CHECK(seen.frames.empty());
    CHECK(atts.size() == 1);
  }
  // More binary values than the container holds: too_many_attachments when the text fits,
  // output_too_small when it does not (as before: the size is checked first).
  sio::attachment_list<2> two;
  two.resize(1);
  const auto b = sio::event("e", bin_a, bin_b);
  char big[256];
  CHECK(sio::encode_to(big, sizeof big, b, two).error() == errc::too_many_attachments);
  CHECK(sio::encode_to(buf, 4, b, two).error() == errc::output_too_small);
  CHECK(two.size() == 1);
  // More than max_attachments: too_many_attachments whatever the capacity.
  sio::encode_options one;
  one.max_attachments = 1;
  sio::attachment_list<4> four;
  CHECK(sio::encode_to(buf, 2, b, four, one).error() == errc::too_many_attachments);
  CHECK(four.size() == 0);
}
