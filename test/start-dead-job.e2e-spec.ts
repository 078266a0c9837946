import { waitFor } from './support/http';
import { Stack, startStack } from './support/stack';

const SEC = 1e9;
const ns = 'development';
const KEY = 'start-dead-key-0001';
const busybox = (script: string, env: Record<string, string> = {}) => ({
  Name: 'run', Driver: 'docker', Config: { image: 'busybox:1.36', command: 'sh', args: ['-c', script] }, Env: env, Resources: { CPU: 100, MemoryMB: 32 },
});
/** A task that exits 1 after each start (the simulator's NOMAD_SIM_EXIT_CODE rule; busybox on a real Nomad). */
const crashing = busybox('sleep 1; exit 1', { NOMAD_SIM_EXIT_CODE: '1' });
const NO_RESTART = { Attempts: 0, Interval: 60 * SEC, Delay: SEC, Mode: 'fail' };

/**
 * start_job (and restart_job, which starts a dead job) on a job that is dead but not stopped. Registering its
 * unchanged spec again makes Nomad evaluate it and place nothing (a failed allocation out of reschedule attempts
 * keeps its slot, a completed batch allocation counts as done): the answer used to say "Started" all the same.
 */
describe('starting a dead job gets Nomad to place it again', () => {
  let s: Stack;

  beforeAll(async () => {
    // every change asks for confirmation first: the plan shown is checked along with what is done
    s = await startStack({ env: { API_KEYS: KEY, NOMAD_MCP_CONFIRM: 'writes' }, apiKey: KEY });
  });
  afterAll(() => s.close());

  /** A job action through its confirmation: the plan (428), then the confirmed call. */
  const change = async (body: Record<string, unknown>) => {
    const asked = await s.api('POST', '/api/claude/jobs', { namespace: ns, ...body });
    expect(asked.status).toBe(428);
    const answer = await s.api('POST', '/api/claude/jobs', { namespace: ns, ...body, confirm_token: asked.json.confirmation.confirm_token });
    expect(answer.status).toBe(200);
    return { plan: asked.json.confirmation.plan, answer: answer.json };
  };

  const register = async (job: Record<string, unknown>) => {
    expect((await s.nomad('PUT', `/v1/jobs?namespace=${ns}`, { Job: { Datacenters: ['dc1'], ...job } })).status).toBe(200);
  };
  const job = async (id: string) => (await s.nomad('GET', `/v1/job/${id}?namespace=${ns}`)).json;
  const allocs = async (id: string): Promise<any[]> =>
    (await s.nomad('GET', `/v1/job/${id}/allocations?namespace=${ns}`)).json.sort((a: any, b: any) => a.CreateIndex - b.CreateIndex);
  const dead = (id: string, count: number) => waitFor(`${id} dead with ${count} allocations`, async () => {
    const list = await allocs(id);
    // every allocation ended too: a job just registered again can read 'dead' a moment before its new one runs
    const ended = list.every((a) => ['complete', 'failed', 'lost'].includes(a.ClientStatus));
    return (await job(id)).Status === 'dead' && list.length === count && ended ? list : undefined;
  }, 20000);
  const trafficSince = (mark: number) => s.nomadTraffic.slice(mark).filter((l) => !l.startsWith('GET '));

  it('a failed allocation its reschedule policy gave up on is rescheduled now (job eval -force-reschedule), no new version', async () => {
    await register({
      ID: 'spent', Type: 'batch',
      TaskGroups: [{
        Name: 'run', Count: 1, RestartPolicy: NO_RESTART,
        ReschedulePolicy: { Attempts: 1, Interval: 3600 * SEC, Delay: 5 * SEC, DelayFunction: 'constant', MaxDelay: 0, Unlimited: false },
        Tasks: [crashing],
      }],
    });
    const [, spent] = await dead('spent', 2);
    const { Version } = await job('spent');

    const mark = s.nomadTraffic.length;
    const { plan, answer } = await change({ job_id: 'spent', action: 'start' });
    const short = spent.ID.slice(0, 8);
    expect(plan.summary).toBe(`start job 'spent' again (now dead): Nomad is asked to reschedule its 1 failed allocation (${short}) now, past their reschedule policy; no new job version.`);
    expect(answer.message).toMatch(new RegExp(`^Started job 'spent' again: Nomad reschedules its 1 failed allocation \\(${short}\\) now, past their reschedule policy \\(evaluation [0-9a-f]{8}\\)\\. Follow with get_job_status`));
    expect(answer).toMatchObject({ action: 'start', previous_status: 'dead', affected_allocations: [spent.ID], eval_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(trafficSince(mark)).toEqual([`PUT /v1/job/spent/evaluate?namespace=${ns}`]);
    expect(s.nomadBodies.find((b) => b.line === `PUT /v1/job/spent/evaluate?namespace=${ns}`)?.body).toEqual({ JobID: 'spent', EvalOptions: { ForceReschedule: true } });

    // Nomad places the replacement, linked to the allocation it replaces, under the same version
    const replacement = await waitFor('the replacement', async () => (await allocs('spent')).find((a) => a.CreateIndex > spent.CreateIndex), 20000);
    expect((await s.nomad('GET', `/v1/allocation/${replacement.ID}`)).json).toMatchObject({ PreviousAllocation: spent.ID, JobVersion: Version });
    expect((await job('spent')).Version).toBe(Version);
  });

  it('a batch job whose work completed is stopped and registered again, so that it runs once more', async () => {
    await register({ ID: 'rerun', Type: 'batch', TaskGroups: [{ Name: 'run', Count: 1, Tasks: [busybox('echo done')] }] });
    const [first] = await dead('rerun', 1);
    expect(first.ClientStatus).toBe('complete');
    const { Version } = await job('rerun');

    const mark = s.nomadTraffic.length;
    const { plan, answer } = await change({ job_id: 'rerun', action: 'start' });
    expect(plan.summary).toBe(`start job 'rerun' again (now dead, its allocations ended: 1 complete): Nomad places nothing for its unchanged spec, so it is stopped and registered again (versions ${Version + 1} and ${Version + 2}) and its allocations are placed afresh.`);
    expect(answer.message).toMatch(/^Started job 'rerun' again: it was dead \(1 complete\) and Nomad places nothing for an unchanged spec, so it was stopped and registered again; evaluation [0-9a-f]{8} is placing its allocations\./);
    expect(trafficSince(mark)).toEqual([`DELETE /v1/job/rerun?namespace=${ns}&purge=false`, `PUT /v1/jobs?namespace=${ns}`]);

    const [, second] = await dead('rerun', 2);
    expect(second).toMatchObject({ ClientStatus: 'complete', JobVersion: Version + 2 });
    expect(await job('rerun')).toMatchObject({ Stop: false, Version: Version + 2 });
  });

  it('a service that failed where its group never reschedules is refused, with what it would take, and nothing is sent to Nomad', async () => {
    await register({ ID: 'never', Type: 'service', TaskGroups: [{ Name: 'run', Count: 1, RestartPolicy: NO_RESTART, ReschedulePolicy: { Attempts: 0, Unlimited: false }, Tasks: [crashing] }] });
    const [failed] = await dead('never', 1);
    expect(failed.ClientStatus).toBe('failed');

    const mark = s.nomadTraffic.length;
    for (const action of ['start', 'restart']) {
      const r = await s.api('POST', '/api/claude/jobs', { job_id: 'never', action, namespace: ns });
      expect(r.status).toBe(409);
      expect(r.json.message).toBe(
        `job 'never' is dead and Nomad will not place it again as it is: its 1 failed allocation (${failed.ID.slice(0, 8)}) belongs to group 'run', whose reschedule policy allows no attempt, ` +
          'so neither a new evaluation nor nomad job eval -force-reschedule replaces it. Nothing was changed.',
      );
      expect(r.json.next_step).toMatch(/^Find why it failed \(get_job_status and get_job_logs for job 'never' in namespace 'development'\), then register a fixed spec with register_job/);
    }
    expect(trafficSince(mark)).toEqual([]);
  });

  it('a stopped service whose allocation had failed where its group never reschedules: started, and the answer says that slot stays held', async () => {
    await register({ ID: 'held', Type: 'service', TaskGroups: [{ Name: 'run', Count: 1, RestartPolicy: NO_RESTART, ReschedulePolicy: { Attempts: 0, Unlimited: false }, Tasks: [crashing] }] });
    const [failed] = await dead('held', 1);
    await change({ job_id: 'held', action: 'stop' });
    const mark = s.nomadTraffic.length;
    const { plan, answer } = await change({ job_id: 'held', action: 'start' });
    const note = `One slot stays held by a failed allocation (${failed.ID.slice(0, 8)}) that Nomad does not replace (its group never reschedules): a changed spec (register_job) or a purge places it afresh.`;
    expect(plan.summary).toContain(note);
    expect(answer.message).toContain(note);
    expect(trafficSince(mark)).toEqual([`PUT /v1/jobs?namespace=${ns}`]);
    // as Nomad does: the failed allocation of the older version keeps its slot, so nothing new is placed
    await new Promise((r) => setTimeout(r, 500));
    expect((await allocs('held')).map((a) => a.ID)).toEqual([failed.ID]);
  });

  it('a stopped job is registered again as before: one register, no stop', async () => {
    await register({ ID: 'paused', Type: 'service', TaskGroups: [{ Name: 'run', Count: 1, Tasks: [busybox('sleep 3600')] }] });
    await waitFor('paused running', async () => (await allocs('paused')).some((a) => a.ClientStatus === 'running'), 20000);
    await change({ job_id: 'paused', action: 'stop' });
    const mark = s.nomadTraffic.length;
    const { plan, answer } = await change({ job_id: 'paused', action: 'start' });
    expect(plan.summary).toMatch(/^start job 'paused' again \(now stopped\): its last spec, version 1, is registered again/);
    expect(answer.message).toMatch(/^Started job 'paused': evaluation [0-9a-f]{8} is placing its allocations\./);
    expect(trafficSince(mark)).toEqual([`PUT /v1/jobs?namespace=${ns}`]);
  });
});
