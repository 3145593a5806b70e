#!/usr/bin/env node
// SPDX-License-Identifier: BSL-1.0
// Step 1 of the Socket.IO differential test (run.js): random packets, encoded by the reference.
//
//   node gen.js --seed <n> --count <n> --out <file.jsonl>
//
// Makes `count` random packets for each protocol (v5 encoded by socket.io-parser 4.2.7, v4 by
// 3.4.5) and writes one JSON line per packet:
//   {"i": n, "version": 5|4, "builder": bool, "exact": bool, "desc": "<packet description>",
//    "frames": [{"text": "..."}, {"binary": "hex"}, ...]}
// `desc` is the packet as JSON text, {"type", "nsp"?, "id"?, "data"?}, binary values written as
// {"$binary": "hex"}; it is a string because it may hold lone surrogates (escaped as JSON.stringify
// escapes them). `frames` is what the reference encoder produced. `builder` says whether
// siocodec's packet builders can express the packet (diff.cpp then encodes it too); `exact`
// whether the description's JSON is what JSON.stringify writes for it, so that siocodec's output
// must equal the reference's byte for byte (false when the packet holds integer literals beyond
// what a double holds: those are written into the reference's text verbatim, as a JavaScript
// peer with a big-integer serializer would send them, and read back by both sides as doubles).
//
// Deterministic: the same seed gives the same file.
"use strict";

const fs = require("fs");
const sio5 = require("socket.io-parser-v4");
const sio4 = require("socket.io-parser-v3");
const { prng, hex, setOwn } = require("../lib/common");

/** An integer literal written verbatim into the JSON (beyond double precision). */
class BigLiteral {
  constructor(digits) {
    this.digits = digits;
  }
}

const RESERVED = ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"];

function args() {
  const out = { seed: 1, count: 10000, out: null };
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i += 2) {
    const k = a[i].replace(/^--/, "");
    if (!(k in out) || a[i + 1] === undefined) {
      console.error("usage: gen.js --seed <n> --count <n> --out <file>");
      process.exit(2);
    }
    out[k] = k === "out" ? a[i + 1] : Number(a[i + 1]);
  }
  if (!out.out || !Number.isInteger(out.seed) || !Number.isInteger(out.count) || out.count < 1) {
    console.error("usage: gen.js --seed <n> --count <n> --out <file>");
    process.exit(2);
  }
  return out;
}

// --- random values ------------------------------------------------------------------------------

const ASCII = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.:;!?#$%&'()*+,/<=>@[]^`{|}~";
const ESCAPED = ['"', "\\", "/", "\b", "\f", "\n", "\r", "\t"];
const UNICODE = ["é", "ü", "ß", "ñ", "Ω", "中", "文", "☃", "€", "\u2028", "\u2029", "\ufeff", "\ufffd", "\u00a0", "\ue000", "\u0664", "\u200b"];
const ASTRAL = ["😀", "🎉", "👍🏽", "𝄞", "🇫🇷", "\u{10ffff}", "\u{1f9d1}\u200d\u{1f4bb}"];
const LONE = ["\ud800", "\udbff", "\udc00", "\udfff"];

class Gen {
  constructor(seed, version) {
    this.rng = prng(seed);
    this.version = version;
  }
  chance(p) {
    return this.rng.next() < p;
  }
  pick(list) {
    return list[this.rng.int(0, list.length - 1)];
  }

  /** A random string; `lone` allows lone surrogates. */
  string(lone, maxLen = 12) {
    const long = this.chance(0.005);
    const n = long ? this.rng.int(100, 600) : this.rng.int(0, maxLen);
    let s = "";
    for (let i = 0; i < n; i++) {
      const r = this.rng.next();
      if (r < 0.7) s += ASCII[this.rng.int(0, ASCII.length - 1)];
      else if (r < 0.78) s += String.fromCharCode(this.chance(0.1) ? 0 : this.rng.int(0, 31));
      else if (r < 0.8) s += "\u007f";
      else if (r < 0.86) s += this.pick(ESCAPED);
      else if (r < 0.94) s += this.pick(UNICODE);
      else if (r < 0.99 || !lone) s += this.pick(ASTRAL);
      else {
        s += this.pick(LONE);
        this.packet.lone = true;
      }
    }
    return s;
  }

