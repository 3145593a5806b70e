// SPDX-License-Identifier: BSL-1.0
// Guard pages: every decoder reads every input of the reference vectors (and of the JSON case
// tables) placed so that it ends exactly where an unreadable page begins, and again so that it
// starts exactly where one ends. A read one byte past the end (or before the start) faults, with
// or without a sanitizer (picohttpparser's test.c technique). The resumable decoders get each
// chunk placed that way. Nothing is checked about the results here (the vector walkers do that):
// this test is about where the decoders read.
#include <siocodec/base64.hpp>
#include <siocodec/engineio/decode.hpp>
#include <siocodec/engineio/handshake.hpp>
#include <siocodec/engineio/payload.hpp>
#include <siocodec/engineio/webtransport.hpp>
#include <siocodec/json/json.hpp>
#include <siocodec/msgpack/value.hpp>
#include <siocodec/socketio.hpp>
#include <siocodec/socketio/codec.hpp>
#include <siocodec/socketio/default_parser/args.hpp>
#include <siocodec/socketio/default_parser/decode.hpp>
#include <siocodec/socketio/default_parser/decoder.hpp>

#include "support/catch.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <sys/mman.h>
#include <unistd.h>
#define SIOCODEC_HAVE_GUARD_PAGES 1
#endif

namespace eio = siocodec::engineio;
namespace wt = siocodec::engineio::webtransport;
namespace sio = siocodec::socketio;
namespace json = siocodec::json;
namespace b64 = siocodec::base64;
namespace mp = siocodec::msgpack;

namespace {

#ifdef SIOCODEC_HAVE_GUARD_PAGES

// One readable region between two PROT_NONE pages. place_at_end() copies bytes so that the last
// one is the last readable byte; place_at_start() so that the first one is the first readable.
class guarded {
 public:
  guarded() = default;
  guarded(const guarded&) = delete;
  guarded& operator=(const guarded&) = delete;
  ~guarded() { unmap(); }

  std::string_view place_at_end(std::string_view s) {
    reserve(s.size());
    char* p = data_ + size_ - s.size();
    if (!s.empty()) std::memcpy(p, s.data(), s.size());
    return {p, s.size()};
  }
  std::string_view place_at_start(std::string_view s) {
    reserve(s.size());
    if (!s.empty()) std::memcpy(data_, s.data(), s.size());
    return {data_, s.size()};
  }
  bool ok() const noexcept { return data_ != nullptr; }

 private:
  void reserve(std::size_t n) {
    const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    const std::size_t need = (n + page - 1) / page * page + (n == 0 ? page : 0);
    if (data_ != nullptr && need == size_) return;
    unmap();
    void* m =
        mmap(nullptr, need + 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return;
    base_ = static_cast<char*>(m);
    total_ = need + 2 * page;
    if (mprotect(base_, page, PROT_NONE) != 0 ||
        mprotect(base_ + page + need, page, PROT_NONE) != 0) {
      unmap();
      return;
    }
    data_ = base_ + page;
    size_ = need;
  }
  void unmap() {
    if (base_ != nullptr) munmap(base_, total_);
    base_ = data_ = nullptr;
    size_ = total_ = 0;
  }

  char* base_ = nullptr;
  char* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t total_ = 0;
};

// --- inputs
// ---------------------------------------------------------------------------------------

std::string read_file(const std::filesystem::path& p) {
  std::string out;
  if (std::FILE* f = std::fopen(p.string().c_str(), "rb")) {
    char buf[65536];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) != 0) out.append(buf, n);
    std::fclose(f);
  }
  return out;
}

