// SPDX-License-Identifier: BSL-1.0
// Engine.IO frame decoding alone (WebSocket workloads).
#include "ops.hpp"
#include "register.hpp"

void bench::register_eio_decode() { register_op<eio_decode_op>(); }
