#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# The Cortex-M4 build (docs/embedded.md): cross-compiles codec.cpp and
# client.cpp with Debian's gcc-arm-none-eabi for each parser (json, msgpack) and configuration
# (default, size-first: SIOCODEC_SIZE_FIRST), prints flash (.text + .rodata) and static RAM
# (.data + .bss) of each, and fails when a figure is more than 5% over tools/embedded/sizes.txt,
# or when a program links the parser it did not choose (SIOCODEC_PARSERS 1 or 2) or the client
# links the polling transport (SIOCODEC_ENGINEIO_TRANSPORTS 1: WebSocket only) or binary
# attachments (SIOCODEC_BINARY_ATTACHMENTS 0).
# It also builds the same programs for the host and runs them: their checks pass, and they print
# the heap allocations they made: none, for the codec and for the client engines, which run on
# a caller array (siocodec::buffer_resource, client_options::engine.memory).
#   tools/embedded/build.sh [build-dir]          check against sizes.txt
#   SIOCODEC_EMBEDDED_RECORD=1 tools/embedded/build.sh   rewrite sizes.txt with the figures
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$root/build/embedded}"
jobs="${SIOCODEC_JOBS:-$(nproc)}"
mkdir -p "$out"

cpu=(-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16)
opt=(-Os -fno-exceptions -fno-rtti -ffunction-sections -fdata-sections)
warn=(-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wold-style-cast -Werror)
# -Wno-psabi (below): g++'s note that the ARM ABI of passing some structs changed in GCC 7.1.
# newlib-nano, the syscalls as libnosys's stubs (nothing here calls them but abort's _exit),
# newlib's crt0 and the toolchain's default linker script: enough for the sizes; a product's
# own startup and linker script replace them. --wrap=malloc counts C allocations.
link=(-Wl,--gc-sections --specs=nano.specs --specs=nosys.specs -Wl,--wrap=malloc)
export cpu_flags="${cpu[*]} ${opt[*]} ${warn[*]}" link_flags="${link[*]}" root here out

build_one() {  # program parser config
  local defs=(-std=c++17 -I"$root/include")
  # One parser compiled in (SIOCODEC_PARSERS, config.hpp), as a device that talks to one server.
  if [ "$2" = msgpack ]; then defs+=(-DSIOCODEC_EMBEDDED_MSGPACK=1 -DSIOCODEC_PARSERS=2)
  else defs+=(-DSIOCODEC_PARSERS=1); fi
  # The client program runs over a WebSocket only, speaks Engine.IO v4 / Socket.IO v5 only and
  # sends and receives no binary attachments, and its engines never use the heap: they run on
  # the static array it gives them (SIOCODEC_ENGINEIO_TRANSPORTS, SIOCODEC_ENGINEIO_V3,
  # SIOCODEC_BINARY_ATTACHMENTS, SIOCODEC_ENGINE_HEAP, config.hpp).
  defs+=(-DSIOCODEC_ENGINEIO_TRANSPORTS=1 -DSIOCODEC_ENGINEIO_V3=0 -DSIOCODEC_BINARY_ATTACHMENTS=0 -DSIOCODEC_ENGINE_HEAP=0)
  [ "$3" = size ] && defs+=(-DSIOCODEC_SIZE_FIRST=1)
  local name="$1-$2-$3"
  # shellcheck disable=SC2086  # flag lists
  arm-none-eabi-g++ "${defs[@]}" $cpu_flags -Wno-psabi "$here/$1.cpp" $link_flags -o "$out/$name.elf" \
    2> >(grep -v "is not implemented and will always fail" >&2) &&
  # shellcheck disable=SC2086
  g++ "${defs[@]}" -DSIOCODEC_EMBEDDED_HOST=1 -O0 -fno-exceptions -fno-rtti ${warn[*]:-} \
    "$here/$1.cpp" -o "$out/$name.host"
}
export -f build_one
export warn_list="${warn[*]}"

variants=()
for program in codec client; do
  for parser in json msgpack; do
    for config in default size; do variants+=("$program $parser $config"); done
  done
done
printf '%s\n' "${variants[@]}" |
  xargs -P "$jobs" -L 1 bash -c 'warn=($warn_list); build_one "$@"' _

