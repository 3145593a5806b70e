// SPDX-License-Identifier: BSL-1.0
// The nlohmann/json adapter (include/siocodec/adapters/nlohmann.hpp): payloads to nlohmann values
// with binaries as binary_t, nlohmann values as builder arguments, round trips through the
// encoders and decoders of both parsers (default and msgpack), and agreement with the npm
// reference vectors (socket.io-parser, notepack.io, socket.io-msgpack-parser).
//
// Expected texts marked "reference" are what socket.io-parser 4.2.7 (Encoder) and JSON.stringify
// / JSON.parse printed under node 20 for the same JavaScript values; expected msgpack bytes
// marked "reference" are what socket.io-msgpack-parser 3.0.2's Encoder (notepack.io 2.2.0)
// wrote.
//
// nlohmann is used here in its JSON_DIAGNOSTICS mode (its own ABI namespace, so it does not mix
// with the other translation units): every value then checks, in this Debug build, that its
// children point back to it, which catches a conversion that builds a tree behind nlohmann's back.
#include "support/catch.hpp"

#ifdef SIOCODEC_HAVE_NLOHMANN

#ifndef JSON_DIAGNOSTICS
#define JSON_DIAGNOSTICS 1
#endif

// g++ 12 at -O2 and above reports -Warray-bounds inside libstdc++'s _Rb_tree once nlohmann's
// object comparisons are inlined into the tests (a false positive: the "array" is a map node it
// cannot see whole). g++ checks pragmas at every place of the inlining chain, so disabling the
// warning over nlohmann's own headers (first included here) silences exactly those reports and
// keeps it on for this file's own code.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
#endif
#include <nlohmann/json.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include <siocodec/adapters/nlohmann.hpp>
#include <siocodec/engineio/packet.hpp>
#include <siocodec/json/value.hpp>
#include <siocodec/msgpack/value.hpp>
#include <siocodec/socketio.hpp>
#include <siocodec/socketio/codec.hpp>
#include <siocodec/socketio/default_parser/args.hpp>
#include <siocodec/socketio/default_parser/decode.hpp>
#include <siocodec/socketio/default_parser/decoder.hpp>
#include <siocodec/socketio/default_parser/encode.hpp>

#include "reference/differential/sio_support.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

using siocodec::byte_view;
using siocodec::errc;
namespace eio = siocodec::engineio;
namespace sio = siocodec::socketio;
namespace sj = siocodec::adapters::nlohmann_json;
using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

namespace {

constexpr std::uint64_t u64_max = std::numeric_limits<std::uint64_t>::max();
constexpr std::int64_t i64_min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t i64_max = std::numeric_limits<std::int64_t>::max();

template <class J>
std::string show(const J& j) {
  return j.dump(-1, ' ', false, J::error_handler_t::replace);
}

template <class J>
J bin(std::vector<std::uint8_t> bytes) {
  return J::binary(std::move(bytes));
}

// The first difference between two values, "" when they are the same: same types (an unsigned 5
// differs from a signed 5), same float bits (-0.0 differs from 0.0), same bytes and subtype,
// same object key order.
template <class J>
std::string strict_diff(const J& a, const J& b, const std::string& path = "$") {
  if (a.type() != b.type()) {
    return path + ": " + a.type_name() + " " + show(a) + " vs " + b.type_name() + " " + show(b);
  }
  switch (a.type()) {
    case J::value_t::number_float: {
      const double x = a.template get<double>();
      const double y = b.template get<double>();
      const bool same =
          (std::isnan(x) && std::isnan(y)) || (x == y && std::signbit(x) == std::signbit(y));
      return same ? "" : path + ": " + show(a) + " vs " + show(b);
    }
    case J::value_t::binary:
      return a.get_binary() == b.get_binary() ? "" : path + ": " + show(a) + " vs " + show(b);
    case J::value_t::array: {
      if (a.size() != b.size()) return path + ": array sizes " + show(a) + " vs " + show(b);
      for (std::size_t i = 0; i < a.size(); ++i) {
        std::string d = strict_diff(a[i], b[i], path + "[" + std::to_string(i) + "]");
        if (!d.empty()) return d;
      }
      return "";
    }
    case J::value_t::object: {
      if (a.size() != b.size()) return path + ": object sizes " + show(a) + " vs " + show(b);
      auto i = a.cbegin();
      auto k = b.cbegin();
      for (; i != a.cend(); ++i, ++k) {
        if (i.key() != k.key()) return path + ": key " + i.key() + " vs " + k.key();
        std::string d = strict_diff(i.value(), k.value(), path + "." + i.key());
        if (!d.empty()) return d;
      }
      return "";
    }
    default: return a == b ? "" : path + ": " + show(a) + " vs " + show(b);
  }
}

struct frames {
  std::string text;
  std::vector<std::string> atts;
};

// Encodes builder `b` (default parser) and copies its attachments out. ok false on error.
template <class B>
frames encode_frames(const B& b, errc& e, const sio::encode_options& eo = {}) {
  frames f;
  std::vector<byte_view> atts;
  const auto r = sio::encode(b, f.text, atts, eo);
  e = r ? errc::none : r.error();
  for (const byte_view a : atts) f.atts.emplace_back(a.as_chars());
  if (r) {
    // The other two encoder forms must agree with encode().
    const auto n = sio::encoded_size(b, eo);
    std::string to(f.text.size(), '#');
    std::vector<byte_view> atts2;
    const auto t = sio::encode_to(&to[0], to.size(), b, atts2, eo);
    if (!n || *n != f.text.size() || !t || to != f.text || atts2.size() != atts.size()) {
      e = errc::invalid_argument;
    }
  }
  return f;
}

template <class B>
frames encode_ok(const B& b, const sio::encode_options& eo = {}) {
  errc e = errc::none;
  frames f = encode_frames(b, e, eo);
  INFO("encode: " << siocodec::to_string(e));
  REQUIRE(e == errc::none);
  return f;
}

// Feeds `f` to `dec` as a WebSocket transport would deliver it; the last result.
siocodec::result<sio::packet_view> feed_all(sio::decoder& dec, const frames& f) {
  auto r = dec.feed(std::string_view(f.text), eio::frame_kind::text);
  for (const std::string& a : f.atts) {
    if (r || r.error() != errc::incomplete) break;
    r = dec.feed(byte_view(a), eio::frame_kind::binary);
  }
  return r;
}

std::string utf8(std::uint32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    s.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    s.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    s.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
  return s;
}

template <class J>
J parse_to(std::string_view text) {
  const auto v = siocodec::json::parse(text);
  REQUIRE(v);
  return sj::to_json<J>(*v);
}

// --- random values ----------------------------------------------------------------------------

// Random J values in the form a round trip gives back exactly: non-negative integers are
// number_unsigned, negative ones number_integer, and every float is one that JSON.stringify
// writes in a form read back as a float (not integral, or beyond the 64-bit integer range).
// Strings hold any Unicode scalar value, escapes-needing ASCII and NUL included.
class generator {
 public:
  explicit generator(std::uint64_t seed) : rng_(seed) {}

  std::size_t binaries = 0;
  std::size_t max_binaries = 40;

  template <class J>
  J value(int depth) {
    const int pick = below(depth <= 0 ? 8 : 11);
    switch (pick) {
      case 0: return J();
      case 1: return J(below(2) == 0);
      case 2: return J(unsigned_int());
      case 3: return J(negative_int());
      case 4: return J(canonical_float());
      case 5:
      case 6: return J(string());
      case 7:
        if (binaries < max_binaries) {
          ++binaries;
          return binary<J>();
        }
        return J(string());
      case 8: {
        J a = J::array();
        const int n = below(6);
        for (int i = 0; i < n; ++i) a.push_back(value<J>(depth - 1));
        return a;
      }
      default: {
        J o = J::object();
        const int n = below(6);
        for (int i = 0; i < n; ++i) o[string()] = value<J>(depth - 1);
        return o;
      }
    }
  }

  std::string string() {
    std::string s;
    const int n = below(4) == 0 ? below(40) : below(8);
    for (int i = 0; i < n; ++i) {
      switch (below(8)) {
        case 0: s += utf8(static_cast<std::uint32_t>(below(0x20))); break;  // controls, NUL
        case 1: s += "\"\\/\x7f"[below(4)]; break;
        case 2: s += utf8(static_cast<std::uint32_t>(0x80 + below(0x780))); break;
        case 3: {
          std::uint32_t cp = 0;
          do {
            cp = static_cast<std::uint32_t>(0x800 + below(0x10000 - 0x800));
          } while (cp >= 0xD800 && cp <= 0xDFFF);
          s += utf8(cp);
          break;
        }
        case 4: s += utf8(static_cast<std::uint32_t>(0x10000 + below(0x100000))); break;
        case 5: s += below(2) == 0 ? "\xE2\x80\xA8" : "\xEF\xBF\xBD"; break;  // U+2028, U+FFFD
        default: s.push_back(static_cast<char>('a' + below(26))); break;
      }
    }
    return s;
  }

