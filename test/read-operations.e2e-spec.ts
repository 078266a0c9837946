import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './support/http';
import { PendingChangeStore } from '../apps/nomad-mcp/src/audit/pending-changes.store';
import { startStack, Stack } from './support/stack';
import { READ_TOOLS } from './support/tool-names';

const KEYS = { admin: 'reads-admin-key-0001', dev: 'reads-dev-reader-key-02' };
const NS = 'development';
/** What a model reads of any answer given default arguments, at most. */
const MAX_TEXT = 4096;

type Tool = { isError: boolean; text: string; data: any };

/**
 * The read operations (allocations, evaluations, deployments, nodes, namespaces) over REST and MCP against the
 * seeded simulator: what each answers, what it asks Nomad, its 404 with the next step, what an identity limited
 * to `development` is refused or never shown, and the size of every answer.
 */
describe('read operations: allocations, evaluations, deployments, nodes, namespaces', () => {
  let s: Stack;
  let dir: string;
  const clients: Partial<Record<keyof typeof KEYS, Client>> = {};
  const rest = (path: string, who: keyof typeof KEYS = 'admin') => s.api('GET', path, undefined, { 'X-API-Key': KEYS[who] });
  const tool = async (name: string, args: Record<string, unknown>, who: keyof typeof KEYS = 'admin'): Promise<Tool> => {
    if (!clients[who]) {
      const c = new Client({ name: `reads-${who}`, version: '1' });
      await c.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`), { requestInit: { headers: { 'X-API-Key': KEYS[who] } } }));
      clients[who] = c;
    }
    const r = (await clients[who]!.callTool({ name, arguments: args })) as { isError?: boolean; content: Array<{ text: string }>; structuredContent?: unknown };
    return { isError: !!r.isError, text: r.content[0].text, data: r.structuredContent };
  };
  /** The Nomad requests a call made. */
  const traffic = async (run: () => Promise<unknown>) => {
    const before = s.nomadTraffic.length;
    await run();
    return s.nomadTraffic.slice(before);
  };
  const nomadAllocs = async (job: string, ns = NS): Promise<any[]> => (await s.nomad('GET', `/v1/job/${job}/allocations?namespace=${ns}`)).json;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'reads-'));
    const file = join(dir, 'identities.json');
    writeFileSync(file, JSON.stringify({ identities: [
      { name: 'admin', key: KEYS.admin, scopes: ['*'] },
      { name: 'dev-reader', key: KEYS.dev, scopes: ['read'], namespaces: [NS] },
    ] }));
    s = await startStack({ env: { API_KEYS_FILE: file }, sim: { nodes: 3 } });
    // staged beside the demo data: five allocations to page through, and an ask no node can fit
    const job = (id: string, count: number, memory: number) => ({
      Job: { ID: id, Type: 'service', Datacenters: ['dc1'], TaskGroups: [{ Name: 'web', Count: count, Tasks: [{ Name: 'web', Driver: 'docker', Config: { image: 'nginx:1.27' }, Resources: { CPU: 50, MemoryMB: memory } }] }] },
    });
    expect((await s.nomad('PUT', `/v1/jobs?namespace=${NS}`, job('five', 5, 32))).status).toBe(200);
    expect((await s.nomad('PUT', `/v1/jobs?namespace=${NS}`, job('too-big', 1, 500000))).status).toBe(200);
    await waitFor('demo data settled', async () => {
      const running = (j: string, ns = NS) => nomadAllocs(j, ns).then((a) => a.filter((x) => x.ClientStatus === 'running').length);
      const failed = (await nomadAllocs('broken-api')).some((a) => a.ClientStatus === 'failed');
      const deployed = (await s.nomad('GET', `/v1/job/example-job/deployment?namespace=${NS}`)).json?.Status === 'successful';
      return failed && deployed && (await running('five')) === 5 && (await running('hello-world', 'default')) === 1;
    }, 20000);
  });
  afterAll(async () => {
    for (const c of Object.values(clients)) await c?.close();
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('list_allocations', () => {
    it("lists a job's allocations newest first, asking Nomad for that job only", async () => {
      let r: any;
      const asked = await traffic(async () => (r = await rest('/api/claude/jobs/example-job/allocations')));
      expect(r.status).toBe(200);
      expect(asked).toEqual([`GET /v1/job/example-job/allocations?namespace=${NS}&all=false`]);
      const nomad = await nomadAllocs('example-job');
      expect(r.json).toMatchObject({ job_id: 'example-job', namespace: NS, status: null, total: 2, count: 2, next_token: null });
      expect(r.json.allocations.map((a: any) => a.id)).toEqual([...nomad].sort((a, b) => b.CreateIndex - a.CreateIndex).map((a) => a.ID));
      expect(r.json.allocations[0]).toMatchObject({ client_status: 'running', desired_status: 'run', healthy: true, version: 0, group: 'web' });
      expect(r.json.message).toBe("Job 'example-job' has 2 allocations (2 running).");
    });

    it('filters by status and says what the job has otherwise', async () => {
      const failed = await rest('/api/claude/jobs/broken-api/allocations?status=failed');
      expect(failed.json.total).toBeGreaterThan(0);
      expect(failed.json.allocations.every((a: any) => a.client_status === 'failed')).toBe(true);
      const running = await tool('list_allocations', { job_id: 'broken-api', status: 'running' });
      expect(running.isError).toBe(false);
      expect(running.text).toMatch(/^Job 'broken-api' has no running allocations \(it has \d+ allocations? in other states\)\.$/);
      expect((await rest('/api/claude/jobs/broken-api/allocations?status=exploded')).json.message).toMatch(/status must be one of: running, pending, failed, complete, lost/);
    });

    it('pages with limit and next_token, newest first across pages, and says how to get more', async () => {
      const all = [...(await nomadAllocs('five'))].sort((a, b) => b.CreateIndex - a.CreateIndex || (a.ID < b.ID ? 1 : -1)).map((a) => a.ID);
      expect(all).toHaveLength(5);
      const seen: string[] = [];
      let token: string | null = null;
      let pages = 0;
      do {
        const page: Tool = await tool('list_allocations', { job_id: 'five', limit: 2, ...(token ? { next_token: token } : {}) });
        expect(page.isError).toBe(false);
        seen.push(...page.data.allocations.map((a: any) => a.id));
        token = page.data.next_token;
        if (token) expect(page.text).toContain(`call again with next_token="${token}"`);
        else expect(page.text).not.toContain('next_token');
        pages++;
      } while (token && pages < 5);
      expect(pages).toBe(3);
      expect(seen).toEqual(all);
      expect((await rest('/api/claude/jobs/five/allocations?next_token=not-a-token')).status).toBe(400);
    });

    it('answers 404 with the next step for an unknown job, and keeps an identity in its namespaces', async () => {
      const r = await rest('/api/claude/jobs/no-such-job/allocations');
      expect(r.status).toBe(404);
      expect(r.json).toMatchObject({ message: `job 'no-such-job' not found in namespace '${NS}'`, next_step: expect.stringMatching(/^Call list_jobs/) });
      const m = await tool('list_allocations', { job_id: 'no-such-job' });
      expect(m).toMatchObject({ isError: true, text: expect.stringMatching(/not found.*Call list_jobs/) });
      const other = await rest('/api/claude/jobs/hello-world/allocations?namespace=default', 'dev');
      expect(other.status).toBe(403);
      expect(other.json.message).toBe("'dev-reader' may not use namespace 'default' (allowed: development).");
    });
  });

  describe('get_allocation', () => {
    it('reads one allocation by full ID, by 8-character prefix and by an odd-length prefix (sent to Nomad in whole bytes)', async () => {
      const id: string = (await nomadAllocs('example-job'))[0].ID;
      const full = await rest(`/api/claude/allocations/${id}`);
      expect(full.status).toBe(200);
      expect(full.json).toMatchObject({ alloc_id: id, namespace: NS, job_id: 'example-job', group: 'web', client_status: 'running', healthy: true, eval_id: expect.any(String) });
      expect(full.json.tasks).toEqual([expect.objectContaining({ name: 'nginx', state: 'running', failed: false, restarts: 0, cpu_mhz: 200, memory_mb: 256 })]);
      expect(full.json.tasks[0].events.map((e: any) => e.type)).toContain('Started');
      expect(full.json.ports).toEqual([expect.objectContaining({ label: 'http', to: 80, host_port: expect.any(Number) })]);
      expect(full.json.message).toMatch(new RegExp(`^Allocation ${id.slice(0, 8)} \\(example-job\\.web\\[\\d\\], job version 0\\) is running on node sim-client-\\d; healthy in its deployment\\. Task 'nginx' running since `));
      let byPrefix: any;
      const asked = await traffic(async () => (byPrefix = await rest(`/api/claude/allocations/${id.slice(0, 10).toUpperCase()}`)));
      expect(byPrefix.json.alloc_id).toBe(id);
      expect(asked).toEqual([`GET /v1/allocations?namespace=*&prefix=${id.slice(0, 8)}&task_states=false`, `GET /v1/allocation/${id}`]);
      const text = await tool('get_allocation', { alloc_id: id.slice(0, 8) });
      expect(text.isError).toBe(false);
      expect(text.text).toContain('tasks:\nname   state    failed  restarts');
      expect(text.text).toMatch(/nginx events \(\d+\):\ntime +type +message/);
    });

    it("says why a failing allocation fails: the task's cause, restarts and its last events", async () => {
      const failed = (await nomadAllocs('broken-api')).find((a) => a.ClientStatus === 'failed');
      const r = await tool('get_allocation', { alloc_id: failed.ID });
      expect(r.data.tasks[0]).toMatchObject({ name: 'api', state: 'dead', failed: true, restarts: expect.any(Number) });
      expect(r.data.tasks[0].events.length).toBeLessThanOrEqual(5);
      expect(r.data.tasks[0].events.at(-1).type).toBe('Not Restarting');
      // the cause, not the consequence ("Not Restarting")
      expect(r.text).toMatch(/Task 'api' failed after \d+ restarts?: Driver Failure: .*Failed to pull/);
    });

    it("answers 404 with the next step, the same for an unknown ID and for another namespace's allocation", async () => {
      const unknown = await rest('/api/claude/allocations/0123abcd');
      expect(unknown.status).toBe(404);
      expect(unknown.json).toMatchObject({ message: "allocation '0123abcd' not found", next_step: expect.stringMatching(/^Call list_allocations/) });
      const hello = (await nomadAllocs('hello-world', 'default'))[0].ID;
      expect((await rest(`/api/claude/allocations/${hello}`)).status).toBe(200);
      for (const asked of [hello, hello.slice(0, 8)]) {
        const hidden = await rest(`/api/claude/allocations/${asked}`, 'dev');
        expect({ asked, status: hidden.status, body: hidden.json }).toEqual({ asked, status: 404, body: { ...unknown.json, message: `allocation '${asked}' not found` } });
        const m = await tool('get_allocation', { alloc_id: asked }, 'dev');
        expect(m).toMatchObject({ isError: true, text: `allocation '${asked}' not found. ${unknown.json.next_step}` });
      }
      expect((await rest('/api/claude/allocations/..%2F..%2Fv1%2Facl')).status).toBe(400);
    });
  });

  describe('get_evaluation', () => {
    it('explains a placement failure in words and numbers, for the evaluation and its blocked follow-up', async () => {
      const evals: any[] = (await s.nomad('GET', `/v1/job/too-big/evaluations?namespace=${NS}`)).json;
      const first = evals.find((e) => e.TriggeredBy === 'job-register');
      const r = await rest(`/api/claude/evaluations/${first.ID}`);
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ eval_id: first.ID, job_id: 'too-big', triggered_by: 'job-register', status: 'complete', placed_allocations: 0, blocked_eval: first.BlockedEval, queued: [{ group: 'web', count: 1 }] });
      expect(r.json.placement_failures).toEqual([expect.objectContaining({
        group: 'web', unplaced: 1, nodes_evaluated: 3, nodes_exhausted: 3, constraints: [], exhausted: [{ name: 'memory', nodes: 3 }],
        reason: expect.stringMatching(/^memory exhausted on 3 nodes \(3 nodes evaluated\): asked 500000 MB memory; the largest node has \d+ MB free$/),
      })]);
      expect(r.json.message).toMatch(new RegExp(`Could not place 1 of group 'web': memory exhausted on 3 nodes .*Blocked evaluation ${first.BlockedEval.slice(0, 8)} waits to place the rest\\.$`));
      const blocked = await tool('get_evaluation', { eval_id: first.BlockedEval.slice(0, 8) });
      expect(blocked.data).toMatchObject({ status: 'blocked', triggered_by: 'queued-allocs', previous_eval: first.ID });
      expect(blocked.text).toMatch(/is blocked .* It waits for capacity/);
      expect(blocked.text).toContain('placement failures:\ngroup  unplaced  evaluated  filtered  exhausted  reason');
    });

    it('says what an evaluation placed', async () => {
      const alloc = (await nomadAllocs('example-job'))[0];
      const r = await tool('get_evaluation', { eval_id: alloc.EvalID });
      expect(r.data).toMatchObject({ job_id: 'example-job', status: 'complete', placed_allocations: 2, placement_failures: [] });
      expect(r.text).toMatch(/^Evaluation [0-9a-f]{8} \(job-register of job 'example-job'\) is complete; it placed 2 allocations\./);
    });

    it("answers 404 with the next step, also for another namespace's evaluation", async () => {
      const unknown = await tool('get_evaluation', { eval_id: '0123abcd' });
      expect(unknown).toMatchObject({ isError: true, text: expect.stringMatching(/^evaluation '0123abcd' not found\. Evaluation IDs are the eval_id of/) });
      const hello = (await nomadAllocs('hello-world', 'default'))[0].EvalID;
      const hidden = await rest(`/api/claude/evaluations/${hello}`, 'dev');
      expect(hidden.status).toBe(404);
      expect(hidden.json.message).toBe(`evaluation '${hello}' not found`);
    });
  });

  describe('list_deployments and get_deployment', () => {
    it("lists a job's deployments and reads one group by group", async () => {
      const list = await rest('/api/claude/jobs/example-job/deployments');
      expect(list.status).toBe(200);
      expect(list.json).toMatchObject({ total: 1, count: 1, next_token: null });
      const [d] = list.json.deployments;
      expect(d).toMatchObject({ job_version: 0, status: 'successful', desired: 2, placed: 2, healthy: 2, unhealthy: 0 });
      expect(list.json.message).toBe(`Job 'example-job' has 1 deployment; the latest (${d.id.slice(0, 8)}, version 0) is successful, web: 2/2 healthy.`);
      const one = await tool('get_deployment', { deployment_id: d.id.slice(0, 8) });
      expect(one.isError).toBe(false);
      expect(one.data).toMatchObject({ deployment_id: d.id, job_id: 'example-job', status: 'successful' });
      expect(one.data.groups).toEqual([expect.objectContaining({ group: 'web', desired: 2, placed: 2, healthy: 2, unhealthy: 0, desired_canaries: 0, promoted: false, progress_deadline: '10m' })]);
      expect(one.text).toMatch(/^Deployment [0-9a-f]{8} of job 'example-job' version 0 is successful \(Deployment completed successfully\): web: 2\/2 healthy\./);
      expect(one.text).toContain('group  desired  placed  healthy  unhealthy  canaries');
    });

    it('says a batch job has none, and answers 404 with the next step for an unknown job or deployment', async () => {
      expect((await tool('list_deployments', { job_id: 'nightly-report' })).text).toBe("Job 'nightly-report' has no deployments (batch jobs have none).");
      const job = await rest('/api/claude/jobs/no-such-job/deployments');
      expect(job.status).toBe(404);
      expect(job.json.next_step).toMatch(/^Call list_jobs/);
      const dep = await rest('/api/claude/deployments/0123abcd-0000-0000-0000-000000000000');
      expect(dep.status).toBe(404);
      expect(dep.json).toMatchObject({ message: "deployment '0123abcd-0000-0000-0000-000000000000' not found", next_step: expect.stringMatching(/^Call list_deployments/) });
    });

    it("keeps an identity in its namespaces: another namespace's list refused, its deployment not found", async () => {
      expect((await tool('list_deployments', { job_id: 'hello-world', namespace: 'default' }, 'dev'))).toMatchObject({ isError: true, text: expect.stringMatching(/^'dev-reader' may not use namespace 'default'/) });
      const hello = (await s.nomad('GET', '/v1/job/hello-world/deployment?namespace=default')).json.ID;
      expect((await rest(`/api/claude/deployments/${hello}`)).status).toBe(200);
      const hidden = await rest(`/api/claude/deployments/${hello}`, 'dev');
      expect({ status: hidden.status, message: hidden.json.message }).toEqual({ status: 404, message: `deployment '${hello}' not found` });
    });
  });

  describe('list_nodes and get_node', () => {
    it('lists the nodes with their state and running allocations (of the namespaces the caller may see), paged', async () => {
      const admin = await rest('/api/claude/nodes');
      expect(admin.status).toBe(200);
      expect(admin.json).toMatchObject({ total: 3, count: 3, next_token: null });
      expect(admin.json.message).toBe('3 nodes: 3 ready.');
      expect(admin.json.nodes[0]).toMatchObject({ status: 'ready', eligibility: 'eligible', drain: false, node_pool: 'default', datacenter: 'dc1' });
      const runningAll = (await s.nomad('GET', '/v1/allocations?namespace=*')).json.filter((a: any) => a.ClientStatus === 'running');
      const sum = (r: any) => r.json.nodes.reduce((n: number, x: any) => n + x.running_allocations, 0);
      expect(sum(admin)).toBe(runningAll.length);
      const dev = await rest('/api/claude/nodes', 'dev');
      expect(sum(dev)).toBe(runningAll.filter((a: any) => a.Namespace === NS).length);
      const first = await tool('list_nodes', { limit: 2 });
      expect(first.data.nodes).toHaveLength(2);
      expect(first.text).toContain(`call again with next_token="${first.data.next_token}"`);
      const second = await tool('list_nodes', { limit: 2, next_token: first.data.next_token });
      expect([...first.data.nodes, ...second.data.nodes].map((n: any) => n.id)).toEqual(admin.json.nodes.map((n: any) => n.id));
      expect(second.data.next_token).toBeNull();
    });

    it("reads one node by prefix: capacity against use, drivers, and only the caller's allocations named", async () => {
      const nodeId: string = (await nomadAllocs('hello-world', 'default'))[0].NodeID;
      const admin = await rest(`/api/claude/nodes/${nodeId.slice(0, 8)}`);
      expect(admin.status).toBe(200);
      expect(admin.json).toMatchObject({ node_id: nodeId, status: 'ready', eligibility: 'eligible', drain: false });
      expect(admin.json.resources).toMatchObject({ cpu_mhz: 4000, memory_mb: 8192, allocated_memory_mb: expect.any(Number) });
      expect(admin.json.drivers.filter((d: any) => d.detected && d.healthy).map((d: any) => d.name)).toEqual(['docker', 'exec']);
      expect(admin.json.allocations.map((a: any) => a.namespace)).toContain('default');
      const dev = await tool('get_node', { node_id: nodeId }, 'dev');
      expect(dev.isError).toBe(false);
      expect(dev.data.allocations.every((a: any) => a.namespace === NS)).toBe(true);
      expect(dev.data.resources).toEqual(admin.json.resources);
      expect(dev.text).toMatch(/^Node sim-client-\d \([0-9a-f]{8}\) is ready, eligible for new allocations; \d+ running allocations?.* MB memory allocated; drivers healthy: docker, exec\./);
      const unknown = await rest('/api/claude/nodes/0123abcd');
      expect(unknown.status).toBe(404);
      expect(unknown.json).toMatchObject({ message: "node '0123abcd' not found", next_step: 'Call list_nodes to see the nodes and their IDs.' });
    });
  });

  describe('list_namespaces', () => {
    it('lists only the namespaces the caller may use, and the default', async () => {
      const admin = await rest('/api/claude/namespaces');
      // the demo data's namespaces: default, development, and staging with its staged failures
      expect(admin.json).toMatchObject({ default_namespace: NS, count: 3, namespaces: [{ name: 'default', default: false }, { name: NS, default: true, description: 'Development and staging workloads' }, { name: 'staging', default: false }] });
      expect(admin.json.message).toBe(`3 namespaces you may use: default, ${NS}, staging; the default is '${NS}'.`);
      const dev = await tool('list_namespaces', {}, 'dev');
      expect(dev.data.namespaces.map((n: any) => n.name)).toEqual([NS]);
      expect(dev.text).toMatch(/^1 namespace you may use: development; the default is 'development'\.\n\nname +default +description\n/);
      expect((await rest('/api/claude/namespaces?prefix=nope')).json.message).toBe("You may use no namespace whose name starts with 'nope'; call list_namespaces without prefix to see all.");
    });
  });

  it('every read tool answers with defaults in at most 4 KB of text, the sentence first', async () => {
    const alloc = (await nomadAllocs('broken-api')).find((a) => a.ClientStatus === 'failed');
    const deployment = (await s.nomad('GET', `/v1/job/example-job/deployment?namespace=${NS}`)).json.ID;
    const blocked = (await s.nomad('GET', `/v1/job/too-big/evaluations?namespace=${NS}`)).json.find((e: any) => e.Status === 'blocked').ID;
    // a change a person approved (NOMAD_MCP_CONFIRM_BY=human), for wait_for_approval to report at once
    const pending = s.app.get(PendingChangeStore);
    const change = await pending.create({
      operation: 'stop_job', identity: 'admin', transport: 'rest', namespace: NS, job: 'example-job', arguments: { job_id: 'example-job', namespace: NS },
      args_digest: 'x', modify_index: 1, plan: { summary: "stop job 'example-job'", destructive: true, modify_index: 1 }, expiresAt: new Date(Date.now() + 60_000),
    });
    await pending.decide(change.id, 'approved', 'on-call', null, 60_000);
    const args: Record<string, Record<string, unknown>> = {
      find_problems: {}, list_jobs: { namespace: '*' }, get_job_status: { job_id: 'broken-api' }, get_job_spec: { job_id: 'example-job' },
      list_job_versions: { job_id: 'example-job' },
      plan_job: { job: { ID: 'example-job', TaskGroups: [{ Name: 'web', Count: 3, Tasks: [{ Name: 'nginx', Driver: 'docker', Config: { image: 'nginx:1.28' } }] }] } },
      get_job_logs: { job_id: 'broken-api' }, follow_job_logs: { job_id: 'example-job', seconds: 1 },
      list_allocations: { job_id: 'five' }, get_allocation: { alloc_id: alloc.ID }, get_evaluation: { eval_id: blocked },
      list_deployments: { job_id: 'example-job' }, get_deployment: { deployment_id: deployment }, wait_for_deployment: { job_id: 'example-job' }, wait_for_approval: { approval_id: change.id }, list_nodes: {},
      get_node: { node_id: alloc.NodeID }, list_namespaces: {}, check_connection: {},
    };
    expect(Object.keys(args)).toEqual(READ_TOOLS);
    for (const name of READ_TOOLS) {
      const r = await tool(name, args[name]);
      expect({ name, isError: r.isError }).toEqual({ name, isError: false });
      expect({ name, fits: Buffer.byteLength(r.text) <= MAX_TEXT }).toEqual({ name, fits: true });
      // the sentence first, then the data
      expect({ name, first: r.text.startsWith(r.data.message) && !r.data.message.includes('\n') }).toEqual({ name, first: true });
    }
  });
});
