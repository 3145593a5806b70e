#!/usr/bin/env node
// SPDX-License-Identifier: BSL-1.0
// A real Socket.IO server for the interop tests: socket.io 4.8 (Engine.IO v4, Socket.IO v5) or
// socket.io 2.5 (Engine.IO v3, Socket.IO v4), on 127.0.0.1 only.
//
//   node node_server.js [--sio 4|2] [--parser default|msgpack] [--port 0] [--ping-interval MS]
//                       [--ping-timeout MS] [--max-http-buffer-size BYTES]
//                       [--transports websocket,polling]
//
// (each option also as an environment variable: SIO_VERSION, PARSER, PORT, PING_INTERVAL, ...)
// --parser msgpack configures socket.io 4.8 with socket.io-msgpack-parser 3.0.2 (the `parser`
// server option); it is refused with --sio 2 (that parser version speaks protocol v5 only).
//
// Once listening it prints one line `{"port":N,"sio":4}` on stdout (port 0 picks a free port).
// GET /observations on the same port returns what the server saw, as JSON (see `obs` below);
// binary values are written {"$binary":"<hex>"}, the format of the C++ client's output.
// The process exits when its stdin closes (so it never outlives the test driver that spawned
// it with a pipe), on SIGTERM/SIGINT, or after --lifetime MS (default 120000).
//
// Namespaces:
//   /            echo handlers (below)
//   /auth        the same, behind a middleware that wants auth {token:"secret"} (v4: the CONNECT
//                payload; v2: the query string of the namespace, ?token=secret)
//   /reject      always refused: CONNECT_ERROR {message:"refused", data:{code:42}} (v2: ERROR
//                with the bare data)
//   /ünï😀       the echo handlers, under a namespace name outside ASCII
//   anything else: refused by the server itself ("Invalid namespace")
//
// Events every namespace handles:
//   echo(...args[, ack])      emits "echo" with the same args; calls ack(...args) when asked
//   échø ✓ 😀(...args[, ack])  as echo, under this name
//   ack_only(...args, ack)    ack(...args), nothing emitted
//   seq(i)                    ordered-delivery counter: obs.connections[k].seq
//   send_seq(n)               emits "seq"(i) for i = 0..n-1, then "seq_done"(n)
//   ask(...args)              emits "question"(...args) with an ack callback; the client's answer
//                             is recorded (replies) and emitted back as "answer"(...reply)
//   disconnect_me()           the server disconnects this namespace socket
//   stray_acks()              sends an ACK for id 999999 and a BINARY_ACK for id 1000000, which
//                             the client never asked for, then emits "strays_sent"
//   drop_transport()          closes the client's Engine.IO connection (socket.conn.close(): the
//                             client sees "transport close" and reconnects)
//   server_disconnect()       socket.disconnect(true): DISCONNECT, then the connection closes
//                             ("io server disconnect": the client must not reconnect)
//   broadcast(...args)        emits "news"(...args) to the whole namespace (with --recovery the
//                             server appends its offset argument)
//   drop_then_broadcast(n)    drop_transport, then, while the client is away, broadcasts
//                             "news"(i) for i = 0..n-1 (with --recovery: kept for the client)
//
// --recovery: socket.io 4.8's connectionStateRecovery (maxDisconnectionDuration 2 minutes);
// obs.connections[k].recovered is socket.recovered.
//
// --stop-heartbeat-after MS: MS after a namespace connection the server's Engine.IO session stops
// its side of the heartbeat but stays up: v4 (engine.io 6) sends no more pings and no longer
// waits for pongs; v3 (engine.io 3) answers the client's pings no more. The client must notice
// within pingInterval + pingTimeout (obs.engine: heartbeatStoppedAt, lastPingSentAt,
// unansweredPingAt, closedAt, in Date.now() milliseconds).
//
// --sid-suffix TEXT appends TEXT to every Engine.IO session id (a hostile server's sid: the
// client must percent-encode it into its request queries for the session to work).
'use strict';

