// SPDX-License-Identifier: BSL-1.0
// Runs siocodec-inspect over every case of cases.json and compares its output line by line with
// what the npm reference parsers (engine.io-parser 5.2.3 / 2.2.1, socket.io-parser 4.2.7 / 3.4.5)
// decode from the same frames. The reference has no error codes or offsets: where it fails, the
// case lists the error line we print, checked by hand against the input.
// usage: node check.js <siocodec-inspect> <cases.json>
"use strict";
const path = require("path");
const { spawnSync } = require("child_process");
const fs = require("fs");

const mods = path.join(__dirname, "..", "reference", "node_modules");
const eio5 = require(path.join(mods, "engine.io-parser-v5"));
const eio2 = require(path.join(mods, "engine.io-parser-v2"));
const sio4 = require(path.join(mods, "socket.io-parser-v4"));
const sio3 = require(path.join(mods, "socket.io-parser-v3"));
const mp3 = require(path.join(mods, "socket.io-msgpack-parser-v3"));
const mp2 = require(path.join(mods, "socket.io-msgpack-parser-v2"));

const [tool, casesFile] = process.argv.slice(2);
const cases = JSON.parse(fs.readFileSync(casesFile, "utf8"));

const SIO_NAMES = ["connect", "disconnect", "event", "ack", "connect_error", "binary_event",
                   "binary_ack"];

function withBinary(v) {
  if (Buffer.isBuffer(v)) return { _binary: v.toString("base64") };
  if (v instanceof ArrayBuffer) return { _binary: Buffer.from(v).toString("base64") };
  if (Array.isArray(v)) return v.map(withBinary);
  if (v !== null && typeof v === "object") {
    const o = {};
    for (const k of Object.keys(v)) o[k] = withBinary(v[k]);
    return o;
  }
  return v;
}

// The reference's view of one connection, printing what siocodec-inspect prints.
function referenceLines(c) {
  const v3 = c.eio === 3;
  const transport = c.transport || "websocket";
  const out = [];
  const msgpack = c.parser === "msgpack";
  const SioParser = msgpack ? (v3 ? mp2 : mp3) : (v3 ? sio3 : sio4);
  let decoder;
  let binaryHeader = false;
  const newDecoder = () => {
    decoder = new SioParser.Decoder();
    decoder.on("decoded", (p) => {
      if (v3 && !msgpack && p.type === 4 && typeof p.data === "string" &&
          p.data.startsWith("parser error")) {
        out.push("ERROR");
        return;
      }
      let type = p.type;
      if (binaryHeader && !v3 && !msgpack) type = type === 2 ? 5 : 6;  // 4.x rewrites 5/6 to 2/3
      let name = SIO_NAMES[type];
      if (v3 && type === 4) name = "error";
      const o = { sio: name, nsp: p.nsp };
      if (p.id !== undefined && p.id !== null) o.id = p.id;
      if (p.data !== undefined) o.data = withBinary(p.data);
      out.push(JSON.stringify(o));
    });
  };
  newDecoder();
  const message = (data) => {
    if (typeof data === "string") binaryHeader = data[0] === "5" || data[0] === "6";
    try {
      decoder.add(data);
    } catch (e) {
      out.push("ERROR");
      newDecoder();
    }
  };
  const packet = (p) => {
    if (p.type === "error") { out.push("ERROR"); return false; }
    if (p.type === "message") { message(p.data); return true; }
    const o = { eio: p.type };
    if (p.data !== undefined && p.data !== "") {
      if (Buffer.isBuffer(p.data)) o.data = p.data.toString("base64");
      else if (p.type === "open") {
        try { o.data = JSON.parse(p.data); } catch (e) { o.data = p.data; }
      } else o.data = p.data;
    }
    out.push(JSON.stringify(o));
    return true;
  };
  for (const f of c.frames) {
    const isText = f.text !== undefined;
    const data = isText ? f.text : Buffer.from(f.binary, "base64");
    if (transport === "websocket") {
      packet(v3 ? eio2.decodePacket(data) : eio5.decodePacket(data, "nodebuffer"));
    } else if (transport === "polling") {
      if (v3) {
        eio2.decodePayload(data, undefined, (p) => packet(p) !== false);
      } else {
        for (const p of eio5.decodePayload(data, "nodebuffer")) if (!packet(p)) break;
      }
    } else {
      throw new Error("no reference for transport " + transport);
    }
  }
  return out;
}

let failures = 0;
for (const c of cases) {
  const args = ["--eio", String(c.eio || 4), "--transport", c.transport || "websocket"];
  if (c.lax) args.push("--lax");
  if (c.parser) args.push("--parser", c.parser);
  const input = c.frames.map((f) => JSON.stringify(f)).join("\n") + "\n";
  const run = spawnSync(tool, args, { input, encoding: "utf8" });
  if (run.status !== 0) {
    console.error(`FAIL ${c.name}: exit ${run.status}: ${run.stderr}`);
    failures++;
    continue;
  }
  const got = run.stdout.split("\n").filter((l) => l !== "");
  // Cases the reference cannot run (WebTransport) give their whole expected output.
  const expected = c.expect ? c.expect.map((l) => JSON.stringify(l))
                            : referenceLines(c);
  const errors = (c.errors || []).map((e) => JSON.stringify(e));
  let ei = 0;
  const want = expected.map((l) => (l === "ERROR" ? errors[ei++] || "<missing error line>" : l));
  if (ei !== errors.length) {
    console.error(`FAIL ${c.name}: the reference fails ${ei} times, the case lists ${errors.length} errors`);
    failures++;
    continue;
  }
  const same = got.length === want.length && got.every((l, i) => l === want[i]);
  if (!same) {
    console.error(`FAIL ${c.name}\n  want:\n    ${want.join("\n    ")}\n  got:\n    ${got.join("\n    ")}`);
    failures++;
  }
}
// The input must be JSON lines: anything else is a usage error (exit 1).
const bad = spawnSync(tool, [], { input: "not json\n", encoding: "utf8" });
if (bad.status !== 1) { console.error("FAIL: a non-JSON input line must exit 1"); failures++; }
const badOpt = spawnSync(tool, ["--eio", "5"], { input: "", encoding: "utf8" });
if (badOpt.status !== 2) { console.error("FAIL: an unknown option must exit 2"); failures++; }
console.log(`${cases.length} cases, ${failures} failed`);
process.exit(failures ? 1 : 0);
