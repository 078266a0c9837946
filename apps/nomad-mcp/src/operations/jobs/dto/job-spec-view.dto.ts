/** Answer of get_job_spec: the registered spec, compacted for a model (env values never shown). */

export class TaskSpecView {
  /** Task name. */
  name: string;
  /** Task driver (docker, exec, raw_exec, java…). */
  driver: string;
  /** The container image (docker and podman), else null. */
  image: string | null;
  /** The command and its arguments when the config sets them, else null. */
  command: string | null;
  /** What one instance reserves, e.g. "cpu 100 MHz, memory 128 MB". */
  resources: string;
  /** Names of its environment variables (values are never shown). */
  env: string[];
  /** Its own services, e.g. "api (consul) on port http, 1 check". */
  services: string[];
  /** Its meta, if any. */
  meta: Record<string, string> | null;
}

export class GroupSpecView {
  /** Task group name. */
  name: string;
  /** Desired number of allocations. */
  count: number;
  /** Ports, e.g. "http → 80 (dynamic host port)" or "admin 9090 → 9090 (static)". */
  ports: string[];
  /** Group services, e.g. "web (nomad) on port http, 1 check". */
  services: string[];
  /** Rolling update policy in words (null for batch jobs). */
  update: string | null;
  /** Restart policy in words. */
  restart: string;
  /** Reschedule policy in words (null for system jobs). */
  reschedule: string | null;
  /** Constraints of the group and its tasks, e.g. "${attr.kernel.name} = linux". */
  constraints: string[];
  /** Its meta, if any. */
  meta: Record<string, string> | null;
  /** Its tasks. */
  tasks: TaskSpecView[];
}

export class JobSpecSource {
  /** The format Nomad kept it in: hcl2 or json. */
  format: string;
  /** The source as registered, env values, template data and secret-named attributes hidden; cut when long. */
  text: string;
  /** How long the (hidden-values) source is in all, in characters. */
  total_chars: number;
  /** True when `text` is only the beginning. */
  truncated: boolean;
}

export class JobSpecResult {
  /** One sentence: what the job is and runs. */
  message: string;
  /** Job ID. */
  job_id: string;
  /** Namespace of the job. */
  namespace: string;
  /** The version shown (the current one). */
  version: number;
  /** service, batch, system or sysbatch. */
  type: string;
  /** Scheduling priority, 1-100. */
  priority: number;
  /** Datacenters it may run in. */
  datacenters: string[];
  /** Node pool it runs in. */
  node_pool: string | null;
  /** True when the job is stopped. */
  stopped: boolean;
  /** Periodic or parameterized, in words, else null. */
  launch: string | null;
  /** Job-level constraints. */
  constraints: string[];
  /** The job's meta, if any. */
  meta: Record<string, string> | null;
  /** Its task groups (the first 10; `groups_total` says how many there are). */
  groups: GroupSpecView[];
  /** How many task groups the job has. */
  groups_total: number;
  /** The source (HCL) Nomad kept with this version, when the register sent one; else null. */
  source: JobSpecSource | null;
}
