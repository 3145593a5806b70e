// SPDX-License-Identifier: BSL-1.0
// The C++ half of the msgpack differential test (run.js drives it): reads one JSON record per
// line on stdin, answers one JSON line per record on stdout.
//
// Record: {"v": 5|4, "hex": "<message>"} or {"v": 4, "text": "<message>"}, optional "desc" (the
// packet as vector JSON, for the builders) and "mutated": true (a damaged message: also decoded
// in lax mode).
//
// Answer: {"dec": <packet>|{"error": "<code>"}, "reenc": hex|null, "walk": hex|null,
//          "build": hex|null|"-", "lax": <packet>|{"error"}, "skip": true?}
// - dec:   msgpack_parser::decode / msgpack_parser::decode_text, the packet described as vector
// JSON;
// - reenc: encode() of the decoded view (the payload copied verbatim);
// - walk:  the packet written again value by value with the msgpack emit_* functions, which
//          must choose the reference's encodings for every value;
// - build: the packet built from "desc" with the packet builders ("-": not expressible);
// - lax:   (mutated records) the lax decode, strings decoded lossily as Node does;
// - skip:  a map key the describer cannot spell as JavaScript would (String() of an array...).
#include "support/lossy_utf8.hpp"

#include <siocodec/json/value.hpp>
#include <siocodec/json/write.hpp>
#include <siocodec/msgpack/msgpack.hpp>
#include <siocodec/sink.hpp>
#include <siocodec/socketio.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

namespace json = siocodec::json;
namespace mp = siocodec::msgpack;
namespace sio = siocodec::socketio;
using siocodec::byte_view;
using siocodec::errc;

namespace {

std::string to_hex(std::string_view s) {
  static constexpr char d[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * s.size());
  for (const char c : s) {
    out.push_back(d[static_cast<unsigned char>(c) >> 4]);
    out.push_back(d[static_cast<unsigned char>(c) & 15]);
  }
  return out;
}

bool from_hex(std::string_view h, std::string& out) {
  out.clear();
  if (h.size() % 2 != 0) return false;
  const auto v = [](char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
  };
  for (std::size_t i = 0; i < h.size(); i += 2) {
    const int a = v(h[i]), b = v(h[i + 1]);
    if (a < 0 || b < 0) return false;
    out.push_back(static_cast<char>(a * 16 + b));
  }
  return true;
}

std::string str(const json::value& v) {
  std::string s;
  (void)v.unescape(s);
  return s;
}

json::value member(const json::value& o, std::string_view k) {
  json::value v;
  (void)o.find(k, v);
  return v;
}

using siocodec_test::lossy_utf8;

void append_json_string(std::string& out, std::string_view utf8) {
  (void)json::encode_string(utf8, out);
}

// A JavaScript number as lib/common.js's fromJsNumber writes it.
void append_number(std::string& out, double d) {
  // Safe integers, and 2^53 itself, print exactly; everything else as String(n).
  if (std::isfinite(d) && std::floor(d) == d &&
      (std::fabs(d) < 9007199254740992.0 || d == 9007199254740992.0)) {
    (void)siocodec::detail::write_append(out, [d](auto& w) {
      json::emit_number(w, d);
      return errc::none;
    });
    return;
  }
  out += "{\"$number\":\"";
  if (std::isnan(d)) {
    out += "NaN";
  } else if (std::isinf(d)) {
    out += d < 0 ? "-Infinity" : "Infinity";
  } else {
    (void)siocodec::detail::write_append(out, [d](auto& w) {
      json::emit_number(w, d);
      return errc::none;
    });
  }
  out += "\"}";
}

struct describer {
  bool lax = false;
  bool skip = false;

