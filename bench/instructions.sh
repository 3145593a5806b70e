#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Instructions per operation, counted by callgrind over exactly N operations of siocodec_count.
#   bench/instructions.sh WORKLOAD OP [N] [BUILD_DIR]
#   bench/instructions.sh w1 decode 20000 /tmp/build-bench
# Only siocodec_bench_measure (the loop of N calls) is collected. Runs N and 2N operations and
# prints Collected / N and the difference (2N - N) / N, which cancels any fixed cost: the two
# agree when the measured loop holds nothing but the operations. Needs valgrind.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
workload="${1:?usage: instructions.sh WORKLOAD OP [N] [BUILD_DIR]}"
op="${2:?usage: instructions.sh WORKLOAD OP [N] [BUILD_DIR]}"
n="${3:-20000}"
build="${4:-$root/build/bench}"
exe="$build/bench/siocodec_count"
[ -x "$exe" ] || { echo "instructions.sh: no $exe (build with bench/compare.py or -DSIOCODEC_BUILD_BENCHMARKS=ON)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "instructions.sh: valgrind not installed (apt-get install valgrind)" >&2; exit 2; }

collect() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null --collect-atstart=no \
    --toggle-collect=siocodec_bench_measure "$exe" "$workload" "$op" "$1" 2>&1 >/dev/null |
    sed -n 's/.*Collected : \([0-9][0-9]*\).*/\1/p'
}
a="$(collect "$n")"
b="$(collect $((2 * n)))"
[ -n "$a" ] && [ -n "$b" ] || { echo "instructions.sh: callgrind reported nothing" >&2; exit 1; }
awk -v a="$a" -v b="$b" -v n="$n" -v w="$workload" -v o="$op" 'BEGIN {
  printf "workload=%s op=%s n=%d instructions_per_op=%.1f from_difference=%.1f\n", w, o, n, a / n, (b - a) / n
}'
