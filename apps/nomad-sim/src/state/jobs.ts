import { canonicalizeJob, specChanged, validateJob } from '../jobspec';
import { multiError, NomadHttpError, nowNs } from '../wire';
import { allocTerminal } from './allocs';
import { jobWarnings, mergeWarnings } from './job-warnings';
import { rescheduleEnabled } from './reschedule';
import { deploymentActive } from './rollout';
import type { SimState } from './sim-state';
import { jobKey, JobRecord } from './store';
import type { AnyMap, DeregisterResult, Job, JobStatus, RegisterResult, ScalingEvent } from './types';

/** Per task group counts of a job summary. */
export interface GroupSummary {
  Queued: number;
  Complete: number;
  Failed: number;
  Running: number;
  Starting: number;
  Lost: number;
  Unknown: number;
}

export interface JobSummary {
  JobID: string;
  Namespace: string;
  Summary: Record<string, GroupSummary>;
  Children: { Pending: number; Running: number; Dead: number };
  CreateIndex: number;
  ModifyIndex: number;
}

export interface RegisterOptions {
  enforceIndex?: boolean;
  jobModifyIndex?: number;
  evalPriority?: number;
  /** The source the job was written in (JobRegisterRequest.Submission), kept with the version it makes. */
  submission?: { Source: string; Format: string; VariableFlags: Record<string, string> | null; Variables: string };
}

/** Nomad's default job_max_source_size (1 MB): a larger source is dropped with a warning, the job still registers. */
const MAX_SOURCE_BYTES = 1_000_000;

/** Nomad's job endpoints on the server side: versions, evaluations to create, derived status and summary. */
export class Jobs {
  constructor(private readonly sim: SimState) {}

  private get store() {
    return this.sim.store;
  }

  register(rawJob: unknown, namespace: string, opts: RegisterOptions = {}): RegisterResult {
    const job = canonicalizeJob(rawJob, namespace, this.store.region);
    validateJob(job);
    if (!this.store.namespaces.has(namespace)) {
      throw new NomadHttpError(500, multiError([`job "${job.ID}" is in nonexistent namespace "${namespace}"`]));
    }
    const rec = this.store.jobRecord(namespace, job.ID);
    if (opts.enforceIndex) {
      const want = opts.jobModifyIndex ?? 0;
      const prefix = `Enforcing job modify index ${want}`;
      if (want === 0 && rec) throw new NomadHttpError(500, `${prefix}: job already exists`);
      if (want !== 0 && !rec) throw new NomadHttpError(500, `${prefix}: job does not exist`);
      if (rec && want !== rec.job.JobModifyIndex) {
        throw new NomadHttpError(500, `${prefix}: job exists with conflicting job modify index: ${rec.job.JobModifyIndex}`);
      }
    }
    // after the index check, as Nomad's Job.Register orders them
    validateJobUpdate(rec?.job, job);
    const warnings = jobWarnings(job);
    const sub = opts.submission;
    const size = sub ? Buffer.byteLength(sub.Source) + Buffer.byteLength(sub.Variables) + Object.entries(sub.VariableFlags ?? {}).reduce((n, [k, v]) => n + k.length + v.length, 0) : 0;
    if (size > MAX_SOURCE_BYTES) warnings.push(`job source size of ${(size / 1e6).toFixed(1)} MB exceeds maximum of 1.0 MB and will be discarded`);
    const out = this.storeAndEvaluate(job, rec, 'job-register', opts.evalPriority);
    const stored = this.store.jobRecord(namespace, job.ID)!;
    if (sub && size <= MAX_SOURCE_BYTES) this.sim.submissions.keep(sub, namespace, job.ID, stored.job.Version, stored.job.JobModifyIndex);
    return { ...out, Warnings: mergeWarnings(warnings) };
  }

  /** A child of a periodic or parameterized job (state/job-children.ts), registered as a job of its own. */
  registerDerived(job: Job, triggeredBy: string): RegisterResult {
    return this.storeAndEvaluate(job, this.store.jobRecord(job.Namespace, job.ID), triggeredBy);
  }

  /** Stores a (possibly new) version and creates the evaluation Nomad would. */
  private storeAndEvaluate(job: Job, rec: JobRecord | undefined, triggeredBy: string, evalPriority?: number, forceVersion = false): RegisterResult {
    // a stop is Nomad's JobDeregisterRequest; register, revert, scale and dispatch are JobRegisterRequests
    const type = triggeredBy === 'job-deregister' ? 'JobDeregistered' : 'JobRegistered';
    return this.sim.events.during(type, () => this.storeVersion(job, rec, triggeredBy, evalPriority, forceVersion));
  }

