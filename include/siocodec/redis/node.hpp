// SPDX-License-Identifier: BSL-1.0
// A cluster node: the logic of @socket.io/redis-adapter 8.3's RedisAdapter for one namespace,
// sans-I/O (no sockets, no clock, no Redis client). The application owns the Redis connections
// and the Socket.IO server; the node tells it what to publish and what to do with its sockets.
//
//   Redis (subscribed)                    node                          application
//   PSUBSCRIBE broadcast_pattern()  --> on_message(channel, bytes, now) --> incoming: deliver a
//   SUBSCRIBE request_channel(),                                            broadcast, join /
//     response_channel(),                                                   leave / disconnect
//     specific_response_channel()                                           sockets, run a
//                                                                           server-side event
//   PUBLISH channel message         <-- poll_transmit()             <-- broadcast(), requests,
//                                                                       reply_*()
//   (timer)                         --> expire(now), next_deadline()
//   request completions / acks      <-- poll_event()
//
// What the node needs of the local server is narrow: the sockets of its namespace, each with its
// id, its rooms, its handshake and its data (local_sockets, visited when a request of another
// node asks for them, and for this node's own fetchSockets() / allRooms()).
//
// Lifetimes: a node lives as long as the adapter of its namespace; `local` (the constructor's)
// must outlive it. An `incoming` views the message given to on_message() (and nothing else): it
// is valid while those bytes are. poll_transmit() and poll_event() hand out owned values. There
// are no states: every call may be made at any time, in any order.
//
// Memory: the publish queue and the event queue together hold at most max_queued_bytes (each
// entry counted with its bytes plus queue_entry_overhead); at most
// SIOCODEC_REDIS_NODE_MAX_REQUESTS requests of this node are in flight, each aggregating at most
// max_result_bytes of answers. Nothing here throws; hostile input is refused with a typed error
// and its offset, and nothing of it is kept.
#ifndef SIOCODEC_REDIS_NODE_HPP
#define SIOCODEC_REDIS_NODE_HPP

