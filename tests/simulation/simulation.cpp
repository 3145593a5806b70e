// SPDX-License-Identifier: BSL-1.0
// Deterministic simulation of the Engine.IO engines (issue 21, docs/testing.md "Simulation").
//
// One engineio::client and one engineio::server_session (routed with request.hpp) talk through a
// simulated network under a virtual clock. Everything random comes from one seeded PRNG, so a
// seed is a complete replay: `siocodec_simulation --seed N --trace`.
//
// The network does what real transports do: an HTTP request and its response travel with
// independent delays (a POST can overtake a GET), a WebSocket is an ordered stream with delay.
// Faults: a connection reset mid-request, a WebSocket broken with an error, a peer whose
// transmits vanish from some time on (it stops answering), each side's clock stepping forward or
// back. After every step the invariants below are checked; the first violation ends the run with
// the seed and the step.
//
//   - each message is delivered at most once, in the order sent, byte for byte and of its kind;
//     in a run where nobody closed, every accepted message is delivered by the end; so is every
//     message of the client in a run without faults where its application closed it over
//     polling and it ended with forced_close (engine.io-client's close() waits for "drain");
//   - a side whose peer went silent (dead, or closed) closes within pingInterval + pingTimeout
//     (+ one tick) of the last thing it received from that peer, measured on its own clock;
//     so one close leads to both closes, each with a reason;
//   - a run without faults and without close keeps the session up; an upgrade offered and
//     enabled completes;
//   - next_deadline() is never below the highest `now` given; no event after the close event and
//     no transmit after the step that closed; at most one GET and one POST in flight from the
//     client, at most one GET held by the server, every POST answered; no queue over its limit.
#include <siocodec/base64.hpp>
#include <siocodec/engineio/client.hpp>
#include <siocodec/engineio/decode.hpp>
#include <siocodec/engineio/engine_types.hpp>
#include <siocodec/engineio/payload_reader.hpp>
#include <siocodec/engineio/request.hpp>
#include <siocodec/engineio/server.hpp>

#include <algorithm>
#include <cinttypes>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace eio = siocodec::engineio;
using eio::millis;
using siocodec::errc;

// --- randomness: splitmix64, small and exactly reproducible everywhere -------------------------
class prng {
 public:
  explicit prng(std::uint64_t seed) noexcept : state_(seed) {}
  std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, n) (the modulo bias is irrelevant at these sizes).
  std::uint64_t below(std::uint64_t n) noexcept { return n == 0 ? 0 : next() % n; }
  /// Uniform in [lo, hi].
  std::uint64_t range(std::uint64_t lo, std::uint64_t hi) noexcept {
    return hi <= lo ? lo : lo + below(hi - lo + 1);
  }
  bool percent(unsigned p) noexcept { return below(100) < p; }
  bool per_mille(unsigned p) noexcept { return below(1000) < p; }

 private:
  std::uint64_t state_;
};

constexpr millis never = eio::no_deadline;

enum class who : std::uint8_t { client = 0, server = 1 };
constexpr std::size_t ix(who w) noexcept { return static_cast<std::size_t>(w); }
constexpr who peer_of(who w) noexcept { return w == who::client ? who::server : who::client; }
constexpr const char* name_of(who w) noexcept { return w == who::client ? "client" : "server"; }

bool g_trace = false;

void trace(const char* fmt, ...) {
  if (!g_trace) return;
  std::va_list ap;
  va_start(ap, fmt);
  std::vfprintf(stdout, fmt, ap);
  va_end(ap);
}

/// Bytes for a trace line: printable ASCII kept, the rest escaped, long bodies cut.
std::string shown(std::string_view bytes) {
  std::string out;
  const std::size_t limit = 72;
  for (std::size_t i = 0; i < bytes.size() && i < limit; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned>(c));
      out += hex;
    }
  }
  if (bytes.size() > limit) out += "...(" + std::to_string(bytes.size()) + " bytes)";
  return out;
}

// --- the application's messages: numbered, regenerated for checking ---------------------------
struct msg_record {
  bool binary = false;
  bool wide = false;  // text with 2-, 3- and 4-byte UTF-8 characters (v3 counts UTF-16 units)
  std::size_t size = 0;
};

