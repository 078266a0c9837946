import { NomadHttpError, nowNs, nsToRfc3339, ZERO_TIME } from '../wire';
import { allocTerminal } from './allocs';
import type { SimState } from './sim-state';
import type { Allocation, DrainStrategy, Job, SimNode, StringMap } from './types';

/** What Nomad answers a drain or eligibility update (NodeDrainUpdateResponse / NodeEligibilityUpdateResponse). */
export interface NodeUpdateResult {
  NodeModifyIndex: number;
  EvalIDs: string[] | null;
  EvalCreateIndex: number;
  Index: number;
}

/** Nomad's node event texts (nomad/node_endpoint.go, nomad/drainer). */
const EVENT = {
  drainSet: 'Node drain strategy set', drainUpdated: 'Node drain strategy updated', drainDisabled: 'Node drain disabled',
  drainComplete: 'Node drain complete', eligible: 'Node marked as eligible for scheduling', ineligible: 'Node marked as ineligible for scheduling',
  down: 'Node heartbeat missed', up: 'Node reregistered by heartbeat',
};
const MAX_NODE_EVENTS = 10;
const CLIENT_TERMINAL = new Set(['complete', 'failed', 'lost']);
const clientTerminal = (a: Allocation) => CLIENT_TERMINAL.has(a.ClientStatus);

/**
 * The node endpoints on the server side and Nomad's node drainer (nomad/drainer): a drain makes the node
 * ineligible, then marks its service allocations to migrate (DesiredTransition.Migrate) group by group, at most
 * `migrate.max_parallel` at a time and only while enough of the group is healthy elsewhere; the scheduler stops
 * each one and places its replacement on another node. Batch allocations are left to finish until the
 * deadline; system allocations are stopped last (unless ignored). At the deadline everything left is stopped.
 * The drain then completes: the node stays ineligible, LastDrain says "complete".
 */
export class Nodes {
  constructor(private readonly sim: SimState) {}

  private get store() {
    return this.sim.store;
  }

  /** The node, or Nomad's RPC error for an unknown one (a 500: the HTTP layer does not map it). */
  get(id: string): SimNode {
    const n = this.store.nodes.find((x) => x.ID === id);
    if (!n) throw new NomadHttpError(500, 'node not found');
    return n;
  }

  /** POST /v1/node/:id/drain: sets, updates or cancels the drain (Node.UpdateDrain + the state store's update). */
  updateDrain(id: string, spec: { Deadline: number; IgnoreSystemJobs: boolean } | null, markEligible: boolean, meta: StringMap | null, accessorId: string): NodeUpdateResult {
    const n = this.get(id);
    const now = nowNs();
    const was = n.DrainStrategy;
    const idx = this.store.bump('nodes');
    let strategy: DrainStrategy | null = null;
    if (spec) {
      const deadline = spec.Deadline > 0 ? nsToRfc3339(now + BigInt(spec.Deadline)) : ZERO_TIME;
      strategy = { Deadline: spec.Deadline, IgnoreSystemJobs: spec.IgnoreSystemJobs, ForceDeadline: deadline, StartedAt: was?.StartedAt ?? nsToRfc3339(now) };
    }
    const message = !was && strategy ? EVENT.drainSet : was && strategy ? EVENT.drainUpdated : was && !strategy ? EVENT.drainDisabled : undefined;
    if (message) this.event(n, message, 'Drain', idx);
    const wasIneligible = n.SchedulingEligibility === 'ineligible';
    n.DrainStrategy = strategy;
    if (strategy) n.SchedulingEligibility = 'ineligible';
    else if (markEligible) n.SchedulingEligibility = 'eligible';
    if (was || strategy) {
      const time = nsToRfc3339(now);
      if (!was) n.LastDrain = { StartedAt: time, UpdatedAt: time, Status: 'draining', AccessorID: '', Meta: meta };
      n.LastDrain ??= { StartedAt: was!.StartedAt, UpdatedAt: time, Status: 'draining', AccessorID: '', Meta: meta };
      Object.assign(n.LastDrain, { UpdatedAt: time, Status: strategy ? 'draining' : 'canceled' });
      if (meta && Object.keys(meta).length) n.LastDrain.Meta = meta;
      if (accessorId) n.LastDrain.AccessorID = accessorId;
    }
    n.ModifyIndex = idx;
    this.sim.events.publish('Node', n, 'NodeDrain');
    if (strategy && !was) this.store.later(this.tickMs, () => this.drainTick(n.ID));
    const evals = wasIneligible && markEligible && !strategy ? this.nodeEvals(n) : null;
    return { NodeModifyIndex: idx, EvalIDs: evals, EvalCreateIndex: evals ? this.store.index : 0, Index: idx };
  }

