import { uniqueId, waitFor } from '../../../test/support/http';
import { componentErrors } from '../../../test/support/openapi';
import { conformanceApi, FAST_TIMINGS, openTarget, Target } from './target';

/**
 * Nomad HTTP API conformance: how Nomad reports a task that exits non-zero, one killed for memory, one whose
 * health checks fail, and a constraint no node satisfies. Each job fails for real on a Nomad agent (busybox
 * exiting 1, `tail /dev/zero` under a 16 MB limit, an HTTP check on a port nothing listens on, a kernel no node
 * has) and by the simulator's rule (NOMAD_SIM_EXIT_CODE, NOMAD_SIM_OOM, NOMAD_SIM_UNHEALTHY) in the same spec.
 */
describe('Nomad API conformance: failing tasks, unhealthy allocations, unsatisfiable constraints', () => {
  let t: Target;
  const created: string[] = [];
  const { api, register } = conformanceApi(() => t, created);

  /**
   * A one-task service job that restarts quickly (2 attempts, 1 s apart) and judges health within 20 s. It is not
   * rescheduled, so an unhealthy allocation fails its rollout at once (Nomad's shouldFailEarly) rather than at the
   * progress deadline (reschedule.conformance.ts covers that).
   */
  const job = (id: string, task: Record<string, unknown>, group: Record<string, unknown> = {}) => ({
    ID: id, Name: id, Type: 'service', Datacenters: ['dc1'],
    Update: { MaxParallel: 1, MinHealthyTime: 1e9, HealthyDeadline: 20e9, ProgressDeadline: 60e9, HealthCheck: 'checks' },
    TaskGroups: [{
      Name: 'app', Count: 1, RestartPolicy: { Attempts: 2, Interval: 60e9, Delay: 1e9, Mode: 'fail' },
      ReschedulePolicy: { Attempts: 0, Unlimited: false },
      Networks: [{ DynamicPorts: [{ Label: 'http', Value: 0, To: 8080 }] }], ...group,
      Tasks: [{ Name: 'app', Driver: 'docker', Config: { image: 'busybox:1.36', command: 'sh', args: ['-c', 'sleep 3600'], ports: ['http'] }, Resources: { CPU: 100, MemoryMB: 64 }, ...task }],
    }],
  });
  const allocs = async (id: string) => (await api<any[]>('GET', `/v1/job/${id}/allocations`)).json;

  beforeAll(async () => {
    t = await openTarget({ timings: { ...FAST_TIMINGS, healthyDeadlineMs: 600 } });
  });
  afterAll(async () => {
    for (const id of created) await api('DELETE', `/v1/job/${encodeURIComponent(id)}?purge=true`);
    await t.close();
  });

  it('a task that exits non-zero: Terminated with its exit code, Restarting within policy, then Not Restarting and a failed allocation', async () => {
    const id = uniqueId('conf-exit');
    await register(job(id, { Config: { image: 'busybox:1.36', command: 'sh', args: ['-c', 'sleep 1; exit 3'], ports: ['http'] }, Env: { NOMAD_SIM_EXIT_CODE: '3' } }));
    const failed = await waitFor('allocation failed', async () => (await allocs(id)).find((a) => a.ClientStatus === 'failed'), 120000, 100);
    const state = failed.TaskStates.app;
    expect(state).toMatchObject({ State: 'dead', Failed: true, Restarts: 2 });
    const events: any[] = state.Events;
    const terminated = events.filter((e) => e.Type === 'Terminated');
    expect(terminated.length).toBeGreaterThanOrEqual(2);
    expect(terminated[0]).toMatchObject({ ExitCode: 3, DisplayMessage: 'Exit Code: 3', Details: { exit_code: '3', oom_killed: 'false' } });
    const restarting = events.find((e) => e.Type === 'Restarting');
    expect(restarting).toMatchObject({ RestartReason: 'Restart within policy', DisplayMessage: expect.stringMatching(/^Task restarting in \d/) });
    expect(events.at(-1)).toMatchObject({ Type: 'Not Restarting', FailsTask: true, DisplayMessage: 'Exceeded allowed attempts 2 in interval 1m0s and mode is "fail"' });
    expect(componentErrors('TaskState', state)).toEqual([]);
    const dep = await waitFor('deployment failed', async () => {
      const d = (await api('GET', `/v1/job/${id}/deployment`)).json;
      return d?.Status === 'failed' ? d : undefined;
    }, 60000);
    expect(dep.StatusDescription).toBe('Failed due to unhealthy allocations');
  });

  it('restart mode "delay": a crash loop that never gives up, waiting out each spent interval', async () => {
    const id = uniqueId('conf-loop');
    const spec = job(id, { Config: { image: 'busybox:1.36', command: 'sh', args: ['-c', 'sleep 1; exit 1'], ports: ['http'] }, Env: { NOMAD_SIM_EXIT_CODE: '1' } });
    spec.TaskGroups[0].RestartPolicy = { Attempts: 2, Interval: 10e9, Delay: 1e9, Mode: 'delay' };
    await register(spec);
    const looping = await waitFor('more restarts than attempts', async () => {
      const a = (await allocs(id))[0];
      return a?.TaskStates?.app?.Restarts >= 3 ? a : undefined;
    }, 120000, 100);
    expect(looping.ClientStatus).not.toBe('failed');
    const reasons = looping.TaskStates.app.Events.filter((e: any) => e.Type === 'Restarting').map((e: any) => e.RestartReason);
    expect(reasons).toContain('Exceeded allowed attempts, applying a delay');
    expect(looping.TaskStates.app.Events.some((e: any) => e.Type === 'Not Restarting')).toBe(false);
  });

  it('a task killed for memory: exit code 137 with oom_killed and the exit message "OOM Killed"', async () => {
    const id = uniqueId('conf-oom');
    await register(job(id, { Config: { image: 'busybox:1.36', command: 'sh', args: ['-c', 'tail /dev/zero'], ports: ['http'] }, Resources: { CPU: 100, MemoryMB: 16 }, Env: { NOMAD_SIM_OOM: '1' } }));
    const oom = await waitFor('OOM kill reported', async () => {
      for (const a of await allocs(id)) {
        const e = (a.TaskStates?.app?.Events ?? []).find((x: any) => x.Type === 'Terminated');
        if (e) return e;
      }
      return undefined;
    }, 120000, 100);
    expect(oom).toMatchObject({ ExitCode: 137, Message: 'OOM Killed', DisplayMessage: 'Exit Code: 137, Exit Message: "OOM Killed"', Details: { oom_killed: 'true', exit_code: '137', exit_message: 'OOM Killed' } });
  });

  it('a task whose health checks fail: "Alloc Unhealthy" at the healthy deadline, allocation unhealthy, deployment failed', async () => {
    const id = uniqueId('conf-unhealthy');
    const services = [{ Name: id, PortLabel: 'http', Provider: 'nomad', Checks: [{ Name: 'alive', Type: 'http', Path: '/health', Interval: 2e9, Timeout: 1e9 }] }];
    await register(job(id, { Env: { NOMAD_SIM_UNHEALTHY: '1' } }, { Services: services }));
    const dep = await waitFor('deployment failed', async () => {
      const d = (await api('GET', `/v1/job/${id}/deployment`)).json;
      return d?.Status === 'failed' ? d : undefined;
    }, 120000, 100);
    expect(dep).toMatchObject({ StatusDescription: 'Failed due to unhealthy allocations', TaskGroups: { app: { UnhealthyAllocs: 1, HealthyAllocs: 0 } } });
    const [a] = await allocs(id);
    expect(a.ClientStatus).toBe('running');
    expect(a.DeploymentStatus.Healthy).toBe(false);
    const unhealthy = a.TaskStates.app.Events.find((e: any) => e.Type === 'Alloc Unhealthy');
    expect(unhealthy).toMatchObject({ Message: `Services not healthy by deadline: ${id}`, DisplayMessage: `Services not healthy by deadline: ${id}` });
  });

  it('a constraint no node satisfies: a blocked evaluation whose metrics name the constraint, the job pending', async () => {
    const id = uniqueId('conf-constraint');
    const constraint = { LTarget: '${attr.kernel.name}', RTarget: 'windows', Operand: '=' };
    const reg = await register(job(id, {}, { Constraints: [constraint] }));
    const ev = await waitFor('evaluation complete', async () => {
      const x = (await api('GET', `/v1/evaluation/${reg.json.EvalID}`)).json;
      return x?.Status === 'complete' ? x : undefined;
    });
    const metric = ev.FailedTGAllocs.app;
    expect(componentErrors('AllocationMetric', metric)).toEqual([]);
    // Nomad checks one node of a computed class; the rest of that class count as "computed class ineligible"
    expect(Object.keys(metric.ConstraintFiltered)).toContain('${attr.kernel.name} = windows');
    expect(metric.ConstraintFiltered['${attr.kernel.name} = windows']).toBe(1);
    expect(metric.NodesFiltered).toBe(metric.NodesEvaluated);
    expect(metric.DimensionExhausted).toBeNull();
    expect((await api('GET', `/v1/evaluation/${ev.BlockedEval}`)).json).toMatchObject({ Status: 'blocked', FailedTGAllocs: { app: { ConstraintFiltered: metric.ConstraintFiltered } } });
    expect((await api('GET', `/v1/job/${id}`)).json.Status).toBe('pending');
    expect(await allocs(id)).toEqual([]);
    // the list of blocked evaluations finds it (Eval.List's FilterEvalStatus and FilterJobID)
    const blocked = (await api<any[]>('GET', `/v1/evaluations?status=blocked&job=${id}`)).json;
    expect(blocked.map((e) => [e.ID, e.Status])).toEqual([[ev.BlockedEval, 'blocked']]);
    expect((await api<any[]>('GET', `/v1/evaluations?status=complete&job=${id}`)).json.map((e) => e.ID)).toEqual([ev.ID]);
  });
});
