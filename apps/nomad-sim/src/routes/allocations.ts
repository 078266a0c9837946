import { need } from '../http/access';
import { blockingQuery } from '../http/blocking';
import { createIndexOrder, listHandler } from '../http/list';
import { sendJson, writeHeaders } from '../http/respond';
import type { Router } from '../http/router';
import type { Sim } from '../http/sim';
import type { Allocation } from '../state/types';
import { field, NomadHttpError, nowNs } from '../wire';
import { allocOut, allocStub } from './views';

/** /v1/allocations, /v1/allocation/:id[/stop], /v1/client/allocation/:id/{restart,signal,stats}. */
export function allocationRoutes(r: Router, sim: Sim): void {
  const { store } = sim.state;
  const alloc = (id: string, notFound: string): Allocation => {
    const a = store.allocs.get(id);
    if (!a) throw new NomadHttpError(404, notFound);
    return a;
  };

  r.get('/v1/allocations', listHandler(sim, {
    index: () => store.tables.allocs,
    items: (ns) => [...store.allocs.values()].filter((a) => ns === '*' || a.Namespace === ns),
    access: { capability: 'read-job', namespaceOf: (a) => a.Namespace },
    prefixOf: (a) => a.ID,
    uuidPrefix: { lookupFailed: 'alloc lookup failed: ' },
    ...createIndexOrder<Allocation>(allocOut),
    render: (a, ctx) => allocListStub(a, ctx.query),
  }));

  r.get('/v1/allocation/:id', (ctx) => blockingQuery(ctx, store, sim.agent.maxWaitMs, () => {
    const a = alloc(ctx.params.id, 'alloc not found');
    need(sim.acl, ctx, a.Namespace, 'read-job');
    return { index: a.ModifyIndex, body: allocOut(a) };
  }));

  r.write('/v1/allocation/:id/stop', (ctx) => {
    const a = alloc(ctx.params.id, 'allocation not found');
    need(sim.acl, ctx, a.Namespace, 'alloc-lifecycle');
    const out = sim.state.scheduler.stopAllocation(a.ID);
    sendJson(ctx, out, writeHeaders(out.Index));
  });

  r.write('/v1/client/allocation/:id/restart', (ctx) => {
    const a = alloc(ctx.params.id, `Unknown allocation "${ctx.params.id}"`);
    need(sim.acl, ctx, a.Namespace, 'alloc-lifecycle');
    const body = ctx.body ?? {};
    sendJson(ctx, sim.state.client.restartAllocation(a.ID, field<string>(body, 'TaskName') ?? '', !!field(body, 'AllTasks')));
  });

  r.write('/v1/client/allocation/:id/signal', (ctx) => {
    const a = alloc(ctx.params.id, `Unknown allocation "${ctx.params.id}"`);
    need(sim.acl, ctx, a.Namespace, 'alloc-lifecycle');
    const body = ctx.body ?? {};
    sendJson(ctx, sim.state.client.signalAllocation(a.ID, field<string>(body, 'Task') ?? '', field<string>(body, 'Signal') ?? ''));
  });

  /** `nomad alloc status` reads resource usage; a running task reports steady, plausible numbers. */
  r.get('/v1/client/allocation/:id/stats', (ctx) => {
    const a = alloc(ctx.params.id, `Unknown allocation "${ctx.params.id}"`);
    need(sim.acl, ctx, a.Namespace, 'read-job');
    if (a.ClientStatus !== 'running') throw new NomadHttpError(500, 'alloc is not running');
    const ts = nowNs();
    const usage = (cpuMhz: number, memMb: number) => ({
      MemoryStats: { RSS: Math.round(memMb * 0.35) * 1048576, Cache: 0, Swap: 0, Usage: Math.round(memMb * 0.4) * 1048576, MaxUsage: Math.round(memMb * 0.5) * 1048576, KernelUsage: 0, KernelMaxUsage: 0, Measured: ['RSS', 'Usage', 'Max Usage'] },
      CpuStats: { SystemMode: 0.4, UserMode: 1.1, TotalTicks: cpuMhz * 0.05, ThrottledPeriods: 0, ThrottledTime: 0, Percent: 1.5, Measured: ['System Mode', 'User Mode', 'Percent'] },
      DeviceStats: null,
    });
    const tasks: Record<string, unknown> = {};
    let cpu = 0;
    let mem = 0;
    for (const [name, res] of Object.entries(a.AllocatedResources.Tasks)) {
      cpu += res.Cpu.CpuShares;
      mem += res.Memory.MemoryMB;
      tasks[name] = { ResourceUsage: usage(res.Cpu.CpuShares, res.Memory.MemoryMB), Timestamp: ts, Pids: null };
    }
    sendJson(ctx, { ResourceUsage: usage(cpu, mem), Tasks: tasks, Timestamp: ts });
  });
}

/** AllocListStub with ?task_states=false (TaskStates null) and ?resources=true (AllocatedResources). */
function allocListStub(a: Allocation, q: URLSearchParams) {
  const withResources = q.get('resources') === 'true';
  const withTaskStates = q.get('task_states') !== 'false';
  return { ...allocStub(a), ...(withTaskStates ? {} : { TaskStates: null }), ...(withResources ? { AllocatedResources: a.AllocatedResources } : {}) };
}
