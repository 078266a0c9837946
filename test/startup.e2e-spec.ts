import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, Server } from 'node:net';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { RunningSimulator, startSimulator } from '../apps/nomad-sim/src';
import { createApp } from '../apps/nomad-mcp/src/bootstrap';
import { NomadStartupCheck, StartupFinding } from '../apps/nomad-mcp/src/health/nomad-startup.check';
import { call, waitFor } from './support/http';
import { closedPortUrl } from './support/stack';

const BIN = resolve(__dirname, '../bin/nomad-mcp.js');
const MAIN = resolve(__dirname, '../dist/apps/nomad-mcp/src/main.js');
const DEMO = resolve(__dirname, '../dist/apps/nomad-mcp-demo/src/main.js');

/** The start-up check of a real app (not listening) against `env`. */
async function startupFindings(env: Record<string, string>): Promise<StartupFinding[]> {
  const app = await createApp({ env: { LOG_LEVEL: 'silent', ...env } });
  try {
    return await app.get(NomadStartupCheck).run();
  } finally {
    await app.close();
  }
}
const warnings = (f: StartupFinding[]) => f.filter((x) => x.level === 'warn').map((x) => x.message);

describe('start-up check of Nomad: one line per problem', () => {
  let seeded: RunningSimulator;
  let empty: RunningSimulator;
  let acl: RunningSimulator;
  let clientToken = '';
  beforeAll(async () => {
    [seeded, empty, acl] = await Promise.all([
      startSimulator({ port: 0, seed: true }),
      startSimulator({ port: 0 }),
      startSimulator({ port: 0, seed: true, acl: true, bootstrapToken: 'mgmt-SECRET-1' }),
    ]);
    const mgmt = { 'X-Nomad-Token': 'mgmt-SECRET-1' };
    expect((await call(acl.url, 'PUT', '/v1/acl/policy/default-only', { headers: mgmt, body: { Name: 'default-only', Rules: 'namespace "default" { policy = "read" }' } })).status).toBe(200);
    const token = await call(acl.url, 'PUT', '/v1/acl/token', { headers: mgmt, body: { Name: 'claude', Type: 'client', Policies: ['default-only'] } });
    clientToken = token.json.SecretID;
  });
  afterAll(() => Promise.all([seeded, empty, acl].map((s) => s?.close())));

  it('all well: one line saying so', async () => {
    const f = await startupFindings({ NOMAD_ADDR: seeded.url });
    expect(f).toEqual([{ level: 'log', message: `Nomad at ${seeded.url} is ready: leader 127.0.0.1:4647, default namespace 'development' exists.` }]);
  });

  it('the default namespace does not exist', async () => {
    const f = await startupFindings({ NOMAD_ADDR: empty.url });
    expect(warnings(f)).toEqual(["Default namespace 'development' does not exist in Nomad; set DEFAULT_NAMESPACE or pass namespace on each call."]);
    expect(warnings(await startupFindings({ NOMAD_ADDR: empty.url, DEFAULT_NAMESPACE: 'default' }))).toEqual([]);
  });

  it('says what the token may do: management, or a client token with its policies', async () => {
    const m = await startupFindings({ NOMAD_ADDR: acl.url, NOMAD_TOKEN: 'mgmt-SECRET-1' });
    expect(warnings(m)).toEqual([]);
    expect(m[0].message).toMatch(/^NOMAD_TOKEN 'Bootstrap Token' is a management token: it may do everything in Nomad/);
    const c = await startupFindings({ NOMAD_ADDR: acl.url, NOMAD_TOKEN: clientToken });
    expect(c.map((x) => x.message)).toEqual([
      "NOMAD_TOKEN 'claude' is a client token with policies default-only: Nomad allows what they grant and answers 403 otherwise.",
      "NOMAD_TOKEN may not use the default namespace 'development' (403 Permission denied): grant its policy a capability there, or set DEFAULT_NAMESPACE to a namespace it may use.",
    ]);
    expect(warnings(await startupFindings({ NOMAD_ADDR: acl.url, NOMAD_TOKEN: clientToken, DEFAULT_NAMESPACE: 'default' }))).toEqual([]);
  });

  it('a refused token, or no token with ACLs on: one line each, never the token', async () => {
    const bad = await startupFindings({ NOMAD_ADDR: acl.url, NOMAD_TOKEN: 'wrong-SECRET-2' });
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ level: 'warn', message: expect.stringMatching(/refused NOMAD_TOKEN \(403 Permission denied\): the token is unknown, expired or malformed; set a valid NOMAD_TOKEN\./) });
    expect(JSON.stringify(bad)).not.toContain('SECRET');
    expect(warnings(await startupFindings({ NOMAD_ADDR: acl.url }))).toEqual([
      `Nomad at ${acl.url} has ACLs enabled and NOMAD_TOKEN is not set: calls run with Nomad's anonymous policy, which usually may do little; set NOMAD_TOKEN.`,
    ]);
    expect(warnings(await startupFindings({ NOMAD_ADDR: seeded.url, NOMAD_TOKEN: 'unused' }))).toEqual([]);
  });

  it('Nomad not there yet: one line, the address without its password', async () => {
    const closed = await closedPortUrl();
    const f = await startupFindings({ NOMAD_ADDR: closed.replace('http://', 'http://admin:pw-SECRET-3@') });
    expect(f).toEqual([{ level: 'warn', message: `Nomad at ${closed.replace('http://', 'http://***@')} is unreachable (ECONNREFUSED): connection refused; is Nomad running there, and is NOMAD_ADDR right? Starting anyway: calls will work once Nomad answers.` }]);
  });
});

