import { randomUUID } from 'node:crypto';
import { annotate, DesiredUpdates } from '../diff/annotate';
import { jobDiff, JobDiff } from '../diff/job-diff';
import { canonicalizeJob, specChanged, validateJob } from '../jobspec';
import { multiError, NomadHttpError, ZERO_TIME } from '../wire';
import { allocSlot, allocTerminal } from './allocs';
import { jobWarnings, mergeWarnings } from './job-warnings';
import type { Reserved } from './scheduler';
import type { SimState } from './sim-state';
import { tasksUpdated } from './tasks-updated';
import type { AllocMetric, Allocation, Deployment, Evaluation, Job, TaskGroup } from './types';

/** PUT /v1/job/:id/plan's answer (nomad/structs JobPlanResponse). */
export interface PlanResponse {
  Annotations: { DesiredTGUpdates: Record<string, DesiredUpdates>; PreemptedAllocs: null };
  FailedTGAllocs: Record<string, AllocMetric> | null;
  JobModifyIndex: number;
  CreatedEvals: Evaluation[] | null;
  Diff: JobDiff | null;
  NextPeriodicLaunch: string;
  Warnings: string;
  Index: number;
}

const zero = (): DesiredUpdates => ({
  Ignore: 0, Place: 0, Migrate: 0, Stop: 0, InPlaceUpdate: 0, DestructiveUpdate: 0, Canary: 0, Preemptions: 0, Disconnect: 0,
  Reconnect: 0, RescheduleNow: 0, RescheduleLater: 0,
});

/**
 * Job.Plan (nomad/job_endpoint.go): what registering a job would do, nothing changed. The scheduler's
 * reconciler is run in words of the simulator: per group, allocations to ignore, place, stop, update in
 * place or replace (scheduler/util.go tasksUpdated decides which), rolling updates limited to MaxParallel
 * with the rest ignored for now, canaries first when the group asks for them; then a dry run of the
 * placements says what would not fit. With Diff the job diff is annotated with those counts.
 */
export class Planner {
  constructor(private readonly sim: SimState) {}

  private get store() {
    return this.sim.store;
  }

  plan(rawJob: unknown, namespace: string, withDiff: boolean): PlanResponse {
    const job = canonicalizeJob(rawJob, namespace, this.store.region);
    validateJob(job);
    if (!this.store.namespaces.has(namespace)) {
      throw new NomadHttpError(500, multiError([`job "${job.ID}" is in nonexistent namespace "${namespace}"`]));
    }
    const existing = this.store.getJob(namespace, job.ID);
    const changed = !existing || specChanged(existing, job);
    // the scheduler sees the new spec as the version it would become
    job.Version = existing ? existing.Version + (changed ? 1 : 0) : 0;
    job.CreateIndex = existing?.CreateIndex ?? 0;
    const live = existing ? this.store.allocsOfJob(namespace, job.ID).filter((a) => a.DesiredStatus === 'run' && !allocTerminal(a) && a.JobCreateIndex === existing.CreateIndex) : [];
    const deployment = existing && !changed ? this.currentDeployment(existing) : undefined;
    const desired: Record<string, DesiredUpdates> = {};
    const replaced: Record<string, Allocation[]> = {};
    const groups = [...new Set([...job.TaskGroups.map((g) => g.Name), ...live.map((a) => a.TaskGroup)])];
    for (const name of groups) {
      const out = this.reconcileGroup(job, existing, changed, name, live.filter((a) => a.TaskGroup === name), deployment);
      desired[name] = out.updates;
      replaced[name] = out.replaced;
    }
    const failed = this.dryRunPlacements(job, desired, replaced);
    const index = existing?.JobModifyIndex ?? 0;
    let diff: JobDiff | null = null;
    if (withDiff) {
      diff = jobDiff(existing, job, true);
      annotate(diff, desired);
    }
    const blocked = failed
      ? [this.sim.scheduler.buildEval(job, 'queued-allocs', 0, undefined, {
          Status: 'blocked', StatusDescription: 'created to place remaining allocations', PreviousEval: randomUUID(),
          FailedTGAllocs: failed, ClassEligibility: { '': true }, JobModifyIndex: changed ? index + 1 : index,
        })]
      : null;
    return {
      Annotations: { DesiredTGUpdates: desired, PreemptedAllocs: null }, FailedTGAllocs: failed, JobModifyIndex: index,
      CreatedEvals: blocked, Diff: diff, NextPeriodicLaunch: ZERO_TIME, Warnings: mergeWarnings(jobWarnings(job)), Index: index,
    };
  }

  /** The job's latest deployment while it still counts for this version (not finished successfully or cancelled). */
  private currentDeployment(job: Job): Deployment | undefined {
    const latest = this.store.deploymentsOfJob(job.Namespace, job.ID).sort((a, b) => b.CreateIndex - a.CreateIndex)[0];
    if (!latest || latest.JobVersion !== job.Version || latest.JobCreateIndex !== job.CreateIndex) return undefined;
    return latest.Status === 'successful' || latest.Status === 'cancelled' ? undefined : latest;
  }

