import { randomUUID } from 'node:crypto';
import { globMatch, NomadHttpError, nowNs, ZERO_TIME } from '../wire';
import { allocSlot, allocTerminal } from './allocs';
import { feasibleNodes } from './feasibility';
import { tasksUpdated } from './tasks-updated';
import { canaryUnneeded, deploymentActive, deploymentOfVersion } from './rollout';
import type { SimState } from './sim-state';
import type { AllocMetric, Allocation, AllocatedPort, AllocatedTaskResources, AnyMap, Deployment, Evaluation, EvalStatus, Job, SimNode, TaskGroup } from './types';

type Placement = { node: SimNode } | { failure: AllocMetric };
/** Resources a dry run has already promised (or freed, negative) per node ID. */
export type Reserved = Map<string, { cpu: number; mem: number }>;

/** Evaluations that only move allocations elsewhere: their placements start no deployment. */
const MOVES_ONLY = new Set(['node-drain', 'node-update']);

/**
 * The scheduler: evaluations, placement of allocations on the simulated nodes (first fit by CPU and memory),
 * rolling updates MaxParallel at a time, and blocked evaluations that retry when capacity frees up.
 */
export class Scheduler {
  /** Evaluations created blocked; ones that have moved on are dropped when next looked at. */
  private readonly blocked = new Set<Evaluation>();

  constructor(private readonly sim: SimState) {}

  private get store() {
    return this.sim.store;
  }

  createEval(job: Job, triggeredBy: string, idx: number, priority?: number, extra: Partial<Evaluation> = {}): Evaluation {
    const ev = this.buildEval(job, triggeredBy, idx, priority, extra);
    this.store.evals.set(ev.ID, ev);
    this.store.track('evals', ev);
    this.store.tables.evals = idx;
    this.sim.events.publish('Evaluation', ev);
    if (ev.Status === 'blocked') this.blocked.add(ev);
    // a follow-up evaluation waits in the broker until its WaitUntil
    const wait = ev.WaitUntil && ev.WaitUntil !== ZERO_TIME ? Math.max(5, Date.parse(ev.WaitUntil) - Date.now()) : 5;
    if (ev.Status === 'pending') this.store.later(wait, () => this.processEval(ev.ID));
    return ev;
  }

  /** An evaluation as Nomad writes it, not stored (a plan answers the ones it would create). */
  buildEval(job: Job, triggeredBy: string, idx: number, priority?: number, extra: Partial<Evaluation> = {}): Evaluation {
    const now = nowNs();
    return {
      ID: randomUUID(), Namespace: job.Namespace, Priority: priority ?? job.Priority, Type: job.Type, TriggeredBy: triggeredBy,
      JobID: job.ID, JobModifyIndex: job.JobModifyIndex, NodeID: '', NodeModifyIndex: 0, DeploymentID: '',
      Status: 'pending', StatusDescription: '', Wait: 0, WaitUntil: ZERO_TIME, NextEval: '', PreviousEval: '',
      BlockedEval: '', RelatedEvals: null, FailedTGAllocs: null, PlanAnnotations: null, ClassEligibility: null,
      QuotaLimitReached: '', MissingNonNodeResources: null, EscapedComputedClass: false, AnnotatePlan: false,
      QueuedAllocations: null, LeaderACL: '', SnapshotIndex: 0, CreateIndex: idx, ModifyIndex: idx,
      CreateTime: now, ModifyTime: now, ...extra,
    };
  }

  private finishEval(ev: Evaluation, status: EvalStatus, extra: Partial<Evaluation> = {}): void {
    const idx = this.store.bump('evals');
    Object.assign(ev, { Status: status, ModifyIndex: idx, ModifyTime: nowNs(), SnapshotIndex: idx - 1 }, extra);
    this.sim.events.publish('Evaluation', ev, 'EvaluationUpdated');
  }

