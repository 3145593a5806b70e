// SPDX-License-Identifier: BSL-1.0
// The script language of the example clients (examples/client on Beast, examples/lws on
// libwebsockets; run_client_scenarios.js writes the scripts): reading a script, writing its JSON
// values as packet arguments, and the JSON line printed for each client event (received
// arguments are echoed back with socketio::copy_value). No socket stack here, so both programs
// include it.
#pragma once

// Boost-free (the JSON text of received values; the Beast client adapter's own printing).
#include <siocodec/adapters/beast/detail/client_json.hpp>
#include <siocodec/siocodec.hpp>

#include <cstdint>
#include <deque>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <string>
#include <string_view>
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

// The JSON line (without its newline) both example clients print for a client event: README's
// output table, which run_client_scenarios.js reads. Empty for the engine's close event: the
// programs' final `close` line says why the session ended.
inline std::string event_line(const sio::client_event& e, bool v5) {
  namespace eio = siocodec::engineio;
  namespace text = siocodec::adapters::beast;
  using k = sio::client_event_kind;
  const auto transport = [](eio::transport_kind t) {
    return std::string(t == eio::transport_kind::websocket ? "websocket" : "polling");
  };
  if (e.kind == k::engine) {
    const eio::event& ev = e.engine_event;
    if (ev.kind == eio::event_kind::close) return {};
    if (ev.kind != eio::event_kind::open) {
      return "{\"type\":\"upgrade\",\"transport\":\"" + transport(ev.transport) + "\"}";
    }
    std::string line = "{\"type\":\"open\",\"sid\":";
    text::append_json_string(line, ev.hs.sid);
    line += ",\"transport\":\"" + transport(ev.transport) +
            "\",\"pingInterval\":" + std::to_string(ev.hs.ping_interval) +
            ",\"pingTimeout\":" + std::to_string(ev.hs.ping_timeout);
    if (ev.hs.max_payload) line += ",\"maxPayload\":" + std::to_string(*ev.hs.max_payload);
    return line + "}";
  }
  static const char* const names[] = {
      "connect",     "connect_error",    "event",      "ack",
      "ack_timeout", "ack_disconnected", "disconnect", "reconnect_attempt",
      "reconnect",   "reconnect_failed"};
  std::string line = "{\"type\":\"";
  line += names[static_cast<int>(e.kind)];
  line += '"';
  if (e.kind < k::reconnect_attempt) text::append_json_string(line += ",\"nsp\":", e.nsp);
  switch (e.kind) {
    case k::connect:
      // v5: the server's CONNECT data is {sid[, pid]}; v4 CONNECT carries none.
      if (v5) {
        text::append_json_string(line += ",\"data\":{\"sid\":", e.sid);
        line += '}';
      }
      line += e.recovered ? ",\"recovered\":true" : ",\"recovered\":false";
      break;
    case k::connect_error:
      if (e.packet.data().exists()) text::append_json(line += ",\"data\":", e.packet.data());
      break;
    case k::event:
      text::append_json(line += ",\"name\":", e.packet.event_name());
      if (e.packet.id()) line += ",\"id\":" + std::to_string(*e.packet.id());
      text::append_json_args(line += ",\"args\":", e.packet);
      break;
    case k::ack:
      line += ",\"id\":" + std::to_string(e.ack_id);
      text::append_json_args(line += ",\"args\":", e.packet);
      break;
    case k::ack_timeout:
    case k::ack_disconnected: line += ",\"id\":" + std::to_string(e.ack_id); break;
    case k::disconnect:
      text::append_json_string(line += ",\"reason\":", sio::to_string(e.reason));
      break;
    case k::reconnect_attempt:
      line += ",\"attempt\":" + std::to_string(e.attempt) + ",\"delay\":" + std::to_string(e.delay);
      break;
    case k::reconnect:
    case k::reconnect_failed: line += ",\"attempt\":" + std::to_string(e.attempt); break;
    case k::engine: break;
  }
  return line + "}";
}

// What a script waits for, counted from the client's events: the same bookkeeping in both
// programs.
struct progress {
  enum class wait { none, nsp, time, events, acks, reconnects };
  enum class ns_state { joining, connected };
  std::map<std::string, ns_state> nsps;  // absent: left, or refused
  std::uint64_t events = 0, acks = 0, reconnects = 0;
  std::map<std::string, std::uint64_t> events_by_name;

  void count(const sio::client_event& e) {
    using k = sio::client_event_kind;
    switch (e.kind) {
      case k::connect: nsps[std::string(e.nsp)] = ns_state::connected; break;
      case k::connect_error:
        // A session that could not be opened is retried; a refusal is final.
        if (!e.session_failed) nsps.erase(std::string(e.nsp));
        break;
      case k::event: {
        ++events;
        std::string key;
        const sio::any_value name = e.packet.event_name();
        if (name.is_string() && name.append_string(key)) ++events_by_name[key];
        break;
      }
      case k::ack: ++acks; break;
      case k::disconnect:
        if (e.reason == sio::disconnect_reason::io_server_disconnect) {
          nsps.erase(std::string(e.nsp));
        } else if (e.reason != sio::disconnect_reason::io_client_disconnect) {
          nsps[std::string(e.nsp)] = ns_state::joining;  // joined again on reconnect
        }
        break;
      case k::reconnect: ++reconnects; break;
      default: break;
    }
  }

  // Whether what the script waits for came: the CONNECT answer of `nsp`, `n` events (named
  // `name` unless empty), acks or reconnections, or the end of a wait_ms (`time_up`).
  bool met(wait w, const std::string& nsp, const std::string& name, std::uint64_t n, bool time_up) {
    switch (w) {
      case wait::none: return true;
      case wait::nsp: {
        const auto it = nsps.find(nsp);
        return it == nsps.end() || it->second == ns_state::connected;
      }
      case wait::time: return time_up;
      case wait::events: return (name.empty() ? events : events_by_name[name]) >= n;
      case wait::acks: return acks >= n;
      case wait::reconnects: return reconnects >= n;
    }
    return true;
  }
};

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
