import { NomadJobsApi, NomadTransport, withNomadToken } from '@nomad-mcp/nomad';
import { RunningSimulator, startSimulator } from '../../../nomad-sim/src';
import { CacheLookup, WatchCache } from './watch-cache';

const NS = 'development';
const job = (ID: string, count = 1) => ({ ID, Type: 'service', Datacenters: ['dc1'], TaskGroups: [{ Name: 'web', Count: count, Tasks: [{ Name: 'web', Driver: 'docker', Config: { image: 'nginx:1.27' }, Resources: { CPU: 50, MemoryMB: 32 } }] }] });

/** WatchCache over a real NomadTransport and a real simulator: every Nomad request is counted at the simulator. */
describe('WatchCache', () => {
  let sim: RunningSimulator;
  let transport: NomadTransport;
  let jobs: NomadJobsApi;
  let cache: WatchCache;
  let traffic: string[];
  let results: CacheLookup['result'][];
  const reads = () => traffic.filter((l) => !/[?&]index=/.test(l) && !l.includes('per_page=1'));
  const jobRead = (id: string) => cache.read('job', { job: [NS, id] }, ['jobs'], async () => (await jobs.find(NS, id))?.body);

  beforeEach(async () => {
    traffic = [];
    results = [];
    sim = await startSimulator({ port: 0, seed: true, onRequest: (r) => traffic.push(`${r.method} ${r.url}`) });
    transport = new NomadTransport({ address: sim.url, timeoutMs: 2000 });
    jobs = new NomadJobsApi(transport);
    cache = new WatchCache({ maxStaleMs: 500, maxJobs: 2 }, transport);
    cache.onModuleInit();
    cache.lookups$.subscribe((l) => results.push(l.result));
  });
  afterEach(async () => {
    cache.onModuleDestroy();
    transport.onModuleDestroy();
    await sim.close();
  });

  it('asks Nomad once, then answers from memory while the table is unchanged', async () => {
    // the seeded job settles first (its allocations start: the jobs table moves); then it is answered from memory
    let previous = await jobRead('example-job');
    expect(results).toEqual(['miss']);
    const deadline = performance.now() + 10_000;
    for (;;) {
      const asked = reads().length;
      const now = await jobRead('example-job');
      if (results[results.length - 1] === 'hit') {
        expect(now).toBe(previous);
        expect(reads().length).toBe(asked);
        break;
      }
      previous = now;
      expect(performance.now()).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 20));
    }
  });

  it('sees a write made through the same transport in the very next read, and one made elsewhere once the watch answers', async () => {
    expect((await jobRead('example-job'))?.Stop).toBe(false);
    expect((await jobRead('example-job'))?.Stop).toBe(false);
    await jobs.deregister(NS, 'example-job', false);
    expect((await jobRead('example-job'))?.Stop).toBe(true);
    expect(results[results.length - 1]).toBe('miss');
    // elsewhere: straight to the simulator, not through this transport
    const other = new NomadTransport({ address: sim.url, timeoutMs: 2000 });
    await new NomadJobsApi(other).register(NS, job('example-job') as never);
    other.onModuleDestroy();
    const deadline = performance.now() + 500;
    while ((await jobRead('example-job'))?.Stop !== false) expect(performance.now()).toBeLessThan(deadline);
  });

  it('peek reads a list in the background one read at a time, however often its table moves meanwhile', async () => {
    let started = 0;
    let running = 0;
    let most = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const fetch = async () => {
      started++;
      most = Math.max(most, ++running);
      try {
        await gate;
        return (await jobs.list(NS)).body;
      } finally {
        running--;
      }
    };
    expect(await cache.peek('job_list', { list: NS }, ['jobs'], fetch)).toBeUndefined();
    // the jobs table moves (a write through this transport) while that read is still under way
    await jobs.register(NS, job('peek-1') as never);
    expect(await cache.peek('job_list', { list: NS }, ['jobs'], fetch)).toBeUndefined();
    await jobs.register(NS, job('peek-2') as never);
    expect(await cache.peek('job_list', { list: NS }, ['jobs'], fetch)).toBeUndefined();
    expect(started).toBe(1);
    release();
    // once it has ended, a peek under the new index starts the next one (one at a time while the new jobs' allocations
    // start and move the table further), until one is held
    const deadline = performance.now() + 5_000;
    let held: { value: Array<{ ID: string }> } | undefined;
    while (!(held = await cache.peek('job_list', { list: NS }, ['jobs'], fetch))) {
      expect(performance.now()).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(started).toBeGreaterThanOrEqual(2);
    expect(most).toBe(1);
    expect(held.value.map((j) => j.ID)).toEqual(expect.arrayContaining(['peek-1', 'peek-2']));
  });

  it('while the table keeps moving, peek rests nine times as long as its last read took before the next', async () => {
    let started = 0;
    const fetch = async () => {
      started++;
      await new Promise((r) => setTimeout(r, 100));
      return (await jobs.list(NS)).body;
    };
    const until = performance.now() + 1_000;
    let n = 0;
    while (performance.now() < until) {
      // a write through this transport: the jobs table moves before every peek
      await jobs.register(NS, job(`churn-${n++ % 3}`, 1 + (n % 2)) as never);
      expect(await cache.peek('job_list', { list: NS }, ['jobs'], fetch)).toBeUndefined();
      await new Promise((r) => setTimeout(r, 10));
    }
    // a read of ~100 ms, then ~900 ms of rest: two reads in the second at most (one per peek would be one per
    // 100 ms read: about ten; dozens of peeks on an idle machine, fewer on a busy one)
    expect(n).toBeGreaterThanOrEqual(8);
    expect(started).toBeLessThanOrEqual(2);
  });

  it('keeps the details of at most maxJobs jobs', async () => {
    for (const id of ['example-job', 'broken-api', 'nightly-report']) await jobRead(id);
    expect(cache.sizes().jobs).toBe(2);
    // the least recently asked went first
    await jobRead('example-job');
    expect(results[results.length - 1]).toBe('miss');
  });

  it('stays out of calls made with a caller\'s own Nomad token', async () => {
    await withNomadToken({ secret: 'caller-secret', label: 'caller' }, async () => {
      await jobRead('example-job');
      await jobRead('example-job');
    });
    expect(results).toEqual(['bypass', 'bypass']);
    expect(cache.sizes().jobs).toBe(0);
  });

  it('stops a watch no read used for a while and drops what was read under it; the next read starts it again', async () => {
    await jobRead('example-job');
    expect(cache.watchStaleness().map(([t]) => t)).toEqual(['jobs']);
    (cache as unknown as { stopIdleWatches(now: number): void }).stopIdleWatches(performance.now() + 3_600_000);
    expect(cache.watchStaleness()).toEqual([]);
    expect(cache.sizes().jobs).toBe(0);
    const quiet = traffic.length;
    await new Promise((r) => setTimeout(r, 700));
    expect(traffic.length).toBe(quiet);
    await jobRead('example-job');
    await jobRead('example-job');
    expect(results.slice(-2)).toEqual(['miss', 'hit']);
  });
});
