#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""siocodec against the JS reference, on the nine workloads, in one command.

    bench/compare.py [--build-dir DIR] [--out DIR] [--repeats 5] [--wait-load 1.0] ...

Builds siocodec_bench and siocodec_count (Release, -O2), installs the pinned npm reference
(bench/reference, `npm ci`) if needed, then runs the C++ benchmarks and the JS reference
interleaved (C++ then JS, JS then C++, ...) --repeats times and takes the median of each.
Also counts heap allocations per operation (siocodec_count) and, with valgrind, instructions per
operation for w1 (callgrind). Writes OUT/results.json (every sample), OUT/results.md (the tables,
the perf targets of the issue with pass/fail) and OUT/chart.png (gnuplot), and prints the tables.

Timing is wall-clock on both sides by default (Google Benchmark real_time; process.hrtime.bigint
in node); --clock cpu compares CPU time instead (both are recorded). The machine may be shared: --wait-load waits before each repeat until the 1-minute load average
is below the given value (and records the load at every repeat in results.json).
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REFERENCE = os.path.join(ROOT, "bench", "reference")
WORKLOADS = ["w1_small_event", "w2_nsp_ack_object", "w3_event_1k", "w4_event_1m",
             "w5_binary_event_64k", "w6_polling_payload_64", "w7_polling_base64_64k", "w8_ack",
             "w9_binary_two_attachments"]
# The C++ operations compared (bench/ops.hpp); the others stay available in siocodec_bench.
CPP_OPS = ["decode", "encode", "encode_string", "encode_raw", "memcpy", "base64_decode",
           "base64_encode"]
JS_OPS = ["decode", "encode", "decode_utf8", "encode_utf8"]
CALLGRIND_OPS = ["decode", "encode", "encode_raw"]


def log(msg):
    print("compare: " + msg, file=sys.stderr, flush=True)


def run(cmd, **kw):
    log("$ " + " ".join(cmd))
    return subprocess.run(cmd, check=True, **kw)


def load1():
    return os.getloadavg()[0]


def wait_for_load(limit, max_wait):
    if limit is None:
        return
    start = time.time()
    while load1() > limit and time.time() - start < max_wait:
        log("load average %.2f > %.2f, waiting" % (load1(), limit))
        time.sleep(15)


def build(args):
    if args.no_build:
        return
    run(["cmake", "-S", ROOT, "-B", args.build_dir, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
         "-DSIOCODEC_BUILD_BENCHMARKS=ON", "-DSIOCODEC_BUILD_TESTS=OFF",
         "-DSIOCODEC_BUILD_EXAMPLES=OFF", "-DSIOCODEC_INSTALL=OFF"], stdout=subprocess.DEVNULL)
    run(["cmake", "--build", args.build_dir, "-j", str(args.jobs), "--target", "siocodec_bench",
         "siocodec_count"])
    lock = os.path.join(REFERENCE, "package-lock.json")
    modules = os.path.join(REFERENCE, "node_modules")
    if not os.path.isdir(modules) or os.path.getmtime(lock) > os.path.getmtime(modules):
        run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=REFERENCE)


def run_cpp(args, workloads, rep):
    out = os.path.join(args.out, "raw", "cpp-%d.json" % rep)
    pattern = "^(%s)/(%s)$" % ("|".join(CPP_OPS), "|".join(workloads))
    run([os.path.join(args.build_dir, "bench", "siocodec_bench"),
         "--benchmark_filter=" + pattern, "--benchmark_min_time=%g" % args.min_time,
         "--benchmark_format=json", "--benchmark_out_format=json", "--benchmark_out=" + out],
        stdout=subprocess.DEVNULL)
    with open(out) as f:
        data = json.load(f)
    scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
    samples = {}
    for b in data["benchmarks"]:
        if b.get("error_occurred"):
            raise SystemExit("compare: %s failed: %s" % (b["name"], b.get("error_message")))
        op, workload = b["name"].split("/", 1)
        samples[(op, workload)] = {
            "wall": b["real_time"] * scale[b["time_unit"]],
            "cpu": b["cpu_time"] * scale[b["time_unit"]],
            "bytes_per_second": b.get("bytes_per_second"),
            "items_per_second": b.get("items_per_second"),
        }
    return samples, data["context"]


