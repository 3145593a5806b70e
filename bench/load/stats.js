// SPDX-License-Identifier: BSL-1.0
// The runner's probe (bench/load/run.py): one socket.io-client connection to a bench/load server;
// each line read on stdin asks `stats`, whose ack is written on stdout as one JSON line. One
// connection for the whole run, so that its own setup is not inside the windows measured.
//
//   node stats.js PORT
'use strict';

const path = require('path');
const readline = require('readline');
const ioc = require(path.join(__dirname, 'node_modules', 'socket.io-client'));

const socket = ioc(`http://127.0.0.1:${Number(process.argv[2])}`, {
  transports: ['websocket'],
  reconnection: false,
});
socket.on('connect', () => {
  process.stdout.write('ready\n');
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('close', () => process.exit(0));  // the runner is done with this server
  lines.on('line', async () => {
    try {
      process.stdout.write(`${JSON.stringify(await socket.timeout(10000).emitWithAck('stats'))}\n`);
    } catch (e) {
      process.stdout.write('{"error":"no answer"}\n');
    }
  });
});
socket.on('connect_error', (e) => {
  process.stderr.write(`stats.js: ${e.message}\n`);
  process.exit(1);
});
socket.on('disconnect', () => process.exit(0));
