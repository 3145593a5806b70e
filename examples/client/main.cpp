// SPDX-License-Identifier: BSL-1.0
// siocodec_client: a Socket.IO client on Boost.Beast, driven by a script, printing JSON lines.
//
//   siocodec_client URL [--namespace /nsp] [--auth JSON] [--transport websocket|polling]
//                   [--eio 4|3] [--parser default|msgpack] [--no-upgrade] [--path /socket.io/]
//                   [--script FILE|-] [--timeout MS] [--max-payload BYTES] [--lax-handshake]
//                   [--reconnection 0|1] [--reconnection-attempts N] [--reconnection-delay MS]
//                   [--reconnection-delay-max MS] [--randomization-factor F]
//
// The script and the output format are described in examples/client/README.md; how the pieces
// fit (session.hpp: glue around the library's Socket.IO client engine; the Beast channels of the
// client adapter, include/siocodec/adapters/beast/) in docs/integration.md.
#include "session.hpp"

#include <siocodec/adapters/beast/client.hpp>
#include <siocodec/adapters/beast/detail/client_io.hpp>

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace sioclient;  // NOLINT(google-build-using-namespace): an example's main file
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
// The I/O is the client adapter's (include/siocodec/adapters/beast/detail/client_io.hpp).
using siocodec::adapters::beast::detail::client_io;
using siocodec::adapters::beast::detail::client_io_settings;

// Exit codes.
constexpr int exit_ok = 0;         // the script ran to its end and the session closed cleanly
constexpr int exit_usage = 1;      // bad command line or script
constexpr int exit_transport = 2;  // could not connect, or the server / network ended the session
constexpr int exit_protocol = 3;   // the server sent something siocodec refused
constexpr int exit_timeout = 4;    // an expectation of the script (or --timeout) ran out of time

struct options {
  std::string host, port = "80", path = "/socket.io/";
  std::string nsp = "/";
  std::string auth;
  std::string script = "";
  session_config session;
  long timeout_ms = 60000;
};

// ------------------------------------------------------------------------------------------
// JSON output: one line per thing received. Binary values (attachments, msgpack bins) are
// written {"$binary":"hex"}, whatever the parser.
// ------------------------------------------------------------------------------------------

void append_string(std::string& out, std::string_view s) {
  siocodec::adapters::beast::append_json_string(out, s);
}

void append_value(std::string& out, const sio::any_value& v) {
  siocodec::adapters::beast::append_json(out, v);
}

void append_args(std::string& out, const sio::any_packet& p) {
  out += "\"args\":";
  siocodec::adapters::beast::append_json_args(out, p);
}

// ------------------------------------------------------------------------------------------
// The application: wires the session to the Beast channels and runs the script.
// ------------------------------------------------------------------------------------------

const char* kind_name(const sio::client_event& e) {
  using k = sio::client_event_kind;
  switch (e.kind) {
    case k::connect: return "connect";
    case k::connect_error: return "connect_error";
    case k::event: return "event";
    case k::ack: return "ack";
    case k::ack_timeout: return "ack_timeout";
    case k::ack_disconnected: return "ack_disconnected";
    case k::disconnect: return "disconnect";
    case k::reconnect_attempt: return "reconnect_attempt";
    case k::reconnect: return "reconnect";
    case k::reconnect_failed: return "reconnect_failed";
    case k::engine: break;
  }
  return e.engine_event.kind == eio::event_kind::open ? "open" : "upgrade";
}

class app final : public listener {
 public:
  app(net::io_context& io, const options& o, std::vector<std::string> script)
      : io_(io),
        opts_(o),
        script_(std::move(script)),
        session_(o.session, *this),
        net_(io, session_, [this] { pump(); }),
        script_timer_(io),
        expect_timer_(io),
        watchdog_(io) {}

