// SPDX-License-Identifier: BSL-1.0
// Helpers shared by the gen/*.js case tables: vector building, packet conversion, hex, PRNG.
"use strict";

/** Lowercase hex of a Buffer / Uint8Array / ArrayBuffer. */
function hex(bytes) {
  if (bytes instanceof ArrayBuffer) bytes = new Uint8Array(bytes);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/** Bytes of a hex string (spaces allowed for readability in case tables). */
function unhex(s) {
  const clean = s.replace(/\s+/g, "");
  if (!/^([0-9a-f]{2})*$/.test(clean)) throw new Error(`bad hex in case table: ${s}`);
  return Buffer.from(clean, "hex");
}

/** True when a JS string is well-formed UTF-16 (no lone surrogates), so JSON can carry it. */
function isWellFormed(s) {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (d < 0xdc00 || d > 0xdfff) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false;
    }
  }
  return true;
}

/** Hex of the UTF-16 code units of a string (for reference outputs holding lone surrogates). */
function utf16hex(s) {
  let out = "";
  for (let i = 0; i < s.length; i++) out += s.charCodeAt(i).toString(16).padStart(4, "0");
  return out;
}

const TYPE_NAMES = ["open", "close", "ping", "pong", "message", "upgrade", "noop"];

/**
 * Vector packet -> the JS packet the reference takes. A numeric "type" (e.g. 7) stands for a type
 * the protocol does not have; the reference gets it as is (its name lookup yields undefined).
 */
function toJsPacket(p) {
  const out = { type: p.type };
  if ("text" in p) out.data = p.text;
  if ("binary" in p) out.data = unhex(p.binary);
  return out;
}

/**
 * JS packet the reference produced -> vector packet. type undefined -> null (the reference's
 * "no such type"); string data -> "text" (or "utf16" code-unit hex when it holds a lone surrogate,
 * which JSON text cannot carry); binary data -> "binary" hex.
 */
function fromJsPacket(p) {
  const out = { type: p.type === undefined ? null : p.type };
  if (p.data === undefined) return out;
  if (typeof p.data === "string") {
    if (isWellFormed(p.data)) out.text = p.data;
    else out.utf16 = utf16hex(p.data);
  } else if (p.data instanceof ArrayBuffer || ArrayBuffer.isView(p.data)) {
    out.binary = hex(p.data);
  } else {
    throw new Error(`unexpected packet data from the reference: ${String(p.data)}`);
  }
  return out;
}

/** Reference output of an encoder: string -> {text}, bytes -> {binary}. */
function fromJsEncoded(x) {
  if (typeof x === "string") {
    if (!isWellFormed(x)) throw new Error("encoder output with a lone surrogate");
    return { text: x };
  }
  if (x instanceof ArrayBuffer || ArrayBuffer.isView(x)) return { binary: hex(x) };
  throw new Error(`unexpected encoder output: ${String(x)}`);
}

// --- Socket.IO data: JS values <-> vector JSON ---------------------------------------------------
//
// Socket.IO payloads are JSON values that may hold what JSON text cannot: binary buffers, numbers
// that are not exactly printed integers, strings with lone surrogates, undefined. In vectors
// they are marker objects (an object with exactly one of these keys):
//   {"$binary": "0102"}        a Buffer / ArrayBuffer / view (an attachment)
//   {"$number": "1.5"}         a number that is not a safe integer (or 2^53), as String(n):
//                              "1.5", "1e+21", "18446744073709552000", "Infinity", "NaN"
//   {"$utf16": "d800"}         a string holding a lone surrogate, as UTF-16 code units in hex
//   {"$undefined": true}       undefined (only in "ref": what the reference produced)
//   {"$bigint": "123"}         inputs only: a JavaScript BigInt
const MARKERS = ["$binary", "$number", "$utf16", "$undefined", "$bigint"];

/** True for a marker object (one key, a marker name). */
function isMarker(j) {
  if (j === null || typeof j !== "object" || Array.isArray(j)) return false;
  const keys = Object.keys(j);
  return keys.length === 1 && MARKERS.includes(keys[0]);
}

