// SPDX-License-Identifier: BSL-1.0
// The code of README.md's usage section, compiled and run by CI (ctest example.usage): every
// snippet of the README is copied verbatim from a block between `// [name]` markers below
// (tools/check_snippets.py checks that it still is). Each block checks its own result.
#include <siocodec/siocodec.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace eio = siocodec::engineio;
namespace sio = siocodec::socketio;

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  if (!ok) {
    std::printf("FAILED: %s\n", what);
    ++failures;
  }
}

void decode_one_frame() {
  const std::string_view frame = "4hello";
  // [decode-frame]
  auto p = eio::decode(frame, eio::frame_kind::text);  // the transport says text or binary
  if (!p) {
    std::printf("%s at byte %zu\n", siocodec::to_string(p.error()), p.offset());
  } else if (p->type == eio::packet_type::message) {
    std::printf("message: %.*s\n", static_cast<int>(p->data.size()), p->data.data());
  }
  // [decode-frame]
  check(p && p->data == "hello", "decode-frame");
}

void decode_polling_body() {
  const std::string_view body = "2\x1e"
                                "4hello\x1e"
                                "bAQID";
  std::size_t seen = 0;
  // [polling]
  std::vector<unsigned char> scratch(body.size());  // base64 packets are decoded into it
  eio::payload_reader reader(body, eio::frame_kind::text, {},
                             siocodec::byte_span(scratch.data(), scratch.size()));
  for (const eio::packet_view& p : reader) {
    ++seen;  // ping, message "hello", binary message 01 02 03
    (void)p;
  }
  if (reader.error() != siocodec::errc::none) {
    std::printf("bad body: %s at byte %zu\n", siocodec::to_string(reader.error()), reader.offset());
  }
  // [polling]
  check(seen == 3 && reader.error() == siocodec::errc::none, "polling");
}

void decode_socketio() {
  std::string got;
  // Two WebSocket frames of a connection: a binary event's header, then its attachment.
  const std::string_view text_frame =
      R"(451-/chat,12["upload","cat.png",{"_placeholder":true,"num":0}])";
  const unsigned char png[] = {0x89, 0x50, 0x4e, 0x47};
  const eio::packet_view header = *eio::decode(text_frame, eio::frame_kind::text);
  const eio::packet_view attachment =
      *eio::decode(siocodec::byte_view(png, sizeof png), eio::frame_kind::binary);
  // [socketio-decode]
  sio::codec conn(sio::parser_kind::json);  // one per connection (or parser_kind::msgpack)
  // every Engine.IO message of the connection, in order, as the Engine.IO layer delivered it:
  auto r = conn.decode(header);  // errc::incomplete: a binary header, waiting for its attachment
  r = conn.decode(attachment);
  if (r) {
    const sio::any_packet& p = *r;            // nsp "/chat", id 12: the same view for both parsers
    (void)p.event_name().append_string(got);  // "upload"
    for (const sio::any_value& a : p.arguments()) {  // the arguments after the name
      if (a.is_binary()) {
        got += " <" + std::to_string(a.bytes().size()) + " bytes>";  // the attachment
      } else if (a.is_string()) {
        got += ' ';
        (void)a.append_string(got);
      }
    }
  }
  // [socketio-decode]
  check(got == "upload cat.png <4 bytes>" && r && r->nsp() == "/chat" && r->id() == 12u,
        "socketio-decode");
}

void encode_socketio() {
  const unsigned char bytes[] = {1, 2, 3};
  const siocodec::byte_view image(bytes, sizeof bytes);
  sio::codec conn(sio::parser_kind::json);
  std::vector<eio::packet_view> sent;
  // [socketio-encode]
  std::string storage;
  sio::attachment_list<4> attachments;  // fixed capacity: no allocation
  auto r = conn.encode(sio::event("photo", "me.png", image).nsp("/chat").id(7), storage,
                       attachments, [&](const eio::packet_view& m) { sent.push_back(m); });
  // sent[0]: text message 51-/chat,7["photo","me.png",{"_placeholder":true,"num":0}]
  // sent[1]: binary message, the bytes of image (a view: nothing copied)
  // The transport frames each one: eio::encode() for WebSocket, eio::encode_payload() for polling.
  // [socketio-encode]
  check(r && sent.size() == 2 && sent[0].kind == eio::data_kind::text &&
            sent[0].data == R"(51-/chat,7["photo","me.png",{"_placeholder":true,"num":0}])" &&
            sent[1].kind == eio::data_kind::binary && sent[1].bytes().data() == image.data(),
        "socketio-encode");
}

void encode_frames() {
  sio::codec conn(sio::parser_kind::json);
  std::vector<std::string> sent;
  // [frames]
  eio::transport_options opts;
  opts.transport = eio::transport_kind::polling;  // one HTTP body, base64 for binary
  std::string storage;
  auto r = conn.encode_frames(sio::event("hello", 1, "two"), storage, opts,
                              [&](const eio::frame& f) { sent.emplace_back(f.data); });
  // sent == { R"(42["hello",1,"two"])" }: already framed for Engine.IO (the `4` included)
  // [frames]
  check(r && sent.size() == 1 && sent[0] == R"(42["hello",1,"two"])", "frames");
}

void errors() {
  // [errors]
  auto r = sio::decode(R"(2["hello",)");
  if (!r) {
    // prints "invalid_json at 10: invalid JSON"
    std::printf("%s at %zu: %s\n", siocodec::to_string(r.error()), r.offset(),
                siocodec::message(r.error()));
  }
  // [errors]
  check(!r && r.error() == siocodec::errc::invalid_json && r.offset() == 10, "errors");
}

void change_limits() {
  // [limits]
  sio::codec_options o;
  o.decode.max_attachments = 32;  // raise only together with the peer's maxAttachments
  o.decode.max_packet_bytes = 4 * 1024 * 1024;
  o.attachments = sio::attachment_mode::copy;  // the codec keeps the bytes it hands out
  sio::codec conn(sio::parser_kind::json, o);
  // [limits]
  std::string header = R"(512-["many")";
  for (int i = 0; i < 12; ++i) {
    header += R"(,{"_placeholder":true,"num":)" + std::to_string(i) + "}";
  }
  header += "]";
  auto r = conn.decode(std::string_view(header), eio::frame_kind::text);
  check(r.error() == siocodec::errc::incomplete, "limits");  // 12 > the default 10
}

}  // namespace

int main() {
  decode_one_frame();
  decode_polling_body();
  decode_socketio();
  encode_socketio();
  encode_frames();
  errors();
  change_limits();
  if (failures != 0) return EXIT_FAILURE;
  std::printf("usage: all README snippets ran and checked\n");
  return EXIT_SUCCESS;
}
