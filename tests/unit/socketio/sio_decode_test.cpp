// SPDX-License-Identifier: BSL-1.0
#include <siocodec/socketio/default_parser/decode.hpp>

#include "support/catch.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using namespace std::string_view_literals;
using siocodec::errc;
namespace sio = siocodec::socketio;
using sio::packet_type;

namespace {
sio::decode_options lax() {
  sio::decode_options o;
  o.lax = true;
  return o;
}
sio::decode_options v4() {
  sio::decode_options o;
  o.version = sio::protocol_version::v4;
  return o;
}
}  // namespace

TEST_CASE("the protocol's examples decode") {
  struct c {
    std::string_view text;
    packet_type type;
    std::string_view nsp;
    long long id;  // -1: none
    std::size_t attachments;
    std::string_view data;
  };
  const c cases[] = {
      {"0"sv, packet_type::connect, "/"sv, -1, 0, ""sv},
      {R"(0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"})"sv, packet_type::connect, "/admin"sv, -1, 0,
       R"({"sid":"oSO0OpakMV_3jnilAAAA"})"sv},
      {"1/admin,"sv, packet_type::disconnect, "/admin"sv, -1, 0, ""sv},
      {R"(2["foo"])"sv, packet_type::event, "/"sv, -1, 0, R"(["foo"])"sv},
      {R"(2/admin,["bar"])"sv, packet_type::event, "/admin"sv, -1, 0, R"(["bar"])"sv},
      {R"(212["foo"])"sv, packet_type::event, "/"sv, 12, 0, R"(["foo"])"sv},
      {R"(3/admin,13["bar"])"sv, packet_type::ack, "/admin"sv, 13, 0, R"(["bar"])"sv},
      {R"(4{"message":"Not authorized"})"sv, packet_type::connect_error, "/"sv, -1, 0,
       R"({"message":"Not authorized"})"sv},
      {R"(51-["baz",{"_placeholder":true,"num":0}])"sv, packet_type::binary_event, "/"sv, -1, 1,
       R"(["baz",{"_placeholder":true,"num":0}])"sv},
      {R"(52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])"sv,
       packet_type::binary_event, "/admin"sv, -1, 2,
       R"(["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])"sv},
      {R"(61-15["bar",{"_placeholder":true,"num":0}])"sv, packet_type::binary_ack, "/"sv, 15, 1,
       R"(["bar",{"_placeholder":true,"num":0}])"sv},
      {R"(20["a"])"sv, packet_type::event, "/"sv, 0, 0, R"(["a"])"sv},
      {"3"sv, packet_type::ack, "/"sv, -1, 0, ""sv},
      {"0/admin"sv, packet_type::connect, "/admin"sv, -1, 0, ""sv},
      {R"(2/,["a"])"sv, packet_type::event, "/"sv, -1, 0, R"(["a"])"sv},
      {R"(2["a"]  )"sv, packet_type::event, "/"sv, -1, 0, R"(["a"])"sv},
      {"2/caf\xc3\xa9 b,[\"a\"]"sv, packet_type::event, "/caf\xc3\xa9 b"sv, -1, 0, R"(["a"])"sv},
      {R"(2[1.5,2])"sv, packet_type::event, "/"sv, -1, 0, R"([1.5,2])"sv},
      {R"(2["error"])"sv, packet_type::event, "/"sv, -1, 0, R"(["error"])"sv},
      {R"(218446744073709551615["a"])"sv, packet_type::event, "/"sv, -2, 0, R"(["a"])"sv},
      {R"(4"just a string")"sv, packet_type::connect_error, "/"sv, -1, 0, R"("just a string")"sv},
  };
  for (const auto& t : cases) {
    CAPTURE(t.text);
    auto r = sio::decode_header(t.text);
    REQUIRE(r);
    CHECK(r->type == t.type);
    CHECK(r->nsp == t.nsp);
    if (t.id == -1) {
      CHECK_FALSE(r->id);
    } else if (t.id == -2) {
      CHECK(r->id == 18446744073709551615ull);
    } else {
      CHECK(r->id == static_cast<unsigned long long>(t.id));
    }
    CHECK(r->attachment_count == t.attachments);
    CHECK(r->data == t.data);
    CHECK(r->attachments == nullptr);
    CHECK(r.offset() == t.text.size());
  }
}

