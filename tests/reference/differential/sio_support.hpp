// SPDX-License-Identifier: BSL-1.0
// Test support shared by the Socket.IO reference-vector walker
// (tests/unit/reference/socketio_vectors_test.cpp) and the differential program (diff.cpp):
// comparing JSON payloads with nlohmann/json, and building packets from JSON descriptions
// through siocodec's packet builders and argument writer.
//
// Never throws (the suites also build with -fno-exceptions): nlohmann is only used through its
// non-throwing calls, after checking types.
#ifndef SIOCODEC_TESTS_SIO_SUPPORT_HPP
#define SIOCODEC_TESTS_SIO_SUPPORT_HPP

#include <siocodec/bytes.hpp>
#include <siocodec/error.hpp>
#include <siocodec/socketio/default_parser/encode.hpp>
#include <siocodec/socketio/packet.hpp>

#include <nlohmann/json.hpp>

// Relative: diff.cpp is built with this directory alone on its include path.
#include "../../support/hex.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace siotest {

namespace sio = siocodec::socketio;
using ojson = nlohmann::ordered_json;

/// A JSON string literal of `s` for messages; bytes that are not UTF-8 show as U+FFFD.
inline std::string quote_json(std::string_view s) {
  return ojson(std::string(s)).dump(-1, ' ', false, ojson::error_handler_t::replace);
}

// --- reading JSON that nlohmann cannot read as is ------------------------------------------------
//
// nlohmann refuses two things JSON.parse accepts: `\udXXX` escapes of lone surrogates, and numbers
// beyond the double range (1e400). prepare_json() rewrites a JSON text so that nlohmann reads it,
// losing nothing:
// - every surrogate escape `\uD800`..`\uDFFF` becomes U+FDD0 followed by its four hex digits
//   (units_of() turns that back into the code unit);
// - every number becomes {"\u0000n":"<its text>"}, compared later as the double strtod() reads
//   (which is what JSON.parse does, Infinity included).

/// The key of a wrapped number.
inline const std::string& number_key() {
  static const std::string k(std::string(1, '\0') + "n");
  return k;
}

/// The rewrite described above. `raw` must be valid JSON.
inline std::string prepare_json(std::string_view raw) {
  std::string out;
  out.reserve(raw.size() + raw.size() / 4);
  bool in_string = false;
  std::size_t i = 0;
  const std::size_t n = raw.size();
  while (i < n) {
    const char c = raw[i];
    if (in_string) {
      if (c == '\\' && i + 1 < n) {
        if (raw[i + 1] == 'u' && i + 5 < n) {
          int v = 0;
          bool ok = true;
          for (std::size_t k = 0; k < 4; ++k) {
            const int d = siocodec_test::hex_digit(raw[i + 2 + k]);
            ok = ok && d >= 0;
            v = v * 16 + (d < 0 ? 0 : d);
          }
          if (ok && v >= 0xD800 && v <= 0xDFFF) {
            out += "\\ufdd0";
            for (std::size_t k = 0; k < 4; ++k) {
              out.push_back(
                  static_cast<char>(std::tolower(static_cast<unsigned char>(raw[i + 2 + k]))));
            }
            i += 6;
            continue;
          }
        }
        out.append(raw.data() + i, 2);
        i += 2;
        continue;
      }
      if (c == '"') in_string = false;
      out.push_back(c);
      ++i;
      continue;
    }
    if (c == '"') {
      in_string = true;
      out.push_back(c);
      ++i;
      continue;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      std::size_t j = i;
      while (j < n &&
             (std::string_view("0123456789+-.eE").find(raw[j]) != std::string_view::npos)) {
        ++j;
      }
      out += "{\"\\u0000n\":\"";
      out.append(raw.data() + i, j - i);
      out += "\"}";
      i = j;
      continue;
    }
    out.push_back(c);
    ++i;
  }
  return out;
}

/// prepare_json() then nlohmann; a discarded value when the text is not JSON.
inline ojson parse_prepared(std::string_view raw) {
  return ojson::parse(prepare_json(raw), nullptr, false);
}

