// SPDX-License-Identifier: BSL-1.0
// Connection state recovery, server side: socket.io-adapter's SessionAwareAdapter
// (dist/in-memory-adapter.js) as a bounded store on the caller's clock.
//
// With connectionStateRecovery on, every EVENT without ack that is not volatile goes through
// the adapter's broadcast(): an offset (a unique string) is pushed as its last argument and the
// packet is kept with the rooms it went to. A namespace socket that disconnects for a reason
// that allows recovery leaves its pid, sid and rooms behind (persistSession). A client that
// comes back within maxDisconnectionDuration sends {pid, offset} in its CONNECT; restoreSession
// gives back the sid and every kept packet after that offset the session's rooms would have
// received (shouldIncludePacket). The reference keeps all of it without limit and expires it
// once a minute; this store is bounded (packets, bytes, sessions, rooms) and expires on every
// call, exactly at the duration.
#ifndef SIOCODEC_SOCKETIO_RECOVERY_HPP
#define SIOCODEC_SOCKETIO_RECOVERY_HPP

#include <siocodec/config.hpp>
#include <siocodec/engineio/engine_types.hpp>
#include <siocodec/error.hpp>
#include <siocodec/result.hpp>
#include <siocodec/socketio/builders.hpp>
#include <siocodec/socketio/codec.hpp>
#include <siocodec/socketio/encoded_packet.hpp>
#include <siocodec/socketio/engine_types.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {

/// A list of room names (views): an array (or braced list), or a container of std::string_view.
class rooms_view {
 public:
  constexpr rooms_view() noexcept = default;
  constexpr rooms_view(const std::string_view* items, std::size_t n) noexcept
      : items_(items), size_(n) {}
  template <std::size_t N>
  constexpr rooms_view(const std::string_view (&items)[N]) noexcept  // NOLINT
      : items_(items), size_(N) {}
  /// A braced list, for arguments: `store.persist(pid, sid, {"a", "b"}, now)`. Its array lives
  /// until the end of the full expression only: never keep such a rooms_view.
  rooms_view(std::initializer_list<std::string_view> l) noexcept  // NOLINT
      : items_(first(l)), size_(l.size()) {}
  template <class C, std::enable_if_t<std::is_convertible<decltype(std::declval<const C&>().data()),
                                                          const std::string_view*>::value,
                                      int> = 0>
  rooms_view(const C& c) noexcept : items_(c.data()), size_(c.size()) {}  // NOLINT

  const std::string_view* begin() const noexcept { return items_; }
  const std::string_view* end() const noexcept { return items_ + size_; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  std::string_view operator[](std::size_t i) const noexcept { return items_[i]; }
  bool contains(std::string_view room) const noexcept {
    for (std::string_view r : *this) {
      if (r == room) return true;
    }
    return false;
  }

 private:
  static const std::string_view* first(std::initializer_list<std::string_view> l) noexcept {
    return l.begin();
  }
  const std::string_view* items_ = nullptr;
  std::size_t size_ = 0;
};

/// Where a broadcast goes: to the sockets in any of `rooms` (all of the namespace when empty),
/// except those in any of `except` (socket.io's BroadcastOperator to() / except()). A socket is
/// always in the room named by its sid.
struct room_filter {
  rooms_view rooms;
  rooms_view except;
};

/// Options of a recovery_store.
struct recovery_options {
  /// How long a disconnected session can be recovered, and how long packets are kept
  /// (connectionStateRecovery.maxDisconnectionDuration: 2 minutes by default).
  millis max_disconnection_duration = 120000;
  /// Most packets kept; the oldest goes first.
  std::size_t max_packets = SIOCODEC_DEFAULT_SIO_RECOVERY_MAX_PACKETS;
  /// Most bytes kept (encoded packets, offsets, room names); the oldest packets go first.
  std::size_t max_bytes = SIOCODEC_DEFAULT_SIO_RECOVERY_MAX_BYTES;
  /// Most disconnected sessions kept; the one that disconnected first goes first.
  std::size_t max_sessions = SIOCODEC_DEFAULT_SIO_RECOVERY_MAX_SESSIONS;
  /// Most rooms per packet filter and per session.
  std::size_t max_rooms = SIOCODEC_DEFAULT_SIO_RECOVERY_MAX_ROOMS;
  /// The parser and codec options the packets are encoded with: those of the connections
  /// they are sent on (server_options::parser and codec; recovery needs protocol v5).
  parser_kind parser = parser_kind::json;
  codec_options codec;
  /// Written in front of every offset: a value that differs between runs of the server (a
  /// random number, the start time), so that an offset a client kept from a previous run never
  /// matches a packet of this one (the reference's yeast() ids are time based).
  std::uint64_t epoch = 0;
  /// Beyond the reference (off by default, as socket.io): restore a session whose CONNECT has a
  /// pid but no offset. A client records the offset of every stored packet it receives, so one
  /// without an offset received none since the position persist() was given: all of them are
  /// missed. socket.io needs an offset (socket.io #5538: a socket that got no event before it
  /// lost its transport is never recovered).
  bool recover_without_offset = false;
};

/// What restore() gives back. Views into the store, valid until its next non-const call.
struct restored_session {
  std::string_view sid;
  std::string_view pid;
  /// The rooms persisted with the session (the sid's own room not included).
  rooms_view rooms;
  /// The packets the session missed, in the order they were broadcast.
  const encoded_packet* const* missed = nullptr;
  std::size_t missed_count = 0;
};

/// Connection state recovery, server side (socket.io-adapter SessionAwareAdapter): one per
/// namespace, owned by the caller, bounded, on the caller's clock. Not thread-safe.
class recovery_store {
 public:
  explicit recovery_store(const recovery_options& o = {}) : opts_(o), codec_(o.parser, o.codec) {}

