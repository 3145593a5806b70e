// SPDX-License-Identifier: BSL-1.0
// A complete Socket.IO client over Boost.Beast: socketio::client (the sans-I/O engine) driven on
// the caller's io_context, over WebSocket and HTTP long-polling (and the upgrade), plain or TLS.
//
//   boost::asio::io_context io;
//   siocodec::adapters::beast::client c(io, "http://127.0.0.1:3000");
//   auto& s = c.socket("/");
//   s.on_connect([&] { s.emit_ack(5000, [](const reply& r) { ... }, "echo", "hi"); });
//   s.on("news", [](message& m) { std::cout << m.json() << '\n'; });
//   io.run();   // returns once the client is closed for good and its sockets are shut
//
// No thread of its own: every handler runs inside io.run() (one thread, or a strand of your
// own). One steady_timer follows the engine's next_deadline() (heartbeat, ack timeouts, the
// reconnection delay). Reconnection is the engine's (client_options::reconnect, socket.io-client's
// Manager options and defaults). TLS (https://, wss://) needs SIOCODEC_BEAST_SSL=1 before this
// include, OpenSSL at link time, and an ssl::context handed to the constructor. Define
// SIOCODEC_BEAST_SSL the same way in every translation unit of a program (it changes the layout
// of the adapter's types), ideally on the command line.
//
// Boost.Beast and Asio need exceptions and RTTI: this header is not for -fno-exceptions builds
// (the engines are).
#ifndef SIOCODEC_ADAPTERS_BEAST_CLIENT_HPP
#define SIOCODEC_ADAPTERS_BEAST_CLIENT_HPP

#ifndef SIOCODEC_BEAST_SSL
#define SIOCODEC_BEAST_SSL 0
#endif

#include <siocodec/adapters/beast/detail/client_io.hpp>
#include <siocodec/adapters/beast/detail/client_json.hpp>
#include <siocodec/config.hpp>
#include <siocodec/error.hpp>
#include <siocodec/socketio/builders.hpp>
#include <siocodec/socketio/client.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>

