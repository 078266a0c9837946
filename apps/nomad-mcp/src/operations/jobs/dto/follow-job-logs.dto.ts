import { IntersectionType, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsEnum, IsInt, IsOptional, Max, Min } from 'class-validator';
import { LogOptionsDto, LogType } from '../../../jobs/dto/job-logs.dto';
import { JobRefDto } from '../../../jobs/dto/job-ref.dto';

/** Input of follow_job_logs. */
export class FollowJobLogsDto extends IntersectionType(JobRefDto, PickType(LogOptionsDto, ['task', 'alloc_id'] as const)) {
  /**
   * Which stream to follow.
   * @example "stdout"
   */
  @IsOptional()
  @IsEnum(LogType, { message: 'type must be stdout or stderr' })
  type?: LogType = LogType.Stdout;

  /**
   * How long to follow, in seconds (up to 300); the call returns earlier once max_lines new lines arrived.
   * @example 2
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'seconds must be a whole number' })
  @Min(1)
  @Max(300)
  seconds?: number = 20;

  /**
   * Stop after this many new lines (up to 1000).
   * @example 5
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'max_lines must be a whole number' })
  @Min(1)
  @Max(1000)
  max_lines?: number = 100;
}

export class FollowJobLogsResult {
  /** One sentence: how many new lines arrived from which task, and why the follow ended. */
  message: string;
  /** Job ID. */
  job_id: string;
  /** Namespace of the job. */
  namespace: string;
  /** The allocation followed (null when the job has none yet). */
  alloc_id: string | null;
  /** The task followed. */
  task: string | null;
  /** stdout or stderr. */
  type: string;
  /** The new lines, oldest first (each at most 2 KiB; at most max_lines). */
  lines: string[];
  /** Why it ended: max_lines, seconds, the log ended (the task stopped), not started (the task never ran: no log), or no allocation. */
  ended_by: string;
}
