import { randomUUID } from 'node:crypto';
import { nowNs, nsToRfc3339, ZERO_TIME } from '../wire';
import { allocTerminal } from './allocs';
import { rescheduleEligible } from './reschedule';
import { deploymentActive, DESCRIPTION, requiresPromotion, runningDescription } from './rollout';
import type { SimState } from './sim-state';
import type { Allocation, Deployment, DeploymentGroupState, Job } from './types';

/**
 * Deployments and the deployment watcher: a service job's rollout is tracked per task group, turns
 * successful (and the job version Stable) when every group is healthy and promoted, fails on an unhealthy
 * allocation (rolling back with auto_revert), promotes canaries itself with auto_promote, and asks the
 * scheduler for the next batch of a rolling update as replacements turn healthy.
 */
export class Deployments {
  constructor(private readonly sim: SimState) {}

  private get store() {
    return this.sim.store;
  }

  /** A new rollout for the job's current version; a rollout of an older version still under way (or paused) is cancelled. */
  create(job: Job): Deployment {
    for (const d of this.store.deploymentsOfJob(job.Namespace, job.ID)) {
      if (deploymentActive(d)) {
        Object.assign(d, { Status: 'cancelled', StatusDescription: DESCRIPTION.newerJob, ModifyIndex: this.store.bump('deployments'), ModifyTime: nowNs() });
        this.sim.events.publish('Deployment', d);
      }
    }
    const idx = this.store.bump('deployments');
    const now = nowNs();
    const d: Deployment = {
      ID: randomUUID(), Namespace: job.Namespace, JobID: job.ID, JobVersion: job.Version, JobModifyIndex: job.JobModifyIndex,
      JobSpecModifyIndex: job.JobModifyIndex, JobCreateIndex: job.CreateIndex, IsMultiregion: false, TaskGroups: {},
      Status: 'running', StatusDescription: DESCRIPTION.running, EvalPriority: job.Priority,
      CreateIndex: idx, ModifyIndex: idx, CreateTime: now, ModifyTime: now,
    };
    this.store.deployments.set(d.ID, d);
    this.store.track('deployments', d);
    this.sim.events.publish('Deployment', d);
    return d;
  }

  /**
   * Records what one scheduler pass placed for the rollout (a group's state is created on its first pass).
   * `canaries`: the canaries among them, and per group how many the rollout wants before it is promoted.
   */
  countPlacements(d: Deployment, job: Job, placed: Allocation[], canaries: { placed: Allocation[]; desired: Record<string, number> } = { placed: [], desired: {} }): void {
    for (const tg of job.TaskGroups) {
      const placedHere = placed.filter((a) => a.TaskGroup === tg.Name).length;
      const canariesHere = canaries.placed.filter((a) => a.TaskGroup === tg.Name).map((a) => a.ID);
      const known = d.TaskGroups[tg.Name];
      if (known) {
        known.PlacedAllocs += placedHere;
        if (canariesHere.length) known.PlacedCanaries = [...(known.PlacedCanaries ?? []), ...canariesHere];
        if (placedHere) this.startProgressDeadline(d, known);
        continue;
      }
      // Nomad's reconciler adds a group only when it has an update strategy and this version changes something
      // in it: a group the pass neither placed nor updated is not part of the rollout (else it would wait for it forever)
      if (!placedHere && canaries.desired[tg.Name] === undefined) continue;
      if (!tg.Update || tg.Update.MaxParallel <= 0) continue;
      const state: DeploymentGroupState = {
        AutoRevert: tg.Update?.AutoRevert ?? false, AutoPromote: tg.Update?.AutoPromote ?? false,
        ProgressDeadline: tg.Update?.ProgressDeadline ?? 0, RequireProgressBy: ZERO_TIME,
        Promoted: false, PlacedCanaries: canariesHere.length ? canariesHere : null, DesiredCanaries: canaries.desired[tg.Name] ?? 0, DesiredTotal: tg.Count,
        PlacedAllocs: placedHere, HealthyAllocs: 0, UnhealthyAllocs: 0,
      };
      d.TaskGroups[tg.Name] = state;
      if (placedHere) this.startProgressDeadline(d, state);
    }
    // a rollout with canaries says at once that it waits for promotion (Nomad's reconciler sets it on creation)
    if (d.Status === 'running') d.StatusDescription = runningDescription(d);
    this.sim.events.publish('Deployment', d);
  }

