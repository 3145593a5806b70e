#!/usr/bin/env node
// SPDX-License-Identifier: BSL-1.0
// The cluster tests (ctest label `cluster`, tests/cluster/CMakeLists.txt): a redis-server, Node
// socket.io 4.8 servers with @socket.io/redis-adapter 8.3 and, in the cxx.* scenarios, the
// siocodec programs of examples/cluster; socket.io-client 4.8 clients on every server.
//
//   node run_cluster.js --list
//   node run_cluster.js --scenario NAME [--node PATH] [--emit PATH]
//
// Each scenario sends broadcasts from its sources (a Node server, @socket.io/redis-emitter, the
// C++ emitter, the siocodec node) to rooms, with `except`, on two namespaces, and checks that
// every client of the cluster got exactly what socket.io's semantics say, once, binary intact:
// after each broadcast the same source broadcasts "sentinel" to every client of both namespaces;
// what a client received before its sentinel is compared with what it should have received (a
// source's messages reach a server in publish order: one Redis connection each way).
//   node.broadcast    two Node servers; broadcasts from each (proves the harness)
//   node.emitter      two Node servers; @socket.io/redis-emitter
//   cxx.emitter       two Node servers; siocodec_cluster_emit (--emit)
//   cxx.node          two Node servers and siocodec_cluster_node (--node); broadcasts from a Node
//                     server and from the siocodec node
//   cxx.node_emitter  a Node server and the siocodec node; @socket.io/redis-emitter and, with
//                     --emit, siocodec_cluster_emit
//   cxx.node_hostile  the siocodec node alone (a Node server would throw on them): messages that
//                     are not the adapter's on its channels first (dropped, logged), then
//                     @socket.io/redis-emitter as above
//   node.requests     three Node servers: the requests below (proves those checks)
//   cxx.requests      two Node servers and the siocodec node; from a Node server: fetchSockets(),
//                     allRooms(), serverSideEmitWithAck(), emitWithAck() to a room (client
//                     count and acks), socketsJoin() / socketsLeave(), disconnectSockets(): the
//                     siocodec node's sockets are seen, reached and answer as the Node ones;
//                     from the siocodec node (socketio::redis::node): fetchSockets(),
//                     serverSideEmitWithAck(), allRooms(), emitWithAck() to a room,
//                     socketsJoin() / socketsLeave(), disconnectSockets(): the Node servers'
//                     sockets are seen, reached and answer as from a Node server
//   cxx.redis_down    the siocodec node alone, its clients connected; redis-server is killed:
//                     the node must say so and exit 1 (it does not reconnect) within 5 s
// Exit code 77 (skipped, with the reason on stderr) when redis-server or node_modules is missing.
'use strict';

const {spawn} = require('child_process');
const cluster = require('./cluster');

const scenarios = {
  'node.broadcast': {servers: ['node', 'node'], sources: ['server:0', 'server:1']},
  'node.emitter': {servers: ['node', 'node'], sources: ['redis-emitter']},
  'cxx.emitter': {servers: ['node', 'node'], sources: ['cxx-emitter'], needs: ['emit']},
  'cxx.node': {servers: ['node', 'node', 'siocodec'], sources: ['server:0', 'server:2'],
               needs: ['node']},
  'cxx.node_emitter': {servers: ['node', 'siocodec'], sources: ['redis-emitter', 'cxx-emitter?'],
                       needs: ['node']},
  'cxx.node_hostile': {servers: ['siocodec'], sources: ['redis-emitter'], needs: ['node'],
                       hostile: true},
  'cxx.redis_down': {servers: ['siocodec'], sources: [], needs: ['node'], redisDown: true},
  'node.requests': {servers: ['node', 'node', 'node'], sources: [], requests: true},
  'cxx.requests': {servers: ['node', 'node', 'siocodec'], sources: [], needs: ['node'],
                   requests: true},
};

function arg(name) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : undefined;
}

