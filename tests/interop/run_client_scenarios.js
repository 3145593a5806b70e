#!/usr/bin/env node
// SPDX-License-Identifier: BSL-1.0
// Interop tests, client direction: the C++ client (examples/client, siocodec_client) against a
// real socket.io server (node_server.js: socket.io 4.8 or 2.5).
//
//   node run_client_scenarios.js --client PATH [--scenario NAME|all] [--transport websocket|polling]
//                                [--list] [--verbose]
//
// For each scenario: start node_server.js on 127.0.0.1 with a free port, run the client with a
// script, then check the client's JSON lines (examples/client/README.md) and what the server
// observed (GET /observations). Both processes run in their own process groups and are killed
// at the end whatever happens (timeouts, failed checks, exceptions, signals); the server also
// exits by itself when this driver's pipe to its stdin closes.
//
// Transports: `websocket` starts on WebSocket; `polling` stays on HTTP long-polling
// (--no-upgrade), so that every packet crosses the polling framing. The `upgrade` scenario
// starts on polling and upgrades to WebSocket. Scenario names ending in _v2 run against
// socket.io 2.5 (Engine.IO v3, Socket.IO protocol v4) with `--eio 3`. Scenario names starting
// with `msgpack.` run against socket.io 4.8 configured with socket.io-msgpack-parser 3.0.2, the
// client with `--parser msgpack`.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const assert = require('assert');

// --- arguments ---------------------------------------------------------------------------------
function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const clientPath = arg('client', process.env.SIOCODEC_CLIENT);
const only = arg('scenario', 'all');
const onlyTransport = arg('transport', 'all');
const verbose = process.argv.includes('--verbose');

// --- process handling --------------------------------------------------------------------------
const {killAll, spawnGroup} = require('./child_processes');

function startServer(sio, parser, extra = []) {
  return new Promise((resolve, reject) => {
    const child = spawnGroup(process.execPath,
                             [path.join(__dirname, 'node_server.js'), '--sio', String(sio),
                              '--parser', parser, ...extra]);
    let out = '', err = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${err}`)), 15000);
    child.stderr.on('data', (d) => { err += d; });
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve({child, port: JSON.parse(out.slice(0, nl)).port, stderr: () => err});
      }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}: ${err}`)); });
  });
}

function stopServer(server) {
  try { server.child.stdin.end(); } catch (_) { /* gone */ }
  try { process.kill(-server.child.pid, 'SIGKILL'); } catch (_) { /* gone */ }
}

function runClient(args, scriptLines, timeoutMs) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'siocodec-interop-'));
  const scriptFile = path.join(dir, 'script.jsonl');
  fs.writeFileSync(scriptFile, scriptLines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return new Promise((resolve) => {
    const child = spawnGroup(clientPath, [...args, '--script', scriptFile]);
    child.stdin.end();
    const out = [], err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid, 'SIGKILL'); } catch (_) { /* gone */ }
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      fs.rmSync(dir, {recursive: true, force: true});
      const stdout = Buffer.concat(out).toString('utf8');
      const lines = stdout.split('\n').filter((l) => l.length).map((l) => JSON.parse(l));
      resolve({code, signal, timedOut, lines, stderr: Buffer.concat(err).toString('utf8')});
    });
  });
}

