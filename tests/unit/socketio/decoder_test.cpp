// SPDX-License-Identifier: BSL-1.0
// The reassembling Socket.IO decoder: state transitions, both attachment modes, limits, the
// protocol.md §4 CVE inputs, allocation bounds and allocation failure. Reference behaviour quoted
// in comments was observed with socket.io-parser 4.2.7's Decoder (tests/reference can re-run it).
#include <siocodec/base64.hpp>
#include <siocodec/engineio/decode.hpp>
#include <siocodec/socketio/default_parser/args.hpp>
#include <siocodec/socketio/default_parser/decoder.hpp>

#include "support/catch.hpp"
#include "support/hex.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <memory_resource>
#include <new>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sio = siocodec::socketio;
namespace eio = siocodec::engineio;
using eio::frame_kind;
using sio::attachment_mode;
using sio::decoder_state;
using sio::packet_type;
using sio::packet_view;
using siocodec::byte_view;
using siocodec::errc;
using siocodec::result;

namespace {

using pmr_decoder = sio::basic_decoder<std::pmr::polymorphic_allocator<unsigned char>>;

constexpr attachment_mode both_modes[] = {attachment_mode::borrow, attachment_mode::copy};

const char* mode_name(attachment_mode m) { return m == attachment_mode::copy ? "copy" : "borrow"; }

// Counts what the decoder takes from its allocator; can fail the Nth allocation (0-based).
class counting_resource : public std::pmr::memory_resource {
 public:
  std::size_t allocations = 0;  // successful ones
  std::size_t attempts = 0;     // including the failed one
  std::size_t total_bytes = 0;  // sum of all successful allocations
  std::size_t outstanding = 0;  // bytes allocated and not yet freed
  std::size_t peak = 0;         // highest `outstanding`
  std::size_t largest = 0;      // largest single allocation
  std::size_t fail_at = std::numeric_limits<std::size_t>::max();

