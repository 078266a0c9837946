/**
 * Answers of the Jobs operations, shaped for a language model: one sentence (`message`) plus structured
 * fields. Classes (not interfaces) so the Swagger plugin documents them as response schemas.
 */

export class AllocationCounts {
  /** Allocations whose tasks are running. */
  running: number;
  /** Placed allocations whose tasks have not started yet (Nomad's "starting"). */
  pending: number;
  /** Allocations whose tasks all finished successfully. */
  complete: number;
  /** Allocations with a failed task. */
  failed: number;
  /** Allocations lost with their node. */
  lost: number;
  /** Allocations Nomad could not place yet (blocked evaluation). */
  queued: number;
}

export class JobListItem {
  /** Job ID. */
  id: string;
  /** Display name. */
  name: string;
  /** Namespace of the job. */
  namespace: string;
  /** service, batch, system or sysbatch. */
  type: string;
  /** Nomad's job status: pending, running or dead. */
  status: string;
  /** True when the job was stopped (it can be started again unless purged). */
  stopped: boolean;
  /** Scheduling priority, 1-100. */
  priority: number;
  /** Datacenters the job may run in. */
  datacenters: string[];
  /** Allocation counts over all task groups. */
  allocations: AllocationCounts;
  /** When the current version was submitted (ISO 8601). */
  submitted_at: string | null;
}

export class ListJobsResult {
  /** One sentence summarising the list. */
  message: string;
  /** The namespace listed (`*` for all). */
  namespace: string;
  /** Number of jobs in this answer. */
  count: number;
  /** The jobs, sorted by namespace and ID. */
  jobs: JobListItem[];
  /** Pass as `next_token` to get the next page; null on the last. */
  next_token: string | null;
}

export class TaskProblem {
  /** Allocation the event belongs to. */
  alloc_id: string;
  /** Task that reported it. */
  task: string;
  /** Nomad task event type, e.g. "Driver Failure", "Not Restarting", "Terminated". */
  event: string;
  /** What Nomad said. */
  message: string;
  /** When it happened (ISO 8601); the latest time when it happened several times. */
  time: string | null;
  /** How often the same event happened (absent when once). */
  occurrences?: number;
}

export class PlacementFailure {
  /** Task group that could not be placed. */
  group: string;
  /** How many of its allocations are waiting. */
  unplaced: number;
  /** Why, from Nomad's placement metrics (exhausted dimension, filtered nodes...). */
  reason: string;
}

export class AllocationBrief {
  /** Allocation ID. */
  id: string;
  /** Allocation name, `<job>.<group>[<index>]`. */
  name: string;
  /** Task group. */
  group: string;
  /** Node name. */
  node: string;
  /** Job version the allocation runs. */
  version: number;
  /** Client status: pending, running, complete, failed, lost. */
  client_status: string;
  /** Desired status: run, stop or evict. */
  desired_status: string;
  /** Task restarts so far, over all tasks. */
  restarts: number;
  /** When it was created (ISO 8601). */
  created_at: string | null;
}

export class DeploymentBrief {
  /** Deployment ID. */
  id: string;
  /** running, successful, failed, cancelled, paused... */
  status: string;
  /** Nomad's description of the status. */
  description: string;
  /** Job version being deployed. */
  version: number;
}

export class TaskGroupBrief {
  /** Task group name. */
  name: string;
  /** Desired number of allocations. */
  desired: number;
}

export class JobStatusResult {
  /** One sentence a person can act on: status, counts, deployment, and the first problem. */
  message: string;
  /** Job ID. */
  job_id: string;
  /** Namespace of the job. */
  namespace: string;
  /** Display name. */
  name: string;
  /** service, batch, system or sysbatch. */
  type: string;
  /** Nomad's job status: pending, running or dead. */
  status: string;
  /** True when the job was stopped. */
  stopped: boolean;
  /** Current job version. */
  version: number;
  /** True when the current version deployed successfully. */
  stable: boolean;
  /** When the current version was submitted (ISO 8601). */
  submitted_at: string | null;
  /** Task groups and their desired counts. */
  groups: TaskGroupBrief[];
  /** Allocation counts of the current version. */
  allocations: AllocationCounts;
  /** The most recent deployment, or null (batch jobs have none). */
  latest_deployment: DeploymentBrief | null;
  /** Failed task events of failing or pending allocations, causes first. */
  problems: TaskProblem[];
  /** Why allocations cannot be placed (blocked evaluation). */
  placement_failures: PlacementFailure[];
  /** Up to ten most recent allocations. */
  recent_allocations: AllocationBrief[];
}

export class RestartFailure {
  /** Allocation whose restart failed. */
  alloc_id: string;
  /** What Nomad said. */
  error: string;
}

export class JobActionResult {
  /** One sentence saying what happened. */
  message: string;
  /** Job ID. */
  job_id: string;
  /** Namespace of the job. */
  namespace: string;
  /** start, stop or restart. */
  action: string;
  /** Evaluation Nomad created, if any (in-place restarts create none). */
  eval_id: string | null;
  /** Allocations the action stopped or restarted. */
  affected_allocations: string[];
  /** start: the job's status when it was already running or pending (nothing done). */
  status?: string;
  /** start: the status the job had before it was started. */
  previous_status?: string;
  /** stop: whether the job was also purged. */
  purged?: boolean;
  /** restart: allocations whose restart Nomad refused. */
  failed?: RestartFailure[];
  /** restart: allocations not running, left alone. */
  skipped_allocations?: string[];
}

export class CreateJobResult {
  /** One sentence saying what was registered. */
  message: string;
  /** Job ID. */
  job_id: string;
  /** Namespace of the job. */
  namespace: string;
  /** Evaluation that places the allocations. */
  eval_id: string | null;
  /** True for a new job, false when an existing job was updated. */
  created: boolean;
  /** Job version after registration. */
  version: number;
  /** Nomad's warnings, if any. */
  warnings: string | null;
  /** Status of the evaluation after a short wait: complete, blocked, pending... (null when none was created). */
  eval_status: string | null;
  /** Why allocations cannot be placed, when the evaluation could not place them all (empty otherwise). */
  placement_failures: PlacementFailure[];
}

export class LogStreamResult {
  /** The last lines, oldest first. */
  lines: string[];
  /** True when the log holds earlier lines. */
  truncated: boolean;
  /** Why there are no lines, when there are none. */
  note?: string;
}

export class JobLogsResult {
  /** One sentence saying where the lines came from, or why there are none. */
  message: string;
  /** Job ID. */
  job_id: string;
  /** Namespace of the job. */
  namespace: string;
  /** Allocation read, or null when the job has none. */
  alloc_id: string | null;
  /** Allocation name. */
  alloc_name: string | null;
  /** The allocation's client status. */
  client_status: string | null;
  /** Task read. */
  task: string | null;
  /** Tasks of the allocation's group. */
  tasks: string[];
  /** stdout tail (absent when type=stderr). */
  stdout?: LogStreamResult;
  /** stderr tail (absent when type=stdout). */
  stderr?: LogStreamResult;
  /** With all_allocations: the allocations read (their lines are tagged with the first 8 characters). */
  allocations?: string[];
}
