// SPDX-License-Identifier: BSL-1.0
// The quick-start demo: decodes and encodes a few real Engine.IO packets and prints them.
#include <siocodec/siocodec.hpp>

#include <cstdio>
#include <string>
#include <string_view>

namespace eio = siocodec::engineio;

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
  return 0;
}
