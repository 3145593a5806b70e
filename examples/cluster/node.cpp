// SPDX-License-Identifier: BSL-1.0
// siocodec_cluster_node: a Socket.IO server (the Beast server adapter) joined to a cluster of
// @socket.io/redis-adapter 8.3 nodes (Node socket.io 4.8 servers) through Redis, as an equal: a
// broadcast from any node reaches the sockets of its rooms on every node (docs/cluster.md).
//
//   siocodec_cluster_node [--host IP] [--port N] [--redis-host IP] [--redis-port N] [--key PREFIX]
//
// Namespaces "/" and "/admin"; a socket's events:
//   join ROOM | [ROOM...]                    joins rooms; acked with the socket's id
//   broadcast {nsp, rooms, except} EVENT ARGS...  broadcasts EVENT ARGS... to namespace `nsp`
//                                            (rooms, except: arrays of names) on every node of
//                                            the cluster; acked with true once published
//   fetch {nsp, rooms, except}               fetchSockets() over the cluster; acked with
//                                            [{id, rooms}...], or {error} after 5 s
//   sse {nsp} EVENT ARGS...                  serverSideEmit() with an ack to the other nodes;
//                                            acked with their answers, or {error} after 5 s
// Every socket is in the room of its own id, as in socket.io. Prints `listening PORT` once it
// accepts connections and has subscribed to the cluster's channels; exits when stdin closes (0),
// or when a Redis connection goes down (1).
//
// Two Redis connections (cluster::redis_link, hiredis on this io_context): one PSUBSCRIBEs
// `<key>#<nsp>#*` and SUBSCRIBEs `<key>-request#<nsp>#` for each namespace, one PUBLISHes. A local
// broadcast is delivered to the local sockets and published as socketio::redis::encode_broadcast()
// writes it; a message from Redis is decoded by socketio::redis::decode_broadcast(), dropped when
// this node published it (its uid) or holds none of its one room, and delivered to the local
// sockets its rooms and except select: encoded once per protocol version (socketio::encoded_packet)
// for all of them. A request of another node (socketio::redis::decode_request(): fetchSockets,
// allRooms, serverSideEmit, a broadcast with acks, socketsJoin / socketsLeave / disconnectSockets)
// is answered on `<key>-response#<nsp>#` as the reference answers it.
#include "redis_link.hpp"

#include <siocodec/adapters/beast/server.hpp>
#include <siocodec/redis/broadcast.hpp>
#include <siocodec/redis/channel.hpp>
#include <siocodec/redis/request.hpp>
#include <siocodec/socketio/copy.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <unistd.h>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
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

// The room names of a decoded message (an array of str and numbers, or absent). A number names
// a room a JavaScript server joined with a number, which no socket of this node (rooms are the
// strings of `join`) can be in: skipped.
std::vector<std::string_view> names_of(const msgpack::value& v) {
  std::vector<std::string_view> out;
  if (!v.exists() || !v.is_array()) return out;
  for (const msgpack::value& e : v.elements()) {
    if (e.is_string()) out.push_back(e.get_string());
  }
  return out;
}

// The strings of an array of a request (JSON or msgpack); numbers are skipped as in names_of().
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

// One namespace of this node: its sockets and their rooms (socket.io's in-memory adapter).
class space {
 public:
  explicit space(std::string name) : name_(std::move(name)) {}
  const std::string& name() const { return name_; }

