import type { Allocation, Deployment, DeploymentGroupState, DeploymentStatus, Job } from './types';

/**
 * Facts about deployments (rollouts) that the scheduler, the deployment watcher and the routes all ask:
 * whether one can still change, whether it waits for promotion, which canaries it keeps, and Nomad's
 * status descriptions (structs.DeploymentStatusDescription*).
 */

export const DESCRIPTION = {
  running: 'Deployment is running',
  needsPromotion: 'Deployment is running but requires manual promotion',
  autoPromotion: 'Deployment is running pending automatic promotion',
  paused: 'Deployment is paused',
  successful: 'Deployment completed successfully',
  stoppedJob: 'Cancelled because job is stopped',
  newerJob: 'Cancelled due to newer version of job',
  failedAllocations: 'Failed due to unhealthy allocations',
  progressDeadline: 'Failed due to progress deadline',
  failedByUser: 'Deployment marked as failed',
} as const;

const ACTIVE = new Set<DeploymentStatus>(['running', 'paused', 'initializing', 'pending', 'blocked', 'unblocking']);

/** Nomad's Deployment.Active(): a rollout that may still be promoted, paused, resumed or failed. */
export const deploymentActive = (d: Deployment) => ACTIVE.has(d.Status);

/** A group with canaries that were not promoted yet holds the rest of its rollout back. */
export const groupWaitsForPromotion = (g: DeploymentGroupState) => g.DesiredCanaries > 0 && !g.Promoted;

export const requiresPromotion = (d: Deployment) => Object.values(d.TaskGroups).some(groupWaitsForPromotion);

/** The description of a running rollout: whether it waits for a person (or for its canaries) to promote it. */
export function runningDescription(d: Deployment): string {
  if (!requiresPromotion(d)) return DESCRIPTION.running;
  const waiting = Object.values(d.TaskGroups).filter(groupWaitsForPromotion);
  return waiting.every((g) => g.AutoPromote) ? DESCRIPTION.autoPromotion : DESCRIPTION.needsPromotion;
}

/** The rollout of the job's current version (newest first), if it has one; a purged and re-created job's old ones do not count. */
export function deploymentOfVersion(deployments: Deployment[], job: Job): Deployment | undefined {
  return deployments
    .filter((d) => d.JobVersion === job.Version && d.JobCreateIndex === job.CreateIndex)
    .sort((a, b) => b.CreateIndex - a.CreateIndex)[0];
}

export const isCanary = (a: Allocation) => a.DeploymentStatus?.Canary === true;

/**
 * Nomad's cancelUnneededCanaries: a canary that was never promoted is stopped once its rollout failed or
 * another one took over; a promoted canary is an ordinary allocation of its version from then on.
 */
export function canaryUnneeded(a: Allocation, own: Deployment | undefined, current: Deployment | undefined): boolean {
  if (!isCanary(a)) return false;
  if (own?.TaskGroups[a.TaskGroup]?.Promoted) return false;
  return !own || own !== current || own.Status === 'failed';
}
