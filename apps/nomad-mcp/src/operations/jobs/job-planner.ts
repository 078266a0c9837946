import { Injectable } from '@nestjs/common';
import { JobPlanResponse, NomadApiError } from '@nomad-mcp/nomad';
import { PlacementFailure } from '../../jobs/dto/job-results.dto';
import { plural } from '../../jobs/job-diagnosis';
import { NamespaceNotFoundException } from '../../jobs/jobs.errors';
import { allDiffLines } from '../../jobs/nomad-diff.render';
import { fieldErrorsException } from '../../common/validation';
import { GroupPlan } from './dto/job-spec.dto';
import { JobAccess } from './job-access';
import type { ResolvedSpec } from './job-spec-input';
import { PlacementExplainer, PlannedPlacements } from './placement';

/** Nomad's plan of a jobspec in the words plan_job and register_job answer with. */
export interface JobPlanOutcome {
  jobId: string;
  namespace: string;
  /** No job with this ID exists yet. */
  isNew: boolean;
  /** The stored job's JobModifyIndex (0 when new): what a register is enforced against. */
  jobModifyIndex: number;
  /** Nomad's whole diff as +/-/~ lines (each cut at 200 characters, none left out): each answer bounds its own. */
  diff: string[];
  groups: GroupPlan[];
  /** Every warning, each one line of at most 240 characters. */
  warnings: string[];
  /** Every group Nomad could not place. */
  failures: PlacementFailure[];
}

/**
 * Asks Nomad to plan a job (PUT /v1/job/:id/plan with Diff) and reads the answer: the diff as lines, per
 * group what the scheduler would create, stop, update in place or replace, Nomad's warnings, and placement
 * failures in words. Nomad's refusals of the spec itself come back as a 400 that quotes Nomad.
 */
@Injectable()
export class JobPlanner {
  constructor(
    private readonly jobs: JobAccess,
    private readonly placement: PlacementExplainer,
  ) {}

  async plan(spec: ResolvedSpec): Promise<JobPlanOutcome> {
    let res: JobPlanResponse;
    try {
      res = await this.jobs.api.plan(spec.namespace, spec.job, true);
    } catch (err) {
      throw specRefusal(err, spec);
    }
    const groups = Object.entries(res.Annotations?.DesiredTGUpdates ?? {}).map(([group, u]) => groupPlan(group, u));
    return {
      jobId: spec.job.ID, namespace: spec.namespace, isNew: !res.JobModifyIndex, jobModifyIndex: res.JobModifyIndex ?? 0,
      // whole: plan_job and register_job each bound what their answers quote, and count from all of it
      diff: allDiffLines(res.Diff),
      groups,
      warnings: warningLines(res.Warnings).map((w) => (w.length > 240 ? `${w.slice(0, 239)}…` : w)),
      failures: await this.placement.explainMetrics(spec.job, res.FailedTGAllocs, planPlacements(groups)),
    };
  }
}

/**
 * Whether allocations Nomad leaves alone now are to be replaced by later steps of a rolling update: some are
 * replaced or canaries placed, or a task change forces create/destroy updates (MaxParallel defers them).
 */
export function isRolling(groups: GroupPlan[], diff: string[]): boolean {
  return groups.some((g) => g.replace || g.canary) || diff.some((l) => l.endsWith('(forces create/destroy update)'));
}

/** "web: 1 replaced, 1 unchanged for now" — what the scheduler does to a group, in words. */
export function groupWords(g: GroupPlan, rolling = false): string {
  const parts = [
    g.create && `${g.create} to create`, g.destroy && `${g.destroy} to stop`, g.replace && `${g.replace} replaced`,
    g.canary && plural(g.canary, 'canary').replace(/canarys$/, 'canaries'), g.update_in_place && `${g.update_in_place} updated in place`,
    g.migrate && `${g.migrate} migrated`, g.unchanged && `${g.unchanged} unchanged${rolling ? ' for now (rolling update)' : ''}`,
  ].filter(Boolean);
  return `${g.group}: ${parts.join(', ') || 'nothing to do'}`;
}

/** Groups a sentence names one by one; beyond them it gives totals and how many more. */
export const NAMED_GROUPS = 3;

