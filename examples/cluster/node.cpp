// SPDX-License-Identifier: BSL-1.0
// siocodec_cluster_node: a Socket.IO server (the Beast server adapter) joined to a cluster of
// @socket.io/redis-adapter 8.3 nodes (Node socket.io 4.8 servers) through Redis, as an equal: a
// broadcast from any node reaches the sockets of its rooms on every node (docs/cluster.md).
//
//   siocodec_cluster_node [--host IP] [--port N] [--redis-host IP] [--redis-port N] [--key PREFIX]
//
// Namespaces "/" and "/admin"; a socket's events (OPTS is {nsp, rooms, except}, rooms and except
// arrays of names, both optional):
//   join ROOM | [ROOM...]            joins rooms (this server only); acked with the socket's id
//   broadcast OPTS EVENT ARGS...     io.of(nsp).to(rooms).except(except).emit(EVENT, ARGS...);
//                                    acked with true once published
//   broadcast_ack {..., timeout} EVENT ARGS...
//                                    the same with .timeout(ms).emitWithAck(): acked with every
//                                    client's answer, or {error, acks} after the timeout
//   fetch OPTS                       fetchSockets(): acked with [{id, handshake, rooms, data}...]
//   rooms {nsp}                      adapter.allRooms(): acked with the names
//   sse {nsp} EVENT ARGS...          serverSideEmitWithAck() to the other nodes: acked with their
//                                    answers (those three: {error} after requestsTimeout, 5 s)
//   sockets_join {..., target}       socketsJoin(target) / socketsLeave(target) /
//   sockets_leave {..., target}      disconnectSockets(close), on every node: acked with true
//   disconnect_sockets {..., close}  once published
// A server-side event of another node that wants an ack is answered "siocodec:<its first
// argument as JSON>". Every socket is in the room of its own id, as in socket.io. Prints
// `listening PORT` once it accepts connections and has subscribed to the cluster's channels;
// exits when stdin closes (0), or when a Redis connection goes down (1).
//
// The cluster logic is socketio::redis::node (one per namespace, sans-I/O): this program gives it
// what arrives on the Redis channels and the time, publishes what it hands out, and applies to
// its own sockets what it returns (cluster_node::apply). Two Redis connections
// (cluster::redis_link, hiredis on this io_context): one subscribes, one publishes.
#include "redis_link.hpp"

#include <siocodec/adapters/beast/server.hpp>
#include <siocodec/redis.hpp>
#include <siocodec/socketio/copy.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <unistd.h>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace demo = ::siocodec::adapters::beast;
namespace sio = ::siocodec::socketio;
namespace msgpack = ::siocodec::msgpack;
namespace rs = ::siocodec::socketio::redis;

