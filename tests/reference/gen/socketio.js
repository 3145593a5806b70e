// SPDX-License-Identifier: BSL-1.0
// Socket.IO protocol v5 (socket.io-parser 4.2.7) and v4 (3.4.5) decoder and encoder vectors.
//
// Ops: sio.decode (messages fed in order to one reference Decoder), sio.encode (one packet through
// the reference Encoder). Bracketed tags in notes ([X06], [E14]...) name the cases of docs
// protocol.md §2 a vector reproduces (a range, [X09-X13], where protocol.md lists several cases
// together); CVE numbers name the inputs of protocol.md §4.
"use strict";

const sio5 = require("socket.io-parser-v4"); // socket.io-parser 4.2.7 speaks protocol v5
const sio4 = require("socket.io-parser-v3"); // socket.io-parser 3.4.5 speaks protocol v4
const { unhex, fromJsEncoded, fromJsNumber, fromJsData, toJsData, setOwn, VectorList } = require("../lib/common");

// --- reference runners ------------------------------------------------------------------------

const LIB = { 5: sio5, 4: sio4 };

/** A vector message -> what the transport hands to Decoder.add(). */
function jsMessage(m) {
  if ("text" in m) return m.text;
  if ("binary" in m) return unhex(m.binary);
  // What old engine.io-clients without binary support delivered for a `b<base64>` packet.
  if ("base64" in m) return { base64: true, data: m.base64 };
  throw new Error(`bad message ${JSON.stringify(m)}`);
}

/** A packet the reference Decoder emitted -> vector packet {type, nsp?, id?, data?}. */
function fromSioPacket(p) {
  for (const k of Object.keys(p)) {
    if (!["type", "nsp", "id", "data", "attachments"].includes(k)) throw new Error(`packet key ${k}`);
  }
  // 3.x leaves `attachments: undefined` on a reassembled packet; 4.x deletes it.
  if (p.attachments !== undefined) throw new Error("a delivered packet still expects attachments");
  const out = { type: p.type };
  if ("nsp" in p) out.nsp = p.nsp; // 3.x's own error packets have none
  if (p.id !== undefined) out.id = fromJsNumber(p.id);
  if (p.data !== undefined) out.data = fromJsData(p.data);
  return out;
}

/**
 * Feeds the messages to one Decoder; a {"reset":true} message calls destroy(). The reference
 * throws on bad input and its callers then close the connection, so feeding stops at the first
 * throw: {packets delivered before it, error: true, message}.
 */
function refDecode(version, messages, maxAttachments) {
  const d = maxAttachments === undefined ? new LIB[version].Decoder() : new LIB[version].Decoder({ maxAttachments });
  const got = [];
  d.on("decoded", (p) => got.push(p));
  let message;
  for (const m of messages) {
    if ("reset" in m) {
      d.destroy();
      continue;
    }
    try {
      d.add(jsMessage(m));
    } catch (e) {
      message = e.message;
      break;
    }
  }
  const packets = got.map(fromSioPacket);
  return message === undefined ? { packets, error: false } : { packets, error: true, message };
}

/** A vector packet description -> the JS packet an application gives the Encoder. */
function toSioPacket(desc) {
  const p = { type: desc.type };
  if ("nsp" in desc) p.nsp = desc.nsp;
  if ("id" in desc) p.id = toJsData(desc.id);
  if ("data" in desc) p.data = toJsData(desc.data);
  return p;
}

function refEncode(version, desc) {
  let out;
  try {
    if (version === 5) {
      out = new sio5.Encoder().encode(toSioPacket(desc));
    } else {
      let called = false;
      new sio4.Encoder().encode(toSioPacket(desc), (x) => {
        called = true;
        out = x;
      });
      if (!called) throw new Error("the 3.x encoder did not call back");
    }
  } catch (e) {
    return { error: true, message: e.message };
  }
  return { frames: out.map(fromJsEncoded) };
}

// --- case-table helpers -----------------------------------------------------------------------

const T = (text) => ({ text });
const B = (h) => ({ binary: h.replace(/\s+/g, "") });
const B64 = (s) => ({ base64: s });
const RESET = { reset: true };
/** The placeholder the encoders write for attachment n. */
const ph = (n) => `{"_placeholder":true,"num":${n}}`;
const bin = (h) => ({ $binary: h.replace(/\s+/g, "") });
const num = (s) => ({ $number: s });
/** n distinct small attachments, 01, 02, ... */
const bufs = (n) => Array.from({ length: n }, (_, i) => B((i + 1).toString(16).padStart(2, "0")));

/** ours: the same error as the reference, pinned to our code. */
const pin = (error) => ({ error });
/**
 * ours: we reject where the reference accepts (or errors later). `lax`: true when lax mode
 * matches the reference, or the error name lax mode gives instead.
 */
const rejects = (error, reason, lax, packets) => {
  const o = { error, reason };
  if (packets !== undefined) o.packets = packets;
  if (lax === true) o.lax = true;
  else if (typeof lax === "string") o.lax_error = lax;
  return o;
};
/** ours: we deliver other packets than the reference. */
const differs = (packets, reason, lax) => {
  const o = { packets, error: false, reason };
  if (lax === true) o.lax = true;
  return o;
};
/** ours (sio.encode): our encoder writes other frames. */
const writes = (frames, reason) => ({ frames, reason });
/** ours (sio.encode): our encoder refuses. */
const refuses = (error, reason) => ({ error, reason });
/** ours (sio.encode): siocodec's packet builders cannot express the packet (see the README). */
const unsupported = (reason) => ({ unsupported: true, reason });

// Deviation reasons, shared by several cases.
const R = {
  emptyType: "an empty text or a whitespace first character is not a packet type; the reference's Number() reads it as 0 (CONNECT)",
  countForm: "an attachment count is plain decimal without a leading zero; the reference's Number() also takes 01, 0x1, 1e0, +1, spaces",
  idZero: "an ack id has no leading zero; the reference's Number() reads 012 as 12",
  idSpace: "whitespace is not part of an ack id (and not allowed before the JSON); the reference's Number() reads it as a 0 or skips it",
  idGap: "whitespace inside an ack id; the reference reads the id as NaN (lax: invalid_ack_id, NaN has no integer value)",
  idBig: "an ack id above 2^64 - 1 does not fit; the reference reads it as an imprecise double (1e20, Infinity)",
  idExact: "ack ids above 2^53 are kept exact; the reference rounds them to a double",
  v4TypeError: "an unknown packet type is an error; 3.x emits an ERROR packet `parser error: unknown packet type N` (without nsp) instead of throwing",
  unusedAtt: "every attachment must be referenced by a placeholder (an encoder never sends one that is not); the reference silently drops it",
  noJsonAtt: "a binary packet without a payload has nowhere to place its attachments (never written by an encoder); the reference waits for them and drops them",
  phExtra: "a placeholder is exactly {\"_placeholder\":true,\"num\":N}; the reference accepts extra members",
  phNotTrue: "an object with a `_placeholder` member in a binary packet must be a placeholder; the reference treats one whose value is not true as plain data",
  phFloat: "a placeholder num is an integer written without a fraction or exponent; JSON.parse reads 1.0 and 1e0 as 1",
  phHalf: "a placeholder num must be an integer index; the reference's range check lets 0.5 through and puts undefined in the payload",
  phNested: "a placeholder cannot hold arrays or objects (not even in lax mode); the reference accepts any extra members",
  phTrueNested: "`\"_placeholder\": true` next to an array or object member is refused even when a later duplicate `_placeholder` makes the object data for JSON.parse (the scan does not look ahead within such objects)",
  depth: "JSON deeper than max_depth (128) is refused; the reference nests until V8's stack ends",
  nspLong: "a namespace longer than max_namespace (65,536 bytes) is refused; the reference has no limit of its own",
  v4Reset: "reset() always returns to idle; 3.x's destroy() leaves the reconstructor armed, so the next text still throws",
  base64Att: "the reference hands an old client's {base64:true,data} attachment object itself to the application; siocodec decodes its base64 (copy mode)",
  v4MaxZero: "max_attachments 0 allows no attachments; 3.x reads maxAttachments 0 as its default 10 (`opts.maxAttachments || 10`)",
};

