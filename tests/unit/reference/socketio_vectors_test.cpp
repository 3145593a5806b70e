// SPDX-License-Identifier: BSL-1.0
// Walks the Socket.IO reference vectors (tests/reference/vectors/socketio_v5.jsonl and
// socketio_v4.jsonl, generated from the npm socket.io-parser 4.2.7 / 3.4.5 by
// tests/reference/gen/socketio.js) and checks siocodec against what the reference did ("ref"),
// or against our documented deviation ("ours"), in strict and in lax mode.
//
// sio.decode: the messages go through socketio::basic_decoder in both attachment modes (and a
// lone text message through socketio::decode as well); each delivered packet is compared with
// the reference's: type, namespace, ack id, and the payload, parsed with nlohmann/json, with the
// attachments put in place of the placeholders and numbers compared as doubles.
// sio.encode: the packet description goes through the packet builders and the argument writer
// (encode, encoded_size, encode_to, encode_frames over WebSocket); then the expected frames go
// through the decoder, and encode(packet_view) of the result must give them back byte for byte.
#include "support/catch.hpp"

#ifdef SIOCODEC_HAVE_NLOHMANN

#include <siocodec/engineio/packet.hpp>
#include <siocodec/socketio/default_parser/decode.hpp>
#include <siocodec/socketio/default_parser/decoder.hpp>
#include <siocodec/socketio/default_parser/encode.hpp>
#include <siocodec/socketio/default_parser/frames.hpp>
#include <siocodec/socketio/packet.hpp>

#include "reference/differential/sio_support.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace eio = siocodec::engineio;
namespace sio = siocodec::socketio;
using siotest::ojson;

namespace {

struct walker {
  std::vector<std::string> failures;
  std::map<std::string, std::size_t> counts;
  std::size_t unsupported = 0;
  std::size_t builder_checked = 0;
  std::size_t round_trips = 0;

  void fail(const std::string& id, const std::string& what) {
    failures.push_back(id + ": " + what);
  }
};

// Non-throwing access to a vector's members; every missing or mistyped member is a vector
// error, reported once.
struct reader {
  walker& w;
  const std::string& id;
  bool ok = true;

