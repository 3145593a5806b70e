// SPDX-License-Identifier: BSL-1.0
// msgpack vectors: the notepack.io 2.2.0 codec itself (every format family, both directions), and
// the socket.io-msgpack-parser 3.0.2 (protocol v5) and 2.2.1 (protocol v4) decoders and encoders.
//
// Ops:
//   msgpack.decode      `binary` hex -> notepack.decode: {"value": <data>} or {"error": true}
//   msgpack.encode      `value` <data> -> notepack.encode: {"binary": hex}
//   sio_msgpack.decode  `version`, `message` {"binary"}|{"text"} -> Decoder.add(): {"packet"} or
//                       {"error": true, "message"}
//   sio_msgpack.encode  `version`, `packet` {type, nsp?, data?, id?} -> Encoder.encode():
//                       {"frames": [{"binary"}|{"text"}]}
// <data> is vector JSON with markers (lib/common.js), plus two of this file:
//   {"$arraybuffer": hex}  an ArrayBuffer (notepack.io: ext 8/16/32 of type 0)
//   {"$date": ms}          a Date (notepack.io: fixext 8 of type 0)
// notepack.io returns other extensions as the array [type, Buffer], and so do these vectors.
// Bracketed tags ([M01]...) name the cases of protocol.md §3.
"use strict";

const notepack = require("notepack.io");
const mp5 = require("socket.io-msgpack-parser-v3"); // socket.io-msgpack-parser 3.0.2: protocol v5
const mp4 = require("socket.io-msgpack-parser-v2"); // socket.io-msgpack-parser 2.2.1: protocol v4
const { hex, unhex, isWellFormed, utf16hex, fromJsNumber, setOwn, VectorList } = require("../lib/common");

// --- vector JSON <-> JavaScript values -------------------------------------------------------------

const MARKERS = ["$binary", "$arraybuffer", "$number", "$utf16", "$undefined", "$date"];

function isMarker(j) {
  if (j === null || typeof j !== "object" || Array.isArray(j)) return false;
  const keys = Object.keys(j);
  return keys.length === 1 && MARKERS.includes(keys[0]);
}

/** A value notepack.io decoded -> vector JSON. */
function fromMp(x) {
  if (x === undefined) return { $undefined: true };
  if (x === null || typeof x === "boolean") return x;
  if (typeof x === "number") return fromJsNumber(x);
  if (typeof x === "string") return isWellFormed(x) ? x : { $utf16: utf16hex(x) };
  if (x instanceof Date) return { $date: fromJsNumber(x.getTime()) };
  if (Buffer.isBuffer(x)) return { $binary: hex(x) };
  if (x instanceof ArrayBuffer) return { $arraybuffer: hex(x) };
  if (Array.isArray(x)) {
    const out = [];
    for (let i = 0; i < x.length; i++) out.push(fromMp(x[i]));
    return out;
  }
  if (typeof x === "object") {
    const out = {};
    for (const k of Object.keys(x)) {
      if (!isWellFormed(k)) throw new Error("map key with a lone surrogate");
      setOwn(out, k, fromMp(x[k]));
    }
    if (isMarker(out)) throw new Error(`map ${JSON.stringify(out)} looks like a marker`);
    return out;
  }
  throw new Error(`unexpected decoded value ${String(x)}`);
}

/** Vector JSON -> the JavaScript value given to notepack.io / the Encoder. */
function toMp(j) {
  if (j === null || typeof j !== "object") return j;
  if (Array.isArray(j)) return j.map(toMp);
  if (isMarker(j)) {
    if ("$binary" in j) return unhex(j.$binary);
    if ("$arraybuffer" in j) {
      const b = unhex(j.$arraybuffer);
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
    }
    if ("$number" in j) return Number(j.$number);
    if ("$undefined" in j) return undefined;
    if ("$date" in j) return new Date(typeof j.$date === "number" ? j.$date : Number(j.$date.$number));
    throw new Error(`marker ${JSON.stringify(j)} is not an input`);
  }
  const out = {};
  for (const k of Object.keys(j)) setOwn(out, k, toMp(j[k]));
  return out;
}

// --- reference runners -----------------------------------------------------------------------------

function refDecodeValue(h) {
  try {
    return { value: fromMp(notepack.decode(unhex(h))) };
  } catch (e) {
    return { error: true, message: e.message };
  }
}

function refEncodeValue(j) {
  return { binary: hex(notepack.encode(toMp(j))) };
}

/** A packet the reference Decoder emitted -> {type, nsp, id?, data?} (other keys dropped). */
function fromMpPacket(p) {
  // Read through the prototype chain on purpose: a `__proto__` map key makes the fields inherited.
  const out = { type: fromJsNumber(p.type), nsp: p.nsp };
  if (typeof p.nsp !== "string" || !isWellFormed(p.nsp)) throw new Error("unexpected nsp");
  if (p.id !== undefined) out.id = fromJsNumber(p.id);
  if (p.data !== undefined) out.data = fromMp(p.data);
  return out;
}

function refDecode(version, message) {
  const d = version === 5 ? new mp5.Decoder() : new mp4.Decoder();
  let got;
  d.on("decoded", (p) => (got = p));
  try {
    d.add("text" in message ? message.text : unhex(message.binary));
  } catch (e) {
    return { error: true, message: e.message };
  }
  return { packet: fromMpPacket(got) };
}

/** A vector packet -> the packet object an application gives the Encoder (keys in this order). */
function toPacket(desc) {
  const p = { type: desc.type };
  if ("nsp" in desc) p.nsp = desc.nsp;
  if ("data" in desc) p.data = toMp(desc.data);
  if ("id" in desc) p.id = toMp(desc.id);
  return p;
}

