import { plural } from '../../jobs/job-diagnosis';
import { boundDiffLines, changeCount } from '../../jobs/nomad-diff.render';
import { table } from '../core/render';
import { Operation, OperationContext, OperationHandler } from '../core/operation';
import { EXAMPLE_JOB, PLAN_DEFAULT_LINES, PLAN_MAX_LINES, PlanJobDto, PlanJobResult, PlanLeftOut } from './dto/job-spec.dto';
import { describeTarget, groupsWords, isRolling, JobPlanner, JobPlanOutcome, NAMED_GROUPS } from './job-planner';
import { JobSpecReader } from './job-spec-input';

/** The most a default answer takes, as REST JSON and as the text an MCP client reads (4 KB, less a margin). */
const ANSWER_BYTES = 3_900;
/** Placement failures and warnings a default answer lists at most (the sentence counts them all). */
const DEFAULT_LISTED = 5;

@Operation({
  name: 'plan_job',
  title: 'Plan job',
  description:
    'Dry run of registering a full jobspec (like `nomad job plan`): give the job as Nomad\'s API JSON (job) or as HCL (hcl). ' +
    "Answers Nomad's diff as +/-/~ lines (fields and groups added, changed, removed; why a task is replaced or updated in place), " +
    'per group the allocations Nomad would create, stop, update in place or replace, its warnings, what could not be placed and why, ' +
    'and the job_modify_index to pass to register_job so it applies only this plan. A big plan is cut to 4 KB and says what was left out; ' +
    `limit=${PLAN_MAX_LINES} answers it whole. Changes nothing; show the diff to the user before registering.`,
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
    return planAnswer(o, dto.limit, (r) => this.render(r));
  }

  render(r: PlanJobResult): string {
    const parts = [r.message];
    if (r.diff.length) parts.push(r.diff.join('\n'));
    const more = (n: number, what: string) => (n ? `\n… and ${plural(n, what)}` : '');
    if (r.groups.length) parts.push(table(r.groups as never, ['group', 'create', 'destroy', 'update_in_place', 'replace', 'canary', 'unchanged']) + more(r.left_out.groups, 'more group'));
    if (r.warnings.length) parts.push(`warnings:\n${r.warnings.map((w) => `- ${w}`).join('\n')}${more(r.left_out.warnings, 'more warning')}`);
    if (r.placement_failures.length) {
      parts.push(`cannot place:\n${r.placement_failures.map((f) => `- ${f.unplaced} of ${f.group}: ${f.reason}`).join('\n')}${more(r.left_out.placement_failures, 'more group')}`);
    }
    return parts.join('\n\n');
  }
}

/** How much of each list an answer shows. */
interface Shown {
  lines: number;
  groups: number;
  failures: number;
  warnings: number;
}

/**
 * plan_job's answer. With `limit` left out (or up to the default) it is cut to ANSWER_BYTES both as JSON and as
 * `render`s text: the groups table first (the sentence sums the groups up), then the diff, the failures and the
 * warnings, each never below one; the sentence, the diff's last line and left_out say what was left out.
 */
export function planAnswer(o: JobPlanOutcome, limit: number | undefined, render: (r: PlanJobResult) => string): PlanJobResult {
  const bounded = limit === undefined || limit <= PLAN_DEFAULT_LINES;
  const max = limit ?? PLAN_DEFAULT_LINES;
  const shown: Shown = {
    lines: Math.min(o.diff.length, max),
    groups: Math.min(o.groups.length, bounded ? max : limit),
    failures: Math.min(o.failures.length, bounded ? DEFAULT_LISTED : limit),
    warnings: Math.min(o.warnings.length, bounded ? DEFAULT_LISTED : o.warnings.length),
  };
  let answer = build(o, shown);
  if (!bounded) return answer;
  const size = (r: PlanJobResult) => Math.max(Buffer.byteLength(JSON.stringify(r)), Buffer.byteLength(render(r)));
  // what to give up first, and how far: a step cuts one item of the first list that is still above its floor
  const steps: Array<[keyof Shown, number]> = [['groups', 8], ['lines', 12], ['failures', 2], ['warnings', 2], ['groups', 3], ['lines', 5], ['failures', 1], ['warnings', 1], ['groups', 1], ['lines', 1]];
  while (size(answer) > ANSWER_BYTES) {
    const step = steps.find(([k, floor]) => shown[k] > floor);
    if (!step) break;
    shown[step[0]]--;
    answer = build(o, shown);
  }
  return answer;
}