  /** POST /v1/node/:id/eligibility (Node.UpdateEligibility). */
  updateEligibility(id: string, eligibility: unknown): NodeUpdateResult {
    if (eligibility !== 'eligible' && eligibility !== 'ineligible') throw new NomadHttpError(500, `invalid scheduling eligibility "${String(eligibility ?? '')}"`);
    const n = this.get(id);
    if (n.DrainStrategy && eligibility === 'eligible') throw new NomadHttpError(500, "can not set node's scheduling eligibility to eligible while it is draining");
    // nothing to do: Nomad answers without writing anything
    if (n.SchedulingEligibility === eligibility) return { NodeModifyIndex: 0, EvalIDs: null, EvalCreateIndex: 0, Index: 0 };
    const idx = this.store.bump('nodes');
    this.event(n, eligibility === 'eligible' ? EVENT.eligible : EVENT.ineligible, 'Cluster', idx);
    n.SchedulingEligibility = eligibility;
    n.ModifyIndex = idx;
    this.sim.events.publish('Node', n, 'NodeDrain');
    const evals = eligibility === 'eligible' ? this.nodeEvals(n) : null;
    return { NodeModifyIndex: idx, EvalIDs: evals, EvalCreateIndex: evals ? this.store.index : 0, Index: idx };
  }

  /**
   * The simulator's stand-in for a client that stops (or resumes) heartbeating: `down` marks the node down and
   * its allocations lost, which the scheduler replaces elsewhere; `ready` brings it back. Not a Nomad endpoint:
   * tests and the demo call it in-process.
   */
  setStatus(id: string, status: 'ready' | 'down'): void {
    const n = this.store.nodes.find((x) => x.ID === id);
    if (!n || n.Status === status) return;
    const idx = this.store.bump('nodes');
    n.Status = status;
    n.ModifyIndex = idx;
    this.event(n, status === 'down' ? EVENT.down : EVENT.up, 'Cluster', idx);
    this.sim.events.publish('Node', n, 'NodeStreamEvent');
    if (status === 'down') {
      for (const a of this.store.allocs.values()) {
        if (a.NodeID !== n.ID || allocTerminal(a)) continue;
        Object.assign(a, { DesiredStatus: 'stop', DesiredDescription: 'alloc is lost since its node is down' });
        this.sim.client.update(a, { ClientStatus: 'lost' });
      }
    }
    this.nodeEvals(n);
  }

  /** Evaluations of the jobs on the node and of every system job ("node-update"), as Nomad's createNodeEvals makes them. */
  private nodeEvals(n: SimNode): string[] {
    const jobs = new Map<string, Job>();
    for (const a of this.store.allocs.values()) {
      const job = a.NodeID === n.ID ? this.store.getJob(a.Namespace, a.JobID) : undefined;
      if (job && !job.Stop) jobs.set(`${job.Namespace}/${job.ID}`, job);
    }
    for (const r of this.store.jobs.values()) if ((r.job.Type === 'system' || r.job.Type === 'sysbatch') && !r.job.Stop) jobs.set(`${r.job.Namespace}/${r.job.ID}`, r.job);
    const ids = [...jobs.values()].map((job) => this.sim.scheduler.createEval(job, 'node-update', this.store.bump('evals'), undefined, { NodeID: n.ID, NodeModifyIndex: n.ModifyIndex }).ID);
    this.sim.scheduler.unblockEvals();
    return ids;
  }

  private event(n: SimNode, message: string, subsystem: string, idx: number, details: StringMap | null = null): void {
    n.Events.push({ Message: message, Subsystem: subsystem, Details: details, Timestamp: nsToRfc3339(nowNs()), CreateIndex: idx });
    if (n.Events.length > MAX_NODE_EVENTS) n.Events.shift();
  }

  /** How often the drainer looks again (Nomad's reacts to every change; a short period is the same to a watcher). */
  private get tickMs(): number {
    return Math.max(10, Math.round(this.sim.timings.healthyDelayMs / 4));
  }

