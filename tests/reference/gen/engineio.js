// SPDX-License-Identifier: BSL-1.0
// Engine.IO v4 (engine.io-parser 5.2.3) and v3 (2.2.1) packet and payload vectors.
//
// Ops: eio.decode_packet, eio.encode_packet, eio.decode_payload, eio.encode_payload.
// Bracketed tags in notes ([F01], [K03]...) name the cases of docs protocol.md §1.
"use strict";

const eio5 = require("engine.io-parser-v5");
const eio2 = require("engine.io-parser-v2");
const {
  hex,
  unhex,
  TYPE_NAMES,
  toJsPacket,
  fromJsPacket,
  fromJsEncoded,
  prng,
  VectorList,
} = require("../lib/common");

// --- reference runners ------------------------------------------------------------------------

function frameInput(frame) {
  // text_hex: a text body whose bytes are not UTF-8, as the engine.io 3 server hands it to the
  // parser (Buffer#toString: U+FFFD for each invalid part).
  if ("text_hex" in frame) return unhex(frame.text_hex).toString("utf8");
  return "text" in frame ? frame.text : unhex(frame.binary);
}

function isErrorPacket(p) {
  return p !== undefined && p.type === "error";
}

function refDecodePacket(version, frame) {
  const input = frameInput(frame);
  let p;
  if (version === 4) {
    p = eio5.decodePacket(input, "nodebuffer");
  } else {
    // A WebSocket text frame reaches decodePacket as a string without the utf8 step; a binary
    // frame as a Buffer.
    p = typeof input === "string" ? eio2.decodePacket(input, undefined, false) : eio2.decodePacket(input);
  }
  return isErrorPacket(p) ? { error: true } : fromJsPacket(p);
}

function refEncodePacket(version, packet, supportsBinary, jsData) {
  const js = toJsPacket(packet);
  if (jsData !== undefined) {
    // The same bytes, held in another JS type.
    if (hex(jsData) !== packet.binary) throw new Error(`jsData ${hex(jsData)} is not ${packet.binary}`);
    js.data = jsData;
  }
  let out;
  let called = false;
  const cb = (x) => {
    called = true;
    out = x;
  };
  if (version === 4) eio5.encodePacket(js, supportsBinary, cb);
  else eio2.encodePacket(js, supportsBinary, false, cb);
  if (!called) throw new Error("encodePacket did not call back");
  return fromJsEncoded(out);
}

function refDecodePayload(version, body) {
  const input = frameInput(body);
  const packets = [];
  let error = false;
  if (version === 4) {
    for (const p of eio5.decodePayload(input, "nodebuffer")) {
      if (isErrorPacket(p)) {
        error = true;
        break;
      }
      packets.push(fromJsPacket(p));
    }
  } else {
    // Text bodies: callback(packet, index, total) per packet, callback(err, 0, 1) on failure.
    // Binary bodies: the reference splits the whole body first, then calls back once per item
    // (decodePacket's error packet included, and it does not stop there): what a server sees
    // before its first error packet is what counts.
    eio2.decodePayload(input, undefined, (p) => {
      if (error) return false;
      if (isErrorPacket(p)) {
        error = true;
        return false;
      }
      packets.push(fromJsPacket(p));
      return true;
    });
  }
  return { packets, error };
}

function refEncodePayload(version, packets, supportsBinary) {
  let out;
  let called = false;
  const cb = (x) => {
    called = true;
    out = x;
  };
  if (version === 4) eio5.encodePayload(packets.map(toJsPacket), cb);
  else eio2.encodePayload(packets.map(toJsPacket), supportsBinary, cb);
  if (!called) return { no_callback: true };
  return fromJsEncoded(out);
}

// --- case-table helpers -----------------------------------------------------------------------

const T = (text) => ({ text });
const B = (h) => ({ binary: h.replace(/\s+/g, "") });
const U = (h) => ({ text_hex: h.replace(/\s+/g, "") });
const pk = (type, data) => {
  const p = { type };
  if (data === undefined) return p;
  if (typeof data === "string") p.text = data;
  else p.binary = data.hex;
  return p;
};
const bin = (h) => ({ hex: h.replace(/\s+/g, "") });
const msg = (data) => pk("message", data);

/** ours: we reject where the reference accepts. */
const rejects = (error, reason, lax) => (lax ? { error, reason, lax: true } : { error, reason });
/** ours: the same error as the reference, pinned to our code. */
const pin = (error) => ({ error });

