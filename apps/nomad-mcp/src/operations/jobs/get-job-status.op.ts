import { AllocationListStub } from '@nomad-mcp/nomad';
import { NomadReads } from '../../cache/nomad-reads';
import { JobRefDto } from '../../jobs/dto/job-ref.dto';
import { AllocationCounts, JobStatusResult, TaskProblem } from '../../jobs/dto/job-results.dto';
import { allocBrief, consequenceRank, emptyCounts, eventText, isFailureEvent, nsToIso, statusSentence } from '../../jobs/job-diagnosis';
import { Operation, OperationContext, OperationHandler } from '../core/operation';
import { fields, table } from '../core/render';
import { JobAccess } from './job-access';
import { PlacementExplainer } from './placement';

/** How many allocations the answer lists, newest first. */
export const RECENT_ALLOCATIONS = 10;
const MAX_PROBLEMS = 20;
const TERMINAL = new Set(['complete', 'failed', 'lost']);

@Operation({
  name: 'get_job_status',
  title: 'Get job status',
  description:
    'Diagnose one job: status, version, allocation counts by state, latest deployment, and for anything failing or pending the reason ' +
    '(failed task events with their messages, placement failures of blocked evaluations). Use it to answer "is X healthy?" or "why is X failing?". ' +
    'Read-only. Fails with "not found" if the job is not in that namespace: call list_jobs to see the jobs there.',
  input: JobRefDto,
  output: JobStatusResult,
  annotations: { readOnly: true, destructive: false, idempotent: true },
  permission: 'read',
  nomadCapability: 'read-job',
  order: 200,
  rest: { method: 'GET', path: 'jobs/:job_id' },
})
export class GetJobStatusOp implements OperationHandler<JobRefDto, JobStatusResult> {
  constructor(
    private readonly jobs: JobAccess,
    private readonly reads: NomadReads,
    private readonly placement: PlacementExplainer,
  ) {}

  async run(ctx: OperationContext, ref: JobRefDto): Promise<JobStatusResult> {
    const namespace = ctx.namespace(ref.namespace);
    const job = (await this.reads.job(namespace, ref.job_id)) ?? (await this.jobs.notFound(namespace, ref.job_id));
    const [summary, allocs, evals, deployment] = await Promise.all([
      this.reads.summary(namespace, ref.job_id),
      this.reads.allocations(namespace, ref.job_id),
      this.reads.evaluations(namespace, ref.job_id),
      this.reads.latestDeployment(namespace, ref.job_id),
    ]);
    const current = currentAllocations(allocs);
    const allocations = emptyCounts();
    for (const a of current) {
      const k = a.ClientStatus as keyof AllocationCounts;
      if (k in allocations) allocations[k]++;
    }
    for (const g of Object.values(summary.Summary ?? {})) allocations.queued += g.Queued;
    const earlierFailures = allocs.filter((a) => !current.includes(a) && a.ClientStatus === 'failed').length;
    // a running allocation its deployment found unhealthy (failing health checks) is failing too: its events say why
    const problems = problemsOf(current.filter((a) => (a.ClientStatus !== 'running' || a.DeploymentStatus?.Healthy === false) && a.ClientStatus !== 'complete'));
    const placement = await this.placement.explain(job, [...evals]);
    const groups = (job.TaskGroups ?? []).map((g) => ({ name: g.Name, desired: g.Count ?? 1 }));
    const desired = groups.reduce((s, g) => s + g.desired, 0);
    const recent = [...allocs].sort((a, b) => b.CreateIndex - a.CreateIndex).slice(0, RECENT_ALLOCATIONS).map(allocBrief);
    return {
      message: statusSentence(job, allocations, desired, deployment, problems, placement, earlierFailures),
      job_id: job.ID, namespace, name: job.Name ?? job.ID, type: job.Type ?? 'service', status: job.Status ?? 'unknown',
      stopped: !!job.Stop, version: job.Version ?? 0, stable: !!job.Stable, submitted_at: nsToIso(job.SubmitTime),
      groups, allocations,
      latest_deployment: deployment
        ? { id: deployment.ID, status: deployment.Status, description: deployment.StatusDescription, version: deployment.JobVersion }
        : null,
      problems, placement_failures: placement, recent_allocations: recent,
    };
  }

