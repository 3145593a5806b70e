// SPDX-License-Identifier: BSL-1.0
// siocodec_client: a Socket.IO client on Boost.Beast, driven by a script, printing JSON lines.
//
//   siocodec_client URL [--namespace /nsp] [--auth JSON] [--transport websocket|polling]
//                   [--eio 4|3] [--parser default|msgpack] [--no-upgrade] [--path /socket.io/]
//                   [--script FILE|-] [--timeout MS] [--max-payload BYTES] [--lax-handshake]
//                   [--reconnection 0|1] [--reconnection-attempts N] [--reconnection-delay MS]
//                   [--reconnection-delay-max MS] [--randomization-factor F]
//
// A thin program over the public client adapter (include/siocodec/adapters/beast/client.hpp):
// the adapter and its engine do the protocol (sessions, namespaces, acks, heartbeat,
// reconnection); this file reads the command line and the script, prints what the engine
// reports and answers the server's ack requests. The script and the output format are described
// in examples/client/README.md.
#include <siocodec/adapters/beast/client.hpp>
#include <siocodec/siocodec.hpp>

#include "script.hpp"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace {

namespace eio = siocodec::engineio;
namespace sio = siocodec::socketio;
namespace json = siocodec::json;
namespace net = boost::asio;
namespace adapter = siocodec::adapters::beast;
using error_code = boost::system::error_code;

// Exit codes.
constexpr int exit_ok = 0;         // the script ran to its end and the session closed cleanly
constexpr int exit_usage = 1;      // bad command line or script
constexpr int exit_transport = 2;  // could not connect, or the server / network ended the session
constexpr int exit_protocol = 3;   // the server sent something siocodec refused
constexpr int exit_timeout = 4;    // an expectation of the script (or --timeout) ran out of time

struct options {
  std::string url;
  std::string nsp = "/";
  std::string auth;
  std::string script = "";
  adapter::client_options client;
  eio::transport_kind initial = eio::transport_kind::websocket;
  bool upgrade = true;
  long timeout_ms = 60000;
};

using example_script::read_script;
using example_script::write_json;

// Appends `s` with everything but RFC 3986 unreserved characters as %XX.
void percent_encode(std::string_view s, std::string& out) {
  static const char hex[] = "0123456789ABCDEF";
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '-' ||
        u == '_' || u == '.' || u == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(hex[u >> 4]);
      out.push_back(hex[u & 15]);
    }
  }
}

// Socket.IO v4 CONNECT has no payload: a JSON object of scalars becomes key=value&... (what
// socket.io-client 2.x does with its `query` option).
bool auth_to_query(std::string_view auth, std::string& out) {
  auto v = json::parse(auth);
  if (!v || !v->is_object()) return false;
  for (const json::member& m : v->members()) {
    std::string k, val;
    if (!m.key.unescape(k)) return false;
    if (m.val.is_string()) {
      if (!m.val.unescape(val)) return false;
    } else if (!m.val.is_array() && !m.val.is_object()) {
      val = std::string(m.val.raw());
    } else {
      return false;
    }
    if (!out.empty()) out.push_back('&');
    percent_encode(k, out);
    out.push_back('=');
    percent_encode(val, out);
  }
  return true;
}

// ------------------------------------------------------------------------------------------
// The application: prints the engine's events, runs the script.
// ------------------------------------------------------------------------------------------

class app {
 public:
  app(net::io_context& io, const options& o, std::vector<std::string> script)
      : io_(io),
        opts_(o),
        script_(std::move(script)),
        client_(io, o.url, o.client),
        script_timer_(io),
        expect_timer_(io),
        watchdog_(io) {
    client_.on_engine_event([this](const sio::client_event& e) { print(e); });
    client_.on_close([this](std::string_view reason) { closed(reason); });
    // The script goes on once an input's events are dispatched, before the answers go out.
    client_.on_dispatched([this] { run_script(); });
  }