// --- decoder cases ----------------------------------------------------------------------------

function decodeCases(L) {
  /**
   * One vector per version in `versions`. extra: {ours, ours5, ours4, note, note5, note4, max}.
   * `max` sets the Decoder's maxAttachments (and our max_attachments).
   */
  const add = (versions, messages, extra = {}) => {
    for (const version of versions) {
      const ours = extra[`ours${version}`] !== undefined ? extra[`ours${version}`] : extra.ours;
      const note = extra[`note${version}`] !== undefined ? extra[`note${version}`] : extra.note;
      const inputs = { version, messages };
      if (extra.max !== undefined) inputs.max_attachments = extra.max;
      L.add(`sio${version}.decode`, "sio.decode", inputs, refDecode(version, messages, extra.max), {
        ours: typeof ours === "function" ? ours(version) : ours,
        note,
      });
    }
  };
  const both = [5, 4];

  // --- every packet type, in the forms the encoders write (protocol.md §2.2) ------------------
  add(both, [T("0")], { note: "CONNECT to the main namespace" });
  add(both, [T("0/admin,")], { note: "CONNECT to /admin (v4 server answer)" });
  add(both, [T('0{"token":"abc"}')], { note: "[S04] CONNECT with auth" });
  add(both, [T('0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"}')], { note: "v5 server answer" });
  add(both, [T('0/admin,{"sid":"oSO0OpakMV_3jnilAAAA","pid":"m8xk0a"}')], { note: "connection-state recovery answer" });
  add(both, [T("1")]);
  add(both, [T("1/admin,")], { note: "DISCONNECT of a custom namespace keeps its comma" });
  add(both, [T('2["foo"]')]);
  add(both, [T('2/admin,["bar"]')]);
  add(both, [T('212["foo"]')], { note: "EVENT asking for ack 12" });
  add(both, [T('2["chat message","hello",1,true,null,{"a":[1,2]}]')]);
  add(both, [T('3/admin,13["bar"]')]);
  add(both, [T("3[]")], { note: "[S20, S21, V18, V19] ACK without id" });
  add(both, [T("31[]")], { note: "ACK with no arguments" });
  add(both, [T('4{"message":"Not authorized"}')]);
  add(both, [T('4{"message":"Not authorized","data":{"code":401}}')]);
  add(both, [T('4"Invalid namespace"')], { note: "[S22-S25] a string (the v4 server's form)" });
  add(both, [T('4/random,{"message":"Invalid namespace"}')], { note: "v5 server refusing a namespace" });
  add(both, [T('51-["baz",' + ph(0) + "]"), B("01020304")], { note: "[E01-E10] the spec example, decode side" });
  add(both, [T('52-/admin,["baz",' + ph(0) + "," + ph(1) + "]"), B("0102"), B("0304")]);
  add(both, [T('61-15["bar",' + ph(0) + "]"), B("ff")]);
  add(both, [T('62-/admin,7[' + ph(0) + "," + ph(1) + "]"), B(""), B("00")], { note: "BINARY_ACK; an empty attachment" });
  add(both, [T('51-["a",' + ph(0) + "]"), B("01"), T('2["b"]'), T('51-["c",' + ph(0) + "]"), B("02")], { note: "packets in sequence" });
  add(both, [T('2["a"]'), T("3[]"), T("1")]);

  // --- unknown packet types: "unknown packet type N" (3.x: an ERROR packet) -------------------
  for (const [text, note] of [
    ["7", "[T04-T06, T11]"],
    ["8[]", ""],
    ["9", "[T04-T06, T11]"],
    ["a", "[T04-T06, T11] NaN"],
    ["-1", ""],
    ['x2["a"]', ""],
    ["\u0664", "ARABIC-INDIC DIGIT FOUR"],
    ["😀", ""],
    ["\u0085", "NEL is not JS whitespace"],
  ]) {
    add(both, [T(text)], { ours5: pin("unknown_packet_type"), ours4: rejects("unknown_packet_type", R.v4TypeError), note });
  }
  add(both, [T('2["a"]'), T("7"), T('2["b"]')], {
    ours5: pin("unknown_packet_type"),
    ours4: rejects("unknown_packet_type", R.v4TypeError, undefined, [{ type: 2, nsp: "/", data: ["a"] }]),
    note: "3.x goes on decoding after its error packet",
  });
  // Number() of an empty or whitespace character is 0: CONNECT.
  for (const [text, note] of [
    ["", "[T01] empty text"],
    [" ", "[T02]"],
    [" {}", "[T03]"],
    ["\t", ""],
    ["\u00a0", "NBSP"],
    ["\ufeff", "BOM"],
    ['\n{"a":1}', ""],
    [" /admin,", "a namespace after the whitespace type"],
    ["\ufeff0", "a BOM before the packet: CONNECT with ack id 0"],
  ]) {
    add(both, [T(text)], { ours: rejects("unknown_packet_type", R.emptyType, true), note });
  }
  add(both, [T('\ufeff2["a"]')], {
    ours5: { error: "unknown_packet_type", lax_error: "invalid_payload" },
    ours4: rejects("unknown_packet_type", R.emptyType, true),
    note: "a BOM before an EVENT: a CONNECT with id 2 and an array payload for the reference",
  });

  // --- attachment counts: "Illegal attachments", "too many attachments" ------------------------
  const evt1 = '["a",' + ph(0) + "]";
  add(both, [T("5")], { ours: pin("invalid_attachment_count"), note: "[X01]" });
  add(both, [T("51")], { ours: pin("invalid_attachment_count"), note: "[X02] no '-'" });
  add(both, [T("5a-" + evt1)], { ours: pin("invalid_attachment_count"), note: "[X03]" });
  add(both, [T("6")], { ours: pin("invalid_attachment_count"), note: "[X19]" });
  add(both, [T("61" + evt1)], { ours: pin("invalid_attachment_count"), note: "digits but no '-'" });
  add(both, [T('50-["a"]'), B("01"), B("02"), B("03")], { ours: pin("invalid_attachment_count"), note: "[X05] [X06] CVE-2026-69185: a zero-attachment header armed 4.2.6's reconstructor forever" });
  add(both, [T('5-["a"]'), B("01")], { ours: pin("invalid_attachment_count"), note: "[X07] CVE-2026-69185: an empty count is Number('') = 0" });
  add(both, [T('60-3["a"]'), B("01")], { ours: pin("invalid_attachment_count"), note: "CVE-2026-69185 on BINARY_ACK" });
  add(both, [T("500-" + evt1), B("01")], { ours: pin("invalid_attachment_count"), note: "CVE-2026-69185: 00" });
  add(both, [T("51.5-" + evt1), B("01")], { ours: pin("invalid_attachment_count"), note: "a fraction" });
  add(both, [T("5-1-" + evt1), B("01")], { ours: pin("invalid_attachment_count"), note: "a sign after the type is an empty count" });
  add(both, [T("5 -" + evt1), B("01")], { ours: pin("invalid_attachment_count"), note: "Number(' ') = 0" });
  add(both, [T("5NaN-" + evt1), B("01")], { ours: pin("invalid_attachment_count") });
  add(both, [T("5Infinity-" + evt1), B("01")], { ours: pin("invalid_attachment_count"), note: "Infinity is not an integer: Illegal attachments in both" });
  add(both, [T("51e-" + evt1), B("01")], { ours: pin("invalid_attachment_count") });
  add(both, [T("51/admin-" + evt1), B("01")], { ours: pin("invalid_attachment_count"), note: "the count runs to the first '-'" });
  add(both, [T('5["a-b"]'), B("01")], { ours: pin("invalid_attachment_count"), note: "a '-' inside the payload" });
  add(both, [T("51-/a-b,[\"x\"," + ph(0) + "]"), B("01")], { note: "a '-' inside the namespace" });
  // What Number() makes of 1: accepted by the reference.
  for (const [count, note] of [
    ["01", "[X09-X13] leading zero"],
    ["0x1", "[X09-X13] hexadecimal"],
    ["1e0", "[X09-X13] exponent"],
    ["+1", "[X09-X13] plus sign"],
    [" 1", "[X09-X13] leading space"],
    ["1 ", "trailing space"],
    ["0b1", "[X20] binary literal"],
    ["0o1", "octal literal"],
    ["1.0", "a zero fraction"],
    ["001", ""],
    ["\u00a01", "NBSP"],
  ]) {
    add(both, [T(`5${count}-` + evt1), B("01")], { ours: rejects("invalid_attachment_count", R.countForm, true), note });
  }
  add(both, [T("60x2-[" + ph(0) + "," + ph(1) + "]"), B("01"), B("02")], { ours: rejects("invalid_attachment_count", R.countForm, true), note: "BINARY_ACK counted 0x2" });
  // The limit (maxAttachments, default 10).
  const phs = (n) => Array.from({ length: n }, (_, i) => ph(i)).join(",");
  add(both, [T(`510-["a",${phs(10)}]`), ...bufs(10)], { note: "10 attachments: the default limit" });
  add(both, [T(`511-["a",${phs(11)}]`), ...bufs(11)], { ours: pin("too_many_attachments"), note: "[X15-X18] 11 attachments: above the default limit" });
  add(both, [T(`5011-["a",${phs(11)}]`), ...bufs(11)], { ours: { error: "invalid_attachment_count", lax_error: "too_many_attachments" }, note: "11 with a leading zero: strict refuses the zero first" });
  add(both, [T("599999999999999999999-" + evt1), B("01"), B("02")], { ours: pin("too_many_attachments"), note: "CVE-2026-33151: a huge attachment count" });
  add(both, [T("5" + "9".repeat(400) + "-" + evt1)], { ours: { error: "too_many_attachments", lax_error: "invalid_attachment_count" }, note: "CVE-2026-33151: Number() is Infinity; strict mode stops at the limit, lax mode reads Infinity like the reference" });
  add(both, [T("5" + "1".repeat(10000) + "-" + evt1)], { ours: { error: "too_many_attachments", lax_error: "invalid_attachment_count" }, note: "CVE-2020-36049: a 10,000-digit count" });
  add(both, [T("5" + "0".repeat(50) + "1-" + evt1), B("01")], { ours: rejects("invalid_attachment_count", R.countForm, true), note: "50 leading zeros" });
  add(both, [T(`53-["a",${phs(3)}]`), ...bufs(3)], { max: 3, note: "maxAttachments 3: at the limit" });
  add(both, [T(`54-["a",${phs(4)}]`), ...bufs(4)], { max: 3, ours: pin("too_many_attachments"), note: "[X15-X18] maxAttachments 3: above" });
  add(both, [T(`51-["a",${phs(1)}]`), B("01")], { max: 1, note: "maxAttachments 1" });
  add(both, [T(`52-["a",${phs(2)}]`), ...bufs(2)], { max: 1, ours: pin("too_many_attachments"), note: "[X15-X18] maxAttachments 1: above" });
  add(both, [T(`51-["a",${phs(1)}]`), B("01")], {
    max: 0,
    ours5: pin("too_many_attachments"),
    ours4: rejects("too_many_attachments", R.v4MaxZero),
    note: "maxAttachments 0",
  });
  add(both, [T(`520-["a",${phs(20)}]`), ...bufs(20)], { max: 20, note: "maxAttachments 20: more than our 16 inline attachment slots" });

  // --- namespaces --------------------------------------------------------------------------------
  add(both, [T('2/,["a"]')], { note: "[N01] the namespace \"/\" spelled out" });
  add(both, [T("0/admin")], { note: "[S03] no comma: the namespace runs to the end" });
  add(both, [T("1/admin")], { note: "no comma" });
  add(both, [T('2/admin["a"]')], { note: "[N07] the namespace swallows the payload" });
  add(both, [T('2admin,["a"]')], { ours: pin("invalid_json"), note: "[N02] [E14] no leading '/': JSON 'admin,...'" });
  add(both, [T('2,["a"]')], { ours: pin("invalid_json"), note: "[N08] an empty namespace without '/'" });
  add(both, [T('2/a,b,["x"]')], { ours: pin("invalid_json"), note: "[N05] a namespace cannot hold ','" });
  add(both, [T('2/café ünï,["x"]')], { note: "[N06] unicode" });
  add(both, [T('2/😀/ns,["x"]')], { note: "[N06] astral characters" });
  add(both, [T('2/my namespace,["x"]')], { note: "[N11] spaces" });
  add(both, [T('2/a\tb\u2028c,["x"]')], { note: "TAB and U+2028 in a namespace" });
  add(both, [T("0/admin?token=abc&x=1,")], { note: "[S09] a v4 query string stays part of the namespace" });
  add(both, [T("0/?EIO=3&transport=websocket,")], { note: "query on the main namespace" });
  add(both, [T('2/admin/sub/path,["x"]')]);
  add(both, [T("0//,")], { note: "the namespace \"//\"" });
  add(both, [T('2/12,["x"]')], { note: "a numeric namespace" });
  add(both, [T('2/' + "n".repeat(1000) + ',["x"]')], { note: "a 1,001-byte namespace" });
  add(both, [T('2/' + "n".repeat(65536) + ',["x"]')], { ours: rejects("invalid_namespace", R.nspLong), note: "65,537 bytes: above max_namespace" });
  add(both, [T('2/admin,12["x"]')], { note: "namespace, ack id, payload" });
  add(both, [T('2/admin,12')], { note: "namespace and ack id, no payload" });

  // --- ack ids -------------------------------------------------------------------------------
  add(both, [T('20["a"]')], { note: "[E16] id 0" });
  add(both, [T('29007199254740991["a"]')], { note: "2^53 - 1" });
  add(both, [T('29007199254740992["a"]')], { note: "2^53" });
  add(both, [T('29007199254740993["a"]')], {
    ours: differs([{ type: 2, nsp: "/", id: "9007199254740993", data: ["a"] }], R.idExact),
    note: "[A03-A05] 2^53 + 1 loses precision",
  });
  add(both, [T('218446744073709551615["a"]')], {
    ours: differs([{ type: 2, nsp: "/", id: "18446744073709551615", data: ["a"] }], R.idExact),
    note: "2^64 - 1",
  });
  add(both, [T('218446744073709551616["a"]')], { ours: rejects("ack_id_overflow", R.idBig), note: "2^64" });
  add(both, [T('299999999999999999999["a"]')], { ours: rejects("ack_id_overflow", R.idBig), note: "[A03-A05] 20 nines: 1e20" });
  add(both, [T("2" + "9".repeat(400) + '["a"]')], { ours: rejects("ack_id_overflow", R.idBig), note: "[A03-A05] 400 digits: Infinity" });
  add(both, [T("2" + "1".repeat(10000) + '["a"]')], { ours: rejects("ack_id_overflow", R.idBig), note: "CVE-2020-36049: a 10,000-digit ack id" });
  add(both, [T('2012["a"]')], { ours: rejects("invalid_ack_id", R.idZero, true), note: "[A01] leading zero" });
  add(both, [T('200["a"]')], { ours: rejects("invalid_ack_id", R.idZero, true) });
  add(both, [T('2/admin,007["a"]')], { ours: rejects("invalid_ack_id", R.idZero, true) });
  add(both, [T("3012[]")], { ours: rejects("invalid_ack_id", R.idZero, true) });
  add(both, [T('2-1["a"]')], { ours: pin("invalid_json"), note: "[A07] no sign: JSON '-1[...'" });
  add(both, [T('21.5["a"]')], { ours: pin("invalid_json_number"), note: "[A14] the '.' ends the id: JSON '.5[...'" });
  add(both, [T("212")], { note: "[A06] id without payload" });
  add(both, [T("0123")], { note: "[V27] an id on CONNECT" });
  add(both, [T("4123")], { note: "[V26] an id on CONNECT_ERROR, no payload" });
  add(both, [T("17")], { note: "an id on DISCONNECT" });
  add(both, [T('51-7["a",' + ph(0) + "]"), B("01")], { note: "an id on a BINARY_EVENT" });
  // Whitespace where an id may start: Number(" ") is 0.
  for (const [text, note] of [
    ['2 ["a"]', "[A08-A18] id 0"],
    ['21 ["a"]', "[A08-A18] id 1"],
    ['2 1["a"]', "[A08-A18] id 1"],
    ['2  12  ["a"]', "id 12"],
    ["1 ", "[A08-A18] DISCONNECT with id 0"],
    ['2\r\n["a"]', "[A08-A18] id 0"],
    ['2\u00a0["a"]', "[A08-A18] NBSP"],
    ['2\u2028["a"]', "U+2028"],
    ['2\ufeff["a"]', "BOM"],
    ['2\u3000["a"]', "IDEOGRAPHIC SPACE"],
    ['2\u000b["a"]', "VT"],
    ['2/admin, ["a"]', "after a namespace"],
    ["3 []", "ACK id 0"],
  ]) {
    add(both, [T(text)], { ours: rejects("invalid_json", R.idSpace, true), note });
  }
  add(both, [T('21 2["a"]')], { ours: rejects("invalid_json", R.idGap, "invalid_ack_id"), note: "[A08-A18] id NaN" });
  add(both, [T('2\u180e["a"]')], { ours: pin("invalid_json"), note: "U+180E is not JS whitespace any more" });
  add(both, [T('2\u200b["a"]')], { ours: pin("invalid_json"), note: "ZERO WIDTH SPACE is not whitespace" });

  // --- payload validation: "invalid payload" ----------------------------------------------------
  // CONNECT: v5 a plain object; v4 any typeof "object".
  add(both, [T("0{}")]);
  add(both, [T("0[]")], { ours5: pin("invalid_payload"), note: "[S06]" });
  add(both, [T("0null")], { ours5: pin("invalid_payload"), note: "[S07]" });
  add(both, [T('0"auth"')], { ours: pin("invalid_payload"), note: "[S08]" });
  add(both, [T("0true")], { ours: pin("invalid_payload") });
  add(both, [T("0/admin,[1]")], { ours5: pin("invalid_payload") });
  // DISCONNECT: nothing.
  add(both, [T("1{}")], { ours: pin("invalid_payload"), note: "[S12]" });
  add(both, [T('1/admin,"x"')], { ours: pin("invalid_payload") });
  add(both, [T("1null")], { ours: pin("invalid_payload") });
  // CONNECT_ERROR (v4 ERROR): string or plain object; v4 also arrays and null.
  add(both, [T("4[]")], { ours5: pin("invalid_payload"), note: "[S22-S25]" });
  add(both, [T("4null")], { ours5: pin("invalid_payload"), note: "[S22-S25]" });
  add(both, [T("4true")], { ours: pin("invalid_payload") });
  add(both, [T("4")], { note: "[S26] no payload" });
  add(both, [T('4""')]);
  // EVENT: a non-empty array, element 0 a number or a (v5: non-reserved) string.
  add(both, [T("2")], { note: "[V17] EVENT without payload" });
  add(both, [T("2[]")], { ours: pin("invalid_event_name"), note: "empty array" });
  add(both, [T("2{}")], { ours: pin("invalid_payload") });
  add(both, [T('2"a"')], { ours: pin("invalid_payload") });
  add(both, [T("2null")], { ours: pin("invalid_payload") });
  add(both, [T("2[1]")], { note: "a numeric event name" });
  add(both, [T("2[1.5]")]);
  add(both, [T("2[-0]")]);
  add(both, [T("2[1e400]")], { note: "[V16] Infinity as the event name" });
  add(both, [T("2[null]")], { ours: pin("invalid_event_name") });
  add(both, [T("2[true]")], { ours: pin("invalid_event_name") });
  add(both, [T("2[[\"a\"]]")], { ours: pin("invalid_event_name") });
  add(both, [T('2[{"toString":"foo"}]')], { ours: pin("invalid_event_name"), note: "CVE-2023-32695: an object as the event name crashed EventEmitter" });
  add(both, [T('2/admin,5[{"toString":"foo"},1]')], { ours: pin("invalid_event_name"), note: "CVE-2023-32695" });
  add(both, [T('2[""]')], { note: "an empty event name" });
  for (const name of ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"]) {
    add(both, [T(`2["${name}",1]`)], { ours5: pin("reserved_event_name"), note: "[V08-V13] reserved in v5 only" });
  }
  add(both, [T('2["\\u0063onnect"]')], { ours5: pin("reserved_event_name"), note: "a reserved name spelled with an escape" });
  add(both, [T('51-["disconnect",' + ph(0) + "]"), B("01")], { ours5: pin("reserved_event_name"), note: "reserved name in a BINARY_EVENT" });
  for (const name of ["error", "Connect", "connect ", "connecting", "reconnect", "ping", "__proto__", "constructor", "toString", "hasOwnProperty", "message"]) {
    add(both, [T(`2["${name}"]`)], { note: name === "error" ? "[V14] CVE-2024-38355: 'error' is legal on the wire" : "not reserved" });
  }
  // ACK: an array.
  add(both, [T("3")], { note: "[S20, S21, V18, V19] ACK without id or payload" });
  add(both, [T('31["a",{"b":null}]')], { note: "[S20, S21, V18, V19]" });
  add(both, [T("31{}")], { ours: pin("invalid_payload"), note: "[S20, S21, V18, V19]" });
  add(both, [T('31"a"')], { ours: pin("invalid_payload") });
  add(both, [T("31null")], { ours: pin("invalid_payload") });
  add(both, [T("61-1{}"), B("01")], { ours: pin("invalid_payload") });

  // --- JSON as JSON.parse reads it --------------------------------------------------------------
  add(both, [T('2["a"]  ')], { note: "[V23] trailing spaces" });
  add(both, [T('2["a"]\r\n\t')], { note: "trailing JSON whitespace" });
  add(both, [T('2[ "a" , 1 ]')], { note: "inner whitespace" });
  add(both, [T('2["a"]x')], { ours: pin("invalid_json"), note: "[V22] trailing garbage" });
  add(both, [T('2["a"]["b"]')], { ours: pin("invalid_json"), note: "two values" });
  add(both, [T('2["a"]\u00a0')], { ours: pin("invalid_json"), note: "NBSP is not JSON whitespace" });
  add(both, [T('2["a",]')], { ours: pin("invalid_json") });
  add(both, [T("2['a']")], { ours: pin("invalid_json") });
  add(both, [T('2["a",01]')], { ours: pin("invalid_json_number") });
  add(both, [T('2["a",.5]')], { ours: pin("invalid_json_number") });
  add(both, [T('2["a",1.]')], { ours: pin("invalid_json_number") });
  add(both, [T('2["a",+1]')], { ours: pin("invalid_json_number") });
  add(both, [T('2["a",NaN]')], { ours: pin("invalid_json") });
  add(both, [T('2["a",Infinity]')], { ours: pin("invalid_json") });
  add(both, [T('2["a",undefined]')], { ours: pin("invalid_json") });
  add(both, [T('2["a\u0001b"]')], { ours: pin("invalid_json_string"), note: "a raw control character in a string" });
  add(both, [T('2["a\nb"]')], { ours: pin("invalid_json_string"), note: "a raw newline in a string" });
  add(both, [T('2["\\x41"]')], { ours: pin("invalid_json_string"), note: "\\x is no JSON escape" });
  add(both, [T('2["\\u12"]')], { ours: pin("invalid_json_string") });
  add(both, [T('2["a]')], { ours: pin("invalid_json_string"), note: "unterminated string" });
  add(both, [T('2["a"')], { ours: pin("invalid_json") });
  add(both, [T('2["a",{"b":1,"b":2}]')], { note: "[V29] duplicate keys: the last wins" });
  add(both, [T('2["a",{"__proto__":{"polluted":1}}]')], { note: "[V28] __proto__ is an ordinary key" });
  add(both, [T('2["a",{"1":1,"b":2,"0":3}]')], { note: "integer-like keys" });
  add(both, [T('2["a",1e400,-1e400]')], { note: "[V16] numbers beyond double: ±Infinity" });
  add(both, [T('2["a",9007199254740993,18446744073709551616,1e21,1E-7,0.1,-0,123456789012345678901234567890]')], { note: "numbers compared as doubles" });
  add(both, [T('2["a",-0.0,1.5e300,5e-324,2e-400]')], { note: "2e-400 underflows to 0" });
  // Strings: unicode and escapes.
  add(both, [T('2["é","€","😀","\u2028\u2029","\u007f"]')], { note: "raw non-ASCII" });
  add(both, [T('2["\\u00e9\\u20ac\\ud83d\\ude00\\u2028"]')], { note: "escaped non-ASCII and a surrogate pair" });
  add(both, [T('2["\\ud800"]')], { note: "[V30] a lone high surrogate" });
  add(both, [T('2["\\udc00x","a\\ud800"]')], { note: "[V30] lone surrogates" });
  add(both, [T('2["\\ude00\\ud83d"]')], { note: "a reversed pair: two lone surrogates" });
  add(both, [T('2["\\"\\\\\\/\\b\\f\\n\\r\\t\\u0000\\u001f"]')], { note: "every short escape" });
  add(both, [T('2["a",{"k\\u00e9y":"v","k\\ud83d\\ude00":1}]')], { note: "escapes in keys" });
  add(both, [T('2["\\u0041\\u004A\\u004a"]')], { note: "upper- and lower-case hex escapes" });
  // Nesting.
  add(both, [T('2["a",' + "[".repeat(127) + "]".repeat(127) + "]")], { note: "depth 128: the limit" });
  add(both, [T('2["a",' + "[".repeat(128) + "]".repeat(128) + "]")], { ours: rejects("nesting_too_deep", R.depth), note: "depth 129" });
  add(both, [T('2["a",' + '{"a":'.repeat(300) + "1" + "}".repeat(300) + "]")], { ours: rejects("nesting_too_deep", R.depth), note: "300 nested objects" });

  // --- placeholders and reassembly ------------------------------------------------------------
  add(both, [T('51-["a",{"b":' + ph(0) + "}]"), B("0102")], { note: "[P07] in an object" });
  add(both, [T('51-["a",[[[' + ph(0) + "]]]]"), B("0102")], { note: "[P07] depth 4" });
  add(both, [T('51-["a",' + '{"x":['.repeat(20) + ph(0) + "]}".repeat(20) + "]"), B("0102")], { note: "[P07] depth 41" });
  add(both, [T('52-["a",' + ph(1) + "," + ph(0) + "]"), B("01"), B("02")], { note: "[P05] any order" });
  add(both, [T('51-["a",' + ph(0) + "," + ph(0) + "]"), B("01")], { note: "[P06] the same attachment twice" });
  add(both, [T('53-["a",{"x":' + ph(2) + ',"y":[' + ph(0) + "]}," + ph(1) + "]"), B("01"), B("02"), B("03")], { note: "mixed depths" });
  add(both, [T('51-["a",{"num":0,"_placeholder":true}]'), B("01")], { note: "members in the other order" });
  add(both, [T('51-["a",{ "_placeholder" : true , "num" : 0 }]'), B("01")], { note: "whitespace inside a placeholder" });
  add(both, [T('51-["a",{"\\u005fplaceholder":true,"n\\u0075m":0}]'), B("01")], { note: "placeholder keys spelled with escapes" });
  add(both, [T("51-[" + ph(0) + "]"), B("01")], { ours: pin("invalid_event_name"), note: "[P20] a placeholder as the event name" });
  add(both, [T("61-[" + ph(0) + "]"), B("01")], { note: "a placeholder first in a BINARY_ACK" });
  add(both, [T('51-["a",' + ph(0) + "]"), B(hex1000())], { note: "a 1,000-byte attachment" });
  // "illegal attachments" (thrown by 4.x/3.x when the last attachment arrives).
  add(both, [T('51-["hello",{"_placeholder":true,"num":"splice"}]'), B("01")], { ours: pin("invalid_placeholder"), note: "[P08-P10, P12] CVE-2022-2421: num \"splice\" put Array.prototype.splice into the arguments" });
  add(both, [T('51-["hello",{"_placeholder":true,"num":"toString"}]'), B("01")], { ours: pin("invalid_placeholder"), note: "CVE-2022-2421" });
  add(both, [T('51-["hello",{"_placeholder":true,"num":10}]'), B("01")], { ours: pin("invalid_placeholder"), note: "[P08-P10, P12] CVE-2022-2421: out of range" });
  add(both, [T('51-["a",{"_placeholder":true,"num":1}]'), B("01")], { ours: pin("invalid_placeholder"), note: "num == attachments" });
  add(both, [T('51-["a",{"_placeholder":true,"num":-1}]'), B("01")], { ours: pin("invalid_placeholder"), note: "[P08-P10, P12] negative" });
  add(both, [T('51-["a",{"_placeholder":true,"num":"0"}]'), B("01")], { ours: pin("invalid_placeholder"), note: "[P08-P10, P12] num as a string" });
  add(both, [T('51-["a",{"_placeholder":true}]'), B("01")], { ours: pin("invalid_placeholder"), note: "no num" });
  add(both, [T('51-["a",{"_placeholder":true,"num":null}]'), B("01")], { ours: pin("invalid_placeholder") });
  add(both, [T('51-["a",{"_placeholder":true,"num":[0]}]'), B("01")], { ours: pin("invalid_placeholder") });
  add(both, [T('51-["a",{"_placeholder":true,"num":1e400}]'), B("01")], { ours: pin("invalid_placeholder") });
  add(both, [T('51-["a",{"_placeholder":true,"num":0.5}]'), B("01")], { ours: rejects("invalid_placeholder", R.phHalf), note: "[P11] 0.5 slips through as undefined" });
  add(both, [T('52-["a",' + ph(0) + ',{"_placeholder":true,"num":1.0}]'), B("01"), B("02")], { ours: rejects("invalid_placeholder", R.phFloat, true), note: "num 1.0" });
  add(both, [T('51-["a",{"_placeholder":true,"num":0e0}]'), B("01")], { ours: rejects("invalid_placeholder", R.phFloat, true), note: "num 0e0" });
  add(both, [T('51-["a",{"_placeholder":true,"num":-0}]'), B("01")], { ours: rejects("invalid_placeholder", "no encoder writes num -0", true), note: "num -0: 0 for the reference" });
  add(both, [T('51-["a",{"_placeholder":true,"num":0,"x":1}]'), B("01")], { ours: rejects("invalid_placeholder", R.phExtra, true), note: "an extra member" });
  add(both, [T('51-["a",{"_placeholder":true,"num":0,"x":[1]}]'), B("01")], { ours: rejects("invalid_placeholder", R.phNested), note: "an extra array member" });
  add(both, [T('51-["a",{"_placeholder":false,"_placeholder":true,"num":0}]'), B("01")], { ours: rejects("invalid_placeholder", R.phExtra, true), note: "a duplicate key: the last wins" });
  add(both, [T('51-["a",{"_placeholder":1,"num":0}]'), B("01")], { ours: rejects("invalid_placeholder", R.unusedAtt, true), note: "[P13] not strictly true: plain data, so the attachment is unused" });
  add(both, [T('51-["a",{"_placeholder":"true","num":0},' + ph(0) + "]"), B("01")], { note: "[P13] a string \"true\": plain data" });
  add(both, [T('51-["a",{"_placeholder":false,"num":0,"x":{}},' + ph(0) + "]"), B("01")], { note: "[P13] false, next to nested data: plain data" });
  add(both, [T('51-["a",{"_placeholder":true,"_placeholder":"","num":0},' + ph(0) + "]"), B("01")], { note: "[P13] a duplicate key: the last (\"\") wins, plain data" });
  add(both, [T('51-["a",{"_placeholder":true,"_placeholder":[],"num":0},' + ph(0) + "]"), B("01")], { ours: rejects("invalid_placeholder", R.phTrueNested), note: "[P13] the last key wins, but the first is true next to an array" });
  // [P13] What the encoders send when the application's data holds a `_placeholder` member that
  // is not true (issue 17.1): the reference Encoder's own frames, at several depths.
  const shapes = ["", {}, [], 0, false, null, "true", 1, { a: 1 }, [true]];
  const at = [
    (o) => ["a", o, bin("01")],
    (o) => ["a", { x: o, y: bin("01") }],
    (o) => ["a", [[[o]]], [bin("01")]],
    (o) => ["a", { k: [{ m: o }] }, { b: bin("01") }],
    (o) => ["a", bin("01"), { ...o, b: bin("02") }],
  ];
  for (const [i, shape] of shapes.entries()) {
    for (const [j, where] of at.entries()) {
      const data = where({ _placeholder: shape });
      for (const version of both) {
        const enc = refEncode(version, { type: version === 5 ? 2 : 5, nsp: "/", data });
        if (enc.error) throw new Error(`encode failed: ${enc.message}`);
        add([version], enc.frames, { note: `[P13] reference-encoded application data {"_placeholder": ${JSON.stringify(shape)}}, shape ${i}, depth ${j}` });
      }
    }
  }
  add(both, [T('2["a",' + ph(0) + "]")], { note: "[P14] a placeholder in a non-binary EVENT is plain data" });
  add(both, [T('3["a",{"_placeholder":true,"num":"splice"}]')], { note: "[P14] even a malformed one" });
  add(both, [T('52-["a",' + ph(0) + "]"), B("01"), B("02")], { ours: rejects("invalid_placeholder", R.unusedAtt, true), note: "[P15, P16] an unreferenced attachment" });
  add(both, [T('53-["a",' + ph(2) + "]"), B("01"), B("02"), B("03")], { ours: rejects("invalid_placeholder", R.unusedAtt, true), note: "[P15, P16]" });
  add(both, [T("51-"), B("01")], { ours: rejects("invalid_placeholder", R.noJsonAtt, true), note: "[P17] no payload" });
  add(both, [T("61-/admin,3"), B("01")], { ours: rejects("invalid_placeholder", R.noJsonAtt, true), note: "[P17] BINARY_ACK without payload" });
  // Frame sequencing.
  add(both, [T('51-["a",' + ph(0) + "]"), T('2["b"]')], { ours: pin("unexpected_text_frame"), note: "[P18] got plaintext data when reconstructing a packet" });
  add(both, [T('52-["a",' + ph(0) + "," + ph(1) + "]"), B("01"), T('2["b"]')], { ours: pin("unexpected_text_frame"), note: "[P18] after one of two attachments" });
  add(both, [B("01")], { ours: pin("unexpected_binary_frame"), note: "[P19] got binary data when not reconstructing a packet" });
  add(both, [T('2["a"]'), B("01")], { ours: pin("unexpected_binary_frame"), note: "[P19] after a complete packet" });
  add(both, [T('51-["a",' + ph(0) + "]"), B("01"), B("02")], { ours: pin("unexpected_binary_frame"), note: "[P19] one attachment too many" });
  add(both, [T('51-["a",' + ph(0) + "]")], { note: "a header waiting for its attachment" });
  add(both, [T('51-["a",' + ph(0) + "]"), RESET, T('2["b"]')], {
    ours4: differs([{ type: 2, nsp: "/", data: ["b"] }], R.v4Reset, false),
    note: "[P27] destroy() / reset() drops the pending packet",
  });
  add(both, [T('51-["a",' + ph(0) + "]"), B64("AQID")], {
    ours5: differs([{ type: 2, nsp: "/", data: ["a", bin("010203")] }], R.base64Att),
    ours4: differs([{ type: 5, nsp: "/", data: ["a", bin("010203")] }], R.base64Att),
    note: "[P21] a {base64:true,data} attachment",
  });
}