  /** Earlier blocked evals of the job are superseded by `ev`. */
  private cancelBlocked(ev: Evaluation): void {
    for (const b of this.store.evalsOfJob(ev.Namespace, ev.JobID)) {
      if (b.Status === 'blocked' && b.ID !== ev.ID) this.finishEval(b, 'canceled', { StatusDescription: 'evaluation is no longer needed' });
    }
  }

  /** Reconciles the job's allocations with its spec; what it places, stops and updates is the plan's result. */
  private processEval(evalId: string): void {
    this.sim.events.during('PlanResult', () => this.reconcile(evalId));
  }

  private reconcile(evalId: string): void {
    const ev = this.store.evals.get(evalId);
    if (!ev || (ev.Status !== 'pending' && ev.Status !== 'blocked')) return;
    const rec = this.store.jobRecord(ev.Namespace, ev.JobID);
    const job = rec?.job;
    const live = this.store.allocsOfJob(ev.Namespace, ev.JobID).filter((a) => a.DesiredStatus === 'run' && !allocTerminal(a));
    if (!job || job.Stop) {
      for (const a of live) this.sim.client.stop(a, 'alloc not needed due to job update');
      this.sim.deployments.cancelForStoppedJob(ev.Namespace, ev.JobID);
      this.cancelBlocked(ev);
      this.finishEval(ev, 'complete');
      if (rec) this.sim.jobs.recomputeStatus(rec);
      return;
    }
    this.cancelBlocked(ev);
    const failedTG: Record<string, AllocMetric> = {};
    const queued: Record<string, number> = {};
    const placed: Allocation[] = [];
    const canaries = { placed: [] as Allocation[], desired: {} as Record<string, number> };
    const updatedInPlace: Allocation[] = [];
    // the rollout of this version: one under way continues (a paused one waits); one that failed is not carried on
    const ofVersion = deploymentOfVersion(this.store.deploymentsOfJob(job.Namespace, job.ID), job);
    const rollout: { deployment?: Deployment } = { deployment: ofVersion && deploymentActive(ofVersion) ? ofVersion : undefined };
    const paused = rollout.deployment?.Status === 'paused';
    const failed = ofVersion?.Status === 'failed';
    // placements that only move allocations (a drain, a node coming back) start no rollout
    const mayDeploy = !MOVES_ONLY.has(ev.TriggeredBy);
    const noteFailures = (group: string, r: { failures: number; metric?: AllocMetric }) => {
      if (!r.failures || !r.metric) return;
      r.metric.CoalescedFailures = r.failures - 1;
      failedTG[group] = r.metric;
      queued[group] = r.failures;
    };
    for (const tg of job.TaskGroups) {
      const group = live.filter((a) => a.TaskGroup === tg.Name);
      // allocations a drain marked to migrate stop here; a replacement takes each one's slot
      const migrating = group.filter((a) => a.DesiredTransition.Migrate);
      for (const a of migrating) this.sim.client.stop(a, 'alloc is being migrated');
      // canaries of a rollout that failed or was superseded are not kept (Nomad's cancelUnneededCanaries)
      const unneeded = group.filter((a) => !migrating.includes(a) && canaryUnneeded(a, this.store.deployments.get(a.DeploymentID), rollout.deployment));
      for (const a of unneeded) this.sim.client.stop(a, 'alloc not needed due to job update');
      let mine = group.filter((a) => !migrating.includes(a) && !unneeded.includes(a));
      // Nomad's tasksUpdated decides: a changed image, config, env, resources, ports or meta replaces; the rest is in place
      let outdated = mine.filter((a) => a.JobVersion !== job.Version && tasksUpdated(a.Job, job, tg.Name) !== null);
      const inPlace = mine.filter((a) => !outdated.includes(a));
      for (const a of inPlace) {
        if (a.JobVersion === job.Version) continue;
        Object.assign(a, { JobVersion: job.Version, Job: job, ModifyIndex: this.store.bump('allocs') });
        this.sim.events.publish('Allocation', a);
        updatedInPlace.push(a);
      }
      if (job.Type === 'system' || job.Type === 'sysbatch') {
        // one allocation per node: a changed one is replaced where it runs, all at once
        for (const a of outdated) this.sim.client.stop(a, 'alloc is being updated due to job update');
        const failure = this.placeSystemGroup(job, tg, inPlace, ev, placed);
        if (failure) {
          failedTG[tg.Name] = failure.metric;
          queued[tg.Name] = failure.count;
        }
        continue;
      }
      // a paused rollout replaces and places nothing until it is resumed
      if (paused) continue;
      const dstate = rollout.deployment?.TaskGroups[tg.Name];
      const ownCanaries = inPlace.filter((a) => dstate?.PlacedCanaries?.includes(a.ID));
      const wanted = job.Type === 'service' ? (tg.Update?.Canary ?? 0) : 0;
      if (!failed && wanted > 0 && !dstate?.Promoted && (outdated.length > 0 || (dstate?.DesiredCanaries ?? 0) > 0)) {
        // canaries: the new version runs beside the old allocations, which all stay until it is promoted;
        // each canary takes the name of an old allocation it will replace (Nomad's NextCanaries)
        canaries.desired[tg.Name] = wanted;
        const taken = new Set(ownCanaries.map(allocSlot));
        const slots = outdated.map(allocSlot).filter((s) => !taken.has(s)).sort((a, b) => a - b).slice(0, Math.max(0, wanted - ownCanaries.length));
        const r = this.placeSlots(job, tg, slots, ev, rollout, true);
        for (const a of r.placed) a.DeploymentStatus = { Healthy: null, Timestamp: ZERO_TIME, Canary: true, ModifyIndex: a.ModifyIndex };
        placed.push(...r.placed);
        canaries.placed.push(...r.placed);
        noteFailures(tg.Name, r);
        continue;
      }
      if (dstate?.Promoted) {
        // a promoted canary takes the place of the old allocation of its name
        for (const c of ownCanaries) {
          const twin = outdated.find((o) => allocSlot(o) === allocSlot(c));
          if (!twin) continue;
          this.sim.client.stop(twin, 'alloc not needed due to job update');
          outdated = outdated.filter((o) => o !== twin);
          mine = mine.filter((o) => o !== twin);
        }
      }
      // rolling update: at most MaxParallel replacements are in flight (placed but not yet healthy); a failed
      // rollout replaces nothing more
      let replaceNow = failed ? [] : outdated;
      const maxParallel = tg.Update?.MaxParallel ?? 0;
      if (!failed && job.Type === 'service' && maxParallel > 0) {
        const inFlight = inPlace.filter((a) => a.DeploymentStatus?.Healthy !== true).length;
        replaceNow = outdated.sort((a, b) => allocSlot(a) - allocSlot(b)).slice(0, Math.max(0, maxParallel - inFlight));
      }
      for (const a of replaceNow) this.sim.client.stop(a, 'alloc is being updated due to job update');
      const current = mine.filter((a) => !replaceNow.includes(a));
      const desired = tg.Count;
      const bySlot = current.sort((a, b) => allocSlot(a) - allocSlot(b));
      if (bySlot.length > desired) {
        for (const a of bySlot.slice(desired)) this.sim.client.stop(a, 'alloc not needed due to job update');
      }
      // batch jobs do not re-place allocations that already completed, nor those a drain stopped (MigrateDisablePlacement)
      const done = job.Type === 'batch'
        ? this.store.allocsOfJob(job.Namespace, job.ID).filter((a) => a.TaskGroup === tg.Name && a.JobCreateIndex === job.CreateIndex && a.JobVersion === job.Version &&
          (a.ClientStatus === 'complete' || (a.DesiredTransition.Migrate && a.ClientStatus !== 'failed'))).length
        : 0;
      // failed allocations are replaced per the reschedule policy; until then (or when it allows no more) they keep their slot
      const failedHere = this.sim.rescheduler.sort(job, tg, ev, rollout.deployment);
      const missing = desired - Math.min(bySlot.length + failedHere.keep.length, desired) - done;
      const used = new Set([...bySlot.slice(0, desired), ...failedHere.keep].map(allocSlot));
      const slots: number[] = [];
      for (let slot = 0; slots.length < missing; slot++) if (!used.has(slot)) slots.push(slot);
      // a replacement names the allocation it replaces: one rescheduled, one that migrates, or one lost with its node
      const lost = this.store.allocsOfJob(job.Namespace, job.ID).filter((a) => a.TaskGroup === tg.Name && a.ClientStatus === 'lost' && !a.NextAllocation);
      const previousInSlot = new Map([...lost, ...migrating, ...failedHere.now].map((a) => [allocSlot(a), a]));
      // a version gets one rollout: replacements of failed or lost allocations start none when it had one (Nomad's hadRunning)
      const r = this.placeSlots(job, tg, slots, ev, rollout, mayDeploy && !ofVersion && job.Type === 'service' && maxParallel > 0, previousInSlot);
      this.sim.rescheduler.replaced(r.placed, failedHere.now);
      placed.push(...r.placed);
      noteFailures(tg.Name, r);
    }
    // allocations updated in place join the new version's rollout too (Nomad counts them in its DesiredTotal)
    if (!rollout.deployment && !failed && mayDeploy && updatedInPlace.length && job.Type === 'service' && job.TaskGroups.some((g) => (g.Update?.MaxParallel ?? 0) > 0)) {
      rollout.deployment = this.sim.deployments.create(job);
    }
    const deployment = rollout.deployment;
    if (deployment) {
      this.sim.deployments.countPlacements(deployment, job, [...placed, ...updatedInPlace], canaries);
      // only the groups the rollout tracks take its allocations in
      for (const a of updatedInPlace) if (deployment.TaskGroups[a.TaskGroup]) this.sim.deployments.adopt(deployment, a);
      // an evaluation a deployment created (the watcher's) keeps naming that deployment
      ev.DeploymentID ||= deployment.ID;
    }
    const queuedAll: Record<string, number> = {};
    for (const tg of job.TaskGroups) queuedAll[tg.Name] = queued[tg.Name] ?? 0;
    if (Object.keys(failedTG).length) {
      if (ev.Status === 'blocked') {
        // still cannot place: stay blocked
        Object.assign(ev, { FailedTGAllocs: failedTG, QueuedAllocations: queuedAll });
      } else {
        const idx = this.store.bump('evals');
        const blocked = this.sim.events.during('EvaluationUpdated', () => this.createEval(job, 'queued-allocs', idx, ev.Priority, {
          Status: 'blocked', StatusDescription: 'created to place remaining allocations', PreviousEval: ev.ID,
          // Nomad's CreateBlockedEval hands the failures on: the blocked evaluation says why it waits
          FailedTGAllocs: { ...failedTG }, QueuedAllocations: queuedAll, ClassEligibility: { '': true },
        }));
        this.finishEval(ev, 'complete', { FailedTGAllocs: failedTG, BlockedEval: blocked.ID, QueuedAllocations: queuedAll });
      }
    } else {
      this.finishEval(ev, 'complete', { QueuedAllocations: queuedAll });
    }
    // a promotion can leave nothing more to place: the rollout is done as soon as it is healthy
    if (deployment) this.sim.deployments.complete(deployment);
    this.sim.jobs.recomputeStatus(rec!);
  }