  number() {
    const r = this.rng.next();
    if (r < 0.3) return this.rng.int(-100, 1000);
    if (r < 0.35) return this.pick([0, -0, 1, -1]);
    if (r < 0.45) return this.rng.int(0, 2 ** 31) * this.rng.int(1, 2 ** 21) + this.rng.int(0, 2 ** 21);
    if (r < 0.55) {
      return this.pick([2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 2 ** 53 + 2, 2 ** 60, 2 ** 63, -(2 ** 63), 2 ** 64,
        1e21, 1e22, -1e21, 123456789012345680000, 999999999999999900000, 1.7976931348623157e308,
        5e-324, 2.2250738585072014e-308, 1e-7, 1e-6, 0.000001, 1.5, 0.1, 1 / 3, -2.5e-10]);
    }
    if (r < 0.97) {
      const mag = Math.pow(10, this.rng.int(-12, 30));
      const v = (this.rng.next() - 0.5) * mag;
      return this.chance(0.3) ? Math.round(v) : v;
    }
    // An integer literal beyond double precision, written verbatim.
    this.packet.exact = false;
    let digits = String(this.rng.int(1, 9));
    const n = this.rng.int(16, 40);
    for (let i = 0; i < n; i++) digits += String(this.rng.int(0, 9));
    return new BigLiteral(this.chance(0.3) ? "-" + digits : digits);
  }

  buffer() {
    const r = this.rng.next();
    const n = r < 0.05 ? 0 : r < 0.7 ? this.rng.int(1, 16) : r < 0.99 ? this.rng.int(17, 256) : this.rng.int(1000, 2000);
    this.packet.buffers++;
    return this.rng.bytes(n);
  }

  key() {
    const r = this.rng.next();
    if (r < 0.1) return String(this.rng.int(0, 20)); // integer-like: enumerated first
    if (r < 0.12) return this.pick(["constructor", "toString", "hasOwnProperty", "num"]);
    // deconstructPacket turns an own `__proto__` into a prototype (see the sio.encode vectors).
    // `_placeholder` is data unless its value is true (object() sees to that in binary packets).
    if (r < 0.13) return "_placeholder";
    if (r < 0.14 && !this.packet.binary) return "__proto__";
    return this.string(this.packet.loneAllowed, 8);
  }

  /** A random JSON-ish value at `depth` (the event array is depth 1). */
  value(depth) {
    const r = this.rng.next();
    const binary = this.packet.binary && this.packet.buffers < 10;
    if (binary && r < 0.12) return this.buffer();
    if (depth < 6 && r < 0.3) return this.array(depth + 1);
    if (depth < 6 && r < 0.45) return this.object(depth + 1);
    if (r < 0.452 && depth < 20) return this.chain(depth);
    if (r < 0.5) return null;
    if (r < 0.56) return this.chance(0.5);
    if (r < 0.75) return this.number();
    return this.string(this.packet.loneAllowed);
  }

  array(depth) {
    const n = this.rng.int(0, 4);
    const out = [];
    for (let i = 0; i < n; i++) out.push(this.value(depth));
    return out;
  }

  object(depth) {
    const n = this.rng.int(0, 4);
    const out = {};
    for (let i = 0; i < n; i++) {
      const k = this.key();
      let v = this.value(depth);
      // `"_placeholder": true` in a binary packet is a placeholder to the reference decoder.
      if (k === "_placeholder" && v === true && this.packet.binary) v = false;
      setOwn(out, k, v);
    }
    return out;
  }

  /** A deep chain of arrays / objects (at most 127 levels in all: the decoders' limit is 128). */
  chain(depth) {
    const levels = this.rng.int(20, 126 - depth);
    let v = this.value(126);
    for (let i = 0; i < levels; i++) {
      if (this.chance(0.5)) v = [v];
      else {
        const o = {};
        setOwn(o, this.string(false, 3), v);
        v = o;
      }
    }
    return v;
  }

