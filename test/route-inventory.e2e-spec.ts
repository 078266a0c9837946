import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OperationRegistry } from '../apps/nomad-mcp/src/operations/core/operation.registry';
import { routePath } from '../apps/nomad-mcp/src/operations/rest/rest-input';
import { call } from './support/http';
import { startStack, Stack } from './support/stack';

const KEY = 'inventory-admin-key-0001';
const KEYS = { admin: KEY, reader: 'inventory-reader-key-02', adminOnly: 'inventory-adminonly-03', devOnly: 'inventory-devonly-key-04' };
/**
 * Routes anyone may call: the health checks (probes hold no key) and the API documentation (which holds no data).
 * The approval page (/ui) signs in with a key of its own and keeps a session: without one its pages send the
 * browser to sign in and its forms are refused (test/approval-page.e2e-spec.ts).
 */
const PUBLIC = [/^\/health(\/live|\/ready)?$/, /^\/api\/docs/, /^\/\{\*path\}$/, /^\/ui(\/|$)/];
/** The smallest valid input of each operation (path parameters are filled in from it too). */
const INPUT: Record<string, Record<string, unknown>> = {
  create_job: { job_id: 'inventory-job', docker_image: 'nginx:1.27' },
  scale_job: { count: 2 },
  revert_job: { version: 0 },
  plan_job: { job: { ID: 'inventory-job', TaskGroups: [] } },
  register_job: { job: { ID: 'inventory-job', TaskGroups: [] } },
  restart_allocation: { alloc_id: '0123abcd' },
  signal_allocation: { alloc_id: '0123abcd', signal: 'SIGHUP' },
  stop_allocation: { alloc_id: '0123abcd' },
  promote_deployment: { deployment_id: '0123abcd' },
  fail_deployment: { deployment_id: '0123abcd' },
  pause_deployment: { deployment_id: '0123abcd' },
  resume_deployment: { deployment_id: '0123abcd' },
  set_node_eligibility: { node_id: '0123abcd', eligible: true },
  drain_node: { node_id: '0123abcd' },
  wait_for_approval: { approval_id: 'approval-0123456789abcdef01234567' },
};
/** An operation's input: its own (an allocation's, a deployment's or a node's ID), or naming example-job. */
const inputOf = (name: string): Record<string, unknown> => {
  const own = INPUT[name] ?? {};
  return 'alloc_id' in own || 'deployment_id' in own || 'node_id' in own || 'approval_id' in own ? own : { job_id: 'example-job', ...own };
};

/**
 * Every route the app serves, found by walking the router (so a new route is covered without editing this
 * file), refuses a missing, a wrong and a near-miss key; every operation refuses an identity without its scope
 * or outside its namespaces, over REST and MCP.
 */