function refEncode(version, desc) {
  let out;
  if (version === 5) {
    out = new mp5.Encoder().encode(toPacket(desc));
  } else {
    new mp4.Encoder().encode(toPacket(desc), (x) => (out = x));
  }
  return {
    frames: out.map((x) => (typeof x === "string" ? { text: x } : { binary: hex(x) })),
  };
}

// --- helpers for the case tables -------------------------------------------------------------------

const B = (h) => ({ binary: h.replace(/\s+/g, "") });
const T = (text) => ({ text });
const bin = (h) => ({ $binary: h.replace(/\s+/g, "") });
const ab = (h) => ({ $arraybuffer: h.replace(/\s+/g, "") });
const num = (s) => ({ $number: s });
const UNDEF = { $undefined: true };
/** msgpack of a JS value, as hex (what notepack.io writes). */
const mp = (v) => hex(notepack.encode(v));
/** A fixstr / str 8 of ASCII text, as hex. */
const str = (s) => {
  const b = Buffer.from(s, "utf8");
  if (b.length < 32) return (0xa0 | b.length).toString(16) + b.toString("hex");
  if (b.length < 256) return "d9" + b.length.toString(16).padStart(2, "0") + b.toString("hex");
  throw new Error("use mp() for long strings");
};
/** A map of alternating hex keys and values. */
const map = (...kv) => {
  if (kv.length % 2 !== 0 || kv.length / 2 >= 16) throw new Error("fixmap only");
  return (0x80 | (kv.length / 2)).toString(16) + kv.join("");
};
const TYPE = str("type");
const NSP = str("nsp");
const DATA = str("data");
const ID = str("id");
const SLASH = str("/");
/** The packet map {type: t, nsp: "/", data: d} with hex fields. */
const pkt = (t, d) => (d === undefined ? map(TYPE, t, NSP, SLASH) : map(TYPE, t, NSP, SLASH, DATA, d));
const repeat = (h, n) => h.repeat(n);
const nest = (depth, inner) => repeat("91", depth) + inner;

const pin = (error) => ({ error });
const rejects = (error, reason, lax) => (lax ? { error, reason, lax: true } : { error, reason });
const differs = (packet, reason) => ({ packet, reason });
const refuses = (error, reason) => ({ error, reason });
const writes = (frames, reason) => ({ frames, reason });

const R = {
  utf8: "a str that is not UTF-8 is refused (allow_invalid_utf8: accepted as raw bytes, has_invalid_utf8 set); the reference decodes it lossily, with U+FFFD",
  depth: "msgpack nested deeper than max_depth (128) is refused; notepack.io recurses until V8's stack ends",
  negId: "an ack id is a non-negative integer; the reference accepts any integer",
  bigId: "an ack id above 2^64 - 1 does not fit; the reference keeps it as an imprecise double",
  exactId: "ack ids above 2^53 are kept exact; the reference rounds them to a double",
  keyKind: "only str keys name packet fields; the reference converts every key with String(), so a bin key \"type\" counts",
  proto: "a __proto__ key is an ordinary key; the reference's property assignment makes its value the prototype, from which type, nsp and data are inherited",
  extData: "an extension is not an array; notepack.io decodes it as [type, Buffer], which passes Array.isArray",
  wrap: "integral numbers at or above 2^64 are written as float 64; notepack.io writes a uint 64 whose high word wrapped, a different number",
  wrapNeg: "integral numbers below -2^63 are written as float 64; notepack.io writes an int 64 whose high word wrapped, a different number",
  badType: "the packet type is out of range for the protocol: the reference encoder writes it, its decoder refuses it",
  badData: "the payload has the wrong kind for the type: the reference encoder writes it, its decoder refuses it",
  escNsp: "a namespace written with JSON escapes is refused (a zero-copy view cannot hold its unescaped form); JSON.stringify never escapes a real namespace",
};

// --- msgpack values ---------------------------------------------------------------------------------

