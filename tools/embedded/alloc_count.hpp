// SPDX-License-Identifier: BSL-1.0
// Counts the heap allocations of the embedded programs. Every C++ allocation goes through the
// replaced operator new; on the target, -Wl,--wrap=malloc (build.sh) also counts what C code
// asks of malloc. On the host the programs print their count, which is how
// tools/embedded/build.sh measures the heap use the issue asks about (the target has no output).
#ifndef SIOCODEC_TOOLS_EMBEDDED_ALLOC_COUNT_HPP
#define SIOCODEC_TOOLS_EMBEDDED_ALLOC_COUNT_HPP

#include <cstddef>
#include <cstdlib>
#include <new>
#if SIOCODEC_EMBEDDED_HOST
#include <cstdio>
#endif

namespace siocodec_embedded {
inline std::size_t allocations = 0;
inline std::size_t allocated_bytes = 0;
inline std::size_t peak_bytes_requested = 0;

inline int report(const char* program, int status) {
#if SIOCODEC_EMBEDDED_HOST
  std::printf("%s: status %d, %zu allocations, %zu bytes requested\n", program, status, allocations,
              allocated_bytes);
#else
  (void)program;
#endif
  return status;
}
}  // namespace siocodec_embedded

// Replaceable allocation functions: defined once, in the one translation unit of each program.
void* operator new(std::size_t n) {
  ++siocodec_embedded::allocations;
  siocodec_embedded::allocated_bytes += n;
  if (void* p = std::malloc(n ? n : 1)) return p;
  std::abort();  // no exceptions on the target: an allocation failure ends the program
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

#if !SIOCODEC_EMBEDDED_HOST
extern "C" {
void* __real_malloc(std::size_t n);
void* __wrap_malloc(std::size_t n) {
  ++siocodec_embedded::allocations;
  return __real_malloc(n);
}
}
#endif

#endif  // SIOCODEC_TOOLS_EMBEDDED_ALLOC_COUNT_HPP
