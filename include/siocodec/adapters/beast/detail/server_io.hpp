// SPDX-License-Identifier: BSL-1.0
// The Beast server adapter, layer 3 of 3: the sockets. Boost.Beast reads HTTP requests and
// WebSocket messages and writes the answers, over TCP or TLS (SIOCODEC_BEAST_SSL=1); everything
// Engine.IO is left to server_session.hpp.
#ifndef SIOCODEC_ADAPTERS_BEAST_DETAIL_SERVER_IO_HPP
#define SIOCODEC_ADAPTERS_BEAST_DETAIL_SERVER_IO_HPP

#include <siocodec/adapters/beast/detail/server_session.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#if defined(SIOCODEC_BEAST_SSL) && SIOCODEC_BEAST_SSL
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>
#endif

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

SIOCODEC_BEGIN_NAMESPACE
namespace adapters {
namespace beast {
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

/// The path Socket.IO clients use by default (listener::path changes it).
constexpr std::string_view engineio_path = "/socket.io/";

/// A request target split into its path and its query (read by eio::parse_query).
struct target {
  std::string path;
  std::string query;

  static target parse(std::string_view t) {
    const std::size_t q = t.find('?');
    if (q == std::string_view::npos) return {std::string(t), std::string()};
    return {std::string(t.substr(0, q)), std::string(t.substr(q + 1))};
  }
};

/// The fields of an HTTP request that the Engine.IO server looks at (views into `t` and `req`).
inline http_request to_engineio(const target& t, const http::request<http::string_body>& req) {
  http_request r;
  r.method = std::string_view(req.method_string().data(), req.method_string().size());
  r.query = t.query;
  const auto ct = req[http::field::content_type];
  r.content_type = std::string_view(ct.data(), ct.size());
  r.body = req.body();
  return r;
}

/// Answers an HTTP request for a path other than engineio_path (a static page, say).
using request_handler =
    std::function<http_reply(const target&, const http::request<http::string_body>&)>;

/// The plain stream; with SIOCODEC_BEAST_SSL, tls_stream is the TLS one.
using plain_stream = boost::beast::tcp_stream;
#if defined(SIOCODEC_BEAST_SSL) && SIOCODEC_BEAST_SSL
using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
#endif

namespace detail {
// What a WebSocket of an HTTP connection over `Stream` runs on. Plain: the bare socket. The
// tcp_stream's timeouts were the HTTP ones; the WebSocket's are Beast's own (its timer), and the
// tcp_stream's state (about 500 bytes) would be held for the connection's whole life.
template <class Stream>
struct ws_layer {
  using type = Stream;
};
template <>
struct ws_layer<plain_stream> {
  using type = tcp::socket;
};
}  // namespace detail

/// One accepted WebSocket (of an HTTP connection over `Stream`: plain_stream or tls_stream):
/// reads messages into the session, writes its frames one at a time.
template <class Stream>
class ws_session : public ws_link, public std::enable_shared_from_this<ws_session<Stream>> {
  static constexpr bool tls = !std::is_same_v<Stream, plain_stream>;

 public:
  using layer = typename detail::ws_layer<Stream>::type;
  explicit ws_session(layer&& s) : ws_(std::move(s)) {}

  void start(engine_server& eio, http::request<http::string_body> req) {
    up_ = std::make_unique<upgrade>();
    up_->req = std::move(req);
    // Beast's WebSocket timeouts replace the HTTP ones from here on.
    if constexpr (tls) boost::beast::get_lowest_layer(ws_).expires_never();
    up_->where =
        target::parse(std::string_view(up_->req.target().data(), up_->req.target().size()));
    ws_.set_option(websocket::stream_base::timeout::suggested(boost::beast::role_type::server));
    // The codec's limit, given to Beast too: a larger message is refused (close 1009) before
    // it is buffered.
    ws_.read_message_max(eio.options().max_payload);
    ws_.async_accept(up_->req,
                     [self = this->shared_from_this(), &eio](boost::beast::error_code ec) {
                       if (ec) return;
                       eio.attach_websocket(to_engineio(self->up_->where, self->up_->req), self);
                       // Used up (the engine copied what it keeps): an idle connection should not
                       // hold the upgrade request's headers for its whole life.
                       self->up_.reset();
                       self->read();
                     });
  }