function valueCases(L) {
  const dec = (h, extra = {}) => L.add("mp.decode", "msgpack.decode", { binary: h.replace(/\s+/g, "") }, refDecodeValue(h.replace(/\s+/g, "")), extra);
  const enc = (v, extra = {}) => L.add("mp.encode", "msgpack.encode", { value: v }, refEncodeValue(v), extra);

  // Every family, decoded.
  for (const h of ["00", "01", "7f", "e0", "ff", "f0", "cc00", "cc80", "ccff", "cd0100", "cdffff", "ce00010000", "ceffffffff"]) dec(h);
  dec("cf0000000100000000", { note: "uint 64" });
  dec("cf001fffffffffffff", { note: "2^53 - 1" });
  dec("cf0020000000000000", { note: "2^53" });
  dec("cf0020000000000001", { note: "2^53 + 1 rounds to a double" });
  dec("cfffffffffffffffff", { note: "2^64 - 1" });
  dec("cf0000000000000005", { note: "a small value in the widest form" });
  for (const h of ["d000", "d07f", "d080", "d0ff", "d10000", "d18000", "d1ffff", "d280000000", "d2ffffffff", "d27fffffff"]) dec(h);
  dec("d38000000000000000", { note: "-2^63" });
  dec("d3ffffffffffffffff", { note: "-1 in int 64" });
  dec("d37fffffffffffffff", { note: "2^63 - 1 rounds" });
  dec("d3ffe0000000000001", { note: "-(2^53) + 1" });
  dec("ca3fc00000", { note: "float 32 1.5" });
  dec("ca7fc00000", { note: "float 32 NaN" });
  dec("ca7f800000", { note: "float 32 +Infinity" });
  dec("ca80000000", { note: "float 32 -0" });
  dec("ca40000000", { note: "float 32 2.0" });
  dec("cb3ff8000000000000", { note: "float 64 1.5" });
  dec("cb7ff0000000000000", { note: "float 64 +Infinity" });
  dec("cbfff0000000000000", { note: "float 64 -Infinity" });
  dec("cb8000000000000000", { note: "float 64 -0" });
  dec("cb0000000000000001", { note: "float 64 smallest denormal" });
  dec("cb4000000000000000", { note: "float 64 2.0" });
  dec("c0");
  dec("c2");
  dec("c3");
  dec("a0", { note: "empty fixstr" });
  dec(str("hello"));
  dec("a2c3a9", { note: "é" });
  dec("a4f09f9880", { note: "an astral character" });
  dec("d90161", { note: "str 8 of one byte (not the smallest form)" });
  dec("da000161", { note: "str 16 of one byte" });
  dec("db0000000161", { note: "str 32 of one byte" });
  dec("d920" + "61".repeat(32), { note: "str 8, 32 bytes" });
  dec(mp("x".repeat(300)), { note: "str 16" });
  dec("c400", { note: "empty bin 8" });
  dec("c403010203");
  dec("c50003010203", { note: "bin 16" });
  dec("c600000003010203", { note: "bin 32" });
  dec(mp(Buffer.alloc(300, 7)), { note: "bin 16, 300 bytes" });
  dec("90");
  dec("93010203");
  dec("dc0000", { note: "empty array 16" });
  dec("dc0002c0c3", { note: "array 16" });
  dec("dd00000002c0c3", { note: "array 32" });
  dec("92 91 91 90 c0", { note: "nested arrays" });
  dec("80");
  dec(map(str("a"), "01", str("b"), "92c2c3"));
  dec("de0001" + str("k") + "c0", { note: "map 16" });
  dec("df00000001" + str("k") + "c0", { note: "map 32" });
  dec(map(str("a"), "01", str("a"), "02"), { note: "a duplicate key: the last wins" });
  dec(map(str("b"), "01", str("a"), "02"), { note: "key order kept" });
  dec(map(str(""), "01"), { note: "an empty key" });
  dec("d40000", { note: "[M06] fixext 1 of type 0: undefined" });
  dec("d40007", { note: "fixext 1 of type 0 with another data byte: still undefined" });
  dec("91d40000", { note: "undefined in an array" });
  dec("d40501", { note: "fixext 1 of type 5: [5, Buffer]" });
  dec("d5050102", { note: "fixext 2" });
  dec("d60501020304", { note: "fixext 4" });
  dec("d7050102030405060708", { note: "fixext 8 of type 5" });
  dec("d805" + "00".repeat(16), { note: "fixext 16" });
  dec("d5000102", { note: "fixext 2 of type 0: [0, Buffer], not binary" });
  dec("d7000000016f4f4e2a70", { note: "[M08] fixext 8 of type 0: a Date" });
  dec("c70300010203", { note: "[M03] ext 8 of type 0: an ArrayBuffer" });
  dec("c70000", { note: "empty ext 8 of type 0" });
  dec("c80003000a0b0c", { note: "ext 16 of type 0" });
  dec("c900000003000a0b0c", { note: "ext 32 of type 0" });
  dec("c70307010203", { note: "ext 8 of type 7" });
  dec("c702ff0102", { note: "ext of type -1" });
  dec("d4ff01", { note: "fixext 1 of type -1" });
  // Malformed.
  dec("", { ours: pin("invalid_msgpack"), note: "[M20] empty" });
  dec("c1", { ours: pin("invalid_msgpack"), note: "the unused prefix" });
  dec("91c1", { ours: pin("invalid_msgpack") });
  for (const h of ["cc", "cd00", "ce000000", "cf00000000000000", "d0", "d1ff", "d2ffffff", "d3ffffffffffffff", "ca000000", "cb00000000000000", "a1"]) {
    dec(h, { ours: pin("invalid_msgpack"), note: "cut inside a fixed-size value" });
  }
  for (const h of ["a2 61", "d9", "d905 6161", "da00", "db000000", "c4", "c402 01", "c5 0002 01", "c6 00000002 01", "c7", "c701", "c701 00", "d4", "d400", "d5 00 01", "d8 00 0102", "de00", "df000000", "dc", "dd0000"]) {
    dec(h, { ours: pin("invalid_msgpack"), note: "cut inside a header or payload" });
  }
  dec("92 01", { ours: pin("invalid_msgpack"), note: "an array missing an element" });
  dec("82 a161 01", { ours: pin("invalid_msgpack"), note: "a map missing a key" });
  dec("81 a161", { ours: pin("invalid_msgpack"), note: "a map missing a value" });
  dec("ddffffffff", { ours: pin("invalid_msgpack"), note: "an array announcing 2^32 - 1 elements" });
  dec("dfffffffff", { ours: pin("invalid_msgpack"), note: "a map announcing 2^32 - 1 pairs" });
  dec("dbffffffff61", { ours: pin("invalid_msgpack"), note: "a str announcing 4 GiB" });
  dec("c6ffffffff", { ours: pin("invalid_msgpack"), note: "a bin announcing 4 GiB" });
  dec("c0c0", { ours: pin("trailing_data"), note: "[M35] trailing bytes" });
  dec("9000", { ours: pin("trailing_data") });
  dec("a2c328", { ours: rejects("invalid_utf8", R.utf8, true), note: "an invalid continuation byte" });
  dec("a1ff", { ours: rejects("invalid_utf8", R.utf8, true) });
  dec("a3eda080", { ours: rejects("invalid_utf8", R.utf8, true), note: "an encoded surrogate" });
  dec("a2c0af", { ours: rejects("invalid_utf8", R.utf8, true), note: "an overlong form" });
  dec("a2e282", { ours: rejects("invalid_utf8", R.utf8, true), note: "a cut sequence" });
  dec(map("a1ff", "01"), { ours: rejects("invalid_utf8", R.utf8, true), note: "in a key" });
  dec(nest(127, "90"), { note: "depth 128: the limit" });
  dec(nest(128, "90"), { ours: rejects("nesting_too_deep", R.depth), note: "depth 129" });
  dec(nest(127, "80"), { note: "depth 128 with a map innermost" });
  dec(repeat("81a0", 200) + "c0", { ours: rejects("nesting_too_deep", R.depth), note: "200 nested maps" });

  // Every form notepack.io writes, encoded.
  for (const v of [0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296, 2 ** 53, -1, -32, -33, -128, -129, -32768, -32769, -(2 ** 31), -(2 ** 31) - 1, -(2 ** 53) + 1]) enc(v);
  enc(num("-9007199254740992"), { note: "-2^53" });
  enc(num("9223372036854775808"), { note: "2^63: uint 64" });
  enc(num("18446744073709549568"), { note: "the largest double below 2^64" });
  enc(num("-9223372036854775808"), { note: "-2^63: int 64" });
  enc(num("18446744073709551616"), { ours: { binary: "cb43f0000000000000", reason: R.wrap }, note: "2^64" });
  enc(num("100000000000000000000"), { ours: { binary: "cb4415af1d78b58c40", reason: R.wrap }, note: "1e20" });
  enc(num("-18446744073709551616"), { ours: { binary: "cbc3f0000000000000", reason: R.wrapNeg }, note: "-2^64" });
  for (const s of ["1.5", "-1.5", "0.1", "1e-7", "5e-324", "NaN", "Infinity", "-Infinity", "4294967295.5"]) enc(num(s));
  enc(num("1.7976931348623157e+308"), { ours: { binary: "cb7fefffffffffffff", reason: R.wrap }, note: "the largest double: integral, so notepack.io writes it as a wrapped uint 64 (0)" });
  enc(num("-0"), { note: "-0 is written as 0" });
  enc(true);
  enc(false);
  enc(null);
  enc(UNDEF, { note: "[M06] undefined" });
  enc("");
  enc("hello");
  enc("x".repeat(31), { note: "the longest fixstr" });
  enc("x".repeat(32), { note: "str 8" });
  enc("x".repeat(255));
  enc("x".repeat(256), { note: "str 16" });
  enc("x".repeat(65535), { note: "the longest str 16 (str 32 starts at 65,536 bytes: the differential test covers it)" });
  enc("é€😀", { note: "multi-byte characters" });
  enc("\u0000\u007f\u2028", { note: "NUL, DEL, U+2028 raw" });
  enc(bin(""), { note: "[M02] an empty Buffer: bin 8" });
  enc(bin("0102ff"));
  enc(bin("ab".repeat(255)));
  enc(bin("ab".repeat(256)), { note: "bin 16" });
  enc(ab("010203"), { note: "[M03] an ArrayBuffer: ext 8 of type 0" });
  enc(ab("01"), { note: "one byte: ext 8, never the fixext 1 that would read as undefined" });
  enc(ab(""), { note: "an empty ArrayBuffer" });
  enc(ab("cd".repeat(256)), { note: "ext 16" });
  enc({ $date: 1577836800000 }, { note: "[M08] a Date: fixext 8 of type 0" });
  enc([]);
  enc([1, "a", null, true, [2, [3]]]);
  enc(Array.from({ length: 15 }, (_, i) => i), { note: "the longest fixarray" });
  enc(Array.from({ length: 16 }, (_, i) => i), { note: "array 16" });
  enc({});
  enc({ a: 1, b: [true, null], c: { d: "e" } });
  enc(Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`k${i}`, i])), { note: "the largest fixmap" });
  enc(Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, i])), { note: "map 16" });
  enc([UNDEF, bin("00"), ab("00"), { x: UNDEF }], { note: "undefined and binary nested" });
}

