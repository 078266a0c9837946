import { call, Reply, uniqueId, waitFor } from '../../../test/support/http';
import { componentErrors, specErrors } from '../../../test/support/openapi';
import { openTarget, serviceJob, Target } from './target';

/**
 * Nomad HTTP API conformance: status codes, plain-text errors, headers, shapes (OpenAPI spec + BEHAVIOUR.md
 * errata) and life cycle. Runs against the simulator by default, or against NOMAD_ADDR.
 */
describe('Nomad API conformance', () => {
  let t: Target;
  const created: string[] = [];
  const api = <T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> =>
    call<T>(t.url, method, path, { body, headers: { ...t.headers, ...headers } });
  const register = async (job: Record<string, unknown>, method = 'PUT') => {
    created.push(job.ID as string);
    const r = await api(method, '/v1/jobs', { Job: job });
    expect(r.status).toBe(200);
    return r;
  };
  const expectPlainError = (r: Reply, status: number, body: string | RegExp) => {
    expect(r.status).toBe(status);
    expect(r.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    if (typeof body === 'string') expect(r.text).toBe(body);
    else expect(r.text).toMatch(body);
  };
  const runningAllocs = (id: string, n = 1) =>
    waitFor(`${n} running alloc(s) of ${id}`, async () => {
      const r = await api<any[]>('GET', `/v1/job/${encodeURIComponent(id)}/allocations`);
      const running = r.json.filter((a) => a.ClientStatus === 'running');
      return running.length >= n ? running : undefined;
    }, 60000);

  beforeAll(async () => {
    t = await openTarget();
  });
  afterAll(async () => {
    for (const id of created) await api('DELETE', `/v1/job/${encodeURIComponent(id)}?purge=true`);
    await t.close();
  });

  describe('transport and errors', () => {
    it('answers the leader as a JSON string without meta headers', async () => {
      const r = await api('GET', '/v1/status/leader');
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      expect(typeof r.json).toBe('string');
      expect(r.json).toMatch(/:\d+$/);
      expect(r.headers.get('x-nomad-index')).toBeNull();
    });

    it('reports itself at /v1/agent/self with lower-case top-level keys and a Version object', async () => {
      const r = await api('GET', '/v1/agent/self');
      expect(r.status).toBe(200);
      expect(Object.keys(r.json)).toEqual(expect.arrayContaining(['config', 'member', 'stats']));
      expect(typeof r.json.config.Region).toBe('string');
      expect(typeof r.json.config.Datacenter).toBe('string');
      expect(typeof r.json.config.Version.Version).toBe('string');
      expect(r.json.member.Name).toContain('.');
    });

    it('lists regions', async () => {
      const r = await api('GET', '/v1/regions');
      expect(r.status).toBe(200);
      expect(specErrors('GET', '/regions', r.json)).toEqual([]);
      expect(r.json.length).toBeGreaterThan(0);
    });

    it('redirects / to the UI and indents JSON with ?pretty', async () => {
      const root = await api('GET', '/');
      expect(root.status).toBe(307);
      expect(root.headers.get('location')).toBe('/ui/');
      const pretty = await api('GET', '/v1/regions?pretty');
      expect(pretty.text).toMatch(/^\[\n {4}"/);
      expect(pretty.text.endsWith('\n')).toBe(true);
    });

    it('serves its own region and has no path to others', async () => {
      const region = (await api('GET', '/v1/agent/self')).json.config.Region;
      expect((await api('GET', `/v1/jobs?region=${region}`)).status).toBe(200);
      expectPlainError(await api('GET', '/v1/jobs?region=no-such-region-x'), 500, 'No path to region');
    });

    it('answers an unknown path with 404 and an empty body', async () => {
      const r = await api('GET', '/v1/no-such-endpoint');
      expect(r.status).toBe(404);
      expect(r.text).toBe('');
    });

    it('answers a wrong verb with 405 Invalid method', async () => {
      expectPlainError(await api('DELETE', '/v1/jobs'), 405, 'Invalid method');
    });

    it('answers a wrong verb with 405 before anything else is checked (ACL state, unimplemented parts)', async () => {
      expectPlainError(await api('PATCH', '/v1/acl/policy/any-policy'), 405, 'Invalid method');
      expectPlainError(await api('DELETE', '/v1/job/any-job/submission?version=0'), 405, 'Invalid method');
    });

    it('rejects malformed blocking and paging parameters with 400 and Nomad texts', async () => {
      expectPlainError(await api('GET', '/v1/jobs?wait=soon&index=1'), 400, 'Invalid wait time');
      expectPlainError(await api('GET', '/v1/jobs?index=abc'), 400, 'Invalid index');
      expectPlainError(await api('GET', '/v1/jobs?per_page=many'), 400, 'Expect a number for `per_page` query string parameter');
      expectPlainError(await api('GET', '/v1/jobs?filter=' + encodeURIComponent('Status ==')), 400, /^failed to create result paginator: /);
    });
  });

  describe('namespaces and nodes', () => {
    it('always has the default namespace, sorted lists, and 404 text for a missing one', async () => {
      const r = await api('GET', '/v1/namespaces');
      expect(r.status).toBe(200);
      expect(specErrors('GET', '/namespaces', r.json)).toEqual([]);
      const def = r.json.find((n: any) => n.Name === 'default');
      expect(def.Description).toBe('Default shared namespace');
      const names = r.json.map((n: any) => n.Name);
      expect(names).toEqual([...names].sort());
      expectPlainError(await api('GET', '/v1/namespace/does-not-exist-x'), 404, 'Namespace not found');
    });

    it('creates, reads and deletes a namespace (200 with empty body on writes)', async () => {
      const name = uniqueId('conf-ns');
      const put = await api('PUT', `/v1/namespace/${name}`, { Name: name, Description: 'conformance' });
      expect(put.status).toBe(200);
      expect(put.text).toBe('');
      const got = await api('GET', `/v1/namespace/${name}`);
      expect(got.status).toBe(200);
      expect(specErrors('GET', '/namespace/{namespaceName}', got.json)).toEqual([]);
      expect(got.json).toMatchObject({ Name: name, Description: 'conformance' });
      expect(Number(got.headers.get('x-nomad-index'))).toBeGreaterThan(0);
      const mismatch = await api('POST', `/v1/namespace/${name}`, { Name: 'other-name' });
      expectPlainError(mismatch, 400, 'Namespace name does not match request path');
      expect((await api('DELETE', `/v1/namespace/${name}`)).status).toBe(200);
      expect((await api('GET', `/v1/namespace/${name}`)).status).toBe(404);
    });

    it('lists ready nodes with a healthy docker driver, and serves the node with its HTTPAddr', async () => {
      const r = await api('GET', '/v1/nodes');
      expect(r.status).toBe(200);
      expect(specErrors('GET', '/nodes', r.json)).toEqual([]);
      const ready = r.json.filter((n: any) => n.Status === 'ready' && n.Drivers?.docker?.Healthy);
      expect(ready.length).toBeGreaterThan(0);
      expect(r.json[0].Attributes).toBeUndefined();
      const node = await api('GET', `/v1/node/${ready[0].ID}`);
      expect(node.status).toBe(200);
      expect(typeof node.json.HTTPAddr).toBe('string');
    });
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
      const next = await api('GET', `/v1/allocation/${replaced.json.NextAllocation}`);
      expect(next.json.PreviousAllocation).toBe(a.ID);
    });

    it('scales a group (new version, job-scaling evaluation) and reports scale status', async () => {
      const id = uniqueId('conf-scale');
      await register(serviceJob(id));
      await runningAllocs(id);
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
      expectPlainError(await api('PUT', `/v1/job/${id}/periodic/force`), 500, "can't force run non-periodic job");
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
      const job = await api('GET', `/v1/job/${id}`);
      expect(job.json.Status).toBe('pending');
      const summary = await api('GET', `/v1/job/${id}/summary`);
      expect(summary.json.Summary.web.Queued).toBe(1);
    });
  });

  describe('cluster-wide lists', () => {
    it('lists allocations, evaluations and deployments (also by prefix and for every namespace) and reads them one by one', async () => {
      const id = uniqueId('conf-lists');
      const reg = await register(serviceJob(id));
      const [alloc] = await runningAllocs(id);
      const allocs = await api('GET', `/v1/allocations?prefix=${alloc.ID.slice(0, 8)}`);
      expect(allocs.status).toBe(200);
      expect(specErrors('GET', '/allocations', allocs.json)).toEqual([]);
      expect(allocs.json.map((a: any) => a.ID)).toContain(alloc.ID);
      expect('AllocatedResources' in allocs.json[0]).toBe(false);
      const slim = await api('GET', `/v1/allocations?prefix=${alloc.ID.slice(0, 8)}&resources=true&task_states=false`);
      expect(slim.json[0].TaskStates).toBeNull();
      expect(slim.json[0].AllocatedResources.Tasks.nginx.Memory.MemoryMB).toBe(64);
      const evals = await api('GET', '/v1/evaluations?namespace=*');
      expect(specErrors('GET', '/evaluations', evals.json)).toEqual([]);
      expect(evals.json.map((e: any) => e.ID)).toContain(reg.json.EvalID);
      const evalAllocs = await api('GET', `/v1/evaluation/${reg.json.EvalID}/allocations`);
      expect(specErrors('GET', '/evaluation/{evalID}/allocations', evalAllocs.json)).toEqual([]);
      expect(evalAllocs.json.map((a: any) => a.ID)).toContain(alloc.ID);
      const related = await api('GET', `/v1/evaluation/${reg.json.EvalID}?related=true`);
      expect(Array.isArray(related.json.RelatedEvals)).toBe(true);
      const deps = await api('GET', '/v1/deployments');
      expect(specErrors('GET', '/deployments', deps.json)).toEqual([]);
      const mine = deps.json.find((d: any) => d.JobID === id);
      const dep = await api('GET', `/v1/deployment/${mine.ID}`);
      expect(specErrors('GET', '/deployment/{deploymentID}', dep.json)).toEqual([]);
      expect(dep.json.JobID).toBe(id);
      expect((await api('GET', '/v1/deployment/00000000-0000-0000-0000-000000000000')).status).toBe(404);
    });

    it('evaluates ?filter on the full allocation and node, not on the list stub (BEHAVIOUR.md §4)', async () => {
      const id = uniqueId('conf-fullfilter');
      await register(serviceJob(id));
      const [alloc] = await runningAllocs(id);
      // Job is a field of the Allocation, not of the AllocListStub
      const allocs = await api('GET', `/v1/allocations?filter=${encodeURIComponent(`Job.ID == "${id}"`)}`);
      expect(allocs.status).toBe(200);
      expect(allocs.json.map((a: any) => a.ID)).toEqual([alloc.ID]);
      expect('Job' in allocs.json[0]).toBe(false);
      // HTTPAddr is a field of the Node, not of the NodeListStub
      const nodes = await api('GET', `/v1/nodes?filter=${encodeURIComponent('HTTPAddr is not empty')}`);
      expect(nodes.status).toBe(200);
      expect(nodes.json.map((n: any) => n.ID)).toContain(alloc.NodeID);
      expect('HTTPAddr' in nodes.json[0]).toBe(false);
    });

    it('lists allocations, evaluations and deployments oldest first, paged by <CreateIndex>.<ID> tokens', async () => {
      const id = uniqueId('conf-paging');
      await register(serviceJob(id, { TaskGroups: [{ ...serviceJob(id).TaskGroups[0], Count: 3 }] }));
      await runningAllocs(id, 3);
      expect((await api('PUT', `/v1/job/${id}/evaluate`, {})).status).toBe(200);
      const mine = `filter=${encodeURIComponent(`JobID == "${id}"`)}`;
      for (const [list, count] of [['allocations', 3], ['evaluations', 2], ['deployments', 1]] as const) {
        const all = (await api<any[]>('GET', `/v1/${list}?${mine}`)).json;
        expect(all.length).toBeGreaterThanOrEqual(count);
        const indexes = all.map((x) => x.CreateIndex);
        expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
        expect((await api<any[]>('GET', `/v1/${list}?${mine}&reverse=true`)).json.map((x) => x.ID)).toEqual(all.map((x) => x.ID).reverse());
        const walked: any[] = [];
        let token = '';
        for (let page = 0; page <= all.length; page++) {
          const r = await api<any[]>('GET', `/v1/${list}?${mine}&per_page=1${token ? `&next_token=${encodeURIComponent(token)}` : ''}`);
          if (token) expect(token).toBe(`${r.json[0].CreateIndex}.${r.json[0].ID}`);
          walked.push(...r.json);
          token = r.headers.get('x-nomad-nexttoken') ?? '';
          if (!token) break;
        }
        expect(walked.map((x) => x.ID)).toEqual(all.map((x) => x.ID));
      }
    });

    it('lists deployments by ID prefix', async () => {
      const ids = [uniqueId('conf-depprefix-a'), uniqueId('conf-depprefix-b')];
      for (const id of ids) await register(serviceJob(id));
      const deps = await Promise.all(ids.map((id) => waitFor(`deployment of ${id}`, async () => (await api('GET', `/v1/job/${id}/deployment`)).json)));
      const prefix = deps[0].ID.slice(0, 8);
      const r = await api('GET', `/v1/deployments?prefix=${prefix}`);
      expect(r.status).toBe(200);
      expect(r.json.map((d: any) => d.ID)).toContain(deps[0].ID);
      expect(r.json.every((d: any) => d.ID.startsWith(prefix))).toBe(true);
    });

    it('answers what the nomad CLI reads besides: node allocations, deployment allocations, alloc stats, members', async () => {
      const id = uniqueId('conf-cli');
      await register(serviceJob(id));
      const [alloc] = await runningAllocs(id);
      const onNode = await api('GET', `/v1/node/${alloc.NodeID}/allocations`);
      expect(specErrors('GET', '/node/{nodeId}/allocations', onNode.json)).toEqual([]);
      expect(onNode.json.map((a: any) => a.ID)).toContain(alloc.ID);
      const dep = await waitFor('deployment', async () => (await api('GET', `/v1/job/${id}/deployment`)).json);
      const depAllocs = await api('GET', `/v1/deployment/allocations/${dep.ID}`);
      expect(specErrors('GET', '/deployment/allocations/{deploymentID}', depAllocs.json)).toEqual([]);
      expect(depAllocs.json.map((a: any) => a.ID)).toContain(alloc.ID);
      const stats = await api('GET', `/v1/client/allocation/${alloc.ID}/stats`);
      expect(stats.status).toBe(200);
      expect(stats.json.ResourceUsage.MemoryStats.RSS).toBeGreaterThan(0);
      expect(Object.keys(stats.json.Tasks)).toEqual(['nginx']);
      const members = await api('GET', '/v1/agent/members');
      expect(members.json.Members[0].Status).toBe('alive');
    });

    it('finds jobs, allocations and nodes by ID prefix with /v1/search (nomad status <prefix>)', async () => {
      const id = uniqueId('conf-search');
      await register(serviceJob(id));
      const [alloc] = await runningAllocs(id);
      const all = await api('POST', '/v1/search', { Prefix: id.slice(0, 12), Context: 'all' });
      expect(all.status).toBe(200);
      expect(specErrors('POST', '/search', all.json)).toEqual([]);
      expect(all.json.Matches.jobs).toContain(id);
      expect(all.json.Truncations.jobs).toBe(false);
      const allocs = await api('PUT', '/v1/search', { Prefix: alloc.ID.slice(0, 8), Context: 'allocs' });
      expect(allocs.json.Matches).toEqual({ allocs: [alloc.ID] });
      expect((await api('POST', '/v1/search', { Prefix: 'x', Context: 'bogus' })).status).toBe(500);
    });

    it('lets ?namespace= win over the namespace in the body and the job', async () => {
      const ns = uniqueId('conf-nsq');
      expect((await api('PUT', `/v1/namespace/${ns}`, { Name: ns })).status).toBe(200);
      const id = uniqueId('conf-nsjob');
      const r = await api('PUT', `/v1/jobs?namespace=${ns}`, { Job: { ...serviceJob(id), Namespace: 'default' }, Namespace: 'default' });
      expect(r.status).toBe(200);
      expect((await api('GET', `/v1/job/${id}?namespace=${ns}`)).json.Namespace).toBe(ns);
      expect((await api('GET', `/v1/job/${id}`)).status).toBe(404);
      await api('DELETE', `/v1/job/${id}?namespace=${ns}&purge=true`);
      await waitFor('namespace deletable', async () => (await api('DELETE', `/v1/namespace/${ns}`)).status === 200);
    });
  });

  describe('blocking queries', () => {
    it('holds a query until the index moves past ?index=, then answers with the new data', async () => {
      const id = uniqueId('conf-block');
      await register(serviceJob(id));
      // let the rollout settle first: status and stability changes also move the job's index
      await waitFor('stable', async () => (await api('GET', `/v1/job/${id}`)).json.Stable, 60000);
      const first = await api('GET', `/v1/job/${id}`);
      const index = Number(first.headers.get('x-nomad-index'));
      const started = Date.now();
      const pending = api('GET', `/v1/job/${id}?index=${index}&wait=20s`);
      await new Promise((r) => setTimeout(r, 300));
      await api('PUT', '/v1/jobs', { Job: serviceJob(id, { Meta: { bump: '1' } }) });
      const r = await pending;
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(Number(r.headers.get('x-nomad-index'))).toBeGreaterThan(index);
      expect(r.json.Meta).toEqual({ bump: '1' });
    });

    it('answers with the same data when the wait ends without a change', async () => {
      const r0 = await api('GET', '/v1/namespaces');
      const index = Number(r0.headers.get('x-nomad-index'));
      const started = Date.now();
      const r = await api('GET', `/v1/namespaces?index=${index}&wait=400ms`);
      const took = Date.now() - started;
      expect(r.status).toBe(200);
      expect(took).toBeGreaterThanOrEqual(380);
      expect(took).toBeLessThan(5000);
      expect(r.headers.get('x-nomad-index')).toBe(String(index));
    });
  });
});