  std::uint64_t unsigned_int() {
    switch (below(6)) {
      case 0: return static_cast<std::uint64_t>(below(10));
      case 1: return u64_max - static_cast<std::uint64_t>(below(3));
      case 2: return (std::uint64_t{1} << 53) + static_cast<std::uint64_t>(below(3)) - 1;
      case 3: return std::uint64_t{1} << 63;
      default: return rng_() >> below(64);
    }
  }

  std::int64_t negative_int() {
    switch (below(5)) {
      case 0: return -1 - below(10);
      case 1: return i64_min + below(3);
      case 2: return -(std::int64_t{1} << 53) - below(3) + 1;
      default: {
        const std::uint64_t mag = (rng_() >> below(64)) | 1;
        return mag > static_cast<std::uint64_t>(i64_max) ? i64_min
                                                         : -static_cast<std::int64_t>(mag);
      }
    }
  }

  double canonical_float() {
    for (;;) {
      double d = 0;
      switch (below(4)) {
        case 0: d = static_cast<double>(below(2000000) - 1000000) / 1000.0; break;
        case 1: d = std::ldexp(static_cast<double>(rng_() >> 11), -below(1100)); break;
        case 2: d = 1e21 * static_cast<double>(1 + below(1000)); break;
        default: {
          const std::uint64_t bits = rng_();
          std::memcpy(&d, &bits, sizeof d);
          break;
        }
      }
      if (below(2) == 0) d = -d;
      const bool integral = std::floor(d) == d;
      const bool beyond = d >= 18446744073709551616.0 || d < -9223372036854775808.0;
      if (std::isfinite(d) && (!integral || beyond)) return d;
    }
  }

  template <class J>
  J binary() {
    std::vector<std::uint8_t> b(static_cast<std::size_t>(below(4) == 0 ? below(300) : below(9)));
    for (auto& x : b) x = static_cast<std::uint8_t>(below(256));
    return J::binary(std::move(b));
  }

  int below(int n) { return static_cast<int>(rng_() % static_cast<std::uint64_t>(n)); }

 private:
  std::mt19937_64 rng_;
};

template <class J>
bool has_float_or_binary(const J& j) {
  if (j.is_number_float() || j.is_binary()) return true;
  if (j.is_structured()) {
    for (const J& e : j) {
      if (has_float_or_binary(e)) return true;
    }
  }
  return false;
}

// One round trip through the default parser (encoder and reassembly decoder, both attachment
// modes) and one through the msgpack parser; "" or what went wrong.
template <class J>
std::string round_trip(const J& args, std::uint64_t id) {
  sio::encode_options eo;
  eo.max_attachments = 1000;
  errc e = errc::none;
  const frames f = encode_frames(sio::event("ev", sj::spread(args)).nsp("/n").id(id), e, eo);
  if (e != errc::none) return std::string("encode: ") + siocodec::to_string(e);
  // nlohmann's own serializer writes what JSON.stringify writes for values without floats
  // (JavaScript and nlohmann format those differently) and binaries: an independent check of
  // the text.
  if (!has_float_or_binary(args)) {
    J whole = J::array();
    whole.push_back("ev");
    for (const J& a : args) whole.push_back(a);
    if (f.text != "2/n," + std::to_string(id) + whole.dump()) {
      return "text " + f.text + " vs nlohmann's " + whole.dump();
    }
  }
  sio::decode_options dopts;
  dopts.max_attachments = 1000;
  for (const auto mode : {sio::attachment_mode::borrow, sio::attachment_mode::copy}) {
    sio::decoder dec(dopts, mode);
    const auto p = feed_all(dec, f);
    if (!p) return std::string("decode: ") + siocodec::to_string(p.error()) + " of " + f.text;
    if (p->nsp != "/n" || p->id != id) return "header";
    std::string d = strict_diff(sj::arguments_of<J>(*p), args);
    if (!d.empty()) return "arguments_of: " + d;
    const J name = sj::event_name_of<J>(*p);
    if (name != J("ev")) return "event_name_of: " + show(name);
    const J whole = sj::to_json<J>(*p);
    if (!whole.is_array() || whole.size() != args.size() + 1) return "to_json: " + show(whole);
    for (std::size_t i = 0; i < args.size(); ++i) {
      d = strict_diff(whole[i + 1], args[i]);
      if (!d.empty()) return "to_json: " + d;
    }
  }
  // The msgpack parser: binaries inline, the same numbers kept (non-integral floats stay float
  // 64, integers take their smallest form and come back with their sign's type).
  std::string mp;
  const auto m = sio::msgpack_parser::encode(sio::ack(id, sj::spread(args)).nsp("/n"), mp);
  if (!m) return std::string("msgpack_parser::encode: ") + siocodec::to_string(m.error());
  const auto mpv = sio::msgpack_parser::decode(byte_view(mp));
  if (!mpv) return std::string("msgpack_parser::decode: ") + siocodec::to_string(mpv.error());
  if (mpv->nsp != "/n" || mpv->id != id) return "msgpack header";
  std::string d = strict_diff(sj::arguments_of<J>(*mpv), args);
  if (!d.empty()) return "msgpack arguments_of: " + d;
  d = strict_diff(sj::to_json<J>(sio::any_packet(*mpv)), args);
  if (!d.empty()) return "msgpack to_json(any_packet): " + d;
  return "";
}

// --- reference vectors ------------------------------------------------------------------------

// A vector's value description as J: {"$binary": hex} as binary_t and {"$number": text} as the
// double JavaScript held; false for the markers this adapter does not produce or take
// (undefined, BigInt, and msgpack's ArrayBuffer and Date).
bool from_description(const ojson& d, ojson& out) {
  if (d.is_array()) {
    out = ojson::array();
    for (const ojson& e : d) {
      ojson x;
      if (!from_description(e, x)) return false;
      out.push_back(std::move(x));
    }
    return true;
  }
  if (!d.is_object()) {
    out = d;
    return true;
  }
  const std::string m = siotest::marker_of(d);
  if (m == "$binary") {
    std::string bytes;
    if (!siocodec_test::unhex(d.begin()->get_ref<const std::string&>(), bytes)) return false;
    out = ojson::binary(std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
    return true;
  }
  if (m == "$number") {
    const std::string& t = d.begin()->get_ref<const std::string&>();
    out = t == "NaN" ? std::nan("") : siotest::to_double(t);
    return true;
  }
  if (!m.empty()) return false;
  if (d.size() == 1 && (d.begin().key() == "$arraybuffer" || d.begin().key() == "$date")) {
    return false;
  }
  out = ojson::object();
  for (auto it = d.begin(); it != d.end(); ++it) {
    ojson x;
    if (!from_description(it.value(), x)) return false;
    out[it.key()] = std::move(x);
  }
  return true;
}

// Our value with binary_t as {"$binary": hex}, for siotest::canonical(); a binary_t with a
// subtype (a msgpack extension) as [type, {"$binary": hex}], the array notepack.io makes of it.
ojson to_markers(const ojson& j) {
  if (j.is_binary()) {
    ojson m = ojson::object();
    m["$binary"] = siocodec_test::hex(byte_view(j.get_binary().data(), j.get_binary().size()));
    if (!j.get_binary().has_subtype()) return m;
    const auto type = static_cast<std::int8_t>(static_cast<std::uint8_t>(j.get_binary().subtype()));
    return ojson::array({static_cast<int>(type), m});
  }
  if (j.is_array()) {
    ojson a = ojson::array();
    for (const ojson& e : j) a.push_back(to_markers(e));
    return a;
  }
  if (j.is_object()) {
    ojson o = ojson::object();
    for (auto it = j.begin(); it != j.end(); ++it) o[it.key()] = to_markers(it.value());
    return o;
  }
  return j;
}

// The reference's value as this adapter must give it: a lone surrogate as U+FFFD (what the
// reference's TextEncoder writes), undefined as null, an ArrayBuffer as binary, a Date (msgpack
// `d7 00`: its milliseconds as a big-endian int 32 and uint 32) as the extension [0, bytes] that
// to_markers() gives. False for markers with no counterpart here (BigInt).
bool expected_of(const ojson& ref, ojson& out) {
  if (ref.is_array()) {
    out = ojson::array();
    for (const ojson& e : ref) {
      ojson x;
      if (!expected_of(e, x)) return false;
      out.push_back(std::move(x));
    }
    return true;
  }
  if (!ref.is_object()) {
    out = ref;
    return true;
  }
  const std::string m = siotest::marker_of(ref);
  if (m == "$undefined") {
    out = nullptr;
    return true;
  }
  if (m == "$utf16") {
    std::vector<std::uint16_t> u;
    if (!siotest::units_of_hex(ref.begin()->get_ref<const std::string&>(), u)) return false;
    std::string s;
    for (std::size_t i = 0; i < u.size(); ++i) {
      std::uint32_t cp = u[i];
      if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < u.size() && u[i + 1] >= 0xDC00 &&
          u[i + 1] <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (u[i + 1] - 0xDC00u);
        ++i;
      } else if (cp >= 0xD800 && cp <= 0xDFFF) {
        cp = 0xFFFD;
      }
      s += utf8(cp);
    }
    out = s;
    return true;
  }
  if (ref.size() == 1 && ref.begin().key() == "$date" && ref.begin()->is_number()) {
    const double ms = ref.begin()->get<double>();
    const double hi = std::floor(ms / 4294967296.0);
    const auto h = static_cast<std::uint32_t>(static_cast<std::int32_t>(hi));
    const auto l = static_cast<std::uint32_t>(ms - hi * 4294967296.0);
    std::string bytes;
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>(h >> (24 - 8 * i)));
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>(l >> (24 - 8 * i)));
    ojson data = ojson::object();
    data["$binary"] = siocodec_test::hex(bytes);
    out = ojson::array({0, data});
    return true;
  }
  if (ref.size() == 1 && ref.begin().key() == "$arraybuffer" && ref.begin()->is_string()) {
    out = ojson::object();
    out["$binary"] = *ref.begin();
    return true;
  }
  if (m == "$binary" || m == "$number") {
    out = ref;
    return true;
  }
  if (!m.empty() || (ref.size() == 1 && ref.begin().key().rfind('$', 0) == 0)) return false;
  out = ojson::object();
  for (auto it = ref.begin(); it != ref.end(); ++it) {
    ojson x;
    if (!expected_of(it.value(), x)) return false;
    out[it.key()] = std::move(x);
  }
  return true;
}