  /** An allocation updated in place for the rollout's version: it is part of the rollout, healthy again once it has run a while. */
  adopt(d: Deployment, a: Allocation): void {
    a.DeploymentID = d.ID;
    a.DeploymentStatus = null;
    if (a.ClientStatus === 'running') this.store.later(this.minHealthyMs(a), () => this.allocHealth(a, true));
  }

  /** update.min_healthy_time of the allocation's group, in simulated time (healthyDelayMs for Nomad's default 10 s). */
  minHealthyMs(a: Allocation): number {
    const update = a.Job.TaskGroups.find((g) => g.Name === a.TaskGroup)?.Update;
    return update ? this.sim.scaled(update.MinHealthyTime) : this.sim.timings.healthyDelayMs;
  }

  /** A stopped (or purged) job's rollouts end. */
  cancelForStoppedJob(ns: string, jobId: string): void {
    for (const d of this.store.deploymentsOfJob(ns, jobId)) {
      if (d.Status === 'running' || d.Status === 'paused') {
        Object.assign(d, { Status: 'cancelled', StatusDescription: DESCRIPTION.stoppedJob, ModifyIndex: this.store.bump('deployments'), ModifyTime: nowNs() });
        this.sim.events.publish('Deployment', d);
      }
    }
  }

  /** The client reports an allocation healthy (running long enough) or unhealthy (failed). */
  allocHealth(a: Allocation, healthy: boolean): void {
    this.sim.events.during('DeploymentAllocHealth', () => this.recordHealth(a, healthy));
  }

  private recordHealth(a: Allocation, healthy: boolean): void {
    if (!a.DeploymentID) return;
    if (healthy && (allocTerminal(a) || a.ClientStatus !== 'running')) return;
    const d = this.store.deployments.get(a.DeploymentID);
    // a paused rollout still records health; only a running one moves on
    if (!d || (d.Status !== 'running' && d.Status !== 'paused')) return;
    const tg = d.TaskGroups[a.TaskGroup];
    if (!tg) return;
    a.DeploymentStatus = { Healthy: healthy, Timestamp: nsToRfc3339(nowNs()), Canary: a.DeploymentStatus?.Canary ?? false, ModifyIndex: this.store.index + 1 };
    this.sim.client.update(a);
    if (healthy) tg.HealthyAllocs++;
    else tg.UnhealthyAllocs++;
    // each healthy allocation moves the group's progress deadline on (the state store's updateDeploymentWithAlloc)
    if (healthy && tg.ProgressDeadline > 0) this.extendProgressDeadline(d, tg);
    const idx = this.store.bump('deployments');
    Object.assign(d, { ModifyIndex: idx, ModifyTime: nowNs() });
    this.sim.events.publish('Deployment', d);
    if (!healthy) {
      this.unhealthy(d, tg, a);
    } else if (d.Status === 'running' && !this.sim.deploymentActions.autoPromote(d) && !this.complete(d)) {
      // the deployment watcher asks the scheduler for the next batch of the rolling update
      const rec = this.store.jobRecord(d.Namespace, d.JobID);
      if (rec && this.outdatedLive(d)) this.sim.scheduler.createEval(rec.job, 'deployment-watcher', this.store.bump('evals'), undefined, { DeploymentID: d.ID });
    }
    this.sim.jobs.refresh(a.Namespace, a.JobID);
  }

  /**
   * A running rollout is done when every group is promoted and has its count of healthy allocations, and
   * nothing of an older version still runs: it turns successful and its job version stable. Asked on each
   * health report and after each scheduler pass (a promotion may leave nothing more to place).
   */
  complete(d: Deployment): boolean {
    if (d.Status !== 'running' || requiresPromotion(d) || this.outdatedLive(d)) return false;
    if (!Object.values(d.TaskGroups).every((g) => g.HealthyAllocs >= g.DesiredTotal)) return false;
    Object.assign(d, { Status: 'successful', StatusDescription: DESCRIPTION.successful, ModifyIndex: this.store.bump('deployments'), ModifyTime: nowNs() });
    this.sim.events.publish('Deployment', d, 'DeploymentStatusUpdate');
    const rec = this.store.jobRecord(d.Namespace, d.JobID);
    if (rec && rec.job.Version === d.JobVersion) {
      rec.job.Stable = true;
      rec.job.ModifyIndex = this.store.bump('jobs');
      this.sim.events.publish('Job', rec.job, 'DeploymentStatusUpdate');
    }
    return true;
  }