def run_js(args, workloads, rep):
    out = os.path.join(args.out, "raw", "js-%d.json" % rep)
    env = dict(os.environ)
    env.pop("DEBUG", None)  # socket.io-parser's debug() must stay disabled
    with open(out, "w") as f:
        run(["node", os.path.join(REFERENCE, "bench.js"), "--workloads", args.workloads_dir,
             "--only", ",".join(workloads), "--ops", ",".join(JS_OPS), "--repeats", "1",
             "--batch-ms", str(args.batch_ms), "--warmup-ms", str(args.warmup_ms)],
            stdout=f, env=env)
    with open(out) as f:
        data = json.load(f)
    samples = {(r["op"], r["workload"]): {"wall": r["ns_per_op"], "cpu": r["cpu_ns_per_op"]}
               for r in data["results"]}
    return samples, data["context"]


def count_allocations(args):
    exe = os.path.join(args.build_dir, "bench", "siocodec_count")
    text = subprocess.run([exe, "all", "all", "200"], check=True, capture_output=True,
                          text=True).stdout
    allocs = {}
    for line in text.splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 3:
            allocs[(parts[1], parts[0])] = float(parts[2])
    return allocs


def callgrind_instructions(args, workload, op, n):
    exe = os.path.join(args.build_dir, "bench", "siocodec_count")
    res = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                          "--collect-atstart=no", "--toggle-collect=siocodec_bench_measure",
                          exe, workload, op, str(n)], capture_output=True, text=True)
    m = re.search(r"Collected\s*:\s*(\d+)", res.stderr)
    if res.returncode != 0 or not m:
        raise RuntimeError("callgrind failed: " + res.stderr[-500:])
    return int(m.group(1))


def instructions_per_op(args, workload, op):
    n = args.callgrind_n
    a = callgrind_instructions(args, workload, op, n)
    b = callgrind_instructions(args, workload, op, 2 * n)
    return {"per_op": a / n, "per_op_from_difference": (b - a) / n, "n": n}


def median(xs):
    return statistics.median(xs) if xs else None


def spread(xs):
    if len(xs) < 2:
        return 0.0
    return (max(xs) - min(xs)) / statistics.median(xs)


def fmt_ns(x):
    if x is None:
        return "-"
    if x >= 1e6:
        return "%.2f ms" % (x / 1e6)
    if x >= 1e3:
        return "%.2f us" % (x / 1e3)
    return "%.0f ns" % x


def fmt_rate(bytes_per_op, ns):
    if ns is None:
        return "-"
    bps = bytes_per_op * 1e9 / ns
    if bps >= 1e9:
        return "%.2f GB/s" % (bps / 1e9)
    return "%.0f MB/s" % (bps / 1e6)


def fmt_ratio(a, b):
    if a is None or b is None:
        return "-"
    r = b / a
    return "%.1fx" % r if r >= 1.0 else "%.2fx" % r


def workload_bytes(args, name):
    with open(os.path.join(args.workloads_dir, name + ".bin"), "rb") as f:
        data = f.read()
    count = int.from_bytes(data[:4], "little")
    pos, total = 4, 0
    for _ in range(count):
        n = int.from_bytes(data[pos + 1:pos + 5], "little")
        pos += 5 + n
        total += n
    return total


def packets_of(name):
    return 64 if name.startswith("w6") else 1


