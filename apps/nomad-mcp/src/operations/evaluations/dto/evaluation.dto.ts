import { IsString, Matches, MaxLength } from 'class-validator';
import { PlacementFailure } from '../../../jobs/dto/job-results.dto';

/** Names one evaluation. */
export class EvaluationRefDto {
  /**
   * The evaluation ID (eval_id in the answers of create_job, start_job, stop_job and get_allocation), or a unique prefix of at least 8 hex characters.
   * @example "cb20d15d-861f-8d8d-8253-e93932beea2e"
   */
  @IsString()
  @MaxLength(36)
  @Matches(/^[0-9a-fA-F]{8}[0-9a-fA-F-]{0,28}$/, { message: 'eval_id must be an evaluation ID or a prefix of at least 8 hex characters' })
  eval_id: string;
}

export class NodeCount {
  /** A constraint (e.g. "${attr.kernel.name} = linux", "missing drivers") or an exhausted dimension (memory, cpu, "network: reserved port collision http=8080"). */
  name: string;
  /** How many nodes it ruled out. */
  nodes: number;
}

export class GroupCount {
  /** Task group. */
  group: string;
  /** How many allocations. */
  count: number;
}

/** A group's placement failure with Nomad's numbers behind the words. */
export class EvaluationPlacementFailure extends PlacementFailure {
  /** Nodes the scheduler looked at. */
  nodes_evaluated: number;
  /** Nodes ruled out by constraints (or class). */
  nodes_filtered: number;
  /** Nodes that matched but had too little of something. */
  nodes_exhausted: number;
  /** Constraints that filtered nodes out, with how many each. */
  constraints: NodeCount[];
  /** Dimensions that were exhausted (cpu, memory, ports…), with on how many nodes. */
  exhausted: NodeCount[];
}

export class EvaluationResult {
  /** One sentence: what triggered it, its status, what it placed, and why anything could not be placed. */
  message: string;
  /** Evaluation ID. */
  eval_id: string;
  /** Namespace of its job. */
  namespace: string;
  /** Job ID. */
  job_id: string;
  /** service, batch, system or sysbatch (the scheduler that ran it). */
  type: string;
  /** What created it: job-register, job-deregister, alloc-failure, deployment-watcher, queued-allocs, node-update… */
  triggered_by: string;
  /** pending, blocked, complete, failed or canceled. */
  status: string;
  /** Nomad's words for the status. */
  status_description: string;
  /** Scheduling priority. */
  priority: number;
  /** Deployment it belongs to, or null. */
  deployment_id: string | null;
  /** Node whose change triggered it, or null. */
  node_id: string | null;
  /** The evaluation this one follows up, or null. */
  previous_eval: string | null;
  /** The evaluation that follows this one (e.g. a delayed reschedule), or null. */
  next_eval: string | null;
  /** The blocked evaluation created to place what this one could not, or null. */
  blocked_eval: string | null;
  /** When it was created (ISO 8601). */
  created_at: string | null;
  /** When it last changed (ISO 8601). */
  modified_at: string | null;
  /** Allocations it placed. */
  placed_allocations: number;
  /** Allocations it could not place yet, by group. */
  queued: GroupCount[];
  /** Why allocations could not be placed, group by group (empty when everything was placed). */
  placement_failures: EvaluationPlacementFailure[];
}
