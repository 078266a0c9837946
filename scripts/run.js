#!/usr/bin/env node
/**
 * `npm start|demo|sim|bench`: builds when the sources are newer than dist/ (or dist/ is missing), then runs
 * `nomad-mcp` (npm start), `nomad-mcp demo`, `nomad-mcp sim` or the bench in this same process. Arguments after `--` are passed on
 * (e.g. `npm run sim -- --port 4647 --seed`, `npm start -- check`).
 */
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const BIN = 'bin/nomad-mcp.js';
const SERVICE = 'dist/apps/nomad-mcp/src/main.js';
const BUNDLE = 'dist/bundle/nomad-mcp.js';
const DEMO = 'dist/apps/nomad-mcp-demo/src/main.js';
const SIM = 'dist/apps/nomad-sim/src/main.js';
/**
 * What each command runs (the nomad-mcp CLI, or the bench) and the built files it needs. They are built with the
 * demo app's project, whose build holds the service, the demo and the simulator (what npm ci and npm pack build;
 * `npm run build` builds the service alone, as the image holds it).
 */
const targets = {
  service: { run: [BIN], needs: [SERVICE, BUNDLE] },
  demo: { run: [BIN, 'demo'], needs: [SERVICE, BUNDLE, DEMO, SIM] },
  sim: { run: [BIN, 'sim'], needs: [SERVICE, BUNDLE, SIM] },
  bench: { run: ['scripts/bench/index.js'], needs: [SERVICE, BUNDLE, SIM] },
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
  execFileSync(process.execPath, [require.resolve('@nestjs/cli/bin/nest.js'), 'build', 'nomad-mcp-demo'], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, [join(root, 'scripts', 'bundle.js')], { cwd: root, stdio: 'inherit' });
}

const mode = process.argv[2];
if (!targets[mode]) {
  process.stderr.write(`usage: node scripts/run.js ${Object.keys(targets).join('|')} [args]\n`);
  process.exit(2);
}
ensureBuilt(targets[mode]);
// Runs the command in this process (no second node holding its own 50-100 MB): it sees the arguments as if
// started as `node <script> [args]`. npm itself still waits above it: `node bin/nomad-mcp.js` has no npm at all.
const [script, ...args] = targets[mode].run;
process.chdir(root);
process.argv = [process.execPath, join(root, script), ...args, ...process.argv.slice(3)];
require(join(root, script));
