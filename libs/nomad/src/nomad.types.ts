/**
 * The subset of Nomad's wire types the service reads (BEHAVIOUR.md; field names as on the wire).
 * Nanosecond times arrive as JSON numbers and lose sub-microsecond precision in JS; only display uses them.
 */

export interface TaskGroupSummary {
  Queued: number;
  Complete: number;
  Failed: number;
  Running: number;
  Starting: number;
  Lost: number;
  Unknown?: number;
}

export interface JobSummary {
  JobID: string;
  Namespace: string;
  Summary: Record<string, TaskGroupSummary>;
  Children?: { Pending: number; Running: number; Dead: number };
  CreateIndex: number;
  ModifyIndex: number;
}

export interface JobListStub {
  ID: string;
  ParentID: string;
  Name: string;
  Namespace: string;
  Datacenters: string[];
  NodePool?: string;
  Type: string;
  Priority: number;
  Periodic: boolean;
  ParameterizedJob: boolean;
  Stop: boolean;
  Status: string;
  StatusDescription: string;
  JobSummary: JobSummary | null;
  CreateIndex: number;
  ModifyIndex: number;
  JobModifyIndex: number;
  SubmitTime: number;
}

export interface NomadPort {
  Label: string;
  Value?: number;
  To?: number;
  HostNetwork?: string;
}

export interface NomadTask {
  Name: string;
  Driver: string;
  Config?: Record<string, unknown> | null;
  Env?: Record<string, string> | null;
  Resources?: { CPU?: number; MemoryMB?: number; [k: string]: unknown } | null;
  [k: string]: unknown;
}

export interface NomadTaskGroup {
  Name: string;
  Count?: number;
  Tasks: NomadTask[];
  Networks?: Array<{ Mode?: string; DynamicPorts?: NomadPort[] | null; ReservedPorts?: NomadPort[] | null }> | null;
  [k: string]: unknown;
}

/** A parameterized job's dispatch contract (the jobspec's `parameterized` block). */
export interface ParameterizedJobConfig {
  /** optional | required | forbidden */
  Payload?: string;
  MetaRequired?: string[] | null;
  MetaOptional?: string[] | null;
}

/** A periodic job's schedule (the jobspec's `periodic` block). */
export interface PeriodicConfig {
  Enabled?: boolean;
  Spec?: string;
  Specs?: string[] | null;
  ProhibitOverlap?: boolean;
  TimeZone?: string;
}

export interface NomadJob {
  ID: string;
  Name?: string;
  /** The periodic or parameterized job this one was launched from ('' for others). */
  ParentID?: string;
  ParameterizedJob?: ParameterizedJobConfig | null;
  /** True for a dispatched child (which keeps its parent's ParameterizedJob). */
  Dispatched?: boolean;
  Periodic?: PeriodicConfig | null;
  Namespace?: string;
  Type?: string;
  Priority?: number;
  Datacenters?: string[];
  TaskGroups: NomadTaskGroup[] | null;
  Meta?: Record<string, string> | null;
  Stop?: boolean;
  Status?: string;
  StatusDescription?: string;
  Stable?: boolean;
  Version?: number;
  SubmitTime?: number;
  CreateIndex?: number;
  ModifyIndex?: number;
  JobModifyIndex?: number;
  [k: string]: unknown;
}

export interface TaskEvent {
  Type: string;
  Time: number;
  DisplayMessage?: string;
  Message?: string;
  DriverError?: string;
  FailsTask?: boolean;
  ExitCode?: number;
  Signal?: number;
  /** e.g. exit_code, signal, oom_killed ("true" when the kernel killed the task for memory). */
  Details?: Record<string, string> | null;
}

export interface TaskState {
  State: 'pending' | 'running' | 'dead';
  Failed: boolean;
  Restarts: number;
  StartedAt: string;
  FinishedAt: string;
  LastRestart?: string;
  Events: TaskEvent[] | null;
}

export interface AllocationListStub {
  ID: string;
  EvalID: string;
  Name: string;
  Namespace: string;
  NodeID: string;
  NodeName: string;
  JobID: string;
  JobType?: string;
  JobVersion: number;
  TaskGroup: string;
  DesiredStatus: string;
  DesiredDescription: string;
  ClientStatus: string;
  ClientDescription: string;
  TaskStates: Record<string, TaskState> | null;
  DeploymentStatus?: { Healthy?: boolean | null; Canary?: boolean; Timestamp?: string } | null;
  NextAllocation?: string;
  FollowupEvalID?: string;
  CreateIndex: number;
  ModifyIndex: number;
  CreateTime: number;
  ModifyTime: number;
}

