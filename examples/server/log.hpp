// SPDX-License-Identifier: BSL-1.0
// The JSON log lines of the example servers (examples/server on Beast, examples/lws on
// libwebsockets), which tests/interop/run_server_scenarios.js reads. On the Socket.IO engine's
// values and packets only, so that any stack's server prints the same lines.
#ifndef SIOCODEC_EXAMPLES_SERVER_LOG_HPP
#define SIOCODEC_EXAMPLES_SERVER_LOG_HPP

#include <siocodec/json/write.hpp>
#include <siocodec/socketio/codec.hpp>

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace server_log {
namespace sio = ::siocodec::socketio;
namespace json = ::siocodec::json;

// The sizes of the binary values of `v`, depth first (the order of the default parser's
// attachments).
inline void binary_sizes(const sio::any_value& v, std::vector<std::size_t>& out) {
  if (v.is_binary()) {
    out.push_back(v.bytes().size());
  } else if (v.is_array()) {
    for (const sio::any_value& e : v.elements()) binary_sizes(e, out);
  } else if (v.is_object()) {
    for (const sio::any_member& m : v.members()) binary_sizes(m.val, out);
  }
}

inline std::string quoted(std::string_view s) {
  std::string out;
  if (!json::encode_string(s, out)) out = "\"<not utf-8>\"";
  return out;
}

inline void log_line(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

// A msgpack value as JSON: bin and ext as {"$binary":"<hex>"} (ext adds its "type").
inline void append_json(std::string& out, const sio::any_value& v) {
  using kind = sio::value_kind;
  switch (v.kind()) {
    case kind::absent:
    case kind::null:
    case kind::undefined: out += "null"; return;
    case kind::boolean: out += v.get_bool() ? "true" : "false"; return;
    case kind::number:
      if (!v.is_msgpack()) {
        out += v.as_json().raw();
      } else if (const auto i = v.to_int64()) {
        out += std::to_string(*i);
      } else if (const auto u = v.to_uint64()) {
        out += std::to_string(*u);
      } else if (const auto d = v.to_double()) {
        struct appender {
          std::string& s;
          void append(const char* p, std::size_t n) { s.append(p, n); }
        } a{out};
        json::emit_number(a, *d);  // JSON.stringify's digits (NaN: null)
      }
      return;
    case kind::string: {
      std::string s;
      (void)v.append_string(s);
      out += quoted(s);
      return;
    }
    case kind::binary:
    case kind::extension: {
      static const char digits[] = "0123456789abcdef";
      out += "{\"$binary\":\"";
      for (const unsigned char b : v.bytes()) {
        out += digits[b >> 4];
        out += digits[b & 15];
      }
      out += '"';
      if (v.is_extension()) out += ",\"type\":" + std::to_string(v.ext_type());
      out += '}';
      return;
    }
    case kind::array: {
      out += '[';
      const char* sep = "";
      for (const sio::any_value& e : v.elements()) {
        out += sep;
        sep = ",";
        append_json(out, e);
      }
      out += ']';
      return;
    }
    case kind::object: {
      out += '{';
      const char* sep = "";
      for (const sio::any_member& m : v.members()) {
        out += sep;
        sep = ",";
        std::string key;
        (void)m.key.append_string(key);
        out += quoted(key) + ':';
        append_json(out, m.val);
      }
      out += '}';
      return;
    }
  }
}

/// What a packet's line says after its type and the session's fields: `,"nsp":...`, the ack id,
/// the event name, the data (JSON as it came; msgpack as JSON), and the default parser's
/// attachment sizes.
inline std::string packet_fields(const sio::any_packet& p) {
  std::string line = ",\"nsp\":" + quoted(p.nsp());
  if (p.id()) line += ",\"id\":" + std::to_string(*p.id());
  const sio::any_value name = p.event_name();
  if (name.exists()) append_json(line += ",\"name\":", name);
  if (p.is_msgpack()) {
    if (p.has_data()) {
      std::string data;
      append_json(data, p.data());
      line += data.size() <= 4096 ? ",\"data\":" + data
                                  : ",\"data_size\":" + std::to_string(data.size());
    }
    return line;
  }
  const sio::packet_view& v = p.as_packet_view();
  if (v.data.size() <= 4096) {
    if (v.has_data()) line += ",\"data\":" + std::string(v.data);
  } else {
    line += ",\"data_size\":" + std::to_string(v.data.size());
  }
  if (v.attachment_count != 0) {
    line += ",\"attachments\":[";
    for (std::size_t i = 0; i < v.attachment_count; ++i) {
      if (i != 0) line += ',';
      line += std::to_string(v.attachment(i).size());
    }
    line += ']';
  }
  return line;
}

}  // namespace server_log

#endif  // SIOCODEC_EXAMPLES_SERVER_LOG_HPP