namespace {

// The strings of an array (JSON or msgpack). A number names a room a JavaScript server joined
// with a number, which no socket of this node (rooms are the strings of `join`) can be in:
// skipped.
std::vector<std::string> strings_of(const sio::any_value& v) {
  std::vector<std::string> out;
  if (!v.is_array()) return out;
  for (const sio::any_value& e : v.elements()) {
    std::string s;
    if (e.is_string() && e.append_string(s)) out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string_view> views(const std::vector<std::string>& v) {
  return std::vector<std::string_view>(v.begin(), v.end());
}

// A JSON string literal.
std::string quoted(std::string_view s) {
  std::string out;
  (void)::siocodec::json::encode_string(s, out);
  return out;
}

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

// One namespace of this node: its sockets and their rooms (socket.io's in-memory adapter), and
// what socketio::redis::node needs of them.
class space final : public rs::local_sockets {
 public:
  explicit space(std::string name) : name_(std::move(name)) {}
  const std::string& name() const { return name_; }

  void add(demo::socket& s) {
    member& m = sockets_[s.id()];
    m.socket = &s;
    // The handshake as far as the Beast adapter tells it: when (socket.handshake.time, issued).
    const auto wall = std::chrono::system_clock::now();
    m.issued = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(wall.time_since_epoch()).count());
    const std::time_t t = std::chrono::system_clock::to_time_t(wall);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[96];
    const std::size_t n = std::strftime(
        buf, sizeof buf, "%a %b %d %Y %H:%M:%S GMT+0000 (Coordinated Universal Time)", &tm);
    m.time.assign(buf, n);
  }
  void remove(const std::string& id) {
    sockets_.erase(id);
    auto j = joined_.find(id);
    if (j == joined_.end()) return;
    for (const std::string& r : j->second) {
      auto it = rooms_.find(r);
      if (it == rooms_.end()) continue;
      it->second.erase(id);
      if (it->second.empty()) rooms_.erase(it);
    }
    joined_.erase(j);
  }
  void join(const std::string& id, const std::string& room) {
    if (sockets_.find(id) == sockets_.end()) return;
    rooms_[room].insert(id);
    joined_[id].insert(room);
  }
  void leave(const std::string& id, const std::string& room) {
    auto it = rooms_.find(room);
    if (it != rooms_.end()) {
      it->second.erase(id);
      if (it->second.empty()) rooms_.erase(it);
    }
    auto j = joined_.find(id);
    if (j != joined_.end()) j->second.erase(room);
  }
  demo::socket* find(std::string_view id) const {
    auto it = sockets_.find(id);
    return it == sockets_.end() ? nullptr : it->second.socket;
  }

  // The ids of the sockets in any of `to` (all of them when empty) and in none of `except`.
  std::vector<std::string> select(const std::vector<std::string>& to,
                                  const std::vector<std::string>& except) const {
    std::set<std::string_view> out;
    const auto members = [this](std::string_view room, auto&& f) {
      if (auto it = rooms_.find(room); it != rooms_.end()) {
        for (const std::string& id : it->second) f(std::string_view(id));
      }
      if (auto it = sockets_.find(room); it != sockets_.end()) f(std::string_view(it->first));
    };
    if (to.empty()) {
      for (const auto& s : sockets_) out.insert(s.first);
    } else {
      for (const std::string& r : to) members(r, [&](std::string_view id) { out.insert(id); });
    }
    for (const std::string& r : except) members(r, [&](std::string_view id) { out.erase(id); });
    return std::vector<std::string>(out.begin(), out.end());
  }

  // rs::local_sockets: each socket with socket.rooms (its id first).
  void for_each(rs::socket_visitor& v) const override {
    std::vector<std::string_view> rooms;
    for (const auto& s : sockets_) {
      rooms.assign(1, s.first);
      if (auto j = joined_.find(s.first); j != joined_.end())
        rooms.insert(rooms.end(), j->second.begin(), j->second.end());
      rs::local_socket l;
      l.id = s.first;
      l.rooms = rs::room_list(rooms);
      l.handshake.time = s.second.time;
      l.handshake.issued = s.second.issued;
      l.handshake.url = "/socket.io/";
      if (!v.visit(l)) return;
    }
  }
  bool has_room(std::string_view room) const override {
    return rooms_.find(room) != rooms_.end() || sockets_.find(room) != sockets_.end();
  }

 private:
  struct member {
    demo::socket* socket = nullptr;
    std::uint64_t issued = 0;
    std::string time;
  };
  std::string name_;
  std::map<std::string, member, std::less<>> sockets_;               // by id
  std::map<std::string, std::set<std::string>, std::less<>> rooms_;  // room -> ids
  std::map<std::string, std::set<std::string>> joined_;              // id -> rooms
};

// Encodes EVENT builder `ev` once per protocol version among the sockets `ids` of `sp` and
// queues the same messages on each; @return to how many.
template <class B>
std::size_t deliver(const space& sp, const std::vector<std::string>& ids, B ev) {
  ev.nsp(sp.name());
  std::optional<sio::encoded_packet> once[2];  // Socket.IO v5, v4
  std::size_t n = 0;
  for (const std::string& id : ids) {
    demo::socket* s = sp.find(id);
    if (s == nullptr) continue;
    const sio::server_connection& c = s->eio_session().conn();
    const sio::protocol_version v = sio::protocol_for(c.engine().version());
    std::optional<sio::encoded_packet>& p = once[v == sio::protocol_version::v5 ? 0 : 1];
    if (!p) {
      sio::codec_options o = c.options().codec;
      o.version = v;
      auto r = sio::encoded_packet::encode(ev, sio::codec(c.options().parser, o));
      if (!r) return n;
      p = std::move(*r);
    }
    if (s->send_encoded(*p)) ++n;
  }
  return n;
}

// A node uid as the reference makes one (uid2(6)): 6 characters, random per process.
std::string make_uid() {
  static constexpr char chars[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::random_device rd;
  std::string uid;
  for (int i = 0; i < 6; ++i) uid += chars[rd() % 64];
  return uid;
}

// The options of a request event: {nsp, rooms, except, target, timeout, close}.
struct request_opts {
  std::string nsp;
  std::vector<std::string> rooms, except, target;
  double timeout = 0;
  bool close = false;
};

std::optional<request_opts> read_opts(const sio::any_value& v) {
  request_opts o;
  sio::any_value a;
  if (!v.is_object() || !v.find("nsp", a) || !a.append_string(o.nsp)) return std::nullopt;
  if (v.find("rooms", a)) o.rooms = strings_of(a);
  if (v.find("except", a)) o.except = strings_of(a);
  if (v.find("target", a)) o.target = strings_of(a);
  if (v.find("timeout", a) && a.is_number()) o.timeout = a.to_double() ? *a.to_double() : 0;
  if (v.find("close", a) && a.is_bool()) o.close = a.get_bool();
  return o;
}

// [event, args...] of a packet from Redis: the event name (socket.io-client has no listener
// for another kind), and a writer of the arguments for this server's clients.
std::optional<std::string> event_of(const sio::msgpack_packet_view& p) {
  auto data = p.data.elements();
  auto first = data.begin();
  if (first == data.end() || !(*first).is_string()) return std::nullopt;
  return std::string((*first).get_string());
}
auto packet_args(const sio::msgpack_packet_view& p) {
  return [data = p.data](auto& w) {
    bool name = true;
    for (const msgpack::value& a : data.elements()) {
      if (!name) rs::write_value(w, a);
      name = false;
    }
  };
}

// What a request of a client comes back with (the node's report on it).
using reply_fn = std::function<void(const rs::node_event&)>;

// The acks of one `broadcast_ack`, gathered as socket.io's BroadcastOperator.emitWithAck() does:
// complete once every node (this one included) told its client count and that many acks came.
struct ack_gathering {
  const space* from = nullptr;  // the requesting client
  std::string client;
  std::uint64_t ack_id = 0;
  std::uint32_t servers = 1, seen = 1;  // this node counts itself
  std::uint64_t clients = 0;
  std::vector<std::pair<bool, std::string>> acks;  // msgpack?, its bytes / JSON text
  bool done = false;
};

class cluster_node {
 public:
  cluster_node(boost::asio::io_context& io, std::string key)
      : io_(io), key_(std::move(key)), sub_(io), pub_(io), timer_(io), server_(io) {
    for (const char* name : {"/", "/admin"}) {
      space& sp = spaces_.try_emplace(name, name).first->second;
      rs::node_options opts;
      opts.key = key_;
      // One adapter per namespace, each with its own uid, as the reference.
      nodes_.try_emplace(name, std::make_unique<rs::node>(name, make_uid(), sp, opts));
      demo::namespace_def& ns = server_.of(name);
      ns.on_connect = [&sp](demo::socket& s) {
        sp.add(s);
        // The id is kept: once the socket has left, the engine no longer knows it.
        s.on_disconnect([&sp, id = s.id()](demo::socket&, std::string_view) { sp.remove(id); });
      };
      ns.on("join", [&sp](demo::socket& s, const demo::incoming_event& ev) {
        for (const std::string& room : strings_of(ev.packet.data()[1])) sp.join(s.id(), room);
        std::string room;
        const sio::any_value arg = ev.packet.data()[1];
        if (arg.is_string() && arg.append_string(room)) sp.join(s.id(), room);
        s.ack(ev, s.id());
      });
      ns.on("broadcast", [this](demo::socket& s, const demo::incoming_event& ev) {
        s.ack(ev, on_broadcast(ev));
      });
      ns.on("broadcast_ack",
            [this](demo::socket& s, const demo::incoming_event& ev) { on_broadcast_ack(s, ev); });
      ns.on("fetch", [this](demo::socket& s, const demo::incoming_event& ev) {
        const auto o = read_opts(ev.packet.data()[1]);
        if (!o) return;
        request(s, ev, o->nsp, [o = *o](rs::node& n, std::uint32_t count) {
          const auto rv = views(o.rooms), xv = views(o.except);
          return n.fetch_sockets(rv, xv, count, now_ms());
        });
      });
      ns.on("rooms", [this](demo::socket& s, const demo::incoming_event& ev) {
        const auto o = read_opts(ev.packet.data()[1]);
        if (!o) return;
        request(s, ev, o->nsp,
                [](rs::node& n, std::uint32_t count) { return n.all_rooms(count, now_ms()); });
      });
      ns.on("sse", [this](demo::socket& s, const demo::incoming_event& ev) {
        const auto o = read_opts(ev.packet.data()[1]);
        if (!o) return;
        // [EVENT, ARGS...]: the request's arguments after its own first one, as JSON.
        std::string args = "[";
        std::size_t i = 0;
        for (const sio::any_value& a : ev.packet.arguments()) {
          if (i++ == 0 || a.is_msgpack()) continue;
          args += (args.size() > 1 ? "," : "") + std::string(a.as_json().raw());
        }
        args += "]";
        request(s, ev, o->nsp, [args](rs::node& n, std::uint32_t count) {
          return n.server_side_emit_with_ack(args, count, now_ms());
        });
      });
      for (const char* what : {"sockets_join", "sockets_leave", "disconnect_sockets"}) {
        ns.on(what,
              [this, what = std::string(what)](demo::socket& s, const demo::incoming_event& ev) {
                s.ack(ev, on_sockets(what, ev));
              });
      }
    }
  }

  // Connects to Redis and subscribes; `ready(port)` once the subscriptions are confirmed and the
  // server listens. @return false (with a message on stderr) when Redis cannot be reached.
  bool start(const std::string& host, std::uint16_t port, const std::string& redis_host,
             std::uint16_t redis_port, std::function<void(std::uint16_t)> ready) {
    std::string error;
    if (!sub_.connect(redis_host, redis_port, error) ||
        !pub_.connect(redis_host, redis_port, error)) {
      std::fprintf(stderr, "siocodec_cluster_node: redis: %s\n", error.c_str());
      return false;
    }
    // No reconnection: a supervisor restarts the node, its clients reconnect meanwhile.
    const auto down = [this](std::string_view why) {
      std::fprintf(stderr, "siocodec_cluster_node: redis: %.*s\n", static_cast<int>(why.size()),
                   why.data());
      redis_down_ = true;
      io_.stop();
    };
    sub_.on_down = down;
    pub_.on_down = down;
    auto pending = std::make_shared<std::size_t>(4 * nodes_.size());
    const auto subscribed = [this, pending, host, port, ready] {
      if (--*pending != 0) return;
      ready(server_.listen(host, port));
    };
    for (auto& entry : nodes_) {
      rs::node& n = *entry.second;
      space& sp = spaces_.find(entry.first)->second;
      const auto on_message = [this, &n, &sp](std::string_view channel, std::string_view payload) {
        receive(n, sp, channel, payload);
      };
      // The Node servers count the nodes by the subscribers of the request channel (PUBSUB
      // NUMSUB) and wait for as many answers to a request.
      sub_.subscribe(n.broadcast_pattern(), true, on_message, subscribed);
      sub_.subscribe(n.request_channel(), false, on_message, subscribed);
      sub_.subscribe(n.response_channel(), false, on_message, subscribed);
      sub_.subscribe(n.specific_response_channel(), false, on_message, subscribed);
    }
    return true;
  }

  /// A Redis connection went down (the node stopped).
  bool redis_down() const { return redis_down_; }

 private:
  // A message on one of the namespace's channels: to its node, then what it returns applied.
  void receive(rs::node& n, space& sp, std::string_view channel, std::string_view payload) {
    const auto r = n.on_message(channel, ::siocodec::byte_view(payload), now_ms());
    if (!r) {
      std::fprintf(stderr, "siocodec_cluster_node: a message on %.*s: %s at byte %zu\n",
                   static_cast<int>(channel.size()), channel.data(),
                   ::siocodec::to_string(r.error()), r.offset());
    } else {
      apply(n, sp, *r);
    }
    flush();
  }

  // What the node returns for a message: this server's part, on its sockets.
  void apply(rs::node& n, space& sp, const rs::incoming& in) {
    switch (in.kind) {
      case rs::incoming_kind::none: return;
      case rs::incoming_kind::broadcast: {
        const auto event = event_of(in.packet);
        if (!event) return;
        deliver(sp, sp.select(strings_of(in.rooms), strings_of(in.except)),
                sio::event(*event, packet_args(in.packet)));
        return;
      }
      case rs::incoming_kind::join:
      case rs::incoming_kind::leave: {
        const bool join = in.kind == rs::incoming_kind::join;
        std::vector<std::string> ids, targets;
        if (in.sid) {  // 7.x: one socket, one room
          ids.emplace_back(*in.sid);
          std::string room;
          if (in.room.is_string() && in.room.append_string(room)) targets.push_back(room);
        } else {
          ids = sp.select(strings_of(in.rooms), strings_of(in.except));
          targets = strings_of(in.target_rooms);
        }
        for (const std::string& id : ids) {
          for (const std::string& t : targets) join ? sp.join(id, t) : sp.leave(id, t);
        }
        return;
      }
      case rs::incoming_kind::disconnect: {
        std::vector<std::string> ids;
        if (in.sid) {
          ids.emplace_back(*in.sid);
        } else {
          ids = sp.select(strings_of(in.rooms), strings_of(in.except));
        }
        // Looked up again each time: a disconnect destroys its socket.
        for (const std::string& id : ids) {
          demo::socket* s = sp.find(id);
          if (s == nullptr) continue;
          if (in.close) {
            s->eio_session().close("forced close");
          } else {
            s->disconnect();
          }
        }
        return;
      }
      case rs::incoming_kind::broadcast_with_ack: {
        const auto event = event_of(in.packet);
        if (!event) return;
        const auto timeout = in.flags.timeout();
        const auto ms = static_cast<demo::eio::millis>(timeout && *timeout > 0 ? *timeout : 0);
        const std::string rid(in.request_id), requester(in.requester);
        std::size_t sent = 0;
        for (const std::string& id : sp.select(strings_of(in.rooms), strings_of(in.except))) {
          demo::socket* s = sp.find(id);
          if (s == nullptr) continue;
          const bool ok = s->emit_with_ack_for(
              ms,
              [this, &n, rid, requester](demo::socket&, const sio::any_packet& ack) {
                // The first argument, as the reference's callback.
                (void)n.reply_broadcast_ack(rid, requester, [&ack](auto& w) {
                  for (const sio::any_value& a : ack.arguments()) {
                    sio::copy_value(w, a);
                    break;
                  }
                });
                flush();
              },
              nullptr, *event, packet_args(in.packet));
          if (ok) ++sent;
        }
        (void)n.reply_client_count(rid, requester, sent);
        return;
      }
      case rs::incoming_kind::server_side_emit: {
        // The application's part: this example answers every server-side event that wants an
        // ack with "siocodec:" and the JSON of its first argument.
        if (in.request_id.empty()) return;
        std::string first_arg = "null";
        std::size_t i = 0;
        for (const sio::any_value& a : in.data.elements()) {
          if (i++ == 1 && !a.is_msgpack()) first_arg = std::string(a.as_json().raw());
        }
        (void)n.reply_server_side_emit(in.request_id, quoted("siocodec:" + first_arg));
        return;
      }
    }
  }

  // Publishes what the nodes hand out, reports their events to whoever waits for them, and
  // arms the timer for the next deadline.
  void flush() {
    for (auto& entry : nodes_) {
      rs::node& n = *entry.second;
      while (auto p = n.poll_transmit()) pub_.publish(p->channel, p->message);
      while (auto e = n.poll_event()) {
        auto it = waiting_.find(std::string(e->id.view()));
        if (it == waiting_.end()) continue;
        const reply_fn f = it->second;
        if (e->kind != rs::node_event_kind::client_count && e->kind != rs::node_event_kind::ack)
          waiting_.erase(it);
        f(*e);
      }
    }
    std::uint64_t next = ~std::uint64_t{0};
    for (auto& entry : nodes_) next = std::min(next, entry.second->next_deadline());
    if (next == armed_) return;
    armed_ = next;
    if (next == ~std::uint64_t{0}) return void(timer_.cancel());
    timer_.expires_at(std::chrono::steady_clock::time_point(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::milliseconds(next))));
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      armed_ = ~std::uint64_t{0};
      const std::uint64_t now = now_ms();
      for (auto& entry : nodes_) entry.second->expire(now);
      flush();
    });
  }

