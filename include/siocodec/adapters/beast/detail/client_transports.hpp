// SPDX-License-Identifier: BSL-1.0
// The Boost.Beast side of the client adapter: a WebSocket and an HTTP/1.1 channel that move bytes,
// over TCP or TLS.
//
// Nothing here knows Engine.IO or Socket.IO. A WebSocket delivers messages with a text/binary
// flag; an HTTP channel sends one request at a time and delivers the response body with its
// Content-Type. client.hpp hands those to the engine. Single-threaded: every handler runs on the
// caller's io_context. Errors travel as error_code (nothing here throws on I/O errors).
//
// Lifetime: a channel is held by a shared_ptr, and each of its pending operations holds one too,
// so the owner may drop a channel at any time; its callbacks are cleared by detach() first.
#ifndef SIOCODEC_ADAPTERS_BEAST_DETAIL_CLIENT_TRANSPORTS_HPP
#define SIOCODEC_ADAPTERS_BEAST_DETAIL_CLIENT_TRANSPORTS_HPP

#include <siocodec/config.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#if SIOCODEC_BEAST_SSL
#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>
#endif

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

SIOCODEC_BEGIN_NAMESPACE
namespace adapters {
namespace beast {
namespace detail {

namespace net = boost::asio;
namespace bb = boost::beast;
namespace http = bb::http;
namespace websocket = bb::websocket;
using tcp = net::ip::tcp;

/// Where the channels connect, and how.
struct client_endpoint {
  tcp::resolver::results_type endpoints;
  std::string host;         // for SNI and the certificate check
  std::string host_header;  // host[:port]
#if SIOCODEC_BEAST_SSL
  net::ssl::context* tls = nullptr;
#endif
  std::chrono::milliseconds connect_timeout{10000};
  std::string user_agent;
};

#if SIOCODEC_BEAST_SSL
/// SNI for a host name (not for an address literal, RFC 6066 section 3). SSL_set_tlsext_host_name
/// is a macro with a C cast; this is its expansion.
inline bool set_server_name(SSL* ssl, const std::string& host) {
  bb::error_code ec;
  (void)net::ip::make_address(host, ec);
  if (!ec) return true;
  return SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                  const_cast<char*>(host.c_str())) == 1;
}
#endif

/// One frame for the WebSocket (`binary` selects a binary frame), or one polling body (`binary`:
/// an application/octet-stream body).
struct out_frame {
  std::string bytes;
  bool binary = false;
};

/// One WebSocket connection: open(), send() frames in order, close(). Messages arrive through
/// on_message(data, binary); the data is valid during the call only.
class ws_base {
 public:
  std::function<void()> on_open;
  std::function<void(std::string_view data, bool binary)> on_message;
  /// The connection ended: cleanly (`error` false: our own close(), `what` empty, or the
  /// server's close frame) or not (`what` says why). Always called from a handler of its own,
  /// never from inside send() or close().
  std::function<void(bool error, const std::string& what)> on_end;

  virtual ~ws_base() = default;
  virtual void open(const client_endpoint& ep, std::string target) = 0;
  /// Queues a frame. Over `max_queued` bytes waiting (a server that does not read), the
  /// connection ends with an error "send queue full".
  virtual void send(out_frame f) = 0;
  /// Sends what is queued, then closes the WebSocket (close frame, status 1000).
  virtual void close() = 0;
  /// Drops the callbacks and the socket at once.
  virtual void detach() = 0;
  virtual bool is_open() const noexcept = 0;
  /// Bytes queued and not yet written.
  virtual std::size_t queued_bytes() const noexcept = 0;
};

template <bool Tls>
class ws_channel final : public ws_base, public std::enable_shared_from_this<ws_channel<Tls>> {
#if SIOCODEC_BEAST_SSL
  using next_layer = std::conditional_t<Tls, bb::ssl_stream<bb::tcp_stream>, bb::tcp_stream>;
#else
  static_assert(!Tls, "TLS needs SIOCODEC_BEAST_SSL=1");
  using next_layer = bb::tcp_stream;
#endif

