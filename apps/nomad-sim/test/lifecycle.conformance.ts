import { uniqueId, waitFor } from '../../../test/support/http';
import { componentErrors, specErrors } from '../../../test/support/openapi';
import { conformanceApi, openTarget, serviceJob, Target } from './target';

/**
 * Nomad HTTP API conformance: the life of jobs and allocations (placement, deployments, rolling updates,
 * restart, signal, stop, scale, revert, batch completion, pull failures, blocked evaluations).
 * Shapes are checked against the OpenAPI spec with BEHAVIOUR.md's errata. Runs against the simulator by
 * default, or against NOMAD_ADDR.
 */
describe('Nomad API conformance: life cycle', () => {
  let t: Target;
  const created: string[] = [];
  const { api, register, expectPlainError, runningAllocs } = conformanceApi(() => t, created);

  beforeAll(async () => {
    t = await openTarget();
  });
  afterAll(async () => {
    for (const id of created) await api('DELETE', `/v1/job/${encodeURIComponent(id)}?purge=true`);
    await t.close();
  });

  describe('life cycle', () => {
    it('places allocations that go pending -> running, with a successful deployment and an up-to-date summary', async () => {
      const id = uniqueId('conf-life');
      const reg = await register(serviceJob(id, { TaskGroups: [{ ...serviceJob(id).TaskGroups[0], Count: 2 }] }));
      const ev = await waitFor('eval complete', async () => {
        const r = await api('GET', `/v1/evaluation/${reg.json.EvalID}`);
        return r.json?.Status === 'complete' ? r : undefined;
      });
      expect(specErrors('GET', '/evaluation/{evalID}', ev.json)).toEqual([]);
      expect(ev.json).toMatchObject({ JobID: id, TriggeredBy: 'job-register', Type: 'service' });
      const allocs = await runningAllocs(id, 2);
      const list = await api('GET', `/v1/job/${id}/allocations`);
      expect(specErrors('GET', '/job/{jobName}/allocations', list.json)).toEqual([]);
      expect(allocs.map((a: any) => a.Name).sort()).toEqual([`${id}.web[0]`, `${id}.web[1]`]);
      const alloc = await api('GET', `/v1/allocation/${allocs[0].ID}`);
      expect(specErrors('GET', '/allocation/{allocID}', alloc.json)).toEqual([]);
      const nginx = alloc.json.TaskStates.nginx;
      expect(nginx.State).toBe('running');
      expect(nginx.StartedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(nginx.FinishedAt).toBe('0001-01-01T00:00:00Z');
      expect(nginx.Events.map((e: any) => e.Type)).toEqual(expect.arrayContaining(['Received', 'Task Setup', 'Started']));
      expect(Number.isInteger(nginx.Events[0].Time)).toBe(true);
      const port = alloc.json.AllocatedResources.Shared.Ports[0];
      expect(port).toMatchObject({ Label: 'http', To: 80 });
      expect(port.Value).toBeGreaterThanOrEqual(20000);
      const job = await api('GET', `/v1/job/${id}`);
      expect(job.json.Status).toBe('running');
      const summary = await waitFor('summary running 2', async () => {
        const r = await api('GET', `/v1/job/${id}/summary`);
        return r.json.Summary.web.Running === 2 ? r : undefined;
      });
      expect(specErrors('GET', '/job/{jobName}/summary', summary.json)).toEqual([]);
      const dep = await waitFor('deployment successful', async () => {
        const r = await api('GET', `/v1/job/${id}/deployment`);
        return r.json?.Status === 'successful' ? r : undefined;
      }, 60000);
      expect(specErrors('GET', '/job/{jobName}/deployment', dep.json)).toEqual([]);
      expect(dep.json.TaskGroups.web).toMatchObject({ DesiredTotal: 2, HealthyAllocs: 2 });
      const deps = await api('GET', `/v1/job/${id}/deployments`);
      expect(specErrors('GET', '/job/{jobName}/deployments', deps.json)).toEqual([]);
      const evals = await api('GET', `/v1/job/${id}/evaluations`);
      expect(specErrors('GET', '/job/{jobName}/evaluations', evals.json)).toEqual([]);
      expect((await api('GET', `/v1/job/${id}`)).json.Stable).toBe(true);
    });

    it('rolls a changed spec out MaxParallel (1) allocation at a time, old ones serving until replaced', async () => {
      const id = uniqueId('conf-roll');
      const base = serviceJob(id);
      await register({ ...base, TaskGroups: [{ ...base.TaskGroups[0], Count: 3 }] });
      await waitFor('v0 deployed', async () => (await api('GET', `/v1/job/${id}/deployment`)).json?.Status === 'successful', 120000);
      await api('PUT', '/v1/jobs', { Job: { ...base, Meta: { v: '1' }, TaskGroups: [{ ...base.TaskGroups[0], Count: 3 }] } });
      let maxInFlight = 0;
      let sawMixed = false;
      await waitFor('v1 deployed', async () => {
        const allocs = (await api<any[]>('GET', `/v1/job/${id}/allocations`)).json.filter((a) => a.DesiredStatus === 'run' && !['complete', 'failed', 'lost'].includes(a.ClientStatus));
        const fresh = allocs.filter((a) => a.JobVersion === 1);
        maxInFlight = Math.max(maxInFlight, fresh.filter((a) => a.DeploymentStatus?.Healthy !== true).length);
        if (fresh.length > 0 && allocs.some((a) => a.JobVersion === 0 && a.ClientStatus === 'running')) sawMixed = true;
        const dep = (await api('GET', `/v1/job/${id}/deployment`)).json;
        return dep?.JobVersion === 1 && dep.Status === 'successful';
      }, 120000, 10);
      expect(maxInFlight).toBe(1);
      expect(sawMixed).toBe(true);
      const final = (await api<any[]>('GET', `/v1/job/${id}/allocations`)).json.filter((a) => a.DesiredStatus === 'run');
      expect(final.map((a) => a.JobVersion)).toEqual([1, 1, 1]);
      const evals = (await api<any[]>('GET', `/v1/job/${id}/evaluations`)).json;
      expect(evals.some((e) => e.TriggeredBy === 'deployment-watcher')).toBe(true);
    });

    it('restarts an allocation in place: same ID, Restarts + 1, restart events, no new evaluation', async () => {
      const id = uniqueId('conf-restart');
      await register(serviceJob(id));
      const [a] = await runningAllocs(id);
      const evalsBefore = (await api('GET', `/v1/job/${id}/evaluations`)).json.length;
      const r = await api('PUT', `/v1/client/allocation/${a.ID}/restart`, { TaskName: '' });
      expect(r.status).toBe(200);
      const after = await waitFor('restart recorded', async () => {
        const x = await api('GET', `/v1/allocation/${a.ID}`);
        return x.json.TaskStates.nginx.Restarts === 1 && x.json.TaskStates.nginx.State === 'running' ? x : undefined;
      });
      const types = after.json.TaskStates.nginx.Events.map((e: any) => e.Type);
      expect(types).toEqual(expect.arrayContaining(['Restart Signaled', 'Restarting']));
      expect(after.json.TaskStates.nginx.LastRestart).not.toBe('0001-01-01T00:00:00Z');
      expect((await api('GET', `/v1/job/${id}/evaluations`)).json.length).toBe(evalsBefore);
      expect((await api('PUT', `/v1/client/allocation/${a.ID}/restart`, { TaskName: 'nope' })).status).toBe(500);
      expect((await api('PUT', '/v1/client/allocation/00000000-0000-0000-0000-000000000000/restart', {})).status).toBe(404);
    });

    it('signals the running tasks of an allocation: a Signaling event; a signal that ends the process restarts the task', async () => {
      const id = uniqueId('conf-signal');
      await register(serviceJob(id));
      const [a] = await runningAllocs(id);
      const evalsBefore = (await api('GET', `/v1/job/${id}/evaluations`)).json.length;
      const hup = await api('PUT', `/v1/client/allocation/${a.ID}/signal`, { Signal: 'SIGHUP' });
      expect(hup.status).toBe(200);
      const signaled = await waitFor('Signaling event', async () => {
        const x = await api('GET', `/v1/allocation/${a.ID}`);
        return x.json.TaskStates.nginx.Events.find((e: any) => e.Type === 'Signaling') ? x : undefined;
      });
      const event = signaled.json.TaskStates.nginx.Events.find((e: any) => e.Type === 'Signaling');
      expect(event).toMatchObject({ TaskSignal: 'SIGHUP', DisplayMessage: 'Task being sent signal SIGHUP' });
      expect(signaled.json.TaskStates.nginx).toMatchObject({ State: 'running', Restarts: 0 });
      // SIGTERM ends nginx: Nomad restarts the task in place per its restart policy
      expect((await api('PUT', `/v1/client/allocation/${a.ID}/signal`, { Signal: 'SIGTERM', Task: 'nginx' })).status).toBe(200);
      const restarted = await waitFor('task restarted after SIGTERM', async () => {
        const x = await api('GET', `/v1/allocation/${a.ID}`);
        return x.json.TaskStates.nginx.Restarts === 1 && x.json.TaskStates.nginx.State === 'running' ? x : undefined;
      }, 90000);
      const types = restarted.json.TaskStates.nginx.Events.map((e: any) => e.Type);
      expect(types.slice(types.lastIndexOf('Signaling'))).toEqual(expect.arrayContaining(['Signaling', 'Terminated', 'Restarting', 'Started']));
      expect(restarted.json.ClientStatus).toBe('running');
      expect((await api('GET', `/v1/job/${id}/evaluations`)).json.length).toBe(evalsBefore);
      expectPlainError(await api('PUT', `/v1/client/allocation/${a.ID}/signal`, { Signal: 'SIGHUP', Task: 'nope' }), 500, 'Task not found');
      expect((await api('PUT', '/v1/client/allocation/00000000-0000-0000-0000-000000000000/signal', { Signal: 'SIGHUP' })).status).toBe(404);
    });

    it('stops an allocation and places a replacement linked by Previous/NextAllocation', async () => {
      const id = uniqueId('conf-astop');
      await register(serviceJob(id));
      const [a] = await runningAllocs(id);
      const r = await api('PUT', `/v1/allocation/${a.ID}/stop`);
      expect(r.status).toBe(200);
      expect(r.json.EvalID).toMatch(/^[0-9a-f-]{36}$/);
      const replaced = await waitFor('replacement', async () => {
        const x = await api('GET', `/v1/allocation/${a.ID}`);
        return x.json.NextAllocation ? x : undefined;
      });
      expect(replaced.json.DesiredStatus).toBe('stop');
      expect(replaced.json.DesiredTransition.Migrate).toBe(true);
      const next = await api('GET', `/v1/allocation/${replaced.json.NextAllocation}`);
      expect(next.json.PreviousAllocation).toBe(a.ID);
      expect((await api('GET', `/v1/evaluation/${r.json.EvalID}`)).json.TriggeredBy).toBe('alloc-stop');
      // the replacement runs and the stopped allocation's tasks are killed
      await waitFor('replacement running, old one complete', async () => {
        const [old, fresh] = await Promise.all([api('GET', `/v1/allocation/${a.ID}`), api('GET', `/v1/allocation/${replaced.json.NextAllocation}`)]);
        return old.json.ClientStatus === 'complete' && fresh.json.ClientStatus === 'running';
      }, 60000);
    });

    it('scales a group (new version, job-scaling evaluation) and reports scale status', async () => {
      const id = uniqueId('conf-scale');
      await register(serviceJob(id));
      await runningAllocs(id);
      // Nomad refuses a count change while the first rollout is still active
      await waitFor('deployment successful', async () => (await api('GET', `/v1/job/${id}/deployment`)).json?.Status === 'successful', 60000);
      const r = await api('PUT', `/v1/job/${id}/scale`, { Count: 2, Target: { Job: id, Group: 'web' }, Message: 'more' });
      expect(r.status).toBe(200);
      const ev = await api('GET', `/v1/evaluation/${r.json.EvalID}`);
      expect(ev.json.TriggeredBy).toBe('job-scaling');
      await runningAllocs(id, 2);
      const status = await api('GET', `/v1/job/${id}/scale`);
      expect(specErrors('GET', '/job/{jobName}/scale', status.json)).toEqual([]);
      expect(status.json.TaskGroups.web.Desired).toBe(2);
      expect((await api('GET', `/v1/job/${id}`)).json.Version).toBe(1);
      expectPlainError(await api('PUT', `/v1/job/${id}/scale`, { Count: 1, Target: { Group: 'nope' } }), 400, 'task group "nope" specified for scaling does not exist in job');
      expectPlainError(await api('PUT', `/v1/job/${id}/scale`, { Count: 1, Target: {} }), 400, 'missing task group name for scaling action');
      expectPlainError(await api('PUT', '/v1/job/nope-missing/scale', { Count: 1, Target: { Group: 'web' } }), 404, 'job "nope-missing" not found');
    });

    it('marks versions stable, lists no services, and refuses dispatch/force of ordinary jobs', async () => {
      const id = uniqueId('conf-misc');
      await register(serviceJob(id));
      const stable = await api('PUT', `/v1/job/${id}/stable`, { JobID: id, JobVersion: 0, Stable: true });
      expect(stable.status).toBe(200);
      expect((await api('GET', `/v1/job/${id}`)).json.Stable).toBe(true);
      expect((await api('GET', `/v1/job/${id}/services`)).json).toEqual([]);
      expectPlainError(await api('PUT', `/v1/job/${id}/dispatch`, { JobID: id }), 500, `Specified job "${id}" is not a parameterized job`);
      // nomad/periodic_endpoint.go Force: "launch", in every release since 1.6
      expectPlainError(await api('PUT', `/v1/job/${id}/periodic/force`), 500, "can't force launch non-periodic job");
    });

    it('reverts to an earlier version as a new version', async () => {
      const id = uniqueId('conf-revert');
      await register(serviceJob(id));
      await api('PUT', '/v1/jobs', { Job: serviceJob(id, { Meta: { v: '1' } }) });
      expectPlainError(await api('PUT', `/v1/job/${id}/revert`, { JobID: id, JobVersion: 1 }), 500, "can't revert to current version");
      expectPlainError(await api('PUT', `/v1/job/${id}/revert`, { JobVersion: 0 }), 400, 'JobID must be specified');
      const r = await api('PUT', `/v1/job/${id}/revert`, { JobID: id, JobVersion: 0 });
      expect(r.status).toBe(200);
      expect(r.headers.get('x-nomad-knownleader')).toBe('true');
      const job = await api('GET', `/v1/job/${id}`);
      expect(job.json.Version).toBe(2);
      expect(job.json.Meta).toBeNull();
    });

    it('stops a job (Stop true, dead, new version) and purges it; DELETE of a missing job is 200', async () => {
      const id = uniqueId('conf-stop');
      await register(serviceJob(id));
      await runningAllocs(id);
      const r = await api('DELETE', `/v1/job/${id}`);
      expect(r.status).toBe(200);
      expect(specErrors('DELETE', '/job/{jobName}', r.json)).toEqual([]);
      const ev = await api('GET', `/v1/evaluation/${r.json.EvalID}`);
      expect(ev.json.TriggeredBy).toBe('job-deregister');
      const job = await waitFor('dead', async () => {
        const x = await api('GET', `/v1/job/${id}`);
        return x.json.Status === 'dead' ? x : undefined;
      });
      expect(job.json).toMatchObject({ Stop: true, Version: 1 });
      await waitFor('allocs complete', async () => {
        const x = await api<any[]>('GET', `/v1/job/${id}/allocations`);
        return x.json.every((a) => a.DesiredStatus === 'stop' && a.ClientStatus === 'complete') ? x : undefined;
      });
      const purge = await api('DELETE', `/v1/job/${id}?purge=true`);
      expect(purge.status).toBe(200);
      expectPlainError(await api('GET', `/v1/job/${id}`), 404, 'job not found');
      const missing = await api('DELETE', '/v1/job/never-existed-xyz');
      expect(missing.status).toBe(200);
      expect(missing.json).toMatchObject({ EvalID: '', EvalCreateIndex: 0, JobModifyIndex: 0 });
    });

    it('runs a batch job to completion: allocation complete with exit code 0, job dead', async () => {
      const id = uniqueId('conf-batch');
      await register({ ID: id, Type: 'batch', Datacenters: ['dc1'], TaskGroups: [{ Name: 'b', Tasks: [{ Name: 'run', Driver: 'docker', Config: { image: 'busybox:1.36', command: 'true' }, Resources: { CPU: 50, MemoryMB: 32 } }] }] });
      const job = await waitFor('batch dead', async () => {
        const x = await api('GET', `/v1/job/${id}`);
        return x.json.Status === 'dead' ? x : undefined;
      }, 60000);
      expect(job.json.Stop).toBe(false);
      const allocs = await api('GET', `/v1/job/${id}/allocations`);
      expect(allocs.json[0].ClientStatus).toBe('complete');
      const terminated = allocs.json[0].TaskStates.run.Events.find((e: any) => e.Type === 'Terminated');
      expect(terminated.ExitCode).toBe(0);
      expect((await api('GET', `/v1/job/${id}/deployment`)).text).toBe('null');
    });

    it('fails allocations whose image cannot be pulled, with driver-failure task events', async () => {
      const id = uniqueId('conf-pull');
      await register(serviceJob(id, {}, { Config: { image: 'example.invalid/does-not-exist:missing' } }));
      const failed = await waitFor('alloc failed', async () => {
        const x = await api<any[]>('GET', `/v1/job/${id}/allocations`);
        return x.json.find((a) => a.ClientStatus === 'failed');
      }, 120000, 100);
      const state = failed.TaskStates.nginx;
      expect(state.Failed).toBe(true);
      expect(state.State).toBe('dead');
      const types = state.Events.map((e: any) => e.Type);
      expect(types).toContain('Driver Failure');
      expect(types[types.length - 1]).toBe('Not Restarting');
      const driverFailure = state.Events.find((e: any) => e.Type === 'Driver Failure');
      expect(driverFailure.DriverError).toMatch(/pull/i);
      expect(driverFailure.DisplayMessage).toBe(driverFailure.DriverError);
    });

    it('blocks the evaluation of an ask larger than any node, with placement failures', async () => {
      const id = uniqueId('conf-huge');
      const reg = await register(serviceJob(id, {}, { Resources: { CPU: 100, MemoryMB: 10_000_000 } }));
      const ev = await waitFor('eval complete with failures', async () => {
        const x = await api('GET', `/v1/evaluation/${reg.json.EvalID}`);
        return x.json.Status === 'complete' ? x : undefined;
      });
      expect(ev.json.FailedTGAllocs.web.DimensionExhausted).toEqual(expect.objectContaining({ memory: expect.any(Number) }));
      expect(componentErrors('AllocationMetric', ev.json.FailedTGAllocs.web)).toEqual([]);
      const blocked = await api('GET', `/v1/evaluation/${ev.json.BlockedEval}`);
      expect(blocked.json).toMatchObject({ Status: 'blocked', TriggeredBy: 'queued-allocs', PreviousEval: reg.json.EvalID });
      // created with the failures of the evaluation it follows up (structs.Evaluation.CreateBlockedEval)
      expect(blocked.json.FailedTGAllocs.web.DimensionExhausted).toEqual(ev.json.FailedTGAllocs.web.DimensionExhausted);
      const job = await api('GET', `/v1/job/${id}`);
      expect(job.json.Status).toBe('pending');
      const summary = await api('GET', `/v1/job/${id}/summary`);
      expect(summary.json.Summary.web.Queued).toBe(1);
    });
  });
});
