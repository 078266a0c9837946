import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OperationRegistry } from '../apps/nomad-mcp/src/operations/core/operation.registry';
import { routePath } from '../apps/nomad-mcp/src/operations/rest/rest-input';
import { waitFor } from './support/http';
import { startStack, Stack } from './support/stack';
import { ALL_TOOLS } from './support/tool-names';

const KEY = 'bound-admin-key-000001';
const NS = 'development';
/** The most a model reads of any answer given default arguments. */
const MAX_BYTES = 4096;
const JOBS = 200;
/** A job each change may act on (or plan for): nothing else depends on it. */
const THROWAWAY = 'bound-throwaway';

type Args = Record<string, unknown>;
/**
 * list_jobs answers every job of the namespace until it pages (limit and next_token: branch wt-cache). Its size
 * goes unchecked only while its input takes no next_token; once it pages, it is held to the bound like every tool.
 */
const unpaged = (tool: Tool) => tool.name === 'list_jobs' && !('next_token' in (tool.inputSchema.properties ?? {}));
type Tool = { name: string; inputSchema: { required?: string[]; properties?: Record<string, unknown> }; annotations?: { readOnlyHint?: boolean } };

/**
 * The answer bound on a crowded cluster: the demo data (with one staged failure of each kind) plus 200 jobs, some
 * failing. Every tool the service lists — so a new one is covered without editing this file — is called with
 * its required arguments only, over MCP and over its REST route; each answer must be at most 4 KB and open with
 * one sentence. Changes are called too: identities confirm destructive ones (the answer is then the plan), the
 * others act on a throwaway job or answer that there is nothing to do.
 */
