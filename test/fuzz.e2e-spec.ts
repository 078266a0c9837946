import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { call } from './support/http';
import { startStack, Stack } from './support/stack';

/** A small seeded PRNG (mulberry32), so a failing case can be replayed from its number. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const deep = (n: number): unknown => (n === 0 ? 'x' : { a: deep(n - 1) });
const BAD_VALUES: unknown[] = [
  null, true, false, 0, -1, 1e308, -1e308, 2 ** 53 + 1, 3.5, NaN, '', ' ', 'a b', '\u0000', '\ud800', 'x'.repeat(10_000),
  '../../v1/acl/tokens', '..', '.', '%2e%2e', 'x?y=z', 'job#frag', 'a/../../v1/agent/self', 'web/allocations', 'web/periodic/force',
  '*', 'ns/../x', '<script>', '${jndi:ldap://x}', [], [[]], [1, 2], {}, { $ref: '#' }, deep(40), deep(200),
];
const BAD_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'extra', 'Job', 'job_ID'];

/** A path segment for any string; a lone surrogate (which encodeURIComponent refuses) as the bytes a client might send. */
const enc = (id: string) => {
  try {
    return encodeURIComponent(id);
  } catch {
    return '%ED%A0%80';
  }
};

/** A route: its path from the (broken) input, the fields it takes in that path (not in its query string), and whether it only reads. */
type Target = { method: 'GET' | 'POST'; path: (input: Record<string, unknown>) => string; inPath?: string[]; tool: string; valid: Record<string, unknown>; reads?: boolean };
/** A path segment from an input field: a string as it is (hostile ones too), anything else as a valid value. */
const segment = (input: Record<string, unknown>, name: string, valid: string) => enc(typeof input[name] === 'string' ? (input[name] as string) : valid);
const job = (suffix = '') => ({ path: (i: Record<string, unknown>) => `/api/claude/jobs/${segment(i, 'job_id', 'example-job')}${suffix}`, inPath: ['job_id'] });
const byId = (resource: string, field: string, suffix = '') => ({ path: (i: Record<string, unknown>) => `/api/claude/${resource}/${segment(i, field, '0123abcd')}${suffix}`, inPath: [field] });

/** A valid jobspec (Nomad's API JSON) for plan_job and register_job. */
const FUZZ_JOB = { ID: 'fuzz-job', TaskGroups: [{ Name: 'g', Tasks: [{ Name: 't', Driver: 'docker', Config: { image: 'nginx:1.27' }, Resources: { CPU: 100, MemoryMB: 64 } }] }] };

