import { IntersectionType } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';
import { ConfirmableDto } from '../../../jobs/dto/confirmable.dto';
import { NodeRefDto } from './node.dto';

/** Input of drain_node. */
export class DrainNodeDto extends IntersectionType(NodeRefDto, ConfirmableDto) {
  /**
   * true drains the node (or updates a drain under way); false cancels a drain and makes the node eligible again.
   * @example true
   */
  @IsOptional()
  @IsBoolean({ message: 'enable must be true or false' })
  enable?: boolean = true;

  /**
   * Seconds after which whatever still runs on the node is stopped (batch work may run until then): -1 stops
   * everything now, 0 sets no deadline. Nomad's CLI default is one hour.
   * @example 3600
   */
  @IsOptional()
  @IsInt({ message: 'deadline_seconds must be a whole number of seconds' })
  @Min(-1)
  @Max(31_536_000)
  deadline_seconds?: number = 3600;

  /**
   * Leave the allocations of system jobs running on the node (they are otherwise stopped last).
   * @example false
   */
  @IsOptional()
  @IsBoolean({ message: 'ignore_system_jobs must be true or false' })
  ignore_system_jobs?: boolean = false;
}

/** Input of set_node_eligibility. */
export class NodeEligibilityDto extends IntersectionType(NodeRefDto, ConfirmableDto) {
  /**
   * false: no new allocations are placed on the node (those running stay); true: it takes new ones again.
   * @example false
   */
  @IsBoolean({ message: 'eligible must be true or false' })
  eligible: boolean;
}

export class MovingAllocation {
  /** Allocation ID. */
  id: string;
  /** Allocation name, `<job>.<group>[<index>]`. */
  name: string;
  /** Namespace of its job. */
  namespace: string;
  /** Job ID. */
  job_id: string;
  /** service, batch or system: how the drain treats it (migrated, left to the deadline, stopped last). */
  job_type: string;
}

export class DrainNodeResult {
  /** One sentence: what the drain does now, and what to call to follow it. */
  message: string;
  /** Node ID. */
  node_id: string;
  /** Node name. */
  name: string;
  /** Whether the node is draining now. */
  drain: boolean;
  /** eligible or ineligible (for new allocations), now. */
  eligibility: string;
  /** The drain's deadline in seconds (-1 force, 0 none); null when the drain was cancelled. */
  deadline_seconds: number | null;
  /** Whether system jobs' allocations stay. */
  ignore_system_jobs: boolean;
  /** The allocations the drain moves or stops, in the namespaces the caller may see (at most 20). */
  allocations: MovingAllocation[];
  /** How many allocations the drain moves or stops in all (those of namespaces the caller may not see included). */
  allocations_total: number;
  /** Evaluations Nomad created (when a cancelled drain made the node eligible). */
  eval_ids: string[];
}

export class NodeEligibilityResult {
  /** One sentence: the node's eligibility now and what it means for its allocations. */
  message: string;
  /** Node ID. */
  node_id: string;
  /** Node name. */
  name: string;
  /** eligible or ineligible, now. */
  eligibility: string;
  /** What it was before the call. */
  previous_eligibility: string;
  /** Whether the call changed it. */
  changed: boolean;
  /** How many allocations run on the node (in every namespace). */
  running_allocations: number;
  /** Evaluations Nomad created (when the node became eligible, for system jobs and blocked placements). */
  eval_ids: string[];
}
