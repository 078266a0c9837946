import { uniqueId, waitFor } from '../../../test/support/http';
import { conformanceApi, FAST_TIMINGS, openTarget, Target } from './target';

const SEC = 1e9;

/**
 * Rescheduling of failed allocations (nomad/structs Allocation.NextRescheduleTime, scheduler/reconcile.go):
 * a failed allocation is replaced after its group's reschedule delay, the replacement naming it as
 * PreviousAllocation and carrying a RescheduleTracker; a follow-up evaluation with WaitUntil brings the
 * scheduler back when the delay has passed; the policy's attempts bound it; the failed allocation's logs stay
 * readable. On a real Nomad the task exits 1 (busybox), in the simulator by its NOMAD_SIM_EXIT_CODE rule.
 */
describe('Nomad API conformance: rescheduling failed allocations', () => {
  let t: Target;
  const created: string[] = [];
  const { api, register } = conformanceApi(() => t, created);
  const allocs = async (id: string) => (await api<any[]>('GET', `/v1/job/${id}/allocations`)).json.sort((a, b) => a.CreateIndex - b.CreateIndex);
  /** The full allocations (the list's stubs have no PreviousAllocation). */
  const full = (list: any[]) => Promise.all(list.map(async (a) => (await api('GET', `/v1/allocation/${a.ID}`)).json));
  const crashing = { Name: 'app', Driver: 'docker', Config: { image: 'busybox:1.36', command: 'sh', args: ['-c', 'echo starting; sleep 1; exit 1'] }, Env: { NOMAD_SIM_EXIT_CODE: '1' }, Resources: { CPU: 100, MemoryMB: 32 } };

  /** A batch job whose task exits 1 at once, not restarted, rescheduled once 5 s (simulated) after it fails. */
  const crashingBatchWithOneReschedule = (id: string) => ({
    ID: id, Name: id, Type: 'batch', Datacenters: ['dc1'],
    TaskGroups: [{
      Name: 'run', Count: 1, RestartPolicy: { Attempts: 0, Interval: 60 * SEC, Delay: SEC, Mode: 'fail' },
      ReschedulePolicy: { Attempts: 1, Interval: 3600 * SEC, Delay: 5 * SEC, DelayFunction: 'constant', MaxDelay: 0, Unlimited: false },
      Tasks: [crashing],
    }],
  });

  beforeAll(async () => {
    // delays long enough (5 s: 250 ms here) that a follow-up evaluation is needed even on a busy machine
    t = await openTarget({ timings: { ...FAST_TIMINGS, durationScale: 0.05 } });
  });
  afterAll(async () => {
    for (const id of created) await api('DELETE', `/v1/job/${encodeURIComponent(id)}?purge=true`);
    await t.close();
  });

  it('replaces a failed batch allocation once after its delay: follow-up evaluation, links, tracker, then the job is dead', async () => {
    const id = uniqueId('conf-resched');
    await register(crashingBatchWithOneReschedule(id));
    const [first, second] = await full(await waitFor('the replacement failed too', async () => {
      const list = await allocs(id);
      return list.length === 2 && list.every((a) => a.ClientStatus === 'failed') ? list : undefined;
    }, 120000, 100));
    // the first one is stopped for good, linked to its replacement, and waited for its follow-up evaluation
    expect(first).toMatchObject({ DesiredStatus: 'stop', DesiredDescription: 'alloc was rescheduled because it failed', NextAllocation: second.ID, RescheduleTracker: null });
    expect(first.FollowupEvalID).not.toBe('');
    const followup = (await api('GET', `/v1/evaluation/${first.FollowupEvalID}`)).json;
    expect(followup).toMatchObject({ TriggeredBy: 'alloc-failure', StatusDescription: 'created for delayed rescheduling', Status: 'complete', JobID: id });
    const failedAt = Date.parse(first.TaskStates.app.FinishedAt);
    const waitUntil = Date.parse(followup.WaitUntil);
    expect(waitUntil - failedAt).toBeGreaterThanOrEqual(5000 * t.durationScale - 5);
    expect(waitUntil - failedAt).toBeLessThanOrEqual(5000 * t.durationScale + 1000);
    // the replacement says whom it replaces and when
    expect(second).toMatchObject({ PreviousAllocation: first.ID, NextAllocation: '', DesiredStatus: 'run', TaskGroup: 'run', Name: first.Name });
    expect(second.RescheduleTracker.Events).toEqual([{ RescheduleTime: expect.any(Number), PrevAllocID: first.ID, PrevNodeID: first.NodeID, Delay: 5 * SEC }]);
    expect(second.RescheduleTracker.Events[0].RescheduleTime / 1e6).toBeGreaterThanOrEqual(waitUntil - 1000);
    // one attempt only: nothing replaces the second, and the job ends dead with both counted failed
    const evals = (await api<any[]>('GET', `/v1/job/${id}/evaluations`)).json;
    expect(evals.filter((e) => e.TriggeredBy === 'alloc-failure').length).toBeGreaterThanOrEqual(2);
    const job = await waitFor('job dead', async () => {
      const j = (await api('GET', `/v1/job/${id}`)).json;
      return j.Status === 'dead' ? j : undefined;
    }, 60000, 100);
    expect(job.Status).toBe('dead');
    expect((await api('GET', `/v1/job/${id}/summary`)).json.Summary.run).toMatchObject({ Failed: 2, Running: 0, Starting: 0 });
    expect((await allocs(id)).length).toBe(2);
  });

  it('a crash-looping service: restarts, then replacements with growing (exponential) delays; the previous allocation keeps its logs', async () => {
    const id = uniqueId('conf-resched-svc');
    await register({
      ID: id, Name: id, Type: 'service', Datacenters: ['dc1'],
      TaskGroups: [{
        Name: 'app', Count: 1, RestartPolicy: { Attempts: 1, Interval: 60 * SEC, Delay: SEC, Mode: 'fail' },
        ReschedulePolicy: { Attempts: 0, Interval: 0, Delay: 5 * SEC, DelayFunction: 'exponential', MaxDelay: 60 * SEC, Unlimited: true },
        Update: { MaxParallel: 1, MinHealthyTime: SEC, HealthyDeadline: 20 * SEC, ProgressDeadline: 300 * SEC, HealthCheck: 'task_states' },
        Tasks: [crashing],
      }],
    });
    const chain = await full(await waitFor('a third allocation', async () => {
      const list = await allocs(id);
      return list.length >= 3 ? list : undefined;
    }, 120000, 100));
    const [first, second, third] = chain;
    expect(first.TaskStates.app).toMatchObject({ State: 'dead', Failed: true, Restarts: 1 });
    expect(first.ClientStatus).toBe('failed');
    expect([first.NextAllocation, second.PreviousAllocation, second.NextAllocation, third.PreviousAllocation]).toEqual([second.ID, first.ID, third.ID, second.ID]);
    // each replacement belongs to the rollout: the deployment watcher let it be replaced
    expect(second.DeploymentID).toBe(first.DeploymentID);
    expect(third.RescheduleTracker.Events.map((e: any) => [e.PrevAllocID, e.Delay])).toEqual([[first.ID, 5 * SEC], [second.ID, 10 * SEC]]);
    // the failed allocation's logs are still there to read
    const logs = await api('GET', `/v1/client/fs/logs/${first.ID}?task=app&type=stdout&plain=true`);
    expect(logs.status).toBe(200);
    expect(logs.text.length).toBeGreaterThan(0);
    const summary = (await api('GET', `/v1/job/${id}/summary`)).json.Summary.app;
    expect(summary.Failed).toBeGreaterThanOrEqual(2);
  });

  it('does not reschedule when the policy allows no attempt: the failed allocation keeps its place', async () => {
    const id = uniqueId('conf-resched-none');
    await register({
      ID: id, Name: id, Type: 'batch', Datacenters: ['dc1'],
      TaskGroups: [{
        Name: 'run', Count: 1, RestartPolicy: { Attempts: 0, Interval: 60 * SEC, Delay: SEC, Mode: 'fail' },
        ReschedulePolicy: { Attempts: 0, Unlimited: false }, Tasks: [crashing],
      }],
    });
    await waitFor('job dead', async () => (await api('GET', `/v1/job/${id}`)).json.Status === 'dead', 120000, 100);
    // give a scheduler that would replace it a moment to do so
    await new Promise((r) => setTimeout(r, Math.max(300, 5000 * t.durationScale * 4)));
    const list = await allocs(id);
    expect(list.map((a) => [a.ClientStatus, a.FollowupEvalID, a.NextAllocation])).toEqual([['failed', '', '']]);
    expect((await api<any[]>('GET', `/v1/job/${id}/evaluations`)).json.some((e) => e.TriggeredBy === 'alloc-failure')).toBe(false);
  });

  it('job eval: an unchanged job is evaluated again and places nothing; -force-reschedule replaces the failed allocation its policy gave up on', async () => {
    const id = uniqueId('conf-force-resched');
    await register(crashingBatchWithOneReschedule(id));
    const [, spent] = await waitFor('both attempts failed and the job dead', async () => {
      const list = await allocs(id);
      const job = (await api('GET', `/v1/job/${id}`)).json;
      return job.Status === 'dead' && list.length === 2 ? list : undefined;
    }, 120000, 100);
    const version = (await api('GET', `/v1/job/${id}`)).json.Version;

    // a plain evaluation (the body is optional): a new evaluation, no new version, nothing placed
    const plain = await api('PUT', `/v1/job/${id}/evaluate`);
    expect(plain.status).toBe(200);
    expect(plain.json).toMatchObject({ EvalID: expect.stringMatching(/^[0-9a-f-]{36}$/), EvalCreateIndex: expect.any(Number), JobModifyIndex: expect.any(Number) });
    expect(Number(plain.headers.get('x-nomad-index'))).toBe(plain.json.EvalCreateIndex);
    const evaluation = await waitFor('the evaluation done', async () => {
      const e = (await api('GET', `/v1/evaluation/${plain.json.EvalID}`)).json;
      return e.Status === 'complete' ? e : undefined;
    }, 60000, 50);
    // an evaluation that waits for nothing has the zero time (BEHAVIOUR.md §1), not null
    expect(evaluation).toMatchObject({ TriggeredBy: 'job-register', JobID: id, Type: 'batch', WaitUntil: '0001-01-01T00:00:00Z' });
    await new Promise((r) => setTimeout(r, Math.max(300, 5000 * t.durationScale * 4)));
    expect((await allocs(id)).length).toBe(2);
    expect((await api('GET', `/v1/job/${id}`)).json.Version).toBe(version);

    // -force-reschedule: the spent allocation is marked and replaced at once, the replacement linked to it
    const forced = await api('PUT', `/v1/job/${id}/evaluate`, { JobID: id, EvalOptions: { ForceReschedule: true } });
    expect(forced.status).toBe(200);
    const third = await waitFor('the forced replacement', async () => (await allocs(id)).find((a) => a.ID !== spent.ID && a.CreateIndex > spent.CreateIndex), 60000, 50);
    const [old, replacement] = await full([spent, third]);
    expect(old).toMatchObject({ DesiredTransition: expect.objectContaining({ ForceReschedule: true }), DesiredStatus: 'stop', NextAllocation: replacement.ID });
    expect(replacement).toMatchObject({ PreviousAllocation: spent.ID, JobVersion: version });
    expect(replacement.RescheduleTracker.Events.at(-1)).toMatchObject({ PrevAllocID: spent.ID });
    expect((await api('GET', `/v1/job/${id}`)).json.Version).toBe(version);
  });

  it('job eval refuses what Nomad refuses: a body naming another job or none, an unknown job, a periodic job', async () => {
    const id = uniqueId('conf-eval-refused');
    await register({ ID: id, Name: id, Type: 'batch', Datacenters: ['dc1'], TaskGroups: [{ Name: 'run', Count: 1, Tasks: [{ ...crashing, Env: {} }] }] });
    expect(await api('PUT', `/v1/job/${id}/evaluate`, { JobID: `${id}-other` })).toMatchObject({ status: 400, text: expect.stringContaining('JobID not same as job name') });
    expect(await api('PUT', `/v1/job/${id}/evaluate`, { EvalOptions: { ForceReschedule: true } })).toMatchObject({ status: 400, text: expect.stringContaining('Job ID must be specified') });
    const missing = uniqueId('conf-eval-missing');
    expect(await api('PUT', `/v1/job/${missing}/evaluate`, { JobID: missing })).toMatchObject({ status: 500, text: expect.stringContaining('job not found') });
    const periodic = uniqueId('conf-eval-periodic');
    await register({ ID: periodic, Name: periodic, Type: 'batch', Datacenters: ['dc1'], Periodic: { Enabled: true, Spec: '0 3 * * *', SpecType: 'cron' }, TaskGroups: [{ Name: 'run', Count: 1, Tasks: [{ ...crashing, Env: {} }] }] });
    expect(await api('PUT', `/v1/job/${periodic}/evaluate`, { JobID: periodic })).toMatchObject({ status: 500, text: expect.stringContaining("can't evaluate periodic job") });
  });
});
