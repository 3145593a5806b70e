// SPDX-License-Identifier: BSL-1.0
// siocodec-inspect: decodes captured Engine.IO / Socket.IO traffic given as JSON lines
// (docs/inspector.md). Also a small, complete example of the decoding API end to end.
#include <siocodec/siocodec.hpp>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eio = siocodec::engineio;
namespace sio = siocodec::socketio;
namespace json = siocodec::json;
namespace b64 = siocodec::base64;
namespace mp = siocodec::msgpack;

namespace {

enum class transport { websocket, polling, webtransport };

struct settings {
  eio::protocol_version eio_version = eio::protocol_version::v4;
  transport tr = transport::websocket;
  bool lax = false;
  sio::parser_kind parser = sio::parser_kind::json;
};

// The sink json::emit_string writes into.
struct string_writer {
  std::string* s;
  void put(char c) { s->push_back(c); }
  void append(const char* p, std::size_t n) { s->append(p, n); }
};

// JavaScript strings may hold lone surrogates, which UTF-8 cannot; the inspector carries them
// as their 3-byte WTF-8 form (ED A0-BF xx), so that an input line's "\ud800" reaches the decoders
// and the output as the reference sees it.
bool is_wtf8_surrogate(const unsigned char* p, const unsigned char* end) {
  return end - p >= 3 && p[0] == 0xED && p[1] >= 0xA0 && p[1] <= 0xBF && (p[2] & 0xC0) == 0x80;
}

// A string as JSON.stringify writes what Node makes of `bytes`: a WTF-8 lone surrogate as its
// \uXXXX escape, every other part that is not UTF-8 as U+FFFD (utf8::lossy's rule), the rest as
// json::emit_string writes it (the same escapes as JSON.stringify).
void put_string(std::string& out, std::string_view bytes) {
  string_writer w{&out};
  if (siocodec::utf8::is_valid(bytes)) {
    (void)json::emit_string(w, bytes);
    return;
  }
  // The parts between surrogates: Node's lossy decoding, then JSON.stringify's escapes.
  const auto put_part = [&out](std::string_view part) {
    std::string lossy, quoted;
    (void)siocodec::utf8::lossy(part, lossy);
    string_writer q{&quoted};
    (void)json::emit_string(q, lossy);
    out.append(quoted, 1, quoted.size() - 2);
  };
  constexpr char hex[] = "0123456789abcdef";
  const auto* begin = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto* end = begin + bytes.size();
  const unsigned char* part = begin;
  out += '"';
  for (const unsigned char* p = begin; p != end;) {
    if (!is_wtf8_surrogate(p, end)) {
      ++p;
      continue;
    }
    put_part(
        bytes.substr(static_cast<std::size_t>(part - begin), static_cast<std::size_t>(p - part)));
    const unsigned u = 0xD000u | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) out += hex[(u >> shift) & 0xFu];
    p += 3;
    part = p;
  }
  put_part(bytes.substr(static_cast<std::size_t>(part - begin)));
  out += '"';
}

// The content of a JSON string token (`raw` with its quotes) as JavaScript's string, in WTF-8:
// what value::unescape_to gives, except that a lone surrogate escape keeps its code unit (the
// reference's JSON.parse keeps it) instead of becoming U+FFFD. Bytes that are not UTF-8 are
// copied as they are. Precondition: `raw` is a validated string token.
std::string js_string(std::string_view raw) {
  std::string out;
  const auto hex4 = [](std::string_view h) {
    unsigned v = 0;
    for (const char c : h) {
      v = v * 16 + static_cast<unsigned>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
  };
  const auto put_cp = [&out](unsigned cp) {
    const auto b = [](unsigned v) { return static_cast<char>(static_cast<unsigned char>(v)); };
    if (cp < 0x80) {
      out += b(cp);
    } else if (cp < 0x800) {
      out += b(0xC0 | (cp >> 6));
      out += b(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {  // lone surrogates too: their WTF-8 form
      out += b(0xE0 | (cp >> 12));
      out += b(0x80 | ((cp >> 6) & 0x3F));
      out += b(0x80 | (cp & 0x3F));
    } else {
      out += b(0xF0 | (cp >> 18));
      out += b(0x80 | ((cp >> 12) & 0x3F));
      out += b(0x80 | ((cp >> 6) & 0x3F));
      out += b(0x80 | (cp & 0x3F));
    }
  };
  const std::string_view s = raw.substr(1, raw.size() - 2);
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    const char e = s[++i];
    switch (e) {
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        unsigned cp = hex4(s.substr(i + 1, 4));
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 < s.size() && s[i + 1] == '\\' &&
            s[i + 2] == 'u') {
          const unsigned lo = hex4(s.substr(i + 3, 4));
          if (lo >= 0xDC00 && lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
          }
        }
        put_cp(cp);
        break;
      }
      default: out += e; break;  // " \\ /
    }
  }
  return out;
}

