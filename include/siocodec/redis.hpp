// SPDX-License-Identifier: BSL-1.0
// Umbrella header of the Redis adapter layer (@socket.io/redis-adapter 8.3 and
// @socket.io/redis-emitter 5.1 formats): channel names, messages, the emitter, the cluster node.
// Optional, like the msgpack parser it builds on: siocodec.hpp does not include it (the single
// header, which holds every header of include/, does).
#ifndef SIOCODEC_REDIS_HPP
#define SIOCODEC_REDIS_HPP

#include <siocodec/redis/broadcast.hpp>
#include <siocodec/redis/channel.hpp>
#include <siocodec/redis/emitter.hpp>
#include <siocodec/redis/node.hpp>
#include <siocodec/redis/request.hpp>
#include <siocodec/redis/tracker.hpp>

#endif  // SIOCODEC_REDIS_HPP