const http = require('http');
const crypto = require('crypto');

function option(name, env, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i > 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  if (process.env[env] !== undefined) return process.env[env];
  return fallback;
}

const sioVersion = Number(option('sio', 'SIO_VERSION', '4'));
const parserName = option('parser', 'PARSER', 'default');
const port = Number(option('port', 'PORT', '0'));
const pingInterval = Number(option('ping-interval', 'PING_INTERVAL', '25000'));
const pingTimeout = Number(option('ping-timeout', 'PING_TIMEOUT', '20000'));
const maxHttpBufferSize = Number(option('max-http-buffer-size', 'MAX_HTTP_BUFFER_SIZE', '10000000'));
const transports = option('transports', 'TRANSPORTS', 'polling,websocket').split(',');
const lifetime = Number(option('lifetime', 'LIFETIME', '120000'));
const sidSuffix = option('sid-suffix', 'SID_SUFFIX', '');
const stopHeartbeatAfter = Number(option('stop-heartbeat-after', 'STOP_HEARTBEAT_AFTER', '0'));
const recovery = process.argv.includes('--recovery');
if (sioVersion !== 4 && sioVersion !== 2) {
  process.stderr.write('node_server: --sio must be 4 or 2\n');
  process.exit(2);
}
if ((parserName !== 'default' && parserName !== 'msgpack') ||
    (parserName === 'msgpack' && sioVersion !== 4)) {
  process.stderr.write('node_server: --parser must be default, or msgpack with --sio 4\n');
  process.exit(2);
}

// --- observations ----------------------------------------------------------------------------
const obs = {
  sio: sioVersion,
  parser: parserName,
  connections: [],  // one per namespace socket, in connection order
  rejected: [],     // middleware refusals: {nsp, auth}
  engine: {},       // per Engine.IO connection id: heartbeat packets seen, upgrade, transport
};

// JSON-friendly copy of event arguments: Buffers and ArrayBuffers become {"$binary": hex}.
function plain(v, depth = 0) {
  if (depth > 200) return null;
  if (Buffer.isBuffer(v)) return {$binary: v.toString('hex')};
  if (v instanceof ArrayBuffer) return {$binary: Buffer.from(v).toString('hex')};
  if (ArrayBuffer.isView(v)) {
    return {$binary: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')};
  }
  if (Array.isArray(v)) return v.map((x) => plain(x, depth + 1));
  if (v && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v)) o[k] = plain(v[k], depth + 1);
    return o;
  }
  return v;
}

// What is recorded of a list of arguments: its JSON (the {"$binary"} form), or for a large one
// its length and SHA-256 only, so that /observations stays small for the 1 MB scenarios.
function summary(args) {
  const json = JSON.stringify(plain(args));
  const out = {len: Buffer.byteLength(json), sha256: crypto.createHash('sha256').update(json).digest('hex')};
  if (json.length <= 4096) out.args = JSON.parse(json);
  return out;
}

function engineRecord(conn) {
  let e = obs.engine[conn.id];
  if (!e) {
    e = obs.engine[conn.id] = {
      firstTransport: conn.transport.name, transport: conn.transport.name, upgraded: false,
      pings: 0, pongs: 0, closeReason: null, closedAt: null, heartbeatStoppedAt: null,
      lastPingSentAt: null, unansweredPingAt: null,
    };
    conn.on('packet', (p) => {
      if (p.type === 'ping' && p.data !== 'probe') {
        e.pings++;
        if (e.heartbeatStoppedAt && e.unansweredPingAt === null) e.unansweredPingAt = Date.now();
      }
      if (p.type === 'pong' && p.data !== 'probe') e.pongs++;
    });
    conn.on('packetCreate', (p) => {
      if (p.type === 'ping' && p.data !== 'probe') e.lastPingSentAt = Date.now();
    });
    conn.on('upgrade', (t) => { e.upgraded = true; e.transport = t.name; });
    conn.on('close', (reason) => { e.closeReason = reason; e.closedAt = Date.now(); });
    if (stopHeartbeatAfter > 0) setTimeout(() => stopHeartbeat(conn, e), stopHeartbeatAfter);
  }
  return e;
}