describe('route inventory: keys, scopes and namespaces on everything the app serves', () => {
  let s: Stack;
  let dir: string;
  let routes: Array<{ method: string; path: string }>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inventory-'));
    const file = join(dir, 'identities.json');
    writeFileSync(file, JSON.stringify({ identities: [
      { name: 'admin', key: KEYS.admin, scopes: ['*'] },
      { name: 'reader', key: KEYS.reader, scopes: ['read'] },
      { name: 'admin-only', key: KEYS.adminOnly, scopes: ['admin'] },
      { name: 'dev-only', key: KEYS.devOnly, scopes: ['*'], namespaces: ['development'] },
    ] }));
    s = await startStack({ env: { API_KEYS_FILE: file } });
    routes = s.routes.filter((r) => (r.method === 'GET' || r.method === 'POST') && !PUBLIC.some((p) => p.test(r.path)));
  });
  afterAll(async () => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds every operation route, /mcp and the tool routes among them', () => {
    const paths = routes.map((r) => `${r.method} /${r.path.replace(/^\//, '')}`);
    for (const { def } of s.app.get(OperationRegistry).all()) expect(paths).toContain(`${def.rest.method} /${routePath(def.rest.path)}`);
    expect(paths).toEqual(expect.arrayContaining(['POST /mcp', 'POST /api/claude/jobs', 'GET /api/claude/tools', 'GET /api/claude/tool-config', 'GET /metrics']));
  });

  it('the public routes answer without a key: the health checks and the docs', async () => {
    for (const path of ['/health', '/health/live', '/health/ready', '/api/docs-json']) expect({ path, status: (await call(s.url, 'GET', path)).status }).toEqual({ path, status: 200 });
  });

  it('GET /metrics needs the scope admin: refused (403) to a reader, answered to an admin-only identity', async () => {
    const reader = await call(s.url, 'GET', '/metrics', { headers: { 'X-API-Key': KEYS.reader } });
    expect({ status: reader.status, message: reader.json?.message }).toEqual({ status: 403, message: "'reader' may not read /metrics: it needs the scope 'admin'." });
    expect((await call(s.url, 'GET', '/metrics', { headers: { 'X-API-Key': KEYS.adminOnly } })).status).toBe(200);
  });

  it('refuses a missing, a wrong and a near-miss key on every route but health and the docs (401, nothing reaches Nomad)', async () => {
    const nearMiss = KEY.slice(0, -1) + (KEY.endsWith('1') ? '2' : '1');
    const before = s.nomadTraffic.length;
    for (const r of routes) {
      const url = r.path.replace(/:job_id/g, 'example-job');
      const tries: Array<Record<string, string>> = [{}, { 'X-API-Key': 'not-a-key' }, { 'X-API-Key': nearMiss }, { Authorization: `Bearer ${nearMiss}` }, { Authorization: KEY }];
      for (const headers of tries) {
        const res = await call(s.url, r.method, url, { headers, body: r.method === 'POST' ? {} : undefined });
        expect({ route: `${r.method} ${r.path}`, headers, status: res.status }).toEqual({ route: `${r.method} ${r.path}`, headers, status: 401 });
      }
    }
    expect(s.nomadTraffic.length).toBe(before);
  });

  it('refuses every operation to an identity without its scope, over REST and MCP', async () => {
    const ops = s.app.get(OperationRegistry).all();
    const clients: Record<string, Client> = {};
    try {
      for (const { def } of ops) {
        const least = typeof def.permission === 'function' ? def.permission({}) : def.permission;
        const who = least === 'admin' ? 'reader' : 'adminOnly';
        const name = who === 'reader' ? 'reader' : 'admin-only';
        const input = inputOf(def.name);
        const url = `/${routePath(def.rest.path)}`.replace(/:([a-z_]+)/g, (_m, p: string) => encodeURIComponent(String(input[p])));
        const rest = def.rest.method === 'GET' ? await call(s.url, 'GET', url, { headers: { 'X-API-Key': KEYS[who] } })
          : await call(s.url, 'POST', url, { headers: { 'X-API-Key': KEYS[who] }, body: Object.fromEntries(Object.entries(input).filter(([k]) => !def.rest.path.includes(`:${k}`))) });
        expect({ op: def.name, status: rest.status, message: rest.json?.message }).toEqual({ op: def.name, status: 403, message: `'${name}' may not call ${def.name}: it needs the scope '${least}'.` });
        clients[who] ??= await connect(KEYS[who]);
        const tool = (await clients[who].callTool({ name: def.name, arguments: input })) as { isError?: boolean; content: Array<{ text: string }> };
        expect({ op: def.name, isError: tool.isError, text: tool.content[0].text }).toEqual({ op: def.name, isError: true, text: expect.stringMatching(/needs the scope .* Do not retry/) });
      }
    } finally {
      for (const c of Object.values(clients)) await c.close();
    }
  });

  it('refuses every operation that takes a namespace outside the identity\'s namespaces, over REST and MCP', async () => {
    const doc = (await call(s.url, 'GET', '/api/docs-json')).json;
    const client = await connect(KEYS.devOnly);
    try {
      for (const { def } of s.app.get(OperationRegistry).all()) {
        const props = doc.components.schemas[def.input.name]?.properties ?? {};
        if (!props.namespace) continue;
        const args = Object.fromEntries(Object.entries({ ...inputOf(def.name), namespace: 'default' }).filter(([k]) => k in props));
        const tool = (await client.callTool({ name: def.name, arguments: args })) as { isError?: boolean; content: Array<{ text: string }> };
        expect({ op: def.name, isError: tool.isError, text: tool.content[0].text }).toEqual({ op: def.name, isError: true, text: expect.stringMatching(/^'dev-only' may not use namespace 'default' \(allowed: development\)\./) });
      }
      const rest = await call(s.url, 'POST', '/api/claude/jobs', { headers: { 'X-API-Key': KEYS.devOnly }, body: { job_id: 'hello-world', action: 'status', namespace: 'default' } });
      expect(rest.status).toBe(403);
    } finally {
      await client.close();
    }
  });

  async function connect(key: string): Promise<Client> {
    const c = new Client({ name: 'inventory', version: '1' });
    await c.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`), { requestInit: { headers: { 'X-API-Key': key } } }));
    return c;
  }
});
