// SPDX-License-Identifier: BSL-1.0
// The processes an interop runner starts: each in its own process group (a program and what it
// starts go together), every group killed when the runner exits, however it exits (normal end,
// an exception, SIGINT / SIGTERM / SIGHUP from ctest's timeout or a terminal), so that no server
// or client outlives its runner and holds a port.
'use strict';
const {spawn} = require('child_process');

const children = new Set();
function killAll() {
  for (const c of children) {
    try { process.kill(-c.pid, 'SIGKILL'); } catch (_) { /* already gone */ }
  }
  children.clear();
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => { killAll(); process.exit(1); });
}

// Spawns `cmd` in its own group, stdio piped; `opts` are spawn()'s.
function spawnGroup(cmd, args, opts = {}) {
  const child = spawn(cmd, args, {detached: true, stdio: ['pipe', 'pipe', 'pipe'], ...opts});
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

module.exports = {killAll, spawnGroup};
