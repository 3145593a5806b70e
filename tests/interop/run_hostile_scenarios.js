#!/usr/bin/env node
// SPDX-License-Identifier: BSL-1.0
// Hostile clients against the example server (examples/server, siocodec_server): each attack
// must end with the session closed for a stated reason (or the request capped) while the
// server's memory stays under a bound and other clients are still served.
//
//   node run_hostile_scenarios.js --server PATH [--scenario NAME|all] [--transport T] [--list]
//                                 [--soak SECONDS]
//
// Scenarios (one server each, on 127.0.0.1, a free port; ctest interop.hostile.<name>.<transport>,
// the transport being the one the attack uses: --list prints `name transport` lines, as the
// other drivers do):
//   flood_count        `421["flood",3000000]` and `421["flood",1000000000]`: the count is
//                      capped (--max-flood, 10,000), the ack says so; another client's
//                      handshake meanwhile is answered at once
//   ws_never_reads     a WebSocket client that stops reading, pongs blindly and keeps asking
//                      for 500 KB echoes: closed "send queue full"
//   polling_never_gets a polling client that never sends a GET and POSTs 500 KB echo requests:
//                      closed "send queue full", its later POSTs refused
//   pong_without_ping  a polling client that never GETs (so never sees a ping) and POSTs a pong
//                      every 50 ms: closed "ping timeout"
//   unanswered_acks    a client that makes the server ask for acks (`server_ack`) and never
//                      answers: closed "too many pending acks"
//   idle_after_large_packet  24 polling sessions each send one 600 KB binary packet, then
//                      idle: the server's RSS grows by much less than 24 x 600 KB (it trims
//                      the parser after each packet)
// Every scenario samples the server's VmRSS (/proc/<pid>/status) every 20 ms and fails as soon
// as it passes RSS_BOUND_MB; the figures are printed (VmHWM at the end).
//
// --soak SECONDS runs every attack at once, over and over, against one server for that long,
// then checks the bound and that a well-behaved client is still served (docs/security.md
// quotes its figures). Not registered with ctest: run it by hand.
'use strict';

const { spawn } = require('child_process');
const readline = require('readline');
const fs = require('fs');
const http = require('http');
const path = require('path');
const assert = require('assert');

let WebSocket;  // from node_modules, loaded once main() knows it is there (--list works without)

// Baseline ~5 MB; a session may queue 16 MB (16 maxPayloads) and Beast reads one
// maxPayload (1 MB) message at a time: a Debug build peaks near 25 MB under these attacks.
const RSS_BOUND_MB = Number(process.env.RSS_BOUND_MB || 64);
const SCENARIO_TIMEOUT_MS = 45000;
const BIG = 500000;  // bytes of one echo request, under the default maxPayload of 1,000,000

// --- arguments ---------------------------------------------------------------------------------
function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const serverPath = arg('server');
const only = arg('scenario', 'all');
const onlyTransport = arg('transport', 'all');
const soakSeconds = Number(arg('soak', '0'));
const attack = arg('attack');  // soak: this process runs one attack against --port until --until
// The soak's heartbeat: long enough for a client of a loaded machine to read 10,000 events
// before its pong is due; pong_without_ping then waits for pingInterval + pingTimeout.
const SOAK_HEARTBEAT = ['--ping-interval', '5000', '--ping-timeout', '10000'];
const PONG_WAIT_MS = soakSeconds > 0 || attack ? 20000 : 5000;

const children = new Set();
process.on('exit', () => { for (const c of children) { try { c.kill('SIGKILL'); } catch (_) { /* gone */ } } });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The soak runs every attack at once against one thread: a session may then reach its ping
// timeout first (its queue not yet full, or its pong stuck behind its own flood of requests
// while the server is busy with the others). That close bounds it too.
function closedFor(line, reason) {
  const ok = soakSeconds > 0 ? [reason, 'ping timeout'] : [reason];
  assert.ok(ok.includes(line.reason), `session closed "${line.reason}", expected "${reason}"`);
}

// --- the server --------------------------------------------------------------------------------
// The server's `close` log lines, and waiting for one.
class CloseLog {
  constructor() {
    this.closes = [];
    this.waiters = [];
  }

