import { IsBoolean, IsEnum, IsOptional } from 'class-validator';
import { PickType } from '@nestjs/swagger';
import { JobRefDto } from './job-ref.dto';

export enum JobAction {
  Status = 'status',
  Start = 'start',
  Stop = 'stop',
  Restart = 'restart',
}

/** Body of POST /api/claude/jobs. */
export class ManageJobDto extends JobRefDto {
  /**
   * What to do: `status` reports health and problems; `start` runs a stopped job again; `stop` stops it
   * (deregisters); `restart` restarts its running allocations one after another.
   * @example "status"
   */
  @IsEnum(JobAction, { message: 'action must be one of: status, start, stop, restart' })
  action: JobAction;

  /**
   * With `stop` only: also remove the job from Nomad, so it no longer shows in lists and cannot be started again.
   * @example false
   */
  @IsOptional()
  @IsBoolean()
  purge?: boolean = false;
}

/** Input of the stop_job tool. */
export class StopJobDto extends PickType(ManageJobDto, ['job_id', 'namespace', 'purge'] as const) {}
