// SPDX-License-Identifier: BSL-1.0
// Routing Engine.IO requests to server sessions, as the reference server's verify() does:
// the query (EIO, transport, sid, b64), the error codes and their exact answers, session ids.
//
// The flow of a server (engine.io 6.6.12 build/server.js handleRequest / handleUpgrade):
//
//     auto q = eio::parse_query(target_query);
//     eio::route_options ro;                       // allow_eio3, websocket_upgrade, ...
//     ro.session = find(q.sid);                    // the caller's table of sessions
//     auto r = eio::route_request(method, q, ro.session != nullptr, ro);
//     if (!r) answer(eio::error_status(r.error), "application/json", eio::error_body(r.error));
//     else if (r.handshake) create a server_session(opts, eio::make_sid(random).view(), r.version,
//                                                   r.transport, r.supports_binary, now) ...
//     else hand the request to ro.session (handle_get / handle_post / handle_ws_open).
#ifndef SIOCODEC_ENGINEIO_REQUEST_HPP
#define SIOCODEC_ENGINEIO_REQUEST_HPP

#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/engineio/frames.hpp>
#include <siocodec/engineio/packet.hpp>
#include <siocodec/engineio/server.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

/// Longest session id parse_query() percent-decodes (into the request_query itself, so that it
/// never allocates). The reference's ids are 20 characters; a UUID is 36. A longer sid that
/// needs decoding is reported as sid_too_long, which routes as an unknown sid.
#ifndef SIOCODEC_MAX_QUERY_SID
#define SIOCODEC_MAX_QUERY_SID 128
#endif

SIOCODEC_BEGIN_NAMESPACE
namespace engineio {

/// The reference server's error codes (server.js BaseServer.errors), sent as
/// `{"code":N,"message":"..."}`.
enum class request_error : std::uint8_t {
  unknown_transport = 0,             ///< "Transport unknown"
  unknown_sid = 1,                   ///< "Session ID unknown"
  bad_handshake_method = 2,          ///< "Bad handshake method"
  bad_request = 3,                   ///< "Bad request"
  forbidden = 4,                     ///< "Forbidden" (the caller's allowRequest refused)
  unsupported_protocol_version = 5,  ///< "Unsupported protocol version"
};

/// The reference's message of an error (server.js BaseServer.errorMessages).
constexpr std::string_view to_string(request_error e) noexcept {
  switch (e) {
    case request_error::unknown_transport: return "Transport unknown";
    case request_error::unknown_sid: return "Session ID unknown";
    case request_error::bad_handshake_method: return "Bad handshake method";
    case request_error::bad_request: return "Bad request";
    case request_error::forbidden: return "Forbidden";
    case request_error::unsupported_protocol_version: return "Unsupported protocol version";
  }
  return "Bad request";
}

/// The HTTP status of an error answer: 403 for forbidden, 400 otherwise (server.js
/// abortRequest()). A refused WebSocket upgrade is answered 400 whatever the error, with the
/// message as a text/html body (abortUpgrade()).
constexpr unsigned error_status(request_error e) noexcept {
  return e == request_error::forbidden ? 403u : 400u;
}

/// The exact JSON body of an error answer (Content-Type: application/json), as the reference's
/// JSON.stringify({ code, message }) writes it. A static string.
constexpr std::string_view error_body(request_error e) noexcept {
  switch (e) {
    case request_error::unknown_transport: return "{\"code\":0,\"message\":\"Transport unknown\"}";
    case request_error::unknown_sid: return "{\"code\":1,\"message\":\"Session ID unknown\"}";
    case request_error::bad_handshake_method:
      return "{\"code\":2,\"message\":\"Bad handshake method\"}";
    case request_error::bad_request: return "{\"code\":3,\"message\":\"Bad request\"}";
    case request_error::forbidden: return "{\"code\":4,\"message\":\"Forbidden\"}";
    case request_error::unsupported_protocol_version:
      return "{\"code\":5,\"message\":\"Unsupported protocol version\"}";
  }
  return "{\"code\":3,\"message\":\"Bad request\"}";
}

/// The Engine.IO parameters of a request's query, as the reference reads them
/// (new URL(req.url).searchParams, then Object.fromEntries: names and values percent-decoded,
/// `+` is a space, the last of repeated names wins, a `%` not followed by two hex digits stays
/// as it is). Views: into the query, into static strings, or (a sid that needed decoding) into
/// the struct itself; copies re-point them.
struct request_query {
  /// `EIO` (named `eio`: <cerrno> defines EIO as a macro, so no C++ name can be EIO): "4" or
  /// "3" (static strings, whatever their spelling in the query), another value as
  /// written in the query (not decoded), or empty when absent. The reference reads every value
  /// but "4" as protocol 3.
  std::string_view eio;
  /// `transport`: "polling", "websocket", "webtransport" (static strings), another value as
  /// written, or empty when absent.
  std::string_view transport;
  /// `sid`, percent-decoded (a view into the query when it needed no decoding). Empty when
  /// absent or empty: a handshake. Not checked for UTF-8 (the reference would replace bad bytes
  /// by U+FFFD; no session id it issues holds them, so such a sid is unknown either way).
  std::string_view sid;
  /// `b64` present and not empty (the reference: supportsBinary = !req._query.b64): a v3 client
  /// that cannot take binary polling bodies.
  bool b64 = false;
  /// The sid needed decoding and is longer than SIOCODEC_MAX_QUERY_SID: route_request() answers
  /// unknown_sid (`sid` is then the raw text).
  bool sid_too_long = false;

