/** Answers of the Jobs operations, shaped for a language model: a sentence plus structured fields. */

export interface AllocationCounts {
  running: number;
  pending: number;
  complete: number;
  failed: number;
  lost: number;
  queued: number;
}

export interface JobListItem {
  id: string;
  name: string;
  namespace: string;
  type: string;
  status: string;
  stopped: boolean;
  priority: number;
  datacenters: string[];
  allocations: AllocationCounts;
  submitted_at: string | null;
}

export interface ListJobsResult {
  message: string;
  namespace: string;
  count: number;
  jobs: JobListItem[];
}

export interface TaskProblem {
  alloc_id: string;
  task: string;
  event: string;
  message: string;
  time: string | null;
}

export interface PlacementFailure {
  group: string;
  unplaced: number;
  reason: string;
}

export interface AllocationBrief {
  id: string;
  name: string;
  group: string;
  node: string;
  version: number;
  client_status: string;
  desired_status: string;
  restarts: number;
  created_at: string | null;
}

export interface JobStatusResult {
  message: string;
  job_id: string;
  namespace: string;
  name: string;
  type: string;
  status: string;
  stopped: boolean;
  version: number;
  stable: boolean;
  submitted_at: string | null;
  groups: Array<{ name: string; desired: number }>;
  allocations: AllocationCounts;
  latest_deployment: { id: string; status: string; description: string; version: number } | null;
  problems: TaskProblem[];
  placement_failures: PlacementFailure[];
  recent_allocations: AllocationBrief[];
}

export interface JobActionResult {
  message: string;
  job_id: string;
  namespace: string;
  action: string;
  eval_id: string | null;
  affected_allocations: string[];
  [extra: string]: unknown;
}

export interface CreateJobResult {
  message: string;
  job_id: string;
  namespace: string;
  eval_id: string | null;
  created: boolean;
  version: number;
  warnings: string | null;
}

export interface LogStreamResult {
  lines: string[];
  truncated: boolean;
  note?: string;
}

export interface JobLogsResult {
  message: string;
  job_id: string;
  namespace: string;
  alloc_id: string | null;
  alloc_name: string | null;
  client_status: string | null;
  task: string | null;
  tasks: string[];
  stdout?: LogStreamResult;
  stderr?: LogStreamResult;
}
