// SPDX-License-Identifier: BSL-1.0
// Prints which base64 and JSON kernels this build and this CPU can run, and which one the calls
// use, so that a CI log says what the unit suite's kernel tests covered (the suite skips kernels
// the CPU lacks, and SIOCODEC_NO_SIMD removes all but the scalar ones).
//
//   siocodec_kernels [--expect base64=NAME] [--expect json=NAME]
//
// Exit 1 when an expected kernel is not the active one, 2 on bad arguments: CI's portable and
// aarch64 configurations name the kernel they exist to test, so a build that silently fell back
// to another fails instead of passing with less coverage.
#include <siocodec/base64.hpp>
#include <siocodec/json/validate.hpp>

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

namespace {

namespace b64 = siocodec::base64;
namespace js = siocodec::json;

// Prints "title: every kernel, "(absent)" after those this build or CPU cannot run -> the active
// one" and returns the active kernel's name. One template for both families: their five calls
// have the same names and shapes.
template <typename Kernel, std::size_t N>
std::string_view print(const char* title, const Kernel (&all)[N],
                       std::string_view (*name_of)(Kernel), bool (*supported)(Kernel),
                       Kernel active) {
  std::printf("%s", title);
  for (Kernel k : all) {
    const std::string_view name = name_of(k);
    std::printf(" %.*s%s", static_cast<int>(name.size()), name.data(),
                supported(k) ? "" : "(absent)");
  }
  const std::string_view active_name = name_of(active);
  std::printf(" -> runs %.*s\n", static_cast<int>(active_name.size()), active_name.data());
  return active_name;
}

constexpr b64::kernel base64_kernels[] = {b64::kernel::scalar, b64::kernel::ssse3,
                                          b64::kernel::avx2, b64::kernel::avx512,
                                          b64::kernel::neon};
constexpr js::kernel json_kernels[] = {js::kernel::scalar, js::kernel::sse2, js::kernel::avx2,
                                       js::kernel::avx512};

}  // namespace

int main(int argc, char** argv) {
  const std::string_view base64_active = print("base64 kernels:", base64_kernels, &b64::kernel_name,
                                               &b64::kernel_supported, b64::active_kernel());
  const std::string_view json_active = print("json kernels:  ", json_kernels, &js::kernel_name,
                                             &js::kernel_supported, js::active_kernel());
  int status = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg != "--expect" || i + 1 == argc) {
      std::fprintf(stderr, "usage: siocodec_kernels [--expect base64=NAME] [--expect json=NAME]\n");
      return 2;
    }
    const std::string_view want = argv[++i];
    const std::size_t eq = want.find('=');
    const std::string_view family = want.substr(0, eq);
    const std::string_view name = eq == std::string_view::npos ? "" : want.substr(eq + 1);
    std::string_view got;
    if (family == "base64") {
      got = base64_active;
    } else if (family == "json") {
      got = json_active;
    } else {
      std::fprintf(stderr, "siocodec_kernels: unknown family in %s\n", argv[i]);
      return 2;
    }
    if (got != name) {
      std::fprintf(stderr, "siocodec_kernels: expected the %.*s kernel %.*s, but %.*s runs\n",
                   static_cast<int>(family.size()), family.data(), static_cast<int>(name.size()),
                   name.data(), static_cast<int>(got.size()), got.data());
      status = 1;
    }
  }
  return status;
}
