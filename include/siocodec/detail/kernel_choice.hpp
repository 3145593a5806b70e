// SPDX-License-Identifier: BSL-1.0
// The process-wide choice of a SIMD kernel, shared by json::set_kernel() and base64::set_kernel().
#ifndef SIOCODEC_DETAIL_KERNEL_CHOICE_HPP
#define SIOCODEC_DETAIL_KERNEL_CHOICE_HPP

#include <siocodec/config.hpp>

#include <atomic>
#include <cstdint>

SIOCODEC_BEGIN_NAMESPACE
namespace detail {

/// One atomic per kernel enum (json::kernel, base64::kernel), holding the kernel every call uses.
/// Supported says whether this build and CPU can run a kernel; Fastest lists the SIMD kernels,
/// fastest first (the enum's scalar kernel, value 0, is the fallback and always supported).
template <class Kernel, bool (*Supported)(Kernel) noexcept, Kernel... Fastest>
struct kernel_choice {
  static constexpr std::uint8_t unset = 0xFF;

  // Constant-initialized (no guard, no static constructor), one per program: an inline
  // function's static is shared by every translation unit.
  static std::atomic<std::uint8_t>& slot() noexcept {
    static std::atomic<std::uint8_t> s{unset};
    return s;
  }

  static Kernel best() noexcept {
    for (Kernel k : {Fastest...}) {
      if (Supported(k)) return k;
    }
    return Kernel{};
  }

  static Kernel active() noexcept {
    const std::uint8_t k = slot().load(std::memory_order_relaxed);
    if (SIOCODEC_LIKELY(k != unset)) return static_cast<Kernel>(k);
    return choose();
  }

  // First use: a set() that got in first wins; racing first uses store the same value. Out of
  // line of active(), which sits in front of every SIMD loop.
  static Kernel choose() noexcept {
    std::uint8_t k = unset;
    const auto b = static_cast<std::uint8_t>(best());
    if (slot().compare_exchange_strong(k, b, std::memory_order_relaxed)) k = b;
    return static_cast<Kernel>(k);
  }

  static bool set(Kernel k) noexcept {
    if (!Supported(k)) return false;
    slot().store(static_cast<std::uint8_t>(k), std::memory_order_relaxed);
    return true;
  }
};

}  // namespace detail
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_DETAIL_KERNEL_CHOICE_HPP
