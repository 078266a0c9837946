import { uniqueId, waitFor } from '../../../test/support/http';
import { conformanceApi, openTarget, serviceJob, Target } from './target';

const SEC = 1e9;

/**
 * The deployment watcher's clocks (nomad/deploymentwatcher, client/allochealth): an allocation is healthy only
 * once it has run for update.min_healthy_time; a rollout that makes no progress by update.progress_deadline
 * fails "due to progress deadline" (rolling back with auto_revert); and a version that changes one group of
 * several rolls out and completes (the groups it leaves alone do not hold it open).
 */
describe('Nomad API conformance: min_healthy_time, progress_deadline, multi-group rollouts', () => {
  let t: Target;
  const created: string[] = [];
  const { api, register } = conformanceApi(() => t, created);
  const deployment = (id: string, version: number, status?: string) =>
    waitFor(`deployment of ${id} v${version} ${status ?? ''}`, async () => {
      const d = ((await api<any[]>('GET', `/v1/job/${id}/deployments`)).json ?? []).find((x) => x.JobVersion === version);
      return d && (!status || d.Status === status) ? d : undefined;
    }, 120000, 50);
  /** A task whose HTTP check never passes (nothing listens; the simulator's NOMAD_SIM_UNHEALTHY rule). */
  const unhealthy = (id: string, env: Record<string, string> = {}) => ({
    Env: { NOMAD_SIM_UNHEALTHY: '1', ...env },
    Services: [{ Name: `${id}-web`, PortLabel: 'http', Provider: 'nomad', Checks: [{ Name: 'alive', Type: 'http', Path: '/health', Interval: 2e9, Timeout: 1e9 }] }],
  });

  beforeAll(async () => {
    t = await openTarget();
  });
  afterAll(async () => {
    for (const id of created) await api('DELETE', `/v1/job/${encodeURIComponent(id)}?purge=true`);
    await t.close();
  });

  it('judges an allocation healthy only after min_healthy_time of running', async () => {
    const id = uniqueId('conf-minhealthy');
    const job = serviceJob(id);
    (job.TaskGroups[0] as any).Update = { MaxParallel: 1, MinHealthyTime: 5 * SEC, HealthyDeadline: 60 * SEC, ProgressDeadline: 120 * SEC, HealthCheck: 'task_states' };
    await register(job);
    const d = await deployment(id, 0, 'successful');
    const [stub] = (await api<any[]>('GET', `/v1/job/${id}/allocations`)).json;
    const a = (await api('GET', `/v1/allocation/${stub.ID}`)).json;
    const ranFor = Date.parse(a.DeploymentStatus.Timestamp) - Date.parse(a.TaskStates.nginx.StartedAt);
    expect(ranFor).toBeGreaterThanOrEqual(5000 * t.durationScale - 5);
    expect(d.TaskGroups.web).toMatchObject({ HealthyAllocs: 1, DesiredTotal: 1, ProgressDeadline: 120 * SEC });
    // the progress deadline moved on with the healthy allocation
    expect(Date.parse(d.TaskGroups.web.RequireProgressBy)).toBeGreaterThan(Date.parse(a.DeploymentStatus.Timestamp));
  });

  it('fails a rollout that makes no progress by its deadline: "Failed due to progress deadline"', async () => {
    const id = uniqueId('conf-deadline');
    const job = serviceJob(id, {}, unhealthy(id));
    (job.TaskGroups[0] as any).Update = { MaxParallel: 1, MinHealthyTime: SEC, HealthyDeadline: 10 * SEC, ProgressDeadline: 20 * SEC, HealthCheck: 'checks' };
    await register(job);
    const d = await deployment(id, 0, 'failed');
    expect(d.StatusDescription).toBe('Failed due to progress deadline');
    expect(d.TaskGroups.web).toMatchObject({ HealthyAllocs: 0, ProgressDeadline: 20 * SEC });
    // an unhealthy allocation that may still be rescheduled does not fail the rollout early: the deadline does
    const [stub] = (await api<any[]>('GET', `/v1/job/${id}/allocations`)).json;
    const a = (await api('GET', `/v1/allocation/${stub.ID}`)).json;
    expect(a.DeploymentStatus.Healthy).toBe(false);
    expect(a.DesiredTransition.Reschedule).toBe(true);
  });

  it('rolls back to the last stable version when a rollout with auto_revert misses its progress deadline', async () => {
    const id = uniqueId('conf-deadline-revert');
    const update = { MaxParallel: 1, MinHealthyTime: SEC, HealthyDeadline: 10 * SEC, ProgressDeadline: 20 * SEC, HealthCheck: 'checks', AutoRevert: true };
    const good = serviceJob(id);
    (good.TaskGroups[0] as any).Update = update;
    await register(good);
    await deployment(id, 0, 'successful');
    const bad = serviceJob(id, {}, unhealthy(id, { VERSION: '1' }));
    (bad.TaskGroups[0] as any).Update = update;
    expect((await api('PUT', '/v1/jobs', { Job: bad })).status).toBe(200);
    const d = await deployment(id, 1, 'failed');
    expect(d.StatusDescription).toBe('Failed due to progress deadline - rolling back to job version 0');
    const job = await waitFor('reverted', async () => {
      const j = (await api('GET', `/v1/job/${id}`)).json;
      return j.Version === 2 ? j : undefined;
    }, 60000);
    expect(job.TaskGroups[0].Tasks[0].Env?.NOMAD_SIM_UNHEALTHY).toBeUndefined();
  });

  it('completes a rollout of a version that changes one group of two', async () => {
    const id = uniqueId('conf-multigroup');
    const base = serviceJob(id);
    const web = base.TaskGroups[0] as any;
    const worker = { ...web, Name: 'worker', Count: 2, Networks: [], Tasks: [{ ...web.Tasks[0], Name: 'worker', Config: { image: 'busybox:1.36', command: 'sh', args: ['-c', 'sleep 3600'] } }] };
    const update = { MaxParallel: 1, MinHealthyTime: SEC, HealthyDeadline: 60 * SEC, ProgressDeadline: 120 * SEC, HealthCheck: 'task_states' };
    const job = (webEnv: Record<string, string>) => ({ ...base, TaskGroups: [{ ...web, Update: update, Tasks: [{ ...web.Tasks[0], Env: webEnv }] }, { ...worker, Update: update }] });
    await register(job({ VERSION: '0' }));
    await deployment(id, 0, 'successful');
    expect((await api('PUT', '/v1/jobs', { Job: job({ VERSION: '1' }) })).status).toBe(200);
    const d = await deployment(id, 1, 'successful');
    expect(d.StatusDescription).toBe('Deployment completed successfully');
    expect(d.TaskGroups.web).toMatchObject({ DesiredTotal: 1, HealthyAllocs: 1 });
    // the unchanged group, if it is in the rollout at all, is done too
    for (const g of Object.values<any>(d.TaskGroups)) expect(g.HealthyAllocs).toBeGreaterThanOrEqual(g.DesiredTotal);
    const live = (await api<any[]>('GET', `/v1/job/${id}/allocations`)).json.filter((a) => a.DesiredStatus === 'run');
    expect(live.map((a) => `${a.TaskGroup}:${a.JobVersion}`).sort()).toEqual(['web:1', 'worker:1', 'worker:1']);
    expect((await api('GET', `/v1/job/${id}`)).json).toMatchObject({ Version: 1, Stable: true, Status: 'running' });
  });
});
