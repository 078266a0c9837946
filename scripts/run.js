#!/usr/bin/env node
/**
 * `npm start|demo|sim|bench`: builds when the sources are newer than dist/ (or dist/ is missing), then
 * runs the built code. Arguments after `--` are passed on (e.g. `npm run sim -- --port 4647 --seed`).
 */
const { execFileSync, spawn } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const targets = {
  service: 'dist/apps/nomad-mcp/src/main.js',
  demo: 'dist/apps/nomad-mcp/src/demo.js',
  sim: 'dist/apps/nomad-sim/src/main.js',
  bench: 'scripts/bench.js',
};

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function ensureBuilt() {
  const stamp = join(root, targets.service);
  const built = existsSync(stamp) && existsSync(join(root, targets.sim)) ? statSync(stamp).mtimeMs : 0;
  const sources = Math.max(newestSource(join(root, 'apps')), newestSource(join(root, 'libs')));
  if (built >= sources) return;
  process.stderr.write(built ? 'Sources changed; rebuilding...\n' : 'Building (first run)...\n');
  execFileSync(process.execPath, [require.resolve('@nestjs/cli/bin/nest.js'), 'build', 'nomad-mcp'], { cwd: root, stdio: 'inherit' });
}

const mode = process.argv[2];
if (!targets[mode]) {
  process.stderr.write(`usage: node scripts/run.js ${Object.keys(targets).join('|')} [args]\n`);
  process.exit(2);
}
ensureBuilt();
const child = spawn(process.execPath, [join(root, targets[mode]), ...process.argv.slice(3)], { cwd: root, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
