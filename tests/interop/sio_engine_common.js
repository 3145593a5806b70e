// SPDX-License-Identifier: BSL-1.0
// What run_sio_engine_scenarios.js and run_sio_engine_server_scenarios.js share: the command
// line, the processes they start (each in its own process group, killed at the end whatever
// happens) and the scenario loop with its exit codes (0 all passed, 1 a failure, 2 usage, 77
// node_modules missing: skipped, as the other runners).
'use strict';
const fs = require('fs');
const path = require('path');
const {killAll, spawnGroup} = require('./child_processes');

const NM = path.join(__dirname, 'node_modules');
function arg(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}
const verbose = process.argv.includes('--verbose');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function check(cond, what) { if (!cond) throw new Error(`check failed: ${what}`); }

// Spawns `cmd` in its own group; calls onLine(parsed JSON, or {raw}) per stdout line.
function spawnLines(cmd, args, tag, onLine) {
  const child = spawnGroup(cmd, args);
  let buf = '';
  child.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (verbose) console.log(`[${tag}]`, l);
      let o;
      try { o = JSON.parse(l); } catch (_) { o = {raw: l}; }
      onLine(o);
    }
  });
  child.stderr.on('data', (d) => process.stderr.write(d));
  return child;
}

// The scenario loop. `program`: the --flag naming the C++ program; `packages`: node_modules
// it needs. Each scenario has 25 s (the ctest backstop is 30 s).
async function runMatrix(runner, program, packages, matrix) {
  if (process.argv.includes('--list')) {
    for (const name of Object.keys(matrix)) console.log(`${name} websocket`);
    return 0;
  }
  const missing = packages.filter((p) => !fs.existsSync(path.join(NM, p)));
  if (missing.length) {
    console.log(`SKIP: tests/interop/node_modules lacks ${missing.join(', ')}`);
    return 77;
  }
  const exe = arg(program);
  if (!exe || !fs.existsSync(exe)) {
    console.error(`${runner}: --${program} PATH is required`);
    return 2;
  }
  const only = arg('scenario', 'all'), onlyTransport = arg('transport', 'all');
  if (onlyTransport !== 'all' && onlyTransport !== 'websocket') {
    console.error(`${runner}: websocket only`);
    return 2;
  }
  let passed = 0, failed = 0;
  for (const name of Object.keys(matrix)) {
    if (only !== 'all' && only !== name) continue;
    const t0 = Date.now();
    try {
      await Promise.race([matrix[name](exe),
                          sleep(25000).then(() => { throw new Error('25 s limit'); })]);
      console.log(`PASS ${name}.websocket (${Date.now() - t0} ms)`);
      passed++;
    } catch (e) {
      console.log(`FAIL ${name}.websocket: ${e && e.stack ? e.stack : e}`);
      failed++;
    }
    killAll();
  }
  if (passed + failed === 0) {
    console.error(`${runner}: no scenario matches ${only}`);
    return 2;
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

function run(runner, program, packages, matrix) {
  runMatrix(runner, program, packages, matrix)
      .then((code) => { killAll(); process.exit(code); },
            (e) => { console.error(e); killAll(); process.exit(1); });
}

module.exports = {NM, arg, verbose, sleep, check, killAll, spawnLines, run};
