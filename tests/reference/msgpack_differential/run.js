#!/usr/bin/env node
// SPDX-License-Identifier: BSL-1.0
// Randomized differential test of siocodec's msgpack parser against socket.io-msgpack-parser
// 3.0.2 / 2.2.1 (notepack.io 2.2.0):
//
//   node run.js <path to msgpack_diff> [--count N] [--mutations M] [--seed S]
//
// 1. N random packets (protocol v5 and v4: every type, nested payloads with every kind of value
//    JavaScript can send through notepack.io, sizes across every 8/16/32-bit boundary) are
//    encoded by the reference. msgpack_diff (diff.cpp) decodes each, and must (a) describe the
//    same packet the reference Decoder produces, (b) encode the decoded view back byte for byte,
//    (c) write it again value by value with its own emitters, byte for byte (every encoding
//    choice equals notepack.io's), and (d) build the same bytes with the packet builders.
// 2. M damaged copies (bytes flipped, inserted, removed, cut) go to both decoders. Where the
//    reference accepts, siocodec must accept the same packet or refuse for one of its documented
//    reasons (checked case by case); where the reference refuses, siocodec must refuse too.
//
// Packets go to msgpack_diff in batches of 250 (one process each), so that memory stays bounded
// whatever --count says; the defaults (2000 packets, 800 damaged) run in about 15 s in a Debug
// build. Deterministic: a fixed-seed PRNG (lib/common.js). Exit status 1 on any difference.
"use strict";

const { spawnSync } = require("child_process");
const mp5 = require("socket.io-msgpack-parser-v3");
const mp4 = require("socket.io-msgpack-parser-v2");
const { prng, hex, fromJsNumber } = require("../lib/common");
const { fromMp } = require("../gen/msgpack");

// --- arguments -------------------------------------------------------------------------------------

const args = process.argv.slice(2);
const binary = args[0];
const option = (name, dflt) => {
  const i = args.indexOf(name);
  return i < 0 ? dflt : Number(args[i + 1]);
};
const COUNT = option("--count", 2000);
const MUTATIONS = option("--mutations", 800);
const SEED = option("--seed", 20260726);
if (!binary) {
  console.error("usage: node run.js <msgpack_diff> [--count N] [--mutations M] [--seed S]");
  process.exit(2);
}

const rng = prng(SEED);
const chance = (p) => rng.next() < p;
const pick = (list) => list[rng.int(0, list.length - 1)];

// --- random JavaScript values --------------------------------------------------------------------

const CHARS = [
  "abcdefghijklmnopqrstuvwxyz",
  "ABCXYZ0123456789 _-./:,;!?",
  "\"\\\n\t\u0000\u001f\u007f",
  "éüßñ€£¥©",
  "日本語中文한국어",
  "\u2028\u2029\ufeff\ufffd",
];
const ASTRAL = ["😀", "🎉", "𝄞", "🇫🇷"];

// Values of 64 KiB and more (the 32-bit forms) are rationed, so that the run stays small.
let bigLeft = 12;
const big = () => bigLeft > 0 && chance(0.004) && bigLeft-- > 0;

function randString(maxHint) {
  const r = rng.next();
  let len;
  if (maxHint !== undefined) len = rng.int(0, maxHint);
  else if (big()) len = rng.int(65530, 65545); // str 16 / str 32 boundary (UTF-8 bytes around it)
  else if (r < 0.55) len = rng.int(0, 12);
  else if (r < 0.85) len = rng.int(25, 40); // fixstr / str 8 boundary
  else len = rng.int(240, 300); // str 8 / str 16 boundary
  let s = "";
  while (s.length < len) {
    if (chance(0.03)) s += pick(ASTRAL);
    else {
      const pool = pick(CHARS);
      s += pool[rng.int(0, pool.length - 1)];
    }
  }
  return s;
}

