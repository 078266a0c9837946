import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningSimulator, startSimulator } from '../apps/nomad-sim/src';
import { readWholeTrail, SERVICE_DATABASES, ServiceDatabase } from '../apps/nomad-mcp/src/audit/testing/audit-test-databases';
import { requireBuild, ServiceProcess, startServiceProcess } from './support/built-service';
import { callOperation, CallEnd, mcpClient, Via } from './support/operation-calls';
import { FAST } from './support/stack';

const KEYS = { deployer: 'load-deployer-key-SECRET-1', viewer: 'load-viewer-key-SECRET-2' };
const NOMAD_TOKEN = 'load-nomad-token-SECRET-3';
const ENV_SECRET = 'hunter2-xyz';
const SECRETS = [...Object.values(KEYS), NOMAD_TOKEN, ENV_SECRET];
const CALLS = 1000;
const CONCURRENCY = 20;

type Who = keyof typeof KEYS;
interface Made extends CallEnd {
  via: Via;
  who: Who;
  operation: string;
  jobId: string;
  change: boolean;
}

/**
 * One cycle on a job of its own: 8 calls, 6 of them changes (one refused for bad input, one for a missing scope,
 * now and then one failing in Nomad),
 * each over REST or MCP in turn. The env value is a secret that must reach Nomad and nothing else.
 */
function cycle(n: number): Array<{ who: Who; operation: string; args: Record<string, unknown> }> {
  const job = `load-${n}`;
  const env_vars = { SECRET_PASSWORD: ENV_SECRET, MODE: 'load' };
  return [
    { who: 'deployer', operation: 'create_job', args: { job_id: job, docker_image: 'nginx:1.27', cpu: 20, memory: 16, env_vars } },
    { who: 'viewer', operation: 'get_job_status', args: { job_id: job } },
    // every fourth restart names a job that does not exist: an error (404) to record
    { who: 'deployer', operation: 'restart_job', args: { job_id: n % 4 === 3 ? `missing-${n}` : job } },
    { who: 'viewer', operation: 'stop_job', args: { job_id: job } },
    { who: 'deployer', operation: 'create_job', args: { job_id: `bad id ${n}`, docker_image: 'nginx:1.27', env_vars } },
    { who: 'deployer', operation: 'stop_job', args: { job_id: job } },
    { who: 'deployer', operation: 'start_job', args: { job_id: job } },
    { who: 'viewer', operation: 'list_jobs', args: { namespace: 'development' } },
  ];
}
const READS = new Set(['get_job_status', 'list_jobs']);
const VIAS: Via[] = ['rest', 'mcp', 'rest-published'];

/**
 * 1,000 mixed calls, 20 at a time, through the built service (its own process, logging at debug): every change
 * call is in the trail exactly once with its caller, operation, outcome and evaluation, reads are not, and no key,
 * Nomad token or env value is in the trail or the logs.
 */
