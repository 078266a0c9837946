import { Test, TestingModule } from '@nestjs/testing';
import { createServer, Server } from 'node:net';
import { RunningSimulator, startSimulator } from '../../../../apps/nomad-sim/src';
import { NomadApiError, NomadTimeoutError, NomadUnavailableError } from '../nomad.errors';
import { NomadModule } from '../nomad.module';
import { NomadService } from '../nomad.service';
import { NomadJob } from '../nomad.types';
import { NomadAllocationsApi } from './nomad-allocations.api';
import { NomadClientFsApi } from './nomad-client-fs.api';
import { NomadDeploymentsApi } from './nomad-deployments.api';
import { NomadEvaluationsApi } from './nomad-evaluations.api';
import { NomadJobsApi } from './nomad-jobs.api';
import { NomadNamespacesApi } from './nomad-namespaces.api';
import { NomadNodesApi } from './nomad-nodes.api';
import { NomadSearchApi } from './nomad-search.api';
import { NomadStatusApi } from './nomad-status.api';

const modules: TestingModule[] = [];
async function moduleFor(address: string, timeoutMs = 2000): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [NomadModule.forRootAsync({ useFactory: () => ({ address, timeoutMs }) })],
  }).compile();
  modules.push(moduleRef);
  return moduleRef;
}
afterAll(() => Promise.all(modules.map((m) => m.close())));

const jobSpec = (id: string, env: Record<string, string> = {}): NomadJob => ({
  ID: id, Datacenters: ['dc1'],
  TaskGroups: [{ Name: 'g', Tasks: [{ Name: 'web', Driver: 'docker', Config: { image: 'nginx:1.27' }, Env: env }] }],
});