  int run() {
    beast::error_code ec;
    tcp::resolver resolver(io_);
    client_io_settings& io = net_.settings();
    io.ep.endpoints = resolver.resolve(opts_.host, opts_.port, ec);
    if (ec) {
      std::fprintf(stderr, "siocodec_client: cannot resolve %s: %s\n", opts_.host.c_str(),
                   ec.message().c_str());
      return exit_transport;
    }
    io.ep.host = opts_.host;
    io.ep.host_header = opts_.host + ":" + opts_.port;
    io.ep.user_agent = "siocodec-example-client";
    io.path = opts_.path;
    io.max_payload = opts_.session.max_payload;
    watchdog_.expires_after(std::chrono::milliseconds(opts_.timeout_ms));
    watchdog_.async_wait([this](beast::error_code wec) {
      if (wec) return;
      std::fprintf(stderr, "siocodec_client: --timeout of %ld ms reached\n", opts_.timeout_ms);
      fail_script(exit_timeout);
    });
    if (!session_.connect(opts_.nsp, opts_.auth)) {
      std::fprintf(stderr, "siocodec_client: cannot encode the CONNECT (--auth must be a JSON "
                           "object; over --eio 3 of scalars)\n");
      return exit_usage;
    }
    waiting_nsp_ = opts_.nsp;
    // The engine has no randomness of its own: its `t` cache-busters and the reconnection
    // jitter come from this seed.
    std::random_device rd;
    session_.start((std::uint64_t{rd()} << 32) ^ rd());
    pump();
    io_.run();
    std::fflush(stdout);
    return exit_code_;
  }

  // --- listener: print what arrives ---------------------------------------------------------
  void on_event(const sio::client_event& e) override {
    using k = sio::client_event_kind;
    std::string line = "{\"type\":\"";
    line += kind_name(e);
    line += '"';
    if (e.kind != k::engine && e.kind != k::reconnect_attempt && e.kind != k::reconnect &&
        e.kind != k::reconnect_failed) {
      append_string(line += ",\"nsp\":", e.nsp);
    }
    switch (e.kind) {
      case k::engine: {
        const eio::event& ev = e.engine_event;
        if (ev.kind == eio::event_kind::close) return;  // the final `close` line says why
        if (ev.kind == eio::event_kind::open) {
          append_string(line += ",\"sid\":", ev.hs.sid);
          line += ",\"transport\":\"" + std::string(to_string(ev.transport)) +
                  "\",\"pingInterval\":" + std::to_string(ev.hs.ping_interval) +
                  ",\"pingTimeout\":" + std::to_string(ev.hs.ping_timeout);
          if (ev.hs.max_payload) line += ",\"maxPayload\":" + std::to_string(*ev.hs.max_payload);
        } else {
          line += ",\"transport\":\"" + std::string(to_string(ev.transport)) + "\"";
        }
        break;
      }
      case k::connect:
        // v5: the server's CONNECT data is {sid[, pid]}; v4 CONNECT carries none.
        if (opts_.session.version == eio::protocol_version::v4) {
          append_string(line += ",\"data\":{\"sid\":", e.sid);
          line += '}';
        }
        line += e.recovered ? ",\"recovered\":true" : ",\"recovered\":false";
        break;
      case k::connect_error:
        if (e.packet.data().exists()) append_value(line += ",\"data\":", e.packet.data());
        break;
      case k::event: {
        const sio::any_value name = e.packet.event_name();
        append_value(line += ",\"name\":", name);
        if (e.packet.id()) line += ",\"id\":" + std::to_string(*e.packet.id());
        line.push_back(',');
        append_args(line, e.packet);
        ++events_;
        std::string key;
        if (name.is_string() && name.append_string(key)) ++events_by_name_[key];
        break;
      }
      case k::ack:
        line += ",\"id\":" + std::to_string(e.ack_id) + ",";
        append_args(line, e.packet);
        ++acks_;
        break;
      case k::ack_timeout:
      case k::ack_disconnected: line += ",\"id\":" + std::to_string(e.ack_id); break;
      case k::disconnect: append_string(line += ",\"reason\":", sio::to_string(e.reason)); break;
      case k::reconnect_attempt:
        line +=
            ",\"attempt\":" + std::to_string(e.attempt) + ",\"delay\":" + std::to_string(e.delay);
        break;
      case k::reconnect:
        ++reconnects_;
        line += ",\"attempt\":" + std::to_string(e.attempt);
        break;
      case k::reconnect_failed: line += ",\"attempt\":" + std::to_string(e.attempt); break;
    }
    print(line + "}");
  }
  void on_close(std::string_view reason, std::string_view error) override {
    std::string line = "{\"type\":\"close\",\"reason\":";
    append_string(line, reason);
    if (!error.empty()) {
      line += ",\"error\":";
      append_string(line, error);
      std::fprintf(stderr, "siocodec_client: %.*s: %.*s\n", static_cast<int>(reason.size()),
                   reason.data(), static_cast<int>(error.size()), error.data());
    }
    print(line + "}");
    if (exit_code_ == exit_ok && !(script_done_ && error.empty())) {
      exit_code_ = reason == "parse error" ? exit_protocol : exit_transport;
    }
  }

