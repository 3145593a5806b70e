#!/usr/bin/env node
// SPDX-License-Identifier: BSL-1.0
// Interop of the Socket.IO client engine (include/siocodec/socketio/client.hpp, issue 22):
// sio_engine_client (socketio::client over the examples' Beast WebSocket channel) against a real
// socket.io 4.8 server (and 2.5 for the *_v2 scenarios) running in this process.
//
//   node run_sio_engine_scenarios.js --client PATH [--scenario NAME|all] [--transport websocket]
//                                    [--list] [--verbose]
//
// Each scenario starts its own server on 127.0.0.1 (free port), spawns the client in its own
// process group (killed at the end whatever happens), writes commands to its stdin and waits for
// the JSON lines it prints. Exit code: 0 all passed, 1 a failure, 2 usage, 77 node_modules
// missing (skipped, as run_client_scenarios.js).
'use strict';
const http = require('http');
const path = require('path');
const {NM, sleep, check, spawnLines, run} = require('./sio_engine_common');

// One client process: send(command), expect(what, predicate), seen().
function startClient(exe, port, v3) {
  const args = ['--port', String(port)];
  if (v3) args.push('--v3');
  const lines = [], received = [];
  let wake = null;
  const child = spawnLines(exe, args, 'client', (o) => {
    lines.push(o);
    received.push(o);
    if (wake) wake();
  });
  const c = {
    send(l) { child.stdin.write(l + '\n'); },
    // Resolves with the first line matching `pred` and consumes it (the namespaces' replies may
    // come in any order; the order of events is checked on seen()).
    async expect(what, pred, ms = 5000) {
      const end = Date.now() + ms;
      for (;;) {
        const i = lines.findIndex(pred);
        if (i >= 0) {
          const got = lines.splice(i, 1)[0];
          return got;
        }
        const left = end - Date.now();
        if (left <= 0) throw new Error(`timeout waiting for ${what}`);
        await new Promise((r) => { wake = r; setTimeout(r, Math.min(left, 50)); });
        wake = null;
      }
    },
    // Every line received so far, in order, consumed or not.
    seen() { return received.slice(); },
    kill() { try { process.kill(-child.pid, 'SIGKILL'); } catch (_) { /* gone */ } },
  };
  return c;
}

function listen(attach) {
  const httpServer = http.createServer();
  const io = attach(httpServer);
  return new Promise((resolve) => httpServer.listen(0, '127.0.0.1', () =>
    resolve({io, port: httpServer.address().port, httpServer})));
}

const ev = (kind, nsp, more = {}) => (l) =>
  l.ev === kind && (nsp === undefined || l.nsp === nsp) &&
  Object.entries(more).every(([k, v]) => JSON.stringify(l[k]) === JSON.stringify(v));

// socket.io 4.8 with "/" and "/admin" (auth.token must be "abc") and "/secret" (always refused).
function server48(opts = {}) {
  const {Server} = require(path.join(NM, 'socket.io'));
  return listen((h) => {
    const io = new Server(h, opts);
    const log = {connections: [], disconnects: []};
    io.log = log;
    const track = (name) => (s) => {
      log.connections.push({nsp: name, id: s.id, eio: s.conn.id, recovered: s.recovered,
                            auth: s.handshake.auth});
      s.on('disconnect', (reason) => log.disconnects.push({nsp: name, reason}));
      s.on('hello', (a, cb) => cb('hi ' + a));
      s.on('noreply', () => {});
      s.on('ask', () => s.emit('question', 'q?', (ans) => log.answered = ans));
    };
    io.on('connection', track('/'));
    const admin = io.of('/admin');
    admin.use((s, next) => {
      if (s.handshake.auth && s.handshake.auth.token === 'abc') return next();
      const e = new Error('not authorized');
      e.data = {code: 401};
      next(e);
    });
    admin.on('connection', track('/admin'));
    io.of('/secret').use((s, next) => next(new Error('go away')));
    return io;
  });
}

