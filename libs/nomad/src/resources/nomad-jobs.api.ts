import { Injectable } from '@nestjs/common';
import { NomadApiError } from '../nomad.errors';
import { nomadPath } from '../nomad-path';
import { JobPlanResponse, JobScaleStatus, JobSubmission, JobSubmissionInput, JobVersions } from '../nomad-resources.types';
import { AllocationListStub, Deployment, Evaluation, JobDeregisterResponse, JobDispatchResponse, JobListStub, JobRegisterResponse, JobSummary, NomadJob, PeriodicForceResponse } from '../nomad.types';
import { NomadResult } from '../transport/nomad.transport';
import { NomadReadOptions, NomadResource } from './nomad-resource';

export interface JobListFilter {
  /** Job ID prefix. */
  prefix?: string;
  /** A Nomad filter expression (go-bexpr), evaluated by Nomad against each full job. */
  filter?: string;
  /** Include each job's Meta in the stubs. */
  meta?: boolean;
  /** A page of at most this many stubs; the answer's nextToken names the first stub of the next page. */
  perPage?: number;
  /** Where the page starts: the nextToken of the previous page (`<namespace>.<job ID>`). */
  nextToken?: string;
}

/** /v1/jobs and /v1/job/:id/…: list, read, register, plan, stop, versions, revert, scale, evaluate, dispatch, periodic force. */
@Injectable()
export class NomadJobsApi extends NomadResource {
  /** `namespace` may be `*` (every namespace the token can list). */
  list(namespace: string, f: JobListFilter = {}, opts: NomadReadOptions = {}): Promise<NomadResult<JobListStub[]>> {
    const query = {
      namespace, prefix: f.prefix || undefined, filter: f.filter || undefined, meta: f.meta || undefined,
      per_page: f.perPage || undefined, next_token: f.nextToken || undefined,
    };
    return this.getList(nomadPath`jobs`, { what: 'a list of jobs', id: 'ID' }, { ...opts, query });
  }

  get(namespace: string, jobId: string, opts: NomadReadOptions = {}): Promise<NomadResult<NomadJob>> {
    return this.getObject(nomadPath`job/${jobId}`, { what: 'a job', id: 'ID' }, { ...opts, query: { namespace } });
  }

  /** The job, or undefined when Nomad answers 404. */
  async find(namespace: string, jobId: string, opts: NomadReadOptions = {}): Promise<NomadResult<NomadJob> | undefined> {
    try {
      return await this.get(namespace, jobId, opts);
    } catch (err) {
      if (err instanceof NomadApiError && err.isNotFound) return undefined;
      throw err;
    }
  }

  summary(namespace: string, jobId: string, opts: NomadReadOptions = {}): Promise<NomadResult<JobSummary>> {
    return this.getObject(nomadPath`job/${jobId}/summary`, { what: 'a job summary', id: 'JobID' }, { ...opts, query: { namespace } });
  }

  /** `all`: also allocations of an earlier job that had the same ID. */
  allocations(namespace: string, jobId: string, all = false, opts: NomadReadOptions = {}): Promise<NomadResult<AllocationListStub[]>> {
    const query = { namespace, all };
    return this.getList(nomadPath`job/${jobId}/allocations`, { what: 'a list of allocations', id: 'ID' }, { ...opts, query });
  }

  evaluations(namespace: string, jobId: string, opts: NomadReadOptions = {}): Promise<NomadResult<Evaluation[]>> {
    return this.getList(nomadPath`job/${jobId}/evaluations`, { what: 'a list of evaluations', id: 'ID' }, { ...opts, query: { namespace } });
  }

  deployments(namespace: string, jobId: string, all = false, opts: NomadReadOptions = {}): Promise<NomadResult<Deployment[]>> {
    const query = { namespace, all };
    return this.getList(nomadPath`job/${jobId}/deployments`, { what: 'a list of deployments', id: 'ID' }, { ...opts, query });
  }

  /** The most recent deployment, or null (batch jobs never have one). */
  latestDeployment(namespace: string, jobId: string, opts: NomadReadOptions = {}): Promise<NomadResult<Deployment | null>> {
    return this.getObject(nomadPath`job/${jobId}/deployment`, { what: 'a deployment or null', id: 'ID' }, { ...opts, query: { namespace } }, true);
  }

  /** Every version, newest first, with the diffs between neighbours when `diffs` is set. */
  async versions(namespace: string, jobId: string, diffs = false, opts: NomadReadOptions = {}): Promise<NomadResult<JobVersions>> {
    const path = nomadPath`job/${jobId}/versions`;
    const res = await this.getObject<JobVersions>(path, { what: 'an object with a list of Versions' }, { ...opts, query: { namespace, diffs } });
    if (!Array.isArray(res.body.Versions)) throw this.badShape('GET', path, { what: 'an object with a list of Versions' });
    return res;
  }

  scaleStatus(namespace: string, jobId: string, opts: NomadReadOptions = {}): Promise<NomadResult<JobScaleStatus>> {
    return this.getObject(nomadPath`job/${jobId}/scale`, { what: 'a job scale status', id: 'JobID' }, { ...opts, query: { namespace } });
  }

