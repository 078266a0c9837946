import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, Matches, MaxLength, registerDecorator, ValidationOptions } from 'class-validator';
import { ConfirmableDto } from '../../../jobs/dto/confirmable.dto';
import { JobRefDto } from '../../../jobs/dto/job-ref.dto';

/** Nomad's DispatchPayloadSizeLimit (nomad/job_endpoint.go): bytes of the payload before base64. */
export const DISPATCH_PAYLOAD_MAX_BYTES = 16 * 1024;

/** Meta for a dispatch: at most 64 keys (no whitespace or control characters) to string values of at most 4 KiB. */
function IsDispatchMeta(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isDispatchMeta',
      target: target.constructor,
      propertyName,
      options: { message: 'meta must map keys (no whitespace or control characters, at most 128 characters) to string values (at most 4096 characters), at most 64 entries', ...options },
      validator: {
        validate(value: unknown) {
          if (value === undefined || value === null) return true;
          if (typeof value !== 'object' || Array.isArray(value)) return false;
          const entries = Object.entries(value as Record<string, unknown>);
          return entries.length <= 64 && entries.every(([k, v]) => /^[^\s\x00-\x1f\x7f]{1,128}$/.test(k) && typeof v === 'string' && v.length <= 4096);
        },
      },
    });
}

/** A string of at most `max` bytes in UTF-8 (the size Nomad counts). */
function MaxUtf8Bytes(max: number, options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'maxUtf8Bytes',
      target: target.constructor,
      propertyName,
      constraints: [max],
      options: { message: `payload must be at most ${max} bytes (Nomad's limit for a dispatch payload)`, ...options },
      validator: { validate: (value: unknown) => typeof value !== 'string' || Buffer.byteLength(value, 'utf8') <= max },
    });
}

/** Input of dispatch_job. */
export class DispatchJobDto extends IntersectionType(JobRefDto, ConfirmableDto) {
  // described here, not in a comment: an explicit @ApiProperty replaces what the plugin reads from comments
  @IsOptional()
  @IsObject()
  @IsDispatchMeta()
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: "Meta for the dispatched job: every key the job's meta_required lists, and any of its meta_optional; Nomad refuses other keys.",
    example: { customer: 'acme' },
  })
  meta?: Record<string, string>;

  /**
   * Input for the dispatched job, as text (sent to Nomad base64-encoded; the task reads it from its
   * dispatch_payload file). At most 16 KiB. Required or forbidden by some jobs (their `parameterized.payload`).
   * @example "{\"invoice\": 42}"
   */
  @IsOptional()
  @IsString()
  @MaxUtf8Bytes(DISPATCH_PAYLOAD_MAX_BYTES)
  payload?: string;

  /**
   * Makes the dispatch safe to retry: a repeat with the same token answers the job the first call dispatched
   * and starts nothing new.
   * @example "invoice-42"
   */
  @IsOptional()
  @IsString()
  @MaxLength(128)
  @Matches(/^[^\s\x00-\x1f\x7f]+$/, { message: 'idempotency_token must not contain whitespace or control characters' })
  idempotency_token?: string;
}

export class DispatchJobResult {
  /** One sentence: which job was dispatched, as what. */
  message: string;
  /** The parameterized (parent) job. */
  job_id: string;
  /** Namespace of both jobs. */
  namespace: string;
  /** The dispatched child job, `<job_id>/dispatch-<unix time>-<8 hex>`: pass it to get_job_status. */
  dispatched_job_id: string;
  /** The evaluation that places the child (null when an idempotency_token matched an earlier dispatch). */
  eval_id: string | null;
  /** True when the idempotency_token matched an earlier dispatch: nothing new was started. */
  already_dispatched: boolean;
}

/** Input of force_periodic_job. */
export class ForcePeriodicJobDto extends IntersectionType(JobRefDto, ConfirmableDto) {}

/**
 * JobRefDto's job_id (validators, pattern, description kept: Swagger merges this over the inherited
 * schema) with examples that name a parameterized and a periodic job, so "Try it out" sends a job that
 * can be dispatched or forced.
 */
ApiProperty({ example: 'invoice-run' })(DispatchJobDto.prototype, 'job_id');
ApiProperty({ example: 'cleanup-cron' })(ForcePeriodicJobDto.prototype, 'job_id');

export class ForcePeriodicJobResult {
  /** One sentence: which job was launched, as what. */
  message: string;
  /** The periodic (parent) job. */
  job_id: string;
  /** Namespace of both jobs. */
  namespace: string;
  /** The launched child job, `<job_id>/periodic-<unix time>`: pass it to get_job_status. */
  child_job_id: string;
  /** The evaluation that places the child. */
  eval_id: string;
}