function randNumber() {
  const r = rng.next();
  if (r < 0.3) return rng.int(-40, 200);
  if (r < 0.45) return rng.int(-70000, 70000);
  if (r < 0.55) return rng.int(-(2 ** 31) - 5, 2 ** 32 + 5);
  if (r < 0.65) return (rng.int(-(2 ** 21), 2 ** 21) * 2 ** 32) + rng.int(0, 2 ** 32 - 1); // up to 2^53
  // Below 2^63 in magnitude: notepack.io writes integral numbers from 2^64 up (every double of
  // that size is integral) and from -2^63 down as wrapped 64-bit integers, a different number
  // (siocodec writes float 64 there: a documented difference, pinned by the vectors).
  if (r < 0.8) return (rng.next() - 0.5) * 10 ** rng.int(-10, 18);
  return pick([0, -0, 0.5, -1.5, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53), 2 ** 63, 2 ** 64 - 2 ** 11, -(2 ** 63), 1e-300, 5e-324, 127, 128, 255, 256, 65535, 65536, -32, -33, -128, -129, -32768, -32769, 4294967295, 4294967296]);
}

function randBuffer() {
  const r = rng.next();
  const n = big() ? rng.int(65530, 65545) : r < 0.75 ? rng.int(0, 10) : rng.int(250, 260);
  return rng.bytes(n);
}

function randArrayBuffer() {
  const b = rng.bytes(rng.int(0, 20));
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
}

let hugeArrays = 0;
function randValue(depth) {
  const r = rng.next();
  // Containers get rarer with depth, so a payload stays a few hundred bytes on average.
  if (depth >= 6 || r < 1 - 0.4 / depth) {
    const s = rng.next();
    if (s < 0.08) return null;
    if (s < 0.15) return chance(0.5);
    if (s < 0.5) return randNumber();
    if (s < 0.8) return randString();
    if (s < 0.9) return randBuffer();
    if (s < 0.94) return randArrayBuffer();
    if (s < 0.97) return undefined;
    return new Date(rng.int(-2e12, 4e12));
  }
  if (chance(0.5)) {
    let n = chance(0.85) ? rng.int(0, 5) : rng.int(14, 20);
    if (hugeArrays < 1 && chance(0.002)) {
      hugeArrays++;
      n = 65536 + rng.int(0, 3); // array 32
      return Array.from({ length: n }, () => rng.int(0, 127));
    }
    return Array.from({ length: n }, () => randValue(depth + 1));
  }
  const n = chance(0.85) ? rng.int(0, 5) : rng.int(14, 20);
  const o = {};
  for (let i = 0; i < n; i++) {
    let k = randString(12);
    if (k === "__proto__") k = "proto";
    o[k] = randValue(depth + 1);
  }
  return o;
}