/** A JS number as vector JSON: itself when JSON prints it exactly, else {"$number": String(n)}. */
function fromJsNumber(n) {
  return Number.isSafeInteger(n) || n === 2 ** 53 ? n : { $number: String(n) };
}

/** Defines own property `k` (also "__proto__", which plain assignment would turn into a prototype). */
function setOwn(obj, k, v) {
  Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** A JS value (a decoded payload, a packet argument) -> vector JSON with markers. */
function fromJsData(x) {
  if (x === undefined) return { $undefined: true };
  if (x === null || typeof x === "boolean") return x;
  if (typeof x === "number") return fromJsNumber(x);
  if (typeof x === "string") return isWellFormed(x) ? x : { $utf16: utf16hex(x) };
  if (x instanceof ArrayBuffer || ArrayBuffer.isView(x)) return { $binary: hex(x) };
  if (Array.isArray(x)) {
    const out = [];
    for (let i = 0; i < x.length; i++) out.push(fromJsData(x[i]));
    return out;
  }
  if (typeof x === "object") {
    const out = {};
    for (const k of Object.keys(x)) {
      if (!isWellFormed(k)) throw new Error("object key with a lone surrogate: not representable");
      setOwn(out, k, fromJsData(x[k]));
    }
    if (isMarker(out)) throw new Error(`data object ${JSON.stringify(out)} looks like a marker`);
    return out;
  }
  throw new Error(`unexpected JS value in a payload: ${String(x)}`);
}

/** Vector JSON with markers -> the JS value (Buffers for $binary). */
function toJsData(j) {
  if (j === null || typeof j !== "object") return j;
  if (Array.isArray(j)) return j.map(toJsData);
  if (isMarker(j)) {
    if ("$binary" in j) return unhex(j.$binary);
    if ("$number" in j) return Number(j.$number);
    if ("$undefined" in j) return undefined;
    if ("$bigint" in j) return BigInt(j.$bigint);
    const s = j.$utf16;
    let out = "";
    for (let i = 0; i < s.length; i += 4) out += String.fromCharCode(parseInt(s.slice(i, i + 4), 16));
    return out;
  }
  const out = {};
  for (const k of Object.keys(j)) setOwn(out, k, toJsData(j[k]));
  return out;
}

/** mulberry32: a small fixed-seed PRNG so that "random" cases are the same on every run. */
function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    /** Integer in [lo, hi]. */
    int(lo, hi) {
      return lo + Math.floor(next() * (hi - lo + 1));
    },
    bytes(n) {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = Math.floor(next() * 256);
      return b;
    },
  };
}

/** Splits a length into `parts` random non-empty chunk sizes (fewer when n is small). */
function randomChunks(rng, n, parts) {
  if (n === 0) return [];
  parts = Math.min(parts, n);
  const cuts = new Set();
  while (cuts.size < parts - 1) cuts.add(rng.int(1, n - 1));
  const sorted = [...cuts].sort((a, b) => a - b);
  const out = [];
  let prev = 0;
  for (const c of [...sorted, n]) {
    out.push(c - prev);
    prev = c;
  }
  return out;
}

/**
 * A list of vectors with ids "<prefix>.<NNN>" numbered per prefix, in insertion order.
 * add(prefix, op, inputs, ref, extra) builds {id, op, ...inputs, ref, ours?, note?}.
 */
class VectorList {
  constructor() {
    this.vectors = [];
    this.counters = new Map();
  }
  add(prefix, op, inputs, ref, extra = {}) {
    const n = (this.counters.get(prefix) || 0) + 1;
    this.counters.set(prefix, n);
    const v = { id: `${prefix}.${String(n).padStart(3, "0")}`, op };
    for (const [k, val] of Object.entries(inputs)) v[k] = val;
    v.ref = ref;
    if (extra.ours !== undefined) v.ours = extra.ours;
    if (extra.note) v.note = extra.note;
    this.vectors.push(v);
    return v;
  }
}

module.exports = {
  hex,
  unhex,
  isWellFormed,
  utf16hex,
  TYPE_NAMES,
  toJsPacket,
  fromJsPacket,
  fromJsEncoded,
  prng,
  randomChunks,
  VectorList,
  isMarker,
  fromJsNumber,
  setOwn,
  fromJsData,
  toJsData,
};
