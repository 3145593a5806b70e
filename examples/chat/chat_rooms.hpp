// SPDX-License-Identifier: BSL-1.0
// Chat example: the application on top of the Beast server adapter (siocodec/adapters/beast). A
// registry of the connected users keyed by socket id, the rooms they are in, and the events of
// docs/chat.md (join, leave, message, typing, image), each broadcast to the sockets of one room:
// encoded once (socketio::encoded_packet), the same messages queued on every member's session.
#ifndef SIOCODEC_EXAMPLES_CHAT_CHAT_ROOMS_HPP
#define SIOCODEC_EXAMPLES_CHAT_CHAT_ROOMS_HPP

#include <siocodec/adapters/beast/server.hpp>
#include <siocodec/socketio/codec.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace demo {
using namespace ::siocodec::adapters::beast;  // as examples/server/cli.hpp
}  // namespace demo

namespace chat {
namespace sio = demo::sio;

/// Limits on what users send (bytes of UTF-8).
struct limits {
  std::size_t nick = 32;
  std::size_t room = 32;
  std::size_t text = 2000;
};

/// The room everyone is in after connecting, and goes back to after `leave`.
constexpr std::string_view lobby = "lobby";

/// The chat: users (one per socket of namespace "/"), rooms, and the events.
class rooms {
 public:
  /// `epoch`: a number that differs between runs (recovery offsets of a previous run never match).
  explicit rooms(limits l = {}, std::uint64_t epoch = 0)
      : limits_(l), store_(store_options(epoch)) {}

  /// Installs the auth check, the connect handler, the events and the recovery store on
  /// namespace `ns` (named `nsp`; the server needs server_options::recovery for the store).
  void install(demo::namespace_def& ns, std::string nsp = "/") {
    nsp_ = std::move(nsp);
    ns.store = &store_;
    ns.authorize = [this](const sio::any_value& auth) { return authorize(auth); };
    ns.on_connect = [this](demo::socket& s) { on_connect(s); };
    ns.events["join"] = [this](demo::socket& s, const demo::incoming_event& ev) {
      std::string room;
      if (!string_arg(ev, 0, room) || room.empty() || room.size() > limits_.room) {
        return void(s.ack(ev, sio::object("ok", false, "error", "invalid room name")));
      }
      move_to(s, room);
      ack_room(s, ev);
    };
    ns.events["leave"] = [this](demo::socket& s, const demo::incoming_event& ev) {
      member* m = find(s.id());
      if (m == nullptr) return;
      if (m->room == lobby) {
        return void(s.ack(ev, sio::object("ok", false, "error", "you cannot leave the lobby")));
      }
      move_to(s, std::string(lobby));
      ack_room(s, ev);
    };
    ns.events["message"] = [this](demo::socket& s, const demo::incoming_event& ev) {
      member* m = find(s.id());
      std::string text;
      if (m == nullptr || !string_arg(ev, 0, text) || text.empty() || text.size() > limits_.text) {
        return void(s.ack(ev, sio::object("ok", false, "error", "invalid message")));
      }
      const std::uint64_t at = now_ms();
      const std::string id = s.id();
      const std::size_t n =
          broadcast(m->room, id,
                    sio::event("message", sio::object("room", m->room, "id", id, "nick", m->nick,
                                                      "text", text, "at", at)));
      // The ack confirms delivery: the message was queued for every other user of the room.
      s.ack(ev, sio::object("ok", true, "delivered", n, "at", at));
    };
    ns.events["typing"] = [this](demo::socket& s, const demo::incoming_event& ev) {
      member* m = find(s.id());
      if (m == nullptr) return;
      const bool typing = arg(ev, 0).get_bool();
      const std::string id = s.id();
      broadcast(m->room, id,
                sio::event("typing", sio::object("room", m->room, "id", id, "nick", m->nick,
                                                 "typing", typing)));
    };
    ns.events["image"] = [this](demo::socket& s, const demo::incoming_event& ev) {
      member* m = find(s.id());
      // {name, type, data}: data is binary (a placeholder resolved to its attachment).
      const sio::any_value image = arg(ev, 0);
      sio::any_value name, type, data;
      std::string name_text, type_text;
      if (m == nullptr || !image.is_object() || !image.find("data", data) || !data.is_binary() ||
          data.bytes().empty()) {
        return void(s.ack(ev, sio::object("ok", false, "error", "invalid image")));
      }
      const siocodec::byte_view bytes = data.bytes();
      if (image.find("name", name) && name.is_string()) (void)name.append_string(name_text);
      if (image.find("type", type) && type.is_string()) (void)type.append_string(type_text);
      // Only image types go back to browsers (they are shown as <img>).
      if (type_text.compare(0, 6, "image/") != 0) {
        return void(s.ack(ev, sio::object("ok", false, "error", "not an image")));
      }
      const std::uint64_t at = now_ms();
      const std::string id = s.id();
      const std::size_t n = broadcast(
          m->room, id,
          sio::event("image", sio::object("room", m->room, "id", id, "nick", m->nick, "name",
                                          name_text, "type", type_text, "at", at, "data", bytes)));
      s.ack(ev, sio::object("ok", true, "delivered", n, "bytes", bytes.size(), "at", at));
    };
  }