  int run() {
    watchdog_.expires_after(std::chrono::milliseconds(opts_.timeout_ms));
    watchdog_.async_wait([this](error_code ec) {
      if (ec) return;
      std::fprintf(stderr, "siocodec_client: --timeout of %ld ms reached\n", opts_.timeout_ms);
      fail_script(exit_timeout);
    });
    waiting_nsp_ = opts_.nsp;
    if (!join(opts_.nsp, opts_.auth)) {
      std::fprintf(stderr, "siocodec_client: cannot encode the CONNECT (--auth must be a JSON "
                           "object; over --eio 3 of scalars)\n");
      return exit_usage;
    }
    started_ = true;
    io_.run();
    std::fflush(stdout);
    return exit_code_;
  }

 private:
  bool v5() const { return opts_.client.engine.engine.version == eio::protocol_version::v4; }

  // Joins `nsp` (auth: a JSON object or empty). v5 sends it in the CONNECT; v4 has no CONNECT
  // payload, so it becomes the namespace's query.
  bool join(const std::string& nsp, std::string_view auth) {
    progress_.nsps.emplace(nsp, ns_state::joining);  // joined already: as it was
    adapter::client_socket* s = nullptr;
    if (v5()) {
      if (!auth.empty() && !json::parse(auth)) return false;
      s = auth.empty() ? &client_.socket(nsp) : &client_.socket(nsp, sio::raw_json(auth));
    } else {
      std::string query;
      if (!auth.empty() && !auth_to_query(auth, query)) return false;
      s = &client_.socket_query(nsp, query);
    }
    s->on_any([this](adapter::message& m) { answer(m); });
    sockets_[nsp] = s;
    return true;
  }

  // The server asked for an ack: answer with the script's reply, or echo the arguments.
  void answer(adapter::message& m) {
    if (!m.wants_ack()) return;
    std::optional<json::value> reply_args;
    if (const auto r = replies_.find(m.name()); r != replies_.end()) {
      auto parsed = json::parse(r->second);
      if (parsed && parsed->is_array()) reply_args = *parsed;
    }
    std::deque<std::string> keep;
    bool ok = true;
    const auto e = m.ack([&](auto& w) {
      if (reply_args) {
        for (const json::value& a : reply_args->elements()) ok = write_json(w, a, keep) && ok;
      } else {
        for (const sio::any_value& a : m.args()) sio::copy_value(w, a);
      }
    });
    if (e != siocodec::errc::none || !ok) {
      std::fprintf(stderr, "siocodec_client: cannot encode an ack\n");
    }
  }

  // --- printing: one JSON line per engine event (example_script::event_line) -------------
  void print(const sio::client_event& e) {
    progress_.count(e);
    const std::string line = example_script::event_line(e, v5());
    if (!line.empty()) write_line(line);
  }

  void closed(std::string_view reason) {
    if (close_printed_) return;
    close_printed_ = true;
    const std::string& error = client_.last_error();
    std::string line = "{\"type\":\"close\",\"reason\":";
    adapter::append_json_string(line, reason);
    if (!error.empty()) {
      line += ",\"error\":";
      adapter::append_json_string(line, error);
      std::fprintf(stderr, "siocodec_client: %.*s: %s\n", static_cast<int>(reason.size()),
                   reason.data(), error.c_str());
    }
    write_line(line + "}");
    if (exit_code_ == exit_ok && !(script_done_ && error.empty())) {
      exit_code_ = reason == "parse error" ? exit_protocol : exit_transport;
    }
    script_done_ = true;
    script_timer_.cancel();
    expect_timer_.cancel();
    watchdog_.cancel();
    std::fflush(stdout);
  }

