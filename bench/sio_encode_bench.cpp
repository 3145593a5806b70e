// SPDX-License-Identifier: BSL-1.0
// Socket.IO encoding: the whole send path from C++ values or raw JSON, and the memcpy floor.
#include "ops.hpp"
#include "register.hpp"

void bench::register_sio_encode() {
  register_op<encode_op>();             // argument writer -> frames, caller buffer
  register_op<encode_string_op>();      // argument writer -> frames, a new std::string
  register_op<encode_raw_op>();         // raw JSON packet_view -> frames, caller buffer
  register_op<encode_raw_string_op>();  // raw JSON packet_view -> frames, a new std::string
  register_op<memcpy_op>();             // copying the workload's bytes
}