  add(line) {
    this.closes.push(line);
    this.waiters = this.waiters.filter((w) => !w());
  }

  // The close log line of session `sid`.
  closed(sid, ms) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`session ${sid} was not closed within ${ms} ms`)), ms);
      const check = () => {
        const hit = this.closes.find((l) => l.sid === sid);
        if (hit) { clearTimeout(timer); resolve(hit); return true; }
        return false;
      };
      if (!check()) this.waiters.push(check);
    });
  }
}

class Server extends CloseLog {
  constructor(args) {
    super();
    this.stderr = '';
    this.maxRss = 0;
    this.attackers = [];  // soak: the attacking processes, which get the close lines too
    this.proc = spawn(serverPath, ['--port', '0', '--exit-with-stdin', '1', ...args],
                      { stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(this.proc);
    this.proc.on('exit', () => children.delete(this.proc));
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', (d) => { this.stderr += d; });
    this.port = new Promise((resolve, reject) => {
      this.proc.on('exit', (code, signal) => reject(new Error(`server exited: ${code} ${signal} ${this.stderr}`)));
      readline.createInterface({ input: this.proc.stdout }).on('line', (line) => {
        const port = /^listening on (\d+)$/.exec(line);
        if (port) resolve(Number(port[1]));
        if (!line.startsWith('{"type":"close"')) return;  // only closes are kept
        this.add(JSON.parse(line));
        for (const a of this.attackers) { try { a.send(line); } catch (_) { /* it has finished */ } }
      });
    });
    // The memory watch: fails the scenario the moment the bound is crossed.
    this.overBound = new Promise((_, reject) => {
      this.timer = setInterval(() => {
        const kb = this.status('VmRSS');
        if (kb > this.maxRss) this.maxRss = kb;
        if (kb > RSS_BOUND_MB * 1024) {
          reject(new Error(`server VmRSS ${(kb / 1024).toFixed(1)} MB over the ${RSS_BOUND_MB} MB bound`));
        }
      }, 20);
    });
    this.overBound.catch(() => {});
  }

  status(field) {
    try {
      const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${this.proc.pid}/status`, 'utf8'));
      return m ? Number(m[1]) : 0;
    } catch (_) {
      return 0;
    }
  }

  stop() {
    clearInterval(this.timer);
    const hwm = this.status('VmHWM');
    try { this.proc.stdin.end(); } catch (_) { /* gone */ }
    try { this.proc.kill('SIGKILL'); } catch (_) { /* gone */ }
    return hwm;
  }
}

// --- raw Engine.IO v4 clients ------------------------------------------------------------------
// Resolves with {status, body}; status 0 when the connection failed (the server may answer a
// POST to a closed session and reset the connection before reading all of its body).
function request(port, method, query, body) {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: `/socket.io/?EIO=4&transport=polling${query}`,
                               headers: { 'Content-Type': 'text/plain;charset=UTF-8' }, agent: false },
                             (res) => {
                               const parts = [];
                               res.on('data', (d) => parts.push(d));
                               res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(parts).toString('utf8') }));
                             });
    req.on('error', (e) => resolve({ status: 0, body: String(e) }));
    if (body !== undefined) req.end(body); else req.end();
  });
}

// A polling handshake; resolves with {sid, ms}.
async function pollingHandshake(port) {
  const t0 = Date.now();
  const r = await request(port, 'GET', '');
  assert.strictEqual(r.status, 200, `handshake answered ${r.status}`);
  assert.ok(r.body.startsWith('0{'), `handshake body ${r.body.slice(0, 80)}`);
  return { sid: JSON.parse(r.body.slice(1)).sid, ms: Date.now() - t0 };
}

// A WebSocket session joined to namespace "/"; `onText(text)` sees every text frame after that.
function wsClient(port, onText = () => {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`, { perMessageDeflate: false });
    let sid = null;
    ws.on('error', (e) => { if (!sid) reject(e); });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const text = data.toString('utf8');
      if (text.startsWith('0{')) {
        sid = JSON.parse(text.slice(1)).sid;
        ws.send('40');
      } else if (text.startsWith('40{')) {
        resolve({ ws, sid });
      } else if (text === '2') {
        ws.send('3');
      } else {
        onText(text);
      }
    });
  });
}

