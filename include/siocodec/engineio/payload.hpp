// SPDX-License-Identifier: BSL-1.0
// HTTP long-polling payloads: several Engine.IO packets in one body, in every format.
// One header per job: the body grammar (payload_scanner.hpp), reading a whole body
// (payload_reader.hpp), decoding one that arrives in chunks (payload_decoder.hpp), writing one
// (payload_encode.hpp).
#ifndef SIOCODEC_ENGINEIO_PAYLOAD_HPP
#define SIOCODEC_ENGINEIO_PAYLOAD_HPP

#include <siocodec/engineio/payload_decoder.hpp>
#include <siocodec/engineio/payload_encode.hpp>
#include <siocodec/engineio/payload_reader.hpp>
#include <siocodec/engineio/payload_scanner.hpp>

#endif  // SIOCODEC_ENGINEIO_PAYLOAD_HPP
