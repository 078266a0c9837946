import { NomadAllocationsApi, NomadApiError } from '@nomad-mcp/nomad';
import { BadGatewayException, ConflictException } from '@nestjs/common';
import { JobChangeDto } from '../../jobs/dto/manage-job.dto';
import { JobActionResult } from '../../jobs/dto/job-results.dto';
import { plural } from '../../jobs/job-diagnosis';
import { DeploymentInProgressException } from '../../jobs/jobs.errors';
import { ChangePlan, Operation, OperationContext, OperationHandler } from '../core/operation';
import { deploymentActive } from '../deployments/deployment-view';
import { JobAccess } from './job-access';
import { StartJobOp } from './start-job.op';

const short = (id: string) => id.slice(0, 8);

@Operation({
  name: 'restart_job',
  title: 'Restart job',
  description:
    'Restart the running allocations of a job in place, one after another (like `nomad job restart`): tasks are killed and started again on the same node. ' +
    'A stopped or dead job is started instead, and the answer says so. Refused while a deployment is in progress (wait, then retry). ' +
    'Causes a brief interruption per allocation.',
  input: JobChangeDto,
  output: JobActionResult,
  annotations: { readOnly: false, destructive: true, idempotent: false },
  permission: 'operate',
  nomadCapability: 'alloc-lifecycle',
  order: 500,
  rest: { method: 'POST', path: 'jobs/:job_id/restart' },
})
export class RestartJobOp implements OperationHandler<JobChangeDto, JobActionResult> {
  constructor(
    private readonly jobs: JobAccess,
    private readonly starter: StartJobOp,
    private readonly allocations: NomadAllocationsApi,
  ) {}

  /**
   * Restarts the running allocations in place, one after another, as `nomad job restart` does
   * (BEHAVIOUR.md §11). A stopped or dead job is started instead.
   */
  async plan(ctx: OperationContext, ref: JobChangeDto): Promise<ChangePlan> {
    const namespace = ctx.namespace(ref.namespace);
    const job = await this.jobs.requireJob(namespace, ref.job_id);
    if (job.Stop || job.Status === 'dead') {
      const start = await this.starter.plan(ctx, ref);
      return { ...start, summary: `nothing to restart (job '${job.ID}' is ${job.Stop ? 'stopped' : 'dead'}), so instead: ${start.summary}` };
    }
    const { targets, skipped } = await this.targets(namespace, job.ID);
    return {
      summary: targets.length
        ? `restart the ${plural(targets.length, 'running allocation')} of job '${job.ID}' in place, one after another (${targets.map((a) => short(a.ID)).join(', ')}): each serves nothing for a moment.`
        : `nothing: job '${job.ID}' has no running allocations to restart.`,
      destructive: targets.length > 0,
      modify_index: job.JobModifyIndex ?? null,
      details: { job_id: job.ID, namespace, allocations_to_restart: targets.map((a) => a.ID), left_alone: skipped },
    };
  }

  async run(ctx: OperationContext, ref: JobChangeDto): Promise<JobActionResult> {
    const namespace = ctx.namespace(ref.namespace);
    const job = await this.jobs.requireJob(namespace, ref.job_id);
    if (job.Stop || job.Status === 'dead') {
      const started = await this.starter.run(ctx, ref);
      return { ...started, action: 'restart', message: `Job '${job.ID}' was ${job.Stop ? 'stopped' : 'dead'}, so it was started instead of restarted. ${started.message}` };
    }
    const { targets, skipped } = await this.targets(namespace, job.ID);
    const restarted: string[] = [];
    const failures: Array<{ alloc_id: string; error: string }> = [];
    const refusals: NomadApiError[] = [];
    for (const a of targets) {
      try {
        await this.allocations.restart(a.ID);
        restarted.push(a.ID);
      } catch (err) {
        if (!(err instanceof NomadApiError)) throw err;
        failures.push({ alloc_id: a.ID, error: err.nomadMessage });
        refusals.push(err);
      }
    }
    // nothing restarted is a failed call, not a success with a footnote: an agent must not read it as done
    if (failures.length && !restarted.length) throw restartRefused(job.ID, namespace, failures, refusals);
    const refused = failures.map((f) => `${short(f.alloc_id)}: ${f.error}`).join('; ');
    let message = !targets.length
      ? `Job '${job.ID}' has no running allocations to restart.`
      : failures.length
        ? `Restarted only ${restarted.length} of ${plural(targets.length, 'running allocation')} of job '${job.ID}' (${restarted.map(short).join(', ')}); Nomad refused ${plural(failures.length, 'restart')}: ${refused}.`
        : `Restarted ${plural(restarted.length, 'running allocation')} of job '${job.ID}' one after another (${restarted.map(short).join(', ')}).`;
    if (skipped.length) message += ` ${plural(skipped.length, 'allocation')} not running were left alone.`;
    return { message, job_id: job.ID, namespace, action: 'restart', eval_id: null, affected_allocations: restarted, failed: failures, skipped_allocations: skipped };
  }

  /** The running allocations a restart goes through (oldest first), and the live ones it leaves alone; refused during a deployment. */
  private async targets(namespace: string, jobId: string) {
    const [{ body: allocs }, { body: deployments }] = await Promise.all([
      this.jobs.api.allocations(namespace, jobId),
      this.jobs.api.deployments(namespace, jobId),
    ]);
    const active = deployments.find(deploymentActive);
    if (active) throw new DeploymentInProgressException(jobId, active.ID);
    const live = allocs.filter((a) => a.DesiredStatus === 'run' && !a.NextAllocation);
    const targets = live.filter((a) => a.ClientStatus === 'running').sort((a, b) => a.CreateIndex - b.CreateIndex);
    return { targets, skipped: live.filter((a) => a.ClientStatus !== 'running').map((a) => a.ID) };
  }
}

/**
 * Every restart refused: Nomad's permission refusal as the pipeline maps it (naming the capability), 409 when
 * the allocations stopped running meanwhile, else 502 with Nomad's words.
 */
function restartRefused(jobId: string, namespace: string, failures: Array<{ alloc_id: string; error: string }>, refusals: NomadApiError[]): Error {
  if (refusals.every((e) => e.isPermissionDenied)) return refusals[0];
  const list = failures.map((f) => `${short(f.alloc_id)}: ${f.error}`).join('; ');
  const what = `No allocation of job '${jobId}' was restarted: Nomad refused ${failures.length === 1 ? 'the restart' : `all ${failures.length} restarts`} (${list}).`;
  if (refusals.every((e) => e.isNotFound || /should not run|not running/i.test(e.nomadMessage))) {
    return new ConflictException({ message: what, failed: failures, next_step: `Its allocations stopped running meanwhile: call get_job_status for job '${jobId}' in namespace '${namespace}' to see them now.` });
  }
  return new BadGatewayException({ message: what, failed: failures, next_step: `Nothing was restarted. Tell the user what Nomad answered; call get_job_status for job '${jobId}' to see its allocations, and retry only once the cause is fixed.` });
}
