#!/usr/bin/env node
/**
 * `npm start|demo|sim|bench`: builds when the sources are newer than dist/ (or dist/ is missing), then
 * runs the built code. Arguments after `--` are passed on (e.g. `npm run sim -- --port 4647 --seed`).
 */
const { execFileSync, spawn } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const SERVICE = 'dist/apps/nomad-mcp/src/main.js';
const DEMO = 'dist/apps/nomad-mcp-demo/src/main.js';
const SIM = 'dist/apps/nomad-sim/src/main.js';
/**
 * What each command runs, the built files it needs, and the Nest project that builds them: the service
 * alone (what `npm run build` and the image hold), or the demo app, whose build also holds the simulator.
 */
const targets = {
  service: { run: SERVICE, needs: [SERVICE], project: 'nomad-mcp' },
  demo: { run: DEMO, needs: [DEMO, SIM], project: 'nomad-mcp-demo' },
  sim: { run: SIM, needs: [SIM], project: 'nomad-mcp-demo' },
  bench: { run: 'scripts/bench.js', needs: [SERVICE, SIM], project: 'nomad-mcp-demo' },
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

function ensureBuilt(target) {
  const built = Math.min(...target.needs.map((f) => (existsSync(join(root, f)) ? statSync(join(root, f)).mtimeMs : 0)));
  const sources = Math.max(newestSource(join(root, 'apps')), newestSource(join(root, 'libs')));
  if (built >= sources) return;
  process.stderr.write(built ? 'Sources changed; rebuilding...\n' : 'Building (first run)...\n');
  execFileSync(process.execPath, [require.resolve('@nestjs/cli/bin/nest.js'), 'build', target.project], { cwd: root, stdio: 'inherit' });
}

const mode = process.argv[2];
if (!targets[mode]) {
  process.stderr.write(`usage: node scripts/run.js ${Object.keys(targets).join('|')} [args]\n`);
  process.exit(2);
}
ensureBuilt(targets[mode]);
const child = spawn(process.execPath, [join(root, targets[mode].run), ...process.argv.slice(3)], { cwd: root, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