// Deviation reasons, shared by several cases.
const R = {
  b64pad: "strict base64 needs '=' padding to a multiple of 4; Node's Buffer.from accepts it unpadded",
  b64url: "strict base64 is the standard alphabet only; Node also accepts the URL-safe '-' and '_'",
  b64junk: "strict base64 rejects characters outside the alphabet; Node skips them",
  b64len: "strict base64 rejects a length of 4n+1; Node drops the dangling character",
  b64bits: "strict base64 rejects non-zero bits after the last byte; Node ignores them",
  b64trunc: "strict base64 rejects characters outside the alphabet; Node reads each UTF-16 code unit through its low byte, so U+0144 counts as 'D'",
  b64eq: "strict base64 allows '=' only as final padding; Node stops decoding at the first '='",
  v3type: "a v3 base64 packet whose type digit is missing or not 0-6: the reference decodes it to type undefined",
  v3binType: "a v3 binary frame whose type byte is not 0-6: the reference decodes it to type undefined",
  v3emptyBin: "an empty v3 binary frame has no type byte: the reference decodes it to type undefined",
  v3len: "a v3 length must be plain decimal without a leading zero; the reference compares Number(len) == len loosely",
  surrogate: "the length ends inside a surrogate pair: the reference delivers a lone surrogate, which has no UTF-8 form",
  digit: "a v3 binary payload length digit byte above 9 (the reference stringifies it, so 12 reads as the digits 1 2)",
  lenZero: "a v3 binary payload length with a leading zero digit (the reference parseInt()s the digits)",
  truncBin: "the body ends inside a v3 binary payload item; the reference silently shortens the item",
  kind: "a v3 binary payload item kind byte other than 0 (string) or 1 (binary); the reference treats it as binary",
  emptyBinItem: "a v3 binary payload item of length 0 has no type byte: the reference decodes it to type undefined",
  surrogateUtf8: "UTF-8 of a surrogate code point (CESU); the reference's utf8.js turns it into U+FFFD",
  v3utf8: "a v3 text body that is not UTF-8: the reference server decodes the body with U+FFFD before it reads the lengths; siocodec refuses it, and allow_invalid_utf8 reads it as the reference does",
  hugeLen: "a 311-digit v3 binary length: the reference parseInt()s it to Infinity and takes the rest of the body as the item; siocodec rejects a length above max_payload",
  late: "the reference splits the whole binary body before delivering any packet; siocodec delivers each item as it reads it",
  v4binType: "a v4 binary packet is always a message: the reference silently drops the type",
  badType: "a packet type outside 0-6: the reference writes the name lookup's 'undefined'",
  rsInText: "a v4 payload item cannot contain the record separator 0x1E (the reference would split it on decode)",
};

// --- the tables -------------------------------------------------------------------------------