TEST_CASE("strict errors with their offsets") {
  struct c {
    std::string_view text;
    errc ec;
    std::size_t offset;
  };
  const c cases[] = {
      {""sv, errc::unknown_packet_type, 0},
      {" "sv, errc::unknown_packet_type, 0},
      {"7"sv, errc::unknown_packet_type, 0},
      {"x2[]"sv, errc::unknown_packet_type, 0},
      {"5"sv, errc::invalid_attachment_count, 1},
      {"51"sv, errc::invalid_attachment_count, 2},
      {"5a-[]"sv, errc::invalid_attachment_count, 1},
      {"5-[\"a\"]"sv, errc::invalid_attachment_count, 1},
      {"50-[\"a\"]"sv, errc::invalid_attachment_count, 1},
      {"501-[\"a\"]"sv, errc::invalid_attachment_count, 1},
      {"5 1-[\"a\"]"sv, errc::invalid_attachment_count, 1},
      {"511-[\"a\"]"sv, errc::too_many_attachments, 1},
      {"599999999999999999999-[\"a\"]"sv, errc::too_many_attachments, 1},
      {"2012[\"a\"]"sv, errc::invalid_ack_id, 1},
      {"218446744073709551616[\"a\"]"sv, errc::ack_id_overflow, 1},
      {"2 [\"a\"]"sv, errc::invalid_json, 1},
      {"21 [\"a\"]"sv, errc::invalid_json, 2},
      {"2-1[\"a\"]"sv, errc::invalid_json, 3},
      {"21.5[\"a\"]"sv, errc::invalid_json_number, 2},
      {"2[\"a\"]x"sv, errc::invalid_json, 6},
      {"2admin,[\"a\"]"sv, errc::invalid_json, 1},
      {"2/a,b,[\"x\"]"sv, errc::invalid_json, 4},
      {"2[\"\xff\"]"sv, errc::invalid_utf8, 3},
      {"0[]"sv, errc::invalid_payload, 1},
      {"0null"sv, errc::invalid_payload, 1},
      {"0\"s\""sv, errc::invalid_payload, 1},
      {"1{}"sv, errc::invalid_payload, 1},
      {"1/admin,{}"sv, errc::invalid_payload, 8},
      {"2{}"sv, errc::invalid_payload, 1},
      {"2\"a\""sv, errc::invalid_payload, 1},
      {"2[]"sv, errc::invalid_event_name, 1},
      {"2[null]"sv, errc::invalid_event_name, 2},
      {"2[true,1]"sv, errc::invalid_event_name, 2},
      {"2[[\"a\"]]"sv, errc::invalid_event_name, 2},
      {"2[{\"toString\":\"foo\"}]"sv, errc::invalid_event_name, 2},
      {"2[\"connect\"]"sv, errc::reserved_event_name, 2},
      {"2[\"connect_error\"]"sv, errc::reserved_event_name, 2},
      {"2[\"disconnect\"]"sv, errc::reserved_event_name, 2},
      {"2[\"disconnecting\"]"sv, errc::reserved_event_name, 2},
      {"2[\"newListener\"]"sv, errc::reserved_event_name, 2},
      {"2[\"removeListener\"]"sv, errc::reserved_event_name, 2},
      {"2[\"conn\\u0065ct\"]"sv, errc::reserved_event_name, 2},
      {"3{}"sv, errc::invalid_payload, 1},
      {"3\"a\""sv, errc::invalid_payload, 1},
      {"4[]"sv, errc::invalid_payload, 1},
      {"4null"sv, errc::invalid_payload, 1},
      {"41"sv, errc::none, 0},  // an ack id on CONNECT_ERROR, as the reference reads it
  };
  for (const auto& t : cases) {
    CAPTURE(t.text);
    auto r = sio::decode_header(t.text);
    CHECK(r.error() == t.ec);
    if (t.ec != errc::none) CHECK(r.offset() == t.offset);
  }
}

