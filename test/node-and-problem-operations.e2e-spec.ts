import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, waitFor } from './support/http';
import { closedPortUrl, FAST, startStack, Stack } from './support/stack';

/**
 * The node and cluster operations over REST and MCP against the simulator: drain_node (its allocations migrate),
 * set_node_eligibility, check_connection with and without ACLs, and find_problems, which must find every failure
 * the simulator can stage, rank it, and name the one call that says why (two calls to a diagnosis at most).
 */
const MAX_TEXT = 4096;
const KEYS = { admin: 'nodes-admin-key-0001', reader: 'nodes-reader-key-0002', dev: 'nodes-dev-key-0003', ops: 'nodes-ops-key-0004' };
type Who = keyof typeof KEYS;
type Tool = { isError: boolean; text: string; data: any };

/** An identities file: admin confirms destructive changes (the default), ops does not, reader reads, dev only sees development. */
function identities(dir: string, extra: object[] = []): string {
  const file = join(dir, 'identities.json');
  writeFileSync(file, JSON.stringify({ identities: [
    { name: 'admin', key: KEYS.admin, scopes: ['*'] },
    { name: 'ops', key: KEYS.ops, scopes: ['*'], confirm: 'off' },
    { name: 'reader', key: KEYS.reader, scopes: ['read'] },
    { name: 'dev', key: KEYS.dev, scopes: ['read'], namespaces: ['development'] },
    ...extra,
  ] }));
  return file;
}

/** REST and MCP callers of one stack, one MCP client per identity. */
function callers(stack: () => Stack) {
  const clients: Partial<Record<Who, Client>> = {};
  const rest = (method: string, path: string, body?: unknown, who: Who = 'ops') => stack().api(method, path, body, { 'X-API-Key': KEYS[who] });
  const tool = async (name: string, args: Record<string, unknown>, who: Who = 'ops'): Promise<Tool> => {
    if (!clients[who]) {
      const c = new Client({ name: `nodes-${who}`, version: '1' });
      await c.connect(new StreamableHTTPClientTransport(new URL(`${stack().url}/mcp`), { requestInit: { headers: { 'X-API-Key': KEYS[who] } } }));
      clients[who] = c;
    }
    const r = (await clients[who]!.callTool({ name, arguments: args })) as { isError?: boolean; content: Array<{ text: string }>; structuredContent?: unknown };
    return { isError: !!r.isError, text: r.content[0].text, data: r.structuredContent };
  };
  const close = async () => {
    for (const c of Object.values(clients)) await c?.close();
  };
  return { rest, tool, close };
}

