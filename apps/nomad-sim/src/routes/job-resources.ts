import { need } from '../http/access';
import { blockingQuery, type QueryResult } from '../http/blocking';
import { requireBody, type RequestContext } from '../http/context';
import { namespaceOf } from '../http/query-options';
import { sendJson, writeHeaders } from '../http/respond';
import type { Router } from '../http/router';
import type { Sim } from '../http/sim';
import { allocTerminal } from '../state/allocs';
import { jobDiff, JobDiff } from '../diff/job-diff';
import type { Job } from '../state/types';
import { field, NomadHttpError, parseBool } from '../wire';
import { allocStub, byCreateIndexDesc } from './views';

/**
 * /v1/job/:id/<sub-resource>: the job's allocations, evaluations, deployments, summary, versions and
 * services, and plan, scale, revert, stable and evaluate (dispatch and periodic/force: job-children.ts;
 * submission: job-submission.ts).
 */
export function jobResourceRoutes(r: Router, sim: Sim): void {
  const { store, jobs } = sim.state;
  /** A read of the job in the request namespace that needs `caps` there. */
  const read = (caps: string[], run: (ns: string, id: string, ctx: RequestContext) => QueryResult) => (ctx: RequestContext) => {
    const ns = namespaceOf(ctx);
    need(sim.acl, ctx, ns, ...caps);
    return blockingQuery(ctx, store, sim.agent.maxWaitMs, () => run(ns, ctx.params.id, ctx));
  };
  const jobOr404 = (ns: string, id: string) => {
    const job = store.getJob(ns, id);
    if (!job) throw new NomadHttpError(404, 'job not found');
    return job;
  };

  r.get('/v1/job/:id/allocations', read(['read-job'], (ns, id) => ({ index: store.tables.allocs, body: store.allocsOfJob(ns, id).sort(byCreateIndexDesc).map(allocStub) })));
  r.get('/v1/job/:id/evaluations', read(['read-job'], (ns, id) => ({ index: store.tables.evals, body: store.evalsOfJob(ns, id).sort(byCreateIndexDesc) })));
  r.get('/v1/job/:id/deployments', read(['read-job'], (ns, id) => ({ index: store.tables.deployments, body: store.deploymentsOfJob(ns, id).sort(byCreateIndexDesc) })));
  // the latest deployment, or the JSON literal null (200) when the job has none
  r.get('/v1/job/:id/deployment', read(['read-job'], (ns, id) => ({ index: store.tables.deployments, body: store.deploymentsOfJob(ns, id).sort(byCreateIndexDesc)[0] ?? null })));
  r.get('/v1/job/:id/summary', read(['read-job'], (ns, id) => {
    const s = jobs.summary(jobOr404(ns, id));
    return { index: s.ModifyIndex, body: s };
  }));
  /** Newest first; with ?diffs=true each version's diff to the one before it (or to ?diff_version=). */
  r.get('/v1/job/:id/versions', read(['read-job'], (ns, id, ctx) => {
    const versions = store.getVersions(ns, id);
    if (!versions) throw new NomadHttpError(404, 'job versions not found');
    const diffs = parseBool(ctx.query.get('diffs') ?? undefined) ? versionDiffs(versions, ctx.query.get('diff_version')) : null;
    return { index: Math.max(...versions.map((v) => v.ModifyIndex)), body: { Versions: versions, Diffs: diffs, Index: store.tables.jobs, LastContact: 0, KnownLeader: true, NextToken: '' } };
  }));
  // the simulator registers no services, as a cluster without Consul or Nomad services would
  r.get('/v1/job/:id/services', read(['read-job'], () => ({ index: store.tables.jobs, body: [] })));

  r.get('/v1/job/:id/scale', read(['read-job-scaling', 'read-job'], (ns, id) => {
    const job = jobOr404(ns, id);
    const groups: Record<string, unknown> = {};
    for (const g of job.TaskGroups) {
      const allocs = store.allocsOfJob(ns, id).filter((a) => a.TaskGroup === g.Name && !allocTerminal(a));
      const events = store.scalingEvents(job, g.Name);
      groups[g.Name] = {
        Desired: g.Count, Placed: allocs.length, Running: allocs.filter((a) => a.ClientStatus === 'running').length,
        Healthy: allocs.filter((a) => a.DeploymentStatus?.Healthy === true).length,
        Unhealthy: allocs.filter((a) => a.DeploymentStatus?.Healthy === false).length,
        Events: events.length ? events : null,
      };
    }
    return { index: job.ModifyIndex, body: { JobID: id, Namespace: ns, JobCreateIndex: job.CreateIndex, JobModifyIndex: job.JobModifyIndex, JobStopped: job.Stop, TaskGroups: groups } };
  }));

  r.write('/v1/job/:id/scale', (ctx) => {
    const [ns, id] = [namespaceOf(ctx), ctx.params.id];
    need(sim.acl, ctx, ns, 'scale-job', 'submit-job');
    const body = requireBody(ctx.body);
    const target = field<Record<string, unknown>>(body, 'Target') ?? {};
    const group = field<string>(target, 'Group');
    if (!group) throw new NomadHttpError(400, 'missing task group name for scaling action');
    const targetJob = field<string>(target, 'Job');
    if (targetJob && targetJob !== id) throw new NomadHttpError(400, 'job ID in payload did not match URL');
    const count = field<number | null>(body, 'Count');
    const out = jobs.scale(ns, id, group, count ?? null, field<string>(body, 'Message') ?? '', !!field(body, 'Error'), field<Record<string, unknown>>(body, 'Meta') ?? null);
    sendJson(ctx, { ...out, LastContact: 0, KnownLeader: false, NextToken: '' }, writeHeaders(out.Index));
  });

  /** A dry run: what registering this job would do, state unchanged (state/planner.ts). */
  r.write('/v1/job/:id/plan', (ctx) => {
    const [ns, id] = [namespaceOf(ctx), ctx.params.id];
    need(sim.acl, ctx, ns, 'submit-job', 'plan-job');
    const body = requireBody(ctx.body);
    const job = field<Record<string, unknown>>(body, 'Job');
    if (!job) throw new NomadHttpError(400, 'Job must be specified');
    const jobId = field<string>(job, 'ID');
    if (!jobId) throw new NomadHttpError(400, 'Job must have a valid ID');
    if (jobId !== id) throw new NomadHttpError(400, 'Job ID does not match');
    const out = sim.state.planner.plan(job, ns, !!field(body, 'Diff'));
    sendJson(ctx, out, writeHeaders(out.Index));
  });

  r.write('/v1/job/:id/revert', (ctx) => {
    const [ns, id] = [namespaceOf(ctx), ctx.params.id];
    need(sim.acl, ctx, ns, 'submit-job');
    const body = bodyForJob(ctx.body, id);
    const out = jobs.revert(ns, id, field<number>(body, 'JobVersion') ?? 0, field<number | null>(body, 'EnforcePriorVersion'));
    sendJson(ctx, { ...out, LastContact: 0, KnownLeader: true, NextToken: '' }, writeHeaders(out.Index, true));
  });

  r.write('/v1/job/:id/stable', (ctx) => {
    const [ns, id] = [namespaceOf(ctx), ctx.params.id];
    need(sim.acl, ctx, ns, 'submit-job');
    const body = bodyForJob(ctx.body, id);
    const out = jobs.setStability(ns, id, field<number>(body, 'JobVersion') ?? 0, !!field(body, 'Stable'));
    sendJson(ctx, out, writeHeaders(out.Index));
  });

  /**
   * Force evaluation (`nomad job eval [-force-reschedule]`): a new evaluation of the stored job. The body
   * `{"JobID", "EvalOptions": {"ForceReschedule"}}` is optional (older clients send none); when sent it must name
   * the job of the path.
   */
  r.write('/v1/job/:id/evaluate', (ctx) => {
    const ns = namespaceOf(ctx);
    let force = false;
    if (ctx.body !== undefined) {
      const body = requireBody(ctx.body);
      const jobId = field<string>(body, 'JobID');
      if (!jobId) throw new NomadHttpError(400, 'Job ID must be specified');
      if (jobId !== ctx.params.id) throw new NomadHttpError(400, 'JobID not same as job name');
      force = field(field(body, 'EvalOptions'), 'ForceReschedule') === true;
    }
    // Nomad 1.x checks submit-job; newer releases also accept the narrower evaluate-job
    need(sim.acl, ctx, ns, 'submit-job', 'evaluate-job');
    const out = jobs.evaluate(ns, ctx.params.id, force);
    sendJson(ctx, { ...out, LastContact: 0, KnownLeader: false, NextToken: '' }, writeHeaders(out.Index));
  });
}

/** JobVersions' diffs: each version against the one after it in the list (its predecessor), or all against one version. */
function versionDiffs(versions: Job[], against: string | null): JobDiff[] | null {
  if (against !== null && against !== '') {
    const base = versions.find((v) => String(v.Version) === against);
    if (!base) throw new NomadHttpError(500, `version ${against} not found`);
    return versions.map((v) => jobDiff(base, v, true));
  }
  const out = versions.slice(0, -1).map((v, i) => jobDiff(versions[i + 1], v, true));
  return out.length ? out : null;
}

/** The body of a version request (revert, stable): it must name the job of the path, as Nomad checks. */
function bodyForJob(raw: unknown, id: string): ReturnType<typeof requireBody> {
  const body = requireBody(raw);
  const jobId = field<string>(body, 'JobID');
  if (!jobId) throw new NomadHttpError(400, 'JobID must be specified');
  if (jobId !== id) throw new NomadHttpError(400, 'Job ID does not match');
  return body;
}
