import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { mcpClient } from './support/operation-calls';
import { startStack, Stack } from './support/stack';

const KEY = 'plan-large-key-00001';
const NS = 'development';
const MAX_BYTES = 4096;
const GROUPS = 25;

/** A job of 25 task groups, each `count` allocations of one task asking `cpu` MHz. */
const job = (count: number, image: string, cpu = 100) => ({
  ID: 'wide-plan', Type: 'service', Datacenters: ['dc1'],
  TaskGroups: Array.from({ length: GROUPS }, (_, i) => ({
    Name: `group-number-${String(i).padStart(2, '0')}`, Count: count,
    Tasks: [{ Name: 'app', Driver: 'docker', Config: { image }, Resources: { CPU: cpu, MemoryMB: 64 } }],
  })),
});

/**
 * plan_job of a job of 25 task groups, each from count 0 to 1 with a new image, over REST and MCP: the default
 * answer stays under 4 KB and sums the groups up, its counts agree with each other and with the whole plan
 * (limit=2000), and a group that does not fit says its numbers are from before the plan's other placements.
 */
describe('plan_job of a job of 25 groups', () => {
  let s: Stack;
  let client: Client;
  const key = { 'X-API-Key': KEY };
  const plan = (body: Record<string, unknown>) => s.api('POST', '/api/claude/plan-job', { namespace: NS, ...body }, key);
  const mcpText = async (args: Record<string, unknown>) => {
    const r = (await client.callTool({ name: 'plan_job', arguments: { namespace: NS, ...args } })) as { isError?: boolean; content: Array<{ text?: string }>; structuredContent?: any };
    expect(r.isError).toBeFalsy();
    return { text: r.content.map((c) => c.text ?? '').join('\n'), data: r.structuredContent };
  };

  beforeAll(async () => {
    s = await startStack({ env: { API_KEYS: KEY }, apiKey: KEY });
    expect((await s.nomad('PUT', `/v1/jobs?namespace=${NS}`, { Job: job(0, 'nginx:1.27') })).status).toBe(200);
    client = await mcpClient(s.url, KEY);
  }, 30000);
  afterAll(async () => {
    await client?.close();
    await s?.close();
  });

  it('a default answer is under 4 KB over REST and MCP, sums the 25 groups up, and its counts agree with the whole plan', async () => {
    const r = await plan({ job: job(1, 'nginx:1.28') });
    expect(r.status).toBe(200);
    expect(Buffer.byteLength(r.text)).toBeLessThanOrEqual(MAX_BYTES);
    const m = await mcpText({ job: job(1, 'nginx:1.28') });
    expect(Buffer.byteLength(m.text)).toBeLessThanOrEqual(MAX_BYTES);

    // 25 groups × (count and image): 50 changes, in 100 lines with each group's and task's header
    const first = r.json.message.slice(0, r.json.message.indexOf('. ') + 1);
    expect(first).toBe(
      "Plan for job 'wide-plan' in namespace 'development': 50 changes to the spec; 25 groups, 25 to create in all " +
        '(group-number-00: 1 to create; group-number-01: 1 to create; group-number-02: 1 to create; and 22 more groups).',
    );
    expect(r.json.changes).toBe(50);
    const shownChanges = r.json.diff.filter((l: string) => !l.startsWith('…') && !/^~ group [^:]+(: task [^:]+)? \(.*\)$/.test(l)).length;
    expect(shownChanges + r.json.left_out.changes).toBe(50);
    expect(r.json.diff[r.json.diff.length - 1]).toBe(`… and ${r.json.left_out.changes} more changes (${r.json.left_out.diff_lines} more lines with their group and task headers)`);
    expect(r.json.groups.length + r.json.left_out.groups).toBe(GROUPS);
    expect(r.json.message).toMatch(new RegExp(`Shown: ${r.json.diff.length - 1} of 100 diff lines \\(${shownChanges} of the 50 changes\\), ${r.json.groups.length} of 25 groups; call again with limit=2000 for the whole plan\\.$`));
    // the text says the same, and says how many groups its table leaves out
    expect(m.text.startsWith(first)).toBe(true);
    expect(m.text).toContain(`… and ${m.data.left_out.groups} more groups`);

    // the whole plan, asked for: every line, every group, and the same counts
    const whole = await plan({ job: job(1, 'nginx:1.28'), limit: 2000 });
    expect(whole.json.diff).toHaveLength(100);
    expect(whole.json.groups).toHaveLength(GROUPS);
    expect(whole.json.changes).toBe(50);
    expect(whole.json.left_out).toEqual({ diff_lines: 0, changes: 0, groups: 0, placement_failures: 0, warnings: 0 });
    expect(whole.json.diff.slice(0, r.json.diff.length - 1)).toEqual(r.json.diff.slice(0, -1));
  });

  it("a group that does not fit says the node's free capacity is before the plan's other placements, and the answer stays under 4 KB", async () => {
    // 25 × 250 MHz is more than the node's 4000 MHz: the later groups cannot be placed
    const r = await plan({ job: job(1, 'nginx:1.28', 250) });
    expect(r.status).toBe(200);
    expect(Buffer.byteLength(r.text)).toBeLessThanOrEqual(MAX_BYTES);
    const m = await mcpText({ job: job(1, 'nginx:1.28', 250) });
    expect(Buffer.byteLength(m.text)).toBeLessThanOrEqual(MAX_BYTES);
    const failing = r.json.placement_failures.length + r.json.left_out.placement_failures;
    expect(failing).toBeGreaterThan(1);
    expect(r.json.message).toContain(`Nomad could not place ${failing} allocations of ${failing} groups: 1 of group '${r.json.placement_failures[0].group}' (cpu exhausted`);
    for (const f of r.json.placement_failures) {
      const words = /asked 250 MHz CPU; the largest node has (\d+) MHz free before this plan, and the plan's 24 other placements ask 6000 MHz in all$/.exec(f.reason);
      expect(words).not.toBeNull();
      // true as said: the group alone would fit in what is free now; the plan's other placements take it first
      expect(Number(words![1])).toBeGreaterThanOrEqual(250);
      expect(Number(words![1])).toBeLessThan(250 + 6000);
    }
    expect(m.text).toContain('cannot place:\n- 1 of group-number-');
  });
});