function decodePacketCases(L) {
  const add = (version, frame, extra) =>
    L.add(`v${version}.decode_packet`, "eio.decode_packet", { version, frame }, refDecodePacket(version, frame), extra);

  for (const version of [4, 3]) {
    // Every type, without and with data.
    for (let d = 0; d <= 6; d++) {
      add(version, T(`${d}`), d === 4 ? { note: "[F08] no data member, not data \"\"" } : {});
      add(version, T(`${d}hello`));
    }
    add(version, T("2probe"), { note: "probe ping" });
    add(version, T("3probe"), { note: "probe pong" });
    add(version, T('0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}'), { note: "handshake" });
    // Unicode and odd data: passed through untouched.
    add(version, T("4é"));
    add(version, T("4€uro"));
    add(version, T("4😀"), { note: "astral: one code point, two UTF-16 units, four UTF-8 bytes" });
    add(version, T("4a\u2028b\u2029c"), { note: "U+2028 / U+2029" });
    add(version, T("4\u0000"), { note: "NUL data" });
    add(version, T("4\u001e"), { note: "a WebSocket frame may hold the record separator" });
    add(version, T("4 "));
    add(version, T("44"));
    add(version, T("4bAQID"), { note: "data that looks like base64 is text" });
    add(version, T("42[\"chat\",\"hi\"]"), { note: "a Socket.IO event inside" });
    // Unknown types.
    add(version, T(""), { ours: pin("empty_packet"), note: "[F01] empty frame" });
    add(version, T(" "), { ours: pin("unknown_packet_type"), note: "[F11]" });
    add(version, T("7"), { ours: pin("unknown_packet_type"), note: "[F12]" });
    add(version, T("8hello"), { ours: pin("unknown_packet_type") });
    add(version, T("9"), { ours: pin("unknown_packet_type") });
    add(version, T("B"), { ours: pin("unknown_packet_type"), note: "[F21] upper-case B is not base64" });
    add(version, T("a"), { ours: pin("unknown_packet_type") });
    add(version, T("-1"), { ours: pin("unknown_packet_type") });
    add(version, T("\u0664hello"), { ours: pin("unknown_packet_type"), note: "[F22] ARABIC-INDIC DIGIT FOUR" });
    add(version, T("\uff14"), { ours: pin("unknown_packet_type"), note: "FULLWIDTH DIGIT FOUR" });
    add(version, T("\ufeff4a"), { ours: pin("unknown_packet_type"), note: "a BOM is not stripped from WebSocket frames" });
    add(version, T("😀"), { ours: pin("unknown_packet_type") });
  }

  // v4 base64 packets: `b` + base64, always a message.
  add(4, T("bAQIDBA=="), { note: "[H03] counterpart" });
  add(4, T("b"), { note: "[H04] counterpart: empty binary" });
  add(4, T("bAA=="));
  add(4, T("bAAA="));
  add(4, T("bAAAA"));
  add(4, T("b//79"));
  add(4, T("bNGhlbGxv"), { note: "the bytes of \"4hello\"" });
  add(4, T("bAQIDBA"), { ours: rejects("invalid_base64", R.b64pad, true), note: "[F15] missing padding" });
  add(4, T("bAQIDBA="), { ours: rejects("invalid_base64", R.b64pad, true) });
  add(4, T("b-_8"), { ours: rejects("invalid_base64", R.b64url, true), note: "[F16] URL-safe alphabet" });
  add(4, T("bAQ ID"), { ours: rejects("invalid_base64", R.b64junk, true), note: "[F17] whitespace" });
  add(4, T("bAQI\nDBA=="), { ours: rejects("invalid_base64", R.b64junk, true) });
  add(4, T("bAQ!ID"), { ours: rejects("invalid_base64", R.b64junk, true) });
  add(4, T("bA"), { ours: rejects("invalid_base64", R.b64len, true) });
  add(4, T("bAR=="), { ours: rejects("invalid_base64", R.b64bits, true) });
  add(4, T("bAQ==AQ=="), { ours: rejects("invalid_base64", R.b64eq, true) });
  add(4, T("b===="), { ours: rejects("invalid_base64", R.b64eq, true) });
  add(4, T("bQUJ\u0144"), { ours: rejects("invalid_base64", R.b64trunc, true), note: "U+0144 counts as 'D' in Node" });
  add(4, T("b4hello"), { ours: rejects("invalid_base64", R.b64len, true), note: "a v3-style b4 packet in v4: '4hello' read as base64" });

  // v4 binary frames: always a message, no type byte.
  add(4, B(""), { note: "empty binary frame" });
  add(4, B("01020304"), { note: "[F19]" });
  add(4, B("00"));
  add(4, B("04010203"), { note: "a v3-style type byte is data in v4" });
  add(4, B("34"), { note: "ASCII '4' in a binary frame is data" });
  add(4, B("62"), { note: "ASCII 'b' in a binary frame is data" });
  add(4, B("ff"));
  add(4, B(hex(prng(4).bytes(40))));
  add(4, B(hex(prng(5).bytes(1000))), { note: "1,000 bytes" });

  // v3 base64 packets: `b` + type digit + base64, any type.
  add(3, T("b4AQIDBA=="), { note: "[J06]" });
  add(3, T("b4"), { note: "empty binary message" });
  add(3, T("b0AQ=="), { note: "any type may carry binary in v3" });
  add(3, T("b2AQID"));
  add(3, T("b6"));
  add(3, T("b9AQID"), { ours: rejects("unknown_packet_type", R.v3type), note: "[J07]" });
  add(3, T("b"), { ours: rejects("unknown_packet_type", R.v3type) });
  add(3, T("bx"), { ours: rejects("unknown_packet_type", R.v3type) });
  add(3, T("bAQID"), { ours: rejects("unknown_packet_type", R.v3type), note: "a v4-style b packet in v3: 'A' read as the type" });
  add(3, T("b7AQID"), { ours: rejects("unknown_packet_type", R.v3type) });
  add(3, T("b4AQIDBA"), { ours: rejects("invalid_base64", R.b64pad, true) });
  add(3, T("b4-_8"), { ours: rejects("invalid_base64", R.b64url, true) });
  add(3, T("b4AQ ID"), { ours: rejects("invalid_base64", R.b64junk, true) });
  add(3, T("b4A"), { ours: rejects("invalid_base64", R.b64len, true) });

  // v3 binary frames: raw type byte, then data.
  add(3, B("04 01 02 03"), { note: "[J08]" });
  add(3, B("04"), { note: "message with empty binary data" });
  add(3, B("00 7b 7d"), { note: "open with binary data" });
  add(3, B("02 70 72 6f 62 65"), { note: "ping with binary \"probe\"" });
  add(3, B("06 ff"));
  add(3, B("09 01"), { ours: rejects("unknown_packet_type", R.v3binType), note: "[J09]" });
  add(3, B("07"), { ours: rejects("unknown_packet_type", R.v3binType) });
  add(3, B("34 68 69"), { ours: rejects("unknown_packet_type", R.v3binType), note: "ASCII '4' is not the type byte 4" });
  add(3, B("ff 00"), { ours: rejects("unknown_packet_type", R.v3binType) });
  add(3, B(""), { ours: rejects("empty_packet", R.v3emptyBin) });
  add(3, B("04" + hex(prng(6).bytes(1000))), { note: "1,000 bytes of data" });
}