  request_query() noexcept = default;
  request_query(const request_query& o) noexcept { *this = o; }
  request_query& operator=(const request_query& o) noexcept {
    if (this == &o) return *this;
    eio = o.eio;
    transport = o.transport;
    b64 = o.b64;
    sid_too_long = o.sid_too_long;
    std::memcpy(sid_buf_, o.sid_buf_, sizeof sid_buf_);
    sid = o.sid.data() == o.sid_buf_ ? std::string_view(sid_buf_, o.sid.size()) : o.sid;
    return *this;
  }

 private:
  friend request_query parse_query(std::string_view query) noexcept;
  char sid_buf_[SIOCODEC_MAX_QUERY_SID] = {};
};

/// Reads the Engine.IO parameters of a query string (the part after `?`; a whole request target
/// such as `/engine.io/?EIO=4&transport=polling` is accepted too, and a `#` ends the query).
/// Never fails, never allocates: what it does not understand is left for route_request() to
/// refuse. O(query.size()).
request_query parse_query(std::string_view query) noexcept;

/// What route_request() needs beyond the query.
struct route_options {
  /// Accept Engine.IO v3 handshakes (the reference's allowEIO3, off by default).
  bool allow_eio3 = false;
  /// Accept the transports (the reference's `transports` option; WebTransport never goes
  /// through verify()).
  bool allow_polling = true;
  bool allow_websocket = true;
  /// The request is an HTTP Upgrade to WebSocket (handleUpgrade), not a plain HTTP request.
  /// A handshake with transport=websocket must be one; a request with a sid may then name
  /// another transport than the session's (the upgrade).
  bool websocket_upgrade = false;
  /// The caller's allowRequest verdict on a handshake: false answers forbidden.
  bool allowed = true;
  /// The session the sid names, when the caller has it: its transport and protocol version are
  /// then checked as verify() does (bad_request on a mismatch). Null: not checked.
  const server_session* session = nullptr;
};

/// The verdict of route_request(). `explicit operator bool`: true when the request may go on.
struct route_result {
  /// Valid when !ok.
  request_error error = request_error::bad_request;
  bool ok = false;
  /// No sid: a handshake, which creates a session.
  bool handshake = false;
  /// The protocol: v4 for EIO=4, v3 for anything else (server.js computeProtocolRevision()).
  protocol_version version = protocol_version::v3;
  /// The transport the query names (meaningful when ok).
  transport_kind transport = transport_kind::polling;
  /// !b64: for the server_session of a handshake.
  bool supports_binary = true;

