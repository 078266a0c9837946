import { JobRefDto } from '../../jobs/dto/job-ref.dto';
import { JobActionResult } from '../../jobs/dto/job-results.dto';
import { Operation, OperationContext, OperationHandler } from '../core/operation';
import { JobAccess } from './job-access';

@Operation({
  name: 'start_job',
  title: 'Start job',
  description:
    'Start a stopped (or dead) job again by re-registering its last spec; a running job is left alone and the answer says so. ' +
    'Returns the evaluation ID that places its allocations. Follow with get_job_status to watch it come up.',
  input: JobRefDto,
  output: JobActionResult,
  annotations: { readOnly: false, destructive: false, idempotent: true },
  permission: 'operate',
  nomadCapability: 'submit-job',
  order: 300,
  rest: { method: 'POST', path: 'jobs/:job_id/start' },
})
export class StartJobOp implements OperationHandler<JobRefDto, JobActionResult> {
  constructor(private readonly jobs: JobAccess) {}

  async run(ctx: OperationContext, ref: JobRefDto): Promise<JobActionResult> {
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
