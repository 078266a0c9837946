import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICE_DATABASES, ServiceDatabase } from '../apps/nomad-mcp/src/audit/testing/audit-test-databases';
import { requireBuild, runCli } from './support/built-service';
import { closedPortUrl, startStack, Stack } from './support/stack';

const KEYS = { deployer: 'cli-deployer-key-SECRET-1', viewer: 'cli-viewer-key-SECRET-2', admin: 'cli-admin-key-SECRET-3' };
const NOMAD_TOKEN = 'cli-nomad-token-SECRET-4';
const ENV_SECRET = 'hunter2-cli-SECRET-5';
const SECRETS = [...Object.values(KEYS), NOMAD_TOKEN, ENV_SECRET];

/** The CLI's table as rows of cells (columns are separated by at least two spaces; no cell holds two). */
const tableRows = (stdout: string) => stdout.split('\n\n')[0].split('\n').filter(Boolean).map((l) => l.split(/ {2,}/));
const jsonLines = (stdout: string) => stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));

/**
 * `nomad-mcp audit` reads the trail a running service wrote, with the API's filters and paging, as a table or
 * JSON lines, without starting the service or reaching Nomad; bad options are named.
 */
describe.each(SERVICE_DATABASES)('nomad-mcp audit on %s', (_name, makeDatabase) => {
  let db: ServiceDatabase;
  let s: Stack;
  let dir: string;
  /** The CLI's environment: the trail's setting, and a Nomad nothing answers at (the CLI must not need one). */
  let cliEnv: Record<string, string>;
  /** The trail as the API reads it, newest first. */
  let trail: any[];
  let created: { eval_id: string };
  /** Every output of the CLI in these tests, checked for secrets at the end. */
  const outputs: string[] = [];
  const cli = async (...args: string[]) => {
    const r = await runCli(['audit', ...args], cliEnv, dir);
    outputs.push(r.stdout + r.stderr);
    return r;
  };

  beforeAll(async () => {
    requireBuild();
    db = await makeDatabase();
    dir = mkdtempSync(join(tmpdir(), 'audit-cli-'));
    const identities = join(dir, 'identities.yaml');
    writeFileSync(identities, [
      'identities:',
      `  - { name: deployer, key: ${KEYS.deployer}, scopes: [read, operate, write], namespaces: [development], confirm: 'off' }`,
      `  - { name: viewer, key: ${KEYS.viewer}, scopes: [read] }`,
      `  - { name: auditor, key: ${KEYS.admin}, scopes: ['*'] }`,
    ].join('\n'));
    s = await startStack({ env: { ...db.env, API_KEYS_FILE: identities, NOMAD_TOKEN }, sim: { acl: true, bootstrapToken: NOMAD_TOKEN } });
    const as = (who: keyof typeof KEYS) => ({ 'X-API-Key': KEYS[who] });
    const c = await s.api('POST', '/api/claude/create-job', { job_id: 'cli-web', docker_image: 'nginx:1.27', env_vars: { SECRET_PASSWORD: ENV_SECRET } }, as('deployer'));
    expect(c.status).toBe(201);
    created = c.json;
    expect((await s.api('POST', '/api/claude/jobs/cli-web/stop', {}, as('viewer'))).status).toBe(403);
    expect((await s.api('POST', '/api/claude/create-job', { job_id: 'bad id', docker_image: 'nginx:1.27' }, as('deployer'))).status).toBe(400);
    const mcp = new Client({ name: 'audit-cli-e2e', version: '1' });
    await mcp.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`), { requestInit: { headers: as('deployer') } }));
    try {
      expect((await mcp.callTool({ name: 'stop_job', arguments: { job_id: 'cli-web' } })).isError).toBeFalsy();
      expect((await mcp.callTool({ name: 'start_job', arguments: { job_id: 'cli-web' } })).isError).toBeFalsy();
    } finally {
      await mcp.close();
    }
    expect((await s.api('POST', '/api/claude/jobs', { job_id: 'no-such-job', action: 'restart' }, as('deployer'))).status).toBe(404);
    trail = (await s.api('GET', '/api/audit?limit=200', undefined, as('admin'))).json.records;
    expect(trail.map((r) => `${r.identity} ${r.transport} ${r.operation} ${r.outcome}`)).toEqual([
      'deployer rest restart_job error', 'deployer mcp start_job ok', 'deployer mcp stop_job ok',
      'deployer rest create_job invalid', 'viewer rest stop_job denied', 'deployer rest create_job ok',
    ]);
    cliEnv = { ...db.env, NOMAD_ADDR: await closedPortUrl() };
  });
  afterAll(async () => {
    await s?.close();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('prints the trail as a table, newest first, one line per call', async () => {
    const r = await cli();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [header, ...rows] = tableRows(r.stdout);
    expect(header).toEqual(['TIME', 'IDENTITY', 'TRANSPORT', 'OPERATION', 'NAMESPACE/JOB', 'OUTCOME', 'STATUS', 'EVAL', 'DURATION']);
    expect(rows.map((row) => row.slice(1, 7))).toEqual([
      ['deployer', 'rest', 'restart_job', 'development/no-such-job', 'error', '404'],
      ['deployer', 'mcp', 'start_job', 'development/cli-web', 'ok', '200'],
      ['deployer', 'mcp', 'stop_job', 'development/cli-web', 'ok', '200'],
      ['deployer', 'rest', 'create_job', '-', 'invalid', '400'],
      ['viewer', 'rest', 'stop_job', '-', 'denied', '403'],
      ['deployer', 'rest', 'create_job', 'development/cli-web', 'ok', '201'],
    ]);
    expect(rows.map((row) => row[0])).toEqual(trail.map((t) => t.time));
    expect(rows[5][7]).toBe(created.eval_id.slice(0, 8));
    expect(rows.every((row) => /^\d+ms$|^\d+\.\ds$/.test(row[8]))).toBe(true);
    expect(r.stdout).not.toMatch(/More:/);
  });

  it('--json: the records exactly as GET /api/audit gives them, one per line, secrets redacted', async () => {
    const r = await cli('--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(jsonLines(r.stdout)).toEqual(trail);
    expect(trail[5]).toMatchObject({ eval_id: created.eval_id, arguments: { env_vars: { SECRET_PASSWORD: '[redacted]' } } });
  });

  it('filters as the API does: identity, job, operation, outcome, since and until', async () => {
    const ids = async (...args: string[]) => {
      const r = await cli(...args, '--json');
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 0, stderr: '' });
      return jsonLines(r.stdout).map((x) => x.id);
    };
    const [viewer, job, window, recent, none] = await Promise.all([
      ids('--identity', 'viewer'),
      ids('--job=cli-web', '--operation', 'create_job', '--outcome', 'ok'),
      ids('--since', trail[2].time, '--until', trail[0].time),
      ids('--since', '1h', '--outcome', 'denied'),
      cli('--since', '2999-01-01T00:00:00Z'),
    ]);
    expect([viewer, job, window, recent]).toEqual([[trail[4].id], [trail[5].id], [trail[1].id, trail[2].id], [trail[4].id]]);
    expect([none.code, none.stdout]).toEqual([0, 'No audit records match.\n']);
  });

  it('pages: each page ends with the command for the next, and following them reads the whole trail once', async () => {
    const seen: string[] = [];
    let args = ['--outcome', 'ok', '--limit', '1'];
    for (let page = 0; page < 5; page++) {
      const r = await cli(...args);
      expect(r.code).toBe(0);
      const [, ...rows] = tableRows(r.stdout);
      seen.push(...rows.map((row) => row[3]));
      const more = /\n\nMore: nomad-mcp audit (.+)\n$/.exec(r.stdout);
      if (!more) break;
      expect(more[1]).toMatch(/^--outcome ok --limit 1 --cursor [A-Za-z0-9_-]+$/);
      args = more[1].split(' ');
    }
    expect(seen).toEqual(['start_job', 'stop_job', 'create_job']);
    // with --json the hint goes to stderr, so stdout stays JSON lines
    const j = await cli('--limit', '2', '--json');
    expect(jsonLines(j.stdout).map((x) => x.id)).toEqual([trail[0].id, trail[1].id]);
    expect(j.stderr).toMatch(/^More: nomad-mcp audit --limit 2 --json --cursor [A-Za-z0-9_-]+\n$/);
  });

  it('never printed a key, the Nomad token or an env value', () => {
    expect(outputs.length).toBeGreaterThanOrEqual(10);
    for (const out of outputs) for (const secret of SECRETS) expect(out).not.toContain(secret);
  });
});

describe('nomad-mcp audit: clear errors', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'audit-cli-errors-'));
    // a trail that exists (the service's start-up creates it), and a Nomad nothing answers at
    const s = await startStack({ env: { AUDIT_DB_PATH: join(dir, 'audit.sqlite3') } });
    await s.close();
    env = { AUDIT_DB_PATH: join(dir, 'audit.sqlite3'), NOMAD_ADDR: await closedPortUrl() };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const usage = (message: string) => ({ code: 2, stdout: '', stderr: `nomad-mcp audit: ${message}; see nomad-mcp audit --help\n` });

  it('--help says what it reads and every option', async () => {
    const r = await runCli(['audit', '--help'], env, dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: nomad-mcp audit \[options\]/);
    for (const flag of ['--identity', '--job', '--operation', '--outcome', '--since', '--until', '--limit', '--cursor', '--json', 'AUDIT_DB_PATH', 'DATABASE_URL']) expect(r.stdout).toContain(flag);
  });

  it('names a bad option, with exit status 2 (all the messages: audit-cli.spec.ts), also one only the trail can judge', async () => {
    const [limit, cursor] = await Promise.all([runCli(['audit', '--limit', '500'], env, dir), runCli(['audit', '--cursor', 'not-a-cursor'], env, dir)]);
    expect(limit).toEqual(usage('--limit must not be greater than 200'));
    expect(cursor).toEqual(usage('--cursor is not one this service gave out: pass the next_cursor of the previous page unchanged, or leave it out to start from the newest record'));
  });

  it('a trail it cannot read: one line saying which setting to fix, no password, exit status 1', async () => {
    const downUrl = `${(await closedPortUrl()).replace('http://', 'postgres://audit:pw-SECRET@')}/audit`;
    const [missing, badUrl, down] = await Promise.all([
      runCli(['audit'], { AUDIT_DB_PATH: join(dir, 'nowhere.sqlite3') }, dir),
      runCli(['audit'], { DATABASE_URL: 'mysql://root:pw-SECRET@db/audit' }, dir),
      runCli(['audit'], { DATABASE_URL: downUrl }, dir),
    ]);
    expect(missing).toEqual({ code: 1, stdout: '', stderr: `nomad-mcp audit: no audit trail at ${join(dir, 'nowhere.sqlite3')}: set AUDIT_DB_PATH to the file the service writes (or DATABASE_URL to its Postgres), or run this where the service runs\n` });
    expect(badUrl).toEqual({ code: 1, stdout: '', stderr: 'nomad-mcp audit: Invalid configuration: "DATABASE_URL" must be a postgres:// URL, e.g. postgres://audit:password@127.0.0.1:5432/audit (got "mysql://***@db/audit")\n' });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^nomad-mcp audit: Audit trail: cannot open the Postgres database postgres:\/\/\*\*\*@127\.0\.0\.1:\d+\/audit: .*ECONNREFUSED.*Fix: check that DATABASE_URL names a reachable Postgres database/);
    expect(down.stderr).not.toContain('pw-SECRET');
  });
});