section() {  # elf section -> bytes
  arm-none-eabi-size -A "$1" | awk -v s="$2" '$1 == s { print $2; found = 1 } END { if (!found) print 0 }'
}
recorded="$here/sizes.txt"
new=()
failed=0
printf '%-8s %-8s %-8s %8s %8s %12s %s\n' program parser config flash ram allocations "(recorded flash/ram)"
for v in "${variants[@]}"; do
  read -r program parser config <<<"$v"
  elf="$out/$program-$parser-$config.elf"
  flash=$(( $(section "$elf" .text) + $(section "$elf" .rodata) ))
  ram=$(( $(section "$elf" .data) + $(section "$elf" .bss) ))
  host_out=$("$out/$program-$parser-$config.host") || { echo "host run failed: $host_out"; failed=1; }
  allocs=$(sed -n 's/.*status 0, \([0-9]*\) allocations.*/\1/p' <<<"$host_out")
  [ -n "$allocs" ] || { echo "$program $parser $config: $host_out"; failed=1; allocs='?'; }
  if [ "$allocs" != 0 ]; then
    echo "$program $parser $config: the $program program used the heap ($host_out)"
    failed=1
  fi
  rec=$(awk -v p="$program" -v q="$parser" -v c="$config" \
    '$1 == p && $2 == q && $3 == c { print $4, $5 }' "$recorded" 2>/dev/null || true)
  printf '%-8s %-8s %-8s %8d %8d %12s %s\n' "$program" "$parser" "$config" "$flash" "$ram" \
    "$allocs" "${rec:-(none)}"
  new+=("$program $parser $config $flash $ram")
  # SIOCODEC_PARSERS (above): the parser the program did not choose must not be linked.
  if [ "$parser" = json ]; then other='msgpack_parser::|mp_plan_builder'
  else other='decode_fields|basic_decoder<[^>]*>::feed|[^_]plan_builder<'; fi
  if arm-none-eabi-nm -C "$elf" | grep -Eq "$other"; then
    echo "  ^ links the other parser ($(arm-none-eabi-nm -C "$elf" | grep -Ec "$other") symbols of /$other/)"
    failed=1
  fi
  # SIOCODEC_ENGINEIO_TRANSPORTS 1 (above): no polling queue, payload encoder or body reader.
  polling='client::(post_queue|writable_count|start_get|handle_get_response)|emit_payload|emit_v3_(text|binary)_payload|payload_reader'
  if arm-none-eabi-nm -C "$elf" | grep -Eq "$polling"; then
    echo "  ^ links the polling transport ($(arm-none-eabi-nm -C "$elf" | grep -Ec "$polling") symbols of /$polling/)"
    failed=1
  fi
  # SIOCODEC_BINARY_ATTACHMENTS 0 (above): the client links no attachment reassembly and no
  # placeholder checks (the codec program's stateless decode() keeps them).
  attachments='basic_decoder<[^>]*>::(feed_binary|feed_base64|push_view|accepted)|check_placeholders|check_flat_object'
  if [ "$program" = client ] && arm-none-eabi-nm -C "$elf" | grep -Eq "$attachments"; then
    echo "  ^ links binary attachments ($(arm-none-eabi-nm -C "$elf" | grep -Ec "$attachments") symbols of /$attachments/)"
    failed=1
  fi
  if [ -n "$rec" ]; then
    read -r rflash rram <<<"$rec"
    # More than 5% over the record fails (integer arithmetic: x * 100 > r * 105).
    if (( flash * 100 > rflash * 105 || ram * 100 > rram * 105 )); then
      echo "  ^ more than 5% over the recorded figures ($rflash flash, $rram RAM)"
      failed=1
    fi
  elif [ -z "${SIOCODEC_EMBEDDED_RECORD:-}" ]; then
    echo "  ^ no recorded figure in $recorded"
    failed=1
  fi
done
if [ -n "${SIOCODEC_EMBEDDED_RECORD:-}" ]; then
  {
    sed -n '/^#/p' "$recorded" 2>/dev/null || true
    printf '%s\n' "${new[@]}"
  } >"$recorded.new"
  mv "$recorded.new" "$recorded"
  echo "recorded in $recorded"
fi
exit "$failed"