struct vector_counts {
  std::size_t sio_decoded = 0;
  std::size_t sio_encoded = 0;
  std::size_t mp_values_decoded = 0;
  std::size_t mp_values_encoded = 0;
  std::size_t mp_decoded = 0;
  std::size_t mp_encoded = 0;
  std::vector<std::string> failures;
};

sio::protocol_version version_of(const ojson& v) {
  const auto it = v.find("version");
  return it != v.end() && *it == 4 ? sio::protocol_version::v4 : sio::protocol_version::v5;
}

// sio.decode: every packet the decoder delivers converts to the reference's data.
void check_sio_decode(const ojson& v, const std::string& id, vector_counts& c) {
  const ojson& ref = v["ref"];
  const ojson& packets = ref["packets"];
  sio::decode_options opts;
  opts.version = version_of(v);
  if (const auto m = v.find("max_attachments"); m != v.end() && m->is_number_unsigned()) {
    opts.max_attachments = m->get<std::size_t>();
  }
  sio::decoder dec(opts, sio::attachment_mode::copy);
  std::size_t k = 0;
  std::vector<std::string> keep;  // the frames outlive the packets (copy mode needs none)
  for (const ojson& msg : v["messages"]) {
    siocodec::result<sio::packet_view> r{errc::incomplete, 0};
    if (const auto t = msg.find("text"); t != msg.end()) {
      keep.push_back(t->get<std::string>());
      r = dec.feed(std::string_view(keep.back()), eio::frame_kind::text);
    } else if (const auto b = msg.find("binary"); b != msg.end()) {
      std::string bytes;
      if (!siocodec_test::unhex(b->get_ref<const std::string&>(), bytes)) return;
      keep.push_back(bytes);
      r = dec.feed(byte_view(keep.back()), eio::frame_kind::binary);
    } else {
      return;  // base64 attachments and resets: nothing more for the adapter
    }
    if (!r) {
      if (r.error() == errc::incomplete) continue;
      return;
    }
    if (k >= packets.size()) {
      c.failures.push_back(id + ": more packets than the reference");
      return;
    }
    const ojson& want = packets[k++];
    const ojson ours = sj::to_json<ojson>(*r);
    const auto data = want.find("data");
    if (data == want.end()) {
      if (r->has_data()) c.failures.push_back(id + ": data where the reference has none");
      continue;
    }
    ojson expected;
    if (!expected_of(*data, expected)) continue;
    ++c.sio_decoded;
    if (siotest::canonical(to_markers(ours)) != siotest::canonical(expected)) {
      c.failures.push_back(id + ": to_json " + show(to_markers(ours)) + ", reference " +
                           show(expected));
      continue;
    }
    // event_name_of / arguments_of split the same payload.
    const ojson args = sj::arguments_of<ojson>(*r);
    if (r->type == sio::packet_type::event || r->type == sio::packet_type::binary_event) {
      ojson whole = ojson::array();
      whole.push_back(sj::event_name_of<ojson>(*r));
      for (const ojson& a : args) whole.push_back(a);
      if (!strict_diff(whole, ours).empty())
        c.failures.push_back(id + ": event_name_of/arguments_of");
    } else if (r->type == sio::packet_type::ack || r->type == sio::packet_type::binary_ack) {
      if (!strict_diff(args, ours).empty()) c.failures.push_back(id + ": arguments_of");
    }
  }
}

template <class B>
void compare_frames(const B& b, const ojson& want_frames, sio::protocol_version version,
                    const std::string& id, vector_counts& c) {
  sio::encode_options eo;
  eo.version = version;
  errc e = errc::none;
  const frames got = encode_frames(b, e, eo);
  if (e != errc::none) {
    c.failures.push_back(id + ": encode failed: " + siocodec::to_string(e));
    return;
  }
  frames want;
  for (const ojson& fr : want_frames) {
    if (const auto t = fr.find("text"); t != fr.end()) {
      want.text = t->get<std::string>();
    } else {
      std::string bytes;
      siocodec_test::unhex(fr["binary"].get_ref<const std::string&>(), bytes);
      want.atts.push_back(bytes);
    }
  }
  ++c.sio_encoded;
  if (got.text != want.text || got.atts != want.atts) {
    c.failures.push_back(id + ": wrote " + got.text + " (" + std::to_string(got.atts.size()) +
                         " attachments), reference " + want.text + " (" +
                         std::to_string(want.atts.size()) + ")");
  }
}

// sio.encode: the packet's data as ordered_json (the reference's key order), written by the
// adapter, gives the reference's frames byte for byte.
void check_sio_encode(const ojson& v, const std::string& id, vector_counts& c) {
  if (v.contains("ours")) return;  // our builders deliberately write something else
  const ojson& desc = v["packet"];
  const auto frames_it = v["ref"].find("frames");
  const auto data_it = desc.find("data");
  if (frames_it == v["ref"].end() || data_it == desc.end()) return;
  ojson data;
  if (!from_description(*data_it, data)) return;
  const std::string nsp = desc.value("nsp", std::string("/"));
  std::optional<std::uint64_t> ack_id;
  if (const auto i = desc.find("id"); i != desc.end()) {
    if (!i->is_number_unsigned()) return;
    ack_id = i->get<std::uint64_t>();
  }
  const sio::protocol_version version = version_of(v);
  const auto type = desc["type"].get<int>();
  if ((type == 2 || type == 5) && data.is_array() && !data.empty() && data[0].is_string()) {
    auto b = sio::event(data[0].get_ref<const std::string&>(), sj::spread(data, 1)).nsp(nsp);
    if (ack_id) b.id(*ack_id);
    compare_frames(b, *frames_it, version, id, c);
  } else if ((type == 3 || type == 6) && ack_id && data.is_array()) {
    compare_frames(sio::ack(*ack_id, sj::spread(data)).nsp(nsp), *frames_it, version, id, c);
  } else if (type == 0 && data.is_object() && version == sio::protocol_version::v5 &&
             nsp.find('?') == std::string::npos && !ack_id) {
    compare_frames(sio::connect(nsp, data), *frames_it, version, id, c);
  }
}

// --- msgpack vectors ---

bool has_binary(const ojson& j) {
  if (j.is_binary()) return true;
  if (j.is_structured()) {
    for (const ojson& e : j) {
      if (has_binary(e)) return true;
    }
  }
  return false;
}

// Our value against the reference's, as JavaScript would compare them (siotest::canonical():
// numbers as doubles, -0 as 0, objects unordered).
void compare_value(const ojson& ours, const ojson& expected, const std::string& id,
                   const char* what, vector_counts& c) {
  if (siotest::canonical(to_markers(ours)) != siotest::canonical(expected)) {
    c.failures.push_back(id + ": " + what + " " + show(to_markers(ours)) + ", reference " +
                         show(expected));
  }
}

// msgpack.decode (notepack.io values): to_json of the parsed value is the reference's value.
void check_mp_value_decode(const ojson& v, const std::string& id, vector_counts& c) {
  if (v.contains("ours")) return;  // errors here (lax strings: raw bytes, not the reference's)
  std::string bytes;
  if (!siocodec_test::unhex(v["binary"].get_ref<const std::string&>(), bytes)) return;
  const auto value = v["ref"].find("value");
  if (value == v["ref"].end()) return;
  ojson expected;
  if (!expected_of(*value, expected)) return;
  siocodec::msgpack::options deep;
  deep.max_depth = 1000;  // the vectors nest up to notepack.io's own limits
  const auto r = siocodec::msgpack::parse(byte_view(bytes), deep);
  if (!r) {
    c.failures.push_back(id + ": msgpack::parse failed: " + siocodec::to_string(r.error()));
    return;
  }
  ++c.mp_values_decoded;
  compare_value(sj::to_json<ojson>(*r), expected, id, "to_json", c);
  compare_value(sj::to_json<json>(*r), expected, id, "to_json<json>", c);
}

