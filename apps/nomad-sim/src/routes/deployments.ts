import { need } from '../http/access';
import { blockingQuery } from '../http/blocking';
import { requireBody, type RequestContext } from '../http/context';
import { createIndexOrder, listHandler } from '../http/list';
import { sendJson, writeHeaders } from '../http/respond';
import type { Router } from '../http/router';
import type { Sim } from '../http/sim';
import type { Deployment } from '../state/types';
import type { DeploymentUpdateResponse } from '../state/deployment-actions';
import { field, NomadHttpError } from '../wire';
import { allocStub, byCreateIndexDesc } from './views';

/** /v1/deployments, /v1/deployment/:id, /v1/deployment/allocations/:id, and promote, fail and pause. */
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

  /**
   * A change to a deployment: found by the ID of the path (Nomad answers 500 "deployment not found"), then the
   * token needs submit-job (or the action's own capability) in the deployment's namespace, whatever the query says.
   */
  const change = (capability: string, act: (d: Deployment, body: Record<string, unknown>) => DeploymentUpdateResponse, withBody: boolean) => (ctx: RequestContext) => {
    let body: Record<string, unknown> = {};
    if (withBody) {
      body = requireBody(ctx.body);
      const id = field<string>(body, 'DeploymentID');
      if (!id) throw new NomadHttpError(400, 'DeploymentID must be specified');
      if (id !== ctx.params.id) throw new NomadHttpError(400, 'Deployment ID does not match');
    }
    const d = store.deployments.get(ctx.params.id);
    if (!d) throw new NomadHttpError(500, 'deployment not found');
    need(sim.acl, ctx, d.Namespace, 'submit-job', capability);
    const out = act(d, body);
    sendJson(ctx, out, writeHeaders(out.Index));
  };
  const actions = sim.state.deploymentActions;
  r.write('/v1/deployment/promote/:id', change('promote-deployment', (d, body) => {
    const groups = field<string[] | null>(body, 'Groups') ?? [];
    return actions.promote(d, !!field(body, 'All'), Array.isArray(groups) ? groups : []);
  }, true));
  r.write('/v1/deployment/fail/:id', change('fail-deployment', (d) => actions.fail(d), false));
  r.write('/v1/deployment/pause/:id', change('pause-deployment', (d, body) => actions.pause(d, !!field(body, 'Pause')), true));
}
