// SPDX-License-Identifier: BSL-1.0
// The Socket.IO packets both engine tests send to check that a disconnect carries the codec's
// errc and byte offset, and what the codec alone says of each: the ground truth they compare
// with.
#ifndef SIOCODEC_TESTS_UNIT_ENGINE_SIO_REFUSALS_HPP
#define SIOCODEC_TESTS_UNIT_ENGINE_SIO_REFUSALS_HPP

#include <siocodec/engineio/packet.hpp>
#include <siocodec/error.hpp>
#include <siocodec/socketio/codec.hpp>

#include "support/catch.hpp"

#include <cstddef>
#include <string_view>

namespace siocodec_test {

/// Engine.IO message data (without the `4` of the message type) the JSON codec refuses: a bad
/// literal, a control character in a namespace, an ack id past 2^53, too deep, a placeholder
/// past the attachments, a packet type that does not exist.
inline constexpr std::string_view refused_sio_packets[] = {
    "42[\"a\",tru]",
    "42/admin\x01,[\"a\"]",
    "43/admin,99999999999999999999999[1]",
    "2999999999999999999999[\"a\"]",
    "451-[\"a\",{\"_placeholder\":true,\"num\":7}]",
    "42[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]",
    "9",
};

struct refusal {
  siocodec::errc error;
  std::size_t offset;
};

/// What a JSON codec alone gives for `data` as one text message (it must be a refusal).
inline refusal codec_refusal(std::string_view data) {
  namespace sio = siocodec::socketio;
  sio::codec alone(sio::parser_kind::json, sio::codec_options{});
  siocodec::engineio::packet_view m;
  m.type = siocodec::engineio::packet_type::message;
  m.kind = siocodec::engineio::data_kind::text;
  m.data = data;
  const auto r = alone.decode(m);
  REQUIRE_FALSE(r);
  REQUIRE(r.error() != siocodec::errc::incomplete);
  return {r.error(), r.offset()};
}

}  // namespace siocodec_test

#endif  // SIOCODEC_TESTS_UNIT_ENGINE_SIO_REFUSALS_HPP