  static void write_line(const std::string& line) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
  }

  void fail_script(int code) {
    if (exit_code_ == exit_ok) exit_code_ = code;
    script_done_ = true;
    // A server that no longer answers must not keep us waiting.
    client_.close();
    closed("io client disconnect");
    io_.stop();
  }

  // --- the script: one JSON object per line; see examples/client/README.md. ---------------
  void run_script() {
    if (!started_ || in_script_ || script_done_ || !client_.is_open()) return;
    in_script_ = true;
    while (!script_done_ && condition_met()) {
      waiting_ = wait::none;
      expect_timer_.cancel();
      if (pc_ == script_.size()) {
        script_done_ = true;
        client_.close();
        break;
      }
      if (!step(script_[pc_++])) {
        exit_code_ = exit_usage;
        script_done_ = true;
        client_.close();
        break;
      }
    }
    in_script_ = false;
  }

  using ns_state = example_script::progress::ns_state;
  using wait = example_script::progress::wait;

  bool condition_met() {
    return progress_.met(waiting_, waiting_nsp_, wait_name_, wait_count_, time_up_);
  }

  void expect_within(long ms, const std::string& what) {
    expect_timer_.expires_after(std::chrono::milliseconds(ms));
    expect_timer_.async_wait([this, what](error_code ec) {
      if (ec) return;
      std::fprintf(stderr, "siocodec_client: timed out waiting for %s\n", what.c_str());
      fail_script(exit_timeout);
    });
  }

  static std::string string_of(const json::value& v) {
    std::string s;
    if (v.is_string()) (void)v.unescape(s);
    return s;
  }

  static long number_of(const json::value& v, long fallback) {
    auto n = v.to_uint64();
    return n ? static_cast<long>(*n) : fallback;
  }

  bool emit(const std::string& nsp, std::string_view name, std::string_view args_json,
            bool want_ack, eio::millis ack_timeout) {
    const auto s = sockets_.find(nsp);
    auto args = json::parse(args_json);
    if (s == sockets_.end() || !args || !args->is_array()) return false;
    std::deque<std::string> keep;
    bool hex_ok = true;
    auto write_args = [&](auto& w) {
      for (const json::value& a : args->elements()) hex_ok = write_json(w, a, keep) && hex_ok;
    };
    // Acks are printed from the engine's events: the reply handler has nothing to do.
    const siocodec::errc e = want_ack ? s->second->emit_ack(ack_timeout, {}, name, write_args)
                                      : s->second->emit(name, write_args);
    return e == siocodec::errc::none && hex_ok;
  }

  bool step(const std::string& line) {
    auto parsed = json::parse(line);
    if (!parsed || !parsed->is_object()) {
      std::fprintf(stderr, "siocodec_client: script line %zu is not a JSON object\n", pc_);
      return false;
    }
    const json::value a = *parsed;
    json::value v, x;
    const long timeout = a.find("timeout_ms", x) ? number_of(x, 20000) : 20000;
    if (a.find("emit", v)) {
      const std::string name = string_of(v);
      std::string nsp = opts_.nsp;
      if (a.find("nsp", x)) nsp = string_of(x);
      std::string_view args = "[]";
      if (a.find("args", x)) args = x.raw();
      const bool want_ack = a.find("ack", x) && x.get_bool();
      const auto ack_timeout =
          static_cast<eio::millis>(a.find("ack_timeout_ms", x) ? number_of(x, 0) : 0);
      const bool ok = emit(nsp, name, args, want_ack, ack_timeout);
      if (!ok) std::fprintf(stderr, "siocodec_client: cannot encode emit on line %zu\n", pc_);
      return ok;
    }
    if (a.find("wait_ms", v)) {
      waiting_ = wait::time;
      time_up_ = false;
      script_timer_.expires_after(std::chrono::milliseconds(number_of(v, 0)));
      script_timer_.async_wait([this](error_code ec) {
        if (ec) return;
        time_up_ = true;
        run_script();
      });
      return true;
    }
    if (a.find("expect_events", v)) {
      waiting_ = wait::events;
      wait_count_ = static_cast<std::uint64_t>(number_of(v, 0));
      wait_name_ = a.find("event", x) ? string_of(x) : std::string();
      expect_within(timeout, std::to_string(wait_count_) + " events " + wait_name_);
      return true;
    }
    if (a.find("expect_acks", v)) {
      waiting_ = wait::acks;
      wait_count_ = static_cast<std::uint64_t>(number_of(v, 0));
      expect_within(timeout, std::to_string(wait_count_) + " acks");
      return true;
    }
    if (a.find("expect_reconnects", v)) {
      waiting_ = wait::reconnects;
      wait_count_ = static_cast<std::uint64_t>(number_of(v, 0));
      expect_within(timeout, std::to_string(wait_count_) + " reconnections");
      return true;
    }
    if (a.find("connect", v)) {
      waiting_nsp_ = string_of(v);
      const std::string auth = a.find("auth", x) ? std::string(x.raw()) : std::string();
      if (!join(waiting_nsp_, auth)) return false;
      waiting_ = wait::nsp;
      expect_within(timeout, "the CONNECT answer of " + waiting_nsp_);
      return true;
    }
    if (a.find("on", v)) {
      replies_[string_of(v)] = a.find("reply", x) ? std::string(x.raw()) : "[]";
      return true;
    }
    if (a.find("disconnect", v)) {
      if (v.is_string()) {
        const std::string nsp = string_of(v);
        progress_.nsps.erase(nsp);
        if (const auto s = sockets_.find(nsp); s != sockets_.end()) s->second->leave();
        return true;
      }
      pc_ = script_.size();  // the end: close() follows
      return true;
    }
    std::fprintf(stderr, "siocodec_client: unknown action on script line %zu\n", pc_);
    return false;
  }

  net::io_context& io_;
  options opts_;
  std::vector<std::string> script_;
  adapter::client client_;
  net::steady_timer script_timer_, expect_timer_, watchdog_;
  std::map<std::string, adapter::client_socket*> sockets_;
  example_script::progress progress_;
  std::map<std::string, std::string> replies_;
  int exit_code_ = exit_ok;
  bool close_printed_ = false, started_ = false;
  // script state
  std::size_t pc_ = 0;
  bool in_script_ = false, script_done_ = false, time_up_ = false;
  wait waiting_ = wait::nsp;  // the first CONNECT's answer
  std::string waiting_nsp_;
  std::uint64_t wait_count_ = 0;
  std::string wait_name_;
};