// msgpack.encode (notepack.io values): the value as a J, written by msgpack_parser::encode() as an
// ack argument, gives notepack.io's bytes (or our documented ones, "ours").
void check_mp_value_encode(const ojson& v, const std::string& id, vector_counts& c) {
  ojson value;
  if (!from_description(v["value"], value)) return;  // undefined, ArrayBuffer, Date: no J
  const ojson& want = v.contains("ours") ? v["ours"] : v["ref"];
  const auto want_bin = want.find("binary");
  if (want_bin == want.end()) return;
  std::string mp;
  const auto m = sio::msgpack_parser::encode(sio::ack(0, value), mp);
  ++c.mp_values_encoded;
  if (!m) {
    c.failures.push_back(id + ": msgpack_parser::encode: " + siocodec::to_string(m.error()));
    return;
  }
  const auto p = sio::msgpack_parser::decode(byte_view(mp));
  const auto args = p ? sio::arguments(*p) : sio::msgpack_argument_range();
  if (!p || args.size() != 1) {
    c.failures.push_back(id + ": our message does not decode to one argument");
    return;
  }
  const std::string got = siocodec_test::hex((*args.begin()).raw());
  if (got != want_bin->get_ref<const std::string&>()) {
    c.failures.push_back(id + ": msgpack wrote " + got + ", reference " +
                         want_bin->get_ref<const std::string&>());
  }
}

// sio_msgpack.decode: every message the decoder accepts converts to the reference's data,
// through the msgpack_packet_view and the any_packet overloads.
void check_mp_decode(const ojson& v, const std::string& id, vector_counts& c) {
  // The packet we give (the reference's, or our documented one); none for errors.
  const ojson& outcome = v.contains("ours") ? v["ours"] : v["ref"];
  const auto packet_it = outcome.find("packet");
  if (packet_it == outcome.end()) return;
  const ojson& packet = *packet_it;
  sio::decode_options opts;
  opts.version = version_of(v);
  const ojson& msg = v["message"];
  std::string bytes;
  sio::any_packet any;
  if (const auto t = msg.find("text"); t != msg.end()) {
    // A protocol v4 CONNECT / DISCONNECT / ERROR: JSON text, a packet_view.
    bytes = t->get<std::string>();
    const auto p = sio::msgpack_parser::decode_text(bytes, opts);
    if (!p) {
      c.failures.push_back(
          id + ": msgpack_parser::decode_text failed: " + siocodec::to_string(p.error()));
      return;
    }
    any = sio::any_packet(*p, sio::parser_kind::msgpack);
  } else {
    if (!siocodec_test::unhex(msg["binary"].get_ref<const std::string&>(), bytes)) return;
    const auto p = sio::msgpack_parser::decode(byte_view(bytes), opts);
    if (!p) {
      c.failures.push_back(id +
                           ": msgpack_parser::decode failed: " + siocodec::to_string(p.error()));
      return;
    }
    any = sio::any_packet(*p);
    // The msgpack_packet_view overloads and the any_packet ones agree.
    if (!strict_diff(sj::to_json<ojson>(*p), sj::to_json<ojson>(any)).empty() ||
        !strict_diff(sj::arguments_of<ojson>(*p), sj::arguments_of<ojson>(any)).empty() ||
        !strict_diff(sj::event_name_of<ojson>(*p), sj::event_name_of<ojson>(any)).empty()) {
      c.failures.push_back(id + ": the any_packet overloads differ");
    }
  }
  const ojson ours = sj::to_json<ojson>(any);
  const auto data = packet.find("data");
  if (data == packet.end()) {
    if (!ours.is_null()) c.failures.push_back(id + ": data where the reference has none");
    return;
  }
  ojson expected;
  if (!expected_of(*data, expected)) return;
  ++c.mp_decoded;
  compare_value(ours, expected, id, "to_json", c);
  // event_name_of / arguments_of split the same payload.
  const ojson args = sj::arguments_of<ojson>(any);
  const sio::packet_type t = any.type();
  if ((t == sio::packet_type::event || t == sio::packet_type::binary_event) && !ours.empty()) {
    ojson whole = ojson::array();
    whole.push_back(sj::event_name_of<ojson>(any));
    for (const ojson& a : args) whole.push_back(a);
    if (!strict_diff(whole, ours).empty())
      c.failures.push_back(id + ": event_name_of/arguments_of");
  } else if (t == sio::packet_type::ack || t == sio::packet_type::binary_ack) {
    if (!strict_diff(args, ours).empty()) c.failures.push_back(id + ": arguments_of");
  } else if (!args.empty()) {
    c.failures.push_back(id + ": arguments_of of a packet without arguments");
  }
}

