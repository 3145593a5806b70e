// SPDX-License-Identifier: BSL-1.0
// Engine.IO frame encoding alone (WebSocket workloads).
#include "ops.hpp"
#include "register.hpp"

void bench::register_eio_encode() { register_op<eio_encode_op>(); }
