#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# The chat example in one command (docs/chat.md): installs what is missing (tools/setup.sh, which
# also runs `npm ci` in examples/chat for the socket.io-client bundle), builds siocodec_chat alone
# in build/chat (Release), and runs it. It prints the address to open; Ctrl-C stops it.
#   bash tools/chat.sh                 on http://127.0.0.1:8080/
#   bash tools/chat.sh --port 3000     any siocodec_chat option (--host 0.0.0.0 to share it)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${SIOCODEC_CHAT_BUILD:-$root/build/chat}"

bash "$root/tools/setup.sh"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSIOCODEC_BUILD_TESTS=OFF \
      -DSIOCODEC_BUILD_EXAMPLES=ON -DSIOCODEC_INSTALL=OFF >/dev/null
cmake --build "$build" --target siocodec_chat -j "${SIOCODEC_JOBS:-$(nproc)}"
exec "$build/examples/chat/siocodec_chat" "$@"