  /// Stores an EVENT without ack for the rooms it goes to: appends the offset argument (a
  /// unique string: the epoch and a counter), records it, and returns the encoded packet to
  /// send to the connected targets (valid until the next non-const call on the store).
  /// Packets older than max_disconnection_duration, and the oldest over max_packets /
  /// max_bytes, are dropped first.
  /// Errors: invalid_argument (`event` is not an EVENT builder without an id, or more rooms than
  /// max_rooms), packet_too_large (the packet alone is over max_bytes), the encoder's.
  template <class Builder>
  result<const encoded_packet*> broadcast(const Builder& event, const room_filter& to, millis now);

  /// A namespace socket disconnected for a reason that allows recovery: keeps its pid, sid and
  /// rooms (names copied) until now + max_disconnection_duration. A pid already kept is
  /// replaced. Over max_sessions, the session that disconnected first is forgotten.
  /// Errors: invalid_argument (an empty pid, or more rooms than max_rooms).
  errc persist(std::string_view pid, std::string_view sid, const rooms_view& rooms, millis now);
  /// persist() with the position() the socket was at when it connected (or was restored): what
  /// recover_without_offset restores from.
  errc persist(std::string_view pid, std::string_view sid, const rooms_view& rooms, millis now,
               std::uint64_t since);
  /// The position of the next packet broadcast (a count of every packet ever stored).
  std::uint64_t position() const noexcept { return counter_; }

  /// A recovering CONNECT {pid, offset}: the session and the packets after `offset` that its
  /// rooms would have received; nothing when the pid is unknown or expired (it is then
  /// forgotten) or the offset is not kept any more (too old, or never issued). An empty offset
  /// restores from the persisted position with recover_without_offset (nothing otherwise). A
  /// restored
  /// session is forgotten: it persists again when it disconnects again.
  std::optional<restored_session> restore(std::string_view pid, std::string_view offset,
                                          millis now);

  /// Drops what has expired at `now` (every call does this first).
  void expire(millis now);

  std::size_t packet_count() const noexcept { return count_; }
  std::size_t bytes() const noexcept { return bytes_; }
  std::size_t session_count() const noexcept { return sessions_.size(); }
  const recovery_options& options() const noexcept { return opts_; }

 private:
  struct stored {
    encoded_packet pkt;
    std::string offset;
    std::vector<std::string> rooms, except;
    std::size_t nrooms = 0, nexcept = 0;
    std::size_t bytes = 0;
    millis at = 0;
    std::uint64_t seq = 0;
  };
  struct session {
    std::string pid, sid;
    std::vector<std::string> rooms;
    millis at = 0;
    std::uint64_t since = 0;
    bool has_since = false;
  };

  template <class... A>
  static auto with_offset(const packet_builder<detail::event_data<A...>>& b,
                          std::string_view offset) {
    const auto& d = b.data();
    auto args = [&d, offset](auto& w) {
      detail::write_all(w, d.args);
      w.value(offset);
    };
    auto r = ::SIOCODEC_NAMESPACE::socketio::event(d.name, std::move(args));
    r.nsp(b.nsp());
    return r;
  }
  template <class T>
  struct is_event : std::false_type {};
  template <class... A>
  struct is_event<packet_builder<detail::event_data<A...>>> : std::true_type {};

