#!/usr/bin/env node
// SPDX-License-Identifier: BSL-1.0
// Generates the JSON differential test data from JavaScript itself (node, no dependencies).
//
//   node tools/gen_json_cases.js [outdir]      (default outdir: tests/unit/json)
//
// Writes three files, deterministically (fixed seed; rerunning gives identical bytes):
//   json_cases.txt        <hex of input bytes>\t<1 if JSON.parse accepts else 0>[\t<hex canon>]
//                         Valid JSON texts and random mutations of them. Acceptance = the bytes
//                         decode with TextDecoder('utf-8', {fatal: true, ignoreBOM: true}) AND
//                         JSON.parse accepts the result. Nesting stays far below 128 levels, so
//                         the C++ depth limit never decides a case. Accepted lines carry a third
//                         column: JSON.stringify of what JSON.parse built, with every string and
//                         key made well-formed (lone surrogates -> U+FFFD, as TextEncoder does),
//                         left out when that would merge two keys of one object.
//   json_write_cases.txt  s\t<hex of UTF-8 input>\t<hex of UTF-8 of JSON.stringify(input)>
//                         d\t<16 hex digits: IEEE bits of a double>\t<JSON.stringify(double)>
//   json_value_cases.txt  u\t<hex of a JSON string literal>\t<hex of Buffer.from(JSON.parse(it))>
//                         p\t<JSON number text>\t<16 hex digits: IEEE bits of Number(text)>
'use strict';

const fs = require('fs');
const path = require('path');

// --- deterministic PRNG (mulberry32) -----------------------------------------------------------
let seed = 0x5105c0de;
function rnd() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const ri = (n) => Math.floor(rnd() * n);  // 0 .. n-1
const pick = (a) => a[ri(a.length)];
const hex = (buf) => Buffer.from(buf).toString('hex');

// --- acceptance, as the reference sees bytes ---------------------------------------------------
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// null when rejected, else {canon} (canon null when it cannot be compared, see above).
function parseBytes(bytes) {
  let text;
  try {
    text = decoder.decode(bytes);
  } catch (e) {
    return null;
  }
  let v;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return null;
  }
  try {
    return { canon: canonical(v) };
  } catch (e) {
    return { canon: null };
  }
}
// JSON.stringify with well-formed strings. Object.keys gives JavaScript's own key order
// (array-index keys ascending first, then first-insertion order); duplicates already collapsed
// by JSON.parse with the last value winning.
function canonical(v) {
  if (Array.isArray(v)) return '[' + v.map(canonical).join(',') + ']';
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v);
    const fixed = new Set(keys.map((k) => k.toWellFormed()));
    if (fixed.size !== keys.length) throw new Error('keys merge');
    const items = keys.map((k) => JSON.stringify(k.toWellFormed()) + ':' + canonical(v[k]));
    return '{' + items.join(',') + '}';
  }
  if (typeof v === 'string') return JSON.stringify(v.toWellFormed());
  return JSON.stringify(v);
}

// --- random valid JSON, built as text so every grammar form appears ----------------------------
function ws() {
  if (rnd() < 0.6) return '';
  let s = '';
  const n = 1 + ri(3);
  for (let i = 0; i < n; i++) s += pick([' ', ' ', '\n', '\r', '\t']);
  return s;
}
function digits(n, nonzeroFirst) {
  let s = nonzeroFirst ? String(1 + ri(9)) : String(ri(10));
  for (let i = 1; i < n; i++) s += String(ri(10));
  return s;
}
function number() {
  let s = rnd() < 0.3 ? '-' : '';
  s += rnd() < 0.2 ? '0' : digits(1 + ri(rnd() < 0.1 ? 25 : 6), true);
  if (rnd() < 0.35) s += '.' + digits(1 + ri(8), false);
  if (rnd() < 0.3) s += pick(['e', 'E']) + pick(['', '+', '-']) + digits(1 + ri(3), false);
  return s;
}
const rawChars = [
  'a', 'b', 'Z', '0', ' ', '~', '/', "'", '\x7f', '\u00e9', '\u00a0', '\u07ff', '\u0800', '\u20ac',
  '\u2028', '\u2029', '\ufeff', '\uffff', '\ud83d\ude00', '\u{10ffff}', '\u{10000}', '\u4e2d',
];
function hex4(cp) {
  const h = cp.toString(16).padStart(4, '0');
  return rnd() < 0.5 ? h : h.toUpperCase();
}
function stringLiteral(maxLen) {
  let s = '"';
  const n = ri(maxLen);
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (r < 0.55) s += pick(rawChars);
    else if (r < 0.75) s += pick(['\\"', '\\\\', '\\/', '\\b', '\\f', '\\n', '\\r', '\\t']);
    else if (r < 0.88) s += '\\u' + hex4(ri(0x10000));
    else if (r < 0.95) s += '\\u' + hex4(0xd800 + ri(0x400)) + '\\u' + hex4(0xdc00 + ri(0x400));
    else s += '\\u' + hex4(0xd800 + ri(0x800));  // a lone surrogate: valid JSON
  }
  return s + '"';
}
function jsonValue(depth) {
  const r = rnd();
  if (depth > 0 && r < 0.2) {
    const n = ri(5);
    const items = [];
    for (let i = 0; i < n; i++) items.push(ws() + jsonValue(depth - 1) + ws());
    return '[' + (n ? items.join(',') : ws()) + ']';
  }
  if (depth > 0 && r < 0.4) {
    const n = ri(5);
    const items = [];
    for (let i = 0; i < n; i++) {
      items.push(ws() + stringLiteral(6) + ws() + ':' + ws() + jsonValue(depth - 1) + ws());
    }
    return '{' + (n ? items.join(',') : ws()) + '}';
  }
  if (r < 0.6) return number();
  if (r < 0.85) return stringLiteral(10);
  return pick(['true', 'false', 'null']);
}