if (process.argv.includes('--list')) {
  for (const name of Object.keys(scenarios)) console.log(name);
  process.exit(0);
}
const scenarioName = arg('scenario');
const scenario = scenarios[scenarioName];
if (!scenario) {
  console.error(`usage: run_cluster.js --list | --scenario ${Object.keys(scenarios).join('|')} ` +
                '[--node PATH] [--emit PATH]');
  process.exit(2);
}
const programs = {node: arg('node'), emit: arg('emit')};
for (const n of scenario.needs || []) {
  if (!programs[n]) {
    console.error(`run_cluster: ${scenarioName} needs --${n}`);
    process.exit(2);
  }
}
const why = cluster.missing();
if (why) {
  console.error(`run_cluster: skipped: ${why}`);
  process.exit(77);
}

const timeout = setTimeout(() => {
  console.error(`run_cluster: ${scenarioName} timed out after 60 s`);
  process.exit(1);
}, 60000);

// The clients of each server: [namespace, rooms, transport (WebSocket when absent)].
const layout = [['/', ['r1']], ['/', ['r1', 'muted']], ['/', ['r2', 'r1']], ['/', []],
                ['/admin', ['r1']], ['/admin', []], ['/', ['r2'], 'polling']];

// The broadcasts of each source; `exceptClient` names a client (server index, layout index)
// whose id is excepted (the room every socket is in).
const cases = [
  {nsp: '/', rooms: ['r1'], except: []},
  {nsp: '/', rooms: ['r2'], except: []},
  {nsp: '/', rooms: ['r1', 'r2'], except: []},
  {nsp: '/', rooms: ['r1'], except: ['muted']},
  {nsp: '/', rooms: [], except: [], exceptClient: [-1, 1]},
  {nsp: '/', rooms: [], except: []},
  {nsp: '/admin', rooms: ['r1'], except: []},
  {nsp: '/admin', rooms: [], except: ['r1']},
];

function payload(tag, n) {
  return [tag, {n, text: 'h\u00e9llo \u{1F600}', nested: [1, null, true]},
          Buffer.from([0, 1, 2, 0xfe, 0xff, n & 0xff])];
}

function expects(client, c) {
  if (client.nsp !== c.nsp || client.control) return false;
  if (c.rooms.length && !client.rooms.some((r) => c.rooms.includes(r))) return false;
  return !client.rooms.concat([client.id]).some((r) => c.except.includes(r));
}

async function main() {
  const redis = await cluster.startRedis();
  const servers = [];
  const closers = [];
  const closeErrors = [];
  try {
    for (let i = 0; i < scenario.servers.length; ++i) {
      const kind = scenario.servers[i];
      const s = kind === 'node' ? await cluster.startNodeServer(redis.port, `node${i}`)
                                : await cluster.startSiocodecNode(programs.node, redis.port,
                                                                  `siocodec${i}`);
      servers.push(s);
      closers.push(() => s.close());
    }
    const clients = [];
    for (const s of servers) {
      s.clients = [];
      for (let j = 0; j < layout.length; ++j) {
        const [nsp, rooms, transport] = layout[j];
        const c = await cluster.connectClient(s, nsp, rooms, `${s.name}.c${j}`, transport);
        closers.push(() => c.socket.close());
        s.clients.push(c);
        clients.push(c);
      }
    }
    if (scenario.hostile) await publishHostile(redis);
    if (scenario.requests) await checkRequests(servers, clients);
    if (scenario.redisDown) {
      process.kill(-redis.child.pid, 'SIGKILL');
      const code = await Promise.race([servers[0].exited,
                                       new Promise((r) => setTimeout(() => r('running'), 5000))]);
      if (code !== 1) throw new Error(`siocodec node after redis-server died: ${code}, not exit 1`);
      console.log('run_cluster: redis-server killed: the siocodec node exited 1');
      servers[0].close = async () => {};
    }
    for (const sourceName of scenario.sources) {
      const source = await makeSource(sourceName, servers, redis, closers);
      if (!source) continue;
      await source.broadcast({nsp: '/', rooms: [], except: []}, ['sentinel']);
      await source.broadcast({nsp: '/admin', rooms: [], except: []}, ['sentinel']);
      await Promise.all(clients.map((cl) => cluster.until(cl, 'sentinel', 5000)));
      for (let i = 0; i < cases.length; ++i) {
        const c = {...cases[i]};
        if (c.exceptClient) {
          const [si, ci] = c.exceptClient;
          c.except = [servers[(si + servers.length) % servers.length].clients[ci].id];
        }
        const tag = `${source.name}#${i}`;
        await source.broadcast(c, ['ev', ...payload(tag, i)]);
        await source.broadcast({nsp: '/', rooms: [], except: []}, ['sentinel']);
        await source.broadcast({nsp: '/admin', rooms: [], except: []}, ['sentinel']);
        const want = cluster.describe([{event: 'ev', args: payload(tag, i)}]);
        const results = await Promise.all(clients.map((cl) => cluster.until(cl, 'sentinel', 5000)));
        for (let k = 0; k < clients.length; ++k) {
          const got = cluster.describe(results[k]);
          const expected = expects(clients[k], c) ? want : '[]';
          if (got !== expected) {
            throw new Error(`${tag} ${JSON.stringify(c)}: ${clients[k].label} (rooms ` +
                            `${clients[k].rooms}) got ${got}, expected ${expected}`);
          }
        }
      }
      console.log(`run_cluster: ${source.name}: ${cases.length} broadcasts to ` +
                  `${clients.length} clients on ${servers.length} servers: ok`);
    }
  } finally {
    for (const close of closers.reverse()) {
      try { await close(); } catch (e) { closeErrors.push(e.message); }
    }
    try { process.kill(-redis.child.pid, 'SIGKILL'); } catch (_) { /* gone */ }
  }
  if (closeErrors.length) throw new Error(`at the end: ${closeErrors.join('; ')}`);
}