  private storeVersion(job: Job, rec: JobRecord | undefined, triggeredBy: string, evalPriority?: number, forceVersion = false): RegisterResult {
    const idx = this.store.bump('jobs', 'evals');
    const changed = !rec || forceVersion || specChanged(rec.job, job);
    if (rec && !changed) {
      // Same spec: Nomad keeps the version and still creates an evaluation (none for a periodic or parameterized job)
      this.sim.events.publish('Job', rec.job);
      const ev = rec.job.Periodic || isParameterized(rec.job) ? undefined : this.sim.scheduler.createEval(rec.job, triggeredBy, idx, evalPriority);
      this.recomputeStatus(rec);
      return { EvalID: ev?.ID ?? '', EvalCreateIndex: ev ? idx : 0, JobModifyIndex: rec.job.JobModifyIndex, Warnings: '', Index: idx };
    }
    job.Version = rec ? rec.job.Version + 1 : 0;
    job.CreateIndex = rec?.job.CreateIndex ?? idx;
    job.ModifyIndex = idx;
    job.JobModifyIndex = idx;
    job.SubmitTime = nowNs();
    job.Stable = false;
    job.Status = 'pending';
    const record: JobRecord = rec ?? { job, versions: [], summaryCreateIndex: idx, summaryModifyIndex: idx };
    record.job = job;
    record.versions.unshift(job);
    if (record.versions.length > 6) record.versions.length = 6;
    this.store.jobs.set(jobKey(job.Namespace, job.ID), record);
    this.sim.events.publish('Job', job);
    // a periodic or parameterized parent never runs itself: its children do (a dispatched child runs)
    const periodicOrParam = job.Periodic || isParameterized(job);
    let evalId = '';
    let evalIndex = 0;
    if (!periodicOrParam) {
      const ev = this.sim.scheduler.createEval(job, triggeredBy, idx, evalPriority);
      evalId = ev.ID;
      evalIndex = idx;
    }
    this.recomputeStatus(record);
    return { EvalID: evalId, EvalCreateIndex: evalIndex, JobModifyIndex: idx, Warnings: '', Index: idx };
  }

  /**
   * Job.Evaluate (`nomad job eval`): a new evaluation of the job as stored, no new version. With forceReschedule,
   * its failed allocations (the latest of each, in groups whose reschedule policy allows any attempt) are marked
   * DesiredTransition.ForceReschedule in the same write, and the scheduler replaces them now, whatever attempts
   * the policy has left (nomad/job_endpoint.go Evaluate; scheduler/reconcile_util.go updateByReschedulable).
   */
  evaluate(ns: string, id: string, forceReschedule: boolean): RegisterResult {
    const rec = this.store.jobRecord(ns, id);
    // an RPC error, not the HTTP handler's 404: Nomad answers 500 with these words
    if (!rec) throw new NomadHttpError(500, 'job not found');
    const job = rec.job;
    if (job.Periodic) throw new NomadHttpError(500, "can't evaluate periodic job");
    if (isParameterized(job)) throw new NomadHttpError(500, "can't evaluate parameterized job");
    const forced = forceReschedule ? this.store.allocsOfJob(ns, id).filter((a) =>
      rescheduleEnabled(job.TaskGroups.find((g) => g.Name === a.TaskGroup)?.ReschedulePolicy) &&
      !a.NextAllocation && a.ClientStatus === 'failed' && !a.DesiredTransition.ForceReschedule) : [];
    const idx = this.store.bump(...(forced.length ? (['allocs', 'evals'] as const) : (['evals'] as const)));
    const ev = this.sim.events.during('AllocationUpdateDesiredStatus', () => {
      for (const a of forced) {
        a.DesiredTransition = { ...a.DesiredTransition, ForceReschedule: true };
        a.ModifyIndex = idx;
        this.sim.events.publish('Allocation', a);
      }
      return this.sim.scheduler.createEval(job, 'job-register', idx);
    });
    return { EvalID: ev.ID, EvalCreateIndex: idx, JobModifyIndex: job.ModifyIndex, Warnings: '', Index: idx };
  }

  deregister(ns: string, id: string, purge: boolean): DeregisterResult {
    const rec = this.store.jobRecord(ns, id);
    if (!rec) return { EvalID: '', EvalCreateIndex: 0, JobModifyIndex: 0, VolumeEvalID: '', VolumeEvalIndex: 0, Index: 0 };
    let evalId = '';
    let idx: number;
    if (purge) {
      idx = this.store.bump('jobs', 'evals');
      this.store.jobs.delete(jobKey(ns, id));
      evalId = this.sim.events.during('JobDeregistered', () => {
        this.sim.events.publish('Job', rec.job);
        return this.sim.scheduler.createEval(rec.job, 'job-deregister', idx).ID;
      });
    } else {
      const stopped = { ...rec.job, Stop: true };
      const res = this.storeAndEvaluate(stopped, rec, 'job-deregister', undefined, !rec.job.Stop);
      evalId = res.EvalID;
      idx = res.Index;
    }
    return { EvalID: evalId, EvalCreateIndex: idx, JobModifyIndex: idx, VolumeEvalID: '', VolumeEvalIndex: 0, Index: idx };
  }

