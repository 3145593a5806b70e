#!/usr/bin/env node
// SPDX-License-Identifier: BSL-1.0
// Writes tests/reference/vectors/redis.jsonl: what the REAL @socket.io/redis-adapter 8.3.0 (inside
// a socket.io 4.8.1 Server) and @socket.io/redis-emitter 5.1.0 publish, captured by a fake Redis
// client, for a corpus of emits, requests and responses.
//
//   node tests/reference/redis/generate.js           regenerate the committed vectors
//   node tests/reference/redis/generate.js --check   regenerate in memory; exit 1 if different
//
// The packages (socket.io 4.8.1, @socket.io/redis-adapter 8.3.0, @socket.io/redis-emitter 5.1.0,
// notepack.io 3.0.1, pinned by tests/cluster/package-lock.json) come from
// tests/reference/redis/node_modules when present, else tests/cluster/node_modules.
// Output is deterministic: the adapter's random uid and request ids are replaced by counters.
//
// Each line is one publish: {"kind", "name", "channel", "hex", ...the description needed to
// make it again}. Arguments are JSON with tags for what JSON cannot hold: {"$bin": hex} (a
// Buffer, ArrayBuffer or typed array: notepack.io 3.0.1 writes all as bin), {"$undef": true}
// (undefined: nil in an array, left out of an object), {"$num": "NaN" | "Infinity" |
// "-Infinity" | "-0" | exact digits of an integral double beyond 2^53}, {"$date": ms} (a Date: notepack's timestamp extension), and for two
// large values {"$repeat": [text, count]} (a string) and {"$fill": [count, seed]} (the bytes
// (i * 31 + seed) & 0xff).
"use strict";

const fs = require("fs");
const path = require("path");
const Module = require("module");

const HERE = __dirname;
// The packages: a node_modules here (a symlink made by hand), else the cluster harness's
// (tests/cluster, installed by tools/setup.sh).
const NM = [path.join(HERE, "node_modules"), path.join(HERE, "..", "..", "cluster", "node_modules")].find(
  (d) => fs.existsSync(path.join(d, "@socket.io", "redis-emitter")),
);
if (!NM) {
  console.error("redis/generate.js: no node_modules with @socket.io/redis-emitter (tests/cluster: npm ci)");
  process.exit(2);
}
const OUT = path.join(HERE, "..", "vectors", "redis.jsonl");

// Deterministic uid2(): the adapter draws its uid and every request id from it.
let uidCounter = 0;
function fakeUid2(n) {
  uidCounter++;
  return ("U" + String(uidCounter).padStart(8, "0")).slice(-n);
}
function preloadUid2() {
  const adapterDir = path.dirname(require.resolve("@socket.io/redis-adapter", { paths: [NM] }));
  const file = require.resolve("uid2", { paths: [adapterDir] });
  const m = new Module(file);
  m.filename = file;
  m.loaded = true;
  m.exports = fakeUid2;
  Module._cache[file] = m;
}
preloadUid2();

const req = (name) => require(require.resolve(name, { paths: [NM] }));
const { Server } = req("socket.io");
const { createAdapter } = req("@socket.io/redis-adapter");
const { Emitter } = req("@socket.io/redis-emitter");
const notepack = req("notepack.io");

// A client of the `redis` v3 / ioredis shape (no pSubscribe: the adapter then uses psubscribe,
// subscribe and the *Buffer events), recording every publish.
function fakeClient(pubs, numsub) {
  const listeners = {};
  return {
    publish(channel, message) {
      pubs.push([String(channel), Buffer.from(message)]);
      return Promise.resolve(1);
    },
    psubscribe() {},
    subscribe() {},
    punsubscribe() {},
    unsubscribe() {},
    on(ev, fn) {
      (listeners[ev] = listeners[ev] || []).push(fn);
    },
    off() {},
    listenerCount() {
      return 1;
    },
    send_command(cmd, args, cb) {
      cb(null, [args[1], numsub]);
    },
  };
}

