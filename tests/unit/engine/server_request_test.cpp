// SPDX-License-Identifier: BSL-1.0
// engineio::parse_query / route_request / error_status / error_body / make_sid against engine.io
// 6.6.12's build/server.js (prepare(): new URL(req.url).searchParams + Object.fromEntries;
// verify(); handshake(); abortRequest()). Expected query readings were checked with node 20:
// Object.fromEntries(new URL(url, "https://socket.io").searchParams.entries()).
#include <siocodec/engineio/request.hpp>

#include "support/catch.hpp"

#include <string>
#include <string_view>

using namespace std::string_view_literals;
namespace eio = siocodec::engineio;
using eio::request_error;

namespace {

eio::route_result route(std::string_view method, std::string_view query, bool known,
                        eio::route_options o = {}) {
  return eio::route_request(method, eio::parse_query(query), known, o);
}

request_error error_of(const eio::route_result& r) {
  REQUIRE_FALSE(r.ok);
  return r.error;
}

}  // namespace

TEST_CASE("request: parse_query reads EIO, transport, sid, b64") {
  const std::string query = "EIO=4&transport=polling&t=Pk3x&sid=abc_DEF-123";
  auto q = eio::parse_query(query);
  CHECK(q.eio == "4");
  CHECK(q.transport == "polling");
  CHECK(q.sid == "abc_DEF-123");
  CHECK(q.sid.data() == query.data() + query.find("abc"));  // a view: no decoding needed
  CHECK_FALSE(q.b64);
  CHECK_FALSE(q.sid_too_long);
  auto empty = eio::parse_query("");
  CHECK(empty.eio.empty());
  CHECK(empty.transport.empty());
  CHECK(empty.sid.empty());
}

TEST_CASE("request: parse_query decodes as URLSearchParams, the last repeated name wins") {
  // node: {"EIO":"3","transport":"polling","sid":"x%zz","b64":""}
  auto q =
      eio::parse_query("/engine.io/?EIO=4&%45IO=3&transport=pol%6Cing&sid=a%2Bb+c&sid=x%zz&b64=");
  CHECK(q.eio == "3");
  CHECK(q.transport == "polling");
  CHECK(q.sid == "x%zz");
  CHECK_FALSE(q.b64);  // present but empty: !req._query.b64 keeps binary
  auto p = eio::parse_query("sid=a%2Bb+c%2");
  CHECK(p.sid == "a+b c%2");
  CHECK(eio::parse_query("b64=0").b64);  // "0" is a non-empty string: truthy
  CHECK(eio::parse_query("b64=1").b64);
  CHECK(eio::parse_query("EIO=5").eio == "5");
  CHECK(eio::parse_query("EIO=%35").eio == "%35");      // unknown values stay as written
  CHECK(eio::parse_query("?EIO=4#&EIO=3").eio == "4");  // a fragment ends the query
  CHECK(eio::parse_query("transport=web%74ransport").transport == "webtransport");
}

TEST_CASE("request: a decoded sid survives copies of the query") {
  eio::request_query a = eio::parse_query("sid=%41%42%43");
  CHECK(a.sid == "ABC");
  eio::request_query b = a;
  eio::request_query c;
  c = b;
  a = eio::parse_query("sid=zzz");
  CHECK(b.sid == "ABC");
  CHECK(c.sid == "ABC");
  CHECK(a.sid == "zzz");
}

TEST_CASE("request: hostile queries are tolerated") {
  CHECK(eio::parse_query("&&&==&=%&%%%=%&sid").sid.empty());
  std::string long_query(200000, '&');
  long_query += "EIO=4&sid=";
  long_query += std::string(100000, 'a');
  auto q = eio::parse_query(long_query);
  CHECK(q.eio == "4");
  CHECK(q.sid.size() == 100000);  // a view: no copy, no bound needed
  std::string encoded_sid = "sid=";
  for (int i = 0; i < SIOCODEC_MAX_QUERY_SID + 1; ++i) encoded_sid += "%41";
  auto big = eio::parse_query(encoded_sid);
  CHECK(big.sid_too_long);
  CHECK(error_of(eio::route_request("GET", big, true, eio::route_options{})) ==
        request_error::unknown_transport);
  CHECK(error_of(route("GET", "transport=polling&EIO=4&" + encoded_sid, true)) ==
        request_error::unknown_sid);
  std::string fits = "transport=polling&EIO=4&sid=";
  for (int i = 0; i < SIOCODEC_MAX_QUERY_SID; ++i) fits += "%41";
  CHECK(route("GET", fits, true).ok);
  // Percent-escapes that decode to control bytes or NUL are just bytes.
  CHECK(eio::parse_query("sid=%00%0a%ff").sid == "\x00\n\xff"sv);
}

