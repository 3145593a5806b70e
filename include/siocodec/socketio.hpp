// SPDX-License-Identifier: BSL-1.0
// Umbrella header of the Socket.IO layer (default JSON parser, msgpack parser, parser choice).
#ifndef SIOCODEC_SOCKETIO_HPP
#define SIOCODEC_SOCKETIO_HPP

#include <siocodec/socketio/any.hpp>
#include <siocodec/socketio/client.hpp>
#include <siocodec/socketio/codec.hpp>
#include <siocodec/socketio/copy.hpp>
#include <siocodec/socketio/default_parser/args.hpp>
#include <siocodec/socketio/default_parser/decode.hpp>
#include <siocodec/socketio/default_parser/decoder.hpp>
#include <siocodec/socketio/default_parser/encode.hpp>
#include <siocodec/socketio/default_parser/frames.hpp>
#include <siocodec/socketio/encoded_packet.hpp>
#include <siocodec/socketio/engine_types.hpp>
#include <siocodec/socketio/msgpack_parser/args.hpp>
#include <siocodec/socketio/msgpack_parser/decode.hpp>
#include <siocodec/socketio/msgpack_parser/encode.hpp>
#include <siocodec/socketio/msgpack_parser/frames.hpp>
#include <siocodec/socketio/packet.hpp>
#include <siocodec/socketio/recovery.hpp>
#include <siocodec/socketio/server.hpp>

#endif  // SIOCODEC_SOCKETIO_HPP
