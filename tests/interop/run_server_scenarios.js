#!/usr/bin/env node
// SPDX-License-Identifier: BSL-1.0
// Interop tests, server direction: the real socket.io-client (4.8, and 2.5 for Engine.IO v3)
// against siocodec_server (examples/server), over real sockets on 127.0.0.1.
//
//   node run_server_scenarios.js --server PATH [--scenario NAME] [--transport T] [--list]
//
// Without --scenario every scenario runs over every transport it supports. Transports:
//   websocket  transports: ["websocket"]
//   polling    transports: ["polling"], upgrade: false   (long-polling only)
//   upgrade    transports: ["polling", "websocket"]      (starts on polling, upgrades)
//
// Scenarios named `msgpack.<name>` run with the msgpack parser: siocodec_server --parser msgpack,
// socket.io-client 4.8 with socket.io-msgpack-parser 3.0.2 (the `parser` option).
//
// Each scenario starts its own siocodec_server on a free port (--port 0) and stops it at the
// end, whatever happens: the server is killed in a finally block, on exit and on signals, and
// it also exits by itself when its stdin (a pipe from this process) closes. Every check reads
// both what the client received and what the server logged (one JSON line per packet).
'use strict';

const assert = require('assert/strict');
const crypto = require('crypto');
const http = require('http');
const path = require('path');
const { spawn } = require('child_process');

// Loaded by main() (so that --list works without node_modules, for CMake's configure step).
let Manager, ioV2, WebSocket, msgpackParser, notepack;
function loadClients() {
  const modules = path.join(__dirname, 'node_modules');
  ({ Manager } = require(path.join(modules, 'socket.io-client')));
  ioV2 = require(path.join(modules, 'socket.io-client-v2'));
  WebSocket = require(path.join(modules, 'ws'));
  msgpackParser = require(path.join(modules, 'socket.io-msgpack-parser'));
  notepack = require(path.join(modules, 'notepack.io'));
}

// The parser of the scenario running now ('default' or 'msgpack'): the clients use it.
let parserName = 'default';
const isMsgpack = () => parserName === 'msgpack';

const TRANSPORTS = ['websocket', 'polling', 'upgrade'];
// Generous: a Debug ASan server on a loaded 2-core CI machine reads 10,000 events in ~20 s.
const SCENARIO_TIMEOUT_MS = 80000;

// --- the server process ------------------------------------------------------------------------

const children = new Set();
process.on('exit', () => { for (const c of children) c.kill('SIGKILL'); });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

class ServerProcess {
  constructor(exe, args) {
    this.lines = [];       // parsed JSON log lines
    this.waiters = [];
    this.stderr = '';
    this.proc = spawn(exe, ['--port', '0', '--exit-with-stdin', '1', ...args],
                      { stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(this.proc);
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => {
      children.delete(this.proc);
      resolve({ code, signal });
    }));
    this.port = new Promise((resolve, reject) => {
      this.proc.on('error', reject);
      this.exited.then((e) => reject(new Error(`server exited early: ${JSON.stringify(e)} ${this.stderr}`)));
      let buffered = '';
      this.proc.stdout.setEncoding('utf8');
      this.proc.stdout.on('data', (chunk) => {
        buffered += chunk;
        let nl;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          const m = /^listening on (\d+)$/.exec(line);
          if (m) { resolve(Number(m[1])); continue; }
          this.lines.push(JSON.parse(line));
          this.waiters = this.waiters.filter((w) => !w());
        }
      });
    });
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', (d) => { this.stderr += d; });
  }

  find(pred) { return this.lines.find(pred); }
  filter(pred) { return this.lines.filter(pred); }

  // Resolves with the first log line matching `pred` (already logged or still to come).
  waitFor(pred, what, ms = 5000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server never logged ${what}`)), ms);
      const check = () => {
        const hit = this.lines.find(pred);
        if (hit) { clearTimeout(timer); resolve(hit); return true; }
        return false;
      };
      if (!check()) this.waiters.push(check);
    });
  }

  async stop() {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill('SIGTERM');
      const t = setTimeout(() => this.proc.kill('SIGKILL'), 2000);
      await this.exited;
      clearTimeout(t);
    }
  }
}

// --- clients ------------------------------------------------------------------------------------

const openClients = new Set();

function transportOptions(transport) {
  switch (transport) {
    case 'websocket': return { transports: ['websocket'] };
    case 'polling': return { transports: ['polling'], upgrade: false };
    case 'upgrade': return { transports: ['polling', 'websocket'], upgrade: true };
  }
  throw new Error(`unknown transport ${transport}`);
}

// A socket.io-client 4.8 Manager: one Engine.IO connection, any number of namespaces.
function manager(port, transport, extra = {}) {
  const m = new Manager(`http://127.0.0.1:${port}`, {
    ...transportOptions(transport), reconnection: false, timeout: 5000,
    ...(isMsgpack() ? { parser: msgpackParser } : {}), ...extra,
  });
  openClients.add(() => m._close ? m._close() : m.engine && m.engine.close());
  return m;
}

