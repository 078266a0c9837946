import { need } from '../http/access';
import { blockingQuery } from '../http/blocking';
import { namespaceOf } from '../http/query-options';
import type { Router } from '../http/router';
import type { Sim } from '../http/sim';
import { NomadHttpError } from '../wire';

/**
 * Job sources: a register request's `Submission` is kept for the version it registered (Jobs.register, with
 * Nomad's 1 MB limit) and read back with GET /v1/job/:id/submission?version=N.
 */
export function jobSubmissionRoutes(r: Router, sim: Sim): void {
  r.get('/v1/job/:id/submission', (ctx) => {
    const version = ctx.query.get('version') ?? '';
    // strconv.ParseUint: digits only
    if (!/^\d+$/.test(version)) throw new NomadHttpError(400, 'Unable to parse job submission version parameter');
    const ns = namespaceOf(ctx);
    need(sim.acl, ctx, ns, 'read-job');
    return blockingQuery(ctx, sim.state.store, sim.agent.maxWaitMs, () => {
      const sub = sim.state.submissions.get(ns, ctx.params.id, Number(version));
      if (!sub) throw new NomadHttpError(404, 'job source not found');
      return { index: sub.JobModifyIndex, body: sub };
    });
  });
}
