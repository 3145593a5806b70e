// SPDX-License-Identifier: BSL-1.0
// Engine.IO long-polling bodies (w6, w7): splitting, base64 packets, encoding.
#include "ops.hpp"
#include "register.hpp"

void bench::register_payload() {
  register_op<payload_decode_op>();      // split + validate (base64 kept as text)
  register_op<payload_decode_b64_op>();  // split + base64 decoded into scratch
  register_op<payload_encode_op>();      // Engine.IO packets -> body
}
