// SPDX-License-Identifier: BSL-1.0
// Copy A: siocodec vendored by one library as vendor_a::abi_a, with a small default payload limit.
#define SIOCODEC_NAMESPACE vendor_a
#define SIOCODEC_ABI_NAMESPACE abi_a
#define SIOCODEC_DEFAULT_MAX_PAYLOAD 1000
#define COPY(name) copy_a_##name
#include "copy.inc"