// socket.io 2.5 (protocol v4, Engine.IO v3): auth travels in the CONNECT query.
function server25() {
  const io = require(path.join(NM, 'socket.io-v2'))();
  return listen((h) => {
    io.attach(h);
    const log = {connections: [], disconnects: []};
    io.log = log;
    const track = (name) => (s) => {
      log.connections.push({nsp: name, id: s.id, eio: s.conn.id});
      s.on('disconnect', (reason) => log.disconnects.push({nsp: name, reason}));
      s.on('hello', (a, cb) => cb('hi ' + a));
      s.on('noreply', () => {});
    };
    io.on('connection', track('/'));
    const admin = io.of('/admin');
    admin.use((s, next) => (s.handshake.query.token === 'abc' ? next()
                                                               : next(new Error('not authorized'))));
    admin.on('connection', track('/admin'));
    return io;
  });
}

function stop(c, io, httpServer) {
  c.kill();
  io.close();
  httpServer.close();
}

// --- scenarios ------------------------------------------------------------------------------------
async function namespaces(exe, {v2}) {
  const {io, port, httpServer} = v2 ? await server25() : await server48();
  const c = startClient(exe, port, v2);
  try {
    c.send('join / -');
    c.send(v2 ? 'join /admin ?token=abc' : 'join /admin {"token":"abc"}');
    c.send(v2 ? 'join /admin2 ?token=no' : 'join /secret -');
    await c.expect('connect /', ev('connect', '/'));
    await c.expect('connect /admin', ev('connect', '/admin'));
    const refused = v2 ? '/admin2' : '/secret';
    const err = await c.expect('connect_error', ev('connect_error', refused));
    check(err.message === (v2 ? 'Invalid namespace' : 'go away'), `refusal ${JSON.stringify(err)}`);
    if (!v2) {
      // Wrong auth on /admin: the middleware's error and its message.
      c.send('leave /admin');
      await c.expect('admin left', (l) => l.cmd === 'leave');
      await sleep(100);
      c.send('join /admin {"token":"nope"}');
      const e2 = await c.expect('admin refused', ev('connect_error', '/admin'));
      check(e2.message === 'not authorized', `auth refusal ${JSON.stringify(e2)}`);
    }
    const conns = io.log.connections;
    check(conns.some((x) => x.nsp === '/') && conns.some((x) => x.nsp === '/admin'),
          `node saw / and /admin: ${JSON.stringify(conns)}`);
    check(new Set(conns.map((x) => x.eio)).size === 1,
          `multiplexed on one Engine.IO session: ${JSON.stringify(conns)}`);
    if (!v2) check(conns.find((x) => x.nsp === '/admin').auth.token === 'abc', 'auth delivered');
  } finally {
    stop(c, io, httpServer);
  }
}

async function acks(exe, {v2}) {
  const {io, port, httpServer} = v2 ? await server25() : await server48();
  const c = startClient(exe, port, v2);
  try {
    c.send('join / -');
    await c.expect('connect /', ev('connect', '/'));
    c.send('emit / hello x 0');
    const a = await c.expect('ack 0', ev('ack', '/'));
    check(a.id === 0 && JSON.stringify(a.args) === '["hi x"]', `ack ${JSON.stringify(a)}`);
    c.send('emit / hello y 2000');
    const b = await c.expect('ack 1', ev('ack', '/'));
    check(b.id === 1 && JSON.stringify(b.args) === '["hi y"]', `ack ${JSON.stringify(b)}`);
    const t0 = Date.now();
    c.send('emit / noreply z 300');
    const t = await c.expect('ack_timeout', ev('ack_timeout', '/'), 3000);
    const dt = Date.now() - t0;
    check(t.id === 2, `timeout id ${JSON.stringify(t)}`);
    check(dt >= 250 && dt < 1500, `timed out after ${dt} ms (300 asked)`);
    check(!c.seen().some((l) => l.ev === 'ack' && l.id === 2), 'no answer after the timeout');
  } finally {
    stop(c, io, httpServer);
  }
}