TEST_CASE("placeholders are checked before any attachment arrives") {
  struct c {
    std::string_view text;
    errc ec;
  };
  const c cases[] = {
      // CVE-2022-2421: a placeholder whose num is not an index.
      {R"(51-["hello",{"_placeholder":true,"num":"splice"}])"sv, errc::invalid_placeholder},
      {R"(51-["a",{"_placeholder":true,"num":1}])"sv, errc::invalid_placeholder},
      {R"(51-["a",{"_placeholder":true,"num":-1}])"sv, errc::invalid_placeholder},
      {R"(51-["a",{"_placeholder":true,"num":0.5}])"sv, errc::invalid_placeholder},
      {R"(51-["a",{"_placeholder":true,"num":1.0}])"sv, errc::invalid_placeholder},
      {R"(51-["a",{"_placeholder":true,"num":-0}])"sv, errc::invalid_placeholder},
      {R"(51-["a",{"_placeholder":true}])"sv, errc::invalid_placeholder},
      // Not `true`: data, so attachment 0 is unused.
      {R"(51-["a",{"_placeholder":1,"num":0}])"sv, errc::invalid_placeholder},
      {R"(51-["a",{"_placeholder":"true","num":0},{"_placeholder":true,"num":0}])"sv, errc::none},
      {R"(51-["a",{"_placeholder":true,"num":0,"x":1}])"sv, errc::invalid_placeholder},
      {R"(51-["a",{"_placeholder":true,"num":0,"num":0}])"sv, errc::invalid_placeholder},
      {R"(51-["a",{"x":[1],"_placeholder":true,"num":0}])"sv, errc::invalid_placeholder},
      {R"(52-["a",{"_placeholder":true,"num":0}])"sv, errc::invalid_placeholder},
      {R"(51-["a"])"sv, errc::invalid_placeholder},
      {"51-"sv, errc::invalid_placeholder},
      // A placeholder cannot be the event name (validation sees the placeholder form).
      {R"(51-[{"_placeholder":true,"num":0}])"sv, errc::invalid_event_name},
      // Accepted: any key order, any depth, the same attachment twice.
      {R"(51-["a",{"num":0,"_placeholder":true}])"sv, errc::none},
      {R"(52-["a",{"x":[{"y":{"_placeholder":true,"num":1}}]},{"_placeholder":true,"num":0}])"sv,
       errc::none},
      {R"(51-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":0}])"sv, errc::none},
      {R"(61-["a",{ "_placeholder" : true , "num" : 0 }])"sv, errc::none},
      // Placeholders in packets without attachments are plain data, as in the reference.
      {R"(2["a",{"_placeholder":true,"num":0}])"sv, errc::none},
  };
  for (const auto& t : cases) {
    CAPTURE(t.text);
    CHECK(sio::decode_header(t.text).error() == t.ec);
  }
  // 70 attachments, all used: the check runs in passes of 64.
  std::string many = "570-[\"a\"";
  for (int i = 69; i >= 0; --i)
    many += ",{\"_placeholder\":true,\"num\":" + std::to_string(i) + "}";
  many += "]";
  sio::decode_options o;
  o.max_attachments = 100;
  CHECK(sio::decode_header(many, o));
  const std::string missing =
      many.substr(0, many.find(",{\"_placeholder\":true,\"num\":65}")) + "]";
  CHECK(sio::decode_header("569" + missing.substr(3), o).error() == errc::invalid_placeholder);
}

