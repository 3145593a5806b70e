// SPDX-License-Identifier: BSL-1.0
#include <siocodec/socketio/default_parser/args.hpp>

#include "support/catch.hpp"

#include <string>
#include <string_view>
#include <vector>

using namespace std::string_view_literals;
namespace sio = siocodec::socketio;
namespace json = siocodec::json;
using siocodec::byte_view;

TEST_CASE("event name and arguments of an EVENT") {
  auto p = sio::decode_header(R"(2/chat,17["chat message",{"user":"alice"},42,"x"])"sv);
  REQUIRE(p);
  const json::value name = sio::event_name(*p);
  CHECK(name.is_string());
  CHECK(name.string_equals("chat message"));
  std::vector<std::string_view> raw;
  for (const sio::argument& a : sio::arguments(*p)) {
    CHECK_FALSE(a.is_binary);
    raw.push_back(a.json.raw());
  }
  CHECK(raw == std::vector<std::string_view>{R"({"user":"alice"})", "42", R"("x")"});
  CHECK(sio::arguments(*p).size() == 3);
  CHECK(sio::payload(*p).is_array());
}

TEST_CASE("numeric event names, escaped names, events without arguments") {
  auto num = sio::decode_header(R"(2[7,"a"])"sv);
  REQUIRE(num);
  CHECK(sio::event_name(*num).is_number());
  CHECK(sio::event_name(*num).raw() == "7");

  auto esc = sio::decode_header(R"(2["caf\u00e9"])"sv);
  REQUIRE(esc);
  CHECK(sio::event_name(*esc).string_equals("caf\xc3\xa9"));
  CHECK(sio::arguments(*esc).empty());

  auto no_data = sio::decode_header("2"sv);
  REQUIRE(no_data);
  CHECK_FALSE(sio::event_name(*no_data).exists());
  CHECK(sio::arguments(*no_data).empty());
}

TEST_CASE("ACK arguments start at the first element") {
  auto p = sio::decode_header(R"(3/admin,13["bar",1])"sv);
  REQUIRE(p);
  CHECK_FALSE(sio::event_name(*p).exists());
  std::vector<std::string_view> raw;
  for (const auto& a : sio::arguments(*p)) raw.push_back(a.json.raw());
  CHECK(raw == std::vector<std::string_view>{R"("bar")", "1"});
  auto empty = sio::decode_header("3[]"sv);
  REQUIRE(empty);
  CHECK(sio::arguments(*empty).empty());
}

TEST_CASE("binary arguments resolve to their attachments, at any depth") {
  auto p = sio::decode_header(
      R"(52-["upload",{"_placeholder":true,"num":1},{"meta":{"thumb":{"_placeholder":true,"num":0}}}])"sv);
  REQUIRE(p);
  // Before the attachments arrive the argument is known to be binary, without bytes.
  auto first = sio::arguments(*p).begin();
  CHECK(first->is_binary);
  CHECK(first->bytes.empty());

  const unsigned char a0[] = {1, 2, 3};
  const unsigned char a1[] = {9};
  const byte_view atts[] = {byte_view(a0, 3), byte_view(a1, 1)};
  sio::packet_view full = *p;
  full.attachments = atts;

  std::vector<bool> binary;
  for (const auto& a : sio::arguments(full)) {
    binary.push_back(a.is_binary);
    if (a.is_binary) CHECK(a.bytes == atts[1]);
  }
  CHECK(binary == std::vector<bool>{true, false});

  // The nested one: walk to it and resolve it.
  const json::value meta = sio::payload(full)[2];
  json::value m, thumb;
  REQUIRE(meta.find("meta", m));
  REQUIRE(m.find("thumb", thumb));
  byte_view out;
  REQUIRE(sio::resolve_placeholder(full, thumb, out));
  CHECK(out == atts[0]);
  CHECK_FALSE(sio::resolve_placeholder(full, m, out));
  CHECK_FALSE(sio::resolve_placeholder(full, sio::event_name(full), out));
}

