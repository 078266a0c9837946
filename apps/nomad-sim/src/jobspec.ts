import type { Job, NetworkResource, RestartPolicy, Task, TaskGroup, UpdateStrategy } from './state/types';
import { canonicalizeServices } from './jobspec-services';
import { fieldsOf, multiError, NomadHttpError } from './wire';

/**
 * Turns a request's job (keys in any case, defaults missing) into the server-shaped Job Nomad stores and
 * returns, and validates it the way Nomad's Job.Validate does (500 with multierror text on failure).
 */

/** Scalar field kinds, named as Go's decoder names them in its type errors. */
type Scalar = 'string' | 'int' | 'bool' | 'time.Duration';
type Shape = { [key: string]: Shape | [Shape] | 'raw' | Scalar };

const PORT: Shape = { Label: 'string', Value: 'int', To: 'int', HostNetwork: 'string', IgnoreCollision: 'bool' };
const NETWORK: Shape = {
  Mode: 'string', Device: 'string', CIDR: 'string', IP: 'string', Hostname: 'string', MBits: 'int', DNS: 'raw',
  ReservedPorts: [PORT], DynamicPorts: [PORT], CNI: 'raw',
};
const RESOURCES: Shape = {
  CPU: 'int', Cores: 'int', MemoryMB: 'int', MemoryMaxMB: 'int', DiskMB: 'int', IOPS: 'int', Networks: [NETWORK],
  Devices: 'raw', NUMA: 'raw', SecretsMB: 'int',
};
const RESTART: Shape = { Attempts: 'int', Interval: 'time.Duration', Delay: 'time.Duration', Mode: 'string', RenderTemplates: 'bool' };
const RESCHEDULE: Shape = {
  Attempts: 'int', Interval: 'time.Duration', Delay: 'time.Duration', DelayFunction: 'string', MaxDelay: 'time.Duration', Unlimited: 'bool',
};
const UPDATE: Shape = {
  Stagger: 'time.Duration', MaxParallel: 'int', HealthCheck: 'string', MinHealthyTime: 'time.Duration',
  HealthyDeadline: 'time.Duration', ProgressDeadline: 'time.Duration', Canary: 'int', AutoRevert: 'bool', AutoPromote: 'bool',
};
const TASK: Shape = {
  Name: 'string', Driver: 'string', User: 'string', Config: 'raw', Env: 'raw', Services: 'raw', Vault: 'raw', Templates: 'raw',
  Constraints: 'raw', Affinities: 'raw', Resources: RESOURCES, RestartPolicy: RESTART, DispatchPayload: 'raw',
  Lifecycle: 'raw', Meta: 'raw', KillTimeout: 'time.Duration', LogConfig: { MaxFiles: 'int', MaxFileSizeMB: 'int', Disabled: 'bool' },
  Artifacts: 'raw', Leader: 'bool', ShutdownDelay: 'time.Duration', VolumeMounts: 'raw', ScalingPolicies: 'raw', KillSignal: 'string',
  Kind: 'string', CSIPluginConfig: 'raw', Identity: 'raw', Identities: 'raw', Actions: 'raw', Schedule: 'raw',
};
const GROUP: Shape = {
  Name: 'string', Count: 'int', Update: UPDATE, Migrate: 'raw', Constraints: 'raw', Scaling: 'raw',
  RestartPolicy: RESTART, Tasks: [TASK], EphemeralDisk: { Sticky: 'bool', SizeMB: 'int', Migrate: 'bool' }, Meta: 'raw',
  ReschedulePolicy: RESCHEDULE, Affinities: 'raw', Spreads: 'raw', Networks: [NETWORK], Consul: 'raw',
  Services: 'raw', Volumes: 'raw', ShutdownDelay: 'time.Duration', StopAfterClientDisconnect: 'time.Duration',
  MaxClientDisconnect: 'time.Duration', PreventRescheduleOnLost: 'bool', Disconnect: 'raw',
};
const JOB: Shape = {
  Region: 'string', Namespace: 'string', ID: 'string', ParentID: 'string', Name: 'string', Type: 'string', Priority: 'int',
  AllAtOnce: 'bool', Datacenters: 'raw', NodePool: 'string', Constraints: 'raw', Affinities: 'raw', Spreads: 'raw',
  TaskGroups: [GROUP], Update: UPDATE, Multiregion: 'raw', Periodic: 'raw', ParameterizedJob: 'raw', Dispatched: 'bool',
  DispatchIdempotencyToken: 'string', Payload: 'string', Meta: 'raw', ConsulNamespace: 'string', VaultNamespace: 'string',
  NomadTokenID: 'string', Stop: 'bool', UI: 'raw', VersionTag: 'raw',
};

