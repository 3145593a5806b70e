// SPDX-License-Identifier: BSL-1.0
// Walks the reference conformance vectors (tests/reference/vectors/*.jsonl, generated from the npm
// engine.io-parser 5.2.3 / 2.2.1 and Node's base64 by tests/reference/generate.js) and checks
// siocodec against what the reference did ("ref"), or against our documented deviation ("ours").
//
// Ops checked here: eio.decode_packet, eio.encode_packet, eio.decode_payload,
// eio.encode_payload, wt.encode, wt.decode, base64.decode, base64.encode. Other ops (Socket.IO
// vectors in the same directory) are left to their own walkers.
#include "support/catch.hpp"
#include "support/hex.hpp"

#ifdef SIOCODEC_HAVE_NLOHMANN

#include <siocodec/base64.hpp>
#include <siocodec/engineio/decode.hpp>
#include <siocodec/engineio/encode.hpp>
#include <siocodec/engineio/packet.hpp>
#include <siocodec/engineio/payload.hpp>
#include <siocodec/engineio/webtransport.hpp>
#include <siocodec/utf8.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace eio = siocodec::engineio;
namespace wt = siocodec::engineio::webtransport;
namespace b64 = siocodec::base64;
using json = nlohmann::json;

namespace {

// --- small helpers ----------------------------------------------------------------------------

// A failure message for one vector; collected and reported together at the end.
struct walker {
  std::vector<std::string> failures;
  std::map<std::string, std::size_t> counts;

  void fail(const std::string& id, const std::string& what) {
    failures.push_back(id + ": " + what);
  }
};

// JSON access that never throws (the suite also builds with -fno-exceptions): every missing or
// mistyped member is a vector error, reported and skipped.
struct reader {
  walker& w;
  const std::string& id;
  bool ok = true;

