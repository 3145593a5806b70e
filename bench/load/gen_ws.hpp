// SPDX-License-Identifier: BSL-1.0
// The load generator's WebSocket client side (RFC 6455), as small as the generator needs: the
// HTTP upgrade request, the check of the 101 answer, a frame parser that works in place on a
// read buffer, and masked frames on send. No I/O here: loadgen.cpp owns the sockets.
//
// Why not Beast: a Beast websocket stream costs a microsecond or more per frame, and a chat room
// of 100 makes the generator receive 100 frames per message sent; parsing frames in place over
// one large read buffer costs a few nanoseconds each.
#ifndef SIOCODEC_BENCH_LOAD_GEN_WS_HPP
#define SIOCODEC_BENCH_LOAD_GEN_WS_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace siocodec_load {
namespace ws {

enum opcode : std::uint8_t {
  op_continuation = 0,
  op_text = 1,
  op_binary = 2,
  op_close = 8,
  op_ping = 9,
  op_pong = 10,
};

/// Appends the upgrade request for `path?query` on `host_header`. The key is fixed: the answer's
/// Sec-WebSocket-Accept is not checked (the servers are ours, on the same machine).
inline void append_upgrade_request(std::string& out, std::string_view host_header,
                                   std::string_view path, std::string_view query) {
  out += "GET ";
  out += path;
  if (!query.empty()) {
    out += '?';
    out += query;
  }
  out += " HTTP/1.1\r\nHost: ";
  out += host_header;
  out += "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

enum class parse_status { incomplete, ok, failed };

/// Reads the answer to the upgrade request from `in`: ok with `consumed` = the header's size when
/// it is complete and says 101, failed for any other status (or a header over 16 KiB).
inline parse_status parse_upgrade_response(std::string_view in, std::size_t& consumed) {
  const std::size_t end = in.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    return in.size() > 16384 ? parse_status::failed : parse_status::incomplete;
  }
  consumed = end + 4;
  // "HTTP/1.1 101 Switching Protocols"
  if (in.size() < 12 || in.substr(0, 5) != "HTTP/" || in.substr(8, 4) != " 101") {
    return parse_status::failed;
  }
  return parse_status::ok;
}

/// One frame as received (servers do not mask).
struct frame {
  std::uint8_t opcode = 0;
  bool fin = true;
  std::string_view payload;
};

/// Parses the frame at the start of `in` (ok: `f` and `consumed` set; incomplete: more bytes are
/// needed). failed: a masked frame, reserved bits (no extension was negotiated), a 64-bit length
/// with the top bit set, or a payload over `max_payload`.
inline parse_status parse_frame(std::string_view in, std::size_t max_payload, frame& f,
                                std::size_t& consumed) {
  if (in.size() < 2) return parse_status::incomplete;
  const auto b0 = static_cast<unsigned char>(in[0]);
  const auto b1 = static_cast<unsigned char>(in[1]);
  if ((b0 & 0x70u) != 0 || (b1 & 0x80u) != 0) return parse_status::failed;
  std::uint64_t len = b1 & 0x7Fu;
  std::size_t head = 2;
  if (len == 126) {
    if (in.size() < 4) return parse_status::incomplete;
    len =
        (std::uint64_t{static_cast<unsigned char>(in[2])} << 8) | static_cast<unsigned char>(in[3]);
    head = 4;
  } else if (len == 127) {
    if (in.size() < 10) return parse_status::incomplete;
    len = 0;
    for (std::size_t i = 2; i < 10; ++i) len = (len << 8) | static_cast<unsigned char>(in[i]);
    if (len >> 63) return parse_status::failed;
    head = 10;
  }
  if (len > max_payload) return parse_status::failed;
  if (in.size() - head < len) return parse_status::incomplete;
  f.opcode = static_cast<std::uint8_t>(b0 & 0x0Fu);
  f.fin = (b0 & 0x80u) != 0;
  f.payload = in.substr(head, static_cast<std::size_t>(len));
  consumed = head + static_cast<std::size_t>(len);
  return parse_status::ok;
}

/// Appends one final frame of `op` carrying `a` then `b`, masked with `key` as a client must.
inline void append_frame(std::string& out, std::uint8_t op, std::string_view a, std::string_view b,
                         std::uint32_t key) {
  const std::size_t len = a.size() + b.size();
  unsigned char head[14];
  std::size_t n = 0;
  head[n++] = static_cast<unsigned char>(0x80u | op);
  if (len < 126) {
    head[n++] = static_cast<unsigned char>(0x80u | len);
  } else if (len <= 0xFFFF) {
    head[n++] = 0x80u | 126u;
    head[n++] = static_cast<unsigned char>(len >> 8);
    head[n++] = static_cast<unsigned char>(len);
  } else {
    head[n++] = 0x80u | 127u;
    for (int shift = 56; shift >= 0; shift -= 8) {
      head[n++] = static_cast<unsigned char>(static_cast<std::uint64_t>(len) >> shift);
    }
  }
  unsigned char k[4];
  std::memcpy(k, &key, 4);
  std::memcpy(head + n, k, 4);
  n += 4;
  const std::size_t start = out.size();
  out.resize(start + n + len);
  char* p = &out[start];
  std::memcpy(p, head, n);
  p += n;
  if (!a.empty()) std::memcpy(p, a.data(), a.size());
  if (!b.empty()) std::memcpy(p + a.size(), b.data(), b.size());
  // XOR eight bytes at a time: the key repeated is a 64-bit word when the payload starts at 0.
  std::uint64_t k8;
  unsigned char rep[8] = {k[0], k[1], k[2], k[3], k[0], k[1], k[2], k[3]};
  std::memcpy(&k8, rep, 8);
  std::size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    w ^= k8;
    std::memcpy(p + i, &w, 8);
  }
  for (; i < len; ++i) p[i] = static_cast<char>(static_cast<unsigned char>(p[i]) ^ k[i & 3]);
}

}  // namespace ws
}  // namespace siocodec_load

#endif  // SIOCODEC_BENCH_LOAD_GEN_WS_HPP