// --- socket.io-msgpack-parser: decoding -------------------------------------------------------------

function decodeCases(L) {
  const add = (versions, message, extra = {}) => {
    for (const version of versions) {
      const ours = extra[`ours${version}`] !== undefined ? extra[`ours${version}`] : extra.ours;
      const note = extra.note;
      L.add(`mp${version}.decode`, "sio_msgpack.decode", { version, message }, refDecode(version, message), {
        ours: typeof ours === "function" ? ours(version) : ours,
        note,
      });
    }
  };
  const both = [5, 4];
  const V5 = [5];
  const V4 = [4];
  const P = (o) => B(mp(o));

  // Every type, as the reference encoder writes it.
  add(both, P({ type: 2, nsp: "/", data: ["hello", "you"] }), { note: "[M01] the README example" });
  add(both, P({ type: 0, nsp: "/" }), { note: "CONNECT" });
  add(V5, P({ type: 0, nsp: "/admin", data: { token: "abc" } }), { note: "CONNECT with auth" });
  add(V5, P({ type: 0, nsp: "/", data: { sid: "oSO0OpakMV_3jnilAAAA", pid: "m8xk0a" } }), { note: "the server's CONNECT answer" });
  add(both, P({ type: 1, nsp: "/admin" }));
  add(both, P({ type: 2, nsp: "/", data: ["chat", "hi", 1, 1.5, true, null, { a: [1, 2] }] }));
  add(both, P({ type: 2, nsp: "/", data: ["file", Buffer.from([1, 2, 3])] }), { note: "[M02] binary inline" });
  add(both, P({ type: 2, nsp: "/", data: ["ab", new Uint8Array([4, 5]).buffer] }), { note: "[M03] an ArrayBuffer: ext type 0" });
  add(both, P({ type: 2, nsp: "/", data: ["nested", { deep: [Buffer.from([9])] }] }));
  add(both, P({ type: 2, nsp: "/", data: ["ack me"], id: 12 }));
  add(both, P({ type: 3, nsp: "/", data: [], id: 12 }), { note: "ACK without arguments" });
  add(both, P({ type: 3, nsp: "/admin", data: ["ok", Buffer.from([0])], id: 0 }));
  add(V5, P({ type: 4, nsp: "/", data: { message: "Not authorized" } }));
  add(V5, P({ type: 4, nsp: "/", data: { message: "Not authorized", data: { code: 401 } } }));
  add(both, P({ type: 4, nsp: "/", data: "Invalid namespace" }), { note: "CONNECT_ERROR (v4: ERROR) as a string" });
  add(V4, P({ type: 5, nsp: "/", data: ["bin", Buffer.from([1])] }), { note: "v4 BINARY_EVENT" });
  add(V4, P({ type: 6, nsp: "/", data: [Buffer.from([1])], id: 3 }), { note: "v4 BINARY_ACK" });
  add(both, P({ type: 2, data: ["x"], options: { compress: true }, id: 1, nsp: "/" }), { note: "[M37] the JS client's key order and extra `options` key" });
  add(both, B(map(DATA, "91a178", NSP, SLASH, TYPE, "02")), { note: "keys in any order" });
  add(both, B(map(TYPE, "01", NSP, SLASH, TYPE, "02", DATA, "91a178")), { note: "a duplicate key: the last wins" });
  add(both, B(map(TYPE, "02", NSP, SLASH, DATA, "91a178", "01", "a178")), { note: "an integer key is an extra key" });
  add(both, B(map(TYPE, "02", NSP, SLASH, DATA, "91a178", ID, "d40000")), { note: "[M06] id: undefined is no id" });
  add(both, B(map(TYPE, "00", NSP, SLASH, DATA, "d40000")), { note: "data: undefined on CONNECT" });
  add(both, B(map(TYPE, "01", NSP, SLASH, DATA, "d40000")), { note: "data: undefined on DISCONNECT" });
  add(both, B(map(TYPE, "02", NSP, SLASH, DATA, "90")), { note: "[M32] an empty EVENT array" });
  add(both, P({ type: 2, nsp: "/", data: ["connect", 1] }), { note: "[M33] a reserved event name" });
  add(both, P({ type: 2, nsp: "/", data: [1, "x"] }), { note: "a number as the event name" });
  add(both, P({ type: 2, nsp: "/", data: [{ toString: "x" }] }), { note: "an object as the event name (the msgpack parser does not check)" });
  add(both, B("de0003" + TYPE + "02" + NSP + SLASH + DATA + "91a178"), { note: "a map 16 packet" });
  add(both, B(map(TYPE, "02", NSP, "d9012f", DATA, "dc0001a178")), { note: "str 8 namespace, array 16 data" });

  // "type": "invalid packet type".
  for (const [t, note] of [["cb4000000000000000", "[M34] float 64 2.0"], ["ca40000000", "float 32 2.0"], ["cf0000000000000002", "uint 64"], ["d002", "int 8"], ["d30000000000000002", "int 64"]]) {
    add(both, B(pkt(t, "91a178")), { note });
  }
  add(both, B(map(TYPE, "cb8000000000000000", NSP, SLASH)), { note: "-0 is CONNECT" });
  for (const [t, note] of [["cb4004000000000000", "2.5"], ["cb7ff8000000000000", "NaN"], ["cb7ff0000000000000", "Infinity"], ["07", "7"], ["ff", "-1"], ["a132", "the string \"2\""], ["c0", "nil"], ["c3", "true"], ["d40000", "undefined"], ["91 02", "[2]"], ["c40102", "a bin"]]) {
    add(both, B(pkt(t, "91a178")), { ours: pin("unknown_packet_type"), note: `[M21]-[M23] type ${note}` });
  }
  add(both, B(pkt("05", "91a178")), { ours5: pin("unknown_packet_type"), note: "[M24] BINARY_EVENT: v5 refuses, v4 accepts" });
  add(both, B(pkt("06", "90")), { ours5: pin("unknown_packet_type") });
  add(both, B(map(NSP, SLASH, DATA, "91a178")), { ours: pin("unknown_packet_type"), note: "no type" });
  add(both, B("80"), { ours: pin("unknown_packet_type"), note: "[M21] {}" });
  add(both, B(map(TYPE, str("a"))), { ours: pin("unknown_packet_type"), note: "[M22] {type:\"a\"}" });
  add(both, B(map(TYPE, "07")), { ours: pin("unknown_packet_type"), note: "[M23] {type:7}" });
  add(both, B("c40102"), { ours: pin("unknown_packet_type"), note: "[M29] a bare bin" });
  add(both, B("92 02 a12f"), { ours: pin("unknown_packet_type"), note: "an array" });
  add(both, B("a3616263"), { ours: pin("unknown_packet_type"), note: "a str" });
  add(both, B("02"), { ours: pin("unknown_packet_type"), note: "a number" });
  add(both, B("c0"), { ours: pin("unknown_packet_type"), note: "[M36] nil: a TypeError in the reference" });
  add(both, B(map("c404" + Buffer.from("type").toString("hex"), "02", NSP, SLASH, DATA, "91a178")), {
    ours: rejects("unknown_packet_type", R.keyKind),
    note: "a bin key \"type\"",
  });
  add(both, B(map("91" + TYPE, "02", NSP, SLASH, DATA, "91a178")), {
    ours: rejects("unknown_packet_type", R.keyKind),
    note: "an array key [\"type\"]: String([\"type\"]) is \"type\"",
  });
  add(both, B(map(str("__proto__"), pkt("02", "91a178"))), {
    ours: rejects("unknown_packet_type", R.proto),
    note: "[M39] fields inherited through __proto__",
  });
  add(both, B(map(TYPE, "02", NSP, SLASH, DATA, "91a178", str("__proto__"), map(str("x"), "01"))), { note: "[M39] an extra __proto__ key" });

  // "nsp": "invalid namespace".
  add(both, B(map(TYPE, "02")), { ours: pin("invalid_namespace"), note: "[M25] {type:2}" });
  add(both, B(map(TYPE, "02", NSP, "02")), { ours: pin("invalid_namespace"), note: "[M26] {type:2,nsp:2}" });
  add(both, B(map(TYPE, "02", NSP, "c0", DATA, "91a178")), { ours: pin("invalid_namespace"), note: "nil" });
  add(both, B(map(TYPE, "02", NSP, "c4012f", DATA, "91a178")), { ours: pin("invalid_namespace"), note: "a bin" });
  add(both, B(map(TYPE, "02", NSP, "d40000", DATA, "91a178")), { ours: pin("invalid_namespace"), note: "undefined" });
  add(both, P({ type: 2, nsp: "", data: ["x"] }), { note: "an empty namespace" });
  add(both, P({ type: 2, nsp: "admin", data: ["x"] }), { note: "[M41] no leading slash" });
  add(both, P({ type: 2, nsp: "/café/😀", data: ["x"] }), { note: "unicode" });
  add(both, P({ type: 2, nsp: "/a,b?c=1", data: ["x"] }), { note: "commas and queries are plain characters here" });
  add(both, B(map(TYPE, "02", NSP, "a22fff", DATA, "91a178")), { ours: rejects("invalid_utf8", R.utf8, true), note: "a namespace that is not UTF-8" });

  // "data": "invalid payload".
  add(both, B(pkt("02")), { ours: pin("invalid_payload"), note: "[M27] EVENT without data" });
  add(both, B(pkt("02", "04")), { ours: pin("invalid_payload"), note: "[M28] data: 4" });
  add(both, B(pkt("04", "90")), { ours: pin("invalid_payload"), note: "[M30] CONNECT_ERROR with an array" });
  add(both, B(pkt("02", "80")), { ours: pin("invalid_payload"), note: "EVENT with a map" });
  add(both, B(pkt("02", "a178")), { ours: pin("invalid_payload"), note: "EVENT with a str" });
  add(both, B(pkt("02", "c0")), { ours: pin("invalid_payload"), note: "EVENT with nil" });
  add(both, B(pkt("03", "c40101")), { ours: pin("invalid_payload"), note: "ACK with a bin" });
  add(both, B(pkt("02", "d5050102")), { ours: rejects("invalid_payload", R.extData), note: "EVENT with a fixext 2: [5, Buffer]" });
  add(both, B(pkt("03", "d7000000016f4f4e2a70")), { ours: pin("invalid_payload"), note: "ACK with a Date" });
  add(both, B(pkt("00", "80")), { ours4: pin("invalid_payload"), note: "CONNECT with an empty map (v4: no data allowed)" });
  add(both, B(pkt("00", "90")), { ours: pin("invalid_payload"), note: "CONNECT with an array" });
  add(both, B(pkt("00", "c0")), { ours: pin("invalid_payload"), note: "CONNECT with nil: not a plain object" });
  add(both, B(pkt("00", "a178")), { ours: pin("invalid_payload") });
  add(both, B(pkt("00", "c70100ff")), { ours: pin("invalid_payload"), note: "CONNECT with an ArrayBuffer" });
  add(both, B(pkt("01", "80")), { ours: pin("invalid_payload"), note: "DISCONNECT with data" });
  add(both, B(pkt("01", "c0")), { ours: pin("invalid_payload"), note: "DISCONNECT with nil" });
  add(both, B(pkt("04")), { ours: pin("invalid_payload"), note: "CONNECT_ERROR without data" });
  add(both, B(pkt("04", "80")), { ours4: pin("invalid_payload"), note: "CONNECT_ERROR with a map (v4: a string only)" });
  add(both, B(pkt("04", "02")), { ours: pin("invalid_payload") });

  // "id": "invalid packet id".
  const withId = (idHex) => B(map(TYPE, "02", NSP, SLASH, DATA, "91a178", ID, idHex));
  add(both, withId("00"), { note: "id 0" });
  add(both, withId("cdffff"));
  add(both, withId("cf001fffffffffffff"), { note: "2^53 - 1" });
  add(both, withId("cf0020000000000001"), {
    ours: differs({ type: 2, nsp: "/", id: "9007199254740993", data: ["x"] }, R.exactId),
    note: "2^53 + 1",
  });
  add(both, withId("cfffffffffffffffff"), {
    ours: differs({ type: 2, nsp: "/", id: "18446744073709551615", data: ["x"] }, R.exactId),
    note: "2^64 - 1",
  });
  add(both, withId("cb4014000000000000"), { note: "5.0 is an integer" });
  add(both, withId("ca40a00000"), { note: "float 32 5.0" });
  add(both, withId("cb8000000000000000"), { note: "-0" });
  add(both, withId("cb4415af1d78b58c40"), { ours: rejects("ack_id_overflow", R.bigId), note: "1e20" });
  add(both, withId("ff"), { ours: rejects("invalid_ack_id", R.negId), note: "-1" });
  add(both, withId("d38000000000000000"), { ours: rejects("invalid_ack_id", R.negId), note: "-2^63" });
  add(both, withId("cbc014000000000000"), { ours: rejects("invalid_ack_id", R.negId), note: "-5.0" });
  add(both, withId("cb4004000000000000"), { ours: pin("invalid_ack_id"), note: "2.5" });
  add(both, withId("cb7ff8000000000000"), { ours: pin("invalid_ack_id"), note: "NaN" });
  add(both, withId("cb7ff0000000000000"), { ours: pin("invalid_ack_id"), note: "Infinity" });
  add(both, withId(str("a")), { ours: pin("invalid_ack_id"), note: "[M31] id \"a\"" });
  add(both, withId("c0"), { ours: pin("invalid_ack_id"), note: "nil" });
  add(both, withId("91 01"), { ours: pin("invalid_ack_id"), note: "[1]" });
  add(both, B(map(TYPE, "00", NSP, SLASH, ID, "07")), { note: "an id on CONNECT" });

  // The message itself.
  add(both, B(""), { ours: pin("invalid_msgpack"), note: "[M20] an empty message" });
  add(both, B("c1"), { ours: pin("invalid_msgpack") });
  add(both, B(mp({ type: 2, nsp: "/", data: ["x"] }) + "00"), { ours: pin("trailing_data"), note: "[M35] a trailing byte" });
  add(both, B(mp({ type: 2, nsp: "/", data: ["x"] }).slice(0, -2)), { ours: pin("invalid_msgpack"), note: "cut short" });
  add(both, B("83" + TYPE + "02" + NSP + SLASH + DATA + "ddffffff00"), { ours: pin("invalid_msgpack"), note: "an array of 4 billion elements" });
  add(both, B(pkt("02", "91" + nest(126, "90"))), { note: "data nested to depth 128" });
  add(both, B(pkt("02", "91" + nest(127, "90"))), { ours: rejects("nesting_too_deep", R.depth), note: "depth 129" });
  add(both, B(pkt("02", "92a178a2c328")), { ours: rejects("invalid_utf8", R.utf8, true), note: "an argument that is not UTF-8" });
  add(V5, T('{"type":2,"nsp":"/","data":["x"]}'), { ours: pin("unexpected_text_frame"), note: "[M40] v5 accepts no text message" });
  add(V5, T("2"), { ours: pin("unexpected_text_frame") });

  // Protocol v4 (2.2.1): text messages are JSON.
  add(V4, T('{"type":0,"nsp":"/"}'), { note: "[M50] CONNECT as JSON text" });
  add(V4, T('{"type":0,"nsp":"/admin?token=abc"}'), { note: "CONNECT with its query in the namespace" });
  add(V4, T('{"type":1,"nsp":"/admin"}'));
  add(V4, T('{"type":4,"data":"Not authorized","nsp":"/"}'), { note: "the 2.x server's key order" });
  add(V4, T('{"type":0,"nsp":"/","id":3}'));
  add(V4, T('{"type":2,"nsp":"/","data":["chat",1]}'), { note: "EVENT as text: accepted too" });
  add(V4, T('{"type":5,"nsp":"/","data":["a"]}'), { note: "type 5 as text" });
  add(V4, T(' {"type":0,"nsp":"/"} '), { note: "JSON whitespace" });
  add(V4, T('{"type":0,"nsp":"/","type":1}'), { note: "duplicate keys: the last wins" });
  add(V4, T('{"type":2.0,"nsp":"/","data":[]}'), { note: "2.0" });
  add(V4, T('{"type":0,"nsp":"/","extra":{"a":[1]}}'), { note: "an extra key" });
  add(V4, T('{"type":0,"nsp":"/","data":{}}'), { ours: pin("invalid_payload"), note: "CONNECT with data" });
  add(V4, T('{"type":0,"nsp":"/","data":null}'), { ours: pin("invalid_payload"), note: "null is not undefined" });
  add(V4, T('{"type":4,"nsp":"/","data":{"message":"x"}}'), { ours: pin("invalid_payload"), note: "ERROR with an object" });
  add(V4, T('{"type":4,"nsp":"/"}'), { ours: pin("invalid_payload") });
  add(V4, T('{"type":2,"nsp":"/","data":"x"}'), { ours: pin("invalid_payload") });
  add(V4, T('{"type":7,"nsp":"/"}'), { ours: pin("unknown_packet_type") });
  add(V4, T('{"type":"0","nsp":"/"}'), { ours: pin("unknown_packet_type") });
  add(V4, T('{"nsp":"/"}'), { ours: pin("unknown_packet_type") });
  add(V4, T("null"), { ours: pin("unknown_packet_type"), note: "a TypeError in the reference" });
  add(V4, T("2"), { ours: pin("unknown_packet_type") });
  add(V4, T("[0]"), { ours: pin("unknown_packet_type") });
  add(V4, T('{"type":0}'), { ours: pin("invalid_namespace") });
  add(V4, T('{"type":0,"nsp":1}'), { ours: pin("invalid_namespace") });
  add(V4, T('{"type":0,"nsp":"\\/admin"}'), { ours: rejects("invalid_namespace", R.escNsp), note: "an escaped slash" });
  add(V4, T('{"type":0,"nsp":"/","id":-1}'), { ours: rejects("invalid_ack_id", R.negId) });
  add(V4, T('{"type":0,"nsp":"/","id":1.5}'), { ours: pin("invalid_ack_id") });
  add(V4, T('{"type":0,"nsp":"/","id":"1"}'), { ours: pin("invalid_ack_id") });
  add(V4, T('{"type":0,"nsp":"/"'), { ours: pin("invalid_json"), note: "invalid JSON" });
  add(V4, T(""), { ours: pin("invalid_json"), note: "an empty text" });
  add(V4, T('{"type":0,"nsp":"/",}'), { ours: pin("invalid_json") });
}