  namespace() {
    const r = this.rng.next();
    if (r < 0.45) return "/";
    if (r < 0.5) return "";
    if (r < 0.55) return undefined;
    let s = "";
    const parts = this.rng.int(1, 3);
    const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~ ";
    for (let p = 0; p < parts; p++) {
      s += "/";
      const n = this.rng.int(0, 10);
      for (let i = 0; i < n; i++) {
        const x = this.rng.next();
        if (x < 0.85) s += chars[this.rng.int(0, chars.length - 1)];
        else if (x < 0.95) s += this.pick(UNICODE.filter((c) => c !== "\ufeff"));
        else if (x < 0.98) s += this.pick(ASTRAL);
        else s += "\t";
      }
    }
    return s;
  }

  id() {
    const r = this.rng.next();
    if (r < 0.2) return 0;
    if (r < 0.7) return this.rng.int(1, 1000);
    if (r < 0.9) return this.rng.int(0, 2 ** 32);
    if (r < 0.95) return 2 ** 53 - 1;
    return this.rng.int(0, 2 ** 21) * 2 ** 32 + this.rng.int(0, 2 ** 32 - 1);
  }

  eventName() {
    if (this.chance(0.05)) {
      this.packet.builder = false; // event() takes a string name
      return this.chance(0.5) ? this.rng.int(0, 100) : this.pick([1.5, -1, 0, 1e21, 2 ** 53]);
    }
    if (this.version === 4 && this.chance(0.05)) return this.pick(RESERVED); // not reserved in v4
    for (;;) {
      const s = this.string(this.packet.loneAllowed);
      if (this.version === 4 || !RESERVED.includes(s)) return s;
    }
  }

  /** One packet description: {type, nsp?, id?, data?}, plus generation flags. */
  next() {
    this.packet = { builder: true, exact: true, lone: false, buffers: 0, binary: false, loneAllowed: this.chance(0.05) };
    const r = this.rng.next();
    const type = r < 0.1 ? 0 : r < 0.15 ? 1 : r < 0.65 ? 2 : r < 0.9 ? 3 : 4;
    const p = { type };
    let nsp = this.namespace();
    if (type === 0 && this.version === 4 && this.chance(0.3)) {
      nsp = (nsp || "/") + "?token=" + this.rng.int(0, 1e6) + "&x=" + encodeURIComponent(this.string(false, 6));
    }
    if (nsp !== undefined) p.nsp = nsp;
    if (type === 2 || type === 3) {
      this.packet.binary = this.chance(0.35);
      if (type === 3 ? this.chance(0.97) : this.chance(0.3)) p.id = this.id();
      if (type === 3 && p.id === undefined) this.packet.builder = false; // ack() takes an id
      const data = type === 2 ? [this.eventName()] : [];
      const n = this.rng.int(0, 5);
      for (let i = 0; i < n; i++) data.push(this.value(2));
      // (A buffer may have been overwritten by a later member of the same key: count what is left.)
      if (this.packet.binary && countBuffers(data) === 0) data.push(this.buffer());
      p.data = data;
      if (this.version === 4 && countBuffers(data) > 0) p.type = type + 3; // 3.x: set by the app
    } else if (type === 0) {
      if (this.version === 5 && this.chance(0.5)) {
        p.data = this.chance(0.3) ? { sid: this.string(false, 20), pid: this.string(false, 8) } : this.object(1);
      }
    } else if (type === 4) {
      if (this.version === 5) {
        if (this.chance(0.9)) {
          const d = { message: this.string(this.packet.loneAllowed) };
          if (this.chance(0.5)) d.data = this.value(2);
          p.data = d;
        } else {
          this.packet.builder = false; // connect_error() writes {"message": ...} in v5
          p.data = this.string(this.packet.loneAllowed);
        }
      } else {
        const x = this.rng.next();
        p.data = x < 0.5 ? this.string(this.packet.loneAllowed) : x < 0.9 ? this.object(1) : this.array(1);
      }
    }
    if (this.packet.lone) this.packet.builder = false; // UTF-8 cannot hold a lone surrogate
    return p;
  }
}

