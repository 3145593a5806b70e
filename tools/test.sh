#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Quick start, step 2: build and run the whole test suite in every configuration CI checks.
#   tools/test.sh                 all configurations
#   tools/test.sh gcc17 asan      only the named ones
# Build trees go to $SIOCODEC_TEST_ROOT (default build/test-<config>).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${SIOCODEC_TEST_ROOT:-$root/build}"
jobs="${SIOCODEC_JOBS:-$(nproc)}"

# name | compiler | standard | build type | extra flags | extra CMake options
# Every build configuration but aarch64 builds and runs the unit suite, the reference and
# differential tests, the examples and the fuzz replays, with SIOCODEC_WERROR=ON, and prints the kernels it ran
# (tests/kernels). Each configuration tests something the others do not:
# - gcc17: g++ C++17 Debug, and the slow suites that test something other than the compiler: the
#   consumer tests (find_package, pkg-config, FetchContent...), the interop tests (real node
#   servers and clients), the browser chat test (chat.e2e), and the benchmarks, built and run
#   once as `siocodec_count all all 20` (bench.count: every operation, results checked).
# - gcc20: g++ C++20 Release (-O3, NDEBUG: the optimizer's warnings), against the single header.
#   -Wno-restrict: g++ 12's libstdc++ in C++20 reports a false -Wrestrict in
#   operator+(const char*, std::string&&) (GCC PR 105329) in 8 files (7 unit tests, usage.cpp).
# - portable: clang C++20 Release with SIOCODEC_NO_SIMD: the portable code alone, and with
#   SIOCODEC_SIZE_FIRST (config.hpp): the size-first code passes the same suite (the portable
#   code without it is still run by every configuration through the kernel tests' scalar runs).
#   The examples on a socket stack are not built there (SIOCODEC_BUILD_NETWORK_EXAMPLES=OFF): they
#   use neither SIMD nor the size-first code, and gcc20 and asan build them with the same
#   standard / the same compiler; that saves their Beast translation units (about 100 s).
# - asan: clang C++17 Debug with ASan + UBSan. It is also the clang C++17 build: a plain clang17
#   configuration (same compiler, standard, build type and warnings, no sanitizers) tested nothing
#   this one does not, and cost 256 s of the CI run; it was merged into this one.
# - noexcept: g++ with -fno-exceptions -fno-rtti.
# - aarch64: g++ cross-compiled for AArch64 (cmake/toolchains/aarch64-linux-gnu.cmake), the unit
#   suite and the framework-free programs run under qemu-user: the NEON kernels (nothing that
#   needs node). Release: its suite ran in 42 s under qemu on the busy 2-core CI machine, the
#   Debug one in 594 s.
# - cortexm4: tools/embedded/build.sh: the codec and the client engines cross-compiled for
#   Cortex-M4 (arm-none-eabi-g++, newlib-nano, -Os, the warning set with -Werror), both parsers,
#   default and SIOCODEC_SIZE_FIRST; prints flash and static RAM and fails on a rise of more than
#   5% over tools/embedded/sizes.txt; runs the same programs on the host (heap use). Not a CMake
#   build; the unit suite with SIOCODEC_SIZE_FIRST is built and run by `portable`.
# "lint" is tools/lint.sh (clang-format and clang-tidy), not a build; "fuzz" is fuzz/run.sh 19
# (every libFuzzer target for 19 s, ASan+UBSan; docs/fuzzing.md). 20 targets x 19 s / 2 at a time:
# the 190 s the 19 targets took at 20 s each.
no_slow="-DSIOCODEC_TEST_INTEROP=OFF -DSIOCODEC_TEST_CHAT=OFF"
configs=(
  "gcc17|g++|17|Debug||-DSIOCODEC_TEST_CONSUMERS=ON -DSIOCODEC_BUILD_BENCHMARKS=ON"
  "gcc20|g++|20|Release|-Wno-restrict|-DSIOCODEC_TEST_SINGLE_HEADER=ON $no_slow"
  "portable|clang++|20|Release|-DSIOCODEC_NO_SIMD -DSIOCODEC_SIZE_FIRST=1|$no_slow -DSIOCODEC_BUILD_NETWORK_EXAMPLES=OFF"
  "asan|clang++|17|Debug|-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer|$no_slow"
  "noexcept|g++|17|Debug|-fno-exceptions -fno-rtti|"
  "aarch64|aarch64-linux-gnu-g++|17|Release||-DCMAKE_TOOLCHAIN_FILE=$root/cmake/toolchains/aarch64-linux-gnu.cmake -DSIOCODEC_BUILD_EXAMPLES=OFF -DSIOCODEC_INSTALL=OFF $no_slow"
  "cortexm4|||||"
  "lint|||||"
  "fuzz|||||"
)
# What a configuration exists to test, checked by siocodec_kernels --expect (the active kernel).
declare -A expect_kernels=(
  [portable]="--expect base64=scalar --expect json=scalar"
  [aarch64]="--expect base64=neon"
)
# The cross build compiles and runs (under qemu) only what needs no node and no x86-64 program.
declare -A only_targets=(
  [aarch64]="siocodec_tests siocodec_embedded_client_tests siocodec_kernels siocodec_limits_test
    siocodec_noexcept_test"
)
declare -A only_tests=([aarch64]='^(unit\.|kernels\.|limits$|noexcept\.)')
declare -A emulator=([aarch64]="qemu-aarch64 -L /usr/aarch64-linux-gnu")