  void add(demo::socket& s) { sockets_[s.id()] = &s; }
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
  // The rooms of socket `id`: its own id first, as socket.rooms.
  std::vector<std::string> rooms_of(const std::string& id) const {
    std::vector<std::string> out{id};
    if (auto j = joined_.find(id); j != joined_.end())
      out.insert(out.end(), j->second.begin(), j->second.end());
    return out;
  }
  // Every room with a socket of this node in it, the sockets' own ones included (the in-memory
  // adapter's rooms.keys()).
  std::vector<std::string> all_rooms() const {
    std::vector<std::string> out;
    for (const auto& r : rooms_) out.push_back(r.first);
    for (const auto& s : sockets_) out.push_back(s.first);
    return out;
  }
  demo::socket* find(std::string_view id) const {
    auto it = sockets_.find(id);
    return it == sockets_.end() ? nullptr : it->second;
  }
  // Whether a socket of this node is in `room` (its own id is one).
  bool has_room(std::string_view room) const {
    return rooms_.find(room) != rooms_.end() || sockets_.find(room) != sockets_.end();
  }

  // The sockets in any of `to` (all of them when empty) and in none of `except`, once each.
  std::vector<demo::socket*> select(const std::vector<std::string_view>& to,
                                    const std::vector<std::string_view>& except) const {
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
      for (std::string_view r : to) members(r, [&](std::string_view id) { out.insert(id); });
    }
    for (std::string_view r : except) members(r, [&](std::string_view id) { out.erase(id); });
    std::vector<demo::socket*> result;
    for (std::string_view id : out) result.push_back(sockets_.find(id)->second);
    return result;
  }

 private:
  std::string name_;
  std::map<std::string, demo::socket*, std::less<>> sockets_;        // by id
  std::map<std::string, std::set<std::string>, std::less<>> rooms_;  // room -> ids
  std::map<std::string, std::set<std::string>> joined_;              // id -> rooms
};

