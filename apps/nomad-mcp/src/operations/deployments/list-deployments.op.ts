import { NomadReads } from '../../cache/nomad-reads';
import { plural } from '../../jobs/job-diagnosis';
import { Operation, OperationContext, OperationHandler } from '../core/operation';
import { DEFAULT_PAGE_SIZE, fitsAnswer, moreHint, NEWEST_FIRST, page } from '../core/paging';
import { shortId, table } from '../core/render';
import { JobAccess } from '../jobs/job-access';
import { deploymentGroups, deploymentItem, groupProgress } from './deployment-view';
import { ListDeploymentsQueryDto, ListDeploymentsResult } from './dto/deployment.dto';

@Operation({
  name: 'list_deployments',
  title: 'List deployments of a job',
  description:
    "List a job's deployments (rollouts of its versions), newest first: version, status, and healthy/desired allocations. " +
    'Pages of `limit` (default 20, fewer when that would pass 4 KB) with next_token. Use get_deployment for one rollout group by group. Batch jobs have none. Read-only. ' +
    'Fails with "not found" if the job is not in that namespace: call list_jobs to see the jobs there.',
  input: ListDeploymentsQueryDto,
  output: ListDeploymentsResult,
  annotations: { readOnly: true, destructive: false, idempotent: true },
  permission: 'read',
  order: 830,
  rest: { method: 'GET', path: 'jobs/:job_id/deployments' },
})
export class ListDeploymentsOp implements OperationHandler<ListDeploymentsQueryDto, ListDeploymentsResult> {
  constructor(
    private readonly jobs: JobAccess,
    private readonly reads: NomadReads,
  ) {}

  async run(ctx: OperationContext, q: ListDeploymentsQueryDto): Promise<ListDeploymentsResult> {
    const namespace = ctx.namespace(q.namespace);
    const all = NEWEST_FIRST.sort([...(await this.reads.deployments(namespace, q.job_id))]);
    // Nomad answers [] for a job that does not exist, and for one that never had a deployment
    const job = all.length ? undefined : await this.jobs.requireJob(namespace, q.job_id);
    const limit = q.limit ?? DEFAULT_PAGE_SIZE;
    const p = page(all, limit, NEWEST_FIRST, q.next_token, fitsAnswer(limit, deploymentItem));
    const latest = all[0];
    const shown = p.items.length === all.length ? '' : ` Showing ${p.items.length}${q.next_token ? ' (a later page)' : ', the newest'}.`;
    return {
      message: latest
        ? `Job '${q.job_id}' has ${plural(all.length, 'deployment')}; the latest (${shortId(latest.ID)}, version ${latest.JobVersion}) is ${latest.Status}` +
          `${deploymentGroups(latest).map((g) => `, ${groupProgress(g)}`).join('')}.${shown}${moreHint(p, 'deployments')}`
        : `Job '${q.job_id}' has no deployments${job?.Type && job.Type !== 'service' ? ` (${job.Type} jobs have none)` : ''}.`,
      job_id: q.job_id, namespace, total: all.length, count: p.items.length, deployments: p.items.map(deploymentItem), next_token: p.next_token,
    };
  }

  render(r: ListDeploymentsResult): string {
    if (!r.deployments.length) return r.message;
    const rows = r.deployments.map((d) => ({ ...d, id: shortId(d.id), version: d.job_version, healthy: `${d.healthy}/${d.desired}` }));
    return `${r.message}\n\n${table(rows, ['id', 'version', 'status', 'healthy', 'unhealthy', 'created_at', 'description'])}`;
  }
}
