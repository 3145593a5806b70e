#!/usr/bin/env node
// SPDX-License-Identifier: BSL-1.0
// The Socket.IO differential test (ctest reference.differential): siocodec against the npm
// reference on random packets, in both directions.
//
//   node run.js --diff <siocodec_sio_diff> --dir <work dir> [--seed <n>] [--count <n>]
//
// 1. gen.js: <count> random packets per protocol (v5, v4), encoded by the reference;
// 2. siocodec_sio_diff (diff.cpp): siocodec decodes and re-encodes every one, and builds each
//    from its description;
// 3. check.js: the reference decodes what siocodec built.
// Fails at the first step that reports a mismatch; each step prints its counts and its first
// mismatches. Same seed, same packets.
"use strict";

const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

function main() {
  const opts = { diff: null, dir: null, seed: "20260704", count: "10000" };
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i += 2) {
    const k = a[i].replace(/^--/, "");
    if (!(k in opts) || a[i + 1] === undefined) {
      console.error("usage: run.js --diff <exe> --dir <dir> [--seed <n>] [--count <n>]");
      process.exit(2);
    }
    opts[k] = a[i + 1];
  }
  if (!opts.diff || !opts.dir) {
    console.error("usage: run.js --diff <exe> --dir <dir> [--seed <n>] [--count <n>]");
    process.exit(2);
  }
  fs.mkdirSync(opts.dir, { recursive: true });
  const gen = path.join(opts.dir, "sio_reference.jsonl");
  const out = path.join(opts.dir, "sio_siocodec.jsonl");
  const steps = [
    [process.execPath, [path.join(__dirname, "gen.js"), "--seed", opts.seed, "--count", opts.count, "--out", gen]],
    [opts.diff, [gen, out]],
    [process.execPath, [path.join(__dirname, "check.js"), gen, out]],
  ];
  console.log(`run.js: seed ${opts.seed}, ${opts.count} packets per protocol`);
  for (const [cmd, args] of steps) {
    const r = spawnSync(cmd, args, { stdio: "inherit" });
    if (r.error) {
      console.error(`run.js: cannot run ${cmd}: ${r.error.message}`);
      process.exit(2);
    }
    if (r.status !== 0) {
      console.error(`run.js: ${path.basename(args[0] && cmd === process.execPath ? args[0] : cmd)} failed (seed ${opts.seed})`);
      process.exit(1);
    }
  }
}

main();
