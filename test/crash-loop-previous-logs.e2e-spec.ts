import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { waitFor } from './support/http';
import { startStack, Stack } from './support/stack';

const NS = 'staging';

/**
 * Scenario "a crash loop → logs of the previous allocation", through the service: the demo's staged `crash-loop`
 * job exits 1 after every start, restarts per its restart policy, fails, and is rescheduled once by the
 * simulator (its replacement fails the same way). The job's status shows both allocations with their restarts;
 * get_job_logs reads the failed previous allocation by alloc_id, over MCP and REST.
 */
describe('scenario: a crash loop, then the logs of the previous allocation', () => {
  let s: Stack;
  let client: Client;
  let previous: any;
  let replacement: any;

  beforeAll(async () => {
    s = await startStack();
    // the simulator's own view: the first allocation failed and was replaced by a second one that names it
    [previous, replacement] = await waitFor('crash-loop rescheduled and failed again', async () => {
      const list = (await s.nomad('GET', `/v1/job/crash-loop/allocations?namespace=${NS}`)).json as any[];
      if (list.length !== 2 || !list.every((a) => a.ClientStatus === 'failed')) return undefined;
      const full = await Promise.all(list.map(async (a) => (await s.nomad('GET', `/v1/allocation/${a.ID}`)).json));
      return full.sort((a, b) => a.CreateIndex - b.CreateIndex);
    }, 30000, 100);
    client = new Client({ name: 'e2e-crash-loop', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`)));
  });
  afterAll(async () => {
    await client?.close();
    await s?.close();
  });

  it('the simulator links the replacement to the failed allocation it replaced', () => {
    expect(replacement.PreviousAllocation).toBe(previous.ID);
    expect(previous).toMatchObject({ NextAllocation: replacement.ID, DesiredStatus: 'stop', DesiredDescription: 'alloc was rescheduled because it failed' });
    expect(replacement.RescheduleTracker.Events).toEqual([expect.objectContaining({ PrevAllocID: previous.ID, Delay: 5e9 })]);
  });

  it('get_job_status shows both allocations, each failed after its restarts (MCP)', async () => {
    const r = (await client.callTool({ name: 'get_job_status', arguments: { job_id: 'crash-loop', namespace: NS } })) as any;
    expect(r.isError).toBeFalsy();
    const status = r.structuredContent;
    const recent: any[] = status.recent_allocations;
    const byId = new Map(recent.map((a) => [a.id, a]));
    expect(byId.get(previous.ID)).toMatchObject({ client_status: 'failed', desired_status: 'stop', restarts: 2 });
    expect(byId.get(replacement.ID)).toMatchObject({ client_status: 'failed', desired_status: 'run', restarts: 2 });
    // the first sentence says the current allocation failed and that an earlier one did too, and why
    expect(r.content[0].text).toMatch(/^Job 'crash-loop' \(service, version 0\) is \w+; allocations: 1 failed of 1 desired; 1 earlier allocation failed; .*Exit Code: 1/);
  });

  it('get_job_logs reads the previous (failed, stopped) allocation by alloc_id (MCP and REST)', async () => {
    const r = (await client.callTool({ name: 'get_job_logs', arguments: { job_id: 'crash-loop', namespace: NS, alloc_id: previous.ID.slice(0, 8), type: 'stdout', lines: 20 } })) as any;
    expect(r.isError).toBeFalsy();
    const logs = r.structuredContent;
    expect(logs).toMatchObject({ alloc_id: previous.ID, client_status: 'failed', task: 'app' });
    expect(logs.stdout.lines.length).toBeGreaterThan(0);
    expect(logs.message).toMatch(new RegExp(`of task 'app' in allocation ${previous.ID.slice(0, 8)} \\(crash-loop\\.app\\[0\\], failed\\)\\.$`));
    // the service asked the simulator for that allocation's log, not the latest one's
    expect(s.nomadTraffic.some((l) => l.startsWith(`GET /v1/client/fs/logs/${previous.ID}?`))).toBe(true);
    const rest = await s.api('GET', `/api/claude/job-logs/crash-loop?namespace=${NS}&alloc_id=${previous.ID}&type=stdout&lines=5`);
    expect(rest.status).toBe(200);
    expect(rest.json.alloc_id).toBe(previous.ID);
    expect(rest.json.stdout.lines.length).toBeGreaterThan(0);
    // without alloc_id the latest allocation (the replacement) is read
    const latest = await s.api('GET', `/api/claude/job-logs/crash-loop?namespace=${NS}&type=stdout&lines=5`);
    expect(latest.json.alloc_id).toBe(replacement.ID);
  });
});
