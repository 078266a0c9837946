import { randomUUID } from 'node:crypto';
import { nowNs, nsToRfc3339 } from '../wire';
import { allocTerminal } from './allocs';
import type { SimState } from './sim-state';
import type { Allocation, Deployment, Job } from './types';

/**
 * Deployments and the deployment watcher: a service job's rollout is tracked per task group, turns
 * successful (and the job version Stable) when every group is healthy, failed on an unhealthy allocation,
 * and asks the scheduler for the next batch of a rolling update as replacements turn healthy.
 */
export class Deployments {
  constructor(private readonly sim: SimState) {}

  private get store() {
    return this.sim.store;
  }

  /** A new rollout for the job's current version; a rollout of an older version still running is cancelled. */
  create(job: Job): Deployment {
    for (const d of this.store.deploymentsOfJob(job.Namespace, job.ID)) {
      if (d.Status === 'running') {
        Object.assign(d, { Status: 'cancelled', StatusDescription: 'Cancelled due to newer version of job', ModifyIndex: this.store.bump('deployments'), ModifyTime: nowNs() });
      }
    }
    const idx = this.store.bump('deployments');
    const now = nowNs();
    const d: Deployment = {
      ID: randomUUID(), Namespace: job.Namespace, JobID: job.ID, JobVersion: job.Version, JobModifyIndex: job.JobModifyIndex,
      JobSpecModifyIndex: job.JobModifyIndex, JobCreateIndex: job.CreateIndex, IsMultiregion: false, TaskGroups: {},
      Status: 'running', StatusDescription: 'Deployment is running', EvalPriority: job.Priority,
      CreateIndex: idx, ModifyIndex: idx, CreateTime: now, ModifyTime: now,
    };
    this.store.deployments.set(d.ID, d);
    this.store.track('deployments', d);
    return d;
  }

  /** Records what one scheduler pass placed for the rollout (a group's state is created on its first pass). */
  countPlacements(d: Deployment, job: Job, placed: Allocation[]): void {
    for (const tg of job.TaskGroups) {
      const placedHere = placed.filter((a) => a.TaskGroup === tg.Name).length;
      const known = d.TaskGroups[tg.Name];
      if (known) {
        known.PlacedAllocs += placedHere;
        continue;
      }
      d.TaskGroups[tg.Name] = {
        AutoRevert: tg.Update?.AutoRevert ?? false, AutoPromote: tg.Update?.AutoPromote ?? false,
        ProgressDeadline: tg.Update?.ProgressDeadline ?? 0, RequireProgressBy: nsToRfc3339(nowNs() + BigInt(tg.Update?.ProgressDeadline ?? 0)),
        Promoted: false, PlacedCanaries: null, DesiredCanaries: 0, DesiredTotal: tg.Count,
        PlacedAllocs: placedHere, HealthyAllocs: 0, UnhealthyAllocs: 0,
      };
    }
  }

  /** An allocation updated in place for the rollout's version: it is part of the rollout, healthy again once it has run a while. */
  adopt(d: Deployment, a: Allocation): void {
    a.DeploymentID = d.ID;
    a.DeploymentStatus = null;
    if (a.ClientStatus === 'running') this.store.later(this.sim.timings.healthyDelayMs, () => this.allocHealth(a, true));
  }

  /** A stopped (or purged) job's rollouts end. */
  cancelForStoppedJob(ns: string, jobId: string): void {
    for (const d of this.store.deploymentsOfJob(ns, jobId)) {
      if (d.Status === 'running' || d.Status === 'paused') {
        Object.assign(d, { Status: 'cancelled', StatusDescription: 'Cancelled because job is stopped', ModifyIndex: this.store.bump('deployments'), ModifyTime: nowNs() });
      }
    }
  }

  /** The client reports an allocation healthy (running long enough) or unhealthy (failed). */
  allocHealth(a: Allocation, healthy: boolean): void {
    if (!a.DeploymentID) return;
    if (healthy && (allocTerminal(a) || a.ClientStatus !== 'running')) return;
    const d = this.store.deployments.get(a.DeploymentID);
    if (!d || d.Status !== 'running') return;
    const tg = d.TaskGroups[a.TaskGroup];
    if (!tg) return;
    a.DeploymentStatus = { Healthy: healthy, Timestamp: nsToRfc3339(nowNs()), Canary: false, ModifyIndex: this.store.index + 1 };
    this.sim.client.update(a);
    if (healthy) tg.HealthyAllocs++;
    else tg.UnhealthyAllocs++;
    const idx = this.store.bump('deployments');
    Object.assign(d, { ModifyIndex: idx, ModifyTime: nowNs() });
    const rec = this.store.jobRecord(d.Namespace, d.JobID);
    if (!healthy) {
      Object.assign(d, { Status: 'failed', StatusDescription: 'Failed due to unhealthy allocations' });
    } else if (rec && this.store.allocsOfJob(d.Namespace, d.JobID).some((x) => x.DesiredStatus === 'run' && !allocTerminal(x) && x.JobVersion !== rec.job.Version)) {
      // the deployment watcher asks the scheduler for the next batch of the rolling update
      this.sim.scheduler.createEval(rec.job, 'deployment-watcher', this.store.bump('evals'), undefined, { DeploymentID: d.ID });
    } else if (Object.values(d.TaskGroups).every((g) => g.HealthyAllocs >= g.DesiredTotal)) {
      Object.assign(d, { Status: 'successful', StatusDescription: 'Deployment completed successfully' });
      if (rec && rec.job.Version === d.JobVersion) {
        rec.job.Stable = true;
        rec.job.ModifyIndex = this.store.bump('jobs');
      }
    }
    this.sim.jobs.refresh(a.Namespace, a.JobID);
  }
}
