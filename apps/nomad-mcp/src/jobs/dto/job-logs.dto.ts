import { IntersectionType, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsEnum, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
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
   * How many lines to return from the end of the log.
   * @example 100
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5000)
  lines?: number = 100;

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

/** Query of GET /api/claude/job-logs/{job_id}. */
export class JobLogsQueryDto extends IntersectionType(PickType(JobRefDto, ['namespace'] as const), LogOptionsDto) {}

/** Input of the get_job_logs tool: the job plus the log options. */
export class JobLogsRequestDto extends IntersectionType(JobRefDto, LogOptionsDto) {}
