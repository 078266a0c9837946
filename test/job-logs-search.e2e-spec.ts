import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { lineStamp } from '../apps/nomad-mcp/src/operations/jobs/get-job-logs.op';
import { waitFor } from './support/http';
import { startStack, Stack } from './support/stack';

const NS = 'development';

/** get_job_logs with grep and all_allocations, against the simulator's logs. */
describe('get_job_logs: grep and every allocation', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack();
    await waitFor('example-job running', async () => (await s.api('GET', `/api/claude/jobs/example-job?namespace=${NS}`)).json.allocations?.running === 2, 20000);
  });
  afterAll(() => s.close());

  it('grep keeps only the matching lines (text or /regex/i), the newest last', async () => {
    // a request line once nginx served one
    const line = await waitFor('a request in the log', async () =>
      ((await s.api('GET', `/api/claude/job-logs/example-job?namespace=${NS}&type=stdout&lines=200`)).json.stdout.lines as string[]).find((l) => /"GET \//.test(l)), 20000);
    const word = /GET (\/\S*)/.exec(line)![1];
    const r = await s.api('GET', `/api/claude/job-logs/example-job?namespace=${NS}&type=stdout&lines=5&grep=${encodeURIComponent(word)}`);
    expect(r.status).toBe(200);
    expect(r.json.stdout.lines.length).toBeGreaterThan(0);
    expect(r.json.stdout.lines.every((l: string) => l.includes(word))).toBe(true);
    expect(r.json.message).toMatch(new RegExp(`^Last \\d+ stdout lines matching "${word.replace(/[/.*+?^${}()|[\]\\]/g, '\\$&')}" of task`));
    const re = await s.api('GET', `/api/claude/job-logs/example-job?namespace=${NS}&type=stdout&lines=3&grep=${encodeURIComponent('/get \\//i')}`);
    expect(re.json.stdout.lines.length).toBeGreaterThan(0);
    expect(re.json.stdout.lines.every((l: string) => /GET \//.test(l))).toBe(true);
  });

  it('a pattern that could take exponential time is refused with 400 before Nomad is asked', async () => {
    const from = s.nomadTraffic.length;
    const r = await s.api('GET', `/api/claude/job-logs/example-job?namespace=${NS}&grep=${encodeURIComponent('/(a+)+$/')}`);
    expect(r.status).toBe(400);
    expect(r.json.message).toMatch(/^grep: this regular expression can take exponential time/);
    expect(s.nomadTraffic.slice(from)).toEqual([]);
  });

  it('all_allocations reads each running allocation, tags the lines, and orders them by time (REST and MCP)', async () => {
    // an app whose log lines start with ISO timestamps (the simulator's generic image)
    expect((await s.api('POST', '/api/claude/create-job', { job_id: 'api-svc', docker_image: 'ghcr.io/acme/api:1.4', count: 2, namespace: NS })).status).toBe(201);
    const running = await waitFor('two running', async () => {
      const ids = (await s.nomad('GET', `/v1/job/api-svc/allocations?namespace=${NS}`)).json.filter((a: any) => a.ClientStatus === 'running').map((a: any) => a.ID);
      return ids.length === 2 ? ids : undefined;
    }, 20000);
    const r = await s.api('GET', `/api/claude/job-logs/api-svc?namespace=${NS}&type=stdout&lines=20&all_allocations=true`);
    expect(r.status).toBe(200);
    expect([...r.json.allocations].sort()).toEqual([...running].sort());
    const tags = new Set((r.json.stdout.lines as string[]).map((l) => l.slice(1, 9)));
    expect([...tags].sort()).toEqual(running.map((id: string) => id.slice(0, 8)).sort());
    const stamps = (r.json.stdout.lines as string[]).map((l) => /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.exec(l)?.[0]).filter(Boolean) as string[];
    expect(stamps.length).toBe(r.json.stdout.lines.length);
    expect(stamps).toEqual([...stamps].sort());
    expect(r.json.message).toMatch(/across 2 running allocations of job 'api-svc', each line tagged with its allocation\.$/);
    // nginx's lines: its start-up notices (2026/11/30 21:12:46) and access lines ([30/Nov/2026:21:12:46 +0000]), from
    // both allocations, in time order (they were once the last allocation's lines only)
    const nginx = await s.api('GET', `/api/claude/job-logs/example-job?namespace=${NS}&lines=40&all_allocations=true`);
    const lines = [...nginx.json.stdout.lines, ...nginx.json.stderr.lines] as string[];
    expect(new Set(lines.map((l) => l.slice(1, 9))).size).toBe(2);
    expect(nginx.json.message).not.toMatch(/grouped by allocation/);
    // (the entrypoint's banner lines carry no time; they go with the first line that does)
    const stdoutStamps = (nginx.json.stdout.lines as string[]).map(lineStamp).filter(Boolean);
    expect(stdoutStamps.length).toBeGreaterThan(0);
    expect(stdoutStamps).toEqual([...stdoutStamps].sort());
    const client = new Client({ name: 'e2e-logs', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`)));
    try {
      const m = (await client.callTool({ name: 'get_job_logs', arguments: { job_id: 'example-job', namespace: NS, all_allocations: true, lines: 5, type: 'stdout' } })) as any;
      expect(m.structuredContent.allocations).toHaveLength(2);
      expect(Buffer.byteLength(m.content[0].text)).toBeLessThan(4096);
    } finally {
      await client.close();
    }
  });

  it('with lines left out, a long log is kept to the newest lines within 4 KB, and says how to get the rest (REST and MCP)', async () => {
    const job = {
      ID: 'chatty', Type: 'service', Datacenters: ['dc1'],
      TaskGroups: [{ Name: 'web', Count: 1, Tasks: [{ Name: 'web', Driver: 'docker', Config: { image: 'nginx:1.27' }, Env: { NOMAD_SIM_LOG_BYTES: '256KB' }, Resources: { CPU: 100, MemoryMB: 64 } }] }],
    };
    expect((await s.nomad('PUT', `/v1/jobs?namespace=${NS}`, { Job: job })).status).toBe(200);
    await waitFor('chatty running', async () => (await s.nomad('GET', `/v1/job/chatty/allocations?namespace=${NS}`)).json.some((a: any) => a.ClientStatus === 'running'), 20000);
    const all = await s.api('GET', `/api/claude/job-logs/chatty?namespace=${NS}&lines=100`);
    expect(all.status).toBe(200);
    expect(all.json.stdout.lines).toHaveLength(100);
    expect(Buffer.byteLength(all.text)).toBeGreaterThan(4096);

    const bounded = await s.api('GET', `/api/claude/job-logs/chatty?namespace=${NS}`);
    expect(bounded.status).toBe(200);
    expect(Buffer.byteLength(bounded.text)).toBeLessThanOrEqual(4096);
    const kept = bounded.json.stdout.lines as string[];
    expect(kept.length).toBeGreaterThan(5);
    expect(kept.length).toBeLessThan(100);
    // the newest lines, in order, and the sentence says how many were left out and how to ask for them
    const left = 100 - kept.length + (all.json.stderr.lines.length - bounded.json.stderr.lines.length);
    expect(bounded.json.message).toMatch(new RegExp(`^Last ${kept.length} stdout and ${bounded.json.stderr.lines.length} stderr lines of task 'web' in allocation [0-9a-f]{8} \\(chatty\\.web\\[0\\], running\\)\\. ${left} older lines left out to keep this answer under 4 KB: ask with lines \\(up to 5000\\) for more\\.$`));
    expect(bounded.json.stdout.truncated).toBe(true);
    const client = new Client({ name: 'e2e-logs-bound', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`)));
    try {
      const m = (await client.callTool({ name: 'get_job_logs', arguments: { job_id: 'chatty', namespace: NS } })) as any;
      expect(Buffer.byteLength(m.content[0].text)).toBeLessThanOrEqual(4096);
      expect(m.content[0].text).toMatch(/older lines left out to keep this answer under 4 KB/);
    } finally {
      await client.close();
    }
  });
});
