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

export interface NodeListStub {
  ID: string;
  Name: string;
  Address: string;
  Datacenter: string;
  NodePool?: string;
  NodeClass: string;
  Version: string;
  Drain: boolean;
  SchedulingEligibility: 'eligible' | 'ineligible';
  Status: 'initializing' | 'ready' | 'down' | 'disconnected';
  StatusDescription: string;
  Drivers?: Record<string, { Detected: boolean; Healthy: boolean; HealthDescription?: string }> | null;
  NodeResources?: { Cpu?: { CpuShares?: number }; Memory?: { MemoryMB?: number }; Disk?: { DiskMB?: number }; [k: string]: unknown } | null;
  ReservedResources?: { Cpu?: { CpuShares?: number }; Memory?: { MemoryMB?: number }; Disk?: { DiskMB?: number }; [k: string]: unknown } | null;
  CreateIndex: number;
  ModifyIndex: number;
  [k: string]: unknown;
}

export interface NomadNode extends NodeListStub {
  HTTPAddr?: string;
  TLSEnabled?: boolean;
  Attributes?: Record<string, string> | null;
  Meta?: Record<string, string> | null;
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
