// SPDX-License-Identifier: BSL-1.0
// Received Socket.IO values as JSON text, for printing and logging: what the Beast client
// adapter's message::json() / reply::json() return, and how examples/client prints its lines.
#ifndef SIOCODEC_ADAPTERS_BEAST_DETAIL_CLIENT_JSON_HPP
#define SIOCODEC_ADAPTERS_BEAST_DETAIL_CLIENT_JSON_HPP

#include <siocodec/json/number.hpp>
#include <siocodec/json/write.hpp>
#include <siocodec/socketio/any.hpp>

#include <cstddef>
#include <string>
#include <string_view>

SIOCODEC_BEGIN_NAMESPACE
namespace adapters {
namespace beast {

/// Appends `s` as a JSON string (invalid UTF-8 as the string "<invalid utf-8>").
inline void append_json_string(std::string& out, std::string_view s) {
  if (!json::encode_string(s, out)) out += "\"<invalid utf-8>\"";
}

/// Appends bytes as {"$binary":"<hex>"}.
inline void append_json_hex(std::string& out, byte_view b) {
  static const char digits[] = "0123456789abcdef";
  out += "{\"$binary\":\"";
  for (const unsigned char c : b) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  out += "\"}";
}

namespace detail {
// A msgpack number as JSON.stringify writes it (integers with all their digits).
inline void append_json_number(std::string& out, const socketio::any_value& v) {
  if (const auto i = v.to_int64()) {
    out += std::to_string(*i);
  } else if (const auto u = v.to_uint64()) {
    out += std::to_string(*u);
  } else {
    struct appender {
      std::string& s;
      void append(const char* p, std::size_t n) { s.append(p, n); }
    } a{out};
    json::emit_number(a, v.to_double() ? *v.to_double() : 0.0);
  }
}
}  // namespace detail

/// Appends `v` (of either parser) as JSON: binary values (attachments, msgpack bins; msgpack
/// extensions too, with their "type") as {"$binary":"hex"}, msgpack's undefined as null, JSON
/// scalars as they arrived. Recursion depth is bounded by the decoder's max_depth.
inline void append_json(std::string& out, const socketio::any_value& v) {
  namespace sio = ::SIOCODEC_NAMESPACE::socketio;
  switch (v.kind()) {
    case sio::value_kind::absent:
    case sio::value_kind::null:
    case sio::value_kind::undefined: out += "null"; return;
    case sio::value_kind::binary: return append_json_hex(out, v.bytes());
    case sio::value_kind::extension:
      append_json_hex(out, v.bytes());
      out.pop_back();
      out += ",\"type\":" + std::to_string(v.ext_type()) + "}";
      return;
    case sio::value_kind::array: {
      out.push_back('[');
      bool first = true;
      for (const sio::any_value& e : v.elements()) {
        if (!first) out.push_back(',');
        first = false;
        append_json(out, e);
      }
      out.push_back(']');
      return;
    }
    case sio::value_kind::object: {
      out.push_back('{');
      bool first = true;
      for (const sio::any_member& m : v.members()) {
        if (!first) out.push_back(',');
        first = false;
        if (m.key.is_msgpack() || !m.key.is_string()) {
          std::string key;
          (void)m.key.append_string(key);
          append_json_string(out, key);
        } else {
          out += m.key.as_json().raw();
        }
        out.push_back(':');
        append_json(out, m.val);
      }
      out.push_back('}');
      return;
    }
    case sio::value_kind::boolean:
    case sio::value_kind::number:
    case sio::value_kind::string: break;
  }
  if (!v.is_msgpack()) {
    out += v.as_json().raw();
  } else if (v.is_bool()) {
    out += v.get_bool() ? "true" : "false";
  } else if (v.is_number()) {
    detail::append_json_number(out, v);
  } else {
    std::string s;
    (void)v.append_string(s);
    append_json_string(out, s);
  }
}

/// Appends the arguments of an EVENT or ACK as a JSON array.
inline void append_json_args(std::string& out, const socketio::any_packet& p) {
  out.push_back('[');
  bool first = true;
  for (const socketio::any_value& a : p.arguments()) {
    if (!first) out.push_back(',');
    first = false;
    append_json(out, a);
  }
  out.push_back(']');
}

}  // namespace beast
}  // namespace adapters
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_ADAPTERS_BEAST_DETAIL_CLIENT_JSON_HPP
