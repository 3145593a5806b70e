// SPDX-License-Identifier: BSL-1.0
// Issue 19.5: stateful decoders keep at most max_retained_bytes of storage once a packet is done.
// Before, copy mode kept its largest buffer for the life of the connection (one packet of ten
// 1 MB attachments pinned 11 MB), and payload_decoder kept the capacity of its largest packet.
#include <siocodec/base64.hpp>
#include <siocodec/engineio/payload.hpp>
#include <siocodec/socketio.hpp>
#include <siocodec/socketio/codec.hpp>
#include <siocodec/socketio/default_parser/decoder.hpp>

#include "support/catch.hpp"

#include <cstddef>
#include <memory>
#include <memory_resource>
#include <string>
#include <string_view>
#include <vector>

namespace sio = siocodec::socketio;
namespace eio = siocodec::engineio;
using siocodec::errc;

namespace {

std::string binary_header(std::size_t n) {
  std::string h = "5" + std::to_string(n) + "-[\"big\"";
  for (std::size_t i = 0; i < n; ++i) {
    h += ",{\"_placeholder\":true,\"num\":" + std::to_string(i) + "}";
  }
  return h + "]";
}

// Feeds one BINARY_EVENT with n attachments of `size` bytes; true when it is delivered whole.
bool feed_big(sio::decoder& d, std::size_t n, std::size_t size) {
  if (d.feed(binary_header(n), eio::frame_kind::text).error() != errc::incomplete) return false;
  const std::string att(size, 'a');
  for (std::size_t i = 0; i + 1 < n; ++i) {
    if (d.feed(att, eio::frame_kind::binary).error() != errc::incomplete) return false;
  }
  const auto r = d.feed(att, eio::frame_kind::binary);
  return r && r->attachment_count == n && r->attachments[n - 1].size() == size;
}

std::size_t g_live = 0;
template <class T>
struct live_allocator {
  using value_type = T;
  live_allocator() noexcept = default;
  template <class U>
  live_allocator(const live_allocator<U>&) noexcept {}
  T* allocate(std::size_t n) {
    g_live += n * sizeof(T);
    return std::allocator<T>{}.allocate(n);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    g_live -= n * sizeof(T);
    std::allocator<T>{}.deallocate(p, n);
  }
  friend bool operator==(const live_allocator&, const live_allocator&) { return true; }
  friend bool operator!=(const live_allocator&, const live_allocator&) { return false; }
};

}  // namespace

TEST_CASE("retention: copy mode releases a large packet's buffer, keeps a small one") {
  sio::decode_options opts;  // max_retained_bytes: 64 KiB by default
  REQUIRE(opts.max_retained_bytes == 65536);
  sio::decoder d(opts, sio::attachment_mode::copy);

  SECTION("trim() after handling the packet") {
    REQUIRE(feed_big(d, 10, 1000000));
    CHECK(d.allocated_bytes() >= 10000000);  // the delivered packet lives there
    d.trim();
    CHECK(d.allocated_bytes() == 0);
  }
  SECTION("the next message releases it before reuse") {
    REQUIRE(feed_big(d, 10, 1000000));
    REQUIRE(d.feed(std::string_view(R"(2["small",1])"), eio::frame_kind::text));
    CHECK(d.allocated_bytes() > 0);
    CHECK(d.allocated_bytes() <= opts.max_retained_bytes);
  }
  SECTION("storage within the limit is kept") {
    REQUIRE(feed_big(d, 2, 10000));
    const std::size_t held = d.allocated_bytes();
    CHECK(held > 0);
    CHECK(held <= opts.max_retained_bytes);
    d.trim();
    CHECK(d.allocated_bytes() == held);
    REQUIRE(feed_big(d, 2, 10000));
    CHECK(d.allocated_bytes() == held);  // reused, no allocation per packet
  }
  SECTION("trim() leaves a pending packet alone") {
    REQUIRE(d.feed(binary_header(2), eio::frame_kind::text).error() == errc::incomplete);
    REQUIRE(d.feed(std::string(200000, 'x'), eio::frame_kind::binary).error() == errc::incomplete);
    const std::size_t held = d.allocated_bytes();
    d.trim();
    CHECK(d.allocated_bytes() == held);
    const auto r = d.feed(std::string(3, 'y'), eio::frame_kind::binary);
    REQUIRE(r);
    CHECK(r->attachments[0].size() == 200000);
  }
  SECTION("a limit of 0 keeps nothing; SIZE_MAX keeps everything") {
    sio::decode_options zero = opts;
    zero.max_retained_bytes = 0;
    sio::decoder z(zero, sio::attachment_mode::copy);
    REQUIRE(feed_big(z, 1, 10));
    z.trim();
    CHECK(z.allocated_bytes() == 0);
    sio::decode_options all = opts;
    all.max_retained_bytes = static_cast<std::size_t>(-1);
    sio::decoder a(all, sio::attachment_mode::copy);
    REQUIRE(feed_big(a, 2, 1000000));
    a.trim();
    CHECK(a.allocated_bytes() >= 2000000);
  }
}