SIOCODEC_BEGIN_NAMESPACE
namespace adapters {
namespace beast {

/// socket.io-client's `transports` option.
enum class transports : std::uint8_t {
  /// Long-polling first, then the upgrade to WebSocket (the reference's default).
  polling_then_websocket,
  /// WebSocket only (`transports: ["websocket"]`).
  websocket,
  /// Long-polling only (`transports: ["polling"]`).
  polling,
};

/// Options of a client. The defaults are socket.io-client 4.8's.
struct client_options {
  /// The engine: parser, protocol version (engine.version), codec and queue limits, connect
  /// timeout. engine.engine.initial / upgrade are set from `transports`.
  socketio::client_options engine;
  /// Reconnection (copied into engine.reconnect): `enabled`, `attempts`, `delay`, `delay_max`,
  /// `randomization`, as the reference's reconnection* options.
  socketio::reconnect_options reconnect;
  enum transports transports = transports::polling_then_websocket;
  /// The Engine.IO path (socket.io's `path`).
  std::string path = "/socket.io/";
  /// Limit of a WebSocket's outgoing queue in bytes; over it the connection is dropped
  /// ("send queue full", reported by on_error(), then reconnection as for any transport error).
  /// Polling POSTs are bounded by the engine's engine.engine.max_queued_bytes.
  std::size_t max_send_queue_bytes = SIOCODEC_DEFAULT_BEAST_MAX_SEND_QUEUE_BYTES;
  /// TCP (+ TLS) connect timeout of every connection.
  std::chrono::milliseconds connect_timeout{10000};
  std::string user_agent = "siocodec";
  /// The engine's random seed (`t` cache busters, reconnection jitter); 0: std::random_device.
  std::uint64_t seed = 0;
  /// What siocodec's decoder refused (a handshake, packet or payload: reason "parse error")
  /// is reconnected after, as the reference does. False: the client closes for good instead
  /// (on_close("parse error"), last_error() says what was refused), for tools and tests that
  /// must not retry a server that sends what they refuse.
  bool reconnect_on_parse_error = true;
};

/// A parsed client URL: `http`/`ws` (plain) or `https`/`wss` (TLS), host, port (the scheme's by
/// default), path and query. socket.io-client reads the path as the namespace, and so does
/// client::socket() without an argument; the query goes into every Engine.IO request.
struct url {
  bool tls = false;
  std::string host, port, path = "/", query;
};

/// Parses `scheme://host[:port][/path][?query]` ([v6] hosts in brackets). False on anything
/// else (no scheme, unknown scheme, empty host, bad port).
inline bool parse_url(std::string_view s, url& out) {
  out = url{};
  const std::size_t colon = s.find("://");
  if (colon == std::string_view::npos) return false;
  const std::string_view scheme = s.substr(0, colon);
  if (scheme == "http" || scheme == "ws") {
    out.tls = false;
  } else if (scheme == "https" || scheme == "wss") {
    out.tls = true;
  } else {
    return false;
  }
  s.remove_prefix(colon + 3);
  const std::size_t end = s.find_first_of("/?#");
  std::string_view authority = s.substr(0, end);
  std::string_view rest = end == std::string_view::npos ? std::string_view() : s.substr(end);
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);  // user info is not sent
  }
  std::string_view host = authority, port;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return false;
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return false;
      port = after.substr(1);
    }
  } else if (const std::size_t c = authority.rfind(':'); c != std::string_view::npos) {
    host = authority.substr(0, c);
    port = authority.substr(c + 1);
  }
  if (host.empty()) return false;
  if (!port.empty()) {
    if (port.size() > 5) return false;
    unsigned n = 0;
    for (const char ch : port) {
      if (ch < '0' || ch > '9') return false;
      n = n * 10 + static_cast<unsigned>(ch - '0');
    }
    if (n == 0 || n > 65535) return false;
  }
  out.host = std::string(host);
  out.port = port.empty() ? (out.tls ? "443" : "80") : std::string(port);
  if (const std::size_t hash = rest.find('#'); hash != std::string_view::npos) {
    rest = rest.substr(0, hash);
  }
  const std::size_t q = rest.find('?');
  const std::string_view path = rest.substr(0, q);
  out.path = path.empty() ? "/" : std::string(path);
  if (q != std::string_view::npos) out.query = std::string(rest.substr(q + 1));
  return true;
}

class client;
class client_socket;

/// An EVENT received on a socket. A view: valid during the handler only, and only until the
/// handler's first call that emits (emit(), ack(), leave(): the engine reuses its buffers), so
/// read first, then answer.
class message {
 public:
  /// The event name ("" when it is not a string).
  std::string name() const {
    std::string n;
    const socketio::any_value v = packet_.event_name();
    if (v.is_string()) (void)v.append_string(n);
    return n;
  }
  /// The arguments (any_value: either parser, binary attachments in place).
  socketio::any_argument_range args() const noexcept { return packet_.arguments(); }
  /// The whole packet.
  const socketio::any_packet& packet() const noexcept { return packet_; }
  /// The arguments as a JSON array, binaries as {"$binary":"hex"}.
  std::string json() const {
    std::string out;
    append_json_args(out, packet_);
    return out;
  }
  /// The server asked for an ack (socket.emit with a callback) and ack() was not called yet.
  bool wants_ack() const noexcept { return packet_.id().has_value() && !acked_; }
  /// Answers the server's ack with `args`. Errors: invalid_state (no ack asked, answered
  /// already, the namespace no longer connected), the encoder's, those of the Engine.IO send.
  template <class... A>
  errc ack(const A&... args);

