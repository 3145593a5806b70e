// SPDX-License-Identifier: BSL-1.0
// Base64 vectors: Node's Buffer.from(text, "base64") / buf.toString("base64"), which is what the
// reference server does with the `b` packets of polling bodies. Ops: base64.encode, base64.decode.
"use strict";

const { hex, prng, VectorList } = require("../lib/common");

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** RFC 4648 §4 strict form: siocodec's base64::mode::strict accepts exactly this. */
function strictAccepts(s) {
  if (s.length % 4 !== 0) return false;
  const pad = s.endsWith("==") ? 2 : s.endsWith("=") ? 1 : 0;
  const body = s.slice(0, s.length - pad);
  for (const c of body) if (!ALPHABET.includes(c)) return false;
  if (pad && body.length % 4 === 0) return false;  // "====" / "A===": padding where data belongs
  const last = ALPHABET.indexOf(body[body.length - 1]);
  if (pad === 1 && (last & 0x03) !== 0) return false;
  if (pad === 2 && (last & 0x0f) !== 0) return false;
  return true;
}

const REASONS = {
  junk: "strict base64 rejects characters outside the alphabet; Node skips them",
  url: "strict base64 is the standard alphabet only; Node also accepts the URL-safe '-' and '_'",
  pad: "strict base64 needs '=' padding to a multiple of 4; Node accepts it unpadded",
  len: "strict base64 rejects a length of 4n+1; Node drops the dangling character",
  bits: "strict base64 rejects non-zero bits after the last byte; Node ignores them",
  eq: "strict base64 allows '=' only as one or two final padding characters; Node stops decoding at the first '='",
  trunc:
    "strict base64 rejects characters outside the alphabet; Node reads each UTF-16 code unit through its low byte, so a character above U+00FF can count as a digit or '=' (U+0144 as 'D', the surrogate 0xD83D as '='), which lax mode reproduces",
};

