import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startSimulator, RunningSimulator } from '../apps/nomad-sim/src';
import { definitionOf, OperationDefinition } from '../apps/nomad-mcp/src/operations/core/operation';
import { loadOperationClasses, OPERATIONS_DIR } from '../apps/nomad-mcp/src/operations/core/operation-loader';
import { call, Reply, waitFor } from './support/http';
import { FAST, startStack, Stack } from './support/stack';
import { startTaskApiSocket, TaskApiSocket } from './support/task-api-socket';

const ROOT = resolve(__dirname, '..');
const POLICY = readFileSync(join(ROOT, 'deploy/nomad-mcp.policy.hcl'), 'utf8');
const JOBSPEC = readFileSync(join(ROOT, 'deploy/nomad-mcp.nomad.hcl'), 'utf8');
const MGMT = 'nomad-policy-management-secret';

type PolicyDoc = { namespace?: Record<string, Array<{ capabilities?: string[]; policy?: string }>>; node?: Array<{ policy: string }>; agent?: Array<{ policy: string }> };

/** The policy file through HashiCorp's HCL parser (the simulator's jobspec parser uses the same). */
async function parsePolicy(text: string): Promise<PolicyDoc> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('@cdktf/hcl2json') as { parse(file: string, text: string): Promise<PolicyDoc> }).parse('nomad-mcp.policy.hcl', text);
}

const definitions = (dir?: string): OperationDefinition[] => loadOperationClasses(...(dir ? [dir] : [])).map((c) => definitionOf(c)!);
const LEVELS = ['deny', 'read', 'write'];

/**
 * deploy/nomad-mcp.policy.hcl grants exactly what the operations need: every capability an operation declares
 * (nomadCapability), read-job (every operation reads first), node read for the node operations, nothing else;
 * and the service, running as the job of deploy/nomad-mcp.nomad.hcl with that policy attached to its workload
 * identity, can do its work on Nomad (the simulator enforces Nomad's ACLs endpoint by endpoint).
 */
