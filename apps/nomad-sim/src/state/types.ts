/**
 * The records of the simulated cluster, typed as Nomad's server structs serialise them (BEHAVIOUR.md §7-§10).
 * Key order in JSON answers comes from the object literals that build them, not from these interfaces.
 * Fields the simulator only stores and returns (constraints, services, vault...) are `unknown`.
 */
import type { Job } from './job-types';

/** Free-form maps the user writes (Meta, Env, driver Config). */
export type StringMap = Record<string, string>;
export type AnyMap = Record<string, unknown>;

/** The job spec records live in job-types.ts. */
export type { UpdateStrategy, RestartPolicy, ReschedulePolicy, Port, NetworkResource, Resources, Task, TaskGroup, JobStatus, Job } from './job-types';
export interface TaskEvent {
  Type: string;
  Time: bigint;
  Message: string;
  DisplayMessage: string;
  Details: StringMap;
  FailsTask: boolean;
  RestartReason: string;
  SetupError: string;
  DriverError: string;
  ExitCode: number;
  Signal: number;
  KillTimeout: number;
  KillError: string;
  KillReason: string;
  StartDelay: number;
  DownloadError: string;
  ValidationError: string;
  DiskLimit: number;
  FailedSibling: string;
  VaultError: string;
  TaskSignalReason: string;
  TaskSignal: string;
  DriverMessage: string;
  GenericSource: string;
}

export interface TaskState {
  State: 'pending' | 'running' | 'dead';
  Failed: boolean;
  Restarts: number;
  /** RFC3339, the zero time when unset */
  LastRestart: string;
  StartedAt: string;
  FinishedAt: string;
  Events: TaskEvent[];
  Paused: string;
}

/** The scheduler's placement metrics (also the FailedTGAllocs of an evaluation). */
export interface AllocMetric {
  NodesEvaluated: number;
  NodesFiltered: number;
  NodesInPool: number;
  NodesAvailable: Record<string, number>;
  ClassFiltered: Record<string, number> | null;
  ConstraintFiltered: Record<string, number> | null;
  NodesExhausted: number;
  ClassExhausted: Record<string, number> | null;
  DimensionExhausted: Record<string, number> | null;
  QuotaExhausted: unknown;
  ResourcesExhausted: Record<string, unknown> | null;
  Scores: unknown;
  ScoreMetaData: unknown;
  AllocationTime: number;
  CoalescedFailures: number;
}

export interface AllocatedPort {
  Label: string;
  Value: number;
  To: number;
  HostIP: string;
  IgnoreCollision: boolean;
}

export interface AllocatedTaskResources {
  Cpu: { CpuShares: number; ReservedCores: null };
  Memory: { MemoryMB: number; MemoryMaxMB: number };
  Networks: null;
  Devices: null;
}

export interface AllocatedResources {
  Tasks: Record<string, AllocatedTaskResources>;
  TaskLifecycles: Record<string, unknown>;
  Shared: { Networks: AnyMap[] | null; DiskMB: number; Ports: AllocatedPort[] | null };
}

export interface AllocDeploymentStatus {
  /** null until the deployment watcher has judged it (a canary is placed with Canary true, Healthy null) */
  Healthy: boolean | null;
  Timestamp: string;
  Canary: boolean;
  ModifyIndex: number;
}

export interface DesiredTransition {
  Migrate: boolean | null;
  Reschedule: boolean | null;
  ForceReschedule: boolean | null;
  NoShutdownDelay: boolean | null;
}

/** One reschedule of a failed allocation, carried by its replacement (times Unix ns, Delay ns). */
export interface RescheduleEvent {
  RescheduleTime: bigint;
  PrevAllocID: string;
  PrevNodeID: string;
  Delay: number;
}

export interface RescheduleTracker {
  Events: RescheduleEvent[];
  /** "ok", or "no placement" when the replacement could not be placed */
  LastReschedule: string;
}

export type ClientStatus = 'pending' | 'running' | 'complete' | 'failed' | 'lost' | 'unknown';

export interface Allocation {
  ID: string;
  Namespace: string;
  EvalID: string;
  Name: string;
  NodeID: string;
  NodeName: string;
  JobID: string;
  /** the job version the allocation was placed with */
  Job: Job;
  JobType: string;
  JobVersion: number;
  /** simulator bookkeeping (never sent): tells allocations of a purged and re-registered job apart */
  JobCreateIndex: number;
  TaskGroup: string;
  Resources: null;
  SharedResources: null;
  TaskResources: null;
  AllocatedResources: AllocatedResources;
  Metrics: AllocMetric;
  DesiredStatus: 'run' | 'stop' | 'evict';
  DesiredDescription: string;
  DesiredTransition: DesiredTransition;
  ClientStatus: ClientStatus;
  ClientDescription: string;
  /** null until the client has received the allocation */
  TaskStates: Record<string, TaskState> | null;
  AllocStates: null;
  PreviousAllocation: string;
  NextAllocation: string;
  DeploymentID: string;
  DeploymentStatus: AllocDeploymentStatus | null;
  RescheduleTracker: RescheduleTracker | null;
  NetworkStatus: null;
  FollowupEvalID: string;
  PreemptedAllocations: null;
  PreemptedByAllocation: string;
  SigningKeyID: string;
  CreateIndex: number;
  ModifyIndex: number;
  AllocModifyIndex: number;
  CreateTime: bigint;
  ModifyTime: bigint;
}

