// Runs dist/bundle/nomad-mcp.js (scripts/bundle.js) as node would require it, but compiled from a V8 code cache
// when there is one: compiling the 5 MB file, and then each function start-up runs as it first runs, takes some
// 40% of the start-up of the bundle. The cache is written a second after a start without a usable one, to the
// temporary folder (the install may be read-only), in a folder only this user can write (V8 runs what a cache
// holds: another user's file must never be read), named for this bundle's content and this node; V8 checks it
// again on use and compiles from source when it does not fit (another node, other V8 flags), as if there were none.
const { isAscii } = require('node:buffer');
const { createHash } = require('node:crypto');
const { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { tmpdir } = require('node:os');
const { dirname, join } = require('node:path');
const { debuglog } = require('node:util');
const { Script } = require('node:vm');

/** How long after start-up the cache is written: it holds what was compiled by then (start-up, a first request). */
const WRITE_AFTER_MS = 1000;
/** Caches kept (the newest): one per build and node, so that rebuilds do not fill the temporary folder. */
const KEEP = 8;

// NODE_DEBUG=nomad-mcp-bundle says whether the cache was used and when it is written
const debug = debuglog('nomad-mcp-bundle');

const uid = process.getuid?.();
const CACHE_DIR = join(tmpdir(), `nomad-mcp-code-cache${uid === undefined ? '' : `-${uid}`}`);

/**
 * The cache's file: one per bundle content, node and node options. By content, not path and time: V8 checks a
 * cache against the source's length only, and npm gives every installed file the same time, so another build of
 * the same length (a version bumped) would otherwise be given this one's code. V8 checks node and flags itself.
 */
function cachePath(bytes) {
  const key = createHash('sha256').update(bytes).update(JSON.stringify([process.version, process.arch, process.execArgv])).digest('hex');
  return join(CACHE_DIR, `${key.slice(0, 32)}.bin`);
}

/** Whether CACHE_DIR is a real folder of this user's that no one else can write to. */
function ownDir() {
  try {
    const st = lstatSync(CACHE_DIR);
    return st.isDirectory() && (uid === undefined || (st.uid === uid && (st.mode & 0o022) === 0));
  } catch {
    return false;
  }
}

/** The cache at `path`, and what became of it: 'found', 'none', or 'refused' (a folder others may write to). */
function readCache(path) {
  if (!ownDir()) return { state: existsSync(CACHE_DIR) ? 'refused' : 'none' };
  try {
    return { state: 'found', data: readFileSync(path) };
  } catch {
    return { state: 'none' };
  }
}

/** Writes the cache beside where it is read, through a rename, so a reader never sees half a file. */
function writeCache(path, script) {
  try {
    mkdirSync(CACHE_DIR, { recursive: true, mode: 0o700 });
    if (!ownDir()) throw new Error(`${CACHE_DIR} is not a folder of this user's that only it may write to`);
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, path);
    debug('code cache written: %s', path);
    pruneCaches();
  } catch (err) {
    // no cache: the next start compiles from source, as this one did
    debug('code cache not written (%s): %s', path, err.message);
  }
}

/** Removes all but the KEEP newest caches (another process may be removing them too: errors are ignored). */
function pruneCaches() {
  const files = readdirSync(CACHE_DIR)
    .filter((f) => f.endsWith('.bin'))
    .map((f) => {
      try {
        return { f, t: statSync(join(CACHE_DIR, f)).mtimeMs };
      } catch {
        return { f, t: 0 };
      }
    })
    .sort((a, b) => b.t - a.t);
  for (const { f } of files.slice(KEEP)) rmSync(join(CACHE_DIR, f), { force: true });
}

/**
 * The bundle's exports, as `require(file)` would return them, and `started`, to call once start-up is over: it
 * writes the code cache when there was none to use.
 */
function runBundle(file) {
  const bytes = readFileSync(file);
  const path = cachePath(bytes);
  const cache = readCache(path);
  // scripts/bundle.js writes ASCII: a latin1 string of it is the same text, made without decoding 5 MB of UTF-8
  const source = isAscii(bytes) ? bytes.latin1Slice() : bytes.toString('utf8');
  const script = new Script(Module.wrap(source), { filename: file, cachedData: cache.data });
  const usable = cache.state === 'found' && !script.cachedDataRejected;
  debug('code cache %s: %s', path, usable ? 'used' : cache.state === 'found' ? 'rejected' : cache.state);
  const mod = new Module(file, module);
  mod.filename = file;
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, dirname(file));
  mod.loaded = true;
  const started = () => usable || cache.state === 'refused' || setTimeout(() => writeCache(path, script), WRITE_AFTER_MS).unref();
  return { exports: mod.exports, started };
}

module.exports = { runBundle };