/// The UTF-16 code units of a UTF-8 string, with prepare_json()'s U+FDD0 sentinels turned back
/// into the code units they stand for. False on malformed UTF-8.
inline bool units_of(std::string_view s, std::vector<std::uint16_t>& out) {
  out.clear();
  std::vector<std::uint32_t> cps;
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = 0;
    std::size_t len = 0;
    if (b < 0x80) {
      cp = b;
      len = 1;
    } else if ((b & 0xE0) == 0xC0) {
      cp = b & 0x1Fu;
      len = 2;
    } else if ((b & 0xF0) == 0xE0) {
      cp = b & 0x0Fu;
      len = 3;
    } else if ((b & 0xF8) == 0xF0) {
      cp = b & 0x07u;
      len = 4;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3Fu);
    }
    cps.push_back(cp);
    i += len;
  }
  for (std::size_t i = 0; i < cps.size(); ++i) {
    const std::uint32_t cp = cps[i];
    if (cp == 0xFDD0 && i + 4 < cps.size()) {
      int v = 0;
      bool ok = true;
      for (std::size_t k = 1; k <= 4; ++k) {
        const std::uint32_t h = cps[i + k];
        const int d = h < 128 ? siocodec_test::hex_digit(static_cast<char>(h)) : -1;
        ok = ok && d >= 0;
        v = v * 16 + (d < 0 ? 0 : d);
      }
      if (ok) {
        out.push_back(static_cast<std::uint16_t>(v));
        i += 4;
        continue;
      }
    }
    if (cp >= 0x10000) {
      out.push_back(static_cast<std::uint16_t>(0xD800 + ((cp - 0x10000) >> 10)));
      out.push_back(static_cast<std::uint16_t>(0xDC00 + ((cp - 0x10000) & 0x3FF)));
    } else {
      out.push_back(static_cast<std::uint16_t>(cp));
    }
  }
  return true;
}

/// Code units from the hex of a {"$utf16": ...} marker.
inline bool units_of_hex(std::string_view h, std::vector<std::uint16_t>& out) {
  out.clear();
  if (h.size() % 4 != 0) return false;
  for (std::size_t i = 0; i < h.size(); i += 4) {
    int v = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const int d = siocodec_test::hex_digit(h[i + k]);
      if (d < 0) return false;
      v = v * 16 + d;
    }
    out.push_back(static_cast<std::uint16_t>(v));
  }
  return true;
}

/// Canonical text of a string given as code units: quoted UTF-8 when well-formed, else the
/// units in hex.
inline std::string canonical_units(const std::vector<std::uint16_t>& u) {
  std::string utf8;
  for (std::size_t i = 0; i < u.size(); ++i) {
    std::uint32_t cp = u[i];
    if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < u.size() && u[i + 1] >= 0xDC00 &&
        u[i + 1] <= 0xDFFF) {
      cp = 0x10000 + ((cp - 0xD800) << 10) + (u[i + 1] - 0xDC00u);
      ++i;
    } else if (cp >= 0xD800 && cp <= 0xDFFF) {
      std::string h = "u16:";
      for (const std::uint16_t x : u) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "%04x", static_cast<unsigned>(x));
        h += buf;
      }
      return h;
    }
    if (cp < 0x80) {
      utf8.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      utf8.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      utf8.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      utf8.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      utf8.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      utf8.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      utf8.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      utf8.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      utf8.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      utf8.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  return quote_json(utf8);
}

inline std::string canonical_string(std::string_view s) {
  std::vector<std::uint16_t> u;
  if (!units_of(s, u)) return "<malformed UTF-8 " + siocodec_test::hex(s) + ">";
  return canonical_units(u);
}

/// Canonical text of a double: what JSON.parse's value compares by (-0 is 0).
inline std::string canonical_double(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) d = 0;  // -0
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  return buf;
}

/// strtod of a number's text ("1e400" -> inf, "NaN"...).
inline double to_double(const std::string& s) { return std::strtod(s.c_str(), nullptr); }

/// The one key of a marker object ($binary, $number, $utf16, $undefined, $bigint, or a wrapped
/// number), or empty.
inline std::string marker_of(const ojson& j) {
  if (!j.is_object() || j.size() != 1) return {};
  const std::string& k = j.begin().key();
  const bool text = j.begin()->is_string();
  if ((text && (k == "$binary" || k == "$number" || k == "$utf16" || k == "$bigint" ||
                k == number_key())) ||
      (k == "$undefined" && j.begin()->is_boolean())) {
    return k;
  }
  return {};
}

