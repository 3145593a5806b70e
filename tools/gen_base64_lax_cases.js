#!/usr/bin/env node
// SPDX-License-Identifier: BSL-1.0
// Generates tests/unit/common/base64_lax_cases.txt: what the reference server makes of the text
// of a `b` packet, for inputs that stress every corner of Node's lenient base64 decoder.
//
// The reference (engine.io 6 + engine.io-parser 5.2.3) UTF-8 decodes the polling body into a JS
// string and calls Buffer.from(text, "base64") on each `b` packet; this script does exactly that:
//     expected = Buffer.from(Buffer.from(inputBytes).toString("utf8"), "base64")
// Output: one case per line, `<input as hex>\t<expected bytes as hex>`; '#' lines are comments.
// Deterministic: a fixed seed and a self-contained PRNG, so a rerun on the same Node major gives
// the same file. Usage: node tools/gen_base64_lax_cases.js > tests/unit/common/base64_lax_cases.txt
"use strict";

const SEED = 0x5105c0de;

// mulberry32: tiny, deterministic across platforms and Node versions.
let state = SEED >>> 0;
function rand32() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}
const below = (n) => rand32() % n;
const pick = (arr) => arr[below(arr.length)];

const STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const WS = [0x20, 0x09, 0x0a, 0x0d, 0x0c, 0x0b];
const utf8 = (cp) => [...Buffer.from(String.fromCodePoint(cp), "utf8")];

// Code points whose UTF-16 code unit(s) have an interesting low byte: Node truncates every unit
// to 8 bits, so U+0141 reads as 'A', U+013D as '=', U+0100 as NUL (skipped).
function interestingCodePoint() {
  const low = pick([0x41, 0x7a, 0x30, 0x2b, 0x2f, 0x2d, 0x5f, 0x3d, 0x20, 0x00, 0xfd, 0x80,
                    below(256)]);
  switch (below(4)) {
    case 0: return 0x80 + below(0x80);  // U+0080..U+00FF: low byte >= 0x80, skipped
    case 1: return ((1 + below(7)) << 8) | low;  // 2-byte UTF-8
    case 2: {  // 3-byte UTF-8, avoiding the surrogate range
      let hi = 8 + below(0xf8);
      if (hi >= 0xd8 && hi <= 0xdf) hi = 0xe0;
      return (hi << 8) | low;
    }
    default: {  // 4-byte UTF-8: two surrogates, each truncated
      const hiLow = pick([0x41, 0x3d, 0x2b, 0x5f, below(256)]) & 0xff;
      const loLow = low;
      const hiUnit = 0xd800 | (below(4) << 8) | hiLow;  // 0xD800..0xDBFF
      const loUnit = 0xdc00 | (below(4) << 8) | loLow;  // 0xDC00..0xDFFF
      return 0x10000 + ((hiUnit - 0xd800) << 10) + (loUnit - 0xdc00);
    }
  }
}

// Byte sequences that are not valid UTF-8 (each becomes U+FFFD, possibly more than one).
function invalidUtf8() {
  switch (below(8)) {
    case 0: return [0x80 + below(0x40)];          // stray continuation
    case 1: return [0xc0 + below(2), 0x80 + below(0x40)];  // overlong 2-byte
    case 2: return [0xc2 + below(30)];            // lead without continuation
    case 3: return [0xe0, 0x80 + below(0x20), 0x80];  // overlong 3-byte
    case 4: return [0xed, 0xa0 + below(0x20), 0x80 + below(0x40)];  // encoded surrogate
    case 5: return [0xf0 + below(5), 0x90];       // cut 4-byte
    case 6: return [0xf5 + below(11)];            // never valid
    default: return [0xe1 + below(12), 0x80 + below(0x40)];  // cut 3-byte
  }
}

function randomChar(weights) {
  const total = weights.reduce((a, [w]) => a + w, 0);
  let r = below(total);
  for (const [w, f] of weights) {
    if (r < w) return f();
    r -= w;
  }
  throw new Error("unreachable");
}

const byte = (ch) => [ch.charCodeAt(0)];
const CLASSES = {
  std: () => byte(pick(STD)),
  url: () => byte(pick("-_")),
  plusSlash: () => byte(pick("+/")),
  pad: () => byte("="),
  ws: () => [pick(WS)],
  junk: () => [below(0x80)],
  high: () => [0x80 + below(0x80)],
  cp: () => utf8(interestingCodePoint()),
  bad: () => invalidUtf8(),
};

// Mostly alphabet with a sprinkling of everything else.
const MIX = [[60, CLASSES.std], [6, CLASSES.url], [4, CLASSES.plusSlash], [4, CLASSES.pad],
             [6, CLASSES.ws], [6, CLASSES.junk], [4, CLASSES.high], [6, CLASSES.cp],
             [4, CLASSES.bad]];
