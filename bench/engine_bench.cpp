// SPDX-License-Identifier: BSL-1.0
// The Engine.IO engines per message (engine_ops.hpp), next to eio_encode / eio_decode.
#include "engine_ops.hpp"
#include "register.hpp"

void bench::register_engine() {
  register_op<engine_send_op>();
  register_op<engine_recv_op>();
}