function hex1000() {
  let s = "";
  for (let i = 0; i < 1000; i++) s += ((i * 37 + 11) & 0xff).toString(16).padStart(2, "0");
  return s;
}

// --- encoder cases ----------------------------------------------------------------------------

function encodeCases(L) {
  const add = (versions, packet, extra = {}) => {
    for (const version of versions) {
      const ours = extra[`ours${version}`] !== undefined ? extra[`ours${version}`] : extra.ours;
      const note = extra[`note${version}`] !== undefined ? extra[`note${version}`] : extra.note;
      // protocol v4: the application (socket.io 2.x) sets BINARY_EVENT / BINARY_ACK itself.
      const p = version === 4 && extra.v4type !== undefined ? { ...packet, type: extra.v4type } : packet;
      L.add(`sio${version}.encode`, "sio.encode", { version, packet: p }, refEncode(version, p), { ours, note });
    }
  };
  const both = [5, 4];
  const pk = (type, nsp, data, id) => {
    const p = { type, nsp };
    if (id !== undefined) p.id = id;
    if (data !== undefined) p.data = data;
    return p;
  };

  // Every type.
  add(both, pk(0, "/"), { note: "CONNECT to the main namespace: just `0`" });
  add(both, pk(0, "/admin"));
  add([5], pk(0, "/", { token: "abc" }));
  add([5], pk(0, "/admin", { sid: "oSO0OpakMV_3jnilAAAA", pid: "m8xk0a" }));
  add([4], pk(0, "/admin", { token: "abc" }), { ours: refuses("invalid_argument", "a protocol v4 CONNECT carries no payload (auth goes in the namespace's query string); the 3.x encoder writes it anyway") });
  add(both, pk(0, "/admin?token=abc&x=1"), { note: "[S09] v4 auth in a query string" });
  add(both, pk(0, "/?token=abc"));
  add(both, pk(1, "/"));
  add(both, pk(1, "/admin"), { note: "`1/admin,`" });
  add(both, pk(2, "/", ["foo"]));
  add(both, pk(2, "/admin", ["bar"]));
  add(both, pk(2, "/", ["foo"], 12));
  add(both, pk(2, "/admin", ["bar", { a: 1 }], 7));
  add(both, pk(3, "/admin", ["bar"], 13));
  add(both, pk(3, "/", [], 1), { note: "ACK without arguments" });
  add(both, pk(3, "/", [null, "x"], 0));
  add([5], pk(4, "/", { message: "Not authorized" }));
  add([5], pk(4, "/admin", { message: "Invalid namespace", data: { code: 3, retry: false } }));
  add([4], pk(4, "/", "Not authorized"), { note: "v4 ERROR: a bare string" });
  add([4], pk(4, "/admin", { message: "x", code: 1 }), { note: "v4 ERROR with an object" });
  add([5], pk(4, "/", "Not authorized"), { ours: unsupported("a v5 CONNECT_ERROR builder writes {\"message\":...}; a bare string payload cannot be built") });

  // Binary: promoted by 4.x, set by the application in 3.x.
  add(both, pk(2, "/", ["baz", bin("01020304")]), { v4type: 5, note: "[E01-E10] `51-` + 1 buffer" });
  add(both, pk(2, "/admin", ["baz", bin("0102"), bin("0304")]), { v4type: 5, note: "[E01-E10] 2 buffers and a namespace" });
  add(both, pk(3, "/", ["bar", bin("ff")], 15), { v4type: 6, note: "[E01-E10] `61-15`" });
  add(both, pk(3, "/admin", [bin(""), bin("00")], 0), { v4type: 6, note: "empty attachment, id 0" });
  add(both, pk(2, "/", ["a", { x: [bin("01"), { y: bin("02") }] }, bin("03")], 9), { v4type: 5, note: "depth-first numbering" });
  add(both, pk(2, "/", ["a", [[[[[[bin("0a")]]]]]]]), { v4type: 5, note: "depth 7" });
  add(both, pk(2, "/", ["a", bin("01"), bin("01")]), { v4type: 5, note: "equal buffers are attached twice" });
  add(both, pk(2, "/", ["a", { b: bin("01"), "1": bin("02") }]), { v4type: 5, note: "[E24] key order: integer-like keys first" });
  add(both, pk(2, "/", ["a", ...Array.from({ length: 10 }, (_, i) => bin(i.toString(16).padStart(2, "0")))]), { v4type: 5, note: "10 attachments" });
  add(both, pk(2, "/", ["a", ...Array.from({ length: 11 }, (_, i) => bin(i.toString(16).padStart(2, "0")))]), {
    v4type: 5,
    ours: refuses("too_many_attachments", "more attachments than max_attachments (10): the reference encoder writes them, and the reference decoder refuses them"),
    note: "11 attachments",
  });
  add(both, pk(2, "/", ["a", bin(hex1000())]), { v4type: 5, note: "1,000 bytes" });
  // Types the application gets wrong.
  add([5], pk(5, "/", ["a", bin("0102")]), {
    ours: writes([T('51-["a",' + ph(0) + "]"), B("0102")], "siocodec promotes an EVENT itself; the 4.x encoder expects EVENT and, given BINARY_EVENT, writes `5undefined-` and the Buffer's toJSON"),
    note: "[E11] BINARY_EVENT given to 4.x",
  });
  add([5], pk(6, "/", ["a", bin("0102")], 3), {
    ours: writes([T('61-3["a",' + ph(0) + "]"), B("0102")], "siocodec promotes an ACK itself; the 4.x encoder given BINARY_ACK writes `6undefined-`"),
    note: "[E12] BINARY_ACK given to 4.x",
  });
  add([5], pk(5, "/", ["a"]), {
    ours: writes([T('2["a"]')], "siocodec writes an EVENT without binary values as EVENT; the 4.x encoder given BINARY_EVENT writes `5undefined-`"),
    note: "[E11] BINARY_EVENT without binary",
  });
  add([4], pk(2, "/", ["a", bin("0102")]), {
    ours: writes([T('51-["a",' + ph(0) + "]"), B("0102")], "siocodec promotes an EVENT with binary values; 3.x expects the application to set BINARY_EVENT and otherwise writes the Buffer's toJSON"),
    note: "[E08] [E25] a Buffer in a 3.x EVENT",
  });
  add([4], pk(5, "/", ["a"]), {
    ours: writes([T('2["a"]')], "siocodec writes an EVENT without binary values as EVENT; 3.x writes the zero-attachment header `50-` that its own decoder refuses (CVE-2026-69185)"),
    note: "3.x BINARY_EVENT without binary",
  });

  // Namespaces.
  add(both, pk(2, "admin", ["a"]), { ours: refuses("invalid_argument", "a namespace must start with '/': the reference writes `2admin,` which no decoder reads back"), note: "[E14]" });
  add(both, pk(2, "", ["a"]), { note: "[E15] an empty namespace is the main one" });
  add(both, { type: 2, data: ["a"] }, { note: "no namespace at all" });
  add(both, pk(2, "/a,b", ["a"]), { ours: refuses("invalid_argument", "a namespace cannot contain ',': the decoder would end it there") });
  add(both, pk(2, "/café ünï 😀", ["a"]), { note: "unicode and spaces" });
  add(both, pk(1, "/" + "n".repeat(1000)), { note: "a 1,001-byte namespace" });
  // Ack ids.
  add(both, pk(2, "/", ["a"], 0), { note: "[E16] id 0" });
  add(both, pk(2, "/", ["a"], 9007199254740991), { note: "2^53 - 1" });
  add(both, pk(2, "/", ["a"], "7"), { note: "[E26] an id given as a string is pasted verbatim" });
  add(both, pk(2, "/", ["a"], "18446744073709551615"), { note: "[E26] a string id: 2^64 - 1 written exactly" });
  add(both, pk(2, "/admin", ["a"], 42), { note: "namespace then id" });
  // Data.
  add(both, pk(2, "/", null), { ours: unsupported("an EVENT without payload (data null) cannot be built: event() always writes [name, ...]"), note: "[E17] `2`" });
  add(both, pk(2, "/", [1, "a"]), { ours: unsupported("event() takes a string name; a numeric event name cannot be built"), note: "a numeric event name" });
  add(both, pk(3, "/", ["a"]), { ours: unsupported("ack() takes an id; an ACK without one cannot be built"), note: "an ACK without id" });
  add(both, pk(2, "/", ["é", "€uro", "😀", "\u2028\u2029", "\u007f", "ü".repeat(3)]), { note: "[E18] [E20] non-ASCII, U+2028/9 and DEL written raw" });
  add(both, pk(2, "/", ["\"\\/", "\b\f\n\r\t", "\u0000\u0001\u001f", "a\u001eb"]), { note: "JSON.stringify's escapes" });
  add(both, pk(2, "/", ["a", { "k\u00e9y": { "\n": [] }, "": "" }]), { note: "keys with escapes, an empty key" });
  add(both, pk(2, "/", ["a", 0, -1, num("1.5"), num("0.1"), num("1e+21"), num("1e-7"), num("123456789012345680000"), num("-1.5e+300"), num("5e-324"), 2 ** 53]), { note: "numbers as JSON.stringify writes them" });
  add(both, pk(2, "/", ["a", num("NaN"), num("Infinity"), num("-Infinity")]), { note: "NaN and Infinity become null" });
  add(both, pk(2, "/", ["a", null, true, false, [], {}, [[]], { a: {} }]));
  add(both, pk(2, "/", ["a", { $bigint: "1" }]), {
    ours: writes([T('2["a",1]')], "siocodec writes any integer; JSON.stringify cannot write a BigInt (4.x throws, 3.x sends an ERROR packet `4\"encode error\"`)"),
    note: "[E22] BigInt",
  });
  add(both, pk(2, "/", ["a", "x".repeat(5000)]), { note: "a 5,000-byte string" });
  add(both, pk(2, "/", ["a", nest(100)]), { note: "depth 102" });
  add(both, pk(2, "/", ["a", nest(127)]), { note: "depth 128: the limit" });
  add(both, pk(2, "/", ["a", nest(128)]), { ours: refuses("nesting_too_deep", "the builders nest at most max_depth (128) deep, what the decoders accept; the reference writes any depth"), note: "depth 129" });
  // An own "__proto__" key: JSON.stringify writes it, but deconstructPacket copies keys by
  // assignment, which turns "__proto__" into the copy's prototype.
  const proto = (v) => {
    const o = {};
    setOwn(o, "__proto__", v);
    return o;
  };
  add(both, pk(2, "/", ["a", proto({ x: 1 })]), { note: "[V28] an own __proto__ key" });
  add(both, pk(2, "/", ["a", proto({ x: bin("01") })]), {
    v4type: 5,
    ours: writes([T('51-["a",{"__proto__":{"x":' + ph(0) + "}}]"), B("01")], "siocodec writes the key; the reference's deconstructPacket assigns it, which sets the prototype instead, so the key and its placeholder vanish (the attachment is still sent)"),
    note: "[V28] __proto__ holding a binary value",
  });
  // Reserved event names: the reference encoder does not check them.
  for (const name of ["connect", "disconnect", "newListener"]) {
    add(both, pk(2, "/", [name, 1]), { ours5: refuses("reserved_event_name", "the v5 builders refuse a name the v5 decoder rejects; the 4.x encoder writes it") });
  }
  add(both, pk(2, "/", ["error", "boom"]), { note: "CVE-2024-38355: 'error' is legal" });
  // [P13] Application data with a `_placeholder` member that is not true is sent unchanged.
  add(both, pk(2, "/", ["a", { _placeholder: "" }, bin("01")]), { v4type: 5, note: "[P13] {\"_placeholder\": \"\"} next to a buffer" });
  add(both, pk(2, "/", ["a", { _placeholder: { num: 0 }, b: [bin("01")] }]), { v4type: 5, note: "[P13] an object value, depth 2" });
  add(both, pk(2, "/", ["a", [[{ _placeholder: [0] }]], bin("01")]), { v4type: 5, note: "[P13] an array value, depth 4" });
}

function nest(depth) {
  let v = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

async function generate() {
  const v5 = new VectorList();
  const v4 = new VectorList();
  // One list per version keeps the ids of one version stable when the other grows.
  const both = {
    add(prefix, ...rest) {
      return (prefix.startsWith("sio5.") ? v5 : v4).add(prefix, ...rest);
    },
  };
  decodeCases(both);
  encodeCases(both);
  return { "socketio_v5.jsonl": v5.vectors, "socketio_v4.jsonl": v4.vectors };
}

module.exports = { generate };
