// SPDX-License-Identifier: BSL-1.0
// Counts the malloc calls of the test program. glibc only (its __libc_malloc is the allocator the
// hook forwards to), and not under a sanitizer, which owns malloc itself.
#include "support/allocations.hpp"

#include <atomic>
#include <cstddef>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SIOCODEC_TEST_NO_MALLOC_HOOK 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) ||                         \
    __has_feature(thread_sanitizer)
#define SIOCODEC_TEST_NO_MALLOC_HOOK 1
#endif
#endif

namespace {
std::atomic<std::size_t> g_mallocs{0};
}  // namespace

#if defined(__GLIBC__) && !defined(SIOCODEC_TEST_NO_MALLOC_HOOK)
#define SIOCODEC_TEST_MALLOC_HOOK 1
extern "C" void* __libc_malloc(std::size_t size);  // NOLINT(bugprone-reserved-identifier)
extern "C" void* malloc(std::size_t size) noexcept {
  g_mallocs.fetch_add(1, std::memory_order_relaxed);
  return __libc_malloc(size);
}
#endif

namespace siocodec_test {

bool allocations_counted() noexcept {
#if defined(SIOCODEC_TEST_MALLOC_HOOK)
  return true;
#else
  return false;
#endif
}

std::size_t allocations() noexcept { return g_mallocs.load(std::memory_order_relaxed); }

}  // namespace siocodec_test
