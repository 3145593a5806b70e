// SPDX-License-Identifier: BSL-1.0
// WebTransport framing vectors (engine.io-parser 5.2.3 createPacketEncoderStream /
// createPacketDecoderStream). Ops: wt.encode, wt.decode.
"use strict";

const eio5 = require("engine.io-parser-v5");
const {
  hex,
  unhex,
  TYPE_NAMES,
  toJsPacket,
  fromJsPacket,
  prng,
  randomChunks,
  VectorList,
} = require("../lib/common");

// --- reference runners ------------------------------------------------------------------------

/** Writes `inputs` into a TransformStream and collects everything it enqueues. */
async function runTransform(ts, inputs) {
  const out = [];
  const writer = ts.writable.getWriter();
  const reader = ts.readable.getReader();
  const reading = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      out.push(value);
    }
  })();
  for (const x of inputs) await writer.write(x);
  await writer.close();
  await reading;
  return out;
}

async function refEncode(packet, jsData) {
  const p = toJsPacket(packet);
  if (jsData !== undefined) {
    // The same bytes, held in another JS type.
    if (hex(jsData) !== packet.binary) throw new Error(`jsData ${hex(jsData)} is not ${packet.binary}`);
    p.data = jsData;
  }
  const chunks = await runTransform(eio5.createPacketEncoderStream(), [p]);
  return { binary: chunks.map(hex).join("") };
}

async function refDecode(streamHex, chunks, maxPayload) {
  const bytes = unhex(streamHex);
  const inputs = [];
  let at = 0;
  for (const n of chunks) {
    // A fresh copy per chunk, as a network stack would hand over.
    inputs.push(new Uint8Array(bytes.subarray(at, at + n)));
    at += n;
  }
  if (at !== bytes.length) throw new Error("chunk sizes do not sum to the stream length");
  const out = await runTransform(eio5.createPacketDecoderStream(maxPayload, "nodebuffer"), inputs);
  const packets = [];
  let error = false;
  for (const p of out) {
    if (p.type === "error") {
      error = true;
      break;
    }
    packets.push(fromJsPacket(p));
  }
  return { packets, error };
}

// --- helpers ----------------------------------------------------------------------------------

const pk = (type, data) => {
  const p = { type };
  if (data === undefined) return p;
  if (typeof data === "string") p.text = data;
  else p.binary = data.hex;
  return p;
};
const bin = (h) => ({ hex: h.replace(/\s+/g, "") });
const msg = (data) => pk("message", data);

/** The record the (reference) encoder writes for one packet, as hex. */
async function record(packet) {
  return (await refEncode(packet)).binary;
}

const MAX = 1000000;  // the reference server's default maxHttpBufferSize

const R = {
  bom: "a leading UTF-8 BOM: the reference's TextDecoder strips it; siocodec keeps it, so the type is U+FEFF",
  utf8: "invalid UTF-8 in a text record: the reference's TextDecoder turns it into U+FFFD; siocodec rejects it, and allow_invalid_utf8 reads it as the reference does",
  marker: "the reference compares the 7-bit length marker (126/127) with max_payload before reading the real length; siocodec checks the real length only",
  binType: "a v4 binary packet is always a message: the reference silently drops the type",
  badType: "a packet type outside 0-6: the reference writes the name lookup's 'undefined'",
  b64pad: "strict base64 needs '=' padding to a multiple of 4; Node's Buffer.from accepts it unpadded",
  b64junk: "strict base64 rejects characters outside the alphabet; Node skips them",
  emptyBinary: "an empty binary message: the reference writes a zero-length binary record (80) that its own decoder rejects; siocodec writes the text record \"b\" (empty base64), which the reference decodes to an empty binary message",
  emptyChunk: "the reference's concatChunks reads past an empty chunk (undefined -> header byte 0 -> length-0 error); siocodec ignores empty chunks",
};

