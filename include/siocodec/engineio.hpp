// SPDX-License-Identifier: BSL-1.0
// Umbrella header of the Engine.IO layer.
#ifndef SIOCODEC_ENGINEIO_HPP
#define SIOCODEC_ENGINEIO_HPP

#include <siocodec/engineio/client.hpp>
#include <siocodec/engineio/decode.hpp>
#include <siocodec/engineio/encode.hpp>
#include <siocodec/engineio/engine_types.hpp>
#include <siocodec/engineio/frames.hpp>
#include <siocodec/engineio/handshake.hpp>
#include <siocodec/engineio/packet.hpp>
#include <siocodec/engineio/payload.hpp>
#include <siocodec/engineio/request.hpp>
#include <siocodec/engineio/server.hpp>
#include <siocodec/engineio/webtransport.hpp>

#endif  // SIOCODEC_ENGINEIO_HPP
