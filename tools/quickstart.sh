#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Quick start, step 1: set up the machine, build the examples and run the demo.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/tools/setup.sh"
build="${SIOCODEC_BUILD_DIR:-$root/build}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSIOCODEC_BUILD_TESTS=OFF \
      -DSIOCODEC_BUILD_EXAMPLES=ON >/dev/null
cmake --build "$build" --target quickstart siocodec-inspect
"$build/examples/quickstart"