 private:
  friend class client;
  message(beast::client_socket& s, const socketio::any_packet& p) : socket_(s), packet_(p) {}
  beast::client_socket& socket_;
  const socketio::any_packet& packet_;
  bool acked_ = false;
};

/// The outcome of an emit_ack(): the server's answer, or why there is none.
class reply {
 public:
  enum class status : std::uint8_t {
    ok,            ///< the server answered: packet(), args()
    timeout,       ///< no answer within the timeout
    disconnected,  ///< the namespace disconnected (or was left) before the answer
  };
  status result() const noexcept { return status_; }
  bool ok() const noexcept { return status_ == status::ok; }
  /// The ACK (ok only; empty otherwise). A view valid during the handler (see message).
  const socketio::any_packet& packet() const noexcept { return packet_; }
  socketio::any_argument_range args() const noexcept { return packet_.arguments(); }
  /// ok: the answer's arguments as a JSON array; otherwise the failure as a JSON string
  /// ("timeout" or "disconnected").
  std::string json() const {
    if (status_ == status::timeout) return "\"timeout\"";
    if (status_ == status::disconnected) return "\"disconnected\"";
    std::string out;
    append_json_args(out, packet_);
    return out;
  }

 private:
  friend class client;
  reply(status s, const socketio::any_packet& p) : status_(s), packet_(p) {}
  status status_;
  const socketio::any_packet& packet_;
};

using message_handler = std::function<void(message&)>;
using reply_handler = std::function<void(const reply&)>;

/// One namespace of a client (socket.io-client's `io.socket(nsp)`). Obtained from
/// client::socket(); a reference stays valid as long as the client.
class client_socket {
 public:
  client_socket(const client_socket&) = delete;
  client_socket& operator=(const client_socket&) = delete;

  /// Handler of event `name` (replaces an earlier one).
  void on(std::string name, message_handler h) { handlers_[std::move(name)] = std::move(h); }
  /// Handler of the events without a handler of their own.
  void on_any(message_handler h) { any_ = std::move(h); }
  /// The namespace is connected (again, after a reconnection): id() is set.
  void on_connect(std::function<void()> h) { on_connect_ = std::move(h); }
  /// The namespace disconnected: the reference's reason ("io server disconnect", "transport
  /// close", "ping timeout", ...). Unless the server or we ended it, it is joined again on
  /// reconnection.
  void on_disconnect(std::function<void(std::string_view reason)> h) {
    on_disconnect_ = std::move(h);
  }
  /// The server refused the namespace: its data as JSON (CONNECT_ERROR {message, data}), or
  /// "" when the Engine.IO session could not be opened (then it is retried).
  void on_connect_error(std::function<void(std::string_view json)> h) {
    on_connect_error_ = std::move(h);
  }

  /// Emits event `name` with `args` (anything arg_traits writes: numbers, strings, byte_view
  /// for binary attachments, raw_json, containers...). Not connected: buffered by the engine
  /// (bounded) until it is. Errors: those of socketio::client::emit() (invalid_state: left or
  /// closed; queue_full; the encoder's).
  template <class... A>
  errc emit(std::string_view name, const A&... args);
  /// emit() asking for an ack: `done` runs exactly once, with the answer, a timeout after
  /// `timeout_ms` (0: none) or the namespace's disconnection.
  template <class... A>
  errc emit_ack(socketio::millis timeout_ms, reply_handler done, std::string_view name,
                const A&... args);
  /// Leaves the namespace (DISCONNECT). Leaving the last one closes the Engine.IO session
  /// without reconnection, as the reference's Manager does.
  void leave();

  const std::string& nsp() const noexcept { return nsp_; }
  bool connected() const noexcept { return connected_; }
  /// The socket id of the current connection ("" when not connected).
  const std::string& id() const noexcept { return sid_; }

 private:
  friend class client;
  friend class message;
  client_socket(client& c, std::string nsp) : client_(c), nsp_(std::move(nsp)) {}

