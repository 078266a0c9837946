import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { waitFor } from './support/http';
import { startStack, Stack } from './support/stack';

const NS = 'development';

/** follow_job_logs against the simulator, whose running tasks write a line every second. */
describe('follow_job_logs', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack();
    await waitFor('example-job running', async () => (await s.api('GET', `/api/claude/jobs/example-job?namespace=${NS}`)).json.allocations?.running === 2, 20000);
  });
  afterAll(() => s.close());

  it('collects the lines written while it follows, from the end of the log (nothing older), until the time is up', async () => {
    const before = (await s.api('GET', `/api/claude/job-logs/example-job?namespace=${NS}&type=stdout&lines=1`)).json.stdout.lines[0];
    const from = s.nomadTraffic.length;
    const r = await s.api('GET', `/api/claude/jobs/example-job/logs/follow?namespace=${NS}&seconds=3`);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ job_id: 'example-job', type: 'stdout', ended_by: 'seconds', task: expect.any(String) });
    expect(r.json.lines.length).toBeGreaterThanOrEqual(1);
    expect(r.json.lines).not.toContain(before);
    expect(r.json.message).toMatch(/^\d+ new stdout lines? of task '\w+' in allocation \w{8} \(running\) in 3 s\.$/);
    expect(s.nomadTraffic.slice(from)).toContainEqual(expect.stringMatching(/^GET \/v1\/client\/fs\/logs\/[0-9a-f-]{36}\?.*follow=true/));
  });

  it('ends as soon as max_lines arrived', async () => {
    const started = Date.now();
    const r = await s.api('GET', `/api/claude/jobs/example-job/logs/follow?namespace=${NS}&seconds=60&max_lines=2`);
    expect(r.json).toMatchObject({ ended_by: 'max_lines' });
    expect(r.json.lines).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('streams the lines as they come: REST Server-Sent Events, MCP progress notifications', async () => {
    const sse = await s.api('GET', `/api/claude/jobs/example-job/logs/follow?namespace=${NS}&max_lines=2&seconds=30`, undefined, { Accept: 'text/event-stream' });
    const events = sse.text.split('\n\n').filter((b) => b.startsWith('event: ')).map((b) => /^event: (\w+)/.exec(b)![1]);
    expect(events[0]).toBe('progress');
    expect(events[events.length - 1]).toBe('result');
    const client = new Client({ name: 'e2e-follow', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`)));
    try {
      const seen: string[] = [];
      const r = (await client.callTool({ name: 'follow_job_logs', arguments: { job_id: 'example-job', namespace: NS, max_lines: 2, seconds: 30 } }, CallToolResultSchema, {
        onprogress: (p) => seen.push(p.message ?? ''),
      })) as any;
      expect(r.structuredContent.lines).toHaveLength(2);
      expect(seen.join('\n').split('\n')).toEqual(r.structuredContent.lines);
    } finally {
      await client.close();
    }
  });

  it('bad input is a 400 naming the field; a job without allocations says so', async () => {
    const bad = await s.api('GET', `/api/claude/jobs/example-job/logs/follow?namespace=${NS}&seconds=0`);
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/seconds must not be less than 1/);
    await s.api('POST', '/api/claude/create-job', { job_id: 'too-big-f', docker_image: 'nginx:1.27', memory: 500000, namespace: NS });
    const none = await s.api('GET', `/api/claude/jobs/too-big-f/logs/follow?namespace=${NS}&seconds=1`);
    expect(none.json).toMatchObject({ alloc_id: null, lines: [] });
    expect(none.json.message).toMatch(/has no allocations yet/);
  });
});