const STRUCT_NAMES = new Map<Shape, string>([
  [JOB, 'Job'], [GROUP, 'TaskGroup'], [TASK, 'Task'], [RESOURCES, 'Resources'], [NETWORK, 'NetworkResource'], [PORT, 'Port'],
  [RESTART, 'RestartPolicy'], [RESCHEDULE, 'ReschedulePolicy'], [UPDATE, 'UpdateStrategy'],
]);

function jsonKind(v: unknown): string {
  return Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'object' ? 'object' : typeof v;
}

/**
 * Go's json.Unmarshal type error: `json: cannot unmarshal <value> into Go struct field <Struct>.<path> of type
 * <type>`, where Struct is the type holding the field and path runs from the request root.
 */
function typeError(value: unknown, owner: Shape, path: string, goType: string): NomadHttpError {
  const integerExpected = goType === 'int' || goType === 'time.Duration';
  const got = typeof value === 'number' && integerExpected ? `number ${String(value)}` : jsonKind(value);
  return new NomadHttpError(400, `json: cannot unmarshal ${got} into Go struct field ${STRUCT_NAMES.get(owner) ?? 'struct'}.${path} of type ${goType}`);
}

function scalarOk(v: unknown, kind: Scalar): boolean {
  if (v === null) return true; // pointer fields and nil values
  if (kind === 'string') return typeof v === 'string';
  if (kind === 'bool') return typeof v === 'boolean';
  return typeof v === 'number' && Number.isInteger(v);
}

/**
 * A request object after canon(): only the fields of its shape, their JSON kinds checked as Go's decoder
 * checks them (so `Count` is an integer or null), nested objects decoded the same way. Still plain JSON.
 */
type Decoded = Record<string, any>;

const SHAPE_ENTRIES = new WeakMap<Shape, Array<[string, Shape[string], string]>>();

/** A shape's fields with their lower-case names, computed once per shape. */
function shapeEntries(shape: Shape): Array<[string, Shape[string], string]> {
  let entries = SHAPE_ENTRIES.get(shape);
  if (!entries) SHAPE_ENTRIES.set(shape, (entries = Object.entries(shape).map(([k, v]) => [k, v, k.toLowerCase()])));
  return entries;
}

/** Picks the known fields of `value` (case-insensitively) and checks their JSON kinds as Go's decoder would. */
function canon(value: unknown, shape: Shape, path: string): Decoded | null {
  if (value === null || value === undefined) return null;
  const out: Decoded = {};
  const get = fieldsOf(value);
  const entries = shapeEntries(shape);
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    const name = entry[0];
    const sub = entry[1];
    const v = get(name, entry[2]);
    if (v === undefined) continue;
    const here = `${path}.${name}`;
    if (Array.isArray(sub)) {
      if (v !== null && !Array.isArray(v)) throw typeError(v, shape, here, `[]*api.${STRUCT_NAMES.get(sub[0]) ?? 'struct'}`);
      out[name] = Array.isArray(v)
        ? v.map((x) => {
            if (x !== null && (typeof x !== 'object' || Array.isArray(x))) throw typeError(x, shape, here, `api.${STRUCT_NAMES.get(sub[0]) ?? 'struct'}`);
            return canon(x, sub[0], here);
          })
        : null;
    } else if (sub === 'raw') out[name] = v;
    else if (typeof sub === 'string') {
      if (!scalarOk(v, sub)) throw typeError(v, shape, here, sub);
      out[name] = v;
    } else {
      if (v !== null && (typeof v !== 'object' || Array.isArray(v))) throw typeError(v, shape, here, `api.${STRUCT_NAMES.get(sub) ?? 'struct'}`);
      out[name] = canon(v, sub, here);
    }
  }
  return out;
}