  // String(key) of a map key, as the reference's property assignment spells it.
  bool key_name(const mp::value& k, std::string& out) {
    switch (k.type()) {
      case mp::kind::string:
        out = lax ? lossy_utf8(k.get_string()) : std::string(k.get_string());
        return true;
      case mp::kind::integer:
      case mp::kind::floating: {
        const double d = *k.to_double();
        if (std::isnan(d)) {
          out = "NaN";
        } else if (std::isinf(d)) {
          out = d < 0 ? "-Infinity" : "Infinity";
        } else {
          out.clear();
          (void)siocodec::detail::write_append(out, [d](auto& w) {
            json::emit_number(w, d);
            return errc::none;
          });
        }
        return true;
      }
      case mp::kind::nil: out = "null"; return true;
      case mp::kind::undefined: out = "undefined"; return true;
      case mp::kind::boolean: out = k.get_bool() ? "true" : "false"; return true;
      case mp::kind::map: out = "[object Object]"; return true;
      case mp::kind::binary:
        if (k.raw().data()[0] >= 0xc4 && k.raw().data()[0] <= 0xc6) {
          out = lossy_utf8(k.bytes().as_chars());  // String(Buffer)
          return true;
        }
        out = "[object ArrayBuffer]";
        return true;
      default: return false;  // arrays and extensions (arrays in JavaScript), Dates
    }
  }