TEST_CASE("placeholders in non-binary packets are plain data") {
  auto p = sio::decode_header(R"(2["a",{"_placeholder":true,"num":0}])"sv);
  REQUIRE(p);
  for (const auto& a : sio::arguments(*p)) CHECK_FALSE(a.is_binary);
}

TEST_CASE("event_name of a hand-built packet: the array walk's first element, whatever the text") {
  // Every text of up to 6 bytes over the bytes that steer the walk, with no name noted by a
  // decoder: a leading space must change nothing, and on valid JSON the answer must be what
  // the array walk gives.
  const char alphabet[] = {'[', ']', '"', '\\', ' ', 'a', ','};
  std::string text;
  std::string spaced;
  std::size_t checked = 0;
  std::size_t valid = 0;
  for (std::size_t len = 0; len <= 6; ++len) {
    std::vector<std::size_t> digit(len, 0);
    for (;;) {
      text.assign(len, ' ');
      for (std::size_t i = 0; i < len; ++i) text[i] = alphabet[digit[i]];
      spaced = " " + text;
      sio::packet_view p;
      p.type = sio::packet_type::event;
      p.data = text;
      sio::packet_view q = p;
      q.data = spaced;
      const json::value name = sio::event_name(p);
      const json::value general = sio::event_name(q);
      INFO(text);
      CHECK(name.raw() == general.raw());
      CHECK(name.type() == general.type());
      if (json::validate(text)) {
        const json::value root = json::value::unchecked(text);
        json::value first;
        if (root.is_array() && root.elements().begin() != root.elements().end()) {
          first = *root.elements().begin();
        }
        CHECK(name.raw() == first.raw());
        CHECK(name.type() == first.type());
        ++valid;
      }
      ++checked;
      std::size_t i = 0;
      while (i < len && ++digit[i] == sizeof alphabet) digit[i++] = 0;
      if (i == len) break;
    }
  }
  CHECK(checked == 137257);  // 1 + 7 + 7^2 + ... + 7^6
  CHECK(valid > 50);
}

TEST_CASE("decode() notes the event name; event_name() uses it only while it fits the payload") {
  struct c {
    std::string_view text;
    std::string_view name;  // the noted token; empty: none
  };
  const c cases[] = {
      {R"(2["chat message","hello world"])"sv, R"("chat message")"sv},
      {R"(2/chat,17[42,"x"])"sv, "42"sv},
      {R"(2["a\"b",1])"sv, R"("a\"b")"sv},
      {R"(2[ "spaced" , 1 ])"sv, R"("spaced")"sv},
      {R"(2["only"])"sv, R"("only")"sv},
      {R"(51-["up",{"_placeholder":true,"num":0}])"sv, R"("up")"sv},
      {R"(3/chat,17["not a name"])"sv, ""sv},
      {R"(0{"token":"x"})"sv, ""sv},
      {"1"sv, ""sv},
  };
  for (const auto& t : cases) {
    CAPTURE(t.text);
    const auto p = sio::decode_header(t.text);
    REQUIRE(p);
    CHECK(p->event_raw == t.name);
    if (!t.name.empty()) {
      // A view into the payload, not a copy.
      CHECK(p->event_raw.data() > p->data.data());
      CHECK(p->event_raw.data() + p->event_raw.size() < p->data.data() + p->data.size());
    }
    // The noted name and the one found by walking the payload agree.
    sio::packet_view walked = *p;
    walked.event_raw = {};
    CHECK(sio::event_name(*p).raw() == sio::event_name(walked).raw());
    CHECK(sio::event_name(*p).type() == sio::event_name(walked).type());
  }
  // A packet copied and given other data keeps the old view, which no longer lies inside the
  // payload: the name is then found in the new data.
  const auto p = sio::decode_header(R"(2["old",1])"sv);
  REQUIRE(p);
  sio::packet_view edited = *p;
  const std::string data = R"(["new",2])";
  edited.data = data;
  CHECK(sio::event_name(edited).string_equals("new"));
  // A view that covers the closing bracket or the opening one is not used either.
  sio::packet_view odd = *p;
  odd.event_raw = p->data.substr(0, 6);
  CHECK(sio::event_name(odd).raw() == R"("old")");
  odd.event_raw = p->data.substr(6);
  CHECK(sio::event_name(odd).raw() == R"("old")");
}

