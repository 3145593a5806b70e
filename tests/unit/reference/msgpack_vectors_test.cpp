// SPDX-License-Identifier: BSL-1.0
// Walks the msgpack reference vectors (tests/reference/vectors/msgpack_*.jsonl, generated from
// notepack.io 2.2.0 and socket.io-msgpack-parser 3.0.2 / 2.2.1 by tests/reference/gen/msgpack.js)
// and checks siocodec against what the reference did ("ref"), or against our documented
// deviation ("ours"); "lax": true deviations are also checked in lax mode against "ref".
//
// msgpack.decode: msgpack::parse, compared value by value with the reference's JavaScript value
// (through socketio::any_value, so that view is exercised too). msgpack.encode: the value is
// written with the msgpack emit_* functions; the bytes must equal notepack.io's, and parse back.
// sio_msgpack.decode: msgpack_parser::decode / msgpack_parser::decode_text and the parser facade.
// sio_msgpack.encode: encode(msgpack_packet_view) in its three forms and, when the packet can be
// expressed with them, the packet builders; then the expected message is decoded and encoded
// again, byte for byte.
//
// The vectors are read with siocodec's own JSON layer (no third-party dependency).
#include "support/catch.hpp"
#include "support/json_vectors.hpp"
#include "support/lossy_utf8.hpp"

#include <siocodec/json/value.hpp>
#include <siocodec/msgpack/msgpack.hpp>
#include <siocodec/sink.hpp>
#include <siocodec/socketio.hpp>
#include <siocodec/socketio/codec.hpp>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace json = siocodec::json;
namespace mp = siocodec::msgpack;
namespace sio = siocodec::socketio;
using siocodec::byte_view;
using siocodec::errc;