function encodePacketCases(L) {
  const add = (version, packet, sb, extra, jsData) =>
    L.add(`v${version}.encode_packet`, "eio.encode_packet", { version, packet, supports_binary: sb },
      refEncodePacket(version, packet, sb, jsData), extra);
  // A view into the middle of a larger buffer: [H05] the reference encodes exactly the view.
  const view = () => new Uint8Array(new Uint8Array([0xff, 1, 2, 3, 4, 0xff]).buffer, 1, 4);

  for (const version of [4, 3]) {
    for (const t of TYPE_NAMES) {
      add(version, pk(t), true);
      add(version, pk(t, "hello"), false);
    }
    add(version, pk("ping", "probe"), true);
    add(version, pk("pong", "probe"), true);
    add(version, msg(""), true, { note: "empty text data: same as no data" });
    add(version, msg("€😀\u2028"), true);
    add(version, msg("a\u001eb"), true, { note: "a WebSocket frame may hold the record separator" });
    add(version, msg("x".repeat(1000)), true);
    // Binary data.
    add(version, msg(bin("01020304")), true, { note: version === 4 ? "[H02] raw bytes, no type byte" : "[L10] raw type byte 0x04 + bytes" });
    add(version, msg(bin("01020304")), false, { note: version === 4 ? "[H03]" : "[J06] counterpart" });
    add(version, msg(bin("")), true);
    add(version, msg(bin("")), false, { note: version === 4 ? "[H04] empty buffer -> \"b\"" : "" });
    add(version, msg(bin("ff")), false);
    add(version, msg(bin("fffe")), false);
    add(version, msg(bin(hex(prng(7).bytes(50)))), false);
    add(version, msg(bin(hex(prng(8).bytes(50)))), true);
    add(version, msg(bin("01020304")), true, { note: "[H05] a Uint8Array view at offset 1 of a larger buffer" }, view());
    add(version, msg(bin("01020304")), false, { note: "[H05] a Uint8Array view at offset 1 of a larger buffer" }, view());
    // Types the wire format cannot carry.
    add(version, pk(7, "x"), false, { ours: rejects("invalid_argument", R.badType), note: "[H10]" });
  }
  // v4: a binary packet is always a message.
  add(4, pk("ping", bin("0102")), true, { ours: rejects("invalid_argument", R.v4binType), note: "[H09]" });
  add(4, pk("ping", bin("0102")), false, { ours: rejects("invalid_argument", R.v4binType), note: "[H09]" });
  add(4, pk("open", bin("")), false, { ours: rejects("invalid_argument", R.v4binType) });
  add(4, pk(7, bin("01")), true, { ours: rejects("invalid_argument", R.v4binType) });
  // v3: any type carries binary.
  add(3, pk("ping", bin("0102")), true);
  add(3, pk("ping", bin("0102")), false);
  add(3, pk("open", bin("")), true);
  add(3, pk("noop", bin("ff")), false);
  add(3, pk(7, bin("01")), true, { ours: rejects("invalid_argument", R.badType + " (the type byte becomes 0)") });
  add(3, pk(7, bin("01")), false, { ours: rejects("invalid_argument", R.badType) });
}

