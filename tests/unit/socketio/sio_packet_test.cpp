// SPDX-License-Identifier: BSL-1.0
// socketio/packet.hpp: the packet types and their names, packet_view's own accessors, and the
// decode options' defaults (which must be the reference's and the config macros').
#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/socketio/packet.hpp>

#include "support/catch.hpp"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

using siocodec::byte_view;
namespace sio = siocodec::socketio;

namespace {

// The enumerators are the wire digits (protocol.md §2.1).
static_assert(static_cast<int>(sio::packet_type::connect) == 0, "");
static_assert(static_cast<int>(sio::packet_type::connect_error) == 4, "");
static_assert(static_cast<int>(sio::packet_type::binary_ack) == 6, "");
static_assert(static_cast<int>(sio::protocol_version::v5) == 5, "");
static_assert(sizeof(sio::packet_type) == 1, "");

}  // namespace

TEST_CASE("socketio packet_type: names, validity, binary types") {
  const char* const v5[] = {"connect",       "disconnect",   "event",     "ack",
                            "connect_error", "binary_event", "binary_ack"};
  for (std::uint8_t i = 0; i <= 6; ++i) {
    const auto t = static_cast<sio::packet_type>(i);
    INFO(int{i});
    CHECK(sio::is_valid(t));
    CHECK(std::string(sio::to_string(t)) == v5[i]);
    CHECK(sio::is_binary(t) == (i == 5 || i == 6));
    // Protocol v4 calls type 4 ERROR; every other name is the same.
    CHECK(std::string(sio::to_string(t, sio::protocol_version::v4)) == (i == 4 ? "error" : v5[i]));
  }
  for (const int i : {7, 9, 255}) {
    const auto t = static_cast<sio::packet_type>(i);
    CHECK_FALSE(sio::is_valid(t));
    CHECK_FALSE(sio::is_binary(t));
    CHECK(std::string(sio::to_string(t)) == "unknown");
  }
  static_assert(sio::is_binary(sio::packet_type::binary_event), "usable in constant expressions");
}

TEST_CASE("socketio packet_view: defaults and accessors") {
  const sio::packet_view empty;
  CHECK(empty.type == sio::packet_type::event);
  CHECK(empty.nsp == "/");
  CHECK_FALSE(empty.id.has_value());
  CHECK_FALSE(empty.has_data());
  CHECK(empty.attachment_count == 0);
  CHECK(empty.attachment(0).empty());

  sio::packet_view p;
  p.data = "[]";
  CHECK(p.has_data());
  // Attachments are announced before they arrive: until a decoder sets the array, every
  // attachment reads as empty; afterwards, an index past the count does too.
  const unsigned char a[2] = {1, 2};
  const unsigned char b[1] = {3};
  const byte_view atts[2] = {byte_view(a, 2), byte_view(b, 1)};
  p.type = sio::packet_type::binary_event;
  p.attachment_count = 2;
  CHECK(p.attachment(1).empty());
  p.attachments = atts;
  CHECK(p.attachment(0) == byte_view(a, 2));
  CHECK(p.attachment(1) == byte_view(b, 1));
  CHECK(p.attachment(2).empty());
  CHECK(p.attachment(std::numeric_limits<std::size_t>::max()).empty());
}

TEST_CASE("socketio decode_options: the reference's defaults, from config.hpp") {
  const sio::decode_options o;
  CHECK(o.version == sio::protocol_version::v5);
  CHECK_FALSE(o.lax);
  CHECK(o.max_attachments == SIOCODEC_DEFAULT_MAX_ATTACHMENTS);
  CHECK(o.max_attachment_bytes == SIOCODEC_DEFAULT_MAX_PAYLOAD);
  // One header and max_attachments attachments of max payload each: what the reference admits.
  CHECK(o.max_packet_bytes == o.max_attachment_bytes * (o.max_attachments + 1));
  CHECK(o.max_namespace == SIOCODEC_DEFAULT_MAX_NAMESPACE);
  CHECK(o.max_ack_id == std::numeric_limits<std::uint64_t>::max());
  CHECK(o.max_depth == SIOCODEC_DEFAULT_MAX_JSON_DEPTH);
}
