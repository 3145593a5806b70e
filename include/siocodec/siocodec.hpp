// SPDX-License-Identifier: BSL-1.0
// Umbrella header: everything siocodec offers, without the optional adapters.
#ifndef SIOCODEC_SIOCODEC_HPP
#define SIOCODEC_SIOCODEC_HPP

#include <siocodec/base64.hpp>
#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/engineio.hpp>
#include <siocodec/error.hpp>
#include <siocodec/json/json.hpp>
#include <siocodec/msgpack/msgpack.hpp>
#include <siocodec/result.hpp>
#include <siocodec/sink.hpp>
#include <siocodec/socketio.hpp>
#include <siocodec/utf8.hpp>
#include <siocodec/version.hpp>

#endif  // SIOCODEC_SIOCODEC_HPP