  void send(eio::frame_kind kind, std::string_view prefix, std::string_view data) override {
    if (closing_) return;
    // Into a string written before, whose storage is kept: once the queue and the strings have
    // grown to the traffic, a message costs no allocation (bench/load measures it).
    if (tail_ == out_.size()) out_.emplace_back();
    out_frame& f = out_[tail_++];
    f.binary = kind == eio::frame_kind::binary;
    f.bytes.assign(prefix);
    f.bytes.append(data);
    out_bytes_ += f.bytes.size();
    ++sent_;
    if (queued() == 1) write_next();
  }

  void abort() override {
    closing_ = true;
    // The frame being written stays until its write fails; the rest goes now.
    while (queued() > 1) out_bytes_ -= out_[--tail_].bytes.size();
    boost::beast::error_code ignored;
    raw_socket().close(ignored);
  }

  std::size_t queued_frames() const override { return queued(); }
  std::size_t queued_bytes() const override { return out_bytes_; }
  std::uint64_t sent() const override { return sent_; }
  std::uint64_t written() const override { return written_; }

  void close(std::uint16_t code) override {
    if (closing_) return;
    closing_ = true;
    close_code_ = code;
    if (queued() == 0) do_close();  // else after the last queued frame
  }

 private:
  // Beast prepares the buffer before the message comes, as much as the read may take (1,536
  // bytes for async_read): an idle connection would hold that for its whole life. A read takes
  // at most what the buffer has room for, read_chunk at least, so a small message (a CONNECT,
  // a pong) grows it to read_chunk only; a larger one doubles it as it comes (a few reads of a
  // message already in Beast's buffer, no syscall), and the grown buffer is kept: a busy
  // connection reads its messages in one read each, with no allocation.
  void read() {
    const std::size_t room = buffer_.capacity() - buffer_.size();
    ws_.async_read_some(
        buffer_, room > read_chunk ? room : read_chunk,
        [self = this->shared_from_this()](boost::beast::error_code ec, std::size_t) {
          if (ec) {
            // Closed by the peer, by us, or by Beast (1009 for a message over read_message_max).
            if (self->on_closed) self->on_closed(ec != websocket::error::closed);
            return;
          }
          if (!self->ws_.is_message_done()) return self->read();
          const auto kind = self->ws_.got_text() ? eio::frame_kind::text : eio::frame_kind::binary;
          const auto data = self->buffer_.cdata();
          const std::string_view frame(static_cast<const char*>(data.data()), data.size());
          if (self->on_message) self->on_message(kind, frame);
          self->buffer_.consume(self->buffer_.size());
          if (!self->closing_) self->read();
        });
  }

  std::size_t queued() const { return tail_ - head_; }

  tcp::socket& raw_socket() {
    if constexpr (tls) {
      return boost::beast::get_lowest_layer(ws_).socket();
    } else {
      return ws_.next_layer();
    }
  }

  // The frame being written moves to writing_ (a swap: no copy, no allocation), whose address
  // stays while out_ grows; its storage goes back to out_ once written, for a later send().
  void write_next() {
    ws_.binary(out_[head_].binary);
    writing_.swap(out_[head_].bytes);
    ws_.async_write(net::buffer(writing_),
                    [self = this->shared_from_this()](boost::beast::error_code ec, std::size_t) {
                      self->writing_.swap(self->out_[self->head_].bytes);
                      self->out_bytes_ -= self->out_[self->head_].bytes.size();
                      self->pop_front();
                      if (ec) {
                        self->head_ = self->tail_ = 0;
                        self->out_bytes_ = 0;
                        return;
                      }
                      ++self->written_;
                      if (self->queued() != 0) {
                        self->write_next();
                      } else if (self->closing_) {
                        self->do_close();
                      }
                    });
  }

  // The written frame's string stays in out_ for a later send(), up to kept_bytes of storage
  // (a rare large message gives its storage back). Empty, the queue starts over at out_[0] and
  // keeps kept_frames strings; past its middle, the queued frames move to the front (swaps: no
  // allocation), so that a queue that never empties does not grow out_ either.
  void pop_front() {
    if (out_[head_].bytes.capacity() > kept_bytes) std::string().swap(out_[head_].bytes);
    ++head_;
    if (head_ == tail_) {
      head_ = tail_ = 0;
      if (out_.size() > kept_frames) {
        out_.resize(kept_frames);
        out_.shrink_to_fit();
      }
    } else if (head_ >= out_.size() / 2) {
      for (std::size_t i = head_; i < tail_; ++i) std::swap(out_[i - head_], out_[i]);
      tail_ -= head_;
      head_ = 0;
    }
  }

  void do_close() {
    ws_.async_close(websocket::close_reason(close_code_),
                    [self = this->shared_from_this()](boost::beast::error_code) {});
  }

