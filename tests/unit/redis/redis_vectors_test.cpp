// SPDX-License-Identifier: BSL-1.0
// Walks tests/reference/vectors/redis.jsonl (tests/reference/redis/generate.js: what the real
// @socket.io/redis-emitter 5.1.0 and @socket.io/redis-adapter 8.3.0 published through a fake
// Redis client) and checks that:
// - emitter.emit: socketio::redis::emitter, given the same calls and arguments, appends exactly
//   the published channel and bytes;
// - adapter.broadcast: encode_broadcast() with the node's uid, rooms, except and flags (in the
//   order the reference wrote them) gives the same channel and bytes;
// - every message decodes (decode_broadcast), says what was sent, and written again from its
//   view (encode_broadcast of the packet) is the same bytes.
// With SIOCODEC_REDIS_VECTORS set, the same checks run on that file instead (the differential
// test: random emits through the real packages, redis/generate.js --random). The vectors are
// read with siocodec's own JSON layer.
#include "support/catch.hpp"
#include "support/hex.hpp"
#include "support/json_vectors.hpp"

#include <siocodec/json/value.hpp>
#include <siocodec/redis.hpp>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace json = siocodec::json;
namespace mp = siocodec::msgpack;
namespace sio = siocodec::socketio;
namespace redis = siocodec::socketio::redis;
using siocodec::byte_view;
using siocodec::errc;

namespace {

using siocodec_test::member;
using siocodec_test::str;

// The tag of a tagged value ({"$bin": ...}), or empty.
std::string tag_of(const json::value& v) {
  if (!v.is_object() || v.size() != 1) return {};
  const std::string k = str((*v.members().begin()).key);
  return !k.empty() && k[0] == '$' ? k : std::string();
}

std::string fill_bytes(std::size_t n, unsigned seed) {
  std::string b(n, '\0');
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<char>((i * 31 + seed) & 0xff);
  return b;
}

// Writes a tagged argument as the JavaScript value it stands for (generate.js says the tags).
template <class W>
void write_tagged(W& w, const json::value& v) {
  const std::string t = tag_of(v);
  if (t == "$bin") {
    const std::string b = siocodec_test::unhex(str(member(v, t)));
    w.binary(byte_view(b));
  } else if (t == "$fill") {
    const json::value a = member(v, t);
    const std::string b = fill_bytes(static_cast<std::size_t>(*a[0].to_uint64()),
                                     static_cast<unsigned>(*a[1].to_uint64()));
    w.binary(byte_view(b));
  } else if (t == "$repeat") {
    const json::value a = member(v, t);
    std::string s;
    const std::string unit = str(a[0]);
    for (std::uint64_t i = 0; i < *a[1].to_uint64(); ++i) s += unit;
    w.string(s);
  } else if (t == "$undef") {
    w.null();  // notepack.io 3.0.1 writes undefined as nil
  } else if (t == "$num") {
    const std::string s = str(member(v, t));
    w.number(s == "NaN"         ? std::numeric_limits<double>::quiet_NaN()
             : s == "Infinity"  ? std::numeric_limits<double>::infinity()
             : s == "-Infinity" ? -std::numeric_limits<double>::infinity()
             : s == "-0"        ? -0.0
                                : std::strtod(s.c_str(), nullptr));  // exact digits of a double
  } else if (v.is_array()) {
    w.begin_array();
    for (const json::value& e : v.elements()) write_tagged(w, e);
    w.end_array();
  } else if (v.is_object()) {
    w.begin_object();
    for (const json::member& m : v.members()) {
      if (tag_of(m.val) == "$undef") continue;  // left out of an object
      w.key(str(m.key));
      write_tagged(w, m.val);
    }
    w.end_object();
  } else if (v.is_string()) {
    w.string(str(v));
  } else {
    w.raw(v.raw());  // numbers, true, false, null
  }
}

// A set of names in insertion order, as the reference's Set<Room>.
void add_rooms(std::vector<std::string>& set, const json::value& arg) {
  const auto add = [&set](const std::string& r) {
    for (const auto& s : set) {
      if (s == r) return;
    }
    set.push_back(r);
  };
  if (arg.is_array()) {
    for (const json::value& e : arg.elements()) add(str(e));
  } else {
    add(str(arg));
  }
}

// The emitter a vector describes ("of", "ops"); `names` and `of_name` keep the views it holds.
redis::emitter make_emitter(const json::value& v, std::vector<std::string>& names,
                            std::string& of_name) {
  redis::emitter e;
  const json::value of = member(v, "of");
  if (of.is_string()) {
    of_name = str(of);
    e = e.of(of_name);
  }
  names.reserve(64);
  for (const json::value& op : member(v, "ops").elements()) {
    const std::string o = str(op[0]);
    if (o == "volatile") {
      e = e.volatile_();
    } else if (o == "compress") {
      e = e.compress(op[1].get_bool());
    } else {
      std::vector<std::string> set;
      add_rooms(set, op[1]);
      for (auto& s : set) names.push_back(s);
      for (std::size_t i = names.size() - set.size(); i < names.size(); ++i) {
        e = o == "except" ? e.except(names[i]) : e.to(names[i]);
      }
    }
  }
  return e;
}

// A JSON array of strings as owned strings.
std::vector<std::string> strings(const json::value& a) {
  std::vector<std::string> out;
  for (const json::value& e : a.elements()) out.push_back(str(e));
  return out;
}

// Where two byte strings first differ (for the failure message).
std::size_t first_difference(const std::string& a, const std::string& b) {
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  return i;
}

std::vector<std::string_view> views(const std::vector<std::string>& v) {
  return {v.begin(), v.end()};
}

// The message decodes, and written again from its view (in the order the reference used) gives
// the same bytes.
void check_decode(const std::string& bytes, std::string_view uid, redis::opts_order order,
                  bool reencode) {
  const auto d = redis::decode_broadcast(byte_view(bytes));
  REQUIRE(d);
  CHECK(d->uid == uid);
  if (!reencode) return;
  std::vector<std::string_view> rooms, except;
  for (const mp::value& r : d->rooms.elements()) rooms.push_back(r.get_string());
  for (const mp::value& r : d->except.elements()) except.push_back(r.get_string());
  redis::broadcast_options o;
  o.rooms = rooms;
  o.except = except;
  o.flags = d->flags;
  o.order = order;
  std::string again;
  REQUIRE(redis::encode_broadcast(again, d->uid, d->packet, o));
  CHECK(siocodec_test::hex(again) == siocodec_test::hex(bytes));
}

}  // namespace

