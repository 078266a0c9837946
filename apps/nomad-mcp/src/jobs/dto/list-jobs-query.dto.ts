import { Type } from 'class-transformer';
import { IsEnum, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { PageQueryDto } from '../../operations/core/page-query.dto';

export enum JobStatus {
  Pending = 'pending',
  Running = 'running',
  Dead = 'dead',
}

/** Query of GET /api/claude/list-jobs. */
export class ListJobsQueryDto extends PageQueryDto {
  /**
   * How many jobs at most (1-100, default 10). The answer says how to get the next ones.
   * @example 10
   */
  // a job row is larger than the other lists' rows: 20 of them made a REST answer of 6 KB, over the 4 KB budget
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  override limit?: number = 10;

  /**
   * Namespace to list; `*` lists every namespace. Defaults to the service's default namespace.
   * @example "development"
   */
  @IsOptional()
  @IsString()
  @Matches(/^(\*|[a-zA-Z0-9-]{1,128})$/, { message: 'namespace must be "*" or 1-128 letters, digits or dashes' })
  namespace?: string;

  /**
   * Only jobs whose ID starts with this text.
   * @example "example"
   */
  @IsOptional()
  @IsString()
  @MaxLength(256)
  prefix?: string;

  /**
   * Only jobs with this Nomad status.
   * @example "running"
   */
  @IsOptional()
  @IsEnum(JobStatus, { message: 'status must be one of: pending, running, dead' })
  status?: JobStatus;

  /** The `next_token` of the previous answer, to read the next page (`<namespace>.<job ID>`). */
  // no @example: Swagger UI would send it, and a made-up position shows a part of the list as if it were all of it
  @IsOptional()
  @IsString()
  @MaxLength(400)
  @Matches(/^[a-zA-Z0-9-]{1,128}\.[^\x00-\x1f]{1,256}$/, { message: 'next_token must be the next_token of a previous answer' })
  next_token?: string;
}