/// The bytes of message `seq` from `from`: a header "c17|" then filler, `size` bytes in all,
/// always valid UTF-8 for text (the record separator 0x1E never appears in text).
void make_message(std::string& out, who from, std::size_t seq, const msg_record& m) {
  out.clear();
  std::string head = (from == who::client ? "c" : "s") + std::to_string(seq) + "|";
  static const char* const wide_chars[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
  std::size_t i = 0;
  while (out.size() < m.size) {
    if (i < head.size()) {
      out.push_back(head[i]);
    } else if (m.binary) {
      out.push_back(static_cast<char>(static_cast<unsigned char>((seq * 131 + i * 7) & 0xffu)));
    } else {
      const std::size_t k = (seq * 31 + i * 17) % 40;
      if (m.wide && k < 3 && out.size() + std::strlen(wide_chars[k]) <= m.size) {
        out += wide_chars[k];
      } else {
        out.push_back(static_cast<char>('a' + static_cast<char>(k % 26)));
      }
    }
    ++i;
  }
}

// --- the network --------------------------------------------------------------------------------
enum class ev_kind : std::uint8_t {
  req_arrive,   // request `id` reaches the server
  resp_arrive,  // the response of request `id` reaches the client
  req_fail,     // the client learns that request `id` failed
  req_reset,    // fault: the connection of request `id` is reset now
  ws_connect,   // the WebSocket `id`'s upgrade request reaches the server
  ws_item,      // an item of WebSocket `id` reaches `to`
  ws_fail,      // `to` learns that WebSocket `id` broke
  ws_break,     // fault: WebSocket `id` breaks now
  peer_dies,    // fault: `to` stops answering (its transmits vanish)
  clock_step,   // fault: `to`'s clock steps by `delta`
  app_send,     // `to`'s application sends a burst
  app_close,    // `to`'s application calls close()
};

enum class ws_item_kind : std::uint8_t { opened, message, close };

struct net_event {
  millis at = 0;
  std::uint64_t order = 0;  // insertion order: equal times keep their order (ws streams)
  ev_kind kind = ev_kind::req_arrive;
  who to = who::client;
  std::size_t id = 0;
  ws_item_kind item = ws_item_kind::message;
  eio::frame_kind fkind = eio::frame_kind::text;
  std::string bytes;
  std::int64_t delta = 0;
};

struct later {
  bool operator()(const net_event& a, const net_event& b) const noexcept {
    return a.at != b.at ? a.at > b.at : a.order > b.order;
  }
};

enum class req_state : std::uint8_t { to_server, held, to_client, done };

struct http_req {
  eio::client_action action = eio::client_action::get;
  std::string query;
  eio::frame_kind body_kind = eio::frame_kind::text;
  std::string body;
  req_state state = req_state::to_server;
  bool failed = false;  // reset: the client is (or will be) told it failed
  unsigned status = 0;
  eio::frame_kind resp_kind = eio::frame_kind::text;
  std::string resp_body;
};

struct ws_conn {
  std::string query;
  bool broken = false;
  bool refused = false;
  bool accepted = false;     // the server took it (handshake or probe)
  bool sent_close[2] = {};   // each side's ws_close (or its glue's abrupt close)
  bool told_closed[2] = {};  // each side was given handle_ws_closed
  bool client_told_open = false;
  millis last_at[2] = {};  // FIFO per direction: index = recipient
};

// --- one run ------------------------------------------------------------------------------------
struct run_config {
  eio::protocol_version version = eio::protocol_version::v4;
  eio::transport_kind initial = eio::transport_kind::polling;
  bool upgrade = true;
  bool allow_upgrades = true;
  bool supports_binary = true;
  std::uint32_t ping_interval = 1000;
  std::uint32_t ping_timeout = 1000;
  std::uint32_t upgrade_timeout = 10000;
  std::size_t max_payload = 1000000;
  std::size_t max_message = 4096;
  // The engines' defaults unless drawn small.
  std::size_t queue_messages[2] = {eio::client_options{}.max_queued_messages,
                                   eio::server_options{}.max_queued_messages};
  std::size_t queue_bytes[2] = {eio::client_options{}.max_queued_bytes,
                                eio::server_options{}.max_queued_bytes};
  millis dmin = 1, dmax = 10;
  millis duration = 5000;        // app actions stop then
  millis send_gap = 100;         // mean gap between app sends
  millis client_send_gap = 100;  // the client's: at most a third of what polling carries
  bool binary = true;
  bool long_idle = false;
  // faults
  bool faulty = false;
  unsigned p_req_reset = 0;  // per mille of requests
  unsigned p_ws_break = 0;   // per mille of WebSockets
  unsigned p_jitter = 0;     // per mille of calls given a `now` stepped back
  millis die_at[2] = {never, never};
  std::vector<std::pair<millis, std::pair<who, std::int64_t>>> clock_steps;
  millis close_at[2] = {never, never};
  std::int64_t base_clock[2] = {0, 0};
};

run_config random_config(prng& r) {
  run_config c;
  c.version = r.percent(50) ? eio::protocol_version::v4 : eio::protocol_version::v3;
  c.initial = r.percent(70) ? eio::transport_kind::polling : eio::transport_kind::websocket;
  c.upgrade = r.percent(80);
  c.allow_upgrades = r.percent(80);
  c.supports_binary = c.version == eio::protocol_version::v4 || r.percent(60);
  c.long_idle = r.percent(3);
  if (c.long_idle) {
    // The liveness run of the brief: 30 s of virtual time at pingInterval 1 s, no fault.
    c.ping_interval = 1000;
    c.ping_timeout = static_cast<std::uint32_t>(r.range(200, 1000));
    c.duration = 30000;
    c.send_gap = 3000;
  } else {
    c.ping_interval = static_cast<std::uint32_t>(r.range(50, 2000));
    c.ping_timeout = static_cast<std::uint32_t>(r.range(50, 2000));
    c.duration = r.range(500, 6000);
    c.send_gap = r.range(5, 400);
  }
  // Delays stay well under pingTimeout: a ping can wait for the next GET, and its pong for the
  // POST in flight, about six one-way delays, and a fault-free run must not time out.
  const millis cap = std::max<millis>(1, c.ping_timeout / 10);
  c.dmax = std::min<millis>(cap, r.range(1, 120));
  c.dmin = r.range(0, c.dmax);
  c.upgrade_timeout =
      static_cast<std::uint32_t>(std::max<millis>(r.range(200, 10000), 30 * c.dmax + 100));
  if (r.percent(25)) c.max_payload = r.range(200, 6000);
  // One message must fit a POST on its own, even as base64 with its framing.
  c.max_message = std::min<std::size_t>(4096, c.max_payload / 2 - 16);
  c.binary = r.percent(80);
  // Polling carries at most one POST of maxPayload bytes per round trip from the client, and its
  // pong waits behind the messages queued before it: an application sending faster than that
  // delays the pong past pingTimeout, a ping timeout the reference would have too. A fault-free
  // run must not be an overloaded one, so the client's sends stay under a third of the capacity
  // (about 3 messages per action, of 32 + (256 or cap / 4) + cap / 40 bytes, base64 and framing
  // counted as 1.5).
  const double cap_bytes = static_cast<double>(c.max_message);
  const double per_action =
      3.0 * 1.5 * (32.0 + std::min(256.0, cap_bytes / 4.0) + cap_bytes / 40.0);
  const double round_trip = 2.0 * static_cast<double>(c.dmax) + 2.0;
  const double min_gap = 3.0 * per_action * round_trip / static_cast<double>(c.max_payload);
  c.client_send_gap = std::max<millis>(c.send_gap, static_cast<millis>(min_gap));
  for (std::size_t s = 0; s < 2; ++s) {
    if (r.percent(10)) c.queue_messages[s] = r.range(4, 64);
    if (r.percent(10)) c.queue_bytes[s] = r.range(c.max_message + 1, std::uint64_t{64} * 1024);
  }
  // The epoch is the caller's: sometimes near 0, sometimes far out.
  for (std::size_t s = 0; s < 2; ++s) {
    c.base_clock[s] =
        static_cast<std::int64_t>(r.percent(50) ? r.range(0, 1000) : r.range(1000, 1ull << 50));
  }
  if (!c.long_idle && r.percent(45)) {
    c.faulty = true;
    if (r.percent(50)) c.p_req_reset = static_cast<unsigned>(r.range(5, 150));
    if (r.percent(40)) c.p_ws_break = static_cast<unsigned>(r.range(50, 600));
    if (r.percent(30)) c.p_jitter = static_cast<unsigned>(r.range(5, 100));
    if (r.percent(35)) c.die_at[r.below(2)] = r.range(0, c.duration);
    if (r.percent(30)) {
      const std::uint64_t n = r.range(1, 3);
      for (std::uint64_t i = 0; i < n; ++i) {
        const who w = r.percent(50) ? who::client : who::server;
        const millis span = c.ping_interval + c.ping_timeout;
        const std::int64_t d = r.percent(50) ? static_cast<std::int64_t>(r.range(1, 3 * span))
                                             : -static_cast<std::int64_t>(r.range(1, 2 * span));
        c.clock_steps.push_back({r.range(0, c.duration), {w, d}});
      }
    }
  }
  if (!c.long_idle && r.percent(20)) c.close_at[r.below(2)] = r.range(0, c.duration);
  return c;
}

eio::client_options client_options(const run_config& cfg) {
  eio::client_options co;
  co.version = cfg.version;
  co.initial = cfg.initial;
  co.upgrade = cfg.upgrade;
  co.supports_binary = cfg.supports_binary;
  co.max_queued_messages = cfg.queue_messages[ix(who::client)];
  co.max_queued_bytes = cfg.queue_bytes[ix(who::client)];
  return co;
}

struct side_state {
  bool opened = false;
  bool closed = false;
  bool upgraded = false;
  bool forced_close_called = false;
  bool polling_close = false;  // the client's close() came over polling (it drains its queue)
  eio::close_reason reason = eio::close_reason::forced_close;
  std::size_t closed_step = 0;
  millis max_now = 0;         // the highest `now` given to the engine (its clamped clock)
  std::int64_t offset = 0;    // engine clock = real + offset
  millis dead_from = never;   // real time from which its transmits vanish
  bool arrived = false;       // something from the peer arrived
  millis last_heartbeat = 0;  // on this side's clock, when its heartbeat was last reset
  millis jumped = 0;          // forward clock steps since: a timer due in one runs late
  std::size_t same_time_timeouts = 0;
  bool queue_full_seen = false;
  std::vector<msg_record> sent;  // messages this side's send() accepted
  std::size_t sent_bytes = 0;    // their sizes
  std::size_t delivered = 0;     // of them, how many the peer received
  std::string scratch;
  std::string decoded;
};

struct stats {
  std::uint64_t runs = 0, faulty = 0, closed_runs = 0, upgrades = 0, messages = 0, steps = 0;
  std::uint64_t drained_closes = 0;  // graceful polling closes whose messages all arrived
  std::uint64_t reasons[8] = {};
};

class world {
 public:
  world(std::uint64_t seed, stats& st)
      : seed_(seed),
        rng_(seed ^ 0x51D5C0DECull),
        cfg_(random_config(rng_)),
        stats_(st),
        client_(client_options(cfg_)) {
    for (std::size_t s = 0; s < 2; ++s) side_[s].offset = cfg_.base_clock[s];
    for (std::size_t s = 0; s < 2; ++s) side_[s].dead_from = cfg_.die_at[s];
  }

  /// Runs to the end; returns false on the first violation (already printed).
  bool run();

 private:
  // clocks --------------------------------------------------------------------------------------
  millis engine_time(who w, millis real) const noexcept {
    const std::int64_t e = static_cast<std::int64_t>(real) + side_[ix(w)].offset;
    return e < 0 ? 0 : static_cast<millis>(e);
  }
  /// The `now` for a call into w's engine; sometimes stepped back (the engine must clamp).
  millis now_for(who w, bool jitter = true) {
    millis e = engine_time(w, now_);
    if (jitter && cfg_.p_jitter != 0 && rng_.per_mille(cfg_.p_jitter)) {
      const millis back = rng_.range(1, 500);
      e = e > back ? e - back : 0;
    }
    side_state& s = side_[ix(w)];
    s.max_now = std::max(s.max_now, e);
    return e;
  }
  /// A deadline on w's clock as real time.
  millis real_of(who w, millis deadline) const noexcept {
    if (deadline == never) return never;
    const std::int64_t r = static_cast<std::int64_t>(deadline) - side_[ix(w)].offset;
    return r < static_cast<std::int64_t>(now_) ? now_ : static_cast<millis>(r);
  }
  millis delay() { return rng_.range(cfg_.dmin, cfg_.dmax); }
  bool dead(who w) const noexcept { return now_ >= side_[ix(w)].dead_from; }
  bool has_engine(who w) const noexcept { return w == who::client ? true : server_.has_value(); }
  millis deadline_of(who w) const noexcept {
    if (w == who::client) return client_.next_deadline();
    return server_ ? server_->next_deadline() : never;
  }

  void schedule(net_event e) {
    e.order = order_++;
    queue_.push(std::move(e));
  }
  void post(ev_kind kind, millis at, std::size_t id = 0, who to = who::client) {
    net_event e;
    e.kind = kind;
    e.at = at;
    e.id = id;
    e.to = to;
    schedule(std::move(e));
  }

  bool fail(const char* fmt, ...);

  // the steps -------------------------------------------------------------------------------------
  void process(const net_event& e);
  /// Something from the peer reached `w`; `heartbeat`: a packet that resets w's heartbeat.
  void arrival(who w, bool heartbeat = false) {
    side_state& s = side_[ix(w)];
    s.arrived = true;
    if (heartbeat) heartbeat_now(w);
  }
  void heartbeat_now(who w) {
    side_state& s = side_[ix(w)];
    s.last_heartbeat = std::max(s.max_now, engine_time(w, now_));
    s.jumped = 0;
  }
  bool resets_heartbeat(who w, eio::frame_kind kind, std::string_view bytes, bool polling) const;
  eio::route_result route(std::string_view method, const eio::request_query& q, bool ws);
  bool create_session(const eio::route_result& routed);
  void server_request(std::size_t id);
  void server_ws_connect(std::size_t id);
  void ws_push(std::size_t id, who to, ws_item_kind item, eio::frame_kind kind, std::string bytes);
  void ws_closed(who w, bool error);
  void deliver_ws_item(const net_event& e);
  void request_reset(std::size_t id);
  void ws_break(std::size_t id);
  void app_send(who w);
  void app_close(who w);
  void check_query(std::string_view query, eio::transport_kind t);
  void check_body_kind(const char* what, eio::frame_kind kind);
  errc send_packet(who w, const eio::packet_view& p);
  void send_one(who w);
  void drain();
  void drain_client();
  void drain_server();
  void on_event(who w, const eio::event& ev);
  void check_message(who receiver, const eio::packet_view& p);
  void reclaim_server();
  void messages_out(eio::frame_kind kind, std::string_view bytes, bool polling);
  bool check_queues();
  bool check_step();
  bool check_silence(millis t_next);
  bool check_end();

  std::uint64_t seed_;
  prng rng_;
  run_config cfg_;
  stats& stats_;
  millis now_ = 0;
  std::size_t step_ = 0;
  bool failed_ = false;
  std::uint64_t order_ = 0;
  std::priority_queue<net_event, std::vector<net_event>, later> queue_;

  eio::client client_;
  std::optional<eio::server_session> server_;
  std::string sid_;
  bool reclaimed_ = false;
  bool handshakes_ = false;
  side_state side_[2];

  std::vector<http_req> reqs_;
  std::vector<ws_conn> wss_;
  std::size_t client_ws_ = SIZE_MAX;  // the client's WebSocket (probe or only)
  std::size_t server_ws_ = SIZE_MAX;  // the session's WebSocket
  std::size_t client_out_ = 0;        // client messages seen in its transmits
  std::size_t client_out_bytes_ = 0;  // their sizes
  std::size_t gets_in_flight_ = 0;
  std::size_t posts_in_flight_ = 0;
  std::deque<std::size_t> held_gets_;
  std::deque<std::size_t> server_posts_;
};

bool world::fail(const char* fmt, ...) {
  if (failed_) return false;
  failed_ = true;
  char what[512];
  std::va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  std::printf("FAIL seed %" PRIu64 " step %zu t=%" PRIu64 ": %s\n", seed_, step_, now_, what);
  std::printf("  replay: siocodec_simulation --seed %" PRIu64 " --trace\n", seed_);
  std::fflush(stdout);
  return false;
}

// --- server side: routing (request.hpp) and the session --------------------------------------

eio::route_result world::route(std::string_view method, const eio::request_query& q, bool ws) {
  const bool known = !q.sid.empty() && server_ && !reclaimed_ && q.sid == sid_;
  eio::route_options o;
  o.allow_eio3 = true;
  o.websocket_upgrade = ws;
  if (known) o.session = &*server_;
  return eio::route_request(method, q, known, o);
}

/// A handshake: the one session of this world, its sid from the run's randomness.
bool world::create_session(const eio::route_result& routed) {
  if (handshakes_) return fail("the client sent a second handshake");
  handshakes_ = true;
  if (routed.version != cfg_.version) {
    return fail("a handshake of protocol %u in a run of v%u", static_cast<unsigned>(routed.version),
                static_cast<unsigned>(cfg_.version));
  }
  unsigned char random[15];
  for (auto& b : random) b = static_cast<unsigned char>(rng_.next());
  sid_ = std::string(eio::make_sid(siocodec::byte_view(random, sizeof random)).view());
  eio::server_options o;
  o.ping_interval = cfg_.ping_interval;
  o.ping_timeout = cfg_.ping_timeout;
  o.upgrade_timeout = cfg_.upgrade_timeout;
  o.max_payload = cfg_.max_payload;
  o.allow_upgrades = cfg_.allow_upgrades;
  o.max_queued_messages = cfg_.queue_messages[ix(who::server)];
  o.max_queued_bytes = cfg_.queue_bytes[ix(who::server)];
  server_.emplace(o, sid_, routed.version, routed.transport, routed.supports_binary,
                  now_for(who::server, false));
  heartbeat_now(who::server);  // the heartbeat starts with the session
  return true;
}

void world::server_request(std::size_t id) {
  http_req& q = reqs_[id];
  if (q.failed) return;  // reset before it arrived: the server never saw it
  const bool is_get = q.action == eio::client_action::get;
  trace("%8" PRIu64 " server <- %s ?%s %s\n", now_, is_get ? "GET" : "POST", q.query.c_str(),
        is_get ? "" : shown(q.body).c_str());
  arrival(who::server, !is_get && resets_heartbeat(who::server, q.body_kind, q.body, true));
  const auto parsed = eio::parse_query(q.query);
  const auto routed = route(is_get ? "GET" : "POST", parsed, false);
  if (!routed) {
    const auto err = routed.error;
    trace("%8" PRIu64 " server routing: %s\n", now_, std::string(eio::to_string(err)).c_str());
    q.state = req_state::to_client;
    q.status = eio::error_status(err);
    q.resp_body = std::string(eio::error_body(err));
    if (!dead(who::server)) {
      post(ev_kind::resp_arrive, now_ + delay(), id);
    }
    return;
  }
  if (routed.handshake && !create_session(routed)) return;
  if (is_get) {
    q.state = req_state::held;
    held_gets_.push_back(id);
    if (held_gets_.size() > 1) {
      // The client sent a GET while one was held: the engine answers (a protocol error, as the
      // reference does), the harness only checks it never holds two afterwards.
      trace("%8" PRIu64 " server: a second GET while one is held\n", now_);
    }
    server_->handle_get(now_for(who::server));
  } else {
    q.state = req_state::held;
    server_posts_.push_back(id);
    server_->handle_post(q.body_kind, q.body, now_for(who::server));
  }
}

void world::server_ws_connect(std::size_t id) {
  ws_conn& w = wss_[id];
  if (w.broken || w.sent_close[ix(who::client)]) return;
  trace("%8" PRIu64 " server <- ws connect ?%s\n", now_, w.query.c_str());
  arrival(who::server);
  const auto parsed = eio::parse_query(w.query);
  auto routed = route("GET", parsed, true);
  // A second WebSocket for a session that has one: the reference closes the new one.
  if (routed && !routed.handshake && !server_->accepts_websocket()) {
    routed.ok = false;
    routed.error = eio::request_error::bad_request;
  }
  if (!routed) {
    trace("%8" PRIu64 " server: ws refused (%s)\n", now_,
          std::string(eio::to_string(routed.error)).c_str());
    w.refused = true;
    if (!dead(who::server)) post(ev_kind::ws_fail, now_ + delay(), id, who::client);
    return;
  }
  w.accepted = true;
  if (!dead(who::server)) ws_push(id, who::client, ws_item_kind::opened, eio::frame_kind::text, {});
  server_ws_ = id;
  if (routed.handshake) {
    create_session(routed);
    return;
  }
  server_->handle_ws_open(now_for(who::server));
}

/// Queues an item on WebSocket `id` towards `to`, after the ones already on their way.
void world::ws_push(std::size_t id, who to, ws_item_kind item, eio::frame_kind kind,
                    std::string bytes) {
  ws_conn& w = wss_[id];
  net_event e;
  e.kind = ev_kind::ws_item;
  e.to = to;
  e.id = id;
  e.item = item;
  e.fkind = kind;
  e.bytes = std::move(bytes);
  e.at = std::max(w.last_at[ix(to)], now_ + delay());
  w.last_at[ix(to)] = e.at;
  schedule(std::move(e));
}

void world::ws_closed(who w, bool error) {
  if (w == who::client) {
    client_.handle_ws_closed(now_for(w), error);
  } else {
    server_->handle_ws_closed(now_for(w), error);
  }
}

void world::deliver_ws_item(const net_event& e) {
  ws_conn& w = wss_[e.id];
  const who to = e.to;
  if (w.broken || w.told_closed[ix(to)]) return;
  // An earlier WebSocket of the client's, or one the session does not use: already let go.
  if (to == who::client ? e.id != client_ws_ : (!server_ || reclaimed_ || e.id != server_ws_)) {
    return;
  }
  if (e.item == ws_item_kind::opened) {
    trace("%8" PRIu64 " client <- ws open\n", now_);
    arrival(who::client);
    w.client_told_open = true;
    client_.handle_ws_open(now_for(who::client));
    return;
  }
  if (e.item == ws_item_kind::close) {
    trace("%8" PRIu64 " %s <- ws close\n", now_, name_of(to));
    arrival(to);
    w.told_closed[ix(to)] = true;
    ws_closed(to, false);
    // The WebSocket close handshake: the other end's library answers a close it did not send.
    if (!w.sent_close[ix(to)] && !dead(to)) {
      w.sent_close[ix(to)] = true;
      ws_push(e.id, peer_of(to), ws_item_kind::close, eio::frame_kind::text, {});
    }
    return;
  }
  // A closing WebSocket discards what arrives after its own close frame.
  if (w.sent_close[ix(to)]) return;
  trace("%8" PRIu64 " %s <- ws %s %s\n", now_, name_of(to),
        e.fkind == eio::frame_kind::text ? "text" : "binary", shown(e.bytes).c_str());
  arrival(to, resets_heartbeat(to, e.fkind, e.bytes, false));
  if (to == who::client) {
    client_.handle_ws_message(e.fkind, e.bytes, now_for(to));
  } else {
    server_->handle_ws_message(e.fkind, e.bytes, now_for(to));
  }
}

void world::request_reset(std::size_t id) {
  http_req& q = reqs_[id];
  if (q.failed || q.state == req_state::done) return;
  trace("%8" PRIu64 " fault: the connection of request %zu is reset\n", now_, id);
  q.failed = true;
  if (q.state == req_state::held) {
    if (q.action == eio::client_action::get) {
      held_gets_.erase(std::find(held_gets_.begin(), held_gets_.end(), id));
      if (server_ && !reclaimed_) server_->handle_get_aborted(now_for(who::server));
    }
    // A POST is answered within its step, so it is never held across a reset.
  }
  post(ev_kind::req_fail, now_ + delay(), id);
}

void world::ws_break(std::size_t id) {
  ws_conn& w = wss_[id];
  if (w.broken) return;
  if (w.told_closed[0] && w.told_closed[1]) return;
  trace("%8" PRIu64 " fault: WebSocket %zu breaks\n", now_, id);
  w.broken = true;
  if (w.accepted && !w.told_closed[ix(who::server)] && server_ && !reclaimed_ && id == server_ws_) {
    w.told_closed[ix(who::server)] = true;
    server_->handle_ws_closed(now_for(who::server), true);
  }
  if (!w.told_closed[ix(who::client)]) {
    post(ev_kind::ws_fail, now_ + delay(), id, who::client);
  }
}

void world::process(const net_event& e) {
  switch (e.kind) {
    case ev_kind::req_arrive: server_request(e.id); return;
    case ev_kind::resp_arrive: {
      http_req& q = reqs_[e.id];
      if (q.failed || q.state != req_state::to_client) return;
      q.state = req_state::done;
      const bool get = q.action == eio::client_action::get;
      (get ? gets_in_flight_ : posts_in_flight_)--;
      trace("%8" PRIu64 " client <- %s response %u %s\n", now_, get ? "GET" : "POST", q.status,
            shown(q.resp_body).c_str());
      arrival(who::client, get && q.status == 200 &&
                               resets_heartbeat(who::client, q.resp_kind, q.resp_body, true));
      const millis n = now_for(who::client);
      if (q.status != 200) {
        client_.handle_http_error(q.action, n);
      } else if (get) {
        client_.handle_get_response(q.resp_kind, q.resp_body, n);
      } else {
        client_.handle_post_response(n);
      }
      return;
    }
    case ev_kind::req_fail: {
      http_req& q = reqs_[e.id];
      if (q.state == req_state::done) return;
      q.state = req_state::done;
      const bool get = q.action == eio::client_action::get;
      (get ? gets_in_flight_ : posts_in_flight_)--;
      trace("%8" PRIu64 " client <- %s failed\n", now_, get ? "GET" : "POST");
      client_.handle_http_error(q.action, now_for(who::client));
      return;
    }
    case ev_kind::req_reset: request_reset(e.id); return;
    case ev_kind::ws_connect: server_ws_connect(e.id); return;
    case ev_kind::ws_item: deliver_ws_item(e); return;
    case ev_kind::ws_fail: {
      ws_conn& w = wss_[e.id];
      if (w.told_closed[ix(e.to)]) return;
      w.told_closed[ix(e.to)] = true;
      trace("%8" PRIu64 " %s <- ws error\n", now_, name_of(e.to));
      if (e.to == who::client) {
        if (e.id == client_ws_) client_.handle_ws_closed(now_for(who::client), true);
      } else if (server_ && !reclaimed_ && e.id == server_ws_) {
        server_->handle_ws_closed(now_for(who::server), true);
      }
      return;
    }
    case ev_kind::ws_break: ws_break(e.id); return;
    case ev_kind::peer_dies:
      trace("%8" PRIu64 " fault: the %s stops answering\n", now_, name_of(e.to));
      return;
    case ev_kind::clock_step:
      trace("%8" PRIu64 " fault: the %s's clock steps by %" PRId64 " ms\n", now_, name_of(e.to),
            e.delta);
      side_[ix(e.to)].offset += e.delta;
      if (e.delta > 0) side_[ix(e.to)].jumped += static_cast<millis>(e.delta);
      return;
    case ev_kind::app_send: app_send(e.to); return;
    case ev_kind::app_close: app_close(e.to); return;
  }
}

// --- the application --------------------------------------------------------------------------

errc world::send_packet(who w, const eio::packet_view& p) {
  if (w == who::server) return server_->send(p, now_for(w));
  // send() reads `now` before anything else (its errors included), so it counts as seen.
  return client_.send(p, now_for(w));
}

void world::send_one(who w) {
  side_state& s = side_[ix(w)];
  msg_record m;
  m.binary = cfg_.binary && rng_.percent(40);
  m.wide = !m.binary && rng_.percent(30);
  const std::uint64_t roll = rng_.below(100);
  const std::size_t cap = cfg_.max_message;
  m.size = static_cast<std::size_t>(roll < 70   ? rng_.range(0, std::min<std::size_t>(64, cap))
                                    : roll < 95 ? rng_.range(0, std::min<std::size_t>(1024, cap))
                                                : rng_.range(0, cap));
  make_message(s.scratch, w, s.sent.size(), m);
  const eio::packet_view p{eio::packet_type::message,
                           m.binary ? eio::data_kind::binary : eio::data_kind::text, s.scratch};
  const errc r = send_packet(w, p);
  const bool open = s.opened && !s.closed && !s.queue_full_seen && !s.forced_close_called;
  trace("%8" PRIu64 " %s app: send #%zu %s %zu bytes -> %s\n", now_, name_of(w), s.sent.size(),
        m.binary ? "binary" : "text", m.size, siocodec::to_string(r));
  if (r == errc::none) {
    if (!open) {
      fail("%s send() accepted a message while not open", name_of(w));
      return;
    }
    s.sent.push_back(m);
    s.sent_bytes += m.size;
    ++stats_.messages;
    return;
  }
  if (r == errc::queue_full) {
    if (!open) fail("%s send() said queue_full while not open", name_of(w));
    s.queue_full_seen = true;
    return;
  }
  if (r == errc::invalid_state) {
    // Not open: the client before its open event, or either side after its close.
    if (open) fail("%s send() said invalid_state while open", name_of(w));
    return;
  }
  fail("%s send() returned %s", name_of(w), siocodec::to_string(r));
}

void world::app_send(who w) {
  if (has_engine(w)) {
    const std::uint64_t burst = rng_.percent(80) ? 1 : rng_.range(2, 20);
    for (std::uint64_t i = 0; i < burst && !failed_; ++i) send_one(w);
    if (!failed_ && rng_.per_mille(10)) {
      // Not a message: refused without harm.
      const eio::packet_view ping = eio::packet_view::text(eio::packet_type::ping, "x");
      const errc r = send_packet(w, ping);
      if (r != errc::invalid_argument && r != errc::invalid_state) {
        fail("%s send(ping) returned %s, not invalid_argument", name_of(w), siocodec::to_string(r));
      }
    }
  }
  if (now_ < cfg_.duration) {
    const millis gap = w == who::client ? cfg_.client_send_gap : cfg_.send_gap;
    post(ev_kind::app_send, now_ + rng_.range(0, 2 * gap), 0, w);
  }
}

void world::app_close(who w) {
  side_state& s = side_[ix(w)];
  if (!has_engine(w) || !s.opened || s.closed) return;
  trace("%8" PRIu64 " %s app: close()\n", now_, name_of(w));
  s.forced_close_called = true;
  if (w == who::client) {
    s.polling_close = client_.transport() == eio::transport_kind::polling;
    client_.close(now_for(w));
    if (client_.is_closing()) {
      // Over polling with a POST in flight: the close event waits for the queue to drain.
      if (!s.polling_close) fail("client: closing over a WebSocket");
      if (client_.is_open()) fail("client: is_open() while closing");
      if (client_.poll_event()) fail("client: an event from close() while closing");
      return;
    }
    // Otherwise the close is immediate: its close event comes first, before the transmits.
    const auto ev = client_.poll_event();
    if (!ev || ev->kind != eio::event_kind::close ||
        ev->reason != eio::close_reason::forced_close) {
      fail("client: close() did not give a forced close event");
      return;
    }
    on_event(w, *ev);
  } else {
    server_->close(now_for(w));
  }
}

/// What a query must say: the run's protocol, the transport of the request, the session's sid
/// once known, b64 exactly when a v3 client takes no binary.
void world::check_query(std::string_view query, eio::transport_kind t) {
  const auto q = eio::parse_query(query);
  const bool v4 = cfg_.version == eio::protocol_version::v4;
  const bool want_b64 = !v4 && !cfg_.supports_binary && t == eio::transport_kind::polling;
  const bool handshake = sid_.empty();
  if (q.eio != (v4 ? "4" : "3") ||
      q.transport != (t == eio::transport_kind::polling ? "polling" : "websocket") ||
      (!handshake && q.sid != sid_) || (handshake && !q.sid.empty()) || (want_b64 && !q.b64) ||
      (!want_b64 && q.b64 && t == eio::transport_kind::polling)) {
    fail("client: a request with the query ?%s", std::string(query).c_str());
  }
}

/// Polling bodies are text, except the v3 binary payload for a client that takes binary.
void world::check_body_kind(const char* what, eio::frame_kind kind) {
  if (kind == eio::frame_kind::binary &&
      (cfg_.version == eio::protocol_version::v4 || !cfg_.supports_binary)) {
    fail("%s: a binary polling body (v%u, b64 %d)", what, static_cast<unsigned>(cfg_.version),
         cfg_.supports_binary ? 0 : 1);
  }
}

// --- draining the engines ---------------------------------------------------------------------

void world::check_message(who receiver, const eio::packet_view& p) {
  const who sender = peer_of(receiver);
  side_state& s = side_[ix(sender)];
  if (p.type != eio::packet_type::message) {
    fail("%s: a message event of packet type %s", name_of(receiver), eio::to_string(p.type));
    return;
  }
  std::string_view got = p.data;
  bool binary = p.kind == eio::data_kind::binary;
  if (p.kind == eio::data_kind::base64) {
    binary = true;
    s.decoded.clear();
    if (!siocodec::base64::decode(p.data, s.decoded, siocodec::base64::mode::lax)) {
      fail("%s: a base64 message that does not decode", name_of(receiver));
      return;
    }
    got = s.decoded;
  }
  const std::size_t seq = s.delivered;
  if (seq >= s.sent.size()) {
    fail("%s received a message the %s never sent (or twice): %s", name_of(receiver),
         name_of(sender), shown(got).c_str());
    return;
  }
  const msg_record& m = s.sent[seq];
  std::string expected;
  make_message(expected, sender, seq, m);
  if (binary != m.binary || got != expected) {
    fail("%s expected %s message #%zu (%zu bytes) from the %s, got %s %zu bytes: %s",
         name_of(receiver), m.binary ? "binary" : "text", seq, m.size, name_of(sender),
         binary ? "binary" : "text", got.size(), shown(got).c_str());
    return;
  }
  ++s.delivered;
}

void world::on_event(who w, const eio::event& ev) {
  side_state& s = side_[ix(w)];
  if (s.closed) {
    fail("%s: an event (kind %u) after its close event", name_of(w),
         static_cast<unsigned>(ev.kind));
    return;
  }
  switch (ev.kind) {
    case eio::event_kind::open:
      trace("%8" PRIu64 " %s event: open\n", now_, name_of(w));
      if (s.opened) fail("%s: a second open event", name_of(w));
      s.opened = true;
      if (w == who::client) heartbeat_now(w);
      if (w == who::client) {
        if (ev.hs.sid != sid_)
          fail("client: open with sid %s, the server made %s", std::string(ev.hs.sid).c_str(),
               sid_.c_str());
        if (ev.hs.ping_interval != cfg_.ping_interval || ev.hs.ping_timeout != cfg_.ping_timeout) {
          fail("client: open with pingInterval %u pingTimeout %u", ev.hs.ping_interval,
               ev.hs.ping_timeout);
        }
      }
      return;
    case eio::event_kind::upgrade:
      trace("%8" PRIu64 " %s event: upgrade\n", now_, name_of(w));
      if (!s.opened || s.upgraded) fail("%s: an upgrade event before open or twice", name_of(w));
      if (ev.transport != eio::transport_kind::websocket) {
        fail("%s: an upgrade event to polling", name_of(w));
      }
      s.upgraded = true;
      return;
    case eio::event_kind::message:
      trace("%8" PRIu64 " %s event: message %s\n", now_, name_of(w), shown(ev.packet.data).c_str());
      if (!s.opened) {
        fail("%s: a message before open", name_of(w));
        return;
      }
      check_message(w, ev.packet);
      return;
    case eio::event_kind::close:
      trace("%8" PRIu64 " %s event: close (%s, %s at %zu)\n", now_, name_of(w),
            eio::to_string(ev.reason), siocodec::to_string(ev.error), ev.offset);
      s.closed = true;
      s.reason = ev.reason;
      s.closed_step = step_;
      ++stats_.reasons[static_cast<std::size_t>(ev.reason) & 7u];
      if (s.queue_full_seen && ev.reason != eio::close_reason::queue_full &&
          !s.forced_close_called) {
        fail("%s: send() said queue_full, then a close with reason %s", name_of(w),
             eio::to_string(ev.reason));
      }
      if ((ev.reason == eio::close_reason::parse_error ||
           ev.reason == eio::close_reason::queue_full) &&
          ev.error == errc::none) {
        fail("%s: close (%s) without its error", name_of(w), eio::to_string(ev.reason));
      }
      if (ev.reason == eio::close_reason::parse_error && !cfg_.faulty) {
        fail("%s: a parse error in a run without faults (%s at %zu)", name_of(w),
             siocodec::to_string(ev.error), ev.offset);
      }
      return;
  }
  fail("%s: an event of unknown kind %u", name_of(w), static_cast<unsigned>(ev.kind));
}

void world::drain_client() {
  side_state& s = side_[ix(who::client)];
  while (auto ev = client_.poll_event()) {
    on_event(who::client, *ev);
    if (failed_) return;
  }
  while (auto tx = client_.poll_transmit()) {
    if (s.closed && s.closed_step != step_) {
      fail("client: a transmit (action %u) after the step of its close",
           static_cast<unsigned>(tx->action));
      return;
    }
    const bool gone = dead(who::client);
    switch (tx->action) {
      case eio::client_action::get:
      case eio::client_action::post: {
        const bool get = tx->action == eio::client_action::get;
        std::size_t& in_flight = get ? gets_in_flight_ : posts_in_flight_;
        if (in_flight != 0 && !s.closed) {
          fail("client: a second %s in flight", get ? "GET" : "POST");
          return;
        }
        http_req q;
        q.action = tx->action;
        q.query = std::string(tx->query);
        q.body_kind = tx->body.kind;
        q.body = std::string(tx->body.prefix);
        q.body += tx->body.data;
        // One message always fits (max_message), so a body over maxPayload is a batch the
        // client should have split (engine.io-client _getWritablePackets).
        if (!get && q.body.size() > cfg_.max_payload && !s.closed) {
          fail("client: a POST body of %zu bytes, over maxPayload %zu", q.body.size(),
               cfg_.max_payload);
          return;
        }
        trace("%8" PRIu64 " client -> %s ?%s %s%s\n", now_, get ? "GET" : "POST", q.query.c_str(),
              shown(q.body).c_str(), gone ? " (vanishes)" : "");
        check_query(q.query, eio::transport_kind::polling);
        if (!get) check_body_kind("client POST", q.body_kind);
        if (!get) messages_out(q.body_kind, q.body, true);
        if (failed_) return;
        const std::size_t id = reqs_.size();
        reqs_.push_back(std::move(q));
        ++in_flight;
        if (gone) break;  // never arrives, never answered: the client is not answering
        post(ev_kind::req_arrive, now_ + delay(), id);
        if (cfg_.p_req_reset != 0 && rng_.per_mille(cfg_.p_req_reset)) {
          post(ev_kind::req_reset,
               now_ + rng_.range(0, 4 * cfg_.dmax + 2 * millis{cfg_.ping_interval}), id);
        }
        break;
      }
      case eio::client_action::open_websocket: {
        ws_conn w;
        w.query = std::string(tx->query);
        trace("%8" PRIu64 " client -> open_websocket ?%s%s\n", now_, w.query.c_str(),
              gone ? " (vanishes)" : "");
        check_query(w.query, eio::transport_kind::websocket);
        if (failed_) return;
        const std::size_t id = wss_.size();
        wss_.push_back(std::move(w));
        client_ws_ = id;
        if (gone) break;
        post(ev_kind::ws_connect, now_ + delay(), id);
        if (cfg_.p_ws_break != 0 && rng_.per_mille(cfg_.p_ws_break)) {
          post(ev_kind::ws_break, now_ + rng_.range(0, cfg_.duration), id);
        }
        break;
      }
      case eio::client_action::ws_send:
      case eio::client_action::ws_close: {
        if (client_ws_ == SIZE_MAX) {
          fail("client: a WebSocket transmit without a WebSocket");
          return;
        }
        ws_conn& w = wss_[client_ws_];
        const bool close = tx->action == eio::client_action::ws_close;
        if (!close && !w.client_told_open) {
          fail("client: ws_send before its WebSocket opened");
          return;
        }
        if (w.sent_close[ix(who::client)]) {
          if (!close) fail("client: ws_send after its ws_close");
          break;
        }
        std::string bytes(tx->body.prefix);
        bytes += tx->body.data;
        trace("%8" PRIu64 " client -> ws %s %s%s\n", now_,
              close ? "close" : (tx->body.kind == eio::frame_kind::text ? "text" : "binary"),
              shown(bytes).c_str(), gone ? " (vanishes)" : "");
        if (close) w.sent_close[ix(who::client)] = true;
        if (!close) messages_out(tx->body.kind, bytes, false);
        if (gone || w.broken || w.told_closed[ix(who::client)]) break;
        ws_push(client_ws_, who::server, close ? ws_item_kind::close : ws_item_kind::message,
                tx->body.kind, std::move(bytes));
        break;
      }
    }
  }
}

void world::drain_server() {
  if (!server_ || reclaimed_) return;
  side_state& s = side_[ix(who::server)];
  while (auto ev = server_->poll_event()) {
    on_event(who::server, *ev);
    if (failed_) return;
  }
  while (auto tx = server_->poll_transmit()) {
    if (s.closed && s.closed_step != step_) {
      fail("server: a transmit (action %u) after the step of its close",
           static_cast<unsigned>(tx->action));
      return;
    }
    const bool gone = dead(who::server);
    std::string bytes(tx->body.prefix);
    bytes += tx->body.data;
    switch (tx->action) {
      case eio::server_action::answer_get:
      case eio::server_action::answer_post: {
        const bool get = tx->action == eio::server_action::answer_get;
        std::deque<std::size_t>& pending = get ? held_gets_ : server_posts_;
        if (pending.empty()) {
          fail("server: %s without a request to answer", get ? "answer_get" : "answer_post");
          return;
        }
        const std::size_t id = pending.front();
        pending.pop_front();
        http_req& q = reqs_[id];
        trace("%8" PRIu64 " server -> answer %s %u %s%s\n", now_, get ? "GET" : "POST", tx->status,
              shown(bytes).c_str(), gone ? " (vanishes)" : "");
        if (get) check_body_kind("server GET answer", tx->body.kind);
        if (failed_) return;
        q.state = req_state::to_client;
        q.status = tx->status;
        q.resp_kind = tx->body.kind;
        q.resp_body = std::move(bytes);
        if (gone) break;  // the client waits forever: the server stopped answering
        post(ev_kind::resp_arrive, now_ + delay(), id);
        break;
      }
      case eio::server_action::ws_send:
      case eio::server_action::ws_close: {
        const bool close = tx->action == eio::server_action::ws_close;
        if (server_ws_ == SIZE_MAX) {
          fail("server: a WebSocket transmit without a WebSocket");
          return;
        }
        ws_conn& w = wss_[server_ws_];
        if (w.sent_close[ix(who::server)]) {
          if (!close) fail("server: ws_send after its ws_close");
          break;
        }
        trace("%8" PRIu64 " server -> ws %s %s%s\n", now_,
              close ? "close" : (tx->body.kind == eio::frame_kind::text ? "text" : "binary"),
              shown(bytes).c_str(), gone ? " (vanishes)" : "");
        if (close) w.sent_close[ix(who::server)] = true;
        if (gone || w.broken || w.told_closed[ix(who::server)]) break;
        ws_push(server_ws_, who::client, close ? ws_item_kind::close : ws_item_kind::message,
                tx->body.kind, std::move(bytes));
        break;
      }
    }
  }
  if (!server_posts_.empty()) {
    fail("server: a POST left unanswered by handle_post");
    return;
  }
  if (held_gets_.size() > 1) {
    fail("server: %zu GETs held at once", held_gets_.size());
    return;
  }
  if (s.closed) reclaim_server();
}

/// The session closed: the server glue forgets the sid, and drops whatever the engine left
/// open (a held GET, a WebSocket it did not close), as an HTTP server destroying them would.
void world::reclaim_server() {
  reclaimed_ = true;
  const bool gone = dead(who::server);
  for (const std::size_t id : held_gets_) {
    trace("%8" PRIu64 " server glue: drops the held GET %zu\n", now_, id);
    reqs_[id].failed = true;
    if (gone) continue;
    post(ev_kind::req_fail, now_ + delay(), id);
  }
  held_gets_.clear();
  if (server_ws_ != SIZE_MAX) {
    ws_conn& w = wss_[server_ws_];
    if (!w.sent_close[ix(who::server)] && !w.broken && !gone) {
      trace("%8" PRIu64 " server glue: drops the WebSocket\n", now_);
      w.sent_close[ix(who::server)] = true;
      post(ev_kind::ws_fail, std::max(w.last_at[ix(who::client)], now_ + delay()), server_ws_,
           who::client);
    }
  }
}

void world::drain() {
  drain_client();
  if (!failed_) drain_server();
}

// --- invariants ---------------------------------------------------------------------------------

/// The messages a client transmit carries leave its queue, oldest first.
void world::messages_out(eio::frame_kind kind, std::string_view bytes, bool polling) {
  side_state& c = side_[ix(who::client)];
  eio::decode_options o;
  o.version = cfg_.version;
  o.max_payload = std::size_t{1} << 30;
  const auto leave = [&](const eio::packet_view& p) {
    if (p.type != eio::packet_type::message) return;
    if (client_out_ < c.sent.size()) client_out_bytes_ += c.sent[client_out_].size;
    ++client_out_;
  };
  if (!polling) {
    if (const auto p = eio::decode(bytes, kind, o)) leave(*p);
    return;
  }
  auto reader = eio::decode_payload(bytes, kind, o);
  for (const eio::packet_view& p : reader) leave(p);
}

/// What an engine holds for its peer stays within its limits: the server's accessors; for the
/// client, the messages send() accepted that no transmit has carried yet (its limits count
/// the transmits not polled too).
bool world::check_queues() {
  const side_state& c = side_[ix(who::client)];
  if (c.opened && !c.closed) {
    std::size_t bytes = c.sent_bytes;
    const std::size_t n = c.sent.size() - std::min(client_out_, c.sent.size());
    bytes -= std::min(client_out_bytes_, bytes);
    if (n > cfg_.queue_messages[ix(who::client)] || bytes > cfg_.queue_bytes[ix(who::client)]) {
      return fail("client: %zu messages / %zu bytes accepted and not sent, over its limits %zu / "
                  "%zu",
                  n, bytes, cfg_.queue_messages[ix(who::client)],
                  cfg_.queue_bytes[ix(who::client)]);
    }
  }
  if (server_ && !reclaimed_) {
    const std::size_t n = server_->queued_messages(), b = server_->queued_bytes();
    if (n > cfg_.queue_messages[ix(who::server)] || b > cfg_.queue_bytes[ix(who::server)]) {
      return fail("server: %zu messages / %zu bytes queued, over its limits %zu / %zu", n, b,
                  cfg_.queue_messages[ix(who::server)], cfg_.queue_bytes[ix(who::server)]);
    }
  }
  return true;
}

bool world::check_step() {
  if (!check_queues()) return false;
  for (const who w : {who::client, who::server}) {
    if (!has_engine(w)) continue;
    const side_state& s = side_[ix(w)];
    const millis d = deadline_of(w);
    if (d < s.max_now) {
      return fail("%s: next_deadline() %" PRIu64 " is below the last now %" PRIu64, name_of(w), d,
                  s.max_now);
    }
  }
  return !failed_;
}

/// The packets that reset a side's heartbeat, as the reference's timers go: the v4 client's
/// ping timeout restarts on a ping, the v3 server's on a ping (probes excluded); the v4 server's
/// on a pong, and once per ping on any other packet ("got packet while waiting for pong -
/// refreshing ping timeout"), so on any packet for this bound; the v3 client (engine.io-client
/// 3.x onHeartbeat) on any packet. The server engine also restarts the timeout when an upgrade
/// completes (`5`), where the reference leaves the session without one (server.hpp).
bool world::resets_heartbeat(who w, eio::frame_kind kind, std::string_view bytes,
                             bool polling) const {
  const bool v4 = cfg_.version == eio::protocol_version::v4;
  if ((w == who::client) != v4) return true;
  const eio::packet_type want = eio::packet_type::ping;
  eio::decode_options o;
  o.version = cfg_.version;
  const auto is_beat = [&](const eio::packet_view& p) {
    return (p.type == want && p.data != "probe") ||
           (w == who::server && p.type == eio::packet_type::upgrade);
  };
  if (!polling) {
    const auto p = eio::decode(bytes, kind, o);
    return p && is_beat(*p);
  }
  auto reader = eio::decode_payload(bytes, kind, o);
  for (const eio::packet_view& p : reader) {
    if (is_beat(p)) return true;
  }
  return false;
}

/// Before the clock moves to `t_next`: a side whose peer went silent (stopped answering, or
/// closed) must have closed by pingInterval + pingTimeout after its heartbeat was last reset, on
/// its own clock (one tick of slack for `>` against `>=`).
bool world::check_silence(millis t_next) {
  const millis bound = millis{cfg_.ping_interval} + cfg_.ping_timeout + 1;
  for (const who w : {who::client, who::server}) {
    const who p = peer_of(w);
    const side_state& s = side_[ix(w)];
    const side_state& ps = side_[ix(p)];
    // The client's heartbeat starts with its open event (engine.io-client has no handshake
    // timeout of its own); the server's with the session.
    if (!has_engine(w) || s.closed || (w == who::client && !s.opened)) continue;
    const bool silent = (ps.closed && (p == who::client || reclaimed_)) || now_ >= ps.dead_from;
    if (!silent) continue;
    // Its own timer is due first: the loop handles it before the clock moves on.
    if (real_of(w, deadline_of(w)) <= t_next) continue;
    const millis at = std::max(s.max_now, engine_time(w, t_next));
    if (at > s.last_heartbeat + bound + s.jumped) {
      return fail("%s still open at %" PRIu64 " on its clock: its peer went silent and its "
                  "heartbeat was last reset at %" PRIu64 " (pingInterval %u + pingTimeout %u); "
                  "its next deadline is %" PRIu64,
                  name_of(w), at, s.last_heartbeat, cfg_.ping_interval, cfg_.ping_timeout,
                  deadline_of(w));
    }
  }
  return true;
}

bool world::check_end() {
  const side_state& c = side_[ix(who::client)];
  const side_state& s = side_[ix(who::server)];
  const bool app_closed = c.forced_close_called || s.forced_close_called;
  // A queue over its limit (send() refused, or what the peer sent did not fit: the server counts
  // undrained events too) is a close the run asked for with its small limits.
  const bool queue_full = c.queue_full_seen || s.queue_full_seen ||
                          (c.closed && c.reason == eio::close_reason::queue_full) ||
                          (s.closed && s.reason == eio::close_reason::queue_full);
  const bool any_closed = c.closed || s.closed;
  if (any_closed) ++stats_.closed_runs;
  if (c.upgraded) ++stats_.upgrades;
  if (!cfg_.faulty && !app_closed && !queue_full) {
    if (any_closed) {
      return fail("a run without faults and without close ended with a close (client %s, "
                  "server %s)",
                  c.closed ? eio::to_string(c.reason) : "open",
                  s.closed ? eio::to_string(s.reason) : "open");
    }
    if (!c.opened || !s.opened) return fail("a run without faults never opened");
    if (cfg_.initial == eio::transport_kind::polling && cfg_.upgrade && cfg_.allow_upgrades &&
        (!c.upgraded || !s.upgraded || client_.transport() != eio::transport_kind::websocket)) {
      return fail("the upgrade was offered and enabled, and did not complete (client %d, "
                  "server %d)",
                  c.upgraded ? 1 : 0, s.upgraded ? 1 : 0);
    }
  }
  if (!cfg_.faulty && c.polling_close && c.closed && c.reason == eio::close_reason::forced_close &&
      !s.forced_close_called && !queue_full) {
    // A graceful close over polling sends what send() accepted before the `1`.
    if (c.delivered != c.sent.size()) {
      return fail("the client closed over polling (forced_close), yet %zu of its %zu messages "
                  "were delivered",
                  c.delivered, c.sent.size());
    }
    ++stats_.drained_closes;
  }
  if (!any_closed) {
    for (const who w : {who::client, who::server}) {
      const side_state& x = side_[ix(w)];
      if (x.delivered != x.sent.size()) {
        return fail("no close, yet %zu of the %zu messages of the %s were delivered", x.delivered,
                    x.sent.size(), name_of(w));
      }
    }
  } else if (c.closed != s.closed && server_) {
    // A client that never received anything from a server that stopped answering waits, like
    // engine.io-client (its handshake has no timeout of its own).
    const bool stuck_handshake = !c.closed && !c.arrived && s.dead_from != never;
    if (!stuck_handshake) {
      return fail("the %s closed (%s) and the %s is still open at the end",
                  c.closed ? "client" : "server", eio::to_string(c.closed ? c.reason : s.reason),
                  c.closed ? "server" : "client");
    }
  }
  return true;
}

bool world::run() {
  ++stats_.runs;
  if (cfg_.faulty) ++stats_.faulty;
  trace("seed %" PRIu64 ": v%u initial %s upgrade %d/%d b64 %d pingInterval %u pingTimeout %u "
        "upgradeTimeout %u maxPayload %zu delay %" PRIu64 "..%" PRIu64 " duration %" PRIu64
        " faulty %d (reset %u, ws break %u, jitter %u, dies c %" PRIu64 " s %" PRIu64
        ", %zu clock steps) close c %" PRIu64 " s %" PRIu64 "\n",
        seed_, static_cast<unsigned>(cfg_.version),
        cfg_.initial == eio::transport_kind::polling ? "polling" : "websocket",
        cfg_.upgrade ? 1 : 0, cfg_.allow_upgrades ? 1 : 0, cfg_.supports_binary ? 0 : 1,
        cfg_.ping_interval, cfg_.ping_timeout, cfg_.upgrade_timeout, cfg_.max_payload, cfg_.dmin,
        cfg_.dmax, cfg_.duration, cfg_.faulty ? 1 : 0, cfg_.p_req_reset, cfg_.p_ws_break,
        cfg_.p_jitter, cfg_.die_at[0], cfg_.die_at[1], cfg_.clock_steps.size(), cfg_.close_at[0],
        cfg_.close_at[1]);
  for (const who w : {who::client, who::server}) {
    post(ev_kind::app_send, rng_.range(0, cfg_.send_gap), 0, w);
    if (cfg_.die_at[ix(w)] != never) post(ev_kind::peer_dies, cfg_.die_at[ix(w)], 0, w);
    if (cfg_.close_at[ix(w)] != never) post(ev_kind::app_close, cfg_.close_at[ix(w)], 0, w);
  }
  for (const auto& cs : cfg_.clock_steps) {
    net_event e;
    e.kind = ev_kind::clock_step;
    e.at = cs.first;
    e.to = cs.second.first;
    e.delta = cs.second.second;
    schedule(std::move(e));
  }
  const errc opened = client_.open(now_for(who::client, false), rng_.next());
  if (opened != errc::none) return fail("client.open() returned %s", siocodec::to_string(opened));
  drain();
  // Long enough after the last app action for everything to flush and every close to propagate.
  const millis span = millis{cfg_.ping_interval} + cfg_.ping_timeout;
  const millis hard_end = cfg_.duration + 3 * span + 40 * cfg_.dmax + cfg_.upgrade_timeout;
  millis grace = 2 * span + 20 * cfg_.dmax;
  for (const auto& cs : cfg_.clock_steps) {
    if (cs.second.second < 0) grace += static_cast<millis>(-cs.second.second);
  }
  while (!failed_) {
    ++step_;
    const millis tc = real_of(who::client, client_.next_deadline());
    const millis ts =
        server_ && !reclaimed_ ? real_of(who::server, server_->next_deadline()) : never;
    const millis tn = queue_.empty() ? never : queue_.top().at;
    const millis t = std::min({tc, ts, tn});
    // Past the end, a run with one side closed goes on until the other notices (the silence
    // check bounds that), then stops.
    const bool half_closed = server_ && side_[0].closed != side_[1].closed;
    if (t == never || t > hard_end + (half_closed ? grace : 0)) break;
    if (!check_silence(t)) break;
    now_ = std::max(now_, t);
    if (t == tc || t == ts) {
      const who w = t == tc ? who::client : who::server;
      side_state& s = side_[ix(w)];
      const millis n = now_for(w, false);
      if (w == who::client) {
        client_.handle_timeout(n);
      } else {
        server_->handle_timeout(n);
      }
      // A deadline that handle_timeout() leaves due forever would spin the caller's loop.
      const millis again = real_of(w, deadline_of(w));
      s.same_time_timeouts = again <= now_ ? s.same_time_timeouts + 1 : 0;
      if (s.same_time_timeouts > 100) {
        fail("%s: next_deadline() stays at now after handle_timeout(now)", name_of(w));
        break;
      }
    } else {
      const net_event e = queue_.top();
      queue_.pop();
      process(e);
    }
    if (failed_ || !check_queues()) break;
    drain();
    if (!check_step()) break;
    if (step_ > 5000000) {
      fail("more than 5,000,000 steps");
      break;
    }
  }
  stats_.steps += step_;
  if (failed_) return false;
  if (!check_silence(now_)) return false;
  return check_end();
}

bool parse_u64(const char* s, std::uint64_t& out) {
  char* end = nullptr;
  out = std::strtoull(s, &end, 10);
  return end != s && *end == '\0';
}

int usage() {
  std::fprintf(stderr, "usage: siocodec_simulation [--seed N | --seeds A..B] [--trace] [--stats]\n"
                       "  --seed N      one run, seed N (with --trace: every step)\n"
                       "  --seeds A..B  the runs of seeds A to B inclusive (default 0..999)\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t first = 0, last = 999;
  bool show_stats = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--trace") {
      g_trace = true;
    } else if (a == "--stats") {
      show_stats = true;
    } else if (a == "--seed" && i + 1 < argc) {
      if (!parse_u64(argv[++i], first)) return usage();
      last = first;
    } else if (a == "--seeds" && i + 1 < argc) {
      const std::string range = argv[++i];
      const std::size_t dots = range.find("..");
      if (dots == std::string::npos) return usage();
      if (!parse_u64(range.substr(0, dots).c_str(), first) ||
          !parse_u64(range.substr(dots + 2).c_str(), last) || last < first) {
        return usage();
      }
    } else {
      return usage();
    }
  }
  stats st;
  std::uint64_t failures = 0;
  for (std::uint64_t seed = first;; ++seed) {
    world w(seed, st);
    if (!w.run()) ++failures;
    if (seed == last) break;
  }
  if (show_stats || failures != 0) {
    std::printf("%" PRIu64 " runs (%" PRIu64 " with faults), %" PRIu64 " steps, %" PRIu64
                " messages, %" PRIu64 " upgrades, %" PRIu64 " runs with a close; close reasons:",
                st.runs, st.faulty, st.steps, st.messages, st.upgrades, st.closed_runs);
    for (std::size_t r = 0; r < 6; ++r) {
      std::printf(" %s %" PRIu64 ";", eio::to_string(static_cast<eio::close_reason>(r)),
                  st.reasons[r]);
    }
    std::printf("\n%" PRIu64 " graceful client closes over polling delivered every message\n",
                st.drained_closes);
  }
  if (failures != 0) {
    std::printf("%" PRIu64 " of %" PRIu64 " runs FAILED\n", failures, st.runs);
    return 1;
  }
  std::printf("%" PRIu64 " runs passed (seeds %" PRIu64 "..%" PRIu64 ")\n", st.runs, first, last);
  return 0;
}