function connected(socket) {
  return new Promise((resolve, reject) => {
    if (socket.connected) return resolve(socket);
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (e) => reject(e));
  });
}

function refused(socket) {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => reject(new Error(`${socket.nsp}: connected, expected a refusal`)));
    socket.once('connect_error', (e) => resolve(e));
  });
}

// emit with an ack callback; resolves with ALL the ack's arguments.
function call(socket, event, ...args) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ack for ${event}`)), 30000);
    socket.emit(event, ...args, (...reply) => { clearTimeout(t); resolve(reply); });
  });
}

function nextEvent(socket, event, ms = 15000) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no event ${event}`)), ms);
    socket.once(event, (...args) => { clearTimeout(t); resolve(args); });
  });
}

// Buffers, ArrayBuffers and typed arrays all compare as Buffers.
function normalize(v) {
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof ArrayBuffer) return Buffer.from(v);
  if (ArrayBuffer.isView(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v)) o[k] = normalize(v[k]);
    return o;
  }
  return v;
}

function same(actual, expected, what) {
  assert.deepStrictEqual(normalize(actual), normalize(expected), what);
}

// In the upgrade transport, the session must end up on WebSocket, on both sides.
async function checkUpgrade(server, m, transport) {
  if (transport !== 'upgrade') return;
  const engine = m.engine;
  if (engine.transport.name !== 'websocket') {
    await new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('the client never upgraded')), 5000);
      engine.once('upgrade', () => { clearTimeout(t); resolve(); });
    });
  }
  await server.waitFor((l) => l.type === 'upgrade' && l.sid === engine.id, 'the upgrade');
}

function transportOf(transport) { return transport === 'polling' ? 'polling' : 'websocket'; }

// --- raw Engine.IO, for what the client library cannot show (status codes, close codes) --------

function httpRequest(port, method, query, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: `/socket.io/?${query}`,
                               headers: { 'Content-Type': 'text/plain;charset=UTF-8', ...headers },
                               agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString(),
                                    type: res.headers['content-type'] }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

async function pollingHandshake(port) {
  const r = await httpRequest(port, 'GET', 'EIO=4&transport=polling');
  assert.equal(r.status, 200);
  assert.equal(r.body[0], '0', `open packet expected, got ${r.body.slice(0, 40)}`);
  return JSON.parse(r.body.slice(1).split('\x1e')[0]);
}