describe('Nomad resource clients against the simulator', () => {
  let sim: RunningSimulator;
  let m: TestingModule;
  let jobs: NomadJobsApi;
  let allocations: NomadAllocationsApi;
  let clientFs: NomadClientFsApi;
  const traffic: string[] = [];

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, timings: { startDelayMs: 20, healthyDelayMs: 20 }, onRequest: (r) => traffic.push(`${r.method} ${r.url}`) });
    m = await moduleFor(sim.url);
    [jobs, allocations, clientFs] = [m.get(NomadJobsApi), m.get(NomadAllocationsApi), m.get(NomadClientFsApi)];
  });
  afterAll(() => sim.close());

  const runJob = async (id: string, env: Record<string, string> = {}) => {
    await jobs.register('default', jobSpec(id, env));
    for (;;) {
      const { body } = await jobs.allocations('default', id);
      if (body[0]?.ClientStatus === 'running') return body[0];
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('registers with PUT /v1/jobs wrapping the job, and reads it back with its index', async () => {
    const res = await jobs.register('default', jobSpec('svc-a'));
    expect(res.EvalID).toMatch(/^[0-9a-f-]{36}$/);
    expect(traffic).toContain('PUT /v1/jobs?namespace=default');
    const job = await jobs.get('default', 'svc-a');
    expect(job.body).toMatchObject({ ID: 'svc-a', Namespace: 'default', Version: 0 });
    expect(job.index).toBe(job.body.ModifyIndex);
  });

  it("keeps Nomad's status and plain-text message in a typed error", async () => {
    const err = await jobs.get('default', 'missing').catch((e) => e);
    expect(err).toBeInstanceOf(NomadApiError);
    expect(err).toMatchObject({ status: 404, nomadMessage: 'job not found', operation: 'GET /v1/job/missing' });
    expect(await jobs.find('default', 'missing')).toBeUndefined();
  });

  it('holds a blocking list until something changes, then answers with the new index', async () => {
    let first = await jobs.list('default');
    expect(first.index).toBeGreaterThan(0);
    // earlier jobs still settle (the index is cluster-wide): wait until a short blocking read finds no change
    for (let again = await jobs.list('default', {}, { index: first.index, waitMs: 200 }); again.index !== first.index; ) {
      first = again;
      again = await jobs.list('default', {}, { index: first.index, waitMs: 200 });
    }
    const started = Date.now();
    const waiting = jobs.list('default', {}, { index: first.index, waitMs: 5000 });
    setTimeout(() => void jobs.register('default', jobSpec('wakes-the-list')), 300);
    const next = await waiting;
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(next.index).toBeGreaterThan(first.index!);
    expect(next.body.map((j) => j.ID)).toContain('wakes-the-list');
  });

  it('reads versions, plans a change, scales and reverts', async () => {
    await jobs.register('default', jobSpec('versioned'));
    const plan = await jobs.plan('default', { ...jobSpec('versioned'), Meta: { change: '1' } });
    expect(plan.Diff?.Type).toBe('Edited');
    await jobs.register('default', { ...jobSpec('versioned'), Meta: { change: '1' } }, { enforceJobModifyIndex: plan.JobModifyIndex });
    const versions = await jobs.versions('default', 'versioned', true);
    expect(versions.body.Versions.map((v) => v.Version)).toEqual([1, 0]);
    // Nomad refuses a scale while the job's rollout runs: wait for it to end, as on a real cluster
    for (let d = (await jobs.latestDeployment('default', 'versioned')).body; d && !['successful', 'failed', 'cancelled'].includes(d.Status); d = (await jobs.latestDeployment('default', 'versioned')).body) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await jobs.scale('default', 'versioned', 'g', 2, 'more');
    expect((await jobs.scaleStatus('default', 'versioned')).body.TaskGroups.g.Desired).toBe(2);
    const reverted = await jobs.revert('default', 'versioned', 0);
    expect(reverted.EvalID).toMatch(/^[0-9a-f-]{36}$/);
    const now = (await jobs.get('default', 'versioned')).body;
    expect([now.Version, now.TaskGroups?.[0].Count]).toEqual([3, 1]);
  });

  it('reads allocations, evaluations, deployments and nodes by their own endpoints', async () => {
    const alloc = await runJob('everything');
    expect((await allocations.get(alloc.ID)).body).toMatchObject({ ID: alloc.ID, JobID: 'everything' });
    expect((await allocations.list('*', { prefix: alloc.ID.slice(0, 8) })).body.map((a) => a.ID)).toEqual([alloc.ID]);
    const evaluation = await m.get(NomadEvaluationsApi).get(alloc.EvalID);
    expect(evaluation.body.JobID).toBe('everything');
    const deployments = await m.get(NomadDeploymentsApi).list('default');
    expect(deployments.body.some((d) => d.JobID === 'everything')).toBe(true);
    const nodes = await m.get(NomadNodesApi).list();
    expect(nodes.body.length).toBeGreaterThan(0);
    expect((await m.get(NomadNodesApi).get(alloc.NodeID)).body.ID).toBe(alloc.NodeID);
    expect((await m.get(NomadNamespacesApi).list()).body.map((n) => n.Name)).toContain('default');
    const found = await m.get(NomadSearchApi).prefix('default', alloc.ID.slice(0, 6), 'allocs');
    expect(found.Matches.allocs).toContain(alloc.ID);
  });

  it('tails a log by byte offset from the end, matching the last lines of the whole log', async () => {
    const alloc = await runJob('tail-me');
    await new Promise((r) => setTimeout(r, 1200));
    const tail = await clientFs.tailLog(alloc.ID, 'web', 'stdout', 5);
    // the task writes a line a second, so the whole log read after the tail may have one more line
    const whole = (await clientFs.readLogEnd(alloc.ID, 'web', 'stdout', 10_000_000)).trimEnd().split('\n');
    const at = whole.indexOf(tail.lines[0]);
    expect(tail.lines).toHaveLength(5);
    expect(whole.slice(at, at + 5)).toEqual(tail.lines);
    expect(whole.length - (at + 5)).toBeLessThanOrEqual(1);
  });

  it('reads only a window of a 500 MB log, however large it is', async () => {
    const alloc = await runJob('huge-log', { NOMAD_SIM_LOG_BYTES: '500MB' });
    const tail = await clientFs.tailLog(alloc.ID, 'web', 'stdout', 100);
    expect(tail.lines).toHaveLength(100);
    expect(tail.truncated).toBe(true);
    expect(tail.bytesRead).toBeLessThan(100 * 1024);
    for (const line of tail.lines) expect(line).toMatch(/^10\.0\.\d+\.\d+ - - \[/);
  });

  it('reads no more than maxBytes however many lines are asked for (the window the answer can return)', async () => {
    const alloc = await runJob('capped-log', { NOMAD_SIM_LOG_BYTES: '500MB' });
    const tail = await clientFs.tailLog(alloc.ID, 'web', 'stdout', 5000, 64 * 1024);
    expect(tail.bytesRead).toBeLessThanOrEqual(64 * 1024);
    expect(tail.truncated).toBe(true);
    expect(tail.lines.length).toBeGreaterThan(100);
    expect(tail.lines.length).toBeLessThan(5000);
    const uncapped = await clientFs.tailLog(alloc.ID, 'web', 'stdout', 5000);
    expect(uncapped.bytesRead).toBeGreaterThan(256 * 1024);
  });

  it('widens the window when lines are long, and stops at the start of a short log', async () => {
    const alloc = await runJob('short-log');
    const tail = await clientFs.tailLog(alloc.ID, 'web', 'stderr', 5000);
    expect(tail.truncated).toBe(false);
    expect(tail.lines[0]).toMatch(/\[notice\] 1#1: using the "epoll" event method/);
  });

  it('follows a log as a stream of new output', async () => {
    const alloc = await runJob('follow-me');
    const s = await clientFs.streamLog(alloc.ID, 'web', 'stdout', { bytesFromEnd: 0, follow: true });
    let text = '';
    for await (const chunk of s.stream) {
      text += chunk;
      if (text.includes('\n')) break;
    }
    s.close();
    expect(text.length).toBeGreaterThan(0);
  });

  it('answers status and agent questions, and the facade keeps the old names', async () => {
    const status = m.get(NomadStatusApi);
    expect(await status.leader()).toMatch(/:4647$/);
    expect((await status.agentSelf()).member.Name).toBeTruthy();
    const facade = m.get(NomadService);
    expect(facade.address).toBe(sim.url);
    expect((await facade.listJobs('default')).map((j) => j.ID)).toContain('svc-a');
  });
});

describe('Nomad clients when the connection misbehaves', () => {
  it('sends a read once more when the kept-alive socket was closed under it, but never a write', async () => {
    let requests = 0;
    const flaky = createServer((socket) => {
      socket.once('data', () => {
        requests++;
        if (requests === 1 || requests === 3) return socket.destroy();
        socket.end('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 16\r\nConnection: close\r\n\r\n"127.0.0.1:4647"');
      });
    });
    await new Promise<void>((r) => flaky.listen(0, '127.0.0.1', r));
    const m = await moduleFor(`http://127.0.0.1:${(flaky.address() as { port: number }).port}`);
    expect(await m.get(NomadStatusApi).leader()).toBe('127.0.0.1:4647');
    expect(requests).toBe(2);
    await expect(m.get(NomadJobsApi).deregister('default', 'x', false)).rejects.toBeInstanceOf(NomadUnavailableError);
    expect(requests).toBe(3);
    flaky.close();
  });

  it('turns a refused connection into NomadUnavailableError and a silent server into NomadTimeoutError', async () => {
    const down = await moduleFor('http://127.0.0.1:1');
    await expect(down.get(NomadStatusApi).leader()).rejects.toBeInstanceOf(NomadUnavailableError);
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const slow = await moduleFor(`http://127.0.0.1:${(silent.address() as { port: number }).port}`, 200);
    const err = await slow.get(NomadJobsApi).list('default').catch((e) => e);
    expect(err).toBeInstanceOf(NomadTimeoutError);
    expect(err.message).toMatch(/did not answer within 200 ms/);
    silent.close();
  });
});
