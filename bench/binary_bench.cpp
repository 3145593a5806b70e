// SPDX-License-Identifier: BSL-1.0
// Binary data: base64 kernels (w7) and attachment reassembly with copying (w5, w9).
#include "ops.hpp"
#include "register.hpp"

void bench::register_binary() {
  register_op<base64_decode_op>();      // strict
  register_op<base64_decode_lax_op>();  // what Node's Buffer.from accepts
  register_op<base64_encode_op>();
  register_op<decode_copy_op>();  // decode/ with attachment_mode::copy
}
