import { IntersectionType } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { ConfirmableDto } from '../../../jobs/dto/confirmable.dto';
import { DeploymentRefDto } from './deployment.dto';

/** Input of fail_deployment, pause_deployment and resume_deployment: one deployment. */
export class DeploymentChangeDto extends IntersectionType(DeploymentRefDto, ConfirmableDto) {}

/** Input of promote_deployment. */
export class PromoteDeploymentDto extends DeploymentChangeDto {
  /**
   * The task groups whose canaries to promote; left out, every group's (get_deployment lists the groups and their canaries).
   * @example ["web"]
   */
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(64)
  @IsString({ each: true })
  @MaxLength(128, { each: true })
  @Matches(/^[^\s\x00-\x1f\x7f]+$/, { each: true, message: 'each group must be a task group name (no whitespace or control characters)' })
  groups?: string[];
}

export class DeploymentActionResult {
  /** One sentence: what was done, what Nomad does now, and what to call next. */
  message: string;
  /** The deployment's full ID. */
  deployment_id: string;
  /** Namespace of its job. */
  namespace: string;
  /** Its job. */
  job_id: string;
  /** The job version it rolls out. */
  job_version: number;
  /** promote, fail, pause or resume. */
  action: string;
  /** Its status after the call: running, paused, failed, successful… */
  status: string;
  /** The evaluation that carries the change out (none for a pause, or when nothing changed). */
  eval_id: string | null;
  /** The groups whose canaries were promoted (promote_deployment), else empty. */
  promoted_groups: string[];
  /** The stable version Nomad rolled the job back to (fail_deployment with auto_revert), else null. */
  reverted_to_version: number | null;
}