/// A number as a double: a plain nlohmann number, a wrapped number or a $number marker.
inline bool number_value(const ojson& j, double& d) {
  if (j.is_number()) {
    d = j.get<double>();
    return true;
  }
  const std::string m = marker_of(j);
  if ((m == "$number" || m == number_key()) && j.begin()->is_string()) {
    d = to_double(j.begin()->get_ref<const std::string&>());
    return true;
  }
  return false;
}

/// Canonical text of a JSON value, so that two values compare as JavaScript would see them:
/// numbers as doubles, strings as UTF-16, objects as unordered maps (duplicate keys already
/// resolved by the parser, the last one winning as in JSON.parse), markers by their meaning.
inline std::string canonical(const ojson& j) {
  switch (j.type()) {
    case ojson::value_t::null: return "null";
    case ojson::value_t::boolean: return j.get<bool>() ? "true" : "false";
    case ojson::value_t::number_integer:
    case ojson::value_t::number_unsigned:
    case ojson::value_t::number_float: return canonical_double(j.get<double>());
    case ojson::value_t::string: return canonical_string(j.get_ref<const std::string&>());
    case ojson::value_t::array: {
      std::string s = "[";
      bool first = true;
      for (const ojson& e : j) {
        if (!first) s += ",";
        first = false;
        s += canonical(e);
      }
      return s + "]";
    }
    case ojson::value_t::object: {
      const std::string m = marker_of(j);
      const ojson& v = m.empty() ? j : *j.begin();
      if (m == "$binary") return "bin:" + (v.is_string() ? v.get_ref<const std::string&>() : "?");
      if (m == "$undefined") return "undefined";
      if (m == "$bigint")
        return "bigint:" + (v.is_string() ? v.get_ref<const std::string&>() : "?");
      if (m == "$number" || m == number_key()) {
        return v.is_string() ? canonical_double(to_double(v.get_ref<const std::string&>())) : "?";
      }
      if (m == "$utf16") {
        std::vector<std::uint16_t> u;
        if (!v.is_string() || !units_of_hex(v.get_ref<const std::string&>(), u)) return "?";
        return canonical_units(u);
      }
      std::vector<std::pair<std::string, std::string>> members;
      for (auto it = j.begin(); it != j.end(); ++it) {
        members.emplace_back(canonical_string(it.key()), canonical(it.value()));
      }
      std::sort(members.begin(), members.end());
      std::string s = "{";
      for (std::size_t i = 0; i < members.size(); ++i) {
        if (i != 0) s += ",";
        s += members[i].first + ":" + members[i].second;
      }
      return s + "}";
    }
    default: return "?";
  }
}

/// Replaces every placeholder of a binary packet's payload by a {"$binary": hex} marker of the
/// attachment it names, the way the reference's reconstructPacket does: an object whose
/// `_placeholder` is exactly true and whose `num` is a number naming an attachment. The payload
/// was read with parse_prepared().
inline void substitute_placeholders(ojson& j, const siocodec::byte_view* atts, std::size_t n) {
  if (j.is_array()) {
    for (ojson& e : j) substitute_placeholders(e, atts, n);
    return;
  }
  if (!j.is_object() || !marker_of(j).empty()) return;
  const auto flag = j.find("_placeholder");
  const auto num = j.find("num");
  double d = 0;
  if (flag != j.end() && flag->is_boolean() && flag->get<bool>() && num != j.end() &&
      number_value(*num, d) && d >= 0 && d < static_cast<double>(n) && d == std::floor(d)) {
    ojson marker = ojson::object();
    marker["$binary"] = siocodec_test::hex(atts[static_cast<std::size_t>(d)]);
    j = std::move(marker);
    return;
  }
  for (auto it = j.begin(); it != j.end(); ++it) substitute_placeholders(it.value(), atts, n);
}

// --- writing JSON descriptions through the argument writer -------------------------------------

/// The bytes of every {"$binary": hex} in `j`, in depth-first order (the order the writer meets
/// them). False on malformed hex.
inline bool collect_binaries(const ojson& j, std::deque<std::string>& out) {
  if (j.is_array()) {
    for (const ojson& e : j) {
      if (!collect_binaries(e, out)) return false;
    }
    return true;
  }
  if (!j.is_object()) return true;
  if (marker_of(j) == "$binary") {
    std::string bytes;
    if (!j.begin()->is_string() ||
        !siocodec_test::unhex(j.begin()->get_ref<const std::string&>(), bytes)) {
      return false;
    }
    out.push_back(std::move(bytes));
    return true;
  }
  if (!marker_of(j).empty()) return true;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!collect_binaries(it.value(), out)) return false;
  }
  return true;
}

