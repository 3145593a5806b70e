// SPDX-License-Identifier: BSL-1.0
// Allocation-failure injection (Boost.JSON's fail_resource technique): every path of the library
// that allocates is run with a memory resource whose k-th allocation throws std::bad_alloc, for
// k = 0, 1, 2... until a run gets through. Each failure must propagate out of the call (nothing
// swallows it, nothing crashes), leave the caller's container as it was (encoders resize once,
// before writing), leave the resumable decoders clean and reusable, and leak nothing (the
// resource counts live blocks). The runs that get through check the results, and the encoders'
// promise of exactly one allocation. Without exceptions an allocator cannot fail recoverably, so
// this file is empty under -fno-exceptions.
#include <siocodec/base64.hpp>
#include <siocodec/engineio/encode.hpp>
#include <siocodec/engineio/handshake.hpp>
#include <siocodec/engineio/payload.hpp>
#include <siocodec/engineio/webtransport.hpp>
#include <siocodec/json/json.hpp>
#include <siocodec/socketio/codec.hpp>
#include <siocodec/socketio/default_parser/decoder.hpp>
#include <siocodec/socketio/default_parser/encode.hpp>
#include <siocodec/socketio/default_parser/frames.hpp>

// Catch2's REQUIRE and CHECK catch exceptions thrown inside their expression, so every call that
// may throw std::bad_alloc below is made outside them.

#include "support/catch.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory_resource>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#if SIOCODEC_HAS_EXCEPTIONS

namespace eio = siocodec::engineio;
namespace wt = siocodec::engineio::webtransport;
namespace sio = siocodec::socketio;
namespace json = siocodec::json;
namespace b64 = siocodec::base64;
using siocodec::byte_view;
using siocodec::errc;

namespace {

constexpr std::size_t never = std::numeric_limits<std::size_t>::max();

// Hands out memory from new_delete_resource until its fail_at-th allocation (counted from 0
// since the last arm()), which throws std::bad_alloc. Counts the blocks still live.
class failing_resource final : public std::pmr::memory_resource {
 public:
  std::size_t allocations = 0;  // since arm()
  std::size_t live = 0;
  bool failed = false;

  void arm(std::size_t fail_at) noexcept {
    fail_at_ = fail_at;
    allocations = 0;
    failed = false;
  }
  void disarm() noexcept { fail_at_ = never; }

 private:
  void* do_allocate(std::size_t n, std::size_t align) override {
    if (allocations++ == fail_at_) {
      failed = true;
      throw std::bad_alloc();
    }
    void* p = std::pmr::new_delete_resource()->allocate(n, align);
    ++live;
    return p;
  }
  void do_deallocate(void* p, std::size_t n, std::size_t align) override {
    --live;
    std::pmr::new_delete_resource()->deallocate(p, n, align);
  }
  bool do_is_equal(const std::pmr::memory_resource& o) const noexcept override {
    return this == &o;
  }

  std::size_t fail_at_ = never;
};

// Makes `r` the default resource for the lifetime of the object (for the storage that
// payload_decoder default-constructs).
class default_resource_scope {
 public:
  explicit default_resource_scope(std::pmr::memory_resource* r) noexcept
      : old_(std::pmr::set_default_resource(r)) {}
  ~default_resource_scope() { std::pmr::set_default_resource(old_); }
  default_resource_scope(const default_resource_scope&) = delete;
  default_resource_scope& operator=(const default_resource_scope&) = delete;

