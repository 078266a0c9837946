import { AllocMetric, Evaluation, NomadEvaluationsApi, NomadJobsApi } from '@nomad-mcp/nomad';
import { nsToIso, plural } from '../../jobs/job-diagnosis';
import { findById } from '../core/find-by-id';
import { Operation, OperationContext, OperationHandler } from '../core/operation';
import { presentFields, shortId, table } from '../core/render';
import { PlacementExplainer } from '../jobs/placement';
import { EvaluationPlacementFailure, EvaluationRefDto, EvaluationResult, NodeCount } from './dto/evaluation.dto';

/** Groups whose failure the sentence tells; the table lists them all. */
const GROUPS_IN_SENTENCE = 3;

@Operation({
  name: 'get_evaluation',
  title: 'Get an evaluation',
  description:
    'Explain one Nomad evaluation (a scheduling decision): what triggered it, its status, how many allocations it placed, and for what it could not place ' +
    'the reason in words — which constraint filtered out how many nodes, which dimension (cpu, memory, ports…) was exhausted, how many nodes were evaluated, ' +
    'what one allocation asks and what the largest node has free. Takes an evaluation ID (eval_id in other answers) or a unique prefix of 8+ hex characters. ' +
    'Read-only. Fails with "not found" for an unknown ID.',
  input: EvaluationRefDto,
  output: EvaluationResult,
  annotations: { readOnly: true, destructive: false, idempotent: true },
  permission: 'read',
  order: 820,
  rest: { method: 'GET', path: 'evaluations/:eval_id' },
})
export class GetEvaluationOp implements OperationHandler<EvaluationRefDto, EvaluationResult> {
  constructor(
    private readonly evaluations: NomadEvaluationsApi,
    private readonly jobs: NomadJobsApi,
    private readonly placement: PlacementExplainer,
  ) {}

  async run(ctx: OperationContext, input: EvaluationRefDto): Promise<EvaluationResult> {
    const ev = await findById<Evaluation>(ctx, input.eval_id, {
      what: 'evaluation', field: 'eval_id', namespaced: true,
      get: async (id) => (await this.evaluations.get(id)).body,
      list: async (prefix) => (await this.evaluations.list('*', { prefix })).body,
      nextStep: 'Evaluation IDs are the eval_id of create_job, start_job, stop_job, restart_job and get_allocation answers; call get_job_status for why a job is not placed.',
    });
    ctx.note({ job: ev.JobID, evalId: ev.ID });
    const failed = ev.FailedTGAllocs ?? {};
    const [placed, job] = await Promise.all([
      this.evaluations.allocations(ev.ID).then((r) => r.body.length),
      Object.keys(failed).length ? this.jobs.find(ev.Namespace, ev.JobID).then((r) => r?.body) : undefined,
    ]);
    const explained = await this.placement.explainEvaluation(ev, job);
    const placementFailures = explained.map((f): EvaluationPlacementFailure => ({ ...f, ...numbers(failed[f.group]) }));
    const queued = Object.entries(ev.QueuedAllocations ?? {}).filter(([, n]) => n > 0).map(([group, count]) => ({ group, count }));
    return {
      message: sentence(ev, placed, placementFailures),
      eval_id: ev.ID, namespace: ev.Namespace, job_id: ev.JobID, type: ev.Type, triggered_by: ev.TriggeredBy, status: ev.Status,
      status_description: ev.StatusDescription ?? '', priority: ev.Priority ?? 0, deployment_id: ev.DeploymentID || null,
      node_id: ev.NodeID || null, previous_eval: ev.PreviousEval || null, next_eval: ev.NextEval || null, blocked_eval: ev.BlockedEval || null,
      created_at: nsToIso(ev.CreateTime), modified_at: nsToIso(ev.ModifyTime), placed_allocations: placed, queued,
      placement_failures: placementFailures,
    };
  }

  render(r: EvaluationResult): string {
    const facts = {
      job: `${r.job_id} (${r.type}, namespace ${r.namespace})`, triggered_by: r.triggered_by, status: r.status, priority: r.priority,
      placed_allocations: r.placed_allocations, queued: r.queued.map((q) => `${q.group}=${q.count}`).join(' '),
      deployment: r.deployment_id && shortId(r.deployment_id), previous_eval: r.previous_eval && shortId(r.previous_eval),
      next_eval: r.next_eval && shortId(r.next_eval), blocked_eval: r.blocked_eval && shortId(r.blocked_eval), created_at: r.created_at,
    };
    const parts = [r.message, presentFields(facts)];
    if (r.placement_failures.length) {
      const rows = r.placement_failures.map((f) => ({ ...f, evaluated: f.nodes_evaluated, filtered: f.nodes_filtered, exhausted: f.nodes_exhausted }));
      parts.push(`placement failures:\n${table(rows, ['group', 'unplaced', 'evaluated', 'filtered', 'exhausted', 'reason'])}`);
    }
    return parts.filter(Boolean).join('\n\n');
  }
}

function numbers(m: AllocMetric | undefined): Omit<EvaluationPlacementFailure, 'group' | 'unplaced' | 'reason'> {
  const counts = (rec: Record<string, number> | null | undefined): NodeCount[] => Object.entries(rec ?? {}).map(([name, nodes]) => ({ name, nodes }));
  return {
    nodes_evaluated: m?.NodesEvaluated ?? 0, nodes_filtered: m?.NodesFiltered ?? 0, nodes_exhausted: m?.NodesExhausted ?? 0,
    constraints: counts(m?.ConstraintFiltered), exhausted: counts(m?.DimensionExhausted),
  };
}

function sentence(ev: Evaluation, placed: number, failures: EvaluationPlacementFailure[]): string {
  let s = `Evaluation ${shortId(ev.ID)} (${ev.TriggeredBy} of job '${ev.JobID}') is ${ev.Status}${ev.StatusDescription ? ` (${ev.StatusDescription})` : ''}`;
  s += placed ? `; it placed ${plural(placed, 'allocation')}.` : '.';
  for (const f of failures.slice(0, GROUPS_IN_SENTENCE)) s += ` Could not place ${f.unplaced} of group '${f.group}': ${f.reason}.`;
  if (failures.length > GROUPS_IN_SENTENCE) s += ` ${plural(failures.length - GROUPS_IN_SENTENCE, 'more group')} could not be placed either (see placement_failures).`;
  if (ev.Status === 'blocked') s += ' It waits for capacity: Nomad retries it when nodes or resources free up.';
  else if (ev.BlockedEval) s += ` Blocked evaluation ${shortId(ev.BlockedEval)} waits to place the rest.`;
  return s;
}