/// Writes one described value: JSON as is, {"$binary"} as an attachment (the k-th of `bins`),
/// {"$number"} as a double, {"$bigint"} as an integer.
inline void write_value(sio::args_writer& w, const ojson& j, const std::deque<std::string>& bins,
                        std::size_t& k) {
  switch (j.type()) {
    case ojson::value_t::null: w.null(); return;
    case ojson::value_t::boolean: w.boolean(j.get<bool>()); return;
    case ojson::value_t::number_integer: w.integer(j.get<std::int64_t>()); return;
    case ojson::value_t::number_unsigned: w.integer(j.get<std::uint64_t>()); return;
    case ojson::value_t::number_float: w.number(j.get<double>()); return;
    case ojson::value_t::string: w.string(j.get_ref<const std::string&>()); return;
    case ojson::value_t::array:
      w.begin_array();
      for (const ojson& e : j) write_value(w, e, bins, k);
      w.end_array();
      return;
    case ojson::value_t::object: {
      const std::string m = marker_of(j);
      const ojson& v = m.empty() ? j : *j.begin();
      if (m == "$binary") {
        if (k >= bins.size()) {
          w.raw("");  // cannot happen with collect_binaries(); makes the writer fail
          return;
        }
        w.binary(siocodec::byte_view(bins[k++]));
        return;
      }
      if ((m == "$number" || m == number_key()) && v.is_string()) {
        w.number(to_double(v.get_ref<const std::string&>()));
        return;
      }
      if (m == "$bigint" && v.is_string()) {
        w.integer(std::strtoull(v.get_ref<const std::string&>().c_str(), nullptr, 10));
        return;
      }
      w.begin_object();
      for (auto it = j.begin(); it != j.end(); ++it) {
        w.key(it.key());
        write_value(w, it.value(), bins, k);
      }
      w.end_object();
      return;
    }
    default: w.null(); return;
  }
}

/// A described id: a non-negative integer, or a string of decimal digits that fits 64 bits.
inline bool id_of(const ojson& j, std::uint64_t& id) {
  if (j.is_number_unsigned()) {
    id = j.get<std::uint64_t>();
    return true;
  }
  if (j.is_number_integer() && j.get<std::int64_t>() >= 0) {
    id = static_cast<std::uint64_t>(j.get<std::int64_t>());
    return true;
  }
  if (!j.is_string()) return false;
  const std::string& s = j.get_ref<const std::string&>();
  if (s.empty() || s.size() > 20) return false;
  std::uint64_t v = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  id = v;
  return true;
}

