// SPDX-License-Identifier: BSL-1.0
// The Boost.Beast side of examples/client: a WebSocket and an HTTP/1.1 channel that move bytes.
//
// Nothing here knows Engine.IO or Socket.IO. A WebSocket delivers messages with a text/binary
// flag; an HTTP channel sends one request at a time and delivers the response body with its
// Content-Type. session.hpp hands those to the engine. Single-threaded: every handler runs on
// the io_context's one thread. Errors travel as error_code (no exception is thrown here).
#ifndef SIOCODEC_EXAMPLES_CLIENT_TRANSPORTS_HPP
#define SIOCODEC_EXAMPLES_CLIENT_TRANSPORTS_HPP

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace sioclient {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

/// One frame for the WebSocket (`binary` selects a binary frame), or one polling body (`binary`:
/// an application/octet-stream body).
struct out_frame {
  std::string bytes;
  bool binary = false;
};

/// One WebSocket connection: open(), send() frames in order, close(). Messages arrive through
/// on_message(data, binary); the data is valid during the call only.
class ws_channel {
 public:
  std::function<void()> on_open;
  std::function<void(std::string_view data, bool binary)> on_message;
  /// The connection ended: cleanly (`error` false: our own close(), `what` empty, or the
  /// server's close frame) or not (`what` says why).
  std::function<void(bool error, const std::string& what)> on_end;

  ws_channel(net::io_context& io, std::size_t max_message) : ws_(io), max_(max_message) {}

  void open(const tcp::resolver::results_type& endpoints, std::string host, std::string target) {
    host_ = std::move(host);
    target_ = std::move(target);
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(10));
    beast::get_lowest_layer(ws_).async_connect(
        endpoints, [this](beast::error_code ec, const tcp::endpoint&) {
          if (ec) return end(true, "websocket connect: " + ec.message());
          beast::get_lowest_layer(ws_).expires_never();
          ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
          ws_.read_message_max(max_);
          ws_.async_handshake(host_, target_, [this](beast::error_code hec) {
            if (hec) return end(true, "websocket handshake: " + hec.message());
            open_ = true;
            read();
            if (on_open) on_open();
            write_next();
          });
        });
  }

  void send(out_frame f) {
    queue_.push_back(std::move(f));
    write_next();
  }

  /// Sends what is queued, then closes the WebSocket (close frame, status 1000).
  void close() {
    closing_ = true;
    write_next();
  }

  bool is_open() const noexcept { return open_; }

 private:
  void read() {
    ws_.async_read(buffer_, [this](beast::error_code ec, std::size_t) {
      if (ec) {
        const bool ours =
            closing_ && (ec == websocket::error::closed || ec == net::error::operation_aborted);
        if (ours) return end(false, std::string());
        if (ec == websocket::error::closed) return end(false, "websocket closed by the server");
        return end(true, "websocket read: " + ec.message());
      }
      const auto data = buffer_.data();
      on_message(std::string_view(static_cast<const char*>(data.data()), data.size()),
                 ws_.got_binary());
      buffer_.consume(buffer_.size());
      if (!ended_) read();
    });
  }

  void write_next() {
    if (!open_ || writing_ || ended_) return;
    if (queue_.empty()) {
      if (closing_ && !close_sent_) {
        close_sent_ = true;
        writing_ = true;
        ws_.async_close(websocket::close_code::normal, [this](beast::error_code) {
          writing_ = false;
          end(false, std::string());
        });
      }
      return;
    }
    writing_ = true;
    ws_.binary(queue_.front().binary);
    ws_.async_write(net::buffer(queue_.front().bytes), [this](beast::error_code ec, std::size_t) {
      writing_ = false;
      if (ec) return end(true, "websocket write: " + ec.message());
      queue_.pop_front();
      write_next();
    });
  }

  void end(bool error, const std::string& what) {
    if (ended_) return;
    ended_ = true;
    open_ = false;
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    if (on_end) on_end(error, what);
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::size_t max_;
  std::string host_, target_;
  beast::flat_buffer buffer_;
  std::deque<out_frame> queue_;
  bool open_ = false, writing_ = false, closing_ = false, close_sent_ = false, ended_ = false;
};

/// One keep-alive HTTP/1.1 connection carrying one request at a time (a long-poll GET, or a
/// POST). Reconnects when the server closed the previous connection.
class http_channel {
 public:
  /// status 0 means a connection failure (`error` says which).
  using handler = std::function<void(unsigned status, std::string_view body, bool octet_stream,
                                     const std::string& error)>;

  http_channel(net::io_context& io, std::size_t max_body) : io_(io), max_body_(max_body) {}

  void request(const tcp::resolver::results_type& endpoints, const std::string& host,
               http::verb verb, const std::string& target, out_frame body, handler done) {
    endpoints_ = endpoints;
    done_ = std::move(done);
    req_ = {};
    req_.method(verb);
    req_.target(target);
    req_.version(11);
    req_.set(http::field::host, host);
    req_.set(http::field::user_agent, "siocodec-example-client");
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

  /// Drops the connection and any request in flight (its handler is not called).
  void cancel() {
    done_ = nullptr;
    if (stream_) {
      beast::error_code ignored;
      stream_->socket().close(ignored);
    }
  }

  bool busy() const noexcept { return static_cast<bool>(done_); }

 private:
  void start() {
    if (stream_ && stream_->socket().is_open()) return write(true);
    stream_.emplace(io_);
    buffer_.clear();
    stream_->async_connect(endpoints_, [this](beast::error_code ec, const tcp::endpoint&) {
      if (ec) return finish(0, {}, false, "connect: " + ec.message());
      write(false);
    });
  }

  void write(bool reused) {
    http::async_write(*stream_, req_, [this, reused](beast::error_code ec, std::size_t) {
      if (ec) return retry_or_fail(reused, "write: " + ec.message());
      parser_.emplace();
      parser_->body_limit(max_body_);
      http::async_read(
          *stream_, buffer_, *parser_, [this, reused](beast::error_code rec, std::size_t) {
            if (rec) return retry_or_fail(reused, "read: " + rec.message());
            auto& res = parser_->get();
            const bool octet = res[http::field::content_type] == "application/octet-stream";
            if (!res.keep_alive()) {
              beast::error_code ignored;
              stream_->socket().close(ignored);
            }
            finish(res.result_int(), res.body(), octet, std::string());
          });
    });
  }

  // A keep-alive connection the server closed while idle fails on first use: try once more on
  // a fresh connection.
  void retry_or_fail(bool reused, const std::string& what) {
    if (!done_) return;  // cancelled
    beast::error_code ignored;
    stream_->socket().close(ignored);
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
  tcp::resolver::results_type endpoints_;
  std::optional<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  std::optional<http::response_parser<http::string_body>> parser_;
  handler done_;
  bool retried_ = false;
};

}  // namespace sioclient

#endif  // SIOCODEC_EXAMPLES_CLIENT_TRANSPORTS_HPP