TEST_CASE("redis vectors: the emitter and the adapter's broadcasts, byte for byte") {
  // The differential test (ctest reference.redis_differential) points this at random cases.
  const char* other = std::getenv("SIOCODEC_REDIS_VECTORS");
  std::ifstream in(other != nullptr
                       ? std::string(other)
                       : std::string(SIOCODEC_TEST_DATA_DIR) + "/reference/vectors/redis.jsonl",
                   std::ios::binary);
  REQUIRE(in);
  std::string line;
  std::size_t emits = 0, broadcasts = 0;
  while (std::getline(in, line)) {
    const auto parsed = json::parse(line);
    REQUIRE(parsed);
    const json::value v = *parsed;
    const std::string kind = str(member(v, "kind"));
    const std::string name = str(member(v, "name"));
    INFO(kind << " " << name);
    const std::string want_channel = str(member(v, "channel"));
    const std::string want = siocodec_test::unhex(str(member(v, "hex")));
    const std::string event = str(member(v, "event"));
    const json::value args = member(v, "args");
    const auto data = [&](auto& w) {
      for (const json::value& a : args.elements()) write_tagged(w, a);
    };
    const bool decode_only = member(v, "decode_only").exists();
    std::string channel, msg;

    if (kind == "emitter.emit") {
      ++emits;
      std::vector<std::string> names;  // the views the emitter keeps
      std::string of_name;
      const redis::emitter e = make_emitter(v, names, of_name);
      const auto r = e.emit(channel, msg, sio::event(event, data));
      REQUIRE(r);
      CHECK(channel == want_channel);
      INFO("first difference at byte " << first_difference(msg, want));
      CHECK(siocodec_test::hex(msg) == siocodec_test::hex(want));
      check_decode(want, "emitter", redis::opts_order::emitter, true);
    } else if (kind == "adapter.broadcast") {
      ++broadcasts;
      const std::string uid = str(member(v, "uid"));
      if (decode_only) {
        check_decode(want, uid, redis::opts_order::adapter, false);
        continue;
      }
      std::vector<std::string> rooms, except;
      for (const json::value& op : member(v, "ops").elements()) {
        const std::string o = str(op[0]);
        if (o == "to" || o == "in") add_rooms(rooms, op[1]);
        if (o == "except") add_rooms(except, op[1]);
      }
      const auto rv = views(rooms), ev = views(except);
      redis::broadcast_options o;
      o.rooms = rv;
      o.except = ev;
      for (const json::value& f : member(v, "flags").elements()) {
        const std::string k = str(f[0]);
        if (k == "volatile") o.flags.set_volatile(f[1].get_bool());
        if (k == "compress") o.flags.set_compress(f[1].get_bool());
        if (k == "timeout") o.flags.set_timeout(*f[1].to_double());
      }
      const std::string nsp = str(member(v, "nsp"));
      REQUIRE(redis::encode_broadcast(msg, uid, nsp, o, sio::event(event, data)));
      if (rooms.size() == 1) {
        (void)redis::room_channel(channel, nsp, rooms[0]);
      } else {
        (void)redis::broadcast_channel(channel, nsp);
      }
      CHECK(channel == want_channel);
      INFO("first difference at byte " << first_difference(msg, want));
      CHECK(siocodec_test::hex(msg) == siocodec_test::hex(want));
      check_decode(want, uid, redis::opts_order::adapter, true);
    }
  }
  CHECK(emits >= 30);
  CHECK(broadcasts >= 20);
}

