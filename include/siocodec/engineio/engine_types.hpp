// SPDX-License-Identifier: BSL-1.0
// What the Engine.IO engines (client.hpp, server.hpp) share: time, close reasons, events.
//
// An engine is a value that is fed and drained (docs/engines.md). It never reads a clock: every
// call that can move time takes `now`, a count of milliseconds on a monotonic clock of the
// caller's choosing (steady_clock, a tick counter, a simulator's virtual clock). Only
// differences between two `now` values matter, so the epoch is the caller's. A `now` smaller
// than the previous one (a clock that stepped back) is treated as the previous one.
#ifndef SIOCODEC_ENGINEIO_ENGINE_TYPES_HPP
#define SIOCODEC_ENGINEIO_ENGINE_TYPES_HPP

#include <siocodec/config.hpp>
#include <siocodec/detail/rvector.hpp>
#include <siocodec/engineio/frames.hpp>
#include <siocodec/engineio/handshake.hpp>
#include <siocodec/engineio/packet.hpp>
#include <siocodec/error.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>

SIOCODEC_BEGIN_NAMESPACE
namespace engineio {

/// Milliseconds on the caller's monotonic clock (see the file comment).
using millis = std::uint64_t;

/// "No deadline": what next_deadline() returns when nothing is timed. Comparing `now` against
/// it needs no special case, since no clock reaches it.
constexpr millis no_deadline = std::numeric_limits<millis>::max();

/// Why a session ended. to_string() gives the reference's string (engine.io `lib/socket.ts`,
/// engine.io-client `lib/socket.ts`), which is what the `close` event of Node carries.
enum class close_reason : std::uint8_t {
  /// This side's application called close() ("forced close").
  forced_close,
  /// The peer closed: a `close` packet, or its transport ended cleanly ("transport close").
  transport_close,
  /// The transport failed: a connection reset, an HTTP error status, a WebSocket error
  /// ("transport error").
  transport_error,
  /// The heartbeat stopped: no ping (v4 client, v3 server) or no pong (v4 server, v3 client) in
  /// time ("ping timeout").
  ping_timeout,
  /// The peer sent bytes the codec refuses, or a packet the session's state does not allow
  /// ("parse error"). The close event carries the errc and its offset.
  parse_error,
  /// A queue went over its limit (errc::queue_full): the peer does not take what it is sent fast
  /// enough ("send queue full": siocodec's own; the reference has no such limit).
  queue_full,
};

/// The reference's string for a close reason ("ping timeout", ...).
constexpr const char* to_string(close_reason r) noexcept {
  switch (r) {
    case close_reason::forced_close: return "forced close";
    case close_reason::transport_close: return "transport close";
    case close_reason::transport_error: return "transport error";
    case close_reason::ping_timeout: return "ping timeout";
    case close_reason::parse_error: return "parse error";
    case close_reason::queue_full: return "send queue full";
  }
  return "unknown";
}

/// What an engine tells its application. Drained with poll_event().
enum class event_kind : std::uint8_t {
  /// The session is open. Client: `handshake` is the server's open packet. Server: the open
  /// packet has been queued for the client.
  open,
  /// The session moved to another transport (`transport`): a completed upgrade.
  upgrade,
  /// A `message` packet arrived: `packet` (text, binary, or for polling bodies base64 text).
  /// Hand it to socketio::codec::decode().
  message,
  /// The session ended (`reason`, and `error` / `offset` when an error caused it). The last
  /// event of a session; the engine returns no transmit after the ones that close the transport.
  close,
};

/// One event. A view: `packet` and the strings of `handshake` point into the engine's buffers
/// and stay valid until the next non-const call on the engine.
struct event {
  event_kind kind = event_kind::message;
  /// message: the packet (type message).
  packet_view packet;
  /// open (client): the server's handshake.
  handshake hs;
  /// open, upgrade: the transport now in use.
  transport_kind transport = transport_kind::polling;
  /// close: why.
  close_reason reason = close_reason::forced_close;
  /// close: the error behind parse_error, queue_full or transport_error (none otherwise), and
  /// its byte offset in the input that caused it.
  errc error = errc::none;
  std::size_t offset = 0;
};

namespace detail {
/// Releases the storage of an emptied engine buffer when it is over `limit` bytes: a large
/// message grows a buffer once, and an idle session must not keep that size for ever (the
/// engines' max_retained_bytes). Buffers within the limit keep their capacity, so that the
/// steady state with small messages allocates nothing.
template <class Container>
void release_if_over(Container& c, std::size_t limit) noexcept {
  if (c.capacity() > limit / sizeof(typename Container::value_type)) Container().swap(c);
}
// The engines' own buffers keep their memory_resource when released.
using ::SIOCODEC_NAMESPACE::detail::release_if_over;
using ::SIOCODEC_NAMESPACE::detail::rstring;
using ::SIOCODEC_NAMESPACE::detail::rvector;
}  // namespace detail

}  // namespace engineio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_ENGINEIO_ENGINE_TYPES_HPP
