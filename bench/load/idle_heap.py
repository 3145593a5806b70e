#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""The heap one idle WebSocket connection holds in siocodec_load_server, checked against a bound.

    python3 idle_heap.py --server siocodec_load_server --loadgen siocodec_loadgen [--clients 500]
                         [--max-bytes 7600]

Connects --clients idle clients (the generator's idle scenario: Socket.IO over WebSocket, the
CONNECT done, heartbeat only) and reads the server's `stats` heap (the bytes its operator new
holds) before and while they are connected: the difference per connection must be at most
--max-bytes. Unlike RSS (run.py's idle figure), the heap is exact and not disturbed by other work
on the machine, so a regression of a few hundred bytes per connection shows. Exit 0 when within
the bound, 1 otherwise (and when a client failed).
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server", required=True)
    ap.add_argument("--loadgen", required=True)
    ap.add_argument("--clients", type=int, default=500)
    ap.add_argument("--max-bytes", type=int, default=7600)
    args = ap.parse_args()

    server = subprocess.Popen([args.server, "--host", "127.0.0.1", "--port", "0"],
                              stdout=subprocess.PIPE, text=True)
    probe = None
    gen = None
    try:
        line = server.stdout.readline().split()
        if len(line) != 2 or line[0] != "listening":
            print("idle_heap.py: no `listening <port>` line from the server", file=sys.stderr)
            return 1
        port = line[1]
        probe = subprocess.Popen(["node", os.path.join(HERE, "stats.js"), port],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        if probe.stdout.readline().strip() != "ready":
            print("idle_heap.py: the stats probe did not connect", file=sys.stderr)
            return 1

        def stats():
            probe.stdin.write("\n")
            probe.stdin.flush()
            return json.loads(probe.stdout.readline())

        base = stats()
        gen = subprocess.Popen([args.loadgen, "--host", "127.0.0.1", "--port", port,
                                "--scenario", "idle", "--clients", str(args.clients),
                                "--duration", "3", "--threads", "1", "--quiet"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        s = stats()
        while s.get("sockets", 0) < args.clients + 1 and time.monotonic() < deadline:
            time.sleep(0.1)
            s = stats()
        if s.get("sockets", 0) < args.clients + 1:
            print(f"idle_heap.py: {s.get('sockets', 0) - 1} of {args.clients} connected",
                  file=sys.stderr)
            return 1
        time.sleep(0.5)  # the CONNECTs answered and written
        s = stats()
        per = (s["heap"] - base["heap"]) / args.clients
        print(f"idle_heap.py: {per:.0f} bytes of heap per idle WebSocket connection "
              f"({args.clients} clients; bound {args.max_bytes})")
        _, err = gen.communicate(timeout=60)
        if gen.returncode != 0:
            print(f"idle_heap.py: the generator failed: {err.strip()[-300:]}", file=sys.stderr)
            return 1
        return 0 if per <= args.max_bytes else 1
    finally:
        if gen is not None and gen.poll() is None:
            gen.kill()
        if probe is not None:
            probe.stdin.close()
            probe.wait()
        server.terminate()
        server.wait()


if __name__ == "__main__":
    sys.exit(main())
