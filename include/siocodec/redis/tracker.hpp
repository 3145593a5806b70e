// SPDX-License-Identifier: BSL-1.0
// The requester's side of @socket.io/redis-adapter 8.3's requests: which response belongs to
// which request, when a request is complete, when it times out (sans-I/O, no allocation).
#ifndef SIOCODEC_REDIS_TRACKER_HPP
#define SIOCODEC_REDIS_TRACKER_HPP

#include <siocodec/config.hpp>
#include <siocodec/error.hpp>
#include <siocodec/redis/request.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {
namespace redis {

/// The longest request id a request_tracker stores (uid2(6) ids have 6 characters).
constexpr std::size_t max_request_id = 32;

/// What request_tracker::on_response() / expire() report.
enum class tracker_event_kind : std::uint8_t {
  ignored,       ///< no pending request has this id (a late, foreign or own response)
  counted,       ///< a response of a pending request, which waits for more
  completed,     ///< the response that completes the request (it is forgotten)
  client_count,  ///< BROADCAST with acks: a node's BROADCAST_CLIENT_COUNT
  ack,           ///< BROADCAST with acks: one client's BROADCAST_ACK
  timed_out,     ///< expire(): the deadline passed before the request completed
};

/// One report of a request_tracker. `request_id` points into the tracker (valid until the next
/// call that changes it).
struct tracker_event {
  tracker_event_kind kind = tracker_event_kind::ignored;
  request_type type = request_type::sockets;
  std::string_view request_id;
  /// Responses counted so far, and how many complete the request (the reference's msgCount /
  /// numSub, or responses.length / numSub for SERVER_SIDE_EMIT).
  std::uint32_t received = 0;
  std::uint32_t expected = 0;
  /// client_count: the responder's clientCount.
  std::uint64_t client_count = 0;
};

/// The requests a node has in flight, with the reference's aggregation rules (RedisAdapter's
/// `requests` and `ackRequests` maps), for up to N at once in fixed storage:
///
/// - SOCKETS, ALL_ROOMS, REMOTE_FETCH: start() with `expected` = the number of nodes
///   (PUBSUB NUMSUB of the request channel, this node included); the node's own answer counts as
///   the first. Every response counts, even one without "sockets" / "rooms" (the reference
///   counts before it checks); the one that brings the count to `expected` completes it.
/// - SERVER_SIDE_EMIT with an ack: `expected` = the number of other nodes; each response counts
///   (its "data" is one node's answer).
/// - REMOTE_JOIN / LEAVE / DISCONNECT of the 7.x per-socket form: the first response completes.
/// - BROADCAST with acks: never completes; each BROADCAST_CLIENT_COUNT and BROADCAST_ACK is
///   reported until the deadline (the ack timeout), after which responses are ignored.
/// - Timeouts: expire(now) reports and forgets every request whose deadline has passed
///   (`requestsTimeout`, 5000 ms by default in the reference: the caller picks the deadline).
///
/// The caller keeps what the responses carry (sockets, rooms, data): the views of a
/// response_view die with its message. A node also uses is_pending() to skip its own requests
/// when they come back on the request channel, as the reference does.
template <std::size_t N = 64>
class request_tracker {
 public:
  /// Starts tracking request `request_id` of type `t` until time `deadline` (any unit, the one
  /// expire() is given).
  /// Start one only when the reference would send the request: SOCKETS, ALL_ROOMS and
  /// REMOTE_FETCH when there are other nodes (`expected` > 1), SERVER_SIDE_EMIT when
  /// `expected` >= 1.
  /// Errors: invalid_argument (an empty id, one longer than max_request_id, an id already
  /// pending, `expected` 0 for SOCKETS / ALL_ROOMS / REMOTE_FETCH / SERVER_SIDE_EMIT, or
  /// BROADCAST_CLIENT_COUNT / BROADCAST_ACK, which are responses); queue_full (N requests are
  /// pending).
  errc start(request_type t, std::string_view request_id, std::uint32_t expected,
             std::uint64_t deadline) noexcept;

  /// The response `r` (decode_response()): whose request it is and what it changes.
  tracker_event on_response(const response_view& r) noexcept;

  /// Reports (through `f(const tracker_event&)`) and forgets every request whose deadline is at
  /// or before `now`; BROADCAST requests are reported too (kind timed_out), so the caller can
  /// drop what it kept for them. @return how many were reported.
  template <class F>
  std::size_t expire(std::uint64_t now, F&& f) noexcept;

  /// Forgets a request (the caller gave up on it). @return whether it was pending.
  bool cancel(std::string_view request_id) noexcept;

