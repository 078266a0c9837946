/**
 * The server-side Job as Nomad stores and returns it: every default filled in (jobspec.ts canonicalizeJob).
 * Key order in JSON answers comes from the object literals that build these records, not from the interfaces.
 */
import type { AnyMap, StringMap } from './types';

export interface UpdateStrategy {
  Stagger: number;
  MaxParallel: number;
  HealthCheck: string;
  MinHealthyTime: number;
  HealthyDeadline: number;
  ProgressDeadline: number;
  AutoRevert: boolean;
  AutoPromote: boolean;
  Canary: number;
}

export interface RestartPolicy {
  Attempts: number;
  /** nanoseconds */
  Interval: number;
  /** nanoseconds */
  Delay: number;
  Mode: string;
  RenderTemplates: boolean;
}

export interface ReschedulePolicy {
  Attempts: number;
  Interval: number;
  Delay: number;
  DelayFunction: string;
  MaxDelay: number;
  Unlimited: boolean;
}

export interface Port {
  Label: string;
  Value: number;
  To: number;
  HostNetwork: string;
  IgnoreCollision: boolean;
}

export interface NetworkResource {
  Mode: string;
  Device: string;
  CIDR: string;
  IP: string;
  Hostname: string;
  MBits: number;
  DNS: unknown;
  ReservedPorts: Port[] | null;
  DynamicPorts: Port[] | null;
  CNI: unknown;
}

export interface Resources {
  CPU: number;
  Cores: number;
  MemoryMB: number;
  MemoryMaxMB: number;
  DiskMB: number;
  IOPS: number;
  Networks: unknown;
  Devices: unknown;
  NUMA: unknown;
  SecretsMB: number;
}

export interface Task {
  Name: string;
  Driver: string;
  User: string;
  Config: AnyMap | null;
  Env: StringMap | null;
  Services: unknown;
  Vault: unknown;
  Consul: null;
  Templates: unknown;
  Constraints: unknown;
  Affinities: unknown;
  Resources: Resources;
  RestartPolicy: RestartPolicy;
  DispatchPayload: unknown;
  Lifecycle: unknown;
  Meta: StringMap | null;
  /** nanoseconds */
  KillTimeout: number;
  LogConfig: { MaxFiles: number; MaxFileSizeMB: number; Disabled: boolean };
  Artifacts: unknown;
  Leader: boolean;
  ShutdownDelay: number;
  VolumeMounts: unknown;
  ScalingPolicies: unknown;
  KillSignal: string;
  Kind: string;
  CSIPluginConfig: unknown;
  Identity: unknown;
  Identities: unknown;
  Actions: unknown;
  Schedule: unknown;
}

export interface TaskGroup {
  Name: string;
  Count: number;
  /** null for batch and sysbatch jobs */
  Update: UpdateStrategy | null;
  Migrate: unknown;
  Constraints: unknown;
  Scaling: unknown;
  RestartPolicy: RestartPolicy;
  Tasks: Task[];
  EphemeralDisk: { Sticky: boolean; SizeMB: number; Migrate: boolean };
  Meta: StringMap | null;
  ReschedulePolicy: ReschedulePolicy | null;
  Affinities: unknown;
  Spreads: unknown;
  Networks: NetworkResource[] | null;
  Consul: unknown;
  Services: unknown;
  Volumes: unknown;
  ShutdownDelay: number | null;
  StopAfterClientDisconnect: number | null;
  MaxClientDisconnect: number | null;
  PreventRescheduleOnLost: boolean;
  Disconnect: unknown;
}

export type JobStatus = '' | 'pending' | 'running' | 'dead';

/** The server-side Job, every default filled in (canonicalizeJob). */
export interface Job {
  Stop: boolean;
  Region: string;
  Namespace: string;
  ID: string;
  ParentID: string;
  Name: string;
  /** service | batch | system | sysbatch once validated */
  Type: string;
  Priority: number;
  AllAtOnce: boolean;
  Datacenters: string[];
  NodePool: string;
  Constraints: unknown;
  Affinities: unknown;
  Spreads: unknown;
  TaskGroups: TaskGroup[];
  Update: UpdateStrategy;
  Multiregion: unknown;
  Periodic: unknown;
  ParameterizedJob: unknown;
  Dispatched: boolean;
  DispatchIdempotencyToken: string;
  Payload: unknown;
  Meta: StringMap | null;
  ConsulToken: string;
  ConsulNamespace: string;
  VaultToken: string;
  VaultNamespace: string;
  NomadTokenID: string;
  Status: JobStatus;
  StatusDescription: string;
  Stable: boolean;
  Version: number;
  /** int64 nanoseconds */
  SubmitTime: bigint;
  CreateIndex: number;
  ModifyIndex: number;
  JobModifyIndex: number;
  UI: unknown;
  VersionTag: unknown;
}
