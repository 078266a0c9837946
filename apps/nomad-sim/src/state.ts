import { EventEmitter } from 'node:events';
import { canonicalizeJob, Job, specChanged, validateJob } from './jobspec';
import { LogFile, LogType, parseSize } from './logs';
import { globMatch, multiError, NomadHttpError, nowNs, nsToRfc3339, uuid, ZERO_TIME } from './wire';

/** Timings of the simulated client; tests shrink them, the demo keeps them human. */
export interface SimTimings {
  /** placement -> task running (or failing to pull). */
  startDelayMs: number;
  /** running -> healthy in its deployment. */
  healthyDelayMs: number;
  /** how long a batch task runs before exiting 0. */
  batchRunMs: number;
  /** stands in for RestartPolicy.Delay between driver failures. */
  restartDelayMs: number;
  /** how long a stopping task takes to be killed. */
  killDelayMs: number;
}

export const DEFAULT_TIMINGS: SimTimings = {
  startDelayMs: 1500,
  healthyDelayMs: 2000,
  batchRunMs: 3000,
  restartDelayMs: 2000,
  killDelayMs: 500,
};

export type Obj = Record<string, any>;

interface JobRecord {
  job: Job;
  /** newest first, as /versions returns them */
  versions: Job[];
  summaryCreateIndex: number;
  summaryModifyIndex: number;
}