  // serverCount(): PUBSUB NUMSUB of the node's request channel, this node included.
  void server_count(const rs::node& n, std::function<void(std::uint32_t)> then) {
    pub_.command({"PUBSUB", "NUMSUB", n.request_channel()},
                 [then = std::move(then)](const redisReply* r) {
                   long long subscribers = 0;
                   if (r != nullptr && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
                       r->element[1]->type == REDIS_REPLY_INTEGER) {
                     subscribers = r->element[1]->integer;
                   }
                   then(static_cast<std::uint32_t>(subscribers < 0 ? 0 : subscribers));
                 });
  }

  // A request of client `s` (event `ev`) to the node of `nsp`, made by `make` once the nodes are
  // counted; the client's ack is the result, or {error} as the reference rejects.
  template <class Make>
  void request(demo::socket& s, const demo::incoming_event& ev, const std::string& nsp, Make make) {
    if (!ev.ack_id) return;
    auto it = nodes_.find(nsp);
    if (it == nodes_.end()) return void(s.ack(ev, false));
    rs::node& n = *it->second;
    const space* from = &spaces_.find(s.nsp())->second;
    reply_fn done = [from, id = s.id(), ack_id = *ev.ack_id](const rs::node_event& e) {
      demo::socket* to = from->find(id);
      if (to == nullptr) return;
      if (e.kind == rs::node_event_kind::completed) {
        to->send(sio::ack(ack_id, [&e](auto& w) { w.raw(e.json); }));
      } else {
        to->send(sio::ack(ack_id, sio::object("error", "timeout reached")));
      }
    };
    server_count(n, [this, &n, make, done](std::uint32_t count) {
      const auto id = make(n, count);
      if (!id) {
        rs::node_event e;
        e.kind = rs::node_event_kind::failed;
        done(e);
      } else {
        waiting_[std::string(id->view())] = done;
      }
      flush();
    });
  }