// sio_msgpack.encode: the packet's data as ordered_json, written by the adapter through
// msgpack_parser::encode(), gives the reference's message byte for byte.
void check_mp_encode(const ojson& v, const std::string& id, vector_counts& c) {
  if (v.contains("ours")) return;  // our encoder deliberately refuses these
  const ojson& desc = v["packet"];
  const auto frames_it = v["ref"].find("frames");
  const auto data_it = desc.find("data");
  if (frames_it == v["ref"].end() || frames_it->size() != 1 ||
      !(*frames_it)[0].contains("binary") || data_it == desc.end()) {
    return;  // v4 text messages carry no J values
  }
  ojson data;
  if (!from_description(*data_it, data)) return;
  const std::string nsp = desc.value("nsp", std::string("/"));
  if (nsp.empty()) return;  // builders write "" as "/"
  std::optional<std::uint64_t> ack_id;
  if (const auto i = desc.find("id"); i != desc.end()) {
    if (!i->is_number_unsigned()) return;
    ack_id = i->get<std::uint64_t>();
  }
  const sio::protocol_version version = version_of(v);
  const bool v4 = version == sio::protocol_version::v4;
  const auto type = desc["type"].get<int>();
  // v4 builders write BINARY_EVENT / BINARY_ACK exactly when a binary value is written.
  if (v4 && (type == 2 || type == 3 || type == 5 || type == 6) &&
      has_binary(data) != (type == 5 || type == 6)) {
    return;
  }
  sio::encode_options eo;
  eo.version = version;
  std::string out;
  siocodec::result<std::size_t> r{errc::invalid_argument, 0};
  if ((type == 2 || type == 5) && data.is_array() && !data.empty() && data[0].is_string()) {
    auto b = sio::event(data[0].get_ref<const std::string&>(), sj::spread(data, 1)).nsp(nsp);
    if (ack_id) b.id(*ack_id);
    r = sio::msgpack_parser::encode(b, out, eo);
  } else if ((type == 3 || type == 6) && ack_id && data.is_array()) {
    r = sio::msgpack_parser::encode(sio::ack(*ack_id, sj::spread(data)).nsp(nsp), out, eo);
  } else if (type == 0 && !v4 && data.is_object() && !ack_id) {
    r = sio::msgpack_parser::encode(sio::connect(nsp, data), out, eo);
  } else {
    return;
  }
  ++c.mp_encoded;
  const std::string& want = (*frames_it)[0]["binary"].get_ref<const std::string&>();
  if (!r || siocodec_test::hex(out) != want) {
    c.failures.push_back(id + ": msgpack wrote " +
                         (r ? siocodec_test::hex(out) : siocodec::to_string(r.error())) +
                         ", reference " + want);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// JSON -> nlohmann
// ---------------------------------------------------------------------------------------------

TEST_CASE("to_json keeps integers exact and reads other numbers as JSON.parse does") {
  const json j = parse_to<json>(
      "[0, 18446744073709551615, 9223372036854775807, -9223372036854775808, 9007199254740993,"
      " -1, 18446744073709551616, -9223372036854775809, -0, 0.0, 1e21, 1.5, 1E2, 1e400, -1e400,"
      " 123456789012345678901234567890, -0.0]");
  REQUIRE(j.size() == 17);
  CHECK(j[0].is_number_unsigned());
  CHECK(j[0].get<std::uint64_t>() == 0);
  CHECK(j[1].is_number_unsigned());
  CHECK(j[1].get<std::uint64_t>() == u64_max);
  CHECK(j[2].is_number_unsigned());
  CHECK(j[2].get<std::uint64_t>() == static_cast<std::uint64_t>(i64_max));
  CHECK(j[3].is_number_integer());
  CHECK(!j[3].is_number_unsigned());
  CHECK(j[3].get<std::int64_t>() == i64_min);
  CHECK(j[4].is_number_unsigned());
  CHECK(j[4].get<std::uint64_t>() == 9007199254740993u);  // 2^53 + 1: no double holds it
  CHECK(j[5].is_number_integer());
  CHECK(j[5].get<std::int64_t>() == -1);
  // Beyond 64 bits: the double JavaScript holds (reference: 18446744073709552000,
  // -9223372036854776000).
  CHECK(j[6].is_number_float());
  CHECK(j[6].get<double>() == 18446744073709551616.0);
  CHECK(j[7].is_number_float());
  CHECK(j[7].get<double>() == -9223372036854775808.0);
  // JSON.parse("-0") is -0 (Object.is(JSON.parse("-0"), -0) is true in the reference).
  CHECK(j[8].is_number_float());
  CHECK(j[8].get<double>() == 0.0);
  CHECK(std::signbit(j[8].get<double>()));
  CHECK(j[9].is_number_float());
  CHECK(!std::signbit(j[9].get<double>()));
  CHECK(j[10].is_number_float());
  CHECK(j[10].get<double>() == 1e21);
  CHECK(j[11].get<double>() == 1.5);
  CHECK(j[12].is_number_float());
  CHECK(j[12].get<double>() == 100.0);
  CHECK(j[13].get<double>() == std::numeric_limits<double>::infinity());
  CHECK(j[14].get<double>() == -std::numeric_limits<double>::infinity());
  CHECK(j[15].get<double>() == 1.2345678901234568e+29);  // reference: 1.2345678901234568e+29
  CHECK(std::signbit(j[16].get<double>()));
}

TEST_CASE("to_json unescapes strings and keys, lone surrogates becoming U+FFFD") {
  const json j = parse_to<json>(
      R"(["\ud800", "\ud83d\ude00", "\u00e9", "a\"b\\c\/d\b\f\n\r\t\u0000", "\udc00x\ud800\ud800",)"
      R"( {"k\u00e9\n": 1}, "é😀"])");
  CHECK(j[0] == "\xEF\xBF\xBD");
  CHECK(j[1] == "\xF0\x9F\x98\x80");
  CHECK(j[2] == "\xC3\xA9");
  CHECK(j[3] == std::string("a\"b\\c/d\b\f\n\r\t\0", 13));
  CHECK(j[4] == "\xEF\xBF\xBDx\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(j[5].contains("k\xC3\xA9\n"));
  CHECK(j[6] == "\xC3\xA9\xF0\x9F\x98\x80");
}

TEST_CASE("to_json objects: ordered_json keeps the text's order, duplicates as JSON.parse") {
  const char* text = R"({"b":1,"a":{"z":true,"y":null},"c":[],"a2":{},"b":[2]})";
  const ojson o = parse_to<ojson>(text);
  std::vector<std::string> keys;
  for (auto it = o.begin(); it != o.end(); ++it) keys.push_back(it.key());
  // "b" keeps its first position and takes its last value, as JSON.parse does.
  CHECK(keys == std::vector<std::string>{"b", "a", "c", "a2"});
  CHECK(o["b"] == ojson::array({2}));
  CHECK(o["a"].begin().key() == "z");
  CHECK(o["c"].is_array());
  CHECK(o["a2"].is_object());
  const json j = parse_to<json>(text);
  CHECK(j.begin().key() == "a");  // nlohmann::json sorts
  CHECK(j["b"] == json::array({2}));
  CHECK(j.size() == 4);
  CHECK(sj::to_json(siocodec::json::value()).is_null());  // the absent value
}

TEST_CASE("to_json walks any depth without recursion") {
  // Far deeper than json::max_depth_limit (4096) and than a recursive walk's stack would allow
  // in an ASan build. Not deeper: json::value navigation rescans the nested text at every level
  // (O(bytes x depth), documented), so this test is quadratic in `depth`.
  constexpr std::size_t depth = 6000;
  std::string text(depth, '[');
  text += "7";
  text.append(depth, ']');
  std::string objects;
  for (std::size_t i = 0; i < depth; ++i) objects += R"({"k":)";
  objects += "[]";
  objects.append(depth, '}');
  // unchecked(): validate() would refuse such nesting; the conversion must not care.
  const json a = sj::to_json(siocodec::json::value::unchecked(text));
  const json o = sj::to_json(siocodec::json::value::unchecked(objects));
  std::size_t n = 0;
  const json* p = &a;
  while (p->is_array() && p->size() == 1) {
    p = &(*p)[0];
    ++n;
  }
  CHECK(n == depth);
  CHECK(*p == 7);
  n = 0;
  p = &o;
  while (p->is_object() && p->size() == 1) {
    p = &(*p)["k"];
    ++n;
  }
  CHECK(n == depth);
  CHECK(p->is_array());
}

TEST_CASE("to_json with a resolver asks about every object") {
  const auto v = siocodec::json::parse(R"([{"x":1},{"bin":2},{"a":{"bin":3}}])");
  REQUIRE(v);
  static const unsigned char bytes[] = {0xDE, 0xAD};
  std::size_t asked = 0;
  const json j = sj::to_json(*v, [&](const siocodec::json::value& o, byte_view& out) {
    ++asked;
    if (o.size() == 1 && o.members().begin()->key.string_equals("bin")) {
      out = byte_view(bytes, 2);
      return true;
    }
    return false;
  });
  CHECK(asked == 4);
  CHECK(j[0] == json{{"x", 1}});
  CHECK(j[1] == bin<json>({0xDE, 0xAD}));
  CHECK(j[2]["a"] == bin<json>({0xDE, 0xAD}));
  CHECK(!j[1].get_binary().has_subtype());
}

// ---------------------------------------------------------------------------------------------
// Packets -> nlohmann
// ---------------------------------------------------------------------------------------------

TEST_CASE("a decoded binary packet converts with its attachments in place") {
  const std::string header =
      R"(52-/chat,9["up",{"file":{"_placeholder":true,"num":1},"n":[{"_placeholder":true,"num":0}]},)"
      R"({"_placeholder":true,"num":0},"{\"_placeholder\":true,\"num\":0}"])";
  const std::string a0("\x01\x02", 2);
  const std::string a1;  // empty attachment
  sio::decoder dec;
  REQUIRE(dec.feed(std::string_view(header), eio::frame_kind::text).error() == errc::incomplete);
  REQUIRE(dec.feed(byte_view(a0), eio::frame_kind::binary).error() == errc::incomplete);
  const auto p = dec.feed(byte_view(a1), eio::frame_kind::binary);
  REQUIRE(p);
  const json args = sj::arguments_of(*p);
  REQUIRE(args.size() == 3);
  CHECK(args[0]["file"] == bin<json>({}));
  CHECK(args[0]["n"][0] == bin<json>({1, 2}));
  CHECK(args[1] == bin<json>({1, 2}));                   // the same attachment twice: two copies
  CHECK(args[2] == R"({"_placeholder":true,"num":0})");  // a string, not a placeholder
  CHECK(sj::event_name_of(*p) == "up");
  const json whole = sj::to_json(*p);
  CHECK(whole.size() == 4);
  CHECK(whole[0] == "up");
  CHECK(strict_diff(json(whole[1]), args[0]).empty());
  // One argument at a time, through socketio::arguments().
  std::vector<json> each;
  for (const sio::argument& a : sio::arguments(*p)) each.push_back(sj::to_json(a.json, *p));
  REQUIRE(each.size() == 3);
  CHECK(each[1] == bin<json>({1, 2}));
  CHECK(each[0]["file"].is_binary());
  // The copies outlive the decoder's storage.
  dec.reset();
  CHECK(static_cast<const std::vector<std::uint8_t>&>(args[1].get_binary()) ==
        std::vector<std::uint8_t>{1, 2});
}

TEST_CASE("placeholders stay objects until the attachments arrive, and in non-binary packets") {
  const auto header = sio::decode_header(R"(51-["x",{"_placeholder":true,"num":0}])");
  REQUIRE(header);
  CHECK(sj::arguments_of(*header) == json::array({{{"_placeholder", true}, {"num", 0}}}));
  const auto plain = sio::decode(R"(2["x",{"_placeholder":true,"num":0}])");
  REQUIRE(plain);
  CHECK(sj::arguments_of(*plain)[0].is_object());
  const auto ack = sio::decode(R"(3/a,12[1,"two",null])");
  REQUIRE(ack);
  CHECK(sj::arguments_of(*ack) == json::array({1, "two", nullptr}));
  CHECK(sj::event_name_of(*ack).is_null());
  const auto numeric = sio::decode(R"(2[42,true])");
  REQUIRE(numeric);
  CHECK(sj::event_name_of(*numeric) == 42);
  CHECK(sj::arguments_of(*numeric) == json::array({true}));
  const auto connect = sio::decode(R"(0/admin,{"token":"abc"})");
  REQUIRE(connect);
  CHECK(sj::to_json(*connect) == json{{"token", "abc"}});
  CHECK(sj::arguments_of(*connect) == json::array());
  const auto bare = sio::decode("1/admin,");
  REQUIRE(bare);
  CHECK(sj::to_json(*bare).is_null());
}

// ---------------------------------------------------------------------------------------------
// nlohmann -> encoding
// ---------------------------------------------------------------------------------------------

TEST_CASE("numbers are written as JSON.stringify writes them, integers with all their digits") {
  const json args =
      json::array({i64_min, i64_max, u64_max, 9007199254740993u, -0.0, 1e21, 1e-7, 0.1,
                   std::nan(""), std::numeric_limits<double>::infinity(),
                   -std::numeric_limits<double>::infinity(), 5e-324, 123456789012345680000.0,
                   1.7976931348623157e308, -1.5e-300, 0.000001, 18446744073709551616.0});
  const frames f = encode_ok(sio::event("n", sj::spread(args)));
  // From -0.0 on, the reference: JSON.stringify(["n",-0,1e21,1e-7,...]).
  CHECK(f.text ==
        R"(2["n",-9223372036854775808,9223372036854775807,18446744073709551615,9007199254740993,)"
        R"(0,1e+21,1e-7,0.1,null,null,null,5e-324,123456789012345680000,1.7976931348623157e+308,)"
        R"(-1.5e-300,0.000001,18446744073709552000])");
}

TEST_CASE("explicit round trips: int64 and uint64 extremes, 2^53 + 1, -0.0, 1e21") {
  // Non-negative integers as number_unsigned: the form decoding gives them.
  const json exact = json::array({i64_min, static_cast<std::uint64_t>(i64_max), u64_max,
                                  9007199254740993u, -9007199254740993, 1e21, -1e21, 0.5});
  CHECK(round_trip(exact, 1) == "");
  for (const json& a : exact) {
    const json one = json::array({a});
    CHECK(round_trip(one, 0) == "");
  }
  // Values JSON.stringify cannot tell apart from others come back as those others.
  const frames f = encode_ok(sio::event("z", -0.0, 2.0, std::nan("")));
  CHECK(f.text == R"(2["z",0,2,null])");
  const auto p = sio::decode(f.text);
  REQUIRE(p);
  const json back = sj::arguments_of(*p);
  CHECK(back[0].is_number_unsigned());
  CHECK(back[0] == 0u);
  CHECK(back[1].is_number_unsigned());
  CHECK(back[2].is_null());
}

TEST_CASE("strings are escaped as JSON.stringify escapes them") {
  const json s =
      std::string("\"\\/\b\f\n\r\t\x01\x1f\x7f\xE2\x80\xA8\xE2\x80\xA9\xC3\xA9\xF0\x9F\x98\x80") +
      std::string(1, '\0');
  const frames f = encode_ok(sio::event("s", s));
  // Reference: JSON.stringify(["s", "\"\\/\b\f\n\r\t\x01\x1f\x7f\u2028\u2029é😀\0"]).
  CHECK(f.text == std::string(R"(2["s","\"\\/\b\f\n\r\t\u0001\u001f)") +
                      "\x7f\xE2\x80\xA8\xE2\x80\xA9\xC3\xA9\xF0\x9F\x98\x80" + R"(\u0000"])");
  CHECK(round_trip(json::array({s, json{{s.get<std::string>(), s}}}), 3) == "");
}

