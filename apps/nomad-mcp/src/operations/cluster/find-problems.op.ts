import { NomadAllocationsApi, NomadApiError, NomadDeploymentsApi, NomadEvaluationsApi, NomadNodesApi } from '@nomad-mcp/nomad';
import { plural } from '../../jobs/job-diagnosis';
import { Operation, OperationContext, OperationHandler } from '../core/operation';
import { clip } from '../core/render';
import { JobAccess } from '../jobs/job-access';
import { PlacementExplainer } from '../jobs/placement';
import { FindProblemsQueryDto, FindProblemsResult, ProblemItem } from './dto/problems.dto';
import { placementText } from '../../jobs/job-diagnosis';
import { findProblems, Problem } from './problems';

/** Unplaceable problems whose numbers (the ask, the largest free node) are looked up: each costs a few reads. */
const EXPLAINED = 3;
/** The text answer stays under a model's 4 KB; a problem's line is cut to this (the JSON keeps it whole). */
const LINE = 240;
const MAX_TEXT = 4000;

@Operation({
  name: 'find_problems',
  title: 'Find problems',
  description:
    'Answer "what is wrong?" in one call, most urgent first: jobs with nothing running, allocations that failed or restart in a loop (with the ' +
    'cause: exit code, OOM kill, failed image pull), placements that cannot happen (which constraint or resource), failed or stuck deployments ' +
    '(and why allocations were unhealthy), and client nodes that are down, draining or ineligible. Each problem names the one tool to call for ' +
    'the details. namespace: one namespace or "*" for every one you may use (default: the service default); node problems are always included. ' +
    'Start here when asked whether anything is broken. Read-only.',
  input: FindProblemsQueryDto,
  output: FindProblemsResult,
  annotations: { readOnly: true, destructive: false, idempotent: true },
  permission: 'read',
  nomadCapability: 'read-job',
  order: 50,
  rest: { method: 'GET', path: 'problems' },
})
export class FindProblemsOp implements OperationHandler<FindProblemsQueryDto, FindProblemsResult> {
  constructor(
    private readonly jobs: JobAccess,
    private readonly allocations: NomadAllocationsApi,
    private readonly evaluations: NomadEvaluationsApi,
    private readonly deployments: NomadDeploymentsApi,
    private readonly nodes: NomadNodesApi,
    private readonly placement: PlacementExplainer,
  ) {}

  async run(ctx: OperationContext, q: FindProblemsQueryDto): Promise<FindProblemsResult> {
    const namespace = ctx.namespace(q.namespace);
    const limit = q.limit ?? 5;
    const unchecked: string[] = [];
    // what a token may not read is left out and said so; anything else (Nomad down) fails the call
    const optional = <T>(what: string, read: Promise<T>, fallback: T): Promise<T> => read.catch((err) => {
      if (!(err instanceof NomadApiError && err.isPermissionDenied)) throw err;
      unchecked.push(`${what}: the Nomad token may not read them (403)`);
      return fallback;
    });
    const mine = <T extends { Namespace: string }>(items: T[]) => (namespace === '*' ? items.filter((i) => ctx.visible(i.Namespace)) : items);
    const [jobs, allocs, blocked, deployments, nodes] = await Promise.all([
      this.jobs.api.list(namespace).then((r) => mine(r.body)),
      optional('allocations', this.allocations.list(namespace).then((r) => mine(r.body)), []),
      optional('blocked evaluations', this.evaluations.list(namespace, { status: 'blocked' }).then((r) => mine(r.body)), []),
      optional('deployments', this.deployments.list(namespace).then((r) => mine(r.body)), []),
      optional('client nodes (node:read)', this.nodes.list().then((r) => r.body), undefined),
    ]);
    if (!jobs.length) await this.jobs.requireNamespace(namespace);
    const all = findProblems({ jobs, allocs, blocked, deployments, nodes, now: Date.now() });
    const shown = all.slice(0, limit);
    await this.explainPlacements(shown);
    const counts = { critical: 0, error: 0, warning: 0 };
    for (const p of all) counts[p.severity]++;
    const where = namespace === '*' ? 'all namespaces you may use' : `namespace '${namespace}'`;
    const checked = `${plural(jobs.length, 'job')}, ${plural(allocs.length, 'allocation')}${nodes ? ` and ${plural(nodes.length, 'node')}` : ''}`;
    const bySeverity = (['critical', 'error', 'warning'] as const).filter((k) => counts[k]).map((k) => (k === 'critical' ? `${counts[k]} critical` : plural(counts[k], k))).join(', ');
    const message = all.length
      ? `${plural(all.length, 'problem')} in ${where} (${bySeverity}); most urgent: ${clip(shown[0].summary, 200)}`
      : `No problems found in ${where}: ${checked} look healthy.`;
    return {
      message, namespace, total: all.length, counts, problems: shown.map(toItem),
      checked: { jobs: jobs.length, allocations: allocs.length, nodes: nodes?.length ?? 0 }, unchecked,
    };
  }

  render(r: FindProblemsResult): string {
    const lines = r.problems.map((p) => {
      const args = Object.entries(p.next.arguments).map(([k, v]) => `${k}=${v}`).join(' ');
      return `[${p.severity}] ${p.job_id ? `${p.namespace}/${p.job_id}` : 'node'}: ${clip(p.summary, LINE)} -> ${p.next.tool}${args ? ` ${args}` : ''}`;
    });
    const more = r.total > r.problems.length ? `${r.total - r.problems.length} more (less urgent): call again with a larger limit, or narrow namespace.` : '';
    const unchecked = r.unchecked.length ? `not checked: ${r.unchecked.join('; ')}` : '';
    const parts = [r.message, lines.join('\n'), more, unchecked].filter(Boolean);
    let text = parts.join('\n\n');
    // a bounded answer even with a large limit: the JSON has every listed problem
    while (text.length > MAX_TEXT && lines.length > 1) {
      lines.pop();
      text = [r.message, lines.join('\n'), `${r.total - lines.length} more: call again with a smaller limit, or narrow namespace.`, unchecked].filter(Boolean).join('\n\n');
    }
    return text;
  }

  /** Puts numbers on the first unplaceable problems: what a group asks for, and what the largest node has free. */
  private async explainPlacements(shown: Problem[]): Promise<void> {
    const unplaceable = shown.filter((p) => p.blockedEval && p.placementText && Object.values(p.blockedEval.FailedTGAllocs ?? {}).some((m) => m.DimensionExhausted)).slice(0, EXPLAINED);
    await Promise.all(unplaceable.map(async (p) => {
      const job = (await this.jobs.api.find(p.namespace!, p.job_id!).catch(() => undefined))?.body;
      const failures = await this.placement.explainEvaluation(p.blockedEval!, job).catch(() => undefined);
      if (failures?.length) p.summary = p.summary.replace(p.placementText!, placementText(failures));
    }));
  }
}

function toItem(p: Problem): ProblemItem {
  // clipped as the text clips it: the cause comes first, and the next call has the whole story
  return { severity: p.severity, kind: p.kind, namespace: p.namespace, job_id: p.job_id, node_id: p.node_id, summary: clip(p.summary, LINE), next: p.next };
}