 private:
  std::pmr::memory_resource* old_;
};

// Calls run(k) for k = 0, 1, ... until it reports that the k-th allocation was not reached
// (it returns false). @return the number of runs in which an allocation failed.
template <class F>
std::size_t for_each_failure(F&& run) {
  std::size_t k = 0;
  while (run(k)) {
    ++k;
    REQUIRE(k < 1000);  // a path that allocates without bound
  }
  return k;
}

// Runs f(); true when it threw std::bad_alloc (anything else propagates, such as a failed
// REQUIRE inside f).
template <class F>
bool threw_bad_alloc(F&& f) {
  try {
    f();
  } catch (const std::bad_alloc&) {
    return true;
  }
  return false;
}

// A prefix longer than any small-string buffer, so that the container already owns a block.
const std::string_view prefix = "already in the container, long enough to be on the heap...";

// One encoder, appending to a container `C` (a pmr string or byte vector) through a failing
// resource: `encode(out)` calls it, `expected` is what it must append.
template <class C>
void check_encoder(const std::function<siocodec::result<std::size_t>(C&)>& encode,
                   std::string_view expected) {
  failing_resource mem;
  const std::size_t failures = for_each_failure([&](std::size_t k) {
    C out(prefix.begin(), prefix.end(), typename C::allocator_type(&mem));
    mem.arm(k);
    const bool threw = threw_bad_alloc([&] {
      const siocodec::result<std::size_t> r = encode(out);
      REQUIRE(r.has_value());
      CHECK(*r == expected.size());
    });
    CHECK(threw == mem.failed);
    const std::string got(out.begin(), out.end());
    if (threw) {
      // The one resize failed: the container holds what it held.
      CHECK(got == prefix);
    } else {
      CHECK(got == std::string(prefix) + std::string(expected));
      CHECK(mem.allocations == 1);  // exactly one resize
    }
    return threw;
  });
  CHECK(failures == 1);
  CHECK(mem.live == 0);
}

template <class F>
void check_both_containers(F&& encode, std::string_view expected) {
  check_encoder<std::pmr::string>(encode, expected);
  check_encoder<std::pmr::vector<unsigned char>>(encode, expected);
}

std::string big(std::size_t n, char c) { return std::string(n, c); }

}  // namespace