/// Calls `fn(builder)` with the siocodec packet builder for a packet description
/// {"type", "nsp"?, "id"?, "data"?} (the form of the sio.encode vectors and of the differential
/// test): CONNECT -> connect() (a `?query` in the namespace through query()), DISCONNECT ->
/// disconnect(), EVENT / BINARY_EVENT -> event() (a string name), ACK / BINARY_ACK -> ack() (an
/// id), CONNECT_ERROR -> connect_error() (v5: {"message": string, "data"?: any}; v4: a string,
/// or any other JSON as data). The builders promote to BINARY_* themselves. `bins` must hold
/// collect_binaries() of the data. Returns false, with the reason in `why`, for a description the
/// builders cannot express.
template <class Fn>
bool with_builder(const ojson& desc, sio::protocol_version version,
                  const std::deque<std::string>& bins, std::string& why, Fn&& fn) {
  const auto type_it = desc.find("type");
  if (type_it == desc.end() || !type_it->is_number_unsigned() ||
      type_it->get<std::uint64_t>() > 6) {
    why = "no type 0-6";
    return false;
  }
  const auto type = type_it->get<std::uint64_t>();
  std::string_view nsp = "/";
  const auto nsp_it = desc.find("nsp");
  if (nsp_it != desc.end()) {
    if (!nsp_it->is_string()) {
      why = "nsp is not a string";
      return false;
    }
    nsp = nsp_it->get_ref<const std::string&>();
  }
  std::optional<std::uint64_t> id;
  const auto id_it = desc.find("id");
  if (id_it != desc.end()) {
    std::uint64_t v = 0;
    if (!id_of(*id_it, v)) {
      why = "an id that is not a 64-bit unsigned integer";
      return false;
    }
    id = v;
  }
  const auto data_it = desc.find("data");
  const ojson* data = (data_it == desc.end() || data_it->is_null()) ? nullptr : &*data_it;
  const auto with_id = [&](auto&& b) -> decltype(auto) {
    if (id) b.id(*id);
    return std::forward<decltype(b)>(b);
  };

  switch (type) {
    case 0: {
      std::string_view query;
      std::string_view path = nsp;
      const std::size_t q = nsp.find('?');
      if (q != std::string_view::npos) {
        path = nsp.substr(0, q);
        query = nsp.substr(q + 1);
        if (path.empty()) path = "/";
      }
      if (data == nullptr) {
        auto b = sio::connect(path);
        if (!query.empty()) b.query(query);
        fn(with_id(b));
        return true;
      }
      const auto auth = [&](sio::args_writer& w) {
        std::size_t k = 0;
        write_value(w, *data, bins, k);
      };
      auto b = sio::connect(path, auth);
      if (!query.empty()) b.query(query);
      fn(with_id(b));
      return true;
    }
    case 1: {
      if (data != nullptr) {
        why = "disconnect() takes no payload";
        return false;
      }
      auto b = sio::disconnect(nsp);
      fn(with_id(b));
      return true;
    }
    case 2:
    case 5: {
      if (data == nullptr || !data->is_array() || data->empty()) {
        why = "event() always writes [name, ...]: an EVENT without payload cannot be built";
        return false;
      }
      if (!(*data)[0].is_string()) {
        why = "event() takes a string name: a numeric event name cannot be built";
        return false;
      }
      const std::string& name = (*data)[0].get_ref<const std::string&>();
      const auto args = [&](sio::args_writer& w) {
        std::size_t k = 0;
        for (std::size_t i = 1; i < data->size(); ++i) write_value(w, (*data)[i], bins, k);
      };
      auto b = sio::event(name, args).nsp(nsp);
      fn(with_id(b));
      return true;
    }
    case 3:
    case 6: {
      if (!id) {
        why = "ack() takes an id: an ACK without one cannot be built";
        return false;
      }
      if (data == nullptr || !data->is_array()) {
        why = "ack() always writes an array: an ACK without payload cannot be built";
        return false;
      }
      const auto args = [&](sio::args_writer& w) {
        std::size_t k = 0;
        for (const ojson& e : *data) write_value(w, e, bins, k);
      };
      auto b = sio::ack(*id, args).nsp(nsp);
      fn(b);
      return true;
    }
    case 4: {
      if (data == nullptr) {
        why = "connect_error() always writes a payload";
        return false;
      }
      if (version == sio::protocol_version::v4) {
        if (data->is_string()) {
          auto b = sio::connect_error(data->get_ref<const std::string&>()).nsp(nsp);
          fn(with_id(b));
          return true;
        }
        const auto value = [&](sio::args_writer& w) {
          std::size_t k = 0;
          write_value(w, *data, bins, k);
        };
        auto b = sio::connect_error("", value).nsp(nsp);
        fn(with_id(b));
        return true;
      }
      // v5: exactly {"message": string} or {"message": string, "data": value}.
      const bool shape = data->is_object() && (data->size() == 1 || data->size() == 2) &&
                         data->begin().key() == "message" && data->begin()->is_string() &&
                         (data->size() == 1 || std::next(data->begin()).key() == "data");
      if (!shape) {
        why = "a v5 connect_error() writes {\"message\": string, \"data\"?: value}; other payloads "
              "cannot be built";
        return false;
      }
      const std::string& message = data->begin()->get_ref<const std::string&>();
      if (data->size() == 1) {
        auto b = sio::connect_error(message).nsp(nsp);
        fn(with_id(b));
        return true;
      }
      const ojson& extra = *std::next(data->begin());
      const auto value = [&](sio::args_writer& w) {
        std::size_t k = 0;
        write_value(w, extra, bins, k);
      };
      auto b = sio::connect_error(message, value).nsp(nsp);
      fn(with_id(b));
      return true;
    }
    default: break;
  }
  why = "unknown type";
  return false;
}

}  // namespace siotest

#endif  // SIOCODEC_TESTS_SIO_SUPPORT_HPP
