#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Builds the libFuzzer targets (clang, ASan + UBSan, own build tree) and runs each for SECONDS,
# two at a time, starting from its committed corpus. Prints executions, exec/s, coverage and any
# crash per target; exits 1 when a target found something or ran no input at all (a broken
# target or corpus must not pass as "ok"), 2 when the build failed. Needs bash 5.1 or later.
#
#   fuzz/run.sh [options] SECONDS [TARGET...]      all targets when none is named
#   fuzz/run.sh --merge 0 [TARGET...]              only minimize the corpora (no fuzzing)
#
# Options:
#   --merge          afterwards, replace fuzz/corpus/<target>/ by a minimal set of inputs of
#                    fuzz/corpus/<target>/ and fuzz/corpus-work/<target>/ with the same coverage
#                    (libFuzzer -set_cover_merge=1; files named by the SHA-256 of their content),
#                    for targets that found nothing
#   --jobs N         targets run at once (default 2, or $SIOCODEC_FUZZ_JOBS)
#   --ignore-known   skip the invariants of reported, unfixed findings (FUZZ_CHECK_KNOWN), to
#                    look past them; CI never passes this
#   --list           print the targets and exit
#
# New inputs go to a working copy, fuzz/corpus-work/<target>/ (kept between runs, ignored by
# git), never to the committed corpus. Crashes go to fuzz/artifacts/<target>/. Logs and the
# build tree go to $SIOCODEC_FUZZ_BUILD (default build/fuzz; made if missing). See docs/fuzzing.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${SIOCODEC_FUZZ_BUILD:-$root/build/fuzz}"
jobs="${SIOCODEC_FUZZ_JOBS:-2}"
cxx="${SIOCODEC_FUZZ_CXX:-clang++}"
merge=0
list=0

usage() { sed -n '3,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

while (($#)); do
  case "$1" in
    --merge) merge=1 ;;
    --jobs) jobs="$2"; shift ;;
    --ignore-known) export SIOCODEC_FUZZ_IGNORE_KNOWN=1 ;;
    --list) list=1 ;;
    -h|--help) usage 0 ;;
    --) shift; break ;;
    -*) echo "run.sh: unknown option $1" >&2; usage 2 ;;
    *) break ;;
  esac
  shift
done

# The targets, in the order of fuzz/CMakeLists.txt (its SIOCODEC_FUZZ_TARGETS list).
all_targets=()
while read -r t; do all_targets+=("$t"); done < <(
  sed -n '/^set(SIOCODEC_FUZZ_TARGETS/,/^)/p' "$root/fuzz/CMakeLists.txt" |
    sed -e '1d' -e '$d' -e 's/#.*//' | awk 'NF { print $1 }')
if ((list)); then printf '%s\n' "${all_targets[@]}"; exit 0; fi