TEST_CASE("every encoder appends all or nothing when the allocator fails") {
  const std::string payload = big(300, 'x');
  const std::string bytes = big(200, '\x01');

  SECTION("Engine.IO packet, payload, WebTransport record, handshake") {
    const eio::packet_view text = eio::packet_view::text(eio::packet_type::message, payload);
    const eio::packet_view bin = eio::packet_view::binary(byte_view(bytes));
    check_both_containers([&](auto& out) { return eio::encode(text, out); }, "4" + payload);
    std::string b64_expected = "b";
    REQUIRE(b64::encode(byte_view(bytes), b64_expected));
    // v4 binary transport: the raw bytes, no type (protocol.md 1.3).
    check_both_containers([&](auto& out) { return eio::encode(bin, out); }, bytes);
    const eio::packet_view both[] = {text, bin};
    std::string body;
    REQUIRE(eio::encode_payload(both, 2, body));
    CHECK(body == "4" + payload + "\x1e" + b64_expected);
    check_both_containers([&](auto& out) { return eio::encode_payload(both, 2, out); }, body);
    std::string record;
    REQUIRE(wt::encode(bin, record));
    check_both_containers([&](auto& out) { return wt::encode(bin, out); }, record);
    eio::handshake h;
    h.sid = "lv_VI97HAXpY6yYWAAAC";
    h.upgrades = eio::transport_websocket;
    h.max_payload = 1000000;
    std::string open;
    REQUIRE(eio::encode_handshake(h, open));
    check_both_containers([&](auto& out) { return eio::encode_handshake(h, out); }, open);
  }

  SECTION("base64 and JSON") {
    std::string encoded;
    REQUIRE(b64::encode(byte_view(bytes), encoded));
    check_both_containers([&](auto& out) { return b64::encode(byte_view(bytes), out); }, encoded);
    check_both_containers([&](auto& out) { return b64::decode(encoded, out); }, bytes);
    const std::string text = "\"" + payload + "\\n\\u00e9\"";
    check_both_containers([&](auto& out) { return json::value::unchecked(text).unescape(out); },
                          payload + "\n\xc3\xa9");
    check_both_containers([&](auto& out) { return json::encode_string(payload + "\n", out); },
                          "\"" + payload + "\\n\"");
  }

  SECTION("Socket.IO packet, builder and frames") {
    const std::string data = "[\"chat\",\"" + payload + "\"]";
    sio::packet_view p;
    p.nsp = "/admin";
    p.id = 12;
    p.data = data;
    check_both_containers([&](auto& out) { return sio::encode(p, out); }, "2/admin,12" + data);
    check_both_containers([&](auto& out) { return sio::encode(sio::event("chat", payload), out); },
                          "2" + data);
    // encode_frames: the storage is the only allocation; a failure sends nothing.
    const byte_view att[] = {byte_view(bytes)};
    sio::packet_view b;
    b.type = sio::packet_type::binary_event;
    b.data = R"(["up",{"_placeholder":true,"num":0}])";
    b.attachment_count = 1;
    b.attachments = att;
    for (const auto transport : {eio::transport_kind::websocket, eio::transport_kind::polling}) {
      for (const auto version : {eio::protocol_version::v4, eio::protocol_version::v3}) {
        eio::transport_options fo;
        fo.version = version;
        fo.transport = transport;
        fo.copy_binary = true;
        std::string reference;
        std::size_t reference_frames = 0;
        REQUIRE(
            sio::encode_frames(b, reference, fo, [&](const eio::frame&) { ++reference_frames; }));
        failing_resource mem;
        const std::size_t failures = for_each_failure([&](std::size_t k) {
          std::pmr::string storage(&mem);
          std::size_t frames = 0;
          mem.arm(k);
          const bool threw = threw_bad_alloc([&] {
            // Not inside REQUIRE, which would catch the exception.
            const auto r = sio::encode_frames(b, storage, fo, [&](const eio::frame&) { ++frames; });
            REQUIRE(r.has_value());
          });
          CHECK(threw == mem.failed);
          if (threw) {
            CHECK(frames == 0);
            CHECK(storage.empty());
          } else {
            CHECK(frames == reference_frames);
            CHECK(std::string(storage) == reference);
          }
          return threw;
        });
        CHECK(failures <= 1);
        CHECK(mem.live == 0);
      }
    }
  }
}

TEST_CASE("the Socket.IO reassembler is idle and clean after an allocation failure") {
  // Copy mode allocates its buffer; borrow mode allocates only past inline_attachments.
  using pmr_decoder = sio::basic_decoder<std::pmr::polymorphic_allocator<unsigned char>>;
  const std::size_t n_atts = pmr_decoder::inline_attachments + 2;
  std::string header = std::to_string(n_atts) + "-[\"files\"";
  for (std::size_t i = 0; i < n_atts; ++i) {
    header += ",{\"_placeholder\":true,\"num\":" + std::to_string(i) + "}";
  }
  header = "5" + header + "]";
  std::vector<std::string> atts;
  for (std::size_t i = 0; i < n_atts; ++i) atts.push_back(big(100 + i, static_cast<char>('a' + i)));

  for (const auto mode : {sio::attachment_mode::copy, sio::attachment_mode::borrow}) {
    sio::decode_options o;
    o.max_attachments = n_atts;
    failing_resource mem;
    pmr_decoder dec(o, mode, std::pmr::polymorphic_allocator<unsigned char>(&mem));
    // Feeds the whole packet; checks what it delivers.
    const auto feed_all = [&] {
      auto r = dec.feed(header, eio::frame_kind::text);
      REQUIRE(r.error() == errc::incomplete);
      for (std::size_t i = 0; i < n_atts; ++i) {
        r = dec.feed(byte_view(atts[i]), eio::frame_kind::binary);
        if (i + 1 < n_atts) REQUIRE(r.error() == errc::incomplete);
      }
      REQUIRE(r.has_value());
      REQUIRE(r->attachment_count == n_atts);
      for (std::size_t i = 0; i < n_atts; ++i) {
        CHECK(std::string(r->attachment(i).as_chars()) == atts[i]);
      }
    };
    const std::size_t failures = for_each_failure([&](std::size_t k) {
      mem.arm(k);
      const bool threw = threw_bad_alloc([&] { feed_all(); });
      CHECK(threw == mem.failed);
      if (threw) {
        // Documented: the exception leaves the decoder idle, with no storage held.
        CHECK(dec.state() == sio::decoder_state::idle);
        CHECK(dec.allocated_bytes() == 0);
        CHECK(mem.live == 0);
        // And it decodes the next packet as if nothing had happened.
        mem.disarm();
        feed_all();
        dec.reset();
      }
      return threw;
    });
    CHECK(failures >= 1);  // both modes allocate for this packet
    dec.reset();
    CHECK(dec.allocated_bytes() == 0);
    CHECK(mem.live == 0);
  }
}

