import { waitFor } from './support/http';
import { FAST, Stack, startStack } from './support/stack';

/**
 * Numbers and lists the answers compute from Nomad's state, each checked against a state where a wrong
 * computation shows: the pending count, the recent-allocations cap, the allocations a restart leaves alone and
 * the order of a status's problems. Each test here failed when the code it guards was mutated.
 */
describe('what the answers compute from Nomad state', () => {
  const ns = 'development';
  let s: Stack;

  beforeAll(async () => {
    s = await startStack({ sim: { seed: false } });
    await s.nomad('PUT', '/v1/namespace/development', { Name: 'development' });
  });
  afterAll(() => s.close());

  const status = (job_id: string) => s.api('POST', '/api/claude/jobs', { job_id, action: 'status', namespace: ns });
  const nomadAllocs = async (job: string): Promise<any[]> => (await s.nomad('GET', `/v1/job/${job}/allocations?namespace=${ns}`)).json;
  const deployed = (job: string, version: number) =>
    waitFor(`${job} version ${version} deployed`, async () => {
      const d = (await s.nomad('GET', `/v1/job/${job}/deployment?namespace=${ns}`)).json;
      return d?.JobVersion === version && d.Status === 'successful';
    }, 20000);

  it('list-jobs counts allocations that are still starting as pending (JobSummary Starting)', async () => {
    // a Nomad whose clients take a minute to start tasks: every allocation stays pending meanwhile
    const slow = await startStack({ sim: { seed: false, timings: { ...FAST, startDelayMs: 60000 } } });
    try {
      await slow.nomad('PUT', '/v1/namespace/development', { Name: 'development' });
      expect((await slow.api('POST', '/api/claude/create-job', { job_id: 'slow-start', docker_image: 'nginx:1.27', count: 3, namespace: ns })).status).toBe(201);
      await waitFor('3 placed', async () => (await slow.nomad('GET', `/v1/job/slow-start/allocations?namespace=${ns}`)).json?.length === 3);
      const summary = (await slow.nomad('GET', `/v1/job/slow-start/summary?namespace=${ns}`)).json.Summary['slow-start'];
      expect(summary).toMatchObject({ Starting: 3, Running: 0, Queued: 0 });
      const r = await slow.api('GET', `/api/claude/list-jobs?namespace=${ns}`);
      expect(r.status).toBe(200);
      expect(r.json.jobs.find((j: any) => j.id === 'slow-start').allocations).toEqual({ running: 0, pending: 3, complete: 0, failed: 0, lost: 0, queued: 0 });
    } finally {
      await slow.close();
    }
  });

  it('status lists the 10 newest allocations, newest first, when a job has had more', async () => {
    const spec = { job_id: 'many-allocs', docker_image: 'nginx:1.27', count: 6, memory: 64, namespace: ns };
    await s.api('POST', '/api/claude/create-job', spec);
    await deployed('many-allocs', 0);
    // a changed spec replaces all 6: 12 allocations over the job's life
    expect((await s.api('POST', '/api/claude/create-job', { ...spec, memory: 96 })).json.version).toBe(1);
    await deployed('many-allocs', 1);
    const all = await nomadAllocs('many-allocs');
    expect(all).toHaveLength(12);
    const newest = [...all].sort((a, b) => b.CreateIndex - a.CreateIndex).slice(0, 10).map((a) => a.ID);
    const r = await status('many-allocs');
    expect(r.json.recent_allocations.map((a: any) => a.id)).toEqual(newest);
    expect(r.json.recent_allocations[0]).toMatchObject({ version: 1, client_status: 'running', desired_status: 'run' });
  });

  it("restart lists the allocations it left alone because they were not running (skipped_allocations)", async () => {
    // one group runs, the other's image cannot be pulled: one running and one failed allocation
    const job = {
      ID: 'half-broken', Name: 'half-broken', Type: 'service', Datacenters: ['dc1'], Namespace: ns,
      TaskGroups: [
        { Name: 'web', Count: 1, Tasks: [{ Name: 'nginx', Driver: 'docker', Config: { image: 'nginx:1.27' }, Resources: { CPU: 100, MemoryMB: 64 } }] },
        { Name: 'api', Count: 1, Tasks: [{ Name: 'api', Driver: 'docker', Config: { image: 'registry.example.com/team/api:missing' }, Resources: { CPU: 100, MemoryMB: 64 } }] },
      ],
    };
    expect((await s.nomad('PUT', `/v1/jobs?namespace=${ns}`, { Job: job })).status).toBe(200);
    const [running, failed] = await waitFor('one running, one failed, deployment over', async () => {
      const allocs = await nomadAllocs('half-broken');
      const web = allocs.find((a) => a.TaskGroup === 'web' && a.ClientStatus === 'running');
      const api = allocs.find((a) => a.TaskGroup === 'api' && a.ClientStatus === 'failed');
      const d = (await s.nomad('GET', `/v1/job/half-broken/deployment?namespace=${ns}`)).json;
      return web && api && ['failed', 'successful'].includes(d?.Status) ? [web, api] : undefined;
    }, 20000);
    const r = await s.api('POST', '/api/claude/jobs', { job_id: 'half-broken', action: 'restart', namespace: ns });
    expect(r.status).toBe(200);
    expect(r.json.affected_allocations).toEqual([running.ID]);
    expect(r.json.skipped_allocations).toEqual([failed.ID]);
    expect(r.json.message).toMatch(/1 allocation not running were left alone|1 allocation not running was left alone/);
    expect(s.nomadTraffic).toContain(`PUT /v1/client/allocation/${running.ID}/restart`);
    expect(s.nomadTraffic).not.toContain(`PUT /v1/client/allocation/${failed.ID}/restart`);
  });

  it('status puts causes (Driver Failure) before consequences (Not Restarting), newest first within each', async () => {
    await s.api('POST', '/api/claude/create-job', { job_id: 'bad-pull', docker_image: 'registry.example.com/team/bad:missing', count: 2, namespace: ns });
    await waitFor('both allocations failed', async () => {
      const allocs = await nomadAllocs('bad-pull');
      return allocs.length === 2 && allocs.every((a) => a.ClientStatus === 'failed');
    }, 20000);
    const problems: Array<{ alloc_id: string; event: string; time: string }> = (await status('bad-pull')).json.problems;
    const kinds = problems.map((p) => (p.event === 'Not Restarting' ? 'consequence' : 'cause'));
    const causes = problems.filter((_, i) => kinds[i] === 'cause');
    const consequences = problems.filter((_, i) => kinds[i] === 'consequence');
    // both kinds, from both allocations (a repeated event is one entry with its count, so one cause per allocation)
    expect(causes.every((p) => p.event === 'Driver Failure')).toBe(true);
    expect(causes).toHaveLength(2);
    expect(consequences).toHaveLength(2);
    expect(new Set(problems.map((p) => p.alloc_id)).size).toBe(2);
    expect(kinds).toEqual([...causes.map(() => 'cause'), ...consequences.map(() => 'consequence')]);
    const newestFirst = (list: Array<{ time: string }>) => [...list].sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
    expect(causes).toEqual(newestFirst(causes));
    expect(consequences).toEqual(newestFirst(consequences));
  });
});