  /** POST /v1/job/:id/revert, and the deployment watcher's auto-revert (its evaluation says so). */
  revert(ns: string, id: string, version: number, enforcePrior?: number | null, triggeredBy = 'job-register'): RegisterResult {
    const rec = this.store.jobRecord(ns, id);
    if (!rec) throw new NomadHttpError(500, `job "${id}" not found`);
    if (enforcePrior !== undefined && enforcePrior !== null && enforcePrior !== rec.job.Version) {
      throw new NomadHttpError(500, `Current job has version ${rec.job.Version}; enforcing version ${enforcePrior}`);
    }
    if (version === rec.job.Version) throw new NomadHttpError(500, "can't revert to current version");
    const target = rec.versions.find((v) => v.Version === version);
    if (!target) throw new NomadHttpError(500, `job "${id}" in namespace "${ns}" at version ${version} not found`);
    return this.storeAndEvaluate({ ...structuredClone(target) }, rec, triggeredBy, undefined, true);
  }

  /** PUT /v1/job/:id/stable: marks a version stable or unstable. */
  setStability(ns: string, id: string, version: number, stable: boolean): { Index: number; JobModifyIndex: number } {
    const rec = this.store.jobRecord(ns, id);
    if (!rec) throw new NomadHttpError(500, `job "${id}" not found`);
    const target = rec.versions.find((v) => v.Version === version);
    if (!target) throw new NomadHttpError(500, `job "${id}" version ${version} not found`);
    const idx = this.store.bump('jobs');
    target.Stable = stable;
    target.ModifyIndex = idx;
    return { Index: idx, JobModifyIndex: rec.job.JobModifyIndex };
  }

  /** Scales a group (new version and evaluation), or with a null count only records a scaling event. */
  scale(ns: string, id: string, group: string, count: number | null, message: string, isError: boolean, meta: AnyMap | null): RegisterResult {
    const rec = this.store.jobRecord(ns, id);
    if (!rec) throw new NomadHttpError(404, `job "${id}" not found`);
    const tg = rec.job.TaskGroups.find((g) => g.Name === group);
    if (!tg) throw new NomadHttpError(400, `task group "${group}" specified for scaling does not exist in job`);
    if (count !== null && count < 0) throw new NomadHttpError(400, "scaling action count can't be negative");
    if (count !== null && rec.job.Type === 'system' && count > 1) {
      throw new NomadHttpError(400, 'jobs of type "system" can only be scaled between 0 and 1');
    }
    // a count change only, as in Nomad's Job.Scale: an event without a count is recorded whatever the rollout does
    if (count !== null && this.rolloutUnderWay(rec.job)) throw new NomadHttpError(400, 'job scaling blocked due to active deployment');
    const event: ScalingEvent = {
      Count: count, PreviousCount: tg.Count, Message: message, Error: isError, Meta: meta, EvalID: null,
      Time: nowNs(), CreateIndex: 0,
    };
    if (count === null) {
      const idx = this.store.bump('jobs');
      event.CreateIndex = idx;
      this.store.scalingEvents(rec.job, group).unshift(event);
      return { EvalID: '', EvalCreateIndex: 0, JobModifyIndex: rec.job.JobModifyIndex, Warnings: '', Index: idx };
    }
    const next = structuredClone(rec.job);
    next.TaskGroups.find((g) => g.Name === group)!.Count = count;
    const res = this.storeAndEvaluate(next, rec, 'job-scaling', undefined, true);
    event.EvalID = res.EvalID;
    event.CreateIndex = res.Index;
    this.store.scalingEvents(rec.job, group).unshift(event);
    return res;
  }

  /**
   * Nomad's Job.Scale looks only at the job's latest deployment, and only when it belongs to this job: a rollout
   * left by an earlier job purged under the same ID (another JobCreateIndex) does not block it.
   */
  private rolloutUnderWay(job: Job): boolean {
    const latest = this.store.deploymentsOfJob(job.Namespace, job.ID).sort((a, b) => b.CreateIndex - a.CreateIndex)[0];
    return !!latest && deploymentActive(latest) && latest.JobCreateIndex === job.CreateIndex;
  }

