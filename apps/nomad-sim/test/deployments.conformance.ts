import { uniqueId, waitFor } from '../../../test/support/http';
import { specErrors } from '../../../test/support/openapi';
import { conformanceApi, FAST_TIMINGS, openTarget, serviceJob, Target } from './target';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SEC = 1e9;

/**
 * A service job whose group rolls out with `update { canary, auto_revert }`; `version` goes into the task's env,
 * so each new value is a destructive update (the allocations are replaced). Health is judged on task states,
 * after `minHealthy` seconds on a real Nomad (the simulator's own delay stands in for it).
 */
function canaryJob(id: string, version: string, opts: { count?: number; autoRevert?: boolean; autoPromote?: boolean; minHealthy?: number; image?: string } = {}) {
  const base = serviceJob(id, {}, { Env: { VERSION: version }, Config: { image: opts.image ?? 'nginx:1.27', ports: ['http'] } });
  const update = {
    MaxParallel: 1, Canary: 1, AutoRevert: opts.autoRevert ?? true, AutoPromote: opts.autoPromote ?? false, HealthCheck: 'task_states',
    MinHealthyTime: (opts.minHealthy ?? 1) * SEC, HealthyDeadline: Math.max(60, (opts.minHealthy ?? 1) * 2) * SEC,
    ProgressDeadline: Math.max(120, (opts.minHealthy ?? 1) * 3) * SEC,
  };
  // a task that fails is not restarted nor rescheduled: its allocation fails at once (and its rollout with it)
  const restart = { Attempts: 0, Mode: 'fail', Interval: 60 * SEC, Delay: SEC };
  const reschedule = { Attempts: 0, Unlimited: false };
  return { ...base, TaskGroups: [{ ...base.TaskGroups[0], Count: opts.count ?? 2, Update: update, RestartPolicy: restart, ReschedulePolicy: reschedule }] };
}

/**
 * Nomad HTTP API conformance: canary deployments and what an operator does to a rollout (promote, fail with
 * auto-revert, pause and resume), with Nomad's error texts. Runs against the simulator by default, or against
 * NOMAD_ADDR. A second simulator whose allocations never turn healthy holds rollouts open for the refusals
 * (on a real Nomad, a minimum healthy time of five minutes does the same).
 */
