import { IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ConfirmableDto } from '../../../jobs/dto/confirmable.dto';
import { JobRefDto } from '../../../jobs/dto/job-ref.dto';

/** Input of list_job_versions. */
export class JobVersionsQueryDto extends JobRefDto {
  /**
   * How many versions, newest first.
   * @example 5
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(50)
  limit?: number = 5;
}

export class JobVersionSummary {
  /** Version number. */
  version: number;
  /** Whether Nomad marked it stable (a deployment of it succeeded). */
  stable: boolean;
  /** When it was registered (ISO 8601). */
  submitted: string | null;
  /** What changed from the version before it, as +/-/~ lines (env values never shown). */
  changes: string[];
}

export class JobVersionsResult {
  /** One sentence: the current version and what the last change was. */
  message: string;
  /** Job ID. */
  job_id: string;
  /** Namespace of the job. */
  namespace: string;
  /** The version Nomad runs now. */
  current_version: number;
  /** Newest first. */
  versions: JobVersionSummary[];
  /** How many versions Nomad keeps in all. */
  total: number;
}

/** Input of revert_job. */
export class RevertJobDto extends IntersectionType(JobRefDto, ConfirmableDto) {
  /**
   * The version to go back to (list_job_versions shows them); Nomad registers its spec as a new version.
   * @example 0
   */
  @IsInt({ message: 'version must be a whole number' })
  @Min(0)
  version: number;
}

export class RevertJobResult {
  /** One sentence saying what was reverted. */
  message: string;
  /** Job ID. */
  job_id: string;
  /** Namespace of the job. */
  namespace: string;
  /** The version that was current before. */
  previous_version: number;
  /** The version whose spec now runs again. */
  reverted_to: number;
  /** The evaluation that rolls it out. */
  eval_id: string | null;
}
