import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { JobRefDto } from '../../../jobs/dto/job-ref.dto';
import { DeploymentGroup } from './deployment.dto';

/** Input of wait_for_deployment. */
export class WaitForDeploymentDto extends JobRefDto {
  /**
   * The deployment to wait for (full ID or a prefix of 8+ hex characters); the job's latest when left out.
   * (No example: a made-up ID names no deployment, and leaving it out is what a caller usually wants.)
   */
  @IsOptional()
  @IsString()
  @MaxLength(36)
  @Matches(/^[0-9a-fA-F]{8}[0-9a-fA-F-]{0,28}$/, { message: 'deployment_id must be a deployment ID or a prefix of at least 8 hex characters' })
  deployment_id?: string;

  /**
   * How long to wait at most, in seconds (up to 900); the answer then says how far the rollout got.
   * @example 5
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'timeout_seconds must be a whole number' })
  @Min(1)
  @Max(900)
  timeout_seconds?: number = 300;
}

export class WaitForDeploymentResult {
  /** One sentence: how the rollout ended (or how far it got), and what to do next. */
  message: string;
  /** succeeded, failed, cancelled, awaiting_promotion (healthy canaries wait for promote_deployment), or timed_out (still in progress when the wait ended). */
  outcome: string;
  /** Deployment ID. */
  deployment_id: string;
  /** Job ID. */
  job_id: string;
  /** Namespace of the job. */
  namespace: string;
  /** Job version it rolls out. */
  job_version: number;
  /** Nomad's status of the deployment when the wait ended. */
  status: string;
  /** Nomad's words for the status. */
  status_description: string;
  /** How long the call waited, in seconds. */
  waited_seconds: number;
  /** Per task group, when the wait ended. */
  groups: DeploymentGroup[];
}
