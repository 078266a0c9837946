import { Injectable } from '@nestjs/common';
import { Allocation, AllocMetric, Evaluation, NodeListStub, NomadJob, NomadNodesApi } from '@nomad-mcp/nomad';
import { PlacementFailure } from '../../jobs/dto/job-results.dto';
import { metricFailures, placementFailures } from '../../jobs/job-diagnosis';

/** Nomad's names of the exhausted dimensions we can put numbers on, and how to read them. */
const DIMENSIONS = {
  memory: { unit: 'MB memory', ask: (r: Resources) => r.MemoryMB ?? 0, node: (r: NodeRes) => r?.Memory?.MemoryMB ?? 0 },
  cpu: { unit: 'MHz CPU', ask: (r: Resources) => r.CPU ?? 0, node: (r: NodeRes) => r?.Cpu?.CpuShares ?? 0 },
} as const;
type Dimension = keyof typeof DIMENSIONS;
type Resources = { CPU?: number; MemoryMB?: number };
type NodeRes = NodeListStub['NodeResources'];

const TERMINAL = new Set(['complete', 'failed', 'lost']);
/** Nodes whose free resources are computed (the largest by capacity): enough to be right, cheap on big clusters. */
const NODES_TO_EXAMINE = 3;

/**
 * What a plan would place, group by group (new allocations, replacements, canaries): a plan's failures are
 * measured against the nodes as they are, before any of these.
 */
export interface PlannedPlacements {
  /** Allocations placed per group, the unplaced ones included (Nomad's Place + DestructiveUpdate + Canary). */
  placed: Record<string, number>;
  /** Allocations the plan replaces, whose resources it frees. */
  replaced: number;
}

/**
 * Placement failures in numbers a person can act on: what one allocation of the group asks for and what
 * the best node has free, on each exhausted dimension ("asked 500000 MB memory; the largest node has 8192
 * MB free"). Costs Nomad calls only when something could not be placed.
 */
@Injectable()
export class PlacementExplainer {
  constructor(private readonly nodes: NomadNodesApi) {}

  /** The job's current placement failures: those of its latest failed evaluation, while a blocked one waits. */
  async explain(job: NomadJob, evals: Evaluation[]): Promise<PlacementFailure[]> {
    return this.withNumbers(job, latestFailedMetrics(evals), placementFailures(evals));
  }

  /** One evaluation's placement failures; without the job (purged since) the asks are left out. */
  async explainEvaluation(ev: Evaluation, job: NomadJob | undefined): Promise<PlacementFailure[]> {
    return this.explainMetrics(job, ev.FailedTGAllocs);
  }

  /**
   * Failures given as Nomad's per-group metrics (an evaluation's or a plan's FailedTGAllocs). A plan's (with
   * `planned`) say that the free figure is from before the plan, and what the plan's other placements ask:
   * Nomad's plan does not say where those would go, and the free capacity they take is why a group that
   * asks less than a node has free still does not fit.
   */
  async explainMetrics(job: NomadJob | undefined, failed: Record<string, AllocMetric> | null | undefined, planned?: PlannedPlacements): Promise<PlacementFailure[]> {
    return this.withNumbers(job, failed ?? undefined, metricFailures(failed), planned);
  }

