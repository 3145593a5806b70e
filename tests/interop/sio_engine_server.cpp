// SPDX-License-Identifier: BSL-1.0
// sio_engine_server: a small Socket.IO server on the library's socketio::server_connection
// (one per Engine.IO session, routed by engineio::route_request) and one recovery_store for "/",
// over Boost.Beast, WebSocket only (examples/server/beast_io.hpp is bound to the examples' own
// Engine.IO glue, engineio_server.hpp, so this keeps a minimal one).
// run_sio_engine_server_scenarios.js drives socket.io-client 4.8 against it (issue 22).
//
//   sio_engine_server            prints {"listening":PORT}, then JSON lines
// Namespaces: "/" (recovery on), "/admin" (auth.token must be "abc", else CONNECT_ERROR
// "not authorized"), any other refused ("Invalid namespace", as socket.io).
// Events: hello(x, ack) answers "hi x"; ask() makes the server emit question("q?") with an ack
// and report the answer as {"answer":...}.
// Commands on stdin: `broadcast FROM TO` (tick(i) on "/" through the store, to every connected
// socket), `drop` (aborts every TCP connection: the clients lose their transport), `quit`.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <siocodec/engineio/request.hpp>
#include <siocodec/socketio.hpp>

#include <chrono>
#include <cstdio>
#include <deque>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace eio = siocodec::engineio;
namespace sio = siocodec::socketio;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

namespace {

const auto t_start = std::chrono::steady_clock::now();
eio::millis now() {
  return static_cast<eio::millis>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::steady_clock::now() - t_start)
                                      .count());
}

void print(const std::string& s) {
  std::fwrite(s.data(), 1, s.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

std::string text(const sio::any_value& v) {
  std::string s;
  if (v.is_string()) (void)v.append_string(s);
  return s;
}

std::mt19937_64& rng() {
  static std::mt19937_64 r(std::random_device{}());
  return r;
}
std::vector<unsigned char> random_bytes(std::size_t n) {
  std::vector<unsigned char> b(n);
  for (auto& c : b) c = static_cast<unsigned char>(rng()());
  return b;
}

class server;

// One WebSocket connection and its Engine.IO / Socket.IO session.
class connection : public std::enable_shared_from_this<connection> {
 public:
  connection(server& srv, tcp::socket s)
      : srv_(srv), ws_(std::move(s)), timer_(ws_.get_executor()) {}
  void start();
  void pump();
  void abort() {
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }
  std::unique_ptr<sio::server_connection> conn;

 private:
  void read();
  void write_next();
  void arm();
  void ended(bool error);
  void on_event(const sio::server_event& e);

  server& srv_;
  websocket::stream<beast::tcp_stream> ws_;
  net::steady_timer timer_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  std::deque<std::pair<std::string, bool>> out_;
  bool writing_ = false, closing_ = false, ended_ = false;
};

class server {
 public:
  explicit server(net::io_context& io)
      : io_(io), acceptor_(io, {net::ip::make_address("127.0.0.1"), 0}) {
    sio::recovery_options ro;
    ro.epoch = rng()();
    store_ = std::make_unique<sio::recovery_store>(ro);
    print("{\"listening\":" + std::to_string(acceptor_.local_endpoint().port()) + "}");
    accept();
  }
  sio::recovery_store& store() { return *store_; }
  std::vector<std::weak_ptr<connection>> conns;

  void command(const std::string& line) {
    std::istringstream in(line);
    std::string cmd;
    in >> cmd;
    if (cmd == "broadcast") {
      int from = 0, to = 0;
      in >> from >> to;
      int sent = 0;
      for (int i = from; i <= to; ++i) {
        auto p = store_->broadcast(sio::event("tick", i).nsp("/"), {}, now());
        if (!p) {
          print("{\"error\":\"broadcast\"}");
          continue;
        }
        for (auto& w : conns) {
          auto c = w.lock();
          if (c && c->conn && c->conn->connected("/")) {
            (void)c->conn->send_encoded(**p, now());
            ++sent;
          }
        }
      }
      for (auto& w : conns)
        if (auto c = w.lock()) c->pump();
      print("{\"broadcast\":" + std::to_string(to - from + 1) +
            ",\"sent\":" + std::to_string(sent) + "}");
    } else if (cmd == "drop") {
      for (auto& w : conns)
        if (auto c = w.lock()) c->abort();
      print("{\"dropped\":true}");
    } else if (cmd == "quit") {
      io_.stop();
    }
  }

 private:
  void accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket s) {
      if (!ec) {
        auto c = std::make_shared<connection>(*this, std::move(s));
        conns.push_back(c);
        c->start();
      }
      accept();
    });
  }
  net::io_context& io_;
  tcp::acceptor acceptor_;
  std::unique_ptr<sio::recovery_store> store_;
};

void connection::start() {
  auto self = shared_from_this();
  http::async_read(
      beast::get_lowest_layer(ws_), buffer_, req_, [self](beast::error_code ec, std::size_t) {
        if (ec) return;
        const std::string target(self->req_.target());
        const auto q = eio::parse_query(target);
        eio::route_options ro;
        ro.websocket_upgrade = websocket::is_upgrade(self->req_);
        ro.allow_polling = false;
        const auto r = eio::route_request(
            std::string_view(self->req_.method_string().data(), self->req_.method_string().size()),
            q, false, ro);
        if (!r || !r.handshake) {
          print("{\"refused\":" + std::to_string(static_cast<int>(r.error)) + "}");
          return self->abort();
        }
        sio::server_options so;
        so.recovery = true;
        const auto rnd = random_bytes(15);
        const auto sid = eio::make_sid(siocodec::byte_view(rnd.data(), rnd.size()));
        self->conn = std::make_unique<sio::server_connection>(
            so, sid.view(), r.version, r.transport, r.supports_binary, now());
        self->ws_.async_accept(self->req_, [self](beast::error_code aec) {
          if (aec) return self->ended(true);
          self->conn->handle_ws_open(now());
          self->read();
          self->pump();
        });
      });
}

