// SPDX-License-Identifier: BSL-1.0
// Socket.IO decoding: the whole receive path (decode/), socketio::decode() alone, JSON validation.
#include "ops.hpp"
#include "register.hpp"

void bench::register_sio_decode() {
  register_op<decode_op>();         // Engine.IO + Socket.IO decoder (borrow) + event name
  register_op<sio_decode_op>();     // socketio::decode() of each text + event name
  register_op<json_validate_op>();  // json::validate() of each payload
}