  render(r: JobStatusResult): string {
    const parts = [r.message, fields({ ...r, groups: r.groups.map((g) => `${g.name}=${g.desired}`).join(' '), latest_deployment: r.latest_deployment && `${r.latest_deployment.status} (v${r.latest_deployment.version}, ${r.latest_deployment.id.slice(0, 8)})` }, ['status', 'stopped', 'version', 'stable', 'groups', 'allocations', 'latest_deployment'])];
    if (r.placement_failures.length) parts.push(`placement failures:\n${table(r.placement_failures as never, ['group', 'unplaced', 'reason'])}`);
    if (r.problems.length) parts.push(`problems (causes first, newest first):\n${table(r.problems.map((p) => ({ ...p, alloc_id: p.alloc_id.slice(0, 8) })), ['time', 'alloc_id', 'task', 'event', 'occurrences', 'message'])}`);
    if (r.recent_allocations.length) {
      parts.push(`recent allocations:\n${table(r.recent_allocations.map((a) => ({ ...a, id: a.id.slice(0, 8), status: `${a.client_status}/${a.desired_status}` })), ['id', 'name', 'node', 'version', 'status', 'restarts', 'created_at'])}`);
    }
    return parts.filter(Boolean).join('\n\n');
  }
}

/**
 * The allocations that make up the job now: those still meant to run and not ended, plus, for each
 * allocation slot (its name, `job.group[index]`), the newest one. An ended allocation that a newer one in
 * its slot has followed (a replacement, a restart after failures, a new version) is history, counted apart
 * as an earlier failure, so a job restarted after failures does not read "2 failed of 1 desired".
 */
export function currentAllocations(allocs: readonly AllocationListStub[]): AllocationListStub[] {
  const newest = new Map<string, AllocationListStub>();
  for (const a of allocs) if ((newest.get(a.Name)?.CreateIndex ?? -1) < a.CreateIndex) newest.set(a.Name, a);
  return allocs.filter((a) => newest.get(a.Name) === a || (a.DesiredStatus === 'run' && !TERMINAL.has(a.ClientStatus)));
}

/**
 * Failed task events of allocations that are failing or not yet running: causes first, newest first within
 * each. The same event repeated (a driver failure on every restart) is one entry with its count.
 */
export function problemsOf(allocs: AllocationListStub[]): TaskProblem[] {
  const found = new Map<string, TaskProblem & { ns: number }>();
  for (const a of allocs) {
    for (const [task, state] of Object.entries(a.TaskStates ?? {})) {
      for (const e of (state.Events ?? []).filter(isFailureEvent).slice(-3)) {
        const message = eventText(e);
        const key = JSON.stringify([a.ID, task, e.Type, message]);
        const seen = found.get(key);
        if (seen) {
          seen.occurrences = (seen.occurrences ?? 1) + 1;
          if ((e.Time ?? 0) > seen.ns) Object.assign(seen, { ns: e.Time ?? 0, time: nsToIso(e.Time) });
        } else found.set(key, { alloc_id: a.ID, task, event: e.Type, message, time: nsToIso(e.Time), ns: e.Time ?? 0 });
      }
    }
  }
  // sorted by Nomad's nanosecond times, not the millisecond ISO strings, so events of one millisecond keep their order
  const sorted = [...found.values()].sort((x, y) => consequenceRank(x.event) - consequenceRank(y.event) || y.ns - x.ns);
  return sorted.slice(0, MAX_PROBLEMS).map(({ ns: _ns, ...p }) => p);
}
