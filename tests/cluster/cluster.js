// SPDX-License-Identifier: BSL-1.0
// The cluster the tests run on: a redis-server on a free loopback port (no persistence), Node
// socket.io 4.8 servers joined by @socket.io/redis-adapter 8.3 (node-redis 4.7 clients), the
// siocodec node (examples/cluster, siocodec_cluster_node) as a child process, and
// socket.io-client 4.8 clients on any of them. Every child runs in its own process group and is
// killed when the runner exits, however it exits (tests/interop/child_processes.js).
'use strict';

const fs = require('fs');
const net = require('net');
const path = require('path');
const {spawnGroup} = require('../interop/child_processes');

// What the runner needs, with the reason it is skipped (exit code 77) when something is missing.
function missing() {
  for (const p of ['socket.io', 'socket.io-client', '@socket.io/redis-adapter',
                   '@socket.io/redis-emitter', 'redis', 'notepack.io']) {
    if (!fs.existsSync(path.join(__dirname, 'node_modules', p))) {
      return `tests/cluster/node_modules lacks ${p} (npm ci there, or tools/setup.sh)`;
    }
  }
  if (!findRedisServer()) return 'redis-server not found (apt-get install redis-server)';
  return null;
}

function findRedisServer() {
  const dirs = (process.env.PATH || '').split(path.delimiter).concat(['/usr/bin', '/usr/sbin']);
  for (const d of dirs) {
    const p = path.join(d, 'redis-server');
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch (_) { /* next */ }
  }
  return null;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const {port} = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Resolves with the first line of `stream` that `re` matches (its match), rejects after `ms`.
function waitLine(stream, re, ms, what) {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`${what}: no "${re}" within ${ms} ms`)), ms);
    const onData = (d) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = re.exec(line);
        if (m) {
          clearTimeout(timer);
          stream.off('data', onData);
          return resolve(m);
        }
      }
    };
    stream.on('data', onData);
  });
}

// redis-server on a free loopback port: no RDB snapshots, no AOF, nothing left on disk. Another
// process may take the port between freePort() and the bind: tried three times.
async function startRedis() {
  const exe = findRedisServer();
  let lastError;
  for (let attempt = 0; attempt < 3; ++attempt) {
    const port = await freePort();
    const child = spawnGroup(exe, ['--port', String(port), '--bind', '127.0.0.1', '--save', '',
                                   '--appendonly', 'no', '--dir', require('os').tmpdir(),
                                   '--loglevel', 'warning'],
                             {stdio: ['ignore', 'pipe', 'pipe']});
    let log = '';
    child.stdout.on('data', (d) => { log += d; });
    child.stderr.on('data', (d) => { log += d; });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const up = await Promise.race([exited.then(() => false), waitForPort(port, 5000)]);
    if (up) return {port, child, log: () => log};
    lastError = new Error(`redis-server did not start on port ${port}: ${log.trim()}`);
    try { process.kill(-child.pid, 'SIGKILL'); } catch (_) { /* gone */ }
  }
  throw lastError;
}

