#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""The one command of bench/load (issue 24): siocodec's server against socket.io 4.8.1.

    python3 bench/load/run.py                 # build (Release), 3 interleaved rounds, write docs
    python3 bench/load/run.py --quick         # one short round, no docs (what ctest load runs)

Builds siocodec_load_server and siocodec_loadgen (Release, in --build-dir), then runs every
scenario with the same generator against each server in turn, rounds interleaved (siocodec, node,
siocodec, node...): the server under `taskset -c 1`, the generator under `taskset -c 0`. Around
each run it samples the server's RSS (/proc/PID/status) and CPU time (/proc/PID/stat), and asks
the server for its `stats` (allocations, messages sent) through one probe connection
(bench/load/stats.js). Medians over the rounds go into docs/benchmarks.md (between the
`load:begin` / `load:end` markers) with a gnuplot chart (docs/load-chat.svg); every run's figures
go into --results (JSON).

Scenarios: chat (rooms of 100; the offered rate raised step by step until the messages delivered
per second stop rising: the saturation), echo with ack (closed loop: the saturation; then an open
loop at half socket.io's saturation rate, for the latency), binary (16 KiB acks, closed loop),
idle (10,000 clients, pingInterval 25 s, then 1 s: RSS per connection, CPU).
"""

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SERVER_CPU = "1"
GEN_CPU = "0"
BEGIN = "<!-- load:begin (bench/load/run.py writes this section: do not edit by hand) -->"
END = "<!-- load:end -->"


def log(msg):
    print(f"run.py: {msg}", file=sys.stderr, flush=True)


# --- processes ---------------------------------------------------------------------------------


def clock_ticks():
    return os.sysconf("SC_CLK_TCK")


class Server:
    """A bench/load server under taskset, and the probe connection that asks it for stats."""

    def __init__(self, name, cmd, ping_interval, ping_timeout):
        self.name = name
        args = ["taskset", "-c", SERVER_CPU] + cmd + [
            "--host", "127.0.0.1", "--port", "0",
            "--ping-interval", str(ping_interval), "--ping-timeout", str(ping_timeout)]
        # taskset execs the server: the PID is the server's.
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().split()
        if len(line) != 2 or line[0] != "listening":
            self.proc.kill()
            raise RuntimeError(f"{name}: no `listening <port>` line")
        self.port = int(line[1])
        self.probe = subprocess.Popen(
            ["node", os.path.join(HERE, "stats.js"), str(self.port)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        if self.probe.stdout.readline().strip() != "ready":
            self.stop()
            raise RuntimeError(f"{name}: the stats probe did not connect")

    def stats(self):
        self.probe.stdin.write("\n")
        self.probe.stdin.flush()
        return json.loads(self.probe.stdout.readline())

    def status(self, field):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return 0

    def rss(self):
        return self.status("VmRSS") * 1024

    def cpu_s(self):
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        # utime and stime: fields 14 and 15 of stat(5), 12 and 13 after the command name.
        return (int(fields[11]) + int(fields[12])) / clock_ticks()

    def sample(self):
        s = self.stats()
        # Involuntary context switches: a server preempted by other work on its CPU (a shared
        # machine) is slower for reasons of its own.
        return {"t": time.monotonic(), "cpu_s": self.cpu_s(), "rss": self.rss(),
                "preempted": self.status("nonvoluntary_ctxt_switches"),
                "allocs": s.get("allocs", -1), "messages": s.get("messages", 0),
                "sockets": s.get("sockets", 0)}

    def stop(self):
        try:
            self.probe.stdin.close()
            self.probe.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.probe.kill()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def run_scenario(server, loadgen, scenario, clients, duration, warmup, rate=0, extra=()):
    """One generator run against `server`, sampled in its steady window: from `warmup` seconds
    after every client is connected to shortly before the generator's measured window ends."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        out = tmp.name
    cmd = ["taskset", "-c", GEN_CPU] + loadgen + [
        "--host", "127.0.0.1", "--port", str(server.port), "--scenario", scenario,
        "--clients", str(clients), "--rate", str(rate), "--duration", str(duration),
        "--warmup", str(warmup), "--threads", "1", "--json", out, "--quiet"] + list(extra)
    base = server.sample()
    gen = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    # Connected: the probe is one more socket.
    deadline = time.monotonic() + 60 + clients / 200
    while gen.poll() is None and time.monotonic() < deadline:
        if server.stats().get("sockets", 0) >= clients + 1:
            break
        time.sleep(0.1)
    time.sleep(warmup)
    a = server.sample() if gen.poll() is None else None
    # Well before the generator's end: a busy server answers stats late.
    time.sleep(max(0.2, duration * 0.7))
    b = server.sample() if gen.poll() is None else None
    _, err = gen.communicate(timeout=120 + duration)
    result = {"exit": gen.returncode}
    try:
        with open(out) as f:
            result.update(json.load(f))
    except (OSError, ValueError):
        result["problem"] = "no JSON from the generator: " + err.strip()[-300:]
    os.unlink(out)
    result["rss_base"] = base["rss"]
    if a is not None and b is not None:
        # One stats call's own cost (the ack, its receipt) is inside the window once.
        probe = server.sample()
        probe2 = server.sample()
        stats_allocs = max(0, probe2["allocs"] - probe["allocs"])
        msgs = b["messages"] - a["messages"]  # stats acks are not counted
        result["window"] = {
            "seconds": b["t"] - a["t"],
            "cpu_s": b["cpu_s"] - a["cpu_s"],
            "cpu_percent": 100 * (b["cpu_s"] - a["cpu_s"]) / (b["t"] - a["t"]),
            "messages": msgs,
            "allocs": (b["allocs"] - a["allocs"] - stats_allocs) if a["allocs"] >= 0 else None,
            "rss": b["rss"],
            "sockets": b["sockets"] - 1,
            "preempted_per_s": (b["preempted"] - a["preempted"]) / (b["t"] - a["t"]),
        }
    return result


# --- the scenarios -----------------------------------------------------------------------------


def settings(quick):
    if quick:
        return {"rounds": 1, "chat_clients": 200, "chat_rates": [200], "echo_clients": 20,
                "bin_clients": 10, "idle_clients": 200, "idle_pings": [25000], "duration": 1,
                "warmup": 0.3, "idle_duration": 1}
    return {"rounds": 3, "chat_clients": 1000,
            "chat_rates": [100, 200, 400, 700, 1000, 1500, 2000, 3000, 4000, 6000, 8000],
            "echo_clients": 100, "bin_clients": 20, "idle_clients": 10000,
            "idle_pings": [25000, 1000], "duration": 5, "warmup": 2, "idle_duration": 10}


def chat_ramp(make, loadgen, cfg, quick):
    """Raises the offered rate until the delivered rate stops rising (two steps under +5%)."""
    steps, best, flat = [], 0.0, 0
    for rate in cfg["chat_rates"]:
        server = make(25000)
        try:
            r = run_scenario(server, loadgen, "chat", cfg["chat_clients"], cfg["duration"],
                             cfg["warmup"], rate=rate, extra=["--room-size", "100"])
        finally:
            server.stop()
        r["offered_copies_per_s"] = rate * 100
        steps.append(r)
        got = r.get("received_per_s", 0)
        log(f"  chat {rate}/s offered ({rate * 100} copies/s): {got:.0f} delivered/s")
        flat = flat + 1 if got < best * 1.05 else 0
        best = max(best, got)
        if flat >= 2 and not quick:
            break
    return steps


def one_run(make, loadgen, scenario, clients, cfg, ping=25000, rate=0, duration=None):
    server = make(ping)
    try:
        return run_scenario(server, loadgen, scenario, clients, duration or cfg["duration"],
                            0 if scenario == "idle" else cfg["warmup"], rate=rate)
    finally:
        server.stop()


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return f.read().split()[0]
    except OSError:
        return "?"


def measure(servers, loadgen, cfg, quick):
    cfg["loadavg_before"] = loadavg()
    cfg["measured_at"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    results = {name: [] for name in servers}
    for rnd in range(cfg["rounds"]):
        for name, make in servers.items():
            log(f"round {rnd + 1}/{cfg['rounds']}: {name}")
            r = {"chat": chat_ramp(make, loadgen, cfg, quick)}
            r["echo_saturation"] = one_run(make, loadgen, "echo", cfg["echo_clients"], cfg)
            log(f"  echo closed loop: {r['echo_saturation'].get('received_per_s', 0):.0f} acks/s")
            r["binary"] = one_run(make, loadgen, "binary", cfg["bin_clients"], cfg)
            log(f"  binary: {r['binary'].get('received_per_s', 0):.0f} acks/s")
            for ping in cfg["idle_pings"]:
                r[f"idle_{ping}"] = one_run(make, loadgen, "idle", cfg["idle_clients"], cfg,
                                            ping=ping, duration=cfg["idle_duration"])
                log(f"  idle ping {ping}: {r[f'idle_{ping}'].get('connected', 0)} connected")
            results[name].append(r)
    # Echo latency at half socket.io's saturation rate, known only now.
    node_sat = statistics.median(r["echo_saturation"].get("received_per_s", 0)
                                 for r in results["node"])
    half = max(1, int(node_sat / 2))
    for rnd in range(cfg["rounds"]):
        for name, make in servers.items():
            e = one_run(make, loadgen, "echo", cfg["echo_clients"], cfg, rate=half)
            e["offered_per_s"] = half
            results[name][rnd]["echo_fixed"] = e
            log(f"round {rnd + 1}: {name} echo at {half}/s: p99 "
                f"{e.get('latency_us', {}).get('p99', 0)} us")
    cfg["loadavg_after"] = loadavg()
    return results


# --- the summary -------------------------------------------------------------------------------


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarize(results):
    """Medians over the rounds of the table's figures, per server."""
    names = list(results)
    # The chat step of the highest offered rate that socket.io still delivered (95%): CPU and
    # allocations per message are compared there, under the same load.
    def delivered_share(step):
        return step.get("received_per_s", 0) / max(1, step["offered_copies_per_s"])

    common = None
    for steps in zip(*(r["chat"] for r in results["node"])):
        if all(delivered_share(s) >= 0.95 for s in steps):
            common = steps[0]["offered_copies_per_s"]
    if common is None:  # socket.io short of 95% even at the first step: compare there
        common = results["node"][0]["chat"][0]["offered_copies_per_s"]
    out = {"common_copies_per_s": common}
    for name in names:
        rounds = results[name]
        s = {}
        s["chat_saturation"] = med(max(st.get("received_per_s", 0) for st in r["chat"])
                                   for r in rounds)
        at_common = [st for r in rounds for st in r["chat"]
                     if st["offered_copies_per_s"] == common and "window" in st]
        s["cpu_ms_per_1000"] = med(1e6 * st["window"]["cpu_s"] / st["window"]["messages"]
                                   if st["window"]["messages"] > 0 else None for st in at_common)
        s["allocs_per_message"] = med(st["window"]["allocs"] / st["window"]["messages"]
                                      if st["window"]["allocs"] is not None
                                      and st["window"]["messages"] > 0 else None
                                      for st in at_common)
        s["echo_saturation"] = med(r["echo_saturation"].get("received_per_s", 0) for r in rounds)
        for q in ("p50", "p99", "p999"):
            s[f"echo_{q}_us"] = med(r["echo_fixed"].get("latency_us", {}).get(q) for r in rounds)
        s["echo_offered"] = rounds[0]["echo_fixed"].get("offered_per_s")
        s["binary_per_s"] = med(r["binary"].get("received_per_s", 0) for r in rounds)
        s["binary_p99_us"] = med(r["binary"].get("latency_us", {}).get("p99") for r in rounds)
        for ping in (25000, 1000):
            runs = [r[f"idle_{ping}"] for r in rounds if f"idle_{ping}" in r]
            s[f"idle_{ping}_rss_per_conn"] = med(
                (x["window"]["rss"] - x["rss_base"]) / x["window"]["sockets"]
                if "window" in x and x["window"]["sockets"] > 0 else None for x in runs)
            s[f"idle_{ping}_cpu_percent"] = med(x["window"]["cpu_percent"] if "window" in x
                                                else None for x in runs)
            s[f"idle_{ping}_connected"] = min((x.get("connected", 0) for x in runs), default=0)
            s[f"idle_{ping}_errors"] = max((x.get("errors", 0) + x.get("disconnects", 0)
                                            for x in runs), default=0)
        s["gen_cpu_percent_max"] = max(
            [st.get("gen_cpu_percent", 0) for r in rounds for st in r["chat"]] +
            [r[k].get("gen_cpu_percent", 0) for r in rounds
             for k in ("echo_saturation", "echo_fixed", "binary")])
        windows = [st.get("window") or {} for r in rounds for st in r["chat"]] + [
            r[k].get("window") or {} for r in rounds for k in r if k != "chat"]
        s["preempted_per_s_max"] = max((w.get("preempted_per_s", 0) for w in windows), default=0)
        out[name] = s
    return out


def fmt(v, digits=0):
    if v is None:
        return "n/a"
    if digits == 0:
        return f"{v:,.0f}"
    return f"{v:,.{digits}f}"


def ratio(a, b, higher_better=True):
    if a is None or b is None or a == 0 or b == 0:
        return "n/a"
    return f"{(a / b if higher_better else b / a):.1f}x"


def table(summary, cfg, idle_clients):
    s, n = summary["siocodec"], summary["node"]
    rows = [
        ("chat: messages/s delivered at saturation (rooms of 100)", "chat_saturation", 0, True),
        (f"echo with ack: p50 latency at {fmt(s['echo_offered'])}/s (us)", "echo_p50_us", 0,
         False),
        (f"echo with ack: p99 latency at {fmt(s['echo_offered'])}/s (us)", "echo_p99_us", 0,
         False),
        (f"echo with ack: p99.9 latency at {fmt(s['echo_offered'])}/s (us)", "echo_p999_us", 0,
         False),
        ("echo with ack: acks/s, closed loop (saturation)", "echo_saturation", 0, True),
        ("binary 16 KiB with ack: acks/s, closed loop", "binary_per_s", 0, True),
        ("binary 16 KiB with ack: p99 latency, closed loop (us)", "binary_p99_us", 0, False),
        (f"idle, {fmt(idle_clients)} clients, pingInterval 25 s: RSS per connection (bytes)",
         "idle_25000_rss_per_conn", 0, False),
        (f"idle, {fmt(idle_clients)} clients, pingInterval 1 s: RSS per connection (bytes)",
         "idle_1000_rss_per_conn", 0, False),
        ("idle, pingInterval 25 s: server CPU (%)", "idle_25000_cpu_percent", 1, False),
        ("idle, pingInterval 1 s: server CPU (%)", "idle_1000_cpu_percent", 1, False),
        (f"chat at {fmt(summary['common_copies_per_s'])} copies/s: CPU per 1,000 messages (ms)",
         "cpu_ms_per_1000", 2, False),
        (f"chat at {fmt(summary['common_copies_per_s'])} copies/s: allocations per message",
         "allocs_per_message", 3, False),
    ]
    lines = ["| | siocodec | socket.io 4.8.1 | siocodec's advantage |", "|---|---:|---:|---:|"]
    for label, key, digits, higher in rows:
        sv, nv = s.get(key), n.get(key)
        adv = "n/a (not counted in node)" if key == "allocs_per_message" else ratio(sv, nv, higher)
        lines.append(f"| {label} | {fmt(sv, digits)} | "
                     f"{'n/a' if key == 'allocs_per_message' else fmt(nv, digits)} | {adv} |")
    lines.append(
        f"| idle: connections held (of {fmt(idle_clients)}), errors + disconnects | "
        f"{s['idle_25000_connected']} / {s['idle_1000_connected']}, "
        f"{max(s['idle_25000_errors'], s['idle_1000_errors'])} | "
        f"{n['idle_25000_connected']} / {n['idle_1000_connected']}, "
        f"{max(n['idle_25000_errors'], n['idle_1000_errors'])} | |")
    lines.append(f"| generator's CPU, highest of the runs (%) | {fmt(s['gen_cpu_percent_max'])} | "
                 f"{fmt(n['gen_cpu_percent_max'])} | |")
    lines.append("| server preempted by other work: involuntary context switches/s, highest | "
                 f"{fmt(s.get('preempted_per_s_max'))} | {fmt(n.get('preempted_per_s_max'))} | |")
    return "\n".join(lines)


def chart(results, svg):
    """Delivered against offered chat messages (copies/s), the median of each step."""
    if shutil.which("gnuplot") is None:
        log("gnuplot missing: no chart")
        return False
    with tempfile.TemporaryDirectory() as d:
        files = {}
        for name, rounds in results.items():
            by_rate = {}
            for r in rounds:
                for st in r["chat"]:
                    by_rate.setdefault(st["offered_copies_per_s"], []).append(
                        st.get("received_per_s", 0))
            files[name] = os.path.join(d, f"{name}.dat")
            with open(files[name], "w") as f:
                for rate in sorted(by_rate):
                    f.write(f"{rate} {statistics.median(by_rate[rate])}\n")
        script = f"""
set terminal svg size 760,440 dynamic font 'sans,12'
set output '{svg}'
set title 'chat, rooms of 100: messages delivered per second against messages offered'
set xlabel 'offered (copies/s: messages emitted x 100)'
set ylabel 'delivered (copies/s)'
set format x '%.0s%c'
set format y '%.0s%c'
set key top left
set logscale xy
set grid
plot '{files['siocodec']}' using 1:2 with linespoints lw 2 title 'siocodec (Beast adapter)', \\
     '{files['node']}' using 1:2 with linespoints lw 2 title 'socket.io 4.8.1 (node 20)', \\
     x with lines dt 2 lc rgb 'gray' title 'delivered = offered'
"""
        subprocess.run(["gnuplot"], input=script, text=True, check=True)
    return True


def write_docs(doc, summary, results, cfg, svg_name, loadgen_desc, note):
    node_version = subprocess.run(["node", "--version"], capture_output=True,
                                  text=True).stdout.strip()
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    section = "\n".join([
        BEGIN,
        f"Measured {cfg.get('measured_at', '?')} by `bench/load/run.py` "
        f"({cfg['rounds']} interleaved round(s), medians; {cpu}, {os.cpu_count()} vCPU, "
        f"node {node_version}; generator: {loadgen_desc}; 1-minute load average "
        f"{cfg['loadavg_before']} before, {cfg['loadavg_after']} after)." +
        (f" {note}" if note else ""),
        "",
        table(summary, cfg, cfg["idle_clients"]),
        "",
        f"![chat: delivered against offered]({svg_name})",
        END,
    ])
    with open(doc) as f:
        text = f.read()
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    with open(doc, "w") as f:
        f.write(text)


# --- main --------------------------------------------------------------------------------------


def build(build_dir, want_loadgen):
    if not os.path.exists(os.path.join(build_dir, "CMakeCache.txt")):
        subprocess.run(["cmake", "-S", ROOT, "-B", build_dir, "-G", "Ninja",
                        "-DCMAKE_BUILD_TYPE=Release", "-DSIOCODEC_BUILD_BENCHMARKS=ON",
                        "-DSIOCODEC_BUILD_EXAMPLES=ON", "-DSIOCODEC_BUILD_TESTS=OFF"], check=True)
    targets = ["siocodec_load_server"] + (["siocodec_loadgen"] if want_loadgen else [])
    subprocess.run(["cmake", "--build", build_dir, "--target"] + targets + ["-j2"], check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true",
                    help="one short round of every scenario, checked; docs untouched")
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build", "load"))
    ap.add_argument("--no-build", action="store_true", help="use what --build-dir has")
    ap.add_argument("--server", help="siocodec_load_server (default: in --build-dir)")
    ap.add_argument("--loadgen", help="the generator's command (default: siocodec_loadgen in "
                    "--build-dir); words split on spaces, e.g. 'node standin.js'")
    ap.add_argument("--rounds", type=int, help="interleaved rounds (default 3, --quick 1)")
    ap.add_argument("--results", help="every run's figures, JSON (default: in --build-dir)")
    ap.add_argument("--doc", default=os.path.join(ROOT, "docs", "benchmarks.md"))
    ap.add_argument("--note", default="", help="a sentence for the generated section's header")
    ap.add_argument("--from-results", metavar="FILE",
                    help="no run: write the docs from a --results file of an earlier run")
    args = ap.parse_args()
    if args.from_results:
        with open(args.from_results) as f:
            saved = json.load(f)
        publish(args, saved["runs"], saved["summary"], saved["settings"], saved.get("loadgen", "?"))
        return

    build_dir = os.path.abspath(args.build_dir)
    if not args.no_build:
        build(build_dir, args.loadgen is None)
    server_bin = args.server or os.path.join(build_dir, "bench", "load", "siocodec_load_server")
    loadgen = (args.loadgen.split() if args.loadgen else
               [os.path.join(build_dir, "bench", "load", "siocodec_loadgen")])
    for tool in ("taskset", "node"):
        if shutil.which(tool) is None:
            sys.exit(f"run.py: {tool} not found")
    if not os.path.isdir(os.path.join(HERE, "node_modules", "socket.io")):
        print("run.py: bench/load/node_modules missing (npm ci there)", file=sys.stderr)
        sys.exit(77)
    # 10,000 connections on each side.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    cfg = settings(args.quick)
    if args.rounds:
        cfg["rounds"] = args.rounds
    servers = {
        "siocodec": lambda ping: Server("siocodec", [server_bin], ping, 20000),
        "node": lambda ping: Server("node", ["node", os.path.join(HERE, "node_server.js")], ping,
                                    20000),
    }
    results = measure(servers, loadgen, cfg, args.quick)
    summary = summarize(results)
    results_file = args.results or os.path.join(build_dir, "load-results.json")
    desc = " ".join(os.path.basename(w) for w in loadgen)
    with open(results_file, "w") as f:
        json.dump({"settings": cfg, "summary": summary, "runs": results, "loadgen": desc}, f,
                  indent=1)
    log(f"every run: {results_file}")
    print(table(summary, cfg, cfg["idle_clients"]))

    # Every run must have gone through: all clients connected, no error, figures present.
    problems = []
    for name, rounds in results.items():
        for r in rounds:
            runs = list(r["chat"]) + [r[k] for k in ("echo_saturation", "echo_fixed", "binary",
                                                     "idle_25000", "idle_1000") if k in r]
            for x in runs:
                if x.get("exit") != 0 or "problem" in x or x.get("connected") != x.get("clients"):
                    problems.append(f"{name} {x.get('scenario')}: exit {x.get('exit')} "
                                    f"{x.get('problem', '')} connected {x.get('connected')}")
                elif x.get("scenario") != "idle" and not x.get("received", 0) > 0:
                    problems.append(f"{name} {x.get('scenario')}: nothing received")
    for p in problems:
        log(f"PROBLEM: {p}")
    if not args.quick:
        publish(args, results, summary, cfg, desc)
    sys.exit(1 if problems else 0)


def publish(args, results, summary, cfg, desc):
    svg = os.path.join(os.path.dirname(os.path.abspath(args.doc)), "load-chat.svg")
    chart(results, svg)
    write_docs(args.doc, summary, results, cfg, os.path.basename(svg), desc, args.note)
    log(f"written: {args.doc}, {svg}")


if __name__ == "__main__":
    main()
