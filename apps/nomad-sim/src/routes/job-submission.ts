import { need } from '../http/access';
import { blockingQuery } from '../http/blocking';
import { namespaceOf } from '../http/query-options';
import type { Router } from '../http/router';
import type { Sim } from '../http/sim';
import type { RegisterResult } from '../state/types';
import { field, NomadHttpError } from '../wire';

/**
 * Job sources: a register request's `Submission` is kept for the version it registered (keepSubmission,
 * called by the register route) and read back with GET /v1/job/:id/submission?version=N.
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

/** After a successful register: the request's Submission (if any) for the version now stored. */
export function keepSubmission(sim: Sim, body: Record<string, unknown>, ns: string, jobId: string, out: RegisterResult): void {
  const raw = field<Record<string, unknown>>(body, 'Submission');
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return;
  const job = sim.state.store.getJob(ns, jobId);
  if (!job) return;
  const flags = field<Record<string, string>>(raw, 'VariableFlags');
  sim.state.submissions.keep({
    Source: String(field(raw, 'Source') ?? ''),
    Format: String(field(raw, 'Format') ?? ''),
    VariableFlags: flags && typeof flags === 'object' && Object.keys(flags).length ? flags : null,
    Variables: String(field(raw, 'Variables') ?? ''),
  }, ns, jobId, job.Version, out.Index);
}
