// SPDX-License-Identifier: BSL-1.0
// The cluster examples' Redis client: hiredis's asynchronous API (libhiredis 0.14 and 1.x) driven
// by an Asio io_context, the one the Beast server adapter runs on, so that Redis and the
// Socket.IO sessions share one thread and need no lock. hiredis has no Asio adapter; it asks an
// event library to watch its socket through five hooks (addRead, delRead, addWrite, delWrite,
// cleanup), which here become async_wait()s on a posix::stream_descriptor over hiredis's fd.
// hiredis owns the fd: the descriptor is released, never closed, before hiredis closes it.
//
// One link is one Redis connection. A connection that has subscribed receives only messages
// (Redis's rule), so a cluster node uses two: one subscribed to the adapter's channels, one that
// publishes.
#ifndef SIOCODEC_EXAMPLES_CLUSTER_REDIS_LINK_HPP
#define SIOCODEC_EXAMPLES_CLUSTER_REDIS_LINK_HPP

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cluster {
namespace net = boost::asio;

/// One Redis connection on an io_context (see the file comment).
class redis_link {
 public:
  /// Told the reply of a command; nullptr when the link went down before it came.
  using reply_handler = std::function<void(const redisReply*)>;
  /// Told every message of a subscription: the channel it was published on, and its bytes.
  using message_handler = std::function<void(std::string_view channel, std::string_view payload)>;

  explicit redis_link(net::io_context& io) : io_(io) {}
  redis_link(const redis_link&) = delete;
  redis_link& operator=(const redis_link&) = delete;
  ~redis_link() {
    closing_ = true;  // the callbacks hiredis runs while freeing call no handler
    if (ac_ != nullptr) redisAsyncFree(ac_);
  }

  /// Starts connecting to `host`:`port` (an IP address: hiredis resolves no names
  /// asynchronously). Commands may be issued at once; hiredis sends them once connected.
  /// @return false, with hiredis's message in `error`, when it failed at once.
  bool connect(const std::string& host, std::uint16_t port, std::string& error) {
    ac_ = redisAsyncConnect(host.c_str(), port);
    if (ac_ == nullptr) {
      error = "out of memory";
      return false;
    }
    if (ac_->err != 0) {
      error = ac_->errstr;
      redisAsyncFree(ac_);
      ac_ = nullptr;
      return false;
    }
    ac_->data = this;
    watch_ = std::make_shared<fd_watch>(io_, ac_);
    ac_->ev.data = watch_.get();
    ac_->ev.addRead = [](void* w) { static_cast<fd_watch*>(w)->add(true); };
    ac_->ev.delRead = [](void* w) { static_cast<fd_watch*>(w)->want_read = false; };
    ac_->ev.addWrite = [](void* w) { static_cast<fd_watch*>(w)->add(false); };
    ac_->ev.delWrite = [](void* w) { static_cast<fd_watch*>(w)->want_write = false; };
    ac_->ev.cleanup = [](void* w) { static_cast<fd_watch*>(w)->release(); };
    redisAsyncSetConnectCallback(ac_, [](const redisAsyncContext* c, int status) {
      auto* self = static_cast<redis_link*>(c->data);
      if (status != REDIS_OK) self->went_down(c->errstr != nullptr ? c->errstr : "connect failed");
    });
    redisAsyncSetDisconnectCallback(ac_, [](const redisAsyncContext* c, int status) {
      auto* self = static_cast<redis_link*>(c->data);
      self->went_down(status == REDIS_OK ? "closed" : c->errstr);
    });
    // The connect completes when the socket is writable; hiredis waits for it only once a
    // command is queued.
    watch_->add(false);
    return true;
  }

  /// Told once when the connection is gone (connect failure, Redis closed it, close()), with
  /// hiredis's reason. The link is unusable afterwards.
  std::function<void(std::string_view reason)> on_down;

  bool up() const { return ac_ != nullptr; }

  /// Sends a command, binary-safe (each argument verbatim), `h` told its reply.
  bool command(const std::vector<std::string_view>& argv, reply_handler h) {
    if (ac_ == nullptr) return false;
    std::vector<const char*> args;
    std::vector<std::size_t> lens;
    for (std::string_view a : argv) {
      args.push_back(a.data());
      lens.push_back(a.size());
    }
    auto* cb = new reply_handler(std::move(h));
    const int rc = redisAsyncCommandArgv(ac_, &redis_link::one_reply, cb,
                                         static_cast<int>(args.size()), args.data(), lens.data());
    if (rc != REDIS_OK) {
      delete cb;
      return false;
    }
    return true;
  }

  /// PUBLISH `channel` `payload`; `h` (may be empty) told the reply (the number of receivers).
  bool publish(std::string_view channel, std::string_view payload, reply_handler h = {}) {
    return command({"PUBLISH", channel, payload}, std::move(h));
  }

  /// PSUBSCRIBE `pattern` (or SUBSCRIBE `channel`, `pattern` false): `on_message` told every
  /// message, `on_subscribed` (may be empty) once Redis confirmed the subscription (messages
  /// published after that reach this link). After it the connection takes subscriptions only.
  bool subscribe(std::string_view name, bool pattern, message_handler on_message,
                 std::function<void()> on_subscribed = {}) {
    if (ac_ == nullptr) return false;
    subscriptions_.push_back(subscription{std::move(on_message), std::move(on_subscribed)});
    const char* args[2] = {pattern ? "PSUBSCRIBE" : "SUBSCRIBE", name.data()};
    const std::size_t lens[2] = {pattern ? 10u : 9u, name.size()};
    return redisAsyncCommandArgv(ac_, &redis_link::sub_reply, &subscriptions_.back(), 2, args,
                                 lens) == REDIS_OK;
  }

  /// Closes the connection once the replies of the commands sent have come (QUIT's way).
  void close() {
    if (ac_ != nullptr) redisAsyncDisconnect(ac_);
  }

 private:
  // The hooks' side: which waits hiredis wants, and the async_wait()s that serve them. Shared
  // with the pending waits, which may complete after hiredis freed its context.
  struct fd_watch : std::enable_shared_from_this<fd_watch> {
    fd_watch(net::io_context& io, redisAsyncContext* c) : sd(io, c->c.fd), ac(c) {}
    net::posix::stream_descriptor sd;
    redisAsyncContext* ac;
    bool want_read = false, want_write = false;
    bool reading = false, writing = false;

    void add(bool read) {
      (read ? want_read : want_write) = true;
      bool& busy = read ? reading : writing;
      if (busy || ac == nullptr) return;
      busy = true;
      sd.async_wait(read ? net::posix::stream_descriptor::wait_read
                         : net::posix::stream_descriptor::wait_write,
                    [self = shared_from_this(), read](const boost::system::error_code& ec) {
                      (read ? self->reading : self->writing) = false;
                      if (ec || self->ac == nullptr) return;
                      if (!(read ? self->want_read : self->want_write)) return;
                      // May free the context (an error, a close): release() then runs.
                      if (read) {
                        redisAsyncHandleRead(self->ac);
                      } else {
                        redisAsyncHandleWrite(self->ac);
                      }
                      // hiredis keeps reading once connected; writes it re-asks for.
                      if (read && self->ac != nullptr && self->want_read) self->add(true);
                    });
    }
    // hiredis is freeing its context and will close the fd: stop watching it, without closing.
    void release() {
      ac = nullptr;
      want_read = want_write = false;
      boost::system::error_code ignored;
      sd.cancel(ignored);
      (void)sd.release();
    }
  };

  struct subscription {
    message_handler on_message;
    std::function<void()> on_subscribed;
  };

  void went_down(std::string_view reason) {
    ac_ = nullptr;  // hiredis frees the context after this callback
    if (down_ || closing_ || !on_down) return;
    down_ = true;
    const std::string why(reason);
    // Not from inside hiredis's call: the handler may destroy this link.
    net::post(io_, [h = on_down, why] { h(why); });
  }

  static void one_reply(redisAsyncContext* c, void* reply, void* privdata) {
    std::unique_ptr<reply_handler> h(static_cast<reply_handler*>(privdata));
    auto* self = static_cast<redis_link*>(c->data);
    if (self->closing_ || !*h) return;
    (*h)(static_cast<const redisReply*>(reply));
  }

  static void sub_reply(redisAsyncContext* c, void* reply, void* privdata) {
    auto* self = static_cast<redis_link*>(c->data);
    const auto* r = static_cast<const redisReply*>(reply);
    if (self->closing_ || r == nullptr || r->type != REDIS_REPLY_ARRAY || r->elements < 3) return;
    auto* sub = static_cast<subscription*>(privdata);
    const auto text = [r](std::size_t i) {
      const redisReply* e = r->element[i];
      return std::string_view(e->str, e->len);
    };
    const std::string_view kind = text(0);
    if (kind == "psubscribe" || kind == "subscribe") {
      if (sub->on_subscribed) sub->on_subscribed();
    } else if (kind == "pmessage" && r->elements == 4) {
      if (sub->on_message) sub->on_message(text(2), text(3));
    } else if (kind == "message") {
      if (sub->on_message) sub->on_message(text(1), text(2));
    }
  }

  net::io_context& io_;
  redisAsyncContext* ac_ = nullptr;
  std::shared_ptr<fd_watch> watch_;
  std::list<subscription> subscriptions_;  // stable addresses: hiredis holds them
  bool closing_ = false;
  bool down_ = false;
};

}  // namespace cluster

#endif  // SIOCODEC_EXAMPLES_CLUSTER_REDIS_LINK_HPP