describe.each(SERVICE_DATABASES)('1,000 mixed calls through the service, audited on %s', (_name, makeDatabase) => {
  let db: ServiceDatabase;
  let sim: RunningSimulator;
  let svc: ServiceProcess;
  let dir: string;
  const clients: Partial<Record<Who, Client>> = {};

  beforeAll(async () => {
    requireBuild();
    db = await makeDatabase();
    dir = mkdtempSync(join(tmpdir(), 'audit-load-'));
    const identities = join(dir, 'identities.yaml');
    writeFileSync(identities, [
      'identities:',
      `  - { name: deployer, key: ${KEYS.deployer}, scopes: [read, operate, write], namespaces: [development], confirm: 'off' }`,
      `  - { name: viewer, key: ${KEYS.viewer}, scopes: [read] }`,
    ].join('\n'));
    sim = await startSimulator({ port: 0, seed: true, timings: FAST, acl: true, bootstrapToken: NOMAD_TOKEN });
    svc = await startServiceProcess({
      ...db.env, NOMAD_ADDR: sim.url, NOMAD_TOKEN, API_KEYS_FILE: identities, LOG_LEVEL: 'debug', RATE_LIMIT_PER_MINUTE: '0',
    });
    for (const who of Object.keys(KEYS) as Who[]) clients[who] = await mcpClient(svc.url, KEYS[who]);
  });
  afterAll(async () => {
    for (const c of Object.values(clients)) await c?.close();
    await svc?.stop();
    await sim?.close();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('every change call is in the trail once, as the caller saw it; no secret in the trail or the logs', async () => {
    const made: Made[] = [];
    const calls = Array.from({ length: CALLS / 8 }, (_, n) => cycle(n));
    let next = 0;
    const worker = async () => {
      for (let n = next++; n < calls.length; n = next++) {
        for (const [step, c] of calls[n].entries()) {
          const via = VIAS[(n + step) % VIAS.length];
          const end = await callOperation(via, c.operation, c.args, { url: svc.url, key: KEYS[c.who], client: clients[c.who]! });
          made.push({ ...end, via, who: c.who, operation: c.operation, jobId: String(c.args.job_id ?? ''), change: !READS.has(c.operation) });
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(made).toHaveLength(CALLS);
    // the mix happened: every outcome, over both transports
    const seen = new Set(made.filter((m) => m.change).map((m) => `${m.operation} ${m.outcome} ${m.via === 'mcp' ? 'mcp' : 'rest'}`));
    for (const expected of ['create_job ok', 'create_job invalid', 'stop_job denied', 'stop_job ok', 'start_job ok', 'restart_job ok', 'restart_job error']) {
      for (const t of ['rest', 'mcp']) expect([...seen]).toContain(`${expected} ${t}`);
    }
    expect(made.filter((m) => !m.change && m.outcome !== 'ok')).toEqual([]);

    const trail = await readWholeTrail(db.options);
    const changes = made.filter((m) => m.change);
    expect(trail).toHaveLength(changes.length);
    const byCall = new Map<string, typeof trail>();
    for (const r of trail) {
      const key = `${r.operation}|${r.identity}|${(r.arguments as { job_id?: string }).job_id}`;
      byCall.set(key, [...(byCall.get(key) ?? []), r]);
    }
    const mismatches: unknown[] = [];
    for (const m of changes) {
      const records = byCall.get(`${m.operation}|${m.who}|${m.jobId}`) ?? [];
      const r = records[0];
      const expected = {
        count: 1, transport: m.via === 'mcp' ? 'mcp' : 'rest', outcome: m.outcome, eval_id: m.evalId,
        status: m.status ?? r?.status, job: m.outcome === 'ok' ? m.jobId : r?.job,
      };
      const actual = { count: records.length, transport: r?.transport, outcome: r?.outcome, eval_id: r?.eval_id, status: r?.status, job: r?.job };
      if (JSON.stringify(actual) !== JSON.stringify(expected)) mismatches.push({ call: `${m.via} ${m.who} ${m.operation} ${m.jobId}`, expected, actual });
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    // an evaluation for every create, stop and start that went through
    expect(changes.filter((m) => m.outcome === 'ok' && m.operation !== 'restart_job' && !m.evalId)).toEqual([]);

    // the secret env value reached Nomad, and nothing else
    expect((await sim.state.getJob('development', 'load-0'))?.TaskGroups[0].Tasks[0].Env).toEqual({ SECRET_PASSWORD: ENV_SECRET, MODE: 'load' });
    const stored = JSON.stringify(trail);
    const logs = svc.logs();
    // the logs were written (one line per request at least), so the check below reads real lines
    expect(logs.split('\n').filter((l) => l.includes('"req":')).length).toBeGreaterThanOrEqual(CALLS);
    for (const secret of SECRETS) {
      expect({ secret, inTrail: stored.includes(secret), inLogs: logs.includes(secret) }).toEqual({ secret, inTrail: false, inLogs: false });
    }
  }, 180_000);
});
