import { IsBoolean, IsEnum, IsOptional } from 'class-validator';
import { IntersectionType, PickType } from '@nestjs/swagger';
import { ConfirmableDto } from './confirmable.dto';
import { JobRefDto } from './job-ref.dto';

export enum JobAction {
  Status = 'status',
  Start = 'start',
  Stop = 'stop',
  Restart = 'restart',
}

/** Body of POST /api/claude/jobs. */
export class ManageJobDto extends IntersectionType(JobRefDto, ConfirmableDto) {
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
export class StopJobDto extends PickType(ManageJobDto, ['job_id', 'namespace', 'purge', 'confirm_token'] as const) {}

/** Input of start_job and restart_job: one job, and the confirmation token when the change needs one. */
export class JobChangeDto extends PickType(ManageJobDto, ['job_id', 'namespace', 'confirm_token'] as const) {}