// A server that stops answering, as seen by its client: the session object stays, its heartbeat
// packets no longer go out (see --stop-heartbeat-after).
function stopHeartbeat(conn, e) {
  e.heartbeatStoppedAt = Date.now();
  const send = conn.sendPacket.bind(conn);
  const dropped = sioVersion === 4 ? 'ping' : 'pong';
  conn.sendPacket = (type, ...rest) => (type === dropped ? undefined : send(type, ...rest));
  // engine.io 6 arms a timer for the pong after each ping; without the ping it would close the
  // session by itself ("ping timeout" on the server's side, "transport close" on ours).
  if (sioVersion === 4) conn.resetPingTimeout = () => {};
}

// --- the server --------------------------------------------------------------------------------
const httpServer = http.createServer((req, res) => {
  if (req.url === '/observations') {
    res.writeHead(200, {'Content-Type': 'application/json'});
    res.end(JSON.stringify(obs));
    return;
  }
  // socket.io 2.x attaches its own request listener for /socket.io/; anything else is 404.
  if (!req.url.startsWith('/socket.io/')) {
    res.writeHead(404);
    res.end();
  }
});

let io;
const common = {pingInterval, pingTimeout, maxHttpBufferSize, transports};
if (sioVersion === 4) {
  const {Server} = require('socket.io');
  const parser = parserName === 'msgpack' ? {parser: require('socket.io-msgpack-parser')} : {};
  const csr = recovery ? {connectionStateRecovery: {maxDisconnectionDuration: 120000}} : {};
  io = new Server(httpServer,
                  {...common, ...parser, ...csr, serveClient: false, cors: {origin: '*'}});
} else {
  const ioV2 = require('socket.io-v2');
  io = ioV2(httpServer, {...common, serveClient: false});
}

if (sidSuffix) {
  const generate = io.engine.generateId.bind(io.engine);
  io.engine.generateId = (req) => generate(req) + sidSuffix;
}

function authOf(socket) {
  return sioVersion === 4 ? socket.handshake.auth : {token: socket.handshake.query.token};
}

const UNICODE_EVENT = 'échø ✓ 😀';

