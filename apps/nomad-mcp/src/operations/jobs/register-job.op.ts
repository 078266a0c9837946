import { JobRegisterResponse, NomadApiError } from '@nomad-mcp/nomad';
import { JobChangedSincePlanException } from '../../jobs/jobs.errors';
import { ChangePlan, Operation, OperationContext, OperationHandler } from '../core/operation';
import { EXAMPLE_JOB, RegisterJobDto, RegisterJobResult } from './dto/job-spec.dto';
import { JobAccess } from './job-access';
import { groupsWords, isRolling, JobPlanner, JobPlanOutcome, specRefusal, warningLines } from './job-planner';
import { JobSpecReader } from './job-spec-input';
import { boundDiffLines } from '../../jobs/nomad-diff.render';

/** How many diff lines a confirmation's summary quotes (the details carry them all). */
const SUMMARY_LINES = 8;

@Operation({
  name: 'register_job',
  title: 'Register job',
  description:
    "Register (create or update) a job from a full jobspec, as Nomad's API JSON (job) or HCL (hcl), like `nomad job run -check-index`. " +
    'Pass the job_modify_index plan_job answered: Nomad registers only if the job has not changed since that plan (always enforced; ' +
    'left out, the index is read just before). Updating an existing job replaces allocations: the first call answers the plan and a ' +
    'confirm_token when the caller must confirm. Returns the new version and the evaluation that rolls it out; follow with get_job_status.',
  input: RegisterJobDto,
  output: RegisterJobResult,
  annotations: { readOnly: false, destructive: true, idempotent: true },
  permission: 'write',
  nomadCapability: 'submit-job',
  order: 610,
  rest: { method: 'POST', path: 'register-job', status: (r: RegisterJobResult) => (r.created ? 201 : 200), example: { job: EXAMPLE_JOB, namespace: 'development' } },
})
export class RegisterJobOp implements OperationHandler<RegisterJobDto, RegisterJobResult> {
  constructor(
    private readonly specs: JobSpecReader,
    private readonly planner: JobPlanner,
    private readonly jobs: JobAccess,
  ) {}

  /** Nomad's own plan: a new job replaces nothing; an update of an existing one is destructive. */
  async plan(ctx: OperationContext, dto: RegisterJobDto): Promise<ChangePlan> {
    const o = await this.planner.plan(await this.specs.read(ctx, dto));
    if (dto.job_modify_index !== undefined && dto.job_modify_index !== o.jobModifyIndex) throw changedSince(o, dto.job_modify_index);
    // the planner's diff is whole: the summary quotes its first lines, the details as many as plan_job's default answer
    const diff = boundDiffLines(o.diff, SUMMARY_LINES).join('; ');
    const rolling = isRolling(o.groups, o.diff);
    const groups = groupsWords(o.groups, rolling);
    const summary = o.isNew
      ? `create job '${o.jobId}' in namespace '${o.namespace}': Nomad's plan: ${groups || 'no task groups'}.`
      : `update job '${o.jobId}' in namespace '${o.namespace}': ${diff || 'no change to the spec (Nomad re-evaluates it)'}. Nomad's plan: ${groups}.`;
    const named = o.failures.slice(0, 3).map((f) => `${f.unplaced} of group '${f.group}'`).join(', ') + (o.failures.length > 3 ? ` and ${o.failures.length - 3} more groups` : '');
    const failures = o.failures.length ? ` Nomad could not place ${named} (see details).` : '';
    return {
      summary: `${summary}${failures}`,
      destructive: !o.isNew,
      modify_index: o.isNew ? null : o.jobModifyIndex,
      details: {
        job_id: o.jobId, namespace: o.namespace, new_job: o.isNew, diff: boundDiffLines(o.diff, 30, 2400), groups: o.groups,
        warnings: o.warnings.slice(0, 5), placement_failures: o.failures.slice(0, 5),
      },
    };
  }

  async run(ctx: OperationContext, dto: RegisterJobDto): Promise<RegisterJobResult> {
    const spec = await this.specs.read(ctx, dto);
    const { namespace, job } = spec;
    const index = dto.job_modify_index ?? (await this.jobs.api.find(namespace, job.ID))?.body.JobModifyIndex ?? 0;
    let res: JobRegisterResponse;
    try {
      res = await this.jobs.api.register(namespace, job, { enforceJobModifyIndex: index, submission: spec.submission });
    } catch (err) {
      if (err instanceof NomadApiError && err.isIndexConflict) throw new JobChangedSincePlanException(job.ID, index, err.nomadMessage);
      throw specRefusal(err, spec);
    }
    const after = (await this.jobs.api.find(namespace, job.ID))?.body;
    const version = after?.Version ?? 0;
    const created = index === 0;
    const ev = res.EvalID ? `evaluation ${res.EvalID.slice(0, 8)}` : 'no evaluation (periodic and parameterized jobs run when launched)';
    const unchanged = !created && res.JobModifyIndex === index;
    const message = created
      ? `Registered new job '${job.ID}' in namespace '${namespace}' (version ${version}); ${ev} places its allocations. Follow with get_job_status.`
      : unchanged
        ? `Job '${job.ID}' already had this spec (version ${version}); Nomad re-evaluated it (${ev}).`
        : `Registered job '${job.ID}' in namespace '${namespace}' as version ${version}; ${ev} rolls it out. Follow with get_job_status.`;
    return {
      message, job_id: job.ID, namespace, created, version, enforced_index: index, eval_id: res.EvalID || null, warnings: warningLines(res.Warnings),
    };
  }
}

/** The caller's plan is stale: say how, as Nomad's EnforceIndex refusal would. */
function changedSince(o: JobPlanOutcome, planned: number): JobChangedSincePlanException {
  const why = o.isNew ? 'job does not exist' : planned === 0 ? 'job already exists' : `job exists with conflicting job modify index: ${o.jobModifyIndex}`;
  return new JobChangedSincePlanException(o.jobId, planned, why);
}