  /**
   * Places one allocation per slot where a node fits, counting the ones that do not; with `tracked`, the
   * rollout of the version is created on the first placement when there is none yet. A slot's `previous`
   * allocation (one lost or migrating) is named as the one its replacement replaces.
   */
  private placeSlots(job: Job, tg: TaskGroup, slots: number[], ev: Evaluation, rollout: { deployment?: Deployment }, tracked: boolean, previous?: Map<number, Allocation>) {
    const placed: Allocation[] = [];
    let failures = 0;
    let metric: AllocMetric | undefined;
    for (const slot of slots) {
      const fit = this.findNode(job, tg);
      if ('failure' in fit) {
        failures++;
        metric = fit.failure;
        continue;
      }
      if (!rollout.deployment && tracked) rollout.deployment = this.sim.deployments.create(job);
      placed.push(this.placeAlloc(job, tg, slot, fit.node, ev, rollout.deployment, previous?.get(slot)));
    }
    return { placed, failures, metric };
  }

  /** Resources in use on a node by allocations that still hold them (and those a dry run reserved). */
  private used(node: SimNode, reserved?: Reserved): { cpu: number; mem: number } {
    const u = this.store.nodeUsage(node.ID);
    return { cpu: u.cpu + (reserved?.get(node.ID)?.cpu ?? 0), mem: u.mem + (reserved?.get(node.ID)?.mem ?? 0) };
  }