// A JSON string token of a validated payload: as it is when it is UTF-8 (the reference's
// JSON.stringify writes the same), through put_string otherwise (allow_invalid_utf8).
void put_json_string(std::string& out, std::string_view raw) {
  if (siocodec::utf8::is_valid(raw)) {
    out += raw;
  } else {
    put_string(out, js_string(raw));
  }
}

void put_base64(std::string& out, siocodec::byte_view bytes) {
  out += '"';
  const std::size_t at = out.size();
  out.resize(at + b64::encoded_size(bytes.size()));
  const auto r = b64::encode_to(&out[at], out.size() - at, bytes);
  if (!r) out.resize(at);
  out += '"';
}

// Writes a validated JSON value, each attachment placeholder replaced by {"_binary":"<base64>"}.
// Recursion is bounded by the decoder's max_depth (the value was validated with it).
void put_value(std::string& out, const sio::packet_view& p, const json::value& v) {
  siocodec::byte_view attachment;
  if (sio::resolve_placeholder(p, v, attachment)) {
    out += "{\"_binary\":";
    put_base64(out, attachment);
    out += '}';
    return;
  }
  if (v.is_array()) {
    out += '[';
    bool first = true;
    for (const json::value& e : v.elements()) {
      if (!first) out += ',';
      first = false;
      put_value(out, p, e);
    }
    out += ']';
  } else if (v.is_object()) {
    out += '{';
    bool first = true;
    for (const json::member& m : v.members()) {
      if (!first) out += ',';
      first = false;
      put_json_string(out, m.key.raw());
      out += ':';
      put_value(out, p, m.val);
    }
    out += '}';
  } else if (v.is_string()) {
    put_json_string(out, v.raw());
  } else {
    out += v.raw();
  }
}

// Writes a msgpack value as JSON the way JSON.stringify writes what notepack.io decodes: bin and
// ext 0 become {"_binary":"<base64>"}, undefined and other extensions null, non-string map keys
// the text JavaScript's String() gives. Recursion is bounded by the decoder's max_depth.
void put_msgpack(std::string& out, const mp::value& v) {
  string_writer w{&out};
  switch (v.type()) {
    case mp::kind::nil:
    case mp::kind::undefined:
    case mp::kind::ext: out += "null"; return;
    case mp::kind::boolean: out += v.get_bool() ? "true" : "false"; return;
    case mp::kind::integer:
    case mp::kind::floating: {
      if (v.is_negative_integer()) {
        const auto i = v.to_int64();
        if (i) return json::emit_int(w, *i);
      } else if (v.is_integer()) {
        const auto u = v.to_uint64();
        if (u) return json::emit_uint(w, *u);
      }
      const auto d = v.to_double();
      return json::emit_number(w, d ? *d : 0.0);
    }
    case mp::kind::string: return put_string(out, v.get_string());
    case mp::kind::binary:
      out += "{\"_binary\":";
      put_base64(out, v.bytes());
      out += '}';
      return;
    case mp::kind::array: {
      out += '[';
      bool first = true;
      for (const mp::value& e : v.elements()) {
        if (!first) out += ',';
        first = false;
        put_msgpack(out, e);
      }
      out += ']';
      return;
    }
    case mp::kind::map: {
      out += '{';
      bool first = true;
      for (const mp::member& m : v.members()) {
        if (m.val.is_undefined()) continue;  // JSON.stringify drops undefined members
        if (!first) out += ',';
        first = false;
        if (m.key.is_string()) {
          put_string(out, m.key.get_string());
        } else {
          std::string key;
          put_msgpack(key, m.key);
          put_string(out, key);
        }
        out += ':';
        put_msgpack(out, m.val);
      }
      out += '}';
      return;
    }
  }
  out += "null";
}

void print_line(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
}

void print_error(siocodec::errc e, std::size_t offset) {
  std::string line = "{\"error\":\"";
  line += siocodec::to_string(e);
  line += "\",\"offset\":";
  line += std::to_string(offset);
  line += '}';
  print_line(line);
}