// ------------------------------------------------------------------------------------------
// Command line.
// ------------------------------------------------------------------------------------------

int usage(const char* why) {
  std::fprintf(stderr,
               "siocodec_client: %s\n"
               "usage: siocodec_client URL [--namespace /nsp] [--auth JSON]\n"
               "         [--transport websocket|polling] [--eio 4|3] [--parser default|msgpack]\n"
               "         [--no-upgrade] [--path /socket.io/] [--script FILE|-] [--timeout MS]\n"
               "         [--max-payload BYTES] [--lax-handshake] [--reconnection 0|1]\n"
               "         [--reconnection-attempts N] [--reconnection-delay MS]\n"
               "         [--reconnection-delay-max MS] [--randomization-factor F]\n"
               "URL is http://host:port[/namespace] (ws:// also accepted).\n",
               why);
  return exit_usage;
}

// A decimal number that fits in 32 bits.
bool number(const char* text, std::uint32_t& out) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0' || v > 0xFFFFFFFFull) return false;
  out = static_cast<std::uint32_t>(v);
  return true;
}

bool parse_url(std::string_view url, options& o) {
  siocodec::adapters::beast::url u;
  if (!siocodec::adapters::beast::parse_url(url, u) || u.tls) return false;
  o.url = std::string(url);
  if (u.path.size() > 1) o.nsp = u.path;  // as socket.io-client: the URL path is the namespace
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  std::string url;
  // Our decode limit for one frame or polling body. A client trusts its server more than a
  // server trusts the internet: the 1 MB attachments and events of the interop suite fit.
  std::size_t max_payload = 64u << 20;
  bool nsp_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const auto value = [&](const char* name) -> const char* {
      if (i + 1 >= argc) {
        usage((std::string(name) + " needs a value").c_str());
        std::exit(exit_usage);
      }
      return argv[++i];
    };
    if (arg == "--namespace") {
      o.nsp = value("--namespace");
      nsp_given = true;
    } else if (arg == "--auth") {
      o.auth = value("--auth");
    } else if (arg == "--transport") {
      const std::string_view t = value("--transport");
      if (t == "websocket")
        o.initial = eio::transport_kind::websocket;
      else if (t == "polling")
        o.initial = eio::transport_kind::polling;
      else
        return usage("--transport is websocket or polling");
    } else if (arg == "--eio") {
      const std::string_view v = value("--eio");
      if (v == "4")
        o.client.engine.engine.version = eio::protocol_version::v4;
      else if (v == "3")
        o.client.engine.engine.version = eio::protocol_version::v3;
      else
        return usage("--eio is 4 or 3");
    } else if (arg == "--parser") {
      if (!sio::parse_parser_kind(value("--parser"), o.client.engine.parser))
        return usage("--parser is default or msgpack");
    } else if (arg == "--no-upgrade") {
      o.upgrade = false;
    } else if (arg == "--path") {
      o.client.path = value("--path");
    } else if (arg == "--script") {
      o.script = value("--script");
    } else if (arg == "--timeout") {
      o.timeout_ms = std::strtol(value("--timeout"), nullptr, 10);
    } else if (arg == "--lax-handshake") {
      o.client.engine.engine.handshake.lax = true;
    } else if (arg == "--reconnection") {
      const std::string_view v = value("--reconnection");
      if (v != "0" && v != "1") return usage("--reconnection is 0 or 1");
      o.client.reconnect.enabled = v == "1";
    } else if (arg == "--reconnection-attempts") {
      if (!number(value("--reconnection-attempts"), o.client.reconnect.attempts))
        return usage("--reconnection-attempts is a number");
    } else if (arg == "--reconnection-delay") {
      if (!number(value("--reconnection-delay"), o.client.reconnect.delay))
        return usage("--reconnection-delay is a number of milliseconds");
    } else if (arg == "--reconnection-delay-max") {
      if (!number(value("--reconnection-delay-max"), o.client.reconnect.delay_max))
        return usage("--reconnection-delay-max is a number of milliseconds");
    } else if (arg == "--randomization-factor") {
      char* end = nullptr;
      const char* text = value("--randomization-factor");
      o.client.reconnect.randomization = std::strtod(text, &end);
      if (end == text || *end != '\0') return usage("--randomization-factor is a number");
    } else if (arg == "--max-payload") {
      max_payload = std::strtoul(value("--max-payload"), nullptr, 10);
    } else if (!arg.empty() && arg[0] != '-' && url.empty()) {
      url = arg;
    } else {
      return usage(("unknown argument " + std::string(arg)).c_str());
    }
  }
  if (url.empty()) return usage("no URL");
  const std::string nsp = o.nsp;
  if (!parse_url(url, o)) return usage("cannot read the URL");
  if (nsp_given) o.nsp = nsp;
  if (o.nsp.empty() || o.nsp[0] != '/') return usage("a namespace starts with '/'");
  if (o.timeout_ms <= 0) return usage("--timeout must be positive");
  sio::client_options& engine = o.client.engine;
  engine.engine.decode.max_payload = max_payload;
  engine.codec.decode.max_attachment_bytes = max_payload;
  engine.codec.decode.max_packet_bytes = max_payload;
  o.client.transports = o.initial == eio::transport_kind::websocket ? adapter::transports::websocket
                        : o.upgrade ? adapter::transports::polling_then_websocket
                                    : adapter::transports::polling;
  o.client.user_agent = "siocodec-example-client";
  // What siocodec refused will not improve by asking again: stop there (the reference would
  // reconnect), exit status 3.
  o.client.reconnect_on_parse_error = false;
  std::vector<std::string> script;
  if (!read_script(o.script, script)) return usage("cannot read the script");
  net::io_context io;
  app a(io, o, std::move(script));
  return a.run();
}