const wsSend = (ws, text) => new Promise((resolve) => ws.send(text, () => resolve()));
const echoRequest = (n) => `42["echo","${'x'.repeat(n)}"]`;

// --- the attacks -------------------------------------------------------------------------------
// Each takes the server (and its port) and returns what it measured.

async function floodCount(server, port) {
  const out = {};
  for (const n of [3000000, 1000000000]) {
    let events = 0;
    let ackResolve;
    const acked = new Promise((r) => { ackResolve = r; });
    const { ws, sid } = await wsClient(port, (text) => {
      if (text.startsWith('42["flood",')) events++;
      else if (text.startsWith('431[')) ackResolve(JSON.parse(text.slice(3)));
    });
    const t0 = Date.now();
    ws.send(`421["flood",${n}]`);
    // Another client's handshake while the flood is being served.
    const other = await pollingHandshake(port);
    const ack = await Promise.race([acked, sleep(15000).then(() => {
      const line = server.closes.find((l) => l.sid === sid);
      // In the soak the other attacks can keep the server too busy to send 10,000 events before
      // this client's pong is due: a ping timeout is then a right answer.
      if (soakSeconds > 0 && line && line.reason === 'ping timeout') return null;
      throw new Error(`no flood ack in 15 s (n = ${n}, ${events} events, session ${line ? `closed "${line.reason}"` : 'open'})`);
    })]);
    if (ack === null) {
      out[`n=${n}`] = { starved: events };
      ws.terminate();
      continue;
    }
    assert.deepStrictEqual(ack, [10000], `flood ${n}: the ack names the capped count`);
    await sleep(100);
    assert.strictEqual(events, 10000, `flood ${n}: events received`);
    out[`n=${n}`] = { ack_ms: Date.now() - t0, other_handshake_ms: other.ms };
    ws.terminate();
  }
  return out;
}

async function wsNeverReads(server, port) {
  const { ws, sid } = await wsClient(port);
  ws.pause();  // never read again: everything the server sends piles up
  const pong = setInterval(() => { try { ws.send('3'); } catch (_) { /* closed */ } }, 100);
  const closed = server.closed(sid, 30000);
  let sent = 0;
  let done = false;
  closed.then(() => { done = true; }, () => {});
  for (; sent < 400 && !done && ws.readyState === WebSocket.OPEN; sent++) await wsSend(ws, echoRequest(BIG));
  const line = await closed;
  clearInterval(pong);
  ws.terminate();
  closedFor(line, 'send queue full');
  return { requests_sent: sent };
}

async function pollingNeverGets(server, port) {
  const { sid } = await pollingHandshake(port);
  assert.strictEqual((await request(port, 'POST', `&sid=${sid}`, '40')).status, 200);
  let sent = 0, refused = 0;
  for (; sent < 300; sent++) {
    const r = await request(port, 'POST', `&sid=${sid}`, echoRequest(BIG));
    if (r.status !== 200) { refused++; break; }
  }
  const line = await server.closed(sid, 5000);
  closedFor(line, 'send queue full');
  assert.strictEqual(refused, 1, 'a POST after the close is refused');
  return { requests_before_close: sent };
}

async function pongWithoutPing(server, port) {
  const { sid } = await pollingHandshake(port);
  assert.strictEqual((await request(port, 'POST', `&sid=${sid}`, '40')).status, 200);
  const t0 = Date.now();
  const closed = server.closed(sid, PONG_WAIT_MS);
  let done = false;
  closed.then(() => { done = true; }, () => {});
  let pongs = 0;
  while (!done && Date.now() - t0 < PONG_WAIT_MS + 1000) {
    await request(port, 'POST', `&sid=${sid}`, '3');
    pongs++;
    await sleep(50);
  }
  const line = await closed;
  closedFor(line, 'ping timeout');
  return { closed_after_ms: Date.now() - t0, blind_pongs: pongs };
}

