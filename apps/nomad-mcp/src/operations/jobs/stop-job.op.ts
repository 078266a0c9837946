import { StopJobDto } from '../../jobs/dto/manage-job.dto';
import { JobActionResult } from '../../jobs/dto/job-results.dto';
import { plural } from '../../jobs/job-diagnosis';
import { ChangePlan, Operation, OperationContext, OperationHandler } from '../core/operation';
import { JobAccess } from './job-access';

const ENDED = new Set(['complete', 'failed', 'lost']);

@Operation({
  name: 'stop_job',
  title: 'Stop job',
  description:
    'Stop a job: Nomad deregisters it and stops all its allocations (the service stops serving). With purge=true the job is also removed ' +
    'from Nomad and cannot be started again without create_job. Destructive: confirm with the user before stopping production jobs. ' +
    'Returns the evaluation ID and the allocations that will stop.',
  input: StopJobDto,
  output: JobActionResult,
  annotations: { readOnly: false, destructive: true, idempotent: true },
  permission: (input: StopJobDto) => (input.purge ? 'destroy' : 'operate'),
  nomadCapability: 'submit-job',
  order: 400,
  rest: { method: 'POST', path: 'jobs/:job_id/stop' },
})
export class StopJobOp implements OperationHandler<StopJobDto, JobActionResult> {
  constructor(private readonly jobs: JobAccess) {}

  async plan(ctx: OperationContext, dto: StopJobDto): Promise<ChangePlan> {
    const { job, affected } = await this.target(ctx, dto);
    if (alreadyStopped(job, dto)) {
      return { summary: `nothing: job '${job.ID}' is already stopped (${job.Status}).`, destructive: false, modify_index: job.JobModifyIndex ?? null, details: { job_id: job.ID, namespace: job.Namespace, purge: false, allocations_that_stop: [] } };
    }
    const allocs = affected.length ? `${plural(affected.length, 'allocation')} (${affected.map((a) => a.slice(0, 8)).join(', ')})` : 'no running allocations';
    return {
      summary: dto.purge
        ? `stop job '${job.ID}' and purge it from Nomad: ${allocs} stop, and the job cannot be started again without create_job.`
        : `stop job '${job.ID}' (${job.Status}, version ${job.Version}): ${allocs} stop and it stops serving until started again.`,
      destructive: true,
      modify_index: job.JobModifyIndex ?? null,
      details: { job_id: job.ID, namespace: job.Namespace, purge: !!dto.purge, allocations_that_stop: affected },
    };
  }

  async run(ctx: OperationContext, dto: StopJobDto): Promise<JobActionResult> {
    const { namespace, job, affected } = await this.target(ctx, dto);
    if (alreadyStopped(job, dto)) {
      return {
        message: `Job '${job.ID}' is already stopped (${job.Status}); nothing changed. Use start_job to run it again, or stop_job with purge=true to remove it from Nomad.`,
        job_id: job.ID, namespace, action: 'stop', eval_id: null, affected_allocations: [], purged: false,
      };
    }
    const res = await this.jobs.api.deregister(namespace, dto.job_id, !!dto.purge);
    const what = dto.purge ? 'Stopped and purged' : 'Stopped';
    return {
      message:
        `${what} job '${job.ID}': ${plural(affected.length, 'allocation')} will be stopped${res.EvalID ? ` (evaluation ${res.EvalID.slice(0, 8)})` : ''}.` +
        (dto.purge ? ' The job is removed from Nomad.' : ' Use start to run it again.'),
      job_id: job.ID, namespace, action: 'stop', eval_id: res.EvalID || null, affected_allocations: affected, purged: !!dto.purge,
    };
  }

  /** The job and the allocations a stop ends (those meant to run that have not ended). */
  private async target(ctx: OperationContext, dto: StopJobDto) {
    const namespace = ctx.namespace(dto.namespace);
    const job = await this.jobs.requireJob(namespace, dto.job_id);
    const allocs = (await this.jobs.api.allocations(namespace, dto.job_id)).body;
    const affected = allocs.filter((a) => a.DesiredStatus === 'run' && !ENDED.has(a.ClientStatus)).map((a) => a.ID);
    return { namespace, job, affected };
  }
}

/** A stop without purge of a job Nomad already holds stopped changes nothing (Nomad would only add an evaluation). */
const alreadyStopped = (job: { Stop?: boolean }, dto: StopJobDto) => !!job.Stop && !dto.purge;