#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/error.hpp>
#include <siocodec/json/validate.hpp>
#include <siocodec/json/write.hpp>
#include <siocodec/redis/broadcast.hpp>
#include <siocodec/redis/channel.hpp>
#include <siocodec/redis/request.hpp>
#include <siocodec/redis/tracker.hpp>
#include <siocodec/result.hpp>
#include <siocodec/socketio/any.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {
namespace redis {

/// The handshake of a local socket as socket.io 4.8 builds it (socket.handshake), which a
/// fetchSockets() answer carries in this key order. JSON texts must be valid JSON objects; the
/// defaults are what a server that keeps none of it can say.
struct socket_handshake {
  std::string_view headers_json = "{}";
  /// `new Date().toString()` of the connection.
  std::string_view time;
  std::string_view address;
  bool xdomain = false;
  bool secure = false;
  /// Milliseconds since the epoch.
  std::uint64_t issued = 0;
  std::string_view url;
  std::string_view query_json = "{}";
  std::string_view auth_json = "{}";
};

/// One socket of the local server, as the node sees it. Views, valid during the visit.
struct local_socket {
  std::string_view id;
  /// socket.rooms: the socket's own id first, then the rooms it joined.
  room_list rooms;
  socket_handshake handshake;
  /// socket.data as JSON (any value).
  std::string_view data_json = "{}";
};

/// Receives the sockets of local_sockets::for_each().
class socket_visitor {
 public:
  virtual ~socket_visitor() = default;
  /// @return false to stop the visit.
  virtual bool visit(const local_socket& s) = 0;
};

/// The local server's sockets of the node's namespace (the application implements it over its
/// server: examples/cluster/node.cpp does it over the Beast adapter's sockets).
class local_sockets {
 public:
  virtual ~local_sockets() = default;
  /// Calls v.visit() for every socket of the namespace connected on this server, until it
  /// returns false.
  virtual void for_each(socket_visitor& v) const = 0;
  /// Whether a local socket is in `room` (its own id is one). The default visits the sockets;
  /// a server with a room table answers faster (the node asks it for every broadcast to one
  /// room, the reference's shortcut).
  virtual bool has_room(std::string_view room) const;
};

/// The id of a request of this node: `<uid>.<sequence>` (what poll_event() reports it by).
struct request_handle {
  char bytes[max_request_id] = {};
  std::uint8_t size = 0;
  std::string_view view() const noexcept { return {bytes, size}; }
  bool empty() const noexcept { return size == 0; }
};

/// Options of a node. The defaults are the reference's (RedisAdapter's opts), or bounds it does
/// not have.
struct node_options {
  /// The `key` option: channels are `<key>#<nsp>#`...
  std::string_view key = default_key;
  /// requestsTimeout, in the unit of `now` (milliseconds in the reference).
  std::uint64_t requests_timeout = SIOCODEC_DEFAULT_REDIS_REQUESTS_TIMEOUT;
  /// publishOnSpecificResponseChannel: answers go to `<key>-response#<nsp>#<requester uid>#`.
  bool publish_on_specific_response_channel = false;
  /// Bytes the publish and event queues hold together (see the file comment).
  std::size_t max_queued_bytes = SIOCODEC_DEFAULT_REDIS_NODE_MAX_QUEUED_BYTES;
  /// Bytes of answers one request of this node aggregates (the JSON text of its result).
  std::size_t max_result_bytes = SIOCODEC_DEFAULT_REDIS_NODE_MAX_RESULT_BYTES;
  /// Limits of the decoders the node runs on what arrives.
  broadcast_decode_options broadcast_decode;
  request_decode_options request_decode;
};

/// What the application does with its own sockets for a message that arrived.
enum class incoming_kind : std::uint8_t {
  /// Nothing (a response, a request the node answered itself, an own message, a broadcast to a
  /// room no local socket is in, another namespace's packet).
  none,
  /// Deliver `packet` (EVENT, data [name, args...], binary inline) to every local socket that
  /// reaches(rooms, except, socket.rooms); `flags` as sent (volatile, compress).
  broadcast,
  /// socketsJoin: the sockets reaches() selects join `target_rooms`; the 7.x form (sid set):
  /// socket `sid` joins `room` (the node has published its answer).
  join,
  /// socketsLeave: as join, leaving.
  leave,
  /// disconnectSockets: the sockets selected (or `sid`) disconnect; `close` closes their
  /// connection too.
  disconnect,
  /// broadcastWithAck of another node: deliver `packet` with an ack to each selected socket,
  /// then reply_client_count(request_id, requester, how many), and reply_broadcast_ack() with
  /// each client's answer, until flags.timeout() milliseconds passed.
  broadcast_with_ack,
  /// serverSideEmit of another node: `data` is [event, args...]; when `request_id` is not empty
  /// an ack is expected: reply_server_side_emit(request_id, answer) once.
  server_side_emit,
};

/// A message that arrived, for the application (views into the message).
struct incoming {
  incoming_kind kind = incoming_kind::none;
  /// broadcast, broadcast_with_ack.
  msgpack_packet_view packet;
  broadcast_flags flags;
  /// The selection: arrays of room names (strings, or numbers no local room matches), or absent.
  any_value rooms;
  any_value except;
  /// join / leave (8.x form): the rooms to join or leave.
  any_value target_rooms;
  /// join / leave / disconnect, 7.x form: the one socket, and for join / leave the room.
  std::optional<std::string_view> sid;
  any_value room;
  /// disconnect.
  bool close = false;
  /// server_side_emit: [event, args...].
  any_value data;
  /// broadcast_with_ack; server_side_emit wanting an ack.
  std::string_view request_id;
  /// The uid of the node that sent it (absent for the emitter's requests: empty).
  std::string_view requester;
};

/// A message to PUBLISH.
struct publish {
  std::string channel;
  std::string message;
};

/// What poll_event() reports about this node's own requests.
enum class node_event_kind : std::uint8_t {
  /// Every node answered: `json` is the result, this node's part first (fetch_sockets: the
  /// array of {id, handshake, rooms, data}; all_rooms: the array of distinct room names;
  /// server_side_emit_with_ack: the array of the other nodes' answers).
  completed,
  /// requests_timeout passed first (the reference rejects fetchSockets() / allRooms(); for
  /// serverSideEmit `json` holds the answers that came). For broadcast_with_ack: the ack timeout
  /// passed, no more acks are reported (the normal end).
  timed_out,
  /// broadcast_with_ack: a node's client count (`client_count`).
  client_count,
  /// broadcast_with_ack: one client's answer, `ack` (its msgpack bytes; empty: undefined).
  ack,
  /// The request was given up: `error` is payload_too_large (the answers passed
  /// max_result_bytes).
  failed,
};

struct node_event {
  node_event_kind kind = node_event_kind::completed;
  request_type type = request_type::sockets;
  request_handle id;
  std::string json;
  std::uint64_t client_count = 0;
  std::string ack;
  errc error = errc::none;
};

/// The node of one namespace (see the file comment).
class node {
 public:
  /// Bytes each queued entry counts for besides its own.
  static constexpr std::size_t queue_entry_overhead = 64;

  /// The node of namespace `nsp` with uid `uid` (random per node, as the reference's uid2(6): the
  /// caller draws it; at most 16 bytes so that request ids fit max_request_id).
  node(std::string_view nsp, std::string_view uid, const local_sockets& local,
       const node_options& opts = {});
  // The options' key views the node's own copy: not copyable, not movable.
  node(const node&) = delete;
  node& operator=(const node&) = delete;

  const std::string& nsp() const noexcept { return nsp_; }
  const std::string& uid() const noexcept { return uid_; }
  const node_options& options() const noexcept { return opts_; }
  /// What to subscribe to: PSUBSCRIBE broadcast_pattern(); SUBSCRIBE the three others (the
  /// other nodes count the nodes by the subscribers of request_channel(), PUBSUB NUMSUB).
  const std::string& broadcast_pattern() const noexcept { return pattern_; }
  const std::string& request_channel() const noexcept { return request_; }
  const std::string& response_channel() const noexcept { return response_; }
  const std::string& specific_response_channel() const noexcept { return specific_; }