async function unansweredAcks(server, port) {
  let asked = 0;
  const { ws, sid } = await wsClient(port, (text) => { if (text.startsWith('42')) asked++; });
  const closed = server.closed(sid, 20000);
  let done = false;
  closed.then(() => { done = true; }, () => {});
  let sent = 0;
  // One Engine.IO packet per WebSocket message; a hundred at a time, then wait for them to go.
  for (; sent < 100000 && !done && ws.readyState === WebSocket.OPEN; sent += 100) {
    for (let i = 0; i < 99; i++) ws.send('42["server_ack","q"]');
    await wsSend(ws, '42["server_ack","q"]');
  }
  const line = await closed;
  ws.terminate();
  closedFor(line, 'too many pending acks');
  return { requests_sent: sent, asks_received: asked };
}

// Sessions that each send one large binary packet over polling, then go idle. Copy mode keeps
// the packet in the session's parser until it is handled; the server trims the parser after
// each packet (socketio::codec::trim), so an idle session keeps at most max_retained_bytes
// (64 KiB) of it. Without the trim each would keep its last packet (SIZE bytes) until its next
// message: N x SIZE = 14 MB here. The sessions run one after the other, so with the trim the
// allocator reuses one buffer and the server's RSS barely moves.
async function idleAfterLargePacket(server, port) {
  const N = 24, SIZE = 600000;  // base64 in the polling body: 800 KB, under maxPayload
  const body = `451-["count",0,{"_placeholder":true,"num":0}]\x1eb${Buffer.alloc(SIZE, 0xab).toString('base64')}`;
  const one = async () => {
    const { sid } = await pollingHandshake(port);
    assert.strictEqual((await request(port, 'POST', `&sid=${sid}`, '40')).status, 200);
    assert.strictEqual((await request(port, 'POST', `&sid=${sid}`, body)).status, 200);
    return sid;
  };
  await one();  // first use of every buffer size: part of the baseline
  await sleep(200);
  const before = server.status('VmRSS');
  const sids = [];
  for (let i = 0; i < N; i++) sids.push(await one());
  await sleep(300);
  const after = server.status('VmRSS');
  // A session closed (a parse error...) would free its buffer and pass for the wrong reason.
  for (const sid of sids) assert.ok(!server.closes.some((l) => l.sid === sid), `session ${sid} closed`);
  const heldKb = Math.max(0, after - before);
  assert.ok(heldKb < (N * SIZE) / 1024 / 2,
            `${N} idle sessions hold ${heldKb} kB more (${(heldKb / N).toFixed(0)} kB each): not trimmed`);
  return { sessions: N, attachment_bytes: SIZE, vmrss_before_mb: +(before / 1024).toFixed(1),
           vmrss_after_mb: +(after / 1024).toFixed(1), held_kb_per_session: Math.round(heldKb / N) };
}

const scenarios = {
  flood_count: { transport: 'websocket', run: floodCount },
  // Pings every 300 ms, which the client pongs blindly; a timeout long enough for a slow
  // machine to fill the queue first.
  ws_never_reads: { transport: 'websocket', args: ['--ping-interval', '300', '--ping-timeout', '10000'],
                    run: wsNeverReads },
  polling_never_gets: { transport: 'polling', run: pollingNeverGets },
  pong_without_ping: { transport: 'polling', args: ['--ping-interval', '200', '--ping-timeout', '400'],
                       run: pongWithoutPing },
  unanswered_acks: { transport: 'websocket', run: unansweredAcks },
  // Measures the RSS of a server of its own: not part of the soak.
  idle_after_large_packet: { transport: 'polling', run: idleAfterLargePacket, soak: false },
};

