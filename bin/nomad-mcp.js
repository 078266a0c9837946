#!/usr/bin/env node
// `nomad-mcp [command]`: serve (the default), stdio (or --stdio), demo, sim, audit, key, check; `nomad-mcp --help`
// lists them. Runs the built code: `npm ci` and `npm pack` build it (prepare script), `npm run build` rebuilds
// the service alone.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const main = join(__dirname, '..', 'dist', 'apps', 'nomad-mcp', 'src', 'main.js');
if (!existsSync(main)) {
  process.stderr.write(`nomad-mcp: ${main} not found; run "npm run build" in ${join(__dirname, '..')}\n`);
  process.exit(1);
}
require(main)
  .main(process.argv.slice(2))
  .catch((err) => {
    process.stderr.write(`nomad-mcp: ${err.message}\n`);
    process.exit(1);
  });
