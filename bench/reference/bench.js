#!/usr/bin/env node
// SPDX-License-Identifier: BSL-1.0
// Times the npm reference parsers (engine.io-parser 5.2.3, socket.io-parser 4.2.7) on the
// benchmark workloads, doing what bench/ops.hpp does in C++, and prints JSON.
//
//   node bench.js [--workloads DIR] [--only w1,w4] [--ops decode,encode] [--repeats 5]
//                 [--batch-ms 200] [--warmup-ms 300]
//
// Operations (per workload; one operation = every frame of the workload):
//   decode       each frame through engine.io-parser decodePacket (a polling body through
//                decodePayload), the data of each message through one long-lived socket.io-parser
//                Decoder.add() until it emits "decoded" (binary packets: header, then each
//                attachment). w7 is one binary Engine.IO message: decodePayload decodes its
//                base64, and no Socket.IO packet is involved (the Decoder would throw).
//   encode       Encoder.encode() of the packet held as JS objects (Buffers for attachments), then
//                engine.io-parser encodePacket() of each part (a polling body: encodePayload()).
//   decode_utf8  decode, plus the UTF-8 -> JS string conversion of each text frame that the
//                transport (ws / the HTTP body reader) does before engine.io sees it.
//   encode_utf8  encode, plus Buffer.from(frame) of each text frame, as ws.send() does.
// The C++ decode and encode read and write bytes, so the _utf8 forms are the like-for-like
// ones; decode and encode are the parsers alone, as the issue defines them.
//
// Timing: process.hrtime.bigint() around a batch of iterations sized to last about --batch-ms,
// after --warmup-ms of unmeasured runs (JIT); --repeats batches; the median ns/op is reported
// with packets/s and bytes/s (cpu_ns_per_op: the process's CPU time, process.cpuUsage(), for
// loaded machines). Every operation is checked once before timing: decode must yield
// the workload's packets, encode must give frames that decode to the same packets.
"use strict";

const fs = require("fs");
const path = require("path");
const util = require("util");
const eio = require("engine.io-parser-v5");
const sio = require("socket.io-parser-v4");

const NAMES = [
  "w1_small_event", "w2_nsp_ack_object", "w3_event_1k", "w4_event_1m", "w5_binary_event_64k",
  "w6_polling_payload_64", "w7_polling_base64_64k", "w8_ack", "w9_binary_two_attachments",
];
const OPS = ["decode", "encode", "decode_utf8", "encode_utf8"];

function parseArgs(argv) {
  const args = {
    workloads: process.env.SIOCODEC_WORKLOADS_DIR || path.join(__dirname, "..", "..", "..", "shared", "workloads"),
    only: null, ops: ["decode", "encode"], repeats: 5, batchMs: 200, warmupMs: 300,
  };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i], v = argv[i + 1];
    if (a === "--workloads") args.workloads = v, i++;
    else if (a === "--only") args.only = v.split(","), i++;
    else if (a === "--ops") args.ops = v === "all" ? OPS : v.split(","), i++;
    else if (a === "--repeats") args.repeats = Number(v), i++;
    else if (a === "--batch-ms") args.batchMs = Number(v), i++;
    else if (a === "--warmup-ms") args.warmupMs = Number(v), i++;
    else throw new Error(`unknown argument ${a}`);
  }
  for (const op of args.ops) if (!OPS.includes(op)) throw new Error(`unknown op ${op}`);
  return args;
}

/** NAME.bin: u32 LE count, then per frame u8 kind (0 text, 1 binary), u32 LE length, bytes. */
function loadWorkload(dir, name) {
  const buf = fs.readFileSync(path.join(dir, name + ".bin"));
  const count = buf.readUInt32LE(0);
  const frames = [];
  let pos = 4;
  for (let i = 0; i < count; i++) {
    const kind = buf.readUInt8(pos);
    const len = buf.readUInt32LE(pos + 1);
    pos += 5;
    frames.push({ binary: kind === 1, bytes: Buffer.from(buf.subarray(pos, pos + len)) });
    pos += len;
  }
  if (pos !== buf.length) throw new Error(`${name}: bytes after the last frame`);
  return {
    name,
    frames,
    polling: name.includes("_polling_"),
    bytes: frames.reduce((n, f) => n + f.bytes.length, 0),
  };
}