  /** The nodes new allocations may go to: ready and eligible (a draining node is ineligible). */
  schedulableNodes(job: Job): SimNode[] {
    const out: SimNode[] = [];
    for (const n of this.store.nodes) {
      if (n.Status !== 'ready' || n.SchedulingEligibility !== 'eligible') continue;
      for (const d of job.Datacenters) {
        if (d === '*' || globMatch(d, n.Datacenter)) {
          out.push(n);
          break;
        }
      }
    }
    return out;
  }

  /**
   * First fit by CPU and memory among the feasible nodes (of `among`, else every schedulable one), counting
   * what a dry run `reserved` as used, or the metrics of the failure.
   */
  findNode(job: Job, tg: TaskGroup, reserved?: Reserved, among?: SimNode[]): Placement {
    const schedulable = this.schedulableNodes(job);
    const ready = among ?? schedulable;
    // the failure's metrics are built only when there is a failure: a placement that fits (nearly all) needs none
    const metricOf = (): AllocMetric => {
      const available: Record<string, number> = {};
      for (const n of schedulable) available[n.Datacenter] = (available[n.Datacenter] ?? 0) + 1;
      return {
        NodesEvaluated: ready.length, NodesFiltered: 0, NodesInPool: this.store.nodes.length, NodesAvailable: Object.keys(available).length ? available : Object.fromEntries(job.Datacenters.map((d) => [d, 0])),
        ClassFiltered: null, ConstraintFiltered: null, NodesExhausted: 0, ClassExhausted: null, DimensionExhausted: null,
        QuotaExhausted: null, ResourcesExhausted: null, Scores: null, ScoreMetaData: null, AllocationTime: 41000,
        CoalescedFailures: 0,
      };
    };
    if (ready.length === 0) return { failure: metricOf() };
    const { feasible, filtered } = feasibleNodes(job, tg, ready, this.sim.version);
    const withFiltered = (metric: AllocMetric) => {
      if (filtered) {
        metric.ConstraintFiltered = filtered;
        metric.NodesFiltered = Object.values(filtered).reduce((s, k) => s + k, 0);
      }
      return metric;
    };
    if (!feasible.length) return { failure: withFiltered(metricOf()) };
    let askCpu = 0;
    let askMem = 0;
    for (const t of tg.Tasks) {
      askCpu += t.Resources.CPU;
      askMem += t.Resources.MemoryMB;
    }
    for (const node of feasible) {
      const u = this.used(node, reserved);
      if (u.cpu + askCpu <= node.CPU && u.mem + askMem <= node.MemoryMB) return { node };
    }
    const metric = withFiltered(metricOf());
    const dims: Record<string, number> = {};
    for (const node of feasible) {
      const u = this.used(node, reserved);
      const dim = u.mem + askMem > node.MemoryMB ? 'memory' : 'cpu';
      dims[dim] = (dims[dim] ?? 0) + 1;
    }
    metric.NodesExhausted = feasible.length;
    metric.ClassExhausted = { '': feasible.length };
    metric.DimensionExhausted = dims;
    metric.ResourcesExhausted = Object.fromEntries(
      tg.Tasks.map((t) => [t.Name, { CPU: t.Resources.CPU, MemoryMB: t.Resources.MemoryMB, DiskMB: 0, Cores: 0, MemoryMaxMB: 0, IOPS: 0, Networks: null, Devices: null, NUMA: null, SecretsMB: 0 }]),
    );
    return { failure: metric };
  }