TEST_CASE("binaries become placeholders and attachments in document order") {
  SECTION("as the only argument, of an event and of an ack") {
    const json b = bin<json>({1, 2, 3});
    // Reference: ["51-[\"up\",{\"_placeholder\":true,\"num\":0}]", <01 02 03>].
    const frames e = encode_ok(sio::event("up", b));
    CHECK(e.text == R"(51-["up",{"_placeholder":true,"num":0}])");
    CHECK(e.atts == std::vector<std::string>{"\x01\x02\x03"});
    // Reference: ["61-7[{\"_placeholder\":true,\"num\":0}]", <01 02 03>].
    const frames a = encode_ok(sio::ack(7, b));
    CHECK(a.text == R"(61-7[{"_placeholder":true,"num":0}])");
    CHECK(a.atts == e.atts);
  }
  SECTION("nested at depth 5, then an empty one") {
    json deep = json::object();
    deep["a"] = json::array({json{{"b", json::array({json{{"c", bin<json>({9})}}})}}});
    const frames f = encode_ok(sio::event("deep", deep, bin<json>({})));
    // Reference: the same value with Buffers.
    CHECK(f.text == R"(52-["deep",{"a":[{"b":[{"c":{"_placeholder":true,"num":0}}]}]},)"
                    R"({"_placeholder":true,"num":1}])");
    CHECK(f.atts == std::vector<std::string>{"\x09", ""});
    sio::decoder dec;
    const auto p = feed_all(dec, f);
    REQUIRE(p);
    const json back = sj::arguments_of(*p);
    CHECK(back[0]["a"][0]["b"][0]["c"] == bin<json>({9}));
    CHECK(back[1] == bin<json>({}));
    CHECK(strict_diff(back, json::array({deep, bin<json>({})})).empty());
  }
  SECTION("numbered in iteration order: sorted keys for json, insertion order for ordered_json") {
    ojson o = ojson::object();
    o["z"] = bin<ojson>({1});
    o["a"] = bin<ojson>({2});
    const frames fo = encode_ok(sio::event("o", o));
    // Reference (a JavaScript object keeps insertion order too).
    CHECK(fo.text ==
          R"(52-["o",{"z":{"_placeholder":true,"num":0},"a":{"_placeholder":true,"num":1}}])");
    CHECK(fo.atts == std::vector<std::string>{"\x01", "\x02"});
    json j = json::object();
    j["z"] = bin<json>({1});
    j["a"] = bin<json>({2});
    const frames fj = encode_ok(sio::event("o", j));
    CHECK(fj.text ==
          R"(52-["o",{"a":{"_placeholder":true,"num":0},"z":{"_placeholder":true,"num":1}}])");
    CHECK(fj.atts == std::vector<std::string>{"\x02", "\x01"});
  }
  SECTION("the attachments are views of the value's bytes") {
    const json b = bin<json>({4, 5});
    std::string text;
    std::vector<byte_view> atts;
    REQUIRE(sio::encode(sio::event("v", b), text, atts));
    REQUIRE(atts.size() == 1);
    CHECK(atts[0].data() == b.get_binary().data());
  }
  SECTION("a subtype is not written") {
    const json b = json::binary({7}, 42);
    const frames f = encode_ok(sio::event("t", b));
    CHECK(f.atts == std::vector<std::string>{"\x07"});
  }
}

TEST_CASE("object keys follow the value's iteration order") {
  json j = json::object();
  ojson o = ojson::object();
  for (const char* k : {"b", "a", "c", "10", "2"}) {
    j[k] = 1u;  // unsigned: the type decoding gives a non-negative integer back
    o[k] = 1u;
  }
  CHECK(encode_ok(sio::event("k", j)).text == R"(2["k",{"10":1,"2":1,"a":1,"b":1,"c":1}])");
  CHECK(encode_ok(sio::event("k", o)).text == R"(2["k",{"b":1,"a":1,"c":1,"10":1,"2":1}])");
  CHECK(round_trip(ojson::array({o, ojson::array({o})}), 2) == "");
  CHECK(round_trip(json::array({j}), 2) == "");
}

TEST_CASE("nlohmann values wherever a value goes") {
  const json j = {{"k", 1}};
  std::vector<json> list{j, json("s")};
  CHECK(encode_ok(sio::event("c", list, sio::array(j, 2), sio::object("x", j))).text ==
        R"(2["c",[{"k":1},"s"],[{"k":1},2],{"x":{"k":1}}])");
  CHECK(encode_ok(sio::connect("/admin", j)).text == R"(0/admin,{"k":1})");
  CHECK(encode_ok(sio::connect_error("no", j)).text == R"(4{"message":"no","data":{"k":1}})");
  // spread(): every element an argument, from `first` on; a non-array is one argument.
  const json data = json::array({"name", 1, json::array({2}), nullptr});
  CHECK(encode_ok(sio::event("e", sj::spread(data, 1))).text == R"(2["e",1,[2],null])");
  CHECK(encode_ok(sio::event("e", sj::spread(data, 9))).text == R"(2["e"])");
  CHECK(encode_ok(sio::ack(3, sj::spread(data))).text == R"(33["name",1,[2],null])");
  CHECK(encode_ok(sio::event("e", sj::spread(j))).text == R"(2["e",{"k":1}])");
  CHECK(encode_ok(sio::event("e", json::array())).text == R"(2["e",[]])");
  CHECK(encode_ok(sio::event("e", json::object())).text == R"(2["e",{}])");
}

TEST_CASE("what cannot be written is the encoder's error") {
  errc e = errc::none;
  const auto fails = [&e](const auto& b, const sio::encode_options& eo = {}) {
    const frames f = encode_frames(b, e, eo);
    return f.text.empty() && f.atts.empty() ? e : errc::none;
  };
  const json bad_string = std::string("a\xC3(", 3);
  json bad_key = json::object();
  bad_key[std::string("\xFF", 1)] = 1;
  CHECK(fails(sio::event("u", bad_string)) == errc::invalid_utf8);
  CHECK(fails(sio::event("u", json::array({1, bad_key}))) == errc::invalid_utf8);
  CHECK(fails(sio::event("d", json(json::value_t::discarded))) == errc::invalid_argument);
  CHECK(fails(sio::event("d", json::array({json::parse("[", nullptr, false)}))) ==
        errc::invalid_argument);
  CHECK(fails(sio::connect("/", json{{"b", bin<json>({1})}})) == errc::invalid_argument);
  CHECK(fails(sio::connect("/", json::array())) == errc::invalid_argument);  // auth: an object
  json many = json::array();
  for (int i = 0; i < 11; ++i) many.push_back(bin<json>({1}));
  CHECK(fails(sio::event("m", many)) == errc::too_many_attachments);  // default limit: 10
  sio::encode_options eo;
  eo.max_attachments = 11;
  CHECK(fails(sio::event("m", many), eo) == errc::none);

  // Deeper than max_depth: refused, and the walk stops there (no recursion at any depth).
  json deep = json::array();
  json* p = &deep;
  for (int i = 0; i < 200000; ++i) {
    p->push_back(json::array());
    p = &(*p)[0];
  }
  CHECK(fails(sio::event("deep", deep)) == errc::nesting_too_deep);
  std::string mp;
  const auto m = sio::msgpack_parser::encode(sio::event("deep", deep), mp);
  CHECK(!m);
  CHECK(m.error() == errc::nesting_too_deep);
  CHECK(mp.empty());
  // The default max_depth is 128: the event's `[`, then at most 127 levels in an argument.
  json limit = 1;
  for (int i = 0; i < 128; ++i) limit = json::array({limit});
  CHECK(fails(sio::event("ok", limit)) == errc::nesting_too_deep);
  limit = limit[0];
  CHECK(fails(sio::event("ok", limit)) == errc::none);
}