// The canonical spelling is recognised by a byte compare (detail::canonical_placeholder); every
// other spelling goes through the member walk (detail::check_flat_object). Over the canonical
// objects and every one-byte change of them, the shortcut must only ever claim objects for which
// the walk finds a placeholder with the same number, in strict and in lax mode, and whole
// packets must decode as the walk decides.
TEST_CASE("the canonical placeholder shortcut agrees with the member walk") {
  namespace d = sio::detail;
  const std::string nums[] = {"0",    "1",    "7",     "9",      "10",   "42", "999",
                              "1000", "9999", "10000", "123456", "01",   "-0", "-1",
                              "1.0",  "1e0",  "0.5",   "true",   "\"0\""};
  const char subst[] = {'0', '1', '9', '}', '{', '"', ',', ':', ' ', '\\',  'e',
                        '.', '-', 'x', 'n', 't', '_', 'm', '[', ']', '\x1f'};
  std::size_t claimed = 0, checked = 0;
  for (const std::string& num : nums) {
    const std::string canonical = "{\"_placeholder\":true,\"num\":" + num + "}";
    std::vector<std::string> objects{canonical, canonical.substr(0, canonical.size() - 1)};
    for (std::size_t i = 0; i < canonical.size(); ++i) {
      for (const char c : subst) {
        std::string m = canonical;
        m[i] = c;
        objects.push_back(m);
      }
      objects.push_back(canonical.substr(0, i) + canonical.substr(i + 1));    // deletion
      objects.push_back(canonical.substr(0, i) + "0" + canonical.substr(i));  // insertion
    }
    for (const std::string& obj : objects) {
      if (!siocodec::json::validate(obj)) continue;  // decode() stops at the JSON error first
      ++checked;
      const auto v = siocodec::json::value::unchecked(obj);
      for (const std::size_t attachments : {std::size_t{1}, std::size_t{11}, std::size_t{20000}}) {
        std::uint64_t n = 0;
        const char* close = d::canonical_placeholder(obj.data(), obj.data() + obj.size(), n);
        for (const bool lax_mode : {false, true}) {
          CAPTURE(obj, attachments, lax_mode);
          if (!v.is_object() || !d::flat_object_end(obj.data(), obj.data() + obj.size())) {
            CHECK(close == nullptr);  // not a flat object: never claimed
            continue;
          }
          d::placeholder_info info;
          const errc walk = d::check_flat_object(v, attachments, lax_mode, info);
          if (close != nullptr) {
            ++claimed;
            CHECK(close == obj.data() + obj.size());
            if (n < attachments) {
              CHECK(walk == errc::none);
              CHECK(info.is_placeholder);
              CHECK(info.num == n);
            } else {
              CHECK(walk == errc::invalid_placeholder);
            }
          }
          if (attachments != 1) continue;
          // The whole packet: one attachment, the object as its only argument.
          const std::string head = "51-[\"e\",";
          const std::string text = head + obj + "]";
          sio::decode_options o = lax_mode ? lax() : sio::decode_options();
          const auto r = sio::decode_header(text, o);
          const bool used = walk == errc::none && info.is_placeholder && info.num == 0;
          if (walk != errc::none) {
            CHECK(r.error() == walk);
            CHECK(r.offset() == head.size());
          } else if (!lax_mode && !used) {
            CHECK(r.error() == errc::invalid_placeholder);  // attachment 0 never referenced
          } else {
            CHECK(r.error() == errc::none);
          }
        }
      }
    }
  }
  // Both sides were exercised: canonical objects claimed, the rest handed to the walk.
  CHECK(claimed >= 60);
  CHECK(checked > claimed);
}

TEST_CASE("limits") {
  sio::decode_options o;
  o.max_namespace = 6;
  CHECK(sio::decode_header("2/admin,[\"a\"]"sv, o));
  CHECK(sio::decode_header("2/admins,[\"a\"]"sv, o).error() == errc::invalid_namespace);
  o.max_ack_id = 99;
  CHECK(sio::decode_header("299[\"a\"]"sv, o));
  CHECK(sio::decode_header("2100[\"a\"]"sv, o).error() == errc::ack_id_overflow);
  o.max_depth = 2;
  CHECK(sio::decode_header("2[\"a\",[1]]"sv, o));
  CHECK(sio::decode_header("2[\"a\",[[1]]]"sv, o).error() == errc::nesting_too_deep);
  o.max_attachments = 2;
  CHECK(sio::decode_header(
      R"(52-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])"sv, o));
  CHECK(sio::decode_header(R"(53-["a"])"sv, o).error() == errc::too_many_attachments);
}