  client& client_;
  std::string nsp_, sid_;
  bool connected_ = false;
  std::map<std::string, message_handler, std::less<>> handlers_;
  message_handler any_;
  std::function<void()> on_connect_;
  std::function<void(std::string_view)> on_disconnect_;
  std::function<void(std::string_view)> on_connect_error_;
  std::map<std::uint64_t, reply_handler> acks_;
};

/// A Socket.IO client: one Engine.IO session at a time (reconnected by the engine) and its
/// namespaces. Not copyable or movable (its handlers point at it). Destroying it drops every
/// connection at once, without DISCONNECT: call close() and let io.run() finish for a clean end.
class client {
 public:
  /// Connects to `url` (http, ws; https and wss need the TLS constructor). Nothing happens
  /// before io.run(): handlers and namespaces set up right after construction see everything.
  /// A bad URL, or a host that does not resolve, is reported by on_error() and on_close().
  client(boost::asio::io_context& io, std::string_view url, client_options opts = {})
      : io_(io),
        opts_(prepare(std::move(opts))),
        engine_(opts_.engine),
        resolver_(io),
        net_(io, *this, [this] { pump(); }) {
    start(url);
  }
#if SIOCODEC_BEAST_SSL
  /// Connects over TLS when the URL says https or wss, with `tls` (which must outlive the
  /// client) deciding what is verified: set_verify_mode(ssl::verify_peer) and the CA
  /// certificates for a real check; the host name is checked against the certificate then.
  client(boost::asio::io_context& io, std::string_view url, boost::asio::ssl::context& tls,
         client_options opts = {})
      : io_(io),
        opts_(prepare(std::move(opts))),
        engine_(opts_.engine),
        resolver_(io),
        net_(io, *this, [this] { pump(); }) {
    net_.settings().ep.tls = &tls;
    start(url);
  }
#endif
  client(const client&) = delete;
  client& operator=(const client&) = delete;
  ~client() { resolver_.cancel(); }

  /// The namespace `nsp` ("" : the URL's path, "/" when it had none), joined now (its CONNECT
  /// goes out once the session is open). Errors are reported by on_error() (invalid namespace,
  /// too many namespaces: client_options::engine.max_namespaces).
  beast::client_socket& socket(std::string_view nsp = {}) {
    return join(nsp, [&](std::string_view n) { return engine_.join(n, now()); });
  }
  /// socket() with an auth payload (protocol v5: anything arg_traits writes as an object, e.g.
  /// raw_json(R"({"token":"x"})")), sent again on every re-join.
  template <class Auth>
  beast::client_socket& socket(std::string_view nsp, const Auth& auth) {
    return join(nsp, [&](std::string_view n) { return engine_.join(n, auth, now()); });
  }

  /// socket() for protocol v4 (Engine.IO v3, socket.io 2.x), whose CONNECT has no payload:
  /// `query` (already percent-encoded, `k=v&...`) goes into the CONNECT (`0/nsp?query,`) and
  /// every re-join, as socket.io-client 2.x's `query` option. Errors as socket() (the engine's
  /// join_query(): invalid_argument on protocol v5).
  beast::client_socket& socket_query(std::string_view nsp, std::string_view query) {
    return join(nsp, [&](std::string_view n) { return engine_.join_query(n, query, now()); });
  }

  /// Transport and setup failures, in words (for logging): the client goes on (reconnects).
  void on_error(std::function<void(std::string_view what)> h) { on_error_ = std::move(h); }
  /// The client is closed for good (close(), reconnection exhausted or off, a bad URL):
  /// `reason` is "io client disconnect" after close() or a setup failure, otherwise why the last
  /// Engine.IO session ended ("transport close", "ping timeout", "parse error"...); last_error()
  /// says more.
  void on_close(std::function<void(std::string_view reason)> h) { on_close_ = std::move(h); }
  /// Every engine event, before the socket handlers see it (reconnect_attempt, engine open /
  /// upgrade / close...): for logging and tests. A view valid during the call only.
  void on_engine_event(std::function<void(const socketio::client_event&)> h) {
    on_engine_event_ = std::move(h);
  }