function observations(port) {
  return new Promise((resolve, reject) => {
    http.get({host: '127.0.0.1', port, path: '/observations'}, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve(JSON.parse(body)));
    }).on('error', reject);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- helpers for the checks --------------------------------------------------------------------
const bin = (buf) => ({$binary: Buffer.from(buf).toString('hex')});
const sha = (args) => crypto.createHash('sha256').update(JSON.stringify(args)).digest('hex');
const events = (lines, name, nsp) =>
  lines.filter((l) => l.type === 'event' && (name === undefined || l.name === name) &&
                      (nsp === undefined || l.nsp === nsp));
const acks = (lines) => lines.filter((l) => l.type === 'ack');
const conns = (obs, nsp) => obs.connections.filter((c) => c.nsp === nsp);
function one(list, what) {
  assert.strictEqual(list.length, 1, `expected exactly one ${what}, got ${list.length}`);
  return list[0];
}
function cleanEnd(r) {
  assert.strictEqual(r.code, 0, `client exit code ${r.code}`);
  const close = r.lines[r.lines.length - 1];
  assert.deepStrictEqual(close, {type: 'close', reason: 'io client disconnect'});
}
function serverSawEvent(conn, name, args) {
  const e = conn.events.find((x) => x.name === name && x.sha256 === sha(args));
  assert.ok(e, `the server did not receive ${name} with the expected arguments`);
  return e;
}

// Deeply nested binary: {"l0":{"l1":...{"blob":<bytes>}}} at `depth` levels.
function nested(depth, leaf) {
  let v = {blob: leaf, n: depth};
  for (let i = depth - 1; i >= 0; i--) v = {[`l${i}`]: [i, v]};
  return v;
}

// --- scenarios ---------------------------------------------------------------------------------
// Each returns {sio, server: [extra server args], client: [extra client args], script: [...],
// check(r, obs)}. `v` is 4 (socket.io 4.8) or 2 (socket.io 2.5 with --eio 3).
const scenarios = {};

scenarios.namespaces_auth = (v) => ({
  client: ['--namespace', '/auth', '--auth', '{"token":"secret"}'],
  script: [
    {connect: '/'},
    {connect: '/ünï😀'},
    {emit: 'echo', args: ['in auth'], nsp: '/auth'},
    {emit: 'echo', args: ['in main'], nsp: '/'},
    {emit: 'echo', args: ['in unicode'], nsp: '/ünï😀'},
    {expect_events: 3},
    {disconnect: true},
  ],
  check(r, obs) {
    cleanEnd(r);
    const connects = r.lines.filter((l) => l.type === 'connect').map((l) => l.nsp).sort();
    assert.deepStrictEqual(connects, ['/', '/auth', '/ünï😀']);
    if (v === 4) {
      for (const l of r.lines.filter((x) => x.type === 'connect')) {
        assert.strictEqual(typeof l.data.sid, 'string', 'v5 CONNECT answers carry a sid');
      }
    }
    for (const [nsp, text] of [['/auth', 'in auth'], ['/', 'in main'], ['/ünï😀', 'in unicode']]) {
      assert.deepStrictEqual(one(events(r.lines, 'echo', nsp), `echo on ${nsp}`).args, [text]);
      const c = one(conns(obs, nsp), `server connection on ${nsp}`);
      serverSawEvent(c, 'echo', [text]);
      assert.strictEqual(c.disconnectReason, v === 4 || nsp !== '/' ? 'client namespace disconnect'
                                                                     : c.disconnectReason);
    }
    const auth = one(conns(obs, '/auth'), 'auth connection');
    assert.deepStrictEqual(auth.auth, {token: 'secret'});
    // One Engine.IO session carries all namespaces.
    assert.strictEqual(new Set(obs.connections.map((c) => c.engineId)).size, 1);
    assert.deepStrictEqual(obs.rejected, []);
  },
});

scenarios.connect_error = (v) => ({
  client: ['--namespace', '/auth', '--auth', '{"token":"wrong"}'],
  script: [
    {connect: '/reject', auth: {token: 'secret'}},
    ...(v === 4 ? [{connect: '/nowhere'}] : []),
    {connect: '/'},
    {emit: 'echo', args: ['after refusals'], nsp: '/', ack: true},
    {expect_acks: 1},
    {disconnect: true},
  ],
  check(r, obs) {
    cleanEnd(r);
    const errs = r.lines.filter((l) => l.type === 'connect_error');
    const byNsp = Object.fromEntries(errs.map((e) => [e.nsp, e.data]));
    if (v === 4) {
      assert.deepStrictEqual(byNsp['/auth'], {message: 'unauthorized', data: {reason: 'bad token'}});
      assert.deepStrictEqual(byNsp['/reject'], {message: 'refused', data: {code: 42}});
      assert.deepStrictEqual(byNsp['/nowhere'], {message: 'Invalid namespace'});
      assert.strictEqual(errs.length, 3);
    } else {
      // Socket.IO 2.x sends ERROR with err.data || err.message.
      assert.deepStrictEqual(byNsp['/auth'], {reason: 'bad token'});
      assert.deepStrictEqual(byNsp['/reject'], {code: 42});
      assert.strictEqual(errs.length, 2);
    }
    assert.ok(!r.lines.some((l) => l.type === 'connect' && l.nsp !== '/'), 'no refused nsp connected');
    assert.deepStrictEqual(one(acks(r.lines), 'ack').args, ['after refusals']);
    const rejected = obs.rejected.map((x) => x.nsp).sort();
    assert.deepStrictEqual(rejected, ['/auth', '/reject']);
    assert.deepStrictEqual(obs.rejected.find((x) => x.nsp === '/auth').auth, {token: 'wrong'});
    assert.deepStrictEqual(obs.rejected.find((x) => x.nsp === '/reject').auth, {token: 'secret'});
  },
});

scenarios.acks = (v) => ({
  script: [
    {emit: 'ack_only', args: [1, 'two', {three: [3]}, null, true], ack: true},
    {emit: 'ack_only', args: [], ack: true},
    {emit: 'ack_only', args: ['bin', bin([0, 255, 16]), {inner: bin([7])}], ack: true},
    {expect_acks: 3},
    // The server asks us for acks: first the default answer (an echo, binary included) ...
    {emit: 'ask', args: ['q1', bin([10, 11])]},
    {expect_events: 1, event: 'answer'},
    // ... then a scripted answer.
    {on: 'question', reply: ['custom', bin([0xca, 0xfe]), 7]},
    {emit: 'ask', args: ['q2']},
    {expect_events: 2, event: 'answer'},
    {disconnect: true},
  ],
  check(r, obs) {
    cleanEnd(r);
    const a = acks(r.lines);
    assert.deepStrictEqual(a.map((x) => x.id), [0, 1, 2], 'our ack ids start at 0');
    assert.deepStrictEqual(a[0].args, [1, 'two', {three: [3]}, null, true]);
    assert.deepStrictEqual(a[1].args, []);
    assert.deepStrictEqual(a[2].args, ['bin', bin([0, 255, 16]), {inner: bin([7])}]);
    const q = events(r.lines, 'question');
    assert.deepStrictEqual(q.map((x) => x.id), [0, 1], "the server's ack ids start at 0");
    assert.deepStrictEqual(q[0].args, ['q1', bin([10, 11])]);
    const answers = events(r.lines, 'answer').map((x) => x.args);
    assert.deepStrictEqual(answers, [['q1', bin([10, 11])], ['custom', bin([0xca, 0xfe]), 7]]);
    const c = one(conns(obs, '/'), 'main connection');
    assert.deepStrictEqual(c.replies.map((x) => x.args), answers);
    for (const e of c.events.filter((x) => x.name === 'ack_only')) assert.ok(e.ack);
  },
});

// What the retired interop.sioengine.* (sio_engine_client.cpp) checked beyond the scenarios
// above: an ack the server never answers times out on the client (ack_timeout, no late ack, the
// next ack id goes on), and a namespace left and joined again on the same Engine.IO session
// with another auth is refused by the server's middleware.
// The CONNECT goes out once an ack on "/" sent after the DISCONNECT came back: socket.io 4.8
// handles a DISCONNECT on the next tick (client.js ondecoded), so a CONNECT of the same
// namespace read in the same tick finds the old socket and closes the connection ("invalid
// state"). socket.io-client 4.8 does that too when it re-joins at once (docs/protocol-notes.md);
// which client wins that race is a matter of microseconds between the two frames.
scenarios.ack_timeout_rejoin = () => ({
  client: ['--namespace', '/auth', '--auth', '{"token":"secret"}'],
  script: [
    {connect: '/'},
    {emit: 'seq', args: [0], ack: true, ack_timeout_ms: 300},  // seq never acks
    {wait_ms: 800},
    {emit: 'echo', args: ['after'], ack: true},
    {expect_acks: 1},
    {disconnect: '/auth'},
    {emit: 'echo', args: ['left'], nsp: '/', ack: true},
    {expect_acks: 2},
    {connect: '/auth', auth: {token: 'wrong'}},
    {disconnect: true},
  ],
  check(r, obs) {
    cleanEnd(r);
    assert.deepStrictEqual(types(r.lines, 'ack_timeout'), [{type: 'ack_timeout', nsp: '/auth', id: 0}]);
    assert.deepStrictEqual(acks(r.lines).map((x) => [x.nsp, x.id, x.args]),
                           [['/auth', 1, ['after']], ['/', 0, ['left']]]);
    assert.strictEqual(types(r.lines, 'open').length, 1, 'one Engine.IO session');
    const errs = types(r.lines, 'connect_error');
    assert.deepStrictEqual(errs.map((e) => e.nsp), ['/auth']);
    assert.deepStrictEqual(obs.rejected.map((x) => [x.nsp, x.auth]), [['/auth', {token: 'wrong'}]]);
    assert.strictEqual(conns(obs, '/auth').length, 1);
  },
});

const big = crypto.createHash('sha512');
function bytes(n, seed) {
  const out = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

scenarios.binary = () => {
  const deep = nested(30, bin([1, 2, 3]));
  const several = [bin([0]), {x: bin([1, 1])}, [bin([2, 2, 2]), bin(bytes(300, 1))], bin([]), 'text'];
  const large = bin(bytes(1 << 20, 7));
  return {
    script: [
      {emit: 'echo', args: [deep, 'after'], ack: true},
      {emit: 'echo', args: several, ack: true},
      {emit: 'echo', args: [large, {meta: 'one mebibyte'}], ack: true},
      {expect_acks: 3, timeout_ms: 30000},
      {expect_events: 3, timeout_ms: 30000},
      {disconnect: true},
    ],
    check(r, obs) {
      cleanEnd(r);
      const sent = [[deep, 'after'], several, [large, {meta: 'one mebibyte'}]];
      assert.deepStrictEqual(events(r.lines, 'echo').map((x) => x.args), sent);
      assert.deepStrictEqual(acks(r.lines).map((x) => x.args), sent);
      const c = one(conns(obs, '/'), 'main connection');
      for (const args of sent) serverSawEvent(c, 'echo', args);
    },
  };
};

scenarios.unicode = () => {
  const args = ['héllo wörld 😀🎉', {'ключ': 'значение', 'emoji_😀': '✓', 'a"b\\c': '\u2028\u2029'},
                '日本語テキスト', 'nul\u0000ctl\u001f', bin(Buffer.from('😀', 'utf8'))];
  return {
    client: ['--namespace', '/ünï😀'],
    script: [
      {emit: 'échø ✓ 😀', args, ack: true},
      {emit: 'echo', args: ['𝄞 outside the BMP 𝄞', {'🔑': ['🎵']}]},
      {expect_events: 2},
      {expect_acks: 1},
      {disconnect: true},
    ],
    check(r, obs) {
      cleanEnd(r);
      const e = one(events(r.lines, 'échø ✓ 😀', '/ünï😀'), 'unicode event');
      assert.deepStrictEqual(e.args, args);
      assert.deepStrictEqual(one(acks(r.lines), 'ack').args, args);
      assert.deepStrictEqual(one(events(r.lines, 'echo'), 'echo').args,
                             ['𝄞 outside the BMP 𝄞', {'🔑': ['🎵']}]);
      const c = one(conns(obs, '/ünï😀'), 'unicode namespace connection');
      serverSawEvent(c, 'échø ✓ 😀', args);
    },
  };
};

scenarios.big_json = () => {
  const rows = [];
  for (let i = 0; rows.length < 9000; i++) rows.push({i, name: `row ${i} ✓`, v: i * 1.5, ok: i % 2 === 0});
  const payload = {text: 'x'.repeat(600000) + 'é😀', rows};
  const size = Buffer.byteLength(JSON.stringify(payload));
  assert.ok(size > 1000000, `big_json payload is only ${size} bytes`);
  return {
    script: [
      {emit: 'echo', args: [payload], ack: true},
      {expect_acks: 1, timeout_ms: 30000},
      {expect_events: 1, timeout_ms: 30000},
      {disconnect: true},
    ],
    check(r, obs) {
      cleanEnd(r);
      assert.deepStrictEqual(one(events(r.lines, 'echo'), 'echo').args, [payload]);
      assert.deepStrictEqual(one(acks(r.lines), 'ack').args, [payload]);
      serverSawEvent(one(conns(obs, '/'), 'main connection'), 'echo', [payload]);
    },
  };
};

// A burst the server sends while no GET waits arrives as one polling body of 150,000 messages
// (more than the engine's default 100,000 waiting events): the client must take it whole, as
// engine.io-client does (its body limit is the server's, not a count of packets).
scenarios.burst_150k = () => {
  const n = 150000;
  return {
    transports: ['polling'],
    script: [
      {emit: 'send_seq', args: [n]},
      {expect_events: 1, event: 'seq_done', timeout_ms: 60000},
      {disconnect: true},
    ],
    timeout: 90000,
    check(r) {
      cleanEnd(r);
      const seq = events(r.lines, 'seq').map((x) => x.args[0]);
      assert.strictEqual(seq.length, n, `received ${seq.length} of ${n} events`);
      for (let i = 0; i < n; i++) assert.strictEqual(seq[i], i, `event ${i} out of order`);
    },
  };
};

scenarios.ordered_10k = () => {
  const n = 10000;
  const script = [];
  for (let i = 0; i < n; i++) script.push({emit: 'seq', args: [i]});
  script.push({emit: 'send_seq', args: [n]});
  script.push({expect_events: 1, event: 'seq_done', timeout_ms: 60000});
  script.push({disconnect: true});
  return {
    script,
    timeout: 90000,
    check(r, obs) {
      cleanEnd(r);
      const seq = events(r.lines, 'seq').map((x) => x.args[0]);
      assert.strictEqual(seq.length, n, `received ${seq.length} of ${n} events`);
      for (let i = 0; i < n; i++) assert.strictEqual(seq[i], i, `event ${i} out of order`);
      const c = one(conns(obs, '/'), 'main connection');
      assert.deepStrictEqual(c.seq, {count: n, next: n, outOfOrder: 0});
    },
  };
};

// An idle session stays up: the heartbeat runs in the right direction (v4: the server pings,
// the client answers; v3: the client pings) and the client's deadline moves with it. `beats`:
// the least heartbeat packets the server must have seen from the client over `idleMs`.
function idleScenario(interval, timeout, idleMs, beats) {
  return (v) => ({
    server: ['--ping-interval', String(interval), '--ping-timeout', String(timeout)],
    script: [
      {wait_ms: idleMs},
      {emit: 'echo', args: ['still alive'], ack: true},
      {expect_acks: 1},
      {disconnect: true},
    ],
    check(r, obs) {
      cleanEnd(r);
      const open = r.lines[0];
      assert.strictEqual(open.type, 'open');
      assert.strictEqual(open.pingInterval, interval);
      assert.deepStrictEqual(acks(r.lines).map((x) => x.args), [['still alive']]);
      const c = one(conns(obs, '/'), 'main connection');
      if (v === 4) assert.strictEqual(c.disconnectReason, 'client namespace disconnect');
      const e = obs.engine[c.engineId];
      const what = `in ${idleMs} ms at a ${interval} ms interval`;
      if (v === 4) {
        assert.ok(e.pongs >= beats, `only ${e.pongs} pongs ${what}`);
        assert.strictEqual(e.pings, 0, 'an Engine.IO v4 client must not ping');
      } else {
        assert.ok(e.pings >= beats, `only ${e.pings} pings ${what}`);
        assert.strictEqual(e.pongs, 0, 'an Engine.IO v3 client must not pong');
      }
    },
  });
}
scenarios.heartbeat = idleScenario(200, 400, 1500, 4);
// The figure: pingInterval 1 s, idle for 10 s.
scenarios.idle_10s = idleScenario(1000, 1000, 10000, 9);

// A server that stays connected but stops its side of the heartbeat (v4: no more pings; v3: no
// pong to our pings) is noticed within pingInterval + pingTimeout, with reason "ping timeout".
const hbInterval = 1000, hbTimeout = 1000, hbMargin = 700;
scenarios.ping_timeout = (v) => ({
  server: ['--ping-interval', String(hbInterval), '--ping-timeout', String(hbTimeout),
           '--stop-heartbeat-after', '1500'],
  // socket.io-client reconnects after a ping timeout (the reconnect scenarios check that): this
  // one measures the detection, so the session must end with it.
  client: ['--reconnection', '0'],
  timeout: 30000,
  script: [
    {wait_ms: 15000},  // the session ends long before
    {disconnect: true},
  ],
  check(r, obs) {
    assert.strictEqual(r.code, 2, `client exit code ${r.code} (2: the session was ended)`);
    assert.deepStrictEqual(r.lines.slice(-2), [
      {type: 'disconnect', nsp: '/', reason: 'ping timeout'},
      {type: 'close', reason: 'ping timeout', error: v === 4 ? 'no ping from the server in time'
                                                              : 'no pong from the server in time'},
    ]);
    const c = one(conns(obs, '/'), 'main connection');
    const e = obs.engine[c.engineId];
    assert.ok(e.heartbeatStoppedAt, 'the server did not stop its heartbeat');
    assert.ok(e.closedAt, 'the server did not see the session end');
    // v4: the client's deadline runs from the last ping it got; v3: from its unanswered ping,
    // for pingTimeout.
    const from = v === 4 ? e.lastPingSentAt : e.unansweredPingAt;
    assert.ok(from && from >= e.heartbeatStoppedAt - hbInterval, 'no heartbeat packet to measure from');
    const took = e.closedAt - from;
    const least = v === 4 ? hbInterval + hbTimeout : hbTimeout;
    if (verbose) console.log(`  noticed ${took} ms after the last heartbeat packet`);
    assert.ok(took >= least - 50, `closed ${took} ms after the last heartbeat: too early`);
    assert.ok(took <= hbInterval + hbTimeout + hbMargin,
              `closed ${took} ms after the last heartbeat (limit ${hbInterval + hbTimeout} + ${hbMargin})`);
  },
});

scenarios.disconnect = (v) => ({
  script: [
    {connect: '/auth', auth: {token: 'secret'}},
    {emit: 'disconnect_me', args: [], nsp: '/auth'},
    {wait_ms: 300},
    {emit: 'echo', args: ['main still here'], ack: true},
    {expect_acks: 1},
    {disconnect: '/'},
    {wait_ms: 200},
    {disconnect: true},
  ],
  check(r, obs) {
    cleanEnd(r);
    const d = r.lines.filter((l) => l.type === 'disconnect');
    assert.deepStrictEqual(d, [
      {type: 'disconnect', nsp: '/auth', reason: 'io server disconnect'},
      {type: 'disconnect', nsp: '/', reason: 'io client disconnect'},
    ]);
    assert.strictEqual(one(conns(obs, '/auth'), 'auth').disconnectReason, 'server namespace disconnect');
    if (v === 4) {
      assert.strictEqual(one(conns(obs, '/'), 'main').disconnectReason, 'client namespace disconnect');
    }
  },
});

// Acks for ids we never sent (python-socketio's msgpack serializer drops ack id 0, so this
// happens in the field): socket.io-client ignores them, and so must we. The Socket.IO client
// engine drops them silently as socket.js onack does (the example printed an `unexpected_ack`
// line when it matched acks itself): nothing is printed, and the session goes on.
scenarios.stray_ack = () => ({
  script: [
    {emit: 'stray_acks', args: []},
    {expect_events: 1, event: 'strays_sent'},
    {emit: 'echo', args: ['after the strays'], ack: true},
    {expect_acks: 1},
    {disconnect: true},
  ],
  check(r) {
    cleanEnd(r);
    assert.deepStrictEqual(r.lines.filter((l) => l.type !== 'event' && l.type !== 'ack' &&
                                                  l.type !== 'open' && l.type !== 'connect' &&
                                                  l.type !== 'upgrade' && l.type !== 'disconnect' &&
                                                  l.type !== 'close'), [], 'nothing else printed');
    assert.ok(events(r.lines, 'strays_sent').length === 1, 'the strays were sent');
    assert.deepStrictEqual(one(acks(r.lines), 'ack').args, ['after the strays']);
  },
});

// A server whose sid holds query syntax: pasted unencoded into our URLs it would add and
// override parameters (here a second transport, which the server refuses). The client refuses
// such a handshake unless --lax-handshake (hostile_sid_refused); with it, the sid is
// percent-encoded (eio::encode_sid) and the session works, upgrade included.
const hostileSid = '&transport=polling&EIO=3&x=%41+b /é';
scenarios.hostile_sid = () => ({
  server: ['--sid-suffix', hostileSid],
  client: ['--lax-handshake'],
  transports: ['polling'],  // a WebSocket start sends no sid; this upgrades after polling
  upgrade: true,
  script: [
    {emit: 'echo', args: ['through a hostile sid'], ack: true},
    {expect_acks: 1},
    {wait_ms: 300},
    {emit: 'echo', args: ['again'], ack: true},
    {expect_acks: 2},
    {disconnect: true},
  ],
  check(r, obs) {
    cleanEnd(r);
    assert.ok(r.lines[0].sid.endsWith(hostileSid), 'the server did not send the hostile sid');
    assert.deepStrictEqual(acks(r.lines).map((x) => x.args), [['through a hostile sid'], ['again']]);
    const c = one(conns(obs, '/'), 'main connection');
    assert.ok(c.engineId.endsWith(hostileSid));
  },
});

// By default (strict eio::parse_handshake) the same server is refused at once, on either
// transport: one close line with the error, exit status 3 (protocol), no namespace joined.
scenarios.hostile_sid_refused = (v) => ({
  server: ['--sid-suffix', hostileSid],
  timeout: 15000,  // a refusal is immediate: a hang shows as a kill, long before this
  script: [
    {emit: 'echo', args: ['never sent'], ack: true},
    {expect_acks: 1},
    {disconnect: true},
  ],
  check(r, obs) {
    assert.strictEqual(r.code, 3, `client exit code ${r.code} (3: the server sent something refused)`);
    // The namespace being joined hears of the failed open as socket.io-client's Socket.onerror
    // reports it (connect_error, no data), then the session ends: no open line. The reference
    // would retry (Manager.maybeReconnectOnOpen); the example stops at what siocodec refused.
    assert.deepStrictEqual(r.lines.map((l) => l.type), ['connect_error', 'close']);
    assert.deepStrictEqual(r.lines[0], {type: 'connect_error', nsp: '/'});
    const c = r.lines[1];
    assert.strictEqual(c.reason, 'parse error');
    // The offset is that of the sid's first refused byte (the suffix's `&`) in what the engine
    // was given: both servers send `0{"sid":"` first and a 20-character base64id, so 29; a v3
    // polling body has the packet's length first (`1NN:`, 4 more bytes).
    const where = r.lines.length && /^(websocket message|polling body): /.exec(c.error);
    assert.ok(where, `error ${c.error}`);
    const at = v === 2 && where[1] === 'polling body' ? 33 : 29;
    assert.strictEqual(c.error, `${where[1]}: invalid_handshake at offset ${at}`);
    assert.ok(!r.stderr.includes('terminate') && !r.stderr.includes('Assertion'), r.stderr);
    // socket.io 2.x joins "/" itself when the Engine.IO session opens: nothing may reach it.
    if (v === 4) assert.strictEqual(conns(obs, '/').length, 0, 'a namespace was joined');
    for (const x of conns(obs, '/')) assert.deepStrictEqual(x.events, [], 'the server got events');
  },
});

scenarios.upgrade = () => ({
  transports: ['polling'],
  upgrade: true,
  script: [
    // Emitted at once: these cross polling, the probe or the new WebSocket, in order.
    {emit: 'echo', args: ['first', bin([1])], ack: true},
    {emit: 'seq', args: [0]},
    {wait_ms: 400},
    {emit: 'seq', args: [1]},
    {emit: 'echo', args: ['second', bin([2, 2])], ack: true},
    {expect_acks: 2},
    {disconnect: true},
  ],
  check(r, obs) {
    cleanEnd(r);
    assert.strictEqual(r.lines[0].transport, 'polling');
    assert.ok(r.lines.some((l) => l.type === 'upgrade' && l.transport === 'websocket'), 'no upgrade');
    assert.deepStrictEqual(acks(r.lines).map((x) => x.args), [['first', bin([1])], ['second', bin([2, 2])]]);
    const c = one(conns(obs, '/'), 'main connection');
    assert.deepStrictEqual(c.seq, {count: 2, next: 2, outOfOrder: 0});
    const e = obs.engine[c.engineId];
    assert.ok(e.upgraded && e.transport === 'websocket', 'the server did not see the upgrade');
  },
});

// --- reconnection (socket.io-client's Manager, done by the Socket.IO client engine) ------------
// Short, fixed delays: the defaults (1 s, jitter 0.5) would only make the tests slower.
const fastReconnect = ['--reconnection-delay', '200', '--reconnection-delay-max', '1000',
                       '--randomization-factor', '0'];
const types = (lines, type) => lines.filter((l) => l.type === type);

// The server closes the client's Engine.IO connection (socket.conn.close()): every namespace
// gets "transport close", the client reconnects after its delay and joins every namespace it
// had joined again (auth or query included), and the script goes on; what it emits while
// reconnecting is buffered and sent once the namespace is connected again.
scenarios.reconnect = (v) => ({
  client: fastReconnect,
  script: [
    {connect: '/auth', auth: {token: 'secret'}},
    {emit: 'echo', args: ['before'], ack: true},
    {expect_acks: 1},
    {emit: 'drop_transport', args: [], nsp: '/auth'},
    {expect_reconnects: 1},
    {emit: 'echo', args: ['after on /'], ack: true},
    {emit: 'echo', args: ['after on /auth'], nsp: '/auth', ack: true},
    {expect_acks: 3},
    {disconnect: true},
  ],
  check(r, obs) {
    cleanEnd(r);
    const d = types(r.lines, 'disconnect').filter((l) => l.reason === 'transport close');
    assert.deepStrictEqual(d.map((l) => l.nsp).sort(), ['/', '/auth']);
    assert.deepStrictEqual(types(r.lines, 'reconnect_attempt'),
                           [{type: 'reconnect_attempt', attempt: 1, delay: 200}]);
    assert.deepStrictEqual(types(r.lines, 'reconnect'), [{type: 'reconnect', attempt: 1}]);
    assert.strictEqual(types(r.lines, 'open').length, 2, 'two Engine.IO sessions');
    const joined = types(r.lines, 'connect').map((l) => l.nsp).sort();
    assert.deepStrictEqual(joined, ['/', '/', '/auth', '/auth']);
    for (const l of types(r.lines, 'connect')) assert.strictEqual(l.recovered, false);
    assert.deepStrictEqual(acks(r.lines).map((x) => x.args),
                           [['before'], ['after on /'], ['after on /auth']]);
    for (const [nsp, text] of [['/', 'after on /'], ['/auth', 'after on /auth']]) {
      const c = conns(obs, nsp);
      assert.strictEqual(c.length, 2, `two connections on ${nsp}`);
      assert.notStrictEqual(c[0].engineId, c[1].engineId, 'a new Engine.IO session');
      serverSawEvent(c[1], 'echo', [text]);
    }
    // The re-join carries the auth (v2: the namespace's query) again.
    assert.deepStrictEqual(conns(obs, '/auth')[1].auth, {token: 'secret'});
    assert.deepStrictEqual(obs.rejected, []);
  },
});

// socket.disconnect(true) is "io server disconnect": the namespace is gone for good, and with
// it the last one, so the Manager closes without reconnecting (socket.io-client skipReconnect).
scenarios.server_disconnect = () => ({
  client: fastReconnect,
  script: [
    {emit: 'echo', args: ['before'], ack: true},
    {expect_acks: 1},
    {emit: 'server_disconnect', args: []},
    {wait_ms: 1500},  // several reconnection delays: none may happen
    {disconnect: true},
  ],
  check(r, obs) {
    cleanEnd(r);
    assert.deepStrictEqual(types(r.lines, 'disconnect'),
                           [{type: 'disconnect', nsp: '/', reason: 'io server disconnect'}]);
    assert.deepStrictEqual(types(r.lines, 'reconnect_attempt'), [], 'no reconnection');
    assert.strictEqual(types(r.lines, 'open').length, 1);
    assert.strictEqual(conns(obs, '/').length, 1);
  },
});

// Connection state recovery (socket.io 4.8, connectionStateRecovery): the server drops the
// transport and broadcasts while the client is away; the client reconnects with its pid and the
// offset of the last broadcast it saw (there must be one: socket.io #4888), the server restores
// the session (socket.recovered, the same socket id) and sends what was missed.
const recovery = () => ({
  server: ['--recovery'],
  client: fastReconnect,  // the broadcasts go 50 ms after the drop: well before 200
  script: [
    {emit: 'broadcast', args: ['before']},
    {expect_events: 1, event: 'news'},
    {emit: 'drop_then_broadcast', args: [3]},
    {expect_reconnects: 1},
    {expect_events: 4, event: 'news'},
    {emit: 'echo', args: ['after'], ack: true},
    {expect_acks: 1},
    {disconnect: true},
  ],
  check(r, obs) {
    cleanEnd(r);
    const news = events(r.lines, 'news').map((x) => x.args);
    // Every broadcast carries the server's offset as its last argument.
    assert.deepStrictEqual(news.map((a) => a[0]), ['before', 0, 1, 2]);
    for (const a of news) assert.strictEqual(typeof a[a.length - 1], 'string', 'an offset');
    // The server sends the missed packets before the CONNECT reply (socket.io socket.js: the
    // constructor of a recovered socket); socket.io-client buffers them and emits them before
    // "connect" (emitBuffered), and the engine delivers them in that order too.
    const c = types(r.lines, 'connect');
    assert.deepStrictEqual(c.map((l) => l.recovered), [false, true]);
    assert.strictEqual(c[0].data.sid, c[1].data.sid, 'the recovered socket keeps its id');
    const s = conns(obs, '/');
    assert.strictEqual(s.length, 2);
    assert.deepStrictEqual(s.map((x) => x.recovered), [false, true]);
    assert.strictEqual(s[0].id, s[1].id);
    serverSawEvent(s[1], 'echo', ['after']);
  },
});

// --- msgpack only ------------------------------------------------------------------------------
// Every msgpack form of the values JavaScript has, both ways: notepack.io (the reference's
// encoder) picks the smallest form for each, our encoder must pick the same ones for the server
// to read them back as the same numbers, strings and Buffers. The values cross four times: our
// EVENT, the server's echo, its question and our ack answering it (our echo of the question).
// Integral numbers of 2^64 and more only go one way: notepack.io 2.2 writes them as a uint 64
// (int 64) of wrapped or zero bits (1e300: cf 00 00 00 00 00 00 00 00), so its echo is not
// the number sent; the server reading ours (float 64) exactly is what is checked.
const msgpackScenarios = {};
msgpackScenarios.forms = () => {
  const huge = [1e300, -1e300, 1.7976931348623157e308, 1e21, 2 ** 64];
  const values = [
    0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296, 9007199254740991, 2 ** 63,
    1e19, -1, -32, -33, -128, -129, -32768, -32769, -2147483648, -2147483649, -9007199254740991,
    -(2 ** 63), 0.5, -1.25, 1e-7, 5e-324, 2 ** -1074 * 3, 1.5e-300, 123.456, true, false, null,
    '', 'x'.repeat(31), 'x'.repeat(32), 'y'.repeat(255), 'y'.repeat(256), 'z'.repeat(65536),
    bin([]), bin(bytes(255, 3)), bin(bytes(256, 4)), bin(bytes(65536, 5)),
    [], Array.from({length: 15}, (_, i) => i), Array.from({length: 16}, (_, i) => -i - 1),
    {}, Object.fromEntries(Array.from({length: 16}, (_, i) => [`k${i}`, {v: i / 4}])),
  ];
  return {
    script: [
      {emit: 'echo', args: values, ack: true},
      {expect_acks: 1},
      {expect_events: 1, event: 'echo'},
      {emit: 'ask', args: values},
      {expect_events: 1, event: 'answer'},
      {emit: 'ack_only', args: huge, ack: true},
      {expect_acks: 2},
      {disconnect: true},
    ],
    check(r, obs) {
      cleanEnd(r);
      assert.deepStrictEqual(acks(r.lines)[0].args, values);
      assert.deepStrictEqual(one(events(r.lines, 'echo'), 'echo').args, values);
      assert.deepStrictEqual(one(events(r.lines, 'question'), 'question').args, values);
      assert.deepStrictEqual(one(events(r.lines, 'answer'), 'answer').args, values);
      const c = one(conns(obs, '/'), 'main connection');
      serverSawEvent(c, 'echo', values);
      serverSawEvent(c, 'ask', values);
      assert.strictEqual(one(c.replies, 'reply').sha256, sha(values),
                         'our ack, as the server read it');
      serverSawEvent(c, 'ack_only', huge);
    },
  };
};

// The test matrix: scenario name -> [Socket.IO server version, scenario factory, parser].
const matrix = {};
for (const name of Object.keys(scenarios)) {
  matrix[name] = [4, scenarios[name], 'default'];
  matrix[`${name}_v2`] = [2, scenarios[name], 'default'];
}
// Socket.IO 2.x has no connection state recovery.
matrix.recovery = [4, recovery, 'default'];
matrix['msgpack.recovery'] = [4, recovery, 'msgpack'];
// The msgpack parser (socket.io-msgpack-parser 3.0.2 is for socket.io >= 3 only). The heartbeat
// scenarios do not depend on the parser.
const parserFree = new Set(['heartbeat', 'idle_10s', 'ping_timeout']);
for (const name of Object.keys(scenarios)) {
  if (!parserFree.has(name)) matrix[`msgpack.${name}`] = [4, scenarios[name], 'msgpack'];
}
for (const name of Object.keys(msgpackScenarios)) {
  matrix[`msgpack.${name}`] = [4, msgpackScenarios[name], 'msgpack'];
}

async function runOne(name, transport) {
  const [sio, make, parser] = matrix[name];
  const s = make(sio);
  const server = await startServer(sio, parser, s.server || []);
  const started = Date.now();
  try {
    const args = [`http://127.0.0.1:${server.port}`, '--transport', transport,
                  '--eio', sio === 4 ? '4' : '3', ...(s.client || [])];
    if (parser !== 'default') args.push('--parser', parser);
    if (transport === 'polling' && !s.upgrade) args.push('--no-upgrade');
    const r = await runClient(args, s.script, s.timeout || 45000);
    if (verbose || r.code !== 0) {
      for (const l of r.lines) {
        const text = JSON.stringify(l);
        console.log(`  < ${text.length > 300 ? text.slice(0, 300) + '...' : text}`);
      }
      if (r.stderr) console.log(`  client stderr: ${r.stderr.trim()}`);
    }
    assert.ok(!r.timedOut, 'the client did not finish in time (killed)');
    await sleep(100);  // let the server record the disconnects
    const obs = await observations(server.port);
    assert.strictEqual(obs.parser, parser, 'the parser the server runs');
    s.check(r, obs);
    return Date.now() - started;
  } catch (e) {
    if (server.stderr()) console.log(`  server stderr: ${server.stderr().trim()}`);
    throw e;
  } finally {
    stopServer(server);
  }
}

async function main() {
  if (process.argv.includes('--list')) {
    for (const name of Object.keys(matrix)) {
      const s = matrix[name][1](matrix[name][0]);
      for (const t of s.transports || ['websocket', 'polling']) console.log(`${name} ${t}`);
    }
    return 0;
  }
  // Every package node_server.js loads, not only the first. Not installed (npm ci here, or
  // tools/setup.sh): exit code 77, which ctest counts as skipped except in CI
  // (SIOCODEC_REQUIRE_REFERENCE=ON registers these tests without SKIP_RETURN_CODE: a failure).
  const missing = ['socket.io', 'socket.io-v2', 'socket.io-msgpack-parser']
      .filter((p) => !fs.existsSync(path.join(__dirname, 'node_modules', p)));
  if (missing.length) {
    console.log(`SKIP: tests/interop/node_modules lacks ${missing.join(', ')} ` +
                '(run npm ci in tests/interop)');
    return 77;
  }
  if (!clientPath || !fs.existsSync(clientPath)) {
    console.error('run_client_scenarios: --client PATH to siocodec_client is required');
    return 2;
  }
  let passed = 0, failed = 0;
  for (const name of Object.keys(matrix)) {
    if (only !== 'all' && only !== name) continue;
    const s = matrix[name][1](matrix[name][0]);
    for (const t of s.transports || ['websocket', 'polling']) {
      if (onlyTransport !== 'all' && onlyTransport !== t) continue;
      try {
        const ms = await runOne(name, t);
        console.log(`PASS ${name}.${t} (${ms} ms)`);
        passed++;
      } catch (e) {
        console.log(`FAIL ${name}.${t}: ${e && e.stack ? e.stack : e}`);
        failed++;
      }
    }
  }
  if (passed + failed === 0) {
    console.error(`run_client_scenarios: no scenario matches ${only} / ${onlyTransport}`);
    return 2;
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

main().then((code) => { killAll(); process.exit(code); },
            (e) => { console.error(e); killAll(); process.exit(1); });
