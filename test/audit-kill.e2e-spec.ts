import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { RunningSimulator, startSimulator } from '../apps/nomad-sim/src';
import { readWholeTrail, SERVICE_DATABASES, ServiceDatabase } from '../apps/nomad-mcp/src/audit/testing/audit-test-databases';
import { waitFor } from './support/http';
import { requireBuild, ServiceProcess, startServiceProcess } from './support/built-service';
import { callOperation, mcpClient, Via } from './support/operation-calls';
import { FAST } from './support/stack';

const KEY = 'kill-test-key-1';
const CONCURRENCY = 20;
/** Acknowledged changes to wait for before the kill: enough that it lands mid-load, with calls in flight. */
const ACKS_BEFORE_KILL = 150;

/**
 * The service answers a change only once its record is committed, so a kill -9 at any moment loses no change
 * a caller was told about: 20 callers create and stop jobs over REST and MCP, the service is killed mid-load,
 * and every change that had its 2xx answer is then in the trail, with its evaluation.
 */
describe.each(SERVICE_DATABASES)('kill -9 under load, audited on %s', (_name, makeDatabase) => {
  let db: ServiceDatabase;
  let sim: RunningSimulator;
  let svc: ServiceProcess;
  let client: Client | undefined;

  beforeAll(async () => {
    requireBuild();
    db = await makeDatabase();
    sim = await startSimulator({ port: 0, seed: true, timings: FAST });
    svc = await startServiceProcess({ ...db.env, NOMAD_ADDR: sim.url, API_KEYS: KEY, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '0' });
    client = await mcpClient(svc.url, KEY);
  });
  afterAll(async () => {
    await client?.close().catch(() => undefined);
    await svc?.stop('SIGKILL');
    await sim?.close();
    await db?.drop();
  });

  it('every change acknowledged before the kill is in the trail', async () => {
    const acked: Array<{ operation: string; jobId: string; evalId: string | null; via: Via }> = [];
    let unanswered = 0;
    let killed = false;
    const target = { url: svc.url, key: KEY, client: client! };
    const worker = async (w: number) => {
      for (let i = 0; !killed; i++) {
        const jobId = `kill-${w}-${i}`;
        const steps: Array<[string, Record<string, unknown>]> = [
          ['create_job', { job_id: jobId, docker_image: 'nginx:1.27', cpu: 20, memory: 16 }],
          ['stop_job', { job_id: jobId }],
        ];
        for (const [s, [operation, args]] of steps.entries()) {
          const via: Via = (['rest', 'mcp', 'rest-published'] as const)[(w + i + s) % 3];
          try {
            const end = await callOperation(via, operation, args, target);
            if (end.outcome === 'ok') acked.push({ operation, jobId, evalId: end.evalId, via });
          } catch {
            unanswered++; // the connection died with the service
            return;
          }
        }
      }
    };
    const workers = Array.from({ length: CONCURRENCY }, (_, w) => worker(w));
    await waitFor(`${ACKS_BEFORE_KILL} acknowledged changes`, async () => acked.length >= ACKS_BEFORE_KILL, 60000, 5);
    svc.child.kill('SIGKILL');
    killed = true;
    const ackedAtKill = acked.length;
    await Promise.all(workers);
    expect(await svc.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // it died mid-load: calls were in flight, and none was acknowledged by a dead process
    expect(unanswered).toBeGreaterThan(0);
    expect(acked.length).toBeLessThanOrEqual(ackedAtKill + CONCURRENCY);

    const trail = await readWholeTrail(db.options);
    const recorded = new Set(trail.filter((r) => r.outcome === 'ok').map((r) => `${r.operation} ${r.job} ${r.eval_id} ${r.transport}`));
    const lost = acked.filter((a) => !recorded.has(`${a.operation} ${a.jobId} ${a.evalId} ${a.via === 'mcp' ? 'mcp' : 'rest'}`));
    expect(lost).toEqual([]);
    expect(acked.filter((a) => !a.evalId)).toEqual([]);
  }, 120_000);
});