  /// A message of `channel` (one of the subscriptions above). Answers the requests it can
  /// answer alone (SOCKETS, ALL_ROOMS, REMOTE_FETCH, the 7.x forms' acknowledgements: queued
  /// for poll_transmit()), reports this node's requests' answers (poll_event()), and returns
  /// what the application does with its sockets.
  /// @return the incoming (views into `message`); offset() is message.size(). Errors (the
  /// message is dropped, nothing is queued):
  /// - invalid_namespace / invalid_argument: `channel` is not one of this node's
  ///   (match_channel()'s errors and offsets);
  /// - decode_broadcast()'s errors on a broadcast channel, decode_request()'s on the request
  ///   channel, decode_response()'s on a response channel, with their offsets in `message`;
  /// - queue_full (offset 0): the answer does not fit max_queued_bytes;
  /// - invalid_argument (offset 0): a local socket's JSON text (handshake, data) is not valid,
  ///   or a string is not UTF-8, so the answer cannot be written.
  result<incoming> on_message(std::string_view channel, byte_view message, std::uint64_t now);

  // --- this node's requests (RedisAdapter's methods) ---------------------------------------
  // `server_count` is serverCount(): PUBSUB NUMSUB request_channel(), this node included. The
  // local part (delivering to this server's own sockets) is the application's, as
  // super.broadcast() is in the reference, except for fetch_sockets() / all_rooms(), whose
  // results include the local sockets.

  /// broadcast(): publishes `ev` (socketio::event(...)) for `o`'s rooms / except / flags on the
  /// room's channel when there is exactly one room, else on the namespace's; nothing with the
  /// `local` flag. Errors: encode_broadcast()'s; queue_full.
  template <class B>
  errc broadcast(const B& ev, const broadcast_options& o);

  /// broadcastWithAck(): publishes the BROADCAST request; poll_event() reports each node's
  /// client_count and each client's ack until `o.flags.timeout()` (required) has passed, then
  /// timed_out. With the `local` flag nothing is published and the id is empty.
  /// Errors: invalid_argument (no timeout flag, uid too long); queue_full (the queue, or
  /// SIOCODEC_REDIS_NODE_MAX_REQUESTS in flight); encode_broadcast_request()'s.
  template <class B>
  result<request_handle> broadcast_with_ack(const B& ev, const broadcast_options& o,
                                            std::uint64_t now);

  /// fetchSockets(): completed with the local sockets at once when server_count <= 1, else
  /// publishes REMOTE_FETCH and completes when every other node answered (timed_out after
  /// requests_timeout). Errors: invalid_argument (a local socket's JSON text, uid too long),
  /// invalid_utf8 (a room), queue_full.
  result<request_handle> fetch_sockets(room_list rooms, room_list except,
                                       std::uint32_t server_count, std::uint64_t now);

  /// allRooms(): as fetch_sockets(), with ALL_ROOMS. Errors: as fetch_sockets().
  result<request_handle> all_rooms(std::uint32_t server_count, std::uint64_t now);

  /// serverSideEmit() without an ack: publishes SERVER_SIDE_EMIT with `args_json` (a JSON array,
  /// the event name first). Errors: invalid_argument (not a JSON array), queue_full.
  errc server_side_emit(std::string_view args_json);

  /// serverSideEmitWithAck(): completed with [] at once when there is no other node
  /// (server_count <= 1), else completed with the other nodes' answers (timed_out with those
  /// that came). Errors: as server_side_emit(); invalid_argument (uid too long).
  result<request_handle> server_side_emit_with_ack(std::string_view args_json,
                                                   std::uint32_t server_count, std::uint64_t now);

  /// socketsJoin() / socketsLeave() / disconnectSockets() in the 8.x form: published only; the
  /// request comes back on request_channel() and on_message() returns it for the local sockets
  /// too, as the reference applies it when it arrives. Errors: invalid_utf8, queue_full.
  errc sockets_join(room_list rooms, room_list except, room_list target);
  errc sockets_leave(room_list rooms, room_list except, room_list target);
  errc disconnect_sockets(room_list rooms, room_list except, bool close);

  // --- answers to other nodes' requests ------------------------------------------------------

  /// BROADCAST_CLIENT_COUNT of an incoming broadcast_with_ack. Errors: invalid_utf8, queue_full.
  errc reply_client_count(std::string_view request_id, std::string_view requester,
                          std::uint64_t count);
  /// BROADCAST_ACK: one client's answer, written by `write_arg(msgpack_args_writer&)` (see
  /// encode_broadcast_ack_response()). Errors: encode_broadcast_ack_response()'s, queue_full.
  template <class F>
  errc reply_broadcast_ack(std::string_view request_id, std::string_view requester, F&& write_arg);
  /// SERVER_SIDE_EMIT's answer (`data_json` one JSON value; empty: undefined), always on the
  /// common response channel, as the reference. Errors: invalid_argument, invalid_utf8,
  /// queue_full.
  errc reply_server_side_emit(std::string_view request_id, std::string_view data_json);

  // --- time and output -------------------------------------------------------------------------

  /// Ends the requests whose deadline is at or before `now` (timed_out events). @return how many.
  std::size_t expire(std::uint64_t now);
  /// The earliest deadline of a request in flight; ~0 when there is none.
  std::uint64_t next_deadline() const noexcept { return tracker_.next_deadline(); }
  /// The next message to PUBLISH, in order.
  std::optional<publish> poll_transmit();
  /// The next report on this node's requests, in order.
  std::optional<node_event> poll_event();
  std::size_t pending_requests() const noexcept { return tracker_.size(); }
  std::size_t queued_bytes() const noexcept { return queued_bytes_; }

