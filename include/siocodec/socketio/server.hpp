// SPDX-License-Identifier: BSL-1.0
// The Socket.IO server engine: one Engine.IO session and its namespace sockets, sans-I/O.
//
// A server_connection owns an engineio::server_session and has its shape (docs/engines.md):
// the same handle_* calls (forwarded), poll_transmit() (the Engine.IO session's transmits,
// unchanged), poll_event() (Socket.IO events), one next_deadline() / handle_timeout(). On top
// it keeps the namespace sockets of the session (socket.io 4.8 dist/client.js, socket.js,
// namespace.js): admission of a CONNECT by the application (accept() / reject(), at once or
// later), the CONNECT reply {sid[, pid]}, the connect timeout, acks both ways with deadlines,
// DISCONNECT both ways, and connection state recovery through a recovery_store.
//
// Events are produced when poll_event() is called: the Engine.IO events it drains are decoded
// then (h11's next_event() is the model), so a packet's views stay valid until the next
// non-const call. Protocol v4 (socket.io 2.x, Engine.IO v3) as socket.io 2.5 does it: the main
// namespace is asked for at open (connect_request for "/" without a packet), CONNECT carries a
// query in its namespace, a refusal is an ERROR packet, and there is no recovery.
#ifndef SIOCODEC_SOCKETIO_SERVER_HPP
#define SIOCODEC_SOCKETIO_SERVER_HPP

#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/detail/ack_registry.hpp>
#include <siocodec/engineio/engine_types.hpp>
#include <siocodec/engineio/request.hpp>
#include <siocodec/engineio/server.hpp>
#include <siocodec/error.hpp>
#include <siocodec/result.hpp>
#include <siocodec/socketio/any.hpp>
#include <siocodec/socketio/builders.hpp>
#include <siocodec/socketio/codec.hpp>
#include <siocodec/socketio/encoded_packet.hpp>
#include <siocodec/socketio/engine_types.hpp>
#include <siocodec/socketio/packet.hpp>
#include <siocodec/socketio/recovery.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {

/// Options of a server_connection. The defaults are socket.io 4.8's.
struct server_options {
  engineio::server_options engine;
  /// The parser of every connection of the server (`new Server({ parser })`).
  parser_kind parser = parser_kind::json;
  /// Codec limits. The version is the session's (v5 over Engine.IO v4, v4 over v3); the
  /// attachments are always copied (a packet's attachments may arrive in later calls).
  codec_options codec;
  /// socket.io connectTimeout: an Engine.IO session that has no namespace joined this many
  /// milliseconds after it opened is closed (client.js setup()).
  std::uint32_t connect_timeout = 45000;
  /// connectionStateRecovery: CONNECT replies carry a pid, EVENTs without ack go through the
  /// namespace's recovery_store (given to accept()), recovering CONNECTs are restored.
  bool recovery = false;
  /// Most acks the connection waits for at once, all namespaces together.
  std::size_t max_pending_acks = SIOCODEC_DEFAULT_SIO_MAX_PENDING_ACKS;
  /// Most namespaces joined or asked for at once. A CONNECT over it closes the session
  /// (disconnect reason queue_full).
  std::size_t max_namespaces = SIOCODEC_DEFAULT_SIO_MAX_NAMESPACES;
  /// Most rooms set_rooms() keeps per namespace socket.
  std::size_t max_rooms = SIOCODEC_DEFAULT_SIO_RECOVERY_MAX_ROOMS;
};

enum class server_event_kind : std::uint8_t {
  /// nsp, packet (CONNECT with auth; v4: `query`, and no packet for the main namespace asked
  /// for at open); answer accept() or reject(), now or later. A recovering CONNECT (v5, auth
  /// with string `pid` and `offset`): pid and offset set.
  connect_request,
  /// nsp admitted: sid, pid (recovery on), recovered.
  connect,
  /// nsp, packet (EVENT / BINARY_EVENT; packet.id() set when the client wants an ack: answer
  /// with send(sio::ack(id, ...).nsp(nsp))).
  event,
  /// nsp, ack_id, packet (the ACK answering an emit with want_ack).
  ack,
  /// nsp, ack_id: no answer within emit_options::ack_timeout.
  ack_timeout,
  /// nsp, ack_id: the namespace socket disconnected before the answer came.
  ack_disconnected,
  /// nsp, reason.
  disconnect,
  /// engine_event: open, upgrade, close of the Engine.IO session (after the disconnects).
  engine,
};