  // `broadcast OPTS EVENT ARGS...`: delivered here and published.
  bool on_broadcast(const demo::incoming_event& ev) {
    const auto o = read_opts(ev.packet.data()[1]);
    const sio::any_value name = ev.packet.data()[2];
    std::string event;
    if (!o || !name.is_string() || !name.append_string(event)) return false;
    auto it = nodes_.find(o->nsp);
    if (it == nodes_.end()) return false;
    const sio::any_packet& p = ev.packet;
    // The arguments after the request's own two (opts, event name).
    const auto args = [&p](auto& w) {
      std::size_t i = 0;
      for (const sio::any_value& a : p.arguments()) {
        if (i++ >= 2) sio::copy_value(w, a);
      }
    };
    const auto rv = views(o->rooms), xv = views(o->except);
    rs::broadcast_options bo;
    bo.rooms = rv;
    bo.except = xv;
    const auto packet = sio::event(event, args);
    const space& sp = spaces_.find(o->nsp)->second;
    deliver(sp, sp.select(o->rooms, o->except), packet);
    const bool ok = it->second->broadcast(packet, bo) == ::siocodec::errc::none;
    flush();
    return ok;
  }

  // `broadcast_ack {nsp, rooms, except, timeout} EVENT ARGS...`: emitWithAck() over the cluster.
  void on_broadcast_ack(demo::socket& s, const demo::incoming_event& ev) {
    const auto o = read_opts(ev.packet.data()[1]);
    const sio::any_value name = ev.packet.data()[2];
    std::string event;
    if (!ev.ack_id || !o || !(o->timeout > 0) || !name.is_string() || !name.append_string(event)) {
      return;
    }
    auto it = nodes_.find(o->nsp);
    if (it == nodes_.end()) return void(s.ack(ev, false));
    // The arguments are written after the nodes are counted, when the event's views are gone.
    std::vector<std::string> args;
    std::size_t i = 0;
    for (const sio::any_value& a : ev.packet.arguments()) {
      if (i++ >= 2 && !a.is_msgpack()) args.emplace_back(a.as_json().raw());
    }
    auto g = std::make_shared<ack_gathering>();
    g->from = &spaces_.find(s.nsp())->second;
    g->client = s.id();
    g->ack_id = *ev.ack_id;
    rs::node& n = *it->second;
    const space& sp = spaces_.find(o->nsp)->second;
    server_count(n, [this, &n, &sp, o = *o, event, args, g](std::uint32_t count) {
      const auto write_args = [&args](auto& w) {
        for (const std::string& a : args) w.raw(a);
      };
      const auto rv = views(o.rooms), xv = views(o.except);
      rs::broadcast_options bo;
      bo.rooms = rv;
      bo.except = xv;
      bo.flags.set_timeout(o.timeout);
      const auto id = n.broadcast_with_ack(sio::event(event, write_args), bo, now_ms());
      if (!id) return finish_acks(*g, true);
      g->servers = count < 1 ? 1 : count;
      waiting_[std::string(id->view())] = [g](const rs::node_event& e) {
        if (e.kind == rs::node_event_kind::client_count) {
          ++g->seen;
          g->clients += e.client_count;
        } else if (e.kind == rs::node_event_kind::ack) {
          g->acks.emplace_back(e.json.empty(), e.json.empty() ? e.ack : e.json);
        } else {
          return finish_acks(*g, true);
        }
        check_acks(*g);
      };
      // The local part (the reference's super.broadcastWithAck()).
      for (const std::string& to : sp.select(o.rooms, o.except)) {
        demo::socket* t = sp.find(to);
        if (t == nullptr) continue;
        const bool ok = t->emit_with_ack_for(
            static_cast<demo::eio::millis>(o.timeout),
            [g](demo::socket&, const sio::any_packet& ack) {
              std::string json = "null";
              for (const sio::any_value& a : ack.arguments()) {
                if (!a.is_msgpack()) json = std::string(a.as_json().raw());
                break;
              }
              g->acks.emplace_back(false, std::move(json));
              check_acks(*g);
            },
            nullptr, event, write_args);
        if (ok) ++g->clients;
      }
      flush();
      check_acks(*g);
    });
  }