TEST_CASE("protocol v4 (socket.io-parser 3.4.5) payload rules") {
  CHECK(sio::decode_header("0[]"sv, v4()));
  CHECK(sio::decode_header("0null"sv, v4()));
  CHECK(sio::decode_header("0/admin?token=abc&x=1,"sv, v4())->nsp == "/admin?token=abc&x=1");
  CHECK(sio::decode_header("4null"sv, v4()));
  CHECK(sio::decode_header("4[1]"sv, v4()));
  CHECK(sio::decode_header("2[\"connect\"]"sv, v4()));
  CHECK(sio::decode_header("2[\"disconnect\",1]"sv, v4()));
  CHECK(sio::decode_header("2[]"sv, v4()).error() == errc::invalid_event_name);
  CHECK(sio::decode_header("1[]"sv, v4()).error() == errc::invalid_payload);
  CHECK(sio::decode_header("0\"s\""sv, v4()).error() == errc::invalid_payload);
  CHECK(std::string(sio::to_string(packet_type::connect_error, sio::protocol_version::v4)) ==
        "error");
}

TEST_CASE("lax mode reproduces the reference's Number() coercions") {
  struct c {
    std::string_view text;
    packet_type type;
    long long id;  // -1: none
    std::size_t attachments;
  };
  const c cases[] = {
      {""sv, packet_type::connect, -1, 0},
      {" {}"sv, packet_type::connect, -1, 0},
      {"2 [\"a\"]"sv, packet_type::event, 0, 0},
      {"21 [\"a\"]"sv, packet_type::event, 1, 0},
      {"2 1[\"a\"]"sv, packet_type::event, 1, 0},
      {"2012[\"a\"]"sv, packet_type::event, 12, 0},
      {"2\r\n[\"a\"]"sv, packet_type::event, 0, 0},
      {"2\xc2\xa0[\"a\"]"sv, packet_type::event, 0, 0},
      {"1 "sv, packet_type::disconnect, 0, 0},
      {R"(501-["a",{"_placeholder":true,"num":0}])"sv, packet_type::binary_event, -1, 1},
      {R"(50x1-["a",{"_placeholder":true,"num":0}])"sv, packet_type::binary_event, -1, 1},
      {R"(51e0-["a",{"_placeholder":true,"num":0}])"sv, packet_type::binary_event, -1, 1},
      {R"(5+1-["a",{"_placeholder":true,"num":0}])"sv, packet_type::binary_event, -1, 1},
      {R"(5 1-["a",{"_placeholder":true,"num":0}])"sv, packet_type::binary_event, -1, 1},
      {R"(50b1-["a",{"_placeholder":true,"num":0}])"sv, packet_type::binary_event, -1, 1},
      {R"(51.0-["a",{"_placeholder":true,"num":0}])"sv, packet_type::binary_event, -1, 1},
      {R"(51-["a",{"_placeholder":true,"num":0,"x":1}])"sv, packet_type::binary_event, -1, 1},
      {R"(51-["a",{"_placeholder":true,"num":0.0}])"sv, packet_type::binary_event, -1, 1},
      {R"(52-["a",{"_placeholder":true,"num":0}])"sv, packet_type::binary_event, -1, 2},
      {R"(51-["a",{"_placeholder":false,"x":1}])"sv, packet_type::binary_event, -1, 1},
      {"51-"sv, packet_type::binary_event, -1, 1},
  };
  for (const auto& t : cases) {
    CAPTURE(t.text);
    auto r = sio::decode_header(t.text, lax());
    REQUIRE(r);
    CHECK(r->type == t.type);
    if (t.id == -1) {
      CHECK_FALSE(r->id);
    } else {
      CHECK(r->id == static_cast<unsigned long long>(t.id));
    }
    CHECK(r->attachment_count == t.attachments);
  }
  // What JavaScript turns into NaN, Infinity or a fraction has no C++ value: still an error.
  CHECK(sio::decode_header("21 2[\"a\"]"sv, lax()).error() == errc::invalid_ack_id);
  CHECK(sio::decode_header("299999999999999999999[\"a\"]"sv, lax()).error() ==
        errc::ack_id_overflow);
  CHECK(sio::decode_header("50-[\"a\"]"sv, lax()).error() == errc::invalid_attachment_count);
  CHECK(sio::decode_header("5-[\"a\"]"sv, lax()).error() == errc::invalid_attachment_count);
  CHECK(sio::decode_header("51.5-[\"a\"]"sv, lax()).error() == errc::invalid_attachment_count);
  CHECK(sio::decode_header("5a-[\"a\"]"sv, lax()).error() == errc::invalid_attachment_count);
  CHECK(sio::decode_header("5Infinity-[\"a\"]"sv, lax()).error() == errc::invalid_attachment_count);
  CHECK(sio::decode_header(R"(51-["a",{"_placeholder":true,"num":0.5}])"sv, lax()).error() ==
        errc::invalid_placeholder);
  CHECK(sio::decode_header(R"(51-["a",{"_placeholder":true,"num":"splice"}])"sv, lax()).error() ==
        errc::invalid_placeholder);
  CHECK(sio::decode_header(R"(51-["a",{"x":[1],"_placeholder":true,"num":0}])"sv, lax()).error() ==
        errc::invalid_placeholder);
}

