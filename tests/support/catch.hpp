// SPDX-License-Identifier: BSL-1.0
// Include Catch2 v2 (Debian 12's catch2 package) or v3, whichever the build found.
#ifndef SIOCODEC_TEST_CATCH_HPP
#define SIOCODEC_TEST_CATCH_HPP
#if defined(SIOCODEC_CATCH3)
#include <catch2/catch_all.hpp>
#else
#include <catch2/catch.hpp>
#endif
#endif