  websocket::stream<layer> ws_;
  boost::beast::flat_buffer buffer_;
  static constexpr std::size_t read_chunk = 256;
  // The upgrade request, until the accept is done (an idle connection holds none of it).
  struct upgrade {
    http::request<http::string_body> req;
    target where;
  };
  std::unique_ptr<upgrade> up_;
  struct out_frame {
    bool binary = false;
    std::string bytes;
  };
  // The queue is out_[head_, tail_), out_[head_] being written (its bytes in writing_). A
  // vector, empty until the first frame: an empty std::deque holds a 512-byte block.
  std::vector<out_frame> out_;
  std::string writing_;
  static constexpr std::size_t kept_frames = 16;
  static constexpr std::size_t kept_bytes = 64 * 1024;
  std::size_t head_ = 0;
  std::size_t tail_ = 0;
  std::size_t out_bytes_ = 0;  // of the queue
  std::uint64_t sent_ = 0;
  std::uint64_t written_ = 0;
  bool closing_ = false;
  std::uint16_t close_code_ = ws_close_normal;
};

/// One HTTP connection (over `Stream`: plain_stream or tls_stream): reads requests
/// (keep-alive), hands polling requests to the Engine.IO server and writes its replies, and
/// turns WebSocket upgrade requests into ws_sessions.
template <class Stream>
class http_session : public std::enable_shared_from_this<http_session<Stream>> {
  static constexpr bool tls = !std::is_same_v<Stream, plain_stream>;

 public:
  http_session(Stream&& s, engine_server& eio, request_handler other = nullptr,
               std::string path = std::string(engineio_path))
      : stream_(std::move(s)), eio_(eio), other_(std::move(other)), path_(std::move(path)) {}

  void start() {
    if constexpr (tls) {
      // A client that connects and never completes the handshake is dropped.
      boost::beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(30));
      stream_.async_handshake(Stream::server,  // ssl::stream_base::server
                              [self = this->shared_from_this()](boost::beast::error_code ec) {
                                if (ec) return self->shutdown();
                                self->read();
                              });
    } else {
      read();
    }
  }

 private:
  void read() {
    parser_.emplace();
    // The codec's limit: a larger body is refused (413) before it is buffered. A body within
    // it is still checked by engineio::decode_payload, which applies the same limit.
    parser_->body_limit(eio_.options().max_payload);
    lowest().expires_after(std::chrono::seconds(120));  // an idle keep-alive connection
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](boost::beast::error_code ec, std::size_t) {
                       self->on_read(ec);
                     });
  }

  void on_read(boost::beast::error_code ec) {
    if (ec == http::error::body_limit) {
      return write(http_reply{413, "text/plain; charset=UTF-8", ""}, false);
    }
    if (ec) return shutdown();
    lowest().expires_never();  // a long-poll is held up to pingInterval
    const http::request<http::string_body>& req = parser_->get();
    target_ = target::parse(std::string_view(req.target().data(), req.target().size()));
    const bool keep_alive = req.keep_alive();
    if (target_.path != path_) {
      if (other_) return write(other_(target_, req), keep_alive);
      return write(http_reply{404, "text/plain; charset=UTF-8", "not found"}, keep_alive);
    }
    const http_request r = to_engineio(target_, req);
    if (websocket::is_upgrade(req)) {
      if (auto refusal = eio_.check_websocket(r)) return write(std::move(*refusal), false);
      if constexpr (tls) {
        std::make_shared<ws_session<Stream>>(std::move(stream_))->start(eio_, parser_->release());
      } else {
        std::make_shared<ws_session<Stream>>(stream_.release_socket())
            ->start(eio_, parser_->release());
      }
      return;
    }
    answered_ = false;
    std::function<void()> aborted =
        eio_.handle_http(r, [self = this->shared_from_this(), keep_alive](http_reply reply) {
          self->write(std::move(reply), keep_alive);
        });
    if (!answered_ && aborted) watch(std::move(aborted));
  }

  // A held long-poll GET: reads on, so that the client's going away (EOF, reset) is seen
  // before the answer and told to the engine (aborted). Bytes that come meanwhile (a pipelined
  // request) are kept for the next read(), up to a bound.
  void watch(std::function<void()> aborted) {
    watching_ = true;
    watch_stream().async_read_some(buffer_.prepare(watch_limit),
                                   [self = this->shared_from_this(), aborted = std::move(aborted)](
                                       boost::beast::error_code ec, std::size_t n) mutable {
                                     self->watching_ = false;
                                     self->buffer_.commit(n);
                                     if (ec) {
                                       if (!self->answered_) aborted();
                                       return;
                                     }
                                     if (self->answered_) {
                                       if (self->read_after_watch_) self->read();
                                     } else if (self->buffer_.size() < watch_limit) {
                                       self->watch(std::move(aborted));
                                     }
                                   });
  }

  void write(http_reply reply, bool keep_alive) {
    answered_ = true;
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(reply.status), 11);
    res->set(http::field::content_type, reply.content_type);
    res->keep_alive(keep_alive);
    res->body() = std::move(reply.body);
    res->prepare_payload();
    // A client that does not read its answer must not hold the body here forever.
    lowest().expires_after(std::chrono::seconds(30));
    http::async_write(
        stream_, *res,
        [self = this->shared_from_this(), res](boost::beast::error_code ec, std::size_t) {
          if (ec || !res->keep_alive()) return self->shutdown();
          // One read at a time: the watch's own completion reads on.
          self->read_after_watch_ = self->watching_;
          if (!self->watching_) self->read();
        });
  }

  void shutdown() {
    boost::beast::error_code ignored;
    // TLS: no close_notify; the TCP shutdown tells the client as much as it needs.
    lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  plain_stream& lowest() { return boost::beast::get_lowest_layer(stream_); }
  // What watch() reads: the TLS stream (its records must be decrypted in order), else the
  // socket itself (the tcp_stream's timeout is off while a long-poll is held).
  auto& watch_stream() {
    if constexpr (tls) {
      return stream_;
    } else {
      return stream_.socket();
    }
  }

  Stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  target target_;
  engine_server& eio_;
  request_handler other_;
  std::string path_;
  static constexpr std::size_t watch_limit = 4096;
  bool answered_ = true;           // the request being handled has its answer
  bool watching_ = false;          // watch()'s read is pending
  bool read_after_watch_ = false;  // the answer went out while watching: read() after it
};