  /** reconciler computeGroup, for the cases the simulator stages (no lost nodes, no disconnects). */
  private reconcileGroup(job: Job, existing: Job | undefined, changed: boolean, name: string, mine: Allocation[], deployment: Deployment | undefined) {
    const u = zero();
    const tg = job.TaskGroups.find((g) => g.Name === name);
    const count = tg ? this.desiredCount(job, tg) : 0;
    // a stopped job (or a group removed or scaled to zero) only stops what runs
    if (!tg || count === 0 || job.Stop) {
      u.Stop = mine.length;
      return { updates: u, replaced: [] as Allocation[] };
    }
    // unneeded allocations stop, highest slots first
    const bySlot = [...mine].sort((a, b) => allocSlot(a) - allocSlot(b));
    const keep = bySlot.slice(0, count);
    u.Stop += bySlot.length - keep.length;
    const destructive: Allocation[] = [];
    for (const a of keep) {
      if (!changed && a.JobVersion === existing!.Version) u.Ignore++;
      else if (tasksUpdated(a.Job, job, name) !== null) destructive.push(a);
      else u.InPlaceUpdate++;
    }
    const dstate = deployment?.TaskGroups[name];
    const update = tg.Update;
    const canaries = !!update && destructive.length > 0 && update.Canary > (dstate?.PlacedCanaries?.length ?? 0) && !dstate?.Promoted;
    if (canaries) u.Canary += update!.Canary - (dstate?.PlacedCanaries?.length ?? 0);
    const canarying = canaries || (!!dstate && dstate.DesiredCanaries > 0 && !dstate.Promoted);
    const halted = deployment?.Status === 'paused' || deployment?.Status === 'failed';
    let room = this.underProvisionedBy(tg, count, keep, destructive, deployment, halted || canarying);
    // a batch job's completed allocations of this version are done, not missing
    const done = job.Type === 'batch' && !changed ? this.completedOfVersion(job, name, existing!.Version) : 0;
    u.Ignore += done;
    const place = Math.max(0, count - keep.length - done);
    if (!halted && !canarying) {
      u.Place += place;
      room -= Math.min(place, room);
      const now = Math.min(destructive.length, room);
      u.DestructiveUpdate += now;
      u.Ignore += destructive.length - now;
      return { updates: u, replaced: destructive.slice(0, now) };
    }
    u.Ignore += destructive.length;
    return { updates: u, replaced: [] as Allocation[] };
  }

  /** computeUnderProvisionedBy: how many replacements a rolling update may start now. */
  private underProvisionedBy(tg: TaskGroup, count: number, keep: Allocation[], destructive: Allocation[], deployment: Deployment | undefined, held: boolean): number {
    const maxParallel = tg.Update?.MaxParallel ?? 0;
    if (maxParallel === 0 || destructive.length === 0) return count;
    if (!deployment) return maxParallel;
    if (held) return 0;
    let room = maxParallel;
    for (const a of keep.filter((x) => x.DeploymentID === deployment.ID)) {
      if (a.DeploymentStatus?.Healthy === false) return 0;
      if (a.DeploymentStatus?.Healthy !== true) room--;
    }
    return Math.max(0, room);
  }

  private desiredCount(job: Job, tg: TaskGroup): number {
    // a system job runs once on every node that may take new allocations (not a drained or ineligible one)
    return job.Type === 'system' || job.Type === 'sysbatch' ? Math.min(tg.Count, 1) * this.sim.scheduler.schedulableNodes(job).length : tg.Count;
  }

  private completedOfVersion(job: Job, group: string, version: number): number {
    return this.store.allocsOfJob(job.Namespace, job.ID).filter((a) => a.TaskGroup === group && a.ClientStatus === 'complete' && a.JobVersion === version && a.JobCreateIndex === job.CreateIndex).length;
  }

  /**
   * The placements the plan would make (new, canary and replacement allocations), fitted on the nodes as
   * the scheduler fits them, the replaced allocations' resources counted free: the groups that would not
   * fit, with the scheduler's metrics, or null.
   */
  private dryRunPlacements(job: Job, desired: Record<string, DesiredUpdates>, replaced: Record<string, Allocation[]>): Record<string, AllocMetric> | null {
    const reserved: Reserved = new Map();
    const add = (node: string, cpu: number, mem: number) => {
      const r = reserved.get(node) ?? { cpu: 0, mem: 0 };
      reserved.set(node, { cpu: r.cpu + cpu, mem: r.mem + mem });
    };
    for (const a of Object.values(replaced).flat()) {
      for (const t of Object.values(a.AllocatedResources.Tasks)) add(a.NodeID, -t.Cpu.CpuShares, -t.Memory.MemoryMB);
    }
    const failed: Record<string, AllocMetric> = {};
    for (const tg of job.TaskGroups) {
      const u = desired[tg.Name];
      const want = u ? u.Place + u.DestructiveUpdate + u.Canary : 0;
      let failures = 0;
      let metric: AllocMetric | undefined;
      for (let i = 0; i < want; i++) {
        const fit = this.sim.scheduler.findNode(job, tg, reserved);
        if ('failure' in fit) {
          failures++;
          metric = fit.failure;
        } else {
          add(fit.node.ID, tg.Tasks.reduce((s, t) => s + t.Resources.CPU, 0), tg.Tasks.reduce((s, t) => s + t.Resources.MemoryMB, 0));
        }
      }
      if (metric) failed[tg.Name] = { ...metric, CoalescedFailures: failures - 1 };
    }
    return Object.keys(failed).length ? failed : null;
  }
}
