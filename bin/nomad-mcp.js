#!/usr/bin/env node
// `nomad-mcp [command]`: serve (the default), stdio (or --stdio), demo, sim, audit, key, check; `nomad-mcp --help`
// lists them. Runs the built code: `npm ci` and `npm pack` build it (prepare script), `npm run build` rebuilds
// the service alone. It runs the bundle of it (scripts/bundle.js) when that is as new as the build: one file
// starts in well under half the time of the build's some 2,000 module files; otherwise the build itself.
const { existsSync, statSync } = require('node:fs');
const { join } = require('node:path');

const dist = join(__dirname, '..', 'dist');
const main = join(dist, 'apps', 'nomad-mcp', 'src', 'main.js');
const bundle = join(dist, 'bundle', 'nomad-mcp.js');
if (!existsSync(main)) {
  process.stderr.write(`nomad-mcp: ${main} not found; run "npm run build" in ${join(__dirname, '..')}\n`);
  process.exit(1);
}

/** The CLI's module, and what to call once the command has started. */
function load() {
  if (!existsSync(bundle) || statSync(bundle).mtimeMs < statSync(main).mtimeMs) return { exports: require(main), started: () => {} };
  // V8's heap settings first (as main.js does), so that the code cache is made and read under the same flags
  require(join(dist, 'apps', 'nomad-mcp', 'src', 'start-up-heap.js'));
  return require('./run-bundle').runBundle(bundle);
}

const cli = load();
cli.exports
  .main(process.argv.slice(2))
  .then(cli.started)
  .catch((err) => {
    process.stderr.write(`nomad-mcp: ${err.message}\n`);
    process.exit(1);
  });
