// SPDX-License-Identifier: BSL-1.0
// The base64 block kernels (scalar, SSSE3, AVX2, AVX-512, NEON) and the run-time choice among them.
#ifndef SIOCODEC_BASE64_KERNEL_HPP
#define SIOCODEC_BASE64_KERNEL_HPP

#include <siocodec/config.hpp>
#include <siocodec/detail/base64_simd.hpp>
#include <siocodec/detail/cpu.hpp>
#include <siocodec/detail/kernel_choice.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

SIOCODEC_BEGIN_NAMESPACE
namespace base64 {

/// The implementations of the block loops behind every base64 call (base64.hpp). All give
/// identical results (bytes, errors and offsets); they differ only in speed. The fastest one the
/// CPU supports is chosen on first use; set_kernel() forces another one, for tests and
/// benchmarks. The choice works as json::set_kernel()'s does (json/scan.hpp), on its own.
enum class kernel : std::uint8_t {
  /// Portable C++, a group of 4 characters (3 bytes) at a time. Always available.
  scalar,
  /// x86-64 SSSE3: 16 characters per step.
  ssse3,
  /// x86-64 AVX2: 32 characters per step (64 per loop iteration).
  avx2,
  /// x86-64 AVX-512 F, BW and VBMI: 64 characters per step, masked loads and stores for the tail.
  avx512,
  /// AArch64 Advanced SIMD (NEON): 64 characters per step.
  neon,
};

/// True when `k` was compiled in (GCC or Clang on x86-64, any compiler with NEON on AArch64,
/// unless SIOCODEC_NO_SIMD is defined) and this CPU and OS can run it; always for scalar.
[[nodiscard]] inline bool kernel_supported(kernel k) noexcept {
  switch (k) {
    case kernel::scalar: return true;
#if SIOCODEC_X86_SIMD
    case kernel::ssse3: return ::SIOCODEC_NAMESPACE::detail::cpu_has_ssse3();
    case kernel::avx2: return ::SIOCODEC_NAMESPACE::detail::cpu_has_avx2();
    case kernel::avx512: return ::SIOCODEC_NAMESPACE::detail::cpu_has_avx512vbmi();
#endif
#if SIOCODEC_NEON_SIMD
    case kernel::neon: return true;
#endif
    default: return false;
  }
}

namespace detail {
using kernel_choice =
    ::SIOCODEC_NAMESPACE::detail::kernel_choice<kernel, &kernel_supported, kernel::avx512,
                                                kernel::avx2, kernel::ssse3, kernel::neon>;
}  // namespace detail

/// avx512, avx2, ssse3 or neon, the first one supported; else scalar.
[[nodiscard]] inline kernel best_kernel() noexcept { return detail::kernel_choice::best(); }
/// The kernel in use: best_kernel(), chosen once per process on first use (an atomic, no static
/// constructor, safe from any thread), unless set_kernel() chose first.
[[nodiscard]] inline kernel active_kernel() noexcept { return detail::kernel_choice::active(); }
/// For tests and benchmarks: every later call, on any thread, uses `k` (a call already running
/// may finish with the kernel it started with; the results are the same).
/// @return false, changing nothing, when `k` is not supported.
[[nodiscard]] inline bool set_kernel(kernel k) noexcept { return detail::kernel_choice::set(k); }

/// "scalar", "ssse3", "avx2", "avx512" or "neon".
[[nodiscard]] constexpr std::string_view kernel_name(kernel k) noexcept {
  switch (k) {
    case kernel::scalar: return "scalar";
    case kernel::ssse3: return "ssse3";
    case kernel::avx2: return "avx2";
    case kernel::avx512: return "avx512";
    case kernel::neon: return "neon";
  }
  return "unknown";
}

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

namespace detail {

// Below these sizes a call into a kernel costs more than the scalar loop: a kernel's narrowest
// step is 16 characters / 12 bytes (16 read).
constexpr std::size_t simd_min_decode = 16;
constexpr std::size_t simd_min_encode = 16;

/// Decodes (or, with a null `out`, validates) the leading clean blocks of `in` with the active
/// kernel; see the contract in detail/base64_simd.hpp. `n` is a multiple of 4.
/// @return characters consumed, 0 when the scalar kernel is active.
inline std::size_t simd_decode([[maybe_unused]] const char* in, std::size_t n,
                               [[maybe_unused]] unsigned char* out) noexcept {
  if (n < simd_min_decode) return 0;
  // Validating or decoding is chosen here once, for whichever kernel runs.
  const auto blocks = [&](auto store) noexcept -> std::size_t {
    [[maybe_unused]] constexpr bool stores = decltype(store)::value;
    switch (active_kernel()) {
#if SIOCODEC_X86_SIMD
      case kernel::avx512: return decode_avx512<stores>(in, n, out);
      case kernel::avx2: return decode_avx2<stores>(in, n, out);
      case kernel::ssse3: return decode_ssse3<stores>(in, n, out);
#endif
#if SIOCODEC_NEON_SIMD
      case kernel::neon: return decode_neon(in, n, out);
#endif
      default: return 0;
    }
  };
  return out == nullptr ? blocks(std::false_type()) : blocks(std::true_type());
}

/// Encodes leading whole groups of `in` with the active kernel. @return bytes consumed.
inline std::size_t simd_encode([[maybe_unused]] const unsigned char* in, std::size_t n,
                               [[maybe_unused]] char* out) noexcept {
  if (n < simd_min_encode) return 0;
  switch (active_kernel()) {
#if SIOCODEC_X86_SIMD
    case kernel::avx512: return encode_avx512(in, n, out);
    case kernel::avx2: return encode_avx2(in, n, out);
    case kernel::ssse3: return encode_ssse3(in, n, out);
#endif
#if SIOCODEC_NEON_SIMD
    case kernel::neon: return encode_neon(in, n, out);
#endif
    default: return 0;
  }
}

}  // namespace detail
}  // namespace base64
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_BASE64_KERNEL_HPP
