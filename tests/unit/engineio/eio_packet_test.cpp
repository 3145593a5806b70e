// SPDX-License-Identifier: BSL-1.0
// engineio/packet.hpp: packet types and names, packet_view's makers and equality, and the
// options' defaults (the reference's, through the config macros).
#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/engineio/packet.hpp>

#include "support/catch.hpp"

#include <cstdint>
#include <string>
#include <string_view>

using siocodec::byte_view;
namespace eio = siocodec::engineio;

namespace {

static_assert(static_cast<int>(eio::packet_type::open) == 0, "the wire digits");
static_assert(static_cast<int>(eio::packet_type::noop) == 6, "");
static_assert(static_cast<int>(eio::frame_kind::text) == 0, "");
static_assert(eio::packet_view::text(eio::packet_type::ping, "probe") ==
                  eio::packet_view{eio::packet_type::ping, eio::data_kind::text, "probe"},
              "the text maker is constexpr");

}  // namespace

TEST_CASE("engineio packet_type: names and validity") {
  const char* const names[] = {"open", "close", "ping", "pong", "message", "upgrade", "noop"};
  for (std::uint8_t i = 0; i <= 6; ++i) {
    const auto t = static_cast<eio::packet_type>(i);
    CHECK(eio::is_valid(t));
    CHECK(std::string(eio::to_string(t)) == names[i]);
  }
  for (const int i : {7, 0x30, 255}) {
    const auto t = static_cast<eio::packet_type>(i);
    CHECK_FALSE(eio::is_valid(t));
    CHECK(std::string(eio::to_string(t)) == "unknown");
  }
}

TEST_CASE("engineio packet_view: makers, bytes() and equality") {
  const eio::packet_view def;
  CHECK(def.type == eio::packet_type::message);
  CHECK(def.kind == eio::data_kind::text);
  CHECK(def.data.empty());

  const std::string_view raw("\x00\xff", 2);
  const auto bin = eio::packet_view::binary(byte_view(raw));
  CHECK(bin.type == eio::packet_type::message);
  CHECK(bin.kind == eio::data_kind::binary);
  CHECK(bin.data.data() == raw.data());  // a view, not a copy
  CHECK(bin.bytes() == byte_view(raw));
  CHECK(bin.bytes()[1] == 0xff);
  const auto v3 = eio::packet_view::binary(byte_view(raw), eio::packet_type::ping);
  CHECK(v3.type == eio::packet_type::ping);

  // Equality compares type, kind and the bytes of data (not their address).
  const std::string copy(raw);
  CHECK(bin == eio::packet_view::binary(byte_view(copy)));
  CHECK(bin != v3);
  CHECK(eio::packet_view::text(eio::packet_type::message, "AQ==") !=
        eio::packet_view{eio::packet_type::message, eio::data_kind::base64, "AQ=="});
  CHECK(eio::packet_view::text(eio::packet_type::message, "a") !=
        eio::packet_view::text(eio::packet_type::message, "b"));
}

TEST_CASE("engineio options: the reference's defaults, from config.hpp") {
  const eio::decode_options d;
  CHECK(d.version == eio::protocol_version::v4);
  CHECK(d.base64 == siocodec::base64::mode::strict);
  CHECK(d.max_payload == SIOCODEC_DEFAULT_MAX_PAYLOAD);
  CHECK(d.max_packets == SIOCODEC_DEFAULT_MAX_PAYLOAD_PACKETS);
  const eio::encode_options e;
  CHECK(e.version == eio::protocol_version::v4);
  CHECK(e.supports_binary);
}