bool from_hex(std::string_view h, std::string& out) {
  out.clear();
  if (h.size() % 2 != 0) return false;
  for (std::size_t i = 0; i < h.size(); i += 2) {
    const unsigned hi = json::detail::hex_value(h[i]);
    const unsigned lo = json::detail::hex_value(h[i + 1]);
    if (hi > 15 || lo > 15) return false;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

// Every input a vector holds, wherever it sits: strings under "text", hex under "binary" and
// "stream" (frames, bodies, messages, base64 texts, WebTransport streams, msgpack messages...).
// Outputs recorded under "ref" are inputs too (encoder results are frames a peer receives).
void collect(const json::value& v, std::vector<std::string>& out) {
  std::vector<json::value> todo{v};
  while (!todo.empty()) {
    const json::value x = todo.back();
    todo.pop_back();
    if (x.is_array()) {
      for (const json::value& e : x.elements()) todo.push_back(e);
    } else if (x.is_object()) {
      for (const json::member& m : x.members()) {
        if (m.val.is_string() && m.key.string_equals("text")) {
          std::string s;
          if (m.val.unescape(s)) out.push_back(s);
        } else if (m.val.is_string() &&
                   (m.key.string_equals("binary") || m.key.string_equals("stream"))) {
          std::string bytes;
          if (from_hex(m.val.string_raw(), bytes)) out.push_back(bytes);
        } else {
          todo.push_back(m.val);
        }
      }
    }
  }
}

std::vector<std::string> vector_inputs() {
  std::vector<std::string> out;
  const std::filesystem::path dir =
      std::filesystem::path(SIOCODEC_TEST_DATA_DIR) / "reference" / "vectors";
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".jsonl") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    const std::string text = read_file(f);
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t nl = text.find('\n', pos);
      if (nl == std::string::npos) nl = text.size();
      json::options deep;
      deep.max_depth = json::max_depth_limit;
      const auto line = json::parse(std::string_view(text).substr(pos, nl - pos), deep);
      if (line) collect(*line, out);
      pos = nl + 1;
    }
  }
  // The JSON case tables: the first column of each line is a hex input.
  for (const char* name : {"json_cases.txt", "json_value_cases.txt"}) {
    const std::string text =
        read_file(std::filesystem::path(SIOCODEC_TEST_DATA_DIR) / "unit" / "json" / name);
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t nl = text.find('\n', pos);
      if (nl == std::string::npos) nl = text.size();
      const std::string_view line = std::string_view(text).substr(pos, nl - pos);
      std::size_t col = 0;
      for (std::size_t i = 0; i < 2; ++i) {
        const std::size_t tab = line.find('\t', col);
        const std::string_view field =
            line.substr(col, tab == std::string_view::npos ? line.npos : tab - col);
        std::string bytes;
        if (!field.empty() && from_hex(field, bytes)) out.push_back(bytes);
        if (tab == std::string_view::npos) break;
        col = tab + 1;
      }
      pos = nl + 1;
    }
  }
  return out;
}

// --- the decoders
// -----------------------------------------------------------------------------------

// Everything a one-shot decoder offers over one placed input.
std::size_t run_one_shot(std::string_view in) {
  std::size_t sink = 0;
  for (const auto version : {eio::protocol_version::v4, eio::protocol_version::v3}) {
    for (const auto mode : {b64::mode::strict, b64::mode::lax}) {
      eio::decode_options o;
      o.version = version;
      o.base64 = mode;
      for (const auto kind : {eio::frame_kind::text, eio::frame_kind::binary}) {
        sink += eio::decode(in, kind, o).offset();
        auto reader = eio::decode_payload(in, kind, o);
        for (const eio::packet_view& p : reader) sink += p.data.size();
      }
    }
  }
  for (const auto mode : {b64::mode::strict, b64::mode::lax}) {
    sink += b64::decoded_size(in, mode).offset();
    std::string out;
    sink += b64::decode(in, out, mode).offset();
  }
  json::options deep;
  deep.max_depth = json::max_depth_limit;
  const auto root = json::parse(in, deep);
  if (root) {
    std::vector<json::value> todo{*root};
    while (!todo.empty()) {
      const json::value v = todo.back();
      todo.pop_back();
      sink += v.unescaped_size() + v.size();
      for (const json::value& e : v.elements()) todo.push_back(e);
      for (const json::member& m : v.members()) {
        todo.push_back(m.key);
        todo.push_back(m.val);
      }
      (void)v.to_double();
    }
  }
  sink += eio::parse_handshake(in).offset();
  for (const auto version : {sio::protocol_version::v5, sio::protocol_version::v4}) {
    for (const bool lax : {false, true}) {
      sio::decode_options o;
      o.version = version;
      o.lax = lax;
      const auto r = sio::decode_header(in, o);
      sink += r.offset();
      if (r) {
        for (const sio::argument& a : sio::arguments(*r)) sink += a.json.raw().size();
        sink += sio::event_name(*r).raw().size();
      }
    }
  }
  // msgpack: the value validator and its lazy accessors, and the Socket.IO msgpack parser
  // (binary messages of both protocols, and the JSON text messages of protocol v4).
  const siocodec::byte_view bytes(in);
  mp::options deep_mp;
  deep_mp.max_depth = mp::max_depth_limit;
  for (const bool utf8 : {true, false}) {
    deep_mp.check_utf8 = utf8;
    const auto mroot = mp::parse(bytes, deep_mp);
    sink += mroot.offset();
    if (mroot) {
      std::vector<mp::value> todo{*mroot};
      while (!todo.empty()) {
        const mp::value v = todo.back();
        todo.pop_back();
        sink += v.raw().size() + v.get_string().size();
        for (const mp::value& e : v.elements()) todo.push_back(e);
        for (const mp::member& m : v.members()) {
          todo.push_back(m.key);
          todo.push_back(m.val);
        }
        (void)v.to_double();
        (void)v.to_int64();
      }
    }
  }
  for (const auto version : {sio::protocol_version::v5, sio::protocol_version::v4}) {
    for (const bool lax : {false, true}) {
      sio::decode_options o;
      o.version = version;
      o.lax = lax;
      const auto m = sio::msgpack_parser::decode(bytes, o);
      sink += m.offset();
      if (m) {
        for (const mp::value& a : sio::arguments(*m)) sink += a.raw().size();
        sink += sio::event_name(*m).raw().size();
      }
      sink += sio::msgpack_parser::decode_text(in, o).offset();
    }
  }
  return sink;
}

}  // namespace

