import { JobListStub } from '@nomad-mcp/nomad';
import { ListJobsQueryDto } from '../../jobs/dto/list-jobs-query.dto';
import { JobListItem, ListJobsResult } from '../../jobs/dto/job-results.dto';
import { countBy, emptyCounts, nsToIso, plural } from '../../jobs/job-diagnosis';
import { Operation, OperationContext, OperationHandler } from '../core/operation';
import { cell, table } from '../core/render';
import { JobAccess } from './job-access';

@Operation({
  name: 'list_jobs',
  title: 'List Nomad jobs',
  description:
    'List the Nomad jobs of a namespace with their status (pending/running/dead), type and allocation counts. ' +
    'Use it first to find job IDs, or to get an overview; status="dead" or "pending" finds jobs that are down or not placed. ' +
    'namespace defaults to the service default ("development"); "*" lists all namespaces. ' +
    'Read-only. Returns a one-line summary and a jobs array.',
  input: ListJobsQueryDto,
  output: ListJobsResult,
  annotations: { readOnly: true, destructive: false, idempotent: true },
  permission: 'read',
  nomadCapability: 'list-jobs',
  order: 100,
  rest: { method: 'GET', path: 'list-jobs' },
})
export class ListJobsOp implements OperationHandler<ListJobsQueryDto, ListJobsResult> {
  constructor(private readonly jobs: JobAccess) {}

  async run(ctx: OperationContext, query: ListJobsQueryDto): Promise<ListJobsResult> {
    const namespace = ctx.namespace(query.namespace);
    // status comes from a closed enum, so the expression cannot be injected into
    const filter = query.status ? `Status == "${query.status}"` : undefined;
    const stubs = (await this.jobs.api.list(namespace, { prefix: query.prefix, filter })).body;
    if (!stubs.length && !query.prefix && !query.status) await this.jobs.requireNamespace(namespace);
    // over all namespaces the caller sees only its own
    const jobs = (namespace === '*' ? stubs.filter((j) => ctx.visible(j.Namespace)) : stubs).map(listItem);
    const where = namespace === '*' ? 'all namespaces' : `namespace '${namespace}'`;
    const detail = Object.entries(countBy(jobs.map((j) => j.status))).map(([s, n]) => `${n} ${s}`).join(', ');
    return {
      message: jobs.length
        ? `${plural(jobs.length, query.status ? `${query.status} job` : 'job')} in ${where} (${detail}).`
        : `No ${query.status ? `${query.status} ` : ''}jobs in ${where}${query.prefix ? ` with ID prefix '${query.prefix}'` : ''}.`,
      namespace,
      count: jobs.length,
      jobs,
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