function same(what, got, want) {
  const g = JSON.stringify(got), w = JSON.stringify(want);
  if (g !== w) throw new Error(`${what}: got ${g}, expected ${w}`);
}

// The requests of @socket.io/redis-adapter 8.3, sent by the Node server servers[0] to the
// cluster (the other servers answer; a node that does not would make each wait for its timeout
// and fail, or not be counted at all).
async function checkRequests(servers, clients) {
  const io = servers[0].io.of('/');
  const slash = clients.filter((c) => c.nsp === '/');
  const entry = (id, rooms) => `${id} ${[...new Set([id, ...rooms])].sort().join(',')}`;
  const inRoom = (room) => slash.filter((c) => c.rooms.includes(room));

  const fetched = await io.in('r1').fetchSockets();
  same('fetchSockets(r1)', fetched.map((s) => entry(s.id, [...s.rooms])).sort(),
       inRoom('r1').map((c) => entry(c.id, c.rooms)).sort());

  const all = [...await io.adapter.allRooms()].sort();
  same('allRooms()', all, [...new Set(slash.flatMap((c) => [c.id, ...c.rooms]))].sort());

  const answers = await io.serverSideEmitWithAck('hello', 7);
  same('serverSideEmitWithAck', answers.sort(),
       servers.slice(1).map((s) => `${s.kind === 'node' ? s.name : 'siocodec'}:7`).sort());

  // The same requests sent by the siocodec node (its clients' `fetch` and `sse` events): the
  // Node servers answer it, it aggregates as the reference does. Its client is on "/admin", out
  // of the "/" checks.
  const sioc = servers.find((s) => s.kind === 'siocodec');
  const control = sioc && await cluster.connectClient(sioc, '/admin', [], `${sioc.name}.control`);
  if (sioc) {
    const f = await control.socket.timeout(7000).emitWithAck(
        'fetch', {nsp: '/', rooms: ['r1'], except: ['muted']});
    same('fetchSockets(r1, except muted) from the siocodec node',
         f.map((x) => entry(x.id, x.rooms)).sort(),
         inRoom('r1').filter((c) => !c.rooms.includes('muted')).map((c) => entry(c.id, c.rooms))
             .sort());
    const a = await control.socket.timeout(7000).emitWithAck('sse', {nsp: '/'}, 'hello', 7);
    same('serverSideEmitWithAck from the siocodec node', a.sort(),
         servers.filter((s) => s.kind === 'node').map((s) => `${s.name}:7`).sort());
    const r = await control.socket.timeout(7000).emitWithAck('rooms', {nsp: '/'});
    same('allRooms() from the siocodec node', [...r].sort(), all);
    const b = await control.socket.timeout(7000).emitWithAck(
        'broadcast_ack', {nsp: '/', rooms: ['r2'], timeout: 3000}, 'q', 6);
    same('emitWithAck(r2) from the siocodec node', [...b].sort(),
         inRoom('r2').map((c) => `${c.label}:6`).sort());
  }

  const acks = await io.to('r2').timeout(3000).emitWithAck('q', 5);
  same('emitWithAck(r2)', acks.sort(), inRoom('r2').map((c) => `${c.label}:5`).sort());

  // The reference applies socketsJoin() / socketsLeave() on every node when its own request
  // comes back from Redis, its own node included: asked again until it holds (2 s at most).
  const eventually = async (what, get, want) => {
    let got;
    for (let i = 0; i < 20; ++i) {
      got = await get();
      if (JSON.stringify(got) === JSON.stringify(want)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    same(what, got, want);
  };
  const idsIn = async (room) => (await io.in(room).fetchSockets()).map((s) => s.id).sort();
  io.in('r2').socketsJoin('r9');
  await eventually('socketsJoin(r9)', () => idsIn('r9'), inRoom('r2').map((c) => c.id).sort());
  io.in('r9').socketsLeave('r9');
  await eventually('socketsLeave(r9)', () => idsIn('r9'), []);
  if (sioc) {
    // The same from the siocodec node: the Node servers' sockets and its own join and leave.
    same('socketsJoin(r8) from the siocodec node', await control.socket.timeout(3000).emitWithAck(
        'sockets_join', {nsp: '/', rooms: ['r2'], target: ['r8']}), true);
    await eventually('socketsJoin(r8) from the siocodec node', () => idsIn('r8'),
                     inRoom('r2').map((c) => c.id).sort());
    same('socketsLeave(r8) from the siocodec node', await control.socket.timeout(3000).emitWithAck(
        'sockets_leave', {nsp: '/', rooms: ['r8'], target: ['r8']}), true);
    await eventually('socketsLeave(r8) from the siocodec node', () => idsIn('r8'), []);
  }

  const muted = inRoom('muted');
  const gone = muted.map((c) => new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${c.label}: not disconnected`)), 3000);
    c.socket.on('disconnect', (reason) => { clearTimeout(t); resolve(`${c.label} ${reason}`); });
  }));
  if (sioc) {
    // disconnectSockets() from the siocodec node (from a Node server: the node.requests test).
    same('disconnectSockets(muted) from the siocodec node',
         await control.socket.timeout(3000).emitWithAck('disconnect_sockets',
                                                         {nsp: '/', rooms: ['muted']}), true);
    control.socket.close();
  } else {
    io.in('muted').disconnectSockets();
  }
  same('disconnectSockets(muted)', (await Promise.all(gone)).sort(),
       muted.map((c) => `${c.label} io server disconnect`).sort());
  const left = (await io.fetchSockets()).map((s) => s.id).sort();
  same('after disconnectSockets', left, slash.filter((c) => !muted.includes(c)).map((c) => c.id)
                                            .sort());
  console.log(`run_cluster: requests from node0 answered by ${servers.length - 1} nodes: ok`);

  // The last node goes away (the siocodec node: SIGKILL, no goodbye; a Node server: closed):
  // Redis drops its subscriptions, the next request counts one node fewer and completes at once
  // with the sockets of the others, as between Node servers.
  const last = servers[servers.length - 1];
  if (last.kind === 'node') {
    await last.close();
  } else {
    process.kill(-last.child.pid, 'SIGKILL');
    await last.exited;
  }
  last.close = async () => {};
  const t0 = Date.now();
  const remaining = (await io.fetchSockets()).map((s) => s.id).sort();
  const ms = Date.now() - t0;
  same(`fetchSockets() after ${last.name} went away`, remaining,
       slash.filter((c) => !muted.includes(c) && c.server !== last.name).map((c) => c.id).sort());
  if (ms > 1000) throw new Error(`fetchSockets() after ${last.name} went away took ${ms} ms`);
  console.log(`run_cluster: ${last.name} went away: the next request took ${ms} ms: ok`);
}

// Messages no encoder of the reference writes, on the channels of "/": a receiver must drop
// them and go on (siocodec_cluster_node logs each with its error and offset).
async function publishHostile(redis) {
  const notepack = require('notepack.io');
  const client = await cluster.redisClient(redis.port);
  const bad = [
    Buffer.alloc(0), Buffer.from([0x93]), Buffer.from([0xc1]), Buffer.from('not msgpack'),
    notepack.encode(['uid', {type: 2, data: 'x', nsp: '/'}, {}]),
    notepack.encode(['uid', {type: 9, data: ['ev'], nsp: '/'}, {}]),
    notepack.encode(['uid', {type: 2, data: ['ev'], nsp: '/'}, {rooms: [{}]}]),
    Buffer.concat([notepack.encode(['uid', {type: 2, data: ['ev'], nsp: '/'}, {}]),
                   Buffer.from([0])]),
    Buffer.from([0x93, 0xa3, 0x75, 0x69, 0x64, 0x83, 0xa4, 0x74, 0x79, 0x70, 0x65, 0x02, 0xa4,
                 0x64, 0x61, 0x74, 0x61, 0xdd, 0xff, 0xff, 0xff, 0xff]),
    Buffer.alloc(1000, 0x91),
  ];
  for (const b of bad) {
    for (const ch of ['socket.io#/#', 'socket.io#/#r1#']) await client.publish(ch, b);
  }
  await client.quit();
}

// A source of broadcasts: {name, broadcast(case, [event, ...args]) -> Promise (published)}.
async function makeSource(name, servers, redis, closers) {
  if (name.startsWith('server:')) {
    const s = servers[Number(name.slice(7))];
    if (s.kind === 'node') {
      return {name: s.name, async broadcast(c, ev) {
        s.io.of(c.nsp).to(c.rooms).except(c.except).emit(...ev);
      }};
    }
    // The siocodec node broadcasts what its client asks for (event `broadcast`, acked once
    // delivered locally and published). The control client is left out of the checks.
    const control = await cluster.connectClient(s, '/', [], `${s.name}.control`);
    control.control = true;
    closers.push(() => control.socket.close());
    return {name: s.name, async broadcast(c, ev) {
      const r = await control.socket.timeout(5000).emitWithAck(
          'broadcast', {nsp: c.nsp, rooms: c.rooms, except: c.except}, ...ev);
      if (r !== true) throw new Error(`${s.name}: broadcast acked ${JSON.stringify(r)}`);
      control.got.length = 0;
    }};
  }
  if (name === 'redis-emitter') {
    const {Emitter} = require('@socket.io/redis-emitter');
    const client = await cluster.redisClient(redis.port);
    closers.push(() => client.quit());
    const emitter = new Emitter(client);
    return {name, async broadcast(c, ev) {
      let op = emitter.of(c.nsp);
      if (c.rooms.length) op = op.to(c.rooms);
      if (c.except.length) op = op.except(c.except);
      op.emit(...ev);
      // node-redis pipelines the PUBLISH; a PING after it answers once it went through.
      await client.ping();
    }};
  }
  if (name.startsWith('cxx-emitter')) {
    if (!programs.emit) return null;  // optional in this scenario
    return {name: 'cxx-emitter', broadcast(c, ev) {
      const args = ['--redis-port', String(redis.port), '--nsp', c.nsp];
      for (const r of c.rooms) args.push('--to', r);
      for (const r of c.except) args.push('--except', r);
      args.push(ev[0]);
      for (const a of ev.slice(1)) {
        args.push(Buffer.isBuffer(a) ? `hex:${a.toString('hex')}` : `json:${JSON.stringify(a)}`);
      }
      return new Promise((resolve, reject) => {
        const p = spawn(programs.emit, args, {stdio: ['ignore', 'ignore', 'pipe']});
        let err = '';
        p.stderr.on('data', (d) => { err += d; });
        p.on('error', reject);
        p.on('exit', (code) => code === 0 ? resolve()
                                          : reject(new Error(`emit exited ${code}: ${err}`)));
      });
    }};
  }
  throw new Error(`unknown source ${name}`);
}

main().then(() => {
  clearTimeout(timeout);
  process.exit(0);
}, (e) => {
  console.error(`run_cluster: ${scenarioName}: FAILED: ${e.stack || e.message}`);
  process.exit(1);
});
