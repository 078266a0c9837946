import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RunningSimulator, startSimulator } from '../apps/nomad-sim/src';
import { BUILT_MAIN, requireBuild, ServiceProcess, startServiceProcess } from './support/built-service';
import { call, waitFor } from './support/http';

/**
 * bin/nomad-mcp.js runs the bundle of the build (scripts/bundle.js) through a V8 code cache (bin/run-bundle.js).
 * The MCP suites over stdio (mcp.e2e-spec.ts) run every tool through it; this file covers what is the bundle's own:
 * that it is what runs, that it serves what needs files of the build or of packages left out of it, and the cache.
 */
describe('the bundled service (bin/nomad-mcp.js)', () => {
  let sim: RunningSimulator;
  let dir: string;
  const running: ServiceProcess[] = [];

  beforeAll(async () => {
    requireBuild();
    sim = await startSimulator({ port: 0, seed: true });
    dir = mkdtempSync(join(tmpdir(), 'bundle-e2e-'));
  });
  afterEach(() => Promise.all(running.splice(0).map((s) => s.stop('SIGKILL'))));
  afterAll(async () => {
    await sim?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** bin/nomad-mcp.js (or `opts.entry`) against the simulator, once it answers. */
  async function start(env: Record<string, string>, opts: { entry?: string; nodeArgs?: string[] } = {}) {
    const svc = await startServiceProcess({ NOMAD_ADDR: sim.url, LOG_FORMAT: 'json', AUDIT_DB_PATH: join(dir, 'audit.sqlite3'), ...env }, opts);
    running.push(svc);
    return svc;
  }

  it('runs the bundle, not the build\'s files, and serves REST, the Swagger UI\'s files and MCP from it', async () => {
    const probe = join(dir, 'loaded-modules.js');
    writeFileSync(probe, "process.prependOnceListener('SIGTERM', () => process.stderr.write('\\nLOADED ' + JSON.stringify(Object.keys(require.cache)) + '\\n'));");
    const svc = await start({}, { nodeArgs: ['-r', probe] });
    const list = await call(svc.url, 'GET', '/api/claude/list-jobs?namespace=development');
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.json)).toContain('example-job');
    // swagger-ui-dist is left out of the bundle: its files are found in node_modules
    const css = await call(svc.url, 'GET', '/api/docs/swagger-ui.css');
    expect([css.status, css.headers.get('content-type')]).toEqual([200, 'text/css; charset=utf-8']);
    const mcp = await call(svc.url, 'POST', '/mcp', {
      headers: { Accept: 'application/json, text/event-stream' },
      body: { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'e2e', version: '1' } } },
    });
    expect(mcp.status).toBe(200);
    expect(mcp.text).toContain('"serverInfo"');
    await svc.stop();
    const loaded: string[] = JSON.parse(/\nLOADED (.*)\n/.exec(svc.logs())![1]);
    // of the build, only the heap settings bin/ applies before the bundle; the operations came from the bundle too
    expect(loaded.filter((m) => m.includes('/dist/') && !m.includes('/node_modules/')).map((m) => m.slice(m.indexOf('/dist/')))).toEqual([
      '/dist/apps/nomad-mcp/src/start-up-heap.js',
    ]);
    // packages left out of it load from node_modules when used: SQLite at start-up, the MCP SDK for that request
    expect(loaded.some((m) => m.includes('/node_modules/better-sqlite3/'))).toBe(true);
    expect(loaded.some((m) => m.includes('/node_modules/@modelcontextprotocol/sdk/'))).toBe(true);
    expect(loaded.some((m) => m.includes('/node_modules/@nestjs/'))).toBe(false);
  });

  it('writes a code cache after start-up to a folder only its user may write to (keeping the eight newest), uses it next time, and not from a folder others may write to', async () => {
    const tmp = mkdtempSync(join(dir, 'tmp-'));
    const env = { TMPDIR: tmp, NODE_DEBUG: 'nomad-mcp-bundle' };
    // caches of ten earlier builds: writing this one's keeps the eight newest
    const cacheDir = `nomad-mcp-code-cache-${process.getuid!()}`;
    mkdirSync(join(tmp, cacheDir), { mode: 0o700 });
    for (let i = 0; i < 10; i++) {
      writeFileSync(join(tmp, cacheDir, `old-${i}.bin`), 'x');
      utimesSync(join(tmp, cacheDir, `old-${i}.bin`), new Date(2020, 0, 1 + i), new Date(2020, 0, 1 + i));
    }
    const first = await start(env);
    await waitFor('the code cache written', async () => /code cache written: /.test(first.logs()), 15000);
    await first.stop();
    expect(first.logs()).toMatch(/code cache \S+: none\n/);
    expect(readdirSync(tmp)).toEqual([cacheDir]);
    expect(statSync(join(tmp, cacheDir)).mode & 0o777).toBe(0o700);
    const kept = readdirSync(join(tmp, cacheDir));
    expect(kept.filter((f) => f.startsWith('old-')).sort()).toEqual([3, 4, 5, 6, 7, 8, 9].map((i) => `old-${i}.bin`));
    expect(kept.filter((f) => !f.startsWith('old-'))).toEqual([expect.stringMatching(/^[0-9a-f]{32}\.bin$/)]);

    // pretty logs too: pino runs pino-pretty (left out of the bundle) in a worker thread
    const second = await start({ ...env, LOG_FORMAT: 'pretty' });
    expect((await call(second.url, 'GET', '/health/live')).status).toBe(200);
    await second.stop();
    expect(second.logs()).toMatch(/code cache \S+: used\n/);
    expect(second.logs()).toMatch(/^\[[\d:.]+\] INFO: Nomad MCP listening on /m);

    // what V8 would run must not come from a file another user could have put there
    chmodSync(join(tmp, cacheDir), 0o777);
    const third = await start(env);
    expect((await call(third.url, 'GET', '/api/claude/list-jobs?namespace=development')).status).toBe(200);
    await third.stop();
    expect(third.logs()).toMatch(/code cache \S+: refused\n/);
  });

  it('keys the cache by the bundle\'s content: another bundle of the same length, path and time does not get its code', async () => {
    // V8 checks a cache against the source's length only, and npm gives every installed file one time
    const tmp = mkdtempSync(join(dir, 'tmp-'));
    const file = join(dir, 'tiny-bundle.js');
    const runIt = async () => {
      utimesSync(file, new Date('1985-10-26T08:15:00Z'), new Date('1985-10-26T08:15:00Z'));
      const script = `const c = require(${JSON.stringify(resolve(__dirname, '../bin/run-bundle.js'))}).runBundle(${JSON.stringify(file)}); process.stdout.write(c.exports.v); c.started(); setTimeout(() => {}, 1500);`;
      const child = spawn(process.execPath, ['-e', script], { env: { PATH: process.env.PATH ?? '', TMPDIR: tmp, NODE_DEBUG: 'nomad-mcp-bundle' }, stdio: ['ignore', 'pipe', 'pipe'] });
      const out = { value: '', debug: '' };
      child.stdout!.on('data', (d) => (out.value += d));
      child.stderr!.on('data', (d) => (out.debug += d));
      await new Promise((r) => child.once('exit', r));
      return out;
    };
    writeFileSync(file, "module.exports = { v: 'one' };");
    expect(await runIt()).toEqual({ value: 'one', debug: expect.stringMatching(/: none\n[^]*code cache written/) });
    expect(await runIt()).toEqual({ value: 'one', debug: expect.stringMatching(/: used\n/) });
    writeFileSync(file, "module.exports = { v: 'two' };");
    expect(await runIt()).toEqual({ value: 'two', debug: expect.stringMatching(/: none\n/) });
  });

  it('describes the API exactly as the build does: the same OpenAPI document, the same tools', async () => {
    // what the bundle does differently (lodash's functions one by one, libphonenumber-js on first use, the
    // operation list) must change nothing that Swagger's decorators, class-validator or the loader produce
    const [bundled, built] = await Promise.all([start({}), start({ AUDIT_DB_PATH: join(dir, 'built-audit.sqlite3') }, { entry: BUILT_MAIN })]);
    try {
      const docs = await Promise.all([bundled, built].map((s) => call(s.url, 'GET', '/api/docs-json')));
      expect(docs.map((d) => d.status)).toEqual([200, 200]);
      expect(Object.keys(docs[0].json.paths).length).toBeGreaterThan(30);
      expect(docs[0].text).toBe(docs[1].text);
      const tools = await Promise.all([bundled, built].map((s) => call(s.url, 'GET', '/api/claude/tools')));
      expect(tools.map((t) => t.status)).toEqual([200, 200]);
      expect(tools[0].text).toBe(tools[1].text);
      // and class-validator's rules, through the bundle: a bad field is named
      const bad = await call(bundled.url, 'GET', '/api/claude/list-jobs?namespace=development&limit=0');
      expect([bad.status, bad.json.errors?.[0]?.field]).toEqual([400, 'limit']);
    } finally {
      await Promise.all([bundled.stop(), built.stop()]);
    }
  });
});
