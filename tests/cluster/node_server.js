#!/usr/bin/env node
// SPDX-License-Identifier: BSL-1.0
// A Node socket.io 4.8 cluster server (cluster.js startNodeServer: @socket.io/redis-adapter 8.3,
// namespaces "/" and "/admin", `join`) in a process of its own, driven as siocodec_cluster_node
// is: `node node_server.js --redis-port N` prints `listening PORT` and exits when stdin closes.
// bench_cluster.js runs it so that both receivers it compares have a process of their own.
'use strict';

const cluster = require('./cluster');

const i = process.argv.indexOf('--redis-port');
const redisPort = Number(i > 0 ? process.argv[i + 1] : 6379);
cluster.startNodeServer(redisPort, 'node').then((s) => {
  console.log(`listening ${s.port}`);
  process.stdin.resume();
  process.stdin.on('end', async () => {
    await s.close();
    process.exit(0);
  });
}, (e) => {
  console.error(`node_server: ${e.message}`);
  process.exit(1);
});