// ---- argument tags --------------------------------------------------------------------------
function tag(v) {
  if (v === LONG_STRING) return { $repeat: ["w", 65536] };
  if (v === LONG_BINARY) return { $fill: [65536, 5] };
  if (v === undefined) return { $undef: true };
  if (typeof v === "number") {
    if (Number.isNaN(v)) return { $num: "NaN" };
    if (v === Infinity) return { $num: "Infinity" };
    if (v === -Infinity) return { $num: "-Infinity" };
    if (Object.is(v, -0)) return { $num: "-0" };
    // JSON.stringify prints an integral double beyond 2^53 in its shortest form, whose digits
    // are not its exact value: give the exact digits, read as a double by the C++ side.
    if (Number.isInteger(v) && !Number.isSafeInteger(v)) return { $num: BigInt(v).toString() };
    return v;
  }
  if (v === null || typeof v !== "object") return v;
  if (Buffer.isBuffer(v)) return { $bin: v.toString("hex") };
  if (v instanceof ArrayBuffer) return { $bin: Buffer.from(v).toString("hex") };
  if (ArrayBuffer.isView(v)) return { $bin: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex") };
  if (v instanceof Date) return { $date: v.getTime() };
  if (Array.isArray(v)) return v.map(tag);
  const o = {};
  for (const [k, x] of Object.entries(v)) o[k] = tag(x);
  return o;
}

// ---- the corpus of arguments ----------------------------------------------------------------
const bytes = (n, seed = 1) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));
const ARGS = {
  none: [],
  strings: ["", "a", "é", "😀 emoji", "日本語", "x".repeat(31), "x".repeat(32), "y".repeat(255), "z".repeat(256)],
  ints: [0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296, 9007199254740991],
  negatives: [-1, -32, -33, -128, -129, -32768, -32769, -2147483648, -2147483649, -9007199254740991],
  floats: [1.5, -0.5, 0.1, 1e-300, 123456.789, 2 ** 53 + 0.5 === 2 ** 53 ? 3.25 : 3.25],
  specials: [NaN, Infinity, -Infinity, -0],
  literals: [true, false, null],
  binary: [bytes(3), Buffer.alloc(0)],
  binary_sizes: [bytes(255), bytes(256, 7), bytes(300, 3)],
  // Not a Uint16Array: notepack.io 3.0.1 writes Buffer.from(typedArray), which keeps each
  // element modulo 256 (Uint16Array [258] becomes the one byte 02), not the array's bytes.
  arraybuffer: [new Uint8Array([9, 8, 7]).buffer, new Uint8Array([1, 2]), new Int8Array([-1, 5])],
  nested_binary: [{ a: { b: [1, bytes(4)] }, c: bytes(2, 9) }, [[bytes(1)]]],
  objects: [{ x: 1, y: "two", z: [3, { w: null }] }, {}, Object.fromEntries(Array.from({ length: 16 }, (_, i) => ["k" + i, i]))],
  arrays: [[], Array.from({ length: 15 }, (_, i) => i), Array.from({ length: 16 }, (_, i) => i)],
  undefineds: [[1, undefined, 2], { a: 1, b: undefined, c: 3 }],
};

// The two large values, tagged {"$repeat": [text, count]} and {"$fill": [count, seed]}.
const LONG_STRING = "w".repeat(65536);
const LONG_BINARY = bytes(65536, 5);

const cases = [];
function push(entry, pubs) {
  for (const [channel, msg] of pubs) cases.push(Object.assign({}, entry, { channel, hex: msg.toString("hex") }));
  pubs.length = 0;
}
function decodeOpts(pub) {
  // The flags object as published, in key order: [[key, value], ...].
  const [, , opts] = notepack.decode(pub[1]);
  return Object.entries(opts.flags || {});
}