 public:
  ws_channel(net::io_context& io, const client_endpoint& ep, std::size_t max_message,
             std::size_t max_queued)
      : ws_(make(io, ep)), max_(max_message), max_queued_(max_queued) {}

  void open(const client_endpoint& ep, std::string target) override {
    host_ = ep.host_header;
    target_ = std::move(target);
    user_agent_ = ep.user_agent;
    auto self = this->shared_from_this();
#if SIOCODEC_BEAST_SSL
    if constexpr (Tls) {
      // SNI, and the certificate must name the host (the context decides whether it is checked).
      if (!set_server_name(ws_->next_layer().native_handle(), ep.host)) {
        return end(true, "websocket: cannot set the TLS server name");
      }
      ws_->next_layer().set_verify_callback(net::ssl::host_name_verification(ep.host));
    }
#endif
    bb::get_lowest_layer(*ws_).expires_after(ep.connect_timeout);
    bb::get_lowest_layer(*ws_).async_connect(
        ep.endpoints, [self](bb::error_code ec, const tcp::endpoint&) {
          if (ec) return self->end(true, "websocket connect: " + ec.message());
          self->after_connect();
        });
  }

  void send(out_frame f) override {
    if (ended_) return;
    queued_ += f.bytes.size();
    queue_.push_back(std::move(f));
    if (queued_ > max_queued_) return end(true, "send queue full");
    write_next();
  }

  void close() override {
    closing_ = true;
    write_next();
  }

  void detach() override {
    on_open = nullptr;
    on_message = nullptr;
    on_end = nullptr;
    ended_ = true;
    open_ = false;
    bb::error_code ignored;
    bb::get_lowest_layer(*ws_).socket().close(ignored);
  }

  bool is_open() const noexcept override { return open_; }
  std::size_t queued_bytes() const noexcept override { return queued_; }

 private:
  static std::unique_ptr<websocket::stream<next_layer>> make(net::io_context& io,
                                                             const client_endpoint& ep) {
    if constexpr (Tls) {
#if SIOCODEC_BEAST_SSL
      return std::make_unique<websocket::stream<next_layer>>(io, *ep.tls);
#endif
    } else {
      (void)ep;
      return std::make_unique<websocket::stream<next_layer>>(io);
    }
  }

  void after_connect() {
    auto self = this->shared_from_this();
#if SIOCODEC_BEAST_SSL
    if constexpr (Tls) {
      ws_->next_layer().async_handshake(net::ssl::stream_base::client, [self](bb::error_code ec) {
        if (ec) return self->end(true, "websocket TLS handshake: " + ec.message());
        self->ws_handshake();
      });
      return;
    }
#endif
    ws_handshake();
  }

  void ws_handshake() {
    auto self = this->shared_from_this();
    bb::get_lowest_layer(*ws_).expires_never();
    ws_->set_option(websocket::stream_base::timeout::suggested(bb::role_type::client));
    if (!user_agent_.empty()) {
      ws_->set_option(
          websocket::stream_base::decorator([ua = user_agent_](websocket::request_type& req) {
            req.set(http::field::user_agent, ua);
          }));
    }
    ws_->read_message_max(max_);
    ws_->async_handshake(host_, target_, [self](bb::error_code hec) {
      if (hec) return self->end(true, "websocket handshake: " + hec.message());
      self->open_ = true;
      self->read();
      if (self->on_open) self->on_open();
      self->write_next();
    });
  }

