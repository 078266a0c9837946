import { randomUUID } from 'node:crypto';
import { NomadHttpError } from '../wire';
import type { SimState } from './sim-state';
import type { Job, StringMap } from './types';

/**
 * Child jobs, as Nomad's Job.Dispatch and the periodic dispatcher make them: a copy of the parent under
 * `<parent>/dispatch-<unix>-<8 hex>` (parameterized) or `<parent>/periodic-<unix>` (periodic), with ParentID
 * set, registered with its own evaluation so it runs like any job of its type. The parent never runs.
 */

/** Nomad's DispatchPayloadSizeLimit. */
export const DISPATCH_PAYLOAD_LIMIT = 16 * 1024;

export interface DispatchRequest {
  payload: Buffer;
  meta: StringMap;
  idempotencyToken: string;
  idPrefixTemplate: string;
  priority: number;
}

export interface DispatchResult {
  DispatchedJobID: string;
  EvalID: string;
  EvalCreateIndex: number;
  JobCreateIndex: number;
  Index: number;
}

export interface ParameterizedConfig {
  Payload: string;
  MetaRequired: string[] | null;
  MetaOptional: string[] | null;
}

export interface PeriodicConfig {
  Enabled?: boolean;
}

export class JobChildren {
  constructor(private readonly sim: SimState) {}

  /** POST /v1/job/:id/dispatch (nomad/job_endpoint.go Dispatch and validateDispatchRequest); errors are 500s. */
  dispatch(ns: string, id: string, req: DispatchRequest): DispatchResult {
    const parent = this.sim.store.getJob(ns, id);
    if (!parent) throw new NomadHttpError(500, 'parameterized job not found');
    const config = parent.ParameterizedJob as ParameterizedConfig | null;
    if (!config || parent.Dispatched) throw new NomadHttpError(500, `Specified job "${id}" is not a parameterized job`);
    if (parent.Stop) throw new NomadHttpError(500, `Specified job "${id}" is stopped`);
    const priority = req.priority || parent.Priority;
    validateDispatch(req, config, priority);
    if (req.idempotencyToken) {
      const existing = this.sim.store.listJobs(ns).find((j) => j.ParentID === id && j.DispatchIdempotencyToken === req.idempotencyToken);
      if (existing) return { DispatchedJobID: existing.ID, EvalID: '', EvalCreateIndex: 0, JobCreateIndex: existing.CreateIndex, Index: existing.ModifyIndex };
    }
    const unix = Math.floor(Date.now() / 1000);
    const suffix = req.idPrefixTemplate ? `${req.idPrefixTemplate}-${unix}` : `${unix}`;
    const child = derive(parent, `${id}/dispatch-${suffix}-${randomUUID().slice(0, 8)}`);
    Object.assign(child, {
      Dispatched: true, DispatchIdempotencyToken: req.idempotencyToken, Priority: priority,
      Meta: Object.keys(req.meta).length || parent.Meta ? { ...(parent.Meta ?? {}), ...req.meta } : null,
      Payload: snappyLiteral(req.payload).toString('base64'),
    });
    const out = this.sim.jobs.registerDerived(child, 'job-register');
    return { DispatchedJobID: child.ID, EvalID: out.EvalID, EvalCreateIndex: out.EvalCreateIndex, JobCreateIndex: out.Index, Index: out.Index };
  }

  /** PUT /v1/job/:id/periodic/force (nomad/periodic_endpoint.go Force and the periodic dispatcher's ForceEval). */
  forcePeriodic(ns: string, id: string): { EvalID: string; EvalCreateIndex: number; Index: number } {
    const parent = this.sim.store.getJob(ns, id);
    if (!parent) throw new NomadHttpError(500, 'job not found');
    const periodic = parent.Periodic as PeriodicConfig | null;
    if (!periodic) throw new NomadHttpError(500, "can't force launch non-periodic job");
    // the dispatcher tracks only active periodic jobs: enabled, running, not parameterized
    if (periodic.Enabled === false || parent.Stop || (parent.ParameterizedJob && !parent.Dispatched)) {
      throw new NomadHttpError(500, `force launch for job "${id}" failed: can't force run non-tracked job "${id}" (${ns})`);
    }
    const child = derive(parent, `${id}/periodic-${Math.floor(Date.now() / 1000)}`);
    child.Periodic = null;
    const out = this.sim.jobs.registerDerived(child, 'periodic-job');
    return { EvalID: out.EvalID, EvalCreateIndex: out.EvalCreateIndex, Index: out.EvalCreateIndex };
  }
}

/** A copy of the parent with a derived ID and Name, ParentID set and no status yet. */
function derive(parent: Job, id: string): Job {
  const child = structuredClone(parent);
  Object.assign(child, { ID: id, Name: id, ParentID: parent.ID, Status: '', StatusDescription: '' });
  return child;
}

function validateDispatch(req: DispatchRequest, config: ParameterizedConfig, priority: number): void {
  const hasPayload = req.payload.length > 0;
  if (config.Payload === 'required' && !hasPayload) throw new NomadHttpError(500, 'Payload is not provided but required by parameterized job');
  if (config.Payload === 'forbidden' && hasPayload) throw new NomadHttpError(500, 'Payload provided but forbidden by parameterized job');
  if (req.payload.length > DISPATCH_PAYLOAD_LIMIT) throw new NomadHttpError(500, `Payload exceeds maximum size; ${req.payload.length} > ${DISPATCH_PAYLOAD_LIMIT}`);
  const required = config.MetaRequired ?? [];
  const optional = config.MetaOptional ?? [];
  // Go prints the offending keys as a slice, in map order; sorted here so the text is stable
  const unpermitted = Object.keys(req.meta).filter((k) => !required.includes(k) && !optional.includes(k)).sort();
  if (unpermitted.length) throw new NomadHttpError(500, `Dispatch request included unpermitted metadata keys: [${unpermitted.join(' ')}]`);
  const missing = required.filter((k) => !(k in req.meta)).sort();
  if (missing.length) throw new NomadHttpError(500, `Dispatch did not provide required meta keys: [${missing.join(' ')}]`);
  if (priority < 1 || priority > 100) throw new NomadHttpError(500, 'dispatch job priority must be between [1, 100]');
}

/**
 * Snappy's block format with every byte as a literal (valid snappy, not compressed): Nomad stores a
 * dispatched job's payload snappy-encoded, and clients decode it with any snappy decoder.
 */
export function snappyLiteral(data: Buffer): Buffer {
  const header: number[] = [];
  for (let n = data.length; ; ) {
    if (n < 0x80) {
      header.push(n);
      break;
    }
    header.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  if (data.length === 0) return Buffer.from(header);
  const len = data.length - 1;
  const tag = len < 60 ? [len << 2] : len < 0x100 ? [60 << 2, len] : [61 << 2, len & 0xff, len >> 8];
  return Buffer.concat([Buffer.from(header), Buffer.from(tag), data]);
}