const SEC = 1_000_000_000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;

/** Canonicalises a request job with Nomad's server-side defaults. */
export function canonicalizeJob(input: unknown, namespace: string, region: string): Job {
  const j = canon(input, JOB, 'Job') ?? {};
  const type = (j.Type as string) || 'service';
  const batchLike = type === 'batch' || type === 'sysbatch';
  const update = batchLike ? updateOf(null, true) : updateOf(j.Update, false);
  const job: Job = {
    Stop: j.Stop ?? false,
    Region: !j.Region || j.Region === 'global' ? region : j.Region,
    Namespace: namespace,
    ID: j.ID,
    ParentID: j.ParentID ?? '',
    Name: j.Name || j.ID,
    Type: type,
    Priority: j.Priority ?? 50,
    AllAtOnce: j.AllAtOnce ?? false,
    Datacenters: Array.isArray(j.Datacenters) && j.Datacenters.length ? j.Datacenters : ['*'],
    NodePool: j.NodePool || 'default',
    Constraints: j.Constraints ?? null,
    Affinities: j.Affinities ?? null,
    Spreads: j.Spreads ?? null,
    // a job without groups fails validation ("Missing job task groups") and is never stored
    TaskGroups: Array.isArray(j.TaskGroups) ? j.TaskGroups.map((g: Decoded | null) => canonicalizeGroup(g ?? {}, type, update)) : [],
    Update: update,
    Multiregion: j.Multiregion ?? null,
    Periodic: j.Periodic ?? null,
    ParameterizedJob: j.ParameterizedJob ?? null,
    Dispatched: j.Dispatched ?? false,
    DispatchIdempotencyToken: j.DispatchIdempotencyToken ?? '',
    Payload: j.Payload ?? null,
    Meta: j.Meta ?? null,
    ConsulToken: '',
    ConsulNamespace: j.ConsulNamespace ?? '',
    VaultToken: '',
    VaultNamespace: j.VaultNamespace ?? '',
    NomadTokenID: '',
    Status: '',
    StatusDescription: '',
    Stable: false,
    Version: 0,
    SubmitTime: 0n,
    CreateIndex: 0,
    ModifyIndex: 0,
    JobModifyIndex: 0,
    UI: j.UI ?? null,
    VersionTag: j.VersionTag ?? null,
  };
  return canonicalizeServices(job);
}

function updateOf(u: Decoded | null | undefined, batch: boolean): UpdateStrategy {
  if (batch) {
    return {
      Stagger: 0, MaxParallel: 0, HealthCheck: '', MinHealthyTime: 0, HealthyDeadline: 0,
      ProgressDeadline: 0, AutoRevert: false, AutoPromote: false, Canary: 0,
    };
  }
  return {
    Stagger: u?.Stagger ?? 30 * SEC,
    MaxParallel: u?.MaxParallel ?? 1,
    HealthCheck: u?.HealthCheck ?? 'checks',
    MinHealthyTime: u?.MinHealthyTime ?? 10 * SEC,
    HealthyDeadline: u?.HealthyDeadline ?? 5 * MIN,
    ProgressDeadline: u?.ProgressDeadline ?? 10 * MIN,
    AutoRevert: u?.AutoRevert ?? false,
    AutoPromote: u?.AutoPromote ?? false,
    Canary: u?.Canary ?? 0,
  };
}

