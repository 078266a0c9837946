import { NomadApiError, NomadJob } from '@nomad-mcp/nomad';
import { redactArguments } from '../../audit/redact-arguments';
import { JobRefDto } from '../../jobs/dto/job-ref.dto';
import { redactHcl } from '../../jobs/hcl-redact';
import { plural } from '../../jobs/job-diagnosis';
import { constraintsOf, groupView, launchOf, MAX_GROUPS, metaOf } from '../../jobs/job-spec.view';
import { Operation, OperationContext, OperationHandler } from '../core/operation';
import { GroupSpecView, JobSpecResult, JobSpecSource } from './dto/job-spec-view.dto';
import { JobAccess } from './job-access';

/** How much of the kept source an answer carries (the text answer stays under 4 KB). */
const SOURCE_CHARS = 1200;
/** The text rendering's budget: past it, groups are summarised and the source shortened. */
const TEXT_BUDGET = 3800;

@Operation({
  name: 'get_job_spec',
  title: 'Get job spec',
  description:
    "A job's registered spec, compacted: per group the count, ports, services, update/restart/reschedule policies, constraints and meta; " +
    "per task the driver, image or command, resources and the NAMES of its environment variables (values are never shown); and the HCL " +
    'source when Nomad kept it (secret values hidden). Use it before changing a job with plan_job/register_job, or to see what runs.',
  input: JobRefDto,
  output: JobSpecResult,
  annotations: { readOnly: true, destructive: false, idempotent: true },
  permission: 'read',
  nomadCapability: 'read-job',
  order: 220,
  rest: { method: 'GET', path: 'jobs/:job_id/spec' },
})
export class GetJobSpecOp implements OperationHandler<JobRefDto, JobSpecResult> {
  constructor(private readonly jobs: JobAccess) {}

  async run(ctx: OperationContext, q: JobRefDto): Promise<JobSpecResult> {
    const namespace = ctx.namespace(q.namespace);
    const job = await this.jobs.requireJob(namespace, q.job_id);
    const version = job.Version ?? 0;
    const source = await this.source(namespace, job.ID, version);
    const allGroups = job.TaskGroups ?? [];
    const groups = allGroups.slice(0, MAX_GROUPS).map(groupView);
    return {
      message: sentence(job, groups, allGroups.length, source), job_id: job.ID, namespace, version, type: job.Type ?? 'service',
      priority: job.Priority ?? 50, datacenters: job.Datacenters ?? [], node_pool: (job.NodePool as string | undefined) ?? null, stopped: !!job.Stop,
      launch: launchOf(job), constraints: constraintsOf(job.Constraints), meta: metaOf(job.Meta), groups, groups_total: allGroups.length, source,
    };
  }

  /** The source Nomad kept with the version, its secret values hidden, cut to SOURCE_CHARS; null when none was kept. */
  private async source(namespace: string, jobId: string, version: number): Promise<JobSpecSource | null> {
    const sub = await this.jobs.api.submission(namespace, jobId, version).catch((err) => {
      // an older Nomad without the endpoint, or a token that may not read it: the spec still answers
      if (err instanceof NomadApiError) return undefined;
      throw err;
    });
    if (!sub?.Source) return null;
    const text = sub.Format === 'json' ? hiddenJson(sub.Source) : redactHcl(sub.Source);
    return { format: sub.Format || 'hcl2', text: text.length > SOURCE_CHARS ? `${text.slice(0, SOURCE_CHARS)}…` : text, total_chars: text.length, truncated: text.length > SOURCE_CHARS };
  }

  render(r: JobSpecResult): string {
    const head = [
      `type ${r.type} · priority ${r.priority} · datacenters ${r.datacenters.join(', ') || '-'} · node pool ${r.node_pool ?? '-'} · version ${r.version}${r.stopped ? ' · stopped' : ''}`,
      r.launch && `launch: ${r.launch}`, r.meta && `meta: ${pairs(r.meta)}`, r.constraints.length && `constraints: ${r.constraints.join('; ')}`,
    ].filter(Boolean).join('\n');
    const groups = r.groups.map(groupText);
    let text = [r.message, head, ...groups].join('\n\n');
    if (text.length > TEXT_BUDGET) text = [r.message, head, ...r.groups.map((g) => `group ${g.name} ×${g.count}: ${g.tasks.map((t) => `${t.name} (${t.image ?? t.driver})`).join(', ')}`)].join('\n\n');
    if (r.groups_total > r.groups.length) text += `\n\n… ${r.groups_total - r.groups.length} more groups not shown.`;
    if (r.source) {
      const room = Math.max(0, TEXT_BUDGET - text.length - 80);
      const src = r.source.text.length > room ? `${r.source.text.slice(0, room)}…` : r.source.text;
      if (room > 200) text += `\n\nsource (${r.source.format}, ${r.source.total_chars} characters${r.source.truncated || src.length < r.source.text.length ? ', beginning' : ''}):\n${src}`;
    }
    return text;
  }
}

function sentence(job: NomadJob, groups: GroupSpecView[], total: number, source: JobSpecSource | null): string {
  const runs = groups.map((g) => `${g.name} ×${g.count} (${g.tasks.map((t) => t.image ?? `${t.driver} task ${t.name}`).join(', ')})`).join(', ');
  const from = source ? ` Registered from ${source.format.toUpperCase()}; the source is included (secret values hidden).` : '';
  return `Job '${job.ID}' (${job.Type ?? 'service'}, version ${job.Version ?? 0}${job.Stop ? ', stopped' : ''}) has ${plural(total, 'group')}: ${runs || 'none'}${total > groups.length ? ', …' : ''}.${from}`;
}

function groupText(g: GroupSpecView): string {
  const lines = [
    `group ${g.name} ×${g.count}${g.ports.length ? ` · ports ${g.ports.join(', ')}` : ''}${g.services.length ? ` · services ${g.services.join('; ')}` : ''}`,
    g.update && `  update: ${g.update}`, `  restart: ${g.restart}${g.reschedule ? ` · reschedule: ${g.reschedule}` : ''}`,
    g.constraints.length && `  constraints: ${g.constraints.join('; ')}`, g.meta && `  meta: ${pairs(g.meta)}`,
    ...g.tasks.map((t) => `  task ${t.name} (${t.driver})${t.image ? ` image ${t.image}` : ''}${t.command ? ` command: ${t.command}` : ''} · ${t.resources}` +
      `${t.env.length ? ` · env: ${t.env.join(', ')}` : ''}${t.services.length ? ` · services ${t.services.join('; ')}` : ''}${t.meta ? ` · meta: ${pairs(t.meta)}` : ''}`),
  ];
  return lines.filter(Boolean).join('\n');
}

const pairs = (m: Record<string, string>) => Object.entries(m).map(([k, v]) => `${k}=${v}`).join(', ');

/** A JSON source with its Env values and template bodies redacted as the audit trail does (unparsable: hidden whole). */
function hiddenJson(source: string): string {
  try {
    return JSON.stringify(redactArguments(JSON.parse(source)));
  } catch {
    return '(the kept JSON source does not parse; not shown)';
  }
}