 private:
  // What a request of this node has gathered so far: JSON array items, comma-separated.
  struct gathered {
    request_handle id;
    request_type type = request_type::sockets;
    std::string items;
    std::set<std::string, std::less<>> seen;  // ALL_ROOMS: the items already in
  };

  errc queue(std::string channel, std::string message);
  // Queues on `channel` what `encode(std::string&)` writes.
  template <class E>
  errc send(const std::string& channel, E&& encode);
  errc queue_event(node_event e);
  errc next_id(request_handle& id);
  gathered* find(std::string_view id) noexcept;
  void forget(std::string_view id) noexcept;
  errc local_sockets_json(std::string& items, const any_value* rooms, const any_value* except,
                          room_list rooms_l, room_list except_l) const;
  errc local_rooms(gathered& g) const;
  void add_room(gathered& g, std::string text) const;
  errc finish(gathered& g, node_event_kind k);
  result<request_handle> launch(gathered g, std::uint32_t server_count, std::uint32_t expected,
                                std::string message, std::uint64_t now);
  errc start(request_type t, const request_handle& id, std::uint32_t expected,
             std::uint64_t deadline, std::string message);
  const std::string& reply_channel(std::string_view requester) const;
  result<incoming> on_broadcast(const channel_match& ch, byte_view message);
  result<incoming> on_request(byte_view message);
  result<incoming> on_response(const channel_match& ch, byte_view message);

