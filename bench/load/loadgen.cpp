// SPDX-License-Identifier: BSL-1.0
// siocodec_loadgen: thousands of Socket.IO clients from one process, to load a server (issue 24;
// bench/load/README.md has the method, the flags and the result's fields).
//
// Each client is siocodec's sans-I/O client engine (socketio::client) and one non-blocking
// socket; each thread (--threads) runs an epoll loop over its share of the clients, reads the
// clock once after each wake-up, parses every complete WebSocket frame of a read in place
// (gen_ws.hpp) and hands it to the engine. Latency is measured from the send time the payload
// carries (or that the generator keeps per ack id) to the loop turn that read the answer, into
// one histogram per thread (gen_histogram.hpp), merged at the end.
#include "gen_histogram.hpp"
#include "gen_http.hpp"
#include "gen_ws.hpp"

#include <siocodec/siocodec.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace eio = siocodec::engineio;
namespace sio = siocodec::socketio;
using siocodec_load::histogram;
namespace ws = siocodec_load::ws;
namespace http = siocodec_load::http;

namespace {

enum class scenario { chat, echo, binary, idle };

struct options {
  std::string host = "127.0.0.1";
  int port = 0;
  scenario scen = scenario::chat;
  std::string scenario_name = "chat";
  std::uint32_t clients = 100;
  double rate = 0;  // messages/s offered in total; 0: chat one per client per second, echo closed
  std::uint32_t room_size = 100;
  std::size_t payload = 100;
  double duration = 10;
  double warmup = 2;
  unsigned threads = 1;
  double polling_share = 0;
  double connect_rate = 2000;
  double batch_us = 0;  // least time between two loop turns (0: none)
  std::string json_file;
  bool quiet = false;
};

constexpr std::size_t binary_size = 16384;  // the binary scenario's attachment
constexpr std::size_t ack_ring = 256;       // acks waited for at once per client (open loop)
constexpr std::size_t read_buffer_size = std::size_t{2} << 20;
constexpr std::size_t max_frame = 1000000;  // the servers' maxHttpBufferSize

enum phase : int { connecting = 0, warming = 1, measuring = 2, stopping = 3 };

std::uint64_t clock_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000u +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

// The process's CPU time so far: user, system.
struct cpu_time {
  double user = 0, sys = 0;
};
cpu_time cpu_seconds() {
  rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  const auto tv = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return {tv(ru.ru_utime), tv(ru.ru_stime)};
}

long max_rss_kb() {
  rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

// The send time a payload starts with ("<ns>;..."): 0 when it does not.
std::uint64_t parse_stamp(std::string_view s) {
  std::uint64_t v = 0;
  std::size_t i = 0;
  for (; i < s.size() && i < 20 && s[i] >= '0' && s[i] <= '9'; ++i) {
    v = v * 10 + static_cast<std::uint64_t>(s[i] - '0');
  }
  return i < s.size() && s[i] == ';' ? v : 0;
}

// What a thread publishes for the progress line (relaxed: figures, not synchronization).
struct progress {
  std::atomic<std::uint64_t> connected{0}, failed{0}, sent{0}, received{0}, p99_ns{0};
};

struct shared_run {
  const options* opt = nullptr;
  sockaddr_in addr{};
  std::string host_header;
  std::atomic<int> ph{connecting};
};

// What an epoll event points at: a client's WebSocket, or one of a polling client's two HTTP
// connections (one GET and one POST in flight at most, as the engine asks).
struct pollable {
  bool http = false;
  int fd = -1;
  bool want_out = false;  // EPOLLOUT is registered
  std::string in;         // bytes of an incomplete frame or answer
  std::string out;        // bytes not yet written
  std::size_t out_off = 0;
};

struct client;

struct http_sock : pollable {
  client* owner = nullptr;
  bool post = false;
  bool connecting = false, busy = false;
};

struct client : pollable {
  explicit client(const sio::client_options& o) : eng(o) {
    get_sock.http = post_sock.http = true;
    get_sock.owner = post_sock.owner = this;
    post_sock.post = true;
  }
  sio::client eng;
  std::uint32_t index = 0;
  bool polling = false;  // long-polling only (--polling-share)
  http_sock get_sock, post_sock;
  enum class st : std::uint8_t { idle, connecting, upgrading, open, closed } state = st::idle;
  bool connected = false, ever_connected = false, failed = false;
  bool ready = false;  // closed loop: emits again at the end of the loop turn
  std::string frag;    // a fragmented message
  std::uint8_t frag_op = 0;
  std::uint32_t mask = 0;
  std::uint32_t outstanding = 0;
  std::unique_ptr<std::uint64_t[]> sent_at;  // binary: send time per ack id % ack_ring
};

class worker {
 public:
  worker(shared_run& run, unsigned id, const std::vector<std::uint32_t>& indices)
      : run_(run), opt_(*run.opt), id_(id) {
    sio::client_options o;
    o.engine.initial = eio::transport_kind::websocket;
    o.engine.upgrade = false;
    o.reconnect.enabled = false;  // a lost client is counted, not hidden by a reconnection
    sio::client_options op = o;
    op.engine.initial = eio::transport_kind::polling;
    for (const std::uint32_t i : indices) {
      // Spread evenly: client i polls when floor((i + 1) F) > floor(i F).
      const bool polls =
          std::floor((i + 1) * opt_.polling_share) > std::floor(i * opt_.polling_share);
      auto c = std::make_unique<client>(polls ? op : o);
      c->polling = polls;
      c->index = i;
      c->mask = 0x9E3779B9u * (i + 1);
      if (opt_.scen == scenario::binary) c->sent_at.reset(new std::uint64_t[ack_ring]());
      clients_.push_back(std::move(c));
    }
    buf_.reset(new char[read_buffer_size]);
    payload_.reserve(opt_.payload + 32);
    bin_.assign(binary_size, 'b');
    batch_ns_ = static_cast<std::uint64_t>(opt_.batch_us * 1000);
  }

  void run() {
    ep_ = epoll_create1(EPOLL_CLOEXEC);
    std::vector<epoll_event> evs(1024);
    const std::uint64_t t0 = clock_ns();
    int last_phase = connecting;
    std::uint64_t last_scan = 0, last_second = t0;
    const double thread_rate =
        opt_.rate * static_cast<double>(clients_.size()) / static_cast<double>(opt_.clients);
    const double thread_connect_rate = opt_.connect_rate / static_cast<double>(opt_.threads);
    std::uint64_t load_start = 0, scheduled = 0;
    std::size_t rr = 0;  // round robin over the clients for the open loop
    for (;;) {
      const int ph = run_.ph.load(std::memory_order_acquire);
      if (ph == stopping) break;
      const bool emitting = ph >= warming && opt_.scen != scenario::idle;
      const int timeout = emitting || started_ < clients_.size() ? 1 : 10;
      if (batch_ns_ != 0) {
        // Fewer, fuller wake-ups: more frames per read and events per epoll_wait, each
        // measured latency up to batch_ns_ longer.
        const std::uint64_t since = clock_ns() - now_ns_;
        if (since < batch_ns_) {
          const timespec ts{0, static_cast<long>(batch_ns_ - since)};
          nanosleep(&ts, nullptr);
        }
      }
      const int n = epoll_wait(ep_, evs.data(), static_cast<int>(evs.size()), timeout);
      now_ns_ = clock_ns();
      now_ms_ = now_ns_ / 1000000u;
      measuring_ = ph == measuring;
      for (int i = 0; i < n; ++i) {
        pollable* p = static_cast<pollable*>(evs[static_cast<std::size_t>(i)].data.ptr);
        const std::uint32_t what = evs[static_cast<std::size_t>(i)].events;
        if (p->http) {
          on_http_io(*static_cast<http_sock*>(p), what);
        } else {
          on_io(*static_cast<client*>(p), what);
        }
      }
      // The engines' timers (heartbeat, connect timeout): at most every 5 ms.
      if (now_ns_ - last_scan >= 5000000u) {
        last_scan = now_ns_;
        for (auto& cp : clients_) {
          client& c = *cp;
          if (c.state == client::st::idle || c.state == client::st::closed) continue;
          if (c.eng.next_deadline() <= now_ms_) {
            c.eng.handle_timeout(now_ms_);
            drain(c);
          }
        }
      }
      // Connections, paced at --connect-rate.
      if (started_ < clients_.size()) {
        const double due = static_cast<double>(now_ns_ - t0) / 1e9 * thread_connect_rate + 1;
        while (started_ < clients_.size() && static_cast<double>(started_) < due) {
          start(*clients_[started_++]);
        }
      }
      if (ph != last_phase) {
        if (last_phase == connecting && emitting) {
          load_start = now_ns_;
          if (closed_loop()) {
            for (auto& cp : clients_) {
              if (cp->connected) mark_ready(*cp);
            }
          }
        }
        last_phase = ph;
      }
      // The load: a fresh clock read, so that send stamps do not include this turn's reading.
      if (emitting) {
        now_ns_ = clock_ns();
        now_ms_ = now_ns_ / 1000000u;
        if (closed_loop()) {
          work_.swap(ready_);  // emits may make clients ready again (into ready_)
          for (client* c : work_) {
            c->ready = false;
            if (c->connected) emit_one(*c);
          }
          work_.clear();
        } else if (load_start != 0 && !clients_.empty()) {
          const auto due = static_cast<std::uint64_t>(static_cast<double>(now_ns_ - load_start) /
                                                      1e9 * thread_rate);
          std::size_t misses = 0;
          while (scheduled < due && misses < clients_.size()) {
            client& c = *clients_[rr];
            rr = rr + 1 == clients_.size() ? 0 : rr + 1;
            if (!c.connected) {
              ++misses;
              continue;
            }
            misses = 0;
            ++scheduled;
            emit_one(c);
          }
          if (misses >= clients_.size()) scheduled = due;  // nobody connected: skip, do not burst
        }
      }
      if (now_ns_ - last_second >= 1000000000u) {
        last_second = now_ns_;
        prog.p99_ns.store(recent_.percentile(99), std::memory_order_relaxed);
        recent_.reset();
      }
      prog.connected.store(connected_, std::memory_order_relaxed);
      prog.failed.store(failed_, std::memory_order_relaxed);
      prog.sent.store(sent_total_, std::memory_order_relaxed);
      prog.received.store(received_total_, std::memory_order_relaxed);
    }
    connected_at_end = 0;
    for (auto& cp : clients_) {
      connected_at_end += cp->connected;
      if (cp->fd >= 0) ::close(cp->fd);
      cp->fd = -1;
      if (cp->get_sock.fd >= 0) ::close(cp->get_sock.fd);
      if (cp->post_sock.fd >= 0) ::close(cp->post_sock.fd);
    }
    ::close(ep_);
  }

  // Results, read by main() after join().
  progress prog;
  histogram hist;
  std::uint64_t sent = 0, received = 0, errors = 0, disconnects = 0, skipped = 0;
  std::uint64_t connected_at_end = 0;
  std::uint64_t connected_ = 0, failed_ = 0;

 private:
  bool closed_loop() const {
    return (opt_.scen == scenario::echo || opt_.scen == scenario::binary) && opt_.rate <= 0;
  }

  void start(client& c) {
    std::string auth = "{\"room\":\"r" + std::to_string(c.index / opt_.room_size) + "\"}";
    (void)c.eng.open(now_ms_, 0x5EEDull * (c.index + 1) + id_);
    (void)c.eng.join("/", sio::raw_json(auth), now_ms_);
    if (c.polling) c.state = client::st::open;  // its requests open their own connections
    drain(c);
  }

  // ---- connections (a WebSocket, or a polling client's GET or POST) --------------------------
  // A non-blocking connection to the server, registered for its connect (EPOLLOUT). False when
  // it failed at once (p.fd may be open: close_conn() it).
  bool open_conn(pollable& p) {
    p.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (p.fd < 0) return false;
    const int one = 1;
    (void)setsockopt(p.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const int r = ::connect(p.fd, reinterpret_cast<const sockaddr*>(&run_.addr), sizeof run_.addr);
    if (r != 0 && errno != EINPROGRESS) return false;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
    ev.data.ptr = &p;
    p.want_out = true;
    return epoll_ctl(ep_, EPOLL_CTL_ADD, p.fd, &ev) == 0;
  }

  // Writes what `p` holds, and watches EPOLLOUT while some is left. False when the connection
  // failed.
  bool write_out(pollable& p) {
    while (p.out_off < p.out.size()) {
      const ssize_t w = ::send(p.fd, p.out.data() + p.out_off, p.out.size() - p.out_off,
                               MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        if (errno == EINTR) continue;
        return false;
      }
      p.out_off += static_cast<std::size_t>(w);
    }
    const bool pending = p.out_off < p.out.size();
    if (!pending) {
      p.out.clear();
      p.out_off = 0;
    }
    if (pending != p.want_out) {
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLRDHUP | (pending ? EPOLLOUT : 0u);
      ev.data.ptr = &p;
      (void)epoll_ctl(ep_, EPOLL_CTL_MOD, p.fd, &ev);
      p.want_out = pending;
    }
    return true;
  }

  void close_conn(pollable& p) {
    if (p.fd >= 0) {
      (void)epoll_ctl(ep_, EPOLL_CTL_DEL, p.fd, nullptr);
      ::close(p.fd);
    }
    p.fd = -1;
    p.want_out = false;
    p.in.clear();
    p.out.clear();
    p.out_off = 0;
  }

  // ---- WebSocket clients ----------------------------------------------------------------------
  void connect_tcp(client& c, std::string_view query) {
    c.state = client::st::connecting;
    c.out.clear();
    c.out_off = 0;
    ws::append_upgrade_request(c.out, run_.host_header, "/socket.io/", query);
    if (!open_conn(c)) return transport_failed(c);
  }

  void close_fd(client& c) {
    close_conn(c);
    c.state = client::st::closed;
  }

  // The TCP connection or the WebSocket failed: the engine decides what it means.
  void transport_failed(client& c) {
    close_fd(c);
    c.eng.handle_ws_closed(now_ms_, true);
    drain(c);
  }

  void on_io(client& c, std::uint32_t events) {
    if (c.fd < 0) return;
    if (c.state == client::st::connecting && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
      int err = 0;
      socklen_t len = sizeof err;
      (void)getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) return transport_failed(c);
      c.state = client::st::upgrading;
    }
    if (events & EPOLLOUT) {
      if (!flush(c)) return;
    }
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) on_readable(c);
  }

  // Writes what is queued; false when the connection failed (and was handled).
  bool flush(client& c) {
    if (c.fd < 0 || c.state == client::st::connecting) return true;
    if (write_out(c)) return true;
    transport_failed(c);
    return false;
  }

  void on_readable(client& c) {
    // The incomplete tail of the last read goes first, then one read fills the large buffer.
    const std::size_t kept = c.in.size();
    if (kept) std::memcpy(buf_.get(), c.in.data(), kept);
    const ssize_t r = ::read(c.fd, buf_.get() + kept, read_buffer_size - kept);
    if (r == 0) {
      close_fd(c);
      c.eng.handle_ws_closed(now_ms_, false);
      drain(c);
      return;
    }
    if (r < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
      return transport_failed(c);
    }
    std::string_view data(buf_.get(), kept + static_cast<std::size_t>(r));
    if (c.state == client::st::upgrading) {
      std::size_t used = 0;
      const ws::parse_status s = ws::parse_upgrade_response(data, used);
      if (s == ws::parse_status::incomplete) {
        c.in.assign(data.data(), data.size());
        return;
      }
      if (s == ws::parse_status::failed) return transport_failed(c);
      data.remove_prefix(used);
      c.state = client::st::open;
      c.eng.handle_ws_open(now_ms_);
      drain(c);
    }
    while (c.state == client::st::open) {
      ws::frame f;
      std::size_t used = 0;
      const ws::parse_status s = ws::parse_frame(data, max_frame, f, used);
      if (s == ws::parse_status::incomplete) break;
      if (s == ws::parse_status::failed) return transport_failed(c);
      data.remove_prefix(used);
      on_frame(c, f);
    }
    if (c.state == client::st::open) {
      c.in.assign(data.data(), data.size());
      drain(c);
    }
  }

  void on_frame(client& c, const ws::frame& f) {
    switch (f.opcode) {
      case ws::op_text:
      case ws::op_binary:
        if (!f.fin) {
          c.frag.assign(f.payload.data(), f.payload.size());
          c.frag_op = f.opcode;
          return;
        }
        c.eng.handle_ws_message(
            f.opcode == ws::op_text ? eio::frame_kind::text : eio::frame_kind::binary, f.payload,
            now_ms_);
        break;
      case ws::op_continuation:
        c.frag.append(f.payload.data(), f.payload.size());
        if (c.frag.size() > max_frame) return transport_failed(c);
        if (!f.fin) return;
        c.eng.handle_ws_message(
            c.frag_op == ws::op_text ? eio::frame_kind::text : eio::frame_kind::binary, c.frag,
            now_ms_);
        c.frag.clear();
        break;
      case ws::op_ping: ws::append_frame(c.out, ws::op_pong, f.payload, {}, next_mask(c)); return;
      case ws::op_close:
        ws::append_frame(c.out, ws::op_close, {}, {}, next_mask(c));
        (void)flush(c);
        close_fd(c);
        c.eng.handle_ws_closed(now_ms_, false);
        break;
      default: return;
    }
    // Drained after every message: the events are views into the engine's buffers.
    while (const std::optional<sio::client_event> ev = c.eng.poll_event()) on_event(c, *ev);
  }

  static std::uint32_t next_mask(client& c) {
    c.mask ^= c.mask << 13;
    c.mask ^= c.mask >> 17;
    c.mask ^= c.mask << 5;
    return c.mask;
  }

  void drain(client& c) {
    for (;;) {
      bool any = false;
      while (const std::optional<sio::client_event> ev = c.eng.poll_event()) {
        any = true;
        on_event(c, *ev);
      }
      while (const std::optional<eio::client_transmit> tx = c.eng.poll_transmit()) {
        any = true;
        switch (tx->action) {
          case eio::client_action::open_websocket: connect_tcp(c, tx->query); break;
          case eio::client_action::ws_send:
            if (c.state == client::st::open) {
              ws::append_frame(c.out,
                               tx->body.kind == eio::frame_kind::text ? ws::op_text : ws::op_binary,
                               tx->body.prefix, tx->body.data, next_mask(c));
            }
            break;
          case eio::client_action::ws_close:
            if (c.state == client::st::open) {
              ws::append_frame(c.out, ws::op_close, {}, {}, next_mask(c));
              (void)flush(c);
            }
            close_fd(c);
            break;
          case eio::client_action::get: http_request(c, c.get_sock, *tx); break;
          case eio::client_action::post: http_request(c, c.post_sock, *tx); break;
        }
      }
      if (!any) break;
    }
    if (c.polling) {
      if (!c.eng.is_open() && c.state != client::st::closed) {
        http_close(c.get_sock);
        http_close(c.post_sock);
        c.state = client::st::closed;
      }
      return;
    }
    if (c.state == client::st::open && c.out_off < c.out.size()) (void)flush(c);
  }

  // ---- long-polling: plain HTTP/1.1 keep-alive requests --------------------------------------
  void http_request(client& c, http_sock& s, const eio::client_transmit& tx) {
    if (c.state != client::st::open) return;
    s.out.clear();
    s.out_off = 0;
    http::append_request(s.out, s.post, run_.host_header, "/socket.io/", tx.query,
                         tx.body.kind == eio::frame_kind::binary, tx.body.prefix, tx.body.data);
    s.busy = true;
    if (s.fd >= 0) {
      (void)http_flush(s);
      return;
    }
    s.connecting = true;
    if (!open_conn(s)) return http_failed(s);
  }

  void http_close(http_sock& s) {
    close_conn(s);
    s.connecting = false;
  }

  // The request in flight failed (or the connection under it): the engine's transport error.
  void http_failed(http_sock& s) {
    const bool busy = s.busy;
    http_close(s);
    s.busy = false;
    if (!busy) return;
    client& c = *s.owner;
    c.eng.handle_http_error(s.post ? eio::client_action::post : eio::client_action::get, now_ms_);
    drain(c);
  }

  bool http_flush(http_sock& s) {
    if (s.fd < 0 || s.connecting) return true;
    if (write_out(s)) return true;
    http_failed(s);
    return false;
  }

  void on_http_io(http_sock& s, std::uint32_t events) {
    if (s.fd < 0) return;
    if (s.connecting && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
      int err = 0;
      socklen_t len = sizeof err;
      (void)getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) return http_failed(s);
      s.connecting = false;
    }
    if (events & EPOLLOUT) {
      if (!http_flush(s)) return;
    }
    if (!(events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) return;
    const std::size_t kept = s.in.size();
    if (kept) std::memcpy(buf_.get(), s.in.data(), kept);
    const ssize_t r = ::read(s.fd, buf_.get() + kept, read_buffer_size - kept);
    if (r == 0) return http_failed(s);  // an idle keep-alive connection closes quietly
    if (r < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
      return http_failed(s);
    }
    const std::string_view data(buf_.get(), kept + static_cast<std::size_t>(r));
    http::response resp;
    std::size_t used = 0;
    const http::parse_status st = http::parse_response(data, max_frame + 1024, resp, used);
    if (st == http::parse_status::incomplete) {
      s.in.assign(data.data(), data.size());
      return;
    }
    if (st == http::parse_status::failed || !s.busy) return http_failed(s);
    s.in.clear();
    s.busy = false;
    if (resp.close) http_close(s);
    client& c = *s.owner;
    if (resp.status != 200) {
      c.eng.handle_http_error(s.post ? eio::client_action::post : eio::client_action::get, now_ms_);
    } else if (s.post) {
      c.eng.handle_post_response(now_ms_);
    } else {
      c.eng.handle_get_response(resp.binary ? eio::frame_kind::binary : eio::frame_kind::text,
                                resp.body, now_ms_);
    }
    drain(c);
  }

  void on_event(client& c, const sio::client_event& e) {
    using k = sio::client_event_kind;
    switch (e.kind) {
      case k::connect:
        c.connected = true;
        if (!c.ever_connected) {
          c.ever_connected = true;
          ++connected_;
        }
        if (closed_loop() && run_.ph.load(std::memory_order_relaxed) >= warming) mark_ready(c);
        return;
      case k::connect_error:
        if (!c.failed) {
          c.failed = true;
          ++failed_;
          ++errors;
        }
        return;
      case k::event: {
        if (opt_.scen != scenario::chat) return;
        std::string_view s;
        for (const sio::any_value& a : e.packet.arguments()) {
          if (!a.direct_string(s)) s = {};
          break;
        }
        arrived(parse_stamp(s));
        return;
      }
      case k::ack: {
        if (c.outstanding) --c.outstanding;
        std::uint64_t stamp = 0;
        if (opt_.scen == scenario::binary) {
          stamp = c.sent_at[e.ack_id % ack_ring];
        } else {
          std::string_view s;
          for (const sio::any_value& a : e.packet.arguments()) {
            if (!a.direct_string(s)) s = {};
            break;
          }
          stamp = parse_stamp(s);
        }
        arrived(stamp);
        if (closed_loop()) mark_ready(c);
        return;
      }
      case k::ack_timeout:
      case k::ack_disconnected:
        if (c.outstanding) --c.outstanding;
        return;
      case k::disconnect:
        if (c.connected) ++disconnects;
        c.connected = false;
        if (e.reason == sio::disconnect_reason::parse_error ||
            e.reason == sio::disconnect_reason::queue_full) {
          ++errors;
        }
        return;
      case k::reconnect_attempt:
      case k::reconnect:
      case k::reconnect_failed:
      case k::engine: return;
    }
  }

  void mark_ready(client& c) {
    if (c.ready) return;
    c.ready = true;
    ready_.push_back(&c);
  }

  void arrived(std::uint64_t stamp) {
    ++received_total_;
    if (stamp == 0) {
      ++errors;  // an answer without our stamp: the server changed it
      return;
    }
    // The clock is read once per loop turn, before the reads: a frame sent by another thread
    // after that read shows as 0.
    const std::uint64_t lat = stamp < now_ns_ ? now_ns_ - stamp : 0;
    recent_.record(lat);
    if (!measuring_) return;
    ++received;
    hist.record(lat);
  }

  void emit_one(client& c) {
    if (opt_.scen == scenario::binary && c.outstanding >= ack_ring) {
      ++skipped;  // the server is that far behind: do not overwrite a pending send time
      return;
    }
    payload_.clear();
    char stamp[24];
    const int n =
        std::snprintf(stamp, sizeof stamp, "%llu;", static_cast<unsigned long long>(now_ns_));
    payload_.append(stamp, static_cast<std::size_t>(n));
    if (payload_.size() < opt_.payload) payload_.append(opt_.payload - payload_.size(), 'x');
    const std::string_view text(payload_);
    bool ok = false;
    sio::emit_options ack;
    ack.want_ack = true;
    switch (opt_.scen) {
      case scenario::chat: ok = c.eng.emit(sio::event("chat", text), now_ms_).has_value(); break;
      case scenario::echo:
        ok = c.eng.emit(sio::event("echo", text), now_ms_, ack).has_value();
        break;
      case scenario::binary: {
        const auto r = c.eng.emit(sio::event("bin", siocodec::byte_view(bin_.data(), bin_.size())),
                                  now_ms_, ack);
        ok = r.has_value();
        if (ok) c.sent_at[*r % ack_ring] = now_ns_;
        break;
      }
      case scenario::idle: return;
    }
    if (!ok) {
      ++errors;
      return;
    }
    if (opt_.scen != scenario::chat) ++c.outstanding;
    ++sent_total_;
    if (measuring_) ++sent;
    drain(c);
  }

  shared_run& run_;
  const options& opt_;
  unsigned id_;
  int ep_ = -1;
  std::vector<std::unique_ptr<client>> clients_;
  std::size_t started_ = 0;
  std::unique_ptr<char[]> buf_;
  std::string payload_, bin_;
  std::vector<client*> ready_, work_;
  histogram recent_;
  std::uint64_t now_ns_ = 0, now_ms_ = 0;
  std::uint64_t batch_ns_ = 0;
  bool measuring_ = false;
  std::uint64_t sent_total_ = 0, received_total_ = 0;
};

void usage() {
  std::fprintf(
      stderr,
      "usage: siocodec_loadgen --port P [--host 127.0.0.1] "
      "--scenario chat|echo|binary|idle --clients N\n"
      "  [--rate R] [--room-size 100] [--payload 100] [--duration S] [--warmup S]\n"
      "  [--threads T] [--polling-share F] [--connect-rate C] [--batch-us U] [--json FILE]\n"
      "  [--quiet]\n");
}

bool parse_scenario(std::string_view name, scenario& out) {
  const std::pair<std::string_view, scenario> names[] = {
      {"chat", scenario::chat},
      {"echo", scenario::echo},
      {"binary", scenario::binary},
      {"idle", scenario::idle},
  };
  for (const auto& n : names) {
    if (n.first == name) {
      out = n.second;
      return true;
    }
  }
  return false;
}

bool parse_args(int argc, char** argv, options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--quiet") {
      o.quiet = true;
      continue;
    }
    if (i + 1 >= argc) return false;
    const char* v = argv[++i];
    char* end = nullptr;
    const double d = std::strtod(v, &end);
    const bool num = end != v && *end == '\0' && d >= 0;
    if (a == "--host") {
      o.host = v;
      continue;
    }
    if (a == "--json") {
      o.json_file = v;
      continue;
    }
    if (a == "--scenario") {
      o.scenario_name = v;
      if (!parse_scenario(o.scenario_name, o.scen)) return false;
      continue;
    }
    if (!num) return false;
    if (a == "--port") {
      o.port = static_cast<int>(d);
    } else if (a == "--clients") {
      o.clients = static_cast<std::uint32_t>(d);
    } else if (a == "--rate") {
      o.rate = d;
    } else if (a == "--room-size") {
      o.room_size = static_cast<std::uint32_t>(d);
    } else if (a == "--payload") {
      o.payload = static_cast<std::size_t>(d);
    } else if (a == "--duration") {
      o.duration = d;
    } else if (a == "--warmup") {
      o.warmup = d;
    } else if (a == "--threads") {
      o.threads = static_cast<unsigned>(d);
    } else if (a == "--polling-share") {
      o.polling_share = d;
    } else if (a == "--connect-rate") {
      o.connect_rate = d;
    } else if (a == "--batch-us") {
      o.batch_us = d;
    } else {
      return false;
    }
  }
  return o.port > 0 && o.port < 65536 && o.clients > 0 && o.room_size > 0 && o.threads > 0 &&
         o.connect_rate > 0 && o.polling_share <= 1 && o.batch_us < 1e6;
}