describe('drain_node and set_node_eligibility', () => {
  let s: Stack;
  let dir: string;
  const { rest, tool, close } = callers(() => s);
  const nomadAllocs = async (job: string, ns = 'development'): Promise<any[]> => (await s.nomad('GET', `/v1/job/${job}/allocations?namespace=${ns}`)).json;
  const nomadNode = async (id: string) => (await s.nomad('GET', `/v1/node/${id}`)).json;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nodes-'));
    s = await startStack({ env: { API_KEYS_FILE: identities(dir) }, sim: { nodes: 2 } });
    await waitFor('example-job deployed', async () => (await s.nomad('GET', '/v1/job/example-job/deployment?namespace=development')).json?.Status === 'successful', 20000);
  });
  afterAll(async () => {
    await close();
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('marks a node ineligible (REST, by prefix) and eligible again (MCP); nothing new is placed on it meanwhile', async () => {
    const node: string = (await nomadAllocs('example-job'))[0].NodeID;
    const from = s.nomadBodies.length;
    const off = await rest('POST', `/api/claude/nodes/${node.slice(0, 8)}/eligibility`, { eligible: false });
    expect(off.status).toBe(200);
    expect(off.json).toMatchObject({ node_id: node, eligibility: 'ineligible', previous_eligibility: 'eligible', changed: true, running_allocations: expect.any(Number) });
    expect(off.json.message).toMatch(/^Node sim-client-\d \([0-9a-f]{8}\) is ineligible: no new allocations are placed there; its \d+ running allocations? keep running \(drain_node moves them\)\.$/);
    expect(s.nomadBodies.slice(from)).toContainEqual({ line: `PUT /v1/node/${node}/eligibility`, body: { NodeID: node, Eligibility: 'ineligible' } });
    expect((await nomadNode(node)).SchedulingEligibility).toBe('ineligible');
    // a new job goes to the other node
    expect((await s.nomad('PUT', '/v1/jobs?namespace=development', { Job: { ID: 'elsewhere', Type: 'service', Datacenters: ['dc1'], TaskGroups: [{ Name: 'web', Tasks: [{ Name: 'web', Driver: 'docker', Config: { image: 'nginx:1.27' }, Resources: { CPU: 50, MemoryMB: 32 } }] }] } })).status).toBe(200);
    const placed = await waitFor('placed', async () => (await nomadAllocs('elsewhere'))[0]);
    expect(placed.NodeID).not.toBe(node);
    const again = await tool('set_node_eligibility', { node_id: node, eligible: false });
    expect(again.data).toMatchObject({ changed: false });
    expect(again.text).toMatch(/was already ineligible; nothing changed\./);
    const on = await tool('set_node_eligibility', { node_id: node, eligible: true });
    expect(on.isError).toBe(false);
    expect(on.data).toMatchObject({ eligibility: 'eligible', changed: true });
    expect((await nomadNode(node)).SchedulingEligibility).toBe('eligible');
  });

  it('drains a node: the plan lists the allocations that migrate, the confirmed drain moves them to the other node, the node ends ineligible', async () => {
    const before = (await nomadAllocs('example-job')).filter((a) => a.DesiredStatus === 'run');
    const node: string = before[0].NodeID;
    // example-job's allocations there move; the demo's other jobs there (some failing on purpose) may come and go meanwhile
    const moving = before.filter((a) => a.NodeID === node).map((a) => a.ID);
    const from = s.nomadTraffic.length;
    // an identity confirms destructive changes: the first call changes nothing and answers the plan
    const planned = await rest('POST', `/api/claude/nodes/${node}/drain`, { deadline_seconds: 600 }, 'admin');
    expect(planned.status).toBe(428);
    const plan = planned.json.confirmation.plan;
    expect(plan.destructive).toBe(true);
    expect(plan.summary).toMatch(new RegExp(`^drain node sim-client-\\d \\(${node.slice(0, 8)}\\): it takes no new allocations, and its \\d+ allocations stop there and are replaced on other nodes`));
    expect(plan.details.allocations_that_move).toEqual(expect.arrayContaining(moving));
    expect(plan.details.allocations_total).toBe(plan.details.allocations_that_move.length);
    expect(s.nomadTraffic.slice(from).filter((l) => /\/drain/.test(l))).toEqual([]);
    const done = await rest('POST', `/api/claude/nodes/${node}/drain`, { deadline_seconds: 600, confirm_token: planned.json.confirmation.confirm_token }, 'admin');
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ node_id: node, drain: true, eligibility: 'ineligible', deadline_seconds: 600, ignore_system_jobs: false });
    expect(done.json.allocations.map((a: any) => a.id)).toEqual(expect.arrayContaining(moving));
    expect(done.json.allocations_total).toBe(done.json.allocations.length);
    expect(done.json.message).toMatch(/^Node sim-client-\d \([0-9a-f]{8}\) is draining: it takes no new allocations, and its \d+ allocations stop there and are replaced on other nodes.* Follow with get_node/);
    const drainBody = s.nomadBodies.find((b) => b.line === `PUT /v1/node/${node}/drain`)?.body as any;
    expect(drainBody).toEqual({ DrainSpec: { Deadline: 600e9, IgnoreSystemJobs: false }, MarkEligible: false, Meta: { message: 'drained with nomad-mcp by admin' } });
    // Nomad's drainer moves them: each stopped with Migrate, replaced on the other node
    await waitFor('drain complete', async () => (await nomadNode(node)).LastDrain?.Status === 'complete', 20000);
    for (const a of before) {
      const moved = (await s.nomad('GET', `/v1/allocation/${a.ID}`)).json;
      expect(moved).toMatchObject({ DesiredStatus: 'stop', DesiredTransition: { Migrate: true } });
      const next = (await s.nomad('GET', `/v1/allocation/${moved.NextAllocation}`)).json;
      expect(next.NodeID).not.toBe(node);
    }
    await waitFor('example-job running elsewhere', async () => (await nomadAllocs('example-job')).filter((a) => a.ClientStatus === 'running' && a.DesiredStatus === 'run').length === 2);
    const seen = await tool('get_node', { node_id: node });
    expect(seen.data).toMatchObject({ drain: false, eligibility: 'ineligible' });
    expect(seen.text).toMatch(/not eligible for new allocations/);
    // cancelling (over MCP) makes it eligible again, and is not destructive: no plan first
    const cancel = await tool('drain_node', { node_id: node, enable: false }, 'admin');
    expect(cancel.isError).toBe(false);
    expect(cancel.data).toMatchObject({ drain: false, eligibility: 'eligible', deadline_seconds: null, allocations: [] });
    expect(cancel.text).toMatch(/^Node sim-client-\d \([0-9a-f]{8}\) was not draining; it is eligible for new allocations again/);
    expect((await nomadNode(node)).SchedulingEligibility).toBe('eligible');
  });

  it("warns in the plan when no other node could take the allocations, and changes nothing until confirmed", async () => {
    const live = (await s.nomad('GET', '/v1/allocations?namespace=*')).json.filter((x: any) => x.DesiredStatus === 'run' && x.ClientStatus === 'running');
    const a: string = live[0].NodeID;
    const b: string = (await s.nomad('GET', '/v1/nodes')).json.find((n: any) => n.ID !== a).ID;
    expect((await tool('set_node_eligibility', { node_id: b, eligible: false })).isError).toBe(false);
    try {
      const planned = await tool('drain_node', { node_id: a, deadline_seconds: -1 }, 'admin');
      expect(planned.isError).toBe(true);
      expect(planned.text).toMatch(/^Nothing was changed: drain_node needs the user's confirmation\. Plan: drain node sim-client-\d \([0-9a-f]{8}\): it takes no new allocations, and its \d+ allocations? stops? now and (is|are) replaced on other nodes\. No other node is ready and eligible, so they cannot be placed again until one is\./);
      expect((await nomadNode(a)).DrainStrategy).toBeNull();
    } finally {
      expect((await tool('set_node_eligibility', { node_id: b, eligible: true })).isError).toBe(false);
    }
  });

  it('refuses what cannot work: eligible while draining (409), an unknown node (404), a caller without admin (403), a bad deadline (400)', async () => {
    // a node with allocations still running, so its drain lasts (a node left with only failed ones drains at once)
    const node: string = (await nomadAllocs('example-job')).find((a) => a.ClientStatus === 'running' && a.DesiredStatus === 'run').NodeID;
    try {
      expect((await tool('drain_node', { node_id: node, deadline_seconds: 0 })).data).toMatchObject({ drain: true, deadline_seconds: 0 });
      const conflict = await rest('POST', `/api/claude/nodes/${node}/eligibility`, { eligible: true });
      expect(conflict.status).toBe(409);
      expect(conflict.json).toMatchObject({ message: expect.stringMatching(/is draining: Nomad does not make a draining node eligible\.$/), next_step: 'Cancel the drain with drain_node enable=false, which also makes the node eligible again.' });
    } finally {
      expect((await rest('POST', `/api/claude/nodes/${node}/drain`, { enable: false })).status).toBe(200);
    }
    const unknown = await rest('POST', '/api/claude/nodes/0123abcd/drain', {});
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ message: "node '0123abcd' not found", next_step: 'Call list_nodes to see the nodes and their IDs.' });
    const denied = await tool('drain_node', { node_id: node }, 'reader');
    expect(denied).toMatchObject({ isError: true, text: expect.stringMatching(/^'reader' may not call drain_node: it needs the scope 'admin'\. Do not retry/) });
    const bad = await rest('POST', `/api/claude/nodes/${node}/drain`, { deadline_seconds: -5 });
    expect(bad.status).toBe(400);
    expect(bad.json.errors).toEqual([{ field: 'deadline_seconds', reasons: [expect.stringMatching(/not be less than -1/)] }]);
    expect((await nomadNode(node)).DrainStrategy).toBeNull();
  });
});