/** "web: 2 to create" for a few groups; "25 groups, 25 to create in all (a: 1 to create; …; and 22 more groups)" for many. */
export function groupsWords(groups: GroupPlan[], rolling: boolean): string {
  if (!groups.length) return 'no task groups';
  if (groups.length <= NAMED_GROUPS + 1) return groups.map((g) => groupWords(g, rolling)).join('; ');
  const none: GroupPlan = { group: '', create: 0, destroy: 0, update_in_place: 0, replace: 0, canary: 0, unchanged: 0, migrate: 0 };
  const sum = groups.reduce<GroupPlan>((t, g) => ({
    group: '', create: t.create + g.create, destroy: t.destroy + g.destroy, update_in_place: t.update_in_place + g.update_in_place,
    replace: t.replace + g.replace, canary: t.canary + g.canary, unchanged: t.unchanged + g.unchanged, migrate: t.migrate + g.migrate,
  }), none);
  // the groups named are those the plan does the most to
  const work = (g: GroupPlan) => g.create + g.destroy + g.replace + g.canary + g.update_in_place + g.migrate;
  const named = [...groups].sort((a, b) => work(b) - work(a)).slice(0, NAMED_GROUPS);
  const totals = groupWords(sum, rolling).slice(2);
  return `${groups.length} groups, ${totals} in all (${named.map((g) => groupWords(g, rolling)).join('; ')}; and ${plural(groups.length - named.length, 'more group')})`;
}

/** Nomad's DesiredUpdates of a group under plan_job's names. */
export function groupPlan(group: string, u: Record<string, number>): GroupPlan {
  return {
    group, create: u.Place ?? 0, destroy: u.Stop ?? 0, update_in_place: u.InPlaceUpdate ?? 0, replace: u.DestructiveUpdate ?? 0,
    canary: u.Canary ?? 0, unchanged: u.Ignore ?? 0, migrate: u.Migrate ?? 0,
  };
}

/** helper.MergeMultierrorWarnings text ("1 warning:\n\n* …") as one line per warning. */
export function warningLines(text: string | undefined | null): string[] {
  if (!text || !text.trim()) return [];
  const items = text.split(/\n\s*\* /).slice(1).map((w) => w.trim()).filter(Boolean);
  return items.length ? items : [text.trim()];
}

/**
 * Nomad's refusal of a spec as a 400 that names the field: a JSON type error names its path
 * (`Job.TaskGroups.Tasks.Resources.CPU`), a validation failure its group and task (go-multierror text,
 * flattened to one line). Other failures pass on unchanged.
 */
export function specRefusal(err: unknown, spec: Pick<ResolvedSpec, 'namespace' | 'namespaceFromSpec'>): unknown {
  if (!(err instanceof NomadApiError)) return err;
  const text = err.nomadMessage;
  if (/nonexistent namespace/.test(text)) return new NamespaceNotFoundException(spec.namespace, spec.namespaceFromSpec);
  const typeError = /^json: cannot unmarshal (\S+(?: \S+)?) into Go struct field \w+\.Job\.?(\S*) of type (\S+)/.exec(text);
  if (err.status === 400 && typeError) {
    return fieldErrorsException([{ field: `job${typeError[2] ? `.${typeError[2]}` : ''}`, reasons: [`must be of Go type ${typeError[3]}, not ${typeError[1]} (Nomad: ${text})`] }]);
  }
  if (err.status === 400) return fieldErrorsException([{ field: 'job', reasons: [`Nomad refused it: ${text}`] }]);
  if (err.status === 500 && /\d+ errors? occurred:/.test(text)) {
    return fieldErrorsException([{ field: 'job', reasons: [`Nomad refused the spec: ${flattenMultiError(text)}. Fix the spec and plan again`] }]);
  }
  return err;
}

/** "1 error occurred:\n\t* Task group web validation failed: 1 error occurred:\n\t* Missing task driver" → one line. */
export function flattenMultiError(text: string): string {
  const items = text.replace(/\d+ errors? occurred:/g, '').split(/\n\s*\*\s*/).map((s) => s.trim()).filter(Boolean);
  return items.reduce((acc, item, i) => (i === 0 ? item : `${acc}${acc.endsWith(':') ? ' ' : '; '}${item}`), '');
}

/** The job as the plan read it, for the sentences: its ID and whether Nomad has it. */
export const describeTarget = (o: JobPlanOutcome) => `${o.isNew ? 'new job' : 'job'} '${o.jobId}' in namespace '${o.namespace}'`;

/** What the plan places per group (new, replacements, canaries) and how many it replaces, for the failures' numbers. */
function planPlacements(groups: GroupPlan[]): PlannedPlacements {
  return {
    placed: Object.fromEntries(groups.map((g) => [g.group, g.create + g.replace + g.canary])),
    replaced: groups.reduce((s, g) => s + g.replace, 0),
  };
}