  /// Runs once the events of an input have been dispatched, before what they ask for is sent:
  /// where a program that reacts to several events together (a script, a state machine) acts.
  /// Emitting, joining or leaving there is safe (the event views are gone) and goes out with
  /// the answers to the same input. A join there reaches the engine before it acts on the
  /// state the input left (e.g. closing a session whose last namespace was just refused).
  void on_dispatched(std::function<void()> h) { on_dispatched_ = std::move(h); }

  /// Leaves every namespace (DISCONNECTs are sent) and closes the session for good; io.run()
  /// returns once the last bytes are out. Over polling with a POST in flight, the close waits
  /// for its answer, so that the DISCONNECTs and the Engine.IO close leave in one last POST.
  void close() {
    closed_by_us();
    close_wanted_ = true;
    pump();
  }

  /// The engine, for what this adapter does not wrap (engine().engine().transport()...).
  const socketio::client& engine() const noexcept { return engine_; }
  /// Why the last Engine.IO session ended, in words ("" when it ended cleanly or by close()):
  /// `websocket message: <errc> at offset N` or `polling body: ...` for input the decoder
  /// refused (the errc's name and the byte offset in that frame or body), "no ping from the
  /// server in time" (protocol v5; v4: "no pong ...") for a heartbeat timeout, and the
  /// transport's own words for a transport failure. For on_close() and logging.
  const std::string& last_error() const noexcept { return last_error_; }
  /// False once closed for good.
  bool is_open() const noexcept { return engine_.is_open() && !failed_; }
  /// Bytes the current WebSocket holds unsent (0 without one).
  std::size_t queued_bytes() const noexcept { return net_.queued_bytes(); }

