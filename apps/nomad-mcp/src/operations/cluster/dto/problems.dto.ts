import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

/** Where to look for problems. */
export class FindProblemsQueryDto {
  /**
   * Namespace to look in; `*` looks in every namespace you may use. Defaults to the service's default namespace.
   * Node problems are always included.
   * @example "*"
   */
  @IsOptional()
  @IsString()
  @Matches(/^(\*|[a-zA-Z0-9-]{1,128})$/, { message: 'namespace must be "*" or 1-128 letters, digits or dashes' })
  namespace?: string;

  /**
   * How many problems to list at most, most urgent first (1-50, default 5); the answer counts the rest.
   * @example 10
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(50)
  limit?: number = 5;
}

/** The arguments of the tool to call next (only those it needs are set). */
export class NextCallArguments {
  /** Job ID. */
  job_id?: string;
  /** Namespace of the job. */
  namespace?: string;
  /** Allocation ID. */
  alloc_id?: string;
  /** Evaluation ID. */
  eval_id?: string;
  /** Deployment ID. */
  deployment_id?: string;
  /** Node ID. */
  node_id?: string;
}

/** The one call that says more about a problem. */
export class NextCall {
  /** The tool (or REST operation) to call. */
  tool: string;
  /** Its arguments. */
  arguments: NextCallArguments;
}

export class ProblemItem {
  /** critical (nothing serves, a node is down, nothing can be placed), error (failing, cannot be placed) or warning. */
  severity: string;
  /**
   * What kind: unplaceable, allocation_failed, crash_loop, deployment_failed, deployment_stuck, queued, node_down,
   * no_eligible_nodes, node_draining, node_ineligible, driver_unhealthy.
   */
  kind: string;
  /** Namespace of the job; null for node problems. */
  namespace: string | null;
  /** The job; null for node problems. */
  job_id: string | null;
  /** The node; null for job problems. */
  node_id: string | null;
  /** What is wrong and why, in a sentence or two (the cause: an exit code, a failed pull, a constraint, a health check). */
  summary: string;
  /** The call that shows the details. */
  next: NextCall;
}

export class ProblemCounts {
  /** Critical problems. */
  critical: number;
  /** Errors. */
  error: number;
  /** Warnings. */
  warning: number;
}

export class CheckedCounts {
  /** Jobs. */
  jobs: number;
  /** Allocations. */
  allocations: number;
  /** Client nodes. */
  nodes: number;
}

export class FindProblemsResult {
  /** One sentence: how many problems of which severity, and the most urgent one. */
  message: string;
  /** The namespace looked in (`*`: every one you may use). */
  namespace: string;
  /** How many problems were found in all. */
  total: number;
  /** They by severity. */
  counts: ProblemCounts;
  /** The most urgent ones, at most `limit`. */
  problems: ProblemItem[];
  /** How many jobs, allocations and nodes were looked at. */
  checked: CheckedCounts;
  /** What could not be looked at, and why (a Nomad token that may not read nodes…). */
  unchecked: string[];
}