// One connection: the Engine.IO framing of the chosen transport feeding one Socket.IO decoder.
class connection {
 public:
  explicit connection(const settings& s)
      : s_(s),
        eio_opts_(make_eio_options(s)),
        sio_(make_sio_options(s), sio::attachment_mode::copy),
        stream_(eio_opts_) {}

  void text(std::string_view data) { frame(data, eio::frame_kind::text); }
  void binary(std::string_view data) { frame(data, eio::frame_kind::binary); }

 private:
  static eio::decode_options make_eio_options(const settings& s) {
    eio::decode_options o;
    o.version = s.eio_version;
    o.base64 = s.lax ? b64::mode::lax : b64::mode::strict;
    o.allow_invalid_utf8 = s.lax;
    return o;
  }
  static sio::decode_options make_sio_options(const settings& s) {
    sio::decode_options o;
    // Engine.IO v3 carries Socket.IO v4 (Socket.IO 2.x); v4 carries v5.
    o.version = s.eio_version == eio::protocol_version::v3 ? sio::protocol_version::v4
                                                           : sio::protocol_version::v5;
    o.lax = s.lax;
    o.allow_invalid_utf8 = s.lax;
    return o;
  }

  void frame(std::string_view data, eio::frame_kind kind) {
    switch (s_.tr) {
      case transport::websocket: {
        const auto p = eio::decode(data, kind, eio_opts_);
        if (!p) return print_error(p.error(), p.offset());
        return packet(*p);
      }
      case transport::polling: {
        std::vector<unsigned char> scratch(data.size());
        eio::payload_reader reader(data, kind, eio_opts_,
                                   siocodec::byte_span(scratch.data(), scratch.size()));
        eio::packet_view p;
        while (reader.next(p)) packet(p);
        if (reader.error() != siocodec::errc::none) print_error(reader.error(), reader.offset());
        return;
      }
      case transport::webtransport: {
        const auto st = stream_.feed(data, [this](const eio::packet_view& p) { packet(p); });
        if (!st) {
          print_error(st.ec, static_cast<std::size_t>(stream_.stream_offset()));
          stream_.reset();
        }
        return;
      }
    }
  }

  void packet(const eio::packet_view& p) {
    if (p.type == eio::packet_type::message) return message(p);
    std::string line = "{\"eio\":\"";
    line += eio::to_string(p.type);
    line += '"';
    if (!p.data.empty()) {
      line += ",\"data\":";
      if (p.kind == eio::data_kind::text && p.type == eio::packet_type::open &&
          json::validate(p.data)) {
        line += p.data;
      } else if (p.kind == eio::data_kind::binary) {
        put_base64(line, p.bytes());
      } else {
        put_string(line, p.data);
      }
    }
    line += '}';
    print_line(line);
  }

  void message(const eio::packet_view& m) {
    if (s_.parser == sio::parser_kind::msgpack) return msgpack_message(m);
    const auto r = sio_.feed(m, eio_opts_.base64);
    if (!r) {
      if (r.error() != siocodec::errc::incomplete) print_error(r.error(), r.offset());
      return;
    }
    const sio::packet_view& p = *r;
    std::string line = packet_head(p.type, p.nsp, p.id);
    if (p.has_data()) {
      line += ",\"data\":";
      put_value(line, p, sio::payload(p));
    }
    line += '}';
    print_line(line);
  }

  // The msgpack parser: every packet is one binary message (protocol v4 also sends CONNECT,
  // DISCONNECT and ERROR as JSON text); binary values are inline, so no reassembly.
  void msgpack_message(const eio::packet_view& m) {
    sio::decode_options o = make_sio_options(s_);
    std::string line;
    if (m.kind == eio::data_kind::text) {
      const auto r = sio::msgpack_parser::decode_text(m.data, o);
      if (!r) return print_error(r.error(), r.offset());
      line = packet_head(r->type, r->nsp, r->id);
      if (r->has_data()) {
        line += ",\"data\":";
        line += r->data;
      }
    } else {
      std::vector<unsigned char> decoded;
      siocodec::byte_view bytes = m.bytes();
      if (m.kind == eio::data_kind::base64) {
        decoded.resize(b64::max_decoded_size(m.data.size()));
        const auto n = b64::decode_to(m.data, siocodec::byte_span(decoded.data(), decoded.size()),
                                      eio_opts_.base64);
        if (!n) return print_error(n.error(), n.offset());
        bytes = siocodec::byte_view(decoded.data(), *n);
      }
      const auto r = sio::msgpack_parser::decode(bytes, o);
      if (!r) return print_error(r.error(), r.offset());
      line = packet_head(r->type, r->nsp, r->id);
      if (r->has_data()) {
        line += ",\"data\":";
        put_msgpack(line, r->data);
      }
    }
    line += '}';
    print_line(line);
  }