namespace {

using siocodec_test::member;
using siocodec_test::str;

bool from_hex(std::string_view h, std::string& out) {
  out.clear();
  if (h.size() % 2 != 0) return false;
  const auto d = [](char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
  };
  for (std::size_t i = 0; i < h.size(); i += 2) {
    const int hi = d(h[i]), lo = d(h[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

std::string to_hex(std::string_view s) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (const char c : s) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}

// A marker object ({"$binary": ...}): its name, or empty.
std::string marker(const json::value& v) {
  if (!v.is_object() || v.size() != 1) return {};
  const json::member m = *v.members().begin();
  const std::string k = str(m.key);
  static const char* const names[] = {"$binary", "$arraybuffer", "$number",
                                      "$utf16",  "$undefined",   "$date"};
  for (const char* n : names) {
    if (k == n) return k;
  }
  return {};
}

double number_of(const json::value& v) {
  if (v.is_number()) return *v.to_double();
  const std::string s = str(member(v, "$number"));
  return std::strtod(s.c_str(), nullptr);
}

using siocodec_test::lossy_utf8;

// A key as JavaScript's String() makes it a property name; false when the test cannot tell.
bool js_key(const sio::any_value& k, bool lax, std::string& out) {
  if (k.is_string()) {
    out.clear();
    (void)k.append_string(out);
    if (lax) out = lossy_utf8(out);
    return true;
  }
  if (k.is_number() && k.is_integer()) {
    const auto i = k.to_int64();
    if (!i) return false;
    out = std::to_string(*i);
    return true;
  }
  return false;
}

// The reference's value (vector JSON with markers) against a decoded value of either parser.
bool same(const json::value& want, const sio::any_value& got, bool lax, std::string& why) {
  const auto fail = [&why](const std::string& w) {
    why = w;
    return false;
  };
  const std::string mk = marker(want);
  if (mk == "$binary" || mk == "$arraybuffer") {
    std::string bytes;
    from_hex(str(member(want, mk)), bytes);
    if (!got.is_binary()) return fail("expected binary");
    if (got.bytes().as_chars() != bytes) return fail("binary bytes differ");
    return true;
  }
  if (mk == "$undefined") return got.is_undefined() ? true : fail("expected undefined");
  if (mk == "$date") {
    if (!got.is_extension() || got.ext_type() != 0 || got.bytes().size() != 8) {
      return fail("expected a Date");
    }
    const byte_view b = got.bytes();
    const auto hi = static_cast<std::int32_t>(mp::detail::load_be32(b.data()));
    const auto lo = mp::detail::load_be32(b.data() + 4);
    const double ms = static_cast<double>(hi) * 4294967296.0 + static_cast<double>(lo);
    return ms == number_of(member(want, "$date")) ? true : fail("Date differs");
  }
  if (mk == "$utf16") return fail("a lone surrogate cannot be decoded from UTF-8");
  if (mk == "$number" || want.is_number()) {
    if (!got.is_number()) return fail("expected a number");
    const double w = number_of(want), g = *got.to_double();
    if (std::isnan(w) && std::isnan(g)) return true;
    return w == g ? true : fail("number differs");
  }
  switch (want.type()) {
    case json::kind::null: return got.is_null() ? true : fail("expected null");
    case json::kind::boolean:
      return got.is_bool() && got.get_bool() == want.get_bool() ? true : fail("boolean differs");
    case json::kind::string: {
      if (!got.is_string()) return fail("expected a string");
      std::string s;
      (void)got.append_string(s);
      if (lax) s = lossy_utf8(s);
      return s == str(want) ? true : fail("string differs");
    }
    case json::kind::array: {
      if (got.is_extension()) {
        // notepack.io: [type, Buffer].
        if (want.size() != 2 || !want[0].is_number() ||
            number_of(want[0]) != static_cast<double>(got.ext_type()) ||
            marker(want[1]) != "$binary") {
          return fail("extension differs");
        }
        std::string bytes;
        from_hex(str(member(want[1], "$binary")), bytes);
        return got.bytes().as_chars() == bytes ? true : fail("extension bytes differ");
      }
      if (!got.is_array()) return fail("expected an array");
      if (got.size() != want.size()) return fail("array sizes differ");
      auto g = got.elements().begin();
      for (const json::value& w : want.elements()) {
        if (!same(w, *g, lax, why)) return false;
        ++g;
      }
      return true;
    }
    case json::kind::object: {
      if (!got.is_object()) return fail("expected an object");
      // JavaScript's view of a map: keys through String(), the last duplicate wins.
      std::map<std::string, sio::any_value> props;
      for (const sio::any_member& m : got.members()) {
        std::string k;
        if (!js_key(m.key, lax, k)) return fail("a map key the walker cannot name");
        props[k] = m.val;
      }
      if (props.size() != want.size()) return fail("object sizes differ");
      for (const json::member& m : want.members()) {
        const auto it = props.find(str(m.key));
        if (it == props.end()) return fail("missing key " + str(m.key));
        if (!same(m.val, it->second, lax, why)) return false;
      }
      return true;
    }
    case json::kind::number: break;
  }
  return fail("unexpected vector value");
}

// Writes vector JSON with markers as msgpack, the way notepack.io writes the JavaScript value.
template <class W>
errc emit_json(W& w, const json::value& v) {
  const std::string mk = marker(v);
  if (mk == "$binary" || mk == "$arraybuffer") {
    std::string bytes;
    from_hex(str(member(v, mk)), bytes);
    return mk == "$binary" ? mp::emit_binary(w, byte_view(bytes))
                           : mp::emit_arraybuffer(w, byte_view(bytes));
  }
  if (mk == "$undefined") {
    mp::emit_undefined(w);
    return errc::none;
  }
  if (mk == "$date") {
    const double ms = number_of(member(v, "$date"));
    const double hi = std::floor(ms / 4294967296.0);
    const auto h = static_cast<std::uint32_t>(static_cast<std::int32_t>(hi));
    const auto l = static_cast<std::uint32_t>(ms - hi * 4294967296.0);
    unsigned char b[8];
    for (int i = 0; i < 4; ++i) {
      b[i] = static_cast<unsigned char>(h >> (24 - 8 * i));
      b[4 + i] = static_cast<unsigned char>(l >> (24 - 8 * i));
    }
    return mp::emit_ext(w, 0, byte_view(b, 8));
  }
  if (mk == "$number" || v.is_number()) {
    mp::emit_number(w, number_of(v));
    return errc::none;
  }
  switch (v.type()) {
    case json::kind::null: mp::emit_nil(w); return errc::none;
    case json::kind::boolean: mp::emit_bool(w, v.get_bool()); return errc::none;
    case json::kind::string: return mp::emit_string(w, str(v));
    case json::kind::array: {
      errc e = mp::emit_array_header(w, v.size());
      for (const json::value& x : v.elements()) {
        if (e == errc::none) e = emit_json(w, x);
      }
      return e;
    }
    case json::kind::object: {
      errc e = mp::emit_map_header(w, v.size());
      for (const json::member& m : v.members()) {
        if (e == errc::none) e = mp::emit_string(w, str(m.key));
        if (e == errc::none) e = emit_json(w, m.val);
      }
      return e;
    }
    case json::kind::number: break;
  }
  return errc::invalid_argument;
}

bool to_msgpack(const json::value& v, std::string& out) {
  out.clear();
  return siocodec::detail::write_append(out, [&v](auto& w) { return emit_json(w, v); }).has_value();
}

// Writes vector JSON through a builder's msgpack_args_writer. False when it holds something a
// builder cannot express (an ArrayBuffer).
bool expressible(const json::value& v) {
  const std::string mk = marker(v);
  if (mk == "$arraybuffer" || mk == "$utf16") return false;
  if (!mk.empty()) return true;
  if (v.is_array()) {
    for (const json::value& x : v.elements()) {
      if (!expressible(x)) return false;
    }
  }
  if (v.is_object()) {
    for (const json::member& m : v.members()) {
      if (!expressible(m.val)) return false;
    }
  }
  return true;
}

bool has_binary(const json::value& v) {
  if (marker(v) == "$binary") return true;
  if (v.is_array()) {
    for (const json::value& x : v.elements()) {
      if (has_binary(x)) return true;
    }
  }
  if (v.is_object() && marker(v).empty()) {
    for (const json::member& m : v.members()) {
      if (has_binary(m.val)) return true;
    }
  }
  return false;
}

void write_value(sio::msgpack_args_writer& w, const json::value& v) {
  const std::string mk = marker(v);
  if (mk == "$binary") {
    std::string bytes;
    from_hex(str(member(v, mk)), bytes);
    w.binary(byte_view(bytes));  // copied into the output before `bytes` goes
    return;
  }
  if (mk == "$undefined") {
    w.undefined();
    return;
  }
  if (mk == "$date") {
    std::string bytes;
    to_msgpack(v, bytes);
    w.raw_msgpack(mp::value::unchecked(byte_view(bytes)));
    return;
  }
  if (mk == "$number" || v.is_number()) {
    w.number(number_of(v));
    return;
  }
  switch (v.type()) {
    case json::kind::null: w.null(); return;
    case json::kind::boolean: w.boolean(v.get_bool()); return;
    case json::kind::string: w.string(str(v)); return;
    case json::kind::array:
      w.begin_array();
      for (const json::value& x : v.elements()) write_value(w, x);
      w.end_array();
      return;
    case json::kind::object:
      w.begin_object();
      for (const json::member& m : v.members()) {
        w.key(str(m.key));
        write_value(w, m.val);
      }
      w.end_object();
      return;
    case json::kind::number: return;
  }
}

struct walker {
  std::vector<std::string> failures;
  std::map<std::string, std::size_t> counts;
  std::size_t builder_checked = 0;
  std::size_t round_trips = 0;
  std::size_t lax_checked = 0;
  void fail(const std::string& id, const std::string& what) {
    failures.push_back(id + ": " + what);
  }
};

std::vector<std::string> read_lines(const std::string& name) {
  std::ifstream in(std::string(SIOCODEC_TEST_DATA_DIR) + "/reference/vectors/" + name);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// --- msgpack.decode / msgpack.encode ----------------------------------------------------------

void check_value_decode(walker& w, const std::string& id, const json::value& v) {
  std::string bytes;
  from_hex(str(member(v, "binary")), bytes);
  const json::value ref = member(v, "ref");
  const json::value ours = member(v, "ours");
  const json::value ours_error = member(ours, "error");
  const auto r = mp::parse(byte_view(bytes));
  if (ours_error.exists()) {
    if (r || std::string(siocodec::to_string(r.error())) != str(ours_error)) {
      w.fail(id, "expected error " + str(ours_error) + ", got " + siocodec::to_string(r.error()));
    }
    if (member(ours, "lax").exists()) {
      mp::options lax;
      lax.check_utf8 = false;
      const auto l = mp::parse(byte_view(bytes), lax);
      std::string why;
      if (!l) {
        w.fail(id, std::string("lax: ") + siocodec::to_string(l.error()));
      } else if (!same(member(ref, "value"), sio::any_value(*l), true, why)) {
        w.fail(id, "lax: " + why);
      }
      ++w.lax_checked;
    }
    return;
  }
  if (!r) {
    w.fail(id, std::string("decode failed: ") + siocodec::to_string(r.error()));
    return;
  }
  if (r.offset() != bytes.size() || r->raw().size() != bytes.size()) w.fail(id, "offset");
  std::string why;
  if (!same(member(ref, "value"), sio::any_value(*r), false, why)) w.fail(id, why);
  // Validation and the value's own walk agree on the kind.
  const auto k = mp::validate(byte_view(bytes));
  if (!k || *k != r->type()) w.fail(id, "validate() kind");
}

void check_value_encode(walker& w, const std::string& id, const json::value& v) {
  const json::value input = member(v, "value");
  const json::value ours = member(v, "ours");
  const json::value want =
      ours.exists() ? member(ours, "binary") : member(member(v, "ref"), "binary");
  std::string expected, got;
  from_hex(str(want), expected);
  if (!to_msgpack(input, got)) {
    w.fail(id, "encode failed");
    return;
  }
  if (got != expected) w.fail(id, "encoded " + to_hex(got) + ", expected " + to_hex(expected));
  const auto back = mp::parse(byte_view(got));
  std::string why;
  if (!back) {
    w.fail(id, std::string("our bytes do not parse: ") + siocodec::to_string(back.error()));
  } else if (!ours.exists() && !same(input, sio::any_value(*back), false, why)) {
    w.fail(id, "round trip: " + why);
  }
}

// --- sio_msgpack.decode ------------------------------------------------------------------------

bool same_id(const json::value& want, const std::optional<std::uint64_t>& got) {
  if (!want.exists()) return !got.has_value();
  if (!got) return false;
  if (want.is_string()) return str(want) == std::to_string(*got);  // exact ids in "ours"
  return number_of(want) == static_cast<double>(*got);
}

bool same_packet(const json::value& want, const sio::any_packet& got, bool lax, std::string& why) {
  if (number_of(member(want, "type")) != static_cast<double>(static_cast<int>(got.type()))) {
    why = "type differs";
    return false;
  }
  if (str(member(want, "nsp")) != (lax ? lossy_utf8(got.nsp()) : std::string(got.nsp()))) {
    why = "nsp differs";
    return false;
  }
  if (!same_id(member(want, "id"), got.id())) {
    why = "id differs";
    return false;
  }
  const json::value data = member(want, "data");
  if (!data.exists()) {
    if (got.has_data()) {
      why = "unexpected data";
      return false;
    }
    return true;
  }
  return same(data, got.data(), lax, why);
}

void check_sio_decode(walker& w, const std::string& id, const json::value& v) {
  const int version = static_cast<int>(number_of(member(v, "version")));
  const json::value message = member(v, "message");
  const bool text = member(message, "text").exists();
  std::string bytes;
  if (text) {
    bytes = str(member(message, "text"));
  } else {
    from_hex(str(member(message, "binary")), bytes);
  }
  const json::value ref = member(v, "ref");
  const json::value ours = member(v, "ours");
  sio::decode_options opts;
  opts.version = version == 4 ? sio::protocol_version::v4 : sio::protocol_version::v5;

  const auto run = [&](const sio::decode_options& o) -> siocodec::result<sio::any_packet> {
    if (text) {
      const auto r = sio::msgpack_parser::decode_text(bytes, o);
      if (!r) return {r.error(), r.offset()};
      return {sio::any_packet(*r, sio::parser_kind::msgpack), r.offset()};
    }
    const auto r = sio::msgpack_parser::decode(byte_view(bytes), o);
    if (!r) return {r.error(), r.offset()};
    return {sio::any_packet(*r), r.offset()};
  };
  const auto r = run(opts);

  // The facade must say exactly the same.
  sio::codec facade(sio::parser_kind::msgpack, sio::make_codec_options(opts));
  const auto f =
      facade.decode(std::string_view(bytes), text ? siocodec::engineio::frame_kind::text
                                                  : siocodec::engineio::frame_kind::binary);
  if (f.error() != r.error() || f.offset() != r.offset()) w.fail(id, "the parser facade differs");

  const json::value ours_error = member(ours, "error");
  if (ours_error.exists()) {
    if (r || std::string(siocodec::to_string(r.error())) != str(ours_error)) {
      w.fail(id, "expected error " + str(ours_error) + ", got " + siocodec::to_string(r.error()));
    }
    if (member(ours, "lax").exists()) {
      // Lax mode as siocodec-inspect --lax sets it: invalid UTF-8 needs allow_invalid_utf8, which
      // lax alone does not imply.
      const bool utf8 = str(ours_error) == "invalid_utf8";
      sio::decode_options lax = opts;
      lax.lax = true;
      if (utf8) {
        const auto refused = run(lax);
        if (refused || refused.error() != siocodec::errc::invalid_utf8) {
          w.fail(id, "lax without allow_invalid_utf8 must refuse with invalid_utf8");
        }
        lax.allow_invalid_utf8 = true;
      }
      const auto l = run(lax);
      std::string why;
      if (!l) {
        w.fail(id, std::string("lax: ") + siocodec::to_string(l.error()));
      } else if (!same_packet(member(ref, "packet"), *l, true, why)) {
        w.fail(id, "lax: " + why);
      } else if (l->has_invalid_utf8() != utf8) {
        w.fail(id, "lax: has_invalid_utf8 is wrong");
      }
      ++w.lax_checked;
    }
    return;
  }
  if (!r) {
    w.fail(id, std::string("decode failed: ") + siocodec::to_string(r.error()));
    return;
  }
  if (r.offset() != bytes.size()) w.fail(id, "offset");
  const json::value want =
      member(ours, "packet").exists() ? member(ours, "packet") : member(ref, "packet");
  std::string why;
  if (!same_packet(want, *r, false, why)) w.fail(id, why);
  if (!same_packet(want, *f, false, why)) w.fail(id, "facade: " + why);
}

// --- sio_msgpack.encode ------------------------------------------------------------------------

struct expected_frame {
  bool text = false;
  std::string bytes;
};

template <class B>
void check_builder(walker& w, const std::string& id, const B& b, const sio::encode_options& o,
                   const expected_frame& want) {
  std::string out;
  const auto r = sio::msgpack_parser::encode(b, out, o);
  if (!r) {
    w.fail(id, std::string("builder: ") + siocodec::to_string(r.error()));
    return;
  }
  if (out != want.bytes)
    w.fail(id, "builder wrote " + to_hex(out) + ", expected " + to_hex(want.bytes));
  if ((sio::msgpack_parser::encoded_frame_kind(b, o) == siocodec::engineio::frame_kind::text) !=
      want.text) {
    w.fail(id, "builder frame kind");
  }
  const auto n = sio::msgpack_parser::encoded_size(b, o);
  if (!n || *n != out.size()) w.fail(id, "builder encoded_size");
  std::vector<char> buf(out.size() + 1);
  const auto t = sio::msgpack_parser::encode_to(buf.data(), out.size(), b, o);
  if (!t || std::string_view(buf.data(), out.size()) != out) w.fail(id, "builder encode_to");
  if (!out.empty() && sio::msgpack_parser::encode_to(buf.data(), out.size() - 1, b, o).error() !=
                          errc::output_too_small) {
    w.fail(id, "builder encode_to cap - 1");
  }
  ++w.builder_checked;
}

void try_builders(walker& w, const std::string& id, const json::value& packet,
                  const sio::encode_options& o, const expected_frame& want) {
  const int type = static_cast<int>(number_of(member(packet, "type")));
  const std::string nsp = str(member(packet, "nsp"));
  const json::value data = member(packet, "data");
  const json::value idv = member(packet, "id");
  if (data.exists() && !expressible(data)) return;
  // Builders write "" as the main namespace "/", like the default parser's builders.
  if (nsp.empty()) return;
  // v4 builders promote EVENT / ACK with binary values to BINARY_EVENT / BINARY_ACK, as
  // Socket.IO 2.x does; the vectors give the reference encoder the type to write.
  const bool v4 = o.version == sio::protocol_version::v4;
  if (v4 && (type == 2 || type == 3) && has_binary(data)) return;
  if (v4 && (type == 5 || type == 6) && !has_binary(data)) return;
  const auto writes = [&data](auto& wr) { write_value(wr, data); };
  const auto with_id = [&idv](auto&& b) -> auto& {
    if (idv.exists()) b.id(static_cast<std::uint64_t>(number_of(idv)));
    return b;
  };
  switch (type) {
    case 5:
    case 2: {
      if (!data.is_array() || data.size() == 0 || !data[0].is_string()) return;
      const std::string name = str(data[0]);
      const auto rest = [&data](auto& wr) {
        bool first = true;
        for (const json::value& x : data.elements()) {
          if (!first) write_value(wr, x);
          first = false;
        }
      };
      check_builder(w, id, with_id(sio::event(name, rest).nsp(nsp)), o, want);
      return;
    }
    case 6:
    case 3: {
      if (!idv.exists() || !data.is_array()) return;
      const auto all = [&data](auto& wr) {
        for (const json::value& x : data.elements()) write_value(wr, x);
      };
      check_builder(w, id, sio::ack(static_cast<std::uint64_t>(number_of(idv)), all).nsp(nsp), o,
                    want);
      return;
    }
    case 0:
      if (!data.exists()) {
        check_builder(w, id, with_id(sio::connect(nsp)), o, want);
      } else if (data.is_object()) {
        check_builder(w, id, with_id(sio::connect(nsp, writes)), o, want);
      }
      return;
    case 1:
      if (!data.exists()) check_builder(w, id, with_id(sio::disconnect(nsp)), o, want);
      return;
    case 4: {
      if (o.version == sio::protocol_version::v4) {
        if (data.is_string()) {
          const std::string msg = str(data);
          check_builder(w, id, with_id(sio::connect_error(msg).nsp(nsp)), o, want);
        }
        return;
      }
      if (!data.is_object()) return;
      const json::value msg = member(data, "message");
      const json::value extra = member(data, "data");
      const std::size_t keys = data.size();
      const auto first = *data.members().begin();
      if (!msg.is_string() || str(first.key) != "message") return;
      const std::string message = str(msg);
      if (keys == 1) {
        check_builder(w, id, with_id(sio::connect_error(message).nsp(nsp)), o, want);
      } else if (keys == 2 && extra.exists()) {
        const auto extra_writer = [&extra](auto& wr) { write_value(wr, extra); };
        check_builder(w, id, with_id(sio::connect_error(message, extra_writer).nsp(nsp)), o, want);
      }
      return;
    }
    default: return;
  }
}

void check_sio_encode(walker& w, const std::string& id, const json::value& v) {
  const int version = static_cast<int>(number_of(member(v, "version")));
  const json::value packet = member(v, "packet");
  const json::value ref = member(v, "ref");
  const json::value ours = member(v, "ours");
  sio::encode_options o;
  o.version = version == 4 ? sio::protocol_version::v4 : sio::protocol_version::v5;
  sio::decode_options d;
  d.version = o.version;

  std::string data_bytes;
  sio::msgpack_packet_view p;
  p.type = static_cast<sio::packet_type>(static_cast<int>(number_of(member(packet, "type"))));
  const std::string nsp = str(member(packet, "nsp"));
  p.nsp = nsp;
  if (member(packet, "id").exists()) {
    p.id = static_cast<std::uint64_t>(number_of(member(packet, "id")));
  }
  if (member(packet, "data").exists()) {
    if (!to_msgpack(member(packet, "data"), data_bytes)) {
      w.fail(id, "cannot write the data");
      return;
    }
    p.data = mp::value::unchecked(byte_view(data_bytes));
  }
  std::string out;
  const auto r = sio::encode(p, out, o);
  const json::value ours_error = member(ours, "error");
  if (ours_error.exists()) {
    if (r || std::string(siocodec::to_string(r.error())) != str(ours_error)) {
      w.fail(id, "expected error " + str(ours_error) + ", got " + siocodec::to_string(r.error()));
    }
    if (!out.empty()) w.fail(id, "output written on error");
    return;
  }
  const json::value frames =
      member(ours, "frames").exists() ? member(ours, "frames") : member(ref, "frames");
  if (frames.size() != 1) {
    w.fail(id, "expected one frame");
    return;
  }
  expected_frame want;
  const json::value fr = frames[0];
  want.text = member(fr, "text").exists();
  if (want.text) {
    want.bytes = str(member(fr, "text"));
  } else {
    from_hex(str(member(fr, "binary")), want.bytes);
  }
  if (!r) {
    w.fail(id, std::string("encode failed: ") + siocodec::to_string(r.error()));
    return;
  }
  if (out != want.bytes) w.fail(id, "wrote " + to_hex(out) + ", expected " + to_hex(want.bytes));
  if ((sio::encoded_frame_kind(p, o) == siocodec::engineio::frame_kind::text) != want.text) {
    w.fail(id, "frame kind");
  }
  const auto n = sio::encoded_size(p, o);
  if (!n || *n != out.size()) w.fail(id, "encoded_size");
  std::vector<char> buf(out.size() + 1);
  const auto t = sio::encode_to(buf.data(), out.size(), p, o);
  if (!t || std::string_view(buf.data(), out.size()) != out) w.fail(id, "encode_to");
  if (sio::encode_to(buf.data(), out.size() - 1, p, o).error() != errc::output_too_small) {
    w.fail(id, "encode_to cap - 1");
  }
  try_builders(w, id, packet, o, want);

  // The expected message decodes, and encodes back byte for byte.
  std::string again;
  if (want.text) {
    const auto back = sio::msgpack_parser::decode_text(want.bytes, d);
    if (!back) {
      w.fail(id,
             std::string("expected text does not decode: ") + siocodec::to_string(back.error()));
      return;
    }
    // Through the msgpack view: the JSON data of a v4 text packet is a string (ERROR) or none.
    sio::msgpack_packet_view q;
    q.type = back->type;
    q.nsp = back->nsp;
    q.id = back->id;
    std::string msg_bytes;
    if (back->has_data()) {
      const auto j = json::value::unchecked(back->data);
      (void)siocodec::detail::write_append(msg_bytes, [&j](auto& wr) { return emit_json(wr, j); });
      q.data = mp::value::unchecked(byte_view(msg_bytes));
    }
    (void)sio::encode(q, again, o);
  } else {
    const auto back = sio::msgpack_parser::decode(byte_view(want.bytes), d);
    if (!back) {
      w.fail(id,
             std::string("expected message does not decode: ") + siocodec::to_string(back.error()));
      return;
    }
    (void)sio::encode(*back, again, o);
  }
  if (again != want.bytes) w.fail(id, "decode + encode is not byte for byte");
  ++w.round_trips;
}

void walk(walker& w, const std::string& file) {
  const std::vector<std::string> lines = read_lines(file);
  REQUIRE(!lines.empty());
  for (const std::string& line : lines) {
    json::options deep;
    deep.max_depth = 1024;  // the vectors nest payloads up to the decoders' limit, and then some
    const auto root = json::parse(line, deep);
    if (!root) {
      w.fail(file, "a line is not JSON");
      continue;
    }
    const std::string id = str(member(*root, "id"));
    const std::string op = str(member(*root, "op"));
    ++w.counts[op];
    if (op == "msgpack.decode") {
      check_value_decode(w, id, *root);
    } else if (op == "msgpack.encode") {
      check_value_encode(w, id, *root);
    } else if (op == "sio_msgpack.decode") {
      check_sio_decode(w, id, *root);
    } else if (op == "sio_msgpack.encode") {
      check_sio_encode(w, id, *root);
    } else {
      w.fail(id, "unknown op " + op);
    }
  }
}

std::string report(const walker& w) {
  std::ostringstream s;
  for (const auto& f : w.failures) s << f << "\n";
  return s.str();
}

}  // namespace

TEST_CASE("msgpack reference vectors: notepack.io values") {
  walker w;
  walk(w, "msgpack_values.jsonl");
  INFO(report(w));
  CHECK(w.failures.empty());
  CHECK(w.counts["msgpack.decode"] >= 100);
  CHECK(w.counts["msgpack.encode"] >= 50);
  CHECK(w.lax_checked >= 5);
}

TEST_CASE("msgpack reference vectors: socket.io-msgpack-parser 3.0.2 (protocol v5)") {
  walker w;
  walk(w, "msgpack_v5.jsonl");
  INFO(report(w));
  CHECK(w.failures.empty());
  CHECK(w.counts["sio_msgpack.decode"] >= 100);
  CHECK(w.counts["sio_msgpack.encode"] >= 20);
  CHECK(w.builder_checked >= 15);
  CHECK(w.round_trips >= 20);
}

TEST_CASE("msgpack reference vectors: socket.io-msgpack-parser 2.2.1 (protocol v4)") {
  walker w;
  walk(w, "msgpack_v4.jsonl");
  INFO(report(w));
  CHECK(w.failures.empty());
  CHECK(w.counts["sio_msgpack.decode"] >= 100);
  CHECK(w.counts["sio_msgpack.encode"] >= 20);
  CHECK(w.builder_checked >= 15);
  CHECK(w.round_trips >= 20);
}