  void value(std::string& out, const mp::value& v, int depth = 0) {
    if (depth > 200) {
      skip = true;
      out += "null";
      return;
    }
    switch (v.type()) {
      case mp::kind::nil: out += "null"; return;
      case mp::kind::undefined: out += "{\"$undefined\":true}"; return;
      case mp::kind::boolean: out += v.get_bool() ? "true" : "false"; return;
      case mp::kind::integer:
      case mp::kind::floating: append_number(out, *v.to_double()); return;
      case mp::kind::string:
        append_json_string(out, lax ? lossy_utf8(v.get_string()) : std::string(v.get_string()));
        return;
      case mp::kind::binary: {
        const bool is_bin = v.raw().data()[0] >= 0xc4 && v.raw().data()[0] <= 0xc6;
        out += is_bin ? "{\"$binary\":\"" : "{\"$arraybuffer\":\"";
        out += to_hex(v.bytes().as_chars());
        out += "\"}";
        return;
      }
      case mp::kind::ext: {
        const byte_view b = v.bytes();
        if (v.ext_type() == 0 && b.size() == 8 && v.raw().data()[0] == 0xd7) {
          const auto hi = static_cast<std::int32_t>(mp::detail::load_be32(b.data()));
          const auto lo = mp::detail::load_be32(b.data() + 4);
          const double ms = static_cast<double>(hi) * 4294967296.0 + static_cast<double>(lo);
          // new Date(ms) holds NaN beyond ±8.64e15 ms.
          out += "{\"$date\":";
          append_number(out, std::fabs(ms) <= 8.64e15 ? ms : std::nan(""));
          out += "}";
          return;
        }
        out += "[";
        append_number(out, v.ext_type());
        out += ",{\"$binary\":\"" + to_hex(b.as_chars()) + "\"}]";
        return;
      }
      case mp::kind::array: {
        out += "[";
        bool first = true;
        for (const mp::value& e : v.elements()) {
          if (!first) out += ",";
          first = false;
          value(out, e, depth + 1);
        }
        out += "]";
        return;
      }
      case mp::kind::map: {
        out += "{";
        bool first = true;
        for (const mp::member& m : v.members()) {
          std::string k;
          if (!key_name(m.key, k)) {
            skip = true;
            continue;
          }
          if (k == "__proto__") {
            skip = true;  // the reference turns it into the prototype
            continue;
          }
          if (!first) out += ",";
          first = false;
          append_json_string(out, k);
          out += ":";
          value(out, m.val, depth + 1);
        }
        out += "}";
        return;
      }
    }
  }
};

void describe_packet(std::string& out, sio::packet_type type, std::string_view nsp,
                     const std::optional<std::uint64_t>& id, describer& d, const mp::value* data,
                     std::string_view json_data) {
  out += "{\"type\":" + std::to_string(static_cast<int>(type)) + ",\"nsp\":";
  append_json_string(out, d.lax ? lossy_utf8(nsp) : std::string(nsp));
  if (id) {
    out += ",\"id\":";
    if (*id <= 9007199254740992u) {
      out += std::to_string(*id);
    } else {
      out += "\"" + std::to_string(*id) + "\"";  // exact; run.js knows
    }
  }
  if (data != nullptr && data->exists()) {
    out += ",\"data\":";
    d.value(out, *data);
  } else if (!json_data.empty()) {
    out += ",\"data\":";
    out += json_data;  // v4 text packets: the JSON as sent (a string for ERROR)
  }
  out += "}";
}

// Writes a value again with the emitters, choosing every encoding anew.
template <class W>
errc walk(W& w, const mp::value& v) {
  switch (v.type()) {
    case mp::kind::nil: mp::emit_nil(w); return errc::none;
    case mp::kind::undefined: mp::emit_undefined(w); return errc::none;
    case mp::kind::boolean: mp::emit_bool(w, v.get_bool()); return errc::none;
    case mp::kind::integer:
      if (v.is_negative_integer()) {
        mp::emit_int(w, *v.to_int64());
      } else {
        mp::emit_uint(w, *v.to_uint64());
      }
      return errc::none;
    case mp::kind::floating: mp::emit_number(w, *v.to_double()); return errc::none;
    case mp::kind::string: return mp::emit_string(w, v.get_string());
    case mp::kind::binary:
      if (v.raw().data()[0] >= 0xc4 && v.raw().data()[0] <= 0xc6)
        return mp::emit_binary(w, v.bytes());
      return mp::emit_arraybuffer(w, v.bytes());
    case mp::kind::ext: return mp::emit_ext(w, v.ext_type(), v.bytes());
    case mp::kind::array: {
      errc e = mp::emit_array_header(w, v.size());
      for (const mp::value& x : v.elements()) {
        if (e == errc::none) e = walk(w, x);
      }
      return e;
    }
    case mp::kind::map: {
      errc e = mp::emit_map_header(w, v.size());
      for (const mp::member& m : v.members()) {
        if (e == errc::none) e = walk(w, m.key);
        if (e == errc::none) e = walk(w, m.val);
      }
      return e;
    }
  }
  return errc::invalid_argument;
}

// --- builders from the description ---------------------------------------------------------------

std::string marker(const json::value& v) {
  if (!v.is_object() || v.size() != 1) return {};
  const std::string k = str(v.members().begin()->key);
  return !k.empty() && k[0] == '$' ? k : std::string();
}

double number_of(const json::value& v) {
  if (v.is_number()) return *v.to_double();
  const std::string s = str(member(v, "$number"));
  return std::strtod(s.c_str(), nullptr);
}

// The msgpack bytes of a description value that has no builder call of its own.
std::string encode_marker(const json::value& v) {
  std::string out, bytes;
  const std::string mk = marker(v);
  (void)siocodec::detail::write_append(out, [&](auto& w) {
    if (mk == "$arraybuffer") {
      from_hex(str(member(v, mk)), bytes);
      return mp::emit_arraybuffer(w, byte_view(bytes));
    }
    // $date
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
  });
  return out;
}

void write_desc(sio::msgpack_args_writer& w, const json::value& v) {
  const std::string mk = marker(v);
  if (mk == "$binary") {
    std::string bytes;
    from_hex(str(member(v, mk)), bytes);
    w.binary(byte_view(bytes));
    return;
  }
  if (mk == "$undefined") {
    w.undefined();
    return;
  }
  if (mk == "$arraybuffer" || mk == "$date") {
    const std::string bytes = encode_marker(v);
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
      for (const json::value& x : v.elements()) write_desc(w, x);
      w.end_array();
      return;
    case json::kind::object:
      w.begin_object();
      for (const json::member& m : v.members()) {
        w.key(str(m.key));
        write_desc(w, m.val);
      }
      w.end_object();
      return;
    case json::kind::number: return;
  }
}

template <class B>
std::string built(const B& b, const sio::encode_options& o) {
  std::string out;
  const auto r = sio::msgpack_parser::encode(b, out, o);
  if (!r) return std::string("error:") + siocodec::to_string(r.error());
  return to_hex(out);
}

// The builders' bytes for the description, "-" when builders cannot express it.
std::string build(const json::value& desc, const sio::encode_options& o) {
  const int type = static_cast<int>(number_of(member(desc, "type")));
  const std::string nsp = str(member(desc, "nsp"));
  const json::value data = member(desc, "data");
  const json::value idv = member(desc, "id");
  if (nsp.empty()) return "-";
  const auto with_id = [&idv](auto&& b) -> auto& {
    if (idv.exists()) b.id(static_cast<std::uint64_t>(number_of(idv)));
    return b;
  };
  const auto rest = [&data](auto& w) {
    bool first = true;
    for (const json::value& x : data.elements()) {
      if (!first) write_desc(w, x);
      first = false;
    }
  };
  const auto all = [&data](auto& w) {
    for (const json::value& x : data.elements()) write_desc(w, x);
  };
  const auto one = [&data](auto& w) { write_desc(w, data); };
  switch (type) {
    case 2:
    case 5: {
      if (!data.is_array() || data.size() == 0 || !data[0].is_string()) return "-";
      const std::string name = str(data[0]);
      return built(with_id(sio::event(name, rest).nsp(nsp)), o);
    }
    case 3:
    case 6:
      if (!idv.exists() || !data.is_array()) return "-";
      return built(sio::ack(static_cast<std::uint64_t>(number_of(idv)), all).nsp(nsp), o);
    case 0:
      if (!data.exists()) return built(with_id(sio::connect(nsp)), o);
      if (data.is_object() && marker(data).empty()) {
        return built(with_id(sio::connect(nsp, one)), o);
      }
      return "-";
    case 1: return data.exists() ? "-" : built(with_id(sio::disconnect(nsp)), o);
    case 4: {
      if (o.version == sio::protocol_version::v4) {
        if (!data.is_string()) return "-";
        const std::string msg = str(data);
        return built(with_id(sio::connect_error(msg).nsp(nsp)), o);
      }
      if (!data.is_object() || !marker(data).empty()) return "-";
      const json::value msg = member(data, "message");
      if (!msg.is_string() || str(data.members().begin()->key) != "message") return "-";
      const std::string message = str(msg);
      if (data.size() == 1) return built(with_id(sio::connect_error(message).nsp(nsp)), o);
      const json::value extra = member(data, "data");
      if (data.size() != 2 || !extra.exists()) return "-";
      const auto extra_writer = [&extra](auto& w) { write_desc(w, extra); };
      return built(with_id(sio::connect_error(message, extra_writer).nsp(nsp)), o);
    }
    default: return "-";
  }
}

// --- one record --------------------------------------------------------------------------------

std::string decode_answer(const std::string& message, bool text, const sio::decode_options& o,
                          bool lax, bool& skip, std::string* reenc, std::string* walked) {
  std::string out;
  describer d;
  d.lax = lax;
  sio::encode_options eo;
  eo.version = o.version;
  if (text) {
    const auto r = sio::msgpack_parser::decode_text(message, o);
    if (!r) return std::string("{\"error\":\"") + siocodec::to_string(r.error()) + "\"}";
    describe_packet(out, r->type, r->nsp, r->id, d, nullptr, r->data);
    if (reenc != nullptr) {
      // Through a msgpack view: the ERROR message string, written as msgpack for encode().
      std::string msg_bytes, bytes;
      sio::msgpack_packet_view q;
      q.type = r->type;
      q.nsp = r->nsp;
      q.id = r->id;
      if (r->has_data()) {
        const auto j = json::value::unchecked(r->data);
        std::string s;
        (void)j.unescape(s);
        (void)siocodec::detail::write_append(msg_bytes,
                                             [&s](auto& w) { return mp::emit_string(w, s); });
        q.data = mp::value::unchecked(byte_view(msg_bytes));
      }
      if (sio::encode(q, bytes, eo)) {
        *reenc = "{\"text\":";
        append_json_string(*reenc, bytes);
        *reenc += "}";
      } else {
        *reenc = "null";
      }
    }
    skip = d.skip;
    return out;
  }
  const auto r = sio::msgpack_parser::decode(byte_view(message), o);
  if (!r) return std::string("{\"error\":\"") + siocodec::to_string(r.error()) + "\"}";
  describe_packet(out, r->type, r->nsp, r->id, d, &r->data, {});
  if (r->has_invalid_utf8 && !out.empty() && out.back() == '}') {
    out.insert(out.size() - 1, ",\"invalid_utf8\":true");  // run.js requires it for lossy strings
  }
  skip = d.skip;
  if (reenc != nullptr) {
    std::string bytes;
    *reenc = sio::encode(*r, bytes, eo) ? "\"" + to_hex(bytes) + "\"" : "null";
  }
  if (walked != nullptr) {
    std::string data_bytes, bytes;
    sio::msgpack_packet_view q = *r;
    if (r->has_data()) {
      const mp::value dv = r->data;
      if (!siocodec::detail::write_append(data_bytes, [&dv](auto& w) { return walk(w, dv); })) {
        *walked = "null";
        return out;
      }
      q.data = mp::value::unchecked(byte_view(data_bytes));
    }
    *walked = sio::encode(q, bytes, eo) ? "\"" + to_hex(bytes) + "\"" : "null";
  }
  return out;
}

}  // namespace

