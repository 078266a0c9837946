import { IsEnum, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export enum JobStatus {
  Pending = 'pending',
  Running = 'running',
  Dead = 'dead',
}

/** Query of GET /api/claude/list-jobs. */
export class ListJobsQueryDto {
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
   * Only jobs with this Nomad status (filtered by Nomad itself).
   * @example "running"
   */
  @IsOptional()
  @IsEnum(JobStatus, { message: 'status must be one of: pending, running, dead' })
  status?: JobStatus;
}