function generate() {
  const L = new VectorList();

  // --- encode ---------------------------------------------------------------------------------
  const enc = (bytes, note) =>
    L.add("base64.encode", "base64.encode", { binary: hex(bytes) }, { text: bytes.toString("base64") }, { note });
  const rng = prng(64);
  for (let n = 0; n <= 20; n++) enc(rng.bytes(n), n === 0 ? "empty" : undefined);
  enc(Buffer.from("hello"), "ASCII text");
  enc(Buffer.from([0xfb, 0xff]), "uses '+' and '/'");
  enc(Buffer.from([0xf8]), "'+' then padding");
  for (const n of [1, 2, 3, 4]) enc(Buffer.alloc(n, 0x00));
  for (const n of [1, 2, 3, 4]) enc(Buffer.alloc(n, 0xff));
  enc(prng(65).bytes(57), "57 bytes: one MIME line, no break inserted");
  enc(prng(66).bytes(1000), "1,000 bytes");

  // --- decode ---------------------------------------------------------------------------------
  const dec = (text, reason, note) => {
    const ref = { binary: hex(Buffer.from(text, "base64")) };
    const extra = { note };
    if (strictAccepts(text)) {
      if (reason) throw new Error(`base64 case ${JSON.stringify(text)} is strict-valid but has a reason`);
    } else {
      if (!reason) throw new Error(`base64 case ${JSON.stringify(text)} is strict-invalid: give a reason`);
      // Lax mode promises Node's result byte for byte, so every strict rejection is lax-equal.
      extra.ours = { error: "invalid_base64", reason: REASONS[reason], lax: true };
    }
    L.add("base64.decode", "base64.decode", { text }, ref, extra);
  };

  // Valid encodings of every length 0..20, and some fixed ones.
  const rng2 = prng(65);
  for (let n = 0; n <= 20; n++) dec(rng2.bytes(n).toString("base64"), undefined, `${n} bytes`);
  dec("aGVsbG8=", undefined, "\"hello\"");
  dec("+/+/", undefined);
  dec("AAAA", undefined);
  dec("////", undefined);
  dec("QUI=", undefined, "zero trailing bits");
  dec("QQ==", undefined);
  dec(prng(67).bytes(1000).toString("base64"), undefined, "1,000 bytes");

  // Padding and length.
  dec("QQ", "pad", "missing '=='");
  dec("QUI", "pad", "missing '='");
  dec("QQ=", "pad", "one '=' short");
  dec("QUJDQQ", "pad");
  dec("QQ===", "eq", "one '=' too many");
  dec("QUJD====", "eq");
  dec("QUJD=", "eq", "padding after a whole group");
  dec("=", "eq");
  dec("==", "eq");
  dec("===", "eq");
  dec("====", "eq");
  dec("Q===", "eq");
  dec("=QUJD", "eq", "'=' first: Node decodes nothing");
  dec("QQ==QQ==", "eq", "two padded groups: Node stops at the first '='");
  dec("QUJD=QUJD", "eq");
  dec("QQ=Q", "eq");
  dec("Q", "len", "one character");
  dec("QUJDQ", "len");
  dec("QUJDQUJDQ", "len");
  dec("QR==", "bits", "non-zero bits under '=='");
  dec("QUJ=", "bits", "non-zero bits under '='");
  dec("QUJDRB==", "bits");
  dec("QR", "pad", "unpadded, non-zero trailing bits");

  // URL-safe alphabet.
  dec("-_-_", "url");
  dec("PD8-Pz4_", "url");
  dec("+/-_", "url", "both alphabets mixed");
  dec("_w==", "url");

  // Whitespace and line breaks.
  dec("QUJD\n", "junk", "trailing newline");
  dec("\nQUJD", "junk", "leading newline");
  dec("QU JD", "junk", "space");
  dec("Q U J D", "junk");
  dec("QUJD\r\nRUZH", "junk", "CRLF between groups");
  dec("\tQUJD\t", "junk");
  dec(
    prng(68).bytes(114).toString("base64").replace(/(.{76})/g, "$1\r\n"),
    "junk",
    "MIME: CRLF after 76 characters",
  );
  dec("QQ==\n", "junk", "newline after the padding");
  dec("QQ\n==", "junk", "newline inside the padding");

  // Every other ASCII character, one at a time, inside a group.
  for (let c = 0; c < 0x80; c++) {
    const ch = String.fromCharCode(c);
    if (ALPHABET.includes(ch) || ch === "=") continue;
    const reason = ch === "-" || ch === "_" ? "url" : "junk";
    dec(`QU${ch}JD`, reason, `0x${c.toString(16).padStart(2, "0")}`);
  }

  // Non-ASCII characters: Node sees UTF-16 code units through their low byte.
  dec("QUJ\u00e9D", "junk", "U+00E9: its low byte 0xE9 is not in the alphabet");
  dec("QUJ\u0080D", "junk", "U+0080");
  dec("QU\u00a0JD", "junk", "NO-BREAK SPACE");
  dec("QU\u00ffJD", "junk", "U+00FF");
  dec("QU\u0100JD", "junk", "U+0100: low byte 0x00 is skipped by Node too");
  dec("QU\u2028JD", "junk", "U+2028: low byte 0x28 '(' is skipped by Node too");
  dec("QUJ\u0144", "trunc", "U+0144 reads as 'D' in Node");
  dec("\u0141\u0141\u0141\u0141", "trunc", "U+0141 reads as 'A' in Node");
  dec("QUJD\u{1F600}QUJD", "trunc", "an emoji's high surrogate 0xD83D reads as '=' in Node");
  dec("QU\u{1F600}JD", "trunc");
  dec("QU\u013dJD", "trunc", "U+013D reads as '=' in Node");
  dec("QUJ\u{10044}", "trunc", "U+10044 is D800 DC44: NUL (skipped) then 'D'");
  dec("QUJ\u0d44", "trunc", "U+0D44 reads as 'D'");
  dec("QU\u0120JD", "junk", "U+0120: low byte 0x20 (space) is skipped");

  return { "base64.jsonl": L.vectors };
}

module.exports = { generate };