function rawWebSocket(port, query = 'EIO=4&transport=websocket') {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?${query}`);
  ws.received = [];
  ws.on('message', (data, isBinary) => ws.received.push(isBinary ? data : data.toString()));
  ws.closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  ws.opened = new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject); });
  openClients.add(() => ws.terminate());
  return ws;
}

// --- scenarios ----------------------------------------------------------------------------------
// Each: { transports, serverArgs, run(server, port, transport) }.

const scenarios = {};

// Handshake values, the heartbeat kept alive over several ping intervals, and a client that
// stops answering pings being dropped after pingTimeout.
scenarios.heartbeat = {
  serverArgs: ['--ping-interval', '150', '--ping-timeout', '400'],
  async run(server, port, transport) {
    const m = manager(port, transport);
    const s = m.socket('/');
    await connected(s);
    const engine = m.engine;
    assert.match(engine.id, /^[A-Za-z0-9_-]{20}$/);
    assert.equal(engine._pingInterval, 150);
    assert.equal(engine._pingTimeout, 400);
    assert.equal(engine._maxPayload, 1000000);
    const open = await server.waitFor((l) => l.type === 'open' && l.sid === engine.id, 'open');
    assert.equal(open.eio, 4);
    let pings = 0;
    engine.on('ping', () => { pings++; });
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok(pings >= 4, `only ${pings} pings in 1 s with pingInterval 150`);
    same(await call(s, 'echo', 'still here'), ['still here'], 'echo after the pings');
    assert.equal(server.find((l) => l.type === 'close' && l.sid === engine.id), undefined);
    await checkUpgrade(server, m, transport);

    // A client that never answers: the session ends with "ping timeout".
    let sid;
    const t0 = Date.now();
    if (transport === 'polling') {
      sid = (await pollingHandshake(port)).sid;
      // No GET and no pong from now on.
    } else {
      const ws = rawWebSocket(port);
      await ws.opened;
      await new Promise((r) => setTimeout(r, 50));
      sid = JSON.parse(ws.received[0].slice(1)).sid;
      const code = await ws.closed;
      assert.ok(code === 1000 || code === 1005, `close code ${code}`);
    }
    const closed = await server.waitFor((l) => l.type === 'close' && l.sid === sid, 'the timeout');
    assert.equal(closed.reason, 'ping timeout');
    const elapsed = Date.now() - t0;
    assert.ok(elapsed >= 500 && elapsed < 3000, `dropped after ${elapsed} ms (expected ~550)`);
  },
};

// A long-poll GET whose client goes away before it is answered ends the session at once, as
// the reference's does (polling.js: "poll connection closed prematurely", a transport error),
// not after the ping timeout (25 s here): the example tells the engine (handle_get_aborted).
scenarios.get_aborted = {
  transports: ['polling'],
  async run(server, port) {
    const { sid } = await pollingHandshake(port);
    const req = http.request({ host: '127.0.0.1', port, method: 'GET', agent: false,
                               path: `/socket.io/?EIO=4&transport=polling&sid=${sid}` });
    req.on('error', () => {});
    req.end();
    await new Promise((r) => setTimeout(r, 200));  // the GET is held (nothing to send)
    assert.equal(server.find((l) => l.type === 'close' && l.sid === sid), undefined);
    const t0 = Date.now();
    req.destroy();
    const closed = await server.waitFor((l) => l.type === 'close' && l.sid === sid, 'the close');
    assert.equal(closed.reason, 'transport error');
    assert.ok(Date.now() - t0 < 2000, `closed after ${Date.now() - t0} ms`);
  },
};

// The heartbeat timing of issue 21, at pingInterval 1 s: an idle session stays up for 10 s (the
// client answers every ping), and a client that stops answering (a raw polling client that never
// GETs, a raw WebSocket that never pongs) is dropped within pingInterval + pingTimeout, plus a
// margin for a loaded machine.
scenarios.heartbeat_timing = {
  serverArgs: ['--ping-interval', '1000', '--ping-timeout', '1000'],
  async run(server, port, transport) {
    const m = manager(port, transport);
    const s = m.socket('/');
    await connected(s);
    const engine = m.engine;
    assert.equal(engine._pingInterval, 1000);
    let pings = 0;
    engine.on('ping', () => { pings++; });
    await new Promise((r) => setTimeout(r, 10000));
    assert.equal(server.find((l) => l.type === 'close' && l.sid === engine.id), undefined,
                 'the idle session was closed');
    assert.ok(pings >= 8, `only ${pings} pings in 10 s with pingInterval 1000`);
    same(await call(s, 'echo', 'after 10 s'), ['after 10 s'], 'echo after 10 s idle');
    await checkUpgrade(server, m, transport);

    const t0 = Date.now();
    let sid;
    if (transport === 'polling') {
      sid = (await pollingHandshake(port)).sid;  // then no GET, no pong
    } else {
      const ws = rawWebSocket(port);
      await ws.opened;
      await new Promise((r) => setTimeout(r, 50));
      sid = JSON.parse(ws.received[0].slice(1)).sid;  // then no pong
    }
    const closed = await server.waitFor((l) => l.type === 'close' && l.sid === sid, 'the timeout');
    assert.equal(closed.reason, 'ping timeout');
    const elapsed = Date.now() - t0;
    assert.ok(elapsed >= 1990 && elapsed < 2600, `dropped after ${elapsed} ms (expected 2000)`);
  },
};

// Several namespaces over one connection, with auth; socket ids; events land in the right one.
scenarios.namespaces_auth = {
  async run(server, port, transport) {
    const m = manager(port, transport);
    const main = m.socket('/');
    const admin = m.socket('/admin', { auth: { token: 'secret' } });
    const uni = m.socket('/ünïcødé-😀');
    await Promise.all([connected(main), connected(admin), connected(uni)]);
    for (const [s, nsp] of [[main, '/'], [admin, '/admin'], [uni, '/ünïcødé-😀']]) {
      const [who] = await call(s, 'whoami');
      same(who, { nsp, id: s.id }, `whoami in ${nsp}`);
      const hit = await server.waitFor((l) => l.type === 'event' && l.nsp === nsp &&
                                       l.name === 'whoami', `whoami in ${nsp}`);
      assert.equal(hit.sid, m.engine.id, 'one Engine.IO session for every namespace');
    }
    const connects = server.filter((l) => l.type === 'connect' && l.sid === m.engine.id);
    same(connects.map((l) => l.nsp).sort(), ['/', '/admin', '/ünïcødé-😀'].sort(), 'CONNECTs');
    same(server.find((l) => l.type === 'connect' && l.nsp === '/admin').data, { token: 'secret' },
         'the auth payload');
    // Leaving one namespace keeps the others.
    admin.disconnect();
    await server.waitFor((l) => l.type === 'disconnect' && l.nsp === '/admin', 'DISCONNECT');
    same(await call(main, 'echo', 1), [1], 'main namespace after leaving /admin');
    same(await call(uni, 'echo', 2), [2], 'unicode namespace after leaving /admin');
    await checkUpgrade(server, m, transport);
  },
};

// CONNECT_ERROR: rejected auth and unknown namespaces; the connection survives both.
scenarios.connect_error = {
  async run(server, port, transport) {
    const m = manager(port, transport);
    const main = m.socket('/');
    await connected(main);
    const noAuth = m.socket('/admin');
    const e1 = await refused(noAuth);
    assert.equal(e1.message, 'not authorized');
    // socket.io-client keeps one socket per namespace and manager: a new manager for the next.
    const m2 = manager(port, transport);
    const e2 = await refused(m2.socket('/admin', { auth: { token: 'nope' } }));
    assert.equal(e2.message, 'not authorized');
    const e3 = await refused(m.socket('/does-not-exist'));
    assert.equal(e3.message, 'Invalid namespace');
    const logged = await server.waitFor((l) => l.type === 'connect_refused' &&
                                        l.nsp === '/does-not-exist', 'the refusal');
    assert.equal(logged.message, 'Invalid namespace');
    assert.equal(server.filter((l) => l.type === 'connect_refused' && l.nsp === '/admin').length, 2);
    same(await call(main, 'echo', 'alive'), ['alive'], 'the session after the refusals');
    await checkUpgrade(server, m, transport);
  },
};

// Acks both ways: values, binary, id 0.
scenarios.acks = {
  async run(server, port, transport) {
    const m = manager(port, transport);
    const s = m.socket('/');
    await connected(s);
    // The client's first ack id is 0.
    // 1e21 only with the default parser: notepack.io 2.2 (msgpack) writes integral numbers of
    // 2^64 and more as a uint 64 of wrapped bits (1e21: cf 35 c9 ad c5 de a0 00 00).
    const values = ['a', 1, -2.5, true, false, null, { x: [1, { y: 'z' }] }, [], {},
                    ...(isMsgpack() ? [] : [1e21])];
    same(await call(s, 'echo', ...values), values, 'ack values');
    const first = await server.waitFor((l) => l.name === 'echo', 'the first echo');
    assert.equal(first.id, 0, 'ack id 0 from the client');
    same(await call(s, 'echo'), [], 'ack without values');
    // Binary in an ack.
    const blob = crypto.randomBytes(1000);
    same(await call(s, 'echo', blob, { nested: blob }), [blob, { nested: blob }], 'binary ack');
    // Server -> client ack request: the server's first ack id is 0, answered with binary.
    s.on('ask', (...args) => {
      const ack = args.pop();
      ack({ got: args }, Buffer.from('ack-bytes'));
    });
    same(await call(s, 'server_ack', 'q', 7), [{ got: ['q', 7] }, Buffer.from('ack-bytes')],
         'server-side ack chain');
    const ackLine = await server.waitFor((l) => (l.type === 'binary_ack' || l.type === 'ack') &&
                                          l.id === 0, 'the client ACK with id 0');
    if (isMsgpack()) {
      // No BINARY_ACK in msgpack: the bytes are inline, logged as {"$binary"}.
      assert.equal(ackLine.type, 'ack');
      same(ackLine.data, [{ got: ['q', 7] }, { $binary: Buffer.from('ack-bytes').toString('hex') }],
           'the ack as the server decoded it');
    } else {
      assert.equal(ackLine.type, 'binary_ack');
      same(ackLine.attachments, [9], 'the ack attachment');
    }
    // Without an ack on the original event, the result comes back as an event.
    const result = nextEvent(s, 'server_ack_result');
    s.emit('server_ack', 'no-ack');
    same(await result, [{ got: ['no-ack'] }, Buffer.from('ack-bytes')], 'server_ack_result');
    await checkUpgrade(server, m, transport);
  },
};

// Binary: nested at depth, several attachments, 1 MB; both directions.
scenarios.binary = {
  serverArgs: ['--max-payload', '3000000'],
  async run(server, port, transport) {
    const m = manager(port, transport);
    const s = m.socket('/');
    await connected(s);
    const b = (n) => crypto.randomBytes(n);
    let deep = b(3);
    for (let i = 0; i < 20; i++) deep = i % 2 ? { level: i, next: deep } : [i, deep];
    same(await call(s, 'echo', deep), [deep], 'an attachment 20 levels deep');
    const several = [b(1), { a: b(2), list: [b(0), b(4), { c: b(5) }] }, 'text', b(6), b(7)];
    same(await call(s, 'echo', ...several), several, 'seven attachments');
    const big = b(1 << 20);
    const [echoed, summary] = await call(s, 'binary_echo', big);
    same(echoed, big, '1 MB attachment');
    same(summary, { attachments: 1, sizes: [1 << 20] }, 'what the server received');
    const logged = await server.waitFor((l) => l.name === 'binary_echo', 'binary_echo');
    if (isMsgpack()) {
      assert.ok(logged.data_size > 2 << 20, 'the 1 MB bin, logged in hex');
    } else {
      same(logged.attachments, [1 << 20], 'attachment size in the server log');
    }
    // Server -> client binary event (echo without an ack is emitted back).
    const back = nextEvent(s, 'echo');
    s.emit('echo', { x: b(10) }, [b(11), b(12)]);
    const got = await back;
    assert.equal(got.length, 2);
    assert.equal(normalize(got[0]).x.length, 10);
    same(got[1].map((x) => normalize(x).length), [11, 12], 'binary event from the server');
    await checkUpgrade(server, m, transport);
  },
};

// Unicode and emoji in event names, namespaces and payloads.
scenarios.unicode = {
  async run(server, port, transport) {
    const m = manager(port, transport);
    const s = m.socket('/ünïcødé-😀');
    await connected(s);
    const name = 'évènement-😀-ευρώ-汉字';
    // A lone surrogate only with the default parser: notepack.io 2.2 (msgpack) writes '\ud83d' as
    // f0 9f 90 80, the UTF-8 of U+1F400, so it would not come back as itself from any server.
    const payload = ['😀👍🏽👨‍👩‍👧', 'naïve café', 'Ελληνικά', '中文', 'ＡＢＣ', '\u2028\u2029',
                     'quote " backslash \\ tab \t nl \n ctl \u0001',
                     ...(isMsgpack() ? [] : ['\ud83d']), { 'ключ': 'значение' }];
    same(await call(s, name, ...payload), payload, 'a unicode event acked back');
    const logged = await server.waitFor((l) => l.name === name, 'the unicode event');
    assert.equal(logged.nsp, '/ünïcødé-😀');
    same(logged.data.slice(1, 6), payload.slice(0, 5), 'payload as the server logged it');
    const back = nextEvent(s, name);
    s.emit(name, '😀');
    same(await back, ['😀'], 'a unicode event emitted back by the server');
    await checkUpgrade(server, m, transport);
  },
};

// A 1 MB JSON event, acked back whole.
scenarios.large_json = {
  serverArgs: ['--max-payload', '3000000'],
  async run(server, port, transport) {
    const m = manager(port, transport);
    const s = m.socket('/');
    await connected(s);
    const rows = [];
    for (let i = 0, size = 0; size < (1 << 20); i++) {
      rows.push({ id: i, name: `row ${i} ü😀`, tags: ['a', 'b'], value: i * 0.5 });
      size += Buffer.byteLength(JSON.stringify(rows[i])) + 1;
    }
    const text = 'x'.repeat(1 << 20);
    same(await call(s, 'echo', rows), [rows], '1 MB of JSON objects');
    same(await call(s, 'echo', text), [text], 'a 1 MB string');
    const logged = await server.waitFor((l) => l.name === 'echo' && l.data_size > (1 << 20),
                                        'the large events');
    assert.ok(logged.data_size > (1 << 20));
    await checkUpgrade(server, m, transport);
  },
};

// 10,000 events each way, in order, nothing lost.
scenarios.ordered_10000 = {
  async run(server, port, transport) {
    const m = manager(port, transport);
    const s = m.socket('/');
    await connected(s);
    const N = 10000;
    for (let i = 0; i < N - 1; i++) s.emit('count', i);
    same(await call(s, 'count', N - 1), [{ count: N, ordered: true }], 'client -> server order');
    const counted = server.filter((l) => l.name === 'count').map((l) => l.data[1]);
    same(counted, [...Array(N).keys()], 'the server log, in order');
    const received = [];
    s.on('flood', (i) => received.push(i));
    same(await call(s, 'flood', N), [N], 'flood ack');
    same(received, [...Array(N).keys()], 'server -> client order');
    await checkUpgrade(server, m, transport);
  },
};

// Connection state recovery (siocodec_server --recovery, socket.io's connectionStateRecovery),
// what the retired interop.sioserver.recovery checked on sio_engine_server.cpp: the client
// loses its transport (its engine closed under it: "transport close" on the server, a reason
// that allows recovery), events are broadcast while it is away, and when it connects again it
// gets its socket back (socket.recovered, the same id) with the missed events, in order, before
// 'connect' (socket.io 4.8 writes them before the CONNECT reply). `broadcast` [from, to] emits
// "tick" i to every socket of the namespace through its recovery store.
scenarios.recovery = {
  transports: ['websocket', 'polling'],
  serverArgs: ['--recovery', '60000'],
  async run(server, port, transport) {
    const m = manager(port, transport);  // reconnection off: the test says when to come back
    const s = m.socket('/');
    const got = [];
    s.on('tick', (i) => got.push(i));
    await connected(s);
    assert.equal(s.recovered, false, 'a first connect is not recovered');
    const id = s.id, engineId = m.engine.id;
    // socket.io recovers a socket only when it holds an offset: it got a broadcast event.
    same(await call(s, 'broadcast', 1, 3), [3], 'ticks 1..3');
    for (let i = 0; i < 500 && got.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    same(got, [1, 2, 3], 'ticks 1..3 received');
    const gone = new Promise((r) => s.once('disconnect', r));
    m.engine.close();
    await gone;
    await server.waitFor((l) => l.type === 'disconnect' && l.sid === engineId && l.nsp === '/',
                         'the lost socket');
    // Broadcast by another client while the first one is away.
    const other = manager(port, transport).socket('/');
    await connected(other);
    same(await call(other, 'broadcast', 4, 8), [5], 'ticks 4..8 while away');
    const back = new Promise((resolve) => s.once('connect', () => resolve(got.slice())));
    s.connect();
    same(await back, [1, 2, 3, 4, 5, 6, 7, 8], "the missed events, in order, before 'connect'");
    assert.equal(s.recovered, true, 'socket.recovered');
    assert.equal(s.id, id, 'the same socket id');
    const restored = await server.waitFor((l) => l.type === 'connect' && l.nsp === '/' &&
                                          l.sid === m.engine.id, 'the recovering CONNECT');
    assert.ok(restored.data && typeof restored.data.pid === 'string', 'the CONNECT carries the pid');
    same(await call(s, 'broadcast', 9, 10), [2], 'ticks 9..10');
    for (let i = 0; i < 500 && got.length < 10; i++) await new Promise((r) => setTimeout(r, 10));
    same(got, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'every event once and in order');
  },
};

// maxPayload: a body over the limit is refused with 413, a WebSocket message with close 1009;
// exactly at the limit both pass.
scenarios.max_payload = {
  transports: ['websocket', 'polling'],
  serverArgs: ['--max-payload', '10000'],
  async run(server, port, transport) {
    const event = (len) => {
      const head = '42["echo","';
      return head + 'x'.repeat(len - head.length - 2) + '"]';
    };
    if (transport === 'polling') {
      const hs = await pollingHandshake(port);
      assert.equal(hs.maxPayload, 10000);
      const q = `EIO=4&transport=polling&sid=${hs.sid}`;
      assert.equal((await httpRequest(port, 'POST', q, '40')).status, 200);
      const atLimit = await httpRequest(port, 'POST', q, event(10000));
      assert.equal(atLimit.status, 200, 'a body of exactly maxPayload bytes');
      await server.waitFor((l) => l.sid === hs.sid && l.name === 'echo', 'the event at the limit');
      const over = await httpRequest(port, 'POST', q, event(10001));
      assert.equal(over.status, 413, 'a body over maxPayload');
      // As in the reference server, the body is dropped but the session stays.
      const poll = await httpRequest(port, 'GET', q);
      assert.equal(poll.status, 200);
      assert.match(poll.body, /^40\{"sid":"[A-Za-z0-9_-]{20}"\}\x1e42\["echo","x+"\]$/);
      assert.equal(server.filter((l) => l.sid === hs.sid && l.name === 'echo').length, 1);
    } else {
      const ws = rawWebSocket(port);
      await ws.opened;
      ws.send('40');
      await server.waitFor((l) => l.type === 'connect', 'CONNECT');
      ws.send(event(10000));
      await server.waitFor((l) => l.name === 'echo', 'the event at the limit');
      ws.send(event(10001));
      assert.equal(await ws.closed, 1009, 'close code for a message over maxPayload');
      await server.waitFor((l) => l.type === 'close', 'the session end');
    }
    // And the real client: an oversize emit ends its connection.
    const m = manager(port, transport);
    const s = m.socket('/');
    await connected(s);
    same(await call(s, 'echo', 'small'), ['small'], 'a small event');
    const gone = nextEvent(s, 'disconnect', 5000);
    s.emit('echo', 'y'.repeat(20000));
    const [reason] = await gone;
    assert.match(reason, /transport (close|error)/);
  },
};

// Engine.IO v3 / Socket.IO protocol v4: the socket.io-client 2.5 client.
scenarios.eio3 = {
  // A short interval, so that the client pings several times during the scenario; a long
  // timeout, because the client's next pong waits behind the 1000 events it queued before its
  // ping (under ASan on a loaded machine, the server takes over a second to read them).
  serverArgs: ['--ping-interval', '300', '--ping-timeout', '5000'],
  async run(server, port, transport) {
    const opts = { ...transportOptions(transport), forceNew: true, reconnection: false };
    const track = (s) => { openClients.add(() => s.close()); return s; };
    const url = `http://127.0.0.1:${port}`;
    const main = track(ioV2(`${url}/`, opts));
    await new Promise((resolve, reject) => { main.on('connect', resolve); main.on('connect_error', reject); });
    const engine = main.io.engine;
    const open = await server.waitFor((l) => l.type === 'open' && l.sid === engine.id, 'open');
    assert.equal(open.eio, 3);
    // Values, binary and unicode, acked back.
    const values = ['é😀', 1, { a: [Buffer.from([1, 2, 3]), { b: Buffer.alloc(3000, 9) }] }, null];
    same(await call(main, 'echo', ...values), values, 'v3 ack with binary');
    const echoLine = await server.waitFor((l) => l.sid === engine.id && l.name === 'echo', 'echo');
    assert.equal(echoLine.id, 0);
    // Server -> client ack.
    main.on('ask', (...args) => { const ack = args.pop(); ack({ got: args }, Buffer.from('v3')); });
    same(await call(main, 'server_ack', 5), [{ got: [5] }, Buffer.from('v3')], 'v3 server ack');
    // Ordered events and heartbeats (the v3 client pings every 300 ms).
    for (let i = 0; i < 999; i++) main.emit('count', i);
    same(await call(main, 'count', 999), [{ count: 1000, ordered: true }], 'v3 order');
    // Namespaces: auth in the query string, refusals as ERROR packets.
    const admin = track(ioV2(`${url}/admin`, { ...opts, query: { token: 'secret' } }));
    await new Promise((resolve, reject) => { admin.on('connect', resolve); admin.on('error', reject); });
    const [who] = await call(admin, 'whoami');
    assert.equal(who.nsp, '/admin');
    // The Socket.IO engine names a v4 socket as socket.io 2.x does (socket.js: nsp.name + '#' +
    // client.id outside the main namespace), which is also the id the 2.x client computes.
    assert.match(who.id, /^\/admin#[A-Za-z0-9_-]{20}$/);
    assert.equal(who.id, admin.id);
    // Protocol v4 carries the auth in the namespace's query string.
    await server.waitFor((l) => l.type === 'connect' && l.nsp === '/admin?token=secret', 'CONNECT');
    const bad = track(ioV2(`${url}/admin`, { ...opts, query: { token: 'nope' } }));
    const err = await new Promise((resolve, reject) => {
      bad.on('error', resolve);
      bad.on('connect', () => reject(new Error('connected with a wrong token')));
    });
    assert.equal(err, 'not authorized');
    const unknown = track(ioV2(`${url}/nope`, opts));
    assert.equal(await new Promise((resolve) => unknown.on('error', resolve)), 'Invalid namespace');
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(server.find((l) => l.type === 'close' && l.sid === engine.id), undefined,
                 'the v3 heartbeat keeps the session');
    if (transport === 'upgrade') {
      if (engine.transport.name !== 'websocket') await new Promise((r) => engine.once('upgrade', r));
      await server.waitFor((l) => l.type === 'upgrade' && l.sid === engine.id, 'the v3 upgrade');
    }
  },
};

