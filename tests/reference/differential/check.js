#!/usr/bin/env node
// SPDX-License-Identifier: BSL-1.0
// Step 3 of the Socket.IO differential test (run.js): the reference reads what siocodec wrote.
//
//   node check.js <gen.jsonl> <diff-out.jsonl>
//
// For every packet siocodec built from its description (diff.cpp's output), feeds the frames to
// a fresh reference Decoder (socket.io-parser 4.2.7 for protocol v5, 3.4.5 for v4) and checks
// that it delivers exactly one packet, equal to the described one: type (4.x reports
// BINARY_EVENT / BINARY_ACK as EVENT / ACK, 3.x keeps them), namespace ("" or none is "/"),
// ack id, and payload (Buffers by their bytes; numbers as JavaScript reads them, so an integer
// literal beyond double precision compares as the double). Exits 1 on any mismatch.
"use strict";

const fs = require("fs");
const sio5 = require("socket.io-parser-v4");
const sio4 = require("socket.io-parser-v3");
const { unhex } = require("../lib/common");

/** JSON.parse of a description: {"$binary": hex} -> Buffer; own keys kept (also "__proto__"). */
function parseDesc(text) {
  return JSON.parse(text, (k, v) => {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === "$binary" && typeof v.$binary === "string") return unhex(v.$binary);
    }
    return v;
  });
}

function isBinary(x) {
  return x instanceof ArrayBuffer || ArrayBuffer.isView(x);
}

/** Deep equality as the application sees it; returns a path to the first difference or null. */
function diff(a, b, path = "data") {
  if (isBinary(a) || isBinary(b)) {
    if (!(isBinary(a) && isBinary(b))) return path;
    return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0 ? null : path;
  }
  if (typeof a === "number" && typeof b === "number") return a === b || (Number.isNaN(a) && Number.isNaN(b)) ? null : path;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return a === b ? null : path;
  if (Array.isArray(a) !== Array.isArray(b)) return path;
  if (Array.isArray(a)) {
    if (a.length !== b.length) return `${path}.length`;
    for (let i = 0; i < a.length; i++) {
      const d = diff(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  if (ka.join("\u0000") !== kb.join("\u0000")) return `${path} keys`;
  for (const k of ka) {
    const d = diff(a[k], b[k], `${path}.${JSON.stringify(k)}`);
    if (d) return d;
  }
  return null;
}

function decode(version, frames) {
  const d = version === 5 ? new sio5.Decoder() : new sio4.Decoder();
  const got = [];
  d.on("decoded", (p) => got.push(p));
  for (const f of frames) d.add("text" in f ? f.text : unhex(f.binary));
  return got;
}

function main() {
  const [genFile, outFile] = process.argv.slice(2);
  if (!genFile || !outFile) {
    console.error("usage: check.js <gen.jsonl> <diff-out.jsonl>");
    process.exit(2);
  }
  const ref = new Map();
  for (const line of fs.readFileSync(genFile, "utf8").split("\n")) {
    if (!line) continue;
    const v = JSON.parse(line);
    ref.set(v.i, v);
  }
  const stats = { 5: 0, 4: 0 };
  let skipped = 0;
  let failures = 0;
  let lines = 0;
  const fail = (i, what) => {
    failures++;
    if (failures <= 10) console.error(`check: packet ${i}: ${what}`.slice(0, 700));
  };
  for (const line of fs.readFileSync(outFile, "utf8").split("\n")) {
    if (!line) continue;
    lines++;
    const out = JSON.parse(line);
    const r = ref.get(out.i);
    if (!r) {
      fail(out.i, "not in the generated file");
      continue;
    }
    if (out.skip) {
      if (r.builder) fail(out.i, "skipped, but gen.js marked it expressible");
      skipped++;
      continue;
    }
    if (out.error !== undefined) {
      fail(out.i, `siocodec could not build it: ${out.error}`);
      continue;
    }
    const desc = parseDesc(r.desc);
    let got;
    try {
      got = decode(r.version, out.frames);
    } catch (e) {
      fail(out.i, `the reference refuses siocodec's frames: ${e.message}: ${JSON.stringify(out.frames)}`);
      continue;
    }
    if (got.length !== 1) {
      fail(out.i, `the reference delivered ${got.length} packets from ${JSON.stringify(out.frames)}`);
      continue;
    }
    const p = got[0];
    const wantType = r.version === 5 && desc.type >= 5 ? desc.type - 3 : desc.type;
    const wantNsp = desc.nsp ? desc.nsp : "/";
    const problems = [];
    if (p.type !== wantType) problems.push(`type ${p.type}, expected ${wantType}`);
    if (p.nsp !== wantNsp) problems.push(`nsp ${JSON.stringify(p.nsp)}, expected ${JSON.stringify(wantNsp)}`);
    if (p.id !== desc.id) problems.push(`id ${p.id}, expected ${desc.id}`);
    const d = diff(p.data, desc.data);
    if (d) problems.push(`payload differs at ${d}`);
    if (problems.length) {
      fail(out.i, `${problems.join("; ")}; siocodec wrote ${JSON.stringify(out.frames)}`);
      continue;
    }
    stats[r.version]++;
  }
  if (lines !== ref.size) fail("-", `${lines} results for ${ref.size} generated packets`);
  console.log(
    `check.js: the reference decoded siocodec's frames of ${stats[5]} v5 and ${stats[4]} v4 packets into the described packets; ${skipped} not expressible; ${failures} mismatches`,
  );
  process.exit(failures === 0 && stats[5] + stats[4] > 0 ? 0 : 1);
}

main();