/// One event. A view: strings and the packet are valid until the next non-const call.
struct server_event {
  server_event_kind kind = server_event_kind::engine;
  std::string_view nsp;
  std::string_view sid;           // connect
  bool recovered = false;         // connect
  std::uint64_t ack_id = no_ack;  // ack, ack_timeout, ack_disconnected
  any_packet packet;              // connect_request, event, ack
  std::string_view offset;        // connect_request: the recovery offset the client sent
  disconnect_reason reason = disconnect_reason::transport_close;  // disconnect
  engineio::event engine_event;                                   // engine
  // Beyond the pinned API:
  std::string_view pid;    // connect_request: the pid sent; connect: the socket's pid
  std::string_view query;  // connect_request, protocol v4: the query after the namespace
  /// disconnect: the error behind the reason, errc::none when there is none. parse_error: the
  /// codec's error for a packet it refused (invalid_json, invalid_namespace, invalid_msgpack, any
  /// decode error of socketio::codec), unexpected_packet for a packet the state does not allow
  /// (a second CONNECT, a CONNECT_ERROR, a packet for a namespace not connected), or the
  /// Engine.IO session's (its close event's) when the Engine.IO layer refused the bytes;
  /// queue_full: queue_full; transport_error: the Engine.IO session's.
  errc error = errc::none;
  /// disconnect: where `error` happened: the byte offset in the refused Engine.IO message's data
  /// (0 for a base64 message and for unexpected_packet), or the Engine.IO close event's offset.
  std::size_t error_offset = 0;
};

/// One Engine.IO session and its namespace sockets (see the file comment). Errors never
/// throw: what the client does wrong closes the session; what the application does wrong is a
/// returned errc. One per session; not thread-safe.
class server_connection {
 public:
  /// A new session, as engineio::server_session's constructor (the same arguments).
  server_connection(const server_options& opts, std::string_view eio_sid,
                    engineio::protocol_version version, engineio::transport_kind initial,
                    bool supports_binary, millis now);

  /// Admits a namespace asked for by connect_request: queues, for a restored session, the
  /// packets it missed, then CONNECT {sid[, pid]} (v4: `0` / `0/nsp`). `random`: 15 bytes for the
  /// socket's sid (30 with recovery: the last 15 for its pid; v4 uses the Engine.IO sid). `store`:
  /// the namespace's recovery store (recovery on): a recovering CONNECT is restored from it,
  /// and the socket's emits and disconnect go through it: it must outlive the socket (until
  /// its disconnect event, or the connection's destruction).
  /// Errors: invalid_state (no CONNECT pending for `nsp`, or the session is closed),
  /// invalid_argument (`random` too short), the Engine.IO session's send errors.
  errc accept(std::string_view nsp, byte_view random, millis now, recovery_store* store = nullptr);
  /// Refuses a pending CONNECT: CONNECT_ERROR {message, data} (v4: ERROR with data, or the
  /// message). Errors: invalid_state, the encoder's, the session's send errors.
  template <class Data>
  errc reject(std::string_view nsp, std::string_view message, const Data& data, millis now) {
    return reject_with(nsp, connect_error(message, data), now);
  }
  errc reject(std::string_view nsp, std::string_view message, millis now) {
    return reject_with(nsp, connect_error(message), now);
  }

  /// EVENT on the builder's namespace. want_ack: an ack id is allocated (per socket, from 0)
  /// and registered with its deadline; returns it (no_ack otherwise). With recovery and a store,
  /// an EVENT without ack that is not volatile goes through the store (its offset appended),
  /// as socket.js emit() does. A volatile packet is dropped while the transport cannot write
  /// (polling with no GET held), as writeToEngine() does.
  /// Errors: invalid_state (namespace not connected), queue_full (max_pending_acks), the
  /// encoder's, the store's, the session's send errors.
  template <class Builder>
  result<std::uint64_t> emit(const Builder& packet, millis now, const emit_options& o = {});
  /// Any packet as it is, on its namespace (an ACK answering an event). Errors: invalid_state
  /// (namespace not connected), the encoder's, the session's send errors.
  template <class Builder>
  errc send(const Builder& packet, millis now);
  /// Broadcast: queues the messages of `p` (encoded once for many connections). The namespace
  /// inside `p` is the caller's business. Errors: invalid_argument (encoded for another parser
  /// or protocol version), the session's send errors.
  errc send_encoded(const encoded_packet& p, millis now);
  /// DISCONNECT to the client: event disconnect (io server disconnect), pending acks end with
  /// ack_disconnected; not persisted (socket.disconnect()). Errors: invalid_state.
  errc disconnect(std::string_view nsp, millis now);
  /// Disconnects every namespace (DISCONNECT each) and closes the session
  /// (socket.disconnect(true)).
  void close(millis now);

  // --- Beyond the pinned API -------------------------------------------------------------------
  /// io.close(): every namespace socket disconnects with server_shutting_down (persisted, as
  /// the reference), no DISCONNECT packets, and the session closes.
  void shutdown(millis now);
  /// The rooms of a namespace socket besides its own sid's (copied), persisted with it when it
  /// disconnects for a reason that allows recovery. Errors: invalid_state (not connected),
  /// invalid_argument (more than max_rooms).
  errc set_rooms(std::string_view nsp, const rooms_view& rooms);
  /// The rooms set or restored (recovered sockets get theirs back); empty when not connected.
  rooms_view rooms(std::string_view nsp) const noexcept;
  bool connected(std::string_view nsp) const noexcept;
  /// The socket's sid ("" when not connected).
  std::string_view sid(std::string_view nsp) const noexcept;
  std::size_t pending_acks() const noexcept { return acks_.size(); }
  /// Bytes of decoder storage the connection holds (socketio::codec::allocated_bytes()): once
  /// poll_event() has returned nothing, at most decode_options::max_retained_bytes.
  std::size_t decoder_bytes() const noexcept { return codec_.allocated_bytes(); }
  const server_options& options() const noexcept { return opts_; }

