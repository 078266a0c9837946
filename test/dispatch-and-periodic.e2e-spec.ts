import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './support/http';
import { startStack, Stack } from './support/stack';

const KEYS = { writer: 'writer-key-00000001', prodOnly: 'prod-only-key-0001', reader: 'reader-key-00000001' };
const NS = 'development';

/** A batch job whose task exits by itself, in the Go client's JSON. */
const batchJob = (id: string, extra: Record<string, unknown>) => ({
  ID: id, Type: 'batch', Datacenters: ['dc1'], Namespace: NS,
  TaskGroups: [{ Name: 'run', Count: 1, Tasks: [{ Name: 'run', Driver: 'docker', Config: { image: 'busybox:1.36', command: 'true' }, Resources: { CPU: 100, MemoryMB: 64 } }] }],
  ...extra,
});

/** dispatch_job and force_periodic_job over REST and MCP against the simulator. */
describe('dispatch_job and force_periodic_job', () => {
  let s: Stack;
  let dir: string;
  const writer = { 'X-API-Key': KEYS.writer };
  const writes = (from: number) => s.nomadTraffic.slice(from).filter((l) => !l.startsWith('GET'));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dispatch-'));
    const file = join(dir, 'identities.yaml');
    writeFileSync(file, [
      'identities:',
      `  - { name: runner, key: ${KEYS.writer}, scopes: [read, operate, write], namespaces: [${NS}], confirm: 'off' }`,
      `  - { name: prod-runner, key: ${KEYS.prodOnly}, scopes: [read, operate, write], namespaces: [production], confirm: 'off' }`,
      `  - { name: reader, key: ${KEYS.reader}, scopes: [read], namespaces: [${NS}] }`,
      '',
    ].join('\n'));
    s = await startStack({ env: { API_KEYS_FILE: file } });
    const register = async (job: Record<string, unknown>) => expect((await s.nomad('PUT', `/v1/jobs?namespace=${NS}`, { Job: job })).status).toBe(200);
    await register(batchJob('invoice', { ParameterizedJob: { Payload: 'optional', MetaRequired: ['customer'], MetaOptional: ['priority'] } }));
    await register(batchJob('cleanup', { Periodic: { Enabled: true, Spec: '0 3 * * *', SpecType: 'cron', ProhibitOverlap: true } }));
  });
  afterAll(async () => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('dispatches over REST: meta and the base64-encoded payload reach Nomad, the answer names the child, which runs', async () => {
    const from = s.nomadTraffic.length;
    const r = await s.api('POST', '/api/claude/jobs/invoice/dispatch', { namespace: NS, meta: { customer: 'acme' }, payload: '{"invoice": 42}' }, writer);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ job_id: 'invoice', namespace: NS, eval_id: expect.stringMatching(/^[0-9a-f-]{36}$/), already_dispatched: false });
    expect(r.json.dispatched_job_id).toMatch(/^invoice\/dispatch-\d{10}-[0-9a-f]{8}$/);
    expect(r.json.message).toBe(`Dispatched job 'invoice' as '${r.json.dispatched_job_id}' (evaluation ${r.json.eval_id.slice(0, 8)}). Follow with get_job_status on '${r.json.dispatched_job_id}'.`);
    const put = s.nomadBodies.slice(from).find((b) => b.line.startsWith('PUT /v1/job/invoice/dispatch'));
    expect(put?.body).toEqual({ JobID: 'invoice', Meta: { customer: 'acme' }, Payload: Buffer.from('{"invoice": 42}').toString('base64') });
    // the child is addressable by its ID (with its `/`) and runs as the batch job it is
    const child = encodeURIComponent(r.json.dispatched_job_id);
    await waitFor('the child to complete', async () => {
      const status = await s.api('GET', `/api/claude/jobs/${child}?namespace=${NS}`, undefined, writer);
      return status.status === 200 && status.json.status === 'dead' ? status : undefined;
    }, 20000);
    const allocs = (await s.nomad('GET', `/v1/job/${child}/allocations?namespace=${NS}`)).json;
    expect(allocs.map((a: any) => a.ClientStatus)).toEqual(['complete']);
  });

  it('a repeated idempotency_token answers the first child and starts nothing new', async () => {
    const body = { namespace: NS, meta: { customer: 'globex' }, idempotency_token: 'inv-7' };
    const first = await s.api('POST', '/api/claude/jobs/invoice/dispatch', body, writer);
    expect(first.status).toBe(200);
    const from = s.nomadTraffic.length;
    const again = await s.api('POST', '/api/claude/jobs/invoice/dispatch', body, writer);
    expect(again.json).toMatchObject({ dispatched_job_id: first.json.dispatched_job_id, eval_id: null, already_dispatched: true });
    expect(again.json.message).toMatch(/^Job 'invoice' was already dispatched with this idempotency_token as 'invoice\/dispatch-/);
    expect(writes(from)).toEqual(['PUT /v1/job/invoice/dispatch?namespace=development&idempotency_token=inv-7']);
  });

  it('refuses a job that is not parameterized with the next step, and sends Nomad no dispatch', async () => {
    const from = s.nomadTraffic.length;
    const r = await s.api('POST', '/api/claude/jobs/cleanup/dispatch', { namespace: NS }, writer);
    expect(r.status).toBe(409);
    expect(r.json.message).toBe("job 'cleanup' is not a parameterized job, so it cannot be dispatched");
    expect(r.json.next_step).toMatch(/start_job or restart_job/);
    expect(writes(from)).toEqual([]);
  });

  it('missing required meta, unknown meta keys and an oversized payload are 400s naming the field, before any write', async () => {
    const from = s.nomadTraffic.length;
    const missing = await s.api('POST', '/api/claude/jobs/invoice/dispatch', { namespace: NS, meta: { priority: 'high' } }, writer);
    expect(missing.status).toBe(400);
    expect(missing.json.message).toBe("meta is missing the key job 'invoice' requires: customer (it requires customer and accepts priority).");
    const unknown = await s.api('POST', '/api/claude/jobs/invoice/dispatch', { namespace: NS, meta: { customer: 'a', color: 'red' } }, writer);
    expect(unknown.status).toBe(400);
    expect(unknown.json.message).toBe("meta has a key job 'invoice' does not accept: color (it requires customer and accepts priority).");
    expect(writes(from)).toEqual([]);
    const before = s.nomadTraffic.length;
    const big = await s.api('POST', '/api/claude/jobs/invoice/dispatch', { namespace: NS, meta: { customer: 'a' }, payload: 'é'.repeat(8193) }, writer);
    expect(big.status).toBe(400);
    expect(big.json.message).toMatch(/payload must be at most 16384 bytes/);
    const badMeta = await s.api('POST', '/api/claude/jobs/invoice/dispatch', { namespace: NS, meta: { customer: 42 } }, writer);
    expect(badMeta.status).toBe(400);
    expect(badMeta.json.message).toMatch(/^Invalid request: meta: meta must map keys/);
    // bad input never reaches Nomad, not even as a read
    expect(s.nomadTraffic.slice(before)).toEqual([]);
  });

  it('refuses a namespace the identity may not use, and a caller without the write scope', async () => {
    const from = s.nomadTraffic.length;
    const other = await s.api('POST', '/api/claude/jobs/invoice/dispatch', { namespace: NS, meta: { customer: 'a' } }, { 'X-API-Key': KEYS.prodOnly });
    expect(other.status).toBe(403);
    expect(other.json.message).toMatch(/namespace 'development'/);
    const reader = await s.api('POST', '/api/claude/jobs/cleanup/periodic/force', { namespace: NS }, { 'X-API-Key': KEYS.reader });
    expect(reader.status).toBe(403);
    expect(s.nomadTraffic.slice(from)).toEqual([]);
  });

  it('forces a periodic job over REST: the answer names the child found through the evaluation', async () => {
    const from = s.nomadTraffic.length;
    const r = await s.api('POST', '/api/claude/jobs/cleanup/periodic/force', { namespace: NS }, writer);
    expect(r.status).toBe(200);
    expect(r.json.child_job_id).toMatch(/^cleanup\/periodic-\d{10}$/);
    expect(r.json).toMatchObject({ job_id: 'cleanup', namespace: NS, eval_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(r.json.message).toBe(`Launched periodic job 'cleanup' now as '${r.json.child_job_id}' (evaluation ${r.json.eval_id.slice(0, 8)}). Follow with get_job_status on '${r.json.child_job_id}'.`);
    expect(writes(from)).toEqual(['PUT /v1/job/cleanup/periodic/force?namespace=development']);
    const child = (await s.nomad('GET', `/v1/job/${encodeURIComponent(r.json.child_job_id)}?namespace=${NS}`)).json;
    expect(child).toMatchObject({ ParentID: 'cleanup', Periodic: null });
    const notPeriodic = await s.api('POST', '/api/claude/jobs/invoice/periodic/force', { namespace: NS }, writer);
    expect(notPeriodic.status).toBe(409);
    expect(notPeriodic.json.message).toBe("job 'invoice' is not a periodic job, so it has no schedule to launch early");
  });

  it('over MCP: the same operations, the same answers, and errors with what to do next', async () => {
    const client = new Client({ name: 'e2e-dispatch', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`), { requestInit: { headers: writer } }));
    try {
      const done = (await client.callTool({ name: 'dispatch_job', arguments: { job_id: 'invoice', namespace: NS, meta: { customer: 'initech' }, payload: 'hi' } })) as any;
      expect(done.isError).toBeFalsy();
      expect(done.structuredContent.dispatched_job_id).toMatch(/^invoice\/dispatch-\d{10}-[0-9a-f]{8}$/);
      expect(done.content[0].text).toMatch(/^Dispatched job 'invoice' as 'invoice\/dispatch-/);
      const forced = (await client.callTool({ name: 'force_periodic_job', arguments: { job_id: 'cleanup', namespace: NS } })) as any;
      expect(forced.structuredContent.child_job_id).toMatch(/^cleanup\/periodic-\d{10}$/);
      const missing = (await client.callTool({ name: 'dispatch_job', arguments: { job_id: 'invoice', namespace: NS, meta: {} } })) as any;
      expect(missing.isError).toBe(true);
      expect(missing.content[0].text).toMatch(/meta is missing the key job 'invoice' requires: customer/);
      const notParam = (await client.callTool({ name: 'dispatch_job', arguments: { job_id: 'cleanup', namespace: NS } })) as any;
      expect(notParam.isError).toBe(true);
      expect(notParam.content[0].text).toMatch(/not a parameterized job[\s\S]*start_job or restart_job/);
    } finally {
      await client.close();
    }
  });
});
