import { Test } from '@nestjs/testing';
import { createServer, Server } from 'node:net';
import { RunningSimulator, startSimulator } from '../../../apps/nomad-sim/src';
import { NomadApiError, NomadTimeoutError, NomadUnavailableError } from './nomad.errors';
import { NomadModule } from './nomad.module';
import { NomadService } from './nomad.service';

async function serviceFor(address: string, timeoutMs = 2000): Promise<NomadService> {
  const moduleRef = await Test.createTestingModule({
    imports: [NomadModule.forRootAsync({ useFactory: () => ({ address, timeoutMs }) })],
  }).compile();
  return moduleRef.get(NomadService);
}

describe('NomadService against the simulator', () => {
  let sim: RunningSimulator;
  let nomad: NomadService;
  const traffic: string[] = [];

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, timings: { startDelayMs: 20, healthyDelayMs: 20 }, onRequest: (r) => traffic.push(`${r.method} ${r.url}`) });
    nomad = await serviceFor(sim.url);
  });
  afterAll(() => sim.close());

  const runJob = async (id: string, env: Record<string, string> = {}) => {
    await nomad.registerJob('default', {
      ID: id, Datacenters: ['dc1'],
      TaskGroups: [{ Name: 'g', Tasks: [{ Name: 'web', Driver: 'docker', Config: { image: 'nginx:1.27' }, Env: env }] }],
    });
    for (;;) {
      const allocs = await nomad.getJobAllocations('default', id);
      if (allocs[0]?.ClientStatus === 'running') return allocs[0];
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('registers with PUT /v1/jobs wrapping the job, and reads it back', async () => {
    const res = await nomad.registerJob('default', { ID: 'svc-a', TaskGroups: [{ Name: 'g', Tasks: [{ Name: 't', Driver: 'docker', Config: { image: 'nginx:1.27' } }] }] });
    expect(res.EvalID).toMatch(/^[0-9a-f-]{36}$/);
    expect(traffic).toContain('PUT /v1/jobs?namespace=default');
    const job = await nomad.getJob('default', 'svc-a');
    expect(job).toMatchObject({ ID: 'svc-a', Namespace: 'default', Version: 0 });
  });

  it("keeps Nomad's status and plain-text message in a typed error", async () => {
    const err = await nomad.getJob('default', 'missing').catch((e) => e);
    expect(err).toBeInstanceOf(NomadApiError);
    expect(err).toMatchObject({ status: 404, nomadMessage: 'job not found', operation: 'GET /v1/job/missing' });
    expect(await nomad.findJob('default', 'missing')).toBeUndefined();
  });

  it('tails a log by byte offset from the end, matching the last lines of the whole log', async () => {
    const alloc = await runJob('tail-me');
    await new Promise((r) => setTimeout(r, 1200));
    const tail = await nomad.tailLog(alloc.ID, 'web', 'stdout', 5);
    // the task writes a line a second, so the whole log read after the tail may have one more line
    const whole = (await nomad.readLogEnd(alloc.ID, 'web', 'stdout', 10_000_000)).trimEnd().split('\n');
    const at = whole.indexOf(tail.lines[0]);
    expect(tail.lines).toHaveLength(5);
    expect(whole.slice(at, at + 5)).toEqual(tail.lines);
    expect(whole.length - (at + 5)).toBeLessThanOrEqual(1);
  });

  it('reads only a window of a 500 MB log, however large it is', async () => {
    const alloc = await runJob('huge-log', { NOMAD_SIM_LOG_BYTES: '500MB' });
    const tail = await nomad.tailLog(alloc.ID, 'web', 'stdout', 100);
    expect(tail.lines).toHaveLength(100);
    expect(tail.truncated).toBe(true);
    expect(tail.bytesRead).toBeLessThan(100 * 1024);
    for (const line of tail.lines) expect(line).toMatch(/^10\.0\.\d+\.\d+ - - \[/);
  });

  it('widens the window when lines are long, and stops at the start of a short log', async () => {
    const alloc = await runJob('short-log');
    const tail = await nomad.tailLog(alloc.ID, 'web', 'stderr', 5000);
    expect(tail.truncated).toBe(false);
    expect(tail.lines[0]).toMatch(/\[notice\] 1#1: using the "epoll" event method/);
  });

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
    const nomad = await serviceFor(`http://127.0.0.1:${(flaky.address() as { port: number }).port}`);
    expect(await nomad.leader()).toBe('127.0.0.1:4647');
    expect(requests).toBe(2);
    await expect(nomad.deregisterJob('default', 'x', false)).rejects.toBeInstanceOf(NomadUnavailableError);
    expect(requests).toBe(3);
    flaky.close();
  });

  it('turns a refused connection into NomadUnavailableError and a silent server into NomadTimeoutError', async () => {
    const down = await serviceFor('http://127.0.0.1:1');
    await expect(down.leader()).rejects.toBeInstanceOf(NomadUnavailableError);
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const slow = await serviceFor(`http://127.0.0.1:${(silent.address() as { port: number }).port}`, 200);
    const err = await slow.listJobs('default').catch((e) => e);
    expect(err).toBeInstanceOf(NomadTimeoutError);
    expect(err.message).toMatch(/did not answer within 200 ms/);
    silent.close();
  });
});