  /**
   * PUT /v1/jobs with the job wrapped as Nomad requires. With `enforceJobModifyIndex` Nomad registers only
   * if the job is unchanged since it was read (0: only if it does not exist yet); otherwise it answers an
   * error that NomadApiError.isIndexConflict recognises.
   */
  register(namespace: string, job: NomadJob, opts: { enforceJobModifyIndex?: number; submission?: JobSubmissionInput } = {}): Promise<JobRegisterResponse> {
    const enforce = opts.enforceJobModifyIndex === undefined ? {} : { EnforceIndex: true, JobModifyIndex: opts.enforceJobModifyIndex };
    const body = { Job: { ...job, Namespace: namespace }, ...enforce, ...(opts.submission ? { Submission: opts.submission } : {}) };
    return this.write('PUT', nomadPath`jobs`, { what: 'a register response', id: 'EvalID' }, { query: { namespace }, body });
  }

  /** Dry run of a register: what would change and whether it can be placed; `JobModifyIndex` feeds register. */
  plan(namespace: string, job: NomadJob, diff = true): Promise<JobPlanResponse> {
    const body = { Job: { ...job, Namespace: namespace }, Diff: diff };
    return this.write('PUT', nomadPath`job/${job.ID}/plan`, { what: 'a plan response' }, { query: { namespace }, body });
  }

  /**
   * HCL2 to Nomad's API job JSON, converted by Nomad itself (POST /v1/jobs/parse, no Canonicalize: fields
   * the source leaves out stay null, so a namespace it does not name is not filled in). `namespace` is only
   * where Nomad checks the ACL (parse-job or submit-job).
   */
  parse(namespace: string, hcl: string): Promise<NomadJob> {
    return this.write('PUT', nomadPath`jobs/parse`, { what: 'a job' }, { query: { namespace }, body: { JobHCL: hcl, Canonicalize: false } });
  }

  /** The source a version was registered with (Nomad keeps it when the register sent one), or undefined (404). */
  async submission(namespace: string, jobId: string, version: number): Promise<JobSubmission | undefined> {
    try {
      const res = await this.getObject<JobSubmission>(nomadPath`job/${jobId}/submission`, { what: 'a job submission' }, { query: { namespace, version } });
      return res.body;
    } catch (err) {
      if (err instanceof NomadApiError && err.isNotFound) return undefined;
      throw err;
    }
  }

  /** Stops the job; `purge` removes it and its history. A missing job is not an error for Nomad. */
  deregister(namespace: string, jobId: string, purge: boolean): Promise<JobDeregisterResponse> {
    return this.write('DELETE', nomadPath`job/${jobId}`, { what: 'a deregister response', id: 'EvalID' }, { query: { namespace, purge } });
  }

  /** A new version whose spec is `version`'s; `enforcePriorVersion` guards against a concurrent change. */
  revert(namespace: string, jobId: string, version: number, enforcePriorVersion?: number): Promise<JobRegisterResponse> {
    const body = { JobID: jobId, JobVersion: version, EnforcePriorVersion: enforcePriorVersion ?? null };
    return this.write('PUT', nomadPath`job/${jobId}/revert`, { what: 'a revert response', id: 'EvalID' }, { query: { namespace }, body });
  }

  /** Sets a group's count (a new version and an evaluation); refused by Nomad while a deployment runs. */
  scale(namespace: string, jobId: string, group: string, count: number, message = ''): Promise<JobRegisterResponse> {
    const body = { Count: count, Target: { Job: jobId, Group: group }, Message: message };
    return this.write('PUT', nomadPath`job/${jobId}/scale`, { what: 'a scale response' }, { query: { namespace }, body });
  }

  /** A new evaluation of the job as it is; `forceReschedule` also reschedules failed allocations. */
  evaluate(namespace: string, jobId: string, forceReschedule = false): Promise<{ EvalID: string; EvalCreateIndex: number; JobModifyIndex: number }> {
    const body = { JobID: jobId, EvalOptions: { ForceReschedule: forceReschedule } };
    return this.write('PUT', nomadPath`job/${jobId}/evaluate`, { what: 'an evaluate response', id: 'EvalID' }, { query: { namespace }, body });
  }

  /**
   * A child of a parameterized job (`<id>/dispatch-<unix>-<8 hex>`) with meta and a payload (≤ 16 KiB).
   * With an idempotency token, a repeat answers the child the first call made (EvalID '').
   */
  dispatch(namespace: string, jobId: string, req: { meta?: Record<string, string>; payload?: Buffer; idempotencyToken?: string }): Promise<JobDispatchResponse> {
    const body = { JobID: jobId, Meta: req.meta ?? null, Payload: req.payload?.length ? req.payload.toString('base64') : null };
    const query = { namespace, idempotency_token: req.idempotencyToken || undefined };
    return this.write('PUT', nomadPath`job/${jobId}/dispatch`, { what: 'a dispatch response', id: 'DispatchedJobID' }, { query, body });
  }

  /** Launches a periodic job's child (`<id>/periodic-<unix>`) now; the evaluation's JobID names the child. */
  periodicForce(namespace: string, jobId: string): Promise<PeriodicForceResponse> {
    return this.write('PUT', nomadPath`job/${jobId}/periodic/force`, { what: 'a periodic force response', id: 'EvalID' }, { query: { namespace } });
  }
}