(($# >= 1)) || usage 2
seconds="$1"
shift
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "run.sh: SECONDS must be a number" >&2; exit 2; }
targets=("$@")
((${#targets[@]})) || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  printf '%s\n' "${all_targets[@]}" | grep -qx "$t" || { echo "run.sh: no target $t" >&2; exit 2; }
done

# --- build --------------------------------------------------------------------------------------
echo "=== building ${#targets[@]} fuzz targets in $build"
build_start=$(date +%s)
# The log goes inside the build tree, made first: in a fresh clone neither it nor its parent
# (build/) exists, and the redirection would fail before cmake runs.
mkdir -p "$build"
if ! cmake -S "$root" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE= \
      -DSIOCODEC_BUILD_FUZZERS=ON -DSIOCODEC_BUILD_TESTS=OFF -DSIOCODEC_BUILD_EXAMPLES=OFF \
      -DSIOCODEC_BUILD_BENCHMARKS=OFF -DSIOCODEC_INSTALL=OFF -DSIOCODEC_WERROR=ON \
      >"$build/configure.log" 2>&1; then
  cat "$build/configure.log" >&2
  exit 2
fi
build_targets=()
for t in "${targets[@]}"; do build_targets+=(--target "fuzz_$t"); done
cmake --build "$build" -j "$jobs" "${build_targets[@]}" || exit 2
echo "=== built in $(( $(date +%s) - build_start )) s"

# --- run ----------------------------------------------------------------------------------------
logs="$build/logs"
mkdir -p "$logs"

# libFuzzer flags from fuzz/<target>.options ([libfuzzer] key = value; dict relative to fuzz/dict).
options_of() {
  local file="$root/fuzz/$1.options" key value
  [ -f "$file" ] || return 0
  while IFS='=' read -r key value; do
    key="$(echo "$key" | tr -d '[:space:]')"
    value="$(echo "$value" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//')"
    case "$key" in
      ''|\#*|\[*) ;;
      dict) echo "-dict=$root/fuzz/dict/$value" ;;
      *) echo "-$key=$value" ;;
    esac
  done <"$file"
}

run_one() {
  local t="$1" work="$root/fuzz/corpus-work/$1" art="$root/fuzz/artifacts/$1/"
  mkdir -p "$work" "$art" "$root/fuzz/corpus/$t"
  local -a opts
  mapfile -t opts < <(options_of "$t")
  # The working copy first: libFuzzer writes new inputs into the first directory only.
  # Hard limit in case a run hangs somewhere libFuzzer's own -timeout cannot see.
  timeout --kill-after=10 $((seconds + 120)) \
    "$build/fuzz/fuzz_$t" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
    -rss_limit_mb=2048 -artifact_prefix="$art" "${opts[@]}" "$work" "$root/fuzz/corpus/$t" \
    >"$logs/$t.log" 2>&1
}

if ((seconds == 0)); then
  # libFuzzer reads -max_total_time=0 as "no limit": 0 means no fuzzing at all here.
  ((merge)) || { echo "run.sh: SECONDS is 0 and there is nothing to merge" >&2; exit 2; }
  targets_run=()
else
  targets_run=("${targets[@]}")
fi

echo "=== running for ${seconds} s each, $jobs at a time"
declare -A status
declare -A pid_target
running=0
for t in "${targets_run[@]}"; do
  while ((running >= jobs)); do
    if wait -n -p done_pid; then rc=0; else rc=$?; fi
    status[${pid_target[$done_pid]}]=$rc
    running=$((running - 1))
  done
  run_one "$t" &
  pid_target[$!]="$t"
  running=$((running + 1))
done
while ((running > 0)); do
  if wait -n -p done_pid; then rc=0; else rc=$?; fi
  status[${pid_target[$done_pid]}]=$rc
  running=$((running - 1))
done

# --- report -------------------------------------------------------------------------------------
found=()
((seconds == 0)) || printf '\n%-20s %12s %9s %7s %8s %7s  %s\n' target execs exec/s cov ft corpus result
for t in "${targets_run[@]}"; do
  log="$logs/$t.log"
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | grep -E 'cov: [0-9]+' | tail -1 || true)
  cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
  ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
  corp=$(echo "$last" | sed -n 's/.*corp: \([0-9]*\)\/.*/\1/p')
  result=ok
  if [ "${status[$t]}" = 0 ] && ! [ "${execs:-0}" -gt 0 ] 2>/dev/null; then
    result="NO EXECUTIONS: libFuzzer ran no input (see $log)"
    found+=("$t")
  elif [ "${status[$t]}" != 0 ] || grep -qE '^==[0-9]+==ERROR|ERROR: libFuzzer|Test unit written' "$log"; then
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    why=$(grep -m1 -E 'fuzz invariant failed|SUMMARY: |ERROR: libFuzzer|runtime error' "$log" || true)
    result="FOUND (exit ${status[$t]}): ${why:-see $log}${artifact:+ -> ${artifact#$root/}}"
    found+=("$t")
  fi
  printf '%-20s %12s %9s %7s %8s %7s  %s\n' "$t" "${execs:--}" "${rate:--}" "${cov:--}" \
    "${ft:--}" "${corp:--}" "$result"
done

if ((merge)); then
  echo
  for t in "${targets[@]}"; do
    printf '%s\n' "${found[@]:-}" | grep -qx "$t" && continue
    before=$(find "$root/fuzz/corpus/$t" -type f | wc -l)
    mkdir -p "$root/fuzz/corpus-work/$t"
    mapfile -t opts < <(options_of "$t" | grep -v '^-dict=')
    merged="$build/merged/$t"
    rm -rf "$merged"
    mkdir -p "$merged"
    # Into an empty directory: the result is a minimal set covering both corpora, so the
    # committed corpus stays small however long the runs were.
    if ! "$build/fuzz/fuzz_$t" -set_cover_merge=1 -timeout=10 -rss_limit_mb=2048 "${opts[@]}" \
        "$merged" "$root/fuzz/corpus/$t" "$root/fuzz/corpus-work/$t" \
        >"$logs/$t.merge.log" 2>&1; then
      echo "merge of $t failed: $logs/$t.merge.log"
      continue
    fi
    if [ -z "$(ls -A "$merged")" ]; then echo "merge of $t kept nothing: not applied"; continue; fi
    find "$root/fuzz/corpus/$t" -type f -delete
    # libFuzzer names files by SHA-1; the committed corpus names them by SHA-256.
    for f in "$merged"/*; do
      cp "$f" "$root/fuzz/corpus/$t/$(sha256sum "$f" | cut -d' ' -f1)"
    done
    after=$(find "$root/fuzz/corpus/$t" -type f | wc -l)
    echo "merged $t: $before -> $after files"
  done
fi

if ((${#found[@]})); then
  echo
  echo "FOUND (or no executions) in: ${found[*]}"
  echo "(logs in $logs; reproduce with the replay runner, docs/fuzzing.md)"
  exit 1
fi
echo
echo "no findings"