TEST_CASE("retention: borrow mode's attachment list above the limit is released too") {
  sio::decode_options opts;
  opts.max_attachments = 5000;
  opts.max_retained_bytes = 1024;
  sio::decoder d(opts);
  REQUIRE(feed_big(d, 2000, 1));
  CHECK(d.allocated_bytes() >= 2000 * sizeof(siocodec::byte_view));
  d.trim();
  CHECK(d.allocated_bytes() == 0);
}

TEST_CASE("retention: payload_decoder releases storage above the limit after delivery") {
  using storage = std::basic_string<char, std::char_traits<char>, live_allocator<char>>;
  eio::decode_options opts;
  opts.max_retained_bytes = 1000;
  g_live = 0;
  {
    eio::payload_decoder<storage> dec(eio::frame_kind::text, opts);
    const std::string big = "4" + std::string(200000, 'b');
    const std::string small = "4" + std::string(500, 's');
    const std::string body = big + "\x1e" + small + "\x1e" + "4end";
    std::vector<std::size_t> sizes;
    const auto sink = [&](const eio::packet_view& p) { sizes.push_back(p.data.size()); };
    // Chunks of 100 bytes: every packet straddles.
    std::size_t peak_after_small = 0;
    for (std::size_t i = 0; i < body.size(); i += 100) {
      REQUIRE(dec.feed(std::string_view(body).substr(i, 100), sink));
      if (sizes.size() == 1) CHECK(g_live <= 2 * 1000);  // the 200 KB buffer is gone
      if (sizes.size() == 2) peak_after_small = g_live;
    }
    REQUIRE(dec.finish(sink));
    REQUIRE(sizes == std::vector<std::size_t>{200000, 500, 3});
    CHECK(peak_after_small <= 1000);
    dec.reset();
    CHECK(g_live <= 1000);
  }
  CHECK(g_live == 0);
}

namespace {
// Counts the bytes a pmr container holds from it.
struct live_resource : std::pmr::memory_resource {
  std::size_t live = 0;
  void* do_allocate(std::size_t n, std::size_t a) override {
    live += n;
    return std::pmr::new_delete_resource()->allocate(n, a);
  }
  void do_deallocate(void* p, std::size_t n, std::size_t a) override {
    live -= n;
    std::pmr::new_delete_resource()->deallocate(p, n, a);
  }
  bool do_is_equal(const std::pmr::memory_resource& o) const noexcept override {
    return this == &o;
  }
};

// A polling `b<base64>` message holding a msgpack EVENT whose string argument has `n` bytes.
std::string msgpack_base64_event(std::size_t n) {
  std::string msg;
  REQUIRE(sio::msgpack_parser::encode(sio::event("e", std::string(n, 'm')), msg));
  std::string text;
  REQUIRE(siocodec::base64::encode(siocodec::byte_view(msg), text));
  return text;
}
}  // namespace

TEST_CASE("retention: the msgpack parser's base64 scratch follows max_retained_bytes") {
  live_resource mem;
  sio::decode_options opts;
  opts.max_retained_bytes = 1000;
  using pmr_parser = sio::basic_runtime_codec<std::pmr::polymorphic_allocator<unsigned char>>;
  pmr_parser p(sio::parser_kind::msgpack, sio::make_codec_options(opts),
               std::pmr::polymorphic_allocator<unsigned char>(&mem));
  const std::string big = msgpack_base64_event(100000);
  const std::string small = msgpack_base64_event(10);
  const auto feed = [&p](const std::string& text) {
    return p.decode(eio::packet_view{eio::packet_type::message, eio::data_kind::base64, text});
  };
  REQUIRE(feed(big));
  CHECK(mem.live >= 100000);  // the delivered packet lives in the scratch
  p.trim();
  CHECK(mem.live == 0);
  REQUIRE(feed(big));
  REQUIRE(feed(small));  // the large scratch goes before it is reused
  CHECK(mem.live > 0);
  CHECK(mem.live <= 1000);
  p.trim();  // small: kept
  CHECK(mem.live > 0);
}
