// SPDX-License-Identifier: BSL-1.0
// siocodec_load_server: the application bench/load measures (bench/load/README.md), on the Beast
// server adapter; bench/load/node_server.js is the same on socket.io 4.8.
//
//   siocodec_load_server [--host 127.0.0.1] [--port 0] [--ping-interval 25000]
//                        [--ping-timeout 20000] [--threads 1]
//
// Prints `listening <port>` when ready. Namespace "/": the CONNECT auth {"room":"r"} puts the
// socket in room r; `chat` [msg] goes to every socket of the sender's room, the sender included,
// encoded once (socketio::encoded_packet) and queued on each member with send_encoded; `echo`
// and `bin` are acked with their arguments; `stats` is acked with {rss, sockets, allocs,
// messages, heap}: allocs the operator new calls since start (counted by the replaced operator new
// below), messages the packets the application sent since start (chat copies and acks; beyond the
// contract, for the runner's allocations and CPU per message), heap the bytes operator new holds
// (for bench/load/idle_heap.py's heap per idle connection).
//
// --threads N: N io_contexts, one thread each, each with its own adapter server listening on the
// same port (server::reuse_port: the kernel spreads the connections). A room is a set of sockets
// per thread; a chat message is delivered by the sender's thread to its own members and posted,
// encoded, to the other threads, which deliver it to theirs: rooms are shared, each thread only
// ever touching its own sockets.
#include <siocodec/adapters/beast/server.hpp>
#include <siocodec/socketio/encoded_packet.hpp>

#include <boost/asio/post.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <malloc.h>
#include <unistd.h>

