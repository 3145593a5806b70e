#!/usr/bin/env node
// SPDX-License-Identifier: BSL-1.0
// Interop of the Socket.IO server engine (include/siocodec/socketio/server.hpp + recovery.hpp,
// issue 22): socket.io-client 4.8 against sio_engine_server (server_connection per session,
// one recovery_store, Beast, WebSocket only).
//
//   node run_sio_engine_server_scenarios.js --server PATH [--scenario NAME|all]
//                                           [--transport websocket] [--list] [--verbose]
// Exit code: 0 all passed, 1 a failure, 2 usage, 77 node_modules missing.
'use strict';
const path = require('path');
const {NM, sleep, check, killAll, spawnLines, run} = require('./sio_engine_common');

async function until(what, pred, ms = 5000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = pred();
    if (v) return v;
    await sleep(10);
  }
  throw new Error(`timeout waiting for ${what}`);
}

// Starts the server; resolves with {port, lines, send}.
function startServer(exe) {
  const lines = [];
  const child = spawnLines(exe, [], 'server', (o) => lines.push(o));
  const s = {lines, send: (l) => child.stdin.write(l + '\n')};
  return until('listening', () => lines.find((l) => l.listening)).then((l) => ({...s, port: l.listening}));
}

function connect(port, nsp = '/', opts = {}) {
  const {io} = require(path.join(NM, 'socket.io-client'));
  return io(`http://127.0.0.1:${port}${nsp}`,
            {transports: ['websocket'], reconnectionDelay: 100, reconnectionDelayMax: 500, ...opts});
}
// Resolves at once when the socket already connected (several sockets connect at the same time).
const connected = (s) => new Promise((resolve, reject) => {
  if (s.connected) return resolve();
  s.once('connect', resolve);
  s.once('connect_error', reject);
});

// Namespaces on one manager ("/" and "/admin" with auth), one refused by auth, one unknown;
// acks both ways.
async function namespacesAcks(exe) {
  const srv = await startServer(exe);
  const {Manager} = require(path.join(NM, 'socket.io-client'));
  const m = new Manager(`http://127.0.0.1:${srv.port}`, {transports: ['websocket']});
  const main = m.socket('/');
  const admin = m.socket('/admin', {auth: {token: 'abc'}});
  try {
    await connected(main);
    await connected(admin);
    check(main.io.engine.id === admin.io.engine.id, 'one Engine.IO session');
    check(admin.id !== main.id, 'a socket id per namespace');
    // socket.io-client caches sockets per nsp in one manager: a second /admin needs its own one.
    const m2 = new Manager(`http://127.0.0.1:${srv.port}`, {transports: ['websocket']});
    const refused = m2.socket('/admin', {auth: {token: 'nope'}});
    const err = await new Promise((r) => refused.once('connect_error', r));
    check(err.message === 'not authorized', `refusal: ${err.message}`);
    const unknown = m2.socket('/nowhere');
    const err2 = await new Promise((r) => unknown.once('connect_error', r));
    check(err2.message === 'Invalid namespace', `unknown: ${err2.message}`);
    m2.engine && m2.engine.close();
    refused.close();
    unknown.close();
    // Client -> server ack, on both namespaces.
    check((await main.timeout(2000).emitWithAck('hello', 'x')) === 'hi x', 'ack on /');
    check((await admin.timeout(2000).emitWithAck('hello', 'y')) === 'hi y', 'ack on /admin');
    // Server -> client ack: the server asks, we answer, it reports the answer.
    admin.on('question', (q, cb) => cb('answer to ' + q));
    admin.emit('ask');
    await until('server got the answer', () => srv.lines.find((l) => l.answer === 'answer to q?' && l.nsp === '/admin'));
    // A client emit with an ack the server never answers times out on the client.
    let timedOut = false;
    try { await main.timeout(300).emitWithAck('noreply', 'z'); } catch (_) { timedOut = true; }
    check(timedOut, 'client-side ack timeout');
  } finally {
    main.close();
    admin.close();
    killAll();
  }
}

// socket.io-client 4.8 recovers against server_connection + recovery_store.
async function recovery(exe) {
  const srv = await startServer(exe);
  const s = connect(srv.port);
  const got = [];
  s.on('tick', (i) => got.push(i));
  try {
    await connected(s);
    check(s.recovered === false, 'first connect not recovered');
    const sid = s.id;
    srv.send('broadcast 1 3');
    await until('ticks 1..3', () => got.length >= 3);
    // The server aborts the TCP connection: the client loses its transport.
    const disc = new Promise((r) => s.once('disconnect', r));
    srv.send('drop');
    const reason = await disc;
    check(reason === 'transport close' || reason === 'transport error', `reason ${reason}`);
    // The server broadcasts while the client is away (its socket is persisted by then).
    await until('server saw the disconnect', () => srv.lines.find((l) => l.disconnect === '/'));
    srv.send('broadcast 4 8');
    await until('broadcast done', () => srv.lines.find((l) => l.broadcast === 5));
    await new Promise((r) => s.once('connect', r));
    check(s.recovered === true, 'socket.recovered on the client');
    // socket.io 4.8 writes the missed packets before the CONNECT reply; socket.io-client emits
    // them just before 'connect'.
    check(got.length === 8, `the missed events before 'connect': ${JSON.stringify(got)}`);
    check(s.id === sid, 'same socket id');
    await until('server side recovered', () => srv.lines.find((l) => l.connect === '/' && l.recovered));
    srv.send('broadcast 9 10');
    await until('all ticks', () => got.length >= 10, 5000);
    await sleep(100);
    check(JSON.stringify(got) === JSON.stringify([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
          `every event once and in order: ${JSON.stringify(got)}`);
  } finally {
    s.close();
    killAll();
  }
}

run('run_sio_engine_server_scenarios', 'server', ['socket.io-client'],
    {namespaces_acks: namespacesAcks, recovery});