/** Runs a built entry point; resolves when `until` matches the output so far, or when it exits. */
function run(entry: string, env: Record<string, string>, args: string[] = [], until?: RegExp) {
  const child: ChildProcess = spawn(process.execPath, [entry, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '', code: null as number | null };
  child.stdout!.on('data', (d) => (out.stdout += d));
  child.stderr!.on('data', (d) => (out.stderr += d));
  const done = new Promise<typeof out>((r) => {
    child.on('exit', (code) => r(Object.assign(out, { code })));
    if (until) {
      const timer = setInterval(() => until.test(out.stdout + out.stderr) && (clearInterval(timer), r(out)), 50);
      child.on('exit', () => clearInterval(timer));
    }
  });
  return { child, done, out };
}

async function busyPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, server };
}

describe('the built service and demo start up cleanly', () => {
  const children: ChildProcess[] = [];
  beforeAll(() => {
    for (const f of [MAIN, DEMO]) if (!existsSync(f)) throw new Error(`${f} is missing: run "npx nest build nomad-mcp-demo" first (npm test does it)`);
  });
  afterEach(() => children.splice(0).forEach((c) => c.kill()));

  it('a bad setting: only the one line, no stack trace (service and demo)', async () => {
    for (const [entry, prefix] of [[BIN, 'nomad-mcp'], [DEMO, 'nomad-mcp demo']]) {
      const r = await run(entry, { PORT: 'eighty' }).done;
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`${prefix}: Invalid configuration: "PORT" must be a number (got "eighty")\n`);
      expect(r.stdout).toBe('');
    }
  });

  it('a busy port: one line that says to set PORT (service and demo)', async () => {
    const busy = await busyPort();
    try {
      for (const [entry, prefix] of [[BIN, 'nomad-mcp'], [DEMO, 'nomad-mcp demo']]) {
        const r = await run(entry, { PORT: String(busy.port), LOG_FORMAT: 'json' }).done;
        expect(r.code).toBe(1);
        expect(r.stderr).toBe(`${prefix}: port ${busy.port} is in use on 127.0.0.1; set PORT=<another port> (or PORT=0 for any free port).\n`);
      }
    } finally {
      busy.server.close();
    }
  });

  it('HTTP mode logs the start-up check and never the password in NOMAD_ADDR', async () => {
    const sim = await startSimulator({ port: 0 });
    try {
      const addr = sim.url.replace('http://', 'http://admin:pw-SECRET-4@');
      const r = run(MAIN, { PORT: '0', NOMAD_ADDR: addr }, [], /does not exist in Nomad/);
      children.push(r.child);
      const out = await r.done;
      const lines = out.stderr.trim().split('\n').map((l) => JSON.parse(l) as { level: number; msg: string });
      expect(lines.find((l) => /^Nomad MCP listening on/.test(l.msg))?.msg).toContain(`Nomad at ${sim.url.replace('http://', 'http://***@')}`);
      expect(lines.filter((l) => l.level === 40).map((l) => l.msg)).toContain("Default namespace 'development' does not exist in Nomad; set DEFAULT_NAMESPACE or pass namespace on each call.");
      expect(out.stderr).not.toContain('SECRET');
    } finally {
      await sim.close();
    }
  });

  it('says at start-up when changes that wait for a person could never be approved (no API keys), or their links are paths', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'startup-approval-'));
    try {
      const warnings = async (env: Record<string, string>) => {
        const r = run(MAIN, { PORT: '0', NOMAD_ADDR: await closedPortUrl(), LOG_FORMAT: 'json', AUDIT_DB_PATH: join(dir, 'audit.sqlite3'), NOMAD_MCP_CONFIRM_BY: 'human', ...env }, [], /listening on/);
        children.push(r.child);
        const out = await r.done;
        r.child.kill('SIGTERM');
        return out.stderr.trim().split('\n').map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level === 40).map((l) => l.msg);
      };
      expect(await warnings({})).toContainEqual(expect.stringMatching(/^NOMAD_MCP_CONFIRM_BY=human without API keys: every caller is 'local', and nobody approves a change they asked for/));
      const keyed = await warnings({ API_KEYS: 'startup-approval-key-1' });
      expect(keyed).toContainEqual(expect.stringMatching(/^NOMAD_MCP_CONFIRM_BY=human without PUBLIC_URL: approval links are paths/));
      expect(keyed.filter((m) => /without API keys/.test(m))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loads at start-up none of what no request has needed yet: Fastify\'s schema compilers (Ajv), the MCP SDK', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'startup-loaded-'));
    try {
      // a preload that reports, when the process is told to stop, which modules it has loaded
      const probe = join(dir, 'loaded-modules.js');
      writeFileSync(probe, "process.prependOnceListener('SIGTERM', () => process.stderr.write('\\nLOADED ' + JSON.stringify(Object.keys(require.cache)) + '\\n'));");
      const child = spawn(process.execPath, ['-r', probe, MAIN], {
        env: { PATH: process.env.PATH ?? '', PORT: '0', NOMAD_ADDR: await closedPortUrl(), LOG_FORMAT: 'json', AUDIT_DB_PATH: join(dir, 'audit.sqlite3') },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      children.push(child);
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += d));
      const url = await waitFor('the service listening', async () => /listening on (http:\/\/[^ ]+)/.exec(stderr)?.[1], 20000);
      expect((await call(url, 'GET', '/api/claude/list-jobs')).status).toBe(503);
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      const loaded: string[] = JSON.parse(/\nLOADED (.*)\n/.exec(stderr)![1]);
      expect(loaded.filter((m) => m.includes('/node_modules/@nestjs/platform-fastify/'))).not.toEqual([]);
      expect(loaded.filter((m) => /node_modules\/(@fastify\/(ajv-compiler|fast-json-stringify-compiler)|ajv|@modelcontextprotocol)\//.test(m))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the demo says when its simulator cannot have the port it asked for', async () => {
    const busy = await busyPort();
    try {
      const r = run(DEMO, { PORT: '0', LOG_FORMAT: 'json' }, ['--sim-port', String(busy.port)], /Press Ctrl\+C/);
      children.push(r.child);
      const { stdout } = await r.done;
      expect(stdout).toMatch(new RegExp(`Nomad simulator  http://127\\.0\\.0\\.1:(\\d+) .*\\n +\\(port ${busy.port} is in use, so the simulator listens on \\1 instead\\)`));
      const url = /Health +(http:\/\/\S+)\/health/.exec(stdout)![1];
      expect(stdout).toContain(`REST API         ${url}/api/claude`);
      expect((await call(url, 'GET', '/health')).status).toBe(200);
    } finally {
      busy.server.close();
    }
  });
});

describe('stdio mode', () => {
  it('log lines written after start-up reach stderr', async () => {
    const stderr = new PassThrough();
    let text = '';
    stderr.on('data', (d) => (text += d));
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, '--stdio'],
      env: { NOMAD_ADDR: await closedPortUrl(), LOG_LEVEL: 'warn', PATH: process.env.PATH ?? '' },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'e2e-stdio-logs', version: '1.0.0' });
    await client.connect(transport);
    transport.stderr!.pipe(stderr);
    try {
      const result = await client.callTool({ name: 'list_jobs', arguments: {} });
      expect(result.isError).toBe(true);
      // the MCP server logs a Nomad failure of a tool call as a warning
      await waitFor('the warning on stderr', async () => /list_jobs: Nomad is unreachable/.test(text), 5000);
    } finally {
      await client.close();
    }
  });
});
