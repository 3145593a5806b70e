// SPDX-License-Identifier: BSL-1.0
// The test program's count of heap allocations (tests/support/allocations.cpp), so that a test
// can show that a call allocated nothing. One count per program: every test file uses this one.
#ifndef SIOCODEC_TESTS_SUPPORT_ALLOCATIONS_HPP
#define SIOCODEC_TESTS_SUPPORT_ALLOCATIONS_HPP

#include <cstddef>

namespace siocodec_test {

/// False where allocations cannot be counted (not glibc, or a sanitizer that owns malloc): the
/// counts below are then always 0, and a test that needs them should say it skipped.
bool allocations_counted() noexcept;

/// malloc calls made by the program so far (operator new, std::allocator and the pmr default
/// resource all end in malloc).
std::size_t allocations() noexcept;

/// The allocations `f()` made.
template <class F>
std::size_t allocations_during(F&& f) {
  const std::size_t before = allocations();
  f();
  return allocations() - before;
}

}  // namespace siocodec_test

#endif  // SIOCODEC_TESTS_SUPPORT_ALLOCATIONS_HPP
