// SPDX-License-Identifier: BSL-1.0
// Umbrella header of the Socket.IO layer (default JSON parser, msgpack parser, parser choice).
#ifndef SIOCODEC_SOCKETIO_HPP
#define SIOCODEC_SOCKETIO_HPP

#include <siocodec/socketio/args.hpp>
#include <siocodec/socketio/decode.hpp>
#include <siocodec/socketio/decoder.hpp>
#include <siocodec/socketio/encode.hpp>
#include <siocodec/socketio/frames.hpp>
#include <siocodec/socketio/msgpack.hpp>
#include <siocodec/socketio/packet.hpp>
#include <siocodec/socketio/parser.hpp>

#endif  // SIOCODEC_SOCKETIO_HPP