function canonicalizeGroup(g: Decoded, type: string, jobUpdate: UpdateStrategy): TaskGroup {
  const batch = type === 'batch' || type === 'sysbatch';
  const rp = g.RestartPolicy ?? {};
  const sp = g.ReschedulePolicy ?? {};
  const restartPolicy: RestartPolicy = batch
    ? { Attempts: rp.Attempts ?? 3, Interval: rp.Interval ?? 24 * HOUR, Delay: rp.Delay ?? 15 * SEC, Mode: rp.Mode ?? 'fail', RenderTemplates: false }
    : { Attempts: rp.Attempts ?? 2, Interval: rp.Interval ?? 30 * MIN, Delay: rp.Delay ?? 15 * SEC, Mode: rp.Mode ?? 'fail', RenderTemplates: false };
  const reschedulePolicy =
    type === 'system' || type === 'sysbatch'
      ? null
      : batch
        ? { Attempts: sp.Attempts ?? 1, Interval: sp.Interval ?? 24 * HOUR, Delay: sp.Delay ?? 5 * SEC, DelayFunction: sp.DelayFunction ?? 'constant', MaxDelay: sp.MaxDelay ?? 0, Unlimited: sp.Unlimited ?? false }
        : { Attempts: sp.Attempts ?? 0, Interval: sp.Interval ?? 0, Delay: sp.Delay ?? 30 * SEC, DelayFunction: sp.DelayFunction ?? 'exponential', MaxDelay: sp.MaxDelay ?? HOUR, Unlimited: sp.Unlimited ?? true };
  return {
    Name: g.Name ?? '',
    Count: g.Count ?? 1,
    Update: batch ? null : { ...jobUpdate, ...(g.Update ?? {}) },
    Migrate: batch ? null : (g.Migrate ?? { MaxParallel: 1, HealthCheck: 'checks', MinHealthyTime: 10 * SEC, HealthyDeadline: 5 * MIN }),
    Constraints: g.Constraints ?? null,
    Scaling: g.Scaling ?? null,
    RestartPolicy: restartPolicy,
    // a group without tasks fails validation ("Missing tasks for task group")
    Tasks: Array.isArray(g.Tasks) ? g.Tasks.map((t: Decoded | null) => canonicalizeTask(t ?? {}, restartPolicy)) : [],
    EphemeralDisk: { Sticky: false, SizeMB: 300, Migrate: false, ...(g.EphemeralDisk ?? {}) },
    Meta: g.Meta ?? null,
    ReschedulePolicy: reschedulePolicy,
    Affinities: g.Affinities ?? null,
    Spreads: g.Spreads ?? null,
    Networks: Array.isArray(g.Networks) ? g.Networks.map(canonicalizeNetwork) : null,
    Consul: g.Consul ?? { Namespace: '', Cluster: 'default', Partition: '' },
    Services: g.Services ?? null,
    Volumes: g.Volumes ?? null,
    ShutdownDelay: g.ShutdownDelay ?? null,
    StopAfterClientDisconnect: g.StopAfterClientDisconnect ?? null,
    MaxClientDisconnect: g.MaxClientDisconnect ?? null,
    PreventRescheduleOnLost: g.PreventRescheduleOnLost ?? false,
    Disconnect: g.Disconnect ?? null,
  };
}

function canonicalizeNetwork(n: Decoded | null): NetworkResource {
  const port = (p: Decoded | null) => ({
    Label: p?.Label ?? '', Value: p?.Value ?? 0, To: p?.To ?? 0, HostNetwork: p?.HostNetwork || 'default',
    IgnoreCollision: p?.IgnoreCollision ?? false,
  });
  return {
    Mode: n?.Mode ?? '', Device: n?.Device ?? '', CIDR: n?.CIDR ?? '', IP: n?.IP ?? '', Hostname: n?.Hostname ?? '',
    MBits: n?.MBits ?? 0, DNS: n?.DNS ?? null,
    ReservedPorts: Array.isArray(n?.ReservedPorts) ? n!.ReservedPorts.map(port) : null,
    DynamicPorts: Array.isArray(n?.DynamicPorts) ? n!.DynamicPorts.map(port) : null,
    CNI: n?.CNI ?? null,
  };
}

