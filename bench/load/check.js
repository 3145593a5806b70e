// SPDX-License-Identifier: BSL-1.0
// ctest load.contract.*: starts one of the two servers of bench/load and checks, with
// socket.io-client 4.8.1, the application the generator relies on (bench/load/README.md):
// room broadcast to every member and to no one else, echo and bin acks, stats, over WebSocket
// and long-polling.
//
//   node check.js [--websocket-only] [--any-allocations] -- COMMAND [ARGS...]
//
// COMMAND: the server's command line, without --port. --websocket-only: every client on
// WebSocket from the start (siocodec_load_server --threads N > 1, whose threads do not share
// sessions: a long-polling request may reach a thread that does not know its sid).
// --any-allocations: skip the check of no allocation per message (with --threads N > 1 a chat
// message is handed to the other threads, which allocates).
'use strict';

const { spawn } = require('child_process');
const path = require('path');

let ioc;
try {
  ioc = require(path.join(__dirname, 'node_modules', 'socket.io-client'));
} catch (e) {
  process.stderr.write('check.js: bench/load/node_modules missing (npm ci there)\n');
  process.exit(77);
}

const sep = process.argv.indexOf('--');
if (sep < 0 || sep + 1 >= process.argv.length) {
  process.stderr.write('usage: node check.js -- COMMAND [ARGS...]\n');
  process.exit(2);
}
const command = process.argv.slice(sep + 1);
const wsOnly = process.argv.slice(2, sep).includes('--websocket-only');
const anyAllocations = process.argv.slice(2, sep).includes('--any-allocations');

function fail(why) {
  process.stderr.write(`check.js: FAIL: ${why}\n`);
  if (server) server.kill('SIGKILL');
  process.exit(1);
}
setTimeout(() => fail('timed out'), 20000).unref();

const server = spawn(command[0], command.slice(1).concat(['--port', '0']), {
  stdio: ['ignore', 'pipe', 'inherit'],
});
server.on('exit', (code, sig) => {
  if (!done) fail(`the server exited (${code === null ? sig : code})`);
});
let done = false;
let out = '';
server.stdout.on('data', (d) => {
  out += d.toString();
  const m = /^listening (\d+)\n/m.exec(out);
  if (m && !started) {
    started = true;
    run(Number(m[1])).catch((e) => fail(e.stack || String(e)));
  }
});
let started = false;

function connect(port, room, transports) {
  return new Promise((resolve, reject) => {
    const s = ioc(`http://127.0.0.1:${port}`, {
      transports: wsOnly ? ['websocket'] : transports,
      auth: room === null ? {} : { room },
      reconnection: false,
      forceNew: true,
    });
    s.received = [];
    s.on('chat', (m) => s.received.push(m));
    s.on('connect', () => resolve(s));
    s.on('connect_error', reject);
  });
}

function ack(s, ...args) {
  return s.timeout(5000).emitWithAck(...args);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The C++ server's operator new calls per message sent, on a WebSocket in its steady state
// (after a warm-up that sizes the reusable storage): the issue asks for none.
async function steadyAllocations(s) {
  const round = async (n) => {
    for (let i = 0; i < n; ++i) {
      const text = `${i};` + 'y'.repeat(98);
      if ((await ack(s, 'echo', text)) !== text) fail('echo acked something else');
      const got = new Promise((resolve) => s.once('chat', resolve));
      s.emit('chat', text);
      if ((await got) !== text) fail('chat delivered something else');
    }
  };
  await round(200);
  const before = await ack(s, 'stats');
  const again = await ack(s, 'stats');  // what one stats call costs
  await round(1000);
  const after = await ack(s, 'stats');
  const messages = after.messages - again.messages;  // stats acks are not counted
  const allocs = after.allocs - again.allocs - (again.allocs - before.allocs);
  const perMessage = allocs / messages;
  process.stdout.write(`check.js: ${allocs} allocations for ${messages} messages sent in the ` +
                       `steady state (${perMessage.toFixed(3)} per message)\n`);
  if (!(perMessage < 0.05)) fail(`${perMessage.toFixed(3)} allocations per message (at most 0.05)`);
}

async function run(port) {
  const a1 = await connect(port, 'a', ['websocket']);
  const a2 = await connect(port, 'a', ['polling']);
  const a3 = await connect(port, 'a', ['polling', 'websocket']);
  const b1 = await connect(port, 'b', ['websocket']);
  const all = [a1, a2, a3, b1];

  const text = `${process.hrtime.bigint()};` + 'x'.repeat(80);
  a2.emit('chat', text);
  const deadline = Date.now() + 5000;
  while ([a1, a2, a3].some((s) => s.received.length < 1) && Date.now() < deadline) await sleep(20);
  await sleep(200);  // anything more would arrive by now
  for (const [i, s] of [a1, a2, a3].entries()) {
    if (s.received.length !== 1 || s.received[0] !== text) {
      fail(`room member ${i} got ${JSON.stringify(s.received)}`);
    }
  }
  if (b1.received.length !== 0) fail(`a member of another room got ${JSON.stringify(b1.received)}`);

  const echoed = await ack(a3, 'echo', text);
  if (echoed !== text) fail(`echo acked ${JSON.stringify(echoed)}`);
  const bytes = Buffer.alloc(16384);
  for (let i = 0; i < bytes.length; ++i) bytes[i] = (i * 7) & 0xff;
  const back = await ack(a1, 'bin', bytes);
  if (!Buffer.isBuffer(back) || !back.equals(bytes)) fail('bin acked other bytes');
  const backPolling = await ack(a2, 'bin', bytes);
  if (!Buffer.isBuffer(backPolling) || !backPolling.equals(bytes)) {
    fail('bin (polling) acked other bytes');
  }

  const stats = await ack(b1, 'stats');
  if (typeof stats !== 'object' || typeof stats.rss !== 'number' || stats.rss <= 0 ||
      stats.sockets !== all.length || typeof stats.allocs !== 'number') {
    fail(`stats acked ${JSON.stringify(stats)}`);
  }
  if (stats.allocs >= 0 && !anyAllocations) await steadyAllocations(b1);
  for (const s of all) s.disconnect();
  await sleep(300);
  const c = await connect(port, null, ['websocket']);
  const after = await ack(c, 'stats');
  if (after.sockets !== 1) fail(`stats after the disconnects: ${JSON.stringify(after)}`);
  c.disconnect();
  done = true;
  process.stdout.write(`check.js: ok (${command[0]}): ${JSON.stringify(stats)}\n`);
  server.kill('SIGTERM');
  process.exit(0);
}