TEST_CASE("socketio::codec survives an allocation failure, with either parser") {
  using pmr_parser = sio::basic_runtime_codec<std::pmr::polymorphic_allocator<unsigned char>>;
  const std::string blob = big(3000, 'z');
  // What a peer sends: the frames of one binary event, written by each parser.
  const auto frames_of = [&](sio::parser_kind kind) {
    std::vector<std::pair<eio::frame_kind, std::string>> out;
    sio::codec writer(kind);
    sio::attachment_list<4> atts;
    std::string storage;
    const auto r = writer.encode_frames(sio::event("upload", "name", byte_view(blob)), storage,
                                        atts, eio::transport_options{}, [&](const eio::frame& f) {
                                          out.emplace_back(
                                              f.kind, std::string(f.prefix) + std::string(f.data));
                                        });
    REQUIRE(r.has_value());
    return out;
  };
  // The parser delivered the event intact.
  const auto check_event = [&](const sio::any_packet& p) {
    CHECK(p.event_name().string_equals("upload"));
    std::size_t n = 0;
    for (const sio::any_value& a : p.arguments()) {
      if (n == 1) {
        REQUIRE(a.is_binary());
        CHECK(std::string(a.bytes().as_chars()) == blob);
      }
      ++n;
    }
    CHECK(n == 2);
  };

  SECTION("default parser, attachments copied") {
    const auto frames = frames_of(sio::parser_kind::json);
    REQUIRE(frames.size() == 2);  // the text packet, then the attachment
    failing_resource mem;
    pmr_parser p(sio::parser_kind::json, sio::make_codec_options({}, sio::attachment_mode::copy),
                 std::pmr::polymorphic_allocator<unsigned char>(&mem));
    const auto feed_all = [&] {
      // Engine.IO framing removed: the text frame starts with the message type '4'.
      auto r = p.decode(std::string_view(frames[0].second).substr(1), frames[0].first);
      REQUIRE(r.error() == errc::incomplete);
      r = p.decode(byte_view(frames[1].second), frames[1].first);
      REQUIRE(r.has_value());
      check_event(*r);
    };
    const std::size_t failures = for_each_failure([&](std::size_t k) {
      mem.arm(k);
      const bool threw = threw_bad_alloc([&] { feed_all(); });
      CHECK(threw == mem.failed);
      if (threw) {
        CHECK_FALSE(p.waiting());
        CHECK(mem.live == 0);
        mem.disarm();
        feed_all();  // the next packet decodes as if nothing had happened
      }
      p.reset();
      return threw;
    });
    CHECK(failures >= 1);
    CHECK(mem.live == 0);
  }

  SECTION("msgpack parser, a polling base64 message decoded into its scratch storage") {
    const auto frames = frames_of(sio::parser_kind::msgpack);
    REQUIRE(frames.size() == 1);  // one binary message, the attachment inline
    REQUIRE(frames[0].first == eio::frame_kind::binary);
    std::string text;
    REQUIRE(b64::encode(byte_view(frames[0].second), text));
    const eio::packet_view message{eio::packet_type::message, eio::data_kind::base64, text};
    failing_resource mem;
    pmr_parser p(sio::parser_kind::msgpack, {},
                 std::pmr::polymorphic_allocator<unsigned char>(&mem));
    const auto feed = [&] {
      const auto r = p.decode(message);
      REQUIRE(r.has_value());
      check_event(*r);
    };
    const std::size_t failures = for_each_failure([&](std::size_t k) {
      mem.arm(k);
      const bool threw = threw_bad_alloc([&] { feed(); });
      CHECK(threw == mem.failed);
      if (threw) {
        mem.disarm();
        feed();
      }
      p.reset();
      CHECK(mem.live == 0);  // reset() releases the scratch storage
      return threw;
    });
    CHECK(failures == 1);
  }

  SECTION("encode_frames: one resize of the storage, nothing sent when it fails") {
    for (const auto kind : {sio::parser_kind::json, sio::parser_kind::msgpack}) {
      const sio::codec p(kind);
      std::string reference;
      std::size_t reference_frames = 0;
      sio::attachment_list<4> ref_atts;
      REQUIRE(p.encode_frames(sio::event("upload", "name", byte_view(blob)), reference, ref_atts,
                              eio::transport_options{},
                              [&](const eio::frame&) { ++reference_frames; }));
      failing_resource mem;
      const std::size_t failures = for_each_failure([&](std::size_t k) {
        std::pmr::string storage(&mem);
        sio::attachment_list<4> atts;
        std::size_t frames = 0;
        mem.arm(k);
        const bool threw = threw_bad_alloc([&] {
          const auto r =
              p.encode_frames(sio::event("upload", "name", byte_view(blob)), storage, atts,
                              eio::transport_options{}, [&](const eio::frame&) { ++frames; });
          REQUIRE(r.has_value());
        });
        CHECK(threw == mem.failed);
        if (threw) {
          CHECK(frames == 0);
          CHECK(storage.empty());
        } else {
          CHECK(frames == reference_frames);
          CHECK(std::string(storage) == reference);
          CHECK(mem.allocations == 1);
        }
        return threw;
      });
      CHECK(failures == 1);
      CHECK(mem.live == 0);
    }
  }
}