TEST_CASE("request: unknown_transport (0)") {
  for (auto query : {"EIO=4", "EIO=4&transport=", "EIO=4&transport=webtransport",
                     "EIO=4&transport=flashsocket", "EIO=4&transport=Polling"}) {
    CAPTURE(query);
    CHECK(error_of(route("GET", query, false)) == request_error::unknown_transport);
  }
  eio::route_options no_ws;
  no_ws.allow_websocket = false;
  no_ws.websocket_upgrade = true;
  CHECK(error_of(route("GET", "EIO=4&transport=websocket", false, no_ws)) ==
        request_error::unknown_transport);
  // The transport is checked first: a bad transport with an unknown sid is still code 0.
  CHECK(error_of(route("POST", "transport=x&sid=nope", false)) == request_error::unknown_transport);
}

TEST_CASE("request: unknown_sid (1)") {
  CHECK(error_of(route("GET", "EIO=4&transport=polling&sid=nope", false)) ==
        request_error::unknown_sid);
  CHECK(error_of(route("POST", "EIO=4&transport=polling&sid=x", false)) ==
        request_error::unknown_sid);
  eio::route_options up;
  up.websocket_upgrade = true;
  CHECK(error_of(route("GET", "EIO=4&transport=websocket&sid=x", false, up)) ==
        request_error::unknown_sid);
}

TEST_CASE("request: bad_handshake_method (2)") {
  CHECK(error_of(route("POST", "EIO=4&transport=polling", false)) ==
        request_error::bad_handshake_method);
  CHECK(error_of(route("PUT", "EIO=4&transport=polling&sid=", false)) ==
        request_error::bad_handshake_method);
  // verify() runs before handshake(): the method error wins over the protocol version.
  CHECK(error_of(route("POST", "EIO=3&transport=polling", false)) ==
        request_error::bad_handshake_method);
}

TEST_CASE("request: bad_request (3): mismatches and a WebSocket handshake without Upgrade") {
  CHECK(error_of(route("GET", "EIO=4&transport=websocket", false)) == request_error::bad_request);
  eio::server_session polling({}, "AAAAAAAAAAAAAAAAAAAA", eio::protocol_version::v4,
                              eio::transport_kind::polling, true, 0);
  eio::server_session ws({}, "BBBBBBBBBBBBBBBBBBBB", eio::protocol_version::v4,
                         eio::transport_kind::websocket, true, 0);
  eio::route_options o;
  o.session = &ws;
  // TRANSPORT_MISMATCH: polling requests for a session on WebSocket.
  CHECK(error_of(route("GET", "EIO=4&transport=polling&sid=BBBBBBBBBBBBBBBBBBBB", true, o)) ==
        request_error::bad_request);
  o.session = &polling;
  CHECK(error_of(route("GET", "EIO=4&transport=websocket&sid=AAAAAAAAAAAAAAAAAAAA", true, o)) ==
        request_error::bad_request);
  // PROTOCOL_MISMATCH: EIO=3 (or anything but "4") for a v4 session.
  CHECK(error_of(route("GET", "EIO=3&transport=polling&sid=AAAAAAAAAAAAAAAAAAAA", true, o)) ==
        request_error::bad_request);
  CHECK(error_of(route("GET", "transport=polling&sid=AAAAAAAAAAAAAAAAAAAA", true, o)) ==
        request_error::bad_request);
  // The upgrade request itself is fine.
  o.websocket_upgrade = true;
  auto r = route("GET", "EIO=4&transport=websocket&sid=AAAAAAAAAAAAAAAAAAAA", true, o);
  CHECK(r.ok);
  CHECK_FALSE(r.handshake);
  CHECK(r.transport == eio::transport_kind::websocket);
}

TEST_CASE("request: forbidden (4): the caller's allowRequest verdict, on handshakes only") {
  eio::route_options o;
  o.allowed = false;
  CHECK(error_of(route("GET", "EIO=4&transport=polling", false, o)) == request_error::forbidden);
  // allowRequest runs before handshake(): forbidden wins over the protocol version.
  CHECK(error_of(route("GET", "EIO=3&transport=polling", false, o)) == request_error::forbidden);
  CHECK(route("GET", "EIO=4&transport=polling&sid=x", true, o).ok);
  CHECK(eio::error_status(request_error::forbidden) == 403);
}