want=("$@")
selected() {
  ((${#want[@]} == 0)) && return 0
  local w
  for w in "${want[@]}"; do [ "$w" = "$1" ] && return 0; done
  return 1
}

failed=()
times=()
start_all=$(date +%s)
finish() {  # name status start
  local t=$(( $(date +%s) - $3 ))
  times+=("$(printf '%-10s %-7s %5d s' "$1" "$2" "$t")")
  if [ "$2" = passed ]; then echo "=== $1 passed in $t s"; else echo "=== $1 FAILED after $t s"; failed+=("$1"); fi
}
for entry in "${configs[@]}"; do
  IFS='|' read -r name cxx std type flags options <<<"$entry"
  selected "$name" || continue
  start=$(date +%s)
  dir="$out/test-$name"
  if [ "$name" = fuzz ]; then
    echo "=== fuzz (fuzz/run.sh 19: every fuzz target for about 19 s, two at a time)"
    if SIOCODEC_FUZZ_BUILD="$dir" bash "$root/fuzz/run.sh" 19; then
      finish "$name" passed "$start"
    else
      finish "$name" FAILED "$start"
    fi
    continue
  fi
  if [ "$name" = cortexm4 ]; then
    echo "=== cortexm4 (tools/embedded/build.sh: Cortex-M4 sizes against tools/embedded/sizes.txt)"
    if SIOCODEC_JOBS="$jobs" bash "$root/tools/embedded/build.sh" "$dir"; then
      finish "$name" passed "$start"
    else
      finish "$name" FAILED "$start"
    fi
    continue
  fi
  if [ "$name" = lint ]; then
    echo "=== lint (clang-format, clang-tidy)"
    if SIOCODEC_LINT_BUILD="$dir" SIOCODEC_JOBS="$jobs" bash "$root/tools/lint.sh"; then
      finish "$name" passed "$start"
    else
      finish "$name" FAILED "$start"
    fi
    continue
  fi
  echo "=== $name ($cxx, C++$std $type${flags:+, $flags}${options:+, $options})"
  build_targets=()
  for t in ${only_targets[$name]:-}; do build_targets+=(--target "$t"); done
  test_filter=()
  [ -z "${only_tests[$name]:-}" ] || test_filter=(-R "${only_tests[$name]}")
  # shellcheck disable=SC2206  # word lists: a command and its arguments, --expect arguments
  run_prefix=(${emulator[$name]:-}) kernel_args=(${expect_kernels[$name]:-})
  # shellcheck disable=SC2086  # $options is a list of -D arguments
  if cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" \
        -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_CXX_STANDARD="$std" -DCMAKE_CXX_STANDARD_REQUIRED=ON \
        -DCMAKE_CXX_FLAGS="$flags" -DSIOCODEC_BUILD_TESTS=ON -DSIOCODEC_BUILD_EXAMPLES=ON \
        -DSIOCODEC_REQUIRE_REFERENCE=ON -DSIOCODEC_WERROR=ON $options >/dev/null &&
     cmake --build "$dir" -j "$jobs" "${build_targets[@]}" &&
     (cd "$dir" && ctest --output-on-failure -j "$jobs" "${test_filter[@]}") &&
     "${run_prefix[@]}" "$dir/tests/kernels/siocodec_kernels" "${kernel_args[@]}"; then
    finish "$name" passed "$start"
  else
    finish "$name" FAILED "$start"
  fi
done
echo "=== times (on this machine: $(nproc) cores, $jobs jobs)"
printf '%s\n' "${times[@]}"
echo "=== total $(( $(date +%s) - start_all )) s"
if ((${#failed[@]})); then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "all configurations passed"
