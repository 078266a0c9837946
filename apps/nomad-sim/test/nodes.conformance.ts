import { uniqueId, waitFor } from '../../../test/support/http';
import { specErrors } from '../../../test/support/openapi';
import { conformanceApi, openTarget, serviceJob, Target } from './target';

/**
 * Nomad HTTP API conformance: node drain and scheduling eligibility (Node.UpdateDrain, Node.UpdateEligibility,
 * the node drainer). On the simulator with two nodes; against NOMAD_ADDR the migration check needs a second
 * eligible node and is skipped on a one-node dev agent. Every test leaves the nodes eligible and undrained.
 */
describe('Nomad API conformance: node drain and eligibility', () => {
  let t: Target;
  const created: string[] = [];
  const { api, register, expectPlainError, runningAllocs } = conformanceApi(() => t, created);
  const node = async (id: string) => (await api('GET', `/v1/node/${id}`)).json;
  const restore = async (id: string) => {
    await api('POST', `/v1/node/${id}/drain`, { DrainSpec: null, MarkEligible: true });
    await api('POST', `/v1/node/${id}/eligibility`, { Eligibility: 'eligible' });
  };

  beforeAll(async () => {
    t = await openTarget({ nodes: 2 });
  });
  afterAll(async () => {
    for (const n of (await api<any[]>('GET', '/v1/nodes')).json) await restore(n.ID);
    for (const id of created) await api('DELETE', `/v1/job/${encodeURIComponent(id)}?purge=true`);
    await t.close();
  });

  it('toggles scheduling eligibility with a node event; nothing new is placed on an ineligible node', async () => {
    const [n] = (await api<any[]>('GET', '/v1/nodes')).json;
    try {
      const r = await api('POST', `/v1/node/${n.ID}/eligibility`, { Eligibility: 'ineligible' });
      expect(r.status).toBe(200);
      expect(specErrors('POST', '/node/{nodeId}/eligibility', r.json)).toEqual([]);
      expect(r.json).toMatchObject({ EvalIDs: null, EvalCreateIndex: 0 });
      expect(r.json.NodeModifyIndex).toBeGreaterThan(0);
      expect(Number(r.headers.get('x-nomad-index'))).toBe(r.json.Index);
      const after = await node(n.ID);
      expect(after).toMatchObject({ SchedulingEligibility: 'ineligible', DrainStrategy: null });
      expect(after.Events.at(-1)).toMatchObject({ Message: 'Node marked as ineligible for scheduling', Subsystem: 'Cluster' });
      expect((await api<any[]>('GET', '/v1/nodes')).json.find((x) => x.ID === n.ID)).toMatchObject({ SchedulingEligibility: 'ineligible', Drain: false });
      // unchanged: Nomad writes nothing and answers zero indexes
      expect((await api('POST', `/v1/node/${n.ID}/eligibility`, { Eligibility: 'ineligible' })).json).toMatchObject({ NodeModifyIndex: 0, Index: 0 });
      const id = uniqueId('conf-inelig');
      await register(serviceJob(id));
      const [a] = await runningAllocs(id);
      expect(a.NodeID).not.toBe(n.ID);
      const back = await api('PUT', `/v1/node/${n.ID}/eligibility`, { Eligibility: 'eligible' });
      expect(back.status).toBe(200);
      expect((await node(n.ID)).Events.at(-1).Message).toBe('Node marked as eligible for scheduling');
    } finally {
      await restore(n.ID);
    }
  });

  it("refuses what Nomad refuses: an unknown eligibility, an unknown node, eligible while draining", async () => {
    // a drain of a node with nothing on it completes at once: drain one that runs an allocation
    const id = uniqueId('conf-draining');
    await register(serviceJob(id));
    const [a] = await runningAllocs(id);
    const n = (await api<any[]>('GET', '/v1/nodes')).json.find((x) => x.ID === a.NodeID);
    try {
      expectPlainError(await api('POST', `/v1/node/${n.ID}/eligibility`, { Eligibility: 'maybe' }), 500, 'invalid scheduling eligibility "maybe"');
      expectPlainError(await api('POST', '/v1/node/00000000-0000-0000-0000-000000000000/eligibility', { Eligibility: 'eligible' }), 500, 'node not found');
      expectPlainError(await api('POST', '/v1/node/00000000-0000-0000-0000-000000000000/drain', { DrainSpec: { Deadline: 60e9 } }), 500, 'node not found');
      expect((await api('POST', `/v1/node/${n.ID}/drain`, { DrainSpec: { Deadline: 3600e9, IgnoreSystemJobs: false } })).status).toBe(200);
      expectPlainError(await api('POST', `/v1/node/${n.ID}/eligibility`, { Eligibility: 'eligible' }), 500, "can not set node's scheduling eligibility to eligible while it is draining");
    } finally {
      await restore(n.ID);
    }
  });

  it('drains a node: ineligible, its allocations migrate (stopped with DesiredTransition.Migrate, replaced elsewhere), then complete', async () => {
    const nodes = (await api<any[]>('GET', '/v1/nodes')).json.filter((x) => x.Status === 'ready');
    // a one-node dev agent has nowhere to migrate to
    if (nodes.length < 2) return;
    const id = uniqueId('conf-drain');
    await register(serviceJob(id, { TaskGroups: [{ ...serviceJob(id).TaskGroups[0], Count: 2 }] }));
    await waitFor('deployed', async () => (await api('GET', `/v1/job/${id}/deployment`)).json?.Status === 'successful', 120000);
    const [first] = await runningAllocs(id, 2);
    const target = first.NodeID;
    const onTarget = (await api<any[]>('GET', `/v1/job/${id}/allocations`)).json.filter((a) => a.NodeID === target && a.DesiredStatus === 'run');
    try {
      const r = await api('POST', `/v1/node/${target}/drain`, { DrainSpec: { Deadline: 600e9, IgnoreSystemJobs: false }, Meta: { reason: 'conformance' } });
      expect(r.status).toBe(200);
      expect(specErrors('POST', '/node/{nodeId}/drain', r.json)).toEqual([]);
      expect(r.json.NodeModifyIndex).toBeGreaterThan(0);
      const draining = await node(target);
      expect(draining.SchedulingEligibility).toBe('ineligible');
      expect(draining.LastDrain).toMatchObject({ Status: expect.stringMatching(/^(draining|complete)$/), Meta: { reason: 'conformance' } });
      expect(draining.Events.map((e: any) => e.Message)).toContain('Node drain strategy set');
      const done = await waitFor('drain complete', async () => {
        const n = await node(target);
        return n.DrainStrategy === null && n.LastDrain?.Status === 'complete' ? n : undefined;
      }, 180000, 100);
      expect(done.SchedulingEligibility).toBe('ineligible');
      expect(done.Events.at(-1)).toMatchObject({ Message: 'Node drain complete', Subsystem: 'Drain' });
      expect((await api<any[]>('GET', '/v1/nodes')).json.find((x) => x.ID === target).Drain).toBe(false);
      for (const a of onTarget) {
        const moved = (await api(`GET`, `/v1/allocation/${a.ID}`)).json;
        expect(moved).toMatchObject({ DesiredStatus: 'stop', DesiredDescription: 'alloc is being migrated', DesiredTransition: { Migrate: true } });
        const next = (await api('GET', `/v1/allocation/${moved.NextAllocation}`)).json;
        expect(next).toMatchObject({ PreviousAllocation: a.ID, Name: a.Name });
        expect(next.NodeID).not.toBe(target);
      }
      const evals = (await api<any[]>('GET', `/v1/job/${id}/evaluations`)).json;
      expect(evals.some((e) => e.TriggeredBy === 'node-drain')).toBe(true);
      await runningAllocs(id, 2);
      // moving allocations is no rollout: the job's one deployment is still the registration's
      expect((await api<any[]>('GET', `/v1/job/${id}/deployments`)).json.map((d) => d.Status)).toEqual(['successful']);
    } finally {
      await restore(target);
    }
  });

  it('system jobs run one allocation per eligible node and are stopped last by a drain, unless IgnoreSystemJobs', async () => {
    const nodes = (await api<any[]>('GET', '/v1/nodes')).json.filter((x) => x.Status === 'ready' && x.SchedulingEligibility === 'eligible');
    const id = uniqueId('conf-system');
    await register({ ...serviceJob(id), Type: 'system' });
    const all = await runningAllocs(id, nodes.length);
    expect(new Set(all.map((a: any) => a.NodeID)).size).toBe(nodes.length);
    expect(all.every((a: any) => a.Name === `${id}.web[0]`)).toBe(true);
    const target = all[0].NodeID;
    const onTarget = () => api<any[]>('GET', `/v1/job/${id}/allocations`).then((r) => r.json.find((a) => a.NodeID === target && a.ID === all[0].ID));
    try {
      expect((await api('POST', `/v1/node/${target}/drain`, { DrainSpec: { Deadline: 600e9, IgnoreSystemJobs: true } })).status).toBe(200);
      await waitFor('drain complete', async () => (await node(target)).LastDrain?.Status === 'complete', 120000, 50);
      expect(await onTarget()).toMatchObject({ DesiredStatus: 'run', ClientStatus: 'running' });
      await restore(target);
      expect((await api('POST', `/v1/node/${target}/drain`, { DrainSpec: { Deadline: 600e9, IgnoreSystemJobs: false } })).status).toBe(200);
      await waitFor('drain complete', async () => (await node(target)).LastDrain?.Status === 'complete', 120000, 50);
      const stopped = await waitFor('system allocation stopped', async () => {
        const a = await onTarget();
        return a?.DesiredStatus === 'stop' ? a : undefined;
      });
      expect(stopped.DesiredTransition.Migrate).toBe(true);
    } finally {
      await restore(target);
    }
  });

  it('a system job whose task changes is replaced on every node, one allocation each of the new version', async () => {
    const nodes = (await api<any[]>('GET', '/v1/nodes')).json.filter((x) => x.Status === 'ready' && x.SchedulingEligibility === 'eligible');
    const id = uniqueId('conf-system-update');
    await register({ ...serviceJob(id), Type: 'system' });
    const before = await runningAllocs(id, nodes.length);
    await register({ ...serviceJob(id, {}, { Config: { image: 'nginx:1.28', ports: ['http'] } }), Type: 'system' });
    const after = await waitFor('the new version on every node', async () => {
      const all = (await api<any[]>('GET', `/v1/job/${id}/allocations`)).json;
      const current = all.filter((a) => a.DesiredStatus === 'run' && a.ClientStatus === 'running' && a.JobVersion === 1);
      const old = all.filter((a) => a.DesiredStatus === 'run' && a.JobVersion === 0);
      return current.length === nodes.length && old.length === 0 ? current : undefined;
    }, 180000, 50);
    expect(new Set(after.map((a: any) => a.NodeID)).size).toBe(nodes.length);
    expect(after.every((a: any) => a.Name === `${id}.web[0]`)).toBe(true);
    for (const a of before) expect((await api('GET', `/v1/allocation/${a.ID}`)).json.DesiredStatus).toBe('stop');
  });

  it('a forced drain (Deadline -1) stops everything at once and completes with deadline_reached; cancelling with MarkEligible makes the node eligible', async () => {
    const id = uniqueId('conf-force');
    await register(serviceJob(id));
    const [a] = await runningAllocs(id);
    try {
      expect((await api('POST', `/v1/node/${a.NodeID}/drain`, { DrainSpec: { Deadline: -1, IgnoreSystemJobs: false } })).status).toBe(200);
      const done = await waitFor('forced drain complete', async () => {
        const n = await node(a.NodeID);
        return n.LastDrain?.Status === 'complete' ? n : undefined;
      }, 60000, 50);
      expect(done.Events.at(-1)).toMatchObject({ Message: 'Node drain complete', Details: { deadline_reached: 'true' } });
      await waitFor('alloc migrated', async () => (await api('GET', `/v1/allocation/${a.ID}`)).json.DesiredTransition.Migrate === true);
      const cancel = await api('POST', `/v1/node/${a.NodeID}/drain`, { DrainSpec: null, MarkEligible: true });
      expect(cancel.status).toBe(200);
      expect((await node(a.NodeID)).SchedulingEligibility).toBe('eligible');
    } finally {
      await restore(a.NodeID);
    }
  });

  it('cancelling a drain (DrainSpec null) leaves LastDrain "canceled" and the node ineligible unless MarkEligible', async () => {
    const [n] = (await api<any[]>('GET', '/v1/nodes')).json;
    try {
      // two allocations pinned to the node: one migrates, its replacement has nowhere to go, so the other must stay
      // (count - max_parallel healthy) and the drain cannot finish before it is cancelled
      const id = uniqueId('conf-cancel');
      const pinned = serviceJob(id, { Constraints: [{ LTarget: '${node.unique.id}', RTarget: n.ID, Operand: '=' }] });
      await register({ ...pinned, TaskGroups: [{ ...pinned.TaskGroups[0], Count: 2 }] });
      await waitFor('deployed', async () => (await api('GET', `/v1/job/${id}/deployment`)).json?.Status === 'successful', 120000);
      expect((await api('POST', `/v1/node/${n.ID}/drain`, { DrainSpec: { Deadline: 3600e9 } })).status).toBe(200);
      await waitFor('one allocation migrating', async () => (await api<any[]>('GET', `/v1/job/${id}/allocations`)).json.some((a) => a.DesiredTransition?.Migrate));
      expect((await node(n.ID)).LastDrain.Status).toBe('draining');
      const r = await api('POST', `/v1/node/${n.ID}/drain`, { DrainSpec: null, MarkEligible: false });
      expect(r.status).toBe(200);
      const after = await node(n.ID);
      expect(after).toMatchObject({ DrainStrategy: null, SchedulingEligibility: 'ineligible', LastDrain: { Status: 'canceled' } });
      expect(after.Events.at(-1)).toMatchObject({ Message: 'Node drain disabled', Subsystem: 'Drain' });
      const running = (await api<any[]>('GET', `/v1/job/${id}/allocations`)).json.filter((a) => a.DesiredStatus === 'run' && a.ClientStatus === 'running');
      expect(running).toHaveLength(1);
    } finally {
      await restore(n.ID);
    }
  });
});
