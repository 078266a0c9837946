import { Allocation, NomadNode, NomadNodesApi } from '@nomad-mcp/nomad';
import { plural } from '../../jobs/job-diagnosis';
import { ChangePlan, Operation, OperationContext, OperationHandler } from '../core/operation';
import { presentFields, shortId, table } from '../core/render';
import { DrainNodeDto, DrainNodeResult, MovingAllocation } from './dto/node-change.dto';
import { findNode, isLive } from './node-view';

/** Allocations named in plans and answers; the total says how many there are. */
const NAMED = 20;

/** "1h", "30m", "45s", "1h30m" — a deadline as a person says it. */
export function humanSeconds(s: number): string {
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return [h && `${h}h`, m && `${m}m`, r && `${r}s`].filter(Boolean).join('') || '0s';
}

interface DrainTarget {
  node: NomadNode;
  /** What the drain moves or stops: the node's live allocations (system ones unless ignored). */
  moving: Allocation[];
  /** Other nodes that could take them (ready, eligible). */
  otherEligible: number;
}

@Operation({
  name: 'drain_node',
  title: 'Drain a client node',
  description:
    'Drain a client node (like `nomad node drain -enable`), e.g. before maintenance: it takes no new allocations, and its allocations move to ' +
    "other eligible nodes — service allocations a few at a time (each group's migrate max_parallel) while the rest keep serving, batch allocations " +
    'may finish until the deadline, system allocations stop last (unless ignore_system_jobs). deadline_seconds (default 3600): then whatever is left ' +
    'is stopped; -1 stops everything now, 0 sets no deadline. enable=false cancels a drain and makes the node eligible again. Destructive: the first ' +
    'call answers the plan (the allocations that move) to confirm with the user. Follow with get_node. Needs the admin scope.',
  input: DrainNodeDto,
  output: DrainNodeResult,
  annotations: { readOnly: false, destructive: true, idempotent: true },
  permission: 'admin',
  nomadCapability: 'node:write',
  order: 930,
  rest: { method: 'POST', path: 'nodes/:node_id/drain' },
})
export class DrainNodeOp implements OperationHandler<DrainNodeDto, DrainNodeResult> {
  constructor(private readonly nodes: NomadNodesApi) {}

  async plan(ctx: OperationContext, dto: DrainNodeDto): Promise<ChangePlan> {
    const t = await this.target(ctx, dto);
    const who = nodeName(t.node);
    const ids = t.moving.filter((a) => ctx.visible(a.Namespace)).map((a) => a.ID);
    const details = { node_id: t.node.ID, allocations_that_move: ids.slice(0, NAMED), allocations_total: t.moving.length, deadline_seconds: dto.deadline_seconds, ignore_system_jobs: dto.ignore_system_jobs };
    if (!dto.enable) {
      return { summary: `${t.node.DrainStrategy ? `cancel the drain of node ${who} and make` : `make node ${who}`} eligible for new allocations again; nothing running changes.`, destructive: false, modify_index: null, details };
    }
    return { summary: `drain node ${who}: ${drainEffect(t, dto)}`, destructive: true, modify_index: null, details };
  }

  async run(ctx: OperationContext, dto: DrainNodeDto): Promise<DrainNodeResult> {
    const t = await this.target(ctx, dto);
    const enable = dto.enable !== false;
    const deadline = dto.deadline_seconds ?? 3600;
    const res = await this.nodes.drain(
      t.node.ID, enable ? { deadlineNs: deadline < 0 ? -1 : deadline * 1e9, ignoreSystemJobs: !!dto.ignore_system_jobs } : null,
      { markEligible: !enable, meta: { message: `${enable ? 'drained' : 'drain cancelled'} with nomad-mcp by ${ctx.principal.name}` } },
    );
    const mine = t.moving.filter((a) => ctx.visible(a.Namespace));
    const allocations: MovingAllocation[] = mine.slice(0, NAMED).map((a) => ({ id: a.ID, name: a.Name, namespace: a.Namespace, job_id: a.JobID, job_type: a.JobType ?? a.Job?.Type ?? 'service' }));
    const who = nodeName(t.node);
    const message = enable
      ? `Node ${who} is draining: ${drainEffect(t, dto)} Follow with get_node to watch them go; the drain ends by itself when they have.`
      : `${t.node.DrainStrategy ? `The drain of node ${who} is cancelled` : `Node ${who} was not draining`}; it is eligible for new allocations again, and allocations already moved stay where they are.`;
    return {
      message, node_id: t.node.ID, name: t.node.Name, drain: enable, eligibility: enable ? 'ineligible' : 'eligible',
      deadline_seconds: enable ? deadline : null, ignore_system_jobs: !!dto.ignore_system_jobs,
      allocations: enable ? allocations : [], allocations_total: enable ? t.moving.length : 0, eval_ids: res.EvalIDs ?? [],
    };
  }

  render(r: DrainNodeResult): string {
    const facts = presentFields({ node: `${r.name} ${r.node_id}`, drain: r.drain ? 'yes' : 'no', eligibility: r.eligibility, deadline: r.deadline_seconds === null ? null : deadlineText(r.deadline_seconds) });
    const parts = [r.message, facts];
    if (r.allocations.length) {
      const more = r.allocations_total > r.allocations.length ? ` (${r.allocations.length} of ${r.allocations_total}; the others are in namespaces you may not see or beyond the first ${NAMED})` : '';
      parts.push(`allocations that move${more}:\n${table(r.allocations.map((a) => ({ ...a, id: shortId(a.id), type: a.job_type })), ['id', 'namespace', 'name', 'type'])}`);
    }
    return parts.join('\n\n');
  }

  private async target(ctx: OperationContext, dto: DrainNodeDto): Promise<DrainTarget> {
    const node = await findNode(ctx, this.nodes, dto.node_id);
    const [allocs, nodes] = await Promise.all([
      this.nodes.allocations(node.ID).then((r) => r.body as Allocation[]),
      this.nodes.list().then((r) => r.body),
    ]);
    const moving = allocs.filter((a) => isLive(a) && !(dto.ignore_system_jobs && (a.JobType ?? a.Job?.Type) === 'system'));
    const otherEligible = nodes.filter((n) => n.ID !== node.ID && n.Status === 'ready' && n.SchedulingEligibility === 'eligible' && !n.Drain).length;
    return { node, moving, otherEligible };
  }
}

const nodeName = (n: NomadNode) => `${n.Name} (${shortId(n.ID)})`;

function deadlineText(s: number): string {
  return s < 0 ? 'none: everything stops now' : s === 0 ? 'none' : humanSeconds(s);
}

/** What a drain does to the node and what runs on it, in a sentence or two. */
function drainEffect(t: DrainTarget, dto: DrainNodeDto): string {
  const deadline = dto.deadline_seconds ?? 3600;
  if (!t.moving.length) return 'it takes no new allocations; nothing of what it would move runs there, so the drain completes at once.';
  const one = t.moving.length === 1;
  const count = `its ${plural(t.moving.length, 'allocation')} ${one ? 'stops' : 'stop'}`;
  const replaced = one ? 'is replaced' : 'are replaced';
  const how = deadline < 0
    ? `${count} now and ${replaced} on other nodes`
    : `${count} there and ${replaced} on other nodes, service ones a few at a time while the rest keep serving${deadline > 0 ? `; whatever is left after ${humanSeconds(deadline)} is stopped` : ' (no deadline)'}`;
  const nowhere = t.otherEligible === 0 ? ' No other node is ready and eligible, so they cannot be placed again until one is.' : '';
  return `it takes no new allocations, and ${how}.${nowhere}`;
}