// Encodes EVENT builder `ev` once per protocol version among `to` and queues the same messages
// on each; @return to how many.
template <class B>
std::size_t deliver(const std::vector<demo::socket*>& to, B ev, const std::string& nsp) {
  ev.nsp(nsp);
  std::optional<sio::encoded_packet> once[2];  // Socket.IO v5, v4
  std::size_t n = 0;
  for (demo::socket* s : to) {
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

class cluster_node {
 public:
  cluster_node(boost::asio::io_context& io, std::string key)
      : io_(io), key_(std::move(key)), uid_(make_uid()), sub_(io), pub_(io), server_(io) {
    for (const char* name : {"/", "/admin"}) {
      auto& sp = spaces_.emplace(name, space(name)).first->second;
      demo::namespace_def& ns = server_.of(name);
      ns.on_connect = [&sp](demo::socket& s) {
        sp.add(s);
        // The id is kept: once the socket has left, the engine no longer knows it.
        s.on_disconnect([&sp, id = s.id()](demo::socket&, std::string_view) { sp.remove(id); });
      };
      ns.on("join", [&sp](demo::socket& s, const demo::incoming_event& ev) {
        const sio::any_value arg = ev.packet.data()[1];
        std::string room;
        if (arg.is_string() && arg.append_string(room)) sp.join(s.id(), room);
        if (arg.is_array()) {
          for (const sio::any_value& r : arg.elements()) {
            room.clear();
            if (r.is_string() && r.append_string(room)) sp.join(s.id(), room);
          }
        }
        s.ack(ev, s.id());
      });
      ns.on("broadcast", [this](demo::socket& s, const demo::incoming_event& ev) {
        s.ack(ev, on_broadcast_request(ev));
      });
      ns.on("fetch",
            [this](demo::socket& s, const demo::incoming_event& ev) { on_fetch_request(s, ev); });
      ns.on("sse", [this](demo::socket& s, const demo::incoming_event& ev) {
        on_server_side_emit_request(s, ev);
      });
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
    auto pending = std::make_shared<std::size_t>(3 * spaces_.size());
    const auto subscribed = [this, pending, host, port, ready] {
      if (--*pending != 0) return;
      ready(server_.listen(host, port));
    };
    for (auto& entry : spaces_) {
      space& sp = entry.second;
      std::string pattern, requests;
      (void)rs::broadcast_pattern(pattern, sp.name(), key_);
      sub_.subscribe(
          pattern, true,
          [this, &sp](std::string_view channel, std::string_view payload) {
            on_message(sp, channel, payload);
          },
          subscribed);
      // The Node servers count the nodes by the subscribers of this channel (PUBSUB NUMSUB)
      // and wait for as many answers to a request.
      (void)rs::request_channel(requests, sp.name(), key_);
      sub_.subscribe(
          requests, false,
          [this, &sp](std::string_view, std::string_view payload) { on_request(sp, payload); },
          subscribed);
      std::string responses;
      (void)rs::response_channel(responses, sp.name(), key_);
      sub_.subscribe(
          responses, false,
          [this](std::string_view, std::string_view payload) { on_response(payload); }, subscribed);
    }
    return true;
  }

  /// A Redis connection went down (the node stopped).
  bool redis_down() const { return redis_down_; }

 private:
  // `broadcast {nsp, rooms, except} EVENT ARGS...` from a client: delivered here and published.
  bool on_broadcast_request(const demo::incoming_event& ev) {
    const sio::any_value opts = ev.packet.data()[1];
    const sio::any_value name = ev.packet.data()[2];
    sio::any_value nsp_v;
    std::string nsp, event;
    if (!opts.is_object() || !opts.find("nsp", nsp_v) || !nsp_v.append_string(nsp) ||
        !name.is_string() || !name.append_string(event)) {
      return false;
    }
    auto it = spaces_.find(nsp);
    if (it == spaces_.end()) return false;
    std::vector<std::string> rooms, except;
    const auto strings = [&opts](const char* k, std::vector<std::string>& out) {
      sio::any_value a;
      if (!opts.find(k, a) || !a.is_array()) return;
      for (const sio::any_value& e : a.elements()) {
        std::string s;
        if (e.is_string() && e.append_string(s)) out.push_back(std::move(s));
      }
    };
    strings("rooms", rooms);
    strings("except", except);
    const sio::any_packet& p = ev.packet;
    // The arguments after the request's own two (opts, event name).
    const auto args = [&p](auto& w) {
      std::size_t i = 0;
      for (const sio::any_value& a : p.arguments()) {
        if (i++ >= 2) sio::copy_value(w, a);
      }
    };
    return broadcast(it->second, std::vector<std::string_view>(rooms.begin(), rooms.end()),
                     std::vector<std::string_view>(except.begin(), except.end()),
                     sio::event(event, args));
  }

  // io.of(nsp).to(rooms).except(except).emit(...): the local sockets, then every other node.
  template <class B>
  bool broadcast(space& sp, const std::vector<std::string_view>& rooms,
                 const std::vector<std::string_view>& except, const B& ev) {
    rs::broadcast_options o;
    o.rooms = rs::room_list(rooms.data(), rooms.size());
    o.except = rs::room_list(except.data(), except.size());
    std::string channel, message;
    if (!rs::encode_broadcast(message, uid_, sp.name(), o, ev)) return false;
    if (rooms.size() == 1) {
      (void)rs::room_channel(channel, sp.name(), rooms[0], key_);
    } else {
      (void)rs::broadcast_channel(channel, sp.name(), key_);
    }
    deliver(sp.select(rooms, except), ev, sp.name());
    return pub_.publish(channel, message);
  }

  // A message on one of the namespace's channels.
  void on_message(space& sp, std::string_view channel, std::string_view payload) {
    const auto ch = rs::match_channel(channel, sp.name(), key_);
    if (!ch) return;
    // The reference's shortcut: a one-room broadcast for a room no local socket is in.
    if (ch->kind == rs::channel_kind::room && !sp.has_room(ch->room)) return;
    const auto m = rs::decode_broadcast(::siocodec::byte_view(payload));
    if (!m) {
      std::fprintf(stderr, "siocodec_cluster_node: a message on %.*s: %s at byte %zu\n",
                   static_cast<int>(channel.size()), channel.data(),
                   ::siocodec::to_string(m.error()), m.offset());
      return;
    }
    if (m->uid == uid_ || m->packet.nsp != sp.name()) return;
    // [event, args...]; an event name that is not a string has no listener in socket.io-client.
    auto data = m->packet.data.elements();
    auto first = data.begin();
    if (first == data.end() || !(*first).is_string()) return;
    const std::string_view event = (*first).get_string();
    const msgpack::value packet_data = m->packet.data;
    const auto args = [&packet_data](auto& w) {
      bool name = true;
      for (const msgpack::value& a : packet_data.elements()) {
        if (!name) rs::write_value(w, a);
        name = false;
      }
    };
    deliver(sp.select(names_of(m->rooms), names_of(m->except)), sio::event(event, args), sp.name());
  }

  // --- this node's requests ------------------------------------------------------------------
  // A request in flight: the answers (JSON text) until every other node has answered or the
  // timeout passed.
  struct pending_request {
    std::size_t expected = 0;
    std::vector<std::string> answers;
    std::unique_ptr<boost::asio::steady_timer> timer;
    std::function<void(const std::vector<std::string>&, bool complete)> done;
  };

  std::string next_request_id() { return uid_ + std::to_string(++request_seq_); }

  // Publishes `message` (request `rid`) and calls `done` once the nodes counted by PUBSUB
  // NUMSUB of the request channel, this one excepted, have answered, or after the timeout with
  // what came (complete false), as the reference's requests do.
  void send_request(const space& sp, const std::string& rid, std::string message,
                    std::function<void(const std::vector<std::string>&, bool)> done) {
    std::string channel;
    (void)rs::request_channel(channel, sp.name(), key_);
    pub_.command({"PUBSUB", "NUMSUB", channel},
                 [this, rid, channel, message = std::move(message),
                  done = std::move(done)](const redisReply* r) mutable {
                   long long subscribers = 0;
                   if (r != nullptr && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
                       r->element[1]->type == REDIS_REPLY_INTEGER) {
                     subscribers = r->element[1]->integer;
                   }
                   if (subscribers <= 1) return done({}, true);  // nobody else
                   pending_request& p = requests_[rid];
                   p.expected = static_cast<std::size_t>(subscribers - 1);
                   p.done = std::move(done);
                   p.timer = std::make_unique<boost::asio::steady_timer>(io_);
                   p.timer->expires_after(std::chrono::milliseconds(requests_timeout_ms));
                   p.timer->async_wait([this, rid](const boost::system::error_code& ec) {
                     if (!ec) finish_request(rid, false);
                   });
                   pub_.publish(channel, message);
                 });
  }

  void finish_request(const std::string& rid, bool complete) {
    auto it = requests_.find(rid);
    if (it == requests_.end()) return;
    pending_request p = std::move(it->second);
    requests_.erase(it);
    p.timer->cancel();
    p.done(p.answers, complete);
  }

  // A message of the response channel: an answer to one of this node's requests, or to another
  // node's (not in the table: ignored).
  void on_response(std::string_view payload) {
    const auto r = rs::decode_response(::siocodec::byte_view(payload));
    if (!r) {
      std::fprintf(stderr, "siocodec_cluster_node: a response: %s at byte %zu\n",
                   ::siocodec::to_string(r.error()), r.offset());
      return;
    }
    auto it = requests_.find(std::string(r->request_id));
    if (it == requests_.end()) return;
    const sio::any_value& v = r->sockets.is_array() ? r->sockets : r->data;
    it->second.answers.emplace_back(v.is_array() || (v.exists() && !v.is_msgpack())
                                        ? std::string(v.as_json().raw())
                                        : std::string("null"));
    if (it->second.answers.size() == it->second.expected) finish_request(it->first, true);
  }

  // The ack of a `fetch` or `sse` request to client `id` of `from`: `json`, or the error the
  // reference rejects with when a node did not answer in time.
  static void answer(const space& from, const std::string& id, std::uint64_t ack_id, bool complete,
                     const std::string& json) {
    demo::socket* to = from.find(id);
    if (to == nullptr) return;
    if (!complete) {
      to->send(sio::ack(ack_id, sio::object("error", "timeout reached")));
      return;
    }
    to->send(sio::ack(ack_id, [&json](auto& w) { w.raw(json); }));
  }

  // `fetch {nsp, rooms, except}` from a client: fetchSockets() over the cluster, acked with
  // [{id, rooms}...] (this node's sockets first), or {error} when a node did not answer in time.
  void on_fetch_request(demo::socket& s, const demo::incoming_event& ev) {
    const sio::any_value opts = ev.packet.data()[1];
    sio::any_value nsp_v, a;
    std::string nsp;
    if (!ev.ack_id || !opts.is_object() || !opts.find("nsp", nsp_v) || !nsp_v.append_string(nsp))
      return;
    auto it = spaces_.find(nsp);
    if (it == spaces_.end()) return void(s.ack(ev, false));
    space& sp = it->second;
    const std::vector<std::string> rooms =
        opts.find("rooms", a) ? strings_of(a) : std::vector<std::string>();
    const std::vector<std::string> except =
        opts.find("except", a) ? strings_of(a) : std::vector<std::string>();
    // The local sockets as {id, rooms}; the remote ones as their nodes wrote them.
    std::string local;
    for (demo::socket* m : sp.select(views(rooms), views(except))) {
      local +=
          (local.empty() ? "" : ",") + std::string("{\"id\":") + quoted(m->id()) + ",\"rooms\":[";
      bool first = true;
      for (const std::string& room : sp.rooms_of(m->id())) {
        local += (first ? "" : ",") + quoted(room);
        first = false;
      }
      local += "]}";
    }
    const std::string rid = next_request_id();
    const auto rv = views(rooms), ev_except = views(except);
    std::string message;
    (void)rs::encode_fetch_sockets_request(message, uid_, rid, rs::room_list(rv.data(), rv.size()),
                                           rs::room_list(ev_except.data(), ev_except.size()));
    const std::uint64_t ack_id = *ev.ack_id;
    send_request(sp, rid, std::move(message),
                 [&from = spaces_.find(s.nsp())->second, id = s.id(), ack_id, local](
                     const std::vector<std::string>& answers, bool complete) {
                   // Each answer is an array of sockets: spliced into one array.
                   std::string all = "[" + local;
                   for (const std::string& one : answers) {
                     if (one.size() <= 2) continue;
                     all += (all.size() > 1 ? "," : "") + one.substr(1, one.size() - 2);
                   }
                   answer(from, id, ack_id, complete, all + "]");
                 });
  }

  // `sse {nsp} EVENT ARGS...` from a client: serverSideEmit with an ack to the other nodes,
  // acked with their answers, or {error} when a node did not answer in time.
  void on_server_side_emit_request(demo::socket& s, const demo::incoming_event& ev) {
    const sio::any_value opts = ev.packet.data()[1];
    sio::any_value nsp_v;
    std::string nsp;
    if (!ev.ack_id || !opts.is_object() || !opts.find("nsp", nsp_v) || !nsp_v.append_string(nsp))
      return;
    auto it = spaces_.find(nsp);
    if (it == spaces_.end()) return void(s.ack(ev, false));
    // [EVENT, ARGS...]: the request's arguments after its own first one, as JSON.
    std::string args = "[";
    std::size_t i = 0;
    for (const sio::any_value& a : ev.packet.arguments()) {
      if (i++ == 0 || a.is_msgpack()) continue;
      args += (args.size() > 1 ? "," : "") + std::string(a.as_json().raw());
    }
    args += "]";
    const std::string rid = next_request_id();
    std::string message;
    if (!rs::encode_server_side_emit_request(message, uid_, rid, args))
      return void(s.ack(ev, false));
    const std::uint64_t ack_id = *ev.ack_id;
    space& sp = it->second;
    send_request(sp, rid, std::move(message),
                 [&from = spaces_.find(s.nsp())->second, id = s.id(), ack_id](
                     const std::vector<std::string>& answers, bool complete) {
                   std::string all = "[";
                   for (const std::string& one : answers) all += (all.size() > 1 ? "," : "") + one;
                   answer(from, id, ack_id, complete, all + "]");
                 });
  }

  // A request of another node (socket.io-request#<nsp>#): answered on the common response
  // channel, as the reference does without publishOnSpecificResponseChannel.
  void on_request(space& sp, std::string_view payload) {
    const auto r = rs::decode_request(::siocodec::byte_view(payload));
    if (!r) {
      std::fprintf(stderr, "siocodec_cluster_node: a request: %s at byte %zu\n",
                   ::siocodec::to_string(r.error()), r.offset());
      return;
    }
    // Its own requests a node ignores, but for join / leave / disconnect, which the reference
    // applies when they come back (this node sends none).
    const bool own = r->uid && *r->uid == uid_;
    if (own && r->type != rs::request_type::remote_join &&
        r->type != rs::request_type::remote_leave &&
        r->type != rs::request_type::remote_disconnect) {
      return;
    }
    const std::string rid(r->request_id ? *r->request_id : std::string_view());
    const std::vector<std::string> rooms = strings_of(r->rooms), except = strings_of(r->except);
    std::string response;
    switch (r->type) {
      case rs::request_type::sockets: {
        std::vector<std::string> ids;
        for (demo::socket* s : sp.select(views(rooms), {})) ids.push_back(s->id());
        const auto v = views(ids);
        (void)rs::encode_sockets_response(response, rid, rs::room_list(v.data(), v.size()));
        break;
      }
      case rs::request_type::all_rooms: {
        const std::vector<std::string> all = sp.all_rooms();
        const auto v = views(all);
        (void)rs::encode_all_rooms_response(response, rid, rs::room_list(v.data(), v.size()));
        break;
      }
      case rs::request_type::remote_join:
      case rs::request_type::remote_leave: {
        const bool join = r->type == rs::request_type::remote_join;
        std::vector<std::string> ids, targets = strings_of(r->target_rooms);
        if (r->sid) {  // 7.x: one socket, one room
          ids.emplace_back(*r->sid);
          targets.clear();
          std::string room;
          if (r->room.is_string() && r->room.append_string(room)) targets.push_back(room);
        } else {
          for (demo::socket* s : sp.select(views(rooms), views(except))) ids.push_back(s->id());
        }
        for (const std::string& id : ids) {
          if (sp.find(id) == nullptr) continue;
          for (const std::string& t : targets) join ? sp.join(id, t) : sp.leave(id, t);
        }
        if (r->sid && !rid.empty()) (void)rs::encode_remote_done_response(response, rid);
        break;
      }
      case rs::request_type::remote_disconnect: {
        std::vector<std::string> ids;
        if (r->sid) {
          ids.emplace_back(*r->sid);
        } else {
          for (demo::socket* s : sp.select(views(rooms), views(except))) ids.push_back(s->id());
        }
        // Looked up again each time: a disconnect destroys its socket.
        for (const std::string& id : ids) {
          demo::socket* s = sp.find(id);
          if (s == nullptr) continue;
          if (r->close) {
            s->eio_session().close("forced close");
          } else {
            s->disconnect();
          }
        }
        if (r->sid && !rid.empty()) (void)rs::encode_remote_done_response(response, rid);
        break;
      }
      case rs::request_type::remote_fetch: {
        std::string json = "[";
        for (demo::socket* s : sp.select(views(rooms), views(except))) {
          if (json.size() > 1) json += ',';
          const std::string id = s->id();
          // The handshake as far as this example keeps it: the reference's keys, so that a
          // RemoteSocket on a Node server has them all.
          json += "{\"id\":" + quoted(id) +
                  ",\"handshake\":{\"headers\":{},\"time\":\"\",\"address\":\"\","
                  "\"xdomain\":false,\"secure\":false,\"issued\":0,\"url\":\"\","
                  "\"query\":{},\"auth\":{}},\"rooms\":[";
          bool first = true;
          for (const std::string& room : sp.rooms_of(id)) {
            if (!first) json += ',';
            first = false;
            json += quoted(room);
          }
          json += "],\"data\":{}}";
        }
        json += ']';
        (void)rs::encode_fetch_sockets_response(response, rid, json);
        break;
      }
      case rs::request_type::server_side_emit: {
        // The application's part: this example answers every server-side event that wants an
        // ack with "siocodec:" and the JSON of its first argument.
        if (rid.empty()) break;
        std::string first_arg = "null";
        std::size_t i = 0;
        for (const sio::any_value& a : r->data.elements()) {
          if (i++ == 1 && !a.is_msgpack()) first_arg = std::string(a.as_json().raw());
        }
        (void)rs::encode_server_side_emit_response(response, rid, quoted("siocodec:" + first_arg));
        break;
      }
      case rs::request_type::broadcast: return broadcast_with_ack(sp, rid, *r, rooms, except);
      default: return;
    }
    if (!response.empty()) {
      std::string channel;
      (void)rs::response_channel(channel, sp.name(), key_);
      pub_.publish(channel, response);
    }
  }

  // BROADCAST (io.timeout(ms).emitWithAck() on another node): the packet to each selected
  // socket with an ack of its own, the number of them first, then each client's answer.
  void broadcast_with_ack(space& sp, const std::string& rid, const rs::request_view& r,
                          const std::vector<std::string>& rooms,
                          const std::vector<std::string>& except) {
    std::string channel;
    (void)rs::response_channel(channel, sp.name(), key_);
    auto data = r.packet.data.elements();
    auto first = data.begin();
    if (first == data.end() || !(*first).is_string()) return;
    const std::string event((*first).get_string());
    const msgpack::value packet_data = r.packet.data;
    const auto args = [&packet_data](auto& w) {
      bool name = true;
      for (const msgpack::value& a : packet_data.elements()) {
        if (!name) rs::write_value(w, a);
        name = false;
      }
    };
    const auto timeout = r.flags.timeout();
    const auto ms = static_cast<demo::eio::millis>(timeout && *timeout > 0 ? *timeout : 0);
    std::vector<std::string> ids;
    for (demo::socket* s : sp.select(views(rooms), views(except))) ids.push_back(s->id());
    // The count goes first: the requester waits for that many acks.
    std::string count;
    (void)rs::encode_client_count_response(count, rid, ids.size());
    pub_.publish(channel, count);
    for (const std::string& id : ids) {
      demo::socket* s = sp.find(id);
      if (s == nullptr) continue;
      s->emit_with_ack_for(
          ms,
          [this, channel, rid](demo::socket&, const sio::any_packet& ack) {
            std::string msg;
            const auto answer = [&ack](auto& w) {
              for (const sio::any_value& a : ack.arguments()) {
                sio::copy_value(w, a);  // the first argument, as the reference's callback
                break;
              }
            };
            if (rs::encode_broadcast_ack_response(msg, rid, answer)) pub_.publish(channel, msg);
          },
          nullptr, event, args);
    }
  }

  boost::asio::io_context& io_;
  std::string key_;
  std::string uid_;
  cluster::redis_link sub_, pub_;
  std::map<std::string, space, std::less<>> spaces_;  // outlive the server's sockets
  std::map<std::string, pending_request> requests_;   // this node's, by request id
  std::uint64_t request_seq_ = 0;
  // The reference's requestsTimeout default.
  static constexpr long requests_timeout_ms = 5000;
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
