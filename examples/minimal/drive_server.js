#!/usr/bin/env node
// SPDX-License-Identifier: BSL-1.0
// Drives examples/minimal/server.cpp (the 15-line echo server) with socket.io-client 4.8:
// an emit comes back, an ack is answered, binary survives, over WebSocket, long-polling and the
// upgrade between them; and the adapter's default backpressure: a WebSocket client that stops
// reading while asking for 500 KB echoes is closed before the server's memory grows past a
// bound. Run from tests/interop (its node_modules).
//
//   node drive_server.js PATH_TO_SERVER [--tls]
//
// --tls: the server is tests/interop/adapter_server_tls.cpp (PORT CERT KEY), given a self-signed
// certificate made here with openssl, and serving path /sio/ (server::path); the clients use
// https and wss (not verifying it), and the backpressure check is left out (the plain run
// covers it).
'use strict';

const assert = require('assert/strict');
const path = require('path');
const { spawn } = require('child_process');

const fs = require('fs');
const os = require('os');
const { execFileSync } = require('child_process');

const { io } = require(path.join(process.cwd(), 'node_modules', 'socket.io-client'));
const WebSocket = require(path.join(process.cwd(), 'node_modules', 'ws'));

// The engine's default bound on what a session holds (16 MB) plus the process and the kernel's
// socket buffers: an unbounded queue would pass it within the 40 MB the client asks for.
const RSS_BOUND_MB = 120;
const rssMb = (pid) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
};

async function neverReads(port, pid) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
  await new Promise((resolve, reject) => {
    ws.once('message', resolve);  // the open packet
    ws.once('error', reject);
  });
  const closed = new Promise((resolve) => ws.once('close', resolve));
  let isClosed = false;
  closed.then(() => { isClosed = true; });
  ws.send('40');
  await new Promise((r) => setTimeout(r, 100));
  ws.pause();  // read nothing more: the echoes pile up in the server
  const big = '42' + JSON.stringify(['big', 'x'.repeat(500000)]);
  let maxRss = 0;
  let sent = 0;
  for (; sent < 80 && !isClosed; sent++) {
    await new Promise((resolve) => ws.send(big, resolve));
    maxRss = Math.max(maxRss, rssMb(pid));
    assert.ok(maxRss < RSS_BOUND_MB, `server RSS ${maxRss.toFixed(1)} MB after ${sent} requests`);
  }
  ws.resume();  // see the close (the server aborted the connection)
  const timeout = new Promise((_, reject) =>
    setTimeout(() => reject(new Error(`not closed after ${sent} requests of 500 KB`)), 10000));
  await Promise.race([closed, timeout]);
  return { sent, maxRss };
}

const TLS = process.argv.includes('--tls');
const SCHEME = TLS ? 'https' : 'http';
const PATH = TLS ? '/sio/' : '/socket.io/';

function selfSigned() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'siocodec-tls-'));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key,
                           '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'],
               { stdio: 'ignore' });
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return [cert, key];
}

function startServer(exe) {
  const proc = spawn(exe, TLS ? ['0', ...selfSigned()] : ['0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  process.on('exit', () => proc.kill('SIGKILL'));
  return new Promise((resolve, reject) => {
    let err = '';
    proc.stderr.on('data', (d) => {
      err += d;
      proc.log = err;
      const m = /listening on (\d+)/.exec(err);
      if (m) resolve({ proc, port: Number(m[1]) });
    });
    proc.on('exit', (code) => reject(new Error(`server exited (${code}): ${err}`)));
  });
}

async function scenario(port, transports) {
  const socket = io(`${SCHEME}://127.0.0.1:${port}`,
                    { transports, path: PATH, reconnection: false, timeout: 5000,
                      rejectUnauthorized: false });
  try {
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    // An event without ack comes back under its own name.
    const echoed = new Promise((resolve) => socket.once('hello', (...args) => resolve(args)));
    socket.emit('hello', 'wörld', 42, { nested: [true, null] });
    assert.deepEqual(await echoed, ['wörld', 42, { nested: [true, null] }]);
    // An ack is answered with the arguments.
    const answer = await socket.timeout(5000).emitWithAck('sum', 1, 'two');
    assert.equal(answer, 1);  // the ack's first argument (emitWithAck resolves with it)
    const all = await new Promise((resolve, reject) => {
      socket.timeout(5000).emit('args', 'a', 'b', (err, ...args) => (err ? reject(err) : resolve(args)));
    });
    assert.deepEqual(all, ['a', 'b']);
    // Binary, at any depth, both ways.
    const bytes = Buffer.from([0, 1, 2, 253, 254, 255]);
    const bin = await socket.timeout(5000).emitWithAck('bin', { data: bytes, list: [bytes] });
    assert.ok(Buffer.from(bin.data).equals(bytes));
    assert.ok(Buffer.from(bin.list[0]).equals(bytes));
    if (transports.length === 2) {
      // Give the upgrade time to happen, then echo once more over it.
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(socket.io.engine.transport.name, 'websocket');
      assert.equal(await socket.timeout(5000).emitWithAck('after-upgrade', 7), 7);
    }
  } finally {
    socket.disconnect();
  }
}

async function main() {
  const exe = process.argv[2];
  if (!exe) throw new Error('usage: node drive_server.js PATH_TO_SERVER');
  const { proc, port } = await startServer(exe);
  for (const transports of [['websocket'], ['polling'], ['polling', 'websocket']]) {
    await scenario(port, transports);
    console.log(`ok: ${transports.join('+')}`);
  }
  if (TLS) {
    // socket::on_disconnect told each socket's end (the client's disconnect()).
    await new Promise((r) => setTimeout(r, 200));
    const ends = proc.log.match(/^disconnect: .*$/gm) || [];
    assert.deepEqual(ends, Array(3).fill('disconnect: io client disconnect'), proc.log);
    console.log('ok: on_disconnect told of each end');
  } else {
    const bp = await neverReads(port, proc.pid);
    console.log(`ok: a client that does not read is closed (${bp.sent} requests, ` +
                `server RSS at most ${bp.maxRss.toFixed(1)} MB)`);
    // The server still serves the others.
    await scenario(port, ['websocket']);
  }
  proc.kill('SIGTERM');
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
