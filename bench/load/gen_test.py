#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""The load generator's ctest (label `load`): starts bench/load/node_server.js (socket.io 4.8) on a
free port, runs siocodec_loadgen for a few seconds in one scenario against it, and checks the JSON
result: every client connected, no error, answers received with a latency, the CPU reported."""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# A few seconds each, small enough for a shared 2-core CI machine.
# The polling runs put a share of the clients on HTTP long-polling only.
RUNS = {
    "chat": ["--clients", "200", "--room-size", "20", "--rate", "200"],
    "echo": ["--clients", "50"],
    "binary": ["--clients", "20"],
    "idle": ["--clients", "300"],
    "chat-polling": ["--clients", "100", "--room-size", "20", "--rate", "100",
                     "--polling-share", "0.5"],
    "echo-polling": ["--clients", "20", "--polling-share", "1"],
    "idle-polling": ["--clients", "100", "--polling-share", "0.5"],
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--node", default="node")
    # Any server of the contract that prints `listening <port>`.
    ap.add_argument("--server", default=os.path.join(HERE, "node_server.js"))
    ap.add_argument("--loadgen", required=True)
    ap.add_argument("--scenario", required=True, choices=sorted(RUNS))
    a = ap.parse_args()
    # idle: a 1 s heartbeat, so that the run sees pings answered.
    srv = subprocess.Popen([a.node, a.server, "--port", "0",
                            "--ping-interval", "1000", "--ping-timeout", "2000"],
                           stdout=subprocess.PIPE, text=True, cwd=HERE)
    try:
        line = srv.stdout.readline().split()
        if len(line) != 2 or line[0] != "listening":
            print(a.server, "did not start:", line)
            return 1
        scenario = a.scenario.split("-")[0]
        cmd = [a.loadgen, "--host", "127.0.0.1", "--port", line[1], "--scenario", scenario,
               "--duration", "2", "--warmup", "1", "--threads", "2"] + RUNS[a.scenario]
        print(" ".join(cmd), flush=True)
        run = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, timeout=50)
        print(run.stdout)
        r = json.loads(run.stdout)
        clients = int(RUNS[a.scenario][1])
        checks = [
            ("exit status 0", run.returncode == 0),
            ("scenario", r["scenario"] == scenario),
            ("all connected", r["clients"] == clients and r["connected"] == clients),
            ("all still connected", r["connected_at_end"] == clients),
            ("no error", r["errors"] == 0 and r["disconnects"] == 0),
            ("CPU reported", r["gen_cpu_s"] > 0 and r["gen_cpu_percent"] > 0),
            ("duration", 1.5 < r["duration_s"] < 3),
        ]
        lat = r["latency_us"]
        if scenario != "idle":
            checks += [
                ("sent > 0", r["sent"] > 0),
                ("received > 0", r["received"] > 0),
                ("latency set", 0 < lat["p50"] <= lat["p90"] <= lat["p99"] <= lat["p999"]
                 <= lat["max"]),
            ]
        if scenario == "chat":  # 20 copies of every message: a room of 20, everyone hears it
            checks.append(("room fan-out", r["received"] > 10 * r["sent"]))
        bad = [name for name, ok in checks if not ok]
        for name in bad:
            print("FAILED:", name)
        return 1 if bad else 0
    finally:
        srv.kill()
        srv.wait()


if __name__ == "__main__":
    sys.exit(main())
