// SPDX-License-Identifier: BSL-1.0
// siocodec version numbers and the ABI tag of the versioned inline namespace.
#ifndef SIOCODEC_VERSION_HPP
#define SIOCODEC_VERSION_HPP

#define SIOCODEC_VERSION_MAJOR 0
#define SIOCODEC_VERSION_MINOR 1
#define SIOCODEC_VERSION_PATCH 0
/// MAJOR * 10000 + MINOR * 100 + PATCH, for `#if` comparisons.
#define SIOCODEC_VERSION 100
#define SIOCODEC_VERSION_STRING "0.1.0"

#endif  // SIOCODEC_VERSION_HPP