async function runOne(name) {
  const s = scenarios[name];
  const server = new Server(s.args || []);
  const t0 = Date.now();
  try {
    const port = await server.port;
    const result = await Promise.race([
      s.run(server, port),
      server.overBound,
      sleep(SCENARIO_TIMEOUT_MS).then(() => { throw new Error(`scenario over ${SCENARIO_TIMEOUT_MS} ms`); }),
    ]);
    // The server still serves: a fresh handshake.
    const after = await pollingHandshake(port);
    const hwm = server.stop();
    assert.ok(hwm <= RSS_BOUND_MB * 1024, `server VmHWM ${hwm} kB over the bound`);
    return { ...result, vmrss_max_mb: +(server.maxRss / 1024).toFixed(1), vmhwm_mb: +(hwm / 1024).toFixed(1),
             handshake_after_ms: after.ms, ms: Date.now() - t0 };
  } catch (e) {
    server.stop();
    if (server.stderr) console.log(`  server stderr: ${server.stderr.trim().slice(0, 2000)}`);
    throw e;
  }
}

// One attack, again and again until `until` (ms since the epoch), in its own process (so that
// the clients of one attack do not slow down those of another): the soak's attacker. Close
// lines come from the parent; prints the number of rounds.
async function attacker(name, port, until) {
  const log = new CloseLog();
  process.on('message', (line) => log.add(JSON.parse(line)));
  let rounds = 0;
  while (Date.now() < until) {
    await scenarios[name].run(log, port);
    rounds++;
  }
  await new Promise((resolve) => process.send({ rounds }, resolve));
  process.disconnect();
}

// Every attack at once, again and again, for `seconds`, against one server.
async function soak(seconds) {
  const server = new Server(SOAK_HEARTBEAT);
  const port = await server.port;
  const until = Date.now() + seconds * 1000;
  const counts = {};
  const run = (name) => new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [__filename, '--server', serverPath, '--soak', String(seconds),
                                           '--attack', name, '--port', String(port), '--until', String(until)],
                        { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.add(child);
    server.attackers.push(child);
    child.on('message', (m) => { counts[name] = m.rounds; });
    child.on('exit', (code) => {
      children.delete(child);
      server.attackers = server.attackers.filter((c) => c !== child);
      if (code === 0) resolve(); else reject(new Error(`attack ${name} failed (exit ${code})`));
    });
  });
  const t0 = Date.now();
  try {
    const attacks = Object.keys(scenarios).filter((name) => scenarios[name].soak !== false);
    await Promise.race([Promise.all(attacks.map(run)), server.overBound]);
    const after = await pollingHandshake(port);
    const hwm = server.stop();
    return { seconds: (Date.now() - t0) / 1000, rounds: counts, vmrss_max_mb: +(server.maxRss / 1024).toFixed(1),
             vmhwm_mb: +(hwm / 1024).toFixed(1), handshake_after_ms: after.ms };
  } catch (e) {
    server.stop();
    throw e;
  }
}

async function main() {
  if (process.argv.includes('--list')) {
    for (const name of Object.keys(scenarios)) console.log(`${name} ${scenarios[name].transport}`);
    return 0;
  }
  if (!fs.existsSync(path.join(__dirname, 'node_modules', 'ws'))) {
    console.log('SKIP: tests/interop/node_modules is missing (run npm ci in tests/interop)');
    return 77;
  }
  WebSocket = require(path.join(__dirname, 'node_modules', 'ws'));
  if (!serverPath || !fs.existsSync(serverPath)) {
    console.error('run_hostile_scenarios: --server PATH to siocodec_server is required');
    return 2;
  }
  if (attack) {
    await attacker(attack, Number(arg('port')), Number(arg('until')));
    return 0;
  }
  if (soakSeconds > 0) {
    console.log(`SOAK ${JSON.stringify(await soak(soakSeconds))}`);
    return 0;
  }
  let passed = 0, failed = 0;
  for (const name of Object.keys(scenarios)) {
    if (only !== 'all' && only !== name) continue;
    if (onlyTransport !== 'all' && onlyTransport !== scenarios[name].transport) continue;
    try {
      const r = await runOne(name);
      console.log(`PASS ${name} ${JSON.stringify(r)}`);
      passed++;
    } catch (e) {
      console.log(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
      failed++;
    }
  }
  if (passed + failed === 0) {
    console.error(`run_hostile_scenarios: no scenario matches ${only} / ${onlyTransport}`);
    return 2;
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => { console.error(e); process.exit(1); });