function countBuffers(v) {
  if (Buffer.isBuffer(v)) return 1;
  if (Array.isArray(v)) return v.reduce((n, x) => n + countBuffers(x), 0);
  if (v !== null && typeof v === "object" && !(v instanceof BigLiteral)) {
    return Object.keys(v).reduce((n, k) => n + countBuffers(v[k]), 0);
  }
  return 0;
}

// --- serialization --------------------------------------------------------------------------------

/** The description as JSON text: Buffers as {"$binary"}, big literals as their digits. */
function describe(v) {
  if (v instanceof BigLiteral) return v.digits;
  if (Buffer.isBuffer(v)) return `{"$binary":"${hex(v)}"}`;
  if (Array.isArray(v)) return "[" + v.map(describe).join(",") + "]";
  if (v !== null && typeof v === "object") {
    return "{" + Object.keys(v).map((k) => JSON.stringify(k) + ":" + describe(v[k])).join(",") + "}";
  }
  return JSON.stringify(v);
}

/** The JS data the reference encodes: big literals replaced by unique string tokens. */
function withTokens(v, tokens) {
  if (v instanceof BigLiteral) {
    const t = `\u0001big${tokens.length}\u0001`;
    tokens.push({ token: JSON.stringify(t), digits: v.digits });
    return t;
  }
  if (Buffer.isBuffer(v)) return v;
  if (Array.isArray(v)) return v.map((x) => withTokens(x, tokens));
  if (v !== null && typeof v === "object") {
    const o = {};
    for (const k of Object.keys(v)) setOwn(o, k, withTokens(v[k], tokens));
    return o;
  }
  return v;
}

function encode(version, p) {
  const tokens = [];
  const js = { ...p };
  if ("data" in p) js.data = withTokens(p.data, tokens);
  let out;
  if (version === 5) {
    out = new sio5.Encoder().encode(js);
  } else {
    new sio4.Encoder().encode(js, (x) => {
      out = x;
    });
  }
  let text = out[0];
  for (const { token, digits } of tokens) {
    const at = text.indexOf(token);
    if (at < 0 || text.indexOf(token, at + 1) >= 0) throw new Error("big literal token not found once");
    text = text.slice(0, at) + digits + text.slice(at + token.length);
  }
  return [{ text }, ...out.slice(1).map((b) => ({ binary: hex(b) }))];
}

// --- invalid UTF-8 ---------------------------------------------------------------------------------

// Byte sequences that are not UTF-8 (stray continuations, overlong forms, encoded surrogates,
// values above U+10FFFF, cut sequences, bytes never used), as hex.
const BAD_UTF8 = ["80", "bf", "8080", "c0af", "c1bf", "c3", "df", "e0", "e282", "e0a0", "e080af", "eda080",
  "edbfbf", "f0", "f09f98", "f08f8080", "f4908080", "f5", "f8888080", "fe", "ff", "fffe", "c3c3", "e2e282ac"];
const MARK = "~UTF8~";

/** The packet the reference decodes from `frames`, or null when it refuses them. */
function refDecode(version, text) {
  const d = version === 5 ? new sio5.Decoder() : new sio4.Decoder();
  const got = [];
  d.on("decoded", (p) => got.push(p));
  try {
    d.add(text);
  } catch (e) {
    return null;
  }
  return got.length === 1 ? got[0] : null;
}

/**
 * A packet with bytes that are not UTF-8 in its namespace, event name, a string argument, a key
 * or a connect_error message, as a polling client's body delivers them: the reference sees
 * Buffer#toString's lossy decoding. Returns {hex, desc} with desc null when it refuses that.
 */
