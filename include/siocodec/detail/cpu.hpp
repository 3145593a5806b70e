// SPDX-License-Identifier: BSL-1.0
// Run-time CPU feature checks shared by the SIMD kernels (x86-64 with GCC or Clang).
#ifndef SIOCODEC_DETAIL_CPU_HPP
#define SIOCODEC_DETAIL_CPU_HPP

#include <siocodec/config.hpp>

// SIMD kernels are compiled with per-function target attributes (no -m flag is needed, and a
// program built for generic x86-64 still runs everywhere): a kernel is called only after the
// checks below said the CPU and the OS support it. That needs GCC or Clang on x86-64; every
// other compiler or architecture gets the portable code only (SIOCODEC_X86_SIMD is 0).
// AArch64 always has Advanced SIMD, so its kernels need no check (SIOCODEC_NEON_SIMD); 32-bit
// Arm lacks the four-register table lookups they use.
// Defining SIOCODEC_NO_SIMD (config.hpp) before the first include builds the portable code only.
#if !defined(SIOCODEC_NO_SIMD) && defined(__x86_64__) &&                                           \
    (defined(__GNUC__) || defined(__clang__)) && !defined(_MSC_VER)
#define SIOCODEC_X86_SIMD 1
#else
#define SIOCODEC_X86_SIMD 0
#endif

#if !defined(SIOCODEC_NO_SIMD) && defined(__aarch64__) && defined(__ARM_NEON)
#define SIOCODEC_NEON_SIMD 1
#else
#define SIOCODEC_NEON_SIMD 0
#endif

#if SIOCODEC_X86_SIMD
/// Function attributes of the kernels of each instruction set level.
#define SIOCODEC_TARGET_SSSE3 __attribute__((target("ssse3")))
#define SIOCODEC_TARGET_AVX2 __attribute__((target("avx2")))
#define SIOCODEC_TARGET_AVX512BW __attribute__((target("avx512f,avx512bw")))
#define SIOCODEC_TARGET_AVX512VBMI __attribute__((target("avx512f,avx512bw,avx512vbmi")))
#endif

SIOCODEC_BEGIN_NAMESPACE
namespace detail {

#if SIOCODEC_X86_SIMD
// libgcc and compiler-rt also check that the OS saves the AVX and AVX-512 register state
// (XGETBV), so a feature reported here is one the program can use. Each call asks again: the
// callers cache the answer (one atomic per kernel family).
inline bool cpu_has_ssse3() noexcept {
  __builtin_cpu_init();
  return __builtin_cpu_supports("ssse3") != 0;
}
inline bool cpu_has_avx2() noexcept {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") != 0;
}
inline bool cpu_has_avx512bw() noexcept {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") != 0 && __builtin_cpu_supports("avx512bw") != 0;
}
inline bool cpu_has_avx512vbmi() noexcept {
  return cpu_has_avx512bw() && __builtin_cpu_supports("avx512vbmi") != 0;
}
#endif

}  // namespace detail
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_DETAIL_CPU_HPP
