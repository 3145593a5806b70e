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

# name | compiler | standard | extra flags | extra CMake options
# Every build configuration builds and runs the unit suite, the reference and differential tests,
# the examples and the fuzz replays. Slow suites that test something other than the compiler run
# in one configuration, gcc17: the consumer tests (find_package, pkg-config, FetchContent...),
# the interop tests (real node servers and clients) and the browser chat test (chat.e2e). gcc20
# builds everything against the single header. "lint" is tools/lint.sh (clang-format and clang-tidy), not a build; "fuzz" is
# fuzz/run.sh 20 (every libFuzzer target for 20 s, ASan+UBSan; docs/fuzzing.md).
configs=(
  "gcc17|g++|17||-DSIOCODEC_TEST_CONSUMERS=ON"
  "gcc20|g++|20||-DSIOCODEC_TEST_SINGLE_HEADER=ON -DSIOCODEC_TEST_INTEROP=OFF -DSIOCODEC_TEST_CHAT=OFF"
  "clang17|clang++|17||-DSIOCODEC_TEST_INTEROP=OFF -DSIOCODEC_TEST_CHAT=OFF"
  "clang20|clang++|20||-DSIOCODEC_TEST_INTEROP=OFF -DSIOCODEC_TEST_CHAT=OFF"
  "asan|clang++|17|-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer|-DSIOCODEC_TEST_INTEROP=OFF -DSIOCODEC_TEST_CHAT=OFF"
  "noexcept|g++|17|-fno-exceptions -fno-rtti|"
  "lint|||"
  "fuzz|||"
)

want=("$@")
selected() {
  ((${#want[@]} == 0)) && return 0
  local w
  for w in "${want[@]}"; do [ "$w" = "$1" ] && return 0; done
  return 1
}

failed=()
start_all=$(date +%s)
for entry in "${configs[@]}"; do
  IFS='|' read -r name cxx std flags options <<<"$entry"
  selected "$name" || continue
  start=$(date +%s)
  dir="$out/test-$name"
  if [ "$name" = fuzz ]; then
    echo "=== fuzz (fuzz/run.sh 20: every fuzz target for about 20 s, two at a time)"
    if SIOCODEC_FUZZ_BUILD="$dir" bash "$root/fuzz/run.sh" 20; then
      echo "=== $name passed in $(( $(date +%s) - start )) s"
    else
      echo "=== $name FAILED"
      failed+=("$name")
    fi
    continue
  fi
  if [ "$name" = lint ]; then
    echo "=== lint (clang-format, clang-tidy)"
    if SIOCODEC_LINT_BUILD="$dir" SIOCODEC_JOBS="$jobs" bash "$root/tools/lint.sh"; then
      echo "=== $name passed in $(( $(date +%s) - start )) s"
    else
      echo "=== $name FAILED"
      failed+=("$name")
    fi
    continue
  fi
  echo "=== $name ($cxx, C++$std${flags:+, $flags}${options:+, $options})"
  # shellcheck disable=SC2086  # $options is a list of -D arguments
  if cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
        -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_CXX_STANDARD="$std" -DCMAKE_CXX_STANDARD_REQUIRED=ON \
        -DCMAKE_CXX_FLAGS="$flags" -DSIOCODEC_BUILD_TESTS=ON -DSIOCODEC_BUILD_EXAMPLES=ON \
        -DSIOCODEC_REQUIRE_REFERENCE=ON $options >/dev/null &&
     cmake --build "$dir" -j "$jobs" &&
     (cd "$dir" && ctest --output-on-failure -j "$jobs"); then
    echo "=== $name passed in $(( $(date +%s) - start )) s"
  else
    echo "=== $name FAILED"
    failed+=("$name")
  fi
done
echo "=== total $(( $(date +%s) - start_all )) s"
if ((${#failed[@]})); then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "all configurations passed"
