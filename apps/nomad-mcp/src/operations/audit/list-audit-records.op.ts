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
    // a record holds a call's arguments: a default page is also kept within 4 KB of answer, the rest behind the cursor
    const fit = fitsAnswer(limit, (r: AuditRecord) => r);
    const kept = fit ? itemsWithin(page.records, fit) : page.records.length;
    const nextCursor = kept < page.records.length ? encodeCursor(page.records[kept - 1]) : page.next_cursor ?? null;
    const records = page.records.slice(0, kept) as unknown as AuditRecordDto[];
    return {
      message: records.length
        ? `${plural(records.length, 'record')}, newest first${nextCursor ? '; more with cursor=next_cursor' : ''}.`
        : 'No audit records match.',
      count: records.length, records, next_cursor: nextCursor,
    };
  }

  render(r: AuditPageResult): string {
    if (!r.records.length) return r.message;
    return `${r.message}\n\n${table(r.records as never, ['time', 'identity', 'operation', 'namespace', 'job', 'outcome', 'status', 'eval_id'])}${r.next_cursor ? `\n\nnext_cursor: ${r.next_cursor}` : ''}`;
  }
}