export interface AllocatedTaskResources {
  Cpu?: { CpuShares?: number; ReservedCores?: number[] | null };
  Memory?: { MemoryMB?: number; MemoryMaxMB?: number };
}

export interface AllocatedPort {
  Label: string;
  /** The host port. */
  Value: number;
  /** The port inside the task (0: the same). */
  To?: number;
  HostIP?: string;
}

export interface Allocation extends AllocationListStub {
  Job?: NomadJob | null;
  AllocatedResources?: {
    Tasks?: Record<string, AllocatedTaskResources> | null;
    Shared?: { DiskMB?: number; Ports?: AllocatedPort[] | null } | null;
  } | null;
  DeploymentID?: string;
  PreviousAllocation?: string;
}


export interface AllocMetric {
  NodesEvaluated: number;
  NodesFiltered: number;
  NodesExhausted: number;
  NodesInPool?: number;
  NodesAvailable?: Record<string, number> | null;
  ClassFiltered?: Record<string, number> | null;
  ConstraintFiltered?: Record<string, number> | null;
  ClassExhausted?: Record<string, number> | null;
  DimensionExhausted?: Record<string, number> | null;
  QuotaExhausted?: string[] | null;
  /** Per task, the resources that did not fit. */
  ResourcesExhausted?: Record<string, { CPU?: number; MemoryMB?: number; DiskMB?: number }> | null;
  CoalescedFailures: number;
}

export interface Evaluation {
  ID: string;
  Namespace: string;
  JobID: string;
  Type: string;
  TriggeredBy: string;
  Status: string;
  StatusDescription: string;
  Priority?: number;
  NodeID?: string;
  DeploymentID?: string;
  PreviousEval?: string;
  NextEval?: string;
  BlockedEval?: string;
  FailedTGAllocs?: Record<string, AllocMetric> | null;
  QueuedAllocations?: Record<string, number> | null;
  CreateIndex: number;
  ModifyIndex: number;
  CreateTime?: number;
  ModifyTime?: number;
}

export interface Deployment {
  ID: string;
  Namespace: string;
  JobID: string;
  JobVersion: number;
  /** The CreateIndex of the job it rolls out: a job purged and registered again under the same ID has another. */
  JobCreateIndex?: number;
  Status: string;
  StatusDescription: string;
  TaskGroups: Record<string, DeploymentGroupState> | null;
  CreateIndex: number;
  ModifyIndex: number;
  CreateTime?: number;
  ModifyTime?: number;
}

export interface DeploymentGroupState {
  DesiredTotal: number;
  PlacedAllocs: number;
  HealthyAllocs: number;
  UnhealthyAllocs: number;
  AutoRevert?: boolean;
  AutoPromote?: boolean;
  /** Nanoseconds; 0 when the group has none. */
  ProgressDeadline?: number;
  /** RFC 3339; the zero time when no deadline applies. */
  RequireProgressBy?: string;
  Promoted?: boolean;
  PlacedCanaries?: string[] | null;
  DesiredCanaries?: number;
}

export interface JobRegisterResponse {
  EvalID: string;
  EvalCreateIndex: number;
  JobModifyIndex: number;
  Warnings?: string;
  Index?: number;
}

export interface JobDispatchResponse {
  DispatchedJobID: string;
  /** '' when an idempotency token matched an earlier dispatch (no new evaluation). */
  EvalID: string;
  EvalCreateIndex: number;
  JobCreateIndex: number;
  Index?: number;
}

export interface PeriodicForceResponse {
  EvalID: string;
  EvalCreateIndex: number;
  Index?: number;
}

export interface JobDeregisterResponse {
  EvalID: string;
  EvalCreateIndex: number;
  JobModifyIndex: number;
}

export interface Namespace {
  Name: string;
  Description: string;
}

/** GET /v1/acl/token/self (the secret is left out on purpose: nothing here needs it). */

export type LogStream = 'stdout' | 'stderr';

export interface LogTail {
  /** The tail, split into lines (no trailing newline). */
  lines: string[];
  /** Bytes fetched from Nomad to find those lines. */
  bytesRead: number;
  /** True when the log holds more lines before the first one returned. */
  truncated: boolean;
}
