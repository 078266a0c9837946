import { need } from '../http/access';
import { blockingQuery } from '../http/blocking';
import { createIndexOrder, listHandler } from '../http/list';
import type { Router } from '../http/router';
import type { Sim } from '../http/sim';
import type { Evaluation } from '../state/types';
import { NomadHttpError } from '../wire';
import { allocStub, evalStub } from './views';

/** /v1/evaluations (?status, ?job), /v1/evaluation/:id (with ?related=true), /v1/evaluation/:id/allocations. */
export function evaluationRoutes(r: Router, sim: Sim): void {
  const { store } = sim.state;

  r.get('/v1/evaluations', listHandler(sim, {
    index: () => store.tables.evals,
    items: (ns) => [...store.evals.values()].filter((e) => ns === '*' || e.Namespace === ns),
    access: { capability: 'read-job', namespaceOf: (e) => e.Namespace },
    // FilterEvalStatus and FilterJobID of Eval.List
    where: (e, ctx) => (!ctx.query.get('status') || e.Status === ctx.query.get('status')) && (!ctx.query.get('job') || e.JobID === ctx.query.get('job')),
    prefixOf: (e) => e.ID,
    uuidPrefix: { lookupFailed: 'eval lookup failed: ' },
    ...createIndexOrder<Evaluation>(),
    render: (e) => e,
  }));

  r.get('/v1/evaluation/:id', (ctx) => blockingQuery(ctx, store, sim.agent.maxWaitMs, () => {
    const ev = store.evals.get(ctx.params.id);
    if (!ev) throw new NomadHttpError(404, 'eval not found');
    need(sim.acl, ctx, ev.Namespace, 'read-job');
    if (ctx.query.get('related') !== 'true') return { index: ev.ModifyIndex, body: ev };
    const related = store.evalsOfJob(ev.Namespace, ev.JobID).filter((e) => e.ID !== ev.ID && (e.ID === ev.PreviousEval || e.ID === ev.BlockedEval || e.ID === ev.NextEval || e.PreviousEval === ev.ID));
    return { index: ev.ModifyIndex, body: { ...ev, RelatedEvals: related.map(evalStub) } };
  }));

  r.get('/v1/evaluation/:id/allocations', (ctx) => blockingQuery(ctx, store, sim.agent.maxWaitMs, () => {
    const id = ctx.params.id;
    const ev = store.evals.get(id);
    if (ev) need(sim.acl, ctx, ev.Namespace, 'read-job');
    const list = [...store.allocs.values()].filter((a) => a.EvalID === id).map(allocStub);
    return { index: store.tables.allocs, body: list };
  }));
}