const handWritten = [
  '0', '-0', '1', '-1', '0.0', '-0.0e-0', '1e5', '1E5', '1e+5', '1E-5', '123.456e789',
  '-1e-400', '1e400', '18446744073709551616', '9007199254740993', '0.5', '[]', '{}', '[ ]',
  '{ }', ' [ 1 , 2 ] ', '\t\n\r 1 \t\n\r', '""', '"a"', '"\\u0000"', '"\\ud800"', '"\\udc00"',
  '"\\ud83d\\ude00"', '"\\uD83D\\uDE00"', '"\\/"', '"\u00e9\u20ac\ud83d\ude00"', '"\x7f"',
  '[[[[[[[[]]]]]]]]', '{"a":{"b":{"c":[1,{"d":null}]}}}', '{"":""}', '{"a":1,"a":2}',
  'true', 'false', 'null', '[true,false,null]', '{"__proto__":1}', '[1,[2,[3,[4]]]]',
  '["\\"\\\\\\/\\b\\f\\n\\r\\t"]', '[-0.0,1.5E+3,2e-2]', '{"x":[],"y":{}}',
];
// Invalid or borderline pieces that mutations splice in.
const badUtf8 = [
  [0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0x80, 0x80], [0xe0, 0x9f, 0xbf], [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf], [0xf0, 0x80, 0x80, 0x80], [0xf0, 0x8f, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80],
  [0xf5, 0x80, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xff], [0xfe], [0x80], [0xbf],
  [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xc2], [0xef, 0xbb, 0xbf], [0xc2, 0xa0], [0xe2, 0x80, 0xa8],
  [0xc3, 0xa9], [0xf0, 0x9f, 0x98, 0x80], [0xf4, 0x8f, 0xbf, 0xbf], [0xee, 0x80, 0x80],
];
const alphabet = [
  ...'{}[]:,"\\'.split(''), ' ', '\n', '\r', '\t', '\v', '\f', ...'0123456789'.split(''),
  ...'eE+-.tfnrulasxu'.split(''), '\x00', '\x01', '\x1f', '\x7f',
].map((c) => c.charCodeAt(0));
function randomByte() {
  const r = rnd();
  if (r < 0.75) return pick(alphabet);
  if (r < 0.85) return ri(0x20);
  return 0x80 + ri(0x80);
}
function mutate(bytes) {
  let b = Array.from(bytes);
  const n = 1 + ri(3);
  for (let m = 0; m < n; m++) {
    const pos = ri(b.length + 1);
    switch (ri(8)) {
      case 0: b.splice(pos, 0, randomByte()); break;
      case 1: if (b.length) b.splice(Math.min(pos, b.length - 1), 1); break;
      case 2: if (b.length) b[Math.min(pos, b.length - 1)] = randomByte(); break;
      case 3: b = b.slice(0, pos); break;
      case 4: b.splice(pos, 0, ...pick(badUtf8)); break;
      case 5: {  // splice a whole other valid value in: often stays valid inside arrays
        const v = Array.from(Buffer.from(jsonValue(1)));
        b.splice(pos, 0, ...(rnd() < 0.5 ? [0x2c, ...v] : v));
        break;
      }
      case 6: if (pos + 1 < b.length) [b[pos], b[pos + 1]] = [b[pos + 1], b[pos]]; break;
      default: {  // duplicate a slice
        const len = 1 + ri(6);
        b.splice(pos, 0, ...b.slice(pos, pos + len));
      }
    }
  }
  return Buffer.from(b);
}
function nesting(bytes) {
  let d = 0, max = 0;
  for (const c of bytes) {
    if (c === 0x5b || c === 0x7b) max = Math.max(max, ++d);
  }
  return max;
}

