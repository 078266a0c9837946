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

export interface NomadJob {
  ID: string;
  Name?: string;
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
  DeploymentStatus?: { Healthy?: boolean | null } | null;
  NextAllocation?: string;
  FollowupEvalID?: string;
  CreateIndex: number;
  ModifyIndex: number;
  CreateTime: number;
  ModifyTime: number;
}

export interface Allocation extends AllocationListStub {
  Job?: NomadJob | null;
  AllocatedResources?: { Tasks?: Record<string, { Cpu?: { CpuShares?: number }; Memory?: { MemoryMB?: number } }> | null } | null;
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
  BlockedEval?: string;
  FailedTGAllocs?: Record<string, AllocMetric> | null;
  QueuedAllocations?: Record<string, number> | null;
  CreateIndex: number;
  ModifyIndex: number;
  CreateTime?: number;
}

export interface Deployment {
  ID: string;
  Namespace: string;
  JobID: string;
  JobVersion: number;
  Status: string;
  StatusDescription: string;
  TaskGroups: Record<string, { DesiredTotal: number; PlacedAllocs: number; HealthyAllocs: number; UnhealthyAllocs: number }> | null;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface JobRegisterResponse {
  EvalID: string;
  EvalCreateIndex: number;
  JobModifyIndex: number;
  Warnings?: string;
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
