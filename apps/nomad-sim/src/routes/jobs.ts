import { need } from '../http/access';
import { blockingQuery } from '../http/blocking';
import { requireBody, type RequestContext } from '../http/context';
import { listHandler } from '../http/list';
import { namespaceOf } from '../http/query-options';
import { sendJson, writeHeaders } from '../http/respond';
import type { Router } from '../http/router';
import type { Sim } from '../http/sim';
import { HclError } from '../hcl/diagnostics';
import { parseJobHcl } from '../hcl/parse-job';
import { field, NomadHttpError, parseBool } from '../wire';
import { jobStub } from './views';

/** /v1/jobs (list, register), /v1/jobs/parse, and /v1/job/:id itself (read, register, deregister). */
export function jobRoutes(r: Router, sim: Sim): void {
  const { store, jobs } = sim.state;

  r.get('/v1/jobs', listHandler(sim, {
    index: () => Math.max(store.tables.jobs, store.tables.allocs),
    items: (ns) => store.listJobs(ns),
    access: { capability: 'list-jobs', namespaceOf: (j) => j.Namespace },
    prefixOf: (j) => j.ID,
    // the filter sees the full job, the answer carries stubs
    paging: { token: (j) => `${j.Namespace}.${j.ID}` },
    render: (j, ctx) => jobStub(j, jobs.summary(j), ctx.query.get('meta') === 'true'),
  }));

  /** Register or update (PUT and POST; /v1/job/:id also checks the ID against the path). */
  const register = (ctx: RequestContext) => {
    const pathId = ctx.params.id as string | undefined;
    const body = requireBody(ctx.body);
    const job = field<Record<string, unknown>>(body, 'Job');
    if (job !== undefined && job !== null && (typeof job !== 'object' || Array.isArray(job))) {
      throw new NomadHttpError(400, `json: cannot unmarshal ${Array.isArray(job) ? 'array' : typeof job} into Go struct field JobRegisterRequest.Job of type api.Job`);
    }
    if (!job) throw new NomadHttpError(400, 'Job must be specified');
    const id = field<string>(job, 'ID');
    if (id === undefined || id === null) throw new NomadHttpError(400, "Job ID hasn't been provided");
    if (pathId !== undefined && id !== pathId) throw new NomadHttpError(400, 'Job ID does not match name');
    const evalPriority = field<number>(body, 'EvalPriority');
    if (evalPriority !== undefined && evalPriority !== 0 && (evalPriority < 1 || evalPriority > 100)) {
      throw new NomadHttpError(400, 'Eval priority must be between 1 and 100 inclusively');
    }
    // ?namespace beats the body's, which beats the job's (BEHAVIOUR.md §7)
    const ns = ctx.query.get('namespace') || field<string>(body, 'Namespace') || field<string>(job, 'Namespace') || 'default';
    need(sim.acl, ctx, ns, 'submit-job');
    const out = jobs.register(job, ns, {
      enforceIndex: !!field(body, 'EnforceIndex'),
      jobModifyIndex: field<number>(body, 'JobModifyIndex') ?? 0,
      evalPriority: evalPriority || undefined,
      submission: submissionOf(field(body, 'Submission')),
    });
    sendJson(ctx, { ...out, LastContact: 0, KnownLeader: false, NextToken: '' }, writeHeaders(out.Index));
  };
  r.write('/v1/jobs', register);
  r.write('/v1/job/:id', register);

  /** HCL2 to the API's Job (hcl/parse-job.ts); not wrapped in `Job`, no X-Nomad headers, as Nomad answers. */
  r.write('/v1/jobs/parse', async (ctx) => {
    need(sim.acl, ctx, namespaceOf(ctx), 'parse-job', 'submit-job');
    const body = requireBody(ctx.body);
    for (const name of ['JobHCL', 'Variables']) {
      const v = field(body, name);
      if (v !== undefined && v !== null && typeof v !== 'string') {
        throw new NomadHttpError(400, `json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go struct field JobsParseRequest.${name} of type string`);
      }
    }
    const source = field<string>(body, 'JobHCL');
    if (!source) throw new NomadHttpError(400, 'Job spec is empty');
    try {
      const job = await parseJobHcl({ source, variables: field<string>(body, 'Variables') ?? undefined, canonicalize: field(body, 'Canonicalize') === true });
      sendJson(ctx, job);
    } catch (e) {
      if (e instanceof HclError) throw new NomadHttpError(400, `Failed to parse job: ${e.message}`);
      throw e;
    }
  });

  r.get('/v1/job/:id', (ctx) => {
    const ns = namespaceOf(ctx);
    need(sim.acl, ctx, ns, 'read-job');
    return blockingQuery(ctx, store, sim.agent.maxWaitMs, () => {
      const job = store.getJob(ns, ctx.params.id);
      if (!job) throw new NomadHttpError(404, 'job not found');
      return { index: job.ModifyIndex, body: job };
    });
  });

  r.delete('/v1/job/:id', (ctx) => {
    const ns = namespaceOf(ctx);
    need(sim.acl, ctx, ns, 'submit-job');
    const ep = ctx.query.get('eval_priority');
    if (ep !== null && ep !== '' && (!/^\d+$/.test(ep) || Number(ep) < 1 || Number(ep) > 100)) {
      throw new NomadHttpError(400, 'Eval priority must be between 1 and 100 inclusively');
    }
    const purge = parseBool(ctx.query.get('purge') ?? undefined);
    const out = jobs.deregister(ns, ctx.params.id, purge);
    if (purge) sim.state.submissions.forget(ns, ctx.params.id);
    sendJson(ctx, { ...out, LastContact: 0, KnownLeader: false, NextToken: '' }, writeHeaders(out.Index));
  });
}

/** JobRegisterRequest.Submission: the source the job was written in, kept with the version it registers. */
function submissionOf(raw: unknown) {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const source = field<string>(raw, 'Source');
  if (typeof source !== 'string' || !source) return undefined;
  const flags = field<Record<string, string>>(raw, 'VariableFlags');
  return {
    Source: source,
    Format: String(field(raw, 'Format') ?? ''),
    VariableFlags: flags && typeof flags === 'object' && Object.keys(flags).length ? flags : null,
    Variables: String(field(raw, 'Variables') ?? ''),
  };
}
