import { NotFoundException } from '@nestjs/common';
import { Deployment, NomadDeploymentsApi, NomadJob } from '@nomad-mcp/nomad';
import { JobAccess } from '../jobs/job-access';
import { findById } from '../core/find-by-id';
import { Operation, OperationContext, OperationHandler } from '../core/operation';
import { shortId, table } from '../core/render';
import { deploymentGroups, groupProgress } from './deployment-view';
import { WaitForDeploymentDto, WaitForDeploymentResult } from './dto/wait-for-deployment.dto';

/** How long a deployment of a version registered a moment ago may take to appear (its evaluation runs first). */
const NEW_DEPLOYMENT_GRACE_MS = 10_000;

/** Whether a version of the job gets a deployment: a running service whose groups roll out (an update block). */
function rollsOut(job: NomadJob): boolean {
  return !job.Stop && (job.Type ?? 'service') === 'service' && (job.TaskGroups ?? []).some((g) => ((g.Update as { MaxParallel?: number } | null)?.MaxParallel ?? 0) > 0);
}

const OUTCOME: Record<string, string> = { successful: 'succeeded', failed: 'failed', cancelled: 'cancelled' };
/** Longest single blocking query: Nomad holds it until the deployment changes or this passes. */
const HOLD_MS = 60_000;

@Operation({
  name: 'wait_for_deployment',
  title: 'Wait for a deployment',
  description:
    "Wait until a job's rollout succeeds, fails or is cancelled, or its healthy canaries await a manual promotion (nothing moves until promote_deployment), " +
    'or timeout_seconds (default 300, at most 900) pass, then say how it ended ' +
    'and per group how many allocations are healthy. Waits on the latest deployment of the job unless deployment_id is given (right after a change, the new version\'s, once Nomad creates it). Sends progress ' +
    "(\"web: 2/3 healthy\") as MCP progress notifications when the client gives a progress token. Read-only: it changes nothing.",
  input: WaitForDeploymentDto,
  output: WaitForDeploymentResult,
  annotations: { readOnly: true, destructive: false, idempotent: true },
  permission: 'read',
  nomadCapability: 'read-job',
  order: 845,
  rest: { method: 'GET', path: 'jobs/:job_id/deployment/wait', stream: true },
})
export class WaitForDeploymentOp implements OperationHandler<WaitForDeploymentDto, WaitForDeploymentResult> {
  constructor(
    private readonly jobs: JobAccess,
    private readonly deployments: NomadDeploymentsApi,
  ) {}

  async run(ctx: OperationContext, input: WaitForDeploymentDto): Promise<WaitForDeploymentResult> {
    const started = Date.now();
    const namespace = ctx.namespace(input.namespace);
    const job = await this.jobs.requireJob(namespace, input.job_id);
    const deadline = started + (input.timeout_seconds ?? 300) * 1000;
    let d = input.deployment_id ? await this.target(ctx, namespace, job.ID, input.deployment_id) : await this.latest(ctx, namespace, job, deadline);
    let index = 0;
    let reported = '';
    for (;;) {
      const progress = deploymentGroups(d).map(groupProgress).join('; ');
      if (progress !== reported) ctx.progress(`${d.Status}: ${(reported = progress) || 'no groups yet'}`);
      if (OUTCOME[d.Status] || awaitsPromotion(d) || Date.now() >= deadline) break;
      const res = await this.deployments.get(d.ID, { index: Math.max(index, d.ModifyIndex), waitMs: Math.min(HOLD_MS, Math.max(1, deadline - Date.now())), signal: ctx.signal });
      d = res.body;
      index = res.index ?? d.ModifyIndex;
    }
    return this.answer(d, namespace, Math.round((Date.now() - started) / 1000));
  }

  render(r: WaitForDeploymentResult): string {
    return `${r.message}\n\n${table(r.groups as never, ['group', 'desired', 'placed', 'healthy', 'unhealthy'])}`;
  }

