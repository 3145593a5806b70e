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

# name | compiler | standard | extra flags
configs=(
  "gcc17|g++|17|"
  "gcc20|g++|20|"
  "clang17|clang++|17|"
  "clang20|clang++|20|"
  "asan|clang++|17|-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
  "noexcept|g++|17|-fno-exceptions -fno-rtti"
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
  IFS='|' read -r name cxx std flags <<<"$entry"
  selected "$name" || continue
  echo "=== $name ($cxx, C++$std${flags:+, $flags})"
  start=$(date +%s)
  dir="$out/test-$name"
  if cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
        -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_CXX_STANDARD="$std" -DCMAKE_CXX_STANDARD_REQUIRED=ON \
        -DCMAKE_CXX_FLAGS="$flags" -DSIOCODEC_BUILD_TESTS=ON -DSIOCODEC_BUILD_EXAMPLES=ON \
        -DSIOCODEC_REQUIRE_REFERENCE=ON >/dev/null &&
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
