import { IntersectionType, PickType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsEnum, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { JobRefDto } from './job-ref.dto';

export enum LogType {
  Stdout = 'stdout',
  Stderr = 'stderr',
}

/** Which log lines to read. */
export class LogOptionsDto {
  /**
   * Task whose logs to read. Defaults to the first task of the allocation's group.
   * @example "nginx"
   */
  @IsOptional()
  @IsString()
  @Matches(/^[^/\\\x00-\x1f\x7f]+$/, { message: 'task must not contain slashes or control characters' })
  task?: string;

  /**
   * `stdout` or `stderr`. Both are returned when omitted.
   * @example "stdout"
   */
  @IsOptional()
  @IsEnum(LogType, { message: 'type must be stdout or stderr' })
  type?: LogType;

  /**
   * How many lines to return from the end of the log (default 100). Left out, the answer also keeps to its newest
   * 4 KB of text, to spare the context; ask for lines explicitly (up to 5000) for more.
   * @example 100
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5000)
  lines?: number;

  /**
   * Read this allocation (full ID or a prefix of 8+ hex characters) instead of the job's latest one; the
   * allocation IDs of a job are in its status (`recent_allocations`).
   */
  // no @example: no fixed ID names an allocation of the example job, and Swagger UI would send it (-> 404)
  @IsOptional()
  @IsString()
  @Matches(/^[0-9a-fA-F-]{8,36}$/, { message: 'alloc_id must be an allocation ID or a prefix of at least 8 hex characters' })
  alloc_id?: string;
}

/** What get_job_logs adds to the log options: search, and every allocation at once. */
export class LogSearchDto {
  /**
   * Keep only the lines that contain this text, or that match `/pattern/` (`/pattern/i` ignores case); the last
   * `lines` matches among the newest 20,000 lines are returned. Patterns that can take exponential time are refused.
   */
  // no @example: Swagger UI would send it, and "try it out" should show the log as it is
  @IsOptional()
  @IsString()
  @MaxLength(200)
  grep?: string;

  /**
   * Read every running allocation of the job (at most 8; the latest ones when none runs), each line tagged with
   * its allocation's short ID and the lines ordered by their timestamps when they carry one.
   * @example false
   */
  @IsOptional()
  // a query string says "true"/"false"; JSON bodies and MCP arguments send booleans
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'all_allocations must be true or false' })
  all_allocations?: boolean;
}

/** Query of GET /api/claude/job-logs/{job_id}. */
export class JobLogsQueryDto extends IntersectionType(PickType(JobRefDto, ['namespace'] as const), IntersectionType(LogOptionsDto, LogSearchDto)) {}

/** Input of the get_job_logs tool: the job plus the log options. */
export class JobLogsRequestDto extends IntersectionType(JobRefDto, IntersectionType(LogOptionsDto, LogSearchDto)) {}
