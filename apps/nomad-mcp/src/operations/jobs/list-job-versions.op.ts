import { NomadJob } from '@nomad-mcp/nomad';
import { diffLines } from '../../jobs/nomad-diff.render';
import { specChanges } from '../../jobs/job-spec.diff';
import { table } from '../core/render';
import { Operation, OperationContext, OperationHandler } from '../core/operation';
import { JobVersionsQueryDto, JobVersionsResult, JobVersionSummary } from './dto/job-versions.dto';
import { JobAccess } from './job-access';

@Operation({
  name: 'list_job_versions',
  title: 'List job versions',
  description:
    "A job's versions, newest first: which is current, which are stable, when each was registered and what changed from the one before " +
    '(+ added, - removed, ~ changed; env values never shown). Use it to find the version to revert_job to after a bad rollout.',
  input: JobVersionsQueryDto,
  output: JobVersionsResult,
  annotations: { readOnly: true, destructive: false, idempotent: true },
  permission: 'read',
  nomadCapability: 'read-job',
  order: 250,
  rest: { method: 'GET', path: 'jobs/:job_id/versions' },
})
export class ListJobVersionsOp implements OperationHandler<JobVersionsQueryDto, JobVersionsResult> {
  constructor(private readonly jobs: JobAccess) {}

  async run(ctx: OperationContext, q: JobVersionsQueryDto): Promise<JobVersionsResult> {
    const namespace = ctx.namespace(q.namespace);
    const job = await this.jobs.requireJob(namespace, q.job_id);
    const { Versions: all, Diffs: diffs } = (await this.jobs.api.versions(namespace, job.ID, true)).body;
    const limit = q.limit ?? 5;
    const versions = all.slice(0, limit).map((v, i): JobVersionSummary => ({
      version: v.Version ?? 0,
      stable: !!v.Stable,
      submitted: v.SubmitTime ? new Date(Math.floor(v.SubmitTime / 1e6)).toISOString() : null,
      changes: changesOf(v, all[i + 1], diffs?.[i]),
    }));
    const current = job.Version ?? 0;
    const last = versions[0];
    const lastStable = all.find((v) => v.Stable && v.Version !== current);
    let message = `Job '${job.ID}' is at version ${current} (${all.length} versions kept)`;
    message += last && last.changes.length ? `; version ${last.version} changed ${last.changes.length === 1 ? last.changes[0].replace(/^[~+-] /, '') : `${last.changes.length} things`}` : '';
    message += lastStable ? `; the last other stable version is ${lastStable.Version}.` : '.';
    if (all.length > limit) message += ` Showing the newest ${limit}; pass limit (up to 50) for more.`;
    return { message, job_id: job.ID, namespace, current_version: current, versions, total: all.length };
  }

  render(r: JobVersionsResult): string {
    const rows = r.versions.map((v) => ({ version: v.version, stable: v.stable ? 'yes' : 'no', submitted: v.submitted ?? '', changes: v.changes.slice(0, 6).join('; ') + (v.changes.length > 6 ? ` … (${v.changes.length - 6} more)` : '') }));
    return `${r.message}\n\n${table(rows, ['version', 'stable', 'submitted', 'changes'])}`;
  }
}

/** Nomad's diff to the version before when it gave one, else the fields create_job manages compared here. */
function changesOf(version: NomadJob, before: NomadJob | undefined, diff: Parameters<typeof diffLines>[0]): string[] {
  if (!before) return [];
  const fromNomad = diffLines(diff);
  return fromNomad.length || diff ? fromNomad : specChanges(before, version);
}