  private drainTick(id: string): void {
    const n = this.store.nodes.find((x) => x.ID === id);
    const strategy = n?.DrainStrategy;
    if (!n || !strategy) return;
    const onNode = [...this.store.allocsOnNode(n.ID)];
    const remaining = onNode.filter((a) => !allocTerminal(a) && !(a.JobType === 'system' && strategy.IgnoreSystemJobs));
    const forced = strategy.Deadline < 0 || (strategy.ForceDeadline !== ZERO_TIME && Date.parse(strategy.ForceDeadline) <= Date.now());
    if (forced) {
      this.migrate(remaining);
      this.complete(n, { deadline_reached: 'true' });
      return;
    }
    this.migrate(this.drainable(onNode));
    // done when every allocation but the system ones has stopped on the client; those stop last
    if (onNode.every((a) => a.JobType === 'system' || a.JobType === 'sysbatch' || clientTerminal(a))) {
      this.migrate(remaining.filter((a) => !a.DesiredTransition.Migrate));
      this.complete(n, null);
      return;
    }
    this.store.later(this.tickMs, () => this.drainTick(id));
  }

  /**
   * Nomad's handleTaskGroup: of each service group with allocations on a draining node, as many migrate as
   * keeps `count - migrate.max_parallel` healthy; batch allocations are not marked (they run until the deadline).
   */
  private drainable(onNode: Allocation[]): Allocation[] {
    const out: Allocation[] = [];
    const groups = new Set(onNode.filter((a) => a.JobType === 'service' && !clientTerminal(a)).map((a) => `${a.Namespace}\u0000${a.JobID}\u0000${a.TaskGroup}`));
    for (const key of groups) {
      const [ns, jobId, group] = key.split('\u0000');
      const job = this.store.getJob(ns, jobId);
      const tg = job?.TaskGroups.find((g) => g.Name === group);
      if (!job || !tg) continue;
      const allocs = this.store.allocsOfJob(ns, jobId).filter((a) => a.TaskGroup === group);
      const draining = (a: Allocation) => !!this.store.nodes.find((x) => x.ID === a.NodeID)?.DrainStrategy;
      const healthy = allocs.filter((a) => !allocTerminal(a) && hasHealth(a) && !a.DesiredTransition.Migrate).length;
      const candidates = allocs.filter((a) => draining(a) && !clientTerminal(a) && !allocTerminal(a) && !a.DesiredTransition.Migrate);
      const maxParallel = (tg.Migrate as { MaxParallel?: number } | null)?.MaxParallel ?? 1;
      const n = Math.min(candidates.length, healthy - (tg.Count - maxParallel));
      if (n > 0) out.push(...candidates.filter((a) => a.NodeID === onNode[0].NodeID).slice(0, n));
    }
    return out;
  }

  /** Marks allocations to migrate and asks the scheduler to move them: one "node-drain" evaluation per job. */
  private migrate(allocs: Allocation[]): void {
    if (!allocs.length) return;
    const jobs = new Map<string, Job>();
    const idx = this.store.bump('allocs');
    for (const a of allocs) {
      a.DesiredTransition = { ...a.DesiredTransition, Migrate: true };
      a.ModifyIndex = idx;
      this.sim.events.publish('Allocation', a, 'AllocationUpdateDesiredStatus');
      jobs.set(`${a.Namespace}/${a.JobID}`, this.store.getJob(a.Namespace, a.JobID) ?? a.Job);
    }
    this.sim.events.during('AllocationUpdateDesiredStatus', () => {
      for (const job of jobs.values()) this.sim.scheduler.createEval(job, 'node-drain', this.store.bump('evals'));
    });
  }

  private complete(n: SimNode, details: StringMap | null): void {
    const idx = this.store.bump('nodes');
    n.DrainStrategy = null;
    if (n.LastDrain) Object.assign(n.LastDrain, { Status: 'complete', UpdatedAt: nsToRfc3339(nowNs()) });
    n.ModifyIndex = idx;
    this.event(n, EVENT.drainComplete, 'Drain', idx, details);
    this.sim.events.publish('Node', n, 'NodeDrain');
  }
}

/**
 * Whether the client has judged the allocation's health (DeploymentStatus.HasHealth), which the drainer waits
 * for. Nomad's clients judge every service allocation; the simulator judges them only within a rollout, so an
 * allocation outside one counts once it runs.
 */
function hasHealth(a: Allocation): boolean {
  return typeof a.DeploymentStatus?.Healthy === 'boolean' || (!a.DeploymentID && a.ClientStatus === 'running');
}
