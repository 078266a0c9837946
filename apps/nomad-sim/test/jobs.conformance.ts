import { call, uniqueId } from '../../../test/support/http';
import { specErrors } from '../../../test/support/openapi';
import { conformanceApi, openTarget, serviceJob, Target } from './target';

/**
 * Nomad HTTP API conformance: job registration (defaults, decoder and validation errors, versions, plan) and reads and lists of jobs.
 * Shapes are checked against the OpenAPI spec with BEHAVIOUR.md's errata. Runs against the simulator by
 * default, or against NOMAD_ADDR.
 */
describe('Nomad API conformance: job registration and reads', () => {
  let t: Target;
  const created: string[] = [];
  const { api, register, expectPlainError } = conformanceApi(() => t, created);

  beforeAll(async () => {
    t = await openTarget();
  });
  afterAll(async () => {
    for (const id of created) await api('DELETE', `/v1/job/${encodeURIComponent(id)}?purge=true`);
    await t.close();
  });

  describe('job registration', () => {
    it('registers with PUT /v1/jobs (as the Go client does), fills in defaults and returns an evaluation', async () => {
      const id = uniqueId('conf-reg');
      const r = await register(serviceJob(id));
      expect(specErrors('POST', '/jobs', r.json)).toEqual([]);
      expect(r.json.EvalID).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.json.EvalCreateIndex).toBeGreaterThan(0);
      expect(r.json.JobModifyIndex).toBeGreaterThan(0);
      expect(Number(r.headers.get('x-nomad-index'))).toBeGreaterThan(0);
      expect(r.headers.get('x-nomad-knownleader')).toBeNull();
      const job = await api('GET', `/v1/job/${id}`);
      expect(job.status).toBe(200);
      expect(specErrors('GET', '/job/{jobName}', job.json)).toEqual([]);
      expect(job.json).toMatchObject({ ID: id, Name: id, Namespace: 'default', Type: 'service', Priority: 50, Version: 0, Stop: false, NodePool: 'default' });
      expect(Number.isInteger(job.json.SubmitTime)).toBe(true);
      expect(job.json.SubmitTime).toBeGreaterThan(1e18);
      const task = job.json.TaskGroups[0].Tasks[0];
      expect(task.KillTimeout).toBe(5_000_000_000);
      expect(task.LogConfig).toMatchObject({ MaxFiles: 10, MaxFileSizeMB: 10 });
      expect(job.json.TaskGroups[0].RestartPolicy).toMatchObject({ Attempts: 2, Delay: 15_000_000_000, Mode: 'fail' });
      expect(job.json.Constraints).toBeNull();
      expect(job.headers.get('x-nomad-index')).toBe(String(job.json.ModifyIndex));
      expect(job.headers.get('x-nomad-knownleader')).toBe('true');
      expect(job.headers.get('x-nomad-lastcontact')).toMatch(/^\d+$/);
    });

    it('accepts the Go client\'s encoding, where every unset pointer field is null', async () => {
      const id = uniqueId('conf-goclient');
      created.push(id);
      const goJob = {
        Region: null, Namespace: null, ID: id, Name: null, Type: null, Priority: null, AllAtOnce: null, Datacenters: ['dc1'],
        NodePool: null, Constraints: null, Affinities: null, TaskGroups: [{
          Name: 'g', Count: null, Constraints: null, Affinities: null, Tasks: [{
            Name: 't', Driver: 'docker', User: '', Lifecycle: null, Config: { image: 'busybox:1.36', command: 'sleep', args: ['3600'] },
            Constraints: null, Affinities: null, Env: null, Services: null, Resources: { CPU: null, Cores: null, MemoryMB: 64, MemoryMaxMB: null, DiskMB: null, Networks: null, Devices: null },
            RestartPolicy: null, Meta: null, KillTimeout: null, LogConfig: null, Artifacts: null, Vault: null, Templates: null,
            DispatchPayload: null, VolumeMounts: null, Leader: false, ShutdownDelay: 0, KillSignal: '', Kind: '', ScalingPolicies: null,
          }],
          Spreads: null, Volumes: null, RestartPolicy: null, ReschedulePolicy: null, EphemeralDisk: null, Update: null, Migrate: null,
          Networks: null, Meta: null, Services: null, ShutdownDelay: null, StopAfterClientDisconnect: null, MaxClientDisconnect: null, Scaling: null, Consul: null,
        }],
        Update: null, Multiregion: null, Spreads: null, Periodic: null, ParameterizedJob: null, Reschedule: null, Migrate: null,
        Meta: null, ConsulToken: null, VaultToken: null, Stop: null, ParentID: null, Dispatched: false, Payload: null,
        ConsulNamespace: null, VaultNamespace: null, NomadTokenID: null, Status: null, StatusDescription: null, Stable: null,
        Version: null, SubmitTime: null, CreateIndex: null, ModifyIndex: null, JobModifyIndex: null,
      };
      const r = await api('PUT', '/v1/jobs', { Job: goJob });
      expect(r.status).toBe(200);
      const job = (await api('GET', `/v1/job/${id}`)).json;
      expect(job).toMatchObject({ Name: id, Type: 'service', Priority: 50, Namespace: 'default', Stop: false, Version: 0 });
      expect(job.TaskGroups[0]).toMatchObject({ Count: 1, RestartPolicy: { Attempts: 2 } });
      expect(job.TaskGroups[0].Tasks[0].Resources).toMatchObject({ CPU: 100, MemoryMB: 64 });
      expect(job.TaskGroups[0].Tasks[0].KillTimeout).toBe(5_000_000_000);
    });

    it('matches request keys case-insensitively and accepts POST /v1/job/:id', async () => {
      const id = uniqueId('conf-case');
      created.push(id);
      const lower = { job: { id, type: 'batch', datacenters: ['dc1'], taskgroups: [{ name: 'g', tasks: [{ name: 't', driver: 'docker', config: { image: 'busybox:1.36' }, resources: { cpu: 50, memorymb: 32 } }] }] } };
      const r = await api('POST', `/v1/job/${id}`, lower);
      expect(r.status).toBe(200);
      const job = await api('GET', `/v1/job/${id}`);
      expect(job.json.Type).toBe('batch');
      expect(job.json.TaskGroups[0].Tasks[0].Resources.MemoryMB).toBe(32);
    });

    it('refuses bodies with the HTTP-layer texts (400) and semantic failures with 500 multierror text', async () => {
      expectPlainError(await api('PUT', '/v1/jobs', { NotAJob: {} }), 400, 'Job must be specified');
      expectPlainError(await api('PUT', '/v1/jobs', { Job: { Name: 'x' } }), 400, "Job ID hasn't been provided");
      expectPlainError(await api('PUT', '/v1/job/one', { Job: serviceJob('two') }), 400, 'Job ID does not match name');
      expectPlainError(await call(t.url, 'PUT', '/v1/jobs', { headers: t.headers }), 400, 'Request body is empty');
      expectPlainError(await call(t.url, 'PUT', '/v1/jobs', { rawBody: 'xyz', headers: t.headers }), 400, /^invalid character 'x' looking for beginning of value/);
      expectPlainError(await api('PUT', '/v1/jobs', { Job: { ...serviceJob('bad id'), ID: 'bad id' } }), 500, /^1 error occurred:\n\t\* Job ID contains a space\n\n$/);
      expectPlainError(await api('PUT', '/v1/jobs', { Job: { ID: 'no-groups', Datacenters: ['dc1'] } }), 500, /Missing job task groups/);
      expectPlainError(await api('PUT', '/v1/jobs', { Job: serviceJob('no-ns'), Namespace: 'nope-not-here' }, {}), 500, /job "no-ns" is in nonexistent namespace "nope-not-here"/);
    });

    it("answers JSON of the wrong kind with Go's decoder error (400), e.g. a duration written as \"30s\"", async () => {
      const job = serviceJob('conf-types');
      const group = job.TaskGroups[0];
      const withTask = (t: Record<string, unknown>) => ({ Job: { ...job, TaskGroups: [{ ...group, Tasks: [{ ...group.Tasks[0], ...t }] }] } });
      expectPlainError(await api('PUT', '/v1/jobs', withTask({ KillTimeout: '30s' })), 400,
        'json: cannot unmarshal string into Go struct field Task.Job.TaskGroups.Tasks.KillTimeout of type time.Duration');
      expectPlainError(await api('PUT', '/v1/jobs', { Job: { ...job, TaskGroups: [{ ...group, Count: '2' }] } }), 400,
        'json: cannot unmarshal string into Go struct field TaskGroup.Job.TaskGroups.Count of type int');
      expectPlainError(await api('PUT', '/v1/jobs', { Job: { ...job, ID: 42 } }), 400,
        'json: cannot unmarshal number into Go struct field Job.Job.ID of type string');
      expectPlainError(await api('PUT', '/v1/jobs', withTask({ Resources: { CPU: 1.5 } })), 400,
        'json: cannot unmarshal number 1.5 into Go struct field Resources.Job.TaskGroups.Tasks.Resources.CPU of type int');
      expectPlainError(await api('PUT', '/v1/jobs', { Job: 'web' }), 400,
        'json: cannot unmarshal string into Go struct field JobRegisterRequest.Job of type api.Job');
    });

    it('enforces the job modify index (500 with the server texts)', async () => {
      const id = uniqueId('conf-enforce');
      const first = await register(serviceJob(id));
      expectPlainError(await api('PUT', '/v1/jobs', { Job: serviceJob(id), EnforceIndex: true, JobModifyIndex: 0 }), 500, /job already exists$/);
      expectPlainError(await api('PUT', '/v1/jobs', { Job: serviceJob(id), EnforceIndex: true, JobModifyIndex: 1 }), 500, new RegExp(`job exists with conflicting job modify index: ${first.json.JobModifyIndex}$`));
      const ok = await api('PUT', '/v1/jobs', { Job: serviceJob(id, { Meta: { v: '2' } }), EnforceIndex: true, JobModifyIndex: first.json.JobModifyIndex });
      expect(ok.status).toBe(200);
    });

    it('refuses an update that changes what a job is (type, periodic, parameterized), a port label used twice and a static port reserved twice', async () => {
      const id = uniqueId('conf-kind');
      await register(serviceJob(id));
      expectPlainError(await api('PUT', '/v1/jobs', { Job: serviceJob(id, { Type: 'batch' }) }), 500, /cannot update job from type "service" to "batch"$/);
      expectPlainError(
        await api('PUT', '/v1/jobs', { Job: serviceJob(id, { Type: 'batch', Periodic: { Enabled: true, Spec: '0 3 * * *', SpecType: 'cron' } }) }),
        500, /cannot update job from type "service" to "batch"$/,
      );
      const batch = uniqueId('conf-kind-batch');
      await register(serviceJob(batch, { Type: 'batch' }));
      expectPlainError(await api('PUT', '/v1/jobs', { Job: serviceJob(batch, { Type: 'batch', Periodic: { Enabled: true, Spec: '0 3 * * *', SpecType: 'cron' } }) }), 500, /cannot update non-periodic job to being periodic$/);
      expectPlainError(await api('PUT', '/v1/jobs', { Job: serviceJob(batch, { Type: 'batch', ParameterizedJob: { Payload: 'optional' } }) }), 500, /cannot update non-parameterized job to being parameterized$/);
      const twice = uniqueId('conf-ports');
      const group = serviceJob(twice).TaskGroups[0];
      const dup = serviceJob(twice, { TaskGroups: [{ ...group, Networks: [{ ReservedPorts: [{ Label: 'http', Value: 18080 }], DynamicPorts: [{ Label: 'http' }] }] }] });
      expectPlainError(await api('PUT', '/v1/jobs', { Job: dup }), 500, /Port label http already in use by taskgroup network/);
      expect((await api('GET', `/v1/job/${twice}`)).status).toBe(404);
      // a static port is reserved once in a group (unless the later port ignores collisions), and fits in 16 bits
      const statics = (ports: Array<Record<string, unknown>>) => serviceJob(twice, { TaskGroups: [{ ...group, Networks: [{ ReservedPorts: ports }] }] });
      const clash = await api('PUT', '/v1/jobs', { Job: statics([{ Label: 'http', Value: 18080 }, { Label: 'admin', Value: 18080 }]) });
      expectPlainError(clash, 500, /\n\t\* Static port 18080 already reserved by taskgroup network:http\n/);
      expect(clash.text).not.toMatch(/Port label/);
      expectPlainError(await api('PUT', '/v1/jobs', { Job: statics([{ Label: 'http', Value: 70000 }]) }), 500, /\n\t\* Port http \(70000\) cannot be greater than 65535\n/);
      expect((await api('GET', `/v1/job/${twice}`)).status).toBe(404);
      await register(statics([{ Label: 'http', Value: 18080 }, { Label: 'admin', Value: 18080, IgnoreCollision: true }]));
      // a task name used twice in a group: the error names both tasks
      const named = uniqueId('conf-task-twice');
      const one = serviceJob(named).TaskGroups[0];
      const doubled = serviceJob(named, { TaskGroups: [{ ...one, Tasks: [one.Tasks[0], { ...one.Tasks[0] }] }] });
      expectPlainError(await api('PUT', '/v1/jobs', { Job: doubled }), 500, new RegExp(`\\* Task 2 redefines '${one.Tasks[0].Name}' from task 1\\n`));
    });

    it('bumps the version on a changed spec, keeps it on an identical one (still creating an evaluation)', async () => {
      const id = uniqueId('conf-ver');
      await register(serviceJob(id));
      const same = await api('PUT', '/v1/jobs', { Job: serviceJob(id) });
      expect(same.json.EvalID).toMatch(/^[0-9a-f-]{36}$/);
      expect((await api('GET', `/v1/job/${id}`)).json.Version).toBe(0);
      await api('PUT', '/v1/jobs', { Job: serviceJob(id, { Meta: { change: '1' } }) });
      const job = await api('GET', `/v1/job/${id}`);
      expect(job.json.Version).toBe(1);
      const versions = await api('GET', `/v1/job/${id}/versions`);
      expect(versions.status).toBe(200);
      expect(specErrors('GET', '/job/{jobName}/versions', versions.json)).toEqual([]);
      expect(versions.json.Versions.map((v: any) => v.Version)).toEqual([1, 0]);
      expectPlainError(await api('GET', '/v1/job/never-was-here/versions'), 404, 'job versions not found');
    });

    it('routes job IDs containing "/" by suffix, never splitting them', async () => {
      const id = `${uniqueId('conf-parent')}/dispatch-1700000000-abcd1234`;
      await register(serviceJob(id));
      const got = await api('GET', `/v1/job/${encodeURIComponent(id)}`);
      expect(got.status).toBe(200);
      expect(got.json.ID).toBe(id);
      const summary = await api('GET', `/v1/job/${encodeURIComponent(id)}/summary`);
      expect(summary.status).toBe(200);
      expect(summary.json.JobID).toBe(id);
    });

    it('plans without changing state', async () => {
      const id = uniqueId('conf-plan');
      const r = await api('PUT', `/v1/job/${id}/plan`, { Job: serviceJob(id), Diff: true });
      expect(r.status).toBe(200);
      expect(r.json.JobModifyIndex).toBe(0);
      expect(r.json.Annotations.DesiredTGUpdates.web.Place).toBe(1);
      expect((await api('GET', `/v1/job/${id}`)).status).toBe(404);
      expectPlainError(await api('PUT', `/v1/job/${id}/plan`, { Job: serviceJob('other') }), 400, 'Job ID does not match');
    });
  });

  describe('reads and lists', () => {
    it('answers missing objects with Nomad 404 texts', async () => {
      expectPlainError(await api('GET', '/v1/job/missing-job-x'), 404, 'job not found');
      expectPlainError(await api('GET', '/v1/job/missing-job-x/summary'), 404, 'job not found');
      expectPlainError(await api('GET', '/v1/allocation/00000000-0000-0000-0000-000000000000'), 404, 'alloc not found');
      expectPlainError(await api('GET', '/v1/evaluation/00000000-0000-0000-0000-000000000000'), 404, 'eval not found');
      const dep = await api('GET', '/v1/job/missing-job-x/deployment');
      expect(dep.status).toBe(200);
      expect(dep.text).toBe('null');
      expect((await api('GET', '/v1/job/missing-job-x/allocations')).json).toEqual([]);
    });

    it('lists jobs sorted, by prefix, by filter, paginated with X-Nomad-NextToken', async () => {
      const prefix = uniqueId('conf-list');
      for (const n of ['a', 'b', 'c']) await register(serviceJob(`${prefix}-${n}`, n === 'b' ? { Meta: { team: 'blue' } } : {}));
      const all = await api('GET', `/v1/jobs?prefix=${prefix}`);
      expect(specErrors('GET', '/jobs', all.json)).toEqual([]);
      expect(all.json.map((j: any) => j.ID)).toEqual([`${prefix}-a`, `${prefix}-b`, `${prefix}-c`]);
      expect(all.json[0].JobSummary.Summary.web).toEqual(expect.objectContaining({ Queued: expect.any(Number), Running: expect.any(Number) }));
      expect(all.headers.get('x-nomad-nexttoken')).toBeNull();
      const page1 = await api('GET', `/v1/jobs?prefix=${prefix}&per_page=2`);
      expect(page1.json).toHaveLength(2);
      expect(page1.headers.get('x-nomad-nexttoken')).toBe(`default.${prefix}-c`);
      const page2 = await api('GET', `/v1/jobs?prefix=${prefix}&per_page=2&next_token=${encodeURIComponent(`default.${prefix}-c`)}`);
      expect(page2.json.map((j: any) => j.ID)).toEqual([`${prefix}-c`]);
      expect(page2.headers.get('x-nomad-nexttoken')).toBeNull();
      const filtered = await api('GET', `/v1/jobs?prefix=${prefix}&filter=${encodeURIComponent('Meta.team == "blue"')}`);
      expect(filtered.json.map((j: any) => j.ID)).toEqual([`${prefix}-b`]);
      // (the random prefix may itself contain "-a", so the contains-operand is the whole name)
      const byType = await api('GET', `/v1/jobs?prefix=${prefix}&filter=${encodeURIComponent(`Type == "batch" or Name contains "${prefix}-a"`)}`);
      expect(byType.json.map((j: any) => j.ID)).toEqual([`${prefix}-a`]);
      const withMeta = await api('GET', `/v1/jobs?prefix=${prefix}&meta=true`);
      expect(withMeta.json[1].Meta).toEqual({ team: 'blue' });
      expect('Meta' in withMeta.json[0]).toBe(false);
      expect('Meta' in all.json[1]).toBe(false);
      expect((await api('GET', '/v1/jobs?namespace=no-such-namespace-x')).json).toEqual([]);
      const star = await api('GET', `/v1/jobs?namespace=*&prefix=${prefix}`);
      expect(star.json).toHaveLength(3);
    });
  });
});