function genValidateCases() {
  const seen = new Set();
  const lines = [];
  const add = (buf) => {
    if (nesting(buf) > 100) return;  // never let the depth limit decide a case
    const h = hex(buf);
    if (seen.has(h)) return;
    seen.add(h);
    const r = parseBytes(buf);
    let line = h + '\t' + (r ? 1 : 0);
    if (r && r.canon !== null) line += '\t' + hex(Buffer.from(r.canon, 'utf8'));
    lines.push(line);
  };
  add(Buffer.alloc(0));
  const seeds = handWritten.map((s) => Buffer.from(s));
  for (let i = 0; i < 700; i++) seeds.push(Buffer.from(ws() + jsonValue(1 + ri(4)) + ws()));
  for (const s of seeds) add(s);
  for (const s of handWritten.map((x) => Buffer.from(x))) {
    for (let i = 0; i < s.length; i++) add(s.subarray(0, i));  // every truncation
  }
  while (lines.length < 6000) add(mutate(pick(seeds)));
  return lines;
}

// --- writer cases ------------------------------------------------------------------------------
function bitsOf(d) {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, d);
  return dv.getBigUint64(0).toString(16).padStart(16, '0');
}
function fromBits(big) {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setBigUint64(0, BigInt.asUintN(64, big));
  return dv.getFloat64(0);
}
function randomBits() {
  return (BigInt(ri(0x100000000)) << 32n) | BigInt(ri(0x100000000));
}
function nextUp(d) {
  const b = BigInt('0x' + bitsOf(d));
  return d >= 0 ? fromBits(b + 1n) : fromBits(b - 1n);
}
function nextDown(d) {
  return -nextUp(-d);
}
function randomCodePoint() {
  const r = rnd();
  if (r < 0.3) return 0x20 + ri(0x60);
  if (r < 0.45) return ri(0x20);
  if (r < 0.6) return 0x80 + ri(0x780);
  if (r < 0.8) {
    const cp = 0x800 + ri(0xf800);
    return cp >= 0xd800 && cp <= 0xdfff ? 0xe000 : cp;
  }
  return 0x10000 + ri(0x100000);
}

function genWriteCases() {
  const lines = [];
  const strings = ['', '"', '\\', '"\\"', '/', '\x7f', 'hello', '\u2028\u2029', '\ufeff',
    '\u00e9', '\u20ac', '\ud83d\ude00', '\u{10ffff}', '\u0080\u07ff\u0800\uffff\u{10000}',
    'a"b\\c/d\be\ff\ng\rh\ti'];
  let all = '';
  for (let c = 0; c < 0x80; c++) {
    strings.push(String.fromCharCode(c));
    strings.push('x' + String.fromCharCode(c) + 'y');
    all += String.fromCharCode(c);
  }
  strings.push(all);
  for (let i = 0; i < 300; i++) {
    let s = '';
    const n = ri(i < 250 ? 12 : 200);
    for (let k = 0; k < n; k++) s += String.fromCodePoint(randomCodePoint());
    strings.push(s);
  }
  for (const s of strings) {
    lines.push('s\t' + hex(Buffer.from(s, 'utf8')) + '\t' + hex(Buffer.from(JSON.stringify(s))));
  }

  const doubles = [0, -0, NaN, Infinity, -Infinity, Number.MIN_VALUE, -Number.MIN_VALUE,
    Number.MAX_VALUE, -Number.MAX_VALUE, Number.EPSILON, 2 ** -1022, 2 ** -1022 - 2 ** -1074,
    1e21, 1e-7, 1e-6, 0.1, 0.2, 0.3, 1 / 3, 2 / 3, 123456789012345680000, 5e-324, 1e300,
    1.7976931348623157e308, 100, 1e20, 9.999999999999999e20, 0.000001, 0.0000001, 1.5, -1.5];
  for (let i = -30; i <= 30; i++) {
    const two53 = 2 ** 53;
    doubles.push(two53 + i, -(two53 + i), 2 ** 64 + i * 4096, 2 ** 63 + i * 2048, 2 ** 52 + i);
  }
  for (const base of [1e21, 1e-7, 1e-6, 1e20, 1e22, 2 ** 53, 1e15, 1e16, 1e17]) {
    let up = base, down = base;
    for (let i = 0; i < 8; i++) {
      up = nextUp(up);
      down = nextDown(down);
      doubles.push(up, down);
    }
  }
  for (let e = -330; e <= 310; e++) doubles.push(Number('1e' + e), Number('5e' + e));
  for (let e = -1074; e <= 1023; e += 7) doubles.push(2 ** e);
  for (let i = 0; i < 200; i++) {  // denormals and small exponents: few significant bits
    doubles.push(fromBits(BigInt(ri(0x100000000)) * BigInt(1 + ri(0xfffff))));
  }
  for (let i = 0; i < 300; i++) {  // short decimals at every scale
    doubles.push(Number(digits(1 + ri(6), true) + 'e' + (ri(60) - 30)) * (rnd() < 0.5 ? -1 : 1));
  }
  for (let i = 0; i < 1500; i++) doubles.push(fromBits(randomBits()));
  for (const d of doubles) lines.push('d\t' + bitsOf(d) + '\t' + JSON.stringify(d));
  return lines;
}

