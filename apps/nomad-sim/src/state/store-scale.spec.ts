import { DEFAULT_TIMINGS, SimState } from './sim-state';

/** The indexes that keep the simulator fast at 10,000 jobs say the same as the scans they replace. */
describe('store indexes', () => {
  let state: SimState;
  const job = (id: string, cpu = 100) => ({
    ID: id, Type: 'service', Datacenters: ['dc1'],
    TaskGroups: [{ Name: 'g', Count: 1, Tasks: [{ Name: 't', Driver: 'docker', Config: { image: 'nginx' }, Resources: { CPU: cpu, MemoryMB: 64 } }] }],
  });
  beforeEach(() => {
    state = new SimState('global', 'dc1', { ...DEFAULT_TIMINGS, startDelayMs: 10, killDelayMs: 10 }, 2);
    state.store.upsertNamespace({ Name: 'a-b' });
    state.store.upsertNamespace({ Name: 'a' });
  });
  afterEach(() => state.close());

  it('lists jobs by namespace then ID, also after jobs are added and purged', () => {
    for (const [ns, id] of [['default', 'web'], ['a-b', 'x'], ['a', 'z'], ['a', 'b-x'], ['default', 'api']]) state.jobs.register(job(id), ns);
    const ids = () => state.store.listJobs('*').map((j) => `${j.Namespace}/${j.ID}`);
    expect(ids()).toEqual(['a/b-x', 'a/z', 'a-b/x', 'default/api', 'default/web']);
    // orders already built are kept as jobs come and go, not rebuilt
    expect(state.store.listJobs('default').map((j) => j.ID)).toEqual(['api', 'web']);
    expect(state.store.listJobs('a').map((j) => j.ID)).toEqual(['b-x', 'z']);
    state.jobs.register(job('aaa'), 'default');
    state.jobs.register(job('zzz'), 'default');
    state.jobs.register(job('m'), 'a');
    state.jobs.deregister('default', 'zzz', true);
    state.jobs.deregister('a', 'z', true);
    expect(ids()).toEqual(['a/b-x', 'a/m', 'a-b/x', 'default/aaa', 'default/api', 'default/web']);
    expect(state.store.listJobs('default').map((j) => j.ID)).toEqual(['aaa', 'api', 'web']);
    expect(state.store.listJobs('a').map((j) => j.ID)).toEqual(['b-x', 'm']);
    // an update keeps the order and lists the new version
    state.jobs.register({ ...job('api'), Meta: { v: '2' } }, 'default');
    expect(state.store.listJobs('default').find((j) => j.ID === 'api')?.Version).toBe(1);
  });

  it("keeps each node's usage equal to the sum over its non-terminal allocations", async () => {
    for (let i = 0; i < 6; i++) state.jobs.register(job(`j${i}`, 300), 'default');
    const scanned = (nodeId: string) =>
      [...state.store.allocs.values()]
        .filter((a) => a.NodeID === nodeId && !['stop', 'evict'].includes(a.DesiredStatus) && !['complete', 'failed', 'lost'].includes(a.ClientStatus))
        .reduce((u, a) => ({ cpu: u.cpu + 300, mem: u.mem + 64 }), { cpu: 0, mem: 0 });
    await new Promise((r) => setTimeout(r, 100));
    expect(state.store.allocs.size).toBe(6);
    for (const n of state.store.nodes) expect(state.store.nodeUsage(n.ID)).toEqual(scanned(n.ID));
    state.jobs.deregister('default', 'j0', false);
    state.jobs.deregister('default', 'j3', false);
    await new Promise((r) => setTimeout(r, 200));
    for (const n of state.store.nodes) expect(state.store.nodeUsage(n.ID)).toEqual(scanned(n.ID));
    const total = state.store.nodes.reduce((s, n) => s + state.store.nodeUsage(n.ID).cpu, 0);
    expect(total).toBe(4 * 300);
  });
});