  const ojson* member(const ojson& j, const char* key) {
    if (!j.is_object()) return nullptr;
    const auto it = j.find(key);
    return it == j.end() ? nullptr : &*it;
  }
  const ojson& need(const ojson& j, const char* key) {
    static const ojson null_value;
    const ojson* m = member(j, key);
    if (m == nullptr) {
      bad(std::string("missing '") + key + "'");
      return null_value;
    }
    return *m;
  }
  std::string string(const ojson& j) {
    if (!j.is_string()) {
      bad("expected a string");
      return {};
    }
    return j.get_ref<const std::string&>();
  }
  std::string bytes(const ojson& j) {
    std::string out;
    if (!siocodec_test::unhex(string(j), out)) bad("malformed hex");
    return out;
  }
  void bad(const std::string& what) {
    if (ok) w.fail(id, "malformed vector: " + what);
    ok = false;
  }
};

std::string join(const std::vector<std::string>& list) {
  std::string s = "[";
  for (std::size_t i = 0; i < list.size(); ++i) s += (i ? ", " : "") + list[i];
  return s + "]";
}

// --- packets as comparable text ---------------------------------------------------------------

// An ack id as exact decimal; a double that is not an integer in [0, 2^64) can never match.
std::string id_from_double(double d) {
  if (std::isfinite(d) && d >= 0 && d < 18446744073709551616.0 && d == std::floor(d)) {
    return std::to_string(static_cast<std::uint64_t>(d));
  }
  return "double:" + siotest::canonical_double(d);
}

std::string describe_packet(int type, const std::string* nsp, const std::string* id,
                            const std::string* data) {
  std::string s = "{type " + std::to_string(type);
  s += nsp != nullptr ? " nsp " + siotest::canonical_string(*nsp) : " no nsp";
  if (id != nullptr) s += " id " + *id;
  if (data != nullptr) s += " data " + *data;
  return s + "}";
}

// An expected packet of the vector: {"type", "nsp"?, "id"?, "data"?}. Ids of "ref" are what
// JavaScript held (a number, or a {"$number"} double); ids of "ours" may also be decimal strings
// (exact 64-bit values).
std::string describe_expected(reader& r, const ojson& p) {
  const ojson& t = r.need(p, "type");
  if (!t.is_number_unsigned()) r.bad("packet type");
  const int type = t.is_number_unsigned() ? static_cast<int>(t.get<std::uint64_t>()) : -1;
  std::string nsp, id, data;
  const ojson* n = r.member(p, "nsp");
  if (n != nullptr) nsp = r.string(*n);
  const ojson* i = r.member(p, "id");
  if (i != nullptr) {
    double d = 0;
    if (i->is_number_unsigned()) {
      id = std::to_string(i->get<std::uint64_t>());
    } else if (i->is_string()) {
      id = i->get_ref<const std::string&>();
    } else if (siotest::number_value(*i, d)) {
      id = id_from_double(d);
    } else {
      r.bad("packet id");
    }
  }
  const ojson* dj = r.member(p, "data");
  if (dj != nullptr) data = siotest::canonical(*dj);
  return describe_packet(type, n ? &nsp : nullptr, i ? &id : nullptr, dj ? &data : nullptr);
}

// A packet siocodec delivered. In protocol v5 a reassembled BINARY_EVENT / BINARY_ACK compares
// as the EVENT / ACK that socket.io-parser 4.x rewrites it to (siocodec keeps the binary type
// and says so in decoder.hpp; the arguments are the same).
std::string describe_actual(const sio::packet_view& p, sio::protocol_version v) {
  int type = static_cast<int>(p.type);
  if (v == sio::protocol_version::v5 && sio::is_binary(p.type)) type -= 3;
  const std::string nsp(p.nsp);
  const std::string id = p.id ? std::to_string(*p.id) : std::string();
  std::string data;
  if (p.has_data()) {
    ojson j = siotest::parse_prepared(p.data);
    if (j.is_discarded()) {
      data = "<payload nlohmann cannot read: " + siotest::quote_json(p.data) + ">";
    } else {
      if (sio::is_binary(p.type) && p.attachments != nullptr) {
        siotest::substitute_placeholders(j, p.attachments, p.attachment_count);
      }
      data = siotest::canonical(j);
    }
  }
  return describe_packet(type, &nsp, p.id ? &id : nullptr, p.has_data() ? &data : nullptr);
}

// --- expectations -----------------------------------------------------------------------------

struct expectation {
  std::vector<std::string> packets;  // delivered before the error (or all)
  bool error = false;
  std::string error_name;  // when not empty, the error siocodec must report
};

std::vector<std::string> packet_list(reader& r, const ojson& list) {
  std::vector<std::string> out;
  if (!list.is_array()) {
    r.bad("packets is not an array");
    return out;
  }
  for (const ojson& p : list) out.push_back(describe_expected(r, p));
  return out;
}

// "ref": {"packets", "error": bool, "message"?}.
expectation ref_expectation(reader& r, const ojson& ref) {
  expectation e;
  e.packets = packet_list(r, r.need(ref, "packets"));
  const ojson& err = r.need(ref, "error");
  if (!err.is_boolean()) r.bad("ref error is not a boolean");
  e.error = err.is_boolean() && err.get<bool>();
  return e;
}

// "ours": {"error": name | false, "packets"?, "reason"?, "lax"?, "lax_error"?}. Without
// "packets", a pin (no reason) delivers what the reference did, a deviation delivers nothing.
expectation ours_expectation(reader& r, const ojson& ours, const ojson& ref) {
  expectation e;
  if (const ojson* p = r.member(ours, "packets")) {
    e.packets = packet_list(r, *p);
  } else if (r.member(ours, "reason") == nullptr) {
    e.packets = packet_list(r, r.need(ref, "packets"));
  }
  const ojson& err = r.need(ours, "error");
  if (err.is_string()) {
    e.error = true;
    e.error_name = err.get_ref<const std::string&>();
  } else if (!err.is_boolean() || err.get<bool>()) {
    r.bad("ours error must be a name or false");
  }
  return e;
}

// What lax mode must give: the reference where "lax" says so (and wherever strict mode agrees
// with it), the "lax_error" where one is given, our strict result otherwise.
expectation lax_expectation(reader& r, const ojson& v, const expectation& strict) {
  const ojson* ours = r.member(v, "ours");
  if (ours == nullptr) return strict;
  if (const ojson* lax = r.member(*ours, "lax")) {
    if (!lax->is_boolean() || !lax->get<bool>()) r.bad("lax must be true");
    return ref_expectation(r, r.need(v, "ref"));
  }
  if (const ojson* le = r.member(*ours, "lax_error")) {
    expectation e;
    if (const ojson* p = r.member(*ours, "packets")) e.packets = packet_list(r, *p);
    e.error = true;
    e.error_name = r.string(*le);
    return e;
  }
  return strict;
}

struct outcome {
  std::vector<std::string> packets;
  siocodec::errc ec = siocodec::errc::none;
};

void check_outcome(walker& w, const std::string& id, const std::string& what, const expectation& e,
                   const outcome& o) {
  std::string problem;
  if (o.packets != e.packets) {
    problem += " packets " + join(o.packets) + ", expected " + join(e.packets) + ";";
  }
  const bool failed = o.ec != siocodec::errc::none;
  if (failed != e.error) {
    problem += std::string(" ") +
               (failed ? std::string("error ") + siocodec::to_string(o.ec) : "no error") +
               ", expected " + (e.error ? "an error" : "no error") + ";";
  } else if (failed && !e.error_name.empty() && e.error_name != siocodec::to_string(o.ec)) {
    problem +=
        std::string(" error ") + siocodec::to_string(o.ec) + ", expected " + e.error_name + ";";
  }
  if (!problem.empty()) w.fail(id, what + ":" + problem);
}

// --- sio.decode -------------------------------------------------------------------------------

struct message {
  enum kind_t { text, binary, base64, reset } kind = text;
  std::string bytes;
};

sio::protocol_version version_of(reader& r, const ojson& v) {
  const ojson& n = r.need(v, "version");
  if (!n.is_number_unsigned() || (n.get<std::uint64_t>() != 5 && n.get<std::uint64_t>() != 4)) {
    r.bad("version must be 5 or 4");
    return sio::protocol_version::v5;
  }
  return n.get<std::uint64_t>() == 4 ? sio::protocol_version::v4 : sio::protocol_version::v5;
}

std::vector<message> messages_of(reader& r, const ojson& list) {
  std::vector<message> out;
  if (!list.is_array()) {
    r.bad("messages is not an array");
    return out;
  }
  for (const ojson& m : list) {
    message msg;
    if (const ojson* t = r.member(m, "text")) {
      msg.bytes = r.string(*t);
    } else if (const ojson* b = r.member(m, "binary")) {
      msg.kind = message::binary;
      msg.bytes = r.bytes(*b);
    } else if (const ojson* s = r.member(m, "base64")) {
      msg.kind = message::base64;
      msg.bytes = r.string(*s);
    } else if (r.member(m, "reset") != nullptr) {
      msg.kind = message::reset;
    } else {
      r.bad("unknown message kind");
    }
    out.push_back(std::move(msg));
  }
  return out;
}

outcome run_decoder(walker& w, const std::string& id, const std::string& what,
                    const std::vector<message>& msgs, const sio::decode_options& opts,
                    sio::attachment_mode mode) {
  outcome o;
  sio::decoder dec(opts, mode);
  for (const message& m : msgs) {
    siocodec::result<sio::packet_view> r(siocodec::errc::incomplete, 0);
    switch (m.kind) {
      case message::reset: dec.reset(); continue;
      case message::text: r = dec.feed(std::string_view(m.bytes), eio::frame_kind::text); break;
      case message::binary:
        r = dec.feed(siocodec::byte_view(m.bytes), eio::frame_kind::binary);
        break;
      case message::base64: {
        eio::packet_view pv;
        pv.type = eio::packet_type::message;
        pv.kind = eio::data_kind::base64;
        pv.data = m.bytes;
        r = dec.feed(pv);
        break;
      }
    }
    if (r) {
      o.packets.push_back(describe_actual(*r, opts.version));
      if (m.kind != message::base64 && r.offset() != m.bytes.size()) {
        w.fail(id, what + ": a delivered packet reports offset " + std::to_string(r.offset()));
      }
      if (dec.waiting()) w.fail(id, what + ": still waiting after delivering a packet");
      continue;
    }
    if (r.error() == siocodec::errc::incomplete) {
      if (!dec.waiting()) w.fail(id, what + ": incomplete but not waiting");
      continue;
    }
    o.ec = r.error();
    if (r.offset() > m.bytes.size()) {
      w.fail(id, what + ": error offset " + std::to_string(r.offset()) + " past the message");
    }
    if (dec.waiting() || dec.allocated_bytes() != 0) {
      w.fail(id, what + ": not idle and empty after an error");
    }
    break;
  }
  return o;
}

void sio_decode(walker& w, reader& r, const std::string& id, const ojson& v) {
  sio::decode_options opts;
  opts.version = version_of(r, v);
  if (const ojson* max = r.member(v, "max_attachments")) {
    if (!max->is_number_unsigned()) r.bad("max_attachments");
    opts.max_attachments = static_cast<std::size_t>(max->get<std::uint64_t>());
  }
  const std::vector<message> msgs = messages_of(r, r.need(v, "messages"));
  const ojson& ref = r.need(v, "ref");
  const ojson* ours = r.member(v, "ours");
  const expectation strict =
      ours != nullptr ? ours_expectation(r, *ours, ref) : ref_expectation(r, ref);
  const expectation loose = lax_expectation(r, v, strict);
  if (!r.ok) return;
  const bool has_base64 = std::any_of(msgs.begin(), msgs.end(),
                                      [](const message& m) { return m.kind == message::base64; });

  for (const bool lax : {false, true}) {
    opts.lax = lax;
    const expectation& e = lax ? loose : strict;
    const std::string tag = lax ? " (lax)" : "";
    for (const sio::attachment_mode mode :
         {sio::attachment_mode::borrow, sio::attachment_mode::copy}) {
      // base64 attachments can only be fed in copy mode (decoder.hpp).
      if (has_base64 && mode == sio::attachment_mode::borrow) continue;
      const std::string what =
          std::string(mode == sio::attachment_mode::borrow ? "decoder(borrow)" : "decoder(copy)") +
          tag;
      check_outcome(w, id, what, e, run_decoder(w, id, what, msgs, opts, mode));
    }
    // A lone text message through the one-shot decode() too.
    if (msgs.size() == 1 && msgs[0].kind == message::text) {
      const auto res = sio::decode_header(msgs[0].bytes, opts);
      outcome o;
      if (res) {
        if (!sio::is_binary(res->type)) {
          o.packets.push_back(describe_actual(*res, opts.version));
        } else if (!e.error && e.packets.empty()) {
          // A binary header waiting for attachments: nothing delivered yet.
        } else {
          o.packets.push_back(describe_actual(*res, opts.version));
        }
        if (res.offset() != msgs[0].bytes.size())
          w.fail(id, "decode: offset " + std::to_string(res.offset()));
      } else {
        o.ec = res.error();
      }
      check_outcome(w, id, "decode" + tag, e, o);
    }
  }
}

// --- sio.encode -------------------------------------------------------------------------------

struct frames_t {
  std::string text;
  std::vector<std::string> attachments;
};

bool frames_of(reader& r, const ojson& list, frames_t& out) {
  if (!list.is_array() || list.empty()) {
    r.bad("frames must be a non-empty array");
    return false;
  }
  out.text = r.string(r.need(list[0], "text"));
  for (std::size_t i = 1; i < list.size(); ++i)
    out.attachments.push_back(r.bytes(r.need(list[i], "binary")));
  return r.ok;
}

std::string describe_frames(const std::string& text, const std::vector<std::string>& atts) {
  std::string s = siotest::quote_json(text);
  for (const std::string& a : atts) s += " + " + siocodec_test::hex(a);
  return s;
}

template <class B>
void check_builder(walker& w, const std::string& id, const B& b, sio::protocol_version version,
                   bool expect_error, const std::string& error_name, const frames_t& want) {
  ++w.builder_checked;
  sio::encode_options eo;
  eo.version = version;
  std::string text = "prefix";
  std::vector<siocodec::byte_view> atts;
  const auto r = sio::encode(b, text, atts, eo);
  const auto n = sio::encoded_size(b, eo);
  if (expect_error) {
    if (r) {
      w.fail(id, "encode wrote " + describe_frames(text.substr(6), {}) + ", expected an error");
    } else if (!error_name.empty() && error_name != siocodec::to_string(r.error())) {
      w.fail(id, std::string("encode: error ") + siocodec::to_string(r.error()) + ", expected " +
                     error_name);
    }
    if (n) w.fail(id, "encoded_size succeeded, expected an error");
    if (text != "prefix" || !atts.empty()) w.fail(id, "encode changed its containers on failure");
    return;
  }
  if (!r) {
    w.fail(id, std::string("encode failed: ") + siocodec::to_string(r.error()) + ", expected " +
                   describe_frames(want.text, want.attachments));
    return;
  }
  std::vector<std::string> got_atts;
  for (const siocodec::byte_view a : atts) got_atts.emplace_back(a.as_chars());
  const std::string got = text.substr(6);
  if (got != want.text || got_atts != want.attachments) {
    w.fail(id, "encode wrote " + describe_frames(got, got_atts) + ", expected " +
                   describe_frames(want.text, want.attachments));
    return;
  }
  if (!n || *n != got.size() || *r != got.size())
    w.fail(id, "encoded_size / encode sizes disagree");
  // encode_to with exactly enough room, and one byte less.
  std::string exact(got.size() + 1, '#');
  sio::attachment_list<16> list;
  const auto t = sio::encode_to(&exact[0], got.size(), b, list, eo);
  if (!t || *t != got.size() || exact.compare(0, got.size(), got) != 0 ||
      exact[got.size()] != '#' || list.size() != atts.size()) {
    w.fail(id, "encode_to with exact capacity wrote something else");
  }
  if (!got.empty()) {
    std::string small(got.size(), '#');
    sio::attachment_list<16> list2;
    const auto s = sio::encode_to(&small[0], got.size() - 1, b, list2, eo);
    if (s || s.error() != siocodec::errc::output_too_small || list2.size() != 0) {
      w.fail(id, "encode_to with one byte too few did not report output_too_small");
    }
  }
  // The WebSocket frames of the matching Engine.IO version: `4<text>`, then the attachments
  // (Engine.IO v3: each behind the type byte 0x04).
  eio::transport_options fo;
  fo.version =
      version == sio::protocol_version::v5 ? eio::protocol_version::v4 : eio::protocol_version::v3;
  fo.transport = eio::transport_kind::websocket;
  std::string storage;
  std::vector<siocodec::byte_view> atts2;
  std::vector<std::string> frames;
  std::vector<bool> is_text;
  const auto f = sio::encode_frames(b, storage, atts2, fo, [&](const eio::frame& fr) {
    frames.push_back(std::string(fr.prefix) + std::string(fr.data));
    is_text.push_back(fr.kind == eio::frame_kind::text);
  });
  std::vector<std::string> want_frames{"4" + want.text};
  for (const std::string& a : want.attachments) {
    want_frames.push_back(version == sio::protocol_version::v5 ? a : "\x04" + a);
  }
  std::vector<bool> want_kinds(want_frames.size(), false);
  want_kinds[0] = true;
  if (!f || frames != want_frames || is_text != want_kinds) {
    w.fail(id, "encode_frames (websocket) sent something else");
  }
}

// The expected frames through the decoder; encode(packet_view) of the packet must give them back.
void check_round_trip(walker& w, const std::string& id, const frames_t& fr,
                      sio::protocol_version v) {
  ++w.round_trips;
  for (const sio::attachment_mode mode :
       {sio::attachment_mode::borrow, sio::attachment_mode::copy}) {
    sio::decode_options opts;
    opts.version = v;
    sio::decoder dec(opts, mode);
    auto r = dec.feed(std::string_view(fr.text), eio::frame_kind::text);
    for (const std::string& a : fr.attachments) {
      if (r || r.error() != siocodec::errc::incomplete) break;
      r = dec.feed(siocodec::byte_view(a), eio::frame_kind::binary);
    }
    if (!r) {
      w.fail(id, std::string("round trip: the decoder gives ") + siocodec::to_string(r.error()) +
                     " for " + describe_frames(fr.text, fr.attachments));
      return;
    }
    sio::encode_options eo;
    eo.version = v;
    std::string text;
    const auto e = sio::encode(*r, text, eo);
    std::vector<std::string> atts;
    for (std::size_t i = 0; i < r->attachment_count; ++i)
      atts.emplace_back(r->attachment(i).as_chars());
    if (!e || text != fr.text || atts != fr.attachments) {
      w.fail(id,
             "round trip: encode(decode(frames)) gives " +
                 (e ? describe_frames(text, atts) : std::string(siocodec::to_string(e.error()))));
    }
  }
}

void sio_encode(walker& w, reader& r, const std::string& id, const ojson& v) {
  const sio::protocol_version version = version_of(r, v);
  const ojson& desc = r.need(v, "packet");
  const ojson& ref = r.need(v, "ref");
  const ojson* ours = r.member(v, "ours");
  const ojson& target = ours != nullptr ? *ours : ref;
  const bool unsupported = ours != nullptr && r.member(*ours, "unsupported") != nullptr;
  const ojson* data = r.member(desc, "data");
  std::deque<std::string> bins;
  if (data != nullptr && !siotest::collect_binaries(*data, bins)) r.bad("malformed $binary");

  bool expect_error = false;
  std::string error_name;
  frames_t want;
  bool have_frames = false;
  if (const ojson* f = r.member(target, "frames")) {
    have_frames = frames_of(r, *f, want);
  } else if (const ojson* err = r.member(target, "error")) {
    expect_error = true;
    if (err->is_string()) error_name = err->get_ref<const std::string&>();
  } else if (!unsupported) {
    r.bad("no frames, error or unsupported");
  }
  if (!r.ok) return;

  std::string why;
  const bool built = siotest::with_builder(desc, version, bins, why, [&](const auto& b) {
    if (!unsupported) check_builder(w, id, b, version, expect_error, error_name, want);
  });
  if (unsupported) {
    ++w.unsupported;
    if (built) w.fail(id, "marked unsupported, but the builders can express it");
  } else if (!built) {
    w.fail(id,
           "the builders cannot express this packet (" + why + ") and no \"unsupported\" says so");
  }

  // Round trip of the frames we must write (ours), or of the reference's where ours are the same
  // or where our builders cannot express the packet.
  frames_t rt;
  bool have_rt = false;
  if (have_frames) {
    rt = want;
    have_rt = true;
  } else if (unsupported) {
    if (const ojson* f = r.member(ref, "frames")) have_rt = frames_of(r, *f, rt);
  }
  if (have_rt) check_round_trip(w, id, rt, version);
}

using op_fn = void (*)(walker&, reader&, const std::string&, const ojson&);

struct op_entry {
  const char* name;
  op_fn fn;
};

const op_entry ops[] = {
    {"sio.decode", sio_decode},
    {"sio.encode", sio_encode},
};

}  // namespace

TEST_CASE("Socket.IO agrees with the npm reference vectors") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(SIOCODEC_TEST_DATA_DIR) / "reference" / "vectors";
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".jsonl") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
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
      const ojson v = ojson::parse(line, nullptr, false);
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
      if (op.rfind("sio.", 0) != 0) {
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
  CAPTURE(total, skipped, w.builder_checked, w.unsupported, w.round_trips, w.failures.size());
  CHECK(w.failures.empty());
}

#else

TEST_CASE("Socket.IO reference vectors need nlohmann/json") {
  WARN("nlohmann/json not found: the Socket.IO reference vectors were not checked");
}

#endif  // SIOCODEC_HAVE_NLOHMANN