TEST_CASE("decoders never read past the end or before the start of their input") {
  const std::vector<std::string> inputs = vector_inputs();
  // The committed vectors hold thousands of inputs; far fewer means the files were not found.
  REQUIRE(inputs.size() > 1000);
  guarded page;
  std::size_t sink = 0;
  for (const std::string& s : inputs) {
    const std::string_view at_end = page.place_at_end(s);
    REQUIRE(page.ok());
    sink += run_one_shot(at_end);
    sink += run_one_shot(page.place_at_start(s));
  }
  CHECK(sink != 0);
}

TEST_CASE("resumable decoders never read past a chunk they were fed") {
  const std::vector<std::string> inputs = vector_inputs();
  REQUIRE(inputs.size() > 1000);
  guarded page;
  std::size_t sink = 0;
  for (const std::string& s : inputs) {
    for (const std::size_t cut : {std::size_t{1}, std::size_t{3}, std::size_t{64}, s.size()}) {
      // Engine.IO polling bodies, every format.
      for (const auto version : {eio::protocol_version::v4, eio::protocol_version::v3}) {
        for (const auto kind : {eio::frame_kind::text, eio::frame_kind::binary}) {
          eio::decode_options o;
          o.version = version;
          eio::payload_decoder<> dec(kind, o);
          const auto on_packet = [&sink](const eio::packet_view& p) { sink += p.data.size(); };
          bool ok = true;
          for (std::size_t at = 0; ok && at < s.size(); at += cut) {
            ok = dec.feed(page.place_at_end(std::string_view(s).substr(at, cut)), on_packet).ok();
          }
          if (ok) (void)dec.finish(on_packet);
        }
      }
      // WebTransport streams.
      for (const auto mode : {b64::mode::strict, b64::mode::lax}) {
        eio::decode_options o;
        o.base64 = mode;
        wt::stream_decoder<> dec(o);
        for (std::size_t at = 0; at < s.size() && !dec.failed(); at += cut) {
          (void)dec.feed(page.place_at_end(std::string_view(s).substr(at, cut)),
                         [&sink](const eio::packet_view& p) { sink += p.data.size(); });
        }
      }
    }
    // The Socket.IO reassembler: the input as a text message, then as an attachment.
    for (const auto mode : {sio::attachment_mode::borrow, sio::attachment_mode::copy}) {
      sio::decoder dec({}, mode);
      const auto r = dec.feed(page.place_at_end(s), eio::frame_kind::text);
      sink += r.offset();
      if (r.error() == siocodec::errc::incomplete) {
        const auto a = dec.feed(page.place_at_end(s), eio::frame_kind::binary);
        sink += a.offset();
      }
    }
    // socketio::codec, both kinds and protocols: the input as a text message, as a binary
    // message and as a polling `b<base64>` message, and a walk of what it delivers.
    for (const auto kind : {sio::parser_kind::json, sio::parser_kind::msgpack}) {
      for (const auto version : {sio::protocol_version::v5, sio::protocol_version::v4}) {
        sio::decode_options o;
        o.version = version;
        sio::codec p(kind, sio::make_codec_options(o, sio::attachment_mode::copy));
        sio::codec lax(kind, [&o] {
          sio::codec_options c = sio::make_codec_options(o, sio::attachment_mode::copy);
          c.base64 = b64::mode::lax;
          return c;
        }());
        const auto walk = [&sink](const siocodec::result<sio::any_packet>& r) {
          sink += r.offset();
          if (!r) return;
          std::vector<sio::any_value> todo{r->data(), r->event_name()};
          for (const sio::any_value& a : r->arguments()) todo.push_back(a);
          // Bounded: the inputs are small and every value is visited once.
          while (!todo.empty()) {
            const sio::any_value v = todo.back();
            todo.pop_back();
            sink += v.size() + v.string_size() + v.bytes().size();
            for (const sio::any_value& e : v.elements()) todo.push_back(e);
            for (const sio::any_member& m : v.members()) todo.push_back(m.val);
          }
        };
        for (const auto fk : {eio::frame_kind::text, eio::frame_kind::binary}) {
          walk(p.decode(page.place_at_end(s), fk));
          if (p.waiting()) walk(p.decode(page.place_at_end(s), eio::frame_kind::binary));
          p.reset();
        }
        eio::packet_view b64msg{eio::packet_type::message, eio::data_kind::base64,
                                page.place_at_end(s)};
        walk(lax.decode(b64msg));
        lax.reset();
      }
    }
  }
  CHECK(sink != 0);
}

#else

TEST_CASE("decoders never read past the end or before the start of their input") {
  WARN("no mmap/mprotect on this platform: guard-page tests skipped");
}

#endif