namespace {
// `{"_placeholder":true,"num":n}`
std::string ph(std::size_t n) {
  return "{\"_placeholder\":true,\"num\":" + std::to_string(n) + "}";
}
}  // namespace

// Issue 17.1: socket.io-parser (4.2.7 and 3.4.5 alike) replaces only objects whose `_placeholder`
// is `true`; its encoder sends an application's `{"_placeholder": ""}` unchanged. Strict mode
// takes such objects as data, at any depth and next to nested containers, and keeps refusing
// malformed placeholders.
TEST_CASE("objects whose _placeholder is not true are data in strict mode") {
  const std::string values[] = {R"("")",     "{}", "[]",     "0",          "false", "null",
                                R"("true")", "1",  "[true]", R"({"a":1})", "-1",    "1.5"};
  const std::string holders[] = {"{\"_placeholder\":V}",
                                 "{\"_placeholder\":V,\"num\":0}",
                                 "{\"num\":0,\"_placeholder\":V,\"x\":[1,{\"y\":2}]}",
                                 "{\"a\":[{\"_placeholder\":V}],\"b\":{\"_placeholder\":V}}",
                                 "[[[{\"_placeholder\":V,\"num\":\"splice\"}]]]",
                                 "{\"_placeholder\":true,\"_placeholder\":V,\"num\":0}"};
  for (const auto& version : {sio::protocol_version::v5, sio::protocol_version::v4}) {
    for (const bool lax_mode : {false, true}) {
      sio::decode_options o = lax_mode ? lax() : sio::decode_options();
      o.version = version;
      for (const std::string& v : values) {
        for (std::string h : holders) {
          // `"_placeholder": true` next to a container member is refused, even when a later
          // duplicate key makes the object data for JSON.parse (docs/protocol-notes.md).
          const bool refused = h == holders[5] && (v[0] == '[' || v[0] == '{');
          for (std::size_t at; (at = h.find('V')) != std::string::npos;) h.replace(at, 1, v);
          const std::string text = "51-[\"e\"," + h + "," + ph(0) + "]";
          CAPTURE(text, lax_mode);
          const auto r = sio::decode_header(text, o);
          if (refused) {
            CHECK(r.error() == errc::invalid_placeholder);
            continue;
          }
          CHECK(r.error() == errc::none);
          // A holder alone leaves the attachment unreferenced (strict mode refuses that).
          const std::string alone = "51-[\"e\"," + h + "]";
          CHECK(sio::decode_header(alone, o).error() ==
                (lax_mode ? errc::none : errc::invalid_placeholder));
          if (!lax_mode) CHECK(sio::decode_header(alone, o).offset() == alone.size());
        }
      }
      // Still refused: `true` with a bad num, extra members, a container member.
      const std::string bad[] = {R"({"_placeholder":true,"num":"0"})",
                                 R"({"_placeholder":true,"num":1})",
                                 R"({"_placeholder":true,"num":-1})",
                                 R"({"_placeholder":true,"num":0.5})",
                                 R"({"_placeholder":true,"num":[0]})",
                                 R"({"_placeholder":true})",
                                 R"({"_placeholder":true,"num":0,"x":[1]})",
                                 R"({"x":{"_placeholder":true,"num":0,"y":{}}})"};
      for (const std::string& b : bad) {
        const std::string text = "51-[\"e\"," + ph(0) + "," + b + "]";
        CAPTURE(text, lax_mode);
        CHECK(sio::decode_header(text, o).error() == errc::invalid_placeholder);
      }
      const std::string extra = "51-[\"e\",{\"_placeholder\":true,\"num\":0,\"x\":1}]";
      CHECK(sio::decode_header(extra, o).error() ==
            (lax_mode ? errc::none : errc::invalid_placeholder));
    }
  }
}

