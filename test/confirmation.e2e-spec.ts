import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './support/http';
import { startStack, Stack } from './support/stack';

/** The job's latest deployment has succeeded (restarts are refused while one is in progress). */
const deployed = async (s: Stack, job: string) => (await s.nomad('GET', `/v1/job/${job}/deployment?namespace=development`)).json?.Status === 'successful';

const KEYS = { bot: 'ci-bot-key-000001', other: 'other-bot-key-0002', admin: 'admin-key-00000003' };
type Who = keyof typeof KEYS;

/**
 * Confirmed changes over real sockets: the first call of a destructive change answers its plan and a token and
 * changes nothing; only the same caller repeating the same call with that token applies it, once, and only if
 * the job has not changed meanwhile.
 */
describe('confirmed changes', () => {
  let s: Stack;
  let dir: string;
  const as = (who: Who) => ({ 'X-API-Key': KEYS[who] });
  /** Requests that change something in Nomad since `from` (anything but a read or a plan). */
  const writesSince = (from: number) => s.nomadTraffic.slice(from).filter((l) => !l.startsWith('GET') && !/\/plan(\?|$)/.test(l));
  const running = async (job: string) =>
    (await s.api('GET', `/api/claude/jobs/${job}?namespace=development`, undefined, as('admin'))).json.allocations?.running ?? 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'confirm-'));
    const file = join(dir, 'identities.yaml');
    writeFileSync(file, [
      'identities:',
      `  - { name: ci-bot, key: ${KEYS.bot}, scopes: [read, operate, write] }`,
      `  - { name: other-bot, key: ${KEYS.other}, scopes: [read, operate] }`,
      `  - { name: ops-admin, key: ${KEYS.admin}, scopes: ['*'], confirm: 'off' }`,
    ].join('\n'));
    s = await startStack({ env: { API_KEYS_FILE: file } });
    for (const job of ['web-a', 'web-b']) {
      const r = await s.api('POST', '/api/claude/create-job', { job_id: job, docker_image: 'nginx:1.27', count: 2, namespace: 'development' }, as('admin'));
      expect(r.status).toBe(201);
    }
    // running, and their deployments done (a restart is refused while one is in progress)
    await waitFor('web-a and web-b running', async () => (await running('web-a')) === 2 && (await running('web-b')) === 2, 20000);
    for (const job of ['web-a', 'web-b']) await waitFor(`${job} deployed`, async () => (await deployed(s, job)), 20000);
  });
  afterAll(async () => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('without a token nothing changes: the answer is the plan (the allocations that stop) and a token', async () => {
    const from = s.nomadTraffic.length;
    const r = await s.api('POST', '/api/claude/jobs/web-a/stop', { namespace: 'development' }, as('bot'));
    expect(r.status).toBe(428);
    const allocs = (await s.nomad('GET', '/v1/job/web-a/allocations?namespace=development')).json.filter((a: any) => a.ClientStatus === 'running').map((a: any) => a.ID);
    expect(r.json.confirmation.plan).toMatchObject({ destructive: true, details: { allocations_that_stop: expect.arrayContaining(allocs) } });
    expect(r.json.message).toMatch(/^Nothing was changed: stop_job needs the user's confirmation\. Plan: stop job 'web-a' \(running, version 0\): 2 allocations \(\w{8}, \w{8}\) stop/);
    expect(r.json.next_step).toContain(`confirm_token "${r.json.confirmation.confirm_token}"`);
    expect(writesSince(from)).toEqual([]);
    expect(await running('web-a')).toBe(2);
  });

  it('stale, reused, foreign and altered tokens change nothing; the right one changes exactly once', async () => {
    const stop = (who: Who, token?: string) => s.api('POST', '/api/claude/jobs/web-a/stop', { namespace: 'development', ...(token ? { confirm_token: token } : {}) }, as(who));
    const first = (await stop('bot')).json.confirmation.confirm_token as string;
    const from = s.nomadTraffic.length;

    // the job changes under the plan (a new version registered directly in Nomad): the old token is stale
    const job = (await s.nomad('GET', '/v1/job/web-a?namespace=development')).json;
    expect((await s.nomad('POST', '/v1/jobs?namespace=development', { Job: { ...job, Meta: { ...job.Meta, touched: 'yes' } } })).status).toBe(200);
    const registered = s.nomadTraffic.length;
    const stale = await stop('bot', first);
    expect(stale.status).toBe(409);
    expect(stale.json.message).toMatch(/^Nothing was changed: The job changed since the plan was made \(modify index \d+, now \d+\)/);
    const fresh = stale.json.confirmation.confirm_token as string;

    const foreign = await stop('other', fresh);
    expect(foreign.status).toBe(403);
    expect(foreign.json.message).toContain('issued to another caller');
    const [v, claims, mac] = fresh.split('.');
    const altered = `${v}.${claims}.${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`;
    const forged = await stop('bot', altered);
    expect(forged.status).toBe(403);
    expect(forged.json.message).toContain('signature does not match');
    expect(s.nomadTraffic.slice(registered).filter((l) => !l.startsWith('GET'))).toEqual([]);

    const applied = await stop('bot', fresh);
    expect(applied.status).toBe(200);
    expect(applied.json).toMatchObject({ action: 'stop', job_id: 'web-a', eval_id: expect.any(String) });
    // sent again (a retry): the job is stopped now, so the call changes nothing and needs no confirmation; it
    // answers so, and stops nothing twice (the MCP test shows a reused token refused)
    const again = await stop('bot', fresh);
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ eval_id: null, message: expect.stringMatching(/^Job 'web-a' is already stopped/) });
    const deregisters = s.nomadTraffic.slice(from).filter((l) => l.startsWith('DELETE /v1/job/web-a'));
    expect(deregisters).toHaveLength(1);
  });

  it('over MCP: the plan is a tool error telling the model to ask the user; the repeat with the token applies it', async () => {
    const client = new Client({ name: 'e2e-confirm', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`), { requestInit: { headers: as('bot') } }));
    try {
      const from = s.nomadTraffic.length;
      const args = { job_id: 'web-b', namespace: 'development' };
      const planned = (await client.callTool({ name: 'restart_job', arguments: args })) as any;
      expect(planned.isError).toBe(true);
      const text: string = planned.content[0].text;
      expect(text).toMatch(/^Nothing was changed: restart_job needs the user's confirmation\. Plan: restart the 2 running allocations of job 'web-b' in place/);
      expect(text).toContain('Show the user this plan and ask whether to go ahead.');
      expect(writesSince(from)).toEqual([]);
      const token = /confirm_token "([^"]+)"/.exec(text)![1];
      const done = (await client.callTool({ name: 'restart_job', arguments: { ...args, confirm_token: token } })) as any;
      expect(done.isError).toBeFalsy();
      expect(done.structuredContent).toMatchObject({ action: 'restart', affected_allocations: expect.any(Array) });
      const restarts = () => s.nomadTraffic.slice(from).filter((l) => /^(PUT|POST) \/v1\/client\/allocation\/[^/]+\/restart/.test(l));
      expect(restarts()).toHaveLength(2);
      // a restart leaves the job's modify index alone: only the token's single use stops a second run
      const again = (await client.callTool({ name: 'restart_job', arguments: { ...args, confirm_token: token } })) as any;
      expect(again.isError).toBe(true);
      expect(again.content[0].text).toMatch(/^Nothing was changed: The confirm_token was already used/);
      expect(restarts()).toHaveLength(2);
    } finally {
      await client.close();
    }
  });

  it('updating an existing job shows the field changes and Nomad\'s plan; creating one needs no confirmation', async () => {
    const from = s.nomadTraffic.length;
    const update = await s.api('POST', '/api/claude/create-job', { job_id: 'web-b', docker_image: 'nginx:1.28', count: 3, namespace: 'development' }, as('bot'));
    expect(update.status).toBe(428);
    // Nomad's own diff: the count places one more now; the new image replaces the others one at a time (MaxParallel 1)
    expect(update.json.confirmation.plan.details.changes).toEqual([
      '~ group web-b (1 create, 2 ignore)',
      '~ group web-b: Count: "2" → "3" (forces create)',
      '~ group web-b: task nginx (forces create/destroy update)',
      '~ group web-b: task nginx: Config.image: "nginx:1.27" → "nginx:1.28"',
    ]);
    expect(update.json.message).toContain("Nomad's plan: web-b: 1 to create, 2 unchanged for now (rolling update).");
    expect(s.nomadTraffic.slice(from)).toContainEqual(expect.stringMatching(/^PUT \/v1\/job\/web-b\/plan/));
    expect(writesSince(from)).toEqual([]);
    const created = await s.api('POST', '/api/claude/create-job', { job_id: 'web-c', docker_image: 'nginx:1.27', namespace: 'development' }, as('bot'));
    expect(created.status).toBe(201);
  });

  it('the trail records plans as "planned", and never the token', async () => {
    const db = new Database(s.auditPath, { readonly: true });
    try {
      const rows = db.prepare("select operation, identity, outcome, status, arguments from audit_records where outcome = 'planned'").all() as any[];
      expect(rows.map((r) => r.operation)).toEqual(expect.arrayContaining(['stop_job', 'restart_job', 'create_job']));
      const withToken = db.prepare("select arguments from audit_records where arguments like '%confirm_token%'").all() as any[];
      expect(withToken.length).toBeGreaterThan(0);
      for (const r of withToken) expect(JSON.parse(r.arguments).confirm_token).toBe('[redacted]');
    } finally {
      db.close();
    }
  });
});

describe('confirmation policy for plain keys', () => {
  it('a plain API_KEYS key keeps one-call changes; NOMAD_MCP_CONFIRM=writes asks for every change', async () => {
    const open = await startStack({ env: { API_KEYS: 'plain-key-000001' }, apiKey: 'plain-key-000001' });
    try {
      expect((await open.api('POST', '/api/claude/jobs', { job_id: 'hello-world', action: 'stop', namespace: 'default' })).status).toBe(200);
    } finally {
      await open.close();
    }
    const strict = await startStack({ env: { API_KEYS: 'plain-key-000001', NOMAD_MCP_CONFIRM: 'writes' }, apiKey: 'plain-key-000001' });
    try {
      const r = await strict.api('POST', '/api/claude/create-job', { job_id: 'new-one', docker_image: 'nginx:1.27', namespace: 'development' });
      expect(r.status).toBe(428);
      expect(r.json.confirmation.plan.summary).toMatch(/^create job 'new-one' in namespace 'development': 1 allocation of nginx:1\.27/);
      const ok = await strict.api('POST', '/api/claude/create-job', { job_id: 'new-one', docker_image: 'nginx:1.27', namespace: 'development', confirm_token: r.json.confirmation.confirm_token });
      expect(ok.status).toBe(201);
    } finally {
      await strict.close();
    }
  });
});

describe('confirmation across replicas', () => {
  it('with one NOMAD_MCP_CONFIRM_SECRET and one database, a plan from one replica is applied by another, once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'replicas-'));
    const keys = join(dir, 'identities.yaml');
    writeFileSync(keys, `identities:\n  - { name: ci-bot, key: ${KEYS.bot}, scopes: [read, operate] }\n`);
    const shared = { API_KEYS_FILE: keys, NOMAD_MCP_CONFIRM_SECRET: 'x'.repeat(40), AUDIT_DB_PATH: join(dir, 'audit.sqlite3') };
    const a = await startStack({ env: shared, apiKey: KEYS.bot });
    const b = await startStack({ env: { ...shared, NOMAD_ADDR: a.sim!.url }, sim: false, apiKey: KEYS.bot });
    const lone = await startStack({ env: { API_KEYS_FILE: keys, NOMAD_ADDR: a.sim!.url }, sim: false, apiKey: KEYS.bot });
    try {
      await waitFor('example-job deployed', async () => deployed(a, 'example-job'), 20000);
      const body = { namespace: 'development' };
      const token = (await a.api('POST', '/api/claude/jobs/example-job/restart', body)).json.confirmation.confirm_token;
      // a replica with its own random secret does not accept it
      expect((await lone.api('POST', '/api/claude/jobs/example-job/restart', { ...body, confirm_token: token })).status).toBe(403);
      expect((await b.api('POST', '/api/claude/jobs/example-job/restart', { ...body, confirm_token: token })).status).toBe(200);
      const replay = await a.api('POST', '/api/claude/jobs/example-job/restart', { ...body, confirm_token: token });
      expect(replay.status).toBe(409);
      expect(replay.json.message).toContain('already used');
      expect(a.nomadTraffic.filter((l) => /\/v1\/client\/allocation\/[^/]+\/restart/.test(l))).toHaveLength(2);
    } finally {
      await lone.close();
      await b.close();
      await a.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