describe('Nomad API conformance: deployments', () => {
  let t: Target;
  let slow: Target;
  const created: string[] = [];
  const createdSlow: string[] = [];
  const fast = conformanceApi(() => t, created);
  const held = conformanceApi(() => slow, createdSlow);
  const { api, register, expectPlainError } = fast;

  beforeAll(async () => {
    t = await openTarget();
    slow = await openTarget({ timings: { ...FAST_TIMINGS, healthyDelayMs: 3_600_000 } });
  });
  afterAll(async () => {
    for (const id of created) await api('DELETE', `/v1/job/${encodeURIComponent(id)}?purge=true`);
    for (const id of createdSlow) await held.api('DELETE', `/v1/job/${encodeURIComponent(id)}?purge=true`);
    await t.close();
    await slow.close();
  });

  /** The job's latest deployment once it rolls out `version` (and, if given, has that status). */
  const deploymentOf = (a: typeof api, id: string, version: number, status?: string, until: (d: any) => boolean = () => true) =>
    // by version among all of the job's deployments: after an auto-revert the reverted-to version's rollout is
    // the latest at once (its allocations are updated in place), so the failed one may never be seen as latest
    waitFor(`deployment of ${id} v${version}${status ? ` ${status}` : ''}`, async () => {
      const d = ((await a<any[]>('GET', `/v1/job/${id}/deployments`)).json ?? []).find((x) => x.JobVersion === version);
      return d && (!status || d.Status === status) && until(d) ? d : undefined;
    }, 120000);
  const liveAllocs = async (a: typeof api, id: string) =>
    (await a<any[]>('GET', `/v1/job/${id}/allocations`)).json.filter((x) => x.DesiredStatus === 'run' && !['complete', 'failed', 'lost'].includes(x.ClientStatus));

  it('places canaries beside the old allocations and waits for promotion; promote replaces the rest', async () => {
    const id = uniqueId('conf-canary');
    await register(canaryJob(id, '0'));
    const first = await deploymentOf(api, id, 0, 'successful');
    // a first rollout has nothing to compare canaries with: none are placed
    expect(first.TaskGroups.web).toMatchObject({ DesiredCanaries: 0, DesiredTotal: 2, Promoted: false });
    await api('PUT', '/v1/jobs', { Job: canaryJob(id, '1') });
    const d = await deploymentOf(api, id, 1, 'running', (x) => x.TaskGroups.web?.PlacedCanaries?.length === 1);
    expect(specErrors('GET', '/job/{jobName}/deployment', d)).toEqual([]);
    expect(d.StatusDescription).toBe('Deployment is running but requires manual promotion');
    expect(d.TaskGroups.web).toMatchObject({ DesiredCanaries: 1, DesiredTotal: 2, Promoted: false, AutoRevert: true });
    const canaryId = d.TaskGroups.web.PlacedCanaries[0];
    const canary = await waitFor('canary healthy', async () => {
      const a = (await api('GET', `/v1/allocation/${canaryId}`)).json;
      return a.DeploymentStatus?.Healthy === true ? a : undefined;
    }, 120000);
    expect(canary).toMatchObject({ JobVersion: 1, DeploymentID: d.ID, DeploymentStatus: { Canary: true, Healthy: true } });
    // the name of an old allocation it is to replace
    expect(canary.Name).toMatch(new RegExp(`^${id}\\.web\\[[01]\\]$`));
    // it waits: both old allocations still run beside the canary, and the deployment does not complete
    const waiting = await liveAllocs(api, id);
    expect(waiting.map((a) => a.JobVersion).sort()).toEqual([0, 0, 1]);
    expect((await api('GET', `/v1/deployment/${d.ID}`)).json.Status).toBe('running');
    const listed = (await api<any[]>('GET', `/v1/deployment/allocations/${d.ID}`)).json;
    expect(listed.map((a) => a.ID)).toEqual([canaryId]);

    expectPlainError(await api('PUT', `/v1/deployment/promote/${d.ID}`, { All: true }), 400, 'DeploymentID must be specified');
    expectPlainError(await api('PUT', `/v1/deployment/promote/${d.ID}`, { DeploymentID: first.ID, All: true }), 400, 'Deployment ID does not match');
    const promoted = await api('PUT', `/v1/deployment/promote/${d.ID}`, { DeploymentID: d.ID, All: true });
    expect(promoted.status).toBe(200);
    expect(specErrors('POST', '/deployment/promote/{deploymentID}', promoted.json)).toEqual([]);
    expect(promoted.json).toMatchObject({ EvalID: expect.stringMatching(UUID), RevertedJobVersion: null });
    expect(promoted.headers.get('x-nomad-index')).toBe(String(promoted.json.Index));
    const ev = (await api('GET', `/v1/evaluation/${promoted.json.EvalID}`)).json;
    expect(ev).toMatchObject({ TriggeredBy: 'deployment-watcher', DeploymentID: d.ID, JobID: id });

    const done = await deploymentOf(api, id, 1, 'successful');
    expect(done.StatusDescription).toBe('Deployment completed successfully');
    expect(done.TaskGroups.web).toMatchObject({ Promoted: true, DesiredTotal: 2, PlacedAllocs: 2, HealthyAllocs: 2 });
    const after = await waitFor('old allocations stopped', async () => {
      const live = await liveAllocs(api, id);
      return live.length === 2 && live.every((a) => a.JobVersion === 1) ? live : undefined;
    }, 60000);
    expect(after.map((a) => a.ID)).toContain(canaryId);
    expect((await api('GET', `/v1/job/${id}`)).json).toMatchObject({ Version: 1, Stable: true });
    expectPlainError(await api('PUT', `/v1/deployment/promote/${d.ID}`, { DeploymentID: d.ID, All: true }), 500, "can't promote terminal deployment");
  });

  it('fails a rollout by hand: its canary stops and auto_revert registers the last stable version again', async () => {
    const id = uniqueId('conf-fail');
    await register(canaryJob(id, '0', { count: 1 }));
    await deploymentOf(api, id, 0, 'successful');
    expect((await api('GET', `/v1/job/${id}`)).json.Stable).toBe(true);
    await api('PUT', '/v1/jobs', { Job: canaryJob(id, '1', { count: 1 }) });
    const d = await deploymentOf(api, id, 1, 'running', (x) => x.TaskGroups.web?.PlacedCanaries?.length === 1);
    const canaryId = d.TaskGroups.web.PlacedCanaries[0];

    const failed = await api('PUT', `/v1/deployment/fail/${d.ID}`);
    expect(failed.status).toBe(200);
    expect(specErrors('POST', '/deployment/fail/{deploymentID}', failed.json)).toEqual([]);
    expect(failed.json).toMatchObject({ EvalID: expect.stringMatching(UUID), RevertedJobVersion: 0 });
    const after = (await api('GET', `/v1/deployment/${d.ID}`)).json;
    expect(after).toMatchObject({ Status: 'failed', StatusDescription: 'Deployment marked as failed - rolling back to job version 0' });
    expect((await api('GET', `/v1/evaluation/${failed.json.EvalID}`)).json).toMatchObject({ TriggeredBy: 'deployment-watcher', JobID: id });
    // the rollback is a new version with the stable version's spec
    const job = (await api('GET', `/v1/job/${id}`)).json;
    expect(job.Version).toBe(2);
    expect(job.TaskGroups[0].Tasks[0].Env).toEqual({ VERSION: '0' });
    await waitFor('canary stopped', async () => (await api('GET', `/v1/allocation/${canaryId}`)).json.DesiredStatus === 'stop', 60000);
    await waitFor('no allocation of version 1 left', async () => {
      const live = await liveAllocs(api, id);
      return live.length === 1 && live.every((a) => a.JobVersion !== 1);
    }, 60000);

    expectPlainError(await api('PUT', `/v1/deployment/fail/${d.ID}`), 500, "can't fail terminal deployment");
    expectPlainError(await api('PUT', `/v1/deployment/pause/${d.ID}`, { DeploymentID: d.ID, Pause: true }), 500, "can't pause terminal deployment");
    expectPlainError(await api('PUT', `/v1/deployment/pause/${d.ID}`, { DeploymentID: d.ID, Pause: false }), 500, "can't resume terminal deployment");
  });

  it('the watcher promotes auto_promote canaries once healthy, and rolls an unhealthy rollout back with auto_revert', async () => {
    const id = uniqueId('conf-auto');
    await register(canaryJob(id, '0', { count: 1, autoPromote: true }));
    await deploymentOf(api, id, 0, 'successful');
    await api('PUT', '/v1/jobs', { Job: canaryJob(id, '1', { count: 1, autoPromote: true }) });
    const promoted = await deploymentOf(api, id, 1, 'successful');
    expect(promoted.TaskGroups.web).toMatchObject({ DesiredCanaries: 1, Promoted: true, HealthyAllocs: 1 });
    expect((await api('GET', `/v1/job/${id}`)).json).toMatchObject({ Version: 1, Stable: true });

    // a version whose image cannot be pulled: its canary fails, so does the rollout, and the job goes back to version 1
    await api('PUT', '/v1/jobs', { Job: canaryJob(id, '2', { count: 1, autoPromote: true, image: 'example.invalid/does-not-exist:missing' }) });
    const failed = await deploymentOf(api, id, 2, 'failed');
    expect(failed.StatusDescription).toBe('Failed due to unhealthy allocations - rolling back to job version 1');
    expect(failed.TaskGroups.web.UnhealthyAllocs).toBe(1);
    const job = await waitFor('rolled back', async () => {
      const j = (await api('GET', `/v1/job/${id}`)).json;
      return j.Version === 3 ? j : undefined;
    }, 60000);
    expect(job.TaskGroups[0].Tasks[0]).toMatchObject({ Env: { VERSION: '1' }, Config: { image: 'nginx:1.27' } });
    // the watcher's evaluation comes with the failure (Nomad writes both at once; the deployment may be touched
    // again afterwards, as its canary is stopped, so only its creation bounds the evaluation here)
    const evals = (await api<any[]>('GET', `/v1/job/${id}/evaluations`)).json;
    expect(evals.some((e) => e.TriggeredBy === 'deployment-watcher' && e.DeploymentID === failed.ID && e.CreateIndex > failed.CreateIndex)).toBe(true);
  });

  it('refuses to change a count while the job\'s rollout is active, and scales again once it is over', async () => {
    const id = uniqueId('conf-scale-held');
    await held.register(canaryJob(id, '0', { count: 1, autoRevert: false, minHealthy: 300 }));
    const d = await deploymentOf(held.api, id, 0, 'running', (x) => x.TaskGroups.web?.PlacedAllocs === 1);
    const scale = (body: Record<string, unknown>) => held.api('PUT', `/v1/job/${id}/scale`, { Target: { Job: id, Group: 'web' }, ...body });
    held.expectPlainError(await scale({ Count: 2 }), 400, 'job scaling blocked due to active deployment');
    // a paused rollout is still active
    await held.api('PUT', `/v1/deployment/pause/${d.ID}`, { DeploymentID: d.ID, Pause: true });
    held.expectPlainError(await scale({ Count: 2 }), 400, 'job scaling blocked due to active deployment');
    expect((await held.api('GET', `/v1/job/${id}`)).json.Version).toBe(0);
    // an event without a count changes nothing and is recorded whatever the rollout does
    const event = await scale({ Message: 'noted', Meta: { by: 'test' } });
    expect(event.status).toBe(200);
    expect(event.json.EvalID).toBe('');
    expect((await held.api('PUT', `/v1/deployment/fail/${d.ID}`)).status).toBe(200);
    const r = await scale({ Count: 2 });
    expect(r.status).toBe(200);
    expect((await held.api('GET', `/v1/job/${id}`)).json).toMatchObject({ Version: 1, TaskGroups: [expect.objectContaining({ Count: 2 })] });
  });

  it('pauses and resumes a rollout, and refuses to promote one without canaries or with unhealthy ones', async () => {
    const id = uniqueId('conf-pause');
    await held.register(canaryJob(id, '0', { count: 1, autoRevert: false, minHealthy: 300 }));
    const first = await deploymentOf(held.api, id, 0, 'running', (x) => x.TaskGroups.web?.PlacedAllocs === 1);
    held.expectPlainError(await held.api('PUT', `/v1/deployment/promote/${first.ID}`, { DeploymentID: first.ID, All: true }), 500, 'no canaries to promote');

    const paused = await held.api('PUT', `/v1/deployment/pause/${first.ID}`, { DeploymentID: first.ID, Pause: true });
    expect(paused.status).toBe(200);
    expect(specErrors('POST', '/deployment/pause/{deploymentID}', paused.json)).toEqual([]);
    expect(paused.json).toMatchObject({ EvalID: '', EvalCreateIndex: 0 });
    expect((await held.api('GET', `/v1/deployment/${first.ID}`)).json).toMatchObject({ Status: 'paused', StatusDescription: 'Deployment is paused' });
    // pausing again is no error
    expect((await held.api('PUT', `/v1/deployment/pause/${first.ID}`, { DeploymentID: first.ID, Pause: true })).status).toBe(200);
    expect((await held.api('GET', `/v1/job/${id}`)).json.Status).toBe('running');
    const resumed = await held.api('PUT', `/v1/deployment/pause/${first.ID}`, { DeploymentID: first.ID, Pause: false });
    expect(resumed.status).toBe(200);
    expect(resumed.json.EvalID).toMatch(UUID);
    expect((await held.api('GET', `/v1/deployment/${first.ID}`)).json).toMatchObject({ Status: 'running', StatusDescription: 'Deployment is running' });

    // a new version cancels the unfinished rollout; its canary is placed but not healthy yet
    await held.api('PUT', '/v1/jobs', { Job: canaryJob(id, '1', { count: 1, autoRevert: false, minHealthy: 300 }) });
    const d = await deploymentOf(held.api, id, 1, 'running', (x) => x.TaskGroups.web?.PlacedCanaries?.length === 1);
    expect((await held.api('GET', `/v1/deployment/${first.ID}`)).json).toMatchObject({ Status: 'cancelled', StatusDescription: 'Cancelled due to newer version of job' });
    const canaryId = d.TaskGroups.web.PlacedCanaries[0];
    held.expectPlainError(
      await held.api('PUT', `/v1/deployment/promote/${d.ID}`, { DeploymentID: d.ID, Groups: ['web'] }),
      500, `1 error occurred:\n\t* Canary allocation "${canaryId}" for group "web" is not healthy\n\n`,
    );
    // failed by hand without auto_revert: the job keeps its version, the canary stops
    const failed = await held.api('PUT', `/v1/deployment/fail/${d.ID}`);
    expect(failed.json).toMatchObject({ EvalID: expect.stringMatching(UUID), RevertedJobVersion: null });
    expect((await held.api('GET', `/v1/deployment/${d.ID}`)).json).toMatchObject({ Status: 'failed', StatusDescription: 'Deployment marked as failed' });
    expect((await held.api('GET', `/v1/job/${id}`)).json.Version).toBe(1);
    await waitFor('canary stopped', async () => (await held.api('GET', `/v1/allocation/${canaryId}`)).json.DesiredStatus === 'stop', 60000);

    const unknown = '00000000-0000-0000-0000-000000000000';
    held.expectPlainError(await held.api('PUT', `/v1/deployment/fail/${unknown}`), 500, 'deployment not found');
    held.expectPlainError(await held.api('PUT', `/v1/deployment/promote/${unknown}`, { DeploymentID: unknown, All: true }), 500, 'deployment not found');
    held.expectPlainError(await held.api('PUT', `/v1/deployment/pause/${unknown}`, { DeploymentID: unknown, Pause: true }), 500, 'deployment not found');
  });
});