// ---------------------------------------------------------------------------------------------
// msgpack
// ---------------------------------------------------------------------------------------------

TEST_CASE("msgpack values convert, binaries inline, every integer exact") {
  // [nil, undefined, true, uint 64 max, int 64 min, -1, float 32 1.5, float 64 NaN, "é",
  //  bin 01 02, ext 8 of type 0 (ArrayBuffer) 03, fixext 1 of type 5 09, Date (d7 00 ...),
  //  fixext 1 of type -1 07, float 64 -0, a map with keys of every kind (below)]
  std::string bytes;
  REQUIRE(siocodec_test::unhex("dc0010"
                               "c0"
                               "d40000"
                               "c3"
                               "cfffffffffffffffff"
                               "d38000000000000000"
                               "ff"
                               "ca3fc00000"
                               "cb7ff8000000000000"
                               "a2c3a9"
                               "c4020102"
                               "c7010003"
                               "d40509"
                               "d7000000000000000001"
                               "d4ff07"
                               "cb8000000000000000"
                               // {1: "one", -2: 2, true: 3, nil: 4, 1.5: 5, bin 00: 6, "s": 7,
                               //  "s": 8, undefined: 9, uint 64 max: 10, NaN: 11, [1]: 12, -0.0:
                               //  13, 1e21: 14}
                               "8e"
                               "01a36f6e65"
                               "fe02"
                               "c303"
                               "c004"
                               "cb3ff800000000000005"
                               "c4010006"
                               "a17307"
                               "a17308"
                               "d4000009"
                               "cfffffffffffffffff0a"
                               "cb7ff80000000000000b"
                               "91010c"
                               "cb80000000000000000d"
                               "cb444b1ae4d6e2ef500e",
                               bytes));
  const auto v = siocodec::msgpack::parse(byte_view(bytes));
  REQUIRE(v);
  const json j = sj::to_json(*v);
  REQUIRE(j.size() == 16);
  CHECK(j[0].is_null());
  CHECK(j[1].is_null());
  CHECK(j[2] == true);
  CHECK(j[3].is_number_unsigned());
  CHECK(j[3].get<std::uint64_t>() == u64_max);
  CHECK(j[4].is_number_integer());
  CHECK(j[4].get<std::int64_t>() == i64_min);
  CHECK(j[5].is_number_integer());
  CHECK(j[5].get<std::int64_t>() == -1);
  CHECK(j[6].is_number_float());
  CHECK(j[6].get<double>() == 1.5);
  CHECK(std::isnan(j[7].get<double>()));
  CHECK(j[8] == "\xC3\xA9");
  CHECK(j[9] == bin<json>({1, 2}));
  CHECK(!j[9].get_binary().has_subtype());
  CHECK(j[10] == bin<json>({3}));
  CHECK(!j[10].get_binary().has_subtype());
  CHECK(j[11] == json::binary({9}, 5));
  CHECK(j[12] == json::binary({0, 0, 0, 0, 0, 0, 0, 1}, 0));
  CHECK(j[13] == json::binary({7}, 255));  // type -1, as nlohmann's from_msgpack() gives it
  CHECK(j[14].is_number_float());
  CHECK(std::signbit(j[14].get<double>()));
  // Keys as JavaScript's String() makes them. Reference (notepack.io, Object.entries): [["0",13],
  // ["1",12],["-2",2],["true",3],["null",4],["1.5",5],["\u0000",6],["s",8],["undefined",9],
  // ["18446744073709552000",10],["NaN",11],["1e+21",14]]: the same but for the bin key and the
  // array key [1] (which JavaScript names "1", overwriting 1: "one"), skipped here.
  const json keys = j[15];
  CHECK(keys == json({{"1", "one"},
                      {"-2", 2},
                      {"true", 3},
                      {"null", 4},
                      {"1.5", 5},
                      {"s", 8},
                      {"undefined", 9},
                      {"18446744073709552000", 10},
                      {"NaN", 11},
                      {"0", 13},
                      {"1e+21", 14}}));
  // ordered_json: the message's order, a duplicate at its first position with its last value.
  const ojson o = sj::to_json<ojson>(*v);
  std::vector<std::string> order;
  for (auto it = o[15].begin(); it != o[15].end(); ++it) order.push_back(it.key());
  CHECK(order == std::vector<std::string>{"1", "-2", "true", "null", "1.5", "s", "undefined",
                                          "18446744073709552000", "NaN", "0", "1e+21"});
  CHECK(o[15]["s"] == 8);
  CHECK(sj::to_json(siocodec::msgpack::value()).is_null());  // the absent value
}

TEST_CASE("to_json walks msgpack of any depth without recursion") {
  // Deeper than msgpack's validation allows: unchecked(). Quadratic (each value skips its
  // contents to find its end), hence not deeper.
  constexpr std::size_t depth = 6000;
  std::string arrays(depth, '\x91');
  arrays += '\x07';
  std::string maps;
  for (std::size_t i = 0; i < depth; ++i) maps += "\x81\xa1k";
  maps += '\x90';
  const json a = sj::to_json(siocodec::msgpack::value::unchecked(byte_view(arrays)));
  const json o = sj::to_json(siocodec::msgpack::value::unchecked(byte_view(maps)));
  std::size_t n = 0;
  const json* p = &a;
  while (p->is_array() && p->size() == 1) {
    p = &(*p)[0];
    ++n;
  }
  CHECK(n == depth);
  CHECK(*p == 7);
  n = 0;
  p = &o;
  while (p->is_object() && p->size() == 1) {
    p = &(*p)["k"];
    ++n;
  }
  CHECK(n == depth);
  CHECK(p->is_array());
}

TEST_CASE("msgpack packets convert, and nlohmann values encode for the msgpack parser") {
  // 1u: decoding gives a non-negative integer back as number_unsigned (strict_diff compares
  // types).
  const json args = json::array({1u, -2, 2.5, "x", bin<json>({0xAA}), json{{"k", nullptr}}});
  std::string out;
  const auto r =
      sio::msgpack_parser::encode(sio::event("m", sj::spread(args)).nsp("/q").id(5), out);
  REQUIRE(r);
  // Reference: {type: 2, nsp: "/q", data: ["m", 1, -2, 2.5, "x", Buffer<aa>, {k: null}], id: 5}.
  CHECK(siocodec_test::hex(out) == "84a474797065"
                                   "02"
                                   "a36e7370"
                                   "a22f71"
                                   "a464617461"
                                   "97"
                                   "a16d"
                                   "01"
                                   "fe"
                                   "cb4004000000000000"
                                   "a178"
                                   "c401aa"
                                   "81a16bc0"
                                   "a26964"
                                   "05");
  // The other two encoder forms agree.
  const auto n =
      sio::msgpack_parser::encoded_size(sio::event("m", sj::spread(args)).nsp("/q").id(5));
  REQUIRE(n);
  CHECK(*n == out.size());
  std::string to(out.size(), '#');
  const auto t = sio::msgpack_parser::encode_to(&to[0], to.size(),
                                                sio::event("m", sj::spread(args)).nsp("/q").id(5));
  CHECK(t);
  CHECK(to == out);
  const auto p = sio::msgpack_parser::decode(byte_view(out));
  REQUIRE(p);
  CHECK(strict_diff(sj::arguments_of(*p), args).empty());
  CHECK(sj::event_name_of(*p) == "m");
  const json whole = sj::to_json(*p);
  REQUIRE(whole.size() == 7);
  CHECK(whole[0] == "m");
  CHECK(whole[5] == bin<json>({0xAA}));
  // The binary_t's bytes are copies: they outlive the message.
  const json kept = sj::arguments_of(*p);
  out.assign(out.size(), '\0');
  CHECK(kept[4] == bin<json>({0xAA}));

  // A CONNECT without data; an EVENT with an empty array (the msgpack parser allows it).
  const auto bare =
      sio::msgpack_parser::decode(byte_view(std::string_view("\x82\xa4type\x00\xa3nsp\xa1/", 13)));
  REQUIRE(bare);
  CHECK(sj::to_json(*bare).is_null());
  CHECK(sj::arguments_of(*bare) == json::array());
  CHECK(sj::event_name_of(*bare).is_null());
  const auto empty =
      sio::msgpack_parser::decode(byte_view(std::string_view("\x83\xa4type\x02\xa3nsp\xa1/\xa4"
                                                             "data\x90",
                                                             19)));
  REQUIRE(empty);
  CHECK(sj::to_json(*empty) == json::array());
  CHECK(sj::arguments_of(*empty) == json::array());
  CHECK(sj::event_name_of(*empty).is_null());
  // A non-string event name converts as it is; an ACK has no name.
  std::string ack;
  REQUIRE(
      sio::msgpack_parser::encode(sio::ack(7, json::array({1, "two"}), nullptr).nsp("/a"), ack));
  const auto a = sio::msgpack_parser::decode(byte_view(ack));
  REQUIRE(a);
  CHECK(sj::event_name_of(*a).is_null());
  CHECK(sj::arguments_of(*a) == json::array({json::array({1, "two"}), nullptr}));
  const auto numeric =
      sio::msgpack_parser::decode(byte_view(std::string_view("\x83\xa4type\x02\xa3nsp\xa1/\xa4"
                                                             "data\x92\x2a\xc3",
                                                             21)));
  REQUIRE(numeric);
  CHECK(sj::event_name_of(*numeric) == 42);
  CHECK(sj::arguments_of(*numeric) == json::array({true}));
}

