import { encodeCursor } from '../../audit/audit-cursor';
import type { AuditRecord } from '../../audit/audit-record';
import { AuditStore } from '../../audit/audit.store';
import { plural } from '../../jobs/job-diagnosis';
import { Operation, OperationContext, OperationHandler } from '../core/operation';
import { DEFAULT_PAGE_SIZE, fitsAnswer, itemsWithin } from '../core/paging';
import { table } from '../core/render';
import { AuditPageResult, AuditRecordDto } from './audit-page.dto';
import { AuditQueryDto } from './audit-query.dto';

@Operation({
  name: 'list_audit_records',
  title: 'Read the audit trail',
  description:
    'Read the audit trail: who called which operation on which job, when, with what outcome and Nomad evaluation (newest first; ' +
    'secret argument values are redacted). Filter by identity, job, operation, outcome, since/until; page with next_cursor. Needs the admin scope. Read-only.',
  input: AuditQueryDto,
  output: AuditPageResult,
  annotations: { readOnly: true, destructive: false, idempotent: true },
  permission: 'admin',
  order: 9000,
  rest: { method: 'GET', path: '/api/audit' },
})
export class ListAuditRecordsOp implements OperationHandler<AuditQueryDto, AuditPageResult> {
  constructor(private readonly audit: AuditStore) {}

  async run(_ctx: OperationContext, q: AuditQueryDto): Promise<AuditPageResult> {
    const limit = q.limit ?? DEFAULT_PAGE_SIZE;
    const page = await this.audit.query({ ...q, limit });
    // a record holds a call's arguments: a default page is also kept within 4 KB of answer (long arguments cut
    // short), the rest behind the cursor
    const fit = fitsAnswer(limit, (r: AuditRecord) => r);
    const shown = fit ? page.records.map(withShortArguments) : page.records;
    const kept = fit ? itemsWithin(shown, fit) : shown.length;
    const nextCursor = kept < shown.length ? encodeCursor(shown[kept - 1]) : page.next_cursor ?? null;
    const records = shown.slice(0, kept) as unknown as AuditRecordDto[];
    const cut = shown.slice(0, kept).some((r, i) => r !== page.records[i]);
    return {
      message: records.length
        ? `${plural(records.length, 'record')}, newest first${kept < page.records.length ? ' (a default page is kept within 4 KB)' : ''}${nextCursor ? '; more with cursor=next_cursor' : ''}.` +
          (cut ? ` Long arguments are cut short here; limit above ${DEFAULT_PAGE_SIZE} (with job or operation to narrow) shows them whole.` : '')
        : 'No audit records match.',
      count: records.length, records, next_cursor: nextCursor,
    };
  }

  render(r: AuditPageResult): string {
    if (!r.records.length) return r.message;
    return `${r.message}\n\n${table(r.records as never, ['time', 'identity', 'operation', 'namespace', 'job', 'outcome', 'status', 'eval_id'])}${r.next_cursor ? `\n\nnext_cursor: ${r.next_cursor}` : ''}`;
  }
}

/** A record's arguments take at most this much of a default page; a job spec can be 100 KB. */
const ARGUMENT_BYTES = 600;
const STRING_CHARS = 120;

/**
 * The record with its arguments cut to ARGUMENT_BYTES when longer: each long string to its start and how much
 * was left out, or, when that is still too long, only their size. One record must not fill a 4 KB answer alone.
 */
function withShortArguments(r: AuditRecord): AuditRecord {
  const bytes = Buffer.byteLength(JSON.stringify(r.arguments) ?? '');
  if (bytes <= ARGUMENT_BYTES) return r;
  const strings = shortStrings(r.arguments);
  const args = Buffer.byteLength(JSON.stringify(strings)) <= ARGUMENT_BYTES ? strings : `[${bytes} bytes of arguments]`;
  return { ...r, arguments: args };
}

function shortStrings(value: unknown): unknown {
  if (typeof value === 'string') return value.length <= STRING_CHARS ? value : `${value.slice(0, STRING_CHARS)}… [${value.length - STRING_CHARS} more characters]`;
  if (Array.isArray(value)) return value.map(shortStrings);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shortStrings(v)]));
  return value;
}