function handlers(socket) {
  const conn = socket.conn;
  const e = engineRecord(conn);
  const rec = {
    nsp: socket.nsp.name, id: socket.id, engineId: conn.id, auth: plain(authOf(socket)),
    transportAtConnect: conn.transport.name, events: [], replies: [],
    seq: {count: 0, next: 0, outOfOrder: 0}, disconnectReason: null,
    recovered: !!socket.recovered,
  };
  obs.connections.push(rec);
  socket.on('disconnect', (reason) => { rec.disconnectReason = reason; rec.engine = e; });

  const split = (args) => {
    const ack = args.length && typeof args[args.length - 1] === 'function' ? args.pop() : null;
    return [args, ack];
  };
  socket.on('echo', (...all) => {
    const [args, ack] = split(all);
    rec.events.push({name: 'echo', ack: !!ack, ...summary(args)});
    socket.emit('echo', ...args);
    if (ack) ack(...args);
  });
  socket.on(UNICODE_EVENT, (...all) => {
    const [args, ack] = split(all);
    rec.events.push({name: UNICODE_EVENT, ack: !!ack, ...summary(args)});
    socket.emit(UNICODE_EVENT, ...args);
    if (ack) ack(...args);
  });
  socket.on('ack_only', (...all) => {
    const [args, ack] = split(all);
    rec.events.push({name: 'ack_only', ack: !!ack, ...summary(args)});
    if (ack) ack(...args);
  });
  socket.on('seq', (i) => {
    if (i !== rec.seq.next) rec.seq.outOfOrder++;
    rec.seq.next = (typeof i === 'number' ? i : rec.seq.next) + 1;
    rec.seq.count++;
  });
  socket.on('send_seq', (n) => {
    rec.events.push({name: 'send_seq', ...summary([n])});
    for (let i = 0; i < n; i++) socket.emit('seq', i);
    socket.emit('seq_done', n);
  });
  socket.on('ask', (...all) => {
    const [args] = split(all);
    rec.events.push({name: 'ask', ...summary(args)});
    socket.emit('question', ...args, (...reply) => {
      rec.replies.push(summary(reply));
      socket.emit('answer', ...reply);
    });
  });
  socket.on('stray_acks', () => {
    rec.events.push({name: 'stray_acks', len: 2});
    // socket.packet() is what the reference's ack callbacks use; the ids are none of ours.
    socket.packet({type: 3, id: 999999, data: ['never asked']});
    // socket.io-parser 4 makes an ACK with a Buffer binary itself; 2.x wants the type said.
    socket.packet({type: sioVersion === 4 ? 3 : 6, id: 1000000,
                   data: ['never asked', Buffer.from([1, 2, 3])]});
    socket.emit('strays_sent');
  });
  socket.on('drop_transport', () => {
    rec.events.push({name: 'drop_transport', len: 2});
    socket.conn.close();
  });
  socket.on('server_disconnect', () => {
    rec.events.push({name: 'server_disconnect', len: 2});
    socket.disconnect(true);
  });
  socket.on('broadcast', (...args) => {
    rec.events.push({name: 'broadcast', ...summary(args)});
    socket.nsp.emit('news', ...args);
  });
  socket.on('drop_then_broadcast', (n) => {
    rec.events.push({name: 'drop_then_broadcast', ...summary([n])});
    const nsp = socket.nsp;
    socket.once('disconnect', () => setTimeout(() => {
      for (let i = 0; i < n; i++) nsp.emit('news', i);
    }, 50));
    socket.conn.close();
  });
  socket.on('disconnect_me', () => {
    rec.events.push({name: 'disconnect_me', len: 2});
    socket.disconnect();
  });
}

function guarded(nsp) {
  nsp.use((socket, next) => {
    const auth = authOf(socket);
    if (auth && auth.token === 'secret') return next();
    obs.rejected.push({nsp: nsp.name, auth: plain(auth)});
    const err = new Error('unauthorized');
    err.data = {reason: 'bad token'};
    next(err);
  });
  return nsp;
}

io.of('/').on('connection', handlers);
guarded(io.of('/auth')).on('connection', handlers);
io.of('/ünï😀').on('connection', handlers);
const reject = io.of('/reject');
reject.use((socket, next) => {
  obs.rejected.push({nsp: '/reject', auth: plain(authOf(socket))});
  const err = new Error('refused');
  err.data = {code: 42};
  next(err);
});

// --- lifetime ----------------------------------------------------------------------------------
let stopping = false;
function stop(code, why) {
  if (stopping) return;
  process.stderr.write(`node_server: stopping (${why})\n`);
  stopping = true;
  try { io.close(); } catch (_) { /* closing anyway */ }
  setTimeout(() => process.exit(code), 50).unref();
}
process.on('SIGTERM', () => stop(0, 'SIGTERM'));
process.on('SIGINT', () => stop(0, 'SIGINT'));
process.stdin.on('end', () => stop(0, 'stdin closed'));
process.stdin.on('error', () => stop(0, 'stdin error'));
process.stdin.resume();
setTimeout(() => stop(3, 'lifetime over'), lifetime).unref();

httpServer.listen(port, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({port: httpServer.address().port, sio: sioVersion,
                                      parser: parserName}) + '\n');
});