async function encodeCases(L) {
  const add = async (packet, extra = {}, jsData) =>
    L.add("wt.encode", "wt.encode", { packet }, await refEncode(packet, jsData), extra);

  for (const t of TYPE_NAMES) await add(pk(t));
  for (const t of TYPE_NAMES) await add(pk(t, "hello"));
  await add(msg("1€"), { note: "[W01] length in bytes: 5" });
  await add(msg("hello"), { note: "[W02]" });
  await add(msg(bin("010203")), { note: "[W03] bit 7 marks binary" });
  await add(msg(bin("0100020001 01")), { note: "[W04] the bytes of Uint16Array [1, 2, 257]" }, new Uint16Array([1, 2, 257]));
  await add(pk("ping"), { note: "[W11]" });
  await add(pk("open", '{"sid":"abc"}'), { note: "[W12] WebTransport upgrade handshake" });
  await add(msg(bin("")), { ours: { binary: "0162", reason: R.emptyBinary }, note: "[W13] the reference encodes 80, which its decoder rejects" });
  await add(msg(""), { note: "empty text data" });
  await add(msg("😀\u2028é"));
  await add(msg("a\u001eb"));
  // Length forms [W05-W09].
  await add(msg("x".repeat(123)), { note: "[W05] 124 bytes: 1-byte header" });
  await add(msg("x".repeat(124)), { note: "125 bytes: the largest 1-byte header" });
  await add(msg("x".repeat(125)), { note: "[W06] 126 bytes: 3-byte header" });
  await add(msg(bin(hex(prng(20).bytes(125)))), { note: "125 binary bytes" });
  await add(msg(bin(hex(prng(21).bytes(126)))), { note: "126 binary bytes: 3-byte header" });
  await add(msg(bin(hex(prng(22).bytes(1000)))), { note: "1,000 binary bytes" });
  await add(msg(bin(hex(prng(23).bytes(12345)))), { note: "[W07] 12,345 bytes -> fe 30 39" });
  await add(msg(bin(hex(prng(24).bytes(65536)))), { note: "[W09] 65,536 bytes: 9-byte header" });
  // Packets the format cannot carry.
  await add(pk("ping", bin("0102")), { ours: { error: "invalid_argument", reason: R.binType } });
  await add(pk("open", bin("")), { ours: { error: "invalid_argument", reason: R.binType } });
  await add(pk(7, "x"), { ours: { error: "invalid_argument", reason: R.badType } });
}