// ---- the emitter and a Server on the adapter, each publishing into `pubs` ----------------------
let emitterRun, adapterRun, io;
function setup() {
  const pubs = [];
  const base = new Emitter(fakeClient(pubs, 1));
  emitterRun = (name, of, ops, event, args) => {
    let e = of === null ? base : base.of(of);
    for (const op of ops) {
      if (op[0] === "volatile") e = e.volatile;
      else e = e[op[0]](op[1]);
    }
    e.emit(event, ...args);
    push({ kind: "emitter.emit", name, of, ops, event, args: args.map(tag) }, pubs);
  };
  io = new Server({ adapter: createAdapter(fakeClient(pubs, 2), fakeClient([], 2)) });
  const nsps = {};
  const nsp = (name) => {
    if (!nsps[name]) {
      nsps[name] = io.of(name);
      nsps[name].adapter.uid = "node" + Object.keys(nsps).length.toString().padStart(2, "0");
    }
    return nsps[name];
  };
  adapterRun = (name, nspName, ops, event, args, extra = {}) => {
    let op = nsp(nspName);
    for (const o of ops) {
      if (o[0] === "volatile") op = op.volatile;
      else if (o[0] === "local") op = op.local;
      else op = op[o[0]](o[1]);
    }
    op.emit(event, ...args);
    const flags = pubs.length ? decodeOpts(pubs[0]) : [];
    push(
      Object.assign({ kind: "adapter.broadcast", name, nsp: nspName, uid: nsp(nspName).adapter.uid, ops, flags, event, args: args.map(tag) }, extra),
      pubs,
    );
  };
}

function emitterCases() {
  const run = emitterRun;
  for (const [n, a] of Object.entries(ARGS)) run("args." + n, null, [], "ev", a);
  // str 32 and bin 32 (2^16 bytes and up), described compactly in "args".
  run("args.size32", null, [], "big", [LONG_STRING, LONG_BINARY]);
  run("to.one", null, [["to", "room1"]], "hello", ["world"]);
  run("to.two", null, [["to", "room1"], ["to", "room2"]], "hello", [1]);
  run("to.array", null, [["to", ["a", "b", "a"]]], "hello", [1]);
  run("in.dup", null, [["in", "a"], ["to", "a"]], "hello", [1]);
  run("to.hash", null, [["to", "r#1"]], "hello", [1]);
  run("to.unicode", null, [["to", "ルーム"]], "hello", [1]);
  run("to.empty_name", null, [["to", ""]], "hello", [1]);
  run("except", null, [["except", "x"], ["except", ["y", "x"]]], "hello", [1]);
  run("to.except", null, [["to", "r"], ["except", "s"]], "hello", [1]);
  run("volatile", null, [["volatile"]], "v", [1]);
  run("compress.false", null, [["compress", false]], "c", [1]);
  run("compress.volatile", null, [["compress", true], ["volatile"]], "c", [1]);
  run("volatile.compress.again", null, [["volatile"], ["compress", true], ["compress", false]], "c", [1]);
  run("of.slash", "/chat", [], "m", ["x"]);
  run("of.noslash", "admin", [["to", "r"]], "m", ["x"]);
  run("of.hash", "/a#b", [["to", "c"]], "m", ["x"]);
  run("of.unicode", "/ünï", [], "m", ["x"]);
  run("event.unicode", null, [], "événement", []);
  run("event.long", null, [], "e".repeat(40), [bytes(10)]);
  return cases;
}

// ---- the adapter inside a Server ------------------------------------------------------------
function adapterCases() {
  const run = adapterRun;
  run("all", "/", [], "hello", ["world", 1, 2.5]);
  run("binary", "/", [], "bin", [bytes(5), { nested: bytes(2) }]);
  run("to.one", "/", [["to", "room1"]], "hello", []);
  run("to.two.except", "/", [["to", ["a", "b"]], ["except", ["c", "a"]]], "hello", []);
  run("volatile.compress", "/", [["volatile"], ["compress", false]], "x", [1]);
  run("timeout", "/", [["timeout", 1500]], "x", [1]);
  run("nsp", "/chat", [["to", "r"]], "m", ["x"]);
  run("nsp.hash", "/a#b", [], "m", ["x"]);
  run("room.number", "/", [["to", 42]], "n", [1], { decode_only: true });
  run("date", "/", [], "d", [new Date(1700000000000), new Date(1700000000123)], { decode_only: true });
  for (const [n, a] of Object.entries(ARGS)) {
    if (n !== "binary_sizes") run("args." + n, "/", [], "ev", a);
  }
  // local: nothing is published.
  run("local", "/", [["local"]], "x", [1]);
  return cases;
}

