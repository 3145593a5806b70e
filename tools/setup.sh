#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Installs everything siocodec's build, tests, fuzzers and benchmarks need on Debian 12:
# compilers and tools from apt, the pinned npm reference packages with `npm ci`.
# Safe to run again: it installs only what is missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

packages=(cmake ninja-build g++ clang libclang-rt-14-dev catch2 libbenchmark-dev
          nlohmann-json3-dev pkg-config gnuplot-nox libboost1.81-dev clang-format-14
          libwebsockets-dev  # examples/lws
          clang-tidy-14 python3 git binutils chromium
          libssl-dev openssl  # the Beast client adapter's TLS test (interop.adapter.client.tls)
          redis-server libhiredis-dev  # the cluster tests (tests/cluster, examples/cluster)
          g++-aarch64-linux-gnu qemu-user  # tools/test.sh aarch64: NEON kernels under qemu
          # tools/test.sh cortexm4: tools/embedded/build.sh
          gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -q
  "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The npm reference implementations the conformance tests compare against (pinned by lock files).
for dir in "$root"/tests/reference "$root"/bench/reference "$root"/tests/interop \
           "$root"/examples/chat "$root"/tests/cluster "$root"/bench/load; do
  if [ -f "$dir/package-lock.json" ]; then
    if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
      echo "setup: npm ci in ${dir#$root/}"
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    fi
  fi
done
echo "setup: done"
