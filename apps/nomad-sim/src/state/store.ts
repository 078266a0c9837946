import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { multiError, NomadHttpError, nowNs, nsToRfc3339 } from '../wire';
import { allocTerminal } from './allocs';
import type { Allocation, AnyMap, Deployment, Evaluation, Job, Namespace, ScalingEvent, SimNode, StringMap } from './types';

/**
 * The tables of the simulated cluster: one global index bumped on every write (BEHAVIOUR.md §5), a
 * per-table index for the list endpoints' X-Nomad-Index, and per-job lists so reads stay O(own).
 * Emits 'change' after writes, which wakes blocking queries.
 */

export type TableName = 'jobs' | 'allocs' | 'evals' | 'deployments' | 'namespaces' | 'nodes' | 'acl';

export interface JobRecord {
  job: Job;
  /** newest first, as /versions returns them */
  versions: Job[];
  summaryCreateIndex: number;
  summaryModifyIndex: number;
}

/** What a request may set on a namespace. */
export interface NamespaceInput {
  Name?: string;
  Description?: string;
  Quota?: string;
  Capabilities?: AnyMap | null;
  Meta?: StringMap | null;
}

export const jobKey = (ns: string, id: string) => `${ns}\u0000${id}`;

type PerJob = 'allocs' | 'evals' | 'deployments';
type PerJobRecord = { allocs: Allocation; evals: Evaluation; deployments: Deployment };