int main() {
  std::ios::sync_with_stdio(false);
  std::string line;
  std::size_t n = 0;
  json::options deep;
  deep.max_depth = 1024;
  while (std::getline(std::cin, line)) {
    const auto rec = json::parse(line, deep);
    if (!rec) {
      std::cerr << "msgpack_diff: record " << n << " is not JSON\n";
      return 2;
    }
    ++n;
    sio::decode_options o;
    o.version =
        number_of(member(*rec, "v")) == 4 ? sio::protocol_version::v4 : sio::protocol_version::v5;
    const bool text = member(*rec, "text").exists();
    std::string message;
    if (text) {
      message = str(member(*rec, "text"));
    } else if (!from_hex(str(member(*rec, "hex")), message)) {
      std::cerr << "msgpack_diff: bad hex in record " << n << "\n";
      return 2;
    }
    const bool mutated = member(*rec, "mutated").exists();
    bool skip = false;
    std::string reenc = "null", walked = "null";
    std::string out = "{\"dec\":";
    out += decode_answer(message, text, o, false, skip, &reenc, &walked);
    out += ",\"reenc\":" + reenc + ",\"walk\":" + walked;
    const json::value desc = member(*rec, "desc");
    if (desc.exists()) {
      sio::encode_options eo;
      eo.version = o.version;
      const std::string b = build(desc, eo);
      out += ",\"build\":";
      append_json_string(out, b);
    }
    if (mutated) {
      sio::decode_options lax = o;
      lax.lax = true;
      lax.allow_invalid_utf8 = true;  // what siocodec-inspect --lax sets with lax
      bool lax_skip = false;
      out += ",\"lax\":" + decode_answer(message, text, lax, true, lax_skip, nullptr, nullptr);
      skip = skip || lax_skip;
    }
    if (skip) out += ",\"skip\":true";
    out += "}\n";
    std::cout << out;
  }
  std::cout.flush();
  return 0;
}