  explicit operator bool() const noexcept { return ok; }
};

/// Decides a request as the reference's verify() then handshake() do, in their order:
/// 1. the transport is not an allowed "polling" / "websocket": unknown_transport;
/// 2. a sid: not known (`sid_known` false, or sid_too_long): unknown_sid; with
///    opts.session, a transport other than the session's without websocket_upgrade, or a
///    protocol other than the session's: bad_request;
/// 3. no sid (a handshake): method not "GET": bad_handshake_method; transport websocket without
///    websocket_upgrade: bad_request; opts.allowed false: forbidden; protocol 3 without
///    allow_eio3: unsupported_protocol_version.
/// Not covered: the Origin header check (bad_request in the reference) and a method other than
/// GET / POST on a polling sid (the reference answers 500 without a body): the caller's.
route_result route_request(std::string_view method, const request_query& query, bool sid_known,
                           const route_options& opts = {}) noexcept;

/// A session id made of the caller's randomness: the first 15 bytes of `random` (missing bytes
/// count as 0: give 15 good ones) as 20 characters of base64url, like the reference's base64id
/// (which base64-encodes 15 bytes and maps `/` to `_`, `+` to `-`).
struct sid_chars {
  char data[20];
  std::string_view view() const& noexcept { return std::string_view(data, sizeof data); }
};
sid_chars make_sid(byte_view random) noexcept;

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

namespace detail {

inline int query_hex(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// True when `raw` needs application/x-www-form-urlencoded decoding.
inline bool query_needs_decoding(std::string_view raw) noexcept {
  for (char c : raw) {
    if (c == '%' || c == '+') return true;
  }
  return false;
}

// Decodes `raw` into out[0, cap); returns the decoded size, or cap + 1 when it does not fit.
inline std::size_t query_decode(std::string_view raw, char* out, std::size_t cap) noexcept {
  std::size_t n = 0;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '+') {
      c = ' ';
    } else if (c == '%' && i + 2 < raw.size() && query_hex(raw[i + 1]) >= 0 &&
               query_hex(raw[i + 2]) >= 0) {
      c = static_cast<char>(query_hex(raw[i + 1]) * 16 + query_hex(raw[i + 2]));
      i += 2;
    }
    if (n == cap) return cap + 1;
    out[n++] = c;
  }
  return n;
}

// The decoded value when it is one of `known` (a static string), else `raw` itself.
template <std::size_t N>
std::string_view query_known(std::string_view raw, const std::string_view (&known)[N]) noexcept {
  char buf[16];
  std::string_view decoded = raw;
  if (query_needs_decoding(raw)) {
    const std::size_t n = query_decode(raw, buf, sizeof buf);
    if (n > sizeof buf) return raw;
    decoded = std::string_view(buf, n);
  }
  for (const std::string_view& k : known) {
    if (decoded == k) return k;
  }
  return raw;
}

// True when the decoded `raw` is `name`.
inline bool query_name_is(std::string_view raw, std::string_view name) noexcept {
  if (!query_needs_decoding(raw)) return raw == name;
  char buf[16];
  const std::size_t n = query_decode(raw, buf, sizeof buf);
  return n <= sizeof buf && std::string_view(buf, n) == name;
}

}  // namespace detail