  /**
   * The job's latest deployment. Nomad creates a version's deployment once its scheduler has run the version's
   * evaluation, a moment after the register: called right after a change, this waits (a blocking query, at
   * most NEW_DEPLOYMENT_GRACE_MS) for the deployment of the job's current version rather than answer with the
   * previous version's, or with none.
   */
  private async latest(ctx: OperationContext, namespace: string, job: NomadJob, deadline: number): Promise<Deployment> {
    let res = await this.jobs.api.latestDeployment(namespace, job.ID);
    const until = Math.min(deadline, Date.now() + NEW_DEPLOYMENT_GRACE_MS);
    const behind = (d: Deployment | null) => !d || d.JobVersion < (job.Version ?? 0);
    while (behind(res.body) && rollsOut(job) && Date.now() < until) {
      res = await this.jobs.api.latestDeployment(namespace, job.ID, { index: Math.max(1, res.index ?? 0), waitMs: Math.max(1, until - Date.now()), signal: ctx.signal });
    }
    if (!res.body) throw new NotFoundException(`job '${job.ID}' has no deployment to wait for (batch jobs and jobs never rolled out have none); get_job_status shows its state.`);
    return res.body;
  }

  /** The deployment asked for (it must be this job's). */
  private async target(ctx: OperationContext, namespace: string, jobId: string, id: string): Promise<Deployment> {
    const d = await findById<Deployment>(ctx, id, {
      what: 'deployment', field: 'deployment_id', namespaced: true,
      get: async (full) => (await this.deployments.get(full)).body,
      list: async (prefix) => (await this.deployments.list(namespace, { prefix })).body,
      nextStep: `Call list_deployments for job '${jobId}' to see its deployments, or leave deployment_id out to wait for the latest.`,
    });
    if (d.JobID !== jobId) throw new NotFoundException(`deployment ${shortId(d.ID)} belongs to job '${d.JobID}', not '${jobId}'; call list_deployments for job '${jobId}'.`);
    return d;
  }

  private answer(d: Deployment, namespace: string, waited: number): WaitForDeploymentResult {
    const groups = deploymentGroups(d);
    const outcome = OUTCOME[d.Status] ?? (awaitsPromotion(d) ? 'awaiting_promotion' : 'timed_out');
    const progress = groups.map(groupProgress).join('; ');
    const head = `Deployment ${shortId(d.ID)} of job '${d.JobID}' version ${d.JobVersion}`;
    const message = {
      succeeded: `${head} succeeded after ${waited} s: ${progress}.`,
      failed: `${head} failed after ${waited} s${d.StatusDescription ? ` (${d.StatusDescription})` : ''}: ${progress}. ` +
        'See why with list_allocations (status failed) and get_allocation; go back with revert_job if Nomad did not already.',
      cancelled: `${head} was cancelled after ${waited} s${d.StatusDescription ? ` (${d.StatusDescription})` : ''}: ${progress}.`,
      awaiting_promotion: `${head} awaits promotion after ${waited} s: ${progress}. Its canaries are healthy and nothing more happens until ` +
        `promote_deployment with deployment_id "${d.ID}" rolls out the rest (or fail_deployment drops them); then wait_for_deployment again.`,
      timed_out: `${head} is still ${d.Status} after ${waited} s: ${progress || 'nothing placed yet'}. Call wait_for_deployment again to keep waiting, or get_deployment to look.`,
    }[outcome]!;
    return {
      message, outcome, deployment_id: d.ID, job_id: d.JobID, namespace, job_version: d.JobVersion, status: d.Status,
      status_description: d.StatusDescription ?? '', waited_seconds: waited, groups,
    };
  }
}

/**
 * A rollout whose canaries are all healthy and wait for a person's promotion: nothing changes until someone
 * promotes or fails it, so waiting longer would only burn the caller's time (and tokens).
 */
export function awaitsPromotion(d: Deployment): boolean {
  if (d.Status !== 'running') return false;
  const waiting = Object.values(d.TaskGroups ?? {}).filter((g) => (g.DesiredCanaries ?? 0) > 0 && !g.Promoted && !g.AutoPromote);
  return waiting.length > 0 && waiting.every((g) => (g.PlacedCanaries?.length ?? 0) >= (g.DesiredCanaries ?? 0) && g.HealthyAllocs >= (g.DesiredCanaries ?? 0));
}
