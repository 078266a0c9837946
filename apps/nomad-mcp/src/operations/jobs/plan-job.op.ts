import { plural } from '../../jobs/job-diagnosis';
import { changeCount } from '../../jobs/nomad-diff.render';
import { table } from '../core/render';
import { Operation, OperationContext, OperationHandler } from '../core/operation';
import { EXAMPLE_JOB, PlanJobDto, PlanJobResult } from './dto/job-spec.dto';
import { describeTarget, groupWords, isRolling, JobPlanner, JobPlanOutcome } from './job-planner';
import { JobSpecReader } from './job-spec-input';

@Operation({
  name: 'plan_job',
  title: 'Plan job',
  description:
    'Dry run of registering a full jobspec (like `nomad job plan`): give the job as Nomad\'s API JSON (job) or as HCL (hcl). ' +
    "Answers Nomad's diff as +/-/~ lines (fields and groups added, changed, removed; why a task is replaced or updated in place), " +
    'per group the allocations Nomad would create, stop, update in place or replace, its warnings, what could not be placed and why, ' +
    'and the job_modify_index to pass to register_job so it applies only this plan. Changes nothing; show the diff to the user before registering.',
  input: PlanJobDto,
  output: PlanJobResult,
  annotations: { readOnly: true, destructive: false, idempotent: true },
  permission: 'read',
  nomadCapability: 'submit-job',
  order: 260,
  rest: { method: 'POST', path: 'plan-job', example: { job: EXAMPLE_JOB, namespace: 'development' } },
})
export class PlanJobOp implements OperationHandler<PlanJobDto, PlanJobResult> {
  constructor(
    private readonly specs: JobSpecReader,
    private readonly planner: JobPlanner,
  ) {}

  async run(ctx: OperationContext, dto: PlanJobDto): Promise<PlanJobResult> {
    const o = await this.planner.plan(await this.specs.read(ctx, dto));
    ctx.note({ namespace: o.namespace, job: o.jobId });
    return {
      message: planSentence(o), job_id: o.jobId, namespace: o.namespace, new_job: o.isNew, job_modify_index: o.jobModifyIndex,
      diff: o.diff, groups: o.groups, warnings: o.warnings, placement_failures: o.failures,
    };
  }

  render(r: PlanJobResult): string {
    const parts = [r.message];
    if (r.diff.length) parts.push(r.diff.join('\n'));
    parts.push(table(r.groups as never, ['group', 'create', 'destroy', 'update_in_place', 'replace', 'canary', 'unchanged']));
    if (r.warnings.length) parts.push(`warnings:\n${r.warnings.map((w) => `- ${w}`).join('\n')}`);
    if (r.placement_failures.length) parts.push(`cannot place:\n${r.placement_failures.map((f) => `- ${f.unplaced} of ${f.group}: ${f.reason}`).join('\n')}`);
    return parts.join('\n\n');
  }
}

/** One sentence: new or changed (how much), what the scheduler would do, what stops it, and how to apply. */
export function planSentence(o: JobPlanOutcome): string {
  const changes = changeCount(o.diff);
  const what = o.isNew ? '' : changes ? `${plural(changes, 'change')}; ` : 'no change to the spec (registering it again only re-evaluates it); ';
  const rolling = isRolling(o.groups, o.diff);
  let sentence = `Plan for ${describeTarget(o)}: ${what}${o.groups.map((g) => groupWords(g, rolling)).join('; ') || 'no task groups'}.`;
  if (o.failures.length) sentence += ` Nomad could not place ${o.failures.map((f) => `${f.unplaced} of group '${f.group}' (${f.reason})`).join('; ')}.`;
  if (o.warnings.length) sentence += ` Nomad warns: ${o.warnings.length === 1 ? o.warnings[0] : `${o.warnings.length} warnings (see warnings)`}.`;
  return `${sentence} Apply with register_job and job_modify_index ${o.jobModifyIndex}.`;
}