  /// Stops all broadcasting: called at shutdown, when the sockets are destroyed with the server.
  void shut_down() { shutting_down_ = true; }

  std::size_t user_count() const { return members_.size(); }

  /// Told of every user who connects or leaves (a line of text, for the console).
  std::function<void(const std::string&)> on_log;

 private:
  struct member {
    demo::socket* socket = nullptr;
    std::string nick;
    std::string room;
  };

  // Lives in socket::user_data: the socket owns it, so it goes when the socket goes, whatever
  // ended it (a DISCONNECT, a closed tab, a ping timeout). That is the chat's "disconnect" event.
  class departure {
   public:
    departure(rooms& r, std::string id) : rooms_(r), id_(std::move(id)) {}
    departure(const departure&) = delete;
    departure& operator=(const departure&) = delete;
    ~departure() { rooms_.remove(id_); }

   private:
    rooms& rooms_;
    std::string id_;
  };

  static std::uint64_t now_ms() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
  }

  // Argument `i` of an event (after its name).
  static sio::any_value arg(const demo::incoming_event& ev, std::size_t i) {
    return ev.packet.data()[i + 1];
  }

  // Argument `i` as a string.
  static bool string_arg(const demo::incoming_event& ev, std::size_t i, std::string& out) {
    const sio::any_value v = arg(ev, i);
    return v.is_string() && static_cast<bool>(v.append_string(out));
  }

  // The CONNECT's auth {nick}: a name is required. The reference server hands the auth to the
  // connection handler as socket.handshake.auth; here it is kept for on_connect, which the
  // Socket.IO layer calls right after an accepting authorize(), for the same CONNECT.
  std::optional<std::string> authorize(const sio::any_value& auth) {
    sio::any_value nick;
    std::string text;
    if (!auth.is_object() || !auth.find("nick", nick) || !nick.is_string() ||
        !nick.append_string(text)) {
      return std::string("a nickname is required");
    }
    const std::size_t first = text.find_first_not_of(" \t\r\n");
    const std::size_t last = text.find_last_not_of(" \t\r\n");
    if (first == std::string::npos) return std::string("a nickname is required");
    text = text.substr(first, last - first + 1);
    if (text.size() > limits_.nick) return std::string("that nickname is too long");
    pending_nick_ = std::move(text);
    return std::nullopt;
  }

  void on_connect(demo::socket& s) {
    members_[s.id()] = member{&s, std::move(pending_nick_), std::string()};
    pending_nick_.clear();
    s.user_data = std::make_shared<departure>(*this, s.id());
    if (on_log) {
      on_log("chat: " + members_[s.id()].nick + (s.recovered() ? " recovered (" : " connected (") +
             s.id() + ")");
    }
    // A recovered socket has its room back (and got what the room said meanwhile); otherwise
    // the client joins a room itself (`join`, usually "lobby"); until then it is in none.
    const sio::rooms_view back = s.eio_session().conn().rooms(s.nsp());
    if (s.recovered() && !back.empty()) return move_to(s, std::string(back[0]));
    send_rooms(s);
  }

  member* find(const std::string& id) {
    auto it = members_.find(id);
    return it == members_.end() ? nullptr : &it->second;
  }

  static sio::recovery_options store_options(std::uint64_t epoch) {
    sio::recovery_options o;
    o.epoch = epoch;
    return o;
  }

  // Sends `event` (a builder) to every member of `room` but `except`; @return to how many.
  template <class B>
  std::size_t broadcast(const std::string& room, const std::string& except, const B& event) {
    if (shutting_down_) return 0;
    const std::string_view to[1] = {room};
    const std::string_view but[1] = {except};
    auto it = rooms_.find(room);
    std::vector<std::string> ids;
    // A copy: sending never changes the rooms, but a handler could, in a larger application.
    if (it != rooms_.end()) ids.assign(it->second.begin(), it->second.end());
    return deliver(ids, except, sio::room_filter{sio::rooms_view(to), sio::rooms_view(but)}, event);
  }

