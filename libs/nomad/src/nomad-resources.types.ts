/**
 * Wire types of the endpoints beyond the first seven tools (BEHAVIOUR.md §7–8; field names as on the wire).
 * Only what callers are likely to read is typed; the index signature keeps the rest reachable.
 */
import { AllocMetric, Evaluation, NomadJob } from './nomad.types';

export interface JobDiff {
  Type: 'Added' | 'Deleted' | 'Edited' | 'None';
  ID: string;
  Fields?: Array<{ Type: string; Name: string; Old: string; New: string; Annotations?: string[] | null }> | null;
  Objects?: unknown[] | null;
  TaskGroups?: unknown[] | null;
}

export interface JobVersions {
  /** Newest first. */
  Versions: NomadJob[];
  Diffs: JobDiff[] | null;
}

export interface JobPlanResponse {
  Annotations?: { DesiredTGUpdates?: Record<string, Record<string, number>> | null; [k: string]: unknown } | null;
  FailedTGAllocs: Record<string, AllocMetric> | null;
  /** The stored job's JobModifyIndex (0 when new): pass it to register as enforceJobModifyIndex. */
  JobModifyIndex: number;
  CreatedEvals?: Evaluation[] | null;
  Diff: JobDiff | null;
  NextPeriodicLaunch?: string;
  Warnings?: string;
}

/** The source a job version was written in, as a register sends it (JobRegisterRequest.Submission). */
export interface JobSubmissionInput {
  Source: string;
  /** "hcl2" or "json". */
  Format: string;
  VariableFlags?: Record<string, string> | null;
  Variables?: string;
}

/** GET /v1/job/:id/submission?version=N. */
export interface JobSubmission extends JobSubmissionInput {
  Namespace: string;
  JobID: string;
  Version: number;
  JobModifyIndex: number;
}

export interface JobScaleStatus {
  JobID: string;
  Namespace: string;
  JobStopped: boolean;
  TaskGroups: Record<string, { Desired: number; Placed: number; Running: number; Healthy: number; Unhealthy: number; Events?: unknown[] | null }>;
  JobCreateIndex: number;
  JobModifyIndex: number;
}

export interface DeploymentUpdateResponse {
  EvalID: string;
  EvalCreateIndex: number;
  DeploymentModifyIndex: number;
  RevertedJobVersion?: number | null;
  Index?: number;
}

export interface AllocStopResponse {
  EvalID: string;
  Index?: number;
}

/** What the node list stub and the full node share. */
interface NodeCommon {
  ID: string;
  Name: string;
  Datacenter: string;
  NodePool?: string;
  NodeClass: string;
  SchedulingEligibility: 'eligible' | 'ineligible';
  Status: 'initializing' | 'ready' | 'down' | 'disconnected';
  StatusDescription: string;
  Drivers?: Record<string, { Detected: boolean; Healthy: boolean; HealthDescription?: string }> | null;
  NodeResources?: { Cpu?: { CpuShares?: number }; Memory?: { MemoryMB?: number }; Disk?: { DiskMB?: number }; [k: string]: unknown } | null;
  ReservedResources?: { Cpu?: { CpuShares?: number }; Memory?: { MemoryMB?: number }; Disk?: { DiskMB?: number }; [k: string]: unknown } | null;
  LastDrain?: NodeDrainMetadata | null;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface NodeListStub extends NodeCommon {
  Address: string;
  Version: string;
  /** Whether a drain strategy is set (the stub's summary of Node.DrainStrategy). */
  Drain: boolean;
  [k: string]: unknown;
}

/** Node.DrainStrategy: set while the node drains. Deadline in ns (-1 force, 0 none); times RFC 3339 (zero time: none). */
export interface NodeDrainStrategy {
  Deadline: number;
  IgnoreSystemJobs: boolean;
  ForceDeadline: string;
  StartedAt: string;
}

/** Node.LastDrain: the latest drain and how it ended. */
export interface NodeDrainMetadata {
  StartedAt: string;
  UpdatedAt: string;
  Status: 'draining' | 'complete' | 'canceled';
  AccessorID?: string;
  Meta?: Record<string, string> | null;
}

export interface NodeEvent {
  Message: string;
  Subsystem: string;
  Details?: Record<string, string> | null;
  Timestamp: string;
  CreateIndex?: number;
}

/** The full Node (GET /v1/node/:id): not the stub's Address, Version and Drain, but HTTPAddr, Attributes and DrainStrategy. */
export interface NomadNode extends NodeCommon {
  HTTPAddr?: string;
  TLSEnabled?: boolean;
  Attributes?: Record<string, string> | null;
  Meta?: Record<string, string> | null;
  DrainStrategy?: NodeDrainStrategy | null;
  Events?: NodeEvent[] | null;
  [k: string]: unknown;
}

/** What a drain or eligibility update answers. */
export interface NodeUpdateResponse {
  NodeModifyIndex: number;
  EvalIDs: string[] | null;
  EvalCreateIndex: number;
  Index?: number;
}

export type SearchContext = 'all' | 'jobs' | 'allocs' | 'evals' | 'deployment' | 'nodes' | 'namespaces' | 'node_pools' | 'volumes' | 'plugins';

export interface PrefixSearchResponse {
  /** Context -> IDs that start with the prefix. */
  Matches: Record<string, string[] | null>;
  /** Context -> true when more matches exist than were returned. */
  Truncations: Record<string, boolean>;
}

export interface FuzzySearchResponse {
  /** Context -> matches; Scope names the namespace (and job) a match belongs to. */
  Matches: Record<string, Array<{ ID: string; Scope?: string[] | null }> | null>;
  Truncations: Record<string, boolean>;
}

export interface AgentSelf {
  config: { Region?: string; Datacenter?: string; NodeName?: string; Version?: { Version?: string; [k: string]: unknown }; ACL?: { Enabled?: boolean }; [k: string]: unknown };
  member: { Name: string; Addr?: string; Port?: number; Status?: string; Tags?: Record<string, string>; [k: string]: unknown };
  stats?: Record<string, Record<string, string>>;
}

export interface AclTokenSelf {
  AccessorID: string;
  Name: string;
  Type: 'client' | 'management';
  Policies: string[] | null;
  Global: boolean;
  ExpirationTime?: string | null;
  [k: string]: unknown;
}