  const json* member(const json& j, const char* key) {
    if (!j.is_object()) {
      bad(std::string("not an object where '") + key + "' was expected");
      return nullptr;
    }
    const auto it = j.find(key);
    return it == j.end() ? nullptr : &*it;
  }
  const json& need(const json& j, const char* key) {
    static const json null_value;
    const json* m = member(j, key);
    if (m == nullptr) {
      bad(std::string("missing '") + key + "'");
      return null_value;
    }
    return *m;
  }
  std::string string(const json& j) {
    if (!j.is_string()) {
      bad("expected a string");
      return {};
    }
    return j.get_ref<const std::string&>();
  }
  std::string bytes(const json& j) {
    std::string out;
    if (!siocodec_test::unhex(string(j), out)) bad("malformed hex");
    return out;
  }
  std::uint64_t number(const json& j) {
    if (!j.is_number_unsigned()) {
      bad("expected an unsigned number");
      return 0;
    }
    return j.get<std::uint64_t>();
  }
  bool boolean(const json& j) {
    if (!j.is_boolean()) {
      bad("expected true or false");
      return false;
    }
    return j.get<bool>();
  }
  void bad(const std::string& what) {
    if (ok) w.fail(id, "malformed vector: " + what);
    ok = false;
  }
};

// --- packets ----------------------------------------------------------------------------------

const char* const type_names[] = {"open", "close", "ping", "pong", "message", "upgrade", "noop"};

// A JSON string literal of `s`; bytes that are not UTF-8 show as U+FFFD instead of throwing.
std::string quoted(const std::string& s) {
  return json(s).dump(-1, ' ', false, json::error_handler_t::replace);
}

// The canonical text of a packet, so that expected and actual compare as strings and print well:
// `message`, `message text "hi"`, `message binary 0102`.
std::string describe(const std::string& type, const char* kind, const std::string& data) {
  std::string s = type;
  if (kind == nullptr) return s;
  s += ' ';
  s += kind;
  s += ' ';
  s += kind[0] == 't' ? quoted(data) : siocodec_test::hex(data);
  return s;
}

// An expected packet from the vector ({"type", "text"|"binary"|"utf16"?}).
std::string describe_expected(reader& r, const json& p) {
  const json& t = r.need(p, "type");
  std::string type;
  if (t.is_null()) {
    type = "<undefined type>";
  } else if (t.is_string()) {
    type = t.get_ref<const std::string&>();
  } else if (t.is_number_unsigned()) {
    type = "<type " + std::to_string(t.get<std::uint64_t>()) + ">";
  } else {
    r.bad("packet type");
  }
  if (const json* text = r.member(p, "text")) {
    const std::string s = r.string(*text);
    return s.empty() ? type : describe(type, "text", s);
  }
  if (const json* bin = r.member(p, "binary")) return describe(type, "binary", r.bytes(*bin));
  if (const json* u = r.member(p, "utf16")) return type + " utf16 " + r.string(*u);
  return type;
}

// An actual packet; base64 data is decoded in `mode` so that it compares with the reference's
// bytes (the decoders validated it already, so decoding cannot fail here).
std::string describe_actual(const eio::packet_view& p, b64::mode mode) {
  const auto t = static_cast<unsigned>(p.type);
  const std::string type = t <= 6 ? type_names[t] : "<type " + std::to_string(t) + ">";
  switch (p.kind) {
    case eio::data_kind::text:
      return p.data.empty() ? type : describe(type, "text", std::string(p.data));
    case eio::data_kind::binary: return describe(type, "binary", std::string(p.data));
    case eio::data_kind::base64: {
      std::string bytes;
      const auto d = b64::decode(p.data, bytes, mode);
      if (!d) return type + " <base64 that does not decode: " + std::string(p.data) + ">";
      return describe(type, "binary", bytes);
    }
  }
  return type + " <bad data kind>";
}

// A packet decoded with allow_invalid_utf8 as the reference sees it: its text through
// utf8::lossy. Clears `ok` unless has_invalid_utf8 says exactly whether the data is UTF-8.
std::string describe_lossy(const eio::packet_view& p, bool& ok) {
  eio::packet_view q = p;
  std::string text;
  (void)siocodec::utf8::lossy(p.data, text);
  q.data = text;
  ok &= p.has_invalid_utf8 == !siocodec::utf8::is_valid(p.data);
  return describe_actual(q, b64::mode::strict);
}

// A packet to encode: its view points into `storage`, which must outlive it.
eio::packet_view make_packet(reader& r, const json& p, std::string& storage) {
  eio::packet_view out;
  const json& t = r.need(p, "type");
  if (t.is_number_unsigned()) {
    out.type = static_cast<eio::packet_type>(static_cast<std::uint8_t>(t.get<std::uint64_t>()));
  } else {
    const std::string name = r.string(t);
    const auto* it = std::find(std::begin(type_names), std::end(type_names), name);
    if (it == std::end(type_names)) r.bad("unknown type name " + name);
    out.type = static_cast<eio::packet_type>(it - std::begin(type_names));
  }
  if (const json* text = r.member(p, "text")) {
    storage = r.string(*text);
    out.kind = eio::data_kind::text;
  } else if (const json* bin = r.member(p, "binary")) {
    storage = r.bytes(*bin);
    out.kind = eio::data_kind::binary;
  } else {
    // No data: a default (null) view, as packet_view::text(type) makes it.
    out.kind = eio::data_kind::text;
    return out;
  }
  out.data = storage;
  return out;
}

// --- expectations -----------------------------------------------------------------------------

// What one vector expects from siocodec in one mode.
struct expectation {
  bool error = false;                // a failure is expected
  std::string error_name;            // and, when not empty, this error code
  std::vector<std::string> packets;  // decoders of payloads and streams: packets before the end
  std::string packet;                // single-packet decoders
  bool is_text = false;              // encoders: the frame kind
  std::string bytes;                 // encoders: the output bytes
};

// The vector's "ours" when present (our deliberate behaviour), else "ref".
const json& strict_target(reader& r, const json& v) {
  const json* ours = r.member(v, "ours");
  return ours != nullptr ? *ours : r.need(v, "ref");
}

// Whether the lax base64 mode must match "ref" exactly: marked lax, or no base64 deviation at
// all (lax only accepts more base64, so it agrees wherever strict agrees with the reference or
// both reject for another reason).
bool lax_matches_ref(reader& r, const json& v) {
  const json* ours = r.member(v, "ours");
  if (ours == nullptr) return true;
  if (const json* lax = r.member(*ours, "lax")) return r.boolean(*lax);
  return r.member(*ours, "reason") == nullptr;  // a pinned error code only
}

// An "ours" that only pins our error code where the reference errors too: it holds in both
// base64 modes.
bool pinned_only(reader& r, const json& v) {
  const json* ours = r.member(v, "ours");
  return ours != nullptr && r.member(*ours, "reason") == nullptr;
}

// Single-packet decode: {"error":true} / {"error":"name"} / a packet.
expectation packet_expectation(reader& r, const json& target) {
  expectation e;
  if (const json* err = r.member(target, "error")) {
    e.error = true;
    if (err->is_string()) e.error_name = err->get_ref<const std::string&>();
    return e;
  }
  e.packet = describe_expected(r, target);
  return e;
}

// Payload / stream decode: {"packets":[...], "error": bool|"name"}; a pinned "ours" without
// packets takes them from "ref".
expectation list_expectation(reader& r, const json& v, const json& target) {
  expectation e;
  const json* packets = r.member(target, "packets");
  if (packets == nullptr) packets = &r.need(r.need(v, "ref"), "packets");
  if (!packets->is_array()) {
    r.bad("packets is not an array");
    return e;
  }
  for (const json& p : *packets) e.packets.push_back(describe_expected(r, p));
  const json& err = r.need(target, "error");
  if (err.is_string()) {
    e.error = true;
    e.error_name = err.get_ref<const std::string&>();
  } else {
    e.error = r.boolean(err);
  }
  return e;
}

// Encoders: {"text"} / {"binary"} / {"error":"name"}.
expectation output_expectation(reader& r, const json& target) {
  expectation e;
  if (const json* err = r.member(target, "error")) {
    e.error = true;
    if (err->is_string()) e.error_name = err->get_ref<const std::string&>();
  } else if (const json* text = r.member(target, "text")) {
    e.is_text = true;
    e.bytes = r.string(*text);
  } else if (const json* bin = r.member(target, "binary")) {
    e.bytes = r.bytes(*bin);
  } else {
    r.bad("no text, binary or error in the expected output");
  }
  return e;
}

std::string join(const std::vector<std::string>& list) {
  std::string s = "[";
  for (std::size_t i = 0; i < list.size(); ++i) s += (i ? ", " : "") + list[i];
  return s + "]";
}

std::string error_text(bool error, siocodec::errc code) {
  return error ? std::string("error ") + siocodec::to_string(code) : "no error";
}

// Compares a decoder's outcome (packets + error) with an expectation.
void check_list(walker& w, const std::string& id, const std::string& what, const expectation& e,
                const std::vector<std::string>& packets, siocodec::errc code) {
  const bool failed = code != siocodec::errc::none;
  std::string problem;
  if (packets != e.packets) {
    problem += " packets " + join(packets) + ", expected " + join(e.packets) + ";";
  }
  if (failed != e.error) {
    problem +=
        " " + error_text(failed, code) + ", expected " + (e.error ? "an error" : "no error") + ";";
  } else if (failed && !e.error_name.empty() && e.error_name != siocodec::to_string(code)) {
    problem +=
        std::string(" error ") + siocodec::to_string(code) + ", expected " + e.error_name + ";";
  }
  if (!problem.empty()) w.fail(id, what + ":" + problem);
}

void check_error_code(walker& w, const std::string& id, const std::string& what,
                      const expectation& e, siocodec::errc code) {
  if (!e.error_name.empty() && e.error_name != siocodec::to_string(code)) {
    w.fail(id, what + ": error " + siocodec::to_string(code) + ", expected " + e.error_name);
  }
}

// Checks the three encoder forms against one expectation: encoded_size, encode (appending to a
// container), encode_to with exactly enough room and with one byte too few.
template <class Size, class Append, class To>
void check_encoder(walker& w, const std::string& id, const expectation& e, bool actual_is_text,
                   Size&& size, Append&& append, To&& to) {
  const siocodec::result<std::size_t> n = size();
  std::string out = "prefix";
  const siocodec::result<std::size_t> a = append(out);
  if (e.error) {
    if (n) w.fail(id, "encoded_size succeeded, expected an error");
    if (a) w.fail(id, "encode succeeded, expected an error");
    if (!n) check_error_code(w, id, "encoded_size", e, n.error());
    if (!a) check_error_code(w, id, "encode", e, a.error());
    if (out != "prefix") w.fail(id, "encode wrote into the container on failure");
    std::string buf(64, '\0');
    const siocodec::result<std::size_t> t = to(&buf[0], buf.size());
    if (t) w.fail(id, "encode_to succeeded, expected an error");
    return;
  }
  if (!n) {
    w.fail(id, std::string("encoded_size failed: ") + siocodec::to_string(n.error()));
    return;
  }
  if (!a) {
    w.fail(id, std::string("encode failed: ") + siocodec::to_string(a.error()));
    return;
  }
  const std::string got = out.substr(6);
  if (got != e.bytes) {
    w.fail(id, "encode wrote " + (actual_is_text ? quoted(got) : siocodec_test::hex(got)) +
                   ", expected " + (e.is_text ? quoted(e.bytes) : siocodec_test::hex(e.bytes)));
  }
  if (*n != e.bytes.size() || *a != got.size()) {
    w.fail(id, "sizes disagree: encoded_size " + std::to_string(*n) + ", encode " +
                   std::to_string(*a) + ", expected " + std::to_string(e.bytes.size()));
  }
  if (actual_is_text != e.is_text) {
    w.fail(id, std::string("frame kind ") + (actual_is_text ? "text" : "binary") + ", expected " +
                   (e.is_text ? "text" : "binary"));
  }
  std::string exact(*n + 1, '#');
  const siocodec::result<std::size_t> t = to(&exact[0], *n);
  if (!t || *t != *n || exact.compare(0, *n, e.bytes) != 0 || exact[*n] != '#') {
    w.fail(id, "encode_to with exact capacity wrote something else");
  }
  if (*n != 0) {
    std::string small(*n, '#');
    const siocodec::result<std::size_t> s = to(&small[0], *n - 1);
    if (s || s.error() != siocodec::errc::output_too_small) {
      w.fail(id, "encode_to with one byte too few did not report output_too_small");
    }
    if (small != std::string(*n, '#')) w.fail(id, "encode_to wrote past a too small capacity");
  }
}

// --- the ops ----------------------------------------------------------------------------------

eio::protocol_version version_of(reader& r, const json& v) {
  const std::uint64_t n = r.number(r.need(v, "version"));
  if (n != 3 && n != 4) r.bad("version must be 3 or 4");
  return n == 3 ? eio::protocol_version::v3 : eio::protocol_version::v4;
}

// Reads {"text"} or {"binary"} as (bytes, kind).
std::string frame_of(reader& r, const json& f, eio::frame_kind& kind) {
  if (const json* t = r.member(f, "text_hex")) {  // a text body that is not UTF-8
    kind = eio::frame_kind::text;
    return r.bytes(*t);
  }
  if (const json* t = r.member(f, "text")) {
    kind = eio::frame_kind::text;
    return r.string(*t);
  }
  kind = eio::frame_kind::binary;
  return r.bytes(r.need(f, "binary"));
}

void decode_packet(walker& w, reader& r, const std::string& id, const json& v) {
  eio::decode_options opts;
  opts.version = version_of(r, v);
  eio::frame_kind kind{};
  const std::string frame = frame_of(r, r.need(v, "frame"), kind);
  const expectation strict = packet_expectation(r, strict_target(r, v));
  const bool lax = lax_matches_ref(r, v);
  const expectation loose = pinned_only(r, v) ? strict : packet_expectation(r, r.need(v, "ref"));
  if (!r.ok) return;
  for (const b64::mode mode : {b64::mode::strict, b64::mode::lax}) {
    if (mode == b64::mode::lax && !lax) continue;
    const expectation& e = mode == b64::mode::strict ? strict : loose;
    const std::string what = mode == b64::mode::strict ? "decode" : "decode (lax)";
    opts.base64 = mode;
    const auto res = kind == eio::frame_kind::text
                         ? eio::decode(std::string_view(frame), kind, opts)
                         : eio::decode(siocodec::byte_view(frame), kind, opts);
    if (e.error) {
      if (res) {
        w.fail(id, what + ": gave " + describe_actual(*res, mode) + ", expected an error");
      } else {
        check_error_code(w, id, what, e, res.error());
      }
      continue;
    }
    if (!res) {
      w.fail(id, what + ": error " + siocodec::to_string(res.error()) + ", expected " + e.packet);
      continue;
    }
    const std::string got = describe_actual(*res, mode);
    if (got != e.packet) w.fail(id, what + ": gave " + got + ", expected " + e.packet);
    if (res.offset() != frame.size()) {
      w.fail(id, what + ": consumed " + std::to_string(res.offset()));
    }
  }
}

void encode_packet(walker& w, reader& r, const std::string& id, const json& v) {
  eio::encode_options opts;
  opts.version = version_of(r, v);
  opts.supports_binary = r.boolean(r.need(v, "supports_binary"));
  std::string storage;
  const eio::packet_view p = make_packet(r, r.need(v, "packet"), storage);
  const expectation e = output_expectation(r, strict_target(r, v));
  if (!r.ok) return;
  check_encoder(
      w, id, e, eio::encoded_frame_kind(p, opts) == eio::frame_kind::text,
      [&] { return eio::encoded_size(p, opts); },
      [&](std::string& out) { return eio::encode(p, out, opts); },
      [&](char* out, std::size_t cap) { return eio::encode_to(out, cap, p, opts); });
}

void decode_payload(walker& w, reader& r, const std::string& id, const json& v) {
  eio::decode_options opts;
  opts.version = version_of(r, v);
  eio::frame_kind kind{};
  const std::string body = frame_of(r, r.need(v, "body"), kind);
  const expectation strict = list_expectation(r, v, strict_target(r, v));
  const bool lax = lax_matches_ref(r, v);
  const expectation loose = pinned_only(r, v) ? strict : list_expectation(r, v, r.need(v, "ref"));
  if (!r.ok) return;
  for (const b64::mode mode : {b64::mode::strict, b64::mode::lax}) {
    if (mode == b64::mode::lax && !lax) continue;
    const expectation& e = mode == b64::mode::strict ? strict : loose;
    const std::string tag = mode == b64::mode::strict ? "" : " (lax)";
    opts.base64 = mode;

    // payload_reader over the whole body, without and with scratch storage for base64.
    for (const bool with_scratch : {false, true}) {
      std::string scratch(body.size(), '\0');
      const siocodec::byte_span room =
          with_scratch ? siocodec::byte_span(&scratch[0], scratch.size()) : siocodec::byte_span();
      auto reader_ = eio::decode_payload(body, kind, opts, room);
      std::vector<std::string> got;
      eio::packet_view p;
      while (reader_.next(p)) got.push_back(describe_actual(p, mode));
      check_list(w, id,
                 std::string(with_scratch ? "payload_reader+scratch" : "payload_reader") + tag, e,
                 got, reader_.error());
    }

    // payload_decoder, fed whole, one byte at a time, and through finish(last_chunk).
    for (int cut = 0; cut < 3; ++cut) {
      eio::payload_decoder<std::string> dec(kind, opts);
      std::vector<std::string> got;
      const auto collect = [&](const eio::packet_view& p) {
        got.push_back(describe_actual(p, mode));
      };
      siocodec::decode_status st;
      if (cut == 0) {
        st = dec.feed(body, collect);
        if (st.ok()) st = dec.finish(collect);
      } else if (cut == 1) {
        for (std::size_t i = 0; i < body.size() && st.ok(); ++i) {
          st = dec.feed(std::string_view(body).substr(i, 1), collect);
        }
        if (st.ok()) st = dec.finish(collect);
      } else {
        st = dec.finish(body, collect);
      }
      static const char* const names[] = {"payload_decoder whole", "payload_decoder 1-byte",
                                          "payload_decoder finish(body)"};
      check_list(w, id, names[cut] + tag, e, got, st.ec);
    }
  }
  // Text bodies that are not UTF-8: with allow_invalid_utf8, the reference's packets, their text
  // through utf8::lossy, each flagged exactly when its data is not UTF-8.
  if (opts.version == eio::protocol_version::v3 && kind == eio::frame_kind::text &&
      !siocodec::utf8::is_valid(body)) {
    const expectation ref = list_expectation(r, v, r.need(v, "ref"));
    eio::decode_options allow = opts;
    allow.base64 = b64::mode::strict;
    allow.allow_invalid_utf8 = true;
    bool flags_ok = true;
    std::vector<std::string> got;
    const auto collect = [&](const eio::packet_view& p) {
      got.push_back(describe_lossy(p, flags_ok));
    };
    auto reader_ = eio::decode_payload(body, kind, allow);
    eio::packet_view p;
    while (reader_.next(p)) collect(p);
    check_list(w, id, "payload_reader (allow_invalid_utf8)", ref, got, reader_.error());
    for (const bool bytewise : {false, true}) {
      got.clear();
      eio::payload_decoder<std::string> dec(kind, allow);
      siocodec::decode_status st;
      if (bytewise) {
        for (std::size_t i = 0; i < body.size() && st.ok(); ++i) {
          st = dec.feed(std::string_view(body).substr(i, 1), collect);
        }
        if (st.ok()) st = dec.finish(collect);
      } else {
        st = dec.finish(body, collect);
      }
      check_list(w, id,
                 bytewise ? "payload_decoder 1-byte (allow_invalid_utf8)"
                          : "payload_decoder (allow_invalid_utf8)",
                 ref, got, st.ec);
    }
    if (!flags_ok) w.fail(id, "allow_invalid_utf8: has_invalid_utf8 is wrong");
  }
}

void encode_payload(walker& w, reader& r, const std::string& id, const json& v) {
  eio::encode_options opts;
  opts.version = version_of(r, v);
  if (const json* sb = r.member(v, "supports_binary")) opts.supports_binary = r.boolean(*sb);
  const json& list = r.need(v, "packets");
  if (!list.is_array()) r.bad("packets is not an array");
  std::vector<std::string> storage(list.is_array() ? list.size() : 0);
  std::vector<eio::packet_view> packets;
  for (std::size_t i = 0; i < storage.size(); ++i) {
    packets.push_back(make_packet(r, list[i], storage[i]));
  }
  const json& target = strict_target(r, v);
  if (r.member(target, "no_callback") != nullptr) {
    r.bad("\"ref\" has no output and no \"ours\" says ours");
  }
  const expectation e = output_expectation(r, target);
  if (!r.ok) return;
  const eio::packet_view* data = packets.data();
  const std::size_t n = packets.size();
  check_encoder(
      w, id, e, eio::payload_frame_kind(data, n, opts) == eio::frame_kind::text,
      [&] { return eio::encoded_payload_size(data, n, opts); },
      [&](std::string& out) { return eio::encode_payload(data, n, out, opts); },
      [&](char* out, std::size_t cap) { return eio::encode_payload_to(out, cap, data, n, opts); });
}

void wt_encode(walker& w, reader& r, const std::string& id, const json& v) {
  std::string storage;
  const eio::packet_view p = make_packet(r, r.need(v, "packet"), storage);
  const expectation e = output_expectation(r, strict_target(r, v));
  if (!r.ok) return;
  check_encoder(
      w, id, e, false, [&] { return wt::encoded_size(p); },
      [&](std::string& out) { return wt::encode(p, out); },
      [&](char* out, std::size_t cap) { return wt::encode_to(out, cap, p); });
}

void wt_decode(walker& w, reader& r, const std::string& id, const json& v) {
  const std::string stream = r.bytes(r.need(v, "stream"));
  const json& chunks_json = r.need(v, "chunks");
  std::vector<std::size_t> chunks;
  std::size_t total = 0;
  if (chunks_json.is_array()) {
    for (const json& c : chunks_json) {
      chunks.push_back(static_cast<std::size_t>(r.number(c)));
      total += chunks.back();
    }
  } else {
    r.bad("chunks is not an array");
  }
  if (total != stream.size()) r.bad("chunk sizes do not sum to the stream length");
  eio::decode_options opts;
  opts.max_payload = static_cast<std::size_t>(r.number(r.need(v, "max_payload")));
  const expectation strict = list_expectation(r, v, strict_target(r, v));
  const bool lax = lax_matches_ref(r, v);
  const expectation loose = pinned_only(r, v) ? strict : list_expectation(r, v, r.need(v, "ref"));
  if (!r.ok) return;

  // The vector's chunking, then (our decoder being chunking-independent) the whole stream at once
  // and one byte at a time.
  std::vector<std::size_t> whole;
  if (!stream.empty()) whole.push_back(stream.size());
  const std::vector<std::size_t> bytes(stream.size(), 1);
  for (const b64::mode mode : {b64::mode::strict, b64::mode::lax}) {
    if (mode == b64::mode::lax && !lax) continue;
    const expectation& e = mode == b64::mode::strict ? strict : loose;
    opts.base64 = mode;
    int which = 0;
    const std::vector<std::size_t>* const chunkings[] = {&chunks, &whole, &bytes};
    for (const std::vector<std::size_t>* cuts : chunkings) {
      wt::stream_decoder<std::string> dec(opts);
      std::vector<std::string> got;
      const auto collect = [&](const eio::packet_view& p) {
        got.push_back(describe_actual(p, mode));
      };
      siocodec::decode_status st;
      std::size_t at = 0;
      for (const std::size_t n : *cuts) {
        st = dec.feed(siocodec::byte_view(stream.data() + at, n), collect);
        at += n;
        if (!st.ok()) break;
      }
      static const char* const names[] = {"stream_decoder", "stream_decoder whole",
                                          "stream_decoder 1-byte"};
      check_list(w, id, std::string(names[which++]) + (mode == b64::mode::lax ? " (lax)" : ""), e,
                 got, st.ec);
    }
  }
  // Text records that are not UTF-8: with allow_invalid_utf8, the reference's packets, their
  // text through utf8::lossy (what its TextDecoder gives), each flagged.
  if (strict.error && strict.error_name == "invalid_utf8") {
    const expectation ref = list_expectation(r, v, r.need(v, "ref"));
    eio::decode_options allow = opts;
    allow.allow_invalid_utf8 = true;
    wt::stream_decoder<std::string> dec(allow);
    std::vector<std::string> got;
    bool flags_ok = true;
    const auto st =
        dec.feed(siocodec::byte_view(stream.data(), stream.size()),
                 [&](const eio::packet_view& p) { got.push_back(describe_lossy(p, flags_ok)); });
    check_list(w, id, "stream_decoder (allow_invalid_utf8)", ref, got, st.ec);
    if (!flags_ok) w.fail(id, "allow_invalid_utf8: has_invalid_utf8 is wrong");
  }
}

void base64_decode(walker& w, reader& r, const std::string& id, const json& v) {
  const std::string text = r.string(r.need(v, "text"));
  const expectation strict = output_expectation(r, strict_target(r, v));
  const bool lax = lax_matches_ref(r, v);
  const expectation loose = output_expectation(r, r.need(v, "ref"));
  if (!r.ok) return;
  for (const b64::mode mode : {b64::mode::strict, b64::mode::lax}) {
    if (mode == b64::mode::lax && !lax) continue;
    const expectation& e = mode == b64::mode::strict ? strict : loose;
    const std::string what = mode == b64::mode::strict ? "decode" : "decode (lax)";
    std::string out = "prefix";
    const auto d = b64::decode(text, out, mode);
    const auto size = b64::decoded_size(text, mode);
    if (e.error) {
      if (d) {
        w.fail(id, what + ": gave " + siocodec_test::hex(out.substr(6)) + ", expected an error");
      } else {
        check_error_code(w, id, what, e, d.error());
      }
      if (size) w.fail(id, what + ": decoded_size succeeded, expected an error");
      continue;
    }
    if (!d || !size) {
      w.fail(id, what + ": error " + siocodec::to_string(d ? size.error() : d.error()) +
                     ", expected " + siocodec_test::hex(e.bytes));
      continue;
    }
    if (out.substr(6) != e.bytes) {
      w.fail(id, what + ": gave " + siocodec_test::hex(out.substr(6)) + ", expected " +
                     siocodec_test::hex(e.bytes));
    }
    if (*size != e.bytes.size()) w.fail(id, what + ": decoded_size " + std::to_string(*size));
    std::string buf(e.bytes.size() + 1, '#');
    const auto t = b64::decode_to(text, siocodec::byte_span(&buf[0], buf.size()), mode);
    if (!t || *t != e.bytes.size() || buf.compare(0, e.bytes.size(), e.bytes) != 0) {
      w.fail(id, what + ": decode_to disagrees with decode");
    }
  }
}

void base64_encode(walker& w, reader& r, const std::string& id, const json& v) {
  const std::string in = r.bytes(r.need(v, "binary"));
  const expectation e = output_expectation(r, strict_target(r, v));
  if (!r.ok) return;
  const siocodec::byte_view bytes(in);
  check_encoder(
      w, id, e, true,
      [&]() -> siocodec::result<std::size_t> { return b64::encoded_size(in.size()); },
      [&](std::string& out) { return b64::encode(bytes, out); },
      [&](char* out, std::size_t cap) { return b64::encode_to(out, cap, bytes); });
}

using op_fn = void (*)(walker&, reader&, const std::string&, const json&);

struct op_entry {
  const char* name;
  op_fn fn;
};

const op_entry ops[] = {
    {"eio.decode_packet", decode_packet},
    {"eio.encode_packet", encode_packet},
    {"eio.decode_payload", decode_payload},
    {"eio.encode_payload", encode_payload},
    {"wt.encode", wt_encode},
    {"wt.decode", wt_decode},
    {"base64.decode", base64_decode},
    {"base64.encode", base64_encode},
};

bool ours_prefix(const std::string& op) {
  return op.rfind("eio.", 0) == 0 || op.rfind("wt.", 0) == 0 || op.rfind("base64.", 0) == 0;
}

}  // namespace

