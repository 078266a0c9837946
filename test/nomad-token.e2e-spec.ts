import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningSimulator, startSimulator } from '../apps/nomad-sim/src';
import { BUILT_MAIN, ServiceProcess, startServiceProcess } from './support/built-service';
import { call, waitFor } from './support/http';
import { FAST, startStack, Stack } from './support/stack';

/**
 * Nomad token per caller, against the simulator with ACLs on: an identity with its own token whose policy only
 * reads namespace development, an identity without one (the service's NOMAD_TOKEN, a management token), and
 * X-Nomad-Token passthrough off and on. The simulator's own traffic shows which token each call sent.
 */
const MGMT = `mgmt-${randomUUID()}`;
const READER = `reader-${randomUUID()}`;
const PASSED = `passed-${randomUUID()}`;
const SECRETS = [MGMT, READER, PASSED];
const KEYS = { reader: 'dev-reader-key-0001', ops: 'ops-key-0002' };
const READER_ENV = 'E2E_READER_NOMAD_TOKEN';
const as = (who: keyof typeof KEYS, extra: Record<string, string> = {}) => ({ 'X-API-Key': KEYS[who], ...extra });
const WEB_APP = 'https://app.example.com';
/** The headers a browser at WEB_APP may send to /mcp (its CORS preflight answer). */
const corsAllowedHeaders = async (s: Stack) =>
  (await call(s.url, 'OPTIONS', '/mcp', { headers: { Origin: WEB_APP, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x-api-key,x-nomad-token' } })).headers.get('access-control-allow-headers') ?? '';
const READER_LABEL = `the Nomad token of identity 'dev-reader' (nomad_token_env ${READER_ENV})`;

function identitiesFile(dir: string): string {
  const file = join(dir, 'identities.yaml');
  writeFileSync(file, [
    'identities:',
    `  - { name: dev-reader, key: ${KEYS.reader}, scopes: ['*'], nomad_token_env: ${READER_ENV} }`,
    `  - { name: ops, key: ${KEYS.ops}, scopes: ['*'] }`,
  ].join('\n'));
  return file;
}

/** A policy that reads namespace development only, and client tokens with it (their secrets chosen here). */
async function grantDevRead(simUrl: string, add: (secret: string) => void): Promise<void> {
  const policy = await call(simUrl, 'PUT', '/v1/acl/policy/dev-read', { body: { Name: 'dev-read', Rules: 'namespace "development" {\n  policy = "read"\n}\n' }, headers: { 'X-Nomad-Token': MGMT } });
  expect(policy.status).toBe(200);
  add(READER);
  add(PASSED);
  // the simulator's token store is Nomad's: the reader token is refused a change and accepted for a read
  const read = await call(simUrl, 'GET', '/v1/jobs?namespace=development', { headers: { 'X-Nomad-Token': READER } });
  expect(read.status).toBe(200);
}

/** Tokens Nomad saw for the requests after `from`. */
const tokensSince = (s: Stack, from: number) => [...new Set(s.nomadTokens.slice(from).map((r) => r.token))];

function expectNoSecretIn(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

async function mcpClient(s: Stack, headers: Record<string, string>): Promise<Client> {
  const client = new Client({ name: 'e2e-nomad-token', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`), { requestInit: { headers } }));
  return client;
}

describe('Nomad token per caller (ACLs on)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nomad-token-'));
    process.env[READER_ENV] = READER;
  });
  afterAll(() => {
    delete process.env[READER_ENV];
    rmSync(dir, { recursive: true, force: true });
  });

  const stackWith = async (passthrough: boolean) => {
    const s = await startStack({
      sim: { acl: true, bootstrapToken: MGMT },
      env: {
        NOMAD_TOKEN: MGMT, API_KEYS_FILE: identitiesFile(dir), NOMAD_MCP_CONFIRM: 'off', NOMAD_MCP_AUDIT_READS: 'true', NOMAD_MCP_TOKEN_PASSTHROUGH: String(passthrough),
        MCP_ALLOWED_ORIGINS: WEB_APP,
      },
    });
    await grantDevRead(s.sim!.url, (secret) => s.sim!.acl.addToken({ Name: 'dev-read', Type: 'client', Policies: ['dev-read'] }, 1, secret));
    await waitFor('example-job running', async () => (await s.api('GET', '/api/claude/list-jobs?namespace=development', undefined, as('ops'))).json.jobs?.find((j: any) => j.id === 'example-job')?.allocations.running === 2, 20000);
    return s;
  };

  describe('passthrough off (the default)', () => {
    let s: Stack;
    beforeAll(async () => (s = await stackWith(false)));
    afterAll(() => s.close());

    it("an identity with its own token lists jobs with it, and is refused a stop by Nomad with the capability it lacks", async () => {
      let from = s.nomadTokens.length;
      const list = await s.api('GET', '/api/claude/list-jobs?namespace=development', undefined, as('reader'));
      expect(list.status).toBe(200);
      expect(list.json.jobs.map((j: any) => j.id)).toContain('example-job');
      expect(tokensSince(s, from)).toEqual([READER]);

      from = s.nomadTokens.length;
      const stop = await s.api('POST', '/api/claude/jobs', { job_id: 'example-job', action: 'stop', namespace: 'development' }, as('reader'));
      expect(stop.status).toBe(403);
      expect(stop.json).toEqual({
        statusCode: 403, error: 'Forbidden', nomad_status: 403, nomad_capability: 'submit-job',
        message: `Nomad refused DELETE /v1/job/example-job (Permission denied): ${READER_LABEL} lacks the capability 'submit-job' that stop_job needs in namespace 'development' (with 'read-job', to read the job first).`,
        next_step: 'Add \'submit-job\' to that token\'s ACL policy for namespace "development" (namespace "development" { capabilities = ["read-job", "submit-job"] }), or ask an operator to; do not retry until then.',
      });
      // Nomad saw the read and the refused deregister, all with the identity's token; the job still runs
      expect(s.nomadTokens.slice(from).map((r) => r.line)).toContain('DELETE /v1/job/example-job?namespace=development&purge=false');
      expect(tokensSince(s, from)).toEqual([READER]);
      expect((await s.sim!.state.getJob('development', 'example-job'))?.Stop).toBe(false);

      const logs = await s.api('GET', '/api/claude/job-logs/example-job?namespace=development', undefined, as('reader'));
      expect(logs.status).toBe(403);
      expect(logs.json.message).toMatch(/lacks the capability 'read-logs' that get_job_logs needs in namespace 'development'/);
      const elsewhere = await s.api('GET', '/api/claude/list-jobs?namespace=default', undefined, as('reader'));
      expect(elsewhere.status).toBe(403);
      expect(elsewhere.json.message).toMatch(/lacks the capability 'list-jobs' that list_jobs needs in namespace 'default'\.$/);
    });

    it('over MCP the refusal is a tool error naming the capability, and the identity token is what Nomad saw', async () => {
      const client = await mcpClient(s, as('reader'));
      try {
        const from = s.nomadTokens.length;
        const r = (await client.callTool({ name: 'stop_job', arguments: { job_id: 'example-job', namespace: 'development' } })) as any;
        expect(r.isError).toBe(true);
        expect(r.content[0].text).toMatch(/lacks the capability 'submit-job' that stop_job needs in namespace 'development'.*Add 'submit-job' to that token's ACL policy/);
        expect(tokensSince(s, from)).toEqual([READER]);
      } finally {
        await client.close();
      }
    });

    it("an identity without a token uses the service's NOMAD_TOKEN, and a sent X-Nomad-Token is ignored", async () => {
      let from = s.nomadTokens.length;
      expect((await s.api('GET', '/api/claude/list-jobs?namespace=default', undefined, as('ops'))).status).toBe(200);
      expect(tokensSince(s, from)).toEqual([MGMT]);
      from = s.nomadTokens.length;
      expect((await s.api('GET', '/api/claude/list-jobs?namespace=default', undefined, as('ops', { 'X-Nomad-Token': PASSED }))).status).toBe(200);
      const stop = await s.api('POST', '/api/claude/jobs', { job_id: 'example-job', action: 'stop', namespace: 'development' }, as('reader', { 'X-Nomad-Token': MGMT }));
      expect(stop.status).toBe(403);
      expect(s.nomadTokens.slice(from).map((r) => r.token)).not.toContain(PASSED);
      expect(tokensSince(s, from)).toEqual([MGMT, READER]);
      // nor may a web app send it
      expect(await corsAllowedHeaders(s)).not.toMatch(/X-Nomad-Token/i);
    });

    it('no token value reaches the audit trail or an answer', async () => {
      const db = new Database(s.auditPath, { readonly: true });
      try {
        const rows = db.prepare('SELECT * FROM audit_records').all() as Array<Record<string, unknown>>;
        expect(rows.filter((r) => r.identity === 'dev-reader' && r.operation === 'stop_job' && r.status === 403).length).toBeGreaterThanOrEqual(2);
        expect(rows.some((r) => r.identity === 'ops' && r.operation === 'list_jobs')).toBe(true);
        expectNoSecretIn(JSON.stringify(rows));
      } finally {
        db.close();
      }
      expectNoSecretIn((await s.api('GET', '/api/audit?limit=200', undefined, as('ops'))).text);
    });
  });

  describe('passthrough on (NOMAD_MCP_TOKEN_PASSTHROUGH=true)', () => {
    let s: Stack;
    beforeAll(async () => (s = await stackWith(true)));
    afterAll(() => s.close());

    it("a caller's X-Nomad-Token is used for its calls instead, over REST and MCP, and names itself in a refusal", async () => {
      let from = s.nomadTokens.length;
      const list = await s.api('GET', '/api/claude/list-jobs?namespace=development', undefined, as('ops', { 'X-Nomad-Token': PASSED }));
      expect(list.status).toBe(200);
      expect(tokensSince(s, from)).toEqual([PASSED]);
      const stop = await s.api('POST', '/api/claude/jobs', { job_id: 'example-job', action: 'stop', namespace: 'development' }, as('ops', { 'X-Nomad-Token': PASSED }));
      expect(stop.status).toBe(403);
      expect(stop.json.message).toMatch(/^Nomad refused DELETE \/v1\/job\/example-job \(Permission denied\): the Nomad token sent as X-Nomad-Token lacks the capability 'submit-job'/);
      // without the header the same caller runs with the service's token again
      from = s.nomadTokens.length;
      expect((await s.api('GET', '/api/claude/list-jobs?namespace=development', undefined, as('ops'))).status).toBe(200);
      expect(tokensSince(s, from)).toEqual([MGMT]);

      const client = await mcpClient(s, as('ops', { 'X-Nomad-Token': PASSED }));
      try {
        from = s.nomadTokens.length;
        const r = (await client.callTool({ name: 'list_jobs', arguments: { namespace: 'development' } })) as any;
        expect(r.isError).toBeFalsy();
        expect(tokensSince(s, from)).toEqual([PASSED]);
      } finally {
        await client.close();
      }
    });

    it('web apps of MCP_ALLOWED_ORIGINS may send X-Nomad-Token (their CORS preflight allows it)', async () => {
      expect(await corsAllowedHeaders(s)).toMatch(/X-Nomad-Token/);
    });

    it('the token does not replace the API key: without a key the request is refused before Nomad', async () => {
      const from = s.nomadTokens.length;
      const r = await s.api('GET', '/api/claude/list-jobs?namespace=development', undefined, { 'X-Nomad-Token': MGMT });
      expect(r.status).toBe(401);
      expect(s.nomadTokens.length).toBe(from);
    });

    it('no token value reaches the audit trail', async () => {
      const db = new Database(s.auditPath, { readonly: true });
      try {
        const rows = db.prepare('SELECT * FROM audit_records').all();
        expect(rows.length).toBeGreaterThan(3);
        expectNoSecretIn(JSON.stringify(rows));
      } finally {
        db.close();
      }
    });
  });
});

/** The built service at debug level, as it runs in production: whatever it logs holds no Nomad token. */
describe('Nomad tokens never reach the logs', () => {
  let sim: RunningSimulator;
  let svc: ServiceProcess;
  let dir: string;
  let url = '';
  const seen: Array<string | undefined> = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nomad-token-logs-'));
    sim = await startSimulator({ port: 0, seed: true, timings: FAST, acl: true, bootstrapToken: MGMT, onRequest: (r) => seen.push(r.headers['x-nomad-token'] as string | undefined) });
    await grantDevRead(sim.url, (secret) => sim.acl.addToken({ Name: 'dev-read', Type: 'client', Policies: ['dev-read'] }, 1, secret));
    svc = await startServiceProcess({
      NOMAD_ADDR: sim.url, NOMAD_TOKEN: MGMT, API_KEYS_FILE: identitiesFile(dir), NOMAD_MCP_CONFIRM: 'off', [READER_ENV]: READER,
      NOMAD_MCP_TOKEN_PASSTHROUGH: 'true', AUDIT_DB_PATH: join(dir, 'audit.sqlite3'), LOG_LEVEL: 'debug',
    }, { entry: BUILT_MAIN });
    url = svc.url;
  });
  afterAll(async () => {
    await svc?.stop();
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs the calls and the refusals without the identity token, a passed-through token or the service token', async () => {
    const stop = { job_id: 'example-job', action: 'stop', namespace: 'development' };
    const reader = await call(url, 'POST', '/api/claude/jobs', { headers: as('reader'), body: stop });
    expect(reader.status).toBe(403);
    const passed = await call(url, 'POST', '/api/claude/jobs', { headers: as('ops', { 'X-Nomad-Token': PASSED }), body: stop });
    expect(passed.status).toBe(403);
    expect((await call(url, 'GET', '/api/claude/list-jobs', { headers: { 'X-Nomad-Token': PASSED, Authorization: `Bearer ${KEYS.ops}` } })).status).toBe(200);
    expect((await call(url, 'GET', '/api/claude/list-jobs', { headers: { 'X-Nomad-Token': MGMT, 'X-API-Key': 'wrong-key-0000' } })).status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    // the built service did use each caller's token (so the lines below come from this feature at work)
    expect(seen).toEqual(expect.arrayContaining([READER, PASSED, MGMT]));
    const logs = svc.logs();
    const entries = logs.split('\n').flatMap((line) => {
      try {
        return [JSON.parse(line)];
      } catch {
        return [];
      }
    });
    expect(entries.filter((e) => e.req?.url === '/api/claude/jobs' && e.res?.statusCode === 403)).toHaveLength(2);
    expect(logs).toMatch(/stop_job: Nomad refused DELETE \/v1\/job\/example-job/);
    expectNoSecretIn(logs);
    expectNoSecretIn(reader.text + passed.text);
  });
});
