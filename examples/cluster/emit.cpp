// SPDX-License-Identifier: BSL-1.0
// siocodec_cluster_emit: publishes one event into a Socket.IO cluster of @socket.io/redis-adapter
// nodes (Node socket.io servers, siocodec_cluster_node), as @socket.io/redis-emitter 5.1 does:
// socketio::redis::emitter writes the channel and the message, redis_link PUBLISHes them.
//
//   siocodec_cluster_emit [--redis-host IP] [--redis-port N] [--key PREFIX] [--nsp NSP]
//                         [--to ROOM]... [--except ROOM]... [--volatile] [--compress]
//                         EVENT [json:VALUE | hex:BYTES]...
//
// Each argument after the event name is a JSON value or bytes in hex (sent as binary). Prints
// how many Redis subscribers received the message (Redis's answer to PUBLISH: one per node of
// the namespace, or per node holding the room for a one-room broadcast) and exits 0; exits 1
// with a message on stderr when Redis cannot be reached or the event cannot be encoded.
#include "redis_link.hpp"

#include <siocodec/redis/emitter.hpp>
#include <siocodec/socketio.hpp>

#include <boost/asio/io_context.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace sio = ::siocodec::socketio;

namespace {

int usage() {
  std::fputs("usage: siocodec_cluster_emit [--redis-host IP] [--redis-port N] [--key PREFIX] "
             "[--nsp NSP] [--to ROOM]... [--except ROOM]... [--volatile] [--compress] EVENT "
             "[json:VALUE | hex:BYTES]...\n",
             stderr);
  return 2;
}

bool from_hex(std::string_view hex, std::string& out) {
  const auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) return false;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = digit(hex[i]), lo = digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out += static_cast<char>(hi * 16 + lo);
  }
  return true;
}

struct argument {
  bool binary = false;
  std::string text;  // JSON, or the bytes
};

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1", key(sio::redis::default_key), nsp = "/", event;
  unsigned long port = 6379;
  std::vector<std::string> to, except;
  bool is_volatile = false, compress = false;
  std::vector<argument> args;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--redis-host" && has_value) {
      host = argv[++i];
    } else if (a == "--redis-port" && has_value) {
      port = std::strtoul(argv[++i], nullptr, 10);
      if (port == 0 || port > 65535) return usage();
    } else if (a == "--key" && has_value) {
      key = argv[++i];
    } else if (a == "--nsp" && has_value) {
      nsp = argv[++i];
    } else if (a == "--to" && has_value) {
      to.emplace_back(argv[++i]);
    } else if (a == "--except" && has_value) {
      except.emplace_back(argv[++i]);
    } else if (a == "--volatile") {
      is_volatile = true;
    } else if (a == "--compress") {
      compress = true;
    } else if (event.empty() && a.substr(0, 2) != "--") {
      event = a;
    } else if (!event.empty() && a.substr(0, 5) == "json:") {
      args.push_back({false, std::string(a.substr(5))});
    } else if (!event.empty() && a.substr(0, 4) == "hex:") {
      argument b{true, {}};
      if (!from_hex(a.substr(4), b.text)) return usage();
      args.push_back(std::move(b));
    } else {
      return usage();
    }
  }
  if (event.empty()) return usage();

  // The emitter holds views of the names: `to`, `except`, `nsp` and `key` outlive it.
  sio::redis::emitter e(nsp, key);
  for (const std::string& r : to) e = e.to(r);
  for (const std::string& r : except) e = e.except(r);
  if (is_volatile) e = e.volatile_();
  if (compress) e = e.compress(true);
  std::string channel, message;
  const auto written = e.emit(channel, message, sio::event(event, [&](auto& w) {
                                for (const argument& x : args) {
                                  if (x.binary) {
                                    w.binary(::siocodec::byte_view(x.text));
                                  } else {
                                    w.raw(x.text);  // JSON, converted to msgpack by the writer
                                  }
                                }
                              }));
  if (!written) {
    std::fprintf(stderr, "siocodec_cluster_emit: cannot encode the event: %s\n",
                 ::siocodec::to_string(written.error()));
    return 1;
  }

  boost::asio::io_context io;
  cluster::redis_link redis(io);
  std::string error;
  int status = 1;
  if (!redis.connect(host, static_cast<std::uint16_t>(port), error)) {
    std::fprintf(stderr, "siocodec_cluster_emit: redis %s:%lu: %s\n", host.c_str(), port,
                 error.c_str());
    return 1;
  }
  redis.on_down = [&](std::string_view why) {
    if (status != 0) {
      std::fprintf(stderr, "siocodec_cluster_emit: redis %s:%lu: %.*s\n", host.c_str(), port,
                   static_cast<int>(why.size()), why.data());
    }
    io.stop();
  };
  redis.publish(channel, message, [&](const redisReply* r) {
    if (r != nullptr && r->type == REDIS_REPLY_INTEGER) {
      std::printf("%lld\n", r->integer);
      status = 0;
    } else if (r != nullptr && r->type == REDIS_REPLY_ERROR) {
      std::fprintf(stderr, "siocodec_cluster_emit: PUBLISH: %s\n", r->str);
    }
    redis.close();
  });
  io.run();
  return status;
}