TEST_CASE("Engine.IO, WebTransport and base64 agree with the npm reference vectors") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(SIOCODEC_TEST_DATA_DIR) / "reference" / "vectors";
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".jsonl") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  // Without vectors this test proves nothing: that is a failure, not a skip. (CHECK and return:
  // REQUIRE cannot unwind in the -fno-exceptions build.)
  if (files.empty()) {
    FAIL_CHECK("no *.jsonl vectors in " << dir.string());
    return;
  }

  walker w;
  std::size_t skipped = 0;
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    CHECK(in.good());
    std::string line;
    std::size_t line_no = 0;
    while (std::getline(in, line)) {
      ++line_no;
      const std::string where = file.filename().string() + ":" + std::to_string(line_no);
      const json v = json::parse(line, nullptr, false);
      if (v.is_discarded() || !v.is_object()) {
        w.fail(where, "not a JSON object");
        continue;
      }
      const auto id_it = v.find("id");
      const auto op_it = v.find("op");
      if (id_it == v.end() || !id_it->is_string() || op_it == v.end() || !op_it->is_string()) {
        w.fail(where, "no string id/op");
        continue;
      }
      const std::string& id = id_it->get_ref<const std::string&>();
      const std::string& op = op_it->get_ref<const std::string&>();
      if (!ours_prefix(op)) {
        ++skipped;  // another layer's vectors
        continue;
      }
      const auto* entry = std::find_if(std::begin(ops), std::end(ops),
                                       [&](const op_entry& o) { return op == o.name; });
      if (entry == std::end(ops)) {
        w.fail(id, "unknown op " + op);
        continue;
      }
      reader r{w, id};
      entry->fn(w, r, id, v);
      ++w.counts[op];
    }
  }

  for (const op_entry& o : ops) {
    if (w.counts[o.name] == 0) FAIL_CHECK("no vector for op " << o.name << " in " << dir.string());
  }
  for (const std::string& f : w.failures) FAIL_CHECK(f);
  std::size_t total = 0;
  for (const auto& c : w.counts) total += c.second;
  CAPTURE(total, skipped, w.failures.size());
  CHECK(w.failures.empty());
}

#else

TEST_CASE("Engine.IO reference vectors need nlohmann/json") {
  WARN("nlohmann/json not found: the reference vectors were not checked");
}

#endif  // SIOCODEC_HAVE_NLOHMANN