// --- operator new, counted (as bench/count.cpp counts it, without its malloc hooks) -----------
namespace {
std::atomic<std::uint64_t> g_news{0};
// The bytes operator new holds (malloc_usable_size: what each block really takes, without
// malloc's own header), for the heap per idle connection (bench/load/idle_heap.py).
std::atomic<std::int64_t> g_heap{0};

void* held(void* p) {
  if (p != nullptr) {
    g_heap.fetch_add(static_cast<std::int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
  }
  return p;
}
void release(void* p) noexcept {
  if (p == nullptr) return;
  g_heap.fetch_sub(static_cast<std::int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
  std::free(p);
}

void* counted_new(std::size_t n, std::size_t align) {
  g_news.fetch_add(1, std::memory_order_relaxed);
  if (n == 0) n = 1;
  void* p = nullptr;
  if (align > alignof(std::max_align_t)) {
    if (posix_memalign(&p, align, n) != 0) p = nullptr;
  } else {
    p = std::malloc(n);
  }
  if (p == nullptr) throw std::bad_alloc();
  return held(p);
}
}  // namespace

void* operator new(std::size_t n) { return counted_new(n, 0); }
void* operator new[](std::size_t n) { return counted_new(n, 0); }
void* operator new(std::size_t n, std::align_val_t a) {
  return counted_new(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a) {
  return counted_new(n, static_cast<std::size_t>(a));
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  g_news.fetch_add(1, std::memory_order_relaxed);
  return held(std::malloc(n == 0 ? 1 : n));
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  g_news.fetch_add(1, std::memory_order_relaxed);
  return held(std::malloc(n == 0 ? 1 : n));
}
void operator delete(void* p) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete(void* p, std::size_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t) noexcept { release(p); }
void operator delete(void* p, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { release(p); }

namespace {
namespace adapter = siocodec::adapters::beast;
namespace sio = siocodec::socketio;
namespace net = boost::asio;

std::atomic<std::int64_t> g_sockets{0};
std::atomic<std::uint64_t> g_messages{0};

void count(bool sent) {
  if (sent) g_messages.fetch_add(1, std::memory_order_relaxed);
}

std::uint64_t rss_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long long size = 0, resident = 0;
  const int got = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  if (got != 2) return 0;
  return static_cast<std::uint64_t>(resident) * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

class worker;

// A socket's place in its room, owned by the socket (user_data): it leaves the room when the
// socket is destroyed, whatever ended it.
struct membership {
  worker* home = nullptr;
  std::string room;
  adapter::socket* socket = nullptr;
  std::size_t index = 0;  // in the room's members, for the O(1) removal
  ~membership();
};

// One thread: its io_context, its adapter server, the room members it holds.
class worker {
 public:
  worker(const sio::server_options& opts, std::vector<std::unique_ptr<worker>>& all)
      : server_(io_, opts), all_(all) {
    adapter::namespace_def& ns = server_.of("/");
    // The CONNECT auth is seen by authorize(), the socket by on_connect() right after.
    ns.authorize = [this](const sio::any_value& auth) -> std::optional<std::string> {
      pending_room_.clear();
      sio::any_value room;
      if (auth.is_object() && auth.find("room", room) && room.is_string()) {
        (void)room.append_string(pending_room_);
      }
      return std::nullopt;
    };
    ns.on_connect = [this](adapter::socket& s) { join(s); };
    ns.on("chat", [this](adapter::socket& s, const adapter::incoming_event& ev) { chat(s, ev); });
    ns.on("echo", [](adapter::socket& s, const adapter::incoming_event& ev) {
      count(adapter::echo(s, ev));
    });
    ns.on("bin", [](adapter::socket& s, const adapter::incoming_event& ev) {
      count(adapter::echo(s, ev));
    });
    ns.on("stats", [](adapter::socket& s, const adapter::incoming_event& ev) {
      // Read before the ack's own allocations, so that a window's difference is its own.
      const std::uint64_t allocs = g_news.load(std::memory_order_relaxed);
      s.ack(ev, sio::object("rss", rss_bytes(), "sockets", g_sockets.load(), "allocs", allocs,
                            "messages", g_messages.load(), "heap", g_heap.load()));
    });
  }

  std::uint16_t listen(const std::string& host, std::uint16_t port, bool reuse_port) {
    server_.reuse_port = reuse_port;
    return server_.listen(host, port);
  }
  net::io_context& io() { return io_; }

  void leave(membership& m) {
    g_sockets.fetch_sub(1, std::memory_order_relaxed);
    if (m.room.empty()) return;
    auto it = rooms_.find(m.room);
    if (it == rooms_.end()) return;
    std::vector<membership*>& v = it->second;
    if (m.index < v.size() && v[m.index] == &m) {
      v[m.index] = v.back();
      v[m.index]->index = m.index;
      v.pop_back();
    }
    if (v.empty()) rooms_.erase(it);
  }

 private:
  void join(adapter::socket& s) {
    g_sockets.fetch_add(1, std::memory_order_relaxed);
    auto m = std::make_shared<membership>();
    m->home = this;
    m->socket = &s;
    m->room = std::move(pending_room_);
    pending_room_.clear();
    if (!m->room.empty()) {
      std::vector<membership*>& v = rooms_[m->room];
      m->index = v.size();
      v.push_back(m.get());
    }
    s.user_data = std::move(m);
  }

  void chat(adapter::socket& s, const adapter::incoming_event& ev) {
    const auto* m = static_cast<const membership*>(s.user_data.get());
    const sio::server_connection& c = s.eio_session().conn();
    sio::codec_options o = c.options().codec;
    o.version = sio::protocol_for(c.engine().version());
    // Encoded into storage kept from the previous message: no allocation once it is large enough.
    if (once_.assign(sio::event("chat", adapter::copy_args(ev.packet)).nsp(s.nsp()),
                     sio::codec(c.options().parser, o)) != siocodec::errc::none) {
      return;
    }
    if (m == nullptr || m->room.empty()) {
      count(s.send_encoded(once_));  // in no room: to the sender only, as io.to(socket.id) would
      return;
    }
    deliver(m->room, once_);
    if (all_.size() < 2) return;
    auto shared = std::make_shared<const sio::encoded_packet>(once_);
    for (const std::unique_ptr<worker>& w : all_) {
      if (w.get() == this) continue;
      worker* other = w.get();
      net::post(other->io_, [other, room = m->room, shared] { other->deliver(room, *shared); });
    }
  }

  // Sends `p` to this thread's members of `room`. Backwards: a send that closes its session
  // (send queue full) removes that member, which moves the last one, already served, into its
  // place.
  void deliver(const std::string& room, const sio::encoded_packet& p) {
    auto it = rooms_.find(room);
    if (it == rooms_.end()) return;
    for (std::size_t i = it->second.size(); i-- > 0;) {
      it = rooms_.find(room);
      if (it == rooms_.end()) return;
      if (i >= it->second.size()) continue;
      count(it->second[i]->socket->send_encoded(p));
    }
  }

  net::io_context io_{1};
  adapter::server server_;
  std::vector<std::unique_ptr<worker>>& all_;
  std::unordered_map<std::string, std::vector<membership*>> rooms_;
  std::string pending_room_;
  sio::encoded_packet once_;
};

membership::~membership() { home->leave(*this); }

int usage() {
  std::fprintf(stderr, "usage: siocodec_load_server [--host H] [--port P] [--ping-interval MS] "
                       "[--ping-timeout MS] [--threads N]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  unsigned long port = 0, ping_interval = 25000, ping_timeout = 20000, threads = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (i + 1 >= argc) return usage();
    const char* v = argv[++i];
    char* end = nullptr;
    const unsigned long n = std::strtoul(v, &end, 10);
    const bool number = end != v && *end == '\0';
    if (a == "--host") {
      host = v;
    } else if (a == "--port" && number && n < 65536) {
      port = n;
    } else if (a == "--ping-interval" && number && n > 0) {
      ping_interval = n;
    } else if (a == "--ping-timeout" && number && n > 0) {
      ping_timeout = n;
    } else if (a == "--threads" && number && n > 0 && n <= 256) {
      threads = n;
    } else {
      return usage();
    }
  }

  // socket.io 4.8's defaults (maxHttpBufferSize 1e6, both transports, upgrades), the contract's
  // ping options.
  adapter::engine_options eo;
  eo.ping_interval = static_cast<std::uint32_t>(ping_interval);
  eo.ping_timeout = static_cast<std::uint32_t>(ping_timeout);
  eo.max_payload = 1000000;
  const sio::server_options opts = adapter::make_server_options(eo, sio::parser_kind::json);

  std::vector<std::unique_ptr<worker>> workers;
  for (unsigned long i = 0; i < threads; ++i) {
    workers.push_back(std::make_unique<worker>(opts, workers));
  }
  auto bound = static_cast<std::uint16_t>(port);
  try {
    for (auto& w : workers) bound = w->listen(host, bound, threads > 1);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "siocodec_load_server: %s\n", e.what());
    return 1;
  }
  std::printf("listening %u\n", static_cast<unsigned>(bound));
  std::fflush(stdout);

  std::vector<std::thread> running;
  for (std::size_t i = 1; i < workers.size(); ++i) {
    running.emplace_back([&w = *workers[i]] { w.io().run(); });
  }
  workers[0]->io().run();
  for (std::thread& t : running) t.join();
}
