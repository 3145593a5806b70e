// SPDX-License-Identifier: BSL-1.0
// The msgpack layer in one include: validation, lazy value views and notepack.io-exact writing.
#ifndef SIOCODEC_MSGPACK_MSGPACK_HPP
#define SIOCODEC_MSGPACK_MSGPACK_HPP

#include <siocodec/msgpack/reader.hpp>
#include <siocodec/msgpack/value.hpp>
#include <siocodec/msgpack/writer.hpp>

#endif  // SIOCODEC_MSGPACK_MSGPACK_HPP
