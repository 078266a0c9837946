import { JobListStub } from '@nomad-mcp/nomad';
import { NomadReads } from '../../cache/nomad-reads';
import { ListJobsQueryDto } from '../../jobs/dto/list-jobs-query.dto';
import { JobListItem, ListJobsResult } from '../../jobs/dto/job-results.dto';
import { countBy, emptyCounts, nsToIso, plural } from '../../jobs/job-diagnosis';
import { Operation, OperationContext, OperationHandler } from '../core/operation';
import { moreHint } from '../core/paging';
import { cell, table } from '../core/render';
import { JobAccess } from './job-access';

@Operation({
  name: 'list_jobs',
  title: 'List Nomad jobs',
  description:
    'List the Nomad jobs of a namespace with their status (pending/running/dead), type and allocation counts. ' +
    'Use it first to find job IDs, or to get an overview; status="dead" or "pending" finds jobs that are down or not placed. ' +
    'namespace defaults to the service default ("development"); "*" lists all namespaces. ' +
    'Pages of `limit` (default 10) jobs by namespace and ID with next_token. Read-only. Returns a one-line summary and a jobs array.',
  input: ListJobsQueryDto,
  output: ListJobsResult,
  annotations: { readOnly: true, destructive: false, idempotent: true },
  permission: 'read',
  nomadCapability: 'list-jobs',
  order: 100,
  rest: { method: 'GET', path: 'list-jobs' },
})
export class ListJobsOp implements OperationHandler<ListJobsQueryDto, ListJobsResult> {
  constructor(
    private readonly jobs: JobAccess,
    private readonly reads: NomadReads,
  ) {}

  async run(ctx: OperationContext, query: ListJobsQueryDto): Promise<ListJobsResult> {
    const namespace = ctx.namespace(query.namespace);
    // over all namespaces a caller bound to some sees only those
    const visible = namespace === '*' && !ctx.seesEveryNamespace() ? (ns: string) => ctx.visible(ns) : undefined;
    const p = await this.reads.listJobs(namespace, { prefix: query.prefix, status: query.status, limit: query.limit ?? 10, nextToken: query.next_token, visible });
    if (!p.stubs.length && !query.prefix && !query.status && !query.next_token) await this.jobs.requireNamespace(namespace);
    const jobs = p.stubs.map(listItem);
    const where = namespace === '*' ? 'all namespaces' : `namespace '${namespace}'`;
    const detail = Object.entries(countBy(jobs.map((j) => j.status))).map(([s, n]) => `${n} ${s}`).join(', ');
    const what = query.status ? `${query.status} job` : 'job';
    const whole = !p.next_token && !query.next_token;
    const of = p.total !== undefined && !whole ? `, of ${p.total}` : '';
    return {
      message: jobs.length
        ? `${whole ? '' : !query.next_token ? 'First page: ' : p.next_token ? 'Next page: ' : 'Last page: '}${plural(jobs.length, what)} in ${where}${of} (${detail}).${moreHint({ items: jobs, next_token: p.next_token }, 'jobs')}`
        : `No ${query.status ? `${query.status} ` : ''}jobs in ${where}${query.prefix ? ` with ID prefix '${query.prefix}'` : ''}${query.next_token ? ' after that next_token' : ''}.`,
      namespace,
      count: jobs.length,
      jobs,
      next_token: p.next_token,
    };
  }

  render(r: ListJobsResult): string {
    if (!r.jobs.length) return r.message;
    const rows = r.jobs.map((j) => ({ ...j, status: j.stopped ? `${j.status} (stopped)` : j.status, allocations: cell(j.allocations) }));
    const columns = r.namespace === '*' ? ['namespace', 'id', 'type', 'status', 'allocations'] : ['id', 'type', 'status', 'allocations'];
    return `${r.message}\n\n${table(rows, columns)}`;
  }
}

/** Nomad's job stub as a list row; allocation counts summed over the job's groups. */
export function listItem(s: JobListStub): JobListItem {
  const allocations = emptyCounts();
  for (const g of Object.values(s.JobSummary?.Summary ?? {})) {
    allocations.running += g.Running;
    allocations.pending += g.Starting;
    allocations.complete += g.Complete;
    allocations.failed += g.Failed;
    allocations.lost += g.Lost;
    allocations.queued += g.Queued;
  }
  return {
    id: s.ID, name: s.Name, namespace: s.Namespace, type: s.Type, status: s.Status, stopped: s.Stop,
    priority: s.Priority, datacenters: s.Datacenters ?? [], allocations, submitted_at: nsToIso(s.SubmitTime),
  };
}