  /**
   * The watcher's handleAllocUpdate for an unhealthy allocation: without a progress deadline, or when its
   * reschedule policy allows no further attempt, the rollout fails at once (shouldFailEarly); else the allocation
   * may be replaced (DesiredTransition.Reschedule) and the progress deadline decides.
   */
  private unhealthy(d: Deployment, tg: DeploymentGroupState, a: Allocation): void {
    if (tg.ProgressDeadline === 0 || !rescheduleEligible(a, nowNs())) {
      this.sim.deploymentActions.failWith(d, DESCRIPTION.failedAllocations, false);
      return;
    }
    if (d.Status !== 'running' || a.DesiredTransition.Reschedule) return;
    a.DesiredTransition = { ...a.DesiredTransition, Reschedule: true };
    this.sim.client.update(a);
    const rec = this.store.jobRecord(d.Namespace, d.JobID);
    if (rec) this.sim.scheduler.createEval(rec.job, 'deployment-watcher', this.store.bump('evals'), undefined, { DeploymentID: d.ID });
  }

  /** The first placement of a group starts its progress deadline. */
  private startProgressDeadline(d: Deployment, g: DeploymentGroupState): void {
    if (g.ProgressDeadline <= 0 || g.RequireProgressBy !== ZERO_TIME) return;
    this.extendProgressDeadline(d, g);
  }

  /** A promotion starts the promoted groups' deadlines over (the state store's UpdateDeploymentPromotion). */
  restartProgressDeadline(d: Deployment, g: DeploymentGroupState): void {
    if (g.ProgressDeadline > 0 && g.RequireProgressBy !== ZERO_TIME) this.extendProgressDeadline(d, g, true);
  }

  /**
   * update.progress_deadline in simulated time. Unless the durations are honoured as written (durationScale set),
   * never shorter than twice the healthy deadline stand-in: Nomad requires it to be longer than the healthy
   * deadline, and a deadline of a few scaled milliseconds would fail rollouts of a busy machine.
   */
  private progressDeadlineMs(g: DeploymentGroupState): number {
    const ms = this.sim.scaled(g.ProgressDeadline);
    return this.sim.timings.durationScale !== undefined ? ms : Math.max(ms, 2 * this.sim.timings.healthyDeadlineMs);
  }

  private extendProgressDeadline(d: Deployment, g: DeploymentGroupState, reset = false): void {
    const ms = this.progressDeadlineMs(g);
    const by = nsToRfc3339(nowNs() + BigInt(ms) * 1_000_000n);
    if (reset || g.RequireProgressBy === ZERO_TIME || Date.parse(by) > Date.parse(g.RequireProgressBy)) g.RequireProgressBy = by;
    this.store.later(ms + 1, () => this.progressCheck(d.ID));
  }

  /**
   * The watcher's deadline timer: once a group that is not done passed its RequireProgressBy, the rollout fails
   * "due to progress deadline" if a group lacks healthy allocations (shouldFail: canaries awaiting promotion
   * only need to be healthy), rolling back when such a group has auto_revert.
   */
  private progressCheck(id: string): void {
    const d = this.store.deployments.get(id);
    if (!d || d.Status !== 'running') return;
    const now = Date.now();
    const lagging = Object.values(d.TaskGroups).filter((g) => g.HealthyAllocs < (g.DesiredCanaries > 0 && !g.Promoted ? g.DesiredCanaries : g.DesiredTotal));
    const overdue = lagging.filter((g) => g.RequireProgressBy !== ZERO_TIME && Date.parse(g.RequireProgressBy) <= now);
    if (!overdue.length) return;
    this.sim.deploymentActions.failWith(d, DESCRIPTION.progressDeadline, false, lagging.some((g) => g.AutoRevert));
    this.sim.jobs.refresh(d.Namespace, d.JobID);
  }

  /** Allocations of another version than the job's current one that still run (or are to). */
  private outdatedLive(d: Deployment): boolean {
    const rec = this.store.jobRecord(d.Namespace, d.JobID);
    return !!rec && this.store.allocsOfJob(d.Namespace, d.JobID).some((x) => x.DesiredStatus === 'run' && !allocTerminal(x) && x.JobVersion !== rec.job.Version);
  }
}