function build(o: JobPlanOutcome, shown: Shown): PlanJobResult {
  const diff = boundDiffLines(o.diff, shown.lines);
  const cut = diff.length && diff[diff.length - 1].startsWith('… ') ? 1 : 0;
  const changes = changeCount(o.diff);
  const left_out: PlanLeftOut = {
    diff_lines: o.diff.length - (diff.length - cut), changes: changes - changeCount(diff), groups: o.groups.length - shown.groups,
    placement_failures: o.failures.length - shown.failures, warnings: o.warnings.length - shown.warnings,
  };
  return {
    message: planSentence(o) + leftOutSentence(o, left_out), job_id: o.jobId, namespace: o.namespace, new_job: o.isNew, job_modify_index: o.jobModifyIndex,
    changes, diff, groups: o.groups.slice(0, shown.groups), warnings: o.warnings.slice(0, shown.warnings), placement_failures: o.failures.slice(0, shown.failures), left_out,
  };
}

/** " Shown: 12 of 100 diff lines, 8 of 25 groups; limit=2000 answers the whole plan." — or nothing when whole. */
function leftOutSentence(o: JobPlanOutcome, l: PlanLeftOut): string {
  const parts = [
    l.diff_lines && `${o.diff.length - l.diff_lines} of ${o.diff.length} diff lines (${o.diff.length - l.diff_lines ? changeCountShown(o, l) : 0} of the ${plural(changeCount(o.diff), 'change')})`,
    l.groups && `${o.groups.length - l.groups} of ${o.groups.length} groups`,
    l.placement_failures && `${o.failures.length - l.placement_failures} of ${o.failures.length} placement failures`,
    l.warnings && `${o.warnings.length - l.warnings} of ${o.warnings.length} warnings`,
  ].filter(Boolean);
  return parts.length ? ` Shown: ${parts.join(', ')}; call again with limit=${PLAN_MAX_LINES} for the whole plan.` : '';
}

const changeCountShown = (o: JobPlanOutcome, l: PlanLeftOut) => changeCount(o.diff) - l.changes;

/**
 * One sentence: new or changed (how much), what the scheduler would do (group by group for a few groups;
 * totals and the first groups for many), what stops it, and how to apply.
 */
export function planSentence(o: JobPlanOutcome): string {
  const changes = changeCount(o.diff);
  const what = o.isNew ? '' : changes ? `${plural(changes, 'change')} to the spec; ` : 'no change to the spec (registering it again only re-evaluates it); ';
  const rolling = isRolling(o.groups, o.diff);
  let sentence = `Plan for ${describeTarget(o)}: ${what}${groupsWords(o.groups, rolling)}.`;
  if (o.failures.length) sentence += ` Nomad could not place ${failureWords(o)}.`;
  if (o.warnings.length) sentence += ` Nomad warns: ${o.warnings.length === 1 ? o.warnings[0] : `${o.warnings.length} warnings (see warnings)`}.`;
  return `${sentence} Apply with register_job and job_modify_index ${o.jobModifyIndex}.`;
}

/** "1 of group 'web' (why)", or for several groups the total, the first with its reason, and the others' names. */
function failureWords(o: JobPlanOutcome): string {
  const [first, ...rest] = o.failures;
  const one = `${first.unplaced} of group '${first.group}' (${first.reason})`;
  if (!rest.length) return one;
  const total = o.failures.reduce((s, f) => s + f.unplaced, 0);
  const names = rest.slice(0, NAMED_GROUPS).map((f) => `'${f.group}'`).join(', ');
  const others = rest.length > NAMED_GROUPS ? ` and ${plural(rest.length - NAMED_GROUPS, 'more group')}` : '';
  return `${plural(total, 'allocation')} of ${o.failures.length} groups: ${one}; also ${names}${others} (see placement_failures)`;
}
