import { need } from '../http/access';
import { blockingQuery } from '../http/blocking';
import { createIndexOrder, listHandler } from '../http/list';
import type { Router } from '../http/router';
import type { Sim } from '../http/sim';
import type { Deployment } from '../state/types';
import { NomadHttpError } from '../wire';
import { allocStub, byCreateIndexDesc } from './views';

/** /v1/deployments, /v1/deployment/:id, /v1/deployment/allocations/:id. */
export function deploymentRoutes(r: Router, sim: Sim): void {
  const { store } = sim.state;
  const deploymentOr404 = (id: string) => {
    const d = store.deployments.get(id);
    if (!d) throw new NomadHttpError(404, 'deployment not found');
    return d;
  };

  r.get('/v1/deployments', listHandler(sim, {
    index: () => store.tables.deployments,
    items: (ns) => [...store.deployments.values()].filter((d) => ns === '*' || d.Namespace === ns),
    access: { capability: 'read-job', namespaceOf: (d) => d.Namespace },
    prefixOf: (d) => d.ID,
    uuidPrefix: { lookupFailed: '' },
    ...createIndexOrder<Deployment>(),
    render: (d) => d,
  }));

  r.get('/v1/deployment/:id', (ctx) => blockingQuery(ctx, store, sim.agent.maxWaitMs, () => {
    const d = deploymentOr404(ctx.params.id);
    need(sim.acl, ctx, d.Namespace, 'read-job');
    return { index: d.ModifyIndex, body: d };
  }));

  r.get('/v1/deployment/allocations/:id', (ctx) => blockingQuery(ctx, store, sim.agent.maxWaitMs, () => {
    const d = deploymentOr404(ctx.params.id);
    need(sim.acl, ctx, d.Namespace, 'read-job');
    const list = store.allocsOfJob(d.Namespace, d.JobID).filter((a) => a.DeploymentID === d.ID).sort(byCreateIndexDesc).map(allocStub);
    return { index: store.tables.allocs, body: list };
  }));
}