  void read() {
    auto self = this->shared_from_this();
    ws_->async_read(buffer_, [self](bb::error_code ec, std::size_t) {
      if (ec) {
        const bool ours = self->closing_ &&
                          (ec == websocket::error::closed || ec == net::error::operation_aborted);
        if (ours) return self->end(false, std::string());
        if (ec == websocket::error::closed)
          return self->end(false, "websocket closed by the server");
        return self->end(true, "websocket read: " + ec.message());
      }
      const auto data = self->buffer_.data();
      if (self->on_message) {
        self->on_message(std::string_view(static_cast<const char*>(data.data()), data.size()),
                         self->ws_->got_binary());
      }
      self->buffer_.consume(self->buffer_.size());
      if (!self->ended_) self->read();
    });
  }

  void write_next() {
    if (!open_ || writing_ || ended_) return;
    auto self = this->shared_from_this();
    if (queue_.empty()) {
      if (closing_ && !close_sent_) {
        close_sent_ = true;
        writing_ = true;
        ws_->async_close(websocket::close_code::normal, [self](bb::error_code) {
          self->writing_ = false;
          self->end(false, std::string());
        });
      }
      return;
    }
    writing_ = true;
    ws_->binary(queue_.front().binary);
    ws_->async_write(net::buffer(queue_.front().bytes), [self](bb::error_code ec, std::size_t) {
      self->writing_ = false;
      if (ec) return self->end(true, "websocket write: " + ec.message());
      self->queued_ -= self->queue_.front().bytes.size();
      self->queue_.pop_front();
      self->write_next();
    });
  }

  // The socket closes now; the report runs from a handler of its own, so that send() never
  // calls back into its caller.
  void end(bool error, std::string what) {
    if (ended_) return;
    ended_ = true;
    open_ = false;
    bb::error_code ignored;
    bb::get_lowest_layer(*ws_).socket().close(ignored);
    queue_.clear();
    queued_ = 0;
    auto self = this->shared_from_this();
    net::post(ws_->get_executor(), [self, error, what = std::move(what)] {
      if (auto h = std::move(self->on_end)) h(error, what);
    });
  }