// Polls until something answers PING on `port`.
async function waitForPort(port, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.on('connect', () => s.write('PING\r\n'));
      s.on('data', (d) => { s.destroy(); resolve(d.toString().startsWith('+PONG')); });
      s.on('error', () => resolve(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

async function redisClient(port) {
  const {createClient} = require('redis');
  const c = createClient({url: `redis://127.0.0.1:${port}`});
  c.on('error', (e) => console.error(`redis client: ${e.message}`));
  await c.connect();
  return c;
}

// The handlers every server of the cluster has, Node's and siocodec's alike: `join` (a room, or
// an array of rooms; acked), and the namespaces "/" and "/admin".
const namespaces = ['/', '/admin'];

// A Node socket.io 4.8 server joined to the cluster on Redis `redisPort`.
async function startNodeServer(redisPort, name) {
  const {Server} = require('socket.io');
  const {createAdapter} = require('@socket.io/redis-adapter');
  const pub = await redisClient(redisPort);
  const sub = pub.duplicate();
  sub.on('error', (e) => console.error(`redis client: ${e.message}`));
  await sub.connect();
  const http = require('http').createServer();
  const io = new Server(http, {adapter: createAdapter(pub, sub, {requestsTimeout: 2000})});
  for (const nsp of namespaces) {
    // Server-side events from other nodes (serverSideEmit): acked with this server's name.
    io.of(nsp).on('hello', (n, ack) => {
      if (typeof ack === 'function') ack(`${name}:${JSON.stringify(n)}`);
    });
    io.of(nsp).on('connection', (socket) => {
      socket.on('join', (rooms, ack) => {
        socket.join(rooms);
        if (typeof ack === 'function') ack(socket.id);
      });
    });
  }
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    name,
    kind: 'node',
    io,
    port: http.address().port,
    async close() {
      io.close();
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}

// siocodec_cluster_node (`exe`; or node_server.js, `exe` node and `args` its path) joined to
// the cluster on Redis `redisPort`; it prints `listening PORT` once it accepts connections and
// exits when its stdin closes.
async function startSiocodecNode(exe, redisPort, name, args = []) {
  const child = spawnGroup(exe, args.concat(['--port', '0', '--redis-port', String(redisPort)]));
  let log = '';
  child.stdin.on('error', () => { /* it exited first: nothing to close */ });
  child.stderr.on('data', (d) => { log += d; process.stderr.write(`[${name}] ${d}`); });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  const m = await Promise.race([
    waitLine(child.stdout, /^listening (\d+)/, 10000, name),
    exited.then((code) => { throw new Error(`${name} exited (${code}): ${log.trim()}`); }),
  ]);
  child.stdout.resume();
  return {
    name,
    kind: 'siocodec',
    child,
    exited,  // resolves with the exit code
    port: Number(m[1]),
    async close() {
      child.stdin.end();
      const t = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch (_) {} },
                           3000);
      const code = await exited;
      clearTimeout(t);
      // A sanitizer's report at exit (a leak, a use after free) is an exit code too.
      if (code !== 0) throw new Error(`${name} exited ${code} after its stdin closed`);
    },
  };
}

// A socket.io-client 4.8 client of `server`'s namespace `nsp`, WebSocket only (no upgrade race
// with the broadcasts) or long-polling only (`transport` 'polling'), in `rooms`; it records
// every event it receives in `got`.
async function connectClient(server, nsp, rooms, label, transport = 'websocket') {
  const {io} = require('socket.io-client');
  const socket = io(`http://127.0.0.1:${server.port}${nsp === '/' ? '' : nsp}`,
                    {transports: [transport], reconnection: false, forceNew: true});
  const client = {label, server: server.name, nsp, rooms, socket, got: [], waiters: []};
  // Broadcasts with an ack (emitWithAck on a server): answered with the client's label.
  socket.on('q', (n, ack) => {
    if (typeof ack === 'function') ack(`${label}:${n}`);
  });
  socket.onAny((event, ...args) => {
    client.got.push({event, args});
    for (const w of client.waiters.splice(0)) w();
  });
  await new Promise((resolve, reject) => {
    socket.on('connect', resolve);
    socket.on('connect_error', (e) => reject(new Error(`${label}: ${e.message}`)));
  });
  client.id = socket.id;
  if (rooms.length) {
    const acked = await socket.timeout(5000).emitWithAck('join', rooms);
    if (acked !== socket.id) throw new Error(`${label}: join acked ${acked}, not ${socket.id}`);
  }
  return client;
}

// Waits until `client` has received event `name`; @return everything it received before.
function until(client, name, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${client.label}: no "${name}" within ${ms} ` +
                                                    `ms (got ${describe(client.got)})`)), ms);
    const check = () => {
      const i = client.got.findIndex((g) => g.event === name);
      if (i < 0) return void client.waiters.push(check);
      clearTimeout(timer);
      resolve(client.got.splice(0, i + 1).slice(0, i));
    };
    check();
  });
}

function describe(got) {
  return JSON.stringify(got.map((g) => [g.event, ...g.args.map(show)]));
}
function show(v) {
  if (Buffer.isBuffer(v) || v instanceof ArrayBuffer) return `<bin ${Buffer.from(v).toString('hex')}>`;
  if (Array.isArray(v)) return v.map(show);
  if (v && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v)) o[k] = show(v[k]);
    return o;
  }
  return v;
}

module.exports = {missing, startRedis, redisClient, startNodeServer, startSiocodecNode,
                  connectClient, until, describe, show, namespaces};