// Issue 19.2: every attachment is checked in one pass over the payload (the former check made one
// pass per 64 attachments). 300,000 attachments in encoder order: one pass is a few megabytes of
// scanning; the quadratic check would scan the 9 MB payload 4,688 times, minutes of work.
TEST_CASE("the strict placeholder check is one pass, whatever the attachment count") {
  constexpr std::size_t n = 300000;
  std::string text = std::to_string(n) + "-[\"e\"";
  text.insert(0, "5");
  text.reserve(n * 30);
  for (std::size_t i = 0; i < n; ++i) text += "," + ph(i);
  text += "]";
  sio::decode_options o;
  o.max_attachments = n;
  const auto r = sio::decode_header(text, o);
  CHECK(r.error() == errc::none);
  CHECK(r->attachment_count == n);
  // The last one missing: found unreferenced at the end.
  const std::string missing = text.substr(0, text.rfind(",{")) + "]";
  CHECK(sio::decode_header(missing, o).error() == errc::invalid_placeholder);
  CHECK(sio::decode_header(missing, o).offset() == missing.size());
}

TEST_CASE("attachment coverage: exact within the window, encoder order beyond it") {
  constexpr std::size_t w = sio::detail::attachment_coverage::window;
  const auto packet = [](const std::vector<std::size_t>& nums, std::size_t count) {
    std::string t = "5" + std::to_string(count) + "-[\"e\"";
    for (const std::size_t i : nums) t += "," + ph(i);
    return t + "]";
  };
  sio::decode_options o;
  o.max_attachments = 4 * w;
  // Any order, duplicates allowed, up to the window: exact.
  for (const std::size_t count :
       {std::size_t{1}, std::size_t{63}, std::size_t{64}, std::size_t{65}, w - 1, w}) {
    std::vector<std::size_t> nums;
    for (std::size_t i = count; i-- > 0;) nums.push_back(i);  // reversed
    nums.push_back(0);
    CAPTURE(count);
    CHECK(sio::decode_header(packet(nums, count), o).error() == errc::none);
    nums.erase(nums.begin() + static_cast<std::ptrdiff_t>(count / 2));  // count/2 unreferenced
    if (count > 1)
      CHECK(sio::decode_header(packet(nums, count), o).error() == errc::invalid_placeholder);
  }
  // Beyond the window: in order, or out of order by less than the window, is fine.
  std::vector<std::size_t> nums;
  for (std::size_t i = 0; i < 4 * w; ++i) nums.push_back(i ^ 1);  // pairs swapped
  CHECK(sio::decode_header(packet(nums, 4 * w), o).error() == errc::none);
  for (std::size_t i = 0; i < 4 * w; ++i)
    nums[i] = i / w * w + (w - 1 - i % w);  // w-blocks reversed
  CHECK(sio::decode_header(packet(nums, 4 * w), o).error() == errc::none);
  // A number a whole window ahead of the lowest unreferenced one cannot be recorded: refused at
  // that placeholder (no encoder writes it; documented in docs/memory.md).
  for (std::size_t i = 0; i < 4 * w; ++i) nums[i] = 4 * w - 1 - i;  // reversed
  const std::string rev = packet(nums, 4 * w);
  const auto r = sio::decode_header(rev, o);
  CHECK(r.error() == errc::invalid_placeholder);
  CHECK(r.offset() == rev.find('{'));
}