function canonicalizeTask(t: Decoded, restartPolicy: RestartPolicy): Task {
  const r = t.Resources ?? {};
  return {
    Name: t.Name ?? '',
    Driver: t.Driver ?? '',
    User: t.User ?? '',
    Config: t.Config ?? null,
    Env: t.Env ?? null,
    Services: t.Services ?? null,
    Vault: t.Vault ?? null,
    Consul: null,
    Templates: t.Templates ?? null,
    Constraints: t.Constraints ?? null,
    Affinities: t.Affinities ?? null,
    Resources: {
      CPU: r.CPU ?? 100, Cores: r.Cores ?? 0, MemoryMB: r.MemoryMB ?? 300, MemoryMaxMB: r.MemoryMaxMB ?? 0,
      DiskMB: r.DiskMB ?? 0, IOPS: r.IOPS ?? 0, Networks: r.Networks ?? null, Devices: r.Devices ?? null,
      NUMA: r.NUMA ?? null, SecretsMB: r.SecretsMB ?? 0,
    },
    RestartPolicy: { ...restartPolicy, ...(t.RestartPolicy ?? {}) },
    DispatchPayload: t.DispatchPayload ?? null,
    Lifecycle: t.Lifecycle ?? null,
    Meta: t.Meta ?? null,
    KillTimeout: t.KillTimeout ?? 5 * SEC,
    LogConfig: { MaxFiles: 10, MaxFileSizeMB: 10, Disabled: false, ...(t.LogConfig ?? {}) },
    Artifacts: t.Artifacts ?? null,
    Leader: t.Leader ?? false,
    ShutdownDelay: t.ShutdownDelay ?? 0,
    VolumeMounts: t.VolumeMounts ?? null,
    ScalingPolicies: t.ScalingPolicies ?? null,
    KillSignal: t.KillSignal ?? '',
    Kind: t.Kind ?? '',
    CSIPluginConfig: t.CSIPluginConfig ?? null,
    Identity: t.Identity ?? null,
    Identities: t.Identities ?? null,
    Actions: t.Actions ?? null,
    Schedule: t.Schedule ?? null,
  };
}

/** Go's math.MaxUint16: a port above it is refused, and reserves nothing. */
const MAX_PORT = 65535;

/**
 * TaskGroup.validateNetworks, for the group's own networks: a port label names one port of the group, and a
 * static port is reserved once per host network (a port with IgnoreCollision may share it) and fits in 16 bits.
 * Its errors come in Nomad's order, port by port. Collisions with other jobs' ports are the scheduler's business.
 */
function groupPortErrors(g: TaskGroup): string[] {
  const errs: string[] = [];
  const labels = new Set<string>();
  // `${host network}:${value}` -> who reserved it, as Nomad names it
  const statics = new Map<string, string>();
  for (const net of g.Networks ?? []) {
    for (const port of [...(net.ReservedPorts ?? []), ...(net.DynamicPorts ?? [])]) {
      if (labels.has(port.Label)) errs.push(`Port label ${port.Label} already in use by taskgroup network`);
      labels.add(port.Label);
      if (!port.Value) continue;
      const key = `${port.HostNetwork || 'default'}:${port.Value}`;
      const other = statics.get(key);
      if (other !== undefined) {
        if (!port.IgnoreCollision) errs.push(`Static port ${port.Value} already reserved by ${other}`);
      } else if (port.Value > MAX_PORT) {
        errs.push(`Port ${port.Label} (${port.Value}) cannot be greater than ${MAX_PORT}`);
      } else {
        statics.set(key, `taskgroup network:${port.Label}`);
      }
    }
  }
  return errs;
}

