import { AllocationBrief } from '../../../jobs/dto/job-results.dto';

/** One allocation in a list: the brief that get_job_status shows, and its health in its deployment. */
export class AllocationRow extends AllocationBrief {
  /** Healthy in its deployment: true, false, or null when not (yet) judged or not part of one. */
  healthy: boolean | null;
}

export class ListAllocationsResult {
  /** One sentence: how many allocations by status, which are shown, and how to get more. */
  message: string;
  /** Job ID. */
  job_id: string;
  /** Namespace of the job. */
  namespace: string;
  /** The client status asked for, or null for all. */
  status: string | null;
  /** How many allocations match (over all pages). */
  total: number;
  /** How many are on this page. */
  count: number;
  /** This page, newest first. */
  allocations: AllocationRow[];
  /** Pass as `next_token` for the next page; null on the last. */
  next_token: string | null;
}

export class TaskEventItem {
  /** When it happened (ISO 8601). */
  time: string | null;
  /** Nomad's event type: Received, Driver, Started, Terminated, Restarting, Driver Failure, Not Restarting… */
  type: string;
  /** What Nomad says happened (its DisplayMessage). */
  message: string;
  /** Terminated: the exit code of the task's process. */
  exit_code?: number;
  /** Terminated: true when the kernel killed the task for using more memory than it was given. */
  oom_killed?: boolean;
}

export class AllocationTask {
  /** Task name. */
  name: string;
  /** pending, running or dead. */
  state: string;
  /** True when the task failed (it will not be restarted in this allocation). */
  failed: boolean;
  /** Restarts so far. */
  restarts: number;
  /** When it last started (ISO 8601). */
  started_at: string | null;
  /** When it finished (ISO 8601), for a dead task. */
  finished_at: string | null;
  /** Exit code of its last termination, if it terminated. */
  exit_code: number | null;
  /** True when its last termination was the kernel's out-of-memory kill. */
  oom_killed: boolean;
  /** CPU it was given (MHz). */
  cpu_mhz: number;
  /** Memory it was given (MB). */
  memory_mb: number;
  /** Memory it may use beyond memory_mb when the node has some free (MB); 0 when no oversubscription. */
  memory_max_mb: number;
  /** How many events Nomad keeps for the task (its last 10 at most). */
  events_total: number;
  /** Its last events, oldest first. */
  events: TaskEventItem[];
}

export class AllocationPort {
  /** Port label in the job. */
  label: string;
  /** Port on the host. */
  host_port: number;
  /** Port inside the task (0: the same as host_port). */
  to: number;
  /** Host IP the port is bound on. */
  host_ip: string | null;
}

export class AllocationResources {
  /** CPU of all its tasks (MHz). */
  cpu_mhz: number;
  /** Memory of all its tasks (MB). */
  memory_mb: number;
  /** Ephemeral disk (MB). */
  disk_mb: number;
}

export class AllocationResult {
  /** One sentence: where it runs, its state and health, and what went wrong with which task. */
  message: string;
  /** Allocation ID. */
  alloc_id: string;
  /** Allocation name, `<job>.<group>[<index>]`. */
  name: string;
  /** Namespace of its job. */
  namespace: string;
  /** Job ID. */
  job_id: string;
  /** Job version it runs. */
  job_version: number;
  /** Task group. */
  group: string;
  /** Node it was placed on. */
  node_id: string;
  /** Name of that node. */
  node_name: string;
  /** pending, running, complete, failed, lost or unknown. */
  client_status: string;
  /** Nomad's words for the client status. */
  client_description: string;
  /** run, stop or evict. */
  desired_status: string;
  /** Why it is to stop, when it is. */
  desired_description: string;
  /** Evaluation that placed it (get_evaluation explains it). */
  eval_id: string;
  /** Deployment it is part of, or null. */
  deployment_id: string | null;
  /** Healthy in that deployment: true, false, or null when not judged (yet). */
  healthy: boolean | null;
  /** True when it is a canary of its deployment. */
  canary: boolean;
  /** The allocation it replaced, or null. */
  previous_allocation: string | null;
  /** The allocation that replaced it, or null. */
  next_allocation: string | null;
  /** Task restarts so far, over all tasks. */
  restarts: number;
  /** When it was created (ISO 8601). */
  created_at: string | null;
  /** When it last changed (ISO 8601). */
  modified_at: string | null;
  /** What it was given. */
  resources: AllocationResources;
  /** Its network ports. */
  ports: AllocationPort[];
  /** Its tasks, with their last events. */
  tasks: AllocationTask[];
}
