// SPDX-License-Identifier: BSL-1.0
// The test program's allocation counter (tests/support/allocations.hpp) counts: every "allocates
// nothing" check of the suite rests on it, and a counter stuck at 0 would pass them all.
#include "support/allocations.hpp"
#include "support/catch.hpp"

#include <memory>
#include <string>
#include <vector>

namespace {
// Where the allocations go, so that the compiler cannot drop them.
std::vector<std::unique_ptr<std::string>> g_kept;
}  // namespace

TEST_CASE("the allocation counter counts operator new and std::allocator") {
  if (!siocodec_test::allocations_counted()) {
    WARN("allocations are not counted in this build (a sanitizer, or not glibc)");
    CHECK(siocodec_test::allocations() == 0);
    return;
  }
  g_kept.reserve(4);
  const std::size_t n = siocodec_test::allocations_during([] {
    for (int i = 0; i < 3; ++i) g_kept.push_back(std::make_unique<std::string>(1000, 'x'));
  });
  // Three strings and their three buffers of 1000 bytes (beyond any small-string buffer).
  CHECK(n == 6);
  CHECK(siocodec_test::allocations_during([] { g_kept.clear(); }) == 0);  // freeing is not counted
}