// --- socket.io-msgpack-parser: encoding -------------------------------------------------------------

function encodeCases(L) {
  const add = (versions, packet, extra = {}) => {
    for (const version of versions) {
      const ours = extra[`ours${version}`] !== undefined ? extra[`ours${version}`] : extra.ours;
      L.add(`mp${version}.encode`, "sio_msgpack.encode", { version, packet }, refEncode(version, packet), {
        ours,
        note: extra.note,
      });
    }
  };
  const both = [5, 4];
  const V5 = [5];
  const V4 = [4];
  const pk = (type, nsp, data, id) => {
    const p = { type, nsp };
    if (data !== undefined) p.data = data;
    if (id !== undefined) p.id = id;
    return p;
  };

  add(both, pk(2, "/", ["hello", "you"]), { note: "[M01]" });
  add(both, pk(2, "/chat", ["message", "hi", 42], 7));
  add(both, pk(2, "/", ["file", bin("0102030405")]), { note: "[M02] a Buffer: bin" });
  add(both, pk(2, "/", ["ab", ab("0102")]), { note: "[M03] an ArrayBuffer: ext 8 of type 0" });
  add(both, pk(2, "/", ["n", 0, -1, 127, 128, -33, 65536, 4294967296, -2147483649, num("1.5"), num("NaN"), num("-Infinity")]), { note: "number forms" });
  add(both, pk(2, "/", ["s", "", "x".repeat(31), "x".repeat(32), "é😀"]));
  add(both, pk(2, "/", ["big", "y".repeat(300), bin("ee".repeat(300))]), { note: "str 16 and bin 16" });
  add(both, pk(2, "/", ["many", Array.from({ length: 20 }, (_, i) => i)]), { note: "array 16" });
  add(both, pk(2, "/", ["obj", Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, [i]]))]), { note: "map 16" });
  add(both, pk(2, "/", ["u", UNDEF, null]), { note: "undefined as an argument" });
  add(both, pk(2, "/", []), { note: "an empty EVENT array" });
  add(both, pk(2, "", ["empty nsp"]), { note: "an empty namespace is written as given" });
  add(both, pk(2, "/café", ["x"], 0));
  add(both, pk(3, "/", [], 5), { note: "ACK without arguments" });
  add(both, pk(3, "/admin", ["ok", bin("00ff")], 300));
  add(both, pk(3, "/", ["big id"], 9007199254740991));
  add(both, pk(2, "/", ["date", { $date: 0 }]), { note: "[M08] a Date" });
  add(V5, pk(0, "/"), { note: "CONNECT" });
  add(V5, pk(0, "/admin", { token: "abc", bin: bin("01") }), { note: "CONNECT with auth holding binary" });
  add(V5, pk(1, "/admin"));
  add(V5, pk(4, "/", { message: "Not authorized" }));
  add(V5, pk(4, "/", { message: "Not authorized", data: { code: 401 } }));
  add(V5, pk(4, "/", "Invalid namespace"), { note: "CONNECT_ERROR as a string" });
  // Protocol v4: CONNECT, DISCONNECT, ERROR as JSON text.
  add(V4, pk(0, "/"), { note: "[M50] CONNECT as JSON text" });
  add(V4, pk(0, "/admin?token=abc"));
  add(V4, pk(1, "/admin"));
  add(V4, pk(4, "/", "Not authorized"), { note: "ERROR as JSON text" });
  add(V4, pk(4, "/", 'quote " and \\ and \n'), { note: "JSON.stringify escapes" });
  add(V4, pk(0, "/é", undefined, 3), { note: "an id on CONNECT" });
  add(V4, pk(5, "/", ["bin", bin("0102")]), { note: "BINARY_EVENT as msgpack" });
  add(V4, pk(6, "/", [bin("ff")], 4), { note: "BINARY_ACK" });
  // Packets the reference encoder writes and its decoder refuses.
  add(V5, pk(5, "/", ["x", bin("01")]), { ours: refuses("invalid_argument", R.badType) });
  add(V5, pk(7, "/", ["x"]), { ours: refuses("invalid_argument", R.badType) });
  add(V4, pk(7, "/", ["x"]), { ours: refuses("invalid_argument", R.badType) });
  add(both, pk(2, "/", "not an array"), { ours: refuses("invalid_argument", R.badData) });
  add(both, pk(2, "/"), { ours: refuses("invalid_argument", R.badData), note: "EVENT without data" });
  add(both, pk(1, "/", { a: 1 }), { ours: refuses("invalid_argument", R.badData), note: "DISCONNECT with data" });
  add(V5, pk(0, "/", ["x"]), { ours: refuses("invalid_argument", R.badData), note: "CONNECT with an array" });
  add(V4, pk(0, "/", { token: "x" }), { ours: refuses("invalid_argument", R.badData), note: "v4 CONNECT with data" });
  add(V4, pk(4, "/", { message: "x" }), { ours: refuses("invalid_argument", R.badData), note: "v4 ERROR with an object" });
}

async function generate() {
  const values = new VectorList();
  const v5 = new VectorList();
  const v4 = new VectorList();
  valueCases(values);
  const both = {
    add(prefix, ...rest) {
      return (prefix.startsWith("mp5.") ? v5 : v4).add(prefix, ...rest);
    },
  };
  decodeCases(both);
  encodeCases(both);
  return {
    "msgpack_values.jsonl": values.vectors,
    "msgpack_v5.jsonl": v5.vectors,
    "msgpack_v4.jsonl": v4.vectors,
  };
}

module.exports = { generate, fromMp, toMp, isMarker };
