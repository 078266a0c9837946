import { NomadReads } from '../../cache/nomad-reads';
import { countBy, plural } from '../../jobs/job-diagnosis';
import { Operation, OperationContext, OperationHandler } from '../core/operation';
import { DEFAULT_PAGE_SIZE, fitsAnswer, moreHint, NEWEST_FIRST, page } from '../core/paging';
import { table } from '../core/render';
import { JobAccess } from '../jobs/job-access';
import { allocRow } from './allocation-view';
import { ListAllocationsQueryDto } from './dto/allocation-query.dto';
import { ListAllocationsResult } from './dto/allocation-results.dto';

@Operation({
  name: 'list_allocations',
  title: 'List allocations of a job',
  description:
    "List a job's allocations, newest first: where each runs, its client and desired status, job version, restarts and deployment health. " +
    'Filter by status (running, pending, failed, complete, lost); pages of `limit` (default 20, fewer when that would pass 4 KB) with next_token. ' +
    'Use it to find an allocation ID for get_allocation, get_job_logs or to see a crash loop\'s history. Read-only. ' +
    'Fails with "not found" if the job is not in that namespace: call list_jobs to see the jobs there.',
  input: ListAllocationsQueryDto,
  output: ListAllocationsResult,
  annotations: { readOnly: true, destructive: false, idempotent: true },
  permission: 'read',
  order: 800,
  rest: { method: 'GET', path: 'jobs/:job_id/allocations' },
})
export class ListAllocationsOp implements OperationHandler<ListAllocationsQueryDto, ListAllocationsResult> {
  constructor(
    private readonly jobs: JobAccess,
    private readonly reads: NomadReads,
  ) {}

  async run(ctx: OperationContext, q: ListAllocationsQueryDto): Promise<ListAllocationsResult> {
    const namespace = ctx.namespace(q.namespace);
    // Nomad does not page a job's allocations: the whole list is read and paged here, newest first
    const all = await this.reads.allocations(namespace, q.job_id);
    // Nomad answers [] for a job that does not exist
    if (!all.length) await this.jobs.requireJob(namespace, q.job_id);
    const matching = NEWEST_FIRST.sort(q.status ? all.filter((a) => a.ClientStatus === q.status) : [...all]);
    const limit = q.limit ?? DEFAULT_PAGE_SIZE;
    const p = page(matching, limit, NEWEST_FIRST, q.next_token, fitsAnswer(limit, allocRow));
    const byStatus = Object.entries(countBy(matching.map((a) => a.ClientStatus))).map(([s, n]) => `${n} ${s}`).join(', ');
    const what = q.status ? `${q.status} allocation` : 'allocation';
    const shown = p.items.length === matching.length ? '' : ` Showing ${p.items.length}${q.next_token ? ' (a later page)' : ', the newest'}.`;
    return {
      message: matching.length
        ? `Job '${q.job_id}' has ${plural(matching.length, what)}${q.status ? '' : ` (${byStatus})`}.${shown}${moreHint(p, 'allocations')}`
        : `Job '${q.job_id}' has no ${what}s${q.status && all.length ? ` (it has ${plural(all.length, 'allocation')} in other states)` : ''}.`,
      job_id: q.job_id, namespace, status: q.status ?? null, total: matching.length, count: p.items.length,
      allocations: p.items.map(allocRow), next_token: p.next_token,
    };
  }

  render(r: ListAllocationsResult): string {
    if (!r.allocations.length) return r.message;
    const rows = r.allocations.map((a) => ({ ...a, id: a.id.slice(0, 8), status: `${a.client_status}/${a.desired_status}`, healthy: a.healthy === null ? '-' : a.healthy ? 'yes' : 'no' }));
    return `${r.message}\n\n${table(rows, ['id', 'name', 'node', 'version', 'status', 'restarts', 'healthy', 'created_at'])}`;
  }
}