 private:
  void* do_allocate(std::size_t n, std::size_t align) override {
    if (attempts++ == fail_at) {
#if SIOCODEC_HAS_EXCEPTIONS
      throw std::bad_alloc();
#else
      std::abort();
#endif
    }
    void* p = std::pmr::new_delete_resource()->allocate(n, align);
    ++allocations;
    total_bytes += n;
    outstanding += n;
    if (outstanding > peak) peak = outstanding;
    if (n > largest) largest = n;
    return p;
  }
  void do_deallocate(void* p, std::size_t n, std::size_t align) override {
    outstanding -= n;
    std::pmr::new_delete_resource()->deallocate(p, n, align);
  }
  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override {
    return this == &other;
  }
};

using siocodec_test::hex;

std::string bytes_of(std::initializer_list<int> list) {
  std::string s;
  for (const int b : list) s.push_back(static_cast<char>(static_cast<unsigned char>(b)));
  return s;
}

// One line that says everything about a feed() result, so that two results (or a result and the
// expectation derived from the protocol) compare as strings with a readable diff.
std::string describe(const result<packet_view>& r) {
  if (!r) return std::string(siocodec::to_string(r.error())) + "@" + std::to_string(r.offset());
  const packet_view& p = *r;
  std::string s = "packet@" + std::to_string(r.offset()) +
                  " type=" + std::to_string(static_cast<int>(p.type)) +
                  " nsp=" + std::string(p.nsp);
  if (p.id) s += " id=" + std::to_string(*p.id);
  s += " data=" + std::string(p.data);
  if (p.attachment_count != 0 || p.attachments != nullptr) {
    s += " att=" + std::to_string(p.attachment_count) + ":";
    for (std::size_t i = 0; i < p.attachment_count; ++i) s += (i ? "," : "") + hex(p.attachment(i));
  }
  return s;
}

template <class D>
bool is_clean(const D& d) {
  return d.state() == decoder_state::idle && !d.waiting() && d.attachments_expected() == 0 &&
         d.attachments_received() == 0 && d.pending_bytes() == 0 && d.allocated_bytes() == 0;
}

std::string placeholder(std::size_t n) {
  return "{\"_placeholder\":true,\"num\":" + std::to_string(n) + "}";
}

// The JSON array ["ev", placeholder 0, ..., placeholder n-1].
std::string event_with(std::size_t n, std::string_view name = "\"ev\"") {
  std::string s = "[" + std::string(name);
  for (std::size_t i = 0; i < n; ++i) s += "," + placeholder(i);
  return s + "]";
}

template <class D>
result<packet_view> feed_text(D& d, std::string_view s) {
  return d.feed(s, frame_kind::text);
}
template <class D>
result<packet_view> feed_binary(D& d, std::string_view s) {
  return d.feed(byte_view(s), frame_kind::binary);
}

// A frame plus what feeding it must give.
struct step {
  std::string frame;
  frame_kind kind;
  std::string expect;
};

std::string incomplete(std::size_t size) { return "incomplete@" + std::to_string(size); }

// The description of a packet delivered by the text frame `frame` (offset() == its size).
std::string packet_from(std::string_view frame, std::string_view rest) {
  return "packet@" + std::to_string(frame.size()) + " " + std::string(rest);
}

// Writes the steps of one binary packet: header, then its attachments (each expecting
// incomplete, the last the packet).
void add_binary_packet(std::vector<step>& steps, packet_type type, std::string nsp,
                       std::optional<std::uint64_t> id, const std::vector<std::string>& atts) {
  const std::size_t n = atts.size();
  const std::string data = type == packet_type::binary_event ? event_with(n) : [&] {
    std::string s = "[";
    for (std::size_t i = 0; i < n; ++i) s += (i ? "," : "") + placeholder(n - 1 - i);
    return s + "]";
  }();
  std::string header = std::to_string(static_cast<int>(type)) + std::to_string(n) + "-";
  if (!nsp.empty()) header += nsp + ",";
  if (id) header += std::to_string(*id);
  header += data;
  std::size_t total = header.size();
  for (const auto& a : atts) total += a.size();
  REQUIRE(total <= 1200);  // within the split test's max_packet_bytes
  steps.push_back({header, frame_kind::text, incomplete(header.size())});
  std::string expect = " type=" + std::to_string(static_cast<int>(type)) +
                       " nsp=" + (nsp.empty() ? std::string("/") : nsp);
  if (id) expect += " id=" + std::to_string(*id);
  expect += " data=" + data + " att=" + std::to_string(n) + ":";
  for (std::size_t i = 0; i < n; ++i) expect += (i ? "," : "") + hex(byte_view(atts[i]));
  for (std::size_t i = 0; i < n; ++i) {
    const bool last = i + 1 == n;
    steps.push_back(
        {atts[i], frame_kind::binary,
         last ? "packet@" + std::to_string(atts[i].size()) + expect : incomplete(atts[i].size())});
  }
}

// Feeds every step to a fresh decoder in `mode` and checks each result against its expectation.
// Borrow mode feeds the steps' own strings (alive throughout); copy mode feeds a scratch copy
// that is overwritten before the result is looked at.
void run_steps(const std::vector<step>& steps, const sio::decode_options& opts,
               attachment_mode mode) {
  sio::decoder d(opts, mode);
  std::string scratch;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const step& s = steps[i];
    std::string got;
    if (mode == attachment_mode::copy) {
      scratch = s.frame;
      const auto r = d.feed(std::string_view(scratch), s.kind);
      scratch.assign(scratch.size(), '\x5a');
      scratch = "overwritten";
      got = describe(r);
    } else {
      got = describe(d.feed(std::string_view(s.frame), s.kind));
    }
    INFO(mode_name(mode) << " step " << i << " frame "
                         << (s.kind == frame_kind::text ? s.frame : hex(byte_view(s.frame))));
    CHECK(got == s.expect);
    if (got.rfind("incomplete", 0) != 0) {
      CHECK(d.state() == decoder_state::idle);
    } else {
      CHECK(d.waiting());
    }
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Transitions
// ---------------------------------------------------------------------------------------------

TEST_CASE("idle -> idle: a packet without attachments is delivered at once") {
  for (const auto mode : both_modes) {
    INFO(mode_name(mode));
    sio::decoder d({}, mode);
    CHECK(d.state() == decoder_state::idle);
    CHECK(d.mode() == mode);
    for (const auto& c :
         {std::pair<const char*, const char*>{"2[\"foo\"]", "type=2 nsp=/ data=[\"foo\"]"},
          {"0/admin,{\"sid\":\"x\"}", "type=0 nsp=/admin data={\"sid\":\"x\"}"},
          {"3/admin,13[\"bar\"]", "type=3 nsp=/admin id=13 data=[\"bar\"]"},
          {"1/admin,", "type=1 nsp=/admin data="},
          {"4{\"message\":\"Not authorized\"}",
           "type=4 nsp=/ data={\"message\":\"Not authorized\"}"},
          {"2/,[\"a\"]", "type=2 nsp=/ data=[\"a\"]"},
          {"20[\"a\"]", "type=2 nsp=/ id=0 data=[\"a\"]"}}) {
      CHECK(describe(feed_text(d, c.first)) == packet_from(c.first, c.second));
      CHECK(d.state() == decoder_state::idle);
    }
    const auto r = feed_text(d, "0");
    REQUIRE(r);
    CHECK(r->attachments == nullptr);
    CHECK(r->attachment_count == 0);
    CHECK(d.state() == decoder_state::idle);
    CHECK(d.attachments_expected() == 0);
  }
}

TEST_CASE("idle -> reassembling -> idle: BINARY_EVENT with two attachments") {
  // socket.io-parser 4.2.7 gives {type:2, nsp:"/admin", id:7, data:["ev", <01 02>, <03>]}.
  for (const auto mode : both_modes) {
    INFO(mode_name(mode));
    sio::decoder d({}, mode);
    const std::string header = "52-/admin,7[\"ev\"," + placeholder(0) + "," + placeholder(1) + "]";
    const std::string a0 = bytes_of({1, 2}), a1 = bytes_of({3});
    auto r = feed_text(d, header);
    CHECK(r.error() == errc::incomplete);
    CHECK(r.offset() == header.size());
    CHECK(d.state() == decoder_state::reassembling);
    CHECK(d.waiting());
    CHECK(d.attachments_expected() == 2);
    CHECK(d.attachments_received() == 0);
    CHECK(d.pending_bytes() == header.size());

    r = feed_binary(d, a0);
    CHECK(r.error() == errc::incomplete);
    CHECK(r.offset() == 2);
    CHECK(d.waiting());
    CHECK(d.attachments_received() == 1);
    CHECK(d.pending_bytes() == header.size() + 2);

    r = feed_binary(d, a1);
    REQUIRE(r);
    CHECK(r.offset() == 1);
    CHECK(r->type == packet_type::binary_event);  // 4.x would say EVENT (2)
    CHECK(r->nsp == "/admin");
    CHECK(r->id == 7u);
    CHECK(r->data == header.substr(11));
    CHECK(r->attachment_count == 2);
    REQUIRE(r->attachments != nullptr);
    CHECK(r->attachments[0] == byte_view(a0));
    CHECK(r->attachments[1] == byte_view(a1));
    CHECK(r->attachment(2).empty());
    CHECK(d.state() == decoder_state::idle);
    CHECK(d.attachments_expected() == 0);
    CHECK(d.attachments_received() == 0);
    CHECK(d.pending_bytes() == 0);

    // and the next packet starts from idle
    CHECK(describe(feed_text(d, "2[1]")) == "packet@4 type=2 nsp=/ data=[1]");
  }
}

TEST_CASE("BINARY_ACK keeps its type; placeholders may come in any order") {
  // 4.2.7: {type:3, nsp:"/admin", id:7, data:[<02>, <01>]} for the same frames.
  for (const auto mode : both_modes) {
    INFO(mode_name(mode));
    sio::decoder d({}, mode);
    const std::string header = "62-/admin,7[" + placeholder(1) + "," + placeholder(0) + "]";
    REQUIRE(feed_text(d, header).error() == errc::incomplete);
    const std::string a0 = bytes_of({1}), a1 = bytes_of({2});  // alive for borrow mode
    REQUIRE(feed_binary(d, a0).error() == errc::incomplete);
    CHECK(describe(feed_binary(d, a1)) == "packet@1 type=6 nsp=/admin id=7 data=[" +
                                              placeholder(1) + "," + placeholder(0) +
                                              "] att=2:01,02");
  }
}

TEST_CASE("an empty binary frame is a valid (empty) attachment") {
  // 4.2.7: {type:2, nsp:"/", data:["a", <empty buffer>]}.
  for (const auto mode : both_modes) {
    INFO(mode_name(mode));
    sio::decoder d({}, mode);
    const std::string header = "51-[\"a\"," + placeholder(0) + "]";
    REQUIRE(feed_text(d, header).error() == errc::incomplete);
    const auto r = feed_binary(d, "");
    REQUIRE(r);
    CHECK(r->attachment_count == 1);
    CHECK(r->attachments[0].empty());
    CHECK(r.offset() == 0);
  }
}

TEST_CASE("reassembling + text -> idle with unexpected_text_frame") {
  for (const auto mode : both_modes) {
    INFO(mode_name(mode));
    counting_resource res;
    pmr_decoder d({}, mode, &res);
    const std::string header = "52-[\"a\"," + placeholder(0) + "," + placeholder(1) + "]";
    REQUIRE(feed_text(d, header).error() == errc::incomplete);
    REQUIRE(feed_binary(d, bytes_of({1})).error() == errc::incomplete);
    const auto r = feed_text(d, "2[\"x\"]");
    CHECK(describe(r) == "unexpected_text_frame@0");
    CHECK(is_clean(d));
    CHECK(res.outstanding == 0);
    // The text that caused the error was not decoded, and the dropped packet's last attachment
    // now finds an idle decoder.
    CHECK(describe(feed_binary(d, bytes_of({2}))) == "unexpected_binary_frame@0");
    CHECK(is_clean(d));
    // Deliberate difference: 4.2.7 stays armed and rejects every later text frame with "got
    // plaintext data when reconstructing a packet"; this decoder decodes the next one.
    CHECK(describe(feed_text(d, "2[\"y\"]")) == "packet@6 type=2 nsp=/ data=[\"y\"]");
  }
}

TEST_CASE("idle + binary -> idle with unexpected_binary_frame") {
  // 4.2.7: "got binary data when not reconstructing a packet", then decodes 2["x"] normally.
  for (const auto mode : both_modes) {
    INFO(mode_name(mode));
    sio::decoder d({}, mode);
    CHECK(describe(feed_binary(d, bytes_of({1}))) == "unexpected_binary_frame@0");
    CHECK(is_clean(d));
    CHECK(describe(feed_binary(d, "")) == "unexpected_binary_frame@0");
    CHECK(is_clean(d));
    // after a delivered packet too
    REQUIRE(feed_text(d, "2[\"x\"]"));
    CHECK(describe(feed_binary(d, bytes_of({1}))) == "unexpected_binary_frame@0");
    const std::string header = "51-[\"x\"," + placeholder(0) + "]";
    REQUIRE(feed_text(d, header).error() == errc::incomplete);
    REQUIRE(feed_binary(d, bytes_of({9})));
    CHECK(describe(feed_binary(d, bytes_of({1}))) == "unexpected_binary_frame@0");
    CHECK(is_clean(d));
    CHECK(describe(feed_text(d, "2[\"x\"]")) == "packet@6 type=2 nsp=/ data=[\"x\"]");
  }
}

TEST_CASE("idle + text that does not decode -> idle with decode()'s error and offset") {
  for (const auto mode : both_modes) {
    INFO(mode_name(mode));
    sio::decoder d({}, mode);
    CHECK(describe(feed_text(d, "7")) == "unknown_packet_type@0");
    CHECK(is_clean(d));
    CHECK(describe(feed_text(d, "")) == "unknown_packet_type@0");
    CHECK(describe(feed_text(d, "2[\"a\"")) == "invalid_json@5");
    CHECK(describe(feed_text(d, "2[\"connect\"]")) == "reserved_event_name@2");
    CHECK(describe(feed_text(d, "5a-[\"a\"]")) == "invalid_attachment_count@1");
    CHECK(describe(feed_text(d, "511-[\"a\"]")) == "too_many_attachments@1");  // default limit 10
    CHECK(is_clean(d));
    // the options reach decode(): v4 has no reserved names
    sio::decode_options v4;
    v4.version = sio::protocol_version::v4;
    sio::decoder d4(v4, mode);
    CHECK(describe(feed_text(d4, "2[\"connect\"]")) == "packet@12 type=2 nsp=/ data=[\"connect\"]");
  }
}

TEST_CASE("a binary header without data: refused strictly, waits for its attachment when lax") {
  // 4.2.7 accepts `51-` and, after one buffer, emits {type:2, nsp:"/"} with no data.
  for (const auto mode : both_modes) {
    INFO(mode_name(mode));
    sio::decoder strict({}, mode);
    CHECK(describe(feed_text(strict, "51-")) == "invalid_placeholder@3");
    CHECK(is_clean(strict));
    sio::decode_options opts;
    opts.lax = true;
    sio::decoder lax(opts, mode);
    REQUIRE(feed_text(lax, "51-").error() == errc::incomplete);
    CHECK(describe(feed_binary(lax, bytes_of({9}))) == "packet@1 type=5 nsp=/ data= att=1:09");
  }
}

TEST_CASE("a frame kind that is neither text nor binary is invalid_argument") {
  for (const auto mode : both_modes) {
    sio::decoder d({}, mode);
    REQUIRE(feed_text(d, "51-[\"a\"," + placeholder(0) + "]").error() == errc::incomplete);
    CHECK(describe(d.feed(std::string_view("x"), static_cast<frame_kind>(7))) ==
          "invalid_argument@0");
    CHECK(is_clean(d));
    CHECK(describe(d.feed(byte_view(std::string_view("x")), static_cast<frame_kind>(7))) ==
          "invalid_argument@0");
  }
}

// ---------------------------------------------------------------------------------------------
// reset(), move
// ---------------------------------------------------------------------------------------------

TEST_CASE("reset() mid-packet drops it; a fresh packet then works") {
  for (const auto mode : both_modes) {
    INFO(mode_name(mode));
    counting_resource res;
    sio::decode_options opts;
    opts.max_attachments = 40;
    pmr_decoder d(opts, mode, &res);
    // enough attachments that the list spills to the allocator in both modes
    REQUIRE(feed_text(d, "540-" + event_with(40)).error() == errc::incomplete);
    for (int i = 0; i < 20; ++i) REQUIRE(feed_binary(d, "abc").error() == errc::incomplete);
    CHECK(d.allocated_bytes() > 0);
    CHECK(res.outstanding > 0);
    d.reset();
    CHECK(is_clean(d));
    CHECK(res.outstanding == 0);
    CHECK(describe(feed_binary(d, "abc")) == "unexpected_binary_frame@0");
    const std::string fresh = "51-/n,3" + event_with(1);
    REQUIRE(feed_text(d, fresh).error() == errc::incomplete);
    CHECK(describe(feed_binary(d, "z")) ==
          "packet@1 type=5 nsp=/n id=3 data=" + event_with(1) + " att=1:7a");
    d.reset();
    CHECK(is_clean(d));
    d.reset();  // idempotent
    CHECK(is_clean(d));
  }
}

TEST_CASE("a decoder moved mid-packet carries on; the source is left idle and empty") {
  for (const auto mode : both_modes) {
    INFO(mode_name(mode));
    sio::decode_options opts;
    opts.max_attachments = 20;
    std::vector<std::string> frames;  // kept alive for borrow mode
    frames.push_back("520-/m," + event_with(20));
    for (int i = 0; i < 20; ++i) frames.push_back(std::string(1, static_cast<char>('a' + i)));
    sio::decoder a(opts, mode);
    REQUIRE(feed_text(a, frames[0]).error() == errc::incomplete);
    for (int i = 1; i <= 18; ++i)
      REQUIRE(feed_binary(a, frames[static_cast<std::size_t>(i)]).error() == errc::incomplete);
    sio::decoder b(std::move(a));
    CHECK(is_clean(a));  // NOLINT(bugprone-use-after-move): documented state
    CHECK(b.attachments_received() == 18);
    REQUIRE(feed_binary(b, frames[19]).error() == errc::incomplete);
    sio::decoder c;
    c = std::move(b);
    CHECK(is_clean(b));  // NOLINT(bugprone-use-after-move)
    CHECK(c.mode() == mode);
    CHECK(c.options().max_attachments == 20);
    const auto r = feed_binary(c, frames[20]);
    REQUIRE(r);
    CHECK(r->nsp == "/m");
    CHECK(r->attachment_count == 20);
    for (std::size_t i = 0; i < 20; ++i) CHECK(r->attachment(i) == byte_view(frames[i + 1]));
  }
}

// ---------------------------------------------------------------------------------------------
// Borrow vs copy
// ---------------------------------------------------------------------------------------------

TEST_CASE("borrow mode is zero-copy: the views are the caller's frames") {
  const std::string header = "52-/admin,7[\"ev\"," + placeholder(0) + "," + placeholder(1) + "]";
  const std::string a0 = "first", a1 = "second";
  sio::decoder d;
  CHECK(d.mode() == attachment_mode::borrow);
  REQUIRE(feed_text(d, header).error() == errc::incomplete);
  REQUIRE(feed_binary(d, a0).error() == errc::incomplete);
  const auto r = feed_binary(d, a1);
  REQUIRE(r);
  CHECK(r->nsp.data() == header.data() + 3);
  CHECK(r->data.data() == header.data() + 11);
  CHECK(static_cast<const void*>(r->attachments[0].data()) == static_cast<const void*>(a0.data()));
  CHECK(static_cast<const void*>(r->attachments[1].data()) == static_cast<const void*>(a1.data()));
  CHECK(r->attachments[0].size() == a0.size());

  const std::string text = "2/chat,[\"m\"]";
  const auto t = feed_text(d, text);
  REQUIRE(t);
  CHECK(t->nsp.data() == text.data() + 1);
  CHECK(t->data.data() == text.data() + 7);
}

TEST_CASE("borrow mode allocates nothing up to inline_attachments attachments") {
  static_assert(sio::decoder::inline_attachments == 16, "the documented inline capacity");
  for (const std::size_t n : {std::size_t{1}, std::size_t{10}, std::size_t{16}}) {
    INFO(n);
    counting_resource res;
    sio::decode_options opts;
    opts.max_attachments = 16;
    pmr_decoder d(n <= 10 ? sio::decode_options() : opts, attachment_mode::borrow, &res);
    const std::string header = "5" + std::to_string(n) + "-" + event_with(n);
    std::vector<std::string> atts(n, std::string(1000, 'x'));
    REQUIRE(feed_text(d, header).error() == errc::incomplete);
    for (std::size_t i = 0; i + 1 < n; ++i)
      REQUIRE(feed_binary(d, atts[i]).error() == errc::incomplete);
    const auto r = feed_binary(d, atts[n - 1]);
    REQUIRE(r);
    for (std::size_t i = 0; i < n; ++i)
      CHECK(r->attachments[i].data() == byte_view(atts[i]).data());
    CHECK(res.attempts == 0);
    CHECK(d.allocated_bytes() == 0);
  }
  SECTION("the 17th attachment moves the list to the allocator") {
    counting_resource res;
    sio::decode_options opts;
    opts.max_attachments = 17;
    pmr_decoder d(opts, attachment_mode::borrow, &res);
    const std::string header = "517-" + event_with(17);
    REQUIRE(feed_text(d, header).error() == errc::incomplete);
    std::vector<std::string> atts;
    for (int i = 0; i < 17; ++i) atts.push_back(std::string(1, static_cast<char>(i)));
    for (int i = 0; i < 16; ++i)
      REQUIRE(feed_binary(d, atts[static_cast<std::size_t>(i)]).error() == errc::incomplete);
    CHECK(res.attempts == 0);
    const auto r = feed_binary(d, atts[16]);
    REQUIRE(r);
    CHECK(res.allocations == 1);
    CHECK(res.largest == 17 * sizeof(byte_view));  // grows to the count at most
    for (std::size_t i = 0; i < 17; ++i)
      CHECK(r->attachments[i].data() == byte_view(atts[i]).data());
  }
}

TEST_CASE("copy mode survives the caller overwriting and freeing its frames") {
  counting_resource res;
  sio::decode_options opts;
  opts.max_attachments = 30;
  pmr_decoder d(opts, attachment_mode::copy, &res);
  const std::string header = "630-/admin,99" + [] {
    std::string s = "[";
    for (std::size_t i = 0; i < 30; ++i) s += (i ? "," : "") + placeholder(i);
    return s + "]";
  }();
  {
    std::string frame = header;
    REQUIRE(feed_text(d, frame).error() == errc::incomplete);
    frame.assign(frame.size(), '#');
  }
  std::string expected_att;
  for (int i = 0; i < 30; ++i) {
    auto frame =
        std::make_unique<std::string>(static_cast<std::size_t>(i * 7), static_cast<char>('A' + i));
    const auto r = feed_binary(d, *frame);
    frame->assign(frame->size(), '#');
    frame.reset();
    expected_att +=
        (i ? "," : "") +
        hex(byte_view(std::string(static_cast<std::size_t>(i * 7), static_cast<char>('A' + i))));
    if (i < 29) {
      REQUIRE(r.error() == errc::incomplete);
      continue;
    }
    REQUIRE(r);
    CHECK(describe(r) == "packet@203 type=6 nsp=/admin id=99 data=" + header.substr(13) +
                             " att=30:" + expected_att);
  }
  // A text packet in copy mode is copied too.
  std::string text = "2/chat,5[\"m\"]";
  const auto t = feed_text(d, text);
  text.assign(text.size(), '#');
  CHECK(describe(t) == "packet@13 type=2 nsp=/chat id=5 data=[\"m\"]");
  // The storage is reused across packets and released by reset().
  CHECK(d.allocated_bytes() > 0);
  d.reset();
  CHECK(res.outstanding == 0);
}

TEST_CASE("the noted event name follows the packet into copy mode's storage") {
  for (const attachment_mode mode : {attachment_mode::borrow, attachment_mode::copy}) {
    CAPTURE(mode == attachment_mode::copy);
    sio::decoder d(sio::decode_options(), mode);
    std::string header = R"(51-/x,["shot",{"_placeholder":true,"num":0}])";
    REQUIRE(feed_text(d, header).error() == errc::incomplete);
    if (mode == attachment_mode::copy) header.assign(header.size(), '#');
    const std::string bytes = "abc";
    const auto r = feed_binary(d, bytes);
    REQUIRE(r);
    CHECK(r->event_raw == R"("shot")");
    CHECK(sio::event_name(*r).string_equals("shot"));
    CHECK(r->event_raw.data() > r->data.data());
    CHECK(r->event_raw.data() < r->data.data() + r->data.size());
    std::string text = R"(2["chat",1])";
    const auto t = feed_text(d, text);
    if (mode == attachment_mode::copy) text.assign(text.size(), '#');
    REQUIRE(t);
    CHECK(t->event_raw == R"("chat")");
    CHECK(t->event_raw.data() > t->data.data());
    CHECK(t->event_raw.data() < t->data.data() + t->data.size());
  }
}

TEST_CASE("split test: the same sequences give the same packets in both modes") {
  sio::decode_options opts;
  opts.max_attachments = 24;
  opts.max_attachment_bytes = 100;
  opts.max_packet_bytes = 1200;
  std::mt19937 rng(20260717);
  const auto pick = [&rng](std::size_t n) {
    return static_cast<std::size_t>(std::uniform_int_distribution<std::size_t>(0, n - 1)(rng));
  };
  const auto random_bytes = [&](std::size_t max_len) {
    std::string s(pick(max_len + 1), '\0');
    for (char& c : s) c = static_cast<char>(pick(256));
    return s;
  };
  struct text_case {
    const char* frame;
    const char* expect;
  };
  const text_case plain[] = {
      {"0", "type=0 nsp=/ data="},
      {"0/admin,{\"token\":1}", "type=0 nsp=/admin data={\"token\":1}"},
      {"2[\"ev\",1,{\"a\":[2]}]", "type=2 nsp=/ data=[\"ev\",1,{\"a\":[2]}]"},
      {"2/chat,12[\"m\"]", "type=2 nsp=/chat id=12 data=[\"m\"]"},
      {"3/x,5[]", "type=3 nsp=/x id=5 data=[]"},
      {"4{\"message\":\"no\"}", "type=4 nsp=/ data={\"message\":\"no\"}"},
      {"1/admin,", "type=1 nsp=/admin data="},
      {"2[\"a\",{\"_placeholder\":true,\"num\":0}]",  // plain data outside binary packets
       "type=2 nsp=/ data=[\"a\",{\"_placeholder\":true,\"num\":0}]"},
  };
  const char* const nsps[] = {"", "/admin", "/a/b?x=1"};
  std::size_t packets = 0, errors = 0;
  for (int round = 0; round < 150; ++round) {
    std::vector<step> steps;
    const std::size_t count = 1 + pick(12);
    for (std::size_t k = 0; k < count; ++k) {
      switch (pick(8)) {
        case 0:
        case 1: {
          const text_case& c = plain[pick(sizeof plain / sizeof plain[0])];
          steps.push_back({c.frame, frame_kind::text, packet_from(c.frame, c.expect)});
          break;
        }
        case 2:
        case 3: {  // a complete binary packet, 1 to 24 attachments (inline and spilled lists)
          std::vector<std::string> atts(1 + pick(24));
          for (auto& a : atts) a = random_bytes(15);
          std::optional<std::uint64_t> id;
          if (pick(2)) id = pick(1000);
          add_binary_packet(steps, pick(2) ? packet_type::binary_event : packet_type::binary_ack,
                            nsps[pick(3)], id, atts);
          break;
        }
        case 4: {  // interrupted by a text frame; the rest of its attachments are then stray
          std::vector<std::string> atts(2 + pick(20));
          for (auto& a : atts) a = random_bytes(15);
          std::vector<step> full;
          add_binary_packet(full, packet_type::binary_event, nsps[pick(3)], std::nullopt, atts);
          const std::size_t cut = 1 + pick(atts.size());  // header + 0..n-1 attachments
          for (std::size_t i = 0; i < cut; ++i) steps.push_back(full[i]);
          steps.push_back({"2[\"x\"]", frame_kind::text, "unexpected_text_frame@0"});
          for (std::size_t i = cut; i < full.size() && i < cut + 2; ++i) {
            steps.push_back({full[i].frame, frame_kind::binary, "unexpected_binary_frame@0"});
          }
          break;
        }
        case 5: {  // a stray binary frame
          steps.push_back({random_bytes(10), frame_kind::binary, "unexpected_binary_frame@0"});
          break;
        }
        case 6: {  // a header refused by decode(), then its attachment
          const std::size_t which = pick(3);
          const std::string h = which == 0   ? "51-[\"a\"," + placeholder(1) + "]"
                                : which == 1 ? "50-[\"a\"]"
                                             : "525-" + event_with(25);
          const char* e = which == 0   ? "invalid_placeholder@8"
                          : which == 1 ? "invalid_attachment_count@1"
                                       : "too_many_attachments@1";
          steps.push_back({h, frame_kind::text, e});
          steps.push_back({"\x01", frame_kind::binary, "unexpected_binary_frame@0"});
          break;
        }
        case 7: {  // a size limit: one attachment too large, or the packet too large
          if (pick(2)) {
            const std::string h = "52-" + event_with(2);
            steps.push_back({h, frame_kind::text, incomplete(h.size())});
            steps.push_back(
                {std::string(101, 'x'), frame_kind::binary, "attachment_too_large@100"});
          } else {
            const std::string h = "524-" + event_with(24);  // 724 bytes
            steps.push_back({h, frame_kind::text, incomplete(h.size())});
            std::size_t total = h.size();
            for (;;) {
              const std::string a(100, 'y');
              if (total + a.size() > 1200) {
                steps.push_back(
                    {a, frame_kind::binary, "packet_too_large@" + std::to_string(1200 - total)});
                break;
              }
              total += a.size();
              steps.push_back({a, frame_kind::binary, incomplete(a.size())});
            }
          }
          steps.push_back({"z", frame_kind::binary, "unexpected_binary_frame@0"});
          break;
        }
      }
    }
    for (const step& s : steps) {
      if (s.expect.rfind("packet", 0) == 0) ++packets;
      if (s.expect.find('@') != std::string::npos && s.expect.rfind("packet", 0) != 0 &&
          s.expect.rfind("incomplete", 0) != 0) {
        ++errors;
      }
    }
    INFO("round " << round);
    run_steps(steps, opts, attachment_mode::borrow);
    run_steps(steps, opts, attachment_mode::copy);
  }
  CHECK(packets > 300);
  CHECK(errors > 300);
}

TEST_CASE("split test: borrow and copy agree on every prefix of a mixed sequence") {
  // One long fixed sequence, fed to two decoders side by side; each result compared directly.
  std::vector<std::pair<std::string, frame_kind>> frames;
  const auto text = [&](std::string s) { frames.emplace_back(std::move(s), frame_kind::text); };
  const auto bin = [&](std::string s) { frames.emplace_back(std::move(s), frame_kind::binary); };
  text("2[\"a\"]");
  text("53-/x,1" + event_with(3));
  bin("one");
  bin("");
  bin("three");
  bin("stray");
  text("61-[" + placeholder(0) + "]");
  text("interrupting");
  bin("late");
  text("50-[\"a\"]");
  bin("after zero");
  text("51-[\"a\",{\"_placeholder\":true,\"num\":\"splice\"}]");
  bin("splice");
  text("0/admin,{}");
  text("51-" + event_with(1));
  bin(std::string(1, '\0'));
  sio::decoder borrow({}, attachment_mode::borrow);
  sio::decoder copy({}, attachment_mode::copy);
  std::size_t delivered = 0;
  for (const auto& f : frames) {
    std::string scratch = f.first;
    const auto rb = borrow.feed(std::string_view(f.first), f.second);
    const auto rc = copy.feed(std::string_view(scratch), f.second);
    scratch.assign(scratch.size(), '!');
    INFO(f.first);
    CHECK(describe(rb) == describe(rc));
    CHECK(borrow.state() == copy.state());
    CHECK(borrow.attachments_received() == copy.attachments_received());
    if (rb) ++delivered;
  }
  CHECK(delivered == 4);
}

// ---------------------------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------------------------

TEST_CASE("max_attachment_bytes: ok at the limit, attachment_too_large one byte above") {
  for (const auto mode : both_modes) {
    INFO(mode_name(mode));
    sio::decode_options opts;
    opts.max_attachment_bytes = 64;
    sio::decoder d(opts, mode);
    const std::string header = "52-" + event_with(2);
    const std::string at_max(64, 'a'), over(65, 'b');
    REQUIRE(feed_text(d, header).error() == errc::incomplete);
    REQUIRE(feed_binary(d, at_max).error() == errc::incomplete);
    const auto r = feed_binary(d, at_max);
    REQUIRE(r);
    CHECK(r->attachments[1].size() == 64);

    REQUIRE(feed_text(d, header).error() == errc::incomplete);
    REQUIRE(feed_binary(d, at_max).error() == errc::incomplete);
    CHECK(describe(feed_binary(d, over)) == "attachment_too_large@64");
    CHECK(is_clean(d));
    REQUIRE(feed_text(d, header).error() == errc::incomplete);
    CHECK(describe(feed_binary(d, over)) == "attachment_too_large@64");
    CHECK(is_clean(d));
    CHECK(describe(feed_binary(d, at_max)) == "unexpected_binary_frame@0");
  }
}

TEST_CASE("max_packet_bytes: header plus attachments, exact limit accepted") {
  for (const auto mode : both_modes) {
    INFO(mode_name(mode));
    const std::string header = "53-" + event_with(3);
    sio::decode_options opts;
    opts.max_packet_bytes = header.size() + 30;
    sio::decoder d(opts, mode);
    const std::string ten(10, 'x');
    REQUIRE(feed_text(d, header).error() == errc::incomplete);
    REQUIRE(feed_binary(d, ten).error() == errc::incomplete);
    REQUIRE(feed_binary(d, ten).error() == errc::incomplete);
    CHECK(d.pending_bytes() == header.size() + 20);
    REQUIRE(feed_binary(d, ten));  // exactly max_packet_bytes

    REQUIRE(feed_text(d, header).error() == errc::incomplete);
    REQUIRE(feed_binary(d, ten).error() == errc::incomplete);
    REQUIRE(feed_binary(d, ten).error() == errc::incomplete);
    // 11 bytes: the 11th is the first over the limit
    CHECK(describe(feed_binary(d, std::string(11, 'y'))) == "packet_too_large@10");
    CHECK(is_clean(d));

    REQUIRE(feed_text(d, header).error() == errc::incomplete);
    CHECK(describe(feed_binary(d, std::string(31, 'y'))) == "packet_too_large@30");
    CHECK(is_clean(d));
  }
}

TEST_CASE("max_packet_bytes bounds a text frame before it is decoded") {
  for (const auto mode : both_modes) {
    INFO(mode_name(mode));
    counting_resource res;
    sio::decode_options opts;
    opts.max_packet_bytes = 10;
    pmr_decoder d(opts, mode, &res);
    CHECK(describe(feed_text(d, "2[\"abcde\"]")) == "packet@10 type=2 nsp=/ data=[\"abcde\"]");
    CHECK(describe(feed_text(d, "2[\"abcdef\"]")) == "packet_too_large@10");
    // not decoded: the broken JSON is not what is reported
    CHECK(describe(feed_text(d, "2[\"abcdefg\"")) == "packet_too_large@10");
    CHECK(is_clean(d));
    CHECK(res.outstanding == 0);
  }
}

TEST_CASE("1,000 attachments announced, 3 sent: storage holds only what arrived") {
  sio::decode_options opts;
  opts.max_attachments = 1000;
  const std::string header = "51000-" + event_with(1000);
  const std::string att(10, 'q');
  SECTION("borrow: no allocation at all") {
    counting_resource res;
    pmr_decoder d(opts, attachment_mode::borrow, &res);
    REQUIRE(feed_text(d, header).error() == errc::incomplete);
    for (int i = 0; i < 3; ++i) REQUIRE(feed_binary(d, att).error() == errc::incomplete);
    CHECK(d.attachments_expected() == 1000);
    CHECK(d.attachments_received() == 3);
    CHECK(res.attempts == 0);
    // 4.2.7 keeps waiting too (armed); the connection's own timeouts end this.
  }
  SECTION("copy: the buffer never exceeds twice the bytes received") {
    counting_resource res;
    pmr_decoder d(opts, attachment_mode::copy, &res);
    REQUIRE(feed_text(d, header).error() == errc::incomplete);
    for (int i = 0; i < 3; ++i) REQUIRE(feed_binary(d, att).error() == errc::incomplete);
    const std::size_t arrived = header.size() + 30;
    // One buffer, grown geometrically from the header's size: its capacity stays within twice
    // the bytes received (the old block is freed right after each growth), and no attachment
    // list was allocated.
    CHECK(d.allocated_bytes() <= 2 * arrived);
    CHECK(d.allocated_bytes() == res.outstanding);
    CHECK(res.largest <= 2 * arrived);
    CHECK(res.allocations <= 2);
  }
  SECTION("100 sent: the attachment list grows with them, not to the count") {
    for (const auto mode : both_modes) {
      INFO(mode_name(mode));
      counting_resource res;
      pmr_decoder d(opts, mode, &res);
      REQUIRE(feed_text(d, header).error() == errc::incomplete);
      for (int i = 0; i < 100; ++i) REQUIRE(feed_binary(d, "x").error() == errc::incomplete);
      const std::size_t list_bound = 2 * 100 * sizeof(byte_view);
      const std::size_t bytes_bound = mode == attachment_mode::copy ? 2 * (header.size() + 100) : 0;
      CHECK(res.outstanding <= list_bound + bytes_bound);
      CHECK(d.allocated_bytes() == res.outstanding);
      if (mode == attachment_mode::borrow) {
        CHECK(res.largest <= list_bound);  // every allocation is the list
        CHECK(res.largest < 1000 * sizeof(byte_view) / 4);
      }
      d.reset();
      CHECK(res.outstanding == 0);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// protocol.md §4
// ---------------------------------------------------------------------------------------------

TEST_CASE("CVE-2026-69185: zero attachments never arm the decoder") {
  // <= 4.2.6 emitted `50-["a"]` at once and left the reconstructor armed, buffering every later
  // binary frame forever. 4.2.7 and this decoder: Illegal attachments, then "got binary data
  // when not reconstructing a packet" for each following frame.
  for (const auto mode : both_modes) {
    INFO(mode_name(mode));
    counting_resource res;
    pmr_decoder d({}, mode, &res);
    for (const char* header : {"50-[\"a\"]", "5-[\"a\"]", "60-[]", "500-[\"a\"]"}) {
      INFO(header);
      CHECK(feed_text(d, header).error() == errc::invalid_attachment_count);
      CHECK(is_clean(d));
      for (int i = 0; i < 100; ++i) {
        CHECK(describe(feed_binary(d, std::string(1000, 'x'))) == "unexpected_binary_frame@0");
      }
      CHECK(is_clean(d));
    }
    CHECK(res.attempts == 0);
    // lax mode reads the count with JS Number() semantics: "" and "0x0" are 0, still refused
    sio::decode_options lax;
    lax.lax = true;
    pmr_decoder l(lax, mode, &res);
    for (const char* header : {"5-[\"a\"]", "50x0-[\"a\"]", "5 0-[\"a\"]"}) {
      INFO(header);
      CHECK(feed_text(l, header).error() == errc::invalid_attachment_count);
      CHECK(describe(feed_binary(l, "x")) == "unexpected_binary_frame@0");
      CHECK(is_clean(l));
    }
  }
}

TEST_CASE("CVE-2026-33151: a huge attachment count is refused before anything is buffered") {
  for (const auto mode : both_modes) {
    INFO(mode_name(mode));
    counting_resource res;
    pmr_decoder d({}, mode, &res);
    CHECK(describe(feed_text(d, "599999999999999999999-[\"a\"]")) == "too_many_attachments@1");
    CHECK(describe(feed_text(d, "511-" + event_with(11))) == "too_many_attachments@1");
    CHECK(is_clean(d));
    for (int i = 0; i < 1000; ++i) {
      CHECK(feed_binary(d, "chunk").error() == errc::unexpected_binary_frame);
    }
    CHECK(res.attempts == 0);
    // the default limit is the reference's maxAttachments, 10
    const std::string ten = "510-" + event_with(10);
    REQUIRE(feed_text(d, ten).error() == errc::incomplete);
    for (int i = 0; i < 9; ++i) REQUIRE(feed_binary(d, "a").error() == errc::incomplete);
    CHECK(feed_binary(d, "a"));
  }
}

TEST_CASE("CVE-2022-2421: placeholders that are not indexes are refused with the header") {
  // 4.2.1+ throws "illegal attachments" only when the last buffer arrives; here the header is
  // refused and nothing is buffered.
  for (const auto mode : both_modes) {
    INFO(mode_name(mode));
    counting_resource res;
    pmr_decoder d({}, mode, &res);
    for (const char* header : {"51-[\"hello\",{\"_placeholder\":true,\"num\":\"splice\"}]",
                               "51-[\"hello\",{\"_placeholder\":true,\"num\":10}]",
                               "51-[\"hello\",{\"_placeholder\":true,\"num\":-1}]",
                               "51-[\"hello\",{\"_placeholder\":true,\"num\":0.5}]",
                               "51-[\"hello\",{\"_placeholder\":true,\"num\":\"__proto__\"}]"}) {
      INFO(header);
      const std::size_t before = res.attempts;
      CHECK(feed_text(d, header).error() == errc::invalid_placeholder);
      CHECK(is_clean(d));
      CHECK(describe(feed_binary(d, bytes_of({1, 2}))) == "unexpected_binary_frame@0");
      CHECK(res.attempts == before);  // nothing was buffered
      // text while reconstructing was the fix's other half: here nothing is pending at all
      CHECK(describe(feed_text(d, "2[\"next\"]")) == "packet@9 type=2 nsp=/ data=[\"next\"]");
    }
  }
}

TEST_CASE("CVE-2023-32695: an object as event name is refused, binary or not") {
  for (const auto mode : both_modes) {
    INFO(mode_name(mode));
    sio::decoder d({}, mode);
    CHECK(describe(feed_text(d, "2[{\"toString\":\"foo\"}]")) == "invalid_event_name@2");
    CHECK(feed_text(d, "51-[{\"toString\":\"foo\"}," + placeholder(0) + "]").error() ==
          errc::invalid_event_name);
    CHECK(is_clean(d));
    CHECK(describe(feed_binary(d, "x")) == "unexpected_binary_frame@0");
    // a placeholder as event name is refused too (validation runs on the placeholder form)
    CHECK(feed_text(d, "51-[" + placeholder(0) + "]").error() == errc::invalid_event_name);
    CHECK(is_clean(d));
  }
}

TEST_CASE("CVE-2020-36049: huge headers are refused in linear time without allocation") {
  for (const auto mode : both_modes) {
    INFO(mode_name(mode));
    counting_resource res;
    pmr_decoder d({}, mode, &res);
    // 1 MB of digits as attachment count (refused at the first digit over the limit) and as ack
    // id (refused at the first digit that overflows).
    const std::string digits(1000000, '9');
    CHECK(describe(feed_text(d, "5" + digits + "-[\"a\"]")) == "too_many_attachments@1");
    CHECK(describe(feed_text(d, "2" + std::string(1000000, '2'))) == "ack_id_overflow@1");
    // 1 MB of namespace
    CHECK(describe(feed_text(d, "2/" + std::string(1000000, 'n') + ",[\"a\"]")) ==
          "invalid_namespace@1");
    CHECK(is_clean(d));
    CHECK(res.attempts == 0);
    // and a total cap: larger than max_packet_bytes is refused before any scan
    sio::decode_options small;
    small.max_packet_bytes = 4096;
    pmr_decoder s(small, mode, &res);
    CHECK(describe(feed_text(s, "2" + digits)) == "packet_too_large@4096");
    CHECK(res.attempts == 0);
  }
}

// ---------------------------------------------------------------------------------------------
// Engine.IO packets
// ---------------------------------------------------------------------------------------------

TEST_CASE("feed(engineio::packet_view): text, binary and base64 messages") {
  const std::string header = "52-" + event_with(2);
  const std::string raw = bytes_of({0xde, 0xad, 0xbe, 0xef});
  // v4 polling carries attachments as `b<base64>` packets
  const std::string b64_frame = "b3q2+7w==";  // de ad be ef
  const auto bin_pkt = eio::decode(byte_view(raw), frame_kind::binary);
  const auto b64_pkt = eio::decode(std::string_view(b64_frame), frame_kind::text);
  const std::string eio_header = "4" + header;
  const auto eio_text = eio::decode(std::string_view(eio_header), frame_kind::text);
  REQUIRE(eio_text);
  REQUIRE(bin_pkt);
  REQUIRE(b64_pkt);
  REQUIRE(b64_pkt->kind == eio::data_kind::base64);

  SECTION("copy mode decodes base64 into its storage") {
    counting_resource res;
    pmr_decoder d({}, attachment_mode::copy, &res);
    REQUIRE(d.feed(*eio_text).error() == errc::incomplete);
    REQUIRE(d.feed(*b64_pkt).error() == errc::incomplete);
    const auto r = d.feed(*bin_pkt);
    CHECK(describe(r) ==
          "packet@4 type=5 nsp=/ data=" + event_with(2) + " att=2:deadbeef,deadbeef");
  }
  SECTION("borrow mode takes text and binary, refuses base64") {
    sio::decoder d;
    REQUIRE(d.feed(*eio_text).error() == errc::incomplete);
    REQUIRE(d.feed(*bin_pkt).error() == errc::incomplete);
    CHECK(describe(d.feed(*b64_pkt)) == "invalid_argument@0");
    CHECK(is_clean(d));
    REQUIRE(d.feed(*eio_text).error() == errc::incomplete);
    REQUIRE(d.feed(*bin_pkt).error() == errc::incomplete);
    const auto r = d.feed(*bin_pkt);
    REQUIRE(r);
    CHECK(r->attachments[1].data() == byte_view(raw).data());
  }
  SECTION("not a message, or an unknown data kind: invalid_argument") {
    for (const auto mode : both_modes) {
      sio::decoder d({}, mode);
      REQUIRE(d.feed(*eio_text).error() == errc::incomplete);
      CHECK(describe(d.feed(eio::packet_view::text(eio::packet_type::ping, "probe"))) ==
            "invalid_argument@0");
      CHECK(is_clean(d));
      eio::packet_view odd{eio::packet_type::message, static_cast<eio::data_kind>(9), "x"};
      CHECK(describe(d.feed(odd)) == "invalid_argument@0");
    }
  }
  SECTION("base64 errors and limits (copy mode)") {
    sio::decode_options opts;
    opts.max_attachment_bytes = 3;
    sio::decoder d(opts, attachment_mode::copy);
    CHECK(describe(d.feed(*b64_pkt)) == "unexpected_binary_frame@0");  // idle
    REQUIRE(d.feed(*eio_text).error() == errc::incomplete);
    const eio::packet_view bad{eio::packet_type::message, eio::data_kind::base64, "AQ*="};
    CHECK(describe(d.feed(bad)) == "invalid_base64@2");
    CHECK(is_clean(d));
    REQUIRE(d.feed(*eio_text).error() == errc::incomplete);
    CHECK(describe(d.feed(*b64_pkt)) == "attachment_too_large@0");  // 4 decoded bytes
    CHECK(is_clean(d));
    // lax reads what Node's Buffer.from reads
    REQUIRE(d.feed(*eio_text).error() == errc::incomplete);
    const eio::packet_view sloppy{eio::packet_type::message, eio::data_kind::base64, "AQ*"};
    REQUIRE(d.feed(sloppy, siocodec::base64::mode::lax).error() == errc::incomplete);
    CHECK(describe(d.feed(sloppy, siocodec::base64::mode::lax)) ==
          "packet@1 type=5 nsp=/ data=" + event_with(2) + " att=2:01,01");
  }
}

// ---------------------------------------------------------------------------------------------
// Allocation failure
// ---------------------------------------------------------------------------------------------

#if SIOCODEC_HAS_EXCEPTIONS
TEST_CASE("allocation failure at every point leaves the decoder idle, clean and reusable") {
  sio::decode_options opts;
  opts.max_attachments = 40;
  // Two binary packets (the second spills the attachment list) and text packets around them.
  std::vector<std::pair<std::string, frame_kind>> script;
  script.emplace_back("2/a,[\"first\"]", frame_kind::text);
  script.emplace_back("53-/x,1" + event_with(3), frame_kind::text);
  for (int i = 0; i < 3; ++i) script.emplace_back(std::string(50u << i, 'a'), frame_kind::binary);
  script.emplace_back(
      "640-[" +
          [] {
            std::string s;
            for (std::size_t i = 0; i < 40; ++i) s += (i ? "," : "") + placeholder(i);
            return s;
          }() +
          "]",
      frame_kind::text);
  for (int i = 0; i < 40; ++i)
    script.emplace_back(std::string(static_cast<std::size_t>(i * 13), 'b'), frame_kind::binary);
  script.emplace_back("2[\"last\"]", frame_kind::text);

  for (const auto mode : both_modes) {
    INFO(mode_name(mode));
    std::size_t failures = 0;
    for (std::size_t n = 0;; ++n) {
      INFO("failing allocation " << n);
      counting_resource res;
      res.fail_at = n;
      pmr_decoder d(opts, mode, &res);
      bool failed = false;
      std::size_t delivered = 0;
      for (const auto& f : script) {
        try {
          const auto r = d.feed(std::string_view(f.first), f.second);
          if (r)
            ++delivered;
          else
            REQUIRE(r.error() == errc::incomplete);
        } catch (const std::bad_alloc&) {
          failed = true;
          CHECK(d.state() == decoder_state::idle);
          CHECK(d.attachments_received() == 0);
          CHECK(d.allocated_bytes() == 0);
          CHECK(res.outstanding == 0);
          break;
        }
      }
      if (!failed) {
        CHECK(delivered == 4);
        CHECK(res.attempts == n);  // every allocation point was failed once
        break;
      }
      ++failures;
      // reusable: a complete packet goes through with allocation working again
      res.fail_at = std::numeric_limits<std::size_t>::max();
      const std::string header = "52-/y," + event_with(2);  // alive for borrow mode
      REQUIRE(feed_text(d, header).error() == errc::incomplete);
      REQUIRE(feed_binary(d, "p").error() == errc::incomplete);
      CHECK(describe(feed_binary(d, "q")) ==
            "packet@1 type=5 nsp=/y data=" + event_with(2) + " att=2:70,71");
    }
    CHECK(failures > 0);
  }
}
#endif