// Issue 17.4: the natural one-liners over a temporary result. Under ASan (the asan CI
// configuration runs this file) each of them read freed stack while the range or reference kept
// a pointer to the temporary packet_view.
TEST_CASE("arguments() and references over a temporary decode result stay valid") {
  const std::string text = R"(2/chat,7["msg",{"user":"alice"},42,"x"])";
  std::vector<std::string_view> raw;
  for (const auto& a : sio::arguments(*sio::decode_header(text))) raw.push_back(a.json.raw());
  CHECK(raw == std::vector<std::string_view>{R"({"user":"alice"})", "42", R"("x")"});
  CHECK(sio::arguments(*sio::decode_header(text)).size() == 3);

  const auto& p = *sio::decode_header(text);  // a value now: the reference extends its life
  CHECK(p.nsp == "/chat");
  CHECK(p.id == 7u);
  const sio::packet_view& q = sio::decode_header(text).value();
  CHECK(q.data == R"(["msg",{"user":"alice"},42,"x"])");
  CHECK(sio::event_name(*sio::decode_header(text)).string_equals("msg"));

  // A binary packet: the range keeps the attachments, not the packet.
  const std::string bin = R"(52-["up",{"_placeholder":true,"num":1},{"_placeholder":"","x":1},)"
                          R"({"_placeholder":true,"num":0}])";
  const unsigned char b0[] = {1}, b1[] = {2, 3};
  const byte_view atts[] = {byte_view(b0, 1), byte_view(b1, 2)};
  const auto with_atts = [&](std::string_view s) {
    auto r = sio::decode_header(s);
    r->attachments = atts;
    return r;
  };
  std::vector<std::size_t> sizes;
  std::vector<bool> binary;
  for (const auto& a : sio::arguments(*with_atts(bin))) {
    binary.push_back(a.is_binary);
    sizes.push_back(a.bytes.size());
  }
  CHECK(binary == std::vector<bool>{true, false, true});
  CHECK(sizes == std::vector<std::size_t>{2, 0, 1});
}

// Issue 17.1: the argument range and resolve_placeholder() call an object a placeholder exactly
// when decode() did: `_placeholder` other than `true` is data, before and after the attachments.
TEST_CASE("placeholder or data: the argument walk agrees with decode()") {
  const std::string text =
      R"(51-["e",{"_placeholder":""},{"_placeholder":{}},{"_placeholder":[]},{"_placeholder":0},)"
      R"({"_placeholder":false,"num":0},{"_placeholder":"true","num":0},{"_placeholder":1,"num":0},)"
      R"({"_placeholder":true,"_placeholder":null,"num":0},{"_placeholder":true,"num":0}])";
  const auto r = sio::decode_header(text);
  REQUIRE(r);
  const unsigned char b0[] = {7};
  const byte_view atts[] = {byte_view(b0, 1)};
  sio::packet_view full = *r;
  full.attachments = atts;
  const sio::packet_view* both[] = {&*r, &full};
  for (const sio::packet_view* p : both) {
    std::vector<bool> binary;
    for (const auto& a : sio::arguments(*p)) binary.push_back(a.is_binary);
    CHECK(binary ==
          std::vector<bool>{false, false, false, false, false, false, false, false, true});
  }
  std::vector<bool> resolved;
  for (const json::value v : sio::payload(full).elements()) {
    byte_view out;
    resolved.push_back(sio::resolve_placeholder(full, v, out));
  }
  CHECK(resolved ==
        std::vector<bool>{false, false, false, false, false, false, false, false, false, true});
}