// --- value cases: unescaping and number conversion ---------------------------------------------
// Exact decimal text of (mantissa * 2^exp), mantissa and exp BigInt-friendly integers.
function exactDecimal(mant, exp) {
  if (exp >= 0) return (mant << BigInt(exp)).toString();
  const scale = BigInt(-exp);
  const num = mant * 5n ** scale;  // value = num / 10^scale
  let s = num.toString().padStart(Number(scale) + 1, '0');
  const intPart = s.slice(0, s.length - Number(scale));
  const frac = s.slice(s.length - Number(scale)).replace(/0+$/, '');
  return intPart + (frac ? '.' + frac : '');
}
function genValueCases() {
  const lines = [];
  const literals = ['""', '"abc"', '"\\u0000"', '"\\ud800"', '"\\udc00"', '"\\ud800\\udc00"',
    '"\\udbff\\udfff"', '"\\udc00\\ud800"', '"\\ud800\\ud800\\udc00"', '"\\ud800x"',
    '"\\ud800\\n"', '"\\ud800\\u0041"', '"a\\ud83d"', '"\\ud83d\\ude00\\ud83d"', '"\\u00e9é"',
    '"\\/\\"\\\\\\b\\f\\n\\r\\t"', '"\\u2028\\u2029"', '"\\uFFFF\\uffFE"', '"\\uD834\\uDD1E"'];
  for (let i = 0; i < 400; i++) literals.push(stringLiteral(i < 300 ? 12 : 60));
  const seen = new Set();
  for (const lit of literals) {
    if (seen.has(lit)) continue;
    seen.add(lit);
    lines.push('u\t' + hex(Buffer.from(lit)) + '\t' + hex(Buffer.from(JSON.parse(lit), 'utf8')));
  }

  const texts = ['0', '-0', '-0.0', '1e400', '-1e400', '1e-400', '-1e-400', '0e99999999999',
    '1E+308', '1.7976931348623157e308', '1.7976931348623158e308', '1.7976931348623159e308',
    '1.797693134862315807937289714053e308', '2.4703282292062327e-324', '2.4703282292062328e-324',
    '4.9406564584124654e-324', '2.2250738585072011e-308', '2.2250738585072012e-308',
    '9007199254740993', '18446744073709551615', '18446744073709551616', '0.1', '1.5e-7',
    '123456789012345678901234567890', '0.000000000000000000000000000001e30',
    '100000000000000000000000000000000000000000000000000000000000000000000000000000000e-80'];
  for (let i = 0; i < 400; i++) texts.push(JSON.stringify(Math.abs(fromBits(randomBits())) || 0));
  for (let i = 0; i < 400; i++) texts.push(number());
  for (let i = 0; i < 300; i++) {  // long digit strings: correct rounding needs all the digits
    texts.push((rnd() < 0.5 ? '-' : '') + digits(17 + ri(30), true) + 'e' + (ri(700) - 350));
  }
  for (let i = 0; i < 300; i++) {  // exact halfway points between adjacent doubles: ties to even
    const bits = randomBits() & 0x7fefffffffffffffn;
    const d = fromBits(bits);
    if (!isFinite(d) || d === 0) continue;
    const biased = Number((bits >> 52n) & 0x7ffn);
    let mant = bits & 0xfffffffffffffn;
    let exp;
    if (biased === 0) {
      exp = -1074;
    } else {
      mant |= 1n << 52n;
      exp = biased - 1075;
    }
    texts.push(exactDecimal(mant * 2n + 1n, exp - 1));  // (m + 1/2) * 2^exp
  }
  const seenP = new Set();
  for (const t of texts) {
    if (seenP.has(t)) continue;
    seenP.add(t);
    JSON.parse(t);  // every text must be JSON
    lines.push('p\t' + t + '\t' + bitsOf(Number(t)));
  }
  return lines;
}

const outdir = process.argv[2] || path.join(__dirname, '..', 'tests', 'unit', 'json');
const write = (name, lines) => {
  fs.writeFileSync(path.join(outdir, name), lines.join('\n') + '\n');
  console.log(name + ': ' + lines.length + ' lines');
};
write('json_cases.txt', genValidateCases());
write('json_write_cases.txt', genWriteCases());
write('json_value_cases.txt', genValueCases());
