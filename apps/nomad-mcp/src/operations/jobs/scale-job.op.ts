import { BadRequestException } from '@nestjs/common';
import { NomadJob } from '@nomad-mcp/nomad';
import { plural } from '../../jobs/job-diagnosis';
import { ChangePlan, Operation, OperationContext, OperationHandler } from '../core/operation';
import { ScaleJobDto, ScaleJobResult } from './dto/scale-job.dto';
import { JobAccess } from './job-access';

@Operation({
  name: 'scale_job',
  title: 'Scale job',
  description:
    "Set a task group's count of allocations (like `nomad job scale`): more are placed, or the extra ones stopped. group may be left out when " +
    'the job has one. count 0 stops every allocation of the group but keeps the job. Scaling down is destructive: confirm with the user. ' +
    'Returns the evaluation that carries it out; follow with get_job_status.',
  input: ScaleJobDto,
  output: ScaleJobResult,
  annotations: { readOnly: false, destructive: true, idempotent: true },
  permission: 'operate',
  nomadCapability: 'scale-job',
  order: 550,
  rest: { method: 'POST', path: 'jobs/:job_id/scale' },
})
export class ScaleJobOp implements OperationHandler<ScaleJobDto, ScaleJobResult> {
  constructor(private readonly jobs: JobAccess) {}

  async plan(ctx: OperationContext, dto: ScaleJobDto): Promise<ChangePlan> {
    const { job, group, from } = await this.target(ctx, dto);
    const delta = dto.count - from;
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
    const res = await this.jobs.api.scale(namespace, job.ID, group, dto.count, dto.reason ?? '');
    const change = dto.count < from ? `${plural(from - dto.count, 'allocation')} stop` : `${plural(dto.count - from, 'allocation')} are placed`;
    return {
      ...base,
      message: `Scaled group '${group}' of job '${job.ID}' from ${from} to ${dto.count}: ${change}${res.EvalID ? ` (evaluation ${res.EvalID.slice(0, 8)})` : ''}.`,
      eval_id: res.EvalID || null,
      warnings: res.Warnings || null,
    };
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
