import { IntersectionType } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { JobRefDto } from '../../../jobs/dto/job-ref.dto';
import { PageQueryDto } from '../../core/page-query.dto';

/** Which deployments of a job to list, newest first. */
export class ListDeploymentsQueryDto extends IntersectionType(JobRefDto, PageQueryDto) {
  /** The `next_token` of the previous answer, to read the next page (`<CreateIndex>.<deployment ID>`). */
  // no @example: Swagger UI would send it, and a made-up position shows a part of the list as if it were all of it
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(/^\d{1,20}\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, { message: 'next_token must be the next_token of a previous answer' })
  next_token?: string;
}

/** Names one deployment. */
export class DeploymentRefDto {
  /**
   * The deployment ID (list_deployments and get_job_status show them), or a unique prefix of at least 8 hex characters.
   * @example "6d0d0c4f-0e6a-4d2b-9a57-3c3bb4d5b0e1"
   */
  @IsString()
  @MaxLength(36)
  @Matches(/^[0-9a-fA-F]{8}[0-9a-fA-F-]{0,28}$/, { message: 'deployment_id must be a deployment ID or a prefix of at least 8 hex characters' })
  deployment_id: string;
}

export class DeploymentListItem {
  /** Deployment ID. */
  id: string;
  /** Job version it rolls out. */
  job_version: number;
  /** running, paused, successful, failed, cancelled, pending, blocked… */
  status: string;
  /** Nomad's words for the status. */
  description: string;
  /** Allocations wanted, over all groups. */
  desired: number;
  /** Allocations placed so far. */
  placed: number;
  /** Placed allocations that turned healthy. */
  healthy: number;
  /** Placed allocations that turned unhealthy. */
  unhealthy: number;
  /** When it started (ISO 8601). */
  created_at: string | null;
}

export class ListDeploymentsResult {
  /** One sentence: how many deployments and how the latest went. */
  message: string;
  /** Job ID. */
  job_id: string;
  /** Namespace of the job. */
  namespace: string;
  /** How many deployments the job has. */
  total: number;
  /** How many are on this page. */
  count: number;
  /** This page, newest first. */
  deployments: DeploymentListItem[];
  /** Pass as `next_token` for the next page; null on the last. */
  next_token: string | null;
}

export class DeploymentGroup {
  /** Task group. */
  group: string;
  /** Allocations wanted. */
  desired: number;
  /** Allocations placed so far. */
  placed: number;
  /** Placed allocations that turned healthy. */
  healthy: number;
  /** Placed allocations that turned unhealthy. */
  unhealthy: number;
  /** Canaries wanted before the rollout goes on. */
  desired_canaries: number;
  /** Canaries placed. */
  placed_canaries: number;
  /** Whether its canaries were promoted. */
  promoted: boolean;
  /** Whether Nomad promotes the canaries itself once healthy. */
  auto_promote: boolean;
  /** Whether a failed rollout reverts the job to its last stable version. */
  auto_revert: boolean;
  /** How long an allocation may take to turn healthy before the rollout fails (e.g. "10m"), or null for none. */
  progress_deadline: string | null;
  /** By when the next allocation must turn healthy (RFC 3339), or null. */
  require_progress_by: string | null;
}

export class DeploymentResult {
  /** One sentence: the rollout's status and each group's progress. */
  message: string;
  /** Deployment ID. */
  deployment_id: string;
  /** Namespace of its job. */
  namespace: string;
  /** Job ID. */
  job_id: string;
  /** Job version it rolls out. */
  job_version: number;
  /** running, paused, successful, failed, cancelled, pending, blocked… */
  status: string;
  /** Nomad's words for the status. */
  status_description: string;
  /** When it started (ISO 8601). */
  created_at: string | null;
  /** When it last changed (ISO 8601). */
  modified_at: string | null;
  /** Progress per task group. */
  groups: DeploymentGroup[];
}