// msgpack only: every msgpack form of the values JavaScript has, both ways. Over the real client,
// then over a raw WebSocket, where the server's messages are compared byte for byte with what
// the reference encoder (socket.io-msgpack-parser's Encoder, notepack.io) writes for the same
// packets: our encoder must pick the same forms, keys and key order.
const msgpackScenarios = {};
msgpackScenarios.forms = {
  transports: ['websocket', 'polling'],
  async run(server, port, transport) {
    const bin = (n, seed) => Buffer.alloc(n, seed);
    const small = [0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296, 2 ** 53 - 1,
                   2 ** 63, -1, -32, -33, -128, -129, -32768, -32769, -(2 ** 31), -(2 ** 31) - 1,
                   -(2 ** 53 - 1), 0.5, -1.25, 1e-7, 5e-324, 1.5e-300, 123.456, true, false, null,
                   '', 'x'.repeat(31), 'x'.repeat(32), 'é😀', bin(0, 0), bin(3, 7),
                   [], [1, [2, [3]]], {}, { a: { b: [bin(2, 1)] } }];
    const large = ['y'.repeat(255), 'y'.repeat(256), 'z'.repeat(65536), bin(255, 1), bin(256, 2),
                   bin(65536, 3), Array.from({ length: 16 }, (_, i) => i),
                   Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, i / 4]))];
    const all = [...small, ...large];
    const m = manager(port, transport);
    const s = m.socket('/');
    await connected(s);
    same(await call(s, 'echo', ...small), small, 'the small forms, acked back');
    const logged = await server.waitFor((l) => l.name === 'echo' && l.data, 'the small echo');
    same(logged.data, ['echo', ...normalizeHex(small)], 'the values as the server decoded them');
    same(await call(s, 'echo', ...all), all, 'every form, acked back');
    // Server -> client with an ack request, answered by the client, acked back by the server.
    s.on('ask', (...args) => { const ack = args.pop(); ack(...args); });
    same(await call(s, 'server_ack', ...all), all, 'every form through the server\'s ack request');
    if (transport !== 'websocket') return;

    // Byte for byte, over a raw Engine.IO v4 WebSocket (binary frames are the msgpack messages).
    const enc = new msgpackParser.Encoder();
    const ws = rawWebSocket(port);
    await ws.opened;
    const frames = [];
    ws.on('message', (data, isBinary) => { if (isBinary) frames.push(Buffer.from(data)); });
    const nextFrame = async (what) => {
      for (let i = 0; i < 500 && !frames.length; i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(frames.length, `no binary frame for ${what}`);
      return frames.shift();
    };
    ws.send(enc.encode({ type: 0, nsp: '/', data: { token: 'x' } })[0]);
    const connect = await nextFrame('the CONNECT');
    const c = notepack.decode(connect);
    assert.match(c.data.sid, /^[A-Za-z0-9_-]{20}$/);
    assert.deepEqual(connect, enc.encode({ type: 0, nsp: '/', data: { sid: c.data.sid } })[0],
                     'CONNECT as the reference encodes it');
    ws.send(enc.encode({ type: 2, nsp: '/', data: ['echo', ...small], id: 4294967296 })[0]);
    const ack = await nextFrame('the ACK');
    assert.deepEqual(ack, enc.encode({ type: 3, nsp: '/', data: small, id: 4294967296 })[0],
                     `ACK as the reference encodes it: ${ack.toString('hex').slice(0, 200)}`);
    ws.send(enc.encode({ type: 2, nsp: '/', data: ['echo', ...large] })[0]);
    const echoed = await nextFrame('the echo EVENT');
    assert.deepEqual(echoed, enc.encode({ type: 2, nsp: '/', data: ['echo', ...large] })[0],
                     'EVENT as the reference encodes it');
    ws.send(enc.encode({ type: 0, nsp: '/nowhere' })[0]);
    const refusal = { type: 4, nsp: '/nowhere', data: { message: 'Invalid namespace' } };
    assert.deepEqual(await nextFrame('the CONNECT_ERROR'), enc.encode(refusal)[0],
                     'CONNECT_ERROR as the reference encodes it');
    ws.close();
  },
};

