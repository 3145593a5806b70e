#!/usr/bin/env node
// SPDX-License-Identifier: BSL-1.0
// Interop test of examples/minimal/client.cpp (the Beast client adapter's 15-line program)
// against a real socket.io 4.8 server started here, in this process.
//
//   node run_minimal_client.js --client PATH [--scenario echo_reconnect|tls|backpressure|close]
//
// PATH is siocodec_minimal_client for echo_reconnect, adapter_client (adapter_client.cpp) for the
// others.
//
// echo_reconnect: the client connects over polling, upgrades to WebSocket, emits echo("hi", 42)
// with an ack; the server emits news({n}) then acks. Once the connection is on WebSocket the
// server drops the Engine.IO connection (socket.conn.close(): "transport close"); the client
// must reconnect by itself, emit again, and on the second connection the server disconnects
// the socket (socket.disconnect(true): "io server disconnect"), after which the client has
// nothing left to do and must exit 0. The client's stdout must be exactly the expected lines.
// tls: echo_reconnect over https (a throwaway self-signed certificate made with `openssl req`
// now; exit 77, skipped, without openssl), by adapter_client tls.
// backpressure: WebSocket only; once the namespace is connected the server stops reading its
// TCP socket and emits "paused"; adapter_client then emits 64 KiB events every millisecond with a
// 1 MiB send queue limit: the client must drop the connection with "send queue full" when the
// queue is full, having never held more than the limit, and end ("transport error", no
// reconnection in that program).
// close: over polling only, "/" and "/admin" joined, an echo acked on each, then client.close():
// the server must see both namespaces disconnect with "client namespace disconnect" (the
// DISCONNECTs arrived before the Engine.IO close), and the client must end by itself.
'use strict';

const {spawn, execFileSync} = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const clientPath = arg('client', process.env.SIOCODEC_MINIMAL_CLIENT);
const scenario = arg('scenario', 'echo_reconnect');
const tls = scenario === 'tls';
if (!clientPath) {
  console.error('usage: run_minimal_client.js --client PATH');
  process.exit(1);
}
let Server;
try {
  ({Server} = require('socket.io'));
} catch (e) {
  console.error('socket.io is not installed in tests/interop/node_modules (npm ci): skipped');
  process.exit(77);
}

let child = null;
function finish(code, why) {
  if (why) console.error(`run_minimal_client: ${why}`);
  if (child) {
    try { process.kill(-child.pid, 'SIGKILL'); } catch (_) { /* gone */ }
  }
  process.exit(code);
}
setTimeout(() => finish(1, 'timed out after 25 s'), 25000).unref();

function makeHttpServer() {
  if (!tls) return require('http').createServer();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'siocodec-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
                             '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
                             '-keyout', path.join(dir, 'key.pem'), '-out',
                             path.join(dir, 'cert.pem')],
                 {stdio: 'ignore'});
  } catch (e) {
    console.error('openssl not usable: skipped');
    process.exit(77);
  }
  return require('https').createServer({key: fs.readFileSync(path.join(dir, 'key.pem')),
                                        cert: fs.readFileSync(path.join(dir, 'cert.pem'))});
}

const httpServer = makeHttpServer();
const io = new Server(httpServer, {pingInterval: 2000, pingTimeout: 2000});
let connections = 0;
const seen = [];
const closeReasons = [];
if (scenario === 'close') {
  for (const nsp of ['/', '/admin']) {
    io.of(nsp).on('connection', (socket) => {
      socket.on('echo', (...args) => {
        const ack = args.pop();
        ack(...args);
      });
      socket.on('disconnect', (reason) => closeReasons.push(`${nsp} ${reason}`));
    });
  }
}
io.on('connection', (socket) => {
  if (scenario === 'close') return;
  const n = ++connections;
  if (scenario === 'backpressure') {
    seen.push({n, initial: socket.conn.transport.name});
    socket.conn.transport.socket._socket.pause();
    socket.emit('paused');
    return;
  }
  seen.push({n, initial: socket.conn.transport.name});
  socket.on('echo', (...args) => {
    const ack = typeof args[args.length - 1] === 'function' ? args.pop() : null;
    socket.emit('news', {n});
    if (ack) ack(...args);
    // Wait for the upgrade so that both transports carried traffic before the drop.
    const act = () => {
      seen[n - 1].dropped_on = socket.conn.transport.name;
      if (n === 1) socket.conn.close();
      else socket.disconnect(true);
    };
    if (socket.conn.transport.name === 'websocket') setTimeout(act, 50);
    else socket.conn.once('upgrade', () => setTimeout(act, 50));
  });
});

httpServer.listen(0, '127.0.0.1', () => {
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${httpServer.address().port}`;
  const env = {...process.env};
  const args = scenario === 'echo_reconnect' ? [url] : [scenario, url];
  child = spawn(clientPath, args, {detached: true, stdio: ['ignore', 'pipe', 'inherit'], env});
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.on('exit', (code, signal) => {
    if (scenario === 'backpressure') return checkBackpressure(out, code, signal);
    if (scenario === 'close') return setTimeout(() => checkClose(out, code, signal), 300);
    const expected = [
      'event news [{"n":1}] ',
      'ack ["hi",42] ',
      'disconnect transport close ',
      'event news [{"n":2}] ',
      'ack ["hi",42] ',
      'disconnect io server disconnect ',
    ].join('\n') + '\n';
    console.log(out);
    console.log(JSON.stringify(seen));
    if (code !== 0) finish(1, `client exited with ${code} (${signal})`);
    if (out !== expected) finish(1, `unexpected output, wanted:\n${expected}`);
    if (connections !== 2) finish(1, `${connections} connections, wanted 2`);
    if (seen.some((s) => s.initial !== 'polling' || s.dropped_on !== 'websocket')) {
      finish(1, 'each connection must start on polling and be upgraded');
    }
    child = null;
    finish(0);
  });
});

function checkClose(out, code, signal) {
  console.log(out);
  console.log(JSON.stringify(closeReasons));
  if (code !== 0) finish(1, `client exited with ${code} (${signal})`);
  const lines = out.trim().split('\n').sort();
  const want = ['closed io client disconnect', 'disconnect / io client disconnect',
                'disconnect /admin io client disconnect'];
  if (JSON.stringify(lines) !== JSON.stringify(want)) finish(1, `wanted ${JSON.stringify(want)}`);
  const reasons = closeReasons.slice().sort();
  if (JSON.stringify(reasons) !== JSON.stringify(['/ client namespace disconnect',
                                                   '/admin client namespace disconnect'])) {
    finish(1, 'the server must see both DISCONNECTs');
  }
  child = null;
  finish(0);
}

function checkBackpressure(out, code, signal) {
  console.log(out);
  if (code !== 0) finish(1, `client exited with ${code} (${signal})`);
  const m = /^queue full max_queued=(\d+) limit=(\d+)\ndisconnect transport error\n$/.exec(out);
  if (!m) finish(1, 'wanted "queue full ..." then "disconnect transport error"');
  const max = Number(m[1]);
  const limit = Number(m[2]);
  // Never over the limit, and really filled (within two 64 KiB events of it).
  if (max > limit || max < limit - 2 * 65536) finish(1, `max_queued ${max}, limit ${limit}`);
  child = null;
  finish(0);
}