function decodePayloadCases(L) {
  const add = (version, body, extra) =>
    L.add(`v${version}.decode_payload`, "eio.decode_payload", { version, body }, refDecodePayload(version, body), extra);

  // --- v4: packets joined by 0x1E -----------------------------------------------------------
  add(4, T("4hello\u001e2\u001e4world"), { note: "[G01]" });
  add(4, T("4test\u001ebAQIDBA=="), { note: "[G02] / [H11]" });
  add(4, T("4hello"));
  add(4, T("4"));
  add(4, T("6"));
  add(4, T("0\u001e1\u001e2\u001e3\u001e4\u001e5\u001e6"), { note: "every type, no data" });
  add(4, T("0a\u001e1b\u001e2c\u001e3d\u001e4e\u001e5f\u001e6g"), { note: "every type with data" });
  add(4, T("2probe\u001e3probe\u001e5"));
  add(4, T("1\u001e4after close"), { note: "the decoder does not stop at close" });
  add(4, T("4€\u001e4😀\u001e4\u2028"), { note: "unicode items" });
  add(4, T("4" + "x".repeat(1000) + "\u001e4y"), { note: "a 1,001-byte item" });
  add(4, T("4a\u001e4\u001e4b"), { note: "an item with no data in the middle" });
  add(4, T("b\u001eb"), { note: "two empty binary items" });
  add(4, T("bAQID\u001e4x\u001ebBAU="));
  add(4, T("6:4hello"), { note: "[G11] a v3 body read as v4: noop with data \":4hello\"" });
  add(4, T("4a\u001e4b\u001e4c\u001e4d\u001e4e\u001e4f\u001e4g\u001e4h\u001e4i\u001e4j\u001e4k\u001e4l"), { note: "12 items" });
  // Errors: stop after the first bad item.
  add(4, T(""), { ours: pin("empty_packet"), note: "[G04] empty body" });
  add(4, T("\u001e"), { ours: pin("empty_packet"), note: "[G05] separator only" });
  add(4, T("4a\u001e"), { ours: pin("empty_packet"), note: "[G06] trailing separator" });
  add(4, T("\u001e4a"), { ours: pin("empty_packet"), note: "[G07] leading separator" });
  add(4, T("4a\u001e\u001e4b"), { ours: pin("empty_packet"), note: "[G08] empty item in the middle" });
  add(4, T("4a\u001e7\u001e4b"), { ours: pin("unknown_packet_type"), note: "[G09] unknown type in the middle" });
  add(4, T("abc"), { ours: pin("unknown_packet_type"), note: "[G10] test-suite body" });
  add(4, T("4a\u001e4b\u001ex"), { ours: pin("unknown_packet_type") });
  add(4, T("4\u001e"), { ours: pin("empty_packet") });
  add(4, T("\u001e\u001e"), { ours: pin("empty_packet") });
  // Base64 strictness inside a body.
  add(4, T("4a\u001ebAQIDBA"), { ours: { packets: [msg("a")], error: "invalid_base64", reason: R.b64pad, lax: true } });
  add(4, T("bAQ ID\u001e4a"), { ours: { packets: [], error: "invalid_base64", reason: R.b64junk, lax: true } });
  add(4, T("b-_8\u001e4a"), { ours: { packets: [], error: "invalid_base64", reason: R.b64url, lax: true } });

  // --- v3 text bodies: <len in UTF-16 units>:<packet> ---------------------------------------
  add(3, T("6:4hello"));
  add(3, T("6:4hello6:4world"));
  add(3, T("6:4hello4:4€€€"), { note: "[L01] 20 bytes, 14 UTF-16 units" });
  add(3, T("2:4€"), { note: "[K03] € counts 1" });
  add(3, T("3:4😀"), { note: "[K05] an astral character counts 2" });
  add(3, T("3:4\u2028\u2029"));
  add(3, T("1:4"));
  add(3, T("1:0"));
  add(3, T("1:21:31:6"));
  add(3, T("6:2probe"));
  add(3, T(`96:0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000}2:40`), { note: "[K08] handshake then a Socket.IO connect" });
  add(3, T("11:4helloworld"), { note: "two length digits" });
  add(3, T("1001:4" + "x".repeat(1000)), { note: "a 1,001-unit item" });
  add(3, T("6:4hello10:b4AQIDBA=="), { note: "[L03]" });
  add(3, T("2:b4"), { note: "empty binary message" });
  add(3, T("6:b0AQID"), { note: "binary open" });
  add(3, T("0:"), { note: "[K16] [L06] the empty list: no packet, no error" });
  add(3, T("0:0:"));
  add(3, T("6:4hello0:6:4world"), { note: "an empty item is skipped" });
  add(3, T("7:4a:b:c:"), { note: "colons inside an item" });
  add(3, T("3:4\u001e\u001e"));
  // Errors.
  add(3, T(""), { note: "[K10] empty body" });
  add(3, T("1!"), { note: "[K09]" });
  add(3, T("))"), { note: "[K11]" });
  add(3, T("1:"), { note: "[K12]" });
  add(3, T("3:99:"), { ours: pin("unknown_packet_type"), note: "[K13]" });
  add(3, T("1:aa"), { ours: pin("unknown_packet_type"), note: "[K14]" });
  add(3, T("1:a2:b"), { ours: pin("unknown_packet_type"), note: "[K15]" });
  add(3, T("4:4€"), { note: "[K04] € is 1 unit, so the body is short" });
  add(3, T("6:4hello1"), { note: "[K21] leftover length digits" });
  add(3, T("6:4hello6:4wor"), { note: "[K24] last item short" });
  add(3, T("10:4hello"), { note: "[K22] body too short" });
  add(3, T(":"));
  add(3, T("6:4hello:"));
  add(3, T("a:4"));
  add(3, T("-1:4"));
  add(3, T("Infinity:4hello"));
  add(3, T("4hello"), { note: "a v4 body read as v3" });
  add(3, T("6:4hello6:7hello"), { ours: { packets: [msg("hello")], error: "unknown_packet_type" } });
  add(3, T("1:b"), { ours: { packets: [], error: "unknown_packet_type", reason: R.v3type } });
  add(3, T("3:b9A"), { ours: { packets: [], error: "unknown_packet_type", reason: R.v3type } });
  // The loose length check of the reference.
  for (const [body, note] of [
    ["06:4hello", "[K17] leading zero"],
    [" 6:4hello", "[K18] leading space"],
    ["6 :4hello", "trailing space"],
    ["6\n:4hello", "trailing newline"],
    ["6.0:4hello", "[K19] decimal point"],
    ["0x6:4hello", "[K20] hexadecimal"],
    ["+6:4hello", "plus sign"],
    ["0b110:4hello", "binary literal"],
    ["1e1:4helloabcd", "exponent"],
    ["00:", "zero with a leading zero"],
    ["-0:", "negative zero"],
    [" :6:4hello", "a lone space reads as length 0"],
  ]) {
    add(3, T(body), { ours: { packets: [], error: "invalid_length", reason: R.v3len }, note });
  }
  add(3, T("6:4hello06:4world"), { ours: { packets: [msg("hello")], error: "invalid_length", reason: R.v3len } });
  add(3, T("2:4😀"), { ours: { packets: [], error: "invalid_length", reason: R.surrogate }, note: "[K06]" });
  add(3, T("4:4😀😀"), { ours: { packets: [], error: "invalid_length", reason: R.surrogate } });
  // Base64 strictness inside a body.
  add(3, T("8:b4AQIDBA"), { ours: { packets: [], error: "invalid_base64", reason: R.b64pad, lax: true } });
  add(3, T("6:4hello3:b4A"), { ours: { packets: [msg("hello")], error: "invalid_base64", reason: R.b64len, lax: true } });
  // Text bodies that are not UTF-8 (allow_invalid_utf8 must give "ref", text through utf8::lossy).
  // Strict mode sees what the bytes are: a cut sequence where the body ends is truncated, a 4-byte
  // lead counts two units at once.
  const bad = (packets, error = "invalid_utf8") => ({ ours: { packets, error, reason: R.v3utf8 } });
  add(3, U("32 3a 34 c3"), { ...bad([], "truncated"), note: "a cut sequence at the end of the body: one U+FFFD" });
  add(3, U("36 3a 34 68 65 6c 6c 6f 32 3a 34 c3 31 3a 34"), { ...bad([msg("hello")]), note: "a cut sequence before the next item" });
  add(3, U("32 3a 34 f0"), { ...bad([], "invalid_length"), note: "a cut 4-byte lead counts one unit" });
  add(3, U("33 3a 34 f0 9f 98"), { ...bad([], "truncated"), note: "three bytes of a 4-byte sequence are still one unit: the body is short" });
  add(3, U("33 3a 34 c0 af"), { ...bad([]), note: "an overlong form: two units" });
  add(3, U("34 3a 34 ed a0 80"), { ...bad([]), note: "an encoded surrogate: three units" });
  add(3, U("32 3a 34 ed a0 80"), { ...bad([]), note: "the item ends inside the replaced bytes" });
  add(3, U("31 3a 34 ff"), { ...bad([{ type: "message" }], "invalid_length"), note: "a stray byte after a complete item" });
  add(3, U("33 3a 34 80 61 32 3a 34 fe"), { ...bad([]), note: "two items" });

  // --- v3 binary bodies: [0|1][digits as bytes][ff][packet] ---------------------------------
  add(3, B("00 06 ff 34 68 65 6c 6c 6f 01 05 ff 04 01 02 03 04"), { note: "[K26] test-suite vector" });
  add(3, B("00 04 ff 34 e2 82 ac 01 05 ff 04 01 02 03 04"), { note: "[K27] [L05] spec vector: length in bytes" });
  add(3, B("00 01 01 ff 34 68 65 6c 6c 6f 77 6f 72 6c 64"), { note: "[K30] [L08] 11 bytes: two digit bytes" });
  add(3, B("00 01 ff 34"));
  add(3, B("00 05 ff 34 f0 9f 98 80"), { note: "astral character: 4 bytes" });
  add(3, B("01 01 ff 04"), { note: "binary message with no data bytes" });
  add(3, B("01 03 ff 00 7b 7d"), { note: "binary open" });
  add(3, B("01 02 ff 02 70 00 06 ff 33 70 72 6f 62 65"));
  add(3, B("00 06 ff 62 34 41 51 49 44"), { note: "a string item holding a base64 packet" });
  add(3, B("00 06 ff 32 70 72 6f 62 65 00 01 ff 35"));
  add(3, B("01 01 00 00 01 ff 04" + hex(prng(9).bytes(1000))), { note: "1,001-byte binary item: four digit bytes" });
  add(3, B(""), { note: "empty body: no item" });
  // Errors both sides.
  add(3, B("00 00 ff"), { ours: pin("empty_packet"), note: "a string item of length 0" });
  add(3, B("00 03 ff 34 c3 28"), { ours: pin("invalid_utf8"), note: "[J15] malformed UTF-8 in a string item" });
  add(3, B("00 03 ff 34 c0 80"), { ours: pin("invalid_utf8"), note: "[J16] overlong NUL" });
  add(3, B("00 04 ff 34 e0 80 80"), { ours: pin("invalid_utf8"), note: "overlong 3-byte form" });
  add(3, B("00 05 ff 34 f4 90 80 80"), { ours: pin("invalid_utf8"), note: "beyond U+10FFFF" });
  add(3, B("00 02 ff 34 80"), { ours: pin("invalid_utf8"), note: "lone continuation byte" });
  add(3, B("00 03 ff 34 e2 82"), { ours: pin("invalid_utf8"), note: "cut 3-byte sequence" });
  add(3, B("00 03 ff 39 68 69"), { ours: pin("unknown_packet_type") });
  add(3, B("00 06 ff 34 68 65 6c 6c 6f 00 02 ff 37 61"), { ours: pin("unknown_packet_type") });
  add(3, B("00 03"), { note: "no 0xFF after the digits" });
  add(3, B("00"), { note: "kind byte only" });
  add(3, B("00 ff 34"), { note: "no length digits" });
  add(3, B("00 " + "01 ".repeat(312) + "ff 34"), { note: "more than 311 length digits: the reference's cap" });
  add(3, B("00 " + "01 ".repeat(311) + "ff 34"), { ours: { packets: [], error: "payload_too_large", reason: R.hugeLen } });
  // Deviations.
  add(3, B("00 00 06 ff 34 68 65 6c 6c 6f"), { ours: { packets: [], error: "invalid_length", reason: R.lenZero } });
  add(3, B("00 0c ff 34 68 65 6c 6c 6f 20 77 6f 72 6c 64"), { ours: { packets: [], error: "invalid_length", reason: R.digit }, note: "[K28]" });
  add(3, B("00 0a ff 34 68 65 6c 6c 6f 20 77 6f 72"), { ours: { packets: [], error: "invalid_length", reason: R.digit } });
  add(3, B("00 09 ff 34 61"), { ours: { packets: [], error: "truncated", reason: R.truncBin }, note: "[K29]" });
  add(3, B("00 06 ff 34 68 65 6c 6c 6f 01 05 ff 04 01"), { ours: { packets: [msg("hello")], error: "truncated", reason: R.truncBin } });
  add(3, B("01 05 ff 04"), { ours: { packets: [], error: "truncated", reason: R.truncBin } });
  add(3, B("02 03 ff 04 01 02"), { ours: { packets: [], error: "invalid_item_kind", reason: R.kind } });
  add(3, B("00 06 ff 34 68 65 6c 6c 6f ff 02 ff 04 01"), { ours: { packets: [msg("hello")], error: "invalid_item_kind", reason: R.kind } });
  add(3, B("01 00 ff"), { ours: { packets: [], error: "empty_packet", reason: R.emptyBinItem } });
  add(3, B("01 02 ff 09 01"), { ours: { packets: [], error: "unknown_packet_type", reason: R.v3binType } });
  add(3, B("00 04 ff 34 ed a0 80"), { ours: { packets: [], error: "invalid_utf8", reason: R.surrogateUtf8 } });
  add(3, B("00 06 ff 34 68 65 6c 6c 6f 00 03"), { ours: { packets: [msg("hello")], error: "truncated", reason: R.late } });
  add(3, B("00 06 ff 34 68 65 6c 6c 6f 00 ff 34"), { ours: { packets: [msg("hello")], error: "invalid_length", reason: R.late } });
}