  /// Whether `request_id` is pending (an own request seen on the request channel).
  bool is_pending(std::string_view request_id) const noexcept { return find(request_id) != N; }
  /// The earliest deadline of a pending request; ~0 when none is.
  std::uint64_t next_deadline() const noexcept;
  /// Pending requests.
  std::size_t size() const noexcept { return count_; }
  static constexpr std::size_t capacity() noexcept { return N; }

 private:
  struct slot {
    char id[max_request_id];
    std::uint8_t id_size = 0;
    bool used = false;
    request_type type = request_type::sockets;
    std::uint32_t received = 0;
    std::uint32_t expected = 0;
    std::uint64_t deadline = 0;
    std::string_view id_view() const noexcept { return {id, id_size}; }
  };
  std::size_t find(std::string_view id) const noexcept {
    for (std::size_t i = 0; i < N; ++i) {
      if (slots_[i].used && slots_[i].id_view() == id) return i;
    }
    return N;
  }
  tracker_event event_of(const slot& s, tracker_event_kind k) const noexcept {
    tracker_event e;
    e.kind = k;
    e.type = s.type;
    e.request_id = s.id_view();
    e.received = s.received;
    e.expected = s.expected;
    return e;
  }

  slot slots_[N];
  std::size_t count_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

template <std::size_t N>
errc request_tracker<N>::start(request_type t, std::string_view request_id, std::uint32_t expected,
                               std::uint64_t deadline) noexcept {
  if (request_id.empty() || request_id.size() > max_request_id || is_pending(request_id)) {
    return errc::invalid_argument;
  }
  const bool counts = t == request_type::sockets || t == request_type::all_rooms ||
                      t == request_type::remote_fetch || t == request_type::server_side_emit;
  if (t == request_type::broadcast_client_count || t == request_type::broadcast_ack ||
      (counts && expected == 0)) {
    return errc::invalid_argument;
  }
  if (count_ == N) return errc::queue_full;
  for (slot& s : slots_) {
    if (s.used) continue;
    std::memcpy(s.id, request_id.data(), request_id.size());
    s.id_size = static_cast<std::uint8_t>(request_id.size());
    s.used = true;
    s.type = t;
    // The node's own answer is the first of SOCKETS / ALL_ROOMS / REMOTE_FETCH (msgCount: 1).
    s.received = (t == request_type::server_side_emit || !counts) ? 0 : 1;
    s.expected = expected;
    s.deadline = deadline;
    ++count_;
    return errc::none;
  }
  return errc::queue_full;  // unreachable: count_ < N
}

template <std::size_t N>
tracker_event request_tracker<N>::on_response(const response_view& r) noexcept {
  const std::size_t i = find(r.request_id);
  if (i == N) return {};
  slot& s = slots_[i];
  if (s.type == request_type::broadcast) {
    // The reference's ackRequests: only the two response types mean anything.
    tracker_event e = event_of(s, tracker_event_kind::ignored);
    if (r.type == request_type::broadcast_client_count) {
      e.kind = tracker_event_kind::client_count;
      e.client_count = r.client_count;
    } else if (r.type == request_type::broadcast_ack) {
      e.kind = tracker_event_kind::ack;
    }
    return e;
  }
  if (s.received != 0xFFFFFFFFu) ++s.received;
  const bool done = (s.type == request_type::remote_join || s.type == request_type::remote_leave ||
                     s.type == request_type::remote_disconnect) ||
                    s.received >= s.expected;
  if (!done) return event_of(s, tracker_event_kind::counted);
  const tracker_event e = event_of(s, tracker_event_kind::completed);
  s.used = false;
  --count_;
  // The event's id points into the slot, which nothing reuses before the next call.
  return e;
}

template <std::size_t N>
template <class F>
std::size_t request_tracker<N>::expire(std::uint64_t now, F&& f) noexcept {
  std::size_t n = 0;
  for (slot& s : slots_) {
    if (!s.used || s.deadline > now) continue;
    s.used = false;
    --count_;
    ++n;
    f(event_of(s, tracker_event_kind::timed_out));
  }
  return n;
}

template <std::size_t N>
bool request_tracker<N>::cancel(std::string_view request_id) noexcept {
  const std::size_t i = find(request_id);
  if (i == N) return false;
  slots_[i].used = false;
  --count_;
  return true;
}

template <std::size_t N>
std::uint64_t request_tracker<N>::next_deadline() const noexcept {
  std::uint64_t d = ~std::uint64_t{0};
  for (const slot& s : slots_) {
    if (s.used && s.deadline < d) d = s.deadline;
  }
  return d;
}

}  // namespace redis
}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_REDIS_TRACKER_HPP
