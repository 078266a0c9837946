import { OmitType } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../core/page-query.dto';

/** Which nodes to list (in Nomad's order, by ID). */
export class ListNodesQueryDto extends PageQueryDto {
  /** The `next_token` of the previous answer, to read the next page (a node ID). */
  // no @example: Swagger UI would send it, and a made-up position shows a part of the list as if it were all of it
  @IsOptional()
  @IsString()
  @MaxLength(36)
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, { message: 'next_token must be the next_token of a previous answer' })
  next_token?: string;
}

/** Names one client node. */
export class NodeRefDto {
  /**
   * The node ID (list_nodes shows them), or a unique prefix of at least 8 hex characters.
   * @example "f476d2b4-02dc-c216-d031-273396727347"
   */
  @IsString()
  @MaxLength(36)
  @Matches(/^[0-9a-fA-F]{8}[0-9a-fA-F-]{0,28}$/, { message: 'node_id must be a node ID or a prefix of at least 8 hex characters' })
  node_id: string;
}

export class NodeListItem {
  /** Node ID. */
  id: string;
  /** Node name. */
  name: string;
  /** initializing, ready, down or disconnected. */
  status: string;
  /** eligible or ineligible (for new allocations). */
  eligibility: string;
  /** True while it is being drained. */
  drain: boolean;
  /** Node pool. */
  node_pool: string;
  /** Datacenter. */
  datacenter: string;
  /** Node class ("" when none). */
  node_class: string;
  /** Its address. */
  address: string;
  /** Nomad version of its agent. */
  version: string;
  /** Running allocations on it, in the namespaces the caller may see. */
  running_allocations: number;
}

export class ListNodesResult {
  /** One sentence: how many nodes in which state, and how to get more. */
  message: string;
  /** How many nodes the cluster has. */
  total: number;
  /** How many are on this page. */
  count: number;
  /** This page, by node ID. */
  nodes: NodeListItem[];
  /** Pass as `next_token` for the next page; null on the last. */
  next_token: string | null;
}

export class NodeDriver {
  /** Task driver: docker, exec, raw_exec, java… */
  name: string;
  /** Whether the node found it. */
  detected: boolean;
  /** Whether it works. */
  healthy: boolean;
  /** Nomad's words for its health. */
  description: string;
}

export class NodeResources {
  /** CPU of the node (MHz). */
  cpu_mhz: number;
  /** Memory of the node (MB). */
  memory_mb: number;
  /** Disk of the node (MB). */
  disk_mb: number;
  /** CPU kept back from scheduling (MHz). */
  reserved_cpu_mhz: number;
  /** Memory kept back from scheduling (MB). */
  reserved_memory_mb: number;
  /** CPU given to its allocations that still run (MHz). */
  allocated_cpu_mhz: number;
  /** Memory given to its allocations that still run (MB). */
  allocated_memory_mb: number;
}

export class NodeAllocation {
  /** Allocation ID. */
  id: string;
  /** Allocation name, `<job>.<group>[<index>]`. */
  name: string;
  /** Namespace of its job. */
  namespace: string;
  /** Job ID. */
  job_id: string;
  /** pending or running. */
  client_status: string;
  /** CPU it was given (MHz). */
  cpu_mhz: number;
  /** Memory it was given (MB). */
  memory_mb: number;
  /** When it was created (ISO 8601). */
  created_at: string | null;
}

/** One node whole: the facts the list shows (described once, in NodeListItem), and what only get_node reads. */
export class NodeResult extends OmitType(NodeListItem, ['id'] as const) {
  /** One sentence: state, eligibility, drain, what runs on it and how full it is, drivers that do not work. */
  message: string;
  /** Node ID. */
  node_id: string;
  /** Nomad's words for the status. */
  status_description: string;
  /** Its capacity, what is reserved and what its allocations use. */
  resources: NodeResources;
  /** Task drivers as the node reports them. */
  drivers: NodeDriver[];
  /** Its allocations that run or are starting, in the namespaces the caller may see, newest first (at most 20). */
  allocations: NodeAllocation[];
}
