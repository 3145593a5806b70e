// SPDX-License-Identifier: BSL-1.0
// The quick-start demo: decodes and encodes a few real Engine.IO and Socket.IO packets and prints
// them.
#include <siocodec/siocodec.hpp>

#include <cstdio>
#include <string>
#include <string_view>

namespace eio = siocodec::engineio;
namespace sio = siocodec::socketio;

namespace {

void print(const char* label, const eio::packet_view& p) {
  const char* kinds[] = {"text", "binary", "base64"};
  std::printf("  %-28s type=%-7s kind=%-6s data=", label, eio::to_string(p.type),
              kinds[static_cast<int>(p.kind)]);
  if (p.kind == eio::data_kind::binary) {
    for (unsigned char c : p.bytes()) std::printf("%02x", c);
    std::printf("\n");
  } else {
    std::printf("\"%.*s\"\n", static_cast<int>(p.data.size()), p.data.data());
  }
}

void print_hex(siocodec::byte_view b) {
  for (unsigned char c : b) std::printf("%02x", c);
}

// A Socket.IO packet as a newcomer reads it: who it is for, its ack id, then the event name and
// each argument, raw JSON text or the bytes of an attachment.
void print(const char* label, const sio::packet_view& p) {
  std::printf("  %-28s type=%s nsp=%.*s", label, sio::to_string(p.type),
              static_cast<int>(p.nsp.size()), p.nsp.data());
  if (p.id) std::printf(" id=%llu", static_cast<unsigned long long>(*p.id));
  std::printf("\n");
  if (p.type == sio::packet_type::event || p.type == sio::packet_type::binary_event) {
    const std::string_view name = sio::event_name(p).string_raw();
    std::printf("  %-28s event \"%.*s\"\n", "", static_cast<int>(name.size()), name.data());
  }
  for (const sio::argument& a : sio::arguments(p)) {
    std::printf("  %-28s argument ", "");
    if (a.is_binary) {
      std::printf("<attachment ");
      print_hex(a.bytes);
      std::printf(">\n");
    } else {
      const std::string_view json = a.json.raw();
      std::printf("%.*s\n", static_cast<int>(json.size()), json.data());
    }
  }
}

// The frames of one Socket.IO packet, as a transport would send them.
void print(const eio::frame& f) {
  std::printf("    %-6s ", f.kind == eio::frame_kind::binary ? "binary" : "text");
  if (f.kind == eio::frame_kind::binary) {
    print_hex(f.bytes());  // Engine.IO v4: no prefix, the attachment itself
  } else {
    for (char c : f.data) std::printf(c == '\x1e' ? "\\x1e" : "%c", c);
  }
  std::printf("\n");
}

}  // namespace

