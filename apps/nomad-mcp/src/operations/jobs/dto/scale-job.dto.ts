import { IntersectionType } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { ConfirmableDto } from '../../../jobs/dto/confirmable.dto';
import { JobRefDto } from '../../../jobs/dto/job-ref.dto';

/** Input of scale_job. */
export class ScaleJobDto extends IntersectionType(JobRefDto, ConfirmableDto) {
  /**
   * The task group to scale; may be left out when the job has one group.
   * @example "web"
   */
  @IsOptional()
  @IsString()
  @MaxLength(128)
  @Matches(/^[^\s\x00-\x1f\x7f]+$/, { message: 'group must be a task group name (no whitespace or control characters)' })
  group?: string;

  /**
   * The group's new count of allocations (0 stops them all; the job stays registered).
   * @example 3
   */
  @IsInt({ message: 'count must be a whole number' })
  @Min(0)
  @Max(10000)
  count: number;

  /**
   * Why, recorded with Nomad's scaling event (shown by `nomad job scaling-events`).
   * @example "more traffic expected for the launch"
   */
  @IsOptional()
  @IsString()
  @MaxLength(256)
  reason?: string;
}

export class ScaleJobResult {
  /** One sentence saying what changed. */
  message: string;
  /** Job ID. */
  job_id: string;
  /** Namespace of the job. */
  namespace: string;
  /** The scaled task group. */
  group: string;
  /** Its count before. */
  previous_count: number;
  /** Its count now. */
  count: number;
  /** The evaluation that places or stops allocations (null when nothing changed). */
  eval_id: string | null;
  /** Nomad's warnings, if any. */
  warnings: string | null;
}
