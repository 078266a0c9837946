import { nowNs, nsToRfc3339 } from '../wire';
import { allocSlot } from './allocs';
import { nextReschedule, rescheduleEligible, trackerFor } from './reschedule';
import { deploymentActive } from './rollout';
import { tasksUpdated } from './tasks-updated';
import type { SimState } from './sim-state';
import type { Allocation, Deployment, Evaluation, Job, TaskGroup } from './types';

const FOLLOWUP_DESCRIPTION = 'created for delayed rescheduling';

/**
 * Rescheduling of failed allocations as Nomad's server and reconciler do it (nomad/node_endpoint.go UpdateAlloc,
 * scheduler/reconcile_util.go updateByReschedulable): a failed allocation whose group's reschedule policy allows
 * another attempt gets an `alloc-failure` evaluation; the scheduler replaces it once its delay has passed (the
 * replacement names it as PreviousAllocation and carries a RescheduleTracker, the failed one is stopped with
 * "alloc was rescheduled because it failed"), or else creates a follow-up evaluation with WaitUntil and notes it
 * as the allocation's FollowupEvalID. Within an active rollout only allocations the deployment watcher marked
 * (DesiredTransition.Reschedule) are replaced; one marked DesiredTransition.ForceReschedule (Job.Evaluate with
 * ForceReschedule) is replaced at once, its attempts and delay aside. Delays are the policy's, in simulated time
 * (SimState.scaled).
 */
export class Rescheduler {
  constructor(private readonly sim: SimState) {}

  private get store() {
    return this.sim.store;
  }

  /** The client reported the allocation failed. */
  allocFailed(a: Allocation): void {
    if (a.FollowupEvalID || a.JobType === 'system' || a.JobType === 'sysbatch') return;
    const job = this.store.getJob(a.Namespace, a.JobID);
    if (!job || job.Stop || !rescheduleEligible(a, nowNs())) return;
    this.sim.scheduler.createEval(job, 'alloc-failure', this.store.bump('evals'));
  }

  /**
   * The group's failed allocations of the job's current version, sorted as the reconciler does: those to replace
   * `now`, and those that `keep` their slot (waiting for their delay, held by a rollout, or out of attempts).
   */
  sort(job: Job, tg: TaskGroup, ev: Evaluation, rollout: Deployment | undefined): { now: Allocation[]; keep: Allocation[] } {
    const now: Allocation[] = [];
    const keep: Allocation[] = [];
    // an older version's failed allocation counts too when the new version left its tasks as they were (Nomad
    // updates a finished allocation in place by ignoring it: genericAllocUpdateFn); one whose tasks changed is
    // replaced by the rollout instead
    const failed = this.store.allocsOfJob(job.Namespace, job.ID).filter((a) => a.TaskGroup === tg.Name && a.ClientStatus === 'failed' &&
      a.DesiredStatus === 'run' && !a.NextAllocation && a.JobCreateIndex === job.CreateIndex &&
      (a.JobVersion === job.Version || (job.Type !== 'batch' && job.Type !== 'sysbatch' && tasksUpdated(a.Job, job, tg.Name) === null)));
    const windowMs = this.sim.scaled(1e9);
    for (const a of failed) {
      const own = a.DeploymentID ? this.store.deployments.get(a.DeploymentID) : undefined;
      const heldByRollout = own && own === rollout && deploymentActive(own) && !a.DesiredTransition.Reschedule;
      const { failTimeNs, delayNs, eligible } = nextReschedule(a);
      if (heldByRollout) {
        keep.push(a);
        continue;
      }
      // `nomad job eval -force-reschedule` marked it: replaced now, whatever the policy has left
      if (a.DesiredTransition.ForceReschedule) {
        now.push(a);
        continue;
      }
      if (!eligible) {
        keep.push(a);
        continue;
      }
      const atMs = Number(failTimeNs / 1_000_000n) + this.sim.scaled(delayNs);
      if (a.FollowupEvalID === ev.ID || atMs - Date.now() <= windowMs) {
        now.push(a);
        continue;
      }
      keep.push(a);
      if (!a.FollowupEvalID) this.followUp(job, ev, a, atMs);
    }
    return { now, keep };
  }

  /** Links each replacement placed for a rescheduled allocation to it and stops the failed one. */
  replaced(placed: Allocation[], rescheduled: Allocation[]): void {
    if (!rescheduled.length) return;
    const now = nowNs();
    for (const a of placed) {
      const prev = rescheduled.find((r) => r.ID === a.PreviousAllocation && allocSlot(r) === allocSlot(a));
      if (!prev) continue;
      a.RescheduleTracker = trackerFor(prev, now);
      this.sim.events.publish('Allocation', a);
      this.sim.client.stop(prev, 'alloc was rescheduled because it failed');
    }
  }

  /** createRescheduleLaterEvals: the evaluation that comes back for the allocation when its delay has passed. */
  private followUp(job: Job, ev: Evaluation, a: Allocation, atMs: number): void {
    const followup = this.sim.events.during('EvaluationUpdated', () => this.sim.scheduler.createEval(job, 'alloc-failure', this.store.bump('evals'), ev.Priority, {
      StatusDescription: FOLLOWUP_DESCRIPTION, WaitUntil: nsToRfc3339(BigInt(Math.round(atMs)) * 1_000_000n),
    }));
    a.FollowupEvalID = followup.ID;
    a.ModifyIndex = this.store.bump('allocs');
    this.sim.events.publish('Allocation', a);
  }
}