// Issue 19.3: counts and ids are refused at the first digit that would overflow, whatever the
// limit; the strict count used to wrap (count 1 below) and the lax one converted a double beyond
// size_t (undefined behaviour, caught by UBSan).
TEST_CASE("attachment counts near SIZE_MAX") {
  for (const bool lax_mode : {false, true}) {
    sio::decode_options o = lax_mode ? lax() : sio::decode_options();
    o.max_attachments = ~std::size_t{0};
    CAPTURE(lax_mode);
    const auto wrap =
        sio::decode_header(R"(518446744073709551617-["x",{"_placeholder":true,"num":0}])", o);
    CHECK(wrap.error() == errc::too_many_attachments);
    CHECK(wrap.offset() == 1);
    CHECK(sio::decode_header(R"(5184467440737095516150-["x"])", o).error() ==
          errc::too_many_attachments);
    CHECK(sio::decode_header(R"(599999999999999999999999999-["x"])", o).error() ==
          errc::too_many_attachments);
    // SIZE_MAX itself is a count within the limit; its attachments are unreferenced.
    const auto max =
        sio::decode_header(R"(518446744073709551615-["x",{"_placeholder":true,"num":0}])", o);
    CHECK(max.error() == (lax_mode ? errc::too_many_attachments : errc::invalid_placeholder));
    o.max_attachments = ~std::size_t{0} - 1;
    CHECK(sio::decode_header(R"(518446744073709551615-["x"])", o).error() ==
          errc::too_many_attachments);
  }
  sio::decode_options o = lax();
  o.max_attachments = ~std::size_t{0};
  CHECK(sio::decode_header(R"(50x10000000000000000-["x"])", o).error() ==
        errc::too_many_attachments);
  CHECK(sio::decode_header(R"(52e19-["x"])", o).error() == errc::too_many_attachments);
  CHECK(sio::decode_header(R"(518446744073709551616-["x"])", o).error() ==
        errc::too_many_attachments);
  CHECK(sio::decode_header(R"(51e400-["x"])", o).error() == errc::invalid_attachment_count);
  // Ack ids: the 64-bit range, whatever max_ack_id.
  for (const bool lax_mode : {false, true}) {
    sio::decode_options a = lax_mode ? lax() : sio::decode_options();
    CHECK(sio::decode_header(R"(218446744073709551615["x"])", a)->id == ~std::uint64_t{0});
    CHECK(sio::decode_header(R"(218446744073709551616["x"])", a).error() == errc::ack_id_overflow);
    CHECK(sio::decode_header(R"(2184467440737095516150["x"])", a).error() == errc::ack_id_overflow);
  }
}

// The one-shot decode() would hand a server a BINARY_EVENT / BINARY_ACK without its attachments
// (attachments == nullptr, placeholders unresolvable): it refuses binary types, in both modes and
// whatever follows the type, and decodes every other text exactly as decode_header() does.
TEST_CASE("decode() refuses binary headers; decode_header() returns them") {
  const std::string_view binary[] = {
      R"(51-["a",{"_placeholder":true,"num":0}])"sv,
      R"(61-/admin,7[{"_placeholder":true,"num":0}])"sv,
      "5"sv,
      "6x"sv,
      R"(51-["a"])"sv,  // malformed (attachment unreferenced): still needs_attachments first
  };
  for (const std::string_view text : binary) {
    for (const sio::decode_options& o : {sio::decode_options{}, lax(), v4()}) {
      const auto r = sio::decode(text, o);
      REQUIRE_FALSE(r);
      CHECK(r.error() == errc::needs_attachments);
      CHECK(r.offset() == 0);
    }
  }
  const auto h = sio::decode_header(binary[0]);
  REQUIRE(h);
  CHECK(h->type == packet_type::binary_event);
  CHECK(h->attachment_count == 1);
  CHECK(h->attachments == nullptr);
  CHECK(std::string(siocodec::to_string(errc::needs_attachments)) == "needs_attachments");

  const std::string_view others[] = {
      "0"sv,          R"(2/admin,13["chat","hi"])"sv,
      R"(3/a,1[])"sv, R"(4{"message":"no"})"sv,
      "1/x,"sv,       "7"sv,
      ""sv,           R"(2["connect"])"sv,
      " 1"sv,         R"(2[1)"sv,
  };
  for (const std::string_view text : others) {
    for (const sio::decode_options& o : {sio::decode_options{}, lax()}) {
      const auto a = sio::decode(text, o);
      const auto b = sio::decode_header(text, o);
      REQUIRE(a.has_value() == b.has_value());
      CHECK(a.offset() == b.offset());
      if (a) {
        CHECK(a->type == b->type);
        CHECK(a->data == b->data);
        CHECK(a->nsp == b->nsp);
      } else {
        CHECK(a.error() == b.error());
      }
    }
  }
}
