import { field } from '../wire';

/**
 * Nomad's helper/flatmap.Flatten over the simulator's JSON records. Go flattens a struct by reflection; JSON
 * does not say which objects are structs and which are maps, nor what a missing field's zero value is, so
 * each struct the diff reads is described here by its Go fields (nomad/structs), and missing fields take
 * their Go zero value ("" / "0" / "false") as reflection would see them.
 */

/** s string, i integer (incl. time.Duration), b bool, m map[string]string, p pointer to a scalar (*int, *bool, *time.Duration). */
export type Kind = 's' | 'i' | 'b' | 'm' | 'p';
export type StructShape = Record<string, Kind>;

/** The primitive fields of the nomad/structs types the diff flattens (slices, struct pointers and nested structs are not primitive). */
export const SHAPES = {
  Job: {
    Stop: 'b', Region: 's', Namespace: 's', ID: 's', ParentID: 's', Name: 's', Type: 's', Priority: 'i', AllAtOnce: 'b', NodePool: 's',
    Dispatched: 'b', DispatchIdempotencyToken: 's', Meta: 'm', ConsulNamespace: 's', VaultNamespace: 's', NomadTokenID: 's', Status: 's',
    StatusDescription: 's', Stable: 'b', Version: 'i', SubmitTime: 'i', CreateIndex: 'i', ModifyIndex: 'i', JobModifyIndex: 'i',
  },
  TaskGroup: { Name: 's', Count: 'i', Meta: 'm', PreventRescheduleOnLost: 'b' },
  Task: { Name: 's', Driver: 's', User: 's', Env: 'm', Meta: 'm', KillTimeout: 'i', Leader: 'b', ShutdownDelay: 'i', KillSignal: 's', Kind: 's' },
  Resources: { CPU: 'i', Cores: 'i', MemoryMB: 'i', MemoryMaxMB: 'i', DiskMB: 'i', IOPS: 'i', SecretsMB: 'i' },
  UpdateStrategy: {
    Stagger: 'i', MaxParallel: 'i', HealthCheck: 's', MinHealthyTime: 'i', HealthyDeadline: 'i', ProgressDeadline: 'i',
    AutoRevert: 'b', AutoPromote: 'b', Canary: 'i',
  },
  RestartPolicy: { Attempts: 'i', Interval: 'i', Delay: 'i', Mode: 's', RenderTemplates: 'b' },
  ReschedulePolicy: { Attempts: 'i', Interval: 'i', Delay: 'i', DelayFunction: 's', MaxDelay: 'i', Unlimited: 'b' },
  MigrateStrategy: { MaxParallel: 'i', HealthCheck: 's', MinHealthyTime: 'i', HealthyDeadline: 'i' },
  EphemeralDisk: { Sticky: 'b', SizeMB: 'i', Migrate: 'b' },
  LogConfig: { MaxFiles: 'i', MaxFileSizeMB: 'i', Disabled: 'b' },
  Consul: { Namespace: 's', Cluster: 's', Partition: 's' },
  Constraint: { LTarget: 's', RTarget: 's', Operand: 's' },
  Affinity: { LTarget: 's', RTarget: 's', Operand: 's', Weight: 'i' },
  NetworkResource: { Mode: 's', Device: 's', CIDR: 's', IP: 's', Hostname: 's', MBits: 'i' },
  Port: { Label: 's', Value: 'i', To: 'i', HostNetwork: 's', IgnoreCollision: 'b' },
  Service: {
    Name: 's', TaskName: 's', PortLabel: 's', AddressMode: 's', Address: 's', EnableTagOverride: 'b', Meta: 'm', CanaryMeta: 'm',
    TaggedAddresses: 'm', Namespace: 's', OnUpdate: 's', Provider: 's', Cluster: 's', Kind: 's',
  },
  ServiceCheck: {
    Name: 's', Type: 's', Command: 's', Path: 's', Protocol: 's', PortLabel: 's', Expose: 'b', AddressMode: 's', Interval: 'i',
    Timeout: 'i', InitialStatus: 's', Notes: 's', TLSServerName: 's', TLSSkipVerify: 'b', Method: 's', GRPCService: 's',
    GRPCUseTLS: 'b', TaskName: 's', SuccessBeforePassing: 'i', FailuresBeforeCritical: 'i', FailuresBeforeWarning: 'i', Body: 's',
    OnUpdate: 's',
  },
  CheckRestart: { Limit: 'i', Grace: 'i', IgnoreWarnings: 'b' },
  PeriodicConfig: { Enabled: 'b', Spec: 's', SpecType: 's', ProhibitOverlap: 'b', TimeZone: 's' },
  ParameterizedJobConfig: { Payload: 's' },
  Template: {
    SourcePath: 's', DestPath: 's', EmbeddedTmpl: 's', ChangeMode: 's', ChangeSignal: 's', Once: 'b', Splay: 'i', Perms: 's',
    Uid: 'p', Gid: 'p', LeftDelim: 's', RightDelim: 's', Envvars: 'b', VaultGrace: 'i', ErrMissingKey: 'b',
  },
  TaskArtifact: { GetterSource: 's', GetterOptions: 'm', GetterHeaders: 'm', GetterMode: 's', GetterInsecure: 'b', RelativeDest: 's', Chown: 'b' },
  Vault: { Role: 's', Namespace: 's', Cluster: 's', Env: 'b', DisableFile: 'b', ChangeMode: 's', ChangeSignal: 's', AllowTokenExpiration: 'b' },
  DispatchPayloadConfig: { File: 's' },
  ScalingPolicy: { ID: 's', Type: 's', Target: 'm', Min: 'i', Max: 'i', Enabled: 'b', CreateIndex: 'i', ModifyIndex: 'i' },
  DisconnectStrategy: { LostAfter: 'i', Replace: 'p', Reconcile: 's', StopOnClientAfter: 'p' },
} satisfies Record<string, StructShape>;

