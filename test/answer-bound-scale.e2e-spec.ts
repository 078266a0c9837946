import { waitFor } from './support/http';
import { startStack, Stack } from './support/stack';

const NS = 'development';
const KEY = 'bound-scale-key-0001';

/**
 * "With default arguments no answer over 4 KB", where the demo data is too small to show it: a job of 25
 * allocations, a cluster of 25 nodes, an audit trail of dozens of calls. A default page is cut to what fits,
 * and its next_token (next_cursor) still leads through everything.
 */
describe('default answers stay under 4 KB at scale, and paging still reaches everything', () => {
  let s: Stack;
  const key = { 'X-API-Key': KEY };
  const size = (r: { text: string }) => Buffer.byteLength(r.text);

  beforeAll(async () => {
    s = await startStack({ env: { API_KEYS: KEY }, apiKey: KEY, sim: { nodes: 25 } });
    const job = {
      ID: 'wide', Type: 'service', Datacenters: ['dc1'],
      TaskGroups: [{ Name: 'web', Count: 25, Tasks: [{ Name: 'web', Driver: 'docker', Config: { image: 'nginx:1.27' }, Resources: { CPU: 20, MemoryMB: 16 } }] }],
    };
    expect((await s.nomad('PUT', `/v1/jobs?namespace=${NS}`, { Job: job })).status).toBe(200);
    await waitFor('25 allocations', async () => (await s.nomad('GET', `/v1/job/wide/allocations?namespace=${NS}`)).json.length === 25, 20000);
  }, 30000);
  afterAll(() => s.close());

  /** Every item of a list, following its tokens from a default first page. */
  const walk = async (path: string, items: string, token = 'next_token') => {
    const seen: string[] = [];
    let next: string | null = null;
    for (let i = 0; i < 30; i++) {
      const r: { status: number; text: string; json: any } = await s.api('GET', `${path}${next ? `${path.includes('?') ? '&' : '?'}${token === 'next_cursor' ? 'cursor' : 'next_token'}=${encodeURIComponent(next)}` : ''}`, undefined, key);
      expect(r.status).toBe(200);
      expect(size(r)).toBeLessThanOrEqual(4096);
      seen.push(...r.json[items].map((x: any) => x.id));
      next = r.json[token];
      if (!next) break;
    }
    return seen;
  };

  it('list_allocations: a default page of a 25-allocation job fits, and its pages hold all 25 once each', async () => {
    const first = await s.api('GET', `/api/claude/jobs/wide/allocations?namespace=${NS}`, undefined, key);
    expect(first.json.count).toBeLessThan(20);
    expect(first.json.next_token).not.toBeNull();
    expect(first.json.message).toMatch(/More allocations: call again with next_token=/);
    const all = await walk(`/api/claude/jobs/wide/allocations?namespace=${NS}`, 'allocations');
    expect(new Set(all).size).toBe(25);
    expect(all).toHaveLength(25);
    // a caller who asks for a bigger page gets it whole
    expect((await s.api('GET', `/api/claude/jobs/wide/allocations?namespace=${NS}&limit=25`, undefined, key)).json.count).toBe(25);
  });

  it('list_nodes: a default page of 25 nodes fits, and its pages hold every node', async () => {
    const nodes = await walk('/api/claude/nodes', 'nodes');
    expect(new Set(nodes).size).toBe(25);
  });

  it('the audit trail: a default page of dozens of records fits, and the cursor leads through them all', async () => {
    // refused changes are recorded too, each with its (redacted) arguments
    for (let i = 0; i < 30; i++) {
      const r = await s.api('POST', '/api/claude/create-job', { job_id: `audited-${i}`, docker_image: '', namespace: NS, env_vars: { TOKEN: 'x', MODE: 'a'.repeat(40) } }, key);
      expect(r.status).toBe(400);
    }
    const first = await s.api('GET', '/api/audit', undefined, key);
    expect(size(first)).toBeLessThanOrEqual(4096);
    expect(first.json.next_cursor).not.toBeNull();
    expect(first.json.message).toMatch(/^\d+ records, newest first \(a default page is kept within 4 KB\); more with cursor=next_cursor\./);
    const ids = await walk('/api/audit', 'records', 'next_cursor');
    const whole = await s.api('GET', '/api/audit?limit=200', undefined, key);
    expect(ids).toEqual(whole.json.records.map((r: any) => r.id));
  });

  it('the audit trail: a record of a 20 KB job spec is cut short in a default page, and whole when asked for more', async () => {
    const lines = Array.from({ length: 400 }, (_, i) => `    label_${i} = "${'v'.repeat(40)}"`);
    const hcl = `job "big-spec" {\n  meta {\n${lines.join('\n')}\n  }\n  group "web" {`; // unclosed: refused as invalid, and audited
    const refused = await s.api('POST', '/api/claude/register-job', { hcl, namespace: NS }, key);
    expect(refused.status).toBe(400);
    const first = await s.api('GET', '/api/audit', undefined, key);
    expect(size(first)).toBeLessThanOrEqual(4096);
    expect(first.json.message).toMatch(/Long arguments are cut short here; limit above 20 .* shows them whole\.$/);
    expect(first.json.records[0]).toMatchObject({ operation: 'register_job', outcome: 'invalid', arguments: { namespace: NS, hcl: expect.stringMatching(/^job "big-spec" \{\n {2}meta \{\n[^]{0,120}… \[\d+ more characters\]$/) } });
    expect(first.json.records.length).toBeGreaterThan(1);
    const whole = await s.api('GET', '/api/audit?limit=21&operation=register_job', undefined, key);
    expect(whole.json.records[0].arguments.hcl).toBe(hcl);
  });
});
