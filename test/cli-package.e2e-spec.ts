import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RunningSimulator, startSimulator } from '../apps/nomad-sim/src';
import { runCommand } from './support/built-service';
import { call } from './support/http';
import { ALL_TOOLS } from './support/tool-names';

const ROOT = resolve(__dirname, '..');
/** Packing builds (prepare), and installing may compile better-sqlite3 when no prebuilt binary can be fetched. */
const PACK_AND_INSTALL_MS = 15 * 60_000;

/** What npm needs besides PATH: its cache and settings (HOME); no install-time analytics (Scarf, via swagger-ui). */
const npmEnv = () => ({ HOME: process.env.HOME ?? tmpdir(), SCARF_ANALYTICS: 'false', DO_NOT_TRACK: '1' });

/** A long-running command, once `ready` matches its output (stdout and stderr). */
interface Running {
  child: ChildProcess;
  match: RegExpExecArray;
  output(): string;
  stop(): Promise<void>;
}

function startUntil(command: string[], env: Record<string, string>, cwd: string, ready: RegExp, timeoutMs = 60000): Promise<Running> {
  const [program, ...args] = command;
  const child = spawn(program, args, { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((done, fail) => {
    const timer = setTimeout(() => void stop().then(() => fail(new Error(`${command.join(' ')}: no ${ready} within ${timeoutMs} ms: ${out}`))), timeoutMs);
    const onData = (d: Buffer) => {
      out += d;
      const match = ready.exec(out);
      if (!match) return;
      clearTimeout(timer);
      done({ child, match, output: () => out, stop });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`${command.join(' ')} exited with ${code} before ${ready}: ${out}`));
    });
  });
}

/** MCP over the stdio of a process: JSON-RPC messages one per line, answers matched by id. */
function stdioSession(child: ChildProcess) {
  let buffer = '';
  const lines: unknown[] = [];
  const waiting = new Map<number, (msg: any) => void>();
  child.stdout!.on('data', (d) => {
    buffer += d;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      // stdout carries the protocol only: every line must be a JSON-RPC message (a log line here would break clients)
      const msg = JSON.parse(line);
      lines.push(msg);
      waiting.get(msg.id)?.(msg);
    }
  });
  const send = (msg: object) => child.stdin!.write(`${JSON.stringify({ jsonrpc: '2.0', ...msg })}\n`);
  const request = (id: number, method: string, params: object = {}) =>
    new Promise<any>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`no answer to ${method} within 30 s; stdout so far: ${JSON.stringify(lines)}`)), 30000);
      waiting.set(id, (msg) => {
        clearTimeout(timer);
        done(msg);
      });
      send({ id, method, params });
    });
  return { send, request, lines };
}

/**
 * `npm pack` makes a package that installs and runs on a clean machine: packed as a user packs it (the prepare
 * script builds), installed with its dependencies (no dev dependencies) into an empty folder, and every kind of
 * command run from there: --help, key, check against a simulator, stdio answering tools/list, sim and demo.
 */