// The server drops the transport (engine.io socket.close(): "forced close" on the node side, the
// WebSocket closes under the client): disconnect "transport close", a reconnect attempt, and
// both namespaces joined again on the new session.
async function reconnect(exe, {v2}) {
  const {io, port, httpServer} = v2 ? await server25() : await server48();
  const c = startClient(exe, port, v2);
  try {
    c.send('join / -');
    c.send(v2 ? 'join /admin ?token=abc' : 'join /admin {"token":"abc"}');
    const first = await c.expect('connect /', ev('connect', '/'));
    await c.expect('connect /admin', ev('connect', '/admin'));
    const eio1 = io.log.connections[0].eio;
    const sock = v2 ? io.sockets.connected[Object.keys(io.sockets.connected)[0]]
                    : [...io.of('/').sockets.values()][0];
    sock.conn.close();
    const d = await c.expect('disconnect', ev('disconnect'));
    check(d.reason === 'transport close', `disconnect reason ${JSON.stringify(d)}`);
    const att = await c.expect('reconnect_attempt', ev('reconnect_attempt'), 5000);
    check(att.attempt === 1, `attempt ${JSON.stringify(att)}`);
    await c.expect('reconnect', ev('reconnect'), 5000);
    const again = await c.expect('connect / again', ev('connect', '/'), 5000);
    await c.expect('connect /admin again', (l) => l.ev === 'connect' && l.nsp === '/admin', 5000);
    check(again.sid !== first.sid, 'a new socket id');
    const conns = io.log.connections;
    check(conns.filter((x) => x.nsp === '/admin').length === 2, `re-joined /admin: ${JSON.stringify(conns)}`);
    check(conns[conns.length - 1].eio !== eio1, 'a new Engine.IO session');
    // Still usable: an ack round trip on the new session.
    c.send('emit /admin hello again 2000');
    const a = await c.expect('ack after reconnect', ev('ack', '/admin'));
    check(JSON.stringify(a.args) === '["hi again"]', `ack ${JSON.stringify(a)}`);
  } finally {
    stop(c, io, httpServer);
  }
}

// connectionStateRecovery on the node server: events broadcast while the client is away are
// delivered after the reconnect, once and in order; socket.recovered on node, recovered on ours.
async function recovery(exe) {
  const {io, port, httpServer} = await server48({
      connectionStateRecovery: {maxDisconnectionDuration: 60000, skipMiddlewares: true}});
  const c = startClient(exe, port, false);
  try {
    c.send('join / -');
    const first = await c.expect('connect /', ev('connect', '/'));
    check(first.recovered === false, 'first connect not recovered');
    io.emit('tick', '0');
    const e0 = await c.expect('tick 0', ev('event', '/'));
    check(e0.offset !== '' && e0.args[0] === '0', `offset kept: ${JSON.stringify(e0)}`);
    [...io.of('/').sockets.values()][0].conn.close();
    await c.expect('disconnect', ev('disconnect', '/', {reason: 'transport close'}));
    const N = 5;
    for (let i = 1; i <= N; i++) io.emit('tick', String(i));
    const back = await c.expect('recovered connect', ev('connect', '/'), 8000);
    check(back.recovered === true, `recovered on our side: ${JSON.stringify(back)}`);
    check(back.sid === first.sid, 'same socket id after recovery');
    io.emit('tick', 'after');
    await c.expect('tick after', (l) => l.ev === 'event' && l.args[0] === 'after');
    const ticks = c.seen().filter((l) => l.ev === 'event' && l.name === 'tick').map((l) => l.args[0]);
    check(JSON.stringify(ticks) === JSON.stringify(['0', '1', '2', '3', '4', '5', 'after']),
          `every missed event once and in order: ${JSON.stringify(ticks)}`);
    // socket.io 4.8 writes the missed packets before the CONNECT reply, and socket.io-client
    // emits them (receiveBuffer) before "connect": the engine keeps that order.
    const seen = c.seen();
    const at = seen.findIndex((l) => l.ev === 'connect' && l.recovered);
    check(seen.findIndex((l) => l.ev === 'event' && l.args[0] === '5') < at,
          'missed events before the recovered connect, as socket.io-client');
    const last = io.log.connections[io.log.connections.length - 1];
    check(last.recovered === true, `socket.recovered on node: ${JSON.stringify(io.log.connections)}`);
  } finally {
    stop(c, io, httpServer);
  }
}

run('run_sio_engine_scenarios', 'client', ['socket.io', 'socket.io-v2', 'ws'], {
  namespaces: (exe) => namespaces(exe, {v2: false}),
  acks: (exe) => acks(exe, {v2: false}),
  reconnect: (exe) => reconnect(exe, {v2: false}),
  recovery: (exe) => recovery(exe),
  namespaces_v2: (exe) => namespaces(exe, {v2: true}),
  acks_v2: (exe) => acks(exe, {v2: true}),
  reconnect_v2: (exe) => reconnect(exe, {v2: true}),
});