describe(`every tool's answer with default arguments on ${JOBS} jobs`, () => {
  let s: Stack;
  let dir: string;
  let client: Client;
  let ids: Record<string, string>;

  const nomadJson = async (path: string) => (await s.nomad('GET', path)).json;
  const job = (id: string, extra: Args = {}, image = 'nginx:1.27') => ({
    Job: { ID: id, Type: 'service', Datacenters: ['dc1'], Meta: { team: `team-${id.length % 7}` }, TaskGroups: [{ Name: 'web', Count: 1, Tasks: [{ Name: 'web', Driver: 'docker', Config: { image }, Resources: { CPU: 20, MemoryMB: 16 } }] }], ...extra },
  });
  const batch = (id: string, extra: Args) => ({
    Job: { ID: id, Type: 'batch', Datacenters: ['dc1'], TaskGroups: [{ Name: 'run', Count: 1, Tasks: [{ Name: 'run', Driver: 'docker', Config: { image: 'busybox:1.36' }, Resources: { CPU: 20, MemoryMB: 16 } }] }], ...extra },
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bound-'));
    const file = join(dir, 'identities.json');
    // every scope, and the identities' default confirmation (destructive changes answer their plan)
    writeFileSync(file, JSON.stringify({ identities: [{ name: 'bound-admin', key: KEY, scopes: ['*'] }] }));
    s = await startStack({ env: { API_KEYS_FILE: file }, apiKey: KEY, sim: { nodes: 5 } });
    // 200 jobs besides the demo data: one in ten cannot pull its image, so problems and failures are plenty too
    const specs: Args[] = Array.from({ length: JOBS }, (_, i) => job(`svc-${String(i).padStart(3, '0')}-${'x'.repeat(i % 20)}`, {}, i % 10 === 9 ? 'registry.example.com/team/api:missing' : 'nginx:1.27'));
    specs.push(job(THROWAWAY), batch('bound-param', { ParameterizedJob: { Payload: 'optional' } }), batch('bound-periodic', { Periodic: { Enabled: true, Spec: '0 3 * * *', SpecType: 'cron' } }));
    for (let i = 0; i < specs.length; i += 20) {
      await Promise.all(specs.slice(i, i + 20).map(async (spec) => expect((await s.nomad('PUT', `/v1/jobs?namespace=${NS}`, spec)).status).toBe(200)));
    }
    await waitFor('the jobs placed and the demo failures staged', async () => {
      const allocs: any[] = await nomadJson('/v1/allocations?namespace=*');
      const running = allocs.filter((a) => a.ClientStatus === 'running').length;
      const failed = new Set(allocs.filter((a) => a.ClientStatus === 'failed').map((a) => a.JobID));
      const throwaway = (await nomadJson(`/v1/job/${THROWAWAY}/deployment?namespace=${NS}`))?.Status === 'successful';
      return running >= JOBS * 0.9 && failed.has('crash-loop') && failed.has('broken-api') && throwaway;
    }, 60000, 250);

    const allocs: any[] = await nomadJson('/v1/allocations?namespace=*');
    const broken = allocs.find((a) => a.JobID === 'broken-api' && a.ClientStatus === 'failed');
    const windowsEval = ((await nomadJson('/v1/job/windows-only/evaluations?namespace=staging')) as any[]).find((e) => e.Status === 'blocked');
    ids = {
      read_alloc: broken.ID,
      write_alloc: allocs.find((a) => a.JobID === THROWAWAY && a.ClientStatus === 'running').ID,
      eval: windowsEval.ID,
      read_deployment: (await nomadJson(`/v1/job/example-job/deployment?namespace=${NS}`)).ID,
      write_deployment: (await nomadJson(`/v1/job/${THROWAWAY}/deployment?namespace=${NS}`)).ID,
      node: broken.NodeID,
    };
    client = new Client({ name: 'bound', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`), { requestInit: { headers: { 'X-API-Key': KEY } } }));
  }, 120000);
  afterAll(async () => {
    await client?.close();
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * A real value for each required field, by its name: a read looks at what is richest to report (the failing
   * job, its failed allocation), a change acts on the throwaway job. A new required field fails here by name.
   */
  function defaults(tool: Tool): Args {
    const reads = !!tool.annotations?.readOnlyHint;
    // logs are longest where a task runs and writes them
    const own: Record<string, string> = { dispatch_job: 'bound-param', force_periodic_job: 'bound-periodic', create_job: 'bound-created', get_job_logs: 'example-job', follow_job_logs: 'example-job' };
    const jobId = own[tool.name] ?? (reads ? 'broken-api' : THROWAWAY);
    const value: Record<string, () => unknown> = {
      job_id: () => jobId,
      alloc_id: () => (reads ? ids.read_alloc : ids.write_alloc),
      eval_id: () => ids.eval,
      deployment_id: () => (reads ? ids.read_deployment : ids.write_deployment),
      node_id: () => ids.node,
      job: () => job(reads ? 'example-job' : THROWAWAY, {}, 'nginx:1.28').Job,
      docker_image: () => 'nginx:1.27',
      count: () => 1,
      version: () => 0,
      signal: () => 'SIGHUP',
      eligible: () => true,
      // no change waits for a person here (NOMAD_MCP_CONFIRM_BY=caller): the answer that says so is bounded too
      approval_id: () => 'approval-0123456789abcdef01234567',
    };
    // plan_job and register_job need the spec as job or hcl: one of two, which no schema marks required
    const fields = [...(tool.inputSchema.required ?? []), ...('hcl' in (tool.inputSchema.properties ?? {}) ? ['job'] : [])];
    return Object.fromEntries(fields.map((field) => {
      if (!value[field]) throw new Error(`no default value for the required field '${field}' of ${tool.name}: add one to this test`);
      return [field, value[field]()];
    }));
  }

  /** The REST request of a tool: its route from the registry, path parameters from the arguments, the rest as query (GET) or body. */
  function restOf(name: string, args: Args): { method: string; path: string; body?: Args } {
    const def = s.app.get(OperationRegistry).find(name)!.def;
    const rest = { ...args };
    const path = `/${routePath(def.rest.path)}`.replace(/:([a-z_]+)/g, (_m, p: string) => {
      const v = rest[p];
      delete rest[p];
      return encodeURIComponent(String(v));
    });
    if (def.rest.method !== 'GET') return { method: def.rest.method, path, body: rest };
    const query = new URLSearchParams(Object.entries(rest).map(([k, v]): [string, string] => [k, String(v)])).toString();
    return { method: 'GET', path: query ? `${path}?${query}` : path };
  }

  /**
   * A read with its required arguments must work. wait_for_approval has nothing to wait for here (no change waits
   * for a person unless NOMAD_MCP_CONFIRM_BY=human; test/approval-page.e2e-spec.ts waits for real ones): its
   * "no such approval" answer is held to the size and the sentence only.
   */
  const works = (tool: Tool) => !!tool.annotations?.readOnlyHint && tool.name !== 'wait_for_approval';

  /** One line, then nothing or a blank line before the data. */
  const opensWithOneSentence = (text: string) => {
    const first = text.split('\n')[0];
    // a sentence clipped to fit ends in "…"
    return /^\S.*[.)"'`…]$/.test(first) && (text === first || text.startsWith(`${first}\n\n`));
  };

  it('lists every tool the service has', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...ALL_TOOLS].sort());
  });

  it('each answers at most 4 KB over MCP and REST, opening with one sentence', async () => {
    const { tools } = (await client.listTools()) as unknown as { tools: Tool[] };
    // reads first, so the changes (acting on the throwaway job) cannot make a read's answer smaller
    const ordered = [...tools.filter((t) => t.annotations?.readOnlyHint), ...tools.filter((t) => !t.annotations?.readOnlyHint)];
    // every shortfall of every tool, so one run shows them all
    const wrong: Array<{ tool: string; via: string; what: string; text: string }> = [];
    const check = (tool: string, via: string, what: string, ok: boolean, text: string) => {
      if (!ok) wrong.push({ tool, via, what, text: text.slice(0, 300) });
    };
    const plans: string[] = [];
    for (const tool of ordered) {
      const args = defaults(tool);
      const m = (await client.callTool({ name: tool.name, arguments: args })) as { isError?: boolean; content: Array<{ text?: string }>; structuredContent?: { message?: string } };
      const text = m.content.map((c) => c.text ?? '').join('\n');
      check(tool.name, 'mcp', `${Buffer.byteLength(text)} bytes`, unpaged(tool) || Buffer.byteLength(text) <= MAX_BYTES, text);
      check(tool.name, 'mcp', 'one sentence first', opensWithOneSentence(text), text);
      if (m.isError && text.includes(`${tool.name} needs the user's confirmation`)) plans.push(tool.name);
      if (!m.isError) check(tool.name, 'mcp', 'the message first', text.startsWith(m.structuredContent!.message!), text);
      // a read with its required arguments must work; a change may answer its plan or that it cannot (409)
      if (works(tool)) check(tool.name, 'mcp', 'a read that works', !m.isError, text);

      const req = restOf(tool.name, args);
      const r = await s.api(req.method, req.path, req.body);
      check(tool.name, 'rest', `status ${r.status}`, r.status < 500 && (!works(tool) || r.status === 200), r.text);
      check(tool.name, 'rest', `${Buffer.byteLength(r.text)} bytes`, unpaged(tool) || Buffer.byteLength(r.text) <= MAX_BYTES, r.text);
      check(tool.name, 'rest', 'one sentence as message', typeof r.json?.message === 'string' && opensWithOneSentence(r.json.message), r.text);
      // what is read first is that sentence (an answer or an error, whichever the call gave)
      check(tool.name, 'rest', 'message the first field', r.status >= 400 || Object.keys(r.json ?? {})[0] === 'message', r.text);
    }
    expect(wrong).toEqual([]);
    // the changes were called as an identity that confirms destructive ones: those answered their plan
    expect(plans.sort()).toEqual(expect.arrayContaining(['drain_node', 'register_job', 'restart_job', 'stop_allocation', 'stop_job']));
  }, 240000);
});
