import { readFileSync } from 'node:fs';
import { uniqueId, waitFor } from '../../../test/support/http';
import { SPEC_DIR, specAvailable } from '../../../test/support/nomad-api-spec';
import { specErrors } from '../../../test/support/openapi';
import { conformanceApi, openTarget, serviceJob, Target } from './target';

/**
 * Nomad HTTP API conformance: the plan's Diff and Annotations (nomad/structs/diff.go, scheduler/annotate.go,
 * the reconciler's DesiredTGUpdates), version diffs, and job submissions. Runs against the simulator by
 * default, or against NOMAD_ADDR.
 */
describe('Nomad API conformance: plan, version diffs and submissions', () => {
  let t: Target;
  const created: string[] = [];
  const { api, register, runningAllocs, expectPlainError } = conformanceApi(() => t, created);
  const plan = (job: Record<string, unknown>, diff = true) => api('PUT', `/v1/job/${encodeURIComponent(job.ID as string)}/plan`, { Job: job, Diff: diff });
  type Node = { Type: string; Name: string; Fields?: any[] | null; Objects?: Node[] | null; Tasks?: any[] | null; Updates?: Record<string, number> | null; Annotations?: string[] | null };
  const named = (list: Node[] | null | undefined, name: string) => (list ?? []).find((n) => n.Name === name)!;
  const changedFields = (n: Node) => (n.Fields ?? []).filter((f) => f.Type !== 'None').map((f) => [f.Type, f.Name, f.Old, f.New]);

  beforeAll(async () => {
    t = await openTarget();
  });
  afterAll(async () => {
    for (const id of created) await api('DELETE', `/v1/job/${encodeURIComponent(id)}?purge=true`);
    await t.close();
  });

  it('plans a new job: the diff is Added throughout, the group will "create", its task "forces create"; nothing is registered', async () => {
    const id = uniqueId('conf-plan-new');
    const r = await plan(serviceJob(id));
    expect(r.status).toBe(200);
    expect(specErrors('POST', '/job/{jobName}/plan', r.json)).toEqual([]);
    expect(r.headers.get('x-nomad-index')).toBe('0');
    expect(r.json).toMatchObject({ JobModifyIndex: 0, FailedTGAllocs: null, Warnings: '' });
    expect(r.json.Annotations.DesiredTGUpdates.web).toMatchObject({ Place: 1, Ignore: 0, Stop: 0, InPlaceUpdate: 0, DestructiveUpdate: 0 });
    const d = r.json.Diff;
    expect([d.Type, d.ID]).toEqual(['Added', id]);
    expect(d.Fields).toEqual(expect.arrayContaining([{ Type: 'Added', Name: 'Type', Old: '', New: 'service', Annotations: null }, { Type: 'Added', Name: 'Priority', Old: '', New: '50', Annotations: null }]));
    expect(named(d.Objects, 'Datacenters')).toMatchObject({ Type: 'Added', Fields: [{ Type: 'Added', Name: 'Datacenters', New: 'dc1' }] });
    const g = named(d.TaskGroups, 'web');
    expect(g).toMatchObject({ Type: 'Added', Updates: { create: 1 } });
    expect(named(g.Fields as Node[], 'Count')).toMatchObject({ Type: 'Added', New: '1', Annotations: ['forces create'] });
    const task = named(g.Tasks, 'nginx');
    expect(task).toMatchObject({ Type: 'Added', Annotations: ['forces create'] });
    expect(task.Fields).toEqual(expect.arrayContaining([{ Type: 'Added', Name: 'Driver', Old: '', New: 'docker', Annotations: null }]));
    expect(named(task.Objects, 'Config').Fields).toEqual(expect.arrayContaining([{ Type: 'Added', Name: 'image', Old: '', New: 'nginx:1.27', Annotations: null }]));
    expect(named(task.Objects, 'Resources').Fields).toEqual(expect.arrayContaining([{ Type: 'Added', Name: 'MemoryMB', Old: '', New: '64', Annotations: null }]));
    expect((await api('GET', `/v1/job/${id}`)).status).toBe(404);
    expect((await plan(serviceJob(id), false)).json.Diff).toBeNull();
    // the keys of Nomad's documented plan answer, at every level of the diff (the sample elides some lists)
    if (specAvailable()) {
      const sample = JSON.parse(readFileSync(`${SPEC_DIR}/samples/POST_v1_job_ID_plan.response.json`, 'utf8'));
      const keys = (o: object) => Object.keys(o).sort();
      expect(keys(r.json)).toEqual(expect.arrayContaining(keys(sample)));
      expect(keys(r.json.Annotations.DesiredTGUpdates.web)).toEqual(expect.arrayContaining(keys(sample.Annotations.DesiredTGUpdates.cache)));
      expect(keys(d)).toEqual(keys(sample.Diff));
      expect(keys(g)).toEqual(keys(sample.Diff.TaskGroups[0]));
      expect(keys(task)).toEqual(keys(sample.Diff.TaskGroups[0].Tasks[0]));
      expect(keys(task.Fields![0])).toEqual(keys(sample.Diff.TaskGroups[0].Tasks[0].Fields[0]));
      expect(keys(named(d.Objects, 'Datacenters'))).toEqual(keys(sample.Diff.Objects[0]));
    }
  });

  describe('changes to a running job (count 2, MaxParallel 1)', () => {
    const id = uniqueId('conf-plan-edit');
    const base = (edit: (j: any) => void = () => undefined) => {
      const j: any = serviceJob(id, { Meta: { team: 'a' } });
      j.TaskGroups[0].Count = 2;
      edit(j);
      return j;
    };
    let jobModifyIndex = 0;

    beforeAll(async () => {
      jobModifyIndex = (await register(base())).json.JobModifyIndex;
      await runningAllocs(id, 2);
    });

    it('the same spec: nothing to do, every allocation ignored, the diff None', async () => {
      const r = await plan(base());
      expect(r.json.JobModifyIndex).toBe(jobModifyIndex);
      expect(r.headers.get('x-nomad-index')).toBe(String(jobModifyIndex));
      expect(r.json.Diff.Type).toBe('None');
      expect(r.json.Annotations.DesiredTGUpdates.web).toMatchObject({ Ignore: 2, Place: 0, InPlaceUpdate: 0, DestructiveUpdate: 0 });
      expect(named(r.json.Diff.TaskGroups, 'web')).toMatchObject({ Type: 'None', Updates: { ignore: 2 } });
    });

    it('a new image replaces allocations one at a time (MaxParallel): 1 create/destroy update, 1 ignored for now', async () => {
      const r = await plan(base((j) => (j.TaskGroups[0].Tasks[0].Config.image = 'nginx:1.28')));
      expect(specErrors('POST', '/job/{jobName}/plan', r.json)).toEqual([]);
      expect(r.json.Annotations.DesiredTGUpdates.web).toMatchObject({ DestructiveUpdate: 1, Ignore: 1, InPlaceUpdate: 0, Place: 0 });
      expect(r.json.Diff.Type).toBe('Edited');
      const g = named(r.json.Diff.TaskGroups, 'web');
      expect(g).toMatchObject({ Type: 'Edited', Updates: { 'create/destroy update': 1, ignore: 1 } });
      const task = named(g.Tasks, 'nginx');
      expect(task).toMatchObject({ Type: 'Edited', Annotations: ['forces create/destroy update'] });
      const config = named(task.Objects, 'Config');
      expect(config.Type).toBe('Edited');
      expect(changedFields(config)).toEqual([['Edited', 'image', 'nginx:1.27', 'nginx:1.28']]);
      // contextual: the block's unchanged fields come along as None
      expect(config.Fields).toContainEqual({ Type: 'None', Name: 'ports[0]', Old: 'http', New: 'http', Annotations: null });
    });

    it('a higher count places the new allocation and updates the others in place', async () => {
      const r = await plan(base((j) => (j.TaskGroups[0].Count = 3)));
      expect(r.json.Annotations.DesiredTGUpdates.web).toMatchObject({ Place: 1, InPlaceUpdate: 2, DestructiveUpdate: 0, Stop: 0 });
      const g = named(r.json.Diff.TaskGroups, 'web');
      expect(g.Updates).toEqual({ create: 1, 'in-place update': 2 });
      expect(g.Fields).toEqual([{ Type: 'Edited', Name: 'Count', Old: '2', New: '3', Annotations: ['forces create'] }]);
      const down = await plan(base((j) => (j.TaskGroups[0].Count = 1)));
      expect(down.json.Annotations.DesiredTGUpdates.web).toMatchObject({ Stop: 1, InPlaceUpdate: 1 });
      expect(named(down.json.Diff.TaskGroups, 'web').Fields![0].Annotations).toEqual(['forces destroy']);
    });

    it('a changed kill timeout is in place; a changed job meta replaces allocations (it is part of every task\'s meta)', async () => {
      const kill = await plan(base((j) => (j.TaskGroups[0].Tasks[0].KillTimeout = 9_000_000_000)));
      expect(kill.json.Annotations.DesiredTGUpdates.web).toMatchObject({ InPlaceUpdate: 2, DestructiveUpdate: 0 });
      expect(named(named(kill.json.Diff.TaskGroups, 'web').Tasks, 'nginx')).toMatchObject({ Annotations: ['forces in-place update'] });
      const meta = await plan(base((j) => (j.Meta = { team: 'b' })));
      expect(changedFields(meta.json.Diff)).toEqual([['Edited', 'Meta[team]', 'a', 'b']]);
      expect(meta.json.Annotations.DesiredTGUpdates.web).toMatchObject({ DestructiveUpdate: 1, Ignore: 1 });
    });

    it('with canaries, a new image places the canary first and leaves the others until promotion', async () => {
      const r = await plan(base((j) => Object.assign(j.TaskGroups[0], { Update: { Canary: 1 } }, { Tasks: [{ ...j.TaskGroups[0].Tasks[0], Config: { image: 'nginx:1.28', ports: ['http'] } }] })));
      expect(r.json.Annotations.DesiredTGUpdates.web).toMatchObject({ Canary: 1, Ignore: 2, DestructiveUpdate: 0, Place: 0 });
      const g = named(r.json.Diff.TaskGroups, 'web');
      expect(g.Updates).toEqual({ canary: 1, ignore: 2 });
      expect(changedFields(named(g.Objects, 'Update'))).toEqual([['Edited', 'Canary', '0', '1']]);
    });

    it('a stopped spec stops every allocation', async () => {
      const r = await plan(base((j) => (j.Stop = true)));
      expect(r.json.Annotations.DesiredTGUpdates.web).toMatchObject({ Stop: 2, Place: 0, Ignore: 0, InPlaceUpdate: 0 });
      expect(changedFields(r.json.Diff)).toEqual([['Edited', 'Stop', 'false', 'true']]);
    });

    it('a group that would not fit is a placement failure, with the blocked evaluation the plan would create', async () => {
      const r = await plan(base((j) => (j.TaskGroups[0].Tasks[0].Resources = { CPU: 100, MemoryMB: 4_000_000 })));
      expect(r.json.FailedTGAllocs.web).toMatchObject({ NodesExhausted: expect.any(Number), DimensionExhausted: { memory: expect.any(Number) } });
      expect(r.json.CreatedEvals).toHaveLength(1);
      expect(r.json.CreatedEvals[0]).toMatchObject({ Status: 'blocked', JobID: id, TriggeredBy: 'queued-allocs' });
      expect((await api('GET', `/v1/job/${id}/evaluations`)).json.filter((e: any) => e.Status === 'blocked')).toEqual([]);
    });

    it('a task asking for memory_max is warned that oversubscription is off', async () => {
      const r = await plan(base((j) => (j.TaskGroups[0].Tasks[0].Resources = { CPU: 100, MemoryMB: 64, MemoryMaxMB: 128 })));
      expect(r.json.Warnings).toBe('1 warning:\n\n* Memory oversubscription is not enabled; Task "web.nginx" memory_max value will be ignored. Update the Scheduler Configuration to allow oversubscription.');
    });
  });

  it('applying a count change: the allocations updated in place join the new rollout, which succeeds and marks the version stable', async () => {
    const id = uniqueId('conf-inplace');
    await register(serviceJob(id));
    await runningAllocs(id, 1);
    const grown: any = serviceJob(id);
    grown.TaskGroups[0].Count = 2;
    const planned = await plan(grown);
    expect(planned.json.Annotations.DesiredTGUpdates.web).toMatchObject({ Place: 1, InPlaceUpdate: 1 });
    await register(grown);
    const deployment = await waitFor('the rollout of version 1 to succeed', async () => {
      const d = (await api('GET', `/v1/job/${id}/deployment`)).json;
      return d?.JobVersion === 1 && d.Status === 'successful' ? d : undefined;
    }, 60000);
    expect(deployment.TaskGroups.web).toMatchObject({ DesiredTotal: 2, HealthyAllocs: 2 });
    expect((await api('GET', `/v1/job/${id}`)).json).toMatchObject({ Version: 1, Stable: true });
  });

  it('versions?diffs=true answers the diff of each version to the one before it; diff_version compares all to one', async () => {
    const id = uniqueId('conf-vdiff');
    await register(serviceJob(id));
    await register(serviceJob(id, {}, { Config: { image: 'nginx:1.28', ports: ['http'] } }));
    await register(serviceJob(id, { Meta: { owner: 'ops' } }, { Config: { image: 'nginx:1.28', ports: ['http'] } }));
    const r = await api('GET', `/v1/job/${id}/versions?diffs=true`);
    expect(specErrors('GET', '/job/{jobName}/versions', r.json)).toEqual([]);
    expect(r.json.Versions.map((v: any) => v.Version)).toEqual([2, 1, 0]);
    expect(r.json.Diffs).toHaveLength(2);
    expect(changedFields(r.json.Diffs[0])).toEqual([['Added', 'Meta[owner]', '', 'ops']]);
    const task = named(named(r.json.Diffs[1].TaskGroups, 'web').Tasks, 'nginx');
    expect(changedFields(named(task.Objects, 'Config'))).toEqual([['Edited', 'image', 'nginx:1.27', 'nginx:1.28']]);
    // version diffs carry no scheduler annotations
    expect(task.Annotations).toBeNull();
    expect((await api('GET', `/v1/job/${id}/versions?diffs=false`)).json.Diffs).toBeNull();
    const against = await api('GET', `/v1/job/${id}/versions?diffs=true&diff_version=0`);
    expect(against.json.Diffs.map((d: any) => d.Type)).toEqual(['Edited', 'Edited', 'None']);
  });

  it('keeps the source a version was submitted with: GET /v1/job/:id/submission?version=', async () => {
    const id = uniqueId('conf-sub');
    created.push(id);
    const source = `job "${id}" {\n  group "web" {}\n}\n`;
    const reg = await api('PUT', '/v1/jobs', { Job: serviceJob(id), Submission: { Source: source, Format: 'hcl2', VariableFlags: { env: 'prod' }, Variables: '' } });
    expect(reg.status).toBe(200);
    const r = await api('GET', `/v1/job/${id}/submission?version=0`);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ Source: source, Format: 'hcl2', VariableFlags: { env: 'prod' }, JobID: id, Namespace: 'default', Version: 0 });
    expect(Number(r.headers.get('x-nomad-index'))).toBeGreaterThan(0);
    expectPlainError(await api('GET', `/v1/job/${id}/submission?version=1`), 404, 'job source not found');
    expectPlainError(await api('GET', `/v1/job/${id}/submission`), 400, 'Unable to parse job submission version parameter');
    // a version registered without a source has none
    await register(serviceJob(id, { Meta: { v: '2' } }));
    expectPlainError(await api('GET', `/v1/job/${id}/submission?version=1`), 404, 'job source not found');
  });
});