  // Encodes `event` once per protocol version among the sockets `ids` (all of namespace nsp_)
  // and queues the same Engine.IO messages on each but `except`'s; @return how many. The v5
  // packet goes through the recovery store first, with the rooms it is for (`to`): a member
  // who lost its transport gets it when it recovers, and its offset comes with it.
  template <class B>
  std::size_t deliver(const std::vector<std::string>& ids, const std::string& except,
                      const sio::room_filter& to, B event) {
    std::optional<sio::encoded_packet> once[2];  // Socket.IO v5, v4
    event.nsp(nsp_);
    // On the engines' clock (demo::now_ms, steady), not the wall clock of the `at` fields.
    const auto stored = store_.broadcast(event, to, demo::now_ms());
    if (stored) once[0] = **stored;  // a copy: the store's is valid until its next call
    std::size_t n = 0;
    for (const std::string& id : ids) {
      member* m = id == except ? nullptr : find(id);
      if (m == nullptr) continue;
      const sio::server_connection& c = m->socket->eio_session().conn();
      const sio::protocol_version v = sio::protocol_for(c.engine().version());
      std::optional<sio::encoded_packet>& p = once[v == sio::protocol_version::v5 ? 0 : 1];
      if (!p) {
        sio::codec_options o = c.options().codec;
        o.version = v;
        auto r = sio::encoded_packet::encode(event, sio::codec(c.options().parser, o));
        if (!r) return n;
        p = std::move(*r);
      }
      if (m->socket->send_encoded(*p)) ++n;
    }
    return n;
  }

  // The users of a room, as [{id, nick}...].
  auto users_of(const std::string& room) {
    return [this, room](auto& w) {
      w.begin_array();
      auto it = rooms_.find(room);
      if (it != rooms_.end()) {
        for (const std::string& id : it->second) {
          const member* m = find(id);
          if (m != nullptr) w.value(sio::object("id", id, "nick", m->nick));
        }
      }
      w.end_array();
    };
  }

  // [{name, users}...] of every room with someone in it.
  auto room_list() {
    return [this](auto& w) {
      w.begin_array();
      for (const auto& r : rooms_) w.value(sio::object("name", r.first, "users", r.second.size()));
      w.end_array();
    };
  }

  void send_rooms(demo::socket& s) { s.emit("rooms", room_list()); }

  void send_rooms_to_all() {
    if (shutting_down_) return;
    std::vector<std::string> ids;
    for (const auto& m : members_) ids.push_back(m.first);
    deliver(ids, std::string(), sio::room_filter{}, sio::event("rooms", room_list()));
  }

  // Tells the users of `room` that `nick` joined or left, with the new user list.
  void presence(const std::string& room, const std::string& id, const std::string& nick,
                std::string_view what) {
    broadcast(room, id,
              sio::event("presence", sio::object("room", room, "id", id, "nick", nick, "event",
                                                 what, "users", users_of(room))));
  }

  void leave_room(const std::string& id, member& m) {
    if (m.room.empty()) return;
    const std::string old = std::move(m.room);
    m.room.clear();
    auto it = rooms_.find(old);
    if (it != rooms_.end()) {
      it->second.erase(id);
      if (it->second.empty()) rooms_.erase(it);
    }
    presence(old, id, m.nick, "left");
  }

  void move_to(demo::socket& s, const std::string& room) {
    member* m = find(s.id());
    if (m == nullptr || m->room == room) return;
    leave_room(s.id(), *m);
    m->room = room;
    // The engine persists it when the socket loses its transport, and gives it back on recovery.
    const std::string_view rooms_of[1] = {m->room};
    (void)s.eio_session().conn().set_rooms(s.nsp(), sio::rooms_view(rooms_of));
    rooms_[room].insert(s.id());
    presence(room, s.id(), m->nick, "joined");
    send_rooms_to_all();
  }

  void ack_room(demo::socket& s, const demo::incoming_event& ev) {
    const member* m = find(s.id());
    if (m == nullptr) return;
    s.ack(ev, sio::object("ok", true, "room", m->room, "users", users_of(m->room)));
  }

  void remove(const std::string& id) {
    auto it = members_.find(id);
    if (it == members_.end()) return;
    // The socket is being destroyed: nothing may be sent to it any more.
    member m = std::move(it->second);
    members_.erase(it);
    if (shutting_down_) return;
    if (on_log) on_log("chat: " + m.nick + " left (" + id + ")");
    leave_room(id, m);
    send_rooms_to_all();
  }

  limits limits_;
  sio::recovery_store store_;  // outlives the sockets: the server is destroyed first
  std::string nsp_ = "/";
  std::string pending_nick_;
  std::map<std::string, member> members_;               // by socket id
  std::map<std::string, std::set<std::string>> rooms_;  // room -> socket ids
  bool shutting_down_ = false;
};

}  // namespace chat

#endif  // SIOCODEC_EXAMPLES_CHAT_CHAT_ROOMS_HPP
