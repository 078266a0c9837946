import { AllocationListStub, AllocMetric, Deployment, Evaluation, NomadJob, TaskEvent } from '@nomad-mcp/nomad';
import { AllocationBrief, AllocationCounts, PlacementFailure, TaskProblem } from './dto/job-results.dto';

/**
 * Turning Nomad's raw state into what a person (or a model) needs to judge a job: counts, the failing task
 * events, placement failures in words, and one sentence.
 */

export const ZERO_TIME = '0001-01-01T00:00:00Z';
const FAILURE_EVENTS = new Set([
  'Driver Failure', 'Not Restarting', 'Setup Failure', 'Failed Validation', 'Failed Artifact Download',
  'Task hook failed', 'Failed Registering Service', 'Sibling Task Failed', 'Alloc Unhealthy',
]);

/** Unix nanoseconds (as JSON numbers) to ISO time; null for zero/absent. */
export function nsToIso(ns: number | undefined | null): string | null {
  return ns ? new Date(Math.floor(ns / 1e6)).toISOString() : null;
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "cannot place 1 of group 'web': memory exhausted on 3 nodes (3 nodes evaluated)"; `lead` opens a sentence. */
export function placementText(failures: Array<{ unplaced: number; group: string; reason: string }>, lead = 'cannot place'): string {
  return `${lead} ${failures.map((f) => `${f.unplaced} of group '${f.group}': ${f.reason}`).join('; ')}`;
}

export function emptyCounts(): AllocationCounts {
  return { running: 0, pending: 0, complete: 0, failed: 0, lost: 0, queued: 0 };
}

export function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

export function isFailureEvent(e: TaskEvent): boolean {
  return FAILURE_EVENTS.has(e.Type) || !!e.FailsTask || !!e.DriverError || (e.Type === 'Terminated' && (e.ExitCode ?? 0) !== 0);
}

const CONSEQUENCES = new Set(['Not Restarting', 'Sibling Task Failed', 'Alloc Unhealthy']);
export function consequenceRank(type: string): number {
  return CONSEQUENCES.has(type) ? 1 : 0;
}

export function eventText(e: TaskEvent): string {
  return e.DisplayMessage || e.DriverError || e.Message || e.Type;
}

/** Nomad's placement metrics in words: which dimension ran out, which filter removed nodes. */
function describeMetric(m: AllocMetric): string {
  const parts: string[] = [];
  const evaluated = m.NodesEvaluated ?? 0;
  if (evaluated === 0) {
    const dcs = Object.keys(m.NodesAvailable ?? {});
    parts.push(`no eligible nodes${dcs.length ? ` in datacenter(s) ${dcs.join(', ')}` : ''}`);
  }
  for (const [dim, n] of Object.entries(m.DimensionExhausted ?? {})) parts.push(`${dim} exhausted on ${plural(n, 'node')}`);
  for (const [why, n] of Object.entries(m.ConstraintFiltered ?? {})) {
    // Nomad checks one node of a computed class and counts the others of that class under this reason
    parts.push(why === 'computed class ineligible' ? `${plural(n, 'more node')} of the same class likewise` : `constraint '${why}' filtered out ${plural(n, 'node')}`);
  }
  for (const [cls, n] of Object.entries(m.ClassFiltered ?? {})) if (!m.ConstraintFiltered) parts.push(`class '${cls}' filtered ${plural(n, 'node')}`);
  for (const q of m.QuotaExhausted ?? []) parts.push(`quota exhausted: ${q}`);
  if (!parts.length && m.NodesExhausted) parts.push(`resources exhausted on ${plural(m.NodesExhausted, 'node')}`);
  return `${parts.join('; ') || 'no node could fit it'} (${plural(evaluated, 'node')} evaluated)`;
}

export function placementFailures(evals: Evaluation[]): PlacementFailure[] {
  // the newest evaluation that reported failures and whose blocked follow-up is still waiting
  const blocked = evals.filter((e) => e.Status === 'blocked');
  if (!blocked.length) return [];
  const withMetrics = [...evals].filter((e) => e.FailedTGAllocs).sort((a, b) => b.ModifyIndex - a.ModifyIndex)[0];
  return metricFailures(withMetrics?.FailedTGAllocs);
}

/** One evaluation's placement failures (its FailedTGAllocs), group by group, in words. */
export function metricFailures(failed: Record<string, AllocMetric> | null | undefined): PlacementFailure[] {
  return Object.entries(failed ?? {}).map(([group, m]) => ({
    group,
    unplaced: (m.CoalescedFailures ?? 0) + 1,
    reason: describeMetric(m),
  }));
}

export function allocBrief(a: AllocationListStub): AllocationBrief {
  return {
    id: a.ID, name: a.Name, group: a.TaskGroup, node: a.NodeName, version: a.JobVersion, client_status: a.ClientStatus,
    desired_status: a.DesiredStatus,
    restarts: Object.values(a.TaskStates ?? {}).reduce((s, t) => s + (t.Restarts ?? 0), 0),
    created_at: nsToIso(a.CreateTime),
  };
}

export function latestStarted(allocs: AllocationListStub[]): AllocationListStub {
  const newest = [...allocs].sort((a, b) => b.CreateIndex - a.CreateIndex);
  const started = newest.find((a) => Object.values(a.TaskStates ?? {}).some((t) => t.StartedAt && t.StartedAt !== ZERO_TIME));
  return started ?? newest[0];
}

export function statusSentence(
  job: NomadJob,
  c: AllocationCounts,
  desired: number,
  deployment: Deployment | null,
  problems: TaskProblem[],
  placement: PlacementFailure[],
  earlierFailures = 0,
): string {
  const parts: string[] = [];
  const state = job.Stop ? `stopped (${job.Status})` : job.Status;
  parts.push(`Job '${job.ID}' (${job.Type}, version ${job.Version}) is ${state}`);
  const counts = (['running', 'pending', 'complete', 'failed', 'lost', 'queued'] as const).filter((k) => c[k] > 0).map((k) => `${c[k]} ${k}`);
  parts.push(`allocations: ${counts.join(', ') || 'none'}${job.Type === 'service' && !job.Stop ? ` of ${desired} desired` : ''}`);
  if (earlierFailures) parts.push(`${plural(earlierFailures, 'earlier allocation')} failed`);
  if (deployment) parts.push(`latest deployment ${deployment.Status}${deployment.StatusDescription ? ` (${deployment.StatusDescription})` : ''}`);
  let sentence = parts.join('; ') + '.';
  if (placement.length) sentence += ` ${placementText(placement, 'Cannot place')}.`;
  // Nomad's event text rarely ends a sentence; the answer's first line must
  if (problems.length) sentence += ` Latest problem: ${problems[0].event} in task '${problems[0].task}': ${problems[0].message.replace(/[.\s]*$/, '.')}`;
  return sentence;
}