/** The routes and their valid inputs; every case breaks one of them. */
const TARGETS: Target[] = [
  { method: 'GET', path: () => '/api/claude/list-jobs', tool: 'list_jobs', reads: true, valid: { namespace: 'development', status: 'running', prefix: 'ex' } },
  { method: 'POST', path: () => '/api/claude/jobs', tool: 'get_job_status', reads: true, valid: { job_id: 'example-job', action: 'status', namespace: 'development', purge: false } },
  { method: 'POST', path: () => '/api/claude/create-job', tool: 'create_job', valid: { job_id: 'fuzz-job', docker_image: 'nginx:1.27', count: 1, cpu: 100, memory: 64, ports: [{ Label: 'http', Value: 0, To: 80 }], env_vars: { A: 'b' } } },
  { method: 'GET', path: (i) => `/api/claude/job-logs/${segment(i, 'job_id', 'example-job')}`, inPath: ['job_id'], tool: 'get_job_logs', reads: true, valid: { job_id: 'example-job', namespace: 'development', lines: 5, type: 'stdout' } },
  { method: 'POST', ...job('/stop'), tool: 'stop_job', valid: { job_id: 'example-job', namespace: 'development', purge: false } },
  { method: 'POST', ...job('/restart'), tool: 'restart_job', valid: { job_id: 'example-job', namespace: 'development' } },
  { method: 'POST', ...job('/scale'), tool: 'scale_job', valid: { job_id: 'example-job', namespace: 'development', count: 2, reason: 'fuzz' } },
  { method: 'POST', ...job('/revert'), tool: 'revert_job', valid: { job_id: 'example-job', namespace: 'development', version: 0 } },
  { method: 'GET', ...job('/versions'), tool: 'list_job_versions', reads: true, valid: { job_id: 'example-job', namespace: 'development', limit: 3 } },
  { method: 'GET', ...job('/logs/follow'), tool: 'follow_job_logs', reads: true, valid: { job_id: 'example-job', namespace: 'development', seconds: 1, max_lines: 2 } },
  { method: 'GET', ...job('/deployment/wait'), tool: 'wait_for_deployment', reads: true, valid: { job_id: 'example-job', namespace: 'development', timeout_seconds: 1 } },
  { method: 'GET', ...byId('approvals', 'approval_id', '/wait'), tool: 'wait_for_approval', reads: true, valid: { approval_id: 'approval-0123456789abcdef01234567', timeout_seconds: 1 } },
  { method: 'POST', ...job('/dispatch'), tool: 'dispatch_job', valid: { job_id: 'example-job', namespace: 'development', meta: { customer: 'acme' }, payload: 'hi', idempotency_token: 'fuzz-1' } },
  { method: 'POST', ...job('/periodic/force'), tool: 'force_periodic_job', valid: { job_id: 'example-job', namespace: 'development' } },
  { method: 'GET', ...job('/allocations'), tool: 'list_allocations', reads: true, valid: { job_id: 'example-job', namespace: 'development', status: 'running', limit: 5 } },
  { method: 'GET', ...byId('allocations', 'alloc_id'), tool: 'get_allocation', reads: true, valid: { alloc_id: '0123abcd' } },
  { method: 'POST', ...byId('allocations', 'alloc_id', '/restart'), tool: 'restart_allocation', valid: { alloc_id: '0123abcd', task: 'nginx' } },
  { method: 'POST', ...byId('allocations', 'alloc_id', '/signal'), tool: 'signal_allocation', valid: { alloc_id: '0123abcd', signal: 'SIGHUP', task: 'nginx' } },
  { method: 'POST', ...byId('allocations', 'alloc_id', '/stop'), tool: 'stop_allocation', valid: { alloc_id: '0123abcd' } },
  { method: 'GET', ...byId('evaluations', 'eval_id'), tool: 'get_evaluation', reads: true, valid: { eval_id: '0123abcd-0000' } },
  { method: 'GET', ...job('/deployments'), tool: 'list_deployments', reads: true, valid: { job_id: 'example-job', namespace: 'development', limit: 3 } },
  { method: 'GET', ...byId('deployments', 'deployment_id'), tool: 'get_deployment', reads: true, valid: { deployment_id: '0123abcd5' } },
  { method: 'POST', ...byId('deployments', 'deployment_id', '/promote'), tool: 'promote_deployment', valid: { deployment_id: '0123abcd5', groups: ['web'] } },
  { method: 'POST', ...byId('deployments', 'deployment_id', '/fail'), tool: 'fail_deployment', valid: { deployment_id: '0123abcd' } },
  { method: 'POST', ...byId('deployments', 'deployment_id', '/pause'), tool: 'pause_deployment', valid: { deployment_id: '0123abcd' } },
  { method: 'POST', ...byId('deployments', 'deployment_id', '/resume'), tool: 'resume_deployment', valid: { deployment_id: '0123abcd' } },
  { method: 'GET', path: () => '/api/claude/nodes', tool: 'list_nodes', reads: true, valid: { limit: 2 } },
  { method: 'GET', ...byId('nodes', 'node_id'), tool: 'get_node', reads: true, valid: { node_id: '0123abcd' } },
  { method: 'GET', path: () => '/api/claude/namespaces', tool: 'list_namespaces', reads: true, valid: { prefix: 'dev' } },
  { method: 'GET', path: () => '/api/claude/problems', tool: 'find_problems', reads: true, valid: { namespace: '*', limit: 5 } },
  { method: 'GET', path: () => '/api/claude/connection', tool: 'check_connection', reads: true, valid: { namespace: 'development' } },
  { method: 'POST', ...byId('nodes', 'node_id', '/eligibility'), tool: 'set_node_eligibility', valid: { node_id: '0123abcd', eligible: false } },
  { method: 'POST', ...byId('nodes', 'node_id', '/drain'), tool: 'drain_node', valid: { node_id: '0123abcd', enable: true, deadline_seconds: 60, ignore_system_jobs: false } },
  { method: 'GET', ...job('/spec'), tool: 'get_job_spec', reads: true, valid: { job_id: 'example-job', namespace: 'development' } },
  // plans change nothing; an HCL one goes through Nomad's parser first
  { method: 'POST', path: () => '/api/claude/plan-job', tool: 'plan_job', reads: true, valid: { job: FUZZ_JOB, namespace: 'development' } },
  { method: 'POST', path: () => '/api/claude/plan-job', tool: 'plan_job', reads: true, valid: { hcl: 'job "fuzz-job" {\n  group "g" {}\n}\n', namespace: 'development' } },
  { method: 'POST', path: () => '/api/claude/register-job', tool: 'register_job', valid: { job: FUZZ_JOB, namespace: 'development', job_modify_index: 0 } },
];