  // --- Forwarded to engineio::server_session ---------------------------------------------------
  void handle_get(millis now) {
    advance(now);
    engine_.handle_get(now);
  }
  void handle_get_aborted(millis now) {
    advance(now);
    engine_.handle_get_aborted(now);
  }
  void handle_post(engineio::frame_kind k, std::string_view body, millis now) {
    advance(now);
    engine_.handle_post(k, body, now);
  }
  void handle_ws_open(millis now) {
    advance(now);
    engine_.handle_ws_open(now);
  }
  void handle_ws_message(engineio::frame_kind k, std::string_view bytes, millis now) {
    advance(now);
    engine_.handle_ws_message(k, bytes, now);
  }
  void handle_ws_closed(millis now, bool error) {
    advance(now);
    engine_.handle_ws_closed(now, error);
  }
  /// Runs what is due: the session's timers, ack deadlines (ack_timeout), the connect timeout.
  void handle_timeout(millis now);
  millis next_deadline() const noexcept;
  std::optional<engineio::server_transmit> poll_transmit() { return engine_.poll_transmit(); }
  std::optional<server_event> poll_event();
  const engineio::server_session& engine() const noexcept { return engine_; }

 private:
  static constexpr std::size_t max_recovery_string = 64;
  struct nsp_socket {
    std::uint32_t uid = 0;  // owner of its acks in acks_
    std::string name;
    bool connected = false;
    std::string sid, pid;
    std::string req_pid, req_offset;  // a recovering CONNECT's
    recovery_store* store = nullptr;
    std::uint64_t since = 0;  // the store's position when the socket connected
    std::vector<std::string> rooms;
    std::vector<std::string_view> room_views;
    std::uint64_t next_ack = 0;
  };
  struct ev_record {
    server_event_kind kind;
    std::size_t nsp_off, nsp_len, sid_off, sid_len, pid_off, pid_len;
    bool recovered;
    std::uint64_t ack_id;
    disconnect_reason reason;
    errc error;
    std::size_t error_offset;
    engineio::event eng;
  };

  void advance(millis now) noexcept {
    if (now > last_now_) last_now_ = now;
  }
  static std::string_view main_if_empty(std::string_view n) noexcept {
    return n.empty() ? std::string_view("/") : n;
  }
  nsp_socket* find(std::string_view name) noexcept;
  const nsp_socket* find(std::string_view name) const noexcept;
  void erase(const nsp_socket* s);
  std::size_t connected_count() const noexcept;
  std::size_t put(std::string_view s);
  void push(server_event_kind k, std::string_view nsp, std::string_view sid = {},
            std::string_view pid = {}, bool recovered = false, std::uint64_t ack = no_ack,
            disconnect_reason r = disconnect_reason::transport_close);
  void drop(nsp_socket* s, disconnect_reason r, bool persist, errc ec = errc::none,
            std::size_t at = 0);
  void drop_all(disconnect_reason r, bool persist, errc ec = errc::none, std::size_t at = 0);
  void violation(disconnect_reason r, errc ec, std::size_t at = 0);
  std::optional<server_event> on_message(const engineio::packet_view& m);
  template <class Builder>
  errc send_built(const Builder& b, millis now);
  template <class Builder>
  errc reject_with(std::string_view nsp, const Builder& b, millis now);
  static bool recoverable(disconnect_reason r) noexcept;

  server_options opts_;
  engineio::server_session engine_;
  codec codec_;
  std::string eio_sid_;
  millis last_now_;
  millis connect_deadline_;
  bool closed_ = false;  // the close event came (or the session never opened)
  // This side ended the session (close, shutdown, the connect timeout, a client's violation):
  // the packets still queued in the Engine.IO session are not acted on (the reference's socket
  // stops reading once closing), and no call admits or sends any more.
  bool ending_ = false;
  std::vector<std::unique_ptr<nsp_socket>> nsps_;
  // The acks asked for, all namespaces together (owner = nsp_socket::uid).
  ::SIOCODEC_NAMESPACE::detail::ack_registry acks_;
  std::uint32_t next_uid_ = 1;
  std::string scratch_;
  std::vector<byte_view> atts_;
  std::vector<ev_record> ev_;
  std::size_t ev_head_ = 0;
  std::string ev_data_;
};

}  // namespace socketio
SIOCODEC_END_NAMESPACE

// The member definitions, apart so that this file reads as the engine's documentation.
#include <siocodec/socketio/impl/server.hpp>

#endif  // SIOCODEC_SOCKETIO_SERVER_HPP