 private:
  void print(const std::string& line) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
  }

  // Called after every input: runs the script, then does what the engine asks of the sockets.
  void pump() {
    if (torn_down_) return;
    run_script();  // first: what it emits goes out below
    net_.flush();  // the engine's transmits to the adapter's channels, its deadline to the timer
    // The held GET of a session that is over is left alone until the POST in flight, which may
    // carry the last DISCONNECT, has been answered: a socket.io server that sees the GET's
    // connection close first ends every namespace with "transport error". A new session's GET
    // takes a new channel, and a late answer is dropped by generation.
    if (session_.closed() && !net_.post_busy() && !net_.ws_open()) teardown();
    std::fflush(stdout);
  }

  void teardown() {
    if (torn_down_) return;
    torn_down_ = true;
    net_.shutdown();
    script_timer_.cancel();
    expect_timer_.cancel();
    watchdog_.cancel();
    std::fflush(stdout);
  }

  void fail_script(int code) {
    if (exit_code_ == exit_ok) exit_code_ = code;
    script_done_ = true;
    // A server that no longer answers must not keep us waiting: end the session now.
    session_.close_now();
    pump();
    teardown();
  }

  // --- the script ---------------------------------------------------------------------------
  // One JSON object per line; see examples/client/README.md.
  void run_script() {
    if (in_script_ || script_done_ || session_.closed()) return;
    in_script_ = true;
    while (!script_done_ && condition_met()) {
      waiting_ = wait::none;
      expect_timer_.cancel();
      if (pc_ == script_.size()) {
        script_done_ = true;
        session_.close();
        break;
      }
      if (!step(script_[pc_++])) {
        exit_code_ = exit_usage;
        script_done_ = true;
        session_.close();
        break;
      }
    }
    in_script_ = false;
  }

  enum class wait { none, nsp, time, events, acks, reconnects };

  bool condition_met() {
    switch (waiting_) {
      case wait::none: return true;
      case wait::nsp: return session_.namespace_state(waiting_nsp_) != 0;
      case wait::time: return time_up_;
      case wait::events:
        return (wait_name_.empty() ? events_ : events_by_name_[wait_name_]) >= wait_count_;
      case wait::acks: return acks_ >= wait_count_;
      case wait::reconnects: return reconnects_ >= wait_count_;
    }
    return true;
  }

  void expect_within(long ms, const std::string& what) {
    expect_timer_.expires_after(std::chrono::milliseconds(ms));
    expect_timer_.async_wait([this, what](beast::error_code ec) {
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
      const bool ok = session_.emit(nsp, name, args, want_ack, ack_timeout);
      if (!ok) std::fprintf(stderr, "siocodec_client: cannot encode emit on line %zu\n", pc_);
      return ok;
    }
    if (a.find("wait_ms", v)) {
      waiting_ = wait::time;
      time_up_ = false;
      script_timer_.expires_after(std::chrono::milliseconds(number_of(v, 0)));
      script_timer_.async_wait([this](beast::error_code ec) {
        if (ec) return;
        time_up_ = true;
        pump();
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
      if (!session_.connect(waiting_nsp_, auth)) return false;
      waiting_ = wait::nsp;
      expect_within(timeout, "the CONNECT answer of " + waiting_nsp_);
      return true;
    }
    if (a.find("on", v)) {
      session_.set_reply(string_of(v), a.find("reply", x) ? std::string(x.raw()) : "[]");
      return true;
    }
    if (a.find("disconnect", v)) {
      if (v.is_string()) {
        session_.leave(string_of(v));
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
  session session_;
  // The Beast half: the client adapter's I/O (channels, the engine's timer) over the session.
  client_io<session> net_;
  net::steady_timer script_timer_, expect_timer_, watchdog_;
  bool torn_down_ = false;
  int exit_code_ = exit_ok;
  // script state
  std::size_t pc_ = 0;
  bool in_script_ = false, script_done_ = false, time_up_ = false;
  wait waiting_ = wait::nsp;  // the first CONNECT's answer
  std::string waiting_nsp_;
  std::uint64_t wait_count_ = 0;
  std::string wait_name_;
  std::uint64_t events_ = 0, acks_ = 0, reconnects_ = 0;
  std::map<std::string, std::uint64_t> events_by_name_;
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
  o.host = u.host;
  o.port = u.port;
  if (u.path.size() > 1) o.nsp = u.path;  // as socket.io-client: the URL path is the namespace
  return true;
}

bool read_script(const std::string& name, std::vector<std::string>& lines) {
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

}  // namespace

int main(int argc, char** argv) {
  options o;
  std::string url;
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
        o.session.initial = eio::transport_kind::websocket;
      else if (t == "polling")
        o.session.initial = eio::transport_kind::polling;
      else
        return usage("--transport is websocket or polling");
    } else if (arg == "--eio") {
      const std::string_view v = value("--eio");
      if (v == "4")
        o.session.version = eio::protocol_version::v4;
      else if (v == "3")
        o.session.version = eio::protocol_version::v3;
      else
        return usage("--eio is 4 or 3");
    } else if (arg == "--parser") {
      if (!sio::parse_parser_kind(value("--parser"), o.session.parser))
        return usage("--parser is default or msgpack");
    } else if (arg == "--no-upgrade") {
      o.session.upgrade = false;
    } else if (arg == "--path") {
      o.path = value("--path");
    } else if (arg == "--script") {
      o.script = value("--script");
    } else if (arg == "--timeout") {
      o.timeout_ms = std::strtol(value("--timeout"), nullptr, 10);
    } else if (arg == "--lax-handshake") {
      o.session.lax_handshake = true;
    } else if (arg == "--reconnection") {
      const std::string_view v = value("--reconnection");
      if (v != "0" && v != "1") return usage("--reconnection is 0 or 1");
      o.session.reconnect.enabled = v == "1";
    } else if (arg == "--reconnection-attempts") {
      if (!number(value("--reconnection-attempts"), o.session.reconnect.attempts))
        return usage("--reconnection-attempts is a number");
    } else if (arg == "--reconnection-delay") {
      if (!number(value("--reconnection-delay"), o.session.reconnect.delay))
        return usage("--reconnection-delay is a number of milliseconds");
    } else if (arg == "--reconnection-delay-max") {
      if (!number(value("--reconnection-delay-max"), o.session.reconnect.delay_max))
        return usage("--reconnection-delay-max is a number of milliseconds");
    } else if (arg == "--randomization-factor") {
      char* end = nullptr;
      const char* text = value("--randomization-factor");
      o.session.reconnect.randomization = std::strtod(text, &end);
      if (end == text || *end != '\0') return usage("--randomization-factor is a number");
    } else if (arg == "--max-payload") {
      o.session.max_payload = std::strtoul(value("--max-payload"), nullptr, 10);
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
  std::vector<std::string> script;
  if (!read_script(o.script, script)) return usage("cannot read the script");
  net::io_context io;
  app a(io, o, std::move(script));
  return a.run();
}
