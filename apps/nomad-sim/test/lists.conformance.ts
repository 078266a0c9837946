import { uniqueId, waitFor } from '../../../test/support/http';
import { specErrors } from '../../../test/support/openapi';
import { conformanceApi, openTarget, serviceJob, Target } from './target';

/**
 * Nomad HTTP API conformance: cluster-wide lists (allocations, evaluations, deployments, search, paging)
 * and blocking queries.
 * Shapes are checked against the OpenAPI spec with BEHAVIOUR.md's errata. Runs against the simulator by
 * default, or against NOMAD_ADDR.
 */
describe('Nomad API conformance: cluster-wide lists and blocking queries', () => {
  let t: Target;
  const created: string[] = [];
  const { api, register, runningAllocs, expectPlainError } = conformanceApi(() => t, created);

  beforeAll(async () => {
    t = await openTarget();
  });
  afterAll(async () => {
    for (const id of created) await api('DELETE', `/v1/job/${encodeURIComponent(id)}?purge=true`);
    await t.close();
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
      expect((await api('PUT', `/v1/job/${id}/evaluate`, { JobID: id })).status).toBe(200);
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

    it('reads ?prefix on allocations, evaluations, deployments and nodes as UUID bytes: hyphens and case do not matter, an odd or non-hex prefix is a 500', async () => {
      const id = uniqueId('conf-uuidprefix');
      const reg = await register(serviceJob(id));
      const [alloc] = await runningAllocs(id);
      const dep = await waitFor(`deployment of ${id}`, async () => (await api('GET', `/v1/job/${id}/deployment`)).json);
      const lists = [
        { list: 'allocations', id: alloc.ID, lookup: 'alloc lookup failed: ' },
        { list: 'evaluations', id: reg.json.EvalID as string, lookup: 'eval lookup failed: ' },
        { list: 'deployments', id: dep.ID as string, lookup: '' },
        { list: 'nodes', id: alloc.NodeID as string, lookup: 'node lookup failed: ' },
      ];
      for (const l of lists) {
        const found = async (prefix: string) => (await api<any[]>('GET', `/v1/${l.list}?prefix=${encodeURIComponent(prefix)}`)).json.map((x) => x.ID);
        // "5457f16d0f87" finds "5457f16d-0f87-…": the index compares bytes, not text
        expect({ list: l.list, found: await found(l.id.replace(/-/g, '').slice(0, 12)) }).toEqual({ list: l.list, found: expect.arrayContaining([l.id]) });
        expect({ list: l.list, found: await found(l.id.slice(0, 8).toUpperCase()) }).toEqual({ list: l.list, found: expect.arrayContaining([l.id]) });
        expectPlainError(await api('GET', `/v1/${l.list}?prefix=${l.id.slice(0, 7)}`), 500, `${l.lookup}index error: Input (without hyphens) must be even length`);
        expectPlainError(await api('GET', `/v1/${l.list}?prefix=zz`), 500, `${l.lookup}index error: Invalid UUID: encoding/hex: invalid byte: U+007A 'z'`);
      }
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