describe('check_connection', () => {
  let dir: string;
  const MGMT = `mgmt-${randomUUID()}`;
  const CLIENT = `client-${randomUUID()}`;
  const CLIENT_ENV = 'E2E_NODES_CLIENT_NOMAD_TOKEN';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'connection-'));
    process.env[CLIENT_ENV] = CLIENT;
  });
  afterAll(() => {
    delete process.env[CLIENT_ENV];
    rmSync(dir, { recursive: true, force: true });
  });

  it('without ACLs: leader, region, version, no token needed, the default namespace exists (REST and MCP agree)', async () => {
    const s = await startStack({ env: { API_KEYS_FILE: identities(dir) } });
    const { rest, tool, close } = callers(() => s);
    try {
      const r = await rest('GET', '/api/claude/connection');
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({
        ok: true, address: s.sim!.url, reachable: true, leader: '127.0.0.1:4647', region: 'global', nomad_version: '1.10.5', acl_enabled: false,
        token_source: 'NOMAD_TOKEN', token: null, namespace: 'development', namespace_exists: true, problems: [],
      });
      expect(r.json.message).toBe(`Connected to Nomad at ${s.sim!.url} (leader 127.0.0.1:4647, region global, Nomad 1.10.5), ACLs are off; namespace 'development' exists.`);
      const m = await tool('check_connection', {});
      expect(m.data).toEqual(r.json);
      expect(m.text.startsWith(m.data.message)).toBe(true);
      const missing = await tool('check_connection', { namespace: 'nope' });
      expect(missing.data).toMatchObject({ ok: false, namespace_exists: false, problems: ["Namespace 'nope' does not exist in Nomad; pass one that does (list_namespaces shows them)."] });
      expect(missing.text).toMatch(/^1 problem with Nomad at .*: Namespace 'nope' does not exist in Nomad/);
      const fenced = await tool('check_connection', { namespace: 'default' }, 'dev');
      expect(fenced).toMatchObject({ isError: true, text: expect.stringMatching(/^'dev' may not use namespace 'default'/) });
    } finally {
      await close();
      await s.close();
    }
  });

  it("with ACLs: the service's management token, and an identity's own client token with its policies and what it may not do", async () => {
    const s = await startStack({
      sim: { acl: true, bootstrapToken: MGMT },
      env: { NOMAD_TOKEN: MGMT, API_KEYS_FILE: identities(dir, [{ name: 'limited', key: 'nodes-limited-key-0005', scopes: ['*'], confirm: 'off', nomad_token_env: CLIENT_ENV }]) },
    });
    try {
      const mgmt = { 'X-Nomad-Token': MGMT };
      expect((await call(s.sim!.url, 'PUT', '/v1/acl/policy/default-read', { headers: mgmt, body: { Name: 'default-read', Rules: 'namespace "default" { policy = "read" }' } })).status).toBe(200);
      s.sim!.acl.addToken({ Name: 'limited-claude', Type: 'client', Policies: ['default-read'] }, 1, CLIENT);
      const asOps = await s.api('GET', '/api/claude/connection', undefined, { 'X-API-Key': KEYS.ops });
      expect(asOps.json).toMatchObject({ ok: true, acl_enabled: true, token_source: 'NOMAD_TOKEN', nomad_version: '1.10.5', token: { name: 'Bootstrap Token', type: 'management', policies: [], expires_at: null } });
      expect(asOps.json.token.accessor_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(asOps.json.message).toMatch(/, as management token 'Bootstrap Token'; namespace 'development' exists\.$/);
      expect(asOps.json.notes).toContain("NOMAD_TOKEN 'Bootstrap Token' is a management token: it may do everything in Nomad (a client token limited to the namespaces to operate is safer).");

      const limited = await s.api('GET', '/api/claude/connection', undefined, { 'X-API-Key': 'nodes-limited-key-0005' });
      expect(limited.status).toBe(200);
      const label = `the Nomad token of identity 'limited' (nomad_token_env ${CLIENT_ENV})`;
      expect(limited.json).toMatchObject({
        ok: false, token_source: label, nomad_version: null, region: 'global',
        token: { name: 'limited-claude', type: 'client', policies: ['default-read'] }, namespace_exists: null,
        problems: [`${label} may not use the default namespace 'development' (403 Permission denied): grant its policy a capability there, or set DEFAULT_NAMESPACE to a namespace it may use.`],
      });
      expect(limited.json.notes).toContain('The Nomad version is unknown: the token may not read the agent (agent:read); operating jobs does not need it.');
      expect(limited.json.message).toBe(`1 problem with Nomad at ${s.sim!.url}: ${limited.json.problems[0]}`);
      // what that token may not do, named when Nomad refuses it: a drain needs node write
      const nodes = (await call(s.sim!.url, 'GET', '/v1/nodes', { headers: mgmt })).json;
      const drain = await s.api('POST', `/api/claude/nodes/${nodes[0].ID}/drain`, {}, { 'X-API-Key': 'nodes-limited-key-0005' });
      expect(drain.status).toBe(403);
      expect(drain.json).toMatchObject({
        nomad_capability: 'node:write',
        message: expect.stringMatching(/^Nomad refused GET \/v1\/node\/[0-9a-f-]+ \(Permission denied\): the Nomad token of identity 'limited' .* lacks the 'write' policy on 'node' that drain_node needs\.$/),
        next_step: 'Add node { policy = "write" } to that token\'s ACL policy, or ask an operator to; do not retry until then.',
      });
      const wrong = await startStack({ sim: { acl: true, bootstrapToken: MGMT }, env: { NOMAD_TOKEN: 'not-the-token' } });
      try {
        const refused = (await wrong.api('GET', '/api/claude/connection')).json;
        expect(refused).toMatchObject({ ok: false, reachable: true, acl_enabled: true, token: null });
        expect(refused.problems).toEqual([`Nomad at ${wrong.sim!.url} refused NOMAD_TOKEN (403 Permission denied): the token is unknown, expired or malformed; set a valid NOMAD_TOKEN.`]);
      } finally {
        await wrong.close();
      }
      for (const text of [asOps.text, limited.text]) for (const secret of [MGMT, CLIENT]) expect(text).not.toContain(secret);
    } finally {
      await s.close();
    }
  });

  it('Nomad not answering: a 200 that says so and what to check, not an error', async () => {
    const closed = await closedPortUrl();
    const s = await startStack({ sim: false, env: { NOMAD_ADDR: closed } });
    try {
      const r = await s.api('GET', '/api/claude/connection');
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ ok: false, reachable: false, leader: null, token: null });
      expect(r.json.problems).toEqual([`Nomad at ${closed} is unreachable (ECONNREFUSED): connection refused; is Nomad running there, and is NOMAD_ADDR right?`]);
    } finally {
      await s.close();
    }
  });
});

