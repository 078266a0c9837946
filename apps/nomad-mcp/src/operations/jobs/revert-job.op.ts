import { BadRequestException, NotFoundException } from '@nestjs/common';
import { NomadApiError, NomadJob } from '@nomad-mcp/nomad';
import { specChanges } from '../../jobs/job-spec.diff';
import { JobChangedConcurrentlyException } from '../../jobs/jobs.errors';
import { ChangePlan, Operation, OperationContext, OperationHandler } from '../core/operation';
import { RevertJobDto, RevertJobResult } from './dto/job-versions.dto';
import { JobAccess } from './job-access';

@Operation({
  name: 'revert_job',
  title: 'Revert job',
  description:
    "Roll a job back to an earlier version (like `nomad job revert`): Nomad registers that version's spec as a new version and rolls it out. " +
    'Use list_job_versions first to pick the version (the last stable one is usually right after a bad rollout). Refused if the job changed meanwhile. ' +
    'Replaces running allocations: confirm with the user.',
  input: RevertJobDto,
  output: RevertJobResult,
  annotations: { readOnly: false, destructive: true, idempotent: false },
  permission: 'write',
  nomadCapability: 'submit-job',
  order: 620,
  rest: { method: 'POST', path: 'jobs/:job_id/revert' },
})
export class RevertJobOp implements OperationHandler<RevertJobDto, RevertJobResult> {
  constructor(private readonly jobs: JobAccess) {}

  async plan(ctx: OperationContext, dto: RevertJobDto): Promise<ChangePlan> {
    const { job, target } = await this.target(ctx, dto);
    const changes = specChanges(job, target);
    return {
      summary: `revert job '${job.ID}' from version ${job.Version ?? 0} to the spec of version ${dto.version}${target.Stable ? ' (stable)' : ''}: ` +
        `${changes.length ? changes.join('; ') : 'no change in image, count, resources or env'}; Nomad replaces the allocations that differ.`,
      destructive: true,
      modify_index: job.JobModifyIndex ?? null,
      details: { job_id: job.ID, from_version: job.Version ?? 0, to_version: dto.version, changes },
    };
  }

  async run(ctx: OperationContext, dto: RevertJobDto): Promise<RevertJobResult> {
    const { namespace, job } = await this.target(ctx, dto);
    const current = job.Version ?? 0;
    let res;
    try {
      res = await this.jobs.api.revert(namespace, job.ID, dto.version, current);
    } catch (err) {
      // Nomad answers 500 "Current job has version N; enforcing version M" when someone registered in between
      if (err instanceof NomadApiError && /enforcing version/.test(err.nomadMessage)) throw new JobChangedConcurrentlyException(job.ID);
      throw err;
    }
    return {
      message: `Reverted job '${job.ID}' from version ${current} to the spec of version ${dto.version}${res.EvalID ? `; evaluation ${res.EvalID.slice(0, 8)} rolls it out` : ''}. Follow with get_job_status.`,
      job_id: job.ID, namespace, previous_version: current, reverted_to: dto.version, eval_id: res.EvalID || null,
    };
  }

  private async target(ctx: OperationContext, dto: RevertJobDto): Promise<{ namespace: string; job: NomadJob; target: NomadJob }> {
    const namespace = ctx.namespace(dto.namespace);
    const job = await this.jobs.requireJob(namespace, dto.job_id);
    if (dto.version === (job.Version ?? 0)) throw new BadRequestException(`job '${job.ID}' is already at version ${dto.version}; pick an earlier one (list_job_versions shows them).`);
    const versions = (await this.jobs.api.versions(namespace, job.ID)).body.Versions;
    const target = versions.find((v) => v.Version === dto.version);
    if (!target) {
      throw new NotFoundException(`job '${job.ID}' has no version ${dto.version} (Nomad keeps versions ${versions.map((v) => v.Version).join(', ')}); call list_job_versions.`);
    }
    return { namespace, job, target };
  }
}