  summary(job: Job): JobSummary {
    const rec = this.store.jobRecord(job.Namespace, job.ID);
    const groups: Record<string, GroupSummary> = {};
    for (const g of job.TaskGroups ?? []) {
      groups[g.Name] = { Queued: 0, Complete: 0, Failed: 0, Running: 0, Starting: 0, Lost: 0, Unknown: 0 };
    }
    for (const a of this.store.allocsOfJob(job.Namespace, job.ID)) {
      const s = groups[a.TaskGroup];
      if (!s) continue;
      switch (a.ClientStatus) {
        case 'pending': if (a.DesiredStatus === 'run') s.Starting++; break;
        case 'running': s.Running++; break;
        case 'complete': s.Complete++; break;
        case 'failed': s.Failed++; break;
        case 'lost': s.Lost++; break;
        case 'unknown': s.Unknown++; break;
      }
    }
    for (const ev of this.store.evalsOfJob(job.Namespace, job.ID)) {
      if (ev.Status === 'blocked' && ev.QueuedAllocations) {
        for (const [g, n] of Object.entries(ev.QueuedAllocations)) if (groups[g]) groups[g].Queued += n;
      }
    }
    return {
      JobID: job.ID, Namespace: job.Namespace, Summary: groups,
      Children: this.childCounts(job),
      CreateIndex: rec?.summaryCreateIndex ?? job.CreateIndex, ModifyIndex: Math.max(rec?.summaryModifyIndex ?? 0, job.ModifyIndex),
    };
  }

  /** A periodic or parameterized parent's children by status (zeros for other jobs, which have none). */
  private childCounts(job: Job): JobSummary['Children'] {
    const counts = { Pending: 0, Running: 0, Dead: 0 };
    if (!job.Periodic && !isParameterized(job)) return counts;
    for (const child of this.store.listJobs(job.Namespace)) {
      if (child.ParentID !== job.ID) continue;
      if (child.Status === 'running') counts.Running++;
      else if (child.Status === 'dead') counts.Dead++;
      else counts.Pending++;
    }
    return counts;
  }

  /** BEHAVIOUR.md §10: job status is derived from its allocations, deployments and evaluations. */
  recomputeStatus(rec: JobRecord): void {
    const job = rec.job;
    let status: JobStatus;
    const allocs = this.store.allocsOfJob(job.Namespace, job.ID).filter((a) => a.JobCreateIndex === job.CreateIndex);
    const evals = this.store.evalsOfJob(job.Namespace, job.ID);
    if (job.Type === 'system' || job.Periodic || isParameterized(job)) status = job.Stop ? 'dead' : 'running';
    else if (this.store.deploymentsOfJob(job.Namespace, job.ID).some((d) => ['running', 'paused', 'pending', 'blocked', 'unblocking', 'initializing'].includes(d.Status))) status = 'running';
    else if (allocs.some((a) => !allocTerminal(a))) status = 'running';
    else if (evals.some((e) => e.Status === 'pending' || e.Status === 'blocked')) status = 'pending';
    else status = evals.length || job.Stop ? 'dead' : 'pending';
    if (job.Status !== status) {
      job.Status = status;
      const idx = this.store.bump('jobs');
      job.ModifyIndex = idx;
      rec.summaryModifyIndex = idx;
      this.sim.events.publish('Job', job);
    }
  }

  /** Something of the job changed (an allocation, a deployment): its summary moves and its status is re-derived. */
  refresh(ns: string, id: string): void {
    const rec = this.store.jobRecord(ns, id);
    if (rec) {
      rec.summaryModifyIndex = this.store.index;
      this.recomputeStatus(rec);
    }
  }
}

/** Nomad's Job.IsParameterized: a parameterized job that is not itself a dispatched child. */
export function isParameterized(job: Job): boolean {
  return !!job.ParameterizedJob && !job.Dispatched;
}

/** nomad/job_endpoint.go validateJobUpdate: what an update may not change about a job (a new one may not be Dispatched). */
function validateJobUpdate(old: Job | undefined, next: Job): void {
  const refuse = (message: string): never => {
    throw new NomadHttpError(500, message);
  };
  if (!old) {
    if (next.Dispatched) refuse("job can't be submitted with 'Dispatched' set");
    return;
  }
  if (old.Type !== next.Type) refuse(`cannot update job from type "${old.Type}" to "${next.Type}"`);
  if (old.Periodic && !next.Periodic) refuse('cannot update periodic job to being non-periodic');
  if (next.Periodic && !old.Periodic) refuse('cannot update non-periodic job to being periodic');
  if (isParameterized(old) && !isParameterized(next)) refuse('cannot update parameterized job to being non-parameterized');
  if (isParameterized(next) && !isParameterized(old)) refuse('cannot update non-parameterized job to being parameterized');
  if (!!old.Dispatched !== !!next.Dispatched) refuse("field 'Dispatched' is read-only");
}