void connection::read() {
  auto self = shared_from_this();
  ws_.async_read(buffer_, [self](beast::error_code ec, std::size_t) {
    if (ec) return self->ended(ec != websocket::error::closed);
    const auto d = self->buffer_.data();
    self->conn->handle_ws_message(
        self->ws_.got_binary() ? eio::frame_kind::binary : eio::frame_kind::text,
        std::string_view(static_cast<const char*>(d.data()), d.size()), now());
    self->buffer_.consume(self->buffer_.size());
    self->pump();
    if (!self->ended_) self->read();
  });
}

void connection::ended(bool error) {
  if (ended_) return;
  ended_ = true;
  if (conn) {
    conn->handle_ws_closed(now(), error);
    pump();
  }
  timer_.cancel();
}

void connection::pump() {
  if (!conn) return;
  for (;;) {
    bool any = false;
    while (const auto e = conn->poll_event()) {
      any = true;
      on_event(*e);
    }
    while (const auto t = conn->poll_transmit()) {
      any = true;
      if (t->action == eio::server_action::ws_send) {
        std::string b;
        b.append(t->body.prefix).append(t->body.data);
        out_.emplace_back(std::move(b), t->body.kind == eio::frame_kind::binary);
      } else if (t->action == eio::server_action::ws_close) {
        closing_ = true;
      }
    }
    if (!any) break;
  }
  write_next();
  arm();
}

void connection::write_next() {
  if (writing_ || ended_) return;
  if (out_.empty()) {
    if (closing_) {
      closing_ = false;
      auto self = shared_from_this();
      ws_.async_close(websocket::close_code::normal,
                      [self](beast::error_code) { self->ended(false); });
    }
    return;
  }
  writing_ = true;
  ws_.binary(out_.front().second);
  auto self = shared_from_this();
  ws_.async_write(net::buffer(out_.front().first), [self](beast::error_code ec, std::size_t) {
    self->writing_ = false;
    if (ec) return self->ended(true);
    self->out_.pop_front();
    self->write_next();
  });
}

void connection::arm() {
  if (ended_ || !conn) return;
  const auto d = conn->next_deadline();
  if (d == eio::no_deadline) return;
  timer_.expires_at(t_start + std::chrono::milliseconds(d));
  std::weak_ptr<connection> w = shared_from_this();
  timer_.async_wait([w](beast::error_code ec) {
    auto self = w.lock();
    if (ec || !self || !self->conn) return;
    self->conn->handle_timeout(now());
    self->pump();
  });
}

void connection::on_event(const sio::server_event& e) {
  const std::string nsp(e.nsp);
  switch (e.kind) {
    case sio::server_event_kind::connect_request: {
      if (nsp == "/") {
        const auto rnd = random_bytes(30);
        (void)conn->accept(nsp, siocodec::byte_view(rnd.data(), rnd.size()), now(), &srv_.store());
      } else if (nsp == "/admin") {
        sio::any_value token;
        const bool ok = e.packet.data().is_object() && e.packet.data().find("token", token) &&
                        text(token) == "abc";
        if (ok) {
          const auto rnd = random_bytes(30);
          (void)conn->accept(nsp, siocodec::byte_view(rnd.data(), rnd.size()), now());
        } else {
          (void)conn->reject(nsp, "not authorized", now());
        }
      } else {
        (void)conn->reject(nsp, "Invalid namespace", now());
      }
      return;
    }
    case sio::server_event_kind::connect:
      print("{\"connect\":\"" + nsp + "\",\"sid\":\"" + std::string(e.sid) +
            "\",\"recovered\":" + (e.recovered ? "true" : "false") + "}");
      return;
    case sio::server_event_kind::event: {
      const std::string name = text(e.packet.event_name());
      std::string arg;
      for (const auto& a : e.packet.arguments()) {
        arg = text(a);
        break;
      }
      const auto id = e.packet.id();
      if (name == "hello" && id) {
        (void)conn->send(sio::ack(*id, "hi " + arg).nsp(nsp), now());
      } else if (name == "ask") {
        sio::emit_options o;
        o.want_ack = true;
        o.ack_timeout = 2000;
        (void)conn->emit(sio::event("question", "q?").nsp(nsp), now(), o);
      }
      return;
    }
    case sio::server_event_kind::ack: {
      std::string a;
      for (const auto& v : e.packet.arguments()) {
        a = text(v);
        break;
      }
      print("{\"answer\":\"" + a + "\",\"nsp\":\"" + nsp + "\"}");
      return;
    }
    case sio::server_event_kind::ack_timeout: print("{\"ack_timeout\":\"" + nsp + "\"}"); return;
    case sio::server_event_kind::disconnect:
      print("{\"disconnect\":\"" + nsp + "\",\"reason\":\"" + sio::to_string(e.reason) + "\"}");
      return;
    default: return;
  }
}

}  // namespace

int main() {
  net::io_context io;
  server srv(io);
  auto guard = net::make_work_guard(io);
  std::thread reader([&] {
    std::string line;
    while (std::getline(std::cin, line)) net::post(io, [&srv, line] { srv.command(line); });
    // The driver's pipe closed: stop.
    net::post(io, [&io] { io.stop(); });
  });
  reader.detach();
  io.run();
  std::fflush(stdout);
  // The reader thread may still be blocked in getline (after `quit`): end without joining it.
  std::_Exit(0);
}