TEST_CASE("the resumable Engine.IO decoders survive an allocation failure") {
  const std::string p1 = big(150, 'p');
  const std::string p2 = big(170, 'q');

  SECTION("payload_decoder") {
    for (const auto version : {eio::protocol_version::v4, eio::protocol_version::v3}) {
      eio::decode_options o;
      o.version = version;
      const eio::packet_view packets[] = {eio::packet_view::text(eio::packet_type::message, p1),
                                          eio::packet_view::text(eio::packet_type::message, p2)};
      eio::encode_options eo;
      eo.version = version;
      std::string body;
      REQUIRE(eio::encode_payload(packets, 2, body, eo));
      std::vector<std::string> expected;
      for (const eio::packet_view& p : eio::decode_payload(body, eio::frame_kind::text, o)) {
        expected.emplace_back(p.data);
      }
      REQUIRE(expected == std::vector<std::string>{p1, p2});
      failing_resource mem;
      const default_resource_scope scope(&mem);
      eio::payload_decoder<std::pmr::string> dec(eio::frame_kind::text, o);
      // In 7-byte chunks, so that every packet straddles chunks and is gathered in the storage.
      const auto decode = [&](std::vector<std::string>& got) {
        const auto on_packet = [&got](const eio::packet_view& p) { got.emplace_back(p.data); };
        // The calls that may throw stay outside REQUIRE, which would catch the exception.
        for (std::size_t at = 0; at < body.size(); at += 7) {
          const siocodec::decode_status st =
              dec.feed(std::string_view(body).substr(at, 7), on_packet);
          REQUIRE(st.ok());
        }
        const siocodec::decode_status st = dec.finish(on_packet);
        REQUIRE(st.ok());
      };
      const std::size_t failures = for_each_failure([&](std::size_t k) {
        dec.reset();
        mem.arm(k);
        std::vector<std::string> got;
        const bool threw = threw_bad_alloc([&] { decode(got); });
        CHECK(threw == mem.failed);
        if (!threw) CHECK(got == expected);
        if (threw) {
          // reset() makes it usable again: the whole body decodes.
          mem.disarm();
          dec.reset();
          std::vector<std::string> again;
          decode(again);
          CHECK(again == expected);
        }
        return threw;
      });
      CHECK(failures >= 1);
    }
  }

  SECTION("webtransport::stream_decoder") {
    std::string stream;
    REQUIRE(wt::encode(eio::packet_view::text(eio::packet_type::message, p1), stream));
    REQUIRE(wt::encode(eio::packet_view::binary(byte_view(p2)), stream));
    failing_resource mem;
    wt::stream_decoder<std::pmr::string> dec({}, std::pmr::string(&mem));
    const auto decode = [&](std::vector<std::string>& got) {
      const auto on_packet = [&got](const eio::packet_view& p) { got.emplace_back(p.data); };
      for (std::size_t at = 0; at < stream.size(); at += 7) {
        const siocodec::decode_status st =
            dec.feed(std::string_view(stream).substr(at, 7), on_packet);
        REQUIRE(st.ok());
      }
    };
    const std::size_t failures = for_each_failure([&](std::size_t k) {
      dec.reset();
      mem.arm(k);
      std::vector<std::string> got;
      const bool threw = threw_bad_alloc([&] { decode(got); });
      CHECK(threw == mem.failed);
      if (!threw) CHECK(got == std::vector<std::string>{p1, p2});
      if (threw) {
        mem.disarm();
        dec.reset();
        std::vector<std::string> again;
        decode(again);
        CHECK(again == std::vector<std::string>{p1, p2});
      }
      return threw;
    });
    CHECK(failures >= 1);
  }
}

