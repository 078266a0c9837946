import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { OperationEvent, OperationEvents } from '../apps/nomad-mcp/src/operations/core/operation-events';
import { FAST, startStack, Stack } from './support/stack';

const NS = 'development';

/** Parses a Server-Sent Events body into its events. */
function events(text: string): Array<{ event: string; data: any }> {
  return text.split('\n\n').filter((b) => b.includes('event: ')).map((b) => ({
    event: /^event: (.*)$/m.exec(b)![1],
    data: JSON.parse(/^data: (.*)$/m.exec(b)![1]),
  }));
}

/** wait_for_deployment against the simulator: blocks on Nomad's blocking queries, reports progress, ends with the outcome. */
describe('wait_for_deployment', () => {
  let s: Stack;
  beforeAll(async () => {
    // allocations take a while to turn healthy, so a rollout is seen in progress
    s = await startStack({ sim: { timings: { ...FAST, healthyDelayMs: 1500 } } });
  });
  afterAll(() => s.close());

  const create = async (job: string, extra: Record<string, unknown> = {}) => {
    const r = await s.api('POST', '/api/claude/create-job', { job_id: job, docker_image: 'nginx:1.27', count: 2, namespace: NS, ...extra });
    expect(r.status).toBe(201);
  };

  it('waits on blocking queries until the rollout succeeds, and says so with each group healthy', async () => {
    await create('rollout-a');
    const from = s.nomadTraffic.length;
    const r = await s.api('GET', `/api/claude/jobs/rollout-a/deployment/wait?namespace=${NS}&timeout_seconds=30`);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ outcome: 'succeeded', status: 'successful', job_id: 'rollout-a', groups: [{ group: 'rollout-a', desired: 2, healthy: 2 }] });
    expect(r.json.message).toMatch(/^Deployment \w{8} of job 'rollout-a' version 0 succeeded after \d+ s: rollout-a: 2\/2 healthy\.$/);
    // it held Nomad's answers (index=…) instead of polling
    expect(s.nomadTraffic.slice(from).filter((l) => /^GET \/v1\/deployment\/[0-9a-f-]{36}\?.*index=\d+/.test(l)).length).toBeGreaterThan(0);
  });

  it('over REST with Accept: text/event-stream, progress events come first and the result last', async () => {
    await create('rollout-b');
    const r = await s.api('GET', `/api/claude/jobs/rollout-b/deployment/wait?namespace=${NS}`, undefined, { Accept: 'text/event-stream' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const ev = events(r.text);
    expect(ev.length).toBeGreaterThanOrEqual(2);
    expect(ev.slice(0, -1).every((e) => e.event === 'progress' && /^(running|successful): rollout-b: \d\/2 healthy/.test(e.data.message))).toBe(true);
    expect(ev[ev.length - 1]).toMatchObject({ event: 'result', data: { outcome: 'succeeded' } });
  });

  it('over MCP with a progress token, progress notifications arrive before the result', async () => {
    await create('rollout-c');
    const client = new Client({ name: 'e2e-wait', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`)));
    try {
      const seen: string[] = [];
      const r = (await client.callTool({ name: 'wait_for_deployment', arguments: { job_id: 'rollout-c', namespace: NS } }, CallToolResultSchema, {
        onprogress: (p) => seen.push(p.message ?? ''),
      })) as any;
      expect(r.structuredContent).toMatchObject({ outcome: 'succeeded' });
      expect(seen.length).toBeGreaterThan(0);
      expect(seen[0]).toMatch(/rollout-c: [0-2]\/2 healthy/);
      // without a token it answers the same, with one JSON answer
      const plain = (await client.callTool({ name: 'wait_for_deployment', arguments: { job_id: 'rollout-c', namespace: NS } })) as any;
      expect(plain.content[0].text).toMatch(/^Deployment \w{8} of job 'rollout-c' version 0 succeeded/);
    } finally {
      await client.close();
    }
  });

  it('a rollout that fails says why to look next; one still going when the time is up says how far it got', async () => {
    // not rescheduled, so its failed allocation fails the rollout at once (Nomad's shouldFailEarly); with the default
    // policy the failed allocations would be replaced until the progress deadline (10 minutes) decides
    const bad = { ID: 'rollout-bad', Type: 'service', Datacenters: ['*'], TaskGroups: [{ Name: 'rollout-bad', Count: 2, ReschedulePolicy: { Attempts: 0, Unlimited: false }, Tasks: [{ Name: 'rollout-bad', Driver: 'docker', Config: { image: 'ghcr.io/acme/does-not-exist:1' }, Resources: { CPU: 100, MemoryMB: 64 } }] }] };
    expect((await s.nomad('PUT', `/v1/jobs?namespace=${NS}`, { Job: bad })).status).toBe(200);
    const failed = await s.api('GET', `/api/claude/jobs/rollout-bad/deployment/wait?namespace=${NS}&timeout_seconds=30`);
    expect(failed.json.outcome).toBe('failed');
    expect(failed.json.message).toMatch(/failed after \d+ s.*See why with list_allocations/);
    await create('rollout-slow');
    const slow = await s.api('GET', `/api/claude/jobs/rollout-slow/deployment/wait?namespace=${NS}&timeout_seconds=1`);
    expect(slow.json).toMatchObject({ outcome: 'timed_out', status: 'running' });
    expect(slow.json.message).toMatch(/is still running after 1 s: .*Call wait_for_deployment again to keep waiting/);
  });

  it('called the moment a new version is registered, it waits on that version\'s deployment, not the previous one\'s', async () => {
    await create('rollout-next', { count: 1 });
    const first = await s.api('GET', `/api/claude/jobs/rollout-next/deployment/wait?namespace=${NS}&timeout_seconds=30`);
    expect(first.json).toMatchObject({ outcome: 'succeeded', job_version: 0 });
    // version 1, straight to Nomad, and the wait at once: Nomad has not run its evaluation yet
    const job = (await s.nomad('GET', `/v1/job/rollout-next?namespace=${NS}`)).json;
    job.TaskGroups[0].Tasks[0].Config.image = 'nginx:1.28';
    expect((await s.nomad('PUT', `/v1/jobs?namespace=${NS}`, { Job: job })).status).toBe(200);
    const next = await s.api('GET', `/api/claude/jobs/rollout-next/deployment/wait?namespace=${NS}&timeout_seconds=30`);
    expect(next.status).toBe(200);
    expect(next.json).toMatchObject({ outcome: 'succeeded', job_version: 1 });
    expect(next.json.deployment_id).not.toBe(first.json.deployment_id);
  });

  it('a caller that goes away ends the wait at once: no Nomad query is left holding for nobody', async () => {
    await create('rollout-gone');
    const ended = new Promise<OperationEvent>((resolve) => {
      const sub = s.app.get(OperationEvents).events$.subscribe((e) => {
        if (e.operation === 'wait_for_deployment') {
          sub.unsubscribe();
          resolve(e);
        }
      });
    });
    const abort = new AbortController();
    const started = Date.now();
    const pending = s.api('GET', `/api/claude/jobs/rollout-gone/deployment/wait?namespace=${NS}&timeout_seconds=60`, undefined, { Accept: 'text/event-stream' }, abort.signal).catch(() => 'aborted');
    setTimeout(() => abort.abort(), 200);
    expect(await pending).toBe('aborted');
    const e = await ended;
    expect(e.outcome).toBe('error');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a job without deployments, and a deployment of another job, are 404s that say what to call', async () => {
    const batch = await s.api('GET', `/api/claude/jobs/nightly-report/deployment/wait?namespace=${NS}`);
    expect(batch.status).toBe(404);
    expect(batch.json.message).toMatch(/^job 'nightly-report' has no deployment to wait for/);
    const other = (await s.nomad('GET', `/v1/job/example-job/deployment?namespace=${NS}`)).json.ID;
    const wrong = await s.api('GET', `/api/claude/jobs/rollout-a/deployment/wait?namespace=${NS}&deployment_id=${other}`);
    expect(wrong.status).toBe(404);
    expect(wrong.json.message).toMatch(/belongs to job 'example-job', not 'rollout-a'/);
    const bad = await s.api('GET', `/api/claude/jobs/rollout-a/deployment/wait?namespace=${NS}&timeout_seconds=9999`);
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/timeout_seconds must not be greater than 900/);
  });
});
