// SPDX-License-Identifier: BSL-1.0
// The load generator's HTTP/1.1 client side for the long-polling clients: the GET and POST
// requests the engine asks for (keep-alive, one request in flight per connection) and the
// answer's framing. Bodies are framed by Content-Length, which both servers send on polling
// answers; anything else (chunked, no length) is refused. No I/O here.
#ifndef SIOCODEC_BENCH_LOAD_GEN_HTTP_HPP
#define SIOCODEC_BENCH_LOAD_GEN_HTTP_HPP

#include <cstddef>
#include <string>
#include <string_view>

namespace siocodec_load {
namespace http {

/// Appends a GET (`post` false) or a POST of `a` + `b` (binary: application/octet-stream).
inline void append_request(std::string& out, bool post, std::string_view host_header,
                           std::string_view path, std::string_view query, bool binary,
                           std::string_view a, std::string_view b) {
  out += post ? "POST " : "GET ";
  out += path;
  out += '?';
  out += query;
  out += " HTTP/1.1\r\nHost: ";
  out += host_header;
  out += "\r\nConnection: keep-alive\r\n";
  if (post) {
    out += binary ? "Content-Type: application/octet-stream\r\n"
                  : "Content-Type: text/plain;charset=UTF-8\r\n";
    out += "Content-Length: ";
    out += std::to_string(a.size() + b.size());
    out += "\r\n\r\n";
    out += a;
    out += b;
  } else {
    out += "\r\n";
  }
}

enum class parse_status { incomplete, ok, failed };

/// A complete answer: its status, whether its body is binary, the body, whether the server
/// closes the connection after it.
struct response {
  int status = 0;
  bool binary = false;
  bool close = false;
  std::string_view body;
};

namespace detail {
inline bool iequals_prefix(std::string_view line, std::string_view name) {
  if (line.size() < name.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = line[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != name[i]) return false;
  }
  return true;
}
inline std::string_view trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}
}  // namespace detail

/// Parses the answer at the start of `in` (ok: `r` and `consumed` set). failed: a malformed
/// status line, no Content-Length (or chunked), a body over `max_body`, a header over 16 KiB.
inline parse_status parse_response(std::string_view in, std::size_t max_body, response& r,
                                   std::size_t& consumed) {
  const std::size_t end = in.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    return in.size() > 16384 ? parse_status::failed : parse_status::incomplete;
  }
  const std::string_view head = in.substr(0, end);
  // "HTTP/1.1 200 OK"
  if (head.size() < 12 || head.substr(0, 5) != "HTTP/" || head[8] != ' ') {
    return parse_status::failed;
  }
  r = response{};
  for (std::size_t i = 9; i < 12; ++i) {
    if (head[i] < '0' || head[i] > '9') return parse_status::failed;
    r.status = r.status * 10 + (head[i] - '0');
  }
  bool have_length = false;
  std::size_t length = 0;
  std::size_t pos = head.find("\r\n");
  while (pos != std::string_view::npos) {
    const std::size_t next = head.find("\r\n", pos + 2);
    const std::string_view line = head.substr(
        pos + 2, next == std::string_view::npos ? std::string_view::npos : next - pos - 2);
    pos = next;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view value = detail::trim(line.substr(colon + 1));
    const std::string_view name = line.substr(0, colon);
    if (detail::iequals_prefix(name, "content-length") && name.size() == 14) {
      if (value.empty() || value.size() > 12) return parse_status::failed;
      for (const char c : value) {
        if (c < '0' || c > '9') return parse_status::failed;
        length = length * 10 + static_cast<std::size_t>(c - '0');
      }
      have_length = true;
    } else if (detail::iequals_prefix(name, "content-type") && name.size() == 12) {
      r.binary = value.find("octet-stream") != std::string_view::npos;
    } else if (detail::iequals_prefix(name, "connection") && name.size() == 10) {
      r.close = detail::iequals_prefix(value, "close");
    } else if (detail::iequals_prefix(name, "transfer-encoding") && name.size() == 17) {
      return parse_status::failed;
    }
  }
  if (!have_length || length > max_body) return parse_status::failed;
  if (in.size() - end - 4 < length) return parse_status::incomplete;
  r.body = in.substr(end + 4, length);
  consumed = end + 4 + length;
  return parse_status::ok;
}

}  // namespace http
}  // namespace siocodec_load

#endif  // SIOCODEC_BENCH_LOAD_GEN_HTTP_HPP
