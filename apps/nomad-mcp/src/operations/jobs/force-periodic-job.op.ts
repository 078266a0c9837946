import { ConflictException } from '@nestjs/common';
import { NomadEvaluationsApi, NomadJob } from '@nomad-mcp/nomad';
import { ChangePlan, Operation, OperationContext, OperationHandler } from '../core/operation';
import { ForcePeriodicJobDto, ForcePeriodicJobResult } from './dto/dispatch-job.dto';
import { JobAccess } from './job-access';

@Operation({
  name: 'force_periodic_job',
  title: 'Force periodic job',
  description:
    'Launch a periodic (cron) job now instead of at its next scheduled time (like `nomad job periodic force`): Nomad registers a child job ' +
    '`<job_id>/periodic-<time>` and runs it; the schedule is unchanged. Returns the child job ID: follow with get_job_status on it.',
  input: ForcePeriodicJobDto,
  output: ForcePeriodicJobResult,
  annotations: { readOnly: false, destructive: false, idempotent: false },
  permission: 'write',
  nomadCapability: 'submit-job',
  order: 640,
  rest: { method: 'POST', path: 'jobs/:job_id/periodic/force' },
})
export class ForcePeriodicJobOp implements OperationHandler<ForcePeriodicJobDto, ForcePeriodicJobResult> {
  constructor(
    private readonly jobs: JobAccess,
    private readonly evaluations: NomadEvaluationsApi,
  ) {}

  async plan(ctx: OperationContext, dto: ForcePeriodicJobDto): Promise<ChangePlan> {
    const { job } = await this.target(ctx, dto);
    return {
      summary: `launch periodic job '${job.ID}' now: Nomad registers a child job '${job.ID}/periodic-…' and runs it once; the schedule (${schedule(job)}) is unchanged.`,
      destructive: false,
      modify_index: job.JobModifyIndex ?? null,
      details: { job_id: job.ID, schedule: schedule(job) },
    };
  }

  async run(ctx: OperationContext, dto: ForcePeriodicJobDto): Promise<ForcePeriodicJobResult> {
    const { namespace, job } = await this.target(ctx, dto);
    const res = await this.jobs.api.periodicForce(namespace, job.ID);
    ctx.note({ evalId: res.EvalID });
    // Nomad answers only the evaluation: it is of the child, whose ID it names
    const child = (await this.evaluations.get(res.EvalID)).body.JobID;
    return {
      message: `Launched periodic job '${job.ID}' now as '${child}' (evaluation ${res.EvalID.slice(0, 8)}). Follow with get_job_status on '${child}'.`,
      job_id: job.ID, namespace, child_job_id: child, eval_id: res.EvalID,
    };
  }

  /** The job, if Nomad's periodic dispatcher would launch it: periodic, enabled, running, not parameterized. */
  private async target(ctx: OperationContext, dto: ForcePeriodicJobDto): Promise<{ namespace: string; job: NomadJob }> {
    const namespace = ctx.namespace(dto.namespace);
    const job = await this.jobs.requireJob(namespace, dto.job_id);
    const refuse = (message: string, next_step: string) => new ConflictException({ message, next_step });
    if (!job.Periodic) {
      throw refuse(`job '${job.ID}' is not a periodic job, so it has no schedule to launch early`, 'Run it with start_job or restart_job instead; get_job_spec says whether a job is periodic (its launch line).');
    }
    if (job.Stop) throw refuse(`job '${job.ID}' is stopped, and Nomad launches only running periodic jobs`, `Call start_job for '${job.ID}' first, then force it.`);
    if (job.Periodic.Enabled === false) throw refuse(`job '${job.ID}' has its periodic launches disabled (periodic.enabled = false)`, 'Register a version with enabled = true to launch it.');
    if (job.ParameterizedJob && !job.Dispatched) throw refuse(`job '${job.ID}' is also parameterized: its periodic launches are dispatches`, `Call dispatch_job for '${job.ID}' instead.`);
    return { namespace, job };
  }
}

function schedule(job: NomadJob): string {
  const p = job.Periodic!;
  const specs = [p.Spec, ...(p.Specs ?? [])].filter(Boolean);
  return `${specs.join(', ') || 'no cron spec'}${p.TimeZone && p.TimeZone !== 'UTC' ? ` ${p.TimeZone}` : ''}`;
}