  static void copy_names(std::vector<std::string>& to, std::size_t& n, const rooms_view& from) {
    if (to.size() < from.size()) to.resize(from.size());
    for (std::size_t i = 0; i < from.size(); ++i) to[i].assign(from[i].data(), from[i].size());
    n = from.size();
  }
  stored& slot(std::size_t i) noexcept { return ring_[(head_ + i) % ring_.size()]; }
  const stored& slot(std::size_t i) const noexcept { return ring_[(head_ + i) % ring_.size()]; }
  void pop_front() noexcept {
    bytes_ -= ring_[head_].bytes;
    head_ = (head_ + 1) % ring_.size();
    --count_;
    if (count_ == 0) head_ = 0;
  }
  bool expired(millis at, millis now) const noexcept {
    // The reference: `disconnectedAt + maxDisconnectionDuration < Date.now()`.
    return at <= now && now - at > opts_.max_disconnection_duration;
  }
  static bool includes(const session& s, const stored& p) noexcept;
  void write_offset(std::string& out);

  recovery_options opts_;
  codec codec_;
  std::vector<stored> ring_;  // grows to max_packets, then reused
  std::size_t head_ = 0, count_ = 0, bytes_ = 0;
  std::uint64_t counter_ = 0;
  std::vector<session> sessions_;
  session restored_;
  std::vector<std::string_view> restored_rooms_;
  std::vector<const encoded_packet*> missed_;
};

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

inline void recovery_store::write_offset(std::string& out) {
  // "<epoch>-<counter>", both in hex: unique within a run and, with a fresh epoch, across runs.
  static constexpr char hex[] = "0123456789abcdef";
  char buf[40];
  std::size_t n = 0;
  auto put = [&](std::uint64_t v) {
    char tmp[16];
    std::size_t k = 0;
    do {
      tmp[k++] = hex[v & 15u];
      v >>= 4;
    } while (v != 0);
    while (k != 0) buf[n++] = tmp[--k];
  };
  put(opts_.epoch);
  buf[n++] = '-';
  put(counter_++);
  out.assign(buf, n);
}

template <class Builder>
result<const encoded_packet*> recovery_store::broadcast(const Builder& ev, const room_filter& to,
                                                        millis now) {
  if constexpr (!is_event<Builder>::value) {
    (void)ev;
    (void)to;
    (void)now;
    return {errc::invalid_argument, 0};
  } else {
    // "packets with acknowledgement are not stored": the caller sends those itself.
    if (ev.id().has_value() || ev.type() != packet_type::event) return {errc::invalid_argument, 0};
    if (to.rooms.size() > opts_.max_rooms || to.except.size() > opts_.max_rooms) {
      return {errc::invalid_argument, 0};
    }
    if (opts_.max_packets == 0) return {errc::packet_too_large, 0};
    expire(now);
    if (count_ == opts_.max_packets) pop_front();
    if (count_ == ring_.size()) {
      // Grow: the ring is full and below max_packets; put it in order first.
      std::rotate(ring_.begin(), ring_.begin() + static_cast<std::ptrdiff_t>(head_), ring_.end());
      head_ = 0;
      ring_.emplace_back();
    }
    // Where the new packet goes, fixed now: evicting every kept packet below resets head_.
    const std::size_t pos = (head_ + count_) % ring_.size();
    stored& s = ring_[pos];
    s.seq = counter_;
    write_offset(s.offset);
    const errc e = s.pkt.assign(with_offset(ev, s.offset), codec_);
    if (e != errc::none) return {e, 0};
    copy_names(s.rooms, s.nrooms, to.rooms);
    copy_names(s.except, s.nexcept, to.except);
    std::size_t b = s.pkt.bytes() + s.offset.size();
    for (std::string_view r : to.rooms) b += r.size();
    for (std::string_view r : to.except) b += r.size();
    if (b > opts_.max_bytes) {
      s.pkt.clear();
      return {errc::packet_too_large, 0};
    }
    while (count_ != 0 && bytes_ + b > opts_.max_bytes) pop_front();
    s.bytes = b;
    s.at = now;
    bytes_ += b;
    if (count_ == 0) head_ = pos;
    ++count_;
    return &s.pkt;
  }
}

inline void recovery_store::expire(millis now) {
  while (count_ != 0 && expired(ring_[head_].at, now)) pop_front();
  for (std::size_t i = 0; i < sessions_.size();) {
    if (expired(sessions_[i].at, now)) {
      if (i + 1 != sessions_.size()) sessions_[i] = std::move(sessions_.back());
      sessions_.pop_back();
    } else {
      ++i;
    }
  }
}

inline errc recovery_store::persist(std::string_view pid, std::string_view sid,
                                    const rooms_view& rooms, millis now) {
  const errc e = persist(pid, sid, rooms, now, 0);
  if (e == errc::none) {
    for (session& x : sessions_) {
      if (x.pid == pid) x.has_since = false;
    }
  }
  return e;
}

inline errc recovery_store::persist(std::string_view pid, std::string_view sid,
                                    const rooms_view& rooms, millis now, std::uint64_t since) {
  if (pid.empty() || rooms.size() > opts_.max_rooms) return errc::invalid_argument;
  expire(now);
  session* s = nullptr;
  for (session& x : sessions_) {
    if (x.pid == pid) s = &x;
  }
  if (s == nullptr) {
    if (opts_.max_sessions == 0) return errc::none;
    if (sessions_.size() >= opts_.max_sessions) {
      auto oldest =
          std::min_element(sessions_.begin(), sessions_.end(),
                           [](const session& a, const session& b) { return a.at < b.at; });
      s = &*oldest;
    } else {
      sessions_.emplace_back();
      s = &sessions_.back();
    }
  }
  s->pid.assign(pid.data(), pid.size());
  s->sid.assign(sid.data(), sid.size());
  s->rooms.assign(rooms.begin(), rooms.end());
  s->at = now;
  s->since = since;
  s->has_since = true;
  return errc::none;
}

inline bool recovery_store::includes(const session& s, const stored& p) noexcept {
  // shouldIncludePacket(sessionRooms, opts): in a target room (or no room given), in no
  // excepted room. The session's rooms include its sid (Socket._onconnect: join(this.id)).
  auto in = [](const std::vector<std::string>& names, std::size_t n, std::string_view room) {
    for (std::size_t i = 0; i < n; ++i) {
      if (names[i] == room) return true;
    }
    return false;
  };
  bool included = p.nrooms == 0 || in(p.rooms, p.nrooms, s.sid);
  bool excluded = in(p.except, p.nexcept, s.sid);
  for (const std::string& r : s.rooms) {
    included = included || in(p.rooms, p.nrooms, r);
    excluded = excluded || in(p.except, p.nexcept, r);
  }
  return included && !excluded;
}

inline std::optional<restored_session> recovery_store::restore(std::string_view pid,
                                                               std::string_view offset,
                                                               millis now) {
  expire(now);
  std::size_t si = sessions_.size();
  for (std::size_t i = 0; i < sessions_.size(); ++i) {
    if (sessions_[i].pid == pid) si = i;
  }
  if (si == sessions_.size() || pid.empty()) return std::nullopt;
  // `first`: the first packet the session may have missed.
  std::size_t first = count_ + 1;
  if (offset.empty()) {
    const session& x = sessions_[si];
    if (!opts_.recover_without_offset || !x.has_since) return std::nullopt;
    // Packets from `since` on must all be kept still (none dropped by a bound or expiry).
    const std::uint64_t oldest = count_ == 0 ? counter_ : slot(0).seq;
    if (oldest > x.since) return std::nullopt;
    first = count_;
    for (std::size_t i = 0; i < count_; ++i) {
      if (slot(i).seq >= x.since) {
        first = i;
        break;
      }
    }
  } else {
    for (std::size_t i = 0; i < count_; ++i) {
      if (slot(i).offset == offset) {
        first = i + 1;
        break;
      }
    }
  }
  if (first > count_) return std::nullopt;  // "the offset may be too old"
  std::swap(restored_, sessions_[si]);
  if (si + 1 != sessions_.size()) sessions_[si] = std::move(sessions_.back());
  sessions_.pop_back();
  missed_.clear();
  for (std::size_t i = first; i < count_; ++i) {
    if (includes(restored_, slot(i))) missed_.push_back(&slot(i).pkt);
  }
  restored_rooms_.assign(restored_.rooms.begin(), restored_.rooms.end());
  restored_session r;
  r.sid = restored_.sid;
  r.pid = restored_.pid;
  r.rooms = rooms_view(restored_rooms_.data(), restored_rooms_.size());
  r.missed = missed_.data();
  r.missed_count = missed_.size();
  return r;
}

}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_RECOVERY_HPP