// The server's log writes binary values as {"$binary":"<hex>"}.
function normalizeHex(v) {
  if (Buffer.isBuffer(v)) return { $binary: v.toString('hex') };
  if (Array.isArray(v)) return v.map(normalizeHex);
  if (v && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v)) o[k] = normalizeHex(v[k]);
    return o;
  }
  return v;
}

// The scenarios run with the msgpack parser too (max_payload and eio3 test the default parser's
// framing and Socket.IO 2.x; heartbeat does not depend on the parser).
const withMsgpack = (sc) => ({ ...sc, serverArgs: [...(sc.serverArgs || []), '--parser', 'msgpack'] });
for (const name of ['namespaces_auth', 'connect_error', 'acks', 'binary', 'unicode', 'large_json',
                    'ordered_10000', 'recovery']) {
  scenarios[`msgpack.${name}`] = withMsgpack(scenarios[name]);
}
for (const [name, sc] of Object.entries(msgpackScenarios)) scenarios[`msgpack.${name}`] = withMsgpack(sc);

// --- driver -------------------------------------------------------------------------------------

function parseArgs(argv) {
  const out = {};
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--list') out.list = true;
    else if (a.startsWith('--') && i + 1 < argv.length) out[a.slice(2)] = argv[++i];
    else throw new Error(`bad argument ${a}`);
  }
  return out;
}

