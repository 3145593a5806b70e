// SPDX-License-Identifier: BSL-1.0
// The application of bench/load (bench/load/README.md) on socket.io 4.8.1 under node: what
// siocodec_load_server does, for the same generator.
//
//   node node_server.js [--host 127.0.0.1] [--port 0] [--ping-interval 25000]
//                       [--ping-timeout 20000]
//
// Prints `listening <port>` when ready. Every option that bears on the comparison is set
// explicitly (socket.io 4.8.1's defaults, the contract's values), so that a change of defaults in
// a later release cannot change what is measured.
'use strict';

const http = require('http');
const { Server } = require('socket.io');

function parseArgs(argv) {
  const o = { host: '127.0.0.1', port: 0, pingInterval: 25000, pingTimeout: 20000 };
  const names = {
    '--host': 'host',
    '--port': 'port',
    '--ping-interval': 'pingInterval',
    '--ping-timeout': 'pingTimeout',
  };
  for (let i = 0; i < argv.length; i += 2) {
    const key = names[argv[i]];
    if (!key || i + 1 >= argv.length) {
      process.stderr.write(
        'usage: node node_server.js [--host H] [--port P] [--ping-interval MS] ' +
          '[--ping-timeout MS]\n');
      process.exit(2);
    }
    o[key] = key === 'host' ? argv[i + 1] : Number(argv[i + 1]);
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const httpServer = http.createServer();
const io = new Server(httpServer, {
  path: '/socket.io/',
  serveClient: false,
  transports: ['polling', 'websocket'],
  allowUpgrades: true,
  upgradeTimeout: 10000,
  pingInterval: opts.pingInterval,
  pingTimeout: opts.pingTimeout,
  maxHttpBufferSize: 1e6,
  perMessageDeflate: false,
  httpCompression: false,
  allowEIO3: false,
  connectTimeout: 45000,
  cleanupEmptyChildNamespaces: false,
  connectionStateRecovery: undefined,
});

let sockets = 0;
let messages = 0; // packets sent by the application (chat copies, acks), as the C++ server counts
io.on('connection', (socket) => {
  ++sockets;
  const auth = socket.handshake.auth;
  const room = auth && typeof auth.room === 'string' && auth.room !== '' ? auth.room : null;
  if (room !== null) socket.join(room);
  socket.on('disconnect', () => {
    --sockets;
  });
  socket.on('chat', (...args) => {
    // In no room: to the sender only, as the C++ server does.
    if (room === null) {
      socket.emit('chat', ...args);
      ++messages;
    } else {
      io.to(room).emit('chat', ...args);
      const members = io.of('/').adapter.rooms.get(room);
      messages += members ? members.size : 0;
    }
  });
  socket.on('echo', (...args) => {
    const ack = args.pop();
    if (typeof ack === 'function') {
      ack(...args);
      ++messages;
    }
  });
  socket.on('bin', (...args) => {
    const ack = args.pop();
    if (typeof ack === 'function') {
      ack(...args);
      ++messages;
    }
  });
  socket.on('stats', (ack) => {
    if (typeof ack === 'function') {
      ack({ rss: process.memoryUsage().rss, sockets, allocs: -1, messages });
    }
  });
});

httpServer.listen(opts.port, opts.host, () => {
  process.stdout.write(`listening ${httpServer.address().port}\n`);
});
