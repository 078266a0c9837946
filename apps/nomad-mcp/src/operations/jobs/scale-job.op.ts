import { BadRequestException } from '@nestjs/common';
import { Deployment, NomadApiError, NomadEvaluationsApi, NomadJob } from '@nomad-mcp/nomad';
import { placementText, plural } from '../../jobs/job-diagnosis';
import { ScalingBlockedByDeploymentException } from '../../jobs/jobs.errors';
import { ChangePlan, Operation, OperationContext, OperationHandler } from '../core/operation';
import { deploymentActive } from '../deployments/deployment-view';
import { ScaleJobDto, ScaleJobResult } from './dto/scale-job.dto';
import { settleEvaluation } from './evaluation-settle';
import { JobAccess } from './job-access';
import { PlacementExplainer } from './placement';

@Operation({
  name: 'scale_job',
  title: 'Scale job',
  description:
    "Set a task group's count of allocations (like `nomad job scale`): more are placed, or the extra ones stopped. group may be left out when " +
    'the job has one. count 0 stops every allocation of the group but keeps the job. Scaling down is destructive: confirm with the user. ' +
    'Refused with 409 while a rollout of the job is in progress (wait_for_deployment, then retry). Returns the evaluation that carries it out; follow with get_job_status.',
  input: ScaleJobDto,
  output: ScaleJobResult,
  annotations: { readOnly: false, destructive: true, idempotent: true },
  permission: 'operate',
  nomadCapability: 'scale-job',
  order: 550,
  rest: { method: 'POST', path: 'jobs/:job_id/scale' },
})
export class ScaleJobOp implements OperationHandler<ScaleJobDto, ScaleJobResult> {
  constructor(
    private readonly jobs: JobAccess,
    private readonly placement: PlacementExplainer,
    private readonly evaluations: NomadEvaluationsApi,
  ) {}

  async plan(ctx: OperationContext, dto: ScaleJobDto): Promise<ChangePlan> {
    const { namespace, job, group, from } = await this.target(ctx, dto);
    const delta = dto.count - from;
    // the plan a user confirms must not promise what Nomad will refuse
    if (delta !== 0) {
      const active = await this.activeRollout(namespace, job);
      if (active) throw new ScalingBlockedByDeploymentException(job.ID, namespace, active);
    }
    const what = delta < 0 ? `${plural(-delta, 'allocation')} stop${dto.count === 0 ? ' (none left running)' : ''}` : delta > 0 ? `${plural(delta, 'more allocation')} are placed` : 'nothing changes';
    return {
      summary: `scale group '${group}' of job '${job.ID}' from ${from} to ${dto.count}: ${what}.`,
      destructive: delta < 0,
      modify_index: job.JobModifyIndex ?? null,
      details: { job_id: job.ID, group, previous_count: from, count: dto.count },
    };
  }

  async run(ctx: OperationContext, dto: ScaleJobDto): Promise<ScaleJobResult> {
    const { namespace, job, group, from } = await this.target(ctx, dto);
    const base = { job_id: job.ID, namespace, group, previous_count: from, count: dto.count };
    if (from === dto.count) return { ...base, message: `Group '${group}' of job '${job.ID}' already has count ${from}; nothing changed.`, eval_id: null, warnings: null };
    const res = await this.jobs.api.scale(namespace, job.ID, group, dto.count, dto.reason ?? '').catch(async (err: unknown) => {
      throw isBlockedByRollout(err) ? new ScalingBlockedByDeploymentException(job.ID, namespace, await this.activeRollout(namespace, job).catch(() => undefined)) : err;
    });
    const ev = res.EvalID ? `evaluation ${res.EvalID.slice(0, 8)}` : '';
    // more allocations: wait briefly for the evaluation, as create_job does, so a count no node can hold is said now
    const settled = dto.count > from ? await settleEvaluation(this.evaluations, res.EvalID) : undefined;
    // (the job as read serves: what one allocation of the group asks is the same at any count)
    const failures = settled ? await this.placement.explain(job, settled) : [];
    const change = dto.count < from
      ? `${plural(from - dto.count, 'allocation')} stop${ev ? ` (${ev})` : ''}.`
      : failures.length
        ? `${ev || 'Nomad'} ${placementText(failures)}. They wait until a node fits them: lower the count, or add capacity.`
        : `${ev || 'Nomad'} ${settled ? 'placed' : 'is placing'} ${plural(dto.count - from, 'more allocation')}.`;
    return {
      ...base,
      message: `Scaled group '${group}' of job '${job.ID}' from ${from} to ${dto.count}: ${change}`,
      eval_id: res.EvalID || null,
      warnings: res.Warnings || null,
    };
  }

  /** The job's latest deployment when it holds a scale back, as Nomad's Job.Scale judges it (active, and of this job, not of one purged under its ID). */
  private async activeRollout(namespace: string, job: NomadJob): Promise<Deployment | undefined> {
    const d = (await this.jobs.api.latestDeployment(namespace, job.ID)).body;
    return d && deploymentActive(d) && d.JobCreateIndex === job.CreateIndex ? d : undefined;
  }

  private async target(ctx: OperationContext, dto: ScaleJobDto): Promise<{ namespace: string; job: NomadJob; group: string; from: number }> {
    const namespace = ctx.namespace(dto.namespace);
    const job = await this.jobs.requireJob(namespace, dto.job_id);
    const groups = job.TaskGroups ?? [];
    const names = groups.map((g) => g.Name).join(', ');
    if (!dto.group && groups.length !== 1) throw new BadRequestException(`group is required: job '${job.ID}' has the groups ${names}.`);
    const tg = dto.group ? groups.find((g) => g.Name === dto.group) : groups[0];
    if (!tg) throw new BadRequestException(`group '${dto.group}' does not exist in job '${job.ID}' (its groups: ${names}).`);
    return { namespace, job, group: tg.Name, from: tg.Count ?? 1 };
  }
}

/** Nomad's refusal to change a count during a rollout (a 400 from Job.Scale). */
function isBlockedByRollout(err: unknown): boolean {
  return err instanceof NomadApiError && err.status === 400 && /scaling blocked due to active deployment/.test(err.nomadMessage);
}
