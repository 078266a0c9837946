import { IntersectionType } from '@nestjs/swagger';
import { IsEnum, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { ConfirmableDto } from '../../../jobs/dto/confirmable.dto';
import { AllocationRefDto } from './allocation-query.dto';

/** The signals signal_allocation sends: the ones operators send on purpose (reload, reopen logs, stop). */
export enum AllocationSignal {
  SIGHUP = 'SIGHUP',
  SIGUSR1 = 'SIGUSR1',
  SIGUSR2 = 'SIGUSR2',
  SIGWINCH = 'SIGWINCH',
  SIGINT = 'SIGINT',
  SIGTERM = 'SIGTERM',
  SIGQUIT = 'SIGQUIT',
  SIGKILL = 'SIGKILL',
}

/** Signals that end a process (or ask it to end): the task stops serving until Nomad restarts it. */
export const ENDING_SIGNALS: ReadonlySet<string> = new Set([AllocationSignal.SIGINT, AllocationSignal.SIGTERM, AllocationSignal.SIGQUIT, AllocationSignal.SIGKILL]);

/** One task of the allocation, or all of them. */
export class TaskChoiceDto {
  /**
   * The one task to act on; left out, every running task of the allocation (get_allocation lists them).
   * @example "nginx"
   */
  @IsOptional()
  @IsString()
  @MaxLength(128)
  @Matches(/^[^\s\x00-\x1f\x7f]+$/, { message: 'task must be a task name (no whitespace or control characters)' })
  task?: string;
}

/** Input of restart_allocation. */
export class RestartAllocationDto extends IntersectionType(AllocationRefDto, TaskChoiceDto, ConfirmableDto) {}

/** Input of stop_allocation. */
export class StopAllocationDto extends IntersectionType(AllocationRefDto, ConfirmableDto) {}

/** Input of signal_allocation. */
export class SignalAllocationDto extends IntersectionType(AllocationRefDto, TaskChoiceDto, ConfirmableDto) {
  /**
   * The signal: SIGHUP, SIGUSR1, SIGUSR2 or SIGWINCH for programs that handle them (reload the configuration,
   * reopen logs); SIGINT, SIGTERM, SIGQUIT or SIGKILL end the process, and Nomad restarts the task.
   * @example "SIGHUP"
   */
  @IsEnum(AllocationSignal, { message: `signal must be one of: ${Object.values(AllocationSignal).join(', ')}` })
  signal: AllocationSignal;
}

export class AllocationActionResult {
  /** One sentence: what was done, and what to call next. */
  message: string;
  /** The allocation's full ID. */
  alloc_id: string;
  /** Namespace of its job. */
  namespace: string;
  /** Its job. */
  job_id: string;
  /** restart, stop or signal. */
  action: string;
  /** The tasks it reached (restart, signal); empty for stop. */
  tasks: string[];
  /** The signal sent (signal_allocation), else null. */
  signal: string | null;
  /** The evaluation that places the replacement (stop_allocation), else null. */
  eval_id: string | null;
}
