// SPDX-License-Identifier: BSL-1.0
// The script language of the example clients (examples/client on Beast, examples/lws on
// libwebsockets; run_client_scenarios.js writes the scripts): reading a script, writing its JSON
// values as packet arguments, and echoing received arguments back. No socket stack here, so both
// programs include it.
#pragma once

#include <siocodec/siocodec.hpp>

#include <deque>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace example_script {

namespace sio = siocodec::socketio;
namespace json = siocodec::json;

// Script values to packets: {"$binary":"hex"} objects are the example's notation for bytes.
// Writes one JSON value of a script to `w` (the writer of either parser), {"$binary":"hex"} as
// binary (attachments, or msgpack bins), decoded into `keep`, which must outlive the encode.
// False on malformed hex. Depth is bounded by json::parse's depth limit.
template <class W>
bool write_json(W& w, const json::value& v, std::deque<std::string>& keep) {
  if (v.is_array()) {
    w.begin_array();
    for (const json::value& e : v.elements()) {
      if (!write_json(w, e, keep)) return false;
    }
    w.end_array();
    return true;
  }
  if (v.is_object()) {
    json::value hex;
    if (v.size() == 1 && v.find("$binary", hex) && hex.is_string() && !hex.has_escapes()) {
      const std::string_view h = hex.string_raw();
      if (h.size() % 2 != 0) return false;
      std::string& b = keep.emplace_back();
      const auto nibble = [](char c, int& out) {
        if (c >= '0' && c <= '9')
          out = c - '0';
        else if (c >= 'a' && c <= 'f')
          out = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
          out = c - 'A' + 10;
        else
          return false;
        return true;
      };
      for (std::size_t i = 0; i < h.size(); i += 2) {
        int hi = 0, lo = 0;
        if (!nibble(h[i], hi) || !nibble(h[i + 1], lo)) return false;
        b.push_back(static_cast<char>(hi * 16 + lo));
      }
      w.binary(siocodec::byte_view(std::string_view(b)));
      return true;
    }
    w.begin_object();
    for (const json::member& m : v.members()) {
      if (m.key.has_escapes()) {
        std::string key;
        if (!m.key.unescape(key)) return false;
        w.key(key);
      } else {
        w.key(m.key.string_raw());
      }
      if (!write_json(w, m.val, keep)) return false;
    }
    w.end_object();
    return true;
  }
  w.raw(v.raw());  // scalars: already valid JSON text (msgpack: converted by the writer)
  return true;
}

// Writes a received value (of either parser) back through `w`, binary included: the default
// answer to a server's ack request echoes the event's arguments. Depth is bounded by the
// decoders' max_depth.
template <class W>
void write_received(W& w, const sio::any_value& v) {
  switch (v.kind()) {
    case sio::value_kind::binary: w.binary(v.bytes()); return;
    case sio::value_kind::array:
      w.begin_array();
      for (const sio::any_value& e : v.elements()) write_received(w, e);
      w.end_array();
      return;
    case sio::value_kind::object:
      w.begin_object();
      for (const sio::any_member& m : v.members()) {
        std::string key;
        (void)m.key.append_string(key);
        w.key(key);
        write_received(w, m.val);
      }
      w.end_object();
      return;
    default: break;
  }
  // Scalars verbatim: the parser that decoded `v` is the one encoding now.
  if constexpr (std::is_same_v<W, sio::msgpack_args_writer>) {
    if (v.is_msgpack()) return void(w.raw_msgpack(v.as_msgpack()));
  }
  if (!v.is_msgpack()) return void(w.raw(v.as_json().raw()));
  w.null();
}

// The script's non-blank lines ("-": standard input; "": none). False when the file cannot be
// read.
inline bool read_script(const std::string& name, std::vector<std::string>& lines) {
  std::string text;
  if (name == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else if (!name.empty()) {
    std::ifstream in(name, std::ios::binary);
    if (!in) return false;
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") != std::string::npos) lines.push_back(std::move(line));
    start = end + 1;
  }
  return true;
}

}  // namespace example_script