// ---- requests and responses -----------------------------------------------------------------
// Each publish of the request / response channels, described by the encoder call that makes it
// (`call`) with its arguments read back from the message.
function describe(channel, buf) {
  const isJson = buf[0] === 0x7b;
  const m = isJson ? JSON.parse(buf.toString()) : notepack.decode(buf);
  const d = { channel, hex: buf.toString("hex") };
  const opts = () => ({ rooms: m.opts.rooms, except: m.opts.except });
  if (channel.includes("-request#")) {
    switch (m.type) {
      case 1: return Object.assign(d, { call: "all_rooms_request", uid: m.uid, requestId: m.requestId });
      case 5: return Object.assign(d, { call: "fetch_sockets_request", uid: m.uid, requestId: m.requestId }, opts());
      case 2:
      case 3:
        return Object.assign(d, { call: "join_request", join: m.type === 2, uid: m.uid || "", target: m.rooms }, opts());
      case 4: return Object.assign(d, { call: "disconnect_request", uid: m.uid || "", close: m.close }, opts());
      case 6:
        return Object.assign(d, { call: "server_side_emit_request", uid: m.uid, requestId: m.requestId || "", data: JSON.stringify(m.data) });
      case 7:
        return Object.assign(d, {
          call: "broadcast_request", uid: m.uid, requestId: m.requestId, nsp: m.packet.nsp,
          rooms: m.opts.rooms, except: m.opts.except, flags: Object.entries(m.opts.flags || {}),
          event: m.packet.data[0], args: m.packet.data.slice(1).map(tag),
        });
    }
    throw new Error("unexpected request " + JSON.stringify(m));
  }
  if (m.type === 6) return Object.assign(d, { call: "server_side_emit_response", requestId: m.requestId, data: m.data === undefined ? "" : JSON.stringify(m.data) });
  if (m.type === 8) return Object.assign(d, { call: "client_count_response", requestId: m.requestId, count: m.clientCount });
  if (m.type === 9) return Object.assign(d, { call: "broadcast_ack_response", requestId: m.requestId }, "packet" in m ? { arg: tag(m.packet) } : {});
  if (m.rooms) return Object.assign(d, { call: "all_rooms_response", requestId: m.requestId, rooms: m.rooms });
  if (m.sockets && m.sockets.every((x) => typeof x === "string")) return Object.assign(d, { call: "sockets_response", requestId: m.requestId, ids: m.sockets });
  if (m.sockets) return Object.assign(d, { call: "fetch_sockets_response", requestId: m.requestId, sockets: JSON.stringify(m.sockets) });
  return Object.assign(d, { call: "remote_done_response", requestId: m.requestId });
}

const tick = () => new Promise((r) => setImmediate(r));

