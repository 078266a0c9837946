import { JobChangeDto } from '../../jobs/dto/manage-job.dto';
import { JobActionResult } from '../../jobs/dto/job-results.dto';
import { ChangePlan, Operation, OperationContext, OperationHandler } from '../core/operation';
import { JobAccess } from './job-access';

@Operation({
  name: 'start_job',
  title: 'Start job',
  description:
    'Start a stopped (or dead) job again by re-registering its last spec; a running job is left alone and the answer says so. ' +
    'Returns the evaluation ID that places its allocations. Follow with get_job_status to watch it come up.',
  input: JobChangeDto,
  output: JobActionResult,
  annotations: { readOnly: false, destructive: false, idempotent: true },
  permission: 'operate',
  nomadCapability: 'submit-job',
  order: 300,
  rest: { method: 'POST', path: 'jobs/:job_id/start' },
})
export class StartJobOp implements OperationHandler<JobChangeDto, JobActionResult> {
  constructor(private readonly jobs: JobAccess) {}

  async plan(ctx: OperationContext, ref: JobChangeDto): Promise<ChangePlan> {
    const namespace = ctx.namespace(ref.namespace);
    const job = await this.jobs.requireJob(namespace, ref.job_id);
    const stopped = job.Stop || job.Status === 'dead';
    return {
      summary: stopped
        ? `start job '${job.ID}' again (now ${job.Stop ? 'stopped' : 'dead'}): its last spec, version ${job.Version ?? 0}, is registered again and its allocations are placed.`
        : `nothing: job '${job.ID}' is already ${job.Status}.`,
      destructive: false,
      modify_index: job.JobModifyIndex ?? null,
      details: { job_id: job.ID, namespace, status: job.Status ?? null, version: job.Version ?? null },
    };
  }

  async run(ctx: OperationContext, ref: JobChangeDto): Promise<JobActionResult> {
    const namespace = ctx.namespace(ref.namespace);
    const job = await this.jobs.requireJob(namespace, ref.job_id);
    const base = { job_id: job.ID, namespace, action: 'start' };
    if (!job.Stop && job.Status !== 'dead') {
      return { ...base, message: `Job '${job.ID}' is already ${job.Status}; nothing to start.`, eval_id: null, affected_allocations: [], status: job.Status };
    }
    const res = await this.jobs.register(namespace, { ...job, Stop: false }, job.JobModifyIndex ?? 0);
    return {
      ...base,
      message: `Started job '${job.ID}': evaluation ${res.EvalID.slice(0, 8)} is placing its allocations.`,
      eval_id: res.EvalID || null, affected_allocations: [], previous_status: job.Status,
    };
  }
}