function withTimeout(promise, ms, what) {
  let t;
  return Promise.race([
    promise,
    new Promise((_, reject) => { t = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(t));
}

async function runOne(exe, name, transport) {
  const sc = scenarios[name];
  parserName = name.startsWith('msgpack.') ? 'msgpack' : 'default';
  const server = new ServerProcess(exe, sc.serverArgs || []);
  const t0 = Date.now();
  try {
    const port = await withTimeout(server.port, 10000, 'server start');
    await withTimeout(sc.run(server, port, transport), SCENARIO_TIMEOUT_MS, `${name}.${transport}`);
    console.log(`PASS ${name}.${transport} (${Date.now() - t0} ms)`);
    return true;
  } catch (e) {
    console.log(`FAIL ${name}.${transport} (${Date.now() - t0} ms): ${e && e.stack || e}`);
    console.log(`  last server lines:\n    ${server.lines.slice(-8).map((l) => JSON.stringify(l).slice(0, 300)).join('\n    ')}`);
    if (server.stderr) console.log(`  server stderr: ${server.stderr}`);
    return false;
  } finally {
    for (const close of openClients) { try { close(); } catch (_) { /* already closed */ } }
    openClients.clear();
    await server.stop();
  }
}

async function main() {
  const args = parseArgs(process.argv);
  const all = [];
  for (const [name, sc] of Object.entries(scenarios)) {
    for (const t of sc.transports || TRANSPORTS) all.push([name, t]);
  }
  if (args.list) {
    for (const [name, t] of all) console.log(`${name} ${t}`);
    return 0;
  }
  if (!args.server) throw new Error('--server PATH is required');
  // Every package loadClients() loads. Not installed (npm ci here, or tools/setup.sh): exit code
  // 77, which ctest counts as skipped except in CI (SIOCODEC_REQUIRE_REFERENCE=ON registers these
  // tests without SKIP_RETURN_CODE: a failure).
  const missing = ['socket.io-client', 'socket.io-client-v2', 'ws', 'socket.io-msgpack-parser',
                   'notepack.io']
      .filter((p) => !require('fs').existsSync(path.join(__dirname, 'node_modules', p)));
  if (missing.length) {
    console.log(`SKIP: tests/interop/node_modules lacks ${missing.join(', ')} ` +
                '(run npm ci in tests/interop)');
    return 77;
  }
  loadClients();
  const selected = all.filter(([name, t]) => (!args.scenario || args.scenario === name) &&
                                             (!args.transport || args.transport === t));
  if (selected.length === 0) throw new Error(`no scenario ${args.scenario} over ${args.transport}`);
  let failed = 0;
  for (const [name, t] of selected) if (!(await runOne(args.server, name, t))) failed++;
  return failed ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => { console.error(e); process.exit(2); });