async function requestCases() {
  const pubs = [];
  const record = (kind, name, extra = {}) => {
    for (const [channel, buf] of pubs) cases.push(Object.assign({ kind, name }, extra, describe(channel, buf)));
    pubs.length = 0;
  };
  // The emitter's requests.
  const em = new Emitter(fakeClient(pubs, 1));
  em.serverSideEmit("ev", 1, "x", { a: [true, null] });
  record("emitter.request", "server_side_emit", { of: null, ops: [] });
  em.to("r").except("x").socketsJoin(["a", "b"]);
  record("emitter.request", "sockets_join", { of: null, ops: [["to", "r"], ["except", "x"]] });
  em.socketsLeave("c");
  record("emitter.request", "sockets_leave", { of: null, ops: [] });
  em.in(["r1", "r2"]).disconnectSockets(true);
  record("emitter.request", "disconnect_sockets", { of: null, ops: [["to", ["r1", "r2"]]] });
  em.of("chat").disconnectSockets();
  record("emitter.request", "disconnect_sockets.of", { of: "chat", ops: [] });

  // A node's requests (2 subscribers: every request waits for one answer).
  const srv = new Server({ adapter: createAdapter(fakeClient(pubs, 2), fakeClient([], 2)) });
  const root = srv.of("/");
  root.adapter.uid = "node01";
  const quiet = (p) => p && p.catch && p.catch(() => {});
  quiet(root.adapter.allRooms());
  await tick();
  record("adapter.request", "all_rooms");
  quiet(srv.in("r").except("x").fetchSockets());
  await tick();
  record("adapter.request", "fetch_sockets");
  srv.in("r").socketsJoin(["a", "é"]);
  srv.except("x").socketsLeave("b");
  srv.disconnectSockets(true);
  await tick();
  record("adapter.request", "join_leave_disconnect");
  srv.serverSideEmit("ev", 1, { b: "x" });
  await tick();
  record("adapter.request", "server_side_emit");
  srv.serverSideEmit("ev", 2, () => {});
  await tick();
  record("adapter.request", "server_side_emit.ack");
  srv.timeout(1000).emit("ev", 1, Buffer.from([1, 2]), () => {});
  srv.to("r").except("s").timeout(500).emit("ev2", () => {});
  await tick();
  record("adapter.request", "broadcast_with_ack");

  // A node's responses: two local sockets (fakes with what the in-memory adapter uses).
  const fakeSocket = (id, rooms) => ({
    id,
    handshake: { headers: { host: "localhost" }, time: "Mon Dec 07 2026", address: "::1", xdomain: false, secure: false, issued: 1796000000000, url: "/socket.io/?EIO=4&transport=websocket", query: { EIO: "4", transport: "websocket" }, auth: { token: "t" } },
    rooms: new Set(rooms),
    data: { user: id, n: 1 },
    acks: new Map(),
    client: { writeToEngine() {} },
    join() {},
    leave() {},
    disconnect() {},
  });
  for (const [id, rooms] of [["sid1", ["sid1", "room1"]], ["sid2", ["sid2", "room1", "room2"]]]) {
    root.sockets.set(id, fakeSocket(id, rooms));
    root.adapter.addAll(id, new Set(rooms));
  }
  root.on("ping", (x, cb) => cb({ pong: x }));
  const reqCh = "socket.io-request#/#";
  const ask = async (name, msg) => {
    await root.adapter.onrequest(reqCh, Buffer.isBuffer(msg) ? msg : Buffer.from(JSON.stringify(msg)));
    await tick();
    record("adapter.response", name);
  };
  await ask("sockets", { uid: "other", requestId: "q0", type: 0, rooms: ["room1"] });
  await ask("all_rooms", { uid: "other", requestId: "q1", type: 1 });
  await ask("fetch_sockets", { uid: "other", requestId: "q5", type: 5, opts: { rooms: ["room2"], except: [] } });
  await ask("remote_join.legacy", { uid: "other", requestId: "q2", type: 2, sid: "sid1", room: "room9" });
  await ask("remote_disconnect.legacy", { uid: "other", requestId: "q4", type: 4, sid: "sid2", close: true });
  await ask("server_side_emit.ack", { uid: "other", requestId: "q6", type: 6, data: ["ping", 1] });
  await ask("broadcast", notepack.encode({ uid: "other", requestId: "q7", type: 7, packet: { type: 2, data: ["ev", 1], nsp: "/" }, opts: { rooms: [], except: [], flags: { timeout: 1000 } } }));
  // The two clients answer the broadcast: one value, a Buffer, then nothing (undefined).
  const [s1, s2] = [root.sockets.get("sid1"), root.sockets.get("sid2")];
  const id1 = [...s1.acks.keys()][0];
  s1.acks.get(id1)("ok");
  s2.acks.get([...s2.acks.keys()][0])(Buffer.from([7, 8]));
  await tick();
  record("adapter.response", "broadcast_ack");
  await ask("broadcast.undefined", notepack.encode({ uid: "other", requestId: "q8", type: 7, packet: { type: 2, data: ["ev"], nsp: "/" }, opts: { rooms: ["room2"], except: [], flags: { timeout: 1000 } } }));
  const s2b = root.sockets.get("sid2");
  s2b.acks.get([...s2b.acks.keys()].pop())(undefined);
  await tick();
  record("adapter.response", "broadcast_ack.undefined");

  // publishOnSpecificResponseChannel: the response goes to the requester's own channel.
  const srv2 = new Server({ adapter: createAdapter(fakeClient(pubs, 2), fakeClient([], 2), { publishOnSpecificResponseChannel: true }) });
  const root2 = srv2.of("/");
  await root2.adapter.onrequest(reqCh, Buffer.from(JSON.stringify({ uid: "other", requestId: "q9", type: 1 })));
  await tick();
  record("adapter.response", "all_rooms.specific");
}