def report(args, workloads, med, spr, allocs, instr, contexts, loads):
    cpp, js = med["cpp"], med["js"]

    def c(op, w):
        return cpp.get((op, w))

    def j(op, w):
        return js.get((op, w))

    def sp(side, op, w):
        s = spr[side].get((op, w))
        return "" if s is None else " ±%.0f%%" % (50 * s)

    lines = []
    add = lines.append
    add("Medians of %d interleaved repeats of %s time; ± is half the (max - min) spread across "
        "them. Ratios are C++ over JS throughput (JS time / C++ time)." % (
            args.repeats, "wall-clock" if args.clock == "wall" else "CPU"))
    add("")
    add("### Decode (Engine.IO frames -> validated Socket.IO packet, event name, attachments)")
    add("")
    add("| workload | bytes | C++ | C++ rate | JS | JS rate | C++/JS | JS with UTF-8 | C++/JS (UTF-8) "
        "| allocs/op |")
    add("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for w in workloads:
        b = workload_bytes(args, w)
        add("| %s | %d | %s%s | %s | %s%s | %s | **%s** | %s | %s | %s |" % (
            w, b, fmt_ns(c("decode", w)), sp("cpp", "decode", w), fmt_rate(b, c("decode", w)),
            fmt_ns(j("decode", w)), sp("js", "decode", w), fmt_rate(b, j("decode", w)),
            fmt_ratio(c("decode", w), j("decode", w)), fmt_ns(j("decode_utf8", w)),
            fmt_ratio(c("decode", w), j("decode_utf8", w)), fmt_allocs(allocs, "decode", w)))
    add("")
    add("### Encode (packet -> Engine.IO frames)")
    add("")
    add("`values`: from C++ values through the argument writer into a caller buffer; `string`: the "
        "same into a new std::string; `raw`: a packet_view whose JSON is already serialized. "
        "memcpy: copying the workload's bytes.")
    add("")
    add("| workload | values | string | raw | memcpy | JS | JS with UTF-8 | values/JS | string/JS "
        "| raw/JS | raw time / memcpy time | allocs/op (values, string, raw) |")
    add("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for w in workloads:
        raw, mc = c("encode_raw", w), c("memcpy", w)
        add("| %s | %s%s | %s | %s | %s | %s%s | %s | **%s** | %s | %s | %s | %s, %s, %s |" % (
            w, fmt_ns(c("encode", w)), sp("cpp", "encode", w), fmt_ns(c("encode_string", w)),
            fmt_ns(raw), fmt_ns(mc), fmt_ns(j("encode", w)), sp("js", "encode", w),
            fmt_ns(j("encode_utf8", w)), fmt_ratio(c("encode", w), j("encode", w)),
            fmt_ratio(c("encode_string", w), j("encode", w)), fmt_ratio(raw, j("encode", w)),
            "-" if raw is None or mc is None else "%.2f" % (raw / mc),
            fmt_allocs(allocs, "encode", w), fmt_allocs(allocs, "encode_string", w),
            fmt_allocs(allocs, "encode_raw", w)))
    add("")
    if ("base64_decode", "w7_polling_base64_64k") in cpp:
        text = workload_bytes(args, "w7_polling_base64_64k") - 1
        add("### Base64 (w7: %d characters <-> 65536 bytes; rates in base64 characters)" % text)
        add("")
        add("| operation | time | rate |")
        add("|---|---:|---:|")
        for op in ("base64_decode", "base64_encode"):
            t = c(op, "w7_polling_base64_64k")
            add("| %s | %s | %s |" % (op, fmt_ns(t), fmt_rate(text, t)))
        add("")
    if instr:
        add("### Instructions per operation (callgrind, w1)")
        add("")
        add("| operation | instructions/op | from N vs 2N |")
        add("|---|---:|---:|")
        for op, v in instr.items():
            add("| %s | %.0f | %.0f |" % (op, v["per_op"], v["per_op_from_difference"]))
        add("")
    lines.extend(targets(args, workloads, cpp, js, allocs, instr))
    add("")
    add("Load average (1 min) at each repeat: " + ", ".join("%.2f" % x for x in loads))
    cc = contexts.get("cpp", {})
    jc = contexts.get("js", {})
    add("C++: %s, -O2, Google Benchmark (library built as %s), %s CPUs at %s MHz. "
        "JS: node %s (V8 %s), engine.io-parser %s, socket.io-parser %s." % (
            cc.get("compiler", "?"), cc.get("library_build_type", "?"), cc.get("num_cpus", "?"),
            cc.get("mhz_per_cpu", "?"), jc.get("node", "?"), jc.get("v8", "?"),
            jc.get("engine_io_parser", "?"), jc.get("socket_io_parser", "?")))
    return "\n".join(lines) + "\n"


def fmt_allocs(allocs, op, w):
    v = allocs.get((op, w))
    if v is None:
        return "-"
    return ("%d" % v) if v == int(v) else "%.2f" % v


def targets(args, workloads, cpp, js, allocs, instr):
    """The performance targets of the issue, each with its measured value and PASS/FAIL."""
    rows = []

    def ratio(op, w, jop):
        a, b = cpp.get((op, w)), js.get((jop, w))
        return None if a is None or b is None else b / a

    def check(name, value, ok, shown):
        rows.append("| %s | %s | %s |" % (name, shown, "-" if value is None else
                                           ("PASS" if ok else "**FAIL**")))

    for w, need in [("w1", 8), ("w2", 8), ("w3", 8), ("w4", 8), ("w6", 8), ("w8", 8),
                    ("w5", 10), ("w9", 10)]:
        name = next((x for x in workloads if x.startswith(w + "_")), None)
        if name is None:
            continue
        r = ratio("decode", name, "decode")
        check("decode %s >= %dx JS" % (w, need), r, r is not None and r >= need,
              "-" if r is None else "%.1fx" % r)
    name = "w4_event_1m"
    if ("decode", name) in cpp:
        gbs = workload_bytes(args, name) / cpp[("decode", name)]
        check("decode w4 >= 1 GB/s", gbs, gbs >= 1.0, "%.2f GB/s" % gbs)
    if "decode" in instr:
        v = instr["decode"]["per_op"]
        check("decode w1 <= 450 instructions", v, v <= 450, "%.0f" % v)
    w7 = "w7_polling_base64_64k"
    if ("base64_decode", w7) in cpp:
        text = workload_bytes(args, w7) - 1
        for op, need in (("base64_decode", 8.7), ("base64_encode", 10.0)):
            gbs = text / cpp[(op, w7)]
            check("%s w7 >= %g GB/s" % (op, need), gbs, gbs >= need, "%.2f GB/s" % gbs)
    for w in ("w1", "w2", "w3", "w4", "w8"):
        name = next((x for x in workloads if x.startswith(w + "_")), None)
        if name is None:
            continue
        r = ratio("encode", name, "encode")
        check("encode (argument writer) %s >= 5x JS" % w, r, r is not None and r >= 5,
              "-" if r is None else "%.1fx" % r)
    if ("encode_raw", "w4_event_1m") in cpp and ("memcpy", "w4_event_1m") in cpp:
        q = cpp[("encode_raw", "w4_event_1m")] / cpp[("memcpy", "w4_event_1m")]
        check("encode raw JSON w4 within 2x memcpy", q, q <= 2.0, "%.2fx memcpy time" % q)
    if allocs:
        def all_equal(op, want):
            vals = [allocs[(op, w)] for w in workloads if (op, w) in allocs]
            return (all(v == want for v in vals), max(vals) if vals else None)
        ok, worst = all_equal("decode", 0)
        check("0 allocations per decode (every workload)", worst, ok, "max %s" % worst)
        ok_a, worst_a = all_equal("encode", 0)
        ok_b, worst_b = all_equal("encode_raw", 0)
        check("0 allocations per encode into a caller buffer", worst_a, ok_a and ok_b,
              "max %s (values), %s (raw)" % (worst_a, worst_b))
        ok_c, _ = all_equal("encode_string", 1)
        ok_d, _ = all_equal("encode_raw_string", 1)
        vals = sorted({allocs[(op, w)] for op in ("encode_string", "encode_raw_string")
                       for w in workloads if (op, w) in allocs})
        check("exactly 1 allocation per encode into a std::string", 1, ok_c and ok_d,
              "values seen: %s" % ", ".join("%g" % v for v in vals))
    head = ["### Performance targets (issue)", "", "| target | measured | result |",
            "|---|---:|---|"]
    return head + rows


def chart(args, workloads, med):
    gnuplot = shutil.which("gnuplot")
    if gnuplot is None:
        log("gnuplot not found (apt-get install gnuplot-nox): no chart")
        return None
    cpp, js = med["cpp"], med["js"]
    dat = os.path.join(args.out, "chart.dat")
    with open(dat, "w") as f:
        f.write("# workload decode encode encode_raw\n")
        for w in workloads:
            vals = []
            for op in ("decode", "encode", "encode_raw"):
                a, b = cpp.get((op, w)), js.get(("decode" if op == "decode" else "encode", w))
                vals.append("%.3f" % (b / a) if a and b else "NaN")
            f.write("%s %s\n" % (w.split("_")[0], " ".join(vals)))
    png = os.path.join(args.out, "chart.png")
    script = """
set terminal pngcairo size 1000,560 font ",11"
set output '%s'
set title "siocodec vs JS reference (engine.io-parser 5.2.3 + socket.io-parser 4.2.7)\\nspeed-up, higher is better (%s time, median of %d repeats)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set yrange [0.1:*]
set ylabel "C++ throughput / JS throughput (log)"
set grid ytics
set key outside bottom center horizontal
set arrow from graph 0, first 5 to graph 1, first 5 nohead dt 2 lc rgb "#555555"
set arrow from graph 0, first 8 to graph 1, first 8 nohead dt 2 lc rgb "#aa0000"
set label "5x" at graph 1.005, first 5 left tc rgb "#555555"
set label "8x" at graph 1.005, first 8 left tc rgb "#aa0000"
set format y "%%g"
plot '%s' using 2:xtic(1) title "decode" lc rgb "#1f77b4", \
     '' using 3 title "encode (argument writer)" lc rgb "#ff7f0e", \
     '' using 4 title "encode (raw JSON)" lc rgb "#2ca02c"
""" % (png, "wall-clock" if args.clock == "wall" else "CPU", args.repeats, dat)
    gp = os.path.join(args.out, "chart.gp")
    with open(gp, "w") as f:
        f.write(script)
    subprocess.run([gnuplot, gp], check=True)
    return png


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build", "bench"))
    ap.add_argument("--out", default=None, help="default: BUILD_DIR/compare")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--min-time", type=float, default=0.5, help="Google Benchmark seconds")
    ap.add_argument("--batch-ms", type=int, default=500, help="JS batch length")
    ap.add_argument("--warmup-ms", type=int, default=500, help="JS warm-up per operation")
    ap.add_argument("--only", default=None, help="comma-separated workloads (w1,w4,...)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--wait-load", type=float, default=None,
                    help="before each repeat, wait until the 1-minute load is below this")
    ap.add_argument("--max-wait", type=float, default=900, help="seconds --wait-load waits")
    ap.add_argument("--no-callgrind", action="store_true")
    ap.add_argument("--callgrind-n", type=int, default=20000)
    ap.add_argument("--clock", choices=("wall", "cpu"), default=None,
                    help="what the tables compare: wall-clock time (default), or CPU time "
                         "(Google Benchmark cpu_time; node's process.cpuUsage, all threads), "
                         "which suffers less on a loaded machine; both are recorded")
    ap.add_argument("--from-results", default=None,
                    help="redo the report and chart from a results.json, running nothing")
    args = ap.parse_args()
    args.out = args.out or os.path.join(args.build_dir, "compare")
    args.workloads_dir = os.path.join(args.build_dir, "bench", "workloads")
    os.makedirs(os.path.join(args.out, "raw"), exist_ok=True)
    workloads = WORKLOADS
    if args.only:
        wanted = args.only.split(",")
        workloads = [w for w in WORKLOADS if any(w == o or w.startswith(o + "_") for o in wanted)]

    if args.from_results:
        with open(args.from_results) as f:
            prev = json.load(f)
        key = lambda k: tuple(k.split("/", 1))
        samples = {s: {key(k): v for k, v in prev["samples_ns"][s].items()} for s in ("cpp", "js")}
        allocs = {key(k): v for k, v in prev["allocations_per_op"].items()}
        other = {s: {key(k): v for k, v in prev.get("other_clock_ns", {}).get(s, {}).items()}
                 for s in ("cpp", "js")}
        instr, loads, contexts = prev["instructions_per_op_w1"], prev["load_average_1min"], prev["context"]
        args.repeats = len(loads)
        recorded = prev.get("clock", "wall")
        if args.clock is not None and args.clock != recorded:
            samples, other = other, samples
        args.clock = args.clock or recorded
    else:
        args.clock = args.clock or "wall"
        build(args)
        samples, other, contexts, loads = measure_all(args, workloads)
        allocs = count_allocations(args)
        instr = {}
        if not args.no_callgrind and shutil.which("valgrind") and "w1_small_event" in workloads:
            for op in CALLGRIND_OPS:
                instr[op] = instructions_per_op(args, "w1_small_event", op)
    med = {s: {k: median(v) for k, v in samples[s].items()} for s in samples}
    spr = {s: {k: spread(v) for k, v in samples[s].items()} for s in samples}

    md = report(args, workloads, med, spr, allocs, instr, contexts, loads)
    png = chart(args, workloads, med)
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(md)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"clock": args.clock,
                   "samples_ns": {s: {"%s/%s" % k: v for k, v in samples[s].items()}
                                  for s in samples},
                   "other_clock_ns": {s: {"%s/%s" % k: v for k, v in other[s].items()}
                                      for s in other},
                   "median_ns": {s: {"%s/%s" % k: v for k, v in med[s].items()} for s in med},
                   "allocations_per_op": {"%s/%s" % k: v for k, v in allocs.items()},
                   "instructions_per_op_w1": instr, "load_average_1min": loads,
                   "context": contexts}, f, indent=1)
    print(md)
    log("wrote %s/results.md, results.json%s" % (args.out, ", chart.png" if png else ""))


def measure_all(args, workloads):
    samples = {"cpp": {}, "js": {}}
    other = {"cpp": {}, "js": {}}
    contexts = {}
    loads = []
    for rep in range(args.repeats):
        wait_for_load(args.wait_load, args.max_wait)
        loads.append(load1())
        order = ("cpp", "js") if rep % 2 == 0 else ("js", "cpp")
        for side in order:
            log("repeat %d/%d: %s (load %.2f)" % (rep + 1, args.repeats, side, load1()))
            got, ctx = (run_cpp if side == "cpp" else run_js)(args, workloads, rep)
            contexts[side] = ctx
            for key, v in got.items():
                samples[side].setdefault(key, []).append(v[args.clock])
                other[side].setdefault(key, []).append(v["cpu" if args.clock == "wall" else "wall"])
    return samples, other, contexts, loads


if __name__ == "__main__":
    main()
