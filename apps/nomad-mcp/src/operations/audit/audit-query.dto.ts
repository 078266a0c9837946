import { Transform, Type } from 'class-transformer';
import { IsEnum, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { AUDIT_TIME_FORMS, auditTime } from '../../audit/audit-time';

export enum AuditOutcomeFilter {
  Ok = 'ok',
  Planned = 'planned',
  Invalid = 'invalid',
  Denied = 'denied',
  Error = 'error',
}

/** Which audit records to read, newest first. */
export class AuditQueryDto {
  /**
   * Only the calls of this identity (its name, e.g. `ci-bot` or `key-1a2b3c4d`).
   * @example "local"
   */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  identity?: string;

  /**
   * Only calls about this job ID.
   * @example "example-job"
   */
  @IsOptional()
  @IsString()
  @MaxLength(256)
  job?: string;

  /**
   * Only calls of this operation, e.g. `stop_job`.
   * @example "create_job"
   */
  @IsOptional()
  @Matches(/^[a-z_]{1,64}$/, { message: 'operation must be an operation name such as stop_job' })
  operation?: string;

  /**
   * Only calls that ended so: ok, planned (answered a plan awaiting confirmation), invalid, denied or error.
   * @example "ok"
   */
  @IsOptional()
  @IsEnum(AuditOutcomeFilter, { message: `outcome must be one of: ${Object.values(AuditOutcomeFilter).join(', ')}` })
  outcome?: AuditOutcomeFilter;

  /**
   * Calls at or after this time: ISO 8601, or a duration back from now (30m, 2h, 7d).
   * @example "2h"
   */
  @IsOptional()
  @Transform(({ value }) => auditTime(value))
  @IsISO8601({}, { message: `since must be ${AUDIT_TIME_FORMS}` })
  since?: string;

  /** Calls before this time: ISO 8601, or a duration back from now (30m, 2h, 7d). */
  @IsOptional()
  @Transform(({ value }) => auditTime(value))
  @IsISO8601({}, { message: `until must be ${AUDIT_TIME_FORMS}` })
  until?: string;

  /**
   * How many records at most (1-200).
   * @example 20
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number = 20;

  /** The `next_cursor` of the previous page. */
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}