export type ShapeName = keyof typeof SHAPES;
export type Flat = Record<string, string>;

/** A scalar as Go's fmt "%v" prints it. */
export function goString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 1e21 ? String(v) : goFloat(v);
  if (v === null || v === undefined) return 'nil';
  return String(v);
}

/**
 * A float64 as "%v" prints it (strconv 'g', shortest): decoded JSON numbers in a driver's Config are float64
 * in Go, so 1000000 reads "1e+06" there.
 */
export function goFloat(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant, expText] = v.toExponential().split('e');
  const exp = Number(expText);
  // strconv: with the shortest precision, %e is used when the exponent is < -4 or >= 6
  if (exp < -4 || exp >= 6) {
    return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(v);
}

/**
 * Flatten(obj, filter, primitiveOnly=true) of one struct: its scalar fields (zero values included, Go
 * structs have no missing fields) and its map[string]string fields as `Name[key]`. Pointer scalars are left
 * out, as reflection skips pointers once inside a struct. A null struct flattens to nothing.
 */
export function flattenPrimitives(obj: unknown, shape: StructShape, filter: string[] = []): Flat {
  const out: Flat = {};
  if (obj === null || obj === undefined) return out;
  for (const [name, kind] of Object.entries(shape)) {
    const v = field(obj, name);
    if (kind === 'p') continue;
    if (kind === 'm') {
      if (v && typeof v === 'object') for (const [k, mv] of Object.entries(v as Record<string, unknown>)) out[`${name}[${k}]`] = goString(mv);
      continue;
    }
    out[name] = v === undefined || v === null ? (kind === 's' ? '' : kind === 'i' ? '0' : 'false') : goString(v);
  }
  for (const f of filter) delete out[f];
  return out;
}

/**
 * Flatten(obj, nil, primitiveOnly=false) of a map (a driver's Config, a scaling Policy, check Headers):
 * every leaf, nested maps as `a[b]`, lists as `a[0]`, null as "nil".
 */
export function flattenAll(value: unknown, prefix = '', out: Flat = {}): Flat {
  if (value === null || value === undefined) {
    if (prefix) out[prefix] = 'nil';
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => flattenAll(v, `${prefix}[${i}]`, out));
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flattenAll(v, prefix ? `${prefix}[${k}]` : k, out);
  } else {
    out[prefix] = typeof value === 'number' ? goFloat(value) : goString(value);
  }
  return out;
}

/** Flatten(struct, nil, primitiveOnly=false) of a struct with pointer scalars: a nil pointer reads "nil". */
export function flattenWithPointers(obj: unknown, shape: StructShape): Flat {
  const out = flattenPrimitives(obj, shape);
  if (obj === null || obj === undefined) return out;
  for (const [name, kind] of Object.entries(shape)) {
    if (kind !== 'p') continue;
    const v = field(obj, name);
    out[name] = v === undefined || v === null ? 'nil' : goString(v);
  }
  return out;
}