  /**
   * A system (or sysbatch) group: one allocation on every schedulable node that has none (index 0, as Nomad
   * names them). Allocations on nodes that became ineligible keep running; a drain stops them last.
   */
  private placeSystemGroup(job: Job, tg: TaskGroup, live: Allocation[], ev: Evaluation, placed: Allocation[]): { metric: AllocMetric; count: number } | undefined {
    if (tg.Count === 0) {
      for (const a of live) this.sim.client.stop(a, 'alloc not needed due to job update');
      return undefined;
    }
    const covered = new Set(live.map((a) => a.NodeID));
    if (job.Type === 'sysbatch') {
      for (const a of this.store.allocsOfJob(job.Namespace, job.ID)) {
        if (a.TaskGroup === tg.Name && a.ClientStatus === 'complete' && a.JobCreateIndex === job.CreateIndex && a.JobVersion === job.Version) covered.add(a.NodeID);
      }
    }
    let failure: { metric: AllocMetric; count: number } | undefined;
    for (const node of this.schedulableNodes(job)) {
      if (covered.has(node.ID)) continue;
      const fit = this.findNode(job, tg, undefined, [node]);
      if ('node' in fit) placed.push(this.placeAlloc(job, tg, 0, fit.node, ev));
      // a node whose constraints the job does not meet is simply not one of its nodes
      else if (!fit.failure.ConstraintFiltered) failure = { metric: { ...fit.failure, CoalescedFailures: failure ? failure.count : 0 }, count: (failure?.count ?? 0) + 1 };
    }
    return failure;
  }