export interface SimNode {
  ID: string;
  Name: string;
  Datacenter: string;
  Address: string;
  CPU: number;
  MemoryMB: number;
  DiskMB: number;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface Namespace {
  Name: string;
  Description: string;
  Quota: string;
  Capabilities: Obj | null;
  Meta: Record<string, string> | null;
  CreateIndex: number;
  ModifyIndex: number;
}

/** Reasons an image cannot be "pulled": documented in the README. */
export function imageIsMissing(image: string): boolean {
  return /(^|[/:])(missing|does-not-exist|doesnotexist)([^/]*)$/.test(image) || /:missing$/.test(image);
}

const TERMINAL_CLIENT = new Set(['complete', 'failed', 'lost']);
export const allocTerminal = (a: Obj) =>
  a.DesiredStatus === 'stop' || a.DesiredStatus === 'evict' || TERMINAL_CLIENT.has(a.ClientStatus);

const key = (ns: string, id: string) => `${ns}\u0000${id}`;

/**
 * The cluster state: one global index bumped on every write (BEHAVIOUR.md §5), table indexes for the
 * list endpoints, and a tiny scheduler plus simulated client that move allocations through their life.
 */
export class SimState extends EventEmitter {
  index = 1;
  readonly tables = { jobs: 1, allocs: 1, evals: 1, deployments: 1, namespaces: 1, nodes: 1, acl: 1 };
  readonly namespaces = new Map<string, Namespace>();
  readonly jobs = new Map<string, JobRecord>();
  readonly allocs = new Map<string, Obj>();
  readonly evals = new Map<string, Obj>();
  readonly deployments = new Map<string, Obj>();
  readonly nodes: SimNode[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly logFiles = new Map<string, LogFile>();
  private closed = false;

  constructor(
    readonly region: string,
    readonly datacenter: string,
    readonly timings: SimTimings,
    nodeCount: number,
  ) {
    super();
    this.setMaxListeners(0);
    this.namespaces.set('default', {
      Name: 'default', Description: 'Default shared namespace', Quota: '', Capabilities: null, Meta: null,
      CreateIndex: 1, ModifyIndex: 1,
    });
    for (let i = 1; i <= nodeCount; i++) {
      this.nodes.push({
        ID: uuid(), Name: `sim-client-${i}`, Datacenter: datacenter, Address: `127.0.0.${i + 1}`,
        CPU: 4000, MemoryMB: 8192, DiskMB: 50000, CreateIndex: 1, ModifyIndex: 1,
      });
    }
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.emit('change');
  }

  /** Bumps the global index and marks the given tables changed; wakes blocking queries. */
  bump(...tables: Array<keyof SimState['tables']>): number {
    this.index += 1;
    for (const t of tables) this.tables[t] = this.index;
    queueMicrotask(() => this.emit('change'));
    return this.index;
  }

  private later(ms: number, fn: () => void): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) fn();
    }, ms);
    t.unref?.();
    this.timers.add(t);
  }

  // ---------------------------------------------------------------- namespaces

  upsertNamespace(body: Obj): void {
    const name = body.Name as string;
    if (!name || !/^[a-zA-Z0-9-]{1,128}$/.test(name)) {
      throw new NomadHttpError(500, multiError([`invalid name "${name ?? ''}". Must match regex ^[a-zA-Z0-9-]{1,128}$`]));
    }
    const existing = this.namespaces.get(name);
    const idx = this.bump('namespaces');
    this.namespaces.set(name, {
      Name: name, Description: body.Description ?? '', Quota: body.Quota ?? '', Capabilities: body.Capabilities ?? null,
      Meta: body.Meta ?? null, CreateIndex: existing?.CreateIndex ?? idx, ModifyIndex: idx,
    });
  }

  deleteNamespace(name: string): void {
    if (name === 'default') throw new NomadHttpError(500, 'default namespace can not be deleted');
    if (!this.namespaces.has(name)) throw new NomadHttpError(500, `namespace "${name}" does not exist`);
    const nonTerminal = [...this.jobs.values()].filter((r) => r.job.Namespace === name && r.job.Status !== 'dead');
    if (nonTerminal.length) {
      throw new NomadHttpError(500, `namespace "${name}" has non-terminal jobs in regions: [${this.region}]`);
    }
    this.namespaces.delete(name);
    this.bump('namespaces');
  }

  // ---------------------------------------------------------------- jobs

  getJob(ns: string, id: string): Job | undefined {
    return this.jobs.get(key(ns, id))?.job;
  }

  getVersions(ns: string, id: string): Job[] | undefined {
    return this.jobs.get(key(ns, id))?.versions;
  }

  listJobs(ns: string): Job[] {
    return [...this.jobs.values()]
      .map((r) => r.job)
      .filter((j) => ns === '*' || j.Namespace === ns)
      .sort((a, b) => (a.Namespace === b.Namespace ? cmp(a.ID, b.ID) : cmp(a.Namespace, b.Namespace)));
  }

  register(rawJob: unknown, namespace: string, opts: { enforceIndex?: boolean; jobModifyIndex?: number; evalPriority?: number } = {}) {
    const job = canonicalizeJob(rawJob, namespace, this.region);
    validateJob(job);
    if (!this.namespaces.has(namespace)) {
      throw new NomadHttpError(500, multiError([`job "${job.ID}" is in nonexistent namespace "${namespace}"`]));
    }
    const rec = this.jobs.get(key(namespace, job.ID));
    if (opts.enforceIndex) {
      const want = opts.jobModifyIndex ?? 0;
      const prefix = `Enforcing job modify index ${want}`;
      if (want === 0 && rec) throw new NomadHttpError(500, `${prefix}: job already exists`);
      if (want !== 0 && !rec) throw new NomadHttpError(500, `${prefix}: job does not exist`);
      if (rec && want !== rec.job.JobModifyIndex) {
        throw new NomadHttpError(500, `${prefix}: job exists with conflicting job modify index: ${rec.job.JobModifyIndex}`);
      }
    }
    return this.storeAndEvaluate(job, rec, 'job-register', opts.evalPriority);
  }

  /** Stores a (possibly new) version and creates the evaluation Nomad would. */
  private storeAndEvaluate(job: Job, rec: JobRecord | undefined, triggeredBy: string, evalPriority?: number, forceVersion = false) {
    const idx = this.bump('jobs', 'evals');
    const changed = !rec || forceVersion || specChanged(rec.job, job);
    if (rec && !changed) {
      // Same spec: Nomad keeps the version and still creates an evaluation.
      const ev = this.createEval(rec.job, triggeredBy, idx, evalPriority);
      this.recomputeStatus(rec);
      return { EvalID: ev.ID, EvalCreateIndex: idx, JobModifyIndex: rec.job.JobModifyIndex, Warnings: '', Index: idx };
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
    this.jobs.set(key(job.Namespace, job.ID), record);
    const periodicOrParam = job.Periodic || job.ParameterizedJob;
    let evalId = '';
    let evalIndex = 0;
    if (!periodicOrParam) {
      const ev = this.createEval(job, triggeredBy, idx, evalPriority);
      evalId = ev.ID;
      evalIndex = idx;
    }
    this.recomputeStatus(record);
    return { EvalID: evalId, EvalCreateIndex: evalIndex, JobModifyIndex: idx, Warnings: '', Index: idx };
  }

  deregister(ns: string, id: string, purge: boolean) {
    const rec = this.jobs.get(key(ns, id));
    if (!rec) return { EvalID: '', EvalCreateIndex: 0, JobModifyIndex: 0, VolumeEvalID: '', VolumeEvalIndex: 0, Index: 0 };
    let evalId = '';
    let idx: number;
    if (purge) {
      idx = this.bump('jobs', 'evals');
      this.jobs.delete(key(ns, id));
      const ev = this.createEval(rec.job, 'job-deregister', idx);
      evalId = ev.ID;
    } else {
      const stopped = { ...rec.job, Stop: true };
      const res = this.storeAndEvaluate(stopped, rec, 'job-deregister', undefined, !rec.job.Stop);
      evalId = res.EvalID;
      idx = res.Index;
    }
    return { EvalID: evalId, EvalCreateIndex: idx, JobModifyIndex: idx, VolumeEvalID: '', VolumeEvalIndex: 0, Index: idx };
  }

  revert(ns: string, id: string, version: number, enforcePrior?: number | null) {
    const rec = this.jobs.get(key(ns, id));
    if (!rec) throw new NomadHttpError(500, `job "${id}" not found`);
    if (enforcePrior !== undefined && enforcePrior !== null && enforcePrior !== rec.job.Version) {
      throw new NomadHttpError(500, `Current job has version ${rec.job.Version}; enforcing version ${enforcePrior}`);
    }
    if (version === rec.job.Version) throw new NomadHttpError(500, "can't revert to current version");
    const target = rec.versions.find((v) => v.Version === version);
    if (!target) throw new NomadHttpError(500, `job "${id}" in namespace "${ns}" at version ${version} not found`);
    return this.storeAndEvaluate({ ...structuredClone(target) }, rec, 'job-register', undefined, true);
  }

  /** PUT /v1/job/:id/stable: marks a version stable or unstable. */
  setStability(ns: string, id: string, version: number, stable: boolean) {
    const rec = this.jobs.get(key(ns, id));
    if (!rec) throw new NomadHttpError(500, `job "${id}" not found`);
    const target = rec.versions.find((v) => v.Version === version);
    if (!target) throw new NomadHttpError(500, `job "${id}" version ${version} not found`);
    const idx = this.bump('jobs');
    target.Stable = stable;
    target.ModifyIndex = idx;
    return { Index: idx, JobModifyIndex: rec.job.JobModifyIndex };
  }

  scale(ns: string, id: string, group: string, count: number | null, message: string, isError: boolean, meta: Obj | null) {
    const rec = this.jobs.get(key(ns, id));
    if (!rec) throw new NomadHttpError(404, `job "${id}" not found`);
    const tg = (rec.job.TaskGroups as Obj[]).find((g) => g.Name === group);
    if (!tg) throw new NomadHttpError(400, `task group "${group}" specified for scaling does not exist in job`);
    if (count !== null && count < 0) throw new NomadHttpError(400, "scaling action count can't be negative");
    if (count !== null && rec.job.Type === 'system' && count > 1) {
      throw new NomadHttpError(400, 'jobs of type "system" can only be scaled between 0 and 1');
    }
    const event = {
      Count: count, PreviousCount: tg.Count, Message: message, Error: isError, Meta: meta, EvalID: null as string | null,
      Time: nowNs(), CreateIndex: 0,
    };
    if (count === null) {
      const idx = this.bump('jobs');
      event.CreateIndex = idx;
      (this.scalingEvents(rec.job, group)).unshift(event);
      return { EvalID: '', EvalCreateIndex: 0, JobModifyIndex: rec.job.JobModifyIndex, Warnings: '', Index: idx };
    }
    const next = structuredClone(rec.job);
    (next.TaskGroups as Obj[]).find((g) => g.Name === group)!.Count = count;
    const res = this.storeAndEvaluate(next, rec, 'job-scaling', undefined, true);
    event.EvalID = res.EvalID;
    event.CreateIndex = res.Index;
    this.scalingEvents(rec.job, group).unshift(event);
    return res;
  }

  private readonly scalingEventStore = new Map<string, Obj[]>();
  scalingEvents(job: Job, group: string): Obj[] {
    const k = `${key(job.Namespace, job.ID)}\u0000${group}`;
    let list = this.scalingEventStore.get(k);
    if (!list) this.scalingEventStore.set(k, (list = []));
    return list;
  }

  summary(job: Job): Obj {
    const rec = this.jobs.get(key(job.Namespace, job.ID))!;
    const groups: Obj = {};
    for (const g of (job.TaskGroups ?? []) as Obj[]) {
      groups[g.Name] = { Queued: 0, Complete: 0, Failed: 0, Running: 0, Starting: 0, Lost: 0, Unknown: 0 };
    }
    for (const a of this.allocsOfJob(job.Namespace, job.ID)) {
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
    for (const ev of this.evalsOfJob(job.Namespace, job.ID)) {
      if (ev.Status === 'blocked' && ev.QueuedAllocations) {
        for (const [g, n] of Object.entries(ev.QueuedAllocations)) if (groups[g]) groups[g].Queued += n as number;
      }
    }
    return {
      JobID: job.ID, Namespace: job.Namespace, Summary: groups,
      Children: { Pending: 0, Running: 0, Dead: 0 },
      CreateIndex: rec?.summaryCreateIndex ?? job.CreateIndex, ModifyIndex: Math.max(rec?.summaryModifyIndex ?? 0, job.ModifyIndex),
    };
  }

  /** Per-job lists (objects are never removed: the simulator has no garbage collection), so reads stay O(own). */
  private readonly byJob = { allocs: new Map<string, Obj[]>(), evals: new Map<string, Obj[]>(), deployments: new Map<string, Obj[]>() };

  private track(kind: keyof SimState['byJob'], o: Obj): void {
    const k = key(o.Namespace, o.JobID);
    const list = this.byJob[kind].get(k);
    if (list) list.push(o);
    else this.byJob[kind].set(k, [o]);
  }

  allocsOfJob(ns: string, id: string): Obj[] {
    return [...(this.byJob.allocs.get(key(ns, id)) ?? [])];
  }

  evalsOfJob(ns: string, id: string): Obj[] {
    return [...(this.byJob.evals.get(key(ns, id)) ?? [])];
  }

  deploymentsOfJob(ns: string, id: string): Obj[] {
    return [...(this.byJob.deployments.get(key(ns, id)) ?? [])];
  }

  /** BEHAVIOUR.md §10: job status is derived from its allocations, deployments and evaluations. */
  private recomputeStatus(rec: JobRecord): void {
    const job = rec.job;
    let status: string;
    const allocs = this.allocsOfJob(job.Namespace, job.ID).filter((a) => a.JobCreateIndex === job.CreateIndex);
    const evals = this.evalsOfJob(job.Namespace, job.ID);
    if (job.Type === 'system' || job.Periodic || job.ParameterizedJob) status = job.Stop ? 'dead' : 'running';
    else if (this.deploymentsOfJob(job.Namespace, job.ID).some((d) => ['running', 'paused', 'pending', 'blocked', 'unblocking', 'initializing'].includes(d.Status))) status = 'running';
    else if (allocs.some((a) => !allocTerminal(a))) status = 'running';
    else if (evals.some((e) => e.Status === 'pending' || e.Status === 'blocked')) status = 'pending';
    else status = evals.length || job.Stop ? 'dead' : 'pending';
    if (job.Status !== status) {
      job.Status = status;
      const idx = this.bump('jobs');
      job.ModifyIndex = idx;
      rec.summaryModifyIndex = idx;
    }
  }

  private refreshJob(ns: string, id: string): void {
    const rec = this.jobs.get(key(ns, id));
    if (rec) {
      rec.summaryModifyIndex = this.index;
      this.recomputeStatus(rec);
    }
  }

  // ---------------------------------------------------------------- evaluations and scheduling

  private createEval(job: Job, triggeredBy: string, idx: number, priority?: number, extra: Obj = {}): Obj {
    const now = nowNs();
    const ev: Obj = {
      ID: uuid(), Namespace: job.Namespace, Priority: priority ?? job.Priority, Type: job.Type, TriggeredBy: triggeredBy,
      JobID: job.ID, JobModifyIndex: job.JobModifyIndex, NodeID: '', NodeModifyIndex: 0, DeploymentID: '',
      Status: 'pending', StatusDescription: '', Wait: 0, WaitUntil: null, NextEval: '', PreviousEval: '',
      BlockedEval: '', RelatedEvals: null, FailedTGAllocs: null, PlanAnnotations: null, ClassEligibility: null,
      QuotaLimitReached: '', MissingNonNodeResources: null, EscapedComputedClass: false, AnnotatePlan: false,
      QueuedAllocations: null, LeaderACL: '', SnapshotIndex: 0, CreateIndex: idx, ModifyIndex: idx,
      CreateTime: now, ModifyTime: now, ...extra,
    };
    this.evals.set(ev.ID, ev);
    this.track('evals', ev);
    this.tables.evals = idx;
    if (ev.Status === 'pending') this.later(5, () => this.processEval(ev.ID));
    return ev;
  }

  private finishEval(ev: Obj, status: string, extra: Obj = {}): void {
    const idx = this.bump('evals');
    Object.assign(ev, { Status: status, ModifyIndex: idx, ModifyTime: nowNs(), SnapshotIndex: idx - 1 }, extra);
  }

  /** The scheduler: reconcile the job's allocations with its spec. */
  private processEval(evalId: string): void {
    const ev = this.evals.get(evalId);
    if (!ev || (ev.Status !== 'pending' && ev.Status !== 'blocked')) return;
    const rec = this.jobs.get(key(ev.Namespace, ev.JobID));
    const job = rec?.job;
    const live = this.allocsOfJob(ev.Namespace, ev.JobID).filter((a) => a.DesiredStatus === 'run' && !allocTerminal(a));
    const failedTG: Obj = {};
    const queued: Obj = {};
    const placed: Obj[] = [];
    if (!job || job.Stop) {
      for (const a of live) this.stopAlloc(a, 'alloc not needed due to job update');
      for (const d of this.deploymentsOfJob(ev.Namespace, ev.JobID)) {
        if (d.Status === 'running' || d.Status === 'paused') {
          Object.assign(d, { Status: 'cancelled', StatusDescription: 'Cancelled because job is stopped', ModifyIndex: this.bump('deployments'), ModifyTime: nowNs() });
        }
      }
      for (const b of this.evalsOfJob(ev.Namespace, ev.JobID)) {
        if (b.Status === 'blocked' && b.ID !== ev.ID) this.finishEval(b, 'canceled', { StatusDescription: 'evaluation is no longer needed' });
      }
      this.finishEval(ev, 'complete');
      if (rec) this.recomputeStatus(rec);
      return;
    }
    // earlier blocked evals of this job are superseded by this one
    for (const b of this.evalsOfJob(ev.Namespace, ev.JobID)) {
      if (b.Status === 'blocked' && b.ID !== ev.ID) this.finishEval(b, 'canceled', { StatusDescription: 'evaluation is no longer needed' });
    }
    // a rollout of this version already under way continues; otherwise one is created on first placement
    let deployment: Obj | undefined = this.deploymentsOfJob(job.Namespace, job.ID).find((d) => d.Status === 'running' && d.JobVersion === job.Version);
    for (const tg of job.TaskGroups as Obj[]) {
      const mine = live.filter((a) => a.TaskGroup === tg.Name);
      const outdated = mine.filter((a) => a.JobVersion !== job.Version && groupSpecChanged(a.Job, job, tg.Name));
      const inPlace = mine.filter((a) => !outdated.includes(a));
      for (const a of inPlace) if (a.JobVersion !== job.Version) { a.JobVersion = job.Version; a.Job = job; a.ModifyIndex = this.bump('allocs'); }
      // rolling update: at most MaxParallel replacements are in flight (placed but not yet healthy)
      let replaceNow = outdated;
      const maxParallel = tg.Update?.MaxParallel ?? 0;
      if (job.Type === 'service' && maxParallel > 0) {
        const inFlight = inPlace.filter((a) => a.DeploymentStatus?.Healthy !== true).length;
        replaceNow = outdated.sort((a, b) => allocIndex(a) - allocIndex(b)).slice(0, Math.max(0, maxParallel - inFlight));
      }
      for (const a of replaceNow) this.stopAlloc(a, 'alloc is being updated due to job update');
      const current = mine.filter((a) => !replaceNow.includes(a));
      const desired = job.Type === 'system' || job.Type === 'sysbatch' ? Math.min(tg.Count, 1) * this.nodes.length : tg.Count;
      const byIndex = current.sort((a, b) => allocIndex(a) - allocIndex(b));
      if (byIndex.length > desired) {
        for (const a of byIndex.slice(desired)) this.stopAlloc(a, 'alloc not needed due to job update');
      }
      // batch jobs do not re-place allocations that already completed
      const done = job.Type === 'batch'
        ? this.allocsOfJob(job.Namespace, job.ID).filter((a) => a.TaskGroup === tg.Name && a.ClientStatus === 'complete' && a.JobCreateIndex === job.CreateIndex && a.JobVersion === job.Version).length
        : 0;
      const missing = desired - Math.min(byIndex.length, desired) - done;
      const used = new Set(byIndex.slice(0, desired).map(allocIndex));
      let failures = 0;
      let metric: Obj | undefined;
      for (let n = 0, slot = 0; n < missing; n++) {
        while (used.has(slot)) slot++;
        used.add(slot);
        const fit = this.findNode(job, tg);
        if ('failure' in fit) {
          failures++;
          metric = fit.failure;
          continue;
        }
        if (!deployment && (job.Type === 'service') && (tg.Update?.MaxParallel ?? 0) > 0) {
          deployment = this.createDeployment(job);
        }
        placed.push(this.placeAlloc(job, tg, slot, fit.node, ev, deployment));
      }
      if (failures > 0 && metric) {
        metric.CoalescedFailures = failures - 1;
        failedTG[tg.Name] = metric;
        queued[tg.Name] = failures;
      }
    }
    if (deployment) {
      for (const tg of job.TaskGroups as Obj[]) {
        const placedHere = placed.filter((a) => a.TaskGroup === tg.Name).length;
        const known = deployment.TaskGroups[tg.Name];
        if (known) {
          known.PlacedAllocs += placedHere;
          continue;
        }
        deployment.TaskGroups[tg.Name] = {
          AutoRevert: tg.Update?.AutoRevert ?? false, AutoPromote: tg.Update?.AutoPromote ?? false,
          ProgressDeadline: tg.Update?.ProgressDeadline ?? 0, RequireProgressBy: nsToRfc3339(nowNs() + BigInt(tg.Update?.ProgressDeadline ?? 0)),
          Promoted: false, PlacedCanaries: null, DesiredCanaries: 0, DesiredTotal: tg.Count,
          PlacedAllocs: placedHere, HealthyAllocs: 0, UnhealthyAllocs: 0,
        };
      }
      ev.DeploymentID = deployment.ID;
    }
    const queuedAll: Obj = {};
    for (const tg of job.TaskGroups as Obj[]) queuedAll[tg.Name] = queued[tg.Name] ?? 0;
    if (Object.keys(failedTG).length) {
      if (ev.Status === 'blocked') {
        // still cannot place: stay blocked
        Object.assign(ev, { FailedTGAllocs: failedTG, QueuedAllocations: queuedAll });
      } else {
        const idx = this.bump('evals');
        const blocked = this.createEval(job, 'queued-allocs', idx, ev.Priority, {
          Status: 'blocked', StatusDescription: 'created to place remaining allocations', PreviousEval: ev.ID,
          QueuedAllocations: queuedAll, ClassEligibility: { '': true },
        });
        this.finishEval(ev, 'complete', { FailedTGAllocs: failedTG, BlockedEval: blocked.ID, QueuedAllocations: queuedAll });
      }
    } else {
      this.finishEval(ev, 'complete', { QueuedAllocations: queuedAll });
    }
    this.recomputeStatus(rec!);
  }

  /** Resources in use on a node by allocations that still hold them. */
  private used(node: SimNode) {
    let cpu = 0;
    let mem = 0;
    for (const a of this.allocs.values()) {
      if (a.NodeID !== node.ID || allocTerminal(a)) continue;
      for (const t of Object.values(a.AllocatedResources.Tasks) as Obj[]) {
        cpu += t.Cpu.CpuShares;
        mem += t.Memory.MemoryMB;
      }
    }
    return { cpu, mem };
  }

  private findNode(job: Job, tg: Obj): { node: SimNode } | { failure: Obj } {
    const askCpu = (tg.Tasks as Obj[]).reduce((s, t) => s + t.Resources.CPU, 0);
    const askMem = (tg.Tasks as Obj[]).reduce((s, t) => s + t.Resources.MemoryMB, 0);
    const dcs = job.Datacenters as string[];
    const inDc = this.nodes.filter((n) => dcs.some((d) => d === '*' || globMatch(d, n.Datacenter)));
    const metric: Obj = {
      NodesEvaluated: 0, NodesFiltered: 0, NodesInPool: this.nodes.length, NodesAvailable: { [this.datacenter]: this.nodes.length },
      ClassFiltered: null, ConstraintFiltered: null, NodesExhausted: 0, ClassExhausted: null, DimensionExhausted: null,
      QuotaExhausted: null, ResourcesExhausted: null, Scores: null, ScoreMetaData: null, AllocationTime: 41000,
      CoalescedFailures: 0,
    };
    const drivers = new Set((tg.Tasks as Obj[]).map((t) => t.Driver));
    const unsupported = [...drivers].filter((d) => !['docker', 'exec', 'raw_exec', 'java'].includes(d) || d === 'raw_exec');
    if (inDc.length === 0) {
      metric.NodesAvailable = Object.fromEntries(dcs.map((d) => [d, 0]));
      return { failure: metric };
    }
    metric.NodesEvaluated = inDc.length;
    if (unsupported.length) {
      metric.NodesFiltered = inDc.length;
      metric.ConstraintFiltered = { [`missing drivers`]: inDc.length };
      metric.ClassFiltered = { '': inDc.length };
      return { failure: metric };
    }
    for (const node of inDc) {
      const u = this.used(node);
      if (u.cpu + askCpu <= node.CPU && u.mem + askMem <= node.MemoryMB) return { node };
    }
    const dims: Obj = {};
    for (const node of inDc) {
      const u = this.used(node);
      const dim = u.mem + askMem > node.MemoryMB ? 'memory' : 'cpu';
      dims[dim] = (dims[dim] ?? 0) + 1;
    }
    metric.NodesExhausted = inDc.length;
    metric.ClassExhausted = { '': inDc.length };
    metric.DimensionExhausted = dims;
    metric.ResourcesExhausted = Object.fromEntries(
      (tg.Tasks as Obj[]).map((t) => [t.Name, { CPU: t.Resources.CPU, MemoryMB: t.Resources.MemoryMB, DiskMB: 0, Cores: 0, MemoryMaxMB: 0, IOPS: 0, Networks: null, Devices: null, NUMA: null, SecretsMB: 0 }]),
    );
    return { failure: metric };
  }

  private createDeployment(job: Job): Obj {
    for (const d of this.deploymentsOfJob(job.Namespace, job.ID)) {
      if (d.Status === 'running') {
        Object.assign(d, { Status: 'cancelled', StatusDescription: 'Cancelled due to newer version of job', ModifyIndex: this.bump('deployments'), ModifyTime: nowNs() });
      }
    }
    const idx = this.bump('deployments');
    const now = nowNs();
    const d: Obj = {
      ID: uuid(), Namespace: job.Namespace, JobID: job.ID, JobVersion: job.Version, JobModifyIndex: job.JobModifyIndex,
      JobSpecModifyIndex: job.JobModifyIndex, JobCreateIndex: job.CreateIndex, IsMultiregion: false, TaskGroups: {},
      Status: 'running', StatusDescription: 'Deployment is running', EvalPriority: job.Priority,
      CreateIndex: idx, ModifyIndex: idx, CreateTime: now, ModifyTime: now,
    };
    this.deployments.set(d.ID, d);
    this.track('deployments', d);
    return d;
  }

  private placeAlloc(job: Job, tg: Obj, slot: number, node: SimNode, ev: Obj, deployment?: Obj, previous?: Obj): Obj {
    const idx = this.bump('allocs');
    const now = nowNs();
    const ports: Obj[] = [];
    for (const net of (tg.Networks ?? []) as Obj[]) {
      for (const p of (net.ReservedPorts ?? []) as Obj[]) ports.push({ Label: p.Label, Value: p.Value, To: p.To, HostIP: node.Address, IgnoreCollision: false });
      for (const p of (net.DynamicPorts ?? []) as Obj[]) {
        ports.push({ Label: p.Label, Value: 20000 + ((idx * 7 + ports.length * 13) % 12000), To: p.To === -1 ? 0 : p.To, HostIP: node.Address, IgnoreCollision: false });
      }
    }
    const tasks: Obj = {};
    for (const t of tg.Tasks as Obj[]) {
      tasks[t.Name] = { Cpu: { CpuShares: t.Resources.CPU, ReservedCores: null }, Memory: { MemoryMB: t.Resources.MemoryMB, MemoryMaxMB: t.Resources.MemoryMaxMB }, Networks: null, Devices: null };
    }
    const a: Obj = {
      ID: uuid(), Namespace: job.Namespace, EvalID: ev.ID, Name: `${job.ID}.${tg.Name}[${slot}]`, NodeID: node.ID,
      NodeName: node.Name, JobID: job.ID, Job: job, JobType: job.Type, JobVersion: job.Version, JobCreateIndex: job.CreateIndex,
      TaskGroup: tg.Name,
      Resources: null, SharedResources: null, TaskResources: null,
      AllocatedResources: {
        Tasks: tasks, TaskLifecycles: Object.fromEntries((tg.Tasks as Obj[]).map((t) => [t.Name, t.Lifecycle ?? null])),
        Shared: {
          Networks: ports.length ? [{ Mode: '', Device: '', CIDR: '', IP: node.Address, Hostname: '', MBits: 0, DNS: null, ReservedPorts: null, DynamicPorts: null, CNI: null }] : null,
          DiskMB: tg.EphemeralDisk?.SizeMB ?? 300, Ports: ports.length ? ports : null,
        },
      },
      Metrics: { NodesEvaluated: 1, NodesFiltered: 0, NodesInPool: this.nodes.length, NodesAvailable: { [node.Datacenter]: this.nodes.length }, ClassFiltered: null, ConstraintFiltered: null, NodesExhausted: 0, ClassExhausted: null, DimensionExhausted: null, QuotaExhausted: null, ResourcesExhausted: null, Scores: null, ScoreMetaData: null, AllocationTime: 52000, CoalescedFailures: 0 },
      DesiredStatus: 'run', DesiredDescription: '', DesiredTransition: { Migrate: null, Reschedule: null, ForceReschedule: null, NoShutdownDelay: null },
      ClientStatus: 'pending', ClientDescription: '', TaskStates: null, AllocStates: null,
      PreviousAllocation: previous?.ID ?? '', NextAllocation: '', DeploymentID: deployment?.ID ?? '',
      DeploymentStatus: null, RescheduleTracker: null, NetworkStatus: null, FollowupEvalID: '',
      PreemptedAllocations: null, PreemptedByAllocation: '', SigningKeyID: '',
      CreateIndex: idx, ModifyIndex: idx, AllocModifyIndex: idx, CreateTime: now, ModifyTime: now,
    };
    if (previous) {
      previous.NextAllocation = a.ID;
      previous.ModifyIndex = idx;
    }
    this.allocs.set(a.ID, a);
    this.track('allocs', a);
    this.later(Math.min(50, this.timings.startDelayMs / 3), () => this.clientReceived(a.ID));
    return a;
  }

  // ---------------------------------------------------------------- the simulated client

  private updateAlloc(a: Obj, change: Obj = {}): void {
    Object.assign(a, change);
    a.ModifyIndex = this.bump('allocs', 'jobs');
    a.ModifyTime = nowNs();
    a.ClientDescription = clientDescription(a.ClientStatus);
    this.refreshJob(a.Namespace, a.JobID);
  }

  private taskEvent(a: Obj, task: string, type: string, display: string, details: Obj = {}, extra: Obj = {}): void {
    const state = a.TaskStates[task];
    state.Events = state.Events ?? [];
    if (state.Events.length >= 10) state.Events.shift();
    state.Events.push(makeEvent(type, display, details, extra));
  }

  private clientReceived(id: string): void {
    const a = this.allocs.get(id);
    if (!a || allocTerminal(a)) return;
    a.TaskStates = {};
    for (const t of (a.Job.TaskGroups as Obj[]).find((g) => g.Name === a.TaskGroup)!.Tasks as Obj[]) {
      a.TaskStates[t.Name] = { State: 'pending', Failed: false, Restarts: 0, LastRestart: ZERO_TIME, StartedAt: ZERO_TIME, FinishedAt: ZERO_TIME, Events: [], Paused: '' };
      this.taskEvent(a, t.Name, 'Received', 'Task received by client');
      this.taskEvent(a, t.Name, 'Task Setup', 'Building Task Directory', { message: 'Building Task Directory' }, { Message: 'Building Task Directory' });
      if (t.Driver === 'docker' && t.Config?.image) {
        this.taskEvent(a, t.Name, 'Driver', `Downloading image`, { image: t.Config.image }, { DriverMessage: `Downloading image` });
      }
    }
    this.updateAlloc(a);
    this.later(this.timings.startDelayMs, () => this.clientStart(id, 0));
  }

  private tasksOf(a: Obj): Obj[] {
    return (a.Job.TaskGroups as Obj[]).find((g) => g.Name === a.TaskGroup)!.Tasks;
  }

  private clientStart(id: string, attempt: number): void {
    const a = this.allocs.get(id);
    if (!a || allocTerminal(a)) return;
    let anyFailed = false;
    for (const t of this.tasksOf(a)) {
      const image = String(t.Config?.image ?? '');
      if (t.Driver === 'docker' && (!image || imageIsMissing(image))) {
        anyFailed = true;
        const repo = image.split(':')[0] || '<empty>';
        const msg = image
          ? `failed to create container: Failed to pull \`${image}\`: Error response from daemon: pull access denied for ${repo}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`
          : 'failed to create container: image name must not be empty';
        this.taskEvent(a, t.Name, 'Driver Failure', msg, { driver_error: msg }, { DriverError: msg });
        const policy = t.RestartPolicy;
        if (attempt < policy.Attempts) {
          const delay = `${Math.round(policy.Delay / 1e9)}s`;
          this.taskEvent(a, t.Name, 'Restarting', `Task restarting in ${delay}`, { restart_reason: 'Restart within policy', start_delay: String(policy.Delay) }, { RestartReason: 'Restart within policy', StartDelay: policy.Delay });
          a.TaskStates[t.Name].Restarts = attempt + 1;
          a.TaskStates[t.Name].LastRestart = nsToRfc3339(nowNs());
        } else {
          const reason = `Exceeded allowed attempts ${policy.Attempts} in interval ${goDuration(policy.Interval)} and mode is "${policy.Mode}"`;
          this.taskEvent(a, t.Name, 'Not Restarting', reason, { fails_task: 'true', restart_reason: reason }, { FailsTask: true, RestartReason: reason });
          Object.assign(a.TaskStates[t.Name], { State: 'dead', Failed: true, FinishedAt: nsToRfc3339(nowNs()) });
        }
      } else {
        const s = a.TaskStates[t.Name];
        this.taskEvent(a, t.Name, 'Started', 'Task started by client');
        Object.assign(s, { State: 'running', StartedAt: nsToRfc3339(nowNs()) });
      }
    }
    if (anyFailed && attempt < Math.max(...this.tasksOf(a).map((t) => t.RestartPolicy.Attempts))) {
      this.updateAlloc(a);
      this.later(this.timings.restartDelayMs, () => this.clientStart(id, attempt + 1));
      return;
    }
    if (anyFailed) {
      for (const t of this.tasksOf(a)) {
        const s = a.TaskStates[t.Name];
        if (s.State === 'running') {
          this.taskEvent(a, t.Name, 'Sibling Task Failed', 'Task\'s sibling failed', {}, { FailedSibling: 'x' });
          Object.assign(s, { State: 'dead', FinishedAt: nsToRfc3339(nowNs()) });
        }
      }
      this.updateAlloc(a, { ClientStatus: 'failed' });
      this.deploymentHealth(a, false);
      return;
    }
    this.updateAlloc(a, { ClientStatus: 'running' });
    if (a.JobType === 'batch' || a.JobType === 'sysbatch') {
      this.later(this.timings.batchRunMs, () => this.batchExit(id));
    } else if (a.DeploymentID) {
      this.later(this.timings.healthyDelayMs, () => this.deploymentHealth(a, true));
    }
  }

  private batchExit(id: string): void {
    const a = this.allocs.get(id);
    if (!a || a.ClientStatus !== 'running') return;
    for (const t of this.tasksOf(a)) {
      this.taskEvent(a, t.Name, 'Terminated', 'Exit Code: 0', { exit_code: '0', signal: '0', oom_killed: 'false' }, { ExitCode: 0 });
      Object.assign(a.TaskStates[t.Name], { State: 'dead', FinishedAt: nsToRfc3339(nowNs()) });
    }
    this.stopLogs(a);
    this.updateAlloc(a, { ClientStatus: 'complete' });
  }

  private deploymentHealth(a: Obj, healthy: boolean): void {
    if (!a.DeploymentID) return;
    if (healthy && (allocTerminal(a) || a.ClientStatus !== 'running')) return;
    const d = this.deployments.get(a.DeploymentID);
    if (!d || d.Status !== 'running') return;
    const tg = d.TaskGroups[a.TaskGroup];
    if (!tg) return;
    a.DeploymentStatus = { Healthy: healthy, Timestamp: nsToRfc3339(nowNs()), Canary: false, ModifyIndex: this.index + 1 };
    this.updateAlloc(a);
    if (healthy) tg.HealthyAllocs++;
    else tg.UnhealthyAllocs++;
    const idx = this.bump('deployments');
    Object.assign(d, { ModifyIndex: idx, ModifyTime: nowNs() });
    const rec = this.jobs.get(key(d.Namespace, d.JobID));
    if (!healthy) {
      Object.assign(d, { Status: 'failed', StatusDescription: 'Failed due to unhealthy allocations' });
    } else if (rec && this.allocsOfJob(d.Namespace, d.JobID).some((x) => x.DesiredStatus === 'run' && !allocTerminal(x) && x.JobVersion !== rec.job.Version)) {
      // the deployment watcher asks the scheduler for the next batch of the rolling update
      this.createEval(rec.job, 'deployment-watcher', this.bump('evals'), undefined, { DeploymentID: d.ID });
    } else if (Object.values(d.TaskGroups).every((g: any) => g.HealthyAllocs >= g.DesiredTotal)) {
      Object.assign(d, { Status: 'successful', StatusDescription: 'Deployment completed successfully' });
      if (rec && rec.job.Version === d.JobVersion) {
        rec.job.Stable = true;
        rec.job.ModifyIndex = this.bump('jobs');
      }
    }
    this.refreshJob(a.Namespace, a.JobID);
  }

  /** The scheduler marks the alloc to stop; the client kills its tasks shortly after. */
  private stopAlloc(a: Obj, reason: string): void {
    Object.assign(a, { DesiredStatus: 'stop', DesiredDescription: reason });
    this.updateAlloc(a);
    this.later(this.timings.killDelayMs, () => {
      if (!a.TaskStates) {
        this.updateAlloc(a, { ClientStatus: 'complete' });
        this.unblockEvals();
        return;
      }
      for (const t of this.tasksOf(a)) {
        const s = a.TaskStates[t.Name];
        if (!s || s.State === 'dead') continue;
        this.taskEvent(a, t.Name, 'Killing', `Sent interrupt. Waiting ${goDuration(t.KillTimeout)} before force killing`, { kill_timeout: String(t.KillTimeout) }, { KillTimeout: t.KillTimeout });
        this.taskEvent(a, t.Name, 'Terminated', 'Exit Code: 0, Signal: 15', { exit_code: '0', signal: '15' }, { Signal: 15 });
        this.taskEvent(a, t.Name, 'Killed', 'Task successfully killed');
        Object.assign(s, { State: 'dead', FinishedAt: nsToRfc3339(nowNs()) });
      }
      this.stopLogs(a);
      this.updateAlloc(a, { ClientStatus: a.ClientStatus === 'failed' ? 'failed' : 'complete' });
      this.unblockEvals();
    });
  }

  /** Freed capacity lets blocked evaluations try again. */
  private unblockEvals(): void {
    for (const ev of this.evals.values()) if (ev.Status === 'blocked') this.later(5, () => this.processEval(ev.ID));
  }

  /** POST /v1/allocation/:id/stop: migrate the alloc and place a replacement. */
  stopAllocation(id: string) {
    const a = this.allocs.get(id);
    if (!a) throw new NomadHttpError(404, 'allocation not found');
    const rec = this.jobs.get(key(a.Namespace, a.JobID));
    const idx = this.bump('allocs', 'evals');
    a.DesiredTransition = { ...a.DesiredTransition, Migrate: true };
    a.ModifyIndex = idx;
    const ev = this.createEval(rec?.job ?? a.Job, 'alloc-stop', idx, undefined, { Status: 'complete' });
    if (!allocTerminal(a)) {
      this.stopAlloc(a, 'alloc is being migrated');
      if (rec && !rec.job.Stop && a.JobType !== 'system') {
        const tg = (rec.job.TaskGroups as Obj[]).find((g) => g.Name === a.TaskGroup);
        const fit = tg && this.findNode(rec.job, tg);
        if (tg && fit && 'node' in fit) {
          const dep = a.DeploymentID ? this.deployments.get(a.DeploymentID) : undefined;
          this.placeAlloc(rec.job, tg, allocIndex(a), fit.node, ev, dep?.Status === 'running' ? dep : undefined, a);
        }
      }
    }
    return { EvalID: ev.ID, Index: idx };
  }

  /** POST /v1/client/allocation/:id/restart: in place, Restarts += 1, no new eval or alloc. */
  restartAllocation(id: string, taskName: string, allTasks: boolean) {
    const a = this.allocs.get(id);
    if (!a) throw new NomadHttpError(404, `Unknown allocation "${id}"`);
    if (taskName && allTasks) throw new NomadHttpError(500, 'task name cannot be set when restarting all tasks');
    if (allocTerminal(a)) throw new NomadHttpError(500, 'restart of an alloc that should not run');
    const tasks = this.tasksOf(a).map((t) => t.Name as string);
    if (taskName && !tasks.includes(taskName)) throw new NomadHttpError(500, `Could not find task runner for task: ${taskName}`);
    const targets = taskName ? [taskName] : tasks.filter((t) => allTasks || a.TaskStates?.[t]?.State === 'running');
    if (taskName && a.TaskStates?.[taskName]?.State !== 'running') throw new NomadHttpError(500, 'Task not running');
    const why = taskName ? 'User requested task to restart' : allTasks ? 'User requested all tasks to restart' : 'User requested running tasks to restart';
    for (const t of targets) {
      const s = a.TaskStates[t];
      this.taskEvent(a, t, 'Restart Signaled', why, { restart_reason: why }, { RestartReason: why });
      this.taskEvent(a, t, 'Terminated', 'Exit Code: 0, Signal: 15', { exit_code: '0', signal: '15' }, { Signal: 15 });
      this.taskEvent(a, t, 'Restarting', 'Task restarting in 0s', { restart_reason: why, start_delay: '0' }, { RestartReason: why });
      this.taskEvent(a, t, 'Started', 'Task started by client');
      Object.assign(s, { State: 'running', Restarts: s.Restarts + 1, LastRestart: nsToRfc3339(nowNs()) });
    }
    this.updateAlloc(a);
    return { Index: 0 };
  }

  // ---------------------------------------------------------------- logs

  logFile(a: Obj, task: string, type: LogType): LogFile | undefined {
    const s = a.TaskStates?.[task];
    if (!s || s.StartedAt === ZERO_TIME) return undefined;
    const k = `${a.ID}/${task}/${type}`;
    let f = this.logFiles.get(k);
    if (!f) {
      const t = this.tasksOf(a).find((x) => x.Name === task)!;
      f = new LogFile({
        startedAtMs: Date.parse(s.StartedAt), stoppedAtMs: s.State === 'dead' ? Date.parse(s.FinishedAt) : undefined,
        image: String(t.Config?.image ?? t.Driver), taskName: task, type,
        historyBytes: type === 'stdout' ? parseSize(t.Env?.NOMAD_SIM_LOG_BYTES ?? t.Meta?.['sim.log_bytes']) : 0,
        batch: a.JobType === 'batch' || a.JobType === 'sysbatch',
      });
      this.logFiles.set(k, f);
    }
    return f;
  }

  private stopLogs(a: Obj): void {
    for (const k of [...this.logFiles.keys()]) if (k.startsWith(`${a.ID}/`)) this.logFiles.delete(k);
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function allocIndex(a: Obj): number {
  const m = /\[(\d+)\]$/.exec(a.Name);
  return m ? Number(m[1]) : 0;
}

function groupSpecChanged(oldJob: Job, job: Job, group: string): boolean {
  const g1 = (oldJob.TaskGroups as Obj[]).find((g) => g.Name === group);
  const g2 = (job.TaskGroups as Obj[]).find((g) => g.Name === group);
  const strip = (g: Obj | undefined) => JSON.stringify({ ...g, Count: 0 });
  return strip(g1) !== strip(g2) || JSON.stringify(oldJob.Meta) !== JSON.stringify(job.Meta);
}


function clientDescription(status: string): string {
  const texts: Record<string, string> = { pending: 'No tasks have started', running: 'Tasks are running', complete: 'All tasks have completed', failed: 'Failed tasks' };
  return texts[status] ?? '';
}

export function goDuration(ns: number): string {
  let s = Math.round(ns / 1e9);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (h) return `${h}h${m}m${s}s`;
  if (m) return `${m}m${s}s`;
  return `${s}s`;
}

export function makeEvent(type: string, display: string, details: Obj = {}, extra: Obj = {}): Obj {
  return {
    Type: type, Time: nowNs(), Message: '', DisplayMessage: display, Details: details, FailsTask: false,
    RestartReason: '', SetupError: '', DriverError: '', ExitCode: 0, Signal: 0, KillTimeout: 0, KillError: '',
    KillReason: '', StartDelay: 0, DownloadError: '', ValidationError: '', DiskLimit: 0, FailedSibling: '',
    VaultError: '', TaskSignalReason: '', TaskSignal: '', DriverMessage: '', GenericSource: '', ...extra,
  };
}
