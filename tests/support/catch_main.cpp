// SPDX-License-Identifier: BSL-1.0
// The Catch2 v2 main, compiled once and linked into the test program.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