/** Socket.IO packets per operation: w6 carries 64, the others one (w7: one Engine.IO message). */
function packetsOf(w) {
  return w.name.startsWith("w6_") ? 64 : 1;
}

// --- decode ------------------------------------------------------------------------------------

/** A decode operation over prepared inputs: text frames as JS strings, binary as Buffers. */
function makeDecode(w, utf8) {
  const inputs = w.frames.map((f) => (f.binary ? f.bytes : f.bytes.toString("utf8")));
  const decoder = new sio.Decoder();
  let delivered = 0;
  let sink = 0;
  let last = null;
  decoder.on("decoded", (packet) => {
    delivered++;
    last = packet;
    sink += Array.isArray(packet.data) && typeof packet.data[0] === "string" ? packet.data[0].length : 1;
  });
  const message = (p) => {
    if (p.type !== "message") throw new Error(`unexpected Engine.IO packet ${p.type}`);
    if (typeof p.data !== "string" && !decoder.reconstructor) {
      delivered++;  // a binary message no Socket.IO header announced (w7)
      last = p;
      sink += p.data.length;
      return;
    }
    decoder.add(p.data);
  };
  const frames = w.frames;
  const run = () => {
    delivered = 0;
    for (let i = 0; i < frames.length; i++) {
      const input = utf8 && !frames[i].binary ? frames[i].bytes.toString("utf8") : inputs[i];
      if (w.polling) {
        const packets = eio.decodePayload(input, "nodebuffer");
        for (const p of packets) message(p);
      } else {
        message(eio.decodePacket(input, "nodebuffer"));
      }
    }
    return delivered;
  };
  return { run, lastPacket: () => last, sink: () => sink };
}

// --- encode ------------------------------------------------------------------------------------

/** The workload's packets as the application holds them: decoded once by the reference. */
function applicationPackets(w) {
  const out = [];
  const decoder = new sio.Decoder();
  decoder.on("decoded", (p) => out.push(p));
  for (const f of w.frames) {
    const input = f.binary ? f.bytes : f.bytes.toString("utf8");
    const packets = w.polling ? eio.decodePayload(input, "nodebuffer") : [eio.decodePacket(input, "nodebuffer")];
    for (const p of packets) {
      if (typeof p.data !== "string" && !decoder.reconstructor) out.push({ engineioBinary: p.data });
      else decoder.add(p.data);
    }
  }
  return out;
}

function makeEncode(w, utf8) {
  const packets = applicationPackets(w);
  const encoder = new sio.Encoder();
  let frames = [];
  let sink = 0;
  const push = (f) => {
    frames.push(f);
    sink += f.length;
  };
  const toBytes = (f) => (utf8 && typeof f === "string" ? Buffer.from(f, "utf8") : f);
  let run;
  if (w.polling) {
    run = () => {
      frames = [];
      const eioPackets = [];
      for (const p of packets) {
        if (p.engineioBinary) {
          eioPackets.push({ type: "message", data: p.engineioBinary });
        } else {
          for (const part of encoder.encode(p)) eioPackets.push({ type: "message", data: part });
        }
      }
      eio.encodePayload(eioPackets, (body) => push(toBytes(body)));
      return packets.length;
    };
  } else {
    run = () => {
      frames = [];
      for (const p of packets) {
        for (const part of encoder.encode(p)) {
          eio.encodePacket({ type: "message", data: part }, true, (f) => push(toBytes(f)));
        }
      }
      return packets.length;
    };
  }
  return { run, frames: () => frames, packets, sink: () => sink };
}

// --- checks ------------------------------------------------------------------------------------

