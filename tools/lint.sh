#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Lint: clang-format (.clang-format) and clang-tidy (.clang-tidy) over our code. Fails on any
# finding. tools/test.sh lint runs it; so does CI.
#   tools/lint.sh                  both checks
#   tools/lint.sh --format         clang-format only (seconds)
#   tools/lint.sh --tidy           clang-tidy only (minutes)
#   tools/lint.sh --tidy-all       clang-tidy on every .cpp the build compiles too (much longer)
#   tools/lint.sh --fix            reformat the files in place instead of checking them
#   tools/lint.sh -- FILE...       only these files (both checks; clang-tidy on the .cpp ones)
# clang-format covers our sources: include/, tests/, fuzz/, bench/, examples/, tools/ (*.hpp,
# *.cpp, *.inc). Not linted: the generated single header (its sources are), tests/support/
# catch.hpp (Catch2's) and node_modules/ (npm's).
# clang-tidy, by default, runs on one generated translation unit per public header
# (tests/self_contained), which checks every library header in a bounded time; --tidy-all adds
# the tests, fuzz targets, examples and benchmarks. It needs a compile_commands.json: the script
# configures (does not build) a clang tree in $SIOCODEC_LINT_BUILD (default build/lint).
# Debian 12 packages: clang-format-14 clang-tidy-14.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${SIOCODEC_LINT_BUILD:-$root/build/lint}"
jobs="${SIOCODEC_JOBS:-$(nproc)}"
format=clang-format-14
tidy=clang-tidy-14

do_format=1
do_tidy=1
tidy_all=0
fix=0
files=()
while (($#)); do
  case "$1" in
    --format) do_tidy=0 ;;
    --tidy) do_format=0 ;;
    --tidy-all) do_format=0; tidy_all=1 ;;
    --fix) fix=1; do_tidy=0 ;;
    --) shift; files=("$@"); break ;;
    *) echo "usage: tools/lint.sh [--format|--tidy|--tidy-all|--fix] [-- FILE...]" >&2; exit 2 ;;
  esac
  shift
done

for tool in $( ((do_format)) && echo "$format") $( ((do_tidy)) && echo "$tidy"); do
  command -v "$tool" >/dev/null || { echo "lint: $tool not found (apt-get install ${tool%-14}-14)" >&2; exit 2; }
done

cd "$root"
explicit=0
if ((${#files[@]} == 0)); then
  # Our sources: the headers, every test, fuzz target, benchmark, example and tool.
  mapfile -t files < <(find include tests fuzz bench examples tools \
      \( -name node_modules -o -path tests/support/catch.hpp \) -prune -o \
      -type f \( -name '*.hpp' -o -name '*.cpp' -o -name '*.inc' \) -print | LC_ALL=C sort)
else
  explicit=1
fi

status=0
if ((do_format)); then
  if ((fix)); then
    "$format" -i --style=file "${files[@]}"
    echo "lint: formatted ${#files[@]} files"
    exit 0
  fi
  bad=()
  for f in "${files[@]}"; do
    "$format" --dry-run -Werror --style=file "$f" >/dev/null 2>&1 || bad+=("$f")
  done
  if ((${#bad[@]})); then
    echo "lint: clang-format would change ${#bad[@]} of ${#files[@]} files (tools/lint.sh --fix -- FILE):"
    printf '  %s\n' "${bad[@]}"
    status=1
  else
    echo "lint: clang-format: ${#files[@]} files clean"
  fi
fi

if ((do_tidy)); then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
        -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DSIOCODEC_BUILD_TESTS=ON \
        -DSIOCODEC_BUILD_EXAMPLES=ON >/dev/null
  # The translation units to check: one generated unit per header (tests/self_contained), which
  # is how the headers get checked on their own; with --tidy-all or FILE arguments, also our .cpp
  # files that the build compiles.
  units=()
  if ((explicit || tidy_all)); then
    for f in "${files[@]}"; do
      [[ "$f" == *.cpp ]] && grep -qF "\"file\": \"$root/$f\"" "$build/compile_commands.json" &&
        units+=("$root/$f")
    done
  fi
  for f in "${files[@]}"; do
    if [[ "$f" == include/* ]]; then
      for u in "$build"/tests/self_contained/self_contained/*.cpp; do
        [ -e "$u" ] && units+=("$u")
      done
      break
    fi
  done
  echo "lint: clang-tidy on ${#units[@]} translation units ($jobs at a time)"
  log="$build/clang-tidy.log"
  : >"$log"
  # One clang-tidy per unit; each unit's output is written whole, so logs do not interleave.
  # --config-file: the generated units live in the build tree, outside the directories where
  # clang-tidy would look for .clang-tidy (it would silently fall back to its defaults).
  printf '%s\0' "${units[@]}" |
    xargs -0 -n 1 -P "$jobs" sh -c \
      'out=$("$1" --config-file="$4" -p "$2" --quiet "$5" 2>&1) || printf "%s\n" "$out" >>"$3"; exit 0' \
      sh "$tidy" "$build" "$log" "$root/.clang-tidy"
  if [ -s "$log" ]; then
    grep -E '(warning|error):' "$log" | LC_ALL=C sort -u | head -200
    echo "lint: clang-tidy found problems (full output: $log)"
    status=1
  else
    echo "lint: clang-tidy: clean"
  fi
fi
exit "$status"