  // The start of a Socket.IO packet's line, whichever parser decoded it: type, namespace, ack id.
  std::string packet_head(sio::packet_type type, std::string_view nsp,
                          const std::optional<std::uint64_t>& id) const {
    // The Socket.IO protocol follows the Engine.IO one, and names some types differently.
    const sio::protocol_version v = s_.eio_version == eio::protocol_version::v3
                                        ? sio::protocol_version::v4
                                        : sio::protocol_version::v5;
    std::string line = "{\"sio\":\"";
    line += sio::to_string(type, v);
    line += "\",\"nsp\":";
    put_string(line, nsp);
    if (id) line += ",\"id\":" + std::to_string(*id);
    return line;
  }

  settings s_;
  eio::decode_options eio_opts_;
  sio::basic_decoder<> sio_;
  eio::webtransport::stream_decoder<> stream_;
};

// Reads a string member of an input line into `out`; false when the line has no such member.
bool string_member(const json::value& obj, std::string_view key, std::string& out) {
  json::value v;
  if (!obj.find(key, v) || !v.is_string()) return false;
  // A frame is a JavaScript string: its lone surrogates are kept (as WTF-8), as the reference
  // sees them; only --lax (allow_invalid_utf8) accepts them, as it accepts other invalid bytes.
  out = js_string(v.raw());
  return true;
}

int usage() {
  std::fputs("usage: siocodec-inspect [--eio 4|3] [--transport websocket|polling|webtransport]\n"
             "                        [--parser default|msgpack] [--lax] < frames.jsonl\n"
             "Input, one JSON object per line: {\"text\":\"...\"} or {\"binary\":\"<base64>\"}.\n"
             "Output, one JSON object per line: {\"eio\":...}, {\"sio\":...} or {\"error\":...}.\n",
             stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  settings s;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    const std::string_view next = i + 1 < argc ? std::string_view(argv[i + 1]) : std::string_view();
    if (a == "--eio" && (next == "4" || next == "3")) {
      s.eio_version = next == "3" ? eio::protocol_version::v3 : eio::protocol_version::v4;
      ++i;
    } else if (a == "--transport" && next == "websocket") {
      s.tr = transport::websocket;
      ++i;
    } else if (a == "--transport" && next == "polling") {
      s.tr = transport::polling;
      ++i;
    } else if (a == "--transport" && next == "webtransport") {
      s.tr = transport::webtransport;
      ++i;
    } else if (a == "--parser" && sio::parse_parser_kind(next, s.parser)) {
      ++i;
    } else if (a == "--lax") {
      s.lax = true;
    } else {
      return usage();
    }
  }

  connection conn(s);
  std::string line;
  std::string field;
  std::vector<unsigned char> bytes;
  std::size_t line_no = 0;
  for (int c = std::getchar();; c = std::getchar()) {
    if (c != '\n' && c != EOF) {
      line.push_back(static_cast<char>(c));
      continue;
    }
    ++line_no;
    if (!line.empty()) {
      const auto root = json::validate(line);
      const json::value obj = json::value::unchecked(line);
      if (!root || !obj.is_object()) {
        std::fprintf(stderr, "siocodec-inspect: line %zu is not a JSON object\n", line_no);
        return 1;
      }
      if (string_member(obj, "text", field)) {
        conn.text(field);
      } else if (string_member(obj, "binary", field)) {
        bytes.resize(b64::max_decoded_size(field.size()));
        const auto n = b64::decode_to(field, siocodec::byte_span(bytes.data(), bytes.size()));
        if (!n) {
          std::fprintf(stderr, "siocodec-inspect: line %zu: \"binary\" is not base64\n", line_no);
          return 1;
        }
        conn.binary(std::string_view(reinterpret_cast<const char*>(bytes.data()), *n));
      } else {
        std::fprintf(stderr, "siocodec-inspect: line %zu has neither \"text\" nor \"binary\"\n",
                     line_no);
        return 1;
      }
      std::fflush(stdout);
    }
    line.clear();
    if (c == EOF) break;
  }
  return 0;
}