TEST_CASE("msgpack: a CONNECT's auth and a CONNECT_ERROR's data, binaries included") {
  std::string out;
  REQUIRE(sio::msgpack_parser::encode(sio::connect("/", json{{"b", bin<json>({1})}}), out));
  // Reference: {type: 0, nsp: "/", data: {b: Buffer<01>}}.
  CHECK(siocodec_test::hex(out) == "83a47479706500a36e7370a12fa46461746181a162c40101");
  const auto p = sio::msgpack_parser::decode(byte_view(out));
  REQUIRE(p);
  CHECK(sj::to_json(*p) == json{{"b", bin<json>({1})}});
  CHECK(sj::arguments_of(*p) == json::array());
  std::string err;
  REQUIRE(sio::msgpack_parser::encode(sio::connect_error("no", json{{"code", 7}}), err));
  const auto e = sio::msgpack_parser::decode(byte_view(err));
  REQUIRE(e);
  CHECK(sj::to_json(*e) == json{{"message", "no"}, {"data", {{"code", 7}}}});
}

TEST_CASE("msgpack: what cannot be written is the encoder's error") {
  const auto fails = [](const auto& b) {
    std::string out;
    const auto r = sio::msgpack_parser::encode(b, out);
    return r ? errc::none : (out.empty() ? r.error() : errc::incomplete);
  };
  json bad_key = json::object();
  bad_key[std::string("\xFF", 1)] = 1;
  CHECK(fails(sio::event("u", json(std::string("a\xC3(", 3)))) == errc::invalid_utf8);
  CHECK(fails(sio::event("u", json::array({1, bad_key}))) == errc::invalid_utf8);
  CHECK(fails(sio::event("d", json(json::value_t::discarded))) == errc::invalid_argument);
  CHECK(fails(sio::connect("/", json::array())) == errc::invalid_argument);  // auth: a map
  // Binaries are inline: no attachment limit.
  json many = json::array();
  for (int i = 0; i < 11; ++i) many.push_back(bin<json>({1}));
  CHECK(fails(sio::event("m", many)) == errc::none);
  // The default max_depth is 128 for msgpack too: the event's array, then 127 levels.
  json limit = 1;
  for (int i = 0; i < 128; ++i) limit = json::array({limit});
  CHECK(fails(sio::event("ok", limit)) == errc::nesting_too_deep);
  limit = limit[0];
  CHECK(fails(sio::event("ok", limit)) == errc::none);
}

TEST_CASE("any_packet: packets of either parser convert through one call") {
  // The default parser: a binary event, its attachment in place.
  sio::codec dp(sio::parser_kind::json);
  const std::string header = R"(51-/x,["up",{"_placeholder":true,"num":0}])";
  REQUIRE(dp.decode(std::string_view(header), eio::frame_kind::text).error() == errc::incomplete);
  const std::string att("\x05\x06", 2);
  const auto d = dp.decode(byte_view(att), eio::frame_kind::binary);
  REQUIRE(d);
  CHECK(!d->is_msgpack());
  CHECK(sj::to_json(*d) == json::array({"up", bin<json>({5, 6})}));
  CHECK(sj::event_name_of(*d) == "up");
  CHECK(sj::arguments_of(*d) == json::array({bin<json>({5, 6})}));
  // The msgpack parser: the same event, the binary inline.
  std::string mp;
  REQUIRE(sio::msgpack_parser::encode(sio::event("up", bin<json>({5, 6})).nsp("/x"), mp));
  sio::codec mpp(sio::parser_kind::msgpack);
  const auto m = mpp.decode(byte_view(mp), eio::frame_kind::binary);
  REQUIRE(m);
  CHECK(m->is_msgpack());
  CHECK(sj::to_json(*m) == sj::to_json(*d));
  CHECK(sj::event_name_of(*m) == "up");
  CHECK(sj::arguments_of<ojson>(*m) == ojson::array({bin<ojson>({5, 6})}));
  // A protocol v4 msgpack text packet (JSON, a packet_view behind the msgpack parser).
  sio::decode_options v4;
  v4.version = sio::protocol_version::v4;
  sio::codec mp4(sio::parser_kind::msgpack, sio::make_codec_options(v4));
  const auto t = mp4.decode(std::string_view(R"({"type":4,"nsp":"/","data":"Not authorized"})"),
                            eio::frame_kind::text);
  REQUIRE(t);
  CHECK(!t->is_msgpack());
  CHECK(t->parser() == sio::parser_kind::msgpack);
  CHECK(sj::to_json(*t) == "Not authorized");
  CHECK(sj::arguments_of(*t) == json::array());
  CHECK(sj::to_json(sio::any_packet()).is_null());
}

// ---------------------------------------------------------------------------------------------
// Random round trips
// ---------------------------------------------------------------------------------------------

TEST_CASE("random values round-trip through both parsers: json and ordered_json") {
  generator g(20260704);
  std::size_t tried = 0, failed = 0;
  std::string first_failure;
  const auto run = [&](const auto& args) {
    ++tried;
    const std::string d = round_trip(args, tried);
    if (!d.empty() && failed++ == 0) first_failure = d + " in " + show(args);
  };
  for (int i = 0; i < 3000; ++i) {
    g.binaries = 0;
    json args = json::array();
    const int n = g.below(5);
    for (int k = 0; k < n; ++k) args.push_back(g.value<json>(4));
    run(args);
    g.binaries = 0;
    ojson oargs = ojson::array();
    const int m = g.below(5);
    for (int k = 0; k < m; ++k) oargs.push_back(g.value<ojson>(4));
    run(oargs);
  }
  INFO(first_failure);
  CHECK(tried == 6000);
  CHECK(failed == 0);
}

// ---------------------------------------------------------------------------------------------
// The npm reference
// ---------------------------------------------------------------------------------------------

TEST_CASE("the adapter agrees with the npm reference vectors") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(SIOCODEC_TEST_DATA_DIR) / "reference" / "vectors";
  vector_counts c;
  for (const char* name : {"socketio_v5.jsonl", "socketio_v4.jsonl", "msgpack_values.jsonl",
                           "msgpack_v5.jsonl", "msgpack_v4.jsonl"}) {
    std::ifstream in(dir / name, std::ios::binary);
    REQUIRE(in.good());
    std::string line;
    while (std::getline(in, line)) {
      const ojson v = ojson::parse(line, nullptr, false);
      REQUIRE(v.is_object());
      const std::string id = v.value("id", std::string());
      const std::string op = v.value("op", std::string());
      if (op == "sio.decode" && !v.contains("ours")) check_sio_decode(v, id, c);
      if (op == "sio.encode") check_sio_encode(v, id, c);
      if (op == "msgpack.decode") check_mp_value_decode(v, id, c);
      if (op == "msgpack.encode") check_mp_value_encode(v, id, c);
      if (op == "sio_msgpack.decode") check_mp_decode(v, id, c);
      if (op == "sio_msgpack.encode") check_mp_encode(v, id, c);
    }
  }
  for (const std::string& f : c.failures) FAIL_CHECK(f);
  CAPTURE(c.sio_decoded, c.sio_encoded, c.mp_values_decoded, c.mp_values_encoded, c.mp_decoded,
          c.mp_encoded);
  // Enough of each kind that a filter gone wrong cannot pass by checking nothing.
  CHECK(c.sio_decoded >= 80);
  CHECK(c.sio_encoded >= 20);
  CHECK(c.mp_values_decoded >= 80);
  CHECK(c.mp_values_encoded >= 50);
  CHECK(c.mp_decoded >= 80);
  CHECK(c.mp_encoded >= 20);
}

#else

TEST_CASE("nlohmann adapter tests need nlohmann/json") {
  WARN("nlohmann/json not found: include/siocodec/adapters/nlohmann.hpp was not tested");
}

#endif  // SIOCODEC_HAVE_NLOHMANN