  static void check_acks(ack_gathering& g) {
    if (g.seen >= g.servers && g.acks.size() >= g.clients) finish_acks(g, false);
  }

  // The client's ack: every answer, or the error emitWithAck() rejects with.
  static void finish_acks(ack_gathering& g, bool timed_out) {
    if (g.done) return;
    g.done = true;
    demo::socket* to = g.from->find(g.client);
    if (to == nullptr) return;
    if (timed_out) {
      to->send(sio::ack(g.ack_id, sio::object("error", "operation has timed out")));
      return;
    }
    to->send(sio::ack(g.ack_id, [&g](auto& w) {
      w.begin_array();
      for (const auto& a : g.acks) {
        if (!a.first) {
          w.raw(a.second);
          continue;
        }
        const auto v = msgpack::parse(::siocodec::byte_view(a.second));
        if (a.second.empty() || !v) {
          w.null();  // undefined
        } else {
          rs::write_value(w, *v);
        }
      }
      w.end_array();
    }));
  }

  // `sockets_join` / `sockets_leave {nsp, rooms, except, target}`, `disconnect_sockets {nsp,
  // rooms, except, close}`: published; applied here too when the request comes back.
  bool on_sockets(const std::string& what, const demo::incoming_event& ev) {
    const auto o = read_opts(ev.packet.data()[1]);
    if (!o) return false;
    auto it = nodes_.find(o->nsp);
    if (it == nodes_.end()) return false;
    rs::node& n = *it->second;
    const auto rv = views(o->rooms), xv = views(o->except), tv = views(o->target);
    const ::siocodec::errc e = what == "sockets_join"    ? n.sockets_join(rv, xv, tv)
                               : what == "sockets_leave" ? n.sockets_leave(rv, xv, tv)
                                                         : n.disconnect_sockets(rv, xv, o->close);
    flush();
    return e == ::siocodec::errc::none;
  }