inline request_query parse_query(std::string_view query) noexcept {
  static constexpr std::string_view versions[] = {"4", "3"};
  static constexpr std::string_view transports[] = {"polling", "websocket", "webtransport"};
  request_query q;
  const std::size_t question = query.find('?');
  if (question != std::string_view::npos) query.remove_prefix(question + 1);
  const std::size_t hash = query.find('#');
  if (hash != std::string_view::npos) query = query.substr(0, hash);
  std::string_view eio_raw, transport, sid, b64;
  bool have_eio = false, have_transport = false, have_sid = false, have_b64 = false;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    const std::string_view name = pair.substr(0, eq);
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    // Object.fromEntries(): the last of repeated names wins.
    if (detail::query_name_is(name, "EIO")) {
      eio_raw = value;
      have_eio = true;
    } else if (detail::query_name_is(name, "transport")) {
      transport = value;
      have_transport = true;
    } else if (detail::query_name_is(name, "sid")) {
      sid = value;
      have_sid = true;
    } else if (detail::query_name_is(name, "b64")) {
      b64 = value;
      have_b64 = true;
    }
  }
  if (have_eio) q.eio = detail::query_known(eio_raw, versions);
  if (have_transport) q.transport = detail::query_known(transport, transports);
  // A value that decodes to nothing is only possible for an empty one (every escape or `+`
  // yields a byte), so emptiness needs no decoding.
  q.b64 = have_b64 && !b64.empty();
  if (have_sid) {
    if (!detail::query_needs_decoding(sid)) {
      q.sid = sid;
    } else {
      const std::size_t n = detail::query_decode(sid, q.sid_buf_, sizeof q.sid_buf_);
      if (n > sizeof q.sid_buf_) {
        q.sid = sid;
        q.sid_too_long = true;
      } else {
        q.sid = std::string_view(q.sid_buf_, n);
      }
    }
  }
  return q;
}

inline route_result route_request(std::string_view method, const request_query& query,
                                  bool sid_known, const route_options& opts) noexcept {
  route_result r;
  // computeProtocolRevision(): req._query.EIO === "4" ? 4 : 3 ("3rd revision by default").
  r.version = query.eio == "4" ? protocol_version::v4 : protocol_version::v3;
  r.supports_binary = !query.b64;
  auto fail = [&r](request_error e) {
    r.ok = false;
    r.error = e;
    return r;
  };
  // if (!~this.opts.transports.indexOf(transport) || transport === "webtransport")
  if (query.transport == "polling" && opts.allow_polling) {
    r.transport = transport_kind::polling;
  } else if (query.transport == "websocket" && opts.allow_websocket) {
    r.transport = transport_kind::websocket;
  } else {
    return fail(request_error::unknown_transport);
  }
  if (!query.sid.empty()) {
    if (!sid_known || query.sid_too_long) return fail(request_error::unknown_sid);
    if (opts.session != nullptr) {
      // "bad request: unexpected transport without upgrade"
      if (!opts.websocket_upgrade && opts.session->transport() != r.transport) {
        return fail(request_error::bad_request);
      }
      // "bad request: unexpected protocol version during upgrade"
      if (opts.session->version() != r.version) return fail(request_error::bad_request);
    }
    r.ok = true;
    return r;
  }
  r.handshake = true;
  // "handshake is GET only"
  if (method != "GET") return fail(request_error::bad_handshake_method);
  // "invalid transport upgrade"
  if (r.transport == transport_kind::websocket && !opts.websocket_upgrade) {
    return fail(request_error::bad_request);
  }
  if (!opts.allowed) return fail(request_error::forbidden);
  // handshake(): if (protocol === 3 && !this.opts.allowEIO3) -> UNSUPPORTED_PROTOCOL_VERSION
  if (r.version == protocol_version::v3 && !opts.allow_eio3) {
    return fail(request_error::unsupported_protocol_version);
  }
  r.ok = true;
  return r;
}

inline sid_chars make_sid(byte_view random) noexcept {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  unsigned char in[15] = {};
  const std::size_t n = random.size() < sizeof in ? random.size() : sizeof in;
  for (std::size_t i = 0; i < n; ++i) in[i] = random.data()[i];
  sid_chars s{};
  for (std::size_t i = 0, o = 0; i < sizeof in; i += 3, o += 4) {
    const std::uint32_t v =
        (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8) | std::uint32_t{in[i + 2]};
    s.data[o] = alphabet[(v >> 18) & 63u];
    s.data[o + 1] = alphabet[(v >> 12) & 63u];
    s.data[o + 2] = alphabet[(v >> 6) & 63u];
    s.data[o + 3] = alphabet[v & 63u];
  }
  return s;
}

}  // namespace engineio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_ENGINEIO_REQUEST_HPP