  std::unique_ptr<websocket::stream<next_layer>> ws_;
  std::size_t max_, max_queued_, queued_ = 0;
  std::string host_, target_, user_agent_;
  bb::flat_buffer buffer_;
  std::deque<out_frame> queue_;
  bool open_ = false, writing_ = false, closing_ = false, close_sent_ = false, ended_ = false;
};

/// One keep-alive HTTP/1.1 connection carrying one request at a time (a long-poll GET, or a
/// POST). Reconnects when the server closed the previous connection.
class http_base {
 public:
  /// status 0 means a connection failure (`error` says which).
  using handler = std::function<void(unsigned status, std::string_view body, bool octet_stream,
                                     const std::string& error)>;
  virtual ~http_base() = default;
  virtual void request(const client_endpoint& ep, http::verb verb, const std::string& target,
                       out_frame body, handler done) = 0;
  /// Drops the connection and any request in flight (its handler is not called).
  virtual void cancel() = 0;
  virtual bool busy() const noexcept = 0;
};

template <bool Tls>
class http_channel final : public http_base,
                           public std::enable_shared_from_this<http_channel<Tls>> {
#if SIOCODEC_BEAST_SSL
  using stream_type = std::conditional_t<Tls, bb::ssl_stream<bb::tcp_stream>, bb::tcp_stream>;
#else
  using stream_type = bb::tcp_stream;
#endif

 public:
  http_channel(net::io_context& io, std::size_t max_body) : io_(io), max_body_(max_body) {}

  void request(const client_endpoint& ep, http::verb verb, const std::string& target,
               out_frame body, handler done) override {
    ep_ = &ep;
    done_ = std::move(done);
    req_ = {};
    req_.method(verb);
    req_.target(target);
    req_.version(11);
    req_.set(http::field::host, ep.host_header);
    if (!ep.user_agent.empty()) req_.set(http::field::user_agent, ep.user_agent);
    req_.keep_alive(true);
    if (verb == http::verb::post) {
      req_.set(http::field::content_type,
               body.binary ? "application/octet-stream" : "text/plain;charset=UTF-8");
      req_.body() = std::move(body.bytes);
    }
    req_.prepare_payload();
    retried_ = false;
    start();
  }

  void cancel() override {
    done_ = nullptr;
    if (stream_) {
      bb::error_code ignored;
      bb::get_lowest_layer(*stream_).socket().close(ignored);
    }
  }

  bool busy() const noexcept override { return static_cast<bool>(done_); }

 private:
  void start() {
    if (stream_ && bb::get_lowest_layer(*stream_).socket().is_open()) return write(true);
    emplace();
    buffer_.clear();
    auto self = this->shared_from_this();
#if SIOCODEC_BEAST_SSL
    if constexpr (Tls) {
      if (!set_server_name(stream_->native_handle(), ep_->host)) {
        return finish(0, {}, false, "cannot set the TLS server name");
      }
      stream_->set_verify_callback(net::ssl::host_name_verification(ep_->host));
    }
#endif
    bb::get_lowest_layer(*stream_).expires_after(ep_->connect_timeout);
    bb::get_lowest_layer(*stream_).async_connect(ep_->endpoints, [self](bb::error_code ec,
                                                                        const tcp::endpoint&) {
      if (ec) return self->finish(0, {}, false, "connect: " + ec.message());
      bb::get_lowest_layer(*self->stream_).expires_never();
#if SIOCODEC_BEAST_SSL
      if constexpr (Tls) {
        self->stream_->async_handshake(net::ssl::stream_base::client, [self](bb::error_code hec) {
          if (hec) {
            return self->finish(0, {}, false, "TLS handshake: " + hec.message());
          }
          self->write(false);
        });
        return;
      }
#endif
      self->write(false);
    });
  }

  void emplace() {
#if SIOCODEC_BEAST_SSL
    if constexpr (Tls) {
      stream_.emplace(io_, *ep_->tls);
      return;
    }
#endif
    if constexpr (!Tls) stream_.emplace(io_);
  }

  void write(bool reused) {
    auto self = this->shared_from_this();
    http::async_write(*stream_, req_, [self, reused](bb::error_code ec, std::size_t) {
      if (ec) return self->retry_or_fail(reused, "write: " + ec.message());
      self->parser_.emplace();
      self->parser_->body_limit(self->max_body_);
      http::async_read(*self->stream_, self->buffer_, *self->parser_,
                       [self, reused](bb::error_code rec, std::size_t) {
                         if (rec) return self->retry_or_fail(reused, "read: " + rec.message());
                         auto& res = self->parser_->get();
                         const bool octet =
                             res[http::field::content_type] == "application/octet-stream";
                         if (!res.keep_alive()) {
                           bb::error_code ignored;
                           bb::get_lowest_layer(*self->stream_).socket().close(ignored);
                         }
                         self->finish(res.result_int(), res.body(), octet, std::string());
                       });
    });
  }

  // A keep-alive connection the server closed while idle fails on first use: try once more on
  // a fresh connection.
  void retry_or_fail(bool reused, const std::string& what) {
    if (!done_) return;  // cancelled
    bb::error_code ignored;
    bb::get_lowest_layer(*stream_).socket().close(ignored);
    if (reused && !retried_) {
      retried_ = true;
      return start();
    }
    finish(0, {}, false, what);
  }

  void finish(unsigned status, std::string_view body, bool octet, const std::string& error) {
    if (!done_) return;
    handler h = std::move(done_);
    done_ = nullptr;
    h(status, body, octet, error);
  }

  net::io_context& io_;
  std::size_t max_body_;
  const client_endpoint* ep_ = nullptr;  // owned by the client, which outlives every request
  std::optional<stream_type> stream_;
  bb::flat_buffer buffer_;
  http::request<http::string_body> req_;
  std::optional<http::response_parser<http::string_body>> parser_;
  handler done_;
  bool retried_ = false;
};

}  // namespace detail
}  // namespace beast
}  // namespace adapters
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_ADAPTERS_BEAST_DETAIL_CLIENT_TRANSPORTS_HPP