describe('find_problems', () => {
  let s: Stack;
  let dir: string;
  const { rest, tool, close } = callers(() => s);
  let downNode: string;
  let ineligibleNode: string;
  /** A one-task service job in namespace staging. */
  const job = (id: string, task: Record<string, unknown> = {}, group: Record<string, unknown> = {}) => ({
    Job: { ID: id, Type: 'service', Datacenters: ['dc1'], TaskGroups: [{ Name: 'app', Count: 1, ...group, Tasks: [{ Name: 'app', Driver: 'docker', Config: { image: 'nginx:1.27' }, Resources: { CPU: 50, MemoryMB: 32 }, ...task }] }] },
  });
  const allocs = async (id: string, ns = 'staging'): Promise<any[]> => (await s.nomad('GET', `/v1/job/${id}/allocations?namespace=${ns}`)).json;

  /** Each staged failure: where, what find_problems must call it, the cause its summary must name, and what the next call must show. */
  const STAGED = [
    { ns: 'staging', job: 'crash-loop', kind: 'allocation_failed', severity: 'critical', cause: /task 'app' exited with code 1, restarted 2 times/, detail: /Exit Code: 1/ },
    { ns: 'staging', job: 'memory-hog', kind: 'allocation_failed', severity: 'critical', cause: /task 'app' was killed for memory \(OOM Killed, exit code 137, restarted 2 times\)/, detail: /OOM Killed/ },
    { ns: 'staging', job: 'unhealthy-web', kind: 'deployment_failed', severity: 'error', cause: /failed: Failed due to unhealthy allocations \(app: 0\/1 healthy, 1 unhealthy\); allocation [0-9a-f]{8}, task 'app': Services not healthy by deadline: unhealthy-web/, detail: /Services not healthy by deadline: unhealthy-web/ },
    { ns: 'staging', job: 'windows-only', kind: 'unplaceable', severity: 'critical', cause: /cannot place 1 of group 'app': constraint '\$\{attr\.kernel\.name\} = windows' filtered out 1 node/, detail: /\$\{attr\.kernel\.name\} = windows/ },
    { ns: 'staging', job: 'too-big', kind: 'unplaceable', severity: 'critical', cause: /cannot place 1 of group 'app': memory exhausted on \d nodes? \(\d nodes? evaluated\): asked 500000 MB memory; the largest node has \d+ MB free/, detail: /500000 MB/ },
    { ns: 'staging', job: 'looping', kind: 'crash_loop', severity: 'critical', cause: /is restarting in a loop \(\d+ restarts\): task 'app' exited with code 2/, detail: /Exit Code: 2/ },
    { ns: 'development', job: 'broken-api', kind: 'allocation_failed', severity: 'critical', cause: /task 'api' Driver Failure: failed to create container: Failed to pull `registry\.example\.com\/team\/api:missing`/, detail: /Failed to pull/ },
  ];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'problems-'));
    s = await startStack({ env: { API_KEYS_FILE: identities(dir) }, sim: { nodes: 3 } });
    // beside the demo's staged failures: an ask no node fits, and a crash loop that never gives up (restart mode delay)
    expect((await s.nomad('PUT', '/v1/jobs?namespace=staging', job('too-big', { Resources: { CPU: 50, MemoryMB: 500000 } }))).status).toBe(200);
    expect((await s.nomad('PUT', '/v1/jobs?namespace=staging', job('looping', { Env: { NOMAD_SIM_EXIT_CODE: '2' } }, { RestartPolicy: { Attempts: 2, Interval: 60e9, Delay: 1e9, Mode: 'delay' } }))).status).toBe(200);
    // the simulator places first fit, so the demo's allocations are all on sim-client-1: the other two can fail without moving them
    const byName = new Map<string, string>((await s.nomad('GET', '/v1/nodes')).json.map((n: any) => [n.Name, n.ID]));
    [downNode, ineligibleNode] = [byName.get('sim-client-3')!, byName.get('sim-client-2')!];
    expect((await s.nomad('GET', `/v1/node/${downNode}/allocations`)).json).toEqual([]);
    // a client that stops heartbeating, and one an operator took out of scheduling
    s.sim!.state.nodes.setStatus(downNode, 'down');
    expect((await rest('POST', `/api/claude/nodes/${ineligibleNode}/eligibility`, { eligible: false })).status).toBe(200);
    await waitFor('staged failures settled', async () => {
      const failed = async (id: string, ns = 'staging') => (await allocs(id, ns)).some((a) => a.ClientStatus === 'failed');
      const deployment = (await s.nomad('GET', '/v1/job/unhealthy-web/deployment?namespace=staging')).json;
      const looping = (await allocs('looping')).some((a) => a.DesiredStatus === 'run' && a.TaskStates?.app?.Restarts >= 2);
      return (await failed('crash-loop')) && (await failed('memory-hog')) && (await failed('broken-api', 'development')) && deployment?.Status === 'failed' && looping;
    }, 20000);
  });
  afterAll(async () => {
    await close();
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds every staged failure, most urgent first, each with its cause in words', async () => {
    const r = await rest('GET', '/api/claude/problems?namespace=*&limit=50');
    expect(r.status).toBe(200);
    const problems: any[] = r.json.problems;
    for (const f of STAGED) {
      const p = problems.find((x) => x.namespace === f.ns && x.job_id === f.job);
      // the whole problem in the failure message, so a mismatch says what was found instead
      expect({ job: f.job, kind: p?.kind, severity: p?.severity, problem: p }).toEqual({ job: f.job, kind: f.kind, severity: f.severity, problem: p });
      expect({ job: f.job, summary: p.summary }).toEqual({ job: f.job, summary: expect.stringMatching(f.cause) });
    }
    expect(problems.find((x) => x.node_id === downNode)).toMatchObject({ severity: 'critical', kind: 'node_down', summary: expect.stringMatching(/^Node sim-client-3 \([0-9a-f]{8}\) is down: its client stopped answering; nothing was running on it\.$/), next: { tool: 'get_node', arguments: { node_id: downNode } } });
    expect(problems.find((x) => x.node_id === ineligibleNode)).toMatchObject({ severity: 'warning', kind: 'node_ineligible', summary: expect.stringMatching(/is ineligible: nothing new is placed there/) });
    // the healthy ones are not problems
    for (const healthy of ['example-job', 'hello-world', 'nightly-report']) expect(problems.some((x) => x.job_id === healthy)).toBe(false);
    // most urgent first: by severity, and within one, a down node before jobs that cannot be placed before failing ones
    const rank = { critical: 0, error: 1, warning: 2 } as Record<string, number>;
    expect(problems.map((x) => rank[x.severity])).toEqual([...problems.map((x) => rank[x.severity])].sort());
    expect(problems[0].kind).toBe('node_down');
    expect(problems.findIndex((x) => x.kind === 'unplaceable')).toBeLessThan(problems.findIndex((x) => x.kind === 'allocation_failed'));
    expect(r.json).toMatchObject({ namespace: '*', total: problems.length, counts: { critical: 7, error: 1, warning: 1 }, unchecked: [] });
    expect(r.json.checked).toMatchObject({ jobs: 10, nodes: 3 });
    expect(r.json.message).toMatch(/^9 problems in all namespaces you may use \(7 critical, 1 error, 1 warning\); most urgent: Node sim-client-3 \([0-9a-f]{8}\) is down/);
  });

  it('diagnoses each staged failure in two calls: find_problems, then the one call it names (MCP)', async () => {
    const found = await tool('find_problems', { namespace: '*', limit: 50 });
    expect(found.isError).toBe(false);
    for (const f of STAGED) {
      const p = found.data.problems.find((x: any) => x.namespace === f.ns && x.job_id === f.job);
      expect({ job: f.job, inText: found.text.includes(`${f.ns}/${f.job}:`) }).toEqual({ job: f.job, inText: true });
      const second = await tool(p.next.tool, p.next.arguments);
      expect({ job: f.job, call: p.next.tool, isError: second.isError }).toEqual({ job: f.job, call: p.next.tool, isError: false });
      expect({ job: f.job, call: p.next.tool, text: second.text }).toEqual({ job: f.job, call: p.next.tool, text: expect.stringMatching(f.detail) });
    }
  });

  it('answers with defaults within 4 KB, the same over REST and MCP, and only what the caller may see', async () => {
    const m = await tool('find_problems', {});
    expect(m.data).toMatchObject({ namespace: 'development', total: 3 });
    expect(m.data.problems.map((p: any) => p.job_id ?? p.kind)).toEqual(['node_down', 'broken-api', 'node_ineligible']);
    expect((await rest('GET', '/api/claude/problems')).json).toEqual(m.data);
    const all = await tool('find_problems', { namespace: '*' });
    expect(Buffer.byteLength(all.text)).toBeLessThanOrEqual(MAX_TEXT);
    // the five most urgent by default; the answer counts the rest
    expect(all.data).toMatchObject({ total: 9 });
    expect(all.data.problems).toHaveLength(5);
    expect(all.text).toMatch(/\n\n4 more \(less urgent\): call again with a larger limit, or narrow namespace\.$/);
    expect(all.text.split('\n')[0]).toBe(all.data.message);
    const few = await tool('find_problems', { namespace: '*', limit: 3 });
    expect(few.data.problems).toHaveLength(3);
    expect(few.text).toMatch(/\n\n6 more \(less urgent\): call again with a larger limit, or narrow namespace\.$/);
    // an identity limited to development: staging's problems are not shown, nor counted, and asking for staging is refused
    const dev = await tool('find_problems', { namespace: '*' }, 'dev');
    expect(new Set(dev.data.problems.filter((p: any) => p.namespace).map((p: any) => p.namespace))).toEqual(new Set(['development']));
    expect(dev.data.total).toBe(3);
    expect(await tool('find_problems', { namespace: 'staging' }, 'dev')).toMatchObject({ isError: true, text: expect.stringMatching(/^'dev' may not use namespace 'staging'/) });
    expect((await rest('GET', '/api/claude/problems?namespace=nope')).status).toBe(404);
    expect((await rest('GET', '/api/claude/problems?limit=0')).json.errors).toEqual([{ field: 'limit', reasons: ['limit must not be less than 1'] }]);
    // not a number at all: that alone, not also the range checks beside it
    expect((await rest('GET', '/api/claude/problems?limit=abc')).json.errors).toEqual([{ field: 'limit', reasons: ['limit must be an integer number'] }]);
  });
});

