#!/usr/bin/env node
// SPDX-License-Identifier: BSL-1.0
// The cost of the cluster (docs/cluster.md): messages/s from a Node socket.io 4.8 server through
// Redis to the clients of another node, when that node is a Node server and when it is
// siocodec_cluster_node. Not a ctest (timings); by hand:
//
//   node bench_cluster.js --node BUILD/examples/cluster/siocodec_cluster_node
//                         [--messages 20000] [--clients 4] [--runs 3]
//
// Each run: a redis-server, node0 (Node, the source: io.emit() N times in a loop, which
// publishes N messages) and node1 (Node, node_server.js, or the siocodec node, each a process
// of its own) with C socket.io-client 4.8 clients over WebSocket. Timed from the first emit to the last client's Nth message; the
// clients run in this process, so the figure bounds both receivers alike from above.
'use strict';

const cluster = require('./cluster');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const nodeExe = arg('node');
const messages = Number(arg('messages', 20000));
const clientCount = Number(arg('clients', 4));
const runs = Number(arg('runs', 3));
const why = cluster.missing();
if (why || !nodeExe) {
  console.error(why || 'usage: bench_cluster.js --node PATH [--messages N] [--clients C]');
  process.exit(why ? 77 : 2);
}

// CPU seconds (user + system) process `pid` has used: the receiver's cost, which the load of a
// shared machine disturbs less than the wall-clock time.
function cpuSeconds(pid) {
  const f = require('fs').readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;  // utime, stime in clock ticks
}

async function once(receiverKind) {
  const redis = await cluster.startRedis();
  const source = await cluster.startNodeServer(redis.port, 'node0');
  // Both receivers in a process of their own.
  const receiver = receiverKind === 'node'
                       ? await cluster.startSiocodecNode(process.execPath, redis.port, 'node1',
                                                         [require.resolve('./node_server')])
                       : await cluster.startSiocodecNode(nodeExe, redis.port, 'siocodec1');
  const clients = [];
  for (let i = 0; i < clientCount; ++i) {
    clients.push(await cluster.connectClient(receiver, '/', [], `c${i}`));
  }
  // Warm-up and a check that the path works before timing it.
  source.io.emit('warm', 0);
  await Promise.all(clients.map((c) => cluster.until(c, 'warm', 5000)));
  const done = clients.map((c) => new Promise((resolve) => {
    let n = 0;
    c.socket.offAny();
    c.socket.on('tick', () => { if (++n === messages) resolve(); });
  }));
  const cpu0 = cpuSeconds(receiver.child.pid);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < messages; ++i) source.io.emit('tick', i, 'payload of a few bytes');
  await Promise.all(done);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = cpuSeconds(receiver.child.pid) - cpu0;
  for (const c of clients) c.socket.close();
  await receiver.close();
  await source.close();
  try { process.kill(-redis.child.pid, 'SIGKILL'); } catch (_) { /* gone */ }
  return {seconds, cpu};
}

(async () => {
  for (const kind of ['node', 'siocodec']) {
    const times = [];
    for (let r = 0; r < runs; ++r) times.push(await once(kind));
    const best = Math.min(...times.map((t) => t.seconds));
    const cpu = Math.min(...times.map((t) => t.cpu));
    console.log(`${kind === 'node' ? 'Node socket.io 4.8   ' : 'siocodec_cluster_node'}: ` +
                `${messages} messages to ${clientCount} clients: best ${best.toFixed(3)} s of ` +
                `${runs}: ${Math.round(messages / best)} messages/s, ` +
                `${Math.round(messages * clientCount / best)} deliveries/s; receiver CPU ` +
                `${cpu.toFixed(2)} s (${Math.round(messages / cpu)} messages per CPU second)`);
  }
  process.exit(0);
})().catch((e) => {
  console.error(`bench_cluster: ${e.stack || e.message}`);
  process.exit(1);
});
