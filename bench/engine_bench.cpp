// SPDX-License-Identifier: BSL-1.0
// The Engine.IO engines over WebSocket against the bare codec (engine_ops.hpp): the engines'
// overhead per message is (engine_ws_* - codec_ws) / messages per workload.
#include "engine_ops.hpp"
#include "register.hpp"

void bench::register_engine() {
  register_op<engine_ws_down_op>();
  register_op<engine_ws_up_op>();
  register_op<codec_ws_op>();
}