TEST_CASE("redis vectors: requests and responses, byte for byte") {
  std::ifstream in(SIOCODEC_TEST_DATA_DIR "/reference/vectors/redis.jsonl", std::ios::binary);
  REQUIRE(in);
  std::string line;
  std::size_t requests = 0, responses = 0;
  while (std::getline(in, line)) {
    const auto parsed = json::parse(line);
    REQUIRE(parsed);
    const json::value v = *parsed;
    const std::string kind = str(member(v, "kind"));
    if (kind != "emitter.request" && kind != "adapter.request" && kind != "adapter.response") {
      continue;
    }
    const std::string call = str(member(v, "call"));
    INFO(kind << " " << str(member(v, "name")) << " " << call);
    const std::string want_channel = str(member(v, "channel"));
    const std::string want = siocodec_test::unhex(str(member(v, "hex")));
    const std::string uid = str(member(v, "uid"));
    const std::string rid = str(member(v, "requestId"));
    const std::vector<std::string> rooms = strings(member(v, "rooms")),
                                   except = strings(member(v, "except")),
                                   target = strings(member(v, "target"));
    const auto rv = views(rooms), ev = views(except), tv = views(target);
    std::string channel, msg;
    siocodec::result<std::size_t> r{errc::invalid_argument, 0};

    if (kind == "emitter.request") {
      std::vector<std::string> names;
      std::string of_name;
      const redis::emitter e = make_emitter(v, names, of_name);
      if (call == "server_side_emit_request") {
        r = e.server_side_emit(channel, msg, str(member(v, "data")));
      } else if (call == "join_request") {
        r = member(v, "join").get_bool() ? e.sockets_join(channel, msg, tv)
                                         : e.sockets_leave(channel, msg, tv);
      } else if (call == "disconnect_request") {
        r = e.disconnect_sockets(channel, msg, member(v, "close").get_bool());
      }
      REQUIRE(r);
      CHECK(channel == want_channel);
    } else {
      if (call == "all_rooms_request") {
        r = redis::encode_all_rooms_request(msg, uid, rid);
      } else if (call == "fetch_sockets_request") {
        r = redis::encode_fetch_sockets_request(msg, uid, rid, rv, ev);
      } else if (call == "join_request") {
        r = redis::encode_sockets_join_request(msg, member(v, "join").get_bool(), uid, rv, ev, tv);
      } else if (call == "disconnect_request") {
        r = redis::encode_disconnect_sockets_request(msg, uid, rv, ev,
                                                     member(v, "close").get_bool());
      } else if (call == "server_side_emit_request") {
        r = redis::encode_server_side_emit_request(msg, uid, rid, str(member(v, "data")));
      } else if (call == "broadcast_request") {
        redis::broadcast_options o;
        o.rooms = rv;
        o.except = ev;
        for (const json::value& f : member(v, "flags").elements()) {
          if (str(f[0]) == "timeout") o.flags.set_timeout(*f[1].to_double());
        }
        const json::value args = member(v, "args");
        const auto data = [&](auto& w) {
          for (const json::value& a : args.elements()) write_tagged(w, a);
        };
        r = redis::encode_broadcast_request(msg, uid, rid, str(member(v, "nsp")), o,
                                            sio::event(str(member(v, "event")), data));
      } else if (call == "sockets_response") {
        const auto ids = strings(member(v, "ids"));
        r = redis::encode_sockets_response(msg, rid, views(ids));
      } else if (call == "all_rooms_response") {
        r = redis::encode_all_rooms_response(msg, rid, rv);
      } else if (call == "fetch_sockets_response") {
        r = redis::encode_fetch_sockets_response(msg, rid, str(member(v, "sockets")));
      } else if (call == "remote_done_response") {
        r = redis::encode_remote_done_response(msg, rid);
      } else if (call == "server_side_emit_response") {
        r = redis::encode_server_side_emit_response(msg, rid, str(member(v, "data")));
      } else if (call == "client_count_response") {
        r = redis::encode_client_count_response(msg, rid, *member(v, "count").to_uint64());
      } else if (call == "broadcast_ack_response") {
        const json::value arg = member(v, "arg");
        r = redis::encode_broadcast_ack_response(msg, rid, [&](auto& w) {
          if (arg.exists()) write_tagged(w, arg);
        });
      }
      REQUIRE(r);
      // The channel: the request channel, the common response channel, or the requester's.
      const auto m = redis::match_channel(want_channel, "/");
      REQUIRE(m);
      if (kind == "adapter.request") {
        CHECK(m->kind == redis::channel_kind::request);
        (void)redis::request_channel(channel, "/");
      } else if (m->kind == redis::channel_kind::specific_response) {
        (void)redis::specific_response_channel(channel, "/", m->uid);
      } else {
        (void)redis::response_channel(channel, "/");
      }
      CHECK(channel == want_channel);
    }
    INFO("first difference at byte " << first_difference(msg, want));
    CHECK(siocodec_test::hex(msg) == siocodec_test::hex(want));
    CHECK(*r == want.size());

    // And they decode.
    if (kind == "adapter.response") {
      ++responses;
      const auto d = redis::decode_response(byte_view(want));
      REQUIRE(d);
      CHECK(d->request_id == rid);
      CHECK(d->is_msgpack == (want[0] != '{'));
      if (call == "client_count_response") {
        CHECK(d->client_count == *member(v, "count").to_uint64());
      }
      if (call == "all_rooms_response") CHECK(d->rooms.size() == rooms.size());
      if (call == "broadcast_ack_response") CHECK(d->packet.exists() == member(v, "arg").exists());
    } else {
      ++requests;
      const auto d = redis::decode_request(byte_view(want));
      REQUIRE(d);
      CHECK(d->uid.value_or("") == uid);
      CHECK(d->request_id.value_or("") == rid);
      if (call == "broadcast_request") {
        CHECK(d->type == redis::request_type::broadcast);
        CHECK(d->flags.timeout().has_value());
        CHECK(d->packet.data[0].string_equals(str(member(v, "event"))));
      }
      if (call == "join_request") CHECK(d->target_rooms.size() == target.size());
      if (call == "disconnect_request") CHECK(d->close == member(v, "close").get_bool());
    }
  }
  CHECK(requests >= 10);
  CHECK(responses >= 10);
}