// ---- random cases (the differential test) ---------------------------------------------------
function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomCases(seed, count) {
  const rnd = mulberry32(seed);
  const int = (n) => Math.floor(rnd() * n);
  const pick = (a) => a[int(a.length)];
  const CHARS = ["a", "Z", "0", " ", "#", "/", "\\", '"', "\n", "é", "ß", "日", "😀", "\u0001", "\u007f"];
  const text = (max) => Array.from({ length: int(max + 1) }, () => pick(CHARS)).join("");
  const NUMBERS = () =>
    pick([
      () => int(256) - 128,
      () => int(70000),
      () => int(2 ** 32) * pick([1, -1]),
      () => int(2 ** 53) * pick([1, -1]),
      () => (rnd() - 0.5) * 10 ** int(20),
      () => pick([NaN, Infinity, -Infinity, -0, 0.5, 2 ** 32, -(2 ** 31), -(2 ** 31) - 1]),
    ])();
  const value = (depth) => {
    const k = int(depth > 3 ? 6 : 9);
    switch (k) {
      case 0: return text(int(3) === 0 ? 300 : 20);
      case 1: return NUMBERS();
      case 2: return pick([true, false, null]);
      case 3: return bytesOf(int(3) === 0 ? 300 : 8);
      case 4: return pick([undefined, "x", 1]);
      case 5: return text(5);
      case 6: return Array.from({ length: int(int(4) === 0 ? 18 : 4) }, () => value(depth + 1));
      default: {
        const o = {};
        const n = int(int(4) === 0 ? 18 : 4);
        for (let i = 0; i < n; i++) o[text(6) + i] = value(depth + 1);
        return o;
      }
    }
  };
  const bytesOf = (n) => Buffer.from(Array.from({ length: int(n + 1) }, () => int(256)));
  const ROOMS = ["r1", "r2", "r#3", "ルーム", "", "a b", "x".repeat(40)];
  const NSPS = ["/", "/chat", "/a#b", "/ü"];
  const EVENTS = ["ev", "événement", "x".repeat(33), "message"];
  for (let i = 0; i < count; i++) {
    const ops = [];
    for (let j = int(4); j > 0; j--) {
      const r = int(6);
      if (r === 0) ops.push(["volatile"]);
      else if (r === 1) ops.push(["compress", rnd() < 0.5]);
      else if (r === 2) ops.push(["except", int(2) ? pick(ROOMS) : [pick(ROOMS), pick(ROOMS)]]);
      else ops.push(["to", int(2) ? pick(ROOMS) : [pick(ROOMS), pick(ROOMS)]]);
    }
    const args = Array.from({ length: int(5) }, () => value(1));
    const event = pick(EVENTS);
    if (rnd() < 0.5) {
      emitterRun("random." + i, rnd() < 0.2 ? null : pick(NSPS), ops, event, args);
    } else {
      if (rnd() < 0.3) ops.push(["timeout", int(10000)]);
      adapterRun("random." + i, pick(NSPS), ops, event, args);
    }
  }
}

async function main() {
  const at = process.argv.indexOf("--random");
  if (at > 0) {
    // --random SEED COUNT OUT: random emits through the real packages, for the differential test.
    const [seed, count, out] = process.argv.slice(at + 1, at + 4);
    setup();
    randomCases(Number(seed), Number(count));
    fs.writeFileSync(out, cases.map((c) => JSON.stringify(c)).join("\n") + "\n");
    console.log(`wrote ${out}: ${cases.length} random vectors (seed ${seed})`);
    process.exit(0);
  }
  setup();
  emitterCases();
  adapterCases();
  await requestCases();
  const text = cases.map((c) => JSON.stringify(c)).join("\n") + "\n";
  if (process.argv.includes("--check")) {
    const old = fs.existsSync(OUT) ? fs.readFileSync(OUT, "utf8") : "";
    if (old !== text) {
      console.error("redis/generate.js: tests/reference/vectors/redis.jsonl is stale (run it without --check)");
      process.exit(1);
    }
    console.log(`redis.jsonl: ${cases.length} vectors, fresh`);
  } else {
    fs.writeFileSync(OUT, text);
    console.log(`wrote ${OUT}: ${cases.length} vectors`);
  }
  process.exit(0);
}
main();
