// SPDX-License-Identifier: BSL-1.0
// Copy B: siocodec vendored by another library as vendor_b::abi_b, with the default limits.
#define SIOCODEC_NAMESPACE vendor_b
#define SIOCODEC_ABI_NAMESPACE abi_b
#define COPY(name) copy_b_##name
#include "copy.inc"
