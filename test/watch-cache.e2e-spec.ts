import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningSimulator, startSimulator } from '../apps/nomad-sim/src';
import { WatchCache } from '../apps/nomad-mcp/src/cache/watch-cache';
import { call, waitFor } from './support/http';
import { parsePrometheusText, valueOf } from './support/prometheus-text';
import { FAST, startStack, Stack } from './support/stack';

const NS = 'development';
/** NOMAD_MCP_CACHE_MAX_STALE of these stacks. */
const BOUND_MS = 1000;

const jobBody = (id: string, count = 1) => ({
  Job: { ID: id, Type: 'service', Datacenters: ['dc1'], TaskGroups: [{ Name: 'web', Count: count, Tasks: [{ Name: 'web', Driver: 'docker', Config: { image: 'nginx:1.27' }, Resources: { CPU: 50, MemoryMB: 32 } }] }] },
});

/** A simulator whose every request is written down (blocking queries and all), on `port` (0: any). */
async function countedSim(port = 0): Promise<RunningSimulator & { traffic: string[] }> {
  const traffic: string[] = [];
  const sim = await startSimulator({ port, seed: true, timings: FAST, onRequest: (r) => traffic.push(`${r.method} ${r.url}`) });
  return Object.assign(sim, { traffic });
}

/**
 * The watch cache over real sockets: the service against the simulator with NOMAD_MCP_CACHE_MAX_STALE=1s. What
 * it saves (Nomad requests counted at the simulator), that it is fresh (changes through the service and behind
 * its back), bounded, correct across a Nomad restart on other state, out of the way of per-caller tokens, and
 * what it does when Nomad goes away.
 */