function utf8Record(g, version) {
  g.packet = { builder: true, exact: true, lone: false, buffers: 0, binary: false, loneAllowed: false };
  const where = g.rng.int(0, 4);
  const word = () => g.string(false, 4) + MARK + g.string(false, 4);
  const p = { type: 2, nsp: g.namespace() };
  if (p.nsp === undefined) delete p.nsp;
  if (where === 0) {
    p.nsp = "/" + g.string(false, 0).replace(/[,]/g, "") + MARK;
    p.data = [g.eventName(), g.value(2)];
  } else if (where === 1) {
    p.data = [word(), g.value(2)];
  } else if (where === 2) {
    p.type = 3;
    p.id = g.id();
    p.data = [g.value(2), word(), g.value(2)];
  } else if (where === 3) {
    p.type = version === 5 ? 0 : 2;
    const o = {};
    setOwn(o, word(), g.value(2));
    p.data = version === 5 ? o : ["e", o];
  } else {
    p.type = 4;
    p.data = version === 5 ? { message: word() } : word();
  }
  const text = encode(version, p)[0].text;
  const parts = text.split(MARK);
  if (parts.length !== 2) return null;
  const bad = [];
  for (let k = g.rng.int(1, 2); k > 0; k--) bad.push(Buffer.from(g.pick(BAD_UTF8), "hex"));
  if (g.chance(0.3)) bad.splice(1, 0, Buffer.from(g.pick(["é", "€", "😀", "a"]), "utf8"));
  const bytes = Buffer.concat([Buffer.from(parts[0], "utf8"), ...bad, Buffer.from(parts[1], "utf8")]);
  // Two pieces can make a valid sequence (df + bf): such a packet tests nothing here.
  if (Buffer.from(bytes.toString("utf8"), "utf8").equals(bytes)) return null;
  const got = refDecode(version, bytes.toString("utf8"));
  let desc = null;
  if (got) {
    const d = { type: got.type, nsp: got.nsp };
    if (got.id !== undefined) d.id = got.id;
    if (got.data !== undefined) d.data = got.data;
    desc = describe(d);
  }
  return { hex: hex(bytes), desc };
}

function main() {
  const a = args();
  const lines = [];
  let i = 0;
  const stats = {};
  for (const v of [5, 4]) stats[v] = { packets: 0, builder: 0, exact: 0, binary: 0, types: [0, 0, 0, 0, 0, 0, 0] };
  for (const version of [5, 4]) {
    const g = new Gen(a.seed * 2 + (version === 5 ? 0 : 1), version);
    for (let n = 0; n < a.count; n++) {
      const p = g.next();
      const frames = encode(version, p);
      const s = stats[version];
      s.packets++;
      if (g.packet.builder) s.builder++;
      if (g.packet.exact) s.exact++;
      if (frames.length > 1) s.binary++;
      s.types[Number(frames[0].text[0])]++;
      lines.push(JSON.stringify({ i: i++, version, builder: g.packet.builder, exact: g.packet.exact, desc: describe(p), frames }));
    }
  }
  // Invalid UTF-8: one record per 20 packets, checked by diff.cpp only (check.js skips them).
  const utf8 = { 5: 0, 4: 0 };
  for (const version of [5, 4]) {
    const g = new Gen(a.seed * 2 + (version === 5 ? 100 : 101), version);
    for (let n = 0; n < Math.ceil(a.count / 20); n++) {
      const r = utf8Record(g, version);
      if (!r) continue;
      utf8[version]++;
      lines.push(JSON.stringify({ i: i++, version, utf8: true, builder: false, exact: false, desc: r.desc, hex: r.hex }));
    }
  }
  fs.writeFileSync(a.out, lines.join("\n") + "\n");
  console.log(`gen.js: ${utf8[5]} v5 and ${utf8[4]} v4 packets with invalid UTF-8 (decoded by the reference lossily)`);
  for (const v of [5, 4]) {
    const s = stats[v];
    console.log(
      `gen.js: protocol v${v}: ${s.packets} packets (by type 0-6 as written: ${s.types.join(" ")}; ${s.binary} with attachments), ` +
        `${s.builder} expressible by the builders, ${s.exact} byte-exact`,
    );
  }
}

main();