function encodePayloadCases(L) {
  const add = (version, packets, sb, extra) => {
    const inputs = version === 3 ? { version, packets, supports_binary: sb } : { version, packets };
    L.add(`v${version}.encode_payload`, "eio.encode_payload", inputs, refEncodePayload(version, packets, sb), extra);
  };

  // --- v4 ------------------------------------------------------------------------------------
  add(4, [], undefined, { ours: { text: "", reason: "the reference never calls back for an empty list; siocodec writes an empty body" }, note: "[H13]" });
  add(4, [msg("hello")]);
  add(4, [msg("hello"), pk("ping"), msg("world")], undefined, { note: "[G01]" });
  add(4, [msg("test"), msg(bin("01020304"))], undefined, { note: "[G02] [H11] binary always as base64" });
  add(4, TYPE_NAMES.map((t) => pk(t)));
  add(4, TYPE_NAMES.map((t) => pk(t, t)));
  add(4, [msg(bin(""))], undefined, { note: "empty binary -> \"b\"" });
  add(4, [msg(bin("ff")), msg(bin("fffe")), msg(bin("fffefd"))]);
  add(4, [msg("€"), msg("😀"), msg("\u2028")]);
  add(4, [msg(""), msg("")]);
  add(4, [msg("x".repeat(1000)), msg(bin(hex(prng(10).bytes(100))))]);
  add(4, [pk("open", '{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}'), msg("0")]);
  add(4, [msg("a\u001eb")], undefined, { ours: rejects("invalid_argument", R.rsInText), note: "[H14]" });
  add(4, [msg("ok"), pk("ping", bin("01"))], undefined, { ours: rejects("invalid_argument", R.v4binType), note: "[H09]" });
  add(4, [pk(7)], undefined, { ours: rejects("invalid_argument", R.badType) });

  // --- v3 ------------------------------------------------------------------------------------
  for (const sb of [false, true]) {
    add(3, [], sb, { note: sb ? "[L09] the empty list is text even with binary support" : "[L06]" });
    add(3, [msg("hello"), msg("€€€")], sb, { note: sb ? "[L04] no binary packet: text body" : "[L01]" });
    add(3, [msg("hello"), msg(bin("01020304"))], sb, { note: sb ? "[L02] binary body" : "[L03]" });
    add(3, [msg("€"), msg(bin("01020304"))], sb, { note: sb ? "[L05] [K27]" : "" });
    add(3, [msg("helloworld"), msg(bin("01"))], sb, { note: sb ? "[L08] 11-byte item" : "" });
    add(3, [msg("😀"), msg(bin(""))], sb, { note: "astral: 2 units, 4 bytes" });
    add(3, TYPE_NAMES.map((t) => pk(t)), sb);
    add(3, [pk("open", '{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000}'), msg("0")], sb, { note: "[K08]" });
    add(3, [pk("ping", bin("0102")), pk("noop")], sb, { note: "binary ping" });
    add(3, [msg("x".repeat(1000)), msg(bin(hex(prng(11).bytes(1000))))], sb, { note: "four length digits" });
    add(3, [msg("a\u001eb\u2028")], sb);
    add(3, [msg(""), msg("")], sb);
    add(3, [pk(7, "x")], sb, { ours: rejects("invalid_argument", R.badType) });
  }
  add(3, [pk(7, bin("01"))], true, { ours: rejects("invalid_argument", R.badType + " (the type byte becomes 0)") });
}

async function generate() {
  const v4 = new VectorList();
  const v3 = new VectorList();
  // One list per version keeps the ids of one version stable when the other grows.
  const both = {
    add(prefix, ...rest) {
      return (prefix.startsWith("v4.") ? v4 : v3).add(prefix, ...rest);
    },
  };
  decodePacketCases(both);
  encodePacketCases(both);
  decodePayloadCases(both);
  encodePayloadCases(both);
  return { "engineio_v4.jsonl": v4.vectors, "engineio_v3.jsonl": v3.vectors };
}

module.exports = { generate };