describe('watch cache (NOMAD_MCP_CACHE_MAX_STALE)', () => {
  let sim: RunningSimulator & { traffic: string[] };
  let cached: Stack;
  let direct: Stack;
  const list = (s: Stack, q = '') => s.api('GET', `/api/claude/list-jobs?namespace=${NS}${q}`);
  const status = (s: Stack, job: string) => s.api('GET', `/api/claude/jobs/${job}?namespace=${NS}`);

  beforeAll(async () => {
    sim = await countedSim();
    cached = await startStack({ sim: false, env: { NOMAD_ADDR: sim.url, NOMAD_MCP_CACHE_MAX_STALE: '1s', NOMAD_MCP_CACHE_MAX_JOBS: '5' } });
    direct = await startStack({ sim: false, env: { NOMAD_ADDR: sim.url, NOMAD_MCP_CACHE_MAX_STALE: '0' } });
    // the demo data settles (deployments finish) so that the answers compared below do not move under the test
    await waitFor('example-job deployed', async () => (await status(direct, 'example-job')).json.latest_deployment?.status === 'successful', 15000);
  });
  afterAll(async () => {
    await cached?.close();
    await direct?.close();
    await sim?.close();
  });

  it('answers as Nomad does, and 200 list/status calls make a handful of Nomad requests instead of hundreds', async () => {
    // the same answer as asking Nomad (retried: broken-api's restarts move the counts now and then)
    const same = async (path: string) => {
      await waitFor(`the same ${path}`, async () => JSON.stringify((await cached.api('GET', path)).json) === JSON.stringify((await direct.api('GET', path)).json), 5000, 100);
    };
    await same(`/api/claude/jobs/example-job?namespace=${NS}`);
    await same(`/api/claude/jobs/broken-api?namespace=${NS}`);
    await same(`/api/claude/list-jobs?namespace=${NS}`);
    await same(`/api/claude/jobs/example-job/allocations?namespace=${NS}`);
    await same(`/api/claude/jobs/example-job/deployments?namespace=${NS}`);
    await same('/api/claude/nodes');

    // Nomad's latest index (every write moves it by one): how many changes happened while the calls ran
    const latestIndex = async () => Math.max(...(await Promise.all(['jobs', 'allocations', 'evaluations', 'deployments'].map(async (t) => {
      const r = await call(sim.url, 'GET', `/v1/${t}?namespace=*&per_page=1`);
      return Number(r.headers.get('x-nomad-index'));
    }))));
    const count = async (s: Stack) => {
      const fromIndex = await latestIndex();
      const before = sim.traffic.length;
      const t0 = performance.now();
      for (let i = 0; i < 100; i++) {
        expect((await list(s)).status).toBe(200);
        expect((await status(s, 'example-job')).status).toBe(200);
      }
      const requests = sim.traffic.slice(before);
      const seconds = (performance.now() - t0) / 1000;
      return { requests, seconds, writes: (await latestIndex()) - fromIndex };
    };
    const withCache = await count(cached);
    const without = await count(direct);
    // the uncached service asks Nomad once per list and five times per status
    expect(without.requests.length).toBeGreaterThanOrEqual(600);
    // the cache: the table watches' blocking queries (each of the four answers at least every 0.8 s, and at once
    // on a change to its table: at most once per write for each), and a read again only of what changed meanwhile
    // (broken-api keeps restarting in the demo data)
    const watching = withCache.requests.filter((l) => /[?&]index=/.test(l));
    const reads = withCache.requests.filter((l) => !/[?&]index=/.test(l));
    expect(watching.length).toBeLessThanOrEqual(4 * (withCache.seconds / 0.8 + 2) + 4 * withCache.writes);
    // after each write at most one fresh read of each view (a list: its page and the whole list behind it; a
    // status: its five reads), however many calls came in between
    expect(reads.length).toBeLessThanOrEqual(7 * (withCache.writes + 1));
    expect(reads.length).toBeLessThan(without.requests.length / 4);
  }, 180_000);

  it('a change made through the service is in the very next read (read-your-writes)', async () => {
    const created = await cached.api('POST', '/api/claude/create-job', {
      job_id: 'ryw-web', name: 'ryw', type: 'service', datacenters: ['dc1'], namespace: NS, docker_image: 'nginx:1.27', count: 1, cpu: 50, memory: 32,
    });
    expect(created.status).toBe(201);
    expect((await list(cached, '&prefix=ryw-')).json.jobs.map((j: any) => j.id)).toEqual(['ryw-web']);
    expect((await status(cached, 'ryw-web')).json.stopped).toBe(false);
    const stopped = await cached.api('POST', '/api/claude/jobs', { job_id: 'ryw-web', action: 'stop', namespace: NS, purge: false });
    expect(stopped.status).toBe(200);
    expect((await status(cached, 'ryw-web')).json.stopped).toBe(true);
    expect((await list(cached, '&prefix=ryw-')).json.jobs[0].stopped).toBe(true);
  });

  it('a change made directly in Nomad (not through the service) is seen within the bound', async () => {
    await list(cached);
    const t0 = performance.now();
    expect((await call(sim.url, 'PUT', `/v1/jobs?namespace=${NS}`, { body: jobBody('behind-its-back') })).status).toBe(200);
    await waitFor('the new job listed', async () => (await list(cached, '&prefix=behind-')).json.jobs.length === 1, BOUND_MS, 10);
    expect(performance.now() - t0).toBeLessThan(BOUND_MS);

    await status(cached, 'behind-its-back');
    const t1 = performance.now();
    expect((await call(sim.url, 'DELETE', `/v1/job/behind-its-back?namespace=${NS}`)).status).toBe(200);
    await waitFor('the stop seen', async () => (await status(cached, 'behind-its-back')).json.stopped === true, BOUND_MS, 10);
    expect(performance.now() - t1).toBeLessThan(BOUND_MS);
  });

  it('holds the details of at most NOMAD_MCP_CACHE_MAX_JOBS jobs, however many are asked about', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `lru-${i}`);
    for (const id of ids) expect((await call(sim.url, 'PUT', `/v1/jobs?namespace=${NS}`, { body: jobBody(id) })).status).toBe(200);
    const cache = cached.app.get(WatchCache);
    for (const id of ids) {
      expect((await status(cached, id)).status).toBe(200);
      expect(cache.sizes().jobs).toBeLessThanOrEqual(5);
    }
    expect(cache.sizes().jobs).toBe(5);
    const scrape = parsePrometheusText((await cached.api('GET', '/metrics')).text);
    expect(valueOf(scrape, 'nomad_mcp_cache_entries', { kind: 'jobs' })).toBe(5);
    expect(valueOf(scrape, 'nomad_mcp_cache_requests_total', { view: 'job_list', result: 'hit' })).toBeGreaterThan(50);
    expect(valueOf(scrape, 'nomad_mcp_cache_requests_total', { view: 'job_summary', result: 'miss' })).toBeGreaterThan(0);
    expect(valueOf(scrape, 'nomad_mcp_cache_staleness_seconds_count', { view: 'job_list' })).toBeGreaterThan(50);
    expect(valueOf(scrape, 'nomad_mcp_cache_staleness_seconds_bucket', { view: 'job_list', le: '1' })).toBe(valueOf(scrape, 'nomad_mcp_cache_staleness_seconds_count', { view: 'job_list' }));
    expect(valueOf(scrape, 'nomad_mcp_cache_watch_staleness_seconds', { table: 'jobs' })).toBeLessThan(1);
  });

  it('pages list_jobs with next_token the same way cached and uncached (Nomad per_page when uncached)', async () => {
    const walk = async (s: Stack) => {
      const ids: string[] = [];
      let token: string | null = null;
      do {
        const before = sim.traffic.length;
        const r: any = (await list(s, `&limit=3${token ? `&next_token=${encodeURIComponent(token)}` : ''}`)).json;
        if (s === direct) expect(sim.traffic.slice(before).some((l) => l.includes('per_page=3'))).toBe(true);
        expect(r.jobs.length).toBeLessThanOrEqual(3);
        if (r.next_token) expect(r.message).toContain(`next_token="${r.next_token}"`);
        ids.push(...r.jobs.map((j: any) => j.id));
        token = r.next_token;
      } while (token);
      return ids;
    };
    const whole = (await call(sim.url, 'GET', `/v1/jobs?namespace=${NS}`)).json.map((j: any) => j.ID);
    expect(whole.length).toBeGreaterThan(10);
    expect(await walk(cached)).toEqual(whole);
    expect(await walk(direct)).toEqual(whole);
  });

  it('is not used for a call made with the caller\'s own Nomad token', async () => {
    const own = await startStack({ sim: false, env: { NOMAD_ADDR: sim.url, NOMAD_MCP_CACHE_MAX_STALE: '1s', NOMAD_MCP_TOKEN_PASSTHROUGH: 'true' } });
    try {
      const before = sim.traffic.length;
      for (let i = 0; i < 5; i++) expect((await own.api('GET', `/api/claude/list-jobs?namespace=${NS}`, undefined, { 'X-Nomad-Token': '00000000-0000-0000-0000-000000000001' })).status).toBe(200);
      const lists = sim.traffic.slice(before).filter((l) => l.startsWith(`GET /v1/jobs?namespace=${NS}`));
      expect(lists).toHaveLength(5);
      expect(own.app.get(WatchCache).sizes()).toEqual({ jobs: 0, lists: 0 });
    } finally {
      await own.close();
    }
  });

  it('answers a list over every namespace from one cached list, keeping only the namespaces each caller may see', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cache-ids-'));
    const file = join(dir, 'identities.json');
    writeFileSync(file, JSON.stringify({ identities: [
      { name: 'admin', key: 'cache-admin-key-000001', scopes: ['*'] },
      { name: 'dev-reader', key: 'cache-dev-reader-key-02', scopes: ['read'], namespaces: [NS] },
    ] }));
    const s = await startStack({ sim: false, env: { NOMAD_ADDR: sim.url, NOMAD_MCP_CACHE_MAX_STALE: '1s', API_KEYS_FILE: file } });
    try {
      const all = (key: string) => s.api('GET', '/api/claude/list-jobs?namespace=*&limit=100', undefined, { 'X-API-Key': key });
      const admin = (await all('cache-admin-key-000001')).json;
      const dev = (await all('cache-dev-reader-key-02')).json;
      expect(new Set(admin.jobs.map((j: any) => j.namespace))).toEqual(new Set(['default', NS, 'staging']));
      expect(new Set(dev.jobs.map((j: any) => j.namespace))).toEqual(new Set([NS]));
      expect(dev.jobs).toEqual(admin.jobs.filter((j: any) => j.namespace === NS));
      // the first call answered a page from Nomad and had the whole list read in the background
      await waitFor('the list of every namespace held', async () => s.app.get(WatchCache).sizes().lists > 0, 5000);
      const before = sim.traffic.length;
      await all('cache-dev-reader-key-02');
      await all('cache-admin-key-000001');
      expect(sim.traffic.slice(before).filter((l) => l.startsWith('GET /v1/jobs?namespace=*&') && !/[?&]index=/.test(l))).toEqual([]);
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('watch cache when Nomad goes away or comes back on other state', () => {
  it('serves what it knows for at most the bound while Nomad is down, then fails with the usual 503', async () => {
    const bound = 2000;
    const s = await startStack({ faults: true, env: { NOMAD_MCP_CACHE_MAX_STALE: '2s', NOMAD_TIMEOUT_MS: '2000' } });
    const results: string[] = [];
    s.app.get(WatchCache).lookups$.subscribe((l) => results.push(l.result));
    const listJobs = () => s.api('GET', `/api/claude/list-jobs?namespace=${NS}`);
    try {
      // a change, so that every watch was confirmed just now; then the list held again (a hit)
      expect((await call(s.sim!.url, 'PUT', `/v1/jobs?namespace=${NS}`, { body: jobBody('before-outage') })).status).toBe(200);
      await waitFor('the change listed, from memory', async () => {
        const r = await listJobs();
        return r.json.jobs?.some((j: any) => j.id === 'before-outage') && results[results.length - 1] === 'hit';
      }, 5000);
      await s.faults!.set('down');
      const down = performance.now();
      const answers: Array<{ at: number; status: number; body: any }> = [];
      while (performance.now() - down < bound + 1000) {
        const r = await listJobs();
        answers.push({ at: performance.now() - down, status: r.status, body: r.json });
        await new Promise((res) => setTimeout(res, 50));
      }
      // what it knew, for a while, never past the bound; then Nomad's absence, as any call meets it
      const served = answers.filter((x) => x.status === 200);
      expect(served.length).toBeGreaterThan(0);
      for (const a of served) {
        expect(a.at).toBeLessThan(bound);
        expect(a.body.jobs.some((j: any) => j.id === 'before-outage')).toBe(true);
      }
      const failed = answers.filter((a) => a.at > bound);
      expect(failed.length).toBeGreaterThan(3);
      for (const a of failed) {
        expect(a.status).toBe(503);
        expect(a.body.next_step).toEqual(expect.any(String));
      }
      await s.faults!.set('pass');
      await waitFor('answers again', async () => (await listJobs()).status === 200, 5000);
    } finally {
      await s.close();
    }
  });

  it('resyncs when Nomad restarts on the same port with other state and a lower index: never stale for long, never stuck', async () => {
    const first = await countedSim();
    const s = await startStack({ sim: false, env: { NOMAD_ADDR: first.url, NOMAD_MCP_CACHE_MAX_STALE: '1s' } });
    let second: RunningSimulator | undefined;
    try {
      const ids = async () => (await s.api('GET', `/api/claude/list-jobs?namespace=${NS}&prefix=only-&limit=100`)).json.jobs.map((j: any) => j.id);
      for (let i = 0; i < 20; i++) expect((await call(first.url, 'PUT', `/v1/jobs?namespace=${NS}`, { body: jobBody(`only-in-first-${i}`) })).status).toBe(200);
      await waitFor('the jobs of the first Nomad listed', async () => (await ids()).length === 20, BOUND_MS);
      // a long history on the first Nomad (each write moves the index): the second, seeded afresh and restarting its
      // broken job meanwhile, must still answer with a lower index when the watches reach it
      const raised = Number((await call(first.url, 'GET', `/v1/jobs?namespace=${NS}`)).headers.get('x-nomad-index')) + 500;
      for (let i = 0; Number((await call(first.url, 'PUT', '/v1/namespace/history', { body: { Name: 'history', Description: `write ${i}` } })).headers.get('x-nomad-index') ?? 0) < raised && i < 2000; i++);
      const port = first.port;
      await first.close();
      // the same address, a fresh state: its index is far lower than the first one's
      second = await startSimulator({ port, seed: true, timings: FAST });
      const back = performance.now();
      await waitFor('the second Nomad\'s list', async () => (await s.api('GET', `/api/claude/list-jobs?namespace=${NS}&prefix=only-`)).status === 200 && (await ids()).length === 0, 5000, 20);
      expect(performance.now() - back).toBeLessThan(3000);
      // and it follows the new Nomad from then on
      expect((await call(second.url, 'PUT', `/v1/jobs?namespace=${NS}`, { body: jobBody('only-in-second') })).status).toBe(200);
      await waitFor('a change on the second Nomad', async () => (await ids()).includes('only-in-second'), BOUND_MS, 10);
      // the lists above may come from Nomad's pages while the cache catches up; the drop itself is counted once the
      // heartbeat's blocking query (held by the second Nomad until its wait ends: 0.8 x the bound) answers the lower index
      const resyncs = async () => parsePrometheusText((await s.api('GET', '/metrics')).text).samples
        .filter((x) => x.name === 'nomad_mcp_cache_resyncs_total').reduce((n, x) => n + x.value, 0);
      await waitFor('the resync counted', async () => (await resyncs()) > 0, 3 * BOUND_MS, 50);
    } finally {
      await s.close();
      await second?.close();
      await first.close().catch(() => undefined);
    }
  });
});
