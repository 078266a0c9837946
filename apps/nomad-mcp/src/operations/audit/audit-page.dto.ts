import { ApiProperty } from '@nestjs/swagger';

/** One call as the audit trail keeps it. */
export class AuditRecordDto {
  /** Record ID (time-ordered). */
  id: string;
  /** When the call started (ISO 8601). */
  time: string;
  /** Who called (the identity's name, never its key). */
  identity: string;
  /** rest, mcp or stdio. */
  transport: string;
  /** The operation called. */
  operation: string;
  /** Namespace of the call. */
  namespace: string | null;
  /** Job of the call. */
  job: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The arguments, secret values replaced by "[redacted]".' })
  arguments: Record<string, unknown>;
  /** ok, invalid, denied or error. */
  outcome: string;
  /** The HTTP status the call ended with. */
  status: number;
  /** The Nomad evaluation the call created. */
  eval_id: string | null;
  /** How long the call took. */
  duration_ms: number;
  /** Why it failed, when it did. */
  error: string | null;
}

export class AuditPageResult {
  /** One sentence: how many records, and how to get more. */
  message: string;
  /** Records on this page. */
  count: number;
  /** The records, newest first. */
  records: AuditRecordDto[];
  /** Pass as `cursor` for the next page; null on the last. */
  next_cursor: string | null;
}