/**
 * What the service may ask Nomad while answering these calls: the operations' own endpoints (check_connection's
 * leader, regions, agent and token reads too), nothing else. A scale, revert, drain or eligibility change is not
 * among them: every case breaks its input, so none may reach Nomad as a change.
 */
const ALLOWED_NOMAD = /^(GET|PUT|POST|DELETE) \/v1\/(status\/leader|regions|agent\/self|acl\/token\/self|jobs(\/parse)?|job\/[^/?]+(\/(summary|allocations|evaluations|deployments?|versions|plan|submission|dispatch|periodic\/force))?|namespaces?(\/[A-Za-z0-9-]+)?|evaluations|evaluation\/[0-9a-f-]+(\/allocations)?|allocations|deployments|deployment\/((promote|fail|pause)\/)?[0-9a-f-]+|nodes|node\/[0-9a-f-]+(\/allocations)?|allocation\/[0-9a-f-]+(\/stop)?|client\/(fs\/logs|allocation)\/[0-9a-f-]+(\/(restart|signal))?)(\?|$)/;

/**
 * 10,000 generated bad inputs over REST and MCP, each one field or key broken (wrong types, nulls, huge and
 * negative numbers, prototype keys, deep nesting, hostile IDs and namespaces), plus invalid JSON and 10 MB
 * bodies: no 5xx, no crash, no Nomad request outside the operations' own endpoints, no job created or stopped.
 */