describe('find_problems on 200 jobs', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ sim: { nodes: 4, timings: { ...FAST, healthyDeadlineMs: 3000 } } });
    // every fourth job cannot pull its image, a few ask more memory than any node has
    const broken = (i: number) => i % 4 === 0;
    const huge = (i: number) => i % 25 === 1;
    const job = (i: number) => ({ Job: {
      ID: `svc-${String(i).padStart(3, '0')}`, Type: 'service', Datacenters: ['dc1'],
      // not rescheduled, so each failed pull stays a failed allocation (Nomad's default would keep replacing it)
      TaskGroups: [{ Name: 'web', Count: 1, ReschedulePolicy: { Attempts: 0, Unlimited: false }, Tasks: [{ Name: 'web', Driver: 'docker', Config: { image: broken(i) ? `registry.example.com/svc-${i}:missing` : 'nginx:1.27' }, Resources: { CPU: 20, MemoryMB: huge(i) ? 900000 : 16 } }] }],
    } });
    for (let i = 0; i < 196; i++) expect((await s.nomad('PUT', '/v1/jobs?namespace=development', job(i))).status).toBe(200);
    const failing = Array.from({ length: 196 }, (_, i) => i).filter((i) => broken(i) && !huge(i)).length;
    await waitFor('200 jobs placed or failed', async () => {
      const list = (await s.nomad('GET', '/v1/allocations?namespace=development&task_states=false')).json as any[];
      return list.every((a) => a.ClientStatus !== 'pending') && list.filter((a) => a.ClientStatus === 'failed').length >= failing;
    }, 60000, 200);
  }, 90_000);
  afterAll(() => s.close());

  it('stays within 4 KB of text and a bounded number of Nomad reads', async () => {
    expect((await s.nomad('GET', '/v1/jobs?namespace=*')).json.length).toBeGreaterThanOrEqual(200);
    const from = s.nomadTraffic.length;
    const r = await s.api('GET', '/api/claude/problems?namespace=*');
    expect(r.status).toBe(200);
    const asked = s.nomadTraffic.slice(from);
    // one read of each list, then the numbers of at most 3 unplaceable jobs (the job, the nodes, the largest nodes' allocations)
    expect(asked.slice(0, 5).sort()).toEqual(['GET /v1/allocations?namespace=*', 'GET /v1/deployments?namespace=*', 'GET /v1/evaluations?namespace=*&status=blocked', 'GET /v1/jobs?namespace=*', 'GET /v1/nodes']);
    expect(asked.length).toBeLessThanOrEqual(5 + 3 * 5);
    // 47 failed pulls, 8 asks no node fits, broken-api, and the demo's staged crash, OOM kill and constraint
    expect(r.json.total).toBeGreaterThanOrEqual(59);
    expect(r.json.problems).toHaveLength(5);
    // what the Messages API flow hands a model as the tool result: the JSON, bounded too
    expect(Buffer.byteLength(r.text)).toBeLessThanOrEqual(MAX_TEXT);
    expect(r.json.problems.filter((p: any) => p.kind === 'unplaceable').slice(0, 3).every((p: any) => /the largest node has \d+ MB free/.test(p.summary))).toBe(true);
    const client = new Client({ name: 'problems-200', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`)));
    try {
      const m = (await client.callTool({ name: 'find_problems', arguments: { namespace: '*' } })) as { content: Array<{ text: string }> };
      expect(Buffer.byteLength(m.content[0].text)).toBeLessThanOrEqual(MAX_TEXT);
      const wide = (await client.callTool({ name: 'find_problems', arguments: { namespace: '*', limit: 50 } })) as { content: Array<{ text: string }>; structuredContent: any };
      expect(wide.structuredContent.problems).toHaveLength(50);
      expect(Buffer.byteLength(wide.content[0].text)).toBeLessThanOrEqual(MAX_TEXT);
    } finally {
      await client.close();
    }
  });
});