function randNsp(textSafe) {
  const r = rng.next();
  if (r < 0.6) return "/";
  if (r < 0.95) {
    const s = randString(10);
    // Protocol v4 text packets carry the namespace through JSON.stringify: keep it free of the
    // characters it escapes (siocodec refuses escaped namespaces, a documented difference).
    return "/" + (textSafe ? s.replace(/["\\\u0000-\u001f]/g, "x") : s);
  }
  if (r < 0.97) return "";
  return "admin";
}

function hasBuffer(v) {
  if (Buffer.isBuffer(v)) return true;
  if (Array.isArray(v)) return v.some(hasBuffer);
  if (v && typeof v === "object" && !(v instanceof Date) && !(v instanceof ArrayBuffer)) {
    return Object.values(v).some(hasBuffer);
  }
  return false;
}

function randId() {
  const r = rng.next();
  if (r < 0.5) return rng.int(0, 200);
  if (r < 0.8) return rng.int(0, 70000);
  return rng.int(0, 2 ** 32) * rng.int(0, 2 ** 21);
}

/** A random packet for protocol `version`, keys in the order the encoders write them. */
function randPacket(version) {
  const v4 = version === 4;
  const type = pick(v4 ? [0, 1, 2, 2, 2, 3, 3, 4, 5, 6] : [0, 1, 2, 2, 2, 2, 3, 3, 4, 4]);
  const text = v4 && (type === 0 || type === 1 || type === 4);
  const p = { type, nsp: randNsp(text) };
  const args = () => Array.from({ length: chance(0.8) ? rng.int(0, 4) : rng.int(14, 18) }, () => randValue(1));
  switch (type) {
    case 0:
      if (!v4 && chance(0.6)) p.data = Object.fromEntries(Array.from({ length: rng.int(0, 4) }, () => [randString(8).replace("__proto__", "x"), randValue(2)]));
      break;
    case 1:
      break;
    case 2:
    case 5:
      p.data = [randString(20), ...args()];
      break;
    case 3:
    case 6:
      p.data = args();
      break;
    case 4:
      if (v4 || chance(0.2)) p.data = randString(30);
      else {
        p.data = { message: randString(30) };
        if (chance(0.5)) p.data.data = randValue(1);
      }
      break;
  }
  // Socket.IO 2.x sends BINARY_EVENT / BINARY_ACK exactly when the arguments hold a Buffer.
  if (v4 && (type === 5 || type === 6) && !hasBuffer(p.data)) p.data.push(rng.bytes(rng.int(0, 4)));
  if (v4 && (type === 2 || type === 3)) p.data = p.data.map((x) => (hasBuffer(x) ? "no buffer" : x));
  if (type === 3 || type === 6 || ((type === 2 || type === 5) && chance(0.3)) || (type <= 1 && chance(0.05))) {
    p.id = randId();
  }
  return p;
}

function refEncode(version, p) {
  if (version === 5) return new mp5.Encoder().encode(p)[0];
  let out;
  new mp4.Encoder().encode(p, (x) => (out = x));
  return out[0];
}

/**
 * True when notepack.io would allocate an ArrayBuffer of a length read from the message that
 * runs past its end, and then copy that many bytes one by one (up to 4 GiB: an ext 32 of type 0
 * announcing 0xffffffff bytes). notepack.io fails such a message in the end ("-N trailing
 * bytes"), so it counts as refused, without running the reference into that loop. (siocodec
 * checks every length against the bytes left before using it.)
 */
function refOverallocates(b) {
  let p = 0;
  let pending = 1;
  const u = (at, n) => (at + n <= b.length ? b.readUIntBE(at, n) : -1);
  const fixed = { 0xca: 4, 0xcb: 8, 0xcc: 1, 0xcd: 2, 0xce: 4, 0xcf: 8, 0xd0: 1, 0xd1: 2, 0xd2: 4, 0xd3: 8, 0xd4: 2, 0xd5: 3, 0xd6: 5, 0xd7: 9, 0xd8: 17 };
  const sized = { 0xc4: 1, 0xc5: 2, 0xc6: 4, 0xd9: 1, 0xda: 2, 0xdb: 4 };
  const counted = { 0xdc: [2, 1], 0xdd: [4, 1], 0xde: [2, 2], 0xdf: [4, 2] };
  const ext = { 0xc7: 1, 0xc8: 2, 0xc9: 4 };
  while (pending > 0 && p < b.length) {
    const c = b[p];
    pending--;
    if (c < 0x80 || c >= 0xe0 || c === 0xc0 || c === 0xc2 || c === 0xc3) {
      p += 1;
    } else if (c < 0x90) {
      pending += 2 * (c & 15);
      p += 1;
    } else if (c < 0xa0) {
      pending += c & 15;
      p += 1;
    } else if (c < 0xc0) {
      p += 1 + (c & 31);
    } else if (fixed[c] !== undefined) {
      p += 1 + fixed[c];
    } else if (sized[c] !== undefined) {
      const n = u(p + 1, sized[c]);
      if (n < 0) return false;
      p += 1 + sized[c] + n;
    } else if (counted[c] !== undefined) {
      const n = u(p + 1, counted[c][0]);
      if (n < 0) return false;
      pending += n * counted[c][1];
      p += 1 + counted[c][0];
    } else if (ext[c] !== undefined) {
      const n = u(p + 1, ext[c]);
      const t = u(p + 1 + ext[c], 1);
      if (n < 0 || t < 0) return false;
      const start = p + 2 + ext[c];
      if (t === 0 && start + n > b.length) return true;
      p = start + n;
    } else {
      return false; // c1: "Could not parse"
    }
  }
  return false;
}

/** What the reference Decoder makes of a message: a vector packet, or null when it throws. */
let overallocating = 0;
function refDecode(version, message) {
  if (typeof message !== "string" && refOverallocates(message)) {
    overallocating++;
    return null;
  }
  const d = version === 5 ? new mp5.Decoder() : new mp4.Decoder();
  let got;
  d.on("decoded", (p) => (got = p));
  try {
    d.add(message);
  } catch (e) {
    return null;
  }
  const out = { type: fromJsNumber(got.type), nsp: got.nsp };
  if (got.id !== undefined) out.id = fromJsNumber(got.id);
  if (got.data !== undefined) out.data = fromMp(got.data);
  return out;
}

/** A packet description for the C++ builders (keys as in randPacket). */
function describe(p) {
  const d = { type: p.type, nsp: p.nsp };
  if (p.data !== undefined) d.data = fromMp(p.data);
  if (p.id !== undefined) d.id = fromJsNumber(p.id);
  return d;
}

// --- comparison ------------------------------------------------------------------------------------

/** Deep equality of vector JSON, object keys in any order, NaN equal to NaN. */
function same(a, b) {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null) return false;
  if (typeof a === "number") return Number.isNaN(a) && Number.isNaN(b);
  if (typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  if ("$number" in a && "$number" in b && ka.length === 1) {
    return a.$number === b.$number || (a.$number === "NaN" && b.$number === "NaN");
  }
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && same(a[k], b[k]));
}

// --- run -------------------------------------------------------------------------------------------

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const failures = [];
const count = {};
const bump = (k) => (count[k] = (count[k] || 0) + 1);
let totalValid = 0;
let totalDamaged = 0;

/** Where two hex strings first differ, with some context. */
function firstDiff(got, want) {
  got = String(got);
  let i = 0;
  while (i < got.length && i < want.length && got[i] === want[i]) i++;
  i -= i % 2;
  return `at byte ${i / 2}: ${got.slice(Math.max(0, i - 16), i + 40)} vs ${want.slice(Math.max(0, i - 16), i + 40)}`;
}

/**
 * C++ packet JSON vs the reference's. siocodec keeps ack ids above 2^53 exact (a decimal string
 * in its answer) where JavaScript rounds them to a double: the documented difference, accepted
 * when the exact id rounds to the reference's.
 */
let exactIds = 0;
function samePacket(flagged, ref) {
  const { invalid_utf8: _, ...cpp } = flagged; // the flag is checked by the caller
  if (typeof cpp.id === "string") {
    if (!same(fromJsNumber(Number(cpp.id)), ref.id)) return false;
    exactIds++;
    return same({ ...cpp, id: ref.id }, ref);
  }
  return same(cpp, ref);
}

const DEVIATIONS = new Set(["invalid_utf8", "invalid_ack_id", "ack_id_overflow", "invalid_payload", "nesting_too_deep"]);

/** A damaged copy of the binary message `b`. */
function damage(b) {
  const kind = rng.int(0, 5);
  if (kind === 0 && b.length > 0) {
    const m = Buffer.from(b);
    const n = rng.int(1, 3);
    for (let j = 0; j < n; j++) m[rng.int(0, m.length - 1)] = rng.int(0, 255);
    return m;
  }
  if (kind === 1 && b.length > 0) {
    const m = Buffer.from(b);
    m[rng.int(0, m.length - 1)] ^= 1 << rng.int(0, 7);
    return m;
  }
  if (kind === 2) return b.subarray(0, rng.int(0, b.length));
  if (kind === 3) {
    const at = rng.int(0, b.length);
    return Buffer.concat([b.subarray(0, at), rng.bytes(rng.int(1, 3)), b.subarray(at)]);
  }
  if (kind === 4 && b.length > 1) {
    const at = rng.int(0, b.length - 1);
    return Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]);
  }
  // A header byte replaced by another format of the same family.
  const m = Buffer.from(b);
  const at = rng.int(0, Math.max(0, m.length - 1));
  if (m.length) m[at] = pick([0xc0, 0xc1, 0xc2, 0xcb, 0xcf, 0xd3, 0xd4, 0xd7, 0xd9, 0xdc, 0xde, 0xc4, 0xc7, 0x80, 0x90, 0xa0, 0xff, 0x7f]);
  return m;
}