/// Accepts TCP connections and starts an http_session on each.
class listener : public std::enable_shared_from_this<listener> {
 public:
  listener(net::io_context& io, engine_server& eio) : acceptor_(io), eio_(eio) {}

  /// Binds and listens; @return the bound port (useful with port 0), or 0 on failure.
  std::uint16_t open(const std::string& host, std::uint16_t port, boost::beast::error_code& ec) {
    const tcp::endpoint ep(net::ip::make_address(host, ec), port);
    if (ec) return 0;
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
#if defined(SO_REUSEPORT)
    if (!ec && reuse_port) {
      acceptor_.set_option(net::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true), ec);
    }
#endif
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return 0;
    return acceptor_.local_endpoint().port();
  }

  /// SO_REUSEPORT before bind (where the system has it): several listeners, one per
  /// io_context, share one port and the kernel spreads the connections over them.
  bool reuse_port = false;
  /// Answers the requests for other paths than `path`; empty: 404 for all of them.
  request_handler on_other_request;
  /// The Engine.IO path (socket.io's `path` option), with its trailing slash as the clients
  /// send it.
  std::string path = std::string(engineio_path);
#if defined(SIOCODEC_BEAST_SSL) && SIOCODEC_BEAST_SSL
  /// Set: every connection is TLS (https, wss) with this context (which must outlive them).
  net::ssl::context* tls = nullptr;
#endif

  void accept() {
    acceptor_.async_accept([self = this->shared_from_this()](boost::beast::error_code ec,
                                                             tcp::socket s) {
      if (!self->acceptor_.is_open()) return;  // close()d
      if (!ec) {
        s.set_option(tcp::no_delay(true), ec);
#if defined(SIOCODEC_BEAST_SSL) && SIOCODEC_BEAST_SSL
        if (self->tls != nullptr) {
          std::make_shared<http_session<tls_stream>>(tls_stream(std::move(s), *self->tls),
                                                     self->eio_, self->on_other_request, self->path)
              ->start();
          return self->accept();
        }
#endif
        std::make_shared<http_session<plain_stream>>(plain_stream(std::move(s)), self->eio_,
                                                     self->on_other_request, self->path)
            ->start();
      }
      self->accept();
    });
  }

  /// Stops accepting (the sessions already open go on).
  void close() {
    boost::beast::error_code ignored;
    acceptor_.close(ignored);
  }

 private:
  tcp::acceptor acceptor_;
  engine_server& eio_;
};

}  // namespace beast
}  // namespace adapters
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_ADAPTERS_BEAST_DETAIL_SERVER_IO_HPP