describe('deploy/nomad-mcp.policy.hcl', () => {
  it('grants every capability the operations declare, and none that no operation needs', async () => {
    const doc = await parsePolicy(POLICY);
    expect(Object.keys(doc.namespace ?? {})).toEqual(['*']);
    const granted = doc.namespace!['*'][0];
    expect(granted.policy).toBeUndefined(); // capabilities spelled out, not a coarse read/write
    const defs = definitions();
    const declared = defs.map((d) => d.nomadCapability).filter((c): c is NonNullable<typeof c> => !!c);
    const namespaceCaps = new Set(['read-job', ...declared.filter((c) => !c.includes(':'))]);
    expect([...granted.capabilities!].sort()).toEqual([...namespaceCaps].sort());

    // node and agent rules: `node:write`-style declarations, and node read for the operations on nodes
    const needs: Record<string, string> = {};
    const need = (scope: string, level: string) => (needs[scope] = LEVELS.indexOf(level) > LEVELS.indexOf(needs[scope] ?? 'deny') ? level : needs[scope]);
    if (definitions(join(OPERATIONS_DIR, 'nodes')).length) need('node', 'read');
    for (const c of declared.filter((x) => x.includes(':'))) need(c.split(':')[0], c.split(':')[1]);
    expect({ node: doc.node?.[0]?.policy, agent: doc.agent?.[0]?.policy }).toEqual({ node: needs.node, agent: needs.agent });
  });

  it('names, for each capability, the operations that use it', () => {
    const defs = definitions();
    const nodeOps = definitions(join(OPERATIONS_DIR, 'nodes')).map((d) => d.name);
    const named = namedOperations(POLICY);
    const all = new Set(defs.map((d) => d.name));
    for (const [cap, ops] of Object.entries(named)) for (const op of ops) expect({ cap, op, exists: all.has(op) }).toEqual({ cap, op, exists: true });
    for (const [cap, ops] of Object.entries(named)) {
      const declaring = defs.filter((d) => d.nomadCapability === cap).map((d) => d.name).sort();
      if (cap === 'node') expect(ops.sort()).toEqual([...new Set([...nodeOps, ...defs.filter((d) => d.nomadCapability?.startsWith('node:')).map((d) => d.name)])].sort());
      // every operation reads the job first: the list names those that need nothing more, and may name more
      else if (cap === 'read-job') expect(ops).toEqual(expect.arrayContaining(declaring));
      else expect({ cap, ops: ops.sort() }).toEqual({ cap, ops: declaring });
    }
  });

  describe('attached to the workload identity of the nomad-mcp job', () => {
    let sim: RunningSimulator;
    let socket: TaskApiSocket;
    let s: Stack;
    const nomad = (method: string, path: string, body?: unknown): Promise<Reply> => call(sim.url, method, path, { body, headers: { 'X-Nomad-Token': MGMT } });
    const attach = async (rules: string) =>
      expect((await nomad('PUT', '/v1/acl/policy/nomad-mcp', { Name: 'nomad-mcp', Rules: rules, JobACL: { Namespace: 'default', JobID: 'nomad-mcp' } })).status).toBe(200);

    beforeAll(async () => {
      sim = await startSimulator({ port: 0, seed: true, timings: FAST, acl: true, bootstrapToken: MGMT });
      // `nomad job run deploy/nomad-mcp.nomad.hcl`, then `nomad acl policy apply -namespace default -job nomad-mcp nomad-mcp deploy/nomad-mcp.policy.hcl`
      const job = await nomad('POST', '/v1/jobs/parse', { JobHCL: JOBSPEC, Canonicalize: true });
      expect((await nomad('PUT', '/v1/jobs', { Job: job.json })).status).toBe(200);
      await attach(POLICY);
      const alloc = await waitFor('an allocation of nomad-mcp', async () => (await nomad('GET', '/v1/job/nomad-mcp/allocations')).json?.[0]);
      socket = await startTaskApiSocket(sim.url);
      // what the task's environment holds: NOMAD_ADDR to the Task API socket, NOMAD_TOKEN its identity
      s = await startStack({ sim: false, env: { NOMAD_ADDR: socket.address, NOMAD_TOKEN: sim.workloadIdentity(alloc.ID), NOMAD_MCP_CONFIRM: 'off' } });
    });
    afterAll(async () => {
      await s?.close();
      await socket?.close();
      await sim?.close();
    });

    it('lets the service read and change what its operations touch', async () => {
      const ns = 'namespace=development';
      const calls: Array<[string, string, unknown?]> = [
        ['GET', `/api/claude/list-jobs?namespace=*`],
        ['GET', `/api/claude/jobs/example-job?${ns}`],
        ['GET', `/api/claude/job-logs/example-job?${ns}`],
        ['GET', '/api/claude/nodes'],
        ['POST', '/api/claude/jobs/hello-world/restart', { namespace: 'default' }],
        ['POST', '/api/claude/jobs/example-job/scale', { namespace: 'development', count: 3 }],
        ['POST', '/api/claude/create-job', { namespace: 'development', job_id: 'policy-check', docker_image: 'nginx:1.27' }],
      ];
      // the node changes need the node write rule: out of scheduling and back (nothing running moves)
      const [node] = (await nomad('GET', '/v1/nodes')).json;
      calls.push(['POST', `/api/claude/nodes/${node.ID}/eligibility`, { eligible: false }], ['POST', `/api/claude/nodes/${node.ID}/eligibility`, { eligible: true }]);
      // a restart is refused while a rollout runs (as nomad job restart refuses it): the demo's first one has to end
      await waitFor('hello-world rolled out', async () => (await nomad('GET', '/v1/job/hello-world/deployment?namespace=default')).json?.Status === 'successful', 20000);
      for (const [method, path, body] of calls) {
        const r = await s.api(method, path, body);
        expect({ call: `${method} ${path}`, status: r.status < 300 ? 'ok' : r.text }).toEqual({ call: `${method} ${path}`, status: 'ok' });
      }
    });

    it('without a capability, the operation that needs it is refused by Nomad and says which', async () => {
      await attach(POLICY.replace(/^\s*"alloc-lifecycle",\n/m, '').replace(/node\s*\{[^}]*\}/, ''));
      try {
        const alloc = (await nomad('GET', '/v1/job/hello-world/allocations')).json.find((a: any) => a.ClientStatus === 'running');
        const restart = await s.api('POST', `/api/claude/allocations/${alloc.ID}/restart`, {});
        expect(restart.json).toMatchObject({ statusCode: 502, nomad_status: 403, nomad_capability: 'alloc-lifecycle' });
        const nodes = await s.api('GET', '/api/claude/nodes');
        expect({ status: nodes.status, nomad: nodes.json.nomad_status }).toEqual({ status: 502, nomad: 403 });
      } finally {
        await attach(POLICY);
      }
    });
  });
});

/** For each capability of the policy (and `node`), the operation names in the comment lines just above it. */
function namedOperations(text: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let comment: string[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t.startsWith('#')) {
      comment.push(t);
      continue;
    }
    const rule = /^"([a-z-]+)",?$/.exec(t)?.[1] ?? (/^node\s*\{/.test(t) ? 'node' : undefined);
    if (rule) out[rule] = comment.flatMap((c) => c.match(/\b[a-z]+(?:_[a-z]+)+\b/g) ?? []);
    comment = [];
  }
  return out;
}
