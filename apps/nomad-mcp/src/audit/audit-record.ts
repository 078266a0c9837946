/** The transports a call can arrive by: REST, MCP over HTTP, MCP over stdio; `ui` is a decision on the approval page. */
export type AuditTransport = 'rest' | 'mcp' | 'stdio' | 'ui';

/**
 * How a call ended (the executor's Outcome): ok; planned (a change that needs confirmation answered its plan
 * and changed nothing); invalid input; denied by policy; error.
 */
export const AUDIT_OUTCOMES = ['ok', 'planned', 'invalid', 'denied', 'error'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** One call, as the audit trail keeps it. */
export interface AuditRecord {
  /** Unique; time-ordered when made by newAuditId, so records of one millisecond keep their order. */
  id: string;
  /** ISO 8601 UTC time the call started (`2026-11-29T20:37:06.123Z`). */
  time: string;
  /** The caller's name (never its key). */
  identity: string;
  transport: AuditTransport;
  operation: string;
  namespace: string | null;
  job: string | null;
  /** The call's arguments, secret values replaced by "[redacted]" (see redactArguments). */
  arguments: unknown;
  outcome: AuditOutcome;
  /** The HTTP status the call ended with. */
  status: number;
  eval_id: string | null;
  duration_ms: number;
  /** The error message when the call failed, at most ERROR_MAX_CHARS characters. */
  error: string | null;
}

/** What record() takes: a record whose id and time are filled in when missing. */
export type AuditEntry = Omit<AuditRecord, 'id' | 'time'> & { id?: string; time?: string };

/** Which records query() returns; every field narrows, none is required. */
export interface AuditFilter {
  identity?: string;
  job?: string;
  operation?: string;
  outcome?: AuditOutcome;
  /** Records at or after this time (ISO string or Date). */
  since?: string | Date;
  /** Records before this time (ISO string or Date; exclusive, so `until` of one page is `since` of the next). */
  until?: string | Date;
  /** Page size, 1..AUDIT_MAX_LIMIT; AUDIT_DEFAULT_LIMIT when unset. */
  limit?: number;
  /** The next_cursor of the previous page. */
  cursor?: string;
}

/** One page of records, newest first; next_cursor is null on the last page. */
export interface AuditPage {
  records: AuditRecord[];
  next_cursor: string | null;
}

export const ERROR_MAX_CHARS = 1000;
export const AUDIT_DEFAULT_LIMIT = 100;
export const AUDIT_MAX_LIMIT = 1000;