describe('the packed package, installed in an empty folder', () => {
  let dir: string;
  let app: string;
  let bin: string;
  let packedFiles: string[];
  let sim: RunningSimulator;
  const running: Running[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cli-package-'));
    const pack = await runCommand(['npm', 'pack', '--pack-destination', dir, '--json'], npmEnv(), ROOT, PACK_AND_INSTALL_MS);
    if (pack.code !== 0) throw new Error(`npm pack failed (${pack.code}): ${pack.stderr.slice(-3000)}`);
    const [packed] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    packedFiles = packed.files.map((f) => f.path);
    app = join(dir, 'app');
    mkdirSync(app);
    // a package.json of its own, so that npm installs here and not into a project it finds further up
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'cli-package-e2e', private: true }));
    const install = await runCommand(
      ['npm', 'install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, packed.filename)],
      npmEnv(), app, PACK_AND_INSTALL_MS,
    );
    if (install.code !== 0) throw new Error(`npm install of the tarball failed (${install.code}): ${install.stderr.slice(-3000)}`);
    bin = join(app, 'node_modules', '.bin', 'nomad-mcp');
    sim = await startSimulator({ port: 0, seed: true });
  }, 2 * PACK_AND_INSTALL_MS);

  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
    await sim?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('holds the built service, demo and simulator and the bin, not the sources, tests or dev scripts', () => {
    for (const f of ['bin/nomad-mcp.js', 'dist/apps/nomad-mcp/src/main.js', 'dist/apps/nomad-mcp-demo/src/main.js', 'dist/apps/nomad-sim/src/main.js', 'dist/package.json', 'package.json', 'README.md']) {
      expect(packedFiles).toContain(f);
    }
    expect(packedFiles.filter((f) => /^(apps|libs|test|scripts|node_modules)\//.test(f) || /\.ts$|\.spec\.js$/.test(f))).toEqual([]);
  });

  it('installs its runtime dependencies only: no build or test tooling', () => {
    expect(existsSync(bin)).toBe(true);
    for (const tool of ['@nestjs/cli', 'typescript', 'jest', 'ts-jest', 'ts-node', '@nestjs/testing', 'pino-pretty']) {
      expect([tool, existsSync(join(app, 'node_modules', tool))]).toEqual([tool, false]);
    }
  });

  it('npx nomad-mcp --help lists the commands', async () => {
    const r = await runCommand(['npx', '--no', '--', 'nomad-mcp', '--help'], npmEnv(), app);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^Usage: nomad-mcp \[command\]/);
    for (const c of ['serve', 'stdio', 'demo', 'sim', 'audit', 'key', 'check']) expect(r.stdout).toMatch(new RegExp(`^  ${c} +\\S`, 'm'));
  });

  it('key prints a key and an entry that check then reads, and check passes against the simulator', async () => {
    const key = await runCommand([bin, 'key', '--name', 'ci-bot', '--scopes', 'read'], {}, app);
    expect(key.code).toBe(0);
    const secret = /^nmcp_[A-Za-z0-9_-]{43}$/m.exec(key.stdout)![0];
    const entry = key.stdout.slice(key.stdout.indexOf('  - name: ci-bot'));
    const identities = join(app, 'identities.yaml');
    writeFileSync(identities, `identities:\n${entry}`);
    expect(readFileSync(identities, 'utf8')).not.toContain(secret);

    const env = { NOMAD_ADDR: sim.url, API_KEYS_FILE: identities };
    const check = await runCommand([bin, 'check'], env, app, 60000);
    expect(check).toMatchObject({ code: 0, stderr: '' });
    expect(check.stdout).toContain(`ok       API keys     1 accepted; identities from ${identities}: ci-bot (read)\n`);
    // the SQLite driver's native part was built at install (better-sqlite3's install script)
    expect(check.stdout).toContain(`ok       audit trail  SQLite file ${join(app, 'data', 'audit.sqlite3')} (created at start-up)\n`);
    expect(check.stdout).toContain(`ok       Nomad        Nomad at ${sim.url} is ready: leader 127.0.0.1:4647, default namespace 'development' exists.\n`);
    expect(check.stdout).toMatch(/\n\nAll checks passed\.\n$/);

    const bad = await runCommand([bin, 'check'], { ...env, DEFAULT_NAMESPACE: 'production' }, app, 60000);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain("problem  Nomad        Default namespace 'production' does not exist in Nomad; set DEFAULT_NAMESPACE or pass namespace on each call.\n");
    expect(bad.stdout).toMatch(/\n\n1 problem: fix it and run nomad-mcp check again\.\n$/);
  });

  it('stdio answers initialize, tools/list and a tool call over stdin and stdout', async () => {
    const child = spawn(bin, ['stdio'], { cwd: app, env: { PATH: process.env.PATH ?? '', NOMAD_ADDR: sim.url, LOG_LEVEL: 'warn' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    try {
      const mcp = stdioSession(child);
      const init = await mcp.request(1, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'cli-package-e2e', version: '1' } });
      expect(init.result.serverInfo).toEqual({ name: 'nomad-mcp', version: JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version });
      mcp.send({ method: 'notifications/initialized' });
      const list = await mcp.request(2, 'tools/list');
      expect(list.result.tools.map((t: { name: string }) => t.name)).toEqual(ALL_TOOLS);
      const jobs = await mcp.request(3, 'tools/call', { name: 'list_jobs', arguments: { namespace: 'development' } });
      expect(jobs.result.isError).toBeFalsy();
      expect(jobs.result.structuredContent.jobs.map((j: { id: string }) => j.id).sort()).toEqual(['broken-api', 'example-job', 'nightly-report']);
    } finally {
      child.stdin.end();
    }
    // stdin closed: the server ends by itself
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/error/i);
  });

  it('sim serves Nomad\'s API, with the demo data when asked', async () => {
    const s = await startUntil([bin, 'sim', '--port', '0', '--seed'], {}, app, /listening on (http:\/\/\S+) with demo data/);
    running.push(s);
    const jobs = await call(s.match[1], 'GET', '/v1/jobs?namespace=development');
    expect(jobs.status).toBe(200);
    expect(jobs.json.map((j: { ID: string }) => j.ID).sort()).toEqual(['broken-api', 'example-job', 'nightly-report']);
    await s.stop();
  });

  it('demo starts the simulator and the service, and says where they are', async () => {
    const d = await startUntil([bin, 'demo', '--sim-port', '0'], { PORT: '0' }, app, /Health +(http:\/\/\S+)\/health[\s\S]*Press Ctrl\+C/);
    running.push(d);
    expect((await call(d.match[1], 'GET', '/health')).status).toBe(200);
    const jobs = await call(d.match[1], 'GET', '/api/claude/list-jobs?namespace=development');
    expect(jobs.json.count).toBe(3);
    await d.stop();
  });
});
