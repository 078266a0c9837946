import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import Database from 'better-sqlite3';
import { AuditStore } from '../apps/nomad-mcp/src/audit/audit.store';
import { startStack, Stack } from './support/stack';

const KEY = 'audit-test-key-1';

/** Every change leaves a record before its answer leaves; reads only when asked; secrets never in the trail. */
describe('the audit trail of the running service', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ env: { API_KEYS: KEY }, apiKey: KEY });
  });
  afterAll(() => s.close());

  it('records a change with who, what, the evaluation and redacted secrets; reads are not recorded by default', async () => {
    const secret = 'hunter2-AUDIT-SECRET';
    const create = await s.api('POST', '/api/claude/create-job', { job_id: 'audited', docker_image: 'nginx:1.27', env_vars: { DB_PASSWORD: secret, MODE: 'x' } });
    expect(create.status).toBe(201);
    await s.api('GET', '/api/claude/list-jobs');
    const failed = await s.api('POST', '/api/claude/jobs', { job_id: 'no-such-job', action: 'stop' });
    expect(failed.status).toBe(404);
    const page = await s.api('GET', '/api/audit?limit=10');
    expect(page.status).toBe(200);
    expect(page.json.records.map((r: any) => r.operation)).toEqual(['stop_job', 'create_job']);
    const [stop, rec] = page.json.records;
    expect(stop).toMatchObject({ outcome: 'error', status: 404, job: 'no-such-job', error: "job 'no-such-job' not found in namespace 'development'" });
    expect(rec).toMatchObject({
      identity: expect.stringMatching(/^key-[0-9a-f]{8}$/), transport: 'rest', operation: 'create_job', namespace: 'development',
      job: 'audited', outcome: 'ok', status: 201, eval_id: create.json.eval_id,
    });
    expect(rec.arguments.env_vars).toEqual({ DB_PASSWORD: '[redacted]', MODE: '[redacted]' });
    expect(page.text).not.toContain(secret);
    expect(page.text).not.toContain(KEY);
    const filtered = await s.api('GET', '/api/audit?operation=create_job&job=audited');
    expect(filtered.json.records).toHaveLength(1);
  });

  it('since and until take a duration back from now (2h) as the CLI and the page do, over REST and MCP', async () => {
    expect((await s.api('POST', '/api/claude/jobs', { job_id: 'recent-miss', action: 'stop' })).status).toBe(404);
    const recent = await s.api('GET', '/api/audit?since=2h&job=recent-miss');
    expect(recent.status).toBe(200);
    expect(recent.json.records).toHaveLength(1);
    expect((await s.api('GET', '/api/audit?until=2h&job=recent-miss')).json.records).toEqual([]);
    const bad = await s.api('GET', '/api/audit?since=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/since must be an ISO 8601 time such as 2026-11-29T00:00:00Z, or a duration back from now such as 30m, 2h or 7d/);
    const client = new Client({ name: 'audit-since', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`), { requestInit: { headers: { 'X-API-Key': KEY } } }));
    try {
      const m = (await client.callTool({ name: 'list_audit_records', arguments: { since: '30m', job: 'recent-miss' } })) as any;
      expect(m.isError).toBeFalsy();
      expect(m.structuredContent.records).toHaveLength(1);
    } finally {
      await client.close();
    }
  });

  it('a change that cannot be recorded is answered 503, not as done', async () => {
    expect(s.app.get(AuditStore)).toBeDefined();
    // break the trail under the running service: its table disappears
    const db = new Database(s.auditPath);
    db.exec('DROP TABLE audit_records');
    db.close();
    const r = await s.api('POST', '/api/claude/create-job', { job_id: 'unrecorded', docker_image: 'nginx:1.27' });
    expect(r.status).toBe(503);
    expect(r.json.message).toMatch(/^create_job ran but could not be recorded in the audit trail \(evaluation [0-9a-f-]{36}\)/);
    expect(r.json.next_step).toMatch(/^Do not retry the change/);
  });
});

/** An invalid change is refused alike over REST and MCP, and both refusals are in the trail as 'invalid'. */
describe('invalid changes over REST are audited like over MCP', () => {
  let s: Stack;
  let mcp: Client;
  beforeAll(async () => {
    s = await startStack({ env: { API_KEYS: KEY }, apiKey: KEY });
    mcp = new Client({ name: 'audit-e2e', version: '1' });
    await mcp.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`), { requestInit: { headers: { 'X-API-Key': KEY } } }));
  });
  afterAll(async () => {
    await mcp.close();
    await s.close();
  });

  const BAD_JOB_ID = "job_id must not be empty, '.' or '..', nor contain whitespace or control characters";
  const refusal = (field: string, reason: string) => ({
    statusCode: 400, error: 'Bad Request', message: `Invalid request: ${field}: ${reason}`, errors: [{ field, reasons: [reason] }],
    next_step: 'Fix those arguments and call the tool again.',
  });

  it('a bad body field: 400 naming it, one invalid record per transport with the same arguments (secrets redacted)', async () => {
    const args = { job_id: 'bad id', docker_image: 'nginx:1.27', env_vars: { SECRET_PASSWORD: 'hunter2-invalid' } };
    const before = s.nomadTraffic.length;
    const rest = await s.api('POST', '/api/claude/create-job', args);
    expect(rest.status).toBe(400);
    expect(rest.json).toEqual(refusal('job_id', BAD_JOB_ID));
    const tool = (await mcp.callTool({ name: 'create_job', arguments: args })) as { isError?: boolean; content: Array<{ text: string }> };
    expect(tool.isError).toBe(true);
    expect(tool.content[0].text).toBe(`Invalid request: job_id: ${BAD_JOB_ID}. Fix those arguments and call the tool again.`);
    expect(s.nomadTraffic.slice(before).filter((l) => !l.startsWith('GET'))).toEqual([]);
    const { records } = (await s.api('GET', '/api/audit?operation=create_job&outcome=invalid')).json;
    expect(records.map((r: any) => r.transport)).toEqual(['mcp', 'rest']);
    for (const r of records) {
      expect(r).toMatchObject({ identity: records[0].identity, operation: 'create_job', outcome: 'invalid', status: 400, eval_id: null, error: rest.json.message });
      expect(r.arguments).toEqual({ ...args, env_vars: { SECRET_PASSWORD: '[redacted]' } });
    }
  });

  it('a call the operation itself finds invalid (register_job with no spec) is an invalid record, not an error', async () => {
    const r = await s.api('POST', '/api/claude/register-job', { namespace: 'development' });
    expect(r.status).toBe(400);
    const { records } = (await s.api('GET', '/api/audit?operation=register_job')).json;
    expect(records[0]).toMatchObject({ operation: 'register_job', outcome: 'invalid', status: 400, error: r.json.message });
  });

  it('every REST change route: a bad field, and a body naming a path parameter, are invalid records', async () => {
    const cases: Array<[string, unknown, string, ReturnType<typeof refusal>]> = [
      ['/api/claude/jobs', { job_id: 'example-job', action: 'stop', purge: 'yes' }, 'stop_job', refusal('purge', 'purge must be a boolean value')],
      ['/api/claude/jobs', { job_id: 'example-job', action: 'restart', namespace: 'bad ns' }, 'restart_job', refusal('namespace', 'namespace must be 1-128 letters, digits or dashes')],
      ['/api/claude/jobs/example-job/start', { namespace: 'bad ns' }, 'start_job', refusal('namespace', 'namespace must be 1-128 letters, digits or dashes')],
      ['/api/claude/jobs/example-job/stop', { job_id: 'other-job' }, 'stop_job', refusal('job_id', 'property job_id should not exist')],
      ['/api/claude/jobs/example-job/restart', { force: true }, 'restart_job', refusal('force', 'property force should not exist')],
    ];
    for (const [path, body, operation, expected] of cases) {
      const r = await s.api('POST', path, body);
      expect({ path, body, status: r.status, json: r.json }).toEqual({ path, body, status: 400, json: expected });
      const [last] = (await s.api('GET', '/api/audit?limit=1')).json.records;
      expect({ path, last }).toMatchObject({ path, last: { transport: 'rest', operation, outcome: 'invalid', status: 400, error: expected.message } });
    }
    // an action that names no operation is refused before any operation is called: nothing to record
    const count = (await s.api('GET', '/api/audit?limit=200')).json.count;
    const unknown = await s.api('POST', '/api/claude/jobs', { job_id: 'example-job', action: 'toString' });
    expect(unknown.json).toEqual({ statusCode: 400, error: 'Bad Request', message: 'Invalid request: action: action must be one of: status, start, stop, restart', errors: [{ field: 'action', reasons: ['action must be one of: status, start, stop, restart'] }] });
    expect((await s.api('GET', '/api/audit?limit=200')).json.count).toBe(count);
    expect((await s.nomad('GET', '/v1/job/example-job?namespace=development')).json.Stop).toBe(false);
  });
});
