// Loaded with `node --require` into the built service: records every module it loads from node_modules that
// `npm ci --omit=dev` would not install (the Docker image's node_modules), one package directory a line, in
// the file PRODUCTION_DEPS_REPORT. PRODUCTION_DEPS_FILE lists the production packages' directories
// (`npm ls --omit=dev --all --parseable`).
const Module = require('node:module');
const { appendFileSync, readFileSync } = require('node:fs');

const allowed = new Set(readFileSync(process.env.PRODUCTION_DEPS_FILE, 'utf8').split('\n').filter(Boolean));
const report = process.env.PRODUCTION_DEPS_REPORT;
const seen = new Set();
const resolve = Module._resolveFilename;

/** The package directory of a file below node_modules (`…/node_modules/@scope/name`), or undefined. */
function packageDir(file) {
  const at = file.lastIndexOf('/node_modules/');
  if (at < 0) return undefined;
  const rest = file.slice(at + '/node_modules/'.length).split('/');
  return file.slice(0, at + '/node_modules/'.length) + (rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]);
}

Module._resolveFilename = function (...args) {
  const file = resolve.apply(this, args);
  const dir = typeof file === 'string' ? packageDir(file) : undefined;
  if (dir && !allowed.has(dir) && !seen.has(dir)) {
    seen.add(dir);
    appendFileSync(report, `${dir}\n`);
  }
  return file;
};