  boost::asio::io_context& io_;
  std::string key_;
  cluster::redis_link sub_, pub_;
  std::map<std::string, space, std::less<>> spaces_;  // outlive the server's sockets
  std::map<std::string, std::unique_ptr<rs::node>, std::less<>> nodes_;
  std::map<std::string, reply_fn> waiting_;  // this node's requests, by id
  boost::asio::steady_timer timer_;
  std::uint64_t armed_ = ~std::uint64_t{0};
  demo::server server_;
  bool redis_down_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1", redis_host = "127.0.0.1", key(rs::default_key);
  unsigned long port = 0, redis_port = 6379;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view a = argv[i];
    if (a == "--host") {
      host = argv[i + 1];
    } else if (a == "--port") {
      port = std::strtoul(argv[i + 1], nullptr, 10);
    } else if (a == "--redis-host") {
      redis_host = argv[i + 1];
    } else if (a == "--redis-port") {
      redis_port = std::strtoul(argv[i + 1], nullptr, 10);
    } else if (a == "--key") {
      key = argv[i + 1];
    } else {
      break;
    }
  }
  if (argc % 2 == 0 || port > 65535 || redis_port == 0 || redis_port > 65535) {
    std::fputs("usage: siocodec_cluster_node [--host IP] [--port N] [--redis-host IP] "
               "[--redis-port N] [--key PREFIX]\n",
               stderr);
    return 2;
  }
  boost::asio::io_context io;
  cluster_node node(io, key);
  if (!node.start(host, static_cast<std::uint16_t>(port), redis_host,
                  static_cast<std::uint16_t>(redis_port), [](std::uint16_t bound) {
                    std::printf("listening %u\n", static_cast<unsigned>(bound));
                    std::fflush(stdout);
                  })) {
    return 1;
  }
  // Ends when stdin closes (the test runner's pipe, or ^D).
  boost::asio::posix::stream_descriptor in(io, ::dup(STDIN_FILENO));
  std::array<char, 256> buf{};
  std::function<void()> read_stdin = [&] {
    in.async_read_some(boost::asio::buffer(buf),
                       [&](const boost::system::error_code& ec, std::size_t) {
                         if (ec) return io.stop();
                         read_stdin();
                       });
  };
  read_stdin();
  io.run();
  return node.redis_down() ? 1 : 0;
}