void sleep_s(double s) { std::this_thread::sleep_for(std::chrono::duration<double>(s)); }

}  // namespace

int main(int argc, char** argv) {
  options opt;
  if (!parse_args(argc, argv, opt)) {
    usage();
    return 2;
  }
  if (opt.scen == scenario::chat && opt.rate <= 0) opt.rate = opt.clients;  // 1/s per client
  if (opt.threads > opt.clients) opt.threads = opt.clients;
  // Every client is a descriptor: ask for the hard limit.
  rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &rl);
  }
  shared_run run;
  run.opt = &opt;
  run.addr.sin_family = AF_INET;
  run.addr.sin_port = htons(static_cast<std::uint16_t>(opt.port));
  const std::string host = opt.host == "localhost" ? "127.0.0.1" : opt.host;
  if (inet_pton(AF_INET, host.c_str(), &run.addr.sin_addr) != 1) {
    std::fprintf(stderr, "siocodec_loadgen: --host must be an IPv4 address\n");
    return 2;
  }
  run.host_header = opt.host + ":" + std::to_string(opt.port);

  std::vector<std::unique_ptr<worker>> workers;
  for (unsigned t = 0; t < opt.threads; ++t) {
    std::vector<std::uint32_t> mine;
    for (std::uint32_t i = t; i < opt.clients; i += opt.threads) mine.push_back(i);
    workers.push_back(std::make_unique<worker>(run, t, std::move(mine)));
  }
  std::vector<std::thread> threads;
  for (auto& w : workers) threads.emplace_back([&w] { w->run(); });

  const auto total = [&](std::atomic<std::uint64_t> progress::*f) {
    std::uint64_t s = 0;
    for (auto& w : workers) s += (w->prog.*f).load(std::memory_order_relaxed);
    return s;
  };
  const std::uint64_t t0 = clock_ns();
  std::uint64_t last_sent = 0, last_received = 0, last_tick = t0;
  const auto tick = [&](const char* what) {
    const std::uint64_t now = clock_ns();
    const std::uint64_t s = total(&progress::sent), r = total(&progress::received);
    const double dt = static_cast<double>(now - last_tick) / 1e9;
    std::uint64_t p99 = 0;
    for (auto& w : workers) p99 = std::max(p99, w->prog.p99_ns.load(std::memory_order_relaxed));
    if (!opt.quiet) {
      std::fprintf(stderr,
                   "[%5.1fs %s] connected %llu/%u failed %llu  sent/s %.0f  received/s %.0f  "
                   "p99 %.1f us\n",
                   static_cast<double>(now - t0) / 1e9, what,
                   static_cast<unsigned long long>(total(&progress::connected)), opt.clients,
                   static_cast<unsigned long long>(total(&progress::failed)),
                   static_cast<double>(s - last_sent) / dt,
                   static_cast<double>(r - last_received) / dt, static_cast<double>(p99) / 1e3);
    }
    last_sent = s;
    last_received = r;
    last_tick = now;
  };

  // Connect everyone (at --connect-rate), then warm up, then measure.
  const double connect_limit = static_cast<double>(opt.clients) / opt.connect_rate + 25;
  while (total(&progress::connected) + total(&progress::failed) < opt.clients &&
         static_cast<double>(clock_ns() - t0) / 1e9 < connect_limit) {
    sleep_s(opt.clients > 2000 ? 1.0 : 0.05);
    if (opt.clients > 2000) tick("connect");
  }
  tick("connect");
  run.ph.store(warming, std::memory_order_release);
  for (double w = 0; w < opt.warmup; w += 1) {
    sleep_s(std::min(1.0, opt.warmup - w));
    tick("warmup");
  }
  const cpu_time cpu0 = cpu_seconds();
  const std::uint64_t m0 = clock_ns();
  run.ph.store(measuring, std::memory_order_release);
  for (double w = 0; w < opt.duration; w += 1) {
    sleep_s(std::min(1.0, opt.duration - w));
    tick("run");
  }
  run.ph.store(stopping, std::memory_order_release);
  const std::uint64_t m1 = clock_ns();
  const cpu_time cpu1 = cpu_seconds();
  for (auto& t : threads) t.join();

  histogram h;
  std::uint64_t connected = 0, connect_failed = 0, errors = 0, disconnects = 0, sent = 0,
                received = 0, at_end = 0, skipped = 0;
  for (auto& w : workers) {
    h.merge(w->hist);
    connected += w->connected_;
    connect_failed += w->failed_;
    errors += w->errors;
    disconnects += w->disconnects;
    sent += w->sent;
    received += w->received;
    at_end += w->connected_at_end;
    skipped += w->skipped;
  }
  const double secs = static_cast<double>(m1 - m0) / 1e9;
  const double cpu_user = cpu1.user - cpu0.user, cpu_sys = cpu1.sys - cpu0.sys;
  const double cpu = cpu_user + cpu_sys;
  const auto us = [&](double p) { return static_cast<double>(h.percentile(p)) / 1e3; };
  char json[1024];
  std::snprintf(
      json, sizeof json,
      "{\"scenario\":\"%s\",\"clients\":%u,\"connected\":%llu,\"errors\":%llu,"
      "\"disconnects\":%llu,\"duration_s\":%.3f,\"sent\":%llu,\"received\":%llu,"
      "\"sent_per_s\":%.1f,\"received_per_s\":%.1f,"
      "\"latency_us\":{\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,\"p999\":%.1f,\"max\":%.1f},"
      "\"gen_cpu_s\":%.3f,\"gen_cpu_percent\":%.1f,\"gen_cpu_user_s\":%.3f,\"gen_cpu_sys_s\":%.3f,"
      "\"threads\":%u,\"connected_at_end\":%llu,"
      "\"connect_failed\":%llu,\"skipped\":%llu,\"offered_per_s\":%.1f,\"gen_max_rss_kb\":%ld}\n",
      opt.scenario_name.c_str(), opt.clients, static_cast<unsigned long long>(connected),
      static_cast<unsigned long long>(errors), static_cast<unsigned long long>(disconnects), secs,
      static_cast<unsigned long long>(sent), static_cast<unsigned long long>(received),
      static_cast<double>(sent) / secs, static_cast<double>(received) / secs, us(50), us(90),
      us(99), us(99.9), static_cast<double>(h.max()) / 1e3, cpu, cpu / secs * 100, cpu_user,
      cpu_sys, opt.threads, static_cast<unsigned long long>(at_end),
      static_cast<unsigned long long>(connect_failed), static_cast<unsigned long long>(skipped),
      opt.rate, max_rss_kb());
  if (!opt.json_file.empty()) {
    std::FILE* f = std::fopen(opt.json_file.c_str(), "w");
    if (!f || std::fputs(json, f) < 0 || std::fclose(f) != 0) {
      std::fprintf(stderr, "siocodec_loadgen: cannot write %s\n", opt.json_file.c_str());
      return 1;
    }
  } else {
    std::fputs(json, stdout);
  }
  return connected == opt.clients && errors == 0 ? 0 : 1;
}