export type EvalStatus = 'pending' | 'blocked' | 'complete' | 'failed' | 'canceled';

export interface Evaluation {
  ID: string;
  Namespace: string;
  Priority: number;
  Type: string;
  TriggeredBy: string;
  JobID: string;
  JobModifyIndex: number;
  NodeID: string;
  NodeModifyIndex: number;
  DeploymentID: string;
  Status: EvalStatus;
  StatusDescription: string;
  Wait: number;
  WaitUntil: string | null;
  NextEval: string;
  PreviousEval: string;
  BlockedEval: string;
  RelatedEvals: unknown[] | null;
  FailedTGAllocs: Record<string, AllocMetric> | null;
  PlanAnnotations: unknown;
  ClassEligibility: Record<string, boolean> | null;
  QuotaLimitReached: string;
  MissingNonNodeResources: unknown;
  EscapedComputedClass: boolean;
  AnnotatePlan: boolean;
  QueuedAllocations: Record<string, number> | null;
  LeaderACL: string;
  SnapshotIndex: number;
  CreateIndex: number;
  ModifyIndex: number;
  CreateTime: bigint;
  ModifyTime: bigint;
}

export interface DeploymentGroupState {
  AutoRevert: boolean;
  AutoPromote: boolean;
  ProgressDeadline: number;
  RequireProgressBy: string;
  Promoted: boolean;
  PlacedCanaries: string[] | null;
  DesiredCanaries: number;
  DesiredTotal: number;
  PlacedAllocs: number;
  HealthyAllocs: number;
  UnhealthyAllocs: number;
}

export type DeploymentStatus = 'running' | 'paused' | 'failed' | 'successful' | 'cancelled' | 'initializing' | 'pending' | 'blocked' | 'unblocking';

export interface Deployment {
  ID: string;
  Namespace: string;
  JobID: string;
  JobVersion: number;
  JobModifyIndex: number;
  JobSpecModifyIndex: number;
  JobCreateIndex: number;
  IsMultiregion: boolean;
  TaskGroups: Record<string, DeploymentGroupState>;
  Status: DeploymentStatus;
  StatusDescription: string;
  EvalPriority: number;
  CreateIndex: number;
  ModifyIndex: number;
  CreateTime: bigint;
  ModifyTime: bigint;
}

/** A node's drain as Nomad stores it (DrainSpec embedded, so its fields sit at the top level). */
export interface DrainStrategy {
  /** nanoseconds; -1 = force (stop everything now), 0 = no deadline */
  Deadline: number;
  IgnoreSystemJobs: boolean;
  /** RFC 3339; the zero time when there is no deadline */
  ForceDeadline: string;
  StartedAt: string;
}

/** Node.LastDrain: the latest drain operation and how it ended. */
export interface DrainMetadata {
  StartedAt: string;
  UpdatedAt: string;
  Status: 'draining' | 'complete' | 'canceled';
  AccessorID: string;
  Meta: StringMap | null;
}

export interface NodeEvent {
  Message: string;
  Subsystem: string;
  Details: StringMap | null;
  Timestamp: string;
  CreateIndex: number;
}

/** A simulated client node (its wire shapes are built in routes/views.ts). */
export interface SimNode {
  ID: string;
  Name: string;
  Datacenter: string;
  Address: string;
  CPU: number;
  MemoryMB: number;
  DiskMB: number;
  NodeClass: string;
  NodePool: string;
  Status: 'ready' | 'down';
  StatusDescription: string;
  SchedulingEligibility: 'eligible' | 'ineligible';
  /** null unless it is draining */
  DrainStrategy: DrainStrategy | null;
  LastDrain: DrainMetadata | null;
  /** oldest first, at most 10 (Nomad's MaxRetainedNodeEvents) */
  Events: NodeEvent[];
  CreateIndex: number;
  ModifyIndex: number;
}

export interface Namespace {
  Name: string;
  Description: string;
  Quota: string;
  Capabilities: AnyMap | null;
  Meta: StringMap | null;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface ScalingEvent {
  Count: number | null;
  PreviousCount: number;
  Message: string;
  Error: boolean;
  Meta: AnyMap | null;
  EvalID: string | null;
  Time: bigint;
  CreateIndex: number;
}

/** What register, scale, revert and evaluate answer (plus the meta fields the routes add). */
export interface RegisterResult {
  EvalID: string;
  EvalCreateIndex: number;
  JobModifyIndex: number;
  Warnings: string;
  Index: number;
}

export interface DeregisterResult {
  EvalID: string;
  EvalCreateIndex: number;
  JobModifyIndex: number;
  VolumeEvalID: string;
  VolumeEvalIndex: number;
  Index: number;
}