  private placeAlloc(job: Job, tg: TaskGroup, slot: number, node: SimNode, ev: Evaluation, deployment?: Deployment, previous?: Allocation): Allocation {
    const idx = this.store.bump('allocs');
    const now = nowNs();
    const nodeCount = this.store.nodes.length;
    const ports: AllocatedPort[] = [];
    for (const net of tg.Networks ?? []) {
      for (const p of net.ReservedPorts ?? []) ports.push({ Label: p.Label, Value: p.Value, To: p.To, HostIP: node.Address, IgnoreCollision: false });
      for (const p of net.DynamicPorts ?? []) {
        ports.push({ Label: p.Label, Value: 20000 + ((idx * 7 + ports.length * 13) % 12000), To: p.To === -1 ? 0 : p.To, HostIP: node.Address, IgnoreCollision: false });
      }
    }
    const tasks: Record<string, AllocatedTaskResources> = {};
    for (const t of tg.Tasks) {
      tasks[t.Name] = { Cpu: { CpuShares: t.Resources.CPU, ReservedCores: null }, Memory: { MemoryMB: t.Resources.MemoryMB, MemoryMaxMB: t.Resources.MemoryMaxMB }, Networks: null, Devices: null };
    }
    const shared: AnyMap = { Mode: '', Device: '', CIDR: '', IP: node.Address, Hostname: '', MBits: 0, DNS: null, ReservedPorts: null, DynamicPorts: null, CNI: null };
    const a: Allocation = {
      ID: randomUUID(), Namespace: job.Namespace, EvalID: ev.ID, Name: `${job.ID}.${tg.Name}[${slot}]`, NodeID: node.ID,
      NodeName: node.Name, JobID: job.ID, Job: job, JobType: job.Type, JobVersion: job.Version, JobCreateIndex: job.CreateIndex,
      TaskGroup: tg.Name,
      Resources: null, SharedResources: null, TaskResources: null,
      AllocatedResources: {
        Tasks: tasks, TaskLifecycles: Object.fromEntries(tg.Tasks.map((t) => [t.Name, t.Lifecycle ?? null])),
        Shared: { Networks: ports.length ? [shared] : null, DiskMB: tg.EphemeralDisk?.SizeMB ?? 300, Ports: ports.length ? ports : null },
      },
      Metrics: { NodesEvaluated: 1, NodesFiltered: 0, NodesInPool: nodeCount, NodesAvailable: { [node.Datacenter]: nodeCount }, ClassFiltered: null, ConstraintFiltered: null, NodesExhausted: 0, ClassExhausted: null, DimensionExhausted: null, QuotaExhausted: null, ResourcesExhausted: null, Scores: null, ScoreMetaData: null, AllocationTime: 52000, CoalescedFailures: 0 },
      DesiredStatus: 'run', DesiredDescription: '', DesiredTransition: { Migrate: null, Reschedule: null, ForceReschedule: null, NoShutdownDelay: null },
      ClientStatus: 'pending', ClientDescription: '', TaskStates: null, AllocStates: null,
      PreviousAllocation: previous?.ID ?? '', NextAllocation: '', DeploymentID: deployment?.ID ?? '',
      DeploymentStatus: null, RescheduleTracker: null, NetworkStatus: null, FollowupEvalID: '',
      PreemptedAllocations: null, PreemptedByAllocation: '', SigningKeyID: '',
      CreateIndex: idx, ModifyIndex: idx, AllocModifyIndex: idx, CreateTime: now, ModifyTime: now,
    };
    if (previous) {
      previous.NextAllocation = a.ID;
      previous.ModifyIndex = idx;
      this.sim.events.publish('Allocation', previous);
    }
    this.store.allocs.set(a.ID, a);
    this.store.track('allocs', a);
    this.sim.events.publish('Allocation', a);
    this.sim.client.receive(a);
    return a;
  }