  /// steady_clock in milliseconds: the engine's clock.
  static socketio::millis now() {
    const auto d = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now().time_since_epoch());
    return static_cast<socketio::millis>(d.count());
  }

 private:
  friend class beast::client_socket;
  friend class message;
  friend class detail::client_io<client>;
  using tcp = detail::tcp;

  static client_options prepare(client_options o) {
    o.engine.reconnect = o.reconnect;
    o.engine.engine.initial = o.transports == transports::websocket
                                  ? engineio::transport_kind::websocket
                                  : engineio::transport_kind::polling;
    o.engine.engine.upgrade = o.transports == transports::polling_then_websocket;
    return o;
  }

  void start(std::string_view u) {
    const bool ok = parse_url(u, url_);
    base_nsp_ = url_.path;
    if (!ok) return fail_later("bad URL: " + std::string(u));
#if SIOCODEC_BEAST_SSL
    if (url_.tls && !net_.settings().ep.tls) {
      return fail_later("an https/wss URL needs an ssl::context");
    }
#else
    if (url_.tls) return fail_later("https/wss needs SIOCODEC_BEAST_SSL=1 and an ssl::context");
#endif
    detail::client_io_settings& io = net_.settings();
    io.ep.host = url_.host;
    const bool default_port = url_.port == (url_.tls ? "443" : "80");
    io.ep.host_header = default_port ? url_.host : url_.host + ":" + url_.port;
    io.ep.connect_timeout = opts_.connect_timeout;
    io.ep.user_agent = opts_.user_agent;
    io.path = opts_.path;
    io.query = url_.query;
    io.tls = url_.tls;
    io.max_payload = opts_.engine.engine.decode.max_payload;
    io.max_send_queue = opts_.max_send_queue_bytes;
    resolver_.async_resolve(url_.host, url_.port,
                            [this](boost::system::error_code ec, tcp::resolver::results_type r) {
                              if (ec == boost::asio::error::operation_aborted) return;
                              if (ec)
                                return fail("cannot resolve " + url_.host + ": " + ec.message());
                              net_.settings().ep.endpoints = std::move(r);
                              std::uint64_t seed = opts_.seed;
                              if (seed == 0) {
                                std::random_device rd;
                                seed = (std::uint64_t{rd()} << 32) ^ rd() ^ 1u;
                              }
                              (void)engine_.open(now(), seed);  // fails only when called twice
                              pump();
                            });
  }

  template <class Join>
  beast::client_socket& join(std::string_view nsp, Join&& do_join) {
    const std::string n = nsp.empty() ? base_nsp_ : std::string(nsp);
    auto it = sockets_.find(n);
    if (it == sockets_.end()) {
      it =
          sockets_
              .emplace(n, std::unique_ptr<beast::client_socket>(new beast::client_socket(*this, n)))
              .first;
    }
    const errc e = do_join(n);
    if (e != errc::none) report("cannot join " + n + ": " + siocodec_to_string(e));
    pump();
    return *it->second;
  }

  static std::string siocodec_to_string(errc e) { return ::SIOCODEC_NAMESPACE::to_string(e); }

  void report(const std::string& what) {
    if (on_error_) on_error_(what);
  }

  // A setup failure (bad URL, no resolution): reported from a handler, as everything else.
  void fail_later(std::string what) {
    boost::asio::post(io_, [this, what = std::move(what)] { fail(what); });
  }
  void fail(const std::string& what) {
    failed_ = true;
    report(what);
    engine_.close(now());
    pump();
    if (on_close_) on_close_("io client disconnect");
  }

  beast::client_socket* find(std::string_view nsp) {
    const auto it = sockets_.find(nsp);
    return it == sockets_.end() ? nullptr : it->second.get();
  }

  // Drains the engine: events to the handlers, transmits to the channels, the timer to the next
  // deadline. Handlers call back in (emit, ack): a nested call only asks for another round.
  void pump() {
    if (pumping_) {
      again_ = true;
      return;
    }
    pumping_ = true;
    do {
      again_ = false;
      while (const auto e = engine_.poll_event()) {
        dispatch(*e);
        if (stop_) {  // after dispatch: the views of `e` are no longer used
          stop_ = false;
          engine_.close(now());
        }
      }
      if (on_dispatched_) on_dispatched_();  // a nested pump() asks for another round
      if (close_wanted_ && (!post_in_flight_ || !engine_.engine().is_open() ||
                            engine_.engine().transport() == engineio::transport_kind::websocket)) {
        close_wanted_ = false;
        engine_.close(now());
        again_ = true;  // its disconnect events
        continue;
      }
      net_.flush();
    } while (again_);
    pumping_ = false;
    if (!engine_.is_open()) {
      // Closed for good: once the last POST (DISCONNECTs) is answered, nothing is left to run.
      if (!net_.post_busy()) net_.shutdown();
      if (!closed_reported_) {
        closed_reported_ = true;
        if (!failed_ && on_close_) on_close_(last_reason_);
      }
    }
  }

  void dispatch(const socketio::client_event& e) {
    using k = socketio::client_event_kind;
    if (on_engine_event_) on_engine_event_(e);
    beast::client_socket* s = e.kind == k::engine || e.kind == k::reconnect_attempt ||
                                      e.kind == k::reconnect || e.kind == k::reconnect_failed
                                  ? nullptr
                                  : find(e.nsp);
    switch (e.kind) {
      case k::connect:
        if (!s) return;
        s->sid_ = std::string(e.sid);
        s->connected_ = true;
        if (s->on_connect_) s->on_connect_();
        return;
      case k::connect_error:
        if (s && s->on_connect_error_) {
          std::string data;
          if (!e.session_failed && e.packet.data().exists()) append_json(data, e.packet.data());
          s->on_connect_error_(data);
        }
        return;
      case k::event: {
        if (!s) return;
        message m(*s, e.packet);
        scratch_.clear();
        const socketio::any_value name = e.packet.event_name();
        if (name.is_string()) (void)name.append_string(scratch_);
        const auto it = s->handlers_.find(scratch_);
        if (it != s->handlers_.end()) {
          if (it->second) it->second(m);
        } else if (s->any_) {
          s->any_(m);
        }
        return;
      }
      case k::ack:
      case k::ack_timeout:
      case k::ack_disconnected: {
        if (!s) return;
        const auto it = s->acks_.find(e.ack_id);
        if (it == s->acks_.end()) return;
        reply_handler h = std::move(it->second);
        s->acks_.erase(it);
        const reply::status st = e.kind == k::ack           ? reply::status::ok
                                 : e.kind == k::ack_timeout ? reply::status::timeout
                                                            : reply::status::disconnected;
        if (h) h(reply(st, e.packet));
        return;
      }
      case k::disconnect:
        if (!by_us_) last_reason_ = socketio::to_string(e.reason);
        if (e.reason == socketio::disconnect_reason::parse_error) stop_on_parse_error();
        if (!s) return;
        s->connected_ = false;
        s->sid_.clear();
        if (s->on_disconnect_) s->on_disconnect_(last_reason_);
        return;
      case k::engine:
        if (e.engine_event.kind == engineio::event_kind::close) {
          ++gen_;
          net_.session_ended();
          on_engine_close(e.engine_event);
        }
        return;
      case k::reconnect_attempt:
      case k::reconnect:
      case k::reconnect_failed: return;
    }
  }

  // What detail::client_io asks of its session (see there).
  std::optional<engineio::client_transmit> poll_transmit() {
    auto t = engine_.poll_transmit();
    if (t && t->action == engineio::client_action::post) post_in_flight_ = true;
    return t;
  }
  std::optional<std::chrono::steady_clock::time_point> next_deadline() const {
    const socketio::millis d = engine_.next_deadline();
    if (d == engineio::no_deadline) return std::nullopt;
    return std::chrono::steady_clock::time_point(std::chrono::milliseconds(d));
  }
  std::uint64_t generation() const noexcept { return gen_; }
  void on_ws_open() { engine_.handle_ws_open(now()); }
  void on_ws_message(std::string_view data, bool binary) {
    input_ = "websocket message";
    engine_.handle_ws_message(binary ? engineio::frame_kind::binary : engineio::frame_kind::text,
                              data, now());
  }
  void on_ws_closed(bool error, std::string_view what) {
    if (!what.empty()) report(std::string(what));
    transport_error_ = std::string(what);
    engine_.handle_ws_closed(now(), error);
    pump();  // the close event reads transport_error_, kept for this call only
    transport_error_.clear();
  }
  void on_get_response(std::string_view body, bool octet, std::uint64_t gen) {
    if (gen != gen_) return;  // the GET of an Engine.IO session already gone
    input_ = "polling body";
    engine_.handle_get_response(octet ? engineio::frame_kind::binary : engineio::frame_kind::text,
                                body, now());
  }
  void on_post_response(std::uint64_t gen) {
    if (gen != gen_) return;
    post_in_flight_ = false;
    engine_.handle_post_response(now());
  }
  void on_http_error(engineio::client_action request, std::string_view what, std::uint64_t gen) {
    if (gen != gen_) return;
    if (request == engineio::client_action::post) post_in_flight_ = false;
    report(std::string(what));
    transport_error_ = std::string(what);
    engine_.handle_http_error(request, now());
    pump();
    transport_error_.clear();
  }
  void on_timer() { engine_.handle_timeout(now()); }

  // The end is the application's, whatever ended an earlier Engine.IO session.
  void closed_by_us() {
    by_us_ = true;
    last_reason_ = "io client disconnect";
    last_error_.clear();
  }

  void stop_on_parse_error() {
    if (opts_.reconnect_on_parse_error || by_us_) return;
    if (!stopped_) stop_ = true;
    stopped_ = true;
    last_reason_ = "parse error";
  }

  // Why the Engine.IO session ended, in the words of last_error(); failures of a failed
  // upgrade probe close nothing, so transport_error_ lives for the reporting call only.
  void on_engine_close(const engineio::event& e) {
    post_in_flight_ = false;
    // close() is ours; so is the close that follows a parse error we stopped at.
    if (by_us_ || (stopped_ && e.reason == engineio::close_reason::forced_close)) return;
    last_reason_ = socketio::to_string(socketio::from_engine(e.reason, true));
    last_error_.clear();
    if (e.error != errc::none) {
      last_error_ =
          input_ + ": " + siocodec_to_string(e.error) + " at offset " + std::to_string(e.offset);
    } else if (e.reason == engineio::close_reason::ping_timeout) {
      last_error_ = opts_.engine.engine.version == engineio::protocol_version::v4
                        ? "no ping from the server in time"
                        : "no pong from the server in time";
    } else if (e.reason == engineio::close_reason::transport_error ||
               e.reason == engineio::close_reason::transport_close) {
      last_error_ = transport_error_;
    }
    if (!last_error_.empty()) report("engine.io session closed: " + last_error_);
    if (e.reason == engineio::close_reason::parse_error) stop_on_parse_error();
  }

  boost::asio::io_context& io_;
  client_options opts_;
  socketio::client engine_;
  tcp::resolver resolver_;
  detail::client_io<client> net_;
  url url_;
  std::string base_nsp_ = "/";
  std::map<std::string, std::unique_ptr<beast::client_socket>, std::less<>> sockets_;
  std::uint64_t gen_ = 0;  // Engine.IO sessions ended: a late HTTP answer of an old one is dropped
  std::function<void(std::string_view)> on_error_, on_close_;
  std::function<void(const socketio::client_event&)> on_engine_event_;
  std::function<void()> on_dispatched_;
  std::string last_reason_ = "io client disconnect";
  std::string scratch_;
  std::string last_error_, transport_error_;
  std::string input_ = "input";  // what the engine was last fed, for last_error()
  bool pumping_ = false, again_ = false, failed_ = false, closed_reported_ = false;
  bool by_us_ = false;  // close() or a setup failure: the end is "io client disconnect"
  bool stop_ = false;   // a parse error without reconnect_on_parse_error: close after dispatch
  bool stopped_ = false;
  bool close_wanted_ = false;    // close() waits for the POST in flight
  bool post_in_flight_ = false;  // a POST handed to the I/O and not yet answered
};

template <class... A>
errc client_socket::emit(std::string_view name, const A&... args) {
  const auto r = client_.engine_.emit(socketio::event(name, args...).nsp(nsp_), client::now());
  client_.pump();
  return r ? errc::none : r.error();
}

template <class... A>
errc client_socket::emit_ack(socketio::millis timeout_ms, reply_handler done, std::string_view name,
                             const A&... args) {
  socketio::emit_options o;
  o.want_ack = true;
  o.ack_timeout = timeout_ms;
  const auto r = client_.engine_.emit(socketio::event(name, args...).nsp(nsp_), client::now(), o);
  if (!r) return r.error();
  acks_[*r] = std::move(done);
  client_.pump();
  return errc::none;
}

inline void client_socket::leave() {
  (void)client_.engine_.leave(nsp_, client::now());
  client_.pump();
}

template <class... A>
errc message::ack(const A&... args) {
  if (!wants_ack()) return errc::invalid_state;
  acked_ = true;
  const errc e = socket_.client_.engine_.send(
      socketio::ack(*packet_.id(), args...).nsp(socket_.nsp_), client::now());
  socket_.client_.pump();
  return e;
}

}  // namespace beast
}  // namespace adapters
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_ADAPTERS_BEAST_CLIENT_HPP