export class Store extends EventEmitter {
  index = 1;
  readonly tables: Record<TableName, number> = { jobs: 1, allocs: 1, evals: 1, deployments: 1, namespaces: 1, nodes: 1, acl: 1 };
  readonly namespaces = new Map<string, Namespace>();
  readonly jobs = new JobTable();
  readonly allocs = new Map<string, Allocation>();
  readonly evals = new Map<string, Evaluation>();
  readonly deployments = new Map<string, Deployment>();
  readonly nodes: SimNode[] = [];
  /** Objects are never removed (the simulator has no garbage collection), so these lists only grow. */
  private readonly byJob: { [K in PerJob]: Map<string, Array<PerJobRecord[K]>> } = { allocs: new Map(), evals: new Map(), deployments: new Map() };
  /** Allocations by the node they were placed on (an allocation never moves: a migration places a new one). */
  private readonly allocsByNode = new Map<string, Allocation[]>();
  /**
   * CPU and memory held on each node by its non-terminal allocations, kept as allocations are placed and
   * change (allocUpdated), so placing one is not a scan of every allocation on the cluster.
   */
  private readonly usageByNode = new Map<string, { cpu: number; mem: number }>();
  private readonly holding = new Set<Allocation>();
  private readonly scalingEventStore = new Map<string, ScalingEvent[]>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    readonly region: string,
    readonly datacenter: string,
    nodeCount: number,
  ) {
    super();
    this.setMaxListeners(0);
    this.namespaces.set('default', {
      Name: 'default', Description: 'Default shared namespace', Quota: '', Capabilities: null, Meta: null,
      CreateIndex: 1, ModifyIndex: 1,
    });
    for (let i = 1; i <= nodeCount; i++) {
      this.nodes.push({
        ID: randomUUID(), Name: `sim-client-${i}`, Datacenter: datacenter, Address: `127.0.0.${i + 1}`,
        CPU: 4000, MemoryMB: 8192, DiskMB: 50000, NodeClass: '', NodePool: 'default',
        Status: 'ready', StatusDescription: '', SchedulingEligibility: 'eligible', DrainStrategy: null, LastDrain: null,
        Events: [{ Message: 'Node registered', Subsystem: 'Cluster', Details: null, Timestamp: nsToRfc3339(nowNs()), CreateIndex: 0 }],
        CreateIndex: 1, ModifyIndex: 1,
      });
    }
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.emit('change');
  }

  /**
   * Bumps the global index and marks the given tables changed; wakes blocking queries. The wake-up is one
   * microtask for all the bumps made before it runs (a registration makes a dozen): each waiting query re-reads
   * its index once per burst of writes rather than once per write, and still after every write.
   */
  bump(...tables: TableName[]): number {
    this.index += 1;
    for (const t of tables) this.tables[t] = this.index;
    if (!this.changeQueued) {
      this.changeQueued = true;
      queueMicrotask(this.emitChange);
    }
    return this.index;
  }

  private changeQueued = false;
  private readonly emitChange = () => {
    this.changeQueued = false;
    this.emit('change');
  };

  /** Runs `fn` after `ms` unless the simulator closed meanwhile (every simulated delay goes through here). */
  later(ms: number, fn: () => void): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) fn();
    }, ms);
    t.unref?.();
    this.timers.add(t);
  }

  // ---------------------------------------------------------------- namespaces

  upsertNamespace(body: NamespaceInput): void {
    const name = body.Name as string;
    if (!name || !/^[a-zA-Z0-9-]{1,128}$/.test(name)) {
      throw new NomadHttpError(500, multiError([`invalid name "${name ?? ''}". Must match regex ^[a-zA-Z0-9-]{1,128}$`]));
    }
    const existing = this.namespaces.get(name);
    const idx = this.bump('namespaces');
    this.namespaces.set(name, {
      Name: name, Description: body.Description ?? '', Quota: body.Quota ?? '', Capabilities: body.Capabilities ?? null,
      Meta: body.Meta ?? null, CreateIndex: existing?.CreateIndex ?? idx, ModifyIndex: idx,
    });
  }

  deleteNamespace(name: string): void {
    if (name === 'default') throw new NomadHttpError(500, 'default namespace can not be deleted');
    if (!this.namespaces.has(name)) throw new NomadHttpError(500, `namespace "${name}" does not exist`);
    const nonTerminal = [...this.jobs.values()].filter((r) => r.job.Namespace === name && r.job.Status !== 'dead');
    if (nonTerminal.length) {
      throw new NomadHttpError(500, `namespace "${name}" has non-terminal jobs in regions: [${this.region}]`);
    }
    this.namespaces.delete(name);
    this.bump('namespaces');
  }

  // ---------------------------------------------------------------- jobs and per-job lists

  jobRecord(ns: string, id: string): JobRecord | undefined {
    return this.jobs.get(jobKey(ns, id));
  }

  getJob(ns: string, id: string): Job | undefined {
    return this.jobRecord(ns, id)?.job;
  }

  getVersions(ns: string, id: string): Job[] | undefined {
    return this.jobRecord(ns, id)?.versions;
  }

  /** Jobs of a namespace ('*' = all), sorted by (namespace, ID) as Nomad lists them. */
  listJobs(ns: string): Job[] {
    return this.jobs.sorted(ns).map((r) => r.job);
  }

  track<K extends PerJob>(kind: K, o: PerJobRecord[K]): void {
    const k = jobKey(o.Namespace, o.JobID);
    const list = this.byJob[kind].get(k);
    if (list) list.push(o);
    else this.byJob[kind].set(k, [o]);
    if (kind === 'allocs') {
      const nodeId = (o as Allocation).NodeID;
      const onNode = this.allocsByNode.get(nodeId);
      if (onNode) onNode.push(o as Allocation);
      else this.allocsByNode.set(nodeId, [o as Allocation]);
      this.allocUpdated(o as Allocation);
    }
  }

  /** An allocation's status may have changed: it holds its node's resources exactly while it is not terminal. */
  allocUpdated(a: Allocation): void {
    const holds = !allocTerminal(a);
    if (holds === this.holding.has(a)) return;
    let u = this.usageByNode.get(a.NodeID);
    if (!u) this.usageByNode.set(a.NodeID, (u = { cpu: 0, mem: 0 }));
    const sign = holds ? 1 : -1;
    for (const t of Object.values(a.AllocatedResources.Tasks)) {
      u.cpu += sign * t.Cpu.CpuShares;
      u.mem += sign * t.Memory.MemoryMB;
    }
    if (holds) this.holding.add(a);
    else this.holding.delete(a);
  }

  /** What the node's non-terminal allocations hold. */
  nodeUsage(nodeId: string): { cpu: number; mem: number } {
    const u = this.usageByNode.get(nodeId);
    return { cpu: u?.cpu ?? 0, mem: u?.mem ?? 0 };
  }

  /** Every allocation ever placed on the node, oldest first (terminal ones too). */
  allocsOnNode(nodeId: string): readonly Allocation[] {
    return this.allocsByNode.get(nodeId) ?? [];
  }

  allocsOfJob(ns: string, id: string): Allocation[] {
    return [...(this.byJob.allocs.get(jobKey(ns, id)) ?? [])];
  }

  evalsOfJob(ns: string, id: string): Evaluation[] {
    return [...(this.byJob.evals.get(jobKey(ns, id)) ?? [])];
  }

  deploymentsOfJob(ns: string, id: string): Deployment[] {
    return [...(this.byJob.deployments.get(jobKey(ns, id)) ?? [])];
  }

  /** A group's scaling events, newest first (kept across versions and purges, as the simulator never GCs). */
  scalingEvents(job: Job, group: string): ScalingEvent[] {
    const k = `${jobKey(job.Namespace, job.ID)}\u0000${group}`;
    let list = this.scalingEventStore.get(k);
    if (!list) this.scalingEventStore.set(k, (list = []));
    return list;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The jobs table, which also keeps them in Nomad's list order (namespace, then ID) per namespace: a namespace's
 * order is built (sorted) on its first list and then kept as jobs are added (inserted at their place, found by
 * binary search) and purged, so a list at 10,000 jobs sorts nothing, also while jobs are being registered.
 * Keys are jobKey(namespace, ID), whose string order is that order ('\u0000' sorts before any name character).
 */
export class JobTable extends Map<string, JobRecord> {
  private order: Map<string, { keys: string[]; records: JobRecord[] }> | undefined;

  override set(key: string, value: JobRecord): this {
    const added = !this.has(key);
    super.set(key, value);
    if (added && this.order) {
      for (const [ns, list] of this.order) {
        if (ns !== '*' && value.job.Namespace !== ns) continue;
        const at = lowerBound(list.keys, key);
        list.keys.splice(at, 0, key);
        list.records.splice(at, 0, value);
      }
    }
    return this;
  }

  override delete(key: string): boolean {
    const had = super.delete(key);
    if (had && this.order) {
      for (const list of this.order.values()) {
        const at = lowerBound(list.keys, key);
        if (list.keys[at] !== key) continue;
        list.keys.splice(at, 1);
        list.records.splice(at, 1);
      }
    }
    return had;
  }

  override clear(): void {
    super.clear();
    this.order = undefined;
  }

  /** The records of a namespace ('*' = all) in list order; callers must not change the array. */
  sorted(ns: string): readonly JobRecord[] {
    if (!this.order) this.order = new Map();
    let list = this.order.get(ns);
    if (!list) {
      const keys = [...this.keys()].sort(cmp).filter((k) => ns === '*' || this.get(k)!.job.Namespace === ns);
      list = { keys, records: keys.map((k) => this.get(k)!) };
      this.order.set(ns, list);
    }
    return list.records;
  }
}

/** The first position in the sorted `keys` whose key is not less than `key`. */
function lowerBound(keys: string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