describe('fuzz: 10,000 bad inputs', () => {
  let s: Stack;
  let mcp: Client;
  beforeAll(async () => {
    s = await startStack();
    mcp = await connectMcp();
  });
  const connectMcp = async () => {
    const client = new Client({ name: 'fuzz', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`)));
    return client;
  };
  afterAll(async () => {
    await mcp.close();
    await s.close();
  });

  it('refuses a body key named prototype (class-transformer drops it, so create-job once ran without a word)', async () => {
    const r = await call(s.url, 'POST', '/api/claude/create-job', { rawBody: '{"job_id":"proto-job","docker_image":"nginx:1.27","prototype":1}', headers: { 'Content-Type': 'application/json' } });
    expect(r.status).toBe(400);
    expect(r.json.message).toMatch(/prototype: property prototype should not exist/);
    expect((await s.nomad('GET', '/v1/job/proto-job?namespace=development')).status).toBe(404);
  });

  it('answers every one with a 4xx (or a tool error), and never reaches Nomad where it should not', async () => {
    const random = rng(20261129);
    const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
    const failures: string[] = [];
    let cases = 0;
    const one = async (n: number) => {
      const target = pick(TARGETS);
      const input: Record<string, unknown> = JSON.parse(JSON.stringify(target.valid));
      const field = pick(Object.keys(input));
      // break the input: a bad value in a field, and/or a key that must not be there. A bad value can happen to
      // be valid (purge: true), so the operations that change something always get the bad key too: no case
      // may be a valid change
      const changes = !target.reads;
      const badValue = random() < 0.6;
      if (badValue) input[field] = pick(BAD_VALUES);
      if (changes || !badValue || random() < 0.3) Object.defineProperty(input, pick(BAD_KEYS), { value: pick(BAD_VALUES), enumerable: true });
      const viaMcp = random() < 0.3;
      if (viaMcp) {
        const r = (await mcp.callTool({ name: target.tool, arguments: input }).catch((e: Error) => ({ isError: true, content: [{ text: `protocol error: ${e.message}` }] }))) as { isError?: boolean; content: Array<{ text: string }> };
        if (!r.isError && !target.reads) failures.push(`#${n} MCP ${target.tool} ${JSON.stringify(input).slice(0, 200)} was not refused`);
        if (/Internal server error|protocol error: .*(500|socket)/.test(r.content[0]?.text ?? '')) failures.push(`#${n} MCP ${target.tool}: ${r.content[0].text.slice(0, 200)}`);
      } else {
        const path = target.path(input);
        const body = target.method === 'POST' ? JSON.stringify(input) : undefined;
        const qs = target.method === 'GET' ? `?${new URLSearchParams(Object.entries(input).filter(([k]) => !target.inPath?.includes(k)).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)]))}` : '';
        const r = await call(s.url, target.method, path + qs, body === undefined ? {} : { rawBody: body, headers: { 'Content-Type': 'application/json' } });
        if (r.status >= 500) failures.push(`#${n} ${target.method} ${path.slice(0, 80)} ${(body ?? qs).slice(0, 200)} -> ${r.status} ${r.text.slice(0, 200)}`);
      }
      cases++;
    };
    // invalid JSON and 10 MB bodies, to every POST route
    for (const t of TARGETS.filter((x) => x.method === 'POST')) {
      for (const raw of ['{', '{"job_id": "x",}', 'null', '[]', '"x"', '{"job_id": "example-job", "action": "stop"'.repeat(3), `{"job_id":"${'x'.repeat(10 * 1024 * 1024)}"}`]) {
        const r = await call(s.url, 'POST', t.path(t.valid), { rawBody: raw, headers: { 'Content-Type': 'application/json' } });
        if (r.status >= 500 || r.status < 400) failures.push(`raw body to ${t.path(t.valid)} (${raw.slice(0, 40)}…) -> ${r.status}`);
        cases++;
      }
    }
    for (let n = 0; n < 10_000; n += 8) {
      // the SDK's client transport gives every request the one AbortSignal it holds for its life, and each
      // request's listener on it goes only when that request is collected: a fresh client every 2,000 cases
      // keeps thousands of them (and Node's leak warning, once per call past 1,500) out of the run
      if (n > 0 && n % 2000 === 0) [mcp] = await Promise.all([connectMcp(), mcp.close()]);
      await Promise.all(Array.from({ length: 8 }, (_, i) => one(n + i)));
    }
    expect(failures.slice(0, 20)).toEqual([]);
    expect(cases).toBeGreaterThanOrEqual(10_000);
    const offPath = s.nomadTraffic.filter((l) => !ALLOWED_NOMAD.test(l));
    expect(offPath.slice(0, 20)).toEqual([]);
    // (parsing HCL registers nothing)
    expect(s.nomadTraffic.filter((l) => /^(PUT|POST) \/v1\/jobs(\?|$)|^DELETE |\/v1\/node\/[^/]+\/(drain|eligibility)/.test(l))).toEqual([]);
    expect((await s.nomad('GET', '/v1/job/fuzz-job?namespace=development')).status).toBe(404);
    expect((await s.nomad('GET', '/v1/job/example-job?namespace=development')).json.Stop).toBe(false);
  }, 600_000);
});