#else  // !SIOCODEC_HAS_EXCEPTIONS

namespace {

// Without exceptions no allocation can fail recoverably; what remains checkable is that the
// encoders allocate exactly once, so that a bounded resource is sized by encoded_size() alone.
class counting_resource final : public std::pmr::memory_resource {
 public:
  std::size_t allocations = 0;

 private:
  void* do_allocate(std::size_t n, std::size_t align) override {
    ++allocations;
    return std::pmr::new_delete_resource()->allocate(n, align);
  }
  void do_deallocate(void* p, std::size_t n, std::size_t align) override {
    std::pmr::new_delete_resource()->deallocate(p, n, align);
  }
  bool do_is_equal(const std::pmr::memory_resource& o) const noexcept override {
    return this == &o;
  }
};

}  // namespace

TEST_CASE("every encoder appends with exactly one allocation (no exceptions)") {
  namespace eio = siocodec::engineio;
  namespace sio = siocodec::socketio;
  const std::string payload(300, 'x');
  const auto once = [](auto&& encode, std::size_t expected) {
    counting_resource mem;
    std::pmr::string out(&mem);
    const siocodec::result<std::size_t> r = encode(out);
    REQUIRE(r.has_value());
    CHECK(*r == expected);
    CHECK(out.size() == expected);
    CHECK(mem.allocations == 1);
  };
  once(
      [&](auto& out) {
        return eio::encode(eio::packet_view::text(eio::packet_type::message, payload), out);
      },
      1 + payload.size());
  once([&](auto& out) { return siocodec::base64::encode(siocodec::byte_view(payload), out); }, 400);
  once([&](auto& out) { return sio::encode(sio::event("a", payload), out); },
       std::string("2[\"a\",\"\"]").size() + payload.size());
}

#endif  // SIOCODEC_HAS_EXCEPTIONS