/**
 * One batch: `nValid` reference packets and `nDamaged` damaged copies of them, answered by one
 * msgpack_diff process. Batches keep the memory of a run bounded whatever --count says: nothing
 * of a batch outlives it but the counters and the failure messages.
 */
function runBatch(batch, nValid, nDamaged) {
  const records = [];
  const expected = [];
  for (let i = 0; i < nValid; i++) {
    const version = chance(0.75) ? 5 : 4;
    const p = randPacket(version);
    const out = refEncode(version, p);
    const rec = { v: version, desc: describe(p) };
    if (typeof out === "string") rec.text = out;
    else rec.hex = hex(out);
    records.push(rec);
    expected.push({ packet: refDecode(version, out) });
  }
  const binaries = records.map((r, i) => i).filter((i) => records[i].hex !== undefined);
  for (let i = 0; binaries.length && i < nDamaged; i++) {
    const src = records[pick(binaries)];
    const m = damage(Buffer.from(src.hex, "hex"));
    records.push({ v: src.v, hex: hex(m), mutated: true });
    expected.push({ packet: refDecode(src.v, m) });
  }
  const valid = nValid;
  totalValid += valid;
  totalDamaged += records.length - valid;

  const input = records.map((r) => JSON.stringify(r)).join("\n") + "\n";
  const run = spawnSync(binary, [], { input, maxBuffer: 1 << 28, encoding: "utf8" });
  if (run.status !== 0) {
    console.error(`msgpack_diff exited with ${run.status} ${run.signal || ""}\n${run.stderr}`);
    process.exit(1);
  }
  const answers = run.stdout.trim().split("\n").map((l) => JSON.parse(l));
  if (answers.length !== records.length) {
    console.error(`batch ${batch}: expected ${records.length} answers, got ${answers.length}`);
    process.exit(1);
  }
  const fail = (i, what) => {
    const r = records[i];
    failures.push(`batch ${batch} record ${i} (${r.text !== undefined ? "text " + JSON.stringify(r.text).slice(0, 120) : "hex " + r.hex.slice(0, 120)}): ${what}`);
  };

  for (let i = 0; i < valid; i++) {
    const a = answers[i];
    const e = expected[i];
    const r = records[i];
    if (e.packet === null) {
      fail(i, "the reference does not decode what it encoded");
      continue;
    }
    if (a.dec.error) {
      fail(i, `siocodec refused a reference packet: ${a.dec.error}`);
      continue;
    }
    if (a.skip) {
      bump("valid: skipped (unspellable key)");
      continue;
    }
    if (!samePacket(a.dec, e.packet)) fail(i, `decoded differently: ${JSON.stringify(a.dec).slice(0, 300)} vs ${JSON.stringify(e.packet).slice(0, 300)}`);
    if (r.text !== undefined) {
      if (!a.reenc || a.reenc.text !== r.text) fail(i, `re-encoded ${JSON.stringify(a.reenc)}`);
    } else {
      if (a.reenc !== r.hex) fail(i, `re-encoded other bytes ${firstDiff(a.reenc, r.hex)}`);
      if (a.walk !== r.hex) fail(i, `written value by value differs ${firstDiff(a.walk, r.hex)}`);
      else bump("valid: rewritten value by value");
    }
    if (a.build === "-") {
      bump("valid: not expressible with builders");
    } else {
      const want = r.text !== undefined ? hex(Buffer.from(r.text, "utf8")) : r.hex;
      if (a.build !== want) fail(i, `builders wrote other bytes ${firstDiff(a.build, want)}`);
      else bump("valid: built byte for byte");
    }
    bump(`valid: v${r.v} ${r.text !== undefined ? "text" : "msgpack"} packets`);
  }

  for (let i = valid; i < records.length; i++) {
    const a = answers[i];
    const e = expected[i];
    if (a.skip) {
      bump("damaged: skipped (unspellable key)");
      continue;
    }
    if (e.packet === null) {
      if (!a.dec.error) fail(i, `siocodec accepts what the reference refuses: ${JSON.stringify(a.dec).slice(0, 300)}`);
      else bump("damaged: both refuse");
      continue;
    }
    if (!a.dec.error) {
      if (a.dec.invalid_utf8) fail(i, "strict mode set has_invalid_utf8");
      else if (!samePacket(a.dec, e.packet)) fail(i, `decoded differently: ${JSON.stringify(a.dec).slice(0, 300)} vs ${JSON.stringify(e.packet).slice(0, 300)}`);
      else bump("damaged: both accept, same packet");
      continue;
    }
    // The reference accepts, siocodec refuses: only for a documented reason, checked here.
    const code = a.dec.error;
    const id = e.packet.id;
    let ok = false;
    if (code === "invalid_utf8") {
      // Accepted with allow_invalid_utf8, flagged, and utf8::lossy gives the reference's strings.
      ok = !a.lax.error && a.lax.invalid_utf8 === true && samePacket(a.lax, e.packet);
    } else if (code === "invalid_ack_id") {
      ok = (typeof id === "number" && id < 0) || (id && id.$number !== undefined && Number(id.$number) < 0);
    } else if (code === "ack_id_overflow") {
      ok = id && id.$number !== undefined && Number(id.$number) >= 2 ** 64;
    } else if (code === "invalid_payload") {
      const d = e.packet.data;
      ok = Array.isArray(d) && d.length === 2 && typeof d[0] === "number" && d[1] && d[1].$binary !== undefined;
    } else if (code === "nesting_too_deep") {
      ok = true;
    }
    if (!DEVIATIONS.has(code) || !ok) {
      fail(i, `siocodec refuses (${code}) what the reference accepts: ${JSON.stringify(e.packet).slice(0, 300)}`);
    } else {
      bump(`damaged: documented refusal (${code})`);
    }
  }
}

const BATCH = 250;
const batches = Math.ceil(COUNT / BATCH);
for (let b = 0; b < batches; b++) {
  const n = Math.min(BATCH, COUNT - b * BATCH);
  // Damaged copies spread over the batches in proportion to their packets.
  const m = Math.round((MUTATIONS * (b * BATCH + n)) / COUNT) - Math.round((MUTATIONS * b * BATCH) / COUNT);
  runBatch(b, n, m);
}

if (exactIds) count["ack ids above 2^53 kept exact (documented)"] = exactIds;
if (overallocating) count["damaged: reference would allocate past the end"] = overallocating;
for (const k of Object.keys(count).sort()) console.log(`  ${k.padEnd(48)} ${count[k]}`);
console.log(`${totalValid} reference packets, ${totalDamaged} damaged messages, ${failures.length} differences (${elapsed()})`);
if (failures.length) {
  for (const f of failures.slice(0, 30)) console.error(f);
  process.exit(1);
}
