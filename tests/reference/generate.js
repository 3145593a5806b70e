#!/usr/bin/env node
// SPDX-License-Identifier: BSL-1.0
// Writes tests/reference/vectors/*.jsonl from the npm reference parsers (package.json pins them).
//
//   node tests/reference/generate.js           regenerate the committed vectors
//   node tests/reference/generate.js --check   regenerate in memory; exit 1 at the first
//                                               difference from the committed files
//
// Every gen/*.js module exports `async generate()` returning {"<file>.jsonl": [vector, ...]}.
// Output is deterministic: no clock, no unseeded randomness, keys in a fixed order.
"use strict";

const fs = require("fs");
const path = require("path");

const HERE = __dirname;
const GEN_DIR = path.join(HERE, "gen");
const OUT_DIR = path.join(HERE, "vectors");

// Keys whose values are byte strings and must be lowercase hex.
const HEX_KEYS = new Set(["binary", "stream", "utf16"]);

function fail(msg) {
  console.error(`generate.js: ${msg}`);
  process.exit(2);
}

function checkValue(id, value, where) {
  if (typeof value === "string") {
    // JSON.stringify escapes lone surrogates as \udXXX; C++ JSON readers would have to invent
    // bytes for them, so the format forbids them.
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff) {
        const d = value.charCodeAt(i + 1);
        if (!(d >= 0xdc00 && d <= 0xdfff)) fail(`${id}: lone surrogate in ${where}`);
        i++;
      } else if (c >= 0xdc00 && c <= 0xdfff) {
        fail(`${id}: lone surrogate in ${where}`);
      }
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((x, i) => checkValue(id, x, `${where}[${i}]`));
    return;
  }
  if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (HEX_KEYS.has(k) && !(typeof v === "string" && /^([0-9a-f]{2})*$/.test(v))) {
        fail(`${id}: ${where}.${k} is not lowercase hex`);
      }
      checkValue(id, v, `${where}.${k}`);
    }
    return;
  }
  // JSON.stringify prints the shortest round-trip form, which for integers above 2^53 is not
  // the exact value a C++ reader would see; 2^53 itself prints exactly.
  if (typeof value === "number" && !Number.isSafeInteger(value) && value !== 2 ** 53) {
    fail(`${id}: number ${value} in ${where} is not an exactly printed integer`);
  }
}

function validate(v, ids) {
  const keys = Object.keys(v);
  if (keys[0] !== "id" || keys[1] !== "op") fail(`${v.id}: keys must start with id, op`);
  if (ids.has(v.id)) fail(`duplicate id ${v.id}`);
  ids.add(v.id);
  const refAt = keys.indexOf("ref");
  if (refAt < 2) fail(`${v.id}: "ref" missing or before the inputs`);
  const tail = keys.slice(refAt + 1);
  const allowed = ["ours", "note"].filter((k) => tail.includes(k));
  if (tail.join() !== allowed.join()) fail(`${v.id}: only "ours" then "note" may follow "ref"`);
  if (v.ours !== undefined) {
    if (typeof v.ours !== "object" || v.ours === null) fail(`${v.id}: "ours" must be an object`);
    // A deviation needs its reason; the only reason-less "ours" pins our error code where the
    // reference rejects too.
    const pin = typeof v.ours.error === "string" && v.ref.error === true;
    if (v.ours.reason === undefined && !pin) {
      fail(`${v.id}: "ours" without "reason" must pin an error where the reference errors too`);
    }
    if (v.ours.lax !== undefined && v.ours.lax !== true) fail(`${v.id}: "lax" must be true`);
  }
  checkValue(v.id, v, "vector");
}

function serialize(vectors) {
  return vectors.map((v) => JSON.stringify(v)).join("\n") + (vectors.length ? "\n" : "");
}

async function buildAll() {
  const modules = fs
    .readdirSync(GEN_DIR)
    .filter((f) => f.endsWith(".js"))
    .sort();
  const files = new Map();
  const ids = new Set();
  for (const m of modules) {
    const mod = require(path.join(GEN_DIR, m));
    if (typeof mod.generate !== "function") fail(`gen/${m} does not export generate()`);
    const out = await mod.generate();
    for (const [name, vectors] of Object.entries(out)) {
      if (!/^[a-z0-9_]+\.jsonl$/.test(name)) fail(`gen/${m}: bad file name ${name}`);
      if (files.has(name)) fail(`gen/${m}: file ${name} produced twice`);
      for (const v of vectors) validate(v, ids);
      files.set(name, { text: serialize(vectors), vectors });
    }
  }
  return files;
}

function summary(files) {
  const counts = new Map();
  let total = 0;
  for (const { vectors } of files.values()) {
    for (const v of vectors) {
      const version = v.version !== undefined ? ` v${v.version}` : "";
      const key = `${v.op}${version}`;
      counts.set(key, (counts.get(key) || 0) + 1);
      total++;
    }
  }
  const lines = [...counts.entries()].sort().map(([k, n]) => `  ${k.padEnd(26)} ${n}`);
  return `${total} vectors in ${files.size} files\n${lines.join("\n")}`;
}

function firstDifference(expected, actual) {
  const e = expected.split("\n");
  const a = actual.split("\n");
  for (let i = 0; i < Math.max(e.length, a.length); i++) {
    if (e[i] !== a[i]) {
      const clip = (s) =>
        s === undefined ? "<end of file>" : s.length > 300 ? s.slice(0, 300) + "..." : s;
      return { line: i + 1, expected: clip(e[i]), actual: clip(a[i]) };
    }
  }
  return null;
}

async function main() {
  const args = process.argv.slice(2);
  const check = args.includes("--check");
  const unknown = args.filter((a) => a !== "--check");
  if (unknown.length) fail(`unknown argument ${unknown[0]} (usage: generate.js [--check])`);

  const files = await buildAll();

  if (check) {
    let ok = true;
    const committed = fs.existsSync(OUT_DIR)
      ? fs.readdirSync(OUT_DIR).filter((f) => f.endsWith(".jsonl")).sort()
      : [];
    for (const [name, { text }] of files) {
      const p = path.join(OUT_DIR, name);
      if (!fs.existsSync(p)) {
        console.error(`vectors/${name}: missing (run node tests/reference/generate.js)`);
        ok = false;
        continue;
      }
      const d = firstDifference(text, fs.readFileSync(p, "utf8"));
      if (d) {
        console.error(`vectors/${name}:${d.line}: differs from the reference`);
        console.error(`  generated: ${d.expected}`);
        console.error(`  committed: ${d.actual}`);
        ok = false;
      }
    }
    for (const name of committed) {
      if (!files.has(name)) {
        console.error(`vectors/${name}: not produced by any gen/*.js module (stale file?)`);
        ok = false;
      }
    }
    if (!ok) process.exit(1);
    console.log(`vectors up to date: ${summary(files)}`);
    return;
  }

  fs.mkdirSync(OUT_DIR, { recursive: true });
  for (const [name, { text }] of files) fs.writeFileSync(path.join(OUT_DIR, name), text);
  console.log(summary(files));
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(2);
});
