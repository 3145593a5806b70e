// SPDX-License-Identifier: BSL-1.0
// What the Socket.IO engines (client.hpp, server.hpp) share: disconnect reasons, emit options.
//
// The Socket.IO engines sit on the Engine.IO engines (engineio/engine_types.hpp) and take time
// the same way: `now` in milliseconds on the caller's monotonic clock.
#ifndef SIOCODEC_SOCKETIO_ENGINE_TYPES_HPP
#define SIOCODEC_SOCKETIO_ENGINE_TYPES_HPP

#include <siocodec/config.hpp>
#include <siocodec/engineio/engine_types.hpp>

#include <cstdint>

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {

using engineio::millis;

/// Why a namespace socket disconnected. to_string() gives the reference's string (socket.io-client
/// `lib/socket.ts` DisconnectReason, socket.io `lib/socket.ts`), what Node's `disconnect` event
/// carries.
enum class disconnect_reason : std::uint8_t {
  /// "io server disconnect": the server sent DISCONNECT.
  io_server_disconnect,
  /// "io client disconnect": leave() / close() on this side (the client sent DISCONNECT).
  io_client_disconnect,
  /// "ping timeout": the Engine.IO heartbeat stopped.
  ping_timeout,
  /// "transport close": the peer closed the Engine.IO session or its transport cleanly.
  transport_close,
  /// "transport error": the transport failed.
  transport_error,
  /// "parse error": the peer sent bytes the codec refuses or a packet the state does not allow.
  parse_error,
  /// "send queue full": a queue went over its limit (siocodec's own; the reference has none).
  queue_full,
  /// "server shutting down": the server closed every session.
  server_shutting_down,
};

/// The reference's string for a disconnect reason ("io server disconnect", ...).
constexpr const char* to_string(disconnect_reason r) noexcept {
  switch (r) {
    case disconnect_reason::io_server_disconnect: return "io server disconnect";
    case disconnect_reason::io_client_disconnect: return "io client disconnect";
    case disconnect_reason::ping_timeout: return "ping timeout";
    case disconnect_reason::transport_close: return "transport close";
    case disconnect_reason::transport_error: return "transport error";
    case disconnect_reason::parse_error: return "parse error";
    case disconnect_reason::queue_full: return "send queue full";
    case disconnect_reason::server_shutting_down: return "server shutting down";
  }
  return "unknown";
}

/// The disconnect reason of every namespace of an Engine.IO session that closed for `r`.
/// forced_close (this side's application closed the session) is io_client_disconnect on the
/// client side and io_server_disconnect on the server side; the others map one to one.
constexpr disconnect_reason from_engine(engineio::close_reason r, bool client_side) noexcept {
  switch (r) {
    case engineio::close_reason::forced_close:
      return client_side ? disconnect_reason::io_client_disconnect
                         : disconnect_reason::io_server_disconnect;
    case engineio::close_reason::transport_close: return disconnect_reason::transport_close;
    case engineio::close_reason::transport_error: return disconnect_reason::transport_error;
    case engineio::close_reason::ping_timeout: return disconnect_reason::ping_timeout;
    case engineio::close_reason::parse_error: return disconnect_reason::parse_error;
    case engineio::close_reason::queue_full: return disconnect_reason::queue_full;
  }
  return disconnect_reason::transport_close;
}

/// How an emit is sent.
struct emit_options {
  /// Dropped instead of buffered while the namespace is not connected (socket.io-client
  /// `socket.volatile`).
  bool volatile_packet = false;
  /// Allocate an ack id and register it: the answer comes as an `ack` event, or `ack_timeout` /
  /// `ack_disconnected`, exactly one of them.
  bool want_ack = false;
  /// With want_ack: milliseconds until `ack_timeout` (socket.io-client `timeout()`); 0 = no
  /// timeout (resolves on the answer or on a disconnect).
  millis ack_timeout = 0;
};

/// "No ack id": what emit() returns without want_ack, and the ack id of events that carry none.
constexpr std::uint64_t no_ack = ~std::uint64_t{0};

}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_ENGINE_TYPES_HPP
