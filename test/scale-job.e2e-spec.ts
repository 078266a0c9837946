import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './support/http';
import { FAST, startStack, Stack } from './support/stack';

const KEYS = { plain: 'plain-key-0000001', bot: 'ci-bot-key-000001' };

/** scale_job over REST and MCP against the simulator: up in one call, down only once confirmed. */
describe('scale_job', () => {
  let s: Stack;
  let dir: string;
  const running = async () => (await s.nomad('GET', '/v1/job/web/allocations?namespace=development')).json.filter((a: any) => a.DesiredStatus === 'run' && a.ClientStatus === 'running').length;
  // Nomad refuses to scale while a rollout is active: each change waits for the one before it to finish
  const rolledOut = () => waitFor('rollout successful', async () => (await s.nomad('GET', '/v1/job/web/deployment?namespace=development')).json?.Status === 'successful', 20000);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scale-'));
    const file = join(dir, 'identities.yaml');
    writeFileSync(file, `identities:\n  - { name: ci-bot, key: ${KEYS.bot}, scopes: [read, operate] }\n`);
    s = await startStack({ env: { API_KEYS_FILE: file, API_KEYS: KEYS.plain }, apiKey: KEYS.plain });
    expect((await s.api('POST', '/api/claude/create-job', { job_id: 'web', docker_image: 'nginx:1.27', count: 1, namespace: 'development' })).status).toBe(201);
    await waitFor('web running', async () => (await running()) === 1, 20000);
    await rolledOut();
  });
  afterAll(async () => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('scales up in one call (a plain key): Nomad gets the scale request and places the new allocations', async () => {
    const from = s.nomadTraffic.length;
    const r = await s.api('POST', '/api/claude/jobs/web/scale', { namespace: 'development', count: 3, reason: 'launch' });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ job_id: 'web', group: 'web', previous_count: 1, count: 3, eval_id: expect.any(String) });
    expect(r.json.message).toMatch(/^Scaled group 'web' of job 'web' from 1 to 3: evaluation \w{8} (placed|is placing) 2 more allocations\.$/);
    const put = s.nomadBodies.slice(from).find((b) => b.line.startsWith('PUT /v1/job/web/scale'));
    expect(put?.body).toMatchObject({ Count: 3, Target: { Job: 'web', Group: 'web' }, Message: 'launch' });
    await waitFor('3 running', async () => (await running()) === 3, 20000);
    await rolledOut();
  });

  it('scaling down by an identity answers the plan first; the confirmed repeat stops the extra allocations', async () => {
    const bot = { 'X-API-Key': KEYS.bot };
    const from = s.nomadTraffic.length;
    const planned = await s.api('POST', '/api/claude/jobs/web/scale', { namespace: 'development', count: 1 }, bot);
    expect(planned.status).toBe(428);
    expect(planned.json.confirmation.plan.summary).toBe("scale group 'web' of job 'web' from 3 to 1: 2 allocations stop.");
    expect(s.nomadTraffic.slice(from).filter((l) => !l.startsWith('GET'))).toEqual([]);
    const done = await s.api('POST', '/api/claude/jobs/web/scale', { namespace: 'development', count: 1, confirm_token: planned.json.confirmation.confirm_token }, bot);
    expect(done.status).toBe(200);
    await waitFor('1 running', async () => (await running()) === 1, 20000);
  });

  it('scaling past what the nodes hold says at once how many cannot be placed and why', async () => {
    await rolledOut();
    const r = await s.api('POST', '/api/claude/jobs/web/scale', { namespace: 'development', count: 400 });
    expect({ status: r.status, message: r.json.message }).toEqual({ status: 200, message: expect.any(String) });
    expect(r.json.message).toMatch(/^Scaled group 'web' of job 'web' from 1 to 400: evaluation \w{8} cannot place \d+ of group 'web': .*(exhausted|no node).* They wait until a node fits them: lower the count, or add capacity\.$/);
    // back to one, for what follows (the rollout of 400 never ends; fail it, as an operator would)
    const d = (await s.nomad('GET', '/v1/job/web/deployment?namespace=development')).json;
    if (d && ['running', 'paused'].includes(d.Status)) expect((await s.nomad('POST', `/v1/deployment/fail/${d.ID}`, {})).status).toBe(200);
    expect((await s.api('POST', '/api/claude/jobs/web/scale', { namespace: 'development', count: 1 })).status).toBe(200);
    await waitFor('1 running', async () => (await running()) === 1, 20000);
    await rolledOut();
  });

  it('bad input is a 400 naming the field, and nothing reaches Nomad', async () => {
    const from = s.nomadTraffic.length;
    const neg = await s.api('POST', '/api/claude/jobs/web/scale', { namespace: 'development', count: -1 });
    expect(neg.status).toBe(400);
    expect(neg.json.message).toMatch(/count must not be less than 0/);
    const frac = await s.api('POST', '/api/claude/jobs/web/scale', { namespace: 'development', count: 1.5 });
    expect(frac.json.message).toMatch(/count must be a whole number/);
    expect(s.nomadTraffic.slice(from)).toEqual([]);
    const group = await s.api('POST', '/api/claude/jobs/web/scale', { namespace: 'development', count: 2, group: 'api' });
    expect(group.status).toBe(400);
    expect(group.json.message).toBe("group 'api' does not exist in job 'web' (its groups: web).");
    expect(s.nomadTraffic.slice(from).filter((l) => !l.startsWith('GET'))).toEqual([]);
  });

  it('over MCP: same operation, same answer; a missing job says how to find one', async () => {
    const client = new Client({ name: 'e2e-scale', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`), { requestInit: { headers: { 'X-API-Key': KEYS.plain } } }));
    try {
      const same = (await client.callTool({ name: 'scale_job', arguments: { job_id: 'web', namespace: 'development', count: 1 } })) as any;
      expect(same.structuredContent).toMatchObject({ count: 1, previous_count: 1, eval_id: null });
      expect(same.content[0].text).toMatch(/^Group 'web' of job 'web' already has count 1; nothing changed\./);
      const missing = (await client.callTool({ name: 'scale_job', arguments: { job_id: 'nope', namespace: 'development', count: 1 } })) as any;
      expect(missing.isError).toBe(true);
      expect(missing.content[0].text).toMatch(/job 'nope' not found in namespace 'development'.*list_jobs/);
    } finally {
      await client.close();
    }
  });
});

/**
 * scale_job while a rollout is under way, which Nomad refuses: a simulator whose allocations never turn healthy
 * holds the job's first rollout open.
 */
describe('scale_job during a rollout', () => {
  let s: Stack;
  let dir: string;
  let deploymentId: string;
  const version = async () => (await s.nomad('GET', '/v1/job/web?namespace=development')).json.Version;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scale-held-'));
    const file = join(dir, 'identities.yaml');
    writeFileSync(file, `identities:\n  - { name: ci-bot, key: ${KEYS.bot}, scopes: [read, operate] }\n`);
    s = await startStack({ env: { API_KEYS_FILE: file, API_KEYS: KEYS.plain }, apiKey: KEYS.plain, sim: { timings: { ...FAST, healthyDelayMs: 3_600_000 } } });
    expect((await s.api('POST', '/api/claude/create-job', { job_id: 'web', docker_image: 'nginx:1.27', count: 1, namespace: 'development' })).status).toBe(201);
    deploymentId = await waitFor('rollout under way', async () => {
      const d = (await s.nomad('GET', '/v1/job/web/deployment?namespace=development')).json;
      return d?.Status === 'running' && d.TaskGroups?.web?.PlacedAllocs === 1 ? d.ID : undefined;
    }, 20000);
  });
  afterAll(async () => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('Nomad refuses the count change: a 409 that names the rollout and says what to do next, and the job keeps its version', async () => {
    const from = s.nomadTraffic.length;
    const r = await s.api('POST', '/api/claude/jobs/web/scale', { namespace: 'development', count: 2 });
    expect(r.status).toBe(409);
    expect(r.json.message).toBe(`job 'web' has a rollout in progress (deployment ${deploymentId.slice(0, 8)} of version 0 is running); Nomad does not change a group's count until it ends, so nothing was scaled.`);
    expect(r.json.next_step).toMatch(/^Call wait_for_deployment for job 'web' in namespace 'development', then scale_job again\./);
    expect(r.json.next_step).toContain(`promote_deployment with deployment_id '${deploymentId}'`);
    expect(r.json.next_step).toContain('fail_deployment');
    expect(r.json.deployment_id).toBe(deploymentId);
    // a plain key runs without a plan: the scale reached Nomad, which refused it
    expect(s.nomadTraffic.slice(from).filter((l) => !l.startsWith('GET'))).toEqual([expect.stringMatching(/^PUT \/v1\/job\/web\/scale/)]);
    expect(await version()).toBe(0);
  });

  it("an identity's plan says so before anything is confirmed (409, not 428), and nothing is written", async () => {
    const from = s.nomadTraffic.length;
    const r = await s.api('POST', '/api/claude/jobs/web/scale', { namespace: 'development', count: 0 }, { 'X-API-Key': KEYS.bot });
    expect(r.status).toBe(409);
    expect(r.json.message).toMatch(/^job 'web' has a rollout in progress/);
    expect(r.json.confirmation).toBeUndefined();
    expect(s.nomadTraffic.slice(from).filter((l) => !l.startsWith('GET'))).toEqual([]);
  });

  it('over MCP: an error with the same words; once the rollout is failed, the same scale goes through', async () => {
    const client = new Client({ name: 'e2e-scale-held', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`), { requestInit: { headers: { 'X-API-Key': KEYS.plain } } }));
    try {
      const refused = (await client.callTool({ name: 'scale_job', arguments: { job_id: 'web', namespace: 'development', count: 2 } })) as any;
      expect(refused.isError).toBe(true);
      expect(refused.content[0].text).toMatch(/rollout in progress.*wait_for_deployment.*promote_deployment.*fail_deployment/s);
      expect((await s.nomad('PUT', `/v1/deployment/fail/${deploymentId}?namespace=development`)).status).toBe(200);
      const done = (await client.callTool({ name: 'scale_job', arguments: { job_id: 'web', namespace: 'development', count: 2 } })) as any;
      expect(done.isError).toBeFalsy();
      expect(done.structuredContent).toMatchObject({ previous_count: 1, count: 2, eval_id: expect.any(String) });
      expect(await version()).toBe(1);
    } finally {
      await client.close();
    }
  });
});