async function decodeCases(L) {
  const rng = prng(1234);
  const add = async (stream, chunks, maxPayload, extra = {}) => {
    stream = stream.replace(/\s+/g, "");
    const len = stream.length / 2;
    if (chunks === "whole") chunks = len ? [len] : [];
    else if (chunks === "bytes") chunks = Array(len).fill(1);
    else if (chunks === "random") chunks = randomChunks(rng, len, Math.max(2, Math.min(12, len >> 1)));
    L.add("wt.decode", "wt.decode", { stream, chunks, max_payload: maxPayload },
      await refDecode(stream, chunks, maxPayload), extra);
  };
  const rec = record;

  // Single packets, whole.
  for (const t of TYPE_NAMES) await add(await rec(pk(t)), "whole", MAX);
  await add(await rec(msg("hello")), "whole", MAX, { note: "[W02]" });
  await add(await rec(msg("1€")), "whole", MAX, { note: "[W01]" });
  await add(await rec(msg("😀\u2028é")), "whole", MAX);
  await add(await rec(msg(bin("010203"))), "whole", MAX, { note: "[W03]" });
  await add(await rec(msg(bin("ff"))), "whole", MAX);
  await add(await rec(pk("open", '{"sid":"abc"}')), "whole", MAX, { note: "[W12]" });
  await add(await rec(msg("a\u001eb")), "whole", MAX, { note: "no payload splitting inside a record" });
  await add("02 62 00", "whole", MAX, { ours: { packets: [], error: "invalid_base64", reason: R.b64junk, lax: true } });
  await add("05 62 41 51 49 44", "whole", MAX, { note: "[W32] a text record starting with b is base64" });
  await add("01 62", "whole", MAX, { note: "\"b\": empty binary message" });
  await add("81 62", "whole", MAX, { note: "binary record: 'b' is data" });
  await add("81 34", "whole", MAX, { note: "binary record: '4' is data" });
  await add("05 34 ef bb bf 61", "whole", MAX, { note: "a BOM after the type digit is data" });
  // Several packets, chunked in many ways [W21, W35].
  const several = (await rec(pk("open"))) + (await rec(pk("ping", "probe"))) + (await rec(msg("hello"))) +
    (await rec(msg(bin("0102030405")))) + (await rec(msg("€😀"))) + (await rec(pk("upgrade")));
  await add(several, "whole", MAX, { note: "six packets in one chunk" });
  await add(several, "bytes", MAX, { note: "[W21] one byte per chunk" });
  for (let i = 0; i < 4; i++) await add(several, "random", MAX, { note: "[W35] random split points" });
  const n = several.length / 2;
  await add(several, [n, 0], MAX, { note: "an empty chunk at the end" });
  await add(several, [0, n, 0], MAX, { ours: { packets: (await refDecode(several, [n], MAX)).packets, error: false, reason: R.emptyChunk }, note: "an empty first chunk" });
  await add(several, [1, n - 2, 1], MAX);
  // Length forms: extended headers, also split.
  const r126 = await rec(msg("x".repeat(125)));
  await add(r126, "whole", MAX, { note: "126 bytes: 16-bit length" });
  await add(r126, [1, 1, 1, r126.length / 2 - 3], MAX, { note: "header split byte by byte" });
  await add(r126, "random", MAX);
  const r1000 = await rec(msg(bin(hex(prng(30).bytes(1000)))));
  await add(r1000, "whole", MAX, { note: "1,000 binary bytes" });
  await add(r1000, "random", MAX);
  const many = [];
  for (let i = 0; i < 40; i++) {
    many.push(i % 3 === 2 ? await rec(msg(bin(hex(prng(100 + i).bytes(i * 7))))) : await rec(msg(`m${i}${"y".repeat(i * 5)}`)));
  }
  await add(many.join(""), "random", MAX, { note: "40 packets of 2 to 275 bytes" });
  await add("7e 00 05 34 68 65 6c 6c", "whole", MAX, { note: "[W26] non-minimal 16-bit length" });
  await add("7f 00 00 00 00 00 00 00 05 34 68 65 6c 6c", "whole", MAX, { note: "[W26] non-minimal 64-bit length" });
  await add("ff 00 00 00 00 00 00 00 02 01 02", "bytes", MAX, { note: "non-minimal 64-bit binary" });
  await add("fe 00 01 ff", "whole", MAX);
  // Lengths and max_payload.
  await add("05 34 68 65 6c 6c", "whole", 5, { note: "length == max_payload" });
  await add("06 34 68 65 6c 6c 6f", "whole", 5, { note: "[W23] length > max_payload" });
  await add("02 34 61 06 34 68 65 6c 6c 6f", "whole", 5, { note: "an oversized second packet" });
  await add("7e 03 e8", "whole", 999, { note: "1,000 > 999, rejected at the header" });
  await add("7e 03 e8", "whole", 1000, { note: "waits for 1,000 bytes" });
  await add("7e 00 05 34 68 65 6c 6c", "whole", 126, { note: "marker 126 <= max_payload 126" });
  await add("7e 00 05 34 68 65 6c 6c", "whole", 100, { ours: { packets: [msg("hell")], error: false, reason: R.marker }, note: "[W27]" });
  await add("7f 00 00 00 00 00 00 00 05 34 68 65 6c 6c", "whole", 126, { ours: { packets: [msg("hell")], error: false, reason: R.marker }, note: "[W27] marker 127 > 126" });
  await add("02 34 61 7e 00 02 34 62", "bytes", 10, { ours: { packets: [msg("a"), msg("b")], error: false, reason: R.marker } });
  await add("7f 00 1f ff ff ff ff ff ff", "whole", 2 ** 53, { note: "2^53 - 1: the largest length, waits for the payload" });
  await add("7f 00 20 00 00 00 00 00 00", "whole", 2 ** 53, { note: "[W25] 2^53 is past the largest length" });
  await add("7f 80 00 00 00 00 00 00 00", "whole", 2 ** 53, { note: "[W25] top bit set" });
  await add("7f ff ff ff ff ff ff ff ff", "whole", MAX);
  await add("7f 00 00 00 01 00 00 00 00", "whole", MAX, { note: "2^32 > max_payload" });
  // Length 0 [W24, W30].
  await add("00", "whole", MAX, { note: "[W24] empty text record" });
  await add("80", "whole", MAX, { note: "[W30] empty binary record" });
  await add("02 34 61 00 02 34 62", "whole", MAX, { note: "empty record after a packet" });
  await add("7e 00 00", "whole", MAX, { note: "0 in a 16-bit length" });
  await add("ff 00 00 00 00 00 00 00 00", "whole", MAX, { note: "0 in a 64-bit length" });
  // Incomplete streams: no packet, no error.
  await add("", "whole", MAX, { note: "empty stream" });
  await add("05", "whole", MAX, { note: "header only" });
  await add("05 34 68", "whole", MAX, { note: "partial payload" });
  await add("7e 00", "whole", MAX, { note: "partial 16-bit length" });
  await add("7f 00 00 00 00", "bytes", MAX, { note: "partial 64-bit length" });
  await add("02 34 61 02 34", "whole", MAX, { note: "a whole packet then a partial one" });
  // Unknown types: the error packet ends what we compare [W29].
  await add("01 39", "whole", MAX, { ours: { packets: [], error: "unknown_packet_type" }, note: "[W29]" });
  await add("02 34 61 02 37 78 02 34 62", "whole", MAX, { ours: { packets: [msg("a")], error: "unknown_packet_type" }, note: "[W29] the reference stream goes on after the error packet" });
  await add("02 20 34", "whole", MAX, { ours: { packets: [], error: "unknown_packet_type" } });
  // UTF-8 in text records.
  await add("03 34 c3 28", "whole", MAX, { ours: { packets: [], error: "invalid_utf8", reason: R.utf8 }, note: "[W28]" });
  await add("04 34 ed a0 80", "whole", MAX, { ours: { packets: [], error: "invalid_utf8", reason: R.utf8 }, note: "UTF-8 of a surrogate" });
  await add("03 34 c0 80", "whole", MAX, { ours: { packets: [], error: "invalid_utf8", reason: R.utf8 }, note: "overlong NUL" });
  await add("02 34 e2", "whole", MAX, { ours: { packets: [], error: "invalid_utf8", reason: R.utf8 }, note: "cut sequence" });
  await add("02 34 61 02 34 ff 02 34 62", "whole", MAX, { ours: { packets: [msg("a")], error: "invalid_utf8", reason: R.utf8 } });
  await add("05 ef bb bf 34 61", "whole", MAX, { ours: { packets: [], error: "unknown_packet_type", reason: R.bom }, note: "[W34]" });
  await add("06 ef bb bf 32 68 69", "bytes", MAX, { ours: { packets: [], error: "unknown_packet_type", reason: R.bom }, note: "[W34]" });
  // Base64 strictness in text records.
  await add("07 62 41 51 49 44 42 41", "whole", MAX, { ours: { packets: [], error: "invalid_base64", reason: R.b64pad, lax: true } });
  await add("06 62 41 51 20 49 44", "whole", MAX, { ours: { packets: [], error: "invalid_base64", reason: R.b64junk, lax: true } });
}

async function generate() {
  const L = new VectorList();
  await encodeCases(L);
  await decodeCases(L);
  return { "webtransport.jsonl": L.vectors };
}

module.exports = { generate };