int main() {
  std::printf("siocodec %s quick start\n\n", SIOCODEC_VERSION_STRING);

  // 1. A WebSocket text frame. The transport says "text"; the codec never guesses.
  std::printf("Decoding frames:\n");
  const std::string_view frame = "4hello world";
  auto msg = eio::decode(frame, eio::frame_kind::text);
  if (!msg) return 1;
  print("text frame \"4hello world\"", *msg);

  // 2. A v4 WebSocket binary frame: always a message, no type byte.
  const unsigned char blob[] = {0xde, 0xad, 0xbe, 0xef};
  auto bin = eio::decode(siocodec::byte_view(blob, sizeof blob), eio::frame_kind::binary);
  if (!bin) return 1;
  print("binary frame deadbeef", *bin);

  // 3. Hostile input gets a typed error with its offset, never an exception.
  auto bad = eio::decode(std::string_view("9oops"), eio::frame_kind::text);
  std::printf("  %-28s error=%s at offset %zu\n", "text frame \"9oops\"",
              siocodec::to_string(bad.error()), bad.offset());

  // 4. An HTTP long-polling body with three packets, read lazily and without copies; the base64
  //    packet is decoded into caller storage.
  std::printf("\nDecoding a polling body:\n");
  const std::string_view body = "4hello\x1e"
                                "2\x1e"
                                "bAQIDBA==";
  unsigned char scratch[64];
  auto reader = eio::decode_payload(body, eio::frame_kind::text, {}, scratch);
  for (const eio::packet_view& p : reader) print("packet", p);
  std::printf("  %-28s %s\n", "end of body:", siocodec::to_string(reader.error()));

  // 5. Encoding: one frame into a fixed buffer, then a polling body for v4 and for v3.
  std::printf("\nEncoding:\n");
  char buf[32];
  auto n = eio::encode_to(buf, eio::packet_view::text(eio::packet_type::ping, "probe"));
  if (!n) return 1;
  std::printf("  %-28s \"%.*s\"\n", "ping frame:", static_cast<int>(*n), buf);

  const eio::packet_view batch[] = {
      eio::packet_view::text(eio::packet_type::message, "hello"),
      eio::packet_view::text(eio::packet_type::message, "\xe2\x82\xac"),  // the euro sign
      eio::packet_view::binary(siocodec::byte_view(blob, sizeof blob)),
  };
  std::string v4_body;
  if (!eio::encode_payload(batch, 3, v4_body)) return 1;
  std::printf("  %-28s ", "v4 body:");
  for (char c : v4_body) std::printf(c == '\x1e' ? "\\x1e" : "%c", c);
  std::printf("\n");

  eio::encode_options v3;
  v3.version = eio::protocol_version::v3;
  v3.supports_binary = false;
  std::string v3_body;
  if (!eio::encode_payload(batch, 3, v3_body, v3)) return 1;
  std::printf("  %-28s %s   (lengths in UTF-16 units)\n", "v3 body:", v3_body.c_str());

  // 6. Socket.IO rides on Engine.IO messages. A binary event is a text header whose placeholder
  //    stands for an attachment that arrives as the next binary message; a decoder per
  //    connection puts them back together.
  std::printf("\nDecoding Socket.IO packets (the data of Engine.IO messages):\n");
  sio::decoder dec;
  const std::string_view header =
      R"(451-/chat,7["upload","cat.png",{"_placeholder":true,"num":0}])";
  auto part = dec.feed(header.substr(1), eio::frame_kind::text);  // after the Engine.IO `4`
  std::printf("  %-28s %s: waiting for 1 attachment\n", "header",
              siocodec::to_string(part.error()));
  auto upload = dec.feed(siocodec::byte_view(blob, sizeof blob), eio::frame_kind::binary);
  if (!upload) return 1;
  print("binary event + deadbeef", *upload);

  // The server answers ack id 7 with its own arguments.
  auto reply =
      dec.feed(std::string_view(R"(3/chat,7["saved",{"bytes":4}])"), eio::frame_kind::text);
  if (!reply) return 1;
  print("ack 3/chat,7[...]", *reply);

  // 7. Encoding an event with a binary argument gives the frames to send, per transport: over
  //    WebSocket a text frame and one binary frame per attachment (the caller's bytes, no copy);
  //    over polling one body, the attachment in base64.
  std::printf("\nEncoding emit(\"upload\", \"cat.png\", <deadbeef>) with ack id 8:\n");
  const auto event =
      sio::event("upload", "cat.png", siocodec::byte_view(blob, sizeof blob)).nsp("/chat").id(8);
  const eio::transport_kind transports[] = {eio::transport_kind::websocket,
                                            eio::transport_kind::polling};
  for (eio::transport_kind t : transports) {
    std::printf("  %s:\n", t == eio::transport_kind::websocket ? "WebSocket" : "polling");
    eio::transport_options fo;
    fo.transport = t;
    std::string storage;
    sio::attachment_list<4> atts;
    if (!sio::encode_frames(event, storage, atts, fo, [](const eio::frame& f) { print(f); })) {
      return 1;
    }
  }
  return 0;
}
