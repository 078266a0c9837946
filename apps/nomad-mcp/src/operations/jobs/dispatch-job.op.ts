import { BadRequestException, ConflictException } from '@nestjs/common';
import { NomadJob, ParameterizedJobConfig } from '@nomad-mcp/nomad';
import { ChangePlan, Operation, OperationContext, OperationHandler } from '../core/operation';
import { DispatchJobDto, DispatchJobResult } from './dto/dispatch-job.dto';
import { JobAccess } from './job-access';

@Operation({
  name: 'dispatch_job',
  title: 'Dispatch job',
  description:
    'Run a parameterized job once (like `nomad job dispatch`): Nomad registers a child job `<job_id>/dispatch-<time>-<id>` with the given meta ' +
    "and payload and runs it. meta must hold every key of the job's meta_required and no key outside meta_required/meta_optional. " +
    'Pass idempotency_token to make a retry safe. Returns the child job ID: follow with get_job_status on it.',
  input: DispatchJobDto,
  output: DispatchJobResult,
  annotations: { readOnly: false, destructive: false, idempotent: false },
  permission: 'write',
  nomadCapability: 'dispatch-job',
  order: 630,
  rest: { method: 'POST', path: 'jobs/:job_id/dispatch' },
})
export class DispatchJobOp implements OperationHandler<DispatchJobDto, DispatchJobResult> {
  constructor(private readonly jobs: JobAccess) {}

  async plan(ctx: OperationContext, dto: DispatchJobDto): Promise<ChangePlan> {
    const { job } = await this.target(ctx, dto);
    const meta = Object.keys(dto.meta ?? {});
    const payload = dto.payload ? `a ${Buffer.byteLength(dto.payload, 'utf8')}-byte payload` : 'no payload';
    return {
      summary: `dispatch parameterized job '${job.ID}' with ${meta.length ? `meta ${meta.join(', ')}` : 'no meta'} and ${payload}: Nomad registers a child job '${job.ID}/dispatch-…' and runs it once.`,
      destructive: false,
      modify_index: job.JobModifyIndex ?? null,
      details: { job_id: job.ID, meta_keys: meta, payload_bytes: dto.payload ? Buffer.byteLength(dto.payload, 'utf8') : 0 },
    };
  }

  async run(ctx: OperationContext, dto: DispatchJobDto): Promise<DispatchJobResult> {
    const { namespace, job } = await this.target(ctx, dto);
    const res = await this.jobs.api.dispatch(namespace, job.ID, {
      meta: dto.meta, payload: dto.payload ? Buffer.from(dto.payload, 'utf8') : undefined, idempotencyToken: dto.idempotency_token,
    });
    const child = res.DispatchedJobID;
    ctx.note({ evalId: res.EvalID || null });
    const already = !res.EvalID;
    return {
      message: already
        ? `Job '${job.ID}' was already dispatched with this idempotency_token as '${child}'; nothing new was started. Follow with get_job_status on '${child}'.`
        : `Dispatched job '${job.ID}' as '${child}' (evaluation ${res.EvalID.slice(0, 8)}). Follow with get_job_status on '${child}'.`,
      job_id: job.ID, namespace, dispatched_job_id: child, eval_id: res.EvalID || null, already_dispatched: already,
    };
  }

  /** The job, checked against its dispatch contract before anything is sent: each refusal says how to fix the call. */
  private async target(ctx: OperationContext, dto: DispatchJobDto): Promise<{ namespace: string; job: NomadJob }> {
    const namespace = ctx.namespace(dto.namespace);
    const job = await this.jobs.requireJob(namespace, dto.job_id);
    const config = job.ParameterizedJob;
    if (!config || job.Dispatched) {
      throw new ConflictException({
        message: job.Dispatched
          ? `job '${job.ID}' is itself a dispatched job; only its parent '${job.ParentID}' can be dispatched`
          : `job '${job.ID}' is not a parameterized job, so it cannot be dispatched`,
        next_step: job.Dispatched
          ? `Call dispatch_job with job_id '${job.ParentID}'.`
          : `Run it with start_job or restart_job instead, or register a version with a parameterized block; get_job_spec says whether a job is parameterized (its launch line).`,
      });
    }
    if (job.Stop) {
      throw new ConflictException({ message: `job '${job.ID}' is stopped, and Nomad dispatches only running parameterized jobs`, next_step: `Call start_job for '${job.ID}' first, then dispatch it.` });
    }
    checkContract(job.ID, config, dto);
    return { namespace, job };
  }
}

/** Nomad's validateDispatchRequest, answered as a 400 that names the field and what the job accepts. */
function checkContract(jobId: string, config: ParameterizedJobConfig, dto: DispatchJobDto): void {
  const required = config.MetaRequired ?? [];
  const optional = config.MetaOptional ?? [];
  const accepts = `it requires ${required.length ? required.join(', ') : 'no keys'} and accepts ${optional.length ? optional.join(', ') : 'no other keys'}`;
  const given = Object.keys(dto.meta ?? {});
  const unknown = given.filter((k) => !required.includes(k) && !optional.includes(k));
  if (unknown.length) throw new BadRequestException(`meta has ${unknown.length === 1 ? 'a key' : 'keys'} job '${jobId}' does not accept: ${unknown.join(', ')} (${accepts}).`);
  const missing = required.filter((k) => !given.includes(k));
  if (missing.length) throw new BadRequestException(`meta is missing ${missing.length === 1 ? 'the key' : 'the keys'} job '${jobId}' requires: ${missing.join(', ')} (${accepts}).`);
  if (config.Payload === 'required' && !dto.payload) throw new BadRequestException(`payload is required by job '${jobId}' (its parameterized block says payload = "required").`);
  if (config.Payload === 'forbidden' && dto.payload) throw new BadRequestException(`payload is forbidden by job '${jobId}' (its parameterized block says payload = "forbidden"); leave it out.`);
}