// Alphabet only (both alphabets), no '=': every length mod 4 and the dropped trailing bits.
const DIGITS = [[80, CLASSES.std], [10, CLASSES.url], [10, CLASSES.plusSlash]];
// Heavy on separators: whitespace and junk dominate.
const NOISY = [[30, CLASSES.std], [20, CLASSES.ws], [20, CLASSES.junk], [10, CLASSES.pad],
               [10, CLASSES.cp], [10, CLASSES.bad]];

function randomText(weights, chars) {
  const out = [];
  for (let i = 0; i < chars; ++i) out.push(...randomChar(weights));
  return out;
}

// Canonical base64 of random bytes, then damaged: padding dropped or doubled, alphabets swapped,
// separators, '=' or non-ASCII inserted at random places.
function damagedEncoding() {
  const raw = Buffer.alloc(below(48));
  for (let i = 0; i < raw.length; ++i) raw[i] = below(256);
  let text = [...Buffer.from(raw.toString("base64"), "latin1")];
  if (below(2)) text = text.map((c) => (c === 0x2b ? 0x2d : c === 0x2f ? 0x5f : c));
  if (below(3) === 0) while (text.length && text[text.length - 1] === 0x3d) text.pop();
  const edits = below(4);
  for (let e = 0; e < edits; ++e) {
    const at = below(text.length + 1);
    const ins = randomChar([[3, CLASSES.ws], [2, CLASSES.junk], [2, CLASSES.pad],
                            [2, CLASSES.cp], [1, CLASSES.bad], [1, CLASSES.high]]);
    text.splice(at, 0, ...ins);
  }
  if (below(4) === 0) text.push(...randomText(MIX, below(8)));
  return text;
}

// Hand-written corner cases first (as JS strings, UTF-8 encoded like the HTTP body).
const FIXED = [
  "", "Q", "QQ", "QUI", "QUJD", "QUJDR", "QQ==", "QQ=", "QQ=QUJD", "QUJD=QUJD", "Q=UJD", "QU=JD",
  "QUJ=D", "Q U J D", " Q\nUJD\t", "-_-_", "+/+/", "-/+_", "QQ==QQ==", "QR==", "QR", "QUI=", "QUJ",
  "====", "=QUJD", "=", "==", "A", "AB", "ABC", "////", "____", "AA==", "AB==", "AAA=", "AAB=",
  "Q\u0100JD", "Q\u0141JD", "QU\u013dJD", "Q\u00c1JD", "Q\u{1F600}UJD", "QUJD\u{1F600}",
  "Q\u{20442}", "QUJD\u0000QUJD", "QUJD.QUJD", "QUJD@QUJD", "Q\uFFFDUJD", "\u{1F600}",
  "Q\u2041JD", "Q\uFF3DJD", "QUJD\r\nQUJD\r\n", "QUJD QUJD", "\u00a0QUJD\u00a0", "\u1e41",
];

const cases = [];
for (const s of FIXED) cases.push([...Buffer.from(s, "utf8")]);
cases.push([0xff, 0x51, 0x51], [0xc5, 0x51, 0x51], [0xe2, 0x82, 0x51, 0x51, 0x51],
           [0xf0, 0x9f, 0x98, 0x51, 0x51], [0xed, 0xa0, 0x80, 0x51, 0x51]);

for (let len = 0; len < 64; ++len) {
  for (let k = 0; k < 8; ++k) cases.push(randomText(DIGITS, len));
  for (let k = 0; k < 8; ++k) cases.push(randomText(MIX, len));
  for (let k = 0; k < 4; ++k) cases.push(randomText(NOISY, len));
}
for (let k = 0; k < 600; ++k) cases.push(damagedEncoding());
for (let k = 0; k < 200; ++k) cases.push(randomText(MIX, 64 + below(200)));
// Long texts take another path in Node (4 KiB and more of output are decoded in C++ directly).
for (let k = 0; k < 6; ++k) {
  const raw = Buffer.alloc(4200 + below(4000));
  for (let i = 0; i < raw.length; ++i) raw[i] = below(256);
  const text = [...Buffer.from(raw.toString(k % 2 ? "base64url" : "base64"), "latin1")];
  const edits = k < 2 ? 0 : 1 + below(20);
  for (let e = 0; e < edits; ++e) {
    const at = below(text.length + 1);
    text.splice(at, 0, ...randomChar([[3, CLASSES.ws], [2, CLASSES.junk], [1, CLASSES.cp],
                                      [1, CLASSES.bad]]));
  }
  if (k === 5) text.splice(below(text.length), 0, 0x3d);
  cases.push(text);
}

const lines = [
  `# Node ${process.version}: Buffer.from(Buffer.from(input).toString("utf8"), "base64")`,
  `# generated by tools/gen_base64_lax_cases.js, seed 0x${SEED.toString(16)}, ` +
      `${cases.length} cases`,
  "# <input hex>\\t<expected hex>",
];
for (const c of cases) {
  const input = Buffer.from(c);
  const expected = Buffer.from(input.toString("utf8"), "base64");
  lines.push(`${input.toString("hex")}\t${expected.toString("hex")}`);
}
process.stdout.write(lines.join("\n") + "\n");