  /** Freed capacity lets blocked evaluations try again. */
  unblockEvals(): void {
    for (const ev of this.blocked) {
      if (ev.Status === 'blocked') this.store.later(5, () => this.processEval(ev.ID));
      else this.blocked.delete(ev);
    }
  }

  /** POST /v1/allocation/:id/stop: migrate the alloc and place a replacement. */
  stopAllocation(id: string): { EvalID: string; Index: number } {
    const a = this.store.allocs.get(id);
    if (!a) throw new NomadHttpError(404, 'allocation not found');
    const rec = this.store.jobRecord(a.Namespace, a.JobID);
    const idx = this.store.bump('allocs', 'evals');
    a.DesiredTransition = { ...a.DesiredTransition, Migrate: true };
    a.ModifyIndex = idx;
    const ev = this.sim.events.during('AllocationUpdateDesiredStatus', () => {
      this.sim.events.publish('Allocation', a);
      return this.createEval(rec?.job ?? a.Job, 'alloc-stop', idx, undefined, { Status: 'complete' });
    });
    if (!allocTerminal(a)) this.sim.events.during('PlanResult', () => this.replaceStopped(a, ev));
    return { EvalID: ev.ID, Index: idx };
  }

  /** The scheduler's answer to an allocation stopped by the user: it stops, and a replacement takes its place. */
  private replaceStopped(a: Allocation, ev: Evaluation): void {
    const rec = this.store.jobRecord(a.Namespace, a.JobID);
    this.sim.client.stop(a, 'alloc is being migrated');
    if (!rec || rec.job.Stop || a.JobType === 'system') return;
    const tg = rec.job.TaskGroups.find((g) => g.Name === a.TaskGroup);
    const fit = tg && this.findNode(rec.job, tg);
    if (tg && fit && 'node' in fit) {
      const dep = a.DeploymentID ? this.store.deployments.get(a.DeploymentID) : undefined;
      this.placeAlloc(rec.job, tg, allocSlot(a), fit.node, ev, dep?.Status === 'running' ? dep : undefined, a);
    }
  }
}