/** Nomad's Job.Validate subset: the checks a client is most likely to trip over. */
export function validateJob(job: Job): void {
  const errs: string[] = [];
  const id = job.ID;
  if (!id) errs.push('Missing job ID');
  else if (id.includes(' ')) errs.push('Job ID contains a space');
  else if (id.includes('\0')) errs.push('Job ID contains a null character');
  if (!job.Name) errs.push('Missing job name');
  else if (String(job.Name).includes('\0')) errs.push('Job Name contains a null character');
  if (!['service', 'batch', 'system', 'sysbatch'].includes(job.Type)) errs.push(`Invalid job type: "${job.Type}"`);
  if (typeof job.Priority !== 'number' || job.Priority < 1 || job.Priority > 100) {
    errs.push('Job priority must be between [1, 100]');
  }
  const groups: TaskGroup[] = job.TaskGroups ?? [];
  if (groups.length === 0) errs.push('Missing job task groups');
  const seenGroups = new Set<string>();
  groups.forEach((g, gi) => {
    const gErrs: string[] = [];
    if (!g.Name) gErrs.push(`Job task group ${gi + 1} missing name`);
    else if (seenGroups.has(g.Name)) errs.push(`Job task group ${gi + 1} redefines '${g.Name}' from group ${[...seenGroups].indexOf(g.Name) + 1}`);
    seenGroups.add(g.Name);
    if (typeof g.Count !== 'number' || g.Count < 0) gErrs.push("Task group count can't be negative");
    gErrs.push(...groupPortErrors(g));
    const tasks: Task[] = g.Tasks ?? [];
    if (tasks.length === 0) gErrs.push('Missing tasks for task group');
    // name -> index of the task that first defined it (structs.TaskGroup.Validate names both)
    const seenTasks = new Map<string, number>();
    tasks.forEach((t, ti) => {
      const tErrs: string[] = [];
      if (!t.Name) gErrs.push(`Task ${ti + 1} missing name`);
      else if (seenTasks.has(t.Name)) gErrs.push(`Task ${ti + 1} redefines '${t.Name}' from task ${seenTasks.get(t.Name)! + 1}`);
      else seenTasks.set(t.Name, ti);
      if (t.Name && /[/\\]/.test(t.Name)) tErrs.push('Task name cannot include slashes');
      if (t.Name === 'alloc') tErrs.push("Task name cannot be 'alloc'");
      if (!t.Driver) tErrs.push('Missing task driver');
      const res = t.Resources ?? {};
      if (typeof res.CPU !== 'number' || res.CPU < 1) tErrs.push(`Minimum CPU value is 1; got ${res.CPU}`);
      if (typeof res.MemoryMB !== 'number' || res.MemoryMB < 10) tErrs.push(`Minimum MemoryMB value is 10; got ${res.MemoryMB}`);
      if (tErrs.length) gErrs.push(`Task ${t.Name || ti + 1} validation failed: ${multiError(tErrs)}`);
    });
    if (gErrs.length) errs.push(`Task group ${g.Name || gi + 1} validation failed: ${multiError(gErrs)}`);
  });
  if (errs.length) throw new NomadHttpError(500, multiError(errs));
}

/** Fields that do not make a new version when they differ (server bookkeeping). */
const BOOKKEEPING = new Set([
  'Status', 'StatusDescription', 'Stable', 'Version', 'SubmitTime', 'CreateIndex', 'ModifyIndex', 'JobModifyIndex',
]);

export function specChanged(a: Job, b: Job): boolean {
  const strip = (j: Job) => JSON.stringify(j, (k, v) => (BOOKKEEPING.has(k) ? undefined : typeof v === 'bigint' ? v.toString() : v));
  return strip(a) !== strip(b);
}