  std::string nsp_, uid_;
  const local_sockets* local_;
  node_options opts_;
  std::string key_;  // opts_.key's copy (the view may not outlive the constructor's caller)
  std::string channel_, pattern_, request_, response_, specific_;
  mutable std::string scratch_;  // a specific response channel
  request_tracker<SIOCODEC_REDIS_NODE_MAX_REQUESTS> tracker_;
  std::vector<gathered> gathered_;
  std::deque<publish> out_;
  std::deque<node_event> events_;
  std::size_t queued_bytes_ = 0;
  std::uint64_t seq_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace detail {

template <class F>
class visitor_fn final : public socket_visitor {
 public:
  explicit visitor_fn(F& f) noexcept : f_(f) {}
  bool visit(const local_socket& s) override { return f_(s); }

 private:
  F& f_;
};

template <class F>
void visit_sockets(const local_sockets& l, F&& f) {
  visitor_fn<std::remove_reference_t<F>> v(f);
  l.for_each(v);
}

inline bool list_has(room_list l, std::string_view name) noexcept {
  for (const std::string_view r : l) {
    if (r == name) return true;
  }
  return false;
}

// reaches() for lists of names this node holds.
inline bool reaches_names(room_list rooms, room_list except, room_list socket_rooms) noexcept {
  for (const std::string_view r : socket_rooms) {
    if (list_has(except, r)) return false;
  }
  if (rooms.size == 0) return true;
  for (const std::string_view r : socket_rooms) {
    if (list_has(rooms, r)) return true;
  }
  return false;
}

inline errc append_json_string(std::string& out, std::string_view s) {
  const result<std::size_t> r = json::encode_string(s, out);
  return r ? errc::none : r.error();
}

inline bool json_of(std::string_view text, bool object) noexcept {
  const result<json::kind> k = json::validate(text);
  return k && (!object || *k == json::kind::object);
}

// `{"id","handshake":{...},"rooms":[...],"data"}` as the reference's REMOTE_FETCH answer.
inline errc socket_json(std::string& out, const local_socket& s) {
  const socket_handshake& h = s.handshake;
  if (!json_of(h.headers_json, true) || !json_of(h.query_json, true) ||
      !json_of(h.auth_json, true) || !json_of(s.data_json, false)) {
    return errc::invalid_argument;
  }
  errc e = errc::none;
  out += "{\"id\":";
  if ((e = append_json_string(out, s.id)) != errc::none) return e;
  out += ",\"handshake\":{\"headers\":";
  out += h.headers_json;
  out += ",\"time\":";
  if ((e = append_json_string(out, h.time)) != errc::none) return e;
  out += ",\"address\":";
  if ((e = append_json_string(out, h.address)) != errc::none) return e;
  out += h.xdomain ? ",\"xdomain\":true" : ",\"xdomain\":false";
  out += h.secure ? ",\"secure\":true" : ",\"secure\":false";
  out += ",\"issued\":";
  out += std::to_string(h.issued);
  out += ",\"url\":";
  if ((e = append_json_string(out, h.url)) != errc::none) return e;
  out += ",\"query\":";
  out += h.query_json;
  out += ",\"auth\":";
  out += h.auth_json;
  out += "},\"rooms\":[";
  bool first = true;
  for (const std::string_view r : s.rooms) {
    if (!first) out += ',';
    first = false;
    if ((e = append_json_string(out, r)) != errc::none) return e;
  }
  out += "],\"data\":";
  out += s.data_json;
  out += '}';
  return errc::none;
}

}  // namespace detail

inline bool local_sockets::has_room(std::string_view room) const {
  bool found = false;
  detail::visit_sockets(*this, [&](const local_socket& s) {
    found = detail::list_has(s.rooms, room);
    return !found;
  });
  return found;
}

inline node::node(std::string_view nsp, std::string_view uid, const local_sockets& local,
                  const node_options& opts)
    : nsp_(nsp), uid_(uid), local_(&local), opts_(opts), key_(opts.key) {
  opts_.key = key_;
  (void)redis::broadcast_channel(channel_, nsp_, key_);
  (void)redis::broadcast_pattern(pattern_, nsp_, key_);
  (void)redis::request_channel(request_, nsp_, key_);
  (void)redis::response_channel(response_, nsp_, key_);
  (void)redis::specific_response_channel(specific_, nsp_, uid_, key_);
}

inline errc node::queue(std::string channel, std::string message) {
  const std::size_t n = channel.size() + message.size() + queue_entry_overhead;
  if (queued_bytes_ > opts_.max_queued_bytes || n > opts_.max_queued_bytes - queued_bytes_) {
    return errc::queue_full;
  }
  queued_bytes_ += n;
  out_.push_back(publish{std::move(channel), std::move(message)});
  return errc::none;
}

template <class E>
errc node::send(const std::string& channel, E&& encode) {
  std::string message;
  const result<std::size_t> r = encode(message);
  if (!r) return r.error();
  return queue(channel, std::move(message));
}

inline errc node::queue_event(node_event e) {
  const std::size_t n = e.json.size() + e.ack.size() + queue_entry_overhead;
  if (queued_bytes_ > opts_.max_queued_bytes || n > opts_.max_queued_bytes - queued_bytes_) {
    return errc::queue_full;
  }
  queued_bytes_ += n;
  events_.push_back(std::move(e));
  return errc::none;
}

inline std::optional<publish> node::poll_transmit() {
  if (out_.empty()) return std::nullopt;
  publish p = std::move(out_.front());
  out_.pop_front();
  queued_bytes_ -= p.channel.size() + p.message.size() + queue_entry_overhead;
  return p;
}

inline std::optional<node_event> node::poll_event() {
  if (events_.empty()) return std::nullopt;
  node_event e = std::move(events_.front());
  events_.pop_front();
  queued_bytes_ -= e.json.size() + e.ack.size() + queue_entry_overhead;
  return e;
}

inline errc node::next_id(request_handle& id) {
  // The uid keeps ids unique across the cluster, the sequence within the node.
  std::string s = uid_;
  s += '.';
  s += std::to_string(++seq_);
  if (s.size() > max_request_id) return errc::invalid_argument;
  for (std::size_t i = 0; i < s.size(); ++i) id.bytes[i] = s[i];
  id.size = static_cast<std::uint8_t>(s.size());
  return errc::none;
}

inline node::gathered* node::find(std::string_view id) noexcept {
  for (gathered& g : gathered_) {
    if (g.id.view() == id) return &g;
  }
  return nullptr;
}

inline void node::forget(std::string_view id) noexcept {
  for (std::size_t i = 0; i < gathered_.size(); ++i) {
    if (gathered_[i].id.view() != id) continue;
    gathered_[i] = std::move(gathered_.back());
    gathered_.pop_back();
    return;
  }
}

inline const std::string& node::reply_channel(std::string_view requester) const {
  if (!opts_.publish_on_specific_response_channel || requester.empty()) return response_;
  scratch_.clear();
  (void)redis::specific_response_channel(scratch_, nsp_, requester, key_);
  return scratch_;
}

inline errc node::local_sockets_json(std::string& items, const any_value* rooms,
                                     const any_value* except, room_list rooms_l,
                                     room_list except_l) const {
  errc e = errc::none;
  detail::visit_sockets(*local_, [&](const local_socket& s) {
    const bool in = rooms != nullptr ? reaches(*rooms, *except, s.rooms)
                                     : detail::reaches_names(rooms_l, except_l, s.rooms);
    if (!in) return true;
    if (!items.empty()) items += ',';
    e = detail::socket_json(items, s);
    return e == errc::none;
  });
  return e;
}

inline void node::add_room(gathered& g, std::string text) const {
  if (g.seen.find(text) != g.seen.end()) return;
  if (!g.items.empty()) g.items += ',';
  g.items += text;
  g.seen.insert(std::move(text));
}

inline errc node::local_rooms(gathered& g) const {
  errc e = errc::none;
  detail::visit_sockets(*local_, [&](const local_socket& s) {
    for (const std::string_view r : s.rooms) {
      std::string t;
      if ((e = detail::append_json_string(t, r)) != errc::none) return false;
      add_room(g, std::move(t));
    }
    return true;
  });
  return e;
}

inline errc node::finish(gathered& g, node_event_kind k) {
  node_event ev;
  ev.kind = k;
  ev.type = g.type;
  ev.id = g.id;
  if (k == node_event_kind::completed ||
      (k == node_event_kind::timed_out && g.type == request_type::server_side_emit)) {
    ev.json.reserve(g.items.size() + 2);
    ev.json += '[';
    ev.json += g.items;
    ev.json += ']';
  }
  forget(g.id.view());
  return queue_event(std::move(ev));
}

inline errc node::start(request_type t, const request_handle& id, std::uint32_t expected,
                        std::uint64_t deadline, std::string message) {
  const errc e = tracker_.start(t, id.view(), expected, deadline);
  if (e != errc::none) return e;
  const errc q = queue(request_, std::move(message));
  if (q != errc::none) {
    tracker_.cancel(id.view());
    return q;
  }
  return errc::none;
}

template <class B>
errc node::broadcast(const B& ev, const broadcast_options& o) {
  if (o.flags.is_local()) return errc::none;
  std::string channel;
  if (o.rooms.size == 1) {
    (void)redis::room_channel(channel, nsp_, o.rooms.data[0], key_);
  } else {
    channel = channel_;
  }
  return send(channel, [&](std::string& m) { return encode_broadcast(m, uid_, nsp_, o, ev); });
}

template <class B>
result<request_handle> node::broadcast_with_ack(const B& ev, const broadcast_options& o,
                                                std::uint64_t now) {
  request_handle id;
  if (o.flags.is_local()) return {id, 0};
  const std::optional<double> t = o.flags.timeout();
  if (!t) return {errc::invalid_argument, 0};
  errc e = next_id(id);
  if (e != errc::none) return {e, 0};
  std::string message;
  const result<std::size_t> r = encode_broadcast_request(message, uid_, id.view(), nsp_, o, ev);
  if (!r) return {r.error(), 0};
  // The reference forgets the request after setTimeout(timeout): a negative or NaN one at once.
  const double ms = *t > 0 ? *t : 0;
  const std::uint64_t span =
      ms >= 1.8e19 ? ~std::uint64_t{0} - now : static_cast<std::uint64_t>(ms);
  const std::uint64_t deadline = span > ~std::uint64_t{0} - now ? ~std::uint64_t{0} : now + span;
  e = start(request_type::broadcast, id, 0, deadline, std::move(message));
  if (e != errc::none) return {e, 0};
  return {id, 0};
}

namespace detail {

inline request_handle id_of(std::string_view s) noexcept {
  request_handle id;
  const std::size_t n = s.size() < max_request_id ? s.size() : max_request_id;
  for (std::size_t i = 0; i < n; ++i) id.bytes[i] = s[i];
  id.size = static_cast<std::uint8_t>(n);
  return id;
}

// A room name of an answer as a JSON array item: a string (either encoding) as a JSON string, a
// JSON number as written; empty for anything else (a msgpack number: no reference encoder
// writes an answer in msgpack).
inline std::string room_item(const any_value& v) {
  std::string out;
  if (v.is_string()) {
    std::string s;
    if (v.append_string(s) && append_json_string(out, s) == errc::none) return out;
    return {};
  }
  if (v.is_number() && !v.is_msgpack()) out = std::string(v.as_json().raw());
  return out;
}

}  // namespace detail

inline result<request_handle> node::fetch_sockets(room_list rooms, room_list except,
                                                  std::uint32_t server_count, std::uint64_t now) {
  gathered g;
  g.type = request_type::remote_fetch;
  errc e = next_id(g.id);
  if (e != errc::none) return {e, 0};
  if ((e = local_sockets_json(g.items, nullptr, nullptr, rooms, except)) != errc::none) {
    return {e, 0};
  }
  std::string message;
  const result<std::size_t> r =
      encode_fetch_sockets_request(message, uid_, g.id.view(), rooms, except);
  if (!r) return {r.error(), 0};
  return launch(std::move(g), server_count, server_count, std::move(message), now);
}

inline result<request_handle> node::all_rooms(std::uint32_t server_count, std::uint64_t now) {
  gathered g;
  g.type = request_type::all_rooms;
  errc e = next_id(g.id);
  if (e != errc::none) return {e, 0};
  if ((e = local_rooms(g)) != errc::none) return {e, 0};
  std::string message;
  const result<std::size_t> r = encode_all_rooms_request(message, uid_, g.id.view());
  if (!r) return {r.error(), 0};
  return launch(std::move(g), server_count, server_count, std::move(message), now);
}

inline errc node::server_side_emit(std::string_view args_json) {
  return send(request_, [&](std::string& m) {
    return encode_server_side_emit_request(m, uid_, {}, args_json);
  });
}

inline result<request_handle> node::server_side_emit_with_ack(std::string_view args_json,
                                                              std::uint32_t server_count,
                                                              std::uint64_t now) {
  gathered g;
  g.type = request_type::server_side_emit;
  const errc e = next_id(g.id);
  if (e != errc::none) return {e, 0};
  std::string message;
  const result<std::size_t> r =
      encode_server_side_emit_request(message, uid_, g.id.view(), args_json);
  if (!r) return {r.error(), 0};
  // The other nodes answer; this one does not count.
  return launch(std::move(g), server_count, server_count - 1, std::move(message), now);
}

inline result<request_handle> node::launch(gathered g, std::uint32_t server_count,
                                           std::uint32_t expected, std::string message,
                                           std::uint64_t now) {
  if (g.items.size() > opts_.max_result_bytes) return {errc::payload_too_large, 0};
  const request_handle id = g.id;
  // As the reference: no other node, no request.
  if (server_count <= 1) {
    const errc e = finish(g, node_event_kind::completed);
    if (e != errc::none) return {e, 0};
    return {id, 0};
  }
  const errc e = start(g.type, id, expected, now + opts_.requests_timeout, std::move(message));
  if (e != errc::none) return {e, 0};
  gathered_.push_back(std::move(g));
  return {id, 0};
}

inline errc node::sockets_join(room_list rooms, room_list except, room_list target) {
  return send(request_, [&](std::string& m) {
    return encode_sockets_join_request(m, true, uid_, rooms, except, target);
  });
}

inline errc node::sockets_leave(room_list rooms, room_list except, room_list target) {
  return send(request_, [&](std::string& m) {
    return encode_sockets_join_request(m, false, uid_, rooms, except, target);
  });
}

inline errc node::disconnect_sockets(room_list rooms, room_list except, bool close) {
  return send(request_, [&](std::string& m) {
    return encode_disconnect_sockets_request(m, uid_, rooms, except, close);
  });
}

inline errc node::reply_client_count(std::string_view request_id, std::string_view requester,
                                     std::uint64_t count) {
  return send(reply_channel(requester),
              [&](std::string& m) { return encode_client_count_response(m, request_id, count); });
}

template <class F>
errc node::reply_broadcast_ack(std::string_view request_id, std::string_view requester,
                               F&& write_arg) {
  return send(reply_channel(requester), [&](std::string& m) {
    return encode_broadcast_ack_response(m, request_id, std::forward<F>(write_arg));
  });
}

inline errc node::reply_server_side_emit(std::string_view request_id, std::string_view data_json) {
  return send(response_, [&](std::string& m) {
    return encode_server_side_emit_response(m, request_id, data_json);
  });
}

inline std::size_t node::expire(std::uint64_t now) {
  return tracker_.expire(now, [this](const tracker_event& te) {
    gathered* g = find(te.request_id);
    if (g != nullptr) {
      (void)finish(*g, node_event_kind::timed_out);
      return;
    }
    node_event ev;  // BROADCAST: nothing gathered
    ev.kind = node_event_kind::timed_out;
    ev.type = te.type;
    ev.id = detail::id_of(te.request_id);
    (void)queue_event(std::move(ev));
  });
}

inline result<incoming> node::on_message(std::string_view channel, byte_view message,
                                         std::uint64_t now) {
  // An answer after the deadline must not count.
  (void)expire(now);
  const result<channel_match> ch = match_channel(channel, nsp_, key_);
  if (!ch) return {ch.error(), ch.offset()};
  switch (ch->kind) {
    case channel_kind::broadcast:
    case channel_kind::room: return on_broadcast(*ch, message);
    case channel_kind::request: return on_request(message);
    case channel_kind::response:
    case channel_kind::specific_response: return on_response(*ch, message);
  }
  return {incoming{}, message.size()};
}

inline result<incoming> node::on_broadcast(const channel_match& ch, byte_view message) {
  incoming in;
  // The reference's shortcut: a broadcast to one room no local socket is in is not decoded.
  if (ch.kind == channel_kind::room && !local_->has_room(ch.room)) return {in, message.size()};
  const result<broadcast_view> b = decode_broadcast(message, opts_.broadcast_decode);
  if (!b) return {b.error(), b.offset()};
  if (b->uid == uid_ || b->packet.nsp != nsp_) return {in, message.size()};
  in.kind = incoming_kind::broadcast;
  in.packet = b->packet;
  in.flags = b->flags;
  if (b->rooms.exists()) in.rooms = any_value(b->rooms);
  if (b->except.exists()) in.except = any_value(b->except);
  in.requester = b->uid;
  return {in, message.size()};
}

inline result<incoming> node::on_request(byte_view message) {
  const result<request_view> decoded = decode_request(message, opts_.request_decode);
  if (!decoded) return {decoded.error(), decoded.offset()};
  const request_view& r = *decoded;
  incoming in;
  if (r.uid) in.requester = *r.uid;
  const std::string_view rid = r.request_id ? *r.request_id : std::string_view();
  const std::size_t done = message.size();
  std::string answer;
  errc e = errc::none;
  switch (r.type) {
    case request_type::sockets: {
      if (tracker_.is_pending(rid)) return {in, done};
      std::vector<std::string> ids;
      const any_value no_except;
      detail::visit_sockets(*local_, [&](const local_socket& s) {
        if (reaches(r.rooms, no_except, s.rooms)) ids.emplace_back(s.id);
        return true;
      });
      const std::vector<std::string_view> views(ids.begin(), ids.end());
      const result<std::size_t> w = encode_sockets_response(answer, rid, room_list(views));
      if (!w) return {errc::invalid_argument, 0};
      break;
    }
    case request_type::all_rooms: {
      if (tracker_.is_pending(rid)) return {in, done};
      std::vector<std::string> names;
      std::set<std::string, std::less<>> seen;
      detail::visit_sockets(*local_, [&](const local_socket& s) {
        for (const std::string_view room : s.rooms) {
          if (seen.find(room) != seen.end()) continue;
          seen.emplace(room);
          names.emplace_back(room);
        }
        return true;
      });
      const std::vector<std::string_view> views(names.begin(), names.end());
      const result<std::size_t> w = encode_all_rooms_response(answer, rid, room_list(views));
      if (!w) return {errc::invalid_argument, 0};
      break;
    }
    case request_type::remote_fetch: {
      if (tracker_.is_pending(rid)) return {in, done};
      std::string items;
      if ((e = local_sockets_json(items, &r.rooms, &r.except, {}, {})) != errc::none) {
        return {errc::invalid_argument, 0};
      }
      items.insert(items.begin(), '[');
      items += ']';
      const result<std::size_t> w = encode_fetch_sockets_response(answer, rid, items);
      if (!w) return {errc::invalid_argument, 0};
      break;
    }
    case request_type::remote_join:
    case request_type::remote_leave:
    case request_type::remote_disconnect: {
      in.kind = r.type == request_type::remote_join    ? incoming_kind::join
                : r.type == request_type::remote_leave ? incoming_kind::leave
                                                       : incoming_kind::disconnect;
      in.close = r.close;
      if (!r.sid) {
        // 8.x: applied here too when it is this node's own, as the reference does.
        in.rooms = r.rooms;
        in.except = r.except;
        in.target_rooms = r.target_rooms;
        return {in, done};
      }
      bool found = false;
      detail::visit_sockets(*local_, [&](const local_socket& s) {
        found = s.id == *r.sid;
        return !found;
      });
      if (!found) return {incoming{}, done};
      in.sid = r.sid;
      in.room = r.room;
      const result<std::size_t> w = encode_remote_done_response(answer, rid);
      if (!w) return {errc::invalid_argument, 0};
      break;
    }
    case request_type::server_side_emit:
      if (r.uid && *r.uid == uid_) return {in, done};
      in.kind = incoming_kind::server_side_emit;
      in.data = r.data;
      in.request_id = rid;
      return {in, done};
    case request_type::broadcast:
      if (tracker_.is_pending(rid)) return {in, done};
      in.kind = incoming_kind::broadcast_with_ack;
      in.packet = r.packet;
      in.flags = r.flags;
      in.rooms = r.rooms;
      in.except = r.except;
      in.request_id = rid;
      return {in, done};
    default: return {in, done};
  }
  if ((e = queue(reply_channel(in.requester), std::move(answer))) != errc::none) return {e, 0};
  return {in, done};
}

inline result<incoming> node::on_response(const channel_match& ch, byte_view message) {
  const std::size_t done = message.size();
  if (ch.kind == channel_kind::specific_response && ch.uid != uid_) return {incoming{}, done};
  const result<response_view> decoded = decode_response(message, opts_.request_decode);
  if (!decoded) return {decoded.error(), decoded.offset()};
  const response_view& r = *decoded;
  const tracker_event te = tracker_.on_response(r);
  node_event ev;
  ev.type = te.type;
  ev.id = detail::id_of(te.request_id);
  switch (te.kind) {
    case tracker_event_kind::ignored:
    case tracker_event_kind::timed_out: return {incoming{}, done};
    case tracker_event_kind::client_count:
      ev.kind = node_event_kind::client_count;
      ev.client_count = te.client_count;
      break;
    case tracker_event_kind::ack:
      ev.kind = node_event_kind::ack;
      if (r.packet.is_msgpack()) {
        const auto raw = r.packet.as_msgpack().raw();
        ev.ack.assign(reinterpret_cast<const char*>(raw.data()), raw.size());
      } else if (r.packet.exists()) {
        ev.json = std::string(r.packet.as_json().raw());
      }
      break;
    case tracker_event_kind::counted:
    case tracker_event_kind::completed: {
      gathered* g = find(te.request_id);
      if (g == nullptr) return {incoming{}, done};
      // What each answer adds, as the reference's onresponse(); the ones without the member
      // only count.
      if (g->type == request_type::remote_fetch) {
        if (r.sockets.is_array() && !r.sockets.is_msgpack()) {
          for (const any_value& s : r.sockets.elements()) {
            if (!g->items.empty()) g->items += ',';
            g->items += s.as_json().raw();
          }
        }
      } else if (g->type == request_type::all_rooms) {
        if (r.rooms.is_array()) {
          for (const any_value& room : r.rooms.elements()) {
            std::string t = detail::room_item(room);
            if (!t.empty()) add_room(*g, std::move(t));
          }
        }
      } else if (g->type == request_type::server_side_emit) {
        if (!g->items.empty()) g->items += ',';
        g->items += r.data.exists() && !r.data.is_msgpack() ? r.data.as_json().raw()
                                                            : std::string_view("null");
      }
      if (g->items.size() > opts_.max_result_bytes) {
        (void)tracker_.cancel(te.request_id);
        ev.kind = node_event_kind::failed;
        ev.error = errc::payload_too_large;
        forget(ev.id.view());
        break;
      }
      if (te.kind == tracker_event_kind::counted) return {incoming{}, done};
      const errc e = finish(*g, node_event_kind::completed);
      if (e != errc::none) return {e, 0};
      return {incoming{}, done};
    }
  }
  const errc e = queue_event(std::move(ev));
  if (e != errc::none) return {e, 0};
  return {incoming{}, done};
}

}  // namespace redis
}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_REDIS_NODE_HPP
