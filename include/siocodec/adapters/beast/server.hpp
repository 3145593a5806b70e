// SPDX-License-Identifier: BSL-1.0
// The Beast/Asio server adapter: a Socket.IO server (Engine.IO v4 and v3, HTTP long-polling,
// WebSocket and the upgrade between them) on the caller's io_context, without threads of its
// own. It runs siocodec's sans-I/O engines, one socketio::server_connection per session, each
// with one steady_timer armed to its next_deadline(); the application sees namespaces, sockets,
// events and acks:
//
//   boost::asio::io_context io;
//   siocodec::adapters::beast::server srv(io);
//   srv.of("/").on_connect = [](socket& s) { s.on("ping", [](socket& s, auto& ev) { ... }); };
//   srv.listen("127.0.0.1", 3000);
//   io.run();
//
// The pieces (examples/minimal/server.cpp uses them all; examples/server and examples/chat are
// larger programs on the same ones):
// - detail/server_session.hpp: one session (the engines, the held HTTP requests, the WebSocket,
//   the timer), and engine_server, the table of sessions routing requests to them.
// - detail/server_sockets.hpp: namespaces (namespace_def: authorize, on_connect, a handler per
//   event), sockets (socket: on(), on_any(), on_disconnect(), emit(), emit_with_ack_for(), ack(),
//   disconnect()), copy_args() and echo().
// - detail/server_io.hpp: Beast's HTTP and WebSocket sessions and the listener.
//
// Backpressure: what a session holds for a client that does not read is bounded in messages
// and bytes (engineio::server_options::max_queued_messages / max_queued_bytes, 16 MB by
// default, in the socketio::server_options given to the constructor, `.engine`): the engine's
// queue while no long-poll waits, Beast's write queue of the WebSocket. Over either bound the
// session is closed and the application is told the reason ("send queue full"; the engine's own
// reasons otherwise) by sockets().on_closed and each socket's on_disconnect(). TLS (https, wss):
// define SIOCODEC_BEAST_SSL=1 before the include, link OpenSSL, and hand listen() an ssl::context.
// Needs Boost >= 1.81 (Beast), exceptions and RTTI (Asio's); not part of the single header.
#ifndef SIOCODEC_ADAPTERS_BEAST_SERVER_HPP
#define SIOCODEC_ADAPTERS_BEAST_SERVER_HPP

#include <siocodec/adapters/beast/detail/server_io.hpp>
#include <siocodec/adapters/beast/detail/server_session.hpp>
#include <siocodec/adapters/beast/detail/server_sockets.hpp>
#include <siocodec/config.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <cstdint>
#include <memory>
#include <string>

SIOCODEC_BEGIN_NAMESPACE
namespace adapters {
namespace beast {

/// The engines' default options for the adapter: socket.io 4.8's, the default parser.
inline sio::server_options default_server_options() {
  return make_server_options(engine_options{}, sio::parser_kind::json);
}

/// A Socket.IO server on `io` (see the file comment). Serves `path` (`/socket.io/`); other paths
/// are answered by on_other_request (404 when empty). Must outlive io.run() (or close() first and
/// let the sessions end), since the sessions refer to it.
class server {
 public:
  explicit server(net::io_context& io, const sio::server_options& opts = default_server_options())
      : engine_(io, opts, sockets_), listener_(std::make_shared<listener>(io, engine_)) {}
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Defines (or returns) namespace `name` ("/" is the main one). A CONNECT to a namespace not
  /// defined is refused ("Invalid namespace", as socket.io does).
  namespace_def& of(const std::string& name) { return sockets_.of(name); }

  /// Binds `host`:`port` (0: a free port) and starts accepting. @return the port bound, or 0
  /// with `ec` set (an address that does not parse, a port in use...).
  std::uint16_t listen(const std::string& host, std::uint16_t port, boost::system::error_code& ec) {
    listener_->on_other_request = on_other_request;
    listener_->path = path;
    listener_->reuse_port = reuse_port;
    const std::uint16_t bound = listener_->open(host, port, ec);
    if (bound != 0) listener_->accept();
    return bound;
  }
  /// listen(), throwing boost::system::system_error on failure.
  std::uint16_t listen(const std::string& host, std::uint16_t port) {
    boost::system::error_code ec;
    const std::uint16_t bound = listen(host, port, ec);
    if (ec) throw boost::system::system_error(ec);
    return bound;
  }
#if defined(SIOCODEC_BEAST_SSL) && SIOCODEC_BEAST_SSL
  /// listen() over TLS: https and wss only, with `tls` (its certificate and key loaded; it
  /// must outlive the server's connections).
  std::uint16_t listen(const std::string& host, std::uint16_t port, net::ssl::context& tls,
                       boost::system::error_code& ec) {
    listener_->tls = &tls;
    return listen(host, port, ec);
  }
#endif
  /// Stops accepting connections; the open sessions go on until they end.
  void close() { listener_->close(); }

  /// Answers HTTP requests for other paths (static files); set before listen().
  request_handler on_other_request;
  /// The Engine.IO path (socket.io's `path`; the clients send the trailing slash); set before
  /// listen().
  std::string path = std::string(engineio_path);
  /// Sets SO_REUSEPORT on the listening socket (Linux, the BSDs; ignored where the system has
  /// none), so that one server per io_context (per thread) can listen() on the same port and the
  /// kernel spreads the connections over them: the way to use several cores, since a session
  /// belongs to one io_context. The servers share nothing: broadcasting to the sockets of the
  /// others is the application's (bench/load/server.cpp posts the encoded packet to each). Set
  /// before listen(). With port 0, listen the first server on 0 and the others on its port.
  bool reuse_port = false;

  /// The Socket.IO layer: observers (on_opened, on_packet, on_refused, on_left, on_closed).
  sio_server& sockets() { return sockets_; }
  /// The Engine.IO layer: on_upgrade, session_count(), the options.
  engine_server& engine() { return engine_; }

 private:
  sio_server sockets_;
  engine_server engine_;
  std::shared_ptr<listener> listener_;
};

}  // namespace beast
}  // namespace adapters
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_ADAPTERS_BEAST_SERVER_HPP