TEST_CASE("request: unsupported_protocol_version (5) unless allow_eio3") {
  for (auto query : {"EIO=3&transport=polling", "transport=polling", "EIO=5&transport=polling",
                     "EIO=04&transport=polling", "EIO=%34x&transport=polling"}) {
    CAPTURE(query);
    CHECK(error_of(route("GET", query, false)) == request_error::unsupported_protocol_version);
  }
  eio::route_options o;
  o.allow_eio3 = true;
  auto r = route("GET", "EIO=3&transport=polling&b64=1", false, o);
  REQUIRE(r.ok);
  CHECK(r.handshake);
  CHECK(r.version == eio::protocol_version::v3);
  CHECK_FALSE(r.supports_binary);
  // As computeProtocolRevision(): anything but "4" is protocol 3.
  CHECK(route("GET", "EIO=7&transport=polling", false, o).version == eio::protocol_version::v3);
}

TEST_CASE("request: accepted handshakes and session requests") {
  auto r = route("GET", "EIO=4&transport=polling&t=x", false);
  REQUIRE(r.ok);
  CHECK(static_cast<bool>(r));
  CHECK(r.handshake);
  CHECK(r.version == eio::protocol_version::v4);
  CHECK(r.transport == eio::transport_kind::polling);
  CHECK(r.supports_binary);
  eio::route_options up;
  up.websocket_upgrade = true;
  auto w = route("GET", "EIO=%34&transport=websocket", false, up);
  REQUIRE(w.ok);
  CHECK(w.transport == eio::transport_kind::websocket);
  CHECK(route("POST", "EIO=4&transport=polling&sid=abc", true).ok);
}

TEST_CASE("request: error_status and error_body are the reference's answers") {
  // abortRequest(): res.writeHead(403 or 400, { "Content-Type": "application/json" });
  // res.end(JSON.stringify({ code: errorCode, message: Server.errorMessages[errorCode] })).
  CHECK(eio::error_body(request_error::unknown_transport) ==
        R"({"code":0,"message":"Transport unknown"})");
  CHECK(eio::error_body(request_error::unknown_sid) ==
        R"({"code":1,"message":"Session ID unknown"})");
  CHECK(eio::error_body(request_error::bad_handshake_method) ==
        R"({"code":2,"message":"Bad handshake method"})");
  CHECK(eio::error_body(request_error::bad_request) == R"({"code":3,"message":"Bad request"})");
  CHECK(eio::error_body(request_error::forbidden) == R"({"code":4,"message":"Forbidden"})");
  CHECK(eio::error_body(request_error::unsupported_protocol_version) ==
        R"({"code":5,"message":"Unsupported protocol version"})");
  for (auto e : {request_error::unknown_transport, request_error::unknown_sid,
                 request_error::bad_handshake_method, request_error::bad_request,
                 request_error::unsupported_protocol_version}) {
    CHECK(eio::error_status(e) == 400);
  }
  CHECK(eio::to_string(request_error::unknown_sid) == "Session ID unknown");
}

TEST_CASE("request: make_sid is base64url of 15 bytes, 20 characters") {
  // node: Buffer.from([0..14]).toString("base64") = "AAECAwQFBgcICQoLDA0O".
  unsigned char r[15];
  for (unsigned i = 0; i < 15; ++i) r[i] = static_cast<unsigned char>(i);
  CHECK(eio::make_sid(siocodec::byte_view(r, 15)).view() == "AAECAwQFBgcICQoLDA0O");
  // base64id: .replace(/\//g, "_").replace(/\+/g, "-").
  unsigned char ff[15];
  for (auto& c : ff) c = 0xfb;
  CHECK(eio::make_sid(siocodec::byte_view(ff, 15)).view() == "-_v7-_v7-_v7-_v7-_v7");
  // Every sid it makes is one the open packet can carry and a query needs no decoding for.
  const auto s = eio::make_sid(siocodec::byte_view(ff, 15));
  eio::server_session session({}, s.view(), eio::protocol_version::v4, eio::transport_kind::polling,
                              true, 0);
  CHECK(session.is_open());
  CHECK(eio::make_sid(siocodec::byte_view(r, 3)).view() == "AAECAAAAAAAAAAAAAAAA");
}