function check(w, op, impl) {
  if (op.startsWith("decode")) {
    const n = impl.run();
    const want = packetsOf(w);
    if (n !== want) throw new Error(`${w.name} ${op}: ${n} packets, expected ${want}`);
    return;
  }
  impl.run();
  const out = impl.frames().map((f) => (typeof f === "string" ? Buffer.from(f, "utf8") : Buffer.from(f)));
  // Byte-identical except where the workload's JSON is not JSON.stringify's (w4: Python wrote
  // -944.0 for the number -944): then the frames must decode to the same packets.
  const same = out.length === w.frames.length && out.every((b, i) => b.equals(w.frames[i].bytes));
  if (same) return;
  const again = applicationPackets({ ...w, frames: out.map((bytes, i) => ({ binary: w.frames[i] ? w.frames[i].binary : false, bytes })) });
  if (!util.isDeepStrictEqual(again, impl.packets)) {
    throw new Error(`${w.name} ${op}: output does not decode to the same packets`);
  }
}

// --- timing ------------------------------------------------------------------------------------

function timeBatch(fn, iterations) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  return Number(process.hrtime.bigint() - start);
}

/** Wall and process CPU time (all threads: V8's GC and compiler threads count too) of a batch. */
function timeBatchBoth(fn, iterations) {
  const cpu = process.cpuUsage();
  const wall = timeBatch(fn, iterations);
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) * 1000 };
}

function measure(fn, args) {
  // Warm up (JIT tiers) for warmupMs, then size a batch to about batchMs.
  let iterations = 1;
  const warmEnd = process.hrtime.bigint() + BigInt(Math.round(args.warmupMs * 1e6));
  while (process.hrtime.bigint() < warmEnd) {
    const ns = timeBatch(fn, iterations);
    if (ns < args.batchMs * 1e6 / 10) iterations *= 2;
  }
  const probe = timeBatch(fn, iterations) / iterations;
  iterations = Math.max(1, Math.round((args.batchMs * 1e6) / Math.max(probe, 1)));
  const samples = [];
  const cpuSamples = [];
  for (let r = 0; r < args.repeats; r++) {
    const t = timeBatchBoth(fn, iterations);
    samples.push(t.wall / iterations);
    cpuSamples.push(t.cpu / iterations);
  }
  return { median: medianOf(samples), cpuMedian: medianOf(cpuSamples), samples, iterations };
}

function medianOf(xs) {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function packageVersion(dir) {
  const file = path.join(__dirname, "node_modules", dir, "package.json");
  return JSON.parse(fs.readFileSync(file, "utf8")).version;
}

function main() {
  const args = parseArgs(process.argv);
  const names = args.only
    ? NAMES.filter((n) => args.only.some((o) => n === o || n.startsWith(o + "_")))
    : NAMES;
  const results = [];
  for (const name of names) {
    const w = loadWorkload(args.workloads, name);
    const packetsPerOp = packetsOf(w);
    for (const op of args.ops) {
      const impl = op.startsWith("decode") ? makeDecode(w, op === "decode_utf8") : makeEncode(w, op === "encode_utf8");
      check(w, op, impl);
      const m = measure(impl.run, args);
      results.push({
        workload: name, op, bytes_per_op: w.bytes, packets_per_op: packetsPerOp,
        ns_per_op: m.median, cpu_ns_per_op: m.cpuMedian, samples_ns: m.samples,
        iterations: m.iterations,
        packets_per_second: packetsPerOp * 1e9 / m.median,
        bytes_per_second: w.bytes * 1e9 / m.median,
      });
      if (impl.sink() < 0) console.error("unreachable");  // keeps the results observable
    }
  }
  const out = {
    context: {
      node: process.version, v8: process.versions.v8,
      engine_io_parser: packageVersion("engine.io-parser-v5"),
      socket_io_parser: packageVersion("socket.io-parser-v4"),
      workloads: path.resolve(args.workloads), repeats: args.repeats, batch_ms: args.batchMs,
      warmup_ms: args.warmupMs, date: new Date().toISOString(),
    },
    results,
  };
  process.stdout.write(JSON.stringify(out, null, 1) + "\n");
}

main();