  private async withNumbers(job: NomadJob | undefined, metrics: Record<string, AllocMetric> | undefined, failures: PlacementFailure[], planned?: PlannedPlacements): Promise<PlacementFailure[]> {
    if (!failures.length) return failures;
    const dims = new Set<Dimension>();
    for (const f of failures) for (const d of Object.keys(metrics?.[f.group]?.DimensionExhausted ?? {})) if (d in DIMENSIONS) dims.add(d as Dimension);
    if (!dims.size) return failures;
    const free = await this.bestFree([...dims]).catch(() => undefined);
    const askOf = (name: string, d: Dimension) => {
      const group = job?.TaskGroups?.find((g) => g.Name === name);
      return group && (group.Tasks ?? []).reduce((s, t) => s + DIMENSIONS[d].ask((t.Resources ?? {}) as Resources), 0);
    };
    return failures.map((f) => {
      const exhausted = Object.keys(metrics?.[f.group]?.DimensionExhausted ?? {}).filter((d): d is Dimension => d in DIMENSIONS);
      const words = exhausted.map((d) => {
        const ask = askOf(f.group, d);
        const best = free?.[d];
        const unit = DIMENSIONS[d].unit.split(' ')[0];
        const has = best === undefined ? '' : planned ? `the largest node has ${best} ${unit} free before this plan${othersAsk(f, d)}` : `the largest node has ${best} ${unit} free`;
        return ask === undefined ? has : `asked ${ask} ${DIMENSIONS[d].unit}${has && `; ${has}`}`;
      }).filter(Boolean);
      return words.length ? { ...f, reason: `${f.reason}: ${words.join('; ')}` } : f;
    });

    /** ", and the plan's 24 other placements ask 2400 MHz in all": what takes the free capacity first. */
    function othersAsk(f: PlacementFailure, d: Dimension): string {
      if (!planned) return '';
      let count = 0;
      let ask = 0;
      for (const [name, n] of Object.entries(planned.placed)) {
        const others = name === f.group ? n - f.unplaced : n;
        const each = askOf(name, d);
        if (others <= 0 || each === undefined) continue;
        count += others;
        ask += others * each;
      }
      if (!count) return '';
      const freed = planned.replaced ? ` (less what the ${planned.replaced} allocations it replaces free)` : '';
      return `, and the plan's ${count} other ${count === 1 ? 'placement asks' : 'placements ask'} ${ask} ${DIMENSIONS[d].unit.split(' ')[0]} in all${freed}`;
    }
  }

  /** The most free of each dimension on any ready, eligible node. */
  private async bestFree(dims: Dimension[]): Promise<Partial<Record<Dimension, number>>> {
    const nodes = (await this.nodes.list({ resources: true })).body.filter((n) => n.Status === 'ready' && n.SchedulingEligibility === 'eligible' && !n.Drain);
    const capacity = (n: NodeListStub, d: Dimension) => DIMENSIONS[d].node(n.NodeResources) - DIMENSIONS[d].node(n.ReservedResources);
    // a node among the largest by memory is often among the largest by CPU too: its allocations are read once
    const allocations = new Map<string, Promise<Allocation[]>>();
    const allocationsOf = (id: string) => {
      if (!allocations.has(id)) allocations.set(id, this.nodes.allocations(id).then((r) => r.body as Allocation[]));
      return allocations.get(id)!;
    };
    const out: Partial<Record<Dimension, number>> = {};
    for (const d of dims) {
      const largest = [...nodes].sort((a, b) => capacity(b, d) - capacity(a, d)).slice(0, NODES_TO_EXAMINE);
      const frees = await Promise.all(largest.map(async (n) => capacity(n, d) - used(await allocationsOf(n.ID), d)));
      if (frees.length) out[d] = Math.max(0, ...frees);
    }
    return out;
  }
}

function latestFailedMetrics(evals: Evaluation[]): Record<string, AllocMetric> | undefined {
  return [...evals].filter((e) => e.FailedTGAllocs).sort((a, b) => b.ModifyIndex - a.ModifyIndex)[0]?.FailedTGAllocs ?? undefined;
}

function used(allocs: Allocation[], d: Dimension): number {
  let sum = 0;
  for (const a of allocs) {
    if (a.DesiredStatus !== 'run' || TERMINAL.has(a.ClientStatus)) continue;
    for (const t of Object.values(a.AllocatedResources?.Tasks ?? {})) sum += d === 'memory' ? (t.Memory?.MemoryMB ?? 0) : (t.Cpu?.CpuShares ?? 0);
  }
  return sum;
}
